//! "Review matches": the billing records and bank lines the matching rule could not pair on its
//! own (they fit each other equally well), each candidate pair with its reason (rule, amount
//! delta, day delta) and "Confirm" / "Unlink" buttons, and the decisions already taken.
//!
//! Draws only: the candidates come from `domain::matching` as the app prepared them, and a
//! click pushes [`LedgerCommand::DecideMatch`], which the app stores exactly as
//! `burnrate matches confirm|unlink` does.

use super::{Action, LedgerCommand, format, theme};
use crate::domain::ledger::Decision;
use crate::domain::money::Money;

/// A record of a pair, described for people.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PairSide {
    /// `billing:3`, `bank:12`.
    pub record: String,
    pub day: String,
    pub what: String,
    pub amount: Option<Money>,
}

/// One candidate pair and why it fits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub left: String,
    pub right: String,
    /// `exact`, `fx`, ...
    pub rule: String,
    /// The bank line's amount minus the other record's, converted; `None` when no rate converts.
    pub amount_delta: Option<Money>,
    /// Days from the billing record to the bank line.
    pub day_delta: i64,
}

/// Records that fit each other equally well.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReviewGroup {
    pub records: Vec<PairSide>,
    pub candidates: Vec<Candidate>,
}

/// A decision the user took.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecidedPair {
    pub left: String,
    pub right: String,
    pub decision: Decision,
}

/// What the review list shows.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MatchesView {
    pub groups: Vec<ReviewGroup>,
    pub decided: Vec<DecidedPair>,
    /// Pairs the rule matched on its own (for the count).
    pub matched: usize,
}

fn amount_text(m: Option<&Money>) -> String {
    m.map(|m| format::money(m.amount, &m.currency))
        .unwrap_or_default()
}

/// The review list.
pub fn matches_ui(ui: &mut egui::Ui, view: &MatchesView, actions: &mut Vec<Action>) {
    egui::ScrollArea::vertical()
        .auto_shrink([false, false])
        .show(ui, |ui| {
            ui.horizontal(|ui| {
                ui.heading(format!("{} pair(s) waiting for review", view.groups.len()));
                ui.label(
                    egui::RichText::new(format!(
                        "{} payment(s) matched on their own",
                        view.matched
                    ))
                    .color(theme::weak(ui)),
                );
            });
            ui.label(
                egui::RichText::new(
                    "These records fit each other equally well, so burnrate will not guess which bank line paid which billing record. Confirm the right pair; unlink a pair that is not one (it is never matched again).",
                )
                .color(theme::weak(ui)),
            );
            if view.groups.is_empty() {
                ui.add_space(theme::PAD);
                ui.label(
                    egui::RichText::new("Nothing waits for review: every payment the rule could decide is matched.")
                        .color(theme::weak(ui)),
                );
            }
            for (index, group) in view.groups.iter().enumerate() {
                ui.add_space(theme::PAD / 2.0);
                group_ui(ui, group, index, actions);
            }
            if !view.decided.is_empty() {
                ui.add_space(theme::GAP);
                ui.label(egui::RichText::new("Your decisions").strong());
                egui::Grid::new("decided pairs")
                    .striped(true)
                    .num_columns(3)
                    .show(ui, |ui| {
                        for d in &view.decided {
                            ui.label(egui::RichText::new(&d.left).monospace());
                            ui.label(egui::RichText::new(&d.right).monospace());
                            ui.label(d.decision.as_str());
                            ui.end_row();
                        }
                    });
            }
        });
}

fn group_ui(ui: &mut egui::Ui, group: &ReviewGroup, index: usize, actions: &mut Vec<Action>) {
    theme::card_frame(ui).show(ui, |ui| {
        ui.set_width(ui.available_width());
        egui::Grid::new(("review records", index))
            .striped(true)
            .num_columns(4)
            .show(ui, |ui| {
                for r in &group.records {
                    ui.label(egui::RichText::new(&r.record).monospace().small());
                    ui.label(&r.day);
                    ui.label(&r.what);
                    ui.label(egui::RichText::new(amount_text(r.amount.as_ref())).monospace());
                    ui.end_row();
                }
            });
        ui.add_space(4.0);
        egui::Grid::new(("review candidates", index))
            .num_columns(5)
            .show(ui, |ui| {
                for c in &group.candidates {
                    ui.label(
                        egui::RichText::new(format!("{} <-> {}", c.left, c.right)).monospace(),
                    );
                    let delta = c.amount_delta.as_ref().map_or_else(
                        || "amount not comparable".to_string(),
                        |m| format!("amount delta {}", format::money(m.amount, &m.currency)),
                    );
                    ui.label(
                        egui::RichText::new(format!(
                            "rule {} · {delta} · {:+} day(s)",
                            c.rule, c.day_delta
                        ))
                        .color(theme::weak(ui)),
                    );
                    let pair = format!("{} and {}", c.left, c.right);
                    if ui
                        .button("Confirm")
                        .on_hover_text(format!("{pair} are one payment"))
                        .clicked()
                    {
                        actions.push(Action::Ledger(LedgerCommand::DecideMatch {
                            left: c.left.clone(),
                            right: c.right.clone(),
                            decision: Decision::Confirmed,
                        }));
                    }
                    if ui
                        .button("Unlink")
                        .on_hover_text(format!("{pair} are not one payment"))
                        .clicked()
                    {
                        actions.push(Action::Ledger(LedgerCommand::DecideMatch {
                            left: c.left.clone(),
                            right: c.right.clone(),
                            decision: Decision::Unlinked,
                        }));
                    }
                    ui.end_row();
                }
            });
    });
}
