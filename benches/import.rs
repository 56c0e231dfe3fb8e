//! Import speed and memory on a 1,000,000-row OpenAI cost export.
//!
//! Run with `cargo bench --bench import`. Writes the export to a temporary folder (about 250
//! MB), imports it into a fresh ledger, imports it again (every row a duplicate), and prints
//! wall time, rows per second and the process's peak resident memory. The file is streamed:
//! peak memory stays far below the file's size.

mod common;

use std::time::Instant;

use burnrate::store::Store;
use common::{ROWS, import_export, write_export};

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

fn main() -> std::io::Result<()> {
    let dir = tempfile::tempdir()?;
    let csv_path = dir.path().join("cost_big.csv");
    write_export(&csv_path, "bench")?;
    let size_mb = std::fs::metadata(&csv_path)?.len() / 1_000_000;
    let db_path = dir.path().join("ledger.sqlite");
    let mut store = Store::open(&db_path).map_err(std::io::Error::other)?;
    println!("file: {ROWS} rows, {size_mb} MB");
    for round in ["first import", "re-import (all duplicates)"] {
        let t = Instant::now();
        let report = import_export(&mut store, &csv_path, "2026-11-25T00:00:00Z")?;
        let secs = t.elapsed().as_secs_f64();
        println!(
            "{round}: {:.1} s, {:.0} rows/s, inserted {}, duplicates {}, rejected {}, peak RSS so far {}",
            secs,
            f64::from(u32::try_from(report.rows).unwrap_or(u32::MAX)) / secs,
            report.inserted,
            report.duplicates,
            report.rejected.len(),
            peak_rss_mib()
        );
    }
    let t = Instant::now();
    let rows = store
        .report(
            burnrate::store::ReportKind::Usage(burnrate::store::UsageGroup::Project),
            &burnrate::store::Period::all(),
        )
        .map_err(std::io::Error::other)?;
    println!(
        "report by project over 1M rows: {:.2} s, {} groups",
        t.elapsed().as_secs_f64(),
        rows.len()
    );
    Ok(())
}
