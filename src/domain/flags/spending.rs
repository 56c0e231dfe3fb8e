//! Detectors of spending against what was expected: a project's day far above its usual
//! (`spend_spike`), a month past a budget the user set (`budget_exceeded`), and a monthly
//! invoice that differs from the month's usage (`invoice_mismatch`). These are usage and
//! billing questions, not payment failures; a month whose usage export stops early is not
//! judged.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};

use super::draft::{FlagDraft, money};
use super::{Context, Flag, FlagKind, FlagParams, Severity};
use crate::domain::balance::{AccountKey, DailyUsage};
use crate::domain::ledger::{BillingItem, Budget, BudgetScope, ProjectUsage, Snapshot};
use crate::domain::money::{Amount, Currency, checked_sum};
use crate::domain::records::{BillingKind, BillingStatus};

/// `spend_spike`: a project's daily cost above `spike_factor` times the median of its trailing
/// `spike_window_days` days (days without usage count as zero) and above `spike_min_cents`.
/// A project is judged only once it has a full window of history.
pub(super) fn spend_spikes(cx: &Context<'_>) -> Vec<Flag> {
    let (inputs, params, as_of) = (cx.inputs, cx.params, cx.as_of);
    let Some(min_cost) = Amount::from_cents(params.spike_min_cents) else {
        return Vec::new();
    };
    let window = u64::try_from(params.spike_window_days.max(1)).unwrap_or(14);
    let width = usize::try_from(window).unwrap_or(14);
    let mut flags = Vec::new();
    for series in inputs
        .project_usage
        .iter()
        .filter(|u| !u.project.is_empty())
    {
        let spikes = spike_days(series, params, as_of, min_cost, width);
        // One flag per run of consecutive spike days: a cost that jumps and stays high is one
        // episode, dated its first day.
        let mut runs: Vec<Vec<(NaiveDate, Amount, i64)>> = Vec::new();
        for spike in spikes {
            match runs.last_mut() {
                Some(run) if run.last().and_then(|l| l.0.succ_opt()) == Some(spike.0) => {
                    run.push(spike);
                }
                _ => runs.push(vec![spike]),
            }
        }
        let key = (
            series.provider.as_str(),
            series.project.as_str(),
            series.currency,
        );
        flags.extend(runs.iter().filter_map(|run| spike_flag(key, run, window)));
    }
    flags
}

/// Every spike day of one project: (day, cost, the trailing median it broke). The trailing
/// window slides a day at a time and stays sorted, so each day costs a few moves, not a sort.
fn spike_days(
    series: &ProjectUsage,
    params: &FlagParams,
    as_of: NaiveDate,
    min_cost: Amount,
    width: usize,
) -> Vec<(NaiveDate, Amount, i64)> {
    let (Some(first), Some(last)) = (series.days.first(), series.days.last()) else {
        return Vec::new();
    };
    let first = first.0;
    // Every day from the first to the last, zero without usage: a trailing window is a slice.
    let offset = |d: NaiveDate| usize::try_from((d - first).num_days()).ok();
    let mut dense = vec![0i64; offset(last.0).map_or(0, |o| o + 1)];
    for (day, cost) in &series.days {
        if let Some(slot) = offset(*day).and_then(|o| dense.get_mut(o)) {
            *slot = cost.nanos();
        }
    }
    let mut spikes = Vec::new();
    let Some(start) = dense.get(..width) else {
        // Not a full window of history yet.
        return spikes;
    };
    let mut trailing = start.to_vec();
    trailing.sort_unstable();
    // `trailing` holds the `width` days before `i`, sorted.
    let mut i = width;
    for (day, cost) in &series.days {
        let Some(at) = offset(*day).filter(|at| *at >= width) else {
            continue;
        };
        // Slide the window up to the day.
        while i < at {
            let (Some(&out), Some(&inn)) = (dense.get(i - width), dense.get(i)) else {
                return spikes;
            };
            slide(&mut trailing, out, inn);
            i += 1;
        }
        if *day > as_of || *cost <= min_cost {
            continue;
        }
        let Some(med) = sorted_median(&trailing) else {
            continue;
        };
        let Some(limit) = med.checked_mul(params.spike_factor) else {
            continue;
        };
        if cost.nanos() > limit {
            spikes.push((*day, *cost, med));
        }
    }
    spikes
}

/// Replaces one `out` value of the sorted `values` with `inn`, keeping them sorted.
fn slide(values: &mut Vec<i64>, out: i64, inn: i64) {
    if let Ok(at) = values.binary_search(&out) {
        values.remove(at);
    }
    let at = values.partition_point(|v| *v < inn);
    values.insert(at, inn);
}

/// The median of sorted values (the midpoint of the two middle ones for an even count).
fn sorted_median(values: &[i64]) -> Option<i64> {
    let n = values.len();
    let hi = *values.get(n / 2)?;
    if n % 2 == 1 {
        return Some(hi);
    }
    let lo = *values.get(n.checked_sub(1)? / 2)?;
    Some(lo.midpoint(hi))
}

/// The flag of one run of spike days of a project.
fn spike_flag(
    (provider, project, currency): (&str, &str, Currency),
    run: &[(NaiveDate, Amount, i64)],
    window: u64,
) -> Option<Flag> {
    let (day, first_cost, med) = *run.first()?;
    let last = run.last()?.0;
    let total = checked_sum(run.iter().map(|r| r.1))?;
    let usual = Amount::from_nanos(med);
    let cost = if run.len() == 1 { first_cost } else { total };
    let daily = Amount::from_nanos(total.nanos() / i64::try_from(run.len()).ok()?);
    let times = if med > 0 {
        format!("{}x", daily.nanos() / med)
    } else {
        "far above".to_string()
    };
    let message = if run.len() == 1 {
        format!(
            "Project {project} spent {} on {provider} on {day}, {times} its usual {} a day",
            money(cost, currency),
            money(usual, currency)
        )
    } else {
        format!(
            "Project {project} spent {} on {provider} from {day} to {last} ({} days at {} a day), {times} its usual {} a day",
            money(total, currency),
            run.len(),
            money(daily, currency),
            money(usual, currency)
        )
    };
    let (when, those) = if run.len() == 1 {
        (format!("on {day}"), "that day")
    } else {
        (format!("from {day} to {last}"), "those days")
    };
    Some(
        FlagDraft {
            kind: FlagKind::SpendSpike,
            severity: Severity::Warning,
            provider: provider.to_string(),
            date: day,
            amount: Some(cost),
            currency,
            project: Some(project.to_string()),
            records: run
                .iter()
                .map(|(d, _, _)| format!("usage:{d}:{project}"))
                .collect(),
            // The first day names the episode, so its id stays as the run grows.
            identity: Some(vec![format!("usage:{day}:{project}")]),
            message,
            diagnosis: format!(
                "Usage: the cost of {project} {when} is well above its {window}-day median. Check the \
                 provider's usage page for {those} by model and API key: a loop or retry storm in code, \
                 a batch job, a switch to a more expensive model, or a key used by someone else. Rate \
                 limit errors (429) refuse requests and do not add cost; if a key is unknown, revoke it."
            ),
        }
        .finish(),
    )
}

/// `budget_exceeded`: a month's usage for a project or provider above its budget (critical), or
/// above `budget_warning_percent` of it (warning). One flag per budget and month, at the highest
/// level reached, dated the day it was crossed.
pub(super) fn budgets_exceeded(cx: &Context<'_>) -> Vec<Flag> {
    let (inputs, params, as_of) = (cx.inputs, cx.params, cx.as_of);
    let mut flags = Vec::new();
    for budget in inputs.budgets.iter().filter(|b| b.monthly > Amount::ZERO) {
        let series: Vec<&ProjectUsage> = inputs
            .project_usage
            .iter()
            .filter(|u| u.currency == budget.currency)
            .filter(|u| match budget.scope {
                BudgetScope::Project => u.project == budget.name,
                BudgetScope::Provider => u.provider == budget.name,
            })
            .filter(|u| u.days.first().is_some_and(|(day, _)| *day <= as_of))
            .collect();
        let mut by_month: BTreeMap<NaiveDate, BTreeMap<NaiveDate, Amount>> = BTreeMap::new();
        for (day, cost) in series
            .iter()
            .flat_map(|u| u.days.iter().filter(|(day, _)| *day <= as_of))
        {
            let month = day.with_day(1).unwrap_or(*day);
            let sum = by_month.entry(month).or_default().entry(*day).or_default();
            *sum = sum.checked_add(*cost).unwrap_or(*sum);
        }
        let provider = match budget.scope {
            BudgetScope::Provider => budget.name.clone(),
            BudgetScope::Project => series
                .first()
                .map(|u| u.provider.clone())
                .unwrap_or_default(),
        };
        for (month, days) in by_month {
            if let Some(flag) = budget_month(budget, &provider, month, &days, params) {
                flags.push(flag);
            }
        }
    }
    flags
}

fn budget_month(
    budget: &Budget,
    provider: &str,
    month: NaiveDate,
    days: &BTreeMap<NaiveDate, Amount>,
    params: &FlagParams,
) -> Option<Flag> {
    let budget_nanos = i128::from(budget.monthly.nanos());
    let mut total = Amount::ZERO;
    let mut warned_on = None;
    let mut exceeded_on = None;
    for (day, cost) in days {
        total = total.checked_add(*cost)?;
        let spent = i128::from(total.nanos()) * 100;
        if warned_on.is_none() && spent >= budget_nanos * i128::from(params.budget_warning_percent)
        {
            warned_on = Some(*day);
        }
        if exceeded_on.is_none() && spent > budget_nanos * 100 {
            exceeded_on = Some(*day);
        }
    }
    let (severity, date, level) = match (exceeded_on, warned_on) {
        (Some(d), _) => (Severity::Critical, d, 100),
        (None, Some(d)) => (Severity::Warning, d, params.budget_warning_percent),
        (None, None) => return None,
    };
    let scope = match budget.scope {
        BudgetScope::Project => "project",
        BudgetScope::Provider => "provider",
    };
    let month_text = month.format("%Y-%m").to_string();
    let state = if level == 100 {
        "exceeded".to_string()
    } else {
        format!("reached {level}% of")
    };
    Some(
        FlagDraft {
            kind: FlagKind::BudgetExceeded,
            severity,
            provider: provider.to_string(),
            date,
            amount: Some(total),
            currency: budget.currency,
            project: (budget.scope == BudgetScope::Project).then(|| budget.name.clone()),
            records: vec![format!("budget:{scope}:{}:{month_text}:{level}", budget.name)],
            identity: None,
            message: format!(
                "The {scope} {} {state} its {month_text} budget of {} on {date} ({} spent)",
                budget.name,
                money(budget.monthly, budget.currency),
                money(total, budget.currency)
            ),
            diagnosis: format!(
                "Usage: spending on the {scope} {} this month is past the budget you set. This is usage, not a \
                 payment problem. Check which models and API keys drove it on the provider's usage page; set a \
                 spending limit at the provider if the budget must hold, or change the budget in burnrate's \
                 settings if it was too low.",
                budget.name
            ),
        }
        .finish(),
    )
}

/// The calendar month (its first day) a monthly invoice dated `day` bills: providers issue
/// them in the first days of the next month, so an invoice dated on the 1st to the 15th bills
/// the month before, and one dated later bills its own month.
pub fn invoice_month(day: NaiveDate) -> NaiveDate {
    let first = day.with_day(1).unwrap_or(day);
    if day.day() <= 15 {
        first
            .checked_sub_months(chrono::Months::new(1))
            .unwrap_or(first)
    } else {
        first
    }
}

/// `invoice_mismatch`: a monthly invoice (paid or pending) that differs from the month's usage
/// cost of the same provider and account by more than `invoice_tolerance_percent` of the usage
/// and more than `invoice_tolerance_cents`. An invoice naming no organization (or one the
/// ledger cannot tell apart) is compared with all of the provider's usage. Judged only when
/// the imported usage of that provider reaches the month's last day, so a usage export that
/// stops early is not taken for a mismatch. Invoices of one account and month are added up.
pub(super) fn invoice_mismatches(cx: &Context<'_>) -> Vec<Flag> {
    let (inputs, params, as_of) = (cx.inputs, cx.params, cx.as_of);
    let mut groups: BTreeMap<(AccountKey, NaiveDate, Currency), Vec<&BillingItem>> =
        BTreeMap::new();
    for b in inputs.billing.iter().filter(|b| {
        b.kind == BillingKind::Invoice
            && matches!(b.status, BillingStatus::Paid | BillingStatus::Pending)
            && b.day <= as_of
    }) {
        let account = inputs.resolve_account(&b.provider, &b.organization);
        let key = (account, invoice_month(b.day), b.currency);
        groups.entry(key).or_default().push(b);
    }
    groups
        .into_iter()
        .filter_map(|((account, month, currency), invoices)| {
            invoice_flag(inputs, params, &account, month, currency, &invoices)
        })
        .collect()
}

fn invoice_flag(
    inputs: &Snapshot,
    params: &FlagParams,
    account: &AccountKey,
    month: NaiveDate,
    currency: Currency,
    invoices: &[&BillingItem],
) -> Option<Flag> {
    let month_end = month
        .checked_add_months(chrono::Months::new(1))?
        .pred_opt()?;
    let whole_provider = account.organization.is_empty();
    let rows: Vec<&DailyUsage> = inputs
        .usage
        .iter()
        .filter(|u| u.account.provider == account.provider && u.currency == currency)
        .collect();
    rows.iter().any(|u| u.day >= month_end).then_some(())?;
    let in_month: Vec<&&DailyUsage> = rows
        .iter()
        .filter(|u| whole_provider || &u.account == account)
        .filter(|u| month <= u.day && u.day <= month_end)
        .collect();
    (!in_month.is_empty()).then_some(())?;
    let used = checked_sum(in_month.iter().map(|u| u.cost))?;
    let billed = checked_sum(invoices.iter().map(|b| b.amount.abs()))?;
    let diff = billed.checked_sub(used)?.abs();
    let tolerance = Amount::from_cents(params.invoice_tolerance_cents)?;
    let over_percent = i128::from(diff.nanos()) * 100
        > i128::from(used.nanos()) * i128::from(params.invoice_tolerance_percent);
    if diff <= tolerance || !over_percent {
        return None;
    }
    let first = invoices.first()?;
    let label = if whole_provider {
        account.provider.clone()
    } else {
        account.label()
    };
    let month_text = month.format("%Y-%m").to_string();
    let direction = if billed > used { "more" } else { "less" };
    let share = if used.is_zero() {
        String::new()
    } else {
        let tenths = i128::from(diff.nanos()) * 1_000 / i128::from(used.nanos());
        format!(" ({}.{}%)", tenths / 10, tenths % 10)
    };
    let mut records: Vec<String> = invoices.iter().map(|b| b.record()).collect();
    records.push(format!("usage:{month_text}:{label}"));
    Some(
        FlagDraft {
            kind: FlagKind::InvoiceMismatch,
            severity: Severity::Warning,
            provider: account.provider.clone(),
            date: first.day,
            amount: Some(diff),
            currency,
            project: None,
            records,
            identity: None,
            message: format!(
                "The {label} invoice for {month_text} is {} but that month's imported usage costs {}: {} {direction}{share}",
                money(billed, currency),
                money(used, currency),
                money(diff, currency)
            ),
            diagnosis: format!(
                "Billing misunderstanding: a monthly invoice bills the month's usage, less credits applied and plus \
                 taxes, so it should come close to the usage cost burnrate adds up from the usage export; here \
                 the invoice is {} {direction}. This is not a payment failure and not a balance problem. Check \
                 on the invoice its billing period (it may cover part of another month), taxes (VAT or sales \
                 tax), credits or discounts applied, and seats or subscriptions billed with it; then check that \
                 the usage export for {month_text} is complete and for the right organization (export the whole \
                 month again and import it). If the invoice bills usage you cannot find, send both to the \
                 provider's support before paying it.",
                money(diff, currency)
            ),
        }
        .finish(),
    )
}

// ----- organizations -----

#[cfg(test)]
mod tests {
    use super::super::test_support::{Case, bill_in, case, d, every_day, run, run_only, usd};
    use super::*;
    use crate::domain::flags::test_support::detect_all;
    use crate::domain::ledger::ProjectDay;

    use crate::domain::records::BillingKind::Invoice;

    fn project_day(project: &str, day: NaiveDate, cost: &str) -> ProjectDay {
        ProjectDay {
            provider: "openai".into(),
            project: project.into(),
            day,
            cost: usd(cost),
            currency: Currency::of(*b"USD"),
        }
    }

    fn daily(project: &str, from: &str, days: usize, cost: &str) -> Vec<ProjectDay> {
        d(from)
            .iter_days()
            .take(days)
            .map(|day| project_day(project, day, cost))
            .collect()
    }

    /// The sliding window finds the spike days a window sorted afresh each day finds: random
    /// series with gaps, ties, zero and negative days, every window width of a month.
    #[test]
    fn a_sliding_median_finds_what_sorting_each_window_finds() {
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = move |below: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % below
        };
        let first = d("2026-01-01");
        let mut found = 0;
        for round in 0..200 {
            let mut days = Vec::new();
            let mut day = first;
            for _ in 0..next(120) {
                day = day + chrono::Days::new(1 + next(3) * next(2));
                let cents = i64::try_from(next(5_000)).unwrap() - 200;
                let cost = Amount::from_cents(cents * i64::try_from(next(4)).unwrap()).unwrap();
                days.push((day, cost));
            }
            let series = ProjectUsage {
                provider: "openai".into(),
                project: "Web app".into(),
                currency: Currency::USD,
                days,
            };
            let params = FlagParams {
                spike_factor: i64::try_from(1 + next(4)).unwrap(),
                ..FlagParams::default()
            };
            let min_cost = Amount::from_cents(i64::try_from(next(2_000)).unwrap()).unwrap();
            let as_of = first + chrono::Days::new(next(300));
            for width in 1..=31 {
                let sorted_afresh: Vec<(NaiveDate, Amount, i64)> = series
                    .days
                    .iter()
                    .filter(|(day, cost)| *day <= as_of && *cost > min_cost)
                    .filter_map(|(day, cost)| {
                        let start = *day - chrono::Days::new(u64::try_from(width).unwrap());
                        let first = series.days.first()?.0;
                        if first > start {
                            return None;
                        }
                        let mut window: Vec<i64> = start
                            .iter_days()
                            .take_while(|d| d < day)
                            .map(|d| {
                                series
                                    .days
                                    .iter()
                                    .find(|(x, _)| *x == d)
                                    .map_or(0, |(_, c)| c.nanos())
                            })
                            .collect();
                        window.sort_unstable();
                        let med = sorted_median(&window)?;
                        (cost.nanos() > med.checked_mul(params.spike_factor)?)
                            .then_some((*day, *cost, med))
                    })
                    .collect();
                assert_eq!(
                    spike_days(&series, &params, as_of, min_cost, width),
                    sorted_afresh,
                    "round {round}, width {width}"
                );
                found += sorted_afresh.len();
            }
        }
        assert!(found > 1_000, "the random series hold spikes ({found})");
    }

    #[test]
    fn spikes_and_budgets() {
        let spike_day = d("2026-03-21");
        let project = |rows: Vec<ProjectDay>| Snapshot {
            project_usage: ProjectUsage::from_days(rows),
            ..Snapshot::default()
        };
        let with_day = |cost: &str| {
            let mut rows = daily("Web app", "2026-03-01", 20, "1.00");
            rows.push(project_day("Web app", spike_day, cost));
            project(rows)
        };
        let budget = |monthly: &str| Budget {
            scope: BudgetScope::Project,
            name: "Web app".into(),
            monthly: usd(monthly),
            currency: Currency::of(*b"USD"),
        };
        let budgeted = |monthly: &str| Snapshot {
            project_usage: ProjectUsage::from_days(daily("Web app", "2026-03-01", 12, "10.00")),
            budgets: vec![budget(monthly)],
            ..Snapshot::default()
        };
        run(vec![
            case(
                "15.00 against a 1.00 median",
                with_day("15.00"),
                "2026-03-25",
                vec![(
                    "spend_spike",
                    "2026-03-21",
                    vec!["usage:2026-03-21:Web app"],
                )],
            ),
            case(
                "above 3x but under $10",
                with_day("3.50"),
                "2026-03-25",
                vec![],
            ),
            case(
                "15.00 against a 6.00 median",
                project(
                    daily("Web app", "2026-03-01", 20, "6.00")
                        .into_iter()
                        .chain([project_day("Web app", spike_day, "15.00")])
                        .collect(),
                ),
                "2026-03-25",
                vec![],
            ),
            case(
                "a new project without two weeks of history",
                project(vec![project_day("Batch", spike_day, "80.00")]),
                "2026-03-25",
                vec![],
            ),
            case(
                "the spike is after the as-of date",
                with_day("15.00"),
                "2026-03-20",
                vec![],
            ),
            case(
                "budget of 100.00 exceeded on the 11th",
                budgeted("100.00"),
                "2026-03-12",
                vec![(
                    "budget_exceeded",
                    "2026-03-11",
                    vec!["budget:project:Web app:2026-03:100"],
                )],
            ),
            case(
                "80% of the budget reached on the 8th",
                budgeted("100.00"),
                "2026-03-09",
                vec![(
                    "budget_exceeded",
                    "2026-03-08",
                    vec!["budget:project:Web app:2026-03:80"],
                )],
            ),
            case(
                "well within budget",
                budgeted("500.00"),
                "2026-03-12",
                vec![],
            ),
        ]);
        let flags = detect_all(&budgeted("100.00"), &FlagParams::default(), d("2026-03-09"));
        assert_eq!(flags[0].severity, Severity::Warning);
        assert_eq!(flags[0].project.as_deref(), Some("Web app"));
        assert_eq!(flags[0].amount, Some(usd("90.00")));
    }

    fn anthropic_invoice(id: i64, at: &str, amount: &str) -> BillingItem {
        let mut b = bill_in(id, "anthropic", "", Invoice, at, amount);
        b.status = BillingStatus::Pending;
        b
    }

    #[test]
    fn invoice_mismatches_and_their_look_alikes() {
        // March: 100.00 a day, 3100.00 in all; the export goes on into April.
        let march = every_day("anthropic", "", "2026-03-01", "2026-04-03", "100.00");
        let with = |billing: Vec<BillingItem>, usage: &[DailyUsage]| Snapshot {
            billing,
            usage: usage.to_vec(),
            ..Snapshot::default()
        };
        run_only(
            &[FlagKind::InvoiceMismatch],
            vec![
                Case {
                    name: "an April 1 invoice of 3200.00 for 3100.00 of March usage (3.2%)",
                    inputs: with(vec![anthropic_invoice(1, "2026-04-01", "3200.00")], &march),
                    as_of: "2026-04-05",
                    want: vec![(
                        "invoice_mismatch",
                        "2026-04-01",
                        vec!["billing:1", "usage:2026-03:anthropic"],
                    )],
                },
                Case {
                    name: "an invoice matching usage within 2% (3150.00, 1.6%)",
                    inputs: with(vec![anthropic_invoice(1, "2026-04-01", "3150.00")], &march),
                    as_of: "2026-04-05",
                    want: vec![],
                },
                Case {
                    name: "a small month: 2% off but under one dollar",
                    inputs: with(
                        vec![anthropic_invoice(1, "2026-04-01", "31.90")],
                        &every_day("anthropic", "", "2026-03-01", "2026-04-01", "1.00")[..],
                    ),
                    as_of: "2026-04-05",
                    want: vec![],
                },
                Case {
                    name: "an invoice dated on the last day bills its own month",
                    inputs: with(vec![anthropic_invoice(1, "2026-03-31", "2500.00")], &march),
                    as_of: "2026-04-05",
                    want: vec![(
                        "invoice_mismatch",
                        "2026-03-31",
                        vec!["billing:1", "usage:2026-03:anthropic"],
                    )],
                },
                Case {
                    name: "usage imported only up to March 25 is not judged",
                    inputs: with(
                        vec![anthropic_invoice(1, "2026-04-01", "3200.00")],
                        &march[..25],
                    ),
                    as_of: "2026-04-05",
                    want: vec![],
                },
                Case {
                    name: "an invoice for a month without any usage imported",
                    inputs: with(vec![anthropic_invoice(1, "2026-04-01", "3200.00")], &[]),
                    as_of: "2026-04-05",
                    want: vec![],
                },
            ],
        );
        let flags = detect_all(
            &with(vec![anthropic_invoice(1, "2026-04-01", "3200.00")], &march),
            &FlagParams::default(),
            d("2026-04-05"),
        );
        assert_eq!(flags[0].amount, Some(usd("100.00")));
        assert!(flags[0].message.contains("(3.2%)"), "{}", flags[0].message);
        assert_eq!(invoice_month(d("2026-01-03")), d("2025-12-01"));
        assert_eq!(invoice_month(d("2026-02-28")), d("2026-02-01"));
    }

    #[test]
    fn invoices_compare_with_their_own_organization() {
        // Acme used 10.00 a day (310.00 in March), Beta 5.00 a day; Acme's invoice is right.
        let mut usage = every_day("openai", "Acme", "2026-03-01", "2026-04-01", "10.00");
        usage.extend(every_day(
            "openai",
            "Beta",
            "2026-03-01",
            "2026-04-01",
            "5.00",
        ));
        let inputs = Snapshot {
            billing: vec![bill_in(
                1,
                "openai",
                "Acme",
                Invoice,
                "2026-04-01",
                "310.00",
            )],
            usage,
            ..Snapshot::default()
        };
        let flags = detect_all(&inputs, &FlagParams::default(), d("2026-04-05"));
        assert!(
            flags.iter().all(|f| f.kind != FlagKind::InvoiceMismatch),
            "{flags:#?}"
        );
    }
}
