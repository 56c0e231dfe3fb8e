//! Detectors that say what went wrong with AI spending, from the three money trails (provider
//! usage, provider billing, bank and card lines) joined together.
//!
//! Every detector is a pure function `(inputs, params, as_of) -> Vec<Flag>`: no clock, no I/O,
//! and records dated after `as_of` are ignored, so a result is reproducible for a given as-of
//! date. A flag carries its evidence as record ids (`bank:12`, `billing:3`,
//! `usage:2026-03-05:Web app`) and its id is a hash of its kind, provider and evidence, so it
//! stays the same across runs and can be dismissed. Messages are one line; diagnoses walk the
//! layers of a top-up problem (payment failure, balance not yet synchronized, balance depleted,
//! usage or rate limit, billing misunderstanding), say what to check next, and never advise
//! paying again to "retry". A total too large to add up exactly is not judged (no flag) rather
//! than guessed at.
//!
//! Duplicate top-ups: two top-ups of one trail (billing or bank) are the same event when they
//! share provider, amount and currency and either both carry a time of day less than
//! `duplicate_window_minutes` apart, or neither carries a time (a statement with dates only; a
//! time of exactly midnight is read as "no time") and they fall on the same day. A timed and an
//! untimed record are never paired. The other trail's records that pay for or credit the event
//! are listed with it, so a billing double and its two card charges make one flag.
//!
//! Runaway recharges are judged per account from paid auto-recharge records: a burst of more
//! than `runaway_max_recharges` within `runaway_window_hours` that added more than usage on those
//! days could explain, or (when the user set the account's [`AutoRecharge`]) a recharge that ran
//! while the lowest balance it could have met was still above the threshold. Invoices are
//! compared with the usage of the month they bill ([`invoice_month`]) only where the usage
//! export reaches that month's end. A wrong organization is a named organization of a prepaid
//! provider with usage and no credit at all while another one held credit.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use chrono::{Datelike, Days, NaiveDate, NaiveTime, TimeDelta};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::balance::{self, AccountKey, AutoRecharge, Balance, CreditLot, DailyUsage, LotKind};
use super::matching::{self, MatchData};
use super::money::Amount;
use super::records::{BankStatus, BillingKind, BillingStatus, SpendKind};

/// What a flag is about. The names are part of the command-line contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FlagKind {
    DuplicateTopup,
    UnsettledHold,
    ChargeWithoutCredit,
    CreditWithoutCharge,
    RechargeFailed,
    BalanceDepleted,
    CreditsExpiring,
    SpendSpike,
    BudgetExceeded,
    RunawayRecharge,
    InvoiceMismatch,
    WrongOrganization,
}

impl FlagKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FlagKind::DuplicateTopup => "duplicate_topup",
            FlagKind::UnsettledHold => "unsettled_hold",
            FlagKind::ChargeWithoutCredit => "charge_without_credit",
            FlagKind::CreditWithoutCharge => "credit_without_charge",
            FlagKind::RechargeFailed => "recharge_failed",
            FlagKind::BalanceDepleted => "balance_depleted",
            FlagKind::CreditsExpiring => "credits_expiring",
            FlagKind::SpendSpike => "spend_spike",
            FlagKind::BudgetExceeded => "budget_exceeded",
            FlagKind::RunawayRecharge => "runaway_recharge",
            FlagKind::InvoiceMismatch => "invoice_mismatch",
            FlagKind::WrongOrganization => "wrong_organization",
        }
    }
}

/// How urgent a flag is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Info,
    Warning,
    Critical,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Critical => "critical",
        }
    }
}

/// One finding, with its evidence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flag {
    /// Stable across runs: a hash of kind, provider and evidence.
    pub id: String,
    pub kind: FlagKind,
    pub severity: Severity,
    pub provider: String,
    /// The day of the event: the first top-up, the day a hold started, the day the balance
    /// reached zero, the spike day, the expiry day, the day a budget was crossed.
    pub date: NaiveDate,
    /// The top-up, the hold, the remainder that expires, the day's cost, the month's spend.
    pub amount: Option<Amount>,
    pub currency: String,
    /// Set when the flag is about one project.
    pub project: Option<String>,
    /// Evidence record ids, sorted.
    pub records: Vec<String>,
    pub message: String,
    pub diagnosis: String,
}

/// The thresholds of the detectors; the defaults are the documented ones. Stored in the ledger
/// as JSON, missing fields taking their defaults.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct FlagParams {
    pub duplicate_window_minutes: i64,
    /// A pending line older than this many days is flagged.
    pub hold_age_days: i64,
    /// A settling line comes at most this many days after its hold.
    pub hold_settle_days: i64,
    /// A settling line's amount may differ from the hold by this much (tips, FX).
    pub hold_tolerance_percent: i64,
    /// Holds up to this amount are verification holds.
    pub verification_hold_max_cents: i64,
    /// Days a charge may wait for its credit (and a credit for its charge).
    pub credit_grace_days: i64,
    /// A bank line matches a billing record dated up to this many days after it...
    pub match_days_before: i64,
    /// ...or up to this many days before it.
    pub match_days_after: i64,
    pub expiring_within_days: i64,
    pub spike_factor: i64,
    pub spike_window_days: i64,
    pub spike_min_cents: i64,
    pub budget_warning_percent: i64,
    /// More than this many auto-recharges of one account within `runaway_window_hours`...
    pub runaway_max_recharges: i64,
    pub runaway_window_hours: i64,
    /// ...while usage on those days was under this share of what they added is a runaway.
    pub runaway_usage_percent: i64,
    /// A monthly invoice differing from the month's usage cost by more than this percent of
    /// the usage...
    pub invoice_tolerance_percent: i64,
    /// ...and by more than this many cents is a mismatch.
    pub invoice_tolerance_cents: i64,
    /// Usage in an organization without credits is judged from this many cents on.
    pub wrong_org_min_cents: i64,
}

impl Default for FlagParams {
    fn default() -> Self {
        Self {
            duplicate_window_minutes: 15,
            hold_age_days: 7,
            hold_settle_days: 10,
            hold_tolerance_percent: 20,
            verification_hold_max_cents: 500,
            credit_grace_days: 2,
            match_days_before: 1,
            match_days_after: 5,
            expiring_within_days: 30,
            spike_factor: 3,
            spike_window_days: 14,
            spike_min_cents: 1_000,
            budget_warning_percent: 80,
            runaway_max_recharges: 3,
            runaway_window_hours: 24,
            runaway_usage_percent: 50,
            invoice_tolerance_percent: 2,
            invoice_tolerance_cents: 100,
            wrong_org_min_cents: 100,
        }
    }
}

/// A bank or card line as the detectors see it. `amount` is negative for money out.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BankItem {
    pub id: i64,
    /// The imported statement the line came from.
    pub source_file_id: i64,
    pub provider: Option<String>,
    pub spend_kind: Option<SpendKind>,
    pub status: Option<BankStatus>,
    pub day: NaiveDate,
    /// `None` when the statement gives only a date.
    pub time: Option<NaiveTime>,
    pub amount: Amount,
    pub currency: String,
    pub description: String,
}

impl BankItem {
    pub fn record(&self) -> String {
        format!("bank:{}", self.id)
    }

    /// The money that left the account (`None` for money in).
    fn outflow(&self) -> Option<Amount> {
        self.amount.is_negative().then(|| self.amount.abs())
    }

    fn status(&self) -> BankStatus {
        self.status.unwrap_or(BankStatus::Settled)
    }

    fn is_topup(&self) -> bool {
        self.spend_kind == Some(SpendKind::ApiTopup) && self.provider.is_some()
    }
}

/// A provider billing record as the detectors see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BillingItem {
    pub id: i64,
    pub source_file_id: i64,
    pub provider: String,
    pub kind: BillingKind,
    pub status: BillingStatus,
    pub day: NaiveDate,
    /// `None` when the record gives only a date.
    pub time: Option<NaiveTime>,
    pub amount: Amount,
    pub currency: String,
    pub organization: String,
    pub project: String,
    pub expires_on: Option<NaiveDate>,
}

impl BillingItem {
    pub fn record(&self) -> String {
        format!("billing:{}", self.id)
    }

    fn is_topup(&self) -> bool {
        matches!(
            self.kind,
            BillingKind::CreditPurchase | BillingKind::AutoRecharge
        ) && matches!(self.status, BillingStatus::Paid | BillingStatus::Pending)
    }
}

/// The usage cost of one project on one day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectDay {
    pub provider: String,
    /// Empty for usage outside any project.
    pub project: String,
    pub day: NaiveDate,
    pub cost: Amount,
    pub currency: String,
}

/// An organization of a provider, as usage exports name it: usage rows carry `name` when set,
/// else `id`; billing records may write either.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgAlias {
    pub provider: String,
    pub id: String,
    pub name: String,
}

/// What a monthly budget covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BudgetScope {
    Project,
    Provider,
}

/// A monthly budget for one project or provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Budget {
    pub scope: BudgetScope,
    pub name: String,
    pub monthly: Amount,
    pub currency: String,
}

/// Everything the detectors read.
#[derive(Debug, Clone, Default)]
pub struct FlagInputs {
    /// Every imported bank and card line (untagged ones too: they date the statements).
    pub bank: Vec<BankItem>,
    pub billing: Vec<BillingItem>,
    /// Usage cost per account and day.
    pub usage: Vec<DailyUsage>,
    /// Usage cost per project and day.
    pub project_usage: Vec<ProjectDay>,
    pub organizations: Vec<OrgAlias>,
    pub budgets: Vec<Budget>,
    /// The user's auto-recharge settings, one per account.
    pub auto_recharges: Vec<AutoRecharge>,
    /// Exchange rates, issuer references and the user's match decisions.
    pub matching: MatchData,
}

impl FlagInputs {
    /// The same inputs without anything dated after `as_of`.
    #[must_use]
    pub fn up_to(&self, as_of: NaiveDate) -> Self {
        Self {
            bank: self
                .bank
                .iter()
                .filter(|b| b.day <= as_of)
                .cloned()
                .collect(),
            billing: self
                .billing
                .iter()
                .filter(|b| b.day <= as_of)
                .cloned()
                .collect(),
            usage: self
                .usage
                .iter()
                .filter(|u| u.day <= as_of)
                .cloned()
                .collect(),
            project_usage: self
                .project_usage
                .iter()
                .filter(|u| u.day <= as_of)
                .cloned()
                .collect(),
            organizations: self.organizations.clone(),
            budgets: self.budgets.clone(),
            auto_recharges: self.auto_recharges.clone(),
            matching: self.matching.clone(),
        }
    }

    /// The account a record naming `organization` belongs to: an organization written as its
    /// id or its name is the same account; an unnamed one is the provider's only account when
    /// it has exactly one, else the unnamed account.
    pub fn resolve_account(&self, provider: &str, organization: &str) -> AccountKey {
        let org = organization.trim();
        let labels = self.known_organizations(provider);
        if org.is_empty() {
            let only = (labels.len() == 1)
                .then(|| labels.first().cloned())
                .flatten()
                .unwrap_or_default();
            return AccountKey::new(provider, &only);
        }
        let alias = self
            .organizations
            .iter()
            .filter(|a| a.provider == provider)
            .find(|a| a.id.eq_ignore_ascii_case(org) || a.name.eq_ignore_ascii_case(org))
            .map(|a| if a.name.is_empty() { &a.id } else { &a.name });
        let label = alias
            .cloned()
            .or_else(|| labels.iter().find(|l| l.eq_ignore_ascii_case(org)).cloned())
            .unwrap_or_else(|| org.to_string());
        AccountKey::new(provider, &label)
    }

    /// The non-empty organization labels a provider's usage and billing records use.
    fn known_organizations(&self, provider: &str) -> Vec<String> {
        let mut labels: BTreeSet<String> = self
            .usage
            .iter()
            .filter(|u| u.account.provider == provider && !u.account.organization.is_empty())
            .map(|u| u.account.organization.clone())
            .collect();
        for b in self
            .billing
            .iter()
            .filter(|b| b.provider == provider && !b.organization.trim().is_empty())
        {
            let org = b.organization.trim();
            let alias = self
                .organizations
                .iter()
                .filter(|a| a.provider == provider)
                .find(|a| a.id.eq_ignore_ascii_case(org) || a.name.eq_ignore_ascii_case(org));
            let label = alias.map_or(org, |a| if a.name.is_empty() { &a.id } else { &a.name });
            if !labels.iter().any(|l| l.eq_ignore_ascii_case(label)) {
                labels.insert(label.to_string());
            }
        }
        labels.into_iter().collect()
    }

    /// Every account that has credit lots or usage, sorted.
    pub fn accounts(&self) -> Vec<AccountKey> {
        let mut all: BTreeSet<AccountKey> = self.usage.iter().map(|u| u.account.clone()).collect();
        all.extend(credit_lots(self).into_iter().map(|l| l.account));
        all.into_iter().collect()
    }

    fn has_billing(&self, provider: &str) -> bool {
        self.billing.iter().any(|b| b.provider == provider)
    }
}

/// The credit lots of every account: paid credit purchases and auto-recharges, free credits
/// that did not fail, and, for providers with no billing records at all, settled bank top-ups
/// as inferred lots.
pub fn credit_lots(inputs: &FlagInputs) -> Vec<CreditLot> {
    let mut lots: Vec<CreditLot> = inputs
        .billing
        .iter()
        .filter_map(|b| {
            let kind = match (b.kind, b.status) {
                (BillingKind::FreeCredit, BillingStatus::Failed | BillingStatus::Void) => {
                    return None;
                }
                (BillingKind::FreeCredit, _) => LotKind::Free,
                (BillingKind::CreditPurchase | BillingKind::AutoRecharge, BillingStatus::Paid) => {
                    LotKind::Paid
                }
                _ => return None,
            };
            Some(CreditLot {
                record: b.record(),
                account: inputs.resolve_account(&b.provider, &b.organization),
                day: b.day,
                amount: b.amount.abs(),
                currency: b.currency.clone(),
                kind,
                expires_on: b.expires_on,
            })
        })
        .collect();
    lots.extend(inputs.bank.iter().filter_map(|l| {
        let provider = l.provider.as_deref()?;
        let inferred =
            l.is_topup() && l.status() == BankStatus::Settled && !inputs.has_billing(provider);
        inferred.then_some(())?;
        Some(CreditLot {
            record: l.record(),
            account: inputs.resolve_account(provider, ""),
            day: l.day,
            amount: l.outflow()?,
            currency: l.currency.clone(),
            kind: LotKind::Inferred,
            expires_on: None,
        })
    }));
    lots.sort_by(|a, b| (&a.account, a.day, &a.record).cmp(&(&b.account, b.day, &b.record)));
    lots
}

/// Runs every detector; flags sorted by date, kind, provider and id.
pub fn detect(inputs: &FlagInputs, params: &FlagParams, as_of: NaiveDate) -> Vec<Flag> {
    let inputs = inputs.up_to(as_of);
    let mut flags = Vec::new();
    flags.extend(duplicate_topups(&inputs, params, as_of));
    flags.extend(unsettled_holds(&inputs, params, as_of));
    flags.extend(charges_without_credit(&inputs, params, as_of));
    flags.extend(credits_without_charge(&inputs, params, as_of));
    flags.extend(failed_recharges(&inputs, params, as_of));
    flags.extend(balance_flags(&inputs, params, as_of));
    flags.extend(spend_spikes(&inputs, params, as_of));
    flags.extend(budgets_exceeded(&inputs, params, as_of));
    flags.extend(runaway_recharges(&inputs, params, as_of));
    flags.extend(invoice_mismatches(&inputs, params, as_of));
    flags.extend(wrong_organizations(&inputs, params, as_of));
    flags.sort_by(|a, b| {
        (a.date, a.kind, &a.provider, &a.id).cmp(&(b.date, b.kind, &b.provider, &b.id))
    });
    flags
}

/// A flag's stable id: the first 16 hex digits of SHA-256 over kind, provider and evidence.
fn flag_id(kind: FlagKind, provider: &str, identity: &[String]) -> String {
    let mut h = Sha256::new();
    h.update(kind.as_str().as_bytes());
    h.update(b"\n");
    h.update(provider.as_bytes());
    for r in identity {
        h.update(b"\n");
        h.update(r.as_bytes());
    }
    h.finalize()
        .iter()
        .take(8)
        .fold(String::with_capacity(16), |mut hex, b| {
            let _ = write!(hex, "{b:02x}");
            hex
        })
}

struct FlagDraft {
    kind: FlagKind,
    severity: Severity,
    provider: String,
    date: NaiveDate,
    amount: Option<Amount>,
    currency: String,
    project: Option<String>,
    records: Vec<String>,
    /// What the id is computed from, when not the records (an episode that grows keeps its id).
    identity: Option<Vec<String>>,
    message: String,
    diagnosis: String,
}

impl FlagDraft {
    fn finish(mut self) -> Flag {
        self.records.sort();
        self.records.dedup();
        let identity = self.identity.as_ref().unwrap_or(&self.records);
        Flag {
            id: flag_id(self.kind, &self.provider, identity),
            kind: self.kind,
            severity: self.severity,
            provider: self.provider,
            date: self.date,
            amount: self.amount,
            currency: self.currency,
            project: self.project,
            records: self.records,
            message: self.message,
            diagnosis: self.diagnosis,
        }
    }
}

fn days_between(from: NaiveDate, to: NaiveDate) -> i64 {
    (to - from).num_days()
}

fn money(amount: Amount, currency: &str) -> String {
    format!("{} {currency}", amount.to_cents_string())
}

fn same_currency(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

// ----- duplicate_topup -----

#[derive(Debug, Clone)]
struct Topup {
    record: String,
    provider: String,
    amount: Amount,
    currency: String,
    day: NaiveDate,
    time: Option<NaiveTime>,
    from_bank: bool,
}

impl Topup {
    fn same_event(&self, other: &Topup, window_minutes: i64) -> bool {
        match (self.time, other.time) {
            (Some(a), Some(b)) => {
                let a = self.day.and_time(a);
                let b = other.day.and_time(b);
                (b - a).abs() <= TimeDelta::minutes(window_minutes)
            }
            (None, None) => self.day == other.day,
            _ => false,
        }
    }

    fn same_money(&self, other: &Topup) -> bool {
        self.provider == other.provider
            && self.amount == other.amount
            && same_currency(&self.currency, &other.currency)
    }
}

fn topups(inputs: &FlagInputs, params: &FlagParams) -> Vec<Topup> {
    let settled_holds = hold_outcomes(inputs, params);
    let mut all: Vec<Topup> = inputs
        .billing
        .iter()
        .filter(|b| b.is_topup() && !b.amount.is_zero())
        .map(|b| Topup {
            record: b.record(),
            provider: b.provider.clone(),
            amount: b.amount.abs(),
            currency: b.currency.clone(),
            day: b.day,
            time: b.time,
            from_bank: false,
        })
        .collect();
    all.extend(inputs.bank.iter().filter_map(|l| {
        let counts = match l.status() {
            BankStatus::Settled => true,
            // A hold that later settled is the same charge as its settled line.
            BankStatus::Pending => !settled_holds.contains_key(&l.id),
            BankStatus::Reversed => false,
        };
        (counts && l.is_topup()).then_some(())?;
        Some(Topup {
            record: l.record(),
            provider: l.provider.clone()?,
            amount: l.outflow()?,
            currency: l.currency.clone(),
            day: l.day,
            time: l.time,
            from_bank: true,
        })
    }));
    all.sort_by(|a, b| (a.day, a.time, &a.record).cmp(&(b.day, b.time, &b.record)));
    all
}

/// Clusters one trail's top-ups into events of two or more.
fn clusters(items: &[&Topup], window_minutes: i64) -> Vec<Vec<usize>> {
    let mut taken = vec![false; items.len()];
    let mut out = Vec::new();
    for (i, first) in items.iter().enumerate() {
        if taken.get(i).copied().unwrap_or(true) {
            continue;
        }
        let members: Vec<usize> = items
            .iter()
            .enumerate()
            .skip(i)
            .filter(|(j, t)| {
                !taken.get(*j).copied().unwrap_or(true)
                    && first.same_money(t)
                    && first.same_event(t, window_minutes)
            })
            .map(|(j, _)| j)
            .collect();
        if members.len() < 2 {
            continue;
        }
        for j in &members {
            if let Some(t) = taken.get_mut(*j) {
                *t = true;
            }
        }
        out.push(members);
    }
    out
}

/// `duplicate_topup`: two or more top-ups of the same amount to one provider within minutes
/// (or on the same day, for records without a time).
pub fn duplicate_topups(inputs: &FlagInputs, params: &FlagParams, _as_of: NaiveDate) -> Vec<Flag> {
    let all = topups(inputs, params);
    let billing: Vec<&Topup> = all.iter().filter(|t| !t.from_bank).collect();
    let bank: Vec<&Topup> = all.iter().filter(|t| t.from_bank).collect();
    let window = params.duplicate_window_minutes;
    let mut events: Vec<Vec<&Topup>> = Vec::new();
    for (trail, other) in [(&billing, &bank), (&bank, &billing)] {
        for members in clusters(trail, window) {
            let mut event: Vec<&Topup> = members
                .iter()
                .filter_map(|j| trail.get(*j).copied())
                .collect();
            let Some(first) = event.first().copied() else {
                continue;
            };
            // The other trail's records of this event: as many as the event has, closest first.
            let mut matches: Vec<&Topup> = other
                .iter()
                .copied()
                .filter(|o| first.same_money(o) && within_match_window(first, o, params))
                .collect();
            matches.sort_by_key(|o| (days_between(first.day, o.day).abs(), o.record.clone()));
            matches.truncate(event.len());
            event.extend(matches);
            events.push(event);
        }
    }
    // One flag per event: events sharing a record are the same event seen from both trails.
    let mut merged: Vec<Vec<&Topup>> = Vec::new();
    for event in events {
        if let Some(existing) = merged
            .iter_mut()
            .find(|m| m.iter().any(|a| event.iter().any(|b| a.record == b.record)))
        {
            existing.extend(event);
        } else {
            merged.push(event);
        }
    }
    merged
        .into_iter()
        .filter_map(|mut event| {
            event.sort_by(|a, b| (a.day, a.time, &a.record).cmp(&(b.day, b.time, &b.record)));
            event.dedup_by(|a, b| a.record == b.record);
            let first = (*event.first()?).clone();
            let billing_count = event.iter().filter(|t| !t.from_bank).count();
            let bank_count = event.len() - billing_count;
            let how = if event.iter().any(|t| t.time.is_some()) {
                format!("within {window} minutes")
            } else {
                "on the same day (the records carry no time)".to_string()
            };
            let count = billing_count.max(bank_count);
            Some(
                FlagDraft {
                    kind: FlagKind::DuplicateTopup,
                    severity: Severity::Warning,
                    provider: first.provider.clone(),
                    date: first.day,
                    amount: Some(first.amount),
                    currency: first.currency.clone(),
                    project: None,
                    records: event.iter().map(|t| t.record.clone()).collect(),
                    identity: None,
                    message: format!(
                        "{count} top-ups of {} to {} on {}, {how}",
                        money(first.amount, &first.currency),
                        first.provider,
                        first.day
                    ),
                    diagnosis: format!(
                        "Billing: {billing_count} provider record(s) and {bank_count} bank or card line(s) show the same \
                         amount going to {} {how}. This is usually a second click, or a second attempt made because the \
                         balance had not updated yet (balance not synchronized). Check the provider's billing page: when \
                         every top-up appears as credit, nothing is lost and the credit stays on the balance; when a card \
                         was charged more often than credit arrived, send these records to the provider's support and ask \
                         for a refund of the extra charge. Do not pay again while this is open.",
                        first.provider
                    ),
                }
                .finish(),
            )
        })
        .collect()
}

/// Whether a bank record falls within the matching window of a billing record (either order).
fn within_match_window(a: &Topup, b: &Topup, params: &FlagParams) -> bool {
    let (billing_day, bank_day) = if a.from_bank {
        (b.day, a.day)
    } else {
        (a.day, b.day)
    };
    let delta = days_between(billing_day, bank_day);
    -params.match_days_before <= delta && delta <= params.match_days_after
}

// ----- holds -----

/// How each pending line with a provider ended: settled by a line, or reversed by one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum HoldEnd {
    Settled,
    Reversed,
}

/// Pairs every pending AI line with the settled or reversed line that ended it, one to one
/// (the rule lives in [`matching::settle_holds`]).
fn hold_outcomes(inputs: &FlagInputs, params: &FlagParams) -> BTreeMap<i64, (HoldEnd, i64)> {
    matching::settle_holds(inputs, params)
        .into_iter()
        .map(|m| {
            let how = match m.end {
                matching::HoldEnd::Settled => HoldEnd::Settled,
                matching::HoldEnd::Released => HoldEnd::Reversed,
            };
            (m.hold_id, (how, m.end_id))
        })
        .collect()
}

/// `unsettled_hold`: a pending (authorized) line older than `hold_age_days` that no settled line
/// completed and no reversal released.
pub fn unsettled_holds(inputs: &FlagInputs, params: &FlagParams, as_of: NaiveDate) -> Vec<Flag> {
    let ended = hold_outcomes(inputs, params);
    let verification_max =
        Amount::from_cents(params.verification_hold_max_cents).unwrap_or_default();
    inputs
        .bank
        .iter()
        .filter(|l| l.status() == BankStatus::Pending && !ended.contains_key(&l.id))
        .filter(|l| days_between(l.day, as_of) > params.hold_age_days)
        .filter_map(|l| {
            let provider = l.provider.clone()?;
            let amount = l.outflow()?;
            let age = days_between(l.day, as_of);
            let verification = amount <= verification_max;
            let (severity, what, diagnosis) = if verification {
                (
                    Severity::Info,
                    "verification hold",
                    format!(
                        "Payment: a small amount held when a card is added or changed is a verification hold; \
                         the provider never captures it and the card issuer releases it, usually within 7 days. \
                         This one has stayed {age} days. It is not a charge and adds no credit. Check the card's \
                         pending transactions in your bank's app; if it is still there, ask the bank to release \
                         the authorization, quoting the date and amount."
                    ),
                )
            } else {
                (
                    Severity::Warning,
                    "pending charge",
                    format!(
                        "Payment: the card issuer holds this amount for {provider}, but no settled line completed \
                         it and no reversal released it in {age} days. Either the provider never captured the \
                         payment (check its billing page for a failed or cancelled payment and whether credit \
                         arrived), or the settled line is on a statement not yet imported. Import the newest \
                         statement first; if the hold remains, ask the bank to release it. Do not pay again \
                         while it is pending: the hold may still turn into a charge."
                    ),
                )
            };
            Some(
                FlagDraft {
                    kind: FlagKind::UnsettledHold,
                    severity,
                    provider: provider.clone(),
                    date: l.day,
                    amount: Some(amount),
                    currency: l.currency.clone(),
                    project: None,
                    records: vec![l.record()],
                    identity: None,
                    message: format!(
                        "A {} {what} by {provider} has been pending since {} ({age} days)",
                        money(amount, &l.currency),
                        l.day
                    ),
                    diagnosis,
                }
                .finish(),
            )
        })
        .collect()
}

// ----- charges and credits -----

/// The date span of each imported file's records: billing files per provider.
fn billing_spans(inputs: &FlagInputs) -> BTreeMap<(i64, String), (NaiveDate, NaiveDate)> {
    let mut spans: BTreeMap<(i64, String), (NaiveDate, NaiveDate)> = BTreeMap::new();
    for b in &inputs.billing {
        let span = spans
            .entry((b.source_file_id, b.provider.clone()))
            .or_insert((b.day, b.day));
        span.0 = span.0.min(b.day);
        span.1 = span.1.max(b.day);
    }
    spans
}

fn bank_spans(inputs: &FlagInputs) -> BTreeMap<i64, (NaiveDate, NaiveDate)> {
    let mut spans: BTreeMap<i64, (NaiveDate, NaiveDate)> = BTreeMap::new();
    for l in &inputs.bank {
        let span = spans.entry(l.source_file_id).or_insert((l.day, l.day));
        span.0 = span.0.min(l.day);
        span.1 = span.1.max(l.day);
    }
    spans
}

/// `charge_without_credit`: a settled bank top-up with no matching credit after
/// `credit_grace_days`, judged only where an imported billing file of that provider spans the
/// charge's date.
pub fn charges_without_credit(
    inputs: &FlagInputs,
    params: &FlagParams,
    as_of: NaiveDate,
) -> Vec<Flag> {
    let payments = matching::match_payments(inputs, params);
    let spans = billing_spans(inputs);
    inputs
        .bank
        .iter()
        .filter(|l| l.is_topup() && l.status() == BankStatus::Settled)
        // A line waiting in the review list is neither matched nor judged unmatched.
        .filter(|l| payments.for_bank(l.id).is_none() && !payments.bank_in_review(l.id))
        .filter(|l| days_between(l.day, as_of) >= params.credit_grace_days)
        .filter_map(|l| {
            let provider = l.provider.clone()?;
            let amount = l.outflow()?;
            let covered = spans
                .iter()
                .any(|((_, p), (from, to))| *p == provider && *from <= l.day && l.day <= *to);
            covered.then_some(())?;
            let other_state = inputs
                .billing
                .iter()
                .filter(|b| b.provider == provider && b.amount.abs() == amount && b.kind.is_credit())
                .filter(|b| b.status != BillingStatus::Paid)
                .find(|b| {
                    let delta = days_between(b.day, l.day);
                    -params.match_days_before <= delta && delta <= params.match_days_after
                });
            let mut records = vec![l.record()];
            let state_note = match other_state {
                Some(b) => {
                    records.push(b.record());
                    format!(
                        " The provider lists a {} record of this amount as {}: ",
                        b.kind.as_str(),
                        b.status.as_str()
                    ) + if b.status == BillingStatus::Pending {
                        "the balance has not been synchronized yet."
                    } else {
                        "the payment went through at the bank but not at the provider."
                    }
                }
                None => String::new(),
            };
            Some(
                FlagDraft {
                    kind: FlagKind::ChargeWithoutCredit,
                    severity: Severity::Critical,
                    provider: provider.clone(),
                    date: l.day,
                    amount: Some(amount),
                    currency: l.currency.clone(),
                    project: None,
                    records,
                    identity: None,
                    message: format!(
                        "Charged {} by {provider} on {} but no credit appears in its billing records",
                        money(amount, &l.currency),
                        l.day
                    ),
                    diagnosis: format!(
                        "Balance not yet synchronized, or a payment that failed halfway: the card was charged, but \
                         {provider}'s billing records hold no paid credit of this amount within days of the charge.{state_note} \
                         Check the provider's billing page (payment history and credit grants) for this date. If no \
                         credit is there, contact the provider's support with this bank line; if they cannot find \
                         the payment, dispute the charge with your bank. Do not top up a second time to see whether \
                         it arrives."
                    ),
                }
                .finish(),
            )
        })
        .collect()
}

/// `credit_without_charge`: a paid credit purchase with no bank line paying for it, judged only
/// where an imported bank or card statement spans its date.
pub fn credits_without_charge(
    inputs: &FlagInputs,
    params: &FlagParams,
    as_of: NaiveDate,
) -> Vec<Flag> {
    let payments = matching::match_payments(inputs, params);
    let spans = bank_spans(inputs);
    inputs
        .billing
        .iter()
        .filter(|b| b.kind == BillingKind::CreditPurchase && b.status == BillingStatus::Paid)
        .filter(|b| !b.amount.is_zero() && payments.for_billing(b.id).is_none())
        .filter(|b| !payments.billing_in_review(b.id))
        .filter(|b| days_between(b.day, as_of) >= params.credit_grace_days)
        .filter(|b| spans.values().any(|(from, to)| *from <= b.day && b.day <= *to))
        .map(|b| {
            let amount = b.amount.abs();
            FlagDraft {
                kind: FlagKind::CreditWithoutCharge,
                severity: Severity::Info,
                provider: b.provider.clone(),
                date: b.day,
                amount: Some(amount),
                currency: b.currency.clone(),
                project: None,
                records: vec![b.record()],
                identity: None,
                message: format!(
                    "A {} credit purchase from {} on {} has no matching line on the imported statements",
                    money(amount, &b.currency),
                    b.provider,
                    b.day
                ),
                diagnosis: "Billing: the provider records a paid purchase, but no imported bank or card line of \
                            this amount paid for it within days. It was most likely paid by another card, PayPal \
                            or a company account, or the statement holding it has not been imported. Check the \
                            provider's receipt for the card used, and import that statement; nothing needs paying."
                    .to_string(),
            }
            .finish()
        })
        .collect()
}

/// `recharge_failed`: an auto-recharge the provider records as failed.
pub fn failed_recharges(inputs: &FlagInputs, _params: &FlagParams, _as_of: NaiveDate) -> Vec<Flag> {
    inputs
        .billing
        .iter()
        .filter(|b| b.kind == BillingKind::AutoRecharge && b.status == BillingStatus::Failed)
        .map(|b| {
            let amount = b.amount.abs();
            FlagDraft {
                kind: FlagKind::RechargeFailed,
                severity: Severity::Critical,
                provider: b.provider.clone(),
                date: b.day,
                amount: Some(amount),
                currency: b.currency.clone(),
                project: None,
                records: vec![b.record()],
                identity: None,
                message: format!(
                    "An auto-recharge of {} for {} failed on {}",
                    money(amount, &b.currency),
                    b.provider,
                    b.day
                ),
                diagnosis: format!(
                    "Payment failure: {} tried to charge the card on file and the payment was refused, so no credit \
                     was added; once the balance runs out, API calls fail with an insufficient-balance error (a 429 \
                     is a rate limit, not this). Check the card's expiry date, its spending or online-payment limits \
                     and any fraud block or 3-D Secure request in your bank's app, then update the payment method on \
                     the provider's billing page and let the auto-recharge run; no manual payment is needed to test it.",
                    b.provider
                ),
            }
            .finish()
        })
        .collect()
}

// ----- balances -----

/// Balances of every prepaid account up to `as_of`. Accounts of providers billed by invoice
/// (post-paid) and accounts without any credit lot have no prepaid balance and are left out; an
/// account whose totals overflow is left out too.
fn prepaid_balances(inputs: &FlagInputs, as_of: NaiveDate) -> Vec<Balance> {
    let lots = credit_lots(inputs);
    let postpaid: BTreeSet<&str> = inputs
        .billing
        .iter()
        .filter(|b| b.kind == BillingKind::Invoice)
        .map(|b| b.provider.as_str())
        .collect();
    let accounts: BTreeSet<&AccountKey> = lots.iter().map(|l| &l.account).collect();
    accounts
        .into_iter()
        .filter(|a| !postpaid.contains(a.provider.as_str()))
        .filter_map(|a| balance::simulate(a, &lots, &inputs.usage, as_of).ok())
        .collect()
}

fn balance_flags(inputs: &FlagInputs, params: &FlagParams, as_of: NaiveDate) -> Vec<Flag> {
    let mut flags = Vec::new();
    for b in prepaid_balances(inputs, as_of) {
        flags.extend(depleted(&b));
        flags.extend(expiring(&b, params, as_of));
    }
    flags
}

/// `balance_depleted`: one flag per stretch where the computed balance stood at zero while
/// usage went on.
fn depleted(b: &Balance) -> Vec<Flag> {
    let label = b.account.label();
    b.depletion_episodes()
        .into_iter()
        .map(|e| {
            let records: Vec<String> = b
                .days
                .iter()
                .filter(|d| {
                    !d.overdraft.is_zero()
                        && d.day >= e.first_overdraft_on
                        && d.day <= e.last_overdraft_on
                })
                .map(|d| format!("usage:{}:{label}", d.day))
                .collect();
            FlagDraft {
                kind: FlagKind::BalanceDepleted,
                severity: Severity::Critical,
                provider: b.account.provider.clone(),
                date: e.zero_on,
                amount: Some(e.overdraft),
                currency: b.currency.clone(),
                project: None,
                records,
                identity: Some(vec![format!("balance:{label}:{}", e.zero_on)]),
                message: format!(
                    "The {label} balance reached zero on {} while usage went on ({} past zero through {})",
                    e.zero_on,
                    money(e.overdraft, &b.currency),
                    e.last_overdraft_on
                ),
                diagnosis: format!(
                    "Balance depleted: the credits of {label} ran out on {} and usage was still recorded \
                     afterwards, so API calls were likely refused with an insufficient-balance error from then on \
                     (429 errors are rate limits and are not caused by the balance). Check the provider's usage \
                     page for refused requests on those days and whether an auto-recharge was set up and ran; if \
                     credit was bought but is missing here, import that billing record. Usage past zero may be \
                     charged later or was never served.",
                    e.zero_on
                ),
            }
            .finish()
        })
        .collect()
}

/// `credits_expiring`: a lot with a remainder that drops out within `expiring_within_days`.
fn expiring(b: &Balance, params: &FlagParams, as_of: NaiveDate) -> Vec<Flag> {
    let label = b.account.label();
    b.lots
        .iter()
        .filter(|l| !l.remaining.is_zero())
        .filter_map(|l| {
            let expiry = l.expiry?;
            let days = days_between(as_of, expiry);
            (1..=params.expiring_within_days).contains(&days).then_some(())?;
            let inferred = if l.kind == LotKind::Inferred {
                " (inferred from a bank top-up; the expiry assumes one year)"
            } else {
                ""
            };
            Some(
                FlagDraft {
                    kind: FlagKind::CreditsExpiring,
                    severity: if days <= 7 {
                        Severity::Warning
                    } else {
                        Severity::Info
                    },
                    provider: b.account.provider.clone(),
                    date: expiry,
                    amount: Some(l.remaining),
                    currency: b.currency.clone(),
                    project: None,
                    records: vec![l.record.clone()],
                    identity: None,
                    message: format!(
                        "{} of {label} credit from {} expires on {expiry} (in {days} days){inferred}",
                        money(l.remaining, &b.currency),
                        l.day
                    ),
                    diagnosis: format!(
                        "Billing: prepaid credits expire; what is left of this lot on {expiry} is lost, and the \
                         balance will drop by that amount that day without any usage. Check the expiry date on the \
                         provider's billing page (credit grants) and plan usage accordingly; newer credits are used \
                         after this lot, so nothing else is affected."
                    ),
                }
                .finish(),
            )
        })
        .collect()
}

// ----- spikes and budgets -----

fn median(values: &mut [i64]) -> Option<i64> {
    values.sort_unstable();
    let n = values.len();
    if n == 0 {
        return None;
    }
    let hi = *values.get(n / 2)?;
    if n % 2 == 1 {
        return Some(hi);
    }
    let lo = *values.get(n / 2 - 1)?;
    Some(lo.midpoint(hi))
}

/// `spend_spike`: a project's daily cost above `spike_factor` times the median of its trailing
/// `spike_window_days` days (days without usage count as zero) and above `spike_min_cents`.
/// A project is judged only once it has a full window of history.
pub fn spend_spikes(inputs: &FlagInputs, params: &FlagParams, as_of: NaiveDate) -> Vec<Flag> {
    let Some(min_cost) = Amount::from_cents(params.spike_min_cents) else {
        return Vec::new();
    };
    let window = u64::try_from(params.spike_window_days.max(1)).unwrap_or(14);
    let mut series: BTreeMap<(String, String, String), BTreeMap<NaiveDate, Amount>> =
        BTreeMap::new();
    for u in inputs
        .project_usage
        .iter()
        .filter(|u| !u.project.is_empty())
    {
        let key = (
            u.provider.clone(),
            u.project.clone(),
            u.currency.to_ascii_uppercase(),
        );
        let day = series.entry(key).or_default().entry(u.day).or_default();
        *day = day.checked_add(u.cost).unwrap_or(*day);
    }
    let mut flags = Vec::new();
    for ((provider, project, currency), days) in &series {
        let Some(first) = days.keys().next().copied() else {
            continue;
        };
        for (day, cost) in days.iter().filter(|(d, c)| **d <= as_of && **c > min_cost) {
            let Some(start) = day.checked_sub_days(Days::new(window)) else {
                continue;
            };
            if first > start {
                continue;
            }
            let mut trailing: Vec<i64> = start
                .iter_days()
                .take_while(|d| d < day)
                .map(|d| days.get(&d).map_or(0, |a| a.nanos()))
                .collect();
            let Some(med) = median(&mut trailing) else {
                continue;
            };
            let Some(limit) = med.checked_mul(params.spike_factor) else {
                continue;
            };
            if cost.nanos() <= limit {
                continue;
            }
            let usual = Amount::from_nanos(med);
            let times = if med > 0 {
                format!("{}x", cost.nanos() / med)
            } else {
                "far above".to_string()
            };
            flags.push(
                FlagDraft {
                    kind: FlagKind::SpendSpike,
                    severity: Severity::Warning,
                    provider: provider.clone(),
                    date: *day,
                    amount: Some(*cost),
                    currency: currency.clone(),
                    project: Some(project.clone()),
                    records: vec![format!("usage:{day}:{project}")],
                    identity: None,
                    message: format!(
                        "Project {project} spent {} on {provider} on {day}, {times} its usual {} a day",
                        money(*cost, currency),
                        money(usual, currency)
                    ),
                    diagnosis: format!(
                        "Usage: the cost of {project} on {day} is well above its {window}-day median. Check the \
                         provider's usage page for that day by model and API key: a loop or retry storm in code, \
                         a batch job, a switch to a more expensive model, or a key used by someone else. Rate \
                         limit errors (429) refuse requests and do not add cost; if a key is unknown, revoke it."
                    ),
                }
                .finish(),
            );
        }
    }
    flags
}

/// `budget_exceeded`: a month's usage for a project or provider above its budget (critical), or
/// above `budget_warning_percent` of it (warning). One flag per budget and month, at the highest
/// level reached, dated the day it was crossed.
pub fn budgets_exceeded(inputs: &FlagInputs, params: &FlagParams, as_of: NaiveDate) -> Vec<Flag> {
    let mut flags = Vec::new();
    for budget in inputs.budgets.iter().filter(|b| b.monthly > Amount::ZERO) {
        let rows: Vec<&ProjectDay> = inputs
            .project_usage
            .iter()
            .filter(|u| u.day <= as_of && same_currency(&u.currency, &budget.currency))
            .filter(|u| match budget.scope {
                BudgetScope::Project => u.project == budget.name,
                BudgetScope::Provider => u.provider == budget.name,
            })
            .collect();
        let mut by_month: BTreeMap<NaiveDate, BTreeMap<NaiveDate, Amount>> = BTreeMap::new();
        for u in &rows {
            let month = u.day.with_day(1).unwrap_or(u.day);
            let day = by_month.entry(month).or_default().entry(u.day).or_default();
            *day = day.checked_add(u.cost).unwrap_or(*day);
        }
        let provider = match budget.scope {
            BudgetScope::Provider => budget.name.clone(),
            BudgetScope::Project => rows.first().map(|u| u.provider.clone()).unwrap_or_default(),
        };
        for (month, days) in by_month {
            if let Some(flag) = budget_month(budget, &provider, month, &days, params) {
                flags.push(flag);
            }
        }
    }
    flags
}

fn budget_month(
    budget: &Budget,
    provider: &str,
    month: NaiveDate,
    days: &BTreeMap<NaiveDate, Amount>,
    params: &FlagParams,
) -> Option<Flag> {
    let budget_nanos = i128::from(budget.monthly.nanos());
    let mut total = Amount::ZERO;
    let mut warned_on = None;
    let mut exceeded_on = None;
    for (day, cost) in days {
        total = total.checked_add(*cost)?;
        let spent = i128::from(total.nanos()) * 100;
        if warned_on.is_none() && spent >= budget_nanos * i128::from(params.budget_warning_percent)
        {
            warned_on = Some(*day);
        }
        if exceeded_on.is_none() && spent > budget_nanos * 100 {
            exceeded_on = Some(*day);
        }
    }
    let (severity, date, level) = match (exceeded_on, warned_on) {
        (Some(d), _) => (Severity::Critical, d, 100),
        (None, Some(d)) => (Severity::Warning, d, params.budget_warning_percent),
        (None, None) => return None,
    };
    let scope = match budget.scope {
        BudgetScope::Project => "project",
        BudgetScope::Provider => "provider",
    };
    let month_text = month.format("%Y-%m").to_string();
    let state = if level == 100 {
        "exceeded".to_string()
    } else {
        format!("reached {level}% of")
    };
    Some(
        FlagDraft {
            kind: FlagKind::BudgetExceeded,
            severity,
            provider: provider.to_string(),
            date,
            amount: Some(total),
            currency: budget.currency.clone(),
            project: (budget.scope == BudgetScope::Project).then(|| budget.name.clone()),
            records: vec![format!("budget:{scope}:{}:{month_text}:{level}", budget.name)],
            identity: None,
            message: format!(
                "The {scope} {} {state} its {month_text} budget of {} on {date} ({} spent)",
                budget.name,
                money(budget.monthly, &budget.currency),
                money(total, &budget.currency)
            ),
            diagnosis: format!(
                "Usage: spending on the {scope} {} this month is past the budget you set. This is usage, not a \
                 payment problem. Check which models and API keys drove it on the provider's usage page; set a \
                 spending limit at the provider if the budget must hold, or change the budget in burnrate's \
                 settings if it was too low.",
                budget.name
            ),
        }
        .finish(),
    )
}

// ----- thresholds by name -----

/// One detector threshold: its name (the [`FlagParams`] field), what it means, and the values
/// it may take. The settings command and the settings screen edit thresholds through these.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParamSpec {
    pub name: &'static str,
    pub min: i64,
    pub max: i64,
    pub help: &'static str,
}

/// Every threshold of [`FlagParams`], in field order.
pub const PARAM_SPECS: &[ParamSpec] = &[
    spec(
        "duplicate_window_minutes",
        0,
        1_440,
        "top-ups this close are one event",
    ),
    spec(
        "hold_age_days",
        0,
        365,
        "a pending line older than this is flagged",
    ),
    spec(
        "hold_settle_days",
        0,
        365,
        "a hold settles at most this many days later",
    ),
    spec(
        "hold_tolerance_percent",
        0,
        100,
        "a settling line may differ from its hold by this much",
    ),
    spec(
        "verification_hold_max_cents",
        0,
        100_000,
        "holds up to this are verification holds",
    ),
    spec(
        "credit_grace_days",
        0,
        365,
        "days a charge may wait for its credit (and back)",
    ),
    spec(
        "match_days_before",
        0,
        365,
        "a bank line may come this many days before its billing record",
    ),
    spec("match_days_after", 0, 365, "...or this many days after it"),
    spec(
        "expiring_within_days",
        0,
        3_650,
        "credits expiring this soon are flagged",
    ),
    spec(
        "spike_factor",
        1,
        1_000,
        "a day above this many times the median is a spike",
    ),
    spec(
        "spike_window_days",
        1,
        365,
        "the median is over this many trailing days",
    ),
    spec(
        "spike_min_cents",
        0,
        100_000_000_000,
        "days below this cost are never spikes",
    ),
    spec(
        "budget_warning_percent",
        1,
        100,
        "warn when this share of a budget is spent",
    ),
    spec(
        "runaway_max_recharges",
        1,
        100,
        "more auto-recharges than this in the window is a runaway",
    ),
    spec("runaway_window_hours", 1, 168, "the runaway window"),
    spec(
        "runaway_usage_percent",
        0,
        100,
        "...when usage was under this share of what they added",
    ),
    spec(
        "invoice_tolerance_percent",
        0,
        100,
        "an invoice may differ from usage by this share",
    ),
    spec(
        "invoice_tolerance_cents",
        0,
        100_000_000_000,
        "...or by this many cents",
    ),
    spec(
        "wrong_org_min_cents",
        0,
        100_000_000_000,
        "usage below this in an organization without credits is ignored",
    ),
];

const fn spec(name: &'static str, min: i64, max: i64, help: &'static str) -> ParamSpec {
    ParamSpec {
        name,
        min,
        max,
        help,
    }
}

/// Why a threshold cannot be set.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParamError {
    #[error("there is no threshold named '{name}'; the thresholds are: {known}")]
    Unknown { name: String, known: String },
    #[error("{name} must be a whole number from {min} to {max}, not '{value}'")]
    OutOfRange {
        name: String,
        value: String,
        min: i64,
        max: i64,
    },
}

impl FlagParams {
    fn field_mut(&mut self, name: &str) -> Option<&mut i64> {
        Some(match name {
            "duplicate_window_minutes" => &mut self.duplicate_window_minutes,
            "hold_age_days" => &mut self.hold_age_days,
            "hold_settle_days" => &mut self.hold_settle_days,
            "hold_tolerance_percent" => &mut self.hold_tolerance_percent,
            "verification_hold_max_cents" => &mut self.verification_hold_max_cents,
            "credit_grace_days" => &mut self.credit_grace_days,
            "match_days_before" => &mut self.match_days_before,
            "match_days_after" => &mut self.match_days_after,
            "expiring_within_days" => &mut self.expiring_within_days,
            "spike_factor" => &mut self.spike_factor,
            "spike_window_days" => &mut self.spike_window_days,
            "spike_min_cents" => &mut self.spike_min_cents,
            "budget_warning_percent" => &mut self.budget_warning_percent,
            "runaway_max_recharges" => &mut self.runaway_max_recharges,
            "runaway_window_hours" => &mut self.runaway_window_hours,
            "runaway_usage_percent" => &mut self.runaway_usage_percent,
            "invoice_tolerance_percent" => &mut self.invoice_tolerance_percent,
            "invoice_tolerance_cents" => &mut self.invoice_tolerance_cents,
            "wrong_org_min_cents" => &mut self.wrong_org_min_cents,
            _ => return None,
        })
    }

    /// The value of the threshold `name` (see [`PARAM_SPECS`]).
    pub fn get(&self, name: &str) -> Option<i64> {
        self.clone().field_mut(name).map(|v| *v)
    }

    /// Sets the threshold `name` from text, checked against its [`ParamSpec`] range.
    ///
    /// # Errors
    /// When no threshold has that name, or the text is not a whole number in the range.
    pub fn set(&mut self, name: &str, value: &str) -> Result<(), ParamError> {
        let name = name.trim();
        let Some(spec) = PARAM_SPECS.iter().find(|s| s.name == name) else {
            return Err(ParamError::Unknown {
                name: name.to_string(),
                known: PARAM_SPECS
                    .iter()
                    .map(|s| s.name)
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        };
        let out_of_range = || ParamError::OutOfRange {
            name: spec.name.to_string(),
            value: value.to_string(),
            min: spec.min,
            max: spec.max,
        };
        let parsed: i64 = value.trim().parse().map_err(|_| out_of_range())?;
        if !(spec.min..=spec.max).contains(&parsed) {
            return Err(out_of_range());
        }
        let field = self.field_mut(spec.name).ok_or_else(out_of_range)?;
        *field = parsed;
        Ok(())
    }
}

// ----- auto-recharges -----

impl FlagInputs {
    /// The auto-recharge set for `account`: a setting naming its organization by id or name,
    /// or naming none when the provider has one account.
    pub fn auto_recharge_for(&self, account: &AccountKey) -> Option<&AutoRecharge> {
        self.auto_recharges.iter().find(|r| {
            &self.resolve_account(&r.account.provider, &r.account.organization) == account
        })
    }

    /// The account's paid auto-recharges as (day, amount), oldest first: what counts toward a
    /// monthly cap. Manual credit purchases are not listed.
    pub fn auto_recharge_history(&self, account: &AccountKey) -> Vec<(NaiveDate, Amount)> {
        paid_recharges(self, account)
            .iter()
            .map(|b| (b.day, b.amount.abs()))
            .collect()
    }
}

/// The account's paid auto-recharges, in the order they happened.
fn paid_recharges<'a>(inputs: &'a FlagInputs, account: &AccountKey) -> Vec<&'a BillingItem> {
    let mut out: Vec<&BillingItem> = inputs
        .billing
        .iter()
        .filter(|b| b.kind == BillingKind::AutoRecharge && b.status == BillingStatus::Paid)
        .filter(|b| !b.amount.is_zero())
        .filter(|b| &inputs.resolve_account(&b.provider, &b.organization) == account)
        .collect();
    out.sort_by_key(|b| (b.day, b.time, b.id));
    out
}

/// Whether a billing record adds credit to a balance (as [`credit_lots`] counts it).
fn adds_credit(b: &BillingItem) -> bool {
    match b.kind {
        BillingKind::CreditPurchase | BillingKind::AutoRecharge => b.status == BillingStatus::Paid,
        BillingKind::FreeCredit => !matches!(b.status, BillingStatus::Failed | BillingStatus::Void),
        _ => false,
    }
}

/// The account's usage on the days from `from` to `to`, in `currency`, with the evidence ids
/// of the days that had any.
fn usage_between(
    inputs: &FlagInputs,
    account: &AccountKey,
    currency: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> Option<(Amount, Vec<String>)> {
    let mut total = Amount::ZERO;
    let mut records = Vec::new();
    for u in inputs.usage.iter().filter(|u| {
        &u.account == account
            && same_currency(&u.currency, currency)
            && from <= u.day
            && u.day <= to
            && !u.cost.is_zero()
    }) {
        total = total.checked_add(u.cost)?;
        records.push(format!("usage:{}:{}", u.day, account.label()));
    }
    Some((total, records))
}

/// `runaway_recharge`: more than `runaway_max_recharges` auto-recharges of one account within
/// `runaway_window_hours` while usage on those days stayed under `runaway_usage_percent` of
/// what they added (one flag per burst); and, for accounts with an auto-recharge setting, a
/// recharge that fired while the reconstructed balance was still above the threshold even if
/// all of that day's usage had come before it.
pub fn runaway_recharges(inputs: &FlagInputs, params: &FlagParams, as_of: NaiveDate) -> Vec<Flag> {
    let accounts: BTreeSet<AccountKey> = inputs
        .billing
        .iter()
        .filter(|b| b.kind == BillingKind::AutoRecharge && b.status == BillingStatus::Paid)
        .map(|b| inputs.resolve_account(&b.provider, &b.organization))
        .collect();
    let balances = prepaid_balances(inputs, as_of);
    let mut flags = Vec::new();
    for account in &accounts {
        let recharges = paid_recharges(inputs, account);
        let (bursts, in_burst) = recharge_bursts(inputs, account, &recharges, params);
        flags.extend(bursts);
        let setting = inputs.auto_recharge_for(account);
        let balance = balances.iter().find(|b| &b.account == account);
        if let (Some(setting), Some(balance)) = (setting, balance) {
            flags.extend(
                recharges
                    .iter()
                    .filter(|r| !in_burst.contains(&r.id))
                    .filter_map(|r| above_threshold(inputs, balance, setting, r)),
            );
        }
    }
    flags
}

/// Whether two recharges are within the window: by their times when both have one, else only
/// when on the same day.
fn within_hours(first: &BillingItem, later: &BillingItem, hours: i64) -> bool {
    match (first.time, later.time) {
        (Some(a), Some(b)) => {
            later.day.and_time(b) - first.day.and_time(a) <= TimeDelta::hours(hours)
        }
        _ => first.day == later.day,
    }
}

fn recharge_bursts(
    inputs: &FlagInputs,
    account: &AccountKey,
    recharges: &[&BillingItem],
    params: &FlagParams,
) -> (Vec<Flag>, BTreeSet<i64>) {
    let max = usize::try_from(params.runaway_max_recharges).unwrap_or(usize::MAX);
    let mut flags = Vec::new();
    let mut in_burst = BTreeSet::new();
    let mut i = 0;
    while let Some(first) = recharges.get(i) {
        let members: Vec<&BillingItem> = recharges
            .iter()
            .skip(i)
            .take_while(|r| within_hours(first, r, params.runaway_window_hours))
            .filter(|r| same_currency(&r.currency, &first.currency))
            .copied()
            .collect();
        let flag = (members.len() > max)
            .then(|| burst_flag(inputs, account, &members, params))
            .flatten();
        let Some(flag) = flag else {
            i += 1;
            continue;
        };
        in_burst.extend(members.iter().map(|r| r.id));
        flags.push(flag);
        i += recharges
            .iter()
            .skip(i)
            .take_while(|r| within_hours(first, r, params.runaway_window_hours))
            .count();
    }
    (flags, in_burst)
}

fn burst_flag(
    inputs: &FlagInputs,
    account: &AccountKey,
    members: &[&BillingItem],
    params: &FlagParams,
) -> Option<Flag> {
    let first = members.first()?;
    let last = members.last()?;
    let added = super::money::checked_sum(members.iter().map(|r| r.amount.abs()))?;
    let (used, usage_records) =
        usage_between(inputs, account, &first.currency, first.day, last.day)?;
    let used_share = i128::from(used.nanos()) * 100;
    if used_share >= i128::from(added.nanos()) * i128::from(params.runaway_usage_percent) {
        return None;
    }
    let label = account.label();
    let count = members.len();
    let hours = params.runaway_window_hours;
    let currency = &first.currency;
    let mut records: Vec<String> = members.iter().map(|r| r.record()).collect();
    records.extend(usage_records);
    Some(
        FlagDraft {
            kind: FlagKind::RunawayRecharge,
            severity: Severity::Critical,
            provider: account.provider.clone(),
            date: first.day,
            amount: Some(added),
            currency: currency.clone(),
            project: None,
            records,
            identity: Some(vec![format!("runaway:{}", first.record())]),
            message: format!(
                "{count} auto-recharges of {label} added {} within {hours} hours from {}, while usage on those days was {}",
                money(added, currency),
                first.day,
                money(used, currency)
            ),
            diagnosis: format!(
                "Billing: the auto-recharge of {label} ran {count} times within {hours} hours and added {}, but only \
                 {} was used on those days, so the recharges did not follow usage. This usually means the \
                 threshold at the provider is at or above what one recharge leaves (each recharge triggers the \
                 next), or the provider kept charging while the balance was not yet synchronized. Check the \
                 auto-recharge threshold and amount on the provider's billing page and count the matching \
                 charges on your card statement; turn auto-recharge off until the settings are right. The credit \
                 is not lost, it stays on the balance; if you were charged more than you meant to spend, ask the \
                 provider's support for a refund of the extra recharges. Do not buy credit by hand meanwhile.",
                money(added, currency),
                money(used, currency)
            ),
        }
        .finish(),
    )
}

/// A recharge that fired while the balance was above the threshold. The lowest the balance
/// can have been just before it: the previous day's closing balance, less what expired that
/// day, plus credit recorded earlier that day (by time), less all of that day's usage.
fn above_threshold(
    inputs: &FlagInputs,
    balance: &Balance,
    setting: &AutoRecharge,
    recharge: &BillingItem,
) -> Option<Flag> {
    let currency = &balance.currency;
    if !same_currency(&recharge.currency, currency) {
        return None;
    }
    let point = balance.days.iter().find(|d| d.day == recharge.day)?;
    let previous = recharge
        .day
        .pred_opt()
        .and_then(|p| balance.days.iter().find(|d| d.day == p))
        .map_or(Amount::ZERO, |d| d.balance);
    let time = recharge.time;
    let earlier = super::money::checked_sum(
        inputs
            .billing
            .iter()
            .filter(|b| b.id != recharge.id && b.day == recharge.day && adds_credit(b))
            .filter(|b| same_currency(&b.currency, currency))
            .filter(|b| matches!((b.time, time), (Some(t), Some(r)) if t < r))
            .filter(|b| inputs.resolve_account(&b.provider, &b.organization) == balance.account)
            .map(|b| b.amount.abs()),
    )?;
    let lowest = previous
        .checked_sub(point.expired)?
        .checked_add(earlier)?
        .checked_sub(point.usage)?
        .max(Amount::ZERO);
    if lowest <= setting.threshold {
        return None;
    }
    let label = balance.account.label();
    let amount = recharge.amount.abs();
    let threshold = money(setting.threshold, currency);
    Some(
        FlagDraft {
            kind: FlagKind::RunawayRecharge,
            severity: Severity::Warning,
            provider: balance.account.provider.clone(),
            date: recharge.day,
            amount: Some(amount),
            currency: currency.clone(),
            project: None,
            records: vec![recharge.record()],
            identity: None,
            message: format!(
                "An auto-recharge of {} to {label} on {} ran while the balance was still at least {}, above the {threshold} threshold",
                money(amount, currency),
                recharge.day,
                money(lowest, currency)
            ),
            diagnosis: format!(
                "Billing: by the imported records, the {label} balance stood at {} or more when this auto-recharge \
                 ran, even counting all of that day's usage before it, and the threshold set in burnrate is \
                 {threshold}. Either the threshold at the provider is higher than the one set here (check the \
                 auto-recharge settings on the provider's billing page, and correct burnrate's with `burnrate \
                 settings recharge`), or the provider charged on a balance it had not yet synchronized, or usage \
                 or credit records are missing (import the newest usage and billing exports). The credit is not \
                 lost: it stays on the balance. If the recharge was not wanted, ask the provider's support about a \
                 refund; do not buy credit by hand to make up for it.",
                money(lowest, currency)
            ),
        }
        .finish(),
    )
}

// ----- invoices -----

/// The calendar month (its first day) a monthly invoice dated `day` bills: providers issue
/// them in the first days of the next month, so an invoice dated on the 1st to the 15th bills
/// the month before, and one dated later bills its own month.
pub fn invoice_month(day: NaiveDate) -> NaiveDate {
    let first = day.with_day(1).unwrap_or(day);
    if day.day() <= 15 {
        first
            .checked_sub_months(chrono::Months::new(1))
            .unwrap_or(first)
    } else {
        first
    }
}

/// `invoice_mismatch`: a monthly invoice (paid or pending) that differs from the month's usage
/// cost of the same provider and account by more than `invoice_tolerance_percent` of the usage
/// and more than `invoice_tolerance_cents`. An invoice naming no organization (or one the
/// ledger cannot tell apart) is compared with all of the provider's usage. Judged only when
/// the imported usage of that provider reaches the month's last day, so a usage export that
/// stops early is not taken for a mismatch. Invoices of one account and month are added up.
pub fn invoice_mismatches(inputs: &FlagInputs, params: &FlagParams, as_of: NaiveDate) -> Vec<Flag> {
    let mut groups: BTreeMap<(AccountKey, NaiveDate, String), Vec<&BillingItem>> = BTreeMap::new();
    for b in inputs.billing.iter().filter(|b| {
        b.kind == BillingKind::Invoice
            && matches!(b.status, BillingStatus::Paid | BillingStatus::Pending)
            && b.day <= as_of
    }) {
        let account = inputs.resolve_account(&b.provider, &b.organization);
        let key = (
            account,
            invoice_month(b.day),
            b.currency.to_ascii_uppercase(),
        );
        groups.entry(key).or_default().push(b);
    }
    groups
        .into_iter()
        .filter_map(|((account, month, currency), invoices)| {
            invoice_flag(inputs, params, &account, month, &currency, &invoices)
        })
        .collect()
}

fn invoice_flag(
    inputs: &FlagInputs,
    params: &FlagParams,
    account: &AccountKey,
    month: NaiveDate,
    currency: &str,
    invoices: &[&BillingItem],
) -> Option<Flag> {
    let month_end = month
        .checked_add_months(chrono::Months::new(1))?
        .pred_opt()?;
    let whole_provider = account.organization.is_empty();
    let rows: Vec<&DailyUsage> = inputs
        .usage
        .iter()
        .filter(|u| u.account.provider == account.provider && same_currency(&u.currency, currency))
        .collect();
    rows.iter().any(|u| u.day >= month_end).then_some(())?;
    let in_month: Vec<&&DailyUsage> = rows
        .iter()
        .filter(|u| whole_provider || &u.account == account)
        .filter(|u| month <= u.day && u.day <= month_end)
        .collect();
    (!in_month.is_empty()).then_some(())?;
    let used = super::money::checked_sum(in_month.iter().map(|u| u.cost))?;
    let billed = super::money::checked_sum(invoices.iter().map(|b| b.amount.abs()))?;
    let diff = billed.checked_sub(used)?.abs();
    let tolerance = Amount::from_cents(params.invoice_tolerance_cents)?;
    let over_percent = i128::from(diff.nanos()) * 100
        > i128::from(used.nanos()) * i128::from(params.invoice_tolerance_percent);
    if diff <= tolerance || !over_percent {
        return None;
    }
    let first = invoices.first()?;
    let label = if whole_provider {
        account.provider.clone()
    } else {
        account.label()
    };
    let month_text = month.format("%Y-%m").to_string();
    let direction = if billed > used { "more" } else { "less" };
    let share = if used.is_zero() {
        String::new()
    } else {
        let tenths = i128::from(diff.nanos()) * 1_000 / i128::from(used.nanos());
        format!(" ({}.{}%)", tenths / 10, tenths % 10)
    };
    let mut records: Vec<String> = invoices.iter().map(|b| b.record()).collect();
    records.push(format!("usage:{month_text}:{label}"));
    Some(
        FlagDraft {
            kind: FlagKind::InvoiceMismatch,
            severity: Severity::Warning,
            provider: account.provider.clone(),
            date: first.day,
            amount: Some(diff),
            currency: currency.to_string(),
            project: None,
            records,
            identity: None,
            message: format!(
                "The {label} invoice for {month_text} is {} but that month's imported usage costs {}: {} {direction}{share}",
                money(billed, currency),
                money(used, currency),
                money(diff, currency)
            ),
            diagnosis: format!(
                "Billing misunderstanding: a monthly invoice bills the month's usage, less credits applied and plus \
                 taxes, so it should come close to the usage cost burnrate adds up from the usage export; here \
                 the invoice is {} {direction}. This is not a payment failure and not a balance problem. Check \
                 on the invoice its billing period (it may cover part of another month), taxes (VAT or sales \
                 tax), credits or discounts applied, and seats or subscriptions billed with it; then check that \
                 the usage export for {month_text} is complete and for the right organization (export the whole \
                 month again and import it). If the invoice bills usage you cannot find, send both to the \
                 provider's support before paying it.",
                money(diff, currency)
            ),
        }
        .finish(),
    )
}

// ----- organizations -----

/// `wrong_organization`: usage recorded in a named organization of a prepaid provider that has
/// no credit at all, on days when another named organization of the same provider held credit
/// (one flag per organization, from the first such day). Usage totalling less than
/// `wrong_org_min_cents` is not judged; providers billed by invoice are left out (usage without
/// credits is normal there).
pub fn wrong_organizations(
    inputs: &FlagInputs,
    params: &FlagParams,
    as_of: NaiveDate,
) -> Vec<Flag> {
    let Some(min_usage) = Amount::from_cents(params.wrong_org_min_cents) else {
        return Vec::new();
    };
    let with_credit: BTreeSet<AccountKey> =
        credit_lots(inputs).into_iter().map(|l| l.account).collect();
    let balances = prepaid_balances(inputs, as_of);
    let without_credit: BTreeSet<&AccountKey> = inputs
        .usage
        .iter()
        .map(|u| &u.account)
        .filter(|a| !a.organization.is_empty() && !with_credit.contains(*a))
        .collect();
    without_credit
        .into_iter()
        .filter_map(|account| {
            let others: Vec<&Balance> = balances
                .iter()
                .filter(|b| b.account.provider == account.provider)
                .filter(|b| !b.account.organization.is_empty() && &b.account != account)
                .collect();
            wrong_org_flag(inputs, account, &others, min_usage)
        })
        .collect()
}

fn wrong_org_flag(
    inputs: &FlagInputs,
    account: &AccountKey,
    others: &[&Balance],
    min_usage: Amount,
) -> Option<Flag> {
    let credit_on = |day: NaiveDate, currency: &str| -> Vec<&Balance> {
        others
            .iter()
            .copied()
            .filter(|b| same_currency(&b.currency, currency))
            .filter(|b| {
                b.days
                    .iter()
                    .find(|d| d.day == day)
                    .is_some_and(|d| !d.balance.is_zero())
            })
            .collect()
    };
    let mut days: Vec<&DailyUsage> = inputs
        .usage
        .iter()
        .filter(|u| &u.account == account && !u.cost.is_zero())
        .filter(|u| !credit_on(u.day, &u.currency).is_empty())
        .collect();
    days.sort_by_key(|u| u.day);
    let currency = days.first()?.currency.clone();
    days.retain(|u| same_currency(&u.currency, &currency));
    let first = days.first()?;
    let last = days.last()?;
    let total = super::money::checked_sum(days.iter().map(|u| u.cost))?;
    if total < min_usage {
        return None;
    }
    let holders = credit_on(first.day, &currency);
    let holder_labels: Vec<String> = holders.iter().map(|b| b.account.label()).collect();
    let held = super::money::checked_sum(holders.iter().filter_map(|b| {
        b.days
            .iter()
            .find(|d| d.day == first.day)
            .map(|d| d.balance)
    }))?;
    let label = account.label();
    let mut records: Vec<String> = days
        .iter()
        .map(|u| format!("usage:{}:{label}", u.day))
        .collect();
    records.extend(
        holders
            .iter()
            .flat_map(|b| b.lots.iter())
            .filter(|l| l.day <= last.day)
            .map(|l| l.record.clone()),
    );
    let holders_text = holder_labels.join(" and ");
    Some(
        FlagDraft {
            kind: FlagKind::WrongOrganization,
            severity: Severity::Warning,
            provider: account.provider.clone(),
            date: first.day,
            amount: Some(total),
            currency: currency.clone(),
            project: None,
            records,
            identity: Some(vec![format!("wrong_org:{label}")]),
            message: format!(
                "{} of usage was billed to {label}, which has no credits, from {} to {} while {holders_text} held {}",
                money(total, &currency),
                first.day,
                last.day,
                money(held, &currency)
            ),
            diagnosis: format!(
                "Billing misunderstanding: prepaid credits belong to one organization and pay only for the API keys \
                 and projects of that organization. {label} has no credits in the imported billing records, yet its \
                 keys ran up {}, while {holders_text} held credit. Those requests were either refused for \
                 insufficient quota (that is not a 429 rate limit) or billed to {label}'s own payment method. \
                 Check which organization each API key and project belongs to (the provider's API keys page, or \
                 the organization your code sends with each request) and move the keys to {holders_text}; if the \
                 credits were bought in the wrong organization, ask the provider's support to move them. Buying \
                 more credits is not the fix. If {label} has billing records that are not imported yet, import them.",
                money(total, &currency)
            ),
        }
        .finish(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::money::DecimalMark;

    fn d(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    fn usd(text: &str) -> Amount {
        Amount::parse(text, DecimalMark::Dot).unwrap()
    }

    /// `2026-03-05` (no time) or `2026-03-05 10:07`.
    fn when(text: &str) -> (NaiveDate, Option<NaiveTime>) {
        match text.split_once(' ') {
            Some((day, time)) => (
                d(day),
                Some(NaiveTime::parse_from_str(time, "%H:%M").unwrap()),
            ),
            None => (d(text), None),
        }
    }

    fn bill(
        id: i64,
        provider: &str,
        kind: BillingKind,
        status: BillingStatus,
        at: &str,
        amount: &str,
    ) -> BillingItem {
        let (day, time) = when(at);
        BillingItem {
            id,
            source_file_id: 1,
            provider: provider.into(),
            kind,
            status,
            day,
            time,
            amount: usd(amount),
            currency: "USD".into(),
            organization: String::new(),
            project: String::new(),
            expires_on: None,
        }
    }

    fn paid(id: i64, provider: &str, kind: BillingKind, at: &str, amount: &str) -> BillingItem {
        bill(id, provider, kind, BillingStatus::Paid, at, amount)
    }

    fn line(
        id: i64,
        file: i64,
        provider: Option<&str>,
        kind: Option<SpendKind>,
        status: BankStatus,
        at: &str,
        amount: &str,
    ) -> BankItem {
        let (day, time) = when(at);
        BankItem {
            id,
            source_file_id: file,
            provider: provider.map(String::from),
            spend_kind: kind,
            status: Some(status),
            day,
            time,
            amount: usd(amount),
            currency: "USD".into(),
            description: provider.unwrap_or("STARBUCKS").to_uppercase(),
        }
    }

    fn topup(id: i64, provider: &str, status: BankStatus, at: &str, amount: &str) -> BankItem {
        line(
            id,
            10,
            Some(provider),
            Some(SpendKind::ApiTopup),
            status,
            at,
            amount,
        )
    }

    fn coffee(id: i64, at: &str) -> BankItem {
        line(id, 10, None, None, BankStatus::Settled, at, "-4.36")
    }

    fn used(provider: &str, day: &str, cost: &str) -> DailyUsage {
        DailyUsage {
            account: AccountKey::new(provider, ""),
            day: d(day),
            cost: usd(cost),
            currency: "USD".into(),
        }
    }

    fn project_day(project: &str, day: NaiveDate, cost: &str) -> ProjectDay {
        ProjectDay {
            provider: "openai".into(),
            project: project.into(),
            day,
            cost: usd(cost),
            currency: "USD".into(),
        }
    }

    fn daily(project: &str, from: &str, days: usize, cost: &str) -> Vec<ProjectDay> {
        d(from)
            .iter_days()
            .take(days)
            .map(|day| project_day(project, day, cost))
            .collect()
    }

    use BankStatus::{Pending, Reversed, Settled};
    use BillingKind::{AutoRecharge, CreditPurchase, FreeCredit, Invoice, Subscription};

    type Want = Vec<(&'static str, &'static str, Vec<&'static str>)>;

    struct Case {
        name: &'static str,
        inputs: FlagInputs,
        as_of: &'static str,
        want: Want,
    }

    fn case(name: &'static str, inputs: FlagInputs, as_of: &'static str, want: Want) -> Case {
        Case {
            name,
            inputs,
            as_of,
            want,
        }
    }

    fn billing_only(billing: Vec<BillingItem>) -> FlagInputs {
        FlagInputs {
            billing,
            ..FlagInputs::default()
        }
    }

    fn bank_only(bank: Vec<BankItem>) -> FlagInputs {
        FlagInputs {
            bank,
            ..FlagInputs::default()
        }
    }

    fn shown(flags: &[Flag]) -> Vec<(String, String, Vec<String>)> {
        flags
            .iter()
            .map(|f| {
                (
                    f.kind.as_str().to_string(),
                    f.date.to_string(),
                    f.records.clone(),
                )
            })
            .collect()
    }

    fn run(cases: Vec<Case>) {
        let params = FlagParams::default();
        for c in cases {
            let got = detect(&c.inputs, &params, d(c.as_of));
            let want: Vec<(String, String, Vec<String>)> = c
                .want
                .iter()
                .map(|(k, day, r)| {
                    (
                        (*k).to_string(),
                        (*day).to_string(),
                        r.iter().map(|s| (*s).to_string()).collect(),
                    )
                })
                .collect();
            assert_eq!(shown(&got), want, "case: {}\n{got:#?}", c.name);
            for f in &got {
                let text = f.diagnosis.to_lowercase();
                assert!(
                    !text.contains("top up again")
                        && !text.contains("try again")
                        && !text.contains("retry the"),
                    "{}: {}",
                    c.name,
                    f.diagnosis
                );
                assert!(!f.message.contains('\n'), "{}", f.message);
            }
        }
    }

    #[test]
    #[expect(
        clippy::too_many_lines,
        reason = "a table of cases reads best in one place"
    )]
    fn duplicate_topups_and_their_look_alikes() {
        run(vec![
            case(
                "two purchases seven minutes apart",
                billing_only(vec![
                    paid(1, "openai", CreditPurchase, "2026-03-05 10:00", "20.00"),
                    paid(2, "openai", CreditPurchase, "2026-03-05 10:07", "20.00"),
                ]),
                "2026-03-10",
                vec![(
                    "duplicate_topup",
                    "2026-03-05",
                    vec!["billing:1", "billing:2"],
                )],
            ),
            case(
                "billing double and its two card charges are one event",
                FlagInputs {
                    billing: vec![
                        paid(1, "openai", CreditPurchase, "2026-03-05 10:00", "20.00"),
                        paid(2, "openai", CreditPurchase, "2026-03-05 10:05", "20.00"),
                    ],
                    bank: vec![
                        coffee(5, "2026-03-01"),
                        topup(6, "openai", Settled, "2026-03-06", "-20.00"),
                        topup(7, "openai", Settled, "2026-03-06", "-20.00"),
                        coffee(8, "2026-03-28"),
                    ],
                    ..FlagInputs::default()
                },
                "2026-03-30",
                vec![(
                    "duplicate_topup",
                    "2026-03-05",
                    vec!["bank:6", "bank:7", "billing:1", "billing:2"],
                )],
            ),
            case(
                "two card lines with dates only, same day",
                bank_only(vec![
                    topup(1, "mistral", Settled, "2026-03-05", "-50.00"),
                    topup(2, "mistral", Settled, "2026-03-05", "-50.00"),
                ]),
                "2026-03-10",
                vec![("duplicate_topup", "2026-03-05", vec!["bank:1", "bank:2"])],
            ),
            case(
                "identical top-ups a day apart after real usage",
                FlagInputs {
                    billing: vec![
                        paid(1, "openai", CreditPurchase, "2026-03-01", "20.00"),
                        paid(2, "openai", CreditPurchase, "2026-03-02", "20.00"),
                    ],
                    usage: vec![used("openai", "2026-03-01", "18.00")],
                    ..FlagInputs::default()
                },
                "2026-03-10",
                vec![],
            ),
            case(
                "two auto-recharges days apart",
                billing_only(vec![
                    paid(1, "openai", AutoRecharge, "2026-03-01 10:00", "10.00"),
                    paid(2, "openai", AutoRecharge, "2026-03-04 10:00", "10.00"),
                ]),
                "2026-03-10",
                vec![],
            ),
            case(
                "twenty minutes apart is two top-ups",
                billing_only(vec![
                    paid(1, "openai", CreditPurchase, "2026-03-05 10:00", "20.00"),
                    paid(2, "openai", CreditPurchase, "2026-03-05 10:20", "20.00"),
                ]),
                "2026-03-10",
                vec![],
            ),
            case(
                "a timed record and an untimed one are never paired",
                billing_only(vec![
                    paid(1, "openai", CreditPurchase, "2026-03-05 10:00", "20.00"),
                    paid(2, "openai", CreditPurchase, "2026-03-05", "20.00"),
                ]),
                "2026-03-10",
                vec![],
            ),
            case(
                "subscriptions recurring monthly, two seats on one day",
                FlagInputs {
                    billing: vec![
                        paid(1, "openai", Subscription, "2026-01-01", "20.00"),
                        paid(2, "openai", Subscription, "2026-02-01", "20.00"),
                        paid(3, "openai", Subscription, "2026-03-01", "20.00"),
                        paid(4, "openai", Subscription, "2026-03-01", "20.00"),
                    ],
                    bank: vec![
                        line(
                            5,
                            10,
                            Some("openai"),
                            Some(SpendKind::Subscription),
                            Settled,
                            "2026-01-02",
                            "-20.00",
                        ),
                        line(
                            6,
                            10,
                            Some("openai"),
                            Some(SpendKind::Subscription),
                            Settled,
                            "2026-02-02",
                            "-20.00",
                        ),
                        line(
                            7,
                            10,
                            Some("openai"),
                            Some(SpendKind::Subscription),
                            Settled,
                            "2026-03-02",
                            "-20.00",
                        ),
                        line(
                            8,
                            10,
                            Some("openai"),
                            Some(SpendKind::Subscription),
                            Settled,
                            "2026-03-02",
                            "-20.00",
                        ),
                    ],
                    ..FlagInputs::default()
                },
                "2026-03-31",
                vec![],
            ),
        ]);
    }

    #[test]
    fn holds_and_their_look_alikes() {
        let flags = detect(
            &bank_only(vec![topup(1, "openai", Pending, "2026-03-01", "-1.00")]),
            &FlagParams::default(),
            d("2026-03-12"),
        );
        assert!(
            flags[0].message.contains("verification hold"),
            "{}",
            flags[0].message
        );
        assert_eq!(flags[0].severity, Severity::Info);
        run(vec![
            case(
                "a charge pending for eleven days",
                bank_only(vec![topup(1, "openai", Pending, "2026-03-01", "-25.00")]),
                "2026-03-12",
                vec![("unsettled_hold", "2026-03-01", vec!["bank:1"])],
            ),
            case(
                "a verification hold never released",
                bank_only(vec![topup(1, "openai", Pending, "2026-03-01", "-1.00")]),
                "2026-03-12",
                vec![("unsettled_hold", "2026-03-01", vec!["bank:1"])],
            ),
            case(
                "a verification hold that was released",
                bank_only(vec![
                    topup(1, "openai", Pending, "2026-03-01", "-1.00"),
                    topup(2, "openai", Reversed, "2026-03-03", "-1.00"),
                ]),
                "2026-03-12",
                vec![],
            ),
            case(
                "a pending line only two days old",
                bank_only(vec![topup(1, "openai", Pending, "2026-03-10", "-25.00")]),
                "2026-03-12",
                vec![],
            ),
            case(
                "a pending line that later completed (with a tip-sized difference)",
                bank_only(vec![
                    topup(1, "openai", Pending, "2026-03-01", "-25.00"),
                    topup(2, "openai", Settled, "2026-03-03", "-26.50"),
                ]),
                "2026-03-12",
                vec![],
            ),
            case(
                "completed too late is not its settlement",
                bank_only(vec![
                    topup(1, "openai", Pending, "2026-03-01", "-25.00"),
                    topup(2, "openai", Settled, "2026-03-20", "-25.00"),
                ]),
                "2026-03-22",
                vec![("unsettled_hold", "2026-03-01", vec!["bank:1"])],
            ),
        ]);
    }

    #[test]
    fn charges_credits_and_failed_recharges() {
        let billing = [
            paid(1, "openai", CreditPurchase, "2026-03-01", "10.00"),
            paid(2, "openai", CreditPurchase, "2026-03-20", "10.00"),
        ];
        let bank = [
            topup(11, "openai", Settled, "2026-03-02", "-10.00"),
            topup(12, "openai", Settled, "2026-03-10", "-50.00"),
            topup(13, "openai", Settled, "2026-03-21", "-10.00"),
        ];
        let with = |extra: Vec<BankItem>| FlagInputs {
            billing: billing.to_vec(),
            bank: bank.iter().cloned().chain(extra).collect(),
            ..FlagInputs::default()
        };
        run(vec![
            case(
                "charged, no credit",
                with(vec![]),
                "2026-03-25",
                vec![("charge_without_credit", "2026-03-10", vec!["bank:12"])],
            ),
            case(
                "charged yesterday: still within the grace days",
                FlagInputs {
                    billing: billing.to_vec(),
                    bank: bank.iter().take(2).cloned().collect(),
                    ..FlagInputs::default()
                },
                "2026-03-11",
                vec![],
            ),
            case(
                "a charge after the billing file ends is not judged",
                with(vec![topup(14, "openai", Settled, "2026-03-25", "-30.00")]),
                "2026-03-30",
                vec![("charge_without_credit", "2026-03-10", vec!["bank:12"])],
            ),
            case(
                "no billing records at all: top-ups are inferred lots",
                bank_only(vec![topup(12, "openai", Settled, "2026-03-10", "-50.00")]),
                "2026-03-25",
                vec![],
            ),
            case(
                "credit bought, no card line on a statement covering it",
                FlagInputs {
                    billing: vec![paid(1, "openai", CreditPurchase, "2026-03-10", "30.00")],
                    bank: vec![coffee(5, "2026-03-01"), coffee(6, "2026-03-31")],
                    ..FlagInputs::default()
                },
                "2026-04-01",
                vec![("credit_without_charge", "2026-03-10", vec!["billing:1"])],
            ),
            case(
                "credit bought before the statements begin",
                FlagInputs {
                    billing: vec![paid(1, "openai", CreditPurchase, "2026-03-10", "30.00")],
                    bank: vec![coffee(5, "2026-03-15"), coffee(6, "2026-03-31")],
                    ..FlagInputs::default()
                },
                "2026-04-01",
                vec![],
            ),
            case(
                "a failed auto-recharge",
                billing_only(vec![
                    paid(1, "openai", AutoRecharge, "2026-03-01 09:00", "10.00"),
                    bill(
                        2,
                        "openai",
                        AutoRecharge,
                        BillingStatus::Failed,
                        "2026-03-08 09:00",
                        "10.00",
                    ),
                ]),
                "2026-03-10",
                vec![("recharge_failed", "2026-03-08", vec!["billing:2"])],
            ),
        ]);
    }

    #[test]
    fn balance_depleted_and_credits_expiring() {
        let mut free = paid(3, "openai", FreeCredit, "2026-03-01", "5.00");
        free.expires_on = Some(d("2026-03-20"));
        let mut far = paid(4, "openai", FreeCredit, "2026-03-01", "5.00");
        far.expires_on = Some(d("2026-05-01"));
        run(vec![
            case(
                "ran out twice",
                FlagInputs {
                    billing: vec![
                        paid(1, "openai", CreditPurchase, "2026-03-01", "10.00"),
                        paid(2, "openai", CreditPurchase, "2026-03-06", "10.00"),
                    ],
                    usage: vec![
                        used("openai", "2026-03-02", "6.00"),
                        used("openai", "2026-03-03", "6.00"),
                        used("openai", "2026-03-04", "2.00"),
                        used("openai", "2026-03-07", "12.00"),
                    ],
                    ..FlagInputs::default()
                },
                "2026-03-08",
                vec![
                    (
                        "balance_depleted",
                        "2026-03-03",
                        vec!["usage:2026-03-03:openai", "usage:2026-03-04:openai"],
                    ),
                    (
                        "balance_depleted",
                        "2026-03-07",
                        vec!["usage:2026-03-07:openai"],
                    ),
                ],
            ),
            case(
                "used exactly to zero, then nothing",
                FlagInputs {
                    billing: vec![paid(1, "openai", CreditPurchase, "2026-03-01", "10.00")],
                    usage: vec![used("openai", "2026-03-02", "10.00")],
                    ..FlagInputs::default()
                },
                "2026-03-08",
                vec![],
            ),
            case(
                "a post-paid provider billed by invoice has no balance to deplete",
                FlagInputs {
                    billing: vec![
                        paid(1, "anthropic", FreeCredit, "2026-03-01", "5.00"),
                        bill(
                            2,
                            "anthropic",
                            Invoice,
                            BillingStatus::Pending,
                            "2026-03-31",
                            "30.00",
                        ),
                    ],
                    usage: vec![used("anthropic", "2026-03-02", "30.00")],
                    ..FlagInputs::default()
                },
                "2026-04-02",
                vec![],
            ),
            case(
                "free credit expiring in 15 days, another in 57",
                billing_only(vec![free.clone(), far]),
                "2026-03-05",
                vec![("credits_expiring", "2026-03-20", vec!["billing:3"])],
            ),
            case(
                "an expiring lot already used up",
                FlagInputs {
                    billing: vec![free],
                    usage: vec![used("openai", "2026-03-02", "5.00")],
                    ..FlagInputs::default()
                },
                "2026-03-05",
                vec![],
            ),
        ]);
    }

    #[test]
    fn spikes_and_budgets() {
        let spike_day = d("2026-03-21");
        let project = |rows: Vec<ProjectDay>| FlagInputs {
            project_usage: rows,
            ..FlagInputs::default()
        };
        let with_day = |cost: &str| {
            let mut rows = daily("Web app", "2026-03-01", 20, "1.00");
            rows.push(project_day("Web app", spike_day, cost));
            project(rows)
        };
        let budget = |monthly: &str| Budget {
            scope: BudgetScope::Project,
            name: "Web app".into(),
            monthly: usd(monthly),
            currency: "USD".into(),
        };
        let budgeted = |monthly: &str| FlagInputs {
            project_usage: daily("Web app", "2026-03-01", 12, "10.00"),
            budgets: vec![budget(monthly)],
            ..FlagInputs::default()
        };
        run(vec![
            case(
                "15.00 against a 1.00 median",
                with_day("15.00"),
                "2026-03-25",
                vec![(
                    "spend_spike",
                    "2026-03-21",
                    vec!["usage:2026-03-21:Web app"],
                )],
            ),
            case(
                "above 3x but under $10",
                with_day("3.50"),
                "2026-03-25",
                vec![],
            ),
            case(
                "15.00 against a 6.00 median",
                project(
                    daily("Web app", "2026-03-01", 20, "6.00")
                        .into_iter()
                        .chain([project_day("Web app", spike_day, "15.00")])
                        .collect(),
                ),
                "2026-03-25",
                vec![],
            ),
            case(
                "a new project without two weeks of history",
                project(vec![project_day("Batch", spike_day, "80.00")]),
                "2026-03-25",
                vec![],
            ),
            case(
                "the spike is after the as-of date",
                with_day("15.00"),
                "2026-03-20",
                vec![],
            ),
            case(
                "budget of 100.00 exceeded on the 11th",
                budgeted("100.00"),
                "2026-03-12",
                vec![(
                    "budget_exceeded",
                    "2026-03-11",
                    vec!["budget:project:Web app:2026-03:100"],
                )],
            ),
            case(
                "80% of the budget reached on the 8th",
                budgeted("100.00"),
                "2026-03-09",
                vec![(
                    "budget_exceeded",
                    "2026-03-08",
                    vec!["budget:project:Web app:2026-03:80"],
                )],
            ),
            case(
                "well within budget",
                budgeted("500.00"),
                "2026-03-12",
                vec![],
            ),
        ]);
        let flags = detect(&budgeted("100.00"), &FlagParams::default(), d("2026-03-09"));
        assert_eq!(flags[0].severity, Severity::Warning);
        assert_eq!(flags[0].project.as_deref(), Some("Web app"));
        assert_eq!(flags[0].amount, Some(usd("90.00")));
    }

    #[test]
    fn ids_are_stable_and_params_read_partial_json() {
        let inputs = bank_only(vec![topup(1, "openai", Pending, "2026-03-01", "-25.00")]);
        let a = detect(&inputs, &FlagParams::default(), d("2026-03-12"));
        let b = detect(&inputs, &FlagParams::default(), d("2026-03-20"));
        assert_eq!(a[0].id, b[0].id);
        assert_eq!(a[0].id.len(), 16);
        let params: FlagParams = serde_json::from_str(r#"{"hold_age_days": 30}"#).unwrap();
        assert_eq!(params.hold_age_days, 30);
        assert_eq!(params.spike_factor, 3);
        assert!(detect(&inputs, &params, d("2026-03-20")).is_empty());
    }

    #[test]
    fn organizations_written_as_id_or_name_are_one_account() {
        let inputs = FlagInputs {
            usage: vec![DailyUsage {
                account: AccountKey::new("openai", "Acme"),
                day: d("2026-03-01"),
                cost: usd("1.00"),
                currency: "USD".into(),
            }],
            organizations: vec![OrgAlias {
                provider: "openai".into(),
                id: "org-acme".into(),
                name: "Acme".into(),
            }],
            ..FlagInputs::default()
        };
        assert_eq!(
            inputs.resolve_account("openai", "ORG-ACME").organization,
            "Acme"
        );
        assert_eq!(inputs.resolve_account("openai", "").organization, "Acme");
        assert_eq!(
            inputs.resolve_account("openai", "Other").organization,
            "Other"
        );
    }
}

/// Tests of `runaway_recharge`, `invoice_mismatch`, `wrong_organization` and the thresholds by
/// name, each with the look-alikes that must not raise it.
#[cfg(test)]
mod recharge_invoice_org_tests {
    use super::*;
    use crate::domain::money::DecimalMark;
    use BillingKind::{AutoRecharge as Auto, CreditPurchase, Invoice};

    fn d(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    fn usd(text: &str) -> Amount {
        Amount::parse(text, DecimalMark::Dot).unwrap()
    }

    /// A paid billing record; `at` is `2026-03-05` or `2026-03-05 10:07`.
    fn bill(
        id: i64,
        provider: &str,
        org: &str,
        kind: BillingKind,
        at: &str,
        amount: &str,
    ) -> BillingItem {
        let (day, time) = match at.split_once(' ') {
            Some((day, time)) => (d(day), NaiveTime::parse_from_str(time, "%H:%M").ok()),
            None => (d(at), None),
        };
        BillingItem {
            id,
            source_file_id: 1,
            provider: provider.into(),
            kind,
            status: BillingStatus::Paid,
            day,
            time,
            amount: usd(amount),
            currency: "USD".into(),
            organization: org.into(),
            project: String::new(),
            expires_on: None,
        }
    }

    fn openai(id: i64, kind: BillingKind, at: &str, amount: &str) -> BillingItem {
        bill(id, "openai", "", kind, at, amount)
    }

    fn used(provider: &str, org: &str, day: &str, cost: &str) -> DailyUsage {
        DailyUsage {
            account: AccountKey::new(provider, org),
            day: d(day),
            cost: usd(cost),
            currency: "USD".into(),
        }
    }

    /// The same cost every day from `from` through `to`.
    fn every_day(provider: &str, org: &str, from: &str, to: &str, cost: &str) -> Vec<DailyUsage> {
        d(from)
            .iter_days()
            .take_while(|day| *day <= d(to))
            .map(|day| used(provider, org, &day.to_string(), cost))
            .collect()
    }

    fn recharge_at(threshold: &str, amount: &str) -> Vec<AutoRecharge> {
        vec![AutoRecharge {
            account: AccountKey::new("openai", ""),
            threshold: usd(threshold),
            amount: usd(amount),
            monthly_cap: None,
        }]
    }

    struct Case {
        name: &'static str,
        inputs: FlagInputs,
        as_of: &'static str,
        want: Vec<(&'static str, &'static str, Vec<&'static str>)>,
    }

    fn run(kinds: &[FlagKind], cases: Vec<Case>) {
        for c in cases {
            let got: Vec<Flag> = detect(&c.inputs, &FlagParams::default(), d(c.as_of))
                .into_iter()
                .filter(|f| kinds.contains(&f.kind))
                .collect();
            let shown: Vec<(String, String, Vec<String>)> = got
                .iter()
                .map(|f| {
                    (
                        f.kind.as_str().to_string(),
                        f.date.to_string(),
                        f.records.clone(),
                    )
                })
                .collect();
            let want: Vec<(String, String, Vec<String>)> = c
                .want
                .iter()
                .map(|(k, day, r)| {
                    let mut r: Vec<String> = r.iter().map(|s| (*s).to_string()).collect();
                    r.sort();
                    ((*k).to_string(), (*day).to_string(), r)
                })
                .collect();
            assert_eq!(shown, want, "case: {}\n{got:#?}", c.name);
            for f in &got {
                let text = f.diagnosis.to_lowercase();
                assert!(
                    !text.contains("top up again")
                        && !text.contains("try again")
                        && !text.contains("retry the"),
                    "{}: {}",
                    c.name,
                    f.diagnosis
                );
                assert!(!f.message.contains('\n'), "{}", f.message);
                assert_eq!(f.id.len(), 16);
            }
        }
    }

    #[test]
    #[expect(
        clippy::too_many_lines,
        reason = "a table of cases reads best in one place"
    )]
    fn runaway_recharges_and_their_look_alikes() {
        let kinds = [FlagKind::RunawayRecharge, FlagKind::DuplicateTopup];
        run(
            &kinds,
            vec![
                Case {
                    name: "four recharges in two hours while 5.00 was used",
                    inputs: FlagInputs {
                        billing: vec![
                            openai(1, CreditPurchase, "2026-03-01", "50.00"),
                            openai(2, Auto, "2026-03-05 10:00", "20.00"),
                            openai(3, Auto, "2026-03-05 10:30", "20.00"),
                            openai(4, Auto, "2026-03-05 11:00", "20.00"),
                            openai(5, Auto, "2026-03-05 12:00", "20.00"),
                        ],
                        usage: vec![used("openai", "", "2026-03-05", "5.00")],
                        ..FlagInputs::default()
                    },
                    as_of: "2026-03-10",
                    want: vec![(
                        "runaway_recharge",
                        "2026-03-05",
                        vec![
                            "billing:2",
                            "billing:3",
                            "billing:4",
                            "billing:5",
                            "usage:2026-03-05:openai",
                        ],
                    )],
                },
                Case {
                    name: "four recharges in a busy day that used them",
                    inputs: FlagInputs {
                        billing: vec![
                            openai(2, Auto, "2026-03-05 10:00", "20.00"),
                            openai(3, Auto, "2026-03-05 12:30", "20.00"),
                            openai(4, Auto, "2026-03-05 15:00", "20.00"),
                            openai(5, Auto, "2026-03-05 18:00", "20.00"),
                        ],
                        usage: vec![used("openai", "", "2026-03-05", "70.00")],
                        ..FlagInputs::default()
                    },
                    as_of: "2026-03-10",
                    want: vec![],
                },
                Case {
                    name: "three recharges in a day are not more than three",
                    inputs: FlagInputs {
                        billing: vec![
                            openai(2, Auto, "2026-03-05 10:00", "20.00"),
                            openai(3, Auto, "2026-03-05 12:30", "20.00"),
                            openai(4, Auto, "2026-03-05 15:00", "20.00"),
                        ],
                        ..FlagInputs::default()
                    },
                    as_of: "2026-03-10",
                    want: vec![],
                },
                Case {
                    name: "four recharges spread over four days",
                    inputs: FlagInputs {
                        billing: vec![
                            openai(2, Auto, "2026-03-02 10:00", "20.00"),
                            openai(3, Auto, "2026-03-03 11:00", "20.00"),
                            openai(4, Auto, "2026-03-04 12:00", "20.00"),
                            openai(5, Auto, "2026-03-05 13:00", "20.00"),
                        ],
                        ..FlagInputs::default()
                    },
                    as_of: "2026-03-10",
                    want: vec![],
                },
                Case {
                    // 25.00 left on 02-28; 03-01 uses 18.00 (lowest before the recharge: 7.00,
                    // below 10.00); then 27, 19, 11, and 03-04 uses 8.00 (lowest 3.00).
                    name: "two auto-recharges days apart with real usage between",
                    inputs: FlagInputs {
                        billing: vec![
                            openai(1, CreditPurchase, "2026-02-28", "25.00"),
                            openai(2, Auto, "2026-03-01 10:00", "20.00"),
                            openai(3, Auto, "2026-03-04 10:00", "20.00"),
                        ],
                        usage: vec![
                            used("openai", "", "2026-03-01", "18.00"),
                            used("openai", "", "2026-03-02", "8.00"),
                            used("openai", "", "2026-03-03", "8.00"),
                            used("openai", "", "2026-03-04", "8.00"),
                        ],
                        auto_recharges: recharge_at("10.00", "20.00"),
                        ..FlagInputs::default()
                    },
                    as_of: "2026-03-10",
                    want: vec![],
                },
                Case {
                    // 100.00 bought, 5.00 used on 03-02 and 03-03: at least 90.00 left when the
                    // recharge ran on 03-03, far above 10.00.
                    name: "a recharge while the balance was far above the threshold",
                    inputs: FlagInputs {
                        billing: vec![
                            openai(1, CreditPurchase, "2026-03-01", "100.00"),
                            openai(2, Auto, "2026-03-03 09:00", "20.00"),
                        ],
                        usage: vec![
                            used("openai", "", "2026-03-02", "5.00"),
                            used("openai", "", "2026-03-03", "5.00"),
                        ],
                        auto_recharges: recharge_at("10.00", "20.00"),
                        ..FlagInputs::default()
                    },
                    as_of: "2026-03-10",
                    want: vec![("runaway_recharge", "2026-03-03", vec!["billing:2"])],
                },
                Case {
                    name: "the same recharge with no threshold set is not judged",
                    inputs: FlagInputs {
                        billing: vec![
                            openai(1, CreditPurchase, "2026-03-01", "100.00"),
                            openai(2, Auto, "2026-03-03 09:00", "20.00"),
                        ],
                        usage: vec![used("openai", "", "2026-03-03", "5.00")],
                        ..FlagInputs::default()
                    },
                    as_of: "2026-03-10",
                    want: vec![],
                },
                Case {
                    // 12.00 left, 5.00 used that day: the 09:00 recharge was due (7.00 < 10.00);
                    // the 09:06 one ran on at least 12 + 20 - 5 = 27.00.
                    name: "the second of two recharges minutes apart",
                    inputs: FlagInputs {
                        billing: vec![
                            openai(1, CreditPurchase, "2026-03-01", "17.00"),
                            openai(2, Auto, "2026-03-02 09:00", "20.00"),
                            openai(3, Auto, "2026-03-02 09:06", "20.00"),
                        ],
                        usage: vec![
                            used("openai", "", "2026-03-01", "5.00"),
                            used("openai", "", "2026-03-02", "5.00"),
                        ],
                        auto_recharges: recharge_at("10.00", "20.00"),
                        ..FlagInputs::default()
                    },
                    as_of: "2026-03-10",
                    want: vec![
                        (
                            "duplicate_topup",
                            "2026-03-02",
                            vec!["billing:2", "billing:3"],
                        ),
                        ("runaway_recharge", "2026-03-02", vec!["billing:3"]),
                    ],
                },
            ],
        );
    }

    fn anthropic_invoice(id: i64, at: &str, amount: &str) -> BillingItem {
        let mut b = bill(id, "anthropic", "", Invoice, at, amount);
        b.status = BillingStatus::Pending;
        b
    }

    #[test]
    fn invoice_mismatches_and_their_look_alikes() {
        // March: 100.00 a day, 3100.00 in all; the export goes on into April.
        let march = every_day("anthropic", "", "2026-03-01", "2026-04-03", "100.00");
        let with = |billing: Vec<BillingItem>, usage: &[DailyUsage]| FlagInputs {
            billing,
            usage: usage.to_vec(),
            ..FlagInputs::default()
        };
        run(
            &[FlagKind::InvoiceMismatch],
            vec![
                Case {
                    name: "an April 1 invoice of 3200.00 for 3100.00 of March usage (3.2%)",
                    inputs: with(vec![anthropic_invoice(1, "2026-04-01", "3200.00")], &march),
                    as_of: "2026-04-05",
                    want: vec![(
                        "invoice_mismatch",
                        "2026-04-01",
                        vec!["billing:1", "usage:2026-03:anthropic"],
                    )],
                },
                Case {
                    name: "an invoice matching usage within 2% (3150.00, 1.6%)",
                    inputs: with(vec![anthropic_invoice(1, "2026-04-01", "3150.00")], &march),
                    as_of: "2026-04-05",
                    want: vec![],
                },
                Case {
                    name: "a small month: 2% off but under one dollar",
                    inputs: with(
                        vec![anthropic_invoice(1, "2026-04-01", "31.90")],
                        &every_day("anthropic", "", "2026-03-01", "2026-04-01", "1.00")[..],
                    ),
                    as_of: "2026-04-05",
                    want: vec![],
                },
                Case {
                    name: "an invoice dated on the last day bills its own month",
                    inputs: with(vec![anthropic_invoice(1, "2026-03-31", "2500.00")], &march),
                    as_of: "2026-04-05",
                    want: vec![(
                        "invoice_mismatch",
                        "2026-03-31",
                        vec!["billing:1", "usage:2026-03:anthropic"],
                    )],
                },
                Case {
                    name: "usage imported only up to March 25 is not judged",
                    inputs: with(
                        vec![anthropic_invoice(1, "2026-04-01", "3200.00")],
                        &march[..25],
                    ),
                    as_of: "2026-04-05",
                    want: vec![],
                },
                Case {
                    name: "an invoice for a month without any usage imported",
                    inputs: with(vec![anthropic_invoice(1, "2026-04-01", "3200.00")], &[]),
                    as_of: "2026-04-05",
                    want: vec![],
                },
            ],
        );
        let flags = detect(
            &with(vec![anthropic_invoice(1, "2026-04-01", "3200.00")], &march),
            &FlagParams::default(),
            d("2026-04-05"),
        );
        assert_eq!(flags[0].amount, Some(usd("100.00")));
        assert!(flags[0].message.contains("(3.2%)"), "{}", flags[0].message);
        assert_eq!(invoice_month(d("2026-01-03")), d("2025-12-01"));
        assert_eq!(invoice_month(d("2026-02-28")), d("2026-02-01"));
    }

    #[test]
    fn invoices_compare_with_their_own_organization() {
        // Acme used 10.00 a day (310.00 in March), Beta 5.00 a day; Acme's invoice is right.
        let mut usage = every_day("openai", "Acme", "2026-03-01", "2026-04-01", "10.00");
        usage.extend(every_day(
            "openai",
            "Beta",
            "2026-03-01",
            "2026-04-01",
            "5.00",
        ));
        let inputs = FlagInputs {
            billing: vec![bill(1, "openai", "Acme", Invoice, "2026-04-01", "310.00")],
            usage,
            ..FlagInputs::default()
        };
        let flags = detect(&inputs, &FlagParams::default(), d("2026-04-05"));
        assert!(
            flags.iter().all(|f| f.kind != FlagKind::InvoiceMismatch),
            "{flags:#?}"
        );
    }

    #[test]
    #[expect(
        clippy::too_many_lines,
        reason = "a table of cases reads best in one place"
    )]
    fn wrong_organizations_and_their_look_alikes() {
        let acme_credit = bill(1, "openai", "Acme", CreditPurchase, "2026-03-01", "50.00");
        let acme_use = used("openai", "Acme", "2026-03-02", "1.00");
        let beta_use = every_day("openai", "Beta", "2026-03-02", "2026-03-04", "3.00");
        run(
            &[FlagKind::WrongOrganization],
            vec![
                Case {
                    name: "Beta's keys used 9.00 while the credit sat in Acme",
                    inputs: FlagInputs {
                        billing: vec![acme_credit.clone()],
                        usage: [vec![acme_use.clone()], beta_use.clone()].concat(),
                        ..FlagInputs::default()
                    },
                    as_of: "2026-03-10",
                    want: vec![(
                        "wrong_organization",
                        "2026-03-02",
                        vec![
                            "billing:1",
                            "usage:2026-03-02:openai/Beta",
                            "usage:2026-03-03:openai/Beta",
                            "usage:2026-03-04:openai/Beta",
                        ],
                    )],
                },
                Case {
                    name: "usage in an organization that has its own credits",
                    inputs: FlagInputs {
                        billing: vec![
                            acme_credit.clone(),
                            bill(2, "openai", "Beta", CreditPurchase, "2026-03-01", "20.00"),
                        ],
                        usage: [vec![acme_use.clone()], beta_use.clone()].concat(),
                        ..FlagInputs::default()
                    },
                    as_of: "2026-03-10",
                    want: vec![],
                },
                Case {
                    name: "usage before the other organization had any credit",
                    inputs: FlagInputs {
                        billing: vec![bill(
                            1,
                            "openai",
                            "Acme",
                            CreditPurchase,
                            "2026-03-06",
                            "50.00",
                        )],
                        usage: [
                            vec![used("openai", "Acme", "2026-03-06", "1.00")],
                            beta_use.clone(),
                        ]
                        .concat(),
                        ..FlagInputs::default()
                    },
                    as_of: "2026-03-10",
                    want: vec![],
                },
                Case {
                    name: "a few cents of usage are not judged",
                    inputs: FlagInputs {
                        billing: vec![acme_credit.clone()],
                        usage: vec![
                            acme_use.clone(),
                            used("openai", "Beta", "2026-03-03", "0.40"),
                        ],
                        ..FlagInputs::default()
                    },
                    as_of: "2026-03-10",
                    want: vec![],
                },
                Case {
                    name: "a provider billed by invoice has no prepaid credits to misplace",
                    inputs: FlagInputs {
                        billing: vec![
                            bill(
                                1,
                                "openai",
                                "Acme",
                                BillingKind::FreeCredit,
                                "2026-03-01",
                                "50.00",
                            ),
                            bill(2, "openai", "Beta", Invoice, "2026-04-01", "9.00"),
                        ],
                        usage: [vec![acme_use.clone()], beta_use.clone()].concat(),
                        ..FlagInputs::default()
                    },
                    as_of: "2026-04-05",
                    want: vec![],
                },
            ],
        );
        let flags = detect(
            &FlagInputs {
                billing: vec![acme_credit],
                usage: [vec![acme_use], beta_use].concat(),
                ..FlagInputs::default()
            },
            &FlagParams::default(),
            d("2026-03-20"),
        );
        assert_eq!(flags[0].amount, Some(usd("9.00")));
        assert!(
            flags[0].message.contains("openai/Acme held 49.00 USD"),
            "{}",
            flags[0].message
        );
    }

    #[test]
    fn recharge_settings_resolve_accounts_and_history_leaves_out_purchases() {
        let inputs = FlagInputs {
            billing: vec![
                bill(
                    1,
                    "openai",
                    "org-acme",
                    CreditPurchase,
                    "2026-03-01",
                    "100.00",
                ),
                bill(2, "openai", "Acme", Auto, "2026-03-05 10:00", "20.00"),
                bill(3, "openai", "Beta", Auto, "2026-03-06 10:00", "20.00"),
            ],
            usage: vec![
                used("openai", "Acme", "2026-03-01", "1.00"),
                used("openai", "Beta", "2026-03-01", "1.00"),
            ],
            organizations: vec![OrgAlias {
                provider: "openai".into(),
                id: "org-acme".into(),
                name: "Acme".into(),
            }],
            auto_recharges: vec![AutoRecharge {
                account: AccountKey::new("openai", "ORG-ACME"),
                threshold: usd("10"),
                amount: usd("20"),
                monthly_cap: Some(usd("40")),
            }],
            ..FlagInputs::default()
        };
        let acme = AccountKey::new("openai", "Acme");
        assert_eq!(
            inputs.auto_recharge_for(&acme).map(|r| r.amount),
            Some(usd("20"))
        );
        assert!(
            inputs
                .auto_recharge_for(&AccountKey::new("openai", "Beta"))
                .is_none()
        );
        assert_eq!(
            inputs.auto_recharge_history(&acme),
            vec![(d("2026-03-05"), usd("20.00"))]
        );
    }

    #[test]
    fn thresholds_by_name() {
        let mut params = FlagParams::default();
        let json = serde_json::to_value(&params).unwrap();
        let fields: Vec<&String> = json.as_object().unwrap().keys().collect();
        let mut names: Vec<&str> = PARAM_SPECS.iter().map(|s| s.name).collect();
        names.sort_unstable();
        let mut fields: Vec<&str> = fields.iter().map(|s| s.as_str()).collect();
        fields.sort_unstable();
        assert_eq!(names, fields, "every FlagParams field needs a ParamSpec");
        for spec in PARAM_SPECS {
            let value = params.get(spec.name).unwrap();
            assert!(
                (spec.min..=spec.max).contains(&value),
                "{} default out of range",
                spec.name
            );
        }
        params.set("spike_factor", " 5 ").unwrap();
        assert_eq!(params.spike_factor, 5);
        assert!(matches!(
            params.set("spike_factor", "0"),
            Err(ParamError::OutOfRange { .. })
        ));
        assert!(matches!(
            params.set("spike_factor", "2.5"),
            Err(ParamError::OutOfRange { .. })
        ));
        assert!(matches!(
            params.set("hold_age_days", "-1"),
            Err(ParamError::OutOfRange { .. })
        ));
        let unknown = params.set("spike_min_amount", "10").unwrap_err();
        assert!(unknown.to_string().contains("spike_min_cents"), "{unknown}");
        assert_eq!(params.spike_factor, 5);
    }
}
