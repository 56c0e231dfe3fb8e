//! Loading a month's review: the store's reads for the month, assembled as of a day and built by
//! `domain::review`. The window's Review view and `burnrate report --month M --review|--html`
//! both call [`load_review`], so they agree to the cent.

use chrono::NaiveDate;

use crate::domain::review::{self, Review};
use crate::domain::review_report;
use crate::store::Store;

/// The review of `month` (its first day) as of `as_of`.
///
/// # Errors
/// When the ledger cannot be read, or a total is too large to add up exactly.
pub fn load_review(store: &Store, month: NaiveDate, as_of: NaiveDate) -> anyhow::Result<Review> {
    let sources = store.review_sources(month)?;
    let inputs = review_report::review_inputs(sources, as_of);
    let currency = store.reporting_currency()?;
    Ok(review::build(&inputs, month, as_of, currency)?)
}
