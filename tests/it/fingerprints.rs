//! A ledger written before fingerprints were stable (`tests/fixtures/ledger/
//! before-stable-fingerprints.sql` for billing and bank rows, `before-stable-usage-
//! fingerprints.sql` for usage rows: Rust's `DefaultHasher` values, written by the build of
//! schema 7) stays quiet when the same files come again: re-importing every file it was built
//! from reports nothing new and nothing updated, while a file the provider revised still
//! updates its records.

use std::path::{Path, PathBuf};

use crate::common::{fixture, json};

/// The files the frozen ledger was built from, as the user imported them (extra arguments
/// first).
fn sources() -> Vec<(Vec<&'static str>, PathBuf)> {
    let plain = |p: &str| (vec![], fixture(p));
    vec![
        plain("providers/burnrate-billing.csv"),
        plain("new_user/receipts"),
        plain("receipts/Invoice-56FB0333-0001.pdf"),
        plain("receipts/takeout-all-mail.mbox"),
        plain("receipts/midjourney-sales-tax.eml"),
        (
            vec!["--provider", "midjourney"],
            fixture("providers/stripe-invoices.csv"),
        ),
        plain("receipts/Receipt-2244-7106-2643.pdf"),
        plain("new_user/Chase4411_Activity20260101_20260331_20260401.CSV"),
        plain("bank_us/chase-card.csv"),
        plain("new_user/billing-typed.csv"),
        plain("receipts/anthropic-credit-vat-with-pdfs.eml"),
    ]
}

fn old_ledger(dir: &Path) -> PathBuf {
    ledger_from(dir, "ledger/before-stable-fingerprints.sql")
}

fn ledger_from(dir: &Path, frozen: &str) -> PathBuf {
    let db = dir.join("ledger.sqlite");
    let sql = std::fs::read_to_string(fixture(frozen)).unwrap();
    rusqlite::Connection::open(&db)
        .unwrap()
        .execute_batch(&sql)
        .unwrap();
    db
}

/// (new, updated, duplicates) over the files imported.
fn import(db: &Path, extra: &[&str], paths: &[PathBuf]) -> (u64, u64, u64) {
    let mut args = vec!["import", "--json"];
    args.extend_from_slice(extra);
    let paths: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    args.extend(paths.iter().map(String::as_str));
    let reports = json(db, &args);
    reports
        .as_array()
        .unwrap()
        .iter()
        .fold((0, 0, 0), |(i, u, d), r| {
            assert!(r["error"].is_null(), "{r}");
            (
                i + r["inserted"].as_u64().unwrap(),
                u + r["updated"].as_u64().unwrap(),
                d + r["duplicates"].as_u64().unwrap(),
            )
        })
}

/// Every billing and bank row's fingerprint, by table and id.
fn fingerprints(db: &Path) -> Vec<(String, i64, i64)> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut stmt = conn
        .prepare(
            "SELECT 'billing', id, fingerprint FROM billing
             UNION ALL SELECT 'bank', id, fingerprint FROM bank_lines ORDER BY 1, 2",
        )
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

#[test]
fn reimporting_unchanged_files_into_a_ledger_with_old_fingerprints_updates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = old_ledger(dir.path());
    let before = fingerprints(&db);
    assert_eq!(
        before.len(),
        32 + 25,
        "the frozen ledger's billing and bank rows"
    );
    let mut duplicates = 0;
    for (extra, path) in sources() {
        let (new, updated, dups) = import(&db, &extra, std::slice::from_ref(&path));
        assert_eq!((new, updated), (0, 0), "{}", path.display());
        duplicates += dups;
    }
    assert_eq!(duplicates, 7 + 14 + 1 + 5 + 1 + 5 + 1 + 16 + 9 + 14 + 1);
    // The rows the CSVs met again now carry the stable fingerprint; the rows are unchanged.
    let after = fingerprints(&db);
    let moved = before
        .iter()
        .zip(&after)
        .filter(|(b, a)| b.2 != a.2)
        .count();
    assert!(moved >= 7 + 4 + 16 + 9, "{moved} fingerprints moved");
    // And a second pass compares them directly: still nothing new or updated.
    let (_, updated, _) = import(&db, &[], &[fixture("providers/burnrate-billing.csv")]);
    assert_eq!(updated, 0);
}

#[test]
fn a_revised_row_still_updates_in_a_ledger_with_old_fingerprints() {
    let dir = tempfile::tempdir().unwrap();
    let db = old_ledger(dir.path());
    let billing = std::fs::read_to_string(fixture("providers/burnrate-billing.csv"))
        .unwrap()
        .replace(
            "\"API credits, January\"",
            "\"API credits, January (corrected)\"",
        );
    // The card issuer posted the first sale a day later than the statement first said.
    let chase = std::fs::read_to_string(fixture("bank_us/chase-card.csv")).unwrap();
    let revised = chase.replacen("03/02/2026,03/03/2026,", "03/02/2026,03/04/2026,", 1);
    assert_ne!(chase, revised);
    let billing_path = dir.path().join("burnrate-billing.csv");
    let chase_path = dir.path().join("chase-card.csv");
    std::fs::write(&billing_path, billing).unwrap();
    std::fs::write(&chase_path, revised).unwrap();
    assert_eq!(import(&db, &[], &[billing_path]), (0, 1, 6));
    assert_eq!(import(&db, &[], &[chase_path]), (0, 1, 8));
    let conn = rusqlite::Connection::open(&db).unwrap();
    let description: String = conn
        .query_row(
            "SELECT description FROM billing WHERE number = '2201-4471'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(description, "API credits, January (corrected)");
    let posted: String = conn
        .query_row(
            "SELECT posted_at FROM bank_lines WHERE description = 'OPENAI *CHATGPT SUBSCR'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(posted.starts_with("2026-03-04"), "{posted}");
}

/// The usage exports the frozen usage ledger was built from.
fn usage_sources() -> [PathBuf; 4] {
    [
        fixture("providers/anthropic-cost-2026-03.csv"),
        fixture("providers/anthropic-tokens-2026-03.csv"),
        fixture("ai_bills/openrouter-activity-2026-10.csv"),
        fixture("three_months/openai-cost-2026-q1.csv"),
    ]
}

/// Every usage row as stored, every column (its fingerprint too) as text.
fn usage_rows(db: &Path) -> Vec<String> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut stmt = conn.prepare("SELECT * FROM usage ORDER BY id").unwrap();
    let columns = stmt.column_count();
    stmt.query_map([], |r| {
        Ok((0..columns)
            .map(|i| format!("{:?}", r.get_ref(i).unwrap()))
            .collect::<Vec<_>>()
            .join("|"))
    })
    .unwrap()
    .collect::<Result<_, _>>()
    .unwrap()
}

#[test]
fn reimporting_unchanged_usage_exports_into_a_ledger_with_old_fingerprints_updates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = ledger_from(dir.path(), "ledger/before-stable-usage-fingerprints.sql");
    let before = usage_rows(&db);
    assert_eq!(
        before.len(),
        117 + 20 + 5 + 208,
        "the frozen ledger's usage rows"
    );
    for path in usage_sources() {
        let (new, updated, _) = import(&db, &[], std::slice::from_ref(&path));
        assert_eq!((new, updated), (0, 0), "{}", path.display());
    }
    // Usage rows are compared by their stored values, whatever fingerprint an older build
    // wrote: a row met again unchanged is not written at all.
    assert_eq!(usage_rows(&db), before);
    let (new, updated, duplicates) = import(&db, &[], &usage_sources());
    assert_eq!((new, updated, duplicates), (0, 0, 350));
    assert_eq!(usage_rows(&db), before);
}

#[test]
fn a_revised_usage_row_still_updates_in_a_ledger_with_old_fingerprints() {
    let dir = tempfile::tempdir().unwrap();
    let db = ledger_from(dir.path(), "ledger/before-stable-usage-fingerprints.sql");
    // Anthropic re-issued March with the first day's input cost corrected.
    let cost = std::fs::read_to_string(fixture("providers/anthropic-cost-2026-03.csv")).unwrap();
    let revised = cost.replacen(
        "2026-03-01,Claude Sonnet 4.5,,laptop,message,≤ 200k,input_no_cache,0.30,",
        "2026-03-01,Claude Sonnet 4.5,,laptop,message,≤ 200k,input_no_cache,0.35,",
        1,
    );
    assert_ne!(cost, revised);
    let path = dir.path().join("anthropic-cost-2026-03.csv");
    std::fs::write(&path, revised).unwrap();
    assert_eq!(import(&db, &[], &[path]), (0, 1, 116));
    let conn = rusqlite::Connection::open(&db).unwrap();
    let cost_nanos: i64 = conn
        .query_row(
            "SELECT cost_nanos FROM usage WHERE day = '2026-03-01' AND api_key_name = 'laptop'
             AND line_item = 'Claude Sonnet 4.5, input_no_cache'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(cost_nanos, 350_000_000);
}
