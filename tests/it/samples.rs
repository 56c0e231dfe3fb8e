//! Where the real-shaped sample files written by others live: `../shared/samples` next to the
//! repository, or `/work/shared/samples` when the repository is a worktree elsewhere. Tests
//! that read them skip, saying so, when neither is there; the fixtures in `tests/fixtures/`
//! cover every format by themselves.

use std::path::{Path, PathBuf};

/// The samples folder, or `None` (with a message) when it is not on this machine.
pub fn root() -> Option<PathBuf> {
    let found = [
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/samples"),
        PathBuf::from("/work/shared/samples"),
    ]
    .into_iter()
    .find(|p| p.is_dir());
    if found.is_none() {
        eprintln!("skipping the shared samples: they are not on this machine");
    }
    found
}
