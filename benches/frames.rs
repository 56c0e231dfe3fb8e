//! Frame cost of the window on a ledger of 1,000,000 usage rows.
//!
//! Run with `cargo bench --bench frames`. Builds the ledger from a generated OpenAI cost export
//! (the shape `benches/import.rs` uses, about 250 MB, in a temporary folder; set
//! `BURNRATE_BENCH_LEDGER=FILE` to keep the built ledger between runs), then drives the real app
//! headless through `egui_kittest` (no GPU) and prints the median, 95th percentile and worst CPU
//! milliseconds per frame of each scenario: the dashboard idle, the usage table scrolled deep
//! (thousands of rows per frame), filter changes (with how long the `views` thread took to
//! answer), and a second 1M-row export checked and imported through the app's own job while
//! frames are drawn.

mod common;

use std::time::{Duration, Instant};

use burnrate::app::{App, Config, Prefs};
use burnrate::domain::views::{DateRange, Filters};
use burnrate::store::Store;
use burnrate::ui::View;
use common::{import_export, write_export};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;

const FRAMES: usize = 240;

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
    let t = Instant::now();
    let report = import_export(&mut store, csv_path, "2026-05-16T00:00:00Z")?;
    println!(
        "ledger: {} usage records imported in {:.1} s",
        report.inserted,
        t.elapsed().as_secs_f64()
    );
    Ok(())
}

type Bench = Harness<'static, App>;

/// Steps frames (about 60 a second) until the views thread has answered; returns how long.
fn settle(harness: &mut Bench) -> Duration {
    let t = Instant::now();
    let deadline = t + Duration::from_secs(600);
    loop {
        harness.step();
        if !harness.state().is_updating() || Instant::now() > deadline {
            break;
        }
        std::thread::sleep(Duration::from_millis(16));
    }
    let took = t.elapsed();
    harness.run_steps(2);
    took
}

/// Moves the pointer over the window and turns the wheel by `delta_points` (negative: down).
fn wheel(harness: &mut Bench, delta_points: f32) {
    let input = harness.input_mut();
    input
        .events
        .push(egui::Event::PointerMoved(egui::pos2(640.0, 520.0)));
    input.events.push(egui::Event::MouseWheel {
        unit: egui::MouseWheelUnit::Point,
        delta: egui::vec2(0.0, delta_points),
        modifiers: egui::Modifiers::NONE,
        phase: egui::TouchPhase::Move,
        source: egui::MouseWheelSource::Wheel,
    });
}

fn timed_step(harness: &mut Bench) -> Duration {
    let t = Instant::now();
    harness.step();
    t.elapsed()
}

fn main() -> std::io::Result<()> {
    let dir = tempfile::tempdir()?;
    let csv_path = dir.path().join("cost_big.csv");
    write_export(&csv_path, "bench")?;
    let db = dir.path().join("ledger.sqlite");
    // BURNRATE_BENCH_LEDGER names a ledger kept between runs (built when absent, copied).
    match std::env::var_os("BURNRATE_BENCH_LEDGER").map(std::path::PathBuf::from) {
        Some(kept) => {
            if !kept.exists() {
                build_ledger(&kept, &csv_path)?;
            }
            std::fs::copy(&kept, &db)?;
        }
        None => build_ledger(&db, &csv_path)?,
    }
    let config = Config {
        db: db.clone(),
        demo_path: dir.path().join("demo.sqlite"),
        start_in_demo: false,
        // The export ends on 2026-05-15.
        today: chrono::NaiveDate::from_ymd_opt(2026, 5, 15).unwrap_or_default(),
        native_dialogs: false,
    };
    let t = Instant::now();
    let app = App::new(config, Prefs::default()).map_err(std::io::Error::other)?;
    println!("open the ledger (migrations): {:.0} ms", ms(t.elapsed()));
    let mut harness = Harness::builder()
        .with_size(egui::vec2(1280.0, 800.0))
        .build_ui_state(|ui, app: &mut App| app.frame_ui(ui), app);
    let first = timed_step(&mut harness);
    println!("first frame: {:.1} ms", ms(first));
    let answered = settle(&mut harness);
    println!(
        "views thread: first views (figures, balances, flags, chart, table ids) after {:.0} ms",
        ms(answered)
    );

    idle(&mut harness);
    scroll_deep(&mut harness);
    filter_changes(&mut harness);
    import_second(&mut harness, dir.path())?;
    Ok(())
}

/// The dashboard, idle: the pointer moves, nothing changes.
fn idle(harness: &mut Bench) {
    let mut idle = Vec::with_capacity(FRAMES);
    for _ in 0..FRAMES {
        harness
            .input_mut()
            .events
            .push(egui::Event::PointerMoved(egui::pos2(640.0, 400.0)));
        idle.push(timed_step(harness));
    }
    summary("dashboard idle", idle);
}

/// The usage table, scrolled deep: about 3,000 rows per frame, a new page every frame.
fn scroll_deep(harness: &mut Bench) {
    harness.state_mut().set_view(View::Ledger);
    settle(harness);
    let mut scrolling = Vec::with_capacity(FRAMES);
    for _ in 0..FRAMES {
        wheel(harness, -60_000.0);
        scrolling.push(timed_step(harness));
    }
    summary("usage table scrolling deep", scrolling);

    // Newest first, 2,000 rows a day: 720,000 rows down shows days of 2025.
    let deep = harness.query_all_by_label_contains("2025-").count();
    println!("rows of 2025 on screen after scrolling: {deep}");
}

/// Filter changes on the dashboard and on the table: every 10th frame.
fn filter_changes(harness: &mut Bench) {
    let ranges = [
        DateRange::Last90Days,
        DateRange::ThisMonth,
        DateRange::All,
        DateRange::ThisYear,
    ];
    let mut changes = Vec::new();
    let mut between = Vec::new();
    let mut answers = Vec::new();
    for (view, label) in [
        (View::Dashboard, "dashboard"),
        (View::Ledger, "usage table"),
    ] {
        harness.state_mut().set_view(view);
        settle(harness);
        for round in 0..8 {
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
            let asked = Instant::now();
            changes.push(timed_step(harness));
            let mut answered = None;
            for _ in 0..9 {
                wheel(harness, -600.0);
                between.push(timed_step(harness));
            }
            while answered.is_none() {
                if !harness.state().is_updating() {
                    answered = Some(asked.elapsed());
                    break;
                }
                std::thread::sleep(Duration::from_millis(16));
                between.push(timed_step(harness));
            }
            answers.push(answered.unwrap_or_default());
        }
        println!("filter changes on the {label}: measured");
    }
    summary("filter change, the frame of the change", changes);
    summary(
        "filter change, frames while the views thread works",
        between,
    );
    summary("filter change, time until the new views arrive", answers);
}

/// A second 1M-row export, checked then imported through the app's own job.
fn import_second(harness: &mut Bench, dir: &std::path::Path) -> std::io::Result<()> {
    harness.state_mut().set_view(View::Dashboard);
    settle(harness);
    let second = dir.join("cost_second.csv");
    write_export(&second, "second")?;
    let ctx = harness.ctx.clone();
    harness.state_mut().queue_files(vec![second], &ctx);
    let t = Instant::now();
    let mut checking = Vec::new();
    while harness.state().is_busy() {
        checking.push(timed_step(harness));
        std::thread::sleep(Duration::from_millis(16));
    }
    println!(
        "check (dry run) of the second export: {:.1} s",
        t.elapsed().as_secs_f64()
    );
    summary("during the check of a 1M-row file", checking);
    harness.run_steps(3);
    harness.get_by_label("Import").click();
    let t = Instant::now();
    let mut importing = Vec::new();
    harness.step();
    while harness.state().is_busy() {
        importing.push(timed_step(harness));
        std::thread::sleep(Duration::from_millis(16));
    }
    println!(
        "import of the second export: {:.1} s",
        t.elapsed().as_secs_f64()
    );
    summary("during a 1M-row import", importing);
    let mut after = Vec::new();
    let t = Instant::now();
    while harness.state().is_updating() {
        after.push(timed_step(harness));
        std::thread::sleep(Duration::from_millis(16));
    }
    println!(
        "views of the 2M-row ledger after the import: {:.1} s",
        t.elapsed().as_secs_f64()
    );
    summary("while the views thread rebuilds after the import", after);
    Ok(())
}
