//! The one matching rule of burnrate: which bank or card line paid which provider billing
//! record, and which settled (or reversed) line ended which pending hold.
//!
//! Payments: a billing record that moves money (credit purchase, auto-recharge, subscription,
//! invoice, refund; paid or later refunded), or an invoice still waiting for payment (the line
//! that paid it proves it paid), matches a bank line of the same provider, in the
//! direction the money went, dated from `match_days_before` days before to `match_days_after`
//! days after it, for the same amount in the same currency (rule `exact`) or, when the
//! currencies differ, within [`FX_TOLERANCE_PERCENT`] after conversion through the euro with the
//! imported ECB rates of the billing day (rule `fx`). Pairs are taken best first (exact before
//! fx, then the smallest amount difference, then a line on the statement of the card the
//! receipt names, then the smallest day difference). When one record fits two others equally
//! well and they are not interchangeable copies, nothing is chosen: the records wait in a review
//! list, neither matched nor judged unmatched, until the user confirms one pair.
//!
//! Holds: a pending line is ended by a settled line (it settled) or a reversed line (it was
//! released) of the same provider and currency, dated 0 to `hold_settle_days` days later, the
//! amount equal or within `hold_tolerance_percent` (tips, FX); an issuer's reference (PayPal
//! `Reference Txn ID`) links two lines outright. A reversed line never counts as a payment.
//!
//! A bank line and a billing record that fit in every way but could not be compared because no
//! imported ECB rate converts their currencies are not left to be judged unmatched (that told
//! users to dispute a good card payment): the pair waits in the review list with the note
//! "no EUR->USD rate: import the ECB rates (eurofxref-hist.csv) to compare".
//!
//! The user's decisions win over every rule: a confirmed pair is matched whatever the amounts,
//! an unlinked pair is never matched again. Pure: no clock, no I/O; money is exact.
//!
//! Matching runs once per judgement ([`match_all`] over a [`Snapshot`] cut at the as-of date);
//! the flags, the doctor, the review and the match list all read that one [`Matching`]. It
//! reads the ledger and its own thresholds ([`MatchParams`]) only, never the detectors.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;

use serde::{Deserialize, Serialize};

use super::fx::RateBook;
use super::ledger::{BankItem, BankRef, BillingItem, Decision, Snapshot, parse_record};
use super::money::{Amount, Currency};
use super::records::{BankStatus, BillingKind, SpendKind, days_between};

/// How far apart two amounts in different currencies may be after conversion.
pub const FX_TOLERANCE_PERCENT: i64 = 3;

/// The matching rule's thresholds. Stored with the detectors' thresholds (the settings list them
/// together under these names), but read only by matching.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct MatchParams {
    /// A bank line may come this many days before the billing record it paid...
    pub match_days_before: i64,
    /// ...or this many days after it.
    pub match_days_after: i64,
    /// A settling line comes at most this many days after its hold.
    pub hold_settle_days: i64,
    /// A settling line's amount may differ from the hold by this much (tips, FX).
    pub hold_tolerance_percent: i64,
}

impl Default for MatchParams {
    fn default() -> Self {
        Self {
            match_days_before: 1,
            match_days_after: 5,
            hold_settle_days: 10,
            hold_tolerance_percent: 20,
        }
    }
}

impl MatchParams {
    /// Whether a bank line dated `bank_day` falls within the matching window of a billing
    /// record dated `billing_day`.
    pub fn within_days(&self, billing_day: NaiveDate, bank_day: NaiveDate) -> bool {
        Window::of(self).contains(days_between(billing_day, bank_day))
    }
}

/// The rule a pair matched by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Rule {
    /// Same amount, same currency.
    Exact,
    /// Different currencies, within the tolerance after conversion.
    Fx,
    /// A hold ended by a line of a slightly different amount.
    Tolerance,
    /// The issuer's reference links the lines.
    Reference,
    /// The user confirmed the pair.
    Confirmed,
}

impl Rule {
    pub fn as_str(self) -> &'static str {
        match self {
            Rule::Exact => "exact",
            Rule::Fx => "fx",
            Rule::Tolerance => "tolerance",
            Rule::Reference => "reference",
            Rule::Confirmed => "confirmed",
        }
    }
}

/// Why two records were paired.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reason {
    pub rule: Rule,
    /// The bank line's amount minus the other record's (converted), in `currency`; `None` when
    /// the currencies differ and no rate converts them.
    pub amount_delta: Option<Amount>,
    /// The bank line's currency.
    pub currency: Currency,
    /// Days from the other record to the bank line (negative: the bank line is earlier).
    pub day_delta: i64,
    /// Whether the receipt's card is the card whose statement holds the line.
    pub card: CardFit,
}

/// How a receipt's card compares with the card of the statement a line is on: a line on the
/// statement of the card the receipt names fits better than one whose card is not known,
/// which fits better than one on another card's statement (still possible: a wallet such as
/// Apple Pay may show a device number instead of the card's).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum CardFit {
    Same,
    #[default]
    Unknown,
    Other,
}

impl CardFit {
    fn of(b: &BillingItem, l: &BankItem) -> Self {
        let (receipt, statement) = (b.receipt.card_last4.as_str(), l.card_last4.as_str());
        if receipt.is_empty() || statement.is_empty() {
            CardFit::Unknown
        } else if receipt == statement {
            CardFit::Same
        } else {
            CardFit::Other
        }
    }
}

/// A billing record and the bank line that paid it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentMatch {
    pub billing_id: i64,
    pub bank_id: i64,
    pub reason: Reason,
}

/// Records that fit each other equally well: the user picks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewItem {
    pub billing_ids: Vec<i64>,
    pub bank_ids: Vec<i64>,
    /// Every candidate pair, with its reason.
    pub candidates: Vec<PaymentMatch>,
    /// Why the user must look, when it is not a tie: "no EUR->USD rate: import the ECB rates
    /// (eurofxref-hist.csv) to compare" for a pair only a missing exchange rate kept apart.
    pub note: Option<String>,
}

/// The payment matches of a ledger.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Payments {
    pub matches: Vec<PaymentMatch>,
    pub review: Vec<ReviewItem>,
}

impl Payments {
    /// The line that paid a billing record.
    pub fn for_billing(&self, billing_id: i64) -> Option<&PaymentMatch> {
        self.matches.iter().find(|m| m.billing_id == billing_id)
    }

    /// The billing record a bank line paid.
    pub fn for_bank(&self, bank_id: i64) -> Option<&PaymentMatch> {
        self.matches.iter().find(|m| m.bank_id == bank_id)
    }

    pub fn billing_in_review(&self, billing_id: i64) -> bool {
        self.review
            .iter()
            .any(|r| r.billing_ids.contains(&billing_id))
    }

    pub fn bank_in_review(&self, bank_id: i64) -> bool {
        self.review.iter().any(|r| r.bank_ids.contains(&bank_id))
    }
}

/// How a hold ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HoldEnd {
    /// A settled line completed it.
    Settled,
    /// A reversed line released it: no money moved.
    Released,
}

impl HoldEnd {
    pub fn as_str(self) -> &'static str {
        match self {
            HoldEnd::Settled => "settled",
            HoldEnd::Released => "released",
        }
    }
}

/// A pending line and the line that ended it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HoldMatch {
    pub hold_id: i64,
    pub end_id: i64,
    pub end: HoldEnd,
    pub reason: Reason,
}

/// Every match of a ledger: holds first (a hold that settled is the same charge as its settled
/// line), then payments.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Matching {
    pub holds: Vec<HoldMatch>,
    pub payments: Payments,
}

/// Matches everything in `snapshot` (cut it at the as-of date first: a line dated later must
/// not end a hold or pay a record yet).
pub fn match_all(snapshot: &Snapshot, params: &MatchParams) -> Matching {
    let inputs = snapshot;
    let holds = settle_holds(inputs, params);
    let payments = match_payments_after(inputs, params, &holds);
    Matching { holds, payments }
}

/// Whether `other` is within `percent` of `base` (both taken as magnitudes).
pub fn within_percent(base: Amount, other: Amount, percent: i64) -> bool {
    let Some(diff) = base.abs().checked_sub(other.abs()).map(Amount::abs) else {
        return false;
    };
    let (Some(lhs), Some(rhs)) = (
        i128::from(diff.nanos()).checked_mul(100),
        i128::from(base.abs().nanos()).checked_mul(i128::from(percent)),
    ) else {
        return false;
    };
    lhs <= rhs
}

/// The payment window of [`MatchParams`].
#[derive(Debug, Clone, Copy)]
struct Window {
    days_before: i64,
    days_after: i64,
}

impl Window {
    fn of(params: &MatchParams) -> Self {
        Self {
            days_before: params.match_days_before,
            days_after: params.match_days_after,
        }
    }

    fn contains(self, delta: i64) -> bool {
        -self.days_before <= delta && delta <= self.days_after
    }
}

/// Whether a bank line tagged `kind` can pay a billing record of `billing`.
fn kinds_fit(billing: BillingKind, kind: Option<SpendKind>) -> bool {
    match kind {
        None | Some(SpendKind::Other) => true,
        Some(SpendKind::ApiTopup) => billing != BillingKind::Subscription,
        Some(SpendKind::Subscription) => {
            matches!(billing, BillingKind::Subscription | BillingKind::Refund)
        }
    }
}

/// Whether `l` is the provider's and falls within the days a payment of `b` can fall on: the
/// first test of every pair, whatever its currencies.
fn could_pay(b: &BillingItem, l: &BankItem, window: Window) -> bool {
    l.provider.as_deref() == Some(b.provider.as_str())
        && window.contains(days_between(b.day, l.day))
}

/// The reason `l` could have paid `b`, when it could.
fn payment_reason(
    b: &BillingItem,
    l: &BankItem,
    rates: &RateBook,
    window: Window,
) -> Option<Reason> {
    could_pay(b, l, window).then_some(())?;
    let money_in = b.kind == BillingKind::Refund;
    (l.amount.is_negative() != money_in && !l.amount.is_zero()).then_some(())?;
    kinds_fit(b.billed_kind(), l.spend_kind).then_some(())?;
    let day_delta = days_between(b.day, l.day);
    let paid = l.amount.abs();
    let card = CardFit::of(b, l);
    if b.currency == l.currency {
        return (paid == b.amount.abs()).then_some(Reason {
            rule: Rule::Exact,
            amount_delta: Some(Amount::ZERO),
            currency: l.currency,
            day_delta,
            card,
        });
    }
    let converted = rates
        .convert(b.amount.abs(), b.currency, l.currency, b.day)
        .ok()?;
    within_percent(converted, paid, FX_TOLERANCE_PERCENT).then(|| Reason {
        rule: Rule::Fx,
        amount_delta: paid.checked_sub(converted),
        currency: l.currency,
        day_delta,
        card,
    })
}

/// How well a pair fits: smaller is better. The card a receipt names counts before the days.
fn fit_key(r: &Reason) -> (Rule, i64, CardFit, i64, bool) {
    (
        r.rule,
        r.amount_delta.map_or(i64::MAX, |a| a.abs().nanos()),
        r.card,
        r.day_delta.abs(),
        r.day_delta < 0,
    )
}

/// The decided pairs of one kind: `(left id, right id) -> decision`, for `left_kind:ID`
/// against `bank:ID`.
fn decisions(data: &Snapshot, left_kind: &str) -> BTreeMap<(i64, i64), Decision> {
    data.decisions
        .iter()
        .filter_map(|d| {
            let (lk, left) = parse_record(&d.left)?;
            let (rk, right) = parse_record(&d.right)?;
            (lk == left_kind && rk == "bank").then_some(((left, right), d.decision))
        })
        .collect()
}

/// A reason for a pair the user confirmed, whatever the rules say of it.
fn confirmed_reason(amount: Amount, currency: Currency, day: NaiveDate, l: &BankItem) -> Reason {
    Reason {
        rule: Rule::Confirmed,
        amount_delta: (currency == l.currency)
            .then(|| l.amount.abs().checked_sub(amount.abs()))
            .flatten(),
        currency: l.currency,
        day_delta: days_between(day, l.day),
        card: CardFit::Unknown,
    }
}

fn hold_end_of(l: &BankItem) -> HoldEnd {
    if l.status() == BankStatus::Reversed {
        HoldEnd::Released
    } else {
        HoldEnd::Settled
    }
}

/// Whether `l` can end a hold: a settled payment or a reversal.
fn can_end_hold(l: &BankItem) -> bool {
    match l.status() {
        BankStatus::Pending => false,
        BankStatus::Settled => l.amount.is_negative(),
        BankStatus::Reversed => true,
    }
}

/// Holds and their ends while they are paired, one to one.
struct HoldPairing<'a> {
    inputs: &'a Snapshot,
    params: &'a MatchParams,
    decided: BTreeMap<(i64, i64), Decision>,
    refs: BTreeMap<i64, &'a BankRef>,
    used: BTreeSet<i64>,
    out: Vec<HoldMatch>,
}

impl<'a> HoldPairing<'a> {
    fn take(&mut self, hold: &BankItem, end: &BankItem, rule: Rule) {
        self.used.insert(hold.id);
        self.used.insert(end.id);
        let reason = if rule == Rule::Confirmed {
            confirmed_reason(hold.amount, hold.currency, hold.day, end)
        } else {
            let delta = end.amount.abs().checked_sub(hold.amount.abs());
            let rule = match (rule, delta) {
                (Rule::Reference, _) => Rule::Reference,
                (_, Some(Amount::ZERO)) => Rule::Exact,
                _ => Rule::Tolerance,
            };
            Reason {
                rule,
                amount_delta: delta,
                currency: end.currency,
                day_delta: days_between(hold.day, end.day),
                card: CardFit::Unknown,
            }
        };
        self.out.push(HoldMatch {
            hold_id: hold.id,
            end_id: end.id,
            end: hold_end_of(end),
            reason,
        });
    }

    /// The lines still free to end `hold`.
    fn free_ends(&self, hold: &'a BankItem) -> impl Iterator<Item = &'a BankItem> + '_ {
        self.inputs.bank.iter().filter(move |l| {
            l.id != hold.id
                && !self.used.contains(&l.id)
                && self.decided.get(&(hold.id, l.id)) != Some(&Decision::Unlinked)
                && can_end_hold(l)
        })
    }

    /// The line the issuer's reference links to `hold` (PayPal `Reference Txn ID`).
    fn referenced(&self, hold: &'a BankItem) -> Option<&'a BankItem> {
        let h = self.refs.get(&hold.id)?;
        self.free_ends(hold).find(|l| {
            self.refs.get(&l.id).is_some_and(|r| {
                (!h.issuer_id.is_empty() && r.related_id == h.issuer_id)
                    || (!h.related_id.is_empty() && r.issuer_id == h.related_id)
            })
        })
    }

    /// The closest fitting line: exact amounts first, then the earliest.
    fn by_amount(&self, hold: &'a BankItem) -> Option<&'a BankItem> {
        let hold_amount = hold.amount.abs();
        self.free_ends(hold)
            .filter(|l| {
                l.provider == hold.provider
                    && l.currency == hold.currency
                    && (0..=self.params.hold_settle_days).contains(&days_between(hold.day, l.day))
                    && within_percent(
                        hold_amount,
                        l.amount.abs(),
                        self.params.hold_tolerance_percent,
                    )
            })
            .min_by_key(|l| {
                (
                    l.amount.abs() != hold_amount,
                    days_between(hold.day, l.day),
                    l.id,
                )
            })
    }
}

/// Pairs every pending line with the settled or reversed line that ended it, one to one; holds
/// are taken oldest first. See the module documentation for the rule.
fn settle_holds(inputs: &Snapshot, params: &MatchParams) -> Vec<HoldMatch> {
    let by_id: BTreeMap<i64, &BankItem> = inputs.bank.iter().map(|l| (l.id, l)).collect();
    let mut pairing = HoldPairing {
        inputs,
        params,
        decided: decisions(inputs, "bank"),
        refs: inputs.refs.iter().map(|r| (r.bank_id, r)).collect(),
        used: BTreeSet::new(),
        out: Vec::new(),
    };
    // The user's confirmations first.
    let confirmed: Vec<(i64, i64)> = pairing
        .decided
        .iter()
        .filter(|(_, d)| **d == Decision::Confirmed)
        .map(|(pair, _)| *pair)
        .collect();
    for (hold_id, end_id) in confirmed {
        let (Some(hold), Some(end)) = (by_id.get(&hold_id), by_id.get(&end_id)) else {
            continue;
        };
        let free = !pairing.used.contains(&hold_id) && !pairing.used.contains(&end_id);
        if free && hold.status() == BankStatus::Pending && can_end_hold(end) {
            pairing.take(hold, end, Rule::Confirmed);
        }
    }
    let mut holds: Vec<&BankItem> = inputs
        .bank
        .iter()
        .filter(|l| {
            l.status() == BankStatus::Pending && l.provider.is_some() && l.amount.is_negative()
        })
        .collect();
    holds.sort_by_key(|l| (l.day, l.id));
    for hold in holds {
        if pairing.used.contains(&hold.id) {
            continue;
        }
        if let Some(end) = pairing.referenced(hold) {
            pairing.take(hold, end, Rule::Reference);
        } else if let Some(end) = pairing.by_amount(hold) {
            pairing.take(hold, end, Rule::Exact);
        }
    }
    let mut out = pairing.out;
    out.sort_by_key(|m| (m.hold_id, m.end_id));
    out
}

/// Matches billing records to the bank lines that paid them (see the module documentation),
/// once the holds are paired.
fn match_payments_after(inputs: &Snapshot, params: &MatchParams, holds: &[HoldMatch]) -> Payments {
    let ended: BTreeSet<i64> = holds.iter().map(|h| h.hold_id).collect();
    let rates = RateBook::new(&inputs.rates);
    let window = Window::of(params);
    let decided = decisions(inputs, "billing");
    let mut bank: Vec<&BankItem> = inputs
        .bank
        .iter()
        .filter(|l| l.provider.is_some())
        .filter(|l| match l.status() {
            BankStatus::Settled => true,
            // A hold that ended is paid by its settled line, or paid nothing.
            BankStatus::Pending => !ended.contains(&l.id),
            BankStatus::Reversed => false,
        })
        .collect();
    let mut billing: Vec<&BillingItem> = inputs
        .billing
        .iter()
        .filter(|b| b.moves_money() || b.awaits_payment())
        .collect();
    let mut out = Payments::default();
    // The user's confirmations first (any two records, whatever the rules say).
    for ((billing_id, bank_id), _) in decided.iter().filter(|(_, d)| **d == Decision::Confirmed) {
        let b = inputs.billing.iter().find(|b| b.id == *billing_id);
        let l = inputs.bank.iter().find(|l| l.id == *bank_id);
        let (Some(b), Some(l)) = (b, l) else {
            continue;
        };
        if out.for_billing(b.id).is_some() || out.for_bank(l.id).is_some() {
            continue;
        }
        out.matches.push(PaymentMatch {
            billing_id: b.id,
            bank_id: l.id,
            reason: confirmed_reason(b.amount, b.currency, b.day, l),
        });
    }
    billing.retain(|b| out.for_billing(b.id).is_none());
    bank.retain(|l| out.for_bank(l.id).is_none());
    let mut pairs: Vec<PaymentMatch> = Vec::new();
    for b in &billing {
        for l in &bank {
            // The rules first: they turn down most pairs at the provider, and only a pair they
            // accept needs looking up among the user's decisions.
            let Some(reason) = payment_reason(b, l, &rates, window) else {
                continue;
            };
            if decided.get(&(b.id, l.id)) != Some(&Decision::Unlinked) {
                pairs.push(PaymentMatch {
                    billing_id: b.id,
                    bank_id: l.id,
                    reason,
                });
            }
        }
    }
    pairs.sort_by(|a, b| {
        (fit_key(&a.reason), a.billing_id, a.bank_id).cmp(&(
            fit_key(&b.reason),
            b.billing_id,
            b.bank_id,
        ))
    });
    take_best_first(&pairs, &billing, &bank, &mut out);
    review_missing_rates(&billing, &bank, &decided, &rates, window, &mut out);
    out.matches.sort_by_key(|m| (m.billing_id, m.bank_id));
    out.review.sort_by(|a, b| a.billing_ids.cmp(&b.billing_ids));
    out
}

/// Puts in review the pairs still unmatched that only a missing exchange rate kept from being
/// compared: same provider, direction and kind, within the window, currencies differ and no
/// imported rate converts them. Neither record is then judged unmatched.
fn review_missing_rates(
    billing: &[&BillingItem],
    bank: &[&BankItem],
    decided: &BTreeMap<(i64, i64), Decision>,
    rates: &RateBook,
    window: Window,
    out: &mut Payments,
) {
    let free_billing =
        |b: &&&BillingItem| out.for_billing(b.id).is_none() && !out.billing_in_review(b.id);
    let free_bank = |l: &&&BankItem| out.for_bank(l.id).is_none() && !out.bank_in_review(l.id);
    let mut pairs: Vec<(PaymentMatch, String)> = Vec::new();
    // The free bank lines once, not once per billing record: `out` does not change below.
    let free_lines: Vec<&&BankItem> = bank.iter().filter(free_bank).collect();
    for b in billing.iter().filter(free_billing) {
        for l in free_lines.iter().copied() {
            // A line that can never pay `b` needs no rate looked up.
            if !could_pay(b, l, window)
                || decided.get(&(b.id, l.id)) == Some(&Decision::Unlinked)
                || b.currency == l.currency
                || rates
                    .convert(b.amount.abs(), b.currency, l.currency, b.day)
                    .is_ok()
            {
                continue;
            }
            // Compared as if the currencies were the same: everything else must fit.
            let mut probe = (*b).clone();
            probe.currency = l.currency;
            probe.amount = l.amount.abs();
            let Some(mut reason) = payment_reason(&probe, l, rates, window) else {
                continue;
            };
            reason.rule = Rule::Fx;
            reason.amount_delta = None;
            let note = format!(
                "no {}->{} rate: import the ECB rates (eurofxref-hist.csv) to compare",
                l.currency, b.currency
            );
            pairs.push((
                PaymentMatch {
                    billing_id: b.id,
                    bank_id: l.id,
                    reason,
                },
                note,
            ));
        }
    }
    let refs: Vec<&PaymentMatch> = pairs.iter().map(|(p, _)| p).collect();
    for group in components(&refs) {
        let note = group
            .first()
            .and_then(|g| pairs.iter().find(|(p, _)| p == *g).map(|(_, n)| n.clone()));
        out.review.push(ReviewItem {
            billing_ids: group
                .iter()
                .map(|p| p.billing_id)
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect(),
            bank_ids: group
                .iter()
                .map(|p| p.bank_id)
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect(),
            candidates: group.iter().map(|p| (*p).clone()).collect(),
            note,
        });
    }
}

/// Takes candidate pairs level by level (equal fit), best level first: a group of records that
/// fit each other equally well is matched when it pairs one to one or holds identical copies,
/// and waits for review otherwise.
fn take_best_first(
    pairs: &[PaymentMatch],
    billing: &[&BillingItem],
    bank: &[&BankItem],
    out: &mut Payments,
) {
    let billing_by_id: BTreeMap<i64, &BillingItem> = billing.iter().map(|b| (b.id, *b)).collect();
    let bank_by_id: BTreeMap<i64, &BankItem> = bank.iter().map(|l| (l.id, *l)).collect();
    let mut taken_billing: BTreeSet<i64> = BTreeSet::new();
    let mut taken_bank: BTreeSet<i64> = BTreeSet::new();
    let mut start = 0;
    while let Some(first) = pairs.get(start) {
        let key = fit_key(&first.reason);
        let end = pairs
            .iter()
            .skip(start)
            .position(|p| fit_key(&p.reason) != key)
            .map_or(pairs.len(), |n| start + n);
        let level: Vec<&PaymentMatch> = pairs
            .get(start..end)
            .unwrap_or_default()
            .iter()
            .filter(|p| !taken_billing.contains(&p.billing_id) && !taken_bank.contains(&p.bank_id))
            .collect();
        for group in components(&level) {
            let billing_ids: BTreeSet<i64> = group.iter().map(|p| p.billing_id).collect();
            let bank_ids: BTreeSet<i64> = group.iter().map(|p| p.bank_id).collect();
            let one_to_one = group.len() == billing_ids.len() && group.len() == bank_ids.len();
            let copies = interchangeable_billing(&billing_ids, &billing_by_id)
                && interchangeable_bank(&bank_ids, &bank_by_id);
            if one_to_one || copies {
                // Identical copies pair in id order: any pairing says the same.
                for (b, l) in billing_ids.iter().zip(&bank_ids) {
                    let Some(p) = group.iter().find(|p| p.billing_id == *b && p.bank_id == *l)
                    else {
                        continue;
                    };
                    taken_billing.insert(*b);
                    taken_bank.insert(*l);
                    out.matches.push((*p).clone());
                }
                continue;
            }
            taken_billing.extend(&billing_ids);
            taken_bank.extend(&bank_ids);
            out.review.push(ReviewItem {
                billing_ids: billing_ids.into_iter().collect(),
                bank_ids: bank_ids.into_iter().collect(),
                candidates: group.iter().map(|p| (*p).clone()).collect(),
                note: None,
            });
        }
        start = end;
    }
}

/// Splits pairs into groups that share a record.
fn components<'a>(pairs: &[&'a PaymentMatch]) -> Vec<Vec<&'a PaymentMatch>> {
    let mut groups: Vec<Vec<&'a PaymentMatch>> = Vec::new();
    for p in pairs {
        let (joined, rest): (Vec<_>, Vec<_>) = groups.into_iter().partition(|g| {
            g.iter()
                .any(|q| q.billing_id == p.billing_id || q.bank_id == p.bank_id)
        });
        groups = rest;
        let mut merged: Vec<&'a PaymentMatch> = joined.into_iter().flatten().collect();
        merged.push(p);
        groups.push(merged);
    }
    groups.sort_by_key(|g| g.iter().map(|p| (p.billing_id, p.bank_id)).min());
    groups
}

fn interchangeable_billing(ids: &BTreeSet<i64>, by_id: &BTreeMap<i64, &BillingItem>) -> bool {
    let items: Vec<&BillingItem> = ids.iter().filter_map(|id| by_id.get(id).copied()).collect();
    items.windows(2).all(|w| match w {
        [a, b] => {
            (a.provider.as_str(), a.kind, a.amount, a.day)
                == (b.provider.as_str(), b.kind, b.amount, b.day)
                && a.currency == b.currency
        }
        _ => true,
    })
}

fn interchangeable_bank(ids: &BTreeSet<i64>, by_id: &BTreeMap<i64, &BankItem>) -> bool {
    let items: Vec<&BankItem> = ids.iter().filter_map(|id| by_id.get(id).copied()).collect();
    items.windows(2).all(|w| match w {
        [a, b] => {
            (a.amount, a.day, a.status()) == (b.amount, b.day, b.status())
                && a.currency == b.currency
        }
        _ => true,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::flags::test_support::{d, usd as amt};
    use crate::domain::fx::Rate;
    use crate::domain::ledger::MatchDecision;
    use crate::domain::records::BillingStatus;

    fn bill(id: i64, kind: BillingKind, day: &str, amount: &str, currency: &str) -> BillingItem {
        BillingItem {
            id,
            source_file_id: 1,
            provider: "openai".into(),
            kind,
            status: BillingStatus::Paid,
            day: d(day),
            time: None,
            amount: amt(amount),
            currency: Currency::parse(currency).unwrap(),
            organization: String::new(),
            project: String::new(),
            expires_on: None,
            receipt: crate::domain::billing_details::ReceiptFacts::default(),
        }
    }

    fn line(id: i64, status: BankStatus, day: &str, amount: &str, currency: &str) -> BankItem {
        BankItem {
            id,
            source_file_id: 2,
            provider: Some("openai".into()),
            spend_kind: Some(SpendKind::ApiTopup),
            status: Some(status),
            day: d(day),
            time: None,
            amount: amt(amount),
            currency: Currency::parse(currency).unwrap(),
            description: "OPENAI".into(),
            card_last4: String::new(),
        }
    }

    fn inputs(billing: Vec<BillingItem>, bank: Vec<BankItem>) -> Snapshot {
        Snapshot {
            bank,
            billing,
            ..Snapshot::default()
        }
    }

    fn pairs(p: &Payments) -> Vec<(i64, i64, &'static str, i64)> {
        p.matches
            .iter()
            .map(|m| {
                (
                    m.billing_id,
                    m.bank_id,
                    m.reason.rule.as_str(),
                    m.reason.day_delta,
                )
            })
            .collect()
    }

    use BankStatus::{Pending, Reversed, Settled};
    use BillingKind::{CreditPurchase, Refund, Subscription};

    /// A name, the inputs, and the pairs expected: (billing id, bank id, rule, day delta).
    type Case = (&'static str, Snapshot, Vec<(i64, i64, &'static str, i64)>);

    #[test]
    fn payments_match_by_amount_day_and_direction() {
        let cases: Vec<Case> = vec![
            (
                "same amount two days later",
                inputs(
                    vec![bill(1, CreditPurchase, "2026-03-01", "10.00", "USD")],
                    vec![line(11, Settled, "2026-03-03", "-10.00", "USD")],
                ),
                vec![(1, 11, "exact", 2)],
            ),
            (
                "one day before is in the window, two days before is not",
                inputs(
                    vec![
                        bill(1, CreditPurchase, "2026-03-10", "10.00", "USD"),
                        bill(2, CreditPurchase, "2026-03-20", "20.00", "USD"),
                    ],
                    vec![
                        line(11, Settled, "2026-03-09", "-10.00", "USD"),
                        line(12, Settled, "2026-03-18", "-20.00", "USD"),
                    ],
                ),
                vec![(1, 11, "exact", -1)],
            ),
            (
                "six days later is too late",
                inputs(
                    vec![bill(1, CreditPurchase, "2026-03-01", "10.00", "USD")],
                    vec![line(11, Settled, "2026-03-07", "-10.00", "USD")],
                ),
                vec![],
            ),
            (
                "a refund matches money coming in, not going out",
                inputs(
                    vec![bill(1, Refund, "2026-03-01", "-10.00", "USD")],
                    vec![
                        line(11, Settled, "2026-03-02", "-10.00", "USD"),
                        line(12, Settled, "2026-03-03", "10.00", "USD"),
                    ],
                ),
                vec![(1, 12, "exact", 2)],
            ),
            (
                "a reversed line paid nothing",
                inputs(
                    vec![bill(1, CreditPurchase, "2026-03-01", "10.00", "USD")],
                    vec![line(11, Reversed, "2026-03-01", "-10.00", "USD")],
                ),
                vec![],
            ),
            (
                "a subscription is not paid by an API top-up line",
                inputs(
                    vec![bill(1, Subscription, "2026-03-01", "20.00", "USD")],
                    vec![line(11, Settled, "2026-03-01", "-20.00", "USD")],
                ),
                vec![],
            ),
            (
                "the closer day wins when amounts tie",
                inputs(
                    vec![bill(1, CreditPurchase, "2026-03-01", "10.00", "USD")],
                    vec![
                        line(11, Settled, "2026-03-04", "-10.00", "USD"),
                        line(12, Settled, "2026-03-02", "-10.00", "USD"),
                    ],
                ),
                vec![(1, 12, "exact", 1)],
            ),
            (
                "a hold that settled is paid by its settled line",
                inputs(
                    vec![bill(1, CreditPurchase, "2026-03-01", "10.00", "USD")],
                    vec![
                        line(11, Pending, "2026-03-01", "-10.00", "USD"),
                        line(12, Settled, "2026-03-03", "-10.00", "USD"),
                    ],
                ),
                vec![(1, 12, "exact", 2)],
            ),
        ];
        for (name, input, want) in cases {
            let got = match_all(&input, &MatchParams::default()).payments;
            assert_eq!(pairs(&got), want, "{name}");
            assert!(got.review.is_empty(), "{name}");
        }
    }

    #[test]
    fn other_currencies_match_within_three_percent_through_the_euro() {
        let rates = vec![
            Rate {
                day: d("2026-03-06"),
                currency: Currency::parse("USD").unwrap(),
                per_euro: amt("1.0800"),
            },
            Rate {
                day: d("2026-03-06"),
                currency: Currency::parse("GBP").unwrap(),
                per_euro: amt("0.8400"),
            },
        ];
        let with_rates = |billing: Vec<BillingItem>, bank: Vec<BankItem>| Snapshot {
            rates: rates.clone(),
            ..inputs(billing, bank)
        };
        // 10.80 USD = 10.00 EUR on the 6th; the bank charged 10.20 EUR (2% fee): matches.
        // The 8th is a Sunday: the rate of the 6th (a Friday) is used.
        let got = match_all(
            &with_rates(
                vec![bill(1, CreditPurchase, "2026-03-08", "10.80", "USD")],
                vec![line(11, Settled, "2026-03-09", "-10.20", "EUR")],
            ),
            &MatchParams::default(),
        )
        .payments;
        assert_eq!(pairs(&got), vec![(1, 11, "fx", 1)]);
        assert_eq!(got.matches[0].reason.amount_delta, Some(amt("0.20")));
        // 10.00 USD in GBP through the euro: 10 / 1.08 * 0.84 = 7.777.. GBP; 8.10 GBP is 4% off.
        let far = with_rates(
            vec![bill(1, CreditPurchase, "2026-03-06", "10.00", "USD")],
            vec![line(11, Settled, "2026-03-06", "-8.10", "GBP")],
        );
        assert!(
            match_all(&far, &MatchParams::default())
                .payments
                .matches
                .is_empty()
        );
        let near = with_rates(
            vec![bill(1, CreditPurchase, "2026-03-06", "10.00", "USD")],
            vec![line(11, Settled, "2026-03-06", "-7.90", "GBP")],
        );
        assert_eq!(
            pairs(&match_all(&near, &MatchParams::default()).payments),
            vec![(1, 11, "fx", 0)]
        );
        // Without rates for the day, nothing is guessed.
        let none = inputs(
            vec![bill(1, CreditPurchase, "2026-03-06", "10.00", "USD")],
            vec![line(11, Settled, "2026-03-06", "-9.26", "EUR")],
        );
        assert!(
            match_all(&none, &MatchParams::default())
                .payments
                .matches
                .is_empty()
        );
    }

    #[test]
    fn equal_fits_wait_for_review_unless_they_are_copies() {
        // Two different purchases of 10.00 on different days, one charge between them at equal
        // distance: which one it paid is not known.
        let ambiguous = inputs(
            vec![
                bill(1, CreditPurchase, "2026-03-01", "10.00", "USD"),
                bill(2, CreditPurchase, "2026-03-05", "10.00", "USD"),
            ],
            vec![line(11, Settled, "2026-03-03", "-10.00", "USD")],
        );
        let got = match_all(&ambiguous, &MatchParams::default()).payments;
        // 1 -> 11 is two days after, 2 -> 11 is two days before: outside the window (-1), so
        // only 1 fits. Move the second purchase to one day after the charge instead.
        assert_eq!(pairs(&got), vec![(1, 11, "exact", 2)]);
        let ambiguous = inputs(
            vec![
                bill(1, CreditPurchase, "2026-03-02", "10.00", "USD"),
                bill(2, BillingKind::AutoRecharge, "2026-03-02", "10.00", "USD"),
            ],
            vec![line(11, Settled, "2026-03-03", "-10.00", "USD")],
        );
        let got = match_all(&ambiguous, &MatchParams::default()).payments;
        assert!(got.matches.is_empty());
        assert_eq!(got.review.len(), 1);
        assert_eq!(got.review[0].billing_ids, vec![1, 2]);
        assert_eq!(got.review[0].bank_ids, vec![11]);
        assert!(got.billing_in_review(2) && got.bank_in_review(11));
        // Two identical auto-recharges and two identical charges: any pairing says the same.
        let copies = inputs(
            vec![
                bill(1, BillingKind::AutoRecharge, "2026-03-02", "10.00", "USD"),
                bill(2, BillingKind::AutoRecharge, "2026-03-02", "10.00", "USD"),
            ],
            vec![
                line(11, Settled, "2026-03-03", "-10.00", "USD"),
                line(12, Settled, "2026-03-03", "-10.00", "USD"),
            ],
        );
        let got = match_all(&copies, &MatchParams::default()).payments;
        assert_eq!(pairs(&got), vec![(1, 11, "exact", 1), (2, 12, "exact", 1)]);
        assert!(got.review.is_empty());
    }

    #[test]
    fn the_users_decisions_win() {
        let decide = |left: &str, right: &str, decision| MatchDecision {
            left: left.into(),
            right: right.into(),
            decision,
        };
        let mut input = inputs(
            vec![
                bill(1, CreditPurchase, "2026-03-02", "10.00", "USD"),
                bill(2, BillingKind::AutoRecharge, "2026-03-02", "10.00", "USD"),
            ],
            vec![
                line(11, Settled, "2026-03-03", "-10.00", "USD"),
                line(12, Settled, "2026-03-20", "-9.00", "USD"),
            ],
        );
        input.decisions = vec![
            decide("billing:2", "bank:11", Decision::Confirmed),
            decide("billing:1", "bank:12", Decision::Confirmed),
        ];
        let got = match_all(&input, &MatchParams::default()).payments;
        assert_eq!(
            pairs(&got),
            vec![(1, 12, "confirmed", 18), (2, 11, "confirmed", 1)]
        );
        assert_eq!(got.matches[0].reason.amount_delta, Some(amt("-1.00")));
        input.decisions = vec![decide("billing:1", "bank:11", Decision::Unlinked)];
        let got = match_all(&input, &MatchParams::default()).payments;
        assert_eq!(pairs(&got), vec![(2, 11, "exact", 1)]);
    }

    #[test]
    fn holds_end_by_settlement_release_or_reference() {
        let run = |bank: Vec<BankItem>, refs: Vec<BankRef>| {
            let mut input = inputs(vec![], bank);
            input.refs = refs;
            settle_holds(&input, &MatchParams::default())
                .into_iter()
                .map(|h| (h.hold_id, h.end_id, h.end.as_str(), h.reason.rule.as_str()))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            run(
                vec![
                    line(1, Pending, "2026-03-01", "-25.00", "USD"),
                    line(2, Settled, "2026-03-03", "-26.50", "USD"),
                ],
                vec![]
            ),
            vec![(1, 2, "settled", "tolerance")]
        );
        assert_eq!(
            run(
                vec![
                    line(1, Pending, "2026-03-01", "-1.00", "USD"),
                    line(2, Reversed, "2026-03-02", "-1.00", "USD"),
                ],
                vec![]
            ),
            vec![(1, 2, "released", "exact")]
        );
        assert_eq!(
            run(
                vec![
                    line(1, Pending, "2026-03-01", "-25.00", "USD"),
                    line(2, Settled, "2026-03-02", "-40.00", "USD"),
                ],
                vec![]
            ),
            vec![],
            "beyond 20% is another charge"
        );
        let paypal = vec![
            BankRef {
                bank_id: 1,
                issuer_id: "AUTH-1".into(),
                related_id: String::new(),
            },
            BankRef {
                bank_id: 2,
                issuer_id: "PAY-9".into(),
                related_id: "AUTH-1".into(),
            },
        ];
        assert_eq!(
            run(
                vec![
                    line(1, Pending, "2026-03-01", "-25.00", "USD"),
                    line(2, Settled, "2026-03-14", "-40.00", "USD"),
                ],
                paypal
            ),
            vec![(1, 2, "settled", "reference")]
        );
    }

    #[test]
    fn records_parse_as_flags_name_them() {
        assert_eq!(parse_record("billing:3"), Some(("billing", 3)));
        assert_eq!(parse_record(" bank:12 "), Some(("bank", 12)));
        assert_eq!(parse_record("usage:2026-03-01:x"), None);
        assert_eq!(parse_record("bank:x"), None);
    }

    /// Regression: a 43.27 EUR card charge paying a 50.00 USD credit with no ECB rate imported
    /// was flagged "charged without credit, dispute it" plus "credit without charge".
    #[test]
    fn a_pair_only_a_missing_rate_keeps_apart_waits_in_review() {
        type Row = (
            &'static str,
            &'static str,
            Vec<Rate>,
            bool,
            Option<&'static str>,
        );
        let note = "no EUR->USD rate: import the ECB rates (eurofxref-hist.csv) to compare";
        let rate = Rate {
            day: d("2026-03-05"),
            currency: Currency::parse("USD").unwrap(),
            per_euro: amt("1.1556"),
        };
        // (case, bank day, rates, matched, review note)
        let cases: Vec<Row> = vec![
            ("no rate imported", "2026-03-06", vec![], false, Some(note)),
            ("the rate imported", "2026-03-06", vec![rate], true, None),
            ("outside the window", "2026-03-20", vec![], false, None),
        ];
        for (name, bank_day, rates, matched, want) in cases {
            let mut inputs = inputs(
                vec![bill(
                    1,
                    BillingKind::CreditPurchase,
                    "2026-03-05",
                    "50.00",
                    "USD",
                )],
                vec![line(11, BankStatus::Settled, bank_day, "-43.27", "EUR")],
            );
            inputs.rates = rates;
            let p = match_all(&inputs, &MatchParams::default()).payments;
            assert_eq!(p.for_billing(1).is_some(), matched, "{name}");
            let notes: Vec<Option<&str>> = p.review.iter().map(|r| r.note.as_deref()).collect();
            assert_eq!(
                notes,
                want.into_iter().map(Some).collect::<Vec<_>>(),
                "{name}"
            );
            let m = match_all(&inputs, &MatchParams::default());
            let flags = crate::domain::flags::detect(
                &inputs,
                &m,
                &crate::domain::flags::FlagParams::default(),
                d("2026-04-01"),
            );
            let kinds: Vec<&str> = flags.iter().map(|f| f.kind.as_str()).collect();
            if want.is_some() || matched {
                assert!(kinds.is_empty(), "{name}: {kinds:?}");
            }
        }
    }
}
