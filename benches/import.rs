//! Import speed and memory on a 1,000,000-row OpenAI cost export.
//!
//! Run with `cargo bench --bench import`. Writes the export to a temporary folder (about 250
//! MB), imports it into a fresh ledger, imports it again (every row a duplicate), and prints
//! wall time, rows per second and the process's peak resident memory. The file is streamed:
//! peak memory stays far below the file's size.

use std::io::{BufWriter, Write};
use std::time::Instant;

use burnrate::domain::import::FileOptions;
use burnrate::store::{ImportMode, SourceMeta, Store};

const ROWS: u64 = 1_000_000;

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
    let mut w = BufWriter::new(std::fs::File::create(&csv_path)?);
    writeln!(
        w,
        "start_time,end_time,start_time_iso,end_time_iso,amount_value,amount_currency,quantity,quantity_unit,line_item,user_id,api_key_id,project_id,organization_id,project_name,organization_name,user_email,api_source"
    )?;
    let models = [
        "gpt-4o-2024-08-06",
        "gpt-4o-mini",
        "gpt-5-nano",
        "o3-mini",
        "text-embedding-3-small",
    ];
    let kinds = ["input", "output", "cached input"];
    let per_day = 2_000u64;
    for i in 0..ROWS {
        let day = i / per_day;
        let start = 1_735_689_600 + day * 86_400;
        let n = i % per_day;
        let model = models[usize::try_from(n % 5).unwrap_or(0)];
        let kind = kinds[usize::try_from((n / 5) % 3).unwrap_or(0)];
        let project = n / 15;
        writeln!(
            w,
            "{start},{},{}T00:00:00+00:00,,0.{:06}1234567890123456789012345,usd,{},tokens,\"{model}, {kind}\",,key_{},proj_{project},org-bench,Project {project},Bench,,",
            start + 86_400,
            chrono::DateTime::from_timestamp(i64::try_from(start).unwrap_or(0), 0)
                .map(|d| d.format("%Y-%m-%d").to_string())
                .unwrap_or_default(),
            i % 1_000_000,
            n * 7,
            n % 40,
        )?;
    }
    w.flush()?;
    drop(w);
    let size_mb = std::fs::metadata(&csv_path)?.len() / 1_000_000;
    let db_path = dir.path().join("ledger.sqlite");
    let mut store = Store::open(&db_path).map_err(std::io::Error::other)?;
    let open = || -> std::io::Result<Box<dyn std::io::Read + Send>> {
        Ok(Box::new(std::io::BufReader::with_capacity(
            256 * 1024,
            std::fs::File::open(&csv_path)?,
        )))
    };
    let meta = SourceMeta {
        name: "cost_big.csv".into(),
        path: csv_path.display().to_string(),
        imported_at: "2026-11-25T00:00:00Z".into(),
    };
    println!("file: {ROWS} rows, {size_mb} MB");
    for round in ["first import", "re-import (all duplicates)"] {
        let t = Instant::now();
        let report = store
            .import_file(
                &open,
                &meta,
                &FileOptions::default(),
                ImportMode::default(),
                &mut |_| true,
            )
            .map_err(std::io::Error::other)?;
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
            burnrate::store::ReportWhat::Usage,
            burnrate::store::ReportGroup::Project,
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
