//! Coding-agent log files on this machine: where they are, which files a folder holds, the
//! machine's name, the git repository a working folder belongs to, and importing one file with
//! what the store needs (size, modification time, a reader at any offset).
//!
//! Both front ends call this; it never names egui or clap. It reads the file system and the
//! environment, nothing else.

use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use crate::domain::agents::Tool;
use crate::store::{
    AgentContext, AgentLogFile, ImportMode, ImportReport, Progress, Store, StoreError,
};

/// The folders Claude Code and Codex write their logs to on this machine (those that exist):
/// `$CLAUDE_CONFIG_DIR` (comma-separated) or `~/.config/claude` and `~/.claude`, each with
/// `projects/`; `$CODEX_HOME` or `~/.codex`, with `sessions/` and `archived_sessions/`.
pub fn default_log_folders() -> Vec<PathBuf> {
    let home = dirs::home_dir();
    let mut claude_roots: Vec<PathBuf> = match std::env::var("CLAUDE_CONFIG_DIR") {
        Ok(list) if !list.trim().is_empty() => {
            list.split(',').map(|p| PathBuf::from(p.trim())).collect()
        }
        _ => {
            let config = std::env::var_os("XDG_CONFIG_HOME")
                .map(PathBuf::from)
                .or_else(|| home.as_ref().map(|h| h.join(".config")));
            config
                .map(|c| c.join("claude"))
                .into_iter()
                .chain(home.as_ref().map(|h| h.join(".claude")))
                .collect()
        }
    };
    let mut folders = Vec::new();
    for root in claude_roots.drain(..) {
        let projects = if root.ends_with("projects") {
            root
        } else {
            root.join("projects")
        };
        folders.push(projects);
    }
    let codex = std::env::var_os("CODEX_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| home.as_ref().map(|h| h.join(".codex")));
    if let Some(codex) = codex {
        folders.push(codex.join("sessions"));
        folders.push(codex.join("archived_sessions"));
    }
    folders.retain(|f| f.is_dir());
    folders.dedup();
    folders
}

/// This machine's name: `$BURNRATE_MACHINE`, else the host name, else `this computer`.
pub fn machine_name() -> String {
    if let Ok(name) = std::env::var("BURNRATE_MACHINE")
        && !name.trim().is_empty()
    {
        return name.trim().to_string();
    }
    gethostname::gethostname()
        .into_string()
        .ok()
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "this computer".to_string())
}

/// The folder of the git repository `cwd` is in (the nearest folder holding `.git`), when that
/// folder exists on this machine.
pub fn repository_root(cwd: &str) -> Option<String> {
    let mut dir = Path::new(cwd);
    if !dir.is_absolute() {
        return None;
    }
    loop {
        if dir.join(".git").exists() {
            return Some(dir.display().to_string());
        }
        dir = dir.parent()?;
    }
}

/// Whether a file is a coding-agent log by its name (`*.jsonl`).
pub fn is_agent_log(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("jsonl"))
}

/// Whether a file only accompanies an agent log in its folder (Claude Code's
/// `agent-<id>.meta.json` beside `agent-<id>.jsonl`): a folder import leaves it out.
pub fn is_companion_file(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .and_then(|n| n.strip_suffix(".meta.json"))
        .is_some_and(|stem| path.with_file_name(format!("{stem}.jsonl")).is_file())
}

fn modified_ns(meta: &std::fs::Metadata) -> i64 {
    meta.modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .and_then(|d| i64::try_from(d.as_nanos()).ok())
        .unwrap_or(0)
}

/// Imports one Claude Code or Codex log file.
///
/// # Errors
/// Only ledger failures; problems with the file are in the report.
pub fn import_agent_file(
    store: &mut Store,
    path: &Path,
    tool: Option<Tool>,
    machine: &str,
    imported_at: &str,
    mode: ImportMode,
    progress: &mut dyn FnMut(Progress) -> bool,
) -> Result<ImportReport, StoreError> {
    let name = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let shown = absolute.display().to_string();
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) => {
            return Ok(ImportReport {
                file: name,
                path: path.display().to_string(),
                error: Some(format!("could not read the file ({e})")),
                ..ImportReport::default()
            });
        }
    };
    let open_at = |offset: u64| -> std::io::Result<Box<dyn Read + Send>> {
        let mut f = std::fs::File::open(path)?;
        f.seek(SeekFrom::Start(offset))?;
        Ok(Box::new(f))
    };
    let file = AgentLogFile {
        path: &shown,
        name: &name,
        size: meta.len(),
        modified_ns: modified_ns(&meta),
        open_at: &open_at,
        tool,
    };
    let ctx = AgentContext {
        machine,
        imported_at,
        repository_root: &repository_root,
    };
    let mut report = store.import_agent_log(&file, &ctx, mode, progress)?;
    report.path = path.display().to_string();
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_repository_a_folder_is_in() {
        let dir = tempfile::tempdir().unwrap();
        let repo = dir.path().join("shop");
        std::fs::create_dir_all(repo.join(".git")).unwrap();
        std::fs::create_dir_all(repo.join("web/src")).unwrap();
        let inside = repo.join("web/src");
        assert_eq!(
            repository_root(&inside.display().to_string()),
            Some(repo.display().to_string())
        );
        assert_eq!(repository_root("relative/path"), None);
        assert!(!machine_name().is_empty());
    }
}
