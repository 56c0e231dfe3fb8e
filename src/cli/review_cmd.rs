//! `burnrate report --month YYYY-MM --review [--json|--csv]` and `--html FILE`: the monthly
//! review on the command line, as tables for people, one JSON object of named tables, CSV
//! sections, or one self-contained HTML file to send.
//!
//! The review is computed by `domain::review` from what the store loads; payment pairs come
//! from the one matching rule (`domain::matching`) and the flags from the detectors, as of
//! `--as-of` (today at the edge). This module turns the review into [`Table`]s that every output
//! shares, so the JSON, the CSV, the text and the HTML always show the same figures. Amounts are
//! decimal strings rounded to cents (as in every burnrate JSON); percentages and counts are
//! numbers, `null` when there is none ("new"). CSV sections start with a `# table NAME` line;
//! text cells go through [`csv_safe_text`] so a spreadsheet never runs them as formulas, while
//! numbers stay numbers.

use std::collections::BTreeSet;
use std::io::Write as _;
use std::path::Path;

use anyhow::{Context, bail};
use chrono::NaiveDate;
use serde_json::{Map, Value, json};

use super::ReportArgs;
use super::output::csv_safe_text;
use crate::domain::flags;
use crate::domain::matching;
use crate::domain::money::Amount;
use crate::domain::review::{self, ChangeRow, Review, ReviewInputs, TrailLine};
use crate::store::{Period, Store};

/// One cell of a review table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    Text(String),
    /// Printed rounded to cents.
    Money(Amount),
    /// Whole percent; `None` prints as "new" in text and `null` in JSON.
    Percent(Option<i64>),
    /// A share in whole percent (of a budget, of the change): never signed.
    Share(Option<i64>),
    Count(i64),
    Day(Option<NaiveDate>),
    /// An amount that could not be converted for want of a rate: "no rate", `null` in JSON.
    NoRate,
}

impl Cell {
    fn text(value: &str) -> Self {
        Cell::Text(value.to_string())
    }

    fn money(value: Option<Amount>) -> Self {
        value.map_or(Cell::NoRate, Cell::Money)
    }

    /// The cell for people (text output and HTML).
    pub fn display(&self) -> String {
        match self {
            Cell::Text(t) => t.clone(),
            Cell::Money(a) => a.to_cents_string(),
            Cell::Percent(Some(p)) if *p > 0 => format!("+{p}%"),
            Cell::Percent(Some(p)) | Cell::Share(Some(p)) => format!("{p}%"),
            Cell::Percent(None) => "new".to_string(),
            Cell::Share(None) => String::new(),
            Cell::Count(n) => n.to_string(),
            Cell::Day(d) => d.map(|d| d.to_string()).unwrap_or_default(),
            Cell::NoRate => "no rate".to_string(),
        }
    }

    /// Whether the cell is a number (right-aligned).
    pub fn is_number(&self) -> bool {
        matches!(
            self,
            Cell::Money(_) | Cell::Percent(_) | Cell::Share(_) | Cell::Count(_) | Cell::NoRate
        )
    }

    fn json(&self) -> Value {
        match self {
            Cell::Text(t) => json!(t),
            Cell::Money(a) => json!(a.to_cents_string()),
            Cell::Percent(p) | Cell::Share(p) => json!(p),
            Cell::Count(n) => json!(n),
            Cell::Day(d) => json!(d.map(|d| d.to_string())),
            Cell::NoRate => Value::Null,
        }
    }

    fn csv(&self) -> String {
        match self {
            Cell::Text(t) => csv_safe_text(t),
            Cell::Money(a) => a.to_cents_string(),
            Cell::Percent(p) | Cell::Share(p) => p.map(|p| p.to_string()).unwrap_or_default(),
            Cell::Count(n) => n.to_string(),
            Cell::Day(d) => d.map(|d| d.to_string()).unwrap_or_default(),
            Cell::NoRate => String::new(),
        }
    }
}

/// One table of the review.
#[derive(Debug, Clone)]
pub struct Table {
    /// The name in JSON and CSV (`by_project`).
    pub name: &'static str,
    /// The heading for people.
    pub title: String,
    pub columns: Vec<&'static str>,
    pub rows: Vec<Vec<Cell>>,
}

fn change_table(name: &'static str, title: String, key: &'static str, rows: &[ChangeRow]) -> Table {
    Table {
        name,
        title,
        columns: vec![key, "this_month", "last_month", "change", "change_percent"],
        rows: rows
            .iter()
            .map(|r| {
                vec![
                    Cell::text(&r.name),
                    Cell::Money(r.current),
                    Cell::Money(r.previous),
                    Cell::Money(r.change),
                    Cell::Percent(r.percent),
                ]
            })
            .collect(),
    }
}

fn trail_table(name: &'static str, title: &str, lines: &[TrailLine]) -> Table {
    Table {
        name,
        title: title.to_string(),
        columns: vec![
            "record",
            "day",
            "provider",
            "kind",
            "description",
            "original",
            "original_currency",
            "amount",
        ],
        rows: lines
            .iter()
            .map(|l| {
                vec![
                    Cell::text(&l.record),
                    Cell::Day(Some(l.day)),
                    Cell::text(&l.provider),
                    Cell::text(&l.kind),
                    Cell::text(&l.description),
                    Cell::Money(l.original),
                    Cell::text(&l.original_currency),
                    Cell::money(l.amount),
                ]
            })
            .collect(),
    }
}

fn count(n: usize) -> Cell {
    Cell::Count(i64::try_from(n).unwrap_or(i64::MAX))
}

/// Every table of the review, in reading order.
pub fn tables(r: &Review) -> Vec<Table> {
    let cur = &r.currency;
    vec![
        summary_table(r),
        change_table(
            "by_provider",
            format!("Usage cost by provider ({cur})"),
            "provider",
            &r.by_provider,
        ),
        change_table(
            "by_project",
            format!("Usage cost by project ({cur})"),
            "project",
            &r.by_project,
        ),
        change_table(
            "by_model",
            format!("Usage cost by model ({cur})"),
            "model",
            &r.by_model,
        ),
        drivers_table(r),
        budgets_table(r),
        money_trail_table(r),
        trail_table(
            "unmatched_billing",
            "Provider billing with no bank or card line",
            &r.unmatched_billing,
        ),
        trail_table(
            "unmatched_bank",
            "Bank and card lines with no provider billing",
            &r.unmatched_bank,
        ),
        flags_table(r),
        conversions_table(r),
        missing_rates_table(r),
    ]
}

fn summary_table(r: &Review) -> Table {
    let cur = &r.currency;
    Table {
        name: "summary",
        title: format!("Summary ({cur})"),
        columns: vec![
            "month",
            "previous_month",
            "currency",
            "as_of",
            "days_elapsed",
            "days_in_month",
            "this_month",
            "last_month",
            "change",
            "change_percent",
            "missing_rates",
        ],
        rows: vec![vec![
            Cell::Text(r.month_label()),
            Cell::Text(r.previous_label()),
            Cell::text(cur),
            Cell::Day(Some(r.as_of)),
            Cell::Count(r.days_elapsed),
            Cell::Count(r.days_in_month),
            Cell::Money(r.total.current),
            Cell::Money(r.total.previous),
            Cell::Money(r.total.change),
            Cell::Percent(r.total.percent),
            count(r.missing_rates.len()),
        ]],
    }
}

fn drivers_table(r: &Review) -> Table {
    Table {
        name: "drivers",
        title: "What drove the change".to_string(),
        columns: vec![
            "dimension",
            "name",
            "this_month",
            "last_month",
            "change",
            "change_percent",
            "share_percent",
        ],
        rows: r
            .drivers
            .iter()
            .map(|d| {
                vec![
                    Cell::text(d.dimension),
                    Cell::text(&d.row.name),
                    Cell::Money(d.row.current),
                    Cell::Money(d.row.previous),
                    Cell::Money(d.row.change),
                    Cell::Percent(d.row.percent),
                    Cell::Share(Some(d.share_percent)),
                ]
            })
            .collect(),
    }
}

fn budgets_table(r: &Review) -> Table {
    Table {
        name: "budgets",
        title: "Budgets".to_string(),
        columns: vec![
            "scope",
            "name",
            "currency",
            "spent",
            "budget",
            "percent",
            "projected",
            "crossed_on",
        ],
        rows: r
            .budgets
            .iter()
            .map(|b| {
                vec![
                    Cell::text(b.scope_str()),
                    Cell::text(&b.name),
                    Cell::text(&b.currency),
                    Cell::Money(b.spent),
                    Cell::Money(b.budget),
                    Cell::Share(b.percent),
                    Cell::Money(b.projected),
                    Cell::Day(b.crossed_on),
                ]
            })
            .collect(),
    }
}

fn money_trail_table(r: &Review) -> Table {
    let cur = &r.currency;
    let mut trail: Vec<Vec<Cell>> = r
        .trail
        .lines()
        .into_iter()
        .map(|(item, amount)| vec![Cell::text(item), Cell::Money(amount), Cell::text(cur)])
        .collect();
    if let Some(total) = r.trail.credits_total() {
        trail.insert(
            4,
            vec![
                Cell::text("credits (all kinds)"),
                Cell::Money(total),
                Cell::text(cur),
            ],
        );
    }
    Table {
        name: "money_trail",
        title: format!("Money trail ({cur})"),
        columns: vec!["item", "amount", "currency"],
        rows: trail,
    }
}

fn flags_table(r: &Review) -> Table {
    Table {
        name: "flags",
        title: "Flags of the month".to_string(),
        columns: vec!["date", "kind", "severity", "provider", "message", "id"],
        rows: r
            .flags
            .iter()
            .map(|f| {
                vec![
                    Cell::Day(Some(f.date)),
                    Cell::text(f.kind),
                    Cell::text(f.severity),
                    Cell::text(&f.provider),
                    Cell::text(&f.message),
                    Cell::text(&f.id),
                ]
            })
            .collect(),
    }
}

fn conversions_table(r: &Review) -> Table {
    let cur = &r.currency;
    Table {
        name: "conversions",
        title: format!("Converted into {cur} (original amounts)"),
        columns: vec![
            "source",
            "day",
            "original",
            "original_currency",
            "converted",
        ],
        rows: r
            .conversions
            .iter()
            .map(|c| {
                vec![
                    Cell::text(c.source),
                    Cell::Day(Some(c.day)),
                    Cell::Money(c.original),
                    Cell::text(&c.original_currency),
                    Cell::money(c.converted),
                ]
            })
            .collect(),
    }
}

fn missing_rates_table(r: &Review) -> Table {
    Table {
        name: "missing_rates",
        title: "Missing exchange rates".to_string(),
        columns: vec!["day", "currency"],
        rows: r
            .missing_rates
            .iter()
            .map(|m| vec![Cell::Day(Some(m.day)), Cell::text(&m.currency)])
            .collect(),
    }
}

/// The review as one JSON object: the month's identity, then every table by name.
pub fn to_json(r: &Review, tables: &[Table]) -> Value {
    let mut root = Map::new();
    root.insert("month".into(), json!(r.month_label()));
    root.insert("previous_month".into(), json!(r.previous_label()));
    root.insert("currency".into(), json!(r.currency));
    root.insert("as_of".into(), json!(r.as_of.to_string()));
    root.insert("complete".into(), json!(r.complete()));
    for t in tables {
        let rows: Vec<Value> = t
            .rows
            .iter()
            .map(|row| {
                let obj: Map<String, Value> = t
                    .columns
                    .iter()
                    .zip(row)
                    .map(|(c, cell)| ((*c).to_string(), cell.json()))
                    .collect();
                Value::Object(obj)
            })
            .collect();
        root.insert(t.name.into(), Value::Array(rows));
    }
    Value::Object(root)
}

/// Every table as its own CSV section, each after a `# table NAME` line and a blank line apart.
///
/// # Errors
/// When the output cannot be written.
pub fn write_csv(out: &mut impl std::io::Write, tables: &[Table]) -> anyhow::Result<()> {
    for (i, t) in tables.iter().enumerate() {
        if i > 0 {
            writeln!(out)?;
        }
        writeln!(out, "# table {}", t.name)?;
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(&t.columns)?;
        for row in &t.rows {
            w.write_record(row.iter().map(Cell::csv))?;
        }
        out.write_all(&w.into_inner().map_err(|e| anyhow::anyhow!("{e}"))?)?;
    }
    Ok(())
}

/// Every table aligned for people.
///
/// # Errors
/// When the output cannot be written.
pub fn write_text(
    out: &mut impl std::io::Write,
    r: &Review,
    tables: &[Table],
) -> anyhow::Result<()> {
    let state = if r.complete() {
        "complete".to_string()
    } else {
        format!("{} of {} days", r.days_elapsed, r.days_in_month)
    };
    writeln!(
        out,
        "Monthly review {} (against {}), in {}, as of {} ({state})",
        r.month_label(),
        r.previous_label(),
        r.currency,
        r.as_of
    )?;
    if !r.missing_rates.is_empty() {
        writeln!(
            out,
            "Totals are incomplete: {} exchange rate(s) are missing (import the ECB rates of those days).",
            r.missing_rates.len()
        )?;
    }
    for t in tables.iter().skip(1) {
        writeln!(out)?;
        writeln!(out, "{}", t.title)?;
        if t.rows.is_empty() {
            writeln!(out, "  (none)")?;
            continue;
        }
        let cells: Vec<Vec<String>> = t
            .rows
            .iter()
            .map(|row| {
                row.iter()
                    .map(|c| c.display().replace(['\n', '\r'], " "))
                    .collect()
            })
            .collect();
        let widths: Vec<usize> = t
            .columns
            .iter()
            .enumerate()
            .map(|(i, c)| {
                cells
                    .iter()
                    .filter_map(|row| row.get(i))
                    .map(|s| s.chars().count())
                    .chain([c.len()])
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let numeric: Vec<bool> = (0..t.columns.len())
            .map(|i| {
                t.rows
                    .first()
                    .and_then(|r| r.get(i))
                    .is_some_and(Cell::is_number)
            })
            .collect();
        let line = |values: Vec<String>| -> String {
            values
                .iter()
                .zip(&widths)
                .zip(&numeric)
                .map(|((v, w), num)| {
                    if *num {
                        format!("{v:>w$}")
                    } else {
                        format!("{v:w$}")
                    }
                })
                .collect::<Vec<_>>()
                .join("  ")
                .trim_end()
                .to_string()
        };
        writeln!(
            out,
            "  {}",
            line(t.columns.iter().map(|c| c.to_uppercase()).collect())
        )?;
        for row in cells {
            writeln!(out, "  {}", line(row))?;
        }
    }
    Ok(())
}

fn today() -> NaiveDate {
    chrono::Utc::now().date_naive()
}

/// Computes the review of a month from the ledger, as of a day.
///
/// # Errors
/// When the ledger cannot be read, or a total is too large to add up exactly.
pub fn load_review(store: &Store, month: NaiveDate, as_of: NaiveDate) -> anyhow::Result<Review> {
    let flag_inputs = store.flag_inputs()?;
    let params = store.flag_params()?;
    let dismissed: BTreeSet<String> = store
        .dismissed_flags()?
        .into_iter()
        .map(|d| d.flag_id)
        .collect();
    let all_flags: Vec<_> = flags::detect(&flag_inputs, &params, as_of)
        .into_iter()
        .filter(|f| !dismissed.contains(&f.id))
        .collect();
    let payments = matching::match_payments(&flag_inputs.up_to(as_of), &params);
    let inputs = ReviewInputs {
        usage: store.review_usage(month)?,
        rates: store.review_rates(month)?,
        payments: payments
            .matches
            .iter()
            .map(|m| review::PaymentPair {
                billing_id: m.billing_id,
                bank_id: m.bank_id,
            })
            .collect(),
        undecided_billing: payments
            .review
            .iter()
            .flat_map(|r| r.billing_ids.iter().copied())
            .collect(),
        undecided_bank: payments
            .review
            .iter()
            .flat_map(|r| r.bank_ids.iter().copied())
            .collect(),
        flags: all_flags,
        budgets: flag_inputs.budgets,
        billing: flag_inputs.billing,
        bank: flag_inputs.bank,
    };
    let currency = store.reporting_currency()?;
    Ok(review::build(&inputs, month, as_of, &currency)?)
}

/// `report --month YYYY-MM --review|--html FILE`.
///
/// # Errors
/// When the month is not a month, the ledger cannot be read, or the file cannot be written.
pub fn review_command(
    db: &Path,
    args: &ReportArgs,
    as_of: Option<NaiveDate>,
) -> anyhow::Result<i32> {
    let Some(text) = args.month.as_deref() else {
        bail!("the review is of one month: add --month YYYY-MM");
    };
    let month = Period::month(text)
        .and_then(|p| p.from)
        .with_context(|| format!("'{text}' is not a month; write it as YYYY-MM"))?;
    let store = Store::open(db)?;
    let as_of = as_of.unwrap_or_else(today);
    let review = load_review(&store, month, as_of)?;
    let tables = tables(&review);
    if let Some(path) = &args.html {
        let html = super::html::render(&review, &tables);
        std::fs::write(path, html)
            .with_context(|| format!("could not write the report: {}", path.display()))?;
        if !args.review && !args.json && !args.csv {
            println!(
                "Wrote the review of {} to {}",
                review.month_label(),
                path.display()
            );
            return Ok(0);
        }
    }
    let mut out = std::io::stdout().lock();
    if args.json {
        writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&to_json(&review, &tables))?
        )?;
    } else if args.csv {
        write_csv(&mut out, &tables)?;
    } else {
        write_text(&mut out, &review, &tables)?;
    }
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_sections_neutralise_formulas_and_keep_numbers() {
        let t = Table {
            name: "by_project",
            title: String::new(),
            columns: vec!["project", "change", "change_percent"],
            rows: vec![vec![
                Cell::text("=HYPERLINK(\"x\")"),
                Cell::Money(Amount::from_nanos(-40_000_000_000)),
                Cell::Percent(None),
            ]],
        };
        let mut out = Vec::new();
        write_csv(&mut out, &[t.clone(), t]).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with("# table by_project\nproject,change,change_percent\n\"'=HYPERLINK(\"\"x\"\")\",-40.00,\n"), "{text}");
        assert_eq!(text.matches("# table").count(), 2);
    }
}
