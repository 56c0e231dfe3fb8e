//! The top-up doctor: recent top-up attempts per provider walked through their lifecycle
//! (authorized -> settled -> credited -> consumed) by `domain::doctor`, each with the failure it
//! names and its plain-language diagnosis. Opened from a flag, it shows that flag's attempts
//! first.
//!
//! Draws only: the walk itself is the domain's (the same one `burnrate diagnose` prints); this
//! module chooses words and colours for its stages.

use super::{Action, format, theme};
use crate::domain::doctor::{Attempt, Failure, StageStatus};

/// The attempts of one flag, opened with its "Top-up doctor" button.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FlagAttempts {
    pub flag_id: String,
    /// The flag's message, for people.
    pub title: String,
    /// The attempts whose evidence the flag names (empty: the flag is about no top-up).
    pub attempts: Vec<Attempt>,
}

/// What the doctor panel shows.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DoctorView {
    pub flag: Option<FlagAttempts>,
    /// Recent attempts, grouped by provider, most recent first.
    pub providers: Vec<(String, Vec<Attempt>)>,
    pub as_of: String,
}

/// The words a failure is shown with.
pub fn failure_label(failure: Failure) -> &'static str {
    match failure {
        Failure::PaymentFailed => "Payment failed",
        Failure::BalanceNotSynchronized => "Balance not synchronized",
        Failure::HoldNeverSettled => "Hold never settled",
        Failure::BalanceDepleted => "Credited, then used up",
        Failure::InProgress => "In progress",
        Failure::None => "OK",
    }
}

fn status_mark(status: StageStatus) -> &'static str {
    match status {
        StageStatus::Failed | StageStatus::Missing => "X ",
        StageStatus::Unknown => "? ",
        _ => "",
    }
}

fn status_color(ui: &egui::Ui, status: StageStatus) -> egui::Color32 {
    match status {
        StageStatus::Ok | StageStatus::Inferred | StageStatus::UsedUp => theme::better(ui),
        StageStatus::Waiting => ui.visuals().text_color(),
        StageStatus::Failed | StageStatus::Missing => theme::error(ui),
        StageStatus::Unknown | StageStatus::NotReached => theme::weak(ui),
    }
}

/// The colour of an attempt's outcome. A credit that was used up is the ordinary end of a
/// top-up: it is coloured as a problem only where it is the cause of one (`cause`: the attempt
/// is shown as the evidence of a flag), and stays neutral in the list of recent attempts.
fn failure_color(ui: &egui::Ui, failure: Failure, cause: bool) -> egui::Color32 {
    match failure {
        Failure::None => theme::better(ui),
        Failure::BalanceDepleted if cause => theme::worse(ui),
        Failure::InProgress | Failure::BalanceDepleted => ui.visuals().text_color(),
        _ => theme::error(ui),
    }
}

/// The doctor panel.
pub fn doctor_ui(ui: &mut egui::Ui, view: &DoctorView, actions: &mut Vec<Action>) {
    egui::ScrollArea::vertical()
        .auto_shrink([false, false])
        .show(ui, |ui| {
            if let Some(flag) = &view.flag {
                flag_attempts_ui(ui, flag, actions);
                ui.add_space(theme::GAP);
            }
            ui.horizontal(|ui| {
                ui.heading("Recent top-up attempts");
                ui.label(
                    egui::RichText::new(format!("per provider, as of {}", view.as_of))
                        .color(theme::weak(ui)),
                );
            });
            if view.providers.is_empty() {
                ui.label(
                    egui::RichText::new(
                        "No top-up attempts yet: import the providers' billing records or your bank and card statements.",
                    )
                    .color(theme::weak(ui)),
                );
            }
            for (provider, attempts) in &view.providers {
                ui.add_space(theme::PAD / 2.0);
                ui.label(
                    egui::RichText::new(format!("{provider} · {} attempt(s)", attempts.len()))
                        .strong(),
                );
                for (index, attempt) in attempts.iter().enumerate() {
                    attempt_ui(ui, attempt, (provider.as_str(), index));
                }
            }
        });
}

fn flag_attempts_ui(ui: &mut egui::Ui, flag: &FlagAttempts, actions: &mut Vec<Action>) {
    theme::card_frame(ui).show(ui, |ui| {
        ui.set_width(ui.available_width());
        ui.horizontal(|ui| {
            ui.label(egui::RichText::new("Top-up doctor").strong());
            ui.add(
                egui::Label::new(egui::RichText::new(&flag.title).color(theme::weak(ui)))
                    .truncate(),
            );
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                if ui.button("Close doctor").clicked() {
                    actions.push(Action::OpenDoctor(None));
                }
            });
        });
        if flag.attempts.is_empty() {
            ui.label(
                egui::RichText::new(
                    "This flag names no top-up attempt (no credit purchase, recharge or top-up line among its evidence); the attempts below are the provider's recent ones.",
                )
                .color(theme::weak(ui)),
            );
        }
        for (index, attempt) in flag.attempts.iter().enumerate() {
            attempt_ui(ui, attempt, ("flag", index));
        }
    });
}

/// One attempt: what, the four stages, the failure and the diagnosis.
pub(super) fn attempt_ui(ui: &mut egui::Ui, a: &Attempt, salt: (&str, usize)) {
    egui::Frame::group(ui.style()).show(ui, |ui| {
        ui.set_width(ui.available_width());
        ui.horizontal_wrapped(|ui| {
            ui.label(egui::RichText::new(a.date.to_string()).monospace());
            ui.label(egui::RichText::new(format::money(a.amount, &a.currency)).monospace());
            ui.label(&a.provider);
            ui.label(
                egui::RichText::new(failure_label(a.failure))
                    .strong()
                    .color(failure_color(ui, a.failure, salt.0 == "flag")),
            );
            ui.separator();
            for (index, s) in a.stages.iter().enumerate() {
                if index > 0 {
                    ui.label(egui::RichText::new("->").color(theme::weak(ui)));
                }
                let day = s.date.map(|d| format!(" {}", d.format("%b %-d")));
                let text = format!(
                    "{}{} {}{}",
                    status_mark(s.status),
                    s.stage.as_str(),
                    s.status.as_str().replace('_', " "),
                    day.unwrap_or_default()
                );
                ui.label(egui::RichText::new(text).color(status_color(ui, s.status)))
                    .on_hover_text(if s.records.is_empty() {
                        "no record".to_string()
                    } else {
                        s.records.join(", ")
                    });
            }
        });
        if a.failure != Failure::None {
            egui::CollapsingHeader::new("Diagnosis")
                .id_salt(("diagnosis", salt.0, salt.1, a.date))
                .default_open(a.failure != Failure::InProgress && salt.0 == "flag")
                .show(ui, |ui| {
                    ui.add(
                        egui::Label::new(egui::RichText::new(&a.diagnosis).color(theme::weak(ui)))
                            .wrap(),
                    );
                    ui.label(
                        egui::RichText::new(format!("evidence: {}", a.records().join(", ")))
                            .small()
                            .monospace()
                            .color(theme::weak(ui)),
                    );
                });
        }
    });
}
