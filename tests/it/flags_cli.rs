//! `burnrate flags` and `burnrate balance` run as a user would, on the scenario in
//! `tests/fixtures/scenario/`: six weeks of one openai organization (Acme, project "Web app")
//! with a billing CSV and a Chase card statement, plus one anthropic top-up on the card and no
//! anthropic billing (an inferred lot).
//!
//! Planted problems, as of 2026-04-10: two auto-recharges six minutes apart on 03-10, each with
//! its card line (`duplicate_topup`, one flag); a 25.00 card charge on 03-15 with no credit
//! (`charge_without_credit`); a failed auto-recharge on 03-20 (`recharge_failed`); a 40.00 spike
//! on 03-20 (`spend_spike`) that empties the balance until credit arrives on 03-25
//! (`balance_depleted`, 17.00 past zero); a 30.00 purchase paid with a card whose statement is
//! not imported (`credit_without_charge`); 28.00 left of a lot expiring 05-01
//! (`credits_expiring`). Not to be flagged: two monthly subscriptions, and purchases matched by
//! their card lines.

// Test helpers unwrap: a panic there is a failed test. (clippy's allow-unwrap-in-tests covers
// only `#[test]` functions, not the helpers they call.)

use serde_json::Value;
use std::path::PathBuf;

use crate::common::{burnrate, json, scenario_ledger as scenario};

fn fixture(name: &str) -> PathBuf {
    crate::common::fixture("scenario").join(name)
}

fn summary(flags: &Value) -> Vec<(String, String, String, Vec<String>)> {
    flags
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["kind"].as_str().unwrap().to_string(),
                f["date"].as_str().unwrap().to_string(),
                f["amount"].as_str().unwrap_or("null").to_string(),
                f["records"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|r| r.as_str().unwrap().to_string())
                    .collect(),
            )
        })
        .collect()
}

fn row(
    kind: &str,
    date: &str,
    amount: &str,
    records: &[&str],
) -> (String, String, String, Vec<String>) {
    (
        kind.into(),
        date.into(),
        amount.into(),
        records.iter().map(|r| (*r).to_string()).collect(),
    )
}

fn usage_days(from: u32, to: u32, month: u32) -> Vec<String> {
    (from..=to)
        .map(|d| format!("usage:2026-{month:02}-{d:02}:openai/Acme"))
        .collect()
}

#[test]
fn every_planted_problem_is_flagged_once_and_nothing_else() {
    let (_dir, db) = scenario();
    let flags = json(&db, &["--as-of", "2026-04-10", "flags", "--json"]);
    // The depletion and the failed recharge that caused it point at each other.
    let mut depleted: Vec<String> = vec!["billing:5".to_string()];
    depleted.extend(usage_days(20, 24, 3));
    let depleted: Vec<&str> = depleted.iter().map(String::as_str).collect();
    // Record ids follow import order: billing 1-7, then card lines 1-10.
    let want = vec![
        row(
            "duplicate_topup",
            "2026-03-10",
            "20.00",
            &["bank:5", "bank:6", "billing:3", "billing:4"],
        ),
        row("charge_without_credit", "2026-03-15", "25.00", &["bank:7"]),
        row("recharge_failed", "2026-03-20", "20.00", &["billing:5"]),
        row("balance_depleted", "2026-03-20", "17.00", &depleted),
        row(
            "spend_spike",
            "2026-03-20",
            "40.00",
            &["usage:2026-03-20:Web app"],
        ),
        row(
            "credit_without_charge",
            "2026-03-25",
            "30.00",
            &["billing:6"],
        ),
        row("credits_expiring", "2026-05-01", "28.00", &["billing:7"]),
    ];
    assert_eq!(summary(&flags), want);
    for f in flags.as_array().unwrap() {
        for key in [
            "id",
            "kind",
            "severity",
            "provider",
            "date",
            "amount",
            "currency",
            "project",
            "records",
            "message",
            "diagnosis",
        ] {
            assert!(f.get(key).is_some(), "{key} missing in {f}");
        }
        assert_eq!(f["provider"], "openai");
        assert_eq!(f["currency"], "USD");
        let project = if f["kind"] == "spend_spike" {
            Value::from("Web app")
        } else {
            Value::Null
        };
        assert_eq!(f["project"], project);
        assert!(
            !f["diagnosis"]
                .as_str()
                .unwrap()
                .to_lowercase()
                .contains("top up again")
        );
    }
    // Importing the same statement again changes nothing.
    let card = fixture("chase-card.csv");
    burnrate(&db, &["import", card.to_str().unwrap()]);
    let again = json(&db, &["--as-of", "2026-04-10", "flags", "--json"]);
    assert_eq!(summary(&again), want);
}

#[test]
fn flags_are_reproducible_for_an_earlier_as_of_date() {
    let (_dir, db) = scenario();
    let flags = json(&db, &["flags", "--as-of", "2026-03-12", "--json"]);
    assert_eq!(
        summary(&flags),
        vec![row(
            "duplicate_topup",
            "2026-03-10",
            "20.00",
            &["bank:5", "bank:6", "billing:3", "billing:4"],
        )]
    );
}

#[test]
fn a_dismissed_flag_stays_hidden_until_all_is_asked() {
    let (_dir, db) = scenario();
    let flags = json(&db, &["--as-of", "2026-04-10", "flags", "--json"]);
    let spike = flags
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["kind"] == "spend_spike")
        .unwrap();
    let id = spike["id"].as_str().unwrap();
    let (code, out, err) = burnrate(
        &db,
        &[
            "--as-of",
            "2026-04-10",
            "flags",
            "dismiss",
            id,
            "--note",
            "load test",
        ],
    );
    assert_eq!(code, 0, "{out}{err}");
    let shown = json(&db, &["--as-of", "2026-04-10", "flags", "--json"]);
    assert_eq!(shown.as_array().unwrap().len(), 6);
    assert!(shown.as_array().unwrap().iter().all(|f| f["id"] != id));
    let all = json(&db, &["--as-of", "2026-04-10", "flags", "--all", "--json"]);
    let again = all
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == id)
        .unwrap();
    assert_eq!(again["dismissed"], true);
    let (code, _, err) = burnrate(&db, &["flags", "dismiss", "0000", "--note", "x"]);
    assert_eq!(code, 1);
    assert!(err.contains("no flag with id 0000"), "{err}");
    let (code, out, _) = burnrate(&db, &["--as-of", "2026-04-10", "flags"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("6 flag(s) as of 2026-04-10, 1 dismissed"),
        "{out}"
    );
}

#[test]
fn balance_series_matches_the_hand_computation() {
    let (_dir, db) = scenario();
    let b = json(
        &db,
        &[
            "balance",
            "--provider",
            "openai",
            "--as-of",
            "2026-04-10",
            "--json",
        ],
    );
    assert_eq!(b["provider"], "openai");
    assert_eq!(b["as_of"], "2026-04-10");
    assert_eq!(b["currency"], "USD");
    assert_eq!(b["balance"], "36.00");
    assert_eq!(b["burn_rate_per_day"], "2.00");
    // 36.00 at 2.00 a day: 18 days.
    assert_eq!(b["depletes_on"], "2026-04-28");
    // Credits: 50 + 5 free on 03-01, 20 + 20 on 03-10, 30 on 03-25, 40 on 04-05.
    // Usage: 2.00 a day to 03-09, 5.00 to 03-19, 40.00 on 03-20, 1.00 to 03-24, then 2.00.
    let want: [&str; 41] = [
        "53.00", "51.00", "49.00", "47.00", "45.00", "43.00", "41.00", "39.00",
        "37.00", // 03-01..09
        "72.00", "67.00", "62.00", "57.00", "52.00", "47.00", "42.00", "37.00", "32.00",
        "27.00", // 03-10..19
        "0.00", "0.00", "0.00", "0.00", "0.00", // 03-20..24
        "28.00", "26.00", "24.00", "22.00", "20.00", "18.00", "16.00", // 03-25..31
        "14.00", "12.00", "10.00", "8.00", // 04-01..04
        "46.00", "44.00", "42.00", "40.00", "38.00", "36.00", // 04-05..10
    ];
    let series = b["series"].as_array().unwrap();
    let got: Vec<&str> = series
        .iter()
        .map(|p| p["balance"].as_str().unwrap())
        .collect();
    assert_eq!(got, want);
    assert_eq!(series[0]["date"], "2026-03-01");
    assert_eq!(series[40]["date"], "2026-04-10");
    let months = b["months"].as_array().unwrap();
    assert!(months.iter().all(|m| m["residual"] == "0.00"), "{months:?}");
    assert_eq!(months[0]["closing"], "16.00");
}

#[test]
fn a_provider_without_billing_records_has_an_inferred_balance() {
    let (_dir, db) = scenario();
    let b = json(
        &db,
        &[
            "--as-of",
            "2026-04-10",
            "balance",
            "--provider",
            "anthropic",
            "--json",
        ],
    );
    assert_eq!(b["balance"], "20.00");
    assert_eq!(b["inferred"], true);
    assert_eq!(b["lots"][0]["kind"], "inferred");
    let (code, _, err) = burnrate(&db, &["balance", "--provider", "nobody"]);
    assert_eq!(code, 1);
    assert!(err.contains("no credits or usage"), "{err}");
}
