//! Read-only views for the desktop window: key figures, the cost series of the chart and pages
//! of the ledger tables.
//!
//! Every query aggregates in SQL or reads one page (`LIMIT`/`OFFSET`) of a table, so the window
//! never loads every record. The window calls these only when the ledger's revision or a filter
//! changes, never once per frame. Sums stay exact integers; the chart converts to floats itself.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use rusqlite::named_params;

use super::{Period, ReportGroup, ReportWhat, Store, StoreError};
use crate::domain::money::Amount;

/// An exact amount and its currency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Money {
    pub amount: Amount,
    pub currency: String,
}

/// Totals of one figure, one per currency (most ledgers hold only one), largest first.
pub type Totals = Vec<Money>;

/// The strip of key figures at the top of the dashboard.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyFigures {
    /// The calendar month `today` falls in, `YYYY-MM`.
    pub month_label: String,
    pub usage_this_month: Totals,
    pub usage_last_month: Totals,
    pub usage_total: Totals,
    /// Settled money that left bank and card accounts for AI services this month.
    pub paid_this_month: Totals,
    /// Credits bought and granted, all time.
    pub credits_bought: Totals,
    pub usage_records: i64,
    pub billing_records: i64,
    pub bank_lines: i64,
}

/// How the chart splits usage cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum SeriesGroup {
    #[default]
    Project,
    Model,
}

/// How wide one bar of the chart is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum Bucket {
    #[default]
    Day,
    Week,
    Month,
}

/// One stacked layer of the chart: a project or a model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Series {
    pub name: String,
    /// One value per bucket of [`CostSeries::buckets`].
    pub values: Vec<Amount>,
}

/// Usage cost per bucket and group, in one currency.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CostSeries {
    /// The first day of each bucket, oldest first, without gaps.
    pub buckets: Vec<NaiveDate>,
    /// Largest total first; small groups beyond the first few are merged into "other".
    pub series: Vec<Series>,
    pub currency: String,
    /// Currencies left out of the chart (it shows one currency).
    pub other_currencies: Vec<String>,
}

/// The largest number of named series before the rest become "other".
const MAX_SERIES: usize = 7;

/// One usage record as the table shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageRow {
    pub id: i64,
    pub day: String,
    pub provider: String,
    pub project: String,
    pub model: String,
    pub token_kind: String,
    pub tokens: Option<i64>,
    pub cost: Option<Amount>,
    pub currency: String,
}

/// One billing record as the table shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BillingRow {
    pub id: i64,
    pub day: String,
    pub provider: String,
    pub kind: String,
    pub number: String,
    pub status: String,
    pub amount: Amount,
    pub currency: String,
    pub description: String,
}

/// One bank or card line as the table shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BankRow {
    pub id: i64,
    pub day: String,
    pub account: String,
    pub description: String,
    pub amount: Amount,
    pub currency: String,
    pub status: String,
    /// The AI service the line paid, when tagged.
    pub provider: String,
    pub spend_kind: String,
}

/// The text a search box holds, as a `LIKE` pattern (`''` matches everything).
fn like_pattern(search: &str) -> String {
    let term = search.trim();
    if term.is_empty() {
        return String::new();
    }
    let mut escaped = String::with_capacity(term.len() + 2);
    escaped.push('%');
    for c in term.chars() {
        if matches!(c, '%' | '_' | '\\') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped.push('%');
    escaped
}

fn add_to(
    totals: &mut BTreeMap<String, Amount>,
    currency: &str,
    amount: Amount,
) -> Result<(), StoreError> {
    let slot = totals.entry(currency.to_string()).or_insert(Amount::ZERO);
    *slot = slot.checked_add(amount).ok_or(StoreError::Overflow)?;
    Ok(())
}

fn sorted_totals(totals: BTreeMap<String, Amount>) -> Totals {
    let mut out: Totals = totals
        .into_iter()
        .map(|(currency, amount)| Money { amount, currency })
        .collect();
    out.sort_by(|a, b| {
        b.amount
            .abs()
            .cmp(&a.amount.abs())
            .then(a.currency.cmp(&b.currency))
    });
    out
}

/// The first day of the bucket `day` falls in.
pub fn bucket_start(day: NaiveDate, bucket: Bucket) -> NaiveDate {
    match bucket {
        Bucket::Day => day,
        Bucket::Week => day - chrono::Days::new(u64::from(day.weekday().num_days_from_monday())),
        Bucket::Month => day.with_day(1).unwrap_or(day),
    }
}

fn next_bucket(start: NaiveDate, bucket: Bucket) -> Option<NaiveDate> {
    match bucket {
        Bucket::Day => start.succ_opt(),
        Bucket::Week => start.checked_add_days(chrono::Days::new(7)),
        Bucket::Month => start.checked_add_months(chrono::Months::new(1)),
    }
}

/// The first day of every bucket from `from` to `to`, without gaps.
fn bucket_starts(from: NaiveDate, to: NaiveDate, bucket: Bucket) -> Vec<NaiveDate> {
    let mut buckets = Vec::new();
    let mut start = bucket_start(from, bucket);
    while start <= to {
        buckets.push(start);
        let Some(next) = next_bucket(start, bucket) else {
            break;
        };
        start = next;
    }
    buckets
}

/// The series, largest total first, with those beyond [`MAX_SERIES`] merged into "other".
fn largest_first(
    by_group: BTreeMap<String, Vec<Amount>>,
    bucket_count: usize,
) -> Result<Vec<Series>, StoreError> {
    let mut series = by_group
        .into_iter()
        .map(|(name, values)| {
            let total = crate::domain::money::checked_sum(values.iter().copied())
                .ok_or(StoreError::Overflow)?;
            Ok((total, Series { name, values }))
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    series.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.name.cmp(&b.1.name)));
    let mut kept: Vec<Series> = Vec::new();
    let mut other: Option<Series> = None;
    for (index, (_, s)) in series.into_iter().enumerate() {
        if index < MAX_SERIES {
            kept.push(s);
            continue;
        }
        let slot = other.get_or_insert_with(|| Series {
            name: "other".into(),
            values: vec![Amount::ZERO; bucket_count],
        });
        for (sum, value) in slot.values.iter_mut().zip(s.values) {
            *sum = sum.checked_add(value).ok_or(StoreError::Overflow)?;
        }
    }
    kept.extend(other);
    Ok(kept)
}

/// Usage rows that count toward totals: organisation-wide totals are left out on days that also
/// have detailed rows (the same rule as [`Store::report`]).
const COUNTED_USAGE: &str = "cost_nanos IS NOT NULL
    AND NOT (grain = 'total' AND EXISTS (
        SELECT 1 FROM usage d WHERE d.provider = u.provider AND d.organization_id = u.organization_id
          AND d.day = u.day AND d.grain = 'detail' AND d.cost_nanos IS NOT NULL))";

impl Store {
    /// The key figures as of `today`.
    ///
    /// # Errors
    /// On a ledger (`SQLite`) failure or a total too large to add up.
    pub fn key_figures(&self, today: NaiveDate) -> Result<KeyFigures, StoreError> {
        let this_month = today.format("%Y-%m").to_string();
        let last_month = today
            .with_day(1)
            .and_then(|d| d.checked_sub_months(chrono::Months::new(1)))
            .map(|d| d.format("%Y-%m").to_string())
            .unwrap_or_default();
        let month = |label: &str| Period::month(label).unwrap_or_else(Period::all);
        let total =
            |what: ReportWhat, group: ReportGroup, period: &Period| -> Result<Totals, StoreError> {
                let mut sums = BTreeMap::new();
                for row in self.report(what, group, period)? {
                    add_to(&mut sums, &row.currency, row.amount)?;
                }
                Ok(sorted_totals(sums))
            };
        let (usage_records, billing_records, bank_lines, _) = self.counts()?;
        Ok(KeyFigures {
            month_label: this_month.clone(),
            usage_this_month: total(
                ReportWhat::Usage,
                ReportGroup::Provider,
                &month(&this_month),
            )?,
            usage_last_month: total(
                ReportWhat::Usage,
                ReportGroup::Provider,
                &month(&last_month),
            )?,
            usage_total: total(ReportWhat::Usage, ReportGroup::Provider, &Period::all())?,
            paid_this_month: total(ReportWhat::Paid, ReportGroup::Provider, &month(&this_month))?,
            credits_bought: total(ReportWhat::Credits, ReportGroup::Kind, &Period::all())?,
            usage_records,
            billing_records,
            bank_lines,
        })
    }

    /// Usage cost per bucket and project or model, from `from` to `to` inclusive, in the
    /// ledger's main currency (the one with the most cost).
    ///
    /// # Errors
    /// On a ledger (`SQLite`) failure or a total too large to add up.
    pub fn cost_series(
        &self,
        group: SeriesGroup,
        bucket: Bucket,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<CostSeries, StoreError> {
        let sql_project = format!(
            "SELECT day, CASE WHEN project_name != '' THEN project_name WHEN project_id != '' THEN project_id ELSE '(none)' END AS g,
                    currency, SUM(cost_nanos)
             FROM usage u WHERE day BETWEEN :from AND :to AND {COUNTED_USAGE}
             GROUP BY day, g, currency"
        );
        let sql_model = format!(
            "SELECT day, CASE WHEN model != '' THEN model ELSE '(none)' END AS g, currency, SUM(cost_nanos)
             FROM usage u WHERE day BETWEEN :from AND :to AND {COUNTED_USAGE}
             GROUP BY day, g, currency"
        );
        let sql = match group {
            SeriesGroup::Project => sql_project,
            SeriesGroup::Model => sql_model,
        };
        let mut stmt = self.conn().prepare_cached(&sql)?;
        let rows = stmt
            .query_map(
                named_params! {":from": from.to_string(), ":to": to.to_string()},
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, i64>(3)?,
                    ))
                },
            )?
            .collect::<Result<Vec<_>, _>>()?;

        let mut per_currency: BTreeMap<String, Amount> = BTreeMap::new();
        for (_, _, currency, nanos) in &rows {
            add_to(
                &mut per_currency,
                currency,
                Amount::from_nanos(*nanos).abs(),
            )?;
        }
        let currency = per_currency
            .iter()
            .max_by_key(|(_, amount)| **amount)
            .map_or_else(|| "USD".to_string(), |(c, _)| c.clone());
        let other_currencies = per_currency
            .keys()
            .filter(|c| **c != currency)
            .cloned()
            .collect();

        let buckets = bucket_starts(from, to, bucket);
        let index_of = |day: NaiveDate| buckets.binary_search(&bucket_start(day, bucket)).ok();
        let mut by_group: BTreeMap<String, Vec<Amount>> = BTreeMap::new();
        for (day, name, row_currency, nanos) in rows {
            if row_currency != currency {
                continue;
            }
            let Some(index) = NaiveDate::parse_from_str(&day, "%Y-%m-%d")
                .ok()
                .and_then(index_of)
            else {
                continue;
            };
            let values = by_group
                .entry(name)
                .or_insert_with(|| vec![Amount::ZERO; buckets.len()]);
            if let Some(slot) = values.get_mut(index) {
                *slot = slot
                    .checked_add(Amount::from_nanos(nanos))
                    .ok_or(StoreError::Overflow)?;
            }
        }
        let mut kept = largest_first(by_group, buckets.len())?;
        // Start at the first bucket with cost: a window reaching back before the ledger's first
        // day would only show empty buckets.
        let first_used = (0..buckets.len())
            .find(|i| {
                kept.iter()
                    .any(|s| s.values.get(*i).is_some_and(|v| !v.is_zero()))
            })
            .unwrap_or(0);
        let mut buckets = buckets;
        buckets.drain(..first_used);
        for s in &mut kept {
            s.values.drain(..first_used.min(s.values.len()));
        }
        Ok(CostSeries {
            buckets,
            series: kept,
            currency,
            other_currencies,
        })
    }

    /// The first and last day with usage cost, if any.
    ///
    /// # Errors
    /// On a ledger (`SQLite`) failure.
    pub fn usage_day_range(&self) -> Result<Option<(NaiveDate, NaiveDate)>, StoreError> {
        let (first, last): (Option<String>, Option<String>) = self.conn().query_row(
            "SELECT MIN(day), MAX(day) FROM usage WHERE cost_nanos IS NOT NULL",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let parse =
            |d: Option<String>| d.and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok());
        Ok(parse(first).zip(parse(last)))
    }

    /// How many usage records match the search.
    ///
    /// # Errors
    /// On a ledger (`SQLite`) failure.
    pub fn usage_count(&self, search: &str) -> Result<usize, StoreError> {
        let n: i64 = self.conn().prepare_cached(
            "SELECT count(*) FROM usage WHERE :q = '' OR provider LIKE :q ESCAPE '\\' OR project_name LIKE :q ESCAPE '\\'
               OR project_id LIKE :q ESCAPE '\\' OR model LIKE :q ESCAPE '\\' OR line_item LIKE :q ESCAPE '\\' OR day LIKE :q ESCAPE '\\'",
        )?
        .query_row(named_params! {":q": like_pattern(search)}, |r| r.get(0))?;
        Ok(usize::try_from(n).unwrap_or(0))
    }

    /// One page of usage records matching the search, newest day first.
    ///
    /// # Errors
    /// On a ledger (`SQLite`) failure.
    pub fn usage_page(
        &self,
        search: &str,
        offset: usize,
        limit: usize,
    ) -> Result<Vec<UsageRow>, StoreError> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT id, day, provider,
                    CASE WHEN project_name != '' THEN project_name ELSE project_id END,
                    model, token_kind, tokens, cost_nanos, currency
             FROM usage
             WHERE :q = '' OR provider LIKE :q ESCAPE '\\' OR project_name LIKE :q ESCAPE '\\'
               OR project_id LIKE :q ESCAPE '\\' OR model LIKE :q ESCAPE '\\' OR line_item LIKE :q ESCAPE '\\' OR day LIKE :q ESCAPE '\\'
             ORDER BY day DESC, id DESC LIMIT :limit OFFSET :offset",
        )?;
        let rows = stmt.query_map(
            named_params! {
                ":q": like_pattern(search),
                ":limit": i64::try_from(limit).unwrap_or(i64::MAX),
                ":offset": i64::try_from(offset).unwrap_or(i64::MAX),
            },
            |r| {
                Ok(UsageRow {
                    id: r.get(0)?,
                    day: r.get(1)?,
                    provider: r.get(2)?,
                    project: r.get(3)?,
                    model: r.get(4)?,
                    token_kind: r.get(5)?,
                    tokens: r.get(6)?,
                    cost: r.get::<_, Option<i64>>(7)?.map(Amount::from_nanos),
                    currency: r.get(8)?,
                })
            },
        )?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// How many billing records match the search.
    ///
    /// # Errors
    /// On a ledger (`SQLite`) failure.
    pub fn billing_count(&self, search: &str) -> Result<usize, StoreError> {
        let n: i64 = self.conn().prepare_cached(
            "SELECT count(*) FROM billing WHERE :q = '' OR provider LIKE :q ESCAPE '\\' OR kind LIKE :q ESCAPE '\\'
               OR number LIKE :q ESCAPE '\\' OR description LIKE :q ESCAPE '\\' OR project LIKE :q ESCAPE '\\' OR day LIKE :q ESCAPE '\\'",
        )?
        .query_row(named_params! {":q": like_pattern(search)}, |r| r.get(0))?;
        Ok(usize::try_from(n).unwrap_or(0))
    }

    /// One page of billing records matching the search, newest first.
    ///
    /// # Errors
    /// On a ledger (`SQLite`) failure.
    pub fn billing_page(
        &self,
        search: &str,
        offset: usize,
        limit: usize,
    ) -> Result<Vec<BillingRow>, StoreError> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT id, day, provider, kind, number, status, amount_nanos, currency, description
             FROM billing
             WHERE :q = '' OR provider LIKE :q ESCAPE '\\' OR kind LIKE :q ESCAPE '\\'
               OR number LIKE :q ESCAPE '\\' OR description LIKE :q ESCAPE '\\' OR project LIKE :q ESCAPE '\\' OR day LIKE :q ESCAPE '\\'
             ORDER BY occurred_at DESC, id DESC LIMIT :limit OFFSET :offset",
        )?;
        let rows = stmt.query_map(
            named_params! {
                ":q": like_pattern(search),
                ":limit": i64::try_from(limit).unwrap_or(i64::MAX),
                ":offset": i64::try_from(offset).unwrap_or(i64::MAX),
            },
            |r| {
                Ok(BillingRow {
                    id: r.get(0)?,
                    day: r.get(1)?,
                    provider: r.get(2)?,
                    kind: r.get(3)?,
                    number: r.get(4)?,
                    status: r.get(5)?,
                    amount: Amount::from_nanos(r.get(6)?),
                    currency: r.get(7)?,
                    description: r.get(8)?,
                })
            },
        )?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// How many bank and card lines match the search.
    ///
    /// # Errors
    /// On a ledger (`SQLite`) failure.
    pub fn bank_count(&self, search: &str) -> Result<usize, StoreError> {
        let n: i64 = self.conn().prepare_cached(
            "SELECT count(*) FROM bank_lines WHERE :q = '' OR account LIKE :q ESCAPE '\\' OR description LIKE :q ESCAPE '\\'
               OR provider LIKE :q ESCAPE '\\' OR day LIKE :q ESCAPE '\\'",
        )?
        .query_row(named_params! {":q": like_pattern(search)}, |r| r.get(0))?;
        Ok(usize::try_from(n).unwrap_or(0))
    }

    /// One page of bank and card lines matching the search, newest first.
    ///
    /// # Errors
    /// On a ledger (`SQLite`) failure.
    pub fn bank_page(
        &self,
        search: &str,
        offset: usize,
        limit: usize,
    ) -> Result<Vec<BankRow>, StoreError> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT id, day, account, description, amount_nanos, currency, status,
                    COALESCE(provider, ''), COALESCE(spend_kind, '')
             FROM bank_lines
             WHERE :q = '' OR account LIKE :q ESCAPE '\\' OR description LIKE :q ESCAPE '\\'
               OR provider LIKE :q ESCAPE '\\' OR day LIKE :q ESCAPE '\\'
             ORDER BY day DESC, id DESC LIMIT :limit OFFSET :offset",
        )?;
        let rows = stmt.query_map(
            named_params! {
                ":q": like_pattern(search),
                ":limit": i64::try_from(limit).unwrap_or(i64::MAX),
                ":offset": i64::try_from(offset).unwrap_or(i64::MAX),
            },
            |r| {
                Ok(BankRow {
                    id: r.get(0)?,
                    day: r.get(1)?,
                    account: r.get(2)?,
                    description: r.get(3)?,
                    amount: Amount::from_nanos(r.get(4)?),
                    currency: r.get(5)?,
                    status: r.get(6)?,
                    provider: r.get(7)?,
                    spend_kind: r.get(8)?,
                })
            },
        )?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(like_pattern("  "), "");
        assert_eq!(like_pattern("gpt"), "%gpt%");
        assert_eq!(like_pattern("50%_off"), "%50\\%\\_off%");
    }

    #[test]
    fn buckets_start_on_monday_and_the_first() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 19).unwrap_or_default(); // a Thursday
        assert_eq!(
            bucket_start(d, Bucket::Week),
            NaiveDate::from_ymd_opt(2026, 11, 16).unwrap_or_default()
        );
        assert_eq!(
            bucket_start(d, Bucket::Month),
            NaiveDate::from_ymd_opt(2026, 11, 1).unwrap_or_default()
        );
    }

    #[test]
    fn an_empty_ledger_has_empty_views() {
        let store = Store::open_in_memory().unwrap();
        let today = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
        let figures = store.key_figures(today).unwrap();
        assert!(figures.usage_total.is_empty());
        assert_eq!(figures.month_label, "2026-11");
        let series = store
            .cost_series(
                SeriesGroup::Project,
                Bucket::Day,
                today - chrono::Days::new(6),
                today,
            )
            .unwrap();
        assert_eq!(series.buckets.len(), 7);
        assert!(series.series.is_empty());
        assert_eq!(store.usage_count("").unwrap(), 0);
        assert!(store.usage_page("x", 0, 50).unwrap().is_empty());
        assert!(store.billing_page("", 0, 50).unwrap().is_empty());
        assert!(store.bank_page("", 0, 50).unwrap().is_empty());
    }
}
