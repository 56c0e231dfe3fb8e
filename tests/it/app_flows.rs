//! The window's flows, headless with `egui_kittest`: empty state, dropping a file, the import
//! preview, importing, the dashboard showing the data, and undoing the import. Widgets are found
//! by their labels, as a user would find them.

// Test helpers unwrap: a panic there is a failed test. (clippy's allow-unwrap-in-tests covers
// #[test] functions only, not the helpers they call.)

use std::path::PathBuf;
use std::time::{Duration, Instant};

use burnrate::app::{Config, Prefs};
use egui::accesskit::Role;
use egui_kittest::kittest::{NodeT as _, Queryable};

use crate::common::fixture;
use crate::common::window::{
    config, drop_file, drop_files, harness, harness_for, import_files, settle, step_until,
};

const OPENAI_COST: &str = "\
start_time,end_time,start_time_iso,end_time_iso,amount_value,amount_currency,quantity,quantity_unit,line_item,user_id,api_key_id,project_id,organization_id,project_name,organization_name,user_email,api_source
1793491200,1793577600,2026-11-01T00:00:00+00:00,2026-11-02T00:00:00+00:00,1.250000000000000000,usd,500000,tokens,\"gpt-4o-2024-08-06, input\",,key_a,proj_web,org-acme,Web app,Acme,,
1793491200,1793577600,2026-11-01T00:00:00+00:00,2026-11-02T00:00:00+00:00,2.500000000000000000,usd,250000,tokens,\"gpt-4o-2024-08-06, output\",,key_a,proj_web,org-acme,Web app,Acme,,
1793577600,1793664000,2026-11-02T00:00:00+00:00,2026-10-28T00:00:00+00:00,0.005000000000000000,usd,33333,tokens,\"gpt-4o-mini, input\",,key_b,proj_bot,org-acme,Support bot,Acme,,
";

/// A burnrate billing CSV that plants a duplicate top-up: two $50 credit purchases five minutes
/// apart.
const BILLING_DOUBLE: &str = "\
date,provider,number,kind,amount,currency,status,expires_at,description,organization,project
2026-10-28T10:02:00Z,openai,INV-1,credit_purchase,50.00,USD,paid,,API credits,Acme,
2026-10-28T10:07:00Z,openai,INV-2,credit_purchase,50.00,USD,paid,,API credits,Acme,
";

#[test]
fn drop_preview_import_and_undo() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("cost_2026-11-01_2026-11-02.csv");
    std::fs::write(&file, OPENAI_COST).unwrap();
    let mut harness = harness_for(dir.path());
    settle(&mut harness);

    // The empty state offers both ways in.
    assert!(harness.query_all_by_label("Import files...").count() >= 1);
    harness.get_by_label("Open demo");

    // Dropping the file previews it; nothing is written yet.
    drop_file(&mut harness, file);
    step_until(&mut harness, "Import preview");
    harness.get_by_label("read as OpenAI cost export");
    harness.get_by_label_contains("3 rows: 3 new, 0 duplicate, 0 updated, 0 rejected");
    assert_eq!(
        burnrate::store::Store::open(&dir.path().join("ledger.sqlite"))
            .unwrap()
            .counts()
            .unwrap()
            .0,
        0,
        "the preview wrote to the ledger"
    );

    // Importing shows a summary, then the dashboard shows the data.
    harness.get_by_label("Import").click();
    step_until(&mut harness, "Import finished");
    harness.get_by_label("Close").click();
    settle(&mut harness);
    assert!(harness.query_by_label("Open demo").is_none());
    assert!(harness.query_all_by_label("$3.76").count() >= 2); // this month and in range
    // In the chart's legend, then in the usage table.
    harness.get_by_label("Web app");
    harness.get_by_label("Support bot");
    harness.get_by_label("Ledger").click();
    settle(&mut harness);
    assert!(harness.query_all_by_label("Web app").count() >= 2);
    harness.get_by_label_contains("3 rows");

    // Undo in the import history removes the records again.
    harness.get_by_label("Imports").click();
    settle(&mut harness);
    harness.get_by_label("cost_2026-11-01_2026-11-02.csv");
    harness.get_by_label("Undo").click();
    // The undo runs on the import thread; the window keeps drawing meanwhile.
    step_until(&mut harness, "removed 3 record(s)");
    harness.get_by_label("Open demo");
    let store = burnrate::store::Store::open(&dir.path().join("ledger.sqlite")).unwrap();
    assert_eq!(store.counts().unwrap().0, 0);
    assert!(store.source_files().unwrap().is_empty());
}

#[test]
/// Issue 10: the window speaks in buttons, the command line in flags: an unrecognised file
/// offers the mapping editor, never `burnrate map FILE --date COLUMN` or `--as FORMAT`.
fn an_unrecognised_file_offers_the_mapping_editor_not_command_line_flags() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("mybank.csv");
    std::fs::write(&file, "Booked,Text,Sum\n2026-11-01,Coffee,-3.20\n").unwrap();
    let mut harness = harness_for(dir.path());
    settle(&mut harness);
    drop_file(&mut harness, file);
    step_until(&mut harness, "Import preview");
    harness.get_by_label_contains("does not recognise this file's columns");
    harness.get_by_label("Map the columns");
    harness.get_by_label_contains("say below which column holds what");
    assert!(harness.query_by_label_contains("burnrate map").is_none());
    assert!(harness.query_by_label_contains("--as").is_none());
    harness.get_by_label("Cancel").click();
    settle(&mut harness);
    assert!(harness.query_by_label_contains("Import preview").is_none());
    harness.get_by_label("Open demo");
}

#[test]
fn the_demo_opens_beside_an_empty_ledger() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = harness_for(dir.path());
    settle(&mut harness);
    harness.get_by_label("Open demo").click();
    // The demo is built on its own thread: the window keeps drawing and says so (the click is
    // taken in the first frame, the message drawn in the next).
    harness.step();
    harness.step();
    harness.get_by_label_contains("Building the demo ledger");
    settle(&mut harness);
    harness.get_by_label("You are looking at the demo ledger");
    harness.get_by_label("Cost by model").click();
    settle(&mut harness);
    harness.get_by_label("gpt-4o-mini");
    assert_eq!(
        harness.state().ledger_path(),
        dir.path().join("demo.sqlite")
    );
    let own = burnrate::store::Store::open(&dir.path().join("ledger.sqlite")).unwrap();
    assert_eq!(own.counts().unwrap(), (0, 0, 0, 0));
    harness.get_by_label("Start my own ledger").click();
    settle(&mut harness);
    harness.get_by_label("Open demo");
    assert!(!harness.state().is_demo());
}

#[test]
fn a_dismissed_flag_stays_dismissed_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let cost = dir.path().join("cost_2026-11-01_2026-11-02.csv");
    std::fs::write(&cost, OPENAI_COST).unwrap();
    let billing = dir.path().join("billing.csv");
    std::fs::write(&billing, BILLING_DOUBLE).unwrap();
    let mut harness = harness_for(dir.path());
    settle(&mut harness);
    import_files(&mut harness, vec![cost, billing]);

    // The duplicate top-up is flagged.
    harness.get_by_label_contains("Flags (").click();
    settle(&mut harness);
    harness.get_by_label_contains("open flag(s)");
    harness.get_by_label_contains("2 top-ups of 50.00 USD");
    // The doctor follows the top-up.
    harness.get_by_label("Top-up doctor").click();
    settle(&mut harness);
    assert!(harness.query_all_by_label_contains("credited ok").count() >= 1);
    harness.get_by_label("Close doctor").click();
    settle(&mut harness);

    // Dismiss it with a note.
    harness.get_by_label("Dismiss note").click();
    settle(&mut harness);
    harness
        .get_by_label("Dismiss note")
        .type_text("Refunded by support");
    settle(&mut harness);
    harness.get_by_label("Dismiss").click();
    settle(&mut harness);
    harness.get_by_label_contains("0 open flag(s)");
    let flag_ids: Vec<String> = burnrate::store::Store::open(&dir.path().join("ledger.sqlite"))
        .unwrap()
        .dismissed_flags()
        .unwrap()
        .into_iter()
        .map(|d| d.flag_id)
        .collect();
    assert_eq!(flag_ids.len(), 1);
    drop(harness);

    // A restart on the same ledger: still dismissed, the note kept.
    let mut harness = harness_for(dir.path());
    settle(&mut harness);
    harness.get_by_label("Flags").click();
    settle(&mut harness);
    harness.get_by_label_contains("0 open flag(s)");
    harness.get_by_label("Show 1 dismissed").click();
    settle(&mut harness);
    harness.get_by_label_contains("Refunded by support");
}

#[test]
fn a_project_filter_changes_the_chart_series() {
    let dir = tempfile::tempdir().unwrap();
    let cost = dir.path().join("cost_2026-11-01_2026-11-02.csv");
    std::fs::write(&cost, OPENAI_COST).unwrap();
    let mut harness = harness_for(dir.path());
    settle(&mut harness);
    import_files(&mut harness, vec![cost]);
    assert_eq!(harness.state().chart_series(), ["Web app", "Support bot"]);
    harness
        .get_by_role_and_label(egui::accesskit::Role::ComboBox, "Project")
        .click();
    settle(&mut harness);
    // The popup's entry is a button (the legend's is a plain label).
    harness
        .get_by_role_and_label(egui::accesskit::Role::Button, "Support bot")
        .click();
    settle(&mut harness);
    assert_eq!(harness.state().chart_series(), ["Support bot"]);
    assert_eq!(harness.state().prefs().filters.project, "Support bot");
}

#[test]
fn the_mapping_editor_saves_a_mapping_and_the_import_succeeds() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("mybank.csv");
    std::fs::write(
        &file,
        "Booked,Text,Sum\n2026-11-01,OPENAI *CHATGPT SUBSCR,-20.00\n2026-11-02,Coffee,-3.20\n",
    )
    .unwrap();
    let mut harness = harness_for(dir.path());
    settle(&mut harness);
    drop_file(&mut harness, file.clone());
    step_until(&mut harness, "Import preview");
    // The editor guessed the columns, but nothing says the currency: it cannot be saved yet.
    harness.get_by_label("Map the columns");
    harness.get_by_label_contains("does not say which currency the amounts are in");
    assert!(
        harness
            .get_by_label("Save mapping")
            .accesskit_node()
            .is_disabled()
    );
    harness
        .get_by_role_and_label(Role::TextInput, "Currency if none")
        .click();
    harness
        .get_by_role_and_label(Role::TextInput, "Currency if none")
        .type_text("eur");
    step_until(
        &mut harness,
        "Preview: 2 rows read, 2 record(s), 0 rejected",
    );
    harness.get_by_label("Save mapping").click();
    step_until(&mut harness, "read as Bank CSV with a saved column mapping");
    harness.get_by_label_contains("2 rows: 2 new");
    harness.get_by_label("Import").click();
    step_until(&mut harness, "Import finished");
    harness.get_by_label("Close").click();
    settle(&mut harness);
    let store = burnrate::store::Store::open(&dir.path().join("ledger.sqlite")).unwrap();
    assert_eq!(store.counts().unwrap().2, 2);
    let lines = crate::common::stored_bank_lines(&dir.path().join("ledger.sqlite"));
    assert!(
        lines.len() == 2 && lines.iter().all(|(_, c)| c == "EUR"),
        "{lines:?}"
    );
    // The same header next time is read with the saved mapping, without the editor.
    let again = dir.path().join("mybank-december.csv");
    std::fs::write(&again, "Booked,Text,Sum\n2026-12-01,Tea,-2.50\n").unwrap();
    drop_file(&mut harness, again);
    step_until(&mut harness, "Import preview");
    harness.get_by_label("read as Bank CSV with a saved column mapping");
    assert!(harness.query_by_label("Map the columns").is_none());
}

/// Not a benchmark: a guard that a frame of the demo dashboard stays cheap (views are cached, the
/// tables draw only visible rows). Prints the mean frame time.
#[test]
fn demo_frames_are_cheap() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = harness_for(dir.path());
    settle(&mut harness);
    harness.get_by_label("Open demo").click();
    settle(&mut harness);
    let frames = 60_u32;
    let start = Instant::now();
    for _ in 0..frames {
        harness.step();
    }
    let mean = start.elapsed() / frames;
    eprintln!("mean frame time on the demo: {mean:?}");
    assert!(mean < Duration::from_millis(250), "{mean:?} per frame");
}

/// Issue 10, "Losing the first import": files dropped on the demo (the first-run default, or
/// `--demo`) start the user's own ledger, the preview says so, the demo is never written, and
/// the window shows the user's ledger after the import.
#[test]
fn files_dropped_on_the_demo_start_the_users_own_ledger() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("data").join("ledger.sqlite");
    let demo = dir.path().join("demo.sqlite");
    burnrate::services::demo::build(&demo, &db).unwrap();
    let demo_before = burnrate::store::Store::open(&demo)
        .unwrap()
        .counts()
        .unwrap();
    let fixtures = fixture("scenario");
    let files: Vec<PathBuf> = ["openai-cost.csv", "billing.csv", "chase-card.csv"]
        .iter()
        .map(|name| fixtures.join(name))
        .collect();
    let config = Config {
        db: db.clone(),
        start_in_demo: true,
        ..config(dir.path())
    };
    let mut harness = harness(config, Prefs::default());
    settle(&mut harness);
    harness.get_by_label("You are looking at the demo ledger");
    assert!(!db.exists(), "opening the demo created the user's ledger");

    drop_files(&mut harness, files);
    step_until(&mut harness, "Import preview");
    harness.get_by_label(&format!(
        "These files go into your new ledger at {}; the demo stays as it is.",
        db.display()
    ));
    // Every record is new: the files are compared with the user's (empty) ledger, not the demo.
    assert_eq!(
        harness.query_all_by_label_contains(" 0 duplicate").count(),
        3
    );
    assert!(!db.exists(), "the preview created the user's ledger");

    harness.get_by_label("Import").click();
    step_until(&mut harness, "Import finished");
    harness.get_by_label("Close").click();
    settle(&mut harness);
    assert!(!harness.state().is_demo());
    assert_eq!(harness.state().ledger_path(), db);
    assert!(
        harness
            .query_by_label("You are looking at the demo ledger")
            .is_none()
    );

    let own = burnrate::store::Store::open(&db).unwrap();
    assert_eq!(own.source_files().unwrap().len(), 3);
    let (usage, billing, bank, _) = own.counts().unwrap();
    assert!(usage > 0 && billing > 0 && bank > 0, "{:?}", own.counts());
    assert_eq!(
        burnrate::store::Store::open(&demo)
            .unwrap()
            .counts()
            .unwrap(),
        demo_before,
        "the demo was written"
    );
}

/// With `--demo` over an existing ledger, the files go into that ledger (not a new one).
#[test]
fn files_dropped_on_the_demo_join_an_existing_own_ledger() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ledger.sqlite");
    let demo = dir.path().join("demo.sqlite");
    let first = dir.path().join("cost_2026-11-01_2026-11-02.csv");
    std::fs::write(&first, OPENAI_COST).unwrap();
    {
        let mut harness = harness_for(dir.path());
        settle(&mut harness);
        import_files(&mut harness, vec![first.clone()]);
    }
    burnrate::services::demo::build(&demo, &db).unwrap();
    let config = Config {
        start_in_demo: true,
        ..config(dir.path())
    };
    let mut harness = harness(config, Prefs::default());
    settle(&mut harness);
    drop_file(&mut harness, first);
    step_until(&mut harness, "Import preview");
    harness.get_by_label(&format!(
        "These files go into your ledger at {}; the demo stays as it is.",
        db.display()
    ));
    // Compared with the user's ledger, which already holds these rows.
    harness.get_by_label_contains("3 rows: 0 new, 3 duplicate");
}

/// A merchant rule added in the window is stored and re-tags the bank lines it names, off the
/// window's thread (the views thread applies the command), and the message says how many.
#[test]
fn a_merchant_rule_from_the_window_retags_the_bank_lines() {
    use burnrate::domain::merchants::MerchantRule;
    use burnrate::domain::records::SpendKind;
    use burnrate::ui::{Action, LedgerCommand};

    let dir = tempfile::tempdir().unwrap();
    let mut harness = harness_for(dir.path());
    settle(&mut harness);
    let card = fixture("scenario/chase-card.csv");
    import_files(&mut harness, vec![card]);
    harness
        .state_mut()
        .queue_action(Action::Ledger(LedgerCommand::AddMerchantRule(
            MerchantRule::new("STARBUCKS", "coffee", SpendKind::Other),
        )));
    step_until(&mut harness, "Added the rule; 1 bank line(s) re-tagged.");
    let conn = rusqlite::Connection::open(dir.path().join("ledger.sqlite")).unwrap();
    let provider: Option<String> = conn
        .query_row(
            "SELECT provider FROM bank_lines WHERE description LIKE 'STARBUCKS%'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(provider.as_deref(), Some("coffee"));
    let rules: i64 = conn
        .query_row("SELECT COUNT(*) FROM merchant_rules", [], |r| r.get(0))
        .unwrap();
    assert_eq!(rules, 1);
}

/// A folder dropped on the window previews the files in it, sub-folders included, in name
/// order, and imports them.
#[test]
fn a_dropped_folder_previews_and_imports_its_files() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("exports");
    std::fs::create_dir_all(folder.join("cards")).unwrap();
    let fixtures = fixture("scenario");
    std::fs::copy(
        fixtures.join("openai-cost.csv"),
        folder.join("openai-cost.csv"),
    )
    .unwrap();
    std::fs::copy(
        fixtures.join("chase-card.csv"),
        folder.join("cards/chase.csv"),
    )
    .unwrap();
    let mut harness = harness_for(dir.path());
    settle(&mut harness);
    drop_file(&mut harness, folder);
    step_until(&mut harness, "Import preview");
    harness.get_by_label_contains("2 of 2 file(s) can be imported");
    harness.get_by_label("chase.csv");
    harness.get_by_label("openai-cost.csv");
    harness.get_by_label("Import").click();
    step_until(&mut harness, "Import finished");
    let store = burnrate::store::Store::open(&dir.path().join("ledger.sqlite")).unwrap();
    assert_eq!(store.source_files().unwrap().len(), 2);
}

#[test]
fn a_dropped_mailbox_says_how_many_messages_were_not_receipts() {
    let dir = tempfile::tempdir().unwrap();
    let mbox = fixture("receipts/takeout-all-mail.mbox");
    let mut harness = harness_for(dir.path());
    settle(&mut harness);
    drop_file(&mut harness, mbox);
    step_until(&mut harness, "Import preview");
    harness.get_by_label("3 messages were not receipts (not stored)");
    harness.get_by_label("Import").click();
    step_until(&mut harness, "Import finished");
    harness.get_by_label_contains("3 messages were not receipts (not stored).");
}

/// Issue 10: what the command line imports while the window is open shows up without a
/// restart or a click (the views thread watches the ledger), and "Refresh" is there too.
#[test]
fn an_import_by_the_command_line_shows_up_in_the_open_window() {
    let dir = tempfile::tempdir().unwrap();
    let cost = dir.path().join("cost_2026-11-01_2026-11-02.csv");
    std::fs::write(&cost, OPENAI_COST).unwrap();
    let mut harness = harness_for(dir.path());
    settle(&mut harness);
    import_files(&mut harness, vec![cost]);
    harness.get_by_label("Ledger").click();
    settle(&mut harness);
    harness.get_by_label("Imports").click();
    settle(&mut harness);
    assert!(harness.query_by_label("billing.csv").is_none());
    let billing = fixture("scenario/billing.csv");
    let out = crate::common::run(
        &dir.path().join("ledger.sqlite"),
        &["import", billing.to_str().unwrap()],
    );
    assert!(out.status.success(), "{}", crate::common::stderr(&out));
    step_until(&mut harness, "billing.csv");
    harness.get_by_label("Refresh").click();
    settle(&mut harness);
    harness.get_by_label("billing.csv");
}

/// Issue 10: where the platform has no file dialog, "Import files..." asks for a path instead
/// of doing nothing, and the typed path is previewed like a dropped file.
#[test]
fn without_a_file_dialog_import_asks_for_a_path() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("cost_2026-11-01_2026-11-02.csv");
    std::fs::write(&file, OPENAI_COST).unwrap();
    let mut harness = harness_for(dir.path());
    settle(&mut harness);
    harness
        .query_all_by_label("Import files...")
        .next()
        .unwrap()
        .click();
    step_until(&mut harness, "Import a file or folder");
    harness.get_by_label_contains("There is no file dialog here");
    // The field suggests the home folder; typing the file's name after a folder of the test's
    // own would not reach it, so the path is set as the field would set it.
    harness.get_by_role_and_label(egui::accesskit::Role::TextInput, "Path");
    harness
        .state_mut()
        .queue_action(burnrate::ui::Action::SetPromptPath(
            file.display().to_string(),
        ));
    settle(&mut harness);
    harness.get_by_label("Preview the import").click();
    step_until(&mut harness, "Import preview");
    harness.get_by_label_contains("3 rows: 3 new");
}

/// Issue 10: the billing template is reachable from the empty state, and each ledger table
/// exports to CSV with the rows shown, formula-safe.
#[test]
fn the_billing_template_and_a_table_export_are_saved_from_the_window() {
    use burnrate::ui::Action;

    let dir = tempfile::tempdir().unwrap();
    let mut harness = harness_for(dir.path());
    settle(&mut harness);
    harness.get_by_label("Save billing template...");
    let template = dir.path().join("billing.csv");
    harness
        .state_mut()
        .queue_action(Action::SaveBillingTemplate(Some(template.clone())));
    step_until(&mut harness, "Saved the billing template");
    let text = std::fs::read_to_string(&template).unwrap();
    assert!(
        text.starts_with("date,provider,number,kind,amount,currency"),
        "{text}"
    );
    // The template imports as it is (its example rows are of early 2026: show every date).
    import_files(&mut harness, vec![template]);
    harness
        .state_mut()
        .set_filters(burnrate::domain::views::Filters {
            range: burnrate::domain::views::DateRange::All,
            ..burnrate::domain::views::Filters::default()
        });
    harness.get_by_label("Ledger").click();
    settle(&mut harness);
    harness.get_by_label("Billing").click();
    settle(&mut harness);
    harness.get_by_label("Export CSV...");
    let csv = dir.path().join("export.csv");
    harness
        .state_mut()
        .queue_action(Action::ExportTable(Some(csv.clone())));
    step_until(&mut harness, "row(s) to");
    let exported = std::fs::read_to_string(&csv).unwrap();
    let mut lines = exported.lines();
    assert_eq!(
        lines.next(),
        Some("day,provider,kind,number,status,amount,currency,description")
    );
    assert!(lines.count() >= 3, "{exported}");
}

/// Issue 10: a billing record seen only on a provider's page is typed in the window; it is
/// stored like an imported one (typing it twice adds it once) and can be undone.
#[test]
fn a_billing_record_is_typed_in_the_window() {
    use egui::accesskit::Role;

    let dir = tempfile::tempdir().unwrap();
    let mut harness = harness_for(dir.path());
    settle(&mut harness);
    for round in 0..2 {
        if round == 1 {
            // The ledger is not empty any more: the form is on the Billing table.
            harness.get_by_label("Ledger").click();
            settle(&mut harness);
            harness.get_by_label("Billing").click();
            settle(&mut harness);
        }
        harness
            .query_all_by_label("Add a billing record...")
            .next()
            .unwrap()
            .click();
        step_until(&mut harness, "Add a billing record");
        // The second time the form offers the provider already in the ledger.
        if round == 0 {
            harness
                .get_by_role_and_label(Role::TextInput, "Provider")
                .click();
            harness
                .get_by_role_and_label(Role::TextInput, "Provider")
                .type_text("openai");
        }
        harness
            .get_by_role_and_label(Role::TextInput, "Amount")
            .click();
        harness
            .get_by_role_and_label(Role::TextInput, "Amount")
            .type_text("20.00");
        settle(&mut harness);
        harness.get_by_label("Save record").click();
        let expected = if round == 0 {
            "Added the credit purchase of $20.00 for openai on 2026-11-20"
        } else {
            "The ledger already has this record"
        };
        step_until(&mut harness, expected);
    }
    let store = burnrate::store::Store::open(&dir.path().join("ledger.sqlite")).unwrap();
    assert_eq!(store.counts().unwrap().1, 1);
    let files = store.source_files().unwrap();
    assert_eq!(
        files.first().map(|f| f.name.as_str()),
        Some("typed in the window")
    );
}

/// Issue 10: flag thresholds read as meanings in their units (money, not cents) and are typed
/// as money: 20.00 typed in the spike field is stored as `burnrate settings threshold
/// spike_min_cents 2000` stores it.
#[test]
fn a_flag_threshold_is_shown_and_typed_as_money() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ledger.sqlite");
    let cost = dir.path().join("cost.csv");
    std::fs::write(&cost, OPENAI_COST).unwrap();
    crate::common::run(&db, &["import", cost.to_str().unwrap()]);
    // Tall enough that the thresholds are on screen without scrolling (clicks land on pixels).
    let mut harness = crate::common::window::harness_sized(
        config(dir.path()),
        Prefs::default(),
        egui::vec2(1280.0, 1800.0),
    );
    settle(&mut harness);
    harness.get_by_label("Settings").click();
    step_until(&mut harness, "Flag thresholds");
    let spike = "Days costing less are never spikes";
    let field = harness.get_by_role_and_label(Role::SpinButton, spike);
    assert_eq!(field.value().as_deref(), Some("10.00"));
    let days = harness.get_by_role_and_label(Role::SpinButton, "A pending line is stuck after");
    assert_eq!(days.value().as_deref(), Some("7 days"));
    harness
        .get_by_role_and_label(Role::SpinButton, spike)
        .click();
    // The field turned into a text box holding "10.00", all selected: the typing replaces it.
    harness.run_ok();
    harness.event(egui::Event::Text("20.00".into()));
    harness.run_ok();
    harness.key_press(egui::Key::Enter);
    settle(&mut harness);
    let field = harness.get_by_role_and_label(Role::SpinButton, spike);
    assert_eq!(field.value().as_deref(), Some("20.00"));
    harness.get_by_label("Save thresholds").click();
    settle(&mut harness);
    let list = crate::common::json(&db, &["settings", "threshold", "list", "--json"]);
    let stored = list
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "spike_min_cents")
        .unwrap();
    assert_eq!(stored["value"], 2000, "{stored}");
    assert_eq!(stored["value_text"], "20.00");
}

/// A first import is often months old: with "Last 90 days" the chart is empty, and offers to
/// show all dates, after which the imported usage is drawn.
#[test]
fn an_empty_chart_offers_every_date_when_the_usage_is_older() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ledger.sqlite");
    let march = fixture("providers/anthropic-cost-2026-03.csv");
    crate::common::run(&db, &["import", march.to_str().unwrap()]);
    let mut harness = harness_for(dir.path());
    settle(&mut harness);
    harness.get_by_label_contains("No usage cost");
    harness
        .get_by_label(burnrate::ui::chart::SHOW_ALL_DATES)
        .click();
    settle(&mut harness);
    assert!(harness.query_by_label_contains("No usage cost").is_none());
    assert!(
        harness
            .query_by_label(burnrate::ui::chart::SHOW_ALL_DATES)
            .is_none()
    );
    assert_eq!(
        harness.state().prefs().filters.range,
        burnrate::domain::views::DateRange::All
    );
}

/// The demo is shown as of the last day of its files, whatever today's date: its month's cards
/// are not empty and the banner says the day; "Start my own ledger" then judges the user's ledger
/// as of today.
#[test]
fn the_demo_keeps_its_own_day_and_the_users_ledger_today() {
    let dir = tempfile::tempdir().unwrap();
    let today = chrono::NaiveDate::from_ymd_opt(2027, 2, 3).unwrap();
    let demo_day = burnrate::services::demo::last_day();
    let config = Config {
        start_in_demo: true,
        today,
        demo_today: demo_day,
        ..config(dir.path())
    };
    burnrate::services::demo::build(&config.demo_path, &config.db).unwrap();
    let mut harness = harness(config, Prefs::default());
    step_until(&mut harness, "You are looking at the demo ledger");
    harness.get_by_label_contains(&format!("sample data as of {demo_day}"));
    harness.get_by_label(&format!("Usage cost {}", demo_day.format("%Y-%m")));
    assert!(harness.query_by_label("Usage cost 2027-02").is_none());

    // The user's own ledger is judged as of today: after an import its cards are this month's.
    harness.get_by_label("Start my own ledger").click();
    step_until(&mut harness, "Drop exports");
    assert!(
        harness
            .query_by_label_contains("sample data as of")
            .is_none()
    );
    let file = dir.path().join("cost_2026-11-01_2026-11-02.csv");
    std::fs::write(&file, OPENAI_COST).unwrap();
    import_files(&mut harness, vec![file]);
    step_until(&mut harness, "Usage cost 2027-02");
}
