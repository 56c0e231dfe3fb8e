//! The monthly review and ledger merging, run as a user would, on `tests/fixtures/review/`:
//! two months of one OpenAI organization (February and March 2026; a project named
//! `=HYPERLINK("x")`, a project "Agent" new in March), a Chase card statement with a line whose
//! description holds `<script>alert(1)</script>`, a billing CSV with a GBP purchase (rate on its
//! day) and a EUR subscription (no rate within a week), and ECB rates for a few days.
//!
//! Expected for March, as of 2026-04-10, in USD: usage 77.10 (77.0956789 exact) against 53.33;
//! Web app 55.00 against 40.00 over its 50.00 budget from 03-16; credits bought by hand 101.43
//! (50.00 + 40.00 GBP at 1.08/0.84 = 51.43); 95.00 paid by card; the EUR line reported as a
//! missing rate instead of a guess. `chase-card-eur-plan.csv` (imported by one test only) holds
//! the 19.62 USD card line that paid the EUR plan, for a pair in two currencies.

use std::path::{Path, PathBuf};

use crate::common::burnrate;

fn fixture(name: &str) -> PathBuf {
    crate::common::fixture("review").join(name)
}

use serde_json::Value;

fn import(db: &Path, names: &[&str]) -> Value {
    let paths: Vec<PathBuf> = names.iter().map(|n| fixture(n)).collect();
    let (out, reports) = crate::common::import_json(db, &paths);
    crate::common::ok(&out);
    reports
}

const ALL: [&str; 5] = [
    "openai-cost-2026-02.csv",
    "openai-cost-2026-03.csv",
    "chase-card.csv",
    "billing.csv",
    "ecb-rates.csv",
];

/// A ledger with every fixture and two budgets.
fn full_ledger(dir: &Path) -> PathBuf {
    let db = dir.join("ledger.sqlite");
    import(&db, &ALL);
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute(
        "INSERT INTO settings(key, value) VALUES ('budgets', ?1)",
        [
            r#"[{"scope":"project","name":"Web app","monthly":"50.00","currency":"USD"},
             {"scope":"provider","name":"openai","monthly":"200.00","currency":"USD"}]"#,
        ],
    )
    .unwrap();
    db
}

fn review_json(db: &Path) -> Value {
    let (code, out, err) = burnrate(
        db,
        &[
            "--as-of",
            "2026-04-10",
            "report",
            "--month",
            "2026-03",
            "--review",
            "--json",
        ],
    );
    assert_eq!(code, 0, "{err}");
    serde_json::from_str(&out).unwrap()
}

fn report_rows(db: &Path, args: &[&str]) -> Vec<(String, String)> {
    let mut all = vec!["report", "--json"];
    all.extend_from_slice(args);
    let (code, out, err) = burnrate(db, &all);
    assert_eq!(code, 0, "{err}");
    let rows: Value = serde_json::from_str(&out).unwrap();
    rows.as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["group"].as_str().unwrap().to_string(),
                r["amount"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn named<'a>(table: &'a Value, key: &str, name: &str) -> &'a Value {
    table
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r[key] == name)
        .unwrap_or_else(|| panic!("no {name} in {table}"))
}

#[test]
fn review_figures_match_the_ledger_to_the_cent() {
    let dir = tempfile::tempdir().unwrap();
    let db = full_ledger(dir.path());
    let r = review_json(&db);
    assert_eq!(
        (r["month"].as_str(), r["previous_month"].as_str()),
        (Some("2026-03"), Some("2026-02"))
    );
    assert_eq!(
        (r["currency"].as_str(), r["complete"].as_bool()),
        (Some("USD"), Some(true))
    );
    let summary = &r["summary"][0];
    assert_eq!(summary["this_month"], "77.10");
    assert_eq!(summary["last_month"], "53.33");
    assert_eq!(summary["change"], "23.76");
    assert_eq!(summary["change_percent"], 45);

    // Every project figure is the ledger's own report, to the cent, both months.
    for (month, column) in [("2026-03", "this_month"), ("2026-02", "last_month")] {
        for (group, amount) in report_rows(&db, &["--month", month, "--by", "project"]) {
            assert_eq!(
                named(&r["by_project"], "project", &group)[column],
                amount.as_str(),
                "{group} {month}"
            );
        }
        for (group, amount) in report_rows(&db, &["--month", month, "--by", "model"]) {
            assert_eq!(
                named(&r["by_model"], "model", &group)[column],
                amount.as_str(),
                "{group} {month}"
            );
        }
    }
    let agent = named(&r["by_project"], "project", "Agent");
    assert_eq!(
        (agent["this_month"].as_str(), agent["last_month"].as_str()),
        (Some("12.35"), Some("0.00"))
    );
    assert!(agent["change_percent"].is_null(), "new this month");
    let drivers: Vec<&str> = r["drivers"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["dimension"] == "project")
        .map(|d| d["name"].as_str().unwrap())
        .collect();
    assert_eq!(drivers, ["Web app", "Agent"]);

    let web = named(&r["budgets"], "name", "Web app");
    assert_eq!(
        (web["spent"].as_str(), web["percent"].as_i64()),
        (Some("55.00"), Some(110))
    );
    assert_eq!(web["crossed_on"], "2026-03-16");
}

#[test]
fn review_money_trail_conversions_and_unmatched_lines() {
    let dir = tempfile::tempdir().unwrap();
    let db = full_ledger(dir.path());
    let r = review_json(&db);
    let trail = &r["money_trail"];
    assert_eq!(named(trail, "item", "usage cost")["amount"], "77.10");
    assert_eq!(
        named(trail, "item", "credits purchased (manual)")["amount"],
        "101.43"
    );
    assert_eq!(
        named(trail, "item", "credits purchased (auto-recharge)")["amount"],
        "20.00"
    );
    assert_eq!(named(trail, "item", "free credits")["amount"], "5.00");
    let paid = report_rows(&db, &["--month", "2026-03", "--what", "paid"]);
    let paid_cents: i64 = paid
        .iter()
        .map(|(_, a)| a.replace('.', "").parse::<i64>().unwrap())
        .sum();
    assert_eq!(paid_cents, 9_500);
    assert_eq!(
        named(trail, "item", "paid by bank and card (settled)")["amount"],
        "95.00"
    );

    // The GBP purchase is converted with its day's rate and keeps its original amount; the EUR
    // subscription has no rate within a week and is reported, not guessed.
    let gbp = named(&r["conversions"], "original_currency", "GBP");
    assert_eq!(
        (gbp["original"].as_str(), gbp["converted"].as_str()),
        (Some("40.00"), Some("51.43"))
    );
    let eur = named(&r["conversions"], "original_currency", "EUR");
    assert!(eur["converted"].is_null());
    assert_eq!(
        r["missing_rates"],
        serde_json::json!([{"day": "2026-03-25", "currency": "USD"}])
    );

    let unmatched_bank: Vec<&str> = r["unmatched_bank"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["description"].as_str().unwrap())
        .collect();
    assert_eq!(
        unmatched_bank,
        [
            "OPENAI *CHATGPT SUBSCR",
            "ANTHROPIC <script>alert(1)</script>"
        ]
    );
    let unmatched_billing: Vec<&str> = r["unmatched_billing"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["day"].as_str().unwrap())
        .collect();
    assert_eq!(
        unmatched_billing,
        ["2026-03-05", "2026-03-12", "2026-03-25"]
    );
    assert!(
        r["flags"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["kind"] == "budget_exceeded")
    );

    // The plain report keeps its contract when --review and --html are not given.
    let (code, out, _) = burnrate(
        &db,
        &["report", "--month", "2026-03", "--by", "project", "--csv"],
    );
    assert_eq!(code, 0);
    assert!(out.starts_with("period,group,amount,currency\n"), "{out}");
}

#[test]
fn review_csv_neutralises_formulas_and_keeps_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let db = full_ledger(dir.path());
    let (code, out, err) = burnrate(
        &db,
        &[
            "--as-of",
            "2026-04-10",
            "report",
            "--month",
            "2026-03",
            "--review",
            "--csv",
        ],
    );
    assert_eq!(code, 0, "{err}");
    for table in [
        "summary",
        "by_project",
        "budgets",
        "money_trail",
        "unmatched_bank",
        "missing_rates",
    ] {
        assert!(out.contains(&format!("# table {table}\n")), "{table}");
    }
    assert!(
        out.contains("\"'=HYPERLINK(\"\"x\"\")\",1.25,3.33,-2.08,-62\n"),
        "{out}"
    );
    assert!(
        !out.lines()
            .any(|l| l.starts_with('=') || l.starts_with("\"="))
    );
    assert!(out.contains("Web app,55.00,40.00,15.00,38\n"));
}

#[test]
fn html_report_is_self_contained_and_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let db = full_ledger(dir.path());
    let file = dir.path().join("review.html");
    let (code, out, err) = burnrate(
        &db,
        &[
            "--as-of",
            "2026-04-10",
            "report",
            "--month",
            "2026-03",
            "--html",
            file.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("review.html"), "{out}");
    let html = std::fs::read_to_string(&file).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(
        !html.to_lowercase().contains("<script"),
        "raw script from the ledger"
    );
    assert!(html.contains("ANTHROPIC &lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(html.contains("=HYPERLINK(&quot;x&quot;)"));
    for external in ["http://", "https://", "<link", "src=", "url(", "@import"] {
        assert!(!html.contains(external), "{external}");
    }
    assert!(html.contains("<svg") && html.contains("@media print"));
    assert!(html.contains("Totals are incomplete"));
    for figure in [
        "77.10", "53.33", "55.00", "101.43", "95.00", "51.43", "12.35",
    ] {
        assert!(
            html.contains(&format!(">{figure}<")) || html.contains(&format!(">{figure} USD<")),
            "{figure}"
        );
    }
}

#[test]
fn merging_two_ledgers_that_share_records() {
    let dir = tempfile::tempdir().unwrap();
    let ours = dir.path().join("ours.sqlite");
    let theirs = dir.path().join("theirs.sqlite");
    import(
        &ours,
        &[
            "openai-cost-2026-02.csv",
            "openai-cost-2026-03.csv",
            "chase-card.csv",
        ],
    );
    import(
        &theirs,
        &["openai-cost-2026-03.csv", "billing.csv", "ecb-rates.csv"],
    );
    let before = report_rows(&ours, &["--month", "2026-03"]);

    let (code, out, err) = burnrate(&ours, &["import", "--json", theirs.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let reports: Value = serde_json::from_str(&out).unwrap();
    let merged = &reports[0];
    assert_eq!(merged["file"], "theirs.sqlite");
    assert_eq!(merged["format"], "burnrate-ledger");
    // 6 March usage rows both hold; 6 billing records and 8 rates are new.
    assert_eq!(
        (
            merged["rows"].as_u64(),
            merged["inserted"].as_u64(),
            merged["duplicates"].as_u64()
        ),
        (Some(20), Some(14), Some(6))
    );

    assert_eq!(
        report_rows(&ours, &["--month", "2026-03"]),
        before,
        "usage not counted twice"
    );
    assert_eq!(before, [("openai".to_string(), "77.10".to_string())]);
    let credits = report_rows(
        &ours,
        &[
            "--month", "2026-03", "--what", "credits", "--by", "provider",
        ],
    );
    assert!(
        credits.contains(&("openai".to_string(), "75.00".to_string())),
        "{credits:?}"
    );

    // The records keep their source: copies of the other ledger's imports, marked as merged.
    let conn = rusqlite::Connection::open(&ours).unwrap();
    let mut stmt = conn
        .prepare("SELECT name, origin FROM source_files WHERE origin IS NOT NULL ORDER BY id")
        .unwrap();
    let sources: Vec<(String, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let names: Vec<&str> = sources.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        ["billing.csv", "ecb-rates.csv"],
        "the all-duplicate import is not copied"
    );
    assert!(
        sources
            .iter()
            .all(|(_, o)| o == &format!("merged from {}", theirs.display()))
    );
    let orphans: i64 = conn
        .query_row(
            "SELECT count(*) FROM billing b JOIN source_files s ON s.id = b.source_file_id WHERE s.origin IS NULL",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(orphans, 0);
    drop(stmt);
    drop(conn);

    // Merging again brings nothing.
    let (_, out, _) = burnrate(&ours, &["import", "--json", theirs.to_str().unwrap()]);
    let again: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        (
            again[0]["inserted"].as_u64(),
            again[0]["duplicates"].as_u64()
        ),
        (Some(0), Some(20))
    );
}

#[test]
fn a_ledger_is_found_by_its_header_and_a_newer_one_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let ours = dir.path().join("ours.sqlite");
    let theirs = dir.path().join("theirs.sqlite");
    import(
        &theirs,
        &["openai-cost-2026-03.csv", "billing.csv", "ecb-rates.csv"],
    );

    // A ledger among CSVs is found by its header, whatever its name.
    let renamed = dir.path().join("team.db");
    std::fs::copy(&theirs, &renamed).unwrap();
    let fresh = dir.path().join("fresh.sqlite");
    let (code, out, err) = burnrate(
        &fresh,
        &[
            "import",
            "--json",
            fixture("chase-card.csv").to_str().unwrap(),
            renamed.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{err}");
    let both: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(both[1]["format"], "burnrate-ledger");
    assert_eq!(both[1]["inserted"].as_u64(), Some(20));

    // A ledger from a newer burnrate is refused.
    let newer = dir.path().join("newer.sqlite");
    std::fs::copy(&theirs, &newer).unwrap();
    rusqlite::Connection::open(&newer)
        .unwrap()
        .pragma_update(None, "user_version", 999)
        .unwrap();
    let (code, _, err) = burnrate(&ours, &["import", newer.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(
        err.contains("newer burnrate") && err.contains("newer.sqlite"),
        "{err}"
    );
}

#[test]
fn settings_currency_sets_what_the_review_reports_in() {
    let dir = tempfile::tempdir().unwrap();
    let db = full_ledger(dir.path());
    let (code, out, err) = burnrate(&db, &["settings", "currency"]);
    assert_eq!((code, out.trim()), (0, "USD"), "{err}");
    let (code, out, err) = burnrate(&db, &["settings", "currency", "eur"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("reports in EUR"), "{out}");
    for bad in ["EURO", "U$D", "12", "€"] {
        let (code, _, err) = burnrate(&db, &["settings", "currency", bad]);
        assert_eq!(code, 1, "{bad}");
        assert!(err.contains("three-letter code"), "{bad}: {err}");
    }
    let (_, out, _) = burnrate(&db, &["settings", "currency"]);
    assert_eq!(out.trim(), "EUR", "a bad code changes nothing");

    let r = review_json(&db);
    assert_eq!(r["currency"], "EUR");
    // The EUR subscription needs no rate any more; the GBP purchase goes through the euro
    // (40.00 / 0.84 = 47.619...); USD lines of days without a USD rate are reported missing.
    assert_eq!(
        named(&r["money_trail"], "item", "subscriptions")["amount"],
        "18.00"
    );
    let gbp = named(&r["conversions"], "original_currency", "GBP");
    assert_eq!(
        (
            gbp["original"].as_str(),
            gbp["converted"].as_str(),
            gbp["rate"].as_str()
        ),
        (Some("40.00"), Some("47.62"), Some("ecb"))
    );
    assert!(
        r["conversions"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["original_currency"] != "EUR")
    );
    let missing = r["missing_rates"].as_array().unwrap();
    assert!(
        missing.contains(&serde_json::json!({"day": "2026-03-02", "currency": "USD"})),
        "{missing:?}"
    );
}

#[test]
fn a_confirmed_pair_in_two_currencies_converts_with_the_rate_the_card_charged() {
    let dir = tempfile::tempdir().unwrap();
    let db = full_ledger(dir.path());
    import(&db, &["chase-card-eur-plan.csv"]);
    let conn = rusqlite::Connection::open(&db).unwrap();
    let billing_id: i64 = conn
        .query_row(
            "SELECT id FROM billing WHERE number = 'INV-3004'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let bank_id: i64 = conn
        .query_row(
            "SELECT id FROM bank_lines WHERE description = 'ANTHROPIC TEAM PLAN'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    drop(conn);

    // No ECB rate within a week of 03-25: the 18.00 EUR plan is reported, not guessed.
    let before = review_json(&db);
    assert_eq!(
        before["missing_rates"],
        serde_json::json!([{"day": "2026-03-25", "currency": "USD"}])
    );

    // The user says the 19.62 USD card line paid it: the pair's own rate converts it.
    let (code, out, err) = burnrate(
        &db,
        &[
            "matches",
            "confirm",
            &format!("billing:{billing_id}"),
            &format!("bank:{bank_id}"),
        ],
    );
    assert_eq!(code, 0, "{out}{err}");
    let r = review_json(&db);
    assert_eq!(r["missing_rates"], serde_json::json!([]));
    assert_eq!(
        named(&r["money_trail"], "item", "subscriptions")["amount"],
        "19.62"
    );
    let eur = named(&r["conversions"], "original_currency", "EUR");
    assert_eq!(
        (
            eur["source"].as_str(),
            eur["original"].as_str(),
            eur["converted"].as_str(),
            eur["rate"].as_str()
        ),
        (
            Some("billing"),
            Some("18.00"),
            Some("19.62"),
            Some("matched pair")
        )
    );
    let gbp = named(&r["conversions"], "original_currency", "GBP");
    assert_eq!(gbp["rate"], "ecb");
    assert!(
        r["unmatched_bank"]
            .as_array()
            .unwrap()
            .iter()
            .all(|l| l["description"] != "ANTHROPIC TEAM PLAN")
    );
}
