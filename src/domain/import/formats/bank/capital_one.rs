//! Capital One: the credit card (unsigned `Debit` and `Credit` columns, one card number per row,
//! ISO or `MM/DD/YYYY` dates) and Capital One 360 checking and savings (an unsigned amount and a
//! Debit/Credit column, two-digit years).

use super::statement::{Money, StatementParser};
use crate::domain::import::table::{BindError, Header};
use crate::domain::import::{FileOptions, Format, RecordKind, RowParser};

/// Capital One credit card: unsigned `Debit` and `Credit` columns, one card number per row.
pub struct CapitalOne;

impl Format for CapitalOne {
    fn id(&self) -> &'static str {
        "capital-one"
    }
    fn name(&self) -> &'static str {
        "Capital One card"
    }
    fn kind(&self) -> RecordKind {
        RecordKind::Bank
    }
    fn signature(&self) -> &'static str {
        "Transaction Date, Posted Date, Card No., Description, Category, Debit, Credit"
    }
    fn detect(&self, h: &Header) -> bool {
        h.has_all(&[
            "Transaction Date",
            "Posted Date",
            "Card No.",
            "Description",
            "Debit",
            "Credit",
        ])
    }
    fn bind(&self, h: &Header, _options: &FileOptions) -> Result<Box<dyn RowParser>, BindError> {
        let mut p = StatementParser::debit_credit(self.id(), h)?;
        p.started = Some(h.require(&["Transaction Date"])?);
        p.posted = h.find(&["Posted Date"]);
        p.account_number = h.find(&["Card No.", "Card No"]);
        Ok(Box::new(p))
    }
}

/// Capital One 360 checking and savings: an unsigned amount and a Debit/Credit column.
pub struct CapitalOne360;

impl Format for CapitalOne360 {
    fn id(&self) -> &'static str {
        "capital-one-360"
    }
    fn name(&self) -> &'static str {
        "Capital One 360"
    }
    fn kind(&self) -> RecordKind {
        RecordKind::Bank
    }
    fn signature(&self) -> &'static str {
        "Account Number, Transaction Description, Transaction Date, Transaction Type, Transaction Amount, Balance"
    }
    fn detect(&self, h: &Header) -> bool {
        h.has_all(&[
            "Account Number",
            "Transaction Description",
            "Transaction Date",
            "Transaction Type",
            "Transaction Amount",
        ])
    }
    fn bind(&self, h: &Header, _options: &FileOptions) -> Result<Box<dyn RowParser>, BindError> {
        let amount = h.require(&["Transaction Amount"])?;
        let direction = h.require(&["Transaction Type"])?;
        let mut p = StatementParser::new(
            self.id(),
            h.require(&["Transaction Description"])?,
            Money::Directed { amount, direction },
        );
        p.started = Some(h.require(&["Transaction Date"])?);
        p.account_number = h.find(&["Account Number"]);
        Ok(Box::new(p))
    }
}
