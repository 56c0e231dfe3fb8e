//! The desktop window's panels, drawn with egui, `egui_plot` and `egui_extras` only.
//!
//! Draw, then act: every panel is a function `*_ui(ui, &view, &mut actions)` that reads a view
//! prepared by the app and pushes [`Action`]s; it never writes to the ledger and never opens
//! files. The app applies the actions after the frame. Every button and input has stable text,
//! which is how tests find them.

pub mod agents;
pub mod balance;
pub mod billing_form;
pub mod chart;
pub mod doctor;
pub mod empty;
pub mod explain;
pub mod figures;
pub mod filters;
pub mod flags;
pub mod format;
pub mod import_sheet;
pub mod mapping;
pub mod matches;
pub mod path_prompt;
pub mod review;
pub mod settings;
pub mod tables;
pub mod theme;

use std::path::PathBuf;

use crate::domain::balance::{AccountKey, AutoRecharge};
use crate::domain::flags::FlagParams;
use crate::domain::import::{BankMapping, DateOrder};
use crate::domain::ledger::Budget;
use crate::domain::ledger::Decision;
use crate::domain::merchants::MerchantRule;
use crate::domain::money::Currency;
use crate::domain::views::{Bucket, Filters, Focus, SeriesGroup, Sort};

pub use self::flags::FlagsPanel;
pub use self::theme::ThemeChoice;

/// The window's main views, switched with Ctrl+1..5.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
pub enum View {
    #[default]
    Dashboard,
    Flags,
    Ledger,
    Review,
    Settings,
}

impl View {
    pub const ALL: [View; 5] = [
        View::Dashboard,
        View::Flags,
        View::Ledger,
        View::Review,
        View::Settings,
    ];

    pub fn label(self) -> &'static str {
        match self {
            View::Dashboard => "Dashboard",
            View::Flags => "Flags",
            View::Ledger => "Ledger",
            View::Review => "Review",
            View::Settings => "Settings",
        }
    }
}

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
    /// Coding-agent requests (Claude Code, Codex).
    Agents,
}

impl Tab {
    pub const ALL: [Tab; 5] = [
        Tab::Usage,
        Tab::Billing,
        Tab::Bank,
        Tab::Agents,
        Tab::Imports,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Tab::Usage => "Usage",
            Tab::Billing => "Billing",
            Tab::Bank => "Bank lines",
            Tab::Imports => "Imports",
            Tab::Agents => "Agent usage",
        }
    }
}

/// What the user asked for while a frame was drawn; the app applies these after the frame.
///
/// Three kinds, kept apart so the compiler lists every write: [`LedgerCommand`]s change the
/// ledger, [`ImportAction`]s move the import sheet (whose writes run on the import thread),
/// and the rest change only what the window shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Change the ledger (applied in order, off the window's thread).
    Ledger(LedgerCommand),
    /// Check, preview, import or undo files.
    Import(ImportAction),
    /// Read the ledger again and rebuild every view (F5).
    Refresh,
    /// Switch the window to the demo ledger.
    OpenDemo,
    /// Switch back from the demo to the user's own ledger.
    OpenOwnLedger,
    /// Hide the cost chart's series of this name (a click on its legend entry), or show it.
    ToggleSeries(String),
    SetView(View),
    SetGroup(SeriesGroup),
    SetBucket(Bucket),
    ResetChart,
    SetTab(Tab),
    SetSearch(String),
    SetSort(Sort),
    SetFilters(Filters),
    /// Narrow the tables to a bar's or a flag's records and show them.
    FocusOn(Focus),
    /// Narrow the tables to a flag's evidence records and show them.
    FocusFlag(String),
    ClearFocus,
    /// Show the lifecycle of the top-up a flag is about (`None` closes it).
    OpenDoctor(Option<String>),
    /// The table shows rows `first..=last`; load them when they are not in the cached page.
    ShowRows {
        first: usize,
        last: usize,
    },
    SetTheme(ThemeChoice),
    DismissMessage,
    /// Show another panel of the Flags view.
    SetFlagsPanel(FlagsPanel),
    /// Review another month (its first day).
    SetReviewMonth(chrono::NaiveDate),
    /// Save the review as HTML: to this file, or (`None`) where a save dialog says.
    SaveReport(Option<PathBuf>),
    /// Save the cost chart as PNG: to this file, or (`None`) where a save dialog says.
    ExportChart(Option<PathBuf>),
    /// Save the shown ledger table as CSV: to this file, or (`None`) where the user says.
    ExportTable(Option<PathBuf>),
    /// Save a flag's dispute packet as HTML: to this file, or (`None`) where the user says.
    ExportPacket {
        flag_id: String,
        path: Option<PathBuf>,
    },
    /// Save the billing CSV template: to this file, or (`None`) where the user says.
    SaveBillingTemplate(Option<PathBuf>),
    /// Open the form that adds a billing record by hand.
    OpenBillingForm,
    /// Close that form.
    CloseBillingForm,
    /// The path field (standing in for a file dialog) changed.
    SetPromptPath(String),
    /// Close the path field.
    ClosePathPrompt,
    /// Explain this error text (with the provider, when the user picked one); an empty text
    /// clears the question and its answer.
    Explain {
        text: String,
        provider: Option<String>,
    },
}

/// A change to the ledger the user asked for. Each is one transaction, applied on the views
/// thread (which then rebuilds the views), never while an import holds the ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LedgerCommand {
    /// Dismiss a flag with a note (kept in the ledger).
    DismissFlag {
        flag_id: String,
        note: String,
    },
    /// Add (or replace) a merchant rule and re-tag the bank lines with it.
    AddMerchantRule(MerchantRule),
    /// Remove the merchant rule with this pattern and re-tag the bank lines.
    RemoveMerchantRule(String),
    SetBudgets(Vec<Budget>),
    SetFlagParams(FlagParams),
    /// Store the user's decision on a pair, as `burnrate matches confirm|unlink` does.
    DecideMatch {
        left: String,
        right: String,
        decision: Decision,
    },
    /// Set (or replace) an account's auto-recharge.
    SaveAutoRecharge(AutoRecharge),
    /// Turn an account's auto-recharge off.
    RemoveAutoRecharge(AccountKey),
    /// Store the review's reporting currency (three ASCII letters, upper case).
    SetReportingCurrency(String),
    /// Store which agent log folders to import at start-up, and whether to.
    SetAgentFolders(crate::domain::agents::AgentFolders),
    /// Add a billing record typed in the window (imported as a one-row billing CSV).
    AddBillingRecord(billing_form::BillingEntry),
    /// Record the balance an account's billing page shows (a checkpoint: it anchors the
    /// balance), as `burnrate checkpoint add` does.
    AddCheckpoint {
        account: AccountKey,
        day: chrono::NaiveDate,
        amount: crate::domain::money::Amount,
        currency: crate::domain::money::Currency,
    },
    /// Remove a balance read off the billing page (`record` is its evidence id,
    /// `checkpoint:4`), as `burnrate checkpoint remove` does.
    RemoveCheckpoint {
        account: AccountKey,
        day: chrono::NaiveDate,
        record: String,
    },
}

/// What the user does with the import sheet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportAction {
    /// Open the native file dialog to pick files to import.
    PickFiles,
    /// Check these files (and the files in these folders) and show the import preview.
    QueueFiles(Vec<PathBuf>),
    /// Import the previewed files.
    Confirm,
    /// Close the preview (or the finished import summary) without importing.
    Close,
    /// Stop the running check or import.
    Cancel,
    /// Remove the records one import brought.
    Undo { source_file_id: i64 },
    /// Check the preview's file `file` again, reading its ambiguous dates in `order`.
    SetDateOrder { file: usize, order: DateOrder },
    /// Check the preview's file `file` again, its amounts in `currency` (a card statement that
    /// does not say its currency).
    SetCurrency { file: usize, currency: Currency },
    /// The mapping editor of the preview's file `file` changed: preview it.
    PreviewMapping { file: usize, mapping: BankMapping },
    /// Read the preview's file `file` with this mapping (checked again now; remembered for
    /// files with the same columns when the import runs).
    UseMapping { file: usize, mapping: BankMapping },
}

/// What the top bar shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopBarView {
    /// The ledger file shown.
    pub ledger: String,
    pub view: View,
    /// Open flags, shown beside the Flags view's name.
    pub open_flags: usize,
    /// Whether an import or check is running (import buttons wait).
    pub busy: bool,
    /// Whether the ledger is empty (the views are not offered yet).
    pub is_empty: bool,
}

/// The bar at the top: title, views, ledger and import button.
pub fn top_bar_ui(ui: &mut egui::Ui, view: &TopBarView, actions: &mut Vec<Action>) {
    ui.horizontal(|ui| {
        ui.heading("burnrate");
        ui.separator();
        if !view.is_empty {
            for (index, v) in View::ALL.into_iter().enumerate() {
                let text = if v == View::Flags && view.open_flags > 0 {
                    format!("{} ({})", v.label(), view.open_flags)
                } else {
                    v.label().to_string()
                };
                let tab = ui
                    .selectable_label(view.view == v, text)
                    .on_hover_text(format!("Ctrl+{}", index + 1));
                if tab.clicked() && view.view != v {
                    actions.push(Action::SetView(v));
                }
            }
            ui.separator();
        }
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            let import = ui
                .add_enabled(!view.busy, egui::Button::new("Import files..."))
                .on_hover_text("Ctrl+O, or drop files anywhere on the window");
            if import.clicked() {
                actions.push(Action::Import(ImportAction::PickFiles));
            }
            if ui
                .button("Explain an error")
                .on_hover_text("Paste an API or card error: is it a billing problem?")
                .clicked()
            {
                actions.push(Action::SetView(View::Flags));
                actions.push(Action::SetFlagsPanel(FlagsPanel::Explain));
            }
            if ui
                .button("Refresh")
                .on_hover_text(
                    "F5: read the ledger again (changes made by the command line also show by themselves)",
                )
                .clicked()
            {
                actions.push(Action::Refresh);
            }
            ui.add(
                egui::Label::new(
                    egui::RichText::new(&view.ledger)
                        .small()
                        .color(theme::weak(ui)),
                )
                .truncate(),
            )
            .on_hover_text(format!("The ledger file: {}", view.ledger));
        });
    });
}

/// The banner over the demo ledger, which is shown as of `as_of` (the last day of its files).
pub fn demo_banner_ui(ui: &mut egui::Ui, as_of: &str, actions: &mut Vec<Action>) {
    ui.horizontal(|ui| {
        ui.label(
            egui::RichText::new("You are looking at the demo ledger")
                .strong()
                .color(theme::banner_text(ui)),
        );
        ui.label(
            egui::RichText::new(format!(
                "- sample data as of {as_of}; nothing here is yours. Files you drop or import start your own ledger."
            ))
                .color(theme::banner_text(ui)),
        );
        if ui.button("Start my own ledger").clicked() {
            actions.push(Action::OpenOwnLedger);
        }
    });
}

/// The banner over a ledger that cannot be written (a backup drive, a shared folder): said
/// once, for as long as it is shown.
pub fn read_only_banner_ui(ui: &mut egui::Ui) {
    ui.horizontal(|ui| {
        ui.label(
            egui::RichText::new("This ledger is read-only")
                .strong()
                .color(theme::banner_text(ui)),
        );
        ui.label(
            egui::RichText::new(
                "- its file or folder cannot be written: you can look at everything, but nothing can be changed.",
            )
            .color(theme::banner_text(ui)),
        );
    });
}

/// A message for the user at the bottom of the window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub text: String,
    pub is_error: bool,
}

/// The message line at the bottom.
pub fn message_ui(ui: &mut egui::Ui, message: &Message, actions: &mut Vec<Action>) {
    ui.horizontal(|ui| {
        let color = if message.is_error {
            theme::error(ui)
        } else {
            ui.visuals().text_color()
        };
        if ui.small_button("Hide").clicked() {
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
