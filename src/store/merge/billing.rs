//! The billing records of a merged ledger: each payment lands once, with what its receipts
//! said (numbers, tax, credit, card, period, line items) and every place it was read.
//!
//! A record's `key` is not enough here: the same payment may be a receipt e-mail in one ledger
//! and a typed billing-CSV row in the other, or an invoice PDF here and its receipt there. So
//! each of the other ledger's records goes through the lookups an import uses (its key, a
//! typed row already found to be a receipt, then [`find_twin`] for a record read from a
//! receipt and [`table_row_twin`] for a typed row). A twin is completed as an import would
//! complete it (a receipt proves a pending invoice paid; missing details are filled) and
//! receives the other ledger's places it lacks; anything else is copied whole, under its own
//! key, with its items and places. A place already on the record (same way, message and
//! attachment) is never added twice, so merging the same ledger again adds nothing. Ledgers
//! older than schema version 4 have no details: their records merge as typed rows.

use chrono::NaiveDateTime;
use rusqlite::{OptionalExtension, Transaction, params};

use super::super::import::Write;
use super::super::receipts::{complete, find_twin, settle_inferred_kinds, table_row_twin};
use super::super::{ImportReport, StoreError};
use crate::domain::billing_details::{BillingDetails, LineItem};
use crate::domain::money::{Amount, Currency};
use crate::domain::records::{BillingKind, BillingRecord, BillingStatus};

/// The first schema version with receipt details, items and places.
const DETAILS_VERSION: i64 = 4;

/// The other ledger's records with their copied import's id, oldest first.
const THEIRS: &str = "SELECT o.id, o.key, m.new, o.occurred_at, o.provider, o.number, o.kind, o.amount_nanos,
        o.currency, o.amount_text, o.status, o.expires_at, o.description, o.organization, o.project";
const THEIR_DETAILS: &str = ", o.receipt_number, o.invoice_number, o.tax_nanos, o.tax_label, o.credit_nanos,
        o.card_brand, o.card_last4, o.period_start, o.period_end, o.kind_inferred,
        coalesce((SELECT s.message_id FROM merged.billing_sources s
                  WHERE s.billing_id = o.id AND s.message_id != '' ORDER BY s.id LIMIT 1), ''),
        EXISTS (SELECT 1 FROM merged.billing_sources s WHERE s.billing_id = o.id AND s.via != 'table')";
const NO_DETAILS: &str = ", '', '', NULL, '', NULL, '', '', NULL, NULL, 0, '', 0";
const THEIRS_FROM: &str =
    " FROM merged.billing o JOIN temp.merge_source_ids m ON m.old = o.source_file_id
        ORDER BY o.id";

/// The columns every version has, copied as they are.
const COPY_COLUMNS: &str =
    "key, fingerprint, occurred_at, day, provider, number, kind, amount_nanos, currency,
        amount_text, status, expires_at, description, organization, project, source_line";
const COPY_DETAILS: &str =
    ", receipt_number, invoice_number, tax_nanos, tax_label, credit_nanos, card_brand,
        card_last4, period_start, period_end, kind_inferred";

/// One record of the other ledger.
struct Theirs {
    id: i64,
    key: Vec<u8>,
    file_id: i64,
    record: BillingRecord,
    /// Read from an e-mail or a PDF there (not only typed).
    from_receipt: bool,
}

/// Merges the attached ledger's billing records into this one, counting them in `report`.
pub(super) fn merge_billing(
    tx: &Transaction<'_>,
    version: i64,
    report: &mut ImportReport,
) -> Result<(), StoreError> {
    let details = version >= DETAILS_VERSION;
    let sql = format!(
        "{THEIRS}{}{THEIRS_FROM}",
        if details { THEIR_DETAILS } else { NO_DETAILS }
    );
    let records = {
        let mut stmt = tx.prepare(&sql)?;
        let rows = stmt.query_map([], read_theirs)?;
        rows.collect::<Result<Vec<_>, _>>()?
    };
    for mut theirs in records {
        report.rows += 1;
        if details {
            theirs.record.details.items = their_items(tx, theirs.id)?;
        }
        let written = match twin(tx, &theirs)? {
            Some(id) => {
                let written = complete(tx, id, &theirs.record)?;
                if details {
                    copy_places(tx, theirs.id, id)?;
                }
                written
            }
            None if table_twin(tx, &theirs)? => Write::Duplicate,
            None => {
                copy_whole(tx, &theirs, details)?;
                Write::Inserted
            }
        };
        match written {
            Write::Inserted => report.inserted += 1,
            Write::Updated => report.updated += 1,
            Write::Duplicate => report.duplicates += 1,
        }
    }
    settle_inferred_kinds(tx, &[])
}

/// The record here that is the same payment, found by key, by a typed row's recorded key, or
/// (for a record read from a receipt) by the receipt lookups.
fn twin(tx: &Transaction<'_>, theirs: &Theirs) -> Result<Option<i64>, StoreError> {
    let by_key = tx
        .prepare_cached(
            "SELECT id FROM main.billing WHERE key = ?1
             UNION ALL SELECT billing_id FROM main.billing_sources WHERE row_key = ?1 LIMIT 1",
        )?
        .query_row([&theirs.key], |r| r.get(0))
        .optional()?;
    if by_key.is_some() || !theirs.from_receipt && !has_numbers(&theirs.record) {
        return Ok(by_key);
    }
    find_twin(tx, &theirs.record)
}

fn has_numbers(r: &BillingRecord) -> bool {
    !r.details.receipt_number.is_empty() || !r.details.invoice_number.is_empty()
}

/// Whether a typed row of the other ledger is a payment read here from its receipt (the row's
/// key is then recorded on it, as an import of that row would).
fn table_twin(tx: &Transaction<'_>, theirs: &Theirs) -> Result<bool, StoreError> {
    if theirs.from_receipt || has_numbers(&theirs.record) {
        return Ok(false);
    }
    table_row_twin(tx, &theirs.record, &theirs.key, theirs.file_id)
}

/// Copies a record that is new here, with its items and places.
fn copy_whole(tx: &Transaction<'_>, theirs: &Theirs, details: bool) -> Result<(), StoreError> {
    let extra = if details { COPY_DETAILS } else { "" };
    let sql = format!(
        "INSERT INTO main.billing({COPY_COLUMNS}{extra}, source_file_id)
         SELECT {COPY_COLUMNS}{extra}, ?2 FROM merged.billing WHERE id = ?1"
    );
    tx.prepare_cached(&sql)?
        .execute(params![theirs.id, theirs.file_id])?;
    if !details {
        return Ok(());
    }
    let id = tx.last_insert_rowid();
    tx.prepare_cached(
        "INSERT INTO main.billing_items(billing_id, position, description, quantity, amount_nanos,
             period_start, period_end)
         SELECT ?2, position, description, quantity, amount_nanos, period_start, period_end
         FROM merged.billing_items WHERE billing_id = ?1 ORDER BY position",
    )?
    .execute(params![theirs.id, id])?;
    copy_places(tx, theirs.id, id)
}

/// Adds the places the other ledger read a record from that the record here lacks, pointing
/// at the copies of their imports.
fn copy_places(tx: &Transaction<'_>, their_id: i64, id: i64) -> Result<(), StoreError> {
    tx.prepare_cached(
        "INSERT OR IGNORE INTO main.billing_sources(billing_id, source_file_id, via, message_id, attachment, row_key)
         SELECT ?2, m.new, s.via, s.message_id, s.attachment, s.row_key
         FROM merged.billing_sources s JOIN temp.merge_source_ids m ON m.old = s.source_file_id
         WHERE s.billing_id = ?1
           AND NOT EXISTS (SELECT 1 FROM main.billing_sources t
                           WHERE t.billing_id = ?2 AND t.via = s.via AND t.message_id = s.message_id
                             AND t.attachment = s.attachment AND t.row_key IS s.row_key)
         ORDER BY s.id",
    )?
    .execute(params![their_id, id])?;
    Ok(())
}

fn their_items(tx: &Transaction<'_>, id: i64) -> Result<Vec<LineItem>, StoreError> {
    let mut stmt = tx.prepare_cached(
        "SELECT description, quantity, amount_nanos, period_start, period_end
         FROM merged.billing_items WHERE billing_id = ?1 ORDER BY position",
    )?;
    let rows = stmt.query_map([id], |r| {
        Ok(LineItem {
            description: r.get(0)?,
            quantity: r.get(1)?,
            amount: Amount::from_nanos(r.get(2)?),
            period_start: day(r.get(3)?),
            period_end: day(r.get(4)?),
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

fn day(text: Option<String>) -> Option<chrono::NaiveDate> {
    chrono::NaiveDate::parse_from_str(&text?, "%Y-%m-%d").ok()
}

fn time(text: &str) -> rusqlite::Result<NaiveDateTime> {
    NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S")
        .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S"))
        .map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(3, rusqlite::types::Type::Text, e.into())
        })
}

fn unknown(column: usize, what: &str, value: &str) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(
        column,
        rusqlite::types::Type::Text,
        format!("the merged ledger holds a {what} burnrate does not know ('{value}')").into(),
    )
}

fn read_theirs(r: &rusqlite::Row<'_>) -> rusqlite::Result<Theirs> {
    let kind: String = r.get(6)?;
    let status: String = r.get(10)?;
    let record = BillingRecord {
        occurred_at: time(&r.get::<_, String>(3)?)?,
        provider: r.get(4)?,
        number: r.get(5)?,
        kind: BillingKind::parse(&kind).ok_or_else(|| unknown(6, "billing kind", &kind))?,
        amount: Amount::from_nanos(r.get(7)?),
        currency: r.get::<_, Currency>(8)?,
        amount_text: r.get(9)?,
        status: BillingStatus::parse(&status)
            .ok_or_else(|| unknown(10, "billing status", &status))?,
        expires_at: r
            .get::<_, Option<String>>(11)?
            .as_deref()
            .map(time)
            .transpose()?,
        description: r.get(12)?,
        organization: r.get(13)?,
        project: r.get(14)?,
        details: BillingDetails {
            receipt_number: r.get(15)?,
            invoice_number: r.get(16)?,
            tax: r.get::<_, Option<i64>>(17)?.map(Amount::from_nanos),
            tax_label: r.get(18)?,
            credit: r.get::<_, Option<i64>>(19)?.map(Amount::from_nanos),
            card_brand: r.get(20)?,
            card_last4: r.get(21)?,
            period_start: day(r.get(22)?),
            period_end: day(r.get(23)?),
            kind_inferred: r.get(24)?,
            message_id: r.get(25)?,
            ..BillingDetails::default()
        },
    };
    Ok(Theirs {
        id: r.get(0)?,
        key: r.get(1)?,
        file_id: r.get(2)?,
        record,
        from_receipt: r.get(26)?,
    })
}
