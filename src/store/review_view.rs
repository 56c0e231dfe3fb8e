//! What the monthly review reads from the ledger: usage cost per day, provider, project and
//! model for a month and the month before, the ECB rates those days need, and the reporting
//! currency setting.
//!
//! Loads plain domain inputs only; the review itself is computed by `domain::review`. Usage
//! follows the rule of every report (organisation-wide total rows are left out on days that
//! have detailed rows), sums are done by SQLite in integers (an overflow is an error, never a
//! wrap), and currencies are upper-cased on the way out.

use chrono::{Datelike, Days, Months, NaiveDate};
use rusqlite::params;

use super::groups::Groups;
use super::sql::{PROJECT, ascii_upper, parse_day};
use super::{Store, StoreError};
use crate::domain::fx::{RATE_LOOKBACK_DAYS, Rate};
use crate::domain::money::{Amount, Currency};
use crate::domain::review::UsageCost;
use crate::domain::review_report::ReviewSources;

/// The settings key of the reporting currency.
pub const REPORTING_CURRENCY_KEY: &str = "reporting_currency";
/// The reporting currency when none is set.
pub const DEFAULT_REPORTING_CURRENCY: Currency = Currency::USD;

/// The days a review of `month` reads: from the first day of the month before to the last day
/// of the month.
fn review_span(month: NaiveDate) -> Result<(NaiveDate, NaiveDate), StoreError> {
    let bad = || StoreError::Invalid(format!("there is no month around {month}"));
    let first = month.with_day(1).ok_or_else(bad)?;
    let from = first.checked_sub_months(Months::new(1)).ok_or_else(bad)?;
    let to = first
        .checked_add_months(Months::new(1))
        .and_then(|d| d.pred_opt())
        .ok_or_else(bad)?;
    Ok((from, to))
}

/// The usage costs of the day `day` (as stored), sorted by provider, project, model and
/// currency, added to `out`.
fn day_costs(day: &str, groups: Groups<4>, out: &mut Vec<UsageCost>) -> Result<(), StoreError> {
    let day = parse_day(day)?;
    out.extend(
        groups.sorted_with(|[provider, project, model, currency], nanos| UsageCost {
            day,
            provider: provider.to_string(),
            project: project.to_string(),
            model: model.to_string(),
            currency: Currency::parse_stored(currency),
            cost: Amount::from_nanos(nanos),
        })?,
    );
    Ok(())
}

impl Store {
    /// The reporting currency (`reporting_currency` setting, upper-cased; USD when unset).
    ///
    /// # Errors
    /// On a SQLite failure.
    pub fn reporting_currency(&self) -> Result<Currency, StoreError> {
        Ok(self
            .setting(REPORTING_CURRENCY_KEY)?
            .and_then(|c| Currency::parse(&c).ok())
            .unwrap_or(DEFAULT_REPORTING_CURRENCY))
    }

    /// Makes `currency` the reporting currency.
    ///
    /// # Errors
    /// On a SQLite failure.
    pub fn set_reporting_currency(&self, currency: Currency) -> Result<(), StoreError> {
        self.set_setting(REPORTING_CURRENCY_KEY, &currency)
    }

    /// What the ledger holds for the review of `month`: the flag inputs and thresholds, the ids
    /// of the dismissed flags, and the usage and rates of `month` and the month before (the
    /// window and `report --review` load the same).
    ///
    /// # Errors
    /// On a SQLite failure or a total too large to add up.
    pub fn review_sources(&self, month: NaiveDate) -> Result<ReviewSources, StoreError> {
        // The month's usage, the settings and the rates are read while a second connection
        // reads usage per project, all from one revision of the ledger.
        let (snapshot, (params, dismissed, usage, rates)) = self.snapshot_and(|store| {
            Ok((
                store.flag_params()?,
                store
                    .dismissed_flags()?
                    .into_iter()
                    .map(|d| d.flag_id)
                    .collect(),
                store.review_usage(month)?,
                store.review_rates(month)?,
            ))
        })?;
        Ok(ReviewSources {
            snapshot,
            params,
            dismissed,
            usage,
            rates,
        })
    }

    /// Usage cost per day, provider, project (name, else id) and model, for the month `month`
    /// falls in and the month before.
    ///
    /// # Errors
    /// On a SQLite failure or a total too large to add up.
    pub fn review_usage(&self, month: NaiveDate) -> Result<Vec<UsageCost>, StoreError> {
        let (from, to) = review_span(month)?;
        // The daily sums come by day (their key's order), and the result is sorted by day
        // first: each day's groups are summed and sorted apart, a few hundred at a time.
        let sql = format!(
            "SELECT day, provider, {PROJECT}, model, currency, cost_nanos
             FROM usage_counted WHERE day BETWEEN ?1 AND ?2 ORDER BY day"
        );
        let mut out = Vec::new();
        let mut groups = Groups::<4>::new();
        let mut day: Option<String> = None;
        let mut upper = String::new();
        let mut stmt = self.conn().prepare_cached(&sql)?;
        let mut rows = stmt.query(params![from.to_string(), to.to_string()])?;
        while let Some(r) = rows.next()? {
            let text = |i| r.get_ref(i)?.as_str().map_err(rusqlite::Error::from);
            let this_day = text(0)?;
            if day.as_deref() != Some(this_day)
                && let Some(done) = day.replace(this_day.to_string())
            {
                day_costs(
                    &done,
                    std::mem::replace(&mut groups, Groups::new()),
                    &mut out,
                )?;
            }
            let currency = ascii_upper(text(4)?, &mut upper);
            groups.add([text(1)?, text(2)?, text(3)?, currency], r.get(5)?)?;
        }
        if let Some(done) = day {
            day_costs(&done, groups, &mut out)?;
        }
        Ok(out)
    }

    /// The ECB rates a review of `month` may need (the month before included, and the days
    /// before it a lookup may fall back to).
    ///
    /// # Errors
    /// On a SQLite failure.
    pub fn review_rates(&self, month: NaiveDate) -> Result<Vec<Rate>, StoreError> {
        let (from, to) = review_span(month)?;
        let from = from
            .checked_sub_days(Days::new(RATE_LOOKBACK_DAYS))
            .unwrap_or(from);
        let mut stmt = self.conn().prepare_cached(
            "SELECT day, upper(currency), per_euro_nanos FROM fx_rates
             WHERE day BETWEEN ?1 AND ?2 ORDER BY day, currency",
        )?;
        let rows = stmt.query_map(params![from.to_string(), to.to_string()], |r| {
            Ok(Rate {
                day: parse_day(&r.get::<_, String>(0)?)?,
                currency: r.get(1)?,
                per_euro: Amount::from_nanos(r.get(2)?),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn span_covers_the_month_before() {
        let d = |t: &str| NaiveDate::parse_from_str(t, "%Y-%m-%d").unwrap();
        assert_eq!(
            review_span(d("2026-03-17")).unwrap(),
            (d("2026-02-01"), d("2026-03-31"))
        );
        let store = Store::open_in_memory().unwrap();
        assert_eq!(store.reporting_currency().unwrap(), "USD");
        store.set_setting(REPORTING_CURRENCY_KEY, " eur ").unwrap();
        assert_eq!(store.reporting_currency().unwrap(), "EUR");
        store
            .set_reporting_currency(Currency::parse(" gbp").unwrap())
            .unwrap();
        assert_eq!(store.reporting_currency().unwrap(), "GBP");
        store.set_setting(REPORTING_CURRENCY_KEY, "EURO").unwrap();
        assert_eq!(
            store.reporting_currency().unwrap(),
            "USD",
            "a damaged setting reads as the default"
        );
        assert!(store.review_usage(d("2026-03-01")).unwrap().is_empty());
        assert!(store.review_rates(d("2026-03-01")).unwrap().is_empty());
    }
}
