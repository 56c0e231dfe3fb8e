//! Writes real-shaped exports at any size, the same bytes for the same arguments:
//! `cargo run --release --example gen -- --rows N --out DIR [--seed S] [--days D]`.
//!
//! `--rows` is the number of usage rows, split 60/40 between an OpenAI cost export (many
//! projects of two organizations, the models and line items of a team, 18-decimal amounts,
//! empty days) and an Anthropic Console cost export (workspaces, API keys, the token types and
//! context windows the Console writes). Beside them, in the same days: the billing records of
//! both providers (credit purchases, auto-recharges, a subscription, a failed payment), a
//! Revolut statement of `rows / 10` lines (card payments to shops and to the AI providers in
//! EUR, top-ups, a declined and a reverted line, the last days still pending), a Chase card
//! activity of `rows / 100` lines, and the ECB's daily rates. Every file is in the exact layout
//! the provider or bank writes, so `burnrate import DIR/*` reads them all.
//!
//! The numbers come from a small seeded generator (`SplitMix64`), never from the clock, so two
//! runs with the same arguments write identical files.

use std::fmt::Write as _;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use chrono::{Days, NaiveDate};
use clap::Parser;

/// Real-shaped exports for benchmarks: usage, billing, bank statements and rates.
#[derive(Debug, Parser)]
struct Args {
    /// Usage rows in all (OpenAI and Anthropic cost exports together).
    #[arg(long, default_value_t = 1_000_000)]
    rows: u64,
    /// The folder to write the files into (created when missing).
    #[arg(long)]
    out: PathBuf,
    /// The seed: the same seed writes the same bytes.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Days of history, ending on 2026-11-20.
    #[arg(long, default_value_t = 730)]
    days: u64,
    /// Bank statement lines (Revolut); default a tenth of the usage rows.
    #[arg(long)]
    bank_rows: Option<u64>,
}

/// The last day of every generated file.
const END: (i32, u32, u32) = (2026, 11, 20);

/// `SplitMix64`: small, fast and the same on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`).
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        let i = usize::try_from(self.below(items.len() as u64)).unwrap_or(0);
        &items[i]
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

fn main() -> std::io::Result<()> {
    let args = Args::parse();
    std::fs::create_dir_all(&args.out)?;
    let end = NaiveDate::from_ymd_opt(END.0, END.1, END.2).unwrap_or_default();
    let days = args.days.max(1);
    let start = end - Days::new(days - 1);
    let openai_rows = args.rows * 6 / 10;
    let anthropic_rows = args.rows - openai_rows;
    let bank_rows = args.bank_rows.unwrap_or(args.rows / 10).max(20);
    let span = Span { start, days };
    let mut rng = Rng(args.seed);
    let written = [
        openai_cost(&args.out, span, openai_rows, &mut rng)?,
        anthropic_cost(&args.out, span, anthropic_rows, &mut rng)?,
        billing(&args.out, span, &mut rng)?,
        revolut(&args.out, span, bank_rows, &mut rng)?,
        chase(&args.out, span, (bank_rows / 10).max(20), &mut rng)?,
        ecb_rates(&args.out, span, &mut rng)?,
    ];
    for (path, rows) in written {
        println!("{rows:>10} rows  {}", path.display());
    }
    Ok(())
}

#[derive(Debug, Clone, Copy)]
struct Span {
    start: NaiveDate,
    days: u64,
}

impl Span {
    fn day(self, index: u64) -> NaiveDate {
        self.start + Days::new(index)
    }

    fn end(self) -> NaiveDate {
        self.day(self.days - 1)
    }

    /// Spreads `rows` over the days: the rows of day `index`.
    fn share(self, rows: u64, index: u64) -> u64 {
        rows * (index + 1) / self.days - rows * index / self.days
    }
}

fn create(dir: &Path, name: &str) -> std::io::Result<(PathBuf, BufWriter<std::fs::File>)> {
    let path = dir.join(name);
    let file = std::fs::File::create(&path)?;
    Ok((path, BufWriter::with_capacity(1 << 20, file)))
}

/// Dollars with many decimals, as the OpenAI export writes them (`5.471497499999999903`).
fn long_decimal(rng: &mut Rng, max_cents: u64) -> String {
    let micros = rng.below(max_cents * 10_000) + 1;
    let noise = rng.below(1_000_000_000_000);
    format!(
        "{}.{:06}{noise:012}",
        micros / 1_000_000,
        micros % 1_000_000
    )
}

fn cents(amount: u64) -> String {
    format!("{}.{:02}", amount / 100, amount % 100)
}

/// One unit of work the exports repeat each day: a project (or workspace and key) with a model
/// and a token kind.
struct Line {
    scope: usize,
    model: usize,
    kind: usize,
}

/// Every combination of scope, model and kind, each scope using a few of the models.
fn lines(rng: &mut Rng, scopes: usize, models: usize, kinds: &[&[usize]]) -> Vec<Line> {
    let mut out = Vec::new();
    for scope in 0..scopes {
        let first = usize::try_from(rng.below(models as u64)).unwrap_or(0);
        let used = 2 + usize::try_from(rng.below(3)).unwrap_or(0);
        for m in 0..used.min(models) {
            let model = (first + m * 3) % models;
            for &kind in kinds[model % kinds.len()] {
                out.push(Line { scope, model, kind });
            }
        }
    }
    out
}

const OPENAI_MODELS: [&str; 10] = [
    "gpt-4o-2024-08-06",
    "gpt-4o-mini",
    "gpt-4.1",
    "gpt-4.1-mini",
    "o3",
    "o4-mini",
    "gpt-5",
    "gpt-5-mini",
    "gpt-5-nano",
    "text-embedding-3-small",
];
const OPENAI_KINDS: [&str; 3] = ["input", "output", "cached input"];
const PROJECT_WORDS: [&str; 12] = [
    "Web app",
    "Support bot",
    "Search",
    "Batch jobs",
    "Mobile",
    "Evals",
    "Docs",
    "Billing",
    "Insights",
    "Agents",
    "Sales",
    "Internal",
];

fn openai_cost(
    dir: &Path,
    span: Span,
    rows: u64,
    rng: &mut Rng,
) -> std::io::Result<(PathBuf, u64)> {
    let name = format!("cost_{}_{}.csv", span.start, span.end() + Days::new(1));
    let (path, mut w) = create(dir, &name)?;
    writeln!(
        w,
        "start_time,end_time,start_time_iso,end_time_iso,amount_value,amount_currency,quantity,quantity_unit,line_item,user_id,api_key_id,project_id,organization_id,project_name,organization_name,user_email,api_source"
    )?;
    // About six rows a project a day: enough projects that a day's rows are all different.
    let per_day = rows.div_ceil(span.days).max(1);
    let projects = usize::try_from(per_day.div_ceil(5).max(3)).unwrap_or(3);
    let kinds: [&[usize]; 4] = [&[0, 1, 2], &[0, 1], &[0, 1, 2], &[0]];
    let all = lines(rng, projects, OPENAI_MODELS.len(), &kinds);
    let orgs = [
        ("org-northwind", "Northwind Labs"),
        ("org-nwresearch", "Northwind Research"),
    ];
    let mut written = 0;
    let mut line = String::with_capacity(512);
    for index in 0..span.days {
        let day = span.day(index);
        let start = day.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc();
        let ts = start.timestamp();
        let next = day + Days::new(1);
        let today = span.share(rows, index);
        if today == 0 {
            // A day without usage: only the time columns, as the export writes it.
            writeln!(
                w,
                "{ts},{},{day}T00:00:00+00:00,{next}T00:00:00+00:00,,,,,,,,,,,,,",
                ts + 86_400
            )?;
            written += 1;
            continue;
        }
        let offset = usize::try_from(rng.below(all.len() as u64)).unwrap_or(0);
        for i in 0..usize::try_from(today).unwrap_or(0).min(all.len()) {
            let l = &all[(offset + i) % all.len()];
            let (org_id, org_name) = orgs[l.scope % orgs.len()];
            let model = OPENAI_MODELS[l.model];
            let kind = OPENAI_KINDS[l.kind];
            let word = PROJECT_WORDS[l.scope % PROJECT_WORDS.len()];
            let amount = long_decimal(rng, 4_000);
            let tokens = rng.below(5_000_000) + 100;
            line.clear();
            let _ = write!(
                line,
                "{ts},{},{day}T00:00:00+00:00,{next}T00:00:00+00:00,{amount},usd,{tokens},tokens,\"{model}, {kind}\",,key_{:04},proj_{:04},{org_id},{word} {},{org_name},,",
                ts + 86_400,
                l.scope,
                l.scope,
                l.scope / PROJECT_WORDS.len() + 1,
            );
            writeln!(w, "{line}")?;
            written += 1;
        }
    }
    w.flush()?;
    Ok((path, written))
}

const CLAUDE_MODELS: [&str; 5] = [
    "Claude Sonnet 4.5",
    "Claude Opus 4.5",
    "Claude Haiku 4.5",
    "Claude Sonnet 4",
    "Claude Opus 4.1",
];
const CLAUDE_TOKENS: [&str; 5] = [
    "input_no_cache",
    "output",
    "input_cache_read",
    "input_cache_write_5m",
    "input_cache_write_1h",
];

fn anthropic_cost(
    dir: &Path,
    span: Span,
    rows: u64,
    rng: &mut Rng,
) -> std::io::Result<(PathBuf, u64)> {
    let name = format!("claude_api_cost_{}_to_{}.csv", span.start, span.end());
    let (path, mut w) = create(dir, &name)?;
    writeln!(
        w,
        "usage_date_utc,model,workspace,api_key,usage_type,context_window,token_type,cost_usd,list_price_usd,cost_type,inference_geo,speed,api_key_id,api_key_status"
    )?;
    let per_day = rows.div_ceil(span.days).max(1);
    let keys = usize::try_from(per_day.div_ceil(8).max(2)).unwrap_or(2);
    let kinds: [&[usize]; 2] = [&[0, 1, 2, 3], &[0, 1, 2, 3, 4]];
    let all = lines(rng, keys, CLAUDE_MODELS.len(), &kinds);
    let mut written = 0;
    for index in 0..span.days {
        let day = span.day(index);
        let today = span.share(rows, index);
        let offset = usize::try_from(rng.below(all.len() as u64)).unwrap_or(0);
        for i in 0..usize::try_from(today).unwrap_or(0).min(all.len()) {
            let l = &all[(offset + i) % all.len()];
            // Three keys a workspace; the first workspace is the Default one (written empty).
            let workspace = l.scope / 3;
            let workspace_name = if workspace == 0 {
                String::new()
            } else {
                format!("{} team", PROJECT_WORDS[workspace % PROJECT_WORDS.len()])
            };
            let cost = rng.below(30_000);
            let context = if rng.chance(10) { "> 200k" } else { "≤ 200k" };
            writeln!(
                w,
                "{day},{},{workspace_name},key-{:03},message,{context},{},{},{},token,not_available,,apikey_01{:06},active",
                CLAUDE_MODELS[l.model],
                l.scope,
                CLAUDE_TOKENS[l.kind],
                cents(cost),
                cents(cost),
                l.scope,
            )?;
            written += 1;
        }
    }
    w.flush()?;
    Ok((path, written))
}

/// A credit purchase or recharge of one provider: when, what and in which state.
struct TopUp {
    day: NaiveDate,
    seconds: u32,
    provider: &'static str,
    kind: &'static str,
    cents: u64,
    status: &'static str,
}

/// The top-ups of both providers, a few a month, in day order.
fn top_ups(span: Span, rng: &mut Rng) -> Vec<TopUp> {
    let mut out = Vec::new();
    for index in 0..span.days {
        let day = span.day(index);
        for provider in ["openai", "anthropic"] {
            if !rng.chance(12) {
                continue;
            }
            let recharge = rng.chance(50);
            out.push(TopUp {
                day,
                seconds: u32::try_from(rng.below(86_400)).unwrap_or(0),
                provider,
                kind: if recharge {
                    "auto_recharge"
                } else {
                    "credit_purchase"
                },
                cents: if recharge {
                    2_000
                } else {
                    (1 + rng.below(10)) * 5_000
                },
                status: if rng.chance(3) { "failed" } else { "paid" },
            });
        }
    }
    out
}

fn time_of(seconds: u32) -> String {
    format!(
        "{:02}:{:02}:{:02}",
        seconds / 3600,
        seconds / 60 % 60,
        seconds % 60
    )
}

fn billing(dir: &Path, span: Span, rng: &mut Rng) -> std::io::Result<(PathBuf, u64)> {
    let (path, mut w) = create(dir, "billing.csv")?;
    writeln!(
        w,
        "date,provider,number,kind,amount,currency,status,expires_at,description,organization,project"
    )?;
    let mut written = 0;
    let mut seed = Rng(rng.next());
    for (n, t) in top_ups(span, &mut seed).iter().enumerate() {
        let org = if t.provider == "openai" {
            "Northwind Labs"
        } else {
            ""
        };
        let expires = if t.provider == "openai" && t.status == "paid" {
            (t.day + Days::new(365)).to_string()
        } else {
            String::new()
        };
        writeln!(
            w,
            "{}T{}Z,{},{}-{n:05},{},{},USD,{},{expires},API credits,{org},",
            t.day,
            time_of(t.seconds),
            t.provider,
            if t.provider == "openai" { "2401" } else { "CN" },
            t.kind,
            cents(t.cents),
            t.status,
        )?;
        written += 1;
    }
    // A monthly ChatGPT subscription.
    let mut month = span.start;
    while month <= span.end() {
        writeln!(
            w,
            "{month}T09:14:05Z,openai,SUB-{},subscription,20.00,USD,paid,,ChatGPT Plus,,",
            month.format("%Y%m")
        )?;
        written += 1;
        month = month + Days::new(30);
    }
    w.flush()?;
    Ok((path, written))
}

/// Shops a statement has besides the AI providers.
const SHOPS: [&str; 10] = [
    "Mercadona",
    "Amazon",
    "Uber",
    "Spotify",
    "Lidl",
    "Shell",
    "Netflix",
    "Ikea",
    "Decathlon",
    "Apple.com/bill",
];

fn revolut(dir: &Path, span: Span, lines: u64, rng: &mut Rng) -> std::io::Result<(PathBuf, u64)> {
    let name = format!(
        "revolut_statement_{}_{}.csv",
        span.start.format("%Y-%m"),
        span.end().format("%Y-%m")
    );
    let (path, mut w) = create(dir, &name)?;
    writeln!(
        w,
        "Type,Product,Started Date,Completed Date,Description,Amount,Fee,Currency,State,Balance"
    )?;
    // The providers' top-ups, paid from this account in EUR, among the other lines.
    let mut seed = Rng(rng.next());
    let ups = top_ups(span, &mut seed);
    let mut next_up = ups.iter().peekable();
    let mut balance: i64 = 500_000;
    let mut written = 0;
    for index in 0..span.days {
        let day = span.day(index);
        let pending_days = index + 3 >= span.days;
        let mut today: Vec<(String, &str, String, i64, &str)> = Vec::new();
        while let Some(t) = next_up.next_if(|t| t.day == day) {
            let eur = i64::try_from(t.cents * 92 / 100).unwrap_or(0);
            let description = if t.provider == "openai" {
                "Openai *api"
            } else {
                "Anthropic"
            };
            let state = match t.status {
                "failed" => "DECLINED",
                _ if pending_days => "PENDING",
                _ => "COMPLETED",
            };
            today.push((
                time_of(t.seconds),
                "CARD_PAYMENT",
                description.into(),
                -eur,
                state,
            ));
        }
        for n in 0..span.share(lines, index).saturating_sub(today.len() as u64) {
            let seconds = u32::try_from(rng.below(86_400)).unwrap_or(0);
            let (kind, description, amount) = if n % 17 == 16 {
                ("TOPUP", "Top-Up by *4821".to_string(), 40_000)
            } else {
                let shop = *rng.pick(&SHOPS);
                let amount = i64::try_from(rng.below(12_000) + 99).unwrap_or(99);
                ("CARD_PAYMENT", shop.to_string(), -amount)
            };
            let state = if pending_days && amount < 0 {
                "PENDING"
            } else if rng.chance(1) {
                "REVERTED"
            } else {
                "COMPLETED"
            };
            today.push((time_of(seconds), kind, description, amount, state));
        }
        today.sort_by(|a, b| a.0.cmp(&b.0));
        for (time, kind, description, amount, state) in today {
            let started = format!("{day} {time}");
            let (completed, shown_balance) = if state == "PENDING" {
                (String::new(), String::new())
            } else {
                if state == "COMPLETED" {
                    balance += amount;
                }
                (started.clone(), signed_cents(balance))
            };
            writeln!(
                w,
                "{kind},Current,{started},{completed},{description},{},0.00,EUR,{state},{shown_balance}",
                signed_cents(amount)
            )?;
            written += 1;
        }
    }
    w.flush()?;
    Ok((path, written))
}

fn signed_cents(amount: i64) -> String {
    let sign = if amount < 0 { "-" } else { "" };
    format!("{sign}{}", cents(amount.unsigned_abs()))
}

fn chase(dir: &Path, span: Span, lines: u64, rng: &mut Rng) -> std::io::Result<(PathBuf, u64)> {
    let name = format!("Chase4821_Activity_{}.CSV", span.end().format("%Y%m%d"));
    let (path, mut w) = create(dir, &name)?;
    writeln!(
        w,
        "Card,Transaction Date,Post Date,Description,Category,Type,Amount,Memo"
    )?;
    let mut written = 0;
    // Newest first, as Chase writes it.
    for index in (0..span.days).rev() {
        let day = span.day(index);
        let post = day + Days::new(1 + rng.below(2));
        for _ in 0..span.share(lines, index) {
            let (description, category, amount) = match rng.below(8) {
                0 => ("OPENAI", "Professional Services", 2_000),
                1 => (
                    "ANTHROPIC",
                    "Professional Services",
                    1_000 * (1 + rng.below(5)),
                ),
                2 => ("GITHUB INC", "Shopping", 1_000),
                _ => (*rng.pick(&SHOPS), "Shopping", rng.below(20_000) + 100),
            };
            writeln!(
                w,
                "4821,{},{},{description},{category},Sale,-{},",
                day.format("%m/%d/%Y"),
                post.format("%m/%d/%Y"),
                cents(amount)
            )?;
            written += 1;
        }
    }
    w.flush()?;
    Ok((path, written))
}

fn ecb_rates(dir: &Path, span: Span, rng: &mut Rng) -> std::io::Result<(PathBuf, u64)> {
    let (path, mut w) = create(dir, "eurofxref-hist.csv")?;
    writeln!(w, "Date,USD,JPY,GBP,CHF,")?;
    let mut written = 0;
    for index in (0..span.days).rev() {
        let day = span.day(index);
        if matches!(
            chrono::Datelike::weekday(&day),
            chrono::Weekday::Sat | chrono::Weekday::Sun
        ) {
            continue;
        }
        let wobble = rng.below(400);
        writeln!(
            w,
            "{day},1.{:04},{}.{:02},0.{:04},0.{:04},",
            1_400 + wobble,
            165 + wobble / 50,
            wobble % 100,
            8_400 + wobble / 4,
            9_200 + wobble / 3
        )?;
        written += 1;
    }
    w.flush()?;
    Ok((path, written))
}
