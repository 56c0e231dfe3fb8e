//! The all-in monthly figure: what AI cost in a month, everything together — API usage (what
//! the providers charged against credit or invoice), subscriptions (ChatGPT Plus, Claude Max,
//! ...) and other AI charges on the bank and card statements — this month so far against the
//! same days of last month, and against all of last month.
//!
//! Nothing is counted twice: API top-ups are prepayments whose use is the usage, so they are
//! left out; a provider's subscriptions come from its billing records when it has any in the
//! period, else from the statement lines tagged as its subscription; "other" is settled money
//! out tagged to an AI service that is neither a top-up nor a subscription. Pending holds and
//! reversed lines moved no money. Amounts are converted to the reporting currency with the ECB
//! rate of their day (the one rate book, as the review does); an amount whose rate is missing
//! stays in its own currency beside the total rather than being guessed.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike as _, NaiveDate};

use super::fx::{ConvertError, RateBook};
use super::ledger::Snapshot;
use super::money::{Amount, Currency, Money};
use super::records::{BankStatus, BillingKind, BillingStatus, SpendKind};

/// One period's spending, per part, each a total per currency (sorted by currency).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Spending {
    pub usage: Vec<Money>,
    pub subscriptions: Vec<Money>,
    pub other: Vec<Money>,
    pub total: Vec<Money>,
}

/// The all-in figure of `today`'s month.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AllIn {
    /// Day 1 of this month to `today`.
    pub this_month: Spending,
    /// The same days of last month (day 1 to today's day, cut at its last day).
    pub last_month_same_days: Spending,
    pub last_month: Spending,
    /// Those same days, for people: `Oct 1-20`.
    pub same_days_label: String,
}

/// Totals per currency, checked, converted to one currency where the rates allow.
struct Sums<'a> {
    by_currency: BTreeMap<Currency, Amount>,
    book: &'a RateBook,
    to: Currency,
}

impl<'a> Sums<'a> {
    fn new(book: &'a RateBook, to: Currency) -> Self {
        Self {
            by_currency: BTreeMap::new(),
            book,
            to,
        }
    }

    /// Adds `amount` of `currency` spent on `day`, in the reporting currency when its rate is
    /// known.
    fn add(&mut self, currency: Currency, amount: Amount, day: NaiveDate) -> Option<()> {
        match self.book.convert(amount, currency, self.to, day) {
            Ok(converted) => self.add_exact(self.to, converted),
            Err(ConvertError::Missing(_)) => self.add_exact(currency, amount),
            Err(ConvertError::TooLarge) => None,
        }
    }

    fn add_exact(&mut self, currency: Currency, amount: Amount) -> Option<()> {
        let slot = self.by_currency.entry(currency).or_insert(Amount::ZERO);
        *slot = slot.checked_add(amount)?;
        Some(())
    }

    fn merge(&mut self, other: &Sums<'_>) -> Option<()> {
        for (currency, amount) in &other.by_currency {
            self.add_exact(*currency, *amount)?;
        }
        Some(())
    }

    fn totals(&self) -> Vec<Money> {
        self.by_currency
            .iter()
            .filter(|(_, amount)| !amount.is_zero())
            .map(|(currency, amount)| Money {
                amount: *amount,
                currency: *currency,
            })
            .collect()
    }
}

/// What AI cost from `from` to `to` (inclusive), in `currency` where the rates allow; `None`
/// when a total overflows.
pub fn spending(
    snapshot: &Snapshot,
    book: &RateBook,
    currency: Currency,
    (from, to): (NaiveDate, NaiveDate),
) -> Option<Spending> {
    let within = |day: NaiveDate| day >= from && day <= to;
    let mut usage = Sums::new(book, currency);
    for u in snapshot.usage.iter().filter(|u| within(u.day)) {
        usage.add(u.currency, u.cost, u.day)?;
    }
    let billed_subscriptions: Vec<_> = snapshot
        .billing
        .iter()
        .filter(|b| within(b.day))
        .filter(|b| b.kind == BillingKind::Subscription && b.status == BillingStatus::Paid)
        .collect();
    let billed_by: BTreeSet<&str> = billed_subscriptions
        .iter()
        .map(|b| b.provider.as_str())
        .collect();
    let mut subscriptions = Sums::new(book, currency);
    for b in &billed_subscriptions {
        subscriptions.add(b.currency, b.amount.abs(), b.day)?;
    }
    let mut other = Sums::new(book, currency);
    let settled_out = snapshot
        .bank
        .iter()
        .filter(|l| within(l.day) && l.status() == BankStatus::Settled);
    for line in settled_out {
        let (Some(provider), Some(out)) = (line.provider.as_deref(), line.outflow()) else {
            continue;
        };
        match line.spend_kind {
            Some(SpendKind::Subscription) if !billed_by.contains(provider) => {
                subscriptions.add(line.currency, out, line.day)?;
            }
            Some(SpendKind::Other) => other.add(line.currency, out, line.day)?,
            _ => {}
        }
    }
    let mut total = Sums::new(book, currency);
    total.merge(&usage)?;
    total.merge(&subscriptions)?;
    total.merge(&other)?;
    Some(Spending {
        usage: usage.totals(),
        subscriptions: subscriptions.totals(),
        other: other.totals(),
        total: total.totals(),
    })
}

/// The all-in figure of the month `today` falls in, in `currency` (the reporting currency)
/// where the rates allow; `None` when a total overflows.
pub fn all_in(snapshot: &Snapshot, currency: Currency, today: NaiveDate) -> Option<AllIn> {
    let book = RateBook::new(&snapshot.rates);
    let first_this = today.with_day(1)?;
    let first_last = first_this.checked_sub_months(chrono::Months::new(1))?;
    let last_day_last = first_this.pred_opt()?;
    let same_end = first_last
        .checked_add_days(chrono::Days::new(u64::from(today.day0())))
        .map_or(last_day_last, |d| d.min(last_day_last));
    Some(AllIn {
        this_month: spending(snapshot, &book, currency, (first_this, today))?,
        last_month_same_days: spending(snapshot, &book, currency, (first_last, same_end))?,
        last_month: spending(snapshot, &book, currency, (first_last, last_day_last))?,
        same_days_label: format!(
            "{} {}-{}",
            first_last.format("%b"),
            first_last.day(),
            same_end.day()
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::balance::{AccountKey, DailyUsage};
    use crate::domain::ledger::{BankItem, BillingItem};

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, day).unwrap()
    }

    fn usd(cents: i64) -> Amount {
        Amount::from_cents(cents).unwrap()
    }

    fn line(day: NaiveDate, cents: i64, provider: &str, kind: SpendKind) -> BankItem {
        BankItem {
            id: 0,
            source_file_id: 0,
            provider: Some(provider.into()),
            spend_kind: Some(kind),
            status: None,
            day,
            time: None,
            amount: usd(cents),
            currency: Currency::USD,
            description: String::new(),
            card_last4: String::new(),
        }
    }

    fn bill(day: NaiveDate, cents: i64, provider: &str, kind: BillingKind) -> BillingItem {
        BillingItem {
            id: 0,
            source_file_id: 0,
            provider: provider.into(),
            kind,
            status: BillingStatus::Paid,
            day,
            time: None,
            amount: usd(cents),
            currency: Currency::USD,
            organization: String::new(),
            project: String::new(),
            expires_on: None,
            receipt: crate::domain::billing_details::ReceiptFacts::default(),
        }
    }

    fn usage(day: NaiveDate, cents: i64) -> DailyUsage {
        DailyUsage {
            account: AccountKey::new("openai", ""),
            day,
            cost: usd(cents),
            currency: Currency::USD,
        }
    }

    #[test]
    fn usage_subscriptions_and_other_charges_add_up_without_double_counting() {
        let snapshot = Snapshot {
            usage: vec![usage(d(11, 2), 1_000), usage(d(10, 2), 400)],
            billing: vec![
                // Billed subscription: its card line is not counted again.
                bill(d(11, 5), 2_000, "openai", BillingKind::Subscription),
                // A top-up is a prepayment: its use is the usage.
                bill(d(11, 6), 5_000, "openai", BillingKind::CreditPurchase),
            ],
            bank: vec![
                line(d(11, 5), -2_000, "openai", SpendKind::Subscription),
                // No billing record for anthropic's plan: the card line counts.
                line(d(11, 7), -10_000, "anthropic", SpendKind::Subscription),
                line(d(11, 6), -5_000, "openai", SpendKind::ApiTopup),
                line(d(11, 8), -1_500, "midjourney", SpendKind::Other),
                // A hold moved no money.
                BankItem {
                    status: Some(BankStatus::Pending),
                    ..line(d(11, 9), -999, "midjourney", SpendKind::Other)
                },
                line(d(10, 8), -1_500, "midjourney", SpendKind::Other),
            ],
            ..Snapshot::default()
        };
        let all = all_in(&snapshot, Currency::USD, d(11, 20)).unwrap();
        let total = |s: &Spending| s.total.first().map(|m| m.amount);
        assert_eq!(
            total(&all.this_month),
            Some(usd(1_000 + 2_000 + 10_000 + 1_500))
        );
        assert_eq!(
            all.this_month.subscriptions.first().map(|m| m.amount),
            Some(usd(12_000))
        );
        assert_eq!(total(&all.last_month_same_days), Some(usd(400 + 1_500)));
        assert_eq!(all.same_days_label, "Oct 1-20");
    }

    /// A plan paid in euros counts in the reporting currency at the ECB rate of its day; one
    /// without a rate stays in euros beside the total, never guessed.
    #[test]
    fn other_currencies_are_converted_at_the_rate_of_their_day() {
        let snapshot = Snapshot {
            bank: vec![
                BankItem {
                    currency: Currency::EUR,
                    ..line(d(11, 5), -2_000, "openai", SpendKind::Subscription)
                },
                BankItem {
                    currency: Currency::EUR,
                    ..line(d(10, 5), -2_000, "openai", SpendKind::Subscription)
                },
            ],
            rates: vec![crate::domain::fx::Rate {
                day: d(11, 5),
                currency: Currency::USD,
                per_euro: Amount::parse("1.10", crate::domain::money::DecimalMark::Dot).unwrap(),
            }],
            ..Snapshot::default()
        };
        let all = all_in(&snapshot, Currency::USD, d(11, 20)).unwrap();
        assert_eq!(
            all.this_month.total,
            vec![Money {
                amount: usd(2_200),
                currency: Currency::USD
            }]
        );
        assert_eq!(
            all.last_month.total,
            vec![Money {
                amount: usd(2_000),
                currency: Currency::EUR
            }]
        );
    }
}
