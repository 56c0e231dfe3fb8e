//! N26: the English export (`Date,Payee,...,Amount (EUR),...`), the German one (`Datum,
//! Empfänger,...,Betrag (EUR),...`) and the 2023 layout (`Booking Date,Value Date,Partner
//! Name,...`). The account currency is in the amount header; amounts are signed, sometimes
//! `- 85.30`; foreign-currency cells hold `-` for "nothing". No id and no status: lines are
//! settled and keyed by their content.

use std::borrow::Cow;

use super::line::{ContentKey, Line, account_of, currency_column};
use crate::domain::import::dates::DateOrder;
use crate::domain::import::table::{BindError, FieldError, Header, Row};
use crate::domain::import::{FileOptions, Format, RecordKind, RowParser};
use crate::domain::money::{Amount, Currency};
use crate::domain::records::Record;

/// An optional text cell where N26 writes `-` for "nothing".
fn dash_text<'a>(row: &Row<'a>, column: Option<usize>) -> Cow<'a, str> {
    let text = row.opt_text(column);
    if text == "-" { Cow::Borrowed("") } else { text }
}

/// An optional amount cell where N26 writes `-` for "nothing".
fn dash_amount(row: &Row<'_>, column: Option<usize>) -> Result<Option<Amount>, FieldError> {
    if dash_text(row, column).is_empty() {
        return Ok(None);
    }
    row.opt_amount(column)
}

/// N26's exports, in each of their layouts.
pub struct N26;

const N26_AMOUNT_PREFIXES: &[&str] = &["amount (", "betrag ("];

fn n26_layout(h: &Header) -> bool {
    h.has_all(&["Date", "Payee", "Transaction type"])
        || h.has_all(&["Datum", "Empfänger", "Transaktionstyp"])
        || h.has_all(&["Booking Date", "Partner Name"])
}

impl Format for N26 {
    fn id(&self) -> &'static str {
        "n26"
    }
    fn name(&self) -> &'static str {
        "N26 export"
    }
    fn kind(&self) -> RecordKind {
        RecordKind::Bank
    }
    fn signature(&self) -> &'static str {
        "Date, Payee, Account number, Transaction type, Payment reference, Amount (EUR), ... (or German Datum, Empfänger, ..., Betrag (EUR); or Booking Date, Value Date, Partner Name, ..., Amount (EUR), Original Amount, Original Currency)"
    }
    fn detect(&self, h: &Header) -> bool {
        n26_layout(h) && currency_column(h, N26_AMOUNT_PREFIXES).is_some()
    }
    fn bind(&self, h: &Header, _options: &FileOptions) -> Result<Box<dyn RowParser>, BindError> {
        let (amount, currency) = currency_column(h, N26_AMOUNT_PREFIXES)
            .ok_or_else(|| BindError::MissingColumn("Amount (EUR)".into()))?;
        Ok(Box::new(N26Parser {
            date: h.require(&["Date", "Datum", "Booking Date"])?,
            payee: h.require(&["Payee", "Empfänger", "Partner Name"])?,
            reference: h.find(&["Payment reference", "Verwendungszweck"]),
            amount,
            currency,
            foreign_amount: h.find(&[
                "Amount (Foreign Currency)",
                "Betrag (Fremdwährung)",
                "Original Amount",
            ]),
            foreign_currency: h.find(&[
                "Type Foreign Currency",
                "Fremdwährung",
                "Original Currency",
            ]),
            account_name: h.find(&["Account Name"]),
        }))
    }
}

struct N26Parser {
    date: usize,
    payee: usize,
    reference: Option<usize>,
    amount: usize,
    currency: Currency,
    foreign_amount: Option<usize>,
    foreign_currency: Option<usize>,
    account_name: Option<usize>,
}

impl RowParser for N26Parser {
    fn date_columns(&self) -> Vec<usize> {
        vec![self.date]
    }
    fn amount_columns(&self) -> Vec<usize> {
        std::iter::once(self.amount)
            .chain(self.foreign_amount)
            .collect()
    }
    fn default_date_order(&self) -> Option<DateOrder> {
        Some(DateOrder::DayFirst)
    }
    fn parse(&mut self, row: &Row<'_>, out: &mut Vec<Record>) -> Result<(), FieldError> {
        let day = row.datetime(self.date)?;
        let amount = row.amount(self.amount)?;
        let foreign = dash_amount(row, self.foreign_amount)?
            .map(|a| (a, dash_text(row, self.foreign_currency).into_owned()));
        let payee = row.text(self.payee);
        let mut line = Line::new(
            account_of("n26", &row.opt_text(self.account_name)),
            amount,
            self.currency,
            ContentKey::TimeAndAmount,
        );
        line.started_at = Some(day);
        line.description = if payee.is_empty() {
            dash_text(row, self.reference).into_owned()
        } else {
            payee.into_owned()
        };
        line.amount_text = row.text(self.amount).into_owned();
        line.foreign = foreign;
        line.push(out);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{check, lines, nanos, parse, time};
    use crate::domain::money::Amount;
    use crate::domain::records::BankStatus;

    #[test]
    fn n26_three_layouts() {
        let cases: &[(&str, &str, &str, &str)] = &[
            (
                "\"Date\",\"Payee\",\"Account number\",\"Transaction type\",\"Payment reference\",\"Category\",\"Amount (EUR)\",\"Amount (Foreign Currency)\",\"Type Foreign Currency\",\"Exchange Rate\"\n\
\"2026-01-15\",\"OPENAI *CHATGPT SUBSCR\",\"\",\"MasterCard Payment\",\"\",\"Subscriptions\",\"- 21.60\",\"-23.00\",\"USD\",\"1.0648\"\n\
\"2026-01-16\",\"Mustermann GmbH\",\"DE99\",\"-\",\"MasterCard Payment\",\"-\",\"-12.21\",\"-12.21\",\"EUR\",\"1.0\"\n",
                "OPENAI *CHATGPT SUBSCR",
                "-21.60",
                "n26",
            ),
            (
                "Datum,Empfänger,Kontonummer,Transaktionstyp,Verwendungszweck,Kategorie,Betrag (EUR),Betrag (Fremdwährung),Fremdwährung,Wechselkurs\n\
2026-01-15,ANTHROPIC,,MasterCard Zahlung,,Medien & Elektronik,-18.00,-18.00,EUR,1.0\n",
                "ANTHROPIC",
                "-18",
                "n26",
            ),
            (
                "\"Booking Date\",\"Value Date\",\"Partner Name\",\"Partner Iban\",Type,\"Payment Reference\",\"Account Name\",\"Amount (EUR)\",\"Original Amount\",\"Original Currency\",\"Exchange Rate\"\n\
2026-03-07,,\"Anthropic* Claude Sub\",,\"Presentment\",,\"Main Account\",-20.00,,,\n",
                "Anthropic* Claude Sub",
                "-20",
                "n26:Main Account",
            ),
        ];
        for (csv, description, amount, account) in cases {
            let parsed = parse(csv.as_bytes());
            assert_eq!(parsed.format_id, "n26");
            assert!(parsed.rejected.is_empty(), "{:?}", parsed.rejected);
            let l = lines(&parsed);
            assert_eq!(
                (l[0].description.as_str(), l[0].amount.nanos()),
                (*description, nanos(amount))
            );
            assert_eq!(
                (l[0].account.as_str(), l[0].currency.as_str()),
                (*account, "EUR")
            );
            assert_eq!(l[0].status, Some(BankStatus::Settled));
            assert_eq!(
                l[0].natural_key,
                format!(
                    "bank|{account}|{}|{description}|EUR|{}",
                    time(l[0]),
                    nanos(amount)
                )
            );
        }
        let parsed = parse(cases[0].0.as_bytes());
        let l = lines(&parsed);
        assert_eq!(
            (
                l[0].original_amount.map(Amount::nanos),
                l[0].original_currency.as_deref().unwrap_or("")
            ),
            (Some(nanos("-23")), "USD")
        );
        assert_eq!(
            l[1].original_amount, None,
            "same currency and '-' placeholders are not foreign"
        );
    }

    #[test]
    fn n26_german_latin1_semicolon_decimal_comma() {
        let mut csv = b"Datum;Empf\xe4nger;Kontonummer;Transaktionstyp;Verwendungszweck;Kategorie;Betrag (EUR);Betrag (Fremdw\xe4hrung);Fremdw\xe4hrung;Wechselkurs\r\n".to_vec();
        csv.extend_from_slice(
            b"2026-01-15;Caf\xe9 M\xfcller;;MasterCard Zahlung;;Essen;-4,80;;;\r\n",
        );
        csv.extend_from_slice(
            b"2026-01-16;OPENAI;;MasterCard Zahlung;;Software;-1.023,40;-1.100,00;USD;1,0748\r\n",
        );
        let parsed = parse(&csv);
        check(
            &parsed,
            "n26",
            &[
                ("Café Müller", "-4.80", "EUR", None, BankStatus::Settled),
                ("OPENAI", "-1023.40", "EUR", None, BankStatus::Settled),
            ],
        );
        assert_eq!(
            lines(&parsed)[1].original_amount.map(Amount::nanos),
            Some(nanos("-1100"))
        );
    }
}
