//! End-to-end tests of the European bank and `PayPal` importers: every fixture in
//! `tests/fixtures/bank_eu/` is parsed from its bytes and checked to the exact total per
//! currency, fee total, status counts and AI-service lines; then the public sample files in
//! `../shared/samples/` (when that folder exists next to the repository) must be recognised
//! with the expected format and no rejected rows, except the dates without a year of Revolut's
//! 2019 layout, which are rejected with a reason the user can act on.

use std::path::Path;

use burnrate::domain::import::{FileOptions, ParsedFile, parse_bytes};
use burnrate::domain::money::{Amount, Currency, DecimalMark};
use burnrate::domain::records::{BankLine, BankStatus, Record};

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn parse_file(path: &Path) -> ParsedFile {
    parse_bytes(&read(path), &FileOptions::default())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn fixture(name: &str) -> ParsedFile {
    parse_file(&crate::common::fixture("bank_eu").join(name))
}

fn lines(parsed: &ParsedFile) -> Vec<&BankLine> {
    parsed
        .records
        .iter()
        .filter_map(|r| {
            if let Record::Bank(b) = r {
                Some(b)
            } else {
                None
            }
        })
        .collect()
}

fn nanos(text: &str) -> i64 {
    Amount::parse(text, DecimalMark::Dot)
        .unwrap_or_else(|e| panic!("{text}: {e}"))
        .nanos()
}

/// Per currency, sorted: (currency, lines, sum of amounts, sum of fees).
fn totals(parsed: &ParsedFile) -> Vec<(String, usize, i64, i64)> {
    let mut out: Vec<(String, usize, i64, i64)> = Vec::new();
    for line in lines(parsed) {
        let i = if let Some(i) = out.iter().position(|t| t.0 == line.currency.as_str()) {
            i
        } else {
            out.push((line.currency.to_string(), 0, 0, 0));
            out.len() - 1
        };
        out[i].1 += 1;
        out[i].2 += line.amount.nanos();
        out[i].3 += line.fee.map_or(0, Amount::nanos);
    }
    out.sort();
    out
}

/// Lines that are pending, settled, reversed.
fn statuses(parsed: &ParsedFile) -> [usize; 3] {
    let mut counts = [0; 3];
    for line in lines(parsed) {
        match line.status {
            Some(BankStatus::Pending) => counts[0] += 1,
            Some(BankStatus::Settled) => counts[1] += 1,
            Some(BankStatus::Reversed) => counts[2] += 1,
            None => panic!("a line without status: {line:?}"),
        }
    }
    counts
}

fn is_ai(line: &BankLine) -> bool {
    let d = line.description.to_lowercase();
    ["openai", "chatgpt", "anthropic", "claude"]
        .iter()
        .any(|w| d.contains(w))
}

/// Expected (currency, lines, total amount, total fee), sorted by currency.
type Totals = &'static [(&'static str, usize, &'static str, &'static str)];

struct Expected {
    file: &'static str,
    format: &'static str,
    rows: u64,
    totals: Totals,
    /// pending, settled, reversed
    statuses: [usize; 3],
    ai_lines: usize,
}

const FIXTURES: &[Expected] = &[
    Expected {
        file: "revolut.csv",
        format: "revolut",
        rows: 10,
        totals: &[("EUR", 10, "-30.40", "1.70")],
        statuses: [2, 6, 2],
        ai_lines: 3,
    },
    Expected {
        file: "revolut-fr.csv",
        format: "revolut",
        rows: 5,
        totals: &[("EUR", 5, "-714.92", "5.00")],
        statuses: [1, 3, 1],
        ai_lines: 2,
    },
    Expected {
        file: "revolut-business.csv",
        format: "revolut-business",
        rows: 7,
        totals: &[("EUR", 6, "3603.93", "1.00"), ("USD", 1, "-100.00", "0")],
        statuses: [1, 5, 1],
        ai_lines: 5,
    },
    Expected {
        file: "wise.csv",
        format: "wise",
        rows: 8,
        totals: &[("EUR", 7, "853.67", "1.74"), ("USD", 1, "-100.00", "0")],
        statuses: [0, 6, 2],
        ai_lines: 3,
    },
    Expected {
        file: "wise-statement.csv",
        format: "wise-statement",
        rows: 7,
        totals: &[("EUR", 7, "-307.02", "0")],
        statuses: [0, 7, 0],
        ai_lines: 2,
    },
    Expected {
        file: "monzo.csv",
        format: "monzo",
        rows: 6,
        totals: &[("GBP", 6, "2170.67", "0")],
        statuses: [0, 6, 0],
        ai_lines: 2,
    },
    Expected {
        file: "n26.csv",
        format: "n26",
        rows: 7,
        totals: &[("EUR", 7, "2588.77", "0")],
        statuses: [0, 7, 0],
        ai_lines: 3,
    },
    Expected {
        // 11 rows: an item-detail line and two currency-conversion rows are skipped.
        file: "paypal.csv",
        format: "paypal",
        rows: 11,
        totals: &[("EUR", 3, "1250.00", "36.55"), ("USD", 5, "-130.00", "0")],
        statuses: [2, 4, 2],
        ai_lines: 3,
    },
    Expected {
        file: "paypal-de.csv",
        format: "paypal",
        rows: 7,
        totals: &[("EUR", 4, "3417.90", "58.55")],
        statuses: [1, 3, 0],
        ai_lines: 2,
    },
];

#[test]
fn fixtures_import_to_exact_totals() {
    for want in FIXTURES {
        let parsed = fixture(want.file);
        let file = want.file;
        assert_eq!(parsed.format_id, want.format, "{file}");
        assert!(parsed.rejected.is_empty(), "{file}: {:?}", parsed.rejected);
        assert_eq!(parsed.rows, want.rows, "{file}");
        let expected: Vec<(String, usize, i64, i64)> = want
            .totals
            .iter()
            .map(|(c, n, a, f)| ((*c).to_string(), *n, nanos(a), nanos(f)))
            .collect();
        assert_eq!(totals(&parsed), expected, "{file}");
        assert_eq!(statuses(&parsed), want.statuses, "{file}");
        assert_eq!(
            lines(&parsed).iter().filter(|l| is_ai(l)).count(),
            want.ai_lines,
            "{file}"
        );
    }
}

#[test]
fn fixture_lines_follow_the_ledger_rules() {
    for want in FIXTURES {
        let parsed = fixture(want.file);
        for line in lines(&parsed) {
            let file = want.file;
            assert!(
                line.account == want.format
                    || line.account.starts_with(&format!("{}:", want.format)),
                "{file}: {line:?}"
            );
            assert!(
                line.natural_key
                    .starts_with(&format!("bank|{}|", line.account)),
                "{file}: {line:?}"
            );
            if !line.issuer_id.is_empty() {
                let by_id = format!("bank|{}|id|{}", line.account, line.issuer_id);
                assert!(
                    line.natural_key == by_id || line.natural_key == format!("{by_id}|fee"),
                    "{file}: {line:?}"
                );
            }
            assert!(
                line.fee.is_none_or(|f| f.nanos() > 0),
                "{file}: fees are positive: {line:?}"
            );
            if let Some(original) = line.original_amount {
                assert_eq!(
                    original.is_negative(),
                    line.amount.is_negative(),
                    "{file}: {line:?}"
                );
                assert_ne!(
                    line.original_currency,
                    Some(line.currency),
                    "{file}: {line:?}"
                );
            }
            assert_ne!(line.currency, Currency::UNKNOWN, "{file}");
            assert!(line.started_at.is_some(), "{file}: {line:?}");
        }
    }
}

#[test]
fn revolut_pending_line_completed_in_a_later_statement_keeps_its_key() {
    let path = crate::common::fixture("bank_eu/revolut.csv");
    let first = String::from_utf8(read(&path)).unwrap();
    let pending_row = ",,Anthropic* Claude Sub,-18.45,0.00,EUR,PENDING,";
    assert!(first.contains(pending_row));
    let later = first.replace(
        pending_row,
        ",2026-05-11 04:00:00,Anthropic* Claude Sub,-18.47,0.00,EUR,COMPLETED,190.78",
    );
    let before = parse_bytes(first.as_bytes(), &FileOptions::default()).unwrap();
    let after = parse_bytes(later.as_bytes(), &FileOptions::default()).unwrap();
    let find = |p: &ParsedFile| {
        lines(p)
            .into_iter()
            .find(|l| l.description == "Anthropic* Claude Sub")
            .cloned()
            .unwrap()
    };
    let (pending, completed) = (find(&before), find(&after));
    assert_eq!(pending.status, Some(BankStatus::Pending));
    assert_eq!(completed.status, Some(BankStatus::Settled));
    assert_eq!(
        (pending.amount.nanos(), completed.amount.nanos()),
        (nanos("-18.45"), nanos("-18.47"))
    );
    assert_eq!(pending.natural_key, completed.natural_key);
    let keys = |p: &ParsedFile| {
        lines(p)
            .iter()
            .map(|l| l.natural_key.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(keys(&before), keys(&after), "no other key moved");
}

#[test]
fn paypal_fixture_links_holds_and_captures() {
    let parsed = fixture("paypal.csv");
    let l = lines(&parsed);
    let authorization = l
        .iter()
        .find(|x| x.issuer_id == "0AU11111AA111111A")
        .unwrap();
    assert_eq!(
        (authorization.status, authorization.note.as_str()),
        (Some(BankStatus::Pending), "authorization")
    );
    let capture = l
        .iter()
        .find(|x| x.related_id == authorization.issuer_id)
        .unwrap();
    assert_eq!(capture.natural_key, "bank|paypal|id|1PA22222BB222222B");
    assert_eq!(
        capture.started_at.unwrap().to_string(),
        "2026-03-02 17:00:00",
        "09:00 PST is 17:00 UTC"
    );
    assert!(
        l.iter().all(|x| !x.description.contains("Conversion")),
        "conversion rows are skipped"
    );
}

/// A public sample: its folder and file, the format, lines, and rejected rows.
const SAMPLES: &[(&str, &str, usize, usize)] = &[
    ("revolut-personal/2018-april.csv", "revolut", 9, 0),
    // The 2019 layout leaves the year out of the current year's dates.
    ("revolut-personal/2019-september.csv", "revolut", 3, 6),
    ("revolut-personal/2021-october.csv", "revolut", 7, 0),
    ("revolut-personal/2022-january.csv", "revolut", 9, 0),
    ("revolut-personal/revolut_fr_valid.csv", "revolut", 5, 0),
    (
        "revolut-business/revolut-business-anonymized-vitest.csv",
        "revolut-business",
        2,
        0,
    ),
    (
        "revolut-business/revolut-business-php-test-bom.csv",
        "revolut-business",
        4,
        0,
    ),
    ("wise/sample-statement.csv", "wise-statement", 5, 0),
    ("wise/wise_transactions.csv", "wise-statement", 8, 0),
    (
        "monzo/MonzoDataExport_February2018_2018-02-26_174335.csv",
        "monzo",
        1,
        0,
    ),
    ("monzo/monzo-from-hledger.csv", "monzo", 1, 0),
    ("n26/20171001-20171106.csv", "n26", 1, 0),
    ("n26/n26-fr.csv", "n26", 2, 0),
    ("n26/n26-from-beancount-n26.csv", "n26", 4, 0),
    ("paypal/paypal-de.csv", "paypal", 9, 0),
    ("paypal/paypal.csv", "paypal", 2, 0),
    ("paypal/paypal_alternate.csv", "paypal", 2, 0),
];

#[test]
fn shared_samples_are_recognised() {
    let Some(root) = crate::samples::root() else {
        return;
    };
    for (file, format, records, rejected) in SAMPLES {
        let path = root.join(file);
        if !path.is_file() {
            eprintln!("skipping {}: not found", path.display());
            continue;
        }
        let parsed = parse_file(&path);
        assert_eq!(parsed.format_id, *format, "{file}");
        assert_eq!(
            lines(&parsed).len(),
            *records,
            "{file}: {:?}",
            parsed.rejected
        );
        assert_eq!(
            parsed.rejected.len(),
            *rejected,
            "{file}: {:?}",
            parsed.rejected
        );
        for e in &parsed.rejected {
            assert_eq!(e.column_name, "Completed Date", "{file}: {e}");
            assert!(
                e.reason.contains("has no year") && e.reason.contains("write the year"),
                "{file}: {e}"
            );
        }
    }
}

#[test]
fn shared_sample_amounts_and_signs() {
    let Some(root) = crate::samples::root() else {
        return;
    };
    let cases: &[(&str, Totals)] = &[
        (
            "revolut-business/revolut-business-anonymized-vitest.csv",
            &[("USD", 2, "-183.76", "1.00")],
        ),
        ("wise/sample-statement.csv", &[("USD", 5, "-223.73", "0")]),
        (
            "n26/n26-from-beancount-n26.csv",
            &[("EUR", 4, "-7.43", "0")],
        ),
        ("paypal/paypal-de.csv", &[("EUR", 9, "56.91", "94.85")]),
        ("paypal/paypal.csv", &[("USD", 2, "1100.00", "0")]),
    ];
    for (file, want) in cases {
        let path = root.join(file);
        if !path.is_file() {
            eprintln!("skipping {}: not found", path.display());
            continue;
        }
        let expected: Vec<(String, usize, i64, i64)> = want
            .iter()
            .map(|(c, n, a, f)| ((*c).to_string(), *n, nanos(a), nanos(f)))
            .collect();
        assert_eq!(totals(&parse_file(&path)), expected, "{file}");
    }
}
