//! The window's finishing touches, headless with `egui_kittest`: legend entries that hide and
//! show the chart's series, the question about ambiguous dates in the import preview, merging a
//! dropped burnrate ledger, and the review's reporting currency set in Settings. Widgets are
//! found by their labels, as a user would find them; no native dialog is opened.

// Test helpers unwrap: a panic there is a failed test. (clippy's allow-unwrap-in-tests covers
// #[test] functions only, not the helpers they call.)

use std::path::Path;

use burnrate::domain::import::{self, BankMapping, FileOptions};
use burnrate::store::{ImportMode, SourceMeta, Store};
use egui::accesskit::Role;
use egui_kittest::kittest::{NodeT as _, Queryable};

use crate::common::stored_bank_lines;
use crate::common::window::{drop_file, harness_for, import_files, settle, step_until};

const HEADER: &str = "start_time,end_time,start_time_iso,end_time_iso,amount_value,amount_currency,quantity,quantity_unit,line_item,user_id,api_key_id,project_id,organization_id,project_name,organization_name,user_email,api_source";
const WEB_INPUT: &str = "1793491200,1793577600,2026-11-01T00:00:00+00:00,2026-11-02T00:00:00+00:00,1.250000000000000000,usd,500000,tokens,\"gpt-4o-2024-08-06, input\",,key_a,proj_web,org-acme,Web app,Acme,,";
const WEB_OUTPUT: &str = "1793491200,1793577600,2026-11-01T00:00:00+00:00,2026-11-02T00:00:00+00:00,2.500000000000000000,usd,250000,tokens,\"gpt-4o-2024-08-06, output\",,key_a,proj_web,org-acme,Web app,Acme,,";
const BOT_INPUT: &str = "1793577600,1793664000,2026-11-02T00:00:00+00:00,2026-11-03T00:00:00+00:00,0.005000000000000000,usd,33333,tokens,\"gpt-4o-mini, input\",,key_b,proj_bot,org-acme,Support bot,Acme,,";

fn openai_cost(rows: &[&str]) -> String {
    let mut text = format!("{HEADER}\n");
    for row in rows {
        text.push_str(row);
        text.push('\n');
    }
    text
}

/// Imports `text` as the file `name` into the ledger at `db`, as `burnrate import` does.
fn import_into(db: &Path, name: &str, text: &str) {
    let path = db.with_file_name(name);
    std::fs::write(&path, text).unwrap();
    let mut store = Store::open(db).unwrap();
    let reports = burnrate::services::import::import_paths(
        &mut store,
        &[path],
        &FileOptions::default(),
        ImportMode::default(),
        &mut |_| true,
    )
    .unwrap();
    assert!(reports[0].error.is_none(), "{:?}", reports[0].error);
}

#[test]
fn a_legend_entry_hides_and_shows_its_series() {
    let dir = tempfile::tempdir().unwrap();
    let cost = dir.path().join("cost.csv");
    std::fs::write(&cost, openai_cost(&[WEB_INPUT, WEB_OUTPUT, BOT_INPUT])).unwrap();
    let mut harness = harness_for(dir.path());
    settle(&mut harness);
    import_files(&mut harness, vec![cost]);
    assert_eq!(harness.state().chart_series(), ["Web app", "Support bot"]);

    // The legend entry is a toggle named after its series.
    harness
        .get_by_role_and_label(Role::CheckBox, "Web app")
        .click();
    settle(&mut harness);
    assert_eq!(harness.state().chart_series(), ["Support bot"]);
    assert!(harness.state().prefs().hidden_projects.contains("Web app"));
    // Still in the legend (greyed), so it can be shown again.
    harness
        .get_by_role_and_label(Role::CheckBox, "Web app")
        .click();
    settle(&mut harness);
    assert_eq!(harness.state().chart_series(), ["Web app", "Support bot"]);
    assert!(harness.state().prefs().hidden_projects.is_empty());

    // Hidden models are kept apart from hidden projects.
    harness
        .get_by_role_and_label(Role::CheckBox, "Support bot")
        .click();
    settle(&mut harness);
    harness.get_by_label("Cost by model").click();
    settle(&mut harness);
    assert_eq!(
        harness.state().chart_series(),
        ["gpt-4o-2024-08-06", "gpt-4o-mini"]
    );
    harness.get_by_label("Cost by project").click();
    settle(&mut harness);
    assert_eq!(harness.state().chart_series(), ["Web app"]);
}

#[test]
fn ambiguous_dates_are_asked_about_and_the_answer_is_imported() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ledger.sqlite");
    let file = dir.path().join("mybank.csv");
    std::fs::write(
        &file,
        "Date,Text,Sum\n03/04/2026,OPENAI *CHATGPT SUBSCR,-20.00\n05/06/2026,Coffee,-3.20\n",
    )
    .unwrap();
    // A saved mapping that does not say the date order: the generic format has no convention.
    let (header, _) = import::read_header(&burnrate::services::import::file_opener(&file)).unwrap();
    let mapping = BankMapping {
        account: "bank".into(),
        date: "Date".into(),
        description: "Text".into(),
        amount: Some("Sum".into()),
        default_currency: Some("USD".into()),
        ..BankMapping::default()
    };
    Store::open(&db)
        .unwrap()
        .save_bank_mapping(&header.signature(), &mapping, "2026-11-20T10:00:00Z")
        .unwrap();

    let mut harness = harness_for(dir.path());
    settle(&mut harness);
    drop_file(&mut harness, file);
    step_until(&mut harness, "Import preview");
    harness.get_by_label_contains("reads both day-first and month-first");
    assert!(harness.query_by_label("Map the columns").is_none());
    harness.get_by_label("Day first (31/12)").click();
    step_until(&mut harness, "2 rows: 2 new");
    // The first records as they will be stored: 3 April, not March 4.
    harness.get_by_label("2026-04-03");
    harness.get_by_label("Import").click();
    step_until(&mut harness, "Import finished");
    harness.get_by_label("Close").click();
    settle(&mut harness);

    let days: Vec<String> = stored_bank_lines(&db)
        .into_iter()
        .map(|(day, _)| day)
        .collect();
    assert_eq!(days, ["2026-04-03", "2026-06-05"]);
}

#[test]
fn a_card_statement_without_a_currency_is_asked_about_once_and_imported_in_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ledger.sqlite");
    let file = dir.path().join("amex.csv");
    std::fs::write(
        &file,
        "Date,Description,Amount\n01/17/2026,OPENAI *CHATGPT SUBSCR,21.78\n01/15/2026,PAYMENT RECEIVED - THANK YOU,-99.99\n",
    )
    .unwrap();
    let mut harness = harness_for(dir.path());
    settle(&mut harness);
    drop_file(&mut harness, file);
    step_until(&mut harness, "Import preview");
    harness.get_by_label_contains("does not say which currency the card is in");
    assert!(harness.query_by_label("Map the columns").is_none());
    harness.get_by_label("GBP").click();
    step_until(&mut harness, "2 rows: 2 new");
    harness.get_by_label("Import").click();
    step_until(&mut harness, "Import finished");
    harness.get_by_label("Close").click();
    settle(&mut harness);

    let lines = stored_bank_lines(&db);
    assert_eq!(lines.len(), 2);
    assert!(lines.iter().all(|(_, c)| c == "GBP"), "{lines:?}");
}

#[test]
fn a_cloud_bill_preview_says_what_it_leaves_out() {
    let dir = tempfile::tempdir().unwrap();
    let file = crate::common::fixture("ai_bills/aws-cost-explorer-2026-q3.csv");
    let mut harness = harness_for(dir.path());
    settle(&mut harness);
    drop_file(&mut harness, file);
    step_until(&mut harness, "Import preview");
    harness.get_by_label_contains("read as AWS Cost Explorer download");
    harness.get_by_label_contains("3 rows: 5 new");
    harness.get_by_label("8 rows of other services left out (not AI spend): $443.45");
}

#[test]
fn the_ambiguous_dates_report_field_is_structural() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ledger.sqlite");
    let file = dir.path().join("mybank.csv");
    std::fs::write(&file, "Date,Text,Sum\n03/04/2026,Tea,-2.00\n").unwrap();
    let open = burnrate::services::import::file_opener(&file);
    let mapping = BankMapping {
        account: "bank".into(),
        date: "Date".into(),
        description: "Text".into(),
        amount: Some("Sum".into()),
        default_currency: Some("USD".into()),
        ..BankMapping::default()
    };
    let meta = SourceMeta {
        name: "mybank.csv".into(),
        path: file.display().to_string(),
        imported_at: "2026-11-20T10:00:00Z".into(),
    };
    let mut store = Store::open(&db).unwrap();
    let mut options = FileOptions {
        mapping: Some(mapping),
        ..FileOptions::default()
    };
    let dry = ImportMode {
        strict: false,
        dry_run: true,
    };
    let report = store
        .import_file(&open, &meta, &options, dry, &mut |_| true)
        .unwrap();
    assert!(report.ambiguous_dates);
    assert!(report.error.as_deref().unwrap().contains("--date-order"));
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["ambiguous_dates"], true);

    options.date_order = Some(import::DateOrder::MonthFirst);
    let report = store
        .import_file(&open, &meta, &options, dry, &mut |_| true)
        .unwrap();
    assert!(!report.ambiguous_dates);
    assert!(report.error.is_none());
    // Left out of the JSON when false, so `burnrate import --json` output is unchanged.
    let json = serde_json::to_value(&report).unwrap();
    assert!(json.get("ambiguous_dates").is_none());
}

#[test]
fn a_dropped_ledger_is_previewed_and_merged() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ledger.sqlite");
    // This ledger holds the Web app's usage; the team member's holds that and the bot's.
    import_into(&db, "mine.csv", &openai_cost(&[WEB_INPUT, WEB_OUTPUT]));
    let theirs_dir = tempfile::tempdir().unwrap();
    let theirs = theirs_dir.path().join("team-member.sqlite");
    import_into(
        &theirs,
        "theirs.csv",
        &openai_cost(&[WEB_INPUT, WEB_OUTPUT, BOT_INPUT]),
    );

    let mut harness = harness_for(dir.path());
    settle(&mut harness);
    assert_eq!(harness.state().chart_series(), ["Web app"]);
    drop_file(&mut harness, theirs);
    step_until(&mut harness, "Import preview");
    harness.get_by_label("read as burnrate ledger");
    harness.get_by_label_contains("3 rows: 1 new, 2 duplicate");
    // The dry run wrote nothing.
    assert_eq!(Store::open(&db).unwrap().counts().unwrap().0, 2);

    harness.get_by_label("Import").click();
    step_until(&mut harness, "Import finished");
    harness.get_by_label_contains("1 new, 0 updated, 2 duplicate");
    harness.get_by_label("Close").click();
    settle(&mut harness);
    assert_eq!(Store::open(&db).unwrap().counts().unwrap().0, 3);
    assert_eq!(harness.state().chart_series(), ["Web app", "Support bot"]);
}

#[test]
fn the_reporting_currency_set_in_settings_heads_the_review() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ledger.sqlite");
    import_into(&db, "cost.csv", &openai_cost(&[WEB_INPUT, BOT_INPUT]));
    let mut harness = harness_for(dir.path());
    settle(&mut harness);
    harness.get_by_label("Settings").click();
    settle(&mut harness);
    harness
        .get_by_role_and_label(Role::ComboBox, "Reporting currency")
        .click();
    settle(&mut harness);
    harness.get_by_label("EUR").click();
    settle(&mut harness);
    assert_eq!(
        Store::open(&db)
            .unwrap()
            .setting("reporting_currency")
            .unwrap()
            .as_deref(),
        Some("EUR")
    );
    harness.get_by_label("Review").click();
    step_until(&mut harness, "By provider (EUR)");

    // Any three-letter code can be typed; anything else cannot be saved.
    harness.get_by_label("Settings").click();
    settle(&mut harness);
    harness.get_by_label("Currency code").click();
    harness.get_by_label("Currency code").type_text("n1");
    settle(&mut harness);
    assert!(
        harness
            .get_by_label("Use code")
            .accesskit_node()
            .is_disabled()
    );
    harness.key_press(egui::Key::Backspace);
    harness.get_by_label("Currency code").type_text("zd");
    settle(&mut harness);
    harness.get_by_label("Use code").click();
    settle(&mut harness);
    assert_eq!(
        Store::open(&db)
            .unwrap()
            .setting("reporting_currency")
            .unwrap()
            .as_deref(),
        Some("NZD")
    );
}
