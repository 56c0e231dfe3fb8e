//! Helpers the bank importers' inline tests share: parse a file from its bytes, list its lines,
//! and compare them with a table of expected lines.

use crate::domain::import::{FileOptions, ParsedFile, parse_bytes};
use crate::domain::money::{Amount, DecimalMark};
use crate::domain::records::{BankLine, BankStatus, Record};

/// The file parsed with detection; a file that cannot be read fails the test with the reason.
pub(super) fn parse(bytes: &[u8]) -> ParsedFile {
    match parse_bytes(bytes, &FileOptions::default()) {
        Ok(parsed) => parsed,
        Err(e) => panic!("{e}"),
    }
}

/// The file parsed as by a user who said the card is in US dollars (`--currency USD`, which
/// only a statement that writes no currency reads).
pub(super) fn parse_usd(bytes: &[u8]) -> ParsedFile {
    let options = FileOptions {
        currency: Some(crate::domain::money::Currency::USD),
        ..FileOptions::default()
    };
    match parse_bytes(bytes, &options) {
        Ok(parsed) => parsed,
        Err(e) => panic!("{e}"),
    }
}

/// The bank lines of a parsed file, in file order.
pub(super) fn lines(parsed: &ParsedFile) -> Vec<&BankLine> {
    parsed
        .records
        .iter()
        .filter_map(|r| {
            if let Record::Bank(b) = r {
                Some(b)
            } else {
                None
            }
        })
        .collect()
}

/// `"-18.52"` in nano-units.
pub(super) fn nanos(text: &str) -> i64 {
    Amount::parse(text, DecimalMark::Dot).unwrap().nanos()
}

/// The started time as text (empty when the line has none).
pub(super) fn time(line: &BankLine) -> String {
    line.started_at.map(|t| t.to_string()).unwrap_or_default()
}

/// The day of a time as text (empty for none).
pub(super) fn day(t: Option<chrono::NaiveDateTime>) -> String {
    t.map(|t| t.date().to_string()).unwrap_or_default()
}

/// One expected line: description, amount, currency, fee, status.
pub(super) type Want<'a> = (&'a str, &'a str, &'a str, Option<&'a str>, BankStatus);

/// Asserts the file's format, that no row was rejected, and every line against `want`.
pub(super) fn check(parsed: &ParsedFile, format_id: &str, want: &[Want<'_>]) {
    assert_eq!(parsed.format_id, format_id, "{parsed:?}");
    assert!(parsed.rejected.is_empty(), "{:?}", parsed.rejected);
    let got = lines(parsed);
    assert_eq!(got.len(), want.len(), "{got:#?}");
    for (line, (description, amount, currency, fee, status)) in got.iter().zip(want) {
        assert_eq!(line.description, *description);
        assert_eq!(line.amount.nanos(), nanos(amount), "{description}");
        assert_eq!(line.currency, *currency, "{description}");
        assert_eq!(line.fee.map(Amount::nanos), fee.map(nanos), "{description}");
        assert_eq!(line.status, Some(*status), "{description}");
    }
}
