//! The receipt formats as `burnrate formats` lists them and `--as` names them. They are not
//! found by a CSV header: the store sends e-mails, mailboxes and PDFs to the receipt readers
//! by their first bytes (see [`super::sniff`]).

use crate::domain::import::table::{BindError, Header};
use crate::domain::import::{FileOptions, Format, RecordKind, RowParser};

fn not_a_table() -> BindError {
    BindError::Other("receipts are e-mails or PDFs, not tables".into())
}

/// Receipt and billing-notice e-mails: one `.eml`, or a mailbox.
pub struct ReceiptEmail;

impl Format for ReceiptEmail {
    fn id(&self) -> &'static str {
        super::EMAIL_FORMAT
    }
    fn name(&self) -> &'static str {
        "receipt e-mails (.eml, .mbox)"
    }
    fn kind(&self) -> RecordKind {
        RecordKind::Billing
    }
    fn signature(&self) -> &'static str {
        "e-mail: Stripe receipts (Anthropic, OpenRouter, Midjourney, Cursor, ...), OpenAI funding notices, failed payments, GitHub receipts, attached PDFs"
    }
    fn detect(&self, _header: &Header) -> bool {
        false
    }
    fn bind(
        &self,
        _header: &Header,
        _options: &FileOptions,
    ) -> Result<Box<dyn RowParser>, BindError> {
        Err(not_a_table())
    }
}

/// PDF receipts and invoices (Stripe's layout, OpenAI and ChatGPT included).
pub struct ReceiptPdf;

impl Format for ReceiptPdf {
    fn id(&self) -> &'static str {
        super::PDF_FORMAT
    }
    fn name(&self) -> &'static str {
        "PDF receipts and invoices"
    }
    fn kind(&self) -> RecordKind {
        RecordKind::Billing
    }
    fn signature(&self) -> &'static str {
        "PDF: Receipt-NNNN-NNNN-NNNN.pdf (paid), Invoice-XXXXXXXX-NNNN.pdf (amount due until a receipt proves payment)"
    }
    fn detect(&self, _header: &Header) -> bool {
        false
    }
    fn bind(
        &self,
        _header: &Header,
        _options: &FileOptions,
    ) -> Result<Box<dyn RowParser>, BindError> {
        Err(not_a_table())
    }
}
