//! Secret keys pasted where they do not belong: masked before anything is stored.
//!
//! People name projects, API keys and users with whatever they paste, and a provider's export
//! carries those names into the ledger, then into reports, the HTML review and dispute
//! packets. Anything shaped like a secret key (`sk-proj-...`, `sk-ant-api03-...`, a GitHub or
//! Google key, an AWS access key id) is replaced by its recognisable prefix and its last four
//! characters: `sk-proj-...7Qa9`. Enough to tell which key it was, useless to anyone else.
//!
//! A key is a run of `[A-Za-z0-9_-]` that starts with a known prefix and continues with a
//! long, high-entropy body (letters and digits mixed), so ordinary words that happen to start
//! like a prefix (`sk-learn-experiments`) stay as they are. Masking is idempotent: a masked
//! key has `...` in it and is never a key again.
//!
//! Masked: every text a person chose or typed (names, descriptions, notes, a receipt's items
//! and attachment name, an agent's working folder, repository and model). Left as written:
//! identifiers a program generated (receipt and invoice numbers, `Message-ID`s, agent session
//! and message ids), which records are found again by and which no one pastes a key into.

use crate::domain::agents::AgentRequest;
use crate::domain::records::{BillingRecord, Record, UsageRecord};

/// A key shape: its prefix and the length its body must at least have.
struct Shape {
    prefix: &'static str,
    min_body: usize,
    /// The body is upper-case letters and digits only (AWS access key ids).
    upper_only: bool,
}

const fn shape(prefix: &'static str, min_body: usize) -> Shape {
    Shape {
        prefix,
        min_body,
        upper_only: false,
    }
}

/// Longest prefixes first, so `sk-ant-api03-` wins over `sk-ant-` and `sk-`.
const SHAPES: &[Shape] = &[
    shape("sk-ant-admin01-", 16),
    shape("sk-ant-api03-", 16),
    shape("sk-ant-oat01-", 16),
    shape("sk-ant-", 16),
    shape("sk-proj-", 16),
    shape("sk-svcacct-", 16),
    shape("sk-admin-", 16),
    shape("sk-or-v1-", 16),
    shape("sk-None-", 16),
    shape("sk-", 20),
    shape("sk_live_", 16),
    shape("sk_test_", 16),
    shape("rk_live_", 16),
    shape("rk_test_", 16),
    shape("github_pat_", 20),
    shape("ghp_", 20),
    shape("gho_", 20),
    shape("ghu_", 20),
    shape("ghs_", 20),
    shape("ghr_", 20),
    shape("glpat-", 16),
    shape("xoxb-", 16),
    shape("xoxp-", 16),
    shape("AIza", 30),
    shape("xai-", 20),
    shape("gsk_", 20),
    shape("pplx-", 20),
    shape("hf_", 20),
    shape("r8_", 20),
    Shape {
        prefix: "AKIA",
        min_body: 16,
        upper_only: true,
    },
    Shape {
        prefix: "ASIA",
        min_body: 16,
        upper_only: true,
    },
];

fn is_key_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-' || c == '_'
}

/// Whether `body` looks like random key material rather than words.
fn high_entropy(body: &str, upper_only: bool) -> bool {
    if upper_only {
        return body
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
    }
    let digits = body.chars().filter(char::is_ascii_digit).count();
    let letters = body.chars().filter(char::is_ascii_alphabetic).count();
    digits >= 3 && letters >= 3
}

/// The masked form of one run of key characters, when it holds a key: at its start or after
/// a `-` or `_` (`user-sk-ant-api03-...`), never inside a word (`task-force`).
fn mask_token(token: &str) -> Option<String> {
    let starts = std::iter::once(0).chain(
        token
            .char_indices()
            .filter(|(_, c)| *c == '-' || *c == '_')
            .map(|(i, _)| i + 1),
    );
    for start in starts {
        let candidate = &token[start..];
        let Some(shape) = SHAPES.iter().find(|s| {
            candidate.starts_with(s.prefix)
                && candidate.len() >= s.prefix.len() + s.min_body
                && high_entropy(&candidate[s.prefix.len()..], s.upper_only)
        }) else {
            continue;
        };
        let tail_start = token.len().saturating_sub(4);
        return Some(format!(
            "{}{}...{}",
            &token[..start],
            shape.prefix,
            &token[tail_start..]
        ));
    }
    None
}

/// The shortest run of key characters that can hold a key (a prefix and its shortest body).
const SHORTEST_KEY: usize = {
    let mut shortest = usize::MAX;
    let mut i = 0;
    while i < SHAPES.len() {
        let len = SHAPES[i].prefix.len() + SHAPES[i].min_body;
        if len < shortest {
            shortest = len;
        }
        i += 1;
    }
    shortest
};

/// Whether `text` has a run of key characters long enough to be a key: the cheap test that
/// lets the names and ids of a million-row export through without a closer look.
fn has_long_run(text: &str) -> bool {
    // Most names and ids are shorter than any key: nothing to look at.
    if text.len() < SHORTEST_KEY {
        return false;
    }
    let mut run = 0;
    for &b in text.as_bytes() {
        if b.is_ascii_alphanumeric() || b == b'-' || b == b'_' {
            run += 1;
            if run >= SHORTEST_KEY {
                return true;
            }
        } else {
            run = 0;
        }
    }
    false
}

/// `text` with every secret key masked, and how many were; `None` when there was none.
pub fn mask(text: &str) -> Option<(String, usize)> {
    if !has_long_run(text) {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    let mut masked = 0;
    let mut rest = text;
    while let Some(start) = rest.find(is_key_char) {
        out.push_str(&rest[..start]);
        let run = &rest[start..];
        let end = run.find(|c: char| !is_key_char(c)).unwrap_or(run.len());
        let token = &run[..end];
        if let Some(m) = mask_token(token) {
            out.push_str(&m);
            masked += 1;
        } else {
            out.push_str(token);
        }
        rest = &run[end..];
    }
    out.push_str(rest);
    (masked > 0).then_some((out, masked))
}

/// Masks `text` in place; returns how many keys were masked.
pub fn mask_in_place(text: &mut String) -> usize {
    match mask(text) {
        Some((masked, n)) => {
            *text = masked;
            n
        }
        None => 0,
    }
}

/// Every free-text field of a record (names, descriptions, ids, notes): the fields a pasted
/// key or a control character can hide in.
pub fn text_fields_mut(record: &mut Record) -> Vec<&mut String> {
    match record {
        Record::Usage(u) => usage_fields_mut(u).into(),
        Record::Billing(b) => billing_fields_mut(b),
        Record::Bank(b) => vec![
            &mut b.account,
            &mut b.description,
            &mut b.issuer_id,
            &mut b.related_id,
            &mut b.note,
        ],
        Record::Rate(_) => Vec::new(),
        Record::Balance(b) => vec![&mut b.organization],
    }
}

/// Calls `f` on every free-text field of a record, the fields [`text_fields_mut`] lists. A usage
/// record's fields are visited without gathering them in a list first: a large export checks and
/// masks a million of them, and every list is an allocation.
pub fn for_each_text_field_mut(record: &mut Record, mut f: impl FnMut(&mut String)) {
    if let Record::Usage(u) = record {
        usage_fields_mut(u).into_iter().for_each(f);
        return;
    }
    for field in text_fields_mut(record) {
        f(field);
    }
}

/// The free-text fields of a usage record.
fn usage_fields_mut(u: &mut UsageRecord) -> [&mut String; 10] {
    [
        &mut u.organization_id,
        &mut u.organization_name,
        &mut u.project_id,
        &mut u.project_name,
        &mut u.model,
        &mut u.line_item,
        &mut u.api_key_id,
        &mut u.api_key_name,
        &mut u.user,
        &mut u.extra_dimensions,
    ]
}

/// The free-text fields of a billing record, with what its receipt added (tax lines, the
/// attachment's name, the items).
fn billing_fields_mut(b: &mut BillingRecord) -> Vec<&mut String> {
    let d = &mut b.details;
    let mut fields = vec![
        &mut b.number,
        &mut b.description,
        &mut b.organization,
        &mut b.project,
        &mut d.tax_label,
        &mut d.attachment,
    ];
    fields.extend(d.items.iter_mut().map(|i| &mut i.description));
    fields
}

/// Masks every secret key in a billing record read from a receipt; returns how many.
pub fn mask_billing(record: &mut BillingRecord) -> usize {
    billing_fields_mut(record)
        .into_iter()
        .map(mask_in_place)
        .sum()
}

/// Masks every secret key in a record's text; returns how many were masked.
pub fn mask_record(record: &mut Record) -> usize {
    let mut masked = 0;
    for_each_text_field_mut(record, |text| masked += mask_in_place(text));
    masked
}

/// Masks the secret keys in the text of a coding agent's request that a person chose: the
/// working folder (a folder named after a key), the repository (a remote URL with a token in
/// it) and the model name (any text a tool's settings accept). Returns how many were masked.
pub fn mask_agent_request(request: &mut AgentRequest) -> usize {
    [
        &mut request.cwd,
        &mut request.repository,
        &mut request.model,
    ]
    .into_iter()
    .map(mask_in_place)
    .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_key_shapes_keep_their_prefix_and_last_four() {
        let cases = [
            (
                "sk-proj-Ab3dEf6hIj9kLmN0pQr2StU5vWx8yZ1aB4cD7eF0gH3iJ6kL9mN2oP5qR8sT1uV4wX7yZ0a7Qa9",
                "sk-proj-...7Qa9",
            ),
            (
                "sk-ant-api03-x1Y2z3A4b5C6d7E8f9G0h1I2j3K4l5M6n7O8p9Q0r1S2t3U4v5W6x7Y8z9A0b1C2d3E4f5G6h7I8j9K0-abcdAA",
                "sk-ant-api03-...cdAA",
            ),
            ("sk-4f8a9b2c1d3e5f7a9b1c3d5e7f9a1b3c5d7e9f1a", "sk-...9f1a"),
            ("AKIAIOSFODNN7EXAMPLE", "AKIA...MPLE"),
            ("AIzaSyD-1a2b3c4d5e6f7g8h9i0jKlMnOpQrStUv", "AIza...StUv"),
            ("ghp_1a2B3c4D5e6F7g8H9i0J1k2L3m4N5o6P7q8R", "ghp_...7q8R"),
            (
                "sk-or-v1-0123456789abcdef0123456789abcdef",
                "sk-or-v1-...cdef",
            ),
        ];
        for (key, masked) in cases {
            let text = format!("prod key {key} (do not share)");
            let (out, n) = mask(&text).unwrap_or_else(|| panic!("{key} not masked"));
            assert_eq!(out, format!("prod key {masked} (do not share)"));
            assert_eq!(n, 1);
            assert_eq!(mask(&out), None, "masking is idempotent: {out}");
        }
    }

    #[test]
    fn look_alikes_stay_as_written() {
        for text in [
            "sk-learn-experiments",
            "sk-...abcd",
            "sk-proj-...7Qa9",
            "task-force-2024-planning",
            "risk_live_dashboard_2024_v2",
            "AKIA-not-a-key",
            "Web app",
            "gpt-4o-2024-08-06, input",
            "key_a1B2c3D4e5F6g7H8i9J0",
            "",
        ] {
            assert_eq!(mask(text), None, "{text}");
        }
    }

    #[test]
    fn an_agent_request_keeps_its_ids_and_loses_the_key_in_its_folder() {
        let line = r#"{"isSidechain":false,"type":"assistant","timestamp":"2026-05-04T01:50:18.499Z","cwd":"/home/u/sk-proj-AAAA1111BBBB2222CCCC3333/app","sessionId":"dac472d2","requestId":"req_011","message":{"id":"msg_013","model":"claude-sonnet-4-6","role":"assistant","usage":{"input_tokens":3,"output_tokens":5}}}"#;
        let crate::domain::agents::AgentLine::Request(mut r) =
            crate::domain::agents::claude::parse_line(line.as_bytes(), 1).unwrap()
        else {
            panic!("not a request");
        };
        let key = r.key.clone();
        assert_eq!(mask_agent_request(&mut r), 1);
        assert_eq!(r.cwd, "/home/u/sk-proj-...3333/app");
        assert_eq!(
            (r.key.as_str(), r.message_id.as_str(), r.session_id.as_str()),
            (key.as_str(), "msg_013", "dac472d2"),
            "the ids it is found again by stay"
        );
    }

    #[test]
    fn two_keys_in_one_field_are_both_masked() {
        let text = "old sk-proj-AAAA1111BBBB2222CCCC3333, new sk-proj-DDDD4444EEEE5555FFFF6666";
        let (out, n) = mask(text).unwrap();
        assert_eq!(out, "old sk-proj-...3333, new sk-proj-...6666");
        assert_eq!(n, 2);
    }
}
