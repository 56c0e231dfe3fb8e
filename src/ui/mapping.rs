//! The column-mapping editor for a CSV burnrate does not recognise: which column is the date,
//! the description, the amount (or debit and credit), the status, the currency and the id; how
//! spending is signed; and the date order. Every change is previewed live (a dry run of the
//! file with the mapping) before the user saves it for files with the same header.
//!
//! The draft mapping lives in the app (it runs the preview); this panel only shows it and
//! pushes [`ImportAction::PreviewMapping`] and [`ImportAction::UseMapping`].

use super::import_sheet::SampleRow;
use super::{Action, ImportAction, theme};
use crate::domain::import::BankMapping;
use crate::domain::import::mapping::SignConvention;

/// What the mapping editor shows for one file.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MappingView {
    /// The file's index in the preview.
    pub file: usize,
    /// The header's column names, in file order.
    pub columns: Vec<String>,
    pub mapping: BankMapping,
    /// Why the mapping cannot read the file (a column left unset, ...).
    pub error: Option<String>,
    /// Data rows the preview read.
    pub rows: u64,
    pub sample: Vec<SampleRow>,
    /// The first rows the mapping rejects, with the reason.
    pub rejected: Vec<String>,
    pub rejected_count: usize,
}

/// A column choice; `required` leaves out "(none)".
fn column_ui(
    ui: &mut egui::Ui,
    file: usize,
    label: &str,
    columns: &[String],
    value: &mut Option<String>,
    required: bool,
) {
    ui.label(label);
    let shown = value.clone().unwrap_or_else(|| "(none)".into());
    let combo = egui::ComboBox::from_id_salt(("mapping", file, label))
        .selected_text(shown)
        .width(170.0)
        .show_ui(ui, |ui| {
            if !required {
                ui.selectable_value(value, None, "(none)");
            }
            for c in columns {
                ui.selectable_value(value, Some(c.clone()), c);
            }
        });
    combo
        .response
        .widget_info(|| egui::WidgetInfo::labeled(egui::Role::ComboBox, true, label));
    ui.end_row();
}

/// The editor with its live preview.
pub fn mapping_ui(ui: &mut egui::Ui, view: &MappingView, actions: &mut Vec<Action>) {
    let mut m = view.mapping.clone();
    ui.label(egui::RichText::new("Map the columns").strong());
    ui.label(
        egui::RichText::new(
            "Say which column holds what; the preview below updates as you go. The mapping is saved for files with these same columns.",
        )
        .small()
        .color(theme::weak(ui)),
    );
    columns_ui(ui, view, &mut m);
    ui.horizontal(|ui| {
        ui.label("Spending is");
        ui.radio_value(
            &mut m.sign,
            SignConvention::SpendNegative,
            "negative (-12.00)",
        );
        ui.radio_value(
            &mut m.sign,
            SignConvention::SpendPositive,
            "positive (12.00)",
        );
        ui.separator();
        ui.label("Dates");
        for (value, label) in [
            (None, "detect"),
            (Some("dmy"), "day first"),
            (Some("mdy"), "month first"),
        ] {
            let value = value.map(str::to_string);
            if ui.radio(m.date_order == value, label).clicked() {
                m.date_order = value;
            }
        }
    });
    if m != view.mapping {
        actions.push(Action::Import(ImportAction::PreviewMapping {
            file: view.file,
            mapping: m.clone(),
        }));
    }
    ui.add_space(4.0);
    preview_ui(ui, view);
    let ready = view.error.is_none() && !view.sample.is_empty();
    if ui
        .add_enabled(ready, egui::Button::new("Save mapping"))
        .on_disabled_hover_text(
            "Pick the date, description and amount columns, and the currency column or the currency of the whole file, first",
        )
        .on_hover_text("Save it for files with these columns, and check the file again with it")
        .clicked()
    {
        actions.push(Action::Import(ImportAction::UseMapping {
            file: view.file,
            mapping: m,
        }));
    }
}

/// The column choices, the account name and the default currency.
fn columns_ui(ui: &mut egui::Ui, view: &MappingView, m: &mut BankMapping) {
    ui.horizontal_top(|ui| {
        egui::Grid::new(("mapping grid", view.file))
            .num_columns(2)
            .spacing([8.0, 4.0])
            .show(ui, |ui| {
                let mut date = Some(m.date.clone()).filter(|d| !d.is_empty());
                column_ui(ui, view.file, "Date column", &view.columns, &mut date, true);
                m.date = date.unwrap_or_default();
                let mut description = Some(m.description.clone()).filter(|d| !d.is_empty());
                column_ui(
                    ui,
                    view.file,
                    "Description column",
                    &view.columns,
                    &mut description,
                    true,
                );
                m.description = description.unwrap_or_default();
                column_ui(
                    ui,
                    view.file,
                    "Amount column",
                    &view.columns,
                    &mut m.amount,
                    false,
                );
                column_ui(
                    ui,
                    view.file,
                    "Debit column",
                    &view.columns,
                    &mut m.debit,
                    false,
                );
                column_ui(
                    ui,
                    view.file,
                    "Credit column",
                    &view.columns,
                    &mut m.credit,
                    false,
                );
            });
        ui.add_space(theme::GAP);
        egui::Grid::new(("mapping grid 2", view.file))
            .num_columns(2)
            .spacing([8.0, 4.0])
            .show(ui, |ui| {
                column_ui(
                    ui,
                    view.file,
                    "Status column",
                    &view.columns,
                    &mut m.status,
                    false,
                );
                column_ui(
                    ui,
                    view.file,
                    "Currency column",
                    &view.columns,
                    &mut m.currency,
                    false,
                );
                column_ui(ui, view.file, "Id column", &view.columns, &mut m.id, false);
                ui.label("Account name");
                ui.add(egui::TextEdit::singleline(&mut m.account).desired_width(160.0))
                    .widget_info(|| {
                        egui::WidgetInfo::labeled(egui::Role::TextInput, true, "Account name")
                    });
                ui.end_row();
                ui.label("Currency if none");
                let mut currency = m.default_currency.clone().unwrap_or_default();
                ui.add(egui::TextEdit::singleline(&mut currency).desired_width(60.0))
                    .widget_info(|| {
                        egui::WidgetInfo::labeled(egui::Role::TextInput, true, "Currency if none")
                    });
                m.default_currency =
                    Some(currency.trim().to_ascii_uppercase()).filter(|c| !c.is_empty());
                ui.end_row();
            });
    });
}

fn preview_ui(ui: &mut egui::Ui, view: &MappingView) {
    if let Some(error) = &view.error {
        ui.add(egui::Label::new(egui::RichText::new(error).color(theme::error(ui))).wrap());
        return;
    }
    ui.label(format!(
        "Preview: {} rows read, {} record(s), {} rejected",
        view.rows,
        view.sample.len(),
        view.rejected_count
    ));
    for reason in &view.rejected {
        ui.label(egui::RichText::new(reason).small().color(theme::error(ui)));
    }
    egui::Grid::new(("mapping preview", view.file))
        .striped(true)
        .num_columns(3)
        .show(ui, |ui| {
            for row in view.sample.iter().take(6) {
                ui.label(&row.day);
                ui.add(egui::Label::new(&row.detail).truncate());
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    ui.label(egui::RichText::new(&row.amount).monospace());
                });
                ui.end_row();
            }
        });
}
