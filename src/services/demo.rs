//! The demo ledger: a separate file in the cache folder, rebuilt from the sample exports shipped
//! in `assets/demo/` each time it is opened. It is never the user's ledger.
//!
//! The story: Northwind Labs, a small team, over the 60 days to 2026-11-20. `OpenAI` is paid by a
//! Chase card with an auto-recharge (below $50 add $200, at most $800 a month) and stays healthy;
//! Anthropic is topped up by hand (one purchase paid in EUR from Revolut, matched to its USD
//! billing record through the ECB rates). Four planted problems, one flag each: a $200
//! Anthropic top-up bought twice four minutes apart, an `OpenAI` auto-recharge declined (expired
//! card) and retried that morning, a 4.31 EUR verification hold that never went away, and the
//! Anthropic balance running out on a Friday night until the Saturday-morning top-up.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use chrono::NaiveDate;

use crate::domain::balance::{AccountKey, AutoRecharge};
use crate::domain::import::FileOptions;
use crate::domain::ledger::BudgetScope;
use crate::domain::money::{Amount, Currency};
use crate::services::Clock;
use crate::services::import::import_paths;
use crate::store::{BudgetSetting, ImportMode, ImportReport, Store};

/// The sample files, embedded so the demo works wherever the binary is.
const FILES: &[(&str, &str)] = &[
    (
        "cost_2026-09-22_2026-11-20.csv",
        include_str!("../../assets/demo/cost_2026-09-22_2026-11-20.csv"),
    ),
    (
        "claude_api_cost_2026-09-22_to_2026-11-20.csv",
        include_str!("../../assets/demo/claude_api_cost_2026-09-22_to_2026-11-20.csv"),
    ),
    ("billing.csv", include_str!("../../assets/demo/billing.csv")),
    (
        "eurofxref-hist.csv",
        include_str!("../../assets/demo/eurofxref-hist.csv"),
    ),
    (
        "revolut_statement_2026-09_2026-11.csv",
        include_str!("../../assets/demo/revolut_statement_2026-09_2026-11.csv"),
    ),
    (
        "Chase4821_Activity_20261120.CSV",
        include_str!("../../assets/demo/Chase4821_Activity_20261120.CSV"),
    ),
];

/// The last day of the demo's sample files. The demo is shown as of this day unless `--as-of`
/// names another, so its figures, charts and forecasts read the same whatever today's date (shown
/// as of today, its current month would be empty and its forecasts long past).
pub fn last_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 20).unwrap_or_default()
}

/// The day the demo is shown as of: `--as-of` when given, else [`last_day`].
pub fn clock(as_of: Option<NaiveDate>) -> Clock {
    Clock::fixed(as_of.unwrap_or_else(last_day))
}

/// Where the demo ledger lives: `burnrate/burnrate-demo.sqlite` in the cache folder.
pub fn default_path() -> PathBuf {
    dirs::cache_dir()
        .unwrap_or_else(std::env::temp_dir)
        .join("burnrate")
        .join("burnrate-demo.sqlite")
}

fn remove_if_present(path: &Path) -> anyhow::Result<()> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e)
            .with_context(|| format!("could not remove the old demo ledger: {}", path.display())),
    }
}

/// Rebuilds the demo ledger at its default place and returns that place, for `--demo` with a
/// command (`burnrate --demo flags`): the commands then read the demo, never the user's ledger.
///
/// # Errors
/// As [`build`].
pub fn rebuild_default(user_ledger: &Path) -> anyhow::Result<PathBuf> {
    let path = default_path();
    for report in build(&path, user_ledger)? {
        if let Some(error) = report.error {
            bail!(
                "the demo ledger could not be built ({}: {error})",
                report.file
            );
        }
    }
    Ok(path)
}

/// Rebuilds the demo ledger at `path` from the sample files. Files a format cannot read yet are
/// reported, not fatal.
///
/// # Errors
/// When `path` is the user's ledger, or the files or the ledger cannot be written.
pub fn build(path: &Path, user_ledger: &Path) -> anyhow::Result<Vec<ImportReport>> {
    if path == user_ledger {
        bail!(
            "the demo ledger would replace your own ledger; choose another --db: {}",
            path.display()
        );
    }
    for suffix in ["", "-wal", "-shm"] {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        remove_if_present(Path::new(&name))?;
    }
    let folder = path
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
        .join("demo-files");
    std::fs::create_dir_all(&folder)
        .with_context(|| format!("could not create the demo folder: {}", folder.display()))?;
    let mut paths = Vec::with_capacity(FILES.len());
    for (name, text) in FILES {
        let file = folder.join(name);
        std::fs::write(&file, text)
            .with_context(|| format!("could not write a demo file: {}", file.display()))?;
        paths.push(file);
    }
    let mut store = Store::open(path)?;
    let reports = import_paths(
        &mut store,
        &paths,
        &FileOptions::default(),
        ImportMode::default(),
        &mut |_| true,
    )?;
    settle(&store)?;
    Ok(reports)
}

/// The settings the demo team made: `OpenAI`'s auto-recharge and two monthly budgets.
fn settle(store: &Store) -> anyhow::Result<()> {
    let dollars = |n: i64| Amount::from_cents(n * 100).context("a demo amount overflows");
    store.save_auto_recharge(&AutoRecharge {
        account: AccountKey::new("openai", "Northwind Labs"),
        threshold: dollars(50)?,
        amount: dollars(200)?,
        monthly_cap: Some(dollars(800)?),
    })?;
    let budget = |scope, name: &str, monthly: &str| BudgetSetting {
        scope,
        name: name.to_string(),
        monthly: monthly.to_string(),
        currency: Currency::USD,
    };
    store.set_budget_settings(&[
        budget(BudgetScope::Project, "Web app", "700.00"),
        budget(BudgetScope::Provider, "anthropic", "1000.00"),
    ])?;
    Ok(())
}
