//! Frame cost of the window on a ledger of 1,000,000 usage rows.
//!
//! Run with `cargo bench --bench frames`. Builds the ledger from a generated OpenAI cost export
//! (the shape `benches/import.rs` uses, about 250 MB, in a temporary folder), then drives the real
//! app headless through `egui_kittest` (no GPU): it scrolls the usage table a page per frame,
//! switches the date range and the project filter every 40 frames, and draws the dashboard.
//! Prints the median, 95th percentile and worst CPU milliseconds per frame, with and without the
//! frames that ran a ledger query (a filter change, a new table page).

use std::io::{BufWriter, Write};
use std::time::{Duration, Instant};

use burnrate::app::{App, Config, Prefs};
use burnrate::domain::import::FileOptions;
use burnrate::domain::views::{DateRange, Filters};
use burnrate::store::{ImportMode, SourceMeta, Store};
use burnrate::ui::View;
use egui_kittest::Harness;

const ROWS: u64 = 1_000_000;
const FRAMES: usize = 240;

fn write_export(path: &std::path::Path) -> std::io::Result<()> {
    let mut w = BufWriter::new(std::fs::File::create(path)?);
    writeln!(
        w,
        "start_time,end_time,start_time_iso,end_time_iso,amount_value,amount_currency,quantity,quantity_unit,line_item,user_id,api_key_id,project_id,organization_id,project_name,organization_name,user_email,api_source"
    )?;
    let models = [
        "gpt-4o-2024-08-06",
        "gpt-4o-mini",
        "gpt-5-nano",
        "o3-mini",
        "text-embedding-3-small",
    ];
    let kinds = ["input", "output", "cached input"];
    let per_day = 2_000u64;
    for i in 0..ROWS {
        let day = i / per_day;
        let start = 1_735_689_600 + day * 86_400;
        let n = i % per_day;
        let model = models[usize::try_from(n % 5).unwrap_or(0)];
        let kind = kinds[usize::try_from((n / 5) % 3).unwrap_or(0)];
        let project = n / 15;
        writeln!(
            w,
            "{start},{},{}T00:00:00+00:00,,0.{:06}1234567890123456789012345,usd,{},tokens,\"{model}, {kind}\",,key_{},proj_{project},org-bench,Project {project},Bench,,",
            start + 86_400,
            chrono::DateTime::from_timestamp(i64::try_from(start).unwrap_or(0), 0)
                .map(|d| d.format("%Y-%m-%d").to_string())
                .unwrap_or_default(),
            i % 1_000_000,
            n * 7,
            n % 40,
        )?;
    }
    w.flush()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn summary(label: &str, mut times: Vec<Duration>) {
    if times.is_empty() {
        return;
    }
    times.sort();
    let at = |q: usize| {
        times
            .get((times.len() - 1) * q / 100)
            .copied()
            .unwrap_or_default()
    };
    println!(
        "{label}: {} frames, median {:.2} ms, p95 {:.2} ms, worst {:.2} ms",
        times.len(),
        ms(at(50)),
        ms(at(95)),
        ms(at(100))
    );
}

/// Imports the export into a fresh ledger at `db`, as `burnrate import` does.
fn build_ledger(db: &std::path::Path, csv_path: &std::path::Path) -> std::io::Result<()> {
    let mut store = Store::open(db).map_err(std::io::Error::other)?;
    let open = || -> std::io::Result<Box<dyn std::io::Read + Send>> {
        Ok(Box::new(std::io::BufReader::with_capacity(
            256 * 1024,
            std::fs::File::open(csv_path)?,
        )))
    };
    let meta = SourceMeta {
        name: "cost_big.csv".into(),
        path: csv_path.display().to_string(),
        imported_at: "2026-05-16T00:00:00Z".into(),
    };
    let t = Instant::now();
    let report = store
        .import_file(
            &open,
            &meta,
            &FileOptions::default(),
            ImportMode::default(),
            &mut |_| true,
        )
        .map_err(std::io::Error::other)?;
    println!(
        "ledger: {} usage records imported in {:.1} s",
        report.inserted,
        t.elapsed().as_secs_f64()
    );
    Ok(())
}

fn main() -> std::io::Result<()> {
    let dir = tempfile::tempdir()?;
    let csv_path = dir.path().join("cost_big.csv");
    write_export(&csv_path)?;
    let db = dir.path().join("ledger.sqlite");
    build_ledger(&db, &csv_path)?;
    let config = Config {
        db: db.clone(),
        demo_path: dir.path().join("demo.sqlite"),
        start_in_demo: false,
        // The export ends on 2026-05-15.
        today: chrono::NaiveDate::from_ymd_opt(2026, 5, 15).unwrap_or_default(),
        native_dialogs: false,
    };
    let app = App::new(config, Prefs::default()).map_err(std::io::Error::other)?;
    let mut harness = Harness::builder()
        .with_size(egui::vec2(1280.0, 800.0))
        .build_ui_state(|ui, app: &mut App| app.frame_ui(ui), app);
    let t = Instant::now();
    harness.step();
    println!(
        "first frame (reads the ledger, builds every view): {:.0} ms",
        ms(t.elapsed())
    );
    harness.run_steps(3);

    let ranges = [
        DateRange::Last90Days,
        DateRange::ThisMonth,
        DateRange::All,
        DateRange::ThisYear,
    ];
    let mut all = Vec::with_capacity(FRAMES * 2);
    let mut quiet = Vec::with_capacity(FRAMES * 2);
    for (view, label) in [
        (View::Ledger, "usage table"),
        (View::Dashboard, "dashboard"),
    ] {
        harness.state_mut().set_view(view);
        harness.run_steps(2);
        let mut times = Vec::with_capacity(FRAMES);
        let mut quiet_times = Vec::with_capacity(FRAMES);
        for frame in 0..FRAMES {
            let switch = frame % 40 == 39;
            if switch {
                let round = frame / 40;
                let filters = Filters {
                    range: ranges[round % ranges.len()],
                    project: if round % 2 == 0 {
                        String::new()
                    } else {
                        "Project 7".into()
                    },
                    ..Filters::default()
                };
                harness.state_mut().set_filters(filters);
            }
            let input = harness.input_mut();
            input
                .events
                .push(egui::Event::PointerMoved(egui::pos2(640.0, 520.0)));
            input.events.push(egui::Event::MouseWheel {
                unit: egui::MouseWheelUnit::Point,
                delta: egui::vec2(0.0, -600.0),
                modifiers: egui::Modifiers::NONE,
                phase: egui::TouchPhase::Move,
                source: egui::MouseWheelSource::Wheel,
            });
            let t = Instant::now();
            harness.step();
            let took = t.elapsed();
            times.push(took);
            if !switch {
                quiet_times.push(took);
            }
        }
        summary(&format!("{label}, every frame"), times.clone());
        summary(
            &format!("{label}, frames without a filter change"),
            quiet_times.clone(),
        );
        all.extend(times);
        quiet.extend(quiet_times);
    }
    summary("all frames", all);
    summary("all frames without a filter change", quiet);
    Ok(())
}
