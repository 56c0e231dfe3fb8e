//! Monzo: the app export (`Transaction ID,Date,Time,...`, `DD/MM/YYYY` dates with a separate
//! time) and the 2018 export (`id,created,amount,...`, ISO time with offset). Amounts are signed;
//! some rows leave `Amount` empty and split it into `Money Out` and `Money In`. `Local amount`
//! is the foreign side. The app export has no status: its lines are settled; the 2018 export
//! says "not settled yet" with an empty `settled` and "declined" with a reason.

use super::line::{ContentKey, Line, date_and_time, out_of_range};
use crate::domain::import::dates::DateOrder;
use crate::domain::import::table::{BindError, FieldError, Header, Row};
use crate::domain::import::{FileOptions, Format, RecordKind, RowParser};
use crate::domain::money::Amount;
use crate::domain::records::{BankStatus, Record};

/// Monzo's app export (`Transaction ID,Date,Time,...`, `DD/MM/YYYY`) and its 2018 export
/// (`id,created,amount,...`, ISO time with offset). Signed amounts; `Local amount` is the
/// foreign side. No status column in the app export: every line is settled.
pub struct Monzo;

const MONZO_APP: &[&str] = &[
    "Transaction ID",
    "Date",
    "Time",
    "Name",
    "Amount",
    "Currency",
];
const MONZO_2018: &[&str] = &[
    "id",
    "created",
    "amount",
    "currency",
    "local_amount",
    "local_currency",
];

impl Format for Monzo {
    fn id(&self) -> &'static str {
        "monzo"
    }
    fn name(&self) -> &'static str {
        "Monzo export"
    }
    fn kind(&self) -> RecordKind {
        RecordKind::Bank
    }
    fn signature(&self) -> &'static str {
        "Transaction ID, Date, Time, Type, Name, ..., Amount, Currency, Local amount, Local currency, ..., Money Out, Money In (or id, created, amount, currency, local_amount, local_currency, ...)"
    }
    fn detect(&self, h: &Header) -> bool {
        (h.has_all(MONZO_APP) && h.find(&["Local amount", "Money Out"]).is_some())
            || h.has_all(MONZO_2018)
    }
    fn bind(&self, h: &Header, _options: &FileOptions) -> Result<Box<dyn RowParser>, BindError> {
        Ok(Box::new(MonzoParser {
            id: h.require(&["Transaction ID", "id"])?,
            date: h.require(&["Date", "created"])?,
            time: h.find(&["Time"]),
            name: h.find(&["Name"]),
            description: h.find(&["Description"]),
            amount: h.require(&["Amount"])?,
            currency: h.require(&["Currency"])?,
            local_amount: h.find(&["Local amount", "local_amount"]),
            local_currency: h.find(&["Local currency", "local_currency"]),
            money_out: h.find(&["Money Out"]),
            money_in: h.find(&["Money In"]),
            settled: h.find(&["settled"]),
            decline_reason: h.find(&["decline_reason"]),
        }))
    }
}

struct MonzoParser {
    id: usize,
    date: usize,
    time: Option<usize>,
    name: Option<usize>,
    description: Option<usize>,
    amount: usize,
    currency: usize,
    local_amount: Option<usize>,
    local_currency: Option<usize>,
    money_out: Option<usize>,
    money_in: Option<usize>,
    settled: Option<usize>,
    decline_reason: Option<usize>,
}

impl MonzoParser {
    /// The signed amount; some exports leave `Amount` empty and split it into `Money Out` and
    /// `Money In`.
    fn amount(&self, row: &Row<'_>) -> Result<Amount, FieldError> {
        if let Some(a) = row.opt_amount(Some(self.amount))? {
            return Ok(a);
        }
        let paid_out = row.opt_amount(self.money_out)?;
        let paid_in = row.opt_amount(self.money_in)?;
        if paid_out.is_none() && paid_in.is_none() {
            return Err(FieldError::at(self.amount, "the amount is empty"));
        }
        let (o, i) = (
            paid_out.unwrap_or_default().abs(),
            paid_in.unwrap_or_default().abs(),
        );
        i.checked_sub(o).ok_or_else(|| out_of_range(self.amount))
    }
}

impl RowParser for MonzoParser {
    fn date_columns(&self) -> Vec<usize> {
        vec![self.date]
    }
    fn amount_columns(&self) -> Vec<usize> {
        [
            Some(self.amount),
            self.local_amount,
            self.money_out,
            self.money_in,
        ]
        .into_iter()
        .flatten()
        .collect()
    }
    fn default_date_order(&self) -> Option<DateOrder> {
        Some(DateOrder::DayFirst)
    }
    fn parse(&mut self, row: &Row<'_>, out: &mut Vec<Record>) -> Result<(), FieldError> {
        let started_at = date_and_time(row, self.date, self.time)?;
        let amount = self.amount(row)?;
        let foreign = row
            .opt_amount(self.local_amount)?
            .map(|a| (a, row.opt_text(self.local_currency).into_owned()));
        let name = row.opt_text(self.name);
        let status = if !row.opt_text(self.decline_reason).is_empty() {
            BankStatus::Reversed
        } else if self.settled.is_some() && row.opt_text(self.settled).is_empty() {
            BankStatus::Pending
        } else {
            BankStatus::Settled
        };
        let mut line = Line::new(
            "monzo".into(),
            amount,
            row.currency(self.currency)?,
            ContentKey::TimeAndAmount,
        );
        line.started_at = Some(started_at);
        line.description = if name.is_empty() {
            row.opt_text(self.description).into_owned()
        } else {
            name.into_owned()
        };
        line.amount_text = row.text(self.amount).into_owned();
        line.foreign = foreign;
        line.status = status;
        line.issuer_id = row.text(self.id).into_owned();
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
    fn monzo_app_and_2018_exports() {
        let app = "Transaction ID,Date,Time,Type,Name,Emoji,Category,Amount,Currency,Local amount,Local currency,Notes and #tags,Address,Receipt,Description,Category split,Money Out,Money In\r\n\
tx_0000AGoDpgVm98x6eOfP1e,04/02/2026,17:46:57,Card payment,OpenAI,,Bills,-16.02,GBP,-20.00,USD,,,,OPENAI *CHATGPT SUBSCR,,-16.02,\r\n\
tx_0000AGoDpgVm98x6eOfP1f,03/02/2026,09:01:00,Faster payment,,,General,,GBP,,GBP,,,,Rent share,,,250.00\r\n";
        let parsed = parse(app.as_bytes());
        check(
            &parsed,
            "monzo",
            &[
                ("OpenAI", "-16.02", "GBP", None, BankStatus::Settled),
                ("Rent share", "250", "GBP", None, BankStatus::Settled),
            ],
        );
        let l = lines(&parsed);
        assert_eq!(time(l[0]), "2026-02-04 17:46:57", "Monzo writes DD/MM/YYYY");
        assert_eq!(l[0].natural_key, "bank|monzo|id|tx_0000AGoDpgVm98x6eOfP1e");
        assert_eq!(
            (
                l[0].original_amount.map(Amount::nanos),
                l[0].original_currency.as_deref().unwrap_or("")
            ),
            (Some(nanos("-20")), "USD")
        );

        let old = "id,created,amount,currency,local_amount,local_currency,category,emoji,description,address,notes,receipt\n\
tx_00009TziTeST1NG1ZWIPGS,2018-02-25 12:34:56 +0000,-10,GBP,-10,GBP,general,,Tesco,,,\n";
        let parsed = parse(old.as_bytes());
        check(
            &parsed,
            "monzo",
            &[("Tesco", "-10", "GBP", None, BankStatus::Settled)],
        );
        assert_eq!(time(lines(&parsed)[0]), "2018-02-25 12:34:56");
    }
}
