//! An account's balance, burn rate and forecast, computed one way for everyone who shows or
//! judges them: `burnrate balance`, the window's balance cards and forecast chart, the top-up
//! doctor and the balance flags.
//!
//! The pipeline: the credit lots of the snapshot ([`credit_lots`]) -> the day-by-day balance
//! ([`balance::simulate`]) -> the burn rate over the last [`BURN_WINDOW_DAYS`] days of usage data
//! -> the forecast after the as-of date, through the account's auto-recharge when one is set and
//! the last one did not fail (a failing recharge is not counted on). Pure: the snapshot and
//! "today" come in as parameters.

use std::collections::BTreeSet;

use chrono::NaiveDate;

use super::balance::{self, AccountKey, AutoRecharge, Balance, BalanceError, Forecast};
use super::ledger::{Snapshot, credit_lots};
use super::money::Amount;
use super::records::BillingKind;

/// The burn rate the forecast draws at: the average over this many days.
pub const BURN_WINDOW_DAYS: u32 = 7;
/// The longer burn rate shown beside it.
pub const LONG_BURN_WINDOW_DAYS: u32 = 30;

/// One account's balance and where it is heading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Projection {
    pub account: AccountKey,
    pub balance: Balance,
    /// Average usage per day over [`BURN_WINDOW_DAYS`] (the forecast's rate).
    pub burn_per_day: Amount,
    /// Average usage per day over [`LONG_BURN_WINDOW_DAYS`].
    pub long_burn_per_day: Amount,
    /// The user's auto-recharge setting for the account.
    pub setting: Option<AutoRecharge>,
    /// Set when the setting exists and the last auto-recharge failed with none paid since: the
    /// forecast then simulates no recharge.
    pub recharge_failing_since: Option<NaiveDate>,
    /// The projection after the as-of date.
    pub forecast: Forecast,
}

impl Projection {
    /// The auto-recharge the forecast simulated, if any.
    pub fn simulated_recharge(&self) -> Option<&AutoRecharge> {
        self.setting
            .as_ref()
            .filter(|_| self.recharge_failing_since.is_none())
    }
}

/// The balance of every account with credit lots or usage, up to `as_of` (`snapshot` cut at it).
/// An account whose totals overflow is left out.
pub fn balances(snapshot: &Snapshot, as_of: NaiveDate) -> Vec<Balance> {
    let lots = credit_lots(snapshot);
    snapshot
        .accounts()
        .iter()
        .filter_map(|a| {
            balance::simulate(a, &lots, &snapshot.usage, &snapshot.checkpoints, as_of).ok()
        })
        .collect()
}

/// The balances of prepaid accounts: those with credit, of providers not billed by invoice.
pub fn prepaid_balances(snapshot: &Snapshot, as_of: NaiveDate) -> Vec<Balance> {
    let postpaid: BTreeSet<&str> = snapshot
        .billing
        .iter()
        .filter(|b| b.kind == BillingKind::Invoice)
        .map(|b| b.provider.as_str())
        .collect();
    let with_credit: BTreeSet<AccountKey> = credit_lots(snapshot)
        .into_iter()
        .map(|l| l.account)
        .collect();
    balances(snapshot, as_of)
        .into_iter()
        .filter(|b| with_credit.contains(&b.account))
        .filter(|b| !postpaid.contains(b.account.provider.as_str()))
        .collect()
}

/// The projection of one account as of `as_of` (`snapshot` cut at it).
///
/// # Errors
/// When a total is too large to add up exactly.
pub fn project(
    snapshot: &Snapshot,
    account: &AccountKey,
    as_of: NaiveDate,
) -> Result<Projection, BalanceError> {
    let lots = credit_lots(snapshot);
    let balance = balance::simulate(
        account,
        &lots,
        &snapshot.usage,
        &snapshot.checkpoints,
        as_of,
    )?;
    project_balance(snapshot, balance)
}

/// The projection of every account with records, as of `as_of` (`snapshot` cut at it); an
/// account whose totals overflow is left out.
pub fn project_all(snapshot: &Snapshot, as_of: NaiveDate) -> Vec<Projection> {
    balances(snapshot, as_of)
        .into_iter()
        .filter_map(|b| project_balance(snapshot, b).ok())
        .collect()
}

fn project_balance(snapshot: &Snapshot, balance: Balance) -> Result<Projection, BalanceError> {
    let account = balance.account.clone();
    let burn_per_day = balance.burn_rate_per_day(BURN_WINDOW_DAYS)?;
    let long_burn_per_day = balance.burn_rate_per_day(LONG_BURN_WINDOW_DAYS)?;
    let setting = snapshot.auto_recharge_for(&account).cloned();
    let recharge_failing_since = setting
        .as_ref()
        .and(snapshot.auto_recharge_failing_since(&account));
    let forecast = balance.forecast(
        burn_per_day,
        snapshot.forecast_recharge_for(&account),
        &snapshot.auto_recharge_history(&account),
    )?;
    Ok(Projection {
        account,
        balance,
        burn_per_day,
        long_burn_per_day,
        setting,
        recharge_failing_since,
        forecast,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::flags::test_support::{bill_in, d, usd, used_in};
    use crate::domain::records::BillingKind::{AutoRecharge as Auto, CreditPurchase};
    use crate::domain::records::BillingStatus;

    fn ledger(recharge_status: BillingStatus) -> Snapshot {
        let mut failed = bill_in(2, "openai", "Acme", Auto, "2026-03-08 02:00", "20.00");
        failed.status = recharge_status;
        Snapshot {
            billing: vec![
                bill_in(1, "openai", "Acme", CreditPurchase, "2026-03-01", "30.00"),
                failed,
                bill_in(3, "anthropic", "", CreditPurchase, "2026-03-01", "10.00"),
            ],
            usage: (1..=10)
                .map(|day| used_in("openai", "Acme", &format!("2026-03-{day:02}"), "2.00"))
                .collect(),
            auto_recharges: vec![AutoRecharge {
                account: AccountKey::new("openai", "Acme"),
                threshold: usd("5"),
                amount: usd("20"),
                monthly_cap: None,
            }],
            ..Snapshot::default()
        }
    }

    #[test]
    fn one_pipeline_from_lots_to_forecast() {
        // (case, status of the 03-08 auto-recharge, balance on 03-10, runs out, failing since)
        let cases = [
            (
                "a paid recharge is simulated again",
                BillingStatus::Paid,
                "30.00",
                None,
                None,
            ),
            (
                "a failed recharge is not counted on",
                BillingStatus::Failed,
                "10.00",
                Some("2026-03-15"),
                Some("2026-03-08"),
            ),
        ];
        for (name, status, closing, runs_out, failing) in cases {
            let snapshot = ledger(status);
            let acme = AccountKey::new("openai", "Acme");
            let p = project(&snapshot, &acme, d("2026-03-10")).unwrap();
            assert_eq!(p.balance.closing(), usd(closing), "{name}");
            assert_eq!(p.burn_per_day, usd("2.00"), "{name}");
            assert_eq!(p.forecast.depletes_on, runs_out.map(d), "{name}");
            assert_eq!(p.recharge_failing_since, failing.map(d), "{name}");
            assert_eq!(
                p.simulated_recharge().is_some(),
                failing.is_none(),
                "{name}"
            );
            let all = project_all(&snapshot, d("2026-03-10"));
            let labels: Vec<String> = all.iter().map(|p| p.account.label()).collect();
            assert_eq!(labels, ["anthropic", "openai/Acme"], "{name}");
            assert_eq!(all.get(1), Some(&p), "{name}");
        }
    }
}
