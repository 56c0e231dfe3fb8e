//! PDF receipts and invoices, as Stripe lays them out for every merchant (Anthropic, OpenAI and
//! ChatGPT whatever the seller entity, Midjourney, ...).
//!
//! An **invoice** PDF (`Invoice number`, `Date of issue`, `Amount due`) is the tax document and
//! says "Amount due" even when the card was charged automatically: it becomes an `invoice`
//! record, `pending`, until a receipt proves payment. A **receipt** PDF (`Receipt number`,
//! `Date paid`, `Amount paid`, the payment row `Mastercard - 1359 August 10, 2026 $20.00`)
//! proves payment. Extracted text loses dashes (NUL, or nothing): [`super::text::clean`] and
//! [`super::text::canonical_number`] repair numbers and periods by their shape.
//!
//! The PDF library runs behind [`PdfText`]: the application gives an implementation that runs
//! it in a child process with time and memory limits, so that a malformed PDF that makes the
//! library panic, abort, overflow its stack or loop is a rejected file, never a crash.
//! [`InProcessPdf`] catches panics only, for tests and library callers.

use super::fields::{self, PeriodPlacement, number_after};
use super::text::{self, clean, find_card, find_datetime, find_period};
use super::{
    Problem, ReadContext, Receipt, credit_of, kind_of_items, merchant_of_name,
    merchant_of_provider, provider_of_address,
};
use crate::domain::records::{BillingKind, BillingStatus};

/// Why a PDF's text could not be had.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PdfTextError {
    #[error("the PDF is damaged or not a PDF ({0})")]
    Malformed(String),
    #[error("reading the PDF took longer than {0} seconds, so it was stopped")]
    TimedOut(u64),
    #[error("reading the PDF needed more memory than a receipt can, so it was stopped")]
    TooMuchMemory,
    #[error("the PDF reader stopped on this file ({0})")]
    Crashed(String),
    #[error("the PDF reader could not be started ({0})")]
    Unavailable(String),
}

/// Gives the text of a PDF.
pub trait PdfText: Send + Sync + std::fmt::Debug {
    /// The PDF's text, pages in order, lines as the library lays them out.
    ///
    /// # Errors
    /// When the PDF cannot be read (see [`PdfTextError`]).
    fn text(&self, pdf: &[u8]) -> Result<String, PdfTextError>;
}

/// Reads PDFs in this process, turning a panic of the library into an error. It cannot stop
/// an abort, a stack overflow or an endless loop: the application uses a child process.
#[derive(Debug, Clone, Copy, Default)]
pub struct InProcessPdf;

impl PdfText for InProcessPdf {
    fn text(&self, pdf: &[u8]) -> Result<String, PdfTextError> {
        extract_text(pdf)
    }
}

/// The PDF library's text of `pdf`, a panic turned into [`PdfTextError::Crashed`].
///
/// # Errors
/// When the library refuses the file or panics on it.
pub fn extract_text(pdf: &[u8]) -> Result<String, PdfTextError> {
    if !pdf
        .get(..pdf.len().min(1024))
        .is_some_and(|start| start.windows(4).any(|w| w == b"%PDF"))
    {
        return Err(PdfTextError::Malformed(
            "it does not start with %PDF".into(),
        ));
    }
    match std::panic::catch_unwind(|| pdf_extract::extract_text_from_mem(pdf)) {
        Ok(Ok(text)) => Ok(text),
        Ok(Err(e)) => Err(PdfTextError::Malformed(e.to_string())),
        Err(panic) => {
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_string()))
                .unwrap_or_else(|| "an internal error".to_string());
            Err(PdfTextError::Crashed(message))
        }
    }
}

/// Reads a PDF receipt or invoice: `Ok(None)` when its text is not one.
///
/// # Errors
/// When the PDF cannot be read, or it is a receipt from a merchant the rules do not know.
pub fn read_pdf(
    bytes: &[u8],
    name: &str,
    ctx: ReadContext<'_>,
) -> Result<Option<Receipt>, Problem> {
    let raw = ctx
        .pdf
        .text(bytes)
        .map_err(|e| Problem::Unreadable(e.to_string()))?;
    let text = clean(&raw);
    if text.trim().is_empty() {
        return Err(Problem::Unreadable(
            "the PDF has no text to read (a scan or a picture?)".to_string(),
        ));
    }
    read_text(&text, name, ctx)
}

/// Reads the cleaned text of a PDF.
///
/// # Errors
/// As [`read_pdf`].
pub fn read_text(text: &str, name: &str, ctx: ReadContext<'_>) -> Result<Option<Receipt>, Problem> {
    let lower = text.to_lowercase();
    let is_receipt = lower.contains("receipt number") || lower.contains("date paid");
    let is_invoice = lower.contains("invoice number")
        && (lower.contains("date of issue") || lower.contains("amount due"));
    if !is_receipt && !is_invoice {
        return Ok(None);
    }
    let merchant = seller(text, ctx)
        .ok_or_else(|| Problem::UnknownMerchant(first_line(text).unwrap_or(name).to_string()))?;
    let totals = fields::totals(text);
    let receipt_number = number_after(text, "Receipt number").unwrap_or_default();
    let invoice_number = number_after(text, "Invoice number").unwrap_or_default();
    let region = items_region(text);
    let items = fields::items(&region, PeriodPlacement::After);
    let items = if fields::adds_up(&items, &totals) {
        items
    } else {
        Vec::new()
    };
    let mut r = if is_receipt {
        let paid = totals
            .paid
            .clone()
            .or_else(|| paid_on(text).map(|(m, _)| m))
            .or_else(|| totals.total.clone())
            .ok_or_else(|| Problem::Unreadable(format!("{name} shows no amount paid")))?;
        let at = fields::values_after(text, "Date paid")
            .into_iter()
            .find_map(|v| find_datetime(v).map(|(at, _)| at))
            .or_else(|| paid_on(text).map(|(_, at)| at))
            .ok_or_else(|| Problem::Unreadable(format!("{name} shows no payment date")))?;
        let kind = kind_of_items(&items, &merchant);
        let mut r = Receipt::new(&merchant.provider, kind, BillingStatus::Paid, at, paid);
        r.card = payment_row_card(text);
        r
    } else {
        let due = totals
            .due
            .clone()
            .or_else(|| totals.total.clone())
            .ok_or_else(|| Problem::Unreadable(format!("{name} shows no amount due")))?;
        let at = fields::values_after(text, "Date of issue")
            .into_iter()
            .find_map(|v| find_datetime(v).map(|(at, _)| at))
            .ok_or_else(|| Problem::Unreadable(format!("{name} shows no date of issue")))?;
        Receipt::new(
            &merchant.provider,
            BillingKind::Invoice,
            BillingStatus::Pending,
            at,
            due,
        )
    };
    r.receipt_number = receipt_number;
    r.invoice_number = invoice_number;
    r.tax = totals.tax;
    r.tax_label.clone_from(&totals.tax_label);
    let pretax = totals
        .excluding_tax
        .as_ref()
        .map(|m| m.amount)
        .or_else(|| totals.tax.and_then(|t| r.amount.amount.checked_sub(t)));
    // An invoice grants what its items bill once it is paid: its credit is kept for then.
    let billed = if r.kind == BillingKind::Invoice {
        kind_of_items(&items, &merchant)
    } else {
        r.kind
    };
    r.credit = credit_of(billed, &items, pretax, r.amount.amount);
    r.period = items
        .iter()
        .find_map(|i| i.period_start.zip(i.period_end))
        .map(|(start, end)| text::Period { start, end })
        .or_else(|| find_period(text));
    r.description = {
        let words: Vec<&str> = items
            .iter()
            .filter(|i| !i.amount.is_negative())
            .map(|i| i.description.as_str())
            .collect();
        if words.is_empty() {
            name.to_string()
        } else {
            words.join("; ")
        }
    };
    r.items = items;
    Ok(Some(r))
}

fn first_line(text: &str) -> Option<&str> {
    text.lines().find(|l| !l.trim().is_empty())
}

/// The seller: an e-mail address of a vendor (`ar@openai.com`, `support@anthropic.com`) in
/// the seller block, else a line the merchant rules know, before `Bill to`.
fn seller(text: &str, ctx: ReadContext<'_>) -> Option<super::Merchant> {
    let head: Vec<&str> = text
        .lines()
        .take_while(|l| !l.to_lowercase().starts_with("bill to"))
        .collect();
    for line in &head {
        for word in line.split_whitespace() {
            if word.contains('@')
                && let Some(p) = provider_of_address(word.trim_matches(['<', '>', ',', '|']))
            {
                return Some(merchant_of_provider(p));
            }
        }
    }
    head.iter().find_map(|line| {
        let lower = line.to_lowercase();
        let skip = ["invoice", "receipt", "date", "page", "description", "$"]
            .iter()
            .any(|w| lower.starts_with(w));
        if skip {
            return None;
        }
        merchant_of_name(line, ctx.rules)
    })
}

/// `$20.00 paid on August 10, 2026`.
fn paid_on(text: &str) -> Option<(text::Money, chrono::NaiveDateTime)> {
    text.lines().find_map(|line| {
        let lower = line.to_lowercase();
        let at = lower.find(" paid on ")?;
        let money = fields::money_at_start(line.get(..at)?.trim())?;
        let (when, _) = find_datetime(line.get(at..)?)?;
        Some((money, when))
    })
}

/// The card of the payment row after `Amount paid` (`Mastercard - 1359 August 10, 2026
/// $20.00`), or on a `Payment method` line.
fn payment_row_card(text: &str) -> Option<text::Card> {
    let lines: Vec<&str> = text.lines().collect();
    let start = lines
        .iter()
        .position(|l| l.to_lowercase().starts_with("amount paid"))
        .unwrap_or(0);
    lines.get(start..).unwrap_or_default().iter().find_map(|l| {
        let lower = l.to_lowercase();
        let names_card = [
            "visa",
            "mastercard",
            "amex",
            "american express",
            "discover",
            "jcb",
            "payment method",
        ]
        .iter()
        .any(|w| lower.contains(w));
        if names_card { find_card(l) } else { None }
    })
}

/// The lines of the items table: after its header (`Description Qty Unit price ...`) up to the
/// totals.
fn items_region(text: &str) -> Vec<&str> {
    let lines: Vec<&str> = text.lines().collect();
    let Some(start) = lines.iter().position(|l| {
        let lower = l.to_lowercase();
        lower.starts_with("description") && (lower.contains("qty") || lower.contains("amount"))
    }) else {
        return Vec::new();
    };
    lines.get(start + 1..).unwrap_or_default().to_vec()
}
