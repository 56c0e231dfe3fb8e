//! Starting the window: how it starts ([`Config`], built from the command line's [`Launch`]),
//! the native window's options, the screenshot mode (`--screenshot-to`), and eframe's hooks
//! (drawing a frame, saving the preferences).

use std::path::PathBuf;

use anyhow::Context as _;
use chrono::NaiveDate;

use super::App;
use super::prefs::{PREFS_KEY, Prefs};
use super::screenshot::{Outcome, screenshot_size, screenshot_view};
use crate::services::{Clock, demo};
use crate::ui::theme;

/// How the window starts.
#[derive(Debug, Clone)]
pub struct Config {
    /// The user's ledger.
    pub db: PathBuf,
    /// Where the demo ledger is built (never `db`).
    pub demo_path: PathBuf,
    /// Open the demo instead of `db` (the demo must have been built).
    pub start_in_demo: bool,
    pub today: NaiveDate,
    /// The day the demo ledger is shown as of (`--as-of`, else the last day of its files).
    pub demo_today: NaiveDate,
    /// Whether "Import files..." may open the native file dialog (off in tests).
    pub native_dialogs: bool,
}

impl eframe::App for App {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.frame_ui(ui);
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        if self.screenshot.is_none() {
            eframe::set_value(storage, PREFS_KEY, &self.prefs);
        }
    }

    fn persist_egui_memory(&self) -> bool {
        self.screenshot.is_none()
    }
}

/// How the window is started from the command line.
#[derive(Debug, Clone)]
pub struct Launch {
    /// The user's ledger.
    pub db: PathBuf,
    /// Whether the user named the ledger (`--db` or `BURNRATE_DB`): then it opens even when it
    /// does not exist yet (it is created empty).
    pub db_chosen: bool,
    /// `--demo`: show the demo ledger.
    pub demo: bool,
    pub clock: Clock,
    /// The day the demo is shown as of ([`demo::clock`]).
    pub demo_clock: Clock,
    /// `--screenshot-to`: save a PNG of the dashboard once drawn, then close.
    pub screenshot_to: Option<PathBuf>,
}

impl Launch {
    /// The window's [`Config`]. A first run (the ledger not named and not there yet) opens the
    /// demo with a banner; the user's own ledger is created by their first import (or "Start my
    /// own ledger"), never before.
    pub fn config(&self) -> Config {
        let first_run = !self.db_chosen && !self.db.exists();
        Config {
            db: self.db.clone(),
            demo_path: demo::default_path(),
            start_in_demo: self.demo || first_run,
            today: self.clock.today(),
            demo_today: self.demo_clock.today(),
            native_dialogs: true,
        }
    }
}

/// Opens the window (on the demo when `launch` says so). Returns the exit code.
///
/// # Errors
/// When the ledger cannot be opened, the window cannot be created, or the screenshot fails.
pub fn run(launch: Launch) -> anyhow::Result<i32> {
    let config = launch.config();
    if config.start_in_demo {
        for report in demo::build(&config.demo_path, &config.db)? {
            if let Some(error) = report.error {
                eprintln!("burnrate: the demo leaves out {}: {error}", report.file);
            }
        }
    }
    let screenshot_to = launch.screenshot_to;
    let outcome: Outcome = Outcome::default();
    let app_outcome = Outcome::clone(&outcome);
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("burnrate")
            .with_app_id("burnrate")
            .with_inner_size(
                screenshot_to
                    .as_ref()
                    .and_then(|_| screenshot_size())
                    .unwrap_or(theme::WINDOW_SIZE),
            )
            .with_min_inner_size([720.0, 480.0])
            .with_drag_and_drop(true),
        persist_window: screenshot_to.is_none(),
        ..eframe::NativeOptions::default()
    };
    let shooting = screenshot_to.is_some();
    eframe::run_native(
        "burnrate",
        options,
        Box::new(move |cc| {
            let mut prefs = match (shooting, cc.storage) {
                (false, Some(storage)) => eframe::get_value(storage, PREFS_KEY).unwrap_or_default(),
                _ => Prefs::default(),
            };
            let panel = shooting.then(screenshot_view);
            if let Some((view, _)) = panel {
                prefs.view = view;
            }
            let mut app = App::new(config, prefs)?;
            if let Some((_, panel)) = panel {
                app.extras.flags_panel = panel;
            }
            if let Some(path) = screenshot_to {
                app.take_screenshot(path, app_outcome);
            }
            Ok(Box::new(app))
        }),
    )
    .map_err(|e| anyhow::anyhow!("the window could not be opened: {e}"))?;
    if !shooting {
        return Ok(0);
    }
    let result = outcome
        .lock()
        .ok()
        .and_then(|mut slot| slot.take())
        .context("the window closed before the screenshot was taken")?;
    result.map_err(|e| anyhow::anyhow!(e))?;
    Ok(0)
}
