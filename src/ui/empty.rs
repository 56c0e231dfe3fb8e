//! The first screen of an empty ledger: a drop zone, the formats burnrate reads, and the two ways
//! to start (import files, or look at the demo).

use super::{Action, ImportAction, theme};

/// A format as the empty state lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormatInfo {
    pub name: String,
    pub kind: String,
    /// The columns that identify it.
    pub signature: String,
}

/// What the empty state shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmptyView {
    pub formats: Vec<FormatInfo>,
    pub busy: bool,
    /// Whether files are being dragged over the window.
    pub hovering_files: bool,
}

/// Width of the two big buttons, in points.
const BUTTON_WIDTH: f32 = 160.0;

/// The empty state.
pub fn empty_ui(ui: &mut egui::Ui, view: &EmptyView, actions: &mut Vec<Action>) {
    ui.add_space(theme::GAP * 2.0);
    ui.vertical_centered(|ui| {
        ui.set_max_width(760.0);
        ui.heading("Your AI spending ledger is empty");
        ui.add_space(theme::GAP);
        theme::drop_zone_frame(ui, view.hovering_files).show(ui, |ui| {
            ui.set_width(ui.available_width());
            ui.vertical_centered(|ui| {
                ui.label(egui::RichText::new("Drop exports, statements and receipt e-mails here").size(20.0));
                ui.label(
                    egui::RichText::new(
                        "Usage and cost exports (OpenAI, Anthropic, Cursor, GitHub Copilot, OpenRouter, Google \
                         Cloud, AWS, Azure), your receipt e-mails (.eml files or a whole mailbox, .mbox) and PDF \
                         receipts, billing CSVs and bank or card statements. Nothing is written until you confirm \
                         the preview.",
                    )
                    .color(theme::weak(ui)),
                );
                ui.add_space(theme::GAP);
                ui.horizontal(|ui| {
                    // Centre the two buttons: measure nothing, just pad half of the spare width.
                    let spare = (ui.available_width() - 2.0 * BUTTON_WIDTH - 8.0).max(0.0);
                    ui.add_space(spare / 2.0);
                    let size = egui::vec2(BUTTON_WIDTH, 32.0);
                    let import = ui
                        .add_enabled(!view.busy, egui::Button::new("Import files...").min_size(size))
                        .on_hover_text("Ctrl+O");
                    if import.clicked() {
                        actions.push(Action::Import(ImportAction::PickFiles));
                    }
                    if ui
                        .add_enabled(!view.busy, egui::Button::new("Open demo").min_size(size))
                        .on_hover_text("Look around with sample data; your ledger stays empty")
                        .clicked()
                    {
                        actions.push(Action::OpenDemo);
                    }
                });
            });
        });
        ui.add_space(theme::PAD);
        // Billing records seen only on a provider's web page go in the billing CSV.
        ui.horizontal_wrapped(|ui| {
            ui.label(
                egui::RichText::new(
                    "Top-ups, free credits and invoices you only see on a provider's billing page:",
                )
                .color(theme::weak(ui)),
            );
            if ui
                .add_enabled(!view.busy, egui::Button::new("Add a billing record..."))
                .on_hover_text("Type one in: a top-up, a free credit, an invoice")
                .clicked()
            {
                actions.push(Action::OpenBillingForm);
            }
            if ui
                .add_enabled(!view.busy, egui::Button::new("Save billing template..."))
                .on_hover_text(
                    "A CSV with one example row of each kind; fill it in and drop it here",
                )
                .clicked()
            {
                actions.push(Action::SaveBillingTemplate(None));
            }
        });
        ui.add_space(theme::GAP);
        ui.label(egui::RichText::new("Supported formats").strong());
        ui.label(
            egui::RichText::new("CSV files are recognised by their header row, in any column order; e-mails, mailboxes and PDFs by what they hold.")
                .color(theme::weak(ui)),
        );
    });
    ui.add_space(theme::PAD);
    egui::ScrollArea::vertical()
        .auto_shrink([false, false])
        .show(ui, |ui| {
            ui.vertical_centered(|ui| {
                ui.set_max_width(760.0);
                egui::Grid::new("formats")
                    .num_columns(3)
                    .striped(true)
                    .spacing([theme::GAP, 4.0])
                    .show(ui, |ui| {
                        for format in &view.formats {
                            ui.label(&format.name);
                            ui.label(egui::RichText::new(&format.kind).color(theme::weak(ui)));
                            ui.add(
                                egui::Label::new(
                                    egui::RichText::new(&format.signature)
                                        .small()
                                        .color(theme::weak(ui)),
                                )
                                .truncate(),
                            );
                            ui.end_row();
                        }
                    });
            });
        });
}
