//! Drawing a frame: the top bar, the demo banner, the filters, the message line, the view the
//! user picked (dashboard, flags, ledger, review, settings), the import sheet over it and the
//! drop overlay. Reads only the cached views (never the ledger) and pushes [`Action`]s.

use std::sync::Arc;

use super::App;
use super::topups::TopupsModel;
use super::views_worker::LedgerViews;
use crate::domain::views::{AccountBalance, DayBounds, Filters, FlagRow};
use crate::ui::balance::BalanceView;
use crate::ui::chart::ChartView;
use crate::ui::empty::EmptyView;
use crate::ui::figures::FiguresView;
use crate::ui::filters::FiltersView;
use crate::ui::flags::FlagsView;
use crate::ui::tables::TableView;
use crate::ui::{self, Action, TopBarView, View, theme};

impl App {
    /// The ledger's providers, for the pickers of the billing form and the error explainer.
    fn providers(&self) -> Vec<String> {
        self.cache
            .ledger
            .as_ref()
            .map(|l| l.options.providers.clone())
            .unwrap_or_default()
    }

    /// The doctor's attempts, the match review and the forecasts of the last answer.
    fn topups(&self) -> Option<&TopupsModel> {
        self.cache.ledger.as_ref().map(|l| &l.topups)
    }

    /// The flags the filters let through, open ones first (borrowed from the money model; the
    /// order is kept in [`ShownFlags`], not rebuilt per frame).
    fn shown_flags(&self) -> Vec<&FlagRow> {
        let Some(money) = self.money() else {
            return Vec::new();
        };
        self.cache
            .flags
            .order
            .iter()
            .filter_map(|&i| money.flags.get(i))
            .collect()
    }

    fn shown_balances(&self) -> Vec<&AccountBalance> {
        let f = &self.prefs.filters;
        let Some(money) = self.money() else {
            return Vec::new();
        };
        money
            .balances
            .iter()
            .filter(|b| f.provider.is_empty() || b.provider == f.provider)
            .filter(|b| f.account.is_empty() || b.organization == f.account)
            .collect()
    }

    /// The banners under the top bar: the demo's, and a read-only ledger's.
    fn banners(&self, ui: &mut egui::Ui, actions: &mut Vec<Action>) {
        let frame = egui::Frame::new()
            .fill(theme::banner_fill(ui))
            .inner_margin(6.0);
        if self.is_demo {
            let as_of = self.today().to_string();
            egui::Panel::top("demo banner")
                .frame(frame)
                .show(ui, |ui| ui::demo_banner_ui(ui, &as_of, actions));
        }
        if self.store.is_read_only() {
            egui::Panel::top("read-only banner")
                .frame(frame)
                .show(ui, ui::read_only_banner_ui);
        }
    }

    pub(super) fn draw(&mut self, ui: &mut egui::Ui, actions: &mut Vec<Action>) {
        let ctx = ui.ctx().clone();
        let busy = self.sheet.is_busy();
        let sheet = self.sheet.view();
        if sheet.is_some() || self.path_prompt.is_some() || self.billing_form {
            // Under the import sheet nothing reacts, not even a hover tooltip.
            ui.disable();
        }
        let hovering = ctx.input(|i| !i.raw.hovered_files.is_empty());
        let bounds = self.bounds();
        self.cache
            .flags
            .update(self.cache.ledger.as_ref(), &self.prefs.filters, bounds);
        let top = TopBarView {
            ledger: self.store.path().display().to_string(),
            view: self.prefs.view,
            open_flags: self.cache.flags.open,
            busy,
            is_empty: self.is_empty(),
        };
        egui::Panel::top("top bar").show(ui, |ui| {
            ui.add_space(4.0);
            ui::top_bar_ui(ui, &top, actions);
            ui.add_space(2.0);
        });
        self.banners(ui, actions);
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
                View::Dashboard => self.dashboard_ui(ui, actions),
                View::Flags => self.flags_view_ui(ui, actions),
                View::Ledger => self.ledger_ui(ui, busy, actions),
                View::Settings => {
                    let mut view = self
                        .cache
                        .ledger
                        .as_ref()
                        .map(|l| l.settings.clone())
                        .unwrap_or_default();
                    view.theme = self.prefs.theme;
                    if let Some(topups) = self.topups() {
                        view.recharges.clone_from(&topups.recharges);
                    }
                    ui::settings::settings_ui(ui, &view, actions);
                }
                View::Review => {
                    let view = self.extras.review_view(self.today());
                    ui::review::review_ui(ui, &view, actions);
                }
            }
        });
        self.reset_chart = false;
        self.dialogs_ui(&ctx, sheet, actions);
        if hovering {
            ui::drop_overlay_ui(&ctx);
        }
        if loaded && self.is_updating() {
            updating_ui(&ctx);
        }
    }

    /// The modal windows over the view: the import sheet, the path field, the billing form.
    fn dialogs_ui(
        &self,
        ctx: &egui::Context,
        sheet: Option<ui::import_sheet::SheetView>,
        actions: &mut Vec<Action>,
    ) {
        if let Some(view) = sheet {
            ui::import_sheet::sheet_ui(ctx, &view, actions);
        }
        if let Some(prompt) = &self.path_prompt {
            ui::path_prompt::path_prompt_ui(ctx, prompt, actions);
        }
        if self.billing_form {
            let view = ui::billing_form::BillingFormView {
                providers: self.providers(),
                today: self.today(),
            };
            ui::billing_form::billing_form_ui(ctx, &view, actions);
        }
    }

    /// The Flags view: the flags, the top-up doctor and the match review.
    fn flags_view_ui(&self, ui: &mut egui::Ui, actions: &mut Vec<Action>) {
        let panel = self.extras.flags_panel;
        // Borrowed, not cloned: the model (attempts, forecasts, recharges) is drawn every frame;
        // the doctor's walk is arranged only while its panel shows.
        let topups = self.topups();
        let doctor = match (panel, topups) {
            (ui::FlagsPanel::Doctor, Some(t)) => {
                let doctor_flag = self.doctor.as_deref().and_then(|id| {
                    self.money()
                        .and_then(|m| m.flags.iter().find(|f| f.flag.id == id))
                });
                t.doctor_view(doctor_flag, self.today())
            }
            _ => ui::doctor::DoctorView::default(),
        };
        let no_matches = ui::matches::MatchesView::default();
        let view = FlagsView {
            doctor,
            flags: self.shown_flags(),
            panel,
            matches: topups.map_or(&no_matches, |t| &t.matches),
            explain: ui::explain::ExplainView {
                providers: self.providers(),
                as_of: self.today().to_string(),
                answer: self.extras.explain.answer(),
                working: self.extras.explain.is_working(),
            },
            as_of: self.today().to_string(),
        };
        ui::flags::flags_ui(ui, &view, actions);
    }

    fn dashboard_ui(&self, ui: &mut egui::Ui, actions: &mut Vec<Action>) {
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
            today: self.today(),
            all_in: self.cache.ledger.as_ref().and_then(|l| l.all_in.clone()),
            balances: self.shown_balances(),
            open_flags: self.cache.flags.open,
            critical_flags: self.cache.flags.critical,
        };
        // The charts share what the window leaves below the key figures (never less than their
        // usual heights; the dashboard scrolls then): a large window shows larger charts.
        let window_height = ui.available_height();
        egui::ScrollArea::vertical()
            .auto_shrink([false, false])
            .show(ui, |ui| {
                let top = ui.cursor().top();
                ui::figures::figures_ui(ui, &figures, actions);
                ui.add_space(theme::GAP);
                let used = ui.cursor().top() - top;
                let (chart_height, balance_height) = chart_heights(window_height - used);
                // Coding agents sit under the figures; the charts keep their size below them.
                if let Some(ledger) = &self.cache.ledger {
                    // Borrowed: the month's projects and models are drawn every frame.
                    let agents = &ledger.agents;
                    let status = self.agent_import.status.as_deref();
                    ui::agents::dashboard_ui(ui, agents, status, actions);
                    if !agents.is_empty() {
                        ui.add_space(theme::GAP);
                    }
                }
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
                    bounds,
                    height: chart_height,
                    all_dates: (self.prefs.filters.range != crate::domain::views::DateRange::All)
                        .then(|| crate::domain::views::Filters {
                            range: crate::domain::views::DateRange::All,
                            ..self.prefs.filters.clone()
                        }),
                };
                ui::chart::chart_ui(ui, &chart, actions);
                ui.add_space(theme::GAP);
                let balance = BalanceView {
                    accounts: figures.balances.clone(),
                    forecasts: self
                        .topups()
                        .map(|t| t.forecasts.as_slice())
                        .unwrap_or_default(),
                    bounds,
                    today: self.today(),
                    height: balance_height,
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
            rows,
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

/// The cost chart's and the balance chart's heights in `room` points (what the dashboard has
/// below its key figures): the room less the charts' headings and gaps, shared 55/45, never
/// below the charts' usual heights.
fn chart_heights(room: f32) -> (f32, f32) {
    /// The two headings, the gap between the charts and the x axes' labels.
    const CHROME: f32 = 110.0;
    let plots = (room - CHROME).max(0.0);
    (
        (plots * 0.55).max(theme::CHART_HEIGHT),
        (plots * 0.45).max(theme::BALANCE_HEIGHT),
    )
}

/// The flags the filters let through, as positions in the money model's list, open ones first,
/// with the counts the top bar and the key figures show. Rebuilt when the views or the filters
/// change, never per frame: a long history raises thousands of flags.
#[derive(Default)]
pub(super) struct ShownFlags {
    /// The views, filters and days the order was built from (the views are held, so a newer
    /// answer is never mistaken for them).
    key: Option<(Arc<LedgerViews>, String, String, DayBounds)>,
    order: Vec<usize>,
    /// Flags not dismissed among them.
    open: usize,
    /// Critical flags not dismissed among them.
    critical: usize,
}

impl ShownFlags {
    fn update(&mut self, ledger: Option<&Arc<LedgerViews>>, filters: &Filters, bounds: DayBounds) {
        let Some(ledger) = ledger else {
            *self = Self::default();
            return;
        };
        let same = self.key.as_ref().is_some_and(|(l, provider, project, b)| {
            Arc::ptr_eq(l, ledger)
                && *provider == filters.provider
                && *project == filters.project
                && *b == bounds
        });
        if same {
            return;
        }
        let flags = &ledger.money.flags;
        let mut order: Vec<usize> = flags
            .iter()
            .enumerate()
            .filter(|(_, r)| bounds.contains(r.flag.date))
            .filter(|(_, r)| filters.provider.is_empty() || r.flag.provider == filters.provider)
            .filter(|(_, r)| {
                filters.project.is_empty()
                    || r.flag
                        .project
                        .as_deref()
                        .is_none_or(|p| p == filters.project)
            })
            .map(|(i, _)| i)
            .collect();
        let key = |r: &FlagRow| {
            (
                r.dismissed.is_some(),
                std::cmp::Reverse(r.flag.severity),
                std::cmp::Reverse(r.flag.date),
            )
        };
        // Stable: flags of one rank keep the model's order.
        order.sort_by_key(|&i| flags.get(i).map(key));
        let open_rows = || {
            order
                .iter()
                .filter_map(|&i| flags.get(i))
                .filter(|r| r.dismissed.is_none())
        };
        self.open = open_rows().count();
        self.critical = open_rows()
            .filter(|r| r.flag.severity == crate::domain::flags::Severity::Critical)
            .count();
        self.order = order;
        self.key = Some((
            Arc::clone(ledger),
            filters.provider.clone(),
            filters.project.clone(),
            bounds,
        ));
    }
}
