//! The desktop window's panels, drawn with egui, `egui_plot` and `egui_extras` only.
//!
//! Draw, then act: every panel is a function `*_ui(ui, &view, &mut actions)` that reads a view
//! prepared by the app and pushes [`Action`]s; it never writes to the ledger and never opens
//! files. The app applies the actions after the frame. Every button and input has stable text,
//! which is how tests find them.

pub mod chart;
pub mod empty;
pub mod figures;
pub mod format;
pub mod import_sheet;
pub mod tables;
pub mod theme;

use std::path::PathBuf;

use crate::store::{Bucket, SeriesGroup};

pub use self::theme::ThemeChoice;

/// A ledger table tab.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
pub enum Tab {
    #[default]
    Usage,
    Billing,
    Bank,
    Imports,
}

impl Tab {
    pub const ALL: [Tab; 4] = [Tab::Usage, Tab::Billing, Tab::Bank, Tab::Imports];

    pub fn label(self) -> &'static str {
        match self {
            Tab::Usage => "Usage",
            Tab::Billing => "Billing",
            Tab::Bank => "Bank lines",
            Tab::Imports => "Imports",
        }
    }
}

/// What the user asked for while a frame was drawn; the app applies these after the frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Open the native file dialog to pick files to import.
    PickFiles,
    /// Check these files and show the import preview.
    QueueFiles(Vec<PathBuf>),
    /// Switch the window to the demo ledger.
    OpenDemo,
    /// Switch back from the demo to the user's own ledger.
    OpenOwnLedger,
    /// Import the previewed files.
    ConfirmImport,
    /// Close the preview (or the finished import summary) without importing.
    ClosePreview,
    /// Stop the running check or import.
    CancelJob,
    /// Remove the records one import brought.
    Undo {
        source_file_id: i64,
    },
    SetGroup(SeriesGroup),
    SetBucket(Bucket),
    ResetChart,
    SetTab(Tab),
    SetSearch(String),
    /// The table shows rows `first..=last`; load them when they are not in the cached page.
    ShowRows {
        first: usize,
        last: usize,
    },
    SetTheme(ThemeChoice),
    DismissMessage,
}

/// What the top bar shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopBarView {
    /// The ledger file shown.
    pub ledger: String,
    pub is_demo: bool,
    pub theme: ThemeChoice,
    /// Whether an import or check is running (import buttons wait).
    pub busy: bool,
}

/// A message for the user at the bottom of the window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub text: String,
    pub is_error: bool,
}

/// The bar at the top: title, ledger, import button and theme choice.
pub fn top_bar_ui(ui: &mut egui::Ui, view: &TopBarView, actions: &mut Vec<Action>) {
    ui.horizontal(|ui| {
        ui.heading("burnrate");
        ui.separator();
        if view.is_demo {
            ui.label(egui::RichText::new("Demo ledger").strong())
                .on_hover_text(&view.ledger);
            ui.label(
                egui::RichText::new("(sample data; your own ledger is untouched)")
                    .color(theme::weak(ui)),
            );
            if ui.button("Open my ledger").clicked() {
                actions.push(Action::OpenOwnLedger);
            }
        } else {
            ui.label(egui::RichText::new(&view.ledger).color(theme::weak(ui)))
                .on_hover_text("The ledger file");
        }
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            let mut choice = view.theme;
            let combo = egui::ComboBox::from_id_salt("theme")
                .selected_text(choice.label())
                .show_ui(ui, |ui| {
                    for option in ThemeChoice::ALL {
                        ui.selectable_value(&mut choice, option, option.label());
                    }
                });
            combo
                .response
                .widget_info(|| egui::WidgetInfo::labeled(egui::Role::ComboBox, true, "Theme"));
            if choice != view.theme {
                actions.push(Action::SetTheme(choice));
            }
            ui.label("Theme");
            ui.separator();
            let import = ui
                .add_enabled(!view.busy, egui::Button::new("Import files..."))
                .on_hover_text("Ctrl+O, or drop files anywhere on the window");
            if import.clicked() {
                actions.push(Action::PickFiles);
            }
        });
    });
}

/// The message line at the bottom.
pub fn message_ui(ui: &mut egui::Ui, message: &Message, actions: &mut Vec<Action>) {
    ui.horizontal(|ui| {
        let color = if message.is_error {
            theme::error(ui)
        } else {
            ui.visuals().text_color()
        };
        if ui.small_button("Dismiss").clicked() {
            actions.push(Action::DismissMessage);
        }
        ui.add(egui::Label::new(egui::RichText::new(&message.text).color(color)).wrap());
    });
}

/// A translucent layer over the window while files are dragged over it.
pub fn drop_overlay_ui(ctx: &egui::Context) {
    let painter = ctx.layer_painter(egui::LayerId::new(
        egui::Order::Foreground,
        egui::Id::unique("drop overlay"),
    ));
    let rect = ctx.content_rect();
    painter.rect_filled(rect, 0.0, egui::Color32::from_black_alpha(160));
    painter.text(
        rect.center(),
        egui::Align2::CENTER_CENTER,
        "Drop to preview the import",
        egui::FontId::proportional(28.0),
        egui::Color32::WHITE,
    );
}
