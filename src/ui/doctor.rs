//! The top-up doctor: one top-up's lifecycle, authorized -> settled -> credited -> consumed,
//! with the day and the record behind each step, so a user sees where a top-up got stuck.

use chrono::NaiveDate;

use super::{Action, theme};

/// How far a step got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepState {
    Done,
    /// Started but not finished (credit left to consume).
    Pending,
    /// Should have happened and did not.
    Missing,
    /// The ledger holds no record that could tell.
    Unknown,
}

impl StepState {
    fn mark(self) -> &'static str {
        match self {
            StepState::Done => "OK",
            StepState::Pending => "...",
            StepState::Missing => "X",
            StepState::Unknown => "?",
        }
    }
}

/// One step of the lifecycle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DoctorStep {
    pub name: String,
    pub state: StepState,
    pub day: Option<NaiveDate>,
    pub detail: String,
}

/// One top-up's lifecycle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DoctorView {
    /// The flag it came from, for people.
    pub title: String,
    pub flag_id: String,
    pub steps: Vec<DoctorStep>,
}

/// The doctor, as a card.
pub fn doctor_ui(ui: &mut egui::Ui, view: &DoctorView, actions: &mut Vec<Action>) {
    theme::card_frame(ui).show(ui, |ui| {
        ui.set_width(ui.available_width());
        ui.horizontal(|ui| {
            ui.label(egui::RichText::new("Top-up doctor").strong());
            ui.add(
                egui::Label::new(egui::RichText::new(&view.title).color(theme::weak(ui)))
                    .truncate(),
            );
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                if ui.button("Close doctor").clicked() {
                    actions.push(Action::OpenDoctor(None));
                }
            });
        });
        ui.add_space(4.0);
        ui.horizontal_wrapped(|ui| {
            for (index, step) in view.steps.iter().enumerate() {
                if index > 0 {
                    ui.label(egui::RichText::new("->").size(18.0).color(theme::weak(ui)));
                }
                let color = match step.state {
                    StepState::Done => theme::better(ui),
                    StepState::Pending => ui.visuals().text_color(),
                    StepState::Missing => theme::error(ui),
                    StepState::Unknown => theme::weak(ui),
                };
                egui::Frame::group(ui.style()).show(ui, |ui| {
                    ui.set_width(250.0);
                    ui.vertical(|ui| {
                        ui.label(
                            egui::RichText::new(format!("{} {}", step.state.mark(), step.name))
                                .strong()
                                .color(color),
                        );
                        if let Some(day) = step.day {
                            ui.label(egui::RichText::new(day.to_string()).small());
                        }
                        ui.add(
                            egui::Label::new(
                                egui::RichText::new(&step.detail)
                                    .small()
                                    .color(theme::weak(ui)),
                            )
                            .wrap(),
                        );
                    });
                });
            }
        });
    });
}
