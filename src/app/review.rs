//! The Review view's data: the months that can be reviewed, the review of one month (computed by
//! `domain::review` from the same store reads and the same assembly as
//! `burnrate report --month M`, so the window and the command line agree to the cent), and the
//! HTML report written from it (`domain::review_report::render`, the CLI's `--html` file).
//!
//! Called when the ledger's revision or the picked month changes, never per frame; the view
//! worker can call [`load`] with its own connection.

use std::path::Path;

use anyhow::Context as _;
use chrono::{Datelike, NaiveDate};

use crate::domain::ledger::Snapshot;
use crate::domain::review::Review;
use crate::domain::review_report;

/// The first day of the month `day` falls in.
pub fn month_of(day: NaiveDate) -> NaiveDate {
    day.with_day(1).unwrap_or(day)
}

/// The months with usage, billing or bank lines up to `today` (and today's month), newest
/// first.
pub fn months(inputs: &Snapshot, today: NaiveDate) -> Vec<NaiveDate> {
    let mut all: Vec<NaiveDate> = inputs
        .usage
        .iter()
        .map(|u| u.day)
        .chain(inputs.billing.iter().map(|b| b.day))
        .chain(inputs.bank_days().map(|(_, day)| day))
        .filter(|d| *d <= today)
        .map(month_of)
        .chain([month_of(today)])
        .collect();
    all.sort_unstable_by(|a, b| b.cmp(a));
    all.dedup();
    all
}

/// The month of the latest usage up to `today`: where the Review opens when no month is
/// picked, so that a ledger whose data ends before today does not open on an empty month.
pub fn latest_usage_month(inputs: &Snapshot, today: NaiveDate) -> Option<NaiveDate> {
    inputs
        .usage
        .iter()
        .map(|u| u.day)
        .filter(|d| *d <= today)
        .max()
        .map(month_of)
}

/// Writes the review's HTML report to `path`.
///
/// # Errors
/// When the file cannot be written.
pub fn save_html(review: &Review, path: &Path) -> anyhow::Result<()> {
    let html = review_report::render(review, &review_report::tables(review));
    crate::store::write_private(path, html.as_bytes())
        .with_context(|| format!("could not write the report: {}", path.display()))
}

/// The file name the save dialog proposes.
pub fn default_file_name(review: &Review) -> String {
    format!("burnrate-review-{}.html", review.month_label())
}
