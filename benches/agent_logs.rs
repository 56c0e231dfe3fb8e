//! Import speed of a large coding-agent log folder: 200,000 requests.
//!
//! Run with `cargo bench --bench agent_logs`. Writes a folder shaped like `~/.claude/projects`
//! and `~/.codex/sessions` into a temporary folder: 1,600 Claude Code sessions of 100 requests
//! (each response written as three content-block lines plus a streaming snapshot, with user
//! lines and tool results between them, a sub-agent file per tenth session replaying a
//! response) and 400 Codex rollouts of 100 turns (each with a re-emitted snapshot), 200,000
//! requests in all. Imports it through the one import loop into a fresh ledger, imports it again
//! (every file unchanged), appends one request to 100 files and imports once more, and prints
//! wall times, requests per second and peak resident memory.
//!
//! `BURNRATE_BENCH_PERCENT=5 cargo bench --bench agent_logs` writes a folder of that share of the
//! sessions (same shapes), small enough to run under `valgrind --tool=callgrind`, whose
//! instruction counts repeat from run to run on a shared machine where wall times do not.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use burnrate::domain::import::FileOptions;
use burnrate::services::import::import_paths;
use burnrate::store::{ImportMode, ImportReport, Period, Store};

const CLAUDE_SESSIONS: usize = 1_600;
const CODEX_SESSIONS: usize = 400;
const REQUESTS_PER_SESSION: usize = 100;

/// The share of the sessions to write, in percent (`BURNRATE_BENCH_PERCENT`, default 100).
fn percent() -> usize {
    std::env::var("BURNRATE_BENCH_PERCENT")
        .ok()
        .and_then(|p| p.parse::<usize>().ok())
        .filter(|p| (1..=100).contains(p))
        .unwrap_or(100)
}

/// How many Claude Code and Codex sessions to write.
fn sessions() -> (usize, usize) {
    let p = percent();
    (
        (CLAUDE_SESSIONS * p / 100).max(10),
        (CODEX_SESSIONS * p / 100).max(1),
    )
}

fn peak_rss_mib() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM"))
                .map(|l| l.split_whitespace().nth(1).unwrap_or("0").to_string())
        })
        .and_then(|kb| kb.parse::<u64>().ok())
        .map_or_else(|| "n/a".to_string(), |kb| format!("{} MiB", kb / 1024))
}

fn claude_line(
    session: usize,
    request: usize,
    block: usize,
    output: usize,
    sidechain: bool,
) -> String {
    let day = 1 + (session + request) % 28;
    let model = if request.is_multiple_of(5) {
        "claude-haiku-4-5-20251001"
    } else {
        "claude-sonnet-4-5-20250929"
    };
    format!(
        r#"{{"parentUuid":"p-{session}-{request}","isSidechain":{sidechain},"userType":"external","cwd":"/home/dev/src/project-{p}","sessionId":"sess-{session:05}","version":"2.1.126","gitBranch":"main","message":{{"model":"{model}","id":"msg_{session:05}_{request:03}","type":"message","role":"assistant","content":[{{"type":"text","text":"Block {block} of the answer, with some words to make the line as long as a real one is, and then some more."}}],"stop_reason":"tool_use","usage":{{"input_tokens":{input},"cache_creation_input_tokens":{cw},"cache_read_input_tokens":{read},"output_tokens":{output},"service_tier":"standard","cache_creation":{{"ephemeral_1h_input_tokens":0,"ephemeral_5m_input_tokens":{cw}}},"speed":"standard"}}}},"requestId":"req_{session:05}_{request:03}","type":"assistant","uuid":"u-{session}-{request}-{block}","timestamp":"2026-10-{day:02}T10:{m:02}:{s:02}.000Z"}}"#,
        p = session % 40,
        input = 10 + request,
        cw = 500 + request * 3,
        read = 20_000 + request * 100,
        m = request % 60,
        s = block,
    )
}

fn user_line(session: usize, request: usize) -> String {
    format!(
        r#"{{"parentUuid":"x","isSidechain":false,"cwd":"/home/dev/src/project-{p}","sessionId":"sess-{session:05}","type":"user","message":{{"role":"user","content":[{{"tool_use_id":"toolu_{request}","type":"tool_result","content":"file contents that the tool read, a few hundred bytes of them in a real transcript, here a sentence or two to stand for it"}}]}},"uuid":"t-{session}-{request}","timestamp":"2026-10-01T10:00:00.000Z"}}"#,
        p = session % 40
    )
}

fn codex_lines(session: usize) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        r#"{{"timestamp":"2026-10-02T08:00:00.000Z","type":"session_meta","payload":{{"id":"codex-{session:05}","timestamp":"2026-10-02T08:00:00.000Z","cwd":"/home/dev/src/service-{p}","originator":"codex_cli_rs","cli_version":"0.121.0","model_provider":"openai"}}}}"#,
        p = session % 10
    );
    let _ = writeln!(
        out,
        r#"{{"timestamp":"2026-10-02T08:00:00.100Z","type":"turn_context","payload":{{"cwd":"/home/dev/src/service","model":"gpt-5-codex"}}}}"#
    );
    let (mut input, mut cached, mut output) = (0u64, 0u64, 0u64);
    for turn in 0..REQUESTS_PER_SESSION {
        input += 3_000 + turn as u64;
        cached += 2_000;
        output += 200;
        let event = format!(
            r#"{{"timestamp":"2026-10-{day:02}T{h:02}:{m:02}:{sec:02}.{ms:03}Z","type":"event_msg","payload":{{"type":"token_count","info":{{"total_token_usage":{{"input_tokens":{input},"cached_input_tokens":{cached},"output_tokens":{output},"reasoning_output_tokens":0,"total_tokens":{t}}},"last_token_usage":{{"input_tokens":1,"cached_input_tokens":0,"output_tokens":1,"reasoning_output_tokens":0,"total_tokens":2}}}},"rate_limits":{{"primary":{{"used_percent":{pct}.0,"window_minutes":300}},"secondary":{{"used_percent":3.0,"window_minutes":10080}},"plan_type":"pro"}}}}}}"#,
            day = 2 + session % 20,
            h = 8 + turn / 60,
            m = turn % 60,
            t = input + output,
            pct = turn % 100,
            sec = session % 60,
            ms = session % 1000,
        );
        let _ = writeln!(
            out,
            r#"{{"timestamp":"2026-10-02T08:00:01.000Z","type":"response_item","payload":{{"type":"message","role":"assistant","content":[{{"type":"output_text","text":"working on it"}}]}}}}"#
        );
        let _ = writeln!(out, "{event}");
        // Codex writes the same snapshot again.
        let _ = writeln!(out, "{event}");
    }
    out
}

fn write_folder(root: &Path) -> std::io::Result<(u64, Vec<PathBuf>)> {
    let (claude_sessions, codex_sessions) = sessions();
    let mut bytes = 0u64;
    let mut claude_files = Vec::new();
    for session in 0..claude_sessions {
        let dir = root.join(format!(
            "claude/projects/-home-dev-src-project-{}",
            session % 40
        ));
        std::fs::create_dir_all(&dir)?;
        let mut text = String::new();
        for request in 0..REQUESTS_PER_SESSION {
            let _ = writeln!(text, "{}", user_line(session, request));
            let _ = writeln!(text, "{}", claude_line(session, request, 0, 1, false));
            for block in 1..=3 {
                let _ = writeln!(
                    text,
                    "{}",
                    claude_line(session, request, block, 300 + request, false)
                );
            }
        }
        let path = dir.join(format!("sess-{session:05}.jsonl"));
        bytes += text.len() as u64;
        std::fs::write(&path, text)?;
        claude_files.push(path);
        if session.is_multiple_of(10) {
            let sub = dir.join(format!("sess-{session:05}/subagents"));
            std::fs::create_dir_all(&sub)?;
            let text = format!("{}\n", claude_line(session, 7, 1, 999, true));
            bytes += text.len() as u64;
            std::fs::write(sub.join("agent-0123456789abcdef0.jsonl"), text)?;
        }
    }
    for session in 0..codex_sessions {
        let dir = root.join(format!("codex/sessions/2026/10/{:02}", 2 + session % 20));
        std::fs::create_dir_all(&dir)?;
        let text = codex_lines(session);
        bytes += text.len() as u64;
        std::fs::write(
            dir.join(format!(
                "rollout-2026-10-02T08-00-00-codex-{session:05}.jsonl"
            )),
            text,
        )?;
    }
    Ok((bytes, claude_files))
}

fn run(store: &mut Store, root: &Path) -> std::io::Result<(f64, Vec<ImportReport>)> {
    let t = Instant::now();
    let reports = import_paths(
        store,
        &[root.to_path_buf()],
        &FileOptions::default(),
        ImportMode::default(),
        &mut |_| true,
    )
    .map_err(std::io::Error::other)?;
    Ok((t.elapsed().as_secs_f64(), reports))
}

fn main() -> std::io::Result<()> {
    let dir = tempfile::tempdir()?;
    let root = dir.path().join("logs");
    let (bytes, claude_files) = write_folder(&root)?;
    let (claude_sessions, codex_sessions) = sessions();
    let requests = (claude_sessions + codex_sessions) * REQUESTS_PER_SESSION;
    println!(
        "folder: {} files, {requests} requests, {} MB",
        claude_sessions + claude_sessions / 10 + codex_sessions,
        bytes / 1_000_000
    );
    let mut store =
        Store::open(&dir.path().join("ledger.sqlite")).map_err(std::io::Error::other)?;
    let (secs, reports) = run(&mut store, &root)?;
    let inserted: u64 = reports.iter().map(|r| r.inserted).sum();
    let errors = reports.iter().filter(|r| r.error.is_some()).count();
    println!(
        "first import: {secs:.1} s, {:.0} requests/s, {inserted} inserted, {errors} files with errors, peak RSS {}",
        f64::from(u32::try_from(requests).unwrap_or(u32::MAX)) / secs,
        peak_rss_mib()
    );
    let totals = store
        .agent_totals(None, &Period::all())
        .map_err(std::io::Error::other)?;
    println!(
        "ledger: {} requests, value {} USD",
        totals.requests,
        totals.value.to_cents_string()
    );
    let (secs, reports) = run(&mut store, &root)?;
    let unchanged = reports.iter().filter(|r| r.unchanged).count();
    println!(
        "re-import: {secs:.2} s, {unchanged} of {} files unchanged and skipped",
        reports.len()
    );
    for (i, path) in claude_files.iter().take(100).enumerate() {
        let mut text = std::fs::read_to_string(path)?;
        let _ = writeln!(
            text,
            "{}",
            claude_line(claude_sessions + i, 0, 1, 50, false)
        );
        std::fs::write(path, text)?;
    }
    let (secs, reports) = run(&mut store, &root)?;
    let inserted: u64 = reports.iter().map(|r| r.inserted).sum();
    println!(
        "after 100 files grew by one request: {secs:.2} s, {inserted} inserted, peak RSS {}",
        peak_rss_mib()
    );
    Ok(())
}
