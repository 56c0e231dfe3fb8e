//! `burnrate settings recharge|budget|threshold` run as a user would: each subcommand saves,
//! lists and removes what it keeps in the ledger; a malformed command line exits with 2 (clap's
//! usage error), a value that cannot be used exits with 1 and says what to write instead; and
//! what is saved changes what `balance` forecasts and what `flags` raises on the scenario in
//! `tests/fixtures/scenario/` (read-only here; see `tests/flags_cli.rs` for what it plants).

// Test helpers unwrap: a panic there is a failed test. (clippy's allow-unwrap-in-tests covers
// only `#[test]` functions, not the helpers they call.)

use std::path::{Path, PathBuf};

use crate::common::{burnrate, scenario_ledger as scenario};

use serde_json::Value;

fn empty_ledger() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ledger.sqlite");
    (dir, db)
}

fn ok(db: &Path, args: &[&str]) -> String {
    let (code, out, err) = burnrate(db, args);
    assert_eq!(code, 0, "{args:?}: {out}{err}");
    out
}

fn json(db: &Path, args: &[&str]) -> Value {
    let out = ok(db, args);
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"))
}

/// Runs a command that must fail with `code`, and returns its stderr.
fn fails(db: &Path, args: &[&str], code: i32) -> String {
    let (got, out, err) = burnrate(db, args);
    assert_eq!(got, code, "{args:?}: {out}{err}");
    err
}

fn kinds(flags: &Value) -> Vec<String> {
    flags
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["kind"].as_str().unwrap().to_string())
        .collect()
}

const AS_OF: [&str; 2] = ["--as-of", "2026-04-10"];

#[test]
#[expect(
    clippy::too_many_lines,
    reason = "one story: save, list, simulate, turn off"
)]
fn recharge_is_saved_listed_simulated_and_turned_off() {
    let (_dir, db) = scenario();
    let list = json(&db, &["settings", "recharge", "list", "--json"]);
    assert_eq!(list, Value::Array(vec![]));
    let before = json(
        &db,
        &[
            AS_OF[0],
            AS_OF[1],
            "balance",
            "--provider",
            "openai",
            "--json",
        ],
    );
    // 36.00 left on 04-10 at 2.00 a day.
    assert_eq!(before["balance"], "36.00");
    assert_eq!(before["depletes_on"], "2026-04-28");
    assert_eq!(before["auto_recharge"], Value::Null);

    let out = ok(
        &db,
        &[
            "settings",
            "recharge",
            "--provider",
            "OpenAI",
            "--threshold",
            "10",
            "--amount",
            "$20.00",
            "--monthly-cap",
            "40",
        ],
    );
    assert!(out.contains("openai/Acme"), "{out}");
    let list = json(&db, &["settings", "recharge", "list", "--json"]);
    assert_eq!(
        list,
        serde_json::json!([{
            "provider": "openai",
            "account": "Acme",
            "threshold": "10.00",
            "amount": "20.00",
            "monthly_cap": "40.00",
        }])
    );
    let text = ok(&db, &["settings", "recharge", "list"]);
    assert!(
        text.contains("openai/Acme") && text.contains("40.00"),
        "{text}"
    );

    // The fixture's last auto-recharge (03-20) failed and none succeeded since: the forecast
    // does not count on recharges (it would have recharged on 04-24, 05-04 and 05-14 and run
    // out on 05-28) and runs out on the same day as without the setting.
    let after = json(
        &db,
        &[
            AS_OF[0],
            AS_OF[1],
            "balance",
            "--provider",
            "openai",
            "--json",
        ],
    );
    for key in [
        "provider",
        "as_of",
        "currency",
        "balance",
        "series",
        "burn_rate_per_day",
    ] {
        assert_eq!(after[key], before[key], "{key}");
    }
    assert_eq!(after["depletes_on"], "2026-04-28");
    assert_eq!(after["auto_recharge_failed_on"], "2026-03-20");
    assert_eq!(after["auto_recharge"]["amount"], "20.00");
    let recharges: Vec<(&str, &str)> = after["forecast"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["recharge"] != "0.00")
        .map(|p| (p["date"].as_str().unwrap(), p["balance"].as_str().unwrap()))
        .collect();
    assert_eq!(recharges, Vec::<(&str, &str)>::new());
    let text = ok(
        &db,
        &[AS_OF[0], AS_OF[1], "balance", "--provider", "openai"],
    );
    assert!(
        text.contains("auto-recharge last failed on 2026-03-20; forecast without it"),
        "{text}"
    );
    let first = &after["forecast"][0];
    assert_eq!(
        (first["date"].as_str(), first["balance"].as_str()),
        (Some("2026-04-11"), Some("34.00"))
    );

    // Named by the organization's id, it is the same account.
    ok(
        &db,
        &[
            "settings",
            "recharge",
            "--provider",
            "openai",
            "--account",
            "org-acme",
            "--off",
        ],
    );
    let list = json(&db, &["settings", "recharge", "list", "--json"]);
    assert_eq!(list, Value::Array(vec![]));
    let err = fails(
        &db,
        &["settings", "recharge", "--provider", "openai", "--off"],
        1,
    );
    assert!(
        err.contains("no auto-recharge is set for openai/Acme"),
        "{err}"
    );
}

#[test]
fn recharge_usage_errors_exit_2_and_bad_values_exit_1() {
    let (_dir, db) = empty_ledger();
    for args in [
        &[
            "settings",
            "recharge",
            "--threshold",
            "10",
            "--amount",
            "20",
        ][..],
        &[
            "settings",
            "recharge",
            "--provider",
            "openai",
            "--threshold",
            "10",
        ][..],
        &[
            "settings",
            "recharge",
            "--provider",
            "openai",
            "--off",
            "--amount",
            "20",
        ][..],
        &["settings", "recharge", "list", "--provider", "openai"][..],
    ] {
        fails(&db, args, 2);
    }
    let err = fails(
        &db,
        &[
            "settings",
            "recharge",
            "--provider",
            "openai",
            "--threshold",
            "ten",
            "--amount",
            "20",
        ],
        1,
    );
    assert!(err.contains("--threshold needs an amount"), "{err}");
    let err = fails(
        &db,
        &[
            "settings",
            "recharge",
            "--provider",
            "openai",
            "--threshold",
            "10",
            "--amount",
            "0",
        ],
        1,
    );
    assert!(err.contains("must be above zero"), "{err}");
    let err = fails(
        &db,
        &[
            "settings",
            "recharge",
            "--provider",
            "openai",
            "--threshold",
            "10",
            "--amount",
            "20",
            "--monthly-cap",
            "15",
        ],
        1,
    );
    assert!(
        err.contains("monthly cap (15.00) is below the recharge amount"),
        "{err}"
    );
    // Nothing was saved by the failures.
    assert_eq!(
        json(&db, &["settings", "recharge", "list", "--json"]),
        Value::Array(vec![])
    );
}

#[test]
fn a_recharge_threshold_reaches_the_runaway_recharge_flag() {
    let (_dir, db) = scenario();
    let flags = json(&db, &[AS_OF[0], AS_OF[1], "flags", "--json"]);
    assert!(!kinds(&flags).contains(&"runaway_recharge".to_string()));
    ok(
        &db,
        &[
            "settings",
            "recharge",
            "--provider",
            "openai",
            "--threshold",
            "10",
            "--amount",
            "20",
        ],
    );
    // The two 03-10 recharges ran while the balance was still above 10.00 (32.00 and 52.00).
    let flags = json(&db, &[AS_OF[0], AS_OF[1], "flags", "--json"]);
    let runaway: Vec<&Value> = flags
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["kind"] == "runaway_recharge")
        .collect();
    assert_eq!(runaway.len(), 2, "{flags:#}");
    assert_eq!(runaway[0]["records"], serde_json::json!(["billing:3"]));
    assert!(
        runaway[0]["message"]
            .as_str()
            .unwrap()
            .contains("at least 32.00 USD"),
        "{}",
        runaway[0]["message"]
    );
}

#[test]
fn budgets_are_saved_listed_removed_and_flagged() {
    let (_dir, db) = scenario();
    let out = ok(
        &db,
        &[
            "settings",
            "budget",
            "--project",
            "Web app",
            "--monthly",
            "50",
        ],
    );
    assert!(out.contains("Web app"), "{out}");
    ok(
        &db,
        &[
            "settings",
            "budget",
            "--provider",
            "OpenAI",
            "--monthly",
            "1000.5",
            "--currency",
            "usd",
        ],
    );
    // Saving again replaces.
    ok(
        &db,
        &[
            "settings",
            "budget",
            "--project",
            "web app",
            "--monthly",
            "60",
        ],
    );
    let list = json(&db, &["settings", "budget", "list", "--json"]);
    assert_eq!(
        list,
        serde_json::json!([
            {"scope": "project", "name": "web app", "monthly": "60.00", "currency": "USD"},
            {"scope": "provider", "name": "openai", "monthly": "1000.50", "currency": "USD"},
        ])
    );
    let flags = json(&db, &[AS_OF[0], AS_OF[1], "flags", "--json"]);
    assert!(!kinds(&flags).contains(&"budget_exceeded".to_string()));
    // The budget names the project as its usage does.
    ok(
        &db,
        &["settings", "budget", "remove", "--project", "web app"],
    );
    ok(
        &db,
        &[
            "settings",
            "budget",
            "--project",
            "Web app",
            "--monthly",
            "60",
        ],
    );
    let flags = json(&db, &[AS_OF[0], AS_OF[1], "flags", "--json"]);
    assert!(
        kinds(&flags).contains(&"budget_exceeded".to_string()),
        "{flags:#}"
    );
    ok(
        &db,
        &["settings", "budget", "remove", "--project", "Web app"],
    );
    let list = json(&db, &["settings", "budget", "list", "--json"]);
    assert_eq!(list.as_array().unwrap().len(), 1);
    let text = ok(&db, &["settings", "budget", "list"]);
    assert!(
        text.contains("openai") && text.contains("1000.50 USD"),
        "{text}"
    );
}

#[test]
fn budget_usage_errors_exit_2_and_bad_values_exit_1() {
    let (_dir, db) = empty_ledger();
    for args in [
        &["settings", "budget", "--monthly", "50"][..],
        &["settings", "budget", "--project", "A"][..],
        &[
            "settings",
            "budget",
            "--project",
            "A",
            "--provider",
            "openai",
            "--monthly",
            "5",
        ][..],
        &["settings", "budget", "remove"][..],
    ] {
        fails(&db, args, 2);
    }
    let err = fails(
        &db,
        &["settings", "budget", "--project", "A", "--monthly", "lots"],
        1,
    );
    assert!(err.contains("--monthly needs an amount"), "{err}");
    let err = fails(
        &db,
        &["settings", "budget", "--project", "A", "--monthly", "-5"],
        1,
    );
    assert!(err.contains("must be above zero"), "{err}");
    let err = fails(
        &db,
        &[
            "settings",
            "budget",
            "--project",
            "A",
            "--monthly",
            "5",
            "--currency",
            "dollars",
        ],
        1,
    );
    assert!(err.contains("three-letter code"), "{err}");
    let err = fails(
        &db,
        &["settings", "budget", "remove", "--provider", "openai"],
        1,
    );
    assert!(
        err.contains("there is no budget for the provider 'openai'"),
        "{err}"
    );
}

#[test]
fn a_threshold_change_changes_the_flags() {
    let (_dir, db) = scenario();
    let list = json(&db, &["settings", "threshold", "list", "--json"]);
    let spike = list
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "spike_min_cents")
        .unwrap();
    assert_eq!(
        (&spike["value"], &spike["default"]),
        (&Value::from(1000), &Value::from(1000))
    );
    let names: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    for name in [
        "duplicate_window_minutes",
        "hold_age_days",
        "spike_factor",
        "runaway_max_recharges",
    ] {
        assert!(names.contains(&name), "{name} missing from {names:?}");
    }
    let flags = json(&db, &[AS_OF[0], AS_OF[1], "flags", "--json"]);
    assert!(kinds(&flags).contains(&"spend_spike".to_string()));

    // The 40.00 spike is under a 50.00 minimum.
    ok(&db, &["settings", "threshold", "spike_min_cents", "5000"]);
    let flags = json(&db, &[AS_OF[0], AS_OF[1], "flags", "--json"]);
    assert!(
        !kinds(&flags).contains(&"spend_spike".to_string()),
        "{flags:#}"
    );
    let text = ok(&db, &["settings", "threshold", "list"]);
    let line = text
        .lines()
        .find(|l| l.starts_with("spike_min_cents"))
        .unwrap();
    // Shown as money, not cents, changed from the default (starred).
    assert!(line.contains("50.00*") && line.contains("10.00"), "{line}");
    assert!(!line.contains("5000"), "{line}");
    let days = text
        .lines()
        .find(|l| l.starts_with("hold_age_days"))
        .unwrap();
    assert!(days.contains("7 days"), "{days}");
    assert!(
        text.contains("`spike_min_cents 2000` is 20.00"),
        "how to set a threshold: {text}"
    );
    let spike = json(&db, &["settings", "threshold", "list", "--json"])
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "spike_min_cents")
        .cloned()
        .unwrap();
    assert_eq!(
        (&spike["unit"], &spike["value_text"], &spike["default_text"]),
        (
            &Value::from("cents"),
            &Value::from("50.00"),
            &Value::from("10.00")
        )
    );

    // Back to the default, the spike is back.
    ok(&db, &["settings", "threshold", "spike_min_cents", "1000"]);
    let flags = json(&db, &[AS_OF[0], AS_OF[1], "flags", "--json"]);
    assert!(kinds(&flags).contains(&"spend_spike".to_string()));
}

#[test]
fn threshold_usage_errors_exit_2_and_bad_values_exit_1() {
    let (_dir, db) = empty_ledger();
    fails(&db, &["settings", "threshold"], 2);
    fails(&db, &["settings", "threshold", "hold_age_days"], 2);
    fails(&db, &["settings", "threshold", "list", "extra"], 2);
    let err = fails(
        &db,
        &["settings", "threshold", "hold_age_days", "a week"],
        1,
    );
    assert!(
        err.contains("hold_age_days must be a whole number from 0 to 365, not 'a week'"),
        "{err}"
    );
    let err = fails(&db, &["settings", "threshold", "spike_factor", "0"], 1);
    assert!(err.contains("from 1 to 1000"), "{err}");
    let err = fails(&db, &["settings", "threshold", "spike_min_amount", "10"], 1);
    assert!(
        err.contains("no threshold named 'spike_min_amount'") && err.contains("spike_min_cents"),
        "{err}"
    );
    // Nothing changed.
    let list = json(&db, &["settings", "threshold", "list", "--json"]);
    assert!(
        list.as_array()
            .unwrap()
            .iter()
            .all(|t| t["value"] == t["default"])
    );
}

#[test]
fn negative_values_are_bad_values_not_usage_errors() {
    let (_dir, db) = empty_ledger();
    let err = fails(
        &db,
        &[
            "settings",
            "recharge",
            "--provider",
            "openai",
            "--threshold",
            "-1",
            "--amount",
            "20",
        ],
        1,
    );
    assert!(err.contains("threshold cannot be negative"), "{err}");
    let err = fails(&db, &["settings", "threshold", "hold_age_days", "-1"], 1);
    assert!(err.contains("from 0 to 365"), "{err}");
}
