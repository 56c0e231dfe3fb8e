//! Apple Card: the monthly export from Wallet. A purchase is positive; the currency is in the
//! amount header (`Amount (USD)`); an empty description falls back to `Merchant`. The file
//! comes with a BOM and CRLF line ends.

use super::line::currency_in_header;
use super::statement::StatementParser;
use crate::domain::import::table::{BindError, Header};
use crate::domain::import::{FileOptions, Format, RecordKind, RowParser};

/// Apple Card monthly export from Wallet.
pub struct AppleCard;

impl Format for AppleCard {
    fn id(&self) -> &'static str {
        "apple-card"
    }
    fn name(&self) -> &'static str {
        "Apple Card"
    }
    fn kind(&self) -> RecordKind {
        RecordKind::Bank
    }
    fn signature(&self) -> &'static str {
        "Transaction Date, Clearing Date, Description, Merchant, Category, Type, Amount (USD), Purchased By"
    }
    fn detect(&self, h: &Header) -> bool {
        h.has_all(&["Transaction Date", "Clearing Date", "Description"])
            && (h.find_prefix(&["Amount ("]).is_some() || h.has_all(&["Amount"]))
    }
    fn bind(&self, h: &Header, _options: &FileOptions) -> Result<Box<dyn RowParser>, BindError> {
        let amount = h
            .find_prefix(&["Amount ("])
            .or_else(|| h.find(&["Amount"]))
            .ok_or_else(|| BindError::MissingColumn("Amount (USD)".into()))?;
        let mut p = StatementParser::signed(self.id(), h, amount, &["Description"], true)?;
        p.fallback_description = h.find(&["Merchant"]);
        p.started = Some(h.require(&["Transaction Date"])?);
        p.posted = h.find(&["Clearing Date"]);
        if let Some(code) = currency_in_header(h.name(amount), &["amount ("]) {
            p.currency = code;
        }
        Ok(Box::new(p))
    }
}

#[cfg(test)]
mod tests {
    use super::super::line::currency_in_header;
    use super::super::test_support::{lines, parse};

    #[test]
    fn apple_card_with_bom_and_crlf_keeps_identical_purchases() {
        let mut bytes = vec![0xEF, 0xBB, 0xBF];
        bytes.extend_from_slice(
            b"Transaction Date,Clearing Date,Description,Merchant,Category,Type,Amount (USD),Purchased By\r\n\
09/11/2025,09/11/2025,\"OPENAI *CHATGPT SUBSCR SAN FRANCISCO CA USA\",\"OpenAI\",\"Other\",\"Purchase\",\"20.00\",\"Jane Sample\"\r\n\
09/11/2025,09/11/2025,\"OPENAI *CHATGPT SUBSCR SAN FRANCISCO CA USA\",\"OpenAI\",\"Other\",\"Purchase\",\"20.00\",\"Jane Sample\"\r\n\
09/05/2025,09/05/2025,\"ACH DEPOSIT INTERNET TRANSFER\",\"Ach Deposit\",\"Payment\",\"Payment\",\"-400.00\",\"John Sample\"\r\n",
        );
        let parsed = parse(&bytes);
        assert_eq!(parsed.format_id, "apple-card");
        let l = lines(&parsed);
        assert_eq!(
            l.iter().map(|l| l.amount.nanos()).collect::<Vec<_>>(),
            [-20_000_000_000, -20_000_000_000, 400_000_000_000]
        );
        assert_eq!(
            l[0].natural_key, l[1].natural_key,
            "the store tells them apart by occurrence"
        );
        assert_eq!(
            l[0].description,
            "OPENAI *CHATGPT SUBSCR SAN FRANCISCO CA USA"
        );
        assert_eq!(
            (l[0].amount_text.as_str(), l[0].currency.as_str()),
            ("20.00", "USD")
        );
        assert_eq!(parsed.rejected, []);
    }

    #[test]
    fn the_currency_is_read_from_the_amount_header() {
        assert_eq!(
            currency_in_header("Amount (usd)", &["amount ("]),
            Some(crate::domain::money::Currency::USD)
        );
        assert_eq!(currency_in_header("Amount", &["amount ("]), None);
    }
}
