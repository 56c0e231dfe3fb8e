//! How amounts, counts and changes are written for people: `$1,234.56`, `1,234.56 EUR`,
//! `12,345`, `+12%`.
//!
//! Formatting is exact: amounts are rounded to cents by [`Amount::to_cents_string`], never through
//! a float.

use crate::domain::money::Amount;

fn symbol(currency: &str) -> Option<&'static str> {
    match currency {
        "USD" => Some("$"),
        "EUR" => Some("€"),
        "GBP" => Some("£"),
        _ => None,
    }
}

/// Inserts thousands separators into a run of digits.
fn group_digits(digits: &str) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `$1,234.56`, `-€12.00`, `1,234.56 CHF` (rounded to cents).
pub fn money(amount: Amount, currency: &str) -> String {
    let text = amount.to_cents_string();
    let (sign, unsigned) = text
        .strip_prefix('-')
        .map_or(("", text.as_str()), |rest| ("-", rest));
    let (whole, cents) = unsigned.split_once('.').unwrap_or((unsigned, "00"));
    let number = format!("{}.{cents}", group_digits(whole));
    match symbol(currency) {
        Some(s) => format!("{sign}{s}{number}"),
        None if currency.is_empty() => format!("{sign}{number}"),
        None => format!("{sign}{number} {currency}"),
    }
}

/// A chart axis tick as money: `$1,500`, `$0.30`, `0.05 EUR`. `step` is the distance between
/// ticks: whole units when the ticks are whole, cents (or finer steps) otherwise, so a float
/// artefact (`0.30000000000000004`) never reaches the axis. Charts only: the value is a float
/// placed on the axis, never money that is added up.
pub fn axis_money(value: f64, step: f64, currency: &str) -> String {
    let decimals = if step <= 0.0 || !step.is_finite() || (step >= 1.0 && step.fract() == 0.0) {
        0
    } else if step >= 1.0 {
        2
    } else {
        // 0.1 -> 2 (cents), 0.005 -> 3.
        #[expect(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "a small count of decimals from a tick step"
        )]
        let needed = (-step.log10()).ceil().clamp(0.0, 6.0) as usize;
        needed.max(2)
    };
    let text = format!("{:.*}", decimals, value.abs());
    let negative = value < 0.0 && text.chars().any(|c| c.is_ascii_digit() && c != '0');
    let sign = if negative { "-" } else { "" };
    let (whole, fraction) = text
        .split_once('.')
        .map_or((text.as_str(), None), |(w, f)| (w, Some(f)));
    let number = match fraction {
        Some(f) => format!("{}.{f}", group_digits(whole)),
        None => group_digits(whole),
    };
    match symbol(currency) {
        Some(s) => format!("{sign}{s}{number}"),
        None if currency.is_empty() => format!("{sign}{number}"),
        None => format!("{sign}{number} {currency}"),
    }
}

/// The amount in cents, and every stored decimal beside it when it is not whole cents:
/// `$12.50`, `$0.00 (exact 0.00383598 USD)`.
pub fn money_exact(amount: Amount, currency: &str) -> String {
    let cents = money(amount, currency);
    if Amount::from_cents(amount.round_to_cents()) == Some(amount) {
        cents
    } else {
        format!("{cents} (exact {})", exact(amount, currency))
    }
}

/// The exact amount with every stored decimal, and the currency: `0.00383598 USD`.
pub fn exact(amount: Amount, currency: &str) -> String {
    if currency.is_empty() {
        amount.to_string()
    } else {
        format!("{amount} {currency}")
    }
}

/// `12,345`.
pub fn count<T: std::fmt::Display>(n: T) -> String {
    let text = n.to_string();
    match text.strip_prefix('-') {
        Some(rest) => format!("-{}", group_digits(rest)),
        None => group_digits(&text),
    }
}

/// `1 message was not a receipt (not stored)`, `4,213 messages were not receipts (not stored)`.
pub fn not_receipts(n: u64) -> String {
    if n == 1 {
        "1 message was not a receipt (not stored)".to_string()
    } else {
        format!("{} messages were not receipts (not stored)", count(n))
    }
}

/// The change from `before` to `now` in whole percent (`None` when `before` is zero).
pub fn change_percent(now: Amount, before: Amount) -> Option<i64> {
    if before.is_zero() {
        return None;
    }
    let delta = i128::from(now.nanos()) - i128::from(before.nanos());
    let pct = delta * 100 / i128::from(before.nanos()).abs();
    i64::try_from(pct).ok()
}

/// A byte count for progress text: `1.2 MB`.
pub fn bytes(n: u64) -> String {
    const KB: u64 = 1024;
    const MB: u64 = 1024 * 1024;
    if n >= MB {
        format!("{}.{} MB", n / MB, (n % MB) * 10 / MB)
    } else if n >= KB {
        format!("{} KB", n / KB)
    } else {
        format!("{n} B")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_money_for_people() {
        let cases = [
            (123_456_700_000_000, "USD", "$123,456.70"),
            (-12_345_000_000, "EUR", "-€12.35"),
            (5_000_000, "USD", "$0.01"),
            (1_000_000_000_000, "CHF", "1,000.00 CHF"),
            (0, "", "0.00"),
        ];
        for (nanos, currency, want) in cases {
            assert_eq!(money(Amount::from_nanos(nanos), currency), want);
        }
    }

    /// Regression: the cost chart's axis read `$0.30000000000000004`.
    #[test]
    fn axis_ticks_are_money_without_float_artefacts() {
        assert_eq!(axis_money(0.300_000_000_000_000_04, 0.1, "USD"), "$0.30");
        assert_eq!(axis_money(1500.0, 500.0, "USD"), "$1,500");
        assert_eq!(axis_money(0.005, 0.005, "USD"), "$0.005");
        assert_eq!(axis_money(-20.0, 10.0, "EUR"), "-€20");
        assert_eq!(axis_money(-0.000_000_1, 0.1, "USD"), "$0.00");
        assert_eq!(axis_money(12.5, 2.5, "NOK"), "12.50 NOK");
        assert_eq!(axis_money(0.0, 50.0, "USD"), "$0");
    }

    #[test]
    fn counts_and_changes() {
        assert_eq!(count(1_234_567), "1,234,567");
        assert_eq!(count(-1000), "-1,000");
        assert_eq!(count(12), "12");
        let a = Amount::from_nanos(150);
        let b = Amount::from_nanos(100);
        assert_eq!(change_percent(a, b), Some(50));
        assert_eq!(change_percent(b, a), Some(-33));
        assert_eq!(change_percent(a, Amount::ZERO), None);
        assert_eq!(bytes(1536), "1 KB");
        assert_eq!(bytes(3 * 1024 * 1024 / 2), "1.5 MB");
    }
}
