//! Detectors read from each prepaid account's reconstructed balance: a balance that stood at
//! zero while usage went on (`balance_depleted`), credit that expires soon with a remainder
//! (`credits_expiring`), and usage in an organization without credit while another one held
//! it (`wrong_organization`). Providers billed by invoice have no prepaid balance and are left
//! out; an account whose totals overflow is not judged.

use std::collections::BTreeSet;

use chrono::NaiveDate;

use super::draft::{FlagDraft, days_between, money};
use super::{Context, Flag, FlagKind, FlagParams, Severity};
use crate::domain::api_errors;
use crate::domain::balance::{
    AccountKey, Balance, CheckpointOutcome, DailyUsage, DayBalance, DepletionEpisode, LotKind,
};
use crate::domain::ledger::{BankItem, BillingItem, Snapshot, credit_lots};
use crate::domain::money::{Amount, Currency, checked_sum};
use crate::domain::records::{BankStatus, BillingKind, BillingStatus};

pub(super) fn balance_flags(cx: &Context<'_>) -> Vec<Flag> {
    let (params, as_of) = (cx.params, cx.as_of);
    let mut flags = Vec::new();
    for b in &cx.balances {
        flags.extend(depleted(cx, b));
        flags.extend(expiring(b, params, as_of));
        flags.extend(mismatches(cx, b));
    }
    flags
}

/// The account's failed auto-recharge dated within a day of `day`, if any.
pub(super) fn failed_recharge_near<'a>(
    cx: &Context<'a>,
    account: &AccountKey,
    day: NaiveDate,
) -> Option<&'a BillingItem> {
    cx.inputs
        .billing
        .iter()
        .filter(|b| b.kind == BillingKind::AutoRecharge && b.status == BillingStatus::Failed)
        .filter(|b| days_between(day, b.day).abs() <= 1)
        .filter(|b| &cx.inputs.resolve_account(&b.provider, &b.organization) == account)
        .max_by_key(|b| (b.day, b.time, b.id))
}

/// Another organization of the account's provider holding credit on `day`, with its balance.
fn other_organization_with_credit<'a>(
    cx: &'a Context<'_>,
    b: &Balance,
    day: NaiveDate,
) -> Option<(&'a Balance, Amount)> {
    cx.balances
        .iter()
        .filter(|o| o.account.provider == b.account.provider && o.account != b.account)
        .filter(|o| o.currency == b.currency)
        .find_map(|o| {
            let held = o.days.iter().find(|d| d.day == day)?.balance;
            (!held.is_zero()).then_some((o, held))
        })
}

/// `balance_depleted`: one flag per stretch at zero, dated the day the balance reached zero,
/// saying what followed (usage past zero, or days without usage: calls refused). A zero of a
/// lower bound (an account not anchored) is judged only when something corroborates it: usage
/// that ran daily stopped right then, or an auto-recharge failed within a day. A stretch where
/// usage went on while another organization held credit is `wrong_organization`'s story.
fn depleted(cx: &Context<'_>, b: &Balance) -> Vec<Flag> {
    let label = b.account.label();
    let provider = &b.account.provider;
    let mut flags = Vec::new();
    let missed = super::payments::missed_recharges(cx, b);
    for e in b.depletion_episodes() {
        let failed = failed_recharge_near(cx, &b.account, e.zero_on);
        // An auto-recharge that should have run before this zero (the inferred recharge_failed
        // that names this episode), when no failed one is recorded.
        let missed_on = missed
            .iter()
            .map(|(day, _)| *day)
            .filter(|_| failed.is_none())
            .find(|day| super::payments::zero_after_missed(cx, b, *day) == Some(e.zero_on));
        if e.lower_bound && !e.usage_stopped && failed.is_none() {
            continue;
        }
        let wrong_org_story = Amount::from_cents(cx.params.wrong_org_min_cents)
            .is_some_and(|min| !b.account.organization.is_empty() && e.overdraft >= min);
        if wrong_org_story
            && !e.overdraft.is_zero()
            && other_organization_with_credit(cx, b, e.zero_on).is_some()
        {
            continue;
        }
        let usage_day = |day: NaiveDate| format!("usage:{day}:{label}");
        let mut records: Vec<String> = b
            .days
            .iter()
            .filter(|d| {
                !d.overdraft.is_zero()
                    && e.first_overdraft_on.is_some_and(|f| d.day >= f)
                    && e.last_overdraft_on.is_some_and(|l| d.day <= l)
            })
            .map(|d| usage_day(d.day))
            .collect();
        if records.is_empty() {
            records.push(usage_day(e.zero_on));
            records.extend(e.usage_resumed_on.map(usage_day));
        }
        records.extend(failed.map(BillingItem::record));
        records.extend(missed_on.map(usage_day));
        let (what, amount) = what_followed(&e, b);
        let refused = api_errors::refused_calls(provider);
        let recharge_note = match (failed, missed_on) {
            (Some(f), _) => format!(
                " The auto-recharge of {} failed, which is why no credit arrived (see its recharge_failed flag).",
                f.day
            ),
            (None, Some(day)) => format!(
                " The auto-recharge set for {label} should have run on {day} and no recharge followed, which is \
                 likely why no credit arrived (see the inferred recharge_failed flag of {day})."
            ),
            (None, None) => String::new(),
        };
        let bound_note = if e.lower_bound {
            " The history imported starts with usage before any known credit, so the balance here is \
             only a lower bound; the stop in usage is what says it ran out. Enter the balance your \
             billing page shows to anchor it."
        } else {
            ""
        };
        flags.push(
            FlagDraft {
                kind: FlagKind::BalanceDepleted,
                severity: Severity::Critical,
                provider: provider.clone(),
                date: e.zero_on,
                amount,
                currency: b.currency,
                project: None,
                records,
                identity: Some(vec![format!("balance:{label}:{}", e.zero_on)]),
                message: format!("The {label} balance reached zero on {}; {what}", e.zero_on),
                diagnosis: format!(
                    "Balance depleted: the credits of {label} ran out on {}, and a provider refuses API calls \
                     once the balance is zero ({refused}).{recharge_note}{bound_note} Check the provider's usage \
                     page for refused requests and its billing page for the balance; if credit was bought but \
                     is missing here, import that billing record. Buy credit only once the billing page shows \
                     the balance at zero, and never twice for the same shortfall.",
                    e.zero_on
                ),
            }
            .finish(),
        );
    }
    flags
}

/// What followed a zero balance, for the message, and the amount the flag carries.
fn what_followed(e: &DepletionEpisode, b: &Balance) -> (String, Option<Amount>) {
    let provider = api_errors::errors_of(&b.account.provider);
    if !e.overdraft.is_zero() {
        let through = e
            .last_overdraft_on
            .map(|d| format!(" through {d}"))
            .unwrap_or_default();
        return (
            format!(
                "usage went on past zero: {}{through}",
                money(e.overdraft, b.currency)
            ),
            Some(e.overdraft),
        );
    }
    if let Some((from, to)) = e.silent {
        let span = if from == to {
            format!("on {from}")
        } else {
            format!("from {from} to {to}")
        };
        return (
            format!(
                "no usage {span}: API calls were most likely refused ({} answers {})",
                provider.name, provider.out_of_credit
            ),
            None,
        );
    }
    match (e.ended_on, e.usage_resumed_on) {
        (Some(credit), _) => (format!("credit arrived on {credit}"), None),
        (None, None) => (
            "no usage was recorded after it: API calls were most likely refused".to_string(),
            None,
        ),
        (None, Some(resumed)) => (format!("usage resumed on {resumed}"), None),
    }
}

/// A checkpoint differs from the records when the difference is above both one unit of the
/// currency and this share of the balance shown.
pub const MISMATCH_PERCENT: i64 = 2;

/// Whether a checkpoint's difference is more than rounding and timing.
fn beyond_tolerance(c: &CheckpointOutcome) -> bool {
    let diff = c.difference.abs();
    let unit = Amount::from_nanos(crate::domain::money::NANOS_PER_UNIT);
    let share = i128::from(diff.nanos()) * 100
        > i128::from(c.shown.abs().nanos()) * i128::from(MISMATCH_PERCENT);
    diff > unit && share
}

/// Top-up card lines of `provider` charged on the checkpoint's day or the day before it.
fn recent_charges<'a>(
    cx: &Context<'a>,
    provider: &'a str,
    c: &CheckpointOutcome,
) -> Vec<&'a BankItem> {
    topup_lines(cx, provider)
        .filter(|l| (0..=1).contains(&days_between(l.day, c.day)))
        .collect()
}

/// Top-up card lines of `provider` charged 2 to 30 days before the checkpoint without a
/// credit in the billing records: what a page showing more credit than the records most
/// likely holds.
fn unrecorded_charges<'a>(
    cx: &Context<'a>,
    provider: &'a str,
    c: &CheckpointOutcome,
) -> Vec<&'a BankItem> {
    let paid = &cx.matching.payments;
    topup_lines(cx, provider)
        .filter(|l| (2..=30).contains(&days_between(l.day, c.day)))
        .filter(|l| paid.for_bank(l.id).is_none())
        .collect()
}

/// Card charges as the diagnosis names them, each in its own currency ("25.00 USD on
/// 2026-10-12, 20.00 EUR on 2026-10-14"): charges in two currencies are never added up.
fn charges_text(lines: &[&BankItem]) -> String {
    lines
        .iter()
        .map(|l| {
            format!(
                "{} on {}",
                money(l.outflow().unwrap_or_default(), l.currency),
                l.day
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Whether a checkpoint raises `balance_mismatch`: beyond tolerance, and judged (exact, or a
/// lower bound the page shows less than).
fn is_mismatch(c: &CheckpointOutcome) -> bool {
    beyond_tolerance(c) && (c.exact || c.difference.is_negative())
}

/// The card charges (bank line ids) that a `balance_mismatch` names as credit the billing page
/// shows but the records lack: the page proves the credit arrived, so the charge is that
/// flag's story, not `charge_without_credit`'s (one event, one flag). Only when the page's
/// surplus pays for them: charges in the account's currency adding up to no more than the
/// surplus plus a quarter (the tax a charge carries and the credit does not) and one unit. A
/// surplus of 5.00 does not explain two charges of 100.00, which stay flagged.
pub(super) fn charges_a_checkpoint_explains(cx: &Context<'_>) -> BTreeSet<i64> {
    let mut ids = BTreeSet::new();
    for b in &cx.balances {
        let provider = b.account.provider.as_str();
        for c in b
            .checkpoints
            .iter()
            .filter(|c| is_mismatch(c) && c.difference > Amount::ZERO)
        {
            let (recent, unrecorded) = surplus_charges(cx, provider, b.currency, c);
            ids.extend(recent.iter().chain(&unrecorded).map(|l| l.id));
        }
    }
    ids
}

/// The card charges a page's surplus (`c.difference` above zero, in `currency`) explains: those
/// charged within a day of the checkpoint and those without credit near it, when the surplus
/// pays for them all ([`surplus_pays_for`]); none otherwise. What the mismatch names and what
/// it takes off `charge_without_credit` are these same charges.
fn surplus_charges<'a>(
    cx: &Context<'a>,
    provider: &'a str,
    currency: Currency,
    c: &CheckpointOutcome,
) -> (Vec<&'a BankItem>, Vec<&'a BankItem>) {
    let recent = recent_charges(cx, provider, c);
    let unrecorded = unrecorded_charges(cx, provider, c);
    let all: Vec<&BankItem> = recent.iter().chain(&unrecorded).copied().collect();
    if surplus_pays_for(c, currency, &all) {
        (recent, unrecorded)
    } else {
        (Vec::new(), Vec::new())
    }
}

/// Whether the credit a page shows beyond the records (`c.difference`, in `currency`) can be
/// what `lines` bought: all charged in that currency, adding up to at most the surplus plus a
/// quarter and one unit.
fn surplus_pays_for(c: &CheckpointOutcome, currency: Currency, lines: &[&BankItem]) -> bool {
    let mut charged = Amount::ZERO;
    for l in lines {
        let Some(outflow) = l.outflow() else {
            continue;
        };
        if l.currency != currency {
            return false;
        }
        match charged.checked_add(outflow) {
            Some(sum) => charged = sum,
            None => return false,
        }
    }
    let surplus = i128::from(c.difference.nanos());
    let limit = surplus + surplus / 4 + i128::from(crate::domain::money::NANOS_PER_UNIT);
    i128::from(charged.nanos()) <= limit
}

/// `balance_mismatch`: a checkpoint (the balance the billing page showed) that the balance
/// computed from the records before it misses by more than one unit and 2%. Judged where the
/// computed balance was exact; where it was a lower bound, only a page showing less than it.
/// The diagnosis walks the layers with what the ledger shows near the checkpoint.
fn mismatches(cx: &Context<'_>, b: &Balance) -> Vec<Flag> {
    b.checkpoints
        .iter()
        .filter(|c| is_mismatch(c))
        .map(|c| mismatch_flag(cx, b, c))
        .collect()
}

fn mismatch_flag(cx: &Context<'_>, b: &Balance, c: &CheckpointOutcome) -> Flag {
    let label = b.account.label();
    let cur = b.currency;
    let provider = &b.account.provider;
    let mut records = vec![c.record.clone()];
    let layers = mismatch_layers(cx, b, c, &mut records);
    let numbered: Vec<String> = layers
        .iter()
        .enumerate()
        .map(|(i, l)| format!("({}) {l}", i + 1))
        .collect();
    let bound = if c.exact {
        ""
    } else {
        " (the records give at least that much)"
    };
    FlagDraft {
        kind: FlagKind::BalanceMismatch,
        severity: Severity::Warning,
        provider: provider.clone(),
        date: c.day,
        amount: Some(c.difference.abs()),
        currency: cur,
        project: None,
        records,
        identity: Some(vec![format!("mismatch:{}", c.record)]),
        message: format!(
            "The {label} billing page showed {} on {}; the records give {}{bound}, a difference of {}",
            money(c.shown, cur),
            c.day,
            money(c.computed, cur),
            money(c.difference.abs(), cur)
        ),
        diagnosis: format!(
            "Balance not synchronized with the records: the balance you entered from the billing page \
             differs from what the imported records add up to. In order of likelihood: {}. The \
             checkpoint wins: from that day the balance follows what the page showed. Nothing needs \
             paying because of this difference.",
            numbered.join("; ")
        ),
    }
    .finish()
}

/// The layers a checkpoint's difference can come from, with what the ledger shows near it
/// (the records it names are added to `records`).
fn mismatch_layers(
    cx: &Context<'_>,
    b: &Balance,
    c: &CheckpointOutcome,
    records: &mut Vec<String>,
) -> Vec<String> {
    let provider = &b.account.provider;
    let mut layers: Vec<String> = Vec::new();
    // A top-up charged within the last day may not have reached the page or the records yet.
    // Where the page shows more, only the charges its surplus can have bought are named.
    let (recent, unrecorded) = if c.difference > Amount::ZERO {
        surplus_charges(cx, provider, b.currency, c)
    } else {
        (recent_charges(cx, provider, c), Vec::new())
    };
    if !recent.is_empty() {
        records.extend(recent.iter().map(|l| l.record()));
        layers.push(format!(
            "a top-up still synchronizing: the card was charged {}, within a day of the \
             checkpoint, and the balance may not show it yet",
            charges_text(&recent)
        ));
    }
    if c.difference > Amount::ZERO {
        // The page shows more credit than the records: a purchase or grant the records lack.
        if unrecorded.is_empty() {
            layers.push(format!(
                "credit bought but not in the billing records: import the newest billing export of \
                 {provider}"
            ));
        } else {
            records.extend(unrecorded.iter().map(|l| l.record()));
            layers.push(format!(
                "credit bought but not in the billing records: card charges without credit near that \
                 date ({}); import the billing export that lists them",
                charges_text(&unrecorded)
            ));
        }
        layers.push(
            "credit granted that the records lack (a promotional or support credit on the billing \
             page's credit grants)"
                .to_string(),
        );
    } else {
        // The page shows less: usage (or an expiry) the records lack.
        match usage_gap(b, c.day) {
            Some((from, to)) => layers.push(format!(
                "usage not imported: no usage is recorded from {from} to {to} while it ran before and \
                 after; import the usage export covering those days"
            )),
            None => layers.push(
                "usage not imported: the usage export may end before the checkpoint or leave out a \
                 project or key; import the newest usage export"
                    .to_string(),
            ),
        }
        layers
            .push("credit that expired or was refunded without a billing record of it".to_string());
    }
    layers
}

/// The provider's settled top-up lines.
fn topup_lines<'a>(cx: &Context<'a>, provider: &'a str) -> impl Iterator<Item = &'a BankItem> {
    cx.inputs.bank.iter().filter(move |l| {
        l.is_topup() && l.status() == BankStatus::Settled && l.provider.as_deref() == Some(provider)
    })
}

/// The longest run of days without usage before `until`, with usage on both sides of it, since
/// the previous checkpoint or the anchor.
fn usage_gap(b: &Balance, until: NaiveDate) -> Option<(NaiveDate, NaiveDate)> {
    let since = b
        .checkpoints
        .iter()
        .map(|c| c.day)
        .filter(|d| *d < until)
        .max()
        .or(b.anchored_on)?;
    let days: Vec<&DayBalance> = b
        .days
        .iter()
        .filter(|d| d.day > since && d.day <= until)
        .collect();
    let mut best: Option<(NaiveDate, NaiveDate)> = None;
    let mut run_start: Option<NaiveDate> = None;
    let mut seen_usage = false;
    for d in days {
        if d.usage.is_zero() {
            if seen_usage && run_start.is_none() {
                run_start = Some(d.day);
            }
            continue;
        }
        if let (Some(from), Some(to)) = (run_start.take(), d.day.pred_opt()) {
            let longer = best.is_none_or(|(f, t)| (to - from) > (t - f));
            if longer {
                best = Some((from, to));
            }
        }
        seen_usage = true;
    }
    best
}

/// `credits_expiring`: a lot with a remainder that drops out within `expiring_within_days`.
fn expiring(b: &Balance, params: &FlagParams, as_of: NaiveDate) -> Vec<Flag> {
    let label = b.account.label();
    b.lots
        .iter()
        .filter(|l| !l.remaining.is_zero())
        .filter_map(|l| {
            let expiry = l.expiry?;
            let days = days_between(as_of, expiry);
            (1..=params.expiring_within_days).contains(&days).then_some(())?;
            let inferred = if l.kind == LotKind::Inferred {
                " (inferred from a bank top-up; the expiry assumes one year)"
            } else {
                ""
            };
            Some(
                FlagDraft {
                    kind: FlagKind::CreditsExpiring,
                    severity: if days <= 7 {
                        Severity::Warning
                    } else {
                        Severity::Info
                    },
                    provider: b.account.provider.clone(),
                    date: expiry,
                    amount: Some(l.remaining),
                    currency: b.currency,
                    project: None,
                    records: vec![l.record.clone()],
                    identity: None,
                    message: format!(
                        "{} of {label} credit from {} expires on {expiry} (in {days} days){inferred}",
                        money(l.remaining, b.currency),
                        l.day
                    ),
                    diagnosis: format!(
                        "Billing: prepaid credits expire; what is left of this lot on {expiry} is lost, and the \
                         balance will drop by that amount that day without any usage. Check the expiry date on the \
                         provider's billing page (credit grants) and plan usage accordingly; newer credits are used \
                         after this lot, so nothing else is affected."
                    ),
                }
                .finish(),
            )
        })
        .collect()
}

/// `wrong_organization`: usage recorded in a named organization of a prepaid provider that has
/// no credit at all, on days when another named organization of the same provider held credit
/// (one flag per organization, from the first such day). Usage totalling less than
/// `wrong_org_min_cents` is not judged; providers billed by invoice are left out (usage without
/// credits is normal there).
pub(super) fn wrong_organizations(cx: &Context<'_>) -> Vec<Flag> {
    let (inputs, params) = (cx.inputs, cx.params);
    let Some(min_usage) = Amount::from_cents(params.wrong_org_min_cents) else {
        return Vec::new();
    };
    let with_credit: BTreeSet<AccountKey> =
        credit_lots(inputs).into_iter().map(|l| l.account).collect();
    let balances = &cx.balances;
    let without_credit: BTreeSet<&AccountKey> = inputs
        .usage
        .iter()
        .map(|u| &u.account)
        .filter(|a| !a.organization.is_empty() && !with_credit.contains(*a))
        .collect();
    let mut flags: Vec<Flag> = without_credit
        .into_iter()
        .filter_map(|account| {
            let others: Vec<&Balance> = balances
                .iter()
                .filter(|b| b.account.provider == account.provider)
                .filter(|b| !b.account.organization.is_empty() && &b.account != account)
                .collect();
            wrong_org_flag(inputs, account, &others, min_usage)
        })
        .collect();
    for b in balances
        .iter()
        .filter(|b| !b.account.organization.is_empty())
    {
        flags.extend(
            b.depletion_episodes()
                .iter()
                .filter(|e| !e.lower_bound && e.overdraft >= min_usage)
                .filter_map(|e| emptied_org_flag(cx, b, e)),
        );
    }
    flags
}

/// `wrong_organization` for an organization that had credit: its balance stood at zero while
/// its usage went on, and another organization of the provider held credit that day (often
/// because the last purchase went into the wrong one). One flag per stretch at zero.
fn emptied_org_flag(cx: &Context<'_>, b: &Balance, e: &DepletionEpisode) -> Option<Flag> {
    let (other, held) = other_organization_with_credit(cx, b, e.zero_on)?;
    let label = b.account.label();
    let other_label = other.account.label();
    let cur = b.currency;
    let first = e.first_overdraft_on?;
    let last = e.last_overdraft_on?;
    let mut records: Vec<String> = b
        .days
        .iter()
        .filter(|d| !d.overdraft.is_zero() && first <= d.day && d.day <= last)
        .map(|d| format!("usage:{}:{label}", d.day))
        .collect();
    records.extend(
        other
            .lots
            .iter()
            .filter(|l| l.day <= e.zero_on)
            .map(|l| l.record.clone()),
    );
    let refused = api_errors::errors_of(&b.account.provider);
    Some(
        FlagDraft {
            kind: FlagKind::WrongOrganization,
            severity: Severity::Warning,
            provider: b.account.provider.clone(),
            date: e.zero_on,
            amount: Some(e.overdraft),
            currency: cur,
            project: None,
            records,
            identity: Some(vec![format!("wrong_org:{label}:{}", e.zero_on)]),
            message: format!(
                "The {label} balance was at 0.00 {cur} from {} while its usage went on ({} through {last}), \
                 and {other_label} held {}",
                e.zero_on,
                money(e.overdraft, cur),
                money(held, cur)
            ),
            diagnosis: format!(
                "Billing misunderstanding: prepaid credits belong to one organization and pay only for its API \
                 keys and projects. {label} ran out on {} but its keys kept sending requests ({} recorded past \
                 zero), while {other_label} still held {} of credit. Those requests were refused ({} answers {}) \
                 or billed elsewhere; the credit in {other_label} could not pay for them. Check which \
                 organization each API key and project belongs to and the organization your code sends with each \
                 request; if the last purchase went into {other_label} by mistake, ask the provider's support to \
                 move it. Buying more credit is not the fix until the keys point at the organization that has it.",
                e.zero_on,
                money(e.overdraft, cur),
                money(held, cur),
                refused.name,
                refused.out_of_credit
            ),
        }
        .finish(),
    )
}

fn wrong_org_flag(
    inputs: &Snapshot,
    account: &AccountKey,
    others: &[&Balance],
    min_usage: Amount,
) -> Option<Flag> {
    let credit_on = |day: NaiveDate, currency: &str| -> Vec<&Balance> {
        others
            .iter()
            .copied()
            .filter(|b| b.currency == currency)
            .filter(|b| {
                b.days
                    .iter()
                    .find(|d| d.day == day)
                    .is_some_and(|d| !d.balance.is_zero())
            })
            .collect()
    };
    let mut days: Vec<&DailyUsage> = inputs
        .usage
        .iter()
        .filter(|u| &u.account == account && !u.cost.is_zero())
        .filter(|u| !credit_on(u.day, &u.currency).is_empty())
        .collect();
    days.sort_by_key(|u| u.day);
    let currency = days.first()?.currency;
    days.retain(|u| u.currency == currency);
    let first = days.first()?;
    let last = days.last()?;
    let total = checked_sum(days.iter().map(|u| u.cost))?;
    if total < min_usage {
        return None;
    }
    let holders = credit_on(first.day, &currency);
    let holder_labels: Vec<String> = holders.iter().map(|b| b.account.label()).collect();
    let held = checked_sum(holders.iter().filter_map(|b| {
        b.days
            .iter()
            .find(|d| d.day == first.day)
            .map(|d| d.balance)
    }))?;
    let label = account.label();
    let mut records: Vec<String> = days
        .iter()
        .map(|u| format!("usage:{}:{label}", u.day))
        .collect();
    records.extend(
        holders
            .iter()
            .flat_map(|b| b.lots.iter())
            .filter(|l| l.day <= last.day)
            .map(|l| l.record.clone()),
    );
    let holders_text = holder_labels.join(" and ");
    Some(
        FlagDraft {
            kind: FlagKind::WrongOrganization,
            severity: Severity::Warning,
            provider: account.provider.clone(),
            date: first.day,
            amount: Some(total),
            currency,
            project: None,
            records,
            identity: Some(vec![format!("wrong_org:{label}")]),
            message: format!(
                "{} of usage was billed to {label}, which has no credits, from {} to {} while {holders_text} held {}",
                money(total, currency),
                first.day,
                last.day,
                money(held, currency)
            ),
            diagnosis: format!(
                "Billing misunderstanding: prepaid credits belong to one organization and pay only for the API keys \
                 and projects of that organization. {label} has no credits in the imported billing records, yet its \
                 keys ran up {}, while {holders_text} held credit. Those requests were either refused for \
                 insufficient quota ({}) or billed to {label}'s own payment method. \
                 Check which organization each API key and project belongs to (the provider's API keys page, or \
                 the organization your code sends with each request) and move the keys to {holders_text}; if the \
                 credits were bought in the wrong organization, ask the provider's support to move them. Buying \
                 more credits is not the fix. If {label} has billing records that are not imported yet, import them.",
                money(total, currency),
                api_errors::refused_calls(&account.provider)
            ),
        }
        .finish(),
    )
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{
        Case, bill, bill_in, billing_only, case, d, every_day, paid, run, run_only, usd, used,
        used_in,
    };
    use super::*;
    use crate::domain::flags::test_support::detect_all;
    use crate::domain::records::BillingKind::{self, CreditPurchase, FreeCredit, Invoice};
    use crate::domain::records::BillingStatus;

    #[test]
    fn balance_depleted_and_credits_expiring() {
        let mut free = paid(3, "openai", FreeCredit, "2026-03-01", "5.00");
        free.expires_on = Some(d("2026-03-20"));
        let mut far = paid(4, "openai", FreeCredit, "2026-03-01", "5.00");
        far.expires_on = Some(d("2026-05-01"));
        run(vec![
            case(
                "ran out twice",
                Snapshot {
                    billing: vec![
                        paid(1, "openai", CreditPurchase, "2026-03-01", "10.00"),
                        paid(2, "openai", CreditPurchase, "2026-03-06", "10.00"),
                    ],
                    usage: vec![
                        used("openai", "2026-03-02", "6.00"),
                        used("openai", "2026-03-03", "6.00"),
                        used("openai", "2026-03-04", "2.00"),
                        used("openai", "2026-03-07", "12.00"),
                    ],
                    ..Snapshot::default()
                },
                "2026-03-08",
                vec![
                    (
                        "balance_depleted",
                        "2026-03-03",
                        vec!["usage:2026-03-03:openai", "usage:2026-03-04:openai"],
                    ),
                    (
                        "balance_depleted",
                        "2026-03-07",
                        vec!["usage:2026-03-07:openai"],
                    ),
                ],
            ),
            case(
                "used exactly to zero, then nothing: the API stops",
                Snapshot {
                    billing: vec![paid(1, "openai", CreditPurchase, "2026-03-01", "10.00")],
                    usage: vec![used("openai", "2026-03-02", "10.00")],
                    ..Snapshot::default()
                },
                "2026-03-08",
                vec![(
                    "balance_depleted",
                    "2026-03-02",
                    vec!["usage:2026-03-02:openai"],
                )],
            ),
            case(
                "a post-paid provider billed by invoice has no balance to deplete",
                Snapshot {
                    billing: vec![
                        paid(1, "anthropic", FreeCredit, "2026-03-01", "5.00"),
                        bill(
                            2,
                            "anthropic",
                            Invoice,
                            BillingStatus::Pending,
                            "2026-03-31",
                            "30.00",
                        ),
                    ],
                    usage: vec![used("anthropic", "2026-03-02", "30.00")],
                    ..Snapshot::default()
                },
                "2026-04-02",
                vec![],
            ),
            case(
                "free credit expiring in 15 days, another in 57",
                billing_only(vec![free.clone(), far]),
                "2026-03-05",
                vec![("credits_expiring", "2026-03-20", vec!["billing:3"])],
            ),
            case(
                "an expiring lot already used up: nothing expires, the balance is at zero",
                Snapshot {
                    billing: vec![free],
                    usage: vec![used("openai", "2026-03-02", "5.00")],
                    ..Snapshot::default()
                },
                "2026-03-05",
                vec![(
                    "balance_depleted",
                    "2026-03-02",
                    vec!["usage:2026-03-02:openai"],
                )],
            ),
        ]);
    }

    #[test]
    #[expect(
        clippy::too_many_lines,
        reason = "a table of cases reads best in one place"
    )]
    fn wrong_organizations_and_their_look_alikes() {
        let acme_credit = bill_in(1, "openai", "Acme", CreditPurchase, "2026-03-01", "50.00");
        let acme_use = used_in("openai", "Acme", "2026-03-02", "1.00");
        let beta_use = every_day("openai", "Beta", "2026-03-02", "2026-03-04", "3.00");
        run_only(
            &[FlagKind::WrongOrganization],
            vec![
                Case {
                    name: "Beta's keys used 9.00 while the credit sat in Acme",
                    inputs: Snapshot {
                        billing: vec![acme_credit.clone()],
                        usage: [vec![acme_use.clone()], beta_use.clone()].concat(),
                        ..Snapshot::default()
                    },
                    as_of: "2026-03-10",
                    want: vec![(
                        "wrong_organization",
                        "2026-03-02",
                        vec![
                            "billing:1",
                            "usage:2026-03-02:openai/Beta",
                            "usage:2026-03-03:openai/Beta",
                            "usage:2026-03-04:openai/Beta",
                        ],
                    )],
                },
                Case {
                    name: "usage in an organization that has its own credits",
                    inputs: Snapshot {
                        billing: vec![
                            acme_credit.clone(),
                            bill_in(2, "openai", "Beta", CreditPurchase, "2026-03-01", "20.00"),
                        ],
                        usage: [vec![acme_use.clone()], beta_use.clone()].concat(),
                        ..Snapshot::default()
                    },
                    as_of: "2026-03-10",
                    want: vec![],
                },
                Case {
                    name: "usage before the other organization had any credit",
                    inputs: Snapshot {
                        billing: vec![bill_in(
                            1,
                            "openai",
                            "Acme",
                            CreditPurchase,
                            "2026-03-06",
                            "50.00",
                        )],
                        usage: [
                            vec![used_in("openai", "Acme", "2026-03-06", "1.00")],
                            beta_use.clone(),
                        ]
                        .concat(),
                        ..Snapshot::default()
                    },
                    as_of: "2026-03-10",
                    want: vec![],
                },
                Case {
                    name: "a few cents of usage are not judged",
                    inputs: Snapshot {
                        billing: vec![acme_credit.clone()],
                        usage: vec![
                            acme_use.clone(),
                            used_in("openai", "Beta", "2026-03-03", "0.40"),
                        ],
                        ..Snapshot::default()
                    },
                    as_of: "2026-03-10",
                    want: vec![],
                },
                Case {
                    name: "a provider billed by invoice has no prepaid credits to misplace",
                    inputs: Snapshot {
                        billing: vec![
                            bill_in(
                                1,
                                "openai",
                                "Acme",
                                BillingKind::FreeCredit,
                                "2026-03-01",
                                "50.00",
                            ),
                            bill_in(2, "openai", "Beta", Invoice, "2026-04-01", "9.00"),
                        ],
                        usage: [vec![acme_use.clone()], beta_use.clone()].concat(),
                        ..Snapshot::default()
                    },
                    as_of: "2026-04-05",
                    want: vec![],
                },
            ],
        );
        let flags = detect_all(
            &Snapshot {
                billing: vec![acme_credit],
                usage: [vec![acme_use], beta_use].concat(),
                ..Snapshot::default()
            },
            &FlagParams::default(),
            d("2026-03-20"),
        );
        assert_eq!(flags[0].amount, Some(usd("9.00")));
        assert!(
            flags[0].message.contains("openai/Acme held 49.00 USD"),
            "{}",
            flags[0].message
        );
    }
}
