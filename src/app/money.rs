//! Balances, flags and the top-up lifecycle as the window shows them, computed with the same
//! domain functions the `balance` and `flags` commands use: [`flags::credit_lots`],
//! [`balance::simulate`], `burn_rate_per_day(7)`, `depletes_on` and [`flags::detect`].
//!
//! Runs only when the ledger's revision changes (never per frame) and reads the ledger through
//! [`Store::flag_inputs`] once. Nothing here judges anything new: it arranges what the domain
//! computed into the plain views of `domain::views`.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use crate::domain::balance::{self, AccountKey, LotKind};
use crate::domain::flags::{self, BankItem, BillingItem, FlagInputs};
use crate::domain::money::Amount;
use crate::domain::records::{BankStatus, BillingKind, BillingStatus};
use crate::domain::views::{AccountBalance, EvidenceRow, FlagRow, Money};
use crate::store::{Store, StoreError};
use crate::ui::doctor::{DoctorStep, DoctorView, StepState};

/// Everything the money views need, read once per revision.
#[derive(Debug, Clone, Default)]
pub struct MoneyModel {
    pub inputs: FlagInputs,
    pub balances: Vec<AccountBalance>,
    /// Every account's credit lots as the balance consumed them, with their currency.
    pub lots: Vec<(balance::LotOutcome, String)>,
    pub flags: Vec<FlagRow>,
}

impl MoneyModel {
    /// Reads the ledger and runs the balance and flag rules as of `today`.
    ///
    /// # Errors
    /// On a ledger failure or a total too large to add up.
    pub fn build(store: &Store, today: NaiveDate) -> Result<Self, StoreError> {
        let all = store.flag_inputs()?;
        let params = store.flag_params()?;
        let detected = flags::detect(&all, &params, today);
        let dismissed: BTreeMap<String, String> = store
            .dismissed_flags()?
            .into_iter()
            .map(|d| (d.flag_id, d.note))
            .collect();
        let inputs = all.up_to(today);
        let flags = detected
            .into_iter()
            .map(|flag| FlagRow {
                dismissed: dismissed.get(&flag.id).cloned(),
                evidence: flag.records.iter().map(|r| describe(&inputs, r)).collect(),
                flag,
            })
            .collect();
        let (balances, lots) = balances(&inputs, today)?;
        Ok(Self {
            inputs,
            balances,
            lots,
            flags,
        })
    }

    /// Every name the account `organization` of `provider` appears under in the ledger.
    pub fn aliases(&self, provider: &str, organization: &str) -> Vec<String> {
        let mut out = vec![organization.to_string()];
        for a in &self.inputs.organizations {
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

    /// The lifecycle of the top-up a flag is about, from its evidence records: authorized (a
    /// card hold), settled (the card line), credited (the provider's credit purchase) and
    /// consumed (how much of that credit usage has drawn).
    pub fn doctor(&self, flag_id: &str) -> Option<DoctorView> {
        let row = self.flags.iter().find(|f| f.flag.id == flag_id)?;
        let bank: Vec<&BankItem> = row
            .flag
            .records
            .iter()
            .filter_map(|r| r.strip_prefix("bank:")?.parse::<i64>().ok())
            .filter_map(|id| self.inputs.bank.iter().find(|b| b.id == id))
            .collect();
        let billing: Vec<&BillingItem> = row
            .flag
            .records
            .iter()
            .filter_map(|r| r.strip_prefix("billing:")?.parse::<i64>().ok())
            .filter_map(|id| self.inputs.billing.iter().find(|b| b.id == id))
            .collect();
        let mut steps = Vec::with_capacity(4);
        let holds: Vec<&&BankItem> = bank
            .iter()
            .filter(|b| b.status == Some(BankStatus::Pending))
            .collect();
        let settled: Vec<&&BankItem> = bank
            .iter()
            .filter(|b| b.status == Some(BankStatus::Settled))
            .collect();
        steps.push(match (holds.first(), settled.first()) {
            (Some(h), _) => step("Authorized", StepState::Done, Some(h.day), &bank_text(h)),
            (None, Some(s)) => step(
                "Authorized",
                StepState::Done,
                Some(s.day),
                "the card line settled, so the charge was authorized",
            ),
            (None, None) => step(
                "Authorized",
                StepState::Unknown,
                None,
                "no card or bank line among the evidence; import the statement to see it",
            ),
        });
        steps.push(match (settled.first(), holds.first()) {
            (Some(s), _) => step("Settled", StepState::Done, Some(s.day), &bank_text(s)),
            (None, Some(h)) => step(
                "Settled",
                StepState::Missing,
                Some(h.day),
                "the hold has not settled yet: no money has moved",
            ),
            (None, None) => step("Settled", StepState::Unknown, None, "no bank evidence"),
        });
        let credits: Vec<&&BillingItem> = billing
            .iter()
            .filter(|b| {
                matches!(
                    b.kind,
                    BillingKind::CreditPurchase | BillingKind::AutoRecharge
                )
            })
            .collect();
        let paid = credits.iter().find(|b| b.status == BillingStatus::Paid);
        steps.push(match (paid, credits.first()) {
            (Some(c), _) => step("Credited", StepState::Done, Some(c.day), &billing_text(c)),
            (None, Some(c)) => step(
                "Credited",
                StepState::Missing,
                Some(c.day),
                &format!("the provider shows the purchase as {}", c.status.as_str()),
            ),
            (None, None) => step(
                "Credited",
                StepState::Missing,
                None,
                "no credit purchase among the evidence: check the provider's billing page",
            ),
        });
        steps.push(self.consumed_step(paid.copied().copied()));
        Some(DoctorView {
            title: row.flag.message.clone(),
            flag_id: row.flag.id.clone(),
            steps,
        })
    }

    fn consumed_step(&self, credit: Option<&BillingItem>) -> DoctorStep {
        let Some(credit) = credit else {
            return step("Consumed", StepState::Unknown, None, "nothing was credited");
        };
        let record = credit.record();
        let lot = self.lots.iter().find(|(l, _)| l.record == record);
        let Some((lot, currency)) = lot else {
            return step(
                "Consumed",
                StepState::Unknown,
                None,
                "the credit is not in any account's balance",
            );
        };
        let used = lot
            .amount
            .checked_sub(lot.remaining)
            .and_then(|a| a.checked_sub(lot.expired))
            .unwrap_or_default();
        let state = if lot.remaining.is_zero() {
            StepState::Done
        } else {
            StepState::Pending
        };
        step(
            "Consumed",
            state,
            None,
            &format!(
                "{} of {} used, {} left{}",
                crate::ui::format::money(used, currency),
                crate::ui::format::money(lot.amount, currency),
                crate::ui::format::money(lot.remaining, currency),
                if lot.expired.is_zero() {
                    String::new()
                } else {
                    format!(
                        ", {} expired",
                        crate::ui::format::money(lot.expired, currency)
                    )
                }
            ),
        )
    }
}

fn step(name: &str, state: StepState, day: Option<NaiveDate>, detail: &str) -> DoctorStep {
    DoctorStep {
        name: name.to_string(),
        state,
        day,
        detail: detail.to_string(),
    }
}

fn bank_text(b: &BankItem) -> String {
    let time = b
        .time
        .map(|t| format!(" {}", t.format("%H:%M")))
        .unwrap_or_default();
    format!(
        "{}{time}: {} {}",
        b.day,
        crate::ui::format::money(b.amount, &b.currency),
        b.description
    )
}

fn billing_text(b: &BillingItem) -> String {
    format!(
        "{}: {} {} ({})",
        b.day,
        b.kind.as_str().replace('_', " "),
        crate::ui::format::money(b.amount, &b.currency),
        b.status.as_str()
    )
}

/// One balance per account, as `burnrate balance` computes it.
type Balances = (Vec<AccountBalance>, Vec<(balance::LotOutcome, String)>);

fn balances(inputs: &FlagInputs, today: NaiveDate) -> Result<Balances, StoreError> {
    let lots = flags::credit_lots(inputs);
    let mut out = Vec::new();
    let mut outcomes = Vec::new();
    for account in inputs.accounts() {
        let b = balance::simulate(&account, &lots, &inputs.usage, today)
            .map_err(|_| StoreError::Overflow)?;
        if b.days.is_empty() {
            continue;
        }
        let burn = b.burn_rate_per_day(7).map_err(|_| StoreError::Overflow)?;
        let depletes_on = b.depletes_on(burn);
        out.push(AccountBalance {
            label: account.label(),
            provider: account.provider.clone(),
            organization: account.organization.clone(),
            currency: b.currency.clone(),
            points: b.days.iter().map(|d| (d.day, d.balance)).collect(),
            topups: b.lots.iter().map(|l| (l.day, l.amount)).collect(),
            failed: failed_topups(inputs, &account, &b.currency),
            closing: b.closing(),
            burn_per_day: burn,
            depletes_on,
            days_left: depletes_on.map(|d| (d - today).num_days()),
            inferred: b.lots.iter().any(|l| l.kind == LotKind::Inferred),
        });
        outcomes.extend(b.lots.into_iter().map(|l| (l, b.currency.clone())));
    }
    Ok((out, outcomes))
}

/// Credit purchases and recharges that failed, for an account.
fn failed_topups(
    inputs: &FlagInputs,
    account: &AccountKey,
    currency: &str,
) -> Vec<(NaiveDate, Amount)> {
    inputs
        .billing
        .iter()
        .filter(|b| {
            matches!(
                b.kind,
                BillingKind::CreditPurchase | BillingKind::AutoRecharge
            ) && b.status == BillingStatus::Failed
                && b.currency.eq_ignore_ascii_case(currency)
                && &inputs.resolve_account(&b.provider, &b.organization) == account
        })
        .map(|b| (b.day, b.amount.abs()))
        .collect()
}

/// One evidence record, described for people.
fn describe(inputs: &FlagInputs, record: &str) -> EvidenceRow {
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
                .and_then(|id| inputs.bank.iter().find(|b| b.id == id))
            {
                row.day = Some(b.day);
                row.what = format!(
                    "bank line, {}",
                    b.status.map_or("unknown", BankStatus::as_str)
                );
                row.amount = Some(Money {
                    amount: b.amount,
                    currency: b.currency.clone(),
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
                .and_then(|id| inputs.billing.iter().find(|b| b.id == id))
            {
                row.day = Some(b.day);
                row.what = format!(
                    "{}, {}",
                    b.kind.as_str().replace('_', " "),
                    b.status.as_str()
                );
                row.amount = Some(Money {
                    amount: b.amount,
                    currency: b.currency.clone(),
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
