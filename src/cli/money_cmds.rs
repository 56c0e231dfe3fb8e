//! The `flags` and `balance` commands: what went wrong with AI spending, and what is left on a
//! prepaid provider account, as of a day.
//!
//! Both read the ledger through [`Store::snapshot`] and judge with the pure detectors and
//! balance rules of `domain`; this module takes the as-of date from the program's one clock
//! (today on this machine, unless `--as-of` is given) and prints. JSON output is a contract: `flags --json` is an array of
//! `{"id", "kind", "severity", "provider", "date", "amount", "currency", "project", "records",
//! "message", "diagnosis"}` (plus `"dismissed"` with `--all`); `balance --json` is
//! `{"provider", "as_of", "currency", "balance", "series", "burn_rate_per_day", "depletes_on"}`
//! plus the account, the 30-day burn rate, the lots, the monthly roll-forward, the account's
//! `"auto_recharge"` (or null) and a `"forecast"` of `{"date", "balance", "recharge"}` points
//! after the as-of date (auto-recharges simulated; see `domain::balance` for the horizon),
//! `"usage_through"` (the last day with usage data: burn rates end there) and
//! `"auto_recharge_failed_on"` (set when the last auto-recharge failed and none succeeded since:
//! the forecast then simulates no recharges).
//! Amounts are decimal strings rounded to cents. Dismissing: `burnrate flags dismiss ID --note TEXT`.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::Path;

use anyhow::{Context, bail};
use chrono::NaiveDate;
use clap::{Args, Subcommand};
use serde_json::{Value, json};

use crate::domain::balance::{
    AccountKey, AutoRecharge, Balance, Forecast, ForecastPoint, LotKind, MonthRoll,
};
use crate::domain::flags::Flag;
use crate::domain::ledger::Snapshot;
use crate::domain::money::Amount;
use crate::services::projection;
use crate::store::Store;

/// Arguments of `burnrate flags`.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct FlagsArgs {
    /// Show dismissed flags too.
    #[arg(long)]
    pub all: bool,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
    #[command(subcommand)]
    pub action: Option<FlagsAction>,
}

/// What to do with one flag.
#[derive(Debug, Subcommand)]
pub enum FlagsAction {
    /// Dismiss a flag with a note; it stays dismissed across runs.
    Dismiss {
        /// The flag's id, as `burnrate flags` prints it.
        id: String,
        /// Why it is dismissed (kept with the dismissal).
        #[arg(long)]
        note: String,
    },
    /// Write a flag's evidence as a dispute packet: one self-contained HTML file with the
    /// timeline, the billing records and the bank lines involved.
    Export {
        /// The flag's id, as `burnrate flags` prints it.
        id: String,
        /// The HTML file to write.
        #[arg(long, value_name = "FILE")]
        html: std::path::PathBuf,
    },
}

/// Arguments of `burnrate balance`.
#[derive(Debug, Args)]
pub struct BalanceArgs {
    /// The provider (openai, anthropic, ...).
    #[arg(long, value_name = "NAME")]
    pub provider: String,
    /// The organization inside the provider, by name or id (needed when it has several).
    #[arg(long, value_name = "ORG")]
    pub account: Option<String>,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// `burnrate flags`.
///
/// # Errors
/// When the ledger cannot be read, or the flag to dismiss does not exist.
pub fn flags_command(db: &Path, args: &FlagsArgs, as_of: NaiveDate) -> anyhow::Result<i32> {
    let store = Store::open(db)?;
    let judged = projection::load(&store, as_of)?;
    let all = judged.flags();
    if let Some(FlagsAction::Dismiss { id, note }) = &args.action {
        let Some(flag) = all.iter().find(|f| f.id == id.trim()) else {
            bail!(
                "there is no flag with id {id} as of {as_of}; `burnrate flags --all --as-of {as_of}` lists them"
            );
        };
        store.dismiss_flag(&flag.id, note, &super::now_utc())?;
        println!(
            "Dismissed {} ({}): {}",
            flag.id,
            flag.kind.as_str(),
            flag.message
        );
        return Ok(0);
    }
    if let Some(FlagsAction::Export { id, html }) = &args.action {
        let Some(flag) = all.iter().find(|f| f.id == id.trim()) else {
            bail!(
                "there is no flag with id {id} as of {as_of}; `burnrate flags --all --as-of {as_of}` lists them"
            );
        };
        crate::services::dispute::export_packet(&store, &judged.judgement, flag, html)?;
        println!(
            "Wrote the dispute packet of {} to {}",
            flag.id,
            html.display()
        );
        return Ok(0);
    }
    let dismissed: BTreeMap<String, String> = store
        .dismissed_flags()?
        .into_iter()
        .map(|d| (d.flag_id, d.note))
        .collect();
    let shown: Vec<&Flag> = all
        .iter()
        .filter(|f| args.all || !dismissed.contains_key(&f.id))
        .collect();
    // Thousands of flags: written in blocks, not a system call per line.
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    if args.json {
        let list: Vec<Value> = shown
            .iter()
            .map(|f| {
                let mut v = flag_json(f);
                if args.all {
                    v["dismissed"] = json!(dismissed.contains_key(&f.id));
                }
                v
            })
            .collect();
        writeln!(out, "{}", serde_json::to_string_pretty(&list)?)?;
        out.flush()?;
        return Ok(0);
    }
    for f in &shown {
        let amount = f
            .amount
            .map(|a| format!("  {} {}", a.to_cents_string(), f.currency))
            .unwrap_or_default();
        writeln!(
            out,
            "{:8}  {}  {}  {}{amount}",
            f.severity.as_str(),
            f.date,
            f.kind.as_str(),
            f.provider
        )?;
        writeln!(out, "    {}", f.message)?;
        writeln!(out, "    {}", f.diagnosis)?;
        let note = dismissed
            .get(&f.id)
            .map(|n| format!("  (dismissed: {n})"))
            .unwrap_or_default();
        writeln!(
            out,
            "    id {}  evidence: {}{note}",
            f.id,
            f.records.join(", ")
        )?;
        writeln!(out)?;
    }
    let hidden = all.len() - shown.len();
    let hidden_note = if hidden > 0 {
        format!(", {hidden} dismissed (show them with --all)")
    } else {
        String::new()
    };
    writeln!(out, "{} flag(s) as of {as_of}{hidden_note}", shown.len())?;
    lower_bound_notes(&mut out, &judged, &all, as_of)?;
    out.flush()?;
    Ok(0)
}

/// Once per account whose lower bound reached zero while usage went on (not judged as
/// depleted: the true balance may never have reached zero), how to anchor it.
fn lower_bound_notes(
    out: &mut impl std::io::Write,
    judged: &crate::services::projection::Judged,
    flags: &[Flag],
    as_of: NaiveDate,
) -> anyhow::Result<()> {
    for p in &judged.projections {
        let b = &p.balance;
        let Some(e) = b.depletion_episodes().into_iter().find(|e| e.lower_bound) else {
            continue;
        };
        let flagged = flags.iter().any(|f| {
            f.kind == crate::domain::flags::FlagKind::BalanceDepleted
                && f.provider == b.account.provider
                && f.date == e.zero_on
        });
        if flagged {
            continue;
        }
        writeln!(
            out,
            "\nNote: by its records alone, {} reached zero on {} while usage went on: its history starts \
             with usage before any known credit, so that is a lower bound, not a depletion. To know the \
             balance, {}",
            b.account.label(),
            e.zero_on,
            anchor_hint(&b.account, as_of)
        )?;
    }
    Ok(())
}

/// How to anchor an account's balance on the billing page's.
fn anchor_hint(account: &AccountKey, as_of: NaiveDate) -> String {
    format!(
        "enter the balance your billing page shows: `burnrate checkpoint add --provider {}{} --date {as_of} --amount AMOUNT`",
        account.provider,
        if account.organization.is_empty() {
            String::new()
        } else {
            format!(" --account '{}'", account.organization)
        }
    )
}

pub(super) fn flag_json(f: &Flag) -> Value {
    json!({
        "id": f.id,
        "kind": f.kind.as_str(),
        "severity": f.severity.as_str(),
        "provider": f.provider,
        "date": f.date.to_string(),
        "amount": f.amount.map(Amount::to_cents_string),
        "currency": f.currency,
        "project": f.project,
        "records": f.records,
        "message": f.message,
        "diagnosis": f.diagnosis,
    })
}

/// Picks the account: the named one, else the provider's only one.
fn pick_account(
    inputs: &Snapshot,
    provider: &str,
    organization: Option<&str>,
) -> anyhow::Result<AccountKey> {
    if let Some(org) = organization {
        return Ok(inputs.resolve_account(provider, org));
    }
    let accounts: Vec<AccountKey> = inputs
        .accounts()
        .into_iter()
        .filter(|a| a.provider == provider)
        .collect();
    match accounts.as_slice() {
        [] if crate::domain::merchants::bills_after_use(provider) => bail!(
            "{provider} bills its usage after the fact, so it has no prepaid balance; `burnrate report --by provider` shows what it charged"
        ),
        [] => bail!(
            "the ledger has no credits or usage for the provider '{provider}'; `burnrate report` lists providers"
        ),
        [only] => Ok(only.clone()),
        many => {
            let names: Vec<&str> = many.iter().map(|a| a.organization.as_str()).collect();
            bail!(
                "{provider} has several accounts ({}); pick one with --account",
                names.join(", ")
            )
        }
    }
}

/// `burnrate balance`.
///
/// # Errors
/// When the ledger cannot be read, the account is ambiguous or unknown, or a total overflows.
pub fn balance_command(db: &Path, args: &BalanceArgs, as_of: NaiveDate) -> anyhow::Result<i32> {
    let store = Store::open(db)?;
    let judged = projection::load_accounts(&store, as_of)?;
    let provider = args.provider.trim().to_lowercase();
    let account = pick_account(judged.snapshot(), &provider, args.account.as_deref())?;
    let p = judged
        .projection(&account)
        .with_context(|| format!("adding up the balance of {}", account.label()))?;
    let (b, burn_7, burn_30) = (&p.balance, p.burn_per_day, p.long_burn_per_day);
    let setting = p.setting.as_ref();
    // A failing auto-recharge is not counted on: the forecast runs without it and says so.
    let failed_on = p.recharge_failing_since;
    let recharge = p.simulated_recharge();
    let forecast = &p.forecast;
    let depletes_on = forecast.depletes_on;
    let months = b.monthly()?;
    let mut out = std::io::stdout().lock();
    if args.json {
        let mut v = balance_json(b, burn_7, burn_30, depletes_on, &months);
        add_forecast_json(&mut v, setting, forecast);
        v["auto_recharge_failed_on"] = json!(failed_on.map(|d| d.to_string()));
        writeln!(out, "{}", serde_json::to_string_pretty(&v)?)?;
        return Ok(0);
    }
    let cur = &b.currency;
    headline(&mut out, b, &account, as_of)?;
    let horizon = if recharge.is_some() {
        "not within a year"
    } else {
        "not within ten years"
    };
    let runs_out = match depletes_on {
        _ if !b.is_known() => "unknown".to_string(),
        Some(d) if b.lower_bound() => format!("not before {d}"),
        Some(d) => d.to_string(),
        None => horizon.to_string(),
    };
    let through = match b.usage_through {
        Some(day) if day < as_of => format!(" (usage data ends {day})"),
        _ => String::new(),
    };
    writeln!(
        out,
        "burn rate {} {cur}/day over 7 days, {} {cur}/day over 30 days{through}; runs out: {runs_out}",
        burn_7.to_cents_string(),
        burn_30.to_cents_string()
    )?;
    recharge_or_failure_lines(&mut out, recharge, failed_on, forecast, cur)?;
    writeln!(out, "\nlots:")?;
    for l in &b.lots {
        let expiry = l
            .expiry
            .map_or_else(|| "never".to_string(), |d| d.to_string());
        writeln!(
            out,
            "  {}  {:8}  {:>10}  left {:>10}  expired {:>10}  expires {expiry}  {}",
            l.day,
            l.kind.as_str(),
            l.amount.to_cents_string(),
            l.remaining.to_cents_string(),
            l.expired.to_cents_string(),
            l.record
        )?;
    }
    // What checkpoints set the balance by, in its own column, so that each month adds up.
    writeln!(
        out,
        "\n  month      opening    credits      usage   consumed    expired   adjusted    closing  residual"
    )?;
    for m in &months {
        writeln!(
            out,
            "  {}  {:>9}  {:>9}  {:>9}  {:>9}  {:>9}  {:>9}  {:>9}  {:>8}",
            m.month.format("%Y-%m"),
            m.opening.to_cents_string(),
            m.credits.to_cents_string(),
            m.usage.to_cents_string(),
            m.consumed.to_cents_string(),
            m.expired.to_cents_string(),
            m.adjusted.to_cents_string(),
            m.closing.to_cents_string(),
            m.residual.to_cents_string()
        )?;
    }
    if b.other_currency_records > 0 {
        writeln!(
            out,
            "\n{} record(s) in another currency than {cur} are not in this balance.",
            b.other_currency_records
        )?;
    }
    Ok(0)
}

/// The balance line (exact, a lower bound, or unknown with how to anchor it), the usage before
/// the known history and the checkpoints.
fn headline(
    out: &mut impl std::io::Write,
    b: &Balance,
    account: &AccountKey,
    as_of: NaiveDate,
) -> anyhow::Result<()> {
    let cur = &b.currency;
    let inferred = if b.stands_on_inferred_credit() {
        " (includes credit inferred from bank top-ups)"
    } else {
        ""
    };
    let anchor_hint = anchor_hint(account, as_of);
    if !b.is_known() {
        writeln!(
            out,
            "{} as of {as_of}: balance unknown (usage, but no credit, top-up or checkpoint is known); {anchor_hint}",
            account.label()
        )?;
    } else if b.lower_bound() {
        writeln!(
            out,
            "{} as of {as_of}: at least {} {cur}{inferred} (the history starts with usage before any known credit, so this is a lower bound; {anchor_hint})",
            account.label(),
            b.closing().to_cents_string()
        )?;
    } else {
        writeln!(
            out,
            "{} as of {as_of}: {} {cur}{inferred}",
            account.label(),
            b.closing().to_cents_string()
        )?;
    }
    if let Some(h) = b.before_history {
        writeln!(
            out,
            "usage before the known history: {} {cur} from {} to {}",
            h.usage.to_cents_string(),
            h.from,
            h.to
        )?;
    }
    for c in &b.checkpoints {
        writeln!(
            out,
            "checkpoint {}: the billing page showed {} {cur}, the records gave {} {cur} (difference {} {cur})",
            c.day,
            c.shown.to_cents_string(),
            c.computed.to_cents_string(),
            c.difference.to_cents_string()
        )?;
    }
    Ok(())
}

/// Adds the auto-recharge setting and the forecast points to the `balance --json` object.
fn add_forecast_json(v: &mut Value, recharge: Option<&AutoRecharge>, forecast: &Forecast) {
    v["auto_recharge"] = recharge.map_or(Value::Null, |r| {
        json!({
            "threshold": r.threshold.to_cents_string(),
            "amount": r.amount.to_cents_string(),
            "monthly_cap": r.monthly_cap.map(Amount::to_cents_string),
        })
    });
    v["forecast_horizon_days"] = json!(forecast.horizon_days);
    v["forecast"] = forecast
        .points
        .iter()
        .map(|p| {
            json!({
                "date": p.day.to_string(),
                "balance": p.balance.to_cents_string(),
                "recharge": p.recharge.to_cents_string(),
            })
        })
        .collect();
}

/// The auto-recharge lines, or why the forecast runs without it.
fn recharge_or_failure_lines(
    out: &mut impl std::io::Write,
    recharge: Option<&AutoRecharge>,
    failed_on: Option<NaiveDate>,
    forecast: &Forecast,
    cur: &str,
) -> anyhow::Result<()> {
    let Some(day) = failed_on else {
        return recharge_lines(out, recharge, forecast, cur);
    };
    writeln!(
        out,
        "auto-recharge last failed on {day}; forecast without it (update the payment method on the provider's billing page)"
    )?;
    Ok(())
}

/// What the auto-recharge adds to the forecast, for people.
fn recharge_lines(
    out: &mut impl std::io::Write,
    recharge: Option<&AutoRecharge>,
    forecast: &Forecast,
    cur: &str,
) -> anyhow::Result<()> {
    let Some(r) = recharge else {
        writeln!(
            out,
            "auto-recharge: not set (`burnrate settings recharge --provider NAME --threshold AMOUNT --amount AMOUNT`)"
        )?;
        return Ok(());
    };
    let cap = r.monthly_cap.map_or_else(String::new, |c| {
        format!(", at most {} {cur} a month", c.to_cents_string())
    });
    let fired: Vec<&ForecastPoint> = forecast
        .points
        .iter()
        .filter(|p| !p.recharge.is_zero())
        .collect();
    let total = crate::domain::money::checked_sum(fired.iter().map(|p| p.recharge))
        .context("the projected recharges are too large to add up exactly")?;
    writeln!(
        out,
        "auto-recharge: below {} {cur} add {} {cur}{cap}; the forecast recharges {} time(s), {} {cur}, over the {} days projected{}",
        r.threshold.to_cents_string(),
        r.amount.to_cents_string(),
        fired.len(),
        total.to_cents_string(),
        forecast.points.len(),
        fired
            .first()
            .map(|p| format!(" (first on {})", p.day))
            .unwrap_or_default()
    )?;
    Ok(())
}

fn balance_json(
    b: &Balance,
    burn_7: Amount,
    burn_30: Amount,
    depletes_on: Option<NaiveDate>,
    months: &[MonthRoll],
) -> Value {
    json!({
        "provider": b.account.provider,
        "account": b.account.organization,
        "as_of": b.as_of.to_string(),
        "currency": b.currency,
        "balance": b.closing().to_cents_string(),
        "anchored_on": b.anchored_on.map(|d| d.to_string()),
        "lower_bound": b.lower_bound(),
        "before_history": b.before_history.map(|h| json!({
            "from": h.from.to_string(),
            "to": h.to.to_string(),
            "usage": h.usage.to_cents_string(),
        })),
        "checkpoints": b.checkpoints.iter().map(|c| json!({
            "date": c.day.to_string(),
            "shown": c.shown.to_cents_string(),
            "computed": c.computed.to_cents_string(),
            "difference": c.difference.to_cents_string(),
        })).collect::<Vec<_>>(),
        "series": b.series().iter().map(|d| json!({
            "date": d.day.to_string(),
            "balance": d.balance.to_cents_string(),
        })).collect::<Vec<_>>(),
        "burn_rate_per_day": burn_7.to_cents_string(),
        "burn_rate_30d_per_day": burn_30.to_cents_string(),
        "depletes_on": depletes_on.map(|d| d.to_string()),
        "usage_through": b.usage_through.map(|d| d.to_string()),
        "inferred": b.lots.iter().any(|l| l.kind == LotKind::Inferred),
        "lots": b.lots.iter().map(|l| json!({
            "record": l.record,
            "kind": l.kind.as_str(),
            "date": l.day.to_string(),
            "amount": l.amount.to_cents_string(),
            "expires_on": l.expiry.map(|d| d.to_string()),
            "remaining": l.remaining.to_cents_string(),
            "expired": l.expired.to_cents_string(),
        })).collect::<Vec<_>>(),
        "months": months.iter().map(|m| json!({
            "month": m.month.format("%Y-%m").to_string(),
            "opening": m.opening.to_cents_string(),
            "credits": m.credits.to_cents_string(),
            "usage": m.usage.to_cents_string(),
            "consumed": m.consumed.to_cents_string(),
            "overdraft": m.overdraft.to_cents_string(),
            "expired": m.expired.to_cents_string(),
            "adjusted": m.adjusted.to_cents_string(),
            "closing": m.closing.to_cents_string(),
            "residual": m.residual.to_cents_string(),
        })).collect::<Vec<_>>(),
        "other_currency_records": b.other_currency_records,
    })
}
