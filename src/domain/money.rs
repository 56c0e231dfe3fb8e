//! Exact money: amounts are integers of nano-units (1e-9 of the currency's major unit).
//!
//! Nine decimals hold every real usage row (OpenAI writes up to 30 decimals, of which only the
//! first nine are ever non-zero in practice; further digits are rounded half away from zero and
//! the text as written is kept beside the number in the ledger). Arithmetic is checked: an
//! overflow is an error, never a wrap. Floats appear only in the chart code of `ui`.
//!
//! A currency is a [`Currency`]: three ASCII letters, upper-cased, validated once by
//! [`Currency::parse`] wherever a code enters burnrate (a file, a setting, a command-line
//! option). An amount with its currency is a [`Money`]. Divisions that must round (currency
//! conversion, percentages) round half away from zero with [`div_round`], the same rule as
//! [`Amount::round_to_cents`] and the parser's tenth decimal.

use std::fmt;
use std::ops::Deref;

/// Nano-units per major unit (one dollar is `1_000_000_000` nanos).
pub const NANOS_PER_UNIT: i64 = 1_000_000_000;

/// Which character separates the decimals in a file's numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DecimalMark {
    /// `1,234.56`
    #[default]
    Dot,
    /// `1.234,56`
    Comma,
}

/// An exact amount of some currency, in nano-units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Amount {
    nanos: i64,
}

/// Why a text is not an amount.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    #[error("'{0}' is not a number")]
    NotANumber(String),
    #[error("'{0}' is too large to be an amount")]
    TooLarge(String),
    #[error("the amount is empty")]
    Empty,
}

impl Amount {
    pub const ZERO: Amount = Amount { nanos: 0 };

    /// An amount from nano-units.
    pub const fn from_nanos(nanos: i64) -> Self {
        Self { nanos }
    }

    /// An amount from minor units of a two-decimal currency (cents).
    pub fn from_cents(cents: i64) -> Option<Self> {
        cents.checked_mul(10_000_000).map(Self::from_nanos)
    }

    /// The amount in nano-units.
    pub const fn nanos(self) -> i64 {
        self.nanos
    }

    pub const fn is_zero(self) -> bool {
        self.nanos == 0
    }

    pub const fn is_negative(self) -> bool {
        self.nanos < 0
    }

    #[must_use]
    pub const fn abs(self) -> Self {
        Self {
            nanos: self.nanos.saturating_abs(),
        }
    }

    #[must_use]
    pub fn checked_add(self, other: Self) -> Option<Self> {
        self.nanos.checked_add(other.nanos).map(Self::from_nanos)
    }

    #[must_use]
    pub fn checked_sub(self, other: Self) -> Option<Self> {
        self.nanos.checked_sub(other.nanos).map(Self::from_nanos)
    }

    #[must_use]
    pub fn checked_neg(self) -> Option<Self> {
        self.nanos.checked_neg().map(Self::from_nanos)
    }

    /// Parses a number as written in a statement: optional sign (also `- 85.30`, `(12.50)` and a
    /// trailing minus), currency symbols and codes around it, thousands separators, and the given
    /// decimal mark.
    ///
    /// # Errors
    /// When the text holds no number, more than one number, or one too large for the ledger.
    pub fn parse(text: &str, mark: DecimalMark) -> Result<Self, AmountError> {
        parse_amount(text, mark)
    }

    /// Rounds to whole cents (half away from zero) and returns them.
    pub fn round_to_cents(self) -> i64 {
        let step = NANOS_PER_UNIT / 100;
        let q = self.nanos / step;
        let r = self.nanos % step;
        if r.abs() * 2 >= step {
            q + self.nanos.signum()
        } else {
            q
        }
    }

    /// A decimal string rounded to cents: `-12.35`.
    pub fn to_cents_string(self) -> String {
        let cents = self.round_to_cents();
        let sign = if cents < 0 { "-" } else { "" };
        let abs = cents.unsigned_abs();
        format!("{sign}{}.{:02}", abs / 100, abs % 100)
    }
}

impl fmt::Display for Amount {
    /// The exact value with trailing zeros trimmed, at least two decimals: `0.00383598`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.nanos < 0 { "-" } else { "" };
        let abs = self.nanos.unsigned_abs();
        let unit = NANOS_PER_UNIT.unsigned_abs();
        let whole = abs / unit;
        let frac = format!("{:09}", abs % unit);
        let trimmed = frac.trim_end_matches('0');
        let frac = if trimmed.len() < 2 {
            &frac[..2]
        } else {
            trimmed
        };
        write!(f, "{sign}{whole}.{frac}")
    }
}

/// A currency code: three ASCII letters, upper-cased (`USD`, `EUR`). `XXX` (ISO 4217's "no
/// currency") stands for a record stored without one.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Currency([u8; 3]);

/// Why a text is not a currency code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CurrencyError {
    #[error("the currency is empty; write a three-letter code such as USD")]
    Empty,
    #[error("'{0}' is not a currency code; write a three-letter code such as USD")]
    NotACode(String),
}

impl Currency {
    pub const USD: Currency = Currency(*b"USD");
    pub const EUR: Currency = Currency(*b"EUR");
    /// ISO 4217's code for "no currency": a record stored without one.
    pub const UNKNOWN: Currency = Currency(*b"XXX");

    /// A code written into burnrate itself (`Currency::of(*b"NOK")`); not for user input.
    ///
    /// # Panics
    /// When the code is not three upper-case ASCII letters (a mistake in burnrate's source,
    /// caught at compile time where the code is a constant).
    pub const fn of(code: [u8; 3]) -> Self {
        assert!(
            code[0].is_ascii_uppercase()
                && code[1].is_ascii_uppercase()
                && code[2].is_ascii_uppercase(),
            "a currency code is three upper-case letters"
        );
        Self(code)
    }

    /// Reads a code as people write it (`usd`, ` EUR `): three ASCII letters, any case,
    /// surrounding spaces ignored.
    ///
    /// # Errors
    /// When the text is empty or is not three letters.
    pub fn parse(text: &str) -> Result<Self, CurrencyError> {
        let code = text.trim();
        if code.is_empty() {
            return Err(CurrencyError::Empty);
        }
        match code.as_bytes() {
            [a, b, c] if [a, b, c].iter().all(|x| x.is_ascii_alphabetic()) => Ok(Self([
                a.to_ascii_uppercase(),
                b.to_ascii_uppercase(),
                c.to_ascii_uppercase(),
            ])),
            _ => Err(CurrencyError::NotACode(code.to_string())),
        }
    }

    /// Reads a code stored by an earlier version of the ledger: anything that is not a code
    /// (an empty cell) is [`Currency::UNKNOWN`].
    pub fn parse_stored(text: &str) -> Self {
        Self::parse(text).unwrap_or(Self::UNKNOWN)
    }

    /// The code, upper-case.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or("XXX")
    }
}

impl Default for Currency {
    /// [`Currency::UNKNOWN`]: a record that names no currency.
    fn default() -> Self {
        Self::UNKNOWN
    }
}

impl Deref for Currency {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for Currency {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl fmt::Debug for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.as_str())
    }
}

impl PartialEq<str> for Currency {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Currency {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl std::str::FromStr for Currency {
    type Err = CurrencyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl serde::Serialize for Currency {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for Currency {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// An exact amount and its currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Money {
    pub amount: Amount,
    pub currency: Currency,
}

/// `n / d` rounded half away from zero: the one rounding rule of divisions on money
/// (conversions, rates, percentages). `None` for a zero or negative divisor.
pub fn div_round(n: i128, d: i128) -> Option<i128> {
    if d <= 0 {
        return None;
    }
    let q = n / d;
    let r = n % d;
    if r.checked_abs()?.checked_mul(2)? >= d {
        Some(q + n.signum())
    } else {
        Some(q)
    }
}

/// Sums amounts exactly.
///
/// # Errors
/// On overflow (a total beyond nine billion units).
pub fn checked_sum<I: IntoIterator<Item = Amount>>(items: I) -> Option<Amount> {
    items
        .into_iter()
        .try_fold(Amount::ZERO, Amount::checked_add)
}

fn is_decoration(c: char) -> bool {
    c.is_whitespace() || "$€£¥₹₩₽₺₪¤'\"=".contains(c)
}

/// Removes the currency words statements write around a number: a code or short word set off
/// by a space (`12.00 USD`, `kr 219,56`) or three capital letters touching it (`USD12.00`).
/// Any other letter stays, so `-12.3x` is not read as -12.30.
fn strip_currency_words(text: &str) -> &str {
    let mut body = text.trim_matches(is_decoration);
    loop {
        let before = body;
        if let Some((word, rest)) = body.split_once(' ')
            && is_currency_word(word)
        {
            body = rest.trim_matches(is_decoration);
        }
        if let Some((rest, word)) = body.rsplit_once(' ')
            && is_currency_word(word)
        {
            body = rest.trim_matches(is_decoration);
        }
        let code = |w: &str| w.len() == 3 && w.chars().all(|c| c.is_ascii_uppercase());
        if body.len() > 3 {
            if let (Some(head), Some(tail)) = (body.get(..3), body.get(3..))
                && code(head)
            {
                body = tail.trim_matches(is_decoration);
            } else if let (Some(head), Some(tail)) =
                (body.get(..body.len() - 3), body.get(body.len() - 3..))
                && code(tail)
            {
                body = head.trim_matches(is_decoration);
            }
        }
        if body == before {
            return body;
        }
    }
}

fn is_currency_word(word: &str) -> bool {
    let n = word.chars().count();
    (1..=3).contains(&n) && word.chars().all(char::is_alphabetic)
}

/// An amount written the plain way (`-12.50`, `0.003835980000000000000000000000`: an optional
/// minus, digits, the decimal mark, digits), read without building any text: the shape of every
/// cost in a provider's export. `None` for anything else, which [`parse_amount`] reads the long
/// way (with the same result for plain text).
fn parse_plain(text: &str, mark: DecimalMark) -> Option<Amount> {
    let decimal = match mark {
        DecimalMark::Dot => b'.',
        DecimalMark::Comma => b',',
    };
    let (negative, digits) = match text.as_bytes().split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, text.as_bytes()),
    };
    let (int, frac) = match digits.iter().position(|&b| b == decimal) {
        Some(at) => (digits.get(..at)?, digits.get(at + 1..)?),
        None => (digits, &[][..]),
    };
    if (int.is_empty() && frac.is_empty()) || !int.iter().chain(frac).all(u8::is_ascii_digit) {
        return None;
    }
    let first = int.iter().position(|&b| b != b'0').unwrap_or(int.len());
    let int = int.get(first..)?;
    if int.len() > 10 {
        return None;
    }
    let int_value = int.iter().fold(0i64, |n, &b| n * 10 + i64::from(b - b'0'));
    let mut frac_nanos: i64 = 0;
    for i in 0..9 {
        frac_nanos = frac_nanos * 10 + frac.get(i).map_or(0, |b| i64::from(b - b'0'));
    }
    if frac.get(9).is_some_and(|b| *b >= b'5') {
        frac_nanos += 1;
    }
    let nanos = int_value
        .checked_mul(NANOS_PER_UNIT)?
        .checked_add(frac_nanos)?;
    Some(Amount::from_nanos(if negative { -nanos } else { nanos }))
}

fn parse_amount(text: &str, mark: DecimalMark) -> Result<Amount, AmountError> {
    match parse_plain(text.trim(), mark) {
        Some(amount) => Ok(amount),
        None => parse_written(text, mark),
    }
}

/// An amount as people write it: currency words and signs around it, parentheses for a
/// negative, thousands separators.
fn parse_written(text: &str, mark: DecimalMark) -> Result<Amount, AmountError> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(AmountError::Empty);
    }
    let not_a_number = || AmountError::NotANumber(trimmed.to_string());
    let mut negative = false;
    let mut body = strip_currency_words(trimmed);
    if let Some(inner) = body.strip_prefix('(').and_then(|b| b.strip_suffix(')')) {
        negative = true;
        body = strip_currency_words(inner);
    }
    if let Some(rest) = body.strip_prefix(['-', '\u{2212}', '\u{2013}']) {
        negative = !negative;
        body = strip_currency_words(rest);
    } else if let Some(rest) = body.strip_prefix('+') {
        body = strip_currency_words(rest);
    }
    if let Some(rest) = body.strip_suffix('-') {
        negative = !negative;
        body = strip_currency_words(rest);
    }
    let (decimal, thousands) = match mark {
        DecimalMark::Dot => ('.', ','),
        DecimalMark::Comma => (',', '.'),
    };
    let mut int_part = String::new();
    let mut frac_part = String::new();
    let mut in_frac = false;
    for c in body.chars() {
        if c.is_ascii_digit() {
            if in_frac {
                frac_part.push(c);
            } else {
                int_part.push(c);
            }
        } else if c == decimal && !in_frac {
            in_frac = true;
        } else if (c == thousands
            || c == '\''
            || c == '\u{2019}'
            || c == ' '
            || c == '\u{a0}'
            || c == '\u{202f}')
            && !in_frac
            && !int_part.is_empty()
        {
        } else {
            return Err(not_a_number());
        }
    }
    if int_part.is_empty() && frac_part.is_empty() {
        return Err(not_a_number());
    }
    let too_large = || AmountError::TooLarge(trimmed.to_string());
    let stripped = int_part.trim_start_matches('0');
    if stripped.len() > 10 {
        return Err(too_large());
    }
    let int_value: i64 = if stripped.is_empty() {
        0
    } else {
        stripped.parse().map_err(|_| not_a_number())?
    };
    let mut frac_nanos: i64 = 0;
    let frac_bytes = frac_part.as_bytes();
    for i in 0..9 {
        let d = frac_bytes.get(i).map_or(0, |b| i64::from(b - b'0'));
        frac_nanos = frac_nanos * 10 + d;
    }
    if frac_bytes.get(9).is_some_and(|b| *b >= b'5') {
        frac_nanos += 1;
    }
    let nanos = int_value
        .checked_mul(NANOS_PER_UNIT)
        .and_then(|n| n.checked_add(frac_nanos))
        .ok_or_else(too_large)?;
    Ok(Amount::from_nanos(if negative { -nanos } else { nanos }))
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The quick reading of plain amounts gives what the long reading gives.
        #[test]
        fn plain_amounts_read_as_written_ones(text in "-?[0-9]{0,12}([.,][0-9]{0,32})?") {
            for mark in [DecimalMark::Dot, DecimalMark::Comma] {
                if let Some(quick) = parse_plain(&text, mark) {
                    proptest::prop_assert_eq!(Ok(quick), parse_written(&text, mark), "{}", text);
                }
            }
        }
    }

    fn dot(s: &str) -> i64 {
        Amount::parse(s, DecimalMark::Dot).unwrap().nanos()
    }
    fn comma(s: &str) -> i64 {
        Amount::parse(s, DecimalMark::Comma).unwrap().nanos()
    }

    #[test]
    fn parses_statement_numbers() {
        let cases: &[(&str, i64)] = &[
            ("12.34", 12_340_000_000),
            ("-3.46", -3_460_000_000),
            ("- 85.30", -85_300_000_000),
            ("1,250.00", 1_250_000_000_000),
            ("£67.40", 67_400_000_000),
            ("$-5.00", -5_000_000_000),
            ("-$5.00", -5_000_000_000),
            ("(12.50)", -12_500_000_000),
            ("12.50-", -12_500_000_000),
            ("+7", 7_000_000_000),
            ("0.003835980000000000000000000000", 3_835_980),
            ("10.0", 10_000_000_000),
            ("12.00 USD", 12_000_000_000),
            ("USD 12.00", 12_000_000_000),
            ("USD12.00", 12_000_000_000),
            ("-12.00EUR", -12_000_000_000),
            ("kr 219.56", 219_560_000_000),
            (".5", 500_000_000),
            ("0.0000000015", 2),
        ];
        for (text, want) in cases {
            assert_eq!(dot(text), *want, "{text}");
        }
    }

    #[test]
    fn parses_decimal_comma() {
        assert_eq!(comma("1.234,56"), 1_234_560_000_000);
        assert_eq!(comma("219,56"), 219_560_000_000);
        assert_eq!(comma("-0,5"), -500_000_000);
        assert_eq!(comma("1 234,56"), 1_234_560_000_000);
    }

    #[test]
    fn rejects_non_numbers() {
        assert!(Amount::parse("abc", DecimalMark::Dot).is_err());
        assert!(
            Amount::parse("-12.3x", DecimalMark::Dot).is_err(),
            "a stray letter is not a currency"
        );
        assert!(Amount::parse("1.5x", DecimalMark::Dot).is_err());
        assert!(Amount::parse("12 apples", DecimalMark::Dot).is_err());
        assert!(Amount::parse("", DecimalMark::Dot).is_err());
        assert!(Amount::parse("1.2.3", DecimalMark::Dot).is_err());
        assert!(Amount::parse("12/03/2024", DecimalMark::Dot).is_err());
        assert!(Amount::parse("99999999999999", DecimalMark::Dot).is_err());
    }

    #[test]
    fn rounds_to_cents_half_away_from_zero() {
        assert_eq!(
            Amount::from_nanos(12_345_000_000).to_cents_string(),
            "12.35"
        );
        assert_eq!(
            Amount::from_nanos(-12_345_000_000).to_cents_string(),
            "-12.35"
        );
        assert_eq!(Amount::from_nanos(3_835_980).to_cents_string(), "0.00");
        assert_eq!(Amount::from_nanos(-4_000_000).to_cents_string(), "0.00");
    }

    #[test]
    fn displays_exact_value() {
        assert_eq!(Amount::from_nanos(3_835_980).to_string(), "0.00383598");
        assert_eq!(Amount::from_nanos(-5_000_000_000).to_string(), "-5.00");
    }

    #[test]
    fn currencies_are_validated_one_way() {
        let ok: &[(&str, &str)] = &[
            ("USD", "USD"),
            ("usd", "USD"),
            (" eur ", "EUR"),
            ("Gbp", "GBP"),
        ];
        for (text, want) in ok {
            assert_eq!(Currency::parse(text).unwrap().as_str(), *want, "{text}");
        }
        for bad in ["", "  ", "US", "USDX", "U$D", "12A", "€"] {
            assert!(Currency::parse(bad).is_err(), "{bad:?}");
        }
        assert_eq!(Currency::parse_stored(""), Currency::UNKNOWN);
        assert_eq!(Currency::USD.to_string(), "USD");
        assert_eq!(format!("{:>5}", Currency::EUR), "  EUR");
    }

    #[test]
    fn divisions_round_half_away_from_zero() {
        let cases: &[(i128, i128, Option<i128>)] = &[
            (5, 2, Some(3)),
            (-5, 2, Some(-3)),
            (4, 3, Some(1)),
            (-4, 3, Some(-1)),
            (7, 0, None),
            (7, -1, None),
        ];
        for (n, d, want) in cases {
            assert_eq!(div_round(*n, *d), *want, "{n}/{d}");
        }
    }

    #[test]
    fn sums_are_exact() {
        let tenth = Amount::parse("0.1", DecimalMark::Dot).unwrap();
        let total = checked_sum(std::iter::repeat_n(tenth, 10)).unwrap();
        assert_eq!(total, Amount::parse("1", DecimalMark::Dot).unwrap());
        assert!(Amount::from_nanos(i64::MAX).checked_add(tenth).is_none());
    }
}
