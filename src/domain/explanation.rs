//! The error explainer's answer: what a pasted error text says ([`Reading`]) and the ledger's
//! evidence as of a day (balances, open flags, the doctor's last attempts, the layer they point
//! to). Built by `services::explain` from the judged ledger; drawn by the window's "Explain an
//! error" panel and printed by `burnrate explain`. Plain data: nothing here judges anything.

use chrono::NaiveDate;

use super::balance::AccountKey;
use super::doctor::Attempt;
use super::explain::{Layer, Reading, read};
use super::flags::Flag;
use super::money::{Amount, Currency};

/// One account's balance as of the day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountEvidence {
    pub account: AccountKey,
    pub currency: Currency,
    /// The closing balance (a lower bound when `lower_bound`; meaningless when not `known`).
    pub balance: Amount,
    /// Whether any credit or checkpoint is known (else the balance is unknown, not zero).
    pub known: bool,
    pub lower_bound: bool,
    /// When the forecast reaches zero.
    pub depletes_on: Option<NaiveDate>,
    /// Set when the last auto-recharge failed and none succeeded since.
    pub recharge_failed_on: Option<NaiveDate>,
}

impl AccountEvidence {
    /// Whether the balance is exactly known to be spent.
    pub fn is_spent(&self) -> bool {
        self.known && !self.lower_bound && self.balance.round_to_cents() <= 0
    }

    /// "openai/Acme: 0.00 USD as of 2026-03-22, at zero: ..." for people.
    pub fn sentence(&self, as_of: NaiveDate) -> String {
        let cur = &self.currency;
        let label = self.account.label();
        if !self.known {
            return format!(
                "{label}: balance unknown as of {as_of} (usage, but no credit or checkpoint in the ledger)"
            );
        }
        let amount = self.balance.to_cents_string();
        let head = if self.lower_bound {
            format!("{label}: at least {amount} {cur} as of {as_of}")
        } else {
            format!("{label}: {amount} {cur} as of {as_of}")
        };
        let runs = if self.is_spent() {
            ", at zero: calls are refused until credit arrives".to_string()
        } else {
            self.depletes_on
                .map(|day| format!(", runs out around {day} at the recent burn rate"))
                .unwrap_or_default()
        };
        let recharge = self
            .recharge_failed_on
            .map(|day| format!("; the last auto-recharge failed on {day} and none succeeded since"))
            .unwrap_or_default();
        format!("{head}{runs}{recharge}")
    }
}

/// The explainer's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explanation {
    pub as_of: NaiveDate,
    /// What the text says.
    pub reading: Reading,
    /// Whether the ledger was looked at (not for a rate limit or an unknown text, nor without a
    /// ledger).
    pub consulted: bool,
    /// The layer the ledger's evidence points to, when it points to one.
    pub ledger_layer: Option<Layer>,
    /// The evidence in plain sentences, most telling first: the layer the ledger points to and
    /// each account's balance (the flags and attempts are listed apart).
    pub ledger_says: Vec<String>,
    /// The balances of the provider's accounts (every provider's when it is not known).
    pub accounts: Vec<AccountEvidence>,
    /// Open (not dismissed) recent flags that bear on the layer.
    pub flags: Vec<Flag>,
    /// The newest top-up attempt per provider, as the doctor walks it.
    pub last_attempts: Vec<Attempt>,
}

impl Explanation {
    /// The reading of `text` alone, with no ledger evidence; `why` says why.
    pub fn text_only(text: &str, provider: Option<&str>, as_of: NaiveDate, why: String) -> Self {
        Self {
            as_of,
            reading: read(text, provider),
            consulted: false,
            ledger_layer: None,
            ledger_says: vec![why],
            accounts: Vec::new(),
            flags: Vec::new(),
            last_attempts: Vec::new(),
        }
    }
}
