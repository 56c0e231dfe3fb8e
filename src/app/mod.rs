//! The desktop window: the eframe app that owns the window's state, asks the views thread for
//! what the panels draw, and applies the panels' actions after each frame.
//!
//! Three kinds of state stay apart: preferences ([`Prefs`], saved by eframe), ledger data
//! (`SQLite`: written only by [`LedgerCommand`]s on the views thread and by the import thread)
//! and caches (memory only, rebuilt when the ledger's revision or a filter changes, never per
//! frame). "Today" is injected, so screenshots and tests are stable.
//!
//! Where things are: [`launch`] starts the window, [`draw`] draws a frame, [`sheet`] is the
//! import sheet's state machine (with [`preview`] and [`mapping`] for what it shows),
//! [`commands`] applies the ledger commands, [`views_worker`] builds the views off the window's
//! thread, [`exports`] writes the files the user saves.

mod agents;
mod commands;
mod draw;
mod explain;
mod exports;
mod extras;
mod jobs;
mod launch;
mod mapping;
mod money;
mod prefs;
mod preview;
mod review;
mod screenshot;
mod sheet;
mod topups;
mod views_worker;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use self::extras::Extras;
pub use self::launch::{Config, Launch, run};
pub use self::prefs::Prefs;
use self::screenshot::{Outcome, Screenshot};
use self::sheet::{Destination, Effect, ImportSheet};
use self::views_worker::{DashboardViews, LedgerViews, Part, TableViews, ViewsWorker, Wanted};
use chrono::NaiveDate;

use crate::domain::import::formats;
use crate::domain::views::{DayBounds, Filters, Focus};
use crate::services::demo;
use crate::store::Store;
use crate::ui::empty::FormatInfo;
use crate::ui::tables::Rows;
use crate::ui::{
    self, Action, ImportAction, LedgerCommand, Message, Tab, ThemeChoice, View, theme,
};

/// Rows fetched per table page.
const PAGE_ROWS: usize = 200;

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
    /// The flags the filters let through, in the order they are shown.
    flags: draw::ShownFlags,
}

/// The burnrate window.
#[expect(
    clippy::struct_excessive_bools,
    reason = "independent flags of the window, not a state machine"
)]
pub struct App {
    config: Config,
    /// The ledger shown, for the table pages read by id on the window's thread (a bounded
    /// lookup). Never written here.
    store: Store,
    is_demo: bool,
    prefs: Prefs,
    applied_theme: Option<ThemeChoice>,
    /// Ask the ledger for its revision at the next frame (after a write, or on focus).
    check_revision: bool,
    /// Bumped for each `check_revision`: the views thread reads the revision again.
    recheck: u64,
    /// Bumped by "Refresh": the views thread rebuilds every view.
    refresh: u64,
    /// The thread that builds the views and applies the ledger commands (started at the first
    /// frame, which brings the `egui::Context` it wakes).
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
    sheet: ImportSheet,
    message: Option<Message>,
    /// The form that adds a billing record by hand is open.
    billing_form: bool,
    /// The path field shown where the platform has no file dialog.
    path_prompt: Option<crate::ui::path_prompt::PathPromptView>,
    screenshot: Option<Screenshot>,
    formats: Vec<FormatInfo>,
    /// The Flags view's panel, the monthly review, the chart export and queued actions.
    extras: Extras,
    /// The start-up import of the user's coding-agent log folders.
    agent_import: agents::StartupImport,
    /// "Open demo" builds the demo on its own thread (six files imported); its answer.
    demo_build: Option<DemoBuild>,
}

/// The demo builder thread's answer: each file's report, or why it could not be built.
type DemoBuild = std::sync::mpsc::Receiver<anyhow::Result<Vec<crate::store::ImportReport>>>;

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
                // The window speaks in buttons: a bank CSV is mapped in the preview.
                signature: if f.id() == formats::GENERIC_ID {
                    "any other bank or card CSV: drop it and map its columns in the preview"
                        .to_string()
                } else {
                    f.signature().to_string()
                },
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
            refresh: 0,
            views: None,
            was_focused: true,
            search: String::new(),
            focus_search: false,
            focus: None,
            doctor: None,
            reset_chart: false,
            cache: Cache::default(),
            sheet: ImportSheet::default(),
            message: None,
            billing_form: false,
            path_prompt: None,
            screenshot: None,
            demo_build: None,
            formats,
            extras: Extras::default(),
            agent_import: agents::StartupImport::default(),
        })
    }

    /// Saves a PNG of the window once the dashboard has drawn, then closes it.
    pub fn take_screenshot(&mut self, path: PathBuf, outcome: Outcome) {
        self.screenshot = Some(Screenshot::new(path, outcome));
    }

    /// Starts checking files (and folders) for import, as if they were dropped on the window.
    pub fn queue_files(&mut self, paths: Vec<PathBuf>, ctx: &egui::Context) {
        let mut effects = Vec::new();
        self.sheet
            .queue(paths, self.destination(), ctx, &mut effects);
        self.on_effects(effects);
    }

    /// Whether a check, an import, an undo or the demo's build is running.
    pub fn is_busy(&self) -> bool {
        self.sheet.is_busy() || self.demo_build.is_some()
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

    /// The day the ledger shown is judged as of: the demo keeps its own day
    /// ([`Config::demo_today`]), the user's ledger today's.
    fn today(&self) -> NaiveDate {
        if self.is_demo {
            self.config.demo_today
        } else {
            self.config.today
        }
    }

    /// Whether the window shows the demo ledger.
    pub fn is_demo(&self) -> bool {
        self.is_demo
    }

    /// Where dropped or picked files go: the ledger shown, except over the demo, where they
    /// start (or go into) the user's own ledger and the demo stays as it is.
    fn destination(&self) -> Destination {
        if self.is_demo {
            Destination {
                ledger: self.config.db.clone(),
                into_own_ledger: true,
                is_new: !self.config.db.exists(),
            }
        } else {
            Destination {
                ledger: self.store.path().to_path_buf(),
                into_own_ledger: false,
                is_new: false,
            }
        }
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

    /// The ids of every flag the window judged as of its today, dismissed ones included (for
    /// tests: the window and `burnrate flags` must agree).
    pub fn flag_ids(&self) -> Vec<String> {
        self.money()
            .map(|m| m.flags.iter().map(|f| f.flag.id.clone()).collect())
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
        let mut effects = Vec::new();
        self.sheet.poll(&mut effects);
        self.on_effects(effects);
        let mut actions = std::mem::take(&mut self.extras.queued);
        self.read_input(&ctx, &mut actions);
        self.refresh(&ctx);
        self.extras.refresh(
            self.cache.ledger.as_deref(),
            self.store.path(),
            self.today(),
            self.prefs.view == View::Review,
            &ctx,
        );
        self.extras
            .explain
            .refresh(self.cache.ledger.as_ref(), &ctx);
        self.draw(ui, &mut actions);
        for action in actions {
            self.apply(action, &ctx);
        }
        let ready = !self.sheet.is_busy()
            && self.cache.ledger.is_some()
            && !self.is_updating()
            && (self.prefs.view != View::Review || self.extras.review_ready());
        self.poll_chart_export(&ctx);
        if let Some(shot) = &mut self.screenshot {
            shot.on_frame(&ctx, ready);
        }
        if self.sheet.is_busy() {
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
            actions.push(Action::Import(ImportAction::QueueFiles(dropped)));
        }
        let shortcut = |key| egui::KeyboardShortcut::new(egui::Modifiers::COMMAND, key);
        if ctx.input_mut(|i| i.consume_key(egui::Modifiers::NONE, egui::Key::F5)) {
            actions.push(Action::Refresh);
        }
        if ctx.input_mut(|i| i.consume_shortcut(&shortcut(egui::Key::O))) {
            actions.push(Action::Import(ImportAction::PickFiles));
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

    /// Does what the import sheet asked for.
    fn on_effects(&mut self, effects: Vec<Effect>) {
        for effect in effects {
            match effect {
                Effect::Tell { text, is_error } => self.tell(&text, is_error),
                Effect::LedgerChanged => self.check_revision = true,
                Effect::ShowOwnLedger => self.open_ledger(&self.config.db.clone(), false),
            }
        }
    }

    /// Asks the views thread for the views of what the window shows (when that changed) and
    /// takes its answers. Never queries the ledger itself.
    fn refresh(&mut self, ctx: &egui::Context) {
        self.poll_demo_build(ctx);
        if let Some(done) = self.agent_import.poll() {
            match done {
                Ok(text) => self.tell(&text, false),
                Err(text) => self.tell(&text, true),
            }
            self.check_revision = true;
        }
        if self.check_revision {
            self.recheck += 1;
            self.check_revision = false;
        }
        if self.views.is_none() {
            let wake = ctx.clone();
            match ViewsWorker::spawn(self.store.path().to_path_buf(), self.today(), move || {
                wake.request_repaint();
            }) {
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
            dashboard: self.prefs.view == View::Dashboard,
            tab: (self.prefs.view == View::Ledger).then_some(self.prefs.tab),
            search: self.search.clone(),
            focus: self.focus.clone(),
            sort: self.prefs.sort(self.prefs.tab),
            recheck: self.recheck,
            refresh: self.refresh,
        };
        let Some(views) = &mut self.views else {
            return;
        };
        views.want(&wanted);
        for part in views.poll() {
            match part {
                Part::Ledger(l) => {
                    if !self.is_demo
                        && let Some(saved) = l
                            .settings
                            .agent_folders
                            .saved
                            .as_ref()
                            .filter(|f| f.import_at_start)
                    {
                        let wake = ctx.clone();
                        self.agent_import.start(
                            self.store.path().to_path_buf(),
                            saved.folders.iter().map(PathBuf::from).collect(),
                            move || wake.request_repaint(),
                        );
                    }
                    self.cache.ledger = Some(l);
                }
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
                Part::Wrote(Ok(text)) => self.tell(&text, false),
                // The command line (or another window) wrote: show it without a restart.
                Part::Changed => self.check_revision = true,
                Part::Wrote(Err(text)) | Part::Failed(text) => self.tell(&text, true),
                Part::Done => {}
            }
        }
    }

    fn bounds(&self) -> DayBounds {
        self.prefs.filters.bounds(self.today())
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
            Tab::Agents => Rows::Agents(self.store.agent_usage_rows(page)?),
            Tab::Imports => return Ok(()),
        };
        self.cache.offset = offset;
        self.cache.rows = Some(rows);
        Ok(())
    }

    /// Applies one action after the frame.
    fn apply(&mut self, action: Action, ctx: &egui::Context) {
        match action {
            Action::Ledger(command) => self.write(command),
            Action::Import(action) => self.apply_import(action, ctx),
            Action::Refresh => self.refresh += 1,
            Action::OpenDemo => self.open_demo(),
            Action::OpenOwnLedger => self.open_ledger(&self.config.db.clone(), false),
            Action::ToggleSeries(name) => self.prefs.toggle_series(self.prefs.group, &name),
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
            Action::ShowRows { first, .. } => {
                if let Err(e) = self.load_page(first) {
                    self.tell(&format!("Could not read the ledger: {e}"), true);
                }
            }
            Action::SetTheme(choice) => self.prefs.theme = choice,
            Action::DismissMessage => self.message = None,
            Action::SetFlagsPanel(panel) => self.extras.flags_panel = panel,
            Action::SetReviewMonth(month) => self.extras.review.month = Some(month),
            Action::SaveReport(path) => self.save_report(path),
            Action::ExportChart(path) => self.export_chart(path, ctx),
            Action::ExportTable(path) => self.export_table(path),
            Action::ExportPacket { flag_id, path } => self.export_packet(flag_id, path),
            Action::SaveBillingTemplate(path) => self.save_billing_template(path),
            Action::SetPromptPath(text) => {
                if let Some(prompt) = &mut self.path_prompt {
                    prompt.text = text;
                }
            }
            Action::ClosePathPrompt => self.path_prompt = None,
            Action::OpenBillingForm => self.billing_form = true,
            Action::CloseBillingForm => self.billing_form = false,
            Action::Explain { text, provider } => self.extras.explain.ask(text, provider),
        }
    }

    /// Sends a ledger command to the views thread, which applies it and rebuilds the views.
    /// The one way the window writes to the ledger it shows.
    fn write(&mut self, command: LedgerCommand) {
        if self.sheet.is_busy() {
            // The import holds the ledger's write lock for a whole file: the write would wait
            // for it (up to the busy timeout) and the views with it.
            self.tell(
                "An import is writing to the ledger; try again when it has finished.",
                true,
            );
            return;
        }
        let Some(views) = &mut self.views else {
            self.tell(
                "The ledger is still being read; try again in a moment.",
                true,
            );
            return;
        };
        if let Err(e) = views.write(command) {
            self.tell(&e, true);
        }
        self.check_revision = true;
    }

    /// Moves the import sheet.
    fn apply_import(&mut self, action: ImportAction, ctx: &egui::Context) {
        let mut effects = Vec::new();
        match action {
            ImportAction::PickFiles => self.pick_files(ctx),
            ImportAction::QueueFiles(paths) => {
                self.sheet
                    .queue(paths, self.destination(), ctx, &mut effects);
            }
            ImportAction::Confirm => self.sheet.confirm(ctx, &mut effects),
            ImportAction::Close => self.sheet.close(),
            ImportAction::Cancel => self.sheet.cancel(),
            ImportAction::Undo { source_file_id } => {
                let name = self.import_name(source_file_id);
                let ledger = self.store.path().to_path_buf();
                self.sheet
                    .undo(source_file_id, name, &ledger, ctx, &mut effects);
            }
            ImportAction::SetDateOrder { file, order } => {
                self.sheet.set_date_order(file, order, ctx, &mut effects);
            }
            ImportAction::SetCurrency { file, currency } => {
                self.sheet.set_currency(file, currency, ctx, &mut effects);
            }
            ImportAction::PreviewMapping { file, mapping } => {
                self.sheet.preview_mapping(file, mapping);
            }
            ImportAction::UseMapping { file, mapping } => {
                self.sheet.use_mapping(file, mapping, ctx, &mut effects);
            }
        }
        self.on_effects(effects);
    }

    /// The name of import `source_file_id`, from the cached history (the window's thread does
    /// not query the ledger for it).
    fn import_name(&self, source_file_id: i64) -> String {
        self.cache
            .table
            .as_ref()
            .and_then(|t| match &t.first_page {
                Rows::Imports(files) => files
                    .iter()
                    .find(|f| f.id == source_file_id)
                    .map(|f| f.name.clone()),
                _ => None,
            })
            .unwrap_or_else(|| format!("import {source_file_id}"))
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

    /// Starts building the demo on a thread; [`App::poll_demo_build`] opens it when built.
    fn open_demo(&mut self) {
        if self.sheet.is_busy() || self.demo_build.is_some() {
            return;
        }
        let (tx, rx) = std::sync::mpsc::channel();
        let (demo_path, db) = (self.config.demo_path.clone(), self.config.db.clone());
        let spawned = std::thread::Builder::new()
            .name("demo".into())
            .spawn(move || {
                let _ = tx.send(demo::build(&demo_path, &db));
            });
        match spawned {
            Ok(_) => {
                self.demo_build = Some(rx);
                self.tell("Building the demo ledger…", false);
            }
            Err(e) => self.tell(&format!("Could not build the demo: {e}"), true),
        }
    }

    /// Opens the demo once its thread has built it.
    fn poll_demo_build(&mut self, ctx: &egui::Context) {
        let Some(rx) = &self.demo_build else {
            return;
        };
        if self.sheet.is_busy() {
            // Files dropped meanwhile: the user moved on to their own ledger, which stays shown
            // (the demo is built on disk; "Open demo" opens it).
            if rx.try_recv().is_ok() {
                self.demo_build = None;
            } else {
                ctx.request_repaint_after(std::time::Duration::from_millis(100));
            }
            return;
        }
        let built = match rx.try_recv() {
            Ok(built) => built,
            Err(std::sync::mpsc::TryRecvError::Empty) => {
                ctx.request_repaint_after(std::time::Duration::from_millis(100));
                return;
            }
            Err(std::sync::mpsc::TryRecvError::Disconnected) => {
                Err(anyhow::anyhow!("the demo builder stopped"))
            }
        };
        self.demo_build = None;
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
        if self.sheet.is_busy() {
            return;
        }
        match Store::open(path) {
            Ok(store) => {
                self.store = store;
                self.is_demo = is_demo;
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
