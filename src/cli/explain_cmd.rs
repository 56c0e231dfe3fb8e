//! `burnrate explain "TEXT" [--provider P] [--json]`: is this error a billing problem? Names the
//! error's layer, what it means and what to check first, then the ledger's evidence as of the
//! day (the global `--as-of`, else today) from [`services::explain`], the same answer the
//! window's "Explain an error" panel gives.
//!
//! `TEXT` `-` reads the error from standard input (a log excerpt piped in). Exit codes: 0 for
//! any answer, an unrecognised text included (its `layer` is `unknown`: a script tells by the
//! field, not by a failure); 2 for a usage error (no text); 1 when the ledger cannot be read.
//! Without a ledger file the text is still explained, with no evidence (no ledger is created).
//!
//! `--json` prints one object: `as_of`, `recognised`, `error` (the known error's id or null),
//! `layer`, `billing_problem` (true, false or null when it can be either), `status`, `code`,
//! `provider`, `provider_guessed`, `provider_reason`, `title`, `meaning`, `check_first`,
//! `notes`, `ledger_consulted`, `ledger_layer`, `ledger_says`, `accounts` (`provider`,
//! `account`, `currency`, `balance`, `balance_known`, `lower_bound`, `depletes_on`,
//! `auto_recharge_failed_on`), `flags` (as `flags --json` prints them) and `last_attempts` (as
//! `diagnose --json` prints them).
//!
//! [`services::explain`]: crate::services::explain

use std::io::{Read as _, Write as _};
use std::path::Path;

use chrono::NaiveDate;
use clap::Args;
use serde_json::{Value, json};

use crate::domain::explain::Layer;
use crate::domain::explanation::Explanation;
use crate::services::explain::{self, Question};
use crate::store::Store;

/// The most of standard input read as an error text.
const MAX_TEXT_BYTES: u64 = 1 << 20;

/// Arguments of `burnrate explain`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The error as the API, the SDK log or the billing page showed it (quote it); `-` reads it
    /// from standard input.
    #[arg(value_name = "TEXT", allow_hyphen_values = true)]
    pub text: String,
    /// The provider the error came from (openai, anthropic, ...); otherwise guessed from the
    /// text, and said to be a guess.
    #[arg(long, value_name = "NAME")]
    pub provider: Option<String>,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// `burnrate explain`.
///
/// # Errors
/// When standard input cannot be read or the ledger cannot be opened.
pub fn explain_command(db: &Path, args: &ExplainArgs, as_of: NaiveDate) -> anyhow::Result<i32> {
    let text = if args.text.trim() == "-" {
        let mut text = String::new();
        std::io::stdin()
            .take(MAX_TEXT_BYTES)
            .read_to_string(&mut text)
            .map_err(|e| {
                anyhow::anyhow!("could not read the error text from standard input: {e}")
            })?;
        text
    } else {
        args.text.clone()
    };
    if text.trim().is_empty() {
        return usage_error(
            "give the error text to explain, e.g. burnrate explain '429 insufficient_quota' (or - to read it from standard input)",
        );
    }
    let question = Question {
        text,
        provider: args.provider.clone().filter(|p| !p.trim().is_empty()),
    };
    let answer = if db.exists() {
        explain::load(&Store::open(db)?, as_of, &question)?
    } else {
        Explanation::text_only(
            &question.text,
            question.provider.as_deref(),
            as_of,
            format!(
                "There is no ledger at {}, so this answer uses the error text only.",
                db.display()
            ),
        )
    };
    let mut out = std::io::stdout().lock();
    if args.json {
        writeln!(out, "{}", serde_json::to_string_pretty(&to_json(&answer))?)?;
    } else {
        print(&mut out, &answer)?;
    }
    Ok(0)
}

/// Prints a usage error about `explain` as clap prints its own; returns clap's exit code (2).
fn usage_error(message: &str) -> anyhow::Result<i32> {
    let mut command = <super::Cli as clap::CommandFactory>::command();
    command.build();
    let mut explain = command
        .find_subcommand("explain")
        .cloned()
        .unwrap_or(command);
    let error = explain.error(clap::error::ErrorKind::InvalidValue, message);
    error.print()?;
    Ok(error.exit_code())
}

fn to_json(a: &Explanation) -> Value {
    let r = &a.reading;
    json!({
        "as_of": a.as_of.to_string(),
        "recognised": r.error.is_some(),
        "error": r.error.map(|e| e.id),
        "layer": r.layer.as_str(),
        "billing_problem": r.billing,
        "status": r.status,
        "code": r.code,
        "provider": r.provider.as_ref().map(|p| p.name.clone()),
        "provider_guessed": r.provider.as_ref().is_some_and(|p| p.guessed),
        "provider_reason": r.provider.as_ref().map(|p| p.reason.clone()),
        "title": r.title(),
        "meaning": r.meaning(),
        "check_first": r.check_first(),
        "notes": r.notes,
        "ledger_consulted": a.consulted,
        "ledger_layer": a.ledger_layer.map(Layer::as_str),
        "ledger_says": a.ledger_says,
        "accounts": a.accounts.iter().map(|e| json!({
            "provider": e.account.provider,
            "account": e.account.organization,
            "currency": e.currency,
            "balance": e.known.then(|| e.balance.to_cents_string()),
            "balance_known": e.known,
            "lower_bound": e.lower_bound,
            "depletes_on": e.depletes_on.map(|d| d.to_string()),
            "auto_recharge_failed_on": e.recharge_failed_on.map(|d| d.to_string()),
        })).collect::<Vec<_>>(),
        "flags": a.flags.iter().map(super::money_cmds::flag_json).collect::<Vec<_>>(),
        "last_attempts": a.last_attempts.iter().map(super::match_cmds::attempt_json).collect::<Vec<_>>(),
    })
}

fn print(out: &mut impl std::io::Write, a: &Explanation) -> anyhow::Result<()> {
    let r = &a.reading;
    let billing = match r.billing {
        Some(true) => "a billing problem",
        Some(false) => "not a billing problem",
        None => "may be a billing problem",
    };
    if r.error.is_some() {
        writeln!(out, "{} ({billing})", r.layer.label())?;
    } else {
        writeln!(out, "Not recognised (layer: unknown)")?;
    }
    writeln!(out, "{}", r.title())?;
    if let Some(p) = &r.provider {
        let how = if p.guessed {
            format!(" ({})", p.reason)
        } else {
            String::new()
        };
        writeln!(out, "Provider: {}{how}", p.name)?;
    } else if r.error.is_some() {
        writeln!(
            out,
            "Provider: not named in the text (the ledger's evidence covers every provider; name it with --provider)"
        )?;
    }
    writeln!(out, "\n{}", r.meaning())?;
    for note in &r.notes {
        writeln!(out, "Note: {note}")?;
    }
    writeln!(out, "\nCheck first:")?;
    for (i, step) in r.check_first().iter().enumerate() {
        writeln!(out, "  {}. {step}", i + 1)?;
    }
    writeln!(out, "\nFrom the ledger as of {}:", a.as_of)?;
    for line in &a.ledger_says {
        writeln!(out, "  - {line}")?;
    }
    if !a.flags.is_empty() {
        writeln!(out, "\nOpen flags that bear on it:")?;
    }
    for f in &a.flags {
        writeln!(
            out,
            "  {}  {}  {}  {}\n    {}\n    {}\n    id {}  evidence: {}",
            f.severity.as_str(),
            f.date,
            f.kind.as_str(),
            f.provider,
            f.message,
            f.diagnosis,
            f.id,
            f.records.join(", ")
        )?;
    }
    if !a.last_attempts.is_empty() {
        writeln!(
            out,
            "\nLast top-up attempt (as `burnrate diagnose` walks it):"
        )?;
    }
    for t in &a.last_attempts {
        writeln!(
            out,
            "  {}  {}  {} {}  {}\n    {}\n    evidence: {}",
            t.date,
            t.provider,
            t.amount.to_cents_string(),
            t.currency,
            t.failure.as_str(),
            t.diagnosis,
            t.records().join(", ")
        )?;
    }
    Ok(())
}
