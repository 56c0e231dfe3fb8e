//! The import sheet's state machine: checking dropped or picked files (a dry run on the import
//! thread), the preview waiting for the user (with the question about ambiguous dates and the
//! column-mapping editor), the import itself, the summary, and undoing an import.
//!
//! Nothing is written before "Import": a mapping the user makes in the preview is kept with
//! the file's options, read with at once, and saved for files with the same columns by the
//! import. Files go into the ledger [`Destination`] names (the user's own while the window
//! shows the demo). The sheet never touches the window's other state: what the window must do
//! after an event comes back as [`Effect`]s.

use std::collections::BTreeMap;
use std::path::PathBuf;

use super::jobs::{self, FileJob, Job, JobEvent, Work};
use super::mapping::{self, MappingSource};
use super::preview::{preview_of, summary_of};
use crate::domain::import::{BankMapping, DateOrder, FileOptions};
use crate::domain::money::Currency;
use crate::store::ImportReport;
use crate::ui::format;
use crate::ui::import_sheet::{FilePreview, SheetView};

/// Where the files go.
#[derive(Debug, Clone)]
pub struct Destination {
    /// The ledger checked against and written to.
    pub ledger: PathBuf,
    /// The window shows the demo and the files start (or go into) the user's own ledger: the
    /// window switches to it when the import ends.
    pub into_own_ledger: bool,
    /// The ledger does not exist yet (the import creates it).
    pub is_new: bool,
}

/// What the window does after the sheet moved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Show a message on the message line.
    Tell { text: String, is_error: bool },
    /// The ledger may have changed: read its revision again.
    LedgerChanged,
    /// The files went into the user's own ledger: show it.
    ShowOwnLedger,
}

impl Effect {
    fn error(text: impl Into<String>) -> Self {
        Self::Tell {
            text: text.into(),
            is_error: true,
        }
    }
}

/// A check of one file again (with the user's date order or mapping), the other files'
/// previews kept.
struct Recheck {
    index: usize,
    previews: Vec<FilePreview>,
}

/// Where the sheet is.
enum State {
    Checking {
        /// Every file of the sheet, with its options.
        jobs: Vec<FileJob>,
        reports: Vec<ImportReport>,
        current: String,
        /// Set when only one file is checked again.
        recheck: Option<Recheck>,
        destination: Destination,
    },
    Preview {
        jobs: Vec<FileJob>,
        files: Vec<FilePreview>,
        /// The start of each unrecognised file, for its mapping editor's live preview.
        sources: BTreeMap<usize, MappingSource>,
        destination: Destination,
    },
    /// Undoing an import on the import thread.
    Undoing {
        name: String,
    },
    Importing {
        destination: Destination,
        total: usize,
        done: usize,
        current: String,
        rows: u64,
        bytes: u64,
        file_bytes: u64,
        reports: Vec<ImportReport>,
    },
    Finished {
        lines: Vec<String>,
        failed: bool,
    },
}

/// The import sheet and the job behind it.
#[derive(Default)]
pub struct ImportSheet {
    job: Option<Job>,
    state: Option<State>,
}

impl ImportSheet {
    /// Whether a check, an import or an undo is running.
    pub fn is_busy(&self) -> bool {
        self.job.is_some()
    }

    /// The sheet to draw (none when it is closed).
    pub fn view(&self) -> Option<SheetView> {
        let cancelling = self.job.as_ref().is_some_and(Job::is_cancelled);
        self.state.as_ref().map(|state| view_of(state, cancelling))
    }

    /// Checks `paths` (files and folders) for an import into `destination`.
    pub fn queue(
        &mut self,
        paths: Vec<PathBuf>,
        destination: Destination,
        wake: &egui::Context,
        effects: &mut Vec<Effect>,
    ) {
        let jobs = paths
            .into_iter()
            .map(|path| FileJob {
                path,
                options: FileOptions::default(),
            })
            .collect();
        self.check(jobs, None, destination, wake, effects);
    }

    /// Starts the dry run of `jobs` (of the file `recheck.index` only, when set).
    fn check(
        &mut self,
        jobs: Vec<FileJob>,
        recheck: Option<Recheck>,
        destination: Destination,
        wake: &egui::Context,
        effects: &mut Vec<Effect>,
    ) {
        if jobs.is_empty() {
            return;
        }
        if self.job.is_some() {
            effects.push(Effect::error(
                "An import is running; drop the files again when it has finished.",
            ));
            return;
        }
        let checked = match &recheck {
            Some(r) => jobs.get(r.index).cloned().into_iter().collect(),
            None => jobs.clone(),
        };
        match spawn(&destination.ledger, Work::Check(checked), wake) {
            Ok(job) => {
                self.job = Some(job);
                self.state = Some(State::Checking {
                    jobs,
                    reports: Vec::new(),
                    current: String::new(),
                    recheck,
                    destination,
                });
            }
            Err(e) => effects.push(e),
        }
    }

    /// Imports the previewed files that can be imported, each with the options its preview
    /// was checked with.
    pub fn confirm(&mut self, wake: &egui::Context, effects: &mut Vec<Effect>) {
        let Some(State::Preview {
            jobs,
            files,
            destination,
            ..
        }) = &self.state
        else {
            return;
        };
        let jobs: Vec<FileJob> = jobs
            .iter()
            .zip(files)
            .filter(|(_, f)| f.error.is_none())
            .map(|(j, _)| j.clone())
            .collect();
        let total = jobs.len();
        let destination = destination.clone();
        match spawn(&destination.ledger, Work::Import(jobs), wake) {
            Ok(job) => {
                self.job = Some(job);
                self.state = Some(State::Importing {
                    destination,
                    total,
                    done: 0,
                    current: String::new(),
                    rows: 0,
                    bytes: 0,
                    file_bytes: 0,
                    reports: Vec::new(),
                });
            }
            Err(e) => effects.push(e),
        }
    }

    /// Closes the preview or the summary (not while a job runs).
    pub fn close(&mut self) {
        if self.job.is_none() {
            self.state = None;
        }
    }

    /// Asks the running job to stop.
    pub fn cancel(&self) {
        if let Some(job) = &self.job {
            job.cancel();
        }
    }

    /// Undoes the import `source_file_id` (named `name`) of the ledger at `ledger` on the
    /// import thread: one transaction that may delete many rows.
    pub fn undo(
        &mut self,
        source_file_id: i64,
        name: String,
        ledger: &std::path::Path,
        wake: &egui::Context,
        effects: &mut Vec<Effect>,
    ) {
        if self.job.is_some() {
            effects.push(Effect::error(
                "An import is running; undo when it has finished.",
            ));
            return;
        }
        match spawn(ledger, Work::Undo { source_file_id }, wake) {
            Ok(job) => {
                self.job = Some(job);
                self.state = Some(State::Undoing { name });
            }
            Err(e) => effects.push(e),
        }
    }

    /// Checks one file of the preview again, reading its dates in `order`.
    pub fn set_date_order(
        &mut self,
        file: usize,
        order: DateOrder,
        wake: &egui::Context,
        effects: &mut Vec<Effect>,
    ) {
        self.recheck_with(file, wake, effects, |options| {
            options.date_order = Some(order);
        });
    }

    /// Checks one file of the preview again, its amounts in `currency`.
    pub fn set_currency(
        &mut self,
        file: usize,
        currency: Currency,
        wake: &egui::Context,
        effects: &mut Vec<Effect>,
    ) {
        self.recheck_with(file, wake, effects, |options| {
            options.currency = Some(currency);
        });
    }

    /// Shows what the draft `mapping` reads from the preview's file `file`.
    pub fn preview_mapping(&mut self, file: usize, mapping: BankMapping) {
        let Some(State::Preview { files, sources, .. }) = &mut self.state else {
            return;
        };
        let (Some(preview), Some(source)) = (files.get_mut(file), sources.get(&file)) else {
            return;
        };
        let Some(view) = &mut preview.mapping else {
            return;
        };
        view.mapping = mapping;
        source.preview(view);
    }

    /// Reads the preview's file `file` with `mapping` (checked again now); the import saves
    /// the mapping for files with the same columns.
    pub fn use_mapping(
        &mut self,
        file: usize,
        mapping: BankMapping,
        wake: &egui::Context,
        effects: &mut Vec<Effect>,
    ) {
        effects.push(Effect::Tell {
            text: "The file is read with this column mapping; importing it saves the mapping for files with the same columns.".into(),
            is_error: false,
        });
        self.recheck_with(file, wake, effects, |options| {
            options.mapping = Some(mapping);
        });
    }

    /// Changes the options of the preview's file `file` and checks it again.
    fn recheck_with(
        &mut self,
        file: usize,
        wake: &egui::Context,
        effects: &mut Vec<Effect>,
        change: impl FnOnce(&mut FileOptions),
    ) {
        let Some(State::Preview {
            jobs,
            files,
            destination,
            ..
        }) = &mut self.state
        else {
            return;
        };
        let Some(job) = jobs.get_mut(file) else {
            return;
        };
        change(&mut job.options);
        let jobs = std::mem::take(jobs);
        let previews = std::mem::take(files);
        let destination = destination.clone();
        self.state = None;
        self.check(
            jobs,
            Some(Recheck {
                index: file,
                previews,
            }),
            destination,
            wake,
            effects,
        );
    }

    /// Reads the job's messages and moves the sheet along.
    pub fn poll(&mut self, effects: &mut Vec<Effect>) {
        let Some(job) = &self.job else {
            return;
        };
        let mut events = Vec::new();
        while let Ok(event) = job.events.try_recv() {
            events.push(event);
        }
        for event in events {
            self.on_event(event, effects);
        }
    }

    fn on_event(&mut self, event: JobEvent, effects: &mut Vec<Effect>) {
        match (event, &mut self.state) {
            (
                JobEvent::Files(files),
                Some(State::Checking {
                    jobs,
                    recheck: None,
                    ..
                }),
            ) => *jobs = files,
            (JobEvent::Started { name, .. }, Some(State::Checking { current, .. })) => {
                *current = name;
            }
            (
                JobEvent::Started {
                    index,
                    name,
                    file_bytes: size,
                },
                Some(State::Importing {
                    done,
                    current,
                    rows,
                    bytes,
                    file_bytes,
                    ..
                }),
            ) => {
                *done = index;
                *current = name;
                *rows = 0;
                *bytes = 0;
                *file_bytes = size;
            }
            (
                JobEvent::Progress { rows: r, bytes: b },
                Some(State::Importing { rows, bytes, .. }),
            ) => {
                *rows = r;
                *bytes = b;
            }
            (
                JobEvent::Finished { report, .. },
                Some(State::Checking { reports, .. } | State::Importing { reports, .. }),
            ) => reports.push(*report),
            (JobEvent::Undone { removed }, Some(State::Undoing { name })) => {
                let text = format!(
                    "Undid the import of {name}: removed {} record(s).",
                    format::count(removed)
                );
                self.state = None;
                effects.push(Effect::Tell {
                    text,
                    is_error: false,
                });
            }
            (JobEvent::Failed(error), Some(State::Undoing { name })) => {
                let text = format!("Could not undo the import of {name}: {error}");
                self.state = None;
                effects.push(Effect::error(text));
            }
            (JobEvent::Failed(error), _) => {
                effects.push(Effect::error(format!(
                    "The ledger could not be written: {error}"
                )));
            }
            (JobEvent::Done, _) => self.on_done(effects),
            // Events that do not fit the sheet's state (a late progress message after a
            // cancel) change nothing.
            (
                JobEvent::Files(_)
                | JobEvent::Started { .. }
                | JobEvent::Progress { .. }
                | JobEvent::Finished { .. }
                | JobEvent::Undone { .. },
                _,
            ) => {}
        }
    }

    fn on_done(&mut self, effects: &mut Vec<Effect>) {
        let cancelled = self.job.as_ref().is_some_and(Job::is_cancelled);
        self.job = None;
        effects.push(Effect::LedgerChanged);
        self.state = match self.state.take() {
            Some(State::Checking {
                jobs,
                recheck: Some(mut recheck),
                reports,
                destination,
                ..
            }) => {
                let mut sources = BTreeMap::new();
                if !cancelled
                    && let (Some(report), Some(job), Some(slot)) = (
                        reports.first(),
                        jobs.get(recheck.index),
                        recheck.previews.get_mut(recheck.index),
                    )
                {
                    let (preview, source) = file_preview(report, job, recheck.index);
                    *slot = preview;
                    if let Some(source) = source {
                        sources.insert(recheck.index, source);
                    }
                }
                Some(State::Preview {
                    jobs,
                    files: recheck.previews,
                    sources,
                    destination,
                })
            }
            Some(State::Checking { .. }) if cancelled => None,
            Some(State::Checking {
                jobs,
                reports,
                destination,
                ..
            }) => {
                let mut sources = BTreeMap::new();
                let mut files = Vec::with_capacity(reports.len());
                for (index, (report, job)) in reports.iter().zip(&jobs).enumerate() {
                    let (preview, source) = file_preview(report, job, index);
                    files.push(preview);
                    if let Some(source) = source {
                        sources.insert(index, source);
                    }
                }
                Some(State::Preview {
                    jobs,
                    files,
                    sources,
                    destination,
                })
            }
            Some(State::Undoing { .. }) => None,
            Some(State::Importing {
                reports,
                total,
                destination,
                ..
            }) => {
                if destination.into_own_ledger {
                    effects.push(Effect::ShowOwnLedger);
                }
                let mut lines: Vec<String> = reports.iter().map(summary_of).collect();
                let failed = reports.iter().any(|r| r.error.is_some()) || reports.len() < total;
                if reports.len() < total {
                    lines.push(format!(
                        "{} file(s) were not imported (cancelled).",
                        total - reports.len()
                    ));
                }
                if destination.into_own_ledger {
                    lines.push(format!(
                        "Your own ledger is {}; the window shows it now, and burnrate opens it from now on.",
                        destination.ledger.display()
                    ));
                }
                Some(State::Finished { lines, failed })
            }
            other => other,
        };
    }
}

/// Starts `work` on the ledger at `ledger`, waking the window after each message.
fn spawn(ledger: &std::path::Path, work: Work, wake: &egui::Context) -> Result<Job, Effect> {
    let wake = wake.clone();
    jobs::spawn(ledger.to_path_buf(), work, move || wake.request_repaint())
        .map_err(|e| Effect::error(format!("Could not start the import thread: {e}")))
}

/// The preview of one checked file, with the mapping editor (and the start of the file it
/// previews) when no format recognised it.
fn file_preview(
    report: &ImportReport,
    job: &FileJob,
    index: usize,
) -> (FilePreview, Option<MappingSource>) {
    let mut file = preview_of(report);
    if file.error.is_none()
        || report.format.is_some()
        || report.ambiguous_dates
        || report.needs_currency
    {
        return (file, None);
    }
    let Some((mut view, source)) = mapping::editor(&job.path, index) else {
        return (file, None);
    };
    // A mapping the user already chose for this file stays in the editor.
    if let Some(chosen) = &job.options.mapping {
        view.mapping = chosen.clone();
        source.preview(&mut view);
    }
    file.mapping = Some(view);
    (file, Some(source))
}

fn view_of(state: &State, cancelling: bool) -> SheetView {
    match state {
        State::Checking {
            jobs,
            reports,
            current,
            recheck,
            ..
        } => SheetView::Checking {
            done: reports.len(),
            total: if recheck.is_some() { 1 } else { jobs.len() },
            current: current.clone(),
        },
        State::Undoing { name } => SheetView::Undoing { name: name.clone() },
        State::Preview {
            files, destination, ..
        } => SheetView::Preview {
            files: files.clone(),
            destination: destination_note(destination),
        },
        State::Importing {
            total,
            done,
            current,
            rows,
            bytes,
            file_bytes,
            ..
        } => SheetView::Importing {
            done: *done,
            total: *total,
            current: current.clone(),
            rows: *rows,
            bytes: *bytes,
            file_bytes: *file_bytes,
            cancelling,
        },
        State::Finished { lines, failed } => SheetView::Finished {
            lines: lines.clone(),
            failed: *failed,
        },
    }
}

/// What the preview says about where the files go, when that is not the ledger shown.
fn destination_note(destination: &Destination) -> Option<String> {
    if !destination.into_own_ledger {
        return None;
    }
    let which = if destination.is_new {
        "your new ledger"
    } else {
        "your ledger"
    };
    Some(format!(
        "These files go into {which} at {}; the demo stays as it is.",
        destination.ledger.display()
    ))
}
