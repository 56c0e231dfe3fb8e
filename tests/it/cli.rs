//! The command line as scripts use it: the built binary run on fixture files, checking exit
//! codes, JSON fields and error text.

// Test helpers unwrap: a panic there is a failed test. (clippy's allow-unwrap-in-tests covers
// #[test] functions only, not the helpers they call.)

use std::path::Path;
use std::process::Command;

use crate::common::{fixture, json_of as json, run as burnrate, stderr, stdout};

#[test]
fn import_json_reports_counts_and_reimport_inserts_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ledger.sqlite");
    let a = fixture("ledger/openai_cost_oct01_10.csv");
    let out = burnrate(&db, &["import", "--json", a.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v = json(&out);
    let first = &v[0];
    assert_eq!(first["file"], "openai_cost_oct01_10.csv");
    assert_eq!(first["format"], "openai-cost");
    assert_eq!(first["rows"], 19);
    assert_eq!(first["inserted"], 18);
    assert_eq!(first["updated"], 0);
    assert_eq!(first["duplicates"], 0);
    assert_eq!(first["rejected"], serde_json::json!([]));

    let again = json(&burnrate(&db, &["import", "--json", a.to_str().unwrap()]));
    assert_eq!(
        (
            again[0]["inserted"].as_u64(),
            again[0]["duplicates"].as_u64()
        ),
        (Some(0), Some(18))
    );
}

#[test]
fn overlapping_exports_merge_and_report_matches_hand_total() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ledger.sqlite");
    let a = fixture("ledger/openai_cost_oct01_10.csv");
    let b = fixture("ledger/openai_cost_oct05_20.csv");
    let out = burnrate(
        &db,
        &["import", "--json", a.to_str().unwrap(), b.to_str().unwrap()],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let v = json(&out);
    assert_eq!(
        (v[1]["inserted"].as_u64(), v[1]["duplicates"].as_u64()),
        (Some(18), Some(10))
    );

    // Hand computation: web rows d + 0.125 for the 18 non-empty days of 1..=20 (7 and 14 are
    // empty) = 191.25; bot rows d/100 + 0.003333333 = 1.949999994.
    let report = json(&burnrate(&db, &["report", "--month", "2026-10", "--json"]));
    assert_eq!(
        report,
        serde_json::json!([{"period": "2026-10", "group": "openai", "amount": "193.20", "currency": "USD"}])
    );

    let by_project = json(&burnrate(
        &db,
        &["report", "--month", "2026-10", "--by", "project", "--json"],
    ));
    assert_eq!(
        by_project,
        serde_json::json!([
            {"period": "2026-10", "group": "Web app", "amount": "191.25", "currency": "USD"},
            {"period": "2026-10", "group": "proj_bot", "amount": "1.95", "currency": "USD"}
        ])
    );
    let by_model = json(&burnrate(
        &db,
        &[
            "report",
            "--from",
            "2026-10-01",
            "--to",
            "2026-10-03",
            "--by",
            "model",
            "--json",
        ],
    ));
    assert_eq!(by_model[0]["period"], "2026-10-01..2026-10-03");
    assert_eq!(by_model[0]["group"], "gpt-4o-2024-08-06");
    assert_eq!(
        by_model[0]["amount"], "6.38",
        "1.125 + 2.125 + 3.125 = 6.375, rounded half away from zero"
    );

    let table = stdout(&burnrate(
        &db,
        &["report", "--month", "2026-10", "--by", "line_item"],
    ));
    assert!(
        table.contains("gpt-4o-mini, output") && table.contains("1.95"),
        "{table}"
    );
    let empty = stdout(&burnrate(&db, &["report", "--month", "2026-09"]));
    assert!(
        empty.contains("Nothing in the ledger for this period"),
        "{empty}"
    );
}

#[test]
fn dry_run_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ledger.sqlite");
    let a = fixture("ledger/openai_cost_oct01_10.csv");
    let v = json(&burnrate(
        &db,
        &["import", "--dry-run", "--json", a.to_str().unwrap()],
    ));
    assert_eq!(v[0]["inserted"], 18);
    let report = json(&burnrate(&db, &["report", "--json"]));
    assert_eq!(report, serde_json::json!([]));
}

#[test]
fn bad_rows_are_listed_and_strict_imports_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ledger.sqlite");
    let file = dir.path().join("cost_bad.csv");
    std::fs::write(
        &file,
        "start_time,end_time,amount_value,amount_currency,line_item,project_id\n\
         1790812800,1790899200,1.50,usd,\"gpt-4o, input\",p1\n\
         1790899200,1790985600,1.2.3,usd,\"gpt-4o, input\",p1\n\
         1790985600,1791072000,2.00,usd,\"gpt-4o, input\",p1\n",
    )
    .unwrap();
    let strict = burnrate(
        &db,
        &["import", "--strict", "--json", file.to_str().unwrap()],
    );
    assert_eq!(strict.status.code(), Some(1));
    let v = json(&strict);
    assert_eq!(
        v[0]["rejected"],
        serde_json::json!([{"line": 3, "column": 3, "column_name": "amount_value", "reason": "'1.2.3' is not a number"}])
    );
    assert!(
        stderr(&strict).contains("--strict imports nothing")
            && stderr(&strict).contains("cost_bad.csv"),
        "{}",
        stderr(&strict)
    );
    assert_eq!(
        json(&burnrate(&db, &["report", "--json"])),
        serde_json::json!([])
    );

    let lenient = burnrate(&db, &["import", file.to_str().unwrap()]);
    assert_eq!(lenient.status.code(), Some(0), "{}", stderr(&lenient));
    let text = stdout(&lenient);
    assert!(
        text.contains("2 new")
            && text.contains("1 rejected")
            && text.contains("line 3, column 3 (amount_value)"),
        "{text}"
    );
    let report = json(&burnrate(&db, &["report", "--json"]));
    assert_eq!(report[0]["amount"], "3.50");
}

#[test]
fn unknown_file_names_formats_tried_and_how_to_map() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ledger.sqlite");
    let file = dir.path().join("statement.csv");
    std::fs::write(
        &file,
        "Date Processed,Description,Amount,\n03/12/2019,OPENAI,£67.40,\n14/12/2019,SHOP,£8.99,\n",
    )
    .unwrap();
    let out = burnrate(&db, &["import", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("does not recognise")
            && err.contains("Revolut")
            && err.contains("burnrate map FILE --date COLUMN")
            && err.contains("pass `--as FORMAT`"),
        "the command line's advice: {err}"
    );
    assert!(
        err.trim_end().ends_with("statement.csv"),
        "the path comes last: {err}"
    );

    let map = burnrate(
        &db,
        &[
            "map",
            file.to_str().unwrap(),
            "--account",
            "my-bank",
            "--date",
            "Date Processed",
            "--description",
            "Description",
            "--amount",
            "Amount",
            "--default-currency",
            "GBP",
            "--sign",
            "spend-positive",
        ],
    );
    assert!(map.status.success(), "{}", stderr(&map));
    let v = json(&burnrate(
        &db,
        &["import", "--json", file.to_str().unwrap()],
    ));
    assert_eq!(
        (v[0]["format"].as_str(), v[0]["inserted"].as_u64()),
        (Some("generic"), Some(2))
    );
    let paid = json(&burnrate(&db, &["report", "--what", "paid", "--json"]));
    assert_eq!(
        paid,
        serde_json::json!([{"period": "all", "group": "openai", "amount": "67.40", "currency": "GBP"}])
    );
}

#[test]
fn usage_errors_exit_2_and_failures_exit_1() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ledger.sqlite");
    assert_eq!(
        burnrate(&db, &["report", "--what", "nonsense"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(burnrate(&db, &["import"]).status.code(), Some(2));
    let bad_month = burnrate(&db, &["report", "--month", "2026-13"]);
    assert_eq!(bad_month.status.code(), Some(2));
    assert!(stderr(&bad_month).contains("YYYY-MM"));
    let missing = burnrate(&db, &["import", "/nonexistent/file.csv"]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(
        stderr(&missing).contains("no readable file"),
        "{}",
        stderr(&missing)
    );
    // A grouping that means nothing for what is totalled is a usage error, decided before the
    // ledger is opened.
    for (what, by, says) in [
        ("paid", "model", "--by provider"),
        ("paid", "kind", "--by provider"),
        ("usage", "kind", "line_item"),
        ("credits", "model", "kind, provider or project"),
    ] {
        let out = burnrate(&db, &["report", "--what", what, "--by", by]);
        assert_eq!(out.status.code(), Some(2), "{what} by {by}");
        assert!(stderr(&out).contains(says), "{}", stderr(&out));
        assert!(
            stderr(&out).contains("Usage: burnrate report"),
            "{}",
            stderr(&out)
        );
    }
}

#[test]
fn formats_lists_every_importer() {
    let dir = tempfile::tempdir().unwrap();
    let out = burnrate(&dir.path().join("l.sqlite"), &["formats", "--json"]);
    let v = json(&out);
    let ids: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["id"].as_str())
        .collect();
    for id in [
        "openai-cost",
        "openai-activity",
        "anthropic-cost",
        "anthropic-tokens",
        "burnrate-billing",
        "stripe-invoices",
        "ecb-rates",
        "revolut",
        "revolut-business",
        "wise",
        "wise-statement",
        "monzo",
        "n26",
        "chase-card",
        "chase-checking",
        "amex",
        "apple-card",
        "capital-one",
        "citi",
        "paypal",
        "generic",
    ] {
        assert!(ids.contains(&id), "{id} missing from {ids:?}");
    }
}

#[test]
fn history_lists_and_undoes_an_import() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ledger.sqlite");
    let a = fixture("ledger/openai_cost_oct01_10.csv");
    let v = json(&burnrate(&db, &["import", "--json", a.to_str().unwrap()]));
    let id = v[0]["source_file_id"].as_i64().unwrap();
    let history = json(&burnrate(&db, &["history", "--json"]));
    assert_eq!(history[0]["name"], "openai_cost_oct01_10.csv");
    let undo = burnrate(&db, &["history", "--undo", &id.to_string()]);
    assert!(
        stdout(&undo).contains("removed 18 record"),
        "{}",
        stdout(&undo)
    );
    assert_eq!(
        json(&burnrate(&db, &["report", "--json"])),
        serde_json::json!([])
    );
}

#[test]
fn burnrate_db_variable_chooses_the_ledger_and_it_is_private() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("nested").join("mine.sqlite");
    let a = fixture("ledger/openai_cost_oct01_10.csv");
    let out = Command::new(env!("CARGO_BIN_EXE_burnrate"))
        .args(["import", a.to_str().unwrap()])
        .env("BURNRATE_DB", &db)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        db.is_file(),
        "the ledger was created where BURNRATE_DB says"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&db).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
}

#[test]
fn a_ledger_from_a_newer_burnrate_is_refused_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ledger.sqlite");
    assert!(burnrate(&db, &["report"]).status.success());
    rusqlite::Connection::open(&db)
        .unwrap()
        .pragma_update(None, "user_version", 999)
        .unwrap();
    let out = burnrate(&db, &["report"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("newer burnrate") && err.contains(db.to_str().unwrap()),
        "{err}"
    );
}

#[test]
fn a_merchant_rule_the_user_adds_tags_lines_already_imported() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ledger.sqlite");
    let file = dir.path().join("Chase1234_Activity.CSV");
    std::fs::write(
        &file,
        "Transaction Date,Post Date,Description,Category,Type,Amount,Memo\n\
         10/06/2026,10/07/2026,PADDLE.NET* N8N CLOUD,Shopping,Sale,-24.00,\n\
         10/08/2026,10/09/2026,OPENAI *CHATGPT SUBSCR,Shopping,Sale,-20.00,\n\
         10/09/2026,10/09/2026,STARBUCKS STORE 03255,Food & Drink,Sale,-4.36,\n",
    )
    .unwrap();
    assert!(
        burnrate(&db, &["import", file.to_str().unwrap()])
            .status
            .success()
    );
    let paid = json(&burnrate(&db, &["report", "--what", "paid", "--json"]));
    assert_eq!(
        paid,
        serde_json::json!([{"period": "all", "group": "openai", "amount": "20.00", "currency": "USD"}])
    );

    let add = burnrate(
        &db,
        &[
            "settings",
            "rule",
            "add",
            "PADDLE.NET* N8N",
            "--provider",
            "n8n",
            "--kind",
            "subscription",
        ],
    );
    assert!(stdout(&add).contains("1 bank line(s)"), "{}", stdout(&add));
    let paid = json(&burnrate(&db, &["report", "--what", "paid", "--json"]));
    assert_eq!(paid.as_array().map(Vec::len), Some(2));
    assert_eq!(paid[0]["group"], "n8n");
    assert_eq!(paid[0]["amount"], "24.00");

    assert!(
        burnrate(&db, &["settings", "rule", "remove", "PADDLE.NET* N8N"])
            .status
            .success()
    );
    let paid = json(&burnrate(&db, &["report", "--what", "paid", "--json"]));
    assert_eq!(paid.as_array().map(Vec::len), Some(1));
    let missing = burnrate(&db, &["settings", "rule", "remove", "NOPE"]);
    assert_eq!(missing.status.code(), Some(1));
}

#[test]
fn undoing_an_import_forgets_match_decisions_about_its_records() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ledger.sqlite");
    let billing = dir.path().join("billing.csv");
    std::fs::write(&billing, "date,provider,number,kind,amount,currency,status\n2026-10-01,openai,R-1,credit_purchase,20.00,USD,paid\n").unwrap();
    let card = dir.path().join("Chase1234_Activity.CSV");
    std::fs::write(
        &card,
        "Transaction Date,Post Date,Description,Category,Type,Amount,Memo\n10/01/2026,10/02/2026,OPENAI,Shopping,Sale,-20.00,\n",
    )
    .unwrap();
    let v = json(&burnrate(
        &db,
        &[
            "import",
            "--json",
            billing.to_str().unwrap(),
            card.to_str().unwrap(),
        ],
    ));
    let card_import = v[1]["source_file_id"].as_i64().unwrap();
    let confirm = burnrate(&db, &["matches", "confirm", "billing:1", "bank:1"]);
    assert!(confirm.status.success(), "{}", stderr(&confirm));
    let decisions = |db: &Path| -> i64 {
        rusqlite::Connection::open(db)
            .unwrap()
            .query_row("SELECT count(*) FROM match_decisions", [], |r| r.get(0))
            .unwrap()
    };
    assert_eq!(decisions(&db), 1);
    assert!(
        burnrate(&db, &["history", "--undo", &card_import.to_string()])
            .status
            .success()
    );
    assert_eq!(
        decisions(&db),
        0,
        "a decision about a removed line would later point at another record"
    );
}

#[test]
fn demo_with_a_command_reads_the_demo_and_never_creates_the_users_ledger() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_burnrate"))
            .args(args)
            .env_remove("BURNRATE_DB")
            .env("HOME", dir.path())
            .env("XDG_DATA_HOME", dir.path().join("data"))
            .env("XDG_CACHE_HOME", dir.path().join("cache"))
            .output()
            .unwrap()
    };
    let out = run(&["--demo", "report", "--month", "2026-11", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let rows = json(&out);
    assert!(
        rows.as_array().is_some_and(|r| !r.is_empty()),
        "the demo has November usage: {rows}"
    );
    assert!(
        !dir.path().join("data").exists(),
        "the user's ledger folder was not touched"
    );
    let both = run(&["--demo", "--db", "x.sqlite", "report"]);
    assert_eq!(both.status.code(), Some(2));

    // The demo is judged as of the last day of its files, whatever today's date: its balances
    // and flags read as on that day, and --as-of still names another.
    let last_day = burnrate::services::demo::last_day().to_string();
    for command in [["flags", "--json"], ["diagnose", "--json"]] {
        let plain = run(&[&["--demo"][..], &command[..]].concat());
        let dated = run(&[&["--demo", "--as-of", &last_day][..], &command[..]].concat());
        assert!(plain.status.success(), "{}", stderr(&plain));
        assert_eq!(stdout(&plain), stdout(&dated), "{command:?}");
    }
    let balance = json(&run(&[
        "--demo",
        "balance",
        "--provider",
        "anthropic",
        "--json",
    ]));
    assert_eq!(balance["as_of"], last_day.as_str(), "{balance}");
    let earlier = json(&run(&[
        "--demo",
        "--as-of",
        "2026-10-01",
        "balance",
        "--provider",
        "anthropic",
        "--json",
    ]));
    assert_eq!(earlier["as_of"], "2026-10-01");
}

/// The demo's day is the last day its files hold: the newest usage, billing record and bank line
/// of the demo ledger all fall on it or before, and its usage reaches it.
#[test]
fn the_demo_is_shown_as_of_the_last_day_of_its_files() {
    let dir = tempfile::tempdir().unwrap();
    let demo = dir.path().join("demo.sqlite");
    let reports = burnrate::services::demo::build(&demo, &dir.path().join("mine.sqlite")).unwrap();
    assert!(reports.iter().all(|r| r.error.is_none()));
    let conn = rusqlite::Connection::open(&demo).unwrap();
    let newest = |sql: &str| -> String { conn.query_row(sql, [], |r| r.get(0)).unwrap() };
    let last_day = burnrate::services::demo::last_day().to_string();
    assert_eq!(newest("SELECT max(day) FROM usage"), last_day);
    assert!(newest("SELECT max(day) FROM billing") <= last_day);
    assert!(newest("SELECT max(day) FROM bank_lines") <= last_day);
}

/// One clock: without `--as-of` the commands take today from the machine's local calendar (as
/// the window does), not from UTC. Far-apart time zones (UTC+14, UTC-12) disagree with UTC
/// about the date for most of every day.
#[test]
fn today_is_the_local_date_and_as_of_overrides_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ledger.sqlite");
    for (tz, offset_hours) in [("UTC-14", 14), ("UTC+12", -12)] {
        let local = |now: chrono::DateTime<chrono::Utc>| {
            (now + chrono::Duration::hours(offset_hours))
                .date_naive()
                .to_string()
        };
        let before = local(chrono::Utc::now());
        let out = Command::new(env!("CARGO_BIN_EXE_burnrate"))
            .arg("--db")
            .arg(&db)
            .args(["matches", "--json"])
            .env("TZ", tz)
            .output()
            .unwrap();
        let after = local(chrono::Utc::now());
        let as_of = json(&out)["as_of"].as_str().unwrap().to_string();
        assert!(as_of == before || as_of == after, "{tz}: {as_of}");
    }
    let out = burnrate(&db, &["--as-of", "2026-03-31", "matches", "--json"]);
    assert_eq!(json(&out)["as_of"], "2026-03-31");
}

/// A folder imports every file in it, sub-folders included, in name order, hidden files left
/// out; with stderr not a terminal no progress bar is drawn (stderr stays empty).
#[test]
fn import_walks_folders_in_a_stable_order() {
    let dir = tempfile::tempdir().unwrap();
    let exports = dir.path().join("exports");
    std::fs::create_dir_all(exports.join("2026-q1")).unwrap();
    std::fs::copy(
        fixture("three_months/openai-cost-2026-q1.csv"),
        exports.join("2026-q1/openai.csv"),
    )
    .unwrap();
    std::fs::copy(
        fixture("three_months/billing.csv"),
        exports.join("billing.csv"),
    )
    .unwrap();
    std::fs::write(exports.join(".DS_Store"), b"\0\0\0\x01Bud1").unwrap();
    let db = dir.path().join("ledger.sqlite");
    let out = burnrate(&db, &["import", "--json", exports.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stderr(&out), "");
    let reports = json(&out);
    let files: Vec<&str> = reports
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["file"].as_str().unwrap())
        .collect();
    assert_eq!(files, ["openai.csv", "billing.csv"]);
    assert!(reports[0]["inserted"].as_u64().unwrap() > 0);
    assert!(
        reports[1]["path"]
            .as_str()
            .unwrap()
            .ends_with("exports/billing.csv")
    );
}
