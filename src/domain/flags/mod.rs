//! Detectors that say what went wrong with AI spending, from the three money trails (provider
//! usage, provider billing, bank and card lines) joined together.
//!
//! Every detector is a pure function of one [`Context`]: the ledger [`Snapshot`] cut at the as-of
//! date, the one [`Matching`] computed over it, the thresholds and the prepaid balances (built
//! once per [`detect`]). No clock, no I/O, so a result is reproducible for a given as-of date. A flag carries its evidence as record ids (`bank:12`, `billing:3`,
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
//! Layout: this file holds the flag types, the [`Context`] and [`detect`]; `params` the
//! thresholds, `draft` how a finding becomes a [`Flag`], and one file per family
//! of detectors: `topups` (duplicate, runaway), `payments` (holds, charges and credits, failed
//! recharges), `balance_flags` (depleted, expiring, wrong organization) and `spending`
//! (spikes, budgets, invoices). Everything callers use is re-exported here.

use chrono::NaiveDate;

use crate::domain::balance::Balance;
use crate::domain::ledger::{Coverage, Snapshot};
use crate::domain::matching::Matching;
use crate::domain::money::{Amount, Currency};
use crate::domain::projection::prepaid_balances;

use balance_flags::{balance_flags, wrong_organizations};
pub use param_units::{ParamUnit, cents_text};
pub use params::{FlagParams, PARAM_SPECS, ParamError, ParamSpec};
use payments::{charges_without_credit, credits_without_charge, failed_recharges, unsettled_holds};
pub use spending::invoice_month;
use spending::{budgets_exceeded, invoice_mismatches, spend_spikes};
use topups::{duplicate_topups, runaway_recharges};

mod balance_flags;
mod draft;
mod param_units;
mod params;
mod payments;
#[cfg(test)]
mod real_histories;
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
    BalanceMismatch,
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
            FlagKind::BalanceMismatch => "balance_mismatch",
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

/// What every detector reads, built once per [`detect`].
pub(crate) struct Context<'a> {
    /// The ledger, cut at `as_of`.
    pub(crate) inputs: &'a Snapshot,
    /// The one matching of that ledger.
    pub(crate) matching: &'a Matching,
    pub(crate) params: &'a FlagParams,
    pub(crate) as_of: NaiveDate,
    /// Every prepaid account's balance up to `as_of`.
    pub(crate) balances: Vec<Balance>,
    /// Which days the imported files should show records of.
    pub(crate) coverage: Coverage,
}

/// Runs every detector over `snapshot` (cut at `as_of` with [`Snapshot::up_to`]) and the
/// `matching` computed over that same snapshot; flags sorted by date, kind, provider and id.
pub fn detect(
    snapshot: &Snapshot,
    matching: &Matching,
    params: &FlagParams,
    as_of: NaiveDate,
) -> Vec<Flag> {
    let cx = Context {
        inputs: snapshot,
        matching,
        params,
        as_of,
        balances: prepaid_balances(snapshot, as_of),
        coverage: snapshot.coverage(),
    };
    let mut flags = Vec::new();
    flags.extend(duplicate_topups(&cx));
    flags.extend(unsettled_holds(&cx));
    flags.extend(charges_without_credit(&cx));
    flags.extend(credits_without_charge(&cx));
    flags.extend(failed_recharges(&cx));
    flags.extend(balance_flags(&cx));
    flags.extend(spend_spikes(&cx));
    flags.extend(budgets_exceeded(&cx));
    flags.extend(runaway_recharges(&cx));
    flags.extend(invoice_mismatches(&cx));
    flags.extend(wrong_organizations(&cx));
    flags.sort_by(|a, b| {
        (a.date, a.kind, &a.provider, &a.id).cmp(&(b.date, b.kind, &b.provider, &b.id))
    });
    flags
}

#[cfg(test)]
mod tests {
    use super::test_support::{bank_only, d, detect_all, topup};
    use super::*;
    use crate::domain::records::BankStatus::Pending;

    #[test]
    fn ids_are_stable_and_params_read_partial_json() {
        let inputs = bank_only(vec![topup(1, "openai", Pending, "2026-03-01", "-25.00")]);
        let a = detect_all(&inputs, &FlagParams::default(), d("2026-03-12"));
        let b = detect_all(&inputs, &FlagParams::default(), d("2026-03-20"));
        assert_eq!(a[0].id, b[0].id);
        assert_eq!(a[0].id.len(), 16);
        let params: FlagParams = serde_json::from_str(r#"{"hold_age_days": 30}"#).unwrap();
        assert_eq!(params.hold_age_days, 30);
        assert_eq!(params.spike_factor, 3);
        assert!(detect_all(&inputs, &params, d("2026-03-20")).is_empty());
    }
}
