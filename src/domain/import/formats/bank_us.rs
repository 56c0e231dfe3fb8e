//! US card and bank statements (Chase card and checking, Apple Card, Capital One card and 360,
//! Citi) and American Express in its US, UK, Singapore and Norwegian exports.
//!
//! Every issuer writes signs its own way (Chase: a purchase is negative; Amex, Apple Card and
//! Citi: a charge is positive; Capital One: unsigned debit and credit columns or an unsigned
//! amount with a Debit/Credit column). Every line leaves here with the ledger's convention:
//! negative is money out. None of these files carries a status except Citi (`Cleared`,
//! `Pending`), so other lines are settled. Only Amex carries an id (`Reference`, written
//! `'320261830000002'`); other lines are keyed by date, description, currency and amount, and
//! Citi lines by date and description alone so that a pending line and its cleared twin share a
//! key.
//!
//! Quirks handled: Chase's undecoded `&amp;`, the trailing comma of Chase checking rows, Apple
//! Card's BOM and CRLF, Capital One's ISO or `MM/DD/YYYY` dates, Amex's quoted multi-line
//! addresses, its UK export (`Town/City`, `Postcode`, day-first dates, pounds), its Norwegian
//! export (`Dato`, `Beløp`, decimal comma, kroner) and the foreign amount it writes in
//! `Extended Details` (`Foreign Spend Amount: 20.00 UNITED STATES DOLLAR`). The bare Amex header
//! `Date,Description,Amount` is claimed only when every other column is a known Amex column.

use chrono::NaiveDateTime;

use super::common::{account_of, id_key, out_of_range};
use crate::domain::import::dates::{DateOrder, parse_datetime};
use crate::domain::import::table::{BindError, FieldError, Header, Row, normalize_name};
use crate::domain::import::{FileOptions, Format, RecordKind, RowParser};
use crate::domain::money::{Amount, DecimalMark};
use crate::domain::records::{BankLine, BankStatus, Record};

/// Chase credit card activity (`Chase1234_Activity_20260202.CSV`).
pub struct ChaseCard;

impl Format for ChaseCard {
    fn id(&self) -> &'static str {
        "chase-card"
    }
    fn name(&self) -> &'static str {
        "Chase credit card"
    }
    fn kind(&self) -> RecordKind {
        RecordKind::Bank
    }
    fn signature(&self) -> &'static str {
        "Card?, Transaction Date, Post Date, Description, Category, Type, Amount, Memo?"
    }
    fn detect(&self, h: &Header) -> bool {
        h.has_all(&[
            "Transaction Date",
            "Post Date",
            "Description",
            "Category",
            "Type",
            "Amount",
        ])
    }
    fn bind(&self, h: &Header, _options: &FileOptions) -> Result<Box<dyn RowParser>, BindError> {
        let amount = h.require(&["Amount"])?;
        let mut p = StatementParser::signed(self.id(), h, amount, &["Description"], false)?;
        p.started = Some(h.require(&["Transaction Date"])?);
        p.posted = h.find(&["Post Date"]);
        p.account_number = h.find(&["Card"]);
        p.decode_entities = true;
        Ok(Box::new(p))
    }
}

/// Chase checking and savings activity; data rows end with a comma the header lacks.
pub struct ChaseChecking;

impl Format for ChaseChecking {
    fn id(&self) -> &'static str {
        "chase-checking"
    }
    fn name(&self) -> &'static str {
        "Chase checking"
    }
    fn kind(&self) -> RecordKind {
        RecordKind::Bank
    }
    fn signature(&self) -> &'static str {
        "Details, Posting Date, Description, Amount, Type, Balance, Check or Slip #?"
    }
    fn detect(&self, h: &Header) -> bool {
        h.has_all(&[
            "Details",
            "Posting Date",
            "Description",
            "Amount",
            "Type",
            "Balance",
        ])
    }
    fn bind(&self, h: &Header, _options: &FileOptions) -> Result<Box<dyn RowParser>, BindError> {
        let amount = h.require(&["Amount"])?;
        let mut p = StatementParser::signed(self.id(), h, amount, &["Description"], false)?;
        // The only date is the posting date: the file does not say when a payment started.
        p.posted = Some(h.require(&["Posting Date"])?);
        p.decode_entities = true;
        Ok(Box::new(p))
    }
}

/// Apple Card monthly export from Wallet.
pub struct AppleCard;

impl Format for AppleCard {
    fn id(&self) -> &'static str {
        "apple-card"
    }
    fn name(&self) -> &'static str {
        "Apple Card"
    }
    fn kind(&self) -> RecordKind {
        RecordKind::Bank
    }
    fn signature(&self) -> &'static str {
        "Transaction Date, Clearing Date, Description, Merchant, Category, Type, Amount (USD), Purchased By"
    }
    fn detect(&self, h: &Header) -> bool {
        h.has_all(&["Transaction Date", "Clearing Date", "Description"])
            && (h.find_prefix(&["Amount ("]).is_some() || h.has_all(&["Amount"]))
    }
    fn bind(&self, h: &Header, _options: &FileOptions) -> Result<Box<dyn RowParser>, BindError> {
        let amount = h
            .find_prefix(&["Amount ("])
            .or_else(|| h.find(&["Amount"]))
            .ok_or_else(|| BindError::MissingColumn("Amount (USD)".into()))?;
        let mut p = StatementParser::signed(self.id(), h, amount, &["Description"], true)?;
        p.fallback_description = h.find(&["Merchant"]);
        p.started = Some(h.require(&["Transaction Date"])?);
        p.posted = h.find(&["Clearing Date"]);
        if let Some(code) = currency_in_name(h.name(amount)) {
            p.currency = code;
        }
        Ok(Box::new(p))
    }
}

/// Capital One credit card: unsigned `Debit` and `Credit` columns, one card number per row.
pub struct CapitalOne;

impl Format for CapitalOne {
    fn id(&self) -> &'static str {
        "capital-one"
    }
    fn name(&self) -> &'static str {
        "Capital One card"
    }
    fn kind(&self) -> RecordKind {
        RecordKind::Bank
    }
    fn signature(&self) -> &'static str {
        "Transaction Date, Posted Date, Card No., Description, Category, Debit, Credit"
    }
    fn detect(&self, h: &Header) -> bool {
        h.has_all(&[
            "Transaction Date",
            "Posted Date",
            "Card No.",
            "Description",
            "Debit",
            "Credit",
        ])
    }
    fn bind(&self, h: &Header, _options: &FileOptions) -> Result<Box<dyn RowParser>, BindError> {
        let mut p = StatementParser::debit_credit(self.id(), h)?;
        p.started = Some(h.require(&["Transaction Date"])?);
        p.posted = h.find(&["Posted Date"]);
        p.account_number = h.find(&["Card No.", "Card No"]);
        Ok(Box::new(p))
    }
}

/// Capital One 360 checking and savings: an unsigned amount and a Debit/Credit column.
pub struct CapitalOne360;

impl Format for CapitalOne360 {
    fn id(&self) -> &'static str {
        "capital-one-360"
    }
    fn name(&self) -> &'static str {
        "Capital One 360"
    }
    fn kind(&self) -> RecordKind {
        RecordKind::Bank
    }
    fn signature(&self) -> &'static str {
        "Account Number, Transaction Description, Transaction Date, Transaction Type, Transaction Amount, Balance"
    }
    fn detect(&self, h: &Header) -> bool {
        h.has_all(&[
            "Account Number",
            "Transaction Description",
            "Transaction Date",
            "Transaction Type",
            "Transaction Amount",
        ])
    }
    fn bind(&self, h: &Header, _options: &FileOptions) -> Result<Box<dyn RowParser>, BindError> {
        let amount = h.require(&["Transaction Amount"])?;
        let direction = h.require(&["Transaction Type"])?;
        let mut p = StatementParser::new(
            self.id(),
            h.require(&["Transaction Description"])?,
            Money::Directed { amount, direction },
        );
        p.started = Some(h.require(&["Transaction Date"])?);
        p.account_number = h.find(&["Account Number"]);
        Ok(Box::new(p))
    }
}

/// Citi card activity: the only US export here with pending lines.
pub struct Citi;

impl Format for Citi {
    fn id(&self) -> &'static str {
        "citi"
    }
    fn name(&self) -> &'static str {
        "Citi card"
    }
    fn kind(&self) -> RecordKind {
        RecordKind::Bank
    }
    fn signature(&self) -> &'static str {
        "Status, Date, Description, Debit, Credit, Member Name?"
    }
    fn detect(&self, h: &Header) -> bool {
        h.has_all(&["Status", "Date", "Description", "Debit", "Credit"])
    }
    fn bind(&self, h: &Header, _options: &FileOptions) -> Result<Box<dyn RowParser>, BindError> {
        let mut p = StatementParser::debit_credit(self.id(), h)?;
        p.started = Some(h.require(&["Date"])?);
        p.status = Some(h.require(&["Status"])?);
        p.key_without_amount = true;
        Ok(Box::new(p))
    }
}

/// American Express, in its US, UK, Singapore and Norwegian exports.
pub struct Amex;

/// Every column an Amex export may have, in the languages seen (English, Norwegian).
const AMEX_COLUMNS: &[&str] = &[
    "date",
    "dato",
    "description",
    "beskrivelse",
    "card member",
    "account #",
    "amount",
    "beløp",
    "extended details",
    "utvidede detaljer",
    "appears on your statement as",
    "opptrer på din kontoutskrift som",
    "address",
    "adresse",
    "city/state",
    "town/city",
    "sted",
    "zip code",
    "postcode",
    "postnummer",
    "country",
    "land",
    "reference",
    "referanse",
    "category",
    "kategori",
];

const AMEX_DATE: &[&str] = &["Date", "Dato"];
const AMEX_DESCRIPTION: &[&str] = &["Description", "Beskrivelse"];
const AMEX_AMOUNT: &[&str] = &["Amount", "Beløp"];

impl Format for Amex {
    fn id(&self) -> &'static str {
        "amex"
    }
    fn name(&self) -> &'static str {
        "American Express"
    }
    fn kind(&self) -> RecordKind {
        RecordKind::Bank
    }
    fn signature(&self) -> &'static str {
        "Date, Description, Card Member?, Account #?, Amount, Extended Details?, ..., Reference?, Category? (only known Amex columns)"
    }
    fn detect(&self, h: &Header) -> bool {
        let only_amex_columns = h
            .names
            .iter()
            .map(|n| normalize_name(n))
            .all(|n| n.is_empty() || AMEX_COLUMNS.contains(&n.as_str()));
        only_amex_columns
            && h.find(AMEX_DATE).is_some()
            && h.find(AMEX_DESCRIPTION).is_some()
            && h.find(AMEX_AMOUNT).is_some()
    }
    fn bind(&self, h: &Header, _options: &FileOptions) -> Result<Box<dyn RowParser>, BindError> {
        let amount = h.require(AMEX_AMOUNT)?;
        let mut p = StatementParser::signed(self.id(), h, amount, AMEX_DESCRIPTION, true)?;
        p.started = Some(h.require(AMEX_DATE)?);
        p.account_number = h.find(&["Account #"]);
        p.reference = h.find(&["Reference", "Referanse"]);
        p.extended = h.find(&["Extended Details", "Utvidede detaljer"]);
        if h.find(&["Dato", "Beløp", "Beskrivelse"]).is_some() {
            // The Norwegian export still writes month-first dates; only the amounts change.
            p.currency = "NOK".into();
        } else if h.find(&["Town/City", "Postcode"]).is_some() {
            p.currency = "GBP".into();
            p.order = DateOrder::DayFirst;
        }
        Ok(Box::new(p))
    }
}

/// How a statement writes the money of a line.
#[derive(Debug, Clone, Copy)]
enum Money {
    /// One signed column; `spend_positive` when the issuer writes charges as positive numbers.
    Signed { amount: usize, spend_positive: bool },
    /// A debit column (money out) and a credit column (money in), whatever sign each is written
    /// with.
    DebitCredit { debit: usize, credit: usize },
    /// An unsigned amount and a column saying `Debit` or `Credit`.
    Directed { amount: usize, direction: usize },
}

/// The row parser all formats of this file share, configured by each format's `bind`.
struct StatementParser {
    /// The format id, the start of every account name.
    format_id: &'static str,
    currency: String,
    /// The issuer's date order, used when every date of the file fits both readings.
    order: DateOrder,
    /// The transaction date.
    started: Option<usize>,
    /// The post or clearing date (required when there is no transaction date).
    posted: Option<usize>,
    description: usize,
    /// Read when the description cell is empty (Apple Card's `Merchant`).
    fallback_description: Option<usize>,
    money: Money,
    status: Option<usize>,
    /// Card or account number, appended to the account name.
    account_number: Option<usize>,
    /// The issuer's transaction id.
    reference: Option<usize>,
    /// Amex `Extended Details`, which may name a foreign amount.
    extended: Option<usize>,
    /// Chase writes `&amp;` for `&`.
    decode_entities: bool,
    /// Key lines without their amount, so a pending line and its settled twin share a key.
    key_without_amount: bool,
}

impl StatementParser {
    fn new(format_id: &'static str, description: usize, money: Money) -> Self {
        Self {
            format_id,
            currency: "USD".into(),
            order: DateOrder::MonthFirst,
            started: None,
            posted: None,
            description,
            fallback_description: None,
            money,
            status: None,
            account_number: None,
            reference: None,
            extended: None,
            decode_entities: false,
            key_without_amount: false,
        }
    }

    /// A parser for one signed amount column, the description read from the column named by
    /// `description`.
    fn signed(
        format_id: &'static str,
        h: &Header,
        amount: usize,
        description: &[&str],
        spend_positive: bool,
    ) -> Result<Self, BindError> {
        Ok(Self::new(
            format_id,
            h.require(description)?,
            Money::Signed {
                amount,
                spend_positive,
            },
        ))
    }

    /// A parser for unsigned `Debit` and `Credit` columns and a `Description` (Capital One,
    /// Citi).
    fn debit_credit(format_id: &'static str, h: &Header) -> Result<Self, BindError> {
        let debit = h.require(&["Debit"])?;
        let credit = h.require(&["Credit"])?;
        Ok(Self::new(
            format_id,
            h.require(&["Description"])?,
            Money::DebitCredit { debit, credit },
        ))
    }

    /// The line's amount, negative for money out, and the cell it was read from.
    fn amount(&self, row: &Row<'_>) -> Result<(Amount, String), FieldError> {
        match self.money {
            Money::Signed {
                amount,
                spend_positive,
            } => {
                let value = row.amount(amount)?;
                let value = if spend_positive {
                    value.checked_neg().ok_or_else(|| out_of_range(amount))?
                } else {
                    value
                };
                Ok((value, row.text(amount).into_owned()))
            }
            Money::DebitCredit { debit, credit } => {
                let money_out = row.opt_amount(Some(debit))?;
                let money_in = row.opt_amount(Some(credit))?;
                let (value, text) = match (money_out, money_in) {
                    (None, None) => {
                        return Err(FieldError::at(
                            debit,
                            "the row has neither a debit nor a credit",
                        ));
                    }
                    (Some(d), None) => (
                        d.abs().checked_neg().ok_or_else(|| out_of_range(debit))?,
                        row.text(debit),
                    ),
                    (None, Some(c)) => (c.abs(), row.text(credit)),
                    (Some(d), Some(c)) => (
                        c.abs()
                            .checked_sub(d.abs())
                            .ok_or_else(|| out_of_range(debit))?,
                        row.text(debit),
                    ),
                };
                Ok((value, text.into_owned()))
            }
            Money::Directed { amount, direction } => {
                let value = row.amount(amount)?.abs();
                let word = row.text(direction);
                let value = match word.to_ascii_lowercase().as_str() {
                    "debit" | "withdrawal" => {
                        value.checked_neg().ok_or_else(|| out_of_range(amount))?
                    }
                    "credit" | "deposit" => value,
                    _ => {
                        return Err(FieldError::at(
                            direction,
                            format!("'{word}' is neither Debit nor Credit"),
                        ));
                    }
                };
                Ok((value, row.text(amount).into_owned()))
            }
        }
    }

    fn status(&self, row: &Row<'_>) -> Result<BankStatus, FieldError> {
        let Some(c) = self.status else {
            return Ok(BankStatus::Settled);
        };
        let word = row.text(c);
        BankStatus::from_issuer(&word).ok_or_else(|| {
            FieldError::at(
                c,
                format!("'{word}' is not a status this importer knows (Cleared or Pending)"),
            )
        })
    }

    fn dates(
        &self,
        row: &Row<'_>,
    ) -> Result<(Option<NaiveDateTime>, Option<NaiveDateTime>), FieldError> {
        let started_at = self.started.map(|c| read_date(row, c)).transpose()?;
        let posted_at = match (self.started, self.posted) {
            (None, Some(c)) => Some(read_date(row, c)?),
            (_, Some(c)) if !row.text(c).is_empty() => Some(read_date(row, c)?),
            _ => None,
        };
        Ok((started_at, posted_at))
    }

    fn description(&self, row: &Row<'_>) -> String {
        let mut text = row.text(self.description);
        if text.is_empty() {
            text = row.opt_text(self.fallback_description);
        }
        if self.decode_entities {
            decode_html_entities(&text)
        } else {
            text.into_owned()
        }
    }

    fn account(&self, row: &Row<'_>) -> String {
        account_of(self.format_id, &row.opt_text(self.account_number))
    }
}

impl RowParser for StatementParser {
    fn date_columns(&self) -> Vec<usize> {
        [self.started, self.posted].into_iter().flatten().collect()
    }

    fn amount_columns(&self) -> Vec<usize> {
        match self.money {
            Money::Signed { amount, .. } | Money::Directed { amount, .. } => vec![amount],
            Money::DebitCredit { debit, credit } => vec![debit, credit],
        }
    }

    fn default_date_order(&self) -> Option<DateOrder> {
        Some(self.order)
    }

    fn parse(&mut self, row: &Row<'_>, out: &mut Vec<Record>) -> Result<(), FieldError> {
        let (started_at, posted_at) = self.dates(row)?;
        let (amount, amount_text) = self.amount(row)?;
        let status = self.status(row)?;
        let description = self.description(row);
        let account = self.account(row);
        let issuer_id = row
            .opt_text(self.reference)
            .trim_matches(['\'', '"', ' '])
            .to_string();
        let (original_amount, original_currency) = match foreign_spend(&row.opt_text(self.extended))
        {
            Some((value, code)) if code != self.currency => {
                let signed = if amount.is_negative() {
                    value.abs().checked_neg()
                } else {
                    Some(value.abs())
                };
                (
                    signed,
                    if signed.is_some() {
                        code
                    } else {
                        String::new()
                    },
                )
            }
            _ => (None, String::new()),
        };
        let day = started_at
            .or(posted_at)
            .map(|t| t.date().to_string())
            .unwrap_or_default();
        let natural_key = if !issuer_id.is_empty() {
            id_key(&account, &issuer_id)
        } else if self.key_without_amount {
            format!("bank|{account}|{day}|{description}|{}", self.currency)
        } else {
            format!(
                "bank|{account}|{day}|{description}|{}|{}",
                self.currency,
                amount.nanos()
            )
        };
        out.push(Record::Bank(BankLine {
            account,
            started_at,
            posted_at,
            description,
            amount,
            currency: self.currency.clone(),
            amount_text,
            original_amount,
            original_currency,
            status: Some(status),
            issuer_id,
            natural_key,
            ..BankLine::default()
        }));
        Ok(())
    }
}

/// A required date. Two-digit years (`03/02/26`, as Capital One 360 writes them) are widened
/// first: `dates::parse_datetime` would otherwise read `03/02/26` as year 3 through its
/// `%Y/%m/%d` pattern.
fn read_date(row: &Row<'_>, column: usize) -> Result<NaiveDateTime, FieldError> {
    let text = row.text(column);
    let Some(widened) = widen_two_digit_year(&text) else {
        return row.datetime(column);
    };
    parse_datetime(&widened, row.dialect.date_order).ok_or_else(|| {
        FieldError::at(
            column,
            format!("'{text}' is not a date this importer can read"),
        )
    })
}

/// `03/02/26` -> `03/02/2026` (with any of `/`, `-`, `.`); `None` for every other text.
fn widen_two_digit_year(text: &str) -> Option<String> {
    let sep = text.chars().find(|c| matches!(c, '/' | '-' | '.'))?;
    let parts: Vec<&str> = text.split(sep).collect();
    let [a, b, year] = parts.as_slice() else {
        return None;
    };
    let short = |p: &str| (1..=2).contains(&p.len()) && p.chars().all(|c| c.is_ascii_digit());
    (short(a) && short(b) && year.len() == 2 && short(year))
        .then(|| format!("{a}{sep}{b}{sep}20{year}"))
}

/// `USD` from a column name such as `Amount (USD)`.
fn currency_in_name(name: &str) -> Option<String> {
    let inner = name.split_once('(')?.1.split_once(')')?.0.trim();
    (inner.len() == 3 && inner.chars().all(|c| c.is_ascii_alphabetic()))
        .then(|| inner.to_ascii_uppercase())
}

/// Decodes the HTML entities Chase leaves in descriptions (`AT&amp;T` is `AT&T`).
fn decode_html_entities(text: &str) -> String {
    if !text.contains('&') {
        return text.to_string();
    }
    // `&amp;` last, so `&amp;lt;` decodes once, to `&lt;`.
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

/// The foreign amount and currency Amex writes in `Extended Details`:
/// `Foreign Spend Amount: 20.00 UNITED STATES DOLLAR Commission Amount: 5,36 ...`.
fn foreign_spend(details: &str) -> Option<(Amount, String)> {
    const LABEL: &str = "FOREIGN SPEND AMOUNT:";
    let upper = details.to_uppercase();
    let start = upper.find(LABEL)? + LABEL.len();
    let mut words = upper.get(start..)?.split_whitespace();
    let number = words.next()?;
    let amount = Amount::parse(number, decimal_mark_of(number)).ok()?;
    let name: Vec<&str> = words
        .take_while(|w| !w.ends_with(':') && !matches!(*w, "COMMISSION" | "CURRENCY" | "EXCHANGE"))
        .collect();
    Some((amount, currency_code(&name.join(" "))?))
}

/// The decimal mark of one number written alone: a comma followed by other than three digits
/// is a decimal comma (`5,36`), anything else reads with a dot.
fn decimal_mark_of(number: &str) -> DecimalMark {
    match (number.rfind('.'), number.rfind(',')) {
        (None, Some(c)) if number.get(c + 1..).is_some_and(|rest| rest.len() != 3) => {
            DecimalMark::Comma
        }
        (Some(d), Some(c)) if c > d => DecimalMark::Comma,
        _ => DecimalMark::Dot,
    }
}

/// The ISO code of a currency named in words, as Amex writes it; a three-letter code as is.
fn currency_code(name: &str) -> Option<String> {
    let name = name.trim();
    let code = match name {
        "UNITED STATES DOLLAR"
        | "UNITED STATES DOLLARS"
        | "US DOLLAR"
        | "US DOLLARS"
        | "U.S. DOLLAR" => "USD",
        "EURO" | "EUROS" => "EUR",
        "POUND STERLING" | "BRITISH POUND" | "UK POUND STERLING" => "GBP",
        "NORWEGIAN KRONE" | "NORWEGIAN KRONER" => "NOK",
        "SWEDISH KRONA" | "SWEDISH KRONOR" => "SEK",
        "DANISH KRONE" | "DANISH KRONER" => "DKK",
        "SWISS FRANC" | "SWISS FRANCS" => "CHF",
        "CANADIAN DOLLAR" | "CANADIAN DOLLARS" => "CAD",
        "AUSTRALIAN DOLLAR" | "AUSTRALIAN DOLLARS" => "AUD",
        "SINGAPORE DOLLAR" | "SINGAPORE DOLLARS" => "SGD",
        "JAPANESE YEN" | "YEN" => "JPY",
        code if code.len() == 3 && code.chars().all(|c| c.is_ascii_alphabetic()) => code,
        _ => return None,
    };
    Some(code.to_ascii_uppercase())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::import::{ParsedFile, parse_bytes};

    fn parse(bytes: &[u8]) -> ParsedFile {
        match parse_bytes(bytes, &FileOptions::default()) {
            Ok(parsed) => parsed,
            Err(e) => panic!("{e}"),
        }
    }

    fn lines(parsed: &ParsedFile) -> Vec<&BankLine> {
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

    fn day(t: Option<NaiveDateTime>) -> String {
        t.map(|t| t.date().to_string()).unwrap_or_default()
    }

    /// (file, format id, [(amount nanos, transaction day, posted day, currency)])
    type Case = (
        &'static [u8],
        &'static str,
        &'static [(i64, &'static str, &'static str, &'static str)],
    );

    #[test]
    fn reads_every_issuer_with_the_ledger_sign() {
        let cases: &[Case] = &[
            (
                b"Card,Transaction Date,Post Date,Description,Category,Type,Amount,Memo\n\
1234,01/13/2026,01/15/2026,OPENAI *CHATGPT SUBSCR,Shopping,Sale,-20.00,\n\
1234,12/11/2025,12/11/2025,AUTOMATIC PAYMENT - THANK,,Payment,188.54,\n",
                "chase-card",
                &[(-20_000_000_000, "2026-01-13", "2026-01-15", "USD"), (188_540_000_000, "2025-12-11", "2025-12-11", "USD")],
            ),
            (
                b"Details,Posting Date,Description,Amount,Type,Balance,Check or Slip #\n\
DEBIT,01/26/2026,\"ANTHROPIC\",-5.00,DEBIT_CARD,1015.29,,\n\
CREDIT,01/27/2026,\"INTEREST PAYMENT\",0.01,MISC_CREDIT,1015.30,,\n",
                "chase-checking",
                &[(-5_000_000_000, "", "2026-01-26", "USD"), (10_000_000, "", "2026-01-27", "USD")],
            ),
            (
                b"Transaction Date,Posted Date,Card No.,Description,Category,Debit,Credit\n\
2026-02-01,2026-02-02,6983,\"GITHUB, INC.\",Software,10.00,\n\
02/14/2026,02/15/2026,6983,CAPITAL ONE AUTOPAY PYMT,Payment/Credit,,100.50\n",
                "capital-one",
                &[(-10_000_000_000, "2026-02-01", "2026-02-02", "USD"), (100_500_000_000, "2026-02-14", "2026-02-15", "USD")],
            ),
            (
                b"Account Number,Transaction Description,Transaction Date,Transaction Type,Transaction Amount,Balance\n\
3601,Debit Card Purchase - MIDJOURNEY INC,03/02/26,Debit,30.00,970.00\n\
3601,Deposit from ACME PAYROLL,03/13/26,Credit,1000.00,1970.00\n",
                "capital-one-360",
                &[(-30_000_000_000, "2026-03-02", "", "USD"), (1_000_000_000_000, "2026-03-13", "", "USD")],
            ),
            (
                b"Status,Date,Description,Debit,Credit,Member Name\n\
Cleared,01/02/2026,OPENAI,12.34,,JANE DOE\n\
cleared,12/28/2025,AUTOPAY AUTO-PMT,,-1254.37,JANE DOE\n\
CLEARED,12/26/2025,REFUND - ORDER 789,,25.00,JANE DOE\n",
                "citi",
                &[
                    (-12_340_000_000, "2026-01-02", "", "USD"),
                    (1_254_370_000_000, "2025-12-28", "", "USD"),
                    (25_000_000_000, "2025-12-26", "", "USD"),
                ],
            ),
            (
                b"Date,Description,Amount\n01/17/2024,OPENAI *CHATGPT SUBSCR,21.78\n01/15/2024,PAYMENT RECEIVED - THANK YOU,-99.99\n",
                "amex",
                &[(-21_780_000_000, "2024-01-17", "", "USD"), (99_990_000_000, "2024-01-15", "", "USD")],
            ),
        ];
        for (bytes, id, expected) in cases {
            let parsed = parse(bytes);
            assert_eq!(parsed.format_id, *id);
            assert!(parsed.rejected.is_empty(), "{id}: {:?}", parsed.rejected);
            let got: Vec<_> = lines(&parsed)
                .iter()
                .map(|l| {
                    (
                        l.amount.nanos(),
                        day(l.started_at),
                        day(l.posted_at),
                        l.currency.clone(),
                    )
                })
                .collect();
            let want: Vec<_> = expected
                .iter()
                .map(|(a, s, p, c)| (*a, (*s).to_string(), (*p).to_string(), (*c).to_string()))
                .collect();
            assert_eq!(got, want, "{id}");
        }
    }

    #[test]
    fn accounts_keys_and_statuses() {
        let cases: &[(&[u8], &str, &str, BankStatus)] = &[
            (
                b"Card,Transaction Date,Post Date,Description,Category,Type,Amount,Memo\n1234,01/13/2026,01/15/2026,AT&amp;T WIRELESS,Bills,Sale,-4.36,\n",
                "chase-card:1234",
                "bank|chase-card:1234|2026-01-13|AT&T WIRELESS|USD|-4360000000",
                BankStatus::Settled,
            ),
            (
                b"Transaction Date,Post Date,Description,Category,Type,Amount,Memo\n01/13/2026,01/15/2026,CLAUDE.AI SUBSCRIPTION,Shopping,Sale,-20.00,\n",
                "chase-card",
                "bank|chase-card|2026-01-13|CLAUDE.AI SUBSCRIPTION|USD|-20000000000",
                BankStatus::Settled,
            ),
            (
                b"Date,Description,Card Member,Account #,Amount,Extended Details,Appears On Your Statement As,Address,City/State,Zip Code,Country,Reference,Category\n\
07/02/2026,NETFLIX.COM,JONATHAN BRUNO,-71002,15.49,NETFLIX.COM 866-579-7172,NETFLIX.COM,,LOS GATOS,CA,95032,'320261830000002',Entertainment-Media\n",
                "amex:-71002",
                "bank|amex:-71002|id|320261830000002",
                BankStatus::Settled,
            ),
            (
                b"Status,Date,Description,Debit,Credit\nPENDING,01/16/2024,ANTHROPIC,29.99,\n",
                "citi",
                "bank|citi|2024-01-16|ANTHROPIC|USD",
                BankStatus::Pending,
            ),
            (
                b"Transaction Date,Posted Date,Card No.,Description,Category,Debit,Credit\n2025-12-29,2025-12-30,6983,OPENAI,Software,5.00,\n",
                "capital-one:6983",
                "bank|capital-one:6983|2025-12-29|OPENAI|USD|-5000000000",
                BankStatus::Settled,
            ),
        ];
        for (bytes, account, key, status) in cases {
            let parsed = parse(bytes);
            let l = lines(&parsed);
            assert_eq!(l.len(), 1, "{account}: {:?}", parsed.rejected);
            assert_eq!(
                (
                    l[0].account.as_str(),
                    l[0].natural_key.as_str(),
                    l[0].status
                ),
                (*account, *key, Some(*status))
            );
        }
    }

    #[test]
    fn citi_pending_and_cleared_twins_share_a_key() {
        let pending = parse(
            b"Status,Date,Description,Debit,Credit\nPending,01/16/2024,OPENAI *CHATGPT,21.78,\n",
        );
        let cleared = parse(
            b"Status,Date,Description,Debit,Credit\nCleared,01/16/2024,OPENAI *CHATGPT,21.78,\n",
        );
        let (p, c) = (lines(&pending)[0], lines(&cleared)[0]);
        assert_eq!(p.natural_key, c.natural_key);
        assert_eq!(
            (p.status, c.status),
            (Some(BankStatus::Pending), Some(BankStatus::Settled))
        );
        assert_eq!(p.amount.nanos(), -21_780_000_000);
    }

    #[test]
    fn apple_card_with_bom_and_crlf_keeps_identical_purchases() {
        let mut bytes = vec![0xEF, 0xBB, 0xBF];
        bytes.extend_from_slice(
            b"Transaction Date,Clearing Date,Description,Merchant,Category,Type,Amount (USD),Purchased By\r\n\
09/11/2025,09/11/2025,\"OPENAI *CHATGPT SUBSCR SAN FRANCISCO CA USA\",\"OpenAI\",\"Other\",\"Purchase\",\"20.00\",\"Jane Sample\"\r\n\
09/11/2025,09/11/2025,\"OPENAI *CHATGPT SUBSCR SAN FRANCISCO CA USA\",\"OpenAI\",\"Other\",\"Purchase\",\"20.00\",\"Jane Sample\"\r\n\
09/05/2025,09/05/2025,\"ACH DEPOSIT INTERNET TRANSFER\",\"Ach Deposit\",\"Payment\",\"Payment\",\"-400.00\",\"John Sample\"\r\n",
        );
        let parsed = parse(&bytes);
        assert_eq!(parsed.format_id, "apple-card");
        let l = lines(&parsed);
        assert_eq!(
            l.iter().map(|l| l.amount.nanos()).collect::<Vec<_>>(),
            [-20_000_000_000, -20_000_000_000, 400_000_000_000]
        );
        assert_eq!(
            l[0].natural_key, l[1].natural_key,
            "the store tells them apart by occurrence"
        );
        assert_eq!(
            l[0].description,
            "OPENAI *CHATGPT SUBSCR SAN FRANCISCO CA USA"
        );
        assert_eq!(
            (l[0].amount_text.as_str(), l[0].currency.as_str()),
            ("20.00", "USD")
        );
        assert_eq!(parsed.rejected, []);
    }

    #[test]
    fn amex_multi_line_address_and_reference() {
        let csv = "Date,Description,Amount,Extended Details,Appears On Your Statement As,Address,City/State,Zip Code,Country,Reference,Category\n\
03/03/2026,ANTHROPIC SAN FRANCISCO CA,100.00,\"ANTHROPIC\nAPI CREDITS\",ANTHROPIC,\"548 MARKET ST\nSUITE 100\",SAN FRANCISCO CA,94104,UNITED STATES,'320260630001234567',Business Services\n\
03/15/2026,ONLINE PAYMENT - THANK YOU,-490.48,,ONLINE PAYMENT,,,,,'320260630001234571',\n";
        let parsed = parse(csv.as_bytes());
        assert_eq!(parsed.format_id, "amex");
        assert_eq!(parsed.rows, 2);
        let l = lines(&parsed);
        assert_eq!(
            (l[0].amount.nanos(), l[0].issuer_id.as_str()),
            (-100_000_000_000, "320260630001234567")
        );
        assert_eq!(l[0].natural_key, "bank|amex|id|320260630001234567");
        assert_eq!(
            (l[1].amount.nanos(), day(l[1].started_at)),
            (490_480_000_000, "2026-03-15".into())
        );
    }

    #[test]
    fn amex_uk_is_day_first_in_pounds() {
        let csv = "Date,Description,Amount,Extended Details,Appears On Your Statement As,Address,Town/City,Postcode,Country,Reference,Category\n\
31/08/2026,OPENAI *CHATGPT SUBSCR,20.00,,OPENAI,\"FORESTSIDE\nUNITS 56\",BELFAST,BT8 6FX,UNITED KINGDOM,'AT262440045000011523467',General Purchases\n\
03/08/2026,PAYMENT RECEIVED - THANK YOU,-4328.89,,PAYMENT RECEIVED,,,,,'10000000010811999911800',\n";
        let parsed = parse(csv.as_bytes());
        let l = lines(&parsed);
        assert_eq!(parsed.format_id, "amex");
        assert_eq!(
            (day(l[0].started_at), l[0].currency.as_str()),
            ("2026-08-31".into(), "GBP")
        );
        assert_eq!(day(l[1].started_at), "2026-08-03");
    }

    #[test]
    fn ambiguous_dates_fall_back_to_the_issuer_order() {
        let uk = "Date,Description,Amount,Town/City,Postcode,Reference\n03/08/2026,ANTHROPIC,18.00,LONDON,EC1,'A1'\n";
        let us = "Date,Description,Amount,City/State,Zip Code,Reference\n03/08/2026,ANTHROPIC,18.00,SF CA,94104,'A1'\n";
        let chase = "Transaction Date,Post Date,Description,Category,Type,Amount,Memo\n03/08/2026,03/09/2026,OPENAI,Shopping,Sale,-5.00,\n";
        for (csv, expected) in [
            (uk, "2026-08-03"),
            (us, "2026-03-08"),
            (chase, "2026-03-08"),
        ] {
            let parsed = parse(csv.as_bytes());
            assert_eq!(day(lines(&parsed)[0].started_at), expected, "{csv}");
        }
    }

    #[test]
    fn amex_norwegian_decimal_comma_and_foreign_amount() {
        let csv = "Dato,Beskrivelse,Bel\u{f8}p,Utvidede detaljer,Opptrer p\u{e5} din kontoutskrift som,Adresse,Sted,Postnummer,Land,Referanse,Kategori\n\
05/19/2023,MEDLEMSAVGIFT,\"100,00\",,MEDLEMSAVGIFT,,,,,'AT847282',\n\
05/16/2023,CHATGPT SUBSCRIPTION    SAN FRANCISCO,\"219,56\",\"Foreign Spend Amount: 20.00 UNITED STATES DOLLAR Commission Amount: 5,36 Currency Exchange Rate: 0.0933\",CHATGPT SUBSCRIPTION,\"185 BERRY STREET\nSUITE 550\",,94107,UNITED STATES,'AT83831718',\n\
05/10/2023,INNBETALING,\"-1.000,00\",,INNBETALING,,,,,'AT1',\n";
        let parsed = parse(csv.as_bytes());
        assert_eq!(parsed.format_id, "amex");
        let l = lines(&parsed);
        assert_eq!(
            l.iter().map(|l| l.amount.nanos()).collect::<Vec<_>>(),
            [-100_000_000_000, -219_560_000_000, 1_000_000_000_000]
        );
        assert_eq!(l[1].currency, "NOK");
        assert_eq!(
            (l[1].original_amount, l[1].original_currency.as_str()),
            (Some(Amount::from_nanos(-20_000_000_000)), "USD")
        );
        assert_eq!(
            (l[0].original_amount, day(l[0].started_at)),
            (None, "2023-05-19".into())
        );
        assert_eq!(l[1].natural_key, "bank|amex|id|AT83831718");
    }

    #[test]
    fn norwegian_header_in_windows_1252_is_still_amex() {
        let parsed =
            parse(b"Dato,Beskrivelse,Bel\xf8p,Referanse\n11/16/2026,ANTHROPIC,\"219,56\",'AT1'\n");
        assert_eq!(parsed.format_id, "amex");
        let l = lines(&parsed);
        assert_eq!(
            (l[0].amount.nanos(), l[0].currency.as_str()),
            (-219_560_000_000, "NOK")
        );
    }

    #[test]
    fn windows_1252_description_and_chase_trailing_commas() {
        let csv = b"Details,Posting Date,Description,Amount,Type,Balance,Check or Slip #\n\
DEBIT,01/05/2025,\"Caf\xe9 Claude\",-10.00,DEBIT_CARD,1000.00,,\n\
CHECK,01/06/2025,\"CHECK 101\",-50.00,CHECK_PAID,950.00,101,\n";
        let parsed = parse(csv);
        assert_eq!(parsed.format_id, "chase-checking");
        let l = lines(&parsed);
        assert_eq!(l[0].description, "Caf\u{e9} Claude");
        assert_eq!(
            l.iter().map(|l| l.amount.nanos()).collect::<Vec<_>>(),
            [-10_000_000_000, -50_000_000_000]
        );
        assert_eq!(
            (l[0].started_at, day(l[0].posted_at)),
            (None, "2025-01-05".into())
        );
    }

    #[test]
    fn bad_cells_are_rejected_with_line_column_and_reason() {
        // (file, line, column number, column name, reason contains)
        let cases: &[(&str, u64, usize, &str, &str)] = &[
            (
                "Transaction Date,Post Date,Description,Category,Type,Amount,Memo\n01/13/2026,01/15/2026,OPENAI,Shopping,Sale,-4.36,\n01/14/2026,01/15/2026,OPENAI,Shopping,Sale,abc,\n",
                3,
                6,
                "Amount",
                "'abc' is not a number",
            ),
            (
                "Date,Description,Amount\n01/17/2024,OPENAI,21.78\n13/45/2024,ANTHROPIC,5.00\n",
                3,
                1,
                "Date",
                "'13/45/2024' is not a date",
            ),
            (
                "Status,Date,Description,Debit,Credit\nCleared,01/16/2024,OPENAI,,\n",
                2,
                4,
                "Debit",
                "neither a debit nor a credit",
            ),
            (
                "Status,Date,Description,Debit,Credit\nFrozen,01/16/2024,OPENAI,1.00,\n",
                2,
                1,
                "Status",
                "'Frozen' is not a status",
            ),
            (
                "Account Number,Transaction Description,Transaction Date,Transaction Type,Transaction Amount,Balance\n3601,OPENAI,03/02/26,Sideways,3.00,1.00\n",
                2,
                4,
                "Transaction Type",
                "'Sideways' is neither Debit nor Credit",
            ),
        ];
        for (csv, line, column, name, reason) in cases {
            let parsed = parse(csv.as_bytes());
            assert_eq!(parsed.rejected.len(), 1, "{csv}");
            let e = &parsed.rejected[0];
            assert_eq!(
                (e.line, e.column, e.column_name.as_str()),
                (*line, Some(*column), *name),
                "{csv}"
            );
            assert!(e.reason.contains(reason), "{}", e.reason);
        }
    }

    #[test]
    fn bare_amex_header_claims_only_amex_columns() {
        let not_amex: &[&[u8]] = &[
            b"Date Processed,Description,Amount,\nPending,L'OLILO LONDON GBR,\xc2\xa367.40,\n12-Dec-2019,Spotify UK,\xc2\xa39.99,\n",
            b"Date,Description,Amount,Balance\n01/02/2026,OPENAI,-5.00,100.00\n",
        ];
        for bytes in not_amex {
            let Err(err) = parse_bytes(bytes, &FileOptions::default()) else {
                panic!("claimed a file that is not Amex");
            };
            assert!(err.to_string().contains("burnrate map"), "{err}");
        }
        let trailing = parse(b"Date,Description,Amount,\n01/17/2024,OPENAI,21.78,\n");
        assert_eq!(trailing.format_id, "amex");
    }

    #[test]
    fn a_missing_column_is_a_bind_error() {
        let h = Header::new(vec!["Date".into(), "Amount".into()], 1);
        let Err(e) = Amex.bind(&h, &FileOptions::default()) else {
            panic!("bound without a description")
        };
        assert_eq!(e, BindError::MissingColumn("Description".into()));
    }

    #[test]
    fn reads_foreign_spend_and_entities() {
        assert_eq!(
            foreign_spend(
                "Foreign Spend Amount: 24.00 UNITED STATES DOLLAR Commission Amount: 6,40"
            ),
            Some((Amount::from_nanos(24_000_000_000), "USD".into()))
        );
        assert_eq!(
            foreign_spend("Foreign Spend Amount: 12,50 EURO"),
            Some((Amount::from_nanos(12_500_000_000), "EUR".into()))
        );
        assert_eq!(
            foreign_spend("Foreign Spend Amount: 7.25 MARTIAN CREDIT"),
            None
        );
        assert_eq!(foreign_spend("GOODS"), None);
        assert_eq!(
            decode_html_entities("AT&amp;T &amp;lt;x&gt;"),
            "AT&T &lt;x>"
        );
        assert_eq!(currency_in_name("Amount (usd)"), Some("USD".into()));
    }
}
