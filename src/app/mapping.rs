//! The column-mapping editor's data for a CSV no format recognises: a first guess at the
//! mapping from the column names (a pure function), and the live preview of a draft mapping.
//!
//! The start of the file (at most [`PREVIEW_BYTES`], cut at its last full line) is read once,
//! when the editor opens, and kept in memory: each edit of the draft parses those bytes again,
//! it never reads the file again.

use std::path::Path;
use std::sync::Arc;

use super::preview::{PREVIEW_REJECTED, PREVIEW_SAMPLE, sample_of};
use crate::domain::import::{self, BankMapping, FileOptions};
use crate::services::import::file_opener;
use crate::ui::mapping::MappingView;

/// The editor previews at most this much of a file.
pub const PREVIEW_BYTES: u64 = 512 * 1024;

/// The start of a file the editor previews, read once.
#[derive(Debug, Clone)]
pub struct MappingSource {
    bytes: Arc<Vec<u8>>,
}

impl MappingSource {
    /// Reads the start of the file at `path`.
    ///
    /// # Errors
    /// When the file cannot be read; the message names the file.
    pub fn read(path: &Path) -> Result<Self, String> {
        use std::io::Read as _;
        let mut bytes = Vec::new();
        std::fs::File::open(path)
            .and_then(|f| f.take(PREVIEW_BYTES).read_to_end(&mut bytes))
            .map_err(|e| format!("could not read the file ({e}): {}", path.display()))?;
        // Cut a partly read file at its last full line.
        if u64::try_from(bytes.len()).unwrap_or(u64::MAX) >= PREVIEW_BYTES
            && let Some(end) = bytes.iter().rposition(|b| *b == b'\n')
        {
            bytes.truncate(end + 1);
        }
        Ok(Self {
            bytes: Arc::new(bytes),
        })
    }

    /// Parses the kept bytes with `view`'s mapping and shows what it gives.
    pub fn preview(&self, view: &mut MappingView) {
        view.sample.clear();
        view.rejected.clear();
        view.rejected_count = 0;
        view.rows = 0;
        view.error = None;
        let options = FileOptions {
            mapping: Some(view.mapping.clone()),
            ..FileOptions::default()
        };
        match import::parse_bytes(&self.bytes, &options) {
            Ok(parsed) => {
                view.rows = parsed.rows;
                view.rejected_count = parsed.rejected.len();
                view.rejected = parsed
                    .rejected
                    .iter()
                    .take(PREVIEW_REJECTED)
                    .map(ToString::to_string)
                    .collect();
                view.sample = parsed
                    .records
                    .iter()
                    .take(PREVIEW_SAMPLE)
                    .map(sample_of)
                    .collect();
            }
            Err(e) => view.error = Some(e.to_string()),
        }
    }
}

/// The editor for the preview's file `file` at `path`, with its source (`None` when the file
/// has no readable header).
pub fn editor(path: &Path, file: usize) -> Option<(MappingView, MappingSource)> {
    let (header, _) = import::read_header(&file_opener(path)).ok()?;
    let columns: Vec<String> = header
        .names
        .iter()
        .filter(|n| !n.is_empty())
        .cloned()
        .collect();
    let mut view = MappingView {
        file,
        mapping: guess(&columns),
        columns,
        ..MappingView::default()
    };
    let source = match MappingSource::read(path) {
        Ok(source) => source,
        Err(e) => {
            view.error = Some(e);
            return Some((view, MappingSource::default()));
        }
    };
    source.preview(&mut view);
    Some((view, source))
}

impl Default for MappingSource {
    fn default() -> Self {
        Self {
            bytes: Arc::new(Vec::new()),
        }
    }
}

/// A first guess at a mapping from the column names, so the editor rarely starts blank.
pub fn guess(columns: &[String]) -> BankMapping {
    let find = |words: &[&str]| {
        columns
            .iter()
            .find(|c| {
                let lower = c.to_lowercase();
                words.iter().any(|w| lower.contains(w))
            })
            .cloned()
    };
    BankMapping {
        account: "bank".into(),
        date: find(&["date", "booked", "posted", "datum"]).unwrap_or_default(),
        description: find(&[
            "description",
            "text",
            "memo",
            "payee",
            "details",
            "narrative",
        ])
        .unwrap_or_default(),
        amount: find(&["amount", "sum", "betrag", "value"]),
        debit: find(&["debit", "withdrawal", "money out"]),
        credit: find(&["credit", "deposit", "money in"]),
        status: find(&["status", "state"]),
        currency: find(&["currency", "ccy"]),
        default_currency: None,
        id: find(&["reference", "transaction id", "id"]),
        ..BankMapping::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_guess_names_the_usual_columns() {
        let columns: Vec<String> = ["Booked", "Text", "Sum", "Currency", "Reference"]
            .map(String::from)
            .to_vec();
        let m = guess(&columns);
        assert_eq!(m.date, "Booked");
        assert_eq!(m.description, "Text");
        assert_eq!(m.amount.as_deref(), Some("Sum"));
        assert_eq!(m.currency.as_deref(), Some("Currency"));
        assert_eq!(m.id.as_deref(), Some("Reference"));
    }

    /// Regression: a mapping without a currency stored lines with a blank currency ("Charged
    /// 20.00  by openai").
    #[test]
    fn a_mapping_needs_a_currency() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bank.csv");
        std::fs::write(&path, "Booked,Text,Sum\n2026-11-01,Coffee,-3.20\n").unwrap();
        let (mut view, source) = editor(&path, 0).unwrap();
        let error = view.error.clone().unwrap_or_default();
        assert!(error.contains("does not say which currency"), "{error}");
        assert!(view.sample.is_empty(), "Save mapping stays disabled");
        view.mapping.default_currency = Some("EUR".into());
        source.preview(&mut view);
        assert_eq!(view.error, None);
        assert_eq!(view.sample.len(), 1);
    }

    #[test]
    fn the_preview_reads_the_kept_bytes_not_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bank.csv");
        std::fs::write(&path, "Booked,Text,Sum\n2026-11-01,Coffee,-3.20\n").unwrap();
        let (mut view, source) = editor(&path, 0).unwrap();
        view.mapping.default_currency = Some("EUR".into());
        source.preview(&mut view);
        assert_eq!(view.rows, 1, "{:?}", view.error);
        // The file is gone; the next edit still previews from memory.
        std::fs::remove_file(&path).unwrap();
        view.mapping.description = "Text".into();
        source.preview(&mut view);
        assert_eq!(view.rows, 1);
        assert_eq!(view.sample.len(), 1);
    }
}
