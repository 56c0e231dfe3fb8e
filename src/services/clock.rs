//! "Today" for the whole program: the machine's local date, read once in `main`, or the day
//! `--as-of` names. The window and every command get the same [`Clock`], so a window and a
//! command started the same evening agree on which day it is (the command line used to take
//! UTC, the window the local date).
//!
//! The domain never reads a clock; it takes the day from here as a parameter.

use chrono::NaiveDate;

/// The day burnrate treats as today.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clock {
    today: NaiveDate,
}

impl Clock {
    /// Today on this machine, in its local time zone (what the user's calendar says).
    pub fn local() -> Self {
        Self {
            today: chrono::Local::now().date_naive(),
        }
    }

    /// A fixed day (`--as-of`, tests, screenshots).
    pub fn fixed(today: NaiveDate) -> Self {
        Self { today }
    }

    /// `--as-of` when given, else today on this machine.
    pub fn from_as_of(as_of: Option<NaiveDate>) -> Self {
        as_of.map_or_else(Self::local, Self::fixed)
    }

    /// The day to show the ledger as of.
    pub fn today(self) -> NaiveDate {
        self.today
    }
}

/// The current instant as the ledger stores it (UTC, to the second): when an import, a
/// dismissal or a decision was recorded. A stamp of the real time, not "today" (`--as-of`
/// does not move it).
pub fn now_utc() -> String {
    chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn as_of_wins_over_the_machine_date() {
        let day = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
        assert_eq!(Clock::from_as_of(Some(day)).today(), day);
        assert_eq!(Clock::fixed(day).today(), day);
    }

    #[test]
    fn without_as_of_it_is_the_local_date() {
        let before = chrono::Local::now().date_naive();
        let today = Clock::from_as_of(None).today();
        let after = chrono::Local::now().date_naive();
        assert!(today == before || today == after);
    }

    #[test]
    fn stamps_are_utc_seconds() {
        let stamp = now_utc();
        assert_eq!(stamp.len(), 20, "{stamp}");
        assert!(stamp.ends_with('Z'));
    }
}
