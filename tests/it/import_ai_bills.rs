//! The other AI bills end to end: every fixture in `tests/fixtures/ai_bills/` (Cursor, GitHub
//! Copilot, `OpenRouter`, Google Cloud, AWS Cost Explorer and Azure, one file per header era and
//! trap) is recognised by its header and adds up to exact totals, worked out by hand, with the
//! cloud files' other services left out and counted; then the files go into a real ledger, a
//! second import adds nothing, and `report --by provider` names the new providers.

use std::path::{Path, PathBuf};

use burnrate::domain::import::{FileOptions, ParsedFile, parse_bytes};
use burnrate::domain::money::{Amount, DecimalMark};
use burnrate::domain::records::{Record, UsageCharge, UsageRecord};

use crate::common::run as burnrate;

fn fixture(name: &str) -> PathBuf {
    crate::common::fixture("ai_bills").join(name)
}

fn parse(name: &str) -> ParsedFile {
    let bytes = std::fs::read(fixture(name)).unwrap();
    parse_bytes(&bytes, &FileOptions::default()).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn usage(parsed: &ParsedFile) -> Vec<&UsageRecord> {
    parsed
        .records
        .iter()
        .filter_map(|r| match r {
            Record::Usage(u) => Some(u),
            _ => None,
        })
        .collect()
}

fn nanos(text: &str) -> i64 {
    Amount::parse(text, DecimalMark::Dot).unwrap().nanos()
}

/// Cost per currency, in the order met.
fn costs(records: &[&UsageRecord]) -> Vec<(String, i64)> {
    let mut out: Vec<(String, i64)> = Vec::new();
    for r in records {
        let Some(cost) = r.cost else { continue };
        let currency = r.currency.as_str().to_string();
        match out.iter_mut().find(|(c, _)| *c == currency) {
            Some((_, sum)) => *sum += cost.nanos(),
            None => out.push((currency, cost.nanos())),
        }
    }
    out
}

/// A fixture and what it must give: format, usage records, cost per currency, and the rows
/// left out with their cost.
struct Expected {
    file: &'static str,
    format: &'static str,
    records: usize,
    costs: &'static [(&'static str, &'static str)],
    left_out: Option<(u64, &'static str, &'static str)>,
}

const FIXTURES: &[Expected] = &[
    Expected {
        // An included row Cursor values at $0.41 bills nothing; two identical requests both count.
        file: "cursor-usage-events-2026-10-v3.csv",
        format: "cursor",
        records: 8,
        costs: &[("USD", "2.59")],
        left_out: None,
    },
    Expected {
        file: "cursor-usage-events-2026-09-v2.csv",
        format: "cursor",
        records: 3,
        costs: &[("USD", "0.25")],
        left_out: None,
    },
    Expected {
        // v1 bills `Cost to you`, not Cursor's list value.
        file: "cursor-usage-events-2026-08-v1.csv",
        format: "cursor",
        records: 2,
        costs: &[("USD", "0.45")],
        left_out: None,
    },
    Expected {
        file: "cursor-usage-events-team-2026-10.csv",
        format: "cursor",
        records: 4,
        costs: &[("USD", "0.24"), ("EUR", "3.50")],
        left_out: None,
    },
    Expected {
        file: "cursor-usage-events-requests.csv",
        format: "cursor",
        records: 2,
        costs: &[],
        left_out: None,
    },
    Expected {
        // A refund lowers the total; Actions and Packages are not AI spend.
        file: "github-usage-report-2026-10.csv",
        format: "github-copilot",
        records: 6,
        costs: &[("USD", "23.78")],
        left_out: Some((3, "USD", "8.63")),
    },
    Expected {
        file: "github-premium-requests-2025-10.csv",
        format: "github-copilot",
        records: 3,
        costs: &[("USD", "4.144")],
        left_out: None,
    },
    Expected {
        file: "github-ai-credits-2026-06.csv",
        format: "github-copilot",
        records: 3,
        costs: &[("USD", "5.01")],
        left_out: None,
    },
    Expected {
        file: "github-ai-usage-2026-09.csv",
        format: "github-copilot",
        records: 3,
        costs: &[("USD", "1.60")],
        left_out: None,
    },
    Expected {
        file: "github-premium-requests-legacy.csv",
        format: "github-copilot",
        records: 3,
        costs: &[],
        left_out: None,
    },
    Expected {
        // The BYOK generation bills OpenRouter's fee only.
        file: "openrouter-activity-2026-10.csv",
        format: "openrouter",
        records: 5,
        costs: &[("USD", "1.234992")],
        left_out: None,
    },
    Expected {
        file: "openrouter-activity-reduced.csv",
        format: "openrouter",
        records: 2,
        costs: &[("USD", "0.1")],
        left_out: None,
    },
    Expected {
        // The trailing Total row is not counted; savings are in the subtotal.
        file: "gcp-reports-2026-10.csv",
        format: "gcp-billing",
        records: 5,
        costs: &[("USD", "16.48339")],
        left_out: Some((2, "USD", "41.95376")),
    },
    Expected {
        file: "gcp-reports-by-month.csv",
        format: "gcp-billing",
        records: 2,
        costs: &[("USD", "7.75")],
        left_out: Some((1, "USD", "9.38")),
    },
    Expected {
        // The preamble's currency wins over the headers' ($); credits are negative.
        file: "gcp-cost-table-2026-09.csv",
        format: "gcp-billing",
        records: 4,
        costs: &[("AUD", "25.643")],
        left_out: Some((2, "AUD", "26.87")),
    },
    Expected {
        // The Claude marketplace columns count; the Service total row does not.
        file: "aws-cost-explorer-2026-q3.csv",
        format: "aws-cost-explorer",
        records: 5,
        costs: &[("USD", "624.065")],
        left_out: Some((8, "USD", "443.45")),
    },
    Expected {
        file: "aws-cost-explorer-es.csv",
        format: "aws-cost-explorer",
        records: 1,
        costs: &[("USD", "12.50")],
        left_out: Some((1, "USD", "40")),
    },
    Expected {
        // Decimal commas, thousands dots and MM/DD/YYYY; an unused reservation is left out.
        file: "azure-actual-cost-2026-10.csv",
        format: "azure-cost",
        records: 4,
        costs: &[("EUR", "1235.275")],
        left_out: Some((3, "EUR", "160.64")),
    },
    Expected {
        file: "azure-cost-analysis-2026-10.csv",
        format: "azure-cost",
        records: 2,
        costs: &[("USD", "2.75")],
        left_out: Some((1, "USD", "3.40")),
    },
    Expected {
        file: "azure-ea-2025-03.csv",
        format: "azure-cost",
        records: 1,
        costs: &[("USD", "12.50")],
        left_out: Some((1, "USD", "2.30")),
    },
];

#[test]
fn every_fixture_adds_up_to_its_exact_totals() {
    let listed: Vec<&str> = FIXTURES.iter().map(|e| e.file).collect();
    let mut on_disk: Vec<String> = std::fs::read_dir(fixture(""))
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.path().is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    on_disk.sort();
    for name in &on_disk {
        assert!(
            listed.contains(&name.as_str()),
            "{name} has no expected totals"
        );
    }
    for want in FIXTURES {
        let file = want.file;
        let parsed = parse(file);
        assert_eq!(parsed.format_id, want.format, "{file}");
        assert_eq!(parsed.rejected, [], "{file}");
        let u = usage(&parsed);
        assert_eq!(u.len(), want.records, "{file}");
        let expected: Vec<(String, i64)> = want
            .costs
            .iter()
            .map(|(c, a)| ((*c).to_string(), nanos(a)))
            .collect();
        assert_eq!(costs(&u), expected, "{file}");
        let left = parsed.left_out.as_ref().filter(|l| l.rows > 0).map(|l| {
            assert_eq!(l.cost.len(), 1, "{file}: {l:?}");
            (
                l.rows,
                l.cost[0].currency.as_str().to_string(),
                l.cost[0].amount.nanos(),
            )
        });
        let want_left = want
            .left_out
            .map(|(rows, currency, amount)| (rows, currency.to_string(), nanos(amount)));
        assert_eq!(left, want_left, "{file}");
        assert!(
            u.iter().all(|r| !r.provider.is_empty() && r.day.is_some()),
            "{file}"
        );
    }
}

#[test]
fn included_free_errored_and_byok_usage_is_marked() {
    let cursor = parse("cursor-usage-events-2026-10-v3.csv");
    let charges: Vec<UsageCharge> = usage(&cursor).iter().map(|r| r.charge).collect();
    assert_eq!(
        charges,
        [
            UsageCharge::Included,
            UsageCharge::Included,
            UsageCharge::Billed,
            UsageCharge::Billed,
            UsageCharge::Billed,
            UsageCharge::NotCharged,
            UsageCharge::NotCharged,
            UsageCharge::Included,
        ]
    );
    let u = usage(&cursor);
    assert_eq!(
        u[1].cost_text, "$0.41",
        "the value Cursor showed is kept as written"
    );
    assert_eq!(u[0].tokens, Some(42_980), "included usage keeps its tokens");
    assert_eq!(
        u[2].natural_key(),
        u[3].natural_key(),
        "the store counts occurrences"
    );

    let team = parse("cursor-usage-events-team-2026-10.csv");
    let t = usage(&team);
    assert_eq!(
        (t[2].charge, t[2].byok_cost.map(Amount::nanos)),
        (UsageCharge::Byok, Some(nanos("0.03")))
    );
    assert_eq!(t[0].user, "ana@acme.example");

    let router = parse("openrouter-activity-2026-10.csv");
    let r = usage(&router);
    assert_eq!(
        (r[2].charge, r[2].byok_cost.map(Amount::nanos)),
        (UsageCharge::Byok, Some(nanos("0.00824")))
    );
    assert_eq!(r[0].model, "anthropic/claude-sonnet-4.5-20250929");
    assert_eq!(r[0].project_name, "Cline");

    let github = parse("github-usage-report-2026-10.csv");
    let g = usage(&github);
    assert_eq!(
        g[0].charge,
        UsageCharge::Included,
        "the allowance covered it"
    );
    let projects: Vec<&str> = g.iter().map(|r| r.project_name.as_str()).collect();
    assert_eq!(
        projects,
        [
            "acme/web", "acme/web", "Platform", "acme/api", "Platform", "acme"
        ],
        "repository, else cost centre, else organization"
    );
}

#[test]
fn models_come_from_the_cloud_bills_free_text() {
    let gcp = parse("gcp-reports-2026-10.csv");
    let models: Vec<(&str, &str)> = usage(&gcp)
        .iter()
        .map(|r| (r.model.as_str(), r.token_kind.as_str()))
        .collect();
    assert_eq!(
        models,
        [
            ("gemini-2.5-flash", "output"),
            ("gemini-2.5-flash-image", "output"),
            ("gemini-3.1-flash-lite", "input"),
            ("gemini-3-flash", "input"),
            ("claude-sonnet-4.5", "input"),
        ]
    );
    let aws = parse("aws-cost-explorer-2026-q3.csv");
    let models: Vec<&str> = usage(&aws).iter().map(|r| r.model.as_str()).collect();
    assert_eq!(
        models,
        [
            "",
            "claude-sonnet-4.5",
            "",
            "claude-sonnet-4.5",
            "claude-3-haiku"
        ]
    );
    let azure = parse("azure-actual-cost-2026-10.csv");
    let got: Vec<(&str, &str, Option<i64>)> = usage(&azure)
        .iter()
        .map(|r| (r.model.as_str(), r.token_kind.as_str(), r.tokens))
        .collect();
    assert_eq!(
        got,
        [
            ("gpt-4o-mini-0718", "input", Some(1_250_500)),
            ("gpt-4o-mini-0718", "output", Some(310_250)),
            ("gpt-5.4-mini", "input_cached", Some(2_500_000)),
            ("gpt-5.6", "cache_write", Some(1_000_000)),
        ]
    );
    assert!(
        usage(&azure)
            .iter()
            .all(|r| r.project_name == "rg-support-bot")
    );
}

#[test]
fn a_second_import_adds_nothing_and_reports_name_the_new_providers() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ledger.sqlite");
    let files: Vec<String> = FIXTURES
        .iter()
        .map(|e| fixture(e.file).display().to_string())
        .collect();
    let mut args = vec!["import", "--json"];
    args.extend(files.iter().map(String::as_str));
    let first = burnrate(&db, &args);
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&first.stdout).unwrap();
    let inserted: u64 = v
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["inserted"].as_u64().unwrap())
        .sum();
    assert_eq!(
        inserted,
        FIXTURES.iter().map(|e| e.records as u64).sum::<u64>()
    );
    let aws = v
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["format"] == "aws-cost-explorer" && r["inserted"] == 5)
        .unwrap();
    assert_eq!(aws["left_out"]["rows"], 8);
    assert_eq!(aws["left_out"]["cost"][0]["amount"], "443.45");

    let again = burnrate(&db, &args);
    let v: serde_json::Value = serde_json::from_slice(&again.stdout).unwrap();
    for r in v.as_array().unwrap() {
        assert_eq!(r["inserted"], 0, "{r}");
        assert_eq!(r["updated"], 0, "{r}");
    }

    let report = burnrate(&db, &["report", "--json", "--by", "provider"]);
    let v: serde_json::Value = serde_json::from_slice(&report.stdout).unwrap();
    let providers: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["group"].as_str())
        .collect();
    for p in ["cursor", "github", "openrouter", "google", "aws", "azure"] {
        assert!(providers.contains(&p), "{p} missing from {v}");
    }
    let text = burnrate(&db, &["import", files[16].as_str()]);
    let out = String::from_utf8_lossy(&text.stdout);
    assert!(
        out.contains("1 row(s) of other services left out (not AI spend), costing 40.00 USD"),
        "{out}"
    );
}

/// (charge, byok cost in nanos) of every usage row in a ledger, in import order.
fn charges(db: &Path) -> Vec<(String, Option<i64>)> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut stmt = conn
        .prepare("SELECT charge, byok_cost_nanos FROM usage ORDER BY id")
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

#[test]
fn the_ledger_keeps_how_usage_was_charged_through_a_merge() {
    let dir = tempfile::tempdir().unwrap();
    let first = dir.path().join("a.sqlite");
    let team = fixture("cursor-usage-events-team-2026-10.csv");
    let router = fixture("openrouter-activity-2026-10.csv");
    let out = burnrate(
        &first,
        &["import", team.to_str().unwrap(), router.to_str().unwrap()],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let want: Vec<(String, Option<i64>)> = vec![
        (String::new(), None),
        (String::new(), None),
        ("byok".into(), Some(nanos("0.03"))),
        (String::new(), None),
        (String::new(), None),
        (String::new(), None),
        ("byok".into(), Some(nanos("0.00824"))),
        (String::new(), None),
        (String::new(), None),
    ];
    assert_eq!(charges(&first), want);

    // A team member's ledger merged into another keeps the charges.
    let second = dir.path().join("b.sqlite");
    let out = burnrate(&second, &["import", first.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(charges(&second), want);

    let included = dir.path().join("c.sqlite");
    let v3 = fixture("cursor-usage-events-2026-10-v3.csv");
    burnrate(&included, &["import", v3.to_str().unwrap()]);
    let kinds: Vec<String> = charges(&included).into_iter().map(|(c, _)| c).collect();
    assert_eq!(
        kinds,
        [
            "included",
            "included",
            "",
            "",
            "",
            "not_charged",
            "not_charged",
            "included"
        ]
    );
}
