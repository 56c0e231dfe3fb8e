//! Exchange rates: the ECB reference rates the ledger imports, and the one way burnrate converts
//! an amount from one currency into another.
//!
//! A [`Rate`] is units of a currency per euro on a day, so every conversion goes through the
//! euro (cross rates). ECB publishes no rates on weekends and holidays: a day without a rate
//! takes the latest rate up to [`RATE_LOOKBACK_DAYS`] days before it, and beyond that the rate is
//! missing (named, never guessed). The arithmetic is exact: `amount * to / from` in `i128`,
//! rounded half away from zero to nano-units ([`div_round`]), the same everywhere (payment
//! matching, the review, the reporting currency). Pure: no clock, no I/O.

use std::collections::BTreeMap;

use chrono::{Days, NaiveDate};

use super::money::{Amount, Currency, NANOS_PER_UNIT, div_round};

/// A day without an ECB rate (weekends, holidays) takes the latest rate up to this many days
/// before it.
pub const RATE_LOOKBACK_DAYS: u64 = 7;

/// One ECB reference rate: units of `currency` per euro on `day`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rate {
    pub day: NaiveDate,
    pub currency: Currency,
    pub per_euro: Amount,
}

/// A rate a conversion needed and the ledger lacks.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct MissingRate {
    pub day: NaiveDate,
    pub currency: Currency,
}

/// Why an amount could not be converted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConvertError {
    /// No rate for this currency on the day or the [`RATE_LOOKBACK_DAYS`] days before.
    Missing(MissingRate),
    /// The result does not fit an amount.
    TooLarge,
}

/// The ECB rates, looked up by currency and day.
#[derive(Debug, Clone, Default)]
pub struct RateBook {
    by_currency: BTreeMap<Currency, BTreeMap<NaiveDate, i64>>,
}

impl RateBook {
    /// The book of `rates`; rates of zero or below are left out.
    pub fn new(rates: &[Rate]) -> Self {
        let mut by_currency: BTreeMap<Currency, BTreeMap<NaiveDate, i64>> = BTreeMap::new();
        for r in rates.iter().filter(|r| r.per_euro.nanos() > 0) {
            by_currency
                .entry(r.currency)
                .or_default()
                .insert(r.day, r.per_euro.nanos());
        }
        Self { by_currency }
    }

    /// Nano-units of `currency` per euro on `day`, else the latest rate up to
    /// [`RATE_LOOKBACK_DAYS`] days before.
    pub fn per_euro_nanos(&self, currency: Currency, day: NaiveDate) -> Option<i64> {
        if currency == Currency::EUR {
            return Some(NANOS_PER_UNIT);
        }
        let from = day.checked_sub_days(Days::new(RATE_LOOKBACK_DAYS))?;
        self.by_currency
            .get(&currency)?
            .range(from..=day)
            .next_back()
            .map(|(_, n)| *n)
    }

    /// `amount` of `from` in `to` with the rates of `day`, through the euro, rounded half away
    /// from zero to nano-units.
    ///
    /// # Errors
    /// [`ConvertError::Missing`] names the currency whose rate is missing (the source one
    /// first); [`ConvertError::TooLarge`] when the result does not fit an amount.
    pub fn convert(
        &self,
        amount: Amount,
        from: Currency,
        to: Currency,
        day: NaiveDate,
    ) -> Result<Amount, ConvertError> {
        if from == to {
            return Ok(amount);
        }
        let missing = |currency: Currency| ConvertError::Missing(MissingRate { day, currency });
        let rate_from = self
            .per_euro_nanos(from, day)
            .ok_or_else(|| missing(from))?;
        let rate_to = self.per_euro_nanos(to, day).ok_or_else(|| missing(to))?;
        let numerator = i128::from(amount.nanos())
            .checked_mul(i128::from(rate_to))
            .ok_or(ConvertError::TooLarge)?;
        let nanos = div_round(numerator, i128::from(rate_from)).ok_or(ConvertError::TooLarge)?;
        i64::try_from(nanos)
            .map(Amount::from_nanos)
            .map_err(|_| ConvertError::TooLarge)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::money::DecimalMark;

    fn d(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    fn amt(text: &str) -> Amount {
        Amount::parse(text, DecimalMark::Dot).unwrap()
    }

    fn cur(code: &str) -> Currency {
        Currency::parse(code).unwrap()
    }

    fn book() -> RateBook {
        RateBook::new(&[
            Rate {
                day: d("2026-03-06"),
                currency: cur("USD"),
                per_euro: amt("1.0800"),
            },
            Rate {
                day: d("2026-03-06"),
                currency: cur("GBP"),
                per_euro: amt("0.8400"),
            },
            Rate {
                day: d("2026-03-06"),
                currency: cur("JPY"),
                per_euro: amt("0"),
            },
        ])
    }

    #[test]
    fn converts_through_the_euro_and_looks_back_a_week() {
        type Case = (
            &'static str,
            &'static str,
            &'static str,
            &'static str,
            &'static str,
            Result<&'static str, &'static str>,
        );
        // (case, amount, from, to, day, converted or the missing currency)
        let cases: Vec<Case> = vec![
            (
                "same currency",
                "10.00",
                "USD",
                "USD",
                "2026-01-01",
                Ok("10.00"),
            ),
            (
                "into the euro",
                "10.80",
                "USD",
                "EUR",
                "2026-03-06",
                Ok("10.00"),
            ),
            (
                "a Sunday takes Friday's rate",
                "10.80",
                "USD",
                "EUR",
                "2026-03-08",
                Ok("10.00"),
            ),
            (
                "seven days back still counts",
                "10.80",
                "USD",
                "EUR",
                "2026-03-13",
                Ok("10.00"),
            ),
            (
                "eight days back is missing",
                "10.80",
                "USD",
                "EUR",
                "2026-03-14",
                Err("USD"),
            ),
            (
                "cross rate",
                "10.00",
                "USD",
                "GBP",
                "2026-03-06",
                Ok("7.777777778"),
            ),
            (
                "source missing first",
                "10.00",
                "CHF",
                "NOK",
                "2026-03-06",
                Err("CHF"),
            ),
            (
                "a zero rate is no rate",
                "10.00",
                "JPY",
                "EUR",
                "2026-03-06",
                Err("JPY"),
            ),
            (
                "the day before the first rate",
                "10.00",
                "USD",
                "EUR",
                "2026-03-05",
                Err("USD"),
            ),
        ];
        let book = book();
        for (name, amount, from, to, day, want) in cases {
            let got = book.convert(amt(amount), cur(from), cur(to), d(day));
            match (got, want) {
                (Ok(a), Ok(w)) => assert_eq!(a, amt(w), "{name}"),
                (Err(ConvertError::Missing(m)), Err(w)) => {
                    assert_eq!(m.currency, cur(w), "{name}");
                    assert_eq!(m.day, d(day), "{name}");
                }
                (got, want) => panic!("{name}: {got:?} vs {want:?}"),
            }
        }
    }

    /// Regression: payment matching truncated conversions while the review rounded them, so
    /// the same amount converted to two values one nano-unit apart.
    #[test]
    fn conversions_round_half_away_from_zero() {
        // 1 nano USD in GBP: 0.84 / 1.08 = 0.777.. nano, rounds to 1 (truncation gave 0).
        let book = book();
        let up = book
            .convert(
                Amount::from_nanos(1),
                cur("USD"),
                cur("GBP"),
                d("2026-03-06"),
            )
            .unwrap();
        assert_eq!(up.nanos(), 1);
        let down = book
            .convert(
                Amount::from_nanos(-1),
                cur("USD"),
                cur("GBP"),
                d("2026-03-06"),
            )
            .unwrap();
        assert_eq!(down.nanos(), -1);
    }
}
