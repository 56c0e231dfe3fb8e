//! The ledger as judgement reads it: one [`Snapshot`] of every bank and card line, billing
//! record and day of usage, with the settings and decisions that change what they mean (budgets,
//! auto-recharges, exchange rates, issuer references, the user's match decisions). The store
//! loads it once; matching, the flags, the doctor and the balance projection all read the same
//! snapshot, cut at an as-of date with [`Snapshot::up_to`].
//!
//! Also here, once each: what a top-up line is ([`BankItem::is_topup`], money out tagged as API
//! credit), where a line stands ([`BankItem::status`]), which billing records add credit or move
//! money, how an organization written as an id or a name resolves to one account, and the credit
//! lots balances are built from. Nothing here judges a record, and nothing here depends on the
//! matching rule or the detectors (they depend on this).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};

use super::balance::{AccountKey, AutoRecharge, Checkpoint, CreditLot, DailyUsage, LotKind};
use super::billing_details::ReceiptFacts;
use super::fx::Rate;
use super::money::{Amount, Currency};
use super::records::{BankStatus, BillingKind, BillingStatus, SpendKind};

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
    pub currency: Currency,
    pub description: String,
    /// The last four digits of the card whose statement holds the line; empty when the
    /// statement does not say (see [`super::billing_details::statement_card`]).
    pub card_last4: String,
}

impl BankItem {
    pub fn record(&self) -> String {
        format!("bank:{}", self.id)
    }

    /// The money that left the account (`None` for money in).
    pub fn outflow(&self) -> Option<Amount> {
        self.amount.is_negative().then(|| self.amount.abs())
    }

    /// Where the line stands; a statement that says nothing about it is read as settled.
    pub fn status(&self) -> BankStatus {
        self.status.unwrap_or(BankStatus::Settled)
    }

    /// An API top-up: money out to a provider, tagged as buying API credit. The one definition
    /// the flags, the doctor and the balance use (a refund of a top-up is money in, not one).
    pub fn is_topup(&self) -> bool {
        self.spend_kind == Some(SpendKind::ApiTopup)
            && self.provider.is_some()
            && self.amount.is_negative()
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
    pub currency: Currency,
    pub organization: String,
    pub project: String,
    pub expires_on: Option<NaiveDate>,
    /// What its receipt said (credit granted, card, what an invoice bills); defaults for a
    /// typed record.
    pub receipt: ReceiptFacts,
}

impl BillingItem {
    pub fn record(&self) -> String {
        format!("billing:{}", self.id)
    }

    /// A credit purchase or an auto-recharge, whatever its status (callers add their own
    /// status rule).
    pub fn buys_credit(&self) -> bool {
        matches!(
            self.kind,
            BillingKind::CreditPurchase | BillingKind::AutoRecharge
        )
    }

    /// A top-up that went through or is going through (paid or pending).
    pub fn is_topup(&self) -> bool {
        self.buys_credit() && matches!(self.status, BillingStatus::Paid | BillingStatus::Pending)
    }

    /// An auto-recharge the provider was paid for.
    pub fn is_paid_auto_recharge(&self) -> bool {
        self.kind == BillingKind::AutoRecharge && self.status == BillingStatus::Paid
    }

    /// Whether the record moved money between a card and a provider (what a bank line can
    /// pay): a paid or refunded purchase, recharge, subscription, invoice or refund.
    pub fn moves_money(&self) -> bool {
        matches!(
            self.kind,
            BillingKind::CreditPurchase
                | BillingKind::AutoRecharge
                | BillingKind::Subscription
                | BillingKind::Invoice
                | BillingKind::Refund
        ) && matches!(self.status, BillingStatus::Paid | BillingStatus::Refunded)
            && !self.amount.is_zero()
    }

    /// An invoice no receipt or bank line has proven paid yet (it says "Amount due" even when
    /// the card was charged): a bank line may pay it.
    pub fn awaits_payment(&self) -> bool {
        self.kind == BillingKind::Invoice && self.status == BillingStatus::Pending
    }

    /// The kind the record is paid as: what an invoice waiting for payment bills (a credit
    /// purchase, a subscription), else its own kind.
    pub fn billed_kind(&self) -> BillingKind {
        self.receipt
            .invoice_for
            .filter(|_| self.awaits_payment())
            .unwrap_or(self.kind)
    }

    /// The credit the record adds when it adds any: the credit granted, which excludes tax,
    /// else the amount.
    pub fn credit_granted(&self) -> Amount {
        self.receipt.credit.unwrap_or(self.amount).abs()
    }

    /// Whether the record adds credit to a balance (as [`credit_lots`] counts it).
    pub fn adds_credit(&self) -> bool {
        match self.kind {
            BillingKind::CreditPurchase | BillingKind::AutoRecharge => {
                self.status == BillingStatus::Paid
            }
            BillingKind::FreeCredit => {
                !matches!(self.status, BillingStatus::Failed | BillingStatus::Void)
            }
            _ => false,
        }
    }
}

/// What an imported file holds, for judging whether it should show a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FileKind {
    /// A provider's billing export (or receipts): it should hold every top-up of its providers.
    Billing,
    /// A bank or card statement: it should hold every charge to its card.
    Bank,
}

/// The span of one imported file: from its first record to the moment it was downloaded (its
/// modification time, else the day it was imported). A billing file lists a provider's records
/// up to its download, so a charge after its last record but before the download should be
/// there too.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileSpan {
    pub source_file_id: i64,
    pub kind: FileKind,
    /// For a billing file, one provider it holds records of; empty for a statement.
    pub provider: String,
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
    /// The file's modification day, else its import day.
    pub downloaded_on: NaiveDate,
}

impl FileSpan {
    /// Whether the file should show a record dated `day`.
    pub fn covers(&self, day: NaiveDate) -> bool {
        self.first_day <= day && day <= self.downloaded_on.max(self.last_day)
    }
}

/// The imported files' spans: the one rule for "a file that should show this record was
/// imported". A charge or credit is judged missing only where such a file exists, so a
/// statement or export not yet imported is never taken for a missing payment.
#[derive(Debug, Clone, Default)]
pub struct Coverage {
    spans: Vec<FileSpan>,
}

impl Coverage {
    /// Whether an imported billing file holding records of `provider` spans `day` (from its
    /// first record to its download).
    pub fn billing_covers(&self, provider: &str, day: NaiveDate) -> bool {
        self.spans
            .iter()
            .any(|f| f.kind == FileKind::Billing && f.provider == provider && f.covers(day))
    }

    /// Whether an imported bank or card statement spans `day`.
    pub fn statement_covers(&self, day: NaiveDate) -> bool {
        self.spans
            .iter()
            .any(|f| f.kind == FileKind::Bank && f.covers(day))
    }

    /// The billing files of `provider` spanning `day` whose records end before it: the charge
    /// may simply be newer than the export (their last record days).
    pub fn billing_ends_before(&self, provider: &str, day: NaiveDate) -> Option<NaiveDate> {
        self.spans
            .iter()
            .filter(|f| f.kind == FileKind::Billing && f.provider == provider && f.covers(day))
            .map(|f| f.last_day)
            .max()
            .filter(|last| *last < day)
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
    pub currency: Currency,
}

/// The usage cost of one project in one currency, per day with usage: a long history has a
/// row per project and day, so the names are held once per project rather than once a day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectUsage {
    pub provider: String,
    /// Empty for usage outside any project.
    pub project: String,
    pub currency: Currency,
    /// Days ascending, each once.
    pub days: Vec<(NaiveDate, Amount)>,
}

impl ProjectUsage {
    /// Gathers project-days per provider, project and currency, sorted by them; the costs of
    /// one day are added (a sum beyond 64 bits keeps the first cost, as the detectors never
    /// judge a total they cannot add up).
    pub fn from_days(rows: impl IntoIterator<Item = ProjectDay>) -> Vec<Self> {
        let mut series: BTreeMap<(String, String, Currency), BTreeMap<NaiveDate, Amount>> =
            BTreeMap::new();
        for u in rows {
            let day = series
                .entry((u.provider, u.project, u.currency))
                .or_default()
                .entry(u.day)
                .or_default();
            *day = day.checked_add(u.cost).unwrap_or(*day);
        }
        series
            .into_iter()
            .map(|((provider, project, currency), days)| Self {
                provider,
                project,
                currency,
                days: days.into_iter().collect(),
            })
            .collect()
    }

    /// The project-days, sorted by provider, project, day and currency.
    pub fn to_days(series: &[Self]) -> Vec<ProjectDay> {
        let mut out: Vec<ProjectDay> = series
            .iter()
            .flat_map(|s| {
                s.days.iter().map(|(day, cost)| ProjectDay {
                    provider: s.provider.clone(),
                    project: s.project.clone(),
                    day: *day,
                    cost: *cost,
                    currency: s.currency,
                })
            })
            .collect();
        out.sort_by(|a, b| {
            (&a.provider, &a.project, a.day, a.currency).cmp(&(
                &b.provider,
                &b.project,
                b.day,
                b.currency,
            ))
        });
        out
    }

    /// The same project without the days after `as_of` (`None` when none is left).
    fn up_to(&self, as_of: NaiveDate) -> Option<Self> {
        let kept = self.days.partition_point(|(day, _)| *day <= as_of);
        (kept > 0).then(|| Self {
            provider: self.provider.clone(),
            project: self.project.clone(),
            currency: self.currency,
            days: self.days.get(..kept).unwrap_or_default().to_vec(),
        })
    }
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
    pub currency: Currency,
}

/// The ledger as judgement reads it: every record, plus the settings and decisions that
/// change what the records mean.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    /// The bank and card lines that can bear on AI money: those tagged with a provider, and
    /// any line the user named in a match decision.
    pub bank: Vec<BankItem>,
    /// The statement (source file) and day of every other imported line, once per pair: the
    /// grocery lines of a statement say nothing about AI money, yet they date the statement
    /// (see [`Snapshot::file_spans`]) and the months with records.
    pub statement_days: Vec<(i64, NaiveDate)>,
    pub billing: Vec<BillingItem>,
    /// Usage cost per account and day.
    pub usage: Vec<DailyUsage>,
    /// Usage cost per project and day, sorted by provider, project and currency.
    pub project_usage: Vec<ProjectUsage>,
    pub organizations: Vec<OrgAlias>,
    pub budgets: Vec<Budget>,
    /// The user's auto-recharge settings, one per account.
    pub auto_recharges: Vec<AutoRecharge>,
    /// ECB rates (units per euro) of the days matching may convert on.
    pub rates: Vec<Rate>,
    /// The issuers' own ids of AI lines.
    pub refs: Vec<BankRef>,
    /// The user's decisions on pairs.
    pub decisions: Vec<MatchDecision>,
    /// The balances the user read off the providers' billing pages.
    pub checkpoints: Vec<Checkpoint>,
    /// The imported files' spans and download days.
    pub files: Vec<FileSpan>,
}

impl Snapshot {
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
            statement_days: self
                .statement_days
                .iter()
                .filter(|(_, day)| *day <= as_of)
                .copied()
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
                .filter_map(|u| u.up_to(as_of))
                .collect(),
            organizations: self.organizations.clone(),
            budgets: self.budgets.clone(),
            auto_recharges: self.auto_recharges.clone(),
            rates: self.rates.clone(),
            refs: self.refs.clone(),
            decisions: self.decisions.clone(),
            checkpoints: self
                .checkpoints
                .iter()
                .filter(|c| c.day <= as_of)
                .cloned()
                .collect(),
            files: self.files.clone(),
        }
    }

    /// The account a record naming `organization` belongs to: an organization written as its
    /// id or its name is the same account; an unnamed one is the provider's only account when
    /// it has exactly one, else the unnamed account.
    pub fn resolve_account(&self, provider: &str, organization: &str) -> AccountKey {
        let org = organization.trim();
        if org.is_empty() {
            let labels = self.known_organizations(provider);
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
        // The labels are gathered from every usage day: only when no alias names the account.
        let label = alias
            .cloned()
            .or_else(|| {
                self.known_organizations(provider)
                    .into_iter()
                    .find(|l| l.eq_ignore_ascii_case(org))
            })
            .unwrap_or_else(|| org.to_string());
        AccountKey::new(provider, &label)
    }

    /// [`Snapshot::resolve_account`] remembering its answers: a long history names the same
    /// few accounts on every row, and each answer looks at every record of the provider.
    fn account_resolver(&self) -> impl FnMut(&str, &str) -> AccountKey + '_ {
        let mut known: HashMap<(String, String), AccountKey> = HashMap::new();
        move |provider, organization| {
            if let Some(account) = known.get(&(provider.to_string(), organization.to_string())) {
                return account.clone();
            }
            let account = self.resolve_account(provider, organization);
            known.insert(
                (provider.to_string(), organization.to_string()),
                account.clone(),
            );
            account
        }
    }

    /// The non-empty organization labels a provider's usage and billing records use.
    fn known_organizations(&self, provider: &str) -> Vec<String> {
        // Borrowed: a long history names the same few organizations on every day.
        let mut labels: BTreeSet<&str> = self
            .usage
            .iter()
            .filter(|u| u.account.provider == provider && !u.account.organization.is_empty())
            .map(|u| u.account.organization.as_str())
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
                labels.insert(label);
            }
        }
        labels.into_iter().map(str::to_string).collect()
    }

    /// Every account that has credit lots, a checkpoint, or usage drawn from prepaid credit,
    /// sorted. Usage a provider bills after the fact (Cursor, GitHub, the cloud consoles) gives
    /// no balance.
    pub fn accounts(&self) -> Vec<AccountKey> {
        let mut all: BTreeSet<AccountKey> = self
            .usage
            .iter()
            .filter(|u| !super::merchants::bills_after_use(&u.account.provider))
            .map(|u| u.account.clone())
            .collect();
        all.extend(credit_lots(self).into_iter().map(|l| l.account));
        all.extend(self.checkpoints.iter().map(|c| c.account.clone()));
        all.into_iter().collect()
    }

    /// The same inputs with every usage row in the account its records resolve to: usage
    /// exports that name no organization (Anthropic's) join the provider's only named account
    /// instead of standing beside it as an account of their own.
    #[must_use]
    pub fn normalized(mut self) -> Self {
        let (usage, checkpoints) = {
            let mut resolve = self.account_resolver();
            let usage: Vec<AccountKey> = self
                .usage
                .iter()
                .map(|u| resolve(&u.account.provider, &u.account.organization))
                .collect();
            let checkpoints: Vec<AccountKey> = self
                .checkpoints
                .iter()
                .map(|c| resolve(&c.account.provider, &c.account.organization))
                .collect();
            (usage, checkpoints)
        };
        for (u, account) in self.usage.iter_mut().zip(usage) {
            u.account = account;
        }
        let resolved = checkpoints;
        for (c, account) in self.checkpoints.iter_mut().zip(resolved) {
            c.account = account;
        }
        self
    }

    /// Every imported file's span: the ones the store measured at import ([`Snapshot::files`]),
    /// and for files imported before it did (or records built without one), the span of the
    /// records they brought, to their last record (nothing is assumed past it).
    pub fn file_spans(&self) -> Vec<FileSpan> {
        let mut spans = self.files.clone();
        let measured: BTreeSet<(i64, FileKind)> = self
            .files
            .iter()
            .map(|f| (f.source_file_id, f.kind))
            .collect();
        let mut derived: BTreeMap<(i64, FileKind, String), (NaiveDate, NaiveDate)> =
            BTreeMap::new();
        let days = self
            .billing
            .iter()
            .map(|b| {
                (
                    (b.source_file_id, FileKind::Billing, b.provider.clone()),
                    b.day,
                )
            })
            .chain(
                self.bank_days()
                    .map(|(file, day)| ((file, FileKind::Bank, String::new()), day)),
            );
        for (key, day) in days {
            if measured.contains(&(key.0, key.1)) {
                continue;
            }
            let span = derived.entry(key).or_insert((day, day));
            span.0 = span.0.min(day);
            span.1 = span.1.max(day);
        }
        spans.extend(derived.into_iter().map(
            |((source_file_id, kind, provider), (first_day, last_day))| FileSpan {
                source_file_id,
                kind,
                provider,
                first_day,
                last_day,
                downloaded_on: last_day,
            },
        ));
        spans
    }

    /// The statement and day of every imported bank or card line: those in [`Snapshot::bank`]
    /// and the others ([`Snapshot::statement_days`]).
    pub fn bank_days(&self) -> impl Iterator<Item = (i64, NaiveDate)> + '_ {
        self.bank
            .iter()
            .map(|l| (l.source_file_id, l.day))
            .chain(self.statement_days.iter().copied())
    }

    /// Which days the imported files should show records of (build it once, ask it often).
    pub fn coverage(&self) -> Coverage {
        Coverage {
            spans: self.file_spans(),
        }
    }

    fn has_billing(&self, provider: &str) -> bool {
        self.billing.iter().any(|b| b.provider == provider)
    }
}

impl Snapshot {
    /// The auto-recharge set for `account`: a setting naming its organization by id or name,
    /// or naming none when the provider has one account.
    pub fn auto_recharge_for(&self, account: &AccountKey) -> Option<&AutoRecharge> {
        self.auto_recharges.iter().find(|r| {
            &self.resolve_account(&r.account.provider, &r.account.organization) == account
        })
    }

    /// The day of the account's most recent auto-recharge when it failed and no paid one
    /// followed: while this is set, a forecast must not count on auto-recharges succeeding.
    /// Pending and void recharges say nothing either way and are skipped.
    pub fn auto_recharge_failing_since(&self, account: &AccountKey) -> Option<NaiveDate> {
        let last = self
            .billing
            .iter()
            .filter(|b| b.kind == BillingKind::AutoRecharge)
            .filter(|b| matches!(b.status, BillingStatus::Paid | BillingStatus::Failed))
            .filter(|b| &self.resolve_account(&b.provider, &b.organization) == account)
            .max_by_key(|b| (b.day, b.time, b.id))?;
        (last.status == BillingStatus::Failed).then_some(last.day)
    }

    /// The auto-recharge a forecast of `account` may simulate: its setting, unless the most
    /// recent auto-recharge failed (see [`Snapshot::auto_recharge_failing_since`]).
    pub fn forecast_recharge_for(&self, account: &AccountKey) -> Option<&AutoRecharge> {
        self.auto_recharge_for(account)
            .filter(|_| self.auto_recharge_failing_since(account).is_none())
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

/// The credit lots of every account: paid credit purchases and auto-recharges (the credit they
/// granted, without the tax paid on it), free credits that did not fail, and, for providers
/// with no billing records at all, settled bank top-ups as inferred lots.
pub fn credit_lots(inputs: &Snapshot) -> Vec<CreditLot> {
    let mut resolve = inputs.account_resolver();
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
                account: resolve(&b.provider, &b.organization),
                day: b.day,
                amount: b.credit_granted(),
                currency: b.currency,
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
            account: resolve(provider, ""),
            day: l.day,
            amount: l.outflow()?,
            currency: l.currency,
            kind: LotKind::Inferred,
            expires_on: None,
        })
    }));
    lots.sort_by(|a, b| (&a.account, a.day, &a.record).cmp(&(&b.account, b.day, &b.record)));
    lots
}

/// The account's paid auto-recharges, in the order they happened.
pub fn paid_recharges<'a>(inputs: &'a Snapshot, account: &AccountKey) -> Vec<&'a BillingItem> {
    let mut out: Vec<&BillingItem> = inputs
        .billing
        .iter()
        .filter(|b| b.is_paid_auto_recharge())
        .filter(|b| !b.amount.is_zero())
        .filter(|b| &inputs.resolve_account(&b.provider, &b.organization) == account)
        .collect();
    out.sort_by_key(|b| (b.day, b.time, b.id));
    out
}

/// The issuer's own ids of a bank line, where the statement has them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BankRef {
    pub bank_id: i64,
    pub issuer_id: String,
    /// PayPal's `Reference Txn ID`: the line this one completes or reverses.
    pub related_id: String,
}

/// What the user said about a pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Decision {
    Confirmed,
    Unlinked,
}

impl Decision {
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Confirmed => "confirmed",
            Decision::Unlinked => "unlinked",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "confirmed" => Some(Decision::Confirmed),
            "unlinked" => Some(Decision::Unlinked),
            _ => None,
        }
    }
}

/// A decision on a pair of records named as flags name them: `billing:3` and `bank:12` (a
/// payment), or `bank:5` and `bank:9` (a hold and the line that ended it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatchDecision {
    pub left: String,
    pub right: String,
    pub decision: Decision,
}

/// Parses a record as flags name it: `billing:3` / `bank:12`.
pub fn parse_record(text: &str) -> Option<(&str, i64)> {
    let (kind, id) = text.trim().split_once(':')?;
    let id: i64 = id.trim().parse().ok()?;
    matches!(kind, "billing" | "bank").then_some((kind, id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::flags::test_support::{bill_in, d, usd, used_in};

    use crate::domain::records::BillingKind::{AutoRecharge as Auto, CreditPurchase};

    #[test]
    fn usage_without_an_organization_joins_the_only_named_account() {
        let inputs = Snapshot {
            usage: vec![DailyUsage {
                account: AccountKey::new("anthropic", ""),
                day: d("2026-03-01"),
                cost: usd("1.00"),
                currency: Currency::of(*b"USD"),
            }],
            billing: vec![bill_in(
                1,
                "anthropic",
                "Northwind Labs",
                CreditPurchase,
                "2026-02-20",
                "50.00",
            )],
            ..Snapshot::default()
        }
        .normalized();
        assert_eq!(
            inputs.accounts(),
            vec![AccountKey::new("anthropic", "Northwind Labs")]
        );
    }

    #[test]
    fn organizations_written_as_id_or_name_are_one_account() {
        let inputs = Snapshot {
            usage: vec![DailyUsage {
                account: AccountKey::new("openai", "Acme"),
                day: d("2026-03-01"),
                cost: usd("1.00"),
                currency: Currency::of(*b"USD"),
            }],
            organizations: vec![OrgAlias {
                provider: "openai".into(),
                id: "org-acme".into(),
                name: "Acme".into(),
            }],
            ..Snapshot::default()
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

    #[test]
    fn recharge_settings_resolve_accounts_and_history_leaves_out_purchases() {
        let inputs = Snapshot {
            billing: vec![
                bill_in(
                    1,
                    "openai",
                    "org-acme",
                    CreditPurchase,
                    "2026-03-01",
                    "100.00",
                ),
                bill_in(2, "openai", "Acme", Auto, "2026-03-05 10:00", "20.00"),
                bill_in(3, "openai", "Beta", Auto, "2026-03-06 10:00", "20.00"),
            ],
            usage: vec![
                used_in("openai", "Acme", "2026-03-01", "1.00"),
                used_in("openai", "Beta", "2026-03-01", "1.00"),
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
            ..Snapshot::default()
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

    /// Regression: the forecast counted on auto-recharges while the last one had failed.
    #[test]
    fn a_failing_auto_recharge_is_not_simulated() {
        use crate::domain::records::BillingStatus::{Failed, Paid, Pending};
        let at = |id: i64, status: BillingStatus, when: &str| BillingItem {
            status,
            ..bill_in(id, "openai", "", Auto, when, "20.00")
        };
        let setting = vec![AutoRecharge {
            account: AccountKey::new("openai", ""),
            threshold: usd("5"),
            amount: usd("20"),
            monthly_cap: None,
        }];
        // (records, failing since)
        let cases: Vec<(&str, Vec<BillingItem>, Option<&str>)> = vec![
            ("no recharge yet", vec![], None),
            (
                "the last one failed",
                vec![
                    at(1, Paid, "2026-03-01 09:00"),
                    at(2, Failed, "2026-03-08 02:00"),
                ],
                Some("2026-03-08"),
            ),
            (
                "a failure, then a paid one",
                vec![
                    at(1, Failed, "2026-03-08 02:00"),
                    at(2, Paid, "2026-03-08 09:00"),
                ],
                None,
            ),
            (
                "a pending one after the failure says nothing",
                vec![
                    at(1, Failed, "2026-03-08 02:00"),
                    at(2, Pending, "2026-03-09 09:00"),
                ],
                Some("2026-03-08"),
            ),
        ];
        let acct = AccountKey::new("openai", "");
        for (name, billing, want) in cases {
            let inputs = Snapshot {
                billing,
                usage: vec![used_in("openai", "", "2026-03-01", "1.00")],
                auto_recharges: setting.clone(),
                ..Snapshot::default()
            };
            assert_eq!(
                inputs.auto_recharge_failing_since(&acct),
                want.map(d),
                "{name}"
            );
            assert_eq!(
                inputs.forecast_recharge_for(&acct).is_some(),
                want.is_none(),
                "{name}"
            );
        }
    }
}
