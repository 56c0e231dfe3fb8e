//! Imports on a background thread named `import`, with its own connection to the ledger (WAL
//! lets it write while the window reads).
//!
//! A job checks files (a dry run: nothing is written), imports them (one transaction per
//! file), or undoes one import (one transaction). Checking walks dropped folders first and
//! tells the window which files it found. Each file carries its own options (the user's answer
//! about ambiguous dates), so the import reads a file exactly as its preview did. The loop is
//! [`import_jobs`], the one `burnrate import` runs (a burnrate ledger is merged).
//! A job reports through a channel and wakes the window after each message; a shared flag
//! cancels it between progress callbacks, and a cancelled file is left out entirely.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, Sender, channel};

use crate::domain::import;
use crate::services::clock::now_utc;
pub use crate::services::import::FileJob;
use crate::services::import::file_opener;
use crate::services::import::{Progress, expand, import_jobs};
use crate::store::{ImportMode, ImportReport, Store};

/// What a job tells the window.
#[derive(Debug)]
pub enum JobEvent {
    /// The files a check reads, dropped folders replaced by the files in them (sent first).
    Files(Vec<FileJob>),
    /// Started on file `index`.
    Started {
        index: usize,
        name: String,
        file_bytes: u64,
    },
    Progress {
        rows: u64,
        bytes: u64,
    },
    /// Finished the file last started.
    Finished {
        report: Box<ImportReport>,
    },
    /// The undo removed this many records.
    Undone {
        removed: u64,
    },
    /// The ledger failed; the job stopped.
    Failed(String),
    /// The job ended (after the last file, a cancel or a failure).
    Done,
}

/// A running job.
pub struct Job {
    pub events: Receiver<JobEvent>,
    cancel: Arc<AtomicBool>,
}

impl Job {
    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::Relaxed);
    }

    pub fn is_cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }
}

/// What a job does.
#[derive(Debug, Clone)]
pub enum Work {
    /// Dry runs of these files: nothing is written.
    Check(Vec<FileJob>),
    /// Imports (or merges) these files, one transaction each.
    Import(Vec<FileJob>),
    /// Removes the records one import brought.
    Undo { source_file_id: i64 },
}

/// Starts `work` on the ledger at `db`.
///
/// # Errors
/// When the thread cannot be started.
pub fn spawn(db: PathBuf, work: Work, wake: impl Fn() + Send + 'static) -> std::io::Result<Job> {
    let (tx, rx) = channel();
    let cancel = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&cancel);
    std::thread::Builder::new()
        .name("import".into())
        .spawn(move || {
            let send = |event: JobEvent| {
                let _ = tx.send(event);
                wake();
            };
            match &work {
                Work::Check(files) => {
                    let files = expand(files);
                    send(JobEvent::Files(files.clone()));
                    import(&db, &files, true, &flag, &tx, &wake);
                }
                Work::Import(files) => import(&db, files, false, &flag, &tx, &wake),
                Work::Undo { source_file_id } => undo(&db, *source_file_id, &send),
            }
            send(JobEvent::Done);
        })?;
    Ok(Job { events: rx, cancel })
}

fn undo(db: &std::path::Path, source_file_id: i64, send: &dyn Fn(JobEvent)) {
    let result = Store::open(db).and_then(|mut store| store.undo_import(source_file_id));
    match result {
        Ok(removed) => send(JobEvent::Undone { removed }),
        Err(e) => send(JobEvent::Failed(e.to_string())),
    }
}

fn import(
    db: &std::path::Path,
    files: &[FileJob],
    dry_run: bool,
    cancel: &AtomicBool,
    tx: &Sender<JobEvent>,
    wake: &dyn Fn(),
) {
    let send = |event: JobEvent| {
        let _ = tx.send(event);
        wake();
    };
    // Checking files for a ledger not created yet (the user's own, while the window shows the
    // demo) compares them with an empty ledger in memory: nothing is created before "Import".
    let opened = if dry_run && !db.exists() {
        Store::open_in_memory()
    } else {
        Store::open(db)
    };
    let mut store = match opened {
        Ok(s) => s,
        Err(e) => {
            send(JobEvent::Failed(e.to_string()));
            return;
        }
    };
    let mode = ImportMode {
        strict: false,
        dry_run,
    };
    if !dry_run && let Err(e) = save_mappings(&store, files) {
        send(JobEvent::Failed(e));
        return;
    }
    let result = import_jobs(&mut store, files, mode, &mut |p| {
        match p {
            Progress::Planned { .. } => {}
            Progress::Started {
                index,
                name,
                file_bytes,
            } => send(JobEvent::Started {
                index,
                name,
                file_bytes,
            }),
            Progress::Read { rows, bytes } => send(JobEvent::Progress { rows, bytes }),
            Progress::Finished(report) => send(JobEvent::Finished { report }),
        }
        !cancel.load(Ordering::Relaxed)
    });
    if let Err(e) = result {
        send(JobEvent::Failed(e.to_string()));
    }
}

/// Saves the column mappings the user made in the preview for the files' headers, so later
/// files with the same columns are read with them (`burnrate import` included).
fn save_mappings(store: &Store, files: &[FileJob]) -> Result<(), String> {
    for job in files {
        let Some(mapping) = &job.options.mapping else {
            continue;
        };
        let (header, _) = import::read_header(&file_opener(&job.path)).map_err(|e| {
            format!(
                "could not read the file's columns ({e}): {}",
                job.path.display()
            )
        })?;
        store
            .save_bank_mapping(&header.signature(), mapping, &now_utc())
            .map_err(|e| {
                format!(
                    "could not save the column mapping ({e}): {}",
                    job.path.display()
                )
            })?;
    }
    Ok(())
}
