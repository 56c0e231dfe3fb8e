//! The import sheet: a modal window that previews what importing the dropped or picked files
//! will do (format, counts, rejected rows, the first records as they will be stored), then shows
//! the progress of the real import with a cancel button, then a summary.
//!
//! A file whose dates read both day-first and month-first offers "Day first (31/12)" and
//! "Month first (12/31)"; the choice checks that file again and is used by its import. A
//! burnrate ledger dropped here is previewed as a merge. Undoing an import shows its progress
//! here too.
//!
//! Nothing is written before the user presses "Import".

use super::mapping::{MappingView, mapping_ui};
use super::{Action, ImportAction, format, theme};
use crate::domain::import::DateOrder;
use crate::domain::money::Currency;

/// The preview grid's day, kind and amount columns with their spacing, in points.
const SAMPLE_FIXED_WIDTH: f32 = 360.0;

/// One record of the preview, as it will be stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SampleRow {
    pub day: String,
    pub what: String,
    pub detail: String,
    pub amount: String,
}

/// The preview of one file.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FilePreview {
    pub name: String,
    /// The detected format, for people.
    pub format: Option<String>,
    /// Why the file cannot be imported.
    pub error: Option<String>,
    pub rows: u64,
    pub new: u64,
    pub duplicates: u64,
    pub updated: u64,
    pub skipped: u64,
    /// Messages of a mailbox or e-mail that were not receipts (counted, never stored).
    pub not_receipts: u64,
    /// Rows of other services a cloud or GitHub bill left out, with their cost
    /// (`3 rows of other services left out (not AI spend): $8.63`).
    pub left_out: Option<String>,
    pub rejected: usize,
    /// The first rejected rows: `line 12, column 3 (amount): ...`.
    pub first_rejected: Vec<String>,
    pub sample: Vec<SampleRow>,
    /// The file's dates fit both day-first and month-first: ask the user which.
    pub ambiguous_dates: bool,
    /// The file does not say the currency of its amounts: ask the user which.
    pub needs_currency: bool,
    /// The column-mapping editor, for a CSV no format recognises.
    pub mapping: Option<MappingView>,
}

/// Where the sheet is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SheetView {
    /// Reading the files (dry run).
    Checking {
        done: usize,
        total: usize,
        current: String,
    },
    /// The preview, waiting for the user.
    Preview {
        files: Vec<FilePreview>,
        /// Where the files go when that is not the ledger shown (dropped on the demo: "These
        /// files go into your new ledger at PATH; the demo stays as it is.").
        destination: Option<String>,
    },
    /// The real import is running.
    Importing {
        done: usize,
        total: usize,
        current: String,
        rows: u64,
        bytes: u64,
        /// Size of the current file, for the progress bar.
        file_bytes: u64,
        cancelling: bool,
    },
    /// The import ended; one line per file.
    Finished { lines: Vec<String>, failed: bool },
    /// An import is being undone.
    Undoing { name: String },
}

/// The sheet, as a modal window over the dashboard.
pub fn sheet_ui(ctx: &egui::Context, view: &SheetView, actions: &mut Vec<Action>) {
    let max = ctx.content_rect().size() * egui::vec2(0.85, 0.85);
    egui::Modal::new(egui::Id::unique("import sheet")).show(ctx, |ui| {
        ui.set_max_size(max);
        ui.set_width(max.x.min(980.0));
        match view {
            SheetView::Checking {
                done,
                total,
                current,
            } => checking_ui(ui, *done, *total, current, actions),
            SheetView::Preview { files, destination } => {
                preview_ui(ui, files, destination.as_deref(), actions);
            }
            SheetView::Importing {
                done,
                total,
                current,
                rows,
                bytes,
                file_bytes,
                cancelling,
            } => {
                ui.heading("Importing");
                ui.label(format!("File {} of {total}: {current}", done + 1));
                #[expect(clippy::cast_precision_loss, reason = "a progress fraction")]
                let fraction = if *file_bytes == 0 {
                    0.0
                } else {
                    (*bytes as f32 / *file_bytes as f32).min(1.0)
                };
                ui.add(egui::ProgressBar::new(fraction).text(format!(
                    "{} rows, {} of {}",
                    format::count(rows),
                    format::bytes(*bytes),
                    format::bytes(*file_bytes)
                )));
                ui.add_space(theme::PAD);
                if ui
                    .add_enabled(!cancelling, egui::Button::new("Cancel"))
                    .clicked()
                {
                    actions.push(Action::Import(ImportAction::Cancel));
                }
                if *cancelling {
                    ui.label("Cancelling; the file being imported is left out entirely.");
                }
            }
            SheetView::Undoing { name } => {
                ui.heading("Undoing an import");
                ui.label(format!("Removing the records {name} brought…"));
                ui.add(egui::ProgressBar::new(0.0).animate(true));
            }
            SheetView::Finished { lines, failed } => {
                ui.heading(if *failed {
                    "Import finished with problems"
                } else {
                    "Import finished"
                });
                for line in lines {
                    ui.label(line);
                }
                ui.add_space(theme::PAD);
                if ui.button("Close").clicked() {
                    actions.push(Action::Import(ImportAction::Close));
                }
            }
        }
    });
}

fn checking_ui(
    ui: &mut egui::Ui,
    done: usize,
    total: usize,
    current: &str,
    actions: &mut Vec<Action>,
) {
    ui.heading("Checking files");
    ui.label(format!(
        "Reading {current} ({} of {total}); nothing is written yet.",
        done + 1
    ));
    #[expect(clippy::cast_precision_loss, reason = "a progress fraction")]
    let fraction = if total == 0 {
        0.0
    } else {
        done as f32 / total as f32
    };
    ui.add(egui::ProgressBar::new(fraction).animate(true));
    if ui.button("Cancel").clicked() {
        actions.push(Action::Import(ImportAction::Cancel));
    }
}

fn preview_ui(
    ui: &mut egui::Ui,
    files: &[FilePreview],
    destination: Option<&str>,
    actions: &mut Vec<Action>,
) {
    ui.heading("Import preview");
    if let Some(destination) = destination {
        ui.add(egui::Label::new(egui::RichText::new(destination).strong()).wrap());
    }
    let importable = files.iter().filter(|f| f.error.is_none()).count();
    let new: u64 = files
        .iter()
        .filter(|f| f.error.is_none())
        .map(|f| f.new + f.updated)
        .sum();
    ui.label(
        egui::RichText::new(format!(
            "{} of {} file(s) can be imported: {} new or updated record(s). Nothing has been written yet.",
            importable,
            files.len(),
            format::count(new)
        ))
        .color(theme::weak(ui)),
    );
    ui.add_space(theme::PAD);
    let footer_height = 40.0;
    egui::ScrollArea::vertical()
        .max_height((ui.available_height() - footer_height).max(120.0))
        .auto_shrink([false, true])
        .show(ui, |ui| {
            for (index, file) in files.iter().enumerate() {
                file_ui(ui, index, file, actions);
                ui.add_space(theme::PAD);
            }
        });
    ui.separator();
    ui.horizontal(|ui| {
        if ui
            .add_enabled(importable > 0, egui::Button::new("Import"))
            .on_hover_text("Write the new records to the ledger, one transaction per file")
            .clicked()
        {
            actions.push(Action::Import(ImportAction::Confirm));
        }
        if ui.button("Cancel").clicked() {
            actions.push(Action::Import(ImportAction::Close));
        }
    });
}

fn file_ui(ui: &mut egui::Ui, index: usize, file: &FilePreview, actions: &mut Vec<Action>) {
    theme::card_frame(ui).show(ui, |ui| {
        ui.set_width(ui.available_width());
        ui.horizontal(|ui| {
            ui.label(egui::RichText::new(&file.name).strong());
            if let Some(format) = &file.format {
                ui.label(egui::RichText::new(format!("read as {format}")).color(theme::weak(ui)));
            }
        });
        if file.ambiguous_dates {
            date_order_ui(ui, index, actions);
            return;
        }
        if file.needs_currency {
            currency_ui(ui, index, actions);
            return;
        }
        if let Some(error) = &file.error {
            ui.add(egui::Label::new(egui::RichText::new(error).color(theme::error(ui))).wrap());
            if let Some(mapping) = &file.mapping {
                ui.separator();
                mapping_ui(ui, mapping, actions);
            }
            return;
        }
        ui.label(format!(
            "{} rows: {} new, {} duplicate, {} updated, {} rejected{}",
            format::count(file.rows),
            format::count(file.new),
            format::count(file.duplicates),
            format::count(file.updated),
            format::count(file.rejected),
            if file.skipped > 0 {
                format!(", {} empty", format::count(file.skipped))
            } else {
                String::new()
            }
        ));
        if file.not_receipts > 0 {
            ui.label(
                egui::RichText::new(format::not_receipts(file.not_receipts)).color(theme::weak(ui)),
            );
        }
        if let Some(left_out) = &file.left_out {
            ui.label(egui::RichText::new(left_out).color(theme::weak(ui)));
        }
        for reason in &file.first_rejected {
            ui.label(egui::RichText::new(reason).small().color(theme::error(ui)));
        }
        if file.sample.is_empty() {
            return;
        }
        egui::CollapsingHeader::new(format!("First {} records", file.sample.len()))
            .id_salt(("sample", index))
            .default_open(index == 0)
            .show(ui, |ui| {
                // The description column takes what the day, kind and amount leave, and wraps:
                // a preview cell is read whole, never cut to "bank…".
                let detail_width = (ui.available_width() - SAMPLE_FIXED_WIDTH).max(160.0);
                egui::Grid::new(("sample grid", index))
                    .striped(true)
                    .num_columns(4)
                    .show(ui, |ui| {
                        for row in &file.sample {
                            ui.label(&row.day);
                            ui.label(&row.what);
                            ui.allocate_ui_with_layout(
                                egui::vec2(detail_width, ui.spacing().interact_size.y),
                                egui::Layout::left_to_right(egui::Align::Center)
                                    .with_main_wrap(true),
                                |ui| {
                                    ui.set_width(detail_width);
                                    ui.add(egui::Label::new(&row.detail).wrap());
                                },
                            );
                            ui.with_layout(
                                egui::Layout::right_to_left(egui::Align::Center),
                                |ui| {
                                    ui.label(egui::RichText::new(&row.amount).monospace());
                                },
                            );
                            ui.end_row();
                        }
                    });
            });
    });
}

/// The currencies offered when a card statement does not say its own: the cards' home
/// currencies burnrate meets most.
const CARD_CURRENCIES: [[u8; 3]; 15] = [
    *b"USD", *b"EUR", *b"GBP", *b"CAD", *b"AUD", *b"NZD", *b"SGD", *b"HKD", *b"JPY", *b"INR",
    *b"MXN", *b"CHF", *b"SEK", *b"NOK", *b"DKK",
];

/// The question for a card statement that does not say its currency (an American Express
/// export from outside the US), asked once per file.
fn currency_ui(ui: &mut egui::Ui, index: usize, actions: &mut Vec<Action>) {
    ui.add(
        egui::Label::new(
            egui::RichText::new(
                "This statement does not say which currency the card is in, and nothing in it tells for sure. Which currency is it?",
            )
            .color(theme::error(ui)),
        )
        .wrap(),
    );
    ui.horizontal_wrapped(|ui| {
        for code in CARD_CURRENCIES {
            let currency = Currency::of(code);
            if ui
                .button(currency.as_str())
                .on_hover_text("Check the file again with its amounts in this currency")
                .clicked()
            {
                actions.push(Action::Import(ImportAction::SetCurrency {
                    file: index,
                    currency,
                }));
            }
        }
    });
}

/// The question for a file whose dates fit both readings (03/04/2026: March 4 or April 3?).
fn date_order_ui(ui: &mut egui::Ui, index: usize, actions: &mut Vec<Action>) {
    ui.add(
        egui::Label::new(
            egui::RichText::new(
                "Every date in this file reads both day-first and month-first (03/04 could be 3 April or March 4). Which does it use?",
            )
            .color(theme::error(ui)),
        )
        .wrap(),
    );
    ui.horizontal(|ui| {
        for (order, label) in [
            (DateOrder::DayFirst, "Day first (31/12)"),
            (DateOrder::MonthFirst, "Month first (12/31)"),
        ] {
            if ui
                .button(label)
                .on_hover_text("Check the file again reading its dates this way")
                .clicked()
            {
                actions.push(Action::Import(ImportAction::SetDateOrder {
                    file: index,
                    order,
                }));
            }
        }
    });
}
