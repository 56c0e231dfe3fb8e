//! Keeps the layers honest: each folder of `src/` is searched for names it must not use.
//! `domain` stays pure (no egui, no SQLite, no file system, no clock); only `store` names
//! rusqlite; `ui` never names the store (it reads `domain` views); nothing in `src/` opens a
//! network connection.

// Test helpers unwrap: a panic there is a failed test. (clippy's allow-unwrap-in-tests covers
// #[test] functions only, not the helpers they call.)

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out
}

/// Lines of non-test code (everything before a `#[cfg(test)]` module), comments left out.
fn code_of(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    let code = match text.find("#[cfg(test)]") {
        Some(i) => &text[..i],
        None => &text,
    };
    code.lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Checks every Rust file under `folder` of `src/` (or the one file `folder` names).
fn assert_absent(folder: &str, forbidden: &[&str]) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("src")
        .join(folder);
    let files = if root.is_file() {
        vec![root.clone()]
    } else {
        rust_files(&root)
    };
    assert!(
        !files.is_empty() || !root.exists(),
        "no files under {}",
        root.display()
    );
    for file in files {
        let code = code_of(&file);
        for word in forbidden {
            assert!(
                !code.contains(word),
                "{} uses `{word}`, which the {folder} layer must not",
                file.display()
            );
        }
    }
}

#[test]
fn domain_is_pure() {
    assert_absent(
        "domain",
        &[
            "egui",
            "rusqlite",
            "std::fs",
            "File::open",
            "Utc::now",
            "Local::now",
            "SystemTime",
            "f64",
            "f32",
        ],
    );
}

#[test]
fn only_store_names_sqlite() {
    for folder in ["domain", "services", "cli", "ui", "app"] {
        assert_absent(folder, &["rusqlite"]);
    }
}

#[test]
fn ui_does_not_touch_the_store() {
    assert_absent(
        "ui",
        &[
            "Store::open",
            "store::Store",
            "crate::store",
            "rusqlite",
            "std::fs",
        ],
    );
}

#[test]
fn nothing_opens_network_connections() {
    assert_absent(
        "",
        &["TcpStream", "UdpSocket", "reqwest", "ureq", "hyper::"],
    );
}

#[test]
fn services_know_no_front_end() {
    assert_absent(
        "services",
        &[
            "egui",
            "eframe",
            "clap",
            "crate::cli",
            "crate::app",
            "crate::ui",
        ],
    );
}

#[test]
fn only_services_read_the_clock_outside_the_domain() {
    for folder in ["cli", "app", "ui", "store"] {
        assert_absent(folder, &["Local::now", "Utc::now"]);
    }
}

/// The two front ends share `services`, never each other: the window does not import the
/// command line, nor the command line the window.
#[test]
fn front_ends_do_not_import_each_other() {
    assert_absent("app", &["crate::cli", "cli::"]);
    assert_absent("ui", &["crate::cli", "crate::app"]);
    assert_absent("cli", &["crate::app", "crate::ui", "app::"]);
}

/// The judgement code depends one way: `money`, `fx`, `records` and `balance` know nothing of
/// the ledger snapshot; `ledger` knows nothing of matching or the detectors; `matching` reads
/// the snapshot and knows nothing of the detectors or the doctor; the detectors and the doctor
/// read one `Matching` handed to them and never run matching themselves.
#[test]
fn judgement_depends_one_way() {
    let higher = |names: &[&str]| -> Vec<String> {
        names
            .iter()
            .flat_map(|n| [format!("super::{n}"), format!("domain::{n}")])
            .collect()
    };
    let rules: &[(&str, &[&str])] = &[
        (
            "domain/money.rs",
            &[
                "fx",
                "records",
                "balance",
                "ledger",
                "matching",
                "flags",
                "doctor",
                "judgement",
            ],
        ),
        (
            "domain/fx.rs",
            &[
                "records",
                "balance",
                "ledger",
                "matching",
                "flags",
                "doctor",
                "judgement",
            ],
        ),
        (
            "domain/records.rs",
            &[
                "balance",
                "ledger",
                "matching",
                "flags",
                "doctor",
                "judgement",
            ],
        ),
        (
            "domain/balance.rs",
            &["ledger", "matching", "flags", "doctor", "judgement"],
        ),
        (
            "domain/ledger.rs",
            &["matching", "flags", "doctor", "judgement"],
        ),
        ("domain/matching.rs", &["flags", "doctor", "judgement"]),
        (
            "domain/projection.rs",
            &["matching", "flags", "doctor", "judgement"],
        ),
        ("domain/flags", &["doctor", "judgement"]),
        ("domain/doctor.rs", &["judgement"]),
    ];
    for (place, names) in rules {
        assert_absent(
            place,
            &higher(names).iter().map(String::as_str).collect::<Vec<_>>(),
        );
    }
}
