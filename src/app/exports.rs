//! Files the window reads and writes for the user, and where their paths come from: the
//! platform's file dialog, or, where there is none (no desktop portal, no zenity), a path
//! field ([`PathPromptView`]) so the button never does nothing. A path a test gives skips both.
//!
//! Written here: the monthly review (HTML), the cost chart (PNG), the billing CSV template and
//! the shown ledger table (CSV, written on the views thread from the rows the filters and the
//! search let through).

use std::path::PathBuf;
use std::time::{Duration, Instant};

use super::App;
use super::screenshot::ChartExport;
use crate::services::export::Table;
use crate::ui::path_prompt::{PathFor, PathPromptView};
use crate::ui::{self, Tab};

/// The billing CSV template: one row of each kind, to fill from a provider's billing page.
const BILLING_TEMPLATE: &str = include_str!("../../assets/billing-template.csv");

/// A dialog that returns nothing sooner than this did not open (a person takes longer to
/// cancel one).
const DIALOG_FAILED_WITHIN: Duration = Duration::from_millis(250);

impl App {
    /// The paths for `purpose`: the platform's dialog when it opens, else `None` after opening
    /// the path field (its answer comes back as the purpose's action with a path).
    fn choose_paths(&mut self, purpose: PathFor, file_name: &str) -> Option<Vec<PathBuf>> {
        let why = if self.config.native_dialogs {
            let started = Instant::now();
            let picked = native_dialog(&purpose, file_name);
            if picked.is_some() {
                return picked;
            }
            if started.elapsed() >= DIALOG_FAILED_WITHIN {
                // The user closed the dialog.
                return None;
            }
            "The file dialog could not be opened on this system (it needs a desktop portal or zenity). Type or paste the path instead."
        } else {
            "There is no file dialog here. Type or paste the path instead."
        };
        let folder = dirs::home_dir().unwrap_or_default();
        let text = if file_name.is_empty() {
            format!("{}{}", folder.display(), std::path::MAIN_SEPARATOR)
        } else {
            folder.join(file_name).display().to_string()
        };
        self.path_prompt = Some(PathPromptView {
            purpose,
            why: why.to_string(),
            text,
        });
        None
    }

    fn choose_path(&mut self, purpose: PathFor, file_name: &str) -> Option<PathBuf> {
        self.choose_paths(purpose, file_name)
            .and_then(|paths| paths.into_iter().next())
    }

    /// "Import files...": the files picked (or typed) are checked for the preview.
    pub(super) fn pick_files(&mut self, ctx: &egui::Context) {
        if self.sheet.is_busy() {
            return;
        }
        if let Some(paths) = self.choose_paths(PathFor::Import, "") {
            self.queue_files(paths, ctx);
        }
    }

    /// Saves the review as HTML to `path`, or where the user says.
    pub(super) fn save_report(&mut self, path: Option<PathBuf>) {
        let today = self.today();
        let name = self.extras.report_file_name(today);
        let Some(path) = path.or_else(|| self.choose_path(PathFor::SaveReport, &name)) else {
            return;
        };
        match self.extras.save_report(&path, today) {
            Ok(text) => self.tell(&text, false),
            Err(e) => self.tell(&format!("{e:#}"), true),
        }
    }

    /// Asks for a screenshot to crop to the chart, saved to `path` or where the user says.
    pub(super) fn export_chart(&mut self, path: Option<PathBuf>, ctx: &egui::Context) {
        let Some(rect) = ctx.data(|d| d.get_temp::<egui::Rect>(ui::chart::chart_rect_id())) else {
            self.tell("Show the dashboard's chart first, then export it.", true);
            return;
        };
        let Some(path) =
            path.or_else(|| self.choose_path(PathFor::ExportChart, "burnrate-chart.png"))
        else {
            return;
        };
        self.extras.chart_export = Some(ChartExport::request(ctx, path, rect));
    }

    pub(super) fn poll_chart_export(&mut self, ctx: &egui::Context) {
        let Some(export) = &self.extras.chart_export else {
            return;
        };
        let Some(result) = export.poll(ctx.pixels_per_point()) else {
            return;
        };
        self.extras.chart_export = None;
        match result {
            Ok(path) => self.tell(&format!("Saved the chart to {}", path.display()), false),
            Err(e) => self.tell(&e, true),
        }
    }

    /// Writes the dispute packet of the flag `flag_id` to `path`, or where the user says; on
    /// the views thread (it judges the ledger as of today, as `burnrate flags export` does).
    pub(super) fn export_packet(&mut self, flag_id: String, path: Option<PathBuf>) {
        let name = format!("burnrate-dispute-{}.html", file_safe(&flag_id));
        let Some(path) =
            path.or_else(|| self.choose_path(PathFor::DisputePacket(flag_id.clone()), &name))
        else {
            return;
        };
        let Some(views) = &mut self.views else {
            return;
        };
        if let Err(e) = views.export_packet(flag_id, path) {
            self.tell(&e, true);
        }
    }

    /// Writes the billing CSV template to `path`, or where the user says.
    pub(super) fn save_billing_template(&mut self, path: Option<PathBuf>) {
        let Some(path) =
            path.or_else(|| self.choose_path(PathFor::BillingTemplate, "burnrate-billing.csv"))
        else {
            return;
        };
        match crate::store::write_private(&path, BILLING_TEMPLATE.as_bytes()) {
            Ok(()) => self.tell(
                &format!(
                    "Saved the billing template to {}: replace its example rows with your top-ups, free credits, subscriptions and invoices, then drop it here.",
                    path.display()
                ),
                false,
            ),
            Err(e) => self.tell(
                &format!("Could not write the template ({e}): {}", path.display()),
                true,
            ),
        }
    }

    /// Writes the shown ledger table (the rows its filters and search let through, in the
    /// order shown) as CSV to `path`, or where the user says; on the views thread.
    pub(super) fn export_table(&mut self, path: Option<PathBuf>) {
        let Some(shown) = self.cache.table.clone() else {
            self.tell("Open the ledger's table first, then export it.", true);
            return;
        };
        let table = match shown.tab {
            Tab::Usage => Table::Usage,
            Tab::Billing => Table::Billing,
            Tab::Bank => Table::Bank,
            Tab::Imports | Tab::Agents => {
                self.tell(
                    "Export CSV works on the usage, billing and bank line tables.",
                    true,
                );
                return;
            }
        };
        let Some(ids) = shown.ids.clone() else {
            return;
        };
        let Some(path) = path.or_else(|| self.choose_path(PathFor::ExportTable, table.file_name()))
        else {
            return;
        };
        let Some(views) = &mut self.views else {
            return;
        };
        if let Err(e) = views.export(table, ids, path) {
            self.tell(&e, true);
        }
    }
}

/// The platform's dialog for `purpose` (`None`: closed, or none could be opened).
fn native_dialog(purpose: &PathFor, file_name: &str) -> Option<Vec<PathBuf>> {
    let dialog = rfd::FileDialog::new().set_title(purpose.title());
    match purpose {
        PathFor::Import => dialog
            .add_filter(
                "Exports, statements and receipts",
                &[
                    "csv", "CSV", "txt", "TXT", "eml", "mbox", "pdf", "PDF", "jsonl",
                ],
            )
            .add_filter("All files", &["*"])
            .pick_files(),
        PathFor::SaveReport | PathFor::DisputePacket(_) => dialog
            .set_file_name(file_name)
            .add_filter("HTML", &["html"])
            .save_file()
            .map(|p| vec![p]),
        PathFor::ExportChart => dialog
            .set_file_name(file_name)
            .add_filter("PNG image", &["png"])
            .save_file()
            .map(|p| vec![p]),
        PathFor::ExportTable | PathFor::BillingTemplate => dialog
            .set_file_name(file_name)
            .add_filter("CSV", &["csv"])
            .save_file()
            .map(|p| vec![p]),
    }
}

/// A flag id as part of a file name (`duplicate_topup:openai:2026-10-19` ->
/// `duplicate_topup-openai-2026-10-19`).
fn file_safe(id: &str) -> String {
    id.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect()
}
