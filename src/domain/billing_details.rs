//! What a receipt or an invoice says about a billing record beyond its amount: both document
//! numbers, tax, the credit granted when it differs from the money paid, the card, the service
//! period, the line items, and where the record was read (file, `Message-ID`, attachment).
//!
//! Plain data, filled by the receipt readers (`import::receipts`) and kept by the store beside
//! the billing record; a record typed in the billing CSV has none of it. Amounts are exact and
//! in the record's currency; the credit excludes tax (tax buys no credit).

use chrono::NaiveDate;

use super::money::Amount;
use super::records::BillingKind;

/// What judgement reads of a record's receipt: the facts that change which bank line paid it
/// and how much credit it gave. A record typed in the billing CSV has the defaults.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReceiptFacts {
    /// The credit granted, when it differs from the amount paid (tax buys no credit).
    pub credit: Option<Amount>,
    /// The last four digits of the card the receipt says paid; empty when it names none.
    pub card_last4: String,
    /// For an invoice not yet proven paid: what its line items bill (a credit purchase, a
    /// subscription), which it becomes once a bank line proves it paid.
    pub invoice_for: Option<BillingKind>,
}

/// Statement formats whose number column is the card's (not a bank account's).
const CARD_NUMBER_FORMATS: &[&str] = &["chase-card", "capital-one", "amex"];

/// The last four digits of the card a statement is for, when the statement says: the card
/// number column of a card statement (`chase-card:4821`, `capital-one:6983`, `amex:-71002`),
/// else the name Chase gives a card statement's download (`Chase4411_Activity2026...CSV`).
/// Empty when neither tells: a checking account's number is not its card's, and other digits
/// in a file name are never taken for a card (a year is not a card).
pub fn statement_card(account: &str, file_name: &str) -> String {
    let (format, number) = account.split_once(':').unwrap_or((account, ""));
    if !CARD_NUMBER_FORMATS.contains(&format) {
        return String::new();
    }
    let digits: String = number.chars().filter(char::is_ascii_digit).collect();
    if let Some(last4) = digits
        .get(digits.len().saturating_sub(4)..)
        .filter(|d| d.len() == 4)
    {
        return last4.to_string();
    }
    if format != "chase-card" {
        return String::new();
    }
    file_name
        .to_ascii_lowercase()
        .strip_prefix("chase")
        .and_then(|rest| rest.get(..5))
        .filter(|head| head.ends_with('_') && head.chars().take(4).all(|c| c.is_ascii_digit()))
        .and_then(|head| head.get(..4))
        .map(str::to_string)
        .unwrap_or_default()
}

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

#[cfg(test)]
mod tests {
    use super::statement_card;

    #[test]
    fn a_statement_names_its_card_by_its_number_column_or_chase_download_name() {
        let cases = [
            ("chase-card:4821", "activity.csv", "4821"),
            ("capital-one:6983", "transactions.csv", "6983"),
            ("amex:-71002", "activity.csv", "1002"),
            (
                "chase-card",
                "Chase4411_Activity20260101_20260331_20260401.CSV",
                "4411",
            ),
            ("chase-card", "chase4411_activity.csv", "4411"),
            ("revolut", "revolut-2026-01-01_2026-02-15.csv", ""),
            ("chase-card", "Chase_Activity_2026.csv", ""),
            ("capital-one-360:36019876", "x.csv", ""),
            ("chase-checking", "Chase1234_Activity_20260101.CSV", ""),
            ("paypal:ALEX", "paypal.csv", ""),
        ];
        for (account, file, want) in cases {
            assert_eq!(statement_card(account, file), want, "{account} {file}");
        }
    }
}
