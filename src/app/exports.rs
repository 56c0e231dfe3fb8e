//! Files the window writes for the user: the monthly review as HTML and the cost chart as PNG,
//! to a path a test gives or where the platform's save dialog says.

use std::path::PathBuf;

use super::App;
use super::screenshot::ChartExport;
use crate::ui;

impl App {
    /// Saves the review as HTML to `path`, or where the save dialog says.
    pub(super) fn save_report(&mut self, path: Option<PathBuf>) {
        let today = self.config.today;
        let path = match path {
            Some(p) => p,
            None if self.config.native_dialogs => {
                let Some(p) = rfd::FileDialog::new()
                    .set_title("Save the monthly review")
                    .set_file_name(self.extras.report_file_name(today))
                    .add_filter("HTML", &["html"])
                    .save_file()
                else {
                    return;
                };
                p
            }
            None => return,
        };
        match self.extras.save_report(&path, today) {
            Ok(text) => self.tell(&text, false),
            Err(e) => self.tell(&format!("{e:#}"), true),
        }
    }

    /// Asks for a screenshot to crop to the chart, saved to `path` or where the dialog says.
    pub(super) fn export_chart(&mut self, path: Option<PathBuf>, ctx: &egui::Context) {
        let Some(rect) = ctx.data(|d| d.get_temp::<egui::Rect>(ui::chart::chart_rect_id())) else {
            self.tell("Show the dashboard's chart first, then export it.", true);
            return;
        };
        let path = match path {
            Some(p) => p,
            None if self.config.native_dialogs => {
                let Some(p) = rfd::FileDialog::new()
                    .set_title("Export the chart as PNG")
                    .set_file_name("burnrate-chart.png")
                    .add_filter("PNG image", &["png"])
                    .save_file()
                else {
                    return;
                };
                p
            }
            None => return,
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
}
