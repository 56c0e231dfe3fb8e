//! Revolut: the personal account statement (English and French headers, comma or semicolon,
//! and the old 2018-2019 `Paid Out`/`Paid In` layout) and the Revolut Business statement.
//!
//! Revolut personal has no line id and writes a pending line again, completed, with another
//! amount and a completed date in a later statement, so its key is the started time,
//! description and currency only: both versions land on the same record. Revolut Business gives
//! every line an `ID` and writes dates in the locale's order (`12-30-2025` in US exports). A
//! status word burnrate does not know rejects the row rather than guess. Quirks handled: French
//! states (`TERMINÉ`), decimal commas, the old layout's dates without a year and its foreign side
//! written `GBP 19.35`.

use chrono::{NaiveDate, NaiveDateTime};

use super::line::{
    ContentKey, Line, account_of, currency_column, out_of_range, read_status, signed,
};
use crate::domain::import::dates;
use crate::domain::import::table::{BindError, FieldError, Header, Row};
use crate::domain::import::{FileOptions, Format, RecordKind, RowParser};
use crate::domain::money::{Amount, Currency};
use crate::domain::records::{BankStatus, Record};

/// Revolut Business statement: one `ID` (UUID) per line, signed `Amount`, `State`, dates in the
/// locale's order (`12-30-2025` in US exports), and an optional local-time pair of date columns.
pub struct RevolutBusiness;

impl Format for RevolutBusiness {
    fn id(&self) -> &'static str {
        "revolut-business"
    }
    fn name(&self) -> &'static str {
        "Revolut Business statement"
    }
    fn kind(&self) -> RecordKind {
        RecordKind::Bank
    }
    fn signature(&self) -> &'static str {
        "Date started (UTC), Date completed (UTC), ID, Type, State, Description, Orig currency, Orig amount, Payment currency, Amount, Fee, Account, ..."
    }
    fn detect(&self, h: &Header) -> bool {
        h.has_all(&["ID", "State", "Description", "Amount", "Payment currency"])
            && h.find_prefix(&["Date started ("]).is_some()
    }
    fn bind(&self, h: &Header, _options: &FileOptions) -> Result<Box<dyn RowParser>, BindError> {
        let started = h
            .find(&["Date started (UTC)"])
            .or_else(|| h.find_prefix(&["Date started ("]))
            .ok_or_else(|| BindError::MissingColumn("Date started (UTC)".into()))?;
        Ok(Box::new(RevolutBusinessParser {
            started,
            completed: h
                .find(&["Date completed (UTC)"])
                .or_else(|| h.find_prefix(&["Date completed ("])),
            id: h.require(&["ID"])?,
            state: h.require(&["State"])?,
            description: h.require(&["Description"])?,
            amount: h.require(&["Amount"])?,
            currency: h.require(&["Payment currency"])?,
            fee: h.find(&["Fee"]),
            fee_currency: h.find(&["Fee currency"]),
            orig_amount: h.find(&["Orig amount"]),
            orig_currency: h.find(&["Orig currency"]),
            account: h.find(&["Account"]),
            related: h.find(&["Related transaction id"]),
        }))
    }
}

struct RevolutBusinessParser {
    started: usize,
    completed: Option<usize>,
    id: usize,
    state: usize,
    description: usize,
    amount: usize,
    currency: usize,
    fee: Option<usize>,
    fee_currency: Option<usize>,
    orig_amount: Option<usize>,
    orig_currency: Option<usize>,
    account: Option<usize>,
    related: Option<usize>,
}

impl RowParser for RevolutBusinessParser {
    fn date_columns(&self) -> Vec<usize> {
        std::iter::once(self.started)
            .chain(self.completed)
            .collect()
    }
    fn amount_columns(&self) -> Vec<usize> {
        [Some(self.amount), self.fee, self.orig_amount]
            .into_iter()
            .flatten()
            .collect()
    }
    fn parse(&mut self, row: &Row<'_>, out: &mut Vec<Record>) -> Result<(), FieldError> {
        let (started_at, posted_at) = started_and_completed(row, self.started, self.completed)?;
        let amount = row.amount(self.amount)?;
        let currency = row.currency(self.currency)?;
        let status = read_status(row, self.state)?;
        let fee_currency = row.opt_currency(self.fee_currency)?;
        let account = account_of("revolut-business", &row.opt_text(self.account));
        let mut line = Line::new(account, amount, currency, ContentKey::TimeAndAmount);
        match (row.opt_amount(self.fee)?.map(Amount::abs), fee_currency) {
            // A fee in another currency cannot be charged on top of this line's amount.
            (Some(f), Some(fee_currency)) if !f.is_zero() && fee_currency != currency => {
                line.note = format!("fee {f} {fee_currency}");
            }
            (other, _) => line.fee = other,
        }
        line.started_at = started_at;
        line.posted_at = posted_at;
        line.description = row.text(self.description).into_owned();
        line.amount_text = row.text(self.amount).into_owned();
        line.foreign = row
            .opt_amount(self.orig_amount)?
            .map(|a| (a, row.opt_text(self.orig_currency).into_owned()));
        line.status = status;
        line.issuer_id = row.text(self.id).into_owned();
        line.related_id = row.opt_text(self.related).into_owned();
        line.push(out);
        Ok(())
    }
}

/// The started and completed dates of a row; at least one of them must be there.
fn started_and_completed(
    row: &Row<'_>,
    started: usize,
    completed: Option<usize>,
) -> Result<(Option<NaiveDateTime>, Option<NaiveDateTime>), FieldError> {
    let started_at = row.opt_datetime(Some(started))?;
    let posted_at = row.opt_datetime(completed)?;
    if started_at.or(posted_at).is_none() {
        return Err(FieldError::at(
            started,
            "the row has neither a started nor a completed date",
        ));
    }
    Ok((started_at, posted_at))
}

// ---------------------------------------------------------------------------------------------
// Revolut personal

// ---------------------------------------------------------------------------------------------
// Revolut personal

/// Revolut personal account statement (`account-statement_<from>_<to>_<lang>_<hash>.csv`), in
/// English or French, and the 2018-2019 layout with `Paid Out (EUR)` / `Paid In (EUR)`.
pub struct Revolut;

const REVOLUT_EN: &[&str] = &[
    "Started Date",
    "Completed Date",
    "Description",
    "Amount",
    "Currency",
    "State",
];
const REVOLUT_FR: &[&str] = &[
    "Date de début",
    "Date de fin",
    "Description",
    "Montant",
    "Devise",
    "État",
];

fn is_old_revolut(h: &Header) -> bool {
    h.has_all(&["Completed Date", "Reference"])
        && h.find_prefix(&["Paid Out ("]).is_some()
        && h.find_prefix(&["Paid In ("]).is_some()
}

impl Format for Revolut {
    fn id(&self) -> &'static str {
        "revolut"
    }
    fn name(&self) -> &'static str {
        "Revolut statement"
    }
    fn kind(&self) -> RecordKind {
        RecordKind::Bank
    }
    fn signature(&self) -> &'static str {
        "Type, Product, Started Date, Completed Date, Description, Amount, Fee, Currency, State, Balance (or the French Produit, Date de début, ..., Montant, Frais, Devise, État; or the 2018 Completed Date, Reference, Paid Out (EUR), Paid In (EUR), ...)"
    }
    fn detect(&self, h: &Header) -> bool {
        h.has_all(REVOLUT_EN) || h.has_all(REVOLUT_FR) || is_old_revolut(h)
    }
    fn bind(&self, h: &Header, _options: &FileOptions) -> Result<Box<dyn RowParser>, BindError> {
        if is_old_revolut(h) {
            let (paid_out, currency) = currency_column(h, &["paid out ("])
                .ok_or_else(|| BindError::MissingColumn("Paid Out (EUR)".into()))?;
            return Ok(Box::new(OldRevolutParser {
                date: h.require(&["Completed Date"])?,
                reference: h.require(&["Reference"])?,
                paid_out,
                paid_in: h
                    .find_prefix(&["Paid In ("])
                    .ok_or_else(|| BindError::MissingColumn("Paid In (EUR)".into()))?,
                exchange_out: h.find(&["Exchange Out"]),
                exchange_in: h.find(&["Exchange In"]),
                currency,
            }));
        }
        Ok(Box::new(RevolutParser {
            product: h.find(&["Product", "Produit"]),
            started: h.require(&["Started Date", "Date de début"])?,
            completed: h.find(&["Completed Date", "Date de fin"]),
            description: h.require(&["Description"])?,
            amount: h.require(&["Amount", "Montant"])?,
            fee: h.find(&["Fee", "Frais"]),
            currency: h.require(&["Currency", "Devise"])?,
            state: h.find(&["State", "État"]),
        }))
    }
}

struct RevolutParser {
    product: Option<usize>,
    started: usize,
    completed: Option<usize>,
    description: usize,
    amount: usize,
    fee: Option<usize>,
    currency: usize,
    state: Option<usize>,
}

impl RowParser for RevolutParser {
    fn date_columns(&self) -> Vec<usize> {
        std::iter::once(self.started)
            .chain(self.completed)
            .collect()
    }
    fn amount_columns(&self) -> Vec<usize> {
        std::iter::once(self.amount).chain(self.fee).collect()
    }
    fn parse(&mut self, row: &Row<'_>, out: &mut Vec<Record>) -> Result<(), FieldError> {
        let (started_at, posted_at) = started_and_completed(row, self.started, self.completed)?;
        let amount = row.amount(self.amount)?;
        let status = match self.state {
            Some(c) if !row.text(c).is_empty() => read_status(row, c)?,
            // No state written: a completed date says it settled.
            _ if posted_at.is_some() => BankStatus::Settled,
            _ => BankStatus::Pending,
        };
        // No amount, state or completed date in the key: a pending line completes later with
        // those changed, and must land on the same record.
        let mut line = Line::new(
            account_of("revolut", &row.opt_text(self.product)),
            amount,
            row.currency(self.currency)?,
            ContentKey::Time,
        );
        line.started_at = started_at;
        line.posted_at = posted_at;
        line.description = row.text(self.description).into_owned();
        line.amount_text = row.text(self.amount).into_owned();
        line.fee = row.opt_amount(self.fee)?;
        line.status = status;
        line.push(out);
        Ok(())
    }
}

/// The 2018-2019 layout: one completed date (`Apr 8, 2018`, `2018 August 28`, or `September 15`
/// without a year for the current year), unsigned `Paid Out` / `Paid In`, and the foreign side
/// written as `GBP 19.35` in `Exchange Out` / `Exchange In`.
struct OldRevolutParser {
    date: usize,
    reference: usize,
    paid_out: usize,
    paid_in: usize,
    exchange_out: Option<usize>,
    exchange_in: Option<usize>,
    currency: Currency,
}

/// Reads the old layout's dates; the error says why a date cannot be read.
fn old_revolut_date(text: &str) -> Result<NaiveDateTime, String> {
    for fmt in [
        "%b %d, %Y",
        "%B %d, %Y",
        "%Y %B %d",
        "%Y %b %d",
        "%d %B %Y",
        "%d %b %Y",
    ] {
        if let Ok(d) = NaiveDate::parse_from_str(text, fmt) {
            return Ok(d.and_time(chrono::NaiveTime::MIN));
        }
    }
    if let Some(dt) = dates::parse_datetime(text, None) {
        return Ok(dt);
    }
    let with_year = format!("{text} 2000");
    if NaiveDate::parse_from_str(&with_year, "%B %d %Y").is_ok()
        || NaiveDate::parse_from_str(&with_year, "%b %d %Y").is_ok()
    {
        return Err(format!(
            "'{text}' has no year (Revolut's old statements leave it out for the current year); write the year into the date, for example '2019 {text}', or export the statement again from the app"
        ));
    }
    Err(format!("'{text}' is not a date this importer can read"))
}

/// Reads `GBP 19.35` (or `19.35 GBP`) into a currency and an amount.
fn currency_and_amount(
    row: &Row<'_>,
    column: usize,
) -> Result<Option<(String, Amount)>, FieldError> {
    let text = row.text(column);
    if text.is_empty() {
        return Ok(None);
    }
    let code = text
        .split_whitespace()
        .find(|w| w.len() == 3 && w.chars().all(|c| c.is_ascii_alphabetic()));
    let bad = || {
        FieldError::at(
            column,
            format!("'{text}' is not a currency and an amount like 'GBP 19.35'"),
        )
    };
    let code = code.ok_or_else(bad)?;
    let amount = Amount::parse(&text.replace(code, ""), row.dialect.decimal).map_err(|_| bad())?;
    Ok(Some((code.to_ascii_uppercase(), amount)))
}

impl RowParser for OldRevolutParser {
    fn amount_columns(&self) -> Vec<usize> {
        vec![self.paid_out, self.paid_in]
    }
    fn parse(&mut self, row: &Row<'_>, out: &mut Vec<Record>) -> Result<(), FieldError> {
        let date_text = row.text(self.date);
        let day =
            old_revolut_date(&date_text).map_err(|reason| FieldError::at(self.date, reason))?;
        let paid_out = row.opt_amount(Some(self.paid_out))?;
        let paid_in = row.opt_amount(Some(self.paid_in))?;
        let (amount, amount_column) = match (paid_out, paid_in) {
            (Some(o), None) => (signed(o, true), self.paid_out),
            (None, Some(i)) => (signed(i, false), self.paid_in),
            (Some(o), Some(i)) => (
                i.abs()
                    .checked_sub(o.abs())
                    .ok_or_else(|| out_of_range(self.paid_out))?,
                self.paid_out,
            ),
            (None, None) => {
                return Err(FieldError::row(
                    "neither Paid Out nor Paid In holds an amount",
                ));
            }
        };
        let exchange = match (self.exchange_out, self.exchange_in) {
            (Some(c), _) if !row.text(c).is_empty() => currency_and_amount(row, c)?,
            (_, Some(c)) => currency_and_amount(row, c)?,
            _ => None,
        };
        let mut line = Line::new(
            "revolut".into(),
            amount,
            self.currency,
            ContentKey::TimeAndAmount,
        );
        line.started_at = Some(day);
        line.posted_at = Some(day);
        line.description = row.text(self.reference).into_owned();
        line.amount_text = row.text(amount_column).into_owned();
        line.foreign = exchange.map(|(code, value)| (value, code));
        line.push(out);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{check, lines, nanos, parse, time};
    use crate::domain::money::Amount;
    use crate::domain::records::BankStatus;

    const REVOLUT_HEADER: &str =
        "Type,Product,Started Date,Completed Date,Description,Amount,Fee,Currency,State,Balance\n";

    #[test]
    fn revolut_personal_lines() {
        let csv = format!(
            "{REVOLUT_HEADER}\
CARD_PAYMENT,Current,2026-06-03 09:12:40,2026-06-04 10:01:02,OPENAI *CHATGPT SUBSCR,-23.12,0.00,EUR,COMPLETED,476.88\n\
CARD_PAYMENT,Current,2026-06-05 21:44:10,,Anthropic* Claude Sub,-18.00,0.00,EUR,PENDING,\n\
Card Payment,Current,2026-02-25 16:51:50,,Bolt,-2.18,0.00,EUR,REVERTED,\n\
ATM,Current,2026-06-06 08:00:00,2026-06-06 08:00:01,ATM Main St,-100.00,2.00,EUR,COMPLETED,374.88\n\
TOPUP,Current,2026-06-07 12:00:00,2026-06-07 12:00:03,Top-Up by *1234,200,0,EUR,COMPLETED,574.88\n\
CARD_PAYMENT,Current,2026-06-08 10:00:00,,Declined shop,-5.00,0.00,eur,DECLINED,\n"
        );
        let parsed = parse(csv.as_bytes());
        check(
            &parsed,
            "revolut",
            &[
                (
                    "OPENAI *CHATGPT SUBSCR",
                    "-23.12",
                    "EUR",
                    None,
                    BankStatus::Settled,
                ),
                (
                    "Anthropic* Claude Sub",
                    "-18.00",
                    "EUR",
                    None,
                    BankStatus::Pending,
                ),
                ("Bolt", "-2.18", "EUR", None, BankStatus::Reversed),
                ("ATM Main St", "-100", "EUR", Some("2"), BankStatus::Settled),
                ("Top-Up by *1234", "200", "EUR", None, BankStatus::Settled),
                ("Declined shop", "-5", "EUR", None, BankStatus::Reversed),
            ],
        );
        let l = lines(&parsed);
        assert_eq!(l[0].account, "revolut:Current");
        assert_eq!(time(l[0]), "2026-06-03 09:12:40");
        assert_eq!(l[0].posted_at.unwrap().to_string(), "2026-06-04 10:01:02");
        assert_eq!(l[1].posted_at, None);
        assert_eq!(
            l[0].natural_key,
            "bank|revolut:Current|2026-06-03 09:12:40|OPENAI *CHATGPT SUBSCR|EUR"
        );
        assert_eq!(l[0].issuer_id, "");
    }

    #[test]
    fn revolut_pending_and_completed_versions_share_a_key() {
        let pending = format!(
            "{REVOLUT_HEADER}CARD_PAYMENT,Current,2026-09-18 07:40:00,,OPENAI *CHATGPT SUBSCR,-1250.00,0.00,HUF,PENDING,\n"
        );
        let completed = format!(
            "{REVOLUT_HEADER}CARD_PAYMENT,Current,2026-09-18 07:40:00,2026-09-19 11:02:13,OPENAI *CHATGPT SUBSCR,-1248.50,0.00,HUF,COMPLETED,16925.00\n"
        );
        let (p, c) = (parse(pending.as_bytes()), parse(completed.as_bytes()));
        let (p, c) = (lines(&p)[0], lines(&c)[0]);
        assert_eq!(
            (p.status, c.status),
            (Some(BankStatus::Pending), Some(BankStatus::Settled))
        );
        assert_ne!(p.amount, c.amount);
        assert_eq!(p.natural_key, c.natural_key);
    }

    #[test]
    fn revolut_french_semicolon_decimal_comma_bom_crlf() {
        let csv = "\u{feff}Type;Produit;Date de début;Date de fin;Description;Montant;Frais;Devise;État;Solde\r\n\
Paiement par carte;Valeur actuelle;2025-06-19 15:51:42;2025-06-19 15:52:30;ANTHROPIC;-21,60;0,00;EUR;TERMINÉ;330,00\r\n\
Paiement par carte;Valeur actuelle;2025-06-20 10:00:00;;\"Café\r\nde la Gare\";-4,50;0,25;EUR;EN ATTENTE;\r\n\
Ajout de fonds;Valeur actuelle;2025-06-21 10:00:00;2025-06-21 10:00:09;Recharge via *5935;1.000,00;0,00;EUR;TERMINÉ;1330,00\r\n";
        let parsed = parse(csv.as_bytes());
        check(
            &parsed,
            "revolut",
            &[
                ("ANTHROPIC", "-21.60", "EUR", None, BankStatus::Settled),
                (
                    "Café\nde la Gare",
                    "-4.50",
                    "EUR",
                    Some("0.25"),
                    BankStatus::Pending,
                ),
                (
                    "Recharge via *5935",
                    "1000",
                    "EUR",
                    None,
                    BankStatus::Settled,
                ),
            ],
        );
        assert_eq!(lines(&parsed)[0].account, "revolut:Valeur actuelle");
        assert_eq!(lines(&parsed)[0].amount_text, "-21,60");
    }

    #[test]
    fn revolut_latin1_description_and_bad_cells() {
        let mut csv = REVOLUT_HEADER.as_bytes().to_vec();
        csv.extend_from_slice(b"CARD_PAYMENT,Current,2026-06-03 09:12:40,2026-06-04 10:01:02,Caf\xe9 Central,-3.20,0.00,EUR,COMPLETED,1.00\n");
        csv.extend_from_slice(
            b"CARD_PAYMENT,Current,2026-06-03 09:12:41,,Shop,abc,0.00,EUR,PENDING,\n",
        );
        csv.extend_from_slice(
            b"CARD_PAYMENT,Current,2026-06-03 09:12:42,,Shop,-1.00,0.00,EUR,WEIRD,\n",
        );
        csv.extend_from_slice(b"CARD_PAYMENT,Current,yesterday,,Shop,-1.00,0.00,EUR,PENDING,\n");
        let parsed = parse(&csv);
        assert_eq!(lines(&parsed).len(), 1);
        assert_eq!(lines(&parsed)[0].description, "Café Central");
        let got: Vec<_> = parsed
            .rejected
            .iter()
            .map(|e| (e.line, e.column_name.as_str()))
            .collect();
        assert_eq!(got, [(3, "Amount"), (4, "State"), (5, "Started Date")]);
        assert!(
            parsed.rejected[0].reason.contains("'abc' is not a number"),
            "{:?}",
            parsed.rejected
        );
        assert!(
            parsed.rejected[1]
                .reason
                .contains("'WEIRD' is not a status"),
            "{:?}",
            parsed.rejected
        );
        assert!(
            parsed.rejected[2].reason.contains("'yesterday'"),
            "{:?}",
            parsed.rejected
        );
    }

    #[test]
    fn revolut_old_layout() {
        let csv = "Completed Date ; Reference ; Paid Out (EUR) ; Paid In (EUR) ; Exchange Out; Exchange In; Balance (EUR); Category\n\
Apr 8, 2018 ; OPENAI *CHATGPT SUBSCR ; 19.35 ;  ; USD 20.00 ;  ; 189.10; services\n\
Apr 2, 2018 ; Top-Up by *1234 ;  ; 200.00 ;  ;  ; 418.94; general\n\
2018 August 28;Exchanged to GBP;200.00;;GBP 181.34;;0.00;general\n\
September 15;Shop A;21.97;;GBP 19.35;;139.78;groceries\n";
        let parsed = parse(csv.as_bytes());
        assert_eq!(parsed.format_id, "revolut");
        let l = lines(&parsed);
        assert_eq!(l.len(), 3);
        assert_eq!(
            (l[0].amount.nanos(), l[0].currency.as_str()),
            (nanos("-19.35"), "EUR")
        );
        assert_eq!(
            (
                l[0].original_amount.map(Amount::nanos),
                l[0].original_currency.as_deref().unwrap_or("")
            ),
            (Some(nanos("-20")), "USD")
        );
        assert_eq!(time(l[0]), "2018-04-08 00:00:00");
        assert_eq!(l[1].amount.nanos(), nanos("200"));
        assert_eq!(time(l[2]), "2018-08-28 00:00:00");
        assert_eq!(
            l[0].natural_key,
            format!(
                "bank|revolut|2018-04-08 00:00:00|OPENAI *CHATGPT SUBSCR|EUR|{}",
                nanos("-19.35")
            )
        );
        assert_eq!(parsed.rejected.len(), 1);
        let e = &parsed.rejected[0];
        assert_eq!((e.line, e.column_name.as_str()), (5, "Completed Date"));
        assert!(
            e.reason.contains("'September 15' has no year"),
            "{}",
            e.reason
        );
    }

    #[test]
    fn revolut_business_lines() {
        let csv = "Date started (UTC),Date completed (UTC),ID,Type,State,Description,Reference,Payer,Card number,Card label,Card state,Orig currency,Orig amount,Payment currency,Amount,Total amount,Exchange rate,Fee,Fee currency,Balance,Account,MCC,Related transaction id\n\
12-30-2025,12-31-2025,aaaa-1111,CARD_PAYMENT,COMPLETED,OpenAI,,Test Owner,443252******0000,Virtual,ACTIVE,EUR,113.73,USD,-133.76,-134.76,0.850271,1.00,USD,13336.07,USD Main,5311,\n\
12-28-2025,12-28-2025,bbbb-2222,TRANSFER,PENDING,Pending thing,,Test Owner,,,,USD,50,USD,-50.00,-50.00,1,0.00,USD,13469.83,USD Main,,\n\
12-29-2025,,cccc-3333,REFUND,REVERTED,OpenAI,,,,,,USD,20,USD,20.00,20.00,1,0.00,USD,13489.83,USD Main,,aaaa-1111\n";
        let parsed = parse(csv.as_bytes());
        check(
            &parsed,
            "revolut-business",
            &[
                ("OpenAI", "-133.76", "USD", Some("1"), BankStatus::Settled),
                ("Pending thing", "-50", "USD", None, BankStatus::Pending),
                ("OpenAI", "20", "USD", None, BankStatus::Reversed),
            ],
        );
        let l = lines(&parsed);
        assert_eq!(
            l[0].natural_key,
            "bank|revolut-business:USD Main|id|aaaa-1111"
        );
        assert_eq!(l[0].account, "revolut-business:USD Main");
        assert_eq!(
            (
                l[0].original_amount.map(Amount::nanos),
                l[0].original_currency.as_deref().unwrap_or("")
            ),
            (Some(nanos("-113.73")), "EUR")
        );
        assert_eq!(l[1].original_amount, None, "same currency is not foreign");
        assert_eq!(time(l[0]), "2025-12-30 00:00:00");
        assert_eq!(l[0].posted_at.unwrap().to_string(), "2025-12-31 00:00:00");
        assert_eq!(l[2].related_id, "aaaa-1111");
        assert_eq!(l[2].issuer_id, "cccc-3333");
    }
}
