//! The burnrate binary: runs a command-line command, or opens the window when there is none.

use std::process::ExitCode;

use clap::Parser;

use burnrate::cli::{self, Cli};
use burnrate::services::Clock;

fn main() -> ExitCode {
    let args = Cli::parse();
    // The one reading of the clock: the window and every command share this day.
    let clock = Clock::from_as_of(args.as_of);
    let db = args
        .db
        .clone()
        .unwrap_or_else(burnrate::store::default_path);
    let result = match args.command {
        Some(command) if args.demo => {
            if args.db.is_some() {
                eprintln!("burnrate: --demo and --db name two different ledgers; give one of them");
                return ExitCode::from(2);
            }
            burnrate::services::demo::rebuild_default(&db).and_then(|demo| {
                cli::run(&demo, command, burnrate::services::demo::clock(args.as_of))
            })
        }
        Some(command) => cli::run(&db, command, clock),
        None => burnrate::app::run(burnrate::app::Launch {
            db_chosen: args.db.is_some()
                || std::env::var_os("BURNRATE_DB").is_some_and(|v| !v.is_empty()),
            db,
            demo: args.demo,
            clock,
            demo_clock: burnrate::services::demo::clock(args.as_of),
            screenshot_to: args.screenshot_to,
        }),
    };
    match result {
        Ok(code) => ExitCode::from(u8::try_from(code).unwrap_or(1)),
        // The reader of our output went away (`burnrate flags --json | head`): not a failure.
        Err(e)
            if e.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) =>
        {
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("burnrate: {e:#}");
            ExitCode::from(1)
        }
    }
}
