//! The flags panel: what went wrong, most severe first, each with its message, diagnosis and
//! evidence records; "Show records" narrows the ledger tables to the evidence, "Top-up doctor"
//! follows the top-up's lifecycle, "Dispute packet..." saves the flag's evidence as one HTML
//! file (as `burnrate flags export` does), and "Dismiss" keeps a note in the ledger so the flag stays
//! dismissed across restarts. Beside the flags, two more panels: the top-up doctor (recent
//! attempts per provider) and "Review matches" (pairs the matching rule left to the user).
//!
//! The note being typed is UI state kept in egui's memory, not in the ledger, until the user
//! presses "Dismiss".

use super::doctor::{DoctorView, doctor_ui};
use super::matches::{MatchesView, matches_ui};
use super::{Action, LedgerCommand, format, theme};
use crate::domain::views::FlagRow;

/// The panels of the Flags view.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
pub enum FlagsPanel {
    #[default]
    Flags,
    Doctor,
    Matches,
    /// "Explain an error": paste an API or card error.
    Explain,
}

/// What the flags panel shows (borrowed from the views the window keeps: drawn every frame).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlagsView<'a> {
    /// Flags the filters let through, open ones first.
    pub flags: Vec<&'a FlagRow>,
    pub panel: FlagsPanel,
    /// The doctor's walk (empty unless its panel shows).
    pub doctor: DoctorView,
    pub matches: &'a MatchesView,
    pub explain: super::explain::ExplainView,
    pub as_of: String,
}

/// The Flags view: its panel switcher, then the panel.
pub fn flags_ui(ui: &mut egui::Ui, view: &FlagsView, actions: &mut Vec<Action>) {
    let open = view.flags.iter().filter(|f| f.dismissed.is_none()).count();
    ui.horizontal(|ui| {
        let panels = [
            (FlagsPanel::Flags, format!("Flags ({open})")),
            (FlagsPanel::Doctor, "Top-up attempts".to_string()),
            (
                FlagsPanel::Matches,
                format!("Review matches ({})", view.matches.groups.len()),
            ),
            (FlagsPanel::Explain, "Explain error".to_string()),
        ];
        for (panel, text) in panels {
            if ui.selectable_label(view.panel == panel, text).clicked() && view.panel != panel {
                actions.push(Action::SetFlagsPanel(panel));
            }
        }
    });
    ui.separator();
    match view.panel {
        FlagsPanel::Flags => flag_list_ui(ui, view, actions),
        FlagsPanel::Doctor => doctor_ui(ui, &view.doctor, actions),
        FlagsPanel::Matches => matches_ui(ui, view.matches, actions),
        FlagsPanel::Explain => super::explain::explain_ui(ui, &view.explain, actions),
    }
}

/// The list of flags.
fn flag_list_ui(ui: &mut egui::Ui, view: &FlagsView, actions: &mut Vec<Action>) {
    let show_dismissed_id = egui::Id::unique("flags show dismissed");
    let mut show_dismissed = ui.data(|d| d.get_temp::<bool>(show_dismissed_id).unwrap_or(false));
    let open = view.flags.iter().filter(|f| f.dismissed.is_none()).count();
    let dismissed = view.flags.len() - open;
    ui.horizontal(|ui| {
        ui.heading(format!("{open} open flag(s)"));
        ui.label(egui::RichText::new(format!("as of {}", view.as_of)).color(theme::weak(ui)));
        if dismissed > 0 {
            ui.checkbox(&mut show_dismissed, format!("Show {dismissed} dismissed"));
        }
    });
    ui.data_mut(|d| d.insert_temp(show_dismissed_id, show_dismissed));
    if view.flags.is_empty() {
        ui.label(
            egui::RichText::new(
                "Nothing looks wrong with these filters: no duplicate top-ups, stuck holds, missing credits, failed recharges, spikes or budgets crossed.",
            )
            .color(theme::weak(ui)),
        );
        return;
    }
    egui::ScrollArea::vertical()
        .auto_shrink([false, false])
        .show(ui, |ui| {
            for row in view
                .flags
                .iter()
                .filter(|f| show_dismissed || f.dismissed.is_none())
            {
                flag_ui(ui, row, actions);
                ui.add_space(theme::PAD / 2.0);
            }
        });
}

fn flag_ui(ui: &mut egui::Ui, row: &FlagRow, actions: &mut Vec<Action>) {
    let f = &row.flag;
    theme::card_frame(ui).show(ui, |ui| {
        ui.set_width(ui.available_width());
        ui.horizontal(|ui| flag_header_ui(ui, f));
        ui.add(egui::Label::new(egui::RichText::new(&f.message).strong()).wrap());
        ui.add(egui::Label::new(egui::RichText::new(&f.diagnosis).color(theme::weak(ui))).wrap());
        egui::CollapsingHeader::new(format!("Evidence: {} record(s)", row.evidence.len()))
            .id_salt(("evidence", &f.id))
            .show(ui, |ui| {
                egui::Grid::new(("evidence grid", &f.id))
                    .striped(true)
                    .num_columns(5)
                    .show(ui, |ui| {
                        for e in &row.evidence {
                            ui.label(egui::RichText::new(&e.record).monospace().small());
                            ui.label(e.day.map(|d| d.to_string()).unwrap_or_default());
                            ui.label(&e.what);
                            ui.with_layout(
                                egui::Layout::right_to_left(egui::Align::Center),
                                |ui| {
                                    let text = e
                                        .amount
                                        .as_ref()
                                        .map(|m| format::money(m.amount, &m.currency))
                                        .unwrap_or_default();
                                    ui.label(egui::RichText::new(text).monospace());
                                },
                            );
                            ui.add(egui::Label::new(&e.detail).truncate());
                            ui.end_row();
                        }
                    });
            });
        ui.horizontal(|ui| {
            card_buttons_ui(ui, &f.id, actions);
            ui.separator();
            if let Some(note) = &row.dismissed {
                ui.label(egui::RichText::new(format!("Dismissed: {note}")).color(theme::weak(ui)));
                return;
            }
            let note_id = egui::Id::unique(("dismiss note", &f.id));
            let mut note = ui.data(|d| d.get_temp::<String>(note_id).unwrap_or_default());
            let edit = ui.add(
                egui::TextEdit::singleline(&mut note)
                    .hint_text("Why is this fine? (note)")
                    .desired_width(280.0),
            );
            edit.widget_info(|| {
                egui::WidgetInfo::labeled(egui::Role::TextInput, true, "Dismiss note")
            });
            ui.data_mut(|d| d.insert_temp(note_id, note.clone()));
            if ui
                .add_enabled(!note.trim().is_empty(), egui::Button::new("Dismiss"))
                .on_hover_text("Keep a note and hide this flag; it stays dismissed")
                .on_disabled_hover_text("Write a note first: why is this fine?")
                .clicked()
            {
                actions.push(Action::Ledger(LedgerCommand::DismissFlag {
                    flag_id: f.id.clone(),
                    note: note.trim().to_string(),
                }));
                ui.data_mut(|d| d.remove::<String>(note_id));
            }
        });
    });
}

/// A flag card's first line: severity, date, kind, provider and amount.
pub(super) fn flag_header_ui(ui: &mut egui::Ui, f: &crate::domain::flags::Flag) {
    ui.label(
        egui::RichText::new(f.severity.as_str().to_uppercase())
            .strong()
            .color(theme::severity(ui, f.severity)),
    );
    ui.label(egui::RichText::new(f.date.to_string()).monospace());
    ui.label(egui::RichText::new(f.kind.as_str().replace('_', " ")).color(theme::weak(ui)));
    ui.label(&f.provider);
    if let Some(a) = f.amount {
        ui.label(egui::RichText::new(format::money(a, &f.currency)).monospace());
    }
}

/// "Show records", "Top-up doctor" and "Dispute packet..." of the flag `flag_id`.
pub(super) fn card_buttons_ui(ui: &mut egui::Ui, flag_id: &str, actions: &mut Vec<Action>) {
    if ui
        .button("Show records")
        .on_hover_text("Show the evidence in the ledger tables")
        .clicked()
    {
        actions.push(Action::FocusFlag(flag_id.to_string()));
    }
    if ui
        .button("Top-up doctor")
        .on_hover_text("Follow the top-up: authorized, settled, credited, consumed")
        .clicked()
    {
        actions.push(Action::OpenDoctor(Some(flag_id.to_string())));
    }
    if ui
            .button("Dispute packet...")
            .on_hover_text(
                "Save one HTML file with this flag's records, timeline and matches, to send to the provider or the bank",
            )
            .clicked()
        {
            actions.push(Action::ExportPacket {
                flag_id: flag_id.to_string(),
                path: None,
            });
        }
}
