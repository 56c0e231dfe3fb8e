//! The desktop window (placeholder until the dashboard lands).

use std::path::Path;

/// Opens the window.
///
/// # Errors
/// When the window cannot be created.
pub fn run(_args: &crate::cli::Cli, _db: &Path) -> anyhow::Result<i32> {
    anyhow::bail!("the window is not built yet")
}
