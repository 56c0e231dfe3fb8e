//! What the import sheet shows of a checked file: its format for people, its counts, its first
//! rejected rows and its first records as they will be stored, and the one-line summary of a
//! finished import. Pure: from an [`ImportReport`] to the panels' views.

use crate::domain::import::formats;
use crate::domain::records::Record;
use crate::store::{ImportProblem, ImportReport};
use crate::ui::format;
use crate::ui::import_sheet::{FilePreview, SampleRow};

/// Rejected rows shown per file in the preview.
pub const PREVIEW_REJECTED: usize = 5;
/// Records shown per file in the preview.
pub const PREVIEW_SAMPLE: usize = 8;

fn format_name(id: Option<&str>) -> Option<String> {
    let id = id?;
    if id == crate::store::merge::LEDGER_FORMAT {
        return Some("burnrate ledger".to_string());
    }
    Some(formats::by_id(id).map_or_else(|| id.to_string(), |f| f.name().to_string()))
}

pub fn preview_of(report: &ImportReport) -> FilePreview {
    FilePreview {
        name: report.file.clone(),
        format: format_name(report.format.as_deref()),
        error: error_for_window(report),
        rows: report.rows,
        new: report.inserted,
        duplicates: report.duplicates,
        updated: report.updated,
        skipped: report.skipped,
        not_receipts: report.receipts.as_ref().map_or(0, |t| t.not_receipts),
        left_out: report.left_out.as_deref().map(left_out_text),
        rejected: report.rejected.len(),
        first_rejected: report
            .rejected
            .iter()
            .take(PREVIEW_REJECTED)
            .map(ToString::to_string)
            .collect(),
        sample: report
            .sample
            .iter()
            .take(PREVIEW_SAMPLE)
            .map(sample_of)
            .collect(),
        ambiguous_dates: report.ambiguous_dates,
        needs_currency: report.needs_currency,
        mapping: None,
    }
}

/// `3 rows of other services left out (not AI spend): $8.63`.
fn left_out_text(left: &crate::domain::import::LeftOut) -> String {
    let cost: Vec<String> = left
        .cost
        .iter()
        .map(|c| format::money(c.amount, c.currency.as_str()))
        .collect();
    let rows = format::count(left.rows);
    let noun = if left.rows == 1 { "row" } else { "rows" };
    if cost.is_empty() {
        format!("{rows} {noun} of other services left out (not AI spend)")
    } else {
        format!(
            "{rows} {noun} of other services left out (not AI spend): {}",
            cost.join(" + ")
        )
    }
}

fn joined(parts: &[&str]) -> String {
    parts
        .iter()
        .filter(|p| !p.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(" · ")
}

pub fn sample_of(record: &Record) -> SampleRow {
    match record {
        Record::Usage(u) => SampleRow {
            day: u.day.map(|d| d.to_string()).unwrap_or_default(),
            what: "usage".into(),
            detail: joined(&[&u.provider, u.project_label(), &u.model, &u.token_kind]),
            amount: u
                .cost
                .map(|c| format::exact(c, &u.currency))
                .unwrap_or_default(),
        },
        Record::Billing(b) => SampleRow {
            day: b.occurred_at.date().to_string(),
            what: b.kind.as_str().replace('_', " "),
            detail: joined(&[&b.provider, &b.number, b.status.as_str(), &b.description]),
            amount: format::money(b.amount, &b.currency),
        },
        Record::Bank(b) => SampleRow {
            day: b.day().map(|d| d.to_string()).unwrap_or_default(),
            what: "bank line".into(),
            detail: joined(&[&b.account, &b.description]),
            amount: format::money(b.amount, &b.currency),
        },
        Record::Rate(r) => SampleRow {
            day: r.day.to_string(),
            what: "rate".into(),
            detail: format!("{} per EUR", r.currency),
            amount: r.per_euro.to_string(),
        },
        Record::Balance(b) => SampleRow {
            day: b.at.date().to_string(),
            what: "balance shown".into(),
            detail: joined(&[&b.provider, &b.organization]),
            amount: format::money(b.amount, &b.currency),
        },
    }
}

/// A failed import's message with what to do about it in the window (the store words it for
/// any front end).
fn error_for_window(report: &ImportReport) -> Option<String> {
    let error = report.error.as_deref()?;
    let advice = match report.problem {
        // The window's imports keep the good rows; only the command line asks for all or nothing.
        Some(ImportProblem::BadRowsInStrictImport) | None => return Some(error.to_string()),
        Some(ImportProblem::NotAnAgentLog) => {
            "burnrate reads the logs Claude Code keeps in ~/.claude/projects and Codex in ~/.codex/sessions; add those folders in Settings, Coding-agent logs"
        }
        Some(ImportProblem::UnrecognizedColumns) => {
            "If it is a bank or card statement, say below which column holds what. If it should be one of the formats burnrate reads, check that it is that provider's CSV export"
        }
    };
    Some(format!("{error}. {advice}."))
}

pub fn summary_of(report: &ImportReport) -> String {
    if let Some(error) = error_for_window(report) {
        return format!("{}: not imported. {error}", report.file);
    }
    let not_receipts = report.receipts.as_ref().map_or(0, |t| t.not_receipts);
    format!(
        "{}: {} new, {} updated, {} duplicate, {} rejected.{}",
        report.file,
        format::count(report.inserted),
        format::count(report.updated),
        format::count(report.duplicates),
        format::count(report.rejected.len()),
        if not_receipts > 0 {
            format!(" {}.", format::not_receipts(not_receipts))
        } else {
            String::new()
        }
    )
}

#[cfg(test)]
mod tests {
    use super::{preview_of, summary_of};
    use crate::domain::import::FileOptions;
    use crate::services::import::import_paths;
    use crate::store::{ImportMode, Store};

    #[test]
    fn a_file_that_is_not_an_agent_log_gets_the_windows_advice_not_a_flag() {
        let dir = tempfile::tempdir().unwrap();
        let notes = dir.path().join("notes.jsonl");
        std::fs::write(&notes, "{\"todo\":\"buy milk\"}\n").unwrap();
        let mut store = Store::open_in_memory().unwrap();
        let reports = import_paths(
            &mut store,
            &[notes],
            &FileOptions::default(),
            ImportMode::default(),
            &mut |_| true,
        )
        .unwrap();
        let error = preview_of(&reports[0]).error.unwrap();
        assert!(
            error.starts_with("this file is not a Claude Code or Codex log")
                && error.contains("Settings, Coding-agent logs")
                && !error.contains("--"),
            "{error}"
        );
        assert!(summary_of(&reports[0]).contains("Settings, Coding-agent logs"));
    }
}
