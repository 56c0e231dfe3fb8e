//! The data-driven statement parser the card and bank issuers without quirks of their own
//! share (Chase, Apple Card, Capital One, Citi, American Express): each format's `bind` says
//! which columns hold the dates, the description, the money and the ids, and how the issuer
//! writes signs; this parser reads every row the same way.
//!
//! Every issuer writes signs its own way (Chase: a purchase is negative; Amex, Apple Card and
//! Citi: a charge is positive; Capital One: unsigned debit and credit columns or an unsigned
//! amount with a Debit/Credit column). Every line leaves here with the ledger's convention:
//! negative is money out. A file without a status column gives settled lines. These statements
//! give dates without times, so lines without an issuer id are keyed by their day.

use chrono::NaiveDateTime;

use super::line::{ContentKey, Line, account_of, out_of_range};
use crate::domain::import::RowParser;
use crate::domain::import::dates::{DateOrder, parse_datetime};
use crate::domain::import::table::{BindError, FieldError, Header, Row};
use crate::domain::money::{Amount, Currency};
use crate::domain::records::{BankStatus, Record};

/// How a statement writes the money of a line.
#[derive(Debug, Clone, Copy)]
pub(super) enum Money {
    /// One signed column; `spend_positive` when the issuer writes charges as positive numbers.
    Signed { amount: usize, spend_positive: bool },
    /// A debit column (money out) and a credit column (money in), whatever sign each is written
    /// with.
    DebitCredit { debit: usize, credit: usize },
    /// An unsigned amount and a column saying `Debit` or `Credit`.
    Directed { amount: usize, direction: usize },
}

/// Reads the foreign amount and its currency out of a free-text cell (Amex's
/// `Extended Details`).
pub(super) type ForeignReader = fn(&str) -> Option<(Amount, String)>;

/// The row parser these formats share, configured by each format's `bind`.
pub(super) struct StatementParser {
    /// The format id, the start of every account name.
    pub format_id: &'static str,
    /// The account name's start when it is not the format id (`amex:GBP`); keys keep the
    /// format id.
    pub account_name: Option<String>,
    pub currency: Currency,
    /// The issuer's date order, used when every date of the file fits both readings.
    pub order: DateOrder,
    /// The transaction date.
    pub started: Option<usize>,
    /// The post or clearing date (required when there is no transaction date).
    pub posted: Option<usize>,
    pub description: usize,
    /// Read when the description cell is empty (Apple Card's `Merchant`).
    pub fallback_description: Option<usize>,
    pub money: Money,
    pub status: Option<usize>,
    /// Card or account number, appended to the account name.
    pub account_number: Option<usize>,
    /// The issuer's transaction id.
    pub reference: Option<usize>,
    /// A cell that may name a foreign amount, and how to read it.
    pub foreign: Option<(usize, ForeignReader)>,
    /// Rewrites the description as the issuer garbled it (Chase's `&amp;`).
    pub decode: Option<fn(&str) -> String>,
    /// Key lines without their amount, so a pending line and its settled twin share a key.
    pub key_without_amount: bool,
}

impl StatementParser {
    pub fn new(format_id: &'static str, description: usize, money: Money) -> Self {
        Self {
            format_id,
            account_name: None,
            currency: Currency::USD,
            order: DateOrder::MonthFirst,
            started: None,
            posted: None,
            description,
            fallback_description: None,
            money,
            status: None,
            account_number: None,
            reference: None,
            foreign: None,
            decode: None,
            key_without_amount: false,
        }
    }

    /// A parser for one signed amount column, the description read from the column named by
    /// `description`.
    ///
    /// # Errors
    /// When the file has no description column.
    pub fn signed(
        format_id: &'static str,
        h: &Header,
        amount: usize,
        description: &[&str],
        spend_positive: bool,
    ) -> Result<Self, BindError> {
        Ok(Self::new(
            format_id,
            h.require(description)?,
            Money::Signed {
                amount,
                spend_positive,
            },
        ))
    }

    /// A parser for unsigned `Debit` and `Credit` columns and a `Description` (Capital One,
    /// Citi).
    ///
    /// # Errors
    /// When one of those columns is missing.
    pub fn debit_credit(format_id: &'static str, h: &Header) -> Result<Self, BindError> {
        let debit = h.require(&["Debit"])?;
        let credit = h.require(&["Credit"])?;
        Ok(Self::new(
            format_id,
            h.require(&["Description"])?,
            Money::DebitCredit { debit, credit },
        ))
    }

    /// The line's amount, negative for money out, and the cell it was read from.
    fn amount(&self, row: &Row<'_>) -> Result<(Amount, String), FieldError> {
        match self.money {
            Money::Signed {
                amount,
                spend_positive,
            } => {
                let value = row.amount(amount)?;
                let value = if spend_positive {
                    value.checked_neg().ok_or_else(|| out_of_range(amount))?
                } else {
                    value
                };
                Ok((value, row.text(amount).into_owned()))
            }
            Money::DebitCredit { debit, credit } => {
                let money_out = row.opt_amount(Some(debit))?;
                let money_in = row.opt_amount(Some(credit))?;
                let (value, text) = match (money_out, money_in) {
                    (None, None) => {
                        return Err(FieldError::at(
                            debit,
                            "the row has neither a debit nor a credit",
                        ));
                    }
                    (Some(d), None) => (
                        d.abs().checked_neg().ok_or_else(|| out_of_range(debit))?,
                        row.text(debit),
                    ),
                    (None, Some(c)) => (c.abs(), row.text(credit)),
                    (Some(d), Some(c)) => (
                        c.abs()
                            .checked_sub(d.abs())
                            .ok_or_else(|| out_of_range(debit))?,
                        row.text(debit),
                    ),
                };
                Ok((value, text.into_owned()))
            }
            Money::Directed { amount, direction } => {
                let value = row.amount(amount)?.abs();
                let word = row.text(direction);
                let value = match word.to_ascii_lowercase().as_str() {
                    "debit" | "withdrawal" => {
                        value.checked_neg().ok_or_else(|| out_of_range(amount))?
                    }
                    "credit" | "deposit" => value,
                    _ => {
                        return Err(FieldError::at(
                            direction,
                            format!("'{word}' is neither Debit nor Credit"),
                        ));
                    }
                };
                Ok((value, row.text(amount).into_owned()))
            }
        }
    }

    fn status(&self, row: &Row<'_>) -> Result<BankStatus, FieldError> {
        let Some(c) = self.status else {
            return Ok(BankStatus::Settled);
        };
        let word = row.text(c);
        BankStatus::from_issuer(&word).ok_or_else(|| {
            FieldError::at(
                c,
                format!("'{word}' is not a status this importer knows (Cleared or Pending)"),
            )
        })
    }

    fn dates(
        &self,
        row: &Row<'_>,
    ) -> Result<(Option<NaiveDateTime>, Option<NaiveDateTime>), FieldError> {
        let started_at = self.started.map(|c| read_date(row, c)).transpose()?;
        let posted_at = match (self.started, self.posted) {
            (None, Some(c)) => Some(read_date(row, c)?),
            (_, Some(c)) if !row.text(c).is_empty() => Some(read_date(row, c)?),
            _ => None,
        };
        Ok((started_at, posted_at))
    }

    fn description(&self, row: &Row<'_>) -> String {
        let mut text = row.text(self.description);
        if text.is_empty() {
            text = row.opt_text(self.fallback_description);
        }
        match self.decode {
            Some(decode) => decode(&text),
            None => text.into_owned(),
        }
    }
}

impl RowParser for StatementParser {
    fn date_columns(&self) -> Vec<usize> {
        [self.started, self.posted].into_iter().flatten().collect()
    }

    fn amount_columns(&self) -> Vec<usize> {
        match self.money {
            Money::Signed { amount, .. } | Money::Directed { amount, .. } => vec![amount],
            Money::DebitCredit { debit, credit } => vec![debit, credit],
        }
    }

    fn default_date_order(&self) -> Option<DateOrder> {
        Some(self.order)
    }

    fn parse(&mut self, row: &Row<'_>, out: &mut Vec<Record>) -> Result<(), FieldError> {
        let (started_at, posted_at) = self.dates(row)?;
        let (amount, amount_text) = self.amount(row)?;
        let status = self.status(row)?;
        let key = if self.key_without_amount {
            ContentKey::Day
        } else {
            ContentKey::DayAndAmount
        };
        let number = row.opt_text(self.account_number);
        let keyed = account_of(self.format_id, &number);
        let account = match &self.account_name {
            Some(name) => account_of(name, &number),
            None => keyed.clone(),
        };
        let mut line = Line::new(account, amount, self.currency, key);
        if self.account_name.is_some() {
            line.key_account = Some(keyed);
        }
        line.started_at = started_at;
        line.posted_at = posted_at;
        line.description = self.description(row);
        line.amount_text = amount_text;
        line.status = status;
        line.issuer_id = row
            .opt_text(self.reference)
            .trim_matches(['\'', '"', ' '])
            .to_string();
        line.foreign = self
            .foreign
            .and_then(|(column, read)| read(&row.text(column)));
        line.push(out);
        Ok(())
    }
}

/// A required date. Two-digit years (`03/02/26`, as Capital One 360 writes them) are widened
/// first: `dates::parse_datetime` would otherwise read `03/02/26` as year 3 through its
/// `%Y/%m/%d` pattern.
fn read_date(row: &Row<'_>, column: usize) -> Result<NaiveDateTime, FieldError> {
    let text = row.text(column);
    let Some(widened) = widen_two_digit_year(&text) else {
        return row.datetime(column);
    };
    parse_datetime(&widened, row.dialect.date_order).ok_or_else(|| {
        FieldError::at(
            column,
            format!("'{text}' is not a date this importer can read"),
        )
    })
}

/// `03/02/26` -> `03/02/2026` (with any of `/`, `-`, `.`); `None` for every other text.
fn widen_two_digit_year(text: &str) -> Option<String> {
    let sep = text.chars().find(|c| matches!(c, '/' | '-' | '.'))?;
    let parts: Vec<&str> = text.split(sep).collect();
    let [a, b, year] = parts.as_slice() else {
        return None;
    };
    let short = |p: &str| (1..=2).contains(&p.len()) && p.chars().all(|c| c.is_ascii_digit());
    (short(a) && short(b) && year.len() == 2 && short(year))
        .then(|| format!("{a}{sep}{b}{sep}20{year}"))
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{day, lines, parse_usd as parse};
    use crate::domain::records::BankStatus;

    /// (file, format id, [(amount nanos, transaction day, posted day, currency)])
    type Case = (
        &'static [u8],
        &'static str,
        &'static [(i64, &'static str, &'static str, &'static str)],
    );

    #[test]
    fn reads_every_issuer_with_the_ledger_sign() {
        let cases: &[Case] = &[
            (
                b"Card,Transaction Date,Post Date,Description,Category,Type,Amount,Memo\n\
1234,01/13/2026,01/15/2026,OPENAI *CHATGPT SUBSCR,Shopping,Sale,-20.00,\n\
1234,12/11/2025,12/11/2025,AUTOMATIC PAYMENT - THANK,,Payment,188.54,\n",
                "chase-card",
                &[(-20_000_000_000, "2026-01-13", "2026-01-15", "USD"), (188_540_000_000, "2025-12-11", "2025-12-11", "USD")],
            ),
            (
                b"Details,Posting Date,Description,Amount,Type,Balance,Check or Slip #\n\
DEBIT,01/26/2026,\"ANTHROPIC\",-5.00,DEBIT_CARD,1015.29,,\n\
CREDIT,01/27/2026,\"INTEREST PAYMENT\",0.01,MISC_CREDIT,1015.30,,\n",
                "chase-checking",
                &[(-5_000_000_000, "", "2026-01-26", "USD"), (10_000_000, "", "2026-01-27", "USD")],
            ),
            (
                b"Transaction Date,Posted Date,Card No.,Description,Category,Debit,Credit\n\
2026-02-01,2026-02-02,6983,\"GITHUB, INC.\",Software,10.00,\n\
02/14/2026,02/15/2026,6983,CAPITAL ONE AUTOPAY PYMT,Payment/Credit,,100.50\n",
                "capital-one",
                &[(-10_000_000_000, "2026-02-01", "2026-02-02", "USD"), (100_500_000_000, "2026-02-14", "2026-02-15", "USD")],
            ),
            (
                b"Account Number,Transaction Description,Transaction Date,Transaction Type,Transaction Amount,Balance\n\
3601,Debit Card Purchase - MIDJOURNEY INC,03/02/26,Debit,30.00,970.00\n\
3601,Deposit from ACME PAYROLL,03/13/26,Credit,1000.00,1970.00\n",
                "capital-one-360",
                &[(-30_000_000_000, "2026-03-02", "", "USD"), (1_000_000_000_000, "2026-03-13", "", "USD")],
            ),
            (
                b"Status,Date,Description,Debit,Credit,Member Name\n\
Cleared,01/02/2026,OPENAI,12.34,,JANE DOE\n\
cleared,12/28/2025,AUTOPAY AUTO-PMT,,-1254.37,JANE DOE\n\
CLEARED,12/26/2025,REFUND - ORDER 789,,25.00,JANE DOE\n",
                "citi",
                &[
                    (-12_340_000_000, "2026-01-02", "", "USD"),
                    (1_254_370_000_000, "2025-12-28", "", "USD"),
                    (25_000_000_000, "2025-12-26", "", "USD"),
                ],
            ),
            (
                b"Date,Description,Amount\n01/17/2024,OPENAI *CHATGPT SUBSCR,21.78\n01/15/2024,PAYMENT RECEIVED - THANK YOU,-99.99\n",
                "amex",
                &[(-21_780_000_000, "2024-01-17", "", "USD"), (99_990_000_000, "2024-01-15", "", "USD")],
            ),
        ];
        for (bytes, id, expected) in cases {
            let parsed = parse(bytes);
            assert_eq!(parsed.format_id, *id);
            assert!(parsed.rejected.is_empty(), "{id}: {:?}", parsed.rejected);
            let got: Vec<_> = lines(&parsed)
                .iter()
                .map(|l| {
                    (
                        l.amount.nanos(),
                        day(l.started_at),
                        day(l.posted_at),
                        l.currency.to_string(),
                    )
                })
                .collect();
            let want: Vec<_> = expected
                .iter()
                .map(|(a, s, p, c)| (*a, (*s).to_string(), (*p).to_string(), (*c).to_string()))
                .collect();
            assert_eq!(got, want, "{id}");
        }
    }

    #[test]
    fn accounts_keys_and_statuses() {
        let cases: &[(&[u8], &str, &str, BankStatus)] = &[
            (
                b"Card,Transaction Date,Post Date,Description,Category,Type,Amount,Memo\n1234,01/13/2026,01/15/2026,AT&amp;T WIRELESS,Bills,Sale,-4.36,\n",
                "chase-card:1234",
                "bank|chase-card:1234|2026-01-13|AT&T WIRELESS|USD|-4360000000",
                BankStatus::Settled,
            ),
            (
                b"Transaction Date,Post Date,Description,Category,Type,Amount,Memo\n01/13/2026,01/15/2026,CLAUDE.AI SUBSCRIPTION,Shopping,Sale,-20.00,\n",
                "chase-card",
                "bank|chase-card|2026-01-13|CLAUDE.AI SUBSCRIPTION|USD|-20000000000",
                BankStatus::Settled,
            ),
            (
                b"Date,Description,Card Member,Account #,Amount,Extended Details,Appears On Your Statement As,Address,City/State,Zip Code,Country,Reference,Category\n\
07/02/2026,NETFLIX.COM,JONATHAN BRUNO,-71002,15.49,NETFLIX.COM 866-579-7172,NETFLIX.COM,,LOS GATOS,CA,95032,'320261830000002',Entertainment-Media\n",
                "amex:-71002",
                "bank|amex:-71002|id|320261830000002",
                BankStatus::Settled,
            ),
            (
                b"Status,Date,Description,Debit,Credit\nPENDING,01/16/2024,ANTHROPIC,29.99,\n",
                "citi",
                "bank|citi|2024-01-16|ANTHROPIC|USD",
                BankStatus::Pending,
            ),
            (
                b"Transaction Date,Posted Date,Card No.,Description,Category,Debit,Credit\n2025-12-29,2025-12-30,6983,OPENAI,Software,5.00,\n",
                "capital-one:6983",
                "bank|capital-one:6983|2025-12-29|OPENAI|USD|-5000000000",
                BankStatus::Settled,
            ),
        ];
        for (bytes, account, key, status) in cases {
            let parsed = parse(bytes);
            let l = lines(&parsed);
            assert_eq!(l.len(), 1, "{account}: {:?}", parsed.rejected);
            assert_eq!(
                (
                    l[0].account.as_str(),
                    l[0].natural_key.as_str(),
                    l[0].status
                ),
                (*account, *key, Some(*status))
            );
        }
    }

    #[test]
    fn bad_cells_are_rejected_with_line_column_and_reason() {
        // (file, line, column number, column name, reason contains)
        let cases: &[(&str, u64, usize, &str, &str)] = &[
            (
                "Transaction Date,Post Date,Description,Category,Type,Amount,Memo\n01/13/2026,01/15/2026,OPENAI,Shopping,Sale,-4.36,\n01/14/2026,01/15/2026,OPENAI,Shopping,Sale,abc,\n",
                3,
                6,
                "Amount",
                "'abc' is not a number",
            ),
            (
                "Date,Description,Amount\n01/17/2024,OPENAI,21.78\n13/45/2024,ANTHROPIC,5.00\n",
                3,
                1,
                "Date",
                "'13/45/2024' is not a date",
            ),
            (
                "Status,Date,Description,Debit,Credit\nCleared,01/16/2024,OPENAI,,\n",
                2,
                4,
                "Debit",
                "neither a debit nor a credit",
            ),
            (
                "Status,Date,Description,Debit,Credit\nFrozen,01/16/2024,OPENAI,1.00,\n",
                2,
                1,
                "Status",
                "'Frozen' is not a status",
            ),
            (
                "Account Number,Transaction Description,Transaction Date,Transaction Type,Transaction Amount,Balance\n3601,OPENAI,03/02/26,Sideways,3.00,1.00\n",
                2,
                4,
                "Transaction Type",
                "'Sideways' is neither Debit nor Credit",
            ),
        ];
        for (csv, line, column, name, reason) in cases {
            let parsed = parse(csv.as_bytes());
            assert_eq!(parsed.rejected.len(), 1, "{csv}");
            let e = &parsed.rejected[0];
            assert_eq!(
                (e.line, e.column, e.column_name.as_str()),
                (*line, Some(*column), *name),
                "{csv}"
            );
            assert!(e.reason.contains(reason), "{}", e.reason);
        }
    }
}
