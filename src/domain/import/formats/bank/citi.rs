//! Citi card activity: the only US export here with pending lines (`Status` is `Cleared` or
//! `Pending`). A pending line and its cleared twin are keyed by date and description alone so
//! that they land on one record.

use super::statement::StatementParser;
use crate::domain::import::table::{BindError, Header};
use crate::domain::import::{FileOptions, Format, RecordKind, RowParser};

/// Citi card activity: the only US export here with pending lines.
pub struct Citi;

impl Format for Citi {
    fn id(&self) -> &'static str {
        "citi"
    }
    fn name(&self) -> &'static str {
        "Citi card"
    }
    fn kind(&self) -> RecordKind {
        RecordKind::Bank
    }
    fn signature(&self) -> &'static str {
        "Status, Date, Description, Debit, Credit, Member Name?"
    }
    fn detect(&self, h: &Header) -> bool {
        h.has_all(&["Status", "Date", "Description", "Debit", "Credit"])
    }
    fn bind(&self, h: &Header, _options: &FileOptions) -> Result<Box<dyn RowParser>, BindError> {
        let mut p = StatementParser::debit_credit(self.id(), h)?;
        p.started = Some(h.require(&["Date"])?);
        p.status = Some(h.require(&["Status"])?);
        p.key_without_amount = true;
        Ok(Box::new(p))
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{lines, parse};
    use crate::domain::records::BankStatus;

    #[test]
    fn citi_pending_and_cleared_twins_share_a_key() {
        let pending = parse(
            b"Status,Date,Description,Debit,Credit\nPending,01/16/2024,OPENAI *CHATGPT,21.78,\n",
        );
        let cleared = parse(
            b"Status,Date,Description,Debit,Credit\nCleared,01/16/2024,OPENAI *CHATGPT,21.78,\n",
        );
        let (p, c) = (lines(&pending)[0], lines(&cleared)[0]);
        assert_eq!(p.natural_key, c.natural_key);
        assert_eq!(
            (p.status, c.status),
            (Some(BankStatus::Pending), Some(BankStatus::Settled))
        );
        assert_eq!(p.amount.nanos(), -21_780_000_000);
    }
}
