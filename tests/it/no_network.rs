//! burnrate never opens a network connection: the dependency tree holds no HTTP client or TLS
//! stack, and the whole command-line flow works in a fresh network namespace, where there is
//! no network at all to reach.

use std::path::Path;
use std::process::Command;

/// Crates whose purpose is talking to other machines.
const NETWORK_CRATES: &[&str] = &[
    "reqwest",
    "hyper",
    "hyper-util",
    "ureq",
    "curl",
    "curl-sys",
    "isahc",
    "surf",
    "attohttpc",
    "minreq",
    "http-req",
    "ehttp",
    "reqwless",
    "awc",
    "h2",
    "h3",
    "quinn",
    "native-tls",
    "rustls",
    "openssl",
    "openssl-sys",
    "tungstenite",
    "tokio-tungstenite",
    "websocket",
    "trust-dns-resolver",
    "hickory-resolver",
];

#[test]
fn the_dependency_tree_has_no_http_client() {
    let lock =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.lock")).unwrap();
    let names: Vec<&str> = lock
        .lines()
        .filter_map(|l| l.strip_prefix("name = \""))
        .filter_map(|l| l.strip_suffix('"'))
        .collect();
    assert!(
        names.contains(&"rusqlite"),
        "the lock file lists the packages"
    );
    let found: Vec<&&str> = names
        .iter()
        .filter(|n| NETWORK_CRATES.contains(n))
        .collect();
    assert!(
        found.is_empty(),
        "network crates in the dependency tree: {found:?}"
    );
}

/// Runs `script` with `sh` in a new network namespace (no interface but a down loopback).
fn offline(script: &str) -> Option<std::process::Output> {
    let out = Command::new("unshare")
        .args(["-rn", "sh", "-c", script])
        .output()
        .ok()?;
    if !out.status.success() && String::from_utf8_lossy(&out.stderr).contains("unshare:") {
        return None;
    }
    Some(out)
}

#[test]
fn the_whole_command_line_flow_works_without_a_network() {
    let Some(probe) = offline("cat /proc/net/dev | tail -n +3 | wc -l") else {
        println!("skipped: this machine cannot make a network namespace (unshare -rn)");
        return;
    };
    assert_eq!(
        String::from_utf8_lossy(&probe.stdout).trim(),
        "1",
        "only the loopback interface exists in the namespace"
    );
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ledger.sqlite");
    let html = dir.path().join("review.html");
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/three_months");
    let bin = env!("CARGO_BIN_EXE_burnrate");
    let db = db.display();
    let script = format!(
        "set -e
         b() {{ '{bin}' --db '{db}' --as-of 2026-04-10 \"$@\"; }}
         b import '{fixtures}'/*.csv
         b report --json
         b report --by project --csv
         b flags --json
         b balance --provider openai
         b matches --json
         b diagnose
         b history
         b report --month 2026-03 --review
         b report --month 2026-03 --html '{html}'
         b settings threshold list
         echo FLOW-DONE",
        fixtures = fixtures.display(),
        html = html.display(),
    );
    let out = offline(&script).expect("the namespace worked a moment ago");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("FLOW-DONE"),
        "{}\n{stdout}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        std::fs::read_to_string(&html)
            .unwrap()
            .starts_with("<!DOCTYPE html>")
    );
}
