//! Coding-agent logs end to end: Claude Code and Codex folders in their real shapes imported with
//! the built binary, exact token totals and values worked out by hand, re-imports, growing files,
//! dated prices, subscriptions and merges across machines.
//!
//! The fixtures in `tests/fixtures/agents/` hold every trap the logs have: content blocks that
//! repeat the message's usage, a streaming snapshot smaller than its final line, a sub-agent
//! sidechain replaying a main-session response (with more tokens), a side-question replay with a
//! new request id, a `<synthetic>` line, an API error line, a resumed session copying an earlier
//! response, a Codex snapshot re-emitted with unchanged totals, a Codex fork replaying its parent,
//! and the same rollout in `sessions/` and `archived_sessions/`.
//!
//! Hand-worked figures (USD per million tokens: claude-sonnet-4-5 3 / 15 / 3.75 (5m write) /
//! 6 (1h write) / 0.30 (read); claude-haiku-4-5 1 / 5 / 1.25 / 2 / 0.10; gpt-5-codex 1.25 / 10,
//! cached input 0.125):
//! - A1 (sonnet): 100 in, 1000 5m-writes, 2000 reads, 300 out = 300 + 3750 + 600 + 4500 = 9150 µ$
//! - A2 (sonnet): 50 in, 4000 1h-writes, 3000 reads, 500 out = 150 + 24000 + 900 + 7500 = 32550 µ$
//! - S1 (haiku, the sub-agent's own): 10 in, 200 5m-writes, 80 out = 10 + 250 + 400 = 660 µ$
//! - B1 (sonnet, resumed session): 5 in, 10000 reads, 700 out = 15 + 3000 + 10500 = 13515 µ$
//!   Claude Code: 4 requests, 55875 µ$.
//! - Codex parent: 6000 in + 4000 cached + 500 out = 7500 + 500 + 5000 = 13000 µ$; then
//!   3000 in + 12000 cached + 400 out = 3750 + 1500 + 4000 = 9250 µ$ (the re-emitted snapshot
//!   counts nothing). Fork: its replay counts nothing; its own 1000 in + 1000 cached + 100 out =
//!   1250 + 125 + 1000 = 2375 µ$. Codex: 3 requests, 24625 µ$.

use std::path::{Path, PathBuf};

use burnrate::domain::agents::Tool;
use burnrate::store::{AgentTotals, Period, Store, ValueGroup};

use crate::common::{ok, ok_json as json, run as burnrate};

fn fixtures() -> PathBuf {
    crate::common::fixture("agents")
}

fn totals(db: &Path, tool: Tool) -> AgentTotals {
    Store::open(db)
        .unwrap()
        .agent_totals(Some(tool), &Period::all())
        .unwrap()
}

const CLAUDE: AgentTotals = AgentTotals {
    requests: 4,
    unpriced_requests: 0,
    input_tokens: 165,
    output_tokens: 1580,
    cache_write_5m_tokens: 1200,
    cache_write_1h_tokens: 4000,
    cache_read_tokens: 15000,
    reasoning_tokens: 0,
    value: burnrate::domain::money::Amount::from_nanos(55_875_000),
};

const CODEX: AgentTotals = AgentTotals {
    requests: 3,
    unpriced_requests: 0,
    input_tokens: 10_000,
    output_tokens: 1000,
    cache_write_5m_tokens: 0,
    cache_write_1h_tokens: 0,
    cache_read_tokens: 17_000,
    reasoning_tokens: 300,
    value: burnrate::domain::money::Amount::from_nanos(24_625_000),
};

fn copy_dir(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[test]
fn a_log_folder_gives_exact_totals_and_a_second_import_inserts_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ledger.sqlite");
    let folder = fixtures();
    let out = ok(&burnrate(
        &db,
        &["import", "--machine", "laptop", folder.to_str().unwrap()],
    ));
    assert!(
        out.contains("6 log file(s)") && out.contains("7 new request(s)"),
        "{out}"
    );
    assert_eq!(totals(&db, Tool::ClaudeCode), CLAUDE);
    assert_eq!(totals(&db, Tool::Codex), CODEX);

    let again = json(&burnrate(
        &db,
        &["import", "--json", folder.to_str().unwrap()],
    ));
    let reports = again.as_array().unwrap();
    assert_eq!(reports.len(), 6);
    assert!(
        reports
            .iter()
            .all(|r| r["inserted"] == 0 && r["unchanged"] == true),
        "{again:#}"
    );
    assert_eq!(totals(&db, Tool::ClaudeCode), CLAUDE);
}

#[test]
fn the_order_files_are_read_in_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ledger.sqlite");
    let mut files: Vec<PathBuf> = walk(&fixtures())
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
        .collect();
    files.reverse();
    for f in &files {
        ok(&burnrate(&db, &["import", f.to_str().unwrap()]));
    }
    assert_eq!(totals(&db, Tool::ClaudeCode), CLAUDE);
    assert_eq!(totals(&db, Tool::Codex), CODEX);
    // The main session's copy won over the sidechain replay and the side-question copy.
    let store = Store::open(&db).unwrap();
    let by_session = store
        .value_report(ValueGroup::Session, &Period::all())
        .unwrap();
    let sessions: Vec<&str> = by_session.iter().map(|r| r.group.as_str()).collect();
    assert!(
        sessions.contains(&"5f0c2a51-8d2e-4a63-9a57-0e1d7f3b2c11"),
        "{sessions:?}"
    );
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let p = entry.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out.sort();
    out
}

#[test]
fn a_file_that_grows_adds_only_its_new_requests() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ledger.sqlite");
    let source = fixtures()
        .join("claude/projects/-home-dev-src-shop/5f0c2a51-8d2e-4a63-9a57-0e1d7f3b2c11.jsonl");
    let text = std::fs::read_to_string(&source).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let log = dir.path().join("session.jsonl");
    // First the placeholder snapshot only (output 1), and half of the next line still being
    // written.
    let half = &lines[4][..lines[4].len() / 2];
    std::fs::write(&log, format!("{}\n{half}", lines[..4].join("\n"))).unwrap();
    let first = json(&burnrate(&db, &["import", "--json", log.to_str().unwrap()]));
    assert_eq!(
        (
            first[0]["inserted"].as_u64(),
            first[0]["rejected"].as_array().map(Vec::len)
        ),
        (Some(1), Some(0)),
        "{first:#}"
    );
    assert_eq!(totals(&db, Tool::ClaudeCode).output_tokens, 1);
    // The rest arrives: the snapshot's final copy replaces it, the next request is added.
    std::fs::write(&log, &text).unwrap();
    let second = json(&burnrate(&db, &["import", "--json", log.to_str().unwrap()]));
    assert_eq!(
        (
            second[0]["inserted"].as_u64(),
            second[0]["updated"].as_u64()
        ),
        (Some(1), Some(1)),
        "{second:#}"
    );
    let t = totals(&db, Tool::ClaudeCode);
    assert_eq!(
        (t.requests, t.output_tokens, t.value.nanos()),
        (2, 800, 41_700_000)
    );
    let third = json(&burnrate(&db, &["import", "--json", log.to_str().unwrap()]));
    assert_eq!(third[0]["unchanged"], true);
}

#[test]
fn a_codex_rollout_that_grows_keeps_its_running_total() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ledger.sqlite");
    let source = fixtures().join("codex/sessions/2026/10/05/rollout-2026-10-05T10-00-00-019a3c5e-7d1f-7b22-9c4e-5a6b7c8d9e01.jsonl");
    let text = std::fs::read_to_string(&source).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let log = dir.path().join("rollout.jsonl");
    std::fs::write(&log, format!("{}\n", lines[..6].join("\n"))).unwrap();
    ok(&burnrate(&db, &["import", log.to_str().unwrap()]));
    assert_eq!(totals(&db, Tool::Codex).value.nanos(), 13_000_000);
    std::fs::write(&log, &text).unwrap();
    let report = json(&burnrate(&db, &["import", "--json", log.to_str().unwrap()]));
    assert_eq!(
        report[0]["inserted"], 1,
        "only the new turn's delta: {report:#}"
    );
    assert_eq!(totals(&db, Tool::Codex).value.nanos(), 22_250_000);
}

fn claude_line(msg: &str, day: &str, input: i64, output: i64, model: &str) -> String {
    format!(
        r#"{{"type":"assistant","isSidechain":false,"sessionId":"s-{day}","cwd":"/home/dev/src/shop","timestamp":"{day}T12:00:00.000Z","requestId":"req_{msg}","message":{{"id":"msg_{msg}","model":"{model}","usage":{{"input_tokens":{input},"output_tokens":{output},"cache_read_input_tokens":0,"cache_creation_input_tokens":0}}}}}}"#
    )
}

#[test]
fn a_price_change_mid_month_prices_each_half_and_a_closed_month_never_moves_without_reprice() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ledger.sqlite");
    let sept = dir.path().join("sept.jsonl");
    std::fs::write(
        &sept,
        format!(
            "{}\n",
            claude_line("sep", "2026-09-20", 100_000, 0, "claude-sonnet-4-5")
        ),
    )
    .unwrap();
    ok(&burnrate(&db, &["import", sept.to_str().unwrap()]));
    // A new price from 15 October: USD 6 input, 30 output.
    ok(&burnrate(
        &db,
        &[
            "settings",
            "price",
            "claude-sonnet-4-5-20250929",
            "--from",
            "2026-10-15",
            "--input",
            "6",
            "--output",
            "30",
        ],
    ));
    let oct = dir.path().join("oct.jsonl");
    std::fs::write(
        &oct,
        format!(
            "{}\n{}\n",
            claude_line("a", "2026-10-10", 100_000, 0, "claude-sonnet-4-5"),
            claude_line("b", "2026-10-20", 100_000, 0, "claude-sonnet-4-5")
        ),
    )
    .unwrap();
    ok(&burnrate(&db, &["import", oct.to_str().unwrap()]));
    let by_day = |from: &str, to: &str| {
        let v = json(&burnrate(
            &db,
            &[
                "report", "--what", "value", "--from", from, "--to", to, "--json",
            ],
        ));
        v[0]["amount"].as_str().map(str::to_string)
    };
    // 100k input tokens: USD 0.30 at the shipped 3, USD 0.60 at the new 6.
    assert_eq!(by_day("2026-10-01", "2026-10-14").as_deref(), Some("0.30"));
    assert_eq!(by_day("2026-10-15", "2026-10-31").as_deref(), Some("0.60"));
    // A price for September arrives: the closed month keeps its value until a deliberate
    // reprice.
    ok(&burnrate(
        &db,
        &[
            "settings",
            "price",
            "claude-sonnet-4-5",
            "--from",
            "2026-09-01",
            "--input",
            "4",
            "--output",
            "20",
        ],
    ));
    let sep = || {
        json(&burnrate(
            &db,
            &["report", "--what", "value", "--month", "2026-09", "--json"],
        ))[0]["amount"]
            .clone()
    };
    assert_eq!(sep(), "0.30");
    let out = ok(&burnrate(&db, &["reprice", "--from", "2026-09-01"]));
    assert!(
        out.contains("2 of 3 changed") && out.contains("claude-sonnet-4-5"),
        "{out}"
    );
    assert_eq!(sep(), "0.40");
    assert_eq!(
        by_day("2026-10-15", "2026-10-31").as_deref(),
        Some("0.60"),
        "the later user price still wins"
    );
    assert_eq!(by_day("2026-10-01", "2026-10-14").as_deref(), Some("0.40"));
}

#[test]
fn unpriced_models_are_shown_as_unpriced_with_their_counts_never_as_zero() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ledger.sqlite");
    let log = dir.path().join("new-model.jsonl");
    std::fs::write(
        &log,
        format!(
            "{}\n{}\n",
            claude_line("x1", "2026-10-10", 1000, 10, "claude-opus-9"),
            claude_line("x2", "2026-10-11", 2000, 20, "claude-opus-9")
        ),
    )
    .unwrap();
    let out = ok(&burnrate(&db, &["import", log.to_str().unwrap()]));
    assert!(
        out.contains("2 new request(s) are of models without a price"),
        "{out}"
    );
    let v = json(&burnrate(
        &db,
        &["report", "--what", "value", "--by", "model", "--json"],
    ));
    assert_eq!(
        v,
        serde_json::json!([{"period": "all", "group": "claude-opus-9", "amount": null, "currency": "USD", "unpriced_requests": 2}])
    );
    let table = ok(&burnrate(
        &db,
        &["report", "--what", "value", "--by", "model"],
    ));
    assert!(
        table.contains("unpriced") && !table.contains("0.00"),
        "{table}"
    );
    let prices = json(&burnrate(&db, &["prices", "--json"]));
    assert_eq!(prices["unpriced"][0]["model"], "claude-opus-9");
    assert_eq!(prices["unpriced"][0]["requests"], 2);
    assert_eq!(prices["unpriced"][0]["input_tokens"], 3000);
    let text = ok(&burnrate(&db, &["prices"]));
    assert!(
        text.contains("claude-opus-9") && text.contains("2 request(s)"),
        "{text}"
    );
    ok(&burnrate(
        &db,
        &[
            "settings",
            "price",
            "claude-opus-9",
            "--from",
            "2026-01-01",
            "--input",
            "10",
            "--output",
            "50",
        ],
    ));
    let out = ok(&burnrate(&db, &["reprice"]));
    assert!(out.contains("2 newly priced"), "{out}");
    let v = json(&burnrate(&db, &["report", "--what", "value", "--json"]));
    // 3000 * 10 + 30 * 50 = 31_500 µ$
    assert_eq!(
        (v[0]["amount"].as_str(), v[0]["unpriced_requests"].as_i64()),
        (Some("0.03"), Some(0))
    );
}

#[test]
fn a_claude_max_month_shows_paid_value_and_leverage() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ledger.sqlite");
    // Ten requests on Sonnet 4.5: each 150k uncached input (USD 0.45) + 370k output (USD 5.55),
    // below the 200k long-context threshold.
    let log = dir.path().join("work.jsonl");
    let lines: Vec<String> = (0..10)
        .map(|i| {
            claude_line(
                &format!("big{i}"),
                &format!("2026-10-{:02}", i + 3),
                150_000,
                370_000,
                "claude-sonnet-4-5",
            )
        })
        .collect();
    std::fs::write(&log, lines.join("\n") + "\n").unwrap();
    let card = dir.path().join("chase.csv");
    std::fs::write(
        &card,
        "Card,Transaction Date,Post Date,Description,Category,Type,Amount,Memo\n\
         4821,10/02/2026,10/03/2026,Anthropic* Claude Sub,Professional Services,Sale,-100.00,\n\
         4821,10/04/2026,10/05/2026,GROCERY STORE,Groceries,Sale,-42.10,\n",
    )
    .unwrap();
    ok(&burnrate(
        &db,
        &["import", card.to_str().unwrap(), log.to_str().unwrap()],
    ));
    let v = json(&burnrate(
        &db,
        &[
            "report",
            "--what",
            "subscriptions",
            "--month",
            "2026-10",
            "--json",
        ],
    ));
    assert_eq!(
        v,
        serde_json::json!([{"tool": "claude-code", "provider": "anthropic", "paid": "100.00", "currency": "USD", "value": "60.00", "leverage": "0.60"}])
    );
    // Without a subscription line that month, Claude Code counts as paid by API credit.
    let none = json(&burnrate(
        &db,
        &[
            "report",
            "--what",
            "subscriptions",
            "--month",
            "2026-11",
            "--json",
        ],
    ));
    assert_eq!(none, serde_json::json!([]));
    // The user says the tool runs on API credit: it leaves the subscriptions report.
    ok(&burnrate(
        &db,
        &[
            "settings",
            "plan",
            "--tool",
            "claude-code",
            "--provider",
            "anthropic",
            "--kind",
            "api",
        ],
    ));
    assert_eq!(
        json(&burnrate(
            &db,
            &[
                "report",
                "--what",
                "subscriptions",
                "--month",
                "2026-10",
                "--json"
            ]
        )),
        serde_json::json!([])
    );
    let text = ok(&burnrate(
        &db,
        &["report", "--what", "subscriptions", "--month", "2026-10"],
    ));
    assert!(text.contains("settings plan"), "{text}");
    let err = burnrate(&db, &["report", "--what", "subscriptions"]);
    assert!(!err.status.success() && String::from_utf8_lossy(&err.stderr).contains("--month"));
}

#[test]
fn two_machines_merged_count_each_request_once_and_keep_their_names() {
    let dir = tempfile::tempdir().unwrap();
    let laptop = dir.path().join("laptop.sqlite");
    let desktop = dir.path().join("desktop.sqlite");
    let claude = fixtures().join("claude");
    let codex = fixtures().join("codex");
    ok(&burnrate(
        &laptop,
        &["import", "--machine", "laptop", claude.to_str().unwrap()],
    ));
    // The desktop has a backup of the same Claude logs and its own Codex logs.
    ok(&burnrate(
        &desktop,
        &[
            "import",
            "--machine",
            "desktop",
            claude.to_str().unwrap(),
            codex.to_str().unwrap(),
        ],
    ));
    let merged = json(&burnrate(
        &laptop,
        &["import", "--json", desktop.to_str().unwrap()],
    ));
    assert!(merged[0]["error"].is_null(), "{merged:#}");
    assert_eq!(totals(&laptop, Tool::ClaudeCode), CLAUDE);
    assert_eq!(totals(&laptop, Tool::Codex), CODEX);
    let v = json(&burnrate(
        &laptop,
        &["report", "--what", "value", "--by", "machine", "--json"],
    ));
    let groups: Vec<(&str, &str)> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["group"].as_str().unwrap(), r["amount"].as_str().unwrap()))
        .collect();
    assert_eq!(groups, vec![("desktop", "0.02"), ("laptop", "0.06")]);
    let again = json(&burnrate(
        &laptop,
        &["import", "--json", desktop.to_str().unwrap()],
    ));
    assert_eq!(again[0]["inserted"], 0, "{again:#}");
}

#[test]
fn project_rules_rename_and_merge_projects() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ledger.sqlite");
    ok(&burnrate(&db, &["import", fixtures().to_str().unwrap()]));
    let projects = |db: &Path| {
        json(&burnrate(
            db,
            &["report", "--what", "value", "--by", "project", "--json"],
        ))
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["group"].as_str().unwrap().to_string())
        .collect::<Vec<_>>()
    };
    assert_eq!(projects(&db), vec!["shop"]);
    let out = ok(&burnrate(
        &db,
        &[
            "settings",
            "project-rule",
            "/home/dev/src/shop",
            "--project",
            "Acme storefront",
        ],
    ));
    assert!(out.contains("7 request(s)"), "{out}");
    assert_eq!(projects(&db), vec!["Acme storefront"]);
    let list = json(&burnrate(
        &db,
        &["settings", "project-rule", "list", "--json"],
    ));
    assert_eq!(
        list,
        serde_json::json!([{"prefix": "/home/dev/src/shop", "project": "Acme storefront"}])
    );
    ok(&burnrate(
        &db,
        &[
            "settings",
            "project-rule",
            "/home/dev/src/shop/",
            "--remove",
        ],
    ));
    assert_eq!(projects(&db), vec!["shop"]);
}

#[test]
fn bad_logs_say_what_is_wrong_with_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ledger.sqlite");
    let notes = dir.path().join("notes.jsonl");
    std::fs::write(&notes, "{\"todo\":\"buy milk\"}\n{\"todo\":\"call\"}\n").unwrap();
    let out = burnrate(&db, &["import", notes.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("not a Claude Code or Codex log")
            && err.contains("pass `--as claude-code` or `--as codex` if it is one")
            && err.contains("notes.jsonl"),
        "{err}"
    );
    let broken = dir.path().join("broken.jsonl");
    std::fs::write(
        &broken,
        format!(
            "{}\n{{\"type\":\"assistant\",\"sessionId\":\"s\",\"message\":{{\"usage\":{{\"input_tokens\":\"ten\"}}}}}}\n",
            claude_line("ok", "2026-10-10", 10, 10, "claude-sonnet-4-5")
        ),
    )
    .unwrap();
    let v = json(&burnrate(
        &db,
        &["import", "--json", broken.to_str().unwrap()],
    ));
    assert_eq!(v[0]["inserted"], 1);
    assert_eq!(v[0]["rejected"][0]["line"], 2);
    assert!(v[0]["rejected"][0]["column"].as_u64().is_some());
    assert!(
        v[0]["rejected"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("not a Claude Code log entry")
    );
}

#[test]
fn formats_lists_the_agent_logs() {
    let dir = tempfile::tempdir().unwrap();
    let v = json(&burnrate(
        &dir.path().join("l.sqlite"),
        &["formats", "--json"],
    ));
    let ids: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["id"].as_str())
        .collect();
    assert!(
        ids.contains(&"claude-code") && ids.contains(&"codex"),
        "{ids:?}"
    );
}

#[test]
fn a_folder_copied_elsewhere_is_recognised_by_content() {
    // Backups restored to another folder: new paths, same requests.
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ledger.sqlite");
    let copy = dir.path().join("backup");
    std::fs::create_dir_all(&copy).unwrap();
    copy_dir(&fixtures(), &copy);
    ok(&burnrate(&db, &["import", fixtures().to_str().unwrap()]));
    let v = json(&burnrate(
        &db,
        &["import", "--json", copy.to_str().unwrap()],
    ));
    assert!(
        v.as_array().unwrap().iter().all(|r| r["inserted"] == 0),
        "{v:#}"
    );
    assert_eq!(totals(&db, Tool::ClaudeCode), CLAUDE);
}

/// The window as a new user sees it: a Claude Code folder and a card statement with a Claude
/// subscription give the month's paid, API value and leverage on the dashboard, the requests in
/// the Ledger, and the start-up import of the log folders in Settings.
mod window {
    use burnrate::domain::agents::AgentFolders;
    use burnrate::store::Store;
    use egui_kittest::kittest::Queryable;

    use super::{burnrate, claude_line, ok};
    use crate::common::window::{harness_for, settle, step_until};

    fn november_logs(dir: &std::path::Path) -> std::path::PathBuf {
        let logs = dir.join("claude/projects/-home-dev-src-shop");
        std::fs::create_dir_all(&logs).unwrap();
        let lines: Vec<String> = (0..10)
            .map(|i| {
                claude_line(
                    &format!("nov{i}"),
                    &format!("2026-11-{:02}", i + 3),
                    150_000,
                    370_000,
                    "claude-sonnet-4-5",
                )
            })
            .collect();
        std::fs::write(logs.join("s1.jsonl"), lines.join("\n") + "\n").unwrap();
        dir.join("claude")
    }

    #[test]
    fn the_dashboard_shows_paid_value_and_leverage_and_the_ledger_lists_the_requests() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("ledger.sqlite");
        let logs = november_logs(dir.path());
        let card = dir.path().join("chase.csv");
        std::fs::write(
            &card,
            "Card,Transaction Date,Post Date,Description,Category,Type,Amount,Memo\n4821,11/02/2026,11/03/2026,Anthropic* Claude Sub,Professional Services,Sale,-100.00,\n",
        )
        .unwrap();
        ok(&burnrate(
            &db,
            &["import", logs.to_str().unwrap(), card.to_str().unwrap()],
        ));
        let mut harness = harness_for(dir.path());
        settle(&mut harness);
        harness.get_by_label("Subscriptions this month");
        harness.get_by_label("Claude Code (anthropic)");
        // The plan's card and the all-in month (the plan, the agent's requests not added).
        assert_eq!(harness.query_all_by_label("$100.00").count(), 2);
        harness.get_by_label_contains("usage $0.00 · plans $100.00");
        assert!(harness.query_all_by_label("$60.00").count() >= 1);
        harness.get_by_label("0.60x");
        harness.get_by_label_contains("never added to billed usage");
        harness.get_by_label("Show the agent requests").click();
        settle(&mut harness);
        step_until(&mut harness, "Agent usage");
        assert!(harness.query_all_by_label("claude-sonnet-4-5").count() >= 10);
    }

    #[test]
    fn settings_turn_on_the_start_up_import_which_then_runs_in_the_background() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("ledger.sqlite");
        let logs = november_logs(dir.path());
        // A ledger with something in it, and the folder saved but off.
        Store::open(&db)
            .unwrap()
            .set_agent_folders(&AgentFolders {
                import_at_start: false,
                folders: vec![logs.display().to_string()],
            })
            .unwrap();
        let card = dir.path().join("chase.csv");
        std::fs::write(&card, "Card,Transaction Date,Post Date,Description,Category,Type,Amount,Memo\n4821,11/02/2026,11/03/2026,Anthropic* Claude Sub,Professional Services,Sale,-100.00,\n").unwrap();
        ok(&burnrate(&db, &["import", card.to_str().unwrap()]));
        let mut harness = harness_for(dir.path());
        settle(&mut harness);
        harness.get_by_label("Settings").click();
        settle(&mut harness);
        harness
            .get_by_label("Import new requests from these folders at start-up")
            .scroll_to_me();
        settle(&mut harness);
        harness
            .get_by_label("Import new requests from these folders at start-up")
            .click();
        settle(&mut harness);
        let saved = Store::open(&db).unwrap().agent_folders().unwrap().unwrap();
        assert!(
            saved.import_at_start && saved.folders == vec![logs.display().to_string()],
            "{saved:?}"
        );
        // Turned on, the folders are imported right away, in the background.
        step_until(
            &mut harness,
            "Agent logs imported in the background: 10 new request(s).",
        );
        harness.get_by_label("Dashboard").click();
        step_until(&mut harness, "0.60x");
        drop(harness);
        // Every later start imports what is new: here nothing.
        let mut harness = harness_for(dir.path());
        step_until(
            &mut harness,
            "Agent logs imported in the background: 0 new request(s).",
        );
        assert_eq!(Store::open(&db).unwrap().agent_usage_count().unwrap(), 10);
    }
}

#[test]
fn the_review_names_logs_on_api_credit_that_the_bill_does_not_match() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ledger.sqlite");
    ok(&burnrate(&db, &["import", fixtures().to_str().unwrap()]));
    // No card line pays a subscription in October: both tools count as API credit, and no
    // provider export says what was billed.
    let review = ok(&burnrate(
        &db,
        &["report", "--month", "2026-10", "--review", "--json"],
    ));
    assert!(review.contains("agent_logs_vs_billed"), "{review}");
    let text = ok(&burnrate(
        &db,
        &["report", "--month", "2026-10", "--review"],
    ));
    assert!(
        text.contains("more than 5% apart") && text.contains("anthropic"),
        "{text}"
    );
    // A month without agent logs says nothing of it.
    let quiet = ok(&burnrate(
        &db,
        &["report", "--month", "2026-09", "--review", "--json"],
    ));
    assert!(!quiet.contains("agent_logs_vs_billed"));
}
