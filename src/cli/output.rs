//! Printing for the command line: aligned tables for people, JSON and CSV for scripts. CSV
//! cells of text that a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, a
//! tab or a carriage return) get a leading apostrophe; numbers stay numbers.

use std::io::Write;

use crate::domain::import::{formats, receipts};
use crate::store::{ImportReport, ReportRow, SourceFileRow};

pub use crate::services::export::csv_safe_text;

pub fn formats(json: bool) -> anyhow::Result<()> {
    let all = formats::all();
    if json {
        let list: Vec<_> = all
            .iter()
            .map(|f| serde_json::json!({"id": f.id(), "name": f.name(), "kind": f.kind().as_str(), "columns": f.signature()}))
            .chain(crate::domain::agents::LOG_FORMATS.iter().map(|(id, name, signature)| {
                serde_json::json!({"id": id, "name": name, "kind": "agent", "columns": signature})
            }))
            .collect();
        println!("{}", serde_json::to_string_pretty(&list)?);
        return Ok(());
    }
    let width = all.iter().map(|f| f.id().len()).max().unwrap_or(0);
    let mut out = std::io::stdout().lock();
    for f in all {
        writeln!(
            out,
            "{:width$}  {:7}  {}",
            f.id(),
            f.kind().as_str(),
            f.name()
        )?;
        writeln!(out, "{:width$}           columns: {}", "", f.signature())?;
    }
    for (id, name, signature) in crate::domain::agents::LOG_FORMATS {
        writeln!(out, "{id:width$}  {:7}  {name}", "agent")?;
        writeln!(out, "{:width$}           lines: {signature}", "")?;
    }
    Ok(())
}

pub fn import_reports(reports: &[ImportReport], dry_run: bool) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    for r in reports {
        let Some(format) = r
            .format
            .as_deref()
            .filter(|_| r.error.is_none() || !r.rejected.is_empty())
        else {
            writeln!(out, "{}: not imported", r.file)?;
            continue;
        };
        let name = formats::by_id(format).map_or(format, |f| f.name());
        if format == receipts::EMAIL_FORMAT || format == receipts::PDF_FORMAT {
            receipt_report(&mut out, r, name, dry_run)?;
            continue;
        }
        let verb = if dry_run {
            "would import"
        } else if r.written {
            "imported"
        } else {
            "nothing imported; it would have brought"
        };
        writeln!(
            out,
            "{}: {name}, {} rows: {verb} {} new, {} updated, {} duplicate, {} rejected{}",
            r.file,
            r.rows,
            r.inserted,
            r.updated,
            r.duplicates,
            r.rejected.len(),
            if r.skipped > 0 {
                format!(", {} empty skipped", r.skipped)
            } else {
                String::new()
            }
        )?;
        if let Some(left) = r.left_out.as_ref().filter(|l| l.rows > 0) {
            let cost: Vec<String> = left
                .cost
                .iter()
                .map(|c| format!("{} {}", c.amount.to_cents_string(), c.currency))
                .collect();
            writeln!(
                out,
                "  {} row(s) of other services left out (not AI spend){}",
                left.rows,
                if cost.is_empty() {
                    String::new()
                } else {
                    format!(", costing {}", cost.join(" + "))
                }
            )?;
        }
        if r.look_alikes > 0 {
            writeln!(
                out,
                "  {} new line(s) share a day and amount with another line but not its id; all were kept (check them for double charges)",
                r.look_alikes
            )?;
        }
        masked_secrets(&mut out, r.masked_secrets, "names or descriptions")?;
        for e in r.rejected.iter().take(50) {
            writeln!(out, "  rejected {e}")?;
        }
        if r.rejected.len() > 50 {
            writeln!(
                out,
                "  ... and {} more rejected rows (use --json for all)",
                r.rejected.len() - 50
            )?;
        }
    }
    Ok(())
}

/// The line that says how many keys an import masked (`found_in`: where they were), if any.
pub fn masked_secrets(out: &mut impl Write, masked: u64, found_in: &str) -> std::io::Result<()> {
    if masked == 0 {
        return Ok(());
    }
    writeln!(
        out,
        "  {masked} secret key(s) found in {found_in} were masked before they were stored (only their prefix and last four characters are kept)"
    )
}

/// `1234567` as `1,234,567`.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// What a receipt import found: receipts new and known, messages that were not receipts.
fn receipt_report(
    out: &mut impl Write,
    r: &ImportReport,
    name: &str,
    dry_run: bool,
) -> anyhow::Result<()> {
    let verb = if dry_run {
        "would import"
    } else if r.written {
        "imported"
    } else {
        "nothing imported; it would have brought"
    };
    let unit = if r.rows == 1 { "message" } else { "messages" };
    let unit = if name.starts_with("PDF") {
        "file"
    } else {
        unit
    };
    writeln!(
        out,
        "{}: {name}, {} {unit}: {verb} {} new receipt(s), {} updated, {} already in the ledger, {} unreadable",
        r.file,
        thousands(r.rows),
        r.inserted,
        r.updated,
        r.duplicates,
        r.rejected.len()
    )?;
    let tally = r.receipts.as_deref().cloned().unwrap_or_default();
    if tally.not_receipts > 0 {
        let what = if tally.not_receipts == 1 {
            "1 message was not a receipt".to_string()
        } else {
            format!(
                "{} messages were not receipts",
                thousands(tally.not_receipts)
            )
        };
        writeln!(out, "  {what} (not stored)")?;
    }
    if !tally.unknown_merchants.is_empty() {
        writeln!(
            out,
            "  receipts from merchants burnrate does not track: {} (to track one: burnrate settings rule add NAME --provider NAME)",
            tally.unknown_merchants.join(", ")
        )?;
    }
    masked_secrets(
        out,
        r.masked_secrets,
        "receipts' names, items or descriptions",
    )?;
    for e in r.rejected.iter().take(50) {
        writeln!(out, "  unreadable: {e}")?;
    }
    Ok(())
}

pub fn report_table(out: &mut impl Write, rows: &[ReportRow]) -> anyhow::Result<()> {
    if rows.is_empty() {
        writeln!(out, "Nothing in the ledger for this period.")?;
        return Ok(());
    }
    let amounts: Vec<String> = rows.iter().map(|r| r.amount.to_cents_string()).collect();
    let pw = rows
        .iter()
        .map(|r| r.period.chars().count())
        .max()
        .unwrap_or(0)
        .max(6);
    let gw = rows
        .iter()
        .map(|r| r.group.chars().count())
        .max()
        .unwrap_or(0)
        .max(5);
    let aw = amounts.iter().map(String::len).max().unwrap_or(0).max(6);
    writeln!(
        out,
        "{:pw$}  {:gw$}  {:>aw$}  CURRENCY",
        "PERIOD", "GROUP", "AMOUNT"
    )?;
    for (r, a) in rows.iter().zip(&amounts) {
        writeln!(
            out,
            "{:pw$}  {:gw$}  {a:>aw$}  {}",
            r.period, r.group, r.currency
        )?;
    }
    Ok(())
}

pub fn report_csv(out: &mut impl Write, rows: &[ReportRow]) -> anyhow::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(["period", "group", "amount", "currency"])?;
    for r in rows {
        w.write_record([
            csv_safe_text(&r.period),
            csv_safe_text(&r.group),
            r.amount.to_cents_string(),
            csv_safe_text(&r.currency),
        ])?;
    }
    w.flush()?;
    Ok(())
}

pub fn history(files: &[SourceFileRow]) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    if files.is_empty() {
        writeln!(out, "No files imported yet.")?;
    }
    for f in files {
        writeln!(
            out,
            "{:>4}  {}  {}  ({})  {} rows: {} new, {} updated, {} duplicate, {} rejected",
            f.id,
            f.imported_at,
            f.name,
            f.format,
            f.rows,
            f.inserted,
            f.updated,
            f.duplicates,
            f.rejected
        )?;
    }
    Ok(())
}
