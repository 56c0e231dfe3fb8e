//! Prepaid balances per provider account (a provider plus an organization), rebuilt day by day
//! from credit lots and daily usage cost.
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

use std::collections::BTreeMap;

use chrono::{Datelike, Months, NaiveDate};

use super::money::Amount;

/// How long a paid lot without an expiry date stays usable.
pub const PAID_LOT_LIFETIME_MONTHS: u32 = 12;

/// How far ahead a depletion forecast looks before it gives up.
const FORECAST_HORIZON_DAYS: usize = 3_660;

/// What can go wrong while adding up a balance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum BalanceError {
    #[error("a balance total is too large to add up exactly")]
    Overflow,
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
}

impl LotKind {
    pub fn as_str(self) -> &'static str {
        match self {
            LotKind::Free => "free",
            LotKind::Paid => "paid",
            LotKind::Inferred => "inferred",
        }
    }
}

/// Credit added to an account on one day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreditLot {
    /// Evidence id: `billing:3`, `bank:12`.
    pub record: String,
    pub account: AccountKey,
    pub day: NaiveDate,
    pub amount: Amount,
    pub currency: String,
    pub kind: LotKind,
    /// The expiry the record states, if any.
    pub expires_on: Option<NaiveDate>,
}

impl CreditLot {
    /// The day the lot's remainder drops out: the stated expiry, else one year after the date
    /// for paid and inferred lots, else never (free credits without an expiry).
    pub fn expiry(&self) -> Option<NaiveDate> {
        self.expires_on.or_else(|| match self.kind {
            LotKind::Free => None,
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
    pub currency: String,
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
    pub closing: Amount,
    pub residual: Amount,
}

/// A stretch where the balance stood at zero while usage went on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DepletionEpisode {
    /// The day the balance reached zero.
    pub zero_on: NaiveDate,
    pub first_overdraft_on: NaiveDate,
    pub last_overdraft_on: NaiveDate,
    /// Usage recorded past zero during the episode.
    pub overdraft: Amount,
}

/// An account's balance from its first record to the as-of date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Balance {
    pub account: AccountKey,
    pub currency: String,
    pub as_of: NaiveDate,
    /// One point per day from the first record to `as_of`; empty when there are no records.
    pub days: Vec<DayBalance>,
    pub lots: Vec<LotOutcome>,
    /// Lots and usage days left out because they are in another currency.
    pub other_currency_records: usize,
}

struct LiveLot<'a> {
    lot: &'a CreditLot,
    remaining: Amount,
    expired: Amount,
}

/// Rebuilds the balance of `account` day by day up to `as_of`. Records of other accounts and
/// records dated after `as_of` are ignored.
///
/// # Errors
/// When a total is too large to add up exactly.
pub fn simulate(
    account: &AccountKey,
    lots: &[CreditLot],
    usage: &[DailyUsage],
    as_of: NaiveDate,
) -> Result<Balance, BalanceError> {
    let mut own_lots: Vec<&CreditLot> = lots
        .iter()
        .filter(|l| &l.account == account && l.day <= as_of)
        .collect();
    own_lots.sort_by(|a, b| (a.day, &a.record).cmp(&(b.day, &b.record)));
    let own_usage: Vec<&DailyUsage> = usage
        .iter()
        .filter(|u| &u.account == account && u.day <= as_of)
        .collect();
    let currency = own_lots
        .first()
        .map(|l| l.currency.clone())
        .or_else(|| {
            own_usage
                .iter()
                .min_by_key(|u| u.day)
                .map(|u| u.currency.clone())
        })
        .unwrap_or_else(|| "USD".to_string());
    let same = |c: &str| c.eq_ignore_ascii_case(&currency);
    let other_currency_records = own_lots.iter().filter(|l| !same(&l.currency)).count()
        + own_usage.iter().filter(|u| !same(&u.currency)).count();
    own_lots.retain(|l| same(&l.currency));
    let mut usage_by_day: BTreeMap<NaiveDate, Amount> = BTreeMap::new();
    for u in own_usage.iter().filter(|u| same(&u.currency)) {
        let entry = usage_by_day.entry(u.day).or_default();
        *entry = add(*entry, u.cost)?;
    }
    let first = own_lots
        .first()
        .map(|l| l.day)
        .into_iter()
        .chain(usage_by_day.keys().next().copied())
        .min();
    let mut balance = Balance {
        account: account.clone(),
        currency,
        as_of,
        days: Vec::new(),
        lots: Vec::new(),
        other_currency_records,
    };
    let Some(first) = first else {
        return Ok(balance);
    };
    let mut live: Vec<LiveLot<'_>> = Vec::with_capacity(own_lots.len());
    let mut next_lot = 0;
    for day in first.iter_days().take_while(|d| *d <= as_of) {
        let mut point = DayBalance {
            day,
            credits: Amount::ZERO,
            usage: usage_by_day.get(&day).copied().unwrap_or_default(),
            consumed: Amount::ZERO,
            expired: Amount::ZERO,
            overdraft: Amount::ZERO,
            balance: Amount::ZERO,
        };
        while let Some(lot) = own_lots.get(next_lot).filter(|l| l.day == day) {
            point.credits = add(point.credits, lot.amount.max(Amount::ZERO))?;
            live.push(LiveLot {
                lot,
                remaining: lot.amount.max(Amount::ZERO),
                expired: Amount::ZERO,
            });
            next_lot += 1;
        }
        point.expired = expire(&mut live, day)?;
        let (consumed, overdraft) = consume(&mut live, point.usage)?;
        point.consumed = consumed;
        point.overdraft = overdraft;
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

/// Drops the remainders of lots whose expiry day has come; returns the total dropped.
fn expire(live: &mut [LiveLot<'_>], day: NaiveDate) -> Result<Amount, BalanceError> {
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
fn consume(live: &mut [LiveLot<'_>], need: Amount) -> Result<(Amount, Amount), BalanceError> {
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

fn remaining(live: &[LiveLot<'_>]) -> Result<Amount, BalanceError> {
    live.iter()
        .try_fold(Amount::ZERO, |acc, l| add(acc, l.remaining))
}

impl Balance {
    /// The balance at the end of the as-of date (zero when there are no records).
    pub fn closing(&self) -> Amount {
        self.days.last().map(|d| d.balance).unwrap_or_default()
    }

    /// Average usage per day over the `window_days` days ending on the as-of date (days before
    /// the first record count as zero). Integer division of nano-units.
    ///
    /// # Errors
    /// When the total is too large to add up exactly.
    pub fn burn_rate_per_day(&self, window_days: u32) -> Result<Amount, BalanceError> {
        if window_days == 0 {
            return Ok(Amount::ZERO);
        }
        let start = self
            .as_of
            .checked_sub_days(chrono::Days::new(u64::from(window_days - 1)))
            .unwrap_or(NaiveDate::MIN);
        let total = self
            .days
            .iter()
            .filter(|d| d.day >= start && d.day <= self.as_of && d.usage > Amount::ZERO)
            .try_fold(Amount::ZERO, |acc, d| add(acc, d.usage))?;
        Ok(Amount::from_nanos(
            total.nanos() / i64::from(window_days.min(i32::MAX.unsigned_abs())),
        ))
    }

    /// The day the balance runs out at `burn_per_day`, with the remaining lots' expiries taken
    /// into account. When the balance is already zero: the day it reached zero. `None` when it
    /// lasts beyond ten years (or there is nothing to deplete).
    pub fn depletes_on(&self, burn_per_day: Amount) -> Option<NaiveDate> {
        let last = self.days.last()?;
        if last.balance.is_zero() {
            let zero_since = self
                .days
                .iter()
                .rev()
                .take_while(|d| d.balance.is_zero())
                .last()
                .map_or(last.day, |d| d.day);
            return Some(zero_since);
        }
        let mut lots: Vec<(Option<NaiveDate>, Amount)> = self
            .lots
            .iter()
            .filter(|l| !l.remaining.is_zero())
            .map(|l| (l.expiry, l.remaining))
            .collect();
        // Free credits and earliest expiries first, as in `simulate`.
        let mut order: Vec<(bool, NaiveDate, usize)> = self
            .lots
            .iter()
            .filter(|l| !l.remaining.is_zero())
            .enumerate()
            .map(|(i, l)| {
                (
                    l.kind != LotKind::Free,
                    l.expiry.unwrap_or(NaiveDate::MAX),
                    i,
                )
            })
            .collect();
        order.sort_unstable();
        for day in self.as_of.iter_days().skip(1).take(FORECAST_HORIZON_DAYS) {
            for lot in &mut lots {
                if lot.0.is_some_and(|e| e <= day) {
                    lot.1 = Amount::ZERO;
                }
            }
            let mut left = burn_per_day.max(Amount::ZERO);
            for (_, _, i) in &order {
                let Some(lot) = lots.get_mut(*i) else {
                    continue;
                };
                let take = left.min(lot.1);
                lot.1 = lot.1.checked_sub(take)?;
                left = left.checked_sub(take)?;
            }
            if lots.iter().all(|l| l.1.is_zero()) {
                return Some(day);
            }
        }
        None
    }

    /// The stretches where usage went on past a zero balance, one per episode: an episode
    /// begins on the day the balance reached zero and ends when credit arrives.
    pub fn depletion_episodes(&self) -> Vec<DepletionEpisode> {
        let mut episodes = Vec::new();
        let mut zero_since: Option<NaiveDate> = None;
        let mut open: Option<DepletionEpisode> = None;
        let mut previous_balance = Amount::ZERO;
        for d in &self.days {
            // Credit arriving ends a stretch even when usage eats it the same day.
            let refilled = !d.credits.is_zero() && previous_balance.is_zero();
            if refilled || !d.balance.is_zero() {
                if let Some(e) = open.take() {
                    episodes.push(e);
                }
                zero_since = None;
            }
            if d.balance.is_zero() && zero_since.is_none() {
                zero_since = Some(d.day);
            }
            previous_balance = d.balance;
            if d.overdraft.is_zero() {
                continue;
            }
            match open.as_mut() {
                Some(e) => {
                    e.last_overdraft_on = d.day;
                    e.overdraft = e.overdraft.checked_add(d.overdraft).unwrap_or(e.overdraft);
                }
                None => {
                    open = Some(DepletionEpisode {
                        zero_on: zero_since.unwrap_or(d.day),
                        first_overdraft_on: d.day,
                        last_overdraft_on: d.day,
                        overdraft: d.overdraft,
                    });
                }
            }
        }
        episodes.extend(open);
        episodes
    }

    /// The roll-forward per calendar month: opening + credits - consumed - expired = closing,
    /// with any residual reported.
    ///
    /// # Errors
    /// When a total is too large to add up exactly.
    pub fn monthly(&self) -> Result<Vec<MonthRoll>, BalanceError> {
        let mut months: Vec<MonthRoll> = Vec::new();
        let mut previous_close = Amount::ZERO;
        for d in &self.days {
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
            m.closing = d.balance;
            previous_close = d.balance;
        }
        for m in &mut months {
            let expected = sub(sub(add(m.opening, m.credits)?, m.consumed)?, m.expired)?;
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
            currency: "USD".into(),
            kind,
            expires_on: expires.map(d),
        }
    }

    fn use_(day: &str, cost: &str) -> DailyUsage {
        DailyUsage {
            account: acct(),
            day: d(day),
            cost: usd(cost),
            currency: "USD".into(),
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
        let b = simulate(&acct(), &lots, &usage, d("2026-03-03")).unwrap();
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
        let b = simulate(&acct(), &lots, &usage, d("2026-02-04")).unwrap();
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
                first_overdraft_on: d("2026-02-03"),
                last_overdraft_on: d("2026-02-03"),
                overdraft: usd("0.25"),
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
        let b = simulate(&acct(), &[l], &[], d("2025-03-01")).unwrap();
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
        let b = simulate(&acct(), &lots, &usage, d("2026-03-10")).unwrap();
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
        let b = simulate(&acct(), &lots, &usage, d("2026-03-10")).unwrap();
        assert_eq!(b.closing(), usd("70.00"));
        assert_eq!(b.burn_rate_per_day(7).unwrap(), usd("3.00"));
        // 30 days: 30.00 over 30 days (days before the first record count as zero).
        assert_eq!(b.burn_rate_per_day(30).unwrap(), usd("1.00"));
        // 70 / 3 = 23.33 days: the 24th day after the as-of date empties it.
        assert_eq!(b.depletes_on(usd("3.00")), Some(d("2026-04-03")));
        assert_eq!(b.depletes_on(Amount::ZERO), Some(d("2027-03-01")));
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
        let b = simulate(&acct(), &lots, &usage, d("2026-03-06")).unwrap();
        let eps = b.depletion_episodes();
        assert_eq!(eps.len(), 2, "{eps:?}");
        assert_eq!(
            (eps[0].zero_on, eps[0].last_overdraft_on, eps[0].overdraft),
            (d("2026-03-01"), d("2026-03-03"), usd("2.00"))
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
        eur.currency = "EUR".into();
        let lots = vec![
            lot("billing:1", "2026-03-01", "10.00", LotKind::Paid, None),
            other,
            eur,
        ];
        let b = simulate(
            &acct(),
            &lots,
            &[use_("2026-03-01", "1.00")],
            d("2026-03-01"),
        )
        .unwrap();
        assert_eq!(b.closing(), usd("9.00"));
        assert_eq!(b.other_currency_records, 1);
        assert_eq!(b.lots.len(), 1);
    }
}
