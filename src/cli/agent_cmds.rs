//! The coding-agent commands: `prices`, `reprice`, `settings price|plan|project-rule`, the
//! `value` and `subscriptions` reports, and the summary of a log-folder import.
//!
//! This module parses and prints; the store computes (the window uses the same store calls).
//! Amounts are decimal strings rounded to cents in JSON, as everywhere in burnrate; a model
//! without a price is written `unpriced`, never `0.00`.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, bail};
use chrono::NaiveDate;
use clap::{Args, ValueEnum};
use serde_json::json;

use crate::domain::agents::Tool;
use crate::domain::agents::prices::{PriceSource, parse_rate, rate_text};
use crate::store::{ImportReport, Period, PlanKind, Store, SubscriptionRow, ValueRow};

/// `burnrate prices [--model M] [--json]`.
#[derive(Debug, Args)]
pub struct PricesArgs {
    /// Only this model (any spelling the logs use: `claude-sonnet-4-5-20250929`).
    #[arg(long, value_name = "MODEL")]
    pub model: Option<String>,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// `burnrate reprice [--from DATE]`.
#[derive(Debug, Args)]
pub struct RepriceArgs {
    /// Recompute only requests from this day on (YYYY-MM-DD); every request when absent.
    #[arg(long, value_name = "DATE")]
    pub from: Option<NaiveDate>,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// `settings price MODEL --from DATE --input X --output Y [...]`: dollars per million tokens.
#[derive(Debug, Args)]
pub struct PriceArgs {
    /// The model, as the logs name it.
    pub model: String,
    /// The first day the price applies (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub from: NaiveDate,
    /// Uncached input, USD per million tokens.
    #[arg(long, value_name = "USD")]
    pub input: String,
    /// Output, USD per million tokens.
    #[arg(long, value_name = "USD")]
    pub output: String,
    /// 5-minute cache writes (default: the provider's multiple of the input price).
    #[arg(long = "cache-write-5m", value_name = "USD")]
    pub cache_write_5m: Option<String>,
    /// 1-hour cache writes (default: the provider's multiple of the input price).
    #[arg(long = "cache-write-1h", value_name = "USD")]
    pub cache_write_1h: Option<String>,
    /// Cache reads (default: the provider's multiple of the input price).
    #[arg(long = "cache-read", value_name = "USD")]
    pub cache_read: Option<String>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ToolArg {
    #[value(name = "claude-code")]
    ClaudeCode,
    Codex,
}

impl ToolArg {
    fn tool(self) -> Tool {
        match self {
            ToolArg::ClaudeCode => Tool::ClaudeCode,
            ToolArg::Codex => Tool::Codex,
        }
    }
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum PlanKindArg {
    Subscription,
    Api,
}

/// `settings plan --tool T --provider P --kind subscription|api`, `settings plan list`.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct PlanArgs {
    #[command(subcommand)]
    pub action: Option<super::settings_cmd::ListOnly>,
    /// The coding agent (claude-code, codex).
    #[arg(long, value_enum, required = true)]
    pub tool: Option<ToolArg>,
    /// The provider serving the tool (anthropic, openai, ...).
    #[arg(long, value_name = "NAME", required = true)]
    pub provider: Option<String>,
    /// What pays for the tool's requests.
    #[arg(long, value_enum, required = true)]
    pub kind: Option<PlanKindArg>,
}

/// `settings project-rule PREFIX --project NAME`, `... PREFIX --remove`, `... list`.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct ProjectRuleArgs {
    #[command(subcommand)]
    pub action: Option<super::settings_cmd::ListOnly>,
    /// A working folder (`~/work/client`): it and every folder below it.
    #[arg(required = true)]
    pub prefix: Option<String>,
    /// The project to name those folders.
    #[arg(long, value_name = "NAME", required_unless_present = "remove")]
    pub project: Option<String>,
    /// Forget the rule for this folder.
    #[arg(long, conflicts_with = "project")]
    pub remove: bool,
}

fn rate_arg(text: &str, flag: &str) -> anyhow::Result<i64> {
    parse_rate(text).map_err(|_| {
        anyhow::anyhow!(
            "{flag} needs a price in dollars per million tokens such as 3 or 0.30, not '{text}'"
        )
    })
}

/// Expands a leading `~` to the home folder, as a shell would.
fn expand_home(path: &str) -> String {
    match (path.strip_prefix('~'), dirs::home_dir()) {
        (Some(rest), Some(home)) if rest.is_empty() || rest.starts_with(['/', '\\']) => {
            format!("{}{rest}", home.display())
        }
        _ => path.to_string(),
    }
}

/// `settings price`.
///
/// # Errors
/// When a rate is not a number, or the ledger cannot be written.
pub fn price(store: &mut Store, args: &PriceArgs) -> anyhow::Result<i32> {
    let input = rate_arg(&args.input, "--input")?;
    let output = rate_arg(&args.output, "--output")?;
    let optional =
        |v: &Option<String>, flag: &str| v.as_deref().map(|t| rate_arg(t, flag)).transpose();
    let entry = store.set_price(
        &args.model,
        args.from,
        input,
        output,
        optional(&args.cache_write_5m, "--cache-write-5m")?,
        optional(&args.cache_write_1h, "--cache-write-1h")?,
        optional(&args.cache_read, "--cache-read")?,
        &super::now_utc(),
    )?;
    let r = entry.rates;
    println!(
        "Saved your price of {} from {}: input {}, output {}, cache write 5m {}, cache write 1h {}, cache read {} (USD per million tokens).",
        entry.model,
        entry.from,
        rate_text(r.input),
        rate_text(r.output),
        rate_text(r.cache_write_5m),
        rate_text(r.cache_write_1h),
        rate_text(r.cache_read)
    );
    println!(
        "Requests imported from now on use it; requests already in the ledger keep their value until `burnrate reprice --from {}`.",
        entry.from
    );
    Ok(0)
}

/// `settings plan`.
///
/// # Errors
/// When the ledger cannot be written.
pub fn plan(store: &Store, args: &PlanArgs) -> anyhow::Result<i32> {
    if let Some(super::settings_cmd::ListOnly::List { json }) = args.action {
        let plans = store.plans()?;
        if json {
            println!("{}", serde_json::to_string_pretty(&plans)?);
        } else if plans.is_empty() {
            println!(
                "No plan set. A tool counts as paid by a subscription in a month when the card shows that provider's subscription that month, else as paid by API credit."
            );
        } else {
            for p in plans {
                println!("{:12} {:12} {}", p.tool, p.provider, p.kind.as_str());
            }
        }
        return Ok(0);
    }
    let (Some(tool), Some(provider), Some(kind)) = (args.tool, args.provider.as_deref(), args.kind)
    else {
        bail!("give --tool, --provider and --kind");
    };
    let kind = match kind {
        PlanKindArg::Subscription => PlanKind::Subscription,
        PlanKindArg::Api => PlanKind::Api,
    };
    store.set_plan(tool.tool(), provider, kind)?;
    println!(
        "Saved: {} requests to {} are paid by {}.",
        tool.tool().name(),
        provider.trim().to_lowercase(),
        match kind {
            PlanKind::Subscription => "a subscription",
            PlanKind::Api =>
                "API credit (their value refines the provider's billed usage and is never added to it)",
        }
    );
    Ok(0)
}

/// `settings project-rule`.
///
/// # Errors
/// When the ledger cannot be written or the rule to remove does not exist.
pub fn project_rule(store: &mut Store, args: &ProjectRuleArgs) -> anyhow::Result<i32> {
    if let Some(super::settings_cmd::ListOnly::List { json }) = args.action {
        let rules = store.project_rules()?;
        if json {
            println!("{}", serde_json::to_string_pretty(&rules)?);
        } else if rules.is_empty() {
            println!(
                "No project rules: a request's project is its working folder's git repository, else the folder's name."
            );
        } else {
            for r in rules {
                println!("{}  ->  {}", r.prefix, r.project);
            }
        }
        return Ok(0);
    }
    let Some(prefix) = args.prefix.as_deref().map(expand_home) else {
        bail!("give the folder the rule is about");
    };
    if args.remove {
        let known = store
            .project_rules()?
            .iter()
            .any(|r| r.prefix == prefix.trim_end_matches(['/', '\\']));
        if !known {
            bail!(
                "you have no project rule for '{prefix}'; `burnrate settings project-rule list` shows them"
            );
        }
        let changed = store.set_project_rule(&prefix, None, &super::now_utc())?;
        println!("Removed the rule for {prefix}; {changed} request(s) changed project.");
        return Ok(0);
    }
    let project = args.project.as_deref().unwrap_or_default();
    let changed = store.set_project_rule(&prefix, Some(project), &super::now_utc())?;
    println!(
        "Saved: work under {prefix} is project '{}'. {changed} request(s) in the ledger changed project.",
        project.trim()
    );
    Ok(0)
}

/// `burnrate prices`.
///
/// # Errors
/// When the ledger cannot be read.
pub fn prices(db: &Path, args: &PricesArgs) -> anyhow::Result<i32> {
    let store = Store::open(db)?;
    let book = store.price_book()?;
    let counts = store.price_version_counts()?;
    let wanted = args.model.as_deref().map(|m| {
        book.model_key(m)
            .map_or_else(|| m.trim().to_string(), str::to_string)
    });
    let mut entries: Vec<_> = book
        .entries()
        .iter()
        .filter(|e| wanted.as_ref().is_none_or(|w| &e.model == w))
        .collect();
    entries.sort_by(|a, b| {
        a.provider
            .cmp(&b.provider)
            .then(a.model.cmp(&b.model))
            .then(a.from.cmp(&b.from))
    });
    let mut unpriced = store.unpriced_models()?;
    if let Some(w) = &args.model {
        unpriced.retain(|u| {
            book.model_key(&u.model).is_none()
                && crate::domain::agents::prices::normalize(&u.model)
                    == crate::domain::agents::prices::normalize(w)
        });
    }
    if args.json {
        return prices_json(&book, &entries, &counts, &unpriced);
    }
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "Price table {} (USD per million tokens; yours marked *):",
        book.version
    )?;
    writeln!(
        out,
        "{:22} {:10} {:>8} {:>8} {:>9} {:>9} {:>8}  {:16} {:>5} {:>8}",
        "MODEL",
        "FROM",
        "INPUT",
        "OUTPUT",
        "WRITE 5M",
        "WRITE 1H",
        "READ",
        "LONG CONTEXT",
        "FAST",
        "REQUESTS"
    )?;
    for e in &entries {
        let lc = e.long_context.map_or_else(String::new, |lc| {
            format!(
                ">{}k: {}/{}",
                lc.above_prompt_tokens / 1000,
                rate_text(lc.rates.input),
                rate_text(lc.rates.output)
            )
        });
        let fast = e
            .fast_multiplier_percent
            .map_or_else(String::new, |p| format!("{}x", p / 100));
        let mark = if e.source == PriceSource::User {
            "*"
        } else {
            ""
        };
        writeln!(
            out,
            "{:22} {:10} {:>8} {:>8} {:>9} {:>9} {:>8}  {:16} {:>5} {:>8}",
            format!("{}{mark}", e.model),
            e.from,
            rate_text(e.rates.input),
            rate_text(e.rates.output),
            rate_text(e.rates.cache_write_5m),
            rate_text(e.rates.cache_write_1h),
            rate_text(e.rates.cache_read),
            lc,
            fast,
            counts.get(&e.version).copied().unwrap_or(0)
        )?;
    }
    if entries.is_empty() && unpriced.is_empty() {
        writeln!(
            out,
            "No price for that model. Add one with `burnrate settings price MODEL --from DATE --input X --output Y`."
        )?;
    }
    print_unpriced(&mut out, &unpriced)?;
    writeln!(out, "\nSources: {}", book.sources.join("; "))?;
    Ok(0)
}

fn prices_json(
    book: &crate::domain::agents::prices::PriceBook,
    entries: &[&crate::domain::agents::prices::PriceEntry],
    counts: &std::collections::HashMap<String, i64>,
    unpriced: &[crate::store::UnpricedModel],
) -> anyhow::Result<i32> {
    let list: Vec<_> = entries
        .iter()
        .map(|e| {
            json!({
                "provider": e.provider,
                "model": e.model,
                "from": e.from.to_string(),
                "input": rate_text(e.rates.input),
                "output": rate_text(e.rates.output),
                "cache_write_5m": rate_text(e.rates.cache_write_5m),
                "cache_write_1h": rate_text(e.rates.cache_write_1h),
                "cache_read": rate_text(e.rates.cache_read),
                "long_context": e.long_context.map(|lc| json!({
                    "above_prompt_tokens": lc.above_prompt_tokens,
                    "input": rate_text(lc.rates.input),
                    "output": rate_text(lc.rates.output),
                    "cache_write_5m": rate_text(lc.rates.cache_write_5m),
                    "cache_write_1h": rate_text(lc.rates.cache_write_1h),
                    "cache_read": rate_text(lc.rates.cache_read),
                })),
                "fast_multiplier": e.fast_multiplier_percent.map(|p| format!("{}.{:02}", p / 100, p % 100)),
                "source": match e.source { PriceSource::Shipped => "shipped", PriceSource::User => "user" },
                "reference": e.reference,
                "version": e.version,
                "requests": counts.get(&e.version).copied().unwrap_or(0),
            })
        })
        .collect();
    let out = json!({
        "table_version": book.version,
        "currency": "USD",
        "unit": "per million tokens",
        "sources": book.sources,
        "prices": list,
        "unpriced": unpriced,
    });
    println!("{}", serde_json::to_string_pretty(&out)?);
    Ok(0)
}

/// The models without a price, with their counts.
fn print_unpriced(
    out: &mut impl Write,
    unpriced: &[crate::store::UnpricedModel],
) -> std::io::Result<()> {
    if unpriced.is_empty() {
        return Ok(());
    }
    writeln!(
        out,
        "\nUnpriced (no price for their model on their day; shown as unpriced, never as $0):"
    )?;
    for u in unpriced {
        writeln!(
            out,
            "  {:30} {} request(s): {} input, {} output, {} cache write, {} cache read tokens",
            u.model,
            u.requests,
            u.input_tokens,
            u.output_tokens,
            u.cache_write_tokens,
            u.cache_read_tokens
        )?;
    }
    writeln!(
        out,
        "Add a price with `burnrate settings price MODEL --from DATE --input X --output Y`, then `burnrate reprice`."
    )?;
    Ok(())
}

/// `burnrate reprice`.
///
/// # Errors
/// When the ledger cannot be written.
pub fn reprice(db: &Path, args: &RepriceArgs) -> anyhow::Result<i32> {
    let mut store = Store::open(db)?;
    let report = store.reprice(args.from)?;
    if args.json {
        let by_model: Vec<_> = report
            .by_model
            .iter()
            .map(|(m, b, a)| json!({"model": m, "before": b.to_cents_string(), "after": a.to_cents_string()}))
            .collect();
        let mut value = serde_json::to_value(&report)?;
        if let Some(obj) = value.as_object_mut() {
            obj.insert("by_model".into(), json!(by_model));
        }
        println!("{}", serde_json::to_string_pretty(&value)?);
        return Ok(0);
    }
    let scope = report.from.as_ref().map_or_else(
        || "all requests".to_string(),
        |f| format!("requests from {f} on"),
    );
    if report.changed == 0 {
        println!("Repriced {scope} ({}): nothing changed.", report.requests);
        return Ok(0);
    }
    println!(
        "Repriced {scope}: {} of {} changed ({} newly priced, {} now unpriced). Value {} -> {} USD.",
        report.changed,
        report.requests,
        report.newly_priced,
        report.now_unpriced,
        report.value_before.to_cents_string(),
        report.value_after.to_cents_string()
    );
    for (model, before, after) in &report.by_model {
        println!(
            "  {model:30} {} -> {}",
            before.to_cents_string(),
            after.to_cents_string()
        );
    }
    Ok(0)
}

/// Prints `report --what value`.
///
/// # Errors
/// On a write failure.
pub fn print_value(
    out: &mut impl Write,
    rows: &[ValueRow],
    json_out: bool,
    csv_out: bool,
) -> anyhow::Result<()> {
    if json_out {
        writeln!(out, "{}", serde_json::to_string_pretty(rows)?)?;
        return Ok(());
    }
    let amount = |r: &ValueRow| {
        r.amount.map_or_else(
            || "unpriced".to_string(),
            crate::domain::money::Amount::to_cents_string,
        )
    };
    if csv_out {
        let mut w = csv::Writer::from_writer(out);
        w.write_record(["period", "group", "amount", "currency", "unpriced_requests"])?;
        for r in rows {
            w.write_record([
                super::output::csv_safe_text(&r.period),
                super::output::csv_safe_text(&r.group),
                r.amount
                    .map_or_else(String::new, crate::domain::money::Amount::to_cents_string),
                r.currency.to_string(),
                r.unpriced_requests.to_string(),
            ])?;
        }
        w.flush()?;
        return Ok(());
    }
    if rows.is_empty() {
        writeln!(
            out,
            "No coding-agent requests in the ledger for this period."
        )?;
        return Ok(());
    }
    let gw = rows
        .iter()
        .map(|r| r.group.chars().count())
        .max()
        .unwrap_or(5)
        .max(5);
    writeln!(
        out,
        "{:10}  {:gw$}  {:>12}  {:8}  UNPRICED REQUESTS",
        "PERIOD", "GROUP", "API VALUE", "CURRENCY"
    )?;
    for r in rows {
        writeln!(
            out,
            "{:10}  {:gw$}  {:>12}  {:8}  {}",
            r.period,
            r.group,
            amount(r),
            r.currency,
            r.unpriced_requests
        )?;
    }
    writeln!(
        out,
        "API-equivalent value: what the logged requests would have cost at API list prices (not money paid)."
    )?;
    Ok(())
}

/// Prints `report --what subscriptions`.
///
/// # Errors
/// On a write failure.
pub fn print_subscriptions(
    out: &mut impl Write,
    month: &str,
    rows: &[SubscriptionRow],
    json_out: bool,
    csv_out: bool,
) -> anyhow::Result<()> {
    if json_out {
        writeln!(out, "{}", serde_json::to_string_pretty(rows)?)?;
        return Ok(());
    }
    if csv_out {
        let mut w = csv::Writer::from_writer(out);
        w.write_record(["tool", "provider", "paid", "currency", "value", "leverage"])?;
        for r in rows {
            w.write_record([
                super::output::csv_safe_text(&r.tool),
                super::output::csv_safe_text(&r.provider),
                r.paid.to_cents_string(),
                r.currency.to_string(),
                r.value.to_cents_string(),
                r.leverage.clone().unwrap_or_default(),
            ])?;
        }
        w.flush()?;
        return Ok(());
    }
    if rows.is_empty() {
        writeln!(
            out,
            "No tool on a subscription in {month}: import the card statement that paid it and the tool's logs, or say which plan pays with `burnrate settings plan --tool claude-code --provider anthropic --kind subscription`."
        )?;
        return Ok(());
    }
    writeln!(
        out,
        "{month}: what each subscription cost, what the same work would have cost on the API, and the leverage"
    )?;
    writeln!(
        out,
        "{:12} {:10} {:>12} {:8} {:>14} {:>9}",
        "TOOL", "PROVIDER", "PAID", "CURRENCY", "API VALUE USD", "LEVERAGE"
    )?;
    for r in rows {
        let leverage = r
            .leverage
            .as_ref()
            .map_or_else(|| "-".to_string(), |l| format!("{l}x"));
        writeln!(
            out,
            "{:12} {:10} {:>12} {:8} {:>14} {:>9}",
            r.tool,
            r.provider,
            r.paid.to_cents_string(),
            r.currency,
            r.value.to_cents_string(),
            leverage
        )?;
        if r.unpriced_requests > 0 {
            writeln!(
                out,
                "  plus {} request(s) of unpriced models, not in the value (`burnrate prices` lists them)",
                r.unpriced_requests
            )?;
        }
    }
    Ok(())
}

/// The month a subscriptions report is about.
pub fn subscription_month(month: Option<&str>) -> anyhow::Result<Period> {
    let Some(m) = month else {
        bail!("subscriptions are worked out per month: add --month YYYY-MM");
    };
    Period::month(m).with_context(|| format!("'{m}' is not a month; write it as YYYY-MM"))
}

/// One line for a folder's worth of agent-log imports (a folder may hold thousands of files).
pub fn agent_summary(
    out: &mut impl Write,
    folder: &str,
    reports: &[&ImportReport],
) -> std::io::Result<()> {
    let unchanged = reports.iter().filter(|r| r.unchanged).count();
    let failed = reports.iter().filter(|r| r.error.is_some()).count();
    let sum = |f: fn(&ImportReport) -> u64| reports.iter().map(|r| f(r)).sum::<u64>();
    writeln!(
        out,
        "{folder}: {} log file(s), {unchanged} unchanged since the last import: {} new request(s), {} updated, {} already in the ledger, {} not counted (synthetic, API errors, repeats, replays), {} bad line(s)",
        reports.len(),
        sum(|r| r.inserted),
        sum(|r| r.updated),
        sum(|r| r.duplicates),
        sum(|r| r.skipped),
        sum(|r| r.rejected.len() as u64),
    )?;
    let unpriced = sum(|r| r.unpriced);
    if unpriced > 0 {
        writeln!(
            out,
            "  {unpriced} new request(s) are of models without a price: shown as unpriced; `burnrate prices` lists them"
        )?;
    }
    super::output::masked_secrets(
        out,
        sum(|r| r.masked_secrets),
        "working folders, repositories or model names",
    )?;
    for r in reports.iter().filter(|r| r.error.is_some()).take(20) {
        writeln!(
            out,
            "  {}: {}",
            r.path,
            r.error.as_deref().unwrap_or_default()
        )?;
    }
    if failed > 20 {
        writeln!(
            out,
            "  ... and {} more file(s) not imported (use --json for all)",
            failed - 20
        )?;
    }
    for r in reports.iter().filter(|r| !r.rejected.is_empty()).take(5) {
        for e in r.rejected.iter().take(3) {
            writeln!(out, "  {}: rejected {e}", r.path)?;
        }
    }
    Ok(())
}
