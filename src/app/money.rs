//! Balances and flags as the window shows them: the ledger judged by [`projection::load`], the
//! service the `balance` and `flags` commands use, so the window and the command line show the
//! same balances, run-out dates and flags.
//!
//! Runs only when the ledger's revision changes (never per frame) and reads the ledger once.
//! Nothing here judges anything new: it arranges what the domain computed into the plain views
//! of `domain::views`.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;

use crate::domain::balance::{AccountKey, LotKind};
use crate::domain::ledger::{BankItem, BillingItem, Snapshot};
use crate::domain::money::{Amount, Currency, Money};
use crate::domain::projection::Projection;
use crate::domain::records::{BankStatus, BillingStatus};
use crate::domain::views::{AccountBalance, EvidenceRow, FlagRow};
use crate::services::projection::{self, Judged};
use crate::store::{Store, StoreError};

/// Everything the money views need, read once per revision.
#[derive(Debug, Clone, Default)]
pub struct MoneyModel {
    /// The ledger judged as of today: its snapshot, matching and account projections.
    pub judged: Judged,
    pub balances: Vec<AccountBalance>,
    pub flags: Vec<FlagRow>,
}

impl MoneyModel {
    /// Reads the ledger and runs the balance and flag rules as of `today`.
    ///
    /// # Errors
    /// On a ledger failure or a total too large to add up.
    pub fn build(store: &Store, today: NaiveDate) -> Result<Self, StoreError> {
        let judged = projection::load(store, today)?;
        let detected = judged.flags();
        let dismissed: BTreeMap<String, String> = store
            .dismissed_flags()?
            .into_iter()
            .map(|d| (d.flag_id, d.note))
            .collect();
        let inputs = judged.snapshot();
        let records = Records::of(inputs);
        let flags = detected
            .into_iter()
            .map(|flag| FlagRow {
                dismissed: dismissed.get(&flag.id).cloned(),
                evidence: flag.records.iter().map(|r| describe(&records, r)).collect(),
                flag,
            })
            .collect();
        let balances = judged
            .projections
            .iter()
            .filter(|p| !p.balance.days.is_empty())
            .map(|p| account_balance(inputs, p, today))
            .collect();
        Ok(Self {
            judged,
            balances,
            flags,
        })
    }

    /// The ledger as of today.
    pub fn inputs(&self) -> &Snapshot {
        self.judged.snapshot()
    }

    /// Every name the account `organization` of `provider` appears under in the ledger.
    pub fn aliases(&self, provider: &str, organization: &str) -> Vec<String> {
        let mut out = vec![organization.to_string()];
        for a in &self.inputs().organizations {
            let same_provider = provider.is_empty() || a.provider == provider;
            if same_provider && (a.name == organization || a.id == organization) {
                out.push(a.id.clone());
                out.push(a.name.clone());
            }
        }
        out.retain(|a| !a.is_empty());
        out.sort();
        out.dedup();
        out
    }
}

/// One account's balance card and chart line, from its projection (the day it runs out is the
/// forecast's, which follows the simulated auto-recharges).
fn account_balance(inputs: &Snapshot, p: &Projection, today: NaiveDate) -> AccountBalance {
    let (account, b) = (&p.account, &p.balance);
    let depletes_on = p.forecast.depletes_on;
    let points: Vec<(NaiveDate, Amount)> = b.series().iter().map(|d| (d.day, d.balance)).collect();
    let drawn_from = points.first().map(|(day, _)| *day);
    let on_the_line = |day: NaiveDate| drawn_from.is_some_and(|from| day >= from);
    AccountBalance {
        label: account.label(),
        provider: account.provider.clone(),
        organization: account.organization.clone(),
        currency: b.currency,
        // A checkpoint's lot is the credit the page showed beyond the records: drawn as the
        // checkpoint, not as credit added.
        topups: b
            .lots
            .iter()
            .filter(|l| l.kind != LotKind::Checkpoint && on_the_line(l.day))
            .map(|l| (l.day, l.amount))
            .collect(),
        failed: failed_topups(inputs, account, b.currency)
            .into_iter()
            .filter(|(day, _)| on_the_line(*day))
            .collect(),
        checkpoints: b.checkpoints.iter().map(|c| (c.day, c.shown)).collect(),
        latest_checkpoint: b.checkpoints.last().map(|c| c.record.clone()),
        points,
        closing: b.closing(),
        burn_per_day: p.burn_per_day,
        depletes_on,
        days_left: depletes_on.map(|d| (d - today).num_days()),
        inferred: b.stands_on_inferred_credit(),
        known: b.is_known(),
        lower_bound: b.lower_bound(),
    }
}

/// Credit purchases and recharges that failed, for an account.
fn failed_topups(
    inputs: &Snapshot,
    account: &AccountKey,
    currency: Currency,
) -> Vec<(NaiveDate, Amount)> {
    inputs
        .billing
        .iter()
        .filter(|b| {
            b.buys_credit()
                && b.status == BillingStatus::Failed
                && b.currency == currency
                && &inputs.resolve_account(&b.provider, &b.organization) == account
        })
        .map(|b| (b.day, b.amount.abs()))
        .collect()
}

/// The snapshot's bank lines and billing records by id, for describing the flags' evidence: a
/// long history raises thousands of flags whose records are among 100,000 bank lines, each
/// found by one lookup instead of a walk of the list.
struct Records<'a> {
    bank: HashMap<i64, &'a BankItem>,
    billing: HashMap<i64, &'a BillingItem>,
}

impl<'a> Records<'a> {
    fn of(inputs: &'a Snapshot) -> Self {
        // In reverse, so the first record of an id wins, as a search from the start finds it.
        Self {
            bank: inputs.bank.iter().rev().map(|b| (b.id, b)).collect(),
            billing: inputs.billing.iter().rev().map(|b| (b.id, b)).collect(),
        }
    }
}

/// One evidence record, described for people.
fn describe(records: &Records<'_>, record: &str) -> EvidenceRow {
    let mut row = EvidenceRow {
        record: record.to_string(),
        ..EvidenceRow::default()
    };
    let Some((kind, rest)) = record.split_once(':') else {
        return row;
    };
    match kind {
        "bank" => {
            if let Some(b) = rest
                .parse::<i64>()
                .ok()
                .and_then(|id| records.bank.get(&id))
            {
                row.day = Some(b.day);
                row.what = format!(
                    "bank line, {}",
                    b.status.map_or("unknown", BankStatus::as_str)
                );
                row.amount = Some(Money {
                    amount: b.amount,
                    currency: b.currency,
                });
                row.detail = b.time.map_or_else(
                    || b.description.clone(),
                    |t| format!("{} {}", t.format("%H:%M"), b.description),
                );
            }
        }
        "billing" => {
            if let Some(b) = rest
                .parse::<i64>()
                .ok()
                .and_then(|id| records.billing.get(&id))
            {
                row.day = Some(b.day);
                row.what = format!(
                    "{}, {}",
                    b.kind.as_str().replace('_', " "),
                    b.status.as_str()
                );
                row.amount = Some(Money {
                    amount: b.amount,
                    currency: b.currency,
                });
                let time = b.time.map(|t| t.format("%H:%M").to_string());
                row.detail = [
                    time.unwrap_or_default(),
                    b.provider.clone(),
                    b.organization.clone(),
                ]
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(" · ");
            }
        }
        "usage" => {
            row.what = "usage".into();
            if let Some((day, label)) = rest.split_at_checked(10) {
                row.day = NaiveDate::parse_from_str(day, "%Y-%m-%d").ok();
                row.detail = label.trim_start_matches(':').to_string();
            }
        }
        _ => {}
    }
    row
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::balance::Checkpoint;
    use crate::domain::flags::test_support::{d, every_day, topup, usd};
    use crate::domain::projection;
    use crate::domain::records::BankStatus::Settled;

    /// Regression: after the billing page's balance was entered, the chart drew the card's
    /// top-ups from before it at $0 (the line starts at the checkpoint), drew the checkpoint as
    /// "credit added", and the card still said "inferred".
    #[test]
    fn a_checkpoint_is_drawn_as_itself_and_credit_before_it_is_not() {
        let account = AccountKey::new("openai", "");
        let snapshot = Snapshot {
            bank: vec![
                topup(1, "openai", Settled, "2026-10-03", "-50.00"),
                topup(2, "openai", Settled, "2026-10-25", "-20.00"),
            ],
            usage: every_day("openai", "", "2026-10-01", "2026-10-30", "2.00"),
            checkpoints: vec![Checkpoint {
                record: "checkpoint:1".into(),
                account: account.clone(),
                day: d("2026-10-20"),
                shown: usd("100.00"),
                currency: Currency::USD,
            }],
            ..Snapshot::default()
        };
        let today = d("2026-10-30");
        let cut = snapshot.up_to(today);
        let p = projection::project(&cut, &account, today).unwrap();
        let b = account_balance(&cut, &p, today);
        assert_eq!(b.points.first(), Some(&(d("2026-10-20"), usd("100.00"))));
        assert_eq!(b.checkpoints, [(d("2026-10-20"), usd("100.00"))]);
        assert_eq!(b.topups, [(d("2026-10-25"), usd("20.00"))]);
        assert!(
            b.inferred,
            "the 10-25 top-up is inferred and after the checkpoint"
        );
        let without_late = Snapshot {
            bank: snapshot.bank[..1].to_vec(),
            ..snapshot
        };
        let cut = without_late.up_to(today);
        let p = projection::project(&cut, &account, today).unwrap();
        let b = account_balance(&cut, &p, today);
        assert!(b.topups.is_empty(), "{:?}", b.topups);
        assert!(!b.inferred, "the checkpoint replaced the inferred credit");
    }
}
