//! burnrate's integration tests, in one binary so that a change links one test program instead
//! of one per file. Each module is one area (importers, the command line, the window's flows,
//! the golden outputs); `cargo test --test it cli::` runs one of them. The real-window smoke
//! test stays its own binary: CI runs it under a virtual display.

// Tests may unwrap: a panic there is a failed test, not a crash in front of a user.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod agents;
mod app_explain;
mod app_flows;
mod app_gaps;
mod app_review;
mod architecture;
mod bad_files;
mod cli;
mod common;
mod crash;
mod explain;
mod fingerprints;
mod flags_cli;
mod formats_claim;
mod golden;
mod import_ai_bills;
mod import_bank_eu;
mod import_bank_us;
mod import_errors;
mod import_providers;
mod judgement;
mod ledger;
mod new_user;
mod no_network;
mod properties;
mod receipts;
mod review_cli;
mod safety;
mod samples;
mod scenario_ai_month;
mod scenario_three_months;
mod settings_cli;
