//! Judgement as a user meets it on the command line and in the window: a 90-day export that
//! starts mid-history, the balance read off a billing page (`checkpoint add|list|remove`, and
//! `balance` rows of the billing CSV), a billing file judged to its download (its modification
//! time), and one clock: the window and `burnrate flags` agree for the same ledger and day.
//!
//! Fixtures: `tests/fixtures/histories/` (an OpenAI cost export from 2026-08-01 to 10-29 at
//! 2.00 a day, a Revolut statement with two OpenAI top-ups, a billing CSV with a `balance` row,
//! a Chase card statement) and the three-month scenario.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use chrono::NaiveDate;
use serde_json::Value;

use crate::common::{THREE_MONTHS, burnrate, fixture, json};

fn history(name: &str) -> PathBuf {
    fixture("histories").join(name)
}

fn import(db: &Path, path: &Path) {
    let (code, out, err) = burnrate(db, &["import", path.to_str().unwrap()]);
    assert_eq!(code, 0, "{}: {out}{err}", path.display());
}

/// A copy of `source` in `dir` whose modification time is the start of `day` (UTC).
fn downloaded_on(dir: &Path, source: &Path, day: &str) -> PathBuf {
    let copy = dir.join(source.file_name().unwrap());
    std::fs::copy(source, &copy).unwrap();
    let day = NaiveDate::parse_from_str(day, "%Y-%m-%d").unwrap();
    let secs = day.and_hms_opt(12, 0, 0).unwrap().and_utc().timestamp();
    let when = SystemTime::UNIX_EPOCH + Duration::from_secs(u64::try_from(secs).unwrap());
    File::options()
        .write(true)
        .open(&copy)
        .unwrap()
        .set_modified(when)
        .unwrap();
    copy
}

/// The window on the ledger in `dir` as of `day`, its views built.
fn window_on(dir: &Path, day: &str) -> egui_kittest::Harness<'static, burnrate::app::App> {
    use crate::common::window::{config, harness, settle};
    let mut window_config = config(dir);
    window_config.today = NaiveDate::parse_from_str(day, "%Y-%m-%d").unwrap();
    let mut h = harness(window_config, burnrate::app::Prefs::default());
    settle(&mut h);
    h
}

fn kinds(flags: &Value) -> Vec<(String, String)> {
    flags
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["kind"].as_str().unwrap().to_string(),
                f["date"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn a_ninety_day_export_and_a_statement_then_the_balance_from_the_billing_page() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ledger.sqlite");
    import(&db, &history("openai-cost-2026-08-01_2026-10-29.csv"));
    import(&db, &history("revolut-2026-08-01_2026-10-31.csv"));
    let as_of = ["--as-of", "2026-10-30"];
    // No false alarm: the history starts with usage before any known credit.
    let flags = json(&db, &[&as_of[..], &["flags", "--json"]].concat());
    assert_eq!(kinds(&flags), Vec::<(String, String)>::new());
    let b = json(
        &db,
        &[&as_of[..], &["balance", "--provider", "openai", "--json"]].concat(),
    );
    assert_eq!(b["lower_bound"], true);
    assert_eq!(b["anchored_on"], Value::Null);
    assert_eq!(
        b["before_history"],
        serde_json::json!({"from": "2026-08-01", "to": "2026-08-19", "usage": "38.00"})
    );
    assert_eq!(
        b["series"][0]["date"], "2026-08-01",
        "unanchored: from the first record"
    );
    assert_eq!(b["checkpoints"], serde_json::json!([]));
    // The text says once how to anchor it.
    let (code, text, _) = burnrate(
        &db,
        &[&as_of[..], &["balance", "--provider", "openai"]].concat(),
    );
    assert_eq!(code, 0);
    assert_eq!(
        text.matches("enter the balance your billing page shows")
            .count(),
        1,
        "{text}"
    );
    assert!(text.contains("at least 58.00 USD"), "{text}");

    // The billing page shows 412.35 on 10-29.
    let (code, out, err) = burnrate(
        &db,
        &[
            &as_of[..],
            &[
                "checkpoint",
                "add",
                "--provider",
                "openai",
                "--date",
                "2026-10-29",
                "--amount",
                "412.35",
            ],
        ]
        .concat(),
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("Saved checkpoint 1"), "{out}");
    let b = json(
        &db,
        &[&as_of[..], &["balance", "--provider", "openai", "--json"]].concat(),
    );
    assert_eq!(b["lower_bound"], false);
    assert_eq!(b["anchored_on"], "2026-10-29");
    assert_eq!(
        b["checkpoints"],
        serde_json::json!([{"date": "2026-10-29", "shown": "412.35", "computed": "58.00", "difference": "354.35"}])
    );
    assert_eq!(
        b["series"][0],
        serde_json::json!({"date": "2026-10-29", "balance": "412.35"})
    );
    assert_eq!(b["balance"], "412.35", "no usage recorded on 10-30");
    // The page's balance replaced the credit inferred from the card lines, and the month table
    // shows what it set the balance by (opening 58.00 + 354.35 adjusted = 412.35).
    let (_, text, _) = burnrate(
        &db,
        &[&as_of[..], &["balance", "--provider", "openai"]].concat(),
    );
    assert!(
        text.starts_with("openai/Acme as of 2026-10-30: 412.35 USD\n"),
        "{text}"
    );
    assert!(text.contains("   adjusted    closing"), "{text}");
    assert!(text.contains("     354.35     412.35"), "{text}");
    let flags = json(&db, &[&as_of[..], &["flags", "--json"]].concat());
    assert_eq!(kinds(&flags), Vec::<(String, String)>::new());

    let list = json(&db, &["checkpoint", "list", "--json"]);
    assert_eq!(list[0]["id"], 1);
    assert_eq!(list[0]["amount"], "412.35");
    assert_eq!(list[0]["file"], Value::Null);
    let (code, out, _) = burnrate(&db, &["checkpoint", "remove", "1"]);
    assert_eq!((code, out.trim()), (0, "Removed checkpoint 1."));
    let (code, _, err) = burnrate(&db, &["checkpoint", "remove", "1"]);
    assert_eq!(code, 1);
    assert!(err.contains("there is no checkpoint with id 1"), "{err}");
}

#[test]
fn checkpoint_arguments_a_user_gets_wrong() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ledger.sqlite");
    import(&db, &history("openai-cost-2026-08-01_2026-10-29.csv"));
    let add = |extra: &[&str]| {
        let mut args = vec![
            "--as-of",
            "2026-10-30",
            "checkpoint",
            "add",
            "--provider",
            "openai",
        ];
        args.extend_from_slice(extra);
        burnrate(&db, &args)
    };
    // (arguments, words in the error)
    let cases: [(&[&str], &str); 5] = [
        (
            &["--date", "17/10/2026", "--amount", "5"],
            "--date needs a date such as 2026-10-17",
        ),
        (
            &["--date", "2026-10-17", "--amount", "five"],
            "--amount needs the balance shown",
        ),
        (
            &["--date", "2026-10-17", "--amount", "-5"],
            "cannot be negative",
        ),
        (&["--date", "2026-11-02", "--amount", "5"], "is after today"),
        (
            &["--date", "2026-10-17", "--amount", "5", "--currency", "US$"],
            "is not a currency code",
        ),
    ];
    for (args, words) in cases {
        let (code, _, err) = add(args);
        assert_eq!(code, 1, "{args:?}");
        assert!(err.contains(words), "{args:?}: {err}");
    }
    let (code, out, err) = add(&["--date", "2026-10-17 14:05", "--amount", "20"]);
    assert_eq!(code, 0, "{out}{err}");
    let list = json(&db, &["checkpoint", "list", "--json"]);
    assert_eq!(list[0]["at"], "2026-10-17 14:05:00");
    assert_eq!(list[0]["account"], "Acme", "the provider's only account");
    // The same moment typed again corrects it: one checkpoint, its id kept.
    let (code, out, err) = add(&["--date", "2026-10-17 14:05", "--amount", "21"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("Saved checkpoint 1:"), "{out}");
    assert!(
        out.contains("It replaces the 20.00 USD entered before for that moment."),
        "{out}"
    );
    let list = json(&db, &["checkpoint", "list", "--json"]);
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["amount"], "21.00");
}

#[test]
fn billing_rows_of_kind_balance_are_checkpoints_and_files_span_to_their_download() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ledger.sqlite");
    // The billing export's last anthropic record is from 08-05; the card was charged for
    // anthropic again on 10-24. Downloaded on 10-28, the export should list that credit.
    let billing = downloaded_on(
        dir.path(),
        &history("billing-2026-08_2026-10.csv"),
        "2026-10-28",
    );
    import(&db, &billing);
    import(&db, &history("chase-card-2026-08_2026-10.csv"));
    let list = json(&db, &["checkpoint", "list", "--json"]);
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["amount"], "61.40");
    assert_eq!(list[0]["file"], "billing-2026-08_2026-10.csv");
    let flags = json(&db, &["--as-of", "2026-11-02", "flags", "--json"]);
    let charge: Vec<&Value> = flags
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["kind"] == "charge_without_credit")
        .collect();
    assert_eq!(charge.len(), 1, "{flags:#}");
    assert_eq!(charge[0]["date"], "2026-10-24");
    let diagnosis = charge[0]["diagnosis"].as_str().unwrap();
    assert!(
        diagnosis.contains("The billing export predates the charge"),
        "{diagnosis}"
    );
    assert!(diagnosis.contains("downloaded after it"), "{diagnosis}");

    // The same files, the billing export downloaded in September: the charge is newer than it.
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ledger.sqlite");
    let billing = downloaded_on(
        dir.path(),
        &history("billing-2026-08_2026-10.csv"),
        "2026-09-10",
    );
    import(&db, &billing);
    import(&db, &history("chase-card-2026-08_2026-10.csv"));
    let flags = json(&db, &["--as-of", "2026-11-02", "flags", "--json"]);
    assert!(
        flags
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["kind"] != "charge_without_credit"),
        "{flags:#}"
    );
    // Importing the export again changes nothing: the checkpoint row is one checkpoint.
    import(&db, &billing);
    assert_eq!(
        json(&db, &["checkpoint", "list", "--json"])
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn the_window_and_the_command_line_give_the_same_flags_for_the_same_day() {
    use crate::common::window::{config, harness, settle};
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ledger.sqlite");
    for file in THREE_MONTHS {
        import(&db, &fixture("three_months").join(file));
    }
    for day in ["2026-03-19", "2026-04-05"] {
        let cli: Vec<String> = json(&db, &["--as-of", day, "flags", "--json", "--all"])
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["id"].as_str().unwrap().to_string())
            .collect();
        let mut window_config = config(dir.path());
        window_config.today = NaiveDate::parse_from_str(day, "%Y-%m-%d").unwrap();
        let mut h = harness(window_config, burnrate::app::Prefs::default());
        settle(&mut h);
        let mut window = h.state().flag_ids();
        let mut cli_sorted = cli.clone();
        window.sort();
        cli_sorted.sort();
        assert!(!cli.is_empty(), "{day}");
        assert_eq!(window, cli_sorted, "{day}");
    }
}

/// The first screen after importing a 90-day export and a statement: no false alarm, the balance
/// "at least" what the records show, and the card's entry anchors it.
#[test]
fn the_window_shows_a_lower_bound_and_takes_the_balance_from_the_billing_page() {
    use crate::common::window::settle;
    use egui_kittest::kittest::Queryable;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ledger.sqlite");
    import(&db, &history("openai-cost-2026-08-01_2026-10-29.csv"));
    import(&db, &history("revolut-2026-08-01_2026-10-31.csv"));
    let mut h = window_on(dir.path(), "2026-10-30");
    assert!(h.state().flag_ids().is_empty(), "no false alarm");
    assert!(
        h.query_all_by_label("at least $58.00").count() >= 1,
        "card and legend"
    );
    // A slip of the finger first, then the balance again: the second entry replaces the first
    // (one balance for the day, no mismatch between the two).
    for typed in ["4123.5", "412.35"] {
        h.get_by_label_contains("Enter the balance your billing page shows")
            .click();
        settle(&mut h);
        h.get_by_label("USD shown").click();
        h.get_by_label("USD shown").type_text(typed);
        settle(&mut h);
        h.get_by_label("Save balance").click();
        settle(&mut h);
    }
    assert!(
        h.query_by_label_contains("It replaces the 4123.50 USD entered before.")
            .is_some()
    );
    assert!(h.query_all_by_label("$412.35").count() >= 1);
    assert!(
        h.query_by_label("billing page: $412.35 on Oct 30")
            .is_some()
    );
    assert!(h.query_by_label("at least $412.35").is_none());
    let checkpoints = json(&db, &["checkpoint", "list", "--json"]);
    assert_eq!(checkpoints[0]["date"], "2026-10-30");
    assert_eq!(checkpoints[0]["amount"], "412.35");
    assert_eq!(checkpoints.as_array().unwrap().len(), 1);
    assert!(h.state().flag_ids().is_empty());
    // Entered on the wrong account, or no longer wanted: the card removes it.
    h.get_by_label("remove").click();
    settle(&mut h);
    assert!(
        h.query_by_label_contains("Removed the openai/Acme balance of 2026-10-30")
            .is_some()
    );
    assert!(h.query_all_by_label("at least $58.00").count() >= 1);
    assert_eq!(
        json(&db, &["checkpoint", "list", "--json"]),
        serde_json::json!([])
    );
}

/// Usage and nothing else: the balance is unknown, never "$0.00 · no credit left".
#[test]
fn the_window_says_balance_unknown_before_any_credit_is_known() {
    use egui_kittest::kittest::Queryable;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ledger.sqlite");
    import(&db, &history("openai-cost-2026-08-01_2026-10-29.csv"));
    let h = window_on(dir.path(), "2026-10-30");
    assert!(h.query_all_by_label("balance unknown").count() >= 1);
    assert!(h.query_by_label_contains("no credit left").is_none());
    assert!(h.query_by_label_contains("days left").is_none());
    h.get_by_label_contains("Enter the balance your billing page shows");
}

/// A lower bound that reaches zero while usage goes on is no flag, and `flags` says once how to
/// anchor the account.
#[test]
fn a_lower_bound_at_zero_is_no_flag_and_one_hint() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ledger.sqlite");
    import(&db, &history("openai-cost-2026-08-01_2026-10-29.csv"));
    // 10.00 bought on 08-10 while usage (2.00 a day) ran since 08-01: zero on 08-14 by the
    // records alone, and usage goes on every day after.
    let billing = dir.path().join("billing.csv");
    std::fs::write(
        &billing,
        "date,provider,number,kind,amount,currency,status,expires_at,description,organization,project\n\
         2026-08-10T09:00:00Z,openai,INV-0810,credit_purchase,10.00,USD,paid,,API credits,Acme,\n",
    )
    .unwrap();
    import(&db, &billing);
    let as_of = ["--as-of", "2026-10-30"];
    let flags = json(&db, &[&as_of[..], &["flags", "--json"]].concat());
    assert_eq!(kinds(&flags), Vec::<(String, String)>::new());
    let (code, text, _) = burnrate(&db, &[&as_of[..], &["flags"]].concat());
    assert_eq!(code, 0);
    assert_eq!(text.matches("Note: ").count(), 1, "{text}");
    assert!(
        text.contains("openai/Acme reached zero on 2026-08-14 while usage went on"),
        "{text}"
    );
    assert!(
        text.contains("`burnrate checkpoint add --provider openai --account 'Acme' --date 2026-10-30 --amount AMOUNT`"),
        "{text}"
    );
}

/// Judgement reads the lines tagged with a provider, and the others only where the user named
/// one: a card line no merchant rule recognized can still be confirmed as what paid a top-up,
/// and the match list then shows it paying; the grocery line beside it still dates the card's
/// statement.
#[test]
fn a_line_no_rule_tagged_can_be_confirmed_as_the_payment() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ledger.sqlite");
    let billing = dir.path().join("billing.csv");
    std::fs::write(
        &billing,
        "date,provider,number,kind,amount,currency,status\n2026-10-01,openai,R-1,credit_purchase,20.00,USD,paid\n",
    )
    .unwrap();
    let card = dir.path().join("Chase1234_Activity.CSV");
    std::fs::write(
        &card,
        "Transaction Date,Post Date,Description,Category,Type,Amount,Memo\n\
         10/01/2026,10/02/2026,RESELLER SERVICES 4411,Shopping,Sale,-20.00,\n\
         10/20/2026,10/20/2026,CORNER GROCERY,Groceries,Sale,-54.10,\n",
    )
    .unwrap();
    import(&db, &billing);
    import(&db, &card);
    let (code, _, err) = burnrate(&db, &["matches", "confirm", "billing:1", "bank:1"]);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = burnrate(&db, &["matches", "confirm", "billing:1", "bank:99"]);
    assert_eq!(code, 1);
    assert!(err.contains("there is no record bank:99"), "{err}");
    let (code, out, err) = burnrate(&db, &["--as-of", "2026-10-25", "matches"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("paid by bank:1  2026-10-01 RESELLER SERVICES 4411"),
        "{out}"
    );
    assert!(out.contains("[confirmed]"), "{out}");
    assert!(!out.contains("GROCERY"), "{out}");
}
