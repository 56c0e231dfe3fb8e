//! Detectors of payments that did not turn into credit as they should: a card hold that never
//! settled (`unsettled_hold`), a bank top-up with no credit at the provider
//! (`charge_without_credit`), a credit purchase no imported statement paid for
//! (`credit_without_charge`) and an auto-recharge the provider refused (`recharge_failed`).
//! A bank line of a duplicate top-up whose charges outnumber its credits is left to that
//! `duplicate_topup` flag (one problem, one flag). A charge or credit is judged only where an imported file of the other trail spans its date,
//! so a statement not yet imported is never taken for a missing payment.

use std::collections::BTreeSet;

use chrono::{Datelike, NaiveDate};

use super::draft::{FlagDraft, days_between, money};
use super::topups::bank_lines_in_short_duplicates;
use super::{Context, Flag, FlagKind, Severity};
use crate::domain::api_errors;
use crate::domain::balance::{AccountKey, AutoRecharge, Balance};
use crate::domain::ledger::BillingItem;
use crate::domain::money::Amount;
use crate::domain::records::{BankStatus, BillingKind, BillingStatus};

/// `unsettled_hold`: a pending (authorized) line older than `hold_age_days` that no settled line
/// completed and no reversal released.
pub(super) fn unsettled_holds(cx: &Context<'_>) -> Vec<Flag> {
    let (inputs, params, as_of) = (cx.inputs, cx.params, cx.as_of);
    let ended: BTreeSet<i64> = cx.matching.holds.iter().map(|h| h.hold_id).collect();
    let verification_max =
        Amount::from_cents(params.verification_hold_max_cents).unwrap_or_default();
    inputs
        .bank
        .iter()
        .filter(|l| l.status() == BankStatus::Pending && !ended.contains(&l.id))
        .filter(|l| days_between(l.day, as_of) > params.hold_age_days)
        .filter_map(|l| {
            let provider = l.provider.clone()?;
            let amount = l.outflow()?;
            let age = days_between(l.day, as_of);
            let verification = amount <= verification_max;
            let (severity, what, diagnosis) = if verification {
                (
                    Severity::Info,
                    "verification hold",
                    format!(
                        "Payment: a small amount held when a card is added or changed is a verification hold; \
                         the provider never captures it and the card issuer releases it, usually within 7 days. \
                         This one has stayed {age} days. It is not a charge and adds no credit. Check the card's \
                         pending transactions in your bank's app; if it is still there, ask the bank to release \
                         the authorization, quoting the date and amount."
                    ),
                )
            } else {
                (
                    Severity::Warning,
                    "pending charge",
                    format!(
                        "Payment: the card issuer holds this amount for {provider}, but no settled line completed \
                         it and no reversal released it in {age} days. Either the provider never captured the \
                         payment (check its billing page for a failed or cancelled payment and whether credit \
                         arrived), or the settled line is on a statement not yet imported. Import the newest \
                         statement first; if the hold remains, ask the bank to release it. Do not pay again \
                         while it is pending: the hold may still turn into a charge."
                    ),
                )
            };
            Some(
                FlagDraft {
                    kind: FlagKind::UnsettledHold,
                    severity,
                    provider: provider.clone(),
                    date: l.day,
                    amount: Some(amount),
                    currency: l.currency,
                    project: None,
                    records: vec![l.record()],
                    identity: None,
                    message: format!(
                        "A {} {what} by {provider} has been pending since {} ({age} days)",
                        money(amount, l.currency),
                        l.day
                    ),
                    diagnosis,
                }
                .finish(),
            )
        })
        .collect()
}

/// `charge_without_credit`: a settled bank top-up with no matching credit after
/// `credit_grace_days`, judged only where an imported billing file of that provider spans the
/// charge's date, and left to `balance_mismatch` when a later billing page's balance shows the
/// credit arrived.
pub(super) fn charges_without_credit(cx: &Context<'_>) -> Vec<Flag> {
    let (inputs, params, as_of) = (cx.inputs, cx.params, cx.as_of);
    let payments = &cx.matching.payments;
    // A charge in a duplicate event short of credit is that duplicate flag's problem.
    let in_duplicate = bank_lines_in_short_duplicates(cx);
    // A charge whose credit a later billing page shows is that balance_mismatch's story.
    let on_the_page = super::balance_flags::charges_a_checkpoint_explains(cx);
    inputs
        .bank
        .iter()
        .filter(|l| l.is_topup() && l.status() == BankStatus::Settled)
        .filter(|l| !in_duplicate.contains(&l.record()) && !on_the_page.contains(&l.id))
        // A line waiting in the review list is neither matched nor judged unmatched.
        .filter(|l| payments.for_bank(l.id).is_none() && !payments.bank_in_review(l.id))
        .filter(|l| days_between(l.day, as_of) >= params.credit_grace_days)
        .filter_map(|l| {
            let provider = l.provider.clone()?;
            let amount = l.outflow()?;
            cx.coverage.billing_covers(&provider, l.day).then_some(())?;
            let other_state = inputs
                .billing
                .iter()
                .filter(|b| b.provider == provider && b.amount.abs() == amount && b.kind.is_credit())
                .filter(|b| b.status != BillingStatus::Paid)
                .find(|b| params.matching.within_days(b.day, l.day));
            let mut records = vec![l.record()];
            let state_note = match other_state {
                Some(b) => {
                    records.push(b.record());
                    format!(
                        " The provider lists a {} record of this amount as {}: ",
                        b.kind.as_str(),
                        b.status.as_str()
                    ) + if b.status == BillingStatus::Pending {
                        "the balance has not been synchronized yet."
                    } else {
                        "the payment went through at the bank but not at the provider."
                    }
                }
                None => String::new(),
            };
            Some(
                FlagDraft {
                    kind: FlagKind::ChargeWithoutCredit,
                    severity: Severity::Critical,
                    provider: provider.clone(),
                    date: l.day,
                    amount: Some(amount),
                    currency: l.currency,
                    project: None,
                    records,
                    identity: None,
                    message: format!(
                        "Charged {} by {provider} on {} but no credit appears in its billing records",
                        money(amount, l.currency),
                        l.day
                    ),
                    diagnosis: charge_diagnosis(cx, &provider, l.day, &state_note),
                }
                .finish(),
            )
        })
        .collect()
}

/// The two readings of a charge the billing records do not answer: the credit did not arrive
/// (balance not synchronized), or the billing export predates the charge.
fn charge_diagnosis(cx: &Context<'_>, provider: &str, day: NaiveDate, state_note: &str) -> String {
    let newer = match cx.coverage.billing_ends_before(provider, day) {
        Some(last) => format!(
            " The imported billing export's last {provider} record is from {last}, before this \
             charge, but it was downloaded after it, so the credit should be in it."
        ),
        None => String::new(),
    };
    format!(
        "Two readings, check them in this order. (1) Balance not synchronized: the card was charged \
         on {day} but {provider}'s billing records hold no paid credit of this amount within days of \
         it.{state_note}{newer} Look at the provider's billing page (payment history and credit \
         grants): if no credit is there, contact {provider}'s support with this bank line, and if they \
         cannot find the payment, dispute the charge with your bank. (2) The billing export predates \
         the charge: if the billing page does show the credit, import a newer billing export and this \
         flag goes away. Either way, do not pay again to see whether the credit arrives."
    )
}

/// `credit_without_charge`: a paid credit purchase with no bank line paying for it, judged only
/// where an imported bank or card statement spans its date.
pub(super) fn credits_without_charge(cx: &Context<'_>) -> Vec<Flag> {
    let (inputs, params, as_of) = (cx.inputs, cx.params, cx.as_of);
    let payments = &cx.matching.payments;
    inputs
        .billing
        .iter()
        .filter(|b| b.kind == BillingKind::CreditPurchase && b.status == BillingStatus::Paid)
        .filter(|b| !b.amount.is_zero() && payments.for_billing(b.id).is_none())
        .filter(|b| !payments.billing_in_review(b.id))
        .filter(|b| days_between(b.day, as_of) >= params.credit_grace_days)
        .filter(|b| cx.coverage.statement_covers(b.day))
        .map(|b| {
            let amount = b.amount.abs();
            billing_record_flag(
                b,
                FlagKind::CreditWithoutCharge,
                Severity::Info,
                format!(
                    "A {} credit purchase from {} on {} has no matching line on the imported statements",
                    money(amount, b.currency),
                    b.provider,
                    b.day
                ),
                "Billing: the provider records a paid purchase, but no imported bank or card line of \
                 this amount paid for it within days. It was most likely paid by another card, PayPal \
                 or a company account, or the statement holding it has not been imported. Check the \
                 provider's receipt for the card used, and import that statement; nothing needs paying."
                    .to_string(),
            )
        })
        .collect()
}

/// `recharge_failed`: an auto-recharge the provider records as failed.
pub(super) fn failed_recharges(cx: &Context<'_>) -> Vec<Flag> {
    let mut flags: Vec<Flag> = cx
        .inputs
        .billing
        .iter()
        .filter(|b| b.kind == BillingKind::AutoRecharge && b.status == BillingStatus::Failed)
        .map(|b| {
            let amount = b.amount.abs();
            let account = cx.inputs.resolve_account(&b.provider, &b.organization);
            let zero = zero_near(cx, &account, b.day).map_or_else(String::new, |z| {
                format!(
                    " The balance reached zero on {z} (see its balance_depleted flag): that is when calls \
                     started to be refused."
                )
            });
            billing_record_flag(
                b,
                FlagKind::RechargeFailed,
                Severity::Critical,
                format!(
                    "An auto-recharge of {} for {} failed on {}",
                    money(amount, b.currency),
                    b.provider,
                    b.day
                ),
                format!(
                    "Payment failure: {} tried to charge the card on file and the payment was refused, so no credit \
                     was added; once the balance runs out, API calls are refused ({}).{zero} Check the card's expiry \
                     date, its spending or online-payment limits and any fraud block or 3-D Secure request in your \
                     bank's app, then update the payment method on the provider's billing page and let the \
                     auto-recharge run; no manual payment is needed to test it.",
                    b.provider,
                    api_errors::refused_calls(&b.provider)
                ),
            )
        })
        .collect();
    flags.extend(inferred_failed_recharges(cx));
    flags
}

/// The day the account's balance reached zero within a day of `day`, when it did (exactly, or
/// as a lower bound that usage stopping corroborates).
fn zero_near(cx: &Context<'_>, account: &AccountKey, day: NaiveDate) -> Option<NaiveDate> {
    let b = cx.balances.iter().find(|b| &b.account == account)?;
    b.depletion_episodes()
        .into_iter()
        .filter(|e| !e.lower_bound || e.usage_stopped)
        .map(|e| e.zero_on)
        .find(|z| (-1..=1).contains(&days_between(day, *z)))
}

/// Days of history before the as-of date in which an auto-recharge setting is taken to have
/// been on, when no auto-recharge record shows since when it was (a setting describes today).
pub const RECHARGE_SETTING_TRUST_DAYS: i64 = 30;

/// `recharge_failed`, inferred: the account's auto-recharge is set, its (exact) balance fell
/// below the threshold, and no recharge followed within a day: no auto-recharge record of any
/// status and no top-up card line. One flag per stretch below the threshold. Not judged where
/// the month's cap was already reached, before the setting is known to have been on (the first
/// auto-recharge record, else the last [`RECHARGE_SETTING_TRUST_DAYS`] days), or where a
/// recorded failure already has its flag.
fn inferred_failed_recharges(cx: &Context<'_>) -> Vec<Flag> {
    let mut flags = Vec::new();
    for b in &cx.balances {
        let Some(setting) = cx.inputs.auto_recharge_for(&b.account) else {
            continue;
        };
        for (day, balance) in missed_recharges(cx, b) {
            flags.push(inferred_flag(cx, b, setting, day, balance));
        }
    }
    flags
}

/// The days an account's auto-recharge should have run and did not, with the balance that day
/// (see [`inferred_failed_recharges`]); none for an account without an auto-recharge setting.
pub(super) fn missed_recharges(cx: &Context<'_>, b: &Balance) -> Vec<(NaiveDate, Amount)> {
    let Some(setting) = cx.inputs.auto_recharge_for(&b.account) else {
        return Vec::new();
    };
    let recharges: Vec<&BillingItem> = cx
        .inputs
        .billing
        .iter()
        .filter(|r| r.kind == BillingKind::AutoRecharge)
        .filter(|r| cx.inputs.resolve_account(&r.provider, &r.organization) == b.account)
        .collect();
    let on_since = recharges.iter().map(|r| r.day).min().unwrap_or_else(|| {
        cx.as_of
            .checked_sub_days(chrono::Days::new(
                RECHARGE_SETTING_TRUST_DAYS.unsigned_abs(),
            ))
            .unwrap_or(cx.as_of)
    });
    let mut missed = Vec::new();
    let mut below = false;
    for d in b.days.iter().filter(|d| b.exact_on(d.day)) {
        let now_below = d.balance < setting.threshold;
        let crossed = now_below && !below;
        below = now_below;
        if !crossed || d.day < on_since || days_between(d.day, cx.as_of) < 1 {
            continue;
        }
        let near = |day: NaiveDate| (0..=1).contains(&days_between(d.day, day));
        let recorded = recharges
            .iter()
            .any(|r| (-1..=1).contains(&days_between(d.day, r.day)));
        let charged = cx.inputs.bank.iter().any(|l| {
            l.is_topup()
                && l.provider.as_deref() == Some(b.account.provider.as_str())
                && near(l.day)
        });
        if recorded || charged || cap_reached(cx, b, setting, d.day) {
            continue;
        }
        missed.push((d.day, d.balance));
    }
    missed
}

/// The day the balance reached zero after an auto-recharge missed on `day`: within a day of
/// it, else the first exact zero after it. The inferred `recharge_failed` and that
/// `balance_depleted` name each other through it.
pub(super) fn zero_after_missed(
    cx: &Context<'_>,
    b: &Balance,
    day: NaiveDate,
) -> Option<NaiveDate> {
    zero_near(cx, &b.account, day).or_else(|| {
        b.depletion_episodes()
            .into_iter()
            .filter(|e| !e.lower_bound)
            .map(|e| e.zero_on)
            .find(|z| *z >= day)
    })
}

/// Whether the month's auto-recharges already reached the setting's cap by `day`.
fn cap_reached(cx: &Context<'_>, b: &Balance, setting: &AutoRecharge, day: NaiveDate) -> bool {
    let Some(cap) = setting.monthly_cap else {
        return false;
    };
    let month = (day.year(), day.month());
    let spent = cx
        .inputs
        .auto_recharge_history(&b.account)
        .into_iter()
        .filter(|(d, _)| (d.year(), d.month()) == month && *d <= day)
        .fold(Amount::ZERO, |acc, (_, a)| {
            acc.checked_add(a).unwrap_or(acc)
        });
    spent
        .checked_add(setting.amount)
        .is_none_or(|next| next > cap)
}

fn inferred_flag(
    cx: &Context<'_>,
    b: &Balance,
    setting: &AutoRecharge,
    day: NaiveDate,
    balance: Amount,
) -> Flag {
    let label = b.account.label();
    let cur = b.currency;
    let provider = &b.account.provider;
    let zero = zero_after_missed(cx, b, day).map_or_else(String::new, |z| {
        format!(" The balance then reached zero on {z} (see its balance_depleted flag).")
    });
    FlagDraft {
        kind: FlagKind::RechargeFailed,
        severity: Severity::Warning,
        provider: provider.clone(),
        date: day,
        amount: Some(setting.amount),
        currency: cur,
        project: None,
        records: vec![format!("usage:{day}:{label}")],
        identity: Some(vec![format!("inferred_recharge:{label}:{day}")]),
        message: format!(
            "Inferred: the {label} balance fell to {} on {day}, below the auto-recharge threshold of {}, and no \
             recharge followed within a day",
            money(balance, cur),
            money(setting.threshold, cur)
        ),
        diagnosis: format!(
            "Payment failure (inferred, no record of it): the auto-recharge set for {label} (below {} add {}) \
             should have run on {day}, but no recharge record and no card charge for it appear by the next day.{zero} \
             Either the provider tried and the card was declined (failed recharges are not always in the billing \
             export), or auto-recharge is off or set differently at the provider, or those records are not \
             imported yet. Check the provider's billing page (auto-recharge settings and payment history) and the \
             card's declined transactions in your bank's app; once calls are refused, {provider} answers {}. Fix \
             the payment method or the setting rather than buying credit by hand, and never twice.",
            money(setting.threshold, cur),
            money(setting.amount, cur),
            api_errors::errors_of(provider).out_of_credit
        ),
    }
    .finish()
}

/// A flag about one billing record and its whole amount.
fn billing_record_flag(
    b: &BillingItem,
    kind: FlagKind,
    severity: Severity,
    message: String,
    diagnosis: String,
) -> Flag {
    FlagDraft {
        kind,
        severity,
        provider: b.provider.clone(),
        date: b.day,
        amount: Some(b.amount.abs()),
        currency: b.currency,
        project: None,
        records: vec![b.record()],
        identity: None,
        message,
        diagnosis,
    }
    .finish()
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{
        bank_only, bill, billing_only, case, coffee, d, paid, run, topup,
    };
    use super::*;
    use crate::domain::flags::test_support::detect_all;
    use crate::domain::flags::{FlagParams, Severity};
    use crate::domain::ledger::{BankItem, Snapshot};
    use crate::domain::records::BankStatus::{Pending, Reversed, Settled};
    use crate::domain::records::BillingKind::{AutoRecharge, CreditPurchase};

    #[test]
    fn holds_and_their_look_alikes() {
        let flags = detect_all(
            &bank_only(vec![topup(1, "openai", Pending, "2026-03-01", "-1.00")]),
            &FlagParams::default(),
            d("2026-03-12"),
        );
        assert!(
            flags[0].message.contains("verification hold"),
            "{}",
            flags[0].message
        );
        assert_eq!(flags[0].severity, Severity::Info);
        run(vec![
            case(
                "a charge pending for eleven days",
                bank_only(vec![topup(1, "openai", Pending, "2026-03-01", "-25.00")]),
                "2026-03-12",
                vec![("unsettled_hold", "2026-03-01", vec!["bank:1"])],
            ),
            case(
                "a verification hold never released",
                bank_only(vec![topup(1, "openai", Pending, "2026-03-01", "-1.00")]),
                "2026-03-12",
                vec![("unsettled_hold", "2026-03-01", vec!["bank:1"])],
            ),
            case(
                "a verification hold that was released",
                bank_only(vec![
                    topup(1, "openai", Pending, "2026-03-01", "-1.00"),
                    topup(2, "openai", Reversed, "2026-03-03", "-1.00"),
                ]),
                "2026-03-12",
                vec![],
            ),
            case(
                "a pending line only two days old",
                bank_only(vec![topup(1, "openai", Pending, "2026-03-10", "-25.00")]),
                "2026-03-12",
                vec![],
            ),
            case(
                "a pending line that later completed (with a tip-sized difference)",
                bank_only(vec![
                    topup(1, "openai", Pending, "2026-03-01", "-25.00"),
                    topup(2, "openai", Settled, "2026-03-03", "-26.50"),
                ]),
                "2026-03-12",
                vec![],
            ),
            case(
                "completed too late is not its settlement",
                bank_only(vec![
                    topup(1, "openai", Pending, "2026-03-01", "-25.00"),
                    topup(2, "openai", Settled, "2026-03-20", "-25.00"),
                ]),
                "2026-03-22",
                vec![("unsettled_hold", "2026-03-01", vec!["bank:1"])],
            ),
        ]);
    }

    #[test]
    fn charges_credits_and_failed_recharges() {
        let billing = [
            paid(1, "openai", CreditPurchase, "2026-03-01", "10.00"),
            paid(2, "openai", CreditPurchase, "2026-03-20", "10.00"),
        ];
        let bank = [
            topup(11, "openai", Settled, "2026-03-02", "-10.00"),
            topup(12, "openai", Settled, "2026-03-10", "-50.00"),
            topup(13, "openai", Settled, "2026-03-21", "-10.00"),
        ];
        let with = |extra: Vec<BankItem>| Snapshot {
            billing: billing.to_vec(),
            bank: bank.iter().cloned().chain(extra).collect(),
            ..Snapshot::default()
        };
        run(vec![
            case(
                "charged, no credit",
                with(vec![]),
                "2026-03-25",
                vec![("charge_without_credit", "2026-03-10", vec!["bank:12"])],
            ),
            case(
                "charged yesterday: still within the grace days",
                Snapshot {
                    billing: billing.to_vec(),
                    bank: bank.iter().take(2).cloned().collect(),
                    ..Snapshot::default()
                },
                "2026-03-11",
                vec![],
            ),
            case(
                "a charge after the billing file ends is not judged",
                with(vec![topup(14, "openai", Settled, "2026-03-25", "-30.00")]),
                "2026-03-30",
                vec![("charge_without_credit", "2026-03-10", vec!["bank:12"])],
            ),
            case(
                "no billing records at all: top-ups are inferred lots",
                bank_only(vec![topup(12, "openai", Settled, "2026-03-10", "-50.00")]),
                "2026-03-25",
                vec![],
            ),
            case(
                "credit bought, no card line on a statement covering it",
                Snapshot {
                    billing: vec![paid(1, "openai", CreditPurchase, "2026-03-10", "30.00")],
                    bank: vec![coffee(5, "2026-03-01"), coffee(6, "2026-03-31")],
                    ..Snapshot::default()
                },
                "2026-04-01",
                vec![("credit_without_charge", "2026-03-10", vec!["billing:1"])],
            ),
            case(
                "credit bought before the statements begin",
                Snapshot {
                    billing: vec![paid(1, "openai", CreditPurchase, "2026-03-10", "30.00")],
                    bank: vec![coffee(5, "2026-03-15"), coffee(6, "2026-03-31")],
                    ..Snapshot::default()
                },
                "2026-04-01",
                vec![],
            ),
            case(
                "a failed auto-recharge",
                billing_only(vec![
                    paid(1, "openai", AutoRecharge, "2026-03-01 09:00", "10.00"),
                    bill(
                        2,
                        "openai",
                        AutoRecharge,
                        BillingStatus::Failed,
                        "2026-03-08 09:00",
                        "10.00",
                    ),
                ]),
                "2026-03-10",
                vec![("recharge_failed", "2026-03-08", vec!["billing:2"])],
            ),
        ]);
    }
}
