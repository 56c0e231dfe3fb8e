//! One e-mail, decoded: headers, the body as text with one HTML table cell per line, and the
//! PDF attachments. mail-parser does the MIME work (charsets, quoted-printable, base64, RFC 2047
//! words); html2text renders HTML in raw mode so that `Receipt number` and `2070-4164-2450`
//! stay two lines instead of gluing into `Receipt number2070-4164-2450`.
//!
//! Forwarded copies (`Fwd:` subjects, Gmail's `---------- Forwarded message ---------`, Apple's
//! `Begin forwarded message:`, Outlook's `-----Original Message-----`) are read through: the
//! original sender, subject and date come from the forwarded block, and `> ` quoting is
//! removed. A message forwarded as an attachment (`message/rfc822`) is decoded as its own
//! forwarded copy, keeping its original `Message-ID`. An HTML body nested deeper than a receipt ever is, or larger than a few megabytes,
//! is reduced to text by a plain tag stripper instead, so no message can exhaust the stack.

use std::borrow::Cow;

use chrono::NaiveDateTime;
use mail_parser::{MessageParser, MimeHeaders};

use super::text::{self, clean};

/// HTML bodies larger than this are stripped, not rendered.
const MAX_RENDERED_HTML_BYTES: usize = 4 * 1024 * 1024;
/// HTML nested deeper than this is stripped, not rendered (a receipt nests about twenty deep).
const MAX_RENDERED_DEPTH: usize = 400;
/// How deep messages attached to messages are read (a forward of a forward of a receipt).
const MAX_ATTACHED_DEPTH: usize = 3;

/// A decoded e-mail.
#[derive(Debug, Clone, Default)]
pub struct Mail {
    /// Without angle brackets; empty when the message has none.
    pub message_id: String,
    /// The subject; for a forwarded copy, the original's.
    pub subject: String,
    /// The sender's display name and address; for a forwarded copy, the original's.
    pub from_name: String,
    pub from_address: String,
    /// When the message (the original, for a forward) was sent, UTC.
    pub date: Option<NaiveDateTime>,
    /// The body as cleaned text lines.
    pub text: String,
    /// PDF attachments: file name and bytes.
    pub pdfs: Vec<(String, Vec<u8>)>,
    /// Whether this is a forwarded copy rather than the vendor's own message.
    pub forwarded: bool,
    /// Messages forwarded as attachments (`message/rfc822` parts), each read as a forwarded
    /// copy with its own headers.
    pub attached: Vec<Mail>,
}

/// Whether a message's headers are worth decoding its body for: its subject (or sender) speaks
/// of receipts, payments, invoices or funding. Reads the header block only.
pub fn is_candidate(headers: &[u8]) -> bool {
    let Some(message) = MessageParser::new().parse_headers(headers) else {
        return false;
    };
    let subject = message.subject().unwrap_or_default().to_lowercase();
    let from = message
        .from()
        .and_then(|f| f.first())
        .and_then(|a| a.address())
        .unwrap_or_default()
        .to_lowercase();
    subject_speaks_of_billing(&subject) || sender_is_billing(&from)
}

fn subject_speaks_of_billing(subject: &str) -> bool {
    [
        "receipt",
        "invoice",
        "payment",
        "funded",
        "unsuccessful",
        "billing",
        "charge",
        "refund",
        "your new plan",
    ]
    .iter()
    .any(|w| subject.contains(w))
}

fn sender_is_billing(address: &str) -> bool {
    let local = address.split('@').next().unwrap_or_default();
    local.starts_with("invoice+statements")
        || local.starts_with("failed-payments")
        || local == "receipts"
        || local == "billing"
        || local == "ar"
}

const FORWARD_MARKERS: &[&str] = &[
    "---------- forwarded message",
    "begin forwarded message",
    "-----original message-----",
    "-------- original message",
    "-------- forwarded message",
];

impl Mail {
    /// Decodes a message; `None` when the bytes hold no headers at all.
    pub fn parse(raw: &[u8]) -> Option<Mail> {
        let message = MessageParser::new().parse(raw)?;
        Some(Mail::from_message(&message, 0))
    }

    fn from_message(message: &mail_parser::Message<'_>, depth: usize) -> Mail {
        let from = message.from().and_then(|f| f.first());
        let mut mail = Mail {
            message_id: message
                .message_id()
                .unwrap_or_default()
                .trim_matches(['<', '>'])
                .to_string(),
            subject: message.subject().unwrap_or_default().trim().to_string(),
            from_name: from.and_then(|a| a.name()).unwrap_or_default().to_string(),
            from_address: from
                .and_then(|a| a.address())
                .unwrap_or_default()
                .to_ascii_lowercase(),
            date: message
                .date()
                .and_then(|d| chrono::DateTime::from_timestamp(d.to_timestamp(), 0))
                .map(|d| d.naive_utc()),
            ..Mail::default()
        };
        let body = match message.body_html(0) {
            Some(html) if message.html_body_count() > 0 && is_html_part(message) => {
                html_to_text(&html)
            }
            _ => message
                .body_text(0)
                .map(std::borrow::Cow::into_owned)
                .unwrap_or_default(),
        };
        for part in message.attachments() {
            if let Some(inner) = part.message() {
                if depth < MAX_ATTACHED_DEPTH {
                    let mut attached = Mail::from_message(inner, depth + 1);
                    attached.forwarded = true;
                    mail.attached.push(attached);
                }
                continue;
            }
            let name = part.attachment_name().unwrap_or_default().to_string();
            let is_pdf = part
                .content_type()
                .is_some_and(|c| c.subtype().is_some_and(|s| s.eq_ignore_ascii_case("pdf")))
                || name.to_ascii_lowercase().ends_with(".pdf");
            if is_pdf && part.contents().starts_with(b"%PDF") {
                let name = if name.is_empty() {
                    "attachment.pdf".to_string()
                } else {
                    name
                };
                mail.pdfs.push((name, part.contents().to_vec()));
            }
        }
        mail.set_body(&body);
        mail
    }

    /// Sets the body text, reading a forwarded block when there is one.
    fn set_body(&mut self, body: &str) {
        let unquoted: String = body
            .lines()
            .map(|l| l.trim_start_matches(['>', ' ']).trim_end())
            .collect::<Vec<_>>()
            .join("\n");
        let cleaned = clean(&unquoted);
        let lower = cleaned.to_lowercase();
        let subject = self.subject.to_lowercase();
        let marked = FORWARD_MARKERS.iter().filter_map(|m| lower.find(m)).min();
        let fwd_subject = ["fwd:", "fw:", "tr:", "wg:", "rv:", "enc:"]
            .iter()
            .any(|p| subject.starts_with(p));
        if let Some(at) = marked {
            self.forwarded = true;
            let block = cleaned.get(at..).unwrap_or_default();
            self.read_forward_headers(block);
            self.text = block.to_string();
        } else {
            self.forwarded = fwd_subject;
            if fwd_subject {
                self.subject = strip_forward_prefix(&self.subject);
            }
            self.text = cleaned;
        }
    }

    /// Takes the original sender, subject and date from the first lines of a forwarded block.
    fn read_forward_headers(&mut self, block: &str) {
        let mut subject_seen = false;
        for line in block.lines().skip(1).take(12) {
            let Some((name, value)) = line.split_once(':') else {
                continue;
            };
            let value = value.trim();
            match name.trim().to_ascii_lowercase().as_str() {
                "from" | "von" | "de" => {
                    let (display, address) = split_address(value);
                    self.from_name = display;
                    self.from_address = address;
                }
                "subject" | "betreff" | "objet" | "asunto" if !subject_seen => {
                    self.subject = value.to_string();
                    subject_seen = true;
                }
                "date" | "sent" | "datum" => {
                    if let Some((at, true)) = text::find_datetime(value) {
                        self.date = Some(at);
                    }
                }
                _ => {}
            }
        }
        self.subject = strip_forward_prefix(&self.subject);
    }

    /// The sender's address, lowercased.
    pub fn sender(&self) -> &str {
        &self.from_address
    }
}

fn is_html_part(message: &mail_parser::Message<'_>) -> bool {
    message
        .html_part(0)
        .is_some_and(|p| matches!(p.body, mail_parser::PartType::Html(_)))
}

fn strip_forward_prefix(subject: &str) -> String {
    let mut s = subject.trim();
    loop {
        let lower = s.to_ascii_lowercase();
        let Some(p) = ["fwd:", "fw:", "tr:", "wg:", "rv:", "enc:"]
            .iter()
            .find(|p| lower.starts_with(*p))
        else {
            return s.to_string();
        };
        s = s.get(p.len()..).unwrap_or_default().trim();
    }
}

/// `"Anthropic, PBC" <invoice+statements@mail.anthropic.com>` as name and lowercased address.
fn split_address(value: &str) -> (String, String) {
    match (value.rfind('<'), value.rfind('>')) {
        (Some(open), Some(close)) if open < close => {
            let name = value
                .get(..open)
                .unwrap_or_default()
                .trim()
                .trim_matches(['"', '\''])
                .to_string();
            let address = value
                .get(open + 1..close)
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase();
            (name, address)
        }
        _ => (String::new(), value.trim().to_ascii_lowercase()),
    }
}

/// HTML as text, one table cell per line, links and images reduced to their words.
pub fn html_to_text(html: &str) -> String {
    if html.len() > MAX_RENDERED_HTML_BYTES || nesting_depth(html) > MAX_RENDERED_DEPTH {
        return strip_tags(html);
    }
    let rendered = std::panic::catch_unwind(|| {
        html2text::config::plain_no_decorate()
            .raw_mode(true)
            .link_footnotes(false)
            .string_from_read(html.as_bytes(), 200)
    });
    match rendered {
        Ok(Ok(text)) => text,
        _ => strip_tags(html),
    }
}

/// Elements that never have a closing tag.
const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr",
];

/// How deep the elements of an HTML text nest, counted roughly (unclosed `<p>` and `<li>`
/// count too: an overestimate, which is the safe side).
fn nesting_depth(html: &str) -> usize {
    let (mut depth, mut max) = (0usize, 0usize);
    let bytes = html.as_bytes();
    let mut i = 0;
    while let Some(offset) = bytes
        .get(i..)
        .and_then(|rest| rest.iter().position(|b| *b == b'<'))
    {
        i += offset + 1;
        let Some(&next) = bytes.get(i) else { break };
        if next == b'/' {
            depth = depth.saturating_sub(1);
        } else if next.is_ascii_alphabetic() {
            let name: String = bytes
                .get(i..)
                .unwrap_or_default()
                .iter()
                .take_while(|b| b.is_ascii_alphanumeric())
                .map(|b| char::from(b.to_ascii_lowercase()))
                .collect();
            let self_closing = bytes
                .get(i..)
                .and_then(|rest| rest.iter().position(|b| *b == b'>'))
                .is_some_and(|end| end > 0 && bytes.get(i + end - 1) == Some(&b'/'));
            if !VOID.contains(&name.as_str()) && !self_closing {
                depth += 1;
                max = max.max(depth);
            }
        }
    }
    max
}

/// A plain tag stripper for HTML too large or too deep to render: block and cell tags become
/// line breaks, other tags vanish, entities for spaces and dashes are decoded.
pub fn strip_tags(html: &str) -> String {
    let mut out = String::with_capacity(html.len() / 2);
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        out.push_str(rest.get(..open).unwrap_or_default());
        let after = rest.get(open..).unwrap_or_default();
        let close = after.find('>').map_or(after.len(), |c| c + 1);
        let tag = after.get(..close).unwrap_or_default().to_ascii_lowercase();
        let name: String = tag
            .trim_start_matches(['<', '/'])
            .chars()
            .take_while(char::is_ascii_alphanumeric)
            .collect();
        if [
            "td", "th", "tr", "p", "div", "br", "li", "table", "h1", "h2", "h3",
        ]
        .contains(&name.as_str())
        {
            out.push('\n');
        }
        rest = after.get(close..).unwrap_or_default();
    }
    out.push_str(rest);
    decode_entities(&out).into_owned()
}

fn decode_entities(text: &str) -> Cow<'_, str> {
    if !text.contains('&') {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.replace("&nbsp;", " ")
            .replace("&ndash;", "\u{2013}")
            .replace("&mdash;", "\u{2014}")
            .replace("&#8211;", "\u{2013}")
            .replace("&#847;", "")
            .replace("&zwnj;", "")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&amp;", "&"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deep_html_is_stripped_not_rendered() {
        let deep = format!(
            "{}$20.00{}",
            "<div>".repeat(100_000),
            "</div>".repeat(100_000)
        );
        assert!(nesting_depth(&deep) > MAX_RENDERED_DEPTH);
        assert_eq!(clean(&html_to_text(&deep)), "$20.00\n");
        let receipt = "<table><tr><td>Receipt number</td><td>2070-4164-2450</td></tr></table>";
        assert!(nesting_depth(receipt) < 10);
        assert_eq!(
            clean(&html_to_text(receipt)),
            "Receipt number\n2070-4164-2450\n"
        );
    }

    #[test]
    fn candidates_are_told_by_their_headers() {
        let cases: &[(&str, bool)] = &[
            (
                "From: \"Anthropic, PBC\" <invoice+statements@mail.anthropic.com>\r\nSubject: Your receipt from Anthropic, PBC #2070-4164-2450\r\n\r\n",
                true,
            ),
            (
                "From: noreply@tm.openai.com\nSubject: Your OpenAI API account has been funded\n\n",
                true,
            ),
            (
                "From: =?UTF-8?Q?Anthropic=2C_PBC?= <failed-payments@mail.anthropic.com>\nSubject: =?UTF-8?Q?$21.78_payment_to_Anthropic,_PBC_was_unsuccessful?=\n\n",
                true,
            ),
            (
                "From: Mum <mum@example.org>\nSubject: Sunday lunch\n\n",
                false,
            ),
            (
                "From: GitHub <noreply@github.com>\nSubject: [octo/repo] Fix the build (#12)\n\n",
                false,
            ),
            (
                "From: me@example.org\nSubject: Fwd: Your receipt from Midjourney Inc #2278-9512-8517\n\n",
                true,
            ),
        ];
        for (headers, want) in cases {
            assert_eq!(is_candidate(headers.as_bytes()), *want, "{headers}");
        }
    }

    #[test]
    fn forwarded_block_gives_the_original_sender_and_subject() {
        let raw = "From: Me <me@example.org>\r\nSubject: Fwd: Your receipt from Anthropic, PBC #2126-0850-1152\r\nMessage-ID: <fwd-1@example.org>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nFor the expense report.\r\n\r\n---------- Forwarded message ---------\r\nFrom: Anthropic, PBC <invoice+statements@mail.anthropic.com>\r\nDate: Tue, Mar 10, 2026 at 4:12 PM\r\nSubject: Your receipt from Anthropic, PBC #2126-0850-1152\r\nTo: <me@example.org>\r\n\r\n> Receipt from Anthropic, PBC\r\n> $25.00\r\n";
        let mail = Mail::parse(raw.as_bytes()).unwrap();
        assert!(mail.forwarded);
        assert_eq!(mail.from_address, "invoice+statements@mail.anthropic.com");
        assert_eq!(
            mail.subject,
            "Your receipt from Anthropic, PBC #2126-0850-1152"
        );
        assert_eq!(mail.message_id, "fwd-1@example.org");
        assert!(
            mail.text.contains("Receipt from Anthropic, PBC\n$25.00"),
            "{}",
            mail.text
        );
        assert_eq!(mail.date.unwrap().to_string(), "2026-03-10 16:12:00");
    }
}
