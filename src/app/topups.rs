//! Top-ups as the window shows them: the doctor's walk of recent attempts (the walk `burnrate
//! diagnose` prints), the pairs the matching rule left for review (as `burnrate matches` lists
//! them), each account's forecast through its simulated auto-recharges (as `burnrate balance`
//! projects it) and the auto-recharge settings per account, all read from the one judged ledger
//! of the money model ([`Judged`]).
//!
//! Pure: nothing here touches `SQLite`, so the view worker can call [`TopupsModel::build`] off
//! the UI thread. Nothing here judges anything new; it arranges what the domain computed into
//! the plain views the panels draw.

use chrono::NaiveDate;

use crate::domain::balance::{AccountKey, AutoRecharge};
use crate::domain::doctor::Attempt;
use crate::domain::ledger::{BankItem, BillingItem, Snapshot};
use crate::domain::matching::{Matching, PaymentMatch};
use crate::domain::money::Money;
use crate::domain::projection::Projection;
use crate::domain::views::FlagRow;
use crate::services::projection::Judged;
use crate::ui::balance::AccountForecast;
use crate::ui::doctor::{DoctorView, FlagAttempts};
use crate::ui::matches::{Candidate, DecidedPair, MatchesView, PairSide, ReviewGroup};

/// Everything the doctor, the match review, the forecasts and the recharge settings show.
#[derive(Debug, Clone, Default)]
pub struct TopupsModel {
    /// Recent attempts, [`doctor::ATTEMPTS_PER_PROVIDER`] per provider.
    pub attempts: Vec<Attempt>,
    pub matches: MatchesView,
    pub forecasts: Vec<AccountForecast>,
    pub recharges: Vec<(AccountKey, Option<AutoRecharge>)>,
}

impl TopupsModel {
    /// Arranges the judged ledger's attempts, review list, forecasts and recharge settings.
    pub fn build(judged: &Judged) -> Self {
        let inputs = judged.snapshot();
        let accounts = inputs.accounts();
        let recharges = accounts
            .iter()
            .map(|a| (a.clone(), inputs.auto_recharge_for(a).cloned()))
            .collect();
        Self {
            attempts: judged.attempts(None),
            matches: matches_view(inputs, &judged.judgement.matching),
            forecasts: judged.projections.iter().map(forecast).collect(),
            recharges,
        }
    }

    /// The doctor panel: the attempts a flag's evidence names (when one is open), then the
    /// recent attempts per provider.
    pub fn doctor_view(&self, flag: Option<&FlagRow>, as_of: NaiveDate) -> DoctorView {
        let mut providers: Vec<(String, Vec<Attempt>)> = Vec::new();
        for a in &self.attempts {
            match providers.iter_mut().find(|(p, _)| *p == a.provider) {
                Some((_, list)) => list.push(a.clone()),
                None => providers.push((a.provider.clone(), vec![a.clone()])),
            }
        }
        let flag = flag.map(|row| FlagAttempts {
            flag_id: row.flag.id.clone(),
            title: row.flag.message.clone(),
            attempts: self
                .attempts
                .iter()
                .filter(|a| {
                    let records = a.records();
                    row.flag.records.iter().any(|r| records.contains(r))
                })
                .cloned()
                .collect(),
        });
        DoctorView {
            flag,
            providers,
            as_of: as_of.to_string(),
        }
    }
}

/// An account's projection after today, following its auto-recharge when it has one (a
/// recharge that last failed is drawn as a threshold but not assumed to work).
fn forecast(p: &Projection) -> AccountForecast {
    AccountForecast {
        provider: p.account.provider.clone(),
        organization: p.account.organization.clone(),
        threshold: p.setting.as_ref().map(|r| r.threshold),
        points: p
            .forecast
            .points
            .iter()
            .map(|pt| (pt.day, pt.balance))
            .collect(),
        recharges: p
            .forecast
            .points
            .iter()
            .filter(|pt| !pt.recharge.is_zero())
            .map(|pt| pt.day)
            .collect(),
    }
}

fn billing_side(b: &BillingItem) -> PairSide {
    PairSide {
        record: b.record(),
        day: b.day.to_string(),
        what: format!(
            "{} {}, {}",
            b.provider,
            b.kind.as_str().replace('_', " "),
            b.status.as_str()
        ),
        amount: Some(Money {
            amount: b.amount.abs(),
            currency: b.currency,
        }),
    }
}

fn bank_side(l: &BankItem) -> PairSide {
    PairSide {
        record: l.record(),
        day: l.day.to_string(),
        what: format!(
            "{} ({})",
            l.description,
            l.status.map_or("settled", |s| s.as_str())
        ),
        amount: Some(Money {
            amount: l.amount,
            currency: l.currency,
        }),
    }
}

fn candidate(c: &PaymentMatch) -> Candidate {
    Candidate {
        left: format!("billing:{}", c.billing_id),
        right: format!("bank:{}", c.bank_id),
        rule: c.reason.rule.as_str().to_string(),
        amount_delta: c.reason.amount_delta.map(|amount| Money {
            amount,
            currency: c.reason.currency,
        }),
        day_delta: c.reason.day_delta,
    }
}

/// The review list of the matching rule, and the user's decisions.
fn matches_view(inputs: &Snapshot, m: &Matching) -> MatchesView {
    let groups = m
        .payments
        .review
        .iter()
        .map(|r| {
            let mut records: Vec<PairSide> = r
                .billing_ids
                .iter()
                .filter_map(|id| inputs.billing.iter().find(|b| b.id == *id))
                .map(billing_side)
                .collect();
            records.extend(
                r.bank_ids
                    .iter()
                    .filter_map(|id| inputs.bank.iter().find(|l| l.id == *id))
                    .map(bank_side),
            );
            ReviewGroup {
                records,
                candidates: r.candidates.iter().map(candidate).collect(),
            }
        })
        .collect();
    MatchesView {
        groups,
        decided: inputs
            .decisions
            .iter()
            .map(|d| DecidedPair {
                left: d.left.clone(),
                right: d.right.clone(),
                decision: d.decision,
            })
            .collect(),
        matched: m.payments.matches.len(),
    }
}
