//! The `PayPal` activity download (`Download.CSV`), in English or German, the short layout with
//! `Amount` instead of `Gross`/`Fee`/`Net`, and the personal statement without a `Status`.
//!
//! Headers may start with a space (`Date, Time, Time Zone, ...`). The local `Date`, `Time` and
//! `Time Zone` become UTC. Dates are `MM/DD/YYYY`, `DD/MM/YYYY` or `DD.MM.YYYY`: the order is
//! decided from every row of the file, and when no row settles it, English files are read
//! month-first and German ones day-first. Amounts may use a decimal comma (`"-23,79"`) or a
//! thousands comma (`"1,120.00"`). `Gross` is signed from the account's side and `Fee` is
//! negative; a positive fee (a fee refunded with a refund) is folded into the amount.
//!
//! Rows are skipped, not rejected, when they move no money of their own: item-detail lines (a
//! blank `Balance Impact` where the column exists) and currency conversions (`General Currency
//! Conversion`, `Währungsumrechnung`) unless they carry a fee. `Balance Impact = Memo` rows
//! are authorizations and holds, as are `Account Hold` rows: kept as pending lines noted
//! `authorization`. `Transaction ID` is the key; `Reference Txn ID` links a capture or refund
//! to its authorization or payment.

use chrono::{Duration, NaiveDateTime};

use super::line::{ContentKey, Line, date_and_time, out_of_range, status_word};
use crate::domain::import::dates::{DateOrder, zone_offset_minutes};
use crate::domain::import::table::{BindError, FieldError, Header, Row, normalize_name};
use crate::domain::import::{FileOptions, Format, RecordKind, RowParser};
use crate::domain::money::Amount;
use crate::domain::records::{BankStatus, Record};

const DATE: &[&str] = &["Date", "Datum"];
const TIME: &[&str] = &["Time", "Uhrzeit"];
const ZONE: &[&str] = &["TimeZone", "Time Zone", "Zeitzone"];
const GROSS: &[&str] = &["Gross", "Brutto", "Amount", "Betrag"];
const TRANSACTION_ID: &[&str] = &["Transaction ID", "Transaktionscode"];
const NAME: &[&str] = &["Name"];
const TYPE: &[&str] = &["Type", "Typ", "Description", "Beschreibung"];
const STATUS: &[&str] = &["Status"];

/// The `PayPal` activity download.
pub struct PayPal;

impl Format for PayPal {
    fn id(&self) -> &'static str {
        "paypal"
    }
    fn name(&self) -> &'static str {
        "PayPal activity download"
    }
    fn kind(&self) -> RecordKind {
        RecordKind::Bank
    }
    fn signature(&self) -> &'static str {
        "Date, Time, TimeZone, Name, Type, Status, Currency, Gross (or Amount), Fee, Net, ..., Transaction ID, ..., Reference Txn ID, ..., Balance Impact (or German Datum, Uhrzeit, Zeitzone, ..., Brutto, Gebühr, Netto, ..., Transaktionscode, ..., Auswirkung auf Guthaben)"
    }
    fn detect(&self, h: &Header) -> bool {
        let base = [DATE, TIME, ZONE, GROSS]
            .iter()
            .all(|aliases| h.find(aliases).is_some());
        let activity = [NAME, TYPE, STATUS]
            .iter()
            .all(|aliases| h.find(aliases).is_some());
        base && (activity || h.find(TRANSACTION_ID).is_some())
    }
    fn bind(&self, h: &Header, _options: &FileOptions) -> Result<Box<dyn RowParser>, BindError> {
        let date = h.require(DATE)?;
        Ok(Box::new(PayPalParser {
            german: normalize_name(h.name(date)) == "datum",
            date,
            time: h.require(TIME)?,
            zone: h.require(ZONE)?,
            name: h.find(NAME),
            kind: h.find(TYPE),
            status: h.find(STATUS),
            currency: h.find(&["Currency", "Währung"]),
            gross: h.require(GROSS)?,
            fee: h.find(&["Fee", "Gebühr"]),
            net: h.find(&["Net", "Netto"]),
            transaction_id: h.find(TRANSACTION_ID),
            reference: h.find(&["Reference Txn ID", "Zugehöriger Transaktionscode"]),
            impact: h.find(&["Balance Impact", "Auswirkung auf Guthaben"]),
        }))
    }
}

struct PayPalParser {
    german: bool,
    date: usize,
    time: usize,
    zone: usize,
    name: Option<usize>,
    kind: Option<usize>,
    status: Option<usize>,
    currency: Option<usize>,
    gross: usize,
    fee: Option<usize>,
    net: Option<usize>,
    transaction_id: Option<usize>,
    reference: Option<usize>,
    impact: Option<usize>,
}

/// A time-zone text as minutes east of UTC: the abbreviations `PayPal` writes (`PDT`, `MESZ`), and
/// `GMT+01:00`, `UTC-5`, `+0100`.
fn offset_minutes(zone: &str) -> Option<i64> {
    if let Some(m) = zone_offset_minutes(zone) {
        return Some(m);
    }
    let z = zone.trim().to_ascii_uppercase();
    let rest = z
        .strip_prefix("GMT")
        .or_else(|| z.strip_prefix("UTC"))
        .unwrap_or(&z);
    let (sign, digits) = match rest.strip_prefix('+') {
        Some(d) => (1, d),
        None => (-1, rest.strip_prefix('-')?),
    };
    let (hours, minutes) = match digits.split_once(':') {
        Some((h, m)) => (h, m),
        None if digits.len() == 4 && digits.is_ascii() => digits.split_at(2),
        None => (digits, "0"),
    };
    let hours: i64 = hours.parse().ok()?;
    let minutes: i64 = minutes.parse().ok()?;
    (hours <= 14 && minutes < 60).then_some(sign * (hours * 60 + minutes))
}

fn is_conversion(kind: &str) -> bool {
    let k = kind.to_lowercase();
    k.contains("currency conversion")
        || k.contains("währungsumrechnung")
        || k.contains("waehrungsumrechnung")
}

/// `Account Hold for Open Authorization` and its `Reversal of General Account Hold`.
fn is_account_hold(kind: &str) -> bool {
    let k = kind.to_lowercase();
    k.contains("account hold") || k.contains("kontoeinbehalt")
}

impl PayPalParser {
    /// The row's local date and time, as UTC.
    fn utc(&self, row: &Row<'_>) -> Result<NaiveDateTime, FieldError> {
        let local = date_and_time(row, self.date, Some(self.time))?;
        if row.text(self.time).is_empty() {
            // A date alone: shifting midnight by the zone would move it to another day.
            return Ok(local);
        }
        let zone = row.text(self.zone);
        let minutes = offset_minutes(&zone).ok_or_else(|| {
            FieldError::at(
                self.zone,
                format!("'{zone}' is not a time zone burnrate knows (it reads PST, PDT, EST, CET, CEST, MEZ, MESZ, GMT, BST, UTC+01:00 and the like)"),
            )
        })?;
        local
            .checked_sub_signed(Duration::minutes(minutes))
            .ok_or_else(|| FieldError::at(self.date, "the date is out of range"))
    }

    /// The status of a row that says nothing the shared vocabulary knows.
    fn status(&self, row: &Row<'_>, impact: &str) -> Result<BankStatus, FieldError> {
        let Some(column) = self.status else {
            return Ok(BankStatus::Settled);
        };
        let text = row.text(column);
        if let Some(status) = status_word(&text) {
            return Ok(status);
        }
        // PayPal has many status words; a row that moved the balance is settled whatever it says.
        if matches!(impact, "debit" | "credit" | "soll" | "haben") {
            return Ok(BankStatus::Settled);
        }
        Err(FieldError::at(
            column,
            format!(
                "'{text}' is not a status burnrate knows (it reads Completed, Pending, Denied, Reversed and Refunded)"
            ),
        ))
    }
}

impl RowParser for PayPalParser {
    fn date_columns(&self) -> Vec<usize> {
        vec![self.date]
    }
    fn amount_columns(&self) -> Vec<usize> {
        [Some(self.gross), self.fee, self.net]
            .into_iter()
            .flatten()
            .collect()
    }
    fn default_date_order(&self) -> Option<DateOrder> {
        Some(if self.german {
            DateOrder::DayFirst
        } else {
            DateOrder::MonthFirst
        })
    }
    fn parse(&mut self, row: &Row<'_>, out: &mut Vec<Record>) -> Result<(), FieldError> {
        let impact = self.impact.map(|c| row.text(c).to_lowercase());
        if impact.as_deref() == Some("") {
            // An item-detail line of the transaction above: no money of its own.
            return Ok(());
        }
        let impact = impact.unwrap_or_default();
        let kind = row.opt_text(self.kind).into_owned();
        let fee = row.opt_amount(self.fee)?;
        let conversion = is_conversion(&kind);
        if conversion && fee.is_none_or(Amount::is_zero) {
            // One side of a conversion; the payment it funded is its own row.
            return Ok(());
        }
        let started_at = self.utc(row)?;
        let gross = row.amount(self.gross)?;
        let mut notes = Vec::new();
        let mut status = self.status(row, &impact)?;
        let hold = impact == "memo" || is_account_hold(&kind);
        if hold {
            notes.push("authorization");
            // A hold is pending until captured; its reversal or void releases it.
            let kind = kind.to_lowercase();
            let released =
                kind.starts_with("reversal") || kind.starts_with("void") || kind.contains("storno");
            status = if status == BankStatus::Reversed || released {
                BankStatus::Reversed
            } else {
                BankStatus::Pending
            };
        }
        if conversion {
            notes.push("currency conversion fee");
        }
        let (amount, amount_column, fee) = match fee {
            Some(f) if !f.is_negative() && !f.is_zero() => {
                // A fee given back (with a refund): it lowers what left the account.
                notes.push("fee refund");
                let net = match row.opt_amount(self.net)? {
                    Some(n) => n,
                    None => gross
                        .checked_add(f)
                        .ok_or_else(|| out_of_range(self.gross))?,
                };
                (net, self.net.unwrap_or(self.gross), None)
            }
            other => (gross, self.gross, other),
        };
        let name = row.opt_text(self.name);
        // The short layout has no currency column; where there is one, every row names its
        // currency.
        let mut line = match self.currency {
            Some(c) => Line::new(
                "paypal".into(),
                amount,
                row.currency(c)?,
                ContentKey::TimeAndAmount,
            ),
            None => Line::without_currency("paypal".into(), amount, ContentKey::TimeAndAmount),
        };
        line.started_at = Some(started_at);
        line.description = if name.is_empty() {
            kind.clone()
        } else {
            name.into_owned()
        };
        line.amount_text = row.text(amount_column).into_owned();
        line.fee = fee;
        line.status = status;
        line.issuer_id = row.opt_text(self.transaction_id).into_owned();
        line.related_id = row.opt_text(self.reference).into_owned();
        line.note = notes.join("; ");
        line.push(out);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{lines, nanos, parse};
    use super::*;
    use crate::domain::import::ParsedFile;

    /// One expected line: description, UTC start, amount, fee, status, note.
    type Want<'a> = (
        &'a str,
        &'a str,
        &'a str,
        Option<&'a str>,
        BankStatus,
        &'a str,
    );

    fn check(parsed: &ParsedFile, want: &[Want<'_>]) {
        assert_eq!(parsed.format_id, "paypal", "{parsed:?}");
        assert!(parsed.rejected.is_empty(), "{:?}", parsed.rejected);
        let got = lines(parsed);
        assert_eq!(got.len(), want.len(), "{got:#?}");
        for (line, (description, utc, amount, fee, status, note)) in got.iter().zip(want) {
            assert_eq!(line.description, *description);
            assert_eq!(
                line.started_at.map(|t| t.to_string()).unwrap_or_default(),
                *utc,
                "{description}"
            );
            assert_eq!(line.amount.nanos(), nanos(amount), "{description}");
            assert_eq!(line.fee.map(Amount::nanos), fee.map(nanos), "{description}");
            assert_eq!(line.status, Some(*status), "{description}");
            assert_eq!(line.note, *note, "{description}");
            assert_eq!(line.account, "paypal");
        }
    }

    const HEADER: &str = "\"Date\",\"Time\",\"TimeZone\",\"Name\",\"Type\",\"Status\",\"Currency\",\"Gross\",\"Fee\",\"Net\",\"From Email Address\",\"To Email Address\",\"Transaction ID\",\"Item Title\",\"Reference Txn ID\",\"Balance\",\"Balance Impact\"\n";

    #[test]
    fn activity_rows_holds_skips_and_links() {
        let csv = format!(
            "{HEADER}\
\"01/03/2026\",\"13:57:10\",\"PST\",\"OpenAI, LLC\",\"General Authorization\",\"Pending\",\"USD\",\"-20.00\",\"0.00\",\"-20.00\",\"me@example.com\",\"billing@openai.test\",\"1AB11111\",\"\",\"\",\"\",\"Memo\"\n\
\"01/04/2026\",\"09:00:00\",\"PST\",\"OpenAI, LLC\",\"Express Checkout Payment\",\"Completed\",\"USD\",\"-20.00\",\"0.00\",\"-20.00\",\"me@example.com\",\"billing@openai.test\",\"2CD22222\",\"\",\"1AB11111\",\"-20.00\",\"Debit\"\n\
\"01/04/2026\",\"09:00:00\",\"PST\",\"\",\"Shopping Cart Item\",\"Completed\",\"USD\",\"-20.00\",\"\",\"\",\"\",\"\",\"2CD22222\",\"ChatGPT Plus\",\"\",\"\",\"\"\n\
\"01/05/2026\",\"10:00:00\",\"PST\",\"\",\"General Currency Conversion\",\"Completed\",\"USD\",\"-10.80\",\"0.00\",\"-10.80\",\"\",\"\",\"3EF33333\",\"\",\"\",\"-30.80\",\"Debit\"\n\
\"01/05/2026\",\"10:00:00\",\"PST\",\"\",\"General Currency Conversion\",\"Completed\",\"EUR\",\"10.00\",\"0.00\",\"10.00\",\"\",\"\",\"3EF33334\",\"\",\"\",\"10.00\",\"Credit\"\n\
\"01/15/2026\",\"16:20:37\",\"PDT\",\"Client Ltd\",\"Payment Received\",\"Completed\",\"USD\",\"1,250.00\",\"-36.55\",\"1,213.45\",\"client@example.com\",\"me@example.com\",\"4GH44444\",\"\",\"\",\"1,182.65\",\"Credit\"\n\
\"01/16/2026\",\"08:00:00\",\"EST\",\"Anthropic\",\"PreApproved Payment Bill User Payment\",\"Denied\",\"USD\",\"-5.00\",\"0.00\",\"-5.00\",\"me@example.com\",\"\",\"5IJ55555\",\"\",\"\",\"1,182.65\",\"Debit\"\n\
\"01/17/2026\",\"09:00:00\",\"CET\",\"\",\"Account Hold for Open Authorization\",\"Completed\",\"USD\",\"-10.00\",\"0.00\",\"-10.00\",\"\",\"\",\"6KL66666\",\"\",\"\",\"1,172.65\",\"Debit\"\n\
\"01/18/2026\",\"09:00:00\",\"CET\",\"\",\"Reversal of General Account Hold\",\"Completed\",\"USD\",\"10.00\",\"0.00\",\"10.00\",\"\",\"\",\"7MN77777\",\"\",\"6KL66666\",\"1,182.65\",\"Credit\"\n"
        );
        let parsed = parse(csv.as_bytes());
        check(
            &parsed,
            &[
                (
                    "OpenAI, LLC",
                    "2026-01-03 21:57:10",
                    "-20",
                    None,
                    BankStatus::Pending,
                    "authorization",
                ),
                (
                    "OpenAI, LLC",
                    "2026-01-04 17:00:00",
                    "-20",
                    None,
                    BankStatus::Settled,
                    "",
                ),
                (
                    "Client Ltd",
                    "2026-01-15 23:20:37",
                    "1250",
                    Some("36.55"),
                    BankStatus::Settled,
                    "",
                ),
                (
                    "Anthropic",
                    "2026-01-16 13:00:00",
                    "-5",
                    None,
                    BankStatus::Reversed,
                    "",
                ),
                (
                    "Account Hold for Open Authorization",
                    "2026-01-17 08:00:00",
                    "-10",
                    None,
                    BankStatus::Pending,
                    "authorization",
                ),
                (
                    "Reversal of General Account Hold",
                    "2026-01-18 08:00:00",
                    "10",
                    None,
                    BankStatus::Reversed,
                    "authorization",
                ),
            ],
        );
        assert_eq!(parsed.rows, 9, "skipped rows are still read");
        let l = lines(&parsed);
        assert_eq!(l[0].natural_key, "bank|paypal|id|1AB11111");
        assert_eq!(
            (l[1].issuer_id.as_str(), l[1].related_id.as_str()),
            ("2CD22222", "1AB11111")
        );
        assert_eq!(
            (l[2].currency.as_str(), l[2].amount_text.as_str()),
            ("USD", "1,250.00")
        );
    }

    #[test]
    fn german_download_decimal_comma_crlf() {
        let csv = "Datum,\"Uhrzeit\",\"Zeitzone\",\"Name\",\"Typ\",\"Status\",\"Währung\",\"Brutto\",\"Gebühr\",\"Netto\",\"Absender E-Mail-Adresse\",\"Empfänger E-Mail-Adresse\",\"Transaktionscode\",\"Zugehöriger Transaktionscode\",\"Guthaben\",\"Auswirkung auf Guthaben\"\r\n\
03.08.2026,\"09:12:04\",\"MESZ\",\"Anthropic, PBC\",\"Abo-Zahlung\",\"Abgeschlossen\",\"EUR\",\"-21,60\",\"0,00\",\"-21,60\",\"julia@example.test\",\"billing@anthropic.test\",\"1TA23456\",\"\",\"100,00\",\"Debit\"\r\n\
05.08.2026,\"14:33:21\",\"MESZ\",\"Nordwind GmbH\",\"Zahlung\",\"Abgeschlossen\",\"EUR\",\"3.570,00\",\"-58,55\",\"3.511,45\",\"n@example.test\",\"julia@example.test\",\"2TB34567\",\"\",\"3.611,45\",\"Credit\"\r\n\
06.08.2026,\"10:05:14\",\"MESZ\",\"Anna\",\"Rückerstattung\",\"Abgeschlossen\",\"EUR\",\"-120,00\",\"12,50\",\"-107,50\",\"julia@example.test\",\"anna@example.test\",\"6TF78901\",\"2TB34567\",\"3.503,95\",\"Debit\"\r\n\
07.08.2026,\"09:30:02\",\"MESZ\",\"Julia\",\"Waehrungsumrechnung\",\"Abgeschlossen\",\"EUR\",\"0,00\",\"-2,10\",\"-2,10\",\"julia@example.test\",\"\",\"7TG89012\",\"\",\"3.501,85\",\"Debit\"\r\n\
08.08.2026,\"09:30:02\",\"MESZ\",\"Julia\",\"Allgemeine Währungsumrechnung\",\"Abgeschlossen\",\"USD\",\"12,00\",\"0,00\",\"12,00\",\"\",\"\",\"7TG89013\",\"\",\"12,00\",\"Credit\"\r\n\
09.08.2026,\"11:00:00\",\"MESZ\",\"Shop\",\"Zahlung\",\"Ausstehend\",\"EUR\",\"-5,00\",\"0,00\",\"-5,00\",\"\",\"\",\"8TH90123\",\"\",\"3.501,85\",\"Memo\"\r\n";
        let parsed = parse(csv.as_bytes());
        check(
            &parsed,
            &[
                (
                    "Anthropic, PBC",
                    "2026-08-03 07:12:04",
                    "-21.60",
                    None,
                    BankStatus::Settled,
                    "",
                ),
                (
                    "Nordwind GmbH",
                    "2026-08-05 12:33:21",
                    "3570",
                    Some("58.55"),
                    BankStatus::Settled,
                    "",
                ),
                (
                    "Anna",
                    "2026-08-06 08:05:14",
                    "-107.50",
                    None,
                    BankStatus::Settled,
                    "fee refund",
                ),
                (
                    "Julia",
                    "2026-08-07 07:30:02",
                    "0",
                    Some("2.10"),
                    BankStatus::Settled,
                    "currency conversion fee",
                ),
                (
                    "Shop",
                    "2026-08-09 09:00:00",
                    "-5",
                    None,
                    BankStatus::Pending,
                    "authorization",
                ),
            ],
        );
        let l = lines(&parsed);
        assert_eq!(l[2].amount_text, "-107,50");
        assert_eq!(l[2].related_id, "2TB34567");
    }

    #[test]
    fn short_layouts_with_spaced_headers() {
        // Every date fits both readings: an English file is read month-first.
        let alternate = "Date, Time, Time Zone, Name, Type, Status, Amount, Receipt ID, Balance,\n\
\"6/4/2016\",\"23:59:59\",\"PST\",\"OpenAI\",\"Payment Sent\",\"Completed\",\"-12.34\",\"\",\"0.00\",\n\
\"6/4/2016\",\"23:59:59\",\"PST\",\"Bank Account\",\"Add Funds from a Bank Account\",\"Completed\",\"12.34\",\"\",\"12.34\",\n";
        let parsed = parse(alternate.as_bytes());
        check(
            &parsed,
            &[
                (
                    "OpenAI",
                    "2016-06-05 07:59:59",
                    "-12.34",
                    None,
                    BankStatus::Settled,
                    "",
                ),
                (
                    "Bank Account",
                    "2016-06-05 07:59:59",
                    "12.34",
                    None,
                    BankStatus::Settled,
                    "",
                ),
            ],
        );
        let l = lines(&parsed);
        assert_eq!(
            l[0].currency,
            crate::domain::money::Currency::UNKNOWN,
            "the short layout names no currency"
        );
        assert_eq!(
            l[0].natural_key,
            format!(
                "bank|paypal|2016-06-05 07:59:59|OpenAI||{}",
                nanos("-12.34")
            )
        );

        // The personal statement: no Name, Type or Status; every row moved money.
        let statement = "\"Date\",\"Time\",\"Time Zone\",\"Description\",\"Currency\",\"Gross\",\"Fee\",\"Net\",\"Balance\",\"Transaction ID\"\n\
\"24/02/2026\",\"10:00:00\",\"GMT\",\"Anthropic* Claude Sub\",\"GBP\",\"-18.00\",\"0.00\",\"-18.00\",\"2.00\",\"9XY0001\"\n";
        let parsed = parse(statement.as_bytes());
        check(
            &parsed,
            &[(
                "Anthropic* Claude Sub",
                "2026-02-24 10:00:00",
                "-18",
                None,
                BankStatus::Settled,
                "",
            )],
        );
    }

    #[test]
    fn bom_latin1_and_multiline_description() {
        let mut csv = b"\xef\xbb\xbf".to_vec();
        csv.extend_from_slice(HEADER.as_bytes());
        csv.extend_from_slice(b"\"13/02/2026\",\"10:00:00\",\"GMT+01:00\",\"Caf\xe9 Noir\",\"Payment\",\"Completed\",\"EUR\",\"-3.50\",\"0.00\",\"-3.50\",\"\",\"\",\"A1\",\"\",\"\",\"\",\"Debit\"\n");
        csv.extend_from_slice(b"\"14/02/2026\",\"10:00:00\",\"UTC\",\"Two\nLines\",\"Payment\",\"Completed\",\"EUR\",\"-1.00\",\"0.00\",\"-1.00\",\"\",\"\",\"A2\",\"\",\"\",\"\",\"Debit\"\n");
        let parsed = parse(&csv);
        check(
            &parsed,
            &[
                (
                    "Café Noir",
                    "2026-02-13 09:00:00",
                    "-3.50",
                    None,
                    BankStatus::Settled,
                    "",
                ),
                (
                    "Two\nLines",
                    "2026-02-14 10:00:00",
                    "-1",
                    None,
                    BankStatus::Settled,
                    "",
                ),
            ],
        );
    }

    #[test]
    fn bad_cells_are_rejected_with_line_and_column() {
        let csv = format!(
            "{HEADER}\
\"01/13/2026\",\"10:00:00\",\"XYZT\",\"A\",\"Payment\",\"Completed\",\"USD\",\"-1.00\",\"0.00\",\"-1.00\",\"\",\"\",\"B1\",\"\",\"\",\"\",\"Debit\"\n\
\"01/13/2026\",\"10:00:00\",\"PST\",\"B\",\"Payment\",\"Completed\",\"USD\",\"lots\",\"0.00\",\"-1.00\",\"\",\"\",\"B2\",\"\",\"\",\"\",\"Debit\"\n\
\"01/13/2026\",\"10:00:00\",\"PST\",\"C\",\"Payment\",\"Mysterious\",\"USD\",\"-1.00\",\"0.00\",\"-1.00\",\"\",\"\",\"B3\",\"\",\"\",\"\",\"Memo\"\n\
\"01/13/2026\",\"10:00:00\",\"PST\",\"D\",\"Payment\",\"Unusual\",\"USD\",\"-1.00\",\"0.00\",\"-1.00\",\"\",\"\",\"B4\",\"\",\"\",\"\",\"Debit\"\n"
        );
        let parsed = parse(csv.as_bytes());
        let got: Vec<_> = parsed
            .rejected
            .iter()
            .map(|e| (e.line, e.column_name.as_str()))
            .collect();
        assert_eq!(got, [(2, "TimeZone"), (3, "Gross"), (4, "Status")]);
        assert!(
            parsed.rejected[0]
                .reason
                .contains("'XYZT' is not a time zone"),
            "{:?}",
            parsed.rejected
        );
        assert_eq!(
            lines(&parsed).len(),
            1,
            "an unknown status on a booked row is settled"
        );
    }

    #[test]
    fn reads_offsets() {
        let cases = [
            ("PDT", Some(-420)),
            ("MESZ", Some(120)),
            ("GMT+01:00", Some(60)),
            ("UTC-5", Some(-300)),
            ("+0530", Some(330)),
            ("+1\u{e9}1", None),
            ("GMT+99", None),
            ("Mars", None),
            ("", None),
        ];
        for (zone, want) in cases {
            assert_eq!(offset_minutes(zone), want, "{zone}");
        }
    }
}
