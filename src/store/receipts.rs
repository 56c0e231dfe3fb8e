//! Importing receipts (an `.eml`, a mailbox, a PDF) into the ledger, in one transaction per
//! file, and keeping one record per payment whatever the number of places it was seen.
//!
//! A record read from a receipt is looked up before it is inserted: by receipt number, then by
//! invoice number (never against a failed payment, never against another receipt number), then
//! by `Message-ID` (the same message from an `.eml` and a mailbox, or under two Gmail labels),
//! then, for a document without numbers, by content against a record typed in the billing CSV
//! that no e-mail has claimed yet. A twin is completed (a receipt turns a pending invoice into
//! the paid purchase it was; missing numbers, tax, card, period and items are filled) and the
//! new place is added to its sources; nothing is inserted twice, so re-importing a mailbox
//! inserts nothing. The same lookups run for rows of the billing CSV
//! ([`table_row_twin`]), so a typed row of a payment already read from its receipt is a
//! duplicate too.
//!
//! Failed payments and OpenAI funding notices do not say whether they were auto-recharges:
//! after each file, such records become `auto_recharge` for providers whose account has
//! auto-recharge (a setting, or a receipt that says `Auto-recharge credits`).

use std::io::Read;

use rusqlite::{OptionalExtension, Transaction, params};

use super::anchors::FileSpans;
use super::billing;
use super::import::{Write, dt, finish_import, key_bytes, sha256_hex};
use super::{ImportMode, ImportReport, Progress, ReceiptTally, SourceMeta, Store, StoreError};
use crate::domain::import::receipts::mbox::{MboxItem, MboxReader};
use crate::domain::import::receipts::{
    self, EMAIL_FORMAT, MAX_MESSAGE_BYTES, PDF_FORMAT, ReadContext, Shape, Verdict,
    canonical_number,
};
use crate::domain::import::{FileOptions, ImportError, Opener, RowError};
use crate::domain::money::Amount;
use crate::domain::records::{BillingKind, BillingRecord, BillingStatus, Record, SourceVia};
use crate::domain::secrets;

/// How many unknown merchant names a report lists.
const MAX_UNKNOWN_MERCHANTS: usize = 20;

/// Whether a file holds receipts, and in which shape: asked by `--as`, else read from its
/// first bytes and name. `None` sends the file to the CSV importers.
pub(super) fn shape_of(
    open: &Opener<'_>,
    meta: &SourceMeta,
    options: &FileOptions,
) -> Option<Shape> {
    let mut head = Vec::with_capacity(4096);
    let sniffed = open()
        .and_then(|r| r.take(4096).read_to_end(&mut head))
        .ok()
        .and_then(|_| receipts::sniff(&head, &meta.name));
    match options.format.as_deref().map(str::trim) {
        Some(f) if f.eq_ignore_ascii_case(PDF_FORMAT) => Some(Shape::Pdf),
        Some(f) if f.eq_ignore_ascii_case(EMAIL_FORMAT) => Some(match sniffed {
            Some(Shape::Mailbox) => Shape::Mailbox,
            Some(Shape::OutlookMsg) => Shape::OutlookMsg,
            _ => Shape::Message,
        }),
        Some(_) => None,
        // A PDF named `.csv` was meant to be the CSV download: the CSV importer says so.
        None if sniffed == Some(Shape::Pdf) && named_like_csv(&meta.name) => None,
        None => sniffed,
    }
}

fn named_like_csv(name: &str) -> bool {
    std::path::Path::new(name)
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("csv") || e.eq_ignore_ascii_case("tsv"))
}

/// Reads at most `limit` bytes; `None` when the file is larger.
fn read_capped(open: &Opener<'_>, limit: usize) -> std::io::Result<Option<Vec<u8>>> {
    let mut bytes = Vec::new();
    open()?
        .take(u64::try_from(limit).unwrap_or(u64::MAX) + 1)
        .read_to_end(&mut bytes)?;
    Ok((bytes.len() <= limit).then_some(bytes))
}

impl Store {
    /// Imports one receipt file (an e-mail, a mailbox or a PDF) in one transaction.
    pub(super) fn import_receipts(
        &mut self,
        open: &Opener<'_>,
        meta: &SourceMeta,
        shape: Shape,
        options: &FileOptions,
        mode: ImportMode,
        progress: &mut dyn FnMut(Progress) -> bool,
    ) -> Result<ImportReport, StoreError> {
        let format = if shape == Shape::Pdf {
            PDF_FORMAT
        } else {
            EMAIL_FORMAT
        };
        let mut report = ImportReport {
            file: meta.name.clone(),
            path: meta.path.clone(),
            format: Some(format.to_string()),
            receipts: Some(Box::default()),
            ..ImportReport::default()
        };
        if shape == Shape::OutlookMsg {
            report.error = Some(
                "this is an Outlook .msg file, which burnrate cannot read; save the message as .eml \
                 (drag it to a folder from Outlook on the web or a Mac, or use File > Save As) and import that"
                    .into(),
            );
            return Ok(report);
        }
        let sha = match sha256_hex(open) {
            Ok(s) => s,
            Err(e) => {
                report.error = Some(ImportError::Io(e).to_string());
                return Ok(report);
            }
        };
        let rules = self.merchant_rules()?;
        let recharge_providers: Vec<String> = self
            .auto_recharges()?
            .into_iter()
            .map(|r| r.account.provider.to_lowercase())
            .collect();
        let pdf = options
            .pdf_text
            .clone()
            .unwrap_or_else(crate::pdf_worker::default_reader);
        let ctx = ReadContext {
            rules: &rules,
            pdf: pdf.as_ref(),
        };
        let tx = self.conn.transaction()?;
        tx.execute(
            "INSERT INTO source_files(name, path, sha256, format, imported_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![meta.name, meta.path, sha, format, meta.imported_at],
        )?;
        let file_id = tx.last_insert_rowid();
        let mut writer = ReceiptWriter {
            tx: &tx,
            file_id,
            report: &mut report,
            spans: FileSpans::default(),
        };
        let stopped = match shape {
            Shape::Mailbox => writer.mailbox(open, ctx, progress)?,
            Shape::Message | Shape::Pdf | Shape::OutlookMsg => {
                writer.single(open, meta, shape, ctx)?
            }
        };
        // Like an export, a folder of receipts vouches for its providers' payments from its
        // first receipt to its last, and on to its download (its first file's).
        let trail: i64 = tx.query_row(
            &format!(
                "SELECT {} FROM source_files f WHERE f.id = ?1",
                receipt_trail()
            ),
            [file_id],
            |r| r.get(0),
        )?;
        writer.spans.widen(&tx, trail)?;
        if let Some(stop) = stopped {
            report.error = Some(stop);
            return Ok(report);
        }
        settle_inferred_kinds(&tx, &recharge_providers)?;
        finish_import(tx, file_id, &mut report, mode)?;
        Ok(report)
    }
}

/// The billing trail of the receipt import `f` (an SQL expression over a `source_files f`):
/// the first receipt import from the same folder. A folder of e-mails is one trail, as one
/// billing export is; a mailbox is a file of its own anyway.
pub(super) fn receipt_trail() -> String {
    format!(
        "(SELECT min(g.id) FROM source_files g
          WHERE g.format IN ('{EMAIL_FORMAT}', '{PDF_FORMAT}')
            AND substr(g.path, 1, length(g.path) - length(g.name))
              = substr(f.path, 1, length(f.path) - length(f.name)))"
    )
}

/// Inferred kinds (a failed payment, a funding notice) become `auto_recharge` where the
/// provider's account shows auto-recharge.
pub(super) fn settle_inferred_kinds(
    tx: &Transaction<'_>,
    recharge_providers: &[String],
) -> Result<(), StoreError> {
    tx.execute(
        "UPDATE billing SET kind = 'auto_recharge'
         WHERE kind_inferred = 1 AND kind = 'credit_purchase'
           AND provider IN (SELECT provider FROM billing WHERE kind = 'auto_recharge' AND kind_inferred = 0)",
        [],
    )?;
    for provider in recharge_providers {
        tx.prepare_cached(
            "UPDATE billing SET kind = 'auto_recharge'
             WHERE kind_inferred = 1 AND kind = 'credit_purchase' AND provider = ?1",
        )?
        .execute([provider])?;
    }
    Ok(())
}

struct ReceiptWriter<'a> {
    tx: &'a Transaction<'a>,
    file_id: i64,
    report: &'a mut ImportReport,
    /// The days of every record read (duplicates too), per provider.
    spans: FileSpans,
}

impl ReceiptWriter<'_> {
    fn tally(&mut self) -> &mut ReceiptTally {
        self.report.receipts.get_or_insert_with(Box::default)
    }

    /// One e-mail or one PDF.
    fn single(
        &mut self,
        open: &Opener<'_>,
        meta: &SourceMeta,
        shape: Shape,
        ctx: ReadContext<'_>,
    ) -> Result<Option<String>, StoreError> {
        let bytes = match read_capped(open, MAX_MESSAGE_BYTES) {
            Ok(Some(b)) => b,
            Ok(None) => {
                return Ok(Some(format!(
                    "the file is larger than {} MB, more than any receipt; it was not read",
                    MAX_MESSAGE_BYTES / (1024 * 1024)
                )));
            }
            Err(e) => return Ok(Some(ImportError::Io(e).to_string())),
        };
        let verdict = if shape == Shape::Pdf {
            receipts::read_pdf_file(&bytes, &meta.name, ctx)
        } else {
            receipts::read_message(&bytes, ctx)
        };
        self.report.rows = 1;
        if shape == Shape::Pdf {
            // A PDF is one document: when it cannot be read, the file is rejected.
            match verdict {
                Verdict::Unreadable(reason) => return Ok(Some(reason)),
                Verdict::NotReceipt => {
                    return Ok(Some(
                        "this PDF is not a receipt or an invoice burnrate knows; if it is a bank or card \
                         statement, download the statement as CSV instead (under Statements or Transactions, \
                         Download, CSV)"
                            .into(),
                    ));
                }
                _ => {}
            }
        }
        self.take(verdict, 1)?;
        Ok(None)
    }

    /// Every message of a mailbox, streamed.
    fn mailbox(
        &mut self,
        open: &Opener<'_>,
        ctx: ReadContext<'_>,
        progress: &mut dyn FnMut(Progress) -> bool,
    ) -> Result<Option<String>, StoreError> {
        let reader = match open() {
            Ok(r) => r,
            Err(e) => return Ok(Some(ImportError::Io(e).to_string())),
        };
        let mut messages = MboxReader::new(std::io::BufReader::with_capacity(256 * 1024, reader));
        while let Some(item) = messages.next() {
            let item = match item {
                Ok(item) => item,
                Err(e) => return Ok(Some(ImportError::Io(e).to_string())),
            };
            self.report.rows += 1;
            if self.report.rows.is_multiple_of(512)
                && !progress(Progress {
                    rows: self.report.rows,
                    bytes: messages.bytes_read,
                })
            {
                return Ok(Some("the import was cancelled; nothing was written".into()));
            }
            match item {
                MboxItem::Skipped { .. } => self.tally().not_receipts += 1,
                MboxItem::TooLarge { line } => self.report.rejected.push(RowError {
                    line,
                    column: None,
                    column_name: String::new(),
                    reason: format!(
                        "this message is larger than {} MB, more than any receipt; it was skipped",
                        MAX_MESSAGE_BYTES / (1024 * 1024)
                    ),
                }),
                MboxItem::Candidate { line, message } => {
                    let verdict = receipts::read_message(&message, ctx);
                    self.take(verdict, line)?;
                }
            }
        }
        progress(Progress {
            rows: self.report.rows,
            bytes: messages.bytes_read,
        });
        Ok(None)
    }

    /// Counts or writes what one message gave.
    fn take(&mut self, verdict: Verdict, line: u64) -> Result<(), StoreError> {
        match verdict {
            Verdict::Records(records) => {
                for mut record in records {
                    // Keyed by the text as the receipt wrote it, as rows of a table are; what
                    // is stored is masked.
                    let key = key_bytes(&natural_key(&record), 0);
                    self.report.masked_secrets += secrets::mask_billing(&mut record) as u64;
                    let written = write_receipt(self.tx, self.file_id, &record, &key, line)?;
                    match written {
                        Write::Inserted => self.report.inserted += 1,
                        Write::Updated => self.report.updated += 1,
                        Write::Duplicate => self.report.duplicates += 1,
                    }
                    let record = Record::Billing(record);
                    self.spans.note(&record);
                    if self.report.sample.len() < 20 {
                        self.report.sample.push(record);
                    }
                }
            }
            Verdict::NotReceipt => self.tally().not_receipts += 1,
            Verdict::UnknownMerchant(name) => {
                let tally = self.tally();
                tally.not_receipts += 1;
                if !tally.unknown_merchants.contains(&name)
                    && tally.unknown_merchants.len() < MAX_UNKNOWN_MERCHANTS
                {
                    tally.unknown_merchants.push(name);
                }
            }
            Verdict::Unreadable(reason) => self.report.rejected.push(RowError {
                line,
                column: None,
                column_name: String::new(),
                reason,
            }),
        }
        Ok(())
    }
}

/// The stored facts of a billing record that receipts complete.
#[derive(Debug, Clone, PartialEq)]
struct Stored {
    id: i64,
    kind: String,
    status: String,
    receipt_number: String,
    invoice_number: String,
    tax_nanos: Option<i64>,
    tax_label: String,
    credit_nanos: Option<i64>,
    card_brand: String,
    card_last4: String,
    period_start: Option<String>,
    period_end: Option<String>,
    organization: String,
    items: i64,
}

fn load(tx: &Transaction<'_>, id: i64) -> Result<Option<Stored>, StoreError> {
    Ok(tx
        .prepare_cached(
            "SELECT id, kind, status, receipt_number, invoice_number, tax_nanos, tax_label, credit_nanos,
                    card_brand, card_last4, period_start, period_end, organization,
                    (SELECT count(*) FROM billing_items i WHERE i.billing_id = billing.id)
             FROM billing WHERE id = ?1",
        )?
        .query_row([id], |r| {
            Ok(Stored {
                id: r.get(0)?,
                kind: r.get(1)?,
                status: r.get(2)?,
                receipt_number: r.get(3)?,
                invoice_number: r.get(4)?,
                tax_nanos: r.get(5)?,
                tax_label: r.get(6)?,
                credit_nanos: r.get(7)?,
                card_brand: r.get(8)?,
                card_last4: r.get(9)?,
                period_start: r.get(10)?,
                period_end: r.get(11)?,
                organization: r.get(12)?,
                items: r.get(13)?,
            })
        })
        .optional()?)
}

fn one_id(
    tx: &Transaction<'_>,
    sql: &str,
    params: &[&dyn rusqlite::ToSql],
) -> Result<Option<i64>, StoreError> {
    Ok(tx
        .prepare_cached(sql)?
        .query_row(params, |r| r.get(0))
        .optional()?)
}

/// The record already in the ledger that is the same payment as `r`, if any.
pub(super) fn find_twin(
    tx: &Transaction<'_>,
    r: &BillingRecord,
) -> Result<Option<i64>, StoreError> {
    let d = &r.details;
    if !d.receipt_number.is_empty() {
        let found = one_id(
            tx,
            "SELECT id FROM billing WHERE provider = ?1 AND (receipt_number = ?2 OR number = ?2)
             ORDER BY id LIMIT 1",
            &[&r.provider, &d.receipt_number],
        )?;
        if found.is_some() {
            return Ok(found);
        }
    }
    if !d.invoice_number.is_empty() && r.status != BillingStatus::Failed {
        let found = one_id(
            tx,
            "SELECT id FROM billing WHERE provider = ?1 AND (invoice_number = ?2 OR number = ?2)
               AND status != 'failed' AND (?3 = '' OR receipt_number = '' OR receipt_number = ?3)
             ORDER BY id LIMIT 1",
            &[&r.provider, &d.invoice_number, &d.receipt_number],
        )?;
        if found.is_some() {
            return Ok(found);
        }
    }
    let numbered = !d.receipt_number.is_empty() || !d.invoice_number.is_empty();
    if numbered {
        return Ok(None);
    }
    if !d.message_id.is_empty() {
        let found = one_id(
            tx,
            "SELECT b.id FROM billing_sources s JOIN billing b ON b.id = s.billing_id
             WHERE s.message_id = ?1 AND b.provider = ?2 AND b.amount_nanos = ?3
             ORDER BY b.id LIMIT 1",
            &[&d.message_id, &r.provider, &r.amount.nanos()],
        )?;
        if found.is_some() {
            return Ok(found);
        }
    }
    // A typed row of the same payment that no e-mail has claimed yet.
    one_id(
        tx,
        "SELECT b.id FROM billing b
         WHERE b.provider = ?1 AND b.day = ?2 AND b.amount_nanos = ?3 AND b.currency = ?4 AND b.status = ?5
           AND b.receipt_number = '' AND b.invoice_number = ''
           AND NOT EXISTS (SELECT 1 FROM billing_sources s WHERE s.billing_id = b.id AND s.via != 'table')
         ORDER BY b.id LIMIT 1",
        &[
            &r.provider,
            &r.occurred_at.date().to_string(),
            &r.amount.nanos(),
            &r.currency,
            &r.status.as_str(),
        ],
    )
}

/// The identity a receipt record is stored under: its numbers, else its message.
fn natural_key(r: &BillingRecord) -> String {
    let d = &r.details;
    if !d.receipt_number.is_empty() {
        format!("billing|{}|receipt|{}", r.provider, d.receipt_number)
    } else if !d.invoice_number.is_empty() {
        format!("billing|{}|invoice|{}", r.provider, d.invoice_number)
    } else if !d.message_id.is_empty() {
        format!(
            "billing|{}|message|{}|{}|{}",
            r.provider,
            d.message_id,
            r.amount.nanos(),
            r.occurred_at
        )
    } else {
        r.natural_key()
    }
}

/// Writes one record read from a receipt: completes its twin, or inserts it.
fn write_receipt(
    tx: &Transaction<'_>,
    file_id: i64,
    r: &BillingRecord,
    key: &[u8],
    line: u64,
) -> Result<Write, StoreError> {
    let line = i64::try_from(line).unwrap_or(i64::MAX);
    let (id, written) = match find_twin(tx, r)? {
        Some(id) => (id, complete(tx, id, r)?),
        None => match insert(tx, file_id, r, key, line)? {
            Some(id) => (id, Write::Inserted),
            None => return Ok(Write::Duplicate),
        },
    };
    tx.prepare_cached(
        "INSERT OR IGNORE INTO billing_sources(billing_id, source_file_id, via, message_id, attachment)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![
        id,
        file_id,
        r.details.via.as_str(),
        r.details.message_id,
        r.details.attachment
    ])?;
    Ok(written)
}

/// Inserts a new record and its items under `key`; `None` when the key is already taken.
fn insert(
    tx: &Transaction<'_>,
    file_id: i64,
    r: &BillingRecord,
    key: &[u8],
    line: i64,
) -> Result<Option<i64>, StoreError> {
    billing::insert(tx, r, key, file_id, line)
}

fn fill(stored: &str, new: &str) -> String {
    if stored.is_empty() { new } else { stored }.to_string()
}

/// Completes a stored record with what `r` adds: a receipt proves a pending invoice paid (its
/// kind, status, date and amount become the receipt's); numbers, tax, credit, card, period,
/// organization and items fill what is missing. Nothing else changes.
pub(super) fn complete(
    tx: &Transaction<'_>,
    id: i64,
    r: &BillingRecord,
) -> Result<Write, StoreError> {
    let Some(before) = load(tx, id)? else {
        return Ok(Write::Duplicate);
    };
    let d = &r.details;
    let proves_payment = before.kind == BillingKind::Invoice.as_str()
        && before.status == BillingStatus::Pending.as_str()
        && r.status == BillingStatus::Paid;
    let mut changed = false;
    if proves_payment {
        tx.prepare_cached(
            "UPDATE billing SET kind = ?2, status = ?3, occurred_at = ?4, day = ?5, amount_nanos = ?6,
             currency = ?7, amount_text = ?8, expires_at = ?9, description = ?10, number = ?11,
             fingerprint = ?12, kind_inferred = ?13 WHERE id = ?1",
        )?
        .execute(params![
            id,
            r.kind.as_str(),
            r.status.as_str(),
            dt(Some(r.occurred_at)),
            r.occurred_at.date().to_string(),
            r.amount.nanos(),
            r.currency,
            r.amount_text,
            dt(r.expires_at),
            r.description,
            r.number,
            billing::fingerprint(r),
            d.kind_inferred,
        ])?;
        changed = true;
    }
    let after = Stored {
        receipt_number: fill(&before.receipt_number, &d.receipt_number),
        invoice_number: fill(&before.invoice_number, &d.invoice_number),
        tax_nanos: before.tax_nanos.or(d.tax.map(Amount::nanos)),
        tax_label: fill(&before.tax_label, &d.tax_label),
        credit_nanos: before.credit_nanos.or(d.credit.map(Amount::nanos)),
        card_brand: fill(&before.card_brand, &d.card_brand),
        card_last4: fill(&before.card_last4, &d.card_last4),
        period_start: before
            .period_start
            .clone()
            .or(billing::date_text(d.period_start)),
        period_end: before
            .period_end
            .clone()
            .or(billing::date_text(d.period_end)),
        organization: fill(&before.organization, &r.organization),
        ..before.clone()
    };
    if after != before {
        tx.prepare_cached(
            "UPDATE billing SET receipt_number = ?2, invoice_number = ?3, tax_nanos = ?4, tax_label = ?5,
             credit_nanos = ?6, card_brand = ?7, card_last4 = ?8, period_start = ?9, period_end = ?10,
             organization = ?11 WHERE id = ?1",
        )?
        .execute(params![
            id,
            after.receipt_number,
            after.invoice_number,
            after.tax_nanos,
            after.tax_label,
            after.credit_nanos,
            after.card_brand,
            after.card_last4,
            after.period_start,
            after.period_end,
            after.organization,
        ])?;
        changed = true;
    }
    if before.items == 0 && !d.items.is_empty() {
        billing::insert_items(tx, id, r)?;
        changed = true;
    }
    Ok(if changed {
        Write::Updated
    } else {
        Write::Duplicate
    })
}

/// Whether a row of the billing CSV is a payment already in the ledger from its receipt (by
/// receipt or invoice number, or by content for a row without a number), recording the row's
/// key so that importing the CSV again finds it. `false` when the row's own key is stored (the
/// usual re-import path) or no receipt matches.
pub(super) fn table_row_twin(
    tx: &Transaction<'_>,
    b: &BillingRecord,
    key: &[u8],
    file_id: i64,
) -> Result<bool, StoreError> {
    let own = one_id(tx, "SELECT id FROM billing WHERE key = ?1", &[&key])?;
    if own.is_some() {
        return Ok(false);
    }
    let aliased = one_id(
        tx,
        "SELECT billing_id FROM billing_sources WHERE row_key = ?1",
        &[&key],
    )?;
    if aliased.is_some() {
        return Ok(true);
    }
    let twin = if b.number.trim().is_empty() {
        one_id(
            tx,
            "SELECT b.id FROM billing b
             WHERE b.provider = ?1 AND b.day = ?2 AND b.amount_nanos = ?3 AND b.currency = ?4 AND b.status = ?5
               AND EXISTS (SELECT 1 FROM billing_sources s WHERE s.billing_id = b.id AND s.via != 'table')
               AND NOT EXISTS (SELECT 1 FROM billing_sources s WHERE s.billing_id = b.id AND s.via = 'table')
             ORDER BY b.id LIMIT 1",
            &[
                &b.provider,
                &b.occurred_at.date().to_string(),
                &b.amount.nanos(),
                &b.currency,
                &b.status.as_str(),
            ],
        )?
    } else {
        let number = canonical_number(&b.number);
        one_id(
            tx,
            "SELECT id FROM billing WHERE provider = ?1 AND (receipt_number = ?2 OR invoice_number = ?2)
             ORDER BY id LIMIT 1",
            &[&b.provider, &number],
        )?
    };
    let Some(id) = twin else {
        return Ok(false);
    };
    tx.prepare_cached(
        "UPDATE billing SET organization = CASE WHEN organization = '' THEN ?2 ELSE organization END,
         project = CASE WHEN project = '' THEN ?3 ELSE project END WHERE id = ?1",
    )?
    .execute(params![id, b.organization, b.project])?;
    tx.prepare_cached(
        "INSERT OR IGNORE INTO billing_sources(billing_id, source_file_id, via, message_id, attachment, row_key)
         VALUES (?1, ?2, ?3, '', '', ?4)",
    )?
    .execute(params![id, file_id, SourceVia::Table.as_str(), key])?;
    Ok(true)
}
