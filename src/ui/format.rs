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
