//! Reading a CSV file as a table: encoding (UTF-8 with or without BOM, UTF-16 with BOM,
//! Windows-1252 fallback per field), delimiter (comma, semicolon, tab, pipe), the header row
//! (the first row with at least two filled cells), and typed access to cells by column.
//!
//! Nothing here reads a whole file into memory: rows stream from the reader one at a time.

use std::borrow::Cow;
use std::io::{self, Read};

use chrono::NaiveDateTime;

use super::ImportError;
use super::dates::{self, DateOrder};
use super::not_csv::NotCsv;
use crate::domain::money::{Amount, Currency, DecimalMark};

/// Opens the file again from its start; importers read a file twice when they must weigh all
/// its dates before parsing.
pub type Opener<'a> = dyn Fn() -> io::Result<Box<dyn Read + Send>> + 'a;

/// The text encoding found at the start of a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextEncoding {
    Utf8,
    Utf8Bom,
    Utf16Le,
    Utf16Be,
}

impl TextEncoding {
    pub fn as_str(self) -> &'static str {
        match self {
            TextEncoding::Utf8 => "UTF-8 (Windows-1252 where not UTF-8)",
            TextEncoding::Utf8Bom => "UTF-8 with BOM",
            TextEncoding::Utf16Le => "UTF-16 LE",
            TextEncoding::Utf16Be => "UTF-16 BE",
        }
    }
}

/// The dialect of one file: how to split it and how to read its numbers and dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dialect {
    pub encoding: TextEncoding,
    pub delimiter: u8,
    pub decimal: DecimalMark,
    pub date_order: Option<DateOrder>,
}

/// The header row of a file, with names normalised for matching.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    pub names: Vec<String>,
    normalized: Vec<String>,
    /// The 1-based line of the header row.
    pub line: u64,
    /// The key/value rows above the header (`Currency,AUD`), first two cells each.
    pub preamble: Vec<(String, String)>,
}

/// Lowercase, trimmed, inner whitespace collapsed, BOM and stray quotes removed.
pub fn normalize_name(name: &str) -> String {
    let cleaned =
        name.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}' || c == '"' || c == '\'');
    cleaned
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

impl Header {
    pub fn new(names: Vec<String>, line: u64) -> Self {
        let names: Vec<String> = names
            .into_iter()
            .map(|n| n.trim_matches(['\u{feff}', ' ']).to_string())
            .collect();
        let normalized = names.iter().map(|n| normalize_name(n)).collect();
        Self {
            names,
            normalized,
            line,
            preamble: Vec::new(),
        }
    }

    /// The value of a preamble row whose key is one of `keys` (compared normalised).
    pub fn preamble_value(&self, keys: &[&str]) -> Option<&str> {
        self.preamble.iter().find_map(|(k, v)| {
            let k = normalize_name(k);
            keys.iter()
                .any(|key| normalize_name(key) == k)
                .then_some(v.as_str())
        })
    }

    /// The index of the first column whose name is one of `aliases` (compared normalised).
    pub fn find(&self, aliases: &[&str]) -> Option<usize> {
        aliases.iter().find_map(|a| {
            let a = normalize_name(a);
            self.normalized.iter().position(|n| *n == a)
        })
    }

    /// The index of the first column whose name starts with one of `prefixes` (normalised).
    pub fn find_prefix(&self, prefixes: &[&str]) -> Option<usize> {
        prefixes.iter().find_map(|p| {
            let p = normalize_name(p);
            self.normalized.iter().position(|n| n.starts_with(&p))
        })
    }

    /// Whether every name of `required` is a column.
    pub fn has_all(&self, required: &[&str]) -> bool {
        required.iter().all(|r| self.find(&[r]).is_some())
    }

    /// Like [`Header::find`], but a missing column is an error that names it.
    ///
    /// # Errors
    /// When no column has any of the names, or two columns have the name found (which one
    /// holds the amount?).
    pub fn require(&self, aliases: &[&str]) -> Result<usize, BindError> {
        let index = self.find(aliases).ok_or_else(|| {
            BindError::MissingColumn(aliases.first().copied().unwrap_or_default().to_string())
        })?;
        let same = |i: &usize| self.normalized.get(*i) == self.normalized.get(index);
        if let Some(other) = (index + 1..self.names.len()).find(same) {
            return Err(BindError::Other(format!(
                "the file has two columns named '{}' (columns {} and {}), and burnrate cannot tell which one to read; remove or rename one of them",
                self.name(index),
                index + 1,
                other + 1
            )));
        }
        Ok(index)
    }

    /// The column's name as written in the file.
    pub fn name(&self, index: usize) -> &str {
        self.names.get(index).map_or("", String::as_str)
    }

    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// How many columns the header names: its length without the unnamed columns a trailing
    /// delimiter leaves at its end.
    pub fn named_width(&self) -> usize {
        self.normalized
            .iter()
            .rposition(|n| !n.is_empty())
            .map_or(0, |i| i + 1)
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// A stable text naming the column set, used to remember a user's mapping for files of the
    /// same shape.
    pub fn signature(&self) -> String {
        self.normalized
            .iter()
            .filter(|n| !n.is_empty())
            .cloned()
            .collect::<Vec<_>>()
            .join("|")
    }
}

/// The currency a column's name gives in parentheses at its end: `Amount (EUR)`,
/// `Betrag (GBP)`; `None` for other names (`Cost ($)` names a symbol, not a currency).
pub fn currency_in_name(name: &str) -> Option<Currency> {
    let inner = name.trim().strip_suffix(')')?.rsplit_once('(')?.1;
    Currency::parse(inner).ok()
}

/// The decimal mark of one number written alone (`5,36`, `EUR 3,50`, `1.234,56`): a comma
/// followed by other than three digits, or a comma after the last dot, is a decimal comma;
/// anything else reads with a dot. For cells whose file mixes the two.
pub fn decimal_mark_of(number: &str) -> DecimalMark {
    let digits = number.trim_end_matches(|c: char| !c.is_ascii_digit());
    match (digits.rfind('.'), digits.rfind(',')) {
        (None, Some(c)) if digits.get(c + 1..).is_some_and(|rest| rest.len() != 3) => {
            DecimalMark::Comma
        }
        (Some(d), Some(c)) if c > d => DecimalMark::Comma,
        _ => DecimalMark::Dot,
    }
}

/// Why a format cannot read a file with this header.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BindError {
    #[error("the file has no column named '{0}'")]
    MissingColumn(String),
    #[error("{0}")]
    Other(String),
}

/// A problem with one cell of one row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// 0-based column index, `None` when the row as a whole is wrong.
    pub column: Option<usize>,
    pub reason: String,
}

impl FieldError {
    pub fn at(column: usize, reason: impl Into<String>) -> Self {
        Self {
            column: Some(column),
            reason: reason.into(),
        }
    }

    pub fn row(reason: impl Into<String>) -> Self {
        Self {
            column: None,
            reason: reason.into(),
        }
    }
}

/// One data row, with typed access to its cells.
pub struct Row<'a> {
    pub record: &'a csv::ByteRecord,
    /// The 1-based line where the row starts.
    pub line: u64,
    pub dialect: &'a Dialect,
    /// The row's cells, one after another, when they are UTF-8 (nearly always): checked once
    /// for the whole row instead of once for each cell read.
    utf8: Option<&'a str>,
}

impl<'a> Row<'a> {
    /// The row `record`, which starts at `line` of a file in `dialect`.
    pub fn new(record: &'a csv::ByteRecord, line: u64, dialect: &'a Dialect) -> Self {
        Self {
            record,
            line,
            dialect,
            utf8: std::str::from_utf8(record.as_slice()).ok(),
        }
    }

    /// The cell's text, trimmed; empty when the row is shorter than the header.
    pub fn text(&self, column: usize) -> Cow<'a, str> {
        let Some(range) = self.record.range(column) else {
            return Cow::Borrowed("");
        };
        // A cell of a UTF-8 row is UTF-8 when it starts and ends between characters.
        if let Some(s) = self.utf8.and_then(|row| row.get(range.clone())) {
            return Cow::Borrowed(s.trim());
        }
        let Some(bytes) = self.record.as_slice().get(range) else {
            return Cow::Borrowed("");
        };
        if let Ok(s) = std::str::from_utf8(bytes) {
            Cow::Borrowed(s.trim())
        } else {
            let (decoded, _, _) = encoding_rs::WINDOWS_1252.decode(bytes);
            Cow::Owned(decoded.trim().to_string())
        }
    }

    /// The cell's text, or empty when the column is absent from the file.
    pub fn opt_text(&self, column: Option<usize>) -> Cow<'a, str> {
        column.map_or(Cow::Borrowed(""), |c| self.text(c))
    }

    /// Whether every cell of the row is empty.
    pub fn is_blank(&self) -> bool {
        self.record
            .iter()
            .all(|f| f.iter().all(u8::is_ascii_whitespace))
    }

    /// A required amount.
    ///
    /// # Errors
    /// When the cell is empty or not a number.
    pub fn amount(&self, column: usize) -> Result<Amount, FieldError> {
        self.amount_in(column, &self.text(column))
    }

    /// The required amount `text`, the cell of `column` already read (a format that also
    /// stores the text as written reads the cell once).
    ///
    /// # Errors
    /// When the text is empty or not a number.
    pub fn amount_in(&self, column: usize, text: &str) -> Result<Amount, FieldError> {
        Amount::parse(text, self.dialect.decimal)
            .map_err(|e| FieldError::at(column, amount_reason(&e)))
    }

    /// A required amount whose decimal mark is read from the cell itself, for a column whose
    /// file writes both marks (`0.11` and `EUR 3,50` in one Cursor export).
    ///
    /// # Errors
    /// When the cell is empty or not a number.
    pub fn self_marked_amount(&self, column: usize) -> Result<Amount, FieldError> {
        let text = self.text(column);
        Amount::parse(&text, decimal_mark_of(&text))
            .map_err(|e| FieldError::at(column, amount_reason(&e)))
    }

    /// An amount that may be empty or absent.
    ///
    /// # Errors
    /// When the cell holds text that is not a number.
    pub fn opt_amount(&self, column: Option<usize>) -> Result<Option<Amount>, FieldError> {
        let Some(column) = column else {
            return Ok(None);
        };
        let text = self.text(column);
        if text.is_empty() {
            return Ok(None);
        }
        Amount::parse(&text, self.dialect.decimal)
            .map(Some)
            .map_err(|e| FieldError::at(column, amount_reason(&e)))
    }

    /// A required currency code (three letters, any case).
    ///
    /// # Errors
    /// When the cell is empty or not a three-letter code.
    pub fn currency(&self, column: usize) -> Result<Currency, FieldError> {
        Currency::parse(&self.text(column)).map_err(|e| FieldError::at(column, e.to_string()))
    }

    /// A currency code that may be empty or absent.
    ///
    /// # Errors
    /// When the cell holds text that is not a three-letter code.
    pub fn opt_currency(&self, column: Option<usize>) -> Result<Option<Currency>, FieldError> {
        let Some(column) = column else {
            return Ok(None);
        };
        let text = self.text(column);
        if text.is_empty() {
            return Ok(None);
        }
        Currency::parse(&text)
            .map(Some)
            .map_err(|e| FieldError::at(column, e.to_string()))
    }

    /// A required date or date-time.
    ///
    /// # Errors
    /// When the cell is empty or not a date in the file's date order.
    pub fn datetime(&self, column: usize) -> Result<NaiveDateTime, FieldError> {
        let text = self.text(column);
        if text.is_empty() {
            return Err(FieldError::at(column, "the date is empty"));
        }
        dates::parse_datetime(&text, self.dialect.date_order).ok_or_else(|| {
            FieldError::at(
                column,
                format!("'{text}' is not a date this importer can read"),
            )
        })
    }

    /// A date that may be empty or absent.
    ///
    /// # Errors
    /// When the cell holds text that is not a date.
    pub fn opt_datetime(&self, column: Option<usize>) -> Result<Option<NaiveDateTime>, FieldError> {
        let Some(column) = column else {
            return Ok(None);
        };
        if self.text(column).is_empty() {
            return Ok(None);
        }
        self.datetime(column).map(Some)
    }

    /// A whole number of tokens or requests (`10.0` counts as 10).
    ///
    /// # Errors
    /// When the cell holds text that is not a whole number.
    pub fn opt_count(&self, column: Option<usize>) -> Result<Option<i64>, FieldError> {
        let Some(column) = column else {
            return Ok(None);
        };
        let text = self.text(column);
        if text.is_empty() {
            return Ok(None);
        }
        let amount = Amount::parse(&text, DecimalMark::Dot)
            .map_err(|_| FieldError::at(column, format!("'{text}' is not a count")))?;
        if amount.nanos() % crate::domain::money::NANOS_PER_UNIT != 0 {
            return Err(FieldError::at(
                column,
                format!("'{text}' is not a whole number"),
            ));
        }
        Ok(Some(amount.nanos() / crate::domain::money::NANOS_PER_UNIT))
    }
}

fn amount_reason(e: &crate::domain::money::AmountError) -> String {
    match e {
        crate::domain::money::AmountError::Empty => "the amount is empty".to_string(),
        other => other.to_string(),
    }
}

/// Reads the first bytes of a file to find its encoding; returns a reader of UTF-8-ish bytes
/// (UTF-16 is transcoded as it streams; a UTF-8 BOM is skipped).
///
/// # Errors
/// When the file cannot be read, or is not CSV text (a PDF, a workbook, binary data).
pub fn decoded_reader(
    open: &Opener<'_>,
) -> Result<(Box<dyn Read + Send>, TextEncoding), ImportError> {
    let mut probe = open()?;
    let mut head = vec![0u8; 4096];
    let mut got = 0;
    while got < head.len() {
        let n = probe.read(&mut head[got..])?;
        if n == 0 {
            break;
        }
        got += n;
    }
    head.truncate(got);
    drop(probe);
    if let Some(kind) = NotCsv::sniff(&head) {
        return Err(ImportError::NotCsv(kind));
    }
    let reader = open()?;
    let utf16 = |reader: Box<dyn Read + Send>, encoding| -> Box<dyn Read + Send> {
        Box::new(StripCr::new(
            encoding_rs_io::DecodeReaderBytesBuilder::new()
                .encoding(Some(encoding))
                .build(reader),
        ))
    };
    match (head.first(), head.get(1), head.get(2)) {
        (Some(0xFF), Some(0xFE), _) => {
            return Ok((utf16(reader, encoding_rs::UTF_16LE), TextEncoding::Utf16Le));
        }
        (Some(0xFE), Some(0xFF), _) => {
            return Ok((utf16(reader, encoding_rs::UTF_16BE), TextEncoding::Utf16Be));
        }
        (Some(0xEF), Some(0xBB), Some(0xBF)) => {
            let mut reader = reader;
            let mut skip = [0u8; 3];
            reader.read_exact(&mut skip)?;
            return Ok((Box::new(StripCr::new(reader)), TextEncoding::Utf8Bom));
        }
        _ => {}
    }
    if head.contains(&0) {
        // Text never holds NUL bytes, except UTF-16 written without its byte-order mark: one
        // zero in every pair for the ASCII letters of a CSV header.
        let zeros_at = |parity: usize| {
            head.iter()
                .skip(parity)
                .step_by(2)
                .filter(|b| **b == 0)
                .count()
        };
        let pairs = head.len() / 2;
        if pairs > 0 && zeros_at(1) * 10 >= pairs * 8 && zeros_at(0) * 10 < pairs {
            return Ok((utf16(reader, encoding_rs::UTF_16LE), TextEncoding::Utf16Le));
        }
        if pairs > 0 && zeros_at(0) * 10 >= pairs * 8 && zeros_at(1) * 10 < pairs {
            return Ok((utf16(reader, encoding_rs::UTF_16BE), TextEncoding::Utf16Be));
        }
        return Err(ImportError::Binary);
    }
    Ok((Box::new(StripCr::new(reader)), TextEncoding::Utf8))
}

/// Turns every line end into `\n` as bytes stream through, so CRLF files count lines like LF
/// files (the csv crate reports the line of a CRLF record one too low), quoted multi-line
/// fields keep plain newlines, and a file with old Mac line ends (a lone CR) is read line by
/// line instead of as one header line with nothing after it.
pub struct StripCr<R> {
    inner: R,
    /// The last byte was a CR, already given out as `\n`: a `\n` right after it is dropped.
    after_cr: bool,
}

impl<R> StripCr<R> {
    pub fn new(inner: R) -> Self {
        Self {
            inner,
            after_cr: false,
        }
    }
}

impl<R: Read> Read for StripCr<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            let n = self.inner.read(buf)?;
            if n == 0 {
                return Ok(0);
            }
            // Most files end lines with `\n` alone: nothing to change, and no byte to look at
            // one by one.
            if !self.after_cr && !buf.get(..n).unwrap_or_default().contains(&b'\r') {
                return Ok(n);
            }
            let mut kept = 0;
            for i in 0..n {
                let b = buf[i];
                let after_cr = std::mem::replace(&mut self.after_cr, b == b'\r');
                if b == b'\n' && after_cr {
                    continue;
                }
                buf[kept] = if b == b'\r' { b'\n' } else { b };
                kept += 1;
            }
            if kept > 0 {
                return Ok(kept);
            }
        }
    }
}

/// Picks the delimiter from the first lines: the one of `,` `;` tab `|` that splits the first
/// non-empty line into the most fields, outside quotes.
pub fn sniff_delimiter(sample: &[u8]) -> u8 {
    let mut lines = sample
        .split(|b| *b == b'\n')
        .filter(|l| l.iter().any(|b| !b.is_ascii_whitespace()));
    let Some(first) = lines.next() else {
        return b',';
    };
    let count = |line: &[u8], d: u8| {
        let mut quoted = false;
        line.iter()
            .filter(|b| {
                if **b == b'"' {
                    quoted = !quoted;
                }
                !quoted && **b == d
            })
            .count()
    };
    let candidates = [b',', b';', b'\t', b'|'];
    let mut best = b',';
    let mut best_count = 0;
    for d in candidates {
        let c = count(first, d);
        if c > best_count {
            best = d;
            best_count = c;
        }
    }
    best
}

/// Weighs decimal marks from the amounts of a file.
#[derive(Debug, Default, Clone, Copy)]
pub struct DecimalEvidence {
    comma: u64,
    dot: u64,
}

impl DecimalEvidence {
    pub fn observe(&mut self, text: &str) {
        // One pass over the bytes: every amount of a file is weighed before its import.
        let t = text.trim().as_bytes();
        let (mut dots, mut commas) = (0usize, 0usize);
        let (mut last_dot, mut last_comma) = (None, None);
        for (i, b) in t.iter().enumerate() {
            match b {
                b'.' => (dots, last_dot) = (dots + 1, Some(i)),
                b',' => (commas, last_comma) = (commas + 1, Some(i)),
                _ => {}
            }
        }
        let digits_after = |i: usize| {
            t.get(i + 1..)
                .unwrap_or_default()
                .iter()
                .take_while(|b| b.is_ascii_digit())
                .count()
        };
        match (last_dot, last_comma) {
            (Some(d), Some(c)) => {
                if c > d {
                    self.comma += 1;
                } else {
                    self.dot += 1;
                }
            }
            (None, Some(c)) => {
                let n = digits_after(c);
                if commas == 1 && n != 3 && n > 0 {
                    self.comma += 1;
                }
            }
            (Some(d), None) => {
                let n = digits_after(d);
                if dots > 1 {
                    self.comma += 1;
                } else if n != 3 && n > 0 {
                    self.dot += 1;
                }
            }
            (None, None) => {}
        }
    }

    pub fn verdict(&self) -> DecimalMark {
        if self.comma > 0 && self.dot == 0 {
            DecimalMark::Comma
        } else {
            DecimalMark::Dot
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_matching_ignores_case_space_and_bom() {
        let h = Header::new(
            vec![
                "\u{feff}Date".into(),
                " Amount (EUR) ".into(),
                "\"Fee\"".into(),
            ],
            1,
        );
        assert_eq!(h.find(&["date"]), Some(0));
        assert_eq!(h.find(&["amount  (eur)"]), Some(1));
        assert_eq!(h.find(&["fee"]), Some(2));
        assert_eq!(h.find_prefix(&["amount ("]), Some(1));
        assert!(h.require(&["Balance"]).is_err());
    }

    #[test]
    fn sniffs_delimiters() {
        assert_eq!(sniff_delimiter(b"a,b,c\n1,2,3"), b',');
        assert_eq!(sniff_delimiter(b"\n\na;b;c\n1,5;2;3"), b';');
        assert_eq!(sniff_delimiter(b"a\tb\tc"), b'\t');
        assert_eq!(sniff_delimiter(b"\"a,x\";b;c"), b';');
    }

    #[test]
    fn weighs_decimal_marks() {
        let mut e = DecimalEvidence::default();
        for t in ["1.234,56", "12,30", "1,000"] {
            e.observe(t);
        }
        assert_eq!(e.verdict(), DecimalMark::Comma);
        let mut e = DecimalEvidence::default();
        for t in ["1,234.56", "12.3", "1,000"] {
            e.observe(t);
        }
        assert_eq!(e.verdict(), DecimalMark::Dot);
    }

    #[test]
    fn each_amount_counts_for_the_mark_it_proves() {
        // (text, counts for a dot, counts for a comma)
        let cases = [
            ("1.234,56", 0, 1),
            ("1,234.56", 1, 0),
            ("12,30", 0, 1),
            ("12,5 €", 0, 1),
            ("1,000", 0, 0),
            ("1,000,000", 0, 0),
            ("12.3", 1, 0),
            ("-0.50", 1, 0),
            (" 7.25 ", 1, 0),
            ("1.000", 0, 0),
            ("1.000.000", 0, 1),
            ("€12,", 0, 0),
            ("12", 0, 0),
            ("", 0, 0),
        ];
        for (text, dot, comma) in cases {
            let mut e = DecimalEvidence::default();
            e.observe(text);
            assert_eq!((e.dot, e.comma), (dot, comma), "{text:?}");
        }
    }
}
