//! The use cases both front ends call: the window (`app`) and the command line (`cli`) each
//! ask this layer to import some paths, judge the ledger as of a day (flags, balances,
//! forecasts), load a month's review, build the demo or know today's date, instead of
//! assembling the same pipeline by hand twice.
//!
//! It sits between the front ends and `domain`/`store`: it may use both, and it never names
//! egui, clap or a front end (`tests/it/architecture.rs` keeps it so). It reads the real clock
//! once, in [`clock::Clock::local`], which `main` calls; everything below takes "today" as a
//! parameter.

pub mod agent_logs;
pub mod clock;
pub mod demo;
pub mod dispute;
pub mod explain;
pub mod export;
pub mod import;
pub mod projection;
pub mod review;

pub use self::clock::Clock;
