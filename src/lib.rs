//! burnrate: a local-first ledger of what people spend on AI services.
//!
//! Layers, and which way they may depend:
//! - [`domain`]: pure rules (money, records, importers, merchant tagging). No egui, no rusqlite,
//!   no file system, no clock.
//! - [`store`]: the only module that names rusqlite: opening the ledger, migrations, queries.
//! - [`services`]: the use cases both front ends call (importing paths, today's date, ...),
//!   over `domain` and `store`.
//! - [`cli`]: the command-line front end over `services`, `domain` and `store`.
//! - `ui` and `app`: the desktop window (egui), reading views and emitting actions.
//! - [`pdf_worker`]: reads PDF text in a child burnrate process with limits, for the importers.

pub mod app;
pub mod cli;
pub mod domain;
pub mod pdf_worker;
pub mod services;
pub mod store;
pub mod ui;
