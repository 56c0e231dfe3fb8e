//! The `matches` and `diagnose` commands, and the dispute packet `flags export` writes.
//!
//! `matches` lists which bank line paid which billing record and which line ended which hold,
//! each with its reason (rule, amount delta, day delta), and the review list of records that fit
//! each other equally well; `matches confirm|unlink BILLING BANK` stores the user's decision in
//! the ledger. `diagnose` walks recent top-ups through their lifecycle with the pure doctor in
//! `domain::doctor`. The dispute packet is one self-contained HTML file (no scripts, no external
//! resources) in which every text from the ledger is HTML-escaped. The as-of date is today at
//! the edge unless `--as-of` is given, so a run is reproducible for a given date.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write as _;
use std::path::Path;

use anyhow::bail;
use chrono::NaiveDate;
use clap::{Args, Subcommand};
use serde_json::{Value, json};

use crate::domain::doctor::Attempt;
use crate::domain::ledger::{BankItem, BillingItem, Decision, parse_record};
use crate::domain::matching::{Matching, Reason};
use crate::domain::money::Amount;
use crate::services::dispute::reason_text;
use crate::services::projection;
use crate::store::Store;

/// Arguments of `burnrate matches`.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct MatchesArgs {
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
    #[command(subcommand)]
    pub action: Option<MatchesAction>,
}

/// A decision on one pair.
#[derive(Debug, Subcommand)]
pub enum MatchesAction {
    /// Confirm that a bank line paid a billing record (or ended a hold): `billing:3 bank:12`.
    Confirm {
        /// The billing record (or the hold), as `billing:ID` (or `bank:ID`).
        left: String,
        /// The bank or card line, as `bank:ID`.
        right: String,
    },
    /// Say that a bank line did not pay a billing record (or end a hold); it is never matched
    /// to it again.
    Unlink {
        /// The billing record (or the hold), as `billing:ID` (or `bank:ID`).
        left: String,
        /// The bank or card line, as `bank:ID`.
        right: String,
    },
}

/// Arguments of `burnrate diagnose`.
#[derive(Debug, Args)]
pub struct DiagnoseArgs {
    /// Only this provider (openai, anthropic, ...).
    #[arg(long, value_name = "NAME")]
    pub provider: Option<String>,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

fn reason_json(r: &Reason) -> Value {
    json!({
        "rule": r.rule.as_str(),
        "amount_delta": r.amount_delta.map(Amount::to_cents_string),
        "currency": r.currency,
        "day_delta": r.day_delta,
    })
}

fn billing_text(b: &BillingItem) -> String {
    format!(
        "{}  {} {} {} {} {}",
        b.record(),
        b.day,
        b.provider,
        b.kind.as_str(),
        b.amount.abs().to_cents_string(),
        b.currency
    )
}

fn bank_text(l: &BankItem) -> String {
    format!(
        "{}  {} {} {} {} ({})",
        l.record(),
        l.day,
        l.description,
        l.amount.to_cents_string(),
        l.currency,
        l.status.map_or("settled", |s| s.as_str())
    )
}

/// `burnrate matches`.
///
/// # Errors
/// When the ledger cannot be read or written, or a record named does not exist.
pub fn matches_command(db: &Path, args: &MatchesArgs, as_of: NaiveDate) -> anyhow::Result<i32> {
    let store = Store::open(db)?;
    if let Some(action) = &args.action {
        let (left, right, decision) = match action {
            MatchesAction::Confirm { left, right } => (left, right, Decision::Confirmed),
            MatchesAction::Unlink { left, right } => (left, right, Decision::Unlinked),
        };
        check_pair(&store, left, right)?;
        store.decide_match(left, right, decision, &super::now_utc())?;
        println!(
            "{} {} and {}.",
            if decision == Decision::Confirmed {
                "Confirmed the match of"
            } else {
                "Unlinked"
            },
            left.trim(),
            right.trim()
        );
        return Ok(0);
    }
    let inputs = store.account_snapshot()?;
    let judged = projection::judge(&inputs, store.flag_params()?, as_of);
    let (inputs, m) = (judged.snapshot(), &judged.judgement.matching);
    let confirmed: BTreeSet<(String, String)> = inputs
        .decisions
        .iter()
        .filter(|d| d.decision == Decision::Confirmed)
        .map(|d| (d.left.clone(), d.right.clone()))
        .collect();
    let mut out = std::io::stdout().lock();
    if args.json {
        writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&matches_json(m, as_of))?
        )?;
        return Ok(0);
    }
    let billing: BTreeMap<i64, &BillingItem> = inputs.billing.iter().map(|b| (b.id, b)).collect();
    let bank: BTreeMap<i64, &BankItem> = inputs.bank.iter().map(|l| (l.id, l)).collect();
    let show_billing = |id: i64| {
        billing
            .get(&id)
            .map_or(format!("billing:{id}"), |b| billing_text(b))
    };
    let show_bank = |id: i64| bank.get(&id).map_or(format!("bank:{id}"), |l| bank_text(l));
    writeln!(out, "Payments ({}):", m.payments.matches.len())?;
    for p in &m.payments.matches {
        let mark = if confirmed.contains(&(
            format!("billing:{}", p.billing_id),
            format!("bank:{}", p.bank_id),
        )) {
            " [confirmed]"
        } else {
            ""
        };
        writeln!(out, "  {}", show_billing(p.billing_id))?;
        writeln!(out, "    paid by {}", show_bank(p.bank_id))?;
        writeln!(out, "    why: {}{mark}", reason_text(&p.reason))?;
    }
    writeln!(out, "\nHolds ({}):", m.holds.len())?;
    for h in &m.holds {
        writeln!(out, "  {}", show_bank(h.hold_id))?;
        writeln!(out, "    {} by {}", h.end.as_str(), show_bank(h.end_id))?;
        writeln!(out, "    why: {}", reason_text(&h.reason))?;
    }
    writeln!(out, "\nTo review ({}):", m.payments.review.len())?;
    for r in &m.payments.review {
        match &r.note {
            Some(note) => writeln!(out, "  {note}; or confirm the pair:")?,
            None => writeln!(
                out,
                "  these fit each other equally well; confirm the right pair:"
            )?,
        }
        for id in &r.billing_ids {
            writeln!(out, "    {}", show_billing(*id))?;
        }
        for id in &r.bank_ids {
            writeln!(out, "    {}", show_bank(*id))?;
        }
        for c in &r.candidates {
            writeln!(
                out,
                "    burnrate matches confirm billing:{} bank:{}   # {}",
                c.billing_id,
                c.bank_id,
                reason_text(&c.reason)
            )?;
        }
    }
    Ok(0)
}

fn matches_json(m: &Matching, as_of: NaiveDate) -> Value {
    json!({
        "as_of": as_of.to_string(),
        "payments": m.payments.matches.iter().map(|p| json!({
            "billing": format!("billing:{}", p.billing_id),
            "bank": format!("bank:{}", p.bank_id),
            "reason": reason_json(&p.reason),
        })).collect::<Vec<_>>(),
        "holds": m.holds.iter().map(|h| json!({
            "hold": format!("bank:{}", h.hold_id),
            "end": format!("bank:{}", h.end_id),
            "outcome": h.end.as_str(),
            "reason": reason_json(&h.reason),
        })).collect::<Vec<_>>(),
        "review": m.payments.review.iter().map(|r| json!({
            "billing": r.billing_ids.iter().map(|id| format!("billing:{id}")).collect::<Vec<_>>(),
            "bank": r.bank_ids.iter().map(|id| format!("bank:{id}")).collect::<Vec<_>>(),
            "note": r.note,
            "candidates": r.candidates.iter().map(|c| json!({
                "billing": format!("billing:{}", c.billing_id),
                "bank": format!("bank:{}", c.bank_id),
                "reason": reason_json(&c.reason),
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
}

/// A pair must name an existing billing record (or hold) and an existing bank line, tagged
/// with a provider or not (the snapshot holds only the tagged ones, so the store is asked).
fn check_pair(store: &Store, left: &str, right: &str) -> anyhow::Result<()> {
    let usage = "name records as flags do: `billing:3 bank:12` (a payment) or `bank:5 bank:9` (a hold and the line that ended it)";
    let (Some((left_kind, left_id)), Some(("bank", right_id))) =
        (parse_record(left), parse_record(right))
    else {
        bail!("'{left} {right}' is not a pair burnrate can match; {usage}");
    };
    let exists = |kind: &str, id: i64| -> anyhow::Result<bool> {
        Ok(!store
            .evidence_records(&[format!("{kind}:{id}")])?
            .is_empty())
    };
    if !exists(left_kind, left_id)? {
        bail!(
            "there is no record {}; `burnrate matches` lists them",
            left.trim()
        );
    }
    if !exists("bank", right_id)? {
        bail!(
            "there is no record {}; `burnrate matches` lists them",
            right.trim()
        );
    }
    if left_kind == "bank" && left_id == right_id {
        bail!("a line cannot end itself; {usage}");
    }
    Ok(())
}

/// `burnrate diagnose`.
///
/// # Errors
/// When the ledger cannot be read.
pub fn diagnose_command(db: &Path, args: &DiagnoseArgs, as_of: NaiveDate) -> anyhow::Result<i32> {
    let store = Store::open(db)?;
    let provider = args.provider.as_deref().map(|p| p.trim().to_lowercase());
    let attempts = projection::load_accounts(&store, as_of)?.attempts(provider.as_deref());
    let mut out = std::io::stdout().lock();
    if args.json {
        let list: Vec<Value> = attempts.iter().map(attempt_json).collect();
        writeln!(out, "{}", serde_json::to_string_pretty(&list)?)?;
        return Ok(0);
    }
    if attempts.is_empty() {
        writeln!(
            out,
            "No top-up attempts as of {as_of}: import billing records or bank statements first."
        )?;
        return Ok(0);
    }
    for a in &attempts {
        writeln!(
            out,
            "{}  {}  {} {}  {}",
            a.date,
            a.provider,
            a.amount.to_cents_string(),
            a.currency,
            a.failure.as_str()
        )?;
        let path: Vec<String> = a
            .stages
            .iter()
            .map(|s| format!("{} {}", s.stage.as_str(), s.status.as_str()))
            .collect();
        writeln!(out, "    {}", path.join(" -> "))?;
        writeln!(out, "    {}", a.diagnosis)?;
        writeln!(out, "    evidence: {}", a.records().join(", "))?;
        writeln!(out)?;
    }
    Ok(0)
}

pub(super) fn attempt_json(a: &Attempt) -> Value {
    json!({
        "provider": a.provider,
        "date": a.date.to_string(),
        "amount": a.amount.to_cents_string(),
        "currency": a.currency,
        "stages": a.stages.iter().map(|s| json!({
            "stage": s.stage.as_str(),
            "status": s.status.as_str(),
            "date": s.date.map(|d| d.to_string()),
            "records": s.records,
        })).collect::<Vec<_>>(),
        "failure": a.failure.as_str(),
        "diagnosis": a.diagnosis,
    })
}
