//! The demo ledger: a separate file in the cache folder, rebuilt from the sample exports shipped
//! in `assets/demo/` each time it is opened. It is never the user's ledger.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

use crate::domain::import::FileOptions;
use crate::store::{ImportMode, ImportReport, Store};

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
        "revolut_statement_2026-09_2026-11.csv",
        include_str!("../../assets/demo/revolut_statement_2026-09_2026-11.csv"),
    ),
    (
        "Chase4821_Activity_20261120.CSV",
        include_str!("../../assets/demo/Chase4821_Activity_20261120.CSV"),
    ),
];

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
    crate::cli::import_paths(
        &mut store,
        &paths,
        &FileOptions::default(),
        ImportMode::default(),
    )
}
