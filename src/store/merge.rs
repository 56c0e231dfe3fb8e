//! Merging another burnrate ledger into this one (a team member's file): its usage, billing
//! records, bank lines, exchange rates and import history arrive, without duplicates and with
//! their source kept.
//!
//! The other file is attached (`ATTACH DATABASE ?1`, the path bound as a parameter, never
//! spliced into SQL) and copied in one transaction. A record's identity is its `key` (the hash
//! of its natural key and occurrence that every import computes the same way), so a record both
//! ledgers hold is inserted once: `INSERT .. ON CONFLICT .. DO NOTHING` (on the day and key for
//! usage, whose key is unique within its day), and the statement's
//! change count tells inserted from duplicate. Rates are keyed by day and currency. Each of the
//! other ledger's `source_files` rows is copied with `origin = "merged from <path>"` and the
//! records point at the copies; copies that brought no record are removed again, so merging the
//! same ledger twice leaves the history as it was. The usage records that arrive are added to
//! the daily sums in the same transaction. A ledger from a newer burnrate (its
//! `user_version` above ours) is refused, as is a SQLite file that is not a burnrate ledger.
//! Bank lines keep the provider tags the other ledger gave them. Billing records go through the
//! receipts' lookups instead of their key alone ([`billing`]): a payment that is a receipt
//! e-mail here and a typed row there is one record.

use std::io::Read as _;
use std::path::Path;

use rusqlite::{OptionalExtension, Transaction, params};

mod billing;

use super::import::{ImportMode, ImportReport, SourceMeta};
use super::{SCHEMA_VERSION, Store, StoreError, rollup};

/// The `format` of a merged ledger in import reports.
pub const LEDGER_FORMAT: &str = "burnrate-ledger";

/// The first bytes of every SQLite 3 database file.
const SQLITE_HEADER: &[u8; 16] = b"SQLite format 3\0";

/// The first schema version that records how usage was charged (`usage.charge`).
const CHARGE_VERSION: i64 = 7;

/// The tables a burnrate ledger has, whatever its version.
const LEDGER_TABLES: &str = "SELECT count(*) FROM merged.sqlite_master WHERE type = 'table'
    AND name IN ('source_files', 'usage', 'billing', 'bank_lines', 'fx_rates')";

/// Per table: how many records the other ledger has, and the copy.
const COPIES: [(&str, &str); 3] = [
    (
        "SELECT count(*) FROM merged.usage o JOIN temp.merge_source_ids m ON m.old = o.source_file_id",
        "INSERT INTO main.usage(key, fingerprint, source_kind, day, provider, organization_id, organization_name,
             project_id, project_name, model, token_kind, line_item, api_key_id, api_key_name, user_ref, dimensions,
             tokens, requests, cost_nanos, currency, cost_text, grain, source_file_id, source_line)
         SELECT o.key, o.fingerprint, o.source_kind, o.day, o.provider, o.organization_id, o.organization_name,
             o.project_id, o.project_name, o.model, o.token_kind, o.line_item, o.api_key_id, o.api_key_name,
             o.user_ref, o.dimensions, o.tokens, o.requests, o.cost_nanos, o.currency, o.cost_text, o.grain,
             m.new, o.source_line
         FROM merged.usage o JOIN temp.merge_source_ids m ON m.old = o.source_file_id
         WHERE true ORDER BY o.id
         ON CONFLICT(day, key) DO NOTHING",
    ),
    (
        "SELECT count(*) FROM merged.bank_lines o JOIN temp.merge_source_ids m ON m.old = o.source_file_id",
        "INSERT INTO main.bank_lines(key, fingerprint, account, started_at, posted_at, day, description, amount_nanos,
             currency, amount_text, original_nanos, original_currency, fee_nanos, status, issuer_id, related_id, note,
             provider, spend_kind, source_file_id, source_line)
         SELECT o.key, o.fingerprint, o.account, o.started_at, o.posted_at, o.day, o.description, o.amount_nanos,
             o.currency, o.amount_text, o.original_nanos, o.original_currency, o.fee_nanos, o.status, o.issuer_id,
             o.related_id, o.note, o.provider, o.spend_kind, m.new, o.source_line
         FROM merged.bank_lines o JOIN temp.merge_source_ids m ON m.old = o.source_file_id
         WHERE true ORDER BY o.id
         ON CONFLICT(key) DO NOTHING",
    ),
    (
        "SELECT count(*) FROM merged.fx_rates o JOIN temp.merge_source_ids m ON m.old = o.source_file_id",
        "INSERT INTO main.fx_rates(day, currency, per_euro_nanos, source_file_id)
         SELECT o.day, o.currency, o.per_euro_nanos, m.new
         FROM merged.fx_rates o JOIN temp.merge_source_ids m ON m.old = o.source_file_id
         WHERE true ORDER BY o.day, o.currency
         ON CONFLICT(day, currency) DO NOTHING",
    ),
];

/// Whether the file at `path` is a SQLite database (by its header bytes, not its name).
pub fn is_sqlite_file(path: &Path) -> bool {
    let Ok(mut file) = std::fs::File::open(path) else {
        return false;
    };
    let mut header = [0u8; 16];
    file.read_exact(&mut header).is_ok() && &header == SQLITE_HEADER
}

fn count(tx: &Transaction<'_>, sql: &str) -> Result<u64, StoreError> {
    let n: i64 = tx.query_row(sql, [], |r| r.get(0))?;
    Ok(u64::try_from(n).unwrap_or(0))
}

impl Store {
    /// Merges the burnrate ledger at `path` into this one, in one transaction.
    ///
    /// The report counts records (rates included): `rows` in the other ledger, `inserted` new
    /// here, `duplicates` already here. A file that cannot be merged (newer burnrate, not a
    /// ledger, this very ledger) gets its reason in the report's `error` and changes nothing.
    ///
    /// # Errors
    /// On a SQLite failure while copying.
    pub fn merge_ledger(
        &mut self,
        path: &Path,
        meta: &SourceMeta,
        mode: ImportMode,
    ) -> Result<ImportReport, StoreError> {
        let mut report = ImportReport {
            file: meta.name.clone(),
            format: Some(LEDGER_FORMAT.to_string()),
            ..ImportReport::default()
        };
        let same_file = std::fs::canonicalize(path)
            .ok()
            .zip(std::fs::canonicalize(&self.path).ok())
            .is_some_and(|(a, b)| a == b);
        if same_file {
            report.error = Some("this is the ledger being merged into; pick another ledger".into());
            return Ok(report);
        }
        let Some(path_text) = path.to_str() else {
            report.error = Some("the ledger's path is not valid UTF-8; rename or move it".into());
            return Ok(report);
        };
        if let Err(e) = self
            .conn
            .execute("ATTACH DATABASE ?1 AS merged", [path_text])
        {
            report.error = Some(format!("the ledger could not be opened ({e})"));
            return Ok(report);
        }
        let result = self.merge_attached(meta, mode, &mut report);
        let detached = self.conn.execute("DETACH DATABASE merged", []);
        result?;
        detached?;
        Ok(report)
    }

    fn merge_attached(
        &mut self,
        meta: &SourceMeta,
        mode: ImportMode,
        report: &mut ImportReport,
    ) -> Result<(), StoreError> {
        let version: i64 = match self
            .conn
            .query_row("PRAGMA merged.user_version", [], |r| r.get(0))
        {
            Ok(v) => v,
            Err(e) => {
                report.error = Some(format!("the file is not a readable SQLite database ({e})"));
                return Ok(());
            }
        };
        if version > SCHEMA_VERSION {
            report.error = Some(format!(
                "this ledger was written by a newer burnrate (schema version {version}, this burnrate knows up to {SCHEMA_VERSION}); update burnrate to merge it"
            ));
            return Ok(());
        }
        let tables: i64 = self.conn.query_row(LEDGER_TABLES, [], |r| r.get(0))?;
        if version < 1 || tables < 5 {
            report.error = Some(
                "this SQLite file is not a burnrate ledger; import CSV exports instead".into(),
            );
            return Ok(());
        }
        let origin = format!("merged from {}", meta.path);
        let tx = self.conn.transaction()?;
        tx.execute_batch(
            "CREATE TEMP TABLE IF NOT EXISTS merge_source_ids(old INTEGER PRIMARY KEY, new INTEGER NOT NULL);
             DELETE FROM temp.merge_source_ids;",
        )?;
        copy_source_files(&tx, &origin)?;
        for (count_sql, insert_sql) in COPIES {
            let total = count(&tx, count_sql)?;
            let inserted = u64::try_from(tx.execute(insert_sql, [])?).unwrap_or(0);
            report.rows += total;
            report.inserted += inserted;
            report.duplicates += total.saturating_sub(inserted);
        }
        if version >= CHARGE_VERSION {
            // Older ledgers have no charges: their rows are billed as written.
            tx.execute_batch(
                "UPDATE main.usage SET charge = o.charge, byok_cost_nanos = o.byok_cost_nanos
                 FROM merged.usage o JOIN temp.merge_source_ids m ON m.old = o.source_file_id
                 WHERE main.usage.day = o.day AND main.usage.key = o.key
                   AND main.usage.source_file_id = m.new",
            )?;
        }
        billing::merge_billing(&tx, version, report)?;
        let (agent_rows, agent_new) = super::agents::merge_agent_tables(&tx)?;
        report.rows += agent_rows;
        report.inserted += agent_new;
        report.duplicates += agent_rows.saturating_sub(agent_new);
        // The usage records that arrived point at the copies of the other ledger's imports.
        rollup::add_records(
            &tx,
            "source_file_id IN (SELECT new FROM temp.merge_source_ids)",
            &[],
            1,
        )?;
        tx.execute(
            "DELETE FROM main.source_files WHERE id IN (SELECT new FROM temp.merge_source_ids)
               AND NOT EXISTS (SELECT 1 FROM main.usage WHERE source_file_id = source_files.id)
               AND NOT EXISTS (SELECT 1 FROM main.billing WHERE source_file_id = source_files.id)
               AND NOT EXISTS (SELECT 1 FROM main.bank_lines WHERE source_file_id = source_files.id)
               AND NOT EXISTS (SELECT 1 FROM main.fx_rates WHERE source_file_id = source_files.id)
               AND NOT EXISTS (SELECT 1 FROM main.billing_sources WHERE source_file_id = source_files.id)
               AND NOT EXISTS (SELECT 1 FROM main.agent_usage WHERE source_file_id = source_files.id)",
            [],
        )?;
        tx.execute_batch("DROP TABLE temp.merge_source_ids;")?;
        if mode.dry_run {
            return Ok(());
        }
        // The other ledger may come from a burnrate that stored keys in clear.
        super::open::mask_stored_secrets(&tx)?;
        Store::bump_revision(&tx)?;
        tx.commit()?;
        report.written = true;
        Ok(())
    }
}

/// Copies every import of the other ledger, remembering which new id each old id got.
fn copy_source_files(tx: &Transaction<'_>, origin: &str) -> Result<(), StoreError> {
    let mut select = tx.prepare(
        "SELECT id, name, path, sha256, format, imported_at, rows, inserted, updated, duplicates, rejected
         FROM merged.source_files ORDER BY id",
    )?;
    let mut insert = tx.prepare(
        "INSERT INTO main.source_files(name, path, sha256, format, imported_at, rows, inserted, updated,
             duplicates, rejected, origin)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?;
    let mut map = tx.prepare("INSERT INTO temp.merge_source_ids(old, new) VALUES (?1, ?2)")?;
    let mut rows = select.query([])?;
    while let Some(r) = rows.next()? {
        let old: i64 = r.get(0)?;
        insert.execute(params![
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, String>(4)?,
            r.get::<_, String>(5)?,
            r.get::<_, i64>(6)?,
            r.get::<_, i64>(7)?,
            r.get::<_, i64>(8)?,
            r.get::<_, i64>(9)?,
            r.get::<_, i64>(10)?,
            origin
        ])?;
        map.execute(params![old, tx.last_insert_rowid()])?;
    }
    Ok(())
}

impl Store {
    /// Where an import came from when it was merged in from another ledger.
    ///
    /// # Errors
    /// On a SQLite failure.
    pub fn source_origin(&self, source_file_id: i64) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .prepare_cached("SELECT origin FROM source_files WHERE id = ?1")?
            .query_row([source_file_id], |r| r.get::<_, Option<String>>(0))
            .optional()?
            .flatten())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn import(store: &mut Store, name: &str, text: &str) {
        let r = crate::store::import_text(store, name, text, "2026-04-01T00:00:00Z");
        assert!(r.error.is_none(), "{:?}", r.error);
    }

    const BILLING: &str = "date,provider,number,kind,amount,currency,status,expires_at,description,organization,project\n";

    #[test]
    fn merges_without_duplicates_and_keeps_the_source() {
        let dir = tempfile::tempdir().unwrap();
        let theirs_path = dir.path().join("theirs.sqlite");
        let mut ours = Store::open(&dir.path().join("ours.sqlite")).unwrap();
        let mut theirs = Store::open(&theirs_path).unwrap();
        let shared = "2026-03-01,openai,INV-1,credit_purchase,50.00,USD,paid,,,Acme,\n";
        import(&mut ours, "ours.csv", &format!("{BILLING}{shared}"));
        import(
            &mut theirs,
            "theirs.csv",
            &format!(
                "{BILLING}{shared}2026-03-05,openai,INV-2,credit_purchase,20.00,USD,paid,,,Acme,\n"
            ),
        );
        drop(theirs);
        assert!(is_sqlite_file(&theirs_path));
        let meta = SourceMeta {
            name: "theirs.sqlite".into(),
            path: theirs_path.display().to_string(),
            imported_at: "2026-04-02T00:00:00Z".into(),
        };
        let r = ours
            .merge_ledger(&theirs_path, &meta, ImportMode::default())
            .unwrap();
        assert_eq!(
            (r.rows, r.inserted, r.duplicates, r.written),
            (2, 1, 1, true),
            "{r:?}"
        );
        let origin: (i64, String) = ours
            .conn
            .query_row(
                "SELECT b.source_file_id, s.origin FROM billing b JOIN source_files s ON s.id = b.source_file_id WHERE b.number = 'INV-2'",
                [],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .unwrap();
        assert_eq!(origin.1, format!("merged from {}", theirs_path.display()));
        assert_eq!(ours.source_origin(origin.0).unwrap(), Some(origin.1));
        let again = ours
            .merge_ledger(&theirs_path, &meta, ImportMode::default())
            .unwrap();
        assert_eq!((again.inserted, again.duplicates), (0, 2));
        assert_eq!(
            ours.source_files().unwrap().len(),
            2,
            "empty copies are removed"
        );
    }

    #[test]
    fn refuses_a_newer_ledger_and_files_that_are_not_ledgers() {
        let dir = tempfile::tempdir().unwrap();
        let newer = dir.path().join("newer.sqlite");
        drop(Store::open(&newer).unwrap());
        let conn = rusqlite::Connection::open(&newer).unwrap();
        conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
            .unwrap();
        drop(conn);
        let plain = dir.path().join("plain.db");
        rusqlite::Connection::open(&plain)
            .unwrap()
            .execute_batch("CREATE TABLE t(x); INSERT INTO t VALUES (1);")
            .unwrap();
        let mut ours = Store::open(&dir.path().join("ours.sqlite")).unwrap();
        let meta = |p: &Path| SourceMeta {
            name: "x".into(),
            path: p.display().to_string(),
            imported_at: String::new(),
        };
        let r = ours
            .merge_ledger(&newer, &meta(&newer), ImportMode::default())
            .unwrap();
        assert!(r.error.unwrap().contains("newer burnrate"));
        let r = ours
            .merge_ledger(&plain, &meta(&plain), ImportMode::default())
            .unwrap();
        assert!(r.error.unwrap().contains("not a burnrate ledger"));
        let own = ours.path().to_path_buf();
        let r = ours
            .merge_ledger(&own, &meta(&own), ImportMode::default())
            .unwrap();
        assert!(r.error.is_some());
        assert!(!is_sqlite_file(&dir.path().join("missing")));
    }
}
