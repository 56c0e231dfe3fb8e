//! The hostile corpus (`tests/fixtures/bad/`): every file is imported by the real binary into
//! a ledger that already holds records, and must give exactly the outcome `EXPECTED.tsv`
//! names: a clear error, or a correct import with its bad rows rejected by line. Never a
//! panic, and a refused file leaves every table of the ledger as it was.

use std::path::{Path, PathBuf};

use crate::common::run;

fn bad(name: &str) -> PathBuf {
    crate::common::fixture("bad").join(name)
}

#[derive(Debug)]
enum Outcome {
    Refused(String),
    Imported {
        inserted: u64,
        rejected: usize,
        reason: String,
    },
}

fn expectations() -> Vec<(String, Outcome)> {
    let text = std::fs::read_to_string(bad("EXPECTED.tsv")).unwrap();
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|line| {
            let (file, outcome) = line.split_once('\t').expect("file<TAB>outcome");
            let outcome = if let Some(text) = outcome.strip_prefix("refused:") {
                Outcome::Refused(text.trim().to_string())
            } else {
                let rest = outcome
                    .strip_prefix("imported ")
                    .expect("refused or imported");
                let (counts, reason) = rest.split_once(':').unwrap_or((rest, ""));
                let (inserted, rejected) = counts.split_once(", rejected ").expect("counts");
                Outcome::Imported {
                    inserted: inserted.trim().parse().unwrap(),
                    rejected: rejected.trim().parse().unwrap(),
                    reason: reason.trim().to_string(),
                }
            };
            (file.to_string(), outcome)
        })
        .collect()
}

/// Every row of every table, as text.
fn snapshot(db: &Path) -> Vec<(String, Vec<String>)> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    tables
        .into_iter()
        .map(|t| {
            // Sorted as text: tables without a rowid (the daily usage sums) have no other order.
            let mut stmt = conn.prepare(&format!("SELECT * FROM \"{t}\"")).unwrap();
            let n = stmt.column_count();
            let rows = stmt
                .query_map([], |r| {
                    Ok((0..n)
                        .map(|i| format!("{:?}", r.get_ref(i).unwrap()))
                        .collect::<Vec<_>>()
                        .join("|"))
                })
                .unwrap()
                .map(Result::unwrap);
            let mut rows: Vec<String> = rows.collect();
            rows.sort();
            (t, rows)
        })
        .collect()
}

/// A ledger holding a real import, so that "changes nothing" has something to change.
fn seeded_ledger(dir: &Path) -> PathBuf {
    let db = dir.join("ledger.sqlite");
    let seed = crate::common::fixture("bank_us/chase-card.csv");
    let out = run(&db, &["import", seed.to_str().unwrap()]);
    assert!(out.status.success());
    db
}

fn check(db: &Path, file: &Path, expected: &Outcome) {
    let before = snapshot(db);
    let out = run(db, &["import", "--json", file.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&out.stderr);
    let name = file.display();
    assert!(
        matches!(out.status.code(), Some(0 | 1)) && !err.contains("panicked"),
        "{name}: crashed ({:?}): {err}",
        out.status
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{name}: no JSON report ({e}): {err}"));
    let report = &report[0];
    match expected {
        Outcome::Refused(text) => {
            let error = report["error"].as_str().unwrap_or_default();
            assert!(
                !error.is_empty(),
                "{name}: expected a refusal, got {report}"
            );
            assert!(error.contains(text.as_str()), "{name}: {error}");
            assert_eq!(out.status.code(), Some(1), "{name}");
            assert!(
                err.contains(&*file.file_name().unwrap().to_string_lossy()),
                "{name}: the error names the file: {err}"
            );
            assert_eq!(report["written"], false, "{name}");
            assert_eq!(
                snapshot(db),
                before,
                "{name}: a refused file changed the ledger"
            );
        }
        Outcome::Imported {
            inserted,
            rejected,
            reason,
        } => {
            assert_eq!(report["error"], serde_json::Value::Null, "{name}: {report}");
            assert_eq!(
                report["inserted"].as_u64(),
                Some(*inserted),
                "{name}: {report}"
            );
            let rows = report["rejected"].as_array().unwrap();
            assert_eq!(rows.len(), *rejected, "{name}: {report}");
            for row in rows {
                assert!(
                    row["line"].as_u64().unwrap() >= 2,
                    "{name}: every rejection has its line: {row}"
                );
            }
            assert!(
                reason.is_empty()
                    || rows
                        .iter()
                        .any(|r| r["reason"].as_str().unwrap().contains(reason.as_str())),
                "{name}: no rejection says '{reason}': {report}"
            );
        }
    }
}

#[test]
fn every_hostile_file_gives_its_expected_outcome_and_a_refused_one_changes_nothing() {
    let expected = expectations();
    let listed: Vec<&str> = expected.iter().map(|(f, _)| f.as_str()).collect();
    let mut on_disk: Vec<String> = std::fs::read_dir(bad(""))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != "EXPECTED.tsv")
        .collect();
    on_disk.sort();
    for name in &on_disk {
        assert!(
            listed.contains(&name.as_str()),
            "{name} has no expected outcome in EXPECTED.tsv"
        );
    }
    assert!(
        expected.len() >= 40,
        "the corpus keeps at least 40 hostile files"
    );
    let dir = tempfile::tempdir().unwrap();
    let seeded = seeded_ledger(dir.path());
    for (i, (file, outcome)) in expected.iter().enumerate() {
        // Each file into its own copy of the seeded ledger: the counts are the file's alone.
        let db = dir.path().join(format!("ledger-{i}.sqlite"));
        std::fs::copy(&seeded, &db).unwrap();
        check(&db, &bad(file), outcome);
        let conn = rusqlite::Connection::open(&db).unwrap();
        let integrity: String = conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(integrity, "ok", "{file}");
    }
}

#[test]
fn huge_lines_and_headers_are_refused_or_read_without_running_out() {
    let dir = tempfile::tempdir().unwrap();
    let db = seeded_ledger(dir.path());
    let header =
        "start_time,end_time,amount_value,amount_currency,line_item,project_id,project_name\n";
    // A 10 MB single line: no header row can be found in it.
    let line = dir.path().join("ten-megabyte-line.csv");
    std::fs::write(&line, "x".repeat(10 * 1024 * 1024)).unwrap();
    check(&db, &line, &Outcome::Refused("header".into()));
    // 100,000 columns: a header of names no format knows.
    let wide = dir.path().join("hundred-thousand-columns.csv");
    let names: Vec<String> = (0..100_000).map(|i| format!("c{i}")).collect();
    std::fs::write(
        &wide,
        format!("{}\n{}\n", names.join(","), "1,".repeat(99_999) + "1"),
    )
    .unwrap();
    check(&db, &wide, &Outcome::Refused("does not recognise".into()));
    // One cell of 1 MB in an otherwise good export: imported, the cell kept whole.
    let big_cell = dir.path().join("one-megabyte-cell.csv");
    std::fs::write(
        &big_cell,
        format!(
            "{header}1790812800,1790899200,1.50,usd,gpt-4o,proj_a,{}\n",
            "p".repeat(1024 * 1024)
        ),
    )
    .unwrap();
    check(
        &db,
        &big_cell,
        &Outcome::Imported {
            inserted: 1,
            rejected: 0,
            reason: String::new(),
        },
    );
}

#[test]
fn mixed_encodings_and_hostile_text_are_stored_as_people_read_them() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ledger.sqlite");
    for file in [
        "mixed-encodings.csv",
        "terminal-escapes-and-bidi.csv",
        "sql-looking-text.csv",
    ] {
        let out = run(&db, &["import", bad(file).to_str().unwrap()]);
        assert!(out.status.success());
    }
    let conn = rusqlite::Connection::open(&db).unwrap();
    let texts: Vec<String> = conn
        .prepare("SELECT description FROM bank_lines UNION ALL SELECT project_name FROM usage")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for expected in [
        "Café OPENAI",
        "Café ANTHROPIC",
        "Zürich plan",
        "München € plan",
        "'; DROP TABLE usage; --",
        "Robert\"); DELETE FROM billing;--",
    ] {
        assert!(
            texts.iter().any(|t| t == expected),
            "{expected} in {texts:?}"
        );
    }
    assert!(
        texts
            .iter()
            .all(|t| !t.contains('\u{1b}') && !t.contains('\u{202e}')),
        "{texts:?}"
    );
}
