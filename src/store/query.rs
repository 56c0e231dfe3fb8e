//! Read-only questions asked of the ledger: report totals by period and group, and the import
//! history. Totals are summed by SQLite in integers (an overflow is an error, never a wrap).

use chrono::NaiveDate;
use rusqlite::params;
use serde::Serialize;

use super::{Store, StoreError};
use crate::domain::money::Amount;

/// What a report totals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportWhat {
    /// What the providers charged for usage.
    Usage,
    /// Money that left bank and card accounts for AI services (settled lines only).
    Paid,
    /// Credits bought and granted.
    Credits,
}

/// How a report groups its totals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportGroup {
    Provider,
    Project,
    Model,
    LineItem,
    /// Billing kind (credits only).
    Kind,
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

    fn bounds(&self) -> (String, String) {
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

const NONE: &str = "(none)";

impl Store {
    /// Totals for a period, grouped.
    ///
    /// # Errors
    /// When the grouping does not apply to what is totalled, or on a SQLite failure.
    pub fn report(
        &self,
        what: ReportWhat,
        group: ReportGroup,
        period: &Period,
    ) -> Result<Vec<ReportRow>, StoreError> {
        let group_expr = match (what, group) {
            (ReportWhat::Usage | ReportWhat::Paid | ReportWhat::Credits, ReportGroup::Provider) => {
                "provider".to_string()
            }
            (ReportWhat::Usage, ReportGroup::Project) => format!(
                "CASE WHEN project_name != '' THEN project_name WHEN project_id != '' THEN project_id ELSE '{NONE}' END"
            ),
            (ReportWhat::Usage, ReportGroup::Model) => {
                format!("CASE WHEN model != '' THEN model ELSE '{NONE}' END")
            }
            (ReportWhat::Usage, ReportGroup::LineItem) => format!(
                "CASE WHEN line_item != '' THEN line_item WHEN model != '' THEN model || ', ' || token_kind ELSE '{NONE}' END"
            ),
            (ReportWhat::Credits, ReportGroup::Kind) => "kind".to_string(),
            (ReportWhat::Credits, ReportGroup::Project) => {
                format!("CASE WHEN project != '' THEN project ELSE '{NONE}' END")
            }
            (ReportWhat::Paid, _) => {
                return Err(StoreError::Invalid(
                    "money paid can only be grouped --by provider".into(),
                ));
            }
            (ReportWhat::Credits, _) => {
                return Err(StoreError::Invalid(
                    "credits can be grouped --by kind, provider or project".into(),
                ));
            }
            (ReportWhat::Usage, ReportGroup::Kind) => {
                return Err(StoreError::Invalid(
                    "usage can be grouped --by provider, project, model or line_item".into(),
                ));
            }
        };
        let sql = match what {
            ReportWhat::Usage => format!(
                "SELECT {group_expr} AS g, currency, SUM(cost_nanos) FROM usage u
                 WHERE cost_nanos IS NOT NULL AND day BETWEEN ?1 AND ?2
                   AND NOT (grain = 'total' AND EXISTS (
                       SELECT 1 FROM usage d WHERE d.provider = u.provider AND d.organization_id = u.organization_id
                         AND d.day = u.day AND d.grain = 'detail' AND d.cost_nanos IS NOT NULL))
                 GROUP BY g, currency ORDER BY g, currency"
            ),
            ReportWhat::Paid => "SELECT provider AS g, currency, -SUM(amount_nanos) FROM bank_lines
                 WHERE provider IS NOT NULL AND status = 'settled' AND day BETWEEN ?1 AND ?2
                 GROUP BY g, currency ORDER BY g, currency"
                .to_string(),
            ReportWhat::Credits => format!(
                "SELECT {group_expr} AS g, currency, SUM(amount_nanos) FROM billing
                 WHERE kind IN ('credit_purchase', 'auto_recharge', 'free_credit')
                   AND (status = 'paid' OR (kind = 'free_credit' AND status NOT IN ('failed', 'void')))
                   AND day BETWEEN ?1 AND ?2
                 GROUP BY g, currency ORDER BY g, currency"
            ),
        };
        let (from, to) = period.bounds();
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

fn overflow(e: rusqlite::Error) -> StoreError {
    if e.to_string().contains("integer overflow") {
        StoreError::Overflow
    } else {
        StoreError::Sql(e)
    }
}
