//! One judgement of the ledger as of a day: the [`Snapshot`] cut at the as-of date and the one
//! [`Matching`] computed over it, from which the flags, the top-up doctor, the match list and the
//! review's payment pairs are all read. Building a [`Judgement`] is the only place matching
//! runs, so every reader agrees on which line paid which record (and on the invoices a bank
//! line proved paid, which the balances then count).
//!
//! Pure: the snapshot and "today" come in as parameters.

use chrono::NaiveDate;

use super::doctor::{self, Attempt};
use super::flags::{self, Flag, FlagParams};
use super::ledger::Snapshot;
use super::matching::{self, Matching};
use super::records::BillingStatus;

/// The ledger cut at `as_of`, and its matching.
#[derive(Debug, Clone, Default)]
pub struct Judgement {
    /// The ledger without anything dated after `as_of`.
    pub snapshot: Snapshot,
    pub matching: Matching,
    pub as_of: NaiveDate,
}

impl Judgement {
    /// Cuts `snapshot` at `as_of` and matches it once; an invoice a bank line paid is then
    /// paid (see [`prove_invoices_paid`]).
    pub fn new(snapshot: &Snapshot, params: &FlagParams, as_of: NaiveDate) -> Self {
        let mut snapshot = snapshot.up_to(as_of);
        let matching = matching::match_all(&snapshot, &params.matching);
        prove_invoices_paid(&mut snapshot, &matching);
        Self {
            snapshot,
            matching,
            as_of,
        }
    }

    /// Every flag as of the day (see [`flags::detect`]).
    pub fn flags(&self, params: &FlagParams) -> Vec<Flag> {
        flags::detect(&self.snapshot, &self.matching, params, self.as_of)
    }

    /// The doctor's walk of the recent top-up attempts (all providers, or the one named).
    pub fn attempts(&self, params: &FlagParams, provider: Option<&str>) -> Vec<Attempt> {
        doctor::diagnose(&self.snapshot, &self.matching, params, self.as_of, provider)
    }
}

/// An invoice says "Amount due" even when the card was charged: once matching pairs it with
/// the bank line that paid it, it is paid, as what its items bill (a credit purchase then adds
/// its credit to the balance; an invoice without items stays an invoice).
fn prove_invoices_paid(snapshot: &mut Snapshot, matching: &Matching) {
    for b in snapshot.billing.iter_mut().filter(|b| b.awaits_payment()) {
        if matching.payments.for_billing(b.id).is_some() {
            b.kind = b.billed_kind();
            b.status = BillingStatus::Paid;
        }
    }
}
