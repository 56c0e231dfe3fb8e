//! The monthly review as one self-contained HTML file to send: inline CSS, charts as inline SVG,
//! no scripts, no fonts, images or style sheets fetched from anywhere, and a print style sheet
//! that fits A4 and Letter.
//!
//! Every piece of text that comes from the ledger (project, model and provider names, bank
//! descriptions, flag messages) goes through [`escape`]; nothing from the ledger is ever written
//! raw. Chart geometry is integer arithmetic on exact amounts (no floats): bar lengths are
//! `amount * width / largest`, in whole pixels.

use std::fmt::Write as _;

use super::review_cmd::{Cell, Table};
use crate::domain::money::Amount;
use crate::domain::review::{ChangeRow, Review};

/// Escapes text for HTML element content and quoted attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

const STYLE: &str = r"
:root { --ink:#1d2430; --muted:#5b6472; --line:#dde2e8; --soft:#f4f6f9; --now:#2f6fdb; --before:#b8c4d6;
        --up:#b3261e; --down:#1e7b45; --warn:#8a5a00; --warnbg:#fff4d6; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: #fff;
       font: 14px/1.45 system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif; }
main { max-width: 1000px; margin: 0 auto; padding: 32px 28px 40px; }
header { border-bottom: 3px solid var(--ink); padding-bottom: 10px; margin-bottom: 18px; }
h1 { font-size: 26px; margin: 0 0 4px; letter-spacing: -0.01em; }
h2 { font-size: 16px; margin: 26px 0 8px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
.sub { color: var(--muted); margin: 0; }
.notice { background: var(--warnbg); color: var(--warn); border: 1px solid #f0d58c; border-radius: 6px;
          padding: 10px 14px; margin: 14px 0; }
.figures { display: grid; grid-template-columns: repeat(4, 1fr); gap: 12px; margin: 18px 0 6px; }
.figure { background: var(--soft); border-radius: 8px; padding: 12px 14px; }
.figure .label { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: 0.04em; }
.figure .value { font-size: 22px; font-weight: 650; margin-top: 2px; font-variant-numeric: tabular-nums; }
.figure .note { color: var(--muted); font-size: 12px; }
table { width: 100%; border-collapse: collapse; font-size: 13px; }
th { text-align: left; color: var(--muted); font-weight: 600; font-size: 11px; text-transform: uppercase;
     letter-spacing: 0.04em; border-bottom: 1px solid var(--line); padding: 5px 8px; }
td { border-bottom: 1px solid var(--line); padding: 5px 8px; vertical-align: top; }
td.wrap { overflow-wrap: anywhere; }
td.nowrap { white-space: nowrap; }
td.id { font-family: ui-monospace, 'SFMono-Regular', Menlo, Consolas, monospace; font-size: 11px; color: var(--muted); }
table.narrow { width: auto; min-width: 60%; }
tr.subtotal td { font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.up { color: var(--up); } td.down { color: var(--down); }
tr.over td { background: #fdecea; }
.empty { color: var(--muted); font-style: italic; margin: 4px 0; }
.chart { margin: 4px 0 0; }
.chart svg { width: 100%; height: auto; display: block; }
.two { display: grid; grid-template-columns: 1fr 1fr; gap: 24px; }
footer { margin-top: 32px; color: var(--muted); font-size: 12px; border-top: 1px solid var(--line); padding-top: 8px; }
@page { margin: 14mm 12mm; }
@media print {
  body { font-size: 10pt; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  main { max-width: none; padding: 0; }
  h1 { font-size: 18pt; }
  h2 { font-size: 12pt; break-after: avoid; page-break-after: avoid; }
  table { font-size: 9pt; }
  tr, .figure, .chart, .notice { break-inside: avoid; page-break-inside: avoid; }
  section { break-inside: auto; }
  .figures { grid-template-columns: repeat(4, 1fr); gap: 8px; }
  .figure { padding: 8px 10px; }
  .figure .value { font-size: 13pt; white-space: nowrap; }
}
@media (max-width: 700px) { .figures, .two { grid-template-columns: 1fr 1fr; } }
";

fn month_title(r: &Review) -> String {
    r.month.format("%B %Y").to_string()
}

fn money(amount: Amount, currency: &str) -> String {
    format!("{} {}", amount.to_cents_string(), escape(currency))
}

fn change_note(row: &ChangeRow, previous: &str) -> String {
    let pct = match row.percent {
        Some(p) if p > 0 => format!(" (+{p}%)"),
        Some(p) => format!(" ({p}%)"),
        None => String::new(),
    };
    let sign = if row.change.is_negative() { "" } else { "+" };
    format!(
        "{sign}{}{pct} vs {} ({})",
        row.change.to_cents_string(),
        escape(previous),
        row.previous.to_cents_string()
    )
}

fn figure(out: &mut String, label: &str, value: &str, note: &str) {
    let _ = write!(
        out,
        "<div class=\"figure\"><div class=\"label\">{label}</div><div class=\"value\">{value}</div><div class=\"note\">{note}</div></div>"
    );
}

/// A label cut to `max` characters for a chart axis.
fn short(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut s: String = text.chars().take(max.saturating_sub(1)).collect();
    s.push('…');
    s
}

/// Whole pixels of a bar: `value / largest * width`, rounded down, at least 1 for a non-zero value.
fn bar_px(value: Amount, largest: Amount, width: i64) -> i64 {
    if largest.nanos() <= 0 || value.nanos() <= 0 {
        return 0;
    }
    let px = i128::from(value.nanos()) * i128::from(width) / i128::from(largest.nanos());
    i64::try_from(px).unwrap_or(width).clamp(1, width)
}

/// A horizontal bar chart: this month and last month for the largest rows.
fn bar_chart(title: &str, rows: &[ChangeRow], r: &Review) -> String {
    const WIDTH: i64 = 460;
    const LABEL: i64 = 150;
    const BAR_AREA: i64 = 210;
    const ROW: i64 = 38;
    const TOP: i64 = 30;
    let mut shown: Vec<&ChangeRow> = rows.iter().collect();
    shown.sort_by(|a, b| {
        b.current
            .max(b.previous)
            .cmp(&a.current.max(a.previous))
            .then(a.name.cmp(&b.name))
    });
    shown.truncate(8);
    let largest = shown
        .iter()
        .map(|r| r.current.max(r.previous))
        .max()
        .unwrap_or_default();
    let count = i64::try_from(shown.len()).unwrap_or(8);
    let height = TOP + count * ROW + 6;
    let mut svg = format!(
        "<svg viewBox=\"0 0 {WIDTH} {height}\" role=\"img\" aria-label=\"{}\">",
        escape(title)
    );
    let _ = write!(
        svg,
        "<rect x=\"0\" y=\"6\" width=\"10\" height=\"10\" fill=\"#2f6fdb\"/>\
         <text x=\"15\" y=\"15\" font-size=\"11\" fill=\"#5b6472\">{}</text>\
         <rect x=\"110\" y=\"6\" width=\"10\" height=\"10\" fill=\"#b8c4d6\"/>\
         <text x=\"125\" y=\"15\" font-size=\"11\" fill=\"#5b6472\">{}</text>",
        escape(&r.month_label()),
        escape(&r.previous_label())
    );
    for (i, row) in (0_i64..).zip(&shown) {
        let y = TOP + i * ROW;
        let now = bar_px(row.current, largest, BAR_AREA);
        let before = bar_px(row.previous, largest, BAR_AREA);
        let _ = write!(
            svg,
            "<text x=\"0\" y=\"{}\" font-size=\"12\" fill=\"#1d2430\">{}</text>\
             <rect x=\"{LABEL}\" y=\"{y}\" width=\"{now}\" height=\"14\" rx=\"2\" fill=\"#2f6fdb\"/>\
             <text x=\"{}\" y=\"{}\" font-size=\"11\" fill=\"#1d2430\">{}</text>\
             <rect x=\"{LABEL}\" y=\"{}\" width=\"{before}\" height=\"10\" rx=\"2\" fill=\"#b8c4d6\"/>\
             <text x=\"{}\" y=\"{}\" font-size=\"10\" fill=\"#5b6472\">{}</text>",
            y + 15,
            escape(&short(&row.name, 22)),
            LABEL + now + 5,
            y + 11,
            row.current.to_cents_string(),
            y + 16,
            LABEL + before + 5,
            y + 25,
            row.previous.to_cents_string(),
        );
    }
    svg.push_str("</svg>");
    svg
}

/// How a cell's text may break: ids and codes never, free text anywhere (long descriptors).
fn text_class(column: &str, cell: &Cell) -> &'static str {
    if column == "id" {
        return "id nowrap";
    }
    if matches!(cell, Cell::Day(_)) {
        return "nowrap";
    }
    match column {
        "record" | "kind" | "severity" | "scope" | "currency" | "original_currency" | "source"
        | "dimension" => "nowrap",
        "description" | "message" | "name" | "project" | "model" | "provider" | "item" => "wrap",
        _ => "",
    }
}

fn table_html(out: &mut String, t: &Table) {
    let _ = write!(out, "<section><h2>{}</h2>", escape(&t.title));
    if t.rows.is_empty() {
        out.push_str("<p class=\"empty\">None.</p></section>");
        return;
    }
    let numeric: Vec<bool> = (0..t.columns.len())
        .map(|i| t.rows.iter().any(|r| r.get(i).is_some_and(Cell::is_number)))
        .collect();
    let narrow = matches!(t.name, "money_trail" | "missing_rates" | "by_provider");
    out.push_str(if narrow {
        "<table class=\"narrow\"><thead><tr>"
    } else {
        "<table><thead><tr>"
    });
    for (c, num) in t.columns.iter().zip(&numeric) {
        let class = if *num { " class=\"num\"" } else { "" };
        let _ = write!(out, "<th{class}>{}</th>", escape(&c.replace('_', " ")));
    }
    out.push_str("</tr></thead><tbody>");
    for row in &t.rows {
        let over = t.name == "budgets"
            && row
                .iter()
                .any(|c| matches!(c, Cell::Share(Some(p)) if *p > 100));
        let subtotal = matches!(row.first(), Some(Cell::Text(t)) if t.starts_with("credits (all"));
        out.push_str(if over {
            "<tr class=\"over\">"
        } else if subtotal {
            "<tr class=\"subtotal\">"
        } else {
            "<tr>"
        });
        for (i, cell) in row.iter().enumerate() {
            let mut classes = Vec::new();
            if numeric.get(i).copied().unwrap_or(false) {
                classes.push("num");
            }
            let column = t.columns.get(i).copied().unwrap_or_default();
            classes.push(text_class(column, cell));
            if column.starts_with("change") {
                match cell {
                    Cell::Money(a) if a.nanos() > 0 => classes.push("up"),
                    Cell::Money(a) if a.is_negative() => classes.push("down"),
                    Cell::Percent(Some(p)) if *p > 0 => classes.push("up"),
                    Cell::Percent(Some(p)) if *p < 0 => classes.push("down"),
                    _ => {}
                }
            }
            classes.retain(|c| !c.is_empty());
            let class = if classes.is_empty() {
                String::new()
            } else {
                format!(" class=\"{}\"", classes.join(" "))
            };
            let _ = write!(out, "<td{class}>{}</td>", escape(&cell.display()));
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table></section>");
}

/// The whole review as one HTML document.
pub fn render(r: &Review, tables: &[Table]) -> String {
    let cur = &r.currency;
    let mut out = String::with_capacity(32 * 1024);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>AI spending review {}</title><style>{STYLE}</style></head><body><main>",
        escape(&r.month_label())
    );
    header_html(&mut out, r);
    figures_html(&mut out, r);
    if !r.by_project.is_empty() || !r.by_model.is_empty() {
        let _ = write!(
            out,
            "<section><h2>Cost this month and last ({})</h2><div class=\"two\">\
             <div class=\"chart\"><p class=\"sub\">By project</p>{}</div>\
             <div class=\"chart\"><p class=\"sub\">By model</p>{}</div></div></section>",
            escape(cur),
            bar_chart("Cost by project, this month and last", &r.by_project, r),
            bar_chart("Cost by model, this month and last", &r.by_model, r)
        );
    }
    for t in tables.iter().filter(|t| t.name != "summary") {
        if matches!(t.name, "conversions" | "missing_rates") && t.rows.is_empty() {
            continue;
        }
        table_html(&mut out, t);
    }
    let _ = writeln!(
        out,
        "<footer>Made by burnrate from the local ledger. Amounts are exact in the ledger and rounded to cents \
         here; lines in other currencies are converted with the ECB reference rate of their day. Unmatched lines \
         are those the matching rule paired with nothing (records it could not decide about are left out).</footer>\
         </main></body></html>"
    );
    out
}

fn header_html(out: &mut String, r: &Review) {
    let cur = &r.currency;
    let state = if r.complete() {
        "complete month".to_string()
    } else {
        format!("{} of {} days so far", r.days_elapsed, r.days_in_month)
    };
    let _ = write!(
        out,
        "<header><h1>AI spending review: {}</h1><p class=\"sub\">In {} · compared with {} · as of {} ({state})</p></header>",
        escape(&month_title(r)),
        escape(cur),
        escape(&r.previous.format("%B %Y").to_string()),
        r.as_of
    );
    if !r.missing_rates.is_empty() {
        let list: Vec<String> = r
            .missing_rates
            .iter()
            .take(12)
            .map(|m| format!("{} on {}", escape(&m.currency), m.day))
            .collect();
        let more = r.missing_rates.len().saturating_sub(12);
        let more = if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        };
        let _ = write!(
            out,
            "<div class=\"notice\"><strong>Totals are incomplete.</strong> Lines in other currencies could not be \
             converted into {} because the ledger has no ECB rate for: {}{more}. They are left out of the totals \
             rather than guessed; import the ECB reference rates of those days to complete them.</div>",
            escape(cur),
            list.join(", ")
        );
    }
}

fn figures_html(out: &mut String, r: &Review) {
    let cur = &r.currency;
    out.push_str("<section class=\"figures\">");
    figure(
        out,
        "Usage cost",
        &money(r.total.current, cur),
        &change_note(&r.total, &r.previous_label()),
    );
    let credits = r.trail.credits_total().unwrap_or_default();
    figure(
        out,
        "Credits bought",
        &money(credits, cur),
        &format!("subscriptions {}", r.trail.subscriptions.to_cents_string()),
    );
    figure(
        out,
        "Paid by bank and card",
        &money(r.trail.bank_paid, cur),
        &format!("{} payment(s) matched to billing", r.matched_payments),
    );
    figure(
        out,
        "Needs a look",
        &format!(
            "{} unmatched",
            r.unmatched_billing.len() + r.unmatched_bank.len()
        ),
        &format!("{} flag(s) this month", r.flags.len()),
    );
    out.push_str("</section>");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            escape("<script>alert('x')</script> & \"y\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;y&quot;"
        );
    }

    #[test]
    fn bars_are_whole_pixels() {
        let a = |n| Amount::from_nanos(n);
        assert_eq!(bar_px(a(50), a(100), 210), 105);
        assert_eq!(bar_px(a(1), a(1_000_000), 210), 1);
        assert_eq!(bar_px(a(0), a(100), 210), 0);
        assert_eq!(short("abcdefgh", 5), "abcd…");
    }
}
