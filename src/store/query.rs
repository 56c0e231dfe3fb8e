//! Read-only questions asked of the ledger: report totals by period and group, and the import
//! history. Totals are summed by SQLite in integers (an overflow is an error, never a wrap).

use chrono::NaiveDate;
use rusqlite::params;
use serde::Serialize;

use super::groups::sum_rows;
use super::sql::{self, COUNTED_USAGE, overflow};
use super::{Store, StoreError};
use crate::domain::money::Amount;

/// What a report totals and how it groups the totals. Only the groupings that mean something
/// for what is totalled can be written down.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportKind {
    /// What the providers charged for usage.
    Usage(UsageGroup),
    /// Money that left bank and card accounts for AI services (settled lines only), by
    /// provider: a bank line names no project or model.
    Paid,
    /// Credits bought and granted.
    Credits(CreditGroup),
}

/// How a usage report groups its totals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UsageGroup {
    Provider,
    Project,
    Model,
    LineItem,
}

/// How a credits report groups its totals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CreditGroup {
    /// Billing kind: credit purchase, auto-recharge, free credit.
    Kind,
    Provider,
    Project,
}

/// The days a report covers, inclusive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Period {
    /// How the period is named in output (`2026-10`, `2026-10-01..2026-10-15`, `all`).
    pub label: String,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

impl Period {
    pub fn all() -> Self {
        Self {
            label: "all".into(),
            from: None,
            to: None,
        }
    }

    /// The calendar month `YYYY-MM`.
    pub fn month(text: &str) -> Option<Self> {
        let first = NaiveDate::parse_from_str(&format!("{}-01", text.trim()), "%Y-%m-%d").ok()?;
        let next = first.checked_add_months(chrono::Months::new(1))?;
        Some(Self {
            label: first.format("%Y-%m").to_string(),
            from: Some(first),
            to: next.pred_opt(),
        })
    }

    /// From one day to another, inclusive.
    pub fn range(from: NaiveDate, to: NaiveDate) -> Self {
        Self {
            label: format!("{from}..{to}"),
            from: Some(from),
            to: Some(to),
        }
    }

    /// The first and last day as stored days, open ends as the earliest and latest day.
    pub(super) fn bounds(&self) -> (String, String) {
        (
            self.from
                .map_or_else(|| "0000-01-01".to_string(), |d| d.to_string()),
            self.to
                .map_or_else(|| "9999-12-31".to_string(), |d| d.to_string()),
        )
    }
}

/// One line of a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReportRow {
    pub period: String,
    pub group: String,
    /// Exact total; printed rounded to cents.
    #[serde(serialize_with = "cents")]
    pub amount: Amount,
    pub currency: String,
}

#[expect(
    clippy::trivially_copy_pass_by_ref,
    reason = "serde's serialize_with passes a reference"
)]
fn cents<S: serde::Serializer>(amount: &Amount, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&amount.to_cents_string())
}

/// One imported file, for the history.
#[derive(Debug, Clone, Serialize)]
pub struct SourceFileRow {
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

/// The counted daily sums per model (every name a usage record has but its line item).
const PER_MODEL: &str = "usage_counted";
/// The counted daily sums per project, whatever the model: fewer rows when only providers,
/// organizations or projects matter.
const PER_PROJECT: &str = "usage_project_counted";

impl Store {
    /// Totals for a period, grouped.
    ///
    /// # Errors
    /// On a SQLite failure or a total too large to add up.
    pub fn report(&self, kind: ReportKind, period: &Period) -> Result<Vec<ReportRow>, StoreError> {
        let (from, to) = period.bounds();
        let sql = match kind {
            ReportKind::Usage(group) => {
                // The daily sums know every grouping but the line item, which reads records.
                let sql = match group {
                    UsageGroup::Provider => Self::counted_sums("provider", PER_PROJECT),
                    UsageGroup::Project => Self::counted_sums(&sql::project_label(), PER_PROJECT),
                    UsageGroup::Model => Self::counted_sums(&sql::model_label(), PER_MODEL),
                    UsageGroup::LineItem => format!(
                        "SELECT {}, currency, cost_nanos FROM usage u
                         WHERE {COUNTED_USAGE} AND day BETWEEN ?1 AND ?2",
                        sql::line_item_label()
                    ),
                };
                let rows = sum_rows::<2>(self.conn(), &sql, params![from, to])?;
                return Ok(rows
                    .into_iter()
                    .map(|([group, currency], nanos)| ReportRow {
                        period: period.label.clone(),
                        group,
                        currency,
                        amount: Amount::from_nanos(nanos),
                    })
                    .collect());
            }
            ReportKind::Paid => "SELECT provider AS g, currency, -SUM(amount_nanos) FROM bank_lines
                 WHERE provider IS NOT NULL AND status = 'settled' AND day BETWEEN ?1 AND ?2
                 GROUP BY g, currency ORDER BY g, currency"
                .to_string(),
            ReportKind::Credits(group) => {
                let group_expr = match group {
                    CreditGroup::Kind => "kind".to_string(),
                    CreditGroup::Provider => "provider".to_string(),
                    CreditGroup::Project => sql::or_none("project"),
                };
                format!(
                    "SELECT {group_expr} AS g, currency, SUM(amount_nanos) FROM billing
                     WHERE kind IN ('credit_purchase', 'auto_recharge', 'free_credit')
                       AND (status = 'paid' OR (kind = 'free_credit' AND status NOT IN ('failed', 'void')))
                       AND day BETWEEN ?1 AND ?2
                     GROUP BY g, currency ORDER BY g, currency"
                )
            }
        };
        let mut stmt = self.conn().prepare_cached(&sql)?;
        let rows = stmt.query_map(params![from, to], |r| {
            Ok(ReportRow {
                period: period.label.clone(),
                group: r.get(0)?,
                currency: r.get(1)?,
                amount: Amount::from_nanos(r.get(2)?),
            })
        });
        match rows {
            Ok(rows) => rows.collect::<Result<Vec<_>, _>>().map_err(overflow),
            Err(e) => Err(overflow(e)),
        }
    }

    /// The counted daily sums (`sums`: [`PER_MODEL`] or [`PER_PROJECT`]) of the days `?1` to
    /// `?2`, each with its `group` and currency.
    fn counted_sums(group: &str, sums: &str) -> String {
        format!("SELECT {group}, currency, cost_nanos FROM {sums} WHERE day BETWEEN ?1 AND ?2")
    }

    /// The import history, newest first.
    ///
    /// # Errors
    /// On a SQLite failure.
    pub fn source_files(&self) -> Result<Vec<SourceFileRow>, StoreError> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT id, name, format, imported_at, rows, inserted, updated, duplicates, rejected FROM source_files ORDER BY id DESC",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(SourceFileRow {
                id: r.get(0)?,
                name: r.get(1)?,
                format: r.get(2)?,
                imported_at: r.get(3)?,
                rows: r.get(4)?,
                inserted: r.get(5)?,
                updated: r.get(6)?,
                duplicates: r.get(7)?,
                rejected: r.get(8)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
