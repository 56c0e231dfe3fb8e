//! The window's state for the Flags view's panel, the monthly review and the chart export: what
//! [`super::App`] keeps beside the views thread's answers (which bring the top-up doctor, the
//! match review and the forecasts, built off the window's thread).
//!
//! The review reads the ledger on a short-lived thread of its own with its own connection, so
//! the window's thread never runs its queries; it is loaded again when the revision or the
//! picked month changes, never per frame.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, TryRecvError, channel};

use chrono::NaiveDate;

use super::review;
use super::screenshot::ChartExport;
use super::views_worker::LedgerViews;
use crate::domain::review::Review;
use crate::ui::FlagsPanel;
use crate::ui::review::ReviewView;

/// The review being shown or loaded.
#[derive(Default)]
pub struct ReviewState {
    /// The month picked (its first day); `None` until the user picks one: today's month.
    pub month: Option<NaiveDate>,
    /// The (revision, month) the shown review was loaded for.
    key: Option<(i64, NaiveDate)>,
    loading: Option<Receiver<Result<Review, String>>>,
    /// Shared with the Review view drawn every frame (never copied).
    review: Option<std::sync::Arc<Review>>,
    error: Option<String>,
}

/// What the window keeps for the top-ups, the review and the chart export.
#[derive(Default)]
pub struct Extras {
    pub flags_panel: FlagsPanel,
    /// The revision `months` was taken at.
    months_revision: Option<i64>,
    pub review: ReviewState,
    /// The months that can be reviewed, newest first (from the ledger views).
    months: Vec<NaiveDate>,
    /// The month of the latest usage, where the Review opens (from the ledger views).
    latest_usage_month: Option<NaiveDate>,
    pub chart_export: Option<ChartExport>,
    /// The "Explain an error" panel's question and answer.
    pub explain: super::explain::ExplainState,
    /// Actions queued from outside a frame ([`super::App::queue_action`]).
    pub queued: Vec<crate::ui::Action>,
}

impl Extras {
    /// Rebuilds what the ledger's new revision changed and takes the review thread's answer.
    /// `wants_review`: the Review view is shown (the review is loaded only then).
    pub fn refresh(
        &mut self,
        ledger: Option<&LedgerViews>,
        db: &Path,
        today: NaiveDate,
        wants_review: bool,
        wake: &egui::Context,
    ) {
        let Some(ledger) = ledger else {
            return;
        };
        if self.months_revision != Some(ledger.revision) {
            self.months.clone_from(&ledger.months);
            self.latest_usage_month = ledger.latest_usage_month;
            self.months_revision = Some(ledger.revision);
        }
        self.poll_review();
        let month = self.review_month(today);
        let key = (ledger.revision, month);
        if wants_review && self.review.key != Some(key) {
            self.review.key = Some(key);
            self.review.loading = Some(spawn_review(db.to_path_buf(), month, today, wake.clone()));
        }
    }

    fn poll_review(&mut self) {
        let Some(rx) = &self.review.loading else {
            return;
        };
        match rx.try_recv() {
            Ok(Ok(r)) => {
                self.review.review = Some(std::sync::Arc::new(r));
                self.review.error = None;
                self.review.loading = None;
            }
            Ok(Err(e)) => {
                self.review.error = Some(e);
                self.review.loading = None;
            }
            Err(TryRecvError::Empty) => {}
            Err(TryRecvError::Disconnected) => self.review.loading = None,
        }
    }

    /// The month reviewed: the one picked, else the latest with usage, else today's.
    pub fn review_month(&self, today: NaiveDate) -> NaiveDate {
        self.review
            .month
            .or(self.latest_usage_month)
            .unwrap_or_else(|| review::month_of(today))
    }

    /// Whether the review of the picked month is shown (not loading).
    pub fn review_ready(&self) -> bool {
        self.review.loading.is_none()
            && (self.review.review.is_some() || self.review.error.is_some())
    }

    /// The review shown, when it is the picked month's.
    pub fn review(&self, today: NaiveDate) -> Option<&Review> {
        self.shown_review(today).map(std::convert::AsRef::as_ref)
    }

    fn shown_review(&self, today: NaiveDate) -> Option<&std::sync::Arc<Review>> {
        let month = self.review_month(today);
        self.review.review.as_ref().filter(|r| r.month == month)
    }

    pub fn review_view(&self, today: NaiveDate) -> ReviewView {
        let month = self.review_month(today);
        let shown = self.shown_review(today).cloned();
        ReviewView {
            month: Some(month),
            months: self.months.clone(),
            error: if shown.is_none() {
                self.review.error.clone()
            } else {
                None
            },
            review: shown,
        }
    }

    /// Writes the shown review's HTML to `path`.
    ///
    /// # Errors
    /// When no review is shown yet or the file cannot be written.
    pub fn save_report(&self, path: &Path, today: NaiveDate) -> anyhow::Result<String> {
        let Some(r) = self.review(today) else {
            anyhow::bail!("the review is still being computed; save again in a moment");
        };
        review::save_html(r, path)?;
        Ok(format!(
            "Saved the review of {} to {}",
            r.month_label(),
            path.display()
        ))
    }

    /// The file name the save dialog proposes for the report.
    pub fn report_file_name(&self, today: NaiveDate) -> String {
        self.review(today).map_or_else(
            || "burnrate-review.html".to_string(),
            review::default_file_name,
        )
    }
}

/// Loads the review of `month` on a thread with its own connection.
fn spawn_review(
    db: PathBuf,
    month: NaiveDate,
    as_of: NaiveDate,
    wake: egui::Context,
) -> Receiver<Result<Review, String>> {
    let (tx, rx) = channel();
    let spawned = std::thread::Builder::new()
        .name("review".into())
        .spawn(move || {
            let result = crate::store::Store::open(&db)
                .map_err(anyhow::Error::from)
                .and_then(|store| crate::services::review::load_review(&store, month, as_of))
                .map_err(|e| {
                    format!(
                        "Could not compute the review of {}: {e:#}",
                        month.format("%Y-%m")
                    )
                });
            let _ = tx.send(result);
            wake.request_repaint();
        });
    if let Err(e) = spawned {
        let (tx, rx) = channel();
        let _ = tx.send(Err(format!("Could not start the review thread: {e}")));
        return rx;
    }
    rx
}
