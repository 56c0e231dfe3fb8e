//! The generic bank format: a bank CSV read with the column mapping the user saved for its
//! header (`burnrate map`, or the mapping editor in the window). It never claims a file by
//! itself; the importer picks it when a mapping is saved for the file's header.
//!
//! A status written in the date column (`Pending`) marks a pending line with no date yet, so
//! lines without an id are keyed by the date as written.

use super::line::{ContentKey, Line};
use crate::domain::import::dates::DateOrder;
use crate::domain::import::mapping::{MappingError, SignConvention};
use crate::domain::import::table::{BindError, FieldError, Header, Row};
use crate::domain::import::{FileOptions, Format, RecordKind, RowParser};
use crate::domain::money::Currency;
use crate::domain::records::{BankStatus, Record};

/// The generic format itself.
pub struct GenericBank;

impl Format for GenericBank {
    fn id(&self) -> &'static str {
        super::super::GENERIC_ID
    }
    fn name(&self) -> &'static str {
        "Bank CSV with a saved column mapping"
    }
    fn kind(&self) -> RecordKind {
        RecordKind::Bank
    }
    fn signature(&self) -> &'static str {
        "any header, once mapped with `burnrate map`"
    }
    fn detect(&self, _header: &Header) -> bool {
        false
    }
    fn bind(
        &self,
        header: &Header,
        options: &FileOptions,
    ) -> Result<Box<dyn RowParser>, BindError> {
        let Some(m) = &options.mapping else {
            return Err(BindError::Other(
                "no column mapping is saved for this header; create one with `burnrate map FILE ...`".into(),
            ));
        };
        let col = |name: &str| {
            header
                .find(&[name])
                .ok_or_else(|| BindError::MissingColumn(name.to_string()))
        };
        let opt = |name: &Option<String>| -> Result<Option<usize>, BindError> {
            name.as_deref()
                .filter(|n| !n.is_empty())
                .map(col)
                .transpose()
        };
        let amount = opt(&m.amount)?;
        let debit = opt(&m.debit)?;
        let credit = opt(&m.credit)?;
        if amount.is_none() && debit.is_none() && credit.is_none() {
            return Err(BindError::Other(
                "the mapping names no amount, debit or credit column".into(),
            ));
        }
        let fixed_currency = m
            .file_currency(header)
            .map_err(|e| BindError::Other(e.to_string()))?;
        Ok(Box::new(GenericParser {
            account: if m.account.is_empty() {
                "bank".to_string()
            } else {
                m.account.clone()
            },
            date: col(&m.date)?,
            description: col(&m.description)?,
            amount,
            debit,
            credit,
            status: opt(&m.status)?,
            currency: opt(&m.currency)?,
            fixed_currency,
            id: opt(&m.id)?,
            sign: m.sign,
            order: m.date_order.as_deref().and_then(DateOrder::parse),
        }))
    }
}

struct GenericParser {
    account: String,
    date: usize,
    description: usize,
    amount: Option<usize>,
    debit: Option<usize>,
    credit: Option<usize>,
    status: Option<usize>,
    currency: Option<usize>,
    /// The currency of every line when the file has no currency column (or of lines whose
    /// currency cell is empty).
    fixed_currency: Option<Currency>,
    id: Option<usize>,
    sign: SignConvention,
    order: Option<DateOrder>,
}

impl RowParser for GenericParser {
    fn date_columns(&self) -> Vec<usize> {
        vec![self.date]
    }
    fn amount_columns(&self) -> Vec<usize> {
        [self.amount, self.debit, self.credit]
            .into_iter()
            .flatten()
            .collect()
    }
    fn default_date_order(&self) -> Option<DateOrder> {
        self.order
    }
    fn parse(&mut self, row: &Row<'_>, out: &mut Vec<Record>) -> Result<(), FieldError> {
        let date_text = row.text(self.date);
        // A status written in the date column ("Pending") marks a pending line with no date yet.
        let status_in_date = BankStatus::from_issuer(&date_text);
        let started_at = if status_in_date.is_some() {
            None
        } else {
            Some(row.datetime(self.date)?)
        };
        let amount = if let Some(a) = self.amount {
            let v = row.amount(a)?;
            match self.sign {
                SignConvention::SpendNegative => v,
                SignConvention::SpendPositive => v
                    .checked_neg()
                    .ok_or_else(|| FieldError::at(a, "amount out of range"))?,
            }
        } else {
            let debit = row.opt_amount(self.debit)?.unwrap_or_default().abs();
            let credit = row.opt_amount(self.credit)?.unwrap_or_default().abs();
            credit
                .checked_sub(debit)
                .ok_or_else(|| FieldError::row("amount out of range"))?
        };
        // An unknown word in a mapped status column is kept as settled, as the ledger reads a
        // line without a status.
        let status = match self.status {
            Some(c) => BankStatus::from_issuer(&row.text(c)),
            None => status_in_date,
        };
        let currency = match (self.currency, self.fixed_currency) {
            (Some(c), Some(fixed)) if row.text(c).is_empty() => fixed,
            (Some(c), _) => row.currency(c)?,
            (None, Some(fixed)) => fixed,
            (None, None) => return Err(FieldError::row(MappingError::NoCurrency.to_string())),
        };
        let mut line = Line::new(
            self.account.clone(),
            amount,
            currency,
            ContentKey::AsWritten(date_text.into_owned()),
        );
        line.started_at = started_at;
        line.description = row.text(self.description).into_owned();
        line.amount_text = self
            .amount
            .map(|a| row.text(a).into_owned())
            .unwrap_or_default();
        line.status = status.unwrap_or(BankStatus::Settled);
        line.issuer_id = row.opt_text(self.id).into_owned();
        line.push(out);
        Ok(())
    }
}
