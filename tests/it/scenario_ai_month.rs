//! A solo developer's October: the OpenAI cost export, Cursor's usage events, GitHub's usage
//! report and `OpenRouter`'s activity next to a Chase card statement, a Revolut statement and the
//! billing records of their credit purchases (`tests/fixtures/ai_month/` and three files of
//! `tests/fixtures/ai_bills/`).
//!
//! Every AI bill counts once: usage per provider is each export's own total (Cursor 2.59,
//! GitHub 23.78 without Actions and Packages, `OpenRouter` 1.23, OpenAI 31.00); what was paid is
//! the card lines tagged by their descriptors (`CURSOR, AI POWERED IDE`, `OPENROUTER, INC`,
//! `OPENROUTER.AI`, `GITHUB, INC.`). `OpenRouter`'s card charges work as OpenAI's do: two 25.00
//! top-ups five minutes apart are one `duplicate_topup`, a 10.00 hold pending for 26 days is one
//! `unsettled_hold`, and nothing else is flagged. `OpenRouter`'s balance is its credit less its
//! usage; Cursor and GitHub, which bill after the fact, have none. Importing everything again
//! adds nothing.

use std::path::{Path, PathBuf};

use crate::common::{json, run as burnrate};

fn files() -> Vec<PathBuf> {
    [
        "ai_month/openai-cost-2026-10.csv",
        "ai_month/billing-2026-10.csv",
        "ai_month/chase-card-2026-10.csv",
        "ai_month/revolut-2026-10.csv",
        "ai_bills/cursor-usage-events-2026-10-v3.csv",
        "ai_bills/github-usage-report-2026-10.csv",
        "ai_bills/openrouter-activity-2026-10.csv",
    ]
    .iter()
    .map(|f| crate::common::fixture(f))
    .collect()
}

/// (group, amount, currency) of a report.
fn rows(v: &serde_json::Value) -> Vec<(String, String, String)> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["group"].as_str().unwrap().to_string(),
                r["amount"].as_str().unwrap().to_string(),
                r["currency"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn owned(rows: &[(&str, &str, &str)]) -> Vec<(String, String, String)> {
    rows.iter()
        .map(|(a, b, c)| ((*a).to_string(), (*b).to_string(), (*c).to_string()))
        .collect()
}

#[test]
fn every_ai_bill_of_the_month_counts_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ledger.sqlite");
    let paths: Vec<String> = files().iter().map(|p| p.display().to_string()).collect();
    let mut import = vec!["import", "--json"];
    import.extend(paths.iter().map(String::as_str));
    let first = json(&db, &import);
    assert!(
        first
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["error"].is_null() && r["rejected"] == serde_json::json!([])),
        "{first}"
    );

    let usage = json(
        &db,
        &["report", "--json", "--month", "2026-10", "--by", "provider"],
    );
    assert_eq!(
        rows(&usage),
        owned(&[
            ("cursor", "2.59", "USD"),
            ("github", "23.78", "USD"),
            ("openai", "31.00", "USD"),
            ("openrouter", "1.23", "USD"),
        ])
    );
    let paid = json(
        &db,
        &[
            "report", "--json", "--month", "2026-10", "--what", "paid", "--by", "provider",
        ],
    );
    assert_eq!(
        rows(&paid),
        owned(&[
            ("cursor", "22.59", "USD"),
            ("github", "23.78", "USD"),
            ("openai", "50.00", "USD"),
            ("openrouter", "70.00", "USD"),
        ])
    );
    let models = json(
        &db,
        &["report", "--json", "--month", "2026-10", "--by", "model"],
    );
    let names: Vec<String> = rows(&models).into_iter().map(|(g, _, _)| g).collect();
    for model in [
        "claude-4.6-opus-high-thinking",
        "composer-2-fast",
        "anthropic/claude-sonnet-4.5-20250929",
        "gpt-5-mini-2025-08-07",
    ] {
        assert!(names.iter().any(|n| n == model), "{model} not in {names:?}");
    }

    assert_flags_and_balances(&db);

    let again = json(&db, &import);
    for r in again.as_array().unwrap() {
        assert_eq!(
            (&r["inserted"], &r["updated"]),
            (&serde_json::json!(0), &serde_json::json!(0)),
            "{r}"
        );
    }
}

/// Exactly the two planted flags, and a balance for the prepaid provider only.
fn assert_flags_and_balances(db: &Path) {
    let flags = json(db, &["--as-of", "2026-11-05", "flags", "--json"]);
    let got: Vec<(String, String, String, String)> = flags
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["kind"].as_str().unwrap().to_string(),
                f["provider"].as_str().unwrap_or_default().to_string(),
                f["date"].as_str().unwrap().to_string(),
                f["amount"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (
                "duplicate_topup".to_string(),
                "openrouter".to_string(),
                "2026-10-02".to_string(),
                "25.00".to_string()
            ),
            (
                "unsettled_hold".to_string(),
                "openrouter".to_string(),
                "2026-10-10".to_string(),
                "10.00".to_string()
            ),
        ]
    );

    // OpenRouter's purchases are prepaid credit; Cursor and GitHub bill after the fact and have
    // no balance to run out.
    let balance = burnrate(
        db,
        &[
            "--as-of",
            "2026-10-31",
            "balance",
            "--provider",
            "openrouter",
        ],
    );
    let text = String::from_utf8_lossy(&balance.stdout);
    assert!(
        text.contains("openrouter as of 2026-10-31: 68.77 USD"),
        "{text}"
    );
    for provider in ["cursor", "github"] {
        let out = burnrate(
            db,
            &["--as-of", "2026-10-31", "balance", "--provider", provider],
        );
        assert_eq!(out.status.code(), Some(1));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("bills its usage after the fact"), "{err}");
    }
}
