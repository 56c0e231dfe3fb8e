//! Imports on a background thread named `import`, with its own connection to the ledger (WAL
//! lets it write while the window reads).
//!
//! A job either checks files (a dry run: nothing is written) or imports them, one transaction
//! per file. It reports through a channel and wakes the window after each message; a shared flag
//! cancels it between progress callbacks, and a cancelled file is left out entirely.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, Sender, channel};

use crate::cli::{file_opener, now_utc};
use crate::domain::import::FileOptions;
use crate::store::{ImportMode, ImportReport, SourceMeta, Store};

/// What a job tells the window.
#[derive(Debug)]
pub enum JobEvent {
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
        report: ImportReport,
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

/// The name a file is shown and stored under.
pub fn display_name(path: &std::path::Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// Starts checking (`dry_run`) or importing `paths` into the ledger at `db`.
///
/// # Errors
/// When the thread cannot be started.
pub fn spawn(
    db: PathBuf,
    paths: Vec<PathBuf>,
    dry_run: bool,
    wake: impl Fn() + Send + 'static,
) -> std::io::Result<Job> {
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
            work(&db, &paths, dry_run, &flag, &tx, &wake);
            send(JobEvent::Done);
        })?;
    Ok(Job { events: rx, cancel })
}

fn work(
    db: &std::path::Path,
    paths: &[PathBuf],
    dry_run: bool,
    cancel: &AtomicBool,
    tx: &Sender<JobEvent>,
    wake: &dyn Fn(),
) {
    let send = |event: JobEvent| {
        let _ = tx.send(event);
        wake();
    };
    let mut store = match Store::open(db) {
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
    for (index, path) in paths.iter().enumerate() {
        if cancel.load(Ordering::Relaxed) {
            return;
        }
        let name = display_name(path);
        let file_bytes = std::fs::metadata(path).map_or(0, |m| m.len());
        send(JobEvent::Started {
            index,
            name: name.clone(),
            file_bytes,
        });
        if !path.is_file() {
            let report = ImportReport {
                file: name,
                error: Some(format!("there is no readable file at {}", path.display())),
                ..ImportReport::default()
            };
            send(JobEvent::Finished { report });
            continue;
        }
        let meta = SourceMeta {
            name,
            path: path.display().to_string(),
            imported_at: now_utc(),
        };
        let open = file_opener(path);
        let mut progress = |p: crate::store::Progress| {
            let _ = tx.send(JobEvent::Progress {
                rows: p.rows,
                bytes: p.bytes,
            });
            wake();
            !cancel.load(Ordering::Relaxed)
        };
        match store.import_file(&open, &meta, &FileOptions::default(), mode, &mut progress) {
            Ok(report) => send(JobEvent::Finished { report }),
            Err(e) => {
                send(JobEvent::Failed(format!("{e}: {}", path.display())));
                return;
            }
        }
    }
}
