//! Provider, billing and rate importers end to end: each fixture in `tests/fixtures/providers/`
//! goes through `parse_bytes` (format detection included) and its totals are compared with sums
//! worked out by hand. The real-shaped samples in `../shared/samples` are read too when that
//! folder exists next to the project; without it those tests say so and pass.

use std::path::{Path, PathBuf};

use burnrate::domain::fx::Rate;
use burnrate::domain::import::{FileOptions, ParsedFile, parse_bytes};
use burnrate::domain::money::{Amount, checked_sum};
use burnrate::domain::records::{BillingKind, BillingRecord, BillingStatus, Record, UsageRecord};

fn fixture(name: &str) -> Vec<u8> {
    let path = crate::common::fixture("providers").join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

fn parse(name: &str, options: &FileOptions) -> ParsedFile {
    parse_bytes(&fixture(name), options).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn usage(parsed: &ParsedFile) -> Vec<&UsageRecord> {
    parsed
        .records
        .iter()
        .filter_map(|r| {
            if let Record::Usage(u) = r {
                Some(u)
            } else {
                None
            }
        })
        .collect()
}

fn billing(parsed: &ParsedFile) -> Vec<&BillingRecord> {
    parsed
        .records
        .iter()
        .filter_map(|r| {
            if let Record::Billing(b) = r {
                Some(b)
            } else {
                None
            }
        })
        .collect()
}

fn rates(parsed: &ParsedFile) -> Vec<&Rate> {
    parsed
        .records
        .iter()
        .filter_map(|r| {
            if let Record::Rate(x) = r {
                Some(x)
            } else {
                None
            }
        })
        .collect()
}

/// The exact sum of the usage costs that pass `keep`, in nanos.
fn cost_nanos(records: &[&UsageRecord], keep: impl Fn(&UsageRecord) -> bool) -> i64 {
    let Some(sum) = checked_sum(records.iter().filter(|u| keep(u)).filter_map(|u| u.cost)) else {
        panic!("the costs overflow");
    };
    sum.nanos()
}

fn tokens(records: &[&UsageRecord], kind: &str) -> i64 {
    records
        .iter()
        .filter(|u| u.token_kind == kind)
        .filter_map(|u| u.tokens)
        .sum()
}

fn amount_nanos<'a>(records: impl IntoIterator<Item = &'a BillingRecord>) -> i64 {
    let Some(sum) = checked_sum(records.into_iter().map(|b| b.amount)) else {
        panic!("the amounts overflow");
    };
    sum.nanos()
}

#[test]
fn anthropic_cost_two_weeks_two_workspaces_two_models() {
    let parsed = parse("anthropic-cost-2026-03.csv", &FileOptions::default());
    assert_eq!(parsed.format_id, "anthropic-cost");
    assert!(parsed.rejected.is_empty(), "{:?}", parsed.rejected);
    assert_eq!(parsed.rows, 117);
    let u = usage(&parsed);
    assert_eq!(u.len(), 117);
    // Default: 14 x (0.30 + 0.05 + 0.10) + 14 x 1.50 + 0.01 x (1 + ... + 14) = 6.30 + 21.00 + 1.05.
    assert_eq!(
        cost_nanos(&u, |r| r.project_name == "Default"),
        28_350_000_000
    );
    // Research: 14 x (0.123456 + 2.00 + 0.0125 + 0.04) + 0.001 x 105 + 0.20 of web search.
    assert_eq!(
        cost_nanos(&u, |r| r.project_name == "Research"),
        30_768_384_000
    );
    assert_eq!(
        cost_nanos(&u, |r| r.model == "claude-sonnet-4-5"),
        56_178_384_000
    );
    assert_eq!(
        cost_nanos(&u, |r| r.model == "claude-haiku-4-5"),
        2_940_000_000
    );
    assert_eq!(cost_nanos(&u, |_| true), 59_118_384_000);
    assert_eq!(
        cost_nanos(&u, |r| r.token_kind == "web_search"),
        200_000_000
    );
    assert_eq!(
        u.iter().filter(|r| r.token_kind == "input_cached").count(),
        4
    );
    let days: std::collections::BTreeSet<_> = u.iter().filter_map(|r| r.day).collect();
    assert_eq!(days.len(), 14);
    assert!(u.iter().all(|r| r.provider == "anthropic"
        && r.currency == "USD"
        && r.project_id == r.project_name));
    assert_eq!(
        u[0].extra_dimensions,
        "usage_type=message;context=≤ 200k;cost_type=token;geo=not_available"
    );
}

#[test]
fn anthropic_token_export() {
    let parsed = parse("anthropic-tokens-2026-03.csv", &FileOptions::default());
    assert_eq!(parsed.format_id, "anthropic-tokens");
    assert!(parsed.rejected.is_empty(), "{:?}", parsed.rejected);
    assert_eq!(parsed.rows, 6);
    let u = usage(&parsed);
    assert_eq!(u.len(), 20, "the all-zero row gives nothing");
    let cases = [
        ("input", 355_000),
        ("input_cache_write_5m", 65_000),
        ("input_cache_write_1h", 12_000),
        ("input_cached", 760_000),
        ("output", 49_500),
    ];
    for (kind, want) in cases {
        assert_eq!(tokens(&u, kind), want, "{kind}");
    }
    let searches: i64 = u
        .iter()
        .filter(|r| r.token_kind == "web_search")
        .filter_map(|r| r.requests)
        .sum();
    assert_eq!(searches, 5);
    assert!(
        u.iter()
            .all(|r| r.cost.is_none() && r.source_kind == "anthropic-tokens")
    );
    assert_eq!(u.iter().filter(|r| r.project_name == "Default").count(), 10);
}

#[test]
fn burnrate_billing_all_six_kinds() {
    let parsed = parse("burnrate-billing.csv", &FileOptions::default());
    assert_eq!(parsed.format_id, "burnrate-billing");
    assert!(parsed.rejected.is_empty(), "{:?}", parsed.rejected);
    let b = billing(&parsed);
    assert_eq!(b.len(), 7);
    for kind in BillingKind::ALL {
        assert!(b.iter().any(|r| r.kind == kind), "{kind:?} missing");
    }
    // Credits: 50.00 + 20.00 + 5.00 + 25.00.
    assert_eq!(
        amount_nanos(b.iter().copied().filter(|r| r.kind.is_credit())),
        100_000_000_000
    );
    assert_eq!(amount_nanos(b.iter().copied()), 269_920_000_000);
    let expiry: Vec<(&str, Option<String>)> = b
        .iter()
        .map(|r| (r.kind.as_str(), r.expires_at.map(|t| t.to_string())))
        .collect();
    assert_eq!(
        expiry,
        vec![
            ("credit_purchase", Some("2027-01-05 00:00:00".into())),
            ("auto_recharge", Some("2027-01-19 16:42:10".into())),
            ("free_credit", Some("2026-04-01 00:00:00".into())),
            ("subscription", None),
            ("invoice", None),
            ("refund", None),
            ("credit_purchase", Some("2025-02-28 00:00:00".into())),
        ]
    );
    assert_eq!(b[1].provider, "openai");
    assert_eq!(
        b[2].description,
        "Console sign-up credit\n(valid three months)"
    );
    assert_eq!(b[4].status, BillingStatus::Pending);
    assert_eq!(
        (b[4].organization.as_str(), b[4].project.as_str()),
        ("Acme Ltd", "Research")
    );
}

#[test]
fn burnrate_billing_with_bom_crlf_and_bad_rows() {
    let parsed = parse("burnrate-billing-bom-crlf.csv", &FileOptions::default());
    assert_eq!(parsed.format_id, "burnrate-billing");
    let b = billing(&parsed);
    assert_eq!(b.len(), 1);
    assert_eq!(b[0].provider, "mistral");
    assert_eq!(b[0].currency, "EUR");
    assert_eq!(b[0].amount, Amount::from_nanos(100_000_000_000));
    assert_eq!(
        b[0].description,
        "Credits for the \"agent\" project, batch 1\nsecond line of the note"
    );
    assert_eq!(
        b[0].expires_at.map(|t| t.to_string()).as_deref(),
        Some("2027-05-04 09:30:00")
    );
    let errors: Vec<(u64, &str)> = parsed
        .rejected
        .iter()
        .map(|e| (e.line, e.column_name.as_str()))
        .collect();
    assert_eq!(errors, vec![(4, "amount"), (5, "kind")]);
}

#[test]
fn stripe_invoice_export() {
    let parsed = parse("stripe-invoices.csv", &FileOptions::default());
    assert_eq!(parsed.format_id, "stripe-invoices");
    assert!(parsed.rejected.is_empty(), "{:?}", parsed.rejected);
    let b = billing(&parsed);
    let got: Vec<(&str, &str, BillingKind, BillingStatus, String, &str)> = b
        .iter()
        .map(|r| {
            (
                r.number.as_str(),
                r.provider.as_str(),
                r.kind,
                r.status,
                r.occurred_at.to_string(),
                r.currency.as_str(),
            )
        })
        .collect();
    let sub = BillingKind::Subscription;
    let inv = BillingKind::Invoice;
    let want = vec![
        (
            "EB5152EE-0021",
            "midjourney",
            sub,
            BillingStatus::Paid,
            "2026-01-29 10:03:00".to_string(),
            "USD",
        ),
        (
            "EB5152EE-0022",
            "midjourney",
            sub,
            BillingStatus::Paid,
            "2026-03-01 08:15:00".to_string(),
            "USD",
        ),
        (
            "A1B2C3D4-0001",
            "openai",
            inv,
            BillingStatus::Pending,
            "2026-03-02 00:00:00".to_string(),
            "USD",
        ),
        (
            "in_1QaTest0004",
            "stripe",
            inv,
            BillingStatus::Void,
            "2026-03-03 12:00:00".to_string(),
            "USD",
        ),
        (
            "A1B2C3D4-0002",
            "anthropic",
            inv,
            BillingStatus::Failed,
            "2026-03-05 12:00:00".to_string(),
            "EUR",
        ),
    ];
    assert_eq!(got, want);
    // USD: 10.89 + 10.89 + 250.00 + 40.00.
    assert_eq!(
        amount_nanos(b.iter().copied().filter(|r| r.currency == "USD")),
        311_780_000_000
    );
    assert_eq!(
        amount_nanos(b.iter().copied().filter(|r| r.currency == "EUR")),
        99_500_000_000
    );
    assert_eq!(b[2].organization, "Example Labs, Inc.");
    assert_eq!(b[2].description, "OpenAI API usage, February");

    let options = FileOptions {
        provider: Some("Midjourney".into()),
        ..FileOptions::default()
    };
    let parsed = parse("stripe-invoices.csv", &options);
    assert!(billing(&parsed).iter().all(|r| r.provider == "midjourney"));
}

#[test]
fn ecb_history_and_daily_files() {
    let parsed = parse("ecb-eurofxref-hist.csv", &FileOptions::default());
    assert_eq!(parsed.format_id, "ecb-rates");
    assert!(parsed.rejected.is_empty(), "{:?}", parsed.rejected);
    let r = rates(&parsed);
    assert_eq!(r.len(), 23, "6 days x 4 quoted currencies, less one N/A");
    let sum = |code: &str| {
        checked_sum(r.iter().filter(|x| x.currency == code).map(|x| x.per_euro))
            .unwrap()
            .nanos()
    };
    assert_eq!(sum("USD"), 6_212_400_000);
    assert_eq!(sum("JPY"), 815_890_000_000);
    assert!(r.iter().all(|x| x.currency != "CYP"));
    assert_eq!(r[0].day.to_string(), "2026-01-09");

    let parsed = parse("ecb-eurofxref-daily.csv", &FileOptions::default());
    assert_eq!(parsed.format_id, "ecb-rates");
    let r = rates(&parsed);
    let got: Vec<(String, &str, i64)> = r
        .iter()
        .map(|x| (x.day.to_string(), x.currency.as_str(), x.per_euro.nanos()))
        .collect();
    let day = "2026-01-09".to_string();
    assert_eq!(
        got,
        vec![
            (day.clone(), "USD", 1_032_100_000),
            (day.clone(), "JPY", 162_410_000_000),
            (day.clone(), "GBP", 836_550_000),
            (day, "CHF", 941_200_000),
        ]
    );
}

/// The CSV files of one folder of `../shared/samples`, or `None` (with a message) when the
/// samples are not next to the project.
fn samples(folder: &str) -> Option<Vec<PathBuf>> {
    let dir = crate::samples::root()?.join(folder);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        eprintln!("skipping: no samples at {}", dir.display());
        return None;
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "csv"))
        .collect();
    files.sort();
    Some(files)
}

fn parse_sample(path: &Path) -> ParsedFile {
    let bytes =
        std::fs::read(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    parse_bytes(&bytes, &FileOptions::default())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn file_name(path: &Path) -> &str {
    path.file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default()
}

#[test]
fn openai_cost_samples_reject_the_row_one_cell_short() {
    let Some(files) = samples("openai-cost-export") else {
        return;
    };
    // (file, records, total cost in nanos, rejected lines)
    let known: &[(&str, usize, i64, &[u64])] = &[
        // 0.895874 + 0.56177125; the third day is empty
        ("cost-from-guardian.csv", 2, 1_457_645_250, &[]),
        // 0.00383598; the 0.5 row lacks a cell and is rejected, not read under wrong columns
        ("openai-cost-from-aiecon.csv", 1, 3_835_980, &[4]),
    ];
    assert_eq!(files.len(), known.len(), "{files:?}");
    for path in &files {
        let parsed = parse_sample(path);
        let (_, count, nanos, rejected) = known
            .iter()
            .find(|(name, ..)| *name == file_name(path))
            .unwrap_or_else(|| panic!("{} is not listed", path.display()));
        assert_eq!(parsed.format_id, "openai-cost", "{}", path.display());
        let u = usage(&parsed);
        assert_eq!(u.len(), *count, "{}", path.display());
        assert_eq!(cost_nanos(&u, |_| true), *nanos, "{}", path.display());
        let lines: Vec<u64> = parsed.rejected.iter().map(|e| e.line).collect();
        assert_eq!(lines, *rejected, "{}", path.display());
        assert!(
            u.iter().all(|r| !r.organization_name.contains('@')),
            "{}",
            path.display()
        );
    }
}

#[test]
fn anthropic_cost_samples() {
    let Some(files) = samples("anthropic-cost-export") else {
        return;
    };
    // (file, records, total cost in nanos), summed by hand from the files.
    let known: &[(&str, usize, i64)] = &[
        // 0.05 + 0.02 + 0.10 + 0.30
        ("anthropic-cost-from-axigate-finops.csv", 4, 470_000_000),
        // 0.02 + 0.01 + 0.00 + 1.65 + 1.89 + 0.82
        (
            "claude_api_cost_2026_02_01_to_2026_02_01.csv",
            6,
            4_390_000_000,
        ),
    ];
    for path in &files {
        let parsed = parse_sample(path);
        assert_eq!(parsed.format_id, "anthropic-cost", "{}", path.display());
        assert!(
            parsed.rejected.is_empty(),
            "{}: {:?}",
            path.display(),
            parsed.rejected
        );
        let u = usage(&parsed);
        assert!(!u.is_empty(), "{}", path.display());
        assert!(
            u.iter()
                .all(|r| r.model.starts_with("claude-") && !r.model.contains(' ')),
            "{}",
            path.display()
        );
        if let Some((_, count, nanos)) = known.iter().find(|(name, _, _)| *name == file_name(path))
        {
            assert_eq!(u.len(), *count, "{}", path.display());
            assert_eq!(cost_nanos(&u, |_| true), *nanos, "{}", path.display());
        }
    }
}

#[test]
fn anthropic_token_samples() {
    let Some(files) = samples("anthropic-token-export") else {
        return;
    };
    // (file, records, [input, cache write 5m, cache read, output], web searches), by hand.
    let known: &[(&str, usize, [i64; 4], i64)] = &[
        (
            "anthropic-tokens-from-aiecon.csv",
            7,
            [189 + 10, 61_624, 61_624, 675 + 5],
            2,
        ),
        (
            "claude_api_tokens_2026_02.csv",
            6,
            [16_765 + 43, 302_527, 3_301_672, 1702 + 32_676],
            0,
        ),
    ];
    for path in &files {
        let parsed = parse_sample(path);
        assert_eq!(parsed.format_id, "anthropic-tokens", "{}", path.display());
        assert!(
            parsed.rejected.is_empty(),
            "{}: {:?}",
            path.display(),
            parsed.rejected
        );
        assert!(!parsed.records.is_empty(), "{}", path.display());
        let Some((_, count, sums, searches)) =
            known.iter().find(|(name, ..)| *name == file_name(path))
        else {
            continue;
        };
        let u = usage(&parsed);
        assert_eq!(u.len(), *count, "{}", path.display());
        let got = ["input", "input_cache_write_5m", "input_cached", "output"]
            .map(|kind| tokens(&u, kind));
        assert_eq!(got, *sums, "{}", path.display());
        let web: i64 = u.iter().filter_map(|r| r.requests).sum();
        assert_eq!(web, *searches, "{}", path.display());
    }
}

#[test]
fn ecb_samples() {
    let Some(files) = samples("ecb-eurofxref") else {
        return;
    };
    // (file, rates, sum of the USD rates in nanos): N/A cells give no rate.
    let known: &[(&str, usize, i64)] = &[
        ("eurofxref-hist.csv", 1024, 35_854_400_000),
        ("eurofxref.csv", 31, 1_240_700_000),
    ];
    for path in &files {
        let parsed = parse_sample(path);
        assert_eq!(parsed.format_id, "ecb-rates", "{}", path.display());
        assert!(
            parsed.rejected.is_empty(),
            "{}: {:?}",
            path.display(),
            parsed.rejected
        );
        let r = rates(&parsed);
        assert!(r.iter().any(|x| x.currency == "USD"), "{}", path.display());
        assert!(
            r.iter().all(|x| x.per_euro.nanos() > 0),
            "{}",
            path.display()
        );
        let Some((_, count, usd)) = known.iter().find(|(name, ..)| *name == file_name(path)) else {
            continue;
        };
        assert_eq!(r.len(), *count, "{}", path.display());
        let usd_sum =
            checked_sum(r.iter().filter(|x| x.currency == "USD").map(|x| x.per_euro)).unwrap();
        assert_eq!(usd_sum.nanos(), *usd, "{}", path.display());
    }
}

#[test]
fn stripe_payment_samples_are_not_invoice_exports() {
    let Some(files) = samples("stripe") else {
        return;
    };
    for path in &files {
        let bytes =
            std::fs::read(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        if let Ok(parsed) = parse_bytes(&bytes, &FileOptions::default()) {
            assert_ne!(parsed.format_id, "stripe-invoices", "{}", path.display());
            assert_ne!(parsed.format_id, "burnrate-billing", "{}", path.display());
        }
    }
}

#[test]
fn billing_template_reads_cleanly() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/billing-template.csv");
    let parsed = parse_sample(&path);
    assert_eq!(parsed.format_id, "burnrate-billing");
    assert!(parsed.rejected.is_empty(), "{:?}", parsed.rejected);
    let b = billing(&parsed);
    let kinds: Vec<BillingKind> = b.iter().map(|r| r.kind).collect();
    assert_eq!(
        kinds,
        vec![
            BillingKind::CreditPurchase,
            BillingKind::AutoRecharge,
            BillingKind::FreeCredit
        ]
    );
    assert!(
        b.iter().all(|r| r.expires_at.is_some()),
        "every example row has an expiry, written or defaulted"
    );
    assert_eq!(amount_nanos(b.iter().copied()), 75_000_000_000);
}
