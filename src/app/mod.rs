//! The desktop window: the eframe app that owns the ledger, caches the views the panels draw,
//! runs imports on a background thread and applies the panels' actions after each frame.
//!
//! Three kinds of state stay apart: preferences (theme, chart toggles, tab; saved by eframe),
//! ledger data (`SQLite`, written only in [`App::apply`] and by the import thread) and caches
//! (memory only, rebuilt when the ledger's revision or a filter changes, never per frame).
//! "Today" is injected, so screenshots and tests are stable.

mod demo;
mod jobs;
mod screenshot;

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use chrono::NaiveDate;

use self::jobs::{Job, JobEvent};
use self::screenshot::{Outcome, Screenshot};
use crate::domain::import::formats;
use crate::domain::records::Record;
use crate::store::{Bucket, CostSeries, ImportReport, KeyFigures, SeriesGroup, Store};
use crate::ui::chart::ChartView;
use crate::ui::empty::{EmptyView, FormatInfo};
use crate::ui::import_sheet::{FilePreview, SampleRow, SheetView};
use crate::ui::tables::{Rows, TableView};
use crate::ui::{self, Action, Message, Tab, ThemeChoice, TopBarView, format, theme};

/// The key under which preferences are saved in eframe's storage.
const PREFS_KEY: &str = "burnrate.prefs";
/// Rows fetched per table page.
const PAGE_ROWS: usize = 200;
/// Rejected rows shown per file in the preview.
const PREVIEW_REJECTED: usize = 5;
/// Records shown per file in the preview.
const PREVIEW_SAMPLE: usize = 8;

/// What the user chose that outlives a session (saved by eframe, never in the ledger).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Prefs {
    pub theme: ThemeChoice,
    pub group: SeriesGroup,
    pub bucket: Bucket,
    pub tab: Tab,
}

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
    /// Whether "Import files..." may open the native file dialog (off in tests).
    pub native_dialogs: bool,
}

/// The views the panels draw, rebuilt only when their inputs change.
#[derive(Default)]
struct Cache {
    /// (revision, group, bucket) the figures and chart were built for.
    dashboard_key: Option<(i64, SeriesGroup, Bucket)>,
    figures: KeyFigures,
    chart: CostSeries,
    is_empty: bool,
    /// (revision, tab, search) the table was built for.
    table_key: Option<(i64, Tab, String)>,
    total_rows: usize,
    offset: usize,
    rows: Option<Rows>,
}

/// The import sheet's state.
enum Sheet {
    Checking {
        paths: Vec<PathBuf>,
        reports: Vec<ImportReport>,
        current: String,
    },
    Preview {
        paths: Vec<PathBuf>,
        files: Vec<FilePreview>,
    },
    Importing {
        total: usize,
        done: usize,
        current: String,
        rows: u64,
        bytes: u64,
        file_bytes: u64,
        reports: Vec<ImportReport>,
    },
    Finished {
        lines: Vec<String>,
        failed: bool,
    },
}

/// The burnrate window.
#[expect(
    clippy::struct_excessive_bools,
    reason = "independent flags of the window, not a state machine"
)]
pub struct App {
    config: Config,
    store: Store,
    is_demo: bool,
    prefs: Prefs,
    applied_theme: Option<ThemeChoice>,
    revision: i64,
    /// Ask the ledger for its revision at the next frame (after a write, or on focus).
    check_revision: bool,
    was_focused: bool,
    search: String,
    reset_chart: bool,
    cache: Cache,
    job: Option<Job>,
    sheet: Option<Sheet>,
    message: Option<Message>,
    screenshot: Option<Screenshot>,
    formats: Vec<FormatInfo>,
}

impl App {
    /// Opens the ledger (or the demo) and prepares the first views.
    ///
    /// # Errors
    /// When the ledger cannot be opened.
    pub fn new(config: Config, prefs: Prefs) -> anyhow::Result<Self> {
        let path = if config.start_in_demo {
            &config.demo_path
        } else {
            &config.db
        };
        let store = Store::open(path)?;
        let formats = formats::all()
            .iter()
            .filter(|f| !f.signature().is_empty())
            .map(|f| FormatInfo {
                name: f.name().to_string(),
                kind: f.kind().as_str().to_string(),
                signature: f.signature().to_string(),
            })
            .collect();
        Ok(Self {
            is_demo: config.start_in_demo,
            config,
            store,
            prefs,
            applied_theme: None,
            revision: -1,
            check_revision: true,
            was_focused: true,
            search: String::new(),
            reset_chart: false,
            cache: Cache::default(),
            job: None,
            sheet: None,
            message: None,
            screenshot: None,
            formats,
        })
    }

    /// Saves a PNG of the window once the dashboard has drawn, then closes it.
    pub fn take_screenshot(&mut self, path: PathBuf, outcome: Outcome) {
        self.screenshot = Some(Screenshot::new(path, outcome));
    }

    /// Starts checking files for import, as if they were dropped on the window.
    pub fn queue_files(&mut self, paths: Vec<PathBuf>, ctx: &egui::Context) {
        if paths.is_empty() {
            return;
        }
        if self.job.is_some() || matches!(self.sheet, Some(Sheet::Importing { .. })) {
            self.tell(
                "An import is running; drop the files again when it has finished.",
                true,
            );
            return;
        }
        let wake = ctx.clone();
        match jobs::spawn(
            self.store.path().to_path_buf(),
            paths.clone(),
            true,
            move || wake.request_repaint(),
        ) {
            Ok(job) => {
                self.job = Some(job);
                self.sheet = Some(Sheet::Checking {
                    paths,
                    reports: Vec::new(),
                    current: String::new(),
                });
            }
            Err(e) => self.tell(&format!("Could not start the import thread: {e}"), true),
        }
    }

    /// Whether a check or import is running.
    pub fn is_busy(&self) -> bool {
        self.job.is_some()
    }

    /// The ledger file the window shows.
    pub fn ledger_path(&self) -> &Path {
        self.store.path()
    }

    /// The preferences to save.
    pub fn prefs(&self) -> Prefs {
        self.prefs
    }

    fn tell(&mut self, text: &str, is_error: bool) {
        self.message = Some(Message {
            text: text.to_string(),
            is_error,
        });
    }

    /// Draws one frame and applies what the user did. `eframe::App::ui` calls this; tests call
    /// it through a kittest harness.
    pub fn frame_ui(&mut self, ui: &mut egui::Ui) {
        let ctx = ui.ctx().clone();
        self.apply_theme(&ctx);
        self.poll_job();
        let mut actions = Vec::new();
        self.read_input(&ctx, &mut actions);
        self.refresh();
        self.draw(ui, &mut actions);
        for action in actions {
            self.apply(action, &ctx);
        }
        if let Some(shot) = &mut self.screenshot {
            let ready = self.job.is_none() && self.cache.dashboard_key.is_some();
            shot.on_frame(&ctx, ready);
        }
        if self.job.is_some() {
            ctx.request_repaint_after(std::time::Duration::from_millis(100));
        }
    }

    fn apply_theme(&mut self, ctx: &egui::Context) {
        if self.applied_theme != Some(self.prefs.theme) {
            if self.applied_theme.is_none() {
                theme::apply(ctx);
            }
            ctx.set_theme(self.prefs.theme.preference());
            self.applied_theme = Some(self.prefs.theme);
        }
    }

    fn read_input(&mut self, ctx: &egui::Context, actions: &mut Vec<Action>) {
        let (dropped, focused) = ctx.input(|i| {
            let dropped: Vec<PathBuf> = i
                .raw
                .dropped_files
                .iter()
                .map(|f| f.path().to_path_buf())
                .collect();
            (dropped, i.focused)
        });
        if !dropped.is_empty() {
            actions.push(Action::QueueFiles(dropped));
        }
        let open = egui::KeyboardShortcut::new(egui::Modifiers::COMMAND, egui::Key::O);
        if ctx.input_mut(|i| i.consume_shortcut(&open)) {
            actions.push(Action::PickFiles);
        }
        // Another burnrate (the command line) may have written while the window was away.
        if focused && !self.was_focused {
            self.check_revision = true;
        }
        self.was_focused = focused;
    }

    /// Reads the job's messages and moves the sheet along.
    fn poll_job(&mut self) {
        let Some(job) = &self.job else {
            return;
        };
        let mut events = Vec::new();
        while let Ok(event) = job.events.try_recv() {
            events.push(event);
        }
        for event in events {
            self.on_job_event(event);
        }
    }

    fn on_job_event(&mut self, event: JobEvent) {
        match (event, &mut self.sheet) {
            (JobEvent::Started { name, .. }, Some(Sheet::Checking { current, .. })) => {
                *current = name;
            }
            (
                JobEvent::Started {
                    index,
                    name,
                    file_bytes: size,
                },
                Some(Sheet::Importing {
                    done,
                    current,
                    rows,
                    bytes,
                    file_bytes,
                    ..
                }),
            ) => {
                *done = index;
                *current = name;
                *rows = 0;
                *bytes = 0;
                *file_bytes = size;
            }
            (
                JobEvent::Progress { rows: r, bytes: b },
                Some(Sheet::Importing { rows, bytes, .. }),
            ) => {
                *rows = r;
                *bytes = b;
            }
            (
                JobEvent::Finished { report, .. },
                Some(Sheet::Checking { reports, .. } | Sheet::Importing { reports, .. }),
            ) => {
                reports.push(report);
            }
            (JobEvent::Failed(error), _) => {
                self.tell(&format!("The ledger could not be written: {error}"), true);
            }
            (JobEvent::Done, _) => self.on_job_done(),
            _ => {}
        }
    }

    fn on_job_done(&mut self) {
        let cancelled = self.job.as_ref().is_some_and(Job::is_cancelled);
        self.job = None;
        self.check_revision = true;
        match self.sheet.take() {
            Some(Sheet::Checking { .. }) if cancelled => {}
            Some(Sheet::Checking { paths, reports, .. }) => {
                let files = reports.iter().map(preview_of).collect();
                self.sheet = Some(Sheet::Preview { paths, files });
            }
            Some(Sheet::Importing { reports, total, .. }) => {
                let mut lines: Vec<String> = reports.iter().map(summary_of).collect();
                let failed = reports.iter().any(|r| r.error.is_some()) || reports.len() < total;
                if reports.len() < total {
                    lines.push(format!(
                        "{} file(s) were not imported (cancelled).",
                        total - reports.len()
                    ));
                }
                self.sheet = Some(Sheet::Finished { lines, failed });
            }
            other => self.sheet = other,
        }
    }

    /// Rebuilds the cached views whose inputs changed.
    fn refresh(&mut self) {
        if self.check_revision {
            match self.store.revision() {
                Ok(r) => self.revision = r,
                Err(e) => self.tell(&e.to_string(), true),
            }
            self.check_revision = false;
        }
        let key = (self.revision, self.prefs.group, self.prefs.bucket);
        if self.cache.dashboard_key != Some(key) {
            if let Err(e) = self.rebuild_dashboard() {
                self.tell(&format!("Could not read the ledger: {e}"), true);
            }
            self.cache.dashboard_key = Some(key);
        }
        let table_key = (self.revision, self.prefs.tab, self.search.clone());
        if self.cache.table_key.as_ref() != Some(&table_key) {
            if let Err(e) = self.load_table(0) {
                self.tell(&format!("Could not read the ledger: {e}"), true);
            }
            self.cache.table_key = Some(table_key);
        }
    }

    fn rebuild_dashboard(&mut self) -> anyhow::Result<()> {
        let today = self.config.today;
        self.cache.figures = self.store.key_figures(today)?;
        let days = match self.prefs.bucket {
            Bucket::Day => 60,
            Bucket::Week => 26 * 7,
            Bucket::Month => 365,
        };
        // Show the latest data when the ledger ends before the window would start.
        let mut to = today;
        if let Some((_, last)) = self.store.usage_day_range()?
            && last < today - chrono::Days::new(days - 1)
        {
            to = last;
        }
        let from = to - chrono::Days::new(days - 1);
        self.cache.chart = self
            .store
            .cost_series(self.prefs.group, self.prefs.bucket, from, to)?;
        let f = &self.cache.figures;
        self.cache.is_empty = f.usage_records + f.billing_records + f.bank_lines == 0
            && self.store.source_files()?.is_empty();
        Ok(())
    }

    /// Loads the page of the current table that starts at `offset`.
    fn load_table(&mut self, offset: usize) -> anyhow::Result<()> {
        let search = self.search.as_str();
        let (total, rows) = match self.prefs.tab {
            Tab::Usage => (
                self.store.usage_count(search)?,
                Rows::Usage(self.store.usage_page(search, offset, PAGE_ROWS)?),
            ),
            Tab::Billing => (
                self.store.billing_count(search)?,
                Rows::Billing(self.store.billing_page(search, offset, PAGE_ROWS)?),
            ),
            Tab::Bank => (
                self.store.bank_count(search)?,
                Rows::Bank(self.store.bank_page(search, offset, PAGE_ROWS)?),
            ),
            Tab::Imports => {
                let files = self.store.source_files()?;
                (files.len(), Rows::Imports(files))
            }
        };
        self.cache.total_rows = total;
        self.cache.offset = offset;
        self.cache.rows = Some(rows);
        Ok(())
    }

    fn draw(&mut self, ui: &mut egui::Ui, actions: &mut Vec<Action>) {
        let ctx = ui.ctx().clone();
        let busy = self.job.is_some();
        let hovering = ctx.input(|i| !i.raw.hovered_files.is_empty());
        let top = TopBarView {
            ledger: self.store.path().display().to_string(),
            is_demo: self.is_demo,
            theme: self.prefs.theme,
            busy,
        };
        egui::Panel::top("top bar").show(ui, |ui| {
            ui.add_space(4.0);
            ui::top_bar_ui(ui, &top, actions);
            ui.add_space(2.0);
        });
        if let Some(message) = &self.message {
            egui::Panel::bottom("message").show(ui, |ui| ui::message_ui(ui, message, actions));
        }
        egui::CentralPanel::default().show(ui, |ui| {
            if self.cache.is_empty {
                let view = EmptyView {
                    formats: self.formats.clone(),
                    busy,
                    hovering_files: hovering,
                };
                ui::empty::empty_ui(ui, &view, actions);
                return;
            }
            ui::figures::figures_ui(ui, &self.cache.figures);
            ui.add_space(theme::GAP);
            let chart = ChartView {
                series: self.cache.chart.clone(),
                group: self.prefs.group,
                bucket: self.prefs.bucket,
                reset: self.reset_chart,
            };
            ui::chart::chart_ui(ui, &chart, actions);
            ui.add_space(theme::GAP);
            if let Some(rows) = &self.cache.rows {
                let table = TableView {
                    tab: self.prefs.tab,
                    search: self.search.clone(),
                    total_rows: self.cache.total_rows,
                    offset: self.cache.offset,
                    rows: rows.clone(),
                    busy,
                };
                ui::tables::tables_ui(ui, &table, actions);
            }
        });
        self.reset_chart = false;
        if let Some(sheet) = &self.sheet {
            let cancelling = self.job.as_ref().is_some_and(Job::is_cancelled);
            ui::import_sheet::sheet_ui(&ctx, &sheet_view(sheet, cancelling), actions);
        }
        if hovering {
            ui::drop_overlay_ui(&ctx);
        }
    }

    /// Applies one action; the only place the window writes to the ledger.
    fn apply(&mut self, action: Action, ctx: &egui::Context) {
        match action {
            Action::PickFiles => self.pick_files(ctx),
            Action::QueueFiles(paths) => self.queue_files(paths, ctx),
            Action::OpenDemo => self.open_demo(),
            Action::OpenOwnLedger => self.open_ledger(&self.config.db.clone(), false),
            Action::ConfirmImport => self.confirm_import(ctx),
            Action::ClosePreview => {
                if self.job.is_none() {
                    self.sheet = None;
                }
            }
            Action::CancelJob => {
                if let Some(job) = &self.job {
                    job.cancel();
                }
            }
            Action::Undo { source_file_id } => self.undo(source_file_id),
            Action::SetGroup(group) => self.prefs.group = group,
            Action::SetBucket(bucket) => self.prefs.bucket = bucket,
            Action::ResetChart => self.reset_chart = true,
            Action::SetTab(tab) => self.prefs.tab = tab,
            Action::SetSearch(search) => self.search = search,
            Action::ShowRows { first, .. } => {
                let offset = first.saturating_sub(PAGE_ROWS / 4);
                if let Err(e) = self.load_table(offset) {
                    self.tell(&format!("Could not read the ledger: {e}"), true);
                }
            }
            Action::SetTheme(choice) => self.prefs.theme = choice,
            Action::DismissMessage => self.message = None,
        }
    }

    fn pick_files(&mut self, ctx: &egui::Context) {
        if !self.config.native_dialogs || self.job.is_some() {
            return;
        }
        let picked = rfd::FileDialog::new()
            .set_title("Import exports and statements")
            .add_filter("CSV files", &["csv", "CSV", "txt", "TXT"])
            .add_filter("All files", &["*"])
            .pick_files();
        if let Some(paths) = picked {
            self.queue_files(paths, ctx);
        }
    }

    fn confirm_import(&mut self, ctx: &egui::Context) {
        let Some(Sheet::Preview { paths, files }) = &self.sheet else {
            return;
        };
        let paths: Vec<PathBuf> = paths
            .iter()
            .zip(files)
            .filter(|(_, f)| f.error.is_none())
            .map(|(p, _)| p.clone())
            .collect();
        let wake = ctx.clone();
        match jobs::spawn(
            self.store.path().to_path_buf(),
            paths.clone(),
            false,
            move || wake.request_repaint(),
        ) {
            Ok(job) => {
                self.job = Some(job);
                self.sheet = Some(Sheet::Importing {
                    total: paths.len(),
                    done: 0,
                    current: String::new(),
                    rows: 0,
                    bytes: 0,
                    file_bytes: 0,
                    reports: Vec::new(),
                });
            }
            Err(e) => self.tell(&format!("Could not start the import thread: {e}"), true),
        }
    }

    fn undo(&mut self, source_file_id: i64) {
        if self.job.is_some() {
            return;
        }
        let name = self
            .store
            .source_files()
            .ok()
            .and_then(|files| files.into_iter().find(|f| f.id == source_file_id))
            .map_or_else(|| format!("import {source_file_id}"), |f| f.name);
        match self.store.undo_import(source_file_id) {
            Ok(removed) => self.tell(
                &format!(
                    "Undid the import of {name}: removed {} record(s).",
                    format::count(removed)
                ),
                false,
            ),
            Err(e) => self.tell(&format!("Could not undo the import of {name}: {e}"), true),
        }
        self.check_revision = true;
    }

    fn open_demo(&mut self) {
        if self.job.is_some() {
            return;
        }
        let built = demo::build(&self.config.demo_path, &self.config.db);
        match built {
            Ok(reports) => {
                let failed: Vec<String> = reports
                    .iter()
                    .filter_map(|r| r.error.as_ref().map(|e| format!("{}: {e}", r.file)))
                    .collect();
                self.open_ledger(&self.config.demo_path.clone(), true);
                if !failed.is_empty() {
                    self.tell(
                        &format!("Some demo files were left out: {}", failed.join("; ")),
                        true,
                    );
                }
            }
            Err(e) => self.tell(&format!("Could not build the demo: {e:#}"), true),
        }
    }

    fn open_ledger(&mut self, path: &Path, is_demo: bool) {
        if self.job.is_some() {
            return;
        }
        match Store::open(path) {
            Ok(store) => {
                self.store = store;
                self.is_demo = is_demo;
                self.sheet = None;
                self.message = None;
                self.cache = Cache::default();
                self.check_revision = true;
            }
            Err(e) => self.tell(&e.to_string(), true),
        }
    }
}

fn sheet_view(sheet: &Sheet, cancelling: bool) -> SheetView {
    match sheet {
        Sheet::Checking {
            paths,
            reports,
            current,
        } => SheetView::Checking {
            done: reports.len(),
            total: paths.len(),
            current: current.clone(),
        },
        Sheet::Preview { files, .. } => SheetView::Preview {
            files: files.clone(),
        },
        Sheet::Importing {
            total,
            done,
            current,
            rows,
            bytes,
            file_bytes,
            ..
        } => SheetView::Importing {
            done: *done,
            total: *total,
            current: current.clone(),
            rows: *rows,
            bytes: *bytes,
            file_bytes: *file_bytes,
            cancelling,
        },
        Sheet::Finished { lines, failed } => SheetView::Finished {
            lines: lines.clone(),
            failed: *failed,
        },
    }
}

fn format_name(id: Option<&str>) -> Option<String> {
    let id = id?;
    Some(formats::by_id(id).map_or_else(|| id.to_string(), |f| f.name().to_string()))
}

fn preview_of(report: &ImportReport) -> FilePreview {
    FilePreview {
        name: report.file.clone(),
        format: format_name(report.format.as_deref()),
        error: report.error.clone(),
        rows: report.rows,
        new: report.inserted,
        duplicates: report.duplicates,
        updated: report.updated,
        skipped: report.skipped,
        rejected: report.rejected.len(),
        first_rejected: report
            .rejected
            .iter()
            .take(PREVIEW_REJECTED)
            .map(ToString::to_string)
            .collect(),
        sample: report
            .sample
            .iter()
            .take(PREVIEW_SAMPLE)
            .map(sample_of)
            .collect(),
    }
}

fn joined(parts: &[&str]) -> String {
    parts
        .iter()
        .filter(|p| !p.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(" · ")
}

fn sample_of(record: &Record) -> SampleRow {
    match record {
        Record::Usage(u) => SampleRow {
            day: u.day.map(|d| d.to_string()).unwrap_or_default(),
            what: "usage".into(),
            detail: joined(&[&u.provider, u.project_label(), &u.model, &u.token_kind]),
            amount: u
                .cost
                .map(|c| format::exact(c, &u.currency))
                .unwrap_or_default(),
        },
        Record::Billing(b) => SampleRow {
            day: b.occurred_at.date().to_string(),
            what: b.kind.as_str().replace('_', " "),
            detail: joined(&[&b.provider, &b.number, b.status.as_str(), &b.description]),
            amount: format::money(b.amount, &b.currency),
        },
        Record::Bank(b) => SampleRow {
            day: b.day().map(|d| d.to_string()).unwrap_or_default(),
            what: "bank line".into(),
            detail: joined(&[&b.account, &b.description]),
            amount: format::money(b.amount, &b.currency),
        },
        Record::Rate(r) => SampleRow {
            day: r.day.to_string(),
            what: "rate".into(),
            detail: format!("{} per EUR", r.currency),
            amount: r.per_euro.to_string(),
        },
    }
}

fn summary_of(report: &ImportReport) -> String {
    match &report.error {
        Some(error) => format!("{}: not imported. {error}", report.file),
        None => format!(
            "{}: {} new, {} updated, {} duplicate, {} rejected.",
            report.file,
            format::count(report.inserted),
            format::count(report.updated),
            format::count(report.duplicates),
            format::count(report.rejected.len())
        ),
    }
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

/// Opens the window on the ledger at `db` (or the demo with `--demo`). Returns the exit code.
///
/// # Errors
/// When the ledger cannot be opened, the window cannot be created, or the screenshot fails.
pub fn run(args: &crate::cli::Cli, db: &Path) -> anyhow::Result<i32> {
    let today = args
        .as_of
        .unwrap_or_else(|| chrono::Local::now().date_naive());
    let demo_path = demo::default_path();
    if args.demo {
        for report in demo::build(&demo_path, db)? {
            if let Some(error) = report.error {
                eprintln!("burnrate: the demo leaves out {}: {error}", report.file);
            }
        }
    }
    let config = Config {
        db: db.to_path_buf(),
        demo_path,
        start_in_demo: args.demo,
        today,
        native_dialogs: true,
    };
    let screenshot_to = args.screenshot_to.clone();
    let outcome: Outcome = Outcome::default();
    let app_outcome = Outcome::clone(&outcome);
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("burnrate")
            .with_app_id("burnrate")
            .with_inner_size(theme::WINDOW_SIZE)
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
            let prefs = match (shooting, cc.storage) {
                (false, Some(storage)) => eframe::get_value(storage, PREFS_KEY).unwrap_or_default(),
                _ => Prefs::default(),
            };
            let mut app = App::new(config, prefs)?;
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
