//! The ledger on disk: the only module that names rusqlite.
//!
//! [`Store::open`] (in `open.rs`) creates the file private to its owner (mode 0600), checks it
//! is a burnrate ledger before writing a byte, sets the pragmas (WAL, synchronous, foreign
//! keys, waiting for other writers) and brings the schema to the latest version with the
//! append-only migrations in `store/migrations/`, one step per `PRAGMA user_version`, in one
//! exclusive transaction. A ledger written by a newer burnrate is refused rather than guessed
//! at; one that cannot be written opens read-only. Every write bumps a revision counter that
//! views use to know when to rebuild.

mod agents;
mod anchors;
mod billing;
mod fingerprint;
mod groups;
mod import;
mod ledger_view;
pub mod merge;
mod occurrences;
mod open;
mod private_file;
mod query;
mod reader;
mod receipts;
mod review_view;
mod rollup;
mod sql;
mod sql_types;
mod usage_writer;
mod views;

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OptionalExtension, params};

pub use self::agents::{
    AgentContext, AgentLogFile, AgentTotals, LimitDay, PlanKind, PlanSetting, RepriceReport,
    SubscriptionRow, UnpricedModel, ValueGroup, ValueRow,
};
pub use self::anchors::StoredCheckpoint;
pub use self::import::{
    ImportMode, ImportProblem, ImportReport, Progress, ReceiptTally, SourceMeta,
};

pub use self::ledger_view::{BudgetSetting, DismissedFlag, EvidenceRecord};
pub use self::open::{APPLICATION_ID, Notice, set_notice_hook};
pub use self::private_file::write_private;
pub use self::query::{CreditGroup, Period, ReportKind, ReportRow, SourceFileRow, UsageGroup};
use crate::domain::import::BankMapping;
use crate::domain::merchants::MerchantRule;
pub use crate::domain::money::Money;
use crate::domain::records::SpendKind;
pub use crate::domain::views::{
    BankRow, BillingRow, Bucket, CostSeries, KeyFigures, Series, SeriesGroup, Totals, UsageRow,
    bucket_start,
};

/// The schema steps, in order; `MIGRATIONS[n]` takes a ledger from version `n` to `n + 1`.
const MIGRATIONS: &[&str] = &[
    include_str!("migrations/0001_ledger.sql"),
    include_str!("migrations/0002_flags.sql"),
    include_str!("migrations/0003_matches.sql"),
    include_str!("migrations/0004_receipts.sql"),
    include_str!("migrations/0005_agent_usage.sql"),
    include_str!("migrations/0006_anchors.sql"),
    include_str!("migrations/0007_usage_charge.sql"),
    include_str!("migrations/0008_usage_daily.sql"),
    include_str!("migrations/0009_usage_project_daily.sql"),
    include_str!("migrations/0010_bank_indexes.sql"),
];

/// The schema version this build writes.
#[expect(
    clippy::cast_possible_wrap,
    reason = "a handful of migrations, far below i64::MAX"
)]
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// What can go wrong with the ledger file.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "this ledger was written by a newer burnrate (schema version {found}, this burnrate knows up to {supported}); update burnrate to open it: {path}"
    )]
    TooNew {
        found: i64,
        supported: i64,
        path: String,
    },
    #[error("the ledger could not be opened or written ({source}): {path}")]
    Open {
        source: rusqlite::Error,
        path: String,
    },
    #[error("could not create the ledger's folder ({source}): {path}")]
    Folder {
        source: std::io::Error,
        path: String,
    },
    #[error(
        "burnrate did not open this file because {reason}; it left the file untouched. Give the path of a burnrate ledger (or a new file name) with --db: {path}"
    )]
    NotALedger { reason: String, path: String },
    #[error(
        "this ledger is read-only (its file or folder cannot be written), so nothing can be changed; to change it, copy it to a folder you can write and open the copy with --db"
    )]
    ReadOnly,
    #[error(
        "this ledger was written by an older burnrate (schema version {found}) and must be upgraded before it can be read, but it cannot be written here; copy it to a folder you can write and open the copy with --db: {path}"
    )]
    ReadOnlyTooOld { found: i64, path: String },
    #[error(
        "could not keep a copy of the ledger before upgrading it ({reason}), so it was not upgraded: {path}"
    )]
    Backup { reason: String, path: String },
    #[error("ledger error: {0}")]
    Sql(rusqlite::Error),
    #[error("a total is too large to add up exactly")]
    Overflow,
    #[error("{0}")]
    Invalid(String),
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        if e.sqlite_error_code() == Some(rusqlite::ErrorCode::ReadOnly) {
            StoreError::ReadOnly
        } else {
            StoreError::Sql(e)
        }
    }
}

/// An open ledger.
pub struct Store {
    conn: Connection,
    path: PathBuf,
    read_only: bool,
}

/// The default ledger location: `BURNRATE_DB` when set, else the platform data directory
/// (`~/.local/share/burnrate/ledger.sqlite` on Linux).
pub fn default_path() -> PathBuf {
    if let Some(p) = std::env::var_os("BURNRATE_DB").filter(|p| !p.is_empty()) {
        return PathBuf::from(p);
    }
    dirs::data_dir()
        .unwrap_or_else(|| PathBuf::from("."))
        .join("burnrate")
        .join("ledger.sqlite")
}

impl Store {
    /// Opens (creating when absent) the ledger at `path`. A ledger that exists but cannot be
    /// written opens read-only ([`Store::is_read_only`]); see `store::open` for every step.
    ///
    /// # Errors
    /// When the file cannot be created or opened, is not a ledger (another program's database
    /// is refused untouched), or was written by a newer burnrate.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let opened = open::open(path)?;
        Ok(Self {
            conn: opened.conn,
            path: path.to_path_buf(),
            read_only: opened.read_only,
        })
    }

    /// Opens a throw-away ledger in memory (tests and previews).
    ///
    /// # Errors
    /// When SQLite cannot create it.
    pub fn open_in_memory() -> Result<Self, StoreError> {
        let mut conn = Connection::open_in_memory()?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        let path = PathBuf::from(":memory:");
        open::migrate(&mut conn, &path)?;
        Ok(Self {
            conn,
            path,
            read_only: false,
        })
    }

    /// A second, read-only connection to the same ledger file, for reading on another thread;
    /// `None` for a ledger in memory, or when the file cannot be opened again.
    fn sibling(&self) -> Option<Self> {
        if self.path.as_os_str() == ":memory:" {
            return None;
        }
        let conn = open::sibling(&self.path).ok()?;
        Some(Self {
            conn,
            path: self.path.clone(),
            read_only: true,
        })
    }

    /// Whether the ledger was opened read-only because it cannot be written: reading works,
    /// every change fails with [`StoreError::ReadOnly`].
    pub fn is_read_only(&self) -> bool {
        self.read_only
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The schema version of the open ledger.
    ///
    /// # Errors
    /// On a SQLite failure.
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))?)
    }

    /// SQLite's `data_version` of this connection: it changes when another connection (another
    /// burnrate, the command line) commits to the ledger. Cheap: no table is read.
    ///
    /// # Errors
    /// On a SQLite failure.
    pub fn data_version(&self) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .query_row("PRAGMA data_version", [], |r| r.get(0))?)
    }

    /// A number that changes whenever the ledger's data changes (views rebuild on change).
    ///
    /// # Errors
    /// On a SQLite failure.
    pub fn revision(&self) -> Result<i64, StoreError> {
        Ok(self
            .setting("revision")?
            .and_then(|v| v.parse().ok())
            .unwrap_or(0))
    }

    fn bump_revision(conn: &Connection) -> Result<(), StoreError> {
        conn.execute(
            "INSERT INTO settings(key, value) VALUES ('revision', '1')
             ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1",
            [],
        )?;
        Ok(())
    }

    /// A stored setting.
    ///
    /// # Errors
    /// On a SQLite failure.
    pub fn setting(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .prepare_cached("SELECT value FROM settings WHERE key = ?1")?
            .query_row([key], |r| r.get(0))
            .optional()?)
    }

    /// Stores a setting.
    ///
    /// # Errors
    /// On a SQLite failure.
    pub fn set_setting(&self, key: &str, value: &str) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO settings(key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            params![key, value],
        )?;
        Self::bump_revision(&self.conn)
    }

    /// The user's merchant rules, oldest first.
    ///
    /// # Errors
    /// On a SQLite failure.
    pub fn merchant_rules(&self) -> Result<Vec<MerchantRule>, StoreError> {
        rules_in(&self.conn)
    }

    /// Adds (or replaces) a merchant rule and re-tags every bank line with the new rule set,
    /// in one transaction (the rule is never stored without its tags, nor the tags without it).
    ///
    /// # Errors
    /// On a SQLite failure.
    pub fn add_merchant_rule(
        &mut self,
        rule: &MerchantRule,
        now: &str,
    ) -> Result<usize, StoreError> {
        if rule.pattern.trim().is_empty() || rule.provider.trim().is_empty() {
            return Err(StoreError::Invalid(
                "a rule needs a pattern and a provider".into(),
            ));
        }
        let tx = self.conn.transaction()?;
        tx.execute(
            "INSERT INTO merchant_rules(pattern, provider, spend_kind, created_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT(pattern) DO UPDATE SET provider = excluded.provider, spend_kind = excluded.spend_kind",
            params![rule.pattern.trim(), rule.provider.trim().to_lowercase(), rule.kind.as_str(), now],
        )?;
        let changed = retag_in(&tx)?;
        Self::bump_revision(&tx)?;
        tx.commit()?;
        Ok(changed)
    }

    /// Removes a merchant rule by pattern and re-tags, in one transaction.
    ///
    /// # Errors
    /// On a SQLite failure.
    pub fn remove_merchant_rule(&mut self, pattern: &str) -> Result<bool, StoreError> {
        let tx = self.conn.transaction()?;
        let n = tx.execute(
            "DELETE FROM merchant_rules WHERE pattern = ?1",
            [pattern.trim()],
        )?;
        retag_in(&tx)?;
        Self::bump_revision(&tx)?;
        tx.commit()?;
        Ok(n > 0)
    }

    /// Tags every bank line again with the current rules; returns how many lines changed.
    ///
    /// # Errors
    /// On a SQLite failure.
    pub fn retag_bank_lines(&mut self) -> Result<usize, StoreError> {
        let tx = self.conn.transaction()?;
        let changed = retag_in(&tx)?;
        Self::bump_revision(&tx)?;
        tx.commit()?;
        Ok(changed)
    }

    /// The saved column mapping for files with this header signature.
    ///
    /// # Errors
    /// On a SQLite failure or a damaged stored mapping.
    pub fn bank_mapping(&self, header_signature: &str) -> Result<Option<BankMapping>, StoreError> {
        let json: Option<String> = self
            .conn
            .prepare_cached("SELECT mapping_json FROM bank_mappings WHERE header_signature = ?1")?
            .query_row([header_signature], |r| r.get(0))
            .optional()?;
        json.map(|j| {
            serde_json::from_str(&j)
                .map_err(|e| StoreError::Invalid(format!("a saved column mapping is damaged: {e}")))
        })
        .transpose()
    }

    /// Saves a column mapping for files with this header signature.
    ///
    /// # Errors
    /// On a SQLite failure.
    pub fn save_bank_mapping(
        &self,
        header_signature: &str,
        mapping: &BankMapping,
        now: &str,
    ) -> Result<(), StoreError> {
        let json =
            serde_json::to_string(mapping).map_err(|e| StoreError::Invalid(e.to_string()))?;
        self.conn.execute(
            "INSERT INTO bank_mappings(header_signature, mapping_json, created_at) VALUES (?1, ?2, ?3)
             ON CONFLICT(header_signature) DO UPDATE SET mapping_json = excluded.mapping_json",
            params![header_signature, json, now],
        )?;
        Ok(())
    }

    /// Counts of records by kind: (usage, billing, bank lines, rates).
    ///
    /// # Errors
    /// On a SQLite failure.
    pub fn counts(&self) -> Result<(i64, i64, i64, i64), StoreError> {
        let q = |sql: &str| -> Result<i64, StoreError> {
            Ok(self.conn.query_row(sql, [], |r| r.get(0))?)
        };
        Ok((
            q("SELECT count(*) FROM usage")?,
            q("SELECT count(*) FROM billing")?,
            q("SELECT count(*) FROM bank_lines")?,
            q("SELECT count(*) FROM fx_rates")?,
        ))
    }

    pub(crate) fn conn(&self) -> &Connection {
        &self.conn
    }
}

fn rules_in(conn: &Connection) -> Result<Vec<MerchantRule>, StoreError> {
    let mut stmt = conn
        .prepare_cached("SELECT pattern, provider, spend_kind FROM merchant_rules ORDER BY id")?;
    let rows = stmt.query_map([], |r| {
        let kind: String = r.get(2)?;
        Ok(MerchantRule {
            pattern: r.get(0)?,
            provider: r.get(1)?,
            kind: SpendKind::parse(&kind).unwrap_or(SpendKind::Other),
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Tags every bank line with the rules stored in `conn` (inside the caller's transaction);
/// returns how many lines changed.
fn retag_in(conn: &Connection) -> Result<usize, StoreError> {
    let rules = rules_in(conn)?;
    let mut select =
        conn.prepare("SELECT id, description, provider, spend_kind FROM bank_lines")?;
    let mut update =
        conn.prepare("UPDATE bank_lines SET provider = ?2, spend_kind = ?3 WHERE id = ?1")?;
    let lines = select
        .query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, Option<String>>(3)?,
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let mut changed = 0;
    // The rules read once for every line, not once per line.
    let tagger = crate::domain::merchants::Tagger::new(&rules);
    for (id, description, provider, kind) in lines {
        let tag = tagger.tag(&description);
        let new_provider = tag.map(|(provider, _)| provider.to_string());
        let new_kind = tag.map(|(_, kind)| kind.as_str().to_string());
        if new_provider != provider || new_kind != kind {
            update.execute(params![id, new_provider, new_kind])?;
            changed += 1;
        }
    }
    Ok(changed)
}

/// Test support: imports `text` into `store` as the file `name`, imported at `imported_at`,
/// with the default options, and gives the import's report.
#[cfg(test)]
pub(crate) fn import_text(
    store: &mut Store,
    name: &str,
    text: &str,
    imported_at: &str,
) -> ImportReport {
    let bytes = text.as_bytes().to_vec();
    let open =
        move || Ok(Box::new(std::io::Cursor::new(bytes.clone())) as Box<dyn std::io::Read + Send>);
    let meta = SourceMeta {
        name: name.into(),
        path: name.into(),
        imported_at: imported_at.into(),
    };
    store
        .import_file(
            &open,
            &meta,
            &crate::domain::import::FileOptions::default(),
            ImportMode::default(),
            &mut |_| true,
        )
        .unwrap()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn creates_private_file_at_latest_version() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub").join("ledger.sqlite");
        let store = Store::open(&path).unwrap();
        assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        let mode: String = store
            .conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
    }

    #[test]
    fn refuses_a_ledger_from_a_newer_burnrate() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ledger.sqlite");
        drop(Store::open(&path).unwrap());
        let conn = Connection::open(&path).unwrap();
        conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
            .unwrap();
        drop(conn);
        let err = Store::open(&path).err().unwrap().to_string();
        assert!(
            err.contains("newer burnrate") && err.contains("update burnrate"),
            "{err}"
        );
    }

    /// An import writes with foreign keys unchecked (its records point at the file it adds);
    /// the check is back on after it, whether it ended or was cancelled, so no record can be
    /// left pointing at a file that is gone.
    #[test]
    fn foreign_keys_are_checked_again_after_an_import_ends_or_is_cancelled() {
        use std::fmt::Write as _;
        let mut store = Store::open_in_memory().unwrap();
        let checked = |store: &Store| -> i64 {
            store
                .conn
                .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
                .unwrap()
        };
        let mut text = String::from(
            "Type,Product,Started Date,Completed Date,Description,Amount,Fee,Currency,State,Balance\n",
        );
        for i in 0..5000 {
            let (hour, minute) = (i / 60 % 24, i % 60);
            let second = i / 1440;
            let _ = writeln!(
                text,
                "CARD_PAYMENT,Current,2026-10-01 {hour:02}:{minute:02}:{second:02},,Shop {i},-1.00,0.00,EUR,PENDING,"
            );
        }
        let report = import_text(&mut store, "revolut.csv", &text, "2026-11-25T00:00:00Z");
        assert_eq!(report.inserted, 5000, "{report:?}");
        assert_eq!(checked(&store), 1);
        let file = report.source_file_id.unwrap();
        assert!(
            store
                .conn
                .execute("DELETE FROM source_files WHERE id = ?1", [file])
                .is_err(),
            "a file its bank lines point at cannot go"
        );
        let bytes = text.into_bytes();
        let open = move || {
            Ok(Box::new(std::io::Cursor::new(bytes.clone())) as Box<dyn std::io::Read + Send>)
        };
        let meta = SourceMeta {
            name: "again.csv".into(),
            path: "again.csv".into(),
            imported_at: "2026-11-26T00:00:00Z".into(),
        };
        let cancelled = store
            .import_file(
                &open,
                &meta,
                &crate::domain::import::FileOptions::default(),
                ImportMode::default(),
                &mut |_| false,
            )
            .unwrap();
        assert!(!cancelled.written, "{cancelled:?}");
        assert_eq!(checked(&store), 1);
    }

    #[test]
    fn settings_round_trip_and_bump_revision() {
        let store = Store::open_in_memory().unwrap();
        let before = store.revision().unwrap();
        store.set_setting("reporting_currency", "EUR").unwrap();
        assert_eq!(
            store.setting("reporting_currency").unwrap().as_deref(),
            Some("EUR")
        );
        assert!(store.revision().unwrap() > before);
    }
}
