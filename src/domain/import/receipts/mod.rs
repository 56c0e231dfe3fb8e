//! Billing records from the receipts people already have: receipt and billing-notice e-mails
//! (`.eml`, mailboxes in the mbox formats of Google Takeout, Thunderbird and others) and PDF
//! receipts and invoices.
//!
//! A message is read headers first ([`mail::is_candidate`]): anything whose subject says
//! nothing of receipts, payments or invoices is counted and dropped without its body being
//! decoded. A candidate is decoded (MIME, charsets, quoted-printable, base64), its HTML turned
//! into text one table cell per line, its PDF attachments read through a [`PdfText`] the caller
//! provides (the application runs the PDF library in a child process with limits), and the
//! templates tried in turn: Stripe receipts of both layouts ([`stripe`]), failed-payment mails,
//! OpenAI's funding notice and payment failure, GitHub's receipts ([`notices`]) and Stripe
//! invoice and receipt PDFs ([`pdf`]). What is not a recognised receipt is never kept, not even
//! its subject; links in mails are never followed.
//!
//! The same payment seen as the mail, its attached PDFs and a forwarded copy is one record:
//! the parts of one message are merged here, and the store merges across files by receipt
//! number, then invoice number, then `Message-ID`. Pure: no file system, no clock.

mod fields;
pub mod format;
pub mod mail;
pub mod mbox;
pub mod notices;
pub mod pdf;
pub mod stripe;
pub mod text;

use chrono::NaiveDateTime;

pub use self::mail::{Mail, is_candidate};
pub use self::pdf::{InProcessPdf, PdfText, PdfTextError};
pub use self::text::canonical_number;
use self::text::{Card, Money, Period};
use crate::domain::import::formats::default_expiry;
use crate::domain::merchants::{self, MerchantRule};
use crate::domain::money::Amount;
use crate::domain::records::{
    BillingDetails, BillingKind, BillingRecord, BillingStatus, LineItem, SourceVia,
};

/// The format id of receipt and notice e-mails (`.eml`, `.mbox`).
pub const EMAIL_FORMAT: &str = "receipt-email";
/// The format id of PDF receipts and invoices.
pub const PDF_FORMAT: &str = "receipt-pdf";

/// The largest single message or PDF read (a receipt is tens of kilobytes; a larger message
/// is someone's photos, counted and skipped).
pub const MAX_MESSAGE_BYTES: usize = 32 * 1024 * 1024;

/// What kind of file holds receipts, judged from its first bytes and its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// One RFC 5322 message (`.eml`).
    Message,
    /// Many messages, each after a `From ` line.
    Mailbox,
    Pdf,
    /// An Outlook `.msg` (OLE2): not readable here.
    OutlookMsg,
}

/// Header names that start a message file; any of them at the top of a file makes it an e-mail.
const MESSAGE_HEADERS: &[&str] = &[
    "received:",
    "return-path:",
    "delivered-to:",
    "from:",
    "to:",
    "subject:",
    "date:",
    "message-id:",
    "mime-version:",
    "x-",
    "dkim-signature:",
    "arc-",
    "authentication-results:",
    "content-type:",
    "reply-to:",
    "sender:",
    "x-gm-thrid:",
];

/// The shape of a file from its first bytes (a few kilobytes) and its name; `None` for
/// anything else (the CSV importers take it).
pub fn sniff(head: &[u8], file_name: &str) -> Option<Shape> {
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    // A PDF may have a few bytes of junk before its marker.
    let start = head.get(..head.len().min(1024)).unwrap_or_default();
    if start.windows(5).any(|w| w == b"%PDF-") {
        return Some(Shape::Pdf);
    }
    if head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return has_extension(file_name, "msg").then_some(Shape::OutlookMsg);
    }
    if head.starts_with(b"From ") {
        return Some(Shape::Mailbox);
    }
    let first_line = head
        .split(|b| *b == b'\n')
        .next()
        .map(|l| String::from_utf8_lossy(l).to_ascii_lowercase())
        .unwrap_or_default();
    let name = first_line.split(':').next().unwrap_or_default();
    let header_like = first_line.contains(':')
        && !name.is_empty()
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        && MESSAGE_HEADERS
            .iter()
            .any(|h| h.trim_end_matches(':') == name || (h.ends_with('-') && name.starts_with(h)));
    if header_like || (has_extension(file_name, "eml") && first_line.contains(':')) {
        return Some(Shape::Message);
    }
    None
}

fn has_extension(file_name: &str, extension: &str) -> bool {
    std::path::Path::new(file_name)
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case(extension))
}

/// Who sent a receipt, as far as the ledger cares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Merchant {
    /// The provider id the rest of burnrate uses (`anthropic`, `openai`, ...).
    pub provider: String,
    /// Whether the merchant rules say this merchant sells subscriptions rather than credit.
    pub sells_subscriptions: bool,
}

/// Vendor sender domains, tried before any name: a Cursor receipt that mentions Claude is
/// Cursor's.
const SENDER_DOMAINS: &[(&str, &str)] = &[
    ("anthropic.com", "anthropic"),
    ("openai.com", "openai"),
    ("openrouter.ai", "openrouter"),
    ("midjourney.com", "midjourney"),
    ("cursor.com", "cursor"),
    ("cursor.sh", "cursor"),
    ("anysphere.com", "cursor"),
    ("github.com", "github"),
    ("perplexity.ai", "perplexity"),
    ("elevenlabs.io", "elevenlabs"),
    ("mistral.ai", "mistral"),
    ("x.ai", "xai"),
];

/// The provider a sender address belongs to, by its domain (`mail.anthropic.com` too).
pub fn provider_of_address(address: &str) -> Option<&'static str> {
    let domain = address
        .rsplit_once('@')
        .map_or(address, |(_, d)| d)
        .trim()
        .trim_end_matches('>')
        .to_ascii_lowercase();
    SENDER_DOMAINS
        .iter()
        .find(|(d, _)| domain == *d || domain.ends_with(&format!(".{d}")))
        .map(|(_, p)| *p)
}

/// The provider of a merchant name as printed on a receipt (`Anthropic, PBC`, `OpenAI OpCo,
/// LLC`, `Midjourney Inc`), through the user's merchant rules and the built-in ones.
pub fn merchant_of_name(name: &str, rules: &[MerchantRule]) -> Option<Merchant> {
    let name = name.trim();
    if name.is_empty() {
        return None;
    }
    if let Some(tag) = merchants::tag(name, rules) {
        return Some(Merchant {
            provider: tag.provider,
            sells_subscriptions: tag.kind == crate::domain::records::SpendKind::Subscription,
        });
    }
    let words = merchants::normalize_descriptor(name);
    let alias = [
        ("ANYSPHERE", "cursor", true),
        ("OPENROUTER", "openrouter", false),
    ]
    .into_iter()
    .find(|(w, _, _)| format!(" {words} ").contains(&format!(" {w} ")))?;
    Some(Merchant {
        provider: alias.1.to_string(),
        sells_subscriptions: alias.2,
    })
}

/// The merchant of a provider id (from a sender domain).
pub fn merchant_of_provider(provider: &str) -> Merchant {
    let sells_subscriptions = merchants::built_in_rules().iter().any(|r| {
        r.provider == provider && r.kind == crate::domain::records::SpendKind::Subscription
    }) && !merchants::built_in_rules()
        .iter()
        .any(|r| r.provider == provider && r.kind == crate::domain::records::SpendKind::ApiTopup);
    Merchant {
        provider: provider.to_string(),
        sells_subscriptions,
    }
}

/// A payment document as read: a receipt, an invoice, a failed payment or a funding notice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    pub provider: String,
    pub kind: BillingKind,
    pub status: BillingStatus,
    /// When it was paid (or failed, or issued, for an invoice), UTC when the source gives a
    /// zone; midnight when only a date is known.
    pub at: NaiveDateTime,
    /// The money paid (or due, or that failed), tax included.
    pub amount: Money,
    pub receipt_number: String,
    pub invoice_number: String,
    pub tax: Option<Amount>,
    pub tax_label: String,
    /// Credit granted, when it differs from `amount` (credit excludes tax).
    pub credit: Option<Amount>,
    pub card: Option<Card>,
    /// A wallet when no card is shown (`Link`, `UPI`).
    pub wallet: String,
    pub description: String,
    pub items: Vec<LineItem>,
    pub period: Option<Period>,
    /// The organization the document names (OpenAI's `org-…`), else empty.
    pub organization: String,
    pub kind_inferred: bool,
}

impl Receipt {
    /// A receipt with only the essentials; the readers fill the rest.
    pub fn new(
        provider: &str,
        kind: BillingKind,
        status: BillingStatus,
        at: NaiveDateTime,
        amount: Money,
    ) -> Self {
        Self {
            provider: provider.to_string(),
            kind,
            status,
            at,
            amount,
            receipt_number: String::new(),
            invoice_number: String::new(),
            tax: None,
            tax_label: String::new(),
            credit: None,
            card: None,
            wallet: String::new(),
            description: String::new(),
            items: Vec::new(),
            period: None,
            organization: String::new(),
            kind_inferred: false,
        }
    }

    /// Whether `other` is the same payment (the e-mail and its attached PDFs): a shared receipt
    /// or invoice number, or (for a mail without numbers) the same amount.
    fn same_payment(&self, other: &Receipt) -> bool {
        let shared = |a: &str, b: &str| !a.is_empty() && a == b;
        self.provider == other.provider
            && (shared(&self.receipt_number, &other.receipt_number)
                || shared(&self.invoice_number, &other.invoice_number))
    }

    /// Takes from `other` (the same payment, read from another part) what this one lacks. A
    /// paid receipt outranks an invoice: its kind, status, date and amount stay.
    pub fn absorb(&mut self, other: Receipt) {
        let other_proves_payment =
            other.status == BillingStatus::Paid && self.kind == BillingKind::Invoice;
        if other_proves_payment {
            self.kind = other.kind;
            self.status = other.status;
            self.at = other.at;
            self.amount = other.amount.clone();
        }
        fill(&mut self.receipt_number, other.receipt_number);
        fill(&mut self.invoice_number, other.invoice_number);
        if self.tax.is_none() {
            self.tax = other.tax;
        }
        fill(&mut self.tax_label, other.tax_label);
        if self.credit.is_none() {
            self.credit = other.credit;
        }
        if self.card.is_none() {
            self.card = other.card;
        }
        fill(&mut self.wallet, other.wallet);
        fill(&mut self.description, other.description);
        if self.items.is_empty() {
            self.items = other.items;
        }
        if self.period.is_none() {
            self.period = other.period;
        }
        fill(&mut self.organization, other.organization);
    }

    /// The billing record, with where it was read.
    pub fn into_record(self, source: &Source) -> BillingRecord {
        let expires_at = default_expiry(self.kind, self.status, self.at);
        let number = if self.receipt_number.is_empty() {
            self.invoice_number.clone()
        } else {
            self.receipt_number.clone()
        };
        let amount_text = format!("{} {}", self.amount.amount, self.amount.currency);
        let (card_brand, card_last4) = match &self.card {
            Some(c) => (c.brand.clone(), c.last4.clone()),
            None => (self.wallet.clone(), String::new()),
        };
        BillingRecord {
            occurred_at: self.at,
            provider: self.provider,
            number,
            kind: self.kind,
            amount: self.amount.amount,
            currency: self.amount.currency,
            amount_text,
            status: self.status,
            expires_at,
            description: self.description,
            organization: self.organization,
            project: String::new(),
            details: BillingDetails {
                receipt_number: self.receipt_number,
                invoice_number: self.invoice_number,
                tax: self.tax,
                tax_label: self.tax_label,
                credit: self.credit,
                card_brand,
                card_last4,
                period_start: self.period.map(|p| p.start),
                period_end: self.period.map(|p| p.end),
                items: self.items,
                message_id: source.message_id.clone(),
                attachment: source.attachment.clone(),
                via: source.via,
                kind_inferred: self.kind_inferred,
            },
        }
    }
}

fn fill(slot: &mut String, value: String) {
    if slot.is_empty() {
        *slot = value;
    }
}

/// Where a receipt was read.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Source {
    pub message_id: String,
    pub attachment: String,
    pub via: SourceVia,
}

/// What one message (or one PDF) gave.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// Billing records, one per payment the message shows.
    Records(Vec<BillingRecord>),
    /// Not a receipt or billing notice: counted, nothing kept.
    NotReceipt,
    /// A receipt from a merchant the merchant rules do not know (`Fly.io, Inc.`): counted so
    /// the user can add a rule, nothing kept.
    UnknownMerchant(String),
    /// It looks like a receipt but could not be read: the reason, for the import report.
    Unreadable(String),
}

/// What the readers need from the ledger.
#[derive(Debug, Clone, Copy)]
pub struct ReadContext<'a> {
    /// The user's merchant rules, tried before the built-in ones.
    pub rules: &'a [MerchantRule],
    pub pdf: &'a dyn PdfText,
}

/// Reads one message (the bytes of an `.eml`, or one message of a mailbox).
pub fn read_message(raw: &[u8], ctx: ReadContext<'_>) -> Verdict {
    let Some(mail) = Mail::parse(raw) else {
        return Verdict::NotReceipt;
    };
    read_mail(&mail, ctx)
}

/// Reads a decoded message.
pub fn read_mail(mail: &Mail, ctx: ReadContext<'_>) -> Verdict {
    let via = if mail.forwarded {
        SourceVia::Forward
    } else {
        SourceVia::Email
    };
    let mut found: Vec<(Receipt, Source)> = Vec::new();
    let mut unknown: Option<String> = None;
    let mut unreadable: Option<String> = None;
    let body_source = Source {
        message_id: mail.message_id.clone(),
        attachment: String::new(),
        via,
    };
    match notices::read(mail, ctx.rules).or_else(|| stripe::read(mail, ctx.rules)) {
        Some(Ok(receipt)) => found.push((receipt, body_source)),
        Some(Err(Problem::UnknownMerchant(name))) => unknown = Some(name),
        Some(Err(Problem::Unreadable(reason))) => unreadable = Some(reason),
        None => {}
    }
    for (name, bytes) in &mail.pdfs {
        let source = Source {
            message_id: mail.message_id.clone(),
            attachment: name.clone(),
            via,
        };
        match pdf::read_pdf(bytes, name, ctx) {
            Ok(Some(receipt)) => {
                if let Some((first, first_source)) =
                    found.iter_mut().find(|(r, _)| r.same_payment(&receipt))
                {
                    if !first_source.attachment.is_empty() {
                        first_source.attachment.push_str(", ");
                    }
                    first_source.attachment.push_str(name);
                    first.absorb(receipt);
                } else {
                    found.push((receipt, source));
                }
            }
            Ok(None) => {}
            Err(Problem::UnknownMerchant(name)) => unknown = unknown.or(Some(name)),
            Err(Problem::Unreadable(reason)) => {
                unreadable = unreadable.or(Some(format!("{name}: {reason}")));
            }
        }
    }
    let mut attached = Vec::new();
    for inner in &mail.attached {
        match read_mail(inner, ctx) {
            Verdict::Records(records) => attached.extend(records),
            Verdict::UnknownMerchant(name) => unknown = unknown.or(Some(name)),
            Verdict::Unreadable(reason) => unreadable = unreadable.or(Some(reason)),
            Verdict::NotReceipt => {}
        }
    }
    if !found.is_empty() || !attached.is_empty() {
        let mut records: Vec<BillingRecord> =
            found.into_iter().map(|(r, s)| r.into_record(&s)).collect();
        records.extend(attached);
        return Verdict::Records(records);
    }
    if let Some(reason) = unreadable {
        return Verdict::Unreadable(reason);
    }
    match unknown {
        Some(name) => Verdict::UnknownMerchant(name),
        None => Verdict::NotReceipt,
    }
}

/// Reads a PDF file given alone (downloaded from a billing page).
pub fn read_pdf_file(bytes: &[u8], name: &str, ctx: ReadContext<'_>) -> Verdict {
    let source = Source {
        message_id: String::new(),
        attachment: name.to_string(),
        via: SourceVia::Pdf,
    };
    match pdf::read_pdf(bytes, name, ctx) {
        Ok(Some(receipt)) => Verdict::Records(vec![receipt.into_record(&source)]),
        Ok(None) => Verdict::NotReceipt,
        Err(Problem::UnknownMerchant(name)) => Verdict::UnknownMerchant(name),
        Err(Problem::Unreadable(reason)) => Verdict::Unreadable(reason),
    }
}

/// Why a document that looks like a receipt gave no record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    UnknownMerchant(String),
    Unreadable(String),
}

/// The kind a receipt's line items say: an auto-recharge, a credit purchase, a subscription;
/// anything else is an `invoice` (money paid for something that is neither credit nor a
/// plan), never guessed to be credit.
pub fn kind_of_items(items: &[LineItem], merchant: &Merchant) -> BillingKind {
    let texts: Vec<String> = items
        .iter()
        .filter(|i| !i.amount.is_negative())
        .map(|i| i.description.to_lowercase())
        .collect();
    let any = |f: &dyn Fn(&str) -> bool| texts.iter().any(|t| f(t));
    if any(&|t| {
        t.contains("auto-recharge")
            || t.contains("auto recharge")
            || t.contains("auto-reload")
            || t.contains("automatic top")
    }) {
        return BillingKind::AutoRecharge;
    }
    if any(&|t| is_credit_item(t)) {
        return BillingKind::CreditPurchase;
    }
    if any(&|t| is_plan_item(t)) || (texts.is_empty() && merchant.sells_subscriptions) {
        return BillingKind::Subscription;
    }
    if texts.is_empty() {
        return BillingKind::Invoice;
    }
    if merchant.sells_subscriptions {
        return BillingKind::Subscription;
    }
    BillingKind::Invoice
}

fn is_credit_item(t: &str) -> bool {
    t.contains("credit purchase")
        || t.contains("usage credit")
        || t.contains("credits")
        || t.contains("top-up")
        || t.contains("top up")
        || t.contains("prepayment")
        || t.contains("prepaid")
}

fn is_plan_item(t: &str) -> bool {
    [
        "plan",
        "subscription",
        "pro",
        "max",
        "plus",
        "team",
        "seat",
        "month",
        "year",
        "premium",
    ]
    .iter()
    .any(|w| {
        t.split(|c: char| !c.is_alphanumeric())
            .any(|word| word == *w)
    })
}

/// The credit a purchase grants: its credit lines before tax, when that differs from what was
/// paid. `None` for anything that is not a credit purchase.
pub fn credit_of(
    kind: BillingKind,
    items: &[LineItem],
    pretax: Option<Amount>,
    paid: Amount,
) -> Option<Amount> {
    if !matches!(
        kind,
        BillingKind::CreditPurchase | BillingKind::AutoRecharge
    ) {
        return None;
    }
    let from_items = crate::domain::money::checked_sum(items.iter().map(|i| i.amount))
        .filter(|s| !s.is_zero() && !items.is_empty());
    let credit = pretax.or(from_items)?;
    (credit != paid).then_some(credit)
}

#[cfg(test)]
mod tests;
