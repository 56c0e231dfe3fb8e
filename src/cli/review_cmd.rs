//! `burnrate report --month YYYY-MM --review [--json|--csv]` and `--html FILE`: the monthly
//! review on the command line, as tables for people, one JSON object of named tables, CSV
//! sections, or one self-contained HTML file to send.
//!
//! The review is computed by `domain::review` from what the store loads; payment pairs come
//! from the one matching rule (`domain::matching`) and the flags from the detectors, as of
//! `--as-of` (today at the edge). The review's [`Table`]s and its HTML live in
//! `domain::review_report` (the window saves the same report); this module prints them, so the
//! JSON, the CSV, the text and the HTML always show the same figures. Amounts are
//! decimal strings rounded to cents (as in every burnrate JSON); percentages and counts are
//! numbers, `null` when there is none ("new"). CSV sections start with a `# table NAME` line;
//! text cells go through [`csv_safe_text`] so a spreadsheet never runs them as formulas, while
//! numbers stay numbers.

use std::io::Write as _;
use std::path::Path;

use anyhow::{Context, bail};
use chrono::NaiveDate;
use serde_json::{Map, Value, json};

use super::ReportArgs;
use super::output::csv_safe_text;
use crate::domain::review::Review;
use crate::domain::review_report::{self, Cell, Table, tables};
use crate::services::review::load_review;
use crate::store::{Period, Store};

fn cell_json(cell: &Cell) -> Value {
    match cell {
        Cell::Text(t) => json!(t),
        Cell::Money(a) => json!(a.to_cents_string()),
        Cell::Percent(p) | Cell::Share(p) => json!(p),
        Cell::Count(n) => json!(n),
        Cell::Day(d) => json!(d.map(|d| d.to_string())),
        Cell::NoRate => Value::Null,
    }
}

fn cell_csv(cell: &Cell) -> String {
    match cell {
        Cell::Text(t) => csv_safe_text(t),
        Cell::Money(a) => a.to_cents_string(),
        Cell::Percent(p) | Cell::Share(p) => p.map(|p| p.to_string()).unwrap_or_default(),
        Cell::Count(n) => n.to_string(),
        Cell::Day(d) => d.map(|d| d.to_string()).unwrap_or_default(),
        Cell::NoRate => String::new(),
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
    root.insert("comparison".into(), json!(r.comparison_label()));
    for t in tables {
        let rows: Vec<Value> = t
            .rows
            .iter()
            .map(|row| {
                let obj: Map<String, Value> = t
                    .columns
                    .iter()
                    .zip(row)
                    .map(|(c, cell)| ((*c).to_string(), cell_json(cell)))
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
            w.write_record(row.iter().map(cell_csv))?;
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
        "Monthly review {} ({}), in {}, as of {} ({state})",
        r.month_label(),
        r.comparison_label(),
        r.currency,
        r.as_of
    )?;
    if r.partial() {
        writeln!(
            out,
            "The month is under way: its first {} days are compared with the same days of {}; projected month end {} {}.",
            r.days_elapsed,
            r.previous_label(),
            r.total_projected.to_cents_string(),
            r.currency
        )?;
    }
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

/// `report --month YYYY-MM --review|--html FILE`.
///
/// # Errors
/// When the month is not a month, the ledger cannot be read, or the file cannot be written.
pub fn review_command(db: &Path, args: &ReportArgs, as_of: NaiveDate) -> anyhow::Result<i32> {
    let Some(text) = args.month.as_deref() else {
        bail!("the review is of one month: add --month YYYY-MM");
    };
    let month = Period::month(text)
        .and_then(|p| p.from)
        .with_context(|| format!("'{text}' is not a month; write it as YYYY-MM"))?;
    let store = Store::open(db)?;
    let review = load_review(&store, month, as_of)?;
    let mut tables = tables(&review);
    let gaps = store.billing_gaps(&Period::month(text).unwrap_or_else(Period::all))?;
    if !gaps.is_empty() {
        tables.push(Table {
            name: "agent_logs_vs_billed",
            title: "Coding-agent logs on API credit against what the provider billed (more than 5% apart)".into(),
            columns: vec!["provider", "tools", "billed", "logs_value", "difference_percent"],
            rows: gaps
                .into_iter()
                .map(|g| vec![Cell::Text(g.provider), Cell::Text(g.tools), Cell::Money(g.billed), Cell::Money(g.value), Cell::Percent(g.percent)])
                .collect(),
        });
    }
    if let Some(path) = &args.html {
        let html = review_report::render(&review, &tables);
        crate::store::write_private(path, html.as_bytes())
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
    // A review of thousands of lines: written in blocks, not a system call per line.
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
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
    out.flush()?;
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::money::Amount;

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
