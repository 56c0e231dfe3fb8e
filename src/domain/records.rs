//! The three kinds of ledger records (usage, billing, bank/card lines) plus exchange rates,
//! as importers produce them and the store keeps them.
//!
//! Records are plain data: no I/O, no clock. Every record carries a `natural_key`, the text that
//! identifies it across overlapping exports (the provider's or issuer's id where one exists,
//! otherwise the row's identifying content, never its amount where the amount can be revised).
//! The store hashes the key together with the row's occurrence index inside its file, so two
//! genuinely identical purchases in one statement are both kept.

use std::fmt::Write as _;

use chrono::{NaiveDate, NaiveDateTime};

pub use super::billing_details::{BillingDetails, LineItem, SourceVia};
use super::fx::Rate;
use super::money::{Amount, Currency};

/// Whole days from `from` to `to` (negative when `to` is earlier): the one day arithmetic of
/// matching, the flags and the doctor.
pub fn days_between(from: NaiveDate, to: NaiveDate) -> i64 {
    (to - from).num_days()
}

/// One record of any kind, as produced by an importer.
#[derive(Debug, Clone, PartialEq)]
pub enum Record {
    Usage(UsageRecord),
    Billing(BillingRecord),
    Bank(BankLine),
    Rate(Rate),
    /// A balance the provider's billing page showed (a checkpoint).
    Balance(BalanceReading),
}

impl Record {
    /// The identity of the record before its occurrence index is added.
    pub fn natural_key(&self) -> String {
        match self {
            Record::Usage(u) => u.natural_key(),
            Record::Billing(b) => b.natural_key(),
            Record::Bank(b) => b.natural_key.clone(),
            Record::Rate(r) => format!("rate|{}|{}", r.day, r.currency),
            Record::Balance(b) => b.natural_key(),
        }
    }
}

/// Whether a usage row carries the finest grain the export offers, or an organisation-wide total
/// (an OpenAI cost export without grouping). Totals are never added to detailed rows of the same
/// day and organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UsageGrain {
    Detail,
    Total,
}

impl UsageGrain {
    pub fn as_str(self) -> &'static str {
        match self {
            UsageGrain::Detail => "detail",
            UsageGrain::Total => "total",
        }
    }
}

/// Usage for one UTC day and one combination of dimensions.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct UsageRecord {
    /// Which export this came from (`openai-cost`, `anthropic-tokens`, ...): cost and token rows
    /// of the same bucket are different records.
    pub source_kind: &'static str,
    pub day: Option<NaiveDate>,
    pub provider: String,
    pub organization_id: String,
    pub organization_name: String,
    pub project_id: String,
    pub project_name: String,
    pub model: String,
    /// `input`, `output`, `input_cached`, `input_cache_write_5m`, `web_search`, ...
    pub token_kind: String,
    /// The provider's own line-item text (`gpt-4o-2024-08-06, input`).
    pub line_item: String,
    pub api_key_id: String,
    pub api_key_name: String,
    pub user: String,
    /// Service tier, batch flag, context window, region, speed: dimensions of the bucket.
    pub extra_dimensions: String,
    pub tokens: Option<i64>,
    pub requests: Option<i64>,
    pub cost: Option<Amount>,
    pub currency: Currency,
    /// The cost as written in the file.
    pub cost_text: String,
    pub grain: Option<UsageGrain>,
    /// How the provider charged this usage (billed as written, inside a plan, not charged, or
    /// through the user's own key at another provider).
    pub charge: UsageCharge,
    /// Usage paid with the user's own key at the upstream provider (`OpenRouter`'s BYOK): what it
    /// cost there. Kept apart and never counted here: that provider bills it, and its own export
    /// counts it.
    pub byok_cost: Option<Amount>,
}

/// How a provider charged a usage row. Totals add `cost` whatever the charge; the charge says
/// why a cost is zero, so the ledger can say "included" instead of a bare $0.00.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum UsageCharge {
    /// Billed at the cost written (zero when the provider wrote zero).
    #[default]
    Billed,
    /// Inside the plan the user pays for (Cursor's `Included` and `Free`, GitHub's included
    /// premium requests): the tokens are kept, the cost billed is zero, never a guessed price.
    Included,
    /// A request that failed or was aborted and was not charged.
    NotCharged,
    /// Run through a router with the user's own provider key: the router bills its fee (the
    /// cost), the provider bills the inference (`byok_cost`).
    Byok,
}

impl UsageCharge {
    /// The stored text (empty for billed usage, as every row before charges were recorded).
    pub fn as_str(self) -> &'static str {
        match self {
            UsageCharge::Billed => "",
            UsageCharge::Included => "included",
            UsageCharge::NotCharged => "not_charged",
            UsageCharge::Byok => "byok",
        }
    }

    /// Reads a stored text; anything unknown is billed.
    pub fn parse_stored(text: &str) -> Self {
        match text {
            "included" => UsageCharge::Included,
            "not_charged" => UsageCharge::NotCharged,
            "byok" => UsageCharge::Byok,
            _ => UsageCharge::Billed,
        }
    }
}

impl UsageRecord {
    pub fn natural_key(&self) -> String {
        let mut key = String::with_capacity(160);
        self.write_natural_key(&mut key);
        key
    }

    /// Writes [`UsageRecord::natural_key`] into `out` (cleared first), so a large import reuses
    /// one buffer instead of allocating a key per row.
    pub fn write_natural_key(&self, out: &mut String) {
        out.clear();
        out.push_str("usage|");
        out.push_str(self.source_kind);
        out.push('|');
        if let Some(day) = self.day {
            let _ = write!(out, "{day}");
        }
        for field in [
            &self.provider,
            &self.organization_id,
            &self.project_id,
            &self.model,
            &self.token_kind,
            &self.line_item,
            &self.api_key_id,
            &self.api_key_name,
            &self.user,
            &self.extra_dimensions,
        ] {
            out.push('|');
            out.push_str(field);
        }
    }

    /// The project as reports name it: its name, its id when unnamed.
    pub fn project_label(&self) -> &str {
        if self.project_name.is_empty() {
            &self.project_id
        } else {
            &self.project_name
        }
    }
}

/// The credit balance a provider's billing page showed for an account at a moment (a `balance`
/// row of the burnrate billing CSV): it anchors the account's balance (see `domain::balance`).
#[derive(Debug, Clone, PartialEq)]
pub struct BalanceReading {
    pub at: NaiveDateTime,
    pub provider: String,
    /// Empty when the provider has one account.
    pub organization: String,
    pub amount: Amount,
    pub currency: Currency,
    pub amount_text: String,
}

impl BalanceReading {
    /// One reading per account, moment and currency: a corrected amount replaces it.
    pub fn natural_key(&self) -> String {
        format!(
            "balance|{}|{}|{}|{}",
            self.provider, self.organization, self.at, self.currency
        )
    }
}

/// What a billing record is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum BillingKind {
    CreditPurchase,
    AutoRecharge,
    FreeCredit,
    Subscription,
    Invoice,
    Refund,
}

impl BillingKind {
    pub const ALL: [BillingKind; 6] = [
        BillingKind::CreditPurchase,
        BillingKind::AutoRecharge,
        BillingKind::FreeCredit,
        BillingKind::Subscription,
        BillingKind::Invoice,
        BillingKind::Refund,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            BillingKind::CreditPurchase => "credit_purchase",
            BillingKind::AutoRecharge => "auto_recharge",
            BillingKind::FreeCredit => "free_credit",
            BillingKind::Subscription => "subscription",
            BillingKind::Invoice => "invoice",
            BillingKind::Refund => "refund",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        let t = text.trim().to_ascii_lowercase().replace([' ', '-'], "_");
        Self::ALL.into_iter().find(|k| k.as_str() == t)
    }

    /// Credit lots: what adds to a prepaid balance.
    pub fn is_credit(self) -> bool {
        matches!(
            self,
            BillingKind::CreditPurchase | BillingKind::AutoRecharge | BillingKind::FreeCredit
        )
    }
}

/// The state of a billing record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum BillingStatus {
    Paid,
    Pending,
    Failed,
    Void,
    Refunded,
}

impl BillingStatus {
    pub const ALL: [BillingStatus; 5] = [
        BillingStatus::Paid,
        BillingStatus::Pending,
        BillingStatus::Failed,
        BillingStatus::Void,
        BillingStatus::Refunded,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            BillingStatus::Paid => "paid",
            BillingStatus::Pending => "pending",
            BillingStatus::Failed => "failed",
            BillingStatus::Void => "void",
            BillingStatus::Refunded => "refunded",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        let t = text.trim().to_ascii_lowercase();
        Self::ALL.into_iter().find(|k| k.as_str() == t)
    }
}

/// A provider billing record: a credit purchase, an auto-recharge, free credits, a subscription
/// payment, an invoice or a refund.
#[derive(Debug, Clone, PartialEq)]
pub struct BillingRecord {
    pub occurred_at: NaiveDateTime,
    pub provider: String,
    /// Invoice or receipt number; empty when the source has none.
    pub number: String,
    pub kind: BillingKind,
    pub amount: Amount,
    pub currency: Currency,
    pub amount_text: String,
    pub status: BillingStatus,
    pub expires_at: Option<NaiveDateTime>,
    pub description: String,
    pub organization: String,
    pub project: String,
    /// What a receipt or invoice added (numbers, tax, credit, card, items, source).
    pub details: BillingDetails,
}

impl BillingRecord {
    pub fn natural_key(&self) -> String {
        if self.number.is_empty() {
            format!(
                "billing|{}|{}|{}|{}|{}|{}",
                self.provider,
                self.occurred_at,
                self.kind.as_str(),
                self.currency,
                self.amount.nanos(),
                self.organization
            )
        } else {
            format!(
                "billing|{}|{}|{}",
                self.provider,
                self.kind.as_str(),
                self.number
            )
        }
    }
}

/// Where a bank/card line stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum BankStatus {
    /// Pending or authorized: a hold, no money moved yet.
    Pending,
    Settled,
    /// Reversed, declined, cancelled or failed: no money moved.
    Reversed,
}

impl BankStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            BankStatus::Pending => "pending",
            BankStatus::Settled => "settled",
            BankStatus::Reversed => "reversed",
        }
    }

    pub fn parse_stored(text: &str) -> Option<Self> {
        match text {
            "pending" => Some(BankStatus::Pending),
            "settled" => Some(BankStatus::Settled),
            "reversed" => Some(BankStatus::Reversed),
            _ => None,
        }
    }

    /// Reads the status words issuers write (`COMPLETED`, `Pending`, `Cleared`, `REVERTED`,
    /// `TERMINÉ`, ...). `None` for words that say nothing about settlement.
    pub fn from_issuer(text: &str) -> Option<Self> {
        let t = text.trim().to_lowercase();
        let pending = [
            "pending",
            "authorized",
            "authorised",
            "authorization",
            "hold",
            "en attente",
            "ausstehend",
            "in progress",
            "processing",
        ];
        let settled = [
            "completed",
            "complete",
            "cleared",
            "settled",
            "posted",
            "booked",
            "paid",
            "sent",
            "terminé",
            "termine",
            "abgeschlossen",
            "done",
            "available",
        ];
        let reversed = [
            "reverted",
            "reversed",
            "declined",
            "cancelled",
            "canceled",
            "failed",
            "refunded",
            "denied",
            "voided",
            "void",
            "rejected",
            "annulé",
            "abgelehnt",
        ];
        if pending.contains(&t.as_str()) {
            Some(BankStatus::Pending)
        } else if settled.contains(&t.as_str()) {
            Some(BankStatus::Settled)
        } else if reversed.contains(&t.as_str()) {
            Some(BankStatus::Reversed)
        } else {
            None
        }
    }

    /// Later states win when the same line arrives again: a settled line is never turned back
    /// into a pending one by an older statement.
    pub fn rank(self) -> u8 {
        match self {
            BankStatus::Pending => 0,
            BankStatus::Settled | BankStatus::Reversed => 1,
        }
    }
}

/// What an AI-service bank line paid for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SpendKind {
    ApiTopup,
    Subscription,
    Other,
}

impl SpendKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SpendKind::ApiTopup => "api_topup",
            SpendKind::Subscription => "subscription",
            SpendKind::Other => "other",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text
            .trim()
            .to_ascii_lowercase()
            .replace([' ', '-'], "_")
            .as_str()
        {
            "api_topup" | "topup" | "top_up" | "api" => Some(SpendKind::ApiTopup),
            "subscription" | "sub" => Some(SpendKind::Subscription),
            "other" => Some(SpendKind::Other),
            _ => None,
        }
    }
}

/// One line of a bank, card or PayPal statement. `amount` is negative for money out, whatever
/// convention the issuer used.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BankLine {
    /// Which statement family and account (`revolut`, `chase-card:1234`, ...).
    pub account: String,
    pub started_at: Option<NaiveDateTime>,
    pub posted_at: Option<NaiveDateTime>,
    pub description: String,
    pub amount: Amount,
    pub currency: Currency,
    pub amount_text: String,
    pub original_amount: Option<Amount>,
    /// The currency of `original_amount`, when the line has a foreign side.
    pub original_currency: Option<Currency>,
    pub fee: Option<Amount>,
    pub status: Option<BankStatus>,
    /// The issuer's transaction id, when the statement has one.
    pub issuer_id: String,
    /// The issuer's link to a related line (PayPal `Reference Txn ID`).
    pub related_id: String,
    /// Set by the importer (`authorization` for PayPal holds); provider tagging fills `provider`.
    pub note: String,
    pub natural_key: String,
}

impl BankLine {
    /// The day the line belongs to: when it started, or when it was posted.
    pub fn day(&self) -> Option<NaiveDate> {
        self.started_at.or(self.posted_at).map(|t| t.date())
    }
}
