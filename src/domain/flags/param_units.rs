//! What a threshold's number means for people: its unit (money, days, hours, minutes, percent,
//! times, a count) and its value written in that unit (`10.00`, `7 days`, `20%`, `3 times`), so
//! the settings screen and `burnrate settings threshold list` say "days below 10.00 are never
//! spikes" instead of `spike_min_cents 1000`. The unit comes from the threshold's name, which
//! carries it (`_cents`, `_days`, ...): a new threshold named that way gets its unit for free.
//!
//! Money thresholds are whole cents compared with each record in its own currency (OpenAI and
//! Anthropic bill in USD; a bank line in its account's currency); no conversion happens here.

use super::ParamSpec;

/// How a threshold is counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamUnit {
    /// Stored in cents; shown and typed as money (`10.00`).
    Cents,
    Days,
    Hours,
    Minutes,
    Percent,
    /// A multiple (`spike_factor`).
    Times,
    Count,
}

impl ParamUnit {
    /// The unit a threshold's name carries, its last unit word (`match_days_before` counts
    /// days).
    pub fn of(name: &str) -> Self {
        name.rsplit('_')
            .find_map(|word| {
                Some(match word {
                    "cents" => ParamUnit::Cents,
                    "days" => ParamUnit::Days,
                    "hours" => ParamUnit::Hours,
                    "minutes" => ParamUnit::Minutes,
                    "percent" => ParamUnit::Percent,
                    "factor" => ParamUnit::Times,
                    _ => return None,
                })
            })
            .unwrap_or(ParamUnit::Count)
    }

    /// `value` in this unit: `10.00`, `1 day`, `7 days`, `20%`, `3 times`, `3`.
    pub fn text(self, value: i64) -> String {
        let plural = |one: &str, many: &str| {
            if value == 1 {
                format!("1 {one}")
            } else {
                format!("{value} {many}")
            }
        };
        match self {
            ParamUnit::Cents => cents_text(value),
            ParamUnit::Days => plural("day", "days"),
            ParamUnit::Hours => plural("hour", "hours"),
            ParamUnit::Minutes => plural("minute", "minutes"),
            ParamUnit::Percent => format!("{value}%"),
            ParamUnit::Times => plural("time", "times"),
            ParamUnit::Count => value.to_string(),
        }
    }
}

impl ParamSpec {
    /// The threshold's unit.
    pub fn unit(&self) -> ParamUnit {
        ParamUnit::of(self.name)
    }
}

/// `1234` cents as `12.34`; integer arithmetic, never a float.
pub fn cents_text(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::flags::PARAM_SPECS;

    #[test]
    fn each_threshold_reads_in_its_unit() {
        let cases = [
            ("spike_min_cents", 1_000, "10.00"),
            ("verification_hold_max_cents", 5, "0.05"),
            ("hold_age_days", 7, "7 days"),
            ("credit_grace_days", 1, "1 day"),
            ("runaway_window_hours", 24, "24 hours"),
            ("duplicate_window_minutes", 15, "15 minutes"),
            ("budget_warning_percent", 80, "80%"),
            ("spike_factor", 3, "3 times"),
            ("runaway_max_recharges", 3, "3"),
            ("match_days_before", 1, "1 day"),
        ];
        for (name, value, text) in cases {
            assert_eq!(ParamUnit::of(name).text(value), text, "{name}");
        }
        assert_eq!(cents_text(-5), "-0.05");
    }

    /// Every threshold but the count of recharges names its unit.
    #[test]
    fn every_threshold_has_a_unit() {
        let counts: Vec<_> = PARAM_SPECS
            .iter()
            .filter(|s| s.unit() == ParamUnit::Count)
            .map(|s| s.name)
            .collect();
        assert_eq!(counts, ["runaway_max_recharges"]);
    }
}
