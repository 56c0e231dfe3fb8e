//! The desktop window: the eframe app that owns the ledger, caches the views the panels draw,
//! runs imports on a background thread and applies the panels' actions after each frame.
//!
//! Three kinds of state stay apart: preferences (theme, chart toggles, tab; saved by eframe),
//! ledger data (`SQLite`, written only in [`App::apply`] and by the import thread) and caches
//! (memory only, rebuilt when the ledger's revision or a filter changes, never per frame).
//! "Today" is injected, so screenshots and tests are stable.

mod extras;
mod jobs;
mod money;
mod review;
mod screenshot;
mod topups;
mod views_worker;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context as _;
use chrono::NaiveDate;

use self::extras::Extras;
use self::jobs::{FileJob, Job, JobEvent, Work};
use self::screenshot::{ChartExport, Outcome, Screenshot, screenshot_view};
use self::views_worker::{DashboardViews, LedgerViews, Part, TableViews, ViewsWorker, Wanted};
use crate::domain::flags::Budget;
use crate::domain::import::{self, BankMapping, DateOrder, FileOptions, formats};
use crate::domain::records::Record;
use crate::domain::views::{Bucket, DayBounds, Filters, Focus, SeriesGroup, Sort};
use crate::services::Clock;
use crate::services::clock::now_utc;
use crate::services::demo;
use crate::services::import::file_opener;
use crate::store::{BudgetSetting, ImportReport, Store};
use crate::ui::balance::BalanceView;
use crate::ui::chart::ChartView;
use crate::ui::empty::{EmptyView, FormatInfo};
use crate::ui::figures::FiguresView;
use crate::ui::filters::FiltersView;
use crate::ui::flags::FlagsView;
use crate::ui::import_sheet::{FilePreview, SampleRow, SheetView};
use crate::ui::mapping::MappingView;
use crate::ui::tables::{Rows, TableView};
use crate::ui::{self, Action, Message, Tab, ThemeChoice, TopBarView, View, format, theme};

/// The key under which preferences are saved in eframe's storage.
const PREFS_KEY: &str = "burnrate.prefs";
/// The settings key the review reads its reporting currency from.
const REPORTING_CURRENCY_KEY: &str = "reporting_currency";
/// Rows fetched per table page.
const PAGE_ROWS: usize = 200;
/// Rejected rows shown per file in the preview.
const PREVIEW_REJECTED: usize = 5;
/// Records shown per file in the preview.
const PREVIEW_SAMPLE: usize = 8;
/// The mapping editor previews at most this much of a file.
const MAPPING_PREVIEW_BYTES: u64 = 512 * 1024;

/// What the user chose that outlives a session (saved by eframe, never in the ledger).
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Prefs {
    pub theme: ThemeChoice,
    pub group: SeriesGroup,
    pub bucket: Bucket,
    pub tab: Tab,
    pub view: View,
    pub filters: Filters,
    /// The sort of the usage, billing and bank tables.
    pub sorts: [Sort; 3],
    /// Projects hidden from the cost chart (by a click on their legend entry).
    pub hidden_projects: BTreeSet<String>,
    /// Models hidden from the cost chart.
    pub hidden_models: BTreeSet<String>,
}

impl Prefs {
    /// The series the cost chart leaves out when grouped by `group`.
    pub fn hidden_series(&self, group: SeriesGroup) -> &BTreeSet<String> {
        match group {
            SeriesGroup::Project => &self.hidden_projects,
            SeriesGroup::Model => &self.hidden_models,
        }
    }

    /// Hides the series `name` of the chart grouped by `group`, or shows it again.
    pub fn toggle_series(&mut self, group: SeriesGroup, name: &str) {
        let hidden = match group {
            SeriesGroup::Project => &mut self.hidden_projects,
            SeriesGroup::Model => &mut self.hidden_models,
        };
        if !hidden.remove(name) {
            hidden.insert(name.to_string());
        }
    }

    fn sort(&self, tab: Tab) -> Sort {
        let index = match tab {
            Tab::Usage | Tab::Imports => 0,
            Tab::Billing => 1,
            Tab::Bank => 2,
        };
        self.sorts.get(index).copied().unwrap_or(Sort::NEWEST)
    }

    fn set_sort(&mut self, tab: Tab, sort: Sort) {
        let index = match tab {
            Tab::Usage | Tab::Imports => 0,
            Tab::Billing => 1,
            Tab::Bank => 2,
        };
        if let Some(slot) = self.sorts.get_mut(index) {
            *slot = sort;
        }
    }
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

/// The views the panels draw, as the `views` thread last answered (the window keeps drawing
/// these until newer ones arrive).
#[derive(Default)]
struct Cache {
    ledger: Option<Arc<LedgerViews>>,
    dashboard: Option<Arc<DashboardViews>>,
    table: Option<Arc<TableViews>>,
    /// The index of the first row of `rows` in the table.
    offset: usize,
    rows: Option<Rows>,
}

/// A check of one file again (with the user's date order), the other files' previews kept.
struct Recheck {
    index: usize,
    previews: Vec<FilePreview>,
}

/// The import sheet's state.
enum Sheet {
    Checking {
        /// Every file of the sheet, with its options.
        jobs: Vec<FileJob>,
        reports: Vec<ImportReport>,
        current: String,
        /// Set when only one file is checked again.
        recheck: Option<Recheck>,
    },
    Preview {
        jobs: Vec<FileJob>,
        files: Vec<FilePreview>,
    },
    /// Undoing an import on the import thread.
    Undoing {
        name: String,
    },
    Importing {
        /// The files go into the user's own ledger while the window shows the demo: the window
        /// switches to that ledger when the import ends.
        into_own_ledger: bool,
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
    /// Ask the ledger for its revision at the next frame (after a write, or on focus).
    check_revision: bool,
    /// Bumped for each `check_revision`: the views thread reads the revision again.
    recheck: u64,
    /// The thread that builds the views (started at the first frame, which brings the
    /// `egui::Context` it wakes).
    views: Option<ViewsWorker>,
    was_focused: bool,
    search: String,
    /// Ctrl+F: give the search box the keyboard focus at the next frame.
    focus_search: bool,
    /// What the tables are narrowed to after a click on a bar or a flag (memory only).
    focus: Option<Focus>,
    /// The flag whose top-up the doctor follows.
    doctor: Option<String>,
    reset_chart: bool,
    cache: Cache,
    job: Option<Job>,
    sheet: Option<Sheet>,
    message: Option<Message>,
    screenshot: Option<Screenshot>,
    formats: Vec<FormatInfo>,
    /// The top-up doctor, match review, forecasts, monthly review and chart export.
    extras: Extras,
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
            check_revision: true,
            recheck: 0,
            views: None,
            was_focused: true,
            search: String::new(),
            focus_search: false,
            focus: None,
            doctor: None,
            reset_chart: false,
            cache: Cache::default(),
            job: None,
            sheet: None,
            message: None,
            screenshot: None,
            formats,
            extras: Extras::default(),
        })
    }

    /// Saves a PNG of the window once the dashboard has drawn, then closes it.
    pub fn take_screenshot(&mut self, path: PathBuf, outcome: Outcome) {
        self.screenshot = Some(Screenshot::new(path, outcome));
    }

    /// Starts checking files for import, as if they were dropped on the window.
    pub fn queue_files(&mut self, paths: Vec<PathBuf>, ctx: &egui::Context) {
        let jobs = paths
            .into_iter()
            .map(|path| FileJob {
                path,
                options: FileOptions::default(),
            })
            .collect();
        self.check_files(jobs, None, ctx);
    }

    /// Starts the dry run of `jobs` (of the file `recheck.index` only, when set).
    fn check_files(&mut self, jobs: Vec<FileJob>, recheck: Option<Recheck>, ctx: &egui::Context) {
        if jobs.is_empty() {
            return;
        }
        if self.job.is_some() || matches!(self.sheet, Some(Sheet::Importing { .. })) {
            self.tell(
                "An import is running; drop the files again when it has finished.",
                true,
            );
            return;
        }
        let checked = match &recheck {
            Some(r) => jobs.get(r.index).cloned().into_iter().collect(),
            None => jobs.clone(),
        };
        let wake = ctx.clone();
        match jobs::spawn(self.import_ledger(), Work::Check(checked), move || {
            wake.request_repaint();
        }) {
            Ok(job) => {
                self.job = Some(job);
                self.sheet = Some(Sheet::Checking {
                    jobs,
                    reports: Vec::new(),
                    current: String::new(),
                    recheck,
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
        self.prefs.clone()
    }

    /// Replaces the filters, as the filter bar does (benchmarks and tests).
    pub fn set_filters(&mut self, filters: Filters) {
        self.prefs.filters = filters;
    }

    /// Switches the main view, as Ctrl+1..5 do (benchmarks and tests).
    pub fn set_view(&mut self, view: View) {
        self.prefs.view = view;
    }

    /// Applies `action` after the next frame, as if a panel had pushed it (tests use it to
    /// act where the window would open a native dialog: `SaveReport(Some(path))`).
    pub fn queue_action(&mut self, action: Action) {
        self.extras.queued.push(action);
    }

    /// Whether the window shows the demo ledger.
    pub fn is_demo(&self) -> bool {
        self.is_demo
    }

    /// The ledger dropped or picked files go into: the one shown, except over the demo, where
    /// they start (or go into) the user's own ledger and the demo stays as it is.
    fn import_ledger(&self) -> PathBuf {
        if self.is_demo {
            self.config.db.clone()
        } else {
            self.store.path().to_path_buf()
        }
    }

    /// What the preview says about where the files go, when that is not the ledger shown.
    fn destination_note(&self) -> Option<String> {
        if !self.is_demo {
            return None;
        }
        let db = &self.config.db;
        let which = if db.exists() {
            "your ledger"
        } else {
            "your new ledger"
        };
        Some(format!(
            "These files go into {which} at {}; the demo stays as it is.",
            db.display()
        ))
    }

    /// The names of the series the cost chart draws bars for (hidden ones left out; for tests).
    pub fn chart_series(&self) -> Vec<String> {
        let hidden = self.prefs.hidden_series(self.prefs.group);
        self.cache
            .dashboard
            .as_ref()
            .map(|d| {
                d.chart
                    .series
                    .iter()
                    .filter(|s| !hidden.contains(&s.name))
                    .map(|s| s.name.clone())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Whether the views thread has not yet answered what the window shows now (tests and
    /// benchmarks step frames until it has).
    pub fn is_updating(&self) -> bool {
        self.views.as_ref().is_none_or(ViewsWorker::is_pending)
    }

    /// Whether the ledger has no records (false until the views thread has answered).
    fn is_empty(&self) -> bool {
        self.cache.ledger.as_ref().is_some_and(|l| l.is_empty())
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
        let mut actions = std::mem::take(&mut self.extras.queued);
        self.read_input(&ctx, &mut actions);
        self.refresh(&ctx);
        self.extras.refresh(
            self.cache.ledger.as_deref(),
            self.store.path(),
            self.config.today,
            self.prefs.view == View::Review,
            &ctx,
        );
        self.draw(ui, &mut actions);
        for action in actions {
            self.apply(action, &ctx);
        }
        let ready = self.job.is_none()
            && self.cache.dashboard.is_some()
            && !self.is_updating()
            && (self.prefs.view != View::Review || self.extras.review_ready());
        self.poll_chart_export(&ctx);
        if let Some(shot) = &mut self.screenshot {
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
        let shortcut = |key| egui::KeyboardShortcut::new(egui::Modifiers::COMMAND, key);
        if ctx.input_mut(|i| i.consume_shortcut(&shortcut(egui::Key::O))) {
            actions.push(Action::PickFiles);
        }
        if ctx.input_mut(|i| i.consume_shortcut(&shortcut(egui::Key::F))) && !self.is_empty() {
            actions.push(Action::SetView(View::Ledger));
            self.focus_search = true;
        }
        let keys = [
            egui::Key::Num1,
            egui::Key::Num2,
            egui::Key::Num3,
            egui::Key::Num4,
            egui::Key::Num5,
        ];
        for (key, view) in keys.into_iter().zip(View::ALL) {
            if ctx.input_mut(|i| i.consume_shortcut(&shortcut(key))) && !self.is_empty() {
                actions.push(Action::SetView(view));
            }
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
            (
                JobEvent::Files(files),
                Some(Sheet::Checking {
                    jobs,
                    recheck: None,
                    ..
                }),
            ) => *jobs = files,
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
            (JobEvent::Undone { removed }, Some(Sheet::Undoing { name })) => {
                let text = format!(
                    "Undid the import of {name}: removed {} record(s).",
                    format::count(removed)
                );
                self.sheet = None;
                self.tell(&text, false);
            }
            (JobEvent::Failed(error), Some(Sheet::Undoing { name })) => {
                let text = format!("Could not undo the import of {name}: {error}");
                self.sheet = None;
                self.tell(&text, true);
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
            Some(Sheet::Checking {
                jobs,
                recheck: Some(mut recheck),
                reports,
                ..
            }) => {
                if !cancelled
                    && let (Some(report), Some(job), Some(slot)) = (
                        reports.first(),
                        jobs.get(recheck.index),
                        recheck.previews.get_mut(recheck.index),
                    )
                {
                    *slot = file_preview(report, &job.path, recheck.index);
                }
                self.sheet = Some(Sheet::Preview {
                    jobs,
                    files: recheck.previews,
                });
            }
            Some(Sheet::Checking { .. }) if cancelled => {}
            Some(Sheet::Checking { jobs, reports, .. }) => {
                let files = reports
                    .iter()
                    .zip(&jobs)
                    .enumerate()
                    .map(|(index, (report, job))| file_preview(report, &job.path, index))
                    .collect();
                self.sheet = Some(Sheet::Preview { jobs, files });
            }
            Some(Sheet::Undoing { .. }) => {}
            Some(Sheet::Importing {
                reports,
                total,
                into_own_ledger,
                ..
            }) => {
                if into_own_ledger {
                    // The files went into the user's own ledger: show it from now on (and the
                    // next start opens it, as it now exists).
                    self.open_ledger(&self.config.db.clone(), false);
                }
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

    /// Asks the views thread for the views of what the window shows (when that changed) and
    /// takes its answers. Never queries the ledger itself.
    fn refresh(&mut self, ctx: &egui::Context) {
        if self.check_revision {
            self.recheck += 1;
            self.check_revision = false;
        }
        if self.views.is_none() {
            let wake = ctx.clone();
            match ViewsWorker::spawn(
                self.store.path().to_path_buf(),
                self.config.today,
                move || wake.request_repaint(),
            ) {
                Ok(worker) => self.views = Some(worker),
                Err(e) => {
                    self.tell(&format!("Could not start the views thread: {e}"), true);
                    return;
                }
            }
        }
        let wanted = Wanted {
            group: self.prefs.group,
            bucket: self.prefs.bucket,
            filters: self.prefs.filters.clone(),
            tab: self.prefs.tab,
            search: self.search.clone(),
            focus: self.focus.clone(),
            sort: self.prefs.sort(self.prefs.tab),
            recheck: self.recheck,
        };
        let Some(views) = &mut self.views else {
            return;
        };
        views.want(&wanted);
        for part in views.poll() {
            match part {
                Part::Ledger(l) => self.cache.ledger = Some(l),
                Part::Dashboard(d) => self.cache.dashboard = Some(d),
                Part::Table(t) => {
                    let same = self
                        .cache
                        .table
                        .as_ref()
                        .is_some_and(|c| Arc::ptr_eq(c, &t));
                    if !same {
                        self.cache.offset = 0;
                        self.cache.rows = Some(t.first_page.clone());
                        self.cache.table = Some(t);
                    }
                }
                Part::Failed(e) => self.tell(&e, true),
                Part::Done => {}
            }
        }
    }

    fn bounds(&self) -> DayBounds {
        self.prefs.filters.bounds(self.config.today)
    }

    /// The money views of the last answer (empty until the first).
    fn money(&self) -> Option<&money::MoneyModel> {
        self.cache.ledger.as_ref().map(|l| &l.money)
    }

    /// Reads the rows around `first` of the shown table by their ids: a bounded lookup by
    /// primary key (a page deep in a million rows costs as little as the first), cheap enough
    /// for the window's thread.
    fn load_page(&mut self, first: usize) -> Result<(), crate::store::StoreError> {
        let Some(table) = &self.cache.table else {
            return Ok(());
        };
        let Some(ids) = &table.ids else {
            return Ok(());
        };
        let offset = first.saturating_sub(PAGE_ROWS / 4).min(ids.len());
        let end = offset.saturating_add(PAGE_ROWS).min(ids.len());
        let page = ids.get(offset..end).unwrap_or_default();
        let rows = match table.tab {
            Tab::Usage => Rows::Usage(self.store.usage_rows(page)?),
            Tab::Billing => Rows::Billing(self.store.billing_rows(page)?),
            Tab::Bank => Rows::Bank(self.store.bank_rows(page)?),
            Tab::Imports => return Ok(()),
        };
        self.cache.offset = offset;
        self.cache.rows = Some(rows);
        Ok(())
    }

    /// The flags the filters let through, open ones first.
    fn shown_flags(&self) -> Vec<crate::domain::views::FlagRow> {
        let f = &self.prefs.filters;
        let bounds = self.bounds();
        let Some(money) = self.money() else {
            return Vec::new();
        };
        let mut rows: Vec<_> = money
            .flags
            .iter()
            .filter(|r| bounds.contains(r.flag.date))
            .filter(|r| f.provider.is_empty() || r.flag.provider == f.provider)
            .filter(|r| {
                f.project.is_empty() || r.flag.project.as_deref().is_none_or(|p| p == f.project)
            })
            .cloned()
            .collect();
        rows.sort_by(|a, b| {
            (
                a.dismissed.is_some(),
                std::cmp::Reverse(a.flag.severity),
                std::cmp::Reverse(a.flag.date),
            )
                .cmp(&(
                    b.dismissed.is_some(),
                    std::cmp::Reverse(b.flag.severity),
                    std::cmp::Reverse(b.flag.date),
                ))
        });
        rows
    }

    fn shown_balances(&self) -> Vec<crate::domain::views::AccountBalance> {
        let f = &self.prefs.filters;
        let Some(money) = self.money() else {
            return Vec::new();
        };
        money
            .balances
            .iter()
            .filter(|b| f.provider.is_empty() || b.provider == f.provider)
            .filter(|b| f.account.is_empty() || b.organization == f.account)
            .cloned()
            .collect()
    }

    fn draw(&mut self, ui: &mut egui::Ui, actions: &mut Vec<Action>) {
        let ctx = ui.ctx().clone();
        let busy = self.job.is_some();
        let hovering = ctx.input(|i| !i.raw.hovered_files.is_empty());
        let flags = self.shown_flags();
        let open_flags = flags.iter().filter(|f| f.dismissed.is_none()).count();
        let top = TopBarView {
            ledger: self.store.path().display().to_string(),
            view: self.prefs.view,
            open_flags,
            busy,
            is_empty: self.is_empty(),
        };
        egui::Panel::top("top bar").show(ui, |ui| {
            ui.add_space(4.0);
            ui::top_bar_ui(ui, &top, actions);
            ui.add_space(2.0);
        });
        if self.is_demo {
            egui::Panel::top("demo banner")
                .frame(
                    egui::Frame::new()
                        .fill(theme::banner_fill(ui))
                        .inner_margin(6.0),
                )
                .show(ui, |ui| ui::demo_banner_ui(ui, actions));
        }
        let loaded = self.cache.ledger.is_some();
        if loaded && !self.is_empty() && self.prefs.view != View::Settings {
            let view = FiltersView {
                filters: self.prefs.filters.clone(),
                options: self
                    .cache
                    .ledger
                    .as_ref()
                    .map(|l| l.options.clone())
                    .unwrap_or_default(),
                bounds: Some(self.bounds()),
            };
            egui::Panel::top("filters").show(ui, |ui| {
                ui.add_space(2.0);
                ui::filters::filters_ui(ui, &view, actions);
                ui.add_space(2.0);
            });
        }
        if let Some(message) = &self.message {
            egui::Panel::bottom("message").show(ui, |ui| ui::message_ui(ui, message, actions));
        }
        egui::CentralPanel::default().show(ui, |ui| {
            if !loaded {
                ui.centered_and_justified(|ui| {
                    ui.label(egui::RichText::new("Reading the ledger…").color(theme::weak(ui)));
                });
                return;
            }
            if self.is_empty() {
                let view = EmptyView {
                    formats: self.formats.clone(),
                    busy,
                    hovering_files: hovering,
                };
                ui::empty::empty_ui(ui, &view, actions);
                return;
            }
            match self.prefs.view {
                View::Dashboard => self.dashboard_ui(ui, &flags, actions),
                View::Flags => self.flags_view_ui(ui, flags, actions),
                View::Ledger => self.ledger_ui(ui, busy, actions),
                View::Settings => {
                    let mut view = self
                        .cache
                        .ledger
                        .as_ref()
                        .map(|l| l.settings.clone())
                        .unwrap_or_default();
                    view.theme = self.prefs.theme;
                    view.recharges.clone_from(&self.extras.topups.recharges);
                    ui::settings::settings_ui(ui, &view, actions);
                }
                View::Review => {
                    let view = self.extras.review_view(self.config.today);
                    ui::review::review_ui(ui, &view, actions);
                }
            }
        });
        self.reset_chart = false;
        if let Some(sheet) = &self.sheet {
            let cancelling = self.job.as_ref().is_some_and(Job::is_cancelled);
            let destination = self.destination_note();
            let view = sheet_view(sheet, cancelling, destination.as_deref());
            ui::import_sheet::sheet_ui(&ctx, &view, actions);
        }
        if hovering {
            ui::drop_overlay_ui(&ctx);
        }
        if loaded && self.is_updating() {
            updating_ui(&ctx);
        }
    }

    /// The Flags view: the flags, the top-up doctor and the match review.
    fn flags_view_ui(
        &self,
        ui: &mut egui::Ui,
        flags: Vec<crate::domain::views::FlagRow>,
        actions: &mut Vec<Action>,
    ) {
        let doctor_flag = self.doctor.as_deref().and_then(|id| {
            self.money()
                .and_then(|m| m.flags.iter().find(|f| f.flag.id == id))
        });
        let view = FlagsView {
            doctor: self.extras.doctor_view(doctor_flag, self.config.today),
            flags,
            panel: self.extras.flags_panel,
            matches: self.extras.topups.matches.clone(),
            as_of: self.config.today.to_string(),
        };
        ui::flags::flags_ui(ui, &view, actions);
    }

    fn dashboard_ui(
        &self,
        ui: &mut egui::Ui,
        flags: &[crate::domain::views::FlagRow],
        actions: &mut Vec<Action>,
    ) {
        let bounds = self.bounds();
        let range_label = if self.prefs.filters.range == crate::domain::views::DateRange::All {
            "all time".to_string()
        } else {
            format!(
                "{} – {}",
                bounds.from.format("%b %-d"),
                bounds.to.format("%b %-d, %Y")
            )
        };
        let figures = FiguresView {
            figures: self
                .cache
                .ledger
                .as_ref()
                .map(|l| l.figures.clone())
                .unwrap_or_default(),
            usage_in_range: self
                .cache
                .dashboard
                .as_ref()
                .map(|d| d.usage_in_range.clone())
                .unwrap_or_default(),
            range_label,
            balances: self.shown_balances(),
            open_flags: flags.iter().filter(|f| f.dismissed.is_none()).count(),
            critical_flags: flags
                .iter()
                .filter(|f| {
                    f.dismissed.is_none()
                        && f.flag.severity == crate::domain::flags::Severity::Critical
                })
                .count(),
        };
        egui::ScrollArea::vertical()
            .auto_shrink([false, false])
            .show(ui, |ui| {
                ui::figures::figures_ui(ui, &figures, actions);
                ui.add_space(theme::GAP);
                let chart = ChartView {
                    series: self
                        .cache
                        .dashboard
                        .as_ref()
                        .map(|d| d.chart.clone())
                        .unwrap_or_default(),
                    group: self.prefs.group,
                    bucket: self.prefs.bucket,
                    hidden: self.prefs.hidden_series(self.prefs.group).clone(),
                    reset: self.reset_chart,
                };
                ui::chart::chart_ui(ui, &chart, actions);
                ui.add_space(theme::GAP);
                let balance = BalanceView {
                    accounts: figures.balances.clone(),
                    forecasts: self.extras.topups.forecasts.clone(),
                    bounds,
                    today: self.config.today,
                };
                ui::balance::balance_ui(ui, &balance, actions);
            });
    }

    fn ledger_ui(&mut self, ui: &mut egui::Ui, busy: bool, actions: &mut Vec<Action>) {
        let (Some(rows), Some(shown)) = (&self.cache.rows, &self.cache.table) else {
            return;
        };
        let table = TableView {
            tab: shown.tab,
            search: self.search.clone(),
            total_rows: shown.total_rows,
            offset: self.cache.offset,
            rows: rows.clone(),
            busy,
            sort: self.prefs.sort(self.prefs.tab),
            focus: self.focus.as_ref().map(|f| f.label.clone()),
        };
        ui::tables::tables_ui(ui, &table, actions);
        if self.focus_search {
            ui.memory_mut(|m| m.request_focus(ui::tables::search_id()));
            self.focus_search = false;
        }
    }

    /// Applies one action; the only place the window writes to the ledger.
    fn apply(&mut self, action: Action, ctx: &egui::Context) {
        if self.job.is_some() && writes(&action) {
            // The import holds the ledger's write lock for a whole file: a write from this
            // thread would wait for it (up to the busy timeout) and freeze the window.
            self.tell(
                "An import is writing to the ledger; try again when it has finished.",
                true,
            );
            return;
        }
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
            Action::Undo { source_file_id } => self.undo(source_file_id, ctx),
            Action::SetDateOrder { file, order } => self.set_date_order(file, order, ctx),
            Action::ToggleSeries(name) => self.prefs.toggle_series(self.prefs.group, &name),
            Action::SetReportingCurrency(code) => {
                let code = match ui::settings::currency_code(&code) {
                    Ok(code) => code,
                    Err(why) => return self.tell(&format!("Could not save: {why}"), true),
                };
                let result = self.store.set_setting(REPORTING_CURRENCY_KEY, &code);
                self.after_write(result.map(|()| format!("The review now reports in {code}.")));
            }
            Action::SetView(view) => self.prefs.view = view,
            Action::SetGroup(group) => self.prefs.group = group,
            Action::SetBucket(bucket) => self.prefs.bucket = bucket,
            Action::ResetChart => self.reset_chart = true,
            Action::SetTab(tab) => self.prefs.tab = tab,
            Action::SetSearch(search) => self.search = search,
            Action::SetSort(sort) => self.prefs.set_sort(self.prefs.tab, sort),
            Action::SetFilters(filters) => self.prefs.filters = filters,
            Action::FocusOn(focus) => {
                self.focus = Some(focus);
                self.prefs.tab = Tab::Usage;
                self.prefs.view = View::Ledger;
            }
            Action::FocusFlag(flag_id) => self.focus_flag(&flag_id),
            Action::ClearFocus => self.focus = None,
            Action::DismissFlag { flag_id, note } => {
                match self.store.dismiss_flag(&flag_id, &note, &now_utc()) {
                    Ok(()) => self.tell("Dismissed the flag; it stays dismissed.", false),
                    Err(e) => self.tell(&format!("Could not dismiss the flag: {e}"), true),
                }
                self.check_revision = true;
            }
            action @ (Action::OpenDoctor(_)
            | Action::SetFlagsPanel(_)
            | Action::DecideMatch { .. }
            | Action::SaveAutoRecharge(_)
            | Action::RemoveAutoRecharge(_)
            | Action::SetReviewMonth(_)
            | Action::SaveReport(_)
            | Action::ExportChart(_)) => self.apply_extra(action, ctx),
            Action::ShowRows { first, .. } => {
                if let Err(e) = self.load_page(first) {
                    self.tell(&format!("Could not read the ledger: {e}"), true);
                }
            }
            Action::SetTheme(choice) => self.prefs.theme = choice,
            Action::AddMerchantRule(rule) => {
                let result = self.store.add_merchant_rule(&rule, &now_utc());
                self.after_write(
                    result.map(|n| format!("Added the rule; {n} bank line(s) re-tagged.")),
                );
            }
            Action::RemoveMerchantRule(pattern) => {
                let result = self.store.remove_merchant_rule(&pattern);
                self.after_write(result.map(|_| format!("Removed the rule for '{pattern}'.")));
            }
            Action::SetBudgets(budgets) => {
                let settings: Vec<BudgetSetting> = budgets.iter().map(budget_setting).collect();
                let result = self.store.set_budget_settings(&settings);
                self.after_write(result.map(|()| "Saved the budgets.".to_string()));
            }
            Action::SetFlagParams(params) => {
                let result = self.store.set_flag_params(&params);
                self.after_write(result.map(|()| "Saved the flag thresholds.".to_string()));
            }
            Action::PreviewMapping { file, mapping } => self.preview_mapping(file, mapping),
            Action::SaveMapping { file, mapping } => self.save_mapping(file, &mapping, ctx),
            Action::DismissMessage => self.message = None,
        }
    }

    /// Applies the doctor's, the match review's, the recharge settings', the review's and the
    /// chart export's actions.
    fn apply_extra(&mut self, action: Action, ctx: &egui::Context) {
        match action {
            Action::OpenDoctor(flag_id) => {
                // Opening shows the doctor; closing goes back to the flags it was opened from.
                self.extras.flags_panel = if flag_id.is_some() {
                    ui::FlagsPanel::Doctor
                } else {
                    ui::FlagsPanel::Flags
                };
                if flag_id.is_some() {
                    self.prefs.view = View::Flags;
                }
                self.doctor = flag_id;
            }
            Action::SetFlagsPanel(panel) => self.extras.flags_panel = panel,
            Action::DecideMatch {
                left,
                right,
                decision,
            } => {
                let result = self.store.decide_match(&left, &right, decision, &now_utc());
                self.after_write(
                    result.map(|()| format!("Stored: {left} and {right} {}.", decision.as_str())),
                );
            }
            Action::SaveAutoRecharge(setting) => {
                let result = self.store.save_auto_recharge(&setting);
                let label = setting.account.label();
                self.after_write(result.map(|()| format!("Saved the auto-recharge of {label}.")));
            }
            Action::RemoveAutoRecharge(account) => {
                let result = self.store.remove_auto_recharge(&account);
                let label = account.label();
                self.after_write(
                    result.map(|_| format!("Turned off the auto-recharge of {label}.")),
                );
            }
            Action::SetReviewMonth(month) => self.extras.review.month = Some(month),
            Action::SaveReport(path) => self.save_report(path),
            Action::ExportChart(path) => self.export_chart(path, ctx),
            _ => {}
        }
    }

    /// Saves the review as HTML to `path`, or where the save dialog says.
    fn save_report(&mut self, path: Option<PathBuf>) {
        let today = self.config.today;
        let path = match path {
            Some(p) => p,
            None if self.config.native_dialogs => {
                let Some(p) = rfd::FileDialog::new()
                    .set_title("Save the monthly review")
                    .set_file_name(self.extras.report_file_name(today))
                    .add_filter("HTML", &["html"])
                    .save_file()
                else {
                    return;
                };
                p
            }
            None => return,
        };
        match self.extras.save_report(&path, today) {
            Ok(text) => self.tell(&text, false),
            Err(e) => self.tell(&format!("{e:#}"), true),
        }
    }

    /// Asks for a screenshot to crop to the chart, saved to `path` or where the dialog says.
    fn export_chart(&mut self, path: Option<PathBuf>, ctx: &egui::Context) {
        let Some(rect) = ctx.data(|d| d.get_temp::<egui::Rect>(ui::chart::chart_rect_id())) else {
            self.tell("Show the dashboard's chart first, then export it.", true);
            return;
        };
        let path = match path {
            Some(p) => p,
            None if self.config.native_dialogs => {
                let Some(p) = rfd::FileDialog::new()
                    .set_title("Export the chart as PNG")
                    .set_file_name("burnrate-chart.png")
                    .add_filter("PNG image", &["png"])
                    .save_file()
                else {
                    return;
                };
                p
            }
            None => return,
        };
        self.extras.chart_export = Some(ChartExport::request(ctx, path, rect));
    }

    fn poll_chart_export(&mut self, ctx: &egui::Context) {
        let Some(export) = &self.extras.chart_export else {
            return;
        };
        let Some(result) = export.poll(ctx.pixels_per_point()) else {
            return;
        };
        self.extras.chart_export = None;
        match result {
            Ok(path) => self.tell(&format!("Saved the chart to {}", path.display()), false),
            Err(e) => self.tell(&e, true),
        }
    }

    fn after_write(&mut self, result: Result<String, crate::store::StoreError>) {
        match result {
            Ok(text) => self.tell(&text, false),
            Err(e) => self.tell(&format!("Could not save: {e}"), true),
        }
        self.check_revision = true;
    }

    fn focus_flag(&mut self, flag_id: &str) {
        let Some(row) = self
            .money()
            .and_then(|m| m.flags.iter().find(|r| r.flag.id == flag_id))
        else {
            return;
        };
        let focus = Focus::on_flag(&row.flag);
        // Open the table that holds the first evidence record.
        self.prefs.tab = match row.flag.records.first().and_then(|r| r.split_once(':')) {
            Some(("bank", _)) => Tab::Bank,
            Some(("billing", _)) => Tab::Billing,
            _ => Tab::Usage,
        };
        self.focus = Some(focus);
        self.prefs.view = View::Ledger;
    }

    /// Runs the mapping editor's live preview: a dry parse of the file's start.
    fn preview_mapping(&mut self, file: usize, mapping: BankMapping) {
        let Some(Sheet::Preview { jobs, files }) = &mut self.sheet else {
            return;
        };
        let (Some(job), Some(preview)) = (jobs.get(file), files.get_mut(file)) else {
            return;
        };
        let Some(view) = &mut preview.mapping else {
            return;
        };
        view.mapping = mapping;
        fill_mapping_preview(&job.path, view);
    }

    /// Saves the mapping under the file's header and checks the files again (the check finds
    /// the saved mapping, as every later import of that header will).
    fn save_mapping(&mut self, file: usize, mapping: &BankMapping, ctx: &egui::Context) {
        let Some(Sheet::Preview { jobs, .. }) = &self.sheet else {
            return;
        };
        let jobs = jobs.clone();
        let Some(path) = jobs.get(file).map(|j| j.path.clone()) else {
            return;
        };
        let open = file_opener(&path);
        let header = match import::read_header(&open) {
            Ok((header, _)) => header,
            Err(e) => {
                self.tell(
                    &format!(
                        "Could not read the file's columns ({e}): {}",
                        path.display()
                    ),
                    true,
                );
                return;
            }
        };
        // Over the demo the mapping belongs to the user's own ledger, where the files go.
        let saved = if self.is_demo {
            Store::open(&self.config.db)
                .and_then(|store| store.save_bank_mapping(&header.signature(), mapping, &now_utc()))
        } else {
            self.store
                .save_bank_mapping(&header.signature(), mapping, &now_utc())
        };
        if let Err(e) = saved {
            self.tell(&format!("Could not save the mapping: {e}"), true);
            return;
        }
        self.tell(
            "Saved the column mapping; files with these columns are read with it from now on.",
            false,
        );
        self.sheet = None;
        self.check_files(jobs, None, ctx);
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
        let Some(Sheet::Preview { jobs, files }) = &self.sheet else {
            return;
        };
        // Each file is imported with the options its preview was checked with.
        let jobs: Vec<FileJob> = jobs
            .iter()
            .zip(files)
            .filter(|(_, f)| f.error.is_none())
            .map(|(j, _)| j.clone())
            .collect();
        let total = jobs.len();
        let wake = ctx.clone();
        match jobs::spawn(self.import_ledger(), Work::Import(jobs), move || {
            wake.request_repaint();
        }) {
            Ok(job) => {
                self.job = Some(job);
                self.sheet = Some(Sheet::Importing {
                    into_own_ledger: self.is_demo,
                    total,
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

    /// Undoes an import on the import thread (one transaction that may delete many rows); the
    /// window's writes wait meanwhile, as they do during an import.
    fn undo(&mut self, source_file_id: i64, ctx: &egui::Context) {
        if self.job.is_some() {
            self.tell("An import is running; undo when it has finished.", true);
            return;
        }
        // The name from the cached history: the window's thread does not query the ledger.
        let name = self
            .cache
            .table
            .as_ref()
            .and_then(|t| match &t.first_page {
                Rows::Imports(files) => files
                    .iter()
                    .find(|f| f.id == source_file_id)
                    .map(|f| f.name.clone()),
                _ => None,
            })
            .unwrap_or_else(|| format!("import {source_file_id}"));
        let wake = ctx.clone();
        match jobs::spawn(
            self.store.path().to_path_buf(),
            Work::Undo { source_file_id },
            move || wake.request_repaint(),
        ) {
            Ok(job) => {
                self.job = Some(job);
                self.sheet = Some(Sheet::Undoing { name });
            }
            Err(e) => self.tell(&format!("Could not start the import thread: {e}"), true),
        }
    }

    /// Checks one file of the preview again, reading its dates in `order`.
    fn set_date_order(&mut self, file: usize, order: DateOrder, ctx: &egui::Context) {
        let Some(Sheet::Preview { jobs, files }) = &mut self.sheet else {
            return;
        };
        let Some(job) = jobs.get_mut(file) else {
            return;
        };
        job.options.date_order = Some(order);
        let jobs = std::mem::take(jobs);
        let previews = std::mem::take(files);
        self.sheet = None;
        self.check_files(
            jobs,
            Some(Recheck {
                index: file,
                previews,
            }),
            ctx,
        );
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
                // The next frame starts a views thread on the new ledger.
                self.views = None;
                self.check_revision = true;
            }
            Err(e) => self.tell(&e.to_string(), true),
        }
    }
}

/// Whether applying `action` writes to the ledger from the window's thread.
fn writes(action: &Action) -> bool {
    matches!(
        action,
        Action::DismissFlag { .. }
            | Action::AddMerchantRule(_)
            | Action::RemoveMerchantRule(_)
            | Action::SetBudgets(_)
            | Action::SetFlagParams(_)
            | Action::SaveMapping { .. }
            | Action::DecideMatch { .. }
            | Action::SaveAutoRecharge(_)
            | Action::RemoveAutoRecharge(_)
            | Action::SetReportingCurrency(_)
    )
}

/// A quiet "updating…" in the window's corner while the views thread rebuilds (the panels keep
/// drawing the last views meanwhile). An area, not a panel: nothing moves when it shows.
fn updating_ui(ctx: &egui::Context) {
    egui::Area::new(egui::Id::unique("updating"))
        .anchor(egui::Align2::RIGHT_BOTTOM, egui::vec2(-12.0, -8.0))
        .interactable(false)
        .show(ctx, |ui| {
            ui.label(egui::RichText::new("updating…").color(theme::weak(ui)));
        });
}

fn sheet_view(sheet: &Sheet, cancelling: bool, destination: Option<&str>) -> SheetView {
    match sheet {
        Sheet::Checking {
            jobs,
            reports,
            current,
            recheck,
        } => SheetView::Checking {
            done: reports.len(),
            total: if recheck.is_some() { 1 } else { jobs.len() },
            current: current.clone(),
        },
        Sheet::Undoing { name } => SheetView::Undoing { name: name.clone() },
        Sheet::Preview { files, .. } => SheetView::Preview {
            files: files.clone(),
            destination: destination.map(str::to_string),
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

fn budget_setting(b: &Budget) -> BudgetSetting {
    BudgetSetting {
        scope: b.scope,
        name: b.name.clone(),
        monthly: b.monthly.to_string(),
        currency: b.currency,
    }
}

/// A first guess at a mapping from the column names, so the editor rarely starts blank.
fn guess_mapping(columns: &[String]) -> BankMapping {
    let find = |words: &[&str]| {
        columns
            .iter()
            .find(|c| {
                let lower = c.to_lowercase();
                words.iter().any(|w| lower.contains(w))
            })
            .cloned()
    };
    BankMapping {
        account: "bank".into(),
        date: find(&["date", "booked", "posted", "datum"]).unwrap_or_default(),
        description: find(&[
            "description",
            "text",
            "memo",
            "payee",
            "details",
            "narrative",
        ])
        .unwrap_or_default(),
        amount: find(&["amount", "sum", "betrag", "value"]),
        debit: find(&["debit", "withdrawal", "money out"]),
        credit: find(&["credit", "deposit", "money in"]),
        status: find(&["status", "state"]),
        currency: find(&["currency", "ccy"]),
        default_currency: None,
        id: find(&["reference", "transaction id", "id"]),
        ..BankMapping::default()
    }
}

/// The mapping editor for a file no format recognises (`None` when it has no readable header).
fn mapping_editor(path: &Path, file: usize, saved: Option<BankMapping>) -> Option<MappingView> {
    let open = file_opener(path);
    let (header, _) = import::read_header(&open).ok()?;
    let columns: Vec<String> = header
        .names
        .iter()
        .filter(|n| !n.is_empty())
        .cloned()
        .collect();
    let mut view = MappingView {
        file,
        mapping: saved.unwrap_or_else(|| guess_mapping(&columns)),
        columns,
        ..MappingView::default()
    };
    fill_mapping_preview(path, &mut view);
    Some(view)
}

/// Parses the start of the file with the view's mapping and shows what it gives.
fn fill_mapping_preview(path: &Path, view: &mut MappingView) {
    use std::io::Read as _;
    view.sample.clear();
    view.rejected.clear();
    view.rejected_count = 0;
    view.rows = 0;
    view.error = None;
    let mut bytes = Vec::new();
    let read = std::fs::File::open(path)
        .and_then(|f| f.take(MAPPING_PREVIEW_BYTES).read_to_end(&mut bytes));
    if let Err(e) = read {
        view.error = Some(format!("could not read the file ({e}): {}", path.display()));
        return;
    }
    // Cut a partly read file at its last full line.
    if u64::try_from(bytes.len()).unwrap_or(u64::MAX) >= MAPPING_PREVIEW_BYTES
        && let Some(end) = bytes.iter().rposition(|b| *b == b'\n')
    {
        bytes.truncate(end + 1);
    }
    let options = FileOptions {
        mapping: Some(view.mapping.clone()),
        ..FileOptions::default()
    };
    match import::parse_bytes(&bytes, &options) {
        Ok(parsed) => {
            view.rows = parsed.rows;
            view.rejected_count = parsed.rejected.len();
            view.rejected = parsed
                .rejected
                .iter()
                .take(PREVIEW_REJECTED)
                .map(ToString::to_string)
                .collect();
            view.sample = parsed
                .records
                .iter()
                .take(PREVIEW_SAMPLE)
                .map(sample_of)
                .collect();
        }
        Err(e) => view.error = Some(e.to_string()),
    }
}

/// The preview of one checked file, with the mapping editor when no format recognised it.
fn file_preview(report: &ImportReport, path: &Path, index: usize) -> FilePreview {
    let mut file = preview_of(report);
    if file.error.is_some() && report.format.is_none() && !report.ambiguous_dates {
        file.mapping = mapping_editor(path, index, None);
    }
    file
}

fn format_name(id: Option<&str>) -> Option<String> {
    let id = id?;
    if id == crate::store::merge::LEDGER_FORMAT {
        return Some("burnrate ledger".to_string());
    }
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
        ambiguous_dates: report.ambiguous_dates,
        mapping: None,
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
