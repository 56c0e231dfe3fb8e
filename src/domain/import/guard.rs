//! The last check on every record a file gives, whatever its format: dates a ledger can hold
//! and text a terminal can print.
//!
//! - A date before 1990 or after 2100 is a broken export (a Unix time of `-1`, a year `0000`),
//!   not a purchase: the row is rejected with its line, instead of a record that stretches
//!   every chart and balance over centuries.
//! - An amount beyond a hundred million (of any currency) in one record is a broken export
//!   (`9223372036.854775807`), not a charge: such rows are rejected, so that the ledger's
//!   totals always add up exactly instead of refusing to show anything.
//! - Control characters (terminal escape sequences, NUL, C1 controls) and the Unicode
//!   direction overrides that can make `exe.png` read as `gnp.exe` are replaced by U+FFFD in
//!   text fields: the ledger keeps that something was there, and no table, terminal or HTML
//!   page shows text that rewrites itself.

use chrono::{Datelike as _, NaiveDate};

use crate::domain::money::{Amount, NANOS_PER_UNIT};

use crate::domain::records::Record;
use crate::domain::secrets::for_each_text_field_mut;

/// The first and last years a record may fall in.
const FIRST_YEAR: i32 = 1990;
const LAST_YEAR: i32 = 2100;

/// The largest amount one record may hold, in units of its currency: far above any real AI
/// bill, far below where 90 such records would overflow a total.
const MAX_UNITS: i64 = 100_000_000;

/// Checks a record and cleans its text; `Err` with the reason when the row must be rejected.
///
/// # Errors
/// When one of its dates is outside the years a ledger can hold.
pub fn check(record: &mut Record) -> Result<(), String> {
    for day in dates(record).into_iter().flatten() {
        if !(FIRST_YEAR..=LAST_YEAR).contains(&day.year()) {
            return Err(format!(
                "the date {day} is not a plausible date for a record (burnrate reads dates from {FIRST_YEAR} to {LAST_YEAR}); check the export"
            ));
        }
    }
    for amount in amounts(record).into_iter().flatten() {
        if amount.nanos().unsigned_abs() > (MAX_UNITS * NANOS_PER_UNIT).unsigned_abs() {
            return Err(format!(
                "the amount {amount} is not a plausible amount for one record (more than {MAX_UNITS}); check the export"
            ));
        }
    }
    for_each_text_field_mut(record, |text| {
        if has_unsafe(text) {
            *text = text
                .chars()
                .map(|c| if is_unsafe(c) { '\u{fffd}' } else { c })
                .collect();
        }
    });
    Ok(())
}

/// A record's amounts (`None` where it has fewer): held in place, as every record of a file
/// is checked.
fn amounts(record: &Record) -> [Option<Amount>; 3] {
    match record {
        Record::Usage(u) => [u.cost, None, None],
        Record::Billing(b) => [Some(b.amount), None, None],
        Record::Bank(b) => [Some(b.amount), b.original_amount, b.fee],
        Record::Rate(r) => [Some(r.per_euro), None, None],
        Record::Balance(b) => [Some(b.amount), None, None],
    }
}

/// A record's dates (`None` where it has fewer).
fn dates(record: &Record) -> [Option<NaiveDate>; 3] {
    match record {
        Record::Usage(u) => [u.day, None, None],
        Record::Billing(b) => [
            Some(b.occurred_at.date()),
            b.expires_at.map(|t| t.date()),
            None,
        ],
        Record::Bank(b) => [
            b.started_at.map(|t| t.date()),
            b.posted_at.map(|t| t.date()),
            b.day(),
        ],
        Record::Rate(r) => [Some(r.day), None, None],
        Record::Balance(b) => [Some(b.at.date()), None, None],
    }
}

/// Whether `text` holds a character [`is_unsafe`] names; ASCII text (nearly every cell) is
/// looked at byte by byte.
fn has_unsafe(text: &str) -> bool {
    // Printable ASCII alone (nearly every cell) has none: one pass without a branch per byte.
    let plain = text
        .bytes()
        .fold(true, |plain, b| plain & (0x20..0x7f).contains(&b));
    if plain {
        return false;
    }
    if text.is_ascii() {
        return text
            .bytes()
            .any(|b| (b < 0x20 && b != b'\n' && b != b'\t') || b == 0x7f);
    }
    text.chars().any(is_unsafe)
}

/// Control characters other than tab and newline (a quoted cell may hold several lines), and
/// the bidirectional overrides and isolates.
fn is_unsafe(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::records::{BankLine, UsageRecord};

    #[test]
    fn escape_sequences_and_direction_overrides_are_neutralised() {
        let mut record = Record::Bank(BankLine {
            description: "OPENAI \u{1b}[2J\u{1b}[31mPAID \u{202e}gnp.exe\nline two".into(),
            ..BankLine::default()
        });
        check(&mut record).unwrap();
        let Record::Bank(b) = record else { panic!() };
        assert_eq!(
            b.description,
            "OPENAI \u{fffd}[2J\u{fffd}[31mPAID \u{fffd}gnp.exe\nline two"
        );
    }

    #[test]
    fn dates_outside_the_ledgers_years_are_rejected() {
        for (day, ok) in [
            ("0000-01-01", false),
            ("1969-12-31", false),
            ("2026-03-01", true),
            ("9999-12-31", false),
        ] {
            let mut record = Record::Usage(UsageRecord {
                day: Some(day.parse().unwrap()),
                ..UsageRecord::default()
            });
            assert_eq!(check(&mut record).is_ok(), ok, "{day}");
        }
    }
}
