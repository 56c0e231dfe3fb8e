//! What users' scripts read, pinned byte for byte: `flags --json`, `balance --json`,
//! `report --json`, `report --review --json`, `diagnose --json`, `matches --json` and the HTML
//! review, on the three-month scenario (`tests/fixtures/three_months/`) and on the demo ledger.
//!
//! A change to any of these outputs must be deliberate: the test prints the first differing
//! line, and `BURNRATE_BLESS=1 cargo test --test it golden` rewrites `tests/golden/` so the commit
//! shows the difference (name the fixed bug in the commit message).

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs the binary with a private HOME and cache folder, so the demo ledger and the default
/// ledger are this test's own.
fn burnrate(home: &Path, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_burnrate"))
        .args(args)
        .env_remove("BURNRATE_DB")
        .env("HOME", home)
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env("TZ", "UTC")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?} exited {:?}: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Compares `got` with `tests/golden/NAME`, or rewrites it under `BURNRATE_BLESS=1`.
fn check(name: &str, got: &str, failures: &mut Vec<String>) {
    let path = root().join("tests/golden").join(name);
    if std::env::var_os("BURNRATE_BLESS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, got).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&path).unwrap_or_default();
    if want == got {
        return;
    }
    let line = want
        .lines()
        .zip(got.lines())
        .position(|(a, b)| a != b)
        .unwrap_or_else(|| want.lines().count().min(got.lines().count()));
    failures.push(format!(
        "{name}: differs from line {}:\n  want: {}\n  got:  {}",
        line + 1,
        want.lines().nth(line).unwrap_or("<end>"),
        got.lines().nth(line).unwrap_or("<end>"),
    ));
}

/// The commands whose output is pinned, for one ledger and one as-of date.
fn pin(
    home: &Path,
    ledger: &[&str],
    tag: &str,
    as_of: &str,
    months: &[&str],
    failures: &mut Vec<String>,
) {
    let run = |extra: &[&str]| {
        let mut args: Vec<&str> = ledger.to_vec();
        args.extend_from_slice(&["--as-of", as_of]);
        args.extend_from_slice(extra);
        burnrate(home, &args)
    };
    check(
        &format!("{tag}/flags.json"),
        &run(&["flags", "--json"]),
        failures,
    );
    check(
        &format!("{tag}/flags-all.json"),
        &run(&["flags", "--all", "--json"]),
        failures,
    );
    for provider in ["openai", "anthropic"] {
        check(
            &format!("{tag}/balance-{provider}.json"),
            &run(&["balance", "--provider", provider, "--json"]),
            failures,
        );
    }
    check(
        &format!("{tag}/diagnose.json"),
        &run(&["diagnose", "--json"]),
        failures,
    );
    check(
        &format!("{tag}/matches.json"),
        &run(&["matches", "--json"]),
        failures,
    );
    for (what, by) in [
        ("usage", "provider"),
        ("usage", "project"),
        ("usage", "model"),
        ("paid", "provider"),
        ("credits", "kind"),
    ] {
        check(
            &format!("{tag}/report-{what}-by-{by}.json"),
            &run(&["report", "--what", what, "--by", by, "--json"]),
            failures,
        );
    }
    for month in months {
        check(
            &format!("{tag}/review-{month}.json"),
            &run(&["report", "--month", month, "--review", "--json"]),
            failures,
        );
        let html = home.join(format!("{tag}-{month}.html"));
        run(&["report", "--month", month, "--html", html.to_str().unwrap()]);
        check(
            &format!("{tag}/review-{month}.html"),
            &std::fs::read_to_string(&html).unwrap(),
            failures,
        );
    }
}

#[test]
fn users_scripts_read_the_same_bytes() {
    let home = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();

    // The three-month scenario, imported file by file as a user would, with the Batch budget.
    let db = home.path().join("three-months.sqlite");
    let db_arg = db.to_str().unwrap().to_string();
    for file in crate::common::THREE_MONTHS {
        let path = root().join("tests/fixtures/three_months").join(file);
        burnrate(
            home.path(),
            &["--db", &db_arg, "import", path.to_str().unwrap()],
        );
    }
    burnrate(
        home.path(),
        &[
            "--db",
            &db_arg,
            "settings",
            "budget",
            "--project",
            "Batch",
            "--monthly",
            "50.00",
        ],
    );
    pin(
        home.path(),
        &["--db", &db_arg],
        "three_months",
        "2026-04-05",
        &["2026-02", "2026-03"],
        &mut failures,
    );

    // The demo ledger, as `burnrate --demo` builds it.
    pin(
        home.path(),
        &["--demo"],
        "demo",
        "2026-11-20",
        &["2026-10", "2026-11"],
        &mut failures,
    );

    assert!(
        failures.is_empty(),
        "outputs changed (BURNRATE_BLESS=1 to accept, and name why in the commit):\n{}",
        failures.join("\n")
    );
}
