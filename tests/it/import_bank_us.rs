//! End-to-end imports of US card and bank statements and Amex exports: every fixture under
//! `tests/fixtures/bank_us/` must be recognised, give no rejected rows, and add up to the exact
//! total (money out negative). When the shared real-shaped samples are checked out next to the
//! repository (`../shared/samples`), each of them must import cleanly too, and the generic bank
//! layout there must stay unrecognised so the user maps it.

use std::path::{Path, PathBuf};

use burnrate::domain::import::{FileOptions, ParsedFile, parse_bytes};
use burnrate::domain::money::Currency;
use burnrate::domain::records::{BankLine, BankStatus, Record};

const AI_WORDS: &[&str] = &[
    "OPENAI",
    "CHATGPT",
    "ANTHROPIC",
    "CLAUDE",
    "GITHUB",
    "MIDJOURNEY",
];

fn fixture(name: &str) -> PathBuf {
    crate::common::fixture("bank_us").join(name)
}

fn parse_file(path: &Path) -> ParsedFile {
    parse_with(path, &FileOptions::default())
}

fn parse_with(path: &Path, options: &FileOptions) -> ParsedFile {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    match parse_bytes(&bytes, options) {
        Ok(parsed) => parsed,
        Err(e) => panic!("{}: {e}", path.display()),
    }
}

/// A file that does not say its currency: importing it asks, and the user's answer reads it.
fn parse_answering(path: &Path, currency: &str) -> ParsedFile {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let Err(e) = parse_bytes(&bytes, &FileOptions::default()) else {
        panic!("{} was read without asking its currency", path.display());
    };
    assert!(
        e.to_string().contains("--currency"),
        "{}: {e}",
        path.display()
    );
    let options = FileOptions {
        currency: Some(Currency::parse(currency).unwrap()),
        ..FileOptions::default()
    };
    parse_with(path, &options)
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

fn total_nanos<'a>(lines: impl IntoIterator<Item = &'a &'a BankLine>) -> i64 {
    lines.into_iter().map(|l| l.amount.nanos()).sum()
}

fn is_ai(line: &BankLine) -> bool {
    let d = line.description.to_uppercase();
    AI_WORDS.iter().any(|w| d.contains(w))
}

#[test]
#[expect(
    clippy::too_many_lines,
    reason = "one table of fixture expectations reads best in one place"
)]
fn fixtures_import_with_exact_totals() {
    // (file, format id, lines, total nanos, AI total nanos, currency)
    let cases: &[(&str, &str, usize, i64, i64, &str)] = &[
        (
            "chase-card.csv",
            "chase-card",
            9,
            -19_400_000_000,
            -235_000_000_000,
            "USD",
        ),
        (
            "chase-checking.csv",
            "chase-checking",
            8,
            2_405_250_000_000,
            -120_000_000_000,
            "USD",
        ),
        (
            "apple-card.csv",
            "apple-card",
            8,
            250_900_000_000,
            -55_000_000_000,
            "USD",
        ),
        (
            "capital-one.csv",
            "capital-one",
            7,
            18_620_000_000,
            -154_000_000_000,
            "USD",
        ),
        (
            "capital-one-360.csv",
            "capital-one-360",
            6,
            2_156_370_000_000,
            -45_000_000_000,
            "USD",
        ),
        (
            "citi.csv",
            "citi",
            7,
            1_113_330_000_000,
            -80_000_000_000,
            "USD",
        ),
        (
            "amex.csv",
            "amex",
            8,
            241_290_000_000,
            -220_000_000_000,
            "USD",
        ),
        (
            "amex-uk.csv",
            "amex",
            5,
            349_570_000_000,
            -36_000_000_000,
            "GBP",
        ),
        (
            "amex-no.csv",
            "amex",
            5,
            -18_860_000_000,
            -1_317_360_000_000,
            "NOK",
        ),
        (
            "amex-bare.csv",
            "amex",
            6,
            -78_560_000_000,
            -63_560_000_000,
            "USD",
        ),
    ];
    for (file, format, count, total, ai_total, currency) in cases {
        // The bare Amex layout says nothing of its currency: the user answers.
        let parsed = if *file == "amex-bare.csv" {
            parse_answering(&fixture(file), currency)
        } else {
            parse_file(&fixture(file))
        };
        assert_eq!(parsed.format_id, *format, "{file}");
        assert_eq!(parsed.rejected, [], "{file}");
        let l = lines(&parsed);
        assert_eq!(l.len(), *count, "{file}");
        assert_eq!(total_nanos(&l), *total, "{file}");
        assert_eq!(
            total_nanos(l.iter().filter(|l| is_ai(l))),
            *ai_total,
            "{file}"
        );
        assert!(l.iter().all(|l| l.currency == *currency), "{file}");
        assert!(
            l.iter()
                .all(|l| l.day().is_some() && !l.natural_key.is_empty()),
            "{file}"
        );
    }
}

#[test]
fn fixture_quirks_survive_the_import() {
    let chase = parse_file(&fixture("chase-card.csv"));
    let chase = lines(&chase);
    assert_eq!(chase[2].description, "GITHUB& CO SPONSORS");
    assert_eq!(chase[0].account, "chase-card:4821");
    assert_eq!(
        chase[0].natural_key,
        "bank|chase-card:4821|2026-03-02|OPENAI *CHATGPT SUBSCR|USD|-20000000000"
    );

    let apple = parse_file(&fixture("apple-card.csv"));
    let apple = lines(&apple);
    assert_eq!(
        apple[2].natural_key, apple[3].natural_key,
        "two identical purchases: the store counts occurrences"
    );

    let citi = parse_file(&fixture("citi.csv"));
    let citi = lines(&citi);
    assert_eq!(
        citi.iter()
            .filter(|l| l.status == Some(BankStatus::Pending))
            .count(),
        1
    );
    assert_eq!(
        citi[0].natural_key,
        "bank|citi|2026-08-28|OPENAI *CHATGPT SUBSCR|USD"
    );

    let amex = parse_file(&fixture("amex.csv"));
    let amex = lines(&amex);
    assert_eq!(amex[0].account, "amex:-71002");
    assert_eq!(amex[0].natural_key, "bank|amex:-71002|id|320262450000001");
    assert_ne!(
        amex[3].natural_key, amex[4].natural_key,
        "same purchase twice, two references"
    );

    let uk = parse_file(&fixture("amex-uk.csv"));
    let uk = lines(&uk);
    assert!(
        uk.iter().all(|l| l.account == "amex:GBP"),
        "one account per card currency"
    );
    assert_eq!(
        uk[2].day().map(|d| d.to_string()).as_deref(),
        Some("2026-10-03")
    );
    assert_eq!(
        (
            uk[0]
                .original_amount
                .map(burnrate::domain::money::Amount::nanos),
            uk[0].original_currency.as_deref().unwrap_or("")
        ),
        (Some(-20_000_000_000), "USD")
    );

    let no = parse_file(&fixture("amex-no.csv"));
    let no = lines(&no);
    assert!(no.iter().all(|l| l.account == "amex:NOK"));
    assert_eq!(no[2].amount_text, "1.097,80");
    assert_eq!(
        (
            no[2]
                .original_amount
                .map(burnrate::domain::money::Amount::nanos),
            no[2].original_currency.as_deref().unwrap_or("")
        ),
        (Some(-100_000_000_000), "USD")
    );
}

#[test]
fn shared_samples_import_cleanly() {
    let Some(root) = crate::samples::root() else {
        return;
    };
    for dir in ["chase", "amex", "apple-card", "capital-one", "citi"] {
        let mut seen = 0;
        for path in csv_files(&root.join(dir)) {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let parsed = match AMEX_ASKED.iter().find(|(file, _)| *file == name) {
                Some((_, answer)) => parse_answering(&path, answer),
                None => parse_file(&path),
            };
            if let Some((_, currency, account)) = AMEX.iter().find(|(file, ..)| *file == name) {
                let l = lines(&parsed);
                assert!(
                    l.iter()
                        .all(|l| l.currency.as_str() == *currency && l.account == *account),
                    "{name}: {l:?}"
                );
            }
            let format = expected_format(dir, &name);
            assert_eq!(parsed.format_id, format, "{}", path.display());
            assert_eq!(parsed.rejected, [], "{}", path.display());
            assert!(!parsed.records.is_empty(), "{}", path.display());
            seen += 1;
        }
        assert!(seen > 0, "no sample in {dir}");
    }
    for path in csv_files(&root.join("generic-bank-variants")) {
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let Err(e) = parse_bytes(&bytes, &FileOptions::default()) else {
            panic!("{} must stay unrecognised", path.display());
        };
        assert!(
            matches!(
                e,
                burnrate::domain::import::ImportError::Unrecognized { .. }
            ),
            "{}: {e}",
            path.display()
        );
    }
}

/// The Amex samples that do not say their card's currency (the bare US layout; the Singapore
/// export, whose merchants are as often American as Singaporean), and the user's answer.
const AMEX_ASKED: &[(&str, &str)] = &[("amex_sample.csv", "USD"), ("amex-sg.csv", "SGD")];

/// Each Amex sample's currency and account: one account per card currency.
const AMEX: &[(&str, &str, &str)] = &[
    ("amex-no.csv", "NOK", "amex:NOK"),
    ("amex-uk.csv", "GBP", "amex:GBP"),
    ("amex-sg.csv", "SGD", "amex:SGD"),
    ("amex_extended.csv", "USD", "amex:-31009"),
    ("amex_sample.csv", "USD", "amex"),
];

/// The format a sample must be read as: the folder's name, except for Chase (two layouts).
fn expected_format<'a>(dir: &'a str, file: &str) -> &'a str {
    match dir {
        "chase" if file.contains("checking") => "chase-checking",
        "chase" => "chase-card",
        // `citi/chase_sample.csv` is a Citi layout despite its name.
        other => other,
    }
}

fn csv_files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x.eq_ignore_ascii_case("csv")))
        .collect();
    files.sort();
    files
}
