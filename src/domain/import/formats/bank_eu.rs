//! European bank statements: Revolut personal (English and French headers, comma or semicolon,
//! and the old 2018-2019 `Paid Out`/`Paid In` layout), Revolut Business, Wise (the transaction
//! history and the old per-currency statement), Monzo (the app export and the 2018 export) and
//! N26 (English, German and the 2023 `Booking Date` layout).
//!
//! Every line comes out with `amount` negative for money out whatever the issuer wrote (Wise's
//! history writes unsigned amounts beside a `Direction`), a non-negative `fee` charged on top,
//! and a foreign amount carrying the line's sign. Lines are keyed by the issuer's id where there
//! is one. Revolut personal has none and writes a pending line again, completed, with another
//! amount and a completed date in a later statement, so its key is the started time, description
//! and currency only: both versions land on the same record. Statements without a status column
//! give settled lines; a status word burnrate does not know rejects the row rather than guess.
//! Quirks handled: French states (`TERMINÉ`), decimal commas, `- 85.30`, `-` placeholders in
//! N26's foreign-currency cells, day-first dates (Monzo, old Wise), Revolut Business dates in the
//! locale's order, and old Wise fee rows that repeat their transfer's id.

use chrono::{NaiveDate, NaiveDateTime};

use super::common::{
    account_of, content_key, date_and_time, fee_of, foreign, id_key, out_of_range, signed,
    status_word,
};
use crate::domain::import::dates::{self, DateOrder};
use crate::domain::import::table::{BindError, FieldError, Header, Row};
use crate::domain::import::{FileOptions, Format, RecordKind, RowParser};
use crate::domain::money::Amount;
use crate::domain::records::{BankLine, BankStatus, Record};

/// The status in `column`, or an error naming the word.
fn read_status(row: &Row<'_>, column: usize) -> Result<BankStatus, FieldError> {
    let text = row.text(column);
    status_word(&text).ok_or_else(|| {
        FieldError::at(
            column,
            format!(
                "'{text}' is not a status burnrate knows (it reads completed, pending, reverted, declined, cancelled, failed and refunded)"
            ),
        )
    })
}

/// An optional text cell where the issuer writes `-` for "nothing" (N26).
fn dash_text<'a>(row: &Row<'a>, column: Option<usize>) -> std::borrow::Cow<'a, str> {
    let text = row.opt_text(column);
    if text == "-" {
        std::borrow::Cow::Borrowed("")
    } else {
        text
    }
}

/// An optional amount cell where the issuer writes `-` for "nothing" (N26).
fn dash_amount(row: &Row<'_>, column: Option<usize>) -> Result<Option<Amount>, FieldError> {
    if dash_text(row, column).is_empty() {
        return Ok(None);
    }
    row.opt_amount(column)
}

/// The currency named in an amount header such as `Amount (EUR)` or `Betrag (EUR)`.
fn header_currency(name: &str, prefixes: &[&str]) -> Option<String> {
    let n = crate::domain::import::table::normalize_name(name);
    let inner = prefixes
        .iter()
        .find_map(|p| n.strip_prefix(p))?
        .strip_suffix(')')?
        .trim();
    (inner.len() == 3 && inner.chars().all(|c| c.is_ascii_alphabetic()))
        .then(|| inner.to_ascii_uppercase())
}

/// The first column whose header is `<prefix>(XXX)` with a currency code, and that currency.
fn currency_column(header: &Header, prefixes: &[&str]) -> Option<(usize, String)> {
    header
        .names
        .iter()
        .enumerate()
        .find_map(|(i, n)| header_currency(n, prefixes).map(|c| (i, c)))
}

// ---------------------------------------------------------------------------------------------
// Revolut Business

/// Revolut Business statement: one `ID` (UUID) per line, signed `Amount`, `State`, dates in the
/// locale's order (`12-30-2025` in US exports), and an optional local-time pair of date columns.
pub struct RevolutBusiness;

impl Format for RevolutBusiness {
    fn id(&self) -> &'static str {
        "revolut-business"
    }
    fn name(&self) -> &'static str {
        "Revolut Business statement"
    }
    fn kind(&self) -> RecordKind {
        RecordKind::Bank
    }
    fn signature(&self) -> &'static str {
        "Date started (UTC), Date completed (UTC), ID, Type, State, Description, Orig currency, Orig amount, Payment currency, Amount, Fee, Account, ..."
    }
    fn detect(&self, h: &Header) -> bool {
        h.has_all(&["ID", "State", "Description", "Amount", "Payment currency"])
            && h.find_prefix(&["Date started ("]).is_some()
    }
    fn bind(&self, h: &Header, _options: &FileOptions) -> Result<Box<dyn RowParser>, BindError> {
        let started = h
            .find(&["Date started (UTC)"])
            .or_else(|| h.find_prefix(&["Date started ("]))
            .ok_or_else(|| BindError::MissingColumn("Date started (UTC)".into()))?;
        Ok(Box::new(RevolutBusinessParser {
            started,
            completed: h
                .find(&["Date completed (UTC)"])
                .or_else(|| h.find_prefix(&["Date completed ("])),
            id: h.require(&["ID"])?,
            state: h.require(&["State"])?,
            description: h.require(&["Description"])?,
            amount: h.require(&["Amount"])?,
            currency: h.require(&["Payment currency"])?,
            fee: h.find(&["Fee"]),
            fee_currency: h.find(&["Fee currency"]),
            orig_amount: h.find(&["Orig amount"]),
            orig_currency: h.find(&["Orig currency"]),
            account: h.find(&["Account"]),
            related: h.find(&["Related transaction id"]),
        }))
    }
}

struct RevolutBusinessParser {
    started: usize,
    completed: Option<usize>,
    id: usize,
    state: usize,
    description: usize,
    amount: usize,
    currency: usize,
    fee: Option<usize>,
    fee_currency: Option<usize>,
    orig_amount: Option<usize>,
    orig_currency: Option<usize>,
    account: Option<usize>,
    related: Option<usize>,
}

impl RowParser for RevolutBusinessParser {
    fn date_columns(&self) -> Vec<usize> {
        std::iter::once(self.started)
            .chain(self.completed)
            .collect()
    }
    fn amount_columns(&self) -> Vec<usize> {
        [Some(self.amount), self.fee, self.orig_amount]
            .into_iter()
            .flatten()
            .collect()
    }
    fn parse(&mut self, row: &Row<'_>, out: &mut Vec<Record>) -> Result<(), FieldError> {
        let started_at = row.opt_datetime(Some(self.started))?;
        let posted_at = row.opt_datetime(self.completed)?;
        let Some(when) = started_at.or(posted_at) else {
            return Err(FieldError::at(
                self.started,
                "the row has neither a started nor a completed date",
            ));
        };
        let amount = row.amount(self.amount)?;
        let currency = row.text(self.currency).to_ascii_uppercase();
        let status = read_status(row, self.state)?;
        let fee_currency = row.opt_text(self.fee_currency).to_ascii_uppercase();
        let raw_fee = fee_of(row.opt_amount(self.fee)?);
        let (fee, note) = match raw_fee {
            // A fee in another currency cannot be charged on top of this line's amount.
            Some(f) if !fee_currency.is_empty() && fee_currency != currency => {
                (None, format!("fee {f} {fee_currency}"))
            }
            other => (other, String::new()),
        };
        let (original_amount, original_currency) = foreign(
            amount,
            row.opt_amount(self.orig_amount)?,
            &row.opt_text(self.orig_currency),
            &currency,
        );
        let account = account_of("revolut-business", &row.opt_text(self.account));
        let description = row.text(self.description).into_owned();
        let issuer_id = row.text(self.id).into_owned();
        let natural_key = if issuer_id.is_empty() {
            content_key(&account, when, &description, &currency, Some(amount))
        } else {
            id_key(&account, &issuer_id)
        };
        out.push(Record::Bank(BankLine {
            account,
            started_at,
            posted_at,
            description,
            amount,
            currency,
            amount_text: row.text(self.amount).into_owned(),
            original_amount,
            original_currency,
            fee,
            status: Some(status),
            issuer_id,
            related_id: row.opt_text(self.related).into_owned(),
            note,
            natural_key,
        }));
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// Revolut personal

/// Revolut personal account statement (`account-statement_<from>_<to>_<lang>_<hash>.csv`), in
/// English or French, and the 2018-2019 layout with `Paid Out (EUR)` / `Paid In (EUR)`.
pub struct Revolut;

const REVOLUT_EN: &[&str] = &[
    "Started Date",
    "Completed Date",
    "Description",
    "Amount",
    "Currency",
    "State",
];
const REVOLUT_FR: &[&str] = &[
    "Date de début",
    "Date de fin",
    "Description",
    "Montant",
    "Devise",
    "État",
];

fn is_old_revolut(h: &Header) -> bool {
    h.has_all(&["Completed Date", "Reference"])
        && h.find_prefix(&["Paid Out ("]).is_some()
        && h.find_prefix(&["Paid In ("]).is_some()
}

impl Format for Revolut {
    fn id(&self) -> &'static str {
        "revolut"
    }
    fn name(&self) -> &'static str {
        "Revolut statement"
    }
    fn kind(&self) -> RecordKind {
        RecordKind::Bank
    }
    fn signature(&self) -> &'static str {
        "Type, Product, Started Date, Completed Date, Description, Amount, Fee, Currency, State, Balance (or the French Produit, Date de début, ..., Montant, Frais, Devise, État; or the 2018 Completed Date, Reference, Paid Out (EUR), Paid In (EUR), ...)"
    }
    fn detect(&self, h: &Header) -> bool {
        h.has_all(REVOLUT_EN) || h.has_all(REVOLUT_FR) || is_old_revolut(h)
    }
    fn bind(&self, h: &Header, _options: &FileOptions) -> Result<Box<dyn RowParser>, BindError> {
        if is_old_revolut(h) {
            let (paid_out, currency) = currency_column(h, &["paid out ("])
                .ok_or_else(|| BindError::MissingColumn("Paid Out (EUR)".into()))?;
            return Ok(Box::new(OldRevolutParser {
                date: h.require(&["Completed Date"])?,
                reference: h.require(&["Reference"])?,
                paid_out,
                paid_in: h
                    .find_prefix(&["Paid In ("])
                    .ok_or_else(|| BindError::MissingColumn("Paid In (EUR)".into()))?,
                exchange_out: h.find(&["Exchange Out"]),
                exchange_in: h.find(&["Exchange In"]),
                currency,
            }));
        }
        Ok(Box::new(RevolutParser {
            product: h.find(&["Product", "Produit"]),
            started: h.require(&["Started Date", "Date de début"])?,
            completed: h.find(&["Completed Date", "Date de fin"]),
            description: h.require(&["Description"])?,
            amount: h.require(&["Amount", "Montant"])?,
            fee: h.find(&["Fee", "Frais"]),
            currency: h.require(&["Currency", "Devise"])?,
            state: h.find(&["State", "État"]),
        }))
    }
}

struct RevolutParser {
    product: Option<usize>,
    started: usize,
    completed: Option<usize>,
    description: usize,
    amount: usize,
    fee: Option<usize>,
    currency: usize,
    state: Option<usize>,
}

impl RowParser for RevolutParser {
    fn date_columns(&self) -> Vec<usize> {
        std::iter::once(self.started)
            .chain(self.completed)
            .collect()
    }
    fn amount_columns(&self) -> Vec<usize> {
        std::iter::once(self.amount).chain(self.fee).collect()
    }
    fn parse(&mut self, row: &Row<'_>, out: &mut Vec<Record>) -> Result<(), FieldError> {
        let started_at = row.opt_datetime(Some(self.started))?;
        let posted_at = row.opt_datetime(self.completed)?;
        let Some(when) = started_at.or(posted_at) else {
            return Err(FieldError::at(
                self.started,
                "the row has neither a started nor a completed date",
            ));
        };
        let amount = row.amount(self.amount)?;
        let currency = row.text(self.currency).to_ascii_uppercase();
        let status = match self.state {
            Some(c) if !row.text(c).is_empty() => read_status(row, c)?,
            // No state written: a completed date says it settled.
            _ if posted_at.is_some() => BankStatus::Settled,
            _ => BankStatus::Pending,
        };
        let account = account_of("revolut", &row.opt_text(self.product));
        let description = row.text(self.description).into_owned();
        // No amount, state or completed date in the key: a pending line completes later with
        // those changed, and must land on the same record.
        let natural_key = content_key(&account, when, &description, &currency, None);
        out.push(Record::Bank(BankLine {
            account,
            started_at,
            posted_at,
            description,
            amount,
            currency,
            amount_text: row.text(self.amount).into_owned(),
            fee: fee_of(row.opt_amount(self.fee)?),
            status: Some(status),
            natural_key,
            ..BankLine::default()
        }));
        Ok(())
    }
}

/// The 2018-2019 layout: one completed date (`Apr 8, 2018`, `2018 August 28`, or `September 15`
/// without a year for the current year), unsigned `Paid Out` / `Paid In`, and the foreign side
/// written as `GBP 19.35` in `Exchange Out` / `Exchange In`.
struct OldRevolutParser {
    date: usize,
    reference: usize,
    paid_out: usize,
    paid_in: usize,
    exchange_out: Option<usize>,
    exchange_in: Option<usize>,
    currency: String,
}

/// Reads the old layout's dates; the error says why a date cannot be read.
fn old_revolut_date(text: &str) -> Result<NaiveDateTime, String> {
    for fmt in [
        "%b %d, %Y",
        "%B %d, %Y",
        "%Y %B %d",
        "%Y %b %d",
        "%d %B %Y",
        "%d %b %Y",
    ] {
        if let Ok(d) = NaiveDate::parse_from_str(text, fmt) {
            return Ok(d.and_time(chrono::NaiveTime::MIN));
        }
    }
    if let Some(dt) = dates::parse_datetime(text, None) {
        return Ok(dt);
    }
    let with_year = format!("{text} 2000");
    if NaiveDate::parse_from_str(&with_year, "%B %d %Y").is_ok()
        || NaiveDate::parse_from_str(&with_year, "%b %d %Y").is_ok()
    {
        return Err(format!(
            "'{text}' has no year (Revolut's old statements leave it out for the current year); write the year into the date, for example '2019 {text}', or export the statement again from the app"
        ));
    }
    Err(format!("'{text}' is not a date this importer can read"))
}

/// Reads `GBP 19.35` (or `19.35 GBP`) into a currency and an amount.
fn currency_and_amount(
    row: &Row<'_>,
    column: usize,
) -> Result<Option<(String, Amount)>, FieldError> {
    let text = row.text(column);
    if text.is_empty() {
        return Ok(None);
    }
    let code = text
        .split_whitespace()
        .find(|w| w.len() == 3 && w.chars().all(|c| c.is_ascii_alphabetic()));
    let bad = || {
        FieldError::at(
            column,
            format!("'{text}' is not a currency and an amount like 'GBP 19.35'"),
        )
    };
    let code = code.ok_or_else(bad)?;
    let amount = Amount::parse(&text.replace(code, ""), row.dialect.decimal).map_err(|_| bad())?;
    Ok(Some((code.to_ascii_uppercase(), amount)))
}

impl RowParser for OldRevolutParser {
    fn amount_columns(&self) -> Vec<usize> {
        vec![self.paid_out, self.paid_in]
    }
    fn parse(&mut self, row: &Row<'_>, out: &mut Vec<Record>) -> Result<(), FieldError> {
        let date_text = row.text(self.date);
        let day =
            old_revolut_date(&date_text).map_err(|reason| FieldError::at(self.date, reason))?;
        let paid_out = row.opt_amount(Some(self.paid_out))?;
        let paid_in = row.opt_amount(Some(self.paid_in))?;
        let (amount, amount_column) = match (paid_out, paid_in) {
            (Some(o), None) => (signed(o, true), self.paid_out),
            (None, Some(i)) => (signed(i, false), self.paid_in),
            (Some(o), Some(i)) => (
                i.abs()
                    .checked_sub(o.abs())
                    .ok_or_else(|| out_of_range(self.paid_out))?,
                self.paid_out,
            ),
            (None, None) => {
                return Err(FieldError::row(
                    "neither Paid Out nor Paid In holds an amount",
                ));
            }
        };
        let exchange = match (self.exchange_out, self.exchange_in) {
            (Some(c), _) if !row.text(c).is_empty() => currency_and_amount(row, c)?,
            (_, Some(c)) => currency_and_amount(row, c)?,
            _ => None,
        };
        let (original_amount, original_currency) = match exchange {
            Some((code, value)) => foreign(amount, Some(value), &code, &self.currency),
            None => (None, String::new()),
        };
        let description = row.text(self.reference).into_owned();
        let natural_key = content_key("revolut", day, &description, &self.currency, Some(amount));
        out.push(Record::Bank(BankLine {
            account: "revolut".into(),
            started_at: Some(day),
            posted_at: Some(day),
            description,
            amount,
            currency: self.currency.clone(),
            amount_text: row.text(amount_column).into_owned(),
            original_amount,
            original_currency,
            status: Some(BankStatus::Settled),
            natural_key,
            ..BankLine::default()
        }));
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// Wise transaction history

/// Wise's transaction history (`ID,Status,Direction,Created on,...`): unsigned amounts on a
/// source and a target side, the sign given by `Direction` (`OUT`, `IN`, or `NEUTRAL` for a
/// conversion between the user's own balances, kept as money out of the source balance).
pub struct Wise;

impl Format for Wise {
    fn id(&self) -> &'static str {
        "wise"
    }
    fn name(&self) -> &'static str {
        "Wise transaction history"
    }
    fn kind(&self) -> RecordKind {
        RecordKind::Bank
    }
    fn signature(&self) -> &'static str {
        "ID, Status, Direction, Created on, Finished on, Source fee amount, Source amount (after fees), Source currency, Target name, Target amount (after fees), Target currency, ..."
    }
    fn detect(&self, h: &Header) -> bool {
        h.has_all(&[
            "ID",
            "Status",
            "Direction",
            "Created on",
            "Source amount (after fees)",
            "Target amount (after fees)",
        ])
    }
    fn bind(&self, h: &Header, _options: &FileOptions) -> Result<Box<dyn RowParser>, BindError> {
        Ok(Box::new(WiseParser {
            id: h.require(&["ID"])?,
            status: h.require(&["Status"])?,
            direction: h.require(&["Direction"])?,
            created: h.require(&["Created on"])?,
            finished: h.find(&["Finished on"]),
            source_fee: h.find(&["Source fee amount"]),
            source_fee_currency: h.find(&["Source fee currency"]),
            target_fee: h.find(&["Target fee amount"]),
            target_fee_currency: h.find(&["Target fee currency"]),
            source_name: h.find(&["Source name"]),
            source_amount: h.require(&["Source amount (after fees)"])?,
            source_currency: h.require(&["Source currency"])?,
            target_name: h.find(&["Target name"]),
            target_amount: h.require(&["Target amount (after fees)"])?,
            target_currency: h.require(&["Target currency"])?,
        }))
    }
}

struct WiseParser {
    id: usize,
    status: usize,
    direction: usize,
    created: usize,
    finished: Option<usize>,
    source_fee: Option<usize>,
    source_fee_currency: Option<usize>,
    target_fee: Option<usize>,
    target_fee_currency: Option<usize>,
    source_name: Option<usize>,
    source_amount: usize,
    source_currency: usize,
    target_name: Option<usize>,
    target_amount: usize,
    target_currency: usize,
}

/// One side (source or target) of a Wise row.
struct WiseSide {
    name: String,
    amount: Amount,
    amount_text: String,
    currency: String,
    fee: Option<Amount>,
    fee_currency: String,
}

impl WiseParser {
    fn side(
        row: &Row<'_>,
        name: Option<usize>,
        amount: usize,
        currency: usize,
        fee: Option<usize>,
        fee_currency: Option<usize>,
    ) -> Result<WiseSide, FieldError> {
        Ok(WiseSide {
            name: row.opt_text(name).into_owned(),
            amount: row.amount(amount)?,
            amount_text: row.text(amount).into_owned(),
            currency: row.text(currency).to_ascii_uppercase(),
            fee: fee_of(row.opt_amount(fee)?),
            fee_currency: row.opt_text(fee_currency).to_ascii_uppercase(),
        })
    }
}

impl RowParser for WiseParser {
    fn amount_columns(&self) -> Vec<usize> {
        [
            Some(self.source_amount),
            Some(self.target_amount),
            self.source_fee,
            self.target_fee,
        ]
        .into_iter()
        .flatten()
        .collect()
    }
    fn parse(&mut self, row: &Row<'_>, out: &mut Vec<Record>) -> Result<(), FieldError> {
        let direction = row.text(self.direction).to_ascii_uppercase();
        let outgoing = match direction.as_str() {
            "OUT" | "NEUTRAL" => true,
            "IN" => false,
            _ => {
                return Err(FieldError::at(
                    self.direction,
                    format!("'{direction}' is not a direction (IN, OUT or NEUTRAL)"),
                ));
            }
        };
        let source = Self::side(
            row,
            self.source_name,
            self.source_amount,
            self.source_currency,
            self.source_fee,
            self.source_fee_currency,
        )?;
        let target = Self::side(
            row,
            self.target_name,
            self.target_amount,
            self.target_currency,
            self.target_fee,
            self.target_fee_currency,
        )?;
        // Money out leaves the source balance, money in arrives in the target one; the other
        // side is the foreign amount.
        let (ours, theirs) = if outgoing {
            (source, target)
        } else {
            (target, source)
        };
        let amount = signed(ours.amount, outgoing);
        let (original_amount, original_currency) = foreign(
            amount,
            Some(theirs.amount),
            &theirs.currency,
            &ours.currency,
        );
        let fee_fits = ours.fee_currency.is_empty() || ours.fee_currency == ours.currency;
        let mut notes = Vec::new();
        if direction == "NEUTRAL" {
            notes.push("conversion between own balances".to_string());
        }
        // "After fees": an incoming amount has had its fee taken already, so the fee is not
        // charged on top; it is only noted. So is a fee in another currency.
        let fee = match ours.fee {
            Some(f) if outgoing && fee_fits => Some(f),
            Some(f) => {
                notes.push(format!(
                    "fee {f} {}",
                    if ours.fee_currency.is_empty() {
                        &ours.currency
                    } else {
                        &ours.fee_currency
                    }
                ));
                None
            }
            None => None,
        };
        // The other party: the payee of money out, the payer of money in.
        let description = theirs.name;
        let started_at = row.datetime(self.created)?;
        let issuer_id = row.text(self.id).into_owned();
        let natural_key = if issuer_id.is_empty() {
            content_key(
                "wise",
                started_at,
                &description,
                &ours.currency,
                Some(amount),
            )
        } else {
            id_key("wise", &issuer_id)
        };
        out.push(Record::Bank(BankLine {
            account: "wise".into(),
            started_at: Some(started_at),
            posted_at: row.opt_datetime(self.finished)?,
            description,
            amount,
            currency: ours.currency,
            amount_text: ours.amount_text,
            original_amount,
            original_currency,
            fee,
            status: Some(read_status(row, self.status)?),
            issuer_id,
            note: notes.join("; "),
            natural_key,
            ..BankLine::default()
        }));
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// Wise old statement

/// Wise's old per-currency statement (from its `TransferWise` days): `TransferWise ID,Date,Amount,...`,
/// `DD-MM-YYYY` dates, signed amounts that already include any fee, booked lines only. A
/// transfer's fee can be its own row with the transfer's id; rows with a blank id exist.
pub struct WiseStatement;

impl Format for WiseStatement {
    fn id(&self) -> &'static str {
        "wise-statement"
    }
    fn name(&self) -> &'static str {
        "Wise statement (old)"
    }
    fn kind(&self) -> RecordKind {
        RecordKind::Bank
    }
    fn signature(&self) -> &'static str {
        "TransferWise ID, Date, Date Time?, Amount, Currency, Description, ..., Merchant, Exchange To, Exchange To Amount, Transaction Type"
    }
    fn detect(&self, h: &Header) -> bool {
        h.find(&["TransferWise ID", "Wise ID"]).is_some()
            && h.has_all(&["Date", "Amount", "Currency", "Description"])
    }
    fn bind(&self, h: &Header, _options: &FileOptions) -> Result<Box<dyn RowParser>, BindError> {
        Ok(Box::new(WiseStatementParser {
            id: h.require(&["TransferWise ID", "Wise ID"])?,
            date: h.require(&["Date"])?,
            date_time: h.find(&["Date Time"]),
            amount: h.require(&["Amount"])?,
            currency: h.require(&["Currency"])?,
            description: h.require(&["Description"])?,
            merchant: h.find(&["Merchant"]),
            exchange_to: h.find(&["Exchange To"]),
            exchange_to_amount: h.find(&["Exchange To Amount"]),
            direction: h.find(&["Transaction Type"]),
        }))
    }
}

struct WiseStatementParser {
    id: usize,
    date: usize,
    date_time: Option<usize>,
    amount: usize,
    currency: usize,
    description: usize,
    merchant: Option<usize>,
    exchange_to: Option<usize>,
    exchange_to_amount: Option<usize>,
    direction: Option<usize>,
}

impl RowParser for WiseStatementParser {
    fn date_columns(&self) -> Vec<usize> {
        std::iter::once(self.date).chain(self.date_time).collect()
    }
    fn amount_columns(&self) -> Vec<usize> {
        std::iter::once(self.amount)
            .chain(self.exchange_to_amount)
            .collect()
    }
    fn default_date_order(&self) -> Option<DateOrder> {
        Some(DateOrder::DayFirst)
    }
    fn parse(&mut self, row: &Row<'_>, out: &mut Vec<Record>) -> Result<(), FieldError> {
        let day = row.datetime(self.date)?;
        let started_at = match self.date_time {
            Some(c) if !row.text(c).is_empty() => row.datetime(c)?,
            _ => day,
        };
        let written = row.amount(self.amount)?;
        let amount = match row.opt_text(self.direction).to_ascii_uppercase().as_str() {
            "DEBIT" => signed(written, true),
            "CREDIT" => signed(written, false),
            _ => written,
        };
        let currency = row.text(self.currency).to_ascii_uppercase();
        let (original_amount, original_currency) = foreign(
            amount,
            row.opt_amount(self.exchange_to_amount)?,
            &row.opt_text(self.exchange_to),
            &currency,
        );
        let text = row.text(self.description).into_owned();
        let merchant = row.opt_text(self.merchant);
        let description = if merchant.is_empty() {
            text.clone()
        } else {
            merchant.into_owned()
        };
        let lower = text.to_lowercase();
        let is_fee_row =
            lower.starts_with("transferwise charges for") || lower.starts_with("wise charges for");
        let account = account_of("wise-statement", &currency);
        let issuer_id = row.text(self.id).into_owned();
        let natural_key = match (issuer_id.is_empty(), is_fee_row) {
            (true, _) => content_key(&account, started_at, &text, &currency, Some(amount)),
            // The fee row repeats its transfer's id: key it apart from the transfer.
            (false, true) => format!("{}|fee", id_key(&account, &issuer_id)),
            (false, false) => id_key(&account, &issuer_id),
        };
        out.push(Record::Bank(BankLine {
            account,
            started_at: Some(started_at),
            posted_at: Some(day),
            description,
            amount,
            currency,
            amount_text: row.text(self.amount).into_owned(),
            original_amount,
            original_currency,
            status: Some(BankStatus::Settled),
            issuer_id,
            note: if is_fee_row {
                "fee".into()
            } else {
                String::new()
            },
            natural_key,
            ..BankLine::default()
        }));
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// Monzo

/// Monzo's app export (`Transaction ID,Date,Time,...`, `DD/MM/YYYY`) and its 2018 export
/// (`id,created,amount,...`, ISO time with offset). Signed amounts; `Local amount` is the
/// foreign side. No status column in the app export: every line is settled.
pub struct Monzo;

const MONZO_APP: &[&str] = &[
    "Transaction ID",
    "Date",
    "Time",
    "Name",
    "Amount",
    "Currency",
];
const MONZO_2018: &[&str] = &[
    "id",
    "created",
    "amount",
    "currency",
    "local_amount",
    "local_currency",
];

impl Format for Monzo {
    fn id(&self) -> &'static str {
        "monzo"
    }
    fn name(&self) -> &'static str {
        "Monzo export"
    }
    fn kind(&self) -> RecordKind {
        RecordKind::Bank
    }
    fn signature(&self) -> &'static str {
        "Transaction ID, Date, Time, Type, Name, ..., Amount, Currency, Local amount, Local currency, ..., Money Out, Money In (or id, created, amount, currency, local_amount, local_currency, ...)"
    }
    fn detect(&self, h: &Header) -> bool {
        (h.has_all(MONZO_APP) && h.find(&["Local amount", "Money Out"]).is_some())
            || h.has_all(MONZO_2018)
    }
    fn bind(&self, h: &Header, _options: &FileOptions) -> Result<Box<dyn RowParser>, BindError> {
        Ok(Box::new(MonzoParser {
            id: h.require(&["Transaction ID", "id"])?,
            date: h.require(&["Date", "created"])?,
            time: h.find(&["Time"]),
            name: h.find(&["Name"]),
            description: h.find(&["Description"]),
            amount: h.require(&["Amount"])?,
            currency: h.require(&["Currency"])?,
            local_amount: h.find(&["Local amount", "local_amount"]),
            local_currency: h.find(&["Local currency", "local_currency"]),
            money_out: h.find(&["Money Out"]),
            money_in: h.find(&["Money In"]),
            settled: h.find(&["settled"]),
            decline_reason: h.find(&["decline_reason"]),
        }))
    }
}

struct MonzoParser {
    id: usize,
    date: usize,
    time: Option<usize>,
    name: Option<usize>,
    description: Option<usize>,
    amount: usize,
    currency: usize,
    local_amount: Option<usize>,
    local_currency: Option<usize>,
    money_out: Option<usize>,
    money_in: Option<usize>,
    settled: Option<usize>,
    decline_reason: Option<usize>,
}

impl MonzoParser {
    /// The signed amount; some exports leave `Amount` empty and split it into `Money Out` and
    /// `Money In`.
    fn amount(&self, row: &Row<'_>) -> Result<Amount, FieldError> {
        if let Some(a) = row.opt_amount(Some(self.amount))? {
            return Ok(a);
        }
        let paid_out = row.opt_amount(self.money_out)?;
        let paid_in = row.opt_amount(self.money_in)?;
        if paid_out.is_none() && paid_in.is_none() {
            return Err(FieldError::at(self.amount, "the amount is empty"));
        }
        let (o, i) = (
            paid_out.unwrap_or_default().abs(),
            paid_in.unwrap_or_default().abs(),
        );
        i.checked_sub(o).ok_or_else(|| out_of_range(self.amount))
    }
}

impl RowParser for MonzoParser {
    fn date_columns(&self) -> Vec<usize> {
        vec![self.date]
    }
    fn amount_columns(&self) -> Vec<usize> {
        [
            Some(self.amount),
            self.local_amount,
            self.money_out,
            self.money_in,
        ]
        .into_iter()
        .flatten()
        .collect()
    }
    fn default_date_order(&self) -> Option<DateOrder> {
        Some(DateOrder::DayFirst)
    }
    fn parse(&mut self, row: &Row<'_>, out: &mut Vec<Record>) -> Result<(), FieldError> {
        let started_at = date_and_time(row, self.date, self.time)?;
        let amount = self.amount(row)?;
        let currency = row.text(self.currency).to_ascii_uppercase();
        let (original_amount, original_currency) = foreign(
            amount,
            row.opt_amount(self.local_amount)?,
            &row.opt_text(self.local_currency),
            &currency,
        );
        let name = row.opt_text(self.name);
        let description = if name.is_empty() {
            row.opt_text(self.description).into_owned()
        } else {
            name.into_owned()
        };
        // The API-style export says "not settled yet" with an empty `settled` and "declined"
        // with a reason; the app export says neither.
        let status = if !row.opt_text(self.decline_reason).is_empty() {
            BankStatus::Reversed
        } else if self.settled.is_some() && row.opt_text(self.settled).is_empty() {
            BankStatus::Pending
        } else {
            BankStatus::Settled
        };
        let issuer_id = row.text(self.id).into_owned();
        let natural_key = if issuer_id.is_empty() {
            content_key("monzo", started_at, &description, &currency, Some(amount))
        } else {
            id_key("monzo", &issuer_id)
        };
        out.push(Record::Bank(BankLine {
            account: "monzo".into(),
            started_at: Some(started_at),
            description,
            amount,
            currency,
            amount_text: row.text(self.amount).into_owned(),
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

// ---------------------------------------------------------------------------------------------
// N26

/// N26 exports: English (`Date,Payee,...,Amount (EUR),...`), German (`Datum,Empfänger,...,
/// Betrag (EUR),...`) and the 2023 layout (`Booking Date,Value Date,Partner Name,...`). The
/// account currency is in the amount header; amounts are signed, sometimes `- 85.30`. No id and
/// no status: lines are settled and keyed by their content.
pub struct N26;

const N26_AMOUNT_PREFIXES: &[&str] = &["amount (", "betrag ("];

fn n26_layout(h: &Header) -> bool {
    h.has_all(&["Date", "Payee", "Transaction type"])
        || h.has_all(&["Datum", "Empfänger", "Transaktionstyp"])
        || h.has_all(&["Booking Date", "Partner Name"])
}

impl Format for N26 {
    fn id(&self) -> &'static str {
        "n26"
    }
    fn name(&self) -> &'static str {
        "N26 export"
    }
    fn kind(&self) -> RecordKind {
        RecordKind::Bank
    }
    fn signature(&self) -> &'static str {
        "Date, Payee, Account number, Transaction type, Payment reference, Amount (EUR), ... (or German Datum, Empfänger, ..., Betrag (EUR); or Booking Date, Value Date, Partner Name, ..., Amount (EUR), Original Amount, Original Currency)"
    }
    fn detect(&self, h: &Header) -> bool {
        n26_layout(h) && currency_column(h, N26_AMOUNT_PREFIXES).is_some()
    }
    fn bind(&self, h: &Header, _options: &FileOptions) -> Result<Box<dyn RowParser>, BindError> {
        let (amount, currency) = currency_column(h, N26_AMOUNT_PREFIXES)
            .ok_or_else(|| BindError::MissingColumn("Amount (EUR)".into()))?;
        Ok(Box::new(N26Parser {
            date: h.require(&["Date", "Datum", "Booking Date"])?,
            payee: h.require(&["Payee", "Empfänger", "Partner Name"])?,
            reference: h.find(&["Payment reference", "Verwendungszweck"]),
            amount,
            currency,
            foreign_amount: h.find(&[
                "Amount (Foreign Currency)",
                "Betrag (Fremdwährung)",
                "Original Amount",
            ]),
            foreign_currency: h.find(&[
                "Type Foreign Currency",
                "Fremdwährung",
                "Original Currency",
            ]),
            account_name: h.find(&["Account Name"]),
        }))
    }
}

struct N26Parser {
    date: usize,
    payee: usize,
    reference: Option<usize>,
    amount: usize,
    currency: String,
    foreign_amount: Option<usize>,
    foreign_currency: Option<usize>,
    account_name: Option<usize>,
}

impl RowParser for N26Parser {
    fn date_columns(&self) -> Vec<usize> {
        vec![self.date]
    }
    fn amount_columns(&self) -> Vec<usize> {
        std::iter::once(self.amount)
            .chain(self.foreign_amount)
            .collect()
    }
    fn default_date_order(&self) -> Option<DateOrder> {
        Some(DateOrder::DayFirst)
    }
    fn parse(&mut self, row: &Row<'_>, out: &mut Vec<Record>) -> Result<(), FieldError> {
        let day = row.datetime(self.date)?;
        let amount = row.amount(self.amount)?;
        let (original_amount, original_currency) = foreign(
            amount,
            dash_amount(row, self.foreign_amount)?,
            &dash_text(row, self.foreign_currency),
            &self.currency,
        );
        let payee = row.text(self.payee);
        let description = if payee.is_empty() {
            dash_text(row, self.reference).into_owned()
        } else {
            payee.into_owned()
        };
        let account = account_of("n26", &row.opt_text(self.account_name));
        let natural_key = content_key(&account, day, &description, &self.currency, Some(amount));
        out.push(Record::Bank(BankLine {
            account,
            started_at: Some(day),
            description,
            amount,
            currency: self.currency.clone(),
            amount_text: row.text(self.amount).into_owned(),
            original_amount,
            original_currency,
            status: Some(BankStatus::Settled),
            natural_key,
            ..BankLine::default()
        }));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::import::{FileOptions, ParsedFile, parse_bytes};

    fn parse(bytes: &[u8]) -> ParsedFile {
        parse_bytes(bytes, &FileOptions::default()).unwrap()
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

    fn nanos(text: &str) -> i64 {
        Amount::parse(text, crate::domain::money::DecimalMark::Dot)
            .unwrap()
            .nanos()
    }

    fn time(line: &BankLine) -> String {
        line.started_at.map(|t| t.to_string()).unwrap_or_default()
    }

    /// One expected line: description, amount, currency, fee, status.
    type Want<'a> = (&'a str, &'a str, &'a str, Option<&'a str>, BankStatus);

    fn check(parsed: &ParsedFile, format_id: &str, want: &[Want<'_>]) {
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

    const REVOLUT_HEADER: &str =
        "Type,Product,Started Date,Completed Date,Description,Amount,Fee,Currency,State,Balance\n";

    #[test]
    fn revolut_personal_lines() {
        let csv = format!(
            "{REVOLUT_HEADER}\
CARD_PAYMENT,Current,2026-06-03 09:12:40,2026-06-04 10:01:02,OPENAI *CHATGPT SUBSCR,-23.12,0.00,EUR,COMPLETED,476.88\n\
CARD_PAYMENT,Current,2026-06-05 21:44:10,,Anthropic* Claude Sub,-18.00,0.00,EUR,PENDING,\n\
Card Payment,Current,2026-02-25 16:51:50,,Bolt,-2.18,0.00,EUR,REVERTED,\n\
ATM,Current,2026-06-06 08:00:00,2026-06-06 08:00:01,ATM Main St,-100.00,2.00,EUR,COMPLETED,374.88\n\
TOPUP,Current,2026-06-07 12:00:00,2026-06-07 12:00:03,Top-Up by *1234,200,0,EUR,COMPLETED,574.88\n\
CARD_PAYMENT,Current,2026-06-08 10:00:00,,Declined shop,-5.00,0.00,eur,DECLINED,\n"
        );
        let parsed = parse(csv.as_bytes());
        check(
            &parsed,
            "revolut",
            &[
                (
                    "OPENAI *CHATGPT SUBSCR",
                    "-23.12",
                    "EUR",
                    None,
                    BankStatus::Settled,
                ),
                (
                    "Anthropic* Claude Sub",
                    "-18.00",
                    "EUR",
                    None,
                    BankStatus::Pending,
                ),
                ("Bolt", "-2.18", "EUR", None, BankStatus::Reversed),
                ("ATM Main St", "-100", "EUR", Some("2"), BankStatus::Settled),
                ("Top-Up by *1234", "200", "EUR", None, BankStatus::Settled),
                ("Declined shop", "-5", "EUR", None, BankStatus::Reversed),
            ],
        );
        let l = lines(&parsed);
        assert_eq!(l[0].account, "revolut:Current");
        assert_eq!(time(l[0]), "2026-06-03 09:12:40");
        assert_eq!(l[0].posted_at.unwrap().to_string(), "2026-06-04 10:01:02");
        assert_eq!(l[1].posted_at, None);
        assert_eq!(
            l[0].natural_key,
            "bank|revolut:Current|2026-06-03 09:12:40|OPENAI *CHATGPT SUBSCR|EUR"
        );
        assert_eq!(l[0].issuer_id, "");
    }

    #[test]
    fn revolut_pending_and_completed_versions_share_a_key() {
        let pending = format!(
            "{REVOLUT_HEADER}CARD_PAYMENT,Current,2026-09-18 07:40:00,,OPENAI *CHATGPT SUBSCR,-1250.00,0.00,HUF,PENDING,\n"
        );
        let completed = format!(
            "{REVOLUT_HEADER}CARD_PAYMENT,Current,2026-09-18 07:40:00,2026-09-19 11:02:13,OPENAI *CHATGPT SUBSCR,-1248.50,0.00,HUF,COMPLETED,16925.00\n"
        );
        let (p, c) = (parse(pending.as_bytes()), parse(completed.as_bytes()));
        let (p, c) = (lines(&p)[0], lines(&c)[0]);
        assert_eq!(
            (p.status, c.status),
            (Some(BankStatus::Pending), Some(BankStatus::Settled))
        );
        assert_ne!(p.amount, c.amount);
        assert_eq!(p.natural_key, c.natural_key);
    }

    #[test]
    fn revolut_french_semicolon_decimal_comma_bom_crlf() {
        let csv = "\u{feff}Type;Produit;Date de début;Date de fin;Description;Montant;Frais;Devise;État;Solde\r\n\
Paiement par carte;Valeur actuelle;2025-06-19 15:51:42;2025-06-19 15:52:30;ANTHROPIC;-21,60;0,00;EUR;TERMINÉ;330,00\r\n\
Paiement par carte;Valeur actuelle;2025-06-20 10:00:00;;\"Café\r\nde la Gare\";-4,50;0,25;EUR;EN ATTENTE;\r\n\
Ajout de fonds;Valeur actuelle;2025-06-21 10:00:00;2025-06-21 10:00:09;Recharge via *5935;1.000,00;0,00;EUR;TERMINÉ;1330,00\r\n";
        let parsed = parse(csv.as_bytes());
        check(
            &parsed,
            "revolut",
            &[
                ("ANTHROPIC", "-21.60", "EUR", None, BankStatus::Settled),
                (
                    "Café\nde la Gare",
                    "-4.50",
                    "EUR",
                    Some("0.25"),
                    BankStatus::Pending,
                ),
                (
                    "Recharge via *5935",
                    "1000",
                    "EUR",
                    None,
                    BankStatus::Settled,
                ),
            ],
        );
        assert_eq!(lines(&parsed)[0].account, "revolut:Valeur actuelle");
        assert_eq!(lines(&parsed)[0].amount_text, "-21,60");
    }

    #[test]
    fn revolut_latin1_description_and_bad_cells() {
        let mut csv = REVOLUT_HEADER.as_bytes().to_vec();
        csv.extend_from_slice(b"CARD_PAYMENT,Current,2026-06-03 09:12:40,2026-06-04 10:01:02,Caf\xe9 Central,-3.20,0.00,EUR,COMPLETED,1.00\n");
        csv.extend_from_slice(
            b"CARD_PAYMENT,Current,2026-06-03 09:12:41,,Shop,abc,0.00,EUR,PENDING,\n",
        );
        csv.extend_from_slice(
            b"CARD_PAYMENT,Current,2026-06-03 09:12:42,,Shop,-1.00,0.00,EUR,WEIRD,\n",
        );
        csv.extend_from_slice(b"CARD_PAYMENT,Current,yesterday,,Shop,-1.00,0.00,EUR,PENDING,\n");
        let parsed = parse(&csv);
        assert_eq!(lines(&parsed).len(), 1);
        assert_eq!(lines(&parsed)[0].description, "Café Central");
        let got: Vec<_> = parsed
            .rejected
            .iter()
            .map(|e| (e.line, e.column_name.as_str()))
            .collect();
        assert_eq!(got, [(3, "Amount"), (4, "State"), (5, "Started Date")]);
        assert!(
            parsed.rejected[0].reason.contains("'abc' is not a number"),
            "{:?}",
            parsed.rejected
        );
        assert!(
            parsed.rejected[1]
                .reason
                .contains("'WEIRD' is not a status"),
            "{:?}",
            parsed.rejected
        );
        assert!(
            parsed.rejected[2].reason.contains("'yesterday'"),
            "{:?}",
            parsed.rejected
        );
    }

    #[test]
    fn revolut_old_layout() {
        let csv = "Completed Date ; Reference ; Paid Out (EUR) ; Paid In (EUR) ; Exchange Out; Exchange In; Balance (EUR); Category\n\
Apr 8, 2018 ; OPENAI *CHATGPT SUBSCR ; 19.35 ;  ; USD 20.00 ;  ; 189.10; services\n\
Apr 2, 2018 ; Top-Up by *1234 ;  ; 200.00 ;  ;  ; 418.94; general\n\
2018 August 28;Exchanged to GBP;200.00;;GBP 181.34;;0.00;general\n\
September 15;Shop A;21.97;;GBP 19.35;;139.78;groceries\n";
        let parsed = parse(csv.as_bytes());
        assert_eq!(parsed.format_id, "revolut");
        let l = lines(&parsed);
        assert_eq!(l.len(), 3);
        assert_eq!(
            (l[0].amount.nanos(), l[0].currency.as_str()),
            (nanos("-19.35"), "EUR")
        );
        assert_eq!(
            (
                l[0].original_amount.map(Amount::nanos),
                l[0].original_currency.as_str()
            ),
            (Some(nanos("-20")), "USD")
        );
        assert_eq!(time(l[0]), "2018-04-08 00:00:00");
        assert_eq!(l[1].amount.nanos(), nanos("200"));
        assert_eq!(time(l[2]), "2018-08-28 00:00:00");
        assert_eq!(
            l[0].natural_key,
            format!(
                "bank|revolut|2018-04-08 00:00:00|OPENAI *CHATGPT SUBSCR|EUR|{}",
                nanos("-19.35")
            )
        );
        assert_eq!(parsed.rejected.len(), 1);
        let e = &parsed.rejected[0];
        assert_eq!((e.line, e.column_name.as_str()), (5, "Completed Date"));
        assert!(
            e.reason.contains("'September 15' has no year"),
            "{}",
            e.reason
        );
    }

    #[test]
    fn revolut_business_lines() {
        let csv = "Date started (UTC),Date completed (UTC),ID,Type,State,Description,Reference,Payer,Card number,Card label,Card state,Orig currency,Orig amount,Payment currency,Amount,Total amount,Exchange rate,Fee,Fee currency,Balance,Account,MCC,Related transaction id\n\
12-30-2025,12-31-2025,aaaa-1111,CARD_PAYMENT,COMPLETED,OpenAI,,Test Owner,443252******0000,Virtual,ACTIVE,EUR,113.73,USD,-133.76,-134.76,0.850271,1.00,USD,13336.07,USD Main,5311,\n\
12-28-2025,12-28-2025,bbbb-2222,TRANSFER,PENDING,Pending thing,,Test Owner,,,,USD,50,USD,-50.00,-50.00,1,0.00,USD,13469.83,USD Main,,\n\
12-29-2025,,cccc-3333,REFUND,REVERTED,OpenAI,,,,,,USD,20,USD,20.00,20.00,1,0.00,USD,13489.83,USD Main,,aaaa-1111\n";
        let parsed = parse(csv.as_bytes());
        check(
            &parsed,
            "revolut-business",
            &[
                ("OpenAI", "-133.76", "USD", Some("1"), BankStatus::Settled),
                ("Pending thing", "-50", "USD", None, BankStatus::Pending),
                ("OpenAI", "20", "USD", None, BankStatus::Reversed),
            ],
        );
        let l = lines(&parsed);
        assert_eq!(
            l[0].natural_key,
            "bank|revolut-business:USD Main|id|aaaa-1111"
        );
        assert_eq!(l[0].account, "revolut-business:USD Main");
        assert_eq!(
            (
                l[0].original_amount.map(Amount::nanos),
                l[0].original_currency.as_str()
            ),
            (Some(nanos("-113.73")), "EUR")
        );
        assert_eq!(l[1].original_amount, None, "same currency is not foreign");
        assert_eq!(time(l[0]), "2025-12-30 00:00:00");
        assert_eq!(l[0].posted_at.unwrap().to_string(), "2025-12-31 00:00:00");
        assert_eq!(l[2].related_id, "aaaa-1111");
        assert_eq!(l[2].issuer_id, "cccc-3333");
    }

    #[test]
    fn wise_history_signs_from_direction() {
        let csv = "ID,Status,Direction,Created on,Finished on,Source fee amount,Source fee currency,Target fee amount,Target fee currency,Source name,Source amount (after fees),Source currency,Target name,Target amount (after fees),Target currency,Exchange rate,Reference,Batch,Created by,Category,Note\n\
CARD_TRANSACTION-3695047474,COMPLETED,OUT,2026-04-20 11:39:52,2026-04-20 11:39:52,0.00,EUR,,,Alex Example,18.52,EUR,OPENAI *CHATGPT SUBSCR,20.00,USD,1.0799,,,Alex Example,General,\n\
TRANSFER-1004,CANCELLED,OUT,2026-08-02 08:00:00,,0.45,EUR,,,Alex Example,50.00,EUR,Someone,50.00,EUR,1,,,Alex Example,,\n\
BALANCE-1003,COMPLETED,NEUTRAL,2026-08-01 10:00:00,2026-08-01 10:00:02,1.20,EUR,,,Alex Example,498.80,EUR,Alex Example,430.00,GBP,0.862,,,Alex Example,,\n\
TRANSFER-1005,COMPLETED,IN,2026-08-03 09:00:00,2026-08-03 09:00:05,,,0.50,EUR,Client Ltd,1000.00,USD,Alex Example,925.10,EUR,0.9256,,,,,\n\
TRANSFER-1006,REFUNDED,OUT,2026-08-04 09:00:00,,0.00,EUR,,,Alex Example,10.00,EUR,Anthropic,10.00,EUR,1,,,,,\n";
        let parsed = parse(csv.as_bytes());
        check(
            &parsed,
            "wise",
            &[
                (
                    "OPENAI *CHATGPT SUBSCR",
                    "-18.52",
                    "EUR",
                    None,
                    BankStatus::Settled,
                ),
                ("Someone", "-50", "EUR", Some("0.45"), BankStatus::Reversed),
                (
                    "Alex Example",
                    "-498.80",
                    "EUR",
                    Some("1.20"),
                    BankStatus::Settled,
                ),
                ("Client Ltd", "925.10", "EUR", None, BankStatus::Settled),
                ("Anthropic", "-10", "EUR", None, BankStatus::Reversed),
            ],
        );
        let l = lines(&parsed);
        assert_eq!(l[0].natural_key, "bank|wise|id|CARD_TRANSACTION-3695047474");
        assert_eq!(
            (
                l[0].original_amount.map(Amount::nanos),
                l[0].original_currency.as_str()
            ),
            (Some(nanos("-20")), "USD")
        );
        assert_eq!(l[1].posted_at, None);
        assert_eq!(l[2].note, "conversion between own balances");
        assert_eq!(
            (
                l[3].original_amount.map(Amount::nanos),
                l[3].original_currency.as_str()
            ),
            (Some(nanos("1000")), "USD")
        );
        assert_eq!(l[3].note, "fee 0.50 EUR");
    }

    #[test]
    fn wise_old_statement_fee_rows_and_blank_ids() {
        let csv = "\"TransferWise ID\",Date,\"Date Time\",Amount,Currency,Description,\"Payment Reference\",\"Running Balance\",\"Exchange From\",\"Exchange To\",\"Exchange Rate\",\"Payer Name\",\"Payee Name\",\"Payee Account Number\",Merchant,\"Card Last Four Digits\",\"Card Holder Full Name\",Attachment,Note,\"Total fees\",\"Exchange To Amount\",\"Transaction Type\",\"Transaction Details Type\"\n\
TRANSFER-175545673,24-08-2020,\"24-08-2020 13:43:54.496\",-357.38,USD,\"Sent money to John Doe\",,787.62,USD,EUR,0.84840,,\"John Doe\",,,,,,,11.35,,DEBIT,TRANSFER\n\
TRANSFER-175545673,24-08-2020,\"24-08-2020 08:12:37.495\",-11.35,USD,\"TransferWise Charges for: TRANSFER-175545673\",,776.27,,,,,TransferWise,,,,,,,0,,DEBIT,\n\
CARD-2266429315,06-02-2025,06-02-2025 18:00:02.198,-21.60,USD,\"Card transaction of 20.00 EUR issued by Anthropic* Claude Sub\",,61.13,USD,EUR,0.92593,,,,\"Anthropic* Claude Sub\",1234,\"Card Holder\",,,0.00,20.00,DEBIT,CARD\n\
,05-02-2025,,5.00,USD,\"Cashback\",,82.73,,,,,,,,,,,,0,,CREDIT,\n";
        let parsed = parse(csv.as_bytes());
        check(
            &parsed,
            "wise-statement",
            &[
                (
                    "Sent money to John Doe",
                    "-357.38",
                    "USD",
                    None,
                    BankStatus::Settled,
                ),
                (
                    "TransferWise Charges for: TRANSFER-175545673",
                    "-11.35",
                    "USD",
                    None,
                    BankStatus::Settled,
                ),
                (
                    "Anthropic* Claude Sub",
                    "-21.60",
                    "USD",
                    None,
                    BankStatus::Settled,
                ),
                ("Cashback", "5", "USD", None, BankStatus::Settled),
            ],
        );
        let l = lines(&parsed);
        assert_eq!(
            l[0].natural_key,
            "bank|wise-statement:USD|id|TRANSFER-175545673"
        );
        assert_eq!(
            l[1].natural_key,
            "bank|wise-statement:USD|id|TRANSFER-175545673|fee"
        );
        assert_eq!(l[1].note, "fee");
        assert_eq!(time(l[0]), "2020-08-24 13:43:54.496");
        assert_eq!(
            time(l[2]),
            "2025-02-06 18:00:02.198",
            "day-first even where both readings fit"
        );
        assert_eq!(
            (
                l[2].original_amount.map(Amount::nanos),
                l[2].original_currency.as_str()
            ),
            (Some(nanos("-20")), "EUR")
        );
        assert_eq!(
            l[3].natural_key,
            format!(
                "bank|wise-statement:USD|2025-02-05 00:00:00|Cashback|USD|{}",
                nanos("5")
            )
        );
    }

    #[test]
    fn monzo_app_and_2018_exports() {
        let app = "Transaction ID,Date,Time,Type,Name,Emoji,Category,Amount,Currency,Local amount,Local currency,Notes and #tags,Address,Receipt,Description,Category split,Money Out,Money In\r\n\
tx_0000AGoDpgVm98x6eOfP1e,04/02/2026,17:46:57,Card payment,OpenAI,,Bills,-16.02,GBP,-20.00,USD,,,,OPENAI *CHATGPT SUBSCR,,-16.02,\r\n\
tx_0000AGoDpgVm98x6eOfP1f,03/02/2026,09:01:00,Faster payment,,,General,,GBP,,GBP,,,,Rent share,,,250.00\r\n";
        let parsed = parse(app.as_bytes());
        check(
            &parsed,
            "monzo",
            &[
                ("OpenAI", "-16.02", "GBP", None, BankStatus::Settled),
                ("Rent share", "250", "GBP", None, BankStatus::Settled),
            ],
        );
        let l = lines(&parsed);
        assert_eq!(time(l[0]), "2026-02-04 17:46:57", "Monzo writes DD/MM/YYYY");
        assert_eq!(l[0].natural_key, "bank|monzo|id|tx_0000AGoDpgVm98x6eOfP1e");
        assert_eq!(
            (
                l[0].original_amount.map(Amount::nanos),
                l[0].original_currency.as_str()
            ),
            (Some(nanos("-20")), "USD")
        );

        let old = "id,created,amount,currency,local_amount,local_currency,category,emoji,description,address,notes,receipt\n\
tx_00009TziTeST1NG1ZWIPGS,2018-02-25 12:34:56 +0000,-10,GBP,-10,GBP,general,,Tesco,,,\n";
        let parsed = parse(old.as_bytes());
        check(
            &parsed,
            "monzo",
            &[("Tesco", "-10", "GBP", None, BankStatus::Settled)],
        );
        assert_eq!(time(lines(&parsed)[0]), "2018-02-25 12:34:56");
    }

    #[test]
    fn n26_three_layouts() {
        let cases: &[(&str, &str, &str, &str)] = &[
            (
                "\"Date\",\"Payee\",\"Account number\",\"Transaction type\",\"Payment reference\",\"Category\",\"Amount (EUR)\",\"Amount (Foreign Currency)\",\"Type Foreign Currency\",\"Exchange Rate\"\n\
\"2026-01-15\",\"OPENAI *CHATGPT SUBSCR\",\"\",\"MasterCard Payment\",\"\",\"Subscriptions\",\"- 21.60\",\"-23.00\",\"USD\",\"1.0648\"\n\
\"2026-01-16\",\"Mustermann GmbH\",\"DE99\",\"-\",\"MasterCard Payment\",\"-\",\"-12.21\",\"-12.21\",\"EUR\",\"1.0\"\n",
                "OPENAI *CHATGPT SUBSCR",
                "-21.60",
                "n26",
            ),
            (
                "Datum,Empfänger,Kontonummer,Transaktionstyp,Verwendungszweck,Kategorie,Betrag (EUR),Betrag (Fremdwährung),Fremdwährung,Wechselkurs\n\
2026-01-15,ANTHROPIC,,MasterCard Zahlung,,Medien & Elektronik,-18.00,-18.00,EUR,1.0\n",
                "ANTHROPIC",
                "-18",
                "n26",
            ),
            (
                "\"Booking Date\",\"Value Date\",\"Partner Name\",\"Partner Iban\",Type,\"Payment Reference\",\"Account Name\",\"Amount (EUR)\",\"Original Amount\",\"Original Currency\",\"Exchange Rate\"\n\
2026-03-07,,\"Anthropic* Claude Sub\",,\"Presentment\",,\"Main Account\",-20.00,,,\n",
                "Anthropic* Claude Sub",
                "-20",
                "n26:Main Account",
            ),
        ];
        for (csv, description, amount, account) in cases {
            let parsed = parse(csv.as_bytes());
            assert_eq!(parsed.format_id, "n26");
            assert!(parsed.rejected.is_empty(), "{:?}", parsed.rejected);
            let l = lines(&parsed);
            assert_eq!(
                (l[0].description.as_str(), l[0].amount.nanos()),
                (*description, nanos(amount))
            );
            assert_eq!(
                (l[0].account.as_str(), l[0].currency.as_str()),
                (*account, "EUR")
            );
            assert_eq!(l[0].status, Some(BankStatus::Settled));
            assert_eq!(
                l[0].natural_key,
                format!(
                    "bank|{account}|{}|{description}|EUR|{}",
                    time(l[0]),
                    nanos(amount)
                )
            );
        }
        let parsed = parse(cases[0].0.as_bytes());
        let l = lines(&parsed);
        assert_eq!(
            (
                l[0].original_amount.map(Amount::nanos),
                l[0].original_currency.as_str()
            ),
            (Some(nanos("-23")), "USD")
        );
        assert_eq!(
            l[1].original_amount, None,
            "same currency and '-' placeholders are not foreign"
        );
    }

    #[test]
    fn n26_german_latin1_semicolon_decimal_comma() {
        let mut csv = b"Datum;Empf\xe4nger;Kontonummer;Transaktionstyp;Verwendungszweck;Kategorie;Betrag (EUR);Betrag (Fremdw\xe4hrung);Fremdw\xe4hrung;Wechselkurs\r\n".to_vec();
        csv.extend_from_slice(
            b"2026-01-15;Caf\xe9 M\xfcller;;MasterCard Zahlung;;Essen;-4,80;;;\r\n",
        );
        csv.extend_from_slice(
            b"2026-01-16;OPENAI;;MasterCard Zahlung;;Software;-1.023,40;-1.100,00;USD;1,0748\r\n",
        );
        let parsed = parse(&csv);
        check(
            &parsed,
            "n26",
            &[
                ("Café Müller", "-4.80", "EUR", None, BankStatus::Settled),
                ("OPENAI", "-1023.40", "EUR", None, BankStatus::Settled),
            ],
        );
        assert_eq!(
            lines(&parsed)[1].original_amount.map(Amount::nanos),
            Some(nanos("-1100"))
        );
    }

    #[test]
    fn detection_needs_the_issuers_columns() {
        let cases: &[(&str, bool)] = &[
            (
                "Date,Payee,Transaction type,Amount (Foreign Currency)\n2026-01-01,x,y,1\n",
                false,
            ),
            (
                "ID,Status,Direction,Created on\nX,COMPLETED,OUT,2026-01-01\n",
                false,
            ),
            (
                "Transaction ID,Date,Time,Name,Amount,Currency\ntx_1,01/02/2026,10:00,x,-1,GBP\n",
                false,
            ),
            (
                "Date,Description,Amount,Currency\n2026-01-01,x,-1,EUR\n",
                false,
            ),
        ];
        for (csv, recognised) in cases {
            let result = parse_bytes(csv.as_bytes(), &FileOptions::default());
            let ours = result.as_ref().is_ok_and(|p| {
                [
                    "revolut",
                    "revolut-business",
                    "wise",
                    "wise-statement",
                    "monzo",
                    "n26",
                ]
                .contains(&p.format_id)
            });
            assert_eq!(
                ours,
                *recognised,
                "{csv}: {:?}",
                result.map(|p| p.format_id)
            );
        }
    }

    #[test]
    fn missing_column_is_a_bind_error() {
        let csv = "Datum,Empfänger,Transaktionstyp,Betrag (EUR)\n2026-01-01,x,y,1\n";
        assert_eq!(parse(csv.as_bytes()).format_id, "n26");
        let options = FileOptions {
            format: Some("revolut-business".into()),
            ..FileOptions::default()
        };
        let err = parse_bytes(csv.as_bytes(), &options)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("no column named 'Date started (UTC)'"),
            "{err}"
        );
        let options = FileOptions {
            format: Some("wise".into()),
            ..FileOptions::default()
        };
        let err = parse_bytes(csv.as_bytes(), &options)
            .unwrap_err()
            .to_string();
        assert!(err.contains("no column named 'ID'"), "{err}");
    }

    #[test]
    fn garbage_cells_never_panic() {
        let headers = [
            (
                "revolut",
                "Type,Product,Started Date,Completed Date,Description,Amount,Fee,Currency,State,Balance",
            ),
            (
                "revolut",
                "Completed Date;Reference;Paid Out (EUR);Paid In (EUR);Exchange Out;Exchange In;Balance (EUR)",
            ),
            (
                "revolut-business",
                "Date started (UTC),Date completed (UTC),ID,State,Description,Orig currency,Orig amount,Payment currency,Amount,Fee,Fee currency,Account",
            ),
            (
                "wise",
                "ID,Status,Direction,Created on,Finished on,Source fee amount,Source fee currency,Target fee amount,Target fee currency,Source name,Source amount (after fees),Source currency,Target name,Target amount (after fees),Target currency",
            ),
            (
                "wise-statement",
                "TransferWise ID,Date,Date Time,Amount,Currency,Description,Exchange To,Exchange To Amount,Transaction Type,Merchant",
            ),
            (
                "monzo",
                "Transaction ID,Date,Time,Name,Amount,Currency,Local amount,Local currency,Money Out,Money In",
            ),
            (
                "monzo",
                "id,created,amount,currency,local_amount,local_currency,description,settled,decline_reason",
            ),
            (
                "n26",
                "Booking Date,Value Date,Partner Name,Payment Reference,Account Name,Amount (EUR),Original Amount,Original Currency",
            ),
            (
                "paypal",
                "Date,Time,TimeZone,Name,Type,Status,Currency,Gross,Fee,Net,Transaction ID,Reference Txn ID,Balance Impact",
            ),
        ];
        let junk = [
            "",
            "-",
            "\u{e9}",
            "1\u{e9}1",
            "+1\u{e9}1",
            "99999999999999",
            "-9999999999.999999999",
            "(",
            "31/02/2026",
            "2026-13-45",
            "September",
            "GBP 1,2",
            "1,2,3",
            "Memo",
            "NEUTRAL",
            "IN",
            "DEBIT",
            "PENDING",
            "13:99",
            "GMT+",
            "9999999999",
            "-9999999999",
            "2026-01-01 10:00:00",
            "01/02/2026",
        ];
        for (id, header) in headers {
            let delimiter = if header.contains(';') { ';' } else { ',' };
            let columns = header.split(delimiter).count();
            let mut csv = format!("{header}\n");
            for row in 0..junk.len() * 3 {
                let cells: Vec<&str> = (0..columns)
                    .map(|c| junk[(row * 7 + c * (row % 5 + 1)) % junk.len()])
                    .collect();
                csv.push_str(&cells.join(&delimiter.to_string()));
                csv.push('\n');
            }
            for order in [None, Some(DateOrder::DayFirst)] {
                let options = FileOptions {
                    format: Some(id.into()),
                    date_order: order,
                    ..FileOptions::default()
                };
                let _ = parse_bytes(csv.as_bytes(), &options);
            }
        }
    }
}
