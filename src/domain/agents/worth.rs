//! What a subscription is worth: per tool and month, the money paid for the plan (the card
//! lines tagged as that provider's subscription), the API-equivalent value of the tool's logged
//! requests, and the leverage (value / paid).
//!
//! Which plan pays for a tool is the user's setting; without one, a tool is on a subscription
//! in a month when the card shows that provider's subscription in that month, else on API
//! credit. Leverage needs both figures in dollars: a card line in another currency is taken at
//! its original dollar amount when the statement gives one, else converted at the ECB rate of its
//! day; when neither is possible the leverage is unknown rather than guessed.

use chrono::NaiveDate;
use serde::Serialize;

use super::Tool;
use crate::domain::fx::RateBook;
use crate::domain::money::{Amount, Currency};

/// Which plan pays for a tool's requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PlanKind {
    Subscription,
    Api,
}

impl PlanKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PlanKind::Subscription => "subscription",
            PlanKind::Api => "api",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text.trim().to_ascii_lowercase().as_str() {
            "subscription" | "sub" | "plan" => Some(PlanKind::Subscription),
            "api" | "credit" | "api-credit" => Some(PlanKind::Api),
            _ => None,
        }
    }

    /// The plan of a month with no setting: a subscription when the card paid one.
    pub fn default_for(subscription_paid_this_month: bool) -> Self {
        if subscription_paid_this_month {
            PlanKind::Subscription
        } else {
            PlanKind::Api
        }
    }
}

/// A settled card line that paid a subscription.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaidLine {
    pub day: NaiveDate,
    /// Money out, positive.
    pub amount: Amount,
    pub currency: Currency,
    /// What the merchant charged before the card's conversion, when the statement says.
    pub original: Option<(Amount, Currency)>,
}

/// One tool's month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Worth {
    pub tool: Tool,
    pub provider: String,
    /// Paid, in `currency` (the card lines' currency).
    pub paid: Amount,
    pub currency: Currency,
    /// API-equivalent value in dollars (priced requests only).
    pub value: Amount,
    /// Requests of models without a price.
    pub unpriced_requests: i64,
    /// Value / paid in hundredths (`610` is 6.10x); `None` when nothing was paid or the payment
    /// cannot be put in dollars.
    pub leverage_hundredths: Option<i64>,
}

/// The currency most of the lines are in (ties go to the alphabetically first).
fn main_currency(lines: &[PaidLine]) -> Currency {
    let mut counts: Vec<(Currency, usize)> = Vec::new();
    for l in lines {
        let c = l.currency;
        match counts.iter_mut().find(|(k, _)| *k == c) {
            Some((_, n)) => *n += 1,
            None => counts.push((c, 1)),
        }
    }
    counts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    counts.first().map_or(Currency::USD, |(c, _)| *c)
}

fn in_dollars(line: &PaidLine, rates: &RateBook) -> Option<Amount> {
    if line.currency == Currency::USD {
        return Some(line.amount);
    }
    if let Some((amount, Currency::USD)) = line.original {
        return Some(amount.abs());
    }
    rates
        .convert(line.amount, line.currency, Currency::USD, line.day)
        .ok()
}

/// A tool's paid, value and leverage for a month. `lines` are the month's subscription lines
/// of the provider; lines in another currency than most of them are left out of `paid` (and of
/// the leverage) rather than added across currencies.
pub fn worth(
    tool: Tool,
    provider: &str,
    lines: &[PaidLine],
    value: Amount,
    unpriced_requests: i64,
    rates: &RateBook,
) -> Worth {
    let currency = main_currency(lines);
    let kept: Vec<&PaidLine> = lines.iter().filter(|l| l.currency == currency).collect();
    let paid = kept
        .iter()
        .try_fold(Amount::ZERO, |sum, l| sum.checked_add(l.amount))
        .unwrap_or(Amount::ZERO);
    let paid_usd = kept.iter().try_fold(Amount::ZERO, |sum, l| {
        sum.checked_add(in_dollars(l, rates)?)
    });
    let leverage_hundredths = paid_usd.filter(|p| p.nanos() > 0).and_then(|p| {
        let ratio = i128::from(value.nanos()) * 100 * 2 / i128::from(p.nanos());
        i64::try_from((ratio + 1) / 2).ok()
    });
    Worth {
        tool,
        provider: provider.to_string(),
        paid,
        currency,
        value,
        unpriced_requests,
        leverage_hundredths,
    }
}

/// A provider whose API-credit usage in the logs and on the bill disagree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BillingGap {
    pub provider: String,
    /// The tools whose logs were compared (`claude-code, codex`).
    pub tools: String,
    pub billed: Amount,
    pub value: Amount,
    /// The difference in whole percent of the bill (`None`: nothing billed).
    pub percent: Option<i64>,
}

/// How far the logs' API-equivalent value of a provider's API-credit usage is from what the
/// provider billed for the same month: `None` when they agree within 5% (the logs refine the
/// bill, they never add to it), else the difference in whole percent of the bill (`Some(None)`
/// when nothing was billed: the cost export is probably missing).
pub fn billing_gap(billed: Amount, value: Amount) -> Option<Option<i64>> {
    if billed.is_zero() {
        return (!value.is_zero()).then_some(None);
    }
    let diff = i128::from(value.nanos()) - i128::from(billed.nanos());
    let billed_nanos = i128::from(billed.nanos()).abs();
    if diff.abs() * 100 <= billed_nanos * 5 {
        return None;
    }
    let percent = i128::midpoint(diff * 200 / billed_nanos, diff.signum());
    Some(i64::try_from(percent).ok())
}

/// Leverage for people and scripts: `6.10`.
pub fn leverage_text(hundredths: i64) -> String {
    format!("{}.{:02}", hundredths / 100, hundredths % 100)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::fx::Rate;
    use crate::domain::money::DecimalMark;

    fn amt(s: &str) -> Amount {
        Amount::parse(s, DecimalMark::Dot).unwrap()
    }

    fn line(day: &str, amount: &str, currency: &str) -> PaidLine {
        PaidLine {
            day: day.parse().unwrap(),
            amount: amt(amount),
            currency: currency.parse().unwrap(),
            original: None,
        }
    }

    #[test]
    fn logs_and_bills_that_disagree_beyond_five_percent_are_named() {
        assert_eq!(billing_gap(amt("100"), amt("104.99")), None);
        assert_eq!(
            billing_gap(amt("100"), amt("95")),
            None,
            "exactly 5% still agrees"
        );
        assert_eq!(billing_gap(amt("100"), amt("120")), Some(Some(20)));
        assert_eq!(billing_gap(amt("100"), amt("80")), Some(Some(-20)));
        assert_eq!(billing_gap(Amount::ZERO, amt("3")), Some(None));
        assert_eq!(billing_gap(Amount::ZERO, Amount::ZERO), None);
    }

    #[test]
    fn leverage_is_value_over_paid_in_dollars() {
        let rates = RateBook::default();
        let w = worth(
            Tool::ClaudeCode,
            "anthropic",
            &[line("2026-10-03", "100.00", "USD")],
            amt("610.00"),
            2,
            &rates,
        );
        assert_eq!(
            (w.paid, w.leverage_hundredths, w.currency.as_str()),
            (amt("100.00"), Some(610), "USD")
        );
        assert_eq!(leverage_text(610), "6.10");
        let none = worth(Tool::Codex, "openai", &[], amt("5"), 0, &rates);
        assert_eq!(
            none.leverage_hundredths, None,
            "nothing paid: no leverage, never infinite"
        );
    }

    #[test]
    fn a_euro_card_line_is_taken_at_its_dollar_original_or_the_ecb_rate() {
        let mut eur = line("2026-10-03", "92.00", "EUR");
        let rates = RateBook::new(&[Rate {
            day: "2026-10-02".parse().unwrap(),
            currency: Currency::USD,
            per_euro: amt("1.25"),
        }]);
        let w = worth(
            Tool::ClaudeCode,
            "anthropic",
            std::slice::from_ref(&eur),
            amt("230.00"),
            0,
            &rates,
        );
        // 92 EUR at 1.25 = 115 USD; 230 / 115 = 2.00
        assert_eq!(
            (w.paid, w.currency.as_str(), w.leverage_hundredths),
            (amt("92.00"), "EUR", Some(200))
        );
        eur.original = Some((amt("-100.00"), Currency::USD));
        let w = worth(
            Tool::ClaudeCode,
            "anthropic",
            &[eur],
            amt("230.00"),
            0,
            &RateBook::default(),
        );
        assert_eq!(w.leverage_hundredths, Some(230));
        let w = worth(
            Tool::ClaudeCode,
            "anthropic",
            &[line("2026-10-03", "92.00", "GBP")],
            amt("230.00"),
            0,
            &RateBook::default(),
        );
        assert_eq!(w.leverage_hundredths, None, "no rate: unknown, not guessed");
    }
}
