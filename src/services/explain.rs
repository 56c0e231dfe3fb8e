//! The error explainer for both front ends: what a pasted error text means
//! ([`domain::explain::read`]) and, from the ledger judged as of a day ([`Judged`]), the evidence
//! that applies that day: each account's balance, the open flags about the money trail (a
//! failed recharge, a charge without credit, a balance that ran out) and the last top-up
//! attempt per provider as the doctor walks it. `burnrate explain` and the window's "Explain an
//! error" panel both call [`explain`], so they give the same answer for the same ledger and day.
//!
//! Nothing is judged anew here: balances are the projections, flags the detectors', attempts the
//! doctor's. This module only picks what is relevant to the error's layer and says which layer
//! the ledger points to. A rate limit says nothing about the balance, so for one no balance is
//! shown; an unrecognised text gets no ledger evidence at all.
//!
//! [`domain::explain::read`]: crate::domain::explain::read

use std::collections::BTreeSet;

use chrono::NaiveDate;

use crate::domain::doctor::{Attempt, Failure};
use crate::domain::explain::{self, Layer, display_name};
use crate::domain::explanation::{AccountEvidence, Explanation};
use crate::domain::flags::{Flag, FlagKind};
use crate::services::projection::{self, Judged};
use crate::store::{Store, StoreError};

/// Flags older than this many days before the as-of date are not evidence for today's error.
pub const RELEVANT_DAYS: i64 = 31;

/// What the user asks about.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Question {
    /// The error text as pasted.
    pub text: String,
    /// The provider named by the user (otherwise guessed from the text).
    pub provider: Option<String>,
}

/// Reads the ledger as of `as_of` and explains `question`.
///
/// # Errors
/// When the ledger cannot be read.
pub fn load(
    store: &Store,
    as_of: NaiveDate,
    question: &Question,
) -> Result<Explanation, StoreError> {
    let judged = projection::load(store, as_of)?;
    let dismissed: BTreeSet<String> = store
        .dismissed_flags()?
        .into_iter()
        .map(|d| d.flag_id)
        .collect();
    Ok(explain(&judged, &dismissed, question))
}

/// Explains `question` with the evidence of the ledger `judged` (flags whose id is in
/// `dismissed` are left out).
pub fn explain(judged: &Judged, dismissed: &BTreeSet<String>, question: &Question) -> Explanation {
    let as_of = judged.as_of();
    let reading = explain::read(&question.text, question.provider.as_deref());
    let provider = reading.provider.as_ref().map(|p| p.name.clone());
    let layer = reading.layer;
    let mut answer = Explanation {
        as_of,
        reading,
        consulted: false,
        ledger_layer: None,
        ledger_says: Vec::new(),
        accounts: Vec::new(),
        flags: Vec::new(),
        last_attempts: Vec::new(),
    };
    if layer == Layer::Unknown {
        answer
            .ledger_says
            .push("The ledger is not consulted for a text burnrate does not recognise.".into());
        return answer;
    }
    answer.consulted = true;
    let in_scope = |p: &str| provider.as_deref().is_none_or(|want| want == p);
    answer.flags = relevant_flags(judged, dismissed, layer, &in_scope);
    if layer == Layer::UsageRateLimit {
        answer.ledger_says.push(
            "A rate limit or overload says nothing about the balance: no balance is part of this answer."
                .into(),
        );
        if !answer.flags.is_empty() {
            answer
                .ledger_says
                .push("Usage spiked recently, which may explain the limit (below).".into());
        }
        return answer;
    }
    answer.accounts = judged
        .projections
        .iter()
        .filter(|p| in_scope(&p.account.provider) && !p.balance.days.is_empty())
        .map(|p| AccountEvidence {
            account: p.account.clone(),
            currency: p.balance.currency,
            balance: p.balance.closing(),
            known: p.balance.is_known(),
            lower_bound: p.balance.lower_bound(),
            depletes_on: p.forecast.depletes_on,
            recharge_failed_on: p.recharge_failing_since,
        })
        .collect();
    if layer != Layer::WrongOrganizationOrKey {
        answer.last_attempts = last_attempts(judged, provider.as_deref());
    }
    let (ledger_layer, why) = point_to(&answer);
    answer.ledger_layer = ledger_layer;
    answer.ledger_says.push(why);
    answer
        .ledger_says
        .extend(answer.accounts.iter().map(|a| a.sentence(as_of)));
    answer
}

/// The flag kinds that bear on an error of `layer`.
fn kinds_for(layer: Layer) -> &'static [FlagKind] {
    match layer {
        Layer::UsageRateLimit => &[FlagKind::SpendSpike],
        Layer::WrongOrganizationOrKey => &[FlagKind::WrongOrganization],
        Layer::PaymentFailure
        | Layer::BalanceNotSynchronized
        | Layer::BalanceDepleted
        | Layer::BillingMisunderstanding => &[
            FlagKind::RechargeFailed,
            FlagKind::ChargeWithoutCredit,
            FlagKind::UnsettledHold,
            FlagKind::DuplicateTopup,
            FlagKind::BalanceDepleted,
            FlagKind::WrongOrganization,
            FlagKind::BalanceMismatch,
        ],
        Layer::Unknown => &[],
    }
}

fn relevant_flags(
    judged: &Judged,
    dismissed: &BTreeSet<String>,
    layer: Layer,
    in_scope: &dyn Fn(&str) -> bool,
) -> Vec<Flag> {
    let as_of = judged.as_of();
    let kinds = kinds_for(layer);
    let mut flags: Vec<Flag> = judged
        .flags()
        .into_iter()
        .filter(|f| kinds.contains(&f.kind) && in_scope(&f.provider))
        .filter(|f| !dismissed.contains(&f.id))
        .filter(|f| f.date <= as_of && (as_of - f.date).num_days() <= RELEVANT_DAYS)
        .collect();
    flags.sort_by(|a, b| {
        (b.severity, b.date, &a.kind, &a.id).cmp(&(a.severity, a.date, &b.kind, &b.id))
    });
    flags
}

/// The newest attempt of each provider (of `provider` alone when given).
fn last_attempts(judged: &Judged, provider: Option<&str>) -> Vec<Attempt> {
    let mut seen = BTreeSet::new();
    // The doctor lists each provider's attempts newest first.
    judged
        .attempts(provider)
        .into_iter()
        .filter(|a| seen.insert(a.provider.clone()))
        .collect()
}

/// The layer the evidence points to and why, in one sentence. The newest top-up attempt says
/// most (a payment that failed or was never credited), then the open flags, then a balance at
/// zero.
fn point_to(answer: &Explanation) -> (Option<Layer>, String) {
    if let Some(found) = answer.last_attempts.iter().find_map(attempt_points_to) {
        return found;
    }
    if answer.reading.layer == Layer::BalanceDepleted
        && let Some(why) = credit_left(answer)
    {
        return (None, why);
    }
    let by_kind = |kind: FlagKind| answer.flags.iter().find(|f| f.kind == kind);
    let flag_layers = [
        (
            FlagKind::RechargeFailed,
            Layer::PaymentFailure,
            "a payment failure",
        ),
        (
            FlagKind::ChargeWithoutCredit,
            Layer::BalanceNotSynchronized,
            "a balance not synchronized",
        ),
        (
            FlagKind::WrongOrganization,
            Layer::WrongOrganizationOrKey,
            "the wrong organization",
        ),
        (
            FlagKind::BalanceDepleted,
            Layer::BalanceDepleted,
            "a balance that ran out",
        ),
    ];
    for (kind, layer, words) in flag_layers {
        if let Some(f) = by_kind(kind) {
            // A balance that ran out earlier and holds credit again today is history: a later
            // top-up ended that episode, so it does not explain today's error.
            if kind == FlagKind::BalanceDepleted && holds_credit_again(answer, &f.provider) {
                continue;
            }
            return (
                Some(layer),
                format!(
                    "The ledger points to {words}: {} (flag {}).",
                    f.message, f.id
                ),
            );
        }
    }
    if answer.reading.layer == Layer::WrongOrganizationOrKey {
        return (None, organizations_sentence(answer));
    }
    if let Some(a) = answer.accounts.iter().find(|a| a.is_spent()) {
        return (
            Some(Layer::BalanceDepleted),
            format!(
                "The ledger points to a balance that ran out: {} is at {} {} as of {}.",
                a.account.label(),
                a.balance.to_cents_string(),
                a.currency,
                answer.as_of
            ),
        );
    }
    let whose = answer
        .reading
        .provider
        .as_ref()
        .map_or_else(|| "any provider".to_string(), |p| display_name(&p.name));
    if answer.accounts.is_empty() && answer.last_attempts.is_empty() {
        return (
            None,
            format!(
                "The ledger has no balance or top-up of {whose} as of {}: import its billing export and your card statement to see them.",
                answer.as_of
            ),
        );
    }
    (
        None,
        format!(
            "The ledger shows nothing wrong with the money of {whose} as of {}; if calls are still refused, the ledger may be behind the provider: import the latest billing export and statement.",
            answer.as_of
        ),
    )
}

/// Whether every account of `provider` whose balance the ledger knows holds credit as of the
/// day asked about (and there is at least one).
fn holds_credit_again(answer: &Explanation, provider: &str) -> bool {
    all_hold_credit(
        answer
            .accounts
            .iter()
            .filter(|a| a.known && a.account.provider == provider),
    )
}

/// Whether there is at least one of `accounts` and each holds credit.
fn all_hold_credit<'a>(accounts: impl IntoIterator<Item = &'a AccountEvidence>) -> bool {
    let mut accounts = accounts.into_iter().peekable();
    accounts.peek().is_some() && accounts.all(|a| a.balance.round_to_cents() > 0)
}

/// For an error that says the credit is spent, while the ledger shows credit on every account
/// in question (an older failed recharge since made good is history, not today's cause): the
/// key's organization, or a ledger behind the provider.
fn credit_left(answer: &Explanation) -> Option<String> {
    let known: Vec<&AccountEvidence> = answer.accounts.iter().filter(|a| a.known).collect();
    if !all_hold_credit(known.iter().copied()) {
        return None;
    }
    let balances: Vec<String> = known
        .iter()
        .map(|a| {
            let least = if a.lower_bound { "at least " } else { "" };
            format!(
                "{} {least}{} {}",
                a.account.label(),
                a.balance.to_cents_string(),
                a.currency
            )
        })
        .collect();
    Some(format!(
        "The ledger shows credit left as of {} ({}), so it does not explain a spent balance: check that the key belongs to the organization and project holding that credit, and import the latest billing export in case the ledger is behind the provider.",
        answer.as_of,
        balances.join(", ")
    ))
}

/// Which accounts of the provider the ledger knows, for an error about keys or organizations.
fn organizations_sentence(answer: &Explanation) -> String {
    match answer.accounts.as_slice() {
        [] => "The ledger knows no account of this provider; the key's organization cannot be checked against it.".to_string(),
        [one] => format!(
            "The ledger knows one account of {}: {}. Credit is held per organization: the key must belong to the one with credit.",
            one.account.provider,
            one.account.label()
        ),
        many => format!(
            "The ledger knows {} accounts: {}. Credit is held per organization: the key must belong to the one with credit.",
            many.len(),
            many.iter()
                .map(|a| a.account.label())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// The layer a top-up attempt that stalled points to, and why.
fn attempt_points_to(a: &Attempt) -> Option<(Option<Layer>, String)> {
    let what = format!(
        "the top-up of {} {} to {} on {}",
        a.amount.to_cents_string(),
        a.currency,
        a.provider,
        a.date
    );
    let records = a.records().join(", ");
    match a.failure {
        Failure::PaymentFailed => Some((
            Some(Layer::PaymentFailure),
            format!(
                "The ledger points to a payment failure: {what} failed ({records}), so no credit was added. Fix the payment method; do not pay again to test it."
            ),
        )),
        Failure::HoldNeverSettled => Some((
            Some(Layer::PaymentFailure),
            format!(
                "The ledger points to a payment that never completed: {what} is still a hold that never settled ({records})."
            ),
        )),
        Failure::BalanceNotSynchronized => Some((
            Some(Layer::BalanceNotSynchronized),
            format!(
                "The ledger points to a balance not synchronized: {what} was charged but no credit arrived ({records}). Do not top up a second time to see whether it arrives."
            ),
        )),
        Failure::InProgress => Some((
            Some(Layer::BalanceNotSynchronized),
            format!(
                "The ledger shows {what} still in progress ({records}): the credit may not have arrived yet. Wait for it before paying again."
            ),
        )),
        Failure::BalanceDepleted | Failure::None => None,
    }
}
