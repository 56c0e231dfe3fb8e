//! Dates and times as statements write them, and the per-file decision between day-first and
//! month-first when a file writes `03/04/2026`.
//!
//! The order is decided from every date of the file ([`DateEvidence`]): a first field above 12
//! proves day-first, a second field above 12 proves month-first. A file with no proof either way
//! is ambiguous; the importer then uses the format's own convention or asks the user.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

/// The order of day and month in numeric dates that do not start with the year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateOrder {
    /// `03/04/2026` is 3 April.
    DayFirst,
    /// `03/04/2026` is 4 March.
    MonthFirst,
}

impl DateOrder {
    /// Reads `dmy`/`dd/mm/yyyy`/`day-first` or `mdy`/`mm/dd/yyyy`/`month-first`.
    pub fn parse(text: &str) -> Option<Self> {
        let t = text
            .trim()
            .to_ascii_lowercase()
            .replace(['/', '.', '-', '_'], "");
        match t.as_str() {
            "dmy" | "ddmmyyyy" | "dayfirst" => Some(DateOrder::DayFirst),
            "mdy" | "mmddyyyy" | "monthfirst" => Some(DateOrder::MonthFirst),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            DateOrder::DayFirst => "dmy",
            DateOrder::MonthFirst => "mdy",
        }
    }
}

/// What the dates of one file say about their order.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DateEvidence {
    pub day_first: u64,
    pub month_first: u64,
    /// Dates like `03/04/2026` that fit both readings.
    pub ambiguous: u64,
}

/// The outcome of weighing a file's dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderVerdict {
    /// No date of the file needs an order (ISO dates only, or no dates).
    NotNeeded,
    Proven(DateOrder),
    /// Every date fits both readings.
    Ambiguous,
    /// Some dates prove day-first and others month-first.
    Contradictory,
}

impl DateEvidence {
    /// Adds one date text to the evidence.
    pub fn observe(&mut self, text: &str) {
        let Some((a, b, _)) = numeric_parts(text) else {
            return;
        };
        if a > 12 && b <= 12 {
            self.day_first += 1;
        } else if b > 12 && a <= 12 {
            self.month_first += 1;
        } else if a <= 12 && b <= 12 {
            self.ambiguous += 1;
        }
    }

    pub fn verdict(&self) -> OrderVerdict {
        match (self.day_first > 0, self.month_first > 0) {
            (true, true) => OrderVerdict::Contradictory,
            (true, false) => OrderVerdict::Proven(DateOrder::DayFirst),
            (false, true) => OrderVerdict::Proven(DateOrder::MonthFirst),
            (false, false) if self.ambiguous > 0 => OrderVerdict::Ambiguous,
            (false, false) => OrderVerdict::NotNeeded,
        }
    }
}

/// The three numbers of a `a/b/yyyy`, `a-b-yyyy` or `a.b.yyyy` date (not year-first).
fn numeric_parts(text: &str) -> Option<(u32, u32, i32)> {
    let text = text.trim();
    // Three digits first: a year-first date (`2026-03-04 10:00:00`), told apart at once, as
    // most dates of a large file are.
    if text
        .as_bytes()
        .get(..3)
        .is_some_and(|b| b.iter().all(u8::is_ascii_digit))
    {
        return None;
    }
    let date = text.split([' ', 'T']).next()?;
    let sep = date.chars().find(|c| matches!(c, '/' | '-' | '.'))?;
    let mut it = date.split(sep);
    let a = it.next()?;
    let b = it.next()?;
    let y = it.next()?;
    if it.next().is_some() || a.len() > 2 || b.len() > 2 || !(y.len() == 4 || y.len() == 2) {
        return None;
    }
    let year: i32 = y.parse().ok()?;
    let year = if y.len() == 2 { 2000 + year } else { year };
    Some((a.parse().ok()?, b.parse().ok()?, year))
}

/// Parses a date, with or without a time, into a UTC date-time.
///
/// Accepts ISO (`2026-03-04`, `2026-03-04 10:00:00`, `2026-03-04T10:00:00+00:00`, `...Z`), Unix
/// seconds, and `a/b/yyyy`, `a-b-yyyy`, `a.b.yyyy` (two-digit years too) read with `order`; a time
/// may follow after a space. Offsets are applied, so the result is UTC.
pub fn parse_datetime(text: &str, order: Option<DateOrder>) -> Option<NaiveDateTime> {
    let t = text.trim().trim_matches('"');
    if t.is_empty() {
        return None;
    }
    if let Some(day) = plain_iso_date(t) {
        return Some(day.and_time(NaiveTime::MIN));
    }
    if let Some(time) = plain_iso_datetime(t) {
        return Some(time);
    }
    if let Ok(dt) = chrono::DateTime::parse_from_rfc3339(t) {
        return Some(dt.naive_utc());
    }
    if let Ok(dt) = chrono::DateTime::parse_from_str(t, "%Y-%m-%d %H:%M:%S %z") {
        return Some(dt.naive_utc());
    }
    for fmt in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M",
    ] {
        if let Ok(dt) = NaiveDateTime::parse_from_str(t, fmt) {
            return Some(dt);
        }
    }
    let t = t
        .strip_suffix(" UTC")
        .or_else(|| t.strip_suffix('Z'))
        .unwrap_or(t);
    let year_first = t.split(['-', '/']).next().is_some_and(|y| y.len() == 4);
    if year_first {
        for fmt in ["%Y-%m-%d", "%Y/%m/%d"] {
            if let Ok(d) = NaiveDate::parse_from_str(t, fmt) {
                return Some(d.and_time(NaiveTime::MIN));
            }
        }
    }
    if t.chars().any(char::is_alphabetic) {
        return parse_month_name_date(t);
    }
    let (date_part, time_part) = match t.split_once(' ') {
        Some((d, rest)) => (d, Some(rest.trim())),
        None => (t, None),
    };
    let (a, b, year) = numeric_parts(date_part)?;
    let (day, month) = match order {
        Some(DateOrder::DayFirst) => (a, b),
        Some(DateOrder::MonthFirst) => (b, a),
        None if a > 12 => (a, b),
        None if b > 12 => (b, a),
        None => return None,
    };
    let date = NaiveDate::from_ymd_opt(year, month, day)?;
    let time = match time_part {
        None => NaiveTime::MIN,
        Some(tp) => parse_time(tp)?,
    };
    Some(date.and_time(time))
}

/// `YYYY-MM-DD` and nothing else, the way every provider export writes a day, read without
/// trying the formats above it in turn (they would all fail before `%Y-%m-%d` matched).
pub fn plain_iso_date(t: &str) -> Option<NaiveDate> {
    let b = t.as_bytes();
    if b.len() != 10 || b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return None;
    }
    let year = i32::try_from(digits(b.get(0..4)?)?).ok()?;
    NaiveDate::from_ymd_opt(year, digits(b.get(5..7)?)?, digits(b.get(8..10)?)?)
}

/// `YYYY-MM-DD HH:MM:SS` (or with a `T`) and nothing else, the way most statements write a
/// time, read without trying chrono's formats in turn (four fail before one matches). What
/// it does not read (a leap second, an hour 24) goes down the general path.
fn plain_iso_datetime(t: &str) -> Option<NaiveDateTime> {
    let b = t.as_bytes();
    if b.len() != 19
        || !matches!(b.get(10), Some(b' ' | b'T'))
        || b.get(13) != Some(&b':')
        || b.get(16) != Some(&b':')
    {
        return None;
    }
    let day = plain_iso_date(t.get(..10)?)?;
    let time = NaiveTime::from_hms_opt(
        digits(b.get(11..13)?)?,
        digits(b.get(14..16)?)?,
        digits(b.get(17..19)?)?,
    )?;
    Some(day.and_time(time))
}

/// The number an ASCII run of digits spells; `None` when a byte is not a digit.
fn digits(b: &[u8]) -> Option<u32> {
    b.iter().try_fold(0u32, |n, &d| {
        d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0'))
    })
}

/// `t` as chrono's `%Y-%m-%d{separator}%H:%M:%S` writes it (`2026-10-31T23:59:59`), without
/// chrono reading the format string for every record. Years outside 0-9999 and leap seconds,
/// which chrono writes its own way, are left to chrono.
pub fn datetime_text(t: NaiveDateTime, separator: char) -> String {
    use chrono::Timelike as _;
    let mut text = day_text(t.date());
    if text.len() != 10 || t.nanosecond() >= 1_000_000_000 {
        let format = format!("%Y-%m-%d{separator}%H:%M:%S");
        return t.format(&format).to_string();
    }
    text.push(separator);
    push_digits(&mut text, t.hour(), 2);
    text.push(':');
    push_digits(&mut text, t.minute(), 2);
    text.push(':');
    push_digits(&mut text, t.second(), 2);
    text
}

/// A day as chrono displays it (`2026-10-31`, `%Y-%m-%d`), without reading a format string.
pub fn day_text(day: NaiveDate) -> String {
    use chrono::Datelike as _;
    let Some(year) = u32::try_from(day.year()).ok().filter(|y| *y <= 9999) else {
        return day.to_string();
    };
    let mut text = String::with_capacity(19);
    push_digits(&mut text, year, 4);
    text.push('-');
    push_digits(&mut text, day.month(), 2);
    text.push('-');
    push_digits(&mut text, day.day(), 2);
    text
}

/// Appends the last `width` decimal digits of `n`, zero-padded.
fn push_digits(out: &mut String, n: u32, width: u32) {
    for place in (0..width).rev() {
        let digit = n / 10u32.pow(place) % 10;
        out.push(char::from_digit(digit, 10).unwrap_or('0'));
    }
}

/// Dates that spell the month: `12-Dec-2019`, `12 Dec 2019`, `25 January 2018`, `Apr 8, 2018`,
/// `December 12, 2019`. Month names are English.
fn parse_month_name_date(text: &str) -> Option<NaiveDateTime> {
    let t = text.replace(',', " ");
    let t = t.split_whitespace().collect::<Vec<_>>().join(" ");
    let formats = [
        "%d-%b-%Y", "%d-%b-%y", "%d %b %Y", "%d %B %Y", "%b %d %Y", "%B %d %Y", "%d-%B-%Y",
    ];
    formats
        .iter()
        .find_map(|f| NaiveDate::parse_from_str(&t, f).ok())
        .map(|d| d.and_time(NaiveTime::MIN))
}

/// Parses `HH:MM`, `HH:MM:SS` or `HH:MM:SS.fff`.
pub fn parse_time(text: &str) -> Option<NaiveTime> {
    let t = text.trim();
    ["%H:%M:%S%.f", "%H:%M:%S", "%H:%M"]
        .iter()
        .find_map(|f| NaiveTime::parse_from_str(t, f).ok())
}

/// Unix seconds (as OpenAI writes `start_time`) to a UTC date-time.
pub fn from_unix_seconds(text: &str) -> Option<NaiveDateTime> {
    let t = text.trim();
    let secs: i64 = t.split('.').next()?.parse().ok()?;
    chrono::DateTime::from_timestamp(secs, 0).map(|d| d.naive_utc())
}

/// The UTC offset in minutes of the time-zone abbreviations PayPal writes, where known.
pub fn zone_offset_minutes(abbreviation: &str) -> Option<i64> {
    let z = abbreviation.trim().to_ascii_uppercase();
    let hours: i64 = match z.as_str() {
        "UTC" | "GMT" | "Z" => 0,
        "BST" | "CET" | "MEZ" | "WAT" => 1,
        "CEST" | "MESZ" | "EET" | "SAST" => 2,
        "EEST" | "MSK" => 3,
        "PST" => -8,
        "PDT" | "MST" => -7,
        "MDT" | "CST" => -6,
        "CDT" | "EST" => -5,
        "EDT" => -4,
        "JST" | "KST" => 9,
        "AEST" => 10,
        "AEDT" => 11,
        _ => return None,
    };
    Some(hours * 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str, order: Option<DateOrder>) -> String {
        parse_datetime(s, order)
            .map(|x| x.to_string())
            .unwrap_or_default()
    }

    #[test]
    fn plain_days_read_as_the_general_formats_read_them() {
        for text in [
            "2026-03-04",
            "1999-12-31",
            "2024-02-29",
            "2026-02-30",
            "2026-13-01",
            "2026-3-04x",
        ] {
            let general = NaiveDate::parse_from_str(text, "%Y-%m-%d").ok();
            assert_eq!(plain_iso_date(text), general, "{text}");
        }
        assert_eq!(d("2026-02-30", None), "");
    }

    #[test]
    fn plain_times_read_as_the_general_formats_read_them() {
        for text in [
            "2026-03-04 10:11:12",
            "2026-03-04T23:59:59",
            "2016-12-31 23:59:60",
            "2026-03-04 24:00:00",
            "2026-02-30 10:00:00",
            "2026-03-04 10:61:00",
            "2026-03-04t10:11:12",
            "2026-03-04 1:11:12 ",
            "+2026-03-04 10:11:1",
        ] {
            let general = ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"]
                .iter()
                .find_map(|f| NaiveDateTime::parse_from_str(text, f).ok());
            if let Some(fast) = plain_iso_datetime(text) {
                assert_eq!(Some(fast), general, "{text}");
            }
        }
        assert!(plain_iso_datetime("2026-03-04 10:11:12").is_some());
        assert!(plain_iso_datetime("2026-03-04T10:11:12").is_some());
        // A leap second goes down the general path and is read there, as before.
        assert_eq!(
            parse_datetime("2016-12-31 23:59:60", None),
            NaiveDateTime::parse_from_str("2016-12-31 23:59:60", "%Y-%m-%d %H:%M:%S").ok()
        );
    }

    #[test]
    fn times_are_written_as_chrono_writes_them() {
        let at = |text: &str| {
            NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f").unwrap_or_default()
        };
        for t in [
            at("2026-10-31 23:59:59"),
            at("0001-01-02 03:04:05"),
            at("2016-12-31 23:59:60"),
            at("2024-02-29 00:00:00.5"),
            NaiveDate::from_ymd_opt(12_345, 1, 2)
                .and_then(|d| d.and_hms_opt(1, 2, 3))
                .unwrap_or_default(),
            NaiveDate::from_ymd_opt(-3, 1, 2)
                .and_then(|d| d.and_hms_opt(1, 2, 3))
                .unwrap_or_default(),
        ] {
            for (separator, format) in [('T', "%Y-%m-%dT%H:%M:%S"), (' ', "%Y-%m-%d %H:%M:%S")] {
                assert_eq!(
                    datetime_text(t, separator),
                    t.format(format).to_string(),
                    "{t:?}"
                );
            }
            assert_eq!(day_text(t.date()), t.date().to_string(), "{t:?}");
        }
    }

    #[test]
    fn parses_every_written_form() {
        assert_eq!(d("2026-03-04", None), "2026-03-04 00:00:00");
        assert_eq!(d("2026-06-06 19:42:42", None), "2026-06-06 19:42:42");
        assert_eq!(d("2025-10-05T00:00:00+00:00", None), "2025-10-05 00:00:00");
        assert_eq!(d("2026-08-01T01:00:00Z", None), "2026-08-01 01:00:00");
        assert_eq!(d("2018-02-25 12:34:56 +0000", None), "2018-02-25 12:34:56");
        assert_eq!(d("2026-01-01T02:00:00+02:00", None), "2026-01-01 00:00:00");
        assert_eq!(
            d("03/04/2026", Some(DateOrder::MonthFirst)),
            "2026-03-04 00:00:00"
        );
        assert_eq!(
            d("03/04/2026", Some(DateOrder::DayFirst)),
            "2026-04-03 00:00:00"
        );
        assert_eq!(d("31.08.2026", None), "2026-08-31 00:00:00");
        assert_eq!(d("12-30-2025", None), "2025-12-30 00:00:00");
        assert_eq!(
            d("6/4/2016", Some(DateOrder::MonthFirst)),
            "2016-06-04 00:00:00"
        );
        assert_eq!(
            d("24-08-2020 13:43:54.496", None),
            "2020-08-24 13:43:54.496"
        );
        assert_eq!(d("03/04/2026", None), "", "ambiguous without an order");
        assert_eq!(
            d("03/02/26", Some(DateOrder::MonthFirst)),
            "2026-03-02 00:00:00"
        );
        assert_eq!(d("2026/03/02", None), "2026-03-02 00:00:00");
        assert_eq!(d("12-Dec-2019", None), "2019-12-12 00:00:00");
        assert_eq!(d("25 January 2018", None), "2018-01-25 00:00:00");
        assert_eq!(d("Apr 8, 2018", None), "2018-04-08 00:00:00");
        assert_eq!(d("Pending", None), "");
        assert_eq!(
            d("31/02/2026", Some(DateOrder::DayFirst)),
            "",
            "no such day"
        );
        assert_eq!(d("not a date", None), "");
    }

    #[test]
    fn decides_order_from_all_rows() {
        let mut e = DateEvidence::default();
        for s in ["01/02/2026", "05/06/2026", "25/06/2026"] {
            e.observe(s);
        }
        assert_eq!(e.verdict(), OrderVerdict::Proven(DateOrder::DayFirst));
        let mut e = DateEvidence::default();
        e.observe("01/02/2026");
        assert_eq!(e.verdict(), OrderVerdict::Ambiguous);
        e.observe("13/02/2026");
        e.observe("02/13/2026");
        assert_eq!(e.verdict(), OrderVerdict::Contradictory);
        let mut e = DateEvidence::default();
        e.observe("2026-01-02");
        assert_eq!(e.verdict(), OrderVerdict::NotNeeded);
    }

    #[test]
    fn reads_unix_seconds() {
        assert_eq!(
            from_unix_seconds("1759622400")
                .map(|x| x.to_string())
                .unwrap(),
            "2025-10-05 00:00:00"
        );
    }
}
