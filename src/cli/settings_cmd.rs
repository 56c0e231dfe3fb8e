//! `burnrate settings (rule|recharge|budget|threshold|currency) ...`: what the user keeps in the
//! ledger.
//!
//! Merchant rules tag bank lines with the AI service they paid (adding or removing one re-tags
//! every line already in the ledger); auto-recharge settings per account feed the balance
//! forecast and the `runaway_recharge` flag; monthly budgets feed `budget_exceeded`; thresholds
//! are the detectors' [`FlagParams`]; the reporting currency is the one the monthly review
//! (`report --month M --review`) converts every amount into. This module only parses and prints: the store validates
//! and saves (the settings screen of the window uses the same store calls). Amounts are parsed
//! exactly ([`Amount::parse`], a dot for decimals). A value that is wrong fails with exit code 1
//! and a message saying what to write instead; a malformed command line is clap's exit code 2.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, bail};
use clap::{Args, Subcommand, ValueEnum};
use serde_json::json;

use crate::domain::balance::{AccountKey, AutoRecharge};
use crate::domain::flags::{FlagParams, PARAM_SPECS, ParamUnit};
use crate::domain::ledger::BudgetScope;
use crate::domain::merchants::{self, MerchantRule};
use crate::domain::money::{Amount, Currency, DecimalMark};
use crate::domain::records::SpendKind;
use crate::store::{BudgetSetting, Store};

#[derive(Debug, Subcommand)]
pub enum SettingsCommand {
    /// Merchant rules: which card descriptors are which AI service.
    #[command(subcommand)]
    Rule(RuleCommand),
    /// Auto-recharge of a provider account (simulated in `balance`, checked by `flags`).
    Recharge(RechargeArgs),
    /// Monthly budgets for a project or a provider (checked by `flags`).
    Budget(BudgetArgs),
    /// The thresholds of the flags (`threshold list` shows them with their defaults).
    Threshold(ThresholdArgs),
    /// The currency the monthly review reports in (USD unless set).
    Currency(CurrencyArgs),
    /// Your price of a model from a day on (USD per million tokens), over the shipped table.
    Price(super::agent_cmds::PriceArgs),
    /// Which plan pays for a coding agent's requests: a subscription or API credit.
    Plan(super::agent_cmds::PlanArgs),
    /// Name the project of coding-agent work under a folder.
    ProjectRule(super::agent_cmds::ProjectRuleArgs),
}

/// `settings currency` prints the reporting currency; `settings currency CODE` sets it.
#[derive(Debug, Args)]
pub struct CurrencyArgs {
    /// A three-letter currency code (USD, EUR, GBP ...).
    #[arg(value_name = "CODE")]
    pub code: Option<String>,
}

/// `settings recharge --provider NAME [--account ORG] --threshold AMOUNT --amount AMOUNT
/// [--monthly-cap AMOUNT]`, `settings recharge --provider NAME --off`, `settings recharge list`.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct RechargeArgs {
    #[command(subcommand)]
    pub action: Option<ListOnly>,
    /// The provider (openai, anthropic, ...).
    #[arg(long, value_name = "NAME", required = true)]
    pub provider: Option<String>,
    /// The organization inside the provider, by name or id (needed when it has several).
    #[arg(long, value_name = "ORG")]
    pub account: Option<String>,
    /// Recharge when the balance falls below this amount.
    #[arg(
        long,
        value_name = "AMOUNT",
        required_unless_present = "off",
        allow_hyphen_values = true
    )]
    pub threshold: Option<String>,
    /// How much each recharge adds.
    #[arg(
        long,
        value_name = "AMOUNT",
        required_unless_present = "off",
        allow_hyphen_values = true
    )]
    pub amount: Option<String>,
    /// At most this much auto-recharged per calendar month (manual purchases do not count).
    #[arg(long, value_name = "AMOUNT", allow_hyphen_values = true)]
    pub monthly_cap: Option<String>,
    /// Forget the auto-recharge of this account.
    #[arg(long, conflicts_with_all = ["threshold", "amount", "monthly_cap"])]
    pub off: bool,
}

/// A `list` subcommand.
#[derive(Debug, Subcommand)]
pub enum ListOnly {
    /// List what is set.
    List {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

/// Which budget: one project or one provider.
#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
pub struct BudgetTarget {
    /// A project, by name (or id when unnamed).
    #[arg(long, value_name = "NAME")]
    pub project: Option<String>,
    /// A provider (openai, anthropic, ...).
    #[arg(long, value_name = "NAME")]
    pub provider: Option<String>,
}

impl BudgetTarget {
    fn scope_and_name(&self) -> (BudgetScope, String) {
        match (&self.project, &self.provider) {
            (Some(project), _) => (BudgetScope::Project, project.trim().to_string()),
            (None, provider) => (
                BudgetScope::Provider,
                provider
                    .as_deref()
                    .unwrap_or_default()
                    .trim()
                    .to_lowercase(),
            ),
        }
    }
}

/// `settings budget --project NAME | --provider NAME --monthly AMOUNT [--currency USD]`,
/// `settings budget list`, `settings budget remove --project NAME | --provider NAME`.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct BudgetArgs {
    #[command(subcommand)]
    pub action: Option<BudgetAction>,
    #[command(flatten)]
    pub target: Option<BudgetTarget>,
    /// The budget for each calendar month.
    #[arg(
        long,
        value_name = "AMOUNT",
        required = true,
        allow_hyphen_values = true
    )]
    pub monthly: Option<String>,
    /// The budget's currency (usage in other currencies is not counted against it).
    #[arg(long, value_name = "CODE", default_value = "USD")]
    pub currency: String,
}

#[derive(Debug, Subcommand)]
pub enum BudgetAction {
    /// List the budgets.
    List {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Remove the budget of a project or provider.
    Remove(BudgetTarget),
}

/// `settings threshold NAME VALUE`, `settings threshold list`.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct ThresholdArgs {
    #[command(subcommand)]
    pub action: Option<ListOnly>,
    /// The threshold (`settings threshold list` shows them).
    #[arg(required = true)]
    pub name: Option<String>,
    /// A whole number in the threshold's unit (its name says it: _days, _cents, _percent ...).
    #[arg(required = true, allow_hyphen_values = true)]
    pub value: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum RuleCommand {
    /// List your rules, then the built-in ones.
    List {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Tag lines whose descriptor contains PATTERN (whole words, any case) as this provider.
    Add {
        /// Words of the bank line's descriptor, such as "OPENAI *CHATGPT".
        pattern: String,
        /// The provider the lines are charges of (openai, anthropic, ...).
        #[arg(long)]
        provider: String,
        /// What the charges are: API credit top-ups, a subscription, or other spending.
        #[arg(long, value_enum, default_value = "api-topup")]
        kind: KindArg,
    },
    /// Remove one of your rules.
    Remove {
        /// The rule's pattern, as `settings rule list` shows it.
        pattern: String,
    },
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
    let rule = match command {
        SettingsCommand::Rule(rule) => rule,
        SettingsCommand::Recharge(args) => return recharge(&store, &args),
        SettingsCommand::Budget(args) => return budget(&store, args),
        SettingsCommand::Threshold(args) => return threshold(&store, &args),
        SettingsCommand::Currency(args) => return currency(&store, &args),
        SettingsCommand::Price(args) => return super::agent_cmds::price(&mut store, &args),
        SettingsCommand::Plan(args) => return super::agent_cmds::plan(&store, &args),
        SettingsCommand::ProjectRule(args) => {
            return super::agent_cmds::project_rule(&mut store, &args);
        }
    };
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
                write_rules(&mut out, &mine)?;
                writeln!(out, "Built-in rules:")?;
                write_rules(&mut out, &built_in)?;
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

/// One line per merchant rule: pattern, provider and kind, indented under a heading.
fn write_rules(out: &mut impl Write, rules: &[MerchantRule]) -> std::io::Result<()> {
    for r in rules {
        writeln!(
            out,
            "  {:32} {:12} {}",
            r.pattern,
            r.provider,
            r.kind.as_str()
        )?;
    }
    Ok(())
}

/// Prints `value` as pretty JSON on standard output: the `--json` answer of the list commands.
fn print_json(value: &impl serde::Serialize) -> anyhow::Result<i32> {
    writeln!(
        std::io::stdout().lock(),
        "{}",
        serde_json::to_string_pretty(value)?
    )?;
    Ok(0)
}

/// Parses an amount the user typed for `--flag`.
fn amount_arg(text: &str, flag: &str) -> anyhow::Result<Amount> {
    Amount::parse(text, DecimalMark::Dot)
        .with_context(|| format!("{flag} needs an amount such as 20 or 12.50, not '{text}'"))
}

fn cap_text(cap: Option<Amount>) -> String {
    cap.map_or_else(|| "none".to_string(), |c| c.to_string())
}

fn recharge(store: &Store, args: &RechargeArgs) -> anyhow::Result<i32> {
    if let Some(ListOnly::List { json }) = args.action {
        return recharge_list(store, json);
    }
    let provider = args
        .provider
        .as_deref()
        .unwrap_or_default()
        .trim()
        .to_lowercase();
    if provider.is_empty() {
        bail!("--provider needs a provider name such as openai");
    }
    let inputs = store.snapshot()?;
    let organization = args.account.as_deref().unwrap_or_default();
    let account = inputs.resolve_account(&provider, organization);
    if args.off {
        let named = AccountKey::new(&provider, organization);
        let mut removed = store.remove_auto_recharge(&named)?;
        // A setting saved under the organization's id is the same account as its name.
        for r in store.auto_recharges()? {
            if inputs.resolve_account(&r.account.provider, &r.account.organization) == account {
                removed |= store.remove_auto_recharge(&r.account)?;
            }
        }
        if !removed {
            bail!(
                "no auto-recharge is set for {}; `burnrate settings recharge list` shows them",
                account.label()
            );
        }
        writeln!(
            std::io::stdout().lock(),
            "Turned off the auto-recharge of {} in burnrate.",
            account.label()
        )?;
        return Ok(0);
    }
    let (Some(threshold), Some(amount)) = (&args.threshold, &args.amount) else {
        bail!("--threshold and --amount are needed (or --off)");
    };
    let setting = AutoRecharge {
        account: account.clone(),
        threshold: amount_arg(threshold, "--threshold")?,
        amount: amount_arg(amount, "--amount")?,
        monthly_cap: args
            .monthly_cap
            .as_deref()
            .map(|c| amount_arg(c, "--monthly-cap"))
            .transpose()?,
    };
    store.save_auto_recharge(&setting)?;
    let cap = setting
        .monthly_cap
        .map(|c| format!(", at most {c} a month"))
        .unwrap_or_default();
    writeln!(
        std::io::stdout().lock(),
        "Saved: when the {} balance falls below {}, {} is added{cap}. `burnrate balance --provider {provider}` simulates it.",
        account.label(),
        setting.threshold,
        setting.amount
    )?;
    if !inputs.accounts().iter().any(|a| a == &account) {
        writeln!(
            std::io::stdout().lock(),
            "Note: the ledger has no credits or usage for {} yet.",
            account.label()
        )?;
    }
    Ok(0)
}

fn recharge_list(store: &Store, json: bool) -> anyhow::Result<i32> {
    let all = store.auto_recharges()?;
    if json {
        let list: Vec<serde_json::Value> = all
            .iter()
            .map(|r| {
                json!({
                    "provider": r.account.provider,
                    "account": r.account.organization,
                    "threshold": r.threshold.to_string(),
                    "amount": r.amount.to_string(),
                    "monthly_cap": r.monthly_cap.map(|c| c.to_string()),
                })
            })
            .collect();
        return print_json(&list);
    }
    let mut out = std::io::stdout().lock();
    if all.is_empty() {
        writeln!(out, "No auto-recharge is set.")?;
    }
    for r in &all {
        writeln!(
            out,
            "{:24}  threshold {:>10}  amount {:>10}  monthly cap {:>10}",
            r.account.label(),
            r.threshold.to_string(),
            r.amount.to_string(),
            cap_text(r.monthly_cap)
        )?;
    }
    Ok(0)
}

fn scope_text(scope: BudgetScope) -> &'static str {
    match scope {
        BudgetScope::Project => "project",
        BudgetScope::Provider => "provider",
    }
}

fn budget(store: &Store, args: BudgetArgs) -> anyhow::Result<i32> {
    match args.action {
        Some(BudgetAction::List { json }) => return budget_list(store, json),
        Some(BudgetAction::Remove(target)) => {
            let (scope, name) = target.scope_and_name();
            if !store.remove_budget(scope, &name)? {
                bail!(
                    "there is no budget for the {} '{name}'; `burnrate settings budget list` shows them",
                    scope_text(scope)
                );
            }
            writeln!(
                std::io::stdout().lock(),
                "Removed the budget of the {} {name}.",
                scope_text(scope)
            )?;
            return Ok(0);
        }
        None => {}
    }
    let (Some(target), Some(monthly)) = (args.target, args.monthly) else {
        bail!("a budget needs --project NAME or --provider NAME, and --monthly AMOUNT");
    };
    let (scope, name) = target.scope_and_name();
    let amount = amount_arg(&monthly, "--monthly")?;
    let currency =
        Currency::parse(&args.currency).map_err(|e| anyhow::anyhow!("--currency: {e}"))?;
    store.save_budget(&BudgetSetting {
        scope,
        name: name.clone(),
        monthly: amount.to_string(),
        currency,
    })?;
    writeln!(
        std::io::stdout().lock(),
        "Saved: a monthly budget of {amount} {currency} for the {} {name}.",
        scope_text(scope)
    )?;
    Ok(0)
}

fn budget_list(store: &Store, json: bool) -> anyhow::Result<i32> {
    let all = store.budget_settings()?;
    if json {
        return print_json(&all);
    }
    let mut out = std::io::stdout().lock();
    if all.is_empty() {
        writeln!(out, "No budget is set.")?;
    }
    for b in &all {
        writeln!(
            out,
            "{:8}  {:24}  {:>10} {} a month",
            scope_text(b.scope),
            b.name,
            b.monthly,
            b.currency
        )?;
    }
    Ok(0)
}

fn threshold(store: &Store, args: &ThresholdArgs) -> anyhow::Result<i32> {
    if let Some(ListOnly::List { json }) = args.action {
        return threshold_list(store, json);
    }
    let (Some(name), Some(value)) = (&args.name, &args.value) else {
        bail!(
            "a threshold needs a NAME and a VALUE; `burnrate settings threshold list` shows them"
        );
    };
    let params = store.set_flag_param(name, value)?;
    let name = name.trim();
    let now = params.get(name).unwrap_or_default();
    let meaning = PARAM_SPECS
        .iter()
        .find(|s| s.name == name)
        .map(|s| format!(" ({}: {})", s.help, s.unit().text(now)))
        .unwrap_or_default();
    writeln!(std::io::stdout().lock(), "Saved: {name} = {now}{meaning}.")?;
    Ok(0)
}

/// The unit's name in `threshold list --json`: the suffix its threshold's name ends with.
fn unit_name(unit: ParamUnit) -> &'static str {
    match unit {
        ParamUnit::Cents => "cents",
        ParamUnit::Days => "days",
        ParamUnit::Hours => "hours",
        ParamUnit::Minutes => "minutes",
        ParamUnit::Percent => "percent",
        ParamUnit::Times => "times",
        ParamUnit::Count => "count",
    }
}

fn currency(store: &Store, args: &CurrencyArgs) -> anyhow::Result<i32> {
    let Some(code) = &args.code else {
        writeln!(std::io::stdout().lock(), "{}", store.reporting_currency()?)?;
        return Ok(0);
    };
    let currency = Currency::parse(code).map_err(|e| anyhow::anyhow!("{e}"))?;
    store.set_reporting_currency(currency)?;
    writeln!(
        std::io::stdout().lock(),
        "Saved: the monthly review reports in {currency}. Amounts in other currencies are converted with the ECB rates you import (`burnrate import eurofxref-hist.csv`)."
    )?;
    Ok(0)
}

fn threshold_list(store: &Store, json: bool) -> anyhow::Result<i32> {
    let params = store.flag_params()?;
    let defaults = FlagParams::default();
    if json {
        let list: Vec<serde_json::Value> = PARAM_SPECS
            .iter()
            .map(|s| {
                json!({
                    "name": s.name,
                    "value": params.get(s.name),
                    "default": defaults.get(s.name),
                    "unit": unit_name(s.unit()),
                    "value_text": params.get(s.name).map(|v| s.unit().text(v)),
                    "default_text": defaults.get(s.name).map(|v| s.unit().text(v)),
                    "min": s.min,
                    "max": s.max,
                    "help": s.help,
                })
            })
            .collect();
        return print_json(&list);
    }
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "{:28} {:>12}  {:>12}  meaning",
        "name", "value", "default"
    )?;
    for s in PARAM_SPECS {
        let value = params.get(s.name).unwrap_or_default();
        let default = defaults.get(s.name).unwrap_or_default();
        let changed = if value == default { " " } else { "*" };
        writeln!(
            out,
            "{:28} {:>12}{changed} {:>12}  {}",
            s.name,
            s.unit().text(value),
            s.unit().text(default),
            s.help
        )?;
    }
    writeln!(
        out,
        "\n* changed from the default. Amounts are compared with each record in its own currency (OpenAI and Anthropic bill in USD).\nChange one with `burnrate settings threshold NAME VALUE`, VALUE a whole number in the unit its name carries: days, hours, minutes, percent, or cents for amounts (`spike_min_cents 2000` is 20.00)."
    )?;
    Ok(0)
}
