//! What the balance and flag detectors read from the ledger, and the flags the user dismissed.
//!
//! Loads the ledger [`Snapshot`] judgement reads: every bank line (untagged ones too, so each
//! statement's date span is known), every billing record, usage cost per account and day and
//! per project and day (organisation-wide totals left out on days that have detailed rows, the
//! rule reports use), the organizations' ids and names, budgets, detector thresholds and
//! auto-recharge settings. Budgets (`budgets`), thresholds (`flag_params`) and auto-recharges
//! (`auto_recharges`, one per account, amounts as exact decimal text) are JSON in the `settings`
//! table, read and written whole through typed savers that validate before they store.
//! Nothing here judges anything: the detectors in `domain::flags` do. Currencies are upper-cased on the way
//! out (`usd` in the openai exports is `USD`). A date-only record is stored at midnight, so a time
//! of exactly `00:00:00` is read as "no time of day".

use std::collections::{BTreeMap, HashMap};
use std::hash::BuildHasherDefault;
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};

use super::groups::Groups;
use super::rollup::FxHasher;
use super::sql::{ORGANIZATION, PROJECT, ascii_upper, overflow, parse_day};
use super::{Store, StoreError};
use crate::domain::balance::{AccountKey, AutoRecharge, DailyUsage};
use crate::domain::billing_details::{LineItem, ReceiptFacts, statement_card};
use crate::domain::flags::FlagParams;
use crate::domain::fx::Rate;
use crate::domain::import::receipts;
use crate::domain::ledger::{
    BankItem, BankRef, BillingItem, Budget, BudgetScope, Decision, MatchDecision, OrgAlias,
    ProjectDay, ProjectUsage, Snapshot, parse_record,
};
use crate::domain::money::{Amount, Currency, DecimalMark};
use crate::domain::records::{BankStatus, BillingKind, BillingStatus, SpendKind};

/// The settings key holding the budgets (a JSON array of [`BudgetSetting`]).
const BUDGETS_KEY: &str = "budgets";
/// The settings key holding the detector thresholds (a JSON [`FlagParams`]).
const PARAMS_KEY: &str = "flag_params";
/// The settings key holding the auto-recharge settings (a JSON array of [`StoredRecharge`]).
const RECHARGES_KEY: &str = "auto_recharges";

/// A monthly budget as stored in the settings: `{"scope": "project", "name": "Web app",
/// "monthly": "100.00", "currency": "USD"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BudgetSetting {
    pub scope: BudgetScope,
    pub name: String,
    /// A decimal amount, as written.
    pub monthly: String,
    #[serde(default = "default_currency")]
    pub currency: Currency,
}

fn default_currency() -> Currency {
    Currency::USD
}

/// A billing record or bank line as a dispute packet shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvidenceRecord {
    /// `billing:3` or `bank:12`.
    pub record: String,
    /// The timestamp as stored (UTC).
    pub at: String,
    pub day: NaiveDate,
    /// As the ledger keeps it: negative for money out of a bank account.
    pub amount: Amount,
    pub currency: String,
    pub status: String,
    /// The billing kind and number, or the bank account.
    pub what: String,
    pub description: String,
    pub provider: String,
    /// The imported file's name and the line of the record in it.
    pub source_file: String,
    pub source_line: i64,
}

/// A flag the user dismissed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DismissedFlag {
    pub flag_id: String,
    pub note: String,
    pub dismissed_at: String,
}

/// The time of day of a stored timestamp; `None` for date-only records (stored at midnight).
fn time_of_day(text: Option<&str>) -> Option<NaiveTime> {
    let text = text?;
    // Stored as `YYYY-MM-DDTHH:MM:SS` (a bank history holds a hundred thousand): read the
    // digits of the time where they stand before trying chrono's format parser.
    if let Some(t) = plain_time(text) {
        return (t != NaiveTime::MIN).then_some(t);
    }
    let t = NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S")
        .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S"))
        .ok()?
        .time();
    (t != NaiveTime::MIN).then_some(t)
}

/// The time of `YYYY-MM-DDTHH:MM:SS` (a valid date, `T` or a space), else `None`.
fn plain_time(text: &str) -> Option<NaiveTime> {
    let b = text.as_bytes();
    let (day, time) = (text.get(..10)?, b.get(10..)?);
    if b.len() != 19 || !matches!(b.get(10), Some(b'T' | b' ')) {
        return None;
    }
    crate::domain::import::dates::plain_iso_date(day)?;
    let two = |i: usize| -> Option<u32> {
        let (a, b) = (time.get(i)?, time.get(i + 1)?);
        (a.is_ascii_digit() && b.is_ascii_digit())
            .then(|| u32::from(a - b'0') * 10 + u32::from(b - b'0'))
    };
    if time.get(3) != Some(&b':') || time.get(6) != Some(&b':') {
        return None;
    }
    NaiveTime::from_hms_opt(two(1)?, two(4)?, two(7)?)
}

fn invalid(what: &str, value: &str) -> StoreError {
    StoreError::Invalid(format!(
        "the ledger holds a {what} burnrate does not know ('{value}'); update burnrate"
    ))
}

impl Store {
    /// Everything the detectors and the balance need, from the whole ledger.
    ///
    /// # Errors
    /// On a database failure, a total too large to add up, a damaged budget setting, or a record
    /// kind this build does not know.
    pub fn snapshot(&self) -> Result<Snapshot, StoreError> {
        Ok(self.snapshot_and(|_| Ok(()))?.0)
    }

    /// [`Store::snapshot`], and what `also` reads on this connection while a second one reads
    /// usage per project (see [`Store::daily_usage`]): the review reads its month's usage in
    /// that time.
    ///
    /// # Errors
    /// As [`Store::snapshot`], or what `also` returns.
    pub(crate) fn snapshot_and<T>(
        &self,
        also: impl FnOnce(&Self) -> Result<T, StoreError>,
    ) -> Result<(Snapshot, T), StoreError> {
        let ((usage, project_usage), (records, extra)) =
            self.daily_usage_and(|store| Ok((store.records()?, also(store)?)))?;
        Ok((
            Snapshot {
                usage,
                project_usage,
                ..records
            }
            .normalized(),
            extra,
        ))
    }

    /// What balances, matching and the top-up doctor read: [`Store::snapshot`] without the
    /// usage per project, which only the spend-spike and budget flags read. Its usage per
    /// account is summed by SQLite as it reads the daily sums in their stored order, so a
    /// ledger of ten million usage rows answers `balance` without shipping every project-day.
    ///
    /// # Errors
    /// As [`Store::snapshot`].
    pub fn account_snapshot(&self) -> Result<Snapshot, StoreError> {
        self.read_together(|store| store.snapshot_with(store.account_usage()?, Vec::new()))
    }

    /// Runs `read` in one read transaction (unless the caller has one open), so all it reads
    /// comes from one revision of the ledger, even while an import commits beside it.
    ///
    /// # Errors
    /// What `read` returns, or a database failure starting the transaction.
    pub(crate) fn read_together<T>(
        &self,
        read: impl FnOnce(&Self) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let tx = if self.conn().is_autocommit() {
            Some(self.conn().unchecked_transaction()?)
        } else {
            None
        };
        let out = read(self);
        drop(tx);
        out
    }

    fn snapshot_with(
        &self,
        usage: Vec<DailyUsage>,
        project_usage: Vec<ProjectUsage>,
    ) -> Result<Snapshot, StoreError> {
        Ok(Snapshot {
            usage,
            project_usage,
            ..self.records()?
        }
        .normalized())
    }

    /// Everything a snapshot holds but usage, not yet normalized.
    fn records(&self) -> Result<Snapshot, StoreError> {
        let (rates, refs) = self.match_data()?;
        Ok(Snapshot {
            bank: self.bank_items()?,
            statement_days: self.statement_days()?,
            billing: self.billing_items()?,
            usage: Vec::new(),
            project_usage: Vec::new(),
            organizations: self.organization_aliases()?,
            budgets: self.budgets()?,
            auto_recharges: self.auto_recharges()?,
            rates,
            refs,
            decisions: self.match_decisions()?,
            checkpoints: self.balance_checkpoints()?,
            files: self.file_spans()?,
        })
    }

    /// What matching reads beside the records and the decisions: the ECB rates of the billing
    /// records' days (and the week before them) and the issuer ids of AI lines.
    ///
    /// # Errors
    /// On a database failure.
    fn match_data(&self) -> Result<(Vec<Rate>, Vec<BankRef>), StoreError> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT day, upper(currency), per_euro_nanos FROM fx_rates
             WHERE day >= (SELECT date(min(day), '-10 days') FROM billing)
               AND day <= (SELECT max(day) FROM billing)
             ORDER BY day, currency",
        )?;
        let rates = stmt
            .query_map([], |r| {
                Ok(Rate {
                    day: parse_day(&r.get::<_, String>(0)?)?,
                    currency: r.get(1)?,
                    per_euro: Amount::from_nanos(r.get(2)?),
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        let mut stmt = self.conn().prepare_cached(
            "SELECT id, issuer_id, related_id FROM bank_lines
             WHERE provider IS NOT NULL AND (issuer_id != '' OR related_id != '') ORDER BY id",
        )?;
        let refs = stmt
            .query_map([], |r| {
                Ok(BankRef {
                    bank_id: r.get(0)?,
                    issuer_id: r.get(1)?,
                    related_id: r.get(2)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok((rates, refs))
    }

    /// The user's decisions on matches, oldest pair first.
    ///
    /// # Errors
    /// On a database failure or a decision this build does not know.
    pub fn match_decisions(&self) -> Result<Vec<MatchDecision>, StoreError> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT left_record, right_record, decision FROM match_decisions
             ORDER BY decided_at, left_record, right_record",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (left, right, decision) = row?;
            let decision =
                Decision::parse(&decision).ok_or_else(|| invalid("match decision", &decision))?;
            out.push(MatchDecision {
                left,
                right,
                decision,
            });
        }
        Ok(out)
    }

    /// Records the user's decision on a pair (deciding a pair again replaces the decision).
    ///
    /// # Errors
    /// On a database failure.
    pub fn decide_match(
        &self,
        left: &str,
        right: &str,
        decision: Decision,
        now: &str,
    ) -> Result<(), StoreError> {
        self.conn().execute(
            "INSERT INTO match_decisions(left_record, right_record, decision, decided_at)
             VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT(left_record, right_record) DO UPDATE
                SET decision = excluded.decision, decided_at = excluded.decided_at",
            params![left.trim(), right.trim(), decision.as_str(), now],
        )?;
        Self::bump_revision(self.conn())
    }

    /// The stored details of evidence records named as flags name them (`billing:3`,
    /// `bank:12`); other names (usage days, budgets) and unknown ids are skipped.
    ///
    /// # Errors
    /// On a database failure.
    pub fn evidence_records(&self, records: &[String]) -> Result<Vec<EvidenceRecord>, StoreError> {
        let mut out = Vec::new();
        for record in records {
            let Some((kind, id)) = parse_record(record) else {
                continue;
            };
            let sql = if kind == "billing" {
                "SELECT b.occurred_at, b.day, b.amount_nanos, upper(b.currency), b.status,
                        b.kind || CASE WHEN b.number != '' THEN ' ' || b.number ELSE '' END,
                        b.description, b.provider, f.name, b.source_line
                 FROM billing b JOIN source_files f ON f.id = b.source_file_id WHERE b.id = ?1"
            } else {
                "SELECT COALESCE(l.started_at, l.posted_at, l.day), l.day, l.amount_nanos, upper(l.currency),
                        l.status, l.account, l.description, COALESCE(l.provider, ''), f.name, l.source_line
                 FROM bank_lines l JOIN source_files f ON f.id = l.source_file_id WHERE l.id = ?1"
            };
            let row = self
                .conn()
                .prepare_cached(sql)?
                .query_row([id], |r| {
                    Ok(EvidenceRecord {
                        record: record.trim().to_string(),
                        at: r.get(0)?,
                        day: parse_day(&r.get::<_, String>(1)?)?,
                        amount: Amount::from_nanos(r.get(2)?),
                        currency: r.get(3)?,
                        status: r.get(4)?,
                        what: r.get(5)?,
                        description: r.get(6)?,
                        provider: r.get(7)?,
                        source_file: r.get(8)?,
                        source_line: r.get(9)?,
                    })
                })
                .optional()?;
            out.extend(row);
        }
        Ok(out)
    }

    /// The bank and card lines that can bear on AI money, oldest first: every line tagged with a
    /// provider, and any other line a match decision names (the user may pair a billing record
    /// with a line no merchant rule recognized). A statement of a hundred thousand grocery lines
    /// brings only its days ([`Store::statement_days`]).
    ///
    /// # Errors
    /// On a database failure or a status or kind this build does not know.
    pub fn bank_items(&self) -> Result<Vec<BankItem>, StoreError> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT l.id, l.source_file_id, l.provider, l.spend_kind, l.status, l.day,
                    COALESCE(l.started_at, l.posted_at), l.amount_nanos, l.currency, l.description,
                    l.account, f.name
             FROM bank_lines l JOIN source_files f ON f.id = l.source_file_id
             WHERE l.id IN (
                 SELECT id FROM bank_lines WHERE provider IS NOT NULL
                 UNION ALL
                 SELECT CAST(substr(record, 6) AS INTEGER)
                 FROM (SELECT left_record AS record FROM match_decisions
                       UNION ALL SELECT right_record FROM match_decisions)
                 WHERE record LIKE 'bank:%')
             ORDER BY l.day, l.id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, Option<String>>(3)?,
                r.get::<_, String>(4)?,
                parse_day(&r.get::<_, String>(5)?)?,
                r.get::<_, Option<String>>(6)?,
                r.get::<_, i64>(7)?,
                r.get::<_, Currency>(8)?,
                r.get::<_, String>(9)?,
                statement_card(&r.get::<_, String>(10)?, &r.get::<_, String>(11)?),
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (
                id,
                file,
                provider,
                kind,
                status,
                day,
                at,
                nanos,
                currency,
                description,
                card_last4,
            ) = row?;
            let spend_kind = match kind.as_deref() {
                None => None,
                Some(k) => Some(SpendKind::parse(k).ok_or_else(|| invalid("spend kind", k))?),
            };
            let status = BankStatus::parse_stored(&status)
                .ok_or_else(|| invalid("bank line status", &status))?;
            out.push(BankItem {
                id,
                source_file_id: file,
                provider,
                spend_kind,
                status: Some(status),
                day,
                time: time_of_day(at.as_deref()),
                amount: Amount::from_nanos(nanos),
                currency,
                description,
                card_last4,
            });
        }
        Ok(out)
    }

    /// The statement and day of every line without a provider, once per pair, by statement
    /// and day: what dates the statements beside [`Store::bank_items`].
    ///
    /// # Errors
    /// On a database failure.
    pub fn statement_days(&self) -> Result<Vec<(i64, NaiveDate)>, StoreError> {
        // A plain scan beats the provider index here: nearly every line is untagged.
        let mut stmt = self.conn().prepare_cached(
            "SELECT DISTINCT source_file_id, day FROM bank_lines NOT INDEXED
             WHERE provider IS NULL ORDER BY source_file_id, day",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, parse_day(r.get_ref(1)?.as_str()?)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Every billing record, oldest first.
    ///
    /// A record's `source_file_id` is the billing file whose date span says which charges the
    /// provider's records can vouch for. Receipts arrive one file per e-mail, yet a folder of
    /// them is one trail, as a typed billing CSV is: records read from receipts carry the first
    /// receipt import from the same folder (`receipts::receipt_trail`, under which the import
    /// also keeps the folder's span).
    ///
    /// # Errors
    /// On a database failure or a kind or status this build does not know.
    pub fn billing_items(&self) -> Result<Vec<BillingItem>, StoreError> {
        let sql = format!(
            "SELECT b.id,
                    CASE WHEN f.format IN (:email, :pdf) THEN {} ELSE b.source_file_id END,
                    b.provider, b.kind, b.status, b.day, b.occurred_at, b.amount_nanos,
                    b.currency, b.organization, b.project, b.expires_at, b.credit_nanos, b.card_last4
             FROM billing b JOIN source_files f ON f.id = b.source_file_id
             ORDER BY b.day, b.id",
            super::receipts::receipt_trail()
        );
        let mut stmt = self.conn().prepare_cached(&sql)?;
        let formats = rusqlite::named_params! {
            ":email": receipts::EMAIL_FORMAT,
            ":pdf": receipts::PDF_FORMAT,
        };
        let rows = stmt.query_map(formats, |r| {
            Ok((
                (
                    r.get::<_, i64>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, String>(2)?,
                ),
                (r.get::<_, String>(3)?, r.get::<_, String>(4)?),
                (parse_day(&r.get::<_, String>(5)?)?, r.get::<_, String>(6)?),
                (r.get::<_, i64>(7)?, r.get::<_, Currency>(8)?),
                (r.get::<_, String>(9)?, r.get::<_, String>(10)?),
                r.get::<_, Option<String>>(11)?,
                (r.get::<_, Option<i64>>(12)?, r.get::<_, String>(13)?),
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (
                (id, file, provider),
                (kind, status),
                (day, at),
                (nanos, currency),
                (org, project),
                expires,
                (credit, card_last4),
            ) = row?;
            let kind = BillingKind::parse(&kind).ok_or_else(|| invalid("billing kind", &kind))?;
            let status =
                BillingStatus::parse(&status).ok_or_else(|| invalid("billing status", &status))?;
            let expires_on = expires
                .as_deref()
                .and_then(|t| t.get(..10))
                .and_then(|t| NaiveDate::parse_from_str(t, "%Y-%m-%d").ok());
            out.push(BillingItem {
                id,
                source_file_id: file,
                provider,
                kind,
                status,
                day,
                time: time_of_day(Some(&at)),
                amount: Amount::from_nanos(nanos),
                currency,
                organization: org,
                project,
                expires_on,
                receipt: ReceiptFacts {
                    credit: credit.map(Amount::from_nanos),
                    card_last4,
                    invoice_for: None,
                },
            });
        }
        for b in out.iter_mut().filter(|b| b.awaits_payment()) {
            b.receipt.invoice_for = self.invoice_for(b.id, &b.provider)?;
        }
        Ok(out)
    }

    /// What an invoice's line items bill (a credit purchase, a subscription); `None` for an
    /// invoice without items (typed in the billing CSV).
    fn invoice_for(
        &self,
        billing_id: i64,
        provider: &str,
    ) -> Result<Option<BillingKind>, StoreError> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT description, quantity, amount_nanos FROM billing_items
             WHERE billing_id = ?1 ORDER BY position",
        )?;
        let items = stmt
            .query_map([billing_id], |r| {
                Ok(LineItem {
                    description: r.get(0)?,
                    quantity: r.get(1)?,
                    amount: Amount::from_nanos(r.get(2)?),
                    period_start: None,
                    period_end: None,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        if items.is_empty() {
            return Ok(None);
        }
        let merchant = receipts::merchant_of_provider(provider);
        Ok(Some(receipts::kind_of_items(&items, &merchant)))
    }

    /// Usage cost per account (provider and organization name, else id) and day.
    ///
    /// # Errors
    /// On a database failure or a total too large to add up.
    pub fn daily_account_usage(&self) -> Result<Vec<DailyUsage>, StoreError> {
        Ok(self.daily_usage()?.0)
    }

    /// Usage cost per account and day, sorted by provider, account, day and currency: what
    /// [`Store::daily_usage`] gives first, added up by SQLite per day, provider and organization
    /// (the daily sums' key order, so no sort), currencies apart.
    ///
    /// # Errors
    /// On a database failure or a total too large to add up.
    pub(crate) fn account_usage(&self) -> Result<Vec<DailyUsage>, StoreError> {
        let sql = format!(
            "SELECT provider, {ORGANIZATION}, day, min(upper(currency)), max(upper(currency)),
                    sum(cost_nanos), organization_id, grain, organization_name
             FROM usage_project_counted
             GROUP BY day, provider, organization_id, grain, organization_name"
        );
        let mut accounts = Groups::<4>::new();
        let mut stmt = self.conn().prepare_cached(&sql)?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next().map_err(overflow)? {
            let text = |i| r.get_ref(i)?.as_str().map_err(rusqlite::Error::from);
            let (provider, account, day) = (text(0)?, text(1)?, text(2)?);
            let (lowest, highest) = (text(3)?, text(4)?);
            if lowest == highest {
                accounts.add([provider, account, day, lowest], r.get(5)?)?;
                continue;
            }
            // Usage in more than one currency that day: each currency apart.
            let mut each = self.conn().prepare_cached(
                "SELECT upper(currency), sum(cost_nanos) FROM usage_project_counted
                 WHERE day = :day AND provider = :provider AND organization_id = :id
                   AND grain = :grain AND organization_name = :name
                 GROUP BY upper(currency)",
            )?;
            let mut sums = each.query(rusqlite::named_params! {
                ":day": day,
                ":provider": provider,
                ":id": text(6)?,
                ":grain": text(7)?,
                ":name": text(8)?,
            })?;
            while let Some(c) = sums.next().map_err(overflow)? {
                let currency = c.get_ref(0)?.as_str().map_err(rusqlite::Error::from)?;
                accounts.add([provider, account, day, currency], c.get(1)?)?;
            }
        }
        accounts
            .sorted()?
            .into_iter()
            .map(account_day)
            .collect::<Result<_, rusqlite::Error>>()
            .map_err(StoreError::from)
    }

    /// Usage cost per project (name, else id; empty outside projects) and day, sorted by
    /// provider, project, day and currency.
    ///
    /// # Errors
    /// On a database failure or a total too large to add up.
    pub fn daily_project_usage(&self) -> Result<Vec<ProjectDay>, StoreError> {
        Ok(ProjectUsage::to_days(&self.daily_usage()?.1))
    }

    /// Usage cost per account and day (sorted by provider, account, day and currency), and per
    /// project and day (one series per provider, project and currency, sorted by them).
    ///
    /// A ledger of ten million usage records holds over a million project-days, and reading
    /// them is most of what `flags` and the review cost. So the days are read in spans
    /// ([`Store::usage_spans`]), by this connection and, for a ledger on disk, by a second
    /// one on another thread, each taking the next span when done; the spans' sums are then
    /// put together in day order. Both read in one read transaction each, and a span read by
    /// the second connection counts only if it saw the ledger at the same revision as this
    /// one (an import may commit in between): otherwise this connection reads it again.
    ///
    /// # Errors
    /// On a database failure or a total too large to add up.
    pub fn daily_usage(&self) -> Result<(Vec<DailyUsage>, Vec<ProjectUsage>), StoreError> {
        Ok(self.daily_usage_and(|_| Ok(()))?.0)
    }

    /// [`Store::daily_usage`], and what `also` reads on this connection, in the same read
    /// transaction, before it joins in reading the spans.
    fn daily_usage_and<T>(
        &self,
        also: impl FnOnce(&Self) -> Result<T, StoreError>,
    ) -> Result<(Usage, T), StoreError> {
        // A transaction the caller has open may hold changes a second connection cannot see.
        let apart = self.conn().is_autocommit();
        self.read_together(|store| store.usage_in_spans(apart, also))
    }

    /// [`Store::daily_usage_and`] inside its read transaction; `apart`: whether a second
    /// connection may help (no transaction of the caller's was open).
    fn usage_in_spans<T>(
        &self,
        apart: bool,
        also: impl FnOnce(&Self) -> Result<T, StoreError>,
    ) -> Result<(Usage, T), StoreError> {
        let revision = self.revision()?;
        let spans = self.usage_spans()?;
        let next = AtomicUsize::new(0);
        let read = |store: &Self| -> Result<Vec<(usize, UsageSpan)>, StoreError> {
            let mut done = Vec::new();
            while let Some((index, (from, to))) = {
                let index = next.fetch_add(1, Ordering::Relaxed);
                spans.get(index).map(|span| (index, span))
            } {
                done.push((index, store.usage_span(from, to)?));
            }
            Ok(done)
        };
        let read = &read;
        let (extra, parts, theirs) = std::thread::scope(|scope| {
            let helper = apart && spans.len() > 1;
            let helper = helper.then(|| self.sibling()).flatten().and_then(|side| {
                std::thread::Builder::new()
                    .name("usage reader".to_string())
                    .spawn_scoped(scope, move || {
                        let _tx = side.conn().unchecked_transaction().ok()?;
                        let seen = side.revision().ok()?;
                        (seen == revision).then(|| read(&side).ok()).flatten()
                    })
                    .ok()
            });
            // On a failure the answer is an error: the spans left are not read by either side.
            let stop = || next.store(spans.len(), Ordering::Relaxed);
            let extra = also(self);
            if extra.is_err() {
                stop();
            }
            let mine = read(self);
            if mine.is_err() {
                stop();
            }
            let theirs = helper.and_then(|h| h.join().ok().flatten());
            (extra, mine, theirs)
        });
        let extra = extra?;
        let mut parts = parts?;
        parts.extend(theirs.unwrap_or_default());
        // Spans the second connection could not read (or saw at another revision).
        let mut read_here = vec![false; spans.len()];
        for (index, _) in &parts {
            if let Some(seen) = read_here.get_mut(*index) {
                *seen = true;
            }
        }
        for (index, ((from, to), seen)) in spans.iter().zip(read_here).enumerate() {
            if !seen {
                parts.push((index, self.usage_span(from, to)?));
            }
        }
        parts.sort_unstable_by_key(|(index, _)| *index);
        Ok((merge_spans(parts.into_iter().map(|(_, span)| span))?, extra))
    }

    /// The spans of days [`Store::daily_usage`] reads one at a time: `[from, to)` as stored
    /// text, together covering every day text (the first starts at the empty text, the last
    /// ends past the last day), split by date into [`USAGE_SPANS`] spans of about equal length.
    fn usage_spans(&self) -> Result<Vec<(String, String)>, StoreError> {
        // Two subqueries: SQLite finds a lone `min` or `max` at an end of the key, but scans
        // every row for the two in one query.
        let (first, last): (Option<String>, Option<String>) = self.conn().query_row(
            "SELECT (SELECT min(day) FROM usage_project_daily),
                    (SELECT max(day) FROM usage_project_daily)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let (Some(first), Some(last)) = (first, last) else {
            return Ok(Vec::new());
        };
        let end = format!("{last}\u{7f}");
        let mut bounds = vec![String::new()];
        if let (Ok(a), Ok(b)) = (parse_day(&first), parse_day(&last)) {
            let days = (b - a).num_days();
            for part in 1..USAGE_SPANS {
                let bound =
                    a + chrono::Days::new(u64::try_from(days * part / USAGE_SPANS).unwrap_or(0));
                let bound = bound.format("%Y-%m-%d").to_string();
                if bounds.last().is_some_and(|b| *b < bound) && bound <= last {
                    bounds.push(bound);
                }
            }
        }
        bounds.push(end);
        Ok(bounds
            .windows(2)
            .filter_map(|w| Some((w.first()?.clone(), w.get(1)?.clone())))
            .collect())
    }

    /// Usage per account and per project of the days from `from` (included) to `to` (left
    /// out), as stored text, in one pass over the daily sums.
    fn usage_span(&self, from: &str, to: &str) -> Result<UsageSpan, StoreError> {
        // The daily sums come by day (their key's order): a day's text is read once per day.
        // The currency is upper-cased here, not by SQLite's `upper`, whose result SQLite
        // allocates under a lock all connections share: the second connection would wait on it.
        let sql = format!(
            "SELECT provider, {ORGANIZATION}, {PROJECT}, day, currency, cost_nanos
             FROM usage_project_counted WHERE day >= :from AND day < :to ORDER BY day"
        );
        let mut accounts = Groups::<4>::new();
        let mut projects = ProjectSums::default();
        let mut day: Option<(String, NaiveDate)> = None;
        let mut upper = String::new();
        let mut stmt = self.conn().prepare_cached(&sql)?;
        let mut rows = stmt.query(rusqlite::named_params! {":from": from, ":to": to})?;
        while let Some(r) = rows.next()? {
            let text = |i| r.get_ref(i)?.as_str().map_err(rusqlite::Error::from);
            let (provider, day_text) = (text(0)?, text(3)?);
            let currency = ascii_upper(text(4)?, &mut upper);
            let cost: i64 = r.get(5)?;
            accounts.add([provider, text(1)?, day_text, currency], cost)?;
            let parsed = match &day {
                Some((last, parsed)) if last == day_text => *parsed,
                _ => {
                    let parsed = parse_day(day_text)?;
                    day = Some((day_text.to_string(), parsed));
                    parsed
                }
            };
            let currency = Currency::parse_stored(currency);
            projects.add(
                provider,
                text(2)?,
                currency,
                parsed,
                Amount::from_nanos(cost),
            )?;
        }
        Ok(UsageSpan {
            accounts: accounts.sorted()?,
            projects: projects.finish()?,
        })
    }

    /// The organizations usage exports name, with their ids and names.
    ///
    /// # Errors
    /// On a database failure.
    pub fn organization_aliases(&self) -> Result<Vec<OrgAlias>, StoreError> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT DISTINCT provider, organization_id, organization_name FROM usage_dimensions
             WHERE organization_id != '' OR organization_name != '' ORDER BY 1, 2, 3",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(OrgAlias {
                provider: r.get(0)?,
                id: r.get(1)?,
                name: r.get(2)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The stored budgets as the detectors read them.
    ///
    /// # Errors
    /// On a database failure or a damaged budget setting.
    pub fn budgets(&self) -> Result<Vec<Budget>, StoreError> {
        self.budget_settings()?
            .into_iter()
            .map(|b| {
                let monthly = Amount::parse(&b.monthly, DecimalMark::Dot).map_err(|e| {
                    StoreError::Invalid(format!("the budget for {} is damaged: {e}", b.name))
                })?;
                Ok(Budget {
                    scope: b.scope,
                    name: b.name,
                    monthly,
                    currency: b.currency,
                })
            })
            .collect()
    }

    /// The stored budgets as written.
    ///
    /// # Errors
    /// On a database failure or a damaged budget setting.
    pub fn budget_settings(&self) -> Result<Vec<BudgetSetting>, StoreError> {
        let Some(json) = self.setting(BUDGETS_KEY)? else {
            return Ok(Vec::new());
        };
        serde_json::from_str(&json)
            .map_err(|e| StoreError::Invalid(format!("the stored budgets are damaged: {e}")))
    }

    /// Replaces the stored budgets.
    ///
    /// # Errors
    /// On a database failure or an amount that is not a number.
    pub fn set_budget_settings(&self, budgets: &[BudgetSetting]) -> Result<(), StoreError> {
        for b in budgets {
            Amount::parse(&b.monthly, DecimalMark::Dot).map_err(|e| {
                StoreError::Invalid(format!("the budget for {} is not an amount: {e}", b.name))
            })?;
        }
        let json =
            serde_json::to_string(budgets).map_err(|e| StoreError::Invalid(e.to_string()))?;
        self.set_setting(BUDGETS_KEY, &json)
    }

    /// The detector thresholds: the stored ones, missing fields at their defaults.
    ///
    /// # Errors
    /// On a database failure or damaged stored thresholds.
    pub fn flag_params(&self) -> Result<FlagParams, StoreError> {
        let Some(json) = self.setting(PARAMS_KEY)? else {
            return Ok(FlagParams::default());
        };
        serde_json::from_str(&json).map_err(|e| {
            StoreError::Invalid(format!("the stored flag thresholds are damaged: {e}"))
        })
    }

    /// Stores the detector thresholds, each checked against its range first.
    ///
    /// # Errors
    /// On a database failure, or a threshold out of its range (nothing is stored).
    pub fn set_flag_params(&self, params: &FlagParams) -> Result<(), StoreError> {
        params
            .validate()
            .map_err(|e| StoreError::Invalid(e.to_string()))?;
        let json = serde_json::to_string(params).map_err(|e| StoreError::Invalid(e.to_string()))?;
        self.set_setting(PARAMS_KEY, &json)
    }

    /// The flags the user dismissed, by id.
    ///
    /// # Errors
    /// On a database failure.
    pub fn dismissed_flags(&self) -> Result<Vec<DismissedFlag>, StoreError> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT flag_id, note, dismissed_at FROM dismissed_flags ORDER BY flag_id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(DismissedFlag {
                flag_id: r.get(0)?,
                note: r.get(1)?,
                dismissed_at: r.get(2)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Dismisses a flag with a note (dismissing it again replaces the note).
    ///
    /// # Errors
    /// On a database failure or an empty id.
    pub fn dismiss_flag(&self, flag_id: &str, note: &str, now: &str) -> Result<(), StoreError> {
        if flag_id.trim().is_empty() {
            return Err(StoreError::Invalid(
                "a flag id is needed to dismiss a flag".into(),
            ));
        }
        self.conn().execute(
            "INSERT INTO dismissed_flags(flag_id, note, dismissed_at) VALUES (?1, ?2, ?3)
             ON CONFLICT(flag_id) DO UPDATE SET note = excluded.note, dismissed_at = excluded.dismissed_at",
            params![flag_id.trim(), note, now],
        )?;
        Self::bump_revision(self.conn())
    }
}

/// An auto-recharge as stored in the settings: `{"provider": "openai", "account": "Acme",
/// "threshold": "10.00", "amount": "20.00", "monthly_cap": "100.00"}`, amounts as exact decimal
/// text; `account` empty for the provider's only account, `monthly_cap` absent for no cap.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct StoredRecharge {
    provider: String,
    #[serde(default)]
    account: String,
    threshold: String,
    amount: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    monthly_cap: Option<String>,
}

impl StoredRecharge {
    fn from_domain(r: &AutoRecharge) -> Self {
        Self {
            provider: r.account.provider.clone(),
            account: r.account.organization.clone(),
            threshold: r.threshold.to_string(),
            amount: r.amount.to_string(),
            monthly_cap: r.monthly_cap.map(|c| c.to_string()),
        }
    }

    fn to_domain(&self) -> Result<AutoRecharge, StoreError> {
        let amount = |text: &str| {
            Amount::parse(text, DecimalMark::Dot).map_err(|e| {
                StoreError::Invalid(format!(
                    "the stored auto-recharge for {} is damaged: {e}",
                    self.provider
                ))
            })
        };
        Ok(AutoRecharge {
            account: AccountKey::new(&self.provider, &self.account),
            threshold: amount(&self.threshold)?,
            amount: amount(&self.amount)?,
            monthly_cap: self.monthly_cap.as_deref().map(amount).transpose()?,
        })
    }
}

fn same_account(a: &AccountKey, b: &AccountKey) -> bool {
    a.provider.eq_ignore_ascii_case(&b.provider)
        && a.organization
            .trim()
            .eq_ignore_ascii_case(b.organization.trim())
}

impl Store {
    /// The auto-recharge settings, one per account, in the order they were saved. Accounts are
    /// as the user named them; `Snapshot::auto_recharge_for` resolves them.
    ///
    /// # Errors
    /// On a database failure or a damaged stored setting.
    pub fn auto_recharges(&self) -> Result<Vec<AutoRecharge>, StoreError> {
        let Some(json) = self.setting(RECHARGES_KEY)? else {
            return Ok(Vec::new());
        };
        let stored: Vec<StoredRecharge> = serde_json::from_str(&json).map_err(|e| {
            StoreError::Invalid(format!(
                "the stored auto-recharge settings are damaged: {e}"
            ))
        })?;
        stored.iter().map(StoredRecharge::to_domain).collect()
    }

    /// Saves the auto-recharge of one account, replacing the one saved for the same provider
    /// and organization (any case).
    ///
    /// # Errors
    /// On a database failure, a damaged stored setting, an empty provider, or settings that
    /// cannot work (see [`AutoRecharge::validate`]).
    pub fn save_auto_recharge(&self, setting: &AutoRecharge) -> Result<(), StoreError> {
        if setting.account.provider.trim().is_empty() {
            return Err(StoreError::Invalid(
                "an auto-recharge needs a provider".to_string(),
            ));
        }
        setting
            .validate()
            .map_err(|e| StoreError::Invalid(e.to_string()))?;
        let mut all = self.auto_recharges()?;
        match all
            .iter_mut()
            .find(|r| same_account(&r.account, &setting.account))
        {
            Some(existing) => *existing = setting.clone(),
            None => all.push(setting.clone()),
        }
        self.store_auto_recharges(&all)
    }

    /// Removes the auto-recharge saved for an account; returns whether there was one.
    ///
    /// # Errors
    /// On a database failure or a damaged stored setting.
    pub fn remove_auto_recharge(&self, account: &AccountKey) -> Result<bool, StoreError> {
        let mut all = self.auto_recharges()?;
        let before = all.len();
        all.retain(|r| !same_account(&r.account, account));
        if all.len() == before {
            return Ok(false);
        }
        self.store_auto_recharges(&all)?;
        Ok(true)
    }

    fn store_auto_recharges(&self, all: &[AutoRecharge]) -> Result<(), StoreError> {
        let stored: Vec<StoredRecharge> = all.iter().map(StoredRecharge::from_domain).collect();
        let json =
            serde_json::to_string(&stored).map_err(|e| StoreError::Invalid(e.to_string()))?;
        self.set_setting(RECHARGES_KEY, &json)
    }

    /// Saves one monthly budget, replacing the one for the same scope and name (any case).
    ///
    /// # Errors
    /// On a database failure, a damaged stored setting, an empty name, or an amount that is not
    /// a number above zero.
    pub fn save_budget(&self, budget: &BudgetSetting) -> Result<(), StoreError> {
        if budget.name.trim().is_empty() {
            return Err(StoreError::Invalid(
                "a budget needs a project or provider name".to_string(),
            ));
        }
        let monthly = Amount::parse(&budget.monthly, DecimalMark::Dot).map_err(|e| {
            StoreError::Invalid(format!(
                "the budget for {} is not an amount: {e}",
                budget.name
            ))
        })?;
        if monthly <= Amount::ZERO {
            return Err(StoreError::Invalid(format!(
                "a monthly budget must be above zero (the budget for {} is {monthly})",
                budget.name
            )));
        }
        let mut all = self.budget_settings()?;
        match all.iter_mut().find(|b| {
            b.scope == budget.scope && b.name.trim().eq_ignore_ascii_case(budget.name.trim())
        }) {
            Some(existing) => *existing = budget.clone(),
            None => all.push(budget.clone()),
        }
        self.set_budget_settings(&all)
    }

    /// Removes the budget of a project or provider; returns whether there was one.
    ///
    /// # Errors
    /// On a database failure or a damaged stored setting.
    pub fn remove_budget(&self, scope: BudgetScope, name: &str) -> Result<bool, StoreError> {
        let mut all = self.budget_settings()?;
        let before = all.len();
        all.retain(|b| !(b.scope == scope && b.name.trim().eq_ignore_ascii_case(name.trim())));
        if all.len() == before {
            return Ok(false);
        }
        self.set_budget_settings(&all)?;
        Ok(true)
    }

    /// Sets one detector threshold by name (a [`FlagParams`] field) from text; returns the
    /// thresholds now in force.
    ///
    /// # Errors
    /// On a database failure, damaged stored thresholds, an unknown name or a value out of the
    /// threshold's range.
    pub fn set_flag_param(&self, name: &str, value: &str) -> Result<FlagParams, StoreError> {
        let mut params = self.flag_params()?;
        params
            .set(name, value)
            .map_err(|e| StoreError::Invalid(e.to_string()))?;
        self.set_flag_params(&params)?;
        Ok(params)
    }
}

/// How many spans of days [`Store::daily_usage`] reads the daily sums in: enough for two
/// connections to finish close together, few enough that each span's series are few to merge.
const USAGE_SPANS: i64 = 16;

/// Usage per account and day, and per project.
type Usage = (Vec<DailyUsage>, Vec<ProjectUsage>);

/// The usage of one span of days: per account (provider, account, day, currency) and per
/// project.
struct UsageSpan {
    accounts: Vec<([String; 4], i64)>,
    projects: Vec<ProjectUsage>,
}

/// The spans' usage as one: `spans` in day order, so each series' days stay ascending.
fn merge_spans(spans: impl IntoIterator<Item = UsageSpan>) -> Result<Usage, StoreError> {
    let mut accounts = Vec::new();
    let mut projects: BTreeMap<(String, String, Currency), Vec<(NaiveDate, Amount)>> =
        BTreeMap::new();
    for span in spans {
        accounts.extend(span.accounts);
        for series in span.projects {
            projects
                .entry((series.provider, series.project, series.currency))
                .or_default()
                .extend(series.days);
        }
    }
    // Each day is in one span: no group is in two.
    accounts.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    let usage = accounts
        .into_iter()
        .map(account_day)
        .collect::<Result<_, rusqlite::Error>>()?;
    let projects = projects
        .into_iter()
        .map(|((provider, project, currency), days)| ProjectUsage {
            provider,
            project,
            currency,
            days,
        })
        .collect();
    Ok((usage, projects))
}

/// Project-days gathered into one series per provider, project and currency, names held once
/// per series (a large ledger has a row per project and day).
#[derive(Default)]
struct ProjectSums {
    index: HashMap<Vec<u8>, usize, BuildHasherDefault<FxHasher>>,
    /// The key of the row being added: provider, project and currency, `0`-separated.
    key: Vec<u8>,
    series: Vec<ProjectUsage>,
    /// Whether a day came before one already added (never with the daily sums' order).
    unsorted: bool,
}

impl ProjectSums {
    fn add(
        &mut self,
        provider: &str,
        project: &str,
        currency: Currency,
        day: NaiveDate,
        cost: Amount,
    ) -> Result<(), StoreError> {
        self.key.clear();
        self.key.extend_from_slice(provider.as_bytes());
        self.key.push(0);
        self.key.extend_from_slice(project.as_bytes());
        self.key.push(0);
        self.key.extend_from_slice(currency.as_str().as_bytes());
        let at = if let Some(&at) = self.index.get(self.key.as_slice()) {
            at
        } else {
            self.series.push(ProjectUsage {
                provider: provider.to_string(),
                project: project.to_string(),
                currency,
                days: Vec::new(),
            });
            let at = self.series.len() - 1;
            self.index.insert(self.key.clone(), at);
            at
        };
        let Some(series) = self.series.get_mut(at) else {
            return Ok(());
        };
        match series.days.last_mut() {
            Some((last, sum)) if *last == day => {
                *sum = sum.checked_add(cost).ok_or(StoreError::Overflow)?;
            }
            Some((last, _)) if *last > day => {
                self.unsorted = true;
                series.days.push((day, cost));
            }
            _ => series.days.push((day, cost)),
        }
        Ok(())
    }

    /// The series sorted by provider, project and currency, each by day.
    fn finish(mut self) -> Result<Vec<ProjectUsage>, StoreError> {
        if self.unsorted {
            for series in &mut self.series {
                series.days.sort_by_key(|(day, _)| *day);
                let mut merged: Vec<(NaiveDate, Amount)> = Vec::with_capacity(series.days.len());
                for (day, cost) in series.days.drain(..) {
                    match merged.last_mut() {
                        Some((last, sum)) if *last == day => {
                            *sum = sum.checked_add(cost).ok_or(StoreError::Overflow)?;
                        }
                        _ => merged.push((day, cost)),
                    }
                }
                series.days = merged;
            }
        }
        self.series.sort_by(|a, b| {
            (&a.provider, &a.project, a.currency).cmp(&(&b.provider, &b.project, b.currency))
        });
        Ok(self.series)
    }
}

/// One account's usage of a day, from its summed group: provider, account, day and currency.
fn account_day(
    ([provider, account, day, currency], cost): ([String; 4], i64),
) -> Result<DailyUsage, rusqlite::Error> {
    Ok(DailyUsage {
        account: AccountKey::new(&provider, &account),
        day: parse_day(&day)?,
        currency: Currency::parse_stored(&currency),
        cost: Amount::from_nanos(cost),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dismissals_budgets_and_params_round_trip() {
        let store = Store::open_in_memory().unwrap();
        assert!(store.dismissed_flags().unwrap().is_empty());
        store
            .dismiss_flag("abc", "known", "2026-03-01T00:00:00Z")
            .unwrap();
        store
            .dismiss_flag("abc", "still known", "2026-03-02T00:00:00Z")
            .unwrap();
        let d = store.dismissed_flags().unwrap();
        assert_eq!((d.len(), d[0].note.as_str()), (1, "still known"));
        store
            .set_budget_settings(&[BudgetSetting {
                scope: BudgetScope::Project,
                name: "Web app".into(),
                monthly: "100.00".into(),
                currency: Currency::USD,
            }])
            .unwrap();
        let b = store.budgets().unwrap();
        assert_eq!(
            (b[0].monthly.nanos(), b[0].currency.as_str()),
            (100_000_000_000, "USD")
        );
        assert_eq!(store.flag_params().unwrap(), FlagParams::default());
        store
            .set_setting(PARAMS_KEY, r#"{"hold_age_days": 3}"#)
            .unwrap();
        assert_eq!(store.flag_params().unwrap().hold_age_days, 3);
        let inputs = store.snapshot().unwrap();
        assert!(inputs.bank.is_empty() && inputs.usage.is_empty());
    }

    #[test]
    fn match_decisions_round_trip_and_replace() {
        let store = Store::open_in_memory().unwrap();
        assert!(store.match_decisions().unwrap().is_empty());
        store
            .decide_match(
                "billing:3",
                "bank:12",
                Decision::Unlinked,
                "2026-03-01T00:00:00Z",
            )
            .unwrap();
        store
            .decide_match(
                " billing:3",
                "bank:12 ",
                Decision::Confirmed,
                "2026-03-02T00:00:00Z",
            )
            .unwrap();
        store
            .decide_match(
                "bank:5",
                "bank:9",
                Decision::Unlinked,
                "2026-03-03T00:00:00Z",
            )
            .unwrap();
        let data = store.snapshot().unwrap();
        assert_eq!(
            data.decisions,
            vec![
                MatchDecision {
                    left: "billing:3".into(),
                    right: "bank:12".into(),
                    decision: Decision::Confirmed,
                },
                MatchDecision {
                    left: "bank:5".into(),
                    right: "bank:9".into(),
                    decision: Decision::Unlinked,
                },
            ]
        );
        assert!(data.rates.is_empty() && data.refs.is_empty());
        assert!(
            store
                .evidence_records(&["billing:3".into(), "usage:2026-03-01:x".into()])
                .unwrap()
                .is_empty()
        );
    }

    /// The balance's usage summed by SQLite equals the usage judgement sums row by row: two
    /// currencies on one day (one written in lower case), an organization named on some rows
    /// only, a total dropped on a day with detail and kept on a day without.
    #[test]
    fn usage_per_account_summed_by_sqlite_equals_the_sums_row_by_row() {
        let store = Store::open_in_memory().unwrap();
        // (day, organization id, grain, organization name, project, currency, cost)
        let rows = [
            ("2026-10-01", "org-a", "detail", "Acme", "Web", "usd", 100),
            ("2026-10-01", "org-a", "detail", "Acme", "Batch", "USD", 20),
            ("2026-10-01", "org-a", "detail", "Acme", "Web", "EUR", 7),
            ("2026-10-01", "org-a", "total", "Acme", "", "USD", 999),
            ("2026-10-01", "org-a", "detail", "", "Web", "USD", 3),
            ("2026-10-02", "org-a", "total", "Acme", "", "USD", 50),
            ("2026-10-02", "org-b", "detail", "", "Web", "usd", 5),
            ("2026-10-03", "org-b", "detail", "", "Web", "EUR", 1),
            ("2026-10-03", "org-b", "detail", "", "Web", "GBP", 2),
        ];
        for (day, id, grain, name, project, currency, cost) in rows {
            store
                .conn()
                .execute(
                    "INSERT INTO usage_project_daily(day, provider, organization_id, grain,
                         organization_name, project_id, project_name, currency, records,
                         cost_records, cost_nanos, tokens)
                     VALUES (?1, 'openai', ?2, ?3, ?4, ?5, '', ?6, 1, 1, ?7, 0)",
                    params![day, id, grain, name, project, currency, cost],
                )
                .unwrap();
        }
        let by_sqlite = store.account_usage().unwrap();
        assert_eq!(by_sqlite, store.daily_usage().unwrap().0);
        let seen: Vec<(String, String, String, i64)> = by_sqlite
            .iter()
            .map(|u| {
                (
                    u.account.organization.clone(),
                    u.day.to_string(),
                    u.currency.as_str().to_string(),
                    u.cost.nanos(),
                )
            })
            .collect();
        let row = |org: &str, day: &str, cur: &str, nanos: i64| {
            (org.to_string(), day.to_string(), cur.to_string(), nanos)
        };
        assert_eq!(
            seen,
            vec![
                row("Acme", "2026-10-01", "EUR", 7),
                row("Acme", "2026-10-01", "USD", 120),
                row("Acme", "2026-10-02", "USD", 50),
                row("org-a", "2026-10-01", "USD", 3),
                row("org-b", "2026-10-02", "USD", 5),
                row("org-b", "2026-10-03", "EUR", 1),
                row("org-b", "2026-10-03", "GBP", 2),
            ]
        );
        let web: Vec<(String, String, i64)> = store
            .daily_project_usage()
            .unwrap()
            .into_iter()
            .filter(|p| p.project == "Web")
            .map(|p| {
                (
                    p.day.to_string(),
                    p.currency.as_str().to_string(),
                    p.cost.nanos(),
                )
            })
            .collect();
        let day = |day: &str, cur: &str, nanos: i64| (day.to_string(), cur.to_string(), nanos);
        assert_eq!(
            web,
            vec![
                day("2026-10-01", "EUR", 7),
                day("2026-10-01", "USD", 103),
                day("2026-10-02", "USD", 5),
                day("2026-10-03", "EUR", 1),
                day("2026-10-03", "GBP", 2),
            ]
        );
    }

    #[test]
    fn midnight_is_no_time_of_day() {
        assert_eq!(time_of_day(Some("2026-03-05T00:00:00")), None);
        assert_eq!(
            time_of_day(Some("2026-03-05T10:07:00")),
            NaiveTime::from_hms_opt(10, 7, 0)
        );
        assert_eq!(time_of_day(None), None);
    }

    /// Awkward daily sums over two months: two currencies on a day (one in lower case, one in
    /// mixed case), two organizations, a total dropped on days with detail and kept on days
    /// without, a project named by its name on some rows and by its id on others, a second
    /// provider, and days on both sides of every span boundary.
    fn awkward_usage(store: &Store) {
        let first = NaiveDate::from_ymd_opt(2026, 9, 1).unwrap();
        for d in 0..61i64 {
            let day = (first + chrono::Days::new(d.unsigned_abs())).to_string();
            // (provider, organization id, grain, organization name, project id, project name,
            // model, currency, cost)
            let mut rows = vec![
                (
                    "openai",
                    "org-a",
                    "detail",
                    "Acme",
                    "proj_1",
                    "Web",
                    "gpt-4o",
                    "usd",
                    d * 7 + 1,
                ),
                (
                    "openai",
                    "org-a",
                    "detail",
                    "Acme",
                    "Web",
                    "",
                    "gpt-4o-mini",
                    "USD",
                    20,
                ),
            ];
            let batch_currency = if d % 3 == 0 { "EUR" } else { "USD" };
            rows.push((
                "openai",
                "org-a",
                "detail",
                "Acme",
                "Batch",
                "",
                "gpt-4o",
                batch_currency,
                d,
            ));
            if d % 5 == 0 {
                rows.push(("openai", "org-a", "total", "Acme", "", "", "", "USD", 999));
            }
            if d % 4 == 0 {
                rows.push(("openai", "org-b", "total", "", "", "", "", "usd", 50));
            }
            if d % 4 == 1 {
                rows.push((
                    "openai", "org-b", "detail", "", "proj_2", "Web", "gpt-4o", "Usd", 5,
                ));
                rows.push(("openai", "org-b", "total", "", "", "", "", "USD", 777));
            }
            if d % 2 == 1 {
                rows.push(("anthropic", "", "detail", "", "Web", "", "claude", "USD", 3));
            }
            for (provider, id, grain, name, project_id, project_name, model, currency, cost) in rows
            {
                for (table, model) in [("usage_project_daily", None), ("usage_daily", Some(model))]
                {
                    let (columns, value) = match model {
                        None => ("", ""),
                        Some(_) => (", model", ", :model"),
                    };
                    let sql = format!(
                        "INSERT INTO {table}(day, provider, organization_id, grain,
                             organization_name, project_id, project_name, currency, records,
                             cost_records, cost_nanos, tokens{columns})
                         VALUES (:day, :provider, :id, :grain, :name, :project_id, :project_name,
                             :currency, 1, 1, :cost, 0{value})
                         ON CONFLICT DO UPDATE SET cost_nanos = cost_nanos + excluded.cost_nanos"
                    );
                    let mut stmt = store.conn().prepare(&sql).unwrap();
                    let mut params = rusqlite::named_params! {
                        ":day": day, ":provider": provider, ":id": id, ":grain": grain,
                        ":name": name, ":project_id": project_id, ":project_name": project_name,
                        ":currency": currency, ":cost": cost,
                    }
                    .to_vec();
                    if let Some(model) = &model {
                        params.push((":model", model as &dyn rusqlite::ToSql));
                    }
                    stmt.execute(params.as_slice()).unwrap();
                }
            }
        }
    }

    /// Usage per project gathered row by row from the daily sums, as the detectors read it.
    fn project_usage_row_by_row(store: &Store) -> Vec<ProjectUsage> {
        let sql = format!(
            "SELECT provider, {PROJECT}, day, upper(currency), cost_nanos FROM usage_project_counted"
        );
        let mut stmt = store.conn().prepare(&sql).unwrap();
        let rows: Vec<ProjectDay> = stmt
            .query_map([], |r| {
                Ok(ProjectDay {
                    provider: r.get(0)?,
                    project: r.get(1)?,
                    day: parse_day(&r.get::<_, String>(2)?)?,
                    currency: Currency::parse_stored(&r.get::<_, String>(3)?),
                    cost: Amount::from_nanos(r.get(4)?),
                })
            })
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        ProjectUsage::from_days(rows)
    }

    /// Usage read in spans of days, by two connections when the ledger is a file, equals the
    /// sums SQLite makes per account and the project-days gathered row by row; the review's
    /// month, summed a day at a time, equals SQLite's `GROUP BY`.
    #[test]
    fn usage_read_in_spans_equals_the_sums_row_by_row() {
        let dir = tempfile::tempdir().unwrap();
        let on_disk = Store::open(&dir.path().join("ledger.sqlite")).unwrap();
        let in_memory = Store::open_in_memory().unwrap();
        for store in [&on_disk, &in_memory] {
            awkward_usage(store);
            assert!(store.usage_spans().unwrap().len() > 1);
            let (accounts, projects) = store.daily_usage().unwrap();
            assert_eq!(accounts, store.account_usage().unwrap());
            assert_eq!(projects, project_usage_row_by_row(store));
            let web_eur = projects
                .iter()
                .find(|p| p.provider == "openai" && p.project == "Batch" && p.currency == "EUR")
                .unwrap();
            assert_eq!(web_eur.days.len(), 21, "every third day of 61");
            let snapshot = store.snapshot().unwrap();
            assert_eq!(snapshot.project_usage, projects);

            let month = NaiveDate::from_ymd_opt(2026, 10, 1).unwrap();
            let sql = format!(
                "SELECT day, provider, {PROJECT}, model, upper(currency), sum(cost_nanos)
                 FROM usage_counted WHERE day BETWEEN '2026-09-01' AND '2026-10-31'
                 GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5"
            );
            let mut stmt = store.conn().prepare(&sql).unwrap();
            let by_sqlite: Vec<(String, String, String, String, String, i64)> = stmt
                .query_map([], |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                    ))
                })
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            let review: Vec<(String, String, String, String, String, i64)> = store
                .review_usage(month)
                .unwrap()
                .into_iter()
                .map(|u| {
                    (
                        u.day.to_string(),
                        u.provider,
                        u.project,
                        u.model,
                        u.currency.as_str().to_string(),
                        u.cost.nanos(),
                    )
                })
                .collect();
            assert_eq!(review, by_sqlite);
            assert!(review.iter().any(|u| u.4 == "EUR") && review.len() > 200);
        }
    }
}

/// The auto-recharge, budget and threshold savers, as the settings command and screen use them.
#[cfg(test)]
mod settings_tests {
    use super::*;

    #[test]
    fn stored_times_read_quickly_as_chrono_reads_them() {
        for text in [
            "2026-10-01T09:30:05",
            "2026-10-01 23:59:59",
            "2026-10-01T00:00:00",
            "2026-02-30T10:00:00",
            "2026-10-01T24:00:00",
            "2026-10-01T9:30:05",
            "2026-10-01X09:30:05",
            "2026-10-01T09:30:05Z",
            "2026-10-01",
            "2026-10-01T09-30-05",
        ] {
            let chrono = NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S")
                .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S"))
                .ok()
                .map(|t| t.time());
            if let Some(quick) = plain_time(text) {
                assert_eq!(Some(quick), chrono, "{text}");
            }
            let expected = chrono.filter(|t| *t != NaiveTime::MIN);
            assert_eq!(time_of_day(Some(text)), expected, "{text}");
        }
    }

    fn usd(text: &str) -> Amount {
        Amount::parse(text, DecimalMark::Dot).unwrap()
    }

    fn recharge(org: &str, threshold: &str, cap: Option<&str>) -> AutoRecharge {
        AutoRecharge {
            account: AccountKey::new("openai", org),
            threshold: usd(threshold),
            amount: usd("20"),
            monthly_cap: cap.map(usd),
        }
    }

    #[test]
    fn auto_recharges_round_trip_replace_and_remove() {
        let store = Store::open_in_memory().unwrap();
        assert!(store.auto_recharges().unwrap().is_empty());
        store
            .save_auto_recharge(&recharge("Acme", "10.123456789", Some("100")))
            .unwrap();
        store
            .save_auto_recharge(&recharge("Beta", "5", None))
            .unwrap();
        // The same account in another case replaces the first.
        store
            .save_auto_recharge(&recharge("ACME", "12", None))
            .unwrap();
        let all = store.auto_recharges().unwrap();
        assert_eq!(
            all,
            vec![recharge("ACME", "12", None), recharge("Beta", "5", None)]
        );
        let bad = recharge("Acme", "10", Some("5"));
        assert!(matches!(
            store.save_auto_recharge(&bad),
            Err(StoreError::Invalid(_))
        ));
        assert!(
            store
                .remove_auto_recharge(&AccountKey::new("openai", "acme"))
                .unwrap()
        );
        assert!(
            !store
                .remove_auto_recharge(&AccountKey::new("openai", "acme"))
                .unwrap()
        );
        assert_eq!(
            store.snapshot().unwrap().auto_recharges,
            vec![recharge("Beta", "5", None)]
        );
        // Exact amounts survive the JSON.
        store
            .save_auto_recharge(&recharge("Gamma", "0.000000001", None))
            .unwrap();
        assert_eq!(store.auto_recharges().unwrap()[1].threshold.nanos(), 1);
    }

    #[test]
    fn budgets_save_and_remove_one_at_a_time() {
        let store = Store::open_in_memory().unwrap();
        let budget = |name: &str, monthly: &str| BudgetSetting {
            scope: BudgetScope::Project,
            name: name.into(),
            monthly: monthly.into(),
            currency: Currency::of(*b"USD"),
        };
        store.save_budget(&budget("Web app", "100")).unwrap();
        store.save_budget(&budget("Batch", "50")).unwrap();
        store.save_budget(&budget("Web app", "120")).unwrap();
        assert!(store.save_budget(&budget("Web app", "0")).is_err());
        assert!(store.save_budget(&budget(" ", "10")).is_err());
        let names: Vec<(String, String)> = store
            .budget_settings()
            .unwrap()
            .into_iter()
            .map(|b| (b.name, b.monthly))
            .collect();
        assert_eq!(
            names,
            vec![
                ("Web app".into(), "120".into()),
                ("Batch".into(), "50".into())
            ]
        );
        assert!(!store.remove_budget(BudgetScope::Provider, "Batch").unwrap());
        assert!(store.remove_budget(BudgetScope::Project, "batch").unwrap());
        assert_eq!(store.budgets().unwrap().len(), 1);
    }

    #[test]
    fn thresholds_are_set_by_name() {
        let store = Store::open_in_memory().unwrap();
        let params = store.set_flag_param("hold_age_days", "3").unwrap();
        assert_eq!(params.hold_age_days, 3);
        assert_eq!(store.flag_params().unwrap().hold_age_days, 3);
        assert!(store.set_flag_param("hold_age_days", "-3").is_err());
        assert!(store.set_flag_param("no_such", "3").is_err());
        assert_eq!(store.flag_params().unwrap().hold_age_days, 3);
        // A whole set (the window's settings page) is held to the same ranges.
        let mut whole = store.flag_params().unwrap();
        whole.spike_factor = 0;
        let refused = store.set_flag_params(&whole).unwrap_err();
        assert!(refused.to_string().contains("spike_factor"), "{refused}");
        assert_eq!(
            store.flag_params().unwrap().spike_factor,
            FlagParams::default().spike_factor
        );
    }
}
