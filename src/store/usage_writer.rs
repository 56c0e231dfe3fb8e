//! Writing usage records during an import: the hot path of a million-row export.
//!
//! Statements are prepared once per file and the values that do not change within a file (its
//! id) are bound once; a text is bound again only when it differs from the last record's
//! ([`BoundTexts`]), and a record's day is written as text once per day. A new export is inserted
//! straight away (the unique index of day and key is then the only lookup); once a record turns out to be
//! in the ledger already, the next ones are looked up first, so a re-import reads instead of
//! failing inserts. A record already in the ledger is left alone when its cost, tokens, requests,
//! names and charge are the same, and updated in place when the provider revised them. Every record
//! written or revised moves the daily sums ([`DailySums`]) in the same transaction.
//!
//! The texts that repeat row after row are compared by the reading thread, which has both records
//! in its cache ([`SameTexts`]): the writing thread, the slower half of a large import, then
//! neither compares nor reads the texts of a record that equal the last record's, and adds a
//! record of the last record's group to the daily sums without spelling out its group again.
//!
//! The `fingerprint` column of usage is written 0: records are compared by their stored values,
//! which needs no hash and reads the same for records written by earlier versions.

use std::fmt::Write as _;

use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, Statement};

use super::StoreError;
use super::import::Write;
use super::rollup::{Contribution, DailySums};
use crate::domain::money::Amount;
use crate::domain::records::{UsageGrain, UsageRecord};

/// A record whose day and key are taken is not inserted (the caller then looks at the stored
/// one). `OR IGNORE` rather than `ON CONFLICT(day, key) DO NOTHING`: no constraint can then stop
/// a statement of many records half way, so SQLite keeps no statement journal for it (the
/// import leaves foreign keys unchecked while it writes, see [`super::import`]).
const INSERT: &str = "INSERT OR IGNORE INTO usage(key, fingerprint, source_kind, day, provider, organization_id,
        organization_name, project_id, project_name, model, token_kind, line_item, api_key_id,
        api_key_name, user_ref, dimensions, tokens, requests, cost_nanos, currency, cost_text, grain,
        source_file_id, source_line, charge, byok_cost_nanos)
    VALUES (?1, 0, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19,
        ?20, ?21, ?22, ?23, ?24, ?25)";

/// Records inserted by one run of the many-record insert ([`UsageWriter::insert_ahead`]).
const RECORDS_PER_INSERT: usize = 32;

/// [`INSERT`] of [`RECORDS_PER_INSERT`] records: the parameters of a record follow those of the
/// one before it, in [`INSERT`]'s order (`?26` to `?50` for the second). The text is made of
/// [`INSERT`] and numbers alone.
fn insert_many_sql() -> String {
    let (columns, _) = INSERT.split_once("VALUES").unwrap_or((INSERT, ""));
    let mut sql = String::with_capacity(columns.len() + RECORDS_PER_INSERT * 160 + 64);
    sql.push_str(columns);
    sql.push_str("VALUES ");
    // The fingerprint (0) follows each record's key, as in [`INSERT`].
    super::sql::push_parameter_rows(&mut sql, RECORDS_PER_INSERT, INSERT_PARAMS, "0");
    sql
}

/// The records of a batch inserted ahead of their turn, in order, and whether each was (its
/// key was not taken); their turns come one by one through [`UsageWriter::write`].
#[derive(Default)]
struct Ahead {
    keys: Vec<[u8; 16]>,
    inserted: Vec<bool>,
    next: usize,
}

impl Ahead {
    /// Whether the record with `key`, the next one written, was inserted ahead; `None` when no
    /// record is ahead.
    fn take(&mut self, key: &[u8]) -> Result<Option<bool>, StoreError> {
        let Some(ahead) = self.keys.get(self.next) else {
            return Ok(None);
        };
        if ahead.as_slice() != key {
            return Err(StoreError::Invalid(
                "a usage record was written out of the order it was inserted in".into(),
            ));
        }
        let inserted = self.inserted.get(self.next).copied().unwrap_or(false);
        self.next += 1;
        Ok(Some(inserted))
    }

    fn is_done(&self) -> bool {
        self.next >= self.keys.len()
    }
}
/// The parameter of [`INSERT`] holding the file's id, bound once per file.
const INSERT_FILE_ID: usize = 22;
/// How many parameters [`INSERT`] has.
const INSERT_PARAMS: usize = 25;

const FIND: &str = "SELECT id, cost_nanos, tokens, requests, project_name, organization_name,
        api_key_name, day, provider, organization_id, grain, project_id, model, currency, charge,
        byok_cost_nanos
    FROM usage WHERE day = ?1 AND key = ?2";

/// The file a stored record came from.
const SOURCE_OF: &str = "SELECT source_file_id FROM usage WHERE day = ?1 AND key = ?2";

const UPDATE: &str = "UPDATE usage SET cost_nanos = ?2, cost_text = ?3, tokens = ?4, requests = ?5,
        project_name = ?6, organization_name = ?7, api_key_name = ?8, charge = ?9,
        byok_cost_nanos = ?10
    WHERE id = ?1";

/// A usage record as the ledger holds it, for comparing with a re-imported row.
struct Stored {
    id: i64,
    cost_nanos: Option<i64>,
    tokens: Option<i64>,
    requests: Option<i64>,
    project_name: String,
    organization_name: String,
    api_key_name: String,
    day: String,
    provider: String,
    organization_id: String,
    grain: String,
    project_id: String,
    model: String,
    currency: String,
    charge: String,
    byok_cost_nanos: Option<i64>,
}

impl Stored {
    fn read(r: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            id: r.get(0)?,
            cost_nanos: r.get(1)?,
            tokens: r.get(2)?,
            requests: r.get(3)?,
            project_name: r.get(4)?,
            organization_name: r.get(5)?,
            api_key_name: r.get(6)?,
            day: r.get(7)?,
            provider: r.get(8)?,
            organization_id: r.get(9)?,
            grain: r.get(10)?,
            project_id: r.get(11)?,
            model: r.get(12)?,
            currency: r.get(13)?,
            charge: r.get(14)?,
            byok_cost_nanos: r.get(15)?,
        })
    }

    /// Whether the row brings nothing new.
    fn same_as(&self, u: &UsageRecord) -> bool {
        self.cost_nanos == u.cost.map(Amount::nanos)
            && self.tokens == u.tokens
            && self.requests == u.requests
            && self.project_name == u.project_name
            && self.organization_name == u.organization_name
            && self.api_key_name == u.api_key_name
            && self.charge == u.charge.as_str()
            && self.byok_cost_nanos == u.byok_cost.map(Amount::nanos)
    }

    /// What the stored record adds to the daily sums, with the names and values `names` and
    /// `values` say (the stored ones, or a revision's).
    fn contribution<'a>(
        &'a self,
        names: (&'a str, &'a str),
        values: (Option<i64>, Option<i64>),
    ) -> Contribution<'a> {
        Contribution {
            day: &self.day,
            provider: &self.provider,
            organization_id: &self.organization_id,
            grain: &self.grain,
            organization_name: names.0,
            project_id: &self.project_id,
            project_name: names.1,
            model: &self.model,
            currency: &self.currency,
            cost_nanos: values.0,
            tokens: values.1,
        }
    }
}

/// Which texts of a usage record equal those of the usage record before it in the file (with its
/// day, currency and grain), found by the reading thread. What it says holds only for the
/// record that directly follows the one it was compared with; [`SameTexts::UNKNOWN`] says
/// nothing, and every text is then compared as usual.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct SameTexts(u16);

/// The texts [`SameTexts`] compares, each at its bit.
const PROVIDER: usize = 0;
const ORGANIZATION_ID: usize = 1;
const ORGANIZATION_NAME: usize = 2;
const PROJECT_ID: usize = 3;
const PROJECT_NAME: usize = 4;
const MODEL: usize = 5;
const TOKEN_KIND: usize = 6;
const LINE_ITEM: usize = 7;
const API_KEY_ID: usize = 8;
const API_KEY_NAME: usize = 9;
const USER: usize = 10;
const DIMENSIONS: usize = 11;
const CURRENCY: usize = 12;
const GRAIN: usize = 13;
const DAY: usize = 14;
/// The bits of everything that names a record's group in the daily sums.
const GROUP_BITS: u16 = 1 << PROVIDER
    | 1 << ORGANIZATION_ID
    | 1 << ORGANIZATION_NAME
    | 1 << PROJECT_ID
    | 1 << PROJECT_NAME
    | 1 << MODEL
    | 1 << CURRENCY
    | 1 << GRAIN
    | 1 << DAY;

impl SameTexts {
    /// Nothing known: every text is compared.
    pub const UNKNOWN: Self = Self(0);

    /// What `next` has in common with `previous`, the usage record before it.
    pub fn between(previous: &UsageRecord, next: &UsageRecord) -> Self {
        let pairs = [
            (previous.provider.as_str(), next.provider.as_str()),
            (
                previous.organization_id.as_str(),
                next.organization_id.as_str(),
            ),
            (
                previous.organization_name.as_str(),
                next.organization_name.as_str(),
            ),
            (previous.project_id.as_str(), next.project_id.as_str()),
            (previous.project_name.as_str(), next.project_name.as_str()),
            (previous.model.as_str(), next.model.as_str()),
            (previous.token_kind.as_str(), next.token_kind.as_str()),
            (previous.line_item.as_str(), next.line_item.as_str()),
            (previous.api_key_id.as_str(), next.api_key_id.as_str()),
            (previous.api_key_name.as_str(), next.api_key_name.as_str()),
            (previous.user.as_str(), next.user.as_str()),
            (
                previous.extra_dimensions.as_str(),
                next.extra_dimensions.as_str(),
            ),
            (previous.currency.as_str(), next.currency.as_str()),
            (grain(previous), grain(next)),
        ];
        let mut bits = 0u16;
        for (bit, (a, b)) in pairs.iter().enumerate() {
            if a == b {
                bits |= 1 << bit;
            }
        }
        if previous.day == next.day {
            bits |= 1 << DAY;
        }
        Self(bits)
    }

    /// Whether the text at `bit` is the last record's.
    fn has(self, bit: usize) -> bool {
        (self.0 >> bit) & 1 == 1
    }

    /// Whether the record belongs to the last record's group of the daily sums.
    fn same_group(self) -> bool {
        self.0 & GROUP_BITS == GROUP_BITS
    }
}

/// A record's grain as stored (the daily sums group by the same text).
pub(super) fn grain(u: &UsageRecord) -> &'static str {
    u.grain.unwrap_or(UsageGrain::Detail).as_str()
}

/// The texts last bound to the parameters of a statement run again and again ([`INSERT`], a
/// bank line's insert, the daily sums' upserts). SQLite copies every text it is given, and a
/// file repeats most of a record's names row after row (its provider, organization, currency,
/// the day of a thousand rows), as the daily sums' groups, written in order, repeat their day,
/// organization and project; so a text is bound again only when it changed: the statement keeps
/// its bindings from one execution to the next.
pub(super) struct BoundTexts {
    texts: Vec<Option<String>>,
}

impl BoundTexts {
    /// Room for the texts of a statement with `params` parameters.
    pub(super) fn new(params: usize) -> Self {
        Self {
            texts: vec![None; params + 1],
        }
    }

    /// Binds `value` (absent: NULL) to parameter `index` of `statement` unless it is bound
    /// already.
    pub(super) fn bind_opt(
        &mut self,
        statement: &mut Statement<'_>,
        index: usize,
        value: Option<&str>,
    ) -> Result<(), StoreError> {
        if let Some(value) = value {
            return self.bind(statement, index, value, false);
        }
        if let Some(slot) = self.texts.get_mut(index) {
            *slot = None;
        }
        statement.raw_bind_parameter(index, rusqlite::types::Null)?;
        Ok(())
    }

    /// Binds `value` to parameter `index` of `statement` unless it is bound already. `known`:
    /// the caller knows it is (the parameter holds the last record's text, which equals it), so
    /// it is not even read.
    ///
    /// # Errors
    /// On a SQLite failure.
    pub(super) fn bind(
        &mut self,
        statement: &mut Statement<'_>,
        index: usize,
        value: &str,
        known: bool,
    ) -> Result<(), StoreError> {
        if known {
            return Ok(());
        }
        let Some(slot) = self.texts.get_mut(index) else {
            statement.raw_bind_parameter(index, value)?;
            return Ok(());
        };
        if slot.as_deref() == Some(value) {
            return Ok(());
        }
        // Forgotten first: after a failed bind, the parameter holds nothing known.
        let mut text = slot.take().unwrap_or_default();
        statement.raw_bind_parameter(index, value)?;
        text.clear();
        text.push_str(value);
        *slot = Some(text);
        Ok(())
    }
}

/// Binds record `u` with its key, line and day text to the parameters of a run of [`INSERT`]s
/// from `offset` on (0 for the first record), each text unless `bound` holds it already.
fn bind_record(
    s: &mut Statement<'_>,
    b: &mut BoundTexts,
    offset: usize,
    (u, key, line, day): (&UsageRecord, &[u8], i64, &str),
) -> Result<(), StoreError> {
    s.raw_bind_parameter(offset + 1, key)?;
    let texts = [
        (2, u.source_kind),
        (3, day),
        (4, u.provider.as_str()),
        (5, u.organization_id.as_str()),
        (6, u.organization_name.as_str()),
        (7, u.project_id.as_str()),
        (8, u.project_name.as_str()),
        (9, u.model.as_str()),
        (10, u.token_kind.as_str()),
        (11, u.line_item.as_str()),
        (12, u.api_key_id.as_str()),
        (13, u.api_key_name.as_str()),
        (14, u.user.as_str()),
        (15, u.extra_dimensions.as_str()),
        (19, u.currency.as_str()),
        (21, grain(u)),
        (24, u.charge.as_str()),
    ];
    for (param, text) in texts {
        b.bind(s, offset + param, text, false)?;
    }
    s.raw_bind_parameter(offset + 16, u.tokens)?;
    s.raw_bind_parameter(offset + 17, u.requests)?;
    s.raw_bind_parameter(offset + 18, u.cost.map(Amount::nanos))?;
    s.raw_bind_parameter(offset + 20, u.cost_text.as_str())?;
    s.raw_bind_parameter(offset + 23, line)?;
    s.raw_bind_parameter(offset + 25, u.byok_cost.map(Amount::nanos))?;
    Ok(())
}

/// The usage half of one file's import.
pub(super) struct UsageWriter<'conn> {
    insert: Statement<'conn>,
    bound: BoundTexts,
    /// [`RECORDS_PER_INSERT`] records at a time, with the texts bound to it.
    insert_many: Statement<'conn>,
    bound_many: BoundTexts,
    ahead: Ahead,
    /// The file being imported, and which file a stored record came from.
    file_id: i64,
    source_of: Statement<'conn>,
    find: Statement<'conn>,
    update: Statement<'conn>,
    sums: DailySums<'conn>,
    /// Whether the last record was already in the ledger.
    known: bool,
    /// Whether [`INSERT`]'s parameters hold the last record's texts (it was inserted, or its
    /// insert found its key taken), so that the texts [`SameTexts`] names need no binding.
    bound_last: bool,
    /// Whether the daily sums' last group is the last record's (it was inserted).
    summed_last: bool,
    /// The day of the last record, and as text: an export writes each day's rows together.
    day_of: Option<NaiveDate>,
    day: String,
}

impl<'conn> UsageWriter<'conn> {
    /// A writer for the file `file_id`, inside the transaction open on `conn`.
    ///
    /// # Errors
    /// On a SQLite failure.
    pub fn new(conn: &'conn Connection, file_id: i64) -> Result<Self, StoreError> {
        let mut insert = conn.prepare(INSERT)?;
        insert.raw_bind_parameter(INSERT_FILE_ID, file_id)?;
        let mut insert_many = conn.prepare(&insert_many_sql())?;
        for record in 0..RECORDS_PER_INSERT {
            insert_many.raw_bind_parameter(record * INSERT_PARAMS + INSERT_FILE_ID, file_id)?;
        }
        Ok(Self {
            insert,
            insert_many,
            bound_many: BoundTexts::new(INSERT_PARAMS * RECORDS_PER_INSERT),
            ahead: Ahead::default(),
            file_id,
            source_of: conn.prepare(SOURCE_OF)?,
            find: conn.prepare(FIND)?,
            update: conn.prepare(UPDATE)?,
            bound: BoundTexts::new(INSERT_PARAMS),
            sums: DailySums::new(conn)?,
            known: false,
            bound_last: false,
            summed_last: false,
            day_of: None,
            day: String::with_capacity(10),
        })
    }

    /// Writes one record with its key, read from `line` of the file; `same` says which of its
    /// texts equal those of the usage record before it in the file.
    ///
    /// # Errors
    /// When a daily sum would overflow, or on a SQLite failure.
    pub fn write(
        &mut self,
        u: &UsageRecord,
        key: &[u8],
        line: i64,
        same: SameTexts,
    ) -> Result<Write, StoreError> {
        // What the reader found holds against the record before; what this writer holds is
        // the last record it bound and summed, which is that record only if it was written.
        let bound_same = if std::mem::take(&mut self.bound_last) {
            same
        } else {
            SameTexts::UNKNOWN
        };
        let same_group = std::mem::take(&mut self.summed_last) && same.same_group();
        if self.day_of != u.day || self.day.is_empty() {
            self.day.clear();
            if let Some(day) = u.day {
                let _ = write!(self.day, "{day}");
            }
            self.day_of = u.day;
        }
        if let Some(inserted) = self.ahead.take(key)? {
            if inserted {
                self.sum(u, same_group)?;
                return Ok(Write::Inserted);
            }
            // Its key was taken: as when the one-record insert finds it so, below.
            return self.revise_taken(key, u);
        }
        if self.known {
            match self.find_stored(key)? {
                Some(stored) => return self.revise(&stored, u),
                None => self.known = false,
            }
        }
        if self.insert(u, key, line, bound_same)? {
            self.sum(u, same_group)?;
            return Ok(Write::Inserted);
        }
        self.revise_taken(key, u)
    }

    /// Revises the stored record whose key an insert found taken; the records after it are
    /// looked for in the ledger first (a re-import or an overlapping export).
    fn revise_taken(&mut self, key: &[u8], u: &UsageRecord) -> Result<Write, StoreError> {
        self.known = true;
        let Some(stored) = self.find_stored(key)? else {
            return Err(StoreError::Invalid(
                "a usage record vanished during its import".into(),
            ));
        };
        self.revise(&stored, u)
    }

    /// Adds an inserted record to the daily sums; `same_group`: it belongs to the last
    /// record's group.
    fn sum(&mut self, u: &UsageRecord, same_group: bool) -> Result<(), StoreError> {
        let contribution = Contribution::of(u, &self.day);
        if same_group {
            self.sums.add_to_last_group(&contribution, 1)?;
        } else {
            self.sums.add(&contribution, 1)?;
        }
        self.summed_last = true;
        Ok(())
    }

    /// Inserts the usage records of a batch (each with its key and line, in the order they will
    /// be written) ahead of their turn, [`RECORDS_PER_INSERT`] records a statement: a
    /// statement's run has a fixed cost (cursors opened on the table and its indexes, registers
    /// released), and within one run the index by file finds each new record's place right
    /// after the last one's instead of by a search from its root. Each record's turn then only
    /// adds it to the daily sums ([`UsageWriter::write`]).
    ///
    /// Nothing is inserted ahead while records are found in the ledger already (a re-import
    /// reads them one by one, as before). When a run finds some keys taken, the records it
    /// inserted are told by their file (a key is in a file once), the others are revised in
    /// their turn, and the rest of the batch is written one by one. The records are inserted in
    /// the same order either way, so they get the same ids.
    ///
    /// # Errors
    /// On a SQLite failure.
    pub fn insert_ahead(
        &mut self,
        records: &[(&UsageRecord, &[u8; 16], i64)],
    ) -> Result<(), StoreError> {
        if self.known || !self.ahead.is_done() {
            return Ok(());
        }
        self.ahead = Ahead::default();
        let mut day_of = None;
        let mut day = String::with_capacity(10);
        for run in records.chunks_exact(RECORDS_PER_INSERT) {
            for (record, &(u, key, line)) in run.iter().enumerate() {
                if day_of != u.day || day.is_empty() {
                    day.clear();
                    if let Some(d) = u.day {
                        let _ = write!(day, "{d}");
                    }
                    day_of = u.day;
                }
                bind_record(
                    &mut self.insert_many,
                    &mut self.bound_many,
                    record * INSERT_PARAMS,
                    (u, key.as_slice(), line, &day),
                )?;
            }
            let inserted = self.insert_many.raw_execute()?;
            self.ahead.keys.extend(run.iter().map(|&(_, key, _)| *key));
            if inserted == run.len() {
                self.ahead
                    .inserted
                    .extend(std::iter::repeat_n(true, run.len()));
                continue;
            }
            for &(u, key, _) in run {
                let mine = self.inserted_by_this_file(u, key)?;
                self.ahead.inserted.push(mine);
            }
            break;
        }
        Ok(())
    }

    /// Whether the record with `key` on the day of `u` was written by this file's import.
    fn inserted_by_this_file(
        &mut self,
        u: &UsageRecord,
        key: &[u8; 16],
    ) -> Result<bool, StoreError> {
        let mut day = String::with_capacity(10);
        if let Some(d) = u.day {
            let _ = write!(day, "{d}");
        }
        let file: Option<i64> = self
            .source_of
            .query_row(rusqlite::params![day, key.as_slice()], |r| r.get(0))
            .optional()?;
        Ok(file == Some(self.file_id))
    }

    /// The record of this day with this key, as stored.
    fn find_stored(&mut self, key: &[u8]) -> Result<Option<Stored>, StoreError> {
        Ok(self
            .find
            .query_row(rusqlite::params![self.day, key], Stored::read)
            .optional()?)
    }

    /// Inserts the record unless its key is in the ledger; whether it was inserted. `same`: the
    /// texts bound already, as the last record's.
    fn insert(
        &mut self,
        u: &UsageRecord,
        key: &[u8],
        line: i64,
        same: SameTexts,
    ) -> Result<bool, StoreError> {
        let s = &mut self.insert;
        let b = &mut self.bound;
        s.raw_bind_parameter(1, key)?;
        b.bind(s, 2, u.source_kind, false)?;
        b.bind(s, 3, self.day.as_str(), same.has(DAY))?;
        b.bind(s, 4, u.provider.as_str(), same.has(PROVIDER))?;
        b.bind(s, 5, &u.organization_id, same.has(ORGANIZATION_ID))?;
        b.bind(s, 6, &u.organization_name, same.has(ORGANIZATION_NAME))?;
        b.bind(s, 7, &u.project_id, same.has(PROJECT_ID))?;
        b.bind(s, 8, &u.project_name, same.has(PROJECT_NAME))?;
        b.bind(s, 9, &u.model, same.has(MODEL))?;
        b.bind(s, 10, &u.token_kind, same.has(TOKEN_KIND))?;
        b.bind(s, 11, &u.line_item, same.has(LINE_ITEM))?;
        b.bind(s, 12, &u.api_key_id, same.has(API_KEY_ID))?;
        b.bind(s, 13, &u.api_key_name, same.has(API_KEY_NAME))?;
        b.bind(s, 14, &u.user, same.has(USER))?;
        b.bind(s, 15, &u.extra_dimensions, same.has(DIMENSIONS))?;
        s.raw_bind_parameter(16, u.tokens)?;
        s.raw_bind_parameter(17, u.requests)?;
        s.raw_bind_parameter(18, u.cost.map(Amount::nanos))?;
        b.bind(s, 19, u.currency.as_str(), same.has(CURRENCY))?;
        s.raw_bind_parameter(20, u.cost_text.as_str())?;
        b.bind(s, 21, grain(u), same.has(GRAIN))?;
        s.raw_bind_parameter(23, line)?;
        b.bind(s, 24, u.charge.as_str(), false)?;
        s.raw_bind_parameter(25, u.byok_cost.map(Amount::nanos))?;
        // Every parameter holds this record's value from here, whatever the insert finds.
        self.bound_last = true;
        Ok(s.raw_execute()? == 1)
    }

    /// A record whose key is in the ledger: a duplicate, or a revision written in place.
    fn revise(&mut self, stored: &Stored, u: &UsageRecord) -> Result<Write, StoreError> {
        if stored.same_as(u) {
            return Ok(Write::Duplicate);
        }
        self.update.execute(rusqlite::params![
            stored.id,
            u.cost.map(Amount::nanos),
            u.cost_text,
            u.tokens,
            u.requests,
            u.project_name,
            u.organization_name,
            u.api_key_name,
            u.charge.as_str(),
            u.byok_cost.map(Amount::nanos)
        ])?;
        let before = stored.contribution(
            (&stored.organization_name, &stored.project_name),
            (stored.cost_nanos, stored.tokens),
        );
        let after = stored.contribution(
            (&u.organization_name, &u.project_name),
            (u.cost.map(Amount::nanos), u.tokens),
        );
        self.sums.add(&before, -1)?;
        self.sums.add(&after, 1)?;
        Ok(Write::Updated)
    }

    /// Writes the buffered daily sums.
    ///
    /// # Errors
    /// When a daily sum would overflow, or on a SQLite failure.
    pub fn finish(self, conn: &Connection) -> Result<(), StoreError> {
        self.sums.finish(conn)
    }
}
