//! Reading PDF text in a child process, so that a malformed PDF is a rejected file and never a
//! crash: a PDF library that panics, aborts, overflows its stack, loops or eats memory on a
//! hostile file takes down only the child.
//!
//! The parent ([`ChildPdf`]) runs the burnrate binary itself with the hidden `pdf-text`
//! command, writes the PDF to its standard input and reads the text from its standard output,
//! killing it after [`TIME_LIMIT`]. The child ([`run_child`]) first limits its own address
//! space and CPU time, then reads. [`default_reader`] gives the child reader when the running
//! program is the burnrate binary, and the in-process reader (panics caught, nothing more)
//! inside test programs, which cannot play the child.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::domain::import::receipts::pdf::extract_text;
use crate::domain::import::receipts::{InProcessPdf, PdfText, PdfTextError};

/// The hidden command that makes burnrate a PDF reader.
pub const CHILD_COMMAND: &str = "pdf-text";
/// How long a PDF may take to read.
pub const TIME_LIMIT: Duration = Duration::from_secs(20);
/// How much memory the reader may use.
pub const MEMORY_LIMIT_BYTES: u64 = 1024 * 1024 * 1024;
/// The most text read back (a receipt is a page or two).
const MAX_TEXT_BYTES: u64 = 8 * 1024 * 1024;
/// The exit code of a child that read the file and found it damaged.
const EXIT_MALFORMED: i32 = 3;

/// Runs the PDF library in a child burnrate process.
#[derive(Debug, Clone)]
pub struct ChildPdf {
    exe: PathBuf,
}

impl ChildPdf {
    pub fn new(exe: PathBuf) -> Self {
        Self { exe }
    }
}

/// The PDF reader imports use: the child process when this program is burnrate.
pub fn default_reader() -> Arc<dyn PdfText> {
    match std::env::current_exe() {
        Ok(exe)
            if exe
                .file_stem()
                .is_some_and(|s| s.to_string_lossy() == "burnrate") =>
        {
            Arc::new(ChildPdf::new(exe))
        }
        _ => Arc::new(InProcessPdf),
    }
}

impl PdfText for ChildPdf {
    fn text(&self, pdf: &[u8]) -> Result<String, PdfTextError> {
        let mut child = Command::new(&self.exe)
            .arg(CHILD_COMMAND)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| PdfTextError::Unavailable(e.to_string()))?;
        let input = pdf.to_vec();
        let stdin = child.stdin.take();
        let writer = std::thread::spawn(move || {
            if let Some(mut stdin) = stdin {
                // A child that stops reading early closes the pipe; its exit status says why.
                let _ = stdin.write_all(&input);
            }
        });
        let stdout = child.stdout.take();
        let reader = std::thread::spawn(move || {
            let mut text = Vec::new();
            if let Some(out) = stdout {
                let _ = out.take(MAX_TEXT_BYTES).read_to_end(&mut text);
            }
            text
        });
        let stderr = child.stderr.take();
        let errors = std::thread::spawn(move || {
            let mut text = Vec::new();
            if let Some(err) = stderr {
                let _ = err.take(64 * 1024).read_to_end(&mut text);
            }
            text
        });
        let started = Instant::now();
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break status,
                Ok(None) if started.elapsed() > TIME_LIMIT => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err(PdfTextError::TimedOut(TIME_LIMIT.as_secs()));
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(10)),
                Err(e) => return Err(PdfTextError::Crashed(e.to_string())),
            }
        };
        let _ = writer.join();
        let text = reader.join().unwrap_or_default();
        let errors = String::from_utf8_lossy(&errors.join().unwrap_or_default()).into_owned();
        let last_error = errors
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("no message")
            .to_string();
        match status.code() {
            Some(0) => Ok(String::from_utf8_lossy(&text).into_owned()),
            Some(EXIT_MALFORMED) => Err(PdfTextError::Malformed(last_error)),
            _ if errors.contains("memory allocation") || errors.contains("out of memory") => {
                Err(PdfTextError::TooMuchMemory)
            }
            Some(code) => Err(PdfTextError::Crashed(format!(
                "exit code {code}: {last_error}"
            ))),
            None => Err(PdfTextError::Crashed(describe_signal(status))),
        }
    }
}

#[cfg(unix)]
fn describe_signal(status: std::process::ExitStatus) -> String {
    use std::os::unix::process::ExitStatusExt;
    match status.signal() {
        Some(6) => "it aborted".to_string(),
        Some(9 | 24) => "it ran out of time".to_string(),
        Some(11) => "it crashed (stack overflow or bad memory access)".to_string(),
        Some(s) => format!("signal {s}"),
        None => "stopped".to_string(),
    }
}

#[cfg(not(unix))]
fn describe_signal(_status: std::process::ExitStatus) -> String {
    "stopped".to_string()
}

/// The child's side: limits itself, reads a PDF from standard input, writes its text to
/// standard output. Returns the process exit code.
pub fn run_child() -> i32 {
    limit_self();
    let mut pdf = Vec::new();
    if let Err(e) = std::io::stdin().read_to_end(&mut pdf) {
        eprintln!("could not read the PDF: {e}");
        return EXIT_MALFORMED;
    }
    match extract_text(&pdf) {
        Ok(text) => {
            let mut out = std::io::stdout().lock();
            if out
                .write_all(text.as_bytes())
                .and_then(|()| out.flush())
                .is_err()
            {
                return 1;
            }
            0
        }
        Err(PdfTextError::Malformed(reason)) => {
            eprintln!("{reason}");
            EXIT_MALFORMED
        }
        Err(e) => {
            eprintln!("{e}");
            1
        }
    }
}

#[cfg(unix)]
fn limit_self() {
    // Best effort: where a limit cannot be set, the parent's time limit still holds.
    let _ = rlimit::setrlimit(rlimit::Resource::AS, MEMORY_LIMIT_BYTES, MEMORY_LIMIT_BYTES);
    let cpu = TIME_LIMIT.as_secs();
    let _ = rlimit::setrlimit(rlimit::Resource::CPU, cpu, cpu + 1);
}

#[cfg(not(unix))]
fn limit_self() {}
