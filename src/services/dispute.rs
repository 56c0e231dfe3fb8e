//! The dispute packet of a flag: one self-contained HTML file (no scripts, no external
//! resources) to send a provider's support or a bank, with the flag's facts and diagnosis, a
//! timeline of every record involved (the flag's evidence and the records matched to it), the
//! billing records and bank lines with the file and line they came from, and how the records
//! were matched. Every text from the ledger is HTML-escaped. `burnrate flags export ID --html
//! FILE` and the flag card's "Dispute packet..." both write it here.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::Path;

use anyhow::Context as _;
use chrono::NaiveDate;

use crate::domain::flags::Flag;
use crate::domain::html::escape as escape_html;
use crate::domain::judgement::Judgement;
use crate::domain::ledger::parse_record;
use crate::domain::matching::{Matching, Reason};
use crate::store::{EvidenceRecord, Store};

/// How the matching rule paired two records, for people: `same_amount (amount 0.00 USD, +1
/// day(s))`.
pub fn reason_text(r: &Reason) -> String {
    let delta = r.amount_delta.map_or_else(
        || "amount not comparable".to_string(),
        |a| format!("amount {} {}", a.to_cents_string(), r.currency),
    );
    format!("{} ({delta}, {:+} day(s))", r.rule.as_str(), r.day_delta)
}

/// The flag's evidence plus the records matched to it (the line that paid a billing record,
/// the record a line paid, the line that ended a hold), sorted.
fn involved_records(flag: &Flag, m: &Matching) -> Vec<String> {
    let mut all: BTreeSet<String> = flag.records.iter().cloned().collect();
    for r in &flag.records {
        match parse_record(r) {
            Some(("billing", id)) => {
                if let Some(p) = m.payments.for_billing(id) {
                    all.insert(format!("bank:{}", p.bank_id));
                }
            }
            Some(("bank", id)) => {
                if let Some(p) = m.payments.for_bank(id) {
                    all.insert(format!("billing:{}", p.billing_id));
                }
                for h in m.holds.iter().filter(|h| h.hold_id == id || h.end_id == id) {
                    all.insert(format!("bank:{}", h.hold_id));
                    all.insert(format!("bank:{}", h.end_id));
                }
            }
            _ => {}
        }
    }
    all.into_iter().collect()
}

/// Writes the dispute packet of `flag` to `path`.
///
/// # Errors
/// When the ledger cannot be read or the file cannot be written.
pub fn export_packet(
    store: &Store,
    judgement: &Judgement,
    flag: &Flag,
    path: &Path,
) -> anyhow::Result<()> {
    let m = &judgement.matching;
    let involved = involved_records(flag, m);
    let evidence = store.evidence_records(&involved)?;
    let html = packet_html(flag, judgement.as_of, &involved, &evidence, m)?;
    crate::store::write_private(path, html.as_bytes())
        .with_context(|| format!("writing the dispute packet to {}", path.display()))?;
    Ok(())
}

fn row(cells: &[String]) -> String {
    let mut out = String::from("<tr>");
    for c in cells {
        let _ = write!(out, "<td>{}</td>", escape_html(c));
    }
    out.push_str("</tr>\n");
    out
}

fn header(cells: &[&str]) -> String {
    let mut out = String::from("<tr>");
    for c in cells {
        let _ = write!(out, "<th>{}</th>", escape_html(c));
    }
    out.push_str("</tr>\n");
    out
}

fn packet_html(
    flag: &Flag,
    as_of: NaiveDate,
    involved: &[String],
    evidence: &[EvidenceRecord],
    matches: &Matching,
) -> anyhow::Result<String> {
    let mut html = packet_head(flag, as_of)?;
    html.push_str(&timeline_html(involved, evidence));
    html.push_str(&records_html(evidence));
    html.push_str(&reasons_html(involved, matches));
    html.push_str(
        "<p>Prepared with burnrate from the files imported into the local ledger.</p>\n</body></html>\n",
    );
    Ok(html)
}

/// The document head, the flag's facts and its diagnosis.
fn packet_head(flag: &Flag, as_of: NaiveDate) -> anyhow::Result<String> {
    let mut html = String::new();
    let title = escape_html(&format!(
        "Dispute packet: {} ({})",
        flag.kind.as_str(),
        flag.provider
    ));
    writeln!(
        html,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>{title}</title>\n\
         <style>body{{font-family:sans-serif;max-width:60em;margin:2em auto;color:#222}}\
         table{{border-collapse:collapse;width:100%;margin:1em 0}}th,td{{border:1px solid #bbb;\
         padding:.3em .5em;text-align:left;font-size:.9em}}th{{background:#eee}}</style>\
         </head><body>"
    )?;
    writeln!(html, "<h1>{title}</h1>")?;
    writeln!(html, "<p>{}</p>", escape_html(&flag.message))?;
    let amount = flag
        .amount
        .map(|a| format!("{} {}", a.to_cents_string(), flag.currency))
        .unwrap_or_default();
    writeln!(
        html,
        "<table>{}{}{}{}{}{}</table>",
        row(&["Flag id".into(), flag.id.clone()]),
        row(&["Severity".into(), flag.severity.as_str().into()]),
        row(&["Date of the event".into(), flag.date.to_string()]),
        row(&["Amount".into(), amount]),
        row(&["Provider".into(), flag.provider.clone()]),
        row(&["Prepared as of".into(), as_of.to_string()]),
    )?;
    writeln!(
        html,
        "<h2>Diagnosis</h2>\n<p>{}</p>",
        escape_html(&flag.diagnosis)
    )?;
    Ok(html)
}

/// Every involved record in time order: ledger records with their time, the others (usage
/// days, budgets) by the day in their name.
fn timeline_html(involved: &[String], evidence: &[EvidenceRecord]) -> String {
    let mut html = String::from("<h2>Timeline</h2>\n<table>\n");
    html.push_str(&header(&["When", "Record", "What", "Amount", "Status"]));
    let mut timeline: Vec<[String; 5]> = evidence
        .iter()
        .map(|r| {
            [
                r.at.clone(),
                r.record.clone(),
                format!("{} {}", r.what, r.description),
                format!("{} {}", r.amount.to_cents_string(), r.currency),
                r.status.clone(),
            ]
        })
        .collect();
    for name in involved
        .iter()
        .filter(|r| !evidence.iter().any(|x| &x.record == *r))
    {
        let when = name
            .split(':')
            .find(|p| NaiveDate::parse_from_str(p, "%Y-%m-%d").is_ok())
            .unwrap_or_default()
            .to_string();
        timeline.push([
            when,
            name.clone(),
            String::new(),
            String::new(),
            String::new(),
        ]);
    }
    timeline.sort();
    for cells in &timeline {
        html.push_str(&row(cells));
    }
    html.push_str("</table>\n");
    html
}

/// The billing records and the bank lines, with their source file and line.
fn records_html(evidence: &[EvidenceRecord]) -> String {
    let mut html = String::new();
    for (kind, heading) in [
        ("billing:", "Provider billing records"),
        ("bank:", "Bank and card lines"),
    ] {
        let rows: Vec<&EvidenceRecord> = evidence
            .iter()
            .filter(|r| r.record.starts_with(kind))
            .collect();
        let _ = writeln!(html, "<h2>{heading}</h2>");
        if rows.is_empty() {
            html.push_str("<p>None.</p>\n");
            continue;
        }
        html.push_str("<table>\n");
        html.push_str(&header(&[
            "Record",
            "Date",
            "Time (UTC)",
            "Amount",
            "Currency",
            "Status",
            "Kind / account",
            "Description",
            "Source file",
            "Line",
        ]));
        for r in rows {
            html.push_str(&row(&[
                r.record.clone(),
                r.day.to_string(),
                r.at.clone(),
                r.amount.to_cents_string(),
                r.currency.clone(),
                r.status.clone(),
                r.what.clone(),
                r.description.clone(),
                r.source_file.clone(),
                r.source_line.to_string(),
            ]));
        }
        html.push_str("</table>\n");
    }
    html
}

/// Why the involved records were paired with each other.
fn reasons_html(involved: &[String], matches: &Matching) -> String {
    let wanted: BTreeSet<&String> = involved.iter().collect();
    let mut rows = Vec::new();
    for p in &matches.payments.matches {
        let billing = format!("billing:{}", p.billing_id);
        let bank = format!("bank:{}", p.bank_id);
        if wanted.contains(&billing) || wanted.contains(&bank) {
            rows.push(row(&[
                billing,
                bank,
                "paid by".into(),
                reason_text(&p.reason),
            ]));
        }
    }
    for h in &matches.holds {
        let hold = format!("bank:{}", h.hold_id);
        let end = format!("bank:{}", h.end_id);
        if wanted.contains(&hold) || wanted.contains(&end) {
            rows.push(row(&[
                hold,
                end,
                h.end.as_str().into(),
                reason_text(&h.reason),
            ]));
        }
    }
    let mut html = String::from("<h2>How the records were matched</h2>\n");
    if rows.is_empty() {
        html.push_str("<p>No record here is matched to another.</p>\n");
        return html;
    }
    html.push_str("<table>\n");
    html.push_str(&header(&["Record", "Matched to", "How", "Why"]));
    for r in rows {
        html.push_str(&r);
    }
    html.push_str("</table>\n");
    html
}
