//! The daily usage sums (`usage_daily`, migration 8) and the combinations of names they hold
//! (`usage_dimensions`), kept in step with the usage records.
//!
//! A group is one day, provider, organization (id and name), project (id and name), model,
//! currency and grain; it holds how many usage records it has, how many of them have a cost, and
//! the sums of their costs and tokens. Every change to `usage` changes the sums in the same
//! transaction: an import adds each record it writes (and moves a revised record from its old
//! sums to its new ones) through a [`DailySums`] buffer, undo and merge add or subtract the
//! records they touch in one `INSERT .. SELECT .. GROUP BY`. A group whose count falls to zero is
//! removed, so the table always equals the aggregation of `usage` (a property test checks it
//! after any sequence of imports, undos and merges). `usage_dimensions` counts the records of
//! each combination of provider, organization, project, model, currency and grain whatever the
//! day, and changes by the same records.
//!
//! Which groups count toward totals is not decided here: the `usage_counted` view (migration 8)
//! holds that rule. Sums are exact integers; the table is STRICT, so a sum beyond 64 bits is an
//! error ([`StoreError::Overflow`]), never a float. The buffer holds at most [`FLUSH_GROUPS`]
//! groups before it writes them out, so its memory does not grow with the file, and is written
//! out sooner, at a new day, once it holds [`FLUSH_GROUPS_AT_NEW_DAY`].

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use rusqlite::{Connection, Statement};

use super::StoreError;
use super::sql::overflow;
use super::usage_writer::BoundTexts;
use crate::domain::money::Amount;
use crate::domain::records::UsageRecord;

/// The most groups the buffer holds before it writes them to the table.
const FLUSH_GROUPS: usize = 32_768;

/// The groups from which the buffer is written when a record of another day arrives. An export
/// lists its days in order, so the groups of the days before are complete: writing a few days at
/// a time keeps each write short, and the import's reading thread, which can run only a few
/// thousand rows ahead, never waits long for it.
const FLUSH_GROUPS_AT_NEW_DAY: usize = 2_048;

/// The daily sums' columns: a group's names, then what it adds.
const DAILY_COLUMNS: &str = "INSERT INTO usage_daily(day, provider, organization_id, grain,
        organization_name, project_id, project_name, model, currency, records, cost_records,
        cost_nanos, tokens)";

/// How many values a group of the daily sums is written with ([`DAILY_COLUMNS`]).
const DAILY_WIDTH: usize = 13;

/// A project day's columns (the daily sums without the model).
const PROJECT_COLUMNS: &str = "INSERT INTO usage_project_daily(day, provider, organization_id,
        grain, organization_name, project_id, project_name, currency, records, cost_records,
        cost_nanos, tokens)";

/// How many values a project day is written with ([`PROJECT_COLUMNS`]).
const PROJECT_WIDTH: usize = 12;

/// Adds a group's change to its sums (a new group starts from the change).
const ADD_TO_SUMS: &str = "ON CONFLICT DO UPDATE SET records = records + excluded.records,
        cost_records = cost_records + excluded.cost_records,
        cost_nanos = cost_nanos + excluded.cost_nanos, tokens = tokens + excluded.tokens";

/// Groups written by one run of the many-group upsert.
///
/// A statement run has a fixed cost (its cursors opened, its registers released) and starts
/// its search for a group at the table's root; within one run, a group that comes after the
/// last one written, as a new day's groups in the table's order do, is found next to it. So
/// the buffer is written this many groups a statement; the few left over one by one.
const GROUPS_PER_UPSERT: usize = 64;

/// Adds records to one combination of names.
const UPSERT_DIMENSIONS: &str = "INSERT INTO usage_dimensions(provider, organization_id, grain,
        organization_name, project_id, project_name, model, currency, records)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
    ON CONFLICT DO UPDATE SET records = records + excluded.records";

/// The upsert of `groups` groups into the table `columns` names, each of `width` values: the
/// parameters of a group follow those of the one before it (`?1` to `?13` for the first group
/// of the daily sums, `?14` to `?26` for the second). The text is made of the constants above and
/// numbers alone, once per import.
fn upsert_sql(columns: &str, width: usize, groups: usize) -> String {
    let mut sql = String::with_capacity(columns.len() + ADD_TO_SUMS.len() + groups * width * 6);
    sql.push_str(columns);
    sql.push_str(" VALUES ");
    super::sql::push_parameter_rows(&mut sql, groups, width, "");
    sql.push(' ');
    sql.push_str(ADD_TO_SUMS);
    sql
}

/// The groups and combinations whose records are all gone.
const PRUNE: &str = "DELETE FROM usage_daily WHERE records = 0;
    DELETE FROM usage_project_daily WHERE records = 0;
    DELETE FROM usage_dimensions WHERE records = 0;";

/// One usage record as the sums see it: its group and what it adds.
#[derive(Debug, Clone, Copy)]
pub(super) struct Contribution<'a> {
    pub day: &'a str,
    pub provider: &'a str,
    pub organization_id: &'a str,
    pub grain: &'a str,
    pub organization_name: &'a str,
    pub project_id: &'a str,
    pub project_name: &'a str,
    pub model: &'a str,
    pub currency: &'a str,
    pub cost_nanos: Option<i64>,
    pub tokens: Option<i64>,
}

impl<'a> Contribution<'a> {
    /// What `record`, stored on `day`, adds.
    pub fn of(record: &'a UsageRecord, day: &'a str) -> Self {
        Self {
            day,
            provider: &record.provider,
            organization_id: &record.organization_id,
            grain: super::usage_writer::grain(record),
            organization_name: &record.organization_name,
            project_id: &record.project_id,
            project_name: &record.project_name,
            model: &record.model,
            currency: record.currency.as_str(),
            cost_nanos: record.cost.map(Amount::nanos),
            tokens: record.tokens,
        }
    }

    fn fields(&self) -> [&'a str; 9] {
        [
            self.day,
            self.provider,
            self.organization_id,
            self.grain,
            self.organization_name,
            self.project_id,
            self.project_name,
            self.model,
            self.currency,
        ]
    }
}

/// The change of one group: records, records with a cost, cost, tokens.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Change {
    records: i64,
    cost_records: i64,
    cost_nanos: i64,
    tokens: i64,
}

impl Change {
    /// What the upserts bind after a group's names: records, records with a cost, cost, tokens.
    fn values(self) -> [i64; 4] {
        [
            self.records,
            self.cost_records,
            self.cost_nanos,
            self.tokens,
        ]
    }

    /// Adds another group's change.
    fn merge(&mut self, other: Self) -> Result<(), StoreError> {
        let add = |a: i64, b: i64| a.checked_add(b).ok_or(StoreError::Overflow);
        self.records = add(self.records, other.records)?;
        self.cost_records = add(self.cost_records, other.cost_records)?;
        self.cost_nanos = add(self.cost_nanos, other.cost_nanos)?;
        self.tokens = add(self.tokens, other.tokens)?;
        Ok(())
    }

    fn add(&mut self, c: &Contribution<'_>, sign: i64) -> Result<(), StoreError> {
        let add = |sum: i64, value: i64| {
            value
                .checked_mul(sign)
                .and_then(|v| sum.checked_add(v))
                .ok_or(StoreError::Overflow)
        };
        self.records = add(self.records, 1)?;
        self.cost_records = add(self.cost_records, i64::from(c.cost_nanos.is_some()))?;
        self.cost_nanos = add(self.cost_nanos, c.cost_nanos.unwrap_or(0))?;
        self.tokens = add(self.tokens, c.tokens.unwrap_or(0))?;
        Ok(())
    }
}

/// `FxHash` (the compiler's own): groups are looked up once a record, and their keys are ours,
/// not an attacker's, so a fast hash beats a keyed one.
#[derive(Default)]
pub(super) struct FxHasher(u64);

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(word)).wrapping_mul(SEED);
        }
        for &byte in chunks.remainder() {
            self.0 = (self.0.rotate_left(5) ^ u64::from(byte)).wrapping_mul(SEED);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// The changes an import makes to the daily sums, buffered by group and written in batches.
pub(super) struct DailySums<'conn> {
    changes: HashMap<Vec<u8>, Change, BuildHasherDefault<FxHasher>>,
    /// What the written groups did to each combination of names, whatever the day (keyed by a
    /// group key's bytes after the day), held until [`DailySums::finish`]: an export repeats
    /// its few hundred combinations every day, so they are written once per file instead of
    /// once per batch of days.
    dimensions: HashMap<Vec<u8>, i64, BuildHasherDefault<FxHasher>>,
    /// The group key of the record being added, reused so a record allocates nothing.
    scratch: Vec<u8>,
    /// Upserts of one group, of [`GROUPS_PER_UPSERT`] groups; and the same for project days.
    upsert: Statement<'conn>,
    upsert_many: Statement<'conn>,
    /// The names bound to `upsert`, to `upsert_many`, and so on.
    upsert_names: BoundTexts,
    many_names: BoundTexts,
    upsert_projects: Statement<'conn>,
    projects_many: Statement<'conn>,
    projects_names: BoundTexts,
    projects_many_names: BoundTexts,
    upsert_dimensions: Statement<'conn>,
    /// Whether a group may have lost records (a revised record moved out of it).
    shrank: bool,
    /// The day of the last record added.
    day: String,
}

/// Adds `change` to the sums of the group `names` with `upsert` (the one-group upsert of the
/// daily sums or of the project days: the names, then [`Change::values`]), whose
/// names bound so far are in `bound`. Groups are written in order, so most of a group's names
/// (its day, organization, project) are the last group's and are not bound again.
fn write_change(
    upsert: &mut Statement<'_>,
    bound: &mut BoundTexts,
    names: &[&str],
    change: Change,
) -> Result<(), StoreError> {
    for (index, name) in names.iter().enumerate() {
        bound.bind(upsert, index + 1, name, false)?;
    }
    for (index, value) in change.values().iter().enumerate() {
        upsert.raw_bind_parameter(names.len() + index + 1, value)?;
    }
    upsert.raw_execute().map_err(overflow)?;
    Ok(())
}

/// Writes the fields of a group as its key: each field's length, then its bytes.
fn encode(fields: &[&str; 9], out: &mut Vec<u8>) {
    out.clear();
    for field in fields {
        let len = u32::try_from(field.len()).unwrap_or(u32::MAX);
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(field.as_bytes());
    }
}

/// The project's day of a group: its fields without the model.
fn project_of<'a>(f: &[&'a str; 9]) -> [&'a str; 8] {
    let [
        day,
        provider,
        org_id,
        grain,
        org_name,
        project_id,
        project_name,
        _model,
        currency,
    ] = *f;
    [
        day,
        provider,
        org_id,
        grain,
        org_name,
        project_id,
        project_name,
        currency,
    ]
}

/// Adds the changes of `groups` to their sums: [`GROUPS_PER_UPSERT`] groups at a time with
/// the `many` upsert, the rest one by one with the `one` upsert, each with the names bound to
/// it so far. A name is bound only when it differs from the one its parameter holds: the
/// groups of one run are often those of the same day and organization as the last run's.
fn write_groups<const N: usize>(
    one: (&mut Statement<'_>, &mut BoundTexts),
    many: (&mut Statement<'_>, &mut BoundTexts),
    groups: &[([&str; N], Change)],
) -> Result<(), StoreError> {
    let (many, many_bound) = many;
    let mut runs = groups.chunks_exact(GROUPS_PER_UPSERT);
    for run in &mut runs {
        let mut index = 0;
        for (names, change) in run {
            for name in names {
                index += 1;
                many_bound.bind(many, index, name, false)?;
            }
            for value in change.values() {
                index += 1;
                many.raw_bind_parameter(index, value)?;
            }
        }
        many.raw_execute().map_err(overflow)?;
    }
    let (one, bound) = one;
    for (names, change) in runs.remainder() {
        write_change(one, bound, names, *change)?;
    }
    Ok(())
}

/// The `N` fields of a group key written by [`encode`] (or of its end: the key after its day
/// holds the 8 names of a combination).
fn decode<const N: usize>(key: &[u8]) -> Option<[&str; N]> {
    // Names shorter than 128 bytes (nearly all) have lengths of ASCII bytes, and the whole key
    // is then UTF-8: checked once, and each name taken from it where it starts and ends between
    // characters.
    let whole = std::str::from_utf8(key).ok();
    let mut fields = [""; N];
    let mut rest = key;
    for field in &mut fields {
        let (len, tail) = rest.split_first_chunk::<4>()?;
        let len = usize::try_from(u32::from_le_bytes(*len)).ok()?;
        let start = key.len() - tail.len();
        let (text, tail) = tail.split_at_checked(len)?;
        *field = match whole.and_then(|w| w.get(start..start + len)) {
            Some(name) => name,
            None => std::str::from_utf8(text).ok()?,
        };
        rest = tail;
    }
    Some(fields)
}

impl<'conn> DailySums<'conn> {
    /// A buffer writing to the ledger open in `conn` (inside the caller's transaction).
    ///
    /// # Errors
    /// On a SQLite failure.
    pub fn new(conn: &'conn Connection) -> Result<Self, StoreError> {
        Ok(Self {
            changes: HashMap::default(),
            dimensions: HashMap::default(),
            scratch: Vec::with_capacity(256),
            upsert: conn.prepare(&upsert_sql(DAILY_COLUMNS, DAILY_WIDTH, 1))?,
            upsert_many: conn.prepare(&upsert_sql(
                DAILY_COLUMNS,
                DAILY_WIDTH,
                GROUPS_PER_UPSERT,
            ))?,
            upsert_names: BoundTexts::new(9),
            many_names: BoundTexts::new(DAILY_WIDTH * GROUPS_PER_UPSERT),
            upsert_projects: conn.prepare(&upsert_sql(PROJECT_COLUMNS, PROJECT_WIDTH, 1))?,
            projects_many: conn.prepare(&upsert_sql(
                PROJECT_COLUMNS,
                PROJECT_WIDTH,
                GROUPS_PER_UPSERT,
            ))?,
            projects_names: BoundTexts::new(8),
            projects_many_names: BoundTexts::new(PROJECT_WIDTH * GROUPS_PER_UPSERT),
            upsert_dimensions: conn.prepare(UPSERT_DIMENSIONS)?,
            shrank: false,
            day: String::with_capacity(10),
        })
    }

    /// Adds a record to its group's sums (`sign` 1), or takes it out (`sign` -1).
    ///
    /// # Errors
    /// When a sum would overflow, or on a SQLite failure while writing a full buffer.
    pub fn add(&mut self, c: &Contribution<'_>, sign: i64) -> Result<(), StoreError> {
        if self.day != c.day {
            if self.changes.len() >= FLUSH_GROUPS_AT_NEW_DAY {
                self.flush()?;
            }
            self.day.clear();
            self.day.push_str(c.day);
        }
        encode(&c.fields(), &mut self.scratch);
        self.add_to_scratch(c, sign)
    }

    /// Adds a record of the group of the contribution added last, whose key is at hand: its
    /// names are not read again.
    ///
    /// # Errors
    /// As [`DailySums::add`].
    pub fn add_to_last_group(&mut self, c: &Contribution<'_>, sign: i64) -> Result<(), StoreError> {
        debug_assert!(
            {
                let mut key = Vec::new();
                encode(&c.fields(), &mut key);
                key == self.scratch
            },
            "a record said to be of the last group is not"
        );
        self.add_to_scratch(c, sign)
    }

    /// Adds a record to the group whose key is in `scratch`.
    fn add_to_scratch(&mut self, c: &Contribution<'_>, sign: i64) -> Result<(), StoreError> {
        if let Some(change) = self.changes.get_mut(self.scratch.as_slice()) {
            change.add(c, sign)?;
        } else {
            let mut change = Change::default();
            change.add(c, sign)?;
            self.changes.insert(self.scratch.clone(), change);
        }
        if sign < 0 {
            self.shrank = true;
        }
        if self.changes.len() >= FLUSH_GROUPS {
            self.flush()?;
        }
        Ok(())
    }

    /// Writes the buffered changes to the table.
    ///
    /// # Errors
    /// When a sum would overflow, or on a SQLite failure.
    pub fn flush(&mut self) -> Result<(), StoreError> {
        // In the table's own order: a group's names one after another, each compared byte by
        // byte as SQLite compares text. An import's new days come after the ledger's, so each
        // group lands right after the last one written, where a run of the many-group upsert
        // finds its place without a search from the table's root.
        let mut groups: Vec<([&str; 9], &[u8], Change)> = self
            .changes
            .iter()
            .filter(|(_, change)| **change != Change::default())
            .filter_map(|(key, change)| Some((decode::<9>(key)?, key.as_slice(), *change)))
            .collect();
        groups.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        // And to each project's day, whatever the model. The model comes after the project in a
        // group's names, so the sorted groups of one project's day follow each other: a run of
        // them is summed and written once. (A run broken by another currency is written in
        // parts, which the upsert adds up.)
        let mut daily: Vec<([&str; 9], Change)> = Vec::with_capacity(groups.len());
        let mut projects: Vec<([&str; 8], Change)> = Vec::new();
        for (f, key, change) in groups {
            let names = key.get(4 + f[0].len()..).unwrap_or_default();
            if let Some(records) = self.dimensions.get_mut(names) {
                *records = records
                    .checked_add(change.records)
                    .ok_or(StoreError::Overflow)?;
            } else {
                self.dimensions.insert(names.to_vec(), change.records);
            }
            daily.push((f, change));
            let this = project_of(&f);
            match projects.last_mut() {
                Some((names, sum)) if *names == this => sum.merge(change)?,
                _ => projects.push((this, change)),
            }
        }
        // A project day whose changes cancel out changes nothing.
        projects.retain(|(_, change)| *change != Change::default());
        write_groups(
            (&mut self.upsert, &mut self.upsert_names),
            (&mut self.upsert_many, &mut self.many_names),
            &daily,
        )?;
        write_groups(
            (&mut self.upsert_projects, &mut self.projects_names),
            (&mut self.projects_many, &mut self.projects_many_names),
            &projects,
        )?;
        self.changes.clear();
        if self.dimensions.len() >= FLUSH_GROUPS {
            self.write_dimensions()?;
        }
        Ok(())
    }

    /// Writes the held changes of the combinations of names.
    fn write_dimensions(&mut self) -> Result<(), StoreError> {
        for (names, records) in self.dimensions.drain() {
            if records == 0 {
                continue;
            }
            let Some(f) = decode::<8>(&names) else {
                continue;
            };
            self.upsert_dimensions.execute(rusqlite::params![
                f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7], records
            ])?;
        }
        Ok(())
    }

    /// Writes what is buffered and removes the groups left without records.
    ///
    /// # Errors
    /// When a sum would overflow, or on a SQLite failure.
    pub fn finish(mut self, conn: &Connection) -> Result<(), StoreError> {
        self.flush()?;
        self.write_dimensions()?;
        if self.shrank {
            conn.execute_batch(PRUNE)?;
        }
        Ok(())
    }
}

/// Adds (`sign` 1) or subtracts (`sign` -1) the usage records `filter` picks to the sums, in one
/// statement. `filter` is a fixed condition on `usage` (never user text) whose parameters are
/// `?1`, `?2`, ...; the sign is bound after them.
///
/// # Errors
/// When a sum would overflow, or on a SQLite failure.
pub(super) fn add_records(
    conn: &Connection,
    filter: &str,
    params: &[&dyn rusqlite::ToSql],
    sign: i64,
) -> Result<(), StoreError> {
    let sign_param = params.len() + 1;
    let sql = format!(
        "INSERT INTO usage_daily(day, provider, organization_id, grain, organization_name,
             project_id, project_name, model, currency, records, cost_records, cost_nanos, tokens)
         SELECT day, provider, organization_id, grain, organization_name, project_id,
             project_name, model, currency, ?{sign_param} * count(*),
             ?{sign_param} * count(cost_nanos), ?{sign_param} * coalesce(sum(cost_nanos), 0),
             ?{sign_param} * coalesce(sum(tokens), 0)
         FROM usage WHERE {filter}
         GROUP BY day, provider, organization_id, grain, organization_name, project_id,
             project_name, model, currency
         ON CONFLICT DO UPDATE SET records = records + excluded.records,
             cost_records = cost_records + excluded.cost_records,
             cost_nanos = cost_nanos + excluded.cost_nanos, tokens = tokens + excluded.tokens"
    );
    let projects = format!(
        "INSERT INTO usage_project_daily(day, provider, organization_id, grain, organization_name,
             project_id, project_name, currency, records, cost_records, cost_nanos, tokens)
         SELECT day, provider, organization_id, grain, organization_name, project_id,
             project_name, currency, ?{sign_param} * count(*),
             ?{sign_param} * count(cost_nanos), ?{sign_param} * coalesce(sum(cost_nanos), 0),
             ?{sign_param} * coalesce(sum(tokens), 0)
         FROM usage WHERE {filter}
         GROUP BY day, provider, organization_id, grain, organization_name, project_id,
             project_name, currency
         ON CONFLICT DO UPDATE SET records = records + excluded.records,
             cost_records = cost_records + excluded.cost_records,
             cost_nanos = cost_nanos + excluded.cost_nanos, tokens = tokens + excluded.tokens"
    );
    let dimensions = format!(
        "INSERT INTO usage_dimensions(provider, organization_id, grain, organization_name,
             project_id, project_name, model, currency, records)
         SELECT provider, organization_id, grain, organization_name, project_id, project_name,
             model, currency, ?{sign_param} * count(*)
         FROM usage WHERE {filter}
         GROUP BY provider, organization_id, grain, organization_name, project_id, project_name,
             model, currency
         ON CONFLICT DO UPDATE SET records = records + excluded.records"
    );
    let mut all: Vec<&dyn rusqlite::ToSql> = params.to_vec();
    all.push(&sign);
    for sql in [sql, projects, dimensions] {
        conn.prepare_cached(&sql)?
            .execute(all.as_slice())
            .map_err(overflow)?;
    }
    if sign < 0 {
        conn.execute_batch(PRUNE)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_keys_round_trip_whatever_the_text() {
        let fields = [
            "2026-10-01",
            "openai",
            "",
            "detail",
            "a\0b",
            "p|q",
            "",
            "é",
            "USD",
        ];
        let mut key = Vec::new();
        encode(&fields, &mut key);
        assert_eq!(decode::<9>(&key), Some(fields));
        assert_eq!(decode::<9>(&key[..key.len() - 1]), None);
    }
}

#[cfg(test)]
#[path = "rollup_props.rs"]
mod props;
