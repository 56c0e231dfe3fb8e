//! The window's flows, headless with `egui_kittest`: empty state, dropping a file, the import
//! preview, importing, the dashboard showing the data, and undoing the import. Widgets are found
//! by their labels, as a user would find them.

// Test helpers unwrap: a panic there is a failed test. (clippy's allow-unwrap-in-tests covers
// #[test] functions only, not the helpers they call.)
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use burnrate::app::{App, Config, Prefs};
use chrono::NaiveDate;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

/// A file dropped on the window, as the native integration hands it over.
#[derive(Debug)]
struct Dropped(PathBuf);

impl egui::DroppedFile for Dropped {
    fn path(&self) -> &Path {
        &self.0
    }

    fn bytes(&self) -> Result<Vec<u8>, String> {
        std::fs::read(&self.0).map_err(|e| e.to_string())
    }
}

const OPENAI_COST: &str = "\
start_time,end_time,start_time_iso,end_time_iso,amount_value,amount_currency,quantity,quantity_unit,line_item,user_id,api_key_id,project_id,organization_id,project_name,organization_name,user_email,api_source
1793491200,1793577600,2026-11-01T00:00:00+00:00,2026-11-02T00:00:00+00:00,1.250000000000000000,usd,500000,tokens,\"gpt-4o-2024-08-06, input\",,key_a,proj_web,org-acme,Web app,Acme,,
1793491200,1793577600,2026-11-01T00:00:00+00:00,2026-11-02T00:00:00+00:00,2.500000000000000000,usd,250000,tokens,\"gpt-4o-2024-08-06, output\",,key_a,proj_web,org-acme,Web app,Acme,,
1793577600,1793664000,2026-11-02T00:00:00+00:00,2026-11-03T00:00:00+00:00,0.005000000000000000,usd,33333,tokens,\"gpt-4o-mini, input\",,key_b,proj_bot,org-acme,Support bot,Acme,,
";

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 20).unwrap()
}

fn harness_for(dir: &Path) -> Harness<'static, App> {
    let config = Config {
        db: dir.join("ledger.sqlite"),
        demo_path: dir.join("demo.sqlite"),
        start_in_demo: false,
        today: today(),
        native_dialogs: false,
    };
    let app = App::new(config, Prefs::default()).unwrap();
    Harness::builder()
        .with_size(egui::vec2(1280.0, 800.0))
        .build_ui_state(|ui, app: &mut App| app.frame_ui(ui), app)
}

/// Steps the window until `label` appears (background work reports through a channel), then
/// lets it settle: a new window is laid out invisibly on its first frame.
fn step_until(harness: &mut Harness<'static, App>, label: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        harness.step();
        if harness.query_by_label_contains(label).is_some() {
            harness.run();
            return;
        }
        assert!(Instant::now() < deadline, "'{label}' never appeared");
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn drop_file(harness: &mut Harness<'static, App>, path: PathBuf) {
    harness
        .input_mut()
        .dropped_files
        .push(Arc::new(Dropped(path)));
    harness.step();
}

#[test]
fn drop_preview_import_and_undo() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("cost_2026-11-01_2026-11-02.csv");
    std::fs::write(&file, OPENAI_COST).unwrap();
    let mut harness = harness_for(dir.path());
    harness.run_steps(2);

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
    harness.run();
    assert!(harness.query_by_label("Open demo").is_none());
    assert!(harness.query_all_by_label("$3.76").count() >= 2); // this month and total
    // In the chart's legend and in the usage table.
    assert!(harness.query_all_by_label("Web app").count() >= 2);
    assert!(harness.query_all_by_label("Support bot").count() >= 2);
    harness.get_by_label_contains("3 usage");

    // Undo in the import history removes the records again.
    harness.get_by_label("Imports").click();
    harness.run();
    harness.get_by_label("cost_2026-11-01_2026-11-02.csv");
    harness.get_by_label("Undo").click();
    harness.run();
    harness.get_by_label_contains("removed 3 record(s)");
    harness.get_by_label("Open demo");
    let store = burnrate::store::Store::open(&dir.path().join("ledger.sqlite")).unwrap();
    assert_eq!(store.counts().unwrap().0, 0);
    assert!(store.source_files().unwrap().is_empty());
}

#[test]
fn an_unrecognised_file_explains_burnrate_map() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("mybank.csv");
    std::fs::write(&file, "Booked,Text,Sum\n2026-11-01,Coffee,-3.20\n").unwrap();
    let mut harness = harness_for(dir.path());
    harness.run_steps(2);
    drop_file(&mut harness, file);
    step_until(&mut harness, "Import preview");
    harness.get_by_label_contains("does not recognise this file's columns");
    assert!(harness.query_all_by_label_contains("burnrate map").count() >= 1);
    harness.get_by_label("Cancel").click();
    harness.run();
    assert!(harness.query_by_label_contains("Import preview").is_none());
    harness.get_by_label("Open demo");
}

#[test]
fn the_demo_opens_beside_an_empty_ledger() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = harness_for(dir.path());
    harness.run_steps(2);
    harness.get_by_label("Open demo").click();
    harness.run_steps(3);
    harness.get_by_label("Demo ledger");
    harness.get_by_label("Cost by model").click();
    harness.run_steps(2);
    harness.get_by_label("gpt-4o-mini");
    assert_eq!(
        harness.state().ledger_path(),
        dir.path().join("demo.sqlite")
    );
    let own = burnrate::store::Store::open(&dir.path().join("ledger.sqlite")).unwrap();
    assert_eq!(own.counts().unwrap(), (0, 0, 0, 0));
    harness.get_by_label("Open my ledger").click();
    harness.run_steps(3);
    harness.get_by_label("Open demo");
}

/// Not a benchmark: a guard that a frame of the demo dashboard stays cheap (views are cached, the
/// tables draw only visible rows). Prints the mean frame time.
#[test]
fn demo_frames_are_cheap() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = harness_for(dir.path());
    harness.run_steps(2);
    harness.get_by_label("Open demo").click();
    harness.run();
    let frames = 60_u32;
    let start = Instant::now();
    for _ in 0..frames {
        harness.step();
    }
    let mean = start.elapsed() / frames;
    eprintln!("mean frame time on the demo: {mean:?}");
    assert!(mean < Duration::from_millis(250), "{mean:?} per frame");
}
