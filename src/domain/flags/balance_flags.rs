//! Detectors read from each prepaid account's reconstructed balance: a balance that stood at
//! zero while usage went on (`balance_depleted`), credit that expires soon with a remainder
//! (`credits_expiring`), and usage in an organization without credit while another one held
//! it (`wrong_organization`). Providers billed by invoice have no prepaid balance and are left
//! out; an account whose totals overflow is not judged.

use std::collections::BTreeSet;

use chrono::NaiveDate;

use super::draft::{FlagDraft, days_between, money};
use super::{Context, Flag, FlagKind, FlagParams, Severity};
use crate::domain::balance::{AccountKey, Balance, DailyUsage, LotKind};
use crate::domain::ledger::{Snapshot, credit_lots};
use crate::domain::money::{Amount, checked_sum};

pub(super) fn balance_flags(cx: &Context<'_>) -> Vec<Flag> {
    let (params, as_of) = (cx.params, cx.as_of);
    let mut flags = Vec::new();
    for b in &cx.balances {
        flags.extend(depleted(b));
        flags.extend(expiring(b, params, as_of));
    }
    flags
}

/// `balance_depleted`: one flag per stretch where the computed balance stood at zero while
/// usage went on.
fn depleted(b: &Balance) -> Vec<Flag> {
    let label = b.account.label();
    b.depletion_episodes()
        .into_iter()
        .map(|e| {
            let records: Vec<String> = b
                .days
                .iter()
                .filter(|d| {
                    !d.overdraft.is_zero()
                        && d.day >= e.first_overdraft_on
                        && d.day <= e.last_overdraft_on
                })
                .map(|d| format!("usage:{}:{label}", d.day))
                .collect();
            FlagDraft {
                kind: FlagKind::BalanceDepleted,
                severity: Severity::Critical,
                provider: b.account.provider.clone(),
                date: e.zero_on,
                amount: Some(e.overdraft),
                currency: b.currency,
                project: None,
                records,
                identity: Some(vec![format!("balance:{label}:{}", e.zero_on)]),
                message: format!(
                    "The {label} balance reached zero on {} while usage went on ({} past zero through {})",
                    e.zero_on,
                    money(e.overdraft, b.currency),
                    e.last_overdraft_on
                ),
                diagnosis: format!(
                    "Balance depleted: the credits of {label} ran out on {} and usage was still recorded \
                     afterwards, so API calls were likely refused with an insufficient-balance error from then on \
                     (on OpenAI a 429 of type insufficient_quota; a 429 of type rate_limit_exceeded is a rate \
                     limit and is not caused by the balance). Check the provider's usage \
                     page for refused requests on those days and whether an auto-recharge was set up and ran; if \
                     credit was bought but is missing here, import that billing record. Usage past zero may be \
                     charged later or was never served.",
                    e.zero_on
                ),
            }
            .finish()
        })
        .collect()
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
    without_credit
        .into_iter()
        .filter_map(|account| {
            let others: Vec<&Balance> = balances
                .iter()
                .filter(|b| b.account.provider == account.provider)
                .filter(|b| !b.account.organization.is_empty() && &b.account != account)
                .collect();
            wrong_org_flag(inputs, account, &others, min_usage)
        })
        .collect()
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
                 insufficient quota (OpenAI's 429 insufficient_quota, not a rate limit) or billed to {label}'s own payment method. \
                 Check which organization each API key and project belongs to (the provider's API keys page, or \
                 the organization your code sends with each request) and move the keys to {holders_text}; if the \
                 credits were bought in the wrong organization, ask the provider's support to move them. Buying \
                 more credits is not the fix. If {label} has billing records that are not imported yet, import them.",
                money(total, currency)
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
                "used exactly to zero, then nothing",
                Snapshot {
                    billing: vec![paid(1, "openai", CreditPurchase, "2026-03-01", "10.00")],
                    usage: vec![used("openai", "2026-03-02", "10.00")],
                    ..Snapshot::default()
                },
                "2026-03-08",
                vec![],
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
                "an expiring lot already used up",
                Snapshot {
                    billing: vec![free],
                    usage: vec![used("openai", "2026-03-02", "5.00")],
                    ..Snapshot::default()
                },
                "2026-03-05",
                vec![],
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
