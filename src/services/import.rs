//! Importing paths into a ledger: the one loop both front ends run (`burnrate import`, files
//! dropped on or picked in the window, the demo builder).
//!
//! For each path: a folder is walked recursively (files in name order, hidden files and
//! folders left out, so a folder of e-mails or agent logs imports the same way every time; an
//! Apple Mail export `X.mbox` gives only its `mbox` file), a
//! missing file gets a report saying so, a burnrate ledger (told by its `SQLite` header) is
//! merged, anything else goes through the format registry in one transaction per file. File
//! problems end up in each file's [`ImportReport`]; only a ledger failure stops the loop.
//!
//! Progress is reported per file and every few thousand rows, in files and bytes, through a
//! callback that may cancel (the file being imported is then left out entirely). The loop never
//! draws anything: the window shows a progress bar in its import sheet, the command line one on
//! stderr.

use std::path::{Path, PathBuf};

use crate::domain::agents::Tool;
use crate::domain::import::FileOptions;
use crate::services::agent_logs;
use crate::services::clock::now_utc;
use crate::store::merge::is_sqlite_file;
use crate::store::{ImportMode, ImportReport, SourceMeta, Store, StoreError};

/// One file to import, with how to read it (a format forced by `--as`, the user's answer
/// about ambiguous dates in the window's preview, ...).
#[derive(Debug, Clone)]
pub struct FileJob {
    pub path: PathBuf,
    pub options: FileOptions,
}

/// What an import run tells whoever shows its progress.
#[derive(Debug, Clone)]
pub enum Progress {
    /// Before the first file: how many files and bytes the run will read.
    Planned { files: usize, bytes: u64 },
    /// Started file `index` (of the planned files), `file_bytes` long.
    Started {
        index: usize,
        name: String,
        file_bytes: u64,
    },
    /// Within the file last started: rows and bytes read so far.
    Read { rows: u64, bytes: u64 },
    /// Finished the file last started.
    Finished(Box<ImportReport>),
}

/// A ledger failure that stopped an import run, naming the file it stopped at.
#[derive(Debug, thiserror::Error)]
#[error("{source}: {path}")]
pub struct ImportFailed {
    #[source]
    pub source: Box<StoreError>,
    pub path: String,
}

/// The name a file is shown and stored under (its file name; the whole path when it has none;
/// an Apple Mail export's `Receipts.mbox/mbox` is `Receipts.mbox`).
pub fn display_name(path: &Path) -> String {
    if let Some(bundle) = path.parent().filter(|p| apple_mail_bundle(p).is_some())
        && path.file_name().is_some_and(|n| n == "mbox")
    {
        return display_name(bundle);
    }
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// Opens a file for the importers, again from its start each time.
pub fn file_opener(
    path: &Path,
) -> impl Fn() -> std::io::Result<Box<dyn std::io::Read + Send>> + '_ {
    move || {
        let f = std::fs::File::open(path)?;
        Ok(Box::new(std::io::BufReader::with_capacity(256 * 1024, f))
            as Box<dyn std::io::Read + Send>)
    }
}

/// The files `paths` name: files as given (missing ones too, so their report can say so), and
/// the files inside folders, recursively, in name order, hidden ones (`.name`) left out.
pub fn files_in(paths: &[PathBuf]) -> Vec<PathBuf> {
    let mut out = Vec::with_capacity(paths.len());
    for path in paths {
        if path.is_dir() {
            walk(path, &mut out);
        } else {
            out.push(path.clone());
        }
    }
    out
}

/// The mailbox inside an Apple Mail export (`Receipts.mbox/mbox`), when `folder` is one: its
/// `Info.plist` and `table_of_contents` are Mail's own index, not files to import.
fn apple_mail_bundle(folder: &Path) -> Option<PathBuf> {
    let named_mbox = folder
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("mbox"));
    let inner = folder.join("mbox");
    (named_mbox && inner.is_file()).then_some(inner)
}

fn walk(folder: &Path, out: &mut Vec<PathBuf>) {
    if let Some(mailbox) = apple_mail_bundle(folder) {
        out.push(mailbox);
        return;
    }
    let Ok(entries) = std::fs::read_dir(folder) else {
        // An unreadable folder: its own report says so.
        out.push(folder.to_path_buf());
        return;
    };
    let mut children: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| !n.to_string_lossy().starts_with('.'))
                && !agent_logs::is_companion_file(p)
        })
        .collect();
    children.sort();
    for child in children {
        if child.is_dir() {
            walk(&child, out);
        } else {
            out.push(child);
        }
    }
}

/// Imports `paths` (files and folders) into `store`, reading every file with `options`.
///
/// # Errors
/// Only ledger failures; file problems are in the reports.
pub fn import_paths(
    store: &mut Store,
    paths: &[PathBuf],
    options: &FileOptions,
    mode: ImportMode,
    progress: &mut dyn FnMut(Progress) -> bool,
) -> Result<Vec<ImportReport>, ImportFailed> {
    let jobs: Vec<FileJob> = paths
        .iter()
        .map(|path| FileJob {
            path: path.clone(),
            options: options.clone(),
        })
        .collect();
    import_jobs(store, &expand(&jobs), mode, progress)
}

/// `jobs` with each folder replaced by the files in it (see [`files_in`]), each read with its
/// folder's options.
pub fn expand(jobs: &[FileJob]) -> Vec<FileJob> {
    jobs.iter()
        .flat_map(|job| {
            files_in(std::slice::from_ref(&job.path))
                .into_iter()
                .map(|path| FileJob {
                    path,
                    options: job.options.clone(),
                })
        })
        .collect()
}

/// Imports files, each with its own options, one transaction each. `progress` returning
/// `false` cancels: the file being read is left out and the run stops (the reports of the
/// files finished before are returned).
///
/// # Errors
/// Only ledger failures; file problems are in the reports.
pub fn import_jobs(
    store: &mut Store,
    jobs: &[FileJob],
    mode: ImportMode,
    progress: &mut dyn FnMut(Progress) -> bool,
) -> Result<Vec<ImportReport>, ImportFailed> {
    let sizes: Vec<u64> = jobs
        .iter()
        .map(|j| std::fs::metadata(&j.path).map_or(0, |m| m.len()))
        .collect();
    let mut reports = Vec::with_capacity(jobs.len());
    if !progress(Progress::Planned {
        files: jobs.len(),
        bytes: sizes.iter().sum(),
    }) {
        return Ok(reports);
    }
    for (index, (job, file_bytes)) in jobs.iter().zip(sizes).enumerate() {
        let name = display_name(&job.path);
        if !progress(Progress::Started {
            index,
            name,
            file_bytes,
        }) {
            break;
        }
        let mut cancelled = false;
        let report = match import_one(store, job, mode, &mut |p| {
            let go_on = progress(p);
            cancelled |= !go_on;
            go_on
        }) {
            Ok(report) => report,
            Err(source) => {
                return Err(ImportFailed {
                    source: Box::new(source),
                    path: job.path.display().to_string(),
                });
            }
        };
        if cancelled {
            break;
        }
        progress(Progress::Finished(Box::new(report.clone())));
        reports.push(report);
    }
    Ok(reports)
}

/// Imports (or merges) one file.
fn import_one(
    store: &mut Store,
    job: &FileJob,
    mode: ImportMode,
    progress: &mut dyn FnMut(Progress) -> bool,
) -> Result<ImportReport, StoreError> {
    let path = &job.path;
    let meta = SourceMeta {
        name: display_name(path),
        path: path.display().to_string(),
        imported_at: now_utc(),
    };
    if !path.is_file() {
        let error = if path.is_dir() {
            format!("the folder could not be read: {}", path.display())
        } else {
            format!("there is no readable file at {}", path.display())
        };
        return Ok(ImportReport {
            file: meta.name,
            path: meta.path,
            error: Some(error),
            ..ImportReport::default()
        });
    }
    if is_sqlite_file(path) {
        let mut report = store.merge_ledger(path, &meta, mode)?;
        if report.path.is_empty() {
            report.path = meta.path;
        }
        return Ok(report);
    }
    let agent_tool = job.options.format.as_deref().and_then(Tool::parse);
    if agent_tool.is_some() || agent_logs::is_agent_log(path) {
        let machine = job
            .options
            .machine
            .clone()
            .filter(|m| !m.trim().is_empty())
            .unwrap_or_else(agent_logs::machine_name);
        return agent_logs::import_agent_file(
            store,
            path,
            agent_tool,
            &machine,
            &meta.imported_at,
            mode,
            &mut |p| {
                progress(Progress::Read {
                    rows: p.rows,
                    bytes: p.bytes,
                })
            },
        );
    }
    let open = file_opener(path);
    let report = store.import_file(&open, &meta, &job.options, mode, &mut |p| {
        progress(Progress::Read {
            rows: p.rows,
            bytes: p.bytes,
        })
    })?;
    // An export holds everything up to its download: its modification time says when.
    if let (true, Some(id), Some(modified)) =
        (report.written, report.source_file_id, modified_utc(path))
    {
        store.set_file_modified(id, &modified)?;
    }
    Ok(report)
}

/// A file's modification time, UTC (`YYYY-MM-DD HH:MM:SS`), when the file system keeps one.
fn modified_utc(path: &Path) -> Option<String> {
    let modified = std::fs::metadata(path).ok()?.modified().ok()?;
    let at: chrono::DateTime<chrono::Utc> = modified.into();
    Some(at.format("%Y-%m-%d %H:%M:%S").to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    const OPENAI: &str = "\
start_time,end_time,start_time_iso,end_time_iso,amount_value,amount_currency,quantity,quantity_unit,line_item,user_id,api_key_id,project_id,organization_id,project_name,organization_name,user_email,api_source
1793491200,1793577600,2026-11-01T00:00:00+00:00,2026-11-02T00:00:00+00:00,1.25,usd,500000,tokens,\"gpt-4o, input\",,key_a,proj_web,org-acme,Web app,Acme,,
";

    fn write(path: &Path, text: &str) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    #[test]
    fn folders_are_walked_recursively_in_name_order_without_hidden_files() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("exports");
        write(&root.join("b.csv"), "x");
        write(&root.join("a/z.csv"), "x");
        write(&root.join("a/y.csv"), "x");
        write(&root.join(".hidden.csv"), "x");
        write(&root.join(".git/config"), "x");
        let loose = dir.path().join("loose.csv");
        let files = files_in(&[loose.clone(), root.clone()]);
        assert_eq!(
            files,
            vec![
                loose,
                root.join("a/y.csv"),
                root.join("a/z.csv"),
                root.join("b.csv")
            ]
        );
    }

    #[test]
    fn a_folder_imports_its_files_and_missing_paths_are_reported() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("exports");
        write(&root.join("2026/cost_nov.csv"), OPENAI);
        write(&root.join("notes.txt"), "not an export\n");
        let missing = dir.path().join("gone.csv");
        let mut store = Store::open_in_memory().unwrap();
        let mut events = Vec::new();
        let reports = import_paths(
            &mut store,
            &[root, missing],
            &FileOptions::default(),
            ImportMode::default(),
            &mut |p| {
                events.push(p);
                true
            },
        )
        .unwrap();
        let names: Vec<&str> = reports.iter().map(|r| r.file.as_str()).collect();
        assert_eq!(names, ["cost_nov.csv", "notes.txt", "gone.csv"]);
        assert_eq!(reports[0].inserted, 1);
        assert!(reports[0].error.is_none());
        assert!(reports[1].error.is_some());
        assert!(
            reports[2]
                .error
                .as_deref()
                .unwrap()
                .contains("there is no readable file")
        );
        assert!(reports[2].path.ends_with("gone.csv"));
        let Some(Progress::Planned { files, bytes }) = events.first() else {
            panic!("no plan: {events:?}");
        };
        assert_eq!(*files, 3);
        assert!(*bytes > 0);
        let finished = events
            .iter()
            .filter(|e| matches!(e, Progress::Finished(_)))
            .count();
        assert_eq!(finished, 3);
    }

    #[test]
    fn cancelling_leaves_the_current_file_out() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("cost.csv");
        write(&file, OPENAI);
        let mut store = Store::open_in_memory().unwrap();
        let reports = import_paths(
            &mut store,
            &[file],
            &FileOptions::default(),
            ImportMode::default(),
            &mut |p| !matches!(p, Progress::Started { .. }),
        )
        .unwrap();
        assert!(reports.is_empty());
        assert_eq!(store.counts().unwrap().0, 0);
    }
}
