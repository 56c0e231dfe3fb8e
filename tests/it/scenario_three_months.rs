//! Three months of a small team's AI spending, tried as a new user would: the binary imports
//! the files in `tests/fixtures/three_months/` and is asked for flags, a balance, matches and
//! the top-up doctor as of 2026-04-05.
//!
//! The files: an OpenAI cost export (organization Acme: project "Web app" 1.50 a day, 25.00 on
//! 03-16; project "Batch" 2.00 a day through February), an Anthropic cost export (1.00 a day from
//! 01-02), one billing CSV for both providers, two Revolut statements (USD) that overlap from
//! 02-01 to 02-15, and a Chase card statement. Then a second team's files: OpenAI's second
//! organization Beta (project "Research", 0.50 a day from 01-10, 50.00 of credit bought that
//! day), an `OpenRouter` activity export whose usage (0.20 a day) starts on 01-05, six weeks
//! before its first known credit (20.00 on 02-15: the history starts mid-way), their billing
//! CSV and the card statement that paid both (in `tests/fixtures/three_months_second_team/`, so
//! the areas that import the first team's folder as a whole keep their figures).
//!
//! Planted, each to be flagged exactly once:
//! - `duplicate_topup` 01-20: two 25.00 openai purchases five minutes apart, each with its
//!   Revolut line;
//! - `budget_exceeded` 02-26: "Batch" has a 50.00 monthly budget and spends 2.00 a day;
//! - `credit_without_charge` 02-25: a 15.00 purchase paid with a card whose statement is absent;
//! - `charge_without_credit` 03-05: a settled 30.00 Revolut line with no credit;
//! - `recharge_failed` 03-12: a failed 20.00 auto-recharge (its Revolut line DECLINED);
//! - `spend_spike` 03-16: "Web app" spends 25.00 against its usual 1.50;
//! - `wrong_organization` 03-18: Acme's balance reaches zero and 4.50 of its usage goes on while
//!   Beta holds credit (a team's story: the credit sits in the other organization);
//! - `unsettled_hold` 03-20: a 40.00 Revolut line PENDING for 16 days;
//! - `credits_expiring` 04-20: 85.00 left of a 100.00 pack bought 03-22 that expires 04-20.
//!
//! Look-alikes that must not fire: three monthly ChatGPT subscriptions on the card, a 1.00
//! verification hold PENDING in the first statement and REVERTED in the second, a 20.00
//! auto-recharge PENDING in the first statement and COMPLETED in the second, two anthropic
//! auto-recharges three days apart, `OpenRouter`'s usage before its first known credit (a lower
//! bound, never a depletion), and Beta, which never runs out.

use serde_json::Value;
use std::path::{Path, PathBuf};

use crate::common::{burnrate, json};

fn fixture(name: &str) -> PathBuf {
    crate::common::fixture("three_months").join(name)
}

const AS_OF: &str = "2026-04-05";

fn scenario() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ledger.sqlite");
    // The second team's files come after the scenario every area shares.
    let second_team = [
        "openai-cost-2026-q1-beta.csv",
        "openrouter-activity-2026-q1.csv",
        "billing-beta-openrouter.csv",
        "chase-card-research-q1.csv",
    ];
    let paths = crate::common::THREE_MONTHS
        .iter()
        .map(|f| fixture(f))
        .chain(
            second_team
                .iter()
                .map(|f| crate::common::fixture("three_months_second_team").join(f)),
        );
    for path in paths {
        let file = path.display().to_string();
        let (code, out, err) = burnrate(&db, &["import", path.to_str().unwrap()]);
        assert_eq!(code, 0, "{file}: {out}{err}");
    }
    // A monthly budget for the Batch project, as the settings keep it.
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute(
        "INSERT INTO settings(key, value) VALUES ('budgets', ?1)",
        [r#"[{"scope":"project","name":"Batch","monthly":"50.00","currency":"USD"}]"#],
    )
    .unwrap();
    drop(conn);
    (dir, db)
}

fn text(v: &Value) -> String {
    v.as_str().unwrap_or("null").to_string()
}

#[test]
fn every_planted_problem_is_flagged_once_and_nothing_else() {
    let (_dir, db) = scenario();
    let flags = json(&db, &["flags", "--json", "--as-of", AS_OF]);
    let got: Vec<(String, String, String, String, usize)> = flags
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                text(&f["kind"]),
                text(&f["date"]),
                text(&f["amount"]),
                text(&f["provider"]),
                f["records"].as_array().unwrap().len(),
            )
        })
        .collect();
    let want: Vec<(String, String, String, String, usize)> = [
        ("duplicate_topup", "2026-01-20", "25.00", "openai", 4),
        ("credit_without_charge", "2026-02-25", "15.00", "openai", 1),
        ("budget_exceeded", "2026-02-26", "56.00", "openai", 1),
        ("charge_without_credit", "2026-03-05", "30.00", "openai", 1),
        ("recharge_failed", "2026-03-12", "20.00", "openai", 1),
        ("spend_spike", "2026-03-16", "25.00", "openai", 1),
        ("wrong_organization", "2026-03-18", "4.50", "openai", 4),
        ("unsettled_hold", "2026-03-20", "40.00", "openai", 1),
        ("credits_expiring", "2026-04-20", "85.00", "openai", 1),
    ]
    .iter()
    .map(|(k, d, a, p, n)| {
        (
            (*k).to_string(),
            (*d).to_string(),
            (*a).to_string(),
            (*p).to_string(),
            *n,
        )
    })
    .collect();
    assert_eq!(
        got,
        want,
        "{}",
        serde_json::to_string_pretty(&flags).unwrap()
    );
    let project = |kind: &str| {
        flags
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["kind"] == kind)
            .map(|f| text(&f["project"]))
            .unwrap()
    };
    assert_eq!(project("spend_spike"), "Web app");
    assert_eq!(project("budget_exceeded"), "Batch");
    // The hold is a real charge, not a verification hold.
    let hold = flags
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["kind"] == "unsettled_hold")
        .unwrap();
    assert!(
        text(&hold["message"]).contains("pending charge"),
        "{}",
        hold["message"]
    );
}

#[test]
fn the_openai_balance_matches_a_hand_computation() {
    let (_dir, db) = scenario();
    let b = json(
        &db,
        &[
            "balance",
            "--provider",
            "openai",
            "--account",
            "Acme",
            "--json",
            "--as-of",
            AS_OF,
        ],
    );
    assert_eq!(text(&b["provider"]), "openai");
    assert_eq!(b["anchored_on"], "2026-01-01");
    assert_eq!(b["lower_bound"], false);
    assert_eq!(text(&b["currency"]), "USD");
    let series: Vec<(String, String)> = b["series"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (text(&p["date"]), text(&p["balance"])))
        .collect();
    assert_eq!(series.first().unwrap().0, "2026-01-01");
    assert_eq!(series.last().unwrap().0, AS_OF);
    assert_eq!(series.len(), 95, "one point a day from 01-01 to 04-05");
    let at = |day: &str| {
        series
            .iter()
            .find(|(d, _)| d == day)
            .map(|(_, v)| v.clone())
            .unwrap()
    };
    // Credits: 01-01 100.00 bought + 10.00 free; 01-20 2 x 25.00; 02-14 20.00 (auto-recharge,
    // pending then completed); 02-25 15.00; 03-22 100.00 expiring 04-20. The failed 03-12
    // recharge, the 30.00 charge without credit and the 40.00 hold add nothing.
    // Usage: 1.50 a day (Web app) from 01-01, plus 2.00 a day (Batch) in February, and 25.00
    // instead of 1.50 on 03-16; no usage after 03-31.
    // 01-01: 110.00 - 1.50                          = 108.50
    assert_eq!(at("2026-01-01"), "108.50");
    // 01-19: 110.00 - 19 x 1.50                     =  81.50
    assert_eq!(at("2026-01-19"), "81.50");
    // 01-20: 81.50 + 50.00 - 1.50                   = 130.00
    assert_eq!(at("2026-01-20"), "130.00");
    // 01-31: 130.00 - 11 x 1.50                     = 113.50
    assert_eq!(at("2026-01-31"), "113.50");
    // 02-14: 113.50 - 13 x 3.50 + 20.00 - 3.50      =  84.50
    assert_eq!(at("2026-02-14"), "84.50");
    // 02-25: 84.50 - 10 x 3.50 + 15.00 - 3.50       =  61.00
    assert_eq!(at("2026-02-25"), "61.00");
    // 02-28: 61.00 - 3 x 3.50                       =  50.50
    assert_eq!(at("2026-02-28"), "50.50");
    // 03-15: 50.50 - 15 x 1.50                      =  28.00
    assert_eq!(at("2026-03-15"), "28.00");
    // 03-16: 28.00 - 25.00                          =   3.00
    assert_eq!(at("2026-03-16"), "3.00");
    // 03-18: 3.00 - 2 x 1.50                        =   0.00; 03-19..21 stay at zero (4.50
    // of usage past zero)
    assert_eq!(at("2026-03-18"), "0.00");
    assert_eq!(at("2026-03-21"), "0.00");
    // 03-22: 100.00 - 1.50                          =  98.50
    assert_eq!(at("2026-03-22"), "98.50");
    // 03-31: 98.50 - 9 x 1.50                       =  85.00, and so to the as-of date
    assert_eq!(at("2026-03-31"), "85.00");
    assert_eq!(at(AS_OF), "85.00");
    assert_eq!(text(&b["balance"]), "85.00");
}

#[test]
fn the_doctor_names_each_stalled_top_up() {
    let (_dir, db) = scenario();
    let attempts = json(&db, &["diagnose", "--json", "--as-of", AS_OF]);
    let got: Vec<(String, String, String, String)> = attempts
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                text(&a["provider"]),
                text(&a["date"]),
                text(&a["amount"]),
                text(&a["failure"]),
            )
        })
        .collect();
    let want: Vec<(String, String, String, String)> = [
        ("anthropic", "2026-03-10", "40.00", "none"),
        ("anthropic", "2026-02-13", "25.00", "none"),
        ("anthropic", "2026-02-10", "25.00", "none"),
        ("anthropic", "2026-01-02", "50.00", "none"),
        ("openai", "2026-03-22", "100.00", "none"),
        ("openai", "2026-03-20", "40.00", "hold_never_settled"),
        ("openai", "2026-03-12", "20.00", "payment_failed"),
        ("openai", "2026-03-05", "30.00", "balance_not_synchronized"),
        // The last credit before the balance reached zero on 03-18.
        ("openai", "2026-02-25", "15.00", "balance_depleted"),
        ("openai", "2026-02-14", "20.00", "none"),
        ("openai", "2026-01-20", "25.00", "none"),
        ("openai", "2026-01-20", "25.00", "none"),
        ("openai", "2026-01-10", "50.00", "none"),
        ("openai", "2026-01-01", "100.00", "none"),
        ("openrouter", "2026-02-15", "20.00", "none"),
    ]
    .iter()
    .map(|(p, d, a, f)| {
        (
            (*p).to_string(),
            (*d).to_string(),
            (*a).to_string(),
            (*f).to_string(),
        )
    })
    .collect();
    assert_eq!(
        got,
        want,
        "{}",
        serde_json::to_string_pretty(&attempts).unwrap()
    );
    for a in attempts.as_array().unwrap() {
        let stages: Vec<String> = a["stages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| text(&s["stage"]))
            .collect();
        assert_eq!(stages, ["authorized", "settled", "credited", "consumed"]);
        let diagnosis = text(&a["diagnosis"]).to_lowercase();
        assert!(!diagnosis.contains("retry"), "{diagnosis}");
    }
    // The pending auto-recharge of the first statement completed in the second: settled.
    let recharge = attempts
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["date"] == "2026-02-14")
        .unwrap();
    assert_eq!(text(&recharge["stages"][1]["status"]), "ok");
}

#[test]
fn matches_explain_themselves_and_the_user_can_unlink_one() {
    let (_dir, db) = scenario();
    let m = json(&db, &["matches", "--json", "--as-of", AS_OF]);
    let payments = m["payments"].as_array().unwrap();
    // 100 + 2 x 25 + 20 + 3 subscriptions + 100 (openai Acme), 4 anthropic top-ups, Beta's
    // 50.00 and OpenRouter's 20.00.
    assert_eq!(payments.len(), 14, "{m}");
    assert!(payments.iter().all(|p| p["reason"]["rule"] == "exact"));
    assert!(m["review"].as_array().unwrap().is_empty());
    // Unlinking the 03-22 purchase from its line turns both into flags; confirming restores.
    let billing = "billing:15";
    let bank = payments
        .iter()
        .find(|p| p["billing"] == billing)
        .map(|p| text(&p["bank"]))
        .unwrap();
    let kinds = |db: &Path| -> Vec<String> {
        json(db, &["flags", "--json", "--as-of", AS_OF])
            .as_array()
            .unwrap()
            .iter()
            .map(|f| text(&f["kind"]))
            .collect()
    };
    let before = kinds(&db);
    let (code, _, err) = burnrate(&db, &["matches", "unlink", billing, &bank]);
    assert_eq!(code, 0, "{err}");
    let after = kinds(&db);
    let count = |list: &[String], k: &str| list.iter().filter(|x| *x == k).count();
    assert_eq!(count(&after, "charge_without_credit"), 2);
    assert_eq!(count(&after, "credit_without_charge"), 2);
    let (code, _, err) = burnrate(&db, &["matches", "confirm", billing, &bank]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(kinds(&db), before);
    let (code, _, err) = burnrate(&db, &["matches", "confirm", "billing:9999", &bank]);
    assert_eq!(code, 1);
    assert!(err.contains("no record billing:9999"), "{err}");
}

#[test]
fn a_flag_exports_as_one_self_contained_html_packet() {
    let (dir, db) = scenario();
    let flags = json(&db, &["flags", "--json", "--as-of", AS_OF]);
    let dup = flags
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["kind"] == "duplicate_topup")
        .unwrap();
    let out = dir.path().join("packet.html");
    let (code, _, err) = burnrate(
        &db,
        &[
            "flags",
            "export",
            dup["id"].as_str().unwrap(),
            "--html",
            out.to_str().unwrap(),
            "--as-of",
            AS_OF,
        ],
    );
    assert_eq!(code, 0, "{err}");
    let html = std::fs::read_to_string(&out).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    for needle in [
        "duplicate_topup",
        "revolut-2026-01-01_2026-02-15.csv",
        "billing.csv",
        "INV-0120A",
        "INV-0120B",
        "2026-01-20",
        "-25.00",
        "Timeline",
    ] {
        assert!(html.contains(needle), "{needle} missing");
    }
    for external in ["<script", "http://", "https://", "src=", "<link"] {
        assert!(!html.contains(external), "{external} in the packet");
    }
}

/// `OpenRouter`'s export starts six weeks before its first known credit: the balance is a lower
/// bound, the usage before it is reported as before the known history, and nothing is flagged.
#[test]
fn a_provider_whose_usage_starts_before_its_first_credit() {
    let (_dir, db) = scenario();
    let b = json(
        &db,
        &[
            "balance",
            "--provider",
            "openrouter",
            "--json",
            "--as-of",
            AS_OF,
        ],
    );
    assert_eq!(b["lower_bound"], true);
    assert_eq!(b["anchored_on"], Value::Null);
    // 01-05 to 02-14: 41 days at 0.20.
    assert_eq!(
        b["before_history"],
        serde_json::json!({"from": "2026-01-05", "to": "2026-02-14", "usage": "8.20"})
    );
    // 20.00 on 02-15, 0.20 a day through 03-31 (45 days): at least 11.00 left.
    assert_eq!(text(&b["balance"]), "11.00");
    let flags = json(&db, &["flags", "--json", "--as-of", AS_OF]);
    assert!(
        flags
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["provider"] != "openrouter"),
        "{flags:#}"
    );
}
