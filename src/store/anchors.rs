//! What anchors a balance and what each imported file spans: balance checkpoints (typed in or
//! imported as `balance` rows of the billing CSV), the days each file's billing records and
//! bank lines run over, and the moment each file was downloaded (its modification time).
//!
//! Nothing here judges: `domain::balance` anchors balances on checkpoints and `domain::ledger`
//! decides which file should show a record. Checkpoint amounts are exact nano-units; times are
//! UTC text; a checkpoint given as a date is stored at midnight.

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveDateTime};
use rusqlite::{OptionalExtension, Transaction, params};

use super::import::Write;
use super::sql::parse_day;
use super::{Store, StoreError};
use crate::domain::balance::{AccountKey, Checkpoint};
use crate::domain::ledger::{FileKind, FileSpan};
use crate::domain::money::{Amount, Currency};
use crate::domain::records::{BalanceReading, Record};

/// A checkpoint as the ledger keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCheckpoint {
    pub id: i64,
    pub provider: String,
    /// Empty when the provider has one account.
    pub organization: String,
    /// UTC, `YYYY-MM-DD HH:MM:SS`.
    pub at: String,
    pub day: NaiveDate,
    pub amount: Amount,
    pub currency: Currency,
    /// The file it was imported from, when it was.
    pub source_file: Option<String>,
}

/// What [`Store::add_checkpoint`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypedCheckpoint {
    pub id: i64,
    /// The balance typed before for the same account and moment, which this one replaced
    /// (amount, currency code).
    pub replaced: Option<(Amount, String)>,
}

impl StoredCheckpoint {
    /// How judgement names it: `checkpoint:4`.
    pub fn record(&self) -> String {
        format!("checkpoint:{}", self.id)
    }

    /// The id in an evidence id made by [`StoredCheckpoint::record`] (`checkpoint:4` -> 4).
    pub fn id_of(record: &str) -> Option<i64> {
        record.strip_prefix("checkpoint:")?.parse().ok()
    }
}

/// The days one file's records run over, gathered while the file is read (every row, records
/// already in the ledger included: a newer export holds the older rows too).
#[derive(Debug, Default)]
pub(super) struct FileSpans {
    /// The bank lines' days, kept apart: a statement notes one for each of its lines.
    bank: Option<(NaiveDate, NaiveDate)>,
    /// Billing records' days per provider.
    billing: BTreeMap<String, (NaiveDate, NaiveDate)>,
}

impl FileSpans {
    /// Notes the day of a billing record (per provider) or a bank line.
    pub(super) fn note(&mut self, record: &Record) {
        let (provider, day) = match record {
            Record::Billing(b) => (&b.provider, b.occurred_at.date()),
            Record::Balance(b) => (&b.provider, b.at.date()),
            Record::Bank(l) => {
                if let Some(day) = l.day() {
                    widen(self.bank.get_or_insert((day, day)), day);
                }
                return;
            }
            Record::Usage(_) | Record::Rate(_) => return,
        };
        match self.billing.get_mut(provider) {
            Some(span) => widen(span, day),
            None => {
                self.billing.insert(provider.clone(), (day, day));
            }
        }
    }

    /// Every span: the bank lines' (under no provider) first, then the billing records' by
    /// provider.
    fn all(&self) -> impl Iterator<Item = (&'static str, &str, NaiveDate, NaiveDate)> {
        let bank = self.bank.map(|(first, last)| ("bank", "", first, last));
        let billing = self
            .billing
            .iter()
            .map(|(provider, &(first, last))| ("billing", provider.as_str(), first, last));
        bank.into_iter().chain(billing)
    }

    /// Writes the spans of file `file_id` in the import's transaction.
    pub(super) fn save(&self, tx: &Transaction<'_>, file_id: i64) -> Result<(), StoreError> {
        let mut insert = tx.prepare_cached(
            "INSERT OR REPLACE INTO file_spans(source_file_id, kind, provider, first_day, last_day)
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )?;
        for (kind, provider, first, last) in self.all() {
            insert.execute(params![
                file_id,
                kind,
                provider,
                first.to_string(),
                last.to_string()
            ])?;
        }
        Ok(())
    }
}

/// Widens `span` to take in `day`.
fn widen(span: &mut (NaiveDate, NaiveDate), day: NaiveDate) {
    span.0 = span.0.min(day);
    span.1 = span.1.max(day);
}

impl FileSpans {
    /// Widens the spans kept for file `file_id` by these (a folder of receipt e-mails is one
    /// billing trail kept under its first file; each e-mail widens it).
    pub(super) fn widen(&self, tx: &Transaction<'_>, file_id: i64) -> Result<(), StoreError> {
        let mut upsert = tx.prepare_cached(
            "INSERT INTO file_spans(source_file_id, kind, provider, first_day, last_day)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT(source_file_id, kind, provider) DO UPDATE SET
                 first_day = min(first_day, excluded.first_day),
                 last_day = max(last_day, excluded.last_day)",
        )?;
        for (kind, provider, first, last) in self.all() {
            upsert.execute(params![
                file_id,
                kind,
                provider,
                first.to_string(),
                last.to_string()
            ])?;
        }
        Ok(())
    }
}

/// Writes a `balance` row of an imported file: one checkpoint per account, moment and
/// currency (a corrected amount replaces the earlier one).
pub(super) fn write_balance(
    tx: &Transaction<'_>,
    file_id: i64,
    reading: &BalanceReading,
    key: &[u8],
    line: i64,
) -> Result<Write, StoreError> {
    let existing: Option<(i64, i64)> = tx
        .prepare_cached("SELECT id, amount_nanos FROM balance_checkpoints WHERE key = ?1")?
        .query_row([key], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let nanos = reading.amount.nanos();
    match existing {
        Some((_, stored)) if stored == nanos => Ok(Write::Duplicate),
        Some((id, _)) => {
            tx.prepare_cached(
                "UPDATE balance_checkpoints SET amount_nanos = ?2, amount_text = ?3 WHERE id = ?1",
            )?
            .execute(params![id, nanos, reading.amount_text])?;
            Ok(Write::Updated)
        }
        None => {
            tx.prepare_cached(
                "INSERT INTO balance_checkpoints(key, provider, organization, at, day, amount_nanos,
                     amount_text, currency, source_file_id, source_line, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, datetime('now'))",
            )?
            .execute(params![
                key,
                reading.provider,
                reading.organization,
                reading.at.format("%Y-%m-%d %H:%M:%S").to_string(),
                reading.at.date().to_string(),
                nanos,
                reading.amount_text,
                reading.currency,
                file_id,
                line
            ])?;
            Ok(Write::Inserted)
        }
    }
}

impl Store {
    /// Records a balance the user read off the billing page. A balance typed before for the
    /// same account and moment is replaced in place (one moment has one balance: entering it
    /// again corrects it, and keeps its id); imported `balance` rows are left alone.
    ///
    /// # Errors
    /// On a SQLite failure.
    pub fn add_checkpoint(
        &self,
        account: &AccountKey,
        at: NaiveDateTime,
        amount: Amount,
        currency: Currency,
    ) -> Result<TypedCheckpoint, StoreError> {
        let at_text = at.format("%Y-%m-%d %H:%M:%S").to_string();
        let tx = self.conn().unchecked_transaction()?;
        let before: Option<(i64, i64, String)> = tx
            .prepare_cached(
                "SELECT id, amount_nanos, currency FROM balance_checkpoints
                 WHERE provider = ?1 AND organization = ?2 AND at = ?3 AND source_file_id IS NULL
                 ORDER BY id DESC LIMIT 1",
            )?
            .query_row(
                params![account.provider, account.organization, at_text],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        let written = if let Some((id, nanos, old_currency)) = before {
            tx.execute(
                "UPDATE balance_checkpoints
                 SET amount_nanos = ?2, amount_text = ?3, currency = ?4, created_at = datetime('now')
                 WHERE id = ?1",
                params![id, amount.nanos(), amount.to_string(), currency],
            )?;
            TypedCheckpoint {
                id,
                replaced: Some((Amount::from_nanos(nanos), old_currency)),
            }
        } else {
            tx.execute(
                "INSERT INTO balance_checkpoints(provider, organization, at, day, amount_nanos,
                     amount_text, currency, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, datetime('now'))",
                params![
                    account.provider,
                    account.organization,
                    at_text,
                    at.date().to_string(),
                    amount.nanos(),
                    amount.to_string(),
                    currency
                ],
            )?;
            TypedCheckpoint {
                id: tx.last_insert_rowid(),
                replaced: None,
            }
        };
        Store::bump_revision(&tx)?;
        tx.commit()?;
        Ok(written)
    }

    /// Removes a checkpoint; `false` when there is none with that id.
    ///
    /// # Errors
    /// On a SQLite failure.
    pub fn remove_checkpoint(&self, id: i64) -> Result<bool, StoreError> {
        let removed = self
            .conn()
            .execute("DELETE FROM balance_checkpoints WHERE id = ?1", [id])?;
        if removed > 0 {
            Store::bump_revision(self.conn())?;
        }
        Ok(removed > 0)
    }

    /// Every checkpoint, oldest first.
    ///
    /// # Errors
    /// On a SQLite failure.
    pub fn checkpoints(&self) -> Result<Vec<StoredCheckpoint>, StoreError> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT c.id, c.provider, c.organization, c.at, c.day, c.amount_nanos, c.currency, f.name
             FROM balance_checkpoints c LEFT JOIN source_files f ON f.id = c.source_file_id
             ORDER BY c.at, c.id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(StoredCheckpoint {
                id: r.get(0)?,
                provider: r.get(1)?,
                organization: r.get(2)?,
                at: r.get(3)?,
                day: parse_day(&r.get::<_, String>(4)?)?,
                amount: Amount::from_nanos(r.get(5)?),
                currency: r.get(6)?,
                source_file: r.get(7)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The checkpoints as judgement reads them (accounts as the user named them; the snapshot
    /// resolves organization ids and names).
    ///
    /// # Errors
    /// On a SQLite failure.
    pub fn balance_checkpoints(&self) -> Result<Vec<Checkpoint>, StoreError> {
        Ok(self
            .checkpoints()?
            .into_iter()
            .map(|c| Checkpoint {
                record: c.record(),
                account: AccountKey::new(&c.provider, &c.organization),
                day: c.day,
                shown: c.amount,
                currency: c.currency,
            })
            .collect())
    }

    /// Notes when an imported file was last modified (its download, for an export), UTC.
    ///
    /// # Errors
    /// On a SQLite failure.
    pub fn set_file_modified(
        &self,
        source_file_id: i64,
        modified_at: &str,
    ) -> Result<(), StoreError> {
        self.conn().execute(
            "UPDATE source_files SET modified_at = ?2 WHERE id = ?1",
            params![source_file_id, modified_at],
        )?;
        Ok(())
    }

    /// Every imported file's measured span: from its first record to its modification day,
    /// else its import day.
    ///
    /// # Errors
    /// On a SQLite failure.
    pub fn file_spans(&self) -> Result<Vec<FileSpan>, StoreError> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT s.source_file_id, s.kind, s.provider, s.first_day, s.last_day,
                    substr(COALESCE(f.modified_at, f.imported_at), 1, 10)
             FROM file_spans s JOIN source_files f ON f.id = s.source_file_id
             ORDER BY s.source_file_id, s.kind, s.provider",
        )?;
        let rows = stmt.query_map([], |r| {
            let kind = if r.get::<_, String>(1)? == "bank" {
                FileKind::Bank
            } else {
                FileKind::Billing
            };
            let last_day = parse_day(&r.get::<_, String>(4)?)?;
            Ok(FileSpan {
                source_file_id: r.get(0)?,
                kind,
                provider: r.get(2)?,
                first_day: parse_day(&r.get::<_, String>(3)?)?,
                last_day,
                downloaded_on: parse_day(&r.get::<_, String>(5)?).unwrap_or(last_day),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
