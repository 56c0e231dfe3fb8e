//! Detectors of top-ups that happened more often than meant: the same top-up paid twice
//! (`duplicate_topup`, one flag per event however many records of either trail show it) and
//! auto-recharges that ran away (`runaway_recharge`: a burst that added more than usage could
//! explain, or a recharge that ran while the balance was still above the threshold). Credit
//! from a duplicate or a runaway is not lost; the diagnoses say so and never advise paying
//! again.

use std::collections::BTreeSet;

use chrono::{Days, NaiveDate, NaiveTime, TimeDelta};

use super::draft::{FlagDraft, days_between, money};
use super::{Context, Flag, FlagKind, FlagParams, Severity};
use crate::domain::balance::{AccountKey, AutoRecharge, Balance};
use crate::domain::ledger::{BillingItem, Snapshot, paid_recharges};
use crate::domain::matching::Matching;
use crate::domain::money::{Amount, Currency, checked_sum};
use crate::domain::records::{BankStatus, BillingStatus};

#[derive(Debug, Clone)]
struct Topup {
    /// The billing record's or bank line's id.
    id: i64,
    record: String,
    provider: String,
    amount: Amount,
    currency: Currency,
    day: NaiveDate,
    time: Option<NaiveTime>,
    from_bank: bool,
    /// The billing record's status (`None` for a bank line).
    status: Option<BillingStatus>,
}

impl Topup {
    fn same_event(&self, other: &Topup, window_minutes: i64) -> bool {
        match (self.time, other.time) {
            (Some(a), Some(b)) => {
                let a = self.day.and_time(a);
                let b = other.day.and_time(b);
                (b - a).abs() <= TimeDelta::minutes(window_minutes)
            }
            (None, None) => self.day == other.day,
            _ => false,
        }
    }

    fn same_money(&self, other: &Topup) -> bool {
        self.provider == other.provider
            && self.amount == other.amount
            && self.currency == other.currency
    }
}

fn topups(inputs: &Snapshot, matching: &Matching) -> Vec<Topup> {
    // Holds that a settled or reversed line ended.
    let ended: BTreeSet<i64> = matching.holds.iter().map(|h| h.hold_id).collect();
    let mut all: Vec<Topup> = inputs
        .billing
        .iter()
        .filter(|b| b.is_topup() && !b.amount.is_zero())
        .map(|b| Topup {
            id: b.id,
            record: b.record(),
            provider: b.provider.clone(),
            amount: b.amount.abs(),
            currency: b.currency,
            day: b.day,
            time: b.time,
            from_bank: false,
            status: Some(b.status),
        })
        .collect();
    all.extend(inputs.bank.iter().filter_map(|l| {
        let counts = match l.status() {
            BankStatus::Settled => true,
            // A hold that later settled is the same charge as its settled line.
            BankStatus::Pending => !ended.contains(&l.id),
            BankStatus::Reversed => false,
        };
        (counts && l.is_topup()).then_some(())?;
        Some(Topup {
            id: l.id,
            record: l.record(),
            provider: l.provider.clone()?,
            amount: l.outflow()?,
            currency: l.currency,
            day: l.day,
            time: l.time,
            from_bank: true,
            status: None,
        })
    }));
    all.sort_by(|a, b| (a.day, a.time, &a.record).cmp(&(b.day, b.time, &b.record)));
    all
}

/// Clusters one trail's top-ups (by day, as [`topups`] sorts them) into events of two or more.
fn clusters(items: &[&Topup], window_minutes: i64) -> Vec<Vec<usize>> {
    let mut taken = vec![false; items.len()];
    let mut out = Vec::new();
    // Items come by day: one event never spans more days than the window reaches, so the
    // search for a top-up's doubles stops there instead of walking the whole history.
    let reach = Days::new(u64::try_from(window_minutes.max(0) / (24 * 60) + 1).unwrap_or(u64::MAX));
    for (i, first) in items.iter().enumerate() {
        if taken.get(i).copied().unwrap_or(true) {
            continue;
        }
        let last_day = first.day.checked_add_days(reach).unwrap_or(NaiveDate::MAX);
        let members: Vec<usize> = items
            .iter()
            .enumerate()
            .skip(i)
            .take_while(|(_, t)| t.day <= last_day)
            .filter(|(j, t)| {
                !taken.get(*j).copied().unwrap_or(true)
                    && first.same_money(t)
                    && first.same_event(t, window_minutes)
            })
            .map(|(j, _)| j)
            .collect();
        if members.len() < 2 {
            continue;
        }
        for j in &members {
            if let Some(t) = taken.get_mut(*j) {
                *t = true;
            }
        }
        out.push(members);
    }
    out
}

/// The duplicate top-up events: each one's records of both trails, sorted, deduplicated.
///
/// A trail's top-ups of the same money close in time are an event. Where billing records carry
/// times they decide: card lines each paired by the matching with its own billing record that
/// is not itself a duplicate are separate top-ups, whatever their dates say (a statement gives
/// a date, not a time, so it can support a duplicate but never prove one on its own). The other trail's records of an event are the ones the matching paired
/// with it, in whatever currency, then same-money records within the matching window.
fn duplicate_events(cx: &Context<'_>) -> Vec<Vec<Topup>> {
    let params = cx.params;
    let payments = &cx.matching.payments;
    let all = topups(cx.inputs, cx.matching);
    let billing: Vec<&Topup> = all.iter().filter(|t| !t.from_bank).collect();
    let bank: Vec<&Topup> = all.iter().filter(|t| t.from_bank).collect();
    let window = params.duplicate_window_minutes;
    let billing_clusters = clusters(&billing, window);
    let in_billing_duplicate: BTreeSet<i64> = billing_clusters
        .iter()
        .flatten()
        .filter_map(|j| billing.get(*j).map(|t| t.id))
        .collect();
    let mut events: Vec<Vec<&Topup>> = Vec::new();
    for members in billing_clusters {
        events.push(
            members
                .iter()
                .filter_map(|j| billing.get(*j).copied())
                .collect(),
        );
    }
    for members in clusters(&bank, window) {
        let event: Vec<&Topup> = members
            .iter()
            .filter_map(|j| bank.get(*j).copied())
            .collect();
        // Every charge answered by its own top-up record that is no duplicate: separate top-ups
        // (a line waiting in the review list is not taken for a missing credit either).
        let separate = event.iter().all(|t| {
            payments.bank_in_review(t.id)
                || payments
                    .for_bank(t.id)
                    .is_some_and(|m| !in_billing_duplicate.contains(&m.billing_id))
        });
        if !separate {
            events.push(event);
        }
    }
    let events: Vec<Vec<&Topup>> = events
        .into_iter()
        .map(|event| with_other_trail(event, &billing, &bank, cx))
        .collect();
    // One flag per event: events sharing a record are the same event seen from both trails.
    let mut merged: Vec<Vec<&Topup>> = Vec::new();
    for event in events {
        if let Some(existing) = merged
            .iter_mut()
            .find(|m| m.iter().any(|a| event.iter().any(|b| a.record == b.record)))
        {
            existing.extend(event);
        } else {
            merged.push(event);
        }
    }
    merged
        .into_iter()
        .map(|mut event| {
            event.sort_by(|a, b| (a.day, a.time, &a.record).cmp(&(b.day, b.time, &b.record)));
            event.dedup_by(|a, b| a.record == b.record);
            event.into_iter().cloned().collect()
        })
        .collect()
}

/// An event with the other trail's records of it: those the matching paired with its members,
/// then (for members still without one) same-money records within the matching window that
/// the matching did not pair elsewhere, closest first.
fn with_other_trail<'a>(
    mut event: Vec<&'a Topup>,
    billing: &[&'a Topup],
    bank: &[&'a Topup],
    cx: &Context<'_>,
) -> Vec<&'a Topup> {
    let payments = &cx.matching.payments;
    let Some(first) = event.first().copied() else {
        return event;
    };
    let (other, from_bank) = if first.from_bank {
        (billing, true)
    } else {
        (bank, false)
    };
    let partner = |t: &Topup| -> Option<i64> {
        if t.from_bank {
            payments.for_bank(t.id).map(|m| m.billing_id)
        } else {
            payments.for_billing(t.id).map(|m| m.bank_id)
        }
    };
    let paired_ids: BTreeSet<i64> = event.iter().filter_map(|t| partner(t)).collect();
    let mut attached: Vec<&'a Topup> = other
        .iter()
        .copied()
        .filter(|o| paired_ids.contains(&o.id))
        .collect();
    let unpaired = event.iter().filter(|t| partner(t).is_none()).count();
    let mut fallback: Vec<&'a Topup> = other
        .iter()
        .copied()
        .filter(|o| !paired_ids.contains(&o.id) && partner(o).is_none())
        .filter(|o| first.same_money(o) && within_match_window(first, o, cx.params))
        .collect();
    fallback.sort_by_key(|o| (days_between(first.day, o.day).abs(), o.record.clone()));
    fallback.truncate(unpaired);
    attached.extend(fallback);
    debug_assert!(attached.iter().all(|o| o.from_bank != from_bank));
    event.extend(attached);
    event
}

/// How many of an event's bank charges no credit answers, when that can be judged: the
/// provider's billing file spans the charges and the newest is `credit_grace_days` old.
fn uncredited_charges(event: &[Topup], cx: &Context<'_>) -> Option<usize> {
    let (_inputs, params, as_of) = (cx.inputs, cx.params, cx.as_of);
    let charges: Vec<&Topup> = event.iter().filter(|t| t.from_bank).collect();
    let credited = event
        .iter()
        .filter(|t| !t.from_bank && t.status == Some(BillingStatus::Paid))
        .count();
    let extra = charges.len().checked_sub(credited).filter(|n| *n > 0)?;
    let newest = charges.iter().map(|t| t.day).max()?;
    (days_between(newest, as_of) >= params.credit_grace_days).then_some(())?;
    let provider = &charges.first()?.provider;
    charges
        .iter()
        .all(|t| cx.coverage.billing_covers(provider, t.day))
        .then_some(extra)
}

/// The bank lines of duplicate events whose charges outnumber their credits: the duplicate
/// flag already asks for the refund, so `charge_without_credit` does not judge them again.
pub(super) fn bank_lines_in_short_duplicates(cx: &Context<'_>) -> BTreeSet<String> {
    duplicate_events(cx)
        .iter()
        .filter(|e| uncredited_charges(e, cx).is_some())
        .flat_map(|e| e.iter().filter(|t| t.from_bank).map(|t| t.record.clone()))
        .collect()
}

/// `duplicate_topup`: two or more top-ups of the same amount to one provider within minutes
/// (or on the same day, for records without a time). When the card was charged more often
/// than credit arrived, the flag is critical and asks for a refund of the difference.
pub(super) fn duplicate_topups(cx: &Context<'_>) -> Vec<Flag> {
    let params = cx.params;
    let window = params.duplicate_window_minutes;
    duplicate_events(cx)
        .into_iter()
        .filter_map(|event| {
            // Billing records name the event (the provider's own amount and currency).
            let first = event
                .iter()
                .find(|t| !t.from_bank)
                .or_else(|| event.first())?
                .clone();
            let billing_count = event.iter().filter(|t| !t.from_bank).count();
            let bank_count = event.len() - billing_count;
            let how = if event.iter().any(|t| t.time.is_some()) {
                format!("within {window} minutes")
            } else {
                "on the same day (the records carry no time)".to_string()
            };
            let count = billing_count.max(bank_count);
            if let Some(extra) = uncredited_charges(&event, cx) {
                return short_duplicate_flag(&event, &first, bank_count, extra, &how);
            }
            Some(
                FlagDraft {
                    kind: FlagKind::DuplicateTopup,
                    severity: Severity::Warning,
                    provider: first.provider.clone(),
                    date: first.day,
                    amount: Some(first.amount),
                    currency: first.currency,
                    project: None,
                    records: event.iter().map(|t| t.record.clone()).collect(),
                    identity: None,
                    message: format!(
                        "{count} top-ups of {} to {} on {}, {how}",
                        money(first.amount, first.currency),
                        first.provider,
                        first.day
                    ),
                    diagnosis: format!(
                        "Billing: {billing_count} provider record(s) and {bank_count} bank or card line(s) show the same \
                         amount going to {} {how}. This is usually a second click, or a second attempt made because the \
                         balance had not updated yet (balance not synchronized). Check the provider's billing page: when \
                         every top-up appears as credit, nothing is lost and the credit stays on the balance; when a card \
                         was charged more often than credit arrived, send these records to the provider's support and ask \
                         for a refund of the extra charge. Do not pay again while this is open.",
                        first.provider
                    ),
                }
                .finish(),
            )
        })
        .collect()
}

/// A duplicate whose card charges outnumber its credits: one problem, one critical flag that
/// names the refund to ask for.
fn short_duplicate_flag(
    event: &[Topup],
    first: &Topup,
    charges: usize,
    extra: usize,
    how: &str,
) -> Option<Flag> {
    let credits = charges - extra;
    let refund = checked_sum(std::iter::repeat_n(first.amount, extra))?;
    let provider = &first.provider;
    let refund_text = money(refund, first.currency);
    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let charges_text = plural(charges, "charge", "charges");
    let credits_text = plural(credits, "credit", "credits");
    Some(
        FlagDraft {
            kind: FlagKind::DuplicateTopup,
            severity: Severity::Critical,
            provider: provider.clone(),
            date: first.day,
            amount: Some(first.amount),
            currency: first.currency,
            project: None,
            records: event.iter().map(|t| t.record.clone()).collect(),
            identity: None,
            message: format!(
                "{charges_text}, {credits_text}: ask {provider} for a refund of {refund_text} ({} top-ups on {}, {how})",
                money(first.amount, first.currency),
                first.day
            ),
            diagnosis: format!(
                "Payment: the card was charged {charges_text} of {} by {provider} {how}, but {provider}'s billing \
                 records show {credits_text}, so {refund_text} was taken without credit. This is usually a \
                 second click or a second attempt made while the balance had not updated yet. Send these \
                 records to {provider}'s support and ask for a refund of {refund_text}; if they cannot find \
                 the extra charge, dispute it with your bank. Do not pay again while this is open.",
                money(first.amount, first.currency)
            ),
        }
        .finish(),
    )
}

/// Whether a bank record falls within the matching window of a billing record (either order).
fn within_match_window(a: &Topup, b: &Topup, params: &FlagParams) -> bool {
    let (billing_day, bank_day) = if a.from_bank {
        (b.day, a.day)
    } else {
        (a.day, b.day)
    };
    params.matching.within_days(billing_day, bank_day)
}

/// The account's usage on the days from `from` to `to`, in `currency`, with the evidence ids
/// of the days that had any.
fn usage_between(
    inputs: &Snapshot,
    account: &AccountKey,
    currency: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> Option<(Amount, Vec<String>)> {
    let mut total = Amount::ZERO;
    let mut records = Vec::new();
    for u in inputs.usage.iter().filter(|u| {
        &u.account == account
            && u.currency == currency
            && from <= u.day
            && u.day <= to
            && !u.cost.is_zero()
    }) {
        total = total.checked_add(u.cost)?;
        records.push(format!("usage:{}:{}", u.day, account.label()));
    }
    Some((total, records))
}

/// `runaway_recharge`: more than `runaway_max_recharges` auto-recharges of one account within
/// `runaway_window_hours` while usage on those days stayed under `runaway_usage_percent` of
/// what they added (one flag per burst); and, for accounts with an auto-recharge setting, a
/// recharge that fired while the reconstructed balance was still above the threshold even if
/// all of that day's usage had come before it.
pub(super) fn runaway_recharges(cx: &Context<'_>) -> Vec<Flag> {
    let (inputs, params) = (cx.inputs, cx.params);
    let accounts: BTreeSet<AccountKey> = inputs
        .billing
        .iter()
        .filter(|b| b.is_paid_auto_recharge())
        .map(|b| inputs.resolve_account(&b.provider, &b.organization))
        .collect();
    let balances = &cx.balances;
    let mut flags = Vec::new();
    for account in &accounts {
        let recharges = paid_recharges(inputs, account);
        let (bursts, in_burst) = recharge_bursts(inputs, account, &recharges, params);
        flags.extend(bursts);
        let setting = inputs.auto_recharge_for(account);
        let balance = balances.iter().find(|b| &b.account == account);
        if let (Some(setting), Some(balance)) = (setting, balance) {
            flags.extend(
                recharges
                    .iter()
                    .filter(|r| !in_burst.contains(&r.id))
                    .filter_map(|r| above_threshold(inputs, balance, setting, r)),
            );
        }
    }
    flags
}

/// Whether two recharges are within the window: by their times when both have one, else only
/// when on the same day.
fn within_hours(first: &BillingItem, later: &BillingItem, hours: i64) -> bool {
    match (first.time, later.time) {
        (Some(a), Some(b)) => {
            later.day.and_time(b) - first.day.and_time(a) <= TimeDelta::hours(hours)
        }
        _ => first.day == later.day,
    }
}

fn recharge_bursts(
    inputs: &Snapshot,
    account: &AccountKey,
    recharges: &[&BillingItem],
    params: &FlagParams,
) -> (Vec<Flag>, BTreeSet<i64>) {
    let max = usize::try_from(params.runaway_max_recharges).unwrap_or(usize::MAX);
    let mut flags = Vec::new();
    let mut in_burst = BTreeSet::new();
    let mut i = 0;
    while let Some(first) = recharges.get(i) {
        let members: Vec<&BillingItem> = recharges
            .iter()
            .skip(i)
            .take_while(|r| within_hours(first, r, params.runaway_window_hours))
            .filter(|r| r.currency == first.currency)
            .copied()
            .collect();
        let flag = (members.len() > max)
            .then(|| burst_flag(inputs, account, &members, params))
            .flatten();
        let Some(flag) = flag else {
            i += 1;
            continue;
        };
        in_burst.extend(members.iter().map(|r| r.id));
        flags.push(flag);
        i += recharges
            .iter()
            .skip(i)
            .take_while(|r| within_hours(first, r, params.runaway_window_hours))
            .count();
    }
    (flags, in_burst)
}

fn burst_flag(
    inputs: &Snapshot,
    account: &AccountKey,
    members: &[&BillingItem],
    params: &FlagParams,
) -> Option<Flag> {
    let first = members.first()?;
    let last = members.last()?;
    let added = checked_sum(members.iter().map(|r| r.amount.abs()))?;
    let (used, usage_records) =
        usage_between(inputs, account, &first.currency, first.day, last.day)?;
    let used_share = i128::from(used.nanos()) * 100;
    if used_share >= i128::from(added.nanos()) * i128::from(params.runaway_usage_percent) {
        return None;
    }
    let label = account.label();
    let count = members.len();
    let hours = params.runaway_window_hours;
    let currency = first.currency;
    let mut records: Vec<String> = members.iter().map(|r| r.record()).collect();
    records.extend(usage_records);
    Some(
        FlagDraft {
            kind: FlagKind::RunawayRecharge,
            severity: Severity::Critical,
            provider: account.provider.clone(),
            date: first.day,
            amount: Some(added),
            currency,
            project: None,
            records,
            identity: Some(vec![format!("runaway:{}", first.record())]),
            message: format!(
                "{count} auto-recharges of {label} added {} within {hours} hours from {}, while usage on those days was {}",
                money(added, currency),
                first.day,
                money(used, currency)
            ),
            diagnosis: format!(
                "Billing: the auto-recharge of {label} ran {count} times within {hours} hours and added {}, but only \
                 {} was used on those days, so the recharges did not follow usage. This usually means the \
                 threshold at the provider is at or above what one recharge leaves (each recharge triggers the \
                 next), or the provider kept charging while the balance was not yet synchronized. Check the \
                 auto-recharge threshold and amount on the provider's billing page and count the matching \
                 charges on your card statement; turn auto-recharge off until the settings are right. The credit \
                 is not lost, it stays on the balance; if you were charged more than you meant to spend, ask the \
                 provider's support for a refund of the extra recharges. Do not buy credit by hand meanwhile.",
                money(added, currency),
                money(used, currency)
            ),
        }
        .finish(),
    )
}

/// A recharge that fired while the balance was above the threshold. The lowest the balance
/// can have been just before it: the previous day's closing balance, less what expired that
/// day, plus credit recorded earlier that day (by time), less all of that day's usage.
fn above_threshold(
    inputs: &Snapshot,
    balance: &Balance,
    setting: &AutoRecharge,
    recharge: &BillingItem,
) -> Option<Flag> {
    let currency = balance.currency;
    if recharge.currency != currency {
        return None;
    }
    let point = balance.days.iter().find(|d| d.day == recharge.day)?;
    let previous = recharge
        .day
        .pred_opt()
        .and_then(|p| balance.days.iter().find(|d| d.day == p))
        .map_or(Amount::ZERO, |d| d.balance);
    let time = recharge.time;
    let earlier = checked_sum(
        inputs
            .billing
            .iter()
            .filter(|b| b.id != recharge.id && b.day == recharge.day && b.adds_credit())
            .filter(|b| b.currency == currency)
            .filter(|b| matches!((b.time, time), (Some(t), Some(r)) if t < r))
            .filter(|b| inputs.resolve_account(&b.provider, &b.organization) == balance.account)
            .map(|b| b.amount.abs()),
    )?;
    let lowest = previous
        .checked_sub(point.expired)?
        .checked_add(earlier)?
        .checked_sub(point.usage)?
        .max(Amount::ZERO);
    if lowest <= setting.threshold {
        return None;
    }
    let label = balance.account.label();
    let amount = recharge.amount.abs();
    let threshold = money(setting.threshold, currency);
    Some(
        FlagDraft {
            kind: FlagKind::RunawayRecharge,
            severity: Severity::Warning,
            provider: balance.account.provider.clone(),
            date: recharge.day,
            amount: Some(amount),
            currency,
            project: None,
            records: vec![recharge.record()],
            identity: None,
            message: format!(
                "An auto-recharge of {} to {label} on {} ran while the balance was still at least {}, above the {threshold} threshold",
                money(amount, currency),
                recharge.day,
                money(lowest, currency)
            ),
            diagnosis: format!(
                "Billing: by the imported records, the {label} balance stood at {} or more when this auto-recharge \
                 ran, even counting all of that day's usage before it, and the threshold set in burnrate is \
                 {threshold}. Either the threshold at the provider is higher than the one set here (check the \
                 auto-recharge settings on the provider's billing page, and correct burnrate's with `burnrate \
                 settings recharge`), or the provider charged on a balance it had not yet synchronized, or usage \
                 or credit records are missing (import the newest usage and billing exports). The credit is not \
                 lost: it stays on the balance. If the recharge was not wanted, ask the provider's support about a \
                 refund; do not buy credit by hand to make up for it.",
                money(lowest, currency)
            ),
        }
        .finish(),
    )
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{
        Case, bank_only, bill_in, billing_only, case, coffee, d, line, paid, run, run_only, topup,
        usd, used, used_in,
    };
    use super::*;
    use crate::domain::flags::test_support::detect_all;

    use crate::domain::records::BankStatus::Settled;
    use crate::domain::records::BillingKind::{
        self, AutoRecharge as Auto, CreditPurchase, Subscription,
    };
    use crate::domain::records::SpendKind;

    fn openai(id: i64, kind: BillingKind, at: &str, amount: &str) -> BillingItem {
        bill_in(id, "openai", "", kind, at, amount)
    }

    fn recharge_at(threshold: &str, amount: &str) -> Vec<AutoRecharge> {
        vec![AutoRecharge {
            account: AccountKey::new("openai", ""),
            threshold: usd(threshold),
            amount: usd(amount),
            monthly_cap: None,
        }]
    }

    #[test]
    #[expect(
        clippy::too_many_lines,
        reason = "a table of cases reads best in one place"
    )]
    fn duplicate_topups_and_their_look_alikes() {
        run(vec![
            case(
                "two purchases seven minutes apart",
                billing_only(vec![
                    paid(1, "openai", CreditPurchase, "2026-03-05 10:00", "20.00"),
                    paid(2, "openai", CreditPurchase, "2026-03-05 10:07", "20.00"),
                ]),
                "2026-03-10",
                vec![(
                    "duplicate_topup",
                    "2026-03-05",
                    vec!["billing:1", "billing:2"],
                )],
            ),
            case(
                "billing double and its two card charges are one event",
                Snapshot {
                    billing: vec![
                        paid(1, "openai", CreditPurchase, "2026-03-05 10:00", "20.00"),
                        paid(2, "openai", CreditPurchase, "2026-03-05 10:05", "20.00"),
                    ],
                    bank: vec![
                        coffee(5, "2026-03-01"),
                        topup(6, "openai", Settled, "2026-03-06", "-20.00"),
                        topup(7, "openai", Settled, "2026-03-06", "-20.00"),
                        coffee(8, "2026-03-28"),
                    ],
                    ..Snapshot::default()
                },
                "2026-03-30",
                vec![(
                    "duplicate_topup",
                    "2026-03-05",
                    vec!["bank:6", "bank:7", "billing:1", "billing:2"],
                )],
            ),
            case(
                "two card lines with dates only, same day",
                bank_only(vec![
                    topup(1, "mistral", Settled, "2026-03-05", "-50.00"),
                    topup(2, "mistral", Settled, "2026-03-05", "-50.00"),
                ]),
                "2026-03-10",
                vec![("duplicate_topup", "2026-03-05", vec!["bank:1", "bank:2"])],
            ),
            case(
                "identical top-ups a day apart after real usage",
                Snapshot {
                    billing: vec![
                        paid(1, "openai", CreditPurchase, "2026-03-01", "20.00"),
                        paid(2, "openai", CreditPurchase, "2026-03-02", "20.00"),
                    ],
                    usage: vec![used("openai", "2026-03-01", "18.00")],
                    ..Snapshot::default()
                },
                "2026-03-10",
                vec![],
            ),
            case(
                "two auto-recharges days apart",
                billing_only(vec![
                    paid(1, "openai", Auto, "2026-03-01 10:00", "10.00"),
                    paid(2, "openai", Auto, "2026-03-04 10:00", "10.00"),
                ]),
                "2026-03-10",
                vec![],
            ),
            case(
                "twenty minutes apart is two top-ups",
                billing_only(vec![
                    paid(1, "openai", CreditPurchase, "2026-03-05 10:00", "20.00"),
                    paid(2, "openai", CreditPurchase, "2026-03-05 10:20", "20.00"),
                ]),
                "2026-03-10",
                vec![],
            ),
            case(
                "a timed record and an untimed one are never paired",
                billing_only(vec![
                    paid(1, "openai", CreditPurchase, "2026-03-05 10:00", "20.00"),
                    paid(2, "openai", CreditPurchase, "2026-03-05", "20.00"),
                ]),
                "2026-03-10",
                vec![],
            ),
            case(
                "subscriptions recurring monthly, two seats on one day",
                Snapshot {
                    billing: vec![
                        paid(1, "openai", Subscription, "2026-01-01", "20.00"),
                        paid(2, "openai", Subscription, "2026-02-01", "20.00"),
                        paid(3, "openai", Subscription, "2026-03-01", "20.00"),
                        paid(4, "openai", Subscription, "2026-03-01", "20.00"),
                    ],
                    bank: vec![
                        line(
                            5,
                            10,
                            Some("openai"),
                            Some(SpendKind::Subscription),
                            Settled,
                            "2026-01-02",
                            "-20.00",
                        ),
                        line(
                            6,
                            10,
                            Some("openai"),
                            Some(SpendKind::Subscription),
                            Settled,
                            "2026-02-02",
                            "-20.00",
                        ),
                        line(
                            7,
                            10,
                            Some("openai"),
                            Some(SpendKind::Subscription),
                            Settled,
                            "2026-03-02",
                            "-20.00",
                        ),
                        line(
                            8,
                            10,
                            Some("openai"),
                            Some(SpendKind::Subscription),
                            Settled,
                            "2026-03-02",
                            "-20.00",
                        ),
                    ],
                    ..Snapshot::default()
                },
                "2026-03-31",
                vec![],
            ),
        ]);
    }

    /// Regression ("charged twice, credited once"): a warning `duplicate_topup` with generic
    /// wording plus a critical `charge_without_credit` for the same extra charge.
    #[test]
    fn charged_twice_credited_once_is_one_critical_flag() {
        let anthropic =
            |id: i64, at: &str, amount: &str| paid(id, "anthropic", CreditPurchase, at, amount);
        let charge = |id: i64, day: &str| topup(id, "anthropic", Settled, day, "-100.00");
        // The billing file runs to 03-20, so it spans the charges.
        let later = anthropic(9, "2026-03-20 09:00", "30.00");
        // (case, inputs, as-of, severity, words in the message)
        let cases: Vec<(&str, Snapshot, &str, Severity, &str)> = vec![
            (
                "two charges, one credit",
                Snapshot {
                    billing: vec![anthropic(1, "2026-03-05 10:00", "100.00"), later.clone()],
                    bank: vec![charge(6, "2026-03-06"), charge(7, "2026-03-06")],
                    ..Snapshot::default()
                },
                "2026-03-25",
                Severity::Critical,
                "2 charges, 1 credit: ask anthropic for a refund of 100.00 USD",
            ),
            (
                "two charges, two credits",
                Snapshot {
                    billing: vec![
                        anthropic(1, "2026-03-05 10:00", "100.00"),
                        anthropic(2, "2026-03-05 10:04", "100.00"),
                        later.clone(),
                    ],
                    bank: vec![charge(6, "2026-03-06"), charge(7, "2026-03-06")],
                    ..Snapshot::default()
                },
                "2026-03-25",
                Severity::Warning,
                "2 top-ups of 100.00 USD to anthropic",
            ),
            (
                "three charges, one credit",
                Snapshot {
                    billing: vec![anthropic(1, "2026-03-05 10:00", "100.00"), later.clone()],
                    bank: vec![
                        charge(6, "2026-03-06"),
                        charge(7, "2026-03-06"),
                        charge(8, "2026-03-06"),
                    ],
                    ..Snapshot::default()
                },
                "2026-03-25",
                Severity::Critical,
                "3 charges, 1 credit: ask anthropic for a refund of 200.00 USD",
            ),
        ];
        for (name, inputs, as_of, severity, words) in cases {
            let flags = detect_all(&inputs, &FlagParams::default(), d(as_of));
            let shown: Vec<&str> = flags.iter().map(|f| f.kind.as_str()).collect();
            assert_eq!(shown, ["duplicate_topup"], "{name}: {flags:#?}");
            let flag = &flags[0];
            assert_eq!(flag.severity, severity, "{name}");
            assert!(flag.message.contains(words), "{name}: {}", flag.message);
            assert!(!flag.diagnosis.contains("retry"), "{name}");
        }
    }

    #[test]
    #[expect(
        clippy::too_many_lines,
        reason = "a table of cases reads best in one place"
    )]
    fn runaway_recharges_and_their_look_alikes() {
        let kinds = [FlagKind::RunawayRecharge, FlagKind::DuplicateTopup];
        run_only(
            &kinds,
            vec![
                Case {
                    name: "four recharges in two hours while 5.00 was used",
                    inputs: Snapshot {
                        billing: vec![
                            openai(1, CreditPurchase, "2026-03-01", "50.00"),
                            openai(2, Auto, "2026-03-05 10:00", "20.00"),
                            openai(3, Auto, "2026-03-05 10:30", "20.00"),
                            openai(4, Auto, "2026-03-05 11:00", "20.00"),
                            openai(5, Auto, "2026-03-05 12:00", "20.00"),
                        ],
                        usage: vec![used_in("openai", "", "2026-03-05", "5.00")],
                        ..Snapshot::default()
                    },
                    as_of: "2026-03-10",
                    want: vec![(
                        "runaway_recharge",
                        "2026-03-05",
                        vec![
                            "billing:2",
                            "billing:3",
                            "billing:4",
                            "billing:5",
                            "usage:2026-03-05:openai",
                        ],
                    )],
                },
                Case {
                    name: "four recharges in a busy day that used them",
                    inputs: Snapshot {
                        billing: vec![
                            openai(2, Auto, "2026-03-05 10:00", "20.00"),
                            openai(3, Auto, "2026-03-05 12:30", "20.00"),
                            openai(4, Auto, "2026-03-05 15:00", "20.00"),
                            openai(5, Auto, "2026-03-05 18:00", "20.00"),
                        ],
                        usage: vec![used_in("openai", "", "2026-03-05", "70.00")],
                        ..Snapshot::default()
                    },
                    as_of: "2026-03-10",
                    want: vec![],
                },
                Case {
                    name: "three recharges in a day are not more than three",
                    inputs: Snapshot {
                        billing: vec![
                            openai(2, Auto, "2026-03-05 10:00", "20.00"),
                            openai(3, Auto, "2026-03-05 12:30", "20.00"),
                            openai(4, Auto, "2026-03-05 15:00", "20.00"),
                        ],
                        ..Snapshot::default()
                    },
                    as_of: "2026-03-10",
                    want: vec![],
                },
                Case {
                    name: "four recharges spread over four days",
                    inputs: Snapshot {
                        billing: vec![
                            openai(2, Auto, "2026-03-02 10:00", "20.00"),
                            openai(3, Auto, "2026-03-03 11:00", "20.00"),
                            openai(4, Auto, "2026-03-04 12:00", "20.00"),
                            openai(5, Auto, "2026-03-05 13:00", "20.00"),
                        ],
                        ..Snapshot::default()
                    },
                    as_of: "2026-03-10",
                    want: vec![],
                },
                Case {
                    // 25.00 left on 02-28; 03-01 uses 18.00 (lowest before the recharge: 7.00,
                    // below 10.00); then 27, 19, 11, and 03-04 uses 8.00 (lowest 3.00).
                    name: "two auto-recharges days apart with real usage between",
                    inputs: Snapshot {
                        billing: vec![
                            openai(1, CreditPurchase, "2026-02-28", "25.00"),
                            openai(2, Auto, "2026-03-01 10:00", "20.00"),
                            openai(3, Auto, "2026-03-04 10:00", "20.00"),
                        ],
                        usage: vec![
                            used_in("openai", "", "2026-03-01", "18.00"),
                            used_in("openai", "", "2026-03-02", "8.00"),
                            used_in("openai", "", "2026-03-03", "8.00"),
                            used_in("openai", "", "2026-03-04", "8.00"),
                        ],
                        auto_recharges: recharge_at("10.00", "20.00"),
                        ..Snapshot::default()
                    },
                    as_of: "2026-03-10",
                    want: vec![],
                },
                Case {
                    // 100.00 bought, 5.00 used on 03-02 and 03-03: at least 90.00 left when the
                    // recharge ran on 03-03, far above 10.00.
                    name: "a recharge while the balance was far above the threshold",
                    inputs: Snapshot {
                        billing: vec![
                            openai(1, CreditPurchase, "2026-03-01", "100.00"),
                            openai(2, Auto, "2026-03-03 09:00", "20.00"),
                        ],
                        usage: vec![
                            used_in("openai", "", "2026-03-02", "5.00"),
                            used_in("openai", "", "2026-03-03", "5.00"),
                        ],
                        auto_recharges: recharge_at("10.00", "20.00"),
                        ..Snapshot::default()
                    },
                    as_of: "2026-03-10",
                    want: vec![("runaway_recharge", "2026-03-03", vec!["billing:2"])],
                },
                Case {
                    name: "the same recharge with no threshold set is not judged",
                    inputs: Snapshot {
                        billing: vec![
                            openai(1, CreditPurchase, "2026-03-01", "100.00"),
                            openai(2, Auto, "2026-03-03 09:00", "20.00"),
                        ],
                        usage: vec![used_in("openai", "", "2026-03-03", "5.00")],
                        ..Snapshot::default()
                    },
                    as_of: "2026-03-10",
                    want: vec![],
                },
                Case {
                    // 12.00 left, 5.00 used that day: the 09:00 recharge was due (7.00 < 10.00);
                    // the 09:06 one ran on at least 12 + 20 - 5 = 27.00.
                    name: "the second of two recharges minutes apart",
                    inputs: Snapshot {
                        billing: vec![
                            openai(1, CreditPurchase, "2026-03-01", "17.00"),
                            openai(2, Auto, "2026-03-02 09:00", "20.00"),
                            openai(3, Auto, "2026-03-02 09:06", "20.00"),
                        ],
                        usage: vec![
                            used_in("openai", "", "2026-03-01", "5.00"),
                            used_in("openai", "", "2026-03-02", "5.00"),
                        ],
                        auto_recharges: recharge_at("10.00", "20.00"),
                        ..Snapshot::default()
                    },
                    as_of: "2026-03-10",
                    want: vec![
                        (
                            "duplicate_topup",
                            "2026-03-02",
                            vec!["billing:2", "billing:3"],
                        ),
                        ("runaway_recharge", "2026-03-02", vec!["billing:3"]),
                    ],
                },
            ],
        );
    }
}
