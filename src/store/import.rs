//! Writing one imported file into the ledger, in one transaction.
//!
//! Each record's key is the SHA-256 of its natural key plus its occurrence index within the
//! file, so re-importing a file or an overlapping export finds the same keys and inserts
//! nothing, while two identical lines of one statement stay two records. An existing record is
//! updated only when its content changed (a revised usage cost, a pending line now settled); a
//! settled line is never turned back into a pending one by an older statement. Only exact keys
//! de-duplicate: rows that merely look alike (same day and amount) are kept and counted.

use std::io::Read;
use std::sync::{Arc, Mutex};

use chrono::NaiveDate;

use rusqlite::{OptionalExtension, Transaction, params};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::anchors::FileSpans;
use super::fingerprint::{Fingerprint, Table, unchanged};
use super::occurrences::KeyHasher;
use super::reader::{self, Keyed, Message, ReadOutcome, ReadRow};
use super::usage_writer::{BoundTexts, UsageWriter};
use super::{Store, StoreError, rollup};
use crate::domain::fx::Rate;
use crate::domain::import::{
    self, FileOptions, ImportError, LeftOut, Opener, RowError, RowStream, dates,
};
use crate::domain::merchants::Tagger;
use crate::domain::money::Amount;
use crate::domain::records::{BankLine, BankStatus, BillingRecord, Record, SpendKind};

/// Where a file came from.
#[derive(Debug, Clone)]
pub struct SourceMeta {
    /// The file name shown to the user.
    pub name: String,
    /// The full path, as given.
    pub path: String,
    /// When the import ran (UTC, ISO 8601).
    pub imported_at: String,
}

/// How to treat bad rows and whether to write at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ImportMode {
    /// Import nothing when any row is bad.
    pub strict: bool,
    /// Compute the report, write nothing.
    pub dry_run: bool,
}

/// Progress of an import, for progress bars.
#[derive(Debug, Clone, Copy, Default)]
pub struct Progress {
    pub rows: u64,
    pub bytes: u64,
}

/// The outcome of importing one file. Counts of inserted, updated and duplicate are records
/// (an activity row can hold several token kinds); `rows` counts data rows read.
#[derive(Debug, Clone, Serialize, Default)]
#[expect(
    clippy::struct_excessive_bools,
    reason = "each flag is its own JSON field of the import report, which scripts read"
)]
pub struct ImportReport {
    pub file: String,
    /// The file's path as given.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub path: String,
    pub format: Option<String>,
    pub rows: u64,
    pub inserted: u64,
    pub updated: u64,
    pub duplicates: u64,
    pub rejected: Vec<RowError>,
    /// Rows of the file that hold nothing to import (the empty days of an OpenAI export).
    pub skipped: u64,
    /// New records that share day and amount with another record but not its key: kept, and
    /// counted so the user can look.
    pub look_alikes: u64,
    /// Secret keys (`sk-proj-...`) found in the file's text and masked before they were stored.
    #[serde(skip_serializing_if = "is_zero")]
    pub masked_secrets: u64,
    pub written: bool,
    /// Why nothing was imported, when nothing was. Worded for any front end: advice that
    /// names a command-line flag or a window control is added by that front end from
    /// [`ImportReport::problem`].
    pub error: Option<String>,
    /// What kind of failure `error` is, when a front end has its own advice for it.
    #[serde(skip)]
    pub problem: Option<ImportProblem>,
    /// Nothing was imported because every date fits both day-first and month-first and the
    /// format has no convention: the user must say which (`FileOptions::date_order`).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub ambiguous_dates: bool,
    /// Nothing was imported because the file does not say the currency of its amounts (an
    /// American Express export from outside the US): the user must say it
    /// (`FileOptions::currency`).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub needs_currency: bool,
    /// The ledger's id for this file's import (absent for dry runs and failures).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_file_id: Option<i64>,
    /// What a receipt import (e-mails, a mailbox, a PDF) counted beside records.
    #[serde(flatten)]
    pub receipts: Option<Box<ReceiptTally>>,
    /// A log file already read to its end and unchanged since: skipped without parsing.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub unchanged: bool,
    /// Rows left out because they are not AI spend (a cloud bill's other services), and what
    /// they cost.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub left_out: Option<Box<LeftOut>>,
    /// New agent requests of models the price table does not price (`burnrate prices` lists
    /// them).
    #[serde(skip_serializing_if = "is_zero")]
    pub unpriced: u64,
    /// The first records as they will be stored, for previews.
    #[serde(skip)]
    pub sample: Vec<Record>,
}

/// A failure a front end words its own advice for (a flag on the command line, a control in
/// the window).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportProblem {
    /// Some rows could not be read and the import was all-or-nothing, so nothing was written.
    BadRowsInStrictImport,
    /// A file given as a coding-agent log that no line of reads as Claude Code or Codex.
    NotAnAgentLog,
    /// No format recognises the file's columns (a bank CSV to map, or the wrong export).
    UnrecognizedColumns,
}

impl ImportReport {
    /// Nothing was written because some rows were bad and the import was all-or-nothing.
    pub(super) fn refuse_bad_rows(&mut self) {
        self.error = Some(format!(
            "{} row(s) could not be read, so nothing was imported (all or nothing was asked)",
            self.rejected.len()
        ));
        self.problem = Some(ImportProblem::BadRowsInStrictImport);
    }
}

/// What a receipt import counted beside the records it wrote.
#[derive(Debug, Clone, Serialize, Default)]
pub struct ReceiptTally {
    /// Messages (or files) that were not receipts or billing notices: counted, never stored.
    pub not_receipts: u64,
    /// Merchants of receipts that no merchant rule knows (add a rule to track them).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unknown_merchants: Vec<String>,
}

#[expect(
    clippy::trivially_copy_pass_by_ref,
    reason = "serde's skip_serializing_if passes a reference"
)]
fn is_zero(n: &u64) -> bool {
    *n == 0
}

pub(super) enum Write {
    Inserted,
    Updated,
    Duplicate,
}

pub(super) fn key_bytes(natural_key: &str, occurrence: u32) -> Vec<u8> {
    KeyHasher::new(natural_key).key(occurrence).to_vec()
}

/// The fingerprint of a bank line, from its values as the ledger stores them.
fn bank_fingerprint(
    amount_nanos: i64,
    status: &str,
    posted_at: Option<&str>,
    started_at: Option<&str>,
    fee_nanos: Option<i64>,
    original_nanos: Option<i64>,
    description: &str,
) -> i64 {
    Fingerprint::of("bank")
        .int(amount_nanos)
        .text(status)
        .opt_text(posted_at)
        .opt_text(started_at)
        .opt_int(fee_nanos)
        .opt_int(original_nanos)
        .text(description)
        .finish()
}

/// What a bank line is stored with beside its own fields: its times and day as the ledger
/// writes them, its fingerprint and its merchant rule. They depend on the line alone, so the
/// reading thread works them out ([`reader`]) and the writing thread only binds them.
pub(super) struct BankValues {
    status: BankStatus,
    posted_at: Option<String>,
    started_at: Option<String>,
    /// The day the line is filed under, and its text.
    day: Option<NaiveDate>,
    day_text: String,
    fingerprint: i64,
    /// The merchant rule that tags the line, as [`Tagger::rule_of`] found it.
    rule: Option<usize>,
    /// Whether a line read before it in the same file has its day and amount; `None` when the
    /// reader did not keep count (see [`reader`]), and the ledger is asked.
    pub(super) earlier_twin: Option<bool>,
}

impl BankValues {
    /// The values of `b`, which the merchant rule `rule` tags (as [`Tagger::rule_of`] finds it).
    pub(super) fn of(b: &BankLine, rule: Option<usize>) -> Self {
        let status = b.status.unwrap_or(BankStatus::Settled);
        let posted_at = dt(b.posted_at);
        let started_at = dt(b.started_at);
        let fingerprint = bank_fingerprint(
            b.amount.nanos(),
            status.as_str(),
            posted_at.as_deref(),
            started_at.as_deref(),
            b.fee.map(Amount::nanos),
            b.original_amount.map(Amount::nanos),
            &b.description,
        );
        let day = b.day();
        Self {
            status,
            posted_at,
            started_at,
            day,
            day_text: day.map(dates::day_text).unwrap_or_default(),
            fingerprint,
            rule,
            earlier_twin: None,
        }
    }

    /// The day and amount a look-alike line shares.
    pub(super) fn day_and_amount(&self, b: &BankLine) -> (Option<NaiveDate>, i64) {
        (self.day, b.amount.nanos())
    }
}

/// The fingerprint of the stored bank line `id`, from its stored values.
fn bank_row_fingerprint(tx: &Transaction<'_>, id: i64) -> Result<i64, StoreError> {
    Ok(tx
        .prepare_cached(
            "SELECT amount_nanos, status, posted_at, started_at, fee_nanos, original_nanos, description
             FROM bank_lines WHERE id = ?1",
        )?
        .query_row([id], |row| {
            Ok(bank_fingerprint(
                row.get(0)?,
                &row.get::<_, String>(1)?,
                row.get::<_, Option<String>>(2)?.as_deref(),
                row.get::<_, Option<String>>(3)?.as_deref(),
                row.get(4)?,
                row.get(5)?,
                &row.get::<_, String>(6)?,
            ))
        })?)
}

/// A time as the ledger stores it (`2026-10-31T23:59:59`, chrono's `%Y-%m-%dT%H:%M:%S`).
pub(super) fn dt(t: Option<chrono::NaiveDateTime>) -> Option<String> {
    t.map(|t| dates::datetime_text(t, 'T'))
}

/// SHA-256 of a file's bytes, streamed.
///
/// # Errors
/// When the file cannot be read.
pub fn sha256_hex(open: &Opener<'_>) -> std::io::Result<String> {
    let mut reader = open()?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = reader.read(&mut buf)?;
        if n == 0 {
            break;
        }
        h.update(buf.get(..n).unwrap_or_default());
    }
    Ok(hex(h))
}

fn hex(h: Sha256) -> String {
    h.finalize()
        .iter()
        .fold(String::with_capacity(64), |mut hex, b| {
            use std::fmt::Write as _;
            let _ = write!(hex, "{b:02x}");
            hex
        })
}

/// A file being read for its rows, hashed on the way: the file's SHA-256 costs no second read.
struct Hashing {
    inner: Box<dyn Read + Send>,
    sha: Arc<Mutex<Sha256>>,
}

impl Read for Hashing {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Ok(mut sha) = self.sha.lock() {
            sha.update(buf.get(..n).unwrap_or_default());
        }
        Ok(n)
    }
}

const SAMPLE_RECORDS: usize = 20;

impl Store {
    /// Imports one file: all of it in one transaction, or none of it.
    ///
    /// `progress` is called every few thousand rows; returning `false` cancels the import
    /// (nothing is written).
    ///
    /// # Errors
    /// Only for ledger failures; problems with the file itself are in the report's `error`.
    pub fn import_file(
        &mut self,
        open: &Opener<'_>,
        meta: &SourceMeta,
        options: &FileOptions,
        mode: ImportMode,
        progress: &mut dyn FnMut(Progress) -> bool,
    ) -> Result<ImportReport, StoreError> {
        if let Some(shape) = super::receipts::shape_of(open, meta, options) {
            return self.import_receipts(open, meta, shape, options, mode, progress);
        }
        let mut report = ImportReport {
            file: meta.name.clone(),
            path: meta.path.clone(),
            ..ImportReport::default()
        };
        let mut options = options.clone();
        if options.format.is_none()
            && options.mapping.is_none()
            && let Ok((header, _)) = import::read_header(open)
        {
            options.mapping = self.bank_mapping(&header.signature())?;
        }
        let prepared = match import::prepare(open, &options) {
            Ok(p) => p,
            Err(e) => {
                report.ambiguous_dates = matches!(e, ImportError::AmbiguousDates { .. });
                if matches!(e, ImportError::Unrecognized { .. }) {
                    report.problem = Some(ImportProblem::UnrecognizedColumns);
                }
                if let ImportError::UnknownCurrency { format_id, .. } = &e {
                    // The file was recognised; only its currency is missing.
                    report.needs_currency = true;
                    report.format = Some((*format_id).to_string());
                }
                report.error = Some(e.to_string());
                return Ok(report);
            }
        };
        report.format = Some(prepared.format.id().to_string());
        let sha = Arc::new(Mutex::new(Sha256::new()));
        let hashing = || -> std::io::Result<Box<dyn Read + Send>> {
            Ok(Box::new(Hashing {
                inner: open()?,
                sha: Arc::clone(&sha),
            }))
        };
        let mut stream = match RowStream::new(&hashing, prepared) {
            Ok(s) => s,
            Err(e) => {
                report.error = Some(e.to_string());
                return Ok(report);
            }
        };
        // The records an import writes point at the file it adds in the same transaction, so
        // SQLite's check that each record's file exists is left off while it writes. The check
        // costs a lookup per record, and it would make SQLite copy every page a statement of
        // many lines changes into a statement journal (a temporary file), in case the check
        // failed half way through the statement.
        self.conn.pragma_update(None, "foreign_keys", "OFF")?;
        let written = self.write_file(&mut stream, meta, &sha, report, mode, progress);
        let checked = self.conn.pragma_update(None, "foreign_keys", "ON");
        let report = written?;
        checked?;
        Ok(report)
    }

    /// Writes the rows of `stream` in one transaction: [`Store::import_file`] once the file is
    /// open and its format known.
    fn write_file(
        &mut self,
        stream: &mut RowStream,
        meta: &SourceMeta,
        sha: &Mutex<Sha256>,
        mut report: ImportReport,
        mode: ImportMode,
        progress: &mut dyn FnMut(Progress) -> bool,
    ) -> Result<ImportReport, StoreError> {
        let tagger = Tagger::new(&self.merchant_rules()?);
        let tx = self.conn.transaction()?;
        tx.execute(
            "INSERT INTO source_files(name, path, sha256, format, imported_at) VALUES (?1, ?2, '', ?3, ?4)",
            params![meta.name, meta.path, stream.format().id(), meta.imported_at],
        )?;
        let file_id = tx.last_insert_rowid();
        let mut writer = Writer {
            tx: &tx,
            file_id,
            tagger: &tagger,
            usage: None,
            spans: FileSpans::default(),
            bank_statements: None,
        };
        if let Some(stop) = write_rows(&mut writer, stream, &mut report, progress)? {
            report.error = Some(stop);
            return Ok(report);
        }
        report.left_out = stream
            .left_out()
            .filter(|l| l.rows > 0)
            .map(|l| Box::new(l.clone()));
        writer.spans.save(&tx, file_id)?;
        writer.finish()?;
        // The stream read the whole file: its hash is complete.
        let sha = std::mem::take(
            &mut *sha
                .lock()
                .map_err(|_| StoreError::Invalid("the file's hash could not be read".into()))?,
        );
        tx.execute(
            "UPDATE source_files SET sha256 = ?2 WHERE id = ?1",
            params![file_id, hex(sha)],
        )?;
        progress(Progress {
            rows: report.rows,
            bytes: stream.bytes_read,
        });
        if let Some(why) = every_row_rejected(&report) {
            report.error = Some(why);
            return Ok(report);
        }
        finish_import(tx, file_id, &mut report, mode)?;
        Ok(report)
    }

    /// Removes exactly the records an import brought, and the import from the history.
    ///
    /// # Errors
    /// On a SQLite failure.
    pub fn undo_import(&mut self, source_file_id: i64) -> Result<u64, StoreError> {
        let tx = self.conn.transaction()?;
        // Decisions about matches name records by id; forget those about records that go.
        tx.execute(
            "DELETE FROM match_decisions
             WHERE left_record IN (SELECT 'billing:' || id FROM billing WHERE source_file_id = ?1
                                   UNION ALL SELECT 'bank:' || id FROM bank_lines WHERE source_file_id = ?1)
                OR right_record IN (SELECT 'billing:' || id FROM billing WHERE source_file_id = ?1
                                    UNION ALL SELECT 'bank:' || id FROM bank_lines WHERE source_file_id = ?1)",
            [source_file_id],
        )?;
        rollup::add_records(&tx, "source_file_id = ?1", &[&source_file_id], -1)?;
        let mut removed = 0u64;
        // An agent log read again after an undo must be read from its start.
        tx.execute(
            "DELETE FROM agent_log_files WHERE path = (SELECT path FROM source_files WHERE id = ?1)
               AND EXISTS (SELECT 1 FROM agent_usage WHERE source_file_id = ?1)",
            [source_file_id],
        )?;
        for table in ["usage", "billing", "bank_lines", "fx_rates", "agent_usage"] {
            let sql = format!("DELETE FROM {table} WHERE source_file_id = ?1");
            removed += u64::try_from(tx.execute(&sql, [source_file_id])?).unwrap_or(0);
        }
        tx.execute("DELETE FROM source_files WHERE id = ?1", [source_file_id])?;
        Store::bump_revision(&tx)?;
        tx.commit()?;
        Ok(removed)
    }
}

/// Why a file whose every data row was rejected imports nothing: the import failed, it did not
/// bring "0 new" records. `None` when some row was read (or skipped as empty), or the file has
/// no data rows at all (an export of a quiet period).
fn every_row_rejected(report: &ImportReport) -> Option<String> {
    let first = report.rejected.first()?;
    let rejected = u64::try_from(report.rejected.len()).unwrap_or(u64::MAX);
    (rejected == report.rows).then(|| {
        format!(
            "none of its {} row(s) could be read, so nothing was imported (the first: {first}); fix those rows, or check that this is the file you meant to import",
            report.rows
        )
    })
}

/// Ends one file's import: nothing written for a dry run or a strict import with bad rows,
/// else the file's counts recorded and the transaction committed.
pub(super) fn finish_import(
    tx: Transaction<'_>,
    file_id: i64,
    report: &mut ImportReport,
    mode: ImportMode,
) -> Result<(), StoreError> {
    if mode.strict && !report.rejected.is_empty() {
        report.refuse_bad_rows();
        return Ok(());
    }
    if mode.dry_run {
        return Ok(());
    }
    tx.execute(
        "UPDATE source_files SET rows = ?2, inserted = ?3, updated = ?4, duplicates = ?5, rejected = ?6 WHERE id = ?1",
        params![
            file_id,
            i64::try_from(report.rows).unwrap_or(i64::MAX),
            i64::try_from(report.inserted).unwrap_or(i64::MAX),
            i64::try_from(report.updated).unwrap_or(i64::MAX),
            i64::try_from(report.duplicates).unwrap_or(i64::MAX),
            i64::try_from(report.rejected.len()).unwrap_or(i64::MAX)
        ],
    )?;
    Store::bump_revision(&tx)?;
    tx.commit()?;
    report.written = true;
    report.source_file_id = Some(file_id);
    Ok(())
}

/// Streams every row of a file into the open transaction, counting what happened. Returns why
/// the import stopped early (a broken file, a cancel), or `None` when every row was read.
///
/// The rows are read on a second thread ([`reader`]) while this one writes.
fn write_rows(
    writer: &mut Writer<'_>,
    stream: &mut RowStream,
    report: &mut ImportReport,
    progress: &mut dyn FnMut(Progress) -> bool,
) -> Result<Option<String>, StoreError> {
    std::thread::scope(|scope| {
        let rows = reader::spawn(scope, stream, writer.tagger)?;
        // Dropping `rows` on an early return stops the reader.
        while let Some(message) = rows.next_message() {
            let (batch, bytes) = match message {
                Message::Rows(batch, bytes) => (batch, bytes),
                Message::Broken(why) => return Ok(Some(why)),
                Message::Failed(e) => return Err(e),
            };
            writer.insert_ahead(&batch)?;
            for row in &batch {
                report.rows += 1;
                if report.rows.is_multiple_of(4096)
                    && !progress(Progress {
                        rows: report.rows,
                        bytes,
                    })
                {
                    return Ok(Some("the import was cancelled; nothing was written".into()));
                }
                report.masked_secrets += row.masked;
                write_row(writer, row, report)?;
            }
            rows.done(batch);
        }
        Ok(None)
    })
}

/// Writes one row's records, counting what happened.
fn write_row(
    writer: &mut Writer<'_>,
    row: &ReadRow,
    report: &mut ImportReport,
) -> Result<(), StoreError> {
    let records = match &row.outcome {
        ReadOutcome::Records(records) => records,
        ReadOutcome::Rejected(e) => {
            report.rejected.push(e.clone());
            return Ok(());
        }
        ReadOutcome::LeftOut => return Ok(()),
    };
    if records.is_empty() {
        report.skipped += 1;
    }
    for keyed in records {
        let (write, look_alike) = writer.write(keyed, row.line)?;
        match write {
            Write::Inserted => report.inserted += 1,
            Write::Updated => report.updated += 1,
            Write::Duplicate => report.duplicates += 1,
        }
        if look_alike {
            report.look_alikes += 1;
        }
        if report.sample.len() < SAMPLE_RECORDS {
            report.sample.push(keyed.record.clone());
        }
    }
    Ok(())
}

struct Writer<'a> {
    tx: &'a Transaction<'a>,
    file_id: i64,
    /// The merchant rules, to tag bank lines with the service they paid.
    tagger: &'a Tagger,
    /// Made at the file's first usage record.
    usage: Option<UsageWriter<'a>>,
    /// The days the file's billing records and bank lines run over.
    spans: FileSpans,
    /// Made at the file's first bank line.
    bank_statements: Option<BankStatements<'a>>,
}

/// The statements new bank lines run, prepared once per file rather than looked up in the
/// connection's cache (by their text) for every line.
struct BankStatements<'a> {
    /// Inserts a line unless its key is taken. The file's id is bound once; a text only when
    /// it differs from the last line's (an account, a currency, a status repeat line after line).
    insert: rusqlite::Statement<'a>,
    bound: BoundTexts,
    /// Whether a line other than `?3` (an id) has the day `?1` and the amount `?2`; read from
    /// the `bank_lookalike` index alone.
    look_alike: rusqlite::Statement<'a>,
    /// Whether the ledger holds only lines this file inserted (it held none before, and no
    /// line was updated since). A new line then looks like another exactly when a line read
    /// before it in the file has its day and amount, which the reader tells
    /// ([`BankValues::earlier_twin`]), so the `look_alike` query is not run for it.
    file_only: bool,
    /// Inserts [`BANK_LINES_PER_INSERT`] lines at a time, with the texts bound to it; made at
    /// the first batch inserted ahead ([`BankStatements::insert_ahead`]).
    insert_many: Option<(rusqlite::Statement<'a>, BoundTexts)>,
    /// How many of the next bank lines were inserted ahead of their turn.
    ahead: usize,
}

/// The bank insert's columns, parameters, and the parameter that holds the file's id. A line
/// whose key is taken is not inserted (the caller then looks at the stored one). `OR IGNORE`
/// rather than `ON CONFLICT(key) DO NOTHING`: no constraint can then stop a statement of many
/// lines half way, so SQLite keeps no statement journal for it.
const BANK_INSERT: &str = "INSERT OR IGNORE INTO bank_lines(key, fingerprint, account, started_at, posted_at, day, description,
     amount_nanos, currency, amount_text, original_nanos, original_currency, fee_nanos, status, issuer_id,
     related_id, note, provider, spend_kind, source_file_id, source_line) VALUES ";
const BANK_INSERT_PARAMS: usize = 21;
const BANK_INSERT_FILE_ID: usize = 20;

/// Lines inserted by one run of the many-line insert.
const BANK_LINES_PER_INSERT: usize = 32;

/// The bank insert of `lines` lines: the parameters of a line follow those of the one before
/// it (`?22` to `?42` for the second). Made of [`BANK_INSERT`] and numbers alone.
fn bank_insert_sql(lines: usize) -> String {
    let mut sql = String::with_capacity(BANK_INSERT.len() + lines * 120 + 40);
    sql.push_str(BANK_INSERT);
    super::sql::push_parameter_rows(&mut sql, lines, BANK_INSERT_PARAMS, "");
    sql
}

/// What one bank line binds to the insert: the line, its stored values, key, source line and
/// merchant tag.
struct BankBinding<'r> {
    b: &'r BankLine,
    values: &'r BankValues,
    key: &'r [u8],
    line: i64,
    tag: Option<(&'r str, SpendKind)>,
}

/// Binds a line to the parameters after `offset` of `insert`; a text only when it differs from
/// the one bound there before (an account, a currency, a status repeat line after line).
fn bind_bank_line(
    insert: &mut rusqlite::Statement<'_>,
    bound: &mut BoundTexts,
    offset: usize,
    binding: &BankBinding<'_>,
) -> Result<(), StoreError> {
    let BankBinding {
        b,
        values,
        key,
        line,
        tag,
    } = binding;
    let at = |param: usize| offset + param;
    insert.raw_bind_parameter(at(1), *key)?;
    insert.raw_bind_parameter(at(2), values.fingerprint)?;
    bound.bind(insert, at(3), &b.account, false)?;
    // Times, descriptions and amounts differ from line to line: bound as they come.
    insert.raw_bind_parameter(at(4), &values.started_at)?;
    insert.raw_bind_parameter(at(5), &values.posted_at)?;
    bound.bind(insert, at(6), &values.day_text, false)?;
    insert.raw_bind_parameter(at(7), &b.description)?;
    insert.raw_bind_parameter(at(8), b.amount.nanos())?;
    bound.bind(insert, at(9), b.currency.as_str(), false)?;
    insert.raw_bind_parameter(at(10), &b.amount_text)?;
    insert.raw_bind_parameter(at(11), b.original_amount.map(Amount::nanos))?;
    bound.bind(
        insert,
        at(12),
        b.original_currency.as_deref().unwrap_or_default(),
        false,
    )?;
    insert.raw_bind_parameter(at(13), b.fee.map(Amount::nanos))?;
    bound.bind(insert, at(14), values.status.as_str(), false)?;
    bound.bind(insert, at(15), &b.issuer_id, false)?;
    bound.bind(insert, at(16), &b.related_id, false)?;
    bound.bind(insert, at(17), &b.note, false)?;
    bound.bind_opt(insert, at(18), tag.map(|(provider, _)| provider))?;
    bound.bind_opt(insert, at(19), tag.map(|(_, kind)| kind.as_str()))?;
    insert.raw_bind_parameter(at(21), *line)?;
    Ok(())
}

impl<'a> BankStatements<'a> {
    fn prepare(tx: &'a Transaction<'a>, file_id: i64) -> Result<Self, StoreError> {
        let empty: bool = tx.query_row("SELECT NOT EXISTS(SELECT 1 FROM bank_lines)", [], |r| {
            r.get(0)
        })?;
        let mut insert = tx.prepare(&bank_insert_sql(1))?;
        insert.raw_bind_parameter(BANK_INSERT_FILE_ID, file_id)?;
        Ok(Self {
            file_only: empty,
            insert_many: None,
            ahead: 0,
            insert,
            bound: BoundTexts::new(BANK_INSERT_PARAMS),
            look_alike: tx.prepare(
                "SELECT EXISTS(SELECT 1 FROM bank_lines WHERE day = ?1 AND amount_nanos = ?2 AND id != ?3)",
            )?,
        })
    }

    /// Inserts a batch's bank lines ahead of their turns, [`BANK_LINES_PER_INSERT`] a
    /// statement, while the ledger holds only lines of this file and the reader told each
    /// line's look-alike: a statement's run has a fixed cost (cursors on the table, its indexes
    /// and the file it points at), paid once for many lines. Each line's turn then only counts
    /// it ([`Writer::bank`]). The lines are inserted in the same order as one by one, so they
    /// get the same ids; the lines after the last full run are written one by one.
    ///
    /// # Errors
    /// On a SQLite failure, or when a run finds a key taken: the ledger held none of this
    /// file's lines and the reader numbers a repeated line, so two lines of the file would have
    /// one key, and nothing is imported.
    fn insert_ahead(
        &mut self,
        tx: &'a Transaction<'a>,
        file_id: i64,
        lines: &[BankBinding<'_>],
    ) -> Result<(), StoreError> {
        if !self.file_only || self.ahead > 0 || lines.len() < BANK_LINES_PER_INSERT {
            return Ok(());
        }
        if self.insert_many.is_none() {
            let mut insert = tx.prepare(&bank_insert_sql(BANK_LINES_PER_INSERT))?;
            for line in 0..BANK_LINES_PER_INSERT {
                insert
                    .raw_bind_parameter(line * BANK_INSERT_PARAMS + BANK_INSERT_FILE_ID, file_id)?;
            }
            let bound = BoundTexts::new(BANK_INSERT_PARAMS * BANK_LINES_PER_INSERT);
            self.insert_many = Some((insert, bound));
        }
        let Some((insert, bound)) = &mut self.insert_many else {
            return Ok(());
        };
        for run in lines.chunks_exact(BANK_LINES_PER_INSERT) {
            for (place, line) in run.iter().enumerate() {
                bind_bank_line(insert, bound, place * BANK_INSERT_PARAMS, line)?;
            }
            if insert.raw_execute()? != run.len() {
                return Err(StoreError::Invalid(
                    "two lines of this statement came out with the same key; nothing was imported"
                        .into(),
                ));
            }
            self.ahead += run.len();
        }
        Ok(())
    }
}

impl Writer<'_> {
    /// Inserts the usage records of `batch` ahead of their turns, when it holds usage records
    /// alone ([`UsageWriter::insert_ahead`]); their turns come as its rows are written.
    fn insert_ahead(&mut self, batch: &[ReadRow]) -> Result<(), StoreError> {
        let mut records = Vec::with_capacity(batch.len());
        for row in batch {
            let ReadOutcome::Records(keyed) = &row.outcome else {
                continue;
            };
            for keyed in keyed {
                let Record::Usage(u) = &keyed.record else {
                    return self.bank_ahead(batch);
                };
                records.push((u, &keyed.key, i64::try_from(row.line).unwrap_or(i64::MAX)));
            }
        }
        if records.is_empty() {
            return Ok(());
        }
        let usage = match &mut self.usage {
            Some(usage) => usage,
            None => self.usage.insert(UsageWriter::new(self.tx, self.file_id)?),
        };
        usage.insert_ahead(&records)
    }

    /// Inserts the bank lines of `batch` ahead of their turns, when it holds bank lines alone
    /// and the reader told whether each repeats the day and amount of one before it
    /// ([`BankStatements::insert_ahead`]).
    fn bank_ahead(&mut self, batch: &[ReadRow]) -> Result<(), StoreError> {
        let mut lines = Vec::with_capacity(batch.len());
        for row in batch {
            let ReadOutcome::Records(keyed) = &row.outcome else {
                continue;
            };
            for keyed in keyed {
                let (Record::Bank(b), Some(values)) = (&keyed.record, &keyed.bank) else {
                    return Ok(());
                };
                if values.earlier_twin.is_none() {
                    return Ok(());
                }
                lines.push(BankBinding {
                    b,
                    values,
                    key: keyed.key.as_slice(),
                    line: i64::try_from(row.line).unwrap_or(i64::MAX),
                    tag: values.rule.and_then(|rule| self.tagger.rule_tag(rule)),
                });
            }
        }
        let statements = match &mut self.bank_statements {
            Some(statements) => statements,
            None => self
                .bank_statements
                .insert(BankStatements::prepare(self.tx, self.file_id)?),
        };
        statements.insert_ahead(self.tx, self.file_id, &lines)
    }

    /// Writes what the usage records left buffered (their daily sums).
    fn finish(self) -> Result<(), StoreError> {
        match self.usage {
            Some(usage) => usage.finish(self.tx),
            None => Ok(()),
        }
    }

    fn write(&mut self, keyed: &Keyed, line: u64) -> Result<(Write, bool), StoreError> {
        let (record, key) = (&keyed.record, keyed.key.as_slice());
        let line = i64::try_from(line).unwrap_or(i64::MAX);
        self.spans.note(record);
        match record {
            Record::Usage(u) => {
                let usage = match &mut self.usage {
                    Some(usage) => usage,
                    None => self.usage.insert(UsageWriter::new(self.tx, self.file_id)?),
                };
                Ok((usage.write(u, key, line, keyed.same)?, false))
            }
            Record::Billing(b) => self.billing(b, key, line),
            // The reading thread works out every bank line's values beside it.
            Record::Bank(b) => match &keyed.bank {
                Some(values) => self.bank(b, values, key, line),
                None => Err(StoreError::Invalid(format!(
                    "line {line}: the bank line was read without its stored values"
                ))),
            },
            Record::Rate(r) => Ok((self.rate(r)?, false)),
            Record::Balance(b) => Ok((
                super::anchors::write_balance(self.tx, self.file_id, b, key, line)?,
                false,
            )),
        }
    }

    fn existing(&self, table: &str, key: &[u8]) -> Result<Option<(i64, i64, String)>, StoreError> {
        let sql = format!("SELECT id, fingerprint, status FROM {table} WHERE key = ?1");
        Ok(self
            .tx
            .prepare_cached(&sql)?
            .query_row([key], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .optional()?)
    }

    fn look_alike(
        &self,
        table: &str,
        day: &str,
        amount: i64,
        key: &[u8],
    ) -> Result<bool, StoreError> {
        let sql = format!(
            "SELECT EXISTS(SELECT 1 FROM {table} WHERE day = ?1 AND amount_nanos = ?2 AND key != ?3)"
        );
        Ok(self
            .tx
            .prepare_cached(&sql)?
            .query_row(params![day, amount, key], |r| r.get(0))?)
    }

    fn billing(
        &mut self,
        b: &BillingRecord,
        key: &[u8],
        line: i64,
    ) -> Result<(Write, bool), StoreError> {
        // The same payment may already be in the ledger from its receipt e-mail or PDF.
        if super::receipts::table_row_twin(self.tx, b, key, self.file_id)? {
            return Ok((Write::Duplicate, false));
        }
        let write = super::billing::write_row(self.tx, b, key, self.file_id, line)?;
        let look_alike = matches!(write, Write::Inserted)
            && self.look_alike(
                "billing",
                &b.occurred_at.date().to_string(),
                b.amount.nanos(),
                key,
            )?;
        Ok((write, look_alike))
    }

    fn bank(
        &mut self,
        b: &BankLine,
        values: &BankValues,
        key: &[u8],
        line: i64,
    ) -> Result<(Write, bool), StoreError> {
        let BankValues {
            status,
            posted_at,
            started_at,
            day_text: day,
            fingerprint: fp,
            ..
        } = values;
        let (status, fp) = (*status, *fp);
        let statements = match &mut self.bank_statements {
            Some(statements) => statements,
            None => self
                .bank_statements
                .insert(BankStatements::prepare(self.tx, self.file_id)?),
        };
        // Inserted ahead of its turn, with the reader's word on its look-alike.
        if statements.ahead > 0 {
            statements.ahead -= 1;
            return Ok((Write::Inserted, values.earlier_twin == Some(true)));
        }
        // A new line is the common case: insert it, and look for a stored one only when its
        // key is taken (one statement a line instead of a lookup and an insert).
        let binding = BankBinding {
            b,
            values,
            key,
            line,
            tag: values.rule.and_then(|rule| self.tagger.rule_tag(rule)),
        };
        let insert = &mut statements.insert;
        bind_bank_line(insert, &mut statements.bound, 0, &binding)?;
        let inserted = insert.raw_execute()?;
        if inserted == 1 {
            let look_alike = match values.earlier_twin.filter(|_| statements.file_only) {
                Some(twin) => twin,
                // The new line itself is left out, so asking after the insert is asking
                // before it.
                None => statements.look_alike.query_row(
                    params![day, b.amount.nanos(), self.tx.last_insert_rowid()],
                    |r| r.get(0),
                )?,
            };
            return Ok((Write::Inserted, look_alike));
        }
        if let Some(statements) = &mut self.bank_statements {
            // A line of the file was in the ledger already and may change its day or amount:
            // the ledger is asked from here on.
            statements.file_only = false;
        }
        match self.existing("bank_lines", key)? {
            None => Err(StoreError::Invalid(
                "a bank line's key was taken but no line holds it".into(),
            )),
            Some((id, old, _))
                if unchanged(self.tx, Table::BankLines, id, old, fp, || {
                    bank_row_fingerprint(self.tx, id)
                })? =>
            {
                Ok((Write::Duplicate, false))
            }
            Some((_, _, old_status))
                if BankStatus::parse_stored(&old_status)
                    .is_some_and(|s| s.rank() > status.rank()) =>
            {
                Ok((Write::Duplicate, false))
            }
            Some((id, _, _)) => {
                self.tx
                    .prepare_cached(
                        "UPDATE bank_lines SET fingerprint = ?2, amount_nanos = ?3, amount_text = ?4, status = ?5, posted_at = ?6,
                         started_at = COALESCE(?7, started_at), fee_nanos = ?8, original_nanos = ?9, original_currency = ?10,
                         description = ?11, day = ?12 WHERE id = ?1",
                    )?
                    .execute(params![
                        id,
                        fp,
                        b.amount.nanos(),
                        b.amount_text,
                        status.as_str(),
                        posted_at,
                        started_at,
                        b.fee.map(Amount::nanos),
                        b.original_amount.map(Amount::nanos),
                        b.original_currency.as_deref().unwrap_or_default(),
                        b.description,
                        day
                    ])?;
                Ok((Write::Updated, false))
            }
        }
    }

    fn rate(&mut self, r: &Rate) -> Result<Write, StoreError> {
        let day = r.day.to_string();
        let existing: Option<i64> = self
            .tx
            .prepare_cached("SELECT per_euro_nanos FROM fx_rates WHERE day = ?1 AND currency = ?2")?
            .query_row(params![day, r.currency], |row| row.get(0))
            .optional()?;
        match existing {
            Some(v) if v == r.per_euro.nanos() => Ok(Write::Duplicate),
            Some(_) => {
                self.tx
                    .prepare_cached(
                        "UPDATE fx_rates SET per_euro_nanos = ?3 WHERE day = ?1 AND currency = ?2",
                    )?
                    .execute(params![day, r.currency, r.per_euro.nanos()])?;
                Ok(Write::Updated)
            }
            None => {
                self.tx
                    .prepare_cached("INSERT INTO fx_rates(day, currency, per_euro_nanos, source_file_id) VALUES (?1, ?2, ?3, ?4)")?
                    .execute(params![day, r.currency, r.per_euro.nanos(), self.file_id])?;
                Ok(Write::Inserted)
            }
        }
    }
}
