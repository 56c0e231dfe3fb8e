//! The generic bank-statement format: a user's mapping of a CSV's columns (date, description,
//! amount or debit/credit, status, currency, id), its sign convention and date order. Mappings
//! are stored in the ledger under the header's signature and reused for files of the same shape.

use serde::{Deserialize, Serialize};

use super::dates::DateOrder;
use super::table::{BindError, FieldError, Header, Row};
use super::{Format, RecordKind, RowParser};
use crate::domain::records::{BankLine, BankStatus, Record};

/// How spending is written in the amount column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum SignConvention {
    /// `-12.00` is money out (most banks).
    #[default]
    SpendNegative,
    /// `12.00` is money out (Amex, Apple Card, Citi).
    SpendPositive,
}

/// A user's description of a bank CSV.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct BankMapping {
    /// A name for the account (shown in tables and used in keys).
    pub account: String,
    pub date: String,
    pub description: String,
    #[serde(default)]
    pub amount: Option<String>,
    #[serde(default)]
    pub debit: Option<String>,
    #[serde(default)]
    pub credit: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub currency: Option<String>,
    /// The currency when the file has no currency column.
    #[serde(default)]
    pub default_currency: Option<String>,
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub sign: SignConvention,
    #[serde(default)]
    pub date_order: Option<String>,
}

/// The generic format itself.
pub struct GenericBank;

impl Format for GenericBank {
    fn id(&self) -> &'static str {
        super::formats::GENERIC_ID
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
        options: &super::FileOptions,
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
            default_currency: m
                .default_currency
                .clone()
                .unwrap_or_default()
                .to_ascii_uppercase(),
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
    default_currency: String,
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
        let status = match self.status {
            Some(c) => BankStatus::from_issuer(&row.text(c)),
            None => status_in_date.or(Some(BankStatus::Settled)),
        };
        let currency = match self.currency {
            Some(c) => row.text(c).to_ascii_uppercase(),
            None => self.default_currency.clone(),
        };
        let description = row.text(self.description).into_owned();
        let issuer_id = row.opt_text(self.id).into_owned();
        let natural_key = if issuer_id.is_empty() {
            format!(
                "bank|{}|{}|{}|{}|{}",
                self.account,
                date_text,
                description,
                currency,
                amount.nanos()
            )
        } else {
            format!("bank|{}|id|{}", self.account, issuer_id)
        };
        out.push(Record::Bank(BankLine {
            account: self.account.clone(),
            started_at,
            posted_at: None,
            description,
            amount,
            currency,
            amount_text: self
                .amount
                .map(|a| row.text(a).into_owned())
                .unwrap_or_default(),
            status,
            issuer_id,
            natural_key,
            ..BankLine::default()
        }));
        Ok(())
    }
}
