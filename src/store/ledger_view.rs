//! What the balance and flag detectors read from the ledger, and the flags the user dismissed.
//!
//! Loads plain domain inputs ([`FlagInputs`]): every bank line (untagged ones too, so each
//! statement's date span is known), every billing record, usage cost per account and day and
//! per project and day (organisation-wide totals left out on days that have detailed rows, the
//! rule reports use), the organizations' ids and names, budgets and detector thresholds. Budgets
//! (`budgets`) and thresholds (`flag_params`) are JSON in the `settings` table. Nothing here
//! judges anything: the detectors in `domain::flags` do. Currencies are upper-cased on the way
//! out (`usd` in the openai exports is `USD`). A date-only record is stored at midnight, so a time
//! of exactly `00:00:00` is read as "no time of day".

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use rusqlite::params;
use serde::{Deserialize, Serialize};

use super::{Store, StoreError};
use crate::domain::balance::{AccountKey, DailyUsage};
use crate::domain::flags::{
    BankItem, BillingItem, Budget, BudgetScope, FlagInputs, FlagParams, OrgAlias, ProjectDay,
};
use crate::domain::money::{Amount, DecimalMark};
use crate::domain::records::{BankStatus, BillingKind, BillingStatus, SpendKind};

/// The settings key holding the budgets (a JSON array of [`BudgetSetting`]).
const BUDGETS_KEY: &str = "budgets";
/// The settings key holding the detector thresholds (a JSON [`FlagParams`]).
const PARAMS_KEY: &str = "flag_params";

/// Usage rows that count toward totals (the rule of `Store::report`).
const COUNTED_USAGE: &str = "cost_nanos IS NOT NULL
    AND NOT (grain = 'total' AND EXISTS (
        SELECT 1 FROM usage d WHERE d.provider = u.provider AND d.organization_id = u.organization_id
          AND d.day = u.day AND d.grain = 'detail' AND d.cost_nanos IS NOT NULL))";

/// A monthly budget as stored in the settings: `{"scope": "project", "name": "Web app",
/// "monthly": "100.00", "currency": "USD"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BudgetSetting {
    pub scope: BudgetScope,
    pub name: String,
    /// A decimal amount, as written.
    pub monthly: String,
    #[serde(default = "default_currency")]
    pub currency: String,
}

fn default_currency() -> String {
    "USD".to_string()
}

/// A flag the user dismissed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DismissedFlag {
    pub flag_id: String,
    pub note: String,
    pub dismissed_at: String,
}

fn parse_day(text: &str) -> rusqlite::Result<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, e.into())
    })
}

/// The time of day of a stored timestamp; `None` for date-only records (stored at midnight).
fn time_of_day(text: Option<&str>) -> Option<NaiveTime> {
    let text = text?;
    let t = NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S")
        .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S"))
        .ok()?
        .time();
    (t != NaiveTime::MIN).then_some(t)
}

fn invalid(what: &str, value: &str) -> StoreError {
    StoreError::Invalid(format!(
        "the ledger holds a {what} burnrate does not know ('{value}'); update burnrate"
    ))
}

fn overflow(e: rusqlite::Error) -> StoreError {
    if e.to_string().contains("integer overflow") {
        StoreError::Overflow
    } else {
        StoreError::Sql(e)
    }
}

impl Store {
    /// Everything the detectors and the balance need, from the whole ledger.
    ///
    /// # Errors
    /// On a database failure, a total too large to add up, a damaged budget setting, or a record
    /// kind this build does not know.
    pub fn flag_inputs(&self) -> Result<FlagInputs, StoreError> {
        Ok(FlagInputs {
            bank: self.bank_items()?,
            billing: self.billing_items()?,
            usage: self.daily_account_usage()?,
            project_usage: self.daily_project_usage()?,
            organizations: self.organization_aliases()?,
            budgets: self.budgets()?,
        })
    }

    /// Every bank and card line, oldest first.
    ///
    /// # Errors
    /// On a database failure or a status or kind this build does not know.
    pub fn bank_items(&self) -> Result<Vec<BankItem>, StoreError> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT id, source_file_id, provider, spend_kind, status, day, COALESCE(started_at, posted_at),
                    amount_nanos, currency, description
             FROM bank_lines ORDER BY day, id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, Option<String>>(3)?,
                r.get::<_, String>(4)?,
                parse_day(&r.get::<_, String>(5)?)?,
                r.get::<_, Option<String>>(6)?,
                r.get::<_, i64>(7)?,
                r.get::<_, String>(8)?,
                r.get::<_, String>(9)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, file, provider, kind, status, day, at, nanos, currency, description) = row?;
            let spend_kind = match kind.as_deref() {
                None => None,
                Some(k) => Some(SpendKind::parse(k).ok_or_else(|| invalid("spend kind", k))?),
            };
            let status = BankStatus::parse_stored(&status)
                .ok_or_else(|| invalid("bank line status", &status))?;
            out.push(BankItem {
                id,
                source_file_id: file,
                provider,
                spend_kind,
                status: Some(status),
                day,
                time: time_of_day(at.as_deref()),
                amount: Amount::from_nanos(nanos),
                currency: currency.to_ascii_uppercase(),
                description,
            });
        }
        Ok(out)
    }

    /// Every billing record, oldest first.
    ///
    /// # Errors
    /// On a database failure or a kind or status this build does not know.
    pub fn billing_items(&self) -> Result<Vec<BillingItem>, StoreError> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT id, source_file_id, provider, kind, status, day, occurred_at, amount_nanos,
                    currency, organization, project, expires_at
             FROM billing ORDER BY day, id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                (
                    r.get::<_, i64>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, String>(2)?,
                ),
                (r.get::<_, String>(3)?, r.get::<_, String>(4)?),
                (parse_day(&r.get::<_, String>(5)?)?, r.get::<_, String>(6)?),
                (r.get::<_, i64>(7)?, r.get::<_, String>(8)?),
                (r.get::<_, String>(9)?, r.get::<_, String>(10)?),
                r.get::<_, Option<String>>(11)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (
                (id, file, provider),
                (kind, status),
                (day, at),
                (nanos, currency),
                (org, project),
                expires,
            ) = row?;
            let kind = BillingKind::parse(&kind).ok_or_else(|| invalid("billing kind", &kind))?;
            let status =
                BillingStatus::parse(&status).ok_or_else(|| invalid("billing status", &status))?;
            let expires_on = expires
                .as_deref()
                .and_then(|t| t.get(..10))
                .and_then(|t| NaiveDate::parse_from_str(t, "%Y-%m-%d").ok());
            out.push(BillingItem {
                id,
                source_file_id: file,
                provider,
                kind,
                status,
                day,
                time: time_of_day(Some(&at)),
                amount: Amount::from_nanos(nanos),
                currency: currency.to_ascii_uppercase(),
                organization: org,
                project,
                expires_on,
            });
        }
        Ok(out)
    }

    /// Usage cost per account (provider and organization name, else id) and day.
    ///
    /// # Errors
    /// On a database failure or a total too large to add up.
    pub fn daily_account_usage(&self) -> Result<Vec<DailyUsage>, StoreError> {
        let sql = format!(
            "SELECT provider,
                    CASE WHEN organization_name != '' THEN organization_name ELSE organization_id END AS org,
                    day, upper(currency) AS cur, SUM(cost_nanos)
             FROM usage u WHERE {COUNTED_USAGE}
             GROUP BY provider, org, day, cur ORDER BY provider, org, day, cur"
        );
        let mut stmt = self.conn().prepare_cached(&sql)?;
        let rows = stmt
            .query_map([], |r| {
                Ok(DailyUsage {
                    account: AccountKey::new(&r.get::<_, String>(0)?, &r.get::<_, String>(1)?),
                    day: parse_day(&r.get::<_, String>(2)?)?,
                    currency: r.get(3)?,
                    cost: Amount::from_nanos(r.get(4)?),
                })
            })
            .map_err(overflow)?;
        rows.collect::<Result<_, _>>().map_err(overflow)
    }

    /// Usage cost per project (name, else id; empty outside projects) and day.
    ///
    /// # Errors
    /// On a database failure or a total too large to add up.
    pub fn daily_project_usage(&self) -> Result<Vec<ProjectDay>, StoreError> {
        let sql = format!(
            "SELECT provider,
                    CASE WHEN project_name != '' THEN project_name ELSE project_id END AS project,
                    day, upper(currency) AS cur, SUM(cost_nanos)
             FROM usage u WHERE {COUNTED_USAGE}
             GROUP BY provider, project, day, cur ORDER BY provider, project, day, cur"
        );
        let mut stmt = self.conn().prepare_cached(&sql)?;
        let rows = stmt
            .query_map([], |r| {
                Ok(ProjectDay {
                    provider: r.get(0)?,
                    project: r.get(1)?,
                    day: parse_day(&r.get::<_, String>(2)?)?,
                    currency: r.get(3)?,
                    cost: Amount::from_nanos(r.get(4)?),
                })
            })
            .map_err(overflow)?;
        rows.collect::<Result<_, _>>().map_err(overflow)
    }

    /// The organizations usage exports name, with their ids and names.
    ///
    /// # Errors
    /// On a database failure.
    pub fn organization_aliases(&self) -> Result<Vec<OrgAlias>, StoreError> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT DISTINCT provider, organization_id, organization_name FROM usage
             WHERE organization_id != '' OR organization_name != '' ORDER BY 1, 2, 3",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(OrgAlias {
                provider: r.get(0)?,
                id: r.get(1)?,
                name: r.get(2)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The stored budgets as the detectors read them.
    ///
    /// # Errors
    /// On a database failure or a damaged budget setting.
    pub fn budgets(&self) -> Result<Vec<Budget>, StoreError> {
        self.budget_settings()?
            .into_iter()
            .map(|b| {
                let monthly = Amount::parse(&b.monthly, DecimalMark::Dot).map_err(|e| {
                    StoreError::Invalid(format!("the budget for {} is damaged: {e}", b.name))
                })?;
                Ok(Budget {
                    scope: b.scope,
                    name: b.name,
                    monthly,
                    currency: b.currency.to_ascii_uppercase(),
                })
            })
            .collect()
    }

    /// The stored budgets as written.
    ///
    /// # Errors
    /// On a database failure or a damaged budget setting.
    pub fn budget_settings(&self) -> Result<Vec<BudgetSetting>, StoreError> {
        let Some(json) = self.setting(BUDGETS_KEY)? else {
            return Ok(Vec::new());
        };
        serde_json::from_str(&json)
            .map_err(|e| StoreError::Invalid(format!("the stored budgets are damaged: {e}")))
    }

    /// Replaces the stored budgets.
    ///
    /// # Errors
    /// On a database failure or an amount that is not a number.
    pub fn set_budget_settings(&self, budgets: &[BudgetSetting]) -> Result<(), StoreError> {
        for b in budgets {
            Amount::parse(&b.monthly, DecimalMark::Dot).map_err(|e| {
                StoreError::Invalid(format!("the budget for {} is not an amount: {e}", b.name))
            })?;
        }
        let json =
            serde_json::to_string(budgets).map_err(|e| StoreError::Invalid(e.to_string()))?;
        self.set_setting(BUDGETS_KEY, &json)
    }

    /// The detector thresholds: the stored ones, missing fields at their defaults.
    ///
    /// # Errors
    /// On a database failure or damaged stored thresholds.
    pub fn flag_params(&self) -> Result<FlagParams, StoreError> {
        let Some(json) = self.setting(PARAMS_KEY)? else {
            return Ok(FlagParams::default());
        };
        serde_json::from_str(&json).map_err(|e| {
            StoreError::Invalid(format!("the stored flag thresholds are damaged: {e}"))
        })
    }

    /// Stores the detector thresholds.
    ///
    /// # Errors
    /// On a database failure.
    pub fn set_flag_params(&self, params: &FlagParams) -> Result<(), StoreError> {
        let json = serde_json::to_string(params).map_err(|e| StoreError::Invalid(e.to_string()))?;
        self.set_setting(PARAMS_KEY, &json)
    }

    /// The flags the user dismissed, by id.
    ///
    /// # Errors
    /// On a database failure.
    pub fn dismissed_flags(&self) -> Result<Vec<DismissedFlag>, StoreError> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT flag_id, note, dismissed_at FROM dismissed_flags ORDER BY flag_id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(DismissedFlag {
                flag_id: r.get(0)?,
                note: r.get(1)?,
                dismissed_at: r.get(2)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Dismisses a flag with a note (dismissing it again replaces the note).
    ///
    /// # Errors
    /// On a database failure or an empty id.
    pub fn dismiss_flag(&self, flag_id: &str, note: &str, now: &str) -> Result<(), StoreError> {
        if flag_id.trim().is_empty() {
            return Err(StoreError::Invalid(
                "a flag id is needed to dismiss a flag".into(),
            ));
        }
        self.conn().execute(
            "INSERT INTO dismissed_flags(flag_id, note, dismissed_at) VALUES (?1, ?2, ?3)
             ON CONFLICT(flag_id) DO UPDATE SET note = excluded.note, dismissed_at = excluded.dismissed_at",
            params![flag_id.trim(), note, now],
        )?;
        Self::bump_revision(self.conn())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dismissals_budgets_and_params_round_trip() {
        let store = Store::open_in_memory().unwrap();
        assert!(store.dismissed_flags().unwrap().is_empty());
        store
            .dismiss_flag("abc", "known", "2026-03-01T00:00:00Z")
            .unwrap();
        store
            .dismiss_flag("abc", "still known", "2026-03-02T00:00:00Z")
            .unwrap();
        let d = store.dismissed_flags().unwrap();
        assert_eq!((d.len(), d[0].note.as_str()), (1, "still known"));
        store
            .set_budget_settings(&[BudgetSetting {
                scope: BudgetScope::Project,
                name: "Web app".into(),
                monthly: "100.00".into(),
                currency: "usd".into(),
            }])
            .unwrap();
        let b = store.budgets().unwrap();
        assert_eq!(
            (b[0].monthly.nanos(), b[0].currency.as_str()),
            (100_000_000_000, "USD")
        );
        assert_eq!(store.flag_params().unwrap(), FlagParams::default());
        store
            .set_setting(PARAMS_KEY, r#"{"hold_age_days": 3}"#)
            .unwrap();
        assert_eq!(store.flag_params().unwrap().hold_age_days, 3);
        let inputs = store.flag_inputs().unwrap();
        assert!(inputs.bank.is_empty() && inputs.usage.is_empty());
    }

    #[test]
    fn midnight_is_no_time_of_day() {
        assert_eq!(time_of_day(Some("2026-03-05T00:00:00")), None);
        assert_eq!(
            time_of_day(Some("2026-03-05T10:07:00")),
            NaiveTime::from_hms_opt(10, 7, 0)
        );
        assert_eq!(time_of_day(None), None);
    }
}
