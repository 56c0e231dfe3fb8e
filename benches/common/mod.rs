//! What the benches share: the generated 1,000,000-row OpenAI cost export and its import into
//! a ledger, streamed as `burnrate import` reads it.
//!
//! Included by each bench with `mod common;`; every item here is used by every bench, so none
//! of them is dead code in either build.

use std::io::{BufWriter, Write};
use std::path::Path;

use burnrate::domain::import::FileOptions;
use burnrate::store::{ImportMode, ImportReport, SourceMeta, Store};

/// Rows in the generated export.
pub const ROWS: u64 = 1_000_000;

/// Writes the export (about 250 MB) to `path`, every row in the organization `org-{org}`.
pub fn write_export(path: &Path, org: &str) -> std::io::Result<()> {
    let mut w = BufWriter::new(std::fs::File::create(path)?);
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
            "{start},{},{}T00:00:00+00:00,,0.{:06}1234567890123456789012345,usd,{},tokens,\"{model}, {kind}\",,key_{},proj_{project},org-{org},Project {project},Bench,,",
            start + 86_400,
            chrono::DateTime::from_timestamp(i64::try_from(start).unwrap_or(0), 0)
                .map(|d| d.format("%Y-%m-%d").to_string())
                .unwrap_or_default(),
            i % 1_000_000,
            n * 7,
            n % 40,
        )?;
    }
    w.flush()
}

/// Imports the export at `path` (named `cost_big.csv`) into `store` as `burnrate import`
/// does, streamed through a buffered reader, stamped `imported_at`.
pub fn import_export(
    store: &mut Store,
    path: &Path,
    imported_at: &str,
) -> std::io::Result<ImportReport> {
    let open = || -> std::io::Result<Box<dyn std::io::Read + Send>> {
        Ok(Box::new(std::io::BufReader::with_capacity(
            256 * 1024,
            std::fs::File::open(path)?,
        )))
    };
    let meta = SourceMeta {
        name: "cost_big.csv".into(),
        path: path.display().to_string(),
        imported_at: imported_at.into(),
    };
    store
        .import_file(
            &open,
            &meta,
            &FileOptions::default(),
            ImportMode::default(),
            &mut |_| true,
        )
        .map_err(std::io::Error::other)
}
