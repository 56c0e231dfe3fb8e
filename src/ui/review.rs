//! The Review view: the monthly review a team lead closes a month with. Pick a month; see the
//! usage cost by provider, project and model beside last month's with the change (amount,
//! percent, "new"), what drove the change, where each budget stands, the money trail (usage,
//! credits by kind, subscriptions, what the bank and card lines paid, what is unmatched on each
//! side, and the month's flags with links to them), and the reporting currency with the rates
//! that are missing. "Save report..." writes the same HTML file as
//! `burnrate report --month M --html FILE`.
//!
//! Draws only: the review is `domain::review::Review`, computed by the app off the drawing
//! path. Amounts are shown rounded to cents exactly as the command line prints them.

use chrono::NaiveDate;

use super::{Action, format, theme};
use crate::domain::review::{ChangeRow, Review, TrailLine};

/// What the Review view shows.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReviewView {
    /// The first day of the month reviewed.
    pub month: Option<NaiveDate>,
    /// The months that can be picked (first days, newest first).
    pub months: Vec<NaiveDate>,
    /// Shared with the window's cache: drawn every frame, loaded once per month and change.
    pub review: Option<std::sync::Arc<Review>>,
    /// Why the review could not be computed.
    pub error: Option<String>,
}

fn percent_text(p: Option<i64>) -> String {
    match p {
        Some(p) if p > 0 => format!("+{p}%"),
        Some(p) => format!("{p}%"),
        None => "new".to_string(),
    }
}

fn change_color(ui: &egui::Ui, change: crate::domain::money::Amount) -> egui::Color32 {
    if change.is_negative() {
        theme::better(ui)
    } else if change.is_zero() {
        ui.visuals().text_color()
    } else {
        theme::worse(ui)
    }
}

/// Shown instead of amounts for a side of the comparison with no usage at all.
const NO_USAGE: &str = "no usage";

fn section(ui: &mut egui::Ui, title: &str) {
    ui.add_space(theme::GAP);
    ui.label(egui::RichText::new(title).strong().size(16.0));
    ui.add_space(2.0);
}

/// Width of a right-aligned amount cell.
const AMOUNT_WIDTH: f32 = 92.0;
/// Width of a table's name column.
const NAME_WIDTH: f32 = 170.0;

/// An amount cell: fixed width, right-aligned, so the columns line up.
fn right(ui: &mut egui::Ui, text: impl Into<egui::WidgetText>) {
    ui.allocate_ui_with_layout(
        egui::vec2(AMOUNT_WIDTH, ui.spacing().interact_size.y),
        egui::Layout::right_to_left(egui::Align::Center),
        |ui| {
            // The whole cell, not just the text, so the grid's column is this wide.
            ui.set_min_width(AMOUNT_WIDTH);
            ui.label(text);
        },
    );
}

/// Width of the money trail's item column: its labels are read whole, never cut.
const TRAIL_ITEM_WIDTH: f32 = 250.0;

/// A name cell: fixed width, cut with an ellipsis (the whole name on hover).
fn name_cell(ui: &mut egui::Ui, name: &str) {
    ui.allocate_ui_with_layout(
        egui::vec2(NAME_WIDTH, ui.spacing().interact_size.y),
        egui::Layout::left_to_right(egui::Align::Center),
        |ui| {
            ui.add(egui::Label::new(name).truncate())
                .on_hover_text(name);
        },
    );
}

fn muted(ui: &mut egui::Ui, text: &str) {
    ui.label(egui::RichText::new(text).color(theme::weak(ui)));
}

/// The width a change table needs: its name column and four amount columns with their gaps.
const TABLE_WIDTH: f32 = NAME_WIDTH + 4.0 * AMOUNT_WIDTH + 5.0 * 10.0;

/// Two columns of sections when the window is wide enough for two tables side by side, else
/// one column (nothing is cut at 1024 points).
fn side_by_side(
    ui: &mut egui::Ui,
    left: impl FnOnce(&mut egui::Ui),
    right: impl FnOnce(&mut egui::Ui),
) {
    if ui.available_width() < 2.0 * TABLE_WIDTH + theme::GAP {
        left(ui);
        right(ui);
        return;
    }
    let width = (ui.available_width() - theme::GAP) / 2.0;
    ui.horizontal_top(|ui| {
        ui.vertical(|ui| {
            ui.set_width(width);
            left(ui);
        });
        ui.add_space(theme::GAP);
        ui.vertical(|ui| {
            ui.set_width(width);
            right(ui);
        });
    });
}

/// The Review view.
pub fn review_ui(ui: &mut egui::Ui, view: &ReviewView, actions: &mut Vec<Action>) {
    header_ui(ui, view, actions);
    if let Some(error) = &view.error {
        ui.label(egui::RichText::new(error).color(theme::error(ui)));
        return;
    }
    let Some(r) = &view.review else {
        muted(ui, "Computing the review...");
        return;
    };
    egui::ScrollArea::vertical()
        .auto_shrink([false, false])
        .show(ui, |ui| {
            currency_ui(ui, r);
            figures_ui(ui, r);
            side_by_side(
                ui,
                |ui| {
                    section(ui, &format!("By provider ({})", r.currency));
                    change_table_ui(ui, "review providers", "Provider", &r.by_provider, r);
                    section(ui, &format!("By project ({})", r.currency));
                    change_table_ui(ui, "review projects", "Project", &r.by_project, r);
                },
                |ui| {
                    section(ui, &format!("By model ({})", r.currency));
                    change_table_ui(ui, "review models", "Model", &r.by_model, r);
                    section(
                        ui,
                        &format!("What drove the change ({})", r.comparison_label()),
                    );
                    drivers_ui(ui, r);
                },
            );
            side_by_side(
                ui,
                |ui| {
                    section(ui, "Budgets");
                    budgets_ui(ui, r);
                    section(ui, &format!("Money trail ({})", r.currency));
                    trail_ui(ui, r);
                },
                |ui| {
                    section(ui, "Flags of the month");
                    flags_ui(ui, r, actions);
                },
            );
            section(ui, "Provider billing with no bank or card line");
            unmatched_ui(ui, "review unmatched billing", &r.unmatched_billing);
            section(ui, "Bank and card lines with no provider billing");
            unmatched_ui(ui, "review unmatched bank", &r.unmatched_bank);
        });
}

fn header_ui(ui: &mut egui::Ui, view: &ReviewView, actions: &mut Vec<Action>) {
    ui.horizontal(|ui| {
        ui.heading("Monthly review");
        let shown = view
            .month
            .map(|m| m.format("%B %Y").to_string())
            .unwrap_or_default();
        let index = view.month.and_then(|m| view.months.iter().position(|x| *x == m));
        // Months are newest first: "previous" is further down the list.
        let older = index.and_then(|i| view.months.get(i + 1)).copied();
        let newer = index
            .and_then(|i| i.checked_sub(1))
            .and_then(|i| view.months.get(i))
            .copied();
        if ui
            .add_enabled(older.is_some(), egui::Button::new("< Previous month"))
            .clicked()
            && let Some(m) = older
        {
            actions.push(Action::SetReviewMonth(m));
        }
        egui::ComboBox::from_id_salt("review month")
            .selected_text(shown)
            .show_ui(ui, |ui| {
                for m in &view.months {
                    if ui
                        .selectable_label(Some(*m) == view.month, m.format("%B %Y").to_string())
                        .clicked()
                    {
                        actions.push(Action::SetReviewMonth(*m));
                    }
                }
            })
            .response
            .widget_info(|| egui::WidgetInfo::labeled(egui::Role::ComboBox, true, "Month"));
        if ui
            .add_enabled(newer.is_some(), egui::Button::new("Next month >"))
            .clicked()
            && let Some(m) = newer
        {
            actions.push(Action::SetReviewMonth(m));
        }
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            if ui
                .add_enabled(view.review.is_some(), egui::Button::new("Save report..."))
                .on_hover_text("Save this review as one HTML file to send (the same file as `burnrate report --month M --html FILE`)")
                .clicked()
            {
                actions.push(Action::SaveReport(None));
            }
        });
    });
}

fn currency_ui(ui: &mut egui::Ui, r: &Review) {
    let state = if r.complete() {
        "complete month".to_string()
    } else {
        format!("{} of {} days so far", r.days_elapsed, r.days_in_month)
    };
    let converted = if r.conversions.is_empty() {
        String::new()
    } else {
        format!(
            " · {} amount(s) converted from other currencies with the ECB rate of their day, or the rate a matched card payment was charged at",
            r.conversions.len()
        )
    };
    let compared = if r.partial() {
        format!(
            "{} (the same days of {}, so the pace is compared fairly)",
            r.comparison_label(),
            r.previous.format("%B")
        )
    } else {
        format!("compared with {}", r.previous.format("%B %Y"))
    };
    muted(
        ui,
        &format!(
            "In {} (the reporting currency) · {compared} · as of {} ({state}){converted}",
            r.currency, r.as_of
        ),
    );
    if !r.has_current_usage() {
        ui.label(
            egui::RichText::new(format!(
                "No usage recorded in {}: the ledger's usage may end earlier. Pick another month above.",
                r.current_column()
            ))
            .color(theme::worse(ui)),
        );
    }
    if !r.missing_rates.is_empty() {
        let list: Vec<String> = r
            .missing_rates
            .iter()
            .take(8)
            .map(|m| format!("{} on {}", m.currency, m.day))
            .collect();
        let more = r.missing_rates.len().saturating_sub(8);
        let more = if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        };
        ui.label(
            egui::RichText::new(format!(
                "Totals are incomplete: no ECB rate for {}{more}. Those lines are left out rather than guessed; import the ECB reference rates of those days.",
                list.join(", ")
            ))
            .color(theme::worse(ui)),
        );
    }
}

fn figure_ui(
    ui: &mut egui::Ui,
    width: f32,
    label: &str,
    value: &str,
    note: &str,
    color: Option<egui::Color32>,
) {
    theme::card_frame(ui).show(ui, |ui| {
        ui.vertical(|ui| {
            ui.set_width(width);
            ui.label(egui::RichText::new(label).small().color(theme::weak(ui)));
            let mut text = egui::RichText::new(value).size(20.0).strong();
            if let Some(c) = color {
                text = text.color(c);
            }
            ui.label(text);
            ui.add(
                egui::Label::new(egui::RichText::new(note).small().color(theme::weak(ui)))
                    .truncate(),
            );
        });
    });
}

fn figures_ui(ui: &mut egui::Ui, r: &Review) {
    let cur = &r.currency;
    ui.add_space(theme::PAD / 2.0);
    // The cards share the row: a row wider than the window would widen the whole scroll area
    // and push the right-hand tables off screen.
    let cards: f32 = if r.partial() && r.has_current_usage() {
        5.0
    } else {
        4.0
    };
    let spacing = ui.spacing().item_spacing.x;
    let width = ((ui.available_width() - (cards - 1.0) * spacing) / cards - 2.0 * theme::PAD - 2.0)
        .min(theme::CARD_WIDTH + 60.0);
    ui.horizontal(|ui| {
        let t = &r.total;
        let (value, note) = if r.has_current_usage() {
            (
                format::money(t.current, cur),
                format!(
                    "{} ({}) vs {} in {}",
                    format::money(t.change, cur),
                    percent_text(t.percent),
                    format::money(t.previous, cur),
                    r.previous_column()
                ),
            )
        } else {
            (
                NO_USAGE.to_string(),
                format!(
                    "{} in {}",
                    format::money(t.previous, cur),
                    r.previous_column()
                ),
            )
        };
        figure_ui(
            ui,
            width,
            &format!("Usage cost, {}", r.current_column()),
            &value,
            &note,
            None,
        );
        if r.partial() && r.has_current_usage() {
            figure_ui(
                ui,
                width,
                "Projected month end",
                &format::money(r.total_projected, cur),
                &format!(
                    "at the pace of {} days, over {} days",
                    r.days_elapsed, r.days_in_month
                ),
                None,
            );
        }
        figure_ui(
            ui,
            width,
            "Credits bought",
            &r.trail
                .credits_total()
                .map_or_else(|| "too large".to_string(), |c| format::money(c, cur)),
            &format!(
                "subscriptions {}",
                format::money(r.trail.subscriptions, cur)
            ),
            None,
        );
        figure_ui(
            ui,
            width,
            "Paid by bank and card",
            &format::money(r.trail.bank_paid, cur),
            &format!("{} payment(s) matched to billing", r.matched_payments),
            None,
        );
        let unmatched = r.unmatched_billing.len() + r.unmatched_bank.len();
        figure_ui(
            ui,
            width,
            "Needs a look",
            &format!("{unmatched} unmatched"),
            &format!("{} flag(s) this month", r.flags.len()),
            (unmatched + r.flags.len() > 0).then(|| theme::worse(ui)),
        );
    });
}

fn change_table_ui(ui: &mut egui::Ui, id: &str, key: &str, rows: &[ChangeRow], r: &Review) {
    if rows.is_empty() {
        muted(
            ui,
            &format!(
                "No usage in {} or {}.",
                r.current_column(),
                r.previous_column()
            ),
        );
        return;
    }
    let cur = &r.currency;
    let (now, before) = (r.has_current_usage(), r.has_previous_usage());
    egui::Grid::new(id)
        .striped(true)
        .num_columns(5)
        .min_col_width(60.0)
        .show(ui, |ui| {
            name_cell(ui, key);
            for h in [
                r.current_column(),
                r.previous_column(),
                "Change".to_string(),
                "%".to_string(),
            ] {
                right(ui, egui::RichText::new(h).small().color(theme::weak(ui)));
            }
            ui.end_row();
            for row in rows {
                name_cell(ui, &row.name);
                let current = if now {
                    egui::RichText::new(format::money(row.current, cur)).monospace()
                } else {
                    egui::RichText::new(NO_USAGE).color(theme::weak(ui))
                };
                right(ui, current);
                let previous = if before {
                    format::money(row.previous, cur)
                } else {
                    NO_USAGE.to_string()
                };
                right(
                    ui,
                    egui::RichText::new(previous)
                        .monospace()
                        .color(theme::weak(ui)),
                );
                if !(now && before) {
                    // A side with no usage at all (the ledger ends earlier, or starts later):
                    // a change of -100% or "new" in every row would say nothing.
                    right(ui, egui::RichText::new("-").color(theme::weak(ui)));
                    right(ui, egui::RichText::new("-").color(theme::weak(ui)));
                    ui.end_row();
                    continue;
                }
                let color = change_color(ui, row.change);
                right(
                    ui,
                    egui::RichText::new(format::money(row.change, cur))
                        .monospace()
                        .color(color),
                );
                right(
                    ui,
                    egui::RichText::new(percent_text(row.percent))
                        .monospace()
                        .color(color),
                );
                ui.end_row();
            }
        });
}

fn drivers_ui(ui: &mut egui::Ui, r: &Review) {
    if !(r.has_current_usage() && r.has_previous_usage()) {
        muted(ui, "Nothing to compare: one side has no usage.");
        return;
    }
    if r.drivers.is_empty() {
        muted(ui, "Nothing changed.");
        return;
    }
    for d in &r.drivers {
        let row = &d.row;
        ui.horizontal_wrapped(|ui| {
            ui.label(egui::RichText::new(format!("{} {}", d.dimension, row.name)).strong());
            ui.label(
                egui::RichText::new(format!(
                    "{} ({})",
                    format::money(row.change, &r.currency),
                    percent_text(row.percent)
                ))
                .monospace()
                .color(change_color(ui, row.change)),
            );
            muted(ui, &format!("{}% of the change", d.share_percent));
        });
    }
}

fn budgets_ui(ui: &mut egui::Ui, r: &Review) {
    if r.budgets.is_empty() {
        muted(ui, "No budgets set (Settings > Budgets).");
        return;
    }
    egui::Grid::new("review budgets")
        .striped(true)
        .num_columns(5)
        .show(ui, |ui| {
            name_cell(ui, "Budget");
            for h in ["Spent", "Of", "%", "Projected"] {
                right(ui, egui::RichText::new(h).small().color(theme::weak(ui)));
            }
            ui.end_row();
            for b in &r.budgets {
                name_cell(ui, &format!("{} {}", b.scope_str(), b.name));
                right(
                    ui,
                    egui::RichText::new(format::money(b.spent, &b.currency)).monospace(),
                );
                right(
                    ui,
                    egui::RichText::new(format::money(b.budget, &b.currency)).monospace(),
                );
                let over = b.percent.is_some_and(|p| p > 100);
                let pct = b.percent.map(|p| format!("{p}%")).unwrap_or_default();
                let color = if over {
                    theme::error(ui)
                } else {
                    ui.visuals().text_color()
                };
                right(ui, egui::RichText::new(pct).monospace().color(color));
                let projected_over = b.projected > b.budget;
                right(
                    ui,
                    egui::RichText::new(format::money(b.projected, &b.currency))
                        .monospace()
                        .color(if projected_over {
                            theme::worse(ui)
                        } else {
                            ui.visuals().text_color()
                        }),
                );
                ui.end_row();
            }
        });
}

fn trail_ui(ui: &mut egui::Ui, r: &Review) {
    let cur = &r.currency;
    egui::Grid::new("review trail")
        .striped(true)
        .num_columns(2)
        .show(ui, |ui| {
            for (item, amount) in r.trail.lines() {
                ui.allocate_ui_with_layout(
                    egui::vec2(TRAIL_ITEM_WIDTH, ui.spacing().interact_size.y),
                    egui::Layout::left_to_right(egui::Align::Center),
                    |ui| {
                        ui.set_min_width(TRAIL_ITEM_WIDTH);
                        ui.add(egui::Label::new(item).wrap());
                    },
                );
                right(
                    ui,
                    egui::RichText::new(format::money(amount, cur)).monospace(),
                );
                ui.end_row();
            }
            ui.label(egui::RichText::new("unmatched provider billing").strong());
            right(ui, format!("{} record(s)", r.unmatched_billing.len()));
            ui.end_row();
            ui.label(egui::RichText::new("unmatched bank and card lines").strong());
            right(ui, format!("{} line(s)", r.unmatched_bank.len()));
            ui.end_row();
        });
}

fn flags_ui(ui: &mut egui::Ui, r: &Review, actions: &mut Vec<Action>) {
    if r.flags.is_empty() {
        muted(ui, "No open flags dated this month.");
        return;
    }
    for f in &r.flags {
        ui.horizontal(|ui| {
            if ui
                .small_button("Open")
                .on_hover_text(format!("Show the evidence of: {}", f.message))
                .clicked()
            {
                actions.push(Action::FocusFlag(f.id.clone()));
            }
            ui.label(egui::RichText::new(f.date.to_string()).monospace());
            ui.label(egui::RichText::new(f.severity).color(theme::weak(ui)));
            ui.add(egui::Label::new(&f.message).truncate())
                .on_hover_text(&f.message);
        });
    }
}

fn unmatched_ui(ui: &mut egui::Ui, id: &str, lines: &[TrailLine]) {
    if lines.is_empty() {
        muted(ui, "None.");
        return;
    }
    egui::Grid::new(id)
        .striped(true)
        .num_columns(6)
        .show(ui, |ui| {
            for l in lines {
                ui.label(egui::RichText::new(&l.record).monospace().small());
                ui.label(l.day.to_string());
                ui.label(&l.provider);
                ui.label(l.kind.replace('_', " "));
                ui.add(egui::Label::new(&l.description).truncate());
                right(
                    ui,
                    egui::RichText::new(format::money(l.original, &l.original_currency))
                        .monospace(),
                );
                ui.end_row();
            }
        });
}
