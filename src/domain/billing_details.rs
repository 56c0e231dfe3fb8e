//! What a receipt or an invoice says about a billing record beyond its amount: both document
//! numbers, tax, the credit granted when it differs from the money paid, the card, the service
//! period, the line items, and where the record was read (file, `Message-ID`, attachment).
//!
//! Plain data, filled by the receipt readers (`import::receipts`) and kept by the store beside
//! the billing record; a record typed in the billing CSV has none of it. Amounts are exact and
//! in the record's currency; the credit excludes tax (tax buys no credit).

use chrono::NaiveDate;

use super::money::Amount;

/// One line of a receipt's table: a plan, a credit purchase, a discount or a proration credit
/// (negative).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LineItem {
    pub description: String,
    /// The quantity as written (`1`, `18,018,932`); empty when none is shown.
    pub quantity: String,
    pub amount: Amount,
    pub period_start: Option<NaiveDate>,
    pub period_end: Option<NaiveDate>,
}

/// How the record reached burnrate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SourceVia {
    /// Typed or exported as a table (the billing CSV, a Stripe export).
    #[default]
    Table,
    /// A receipt or notice e-mail from the vendor.
    Email,
    /// A copy of such an e-mail forwarded by someone.
    Forward,
    /// A PDF receipt or invoice, attached or downloaded.
    Pdf,
}

impl SourceVia {
    pub fn as_str(self) -> &'static str {
        match self {
            SourceVia::Table => "table",
            SourceVia::Email => "email",
            SourceVia::Forward => "forward",
            SourceVia::Pdf => "pdf",
        }
    }
}

/// The details of a billing record read from a receipt, an invoice or a notice.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BillingDetails {
    /// `2070-4164-2450`, as [`crate::domain::import::receipts::canonical_number`] writes it.
    pub receipt_number: String,
    /// `ITRMHVSC-0017`, same form.
    pub invoice_number: String,
    /// Total tax, when the document shows a tax line (zero for a reverse charge).
    pub tax: Option<Amount>,
    /// The tax lines as written (`VAT - Sweden (25% on $10.00)`, `reverse charge`).
    pub tax_label: String,
    /// The credit granted, when it differs from the amount paid (a purchase with tax).
    pub credit: Option<Amount>,
    /// `Visa`, `Mastercard`, or a wallet (`Link`, `UPI`); empty when not shown.
    pub card_brand: String,
    /// The card's last four digits, when shown.
    pub card_last4: String,
    pub period_start: Option<NaiveDate>,
    pub period_end: Option<NaiveDate>,
    pub items: Vec<LineItem>,
    /// The e-mail's `Message-ID` (without angle brackets); empty for a PDF read alone.
    pub message_id: String,
    /// The attachment or PDF file name the record was read from, when it was a PDF.
    pub attachment: String,
    pub via: SourceVia,
    /// The kind was chosen by rule, not read (a failed payment or an OpenAI funding notice
    /// does not say whether it was an auto-recharge): a later import may correct it.
    pub kind_inferred: bool,
}

impl BillingDetails {
    /// Whether the document gave anything beyond the record's own columns.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}
