//! Reading the words of a receipt: cleaning the text an HTML renderer or a PDF extractor gave,
//! amounts with their currency (`$200.00`, `CA$267.69`, `€1.234,50`, `1 234,56 kr`, `$12.50
//! USD`), dates (`August 16, 2026`, `May 15, 2026, 12:53:38 PM`, `01 Apr 2025 09:55AM PDT`),
//! service periods (`Aug 16 – Sep 16, 2026`, `Dec 16 – Jan 16, 2026`, `Aug 10Sep 10, 2026`) and
//! document numbers (`2070-4164-2450`, `224471062643`, `ITRMHVSC-0017`, `56FB0333 0001`).
//!
//! PDF extraction loses dashes: they come out as NUL or vanish. [`clean`] turns every dash-like
//! character (NUL included) into `-`, so identifiers, minus signs and period separators read
//! the same whatever the source; [`canonical_number`] rebuilds numbers by their shape. Pure.

use std::sync::LazyLock;

use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime};
use regex::Regex;

use crate::domain::money::{Amount, Currency, DecimalMark, NANOS_PER_UNIT};

/// A compiled pattern; `None` only if the pattern text were invalid, which a unit test rules
/// out (matching then finds nothing instead of panicking).
pub(super) type Pattern = LazyLock<Option<Regex>>;

macro_rules! pattern {
    ($name:ident, $re:expr) => {
        pub(super) static $name: $crate::domain::import::receipts::text::Pattern =
            std::sync::LazyLock::new(|| regex::Regex::new($re).ok());
    };
}

/// Characters that stand for a dash in receipts and their extracted text.
fn is_dash(c: char) -> bool {
    matches!(
        c,
        '\u{0}' | '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '\u{2014}' | '\u{2212}'
    )
}

/// Characters that render as nothing (preheader padding, soft hyphens, zero-width joiners).
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{34F}' | '\u{AD}' | '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}'
    )
}

/// The text with invisible characters removed, no-break and thin spaces as spaces, every dash
/// (and NUL, the dash a PDF extractor lost) as `-`, spaces collapsed inside each line, lines
/// trimmed and empty lines dropped.
pub fn clean(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        let mut cleaned = String::with_capacity(line.len());
        let mut space = false;
        for c in line.chars() {
            if is_invisible(c) {
                continue;
            }
            let c = if is_dash(c) { '-' } else { c };
            if c.is_whitespace() || c == '\u{A0}' || c == '\u{202F}' || c == '\u{2007}' {
                space = true;
                continue;
            }
            if space && !cleaned.is_empty() {
                cleaned.push(' ');
            }
            space = false;
            cleaned.push(c);
        }
        if !cleaned.is_empty() {
            out.push_str(&cleaned);
            out.push('\n');
        }
    }
    out
}

/// An amount of a currency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Money {
    pub amount: Amount,
    pub currency: Currency,
}

/// Currency signs Stripe and the vendors print before an amount, longest first.
const PREFIXES: &[(&str, &str)] = &[
    ("US$", "USD"),
    ("CA$", "CAD"),
    ("AU$", "AUD"),
    ("NZ$", "NZD"),
    ("HK$", "HKD"),
    ("MX$", "MXN"),
    ("CN¥", "CNY"),
    ("A$", "AUD"),
    ("C$", "CAD"),
    ("S$", "SGD"),
    ("R$", "BRL"),
    ("$", "USD"),
    ("€", "EUR"),
    ("£", "GBP"),
    ("¥", "JPY"),
    ("₹", "INR"),
    ("₩", "KRW"),
    ("RM", "MYR"),
];

/// Codes and signs written after an amount (`40,66 US$` in a Czech or Spanish receipt).
const SUFFIXES: &[(&str, &str)] = &[
    ("€", "EUR"),
    ("zł", "PLN"),
    ("Kč", "CZK"),
    ("kr", "SEK"),
    ("US$", "USD"),
    ("$US", "USD"),
    ("CA$", "CAD"),
    ("AU$", "AUD"),
    ("£", "GBP"),
];

pattern!(
    MONEY,
    r"(?x)
    (?P<sign>-\s?)?
    (?P<prefix>US\$|CA\$|AU\$|NZ\$|HK\$|MX\$|CN¥|A\$|C\$|S\$|R\$|\$|€|£|¥|₹|₩|RM)?
    \s?
    (?P<sign2>-)?
    (?P<number>\d{1,3}(?:[,.\x20']\d{3})+(?:[.,]\d+)?\b|\d+(?:[.,]\d+)?)
    (?:\s?(?P<suffix>€|zł|Kč|kr\b|US\$|\$US|CA\$|AU\$|£|[A-Z]{3}\b))?"
);

/// A money amount somewhere in `text`: the first one with a currency sign or code (a bare
/// number is a quantity, not money). Returns the amount and the byte range it took.
pub fn find_money(text: &str) -> Option<(Money, std::ops::Range<usize>)> {
    let re = MONEY.as_ref()?;
    let mut from = 0;
    while let Some(caps) = re.captures_at(text, from) {
        let whole = caps.get(0)?;
        from = whole.end();
        let prefix = caps.name("prefix").map(|m| m.as_str());
        // A sign right before digits belongs to the next amount (`Qty 1 €15.00`), not this one.
        let suffix = caps.name("suffix").filter(|s| {
            is_currency_suffix(s.as_str())
                && !text
                    .get(s.end()..)
                    .and_then(|rest| rest.chars().next())
                    .is_some_and(|c| c.is_ascii_digit())
        });
        if let Some(dropped) = caps.name("suffix").filter(|_| suffix.is_none()) {
            from = from.min(dropped.start());
        }
        let Some(currency) = currency_of(prefix, suffix.map(|m| m.as_str())) else {
            continue;
        };
        let Some(number) = caps.name("number") else {
            continue;
        };
        let Some(mut amount) = parse_number(number.as_str()) else {
            continue;
        };
        if caps.name("sign").is_some() || caps.name("sign2").is_some() {
            amount = amount.checked_neg()?;
        }
        let end = suffix.map_or(number.end(), |s| s.end());
        return Some((Money { amount, currency }, whole.start()..end));
    }
    None
}

pattern!(
    BARE_AMOUNT_AT_END,
    r"(?P<number>\d{1,3}(?:[,.]\d{3})*[.,]\x20?\d{2}|\d+[.,]\x20?\d{2})$"
);

/// A bare amount (`40. 66`, `40,66`, `1,234.50`: two decimals, no sign) ending `line`, with
/// its byte range; `None` when the line holds money with a sign, or the number is part of a
/// longer one.
fn bare_amount_at_end(line: &str) -> Option<std::ops::Range<usize>> {
    if find_money(line).is_some() {
        return None;
    }
    let m = BARE_AMOUNT_AT_END
        .as_ref()?
        .captures(line)?
        .name("number")?;
    let before = line.get(..m.start()).and_then(|b| b.chars().last());
    (!before.is_some_and(|c| c.is_ascii_digit() || matches!(c, '.' | ',' | '-'))).then(|| m.range())
}

/// Whether some line of `text` ends with an amount written without a currency.
pub fn has_bare_amount(text: &str) -> bool {
    text.lines()
        .any(|l| bare_amount_at_end(l.trim_end()).is_some())
}

/// The receipt with its sign-less amounts given the one currency the receipt names elsewhere
/// (a Czech mailbox shows `Amount paid` / `40. 66` under a headline `40,66 US$`): each line
/// ending in a bare amount gets it as `40.66 USD`. `None` when there is no bare amount, or the
/// receipt names no currency or more than one: then the currency is not clear, and nothing is
/// guessed.
pub fn sign_bare_amounts(text: &str) -> Option<String> {
    let currencies: std::collections::BTreeSet<Currency> =
        all_money(text).into_iter().map(|m| m.currency).collect();
    let [currency] = currencies.into_iter().collect::<Vec<_>>()[..] else {
        return None;
    };
    let mut changed = false;
    let mut out = String::with_capacity(text.len() + 64);
    for line in text.lines() {
        let line = line.trim_end();
        match bare_amount_at_end(line) {
            Some(range) => {
                let number: String = line
                    .get(range.clone())
                    .unwrap_or_default()
                    .chars()
                    .filter(|c| *c != ' ')
                    .collect();
                out.push_str(line.get(..range.start).unwrap_or_default());
                out.push_str(&number);
                out.push(' ');
                out.push_str(currency.as_str());
                changed = true;
            }
            None => out.push_str(line),
        }
        out.push('\n');
    }
    changed.then_some(out)
}

/// Every money amount in `text`, in order.
pub fn all_money(text: &str) -> Vec<Money> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some((m, range)) = find_money(rest) {
        out.push(m);
        rest = rest.get(range.end..).unwrap_or_default();
    }
    out
}

/// The money amount that `text` is, alone (apart from words such as `USD`, `paid`, `each`).
pub fn money_of(text: &str) -> Option<Money> {
    find_money(text).map(|(m, _)| m)
}

fn is_currency_suffix(s: &str) -> bool {
    SUFFIXES.iter().any(|(sign, _)| *sign == s) || known_code(s)
}

/// Three-letter codes accepted after an amount: the ISO codes receipts use, not any capitals
/// (`$5.00 QTY` is not a currency).
fn known_code(s: &str) -> bool {
    const CODES: &[&str] = &[
        "USD", "EUR", "GBP", "CAD", "AUD", "NZD", "CHF", "SEK", "NOK", "DKK", "PLN", "CZK", "HUF",
        "JPY", "CNY", "INR", "BRL", "MXN", "SGD", "HKD", "KRW", "TRY", "MYR", "ZAR", "ILS", "AED",
        "RON", "BGN", "ISK", "UGX", "THB", "IDR", "PHP", "TWD", "VND", "NGN", "KES", "COP", "CLP",
        "ARS", "PEN", "UAH",
    ];
    CODES.contains(&s)
}

fn currency_of(prefix: Option<&str>, suffix: Option<&str>) -> Option<Currency> {
    // A code after the amount says more than `$` before it (`$12.50 USD`, `$10.00 CAD`).
    if let Some(s) = suffix {
        if known_code(s) {
            return Currency::parse(s).ok();
        }
        if let Some((_, code)) = SUFFIXES.iter().find(|(sign, _)| *sign == s) {
            return Currency::parse(code).ok();
        }
    }
    let p = prefix?;
    PREFIXES
        .iter()
        .find(|(sign, _)| *sign == p)
        .and_then(|(_, code)| Currency::parse(code).ok())
}

/// A number as receipts write it: the decimal mark is the last `.` or `,` not followed by
/// exactly three digits; other separators group thousands.
fn parse_number(text: &str) -> Option<Amount> {
    let t: String = text.chars().filter(|c| !matches!(c, ' ' | '\'')).collect();
    let last_sep = t.rfind(['.', ',']);
    let mark = match last_sep {
        Some(i) => {
            let decimals = t.len() - i - 1;
            let sep = t.as_bytes().get(i).copied();
            let other_before = t
                .get(..i)
                .is_some_and(|head| head.contains(if sep == Some(b'.') { ',' } else { '.' }));
            if decimals == 3 && !other_before && t.matches(['.', ',']).count() == 1 {
                // `$1,234` or `¥1,000`: a thousands separator.
                None
            } else if sep == Some(b',') {
                Some(DecimalMark::Comma)
            } else {
                Some(DecimalMark::Dot)
            }
        }
        None => None,
    };
    let digits: String = match mark {
        None => t.chars().filter(char::is_ascii_digit).collect(),
        Some(DecimalMark::Dot) => t.chars().filter(|c| *c != ',').collect(),
        Some(DecimalMark::Comma) => t.chars().filter(|c| *c != '.').collect(),
    };
    Amount::parse(&digits, mark.unwrap_or(DecimalMark::Dot)).ok()
}

/// The card a receipt names: brand (when written) and last four digits.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Card {
    pub brand: String,
    pub last4: String,
}

pattern!(
    CARD,
    r"(?i)(?:\[?(?:image:\s*)?(?P<brand>visa|mastercard|master card|american express|amex|discover|jcb|diners club|unionpay|cartes bancaires)\]?\s*\(?\s*(?:-|ending in|\*{4}|x{4}|\d\*{3} \*{4} \*{4})?|(?:-|ending in|\*{4}|x{4}|\d\*{3} \*{4} \*{4}))\s*(?P<last4>\d{4})\b"
);

/// The card in `text` (`[Visa] - 4411`, `VISA - 1301`, `- 3708`, `mastercard ending in 9712`,
/// `Visa (4*** **** **** 1234)`).
pub fn find_card(text: &str) -> Option<Card> {
    let caps = CARD.as_ref()?.captures(text)?;
    let brand = caps
        .name("brand")
        .map(|m| brand_name(m.as_str()))
        .unwrap_or_default();
    Some(Card {
        brand,
        last4: caps.name("last4")?.as_str().to_string(),
    })
}

fn brand_name(text: &str) -> String {
    let t = text.to_lowercase();
    match t.as_str() {
        "visa" => "Visa".into(),
        "mastercard" | "master card" => "Mastercard".into(),
        "american express" | "amex" => "American Express".into(),
        "discover" => "Discover".into(),
        "jcb" => "JCB".into(),
        "diners club" => "Diners Club".into(),
        "unionpay" => "UnionPay".into(),
        "cartes bancaires" => "Cartes Bancaires".into(),
        _ => text.to_string(),
    }
}

/// A number as the ledger keeps it, so that `#1366-3859`, `1366 3859`, `13663859` and (from a
/// PDF that lost its dashes) `224471062643` name the same receipt, and `56FB0333 0001`,
/// `DHJGSQZZ\0 0002` and `HRBTGLTD0004` the same invoice: uppercase, `#` and brackets dropped,
/// receipt numbers in groups of four digits, invoice numbers as prefix-dash-sequence. Other
/// numbers keep their own shape (`INV-1001`, `RCPT-6280974-202604-0001`).
pub fn canonical_number(text: &str) -> String {
    let t = clean(text);
    let t = t
        .trim()
        .trim_start_matches(['#', '['])
        .trim_end_matches([']', '.', ','])
        .to_uppercase();
    let alnum: String = t.chars().filter(char::is_ascii_alphanumeric).collect();
    let only_separators = t
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == ' ');
    if !only_separators || alnum.is_empty() {
        return t.split_whitespace().collect::<Vec<_>>().join(" ");
    }
    let groups: Vec<&str> = t
        .split(['-', ' '])
        .filter(|g| !g.is_empty())
        .collect::<Vec<_>>();
    let all_digits = alnum.chars().all(|c| c.is_ascii_digit());
    // Receipt numbers: 8 or 12 digits in groups of four.
    if all_digits
        && (alnum.len() == 8 || alnum.len() == 12)
        && groups.iter().all(|g| g.len() % 4 == 0)
    {
        let chunks: Vec<&str> = (0..alnum.len() / 4)
            .filter_map(|i| alnum.get(i * 4..i * 4 + 4))
            .collect();
        return chunks.join("-");
    }
    // Invoice numbers: a prefix of 3 to 12 letters or digits (with a letter), then a
    // four-digit sequence.
    let (prefix, sequence) = alnum.split_at(alnum.len().saturating_sub(4));
    let prefix_fits = (3..=12).contains(&prefix.len())
        && prefix.chars().any(|c| c.is_ascii_alphabetic())
        && sequence.len() == 4
        && sequence.chars().all(|c| c.is_ascii_digit());
    let splits_at_sequence = groups.len() == 1 || groups.last().is_some_and(|g| g.len() == 4);
    if prefix_fits && splits_at_sequence && groups.len() <= 2 {
        return format!("{prefix}-{sequence}");
    }
    groups.join("-")
}

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

/// The month number of an English month name or abbreviation (`Aug`, `AUGUST`, `Sept`).
pub fn month_number(word: &str) -> Option<u32> {
    let w = word.trim_end_matches('.').to_lowercase();
    if w.len() < 3 {
        return None;
    }
    let full = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    let index = MONTHS.iter().zip(full).position(|(short, long)| {
        w == *short || (long.starts_with(&w) && w.len() >= 3) || (w == "sept" && *short == "sep")
    })?;
    u32::try_from(index + 1).ok()
}

const MONTH_WORD: &str = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?";

pattern!(
    DATE_MDY,
    &format!(r"(?i)\b(?P<month>{MONTH_WORD})\s+(?P<day>\d{{1,2}}),?\s+(?P<year>\d{{4}})\b")
);
pattern!(
    DATE_DMY,
    &format!(r"(?i)\b(?P<day>\d{{1,2}})\s+(?P<month>{MONTH_WORD})\s+(?P<year>\d{{4}})\b")
);
pattern!(
    TIME,
    r"(?i)^[,\s]*(?:at\s+)?(?P<h>\d{1,2}):(?P<m>\d{2})(?::(?P<s>\d{2}))?\s*(?P<ampm>[AP]\.?M\.?)?(?:\s*(?P<zone>[A-Z]{2,5}\b|[+-]\d{2}:?\d{2}))?"
);

/// The first date in `text` that spells its month (`August 16, 2026`, `Aug 16 2026`, `01 Apr
/// 2025`), with the byte offset where it ends.
pub fn find_date(text: &str) -> Option<(NaiveDate, usize)> {
    let mdy = DATE_MDY.as_ref().and_then(|re| re.captures(text));
    let dmy = DATE_DMY.as_ref().and_then(|re| re.captures(text));
    let start = |c: &Option<regex::Captures<'_>>| {
        c.as_ref()
            .and_then(|c| c.get(0))
            .map_or(usize::MAX, |m| m.start())
    };
    let caps = if start(&dmy) < start(&mdy) { dmy } else { mdy }?;
    let month = month_number(caps.name("month")?.as_str())?;
    let day: u32 = caps.name("day")?.as_str().parse().ok()?;
    let year: i32 = caps.name("year")?.as_str().parse().ok()?;
    let date = NaiveDate::from_ymd_opt(year, month, day)?;
    Some((date, caps.get(0)?.end()))
}

/// A date and, when one follows it, a time (`May 15, 2026, 12:53:38 PM`; `01 Apr 2025 09:55AM
/// PDT`), converted to UTC when a zone is written. The bool says whether a time was found.
pub fn find_datetime(text: &str) -> Option<(NaiveDateTime, bool)> {
    let (date, end) = find_date(text)?;
    let rest = text.get(end..).unwrap_or_default();
    let Some(caps) = TIME.as_ref().and_then(|re| re.captures(rest)) else {
        return Some((date.and_time(NaiveTime::MIN), false));
    };
    let mut hour: u32 = caps.name("h").and_then(|m| m.as_str().parse().ok())?;
    let minute: u32 = caps.name("m").and_then(|m| m.as_str().parse().ok())?;
    let second: u32 = caps
        .name("s")
        .and_then(|m| m.as_str().parse().ok())
        .unwrap_or(0);
    if let Some(ampm) = caps.name("ampm") {
        let pm = ampm.as_str().to_ascii_lowercase().starts_with('p');
        hour = match (hour, pm) {
            (12, false) => 0,
            (12, true) => 12,
            (h, true) => h + 12,
            (h, false) => h,
        };
    }
    let Some(time) = NaiveTime::from_hms_opt(hour, minute, second) else {
        return Some((date.and_time(NaiveTime::MIN), false));
    };
    let local = date.and_time(time);
    let offset = caps.name("zone").and_then(|z| zone_minutes(z.as_str()));
    let utc = match offset {
        Some(minutes) => local.checked_sub_signed(chrono::TimeDelta::minutes(minutes))?,
        None => local,
    };
    Some((utc, true))
}

fn zone_minutes(zone: &str) -> Option<i64> {
    let z = zone.trim();
    if let Some(sign) = z.chars().next().filter(|c| *c == '+' || *c == '-') {
        let digits: String = z.chars().filter(char::is_ascii_digit).collect();
        let h: i64 = digits.get(..2)?.parse().ok()?;
        let m: i64 = digits.get(2..4)?.parse().ok()?;
        let total = h * 60 + m;
        return Some(if sign == '-' { -total } else { total });
    }
    let hours: i64 = match z.to_ascii_uppercase().as_str() {
        "UTC" | "GMT" | "Z" => 0,
        "PDT" | "MST" => -7,
        "PST" => -8,
        "MDT" | "CST" => -6,
        "CDT" | "EST" => -5,
        "EDT" => -4,
        "BST" | "CET" => 1,
        "CEST" | "EET" => 2,
        "EEST" => 3,
        "IST" => return Some(330),
        "JST" | "KST" => 9,
        _ => return None,
    };
    Some(hours * 60)
}

/// A service period, first and last day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub start: NaiveDate,
    pub end: NaiveDate,
}

pattern!(
    PERIOD,
    &format!(
        r"(?i)(?P<m1>{MONTH_WORD})\s+(?P<d1>\d{{1,2}})(?:,?\s+(?P<y1>\d{{4}}))?\s*(?:-|to|through)?\s*(?P<m2>{MONTH_WORD})\s+(?P<d2>\d{{1,2}}),?\s+(?P<y2>\d{{4}})"
    )
);

/// The first service period in `text`: `Aug 16 - Sep 16, 2026` (the start year is the end's,
/// or the year before when the start month is later: `Dec 16 - Jan 16, 2026`), `Apr 1, 2025 -
/// Apr 30, 2025`, `NOV 29 - DEC 30, 2024`, and `Aug 10Sep 10, 2026` (the dash lost).
pub fn find_period(text: &str) -> Option<Period> {
    let caps = PERIOD.as_ref()?.captures(text)?;
    let m1 = month_number(caps.name("m1")?.as_str())?;
    let m2 = month_number(caps.name("m2")?.as_str())?;
    let d1: u32 = caps.name("d1")?.as_str().parse().ok()?;
    let d2: u32 = caps.name("d2")?.as_str().parse().ok()?;
    let y2: i32 = caps.name("y2")?.as_str().parse().ok()?;
    let y1: i32 = match caps.name("y1") {
        Some(y) => y.as_str().parse().ok()?,
        None if m1 > m2 => y2 - 1,
        None => y2,
    };
    let start = NaiveDate::from_ymd_opt(y1, m1, d1)?;
    let end = NaiveDate::from_ymd_opt(y2, m2, d2)?;
    (start <= end && (end - start).num_days() <= 400).then_some(Period { start, end })
}

/// Whether `line` is only a service period.
pub fn is_period_line(line: &str) -> bool {
    let Some(re) = PERIOD.as_ref() else {
        return false;
    };
    re.find(line)
        .is_some_and(|m| m.start() == 0 && m.end() == line.len())
}

/// One twelfth of an amount is not needed here; this keeps a sanity bound on parsed amounts:
/// no receipt of a person's AI spending is above a million units.
pub fn plausible(amount: Amount) -> bool {
    amount.abs().nanos() <= NANOS_PER_UNIT.saturating_mul(1_000_000)
}

/// The year of a date, for messages about it.
pub fn year_of(date: NaiveDate) -> i32 {
    date.year()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usd(text: &str) -> i64 {
        let m = money_of(text).unwrap_or_else(|| panic!("no money in {text:?}"));
        m.amount.nanos()
    }

    #[test]
    fn every_pattern_compiles() {
        for p in [&MONEY, &CARD, &DATE_MDY, &DATE_DMY, &TIME, &PERIOD] {
            assert!(p.is_some());
        }
    }

    #[test]
    fn cleans_padding_spaces_and_lost_dashes() {
        let raw = "Your receipt\u{34F}\u{200C}\u{A0}\u{34F}\nAmount\u{A0}paid  $20.00\n\n  Invoice number DHJGSQZZ\u{0}0002\nAug 16\u{2013}Sep 16, 2026\n";
        assert_eq!(
            clean(raw),
            "Your receipt\nAmount paid $20.00\nInvoice number DHJGSQZZ-0002\nAug 16-Sep 16, 2026\n"
        );
    }

    #[test]
    fn reads_money_in_every_written_form() {
        let cases: &[(&str, i64, &str)] = &[
            ("$200.00", 200_000_000_000, "USD"),
            ("Amount paid $52.75", 52_750_000_000, "USD"),
            ("$12.50 USD due March 26, 2026", 12_500_000_000, "USD"),
            ("CA$267.69", 267_690_000_000, "CAD"),
            ("-CA$43.11", -43_110_000_000, "CAD"),
            ("- CA$43.11", -43_110_000_000, "CAD"),
            ("-$5.25", -5_250_000_000, "USD"),
            ("€15.00", 15_000_000_000, "EUR"),
            ("€1,234.50", 1_234_500_000_000, "EUR"),
            ("1.234,56 EUR", 1_234_560_000_000, "EUR"),
            ("1 234,56 kr", 1_234_560_000_000, "SEK"),
            ("¥1,000", 1_000_000_000_000, "JPY"),
            ("$3.7993124", 3_799_312_400, "USD"),
            ("$0.00000075 each", 750, "USD"),
            ("US$8.00", 8_000_000_000, "USD"),
            ("Total: $4.00 USD*", 4_000_000_000, "USD"),
            ("£9.99", 9_990_000_000, "GBP"),
        ];
        for (text, nanos, currency) in cases {
            let m = money_of(text).unwrap_or_else(|| panic!("{text}"));
            assert_eq!(
                (m.amount.nanos(), m.currency.as_str()),
                (*nanos, *currency),
                "{text}"
            );
        }
        assert_eq!(
            usd("Qty 1 $200.00"),
            200_000_000_000,
            "a bare quantity is not money"
        );
        assert!(money_of("Qty 18,018,932").is_none());
        assert_eq!(
            usd("Qty 1 US$40.66"),
            40_660_000_000,
            "a quantity is not in dollars"
        );
        assert_eq!(usd("40,66 US$"), 40_660_000_000);
        assert_eq!(
            money_of("Qty 1 €15.00").map(|m| m.amount.nanos()),
            Some(15_000_000_000)
        );
        assert!(money_of("Payment method - 4411").is_none());
        assert_eq!(
            all_money("One-time credit purchase 1 $10.00 25% $10.00").len(),
            2
        );
    }

    #[test]
    fn bare_amounts_take_the_one_currency_the_receipt_names() {
        let czech = "Receipt from Anthropic, PBC\n40,66 US$\nAuto-recharge credits\nQty 1\n40. 66\nTotal\n40. 66\nAmount paid 40. 66\nPaid March 10, 2026\n";
        assert!(has_bare_amount(czech));
        assert_eq!(
            sign_bare_amounts(czech).unwrap(),
            "Receipt from Anthropic, PBC\n40,66 US$\nAuto-recharge credits\nQty 1\n40.66 USD\nTotal\n40.66 USD\nAmount paid 40.66 USD\nPaid March 10, 2026\n"
        );
        // No currency anywhere, or two: not clear, nothing guessed.
        assert_eq!(
            sign_bare_amounts("Total\n40. 66\nAmount paid 40. 66\n"),
            None
        );
        assert_eq!(
            sign_bare_amounts("Total €10.00\nTax $1.00\nAmount paid 11. 00\n"),
            None
        );
        // Dates, numbers, rates and quantities are not bare amounts.
        for line in [
            "Paid March 10, 2026",
            "Receipt number 2918-5547-7290",
            "VAT (25.00%)",
            "Qty 18,018,932",
            "Phone 415.555.0100",
            "Invoice number 74EU1YAA-0013",
        ] {
            assert!(!has_bare_amount(line), "{line}");
        }
    }

    #[test]
    fn reads_cards() {
        let cases: &[(&str, &str, &str)] = &[
            ("[Visa] - 4411", "Visa", "4411"),
            (
                "Payment method [image: Mastercard] - 9712",
                "Mastercard",
                "9712",
            ),
            ("VISA - 1301", "Visa", "1301"),
            ("Payment method - 3708", "", "3708"),
            ("your credit card ending in 4411 to fund", "", "4411"),
            (
                "using your mastercard ending in 9712.",
                "Mastercard",
                "9712",
            ),
            ("Charged to: Visa (4*** **** **** 1234)", "Visa", "1234"),
            (
                "Mastercard - 1359 August 10, 2026 $20.00",
                "Mastercard",
                "1359",
            ),
            (
                "Mastercard1359 August 10, 2026 $20.00",
                "Mastercard",
                "1359",
            ),
        ];
        for (text, brand, last4) in cases {
            let c = find_card(text).unwrap_or_else(|| panic!("{text}"));
            assert_eq!(
                (c.brand.as_str(), c.last4.as_str()),
                (*brand, *last4),
                "{text}"
            );
        }
        assert!(find_card("Payment method Link").is_none());
    }

    #[test]
    fn numbers_have_one_form_whatever_the_source() {
        let cases: &[(&str, &str)] = &[
            ("#2070-4164-2450", "2070-4164-2450"),
            ("2070 4164 2450", "2070-4164-2450"),
            ("224471062643", "2244-7106-2643"),
            ("[#1618-6690]", "1618-6690"),
            ("13663859", "1366-3859"),
            ("ITRMHVSC-0017", "ITRMHVSC-0017"),
            ("itrmhvsc-0017", "ITRMHVSC-0017"),
            ("HRBTGLTD0004", "HRBTGLTD-0004"),
            ("56FB0333 0001", "56FB0333-0001"),
            ("DHJGSQZZ\u{0}0002", "DHJGSQZZ-0002"),
            ("NQLFVPGN \u{0} 0006", "NQLFVPGN-0006"),
            ("5A4F186A-0008", "5A4F186A-0008"),
            ("INV-1001", "INV-1001"),
            ("AR-2001", "AR-2001"),
            (
                "RCPT\u{2011}6280974\u{2011}202604\u{2011}0001",
                "RCPT-6280974-202604-0001",
            ),
            (
                "6cd4f0a6-0686-45bf-a077-775e95206da6",
                "6CD4F0A6-0686-45BF-A077-775E95206DA6",
            ),
        ];
        for (text, want) in cases {
            assert_eq!(canonical_number(text), *want, "{text:?}");
        }
    }

    #[test]
    fn reads_dates_times_and_periods() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(
            find_date("Paid August 16, 2026").map(|x| x.0),
            Some(d("2026-08-16"))
        );
        assert_eq!(
            find_date("Date: 01 Apr 2025 09:55AM PDT").map(|x| x.0),
            Some(d("2025-04-01"))
        );
        let (at, timed) = find_datetime("Date paid May 15, 2026, 12:53:38 PM").unwrap();
        assert_eq!(
            (at.to_string(), timed),
            ("2026-05-15 12:53:38".into(), true)
        );
        let (at, _) = find_datetime("Date: 01 Apr 2025 09:55AM PDT").unwrap();
        assert_eq!(at.to_string(), "2025-04-01 16:55:00");
        let (at, timed) = find_datetime("Paid March 10, 2026 Download").unwrap();
        assert_eq!(
            (at.to_string(), timed),
            ("2026-03-10 00:00:00".into(), false)
        );
        let cases: &[(&str, &str, &str)] = &[
            ("Aug 16-Sep 16, 2026", "2026-08-16", "2026-09-16"),
            ("Aug 16 - Sep 16, 2026", "2026-08-16", "2026-09-16"),
            ("Dec 16 - Jan 16, 2026", "2025-12-16", "2026-01-16"),
            ("NOV 29 - DEC 30, 2024", "2024-11-29", "2024-12-30"),
            ("Apr 1, 2025 - Apr 30, 2025", "2025-04-01", "2025-04-30"),
            ("Aug 10Sep 10, 2026", "2026-08-10", "2026-09-10"),
            ("Jun 5-Jul 5, 2026", "2026-06-05", "2026-07-05"),
        ];
        for (text, start, end) in cases {
            let p = find_period(text).unwrap_or_else(|| panic!("{text}"));
            assert_eq!((p.start, p.end), (d(start), d(end)), "{text}");
            assert!(is_period_line(text), "{text}");
        }
        assert!(find_period("Paid August 16, 2026").is_none());
    }
}
