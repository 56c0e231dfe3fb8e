//! Frame cost of the window on a ledger of 1,000,000 usage rows.
//!
//! Run with `cargo bench --bench frames`. Builds the ledger from a generated OpenAI cost export
//! (the shape `benches/import.rs` uses, about 250 MB, in a temporary folder), then drives the
//! real app headless through `egui_kittest` (no GPU) and prints the median, 95th percentile and
//! worst milliseconds of work per frame on the window's thread for each scenario: the dashboard
//! idle, the usage table scrolled deep (thousands of rows per frame), the pointer moved over the
//! cost chart's bars, filter changes (with how long the `views` thread took to answer), and a
//! second 1M-row export checked and imported through the app's own job while frames are drawn.
//!
//! `benches/compare.sh` runs it on the ledger it built, through these variables:
//! `BURNRATE_BENCH_LEDGER=FILE` a ledger to copy (built from the generated export when absent;
//! when present no export is written), `BURNRATE_BENCH_TODAY=YYYY-MM-DD` the window's today,
//! `BURNRATE_BENCH_PROJECT=NAME` a project of that ledger to filter on, and
//! `BURNRATE_BENCH_SKIP_IMPORT=1` to leave out the second import. Besides the prose, every
//! figure is printed once more as `bench window.NAME VALUE` for the script to collect.

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use burnrate::app::{App, Config, Prefs};
use burnrate::domain::views::{DateRange, Filters};
use burnrate::store::Store;
use burnrate::ui::View;
use common::{import_export, write_export};
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT as _, Queryable as _};

const FRAMES: usize = 240;

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Prints one figure for `benches/compare.sh`: `bench window.NAME VALUE`.
fn figure(name: &str, value: f64) {
    println!("bench window.{name} {value:.2}");
}

/// Prints the median, 95th percentile and worst of `times`, in prose and as figures named
/// `{key}_median_ms` and `{key}_worst_ms`.
fn summary(label: &str, key: &str, mut times: Vec<Duration>) {
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
    figure(&format!("{key}_median_ms"), ms(at(50)));
    figure(&format!("{key}_worst_ms"), ms(at(100)));
}

/// Imports the export into a fresh ledger at `db`, as `burnrate import` does.
fn build_ledger(db: &Path, csv_path: &Path) -> std::io::Result<()> {
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

/// What the variables of `benches/compare.sh` ask for (see the module's documentation).
struct Setup {
    kept_ledger: Option<PathBuf>,
    today: chrono::NaiveDate,
    project: String,
    second_import: bool,
}

impl Setup {
    fn from_env() -> Self {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        Self {
            kept_ledger: var("BURNRATE_BENCH_LEDGER").map(PathBuf::from),
            // The generated export ends on 2026-05-15.
            today: var("BURNRATE_BENCH_TODAY")
                .and_then(|d| chrono::NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok())
                .or_else(|| chrono::NaiveDate::from_ymd_opt(2026, 5, 15))
                .unwrap_or_default(),
            project: var("BURNRATE_BENCH_PROJECT").unwrap_or_else(|| "Project 7".into()),
            second_import: var("BURNRATE_BENCH_SKIP_IMPORT").is_none(),
        }
    }
}

/// Puts the ledger at `db`: a copy of the kept one, else one built from a generated export.
fn prepare_ledger(setup: &Setup, dir: &Path, db: &Path) -> std::io::Result<()> {
    if let Some(kept) = &setup.kept_ledger
        && kept.exists()
    {
        std::fs::copy(kept, db)?;
        return Ok(());
    }
    let csv_path = dir.join("cost_big.csv");
    write_export(&csv_path, "bench")?;
    match &setup.kept_ledger {
        Some(kept) => {
            build_ledger(kept, &csv_path)?;
            std::fs::copy(kept, db)?;
        }
        None => build_ledger(db, &csv_path)?,
    }
    std::fs::remove_file(&csv_path)
}

fn main() -> std::io::Result<()> {
    let setup = Setup::from_env();
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("ledger.sqlite");
    prepare_ledger(&setup, dir.path(), &db)?;
    let config = Config {
        db: db.clone(),
        demo_path: dir.path().join("demo.sqlite"),
        start_in_demo: false,
        today: setup.today,
        demo_today: setup.today,
        native_dialogs: false,
    };
    let opened = Instant::now();
    let app = App::new(config, Prefs::default()).map_err(std::io::Error::other)?;
    println!(
        "open the ledger (migrations): {:.0} ms",
        ms(opened.elapsed())
    );
    figure("open_ms", ms(opened.elapsed()));
    let mut harness = Harness::builder()
        .with_size(egui::vec2(1280.0, 800.0))
        .build_ui_state(|ui, app: &mut App| app.frame_ui(ui), app);
    let first = timed_step(&mut harness);
    println!("first frame: {:.1} ms", ms(first));
    figure("first_frame_ms", ms(first));
    first_frame_with_data(&mut harness, opened);

    idle(&mut harness);
    hover_chart(&mut harness);
    scroll_deep(&mut harness);
    filter_changes(&mut harness, &setup.project);
    if setup.second_import {
        import_second(&mut harness, dir.path())?;
    }
    Ok(())
}

/// Steps frames, a few milliseconds apart, until one has drawn the views the thread built:
/// prints the time from opening the ledger to the end of that frame.
fn first_frame_with_data(harness: &mut Bench, opened: Instant) {
    let deadline = Instant::now() + Duration::from_secs(600);
    while harness.state().is_updating() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(2));
        harness.step();
    }
    // The frame that noticed the answer has drawn it.
    let with_data = opened.elapsed();
    println!(
        "views thread: first frame with data (figures, balances, flags, chart, table ids) {:.0} ms after opening the ledger",
        ms(with_data)
    );
    figure("first_frame_with_data_ms", ms(with_data));
    harness.run_steps(2);
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
    summary("dashboard idle", "idle", idle);
}

/// The pointer sweeps across the cost chart just above its zero line, a few points a frame:
/// every frame the chart finds the bar under it, highlights it and writes its series, bucket
/// and amount.
fn hover_chart(harness: &mut Bench) {
    harness.state_mut().set_view(View::Dashboard);
    settle(harness);
    let Some(rect) = harness
        .ctx
        .data(|d| d.get_temp::<egui::Rect>(burnrate::ui::chart::chart_rect_id()))
    else {
        println!("hovering the chart: no chart drawn (no usage in the dashboard's range)");
        return;
    };
    // The plot is the left part of the drawn rectangle (the legend takes the right), its zero
    // line above the axis' labels.
    let (left, right) = (rect.left() + 70.0, rect.left() + rect.width() * 0.75);
    let y = rect.bottom() - 40.0;
    let mut hovering = Vec::with_capacity(FRAMES);
    for i in 0..FRAMES {
        let at = f32::from(u16::try_from(i).unwrap_or(0)) / 240.0;
        harness
            .input_mut()
            .events
            .push(egui::Event::PointerMoved(egui::pos2(
                left + (right - left) * at,
                y,
            )));
        hovering.push(timed_step(harness));
    }
    summary("hovering the cost chart", "hover", hovering);
}

/// The usage table over every day, scrolled deep: about 3,000 rows per frame, a new page
/// every frame.
fn scroll_deep(harness: &mut Bench) {
    harness.state_mut().set_view(View::Ledger);
    harness.state_mut().set_filters(Filters {
        range: DateRange::All,
        ..Filters::default()
    });
    settle(harness);
    let top = earliest_day_on_screen(harness);
    let mut scrolling = Vec::with_capacity(FRAMES);
    for _ in 0..FRAMES {
        wheel(harness, -60_000.0);
        scrolling.push(timed_step(harness));
    }
    summary("usage table scrolling deep", "scroll", scrolling);
    // The wheel scrolls smoothly: once the scroll has come to rest, the page read after the
    // last frame is drawn.
    harness.run_steps(30);
    // Newest first: 720,000 rows down shows days long before the newest.
    println!(
        "earliest day on screen: {} at the top, {} after scrolling",
        top.unwrap_or_default(),
        earliest_day_on_screen(harness).unwrap_or_default()
    );
}

/// The earliest day (`YYYY-MM-DD`) a text on screen starts with.
fn earliest_day_on_screen(harness: &Bench) -> Option<String> {
    harness
        .root()
        .children_recursive()
        .filter_map(|node| node.value())
        .filter_map(|text| {
            let day = text.get(..10)?;
            chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d").ok()?;
            Some(day.to_string())
        })
        .min()
}

/// Filter changes on the dashboard and on the table: every 10th frame.
fn filter_changes(harness: &mut Bench, project: &str) {
    let ranges = [
        DateRange::Last90Days,
        DateRange::ThisMonth,
        DateRange::All,
        DateRange::ThisYear,
    ];
    let mut changes = Vec::new();
    let mut frames = Vec::new();
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
                    project.to_string()
                },
                ..Filters::default()
            };
            harness.state_mut().set_filters(filters);
            let asked = Instant::now();
            let change = timed_step(harness);
            changes.push(change);
            frames.push(change);
            let mut answered = None;
            for _ in 0..9 {
                wheel(harness, -600.0);
                frames.push(timed_step(harness));
            }
            while answered.is_none() {
                if !harness.state().is_updating() {
                    answered = Some(asked.elapsed());
                    break;
                }
                std::thread::sleep(Duration::from_millis(4));
                frames.push(timed_step(harness));
            }
            answers.push(answered.unwrap_or_default());
        }
        println!("filter changes on the {label}: measured");
    }
    summary(
        "filter change, the frame of the change",
        "filter_change",
        changes,
    );
    summary(
        "filter change, every frame from the change until the new views arrive",
        "filter",
        frames,
    );
    summary(
        "filter change, time until the new views arrive",
        "rebuild",
        answers,
    );
}

/// A second 1M-row export, checked then imported through the app's own job.
fn import_second(harness: &mut Bench, dir: &Path) -> std::io::Result<()> {
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
    summary("during the check of a 1M-row file", "check", checking);
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
    summary("during a 1M-row import", "import", importing);
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
    summary(
        "while the views thread rebuilds after the import",
        "after_import",
        after,
    );
    Ok(())
}
