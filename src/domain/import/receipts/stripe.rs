//! Stripe's receipt e-mails, the same for every merchant that bills through Stripe (Anthropic,
//! `OpenRouter`, Midjourney, Cursor, OpenAI's older receipts, ...), and its failed-payment mails.
//!
//! Two receipt layouts: the **invoice receipt** (`Receipt from X`, amount, `Paid <date>`,
//! `Receipt number`, `Invoice number`, `Payment method`, then `Receipt #N`, period blocks and
//! items, totals) and the **payment receipt** (`Receipt from X Receipt #N`, `Amount paid`,
//! `Date paid` with a time, `Payment method`, a `Summary` of `- item : amount` lines, and no
//! invoice). A failed payment says only `$21.78 payment to Anthropic, PBC was unsuccessful`
//! (`... again` on a retry) in its subject. The charge date is taken from the body, the
//! message's `Date:` only when the body has none. Amounts a locale printed without a sign
//! (`40. 66`) are read in the one currency the receipt names elsewhere. Refunds (`Your refund from X`) become
//! refund records.

use std::sync::LazyLock;

use chrono::NaiveDateTime;
use regex::Regex;

use super::fields::{self, PeriodPlacement, number_after};
use super::mail::Mail;
use super::text::{self, Money, find_card, find_datetime, find_money, find_period, money_of};
use super::{
    Merchant, Problem, Receipt, credit_of, kind_of_items, merchant_of_name, merchant_of_provider,
    provider_of_address,
};
use crate::domain::merchants::MerchantRule;
use crate::domain::records::{BillingKind, BillingStatus};

static FAILED_SUBJECT: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?P<amount>.+?)\s+payment\s+to\s+(?P<merchant>.+?)\s+was\s+unsuccessful(?P<again>\s+again)?").ok()
});

static SUBJECT_NUMBER: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"#\s?(?P<n>[0-9A-Z][0-9A-Z\-]{3,})").ok());

/// Wallets Stripe names in words where a card would show its last digits.
const WALLETS: &[&str] = &[
    "Link",
    "UPI",
    "PayPal",
    "Apple Pay",
    "Google Pay",
    "Cash App Pay",
    "Amazon Pay",
    "SEPA Direct Debit",
    "Bank transfer",
    "Alipay",
    "WeChat Pay",
];

/// Reads a Stripe receipt, refund or failed-payment mail; `None` when the mail is none of
/// these.
pub fn read(mail: &Mail, rules: &[MerchantRule]) -> Option<Result<Receipt, Problem>> {
    if let Some(failed) = read_failed(mail, rules) {
        return Some(failed);
    }
    if !looks_like_stripe(&mail.text) {
        return None;
    }
    let merchant_name = merchant_name(mail)?;
    Some(read_receipt(mail, &merchant_name, rules))
}

/// Whether a body has the fields of a Stripe receipt (two of them at least), so that a
/// personal mail mentioning "the receipt from the plumber" is not read as one.
fn looks_like_stripe(text: &str) -> bool {
    let lower = text.to_lowercase();
    [
        "receipt number",
        "amount paid",
        "date paid",
        "invoice number",
        "payment method",
        "receipt #",
        "amount refunded",
    ]
    .iter()
    .filter(|m| lower.contains(*m))
    .count()
        >= 2
}

/// The provider of a mail: its sender's domain when that is a vendor's, else the merchant
/// name through the merchant rules.
fn merchant(mail: &Mail, name: &str, rules: &[MerchantRule]) -> Result<Merchant, Problem> {
    if let Some(provider) = provider_of_address(mail.sender()) {
        return Ok(merchant_of_provider(provider));
    }
    merchant_of_name(name, rules).ok_or_else(|| Problem::UnknownMerchant(name.to_string()))
}

fn read_failed(mail: &Mail, rules: &[MerchantRule]) -> Option<Result<Receipt, Problem>> {
    let caps = FAILED_SUBJECT.as_ref()?.captures(&mail.subject)?;
    let amount = money_of(&text::clean(caps.name("amount")?.as_str()))?;
    let name = caps.name("merchant")?.as_str().trim().to_string();
    let retry = caps.name("again").is_some();
    Some(merchant(mail, &name, rules).map(|m| {
        let at = mail.date.unwrap_or_default();
        let mut r = Receipt::new(
            &m.provider,
            BillingKind::CreditPurchase,
            BillingStatus::Failed,
            at,
            amount,
        );
        r.kind_inferred = true;
        r.description = if retry {
            format!("Payment to {name} failed again")
        } else {
            format!("Payment to {name} failed")
        };
        r.card = card_in_sentence(&mail.text);
        r
    }))
}

/// A card named in a sentence (`the card ending in 4411`), not a document number.
fn card_in_sentence(text: &str) -> Option<text::Card> {
    let lower = text.to_lowercase();
    let at = lower.find("ending in")?;
    let start = lower.get(..at)?.rfind(['.', '\n']).map_or(0, |i| i + 1);
    find_card(text.get(start..at + 20.min(text.len() - at))?)
}

/// `Receipt from Anthropic, PBC` (body) or `Your receipt from Anthropic, PBC #…` / `Your
/// OpenRouter, Inc receipt [#…]` / `Your refund from Replit #…` (subject).
fn merchant_name(mail: &Mail) -> Option<String> {
    for line in mail.text.lines().take(80) {
        let lower = line.to_lowercase();
        for label in ["receipt from ", "refund from "] {
            if let Some(at) = lower.find(label) {
                let rest = line.get(at + label.len()..).unwrap_or_default();
                let name = cut_merchant(rest);
                if !name.is_empty() {
                    return Some(name);
                }
            }
        }
    }
    let subject = mail.subject.trim();
    let lower = subject.to_lowercase();
    for label in ["your receipt from ", "your refund from "] {
        if let Some(rest) = lower.strip_prefix(label) {
            let rest = subject
                .get(subject.len() - rest.len()..)
                .unwrap_or_default();
            let name = cut_merchant(rest);
            if !name.is_empty() {
                return Some(name);
            }
        }
    }
    let rest = lower.strip_prefix("your ")?;
    let end = rest.find(" receipt")?;
    subject
        .get(5..5 + end)
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_string)
}

/// The merchant name at the start of `rest`, before a number, an amount or the next field.
fn cut_merchant(rest: &str) -> String {
    let mut end = rest.len();
    for stop in [" #", " [#", " Receipt #", " receipt", " Paid ", " Amount "] {
        if let Some(i) = rest.find(stop) {
            end = end.min(i);
        }
    }
    if let Some((_, range)) = find_money(rest) {
        end = end.min(range.start);
    }
    rest.get(..end)
        .unwrap_or_default()
        .trim()
        .trim_end_matches([',', '-', '|'])
        .trim()
        .to_string()
}

fn read_receipt(mail: &Mail, name: &str, rules: &[MerchantRule]) -> Result<Receipt, Problem> {
    let merchant = merchant(mail, name, rules)?;
    // Amounts written without a sign (a Czech mailbox's `Amount paid 40. 66`) are read in the
    // one currency the receipt names elsewhere.
    let unsigned = {
        let t = fields::totals(&mail.text);
        t.paid.is_none() && t.total.is_none()
    };
    let signed = if unsigned {
        text::sign_bare_amounts(&mail.text)
    } else {
        None
    };
    let text = signed.as_deref().unwrap_or(&mail.text);
    let refund = mail.subject.to_lowercase().contains("refund")
        || text.to_lowercase().contains("refund from ");
    let totals = fields::totals(text);
    let paid = if refund {
        totals.refunded.clone().or_else(|| totals.total.clone())
    } else {
        totals.paid.clone()
    }
    .or_else(|| amount_after_merchant(text))
    .or_else(|| totals.total.clone())
    .ok_or_else(|| {
        Problem::Unreadable(if text::has_bare_amount(text) {
            format!(
                "the receipt from {name} writes its amounts without a currency and names none elsewhere; \
                 add this payment to the billing CSV by hand"
            )
        } else {
            format!("the receipt from {name} shows no amount paid")
        })
    })?;
    let at = paid_at(text)
        .or(mail.date)
        .ok_or_else(|| Problem::Unreadable(format!("the receipt from {name} shows no date")))?;
    let receipt_number = number_after(text, "Receipt number")
        .or_else(|| number_after(text, "Receipt #"))
        .or_else(|| number_after(text, "Refund number"))
        .or_else(|| subject_number(&mail.subject))
        .unwrap_or_default();
    let invoice_number = number_after(text, "Invoice number").unwrap_or_default();
    let items = receipt_items(text);
    let items = if fields::adds_up(&items, &totals) {
        items
    } else {
        Vec::new()
    };
    let kind = if refund {
        BillingKind::Refund
    } else {
        kind_of_items(&items, &merchant)
    };
    let status = if refund {
        BillingStatus::Refunded
    } else {
        BillingStatus::Paid
    };
    let mut r = Receipt::new(&merchant.provider, kind, status, at, paid.clone());
    r.receipt_number = receipt_number;
    r.invoice_number = invoice_number;
    r.tax = totals.tax;
    r.tax_label.clone_from(&totals.tax_label);
    let pretax = totals
        .excluding_tax
        .as_ref()
        .map(|m| m.amount)
        .or_else(|| totals.tax.and_then(|t| paid.amount.checked_sub(t)));
    r.credit = credit_of(kind, &items, pretax, paid.amount);
    let method = fields::values_after(text, "Payment method")
        .into_iter()
        .next()
        .unwrap_or_default();
    r.card = find_card(method);
    if r.card.is_none() {
        r.wallet = WALLETS
            .iter()
            .find(|w| method.to_lowercase().starts_with(&w.to_lowercase()))
            .map(|w| (*w).to_string())
            .unwrap_or_default();
    }
    r.period = items
        .iter()
        .find_map(|i| i.period_start.zip(i.period_end))
        .map(|(start, end)| text::Period { start, end })
        .or_else(|| find_period(text));
    r.description = describe(&items, name);
    r.items = items;
    Ok(r)
}

/// The amount printed under `Receipt from X` (the invoice-receipt layout puts it there).
fn amount_after_merchant(text: &str) -> Option<Money> {
    let mut lines = text.lines();
    lines.find(|l| l.to_lowercase().contains("receipt from "))?;
    lines.next().and_then(fields::money_at_start)
}

/// `Paid August 16, 2026` or `Date paid May 15, 2026, 12:53:38 PM`.
fn paid_at(text: &str) -> Option<NaiveDateTime> {
    for line in text.lines() {
        let lower = line.to_lowercase();
        if let Some(rest) = lower.strip_prefix("paid ") {
            let rest = line.get(line.len() - rest.len()..).unwrap_or_default();
            if let Some((at, _)) = find_datetime(rest) {
                return Some(at);
            }
        }
    }
    fields::values_after(text, "Date paid")
        .into_iter()
        .chain(fields::values_after(text, "Refunded on"))
        .find_map(|v| find_datetime(v).map(|(at, _)| at))
}

fn subject_number(subject: &str) -> Option<String> {
    let caps = SUBJECT_NUMBER.as_ref()?.captures(subject)?;
    Some(text::canonical_number(caps.name("n")?.as_str()))
}

/// The line items: the invoice-receipt's table after `Receipt #N`, else the payment-receipt's
/// `Summary` lines `- OpenRouter Credits : $52.75`.
fn receipt_items(text: &str) -> Vec<crate::domain::records::LineItem> {
    let lines: Vec<&str> = text.lines().collect();
    let start = lines
        .iter()
        .position(|l| l.to_lowercase().starts_with("receipt #"));
    if let Some(start) = start {
        let region = lines.get(start + 1..).unwrap_or_default();
        let items = fields::items(region, PeriodPlacement::Before);
        if !items.is_empty() {
            return items;
        }
    }
    let Some(summary) = lines.iter().position(|l| l.eq_ignore_ascii_case("summary")) else {
        return Vec::new();
    };
    let region: Vec<&str> = lines
        .get(summary + 1..)
        .unwrap_or_default()
        .iter()
        .take_while(|l| l.starts_with("- ") || l.starts_with('-'))
        .map(|l| l.trim_start_matches(['-', ' ']))
        .collect();
    fields::items(&region, PeriodPlacement::Before)
}

/// What the record's description says: its items, or the merchant.
fn describe(items: &[crate::domain::records::LineItem], merchant: &str) -> String {
    let words: Vec<&str> = items
        .iter()
        .filter(|i| !i.amount.is_negative())
        .map(|i| i.description.as_str())
        .collect();
    if words.is_empty() {
        format!("Receipt from {merchant}")
    } else {
        words.join("; ")
    }
}
