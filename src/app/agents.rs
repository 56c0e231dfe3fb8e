//! The window's coding-agent views, built on the views thread once per ledger revision, and the
//! start-up import of the user's agent log folders.
//!
//! The start-up import runs on a thread named `agent-logs` with its own connection (the one
//! import loop, [`crate::services::import::import_paths`]); the window polls its channel each
//! frame, shows its progress on the dashboard and asks for new views when it ends.

use std::path::PathBuf;
use std::sync::mpsc::{Receiver, TryRecvError, channel};

use chrono::{Datelike, NaiveDate};

use crate::domain::agents::Tool;
use crate::domain::import::FileOptions;
use crate::domain::money::Amount;
use crate::domain::views::KeyFigures;
use crate::services::import::{Progress, import_paths};
use crate::store::{ImportMode, Period, Store, StoreError, ValueGroup};
use crate::ui::agents::{AgentFoldersView, AgentsView, LimitLine, SubscriptionLine};
use crate::ui::format;

/// Days of plan-limit readings the dashboard lists.
const LIMIT_DAYS: i64 = 14;

fn month_of(today: NaiveDate) -> Period {
    let first = today.with_day(1).unwrap_or(today);
    Period::month(&first.format("%Y-%m").to_string()).unwrap_or_else(Period::all)
}

fn percent(centipercent: Option<i64>) -> String {
    centipercent.map_or_else(
        || "–".to_string(),
        |c| format!("{}.{}%", c / 100, (c % 100) / 10),
    )
}

/// The dashboard's coding-agent section for the month `today` falls in.
///
/// # Errors
/// On a ledger failure.
pub fn build(
    store: &Store,
    today: NaiveDate,
    figures: &KeyFigures,
) -> Result<AgentsView, StoreError> {
    let month = month_of(today);
    let totals = store.agent_totals(None, &month)?;
    let by = |group| -> Result<Vec<(String, Amount)>, StoreError> {
        let mut rows: Vec<(String, Amount)> = store
            .value_report(group, &month)?
            .into_iter()
            .filter_map(|r| r.amount.map(|a| (r.group, a)))
            .collect();
        rows.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        Ok(rows)
    };
    let subscriptions = store
        .subscriptions(&month)?
        .into_iter()
        .map(|s| SubscriptionLine {
            tool: Tool::parse(&s.tool).map_or_else(|| s.tool.clone(), |t| t.name().to_string()),
            provider: s.provider,
            paid: format::money(s.paid, &s.currency),
            value: format::money(s.value, "USD"),
            leverage: s
                .leverage
                .map_or_else(|| "–".to_string(), |l| format!("{l}x")),
            unpriced_requests: s.unpriced_requests,
        })
        .collect();
    let from = today - chrono::Days::new(u64::try_from(LIMIT_DAYS).unwrap_or(14));
    let mut limits: Vec<LimitLine> = store
        .limit_days(&Period::range(from, today))?
        .into_iter()
        .map(|l| LimitLine {
            day: l.day,
            plan: if l.plan_type.is_empty() {
                l.tool
            } else {
                format!("{} {}", l.tool, l.plan_type)
            },
            five_hour: percent(l.five_hour_centipercent),
            weekly: percent(l.weekly_centipercent),
            value: format::money(l.value, "USD"),
        })
        .collect();
    limits.reverse();
    let billed = &figures.usage_this_month;
    let billed_usage = if billed.is_empty() {
        format::money(Amount::ZERO, "USD")
    } else {
        billed
            .iter()
            .map(|m| format::money(m.amount, m.currency.as_ref()))
            .collect::<Vec<_>>()
            .join(" + ")
    };
    Ok(AgentsView {
        month: NaiveDate::from_ymd_opt(today.year(), today.month(), 1)
            .unwrap_or(today)
            .format("%B %Y")
            .to_string(),
        requests: totals.requests,
        unpriced_requests: totals.unpriced_requests,
        value: totals.value,
        billed_usage,
        subscriptions,
        by_project: by(ValueGroup::Project)?,
        by_model: by(ValueGroup::Model)?,
        limits,
    })
}

/// The Settings section's folders: the saved ones and those found on this computer.
///
/// # Errors
/// On a ledger failure.
pub fn folders_view(store: &Store) -> Result<AgentFoldersView, StoreError> {
    Ok(AgentFoldersView {
        saved: store.agent_folders()?,
        detected: crate::services::agent_logs::default_log_folders()
            .into_iter()
            .map(|p| p.display().to_string())
            .collect(),
    })
}

/// What the start-up import tells the window.
enum Event {
    Planned(usize),
    Started(usize),
    Done { inserted: u64, failed: usize },
    Failed(String),
}

/// The start-up import of the agent log folders, while it runs and after.
#[derive(Default)]
pub struct StartupImport {
    events: Option<Receiver<Event>>,
    files: usize,
    current: usize,
    /// What the dashboard says about it.
    pub status: Option<String>,
    started: bool,
}

impl StartupImport {
    /// Starts the import of `folders` into the ledger at `db` once per window (a no-op after the
    /// first call).
    pub fn start(&mut self, db: PathBuf, folders: Vec<PathBuf>, wake: impl Fn() + Send + 'static) {
        if self.started || folders.is_empty() {
            return;
        }
        self.started = true;
        let (tx, rx) = channel();
        let spawned = std::thread::Builder::new()
            .name("agent-logs".into())
            .spawn(move || {
                let send = |e: Event| {
                    let _ = tx.send(e);
                    wake();
                };
                let mut store = match Store::open(&db) {
                    Ok(s) => s,
                    Err(e) => return send(Event::Failed(e.to_string())),
                };
                let result = import_paths(
                    &mut store,
                    &folders,
                    &FileOptions::default(),
                    ImportMode::default(),
                    &mut |p| {
                        match p {
                            Progress::Planned { files, .. } => send(Event::Planned(files)),
                            Progress::Started { index, .. } if index % 50 == 0 => {
                                send(Event::Started(index));
                            }
                            _ => {}
                        }
                        true
                    },
                );
                match result {
                    Ok(reports) => send(Event::Done {
                        inserted: reports.iter().map(|r| r.inserted + r.updated).sum(),
                        failed: reports.iter().filter(|r| r.error.is_some()).count(),
                    }),
                    Err(e) => send(Event::Failed(e.to_string())),
                }
            });
        match spawned {
            Ok(_) => {
                self.events = Some(rx);
                self.status = Some("Importing your coding-agent logs…".into());
            }
            Err(e) => self.status = Some(format!("Could not start the agent log import: {e}")),
        }
    }

    /// Takes the import's news; the closing sentence when it ended (the ledger may have
    /// changed): `Ok` when every file was read, `Err` when one could not be or the import
    /// stopped. While it runs, [`StartupImport::status`] says how far it is.
    pub fn poll(&mut self) -> Option<Result<String, String>> {
        let ok = self.poll_events()?;
        let text = self.status.take().unwrap_or_default();
        Some(if ok { Ok(text) } else { Err(text) })
    }

    /// `Some(every file read)` once the import ended.
    fn poll_events(&mut self) -> Option<bool> {
        let events = self.events.as_ref()?;
        let mut ended = None;
        loop {
            match events.try_recv() {
                Ok(Event::Planned(files)) => self.files = files,
                Ok(Event::Started(index)) => {
                    self.current = index;
                    self.status = Some(format!(
                        "Importing your coding-agent logs: file {} of {}…",
                        format::count(self.current + 1),
                        format::count(self.files)
                    ));
                }
                Ok(Event::Done { inserted, failed }) => {
                    self.status = Some(if failed == 0 {
                        format!(
                            "Agent logs imported in the background: {} new request(s).",
                            format::count(inserted)
                        )
                    } else {
                        format!(
                            "Agent logs imported in the background: {} new request(s); {failed} file(s) could not be read (import the folder from the import sheet to see why).",
                            format::count(inserted)
                        )
                    });
                    ended = Some(failed == 0);
                }
                Ok(Event::Failed(why)) => {
                    self.status = Some(format!("The start-up import of agent logs stopped: {why}"));
                    ended = Some(false);
                }
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Disconnected) => {
                    self.events = None;
                    break;
                }
            }
        }
        ended
    }
}

#[cfg(test)]
mod tests {
    use super::StartupImport;

    /// The window paints the start-up import's end red or not from what happened, not from its
    /// wording: a ledger that cannot be opened is a failure; an empty folder is not.
    #[test]
    fn the_start_up_import_says_whether_it_failed() {
        let dir = tempfile::tempdir().unwrap();
        let wait = |import: &mut StartupImport| {
            for _ in 0..1_000 {
                if let Some(done) = import.poll() {
                    return done;
                }
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
            panic!("the start-up import never ended");
        };
        let logs = dir.path().join("logs");
        std::fs::create_dir(&logs).unwrap();
        let mut import = StartupImport::default();
        import.start(dir.path().join("ledger.sqlite"), vec![logs.clone()], || {});
        let done = wait(&mut import);
        assert!(done.is_ok(), "{done:?}");
        // A folder where the ledger should be cannot be opened as one.
        let mut import = StartupImport::default();
        import.start(dir.path().to_path_buf(), vec![logs], || {});
        let done = wait(&mut import);
        assert!(
            done.as_ref()
                .is_err_and(|text| text.starts_with("The start-up import of agent logs stopped")),
            "{done:?}"
        );
    }
}
