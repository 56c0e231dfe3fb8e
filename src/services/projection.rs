//! The ledger judged as of a day, for both front ends: the snapshot read once, matched once,
//! every account's balance, burn rate and forecast projected once ([`domain::projection`]),
//! and the flags. `burnrate flags`, `balance`, `matches` and `diagnose` and the window's money
//! and top-up views all start from [`load`], so they cannot disagree on a balance, a run-out
//! date or a flag for the same ledger and day.
//!
//! [`domain::projection`]: crate::domain::projection

use chrono::NaiveDate;

use crate::domain::balance::{AccountKey, BalanceError};
use crate::domain::doctor::Attempt;
use crate::domain::flags::{Flag, FlagParams};
use crate::domain::judgement::Judgement;
use crate::domain::ledger::Snapshot;
use crate::domain::projection::{self, Projection};
use crate::store::{Store, StoreError};

/// The ledger as of a day: its judgement, thresholds and account projections.
#[derive(Debug, Clone, Default)]
pub struct Judged {
    pub judgement: Judgement,
    pub params: FlagParams,
    /// Every account with records, sorted by account.
    pub projections: Vec<Projection>,
}

/// Reads the ledger and judges it as of `as_of`.
///
/// # Errors
/// When the ledger cannot be read.
pub fn load(store: &Store, as_of: NaiveDate) -> Result<Judged, StoreError> {
    Ok(judge(&store.snapshot()?, store.flag_params()?, as_of))
}

/// [`load`] for the balance, the match list and the top-up doctor, which never read usage per
/// project: the snapshot leaves it out ([`Store::account_snapshot`]), so a large ledger is
/// read in a fraction of the time. Its [`Judged::flags`] lack spend spikes and budgets: the
/// flags come from [`load`].
///
/// # Errors
/// When the ledger cannot be read.
pub fn load_accounts(store: &Store, as_of: NaiveDate) -> Result<Judged, StoreError> {
    Ok(judge(
        &store.account_snapshot()?,
        store.flag_params()?,
        as_of,
    ))
}

/// Judges a snapshot already read (the window keeps one per ledger revision).
pub fn judge(snapshot: &Snapshot, params: FlagParams, as_of: NaiveDate) -> Judged {
    let judgement = Judgement::new(snapshot, &params, as_of);
    let projections = projection::project_all(&judgement.snapshot, as_of);
    Judged {
        judgement,
        params,
        projections,
    }
}

impl Judged {
    /// The ledger cut at the as-of day.
    pub fn snapshot(&self) -> &Snapshot {
        &self.judgement.snapshot
    }

    pub fn as_of(&self) -> NaiveDate {
        self.judgement.as_of
    }

    /// Every flag as of the day, dismissed ones included.
    pub fn flags(&self) -> Vec<Flag> {
        self.judgement.flags(&self.params)
    }

    /// The top-up doctor's walk (all providers, or the one named).
    pub fn attempts(&self, provider: Option<&str>) -> Vec<Attempt> {
        self.judgement.attempts(&self.params, provider)
    }

    /// The projection of `account` (an account without records projects to nothing).
    ///
    /// # Errors
    /// When a total is too large to add up exactly.
    pub fn projection(&self, account: &AccountKey) -> Result<Projection, BalanceError> {
        match self.projections.iter().find(|p| &p.account == account) {
            Some(p) => Ok(p.clone()),
            None => projection::project(self.snapshot(), account, self.as_of()),
        }
    }
}
