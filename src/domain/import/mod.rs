//! Importers: from a CSV file's bytes to ledger records.
//!
//! The pipeline is `prepare` (find encoding, delimiter, header and format; weigh the file's dates
//! and decimal marks when the format needs it) then `RowStream` (one row at a time, each row
//! giving records or a [`RowError`] with line, column and reason). Formats are found by their
//! header, never by file name, and read columns by name in any order.
//!
//! This module does no file-system access: the caller hands in an [`Opener`] that yields the
//! file's bytes. It never panics on input.

pub mod dates;
pub mod formats;
pub mod guard;
pub mod harness;
pub mod mapping;
pub mod not_csv;
pub mod receipts;
pub mod table;
#[cfg(test)]
pub(crate) mod test_support;

use std::io;

use serde::Serialize;

pub use self::dates::{DateEvidence, DateOrder, OrderVerdict};
pub use self::mapping::BankMapping;
pub use self::table::{BindError, Dialect, FieldError, Header, Opener, Row, TextEncoding};
use self::table::{DecimalEvidence, decoded_reader, sniff_delimiter};
use super::money::Currency;
use super::records::Record;

/// The kind of records a format yields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    Usage,
    Billing,
    Bank,
    Rates,
}

impl RecordKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RecordKind::Usage => "usage",
            RecordKind::Billing => "billing",
            RecordKind::Bank => "bank",
            RecordKind::Rates => "rates",
        }
    }
}

/// A file format burnrate can read.
pub trait Format: Sync {
    /// The id users pass to `--as` (`openai-cost`, `revolut`, ...).
    fn id(&self) -> &'static str;
    /// A name for people (`OpenAI cost export`).
    fn name(&self) -> &'static str;
    fn kind(&self) -> RecordKind;
    /// The columns that identify the format, as shown by `burnrate formats`.
    fn signature(&self) -> &'static str;
    /// Whether a file with this header is in this format.
    fn detect(&self, header: &Header) -> bool;
    /// Resolves the columns this format reads.
    ///
    /// # Errors
    /// When a column the format needs is missing.
    fn bind(&self, header: &Header, options: &FileOptions)
    -> Result<Box<dyn RowParser>, BindError>;
}

/// Reads the rows of one file, once bound to its header.
pub trait RowParser: Send {
    /// Columns holding dates that may be written day-first or month-first.
    fn date_columns(&self) -> Vec<usize> {
        Vec::new()
    }
    /// Columns holding amounts whose decimal mark may vary.
    fn amount_columns(&self) -> Vec<usize> {
        Vec::new()
    }
    /// The issuer's own date order, used when the file's dates fit both readings.
    fn default_date_order(&self) -> Option<DateOrder> {
        None
    }
    /// Whether the format weighs the whole file before parsing it (see [`RowParser::weigh`]).
    fn weighs(&self) -> bool {
        false
    }
    /// Weighs one row during the pass `prepare` makes over the file before parsing, for a
    /// format that decides something from the whole file (American Express: the card's
    /// currency from its merchants' countries).
    fn weigh(&mut self, _row: &Row<'_>) {}
    /// After the weighing pass: settles what the rows decided, with the user's answers.
    ///
    /// # Errors
    /// What the file does not tell and the user has not answered.
    fn settle(&mut self, _options: &FileOptions) -> Result<(), Unsettled> {
        Ok(())
    }
    /// What the format has read so far and left out of the ledger because it is not AI spend
    /// (a cloud bill's other services). `None` for formats that leave nothing out.
    fn left_out(&self) -> Option<&LeftOut> {
        None
    }
    /// Parses one row into zero or more records (zero for rows the format skips, such as the
    /// empty days of an OpenAI cost export).
    ///
    /// # Errors
    /// When a cell cannot be read.
    fn parse(&mut self, row: &Row<'_>, out: &mut Vec<Record>) -> Result<(), FieldError>;
}

/// The rows of a file left out of the ledger because they are not AI spend (a cloud bill's
/// compute, storage and tax): how many, and what they cost in each currency, so the import
/// report can say so.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct LeftOut {
    /// Rows (in a wide file, each period's service cells) left out.
    pub rows: u64,
    /// Their cost, one entry per currency in the order met.
    pub cost: Vec<LeftOutCost>,
}

/// The cost of left-out rows in one currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct LeftOutCost {
    pub currency: Currency,
    /// The exact sum, as a decimal text in JSON (`"1234.56"`).
    #[serde(serialize_with = "amount_text")]
    pub amount: super::money::Amount,
}

#[expect(
    clippy::trivially_copy_pass_by_ref,
    reason = "serde's serialize_with passes a reference"
)]
fn amount_text<S: serde::Serializer>(
    amount: &super::money::Amount,
    s: S,
) -> Result<S::Ok, S::Error> {
    s.serialize_str(&amount.to_string())
}

impl LeftOut {
    /// Counts one left-out row and its cost (none when the row has no cost). A sum too large
    /// to add stays at the last value it could hold; it is a count for people, not a total.
    pub fn add(&mut self, cost: Option<(super::money::Amount, Currency)>) {
        self.rows += 1;
        let Some((amount, currency)) = cost else {
            return;
        };
        match self.cost.iter_mut().find(|c| c.currency == currency) {
            Some(entry) => {
                if let Some(sum) = entry.amount.checked_add(amount) {
                    entry.amount = sum;
                }
            }
            None => self.cost.push(LeftOutCost { currency, amount }),
        }
    }
}

/// What a file does not tell, and the user must answer before it can be imported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unsettled {
    /// The currency of a card statement that writes none (an American Express export whose
    /// header, number format and merchants' countries do not name the card's country).
    Currency,
}

/// What the user said about a file.
#[derive(Debug, Clone, Default)]
pub struct FileOptions {
    /// `--as FORMAT`: skip detection.
    pub format: Option<String>,
    /// The user's answer when the file's dates are ambiguous.
    pub date_order: Option<DateOrder>,
    /// A saved mapping for a bank CSV of this header (the generic format).
    pub mapping: Option<BankMapping>,
    /// `--provider NAME`, for files that do not say which provider they are about (a Stripe
    /// invoice export).
    pub provider: Option<String>,
    /// Reads the text of PDF receipts; `None` uses the application's default (a child process
    /// in the burnrate binary).
    pub pdf_text: Option<std::sync::Arc<dyn receipts::PdfText>>,
    /// `--machine NAME`: the computer coding-agent logs come from (default: this one's name).
    pub machine: Option<String>,
    /// `--currency CODE`, or the user's choice in the preview: the currency of a card statement
    /// that writes none (American Express outside the US). Files that name the currency of
    /// their lines do not read it.
    pub currency: Option<Currency>,
}

/// A bad row: where, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowError {
    pub line: u64,
    /// The 1-based column number (`None` when the whole row is wrong).
    pub column: Option<usize>,
    /// The column's name as written in the file (empty when the whole row is wrong).
    pub column_name: String,
    pub reason: String,
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.column {
            Some(c) => write!(
                f,
                "line {}, column {} ({}): {}",
                self.line, c, self.column_name, self.reason
            ),
            None => write!(f, "line {}: {}", self.line, self.reason),
        }
    }
}

/// Why a file cannot be imported at all.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("could not read the file: {0}")]
    Io(#[from] io::Error),
    #[error("the file is empty or has no header row")]
    Empty,
    #[error("this file is {}, not a CSV export; {}", .0.what(), .0.advice())]
    NotCsv(not_csv::NotCsv),
    #[error(
        "it is not a CSV text file (it holds binary data); export the statement or report as CSV"
    )]
    Binary,
    #[error("burnrate does not recognise this file's columns ({columns}). Tried: {tried}")]
    /// (What to do about it is each front end's advice: the command line's `burnrate map` and
    /// `--as`, the window's mapping editor.)
    Unrecognized { columns: String, tried: String },
    #[error("there is no format named '{0}'; `burnrate formats` lists them")]
    UnknownFormat(String),
    #[error("the file does not fit the format {format}: {reason}")]
    Bind { format: String, reason: String },
    #[error(
        "every date in this file fits both day-first and month-first (for example {example}); say which it is with `--date-order dmy` or `--date-order mdy`"
    )]
    AmbiguousDates { example: String },
    #[error(
        "the dates in this file contradict each other: some can only be day-first and others only month-first (line {line}: {example}); check the file"
    )]
    ContradictoryDates { line: u64, example: String },
    #[error("the CSV structure is broken at line {line}: {reason}")]
    Csv { line: u64, reason: String },
    #[error(
        "this {format} export does not say which currency its amounts are in (nothing in its header, number format or merchants' countries tells); say it with `--currency CODE`, for example `--currency GBP`"
    )]
    UnknownCurrency {
        /// The format's name, for people.
        format: String,
        /// The format's id: the file was recognised.
        format_id: &'static str,
    },
}

/// A file ready to stream: its format and dialect decided.
pub struct Prepared {
    pub format: &'static dyn Format,
    pub header: Header,
    pub dialect: Dialect,
    parser: Box<dyn RowParser>,
}

/// How many rows with two or more filled cells `read_header` looks through for a header some
/// format knows, past a key/value preamble (Google Cloud's cost table starts with `Invoice
/// number,...`, `Currency,...`).
const HEADER_SEARCH_ROWS: usize = 40;

/// Reads the header of a file without choosing a format (for the mapping editor and for
/// looking up a saved mapping): the first row of two or more filled cells that some format
/// recognises, with the key/value rows above it kept as its preamble; when no format recognises
/// any, the first such row.
///
/// # Errors
/// When the file cannot be read or has no header.
pub fn read_header(open: &Opener<'_>) -> Result<(Header, Dialect), ImportError> {
    let (mut reader, encoding) = decoded_reader(open)?;
    let mut sample = Vec::with_capacity(64 * 1024);
    (&mut reader).take(64 * 1024).read_to_end(&mut sample)?;
    let delimiter = sniff_delimiter(&sample);
    let dialect = Dialect {
        encoding,
        delimiter,
        decimal: super::money::DecimalMark::Dot,
        date_order: None,
    };
    let mut csv = csv_reader(std::io::Cursor::new(sample), delimiter);
    let mut record = csv::ByteRecord::new();
    let mut first: Option<Header> = None;
    let mut preamble: Vec<(String, String)> = Vec::new();
    let mut candidates = 0;
    while candidates < HEADER_SEARCH_ROWS {
        match csv.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            // A broken quote after a header that was found is the rows' problem, not the
            // header's.
            Err(_) if first.is_some() => break,
            Err(e) => return Err(csv_error(&e)),
        }
        let line = record.position().map_or(1, csv::Position::line);
        let row = Row::new(&record, line, &dialect);
        let names: Vec<String> = (0..record.len())
            .map(|i| row.text(i).into_owned())
            .collect();
        if names.iter().filter(|n| !n.is_empty()).count() >= 2 {
            candidates += 1;
            let mut header = Header::new(names.clone(), line);
            header.preamble.clone_from(&preamble);
            if formats::all().iter().any(|f| f.detect(&header)) {
                return Ok((header, dialect));
            }
            if first.is_none() {
                first = Some(header);
            }
        }
        if let Some(key) = names.first().filter(|k| !k.is_empty()) {
            let value = names.get(1).cloned().unwrap_or_default();
            preamble.push((key.clone(), value));
        }
    }
    first.map(|h| (h, dialect)).ok_or(ImportError::Empty)
}

use std::io::Read;

fn csv_reader<R: Read>(reader: R, delimiter: u8) -> csv::Reader<R> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(reader)
}

fn csv_error(e: &csv::Error) -> ImportError {
    let line = e.position().map_or(0, csv::Position::line);
    match e.kind() {
        csv::ErrorKind::Io(io) => ImportError::Io(io::Error::new(io.kind(), io.to_string())),
        _ => ImportError::Csv {
            line,
            reason: e.to_string(),
        },
    }
}

/// Finds the format of a file from its header.
///
/// # Errors
/// When no format recognises the header, or `--as` names no format.
pub fn detect_format(
    header: &Header,
    options: &FileOptions,
) -> Result<&'static dyn Format, ImportError> {
    if let Some(id) = &options.format {
        return formats::by_id(id).ok_or_else(|| ImportError::UnknownFormat(id.clone()));
    }
    if options.mapping.is_some() {
        return formats::by_id(formats::GENERIC_ID)
            .ok_or_else(|| ImportError::UnknownFormat(formats::GENERIC_ID.into()));
    }
    formats::all()
        .iter()
        .copied()
        .find(|f| f.detect(header))
        .ok_or_else(|| ImportError::Unrecognized {
            columns: header
                .names
                .iter()
                .filter(|n| !n.is_empty())
                .cloned()
                .collect::<Vec<_>>()
                .join(", "),
            tried: formats::all()
                .iter()
                .filter(|f| f.id() != formats::GENERIC_ID)
                .map(|f| f.name())
                .collect::<Vec<_>>()
                .join(", "),
        })
}

/// Prepares a file for import: header, format, and (when the format needs it) one pass over
/// all rows to decide the date order and decimal mark.
///
/// # Errors
/// When the file cannot be read, is not recognised, or its dates are ambiguous or contradictory
/// and the user has not said which order they are in.
pub fn prepare(open: &Opener<'_>, options: &FileOptions) -> Result<Prepared, ImportError> {
    let (header, mut dialect) = read_header(open)?;
    let format = detect_format(&header, options)?;
    let parser = format
        .bind(&header, options)
        .map_err(|e| ImportError::Bind {
            format: format.name().to_string(),
            reason: e.to_string(),
        })?;
    let mut parser = parser;
    let date_cols = parser.date_columns();
    let amount_cols = parser.amount_columns();
    if !date_cols.is_empty() || !amount_cols.is_empty() || parser.weighs() {
        let mut dates = DateEvidence::default();
        let mut decimals = DecimalEvidence::default();
        let mut contradiction: Option<(u64, String)> = None;
        let mut ambiguous_example = String::new();
        for_each_row(open, &header, dialect, |row| {
            for &c in &date_cols {
                let text = row.text(c);
                let before = dates;
                dates.observe(&text);
                if ambiguous_example.is_empty() && dates.ambiguous > before.ambiguous {
                    ambiguous_example = text.to_string();
                }
                if contradiction.is_none() && dates.verdict() == OrderVerdict::Contradictory {
                    contradiction = Some((row.line, text.to_string()));
                }
            }
            for &c in &amount_cols {
                decimals.observe(&row.text(c));
            }
            parser.weigh(row);
        })?;
        dialect.decimal = decimals.verdict();
        dialect.date_order = match (options.date_order, dates.verdict()) {
            (Some(order), _) | (None, OrderVerdict::Proven(order)) => Some(order),
            (None, OrderVerdict::NotNeeded) => parser.default_date_order(),
            (None, OrderVerdict::Ambiguous) => match parser.default_date_order() {
                Some(order) => Some(order),
                None => {
                    return Err(ImportError::AmbiguousDates {
                        example: ambiguous_example,
                    });
                }
            },
            (None, OrderVerdict::Contradictory) => {
                let (line, example) = contradiction.unwrap_or_default();
                return Err(ImportError::ContradictoryDates { line, example });
            }
        };
    }
    parser
        .settle(options)
        .map_err(|unsettled| match unsettled {
            Unsettled::Currency => ImportError::UnknownCurrency {
                format: format.name().to_string(),
                format_id: format.id(),
            },
        })?;
    Ok(Prepared {
        format,
        header,
        dialect,
        parser,
    })
}

fn for_each_row(
    open: &Opener<'_>,
    header: &Header,
    dialect: Dialect,
    mut f: impl FnMut(&Row<'_>),
) -> Result<(), ImportError> {
    let (reader, _) = decoded_reader(open)?;
    let mut csv = csv_reader(reader, dialect.delimiter);
    let mut record = csv::ByteRecord::new();
    loop {
        match csv.read_byte_record(&mut record) {
            Ok(false) => return Ok(()),
            Ok(true) => {}
            Err(e) => return Err(csv_error(&e)),
        }
        let line = record.position().map_or(0, csv::Position::line);
        if line <= header.line {
            continue;
        }
        let row = Row::new(&record, line, &dialect);
        if !row.is_blank() {
            f(&row);
        }
    }
}

/// What one row gave.
#[derive(Debug)]
pub enum RowOutcome {
    Records(Vec<Record>),
    Rejected(RowError),
    /// The row is not AI spend and was left out (counted in [`RowStream::left_out`]).
    LeftOut,
}

/// Streams the rows of a prepared file.
pub struct RowStream {
    prepared: Prepared,
    csv: csv::Reader<Box<dyn Read + Send>>,
    record: csv::ByteRecord,
    /// Bytes read so far, for progress bars.
    pub bytes_read: u64,
    failed: bool,
    /// Set when the file ended inside a quoted cell (see [`QuoteWatch`]).
    open_quote: std::sync::Arc<std::sync::atomic::AtomicBool>,
    /// The last row was rejected for an unclosed quote that swallowed the lines after it.
    last_swallowed: bool,
}

/// Follows the CSV quoting of the bytes as they stream to the csv reader, to tell at the end
/// whether the file stopped inside a quoted cell: a download cut short. The csv reader takes
/// such a cell as ending at the end of the file and would import the cut row as if whole.
struct QuoteWatch {
    inner: Box<dyn Read + Send>,
    delimiter: u8,
    state: QuoteState,
    open_at_end: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum QuoteState {
    FieldStart,
    Unquoted,
    Quoted,
    QuoteInQuoted,
}

impl QuoteWatch {
    fn new(inner: Box<dyn Read + Send>, delimiter: u8) -> Self {
        Self {
            inner,
            delimiter,
            state: QuoteState::FieldStart,
            open_at_end: std::sync::Arc::default(),
        }
    }
}

impl Read for QuoteWatch {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n == 0 {
            self.open_at_end.store(
                self.state == QuoteState::Quoted,
                std::sync::atomic::Ordering::Relaxed,
            );
        }
        self.state = self
            .state
            .after(buf.get(..n).unwrap_or_default(), self.delimiter);
        Ok(n)
    }
}

impl QuoteState {
    /// The state after one byte.
    fn step(self, b: u8, delimiter: u8) -> Self {
        let end = b == delimiter || b == b'\n';
        match (self, b) {
            (QuoteState::Quoted, b'"') => QuoteState::QuoteInQuoted,
            (QuoteState::FieldStart | QuoteState::QuoteInQuoted, b'"')
            | (QuoteState::Quoted, _) => QuoteState::Quoted,
            _ if end => QuoteState::FieldStart,
            _ => QuoteState::Unquoted,
        }
    }

    /// The state after `bytes`, as [`QuoteState::step`] over each byte gives it, found by
    /// jumping from quote to quote: only a quote can open or close a quoted cell, and outside
    /// one the byte before a quote alone says whether it starts its cell. Every byte of a file
    /// passes here, so the bytes between quotes are not looked at one by one.
    fn after(self, bytes: &[u8], delimiter: u8) -> Self {
        let mut state = self;
        let mut rest = bytes;
        while let Some((&first, tail)) = rest.split_first() {
            if state == QuoteState::QuoteInQuoted {
                state = state.step(first, delimiter);
                rest = tail;
                continue;
            }
            let quote = memchr::memchr(b'"', rest);
            // Outside a quoted cell, any byte but a quote leaves the state its own kind says.
            let plain = |b: u8| QuoteState::FieldStart.step(b, delimiter);
            match (state, quote) {
                (QuoteState::Quoted, None) => return state,
                (QuoteState::Quoted, Some(at)) => {
                    state = QuoteState::QuoteInQuoted;
                    rest = rest.get(at + 1..).unwrap_or_default();
                }
                (_, None) => return rest.last().map_or(state, |&b| plain(b)),
                (_, Some(at)) => {
                    if let Some(&before) = at.checked_sub(1).and_then(|i| rest.get(i)) {
                        state = plain(before);
                    }
                    state = state.step(b'"', delimiter);
                    rest = rest.get(at + 1..).unwrap_or_default();
                }
            }
        }
        state
    }
}

impl RowStream {
    /// Opens the file again and positions after the header.
    ///
    /// # Errors
    /// When the file cannot be read.
    pub fn new(open: &Opener<'_>, prepared: Prepared) -> Result<Self, ImportError> {
        let (reader, _) = decoded_reader(open)?;
        let quotes = QuoteWatch::new(reader, prepared.dialect.delimiter);
        let open_quote = std::sync::Arc::clone(&quotes.open_at_end);
        let csv = csv_reader(
            Box::new(quotes) as Box<dyn Read + Send>,
            prepared.dialect.delimiter,
        );
        Ok(Self {
            prepared,
            csv,
            record: csv::ByteRecord::new(),
            bytes_read: 0,
            failed: false,
            open_quote,
            last_swallowed: false,
        })
    }

    pub fn format(&self) -> &'static dyn Format {
        self.prepared.format
    }

    pub fn header(&self) -> &Header {
        &self.prepared.header
    }

    pub fn dialect(&self) -> &Dialect {
        &self.prepared.dialect
    }

    /// What the file's rows so far left out of the ledger (not AI spend).
    pub fn left_out(&self) -> Option<&LeftOut> {
        self.prepared.parser.left_out()
    }

    fn left_out_rows(&self) -> u64 {
        self.left_out().map_or(0, |l| l.rows)
    }

    /// The next data row (`None` at the end).
    ///
    /// # Errors
    /// When the CSV structure itself is broken (an unclosed quote): the rest of the file cannot
    /// be read reliably, so the import of this file stops.
    pub fn next_row(&mut self) -> Option<Result<(u64, RowOutcome), ImportError>> {
        if self.failed {
            return None;
        }
        loop {
            match self.csv.read_byte_record(&mut self.record) {
                // A quote still open at the end, unless the row that opened it was already
                // rejected for swallowing the lines after it.
                Ok(false)
                    if self.open_quote.load(std::sync::atomic::Ordering::Relaxed)
                        && !self.last_swallowed =>
                {
                    // The rows read so far came with this file's import; the error stops it.
                    self.failed = true;
                    return Some(Err(ImportError::Csv {
                        line: self.record.position().map_or(0, csv::Position::line),
                        reason: "the file ends inside a quoted cell that is never closed, so it was probably cut short \
                                 (an interrupted download or copy); export or download it again"
                            .into(),
                    }));
                }
                Ok(false) => return None,
                Ok(true) => {}
                Err(e) => {
                    self.failed = true;
                    return Some(Err(csv_error(&e)));
                }
            }
            let pos = self.record.position().map_or(0, csv::Position::line);
            self.bytes_read = self.record.position().map_or(0, csv::Position::byte);
            if pos <= self.prepared.header.line {
                continue;
            }
            let row = Row::new(&self.record, pos, &self.prepared.dialect);
            if row.is_blank() {
                continue;
            }
            let swallowed = swallowed_rows(
                &self.record,
                &self.prepared.header,
                self.prepared.dialect.delimiter,
            );
            self.last_swallowed = swallowed.is_some();
            if let Some(column) = swallowed {
                return Some(Ok((
                    pos,
                    RowOutcome::Rejected(RowError {
                        line: pos,
                        column: Some(column + 1),
                        column_name: self.prepared.header.name(column).to_string(),
                        reason: "a quote (\") opened in this cell is never closed, so the lines after it were read into \
                                 this one cell: close the quote and import the file again"
                            .into(),
                    }),
                )));
            }
            let mut out = Vec::new();
            let left_before = self.left_out_rows();
            let parsed = self.prepared.parser.parse(&row, &mut out).and_then(|()| {
                out.iter_mut()
                    .try_for_each(guard::check)
                    .map_err(FieldError::row)
            });
            let outcome = match parsed {
                Ok(()) if out.is_empty() && self.left_out_rows() > left_before => {
                    RowOutcome::LeftOut
                }
                Ok(())
                    if !out.is_empty()
                        && self.prepared.format.kind() != RecordKind::Bank
                        && self.record.len() < self.prepared.header.named_width() =>
                {
                    RowOutcome::Rejected(short_row(&self.record, &self.prepared.header, pos))
                }
                Ok(()) => RowOutcome::Records(out),
                Err(e) => RowOutcome::Rejected(RowError {
                    line: pos,
                    column: e.column.map(|c| c + 1),
                    column_name: e
                        .column
                        .map(|c| self.prepared.header.name(c).to_string())
                        .unwrap_or_default(),
                    reason: e.reason,
                }),
            };
            return Some(Ok((pos, outcome)));
        }
    }
}

/// A row of a provider's export with fewer cells than the header names columns. Those exporters
/// write every cell, so a value is missing somewhere (a lost separator, a comma typed inside an
/// unquoted value) and the values after it may sit under the wrong columns (an e-mail address
/// read as the organization's name): the row is rejected, never guessed at. A short row that
/// holds nothing to import (an empty day) is only skipped. Bank statements are read when short:
/// their exports and spreadsheet round-trips leave trailing empty cells off, and a value shifted
/// into their dates and amounts fails to read on its own.
fn short_row(record: &csv::ByteRecord, header: &Header, line: u64) -> RowError {
    let cells = record.len();
    RowError {
        line,
        column: Some(cells + 1),
        column_name: header.name(cells).to_string(),
        reason: format!(
            "this row has {cells} cells but the header names {} columns, so a value is missing and the values after it may sit under the wrong columns; check this line in the file (a lost separator, or a comma inside an unquoted value) and import it again",
            header.named_width()
        ),
    }
}

/// The cell that holds whole rows of the file: a quote opened and never closed makes the csv
/// reader take the lines after it as one cell. A line inside a cell with more than half the
/// header's delimiters is such a swallowed row; a real multi-line description does not look
/// like that.
fn swallowed_rows(record: &csv::ByteRecord, header: &Header, delimiter: u8) -> Option<usize> {
    // Nearly every row is on one line: no cell to look into.
    memchr::memchr(b'\n', record.as_slice())?;
    // A continuation line with more than half the header's delimiters is a row, not a line
    // of a multi-line description (an address has two or three commas, a row has them all).
    let needed = (header.len() / 2).max(2);
    record.iter().position(|field| {
        field
            .split(|b| *b == b'\n')
            .skip(1)
            .any(|line| line.split(|b| *b == delimiter).count() > needed)
    })
}

/// Everything one file gave, collected in memory (for tests and small previews; imports
/// stream through [`RowStream`] instead).
#[derive(Debug)]
pub struct ParsedFile {
    pub format_id: &'static str,
    pub dialect: Dialect,
    pub records: Vec<Record>,
    pub rejected: Vec<RowError>,
    /// Data rows read (skipped and rejected rows included).
    pub rows: u64,
    /// Rows left out because they are not AI spend.
    pub left_out: Option<LeftOut>,
}

/// Parses a whole file held in memory.
///
/// # Errors
/// As [`prepare`], or when the CSV structure is broken.
pub fn parse_bytes(bytes: &[u8], options: &FileOptions) -> Result<ParsedFile, ImportError> {
    let owned = bytes.to_vec();
    let open = move || -> io::Result<Box<dyn Read + Send>> {
        Ok(Box::new(std::io::Cursor::new(owned.clone())))
    };
    let prepared = prepare(&open, options)?;
    let format_id = prepared.format.id();
    let dialect = prepared.dialect;
    let mut stream = RowStream::new(&open, prepared)?;
    let mut parsed = ParsedFile {
        format_id,
        dialect,
        records: Vec::new(),
        rejected: Vec::new(),
        rows: 0,
        left_out: None,
    };
    while let Some(next) = stream.next_row() {
        let (_, outcome) = next?;
        parsed.rows += 1;
        match outcome {
            RowOutcome::Records(r) => parsed.records.extend(r),
            RowOutcome::Rejected(e) => parsed.rejected.push(e),
            RowOutcome::LeftOut => {}
        }
    }
    parsed.left_out = stream.left_out().cloned();
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::import::test_support::usage;

    #[test]
    fn quote_watch_jumping_between_quotes_ends_where_each_byte_leads() {
        // Every text of up to seven bytes of quotes, delimiters, line ends and letters, from
        // every state: the jumps give the state the byte-by-byte walk gives.
        let alphabet = [b'"', b',', b'\n', b'a'];
        let states = [
            QuoteState::FieldStart,
            QuoteState::Unquoted,
            QuoteState::Quoted,
            QuoteState::QuoteInQuoted,
        ];
        for len in 0..=7u32 {
            for mut n in 0..4usize.pow(len) {
                let mut bytes = Vec::new();
                for _ in 0..len {
                    bytes.push(alphabet[n % 4]);
                    n /= 4;
                }
                for start in states {
                    let walked = bytes.iter().fold(start, |s, &b| s.step(b, b','));
                    assert_eq!(start.after(&bytes, b','), walked, "{start:?} {bytes:?}");
                }
            }
        }
    }

    #[test]
    fn openai_cost_skips_empty_days_and_keeps_30_decimals() {
        let csv = "start_time,end_time,start_time_iso,end_time_iso,amount_value,amount_currency,quantity,quantity_unit,line_item,user_id,api_key_id,project_id,organization_id,project_name,organization_name,user_email,api_source\n\
1790467200,1790553600,2026-09-27T00:00:00+00:00,2026-09-28T00:00:00+00:00,,,,,,,,,,,,,\n\
1790553600,1790640000,2026-09-28T00:00:00,2026-09-29T00:00:00,0.003835980000000000000000000000,usd,,,,,,,org-fixture,,Fixture Org,someone@example.com,\n\
1790553600,1790640000,2026-09-28T00:00:00,2026-09-29T00:00:00,0.5,usd,1000,tokens,\"gpt-5-nano, input_tokens\",,key_1,proj_a,org-fixture,Proj A,Fixture Org,someone@example.com,\n";
        let parsed = parse_bytes(csv.as_bytes(), &FileOptions::default()).unwrap();
        assert_eq!(parsed.format_id, "openai-cost");
        assert_eq!(parsed.rejected, []);
        assert_eq!(parsed.rows, 3);
        let u = usage(&parsed);
        assert_eq!(u.len(), 2);
        assert_eq!(u[0].cost.unwrap().nanos(), 3_835_980);
        assert_eq!(
            u[0].grain,
            Some(crate::domain::records::UsageGrain::Detail),
            "a user email makes it a detail row"
        );
        assert_eq!(u[1].model, "gpt-5-nano");
        assert_eq!(u[1].token_kind, "input");
        assert_eq!(u[1].tokens, Some(1000));
        assert_eq!(u[1].project_label(), "Proj A");
        assert_eq!(u[1].day.unwrap().to_string(), "2026-09-28");
    }

    #[test]
    fn a_row_one_cell_short_is_rejected_instead_of_naming_an_account_after_an_email() {
        // The real sample's row lacks its organization name, so the e-mail address would be
        // read as the organization.
        let csv = "start_time,end_time,start_time_iso,end_time_iso,amount_value,amount_currency,quantity,quantity_unit,line_item,user_id,api_key_id,project_id,organization_id,project_name,organization_name,user_email,api_source\n\
1790467200,1790553600,2026-09-27T00:00:00+00:00,2026-09-28T00:00:00+00:00,,,,,,,,,,,,,\n\
1790553600,1790640000,2026-09-28T00:00:00,2026-09-29T00:00:00,0.5,usd,1000,tokens,\"gpt-5-nano, input_tokens\",,key_1,proj_a,org-fixture,Proj A,someone@example.com,\n";
        let parsed = parse_bytes(csv.as_bytes(), &FileOptions::default()).unwrap();
        assert!(parsed.records.is_empty(), "{:?}", parsed.records);
        let [e] = parsed.rejected.as_slice() else {
            panic!("{:?}", parsed.rejected)
        };
        assert_eq!(
            (e.line, e.column, e.column_name.as_str()),
            (3, Some(17), "api_source")
        );
        assert!(
            e.reason
                .contains("16 cells but the header names 17 columns"),
            "{}",
            e.reason
        );
        // A short row that holds nothing (an empty day written with its time columns only)
        // is skipped, not rejected; so is a bank line that leaves a trailing cell off.
        let csv = "start_time,end_time,start_time_iso,end_time_iso,amount_value,amount_currency,line_item\n\
1759968000,1760054400,2025-10-09T00:00:00+00:00,2025-10-10T00:00:00+00:00\n";
        let parsed = parse_bytes(csv.as_bytes(), &FileOptions::default()).unwrap();
        assert_eq!((parsed.rows, parsed.rejected.len()), (1, 0));
        let csv = "Status,Date,Description,Debit,Credit\nCLEARED,02/18/2024,GITHUB.COM,4.00\n";
        let parsed = parse_bytes(csv.as_bytes(), &FileOptions::default()).unwrap();
        assert_eq!((parsed.records.len(), parsed.rejected.len()), (1, 0));
    }

    #[test]
    fn openai_cost_tab_separated_old_era() {
        let tsv = "start_time\tend_time\tstart_time_iso\tend_time_iso\tamount_value\tamount_currency\tline_item\tproject_id\torganization_id\torganization_name\n\
1759622400\t1759708800\t2025-10-05T00:00:00+00:00\t2025-10-06T00:00:00+00:00\t0.8958740000000000\tusd\t\t\torg-Hp9\tPersonal\n\
1759968000\t1760054400\t2025-10-09T00:00:00+00:00\t2025-10-10T00:00:00+00:00\n";
        let parsed = parse_bytes(tsv.as_bytes(), &FileOptions::default()).unwrap();
        let u = usage(&parsed);
        assert_eq!(u.len(), 1);
        assert_eq!(u[0].grain, Some(crate::domain::records::UsageGrain::Total));
        assert_eq!(u[0].cost.unwrap().nanos(), 895_874_000);
    }

    #[test]
    fn bad_cost_is_reported_with_line_and_column() {
        let csv = "start_time,end_time,amount_value,amount_currency,line_item\n1759622400,1759708800,abc,usd,\"gpt-4o, input\"\n";
        let parsed = parse_bytes(csv.as_bytes(), &FileOptions::default()).unwrap();
        assert_eq!(parsed.rejected.len(), 1);
        let e = &parsed.rejected[0];
        assert_eq!(
            (e.line, e.column, e.column_name.as_str()),
            (2, Some(3), "amount_value")
        );
        assert!(e.reason.contains("'abc' is not a number"), "{}", e.reason);
    }

    #[test]
    fn unrecognised_file_says_what_was_tried() {
        let err = parse_bytes(b"foo,bar\n1,2\n", &FileOptions::default()).unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.contains("foo, bar")
                && msg.contains("OpenAI cost export")
                // What to do is each front end's advice (the CLI's `burnrate map`).
                && !msg.contains("burnrate map"),
            "{msg}"
        );
    }

    #[test]
    fn binary_files_are_refused_and_utf16_without_bom_is_read() {
        let err = parse_bytes(
            b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x03\0>\0",
            &FileOptions::default(),
        )
        .unwrap_err();
        assert!(err.to_string().contains("not a CSV text file"), "{err}");
        let text =
            "start_time,end_time,amount_value,amount_currency\n1759622400,1759708800,1.5,usd\n";
        let utf16: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let parsed = parse_bytes(&utf16, &FileOptions::default()).unwrap();
        assert_eq!((parsed.format_id, parsed.records.len()), ("openai-cost", 1));
    }

    #[test]
    fn an_unclosed_quote_is_named_instead_of_swallowing_the_file_silently() {
        let csv = "start_time,end_time,amount_value,amount_currency,line_item\n\
                   1759622400,1759708800,1.50,usd,\"gpt-4o, input\n\
                   1759708800,1759795200,2.00,usd,gpt-4o\n";
        let parsed = parse_bytes(csv.as_bytes(), &FileOptions::default()).unwrap();
        assert_eq!(parsed.rejected.len(), 1, "{parsed:?}");
        assert!(
            parsed.rejected[0].reason.contains("never closed"),
            "{:?}",
            parsed.rejected
        );
        let csv = "Transaction Date,Post Date,Description,Category,Type,Amount,Memo\n\
                   10/06/2026,10/07/2026,\"OPENAI,Shopping,Sale,-20.00,\n\
                   10/08/2026,10/09/2026,ANTHROPIC,Shopping,Sale,-30.00,\n";
        let parsed = parse_bytes(csv.as_bytes(), &FileOptions::default()).unwrap();
        assert_eq!(parsed.rejected.len(), 1, "{parsed:?}");
        assert!(
            parsed.rejected[0].reason.contains("never closed"),
            "{:?}",
            parsed.rejected
        );
    }

    #[test]
    fn utf16_and_bom_files_are_read() {
        let text =
            "start_time,end_time,amount_value,amount_currency\n1759622400,1759708800,1.5,usd\n";
        let mut utf16 = vec![0xFF, 0xFE];
        for unit in text.encode_utf16() {
            utf16.extend_from_slice(&unit.to_le_bytes());
        }
        let parsed = parse_bytes(&utf16, &FileOptions::default()).unwrap();
        assert_eq!(parsed.records.len(), 1);
        let mut bom = vec![0xEF, 0xBB, 0xBF];
        bom.extend_from_slice(text.replace('\n', "\r\n").as_bytes());
        let parsed = parse_bytes(&bom, &FileOptions::default()).unwrap();
        assert_eq!(
            (parsed.format_id, parsed.records.len()),
            ("openai-cost", 1),
            "{parsed:?}"
        );
    }
}
