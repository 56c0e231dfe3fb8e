//! The window's review, doctor and match flows, headless with `egui_kittest` on the demo ledger
//! (or a small planted one): the Review view shows the month's figures exactly as
//! `burnrate report --month M` computes them, "Save report..." writes the HTML file, a match
//! confirmed in the window is stored as `burnrate matches confirm` stores it, and the top-up
//! doctor names the failure of the demo's stuck verification hold.

// Test helpers unwrap: a panic there is a failed test. (clippy's allow-unwrap-in-tests covers
// #[test] functions only, not the helpers they call.)

use std::path::{Path, PathBuf};

use burnrate::app::{App, Config, Prefs};
use burnrate::domain::ledger::Decision;
use burnrate::ui::{Action, View};
use chrono::NaiveDate;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

use crate::common::window::{config, harness, step_until};

/// The window on the demo ledger, as "Open demo" builds it.
fn demo(dir: &Path) -> Harness<'static, App> {
    let mut harness = harness(config(dir), Prefs::default());
    step_until(&mut harness, "Open demo");
    harness.get_by_label("Open demo").click();
    step_until(&mut harness, "You are looking at the demo ledger");
    harness
}

/// `burnrate report --month M --review --json` on a ledger, as of the tests' day.
fn report_json(db: &Path, month: &str) -> serde_json::Value {
    crate::common::json(
        db,
        &[
            "report",
            "--month",
            month,
            "--review",
            "--json",
            "--as-of",
            "2026-11-20",
        ],
    )
}

/// `123.45` or `-5.00` as the window writes dollars: `$123.45`, `-$5.00`, `$1,234.56`.
fn dollars(cents_text: &str) -> String {
    let (sign, digits) = cents_text
        .strip_prefix('-')
        .map_or(("", cents_text), |rest| ("-", rest));
    let (whole, cents) = digits.split_once('.').unwrap();
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("{sign}${grouped}.{cents}")
}

#[test]
fn the_review_shows_the_months_figures_as_the_command_line_does() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = demo(dir.path());
    harness.get_by_label("Review").click();
    step_until(&mut harness, "By provider (USD)");
    let json = report_json(&dir.path().join("demo.sqlite"), "2026-11");
    for (table, key) in [
        ("by_provider", "provider"),
        ("by_project", "project"),
        ("by_model", "model"),
    ] {
        let rows = json[table].as_array().unwrap();
        assert!(!rows.is_empty(), "{table}");
        for row in rows {
            let name = row[key].as_str().unwrap();
            assert!(harness.query_all_by_label(name).count() >= 1, "{name}");
            for column in ["this_month", "last_month", "change"] {
                let shown = dollars(row[column].as_str().unwrap());
                assert!(
                    harness.query_all_by_label(&shown).count() >= 1,
                    "{table} {name} {column}: {shown} is not shown"
                );
            }
        }
    }
    let total = json["summary"][0]["this_month"].as_str().unwrap();
    assert!(harness.query_all_by_label(&dollars(total)).count() >= 1);
    for row in json["budgets"].as_array().unwrap() {
        let projected = dollars(row["projected"].as_str().unwrap());
        assert!(harness.query_all_by_label(&projected).count() >= 1);
    }
}

/// Regression: as of Nov 20 the review compared 20 days of November with all of October and
/// showed a fall (-21%) where the daily pace had risen.
#[test]
fn a_month_under_way_is_compared_with_the_same_days_of_the_month_before() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = demo(dir.path());
    harness.get_by_label("Review").click();
    step_until(&mut harness, "What drove the change (Nov 1-20 vs Oct 1-20)");
    let json = report_json(&dir.path().join("demo.sqlite"), "2026-11");
    assert_eq!(json["comparison"], "Nov 1-20 vs Oct 1-20");
    let summary = &json["summary"][0];
    assert_eq!(summary["compared_until"], "2026-10-20");
    assert!(summary["change_percent"].as_i64().unwrap() > 0, "{summary}");
    let projected = dollars(summary["projected_month_end"].as_str().unwrap());
    assert!(
        harness.query_all_by_label(&projected).count() >= 1,
        "{projected}"
    );
    assert!(harness.query_by_label("Projected month end").is_some());
}

/// Regression: with a ledger whose usage ends before today, the review opened on today's empty
/// month and showed -100% in every row.
#[test]
fn the_review_opens_on_the_latest_month_with_usage_and_says_when_a_month_has_none() {
    let dir = tempfile::tempdir().unwrap();
    let today = NaiveDate::from_ymd_opt(2027, 1, 15).unwrap();
    let mut harness = harness(
        Config {
            today,
            demo_today: today,
            ..config(dir.path())
        },
        Prefs::default(),
    );
    step_until(&mut harness, "Open demo");
    harness.get_by_label("Open demo").click();
    step_until(&mut harness, "You are looking at the demo ledger");
    harness.get_by_label("Review").click();
    // November, the demo's last month of usage, complete by now.
    step_until(&mut harness, "compared with October 2026");
    harness.get_by_label("Next month >").click();
    step_until(&mut harness, "No usage recorded in");
    assert!(harness.query_by_label("-100%").is_none());
    assert!(harness.query_all_by_label("no usage").count() >= 1);
}

#[test]
fn save_report_writes_the_html_of_the_month() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = demo(dir.path());
    harness.get_by_label("Review").click();
    step_until(&mut harness, "By provider (USD)");
    // October, through the month picker's "previous" button.
    harness.get_by_label("< Previous month").click();
    // A complete month is compared with the whole month before.
    step_until(&mut harness, "compared with September 2026");
    let path: PathBuf = dir.path().join("review.html");
    harness
        .state_mut()
        .queue_action(Action::SaveReport(Some(path.clone())));
    step_until(&mut harness, "Saved the review of 2026-10");
    let html = std::fs::read_to_string(&path).unwrap();
    assert!(html.contains("AI spending review: October 2026"), "{html}");
    // The same file as the command line's.
    let cli = dir.path().join("cli.html");
    let out = crate::common::run(
        &dir.path().join("demo.sqlite"),
        &[
            "report",
            "--month",
            "2026-10",
            "--html",
            cli.to_str().unwrap(),
            "--as-of",
            "2026-11-20",
        ],
    );
    assert!(out.status.success());
    assert_eq!(std::fs::read_to_string(&cli).unwrap(), html);
}

#[test]
fn the_doctor_names_the_stuck_verification_hold() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = demo(dir.path());
    step_until(&mut harness, "Flags (4)");
    harness.get_by_label("Flags (4)").click();
    step_until(&mut harness, "open flag(s)");
    // Flags are most severe first: the info-level hold is the last one.
    let buttons: Vec<_> = harness.query_all_by_label("Top-up doctor").collect();
    assert_eq!(buttons.len(), 4, "the demo plants four problems");
    buttons.last().unwrap().scroll_to_me();
    harness.run();
    let buttons: Vec<_> = harness.query_all_by_label("Top-up doctor").collect();
    buttons.last().unwrap().click();
    step_until(&mut harness, "Recent top-up attempts");
    harness.get_by_label_contains("verification hold by anthropic");
    assert!(harness.query_all_by_label("Hold never settled").count() >= 2);
    assert!(harness.query_all_by_label("Payment failed").count() >= 1);
}

/// A credit purchase and an auto-recharge of $10 on one day, one $10 card line: which one it
/// paid is not known, so the pair waits for review.
const BILLING_AMBIGUOUS: &str = "\
date,provider,number,kind,amount,currency,status,expires_at,description,organization,project
2026-11-02T09:00:00Z,openai,INV-1,credit_purchase,10.00,USD,paid,,API credits,Acme,
2026-11-02T21:00:00Z,openai,INV-2,auto_recharge,10.00,USD,paid,,Auto recharge,Acme,
";
const CHASE_ONE_LINE: &str = "\
Card,Transaction Date,Post Date,Description,Category,Type,Amount,Memo
4821,11/03/2026,11/04/2026,OPENAI,Professional Services,Sale,-10.00,
";

#[test]
fn a_match_confirmed_in_the_window_is_stored() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ledger.sqlite");
    let billing = dir.path().join("billing.csv");
    let chase = dir.path().join("Chase4821_Activity_20261120.CSV");
    std::fs::write(&billing, BILLING_AMBIGUOUS).unwrap();
    std::fs::write(&chase, CHASE_ONE_LINE).unwrap();
    let out = crate::common::run(
        &db,
        &["import", billing.to_str().unwrap(), chase.to_str().unwrap()],
    );
    assert!(out.status.success(), "{}", crate::common::stderr(&out));
    let prefs = Prefs {
        view: View::Flags,
        ..Prefs::default()
    };
    let mut harness = harness(config(dir.path()), prefs);
    step_until(&mut harness, "Review matches (1)");
    harness.get_by_label("Review matches (1)").click();
    step_until(&mut harness, "1 pair(s) waiting for review");
    assert_eq!(harness.query_all_by_label_contains("rule exact").count(), 2);
    harness
        .query_all_by_label("Confirm")
        .next()
        .unwrap()
        .click();
    step_until(&mut harness, "Stored:");
    let store = burnrate::store::Store::open(&db).unwrap();
    let decisions = store.match_decisions().unwrap();
    assert_eq!(decisions.len(), 1);
    assert_eq!(decisions[0].decision, Decision::Confirmed);
    assert!(decisions[0].left.starts_with("billing:"));
    assert!(decisions[0].right.starts_with("bank:"));
    // Confirmed, the pair is matched and leaves the review list.
    step_until(&mut harness, "Review matches (0)");
}

/// Issue 10: at 1024 points wide, Settings and Review cut nothing off: the recharge row's
/// buttons and the review tables' last columns lie inside the window; thresholds read as
/// meanings with units, not field names.
#[test]
fn settings_and_review_fit_a_1024_window() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = crate::common::window::harness_sized(
        config(dir.path()),
        Prefs::default(),
        egui::vec2(1024.0, 700.0),
    );
    step_until(&mut harness, "Open demo");
    harness.get_by_label("Open demo").click();
    step_until(&mut harness, "You are looking at the demo ledger");
    harness.get_by_label("Settings").click();
    step_until(&mut harness, "Flag thresholds");
    let off = harness.get_by_label("Turn off recharge for openai/Northwind Labs");
    assert!(off.rect().right() <= 1024.0, "{:?}", off.rect());
    assert!(
        harness
            .query_all_by_label("Days costing less are never spikes")
            .count()
            >= 1
    );
    assert!(harness.query_by_label("spike min cents").is_none());
    harness.get_by_label("Review").click();
    step_until(&mut harness, "By model");
    let headers: Vec<_> = harness.query_all_by_label("%").collect();
    assert!(headers.len() >= 3, "the change tables' % columns");
    for header in headers {
        assert!(header.rect().right() <= 1024.0, "{:?}", header.rect());
    }
}

/// Issue 10: the dispute packet (`burnrate flags export`) is saved from the flag's card; with
/// no file dialog the path is typed.
#[test]
fn a_flag_card_saves_its_dispute_packet() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = demo(dir.path());
    harness.get_by_label_contains("Flags (").click();
    step_until(&mut harness, "open flag(s)");
    harness
        .query_all_by_label("Dispute packet...")
        .next()
        .unwrap()
        .click();
    step_until(&mut harness, "Save the dispute packet");
    let path = dir.path().join("packet.html");
    harness
        .state_mut()
        .queue_action(Action::SetPromptPath(path.display().to_string()));
    harness.step();
    harness.get_by_label("Save").click();
    step_until(&mut harness, "Saved the dispute packet");
    let html = std::fs::read_to_string(&path).unwrap();
    assert!(html.contains("<h1>Dispute packet:"), "{html}");
    assert!(html.contains("<h2>Timeline</h2>"));
}

/// Issue 10: an all-in monthly figure: API usage plus subscriptions plus other AI charges, this
/// month against the same days of last month. On the demo: the month's usage ($1,023.26, the
/// usage card's figure) plus its plans ($30.00 and 18.55 EUR at the ECB rate of their day).
#[test]
fn the_dashboard_shows_the_all_in_month() {
    let dir = tempfile::tempdir().unwrap();
    let harness = demo(dir.path());
    assert!(
        harness
            .query_all_by_label_contains("All-in 2026-11")
            .count()
            >= 1
    );
    harness.get_by_label_contains("usage $1,023.26 · plans $51.67 · other $0.00");
    assert!(harness.query_all_by_label("$1,074.93").count() >= 1);
    harness.get_by_label_contains("Oct 1-20 $836.27");
}
