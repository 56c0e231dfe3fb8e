//! The strip of key figures: this month's usage against last month's, usage in the filtered
//! range, the balance of each provider account with its burn rate and days of credit left, open
//! flags. (Money paid per month is in `burnrate report --what paid`; one row of cards fits
//! 1280 points.)

use super::{Action, View, format, theme};
use crate::domain::views::{AccountBalance, KeyFigures, Money, Totals};

/// What the figures strip shows.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FiguresView {
    pub figures: KeyFigures,
    /// Usage cost in the filters' range.
    pub usage_in_range: Totals,
    /// "Last 90 days", "Nov 1 – Nov 20".
    pub range_label: String,
    /// The balances of the accounts the filters let through.
    pub balances: Vec<AccountBalance>,
    pub open_flags: usize,
    pub critical_flags: usize,
}

fn totals_text(totals: &[Money]) -> String {
    if totals.is_empty() {
        return format::money(crate::domain::money::Amount::ZERO, "USD");
    }
    totals
        .iter()
        .map(|m| format::money(m.amount, &m.currency))
        .collect::<Vec<_>>()
        .join(" + ")
}

/// Where the next card goes: cards are wrapped by hand, because a wrapping layout cannot know
/// a frame's width before drawing it (and an overflowing row widens the whole dashboard).
struct Slot {
    index: usize,
    per_row: usize,
}

fn card(
    ui: &mut egui::Ui,
    slot: &mut Slot,
    title: &str,
    value: &str,
    caption: impl FnOnce(&mut egui::Ui),
) {
    if slot.index > 0 && slot.index.is_multiple_of(slot.per_row) {
        ui.end_row();
    }
    slot.index += 1;
    theme::card_frame(ui).show(ui, |ui| {
        ui.set_width(theme::CARD_WIDTH - 2.0 * theme::PAD);
        ui.vertical(|ui| {
            ui.add(egui::Label::new(egui::RichText::new(title).color(theme::weak(ui))).truncate())
                .on_hover_text(title);
            ui.add(egui::Label::new(egui::RichText::new(value).size(22.0).strong()).truncate())
                .on_hover_text(value);
            caption(ui);
        });
    });
}

fn caption(ui: &mut egui::Ui, text: &str) {
    ui.add(egui::Label::new(egui::RichText::new(text).small().color(theme::weak(ui))).truncate())
        .on_hover_text(text);
}

/// The figures strip.
pub fn figures_ui(ui: &mut egui::Ui, view: &FiguresView, actions: &mut Vec<Action>) {
    let f = &view.figures;
    let spacing = ui.spacing().item_spacing.x;
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "a small, non-negative count of cards"
    )]
    let per_row = (((ui.available_width() + spacing) / (theme::CARD_WIDTH + spacing)).floor()
        as usize)
        .max(1);
    let mut slot = Slot { index: 0, per_row };
    let slot = &mut slot;
    ui.horizontal_wrapped(|ui| {
        let this_month = totals_text(&f.usage_this_month);
        card(
            ui,
            slot,
            &format!("Usage cost {}", f.month_label),
            &this_month,
            |ui| {
                let last = totals_text(&f.usage_last_month);
                let now = f.usage_this_month.first();
                let before = f.usage_last_month.first();
                let change = match (now, before) {
                    (Some(n), Some(b)) if n.currency == b.currency => {
                        format::change_percent(n.amount, b.amount)
                    }
                    _ => None,
                };
                ui.horizontal(|ui| {
                    caption(ui, &format!("last month {last}"));
                    if let Some(pct) = change {
                        let color = if pct > 0 {
                            theme::worse(ui)
                        } else {
                            theme::better(ui)
                        };
                        ui.label(
                            egui::RichText::new(format!("{pct:+}%"))
                                .small()
                                .color(color),
                        );
                    }
                });
            },
        );
        card(
            ui,
            slot,
            "Usage in range",
            &totals_text(&view.usage_in_range),
            |ui| caption(ui, &view.range_label),
        );
        for b in &view.balances {
            let value = format::money(b.closing, &b.currency);
            card(ui, slot, &format!("Balance {}", b.label), &value, |ui| {
                let left = match (b.days_left, b.closing.is_zero()) {
                    (_, true) => "no credit left".to_string(),
                    (Some(d), false) => format!("{d} days left"),
                    (None, false) => "no run-out forecast".to_string(),
                };
                caption(
                    ui,
                    &format!(
                        "burn {}/day · {left}{}",
                        format::money(b.burn_per_day, &b.currency),
                        if b.inferred { " · inferred" } else { "" }
                    ),
                );
            });
        }
        let flags = format::count(view.open_flags);
        card(ui, slot, "Open flags", &flags, |ui| {
            let text = if view.critical_flags > 0 {
                format!("{} critical · see Flags", view.critical_flags)
            } else if view.open_flags > 0 {
                "see Flags".to_string()
            } else {
                "nothing looks wrong".to_string()
            };
            if view.open_flags > 0 {
                if ui.small_button(text).clicked() {
                    actions.push(Action::SetView(View::Flags));
                }
            } else {
                caption(ui, &text);
            }
        });
    });
}
