//! Helpers the bank and card importers share (`bank_eu`, `bank_us`, `paypal`): status words,
//! natural keys, signs of amounts and fees, the foreign side of a line, date and time cells and
//! account names.
//!
//! Only rules that are the same for every issuer using them live here; an issuer with its own
//! rule (the US statements key lines by day, not time, and read only the shared status
//! vocabulary) keeps it in its own file. Pure: no file system, no store.

use chrono::NaiveDateTime;

use crate::domain::import::dates;
use crate::domain::import::table::{FieldError, Row};
use crate::domain::money::Amount;
use crate::domain::records::BankStatus;

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

/// The key of a line the issuer gave an id.
pub(super) fn id_key(account: &str, issuer_id: &str) -> String {
    format!("bank|{account}|id|{issuer_id}")
}

/// The key of a line without an issuer id: started time, description, currency and (unless
/// the issuer revises amounts between pending and completed) the amount.
pub(super) fn content_key(
    account: &str,
    started_at: NaiveDateTime,
    description: &str,
    currency: &str,
    amount: Option<Amount>,
) -> String {
    let started = started_at.format("%Y-%m-%d %H:%M:%S");
    match amount {
        Some(a) => format!(
            "bank|{account}|{started}|{description}|{currency}|{}",
            a.nanos()
        ),
        None => format!("bank|{account}|{started}|{description}|{currency}"),
    }
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

/// The foreign-currency side of a line, signed like the line; nothing when the statement gives
/// none or gives the line's own currency again.
pub(super) fn foreign(
    amount: Amount,
    original: Option<Amount>,
    original_currency: &str,
    currency: &str,
) -> (Option<Amount>, String) {
    let original_currency = original_currency.trim().to_ascii_uppercase();
    match original {
        Some(o) if !original_currency.is_empty() && original_currency != currency => {
            (Some(signed(o, amount.is_negative())), original_currency)
        }
        _ => (None, String::new()),
    }
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

/// The error of an amount that does not fit after a sign change or a sum.
pub(super) fn out_of_range(column: usize) -> FieldError {
    FieldError::at(column, "the amount is out of range")
}
