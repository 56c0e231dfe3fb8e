//! `burnrate settings rule ...`: the user's merchant rules, which tag bank lines with the AI
//! service they paid. Adding or removing a rule re-tags every line already in the ledger.

use std::io::Write as _;
use std::path::Path;

use anyhow::bail;
use clap::{Subcommand, ValueEnum};

use crate::domain::merchants::{self, MerchantRule};
use crate::domain::records::SpendKind;
use crate::store::Store;

#[derive(Debug, Subcommand)]
pub enum SettingsCommand {
    /// Merchant rules: which card descriptors are which AI service.
    #[command(subcommand)]
    Rule(RuleCommand),
}

#[derive(Debug, Subcommand)]
pub enum RuleCommand {
    /// List your rules, then the built-in ones.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Tag lines whose descriptor contains PATTERN (whole words, any case) as this provider.
    Add {
        pattern: String,
        #[arg(long)]
        provider: String,
        #[arg(long, value_enum, default_value = "api-topup")]
        kind: KindArg,
    },
    /// Remove one of your rules.
    Remove { pattern: String },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum KindArg {
    ApiTopup,
    Subscription,
    Other,
}

/// Runs a settings command.
///
/// # Errors
/// When the ledger cannot be opened or written, or a rule to remove does not exist.
pub fn run(db: &Path, command: SettingsCommand) -> anyhow::Result<i32> {
    let mut store = Store::open(db)?;
    let SettingsCommand::Rule(rule) = command;
    match rule {
        RuleCommand::List { json } => {
            let mine = store.merchant_rules()?;
            let built_in = merchants::built_in_rules();
            if json {
                let as_json = |rules: &[MerchantRule], origin: &str| -> Vec<serde_json::Value> {
                    rules
                        .iter()
                        .map(|r| serde_json::json!({"pattern": r.pattern, "provider": r.provider, "kind": r.kind.as_str(), "origin": origin}))
                        .collect()
                };
                let mut all = as_json(&mine, "user");
                all.extend(as_json(&built_in, "built-in"));
                println!("{}", serde_json::to_string_pretty(&all)?);
            } else {
                let mut out = std::io::stdout().lock();
                writeln!(out, "Your rules (tried first):")?;
                if mine.is_empty() {
                    writeln!(out, "  none")?;
                }
                for r in &mine {
                    writeln!(
                        out,
                        "  {:32} {:12} {}",
                        r.pattern,
                        r.provider,
                        r.kind.as_str()
                    )?;
                }
                writeln!(out, "Built-in rules:")?;
                for r in &built_in {
                    writeln!(
                        out,
                        "  {:32} {:12} {}",
                        r.pattern,
                        r.provider,
                        r.kind.as_str()
                    )?;
                }
            }
        }
        RuleCommand::Add {
            pattern,
            provider,
            kind,
        } => {
            let kind = match kind {
                KindArg::ApiTopup => SpendKind::ApiTopup,
                KindArg::Subscription => SpendKind::Subscription,
                KindArg::Other => SpendKind::Other,
            };
            let changed = store.add_merchant_rule(
                &MerchantRule::new(&pattern, &provider, kind),
                &super::now_utc(),
            )?;
            println!("Saved the rule. {changed} bank line(s) in the ledger changed tag.");
        }
        RuleCommand::Remove { pattern } => {
            if !store.remove_merchant_rule(&pattern)? {
                bail!(
                    "you have no rule with the pattern '{pattern}'; `burnrate settings rule list` shows them"
                );
            }
            println!("Removed the rule; bank lines were tagged again.");
        }
    }
    Ok(0)
}
