//! The window's preferences: what the user chose that outlives a session (theme, chart toggles,
//! view, filters, table sorts, hidden series). Saved by eframe under [`PREFS_KEY`], never in
//! the ledger.

use std::collections::BTreeSet;

use crate::domain::views::{Bucket, Filters, SeriesGroup, Sort};
use crate::ui::{Tab, ThemeChoice, View};

/// The key under which preferences are saved in eframe's storage.
pub const PREFS_KEY: &str = "burnrate.prefs";

/// What the user chose that outlives a session (saved by eframe, never in the ledger).
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Prefs {
    pub theme: ThemeChoice,
    pub group: SeriesGroup,
    pub bucket: Bucket,
    pub tab: Tab,
    pub view: View,
    pub filters: Filters,
    /// The sort of the usage, billing and bank tables.
    pub sorts: [Sort; 3],
    /// Projects hidden from the cost chart (by a click on their legend entry).
    pub hidden_projects: BTreeSet<String>,
    /// Models hidden from the cost chart.
    pub hidden_models: BTreeSet<String>,
}

impl Prefs {
    /// The series the cost chart leaves out when grouped by `group`.
    pub fn hidden_series(&self, group: SeriesGroup) -> &BTreeSet<String> {
        match group {
            SeriesGroup::Project => &self.hidden_projects,
            SeriesGroup::Model => &self.hidden_models,
        }
    }

    /// Hides the series `name` of the chart grouped by `group`, or shows it again.
    pub fn toggle_series(&mut self, group: SeriesGroup, name: &str) {
        let hidden = match group {
            SeriesGroup::Project => &mut self.hidden_projects,
            SeriesGroup::Model => &mut self.hidden_models,
        };
        if !hidden.remove(name) {
            hidden.insert(name.to_string());
        }
    }

    /// The sort of the table shown on `tab`.
    pub fn sort(&self, tab: Tab) -> Sort {
        let index = match tab {
            Tab::Usage | Tab::Imports | Tab::Agents => 0,
            Tab::Billing => 1,
            Tab::Bank => 2,
        };
        self.sorts.get(index).copied().unwrap_or(Sort::NEWEST)
    }

    /// Sorts the table shown on `tab` by `sort`.
    pub fn set_sort(&mut self, tab: Tab, sort: Sort) {
        let index = match tab {
            Tab::Usage | Tab::Imports | Tab::Agents => 0,
            Tab::Billing => 1,
            Tab::Bank => 2,
        };
        if let Some(slot) = self.sorts.get_mut(index) {
            *slot = sort;
        }
    }
}
