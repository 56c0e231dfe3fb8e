//! The top-up doctor: walks each recent top-up attempt through its lifecycle (authorized ->
//! settled -> credited -> consumed) and names where it stalled.
//!
//! An attempt is a provider credit purchase or auto-recharge (whatever its status), or an API
//! top-up bank line that no billing record claims. Each stage says what the ledger shows, with
//! its evidence records; the first stage that failed or stalled names the failure: a payment
//! failure (declined, reversed or a failed recharge), a balance not yet synchronized (a settled
//! charge with no credit after the grace days), a hold that never settled, or a credit that
//! arrived and was used up until the balance reached zero. Diagnoses are plain language, never
//! advise paying again to "retry", and tell a 429 rate limit from a 429 for exhausted credit.
//!
//! Pure like the detectors: the snapshot cut at the as-of date and the one [`Matching`] of it
//! in (the same the flags read), attempts out, reproducible for an as-of date.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use chrono::NaiveDate;

use super::balance::{AccountKey, Balance, LotOutcome};
use super::flags::FlagParams;
use super::ledger::{BankItem, BillingItem, Coverage, Snapshot};
use super::matching::{HoldEnd, HoldMatch, Matching};
use super::money::{Amount, Currency};
use super::projection;
use super::records::{BankStatus, BillingKind, BillingStatus, days_between};

/// How many attempts per provider the doctor walks.
pub const ATTEMPTS_PER_PROVIDER: usize = 10;

/// A step of a top-up's life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Authorized,
    Settled,
    Credited,
    Consumed,
}

impl Stage {
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Authorized => "authorized",
            Stage::Settled => "settled",
            Stage::Credited => "credited",
            Stage::Consumed => "consumed",
        }
    }
}

/// Where a stage stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StageStatus {
    /// Done.
    Ok,
    /// Not yet, within normal time.
    Waiting,
    /// Refused, reversed or failed.
    Failed,
    /// Expected by now and not there.
    Missing,
    /// The ledger cannot tell (no statement or billing file covers it).
    Unknown,
    /// An earlier stage failed, so this one never came.
    NotReached,
    /// Credit inferred from a bank top-up (no billing records for the provider).
    Inferred,
    /// Credited and since used up.
    UsedUp,
}

impl StageStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            StageStatus::Ok => "ok",
            StageStatus::Waiting => "waiting",
            StageStatus::Failed => "failed",
            StageStatus::Missing => "missing",
            StageStatus::Unknown => "unknown",
            StageStatus::NotReached => "not_reached",
            StageStatus::Inferred => "inferred",
            StageStatus::UsedUp => "used_up",
        }
    }
}

/// One stage of one attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StageReport {
    pub stage: Stage,
    pub status: StageStatus,
    pub date: Option<NaiveDate>,
    pub records: Vec<String>,
}

/// Where an attempt stalled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// Declined, reversed, or a failed recharge: no money moved, no credit.
    PaymentFailed,
    /// The charge settled but no credit arrived after the grace days.
    BalanceNotSynchronized,
    /// A hold older than the hold age that nothing settled or released.
    HoldNeverSettled,
    /// Credited, then used up until the balance reached zero while usage went on.
    BalanceDepleted,
    /// Still within normal time.
    InProgress,
    /// All fine.
    None,
}

impl Failure {
    pub fn as_str(self) -> &'static str {
        match self {
            Failure::PaymentFailed => "payment_failed",
            Failure::BalanceNotSynchronized => "balance_not_synchronized",
            Failure::HoldNeverSettled => "hold_never_settled",
            Failure::BalanceDepleted => "balance_depleted",
            Failure::InProgress => "in_progress",
            Failure::None => "none",
        }
    }
}

/// One top-up attempt walked through its lifecycle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    pub provider: String,
    pub date: NaiveDate,
    pub amount: Amount,
    pub currency: Currency,
    pub stages: Vec<StageReport>,
    pub failure: Failure,
    pub diagnosis: String,
}

impl Attempt {
    /// Every evidence record of every stage, sorted.
    pub fn records(&self) -> Vec<String> {
        let all: BTreeSet<&String> = self.stages.iter().flat_map(|s| &s.records).collect();
        all.into_iter().cloned().collect()
    }
}

fn money(amount: Amount, currency: &str) -> String {
    format!("{} {currency}", amount.to_cents_string())
}

fn stage(
    stage: Stage,
    status: StageStatus,
    date: Option<NaiveDate>,
    records: Vec<String>,
) -> StageReport {
    StageReport {
        stage,
        status,
        date,
        records,
    }
}

/// The day a credit's balance reached zero, and the declined auto-recharge (day, record) that
/// should have topped it up first, when there was one.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Depletion {
    zero_on: NaiveDate,
    declined_recharge: Option<(NaiveDate, String)>,
}

/// Everything an attempt is judged against.
struct Context<'a> {
    inputs: &'a Snapshot,
    params: &'a FlagParams,
    as_of: NaiveDate,
    matching: &'a Matching,
    balances: BTreeMap<AccountKey, Balance>,
    coverage: Coverage,
    /// Lookups built once, so that judging every top-up of a long bank history stays linear.
    index: Index<'a>,
}

/// The bank lines by id, the holds by either end, the providers with billing records, and the
/// declined line of each failed credit purchase.
struct Index<'a> {
    bank: HashMap<i64, &'a BankItem>,
    /// The first hold each line ends (any way), and the first it ends by settling.
    ended_by: HashMap<i64, &'a HoldMatch>,
    settled_by: HashMap<i64, &'a HoldMatch>,
    /// The first hold match of each hold line.
    hold: HashMap<i64, &'a HoldMatch>,
    billing_providers: HashSet<&'a str>,
    /// Per failed credit purchase (billing id): its declined card line, when there is one.
    declined: HashMap<i64, &'a BankItem>,
}

impl<'a> Index<'a> {
    fn new(inputs: &'a Snapshot, matching: &'a Matching, params: &FlagParams) -> Self {
        let mut ended_by = HashMap::new();
        let mut settled_by = HashMap::new();
        let mut hold = HashMap::new();
        for h in &matching.holds {
            ended_by.entry(h.end_id).or_insert(h);
            if h.end == HoldEnd::Settled {
                settled_by.entry(h.end_id).or_insert(h);
            }
            hold.entry(h.hold_id).or_insert(h);
        }
        let declined = inputs
            .billing
            .iter()
            .filter(|b| b.status == BillingStatus::Failed)
            .filter_map(|b| Some((b.id, scan_declined(inputs, params, b)?)))
            .collect();
        Self {
            bank: inputs.bank.iter().map(|l| (l.id, l)).collect(),
            ended_by,
            settled_by,
            hold,
            billing_providers: inputs.billing.iter().map(|b| b.provider.as_str()).collect(),
            declined,
        }
    }
}

/// A declined or reversed card line of this amount near a failed billing record (the first in
/// the ledger's order).
fn scan_declined<'a>(
    inputs: &'a Snapshot,
    params: &FlagParams,
    b: &BillingItem,
) -> Option<&'a BankItem> {
    inputs.bank.iter().find(|l| {
        l.status() == BankStatus::Reversed
            && l.provider.as_deref() == Some(b.provider.as_str())
            && l.amount.abs() == b.amount.abs()
            && params.matching.within_days(b.day, l.day)
    })
}

impl Context<'_> {
    fn bank(&self, id: i64) -> Option<&BankItem> {
        self.index.bank.get(&id).copied()
    }

    /// The hold a settled line completed.
    fn hold_before(&self, end_id: i64) -> Option<&BankItem> {
        let m = self.index.settled_by.get(&end_id)?;
        self.bank(m.hold_id)
    }

    fn has_billing(&self, provider: &str) -> bool {
        self.index.billing_providers.contains(provider)
    }

    /// A declined or reversed card line of this amount near a failed billing record.
    fn declined_near(&self, b: &BillingItem) -> Option<&BankItem> {
        if b.status == BillingStatus::Failed {
            return self.index.declined.get(&b.id).copied();
        }
        scan_declined(self.inputs, self.params, b)
    }

    fn lot(&self, account: &AccountKey, record: &str) -> Option<(&Balance, &LotOutcome)> {
        let b = self.balances.get(account)?;
        let lot = b.lots.iter().find(|l| l.record == record)?;
        Some((b, lot))
    }

    /// The account's failed auto-recharge dated from `from` to one day after `zero_on` (the
    /// latest one when several): the reason the balance was not topped up before it ran out.
    fn failed_recharge(
        &self,
        account: &AccountKey,
        from: NaiveDate,
        zero_on: NaiveDate,
    ) -> Option<&BillingItem> {
        let until = zero_on.succ_opt().unwrap_or(zero_on);
        self.inputs
            .billing
            .iter()
            .filter(|b| b.kind == BillingKind::AutoRecharge && b.status == BillingStatus::Failed)
            .filter(|b| from <= b.day && b.day <= until)
            .filter(|b| &self.inputs.resolve_account(&b.provider, &b.organization) == account)
            .max_by_key(|b| (b.day, b.time, b.id))
    }

    /// The consumed stage of a credited lot, and the depletion when it was the last credit
    /// before the balance reached zero.
    fn consumed(&self, account: &AccountKey, record: &str) -> (StageReport, Option<Depletion>) {
        let Some((b, lot)) = self.lot(account, record) else {
            return (
                stage(Stage::Consumed, StageStatus::Unknown, None, vec![]),
                None,
            );
        };
        let next_credit = b
            .lots
            .iter()
            .filter(|l| (l.day, &l.record) > (lot.day, &lot.record))
            .map(|l| l.day)
            .min();
        let zero_on = b
            .depletion_episodes()
            .into_iter()
            .map(|e| e.zero_on)
            .find(|z| *z >= lot.day && next_credit.is_none_or(|n| *z < n));
        let mut records = vec![record.to_string()];
        let depletion = zero_on.map(|zero_on| Depletion {
            zero_on,
            declined_recharge: self
                .failed_recharge(account, lot.day, zero_on)
                .map(|f| (f.day, f.record())),
        });
        if let Some((_, failed)) = depletion
            .as_ref()
            .and_then(|d| d.declined_recharge.as_ref())
        {
            records.push(failed.clone());
        }
        let report = if !lot.remaining.is_zero() {
            stage(Stage::Consumed, StageStatus::Waiting, None, records)
        } else if let Some(z) = zero_on {
            stage(Stage::Consumed, StageStatus::UsedUp, Some(z), records)
        } else {
            stage(Stage::Consumed, StageStatus::Ok, None, records)
        };
        (report, depletion)
    }
}

/// Walks the most recent top-up attempts, [`ATTEMPTS_PER_PROVIDER`] per provider (all
/// providers, or the one named), most recent first within each provider.
pub fn diagnose(
    inputs: &Snapshot,
    matching: &Matching,
    params: &FlagParams,
    as_of: NaiveDate,
    provider: Option<&str>,
) -> Vec<Attempt> {
    let balances = projection::balances(inputs, as_of)
        .into_iter()
        .map(|b| (b.account.clone(), b))
        .collect();
    let cx = Context {
        inputs,
        params,
        as_of,
        matching,
        balances,
        coverage: inputs.coverage(),
        index: Index::new(inputs, matching, params),
    };
    let wanted = |p: &str| provider.is_none_or(|w| w.eq_ignore_ascii_case(p));
    let mut all: Vec<Attempt> = inputs
        .billing
        .iter()
        .filter(|b| b.buys_credit())
        .filter(|b| b.status != BillingStatus::Void && wanted(&b.provider))
        .map(|b| billing_attempt(&cx, b))
        .collect();
    all.extend(
        inputs
            .bank
            .iter()
            .filter(|l| l.is_topup() && l.provider.as_deref().is_some_and(wanted))
            .filter_map(|l| bank_attempt(&cx, l)),
    );
    let mut by_provider: BTreeMap<String, Vec<Attempt>> = BTreeMap::new();
    for a in all {
        by_provider.entry(a.provider.clone()).or_default().push(a);
    }
    by_provider
        .into_values()
        .flat_map(|mut list| {
            list.sort_by_key(|a| std::cmp::Reverse((a.date, a.records())));
            list.truncate(ATTEMPTS_PER_PROVIDER);
            list
        })
        .collect()
}

/// The authorized and settled stages of a bank line that paid something.
fn card_stages(cx: &Context<'_>, l: &BankItem) -> (StageReport, StageReport) {
    let age = days_between(l.day, cx.as_of);
    match l.status() {
        BankStatus::Pending => {
            let settled = if age > cx.params.hold_age_days {
                StageStatus::Missing
            } else {
                StageStatus::Waiting
            };
            (
                stage(
                    Stage::Authorized,
                    StageStatus::Ok,
                    Some(l.day),
                    vec![l.record()],
                ),
                stage(Stage::Settled, settled, None, vec![]),
            )
        }
        BankStatus::Reversed => (
            stage(
                Stage::Authorized,
                StageStatus::Failed,
                Some(l.day),
                vec![l.record()],
            ),
            stage(Stage::Settled, StageStatus::NotReached, None, vec![]),
        ),
        BankStatus::Settled => {
            let hold = cx.hold_before(l.id);
            let auth = hold.map_or_else(
                || {
                    stage(
                        Stage::Authorized,
                        StageStatus::Ok,
                        Some(l.day),
                        vec![l.record()],
                    )
                },
                |h| {
                    stage(
                        Stage::Authorized,
                        StageStatus::Ok,
                        Some(h.day),
                        vec![h.record()],
                    )
                },
            );
            (
                auth,
                stage(
                    Stage::Settled,
                    StageStatus::Ok,
                    Some(l.day),
                    vec![l.record()],
                ),
            )
        }
    }
}

fn billing_attempt(cx: &Context<'_>, b: &BillingItem) -> Attempt {
    let amount = b.amount.abs();
    let paid_by = cx
        .matching
        .payments
        .for_billing(b.id)
        .and_then(|m| cx.bank(m.bank_id));
    let (auth, settled) = match (paid_by, b.status) {
        (Some(l), _) => card_stages(cx, l),
        (None, BillingStatus::Failed) => {
            let declined = cx.declined_near(b).map(|l| (l.day, vec![l.record()]));
            let (day, records) = declined.unwrap_or((b.day, vec![b.record()]));
            (
                stage(Stage::Authorized, StageStatus::Failed, Some(day), records),
                stage(Stage::Settled, StageStatus::NotReached, None, vec![]),
            )
        }
        (None, _) => (
            stage(Stage::Authorized, StageStatus::Unknown, None, vec![]),
            stage(Stage::Settled, StageStatus::Unknown, None, vec![]),
        ),
    };
    let credited_status = match b.status {
        BillingStatus::Paid | BillingStatus::Refunded => StageStatus::Ok,
        BillingStatus::Pending => StageStatus::Waiting,
        BillingStatus::Failed | BillingStatus::Void => StageStatus::Failed,
    };
    let credited = stage(
        Stage::Credited,
        credited_status,
        Some(b.day),
        vec![b.record()],
    );
    let account = cx.inputs.resolve_account(&b.provider, &b.organization);
    let (consumed, depletion) = if credited_status == StageStatus::Ok {
        cx.consumed(&account, &b.record())
    } else {
        (
            stage(Stage::Consumed, StageStatus::NotReached, None, vec![]),
            None,
        )
    };
    let stages = vec![auth, settled, credited, consumed];
    let (failure, diagnosis) = judge(
        cx,
        &b.provider,
        b.day,
        amount,
        &b.currency,
        &stages,
        depletion,
    );
    Attempt {
        provider: b.provider.clone(),
        date: b.day,
        amount,
        currency: b.currency,
        stages,
        failure,
        diagnosis,
    }
}

fn bank_attempt(cx: &Context<'_>, l: &BankItem) -> Option<Attempt> {
    let provider = l.provider.clone()?;
    let payments = &cx.matching.payments;
    // Lines that paid a billing record are walked with it; lines in review wait for the user.
    if payments.for_bank(l.id).is_some() || payments.bank_in_review(l.id) {
        return None;
    }
    // A reversal that released a hold, or the declined line of a failed recharge, is walked
    // with the hold or the recharge.
    let releases = cx.index.ended_by.contains_key(&l.id);
    let declines = cx
        .inputs
        .billing
        .iter()
        .filter(|b| b.status == BillingStatus::Failed && b.kind.is_credit())
        .any(|b| cx.declined_near(b).is_some_and(|d| d.id == l.id));
    let verification =
        Amount::from_cents(cx.params.verification_hold_max_cents).unwrap_or_default();
    // A released verification hold (one row that went from pending to reversed) is no top-up.
    let released_verification = l.amount.abs() <= verification;
    if l.status() == BankStatus::Reversed && (releases || declines || released_verification) {
        return None;
    }
    let hold = cx.index.hold.get(&l.id).copied();
    let (auth, settled) = match hold {
        // The settled line walks the attempt.
        Some(h) if h.end == HoldEnd::Settled => return None,
        // A released verification hold is no top-up attempt.
        Some(_) if l.amount.abs() <= verification => return None,
        Some(h) => (
            stage(
                Stage::Authorized,
                StageStatus::Failed,
                Some(l.day),
                vec![l.record(), format!("bank:{}", h.end_id)],
            ),
            stage(Stage::Settled, StageStatus::NotReached, None, vec![]),
        ),
        None => card_stages(cx, l),
    };
    let amount = l.amount.abs();
    let mut depletion = None;
    let credited = if settled.status != StageStatus::Ok {
        stage(Stage::Credited, StageStatus::NotReached, None, vec![])
    } else if !cx.has_billing(&provider) {
        stage(
            Stage::Credited,
            StageStatus::Inferred,
            Some(l.day),
            vec![l.record()],
        )
    } else if !cx.coverage.billing_covers(&provider, l.day) {
        stage(Stage::Credited, StageStatus::Unknown, None, vec![])
    } else if days_between(l.day, cx.as_of) >= cx.params.credit_grace_days {
        stage(Stage::Credited, StageStatus::Missing, None, vec![])
    } else {
        stage(Stage::Credited, StageStatus::Waiting, None, vec![])
    };
    let consumed = if credited.status == StageStatus::Inferred {
        let account = cx.inputs.resolve_account(&provider, "");
        let (report, zero) = cx.consumed(&account, &l.record());
        depletion = zero;
        report
    } else {
        stage(Stage::Consumed, StageStatus::NotReached, None, vec![])
    };
    let stages = vec![auth, settled, credited, consumed];
    let (failure, diagnosis) = judge(
        cx,
        &provider,
        l.day,
        amount,
        &l.currency,
        &stages,
        depletion,
    );
    Some(Attempt {
        provider,
        date: l.day,
        amount,
        currency: l.currency,
        stages,
        failure,
        diagnosis,
    })
}

fn status_at(stages: &[StageReport], which: Stage) -> StageStatus {
    stages
        .iter()
        .find(|s| s.stage == which)
        .map_or(StageStatus::Unknown, |s| s.status)
}

fn date_at(stages: &[StageReport], which: Stage) -> Option<NaiveDate> {
    stages
        .iter()
        .find(|s| s.stage == which)
        .and_then(|s| s.date)
}

/// What to say about a hold that was never settled nor released: a few dollars held when a card
/// is added or changed are a check of the card, not a top-up.
fn hold_diagnosis(
    cx: &Context<'_>,
    what: &str,
    provider: &str,
    day: NaiveDate,
    amount: Amount,
    currency: &str,
    age: i64,
) -> String {
    let small = amount.abs().nanos()
        <= cx
            .params
            .verification_hold_max_cents
            .saturating_mul(10_000_000);
    if small {
        return format!(
            "The {} hold by {provider} on {day} looks like a verification hold (a small amount held \
             when a card is added or changed), and it is still there after {age} days. It buys no \
             credit and is normally released within a week. Import your newest statement first (the \
             release may be on it); if it remains, ask your bank to release the authorization.",
            money(amount, currency)
        );
    }
    format!(
        "{what} is stuck as a hold: the card issuer authorized it {age} days ago and no settled line \
         or release followed. Import your newest statement first (the settled line may be on it); if \
         the hold remains, check {provider}'s billing page for whether the payment went through, and \
         ask your bank to release the authorization. Do not pay again while it is pending."
    )
}

/// A credit used up because the auto-recharge that should have followed it was declined.
fn declined_diagnosis(
    what: &str,
    provider: &str,
    zero: NaiveDate,
    declined_on: NaiveDate,
    record: &str,
) -> String {
    format!(
        "{what} went through and was credited, then used up: the balance ran out on {zero} because \
         the auto-recharge on {declined_on} was declined ({record}), so no new credit arrived and API \
         calls were likely refused from then on. This is a payment failure, not a usage problem: \
         check the card on file (its expiry date, its spending and online-payment limits, and any \
         fraud block or 3-D Secure request in your bank's app), then update the payment method on \
         {provider}'s billing page and let the auto-recharge run again by itself. Do not pay again to \
         test the card."
    )
}

/// Names the failure from the stages, and says it in plain language.
fn judge(
    cx: &Context<'_>,
    provider: &str,
    day: NaiveDate,
    amount: Amount,
    currency: &str,
    stages: &[StageReport],
    depletion: Option<Depletion>,
) -> (Failure, String) {
    let what = format!(
        "The {} top-up to {provider} on {day}",
        money(amount, currency)
    );
    let auth = status_at(stages, Stage::Authorized);
    let settled = status_at(stages, Stage::Settled);
    let credited = status_at(stages, Stage::Credited);
    if auth == StageStatus::Failed || credited == StageStatus::Failed {
        return (
            Failure::PaymentFailed,
            format!(
                "{what} failed at the payment: the card was declined or the charge reversed, so no money \
                 moved and no credit was added. Check the card's expiry date, its spending and online-payment \
                 limits and any fraud block or 3-D Secure request in your bank's app, then update the payment \
                 method on {provider}'s billing page. Paying again before that fails the same way; once the \
                 payment method is fixed, a scheduled auto-recharge runs by itself."
            ),
        );
    }
    if settled == StageStatus::Missing {
        let age = days_between(date_at(stages, Stage::Authorized).unwrap_or(day), cx.as_of);
        return (
            Failure::HoldNeverSettled,
            hold_diagnosis(cx, &what, provider, day, amount, currency, age),
        );
    }
    if credited == StageStatus::Missing
        || (credited == StageStatus::Waiting
            && settled == StageStatus::Ok
            && date_at(stages, Stage::Settled)
                .is_some_and(|s| days_between(s, cx.as_of) >= cx.params.credit_grace_days))
    {
        let charged = date_at(stages, Stage::Settled).unwrap_or(day);
        return (
            Failure::BalanceNotSynchronized,
            format!(
                "{what}: the bank settled the charge on {charged}, {} days before {}, but {provider}'s \
                 billing records show no credit for it (balance not synchronized). Check the provider's \
                 billing page (payment history and credit grants) for that date; if no credit is there, \
                 contact {provider}'s support with this bank line, and dispute the charge with your bank if \
                 they cannot find it. Do not top up a second time to see whether it arrives.",
                days_between(charged, cx.as_of),
                cx.as_of
            ),
        );
    }
    if let Some(Depletion {
        zero_on,
        declined_recharge: Some((declined_on, record)),
    }) = &depletion
    {
        return (
            Failure::BalanceDepleted,
            declined_diagnosis(&what, provider, *zero_on, *declined_on, record),
        );
    }
    if let Some(zero) = depletion.map(|d| d.zero_on) {
        return (
            Failure::BalanceDepleted,
            format!(
                "{what} went through and was credited, then used up: the balance reached zero on {zero} while \
                 usage went on, so API calls were likely refused with an insufficient-balance error from then \
                 on. This is not a payment problem: {}. Check \
                 which projects and keys drove the usage on {provider}'s usage page, and whether an \
                 auto-recharge is set up with a threshold that fires before zero.",
                crate::domain::api_errors::refused_calls(provider)
            ),
        );
    }
    let waiting = [auth, settled, credited].contains(&StageStatus::Waiting);
    if waiting {
        return (
            Failure::InProgress,
            format!(
                "{what} is still on its way (a hold not yet settled, or a credit not yet shown), within the \
                 usual time. Nothing to do yet; check again in a few days."
            ),
        );
    }
    let note = if settled == StageStatus::Unknown && credited == StageStatus::Ok {
        " No imported bank or card line shows the charge: it was paid by another card or account, or \
         that statement is not imported."
    } else if credited == StageStatus::Unknown {
        " No imported billing file covers its date, so the credit cannot be checked; import the \
         provider's billing records for that month."
    } else if credited == StageStatus::Inferred {
        " The credit is inferred from the bank line (no billing records for this provider)."
    } else {
        ""
    };
    (
        Failure::None,
        format!("{what} went through: nothing stalled.{note}"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::balance::DailyUsage;
    use crate::domain::flags::test_support::{d, usd};
    use crate::domain::matching::{MatchParams, match_all};
    use crate::domain::records::{BillingKind, SpendKind};

    /// Cuts, matches once and walks, as the front ends do.
    fn walk(inputs: &Snapshot, as_of: NaiveDate) -> Vec<Attempt> {
        let cut = inputs.up_to(as_of);
        let m = match_all(&cut, &MatchParams::default());
        diagnose(&cut, &m, &FlagParams::default(), as_of, None)
    }

    fn bill(
        id: i64,
        kind: BillingKind,
        status: BillingStatus,
        day: &str,
        amount: &str,
    ) -> BillingItem {
        BillingItem {
            id,
            source_file_id: 1,
            provider: "openai".into(),
            kind,
            status,
            day: d(day),
            time: None,
            amount: usd(amount),
            currency: Currency::of(*b"USD"),
            organization: String::new(),
            project: String::new(),
            expires_on: None,
            receipt: crate::domain::billing_details::ReceiptFacts::default(),
        }
    }

    fn topup(id: i64, status: BankStatus, day: &str, amount: &str) -> BankItem {
        BankItem {
            id,
            source_file_id: 2,
            provider: Some("openai".into()),
            spend_kind: Some(SpendKind::ApiTopup),
            status: Some(status),
            day: d(day),
            time: None,
            amount: usd(amount),
            currency: Currency::of(*b"USD"),
            description: "OPENAI".into(),
            card_last4: String::new(),
        }
    }

    /// 6.00 of usage a day on 03-01, 03-02 and 03-03: 10.00 of credit bought on 03-01 runs out
    /// on 03-02.
    fn six_a_day_in_early_march(provider: &str) -> Vec<DailyUsage> {
        ["2026-03-01", "2026-03-02", "2026-03-03"]
            .iter()
            .map(|day| DailyUsage {
                account: AccountKey::new(provider, ""),
                day: d(day),
                cost: usd("6.00"),
                currency: Currency::of(*b"USD"),
            })
            .collect()
    }

    fn summary(attempts: &[Attempt]) -> Vec<(String, &'static str, Vec<&'static str>)> {
        attempts
            .iter()
            .map(|a| {
                (
                    a.date.to_string(),
                    a.failure.as_str(),
                    a.stages.iter().map(|s| s.status.as_str()).collect(),
                )
            })
            .collect()
    }

    use BankStatus::{Pending, Reversed, Settled};
    use BillingKind::{AutoRecharge, CreditPurchase};
    use BillingStatus::{Failed, Paid};

    #[test]
    fn a_small_hold_that_stays_is_called_a_verification_hold() {
        let inputs = Snapshot {
            bank: vec![
                topup(21, Pending, "2026-03-01", "-4.31"),
                topup(22, Pending, "2026-03-02", "-40.00"),
            ],
            ..Snapshot::default()
        };
        let got = walk(&inputs, d("2026-03-20"));
        let text = |amount: &str| {
            got.iter()
                .find(|a| a.amount.abs() == usd(amount).abs())
                .map(|a| (a.failure.as_str(), a.diagnosis.clone()))
                .unwrap()
        };
        let (failure, small) = text("-4.31");
        assert_eq!(failure, "hold_never_settled");
        assert!(
            small.contains("verification hold") && !small.contains("top-up"),
            "{small}"
        );
        let (_, large) = text("-40.00");
        assert!(
            large.contains("top-up") && !large.contains("verification"),
            "{large}"
        );
    }

    #[test]
    fn each_stall_is_named() {
        let inputs = Snapshot {
            billing: vec![
                bill(1, CreditPurchase, Paid, "2026-03-01", "10.00"),
                bill(2, AutoRecharge, Failed, "2026-03-05", "20.00"),
                bill(3, CreditPurchase, Paid, "2026-03-25", "15.00"),
            ],
            bank: vec![
                topup(11, Settled, "2026-03-02", "-10.00"),
                topup(12, Reversed, "2026-03-05", "-20.00"),
                topup(13, Settled, "2026-03-10", "-50.00"),
                topup(14, Pending, "2026-03-12", "-30.00"),
                topup(15, Settled, "2026-03-26", "-15.00"),
            ],
            usage: vec![DailyUsage {
                account: AccountKey::new("openai", ""),
                day: d("2026-03-04"),
                cost: usd("12.00"),
                currency: Currency::of(*b"USD"),
            }],
            ..Snapshot::default()
        };
        let got = walk(&inputs, d("2026-03-27"));
        assert_eq!(
            summary(&got),
            vec![
                (
                    "2026-03-25".into(),
                    "none",
                    vec!["ok", "ok", "ok", "waiting"]
                ),
                (
                    "2026-03-12".into(),
                    "hold_never_settled",
                    vec!["ok", "missing", "not_reached", "not_reached"]
                ),
                (
                    "2026-03-10".into(),
                    "balance_not_synchronized",
                    vec!["ok", "ok", "missing", "not_reached"]
                ),
                (
                    "2026-03-05".into(),
                    "payment_failed",
                    vec!["failed", "not_reached", "failed", "not_reached"]
                ),
                (
                    "2026-03-01".into(),
                    "balance_depleted",
                    vec!["ok", "ok", "ok", "used_up"]
                ),
            ]
        );
        let failed = &got[3];
        assert_eq!(failed.records(), vec!["bank:12", "billing:2"]);
        for a in &got {
            assert!(!a.diagnosis.contains("retry"), "{}", a.diagnosis);
        }
        // The auto-recharge declined on 03-05, the day after the balance reached zero, is why.
        assert!(
            got[4]
                .diagnosis
                .contains("the auto-recharge on 2026-03-05 was declined"),
            "{}",
            got[4].diagnosis
        );
        assert!(
            {
                let cut = inputs.up_to(d("2026-03-27"));
                let m = match_all(&cut, &MatchParams::default());
                diagnose(
                    &cut,
                    &m,
                    &FlagParams::default(),
                    d("2026-03-27"),
                    Some("anthropic"),
                )
            }
            .is_empty()
        );
    }

    #[test]
    fn recent_steps_are_in_progress_and_released_verification_holds_are_no_attempt() {
        let inputs = Snapshot {
            billing: vec![bill(1, CreditPurchase, Paid, "2026-02-01", "5.00")],
            bank: vec![
                topup(11, Pending, "2026-03-10", "-30.00"),
                topup(12, Pending, "2026-03-01", "-1.00"),
                topup(13, Reversed, "2026-03-02", "-1.00"),
            ],
            ..Snapshot::default()
        };
        let got = walk(&inputs, d("2026-03-11"));
        assert_eq!(
            summary(&got),
            vec![
                (
                    "2026-03-10".into(),
                    "in_progress",
                    vec!["ok", "waiting", "not_reached", "not_reached"]
                ),
                (
                    "2026-02-01".into(),
                    "none",
                    vec!["unknown", "unknown", "ok", "waiting"]
                ),
            ]
        );
    }

    /// Regression ("we ran out of credits at night"): the last credit before depletion was
    /// diagnosed as used up with advice to set up an auto-recharge, while the auto-recharge had
    /// been declined.
    #[test]
    fn a_declined_auto_recharge_before_depletion_is_named() {
        let failed = |id: i64, day: &str, org: &str| BillingItem {
            organization: org.into(),
            ..bill(id, AutoRecharge, Failed, day, "20.00")
        };
        // 10.00 credited on 03-01, 6.00 used a day: zero on 03-02.
        // (case, failed recharges, the declined one named)
        let cases: Vec<(&str, Vec<BillingItem>, Option<&str>)> = vec![
            (
                "declined on the depletion day",
                vec![failed(2, "2026-03-02", "")],
                Some("billing:2"),
            ),
            (
                "declined the day after",
                vec![failed(2, "2026-03-03", "")],
                Some("billing:2"),
            ),
            (
                "declined between credit and zero",
                vec![failed(2, "2026-03-01", "")],
                Some("billing:2"),
            ),
            (
                "declined two days after",
                vec![failed(2, "2026-03-04", "")],
                None,
            ),
            (
                "declined before the credit",
                vec![failed(2, "2026-02-27", "")],
                None,
            ),
            ("no recharge at all", vec![], None),
        ];
        for (name, extra, named) in cases {
            let mut billing = vec![bill(1, CreditPurchase, Paid, "2026-03-01", "10.00")];
            billing.extend(extra);
            let inputs = Snapshot {
                billing,
                usage: six_a_day_in_early_march("openai"),
                ..Snapshot::default()
            };
            let got = walk(&inputs, d("2026-03-10"));
            let credit = got
                .iter()
                .find(|a| a.stages.iter().any(|s| s.records == ["billing:1"]))
                .unwrap();
            assert_eq!(credit.failure, Failure::BalanceDepleted, "{name}");
            let text = &credit.diagnosis;
            assert!(!text.contains("retry"), "{name}: {text}");
            if let Some(record) = named {
                assert!(text.contains("ran out on 2026-03-02"), "{name}: {text}");
                assert!(
                    text.contains("was declined") && text.contains(record),
                    "{name}: {text}"
                );
                assert!(
                    text.contains("3-D Secure") && text.contains("payment method"),
                    "{name}"
                );
                assert!(!text.contains("not a payment problem"), "{name}: {text}");
                assert!(
                    !text.contains("whether an auto-recharge is set up"),
                    "{name}: {text}"
                );
                assert!(credit.records().contains(&record.to_string()), "{name}");
            } else {
                assert!(text.contains("not a payment problem"), "{name}: {text}");
                assert!(!text.contains("declined"), "{name}: {text}");
            }
        }
    }

    /// Regression: a used-up Anthropic credit was explained with OpenAI's errors
    /// (`insufficient_quota`), which an Anthropic user never sees in their logs.
    #[test]
    fn a_used_up_credit_is_explained_in_the_providers_words() {
        for (provider, own, foreign) in [
            ("openai", "insufficient_quota", "credit balance is too low"),
            (
                "anthropic",
                "credit balance is too low",
                "insufficient_quota",
            ),
        ] {
            let inputs = Snapshot {
                billing: vec![BillingItem {
                    provider: provider.into(),
                    ..bill(1, CreditPurchase, Paid, "2026-03-01", "10.00")
                }],
                usage: six_a_day_in_early_march(provider),
                ..Snapshot::default()
            };
            let got = walk(&inputs, d("2026-03-10"));
            let text = &got[0].diagnosis;
            assert_eq!(got[0].failure, Failure::BalanceDepleted, "{provider}");
            assert!(text.contains(own), "{provider}: {text}");
            assert!(!text.contains(foreign), "{provider}: {text}");
        }
    }
}
