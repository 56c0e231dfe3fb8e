//! How a detector writes down what it found: a [`FlagDraft`] filled in by the detector and
//! finished into a [`Flag`] with sorted, deduplicated evidence and a stable id (a hash of kind,
//! provider and evidence, or of an explicit identity when an episode may grow), plus the
//! small date, currency and money-text helpers every detector's message uses. Nothing here
//! decides whether something is wrong.

use std::fmt::Write as _;

use chrono::NaiveDate;
use sha2::{Digest, Sha256};

use super::{Flag, FlagKind, Severity};
use crate::domain::money::{Amount, Currency};
pub(super) use crate::domain::records::days_between;

/// A flag's stable id: the first 16 hex digits of SHA-256 over kind, provider and evidence.
fn flag_id(kind: FlagKind, provider: &str, identity: &[String]) -> String {
    let mut h = Sha256::new();
    h.update(kind.as_str().as_bytes());
    h.update(b"\n");
    h.update(provider.as_bytes());
    for r in identity {
        h.update(b"\n");
        h.update(r.as_bytes());
    }
    h.finalize()
        .iter()
        .take(8)
        .fold(String::with_capacity(16), |mut hex, b| {
            let _ = write!(hex, "{b:02x}");
            hex
        })
}

pub(super) struct FlagDraft {
    pub(super) kind: FlagKind,
    pub(super) severity: Severity,
    pub(super) provider: String,
    pub(super) date: NaiveDate,
    pub(super) amount: Option<Amount>,
    pub(super) currency: Currency,
    pub(super) project: Option<String>,
    pub(super) records: Vec<String>,
    /// What the id is computed from, when not the records (an episode that grows keeps its id).
    pub(super) identity: Option<Vec<String>>,
    pub(super) message: String,
    pub(super) diagnosis: String,
}

impl FlagDraft {
    pub(super) fn finish(mut self) -> Flag {
        self.records.sort();
        self.records.dedup();
        let identity = self.identity.as_ref().unwrap_or(&self.records);
        Flag {
            id: flag_id(self.kind, &self.provider, identity),
            kind: self.kind,
            severity: self.severity,
            provider: self.provider,
            date: self.date,
            amount: self.amount,
            currency: self.currency,
            project: self.project,
            records: self.records,
            message: self.message,
            diagnosis: self.diagnosis,
        }
    }
}

pub(super) fn money(amount: Amount, currency: Currency) -> String {
    format!("{} {currency}", amount.to_cents_string())
}
