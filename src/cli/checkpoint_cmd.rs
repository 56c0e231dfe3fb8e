//! `burnrate checkpoint add|list|remove`: the balances the user read off a provider's billing
//! page. A checkpoint anchors the account's balance (the series passes through it exactly) and
//! is compared with what the records add up to (`balance_mismatch` when they disagree).
//!
//! `checkpoint list --json` prints an array of `{"id", "provider", "account", "at", "date",
//! "amount", "currency", "file"}` (`file`: the imported file it came from, or null when typed
//! in). Amounts are decimal strings rounded to cents.

use std::io::Write as _;
use std::path::Path;

use anyhow::{Context, bail};
use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use clap::{Args, Subcommand};
use serde_json::json;

use crate::domain::balance::AccountKey;
use crate::domain::money::{Amount, Currency, DecimalMark};
use crate::services::projection;
use crate::store::Store;

/// `burnrate checkpoint`.
#[derive(Debug, Subcommand)]
pub enum CheckpointCommand {
    /// Record the credit balance the provider's billing page shows (it anchors the balance).
    Add(AddArgs),
    /// List the checkpoints.
    List {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Remove a checkpoint.
    Remove {
        /// The checkpoint's id, as `checkpoint list` prints it.
        id: i64,
    },
}

/// Arguments of `burnrate checkpoint add`.
#[derive(Debug, Args)]
pub struct AddArgs {
    /// The provider (openai, anthropic, ...).
    #[arg(long, value_name = "NAME")]
    pub provider: String,
    /// The organization inside the provider, by name or id (needed when it has several).
    #[arg(long, value_name = "ORG")]
    pub account: Option<String>,
    /// When the billing page showed it: YYYY-MM-DD, or YYYY-MM-DD HH:MM (UTC).
    #[arg(long, value_name = "DATE|DATETIME")]
    pub date: String,
    /// The balance shown, such as 42.17.
    #[arg(long, value_name = "AMOUNT", allow_hyphen_values = true)]
    pub amount: String,
    /// Its currency.
    #[arg(long, default_value = "USD", value_name = "CODE")]
    pub currency: String,
}

/// Runs a checkpoint command.
///
/// # Errors
/// When the ledger cannot be read or written, or an argument cannot be read.
pub fn run(db: &Path, command: CheckpointCommand, as_of: NaiveDate) -> anyhow::Result<i32> {
    let store = Store::open(db)?;
    match command {
        CheckpointCommand::Add(args) => add(&store, &args, as_of),
        CheckpointCommand::List { json } => list(&store, json),
        CheckpointCommand::Remove { id } => {
            if !store.remove_checkpoint(id)? {
                bail!("there is no checkpoint with id {id}; `burnrate checkpoint list` shows them");
            }
            println!("Removed checkpoint {id}.");
            Ok(0)
        }
    }
}

/// Reads `2026-10-17`, `2026-10-17 14:05`, `2026-10-17T14:05:00Z`.
fn moment(text: &str) -> anyhow::Result<NaiveDateTime> {
    let t = text.trim().trim_end_matches('Z').replace('T', " ");
    if let Ok(day) = NaiveDate::parse_from_str(&t, "%Y-%m-%d") {
        return Ok(day.and_time(NaiveTime::MIN));
    }
    for format in ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"] {
        if let Ok(at) = NaiveDateTime::parse_from_str(&t, format) {
            return Ok(at);
        }
    }
    bail!(
        "--date needs a date such as 2026-10-17 or a time such as '2026-10-17 14:05', not '{text}'"
    )
}

fn add(store: &Store, args: &AddArgs, as_of: NaiveDate) -> anyhow::Result<i32> {
    let provider = args.provider.trim().to_lowercase();
    if provider.is_empty() {
        bail!("--provider needs a provider name such as openai");
    }
    let at = moment(&args.date)?;
    if at.date() > as_of {
        bail!(
            "--date {} is after today ({as_of}): a checkpoint is a balance the billing page already showed",
            at.date()
        );
    }
    let amount = Amount::parse(&args.amount, DecimalMark::Dot).with_context(|| {
        format!(
            "--amount needs the balance shown, such as 42.17, not '{}'",
            args.amount
        )
    })?;
    if amount.is_negative() {
        bail!(
            "--amount cannot be negative: a prepaid balance stops at zero (write 0 if the page shows nothing left)"
        );
    }
    let currency =
        Currency::parse(&args.currency).map_err(|e| anyhow::anyhow!("--currency: {e}"))?;
    let organization = args.account.as_deref().unwrap_or_default().trim();
    let snapshot = store.snapshot()?;
    if organization.is_empty() {
        let named: Vec<String> = snapshot
            .accounts()
            .into_iter()
            .filter(|a| a.provider == provider && !a.organization.is_empty())
            .map(|a| a.organization)
            .collect();
        if named.len() > 1 {
            bail!(
                "{provider} has several accounts ({}); say which one the billing page showed with --account",
                named.join(", ")
            );
        }
    }
    let account = snapshot.resolve_account(&provider, organization);
    let written = store.add_checkpoint(&account, at, amount, currency)?;
    let id = written.id;
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "Saved checkpoint {id}: the {} billing page showed {} {currency} on {}.",
        account.label(),
        amount.to_cents_string(),
        at.date()
    )?;
    if let Some((before, before_currency)) = &written.replaced {
        writeln!(
            out,
            "It replaces the {} {before_currency} entered before for that moment.",
            before.to_cents_string()
        )?;
    }
    // What the records said that day, and whether they disagree.
    let judged = projection::load(store, as_of)?;
    let record = format!("checkpoint:{id}");
    if let Some(c) = judged
        .projections
        .iter()
        .flat_map(|p| &p.balance.checkpoints)
        .find(|c| c.record == record)
    {
        let mismatch = judged.flags().into_iter().find(|f| {
            f.kind == crate::domain::flags::FlagKind::BalanceMismatch && f.records.contains(&record)
        });
        let verdict = match mismatch {
            Some(f) => format!(
                "That is a difference the records do not explain: see `burnrate flags` ({}).",
                f.id
            ),
            None if c.exact => "The records agree.".to_string(),
            None => "The balance is now anchored on it.".to_string(),
        };
        writeln!(
            out,
            "The records gave {} {currency} that day (difference {} {currency}). {verdict}",
            c.computed.to_cents_string(),
            c.difference.to_cents_string()
        )?;
    }
    Ok(0)
}

fn list(store: &Store, json: bool) -> anyhow::Result<i32> {
    let all = store.checkpoints()?;
    let mut out = std::io::stdout().lock();
    if json {
        let list: Vec<serde_json::Value> = all
            .iter()
            .map(|c| {
                json!({
                    "id": c.id,
                    "provider": c.provider,
                    "account": c.organization,
                    "at": c.at,
                    "date": c.day.to_string(),
                    "amount": c.amount.to_cents_string(),
                    "currency": c.currency,
                    "file": c.source_file,
                })
            })
            .collect();
        writeln!(out, "{}", serde_json::to_string_pretty(&list)?)?;
        return Ok(0);
    }
    if all.is_empty() {
        writeln!(
            out,
            "No checkpoints yet. Add the balance a billing page shows with `burnrate checkpoint add --provider NAME --date DATE --amount AMOUNT`."
        )?;
        return Ok(0);
    }
    for c in &all {
        let account = AccountKey::new(&c.provider, &c.organization).label();
        let from = c
            .source_file
            .as_deref()
            .map(|f| format!("  (from {f})"))
            .unwrap_or_default();
        writeln!(
            out,
            "{:>4}  {}  {account}  {} {}{from}",
            c.id,
            c.at,
            c.amount.to_cents_string(),
            c.currency
        )?;
    }
    Ok(0)
}
