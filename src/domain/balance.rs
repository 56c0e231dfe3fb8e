//! Prepaid balances per provider account (a provider plus an organization), rebuilt day by day
//! from credit lots, daily usage cost and the balances the user read off the provider's billing
//! page (checkpoints).
//!
//! Anchors: people export the last 60 or 90 days, so an account's history usually starts in the
//! middle. A balance is *anchored* from its first credit lot when no usage precedes that lot, or
//! from its first [`Checkpoint`]; from the anchor on it is exact. Before it (and for an account
//! never anchored) the computed balance is a lower bound: the true balance is at least that
//! (the unknown opening balance can only add), usage past it is "before the known history",
//! never overdraft, and a zero there is not a depletion unless something corroborates it
//! ([`DepletionEpisode::lower_bound`]). A checkpoint sets the balance at the end of its day to
//! what the billing page showed: the series passes through it exactly; the difference from the
//! balance computed from the records before it is kept ([`CheckpointOutcome`]), added as a lot
//! of unknown origin when the page showed more, drawn from the lots when it showed less.
//!
//! Rules: lots dated on a day are usable that day. A lot's remainder drops out at the start of
//! its expiry day (recorded as expired); paid and inferred lots without an expiry expire
//! [`PAID_LOT_LIFETIME_MONTHS`] after their date, free credits without one never expire. Each
//! day's usage consumes free credits first, then paid lots in order of expiry (earliest first,
//! then oldest, then by record id, so the order is reproducible). The balance is never negative:
//! usage past zero is recorded as overdraft. Money is exact ([`Amount`], checked arithmetic);
//! nothing here reads the clock, "today" is the `as_of` parameter. Only records in the
//! account's currency (that of its first lot, else of its first usage) are counted; the others
//! are counted in [`Balance::other_currency_records`] so callers can say so.
//!
//! Burn rate: the trailing average over the days up to the last day with usage data for the
//! account ([`Balance::usage_through`]), never past it: a usage export that ends before the
//! as-of date says nothing about the days after, so they are not counted as zero spending.
//!
//! Forecast: [`Balance::forecast`] projects the balance forward from the as-of date at a burn
//! rate, day by day, with the same lot rules (expiries drop out, free credits first). When an
//! [`AutoRecharge`] is set for the account, a recharge of its amount is added whenever the day's
//! draw would take the balance below its threshold (several in one day if the draw is large), as
//! long as the calendar month's auto-recharges stay within the optional cap; manual purchases
//! never count toward the cap. Without auto-recharge the projection looks
//! [`FORECAST_HORIZON_DAYS`] ahead; with it, [`RECHARGE_HORIZON_DAYS`] (a year: further out, the
//! settings and the burn rate are guesses), and "never within the horizon" is `None`.

use std::collections::BTreeMap;

use chrono::{Datelike, Months, NaiveDate};

use super::money::{Amount, Currency};

/// How long a paid lot without an expiry date stays usable.
pub const PAID_LOT_LIFETIME_MONTHS: u32 = 12;

/// How far ahead a depletion forecast without auto-recharge looks before it gives up (ten
/// years: without new credit, a balance only falls, so a far date is still a fact of the rate).
pub const FORECAST_HORIZON_DAYS: usize = 3_660;

/// How far ahead a forecast with auto-recharge looks: one year. Recharges can keep a balance up
/// forever; beyond a year the settings and the burn rate are guesses.
pub const RECHARGE_HORIZON_DAYS: usize = 365;

/// At most this many daily points are kept in a [`Forecast`] (the depletion day is still
/// searched over the whole horizon).
pub const FORECAST_POINTS_DAYS: usize = 365;

/// What can go wrong while adding up a balance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum BalanceError {
    #[error("a balance total is too large to add up exactly")]
    Overflow,
}

/// Why auto-recharge settings cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RechargeError {
    #[error("the recharge amount must be above zero (it is {0})")]
    AmountNotPositive(String),
    #[error("the threshold cannot be negative (it is {0})")]
    NegativeThreshold(String),
    #[error(
        "the monthly cap ({cap}) is below the recharge amount ({amount}), so no recharge could ever run; raise the cap or leave it out"
    )]
    CapBelowAmount { cap: String, amount: String },
}

/// An account's auto-recharge: when the balance falls below `threshold`, the provider charges
/// the card on file and adds `amount`; with a `monthly_cap`, auto-recharges stop for the rest of
/// a calendar month once they would exceed it. Amounts are in the account's currency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AutoRecharge {
    /// The account as the user named it (resolve it against the ledger before comparing).
    pub account: AccountKey,
    pub threshold: Amount,
    pub amount: Amount,
    pub monthly_cap: Option<Amount>,
}

impl AutoRecharge {
    /// Checks that the settings can work: a positive amount, a threshold of zero or more, and
    /// a cap (when set) that allows at least one recharge.
    ///
    /// # Errors
    /// The first setting that cannot work, with the value as the user wrote it.
    pub fn validate(&self) -> Result<(), RechargeError> {
        if self.amount <= Amount::ZERO {
            return Err(RechargeError::AmountNotPositive(self.amount.to_string()));
        }
        if self.threshold.is_negative() {
            return Err(RechargeError::NegativeThreshold(self.threshold.to_string()));
        }
        if let Some(cap) = self.monthly_cap
            && cap < self.amount
        {
            return Err(RechargeError::CapBelowAmount {
                cap: cap.to_string(),
                amount: self.amount.to_string(),
            });
        }
        Ok(())
    }
}

/// One projected end-of-day point.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ForecastPoint {
    pub day: NaiveDate,
    /// The projected balance at the end of the day.
    pub balance: Amount,
    /// Auto-recharge credit added this day (zero on most days).
    pub recharge: Amount,
}

/// A projection of an account's balance after the as-of date.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Forecast {
    /// One point per day after the as-of date, up to the depletion day or
    /// [`FORECAST_POINTS_DAYS`], whichever comes first.
    pub points: Vec<ForecastPoint>,
    /// The day the balance runs out; when it is already zero, the day it reached zero. `None`
    /// when it lasts beyond the horizon (or there is nothing to deplete).
    pub depletes_on: Option<NaiveDate>,
    /// How many days ahead the projection looked.
    pub horizon_days: usize,
}

fn add(a: Amount, b: Amount) -> Result<Amount, BalanceError> {
    a.checked_add(b).ok_or(BalanceError::Overflow)
}

fn sub(a: Amount, b: Amount) -> Result<Amount, BalanceError> {
    a.checked_sub(b).ok_or(BalanceError::Overflow)
}

/// A provider account: the provider plus the organization inside it (empty when unnamed).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct AccountKey {
    pub provider: String,
    pub organization: String,
}

impl AccountKey {
    pub fn new(provider: &str, organization: &str) -> Self {
        Self {
            provider: provider.to_string(),
            organization: organization.to_string(),
        }
    }

    /// `openai/Acme`, or just `openai` when the organization is unnamed.
    pub fn label(&self) -> String {
        if self.organization.is_empty() {
            self.provider.clone()
        } else {
            format!("{}/{}", self.provider, self.organization)
        }
    }
}

/// Where a lot's credit came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LotKind {
    /// Granted credits (consumed first).
    Free,
    /// A paid credit purchase or auto-recharge from the provider's billing records.
    Paid,
    /// A settled bank top-up for a provider with no billing records: the credit is inferred.
    Inferred,
    /// Credit a checkpoint showed that the records do not explain (origin and expiry unknown).
    Checkpoint,
}

impl LotKind {
    pub fn as_str(self) -> &'static str {
        match self {
            LotKind::Free => "free",
            LotKind::Paid => "paid",
            LotKind::Inferred => "inferred",
            LotKind::Checkpoint => "checkpoint",
        }
    }
}

/// The balance the provider's billing page showed for an account at a moment: the ledger's
/// equivalent of a bank statement's closing balance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    /// Evidence id: `checkpoint:4`.
    pub record: String,
    pub account: AccountKey,
    /// The day the balance was read; it is the balance at the end of that day.
    pub day: NaiveDate,
    pub shown: Amount,
    pub currency: Currency,
}

/// A checkpoint beside the balance computed from the records before it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckpointOutcome {
    pub record: String,
    pub day: NaiveDate,
    pub shown: Amount,
    /// The balance the records gave at the end of the day, before the checkpoint set it.
    pub computed: Amount,
    /// `shown - computed`.
    pub difference: Amount,
    /// Whether `computed` was exact (the account was anchored before): otherwise it was a lower
    /// bound, and a page showing more than it is expected, not a mismatch.
    pub exact: bool,
}

/// Usage before the known history: dated before the anchor (or, for an account never
/// anchored, before its first credit).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BeforeHistory {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub usage: Amount,
}

/// Credit added to an account on one day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreditLot {
    /// Evidence id: `billing:3`, `bank:12`.
    pub record: String,
    pub account: AccountKey,
    pub day: NaiveDate,
    pub amount: Amount,
    pub currency: Currency,
    pub kind: LotKind,
    /// The expiry the record states, if any.
    pub expires_on: Option<NaiveDate>,
}

impl CreditLot {
    /// The day the lot's remainder drops out: the stated expiry, else one year after the date
    /// for paid and inferred lots, else never (free credits without an expiry).
    pub fn expiry(&self) -> Option<NaiveDate> {
        self.expires_on.or_else(|| match self.kind {
            LotKind::Free | LotKind::Checkpoint => None,
            LotKind::Paid | LotKind::Inferred => self
                .day
                .checked_add_months(Months::new(PAID_LOT_LIFETIME_MONTHS)),
        })
    }

    /// The order lots are consumed in: free first, then by expiry, date and record.
    fn consumption_key(&self) -> (bool, NaiveDate, NaiveDate, &str) {
        (
            self.kind != LotKind::Free,
            self.expiry().unwrap_or(NaiveDate::MAX),
            self.day,
            &self.record,
        )
    }
}

/// The usage cost of one account on one day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DailyUsage {
    pub account: AccountKey,
    pub day: NaiveDate,
    pub cost: Amount,
    pub currency: Currency,
}

/// One end-of-day point of a balance series.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayBalance {
    pub day: NaiveDate,
    /// Credit added by lots dated this day.
    pub credits: Amount,
    /// The day's usage cost.
    pub usage: Amount,
    /// The part of the usage drawn from lots.
    pub consumed: Amount,
    /// Remainders that dropped out this day.
    pub expired: Amount,
    /// Usage past zero.
    pub overdraft: Amount,
    /// What a checkpoint this day set the balance by (shown minus computed).
    pub adjusted: Amount,
    /// The balance at the end of the day (never negative).
    pub balance: Amount,
}

/// What became of one lot by the as-of date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LotOutcome {
    pub record: String,
    pub kind: LotKind,
    pub day: NaiveDate,
    pub amount: Amount,
    pub expiry: Option<NaiveDate>,
    /// Still usable at the end of the as-of date.
    pub remaining: Amount,
    /// Dropped out on the expiry day.
    pub expired: Amount,
}

/// One calendar month of an account's balance. It closes when
/// `opening + credits - consumed - expired == closing`; `residual` is the difference
/// (zero unless something is wrong), reported rather than hidden.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MonthRoll {
    /// The first day of the month.
    pub month: NaiveDate,
    pub opening: Amount,
    pub credits: Amount,
    pub usage: Amount,
    pub consumed: Amount,
    pub overdraft: Amount,
    pub expired: Amount,
    /// What checkpoints set the balance by.
    pub adjusted: Amount,
    pub closing: Amount,
    pub residual: Amount,
}

/// A stretch that starts the day the balance reached zero (after having been above it) and
/// ends when credit arrives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DepletionEpisode {
    /// The day the balance reached zero.
    pub zero_on: NaiveDate,
    /// The day credit ended the stretch; `None` when the balance is still zero on the as-of date.
    pub ended_on: Option<NaiveDate>,
    /// Usage recorded past zero during the stretch, with its first and last day.
    pub overdraft: Amount,
    pub first_overdraft_on: Option<NaiveDate>,
    pub last_overdraft_on: Option<NaiveDate>,
    /// The days right after `zero_on` without usage, up to the day before usage resumed
    /// (`None` when the day after had usage, or usage never resumed in the data).
    pub silent: Option<(NaiveDate, NaiveDate)>,
    /// The first day with usage after `zero_on`.
    pub usage_resumed_on: Option<NaiveDate>,
    /// The balance here was a lower bound (the account was not anchored yet): the true balance
    /// may never have reached zero.
    pub lower_bound: bool,
    /// Usage ran every day of the [`STEADY_USAGE_DAYS`] days up to `zero_on` and then stopped
    /// for at least a full day: what a provider refusing calls looks like.
    pub usage_stopped: bool,
}

/// Usage on each of this many days up to a zero balance is "usage that ran daily".
pub const STEADY_USAGE_DAYS: i64 = 3;

/// An account's balance from its first record to the as-of date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Balance {
    pub account: AccountKey,
    pub currency: Currency,
    pub as_of: NaiveDate,
    /// One point per day from the first record to `as_of`; empty when there are no records.
    /// Days before [`Balance::anchored_on`] (all of them when it is `None`) are lower bounds.
    pub days: Vec<DayBalance>,
    /// The day the balance became exact: the first credit lot when no usage came before it, or
    /// the first checkpoint. `None`: the account is not anchored, every balance is a lower bound.
    pub anchored_on: Option<NaiveDate>,
    /// Usage before the known history.
    pub before_history: Option<BeforeHistory>,
    pub checkpoints: Vec<CheckpointOutcome>,
    pub lots: Vec<LotOutcome>,
    /// Lots and usage days left out because they are in another currency.
    pub other_currency_records: usize,
    /// The last day with usage data for the account (in its currency), when there is any.
    /// Burn rates end here: days after the end of a usage export are unknown, not zero.
    pub usage_through: Option<NaiveDate>,
}

/// A lot while the balance is rebuilt: the lot itself (or a checkpoint's credit of unknown
/// origin), what is left of it and what expired.
struct LiveLot {
    lot: CreditLot,
    remaining: Amount,
    expired: Amount,
}

/// Rebuilds the balance of `account` day by day up to `as_of`, through its `checkpoints`.
/// Records of other accounts and records dated after `as_of` are ignored.
///
/// # Errors
/// When a total is too large to add up exactly.
pub fn simulate(
    account: &AccountKey,
    lots: &[CreditLot],
    usage: &[DailyUsage],
    checkpoints: &[Checkpoint],
    as_of: NaiveDate,
) -> Result<Balance, BalanceError> {
    let Own {
        lots: own_lots,
        checkpoints: own_checkpoints,
        usage_by_day,
        currency,
        other_currency_records,
    } = own_records(account, lots, usage, checkpoints, as_of)?;
    let first_lot = own_lots.first().map(|l| l.day);
    let first_usage = usage_by_day.keys().next().copied();
    let first_checkpoint = own_checkpoints.first().map(|c| c.day);
    // Anchored by the first lot when no usage came before it, else by the first checkpoint.
    let lot_anchor = first_lot.filter(|f| first_usage.is_none_or(|u| u >= *f));
    let anchored_on = [lot_anchor, first_checkpoint].into_iter().flatten().min();
    let before_history = before_history(&usage_by_day, anchored_on.or(first_lot))?;
    let first = [first_lot, first_usage, first_checkpoint]
        .into_iter()
        .flatten()
        .min();
    let mut balance = Balance {
        account: account.clone(),
        currency,
        as_of,
        days: Vec::new(),
        anchored_on,
        before_history,
        checkpoints: Vec::new(),
        lots: Vec::new(),
        other_currency_records,
        usage_through: usage_by_day.keys().next_back().copied(),
    };
    let Some(first) = first else {
        return Ok(balance);
    };
    let mut live: Vec<LiveLot> = Vec::with_capacity(own_lots.len());
    let mut next_lot = 0;
    let mut next_checkpoint = 0;
    for day in first.iter_days().take_while(|d| *d <= as_of) {
        let mut point = DayBalance {
            day,
            credits: Amount::ZERO,
            usage: usage_by_day.get(&day).copied().unwrap_or_default(),
            consumed: Amount::ZERO,
            expired: Amount::ZERO,
            overdraft: Amount::ZERO,
            adjusted: Amount::ZERO,
            balance: Amount::ZERO,
        };
        while let Some(lot) = own_lots.get(next_lot).filter(|l| l.day == day) {
            point.credits = add(point.credits, lot.amount.max(Amount::ZERO))?;
            live.push(LiveLot {
                lot: (*lot).clone(),
                remaining: lot.amount.max(Amount::ZERO),
                expired: Amount::ZERO,
            });
            next_lot += 1;
        }
        point.expired = expire(&mut live, day)?;
        let (consumed, overdraft) = consume(&mut live, point.usage)?;
        point.consumed = consumed;
        point.overdraft = overdraft;
        // The checkpoints of the day set its end-of-day balance, the last one winning.
        while let Some(c) = own_checkpoints
            .get(next_checkpoint)
            .filter(|c| c.day == day)
        {
            let exact = !balance.checkpoints.is_empty() || lot_anchor.is_some_and(|a| a <= day);
            let outcome = reconcile(&mut live, c, exact)?;
            point.adjusted = add(point.adjusted, outcome.difference)?;
            balance.checkpoints.push(outcome);
            next_checkpoint += 1;
        }
        point.balance = remaining(&live)?;
        balance.days.push(point);
    }
    live.sort_by(|a, b| (a.lot.day, &a.lot.record).cmp(&(b.lot.day, &b.lot.record)));
    balance.lots = live
        .iter()
        .map(|l| LotOutcome {
            record: l.lot.record.clone(),
            kind: l.lot.kind,
            day: l.lot.day,
            amount: l.lot.amount,
            expiry: l.lot.expiry(),
            remaining: l.remaining,
            expired: l.expired,
        })
        .collect();
    Ok(balance)
}

/// One account's records up to the as-of date, in its currency (that of its first lot, else its
/// first checkpoint, else its first usage).
struct Own<'a> {
    lots: Vec<&'a CreditLot>,
    checkpoints: Vec<&'a Checkpoint>,
    usage_by_day: BTreeMap<NaiveDate, Amount>,
    currency: Currency,
    /// Records left out because they are in another currency.
    other_currency_records: usize,
}

fn own_records<'a>(
    account: &AccountKey,
    lots: &'a [CreditLot],
    usage: &[DailyUsage],
    checkpoints: &'a [Checkpoint],
    as_of: NaiveDate,
) -> Result<Own<'a>, BalanceError> {
    let mut own_lots: Vec<&CreditLot> = lots
        .iter()
        .filter(|l| &l.account == account && l.day <= as_of)
        .collect();
    own_lots.sort_by(|a, b| (a.day, &a.record).cmp(&(b.day, &b.record)));
    let own_usage: Vec<&DailyUsage> = usage
        .iter()
        .filter(|u| &u.account == account && u.day <= as_of)
        .collect();
    let mut own_checkpoints: Vec<&Checkpoint> = checkpoints
        .iter()
        .filter(|c| &c.account == account && c.day <= as_of)
        .collect();
    // By day only, keeping the order given within a day (the ledger's: by moment, then by when
    // it was entered), so the latest reading of a day wins. Sorting by the record text would
    // put `checkpoint:10` before `checkpoint:9`.
    own_checkpoints.sort_by_key(|c| c.day);
    let currency = own_lots
        .first()
        .map(|l| l.currency)
        .or_else(|| own_checkpoints.first().map(|c| c.currency))
        .or_else(|| own_usage.iter().min_by_key(|u| u.day).map(|u| u.currency))
        .unwrap_or(Currency::USD);
    let other_currency_records = own_lots.iter().filter(|l| l.currency != currency).count()
        + own_usage.iter().filter(|u| u.currency != currency).count()
        + own_checkpoints
            .iter()
            .filter(|c| c.currency != currency)
            .count();
    own_lots.retain(|l| l.currency == currency);
    own_checkpoints.retain(|c| c.currency == currency);
    let mut usage_by_day: BTreeMap<NaiveDate, Amount> = BTreeMap::new();
    for u in own_usage.iter().filter(|u| u.currency == currency) {
        let entry = usage_by_day.entry(u.day).or_default();
        *entry = add(*entry, u.cost)?;
    }
    Ok(Own {
        lots: own_lots,
        checkpoints: own_checkpoints,
        usage_by_day,
        currency,
        other_currency_records,
    })
}

/// Usage before the known history (before `known_from`, or all of it when nothing is known).
fn before_history(
    usage_by_day: &BTreeMap<NaiveDate, Amount>,
    known_from: Option<NaiveDate>,
) -> Result<Option<BeforeHistory>, BalanceError> {
    let before: Vec<(&NaiveDate, &Amount)> = usage_by_day
        .iter()
        .filter(|(d, c)| known_from.is_none_or(|k| **d < k) && !c.is_zero())
        .collect();
    let (Some((from, _)), Some((to, _))) = (before.first(), before.last()) else {
        return Ok(None);
    };
    Ok(Some(BeforeHistory {
        from: **from,
        to: **to,
        usage: before
            .iter()
            .try_fold(Amount::ZERO, |acc, (_, c)| add(acc, **c))?,
    }))
}

/// Brings the lots to a checkpoint: credit the page showed beyond the records becomes a lot of
/// unknown origin; credit the records hold beyond the page is drawn in consumption order.
/// `exact`: whether the balance before it was anchored.
fn reconcile(
    live: &mut Vec<LiveLot>,
    checkpoint: &Checkpoint,
    exact: bool,
) -> Result<CheckpointOutcome, BalanceError> {
    let computed = remaining(live)?;
    let difference = sub(checkpoint.shown.max(Amount::ZERO), computed)?;
    let outcome = CheckpointOutcome {
        record: checkpoint.record.clone(),
        day: checkpoint.day,
        shown: checkpoint.shown,
        computed,
        difference,
        exact,
    };
    if difference > Amount::ZERO {
        live.push(LiveLot {
            lot: CreditLot {
                record: checkpoint.record.clone(),
                account: checkpoint.account.clone(),
                day: checkpoint.day,
                amount: difference,
                currency: checkpoint.currency,
                kind: LotKind::Checkpoint,
                expires_on: None,
            },
            remaining: difference,
            expired: Amount::ZERO,
        });
    } else if difference < Amount::ZERO {
        consume(live, difference.abs())?;
    }
    Ok(outcome)
}

/// Drops the remainders of lots whose expiry day has come; returns the total dropped.
fn expire(live: &mut [LiveLot], day: NaiveDate) -> Result<Amount, BalanceError> {
    let mut total = Amount::ZERO;
    for l in live
        .iter_mut()
        .filter(|l| l.lot.expiry().is_some_and(|e| e <= day) && !l.remaining.is_zero())
    {
        total = add(total, l.remaining)?;
        l.expired = add(l.expired, l.remaining)?;
        l.remaining = Amount::ZERO;
    }
    Ok(total)
}

/// Draws `need` from the lots in consumption order; returns (consumed, overdraft).
fn consume(live: &mut [LiveLot], need: Amount) -> Result<(Amount, Amount), BalanceError> {
    if need <= Amount::ZERO {
        return Ok((Amount::ZERO, Amount::ZERO));
    }
    live.sort_by(|a, b| a.lot.consumption_key().cmp(&b.lot.consumption_key()));
    let mut left = need;
    for l in live.iter_mut().filter(|l| !l.remaining.is_zero()) {
        if left.is_zero() {
            break;
        }
        let take = left.min(l.remaining);
        l.remaining = sub(l.remaining, take)?;
        left = sub(left, take)?;
    }
    Ok((sub(need, left)?, left))
}

/// A lot as the forecast draws from it.
struct ProjectedLot {
    paid: bool,
    expiry: NaiveDate,
    /// Ties break by the order of the lots at the as-of date; recharges come last.
    order: usize,
    remaining: Amount,
}

fn projected_total(lots: &[ProjectedLot]) -> Result<Amount, BalanceError> {
    lots.iter()
        .try_fold(Amount::ZERO, |acc, l| add(acc, l.remaining))
}

/// The auto-recharge credit added on a day that starts at `balance` and draws `burn`: enough
/// recharges of the plan's amount to keep the balance at or above the threshold (at least one
/// when the draw takes it below), as many as the month's cap still allows after `month_so_far`.
fn recharges_needed(
    plan: &AutoRecharge,
    balance: Amount,
    burn: Amount,
    month_so_far: Amount,
) -> Result<Amount, BalanceError> {
    let after = sub(balance, burn)?;
    if burn.is_zero() || after >= plan.threshold {
        return Ok(Amount::ZERO);
    }
    let step = plan.amount.nanos();
    let deficit = sub(plan.threshold, after)?.nanos();
    let needed = deficit / step + i64::from(deficit % step != 0);
    let allowed = match plan.monthly_cap {
        Some(cap) => (sub(cap, month_so_far)?.nanos() / step).max(0),
        None => needed,
    };
    needed
        .min(allowed)
        .checked_mul(step)
        .map(Amount::from_nanos)
        .ok_or(BalanceError::Overflow)
}

fn remaining(live: &[LiveLot]) -> Result<Amount, BalanceError> {
    live.iter()
        .try_fold(Amount::ZERO, |acc, l| add(acc, l.remaining))
}

impl Balance {
    /// The balance at the end of the as-of date (zero when there are no records). A lower bound
    /// when [`Balance::lower_bound`].
    pub fn closing(&self) -> Amount {
        self.days.last().map(|d| d.balance).unwrap_or_default()
    }

    /// Whether any credit or checkpoint is known: without one, the balance is unknown, not zero.
    pub fn is_known(&self) -> bool {
        !self.lots.is_empty() || !self.checkpoints.is_empty()
    }

    /// Whether the balance stands on credit inferred from bank top-ups (no billing record):
    /// inferred credit dated on or before the latest checkpoint does not count, the balance
    /// the page showed replaced it.
    pub fn stands_on_inferred_credit(&self) -> bool {
        let last_checkpoint = self.checkpoints.last().map(|c| c.day);
        self.lots
            .iter()
            .any(|l| l.kind == LotKind::Inferred && last_checkpoint.is_none_or(|c| l.day > c))
    }

    /// Whether the balance as of the as-of date is only a lower bound (the account is not
    /// anchored).
    pub fn lower_bound(&self) -> bool {
        self.anchored_on.is_none()
    }

    /// Whether the balance of `day` is exact (on or after the anchor).
    pub fn exact_on(&self, day: NaiveDate) -> bool {
        self.anchored_on.is_some_and(|a| a <= day)
    }

    /// The days a balance series shows: from the anchor, or from the first record when the
    /// account is not anchored.
    pub fn series(&self) -> &[DayBalance] {
        let start = self
            .anchored_on
            .and_then(|a| self.days.iter().position(|d| d.day >= a))
            .unwrap_or(0);
        self.days.get(start..).unwrap_or_default()
    }

    /// The last day a burn rate window covers: the as-of date, or the last day with usage data
    /// when the usage export ends earlier (the days after it are unknown, not zero spending).
    pub fn burn_window_end(&self) -> NaiveDate {
        self.usage_through
            .map_or(self.as_of, |through| through.min(self.as_of))
    }

    /// Average usage per day over the `window_days` days ending on [`Balance::burn_window_end`]
    /// (days before the first record count as zero). Integer division of nano-units.
    ///
    /// # Errors
    /// When the total is too large to add up exactly.
    pub fn burn_rate_per_day(&self, window_days: u32) -> Result<Amount, BalanceError> {
        if window_days == 0 {
            return Ok(Amount::ZERO);
        }
        let end = self.burn_window_end();
        let start = end
            .checked_sub_days(chrono::Days::new(u64::from(window_days - 1)))
            .unwrap_or(NaiveDate::MIN);
        let total = self
            .days
            .iter()
            .filter(|d| d.day >= start && d.day <= end && d.usage > Amount::ZERO)
            .try_fold(Amount::ZERO, |acc, d| add(acc, d.usage))?;
        Ok(Amount::from_nanos(
            total.nanos() / i64::from(window_days.min(i32::MAX.unsigned_abs())),
        ))
    }

    /// The day the balance runs out at `burn_per_day`, with the remaining lots' expiries taken
    /// into account. When the balance is already zero: the day it reached zero. `None` when it
    /// lasts beyond ten years (or there is nothing to deplete).
    pub fn depletes_on(&self, burn_per_day: Amount) -> Option<NaiveDate> {
        self.forecast(burn_per_day, None, &[]).ok()?.depletes_on
    }

    /// The day the balance reached zero and stayed there up to the as-of date, if it is zero
    /// and exact (a lower bound at zero says nothing about when the credit ran out).
    fn zero_since(&self) -> Option<NaiveDate> {
        let last = self.days.last()?;
        if !last.balance.is_zero() || !self.exact_on(last.day) {
            return None;
        }
        self.days
            .iter()
            .rev()
            .take_while(|d| d.balance.is_zero())
            .last()
            .map(|d| d.day)
    }

    /// Projects the balance forward from the as-of date, drawing `burn_per_day` each day from
    /// the remaining lots (free credits first, then earliest expiry; remainders drop out on
    /// their expiry day). With `recharge`, whenever the day's draw would take the balance below
    /// the threshold, recharges of its amount are added that day, as many as keep it at or
    /// above the threshold and the month's cap allows. `past_recharges` are the account's
    /// auto-recharges already made (day, amount): those in the as-of month count toward its
    /// cap; manual purchases must not be listed. Stops at the first day the balance is zero.
    ///
    /// # Errors
    /// When a total is too large to add up exactly.
    pub fn forecast(
        &self,
        burn_per_day: Amount,
        recharge: Option<&AutoRecharge>,
        past_recharges: &[(NaiveDate, Amount)],
    ) -> Result<Forecast, BalanceError> {
        let recharge = recharge.filter(|r| r.amount > Amount::ZERO);
        let horizon_days = if recharge.is_some() {
            RECHARGE_HORIZON_DAYS
        } else {
            FORECAST_HORIZON_DAYS
        };
        let mut out = Forecast {
            points: Vec::new(),
            depletes_on: self.zero_since(),
            horizon_days,
        };
        // Nothing known, or a lower bound at zero: when it runs out is not known either.
        let unknown = !self.is_known() || (self.lower_bound() && self.closing().is_zero());
        if self.days.is_empty() || unknown || (out.depletes_on.is_some() && recharge.is_none()) {
            return Ok(out);
        }
        let mut lots: Vec<ProjectedLot> = self
            .lots
            .iter()
            .filter(|l| !l.remaining.is_zero())
            .enumerate()
            .map(|(order, l)| ProjectedLot {
                paid: l.kind != LotKind::Free,
                expiry: l.expiry.unwrap_or(NaiveDate::MAX),
                order,
                remaining: l.remaining,
            })
            .collect();
        let mut recharged: BTreeMap<(i32, u32), Amount> = BTreeMap::new();
        for (day, amount) in past_recharges {
            let month = recharged.entry((day.year(), day.month())).or_default();
            *month = add(*month, amount.abs())?;
        }
        let burn = burn_per_day.max(Amount::ZERO);
        for day in self.as_of.iter_days().skip(1).take(horizon_days) {
            for lot in lots.iter_mut().filter(|l| l.expiry <= day) {
                lot.remaining = Amount::ZERO;
            }
            lots.retain(|l| !l.remaining.is_zero());
            let mut added = Amount::ZERO;
            if let Some(plan) = recharge {
                let month = recharged.entry((day.year(), day.month())).or_default();
                added = recharges_needed(plan, projected_total(&lots)?, burn, *month)?;
                if !added.is_zero() {
                    *month = add(*month, added)?;
                    lots.push(ProjectedLot {
                        paid: true,
                        expiry: day
                            .checked_add_months(Months::new(PAID_LOT_LIFETIME_MONTHS))
                            .unwrap_or(NaiveDate::MAX),
                        order: usize::MAX,
                        remaining: added,
                    });
                }
            }
            lots.sort_by_key(|l| (l.paid, l.expiry, l.order));
            let mut left = burn;
            for lot in &mut lots {
                let take = left.min(lot.remaining);
                lot.remaining = sub(lot.remaining, take)?;
                left = sub(left, take)?;
            }
            let balance = projected_total(&lots)?;
            if out.points.len() < FORECAST_POINTS_DAYS {
                out.points.push(ForecastPoint {
                    day,
                    balance,
                    recharge: added,
                });
            }
            if balance.is_zero() {
                out.depletes_on = out.depletes_on.or(Some(day));
                break;
            }
        }
        Ok(out)
    }

    /// The stretches at zero, one per episode: an episode begins on the day the balance reached
    /// zero after having been above it (that day included) and ends when credit arrives. Zeros
    /// before any credit (usage before the known history) are not episodes.
    pub fn depletion_episodes(&self) -> Vec<DepletionEpisode> {
        let mut episodes = Vec::new();
        let mut open: Option<DepletionEpisode> = None;
        let mut previous = Amount::ZERO;
        for (i, d) in self.days.iter().enumerate() {
            // Credit arriving ends a stretch even when usage eats it the same day.
            let refilled = !d.credits.is_zero() || !d.adjusted.is_zero();
            if let Some(mut e) = open.take() {
                if refilled || !d.balance.is_zero() {
                    e.ended_on = Some(d.day);
                    episodes.push(e);
                } else {
                    if !d.overdraft.is_zero() {
                        e.first_overdraft_on = e.first_overdraft_on.or(Some(d.day));
                        e.last_overdraft_on = Some(d.day);
                        e.overdraft = e.overdraft.checked_add(d.overdraft).unwrap_or(e.overdraft);
                    }
                    open = Some(e);
                    previous = d.balance;
                    continue;
                }
            }
            let was_above = previous > Amount::ZERO || refilled;
            previous = d.balance;
            if !d.balance.is_zero() || !was_above {
                continue;
            }
            let (silent, usage_resumed_on) = self.silence_after(i);
            open = Some(DepletionEpisode {
                zero_on: d.day,
                ended_on: None,
                overdraft: d.overdraft,
                first_overdraft_on: (!d.overdraft.is_zero()).then_some(d.day),
                last_overdraft_on: (!d.overdraft.is_zero()).then_some(d.day),
                silent,
                usage_resumed_on,
                lower_bound: !self.exact_on(d.day),
                usage_stopped: self.ran_daily_until(i) && silent.is_some(),
            });
        }
        episodes.extend(open);
        episodes
    }

    /// The days without usage right after day `i`, up to the day before usage resumed, and the
    /// day it resumed. No silence when the next day had usage or usage never resumed (the
    /// usage data may simply end there).
    fn silence_after(&self, i: usize) -> (Option<(NaiveDate, NaiveDate)>, Option<NaiveDate>) {
        let later = self.days.get(i + 1..).unwrap_or_default();
        let resumed = later.iter().find(|d| !d.usage.is_zero()).map(|d| d.day);
        let silent = match (later.first(), resumed) {
            (Some(next), Some(r)) if r > next.day => r.pred_opt().map(|to| (next.day, to)),
            _ => None,
        };
        (silent, resumed)
    }

    /// Whether usage was recorded on each of the [`STEADY_USAGE_DAYS`] days ending with day `i`.
    fn ran_daily_until(&self, i: usize) -> bool {
        let n = usize::try_from(STEADY_USAGE_DAYS).unwrap_or(usize::MAX);
        i + 1 >= n
            && self
                .days
                .get(i + 1 - n..=i)
                .is_some_and(|w| w.iter().all(|d| !d.usage.is_zero()))
    }

    /// The roll-forward per calendar month: opening + credits - consumed - expired = closing,
    /// with any residual reported.
    ///
    /// # Errors
    /// When a total is too large to add up exactly.
    pub fn monthly(&self) -> Result<Vec<MonthRoll>, BalanceError> {
        let mut months: Vec<MonthRoll> = Vec::new();
        let series = self.series();
        // The series starts at the anchor: the month opens with the balance before it.
        let mut previous_close = series
            .first()
            .and_then(|first| self.days.iter().rev().find(|d| d.day < first.day))
            .map_or(Amount::ZERO, |d| d.balance);
        for d in series {
            let month = d.day.with_day(1).unwrap_or(d.day);
            if months.last().is_none_or(|m| m.month != month) {
                months.push(MonthRoll {
                    month,
                    opening: previous_close,
                    credits: Amount::ZERO,
                    usage: Amount::ZERO,
                    consumed: Amount::ZERO,
                    overdraft: Amount::ZERO,
                    expired: Amount::ZERO,
                    adjusted: Amount::ZERO,
                    closing: previous_close,
                    residual: Amount::ZERO,
                });
            }
            let Some(m) = months.last_mut() else {
                continue;
            };
            m.credits = add(m.credits, d.credits)?;
            m.usage = add(m.usage, d.usage)?;
            m.consumed = add(m.consumed, d.consumed)?;
            m.overdraft = add(m.overdraft, d.overdraft)?;
            m.expired = add(m.expired, d.expired)?;
            m.adjusted = add(m.adjusted, d.adjusted)?;
            m.closing = d.balance;
            previous_close = d.balance;
        }
        for m in &mut months {
            let credited = add(add(m.opening, m.credits)?, m.adjusted)?;
            let expected = sub(sub(credited, m.consumed)?, m.expired)?;
            m.residual = sub(expected, m.closing)?;
        }
        Ok(months)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    fn usd(text: &str) -> Amount {
        Amount::parse(text, crate::domain::money::DecimalMark::Dot).unwrap()
    }

    fn acct() -> AccountKey {
        AccountKey::new("openai", "Acme")
    }

    fn lot(
        record: &str,
        day: &str,
        amount: &str,
        kind: LotKind,
        expires: Option<&str>,
    ) -> CreditLot {
        CreditLot {
            record: record.into(),
            account: acct(),
            day: d(day),
            amount: usd(amount),
            currency: Currency::of(*b"USD"),
            kind,
            expires_on: expires.map(d),
        }
    }

    fn use_(day: &str, cost: &str) -> DailyUsage {
        DailyUsage {
            account: acct(),
            day: d(day),
            cost: usd(cost),
            currency: Currency::of(*b"USD"),
        }
    }

    fn series(b: &Balance) -> Vec<(String, String)> {
        b.days
            .iter()
            .map(|p| (p.day.to_string(), p.balance.to_cents_string()))
            .collect()
    }

    fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
        items
            .iter()
            .map(|(a, b)| ((*a).to_string(), (*b).to_string()))
            .collect()
    }

    #[test]
    fn free_credits_are_consumed_first_then_earliest_expiry() {
        let lots = vec![
            lot(
                "billing:1",
                "2026-03-01",
                "10.00",
                LotKind::Paid,
                Some("2026-12-31"),
            ),
            lot(
                "billing:2",
                "2026-03-01",
                "10.00",
                LotKind::Paid,
                Some("2026-06-30"),
            ),
            lot("billing:3", "2026-03-02", "5.00", LotKind::Free, None),
        ];
        let usage = vec![use_("2026-03-02", "7.50"), use_("2026-03-03", "4.25")];
        let b = simulate(&acct(), &lots, &usage, &[], d("2026-03-03")).unwrap();
        assert_eq!(
            series(&b),
            pairs(&[
                ("2026-03-01", "20.00"),
                ("2026-03-02", "17.50"),
                ("2026-03-03", "13.25")
            ])
        );
        let left: Vec<(&str, String)> = b
            .lots
            .iter()
            .map(|l| (l.record.as_str(), l.remaining.to_cents_string()))
            .collect();
        // Free 5.00 gone on day 2 plus 2.50 of the June lot; day 3 takes 4.25 more from June.
        assert_eq!(
            left,
            vec![
                ("billing:1", "10.00".to_string()),
                ("billing:2", "3.25".to_string()),
                ("billing:3", "0.00".to_string())
            ]
        );
    }

    #[test]
    fn remainder_drops_out_on_expiry_day_and_usage_past_zero_is_overdraft() {
        let lots = vec![
            lot(
                "billing:1",
                "2026-01-30",
                "3.00",
                LotKind::Free,
                Some("2026-02-02"),
            ),
            lot("billing:2", "2026-01-31", "2.00", LotKind::Paid, None),
        ];
        let usage = vec![
            use_("2026-01-31", "1.00"),
            use_("2026-02-02", "1.50"),
            use_("2026-02-03", "0.75"),
        ];
        let b = simulate(&acct(), &lots, &usage, &[], d("2026-02-04")).unwrap();
        assert_eq!(
            series(&b),
            pairs(&[
                ("2026-01-30", "3.00"),
                ("2026-01-31", "4.00"),
                ("2026-02-01", "4.00"),
                ("2026-02-02", "0.50"),
                ("2026-02-03", "0.00"),
                ("2026-02-04", "0.00"),
            ])
        );
        let feb2 = b.days.iter().find(|p| p.day == d("2026-02-02")).unwrap();
        assert_eq!(feb2.expired, usd("2.00"));
        let feb3 = b.days.iter().find(|p| p.day == d("2026-02-03")).unwrap();
        assert_eq!((feb3.consumed, feb3.overdraft), (usd("0.50"), usd("0.25")));
        assert_eq!(
            b.depletion_episodes(),
            vec![DepletionEpisode {
                zero_on: d("2026-02-03"),
                ended_on: None,
                overdraft: usd("0.25"),
                first_overdraft_on: Some(d("2026-02-03")),
                last_overdraft_on: Some(d("2026-02-03")),
                silent: None,
                usage_resumed_on: None,
                lower_bound: false,
                usage_stopped: false,
            }]
        );
        assert_eq!(b.depletes_on(Amount::ZERO), Some(d("2026-02-03")));
    }

    #[test]
    fn paid_lot_without_expiry_lasts_one_year() {
        let l = lot("billing:1", "2024-02-29", "25.00", LotKind::Paid, None);
        assert_eq!(l.expiry(), Some(d("2025-02-28")));
        let free = lot("billing:2", "2024-02-29", "5.00", LotKind::Free, None);
        assert_eq!(free.expiry(), None);
        let b = simulate(&acct(), &[l], &[], &[], d("2025-03-01")).unwrap();
        assert_eq!(b.closing(), Amount::ZERO);
        assert_eq!(b.lots[0].expired, usd("25.00"));
    }

    #[test]
    fn roll_forward_closes_every_month() {
        let lots = vec![
            lot("billing:1", "2026-01-20", "50.00", LotKind::Paid, None),
            lot(
                "billing:2",
                "2026-01-25",
                "5.00",
                LotKind::Free,
                Some("2026-02-10"),
            ),
            lot("billing:3", "2026-03-05", "20.00", LotKind::Paid, None),
        ];
        let usage = vec![
            use_("2026-01-26", "1.111111111"),
            use_("2026-02-15", "30.00"),
            use_("2026-02-28", "25.00"),
            use_("2026-03-06", "3.00"),
        ];
        let b = simulate(&acct(), &lots, &usage, &[], d("2026-03-10")).unwrap();
        let rolls = b.monthly().unwrap();
        let shown: Vec<[String; 6]> = rolls
            .iter()
            .map(|m| {
                [
                    m.month.to_string(),
                    m.opening.to_cents_string(),
                    m.credits.to_cents_string(),
                    m.consumed.to_cents_string(),
                    m.expired.to_cents_string(),
                    m.closing.to_cents_string(),
                ]
            })
            .collect();
        // January: 55 - 1.111111111 (from the free lot) = 53.888888889.
        // February: free remainder 3.888888889 expires on the 10th; 50 - 30 - 20 (of 25) = 0,
        // 5.00 overdraft. March: 20 - 3 = 17.
        let want = [
            ["2026-01-01", "0.00", "55.00", "1.11", "0.00", "53.89"],
            ["2026-02-01", "53.89", "0.00", "50.00", "3.89", "0.00"],
            ["2026-03-01", "0.00", "20.00", "3.00", "0.00", "17.00"],
        ];
        assert_eq!(shown, want.map(|r| r.map(String::from)).to_vec());
        assert!(rolls.iter().all(|m| m.residual.is_zero()));
        assert_eq!(rolls[1].overdraft, usd("5.00"));
        assert_eq!(rolls[1].usage, usd("55.00"));
    }

    #[test]
    fn burn_rate_and_depletion_forecast() {
        let lots = vec![lot(
            "billing:1",
            "2026-03-01",
            "100.00",
            LotKind::Paid,
            None,
        )];
        let usage: Vec<DailyUsage> = (1..=10)
            .map(|day| use_(&format!("2026-03-{day:02}"), "3.00"))
            .collect();
        let b = simulate(&acct(), &lots, &usage, &[], d("2026-03-10")).unwrap();
        assert_eq!(b.closing(), usd("70.00"));
        assert_eq!(b.burn_rate_per_day(7).unwrap(), usd("3.00"));
        // 30 days: 30.00 over 30 days (days before the first record count as zero).
        assert_eq!(b.burn_rate_per_day(30).unwrap(), usd("1.00"));
        // 70 / 3 = 23.33 days: the 24th day after the as-of date empties it.
        assert_eq!(b.depletes_on(usd("3.00")), Some(d("2026-04-03")));
        assert_eq!(b.depletes_on(Amount::ZERO), Some(d("2027-03-01")));
    }

    /// 100.00 bought on 03-01 (a manual purchase), 3.00 used each day through the as-of date
    /// Regression: a usage export ending 2026-10-31 read on 2026-11-05 gave "2.95/day over 7
    /// days", counting the five days after the export as zero spending.
    #[test]
    fn burn_rate_ends_with_the_usage_data() {
        let lots = vec![lot(
            "billing:1",
            "2026-10-01",
            "1000.00",
            LotKind::Paid,
            None,
        )];
        let usage: Vec<DailyUsage> = (2..=31)
            .map(|day| use_(&format!("2026-10-{day:02}"), "10.00"))
            .collect();
        // (as-of, usage through, 7-day rate, 30-day rate, closing, runs out)
        let cases = [
            (
                "2026-11-05",
                Some("2026-10-31"),
                "10.00",
                "10.00",
                "700.00",
                Some("2027-01-14"),
            ),
            (
                "2026-10-31",
                Some("2026-10-31"),
                "10.00",
                "10.00",
                "700.00",
                Some("2027-01-09"),
            ),
            // Days before the first record still count as zero.
            (
                "2026-10-20",
                Some("2026-10-20"),
                "10.00",
                "6.33",
                "810.00",
                Some("2027-01-09"),
            ),
            ("2026-09-30", None, "0.00", "0.00", "0.00", None),
        ];
        for (as_of, through, burn_7, burn_30, closing, runs_out) in cases {
            let b = simulate(&acct(), &lots, &usage, &[], d(as_of)).unwrap();
            assert_eq!(b.usage_through, through.map(d), "{as_of}");
            let rate_7 = b.burn_rate_per_day(7).unwrap();
            assert_eq!(rate_7.to_cents_string(), burn_7, "{as_of}");
            let rate_30 = b.burn_rate_per_day(30).unwrap().to_cents_string();
            assert_eq!(rate_30, burn_30, "{as_of}");
            assert_eq!(b.closing().to_cents_string(), closing, "{as_of}");
            assert_eq!(b.depletes_on(rate_7), runs_out.map(d), "{as_of}");
        }
    }

    /// 03-10: 70.00 left, burning 3.00 a day.
    fn seventy_left() -> Balance {
        let lots = vec![lot(
            "billing:1",
            "2026-03-01",
            "100.00",
            LotKind::Paid,
            None,
        )];
        let usage: Vec<DailyUsage> = (1..=10)
            .map(|day| use_(&format!("2026-03-{day:02}"), "3.00"))
            .collect();
        simulate(&acct(), &lots, &usage, &[], d("2026-03-10")).unwrap()
    }

    fn plan(threshold: &str, amount: &str, cap: Option<&str>) -> AutoRecharge {
        AutoRecharge {
            account: acct(),
            threshold: usd(threshold),
            amount: usd(amount),
            monthly_cap: cap.map(usd),
        }
    }

    /// (day, balance, recharge) of the points that recharged, and of `also`.
    fn recharge_days(f: &Forecast, also: &[&str]) -> Vec<(String, String, String)> {
        f.points
            .iter()
            .filter(|p| !p.recharge.is_zero() || also.contains(&p.day.to_string().as_str()))
            .map(|p| {
                (
                    p.day.to_string(),
                    p.balance.to_cents_string(),
                    p.recharge.to_cents_string(),
                )
            })
            .take(6)
            .collect()
    }

    fn triples(items: &[(&str, &str, &str)]) -> Vec<(String, String, String)> {
        items
            .iter()
            .map(|(a, b, c)| ((*a).to_string(), (*b).to_string(), (*c).to_string()))
            .collect()
    }

    #[test]
    fn recharge_fires_when_the_draw_would_cross_the_threshold() {
        let b = seventy_left();
        let burn = usd("3.00");
        // 70 -> 67 (03-11) -> 64 -> 61 (03-13); 03-14 would end at 58 < 60, so 20.00 is added:
        // 61 + 20 - 3 = 78. Then 75, 72, 69, 66, 63, 60 (03-20: not below); 03-21 would be 57:
        // 77. Then 74, 71, 68, 65, 62; 03-27 would be 59: 79. 03-28 .. 04-02 fall to 61;
        // 04-03 would be 58: 78; and so on every 6 or 7 days.
        let f = b
            .forecast(burn, Some(&plan("60", "20", None)), &[])
            .unwrap();
        assert_eq!(
            recharge_days(&f, &["2026-03-20"]),
            triples(&[
                ("2026-03-14", "78.00", "20.00"),
                ("2026-03-20", "60.00", "0.00"),
                ("2026-03-21", "77.00", "20.00"),
                ("2026-03-27", "79.00", "20.00"),
                ("2026-04-03", "78.00", "20.00"),
                ("2026-04-10", "77.00", "20.00"),
            ])
        );
        // Recharges keep it up: no depletion within the one-year horizon.
        assert_eq!(f.depletes_on, None);
        assert_eq!(f.horizon_days, RECHARGE_HORIZON_DAYS);
        assert_eq!(f.points.len(), RECHARGE_HORIZON_DAYS);
        // Without auto-recharge: 70 / 3 = 23.3 days.
        let plain = b.forecast(burn, None, &[]).unwrap();
        assert_eq!(plain.depletes_on, Some(d("2026-04-03")));
        assert_eq!(plain.points.last().map(|p| p.day), Some(d("2026-04-03")));
        assert_eq!(plain.depletes_on, b.depletes_on(burn));
    }

    #[test]
    fn several_recharges_in_one_day_when_the_draw_is_large() {
        let b = seventy_left();
        // 70 - 65 = 5, 15 below a threshold of 20: three recharges of 5.00 (70 + 15 - 65 = 20).
        let f = b
            .forecast(usd("65.00"), Some(&plan("20", "5", None)), &[])
            .unwrap();
        assert_eq!(
            (f.points[0].recharge, f.points[0].balance),
            (usd("15.00"), usd("20.00"))
        );
    }

    #[test]
    fn the_monthly_cap_stops_recharges_until_the_next_month() {
        let b = seventy_left();
        let burn = usd("3.00");
        // As above until 03-21 (second recharge, 40.00 this month = the cap). 03-27: 62 - 3 =
        // 59 < 60 but the cap is reached: 59, 56, 53, 50, 47 on 03-31. April 1: 47 - 3 = 44,
        // a recharge is allowed again: 64; 04-03: 61 - 3 = 58: 78, April's cap reached again.
        // 78 lasts 26 days at 3.00: zero on 04-29.
        let f = b
            .forecast(burn, Some(&plan("60", "20", Some("40"))), &[])
            .unwrap();
        assert_eq!(
            recharge_days(&f, &["2026-03-27", "2026-03-31"]),
            triples(&[
                ("2026-03-14", "78.00", "20.00"),
                ("2026-03-21", "77.00", "20.00"),
                ("2026-03-27", "59.00", "0.00"),
                ("2026-03-31", "47.00", "0.00"),
                ("2026-04-01", "64.00", "20.00"),
                ("2026-04-03", "78.00", "20.00"),
            ])
        );
        assert_eq!(f.depletes_on, Some(d("2026-04-29")));
        // A cap of 10.00 with 10.00 recharges on 20.00 left: 17, 14, 11, then 8 < 10 -> 18
        // (03-14); 15, 12, 9 (cap reached), 6, 3, 0 on 03-20. Without it: 0 on 03-17.
        let lots = vec![lot("billing:1", "2026-03-01", "50.00", LotKind::Paid, None)];
        let usage: Vec<DailyUsage> = (1..=10)
            .map(|day| use_(&format!("2026-03-{day:02}"), "3.00"))
            .collect();
        let twenty = simulate(&acct(), &lots, &usage, &[], d("2026-03-10")).unwrap();
        let capped = twenty
            .forecast(burn, Some(&plan("10", "10", Some("10"))), &[])
            .unwrap();
        assert_eq!(capped.depletes_on, Some(d("2026-03-20")));
        assert_eq!(twenty.depletes_on(burn), Some(d("2026-03-17")));
    }

    #[test]
    fn earlier_auto_recharges_count_toward_the_cap_and_manual_purchases_do_not() {
        let b = seventy_left();
        // The 100.00 bought on 03-01 is a manual purchase: not listed, not counted. One 20.00
        // auto-recharge on 03-05 is: only one more fits under the 40.00 cap in March (03-14,
        // 78). 03-21 would need one: capped, 57; down to 27 on 03-31. April 1: 27 - 3 = 24, 36
        // below the threshold: two recharges (40.00, the cap): 64, which lasts to 04-23.
        let past = [(d("2026-03-05"), usd("20.00"))];
        let capped = plan("60", "20", Some("40"));
        let f = b.forecast(usd("3.00"), Some(&capped), &past).unwrap();
        assert_eq!(
            recharge_days(&f, &["2026-03-21", "2026-03-31"]),
            triples(&[
                ("2026-03-14", "78.00", "20.00"),
                ("2026-03-21", "57.00", "0.00"),
                ("2026-03-31", "27.00", "0.00"),
                ("2026-04-01", "64.00", "40.00"),
            ])
        );
        assert_eq!(f.depletes_on, Some(d("2026-04-23")));
        // Auto-recharges of an earlier month do not count toward this month's cap.
        let last_month = [(d("2026-02-27"), usd("40.00"))];
        assert_eq!(
            b.forecast(usd("3.00"), Some(&capped), &last_month).unwrap(),
            b.forecast(usd("3.00"), Some(&capped), &[]).unwrap()
        );
    }

    #[test]
    fn recharge_settings_are_validated() {
        assert_eq!(plan("10", "20", Some("100")).validate(), Ok(()));
        assert!(matches!(
            plan("10", "0", None).validate(),
            Err(RechargeError::AmountNotPositive(_))
        ));
        assert!(matches!(
            plan("-1", "20", None).validate(),
            Err(RechargeError::NegativeThreshold(_))
        ));
        assert!(matches!(
            plan("10", "20", Some("15")).validate(),
            Err(RechargeError::CapBelowAmount { .. })
        ));
    }

    #[test]
    fn one_episode_per_stretch_at_zero() {
        let lots = vec![
            lot("billing:1", "2026-03-01", "5.00", LotKind::Paid, None),
            lot("billing:2", "2026-03-05", "5.00", LotKind::Paid, None),
        ];
        let usage = vec![
            use_("2026-03-01", "5.00"),
            use_("2026-03-02", "1.00"),
            use_("2026-03-03", "1.00"),
            use_("2026-03-05", "6.00"),
        ];
        let b = simulate(&acct(), &lots, &usage, &[], d("2026-03-06")).unwrap();
        let eps = b.depletion_episodes();
        assert_eq!(eps.len(), 2, "{eps:?}");
        assert_eq!(
            (eps[0].zero_on, eps[0].last_overdraft_on, eps[0].overdraft),
            (d("2026-03-01"), Some(d("2026-03-03")), usd("2.00"))
        );
        assert_eq!(
            (eps[1].zero_on, eps[1].overdraft),
            (d("2026-03-05"), usd("1.00"))
        );
    }

    #[test]
    fn other_accounts_and_currencies_are_left_out() {
        let mut other = lot("billing:9", "2026-03-01", "99.00", LotKind::Paid, None);
        other.account = AccountKey::new("openai", "Other");
        let mut eur = lot("billing:8", "2026-03-01", "7.00", LotKind::Paid, None);
        eur.currency = Currency::of(*b"EUR");
        let lots = vec![
            lot("billing:1", "2026-03-01", "10.00", LotKind::Paid, None),
            other,
            eur,
        ];
        let b = simulate(
            &acct(),
            &lots,
            &[use_("2026-03-01", "1.00")],
            &[],
            d("2026-03-01"),
        )
        .unwrap();
        assert_eq!(b.closing(), usd("9.00"));
        assert_eq!(b.other_currency_records, 1);
        assert_eq!(b.lots.len(), 1);
    }

    /// Regression: two readings of one day were ordered by their record text, so the tenth
    /// checkpoint (`checkpoint:10`) lost to the ninth and the older reading won.
    #[test]
    fn the_latest_reading_of_a_day_wins() {
        let reading = |id: i64, shown: &str| Checkpoint {
            record: format!("checkpoint:{id}"),
            account: acct(),
            day: d("2026-03-02"),
            shown: usd(shown),
            currency: Currency::of(*b"USD"),
        };
        let b = simulate(
            &acct(),
            &[lot("billing:1", "2026-03-01", "10.00", LotKind::Paid, None)],
            &[use_("2026-03-02", "1.00")],
            &[reading(9, "41.23"), reading(10, "412.35")],
            d("2026-03-03"),
        )
        .unwrap();
        assert_eq!(b.closing(), usd("412.35"));
    }
}
