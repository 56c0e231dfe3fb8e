//! The monthly review as a report to share: the inputs the review is assembled from, its
//! tables (one list that the window, the JSON, the CSV, the text and the HTML all show, so they
//! always agree), and the self-contained HTML file (inline CSS, charts as inline SVG, no
//! scripts, no fonts, images or style sheets fetched from anywhere, and a print style sheet that
//! fits A4 and Letter).
//!
//! Pure string building: no file system, no clock. Every piece of text that comes from the
//! ledger (project, model and provider names, bank descriptions, flag messages) goes through
//! [`escape`]; nothing from the ledger is ever written raw. Chart geometry is integer arithmetic
//! on exact amounts (no floats): bar lengths are `amount * width / largest`, in whole pixels.
//! The command line (`report --month M --html FILE`) and the window's "Save report..." both
//! call [`render`], so the two files are the same.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use chrono::NaiveDate;

use super::flags::FlagParams;
use super::fx::Rate;
use super::judgement::Judgement;
use super::ledger::Snapshot;
use super::money::Amount;
use super::review::{self, ChangeRow, Review, ReviewInputs, TrailLine, UsageCost};

/// What the ledger holds for a review, as the store loads it.
#[derive(Debug, Clone, Default)]
pub struct ReviewSources {
    pub snapshot: Snapshot,
    pub params: FlagParams,
    /// The ids of the flags the user dismissed (left out of the month's flags).
    pub dismissed: BTreeSet<String>,
    /// Usage cost per day of the month and the month before.
    pub usage: Vec<UsageCost>,
    pub rates: Vec<Rate>,
}

/// The review's inputs: the flags as of `as_of` (dismissed ones left out), and the payment
/// pairs and undecided records of the one matching rule.
pub fn review_inputs(sources: ReviewSources, as_of: NaiveDate) -> ReviewInputs {
    let ReviewSources {
        snapshot,
        params,
        dismissed,
        usage,
        rates,
    } = sources;
    let judgement = Judgement::new(&snapshot, &params, as_of);
    let all_flags: Vec<_> = judgement
        .flags(&params)
        .into_iter()
        .filter(|f| !dismissed.contains(&f.id))
        .collect();
    let payments = &judgement.matching.payments;
    ReviewInputs {
        usage,
        rates,
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
        budgets: snapshot.budgets,
        billing: snapshot.billing,
        bank: snapshot.bank,
    }
}

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
    pub fn text(value: &str) -> Self {
        Cell::Text(value.to_string())
    }

    pub fn money(value: Option<Amount>) -> Self {
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
            "compared_until",
            "projected_month_end",
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
            Cell::Day(Some(r.previous_until)),
            Cell::Money(r.total_projected),
        ]],
    }
}

fn drivers_table(r: &Review) -> Table {
    Table {
        name: "drivers",
        title: format!("What drove the change ({})", r.comparison_label()),
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
        columns: vec![
            "date",
            "kind",
            "severity",
            "provider",
            "message",
            "id",
            "diagnosis",
        ],
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
                    Cell::text(&f.diagnosis),
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
            "rate",
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
                    Cell::text(c.rate.as_str()),
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

pub use super::html::escape;

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
.diag { color: var(--muted); font-size: 12px; margin-top: 2px; }
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
        escape(&r.current_column()),
        escape(&r.previous_column())
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

/// The heading of a column for people: "this month" and "last month" name the days compared
/// while the month is under way ("Nov 1-20", "Oct 1-20").
fn column_heading(column: &str, r: &Review) -> String {
    match column {
        "this_month" => r.current_column(),
        "last_month" => r.previous_column(),
        _ => column.replace('_', " "),
    }
}

/// The flags table's diagnosis is printed under each message, not in a column of its own.
fn hidden_column(t: &Table, column: &str) -> bool {
    t.name == "flags" && column == "diagnosis"
}

fn table_html(out: &mut String, t: &Table, r: &Review) {
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
        if hidden_column(t, c) {
            continue;
        }
        let class = if *num { " class=\"num\"" } else { "" };
        let _ = write!(out, "<th{class}>{}</th>", escape(&column_heading(c, r)));
    }
    let diagnosis_at = t.columns.iter().position(|c| hidden_column(t, c));
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
            if hidden_column(t, column) {
                continue;
            }
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
            let _ = write!(out, "<td{class}>{}", escape(&cell.display()));
            if column == "message"
                && let Some(Cell::Text(diagnosis)) = diagnosis_at.and_then(|d| row.get(d))
                && !diagnosis.is_empty()
            {
                let _ = write!(out, "<div class=\"diag\">{}</div>", escape(diagnosis));
            }
            out.push_str("</td>");
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
            "<section><h2>Cost, {} ({})</h2><div class=\"two\">\
             <div class=\"chart\"><p class=\"sub\">By project</p>{}</div>\
             <div class=\"chart\"><p class=\"sub\">By model</p>{}</div></div></section>",
            escape(&r.comparison_label()),
            escape(cur),
            bar_chart("Cost by project, this month and last", &r.by_project, r),
            bar_chart("Cost by model, this month and last", &r.by_model, r)
        );
    }
    for t in tables.iter().filter(|t| t.name != "summary") {
        if matches!(t.name, "conversions" | "missing_rates") && t.rows.is_empty() {
            continue;
        }
        table_html(&mut out, t, r);
    }
    let _ = writeln!(
        out,
        "<footer>Made by burnrate from the local ledger. Amounts are exact in the ledger and rounded to cents \
         here; lines in other currencies are converted with the ECB reference rate of their day, except a card or \
         bank line and the billing record it paid, which use the rate their two amounts imply (what the card \
         really charged; the conversions table names the rate each amount used). Unmatched lines \
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
    let compared = if r.partial() {
        format!(
            "{} (the same days of {}, so the pace is compared fairly)",
            r.comparison_label(),
            r.previous.format("%B")
        )
    } else {
        format!("compared with {}", r.previous.format("%B %Y"))
    };
    let _ = write!(
        out,
        "<header><h1>AI spending review: {}</h1><p class=\"sub\">In {} · {} · as of {} ({state})</p></header>",
        escape(&month_title(r)),
        escape(cur),
        escape(&compared),
        r.as_of
    );
    if !r.has_current_usage() {
        let _ = write!(
            out,
            "<div class=\"notice\"><strong>No usage recorded in {}.</strong> The ledger's usage may end earlier.</div>",
            escape(&r.current_column())
        );
    }
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
    let usage_note = change_note(&r.total, &r.previous_column());
    let usage_note = if r.partial() {
        format!(
            "{usage_note}; projected month end {}",
            money(r.total_projected, cur)
        )
    } else {
        usage_note
    };
    figure(
        out,
        &format!("Usage cost, {}", escape(&r.current_column())),
        &money(r.total.current, cur),
        &usage_note,
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
    use crate::domain::money::Currency;

    #[test]
    fn bars_are_whole_pixels() {
        let a = |n| Amount::from_nanos(n);
        assert_eq!(bar_px(a(50), a(100), 210), 105);
        assert_eq!(bar_px(a(1), a(1_000_000), 210), 1);
        assert_eq!(bar_px(a(0), a(100), 210), 0);
        assert_eq!(short("abcdefgh", 5), "abcd…");
    }

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    fn usage(day_text: &str, cents: i64) -> UsageCost {
        UsageCost {
            day: day(day_text),
            provider: "openai".into(),
            project: "Web app".into(),
            model: "gpt-4o".into(),
            cost: Amount::from_cents(cents).unwrap(),
            currency: Currency::of(*b"USD"),
        }
    }

    /// Regression: the HTML's flags table showed only the one-line message, never why.
    #[test]
    fn each_flag_shows_its_diagnosis_escaped_under_its_message() {
        let inputs = ReviewInputs {
            usage: vec![usage("2026-03-02", 1_000)],
            flags: vec![super::super::flags::Flag {
                id: "f1".into(),
                kind: super::super::flags::FlagKind::ChargeWithoutCredit,
                severity: super::super::flags::Severity::Warning,
                provider: "openai".into(),
                date: day("2026-03-15"),
                amount: None,
                currency: Currency::of(*b"USD"),
                project: None,
                records: vec!["bank:11".into()],
                message: "A card charge without credit".into(),
                diagnosis: "The bank paid <script>x</script>; ask the provider.".into(),
            }],
            ..ReviewInputs::default()
        };
        let r = review::build(
            &inputs,
            day("2026-03-01"),
            day("2026-03-31"),
            Currency::of(*b"USD"),
        )
        .unwrap();
        let html = render(&r, &tables(&r));
        assert!(html.contains(
            "A card charge without credit<div class=\"diag\">The bank paid &lt;script&gt;x&lt;/script&gt;; ask the provider.</div>"
        ), "{html}");
        assert!(!html.contains("<th>diagnosis</th>"));
        // The CSV and JSON keep it as a column of its own.
        let flags = tables(&r).into_iter().find(|t| t.name == "flags").unwrap();
        assert!(flags.columns.contains(&"diagnosis"));
    }

    /// Regression: a month under way was compared with the whole month before.
    #[test]
    fn a_month_under_way_names_the_days_compared_and_its_projection() {
        let inputs = ReviewInputs {
            usage: vec![
                usage("2026-10-05", 1_000),
                usage("2026-10-25", 9_000),
                usage("2026-11-03", 2_000),
            ],
            ..ReviewInputs::default()
        };
        let r = review::build(
            &inputs,
            day("2026-11-01"),
            day("2026-11-20"),
            Currency::of(*b"USD"),
        )
        .unwrap();
        let html = render(&r, &tables(&r));
        assert!(
            html.contains("Nov 1-20 vs Oct 1-20 (the same days of October"),
            "{html}"
        );
        assert!(html.contains("What drove the change (Nov 1-20 vs Oct 1-20)"));
        assert!(
            html.contains("<th class=\"num\">Nov 1-20</th><th class=\"num\">Oct 1-20</th>"),
            "{html}"
        );
        assert!(html.contains("projected month end 30.00 USD"), "{html}");
        assert!(
            html.contains("+10.00 (+100%) vs Oct 1-20 (10.00)"),
            "{html}"
        );
    }
}
