//! The pure core of burnrate: money, records, import parsers, merchant tagging.
//!
//! Nothing in `domain` touches egui, SQLite, the file system or the clock: files arrive as byte
//! readers, "today" arrives as a parameter. That keeps every rule here testable with plain data.

pub mod agents;
pub mod all_in;
pub mod api_errors;
pub mod balance;
pub mod billing_details;
pub mod doctor;
pub mod explain;
pub mod explanation;
pub mod flags;
pub mod fx;
pub mod html;
pub mod import;
pub mod judgement;
pub mod ledger;
pub mod matching;
pub mod merchants;
pub mod money;
pub mod projection;
pub mod records;
pub mod review;
pub mod review_report;
pub mod secrets;
pub mod views;
