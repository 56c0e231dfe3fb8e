//! The command line: `import`, `report`, `formats` and `map` over the same domain and store the
//! window uses. Output for scripts (`--json`, `--csv`) is stable; messages for people go to
//! stderr on failure. Exit codes: 0 success, 1 failure, 2 usage error (clap's own).

mod agent_cmds;
mod checkpoint_cmd;
mod explain_cmd;
mod match_cmds;
mod money_cmds;
mod output;
mod progress;
mod review_cmd;
mod settings_cmd;

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::domain::import::mapping::SignConvention;
use crate::domain::import::{self, BankMapping, DateOrder, FileOptions};
use crate::domain::money::Currency;
use crate::services::Clock;
use crate::services::clock::now_utc;
use crate::services::import::import_paths;
use crate::store::{
    CreditGroup, ImportMode, ImportProblem, ImportReport, Period, ReportKind, Store, UsageGroup,
    ValueGroup,
};

/// burnrate: a local ledger of what you spend on AI services.
#[derive(Debug, Parser)]
#[command(name = "burnrate", version, about, long_about = None)]
pub struct Cli {
    /// The ledger file (default: $BURNRATE_DB, else ~/.local/share/burnrate/ledger.sqlite).
    #[arg(long, global = true, value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// Open the demo ledger built from the sample exports shipped with burnrate.
    #[arg(long)]
    pub demo: bool,
    /// The day to show the ledger as of (YYYY-MM-DD; default today).
    #[arg(long, value_name = "DATE", global = true)]
    pub as_of: Option<NaiveDate>,
    /// Open the window, wait until the dashboard has drawn, save a PNG of it and exit.
    #[arg(long, value_name = "FILE.png")]
    pub screenshot_to: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Import exports and statements (CSV), receipt e-mails (.eml, .mbox) and PDF receipts.
    Import(ImportArgs),
    /// Totals for a period, by provider, project, model or line item.
    Report(ReportArgs),
    /// List the file formats burnrate reads.
    Formats {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Save a column mapping for a bank CSV burnrate does not recognise.
    Map(MapArgs),
    /// List imported files, or undo one import.
    History {
        /// Remove exactly the records the import with this id brought.
        #[arg(long, value_name = "ID")]
        undo: Option<i64>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// What went wrong: duplicate top-ups, stuck holds, charges without credit, ... (dismiss
    /// one with `flags dismiss ID --note TEXT`).
    Flags(money_cmds::FlagsArgs),
    /// The prepaid balance of a provider account, day by day, with burn rate and forecast.
    Balance(money_cmds::BalanceArgs),
    /// Balances read off a provider's billing page: they anchor the balance (`add`, `list`,
    /// `remove`).
    #[command(subcommand)]
    Checkpoint(checkpoint_cmd::CheckpointCommand),
    /// Which bank line paid which billing record and why, and pairs to review (confirm or
    /// unlink one with `matches confirm|unlink billing:ID bank:ID`).
    Matches(match_cmds::MatchesArgs),
    /// Walk recent top-ups through authorized -> settled -> credited -> consumed and name
    /// where each stalled.
    Diagnose(match_cmds::DiagnoseArgs),
    /// Is this error a billing problem? Paste an API error (`429 insufficient_quota`, a rate
    /// limit, "credit balance is too low", 401, 402, a card decline): its layer, what to check
    /// first and the ledger's evidence as of the day.
    Explain(explain_cmd::ExplainArgs),
    /// The model price table coding-agent requests are valued with, and the models without a
    /// price.
    Prices(agent_cmds::PricesArgs),
    /// Recompute the stored API-equivalent value of coding-agent requests with the current
    /// price table, and say what changed.
    Reprice(agent_cmds::RepriceArgs),
    /// Settings kept in the ledger: merchant rules, auto-recharge, budgets, flag thresholds, reporting currency.
    #[command(subcommand)]
    Settings(settings_cmd::SettingsCommand),
    /// Reads a PDF from standard input and writes its text (burnrate runs itself this way to
    /// read PDF receipts in a separate process).
    #[command(name = "pdf-text", hide = true)]
    PdfText,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Print one JSON object per file.
    #[arg(long)]
    pub json: bool,
    /// Read and check the files, write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Import nothing from a file when any of its rows is bad.
    #[arg(long)]
    pub strict: bool,
    /// Skip detection: read the files as this format (see `burnrate formats`).
    #[arg(long = "as", value_name = "FORMAT")]
    pub format: Option<String>,
    /// Read ambiguous dates such as 03/04/2026 as day-first (dmy) or month-first (mdy).
    #[arg(long, value_parser = parse_order, value_name = "dmy|mdy")]
    pub date_order: Option<DateOrder>,
    /// The provider of files that do not say it (a Stripe invoice export).
    #[arg(long, value_name = "NAME")]
    pub provider: Option<String>,
    /// The computer coding-agent logs come from (default: this computer's name).
    #[arg(long, value_name = "NAME")]
    pub machine: Option<String>,
    /// The currency of a card statement that does not say it (an American Express export from
    /// outside the US, e.g. GBP); files that name their currency keep it.
    #[arg(long, value_parser = parse_currency, value_name = "CODE")]
    pub currency: Option<Currency>,
    /// Files, or folders (every file below them: `~/.claude/projects`, `~/.codex/sessions`).
    #[arg(required = true, value_name = "FILE|FOLDER")]
    pub files: Vec<PathBuf>,
}

fn parse_month(text: &str) -> Result<String, String> {
    Period::month(text)
        .map(|_| text.trim().to_string())
        .ok_or_else(|| format!("'{text}' is not a month; write it as YYYY-MM"))
}

fn parse_currency(text: &str) -> Result<Currency, String> {
    Currency::parse(text).map_err(|e| e.to_string())
}

fn parse_order(text: &str) -> Result<DateOrder, String> {
    DateOrder::parse(text).ok_or_else(|| format!("'{text}' is not a date order; use dmy or mdy"))
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum WhatArg {
    Usage,
    Paid,
    Credits,
    /// API-equivalent value of coding-agent requests.
    Value,
    /// Per tool: subscription paid, API-equivalent value, leverage (needs --month).
    Subscriptions,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ByArg {
    Provider,
    Project,
    Model,
    #[value(name = "line_item")]
    LineItem,
    Kind,
    Tool,
    Machine,
    Session,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// A calendar month, YYYY-MM.
    #[arg(long, conflicts_with_all = ["from", "to"], value_parser = parse_month)]
    pub month: Option<String>,
    /// First day, YYYY-MM-DD (inclusive).
    #[arg(long, requires = "to")]
    pub from: Option<NaiveDate>,
    /// Last day, YYYY-MM-DD (inclusive).
    #[arg(long, requires = "from")]
    pub to: Option<NaiveDate>,
    /// usage (what providers charged), paid (what left your bank and cards), credits (bought
    /// and granted), value (coding-agent requests at API prices), subscriptions (paid, value
    /// and leverage per tool).
    #[arg(long, value_enum, default_value = "usage")]
    pub what: WhatArg,
    /// Grouping: provider, project, model, line_item (usage); kind, provider, project (credits);
    /// provider, project, model, tool, machine, session (value).
    #[arg(long, value_enum)]
    pub by: Option<ByArg>,
    /// Print the rows as a JSON array (amounts as decimal strings).
    #[arg(long, conflicts_with = "csv")]
    pub json: bool,
    /// Print the rows as CSV (text cells are made safe to open in a spreadsheet).
    #[arg(long)]
    pub csv: bool,
    /// Print the monthly review of --month: totals against last month, budgets, the money
    /// trail and what is unmatched (tables; with --json or --csv for scripts).
    #[arg(long, requires = "month")]
    pub review: bool,
    /// Write the monthly review of --month as one self-contained HTML file to share.
    #[arg(long, value_name = "FILE", requires = "month")]
    pub html: Option<PathBuf>,
}

/// The report a command line asks for: a ledger report the store totals in one query, or the
/// agent reports whose rows have their own shape (unpriced requests, leverage).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ReportRequest {
    Ledger(ReportKind),
    Value(ValueGroup),
    Subscriptions,
}

impl ReportArgs {
    /// What the report totals and how it groups the totals, or why `--by` does not apply to
    /// `--what` (a usage error).
    fn request(&self) -> Result<ReportRequest, &'static str> {
        match (self.what, self.by) {
            (WhatArg::Usage, None | Some(ByArg::Provider)) => Ok(ReportRequest::Ledger(
                ReportKind::Usage(UsageGroup::Provider),
            )),
            (WhatArg::Usage, Some(ByArg::Project)) => Ok(ReportRequest::Ledger(ReportKind::Usage(
                UsageGroup::Project,
            ))),
            (WhatArg::Usage, Some(ByArg::Model)) => {
                Ok(ReportRequest::Ledger(ReportKind::Usage(UsageGroup::Model)))
            }
            (WhatArg::Usage, Some(ByArg::LineItem)) => Ok(ReportRequest::Ledger(
                ReportKind::Usage(UsageGroup::LineItem),
            )),
            (WhatArg::Usage, Some(ByArg::Kind | ByArg::Tool | ByArg::Machine | ByArg::Session)) => {
                Err("usage can be grouped --by provider, project, model or line_item")
            }
            (WhatArg::Paid, None | Some(ByArg::Provider)) => {
                Ok(ReportRequest::Ledger(ReportKind::Paid))
            }
            (WhatArg::Paid, Some(_)) => Err("money paid can only be grouped --by provider"),
            (WhatArg::Credits, None | Some(ByArg::Kind)) => Ok(ReportRequest::Ledger(
                ReportKind::Credits(CreditGroup::Kind),
            )),
            (WhatArg::Credits, Some(ByArg::Provider)) => Ok(ReportRequest::Ledger(
                ReportKind::Credits(CreditGroup::Provider),
            )),
            (WhatArg::Credits, Some(ByArg::Project)) => Ok(ReportRequest::Ledger(
                ReportKind::Credits(CreditGroup::Project),
            )),
            (
                WhatArg::Credits,
                Some(
                    ByArg::Model | ByArg::LineItem | ByArg::Tool | ByArg::Machine | ByArg::Session,
                ),
            ) => Err("credits can be grouped --by kind, provider or project"),
            (WhatArg::Value, None | Some(ByArg::Provider)) => {
                Ok(ReportRequest::Value(ValueGroup::Provider))
            }
            (WhatArg::Value, Some(ByArg::Project)) => Ok(ReportRequest::Value(ValueGroup::Project)),
            (WhatArg::Value, Some(ByArg::Model)) => Ok(ReportRequest::Value(ValueGroup::Model)),
            (WhatArg::Value, Some(ByArg::Tool)) => Ok(ReportRequest::Value(ValueGroup::Tool)),
            (WhatArg::Value, Some(ByArg::Machine)) => Ok(ReportRequest::Value(ValueGroup::Machine)),
            (WhatArg::Value, Some(ByArg::Session)) => Ok(ReportRequest::Value(ValueGroup::Session)),
            (WhatArg::Value, Some(ByArg::LineItem | ByArg::Kind)) => Err(
                "agent value can be grouped --by provider, project, model, tool, machine or session",
            ),
            (WhatArg::Subscriptions, None) => Ok(ReportRequest::Subscriptions),
            (WhatArg::Subscriptions, Some(_)) => {
                Err("subscriptions are listed per tool and provider; leave out --by")
            }
        }
    }
}

/// Prints a usage error about the `report` command as clap prints its own, and returns clap's
/// exit code for usage errors (2).
fn report_usage_error(message: &str) -> anyhow::Result<i32> {
    let mut command = <Cli as clap::CommandFactory>::command();
    command.build();
    let mut report = command
        .find_subcommand("report")
        .cloned()
        .unwrap_or(command);
    let error = report.error(clap::error::ErrorKind::ArgumentConflict, message);
    error.print()?;
    Ok(error.exit_code())
}

#[derive(Debug, Args)]
pub struct MapArgs {
    /// A sample file with the header to map.
    pub file: PathBuf,
    /// A name for the account (shown in tables).
    #[arg(long, default_value = "bank")]
    pub account: String,
    /// The column holding each line's date.
    #[arg(long, value_name = "COLUMN")]
    pub date: String,
    /// The column holding the merchant or payee text (AI services are told by it).
    #[arg(long, value_name = "COLUMN")]
    pub description: String,
    /// One signed amount column.
    #[arg(long, value_name = "COLUMN", required_unless_present_any = ["debit", "credit"])]
    pub amount: Option<String>,
    /// Money-out column (unsigned).
    #[arg(long, value_name = "COLUMN")]
    pub debit: Option<String>,
    /// Money-in column (unsigned).
    #[arg(long, value_name = "COLUMN")]
    pub credit: Option<String>,
    /// The column saying whether a line is pending, completed, declined or reverted.
    #[arg(long, value_name = "COLUMN")]
    pub status: Option<String>,
    /// The column holding each line's currency (or give --default-currency).
    #[arg(
        long,
        value_name = "COLUMN",
        required_unless_present = "default_currency"
    )]
    pub currency: Option<String>,
    /// The currency when the file has no currency column (e.g. EUR).
    #[arg(long, value_name = "CODE")]
    pub default_currency: Option<String>,
    /// The column with the bank's own id of each line (re-imports then match on it).
    #[arg(long, value_name = "COLUMN")]
    pub id: Option<String>,
    /// How spending is written in the amount column.
    #[arg(long, value_enum, default_value = "spend-negative")]
    pub sign: SignArg,
    /// Read ambiguous dates such as 03/04/2026 as day-first (dmy) or month-first (mdy).
    #[arg(long, value_parser = parse_order, value_name = "dmy|mdy")]
    pub date_order: Option<DateOrder>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum SignArg {
    SpendNegative,
    SpendPositive,
}

/// Runs one command against the ledger. Returns the process exit code.
///
/// `clock` says which day is today (the global `--as-of`, else the machine's local date).
///
/// # Errors
/// Failures that stop the command (the ledger cannot be opened, a bad argument value).
pub fn run(db: &Path, command: Command, clock: Clock) -> anyhow::Result<i32> {
    let as_of = clock.today();
    crate::store::set_notice_hook(|notice| eprintln!("burnrate: {notice}"));
    match command {
        Command::Formats { json } => {
            output::formats(json)?;
            Ok(0)
        }
        Command::Import(args) => import_files(db, &args),
        Command::Report(args) if args.review || args.html.is_some() => {
            review_cmd::review_command(db, &args, as_of)
        }
        Command::Report(args) => report(db, &args),
        Command::Map(args) => map(db, &args),
        Command::History { undo, json } => history(db, undo, json),
        Command::Flags(args) => money_cmds::flags_command(db, &args, as_of),
        Command::Balance(args) => money_cmds::balance_command(db, &args, as_of),
        Command::Checkpoint(command) => checkpoint_cmd::run(db, command, as_of),
        Command::Matches(args) => match_cmds::matches_command(db, &args, as_of),
        Command::Diagnose(args) => match_cmds::diagnose_command(db, &args, as_of),
        Command::Explain(args) => explain_cmd::explain_command(db, &args, as_of),
        Command::Prices(args) => agent_cmds::prices(db, &args),
        Command::Reprice(args) => agent_cmds::reprice(db, &args),
        Command::Settings(command) => settings_cmd::run(db, command),
        Command::PdfText => Ok(crate::pdf_worker::run_child()),
    }
}

fn open_store(db: &Path) -> anyhow::Result<Store> {
    Ok(Store::open(db)?)
}

fn import_files(db: &Path, args: &ImportArgs) -> anyhow::Result<i32> {
    let mut store = open_store(db)?;
    let options = FileOptions {
        format: args.format.clone(),
        date_order: args.date_order,
        mapping: None,
        provider: args.provider.clone(),
        pdf_text: None,
        machine: args.machine.clone(),
        currency: args.currency,
    };
    if let Some(f) = &args.format
        && import::formats::by_id(f).is_none()
        && crate::domain::agents::Tool::parse(f).is_none()
    {
        bail!("there is no format named '{f}'; `burnrate formats` lists them");
    }
    let mode = ImportMode {
        strict: args.strict,
        dry_run: args.dry_run,
    };
    let mut bar = progress::ImportBar::new();
    let reports = import_paths(&mut store, &args.files, &options, mode, &mut |p| {
        bar.update(&p);
        true
    });
    bar.finish();
    let mut reports = reports?;
    reports.iter_mut().for_each(add_command_line_advice);
    let failed = reports.iter().any(|r| r.error.is_some());
    let is_agent = |r: &ImportReport| {
        r.format
            .as_deref()
            .is_some_and(|f| crate::domain::agents::Tool::parse(f).is_some())
            || r.unchanged
    };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&reports)?);
    } else {
        let (agent, others): (Vec<&ImportReport>, Vec<&ImportReport>) =
            reports.iter().partition(|r| is_agent(r));
        let others: Vec<ImportReport> = others.into_iter().cloned().collect();
        output::import_reports(&others, args.dry_run)?;
        if !agent.is_empty() {
            let label = args
                .files
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ");
            agent_cmds::agent_summary(&mut std::io::stdout().lock(), &label, &agent)?;
        }
    }
    for r in reports.iter().filter(|r| r.error.is_some()) {
        let path = if r.path.is_empty() { &r.file } else { &r.path };
        eprintln!(
            "burnrate: {}: {path}",
            r.error.as_deref().unwrap_or_default()
        );
    }
    Ok(i32::from(failed))
}

/// Adds to a failed import's message what to do about it on the command line (the store words
/// it for any front end).
fn add_command_line_advice(report: &mut ImportReport) {
    let advice = match report.problem {
        Some(ImportProblem::BadRowsInStrictImport) => {
            "; --strict imports nothing when any row is bad; import without it to keep the good rows"
        }
        Some(ImportProblem::NotAnAgentLog) => {
            "; pass `--as claude-code` or `--as codex` if it is one"
        }
        Some(ImportProblem::UnrecognizedColumns) => {
            ". If it is a bank or card statement, map its columns once with `burnrate map FILE --date COLUMN --description COLUMN --amount COLUMN`; if it is one of the formats above, pass `--as FORMAT`"
        }
        None => return,
    };
    if let Some(error) = &mut report.error {
        error.push_str(advice);
    }
}

fn report(db: &Path, args: &ReportArgs) -> anyhow::Result<i32> {
    let request = match args.request() {
        Ok(request) => request,
        Err(message) => return report_usage_error(message),
    };
    let store = open_store(db)?;
    let period = match (&args.month, args.from, args.to) {
        (Some(m), _, _) => Period::month(m)
            .with_context(|| format!("'{m}' is not a month; write it as YYYY-MM"))?,
        (None, Some(from), Some(to)) => {
            if to < from {
                bail!("--to ({to}) is before --from ({from})");
            }
            Period::range(from, to)
        }
        _ => Period::all(),
    };
    let rows = match request {
        ReportRequest::Value(group) => {
            let rows = store.value_report(group, &period)?;
            agent_cmds::print_value(&mut std::io::stdout().lock(), &rows, args.json, args.csv)?;
            return Ok(0);
        }
        ReportRequest::Subscriptions => {
            let month = agent_cmds::subscription_month(args.month.as_deref())?;
            let rows = store.subscriptions(&month)?;
            agent_cmds::print_subscriptions(
                &mut std::io::stdout().lock(),
                &month.label,
                &rows,
                args.json,
                args.csv,
            )?;
            return Ok(0);
        }
        ReportRequest::Ledger(kind) => store.report(kind, &period)?,
    };
    let mut out = std::io::stdout().lock();
    if args.json {
        writeln!(out, "{}", serde_json::to_string_pretty(&rows)?)?;
    } else if args.csv {
        output::report_csv(&mut out, &rows)?;
    } else {
        output::report_table(&mut out, &rows)?;
    }
    Ok(0)
}

fn map(db: &Path, args: &MapArgs) -> anyhow::Result<i32> {
    let store = open_store(db)?;
    let open = crate::services::import::file_opener(&args.file);
    let (header, _) =
        import::read_header(&open).with_context(|| format!("reading {}", args.file.display()))?;
    let mapping = BankMapping {
        account: args.account.clone(),
        date: args.date.clone(),
        description: args.description.clone(),
        amount: args.amount.clone(),
        debit: args.debit.clone(),
        credit: args.credit.clone(),
        status: args.status.clone(),
        currency: args.currency.clone(),
        default_currency: args.default_currency.clone(),
        id: args.id.clone(),
        sign: match args.sign {
            SignArg::SpendNegative => SignConvention::SpendNegative,
            SignArg::SpendPositive => SignConvention::SpendPositive,
        },
        date_order: args.date_order.map(|o| o.as_str().to_string()),
    };
    let options = FileOptions {
        mapping: Some(mapping.clone()),
        ..FileOptions::default()
    };
    // Bind and read the file once, so a wrong column name fails now and not at import time.
    let prepared = import::prepare(&open, &options)
        .map_err(|e| anyhow::anyhow!("{e}: {}", args.file.display()))?;
    drop(prepared);
    store.save_bank_mapping(&header.signature(), &mapping, &now_utc())?;
    println!(
        "Saved the mapping for files with the columns: {}.\nImport them with: burnrate import {}",
        header.names.join(", "),
        args.file.display()
    );
    Ok(0)
}

fn history(db: &Path, undo: Option<i64>, json: bool) -> anyhow::Result<i32> {
    let mut store = open_store(db)?;
    if let Some(id) = undo {
        if !store.source_files()?.iter().any(|f| f.id == id) {
            bail!("there is no import with id {id}; `burnrate history` lists them");
        }
        let removed = store.undo_import(id)?;
        println!("Undid import {id}: removed {removed} record(s).");
        return Ok(0);
    }
    let files = store.source_files()?;
    if json {
        println!("{}", serde_json::to_string_pretty(&files)?);
    } else {
        output::history(&files)?;
    }
    Ok(0)
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory as _;

    use super::Cli;

    /// Every argument of every command, with the commands that lead to it.
    fn undocumented(command: &clap::Command, path: &str, out: &mut Vec<String>) {
        for arg in command.get_arguments() {
            let id = arg.get_id().as_str();
            if id == "help" || id == "version" || arg.is_hide_set() {
                continue;
            }
            if arg.get_help().is_none() && arg.get_long_help().is_none() {
                out.push(format!("{path} {id}"));
            }
        }
        for sub in command.get_subcommands() {
            if sub.get_name() == "help" {
                continue;
            }
            if sub.get_about().is_none() && sub.get_long_about().is_none() {
                out.push(format!("{path} {} (the command itself)", sub.get_name()));
            }
            undocumented(sub, &format!("{path} {}", sub.get_name()), out);
        }
    }

    /// Issue 10: `--help` describes every flag (`--json`, `--csv`, each `map` option, ...).
    #[test]
    fn help_describes_every_flag_and_command() {
        let mut missing = Vec::new();
        undocumented(&Cli::command(), "burnrate", &mut missing);
        assert!(missing.is_empty(), "no help text: {missing:#?}");
    }
}
