//! The import's progress bar on stderr: files and bytes, drawn only on a terminal and only once
//! an import has taken more than a moment (a quick import prints nothing but its report; a
//! script reading stderr never sees bar codes).

use std::io::IsTerminal as _;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::services::import::Progress;

/// How long an import runs before the bar shows.
const SHOW_AFTER: Duration = Duration::from_millis(700);

/// The bar of one `burnrate import` run.
pub struct ImportBar {
    bar: ProgressBar,
    started: Instant,
    /// Whether stderr is a terminal (else the bar never shows).
    terminal: bool,
    shown: bool,
    files: usize,
    /// Bytes of the files finished before the current one.
    done_bytes: u64,
    /// The size of the file being read.
    file_bytes: u64,
}

impl ImportBar {
    pub fn new() -> Self {
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
        if let Ok(style) = ProgressStyle::with_template(
            "[{bar:24}] {decimal_bytes}/{decimal_total_bytes}, {eta} left, {wide_msg}",
        ) {
            bar.set_style(style.progress_chars("=> "));
        }
        Self {
            bar,
            started: Instant::now(),
            terminal: std::io::stderr().is_terminal(),
            shown: false,
            files: 0,
            done_bytes: 0,
            file_bytes: 0,
        }
    }

    /// Moves the bar along with the import.
    pub fn update(&mut self, progress: &Progress) {
        match progress {
            Progress::Planned { files, bytes } => {
                self.files = *files;
                self.bar.set_length(*bytes);
            }
            Progress::Started {
                index,
                name,
                file_bytes,
            } => {
                self.file_bytes = *file_bytes;
                self.bar
                    .set_message(format!("file {} of {}: {name}", index + 1, self.files));
            }
            Progress::Read { bytes, .. } => {
                self.bar.set_position(
                    self.done_bytes
                        .saturating_add((*bytes).min(self.file_bytes)),
                );
            }
            Progress::Finished(_) => {
                self.done_bytes = self.done_bytes.saturating_add(self.file_bytes);
                self.bar.set_position(self.done_bytes);
            }
        }
        if self.terminal && !self.shown && self.started.elapsed() >= SHOW_AFTER {
            self.shown = true;
            self.bar.set_draw_target(ProgressDrawTarget::stderr());
        }
    }

    /// Clears the bar before the report is printed.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
