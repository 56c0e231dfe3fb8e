//! A new user's first quarter, tried as they would: on an empty ledger they drop the folder of
//! their receipt e-mails (`tests/fixtures/new_user/receipts`: Anthropic receipts, Claude Pro
//! renewals, OpenAI funding notices, a receipt for `OpenRouter` credits, two failed payments, a
//! newsletter and a lunch mail), their card statement and their usage exports, and type no
//! billing CSV. The balance, the matches, the flags and the doctor must come out byte for byte
//! as they do from a hand-written billing CSV of the same records (`billing-typed.csv`) with the
//! same statement and exports, imported in the same order (so record ids agree too).
//!
//! The quarter holds what the user should hear about: two top-ups of $25 five minutes apart,
//! two card charges with no credit behind them (one after the last OpenAI mail: the folder,
//! saved later, vouches for it as a billing export downloaded later would), a purchase paid
//! from a card whose statement is not imported, a failed auto-recharge and its failed retry,
//! and a balance run dry.

use std::path::Path;

use crate::common::{fixture, json, run};

/// Runs a command that must succeed; its standard output.
fn burnrate(db: &Path, args: &[&str]) -> String {
    let out = run(db, args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Imports the billing source (the receipts folder or the typed CSV), then the card statement
/// and the usage exports; returns the import reports.
fn ledger(db: &Path, billing: &Path) -> serde_json::Value {
    let paths = [
        billing.to_path_buf(),
        fixture("new_user/Chase4411_Activity20260101_20260331_20260401.CSV"),
        fixture("three_months/openai-cost-2026-q1.csv"),
        fixture("three_months/anthropic-cost-2026-q1.csv"),
    ];
    let mut args = vec!["import".to_string(), "--json".to_string()];
    args.extend(paths.iter().map(|p| p.display().to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    json(db, &args)
}

const OUTPUTS: &[&[&str]] = &[
    &["balance", "--provider", "openai", "--json"],
    &["balance", "--provider", "anthropic", "--json"],
    &["balance", "--provider", "openrouter", "--json"],
    &["matches", "--json"],
    &["flags", "--json"],
    &["diagnose", "--json"],
];

#[test]
fn a_quarter_of_receipt_emails_gives_what_a_typed_billing_csv_gives() {
    let dir = tempfile::tempdir().unwrap();
    let from_mail = dir.path().join("from-mail.sqlite");
    let typed = dir.path().join("typed.sqlite");
    let reports = ledger(&from_mail, &fixture("new_user/receipts"));
    ledger(&typed, &fixture("new_user/billing-typed.csv"));

    let mails: Vec<&serde_json::Value> = reports
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["format"] == "receipt-email")
        .collect();
    assert_eq!(mails.len(), 16, "every e-mail of the folder was read");
    let inserted: u64 = mails.iter().map(|r| r["inserted"].as_u64().unwrap()).sum();
    let skipped: u64 = mails
        .iter()
        .map(|r| r["not_receipts"].as_u64().unwrap_or(0))
        .sum();
    assert_eq!(
        (inserted, skipped),
        (14, 2),
        "14 payments; the newsletter and the lunch mail are not receipts"
    );

    for args in OUTPUTS {
        let mut with_date = vec!["--as-of", "2026-04-05"];
        with_date.extend_from_slice(args);
        let got = burnrate(&from_mail, &with_date);
        let want = burnrate(&typed, &with_date);
        assert_eq!(got, want, "burnrate {}", args.join(" "));
    }

    // The outputs compared are the user's story, not empty lists.
    let flags: serde_json::Value = serde_json::from_str(&burnrate(
        &from_mail,
        &["--as-of", "2026-04-05", "flags", "--json"],
    ))
    .unwrap();
    let kinds: Vec<&str> = flags
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds
            .iter()
            .filter(|k| **k == "charge_without_credit")
            .count(),
        2,
        "02-20, and 03-20 after the last OpenAI mail but before the folder was saved"
    );
    for kind in [
        "duplicate_topup",
        "charge_without_credit",
        "credit_without_charge",
        "recharge_failed",
        "balance_depleted",
    ] {
        assert!(kinds.contains(&kind), "{kind} in {kinds:?}");
    }
    let matches: serde_json::Value = serde_json::from_str(&burnrate(
        &from_mail,
        &["--as-of", "2026-04-05", "matches", "--json"],
    ))
    .unwrap();
    assert_eq!(matches["payments"].as_array().unwrap().len(), 11);
}
