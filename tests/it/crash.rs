//! Crash safety, tried: an import is killed (SIGKILL, no chance to clean up) at spread-out
//! moments of its run, again and again. Each time the ledger must pass SQLite's integrity
//! check and hold either everything it held before or that plus the whole file, never part of
//! it; and importing the file again must complete. `BURNRATE_CRASH_RUNS=200` tries more.

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// An OpenAI cost export of `rows` distinct rows (a few MB): long enough to be killed midway.
fn big_export(path: &Path, rows: u32) {
    let mut text = String::from(
        "start_time,end_time,amount_value,amount_currency,line_item,project_id,project_name\n",
    );
    for i in 0..rows {
        let start = 1_790_812_800 + u64::from(i / 400) * 86_400;
        let _ = writeln!(
            text,
            "{start},{},0.{:06},usd,\"gpt-4o, input\",proj_{},Project {}",
            start + 86_400,
            i % 999_983,
            i % 400,
            i % 400
        );
    }
    std::fs::write(path, text).unwrap();
}

fn import(db: &Path, file: &Path) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_burnrate"))
        .arg("--db")
        .arg(db)
        .arg("import")
        .arg(file)
        .env_remove("BURNRATE_DB")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap()
}

/// (usage records, imports) and whether SQLite finds the file sound.
fn state(db: &Path) -> (i64, i64, String) {
    let conn = rusqlite::Connection::open(db).unwrap();
    let count = |sql: &str| conn.query_row(sql, [], |r| r.get::<_, i64>(0)).unwrap();
    let integrity: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    (
        count("SELECT count(*) FROM usage"),
        count("SELECT count(*) FROM source_files"),
        integrity,
    )
}

#[test]
fn an_import_killed_at_any_moment_leaves_the_ledger_before_or_after_and_sound() {
    let runs: u32 = std::env::var("BURNRATE_CRASH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("openai-cost-big.csv");
    let rows = 10_000;
    big_export(&file, rows);
    // The ledger every run starts from: one earlier import in it.
    let seed = dir.path().join("seed.sqlite");
    let earlier = crate::common::fixture("ledger/openai_cost_oct01_10.csv");
    assert!(import(&seed, &earlier).wait().unwrap().success());
    let before = state(&seed);
    // How long a whole import takes here, to spread the kills over it.
    let timing = dir.path().join("timing.sqlite");
    std::fs::copy(&seed, &timing).unwrap();
    let started = Instant::now();
    assert!(import(&timing, &file).wait().unwrap().success());
    let whole = started.elapsed();
    let after = state(&timing);
    assert_eq!(after.0, before.0 + i64::from(rows));
    let (mut killed_before, mut killed_after) = (0, 0);
    let mut random = 0x2545_f491_4f6c_dd1d_u64;
    for run in 0..runs {
        random ^= random << 13;
        random ^= random >> 7;
        random ^= random << 17;
        let fraction = u32::try_from(random % 1000).unwrap();
        let delay = whole.mul_f64(1.1) * fraction / 1000;
        let db = dir.path().join(format!("run-{run}.sqlite"));
        std::fs::copy(&seed, &db).unwrap();
        let mut child = import(&db, &file);
        std::thread::sleep(delay);
        let _ = child.kill();
        let _ = child.wait();
        let now = state(&db);
        assert_eq!(now.2, "ok", "run {run} (killed after {delay:?}): integrity");
        assert!(
            now == before || now == after,
            "run {run} (killed after {delay:?}): {now:?} is neither {before:?} nor {after:?}"
        );
        if now == before {
            killed_before += 1;
        } else {
            killed_after += 1;
        }
        assert!(
            import(&db, &file).wait().unwrap().success(),
            "run {run}: re-import"
        );
        // A re-import of a file already in is listed in the history too: compare records.
        let again = state(&db);
        assert_eq!(
            (again.0, again.2.as_str()),
            (after.0, "ok"),
            "run {run}: the re-import completes the ledger"
        );
    }
    println!(
        "{runs} kills over an import of {rows} rows taking {whole:?}: {killed_before} before, {killed_after} after"
    );
    assert!(whole > Duration::ZERO);
}
