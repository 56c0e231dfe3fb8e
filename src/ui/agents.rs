//! Coding agents in the window: on the dashboard, this month's API-equivalent value of Claude
//! Code and Codex requests beside (never added to) the billed usage, the subscriptions card
//! (paid, value, leverage per tool), agent value by project and by model, and how close each day
//! came to the Codex plan's 5-hour and weekly limits; in Settings, the log folders imported at
//! start-up.
//!
//! Draws views the app prepared and pushes actions; never touches the ledger.

use egui_plot::{Bar, BarChart, Plot};

use super::{Action, ImportAction, LedgerCommand, format, theme};
use crate::domain::agents::AgentFolders;
use crate::domain::money::Amount;

/// One tool's month on a subscription.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SubscriptionLine {
    /// `Claude Code`.
    pub tool: String,
    pub provider: String,
    /// `USD 100.00`.
    pub paid: String,
    /// `USD 610.00`.
    pub value: String,
    /// `6.10x`, or a dash when nothing was paid.
    pub leverage: String,
    /// Requests of models without a price, left out of the value.
    pub unpriced_requests: i64,
}

/// One day of plan limits.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LimitLine {
    pub day: String,
    pub plan: String,
    /// `42%` or a dash.
    pub five_hour: String,
    pub weekly: String,
    /// The day's API-equivalent value of the same tool.
    pub value: String,
}

/// What the dashboard's coding-agent section shows.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AgentsView {
    /// `December 2026`.
    pub month: String,
    pub requests: i64,
    pub unpriced_requests: i64,
    /// API-equivalent value of the month's requests, USD.
    pub value: Amount,
    /// The month's billed usage as the figures strip writes it (`USD 12.30`).
    pub billed_usage: String,
    pub subscriptions: Vec<SubscriptionLine>,
    /// The month's value by project and by model, largest first.
    pub by_project: Vec<(String, Amount)>,
    pub by_model: Vec<(String, Amount)>,
    /// The last days with plan-limit readings, newest first.
    pub limits: Vec<LimitLine>,
}

impl AgentsView {
    /// Whether the ledger holds any agent request or subscription this month.
    pub fn is_empty(&self) -> bool {
        self.requests == 0 && self.subscriptions.is_empty() && self.limits.is_empty()
    }
}

/// The Settings section about agent log folders.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AgentFoldersView {
    /// What the user saved (`None`: never set, the detected folders are offered, off).
    pub saved: Option<AgentFolders>,
    /// The Claude Code and Codex folders found on this machine.
    pub detected: Vec<String>,
}

impl AgentFoldersView {
    /// The folders listed: the saved ones, else the detected ones.
    pub fn current(&self) -> AgentFolders {
        self.saved.clone().unwrap_or_else(|| AgentFolders {
            import_at_start: false,
            folders: self.detected.clone(),
        })
    }
}

fn card(ui: &mut egui::Ui, title: &str, body: impl FnOnce(&mut egui::Ui)) {
    theme::card_frame(ui).show(ui, |ui| {
        ui.vertical(|ui| {
            ui.set_min_width(theme::CARD_WIDTH);
            ui.label(egui::RichText::new(title).color(theme::weak(ui)));
            body(ui);
        });
    });
}

/// The dashboard's coding-agent section, with the start-up import's state when one runs or ran
/// (`Importing agent logs: 120 of 900 files`).
pub fn dashboard_ui(
    ui: &mut egui::Ui,
    view: &AgentsView,
    startup_status: Option<&str>,
    actions: &mut Vec<Action>,
) {
    if view.is_empty() {
        if let Some(status) = startup_status {
            ui.label(egui::RichText::new(status).color(theme::weak(ui)));
        }
        return;
    }
    ui.heading(format!("Coding agents · {}", view.month));
    ui.horizontal_top(|ui| {
        card(ui, "Billed usage (provider exports)", |ui| {
            ui.label(egui::RichText::new(&view.billed_usage).size(20.0).strong());
            ui.label(egui::RichText::new("what the providers charged").color(theme::weak(ui)));
        });
        card(ui, "Agent requests at API prices", |ui| {
            ui.label(
                egui::RichText::new(format::money(view.value, "USD"))
                    .size(20.0)
                    .strong(),
            )
            .on_hover_text(format::exact(view.value, "USD"));
            ui.label(
                egui::RichText::new(format!(
                    "{} requests · an estimate, never added to billed usage",
                    format::count(view.requests)
                ))
                .color(theme::weak(ui)),
            );
            if view.unpriced_requests > 0 {
                ui.label(
                    egui::RichText::new(format!(
                        "{} unpriced (no price for their model): burnrate prices",
                        format::count(view.unpriced_requests)
                    ))
                    .color(theme::worse(ui)),
                );
            }
        });
    });
    ui.add_space(theme::GAP / 2.0);
    subscriptions_card(ui, view);
    if let Some(status) = startup_status {
        ui.label(egui::RichText::new(status).color(theme::weak(ui)));
    }
    ui.add_space(theme::GAP);
    let width = ((ui.available_width() - theme::GAP - 16.0) / 2.0).max(200.0);
    ui.horizontal_top(|ui| {
        ui.vertical(|ui| {
            ui.set_width(width);
            value_chart_ui(ui, "Agent value by project (USD)", &view.by_project);
        });
        ui.add_space(theme::GAP);
        ui.vertical(|ui| {
            ui.set_width(width);
            value_chart_ui(ui, "Agent value by model (USD)", &view.by_model);
        });
    });
    limits_ui(ui, view);
    ui.add_space(theme::GAP);
    if ui
        .small_button("Show the agent requests")
        .on_hover_text("The Ledger's Agent usage tab")
        .clicked()
    {
        actions.push(Action::SetView(super::View::Ledger));
        actions.push(Action::SetTab(super::Tab::Agents));
    }
}

fn subscriptions_card(ui: &mut egui::Ui, view: &AgentsView) {
    card(ui, "Subscriptions this month", |ui| {
        if view.subscriptions.is_empty() {
            ui.label(
                egui::RichText::new(
                    "No tool on a subscription: import the card statement that paid it, or say which plan pays in burnrate settings plan.",
                )
                .color(theme::weak(ui)),
            );
            return;
        }
        egui::Grid::new("subscriptions")
            .num_columns(4)
            .spacing([16.0, 4.0])
            .show(ui, |ui| {
                for title in ["Tool", "Paid", "API value", "Leverage"] {
                    ui.label(egui::RichText::new(title).strong());
                }
                ui.end_row();
                for s in &view.subscriptions {
                    ui.label(format!("{} ({})", s.tool, s.provider));
                    ui.label(&s.paid);
                    let value = ui.label(&s.value);
                    if s.unpriced_requests > 0 {
                        value.on_hover_text(format!(
                            "{} request(s) of unpriced models are not in this value",
                            s.unpriced_requests
                        ));
                    }
                    ui.label(egui::RichText::new(&s.leverage).strong());
                    ui.end_row();
                }
            });
    });
}

#[expect(
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    reason = "chart positions only; the exact amounts are in the hover text and the reports"
)]
fn value_chart_ui(ui: &mut egui::Ui, title: &str, values: &[(String, Amount)]) {
    ui.label(egui::RichText::new(title).strong());
    if values.is_empty() {
        ui.label(egui::RichText::new("No priced request this month.").color(theme::weak(ui)));
        return;
    }
    let shown: Vec<&(String, Amount)> = values.iter().take(8).collect();
    let bars: Vec<Bar> = shown
        .iter()
        .enumerate()
        .map(|(i, (name, amount))| {
            Bar::new(i as f64, amount.nanos() as f64 / 1e9)
                .name(format!("{name}: {}", format::money(*amount, "USD")))
                .fill(theme::series_color(i))
        })
        .collect();
    let names: Vec<String> = shown.iter().map(|(n, _)| n.clone()).collect();
    Plot::new(title)
        .height(160.0)
        .width(ui.available_width())
        .allow_scroll(false)
        .allow_zoom(false)
        .allow_drag(false)
        .show_grid(false)
        .x_axis_formatter(move |mark, _| {
            let i = mark.value.round();
            if (mark.value - i).abs() > f64::EPSILON || i < 0.0 {
                return String::new();
            }
            names
                .get(i as usize)
                .map(|n| n.chars().take(14).collect())
                .unwrap_or_default()
        })
        .show(ui, |plot| {
            plot.bar_chart(BarChart::new(title, bars).width(0.6));
        });
}

fn limits_ui(ui: &mut egui::Ui, view: &AgentsView) {
    if view.limits.is_empty() {
        return;
    }
    ui.add_space(theme::GAP);
    ui.label(egui::RichText::new("Codex plan limits per day").strong())
        .on_hover_text(
            "The highest share of the 5-hour and weekly windows the logs showed that day",
        );
    egui::Grid::new("agent limits")
        .num_columns(5)
        .striped(true)
        .spacing([18.0, 3.0])
        .show(ui, |ui| {
            for title in ["Day", "Plan", "5-hour window", "Weekly window", "API value"] {
                ui.label(egui::RichText::new(title).strong());
            }
            ui.end_row();
            for l in &view.limits {
                ui.label(&l.day);
                ui.label(&l.plan);
                ui.label(&l.five_hour);
                ui.label(&l.weekly);
                ui.label(&l.value);
                ui.end_row();
            }
        });
}

/// The Settings section: which agent log folders to import at start-up.
pub fn folders_ui(ui: &mut egui::Ui, view: &AgentFoldersView, actions: &mut Vec<Action>) {
    ui.add_space(theme::GAP);
    ui.heading("Coding-agent logs");
    ui.label(
        egui::RichText::new(
            "Claude Code deletes its transcripts after 30 days. With this on, burnrate imports the new requests of these folders in the background every time it starts.",
        )
        .color(theme::weak(ui)),
    );
    let current = view.current();
    let mut on = current.import_at_start;
    if ui
        .checkbox(
            &mut on,
            "Import new requests from these folders at start-up",
        )
        .changed()
    {
        actions.push(Action::Ledger(LedgerCommand::SetAgentFolders(
            AgentFolders {
                import_at_start: on,
                folders: current.folders.clone(),
            },
        )));
    }
    if current.folders.is_empty() {
        ui.label(
            egui::RichText::new("No Claude Code or Codex folder was found on this computer.")
                .color(theme::weak(ui)),
        );
    }
    for folder in &current.folders {
        ui.horizontal(|ui| {
            ui.monospace(folder);
            if ui.small_button(format!("Remove {folder}")).clicked() {
                actions.push(Action::Ledger(LedgerCommand::SetAgentFolders(
                    AgentFolders {
                        import_at_start: current.import_at_start,
                        folders: current
                            .folders
                            .iter()
                            .filter(|f| *f != folder)
                            .cloned()
                            .collect(),
                    },
                )));
            }
        });
    }
    let id = egui::Id::unique("agent folder to add");
    let mut typed: String = ui.data_mut(|d| d.get_temp(id).unwrap_or_default());
    ui.horizontal(|ui| {
        ui.add(
            egui::TextEdit::singleline(&mut typed)
                .hint_text("/home/you/.claude/projects")
                .desired_width(320.0),
        )
        .widget_info(|| egui::WidgetInfo::labeled(egui::Role::TextInput, true, "Folder to add"));
        if ui.button("Add folder").clicked() && !typed.trim().is_empty() {
            let mut folders = current.folders.clone();
            if !folders.iter().any(|f| f == typed.trim()) {
                folders.push(typed.trim().to_string());
            }
            actions.push(Action::Ledger(LedgerCommand::SetAgentFolders(
                AgentFolders {
                    import_at_start: current.import_at_start,
                    folders,
                },
            )));
            typed.clear();
        }
        if ui.button("Import these folders now").clicked() && !current.folders.is_empty() {
            actions.push(Action::Import(ImportAction::QueueFiles(
                current
                    .folders
                    .iter()
                    .map(std::path::PathBuf::from)
                    .collect(),
            )));
        }
    });
    ui.data_mut(|d| d.insert_temp(id, typed));
}
