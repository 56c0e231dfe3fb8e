//! Chase: the credit card activity (`Chase1234_Activity_20260202.CSV`, a purchase is negative,
//! an optional `Card` column) and checking and savings activity (only a posting date; data rows
//! end with a comma the header lacks). Chase leaves `&amp;` undecoded in descriptions.

use super::statement::StatementParser;
use crate::domain::import::table::{BindError, Header};
use crate::domain::import::{FileOptions, Format, RecordKind, RowParser};

/// Chase credit card activity (`Chase1234_Activity_20260202.CSV`).
pub struct ChaseCard;

impl Format for ChaseCard {
    fn id(&self) -> &'static str {
        "chase-card"
    }
    fn name(&self) -> &'static str {
        "Chase credit card"
    }
    fn kind(&self) -> RecordKind {
        RecordKind::Bank
    }
    fn signature(&self) -> &'static str {
        "Card?, Transaction Date, Post Date, Description, Category, Type, Amount, Memo?"
    }
    fn detect(&self, h: &Header) -> bool {
        h.has_all(&[
            "Transaction Date",
            "Post Date",
            "Description",
            "Category",
            "Type",
            "Amount",
        ])
    }
    fn bind(&self, h: &Header, _options: &FileOptions) -> Result<Box<dyn RowParser>, BindError> {
        let amount = h.require(&["Amount"])?;
        let mut p = StatementParser::signed(self.id(), h, amount, &["Description"], false)?;
        p.started = Some(h.require(&["Transaction Date"])?);
        p.posted = h.find(&["Post Date"]);
        p.account_number = h.find(&["Card"]);
        p.decode = Some(decode_html_entities);
        Ok(Box::new(p))
    }
}

/// Chase checking and savings activity; data rows end with a comma the header lacks.
pub struct ChaseChecking;

impl Format for ChaseChecking {
    fn id(&self) -> &'static str {
        "chase-checking"
    }
    fn name(&self) -> &'static str {
        "Chase checking"
    }
    fn kind(&self) -> RecordKind {
        RecordKind::Bank
    }
    fn signature(&self) -> &'static str {
        "Details, Posting Date, Description, Amount, Type, Balance, Check or Slip #?"
    }
    fn detect(&self, h: &Header) -> bool {
        h.has_all(&[
            "Details",
            "Posting Date",
            "Description",
            "Amount",
            "Type",
            "Balance",
        ])
    }
    fn bind(&self, h: &Header, _options: &FileOptions) -> Result<Box<dyn RowParser>, BindError> {
        let amount = h.require(&["Amount"])?;
        let mut p = StatementParser::signed(self.id(), h, amount, &["Description"], false)?;
        // The only date is the posting date: the file does not say when a payment started.
        p.posted = Some(h.require(&["Posting Date"])?);
        p.decode = Some(decode_html_entities);
        Ok(Box::new(p))
    }
}

/// Decodes the HTML entities Chase leaves in descriptions (`AT&amp;T` is `AT&T`).
fn decode_html_entities(text: &str) -> String {
    if !text.contains('&') {
        return text.to_string();
    }
    // `&amp;` last, so `&amp;lt;` decodes once, to `&lt;`.
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{day, lines, parse};
    use super::decode_html_entities;

    #[test]
    fn windows_1252_description_and_chase_trailing_commas() {
        let csv = b"Details,Posting Date,Description,Amount,Type,Balance,Check or Slip #\n\
DEBIT,01/05/2025,\"Caf\xe9 Claude\",-10.00,DEBIT_CARD,1000.00,,\n\
CHECK,01/06/2025,\"CHECK 101\",-50.00,CHECK_PAID,950.00,101,\n";
        let parsed = parse(csv);
        assert_eq!(parsed.format_id, "chase-checking");
        let l = lines(&parsed);
        assert_eq!(l[0].description, "Caf\u{e9} Claude");
        assert_eq!(
            l.iter().map(|l| l.amount.nanos()).collect::<Vec<_>>(),
            [-10_000_000_000, -50_000_000_000]
        );
        assert_eq!(
            (l[0].started_at, day(l[0].posted_at)),
            (None, "2025-01-05".into())
        );
    }

    #[test]
    fn decodes_entities_once() {
        assert_eq!(
            decode_html_entities("AT&amp;T &amp;lt;x&gt;"),
            "AT&T &lt;x>"
        );
    }
}
