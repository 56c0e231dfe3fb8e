//! Wise: the transaction history (`ID,Status,Direction,Created on,...`) and the old
//! per-currency statement from its `TransferWise` days (`TransferWise ID,Date,Amount,...`).
//!
//! The history writes unsigned amounts on a source and a target side and gives the sign in
//! `Direction`; the old statement writes signed amounts that already include any fee, `DD-MM-YYYY`
//! dates, booked lines only, a transfer's fee as its own row repeating the transfer's id, and
//! rows with a blank id. Lines are keyed by Wise's id where there is one.

use super::line::{ContentKey, Line, account_of, fee_of, read_status, signed};
use crate::domain::import::dates::DateOrder;
use crate::domain::import::table::{BindError, FieldError, Header, Row};
use crate::domain::import::{FileOptions, Format, RecordKind, RowParser};
use crate::domain::money::{Amount, Currency};
use crate::domain::records::Record;

/// Wise's transaction history (`ID,Status,Direction,Created on,...`): unsigned amounts on a
/// source and a target side, the sign given by `Direction` (`OUT`, `IN`, or `NEUTRAL` for a
/// conversion between the user's own balances, kept as money out of the source balance).
pub struct Wise;

impl Format for Wise {
    fn id(&self) -> &'static str {
        "wise"
    }
    fn name(&self) -> &'static str {
        "Wise transaction history"
    }
    fn kind(&self) -> RecordKind {
        RecordKind::Bank
    }
    fn signature(&self) -> &'static str {
        "ID, Status, Direction, Created on, Finished on, Source fee amount, Source amount (after fees), Source currency, Target name, Target amount (after fees), Target currency, ..."
    }
    fn detect(&self, h: &Header) -> bool {
        h.has_all(&[
            "ID",
            "Status",
            "Direction",
            "Created on",
            "Source amount (after fees)",
            "Target amount (after fees)",
        ])
    }
    fn bind(&self, h: &Header, _options: &FileOptions) -> Result<Box<dyn RowParser>, BindError> {
        Ok(Box::new(WiseParser {
            id: h.require(&["ID"])?,
            status: h.require(&["Status"])?,
            direction: h.require(&["Direction"])?,
            created: h.require(&["Created on"])?,
            finished: h.find(&["Finished on"]),
            source_fee: h.find(&["Source fee amount"]),
            source_fee_currency: h.find(&["Source fee currency"]),
            target_fee: h.find(&["Target fee amount"]),
            target_fee_currency: h.find(&["Target fee currency"]),
            source_name: h.find(&["Source name"]),
            source_amount: h.require(&["Source amount (after fees)"])?,
            source_currency: h.require(&["Source currency"])?,
            target_name: h.find(&["Target name"]),
            target_amount: h.require(&["Target amount (after fees)"])?,
            target_currency: h.require(&["Target currency"])?,
        }))
    }
}

struct WiseParser {
    id: usize,
    status: usize,
    direction: usize,
    created: usize,
    finished: Option<usize>,
    source_fee: Option<usize>,
    source_fee_currency: Option<usize>,
    target_fee: Option<usize>,
    target_fee_currency: Option<usize>,
    source_name: Option<usize>,
    source_amount: usize,
    source_currency: usize,
    target_name: Option<usize>,
    target_amount: usize,
    target_currency: usize,
}

/// One side (source or target) of a Wise row.
struct WiseSide {
    name: String,
    amount: Amount,
    amount_text: String,
    currency: Currency,
    fee: Option<Amount>,
    fee_currency: Option<Currency>,
}

impl WiseParser {
    fn side(
        row: &Row<'_>,
        name: Option<usize>,
        amount: usize,
        currency: usize,
        fee: Option<usize>,
        fee_currency: Option<usize>,
    ) -> Result<WiseSide, FieldError> {
        Ok(WiseSide {
            name: row.opt_text(name).into_owned(),
            amount: row.amount(amount)?,
            amount_text: row.text(amount).into_owned(),
            currency: row.currency(currency)?,
            fee: fee_of(row.opt_amount(fee)?),
            fee_currency: row.opt_currency(fee_currency)?,
        })
    }
}

impl RowParser for WiseParser {
    fn amount_columns(&self) -> Vec<usize> {
        [
            Some(self.source_amount),
            Some(self.target_amount),
            self.source_fee,
            self.target_fee,
        ]
        .into_iter()
        .flatten()
        .collect()
    }
    fn parse(&mut self, row: &Row<'_>, out: &mut Vec<Record>) -> Result<(), FieldError> {
        let direction = row.text(self.direction).to_ascii_uppercase();
        let outgoing = match direction.as_str() {
            "OUT" | "NEUTRAL" => true,
            "IN" => false,
            _ => {
                return Err(FieldError::at(
                    self.direction,
                    format!("'{direction}' is not a direction (IN, OUT or NEUTRAL)"),
                ));
            }
        };
        let source = Self::side(
            row,
            self.source_name,
            self.source_amount,
            self.source_currency,
            self.source_fee,
            self.source_fee_currency,
        )?;
        let target = Self::side(
            row,
            self.target_name,
            self.target_amount,
            self.target_currency,
            self.target_fee,
            self.target_fee_currency,
        )?;
        // Money out leaves the source balance, money in arrives in the target one; the other
        // side is the foreign amount.
        let (ours, theirs) = if outgoing {
            (source, target)
        } else {
            (target, source)
        };
        let fee_fits = ours.fee_currency.is_none_or(|c| c == ours.currency);
        let mut notes = Vec::new();
        if direction == "NEUTRAL" {
            notes.push("conversion between own balances".to_string());
        }
        // "After fees": an incoming amount has had its fee taken already, so the fee is not
        // charged on top; it is only noted. So is a fee in another currency.
        let fee = match ours.fee {
            Some(f) if outgoing && fee_fits => Some(f),
            Some(f) => {
                notes.push(format!(
                    "fee {f} {}",
                    ours.fee_currency.unwrap_or(ours.currency)
                ));
                None
            }
            None => None,
        };
        let started_at = row.datetime(self.created)?;
        let posted_at = row.opt_datetime(self.finished)?;
        let status = read_status(row, self.status)?;
        let mut line = Line::new(
            "wise".into(),
            signed(ours.amount, outgoing),
            ours.currency,
            ContentKey::TimeAndAmount,
        );
        line.started_at = Some(started_at);
        line.posted_at = posted_at;
        // The other party: the payee of money out, the payer of money in.
        line.description = theirs.name;
        line.amount_text = ours.amount_text;
        line.foreign = Some((theirs.amount, theirs.currency.to_string()));
        line.fee = fee;
        line.status = status;
        line.issuer_id = row.text(self.id).into_owned();
        line.note = notes.join("; ");
        line.push(out);
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// Wise old statement

/// Wise's old per-currency statement (from its `TransferWise` days): `TransferWise ID,Date,Amount,...`,
/// `DD-MM-YYYY` dates, signed amounts that already include any fee, booked lines only. A
/// transfer's fee can be its own row with the transfer's id; rows with a blank id exist.
pub struct WiseStatement;

impl Format for WiseStatement {
    fn id(&self) -> &'static str {
        "wise-statement"
    }
    fn name(&self) -> &'static str {
        "Wise statement (old)"
    }
    fn kind(&self) -> RecordKind {
        RecordKind::Bank
    }
    fn signature(&self) -> &'static str {
        "TransferWise ID, Date, Date Time?, Amount, Currency, Description, ..., Merchant, Exchange To, Exchange To Amount, Transaction Type"
    }
    fn detect(&self, h: &Header) -> bool {
        h.find(&["TransferWise ID", "Wise ID"]).is_some()
            && h.has_all(&["Date", "Amount", "Currency", "Description"])
    }
    fn bind(&self, h: &Header, _options: &FileOptions) -> Result<Box<dyn RowParser>, BindError> {
        Ok(Box::new(WiseStatementParser {
            id: h.require(&["TransferWise ID", "Wise ID"])?,
            date: h.require(&["Date"])?,
            date_time: h.find(&["Date Time"]),
            amount: h.require(&["Amount"])?,
            currency: h.require(&["Currency"])?,
            description: h.require(&["Description"])?,
            merchant: h.find(&["Merchant"]),
            exchange_to: h.find(&["Exchange To"]),
            exchange_to_amount: h.find(&["Exchange To Amount"]),
            direction: h.find(&["Transaction Type"]),
        }))
    }
}

struct WiseStatementParser {
    id: usize,
    date: usize,
    date_time: Option<usize>,
    amount: usize,
    currency: usize,
    description: usize,
    merchant: Option<usize>,
    exchange_to: Option<usize>,
    exchange_to_amount: Option<usize>,
    direction: Option<usize>,
}

impl RowParser for WiseStatementParser {
    fn date_columns(&self) -> Vec<usize> {
        std::iter::once(self.date).chain(self.date_time).collect()
    }
    fn amount_columns(&self) -> Vec<usize> {
        std::iter::once(self.amount)
            .chain(self.exchange_to_amount)
            .collect()
    }
    fn default_date_order(&self) -> Option<DateOrder> {
        Some(DateOrder::DayFirst)
    }
    fn parse(&mut self, row: &Row<'_>, out: &mut Vec<Record>) -> Result<(), FieldError> {
        let day = row.datetime(self.date)?;
        let started_at = match self.date_time {
            Some(c) if !row.text(c).is_empty() => row.datetime(c)?,
            _ => day,
        };
        let written = row.amount(self.amount)?;
        let amount = match row.opt_text(self.direction).to_ascii_uppercase().as_str() {
            "DEBIT" => signed(written, true),
            "CREDIT" => signed(written, false),
            _ => written,
        };
        let currency = row.currency(self.currency)?;
        let foreign = row
            .opt_amount(self.exchange_to_amount)?
            .map(|a| (a, row.opt_text(self.exchange_to).into_owned()));
        let text = row.text(self.description).into_owned();
        let merchant = row.opt_text(self.merchant);
        let lower = text.to_lowercase();
        let is_fee_row =
            lower.starts_with("transferwise charges for") || lower.starts_with("wise charges for");
        let mut line = Line::new(
            account_of("wise-statement", &currency),
            amount,
            currency,
            ContentKey::TimeAndAmount,
        );
        line.started_at = Some(started_at);
        line.posted_at = Some(day);
        line.description = if merchant.is_empty() {
            text.clone()
        } else {
            merchant.into_owned()
        };
        // The key names the line by the statement's own text, whatever the merchant column says.
        line.key_text = Some(text);
        line.amount_text = row.text(self.amount).into_owned();
        line.foreign = foreign;
        line.issuer_id = row.text(self.id).into_owned();
        if is_fee_row {
            // The fee row repeats its transfer's id: key it apart from the transfer.
            line.id_suffix = "|fee";
            line.note = "fee".into();
        }
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
    fn wise_history_signs_from_direction() {
        let csv = "ID,Status,Direction,Created on,Finished on,Source fee amount,Source fee currency,Target fee amount,Target fee currency,Source name,Source amount (after fees),Source currency,Target name,Target amount (after fees),Target currency,Exchange rate,Reference,Batch,Created by,Category,Note\n\
CARD_TRANSACTION-3695047474,COMPLETED,OUT,2026-04-20 11:39:52,2026-04-20 11:39:52,0.00,EUR,,,Alex Example,18.52,EUR,OPENAI *CHATGPT SUBSCR,20.00,USD,1.0799,,,Alex Example,General,\n\
TRANSFER-1004,CANCELLED,OUT,2026-08-02 08:00:00,,0.45,EUR,,,Alex Example,50.00,EUR,Someone,50.00,EUR,1,,,Alex Example,,\n\
BALANCE-1003,COMPLETED,NEUTRAL,2026-08-01 10:00:00,2026-08-01 10:00:02,1.20,EUR,,,Alex Example,498.80,EUR,Alex Example,430.00,GBP,0.862,,,Alex Example,,\n\
TRANSFER-1005,COMPLETED,IN,2026-08-03 09:00:00,2026-08-03 09:00:05,,,0.50,EUR,Client Ltd,1000.00,USD,Alex Example,925.10,EUR,0.9256,,,,,\n\
TRANSFER-1006,REFUNDED,OUT,2026-08-04 09:00:00,,0.00,EUR,,,Alex Example,10.00,EUR,Anthropic,10.00,EUR,1,,,,,\n";
        let parsed = parse(csv.as_bytes());
        check(
            &parsed,
            "wise",
            &[
                (
                    "OPENAI *CHATGPT SUBSCR",
                    "-18.52",
                    "EUR",
                    None,
                    BankStatus::Settled,
                ),
                ("Someone", "-50", "EUR", Some("0.45"), BankStatus::Reversed),
                (
                    "Alex Example",
                    "-498.80",
                    "EUR",
                    Some("1.20"),
                    BankStatus::Settled,
                ),
                ("Client Ltd", "925.10", "EUR", None, BankStatus::Settled),
                ("Anthropic", "-10", "EUR", None, BankStatus::Reversed),
            ],
        );
        let l = lines(&parsed);
        assert_eq!(l[0].natural_key, "bank|wise|id|CARD_TRANSACTION-3695047474");
        assert_eq!(
            (
                l[0].original_amount.map(Amount::nanos),
                l[0].original_currency.as_deref().unwrap_or("")
            ),
            (Some(nanos("-20")), "USD")
        );
        assert_eq!(l[1].posted_at, None);
        assert_eq!(l[2].note, "conversion between own balances");
        assert_eq!(
            (
                l[3].original_amount.map(Amount::nanos),
                l[3].original_currency.as_deref().unwrap_or("")
            ),
            (Some(nanos("1000")), "USD")
        );
        assert_eq!(l[3].note, "fee 0.50 EUR");
    }

    #[test]
    fn wise_old_statement_fee_rows_and_blank_ids() {
        let csv = "\"TransferWise ID\",Date,\"Date Time\",Amount,Currency,Description,\"Payment Reference\",\"Running Balance\",\"Exchange From\",\"Exchange To\",\"Exchange Rate\",\"Payer Name\",\"Payee Name\",\"Payee Account Number\",Merchant,\"Card Last Four Digits\",\"Card Holder Full Name\",Attachment,Note,\"Total fees\",\"Exchange To Amount\",\"Transaction Type\",\"Transaction Details Type\"\n\
TRANSFER-175545673,24-08-2020,\"24-08-2020 13:43:54.496\",-357.38,USD,\"Sent money to John Doe\",,787.62,USD,EUR,0.84840,,\"John Doe\",,,,,,,11.35,,DEBIT,TRANSFER\n\
TRANSFER-175545673,24-08-2020,\"24-08-2020 08:12:37.495\",-11.35,USD,\"TransferWise Charges for: TRANSFER-175545673\",,776.27,,,,,TransferWise,,,,,,,0,,DEBIT,\n\
CARD-2266429315,06-02-2025,06-02-2025 18:00:02.198,-21.60,USD,\"Card transaction of 20.00 EUR issued by Anthropic* Claude Sub\",,61.13,USD,EUR,0.92593,,,,\"Anthropic* Claude Sub\",1234,\"Card Holder\",,,0.00,20.00,DEBIT,CARD\n\
,05-02-2025,,5.00,USD,\"Cashback\",,82.73,,,,,,,,,,,,0,,CREDIT,\n";
        let parsed = parse(csv.as_bytes());
        check(
            &parsed,
            "wise-statement",
            &[
                (
                    "Sent money to John Doe",
                    "-357.38",
                    "USD",
                    None,
                    BankStatus::Settled,
                ),
                (
                    "TransferWise Charges for: TRANSFER-175545673",
                    "-11.35",
                    "USD",
                    None,
                    BankStatus::Settled,
                ),
                (
                    "Anthropic* Claude Sub",
                    "-21.60",
                    "USD",
                    None,
                    BankStatus::Settled,
                ),
                ("Cashback", "5", "USD", None, BankStatus::Settled),
            ],
        );
        let l = lines(&parsed);
        assert_eq!(
            l[0].natural_key,
            "bank|wise-statement:USD|id|TRANSFER-175545673"
        );
        assert_eq!(
            l[1].natural_key,
            "bank|wise-statement:USD|id|TRANSFER-175545673|fee"
        );
        assert_eq!(l[1].note, "fee");
        assert_eq!(time(l[0]), "2020-08-24 13:43:54.496");
        assert_eq!(
            time(l[2]),
            "2025-02-06 18:00:02.198",
            "day-first even where both readings fit"
        );
        assert_eq!(
            (
                l[2].original_amount.map(Amount::nanos),
                l[2].original_currency.as_deref().unwrap_or("")
            ),
            (Some(nanos("-20")), "EUR")
        );
        assert_eq!(
            l[3].natural_key,
            format!(
                "bank|wise-statement:USD|2025-02-05 00:00:00|Cashback|USD|{}",
                nanos("5")
            )
        );
    }
}
