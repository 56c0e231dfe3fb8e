//! The one writer of billing rows, for every way a billing record arrives: a row of a billing
//! CSV or invoice export ([`write_row`]) and a receipt e-mail or PDF (`receipts.rs`, which looks
//! for the same payment first and then calls [`insert`]). One INSERT, one fingerprint, so a
//! typed row and its receipt are stored alike and a new billing column is written once.
//!
//! The fingerprint ([`fingerprint`]) covers what a source may revise: amount, status, expiry,
//! description, currency and time. Ledgers written before fingerprints were stable hold
//! `DefaultHasher` values; a row whose fingerprint differs is recomputed from its stored values
//! before it counts as changed, and an unchanged one gets the stable fingerprint then, so
//! re-importing an unchanged file into an old ledger still reports no update.

use rusqlite::{OptionalExtension, Transaction, params};

use super::StoreError;
use super::fingerprint::{self, Fingerprint, Table};
use super::import::{Write, dt};
use crate::domain::money::Amount;
use crate::domain::records::BillingRecord;

/// The fingerprint of a billing record, from the values as the ledger stores them.
pub(super) fn fingerprint(r: &BillingRecord) -> i64 {
    content_fingerprint(
        r.amount.nanos(),
        r.status.as_str(),
        dt(r.expires_at).as_deref(),
        &r.description,
        r.currency.as_str(),
        &stored_time(r),
    )
}

fn content_fingerprint(
    amount_nanos: i64,
    status: &str,
    expires_at: Option<&str>,
    description: &str,
    currency: &str,
    occurred_at: &str,
) -> i64 {
    Fingerprint::of("billing")
        .int(amount_nanos)
        .text(status)
        .opt_text(expires_at)
        .text(description)
        .text(currency)
        .text(occurred_at)
        .finish()
}

fn stored_time(r: &BillingRecord) -> String {
    dt(Some(r.occurred_at)).unwrap_or_default()
}

pub(super) fn date_text(d: Option<chrono::NaiveDate>) -> Option<String> {
    d.map(|d| d.to_string())
}

/// The fingerprint of the stored row `id`, from its stored values.
fn row_fingerprint(tx: &Transaction<'_>, id: i64) -> Result<i64, StoreError> {
    Ok(tx
        .prepare_cached(
            "SELECT amount_nanos, status, expires_at, description, currency, occurred_at
             FROM billing WHERE id = ?1",
        )?
        .query_row([id], |row| {
            Ok(content_fingerprint(
                row.get(0)?,
                &row.get::<_, String>(1)?,
                row.get::<_, Option<String>>(2)?.as_deref(),
                &row.get::<_, String>(3)?,
                &row.get::<_, String>(4)?,
                &row.get::<_, String>(5)?,
            ))
        })?)
}

/// Writes one row of a billing file under its `key`: a duplicate when the key holds the same
/// content, an update of what the source may revise when it holds other content, else a new
/// record.
pub(super) fn write_row(
    tx: &Transaction<'_>,
    r: &BillingRecord,
    key: &[u8],
    file_id: i64,
    line: i64,
) -> Result<Write, StoreError> {
    let existing: Option<(i64, i64)> = tx
        .prepare_cached("SELECT id, fingerprint FROM billing WHERE key = ?1")?
        .query_row([key], |row| Ok((row.get(0)?, row.get(1)?)))
        .optional()?;
    let Some((id, stored)) = existing else {
        return Ok(match insert(tx, r, key, file_id, line)? {
            Some(_) => Write::Inserted,
            None => Write::Duplicate,
        });
    };
    let fp = fingerprint(r);
    if fingerprint::unchanged(tx, Table::Billing, id, stored, fp, || {
        row_fingerprint(tx, id)
    })? {
        return Ok(Write::Duplicate);
    }
    tx.prepare_cached(
        "UPDATE billing SET fingerprint = ?2, amount_nanos = ?3, amount_text = ?4, status = ?5, expires_at = ?6,
         description = ?7, occurred_at = ?8, day = ?9, currency = ?10 WHERE id = ?1",
    )?
    .execute(params![
        id,
        fp,
        r.amount.nanos(),
        r.amount_text,
        r.status.as_str(),
        dt(r.expires_at),
        r.description,
        stored_time(r),
        r.occurred_at.date().to_string(),
        r.currency
    ])?;
    Ok(Write::Updated)
}

/// Inserts a new billing record with everything it carries (a receipt's numbers, tax, credit,
/// card, period and line items); `None` when `key` is already taken.
pub(super) fn insert(
    tx: &Transaction<'_>,
    r: &BillingRecord,
    key: &[u8],
    file_id: i64,
    line: i64,
) -> Result<Option<i64>, StoreError> {
    let d = &r.details;
    let inserted = tx
        .prepare_cached(
            "INSERT INTO billing(key, fingerprint, occurred_at, day, provider, number, kind, amount_nanos, currency,
             amount_text, status, expires_at, description, organization, project, source_file_id, source_line,
             receipt_number, invoice_number, tax_nanos, tax_label, credit_nanos, card_brand, card_last4,
             period_start, period_end, kind_inferred)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20,
                     ?21, ?22, ?23, ?24, ?25, ?26, ?27)
             ON CONFLICT(key) DO NOTHING",
        )?
        .execute(params![
            key,
            fingerprint(r),
            stored_time(r),
            r.occurred_at.date().to_string(),
            r.provider,
            r.number,
            r.kind.as_str(),
            r.amount.nanos(),
            r.currency,
            r.amount_text,
            r.status.as_str(),
            dt(r.expires_at),
            r.description,
            r.organization,
            r.project,
            file_id,
            line,
            d.receipt_number,
            d.invoice_number,
            d.tax.map(Amount::nanos),
            d.tax_label,
            d.credit.map(Amount::nanos),
            d.card_brand,
            d.card_last4,
            date_text(d.period_start),
            date_text(d.period_end),
            d.kind_inferred,
        ])?;
    if inserted == 0 {
        return Ok(None);
    }
    let id = tx.last_insert_rowid();
    insert_items(tx, id, r)?;
    Ok(Some(id))
}

/// Stores a record's line items under the billing row `id` (positions already stored stay).
pub(super) fn insert_items(
    tx: &Transaction<'_>,
    id: i64,
    r: &BillingRecord,
) -> Result<(), StoreError> {
    for (position, item) in r.details.items.iter().enumerate() {
        tx.prepare_cached(
            "INSERT OR IGNORE INTO billing_items(billing_id, position, description, quantity, amount_nanos,
             period_start, period_end) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?
        .execute(params![
            id,
            i64::try_from(position).unwrap_or(i64::MAX),
            item.description,
            item.quantity,
            item.amount.nanos(),
            date_text(item.period_start),
            date_text(item.period_end),
        ])?;
    }
    Ok(())
}
