//! Builders and table runners shared by the detectors' tests: real-shaped billing records, bank
//! lines and usage days written as short strings (`2026-03-05 10:07`, `20.00`), and the two ways
//! a table of cases is checked (every flag, or only the kinds under test). Test code only; every
//! record it builds is in USD and, unless said otherwise, of no named organization.

use chrono::{NaiveDate, NaiveTime};

use super::{Flag, FlagKind, FlagParams, detect};
use crate::domain::balance::{AccountKey, DailyUsage};
use crate::domain::ledger::{BankItem, BillingItem, Snapshot};
use crate::domain::matching::match_all;
use crate::domain::money::{Amount, Currency, DecimalMark};
use crate::domain::records::{BankStatus, BillingKind, BillingStatus, SpendKind};

/// Cuts the snapshot at `as_of`, matches it once and runs every detector, as the front ends do.
pub(crate) fn detect_all(snapshot: &Snapshot, params: &FlagParams, as_of: NaiveDate) -> Vec<Flag> {
    let cut = snapshot.up_to(as_of);
    let matching = match_all(&cut, &params.matching);
    detect(&cut, &matching, params, as_of)
}

pub(crate) fn d(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

pub(crate) fn usd(text: &str) -> Amount {
    Amount::parse(text, DecimalMark::Dot).unwrap()
}

/// `2026-03-05` (no time) or `2026-03-05 10:07`.
pub(crate) fn when(text: &str) -> (NaiveDate, Option<NaiveTime>) {
    match text.split_once(' ') {
        Some((day, time)) => (
            d(day),
            Some(NaiveTime::parse_from_str(time, "%H:%M").unwrap()),
        ),
        None => (d(text), None),
    }
}

pub(crate) fn bill(
    id: i64,
    provider: &str,
    kind: BillingKind,
    status: BillingStatus,
    at: &str,
    amount: &str,
) -> BillingItem {
    let (day, time) = when(at);
    BillingItem {
        id,
        source_file_id: 1,
        provider: provider.into(),
        kind,
        status,
        day,
        time,
        amount: usd(amount),
        currency: Currency::of(*b"USD"),
        organization: String::new(),
        project: String::new(),
        expires_on: None,
        receipt: crate::domain::billing_details::ReceiptFacts::default(),
    }
}

pub(crate) fn paid(
    id: i64,
    provider: &str,
    kind: BillingKind,
    at: &str,
    amount: &str,
) -> BillingItem {
    bill(id, provider, kind, BillingStatus::Paid, at, amount)
}

/// A paid billing record of the organization `org`; `at` is `2026-03-05` or `2026-03-05 10:07`.
pub(crate) fn bill_in(
    id: i64,
    provider: &str,
    org: &str,
    kind: BillingKind,
    at: &str,
    amount: &str,
) -> BillingItem {
    BillingItem {
        organization: org.into(),
        ..paid(id, provider, kind, at, amount)
    }
}

pub(crate) fn line(
    id: i64,
    file: i64,
    provider: Option<&str>,
    kind: Option<SpendKind>,
    status: BankStatus,
    at: &str,
    amount: &str,
) -> BankItem {
    let (day, time) = when(at);
    BankItem {
        id,
        source_file_id: file,
        provider: provider.map(String::from),
        spend_kind: kind,
        status: Some(status),
        day,
        time,
        amount: usd(amount),
        currency: Currency::of(*b"USD"),
        description: provider.unwrap_or("STARBUCKS").to_uppercase(),
        card_last4: String::new(),
    }
}

pub(crate) fn topup(
    id: i64,
    provider: &str,
    status: BankStatus,
    at: &str,
    amount: &str,
) -> BankItem {
    line(
        id,
        10,
        Some(provider),
        Some(SpendKind::ApiTopup),
        status,
        at,
        amount,
    )
}

pub(crate) fn coffee(id: i64, at: &str) -> BankItem {
    line(id, 10, None, None, BankStatus::Settled, at, "-4.36")
}

/// Usage of the provider's unnamed organization.
pub(crate) fn used(provider: &str, day: &str, cost: &str) -> DailyUsage {
    used_in(provider, "", day, cost)
}

pub(crate) fn used_in(provider: &str, org: &str, day: &str, cost: &str) -> DailyUsage {
    DailyUsage {
        account: AccountKey::new(provider, org),
        day: d(day),
        cost: usd(cost),
        currency: Currency::of(*b"USD"),
    }
}

/// The same cost every day from `from` through `to`.
pub(crate) fn every_day(
    provider: &str,
    org: &str,
    from: &str,
    to: &str,
    cost: &str,
) -> Vec<DailyUsage> {
    d(from)
        .iter_days()
        .take_while(|day| *day <= d(to))
        .map(|day| used_in(provider, org, &day.to_string(), cost))
        .collect()
}

pub(crate) fn billing_only(billing: Vec<BillingItem>) -> Snapshot {
    Snapshot {
        billing,
        ..Snapshot::default()
    }
}

pub(crate) fn bank_only(bank: Vec<BankItem>) -> Snapshot {
    Snapshot {
        bank,
        ..Snapshot::default()
    }
}

pub(crate) type Want = Vec<(&'static str, &'static str, Vec<&'static str>)>;

pub(crate) struct Case {
    pub(crate) name: &'static str,
    pub(crate) inputs: Snapshot,
    pub(crate) as_of: &'static str,
    pub(crate) want: Want,
}

pub(crate) fn case(name: &'static str, inputs: Snapshot, as_of: &'static str, want: Want) -> Case {
    Case {
        name,
        inputs,
        as_of,
        want,
    }
}

fn shown(flags: &[Flag]) -> Vec<(String, String, Vec<String>)> {
    flags
        .iter()
        .map(|f| {
            (
                f.kind.as_str().to_string(),
                f.date.to_string(),
                f.records.clone(),
            )
        })
        .collect()
}

/// Every flag's text is one line and never advises paying again to "retry".
fn assert_plain_texts(name: &str, flags: &[Flag]) {
    for f in flags {
        let text = f.diagnosis.to_lowercase();
        assert!(
            !text.contains("top up again")
                && !text.contains("try again")
                && !text.contains("retry the"),
            "{}: {}",
            name,
            f.diagnosis
        );
        assert!(!f.message.contains('\n'), "{}", f.message);
    }
}

/// Runs every case through [`detect`] with the default thresholds and compares all the flags
/// raised (kind, date, records in the order given) with the ones wanted.
pub(crate) fn run(cases: Vec<Case>) {
    let params = FlagParams::default();
    for c in cases {
        let got = detect_all(&c.inputs, &params, d(c.as_of));
        let want: Vec<(String, String, Vec<String>)> = c
            .want
            .iter()
            .map(|(k, day, r)| {
                (
                    (*k).to_string(),
                    (*day).to_string(),
                    r.iter().map(|s| (*s).to_string()).collect(),
                )
            })
            .collect();
        assert_eq!(shown(&got), want, "case: {}\n{got:#?}", c.name);
        assert_plain_texts(c.name, &got);
    }
}

/// Like [`run`], but compares only the flags of `kinds` (records wanted in any order) and checks
/// that every id is 16 hex digits long.
pub(crate) fn run_only(kinds: &[FlagKind], cases: Vec<Case>) {
    for c in cases {
        let got: Vec<Flag> = detect_all(&c.inputs, &FlagParams::default(), d(c.as_of))
            .into_iter()
            .filter(|f| kinds.contains(&f.kind))
            .collect();
        let want: Vec<(String, String, Vec<String>)> = c
            .want
            .iter()
            .map(|(k, day, r)| {
                let mut r: Vec<String> = r.iter().map(|s| (*s).to_string()).collect();
                r.sort();
                ((*k).to_string(), (*day).to_string(), r)
            })
            .collect();
        assert_eq!(shown(&got), want, "case: {}\n{got:#?}", c.name);
        assert_plain_texts(c.name, &got);
        for f in &got {
            assert_eq!(f.id.len(), 16);
        }
    }
}
