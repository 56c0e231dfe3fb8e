//! The "Explain an error" panel's state: the question asked, the answer shown, and the short-
//! lived `explain` thread that computes it from the views thread's last ledger views (the
//! ledger judged as of today, read once per revision), so the window's thread never runs the
//! detectors. The answer is [`services::explain::explain`]'s, the one `burnrate explain` prints.
//! When the ledger's revision changes while an answer is shown, it is computed again.
//!
//! [`services::explain::explain`]: crate::services::explain::explain

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, TryRecvError, channel};

use super::views_worker::LedgerViews;
use crate::domain::explanation::Explanation;
use crate::services::explain::{Question, explain};

/// The question, its answer and the thread computing it.
#[derive(Default)]
pub struct ExplainState {
    /// The last question asked (`None`: nothing asked, or cleared).
    question: Option<Question>,
    /// The (revision, question) the shown or computed answer is for.
    key: Option<(i64, Question)>,
    loading: Option<Receiver<Explanation>>,
    answer: Option<Arc<Explanation>>,
}

impl ExplainState {
    /// Asks about `text` (empty: clears the question and the answer).
    pub fn ask(&mut self, text: String, provider: Option<String>) {
        if text.trim().is_empty() {
            *self = Self::default();
            return;
        }
        self.question = Some(Question { text, provider });
    }

    /// Starts computing the answer when the question or the ledger changed; takes the thread's
    /// answer when it arrived.
    pub fn refresh(&mut self, ledger: Option<&Arc<LedgerViews>>, wake: &egui::Context) {
        self.poll();
        let (Some(ledger), Some(question)) = (ledger, &self.question) else {
            return;
        };
        let key = (ledger.revision, question.clone());
        if self.key.as_ref() == Some(&key) {
            return;
        }
        self.key = Some(key);
        self.loading = Some(spawn(Arc::clone(ledger), question.clone(), wake.clone()));
    }

    fn poll(&mut self) {
        let Some(rx) = &self.loading else {
            return;
        };
        match rx.try_recv() {
            Ok(answer) => {
                self.answer = Some(Arc::new(answer));
                self.loading = None;
            }
            Err(TryRecvError::Empty) => {}
            Err(TryRecvError::Disconnected) => self.loading = None,
        }
    }

    /// The answer shown (the last one, while a newer one is computed), shared with the frame
    /// that draws it rather than copied every frame.
    pub fn answer(&self) -> Option<Arc<Explanation>> {
        self.answer.clone()
    }

    /// Whether an answer is being computed.
    pub fn is_working(&self) -> bool {
        self.loading.is_some()
    }
}

/// Computes the answer on a thread of its own from `ledger`'s judged ledger.
fn spawn(
    ledger: Arc<LedgerViews>,
    question: Question,
    wake: egui::Context,
) -> Receiver<Explanation> {
    let (tx, rx) = channel();
    let as_of = ledger.money.judged.as_of();
    let asked = question.clone();
    let spawned = std::thread::Builder::new()
        .name("explain".into())
        .spawn(move || {
            let dismissed: BTreeSet<String> = ledger
                .money
                .flags
                .iter()
                .filter(|f| f.dismissed.is_some())
                .map(|f| f.flag.id.clone())
                .collect();
            let _ = tx.send(explain(&ledger.money.judged, &dismissed, &question));
            wake.request_repaint();
        });
    if let Err(e) = spawned {
        let (tx, rx) = channel();
        let _ = tx.send(Explanation::text_only(
            &asked.text,
            asked.provider.as_deref(),
            as_of,
            format!("The ledger's evidence could not be computed (no thread: {e})."),
        ));
        return rx;
    }
    rx
}
