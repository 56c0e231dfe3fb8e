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

const INSERT: &str = "INSERT INTO usage(key, fingerprint, source_kind, day, provider, organization_id,
        organization_name, project_id, project_name, model, token_kind, line_item, api_key_id,
        api_key_name, user_ref, dimensions, tokens, requests, cost_nanos, currency, cost_text, grain,
        source_file_id, source_line, charge, byok_cost_nanos)
    VALUES (?1, 0, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19,
        ?20, ?21, ?22, ?23, ?24, ?25)
    ON CONFLICT(day, key) DO NOTHING";
/// The parameter of [`INSERT`] holding the file's id, bound once per file.
const INSERT_FILE_ID: usize = 22;
/// How many parameters [`INSERT`] has.
const INSERT_PARAMS: usize = 25;

const FIND: &str = "SELECT id, cost_nanos, tokens, requests, project_name, organization_name,
        api_key_name, day, provider, organization_id, grain, project_id, model, currency, charge,
        byok_cost_nanos
    FROM usage WHERE day = ?1 AND key = ?2";

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

/// The texts last bound to the parameters of [`INSERT`]. SQLite copies every text it is
/// given, and a file repeats most of a record's names row after row (its provider, organization,
/// currency, the day of a thousand rows), so a text is bound again only when it changed: the
/// statement keeps its bindings from one execution to the next.
struct BoundTexts {
    texts: Vec<Option<String>>,
}

impl BoundTexts {
    fn new() -> Self {
        Self {
            texts: vec![None; INSERT_PARAMS + 1],
        }
    }

    /// Binds `value` to parameter `index` of `statement` unless it is bound already.
    fn bind(
        &mut self,
        statement: &mut Statement<'_>,
        index: usize,
        value: &str,
    ) -> Result<(), StoreError> {
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

/// The usage half of one file's import.
pub(super) struct UsageWriter<'conn> {
    insert: Statement<'conn>,
    bound: BoundTexts,
    find: Statement<'conn>,
    update: Statement<'conn>,
    sums: DailySums<'conn>,
    /// Whether the last record was already in the ledger.
    known: bool,
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
        Ok(Self {
            insert,
            find: conn.prepare(FIND)?,
            update: conn.prepare(UPDATE)?,
            bound: BoundTexts::new(),
            sums: DailySums::new(conn)?,
            known: false,
            day_of: None,
            day: String::with_capacity(10),
        })
    }

    /// Writes one record with its key, read from `line` of the file.
    ///
    /// # Errors
    /// When a daily sum would overflow, or on a SQLite failure.
    pub fn write(&mut self, u: &UsageRecord, key: &[u8], line: i64) -> Result<Write, StoreError> {
        if self.day_of != u.day || self.day.is_empty() {
            self.day.clear();
            if let Some(day) = u.day {
                let _ = write!(self.day, "{day}");
            }
            self.day_of = u.day;
        }
        if self.known {
            match self.find_stored(key)? {
                Some(stored) => return self.revise(&stored, u),
                None => self.known = false,
            }
        }
        if self.insert(u, key, line)? {
            self.sums.add(&Contribution::of(u, &self.day), 1)?;
            return Ok(Write::Inserted);
        }
        self.known = true;
        let Some(stored) = self.find_stored(key)? else {
            return Err(StoreError::Invalid(
                "a usage record vanished during its import".into(),
            ));
        };
        self.revise(&stored, u)
    }

    /// The record of this day with this key, as stored.
    fn find_stored(&mut self, key: &[u8]) -> Result<Option<Stored>, StoreError> {
        Ok(self
            .find
            .query_row(rusqlite::params![self.day, key], Stored::read)
            .optional()?)
    }

    /// Inserts the record unless its key is in the ledger; whether it was inserted.
    fn insert(&mut self, u: &UsageRecord, key: &[u8], line: i64) -> Result<bool, StoreError> {
        let s = &mut self.insert;
        let b = &mut self.bound;
        s.raw_bind_parameter(1, key)?;
        b.bind(s, 2, u.source_kind)?;
        b.bind(s, 3, self.day.as_str())?;
        b.bind(s, 4, u.provider.as_str())?;
        b.bind(s, 5, u.organization_id.as_str())?;
        b.bind(s, 6, u.organization_name.as_str())?;
        b.bind(s, 7, u.project_id.as_str())?;
        b.bind(s, 8, u.project_name.as_str())?;
        b.bind(s, 9, u.model.as_str())?;
        b.bind(s, 10, u.token_kind.as_str())?;
        b.bind(s, 11, u.line_item.as_str())?;
        b.bind(s, 12, u.api_key_id.as_str())?;
        b.bind(s, 13, u.api_key_name.as_str())?;
        b.bind(s, 14, u.user.as_str())?;
        b.bind(s, 15, u.extra_dimensions.as_str())?;
        s.raw_bind_parameter(16, u.tokens)?;
        s.raw_bind_parameter(17, u.requests)?;
        s.raw_bind_parameter(18, u.cost.map(Amount::nanos))?;
        b.bind(s, 19, u.currency.as_str())?;
        s.raw_bind_parameter(20, u.cost_text.as_str())?;
        b.bind(s, 21, u.grain.unwrap_or(UsageGrain::Detail).as_str())?;
        s.raw_bind_parameter(23, line)?;
        b.bind(s, 24, u.charge.as_str())?;
        s.raw_bind_parameter(25, u.byok_cost.map(Amount::nanos))?;
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
