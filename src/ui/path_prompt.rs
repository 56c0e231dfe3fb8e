//! The path field that stands in for the platform's file dialog when there is none (no desktop
//! portal, no zenity): "Import files...", "Save report...", "Export chart as PNG", "Export
//! CSV..." and "Save billing template..." then ask for a path typed or pasted here instead of
//! doing nothing.

use std::path::PathBuf;

use super::{Action, ImportAction, theme};

/// What the path is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathFor {
    /// A file or folder to import.
    Import,
    /// Where to save the monthly review (HTML).
    SaveReport,
    /// Where to save the cost chart (PNG).
    ExportChart,
    /// Where to save the shown ledger table (CSV).
    ExportTable,
    /// Where to save the billing CSV template.
    BillingTemplate,
    /// Where to save the dispute packet of this flag (HTML).
    DisputePacket(String),
}

impl PathFor {
    /// The prompt's heading.
    pub fn title(&self) -> &'static str {
        match self {
            PathFor::Import => "Import a file or folder",
            PathFor::SaveReport => "Save the monthly review",
            PathFor::ExportChart => "Export the chart as PNG",
            PathFor::ExportTable => "Export the table as CSV",
            PathFor::BillingTemplate => "Save the billing template",
            PathFor::DisputePacket(_) => "Save the dispute packet",
        }
    }

    /// The prompt's main button.
    pub fn button(&self) -> &'static str {
        match self {
            PathFor::Import => "Preview the import",
            PathFor::SaveReport
            | PathFor::ExportChart
            | PathFor::ExportTable
            | PathFor::BillingTemplate
            | PathFor::DisputePacket(_) => "Save",
        }
    }

    /// The action that does it with `path`.
    pub fn action(&self, path: PathBuf) -> Action {
        match self {
            PathFor::Import => Action::Import(ImportAction::QueueFiles(vec![path])),
            PathFor::SaveReport => Action::SaveReport(Some(path)),
            PathFor::ExportChart => Action::ExportChart(Some(path)),
            PathFor::ExportTable => Action::ExportTable(Some(path)),
            PathFor::BillingTemplate => Action::SaveBillingTemplate(Some(path)),
            PathFor::DisputePacket(flag_id) => Action::ExportPacket {
                flag_id: flag_id.clone(),
                path: Some(path),
            },
        }
    }
}

/// What the prompt shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathPromptView {
    pub purpose: PathFor,
    /// Why there is no dialog.
    pub why: String,
    pub text: String,
}

/// The accessible name of the path field.
pub const PATH_FIELD: &str = "Path";

/// The prompt, as a modal window.
pub fn path_prompt_ui(ctx: &egui::Context, view: &PathPromptView, actions: &mut Vec<Action>) {
    egui::Modal::new(egui::Id::unique("path prompt")).show(ctx, |ui| {
        ui.set_width(560.0);
        ui.heading(view.purpose.title());
        ui.add(egui::Label::new(egui::RichText::new(&view.why).color(theme::weak(ui))).wrap());
        ui.add_space(theme::PAD);
        let mut text = view.text.clone();
        let field = ui.add(
            egui::TextEdit::singleline(&mut text)
                .desired_width(f32::INFINITY)
                .hint_text("/home/you/Downloads/statement.csv"),
        );
        field.widget_info(|| egui::WidgetInfo::labeled(egui::Role::TextInput, true, PATH_FIELD));
        if text != view.text {
            actions.push(Action::SetPromptPath(text.clone()));
        }
        let entered = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        ui.add_space(theme::PAD);
        ui.horizontal(|ui| {
            let ready = !text.trim().is_empty();
            let go = ui.add_enabled(ready, egui::Button::new(view.purpose.button()));
            if ready && (go.clicked() || entered) {
                actions.push(Action::ClosePathPrompt);
                actions.push(view.purpose.action(PathBuf::from(text.trim())));
            }
            if ui.button("Cancel").clicked() {
                actions.push(Action::ClosePathPrompt);
            }
        });
    });
}
