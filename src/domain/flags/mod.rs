//! Detectors that say what went wrong with AI spending, from the three money trails (provider
//! usage, provider billing, bank and card lines) joined together.
//!
//! Every detector is a pure function `(inputs, params, as_of) -> Vec<Flag>`: no clock, no I/O,
//! and records dated after `as_of` are ignored, so a result is reproducible for a given as-of
//! date. A flag carries its evidence as record ids (`bank:12`, `billing:3`,
//! `usage:2026-03-05:Web app`) and its id is a hash of its kind, provider and evidence, so it
//! stays the same across runs and can be dismissed. Messages are one line; diagnoses walk the
//! layers of a top-up problem (payment failure, balance not yet synchronized, balance depleted,
//! usage or rate limit, billing misunderstanding), say what to check next, and never advise
//! paying again to "retry". A total too large to add up exactly is not judged (no flag) rather
//! than guessed at.
//!
//! Duplicate top-ups: two top-ups of one trail (billing or bank) are the same event when they
//! share provider, amount and currency and either both carry a time of day less than
//! `duplicate_window_minutes` apart, or neither carries a time (a statement with dates only; a
//! time of exactly midnight is read as "no time") and they fall on the same day. A timed and an
//! untimed record are never paired. The other trail's records that pay for or credit the event
//! are listed with it, so a billing double and its two card charges make one flag.
//!
//! Runaway recharges are judged per account from paid auto-recharge records: a burst of more
//! than `runaway_max_recharges` within `runaway_window_hours` that added more than usage on those
//! days could explain, or (when the user set the account's [`AutoRecharge`]) a recharge that ran
//! while the lowest balance it could have met was still above the threshold. Invoices are
//! compared with the usage of the month they bill ([`invoice_month`]) only where the usage
//! export reaches that month's end. A wrong organization is a named organization of a prepaid
//! provider with usage and no credit at all while another one held credit.
//!
//! Layout: this file holds the flag types and [`detect`]; `inputs` what the detectors read,
//! `params` their thresholds, `draft` how a finding becomes a [`Flag`], and one file per family
//! of detectors: `topups` (duplicate, runaway), `payments` (holds, charges and credits, failed
//! recharges), `balance_flags` (depleted, expiring, wrong organization) and `spending`
//! (spikes, budgets, invoices). Everything callers use is re-exported here.

use chrono::NaiveDate;

use crate::domain::money::{Amount, Currency};

use balance_flags::balance_flags;
pub use balance_flags::wrong_organizations;
pub use inputs::{
    BankItem, BillingItem, Budget, BudgetScope, FlagInputs, OrgAlias, ProjectDay, credit_lots,
};
pub use params::{FlagParams, PARAM_SPECS, ParamError, ParamSpec};
pub use payments::{
    charges_without_credit, credits_without_charge, failed_recharges, unsettled_holds,
};
pub use spending::{budgets_exceeded, invoice_mismatches, invoice_month, spend_spikes};
pub use topups::{duplicate_topups, runaway_recharges};

mod balance_flags;
mod draft;
mod inputs;
mod params;
mod payments;
mod spending;
#[cfg(test)]
pub(crate) mod test_support;
mod topups;

/// What a flag is about. The names are part of the command-line contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FlagKind {
    DuplicateTopup,
    UnsettledHold,
    ChargeWithoutCredit,
    CreditWithoutCharge,
    RechargeFailed,
    BalanceDepleted,
    CreditsExpiring,
    SpendSpike,
    BudgetExceeded,
    RunawayRecharge,
    InvoiceMismatch,
    WrongOrganization,
}

impl FlagKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FlagKind::DuplicateTopup => "duplicate_topup",
            FlagKind::UnsettledHold => "unsettled_hold",
            FlagKind::ChargeWithoutCredit => "charge_without_credit",
            FlagKind::CreditWithoutCharge => "credit_without_charge",
            FlagKind::RechargeFailed => "recharge_failed",
            FlagKind::BalanceDepleted => "balance_depleted",
            FlagKind::CreditsExpiring => "credits_expiring",
            FlagKind::SpendSpike => "spend_spike",
            FlagKind::BudgetExceeded => "budget_exceeded",
            FlagKind::RunawayRecharge => "runaway_recharge",
            FlagKind::InvoiceMismatch => "invoice_mismatch",
            FlagKind::WrongOrganization => "wrong_organization",
        }
    }
}

/// How urgent a flag is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Info,
    Warning,
    Critical,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Critical => "critical",
        }
    }
}

/// One finding, with its evidence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flag {
    /// Stable across runs: a hash of kind, provider and evidence.
    pub id: String,
    pub kind: FlagKind,
    pub severity: Severity,
    pub provider: String,
    /// The day of the event: the first top-up, the day a hold started, the day the balance
    /// reached zero, the spike day, the expiry day, the day a budget was crossed.
    pub date: NaiveDate,
    /// The top-up, the hold, the remainder that expires, the day's cost, the month's spend.
    pub amount: Option<Amount>,
    pub currency: Currency,
    /// Set when the flag is about one project.
    pub project: Option<String>,
    /// Evidence record ids, sorted.
    pub records: Vec<String>,
    pub message: String,
    pub diagnosis: String,
}

/// Runs every detector; flags sorted by date, kind, provider and id.
pub fn detect(inputs: &FlagInputs, params: &FlagParams, as_of: NaiveDate) -> Vec<Flag> {
    let inputs = inputs.up_to(as_of);
    let mut flags = Vec::new();
    flags.extend(duplicate_topups(&inputs, params, as_of));
    flags.extend(unsettled_holds(&inputs, params, as_of));
    flags.extend(charges_without_credit(&inputs, params, as_of));
    flags.extend(credits_without_charge(&inputs, params, as_of));
    flags.extend(failed_recharges(&inputs, params, as_of));
    flags.extend(balance_flags(&inputs, params, as_of));
    flags.extend(spend_spikes(&inputs, params, as_of));
    flags.extend(budgets_exceeded(&inputs, params, as_of));
    flags.extend(runaway_recharges(&inputs, params, as_of));
    flags.extend(invoice_mismatches(&inputs, params, as_of));
    flags.extend(wrong_organizations(&inputs, params, as_of));
    flags.sort_by(|a, b| {
        (a.date, a.kind, &a.provider, &a.id).cmp(&(b.date, b.kind, &b.provider, &b.id))
    });
    flags
}

#[cfg(test)]
mod tests {
    use super::test_support::{bank_only, d, topup};
    use super::*;
    use crate::domain::records::BankStatus::Pending;

    #[test]
    fn ids_are_stable_and_params_read_partial_json() {
        let inputs = bank_only(vec![topup(1, "openai", Pending, "2026-03-01", "-25.00")]);
        let a = detect(&inputs, &FlagParams::default(), d("2026-03-12"));
        let b = detect(&inputs, &FlagParams::default(), d("2026-03-20"));
        assert_eq!(a[0].id, b[0].id);
        assert_eq!(a[0].id.len(), 16);
        let params: FlagParams = serde_json::from_str(r#"{"hold_age_days": 30}"#).unwrap();
        assert_eq!(params.hold_age_days, 30);
        assert_eq!(params.spike_factor, 3);
        assert!(detect(&inputs, &params, d("2026-03-20")).is_empty());
    }
}
