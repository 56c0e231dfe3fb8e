//! The reading half of an import, on a thread of its own: rows parsed, secrets masked and keys
//! computed while the writing half stores the rows read before them.
//!
//! An import is two kinds of work of about the same size: reading (CSV, the format's parser,
//! masking, hashing each record's natural key and counting its occurrences) and writing
//! (SQLite's inserts and the daily sums). [`read_rows`] does the first on a scoped thread and
//! hands over batches of [`BATCH_ROWS`] rows through a channel of [`BATCHES_IN_FLIGHT`], so a
//! machine with two cores imports in about the time of the larger half, and memory holds a few
//! thousand rows whatever the file's size. The writer stops the reader by dropping its end of
//! the channel (a cancel, a failure); the reader stops at the end of the file or at a broken
//! one, which it reports as the last message.
//!
//! Work a record's storing needs that depends on the record alone (a bank line's stored times,
//! fingerprint and merchant tag, [`BankValues`]) is done here too, off the writing thread.
//!
//! The writer hands each batch back once written ([`Rows::done`]): the reader frees its rows
//! and reuses its room, so the writing thread, the slower one, spends no time on the memory of
//! rows it did not allocate.

use std::collections::{HashMap, HashSet};
use std::sync::mpsc::{Receiver, Sender, SyncSender, channel, sync_channel};

use chrono::NaiveDate;

use super::StoreError;
use super::import::BankValues;
use super::occurrences::{self, Key, KeyHasher, Occurrences};
use super::usage_writer::SameTexts;
use crate::domain::import::{RowError, RowOutcome, RowStream};
use crate::domain::merchants::Tagger;
use crate::domain::records::{Record, UsageRecord};

/// Rows in one hand-over.
const BATCH_ROWS: usize = 512;
/// Batches read ahead of the writer at most.
const BATCHES_IN_FLIGHT: usize = 8;

/// One data row of the file, read.
pub(super) struct ReadRow {
    /// The row's line in the file.
    pub line: u64,
    pub outcome: ReadOutcome,
    /// Secret keys masked in its records.
    pub masked: u64,
}

/// A record read, with its key and, for a bank line, the values stored beside its own; for a
/// usage record, which of its texts repeat the usage record before it.
pub(super) struct Keyed {
    pub record: Record,
    pub key: Key,
    pub bank: Option<BankValues>,
    pub same: SameTexts,
}

/// A row's records with their keys (none: a row with nothing to import), why it was refused,
/// or a row the format leaves out on purpose (counted by the stream itself).
pub(super) enum ReadOutcome {
    Records(Vec<Keyed>),
    Rejected(RowError),
    LeftOut,
}

/// What the reader hands over.
pub(super) enum Message {
    /// Rows, with how many bytes of the file were read after them.
    Rows(Vec<ReadRow>, u64),
    /// The file cannot be read on (a broken CSV structure): why.
    Broken(String),
    /// The reader failed (its temporary table of key counts).
    Failed(StoreError),
}

/// The reader's batches, as the writer receives them.
pub(super) struct Rows {
    receive: Receiver<Message>,
    spent: Sender<Vec<ReadRow>>,
}

impl Rows {
    /// The reader's next message; `None` once it has stopped.
    pub fn next_message(&self) -> Option<Message> {
        self.receive.recv().ok()
    }

    /// Hands a written batch back to the reader, which frees it on its own thread.
    pub fn done(&self, batch: Vec<ReadRow>) {
        // A reader that has stopped no longer takes batches: this thread frees it then.
        let _ = self.spent.send(batch);
    }
}

/// Starts reading `stream` on a thread of `scope`, tagging bank lines with `tagger`; the rows
/// arrive through the returned [`Rows`].
pub(super) fn spawn<'scope>(
    scope: &'scope std::thread::Scope<'scope, '_>,
    stream: &'scope mut RowStream,
    tagger: &'scope Tagger,
) -> Result<Rows, StoreError> {
    let (send, receive) = sync_channel(BATCHES_IN_FLIGHT);
    let (spent, spent_receive) = channel();
    std::thread::Builder::new()
        .name("import-reader".into())
        .spawn_scoped(scope, move || {
            read_rows(stream, tagger, &send, &spent_receive);
        })
        .map_err(|e| StoreError::Invalid(format!("the import could not start reading: {e}")))?;
    Ok(Rows { receive, spent })
}

/// A batch to fill: one the writer handed back, emptied here, or a new one.
fn next_batch(spent: &Receiver<Vec<ReadRow>>) -> Vec<ReadRow> {
    let mut reused = None;
    while let Ok(mut batch) = spent.try_recv() {
        batch.clear();
        reused.get_or_insert(batch);
    }
    reused.unwrap_or_else(|| Vec::with_capacity(BATCH_ROWS))
}

/// Reads every row, masks and keys its records, and sends them on in batches. Returns when the
/// file ends, breaks, or the writer stops listening.
fn read_rows(
    stream: &mut RowStream,
    tagger: &Tagger,
    send: &SyncSender<Message>,
    spent: &Receiver<Vec<ReadRow>>,
) {
    let mut occurrences = Occurrences::new();
    let mut twins = Twins::default();
    let mut rules = Rules::new(tagger);
    let mut natural = String::with_capacity(256);
    let mut batch = Vec::with_capacity(BATCH_ROWS);
    while let Some(next) = stream.next_row() {
        let (line, outcome) = match next {
            Ok(x) => x,
            Err(e) => {
                let _ = send.send(Message::Rows(std::mem::take(&mut batch), stream.bytes_read));
                let _ = send.send(Message::Broken(e.to_string()));
                return;
            }
        };
        let row = match outcome {
            RowOutcome::Rejected(e) => ReadRow {
                line,
                outcome: ReadOutcome::Rejected(e),
                masked: 0,
            },
            RowOutcome::LeftOut => ReadRow {
                line,
                outcome: ReadOutcome::LeftOut,
                masked: 0,
            },
            RowOutcome::Records(records) => {
                let before = last_usage(batch.last());
                match keyed(
                    records,
                    &mut rules,
                    &mut twins,
                    &mut occurrences,
                    &mut natural,
                    before,
                ) {
                    Ok((records, masked)) => ReadRow {
                        line,
                        outcome: ReadOutcome::Records(records),
                        masked,
                    },
                    Err(e) => {
                        let _ = send.send(Message::Failed(e));
                        return;
                    }
                }
            }
        };
        batch.push(row);
        if batch.len() >= BATCH_ROWS {
            let full = std::mem::replace(&mut batch, next_batch(spent));
            if send.send(Message::Rows(full, stream.bytes_read)).is_err() {
                return;
            }
        }
    }
    if !batch.is_empty() {
        let _ = send.send(Message::Rows(batch, stream.bytes_read));
    }
}

/// The merchant rule of each description read so far: a statement names the same shops line
/// after line, and finding a rule normalises the description and searches it for every rule's
/// words. Up to [`RULES_REMEMBERED`] descriptions are kept; past them, rules are found anew.
struct Rules<'t> {
    tagger: &'t Tagger,
    found: HashMap<String, Option<usize>>,
}

/// How many descriptions [`Rules`] keeps (a few MiB at most).
const RULES_REMEMBERED: usize = 1 << 14;

impl<'t> Rules<'t> {
    fn new(tagger: &'t Tagger) -> Self {
        Self {
            tagger,
            found: HashMap::new(),
        }
    }

    /// [`Tagger::rule_of`] `description`.
    fn rule_of(&mut self, description: &str) -> Option<usize> {
        if let Some(rule) = self.found.get(description) {
            return *rule;
        }
        let rule = self.tagger.rule_of(description);
        if self.found.len() < RULES_REMEMBERED {
            self.found.insert(description.to_owned(), rule);
        }
        rule
    }
}

/// The days and amounts of the bank lines read so far, up to [`TWINS_REMEMBERED`] of them: whether
/// a line repeats the day and amount of one before it in the file.
struct Twins {
    seen: HashSet<(Option<NaiveDate>, i64)>,
    room: usize,
}

impl Default for Twins {
    fn default() -> Self {
        Self {
            seen: HashSet::new(),
            room: TWINS_REMEMBERED,
        }
    }
}

/// How many days and amounts [`Twins`] keeps: about 40 MiB at most; past them a statement's
/// look-alikes are asked of the ledger.
const TWINS_REMEMBERED: usize = 1 << 20;

impl Twins {
    /// Whether a bank line read before had this day and amount; `None` once too many were
    /// read to tell.
    fn earlier(&mut self, day_and_amount: (Option<NaiveDate>, i64)) -> Option<bool> {
        if self.seen.contains(&day_and_amount) {
            return Some(true);
        }
        if self.seen.len() >= self.room {
            return None;
        }
        self.seen.insert(day_and_amount);
        Some(false)
    }
}

/// The last usage record of `row`, if it has one.
fn last_usage(row: Option<&ReadRow>) -> Option<&UsageRecord> {
    let ReadOutcome::Records(records) = &row?.outcome else {
        return None;
    };
    records.iter().rev().find_map(|keyed| match &keyed.record {
        Record::Usage(u) => Some(u),
        _ => None,
    })
}

/// A row's records with their keys, secrets masked, and what each usage record shares with the
/// one before it (`before`: the last of the row read before, when known); and how many secrets
/// were masked.
///
/// The key comes from the text as the file wrote it (ledgers imported before keys were masked
/// find their records again); what is stored is masked.
fn keyed(
    records: Vec<Record>,
    rules: &mut Rules<'_>,
    twins: &mut Twins,
    occurrences: &mut Occurrences,
    natural: &mut String,
    before: Option<&UsageRecord>,
) -> Result<(Vec<Keyed>, u64), StoreError> {
    let mut masked = 0u64;
    let mut out = Vec::with_capacity(records.len());
    for mut record in records {
        match &record {
            Record::Usage(u) => u.write_natural_key(natural),
            Record::Bank(b) => {
                natural.clear();
                natural.push_str(&b.natural_key);
            }
            other => *natural = other.natural_key(),
        }
        masked += u64::try_from(crate::domain::secrets::mask_record(&mut record)).unwrap_or(0);
        let hasher = KeyHasher::new(natural);
        let first = hasher.key(0);
        let key = match occurrences.next(occurrences::identity(&first))? {
            0 => first,
            n => hasher.key(n),
        };
        let bank = match &record {
            Record::Bank(b) => {
                let mut values = BankValues::of(b, rules.rule_of(&b.description));
                values.earlier_twin = twins.earlier(values.day_and_amount(b));
                Some(values)
            }
            _ => None,
        };
        let same = match &record {
            Record::Usage(u) => {
                let previous = out
                    .iter()
                    .rev()
                    .find_map(|keyed: &Keyed| match &keyed.record {
                        Record::Usage(u) => Some(u),
                        _ => None,
                    })
                    .or(before);
                previous.map_or(SameTexts::UNKNOWN, |p| SameTexts::between(p, u))
            }
            _ => SameTexts::UNKNOWN,
        };
        out.push(Keyed {
            record,
            key,
            bank,
            same,
        });
    }
    Ok((out, masked))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn twins_tell_a_repeated_day_and_amount_and_say_nothing_once_full() {
        let day = NaiveDate::from_ymd_opt(2026, 11, 3);
        let mut twins = Twins {
            seen: HashSet::new(),
            room: 2,
        };
        assert_eq!(twins.earlier((day, -5_000_000_000)), Some(false));
        assert_eq!(twins.earlier((day, -5_000_000_000)), Some(true));
        assert_eq!(twins.earlier((None, -5_000_000_000)), Some(false));
        // Full: a day and amount it never kept cannot be told apart from a new one.
        assert_eq!(twins.earlier((day, -7_000_000_000)), None);
        assert_eq!(twins.earlier((day, -7_000_000_000)), None);
        assert_eq!(twins.earlier((None, -5_000_000_000)), Some(true));
    }
}
