//! Billing mails that are not Stripe receipts: OpenAI's API funding notice and its payment
//! failure, and GitHub's payment receipts.
//!
//! OpenAI's funding notice (`Your OpenAI API account has been funded`) gives the amount, the
//! card's last four digits and the organization id, and no number: the record is keyed by its
//! `Message-ID`, and its time is the message's, so two same-day notices for the same amount
//! stay two records. It does not say whether the top-up was automatic; the kind is inferred
//! (see [`super::Receipt::kind_inferred`]). GitHub's receipts are plain text with `Total:`,
//! `Charged to:`, `Transaction ID:` (kept as the receipt number) and a dated `Date:`.

use super::fields;
use super::mail::Mail;
use super::text::{self, find_card, find_datetime, find_period, money_of};
use super::{Problem, Receipt, provider_of_address};
use crate::domain::merchants::MerchantRule;
use crate::domain::records::{BillingKind, BillingStatus, LineItem};

/// Reads the notice a mail is, if it is one of these.
pub fn read(mail: &Mail, _rules: &[MerchantRule]) -> Option<Result<Receipt, Problem>> {
    let subject = mail.subject.to_lowercase();
    let provider = provider_of_address(mail.sender());
    if subject.contains("has been funded") && provider == Some("openai") {
        return Some(openai_funded(mail));
    }
    if subject.contains("invoice payment failed") && provider == Some("openai") {
        return Some(openai_failed(mail));
    }
    if subject.contains("payment receipt") && provider == Some("github") {
        return Some(github(mail));
    }
    None
}

fn sentence_after<'a>(text: &'a str, marker: &str) -> Option<&'a str> {
    let lower = text.to_lowercase();
    let at = lower.find(marker)?;
    text.get(at..)
}

fn openai_funded(mail: &Mail) -> Result<Receipt, Problem> {
    let unreadable =
        || Problem::Unreadable("the OpenAI funding notice shows no amount charged".to_string());
    let sentence = sentence_after(&mail.text, "we charged").ok_or_else(unreadable)?;
    let sentence = sentence.split(" to fund").next().unwrap_or(sentence);
    let amount = money_of(sentence).ok_or_else(unreadable)?;
    let at = mail
        .date
        .ok_or_else(|| Problem::Unreadable("the OpenAI funding notice has no date".to_string()))?;
    let mut r = Receipt::new(
        "openai",
        BillingKind::CreditPurchase,
        BillingStatus::Paid,
        at,
        amount,
    );
    r.kind_inferred = true;
    r.card = find_card(sentence);
    r.organization = organization_id(&mail.text).unwrap_or_default();
    r.description = "OpenAI API credit (funding notice)".to_string();
    Ok(r)
}

/// `org-MJ44dGHK…` from `OpenAI Organization: <name> (org-…)`.
fn organization_id(text: &str) -> Option<String> {
    let at = text.find("(org-")?;
    let rest = text.get(at + 1..)?;
    let id: String = rest
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    (id.len() > 4).then_some(id)
}

fn openai_failed(mail: &Mail) -> Result<Receipt, Problem> {
    let unreadable =
        || Problem::Unreadable("the OpenAI payment failure shows no amount".to_string());
    let sentence = sentence_after(&mail.text, "unable to process").ok_or_else(unreadable)?;
    let sentence = sentence.split('\n').next().unwrap_or(sentence);
    let amount = money_of(sentence).ok_or_else(unreadable)?;
    let at = mail
        .date
        .ok_or_else(|| Problem::Unreadable("the OpenAI payment failure has no date".into()))?;
    let mut r = Receipt::new(
        "openai",
        BillingKind::CreditPurchase,
        BillingStatus::Failed,
        at,
        amount,
    );
    r.kind_inferred = true;
    r.card = find_card(sentence);
    r.description = "OpenAI API payment failed".to_string();
    Ok(r)
}

fn github(mail: &Mail) -> Result<Receipt, Problem> {
    let text = &mail.text;
    let total = fields::money_after(text, "Total")
        .ok_or_else(|| Problem::Unreadable("the GitHub receipt shows no total".to_string()))?;
    let at = fields::values_after(text, "Date")
        .into_iter()
        .find_map(|v| find_datetime(v).map(|(at, _)| at))
        .or(mail.date)
        .ok_or_else(|| Problem::Unreadable("the GitHub receipt shows no date".to_string()))?;
    let mut r = Receipt::new(
        "github",
        BillingKind::Subscription,
        BillingStatus::Paid,
        at,
        total.clone(),
    );
    r.receipt_number = fields::values_after(text, "Transaction ID")
        .into_iter()
        .find_map(fields::number_token)
        .unwrap_or_default();
    r.tax = fields::money_after(text, "Tax").map(|m| m.amount);
    if r.tax.is_some() {
        r.tax_label = "Tax".to_string();
    }
    r.card = fields::values_after(text, "Charged to")
        .into_iter()
        .find_map(find_card);
    r.period = find_period(text);
    r.items = github_items(text, r.period);
    r.description = if r.items.is_empty() {
        "GitHub subscription".to_string()
    } else {
        r.items
            .iter()
            .map(|i| i.description.as_str())
            .collect::<Vec<_>>()
            .join("; ")
    };
    if r.items.iter().any(|i| i.amount.is_negative()) && r.items.len() > 1 {
        // Credits on a GitHub receipt (`Copilot Pro+ -33.97`) are part of the same bill.
        r.description = format!("{} (with credits)", r.description);
    }
    Ok(r)
}

/// `GitHub Developer Plan - Month: $4.00 USD`, `GitHub Copilot Pro - month: $7.67`.
fn github_items(text: &str, period: Option<text::Period>) -> Vec<LineItem> {
    text.lines()
        .filter_map(|line| {
            let (label, value) = line.rsplit_once(": ")?;
            let lower = label.to_lowercase();
            if !(lower.contains("github") || lower.contains("copilot")) || lower.contains("receipt")
            {
                return None;
            }
            let amount = money_of(value)?.amount;
            Some(LineItem {
                description: label.trim().to_string(),
                quantity: String::new(),
                amount,
                period_start: period.map(|p| p.start),
                period_end: period.map(|p| p.end),
            })
        })
        .collect()
}
