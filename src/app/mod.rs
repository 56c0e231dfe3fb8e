//! The desktop window: the eframe app that owns the ledger, caches the views the panels draw,
//! runs imports on a background thread and applies the panels' actions after each frame.
//!
//! Three kinds of state stay apart: preferences (theme, chart toggles, tab; saved by eframe),
//! ledger data (`SQLite`, written only in [`App::apply`] and by the import thread) and caches
//! (memory only, rebuilt when the ledger's revision or a filter changes, never per frame).
//! "Today" is injected, so screenshots and tests are stable.

mod demo;
mod jobs;
mod money;
mod screenshot;

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use chrono::NaiveDate;

use self::jobs::{Job, JobEvent};
use self::money::MoneyModel;
use self::screenshot::{Outcome, Screenshot};
use crate::domain::flags::Budget;
use crate::domain::import::{self, BankMapping, FileOptions, formats};
use crate::domain::records::Record;
use crate::domain::views::{
    Bucket, CostSeries, DayBounds, FilterOptions, Filters, Focus, KeyFigures, SeriesGroup, Sort,
    TableQuery, Totals,
};
use crate::store::{BudgetSetting, ImportReport, Store};
use crate::ui::balance::BalanceView;
use crate::ui::chart::ChartView;
use crate::ui::empty::{EmptyView, FormatInfo};
use crate::ui::figures::FiguresView;
use crate::ui::filters::FiltersView;
use crate::ui::flags::FlagsView;
use crate::ui::import_sheet::{FilePreview, SampleRow, SheetView};
use crate::ui::mapping::MappingView;
use crate::ui::settings::SettingsView;
use crate::ui::tables::{Rows, TableView};
use crate::ui::{self, Action, Message, Tab, ThemeChoice, TopBarView, View, format, theme};

/// The key under which preferences are saved in eframe's storage.
const PREFS_KEY: &str = "burnrate.prefs";
/// Rows fetched per table page.
const PAGE_ROWS: usize = 200;
/// Rejected rows shown per file in the preview.
const PREVIEW_REJECTED: usize = 5;
/// Records shown per file in the preview.
const PREVIEW_SAMPLE: usize = 8;
/// The mapping editor previews at most this much of a file.
const MAPPING_PREVIEW_BYTES: u64 = 512 * 1024;
/// `--screenshot-to` only: the view to draw (`dashboard`, `flags`, `ledger`, `settings`), so
/// the README and a reviewer can look at every screen. Ignored without `--screenshot-to`.
const SCREENSHOT_VIEW_ENV: &str = "BURNRATE_SCREENSHOT_VIEW";

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
}

impl Prefs {
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

/// The key the dashboard's views were built for.
type DashboardKey = (i64, SeriesGroup, Bucket, Filters);
/// The key the table page was built for.
type TableKey = (i64, Tab, String, Filters, Option<Focus>, Sort);

/// The views the panels draw, rebuilt only when their inputs change.
#[derive(Default)]
struct Cache {
    dashboard_key: Option<DashboardKey>,
    figures: KeyFigures,
    usage_in_range: Totals,
    chart: CostSeries,
    is_empty: bool,
    /// The revision the money model, filter options and settings were read at.
    money_key: Option<i64>,
    money: MoneyModel,
    options: FilterOptions,
    settings: SettingsView,
    table_key: Option<TableKey>,
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
        self.prefs.clone()
    }

    /// Replaces the filters, as the filter bar does (benchmarks and tests).
    pub fn set_filters(&mut self, filters: Filters) {
        self.prefs.filters = filters;
    }

    /// Switches the main view, as Ctrl+1..4 do (benchmarks and tests).
    pub fn set_view(&mut self, view: View) {
        self.prefs.view = view;
    }

    /// Whether the window shows the demo ledger.
    pub fn is_demo(&self) -> bool {
        self.is_demo
    }

    /// The series names of the cost chart (for tests).
    pub fn chart_series(&self) -> Vec<String> {
        self.cache
            .chart
            .series
            .iter()
            .map(|s| s.name.clone())
            .collect()
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
        let shortcut = |key| egui::KeyboardShortcut::new(egui::Modifiers::COMMAND, key);
        if ctx.input_mut(|i| i.consume_shortcut(&shortcut(egui::Key::O))) {
            actions.push(Action::PickFiles);
        }
        if ctx.input_mut(|i| i.consume_shortcut(&shortcut(egui::Key::F))) && !self.cache.is_empty {
            actions.push(Action::SetView(View::Ledger));
            self.focus_search = true;
        }
        let keys = [
            egui::Key::Num1,
            egui::Key::Num2,
            egui::Key::Num3,
            egui::Key::Num4,
        ];
        for (key, view) in keys.into_iter().zip(View::ALL) {
            if ctx.input_mut(|i| i.consume_shortcut(&shortcut(key))) && !self.cache.is_empty {
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
                let mut files: Vec<FilePreview> = reports.iter().map(preview_of).collect();
                for (index, (file, path)) in files.iter_mut().zip(&paths).enumerate() {
                    let unrecognised = file.error.is_some()
                        && reports.get(index).is_some_and(|r| r.format.is_none());
                    if unrecognised {
                        file.mapping = mapping_editor(path, index, None);
                    }
                }
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
        if self.cache.money_key != Some(self.revision) {
            if let Err(e) = self.rebuild_money() {
                self.tell(&format!("Could not read the ledger: {e}"), true);
            }
            self.cache.money_key = Some(self.revision);
        }
        let key = (
            self.revision,
            self.prefs.group,
            self.prefs.bucket,
            self.prefs.filters.clone(),
        );
        if self.cache.dashboard_key.as_ref() != Some(&key) {
            if let Err(e) = self.rebuild_dashboard() {
                self.tell(&format!("Could not read the ledger: {e}"), true);
            }
            self.cache.dashboard_key = Some(key);
        }
        let table_key = (
            self.revision,
            self.prefs.tab,
            self.search.clone(),
            self.prefs.filters.clone(),
            self.focus.clone(),
            self.prefs.sort(self.prefs.tab),
        );
        if self.cache.table_key.as_ref() != Some(&table_key) {
            if let Err(e) = self.load_table(0) {
                self.tell(&format!("Could not read the ledger: {e}"), true);
            }
            self.cache.table_key = Some(table_key);
        }
    }

    /// Balances, flags, filter choices and settings: once per revision.
    fn rebuild_money(&mut self) -> anyhow::Result<()> {
        self.cache.money = MoneyModel::build(&self.store, self.config.today)?;
        let mut options = self.store.filter_options()?;
        options.accounts = self
            .cache
            .money
            .inputs
            .accounts()
            .into_iter()
            .map(|a| (a.provider, a.organization))
            .collect();
        self.cache.options = options;
        self.cache.settings = SettingsView {
            rules: self.store.merchant_rules()?,
            budgets: self.store.budgets()?,
            params: self.store.flag_params()?,
            theme: self.prefs.theme,
        };
        Ok(())
    }

    fn bounds(&self) -> DayBounds {
        self.prefs.filters.bounds(self.config.today)
    }

    fn account_aliases(&self) -> Vec<String> {
        let f = &self.prefs.filters;
        if f.account.is_empty() {
            return Vec::new();
        }
        self.cache.money.aliases(&f.provider, &f.account)
    }

    fn rebuild_dashboard(&mut self) -> anyhow::Result<()> {
        let today = self.config.today;
        let bounds = self.bounds();
        let aliases = self.account_aliases();
        let filters = &self.prefs.filters;
        self.cache.figures = self.store.key_figures(today)?;
        self.cache.usage_in_range = self.store.usage_in_range(bounds, filters, &aliases)?;
        self.cache.chart = self.store.cost_series(
            self.prefs.group,
            self.prefs.bucket,
            bounds,
            filters,
            &aliases,
        )?;
        let f = &self.cache.figures;
        self.cache.is_empty = f.usage_records + f.billing_records + f.bank_lines == 0;
        Ok(())
    }

    fn table_query(&self) -> TableQuery {
        TableQuery {
            search: self.search.clone(),
            bounds: self.bounds(),
            filters: self.prefs.filters.clone(),
            account_aliases: self.account_aliases(),
            focus: self.focus.clone(),
            sort: self.prefs.sort(self.prefs.tab),
        }
    }

    fn load_table(&mut self, offset: usize) -> anyhow::Result<()> {
        let q = self.table_query();
        let counted = self.cache.table_key.as_ref().is_some_and(|k| {
            (&k.1, &k.2, &k.3, &k.4) == (&self.prefs.tab, &self.search, &q.filters, &q.focus)
                && k.0 == self.revision
        });
        let (total, rows) = match self.prefs.tab {
            Tab::Usage => (
                self.count_or(counted, || self.store.usage_count(&q))?,
                Rows::Usage(self.store.usage_page(&q, offset, PAGE_ROWS)?),
            ),
            Tab::Billing => (
                self.count_or(counted, || self.store.billing_count(&q))?,
                Rows::Billing(self.store.billing_page(&q, offset, PAGE_ROWS)?),
            ),
            Tab::Bank => (
                self.count_or(counted, || self.store.bank_count(&q))?,
                Rows::Bank(self.store.bank_page(&q, offset, PAGE_ROWS)?),
            ),
            Tab::Imports => {
                let files = self.store.import_rows()?;
                (files.len(), Rows::Imports(files))
            }
        };
        self.cache.total_rows = total;
        self.cache.offset = offset;
        self.cache.rows = Some(rows);
        Ok(())
    }

    /// The cached row count when only the page or the sort changed (counting a million rows
    /// again would cost a scroll step its smoothness).
    fn count_or(
        &self,
        counted: bool,
        count: impl FnOnce() -> Result<usize, crate::store::StoreError>,
    ) -> Result<usize, crate::store::StoreError> {
        if counted {
            return Ok(self.cache.total_rows);
        }
        count()
    }

    /// The flags the filters let through, open ones first.
    fn shown_flags(&self) -> Vec<crate::domain::views::FlagRow> {
        let f = &self.prefs.filters;
        let bounds = self.bounds();
        let mut rows: Vec<_> = self
            .cache
            .money
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
        self.cache
            .money
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
            is_empty: self.cache.is_empty,
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
        if !self.cache.is_empty && self.prefs.view != View::Settings {
            let view = FiltersView {
                filters: self.prefs.filters.clone(),
                options: self.cache.options.clone(),
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
            if self.cache.is_empty {
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
                View::Flags => {
                    let view = FlagsView {
                        flags,
                        doctor: self
                            .doctor
                            .as_deref()
                            .and_then(|id| self.cache.money.doctor(id)),
                        as_of: self.config.today.to_string(),
                    };
                    ui::flags::flags_ui(ui, &view, actions);
                }
                View::Ledger => self.ledger_ui(ui, busy, actions),
                View::Settings => {
                    let mut view = self.cache.settings.clone();
                    view.theme = self.prefs.theme;
                    ui::settings::settings_ui(ui, &view, actions);
                }
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
            figures: self.cache.figures.clone(),
            usage_in_range: self.cache.usage_in_range.clone(),
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
                    series: self.cache.chart.clone(),
                    group: self.prefs.group,
                    bucket: self.prefs.bucket,
                    reset: self.reset_chart,
                };
                ui::chart::chart_ui(ui, &chart, actions);
                ui.add_space(theme::GAP);
                let balance = BalanceView {
                    accounts: figures.balances.clone(),
                    bounds,
                    today: self.config.today,
                };
                ui::balance::balance_ui(ui, &balance, actions);
            });
    }

    fn ledger_ui(&mut self, ui: &mut egui::Ui, busy: bool, actions: &mut Vec<Action>) {
        let Some(rows) = &self.cache.rows else {
            return;
        };
        let table = TableView {
            tab: self.prefs.tab,
            search: self.search.clone(),
            total_rows: self.cache.total_rows,
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
                match self
                    .store
                    .dismiss_flag(&flag_id, &note, &crate::cli::now_utc())
                {
                    Ok(()) => self.tell("Dismissed the flag; it stays dismissed.", false),
                    Err(e) => self.tell(&format!("Could not dismiss the flag: {e}"), true),
                }
                self.check_revision = true;
            }
            Action::OpenDoctor(flag_id) => self.doctor = flag_id,
            Action::ShowRows { first, .. } => {
                let offset = first.saturating_sub(PAGE_ROWS / 4);
                if let Err(e) = self.load_table(offset) {
                    self.tell(&format!("Could not read the ledger: {e}"), true);
                }
            }
            Action::SetTheme(choice) => self.prefs.theme = choice,
            Action::AddMerchantRule(rule) => {
                let result = self.store.add_merchant_rule(&rule, &crate::cli::now_utc());
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

    fn after_write(&mut self, result: Result<String, crate::store::StoreError>) {
        match result {
            Ok(text) => self.tell(&text, false),
            Err(e) => self.tell(&format!("Could not save: {e}"), true),
        }
        self.check_revision = true;
    }

    fn focus_flag(&mut self, flag_id: &str) {
        let Some(row) = self.cache.money.flags.iter().find(|r| r.flag.id == flag_id) else {
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
        let Some(Sheet::Preview { paths, files }) = &mut self.sheet else {
            return;
        };
        let (Some(path), Some(preview)) = (paths.get(file), files.get_mut(file)) else {
            return;
        };
        let Some(view) = &mut preview.mapping else {
            return;
        };
        view.mapping = mapping;
        fill_mapping_preview(path, view);
    }

    /// Saves the mapping under the file's header and checks the files again (the check finds
    /// the saved mapping, as every later import of that header will).
    fn save_mapping(&mut self, file: usize, mapping: &BankMapping, ctx: &egui::Context) {
        let Some(Sheet::Preview { paths, .. }) = &self.sheet else {
            return;
        };
        let paths = paths.clone();
        let Some(path) = paths.get(file).cloned() else {
            return;
        };
        let open = crate::cli::file_opener(&path);
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
        if let Err(e) =
            self.store
                .save_bank_mapping(&header.signature(), mapping, &crate::cli::now_utc())
        {
            self.tell(&format!("Could not save the mapping: {e}"), true);
            return;
        }
        self.tell(
            "Saved the column mapping; files with these columns are read with it from now on.",
            false,
        );
        self.sheet = None;
        self.queue_files(paths, ctx);
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

fn budget_setting(b: &Budget) -> BudgetSetting {
    BudgetSetting {
        scope: b.scope,
        name: b.name.clone(),
        monthly: b.monthly.to_string(),
        currency: b.currency.clone(),
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
    let open = crate::cli::file_opener(path);
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

/// The view `--screenshot-to` draws: [`SCREENSHOT_VIEW_ENV`], else the dashboard.
fn screenshot_view() -> View {
    let name = std::env::var(SCREENSHOT_VIEW_ENV).unwrap_or_default();
    View::ALL
        .into_iter()
        .find(|v| v.label().eq_ignore_ascii_case(name.trim()))
        .unwrap_or_default()
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
    // A first run (no --db, no BURNRATE_DB, no ledger yet) opens the demo with a banner; the
    // user's own ledger is created only when they ask for it.
    let first_run = args.db.is_none()
        && std::env::var_os("BURNRATE_DB").is_none_or(|v| v.is_empty())
        && !db.exists();
    let start_in_demo = args.demo || first_run;
    if start_in_demo {
        for report in demo::build(&demo_path, db)? {
            if let Some(error) = report.error {
                eprintln!("burnrate: the demo leaves out {}: {error}", report.file);
            }
        }
    }
    let config = Config {
        db: db.to_path_buf(),
        demo_path,
        start_in_demo,
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
            let mut prefs = match (shooting, cc.storage) {
                (false, Some(storage)) => eframe::get_value(storage, PREFS_KEY).unwrap_or_default(),
                _ => Prefs::default(),
            };
            if shooting {
                prefs.view = screenshot_view();
            }
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
