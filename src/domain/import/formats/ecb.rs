//! ECB euro foreign exchange reference rates: the history file `eurofxref-hist.csv` (ISO dates,
//! newest first, `N/A` for currencies not quoted that day, a trailing comma that makes an empty
//! last column) and the daily file `eurofxref.csv` (`", "` between cells and dates written
//! `25 January 2018`).
//!
//! Each row gives one rate per currency with a value: units of that currency per euro, exact.
//! Columns are found by their three-letter code, so the set of currencies may change over the
//! years; columns without a code are ignored. Rates are always written with a decimal dot.

use chrono::NaiveDate;

use crate::domain::fx::Rate;
use crate::domain::import::table::{BindError, FieldError, Header, Row};
use crate::domain::import::{FileOptions, Format, RecordKind, RowParser};
use crate::domain::money::{Amount, Currency, DecimalMark};
use crate::domain::records::Record;

/// The currency a column name is, when it is written as ECB writes them: an upper-case code
/// (`USD`), never a word that happens to have three letters (`Day`).
fn currency_code(name: &str) -> Option<Currency> {
    name.bytes()
        .all(|b| b.is_ascii_uppercase())
        .then(|| Currency::parse(name).ok())
        .flatten()
}

fn is_currency_code(name: &str) -> bool {
    currency_code(name).is_some()
}

/// The currency columns of a header: `(index, code)` for every name after the first that is a
/// code.
fn currency_columns(h: &Header) -> Vec<(usize, Currency)> {
    h.names
        .iter()
        .enumerate()
        .skip(1)
        .filter_map(|(i, n)| currency_code(n).map(|c| (i, c)))
        .collect()
}

/// `2019-08-13` or `25 January 2018`.
fn parse_day(text: &str) -> Option<NaiveDate> {
    ["%Y-%m-%d", "%d %B %Y", "%d %b %Y"]
        .iter()
        .find_map(|f| NaiveDate::parse_from_str(text, f).ok())
}

/// The ECB reference rate files.
pub struct EcbRates;

impl Format for EcbRates {
    fn id(&self) -> &'static str {
        "ecb-rates"
    }
    fn name(&self) -> &'static str {
        "ECB euro reference rates"
    }
    fn kind(&self) -> RecordKind {
        RecordKind::Rates
    }
    fn signature(&self) -> &'static str {
        "Date, USD, JPY, BGN, ... (currency codes)"
    }
    fn detect(&self, h: &Header) -> bool {
        if h.find(&["date"]) != Some(0) {
            return false;
        }
        let named: Vec<&String> = h.names.iter().skip(1).filter(|n| !n.is_empty()).collect();
        let codes = named.iter().filter(|n| is_currency_code(n)).count();
        // "Mostly": at least four in five named columns are codes, and USD is one of them.
        codes >= 1 && codes * 5 >= named.len() * 4 && named.iter().any(|n| n.as_str() == "USD")
    }
    fn bind(&self, h: &Header, _options: &FileOptions) -> Result<Box<dyn RowParser>, BindError> {
        let date = h.require(&["date"])?;
        let currencies = currency_columns(h);
        if currencies.is_empty() {
            return Err(BindError::Other(
                "the file has no currency columns (USD, JPY, ...)".into(),
            ));
        }
        Ok(Box::new(EcbParser { date, currencies }))
    }
}

struct EcbParser {
    date: usize,
    currencies: Vec<(usize, Currency)>,
}

impl RowParser for EcbParser {
    fn parse(&mut self, row: &Row<'_>, out: &mut Vec<Record>) -> Result<(), FieldError> {
        let text = row.text(self.date);
        let day = parse_day(&text).ok_or_else(|| {
            FieldError::at(
                self.date,
                format!("'{text}' is not a date; ECB files write 2019-08-13 or 25 January 2018"),
            )
        })?;
        let mut rates = Vec::with_capacity(self.currencies.len());
        for (column, code) in &self.currencies {
            let value = row.text(*column);
            if value.is_empty() || value.eq_ignore_ascii_case("N/A") {
                continue;
            }
            let per_euro = Amount::parse(&value, DecimalMark::Dot)
                .map_err(|e| FieldError::at(*column, e.to_string()))?;
            if per_euro.is_negative() || per_euro.is_zero() {
                return Err(FieldError::at(
                    *column,
                    format!("'{value}' is not a rate: a euro is always worth more than nothing"),
                ));
            }
            rates.push(Record::Rate(Rate {
                day,
                currency: *code,
                per_euro,
            }));
        }
        out.extend(rates);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::import::{ParsedFile, parse_bytes};

    fn parse(text: &str) -> ParsedFile {
        parse_bytes(text.as_bytes(), &FileOptions::default()).unwrap()
    }

    fn rates(parsed: &ParsedFile) -> Vec<(String, &str, i64)> {
        parsed
            .records
            .iter()
            .filter_map(|r| {
                if let Record::Rate(x) = r {
                    Some((x.day.to_string(), x.currency.as_str(), x.per_euro.nanos()))
                } else {
                    None
                }
            })
            .collect()
    }

    #[test]
    fn reads_the_history_file_and_skips_na() {
        let parsed = parse(
            "Date,USD,JPY,CYP,GBP,\n\
             2019-08-13,1.1222,118.01,N/A,0.9283,\n\
             2019-08-12,1.1194,117.69,N/A,0.92615,",
        );
        assert_eq!(parsed.format_id, "ecb-rates");
        assert!(parsed.rejected.is_empty(), "{:?}", parsed.rejected);
        let want = vec![
            ("2019-08-13".to_string(), "USD", 1_122_200_000),
            ("2019-08-13".to_string(), "JPY", 118_010_000_000),
            ("2019-08-13".to_string(), "GBP", 928_300_000),
            ("2019-08-12".to_string(), "USD", 1_119_400_000),
            ("2019-08-12".to_string(), "JPY", 117_690_000_000),
            ("2019-08-12".to_string(), "GBP", 926_150_000),
        ];
        assert_eq!(rates(&parsed), want);
    }

    #[test]
    fn reads_the_daily_file_with_spaces_and_long_dates() {
        let parsed = parse(
            "Date, USD, JPY, IDR, \r\n\
             25 January 2018, 1.2407, 135.12, 16492.63, \r\n",
        );
        assert_eq!(parsed.format_id, "ecb-rates");
        let want = vec![
            ("2018-01-25".to_string(), "USD", 1_240_700_000),
            ("2018-01-25".to_string(), "JPY", 135_120_000_000),
            ("2018-01-25".to_string(), "IDR", 16_492_630_000_000),
        ];
        assert_eq!(rates(&parsed), want);
    }

    #[test]
    fn bom_file_is_read() {
        let mut bytes = vec![0xEF, 0xBB, 0xBF];
        bytes.extend_from_slice(b"Date,USD,CHF\n2026-01-02,1.0350,0.9402\n");
        let parsed = parse_bytes(&bytes, &FileOptions::default()).unwrap();
        assert_eq!(parsed.format_id, "ecb-rates");
        assert_eq!(parsed.records.len(), 2);
    }

    #[test]
    fn bad_cells_are_rejected_with_line_and_column() {
        // (row, column, column name, reason fragment)
        let cases: &[(&str, usize, &str, &str)] = &[
            ("2019-08-14,abc,118.01", 2, "USD", "'abc' is not a number"),
            ("2019-08-14,1.12,-1", 3, "JPY", "is not a rate"),
            ("2019-08-14,0,118", 2, "USD", "is not a rate"),
            (
                "14/08/2019,1.12,118.01",
                1,
                "Date",
                "'14/08/2019' is not a date",
            ),
            (
                "Thirty February 2019,1.12,118.01",
                1,
                "Date",
                "is not a date",
            ),
        ];
        for (row, column, name, reason) in cases {
            let parsed = parse(&format!("Date,USD,JPY\n2019-08-13,1.1222,118.01\n{row}\n"));
            assert_eq!(parsed.records.len(), 2, "{row}");
            let e = &parsed.rejected[0];
            assert_eq!(
                (e.line, e.column, e.column_name.as_str()),
                (3, Some(*column), *name),
                "{row}"
            );
            assert!(e.reason.contains(reason), "{row}: {}", e.reason);
        }
    }

    #[test]
    fn detection() {
        let h = |names: &[&str]| Header::new(names.iter().map(|n| (*n).to_string()).collect(), 1);
        let cases: &[(&[&str], bool)] = &[
            (&["Date", "USD", "JPY", "BGN", ""], true),
            (&["Date", "USD"], true),
            (&["Date", "JPY", "GBP"], false),
            (&["Date", "USD", "Description", "Amount", "Balance"], false),
            (&["Date", "Description", "Amount"], false),
            (&["Day", "USD", "JPY"], false),
            (&["USD", "Date", "JPY"], false),
            (&["Date", "usd", "jpy"], false),
        ];
        for (names, want) in cases {
            assert_eq!(EcbRates.detect(&h(names)), *want, "{names:?}");
        }
    }
}
