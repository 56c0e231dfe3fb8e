//! The harness every area of the integration tests shares: the fixtures folder, the built
//! binary run on a ledger as a script would run it, and the window driven headless with
//! `egui_kittest` (dropping files as the native integration hands them over, stepping until the
//! background threads have answered). One copy, so a change to how the window settles or how
//! the binary is started is made once.

// Test helpers unwrap: a panic there is a failed test. (clippy's allow-unwrap-in-tests covers
// #[test] functions only, not the helpers they call.)

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

/// A file or folder under `tests/fixtures/`.
pub fn fixture(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(path)
}

/// Runs `burnrate --db DB ARGS...` (with `BURNRATE_DB` unset) and returns what it did.
pub fn run(db: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_burnrate"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env_remove("BURNRATE_DB")
        .output()
        .expect("the binary runs")
}

/// Runs `burnrate --db DB ARGS...`: exit code, stdout, stderr.
pub fn burnrate(db: &Path, args: &[&str]) -> (i32, String, String) {
    let out = run(db, args);
    (out.status.code().unwrap_or(-1), stdout(&out), stderr(&out))
}

/// Runs a command that must succeed and prints JSON; returns the JSON.
pub fn json(db: &Path, args: &[&str]) -> Value {
    let (code, out, err) = burnrate(db, args);
    assert_eq!(code, 0, "{args:?}: {out}{err}");
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"))
}

/// The output of a run that must have succeeded (the failure names its exit code and both
/// streams).
pub fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        out.status,
        stdout(out),
        stderr(out)
    );
    stdout(out)
}

/// The JSON a run that must have succeeded printed.
pub fn ok_json(out: &Output) -> Value {
    let text = ok(out);
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

/// `burnrate import --json PATHS...`: what it did, and its reports (whatever the exit code: a
/// file may fail on purpose).
pub fn import_json(db: &Path, paths: &[PathBuf]) -> (Output, Value) {
    let paths: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    let mut args = vec!["import", "--json"];
    args.extend(paths.iter().map(String::as_str));
    let out = run(db, &args);
    let reports = json_of(&out);
    (out, reports)
}

/// The JSON a run printed.
pub fn json_of(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", stdout(out)))
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The three-month scenario's files (`tests/fixtures/three_months`), in the order a user
/// imports them.
pub const THREE_MONTHS: [&str; 6] = [
    "openai-cost-2026-q1.csv",
    "anthropic-cost-2026-q1.csv",
    "billing.csv",
    "revolut-2026-01-01_2026-02-15.csv",
    "revolut-2026-02-01_2026-03-31.csv",
    "chase-card-q1.csv",
];

/// Every stored bank and card line as (day, currency), by day: what an import stored,
/// tagged with a provider or not (judgement's snapshot holds only the tagged ones).
pub fn stored_bank_lines(db: &Path) -> Vec<(String, String)> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut stmt = conn
        .prepare("SELECT day, upper(currency) FROM bank_lines ORDER BY day, id")
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

/// A ledger in a temporary folder with the small scenario imported (`tests/fixtures/scenario`:
/// billing records, a Chase card statement, an `OpenAI` cost export).
pub fn scenario_ledger() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ledger.sqlite");
    for file in ["billing.csv", "chase-card.csv", "openai-cost.csv"] {
        let path = fixture("scenario").join(file);
        let (code, out, err) = burnrate(&db, &["import", path.to_str().unwrap()]);
        assert_eq!(code, 0, "{file}: {out}{err}");
    }
    (dir, db)
}

/// The window, headless.
pub mod window {
    use std::path::{Path, PathBuf};
    use std::sync::Arc;
    use std::time::{Duration, Instant};

    use burnrate::app::{App, Config, Prefs};
    use chrono::NaiveDate;
    use egui_kittest::Harness;
    use egui_kittest::kittest::Queryable;

    /// The day the window's tests treat as today.
    pub fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 20).unwrap()
    }

    /// A file dropped on the window, as the native integration hands it over.
    #[derive(Debug)]
    pub struct Dropped(pub PathBuf);

    impl egui::DroppedFile for Dropped {
        fn path(&self) -> &Path {
            &self.0
        }

        fn bytes(&self) -> Result<Vec<u8>, String> {
            std::fs::read(&self.0).map_err(|e| e.to_string())
        }
    }

    /// How the window's tests start it: the ledger `ledger.sqlite` and the demo `demo.sqlite`
    /// in `dir`, today [`today`], no native dialogs.
    pub fn config(dir: &Path) -> Config {
        Config {
            db: dir.join("ledger.sqlite"),
            demo_path: dir.join("demo.sqlite"),
            start_in_demo: false,
            today: today(),
            demo_today: today(),
            native_dialogs: false,
        }
    }

    /// The window started with `config` and `prefs`, 1280x800.
    pub fn harness(config: Config, prefs: Prefs) -> Harness<'static, App> {
        harness_sized(config, prefs, egui::vec2(1280.0, 800.0))
    }

    /// The window started with `config` and `prefs` at `size`.
    pub fn harness_sized(config: Config, prefs: Prefs, size: egui::Vec2) -> Harness<'static, App> {
        let app = App::new(config, prefs).unwrap();
        Harness::builder()
            .with_size(size)
            .build_ui_state(|ui, app: &mut App| app.frame_ui(ui), app)
    }

    /// The window on `dir`'s ledger (see [`config`]) with default preferences.
    pub fn harness_for(dir: &Path) -> Harness<'static, App> {
        harness(config(dir), Prefs::default())
    }

    /// Steps the window until the `views` thread has answered what it shows now and no import
    /// job runs (views are built off the window's thread, so a click that changes them takes a
    /// few frames to show), then lets it settle as `run` does.
    pub fn settle(harness: &mut Harness<'static, App>) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            // `run_ok`, not `run`: answers arriving part by part may each ask for a repaint.
            let settled = harness.run_ok().is_some();
            if settled && !harness.state().is_updating() && !harness.state().is_busy() {
                return;
            }
            assert!(Instant::now() < deadline, "the views never arrived");
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// Steps the window until `label` appears (background work reports through a channel),
    /// then lets it settle: a new window is laid out invisibly on its first frame.
    pub fn step_until(harness: &mut Harness<'static, App>, label: &str) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            harness.step();
            if harness.query_by_label_contains(label).is_some() {
                settle(harness);
                return;
            }
            assert!(Instant::now() < deadline, "'{label}' never appeared");
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Drops `paths` on the window at once, as a file manager does.
    pub fn drop_files(harness: &mut Harness<'static, App>, paths: Vec<PathBuf>) {
        for path in paths {
            harness
                .input_mut()
                .dropped_files
                .push(Arc::new(Dropped(path)));
        }
        harness.step();
    }

    /// Drops one file (or folder) on the window.
    pub fn drop_file(harness: &mut Harness<'static, App>, path: PathBuf) {
        drop_files(harness, vec![path]);
    }

    /// Imports each file through the window: drop, preview, Import, Close.
    pub fn import_files(harness: &mut Harness<'static, App>, files: Vec<PathBuf>) {
        for file in files {
            drop_file(harness, file);
            step_until(harness, "Import preview");
            harness.get_by_label("Import").click();
            step_until(harness, "Import finished");
            harness.get_by_label("Close").click();
            settle(harness);
        }
    }
}
