//! The strip of key figures: this month's usage against last month's, total usage, money paid
//! this month, credits bought and the number of records.

use super::{format, theme};
use crate::store::{KeyFigures, Money};

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

fn card(ui: &mut egui::Ui, title: &str, value: &str, caption: impl FnOnce(&mut egui::Ui)) {
    theme::card_frame(ui).show(ui, |ui| {
        ui.set_width(theme::CARD_WIDTH - 2.0 * theme::PAD);
        ui.vertical(|ui| {
            ui.label(egui::RichText::new(title).color(theme::weak(ui)));
            ui.add(egui::Label::new(egui::RichText::new(value).size(22.0).strong()).truncate())
                .on_hover_text(value);
            caption(ui);
        });
    });
}

/// The figures strip.
pub fn figures_ui(ui: &mut egui::Ui, view: &KeyFigures) {
    ui.horizontal_wrapped(|ui| {
        let this_month = totals_text(&view.usage_this_month);
        card(
            ui,
            &format!("Usage cost {}", view.month_label),
            &this_month,
            |ui| {
                let last = totals_text(&view.usage_last_month);
                let now = view.usage_this_month.first();
                let before = view.usage_last_month.first();
                let change = match (now, before) {
                    (Some(n), Some(b)) if n.currency == b.currency => {
                        format::change_percent(n.amount, b.amount)
                    }
                    _ => None,
                };
                ui.horizontal(|ui| {
                    ui.label(
                        egui::RichText::new(format!("last month {last}"))
                            .small()
                            .color(theme::weak(ui)),
                    );
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
            "Total usage cost",
            &totals_text(&view.usage_total),
            |ui| {
                ui.label(
                    egui::RichText::new("all imported usage")
                        .small()
                        .color(theme::weak(ui)),
                );
            },
        );
        card(
            ui,
            &format!("Paid for AI {}", view.month_label),
            &totals_text(&view.paid_this_month),
            |ui| {
                ui.label(
                    egui::RichText::new("settled bank and card lines")
                        .small()
                        .color(theme::weak(ui)),
                );
            },
        );
        card(
            ui,
            "Credits bought",
            &totals_text(&view.credits_bought),
            |ui| {
                ui.label(
                    egui::RichText::new("purchases, recharges, grants")
                        .small()
                        .color(theme::weak(ui)),
                );
            },
        );
        let records = view.usage_records + view.billing_records + view.bank_lines;
        card(ui, "Records", &format::count(records), |ui| {
            ui.label(
                egui::RichText::new(format!(
                    "{} usage, {} billing, {} bank",
                    format::count(view.usage_records),
                    format::count(view.billing_records),
                    format::count(view.bank_lines)
                ))
                .small()
                .color(theme::weak(ui)),
            );
        });
    });
}
