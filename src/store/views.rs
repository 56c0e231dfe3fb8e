//! Read-only views for the desktop window: key figures, the cost series of the chart and pages
//! of the ledger tables.
//!
//! Every query aggregates in SQL, lists the ids a table shows (in its sort order) or reads the
//! rows of a few ids, so the window never loads every record and a page deep in a million rows
//! costs as little as the first (no `OFFSET` walk). Aggregations and id lists scan what the
//! filters pick: the window runs them on its `views` thread, only when the ledger's revision or
//! a filter changes. Sums stay exact integers; the chart converts to floats itself.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use rusqlite::ToSql;

use super::groups::sum_rows;
use super::sql::{self, PROJECT};
use super::{CreditGroup, Period, ReportKind, Store, StoreError, UsageGroup};
use crate::domain::money::{Amount, Currency, Money};
use crate::domain::records::UsageCharge;
use crate::domain::views::{
    BankRow, BillingRow, Bucket, CostSeries, DayBounds, FilterOptions, Filters, ImportRow,
    KeyFigures, OTHER_SERIES, Series, SeriesGroup, TableQuery, Totals, UsageRow, bucket_start,
    next_bucket,
};

/// The largest number of named series before the rest become "other".
const MAX_SERIES: usize = 7;

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
    totals: &mut BTreeMap<Currency, Amount>,
    currency: &str,
    amount: Amount,
) -> Result<(), StoreError> {
    let slot = totals
        .entry(Currency::parse_stored(currency))
        .or_insert(Amount::ZERO);
    *slot = slot.checked_add(amount).ok_or(StoreError::Overflow)?;
    Ok(())
}

fn sorted_totals(totals: BTreeMap<Currency, Amount>) -> Totals {
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
            name: OTHER_SERIES.into(),
            values: vec![Amount::ZERO; bucket_count],
        });
        for (sum, value) in slot.values.iter_mut().zip(s.values) {
            *sum = sum.checked_add(value).ok_or(StoreError::Overflow)?;
        }
    }
    kept.extend(other);
    Ok(kept)
}

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
        let total = |kind: ReportKind, period: &Period| -> Result<Totals, StoreError> {
            let mut sums = BTreeMap::new();
            for row in self.report(kind, period)? {
                add_to(&mut sums, &row.currency, row.amount)?;
            }
            Ok(sorted_totals(sums))
        };
        // Days 1..today's day of last month (cut at its last day): the same stretch of a month.
        let first_this = today.with_day(1).unwrap_or(today);
        let first_last = first_this
            .checked_sub_months(chrono::Months::new(1))
            .unwrap_or(first_this);
        let last_day_last = first_this.pred_opt().unwrap_or(first_last);
        let same_end = first_last
            .checked_add_days(chrono::Days::new(u64::from(today.day0())))
            .map_or(last_day_last, |d| d.min(last_day_last));
        let same_days = Period::range(first_last, same_end);
        let same_days_label = format!(
            "{} {}-{}",
            first_last.format("%b"),
            first_last.day(),
            same_end.day()
        );
        let (usage_records, billing_records, bank_lines, _) = self.counts()?;
        Ok(KeyFigures {
            month_label: this_month.clone(),
            usage_this_month: total(ReportKind::Usage(UsageGroup::Provider), &month(&this_month))?,
            usage_last_month: total(ReportKind::Usage(UsageGroup::Provider), &month(&last_month))?,
            usage_last_month_same_days: total(ReportKind::Usage(UsageGroup::Provider), &same_days)?,
            same_days_label,
            usage_total: total(ReportKind::Usage(UsageGroup::Provider), &Period::all())?,
            paid_this_month: total(ReportKind::Paid, &month(&this_month))?,
            credits_bought: total(ReportKind::Credits(CreditGroup::Kind), &Period::all())?,
            usage_records,
            billing_records,
            bank_lines,
        })
    }

    /// Usage cost per bucket and project or model over `bounds`, narrowed by the filters, in
    /// the main currency of what is left (the one with the most cost). Buckets before the first
    /// one with cost are left out.
    ///
    /// # Errors
    /// On a ledger (`SQLite`) failure or a total too large to add up.
    pub fn cost_series(
        &self,
        group: SeriesGroup,
        bucket: Bucket,
        bounds: DayBounds,
        filters: &Filters,
        account_aliases: &[String],
    ) -> Result<CostSeries, StoreError> {
        let group_expr = match group {
            SeriesGroup::Project => sql::project_label(),
            SeriesGroup::Model => sql::model_label(),
        };
        let sums = Sums::for_filters(filters, group == SeriesGroup::Model);
        let p = UsageParams::new(bounds, filters, account_aliases, None, "");
        let sql = format!(
            "SELECT day, {group_expr}, currency, cost_nanos FROM {} WHERE {}",
            sums.counted(),
            p.filter_where(&sums)
        );
        let rows: Vec<(String, String, String, i64)> =
            sum_rows::<3>(self.conn(), &sql, p.filter_params().as_slice())?
                .into_iter()
                .map(|([day, name, currency], nanos)| (day, name, currency, nanos))
                .collect();

        let mut per_currency: BTreeMap<Currency, Amount> = BTreeMap::new();
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
            .map_or(Currency::USD, |(c, _)| *c);
        let other_currencies = per_currency
            .keys()
            .filter(|c| **c != currency)
            .copied()
            .collect();

        // Chart only the days that have data: an "all time" range would otherwise start in 1970.
        let days = rows
            .iter()
            .filter_map(|(d, ..)| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
        let (first, last) = days.fold((None::<NaiveDate>, None::<NaiveDate>), |(lo, hi), d| {
            (
                Some(lo.map_or(d, |l| l.min(d))),
                Some(hi.map_or(d, |h| h.max(d))),
            )
        });
        let from = first.map_or(bounds.from, |f| f.max(bounds.from));
        let to = last.map_or(bounds.to, |l| l.min(bounds.to));
        let buckets = if first.is_some() {
            bucket_starts(from, to, bucket)
        } else {
            Vec::new()
        };
        let index_of = |day: NaiveDate| buckets.binary_search(&bucket_start(day, bucket)).ok();
        let mut by_group: BTreeMap<String, Vec<Amount>> = BTreeMap::new();
        for (day, name, row_currency, nanos) in rows {
            if Currency::parse_stored(&row_currency) != currency {
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
        let kept = largest_first(by_group, buckets.len())?;
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
            "SELECT MIN(day), MAX(day) FROM usage_daily WHERE cost_records > 0",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let parse =
            |d: Option<String>| d.and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok());
        Ok(parse(first).zip(parse(last)))
    }

    /// The providers, projects and models the filters offer (accounts come from the balance
    /// rules, which know which organization ids and names are the same account).
    ///
    /// # Errors
    /// On a ledger (`SQLite`) failure.
    pub fn filter_options(&self) -> Result<FilterOptions, StoreError> {
        let list = |sql: &str| -> Result<Vec<String>, StoreError> {
            let mut stmt = self.conn().prepare_cached(sql)?;
            let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
            Ok(rows.collect::<Result<_, _>>()?)
        };
        Ok(FilterOptions {
            providers: list(
                "SELECT provider FROM usage_dimensions UNION SELECT provider FROM billing
                 UNION SELECT provider FROM bank_lines WHERE provider IS NOT NULL ORDER BY 1",
            )?,
            accounts: Vec::new(),
            projects: list(&format!(
                "SELECT DISTINCT {} AS g FROM usage_dimensions ORDER BY 1",
                sql::project_label()
            ))?,
            models: list(&format!(
                "SELECT DISTINCT {} AS g FROM usage_dimensions ORDER BY 1",
                sql::model_label()
            ))?,
        })
    }

    /// Usage cost over `bounds` with the filters, per currency.
    ///
    /// # Errors
    /// On a ledger (`SQLite`) failure or a total too large to add up.
    pub fn usage_in_range(
        &self,
        bounds: DayBounds,
        filters: &Filters,
        account_aliases: &[String],
    ) -> Result<Totals, StoreError> {
        let sums = Sums::for_filters(filters, false);
        let p = UsageParams::new(bounds, filters, account_aliases, None, "");
        let sql = format!(
            "SELECT currency, cost_nanos FROM {} WHERE {}",
            sums.counted(),
            p.filter_where(&sums)
        );
        let rows = sum_rows::<1>(self.conn(), &sql, p.filter_params().as_slice())?;
        let mut sums = BTreeMap::new();
        for ([currency], nanos) in rows {
            add_to(&mut sums, &currency, Amount::from_nanos(nanos))?;
        }
        Ok(sorted_totals(sums))
    }

    /// The ids of the usage records the query picks, in its sort order. The table's row `n` is
    /// the record `ids[n]`, so a page anywhere in a million rows is one lookup by id
    /// ([`Store::usage_rows`]) instead of an `OFFSET` walk; the count is the list's length.
    /// Scans what the filters pick: call it off the window's thread.
    ///
    /// # Errors
    /// On a ledger (`SQLite`) failure.
    pub fn usage_ids(&self, query: &TableQuery) -> Result<Vec<i64>, StoreError> {
        if USAGE_SORT
            .get(query.sort.column)
            .is_none_or(|column| *column == "day")
        {
            return self.usage_ids_by_day(query);
        }
        let order = order_by(&USAGE_SORT, "day", query);
        let p = UsageParams::for_table(query);
        let sql = format!(
            "SELECT id FROM usage u WHERE {} ORDER BY {order}",
            p.table_where()
        );
        self.ids(&sql, &p.as_params())
    }

    /// [`Store::usage_ids`] in day order (the table's default): by day, then by id within a
    /// day, both in the sort's direction. `SQLite` walks the days along the `usage_key` index
    /// (day first) and only each day's ids are sorted here: a million rows never go through a
    /// sorter, which took most of the time the table's ids cost.
    fn usage_ids_by_day(&self, query: &TableQuery) -> Result<Vec<i64>, StoreError> {
        let descending = query.sort.descending;
        let p = UsageParams::for_table(query);
        let sql = format!(
            "SELECT day, id FROM usage u WHERE {} ORDER BY day {}",
            p.table_where(),
            direction(descending)
        );
        let mut stmt = self.conn().prepare_cached(&sql)?;
        let mut rows = stmt.query(p.as_params().as_slice())?;
        let sort_day = |ids: &mut [i64]| {
            if descending {
                ids.sort_unstable_by(|a, b| b.cmp(a));
            } else {
                ids.sort_unstable();
            }
        };
        let mut ids = Vec::new();
        // The day being read and where its ids start in `ids`.
        let mut day: Vec<u8> = Vec::new();
        let mut day_start = 0;
        while let Some(row) = rows.next()? {
            let row_day = row.get_ref(0)?.as_bytes().unwrap_or_default();
            if row_day != day.as_slice() {
                sort_day(ids.get_mut(day_start..).unwrap_or_default());
                day_start = ids.len();
                day.clear();
                day.extend_from_slice(row_day);
            }
            ids.push(row.get::<_, i64>(1)?);
        }
        sort_day(ids.get_mut(day_start..).unwrap_or_default());
        Ok(ids)
    }

    /// The usage records with these ids, in the order of `ids` (ids no longer in the ledger
    /// are left out). One lookup by primary key per id: cheap enough for any frame.
    ///
    /// # Errors
    /// On a ledger (`SQLite`) failure.
    pub fn usage_rows(&self, ids: &[i64]) -> Result<Vec<UsageRow>, StoreError> {
        self.rows_by_id(
            &format!(
                "SELECT id, day, provider, {PROJECT}, model, token_kind, tokens, cost_nanos, currency, charge
                 FROM usage WHERE id IN (SELECT value FROM json_each(:ids))"
            ),
            ids,
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
                    charge: UsageCharge::parse_stored(&r.get::<_, String>(9)?),
                })
            },
            |r| r.id,
        )
    }

    /// The ids of the billing records the query picks, in its sort order (see
    /// [`Store::usage_ids`]).
    ///
    /// # Errors
    /// On a ledger (`SQLite`) failure.
    pub fn billing_ids(&self, query: &TableQuery) -> Result<Vec<i64>, StoreError> {
        let order = order_by(&BILLING_SORT, "occurred_at", query);
        let sql = format!("SELECT id FROM billing WHERE {BILLING_WHERE} ORDER BY {order}");
        let p = RecordParams::new(query, "billing");
        self.ids(&sql, &p.billing())
    }

    /// The billing records with these ids, in the order of `ids`.
    ///
    /// # Errors
    /// On a ledger (`SQLite`) failure.
    pub fn billing_rows(&self, ids: &[i64]) -> Result<Vec<BillingRow>, StoreError> {
        self.rows_by_id(
            "SELECT id, day, provider, kind, number, status, amount_nanos, currency, description
             FROM billing WHERE id IN (SELECT value FROM json_each(:ids))",
            ids,
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
            |r| r.id,
        )
    }

    /// The ids of the bank and card lines the query picks (its provider, days, search and
    /// focus; bank lines have no account, project or model), in its sort order.
    ///
    /// # Errors
    /// On a ledger (`SQLite`) failure.
    pub fn bank_ids(&self, query: &TableQuery) -> Result<Vec<i64>, StoreError> {
        let order = order_by(&BANK_SORT, "day", query);
        let sql = format!("SELECT id FROM bank_lines WHERE {BANK_WHERE} ORDER BY {order}");
        let p = RecordParams::new(query, "bank");
        self.ids(&sql, &p.bank())
    }

    /// The bank and card lines with these ids, in the order of `ids`.
    ///
    /// # Errors
    /// On a ledger (`SQLite`) failure.
    pub fn bank_rows(&self, ids: &[i64]) -> Result<Vec<BankRow>, StoreError> {
        self.rows_by_id(
            "SELECT id, day, account, description, amount_nanos, currency, status,
                    COALESCE(provider, ''), COALESCE(spend_kind, '')
             FROM bank_lines WHERE id IN (SELECT value FROM json_each(:ids))",
            ids,
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
            |r| r.id,
        )
    }

    /// The rows `sql` reads for the ids bound to `:ids`, in the order of `ids` (ids no longer in
    /// the ledger are left out).
    pub(super) fn rows_by_id<T>(
        &self,
        sql: &str,
        ids: &[i64],
        row: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
        id_of: impl Fn(&T) -> i64,
    ) -> Result<Vec<T>, StoreError> {
        let mut stmt = self.conn().prepare_cached(sql)?;
        let list = json_list(ids);
        let rows = stmt.query_map(&[(":ids", &list)], row)?;
        Ok(in_order(ids, rows.collect::<Result<_, _>>()?, id_of))
    }

    fn ids(&self, sql: &str, params: &Params<'_>) -> Result<Vec<i64>, StoreError> {
        let mut stmt = self.conn().prepare_cached(sql)?;
        let ids = stmt.query_map(params.as_slice(), |r| r.get::<_, i64>(0))?;
        Ok(ids.collect::<Result<_, _>>()?)
    }

    /// The import history as the window shows it, newest first.
    ///
    /// # Errors
    /// On a ledger (`SQLite`) failure.
    pub fn import_rows(&self) -> Result<Vec<ImportRow>, StoreError> {
        Ok(self
            .source_files()?
            .into_iter()
            .map(|f| ImportRow {
                id: f.id,
                name: f.name,
                format: f.format,
                imported_at: f.imported_at,
                rows: f.rows,
                inserted: f.inserted,
                updated: f.updated,
                duplicates: f.duplicates,
                rejected: f.rejected,
            })
            .collect())
    }
}

/// The daily sums a view of usage reads: per model, or per project (a third of the rows on a
/// team's history) when neither the grouping nor the filters name a model.
enum Sums {
    PerModel,
    PerProject,
}

impl Sums {
    fn for_filters(filters: &Filters, by_model: bool) -> Self {
        if by_model || !filters.model.is_empty() {
            Self::PerModel
        } else {
            Self::PerProject
        }
    }

    /// The view of the counted sums.
    fn counted(&self) -> &'static str {
        match self {
            Self::PerModel => "usage_counted",
            Self::PerProject => "usage_project_counted",
        }
    }
}

/// The billing records the filters, the focus and the search let through.
const BILLING_WHERE: &str = "day BETWEEN :from AND :to
    AND (:provider = '' OR provider = :provider)
    AND (:accounts = '' OR organization IN (SELECT value FROM json_each(:accounts)))
    AND (:project = '' OR project = :project)
    AND (:ids = '' OR id IN (SELECT value FROM json_each(:ids)))
    AND (:q = '' OR provider LIKE :q ESCAPE '\\' OR kind LIKE :q ESCAPE '\\'
         OR number LIKE :q ESCAPE '\\' OR description LIKE :q ESCAPE '\\' OR project LIKE :q ESCAPE '\\'
         OR day LIKE :q ESCAPE '\\')";

/// The bank and card lines the filters, the focus and the search let through.
const BANK_WHERE: &str = "day BETWEEN :from AND :to
    AND (:provider = '' OR provider = :provider)
    AND (:ids = '' OR id IN (SELECT value FROM json_each(:ids)))
    AND (:q = '' OR account LIKE :q ESCAPE '\\' OR description LIKE :q ESCAPE '\\'
         OR provider LIKE :q ESCAPE '\\' OR day LIKE :q ESCAPE '\\')";

/// Sort expressions, one per column of the usage table (Day, Provider, Project, Model, Kind,
/// Tokens, Cost). Fixed strings: a sort never builds SQL from user text.
const USAGE_SORT: [&str; 7] = [
    "day",
    "provider",
    "project_name",
    "model",
    "token_kind",
    "tokens",
    "cost_nanos",
];
/// Billing table: Day, Provider, Kind, Number, Status, Amount, Description.
const BILLING_SORT: [&str; 7] = [
    "occurred_at",
    "provider",
    "kind",
    "number",
    "status",
    "amount_nanos",
    "description",
];
/// Bank table: Day, Account, Description, AI service, Status, Amount.
const BANK_SORT: [&str; 6] = [
    "day",
    "account",
    "description",
    "provider",
    "status",
    "amount_nanos",
];

fn direction(descending: bool) -> &'static str {
    if descending { "DESC" } else { "ASC" }
}

/// What follows `ORDER BY` for a table's sort: the column picked from `columns` (`default` when
/// out of range), then the id as a tiebreak, both in the sort's direction.
fn order_by(columns: &[&str], default: &str, query: &TableQuery) -> String {
    let column = columns.get(query.sort.column).copied().unwrap_or(default);
    let dir = direction(query.sort.descending);
    format!("{column} {dir}, id {dir}")
}

fn json_list<T: serde::Serialize>(items: &[T]) -> String {
    serde_json::to_string(items).unwrap_or_else(|_| "[]".to_string())
}

type Params<'a> = Vec<(&'a str, &'a dyn ToSql)>;

/// `rows` put in the order of `ids` (SQLite returns an `IN` list in its own order).
fn in_order<T>(ids: &[i64], rows: Vec<T>, id_of: impl Fn(&T) -> i64) -> Vec<T> {
    let mut by_id: std::collections::HashMap<i64, T> =
        rows.into_iter().map(|r| (id_of(&r), r)).collect();
    ids.iter().filter_map(|id| by_id.remove(id)).collect()
}

/// The bound values of [`UsageParams::filter_where`] and [`UsageParams::table_where`].
struct UsageParams {
    from: String,
    to: String,
    provider: String,
    accounts: String,
    project: String,
    model: String,
    fproject: String,
    fmodel: String,
    days: String,
    q: String,
}

impl UsageParams {
    fn new(
        bounds: DayBounds,
        filters: &Filters,
        account_aliases: &[String],
        focus: Option<&crate::domain::views::Focus>,
        search: &str,
    ) -> Self {
        let mut from = bounds.from;
        let mut to = bounds.to;
        if let Some(f) = focus {
            from = f.from.map_or(from, |d| d.max(from));
            to = f.to.map_or(to, |d| d.min(to));
        }
        let accounts = if filters.account.is_empty() {
            String::new()
        } else if account_aliases.is_empty() {
            json_list(std::slice::from_ref(&filters.account))
        } else {
            json_list(account_aliases)
        };
        let days = focus
            .and_then(crate::domain::views::Focus::usage_days)
            .map(|days| {
                let days: Vec<String> = days.iter().map(ToString::to_string).collect();
                json_list(&days)
            })
            .unwrap_or_default();
        Self {
            from: from.to_string(),
            to: to.to_string(),
            provider: filters.provider.clone(),
            accounts,
            project: filters.project.clone(),
            model: filters.model.clone(),
            fproject: focus
                .and_then(|f| f.project.clone())
                .filter(|p| !p.is_empty() && p != OTHER_SERIES)
                .unwrap_or_default(),
            fmodel: focus
                .and_then(|f| f.model.clone())
                .filter(|m| m != OTHER_SERIES)
                .unwrap_or_default(),
            days,
            q: like_pattern(search),
        }
    }

    fn for_table(query: &TableQuery) -> Self {
        Self::new(
            query.bounds,
            &query.filters,
            &query.account_aliases,
            query.focus.as_ref(),
            &query.search,
        )
    }

    /// The usage rows the filters let through (the dashboard's queries), over `sums`: the day
    /// range, then a clause for each filter that is set (a filter left empty lets everything
    /// through and is left out, so a million rows are not each compared with it). The project
    /// and model are compared by their labels ([`sql::project_label`], [`sql::model_label`]).
    /// The sums per project have no model: there a model filter lets nothing through (it is
    /// always empty when [`Sums::for_filters`] chose them).
    fn filter_where(&self, sums: &Sums) -> String {
        let mut clauses = vec!["day BETWEEN :from AND :to".to_string()];
        if !self.provider.is_empty() {
            clauses.push("provider = :provider".into());
        }
        if !self.accounts.is_empty() {
            clauses.push(
                "(organization_name IN (SELECT value FROM json_each(:accounts))
         OR organization_id IN (SELECT value FROM json_each(:accounts)))"
                    .into(),
            );
        }
        if !self.project.is_empty() {
            clauses.push(format!("{} = :project", sql::project_label()));
        }
        if !self.model.is_empty() {
            clauses.push(match sums {
                Sums::PerModel => format!("{} = :model", sql::model_label()),
                Sums::PerProject => "0".into(),
            });
        }
        clauses.join(" AND ")
    }

    /// [`UsageParams::filter_where`] over the usage records, and what the tables add: the
    /// focus and the search (each only when set).
    fn table_where(&self) -> String {
        let mut clauses = vec![self.filter_where(&Sums::PerModel)];
        if !self.fproject.is_empty() {
            clauses.push(format!("{} = :fproject", sql::project_label()));
        }
        if !self.fmodel.is_empty() {
            clauses.push(format!("{} = :fmodel", sql::model_label()));
        }
        if !self.days.is_empty() {
            clauses.push("day IN (SELECT value FROM json_each(:days))".into());
        }
        if !self.q.is_empty() {
            clauses.push(
                "(provider LIKE :q ESCAPE '\\' OR project_name LIKE :q ESCAPE '\\'
         OR project_id LIKE :q ESCAPE '\\' OR model LIKE :q ESCAPE '\\' OR line_item LIKE :q ESCAPE '\\'
         OR day LIKE :q ESCAPE '\\')"
                    .into(),
            );
        }
        clauses.join(" AND ")
    }

    /// The parameters [`UsageParams::filter_where`] names.
    fn filter_params(&self) -> Params<'_> {
        let mut params: Params<'_> = vec![(":from", &self.from), (":to", &self.to)];
        for (name, value) in [
            (":provider", &self.provider),
            (":accounts", &self.accounts),
            (":project", &self.project),
            (":model", &self.model),
        ] {
            if !value.is_empty() {
                params.push((name, value));
            }
        }
        params
    }

    /// The parameters [`UsageParams::table_where`] names.
    fn as_params(&self) -> Params<'_> {
        let mut params = self.filter_params();
        for (name, value) in [
            (":fproject", &self.fproject),
            (":fmodel", &self.fmodel),
            (":days", &self.days),
            (":q", &self.q),
        ] {
            if !value.is_empty() {
                params.push((name, value));
            }
        }
        params
    }
}

/// The bound values of [`BILLING_WHERE`] and [`BANK_WHERE`].
struct RecordParams {
    from: String,
    to: String,
    provider: String,
    accounts: String,
    project: String,
    ids: String,
    q: String,
}

impl RecordParams {
    /// `kind` is the prefix of the table's evidence records (`billing`, `bank`).
    fn new(query: &TableQuery, kind: &str) -> Self {
        let usage = UsageParams::for_table(query);
        let ids = query
            .focus
            .as_ref()
            .and_then(|f| f.ids_of(kind))
            .map(|ids| json_list(&ids))
            .unwrap_or_default();
        // A bar's project narrows billing too; a flag's evidence names the records instead.
        let focus_project = query
            .focus
            .as_ref()
            .filter(|f| f.records.is_none())
            .and_then(|f| f.project.clone())
            .filter(|p| !p.is_empty() && p != OTHER_SERIES);
        Self {
            from: usage.from,
            to: usage.to,
            provider: usage.provider,
            accounts: usage.accounts,
            project: focus_project.unwrap_or(usage.project),
            ids,
            q: usage.q,
        }
    }

    fn billing(&self) -> Params<'_> {
        vec![
            (":from", &self.from),
            (":to", &self.to),
            (":provider", &self.provider),
            (":accounts", &self.accounts),
            (":project", &self.project),
            (":ids", &self.ids),
            (":q", &self.q),
        ]
    }

    fn bank(&self) -> Params<'_> {
        vec![
            (":from", &self.from),
            (":to", &self.to),
            (":provider", &self.provider),
            (":ids", &self.ids),
            (":q", &self.q),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::views::{Focus, Sort};

    fn query(search: &str) -> TableQuery {
        TableQuery {
            search: search.into(),
            bounds: DayBounds::all(),
            filters: Filters::default(),
            account_aliases: Vec::new(),
            focus: None,
            sort: Sort::NEWEST,
        }
    }

    /// Rows of three days, in the file out of day order, several per day.
    const EXPORT: &str = "start_time,end_time,start_time_iso,end_time_iso,amount_value,amount_currency,quantity,quantity_unit,line_item,user_id,api_key_id,project_id,organization_id,project_name,organization_name,user_email,api_source
1790899200,1790985600,2026-10-02T00:00:00+00:00,2026-10-03T00:00:00+00:00,1.00,usd,100,tokens,\"gpt-4o, input\",,key_1,proj_web,org-a,Web app,Acme,,
1790812800,1790899200,2026-10-01T00:00:00+00:00,2026-10-02T00:00:00+00:00,2.00,usd,100,tokens,\"gpt-4o, input\",,key_1,proj_web,org-a,Web app,Acme,,
1790899200,1790985600,2026-10-02T00:00:00+00:00,2026-10-03T00:00:00+00:00,3.00,usd,100,tokens,\"gpt-4o, output\",,key_1,proj_web,org-a,Web app,Acme,,
1790812800,1790899200,2026-10-01T00:00:00+00:00,2026-10-02T00:00:00+00:00,4.00,usd,100,tokens,\"gpt-4o, output\",,key_1,proj_bot,org-a,Support bot,Acme,,
1790985600,1791072000,2026-10-03T00:00:00+00:00,2026-10-04T00:00:00+00:00,5.00,usd,100,tokens,\"gpt-4o, output\",,key_1,proj_web,org-a,Web app,Acme,,
1790812800,1790899200,2026-10-01T00:00:00+00:00,2026-10-02T00:00:00+00:00,6.00,usd,100,tokens,\"gpt-4o-mini, input\",,key_1,proj_web,org-a,Web app,Acme,,
";

    fn ledger() -> Store {
        let mut store = Store::open_in_memory().unwrap();
        let report =
            crate::store::import_text(&mut store, "cost.csv", EXPORT, "2026-10-05T00:00:00Z");
        assert_eq!((report.inserted, report.error), (6, None));
        store
    }

    /// The usage table in day order lists each day's records by id (the order they were
    /// imported in), newest first or oldest first, as a plain `ORDER BY day, id` does, with
    /// the filters and the search applied.
    #[test]
    fn the_usage_table_in_day_order_sorts_each_day_by_id() {
        let store = ledger();
        let reference = |q: &TableQuery| -> Vec<i64> {
            let dir = direction(q.sort.descending);
            let p = UsageParams::for_table(q);
            let sql = format!(
                "SELECT id FROM usage u WHERE {} ORDER BY day {dir}, id {dir}",
                p.table_where()
            );
            store.ids(&sql, &p.as_params()).unwrap()
        };
        let mut q = query("");
        let newest = store.usage_ids(&q).unwrap();
        assert_eq!(newest.len(), 6);
        assert_eq!(newest, reference(&q));
        let mut by_id = newest.clone();
        by_id.sort_unstable_by(|a, b| b.cmp(a));
        assert_ne!(newest, by_id, "the file is out of day order");
        q.sort.descending = false;
        let oldest = store.usage_ids(&q).unwrap();
        assert_eq!(oldest, reference(&q));
        assert_eq!(oldest, newest.iter().rev().copied().collect::<Vec<_>>());
        q.filters.project = "Web app".into();
        assert_eq!(store.usage_ids(&q).unwrap().len(), 5);
        assert_eq!(store.usage_ids(&q).unwrap(), reference(&q));
        q.filters.provider = "openai".into();
        q.filters.model = "gpt-4o".into();
        assert_eq!(store.usage_ids(&q).unwrap(), reference(&q));
        assert_eq!(store.usage_ids(&q).unwrap().len(), 4);
        q.filters.provider = "anthropic".into();
        assert!(store.usage_ids(&q).unwrap().is_empty());
        let mut searched = query("mini");
        searched.sort.descending = false;
        assert_eq!(store.usage_ids(&searched).unwrap(), reference(&searched));
        assert_eq!(store.usage_ids(&searched).unwrap().len(), 1);
    }

    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(like_pattern("  "), "");
        assert_eq!(like_pattern("gpt"), "%gpt%");
        assert_eq!(like_pattern("50%_off"), "%50\\%\\_off%");
    }

    #[test]
    fn an_empty_ledger_has_empty_views() {
        let store = Store::open_in_memory().unwrap();
        let today = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
        let figures = store.key_figures(today).unwrap();
        assert!(figures.usage_total.is_empty());
        assert_eq!(figures.month_label, "2026-11");
        assert_eq!(figures.same_days_label, "Oct 1-20");
        let march_31 = NaiveDate::from_ymd_opt(2026, 3, 31).unwrap();
        assert_eq!(
            store.key_figures(march_31).unwrap().same_days_label,
            "Feb 1-28",
            "cut at February's end"
        );
        let bounds = DayBounds {
            from: today - chrono::Days::new(6),
            to: today,
        };
        let series = store
            .cost_series(
                SeriesGroup::Project,
                Bucket::Day,
                bounds,
                &Filters::default(),
                &[],
            )
            .unwrap();
        assert!(series.buckets.is_empty());
        assert!(series.series.is_empty());
        assert!(store.usage_ids(&query("")).unwrap().is_empty());
        assert!(store.usage_ids(&query("x")).unwrap().is_empty());
        assert!(store.billing_ids(&query("")).unwrap().is_empty());
        assert!(store.bank_ids(&query("")).unwrap().is_empty());
        assert!(store.usage_rows(&[1, 2]).unwrap().is_empty());
        assert!(store.billing_rows(&[1]).unwrap().is_empty());
        assert!(store.bank_rows(&[]).unwrap().is_empty());
        let mut sorted = query("");
        sorted.sort = Sort {
            column: 5,
            descending: false,
        };
        sorted.focus = Some(Focus {
            records: Some(vec!["billing:1".into()]),
            ..Focus::default()
        });
        for column in 0..8 {
            sorted.sort.column = column;
            assert!(store.usage_ids(&sorted).unwrap().is_empty());
            assert!(store.billing_ids(&sorted).unwrap().is_empty());
            assert!(store.bank_ids(&sorted).unwrap().is_empty());
        }
        assert!(store.filter_options().unwrap().providers.is_empty());
    }
}
