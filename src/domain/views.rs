//! The plain data the desktop window draws: key figures, the cost series of the chart, balance
//! lines per provider account, pages of the ledger tables, and the filters and sort orders that
//! pick them.
//!
//! Pure data and small pure helpers only: the store fills these from the ledger, the app from
//! the balance and flag rules, and the `ui` layer reads them without ever naming the store.
//! Sums stay exact [`Amount`]s; the chart converts to floats itself, only to place points. Dates
//! that depend on "today" take it as a parameter.

use chrono::{Datelike, NaiveDate};

use super::flags::Flag;
use super::money::{Amount, Currency, Money};
use super::records::UsageCharge;

/// Totals of one figure, one per currency (most ledgers hold only one), largest first.
pub type Totals = Vec<Money>;

/// The strip of key figures at the top of the dashboard.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyFigures {
    /// The calendar month `today` falls in, `YYYY-MM`.
    pub month_label: String,
    pub usage_this_month: Totals,
    pub usage_last_month: Totals,
    /// Last month's usage over the same days as this month so far (days 1 to today's day), so
    /// a month under way is compared at the same pace.
    pub usage_last_month_same_days: Totals,
    /// Those days, for people: `Oct 1-20`.
    pub same_days_label: String,
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
    pub currency: Currency,
    /// Currencies left out of the chart (it shows one currency).
    pub other_currencies: Vec<Currency>,
}

/// The name of the merged series of small groups.
pub const OTHER_SERIES: &str = "other";

/// The first day of the bucket `day` falls in.
pub fn bucket_start(day: NaiveDate, bucket: Bucket) -> NaiveDate {
    match bucket {
        Bucket::Day => day,
        Bucket::Week => day - chrono::Days::new(u64::from(day.weekday().num_days_from_monday())),
        Bucket::Month => day.with_day(1).unwrap_or(day),
    }
}

/// The first day of the bucket after the one starting on `start`.
pub fn next_bucket(start: NaiveDate, bucket: Bucket) -> Option<NaiveDate> {
    match bucket {
        Bucket::Day => start.succ_opt(),
        Bucket::Week => start.checked_add_days(chrono::Days::new(7)),
        Bucket::Month => start.checked_add_months(chrono::Months::new(1)),
    }
}

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
    /// How the provider charged it (the table says "included" rather than $0.00).
    pub charge: UsageCharge,
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

/// One imported file as the import history shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportRow {
    pub id: i64,
    pub name: String,
    pub format: String,
    pub imported_at: String,
    pub rows: i64,
    pub inserted: i64,
    pub updated: i64,
    pub duplicates: i64,
    pub rejected: i64,
}

/// The date range of the filters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum DateRange {
    ThisMonth,
    LastMonth,
    #[default]
    Last90Days,
    ThisYear,
    All,
    Custom,
}

impl DateRange {
    pub const ALL: [DateRange; 6] = [
        DateRange::ThisMonth,
        DateRange::LastMonth,
        DateRange::Last90Days,
        DateRange::ThisYear,
        DateRange::All,
        DateRange::Custom,
    ];

    pub fn label(self) -> &'static str {
        match self {
            DateRange::ThisMonth => "This month",
            DateRange::LastMonth => "Last month",
            DateRange::Last90Days => "Last 90 days",
            DateRange::ThisYear => "This year",
            DateRange::All => "All time",
            DateRange::Custom => "Custom",
        }
    }
}

/// What the user narrowed the window to; an empty name matches everything. Saved between runs.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Filters {
    pub range: DateRange,
    /// The first and last day of a custom range, `YYYY-MM-DD` (text, so preferences stay plain).
    pub custom_from: Option<String>,
    pub custom_to: Option<String>,
    pub provider: String,
    /// A provider account: the organization's name (or id when it has no name).
    pub account: String,
    pub project: String,
    pub model: String,
}

/// The first and last day a filter lets through, inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayBounds {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl DayBounds {
    /// Every day.
    pub fn all() -> Self {
        Self {
            from: NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or(NaiveDate::MIN),
            to: NaiveDate::from_ymd_opt(9999, 12, 31).unwrap_or(NaiveDate::MAX),
        }
    }

    pub fn contains(&self, day: NaiveDate) -> bool {
        day >= self.from && day <= self.to
    }
}

impl Filters {
    /// The days the date range covers as of `today`.
    pub fn bounds(&self, today: NaiveDate) -> DayBounds {
        let month_start = today.with_day(1).unwrap_or(today);
        let (from, to) = match self.range {
            DateRange::ThisMonth => (month_start, today),
            DateRange::LastMonth => {
                let start = month_start
                    .checked_sub_months(chrono::Months::new(1))
                    .unwrap_or(month_start);
                (start, month_start.pred_opt().unwrap_or(month_start))
            }
            DateRange::Last90Days => (today - chrono::Days::new(89), today),
            DateRange::ThisYear => (
                NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(month_start),
                today,
            ),
            DateRange::All => return DayBounds::all(),
            DateRange::Custom => (
                parse_day(self.custom_from.as_deref()).unwrap_or(DayBounds::all().from),
                parse_day(self.custom_to.as_deref()).unwrap_or(today),
            ),
        };
        if to < from {
            return DayBounds { from: to, to: from };
        }
        DayBounds { from, to }
    }

    /// Whether anything besides the date range narrows the view.
    pub fn narrows(&self) -> bool {
        !(self.provider.is_empty()
            && self.account.is_empty()
            && self.project.is_empty()
            && self.model.is_empty())
    }
}

fn parse_day(text: Option<&str>) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text?, "%Y-%m-%d").ok()
}

/// The values the filters offer, from the ledger.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FilterOptions {
    pub providers: Vec<String>,
    /// (provider, organization label).
    pub accounts: Vec<(String, String)>,
    pub projects: Vec<String>,
    pub models: Vec<String>,
}

/// Records the tables are narrowed to after a click on a bar or a flag, on top of the filters.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Focus {
    /// What was clicked, for people: "Web app, Nov 3" or a flag's message.
    pub label: String,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub project: Option<String>,
    pub model: Option<String>,
    /// Set for a flag: only these records (`billing:3`, `bank:12`, `usage:DAY:...`).
    pub records: Option<Vec<String>>,
}

impl Focus {
    /// The focus on a flag's evidence.
    pub fn on_flag(flag: &Flag) -> Self {
        Self {
            label: flag.message.clone(),
            project: flag.project.clone(),
            records: Some(flag.records.clone()),
            ..Self::default()
        }
    }

    /// Ids of the evidence records of one kind (`bank`, `billing`).
    pub fn ids_of(&self, kind: &str) -> Option<Vec<i64>> {
        let records = self.records.as_ref()?;
        Some(
            records
                .iter()
                .filter_map(|r| r.split_once(':'))
                .filter(|(k, _)| *k == kind)
                .filter_map(|(_, id)| id.parse().ok())
                .collect(),
        )
    }

    /// The days of the usage evidence records (`usage:2026-03-05:Web app`).
    pub fn usage_days(&self) -> Option<Vec<NaiveDate>> {
        let records = self.records.as_ref()?;
        Some(
            records
                .iter()
                .filter_map(|r| r.strip_prefix("usage:"))
                .filter_map(|r| r.get(..10))
                .filter_map(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
                .collect(),
        )
    }
}

/// A table's sort: a column index (into the table's headers) and the direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Sort {
    pub column: usize,
    pub descending: bool,
}

impl Default for Sort {
    fn default() -> Self {
        Self::NEWEST
    }
}

impl Sort {
    /// Newest first: the first column (the day) descending.
    pub const NEWEST: Sort = Sort {
        column: 0,
        descending: true,
    };
}

/// Everything that picks the rows of a ledger table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableQuery {
    pub search: String,
    pub bounds: DayBounds,
    pub filters: Filters,
    /// Every name an account filter may appear under (organization ids and names).
    pub account_aliases: Vec<String>,
    pub focus: Option<Focus>,
    pub sort: Sort,
}

/// One provider account's balance over time, as the balance chart draws it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AccountBalance {
    pub provider: String,
    pub organization: String,
    /// `openai · Acme`.
    pub label: String,
    pub currency: Currency,
    /// The balance at the end of each day, oldest first.
    pub points: Vec<(NaiveDate, Amount)>,
    /// Credit that arrived (purchases, recharges, grants, inferred top-ups) from the first
    /// point on (credit before an anchor is not drawn: the line does not reach there).
    pub topups: Vec<(NaiveDate, Amount)>,
    /// Recharges or purchases that failed, from the first point on.
    pub failed: Vec<(NaiveDate, Amount)>,
    /// The balances the billing page showed (checkpoints), oldest first.
    pub checkpoints: Vec<(NaiveDate, Amount)>,
    /// The evidence id of the latest of them (`checkpoint:4`), which the card can remove.
    pub latest_checkpoint: Option<String>,
    pub closing: Amount,
    /// Average usage per day over the last 7 days.
    pub burn_per_day: Amount,
    /// The day the credit runs out at that rate, if within ten years.
    pub depletes_on: Option<NaiveDate>,
    /// Whole days from the as-of date to `depletes_on`.
    pub days_left: Option<i64>,
    /// Some credit the balance stands on was inferred from bank top-ups (no billing export);
    /// credit before the latest checkpoint does not count, the checkpoint replaced it.
    pub inferred: bool,
    /// Whether any credit or checkpoint is known (without one the balance is unknown, not 0).
    pub known: bool,
    /// Whether `closing` is only a lower bound (the history starts with usage before any known
    /// credit and no checkpoint anchors it).
    pub lower_bound: bool,
}

/// A flag with its dismissal, as the flags panel shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlagRow {
    pub flag: Flag,
    /// The note, when the user dismissed it.
    pub dismissed: Option<String>,
    /// The evidence records, described for people (`billing:3` -> "2026-11-03 credit purchase
    /// $50.00 paid").
    pub evidence: Vec<EvidenceRow>,
}

/// One evidence record of a flag, described.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EvidenceRow {
    pub record: String,
    pub day: Option<NaiveDate>,
    /// What the record is: "credit purchase, paid", "card line, pending".
    pub what: String,
    pub amount: Option<Money>,
    pub detail: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn buckets_start_on_monday_and_the_first() {
        let d = day(2026, 11, 19); // a Thursday
        assert_eq!(bucket_start(d, Bucket::Week), day(2026, 11, 16));
        assert_eq!(bucket_start(d, Bucket::Month), day(2026, 11, 1));
    }

    #[test]
    fn date_ranges_as_of_a_day() {
        let today = day(2026, 3, 15);
        let f = |range| Filters {
            range,
            ..Filters::default()
        };
        let b = f(DateRange::LastMonth).bounds(today);
        assert_eq!((b.from, b.to), (day(2026, 2, 1), day(2026, 2, 28)));
        let b = f(DateRange::ThisMonth).bounds(today);
        assert_eq!((b.from, b.to), (day(2026, 3, 1), today));
        let b = f(DateRange::Last90Days).bounds(today);
        assert_eq!((b.from, b.to), (day(2025, 12, 16), today));
        let b = f(DateRange::ThisYear).bounds(today);
        assert_eq!(b.from, day(2026, 1, 1));
        assert!(f(DateRange::All).bounds(today).contains(day(2001, 1, 1)));
        let custom = Filters {
            range: DateRange::Custom,
            custom_from: Some("2026-03-10".into()),
            custom_to: Some("2026-03-01".into()),
            ..Filters::default()
        };
        let b = custom.bounds(today);
        assert_eq!((b.from, b.to), (day(2026, 3, 1), day(2026, 3, 10)));
    }

    #[test]
    fn a_flag_focus_reads_its_evidence() {
        let focus = Focus {
            records: Some(vec![
                "bank:12".into(),
                "billing:3".into(),
                "billing:4".into(),
                "usage:2026-03-05:Web app".into(),
            ]),
            ..Focus::default()
        };
        assert_eq!(focus.ids_of("billing"), Some(vec![3, 4]));
        assert_eq!(focus.ids_of("bank"), Some(vec![12]));
        assert_eq!(focus.usage_days(), Some(vec![day(2026, 3, 5)]));
        assert_eq!(Focus::default().ids_of("bank"), None);
    }
}
