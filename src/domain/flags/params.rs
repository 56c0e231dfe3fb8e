//! The detectors' thresholds: [`FlagParams`] with the documented defaults (stored in the
//! ledger as JSON, missing fields taking their defaults), and [`PARAM_SPECS`], the name, range
//! and meaning of each, through which the settings command and screen read and set them by
//! name; setting a value outside its range is refused, never clamped. The matching rule's own
//! thresholds ([`MatchParams`]) are stored and listed with them, flattened into the same JSON
//! object, but matching reads only its part.

use serde::{Deserialize, Serialize};

use crate::domain::matching::MatchParams;

/// The thresholds of the detectors; the defaults are the documented ones. Stored in the ledger
/// as JSON, missing fields taking their defaults.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct FlagParams {
    pub duplicate_window_minutes: i64,
    /// A pending line older than this many days is flagged.
    pub hold_age_days: i64,
    /// Holds up to this amount are verification holds.
    pub verification_hold_max_cents: i64,
    /// Days a charge may wait for its credit (and a credit for its charge).
    pub credit_grace_days: i64,
    /// The matching rule's windows and tolerances.
    #[serde(flatten)]
    pub matching: MatchParams,
    pub expiring_within_days: i64,
    pub spike_factor: i64,
    pub spike_window_days: i64,
    pub spike_min_cents: i64,
    pub budget_warning_percent: i64,
    /// More than this many auto-recharges of one account within `runaway_window_hours`...
    pub runaway_max_recharges: i64,
    pub runaway_window_hours: i64,
    /// ...while usage on those days was under this share of what they added is a runaway.
    pub runaway_usage_percent: i64,
    /// A monthly invoice differing from the month's usage cost by more than this percent of
    /// the usage...
    pub invoice_tolerance_percent: i64,
    /// ...and by more than this many cents is a mismatch.
    pub invoice_tolerance_cents: i64,
    /// Usage in an organization without credits is judged from this many cents on.
    pub wrong_org_min_cents: i64,
}

impl Default for FlagParams {
    fn default() -> Self {
        Self {
            duplicate_window_minutes: 15,
            hold_age_days: 7,
            verification_hold_max_cents: 500,
            credit_grace_days: 2,
            matching: MatchParams::default(),
            expiring_within_days: 30,
            spike_factor: 3,
            spike_window_days: 14,
            spike_min_cents: 1_000,
            budget_warning_percent: 80,
            runaway_max_recharges: 3,
            runaway_window_hours: 24,
            runaway_usage_percent: 50,
            invoice_tolerance_percent: 2,
            invoice_tolerance_cents: 100,
            wrong_org_min_cents: 100,
        }
    }
}

/// One detector threshold: its name (the [`FlagParams`] field), what it means, and the values
/// it may take. The settings command and the settings screen edit thresholds through these.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParamSpec {
    pub name: &'static str,
    pub min: i64,
    pub max: i64,
    pub help: &'static str,
}

/// Every threshold of [`FlagParams`], in field order.
pub const PARAM_SPECS: &[ParamSpec] = &[
    spec(
        "duplicate_window_minutes",
        0,
        1_440,
        "top-ups this close are one event",
    ),
    spec(
        "hold_age_days",
        0,
        365,
        "a pending line older than this is flagged",
    ),
    spec(
        "hold_settle_days",
        0,
        365,
        "a hold settles at most this many days later",
    ),
    spec(
        "hold_tolerance_percent",
        0,
        100,
        "a settling line may differ from its hold by this much",
    ),
    spec(
        "verification_hold_max_cents",
        0,
        100_000,
        "holds up to this are verification holds",
    ),
    spec(
        "credit_grace_days",
        0,
        365,
        "days a charge may wait for its credit (and back)",
    ),
    spec(
        "match_days_before",
        0,
        365,
        "a bank line may come this many days before its billing record",
    ),
    spec("match_days_after", 0, 365, "...or this many days after it"),
    spec(
        "expiring_within_days",
        0,
        3_650,
        "credits expiring this soon are flagged",
    ),
    spec(
        "spike_factor",
        1,
        1_000,
        "a day above this many times the median is a spike",
    ),
    spec(
        "spike_window_days",
        1,
        365,
        "the median is over this many trailing days",
    ),
    spec(
        "spike_min_cents",
        0,
        100_000_000_000,
        "days below this cost are never spikes",
    ),
    spec(
        "budget_warning_percent",
        1,
        100,
        "warn when this share of a budget is spent",
    ),
    spec(
        "runaway_max_recharges",
        1,
        100,
        "more auto-recharges than this in the window is a runaway",
    ),
    spec("runaway_window_hours", 1, 168, "the runaway window"),
    spec(
        "runaway_usage_percent",
        0,
        100,
        "...when usage was under this share of what they added",
    ),
    spec(
        "invoice_tolerance_percent",
        0,
        100,
        "an invoice may differ from usage by this share",
    ),
    spec(
        "invoice_tolerance_cents",
        0,
        100_000_000_000,
        "...or by this amount",
    ),
    spec(
        "wrong_org_min_cents",
        0,
        100_000_000_000,
        "usage below this in an organization without credits is ignored",
    ),
];

const fn spec(name: &'static str, min: i64, max: i64, help: &'static str) -> ParamSpec {
    ParamSpec {
        name,
        min,
        max,
        help,
    }
}

/// Why a threshold cannot be set.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParamError {
    #[error("there is no threshold named '{name}'; the thresholds are: {known}")]
    Unknown { name: String, known: String },
    #[error("{name} must be a whole number from {min} to {max}, not '{value}'")]
    OutOfRange {
        name: String,
        value: String,
        min: i64,
        max: i64,
    },
}

impl FlagParams {
    fn field_mut(&mut self, name: &str) -> Option<&mut i64> {
        Some(match name {
            "duplicate_window_minutes" => &mut self.duplicate_window_minutes,
            "hold_age_days" => &mut self.hold_age_days,
            "hold_settle_days" => &mut self.matching.hold_settle_days,
            "hold_tolerance_percent" => &mut self.matching.hold_tolerance_percent,
            "verification_hold_max_cents" => &mut self.verification_hold_max_cents,
            "credit_grace_days" => &mut self.credit_grace_days,
            "match_days_before" => &mut self.matching.match_days_before,
            "match_days_after" => &mut self.matching.match_days_after,
            "expiring_within_days" => &mut self.expiring_within_days,
            "spike_factor" => &mut self.spike_factor,
            "spike_window_days" => &mut self.spike_window_days,
            "spike_min_cents" => &mut self.spike_min_cents,
            "budget_warning_percent" => &mut self.budget_warning_percent,
            "runaway_max_recharges" => &mut self.runaway_max_recharges,
            "runaway_window_hours" => &mut self.runaway_window_hours,
            "runaway_usage_percent" => &mut self.runaway_usage_percent,
            "invoice_tolerance_percent" => &mut self.invoice_tolerance_percent,
            "invoice_tolerance_cents" => &mut self.invoice_tolerance_cents,
            "wrong_org_min_cents" => &mut self.wrong_org_min_cents,
            _ => return None,
        })
    }

    /// The value of the threshold `name` (see [`PARAM_SPECS`]).
    pub fn get(&self, name: &str) -> Option<i64> {
        self.clone().field_mut(name).map(|v| *v)
    }

    /// Sets the threshold `name` from text, checked against its [`ParamSpec`] range.
    ///
    /// # Errors
    /// When no threshold has that name, or the text is not a whole number in the range.
    pub fn set(&mut self, name: &str, value: &str) -> Result<(), ParamError> {
        let name = name.trim();
        let Some(spec) = PARAM_SPECS.iter().find(|s| s.name == name) else {
            return Err(ParamError::Unknown {
                name: name.to_string(),
                known: PARAM_SPECS
                    .iter()
                    .map(|s| s.name)
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        };
        let out_of_range = || ParamError::OutOfRange {
            name: spec.name.to_string(),
            value: value.to_string(),
            min: spec.min,
            max: spec.max,
        };
        let parsed: i64 = value.trim().parse().map_err(|_| out_of_range())?;
        if !(spec.min..=spec.max).contains(&parsed) {
            return Err(out_of_range());
        }
        let field = self.field_mut(spec.name).ok_or_else(out_of_range)?;
        *field = parsed;
        Ok(())
    }

    /// Checks every threshold against its [`ParamSpec`] range: the one rule for whatever sets
    /// them (the settings command by name, the window's settings page as a whole).
    ///
    /// # Errors
    /// The first threshold out of its range.
    pub fn validate(&self) -> Result<(), ParamError> {
        for spec in PARAM_SPECS {
            let value = self.get(spec.name).unwrap_or_default();
            if !(spec.min..=spec.max).contains(&value) {
                return Err(ParamError::OutOfRange {
                    name: spec.name.to_string(),
                    value: value.to_string(),
                    min: spec.min,
                    max: spec.max,
                });
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_by_name() {
        let mut params = FlagParams::default();
        let json = serde_json::to_value(&params).unwrap();
        let fields: Vec<&String> = json.as_object().unwrap().keys().collect();
        let mut names: Vec<&str> = PARAM_SPECS.iter().map(|s| s.name).collect();
        names.sort_unstable();
        let mut fields: Vec<&str> = fields.iter().map(|s| s.as_str()).collect();
        fields.sort_unstable();
        assert_eq!(names, fields, "every FlagParams field needs a ParamSpec");
        for spec in PARAM_SPECS {
            let value = params.get(spec.name).unwrap();
            assert!(
                (spec.min..=spec.max).contains(&value),
                "{} default out of range",
                spec.name
            );
        }
        params.set("spike_factor", " 5 ").unwrap();
        assert_eq!(params.spike_factor, 5);
        assert!(matches!(
            params.set("spike_factor", "0"),
            Err(ParamError::OutOfRange { .. })
        ));
        assert!(matches!(
            params.set("spike_factor", "2.5"),
            Err(ParamError::OutOfRange { .. })
        ));
        assert!(matches!(
            params.set("hold_age_days", "-1"),
            Err(ParamError::OutOfRange { .. })
        ));
        assert_eq!(params.validate(), Ok(()));
        let mut whole = params.clone();
        whole.runaway_max_recharges = 0;
        assert!(
            matches!(whole.validate(), Err(ParamError::OutOfRange { ref name, .. }) if name == "runaway_max_recharges")
        );
        let unknown = params.set("spike_min_amount", "10").unwrap_err();
        assert!(unknown.to_string().contains("spike_min_cents"), "{unknown}");
        assert_eq!(params.spike_factor, 5);
    }
}
