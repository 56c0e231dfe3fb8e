//! The one way a bank or card line is built: every issuer's parser fills a [`Line`] with what
//! its statement says, and [`Line::build`] turns it into the ledger's [`BankLine`] with the rules
//! that are the same for every issuer: a fee kept only when it is positive, a foreign amount only
//! when it is in another currency (and then signed like the line), and the natural key (the
//! issuer's id where there is one, otherwise the line's content in the shape the issuer's
//! [`ContentKey`] says).
//!
//! A line's currency is a [`Currency`]: parsers read a currency cell with `Row::currency`, so a
//! cell that is not a code rejects its row with its line and column instead of being stored as
//! "no currency". Only a layout that has no currency at all (`PayPal`'s short export) builds
//! its lines with [`Line::without_currency`]; they are stored as [`Currency::UNKNOWN`].
//!
//! Also here: the small readers the issuers share (status words, dates with a separate time
//! cell, account names). Natural keys are stored in users' ledgers: changing the text a
//! [`ContentKey`] produces would make a re-imported statement look new, so the shapes below are
//! fixed. Pure: no file system, no store.

use std::fmt::Write as _;

use chrono::NaiveDateTime;

use crate::domain::import::dates;
use crate::domain::import::table::{FieldError, Header, Row, currency_in_name};
use crate::domain::money::{Amount, Currency};
use crate::domain::records::{BankLine, BankStatus, Record};

/// How a line without an issuer id is keyed. The store adds the line's occurrence in its file,
/// so two identical purchases in one statement stay two lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum ContentKey {
    /// Started time to the second, description, currency and amount.
    TimeAndAmount,
    /// Started time, description and currency: the issuer revises the amount between the
    /// pending and the completed line (Revolut), and both must land on one record.
    Time,
    /// The day, description, currency and amount (statements that give no time).
    DayAndAmount,
    /// The day, description and currency, so a pending line and its cleared twin share a key
    /// (Citi).
    Day,
    /// The date as the file writes it, description, currency and amount (user-mapped files,
    /// where the date cell may hold a word such as `Pending`).
    AsWritten(String),
}

/// One line as an issuer's parser read it, before the shared rules apply.
#[derive(Debug, Clone)]
pub(super) struct Line {
    /// The account name (see [`account_of`]).
    pub account: String,
    pub started_at: Option<NaiveDateTime>,
    pub posted_at: Option<NaiveDateTime>,
    pub description: String,
    /// Negative for money out.
    pub amount: Amount,
    /// The amount cell as written.
    pub amount_text: String,
    /// The line's currency; `None` only for a layout that names none.
    pub currency: Option<Currency>,
    /// The other currency's side as the statement gives it, in any sign.
    pub foreign: Option<(Amount, String)>,
    /// A fee charged on top, in any sign.
    pub fee: Option<Amount>,
    pub status: BankStatus,
    /// The issuer's id for the line; empty when it gives none.
    pub issuer_id: String,
    /// Appended to an id key (a fee row that repeats its transfer's id).
    pub id_suffix: &'static str,
    /// The issuer's link to a related line.
    pub related_id: String,
    pub note: String,
    /// How to key the line when it has no issuer id.
    pub key: ContentKey,
    /// The text a content key names the line by, when it is not the description (old Wise
    /// statements key by their own text but show the merchant).
    pub key_text: Option<String>,
    /// The account the natural key names, when it is not the account shown: American Express
    /// lines were keyed under one `amex` account before each card currency got its own, and
    /// keeping their keys keeps a re-imported statement from counting twice.
    pub key_account: Option<String>,
}

impl Line {
    /// A settled line in `currency`; parsers set the rest.
    pub fn new(account: String, amount: Amount, currency: Currency, key: ContentKey) -> Self {
        Self {
            currency: Some(currency),
            ..Self::without_currency(account, amount, key)
        }
    }

    /// A settled line of a layout that names no currency (stored as [`Currency::UNKNOWN`]).
    pub fn without_currency(account: String, amount: Amount, key: ContentKey) -> Self {
        Self {
            account,
            started_at: None,
            posted_at: None,
            description: String::new(),
            amount,
            amount_text: String::new(),
            currency: None,
            foreign: None,
            fee: None,
            status: BankStatus::Settled,
            issuer_id: String::new(),
            id_suffix: "",
            related_id: String::new(),
            note: String::new(),
            key,
            key_text: None,
            key_account: None,
        }
    }

    /// The ledger's line.
    pub fn build(self) -> BankLine {
        // Keys name the code (as the cell wrote it, upper-cased), or nothing for a layout that
        // names none: they are stored in users' ledgers.
        let key_currency = self.currency.map(|c| c.to_string()).unwrap_or_default();
        let currency = self.currency.unwrap_or(Currency::UNKNOWN);
        let (original_amount, original_currency) = match self.foreign {
            Some((value, code)) => foreign(self.amount, Some(value), &code, currency),
            None => (None, None),
        };
        let key_account = self.key_account.as_deref().unwrap_or(&self.account);
        let natural_key = if self.issuer_id.is_empty() {
            let text = self.key_text.as_deref().unwrap_or(&self.description);
            content_key(
                key_account,
                self.started_at.or(self.posted_at),
                text,
                &key_currency,
                self.amount,
                &self.key,
            )
        } else {
            format!("bank|{key_account}|id|{}{}", self.issuer_id, self.id_suffix)
        };
        BankLine {
            account: self.account,
            started_at: self.started_at,
            posted_at: self.posted_at,
            description: self.description,
            amount: self.amount,
            currency,
            amount_text: self.amount_text,
            original_amount,
            original_currency,
            fee: fee_of(self.fee),
            status: Some(self.status),
            issuer_id: self.issuer_id,
            related_id: self.related_id,
            note: self.note,
            natural_key,
        }
    }

    /// Builds the line into a parser's output.
    pub fn push(self, out: &mut Vec<Record>) {
        out.push(Record::Bank(self.build()));
    }
}

fn content_key(
    account: &str,
    when: Option<NaiveDateTime>,
    text: &str,
    currency: &str,
    amount: Amount,
    key: &ContentKey,
) -> String {
    // Written piece by piece: `bank|account|when|text|currency[|amount]`, once per line of
    // a statement.
    let mut out = String::with_capacity(account.len() + text.len() + currency.len() + 56);
    out.push_str("bank|");
    out.push_str(account);
    out.push('|');
    let with_amount = match key {
        ContentKey::TimeAndAmount | ContentKey::Time => {
            if let Some(t) = when {
                out.push_str(&dates::datetime_text(t, ' '));
            }
            matches!(key, ContentKey::TimeAndAmount)
        }
        ContentKey::DayAndAmount | ContentKey::Day => {
            if let Some(t) = when {
                out.push_str(&dates::day_text(t.date()));
            }
            matches!(key, ContentKey::DayAndAmount)
        }
        ContentKey::AsWritten(date) => {
            out.push_str(date);
            true
        }
    };
    out.push('|');
    out.push_str(text);
    out.push('|');
    out.push_str(currency);
    if with_amount {
        let _ = write!(out, "|{}", amount.nanos());
    }
    out
}

/// The foreign-currency side of a line, signed like the line; nothing when the statement gives
/// none (an empty cell, a placeholder that is not a code) or gives the line's own currency
/// again.
fn foreign(
    amount: Amount,
    original: Option<Amount>,
    original_currency: &str,
    currency: Currency,
) -> (Option<Amount>, Option<Currency>) {
    match (original, Currency::parse(original_currency).ok()) {
        (Some(o), Some(c)) if c != currency => (Some(signed(o, amount.is_negative())), Some(c)),
        _ => (None, None),
    }
}

/// Reads an issuer's status word: what [`BankStatus::from_issuer`] knows, with `_` read as a
/// space (`IN_PROGRESS`), plus French and German words it does not list.
pub(super) fn status_word(text: &str) -> Option<BankStatus> {
    let t = text.trim().to_lowercase().replace('_', " ");
    if let Some(status) = BankStatus::from_issuer(&t) {
        return Some(status);
    }
    match t.as_str() {
        "en cours" | "in bearbeitung" | "vorgemerkt" | "held" | "placed" | "unclaimed"
        | "ausstehend" => Some(BankStatus::Pending),
        "partially refunded" | "teilweise erstattet" | "cleared" | "succeeded" => {
            Some(BankStatus::Settled)
        }
        "rejeté" | "refusé" | "échoué" | "remboursé" | "rétabli" | "annulée" | "storniert"
        | "erstattet" | "rückerstattet" | "fehlgeschlagen" | "returned" | "revoked" => {
            Some(BankStatus::Reversed)
        }
        _ => None,
    }
}

/// The status in `column`, or an error naming the word.
pub(super) fn read_status(row: &Row<'_>, column: usize) -> Result<BankStatus, FieldError> {
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

/// `value` with the sign asked for, whatever sign it was written with.
pub(super) fn signed(value: Amount, negative: bool) -> Amount {
    let abs = value.abs();
    if negative {
        Amount::from_nanos(-abs.nanos())
    } else {
        abs
    }
}

/// A fee as the ledger keeps it: non-negative, `None` when zero or absent.
pub(super) fn fee_of(fee: Option<Amount>) -> Option<Amount> {
    fee.map(Amount::abs).filter(|f| !f.is_zero())
}

/// A date cell and a separate time cell (Monzo, `PayPal`) as one date-time.
pub(super) fn date_and_time(
    row: &Row<'_>,
    date: usize,
    time: Option<usize>,
) -> Result<NaiveDateTime, FieldError> {
    let day = row.datetime(date)?;
    let Some(time) = time else { return Ok(day) };
    let text = row.text(time);
    if text.is_empty() {
        return Ok(day);
    }
    let t = dates::parse_time(&text)
        .ok_or_else(|| FieldError::at(time, format!("'{text}' is not a time")))?;
    Ok(day.date().and_time(t))
}

/// The account of a line: the format id, and the file's account name when it has one.
pub(super) fn account_of(format_id: &str, name: &str) -> String {
    let name = name.trim();
    if name.is_empty() {
        format_id.to_string()
    } else {
        format!("{format_id}:{name}")
    }
}

/// The currency named in an amount header such as `Amount (EUR)`, `Betrag (EUR)` or
/// `Paid Out (EUR)`, when the header starts with one of `prefixes` (normalised, lower-case).
pub(super) fn currency_in_header(name: &str, prefixes: &[&str]) -> Option<Currency> {
    let n = crate::domain::import::table::normalize_name(name);
    if !prefixes.iter().any(|p| n.starts_with(p)) {
        return None;
    }
    currency_in_name(name)
}

/// The first column whose header is `<prefix>(XXX)` with a currency code, and that currency.
pub(super) fn currency_column(header: &Header, prefixes: &[&str]) -> Option<(usize, Currency)> {
    header
        .names
        .iter()
        .enumerate()
        .find_map(|(i, n)| currency_in_header(n, prefixes).map(|c| (i, c)))
}

/// The error of an amount that does not fit after a sign change or a sum.
pub(super) fn out_of_range(column: usize) -> FieldError {
    FieldError::at(column, "the amount is out of range")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Option<NaiveDateTime> {
        NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S").ok()
    }

    #[test]
    fn keys_keep_their_stored_shapes() {
        let amount = Amount::from_nanos(-20_000_000_000);
        let line = |key, issuer_id: &str| {
            let mut l = Line::new("acct".into(), amount, Currency::parse("usd").unwrap(), key);
            l.started_at = at("2026-01-13 09:12:40");
            l.description = "OPENAI".into();
            l.issuer_id = issuer_id.into();
            l.build().natural_key
        };
        let cases = [
            (
                ContentKey::TimeAndAmount,
                "bank|acct|2026-01-13 09:12:40|OPENAI|USD|-20000000000",
            ),
            (ContentKey::Time, "bank|acct|2026-01-13 09:12:40|OPENAI|USD"),
            (
                ContentKey::DayAndAmount,
                "bank|acct|2026-01-13|OPENAI|USD|-20000000000",
            ),
            (ContentKey::Day, "bank|acct|2026-01-13|OPENAI|USD"),
            (
                ContentKey::AsWritten("13.01.26".into()),
                "bank|acct|13.01.26|OPENAI|USD|-20000000000",
            ),
        ];
        for (key, want) in cases {
            assert_eq!(line(key.clone(), ""), want, "{key:?}");
            assert_eq!(line(key.clone(), "T1"), "bank|acct|id|T1", "{key:?}");
        }
        // A line with no time keeps an empty place for it.
        let mut l = Line::new(
            "acct".into(),
            amount,
            Currency::parse("usd").unwrap(),
            ContentKey::DayAndAmount,
        );
        l.description = "OPENAI".into();
        assert_eq!(l.build().natural_key, "bank|acct||OPENAI|USD|-20000000000");
        // A layout that names no currency keys its lines with an empty code.
        let mut l = Line::without_currency("paypal".into(), amount, ContentKey::TimeAndAmount);
        l.started_at = at("2026-01-13 09:12:40");
        l.description = "OPENAI".into();
        let b = l.build();
        assert_eq!(
            b.natural_key,
            "bank|paypal|2026-01-13 09:12:40|OPENAI||-20000000000"
        );
        assert_eq!(b.currency, Currency::UNKNOWN);
    }

    #[test]
    fn shared_rules_for_fees_currencies_and_foreign_sides() {
        let mut l = Line::new(
            "a".into(),
            Amount::from_nanos(-5),
            Currency::EUR,
            ContentKey::TimeAndAmount,
        );
        l.fee = Some(Amount::from_nanos(-2));
        l.foreign = Some((Amount::from_nanos(7), "usd".into()));
        let b = l.clone().build();
        assert_eq!(b.currency, "EUR");
        assert_eq!(b.fee, Some(Amount::from_nanos(2)));
        assert_eq!(
            (
                b.original_amount,
                b.original_currency.as_deref().unwrap_or("")
            ),
            (Some(Amount::from_nanos(-7)), "USD")
        );
        l.fee = Some(Amount::ZERO);
        l.foreign = Some((Amount::from_nanos(7), "EUR".into()));
        let b = l.build();
        assert_eq!((b.fee, b.original_amount), (None, None));
        assert_eq!(b.original_currency, None);
    }
}
