//! What burnrate promises about the ledger file itself, tried with real processes and real
//! files: two imports into a ledger that does not exist yet both land; an import waits for
//! another writer instead of failing; another program's database is refused byte for byte
//! untouched; every released schema upgrades with all its data and a private copy kept; files
//! are private; a ledger that cannot be written is still readable.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use burnrate::store::{APPLICATION_ID, SCHEMA_VERSION, Store};

use crate::common::{fixture, run as burnrate, stderr};

fn counts(db: &Path) -> (i64, i64, i64, i64) {
    Store::open(db).unwrap().counts().unwrap()
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// Every row of every table, by table, as text (what "all its data" means in a test).
fn dump(path: &Path) -> BTreeMap<String, (Vec<String>, Vec<Vec<String>>)> {
    let conn = rusqlite::Connection::open(path).unwrap();
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
            let columns = columns_of(&conn, &t);
            let rows = rows_of(&conn, &t, &columns);
            (t, (columns, rows))
        })
        .collect()
}

fn columns_of(conn: &rusqlite::Connection, table: &str) -> Vec<String> {
    conn.prepare(&format!("SELECT name FROM pragma_table_info('{table}')"))
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

fn rows_of(conn: &rusqlite::Connection, table: &str, columns: &[String]) -> Vec<Vec<String>> {
    let list = columns
        .iter()
        .map(|c| format!("quote(\"{c}\")"))
        .collect::<Vec<_>>()
        .join(", ");
    let mut stmt = conn
        // By every column: the daily usage sums are a table without rowids.
        .prepare(&format!("SELECT {list} FROM \"{table}\" ORDER BY {list}"))
        .unwrap();
    stmt.query_map([], |r| {
        (0..columns.len())
            .map(|i| r.get::<_, String>(i))
            .collect::<Result<Vec<_>, _>>()
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

fn load_fixture(version: u32, dir: &Path) -> PathBuf {
    let path = dir.join(format!("v{version}.sqlite"));
    let sql = std::fs::read_to_string(fixture(&format!("schema/v{version}.sql"))).unwrap();
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute_batch(&sql)
        .unwrap();
    path
}

/// Every schema version this build knows: 1 to `SCHEMA_VERSION`, which is the length of the
/// store's migration list (`store::MIGRATIONS`).
pub fn schema_versions() -> std::ops::RangeInclusive<u32> {
    1..=u32::try_from(SCHEMA_VERSION).unwrap()
}

/// The migration files, in order (`0006_anchors.sql`).
fn migration_files() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/store/migrations");
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "sql"))
        .collect();
    files.sort();
    files
}

/// Each table's columns (name and declared type) and each index's name: the shape of a schema.
fn schema_shape(conn: &rusqlite::Connection) -> BTreeMap<String, Vec<String>> {
    let names: Vec<(String, String)> = conn
        .prepare(
            "SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name",
        )
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    names
        .into_iter()
        .map(|(kind, name)| {
            let columns = if kind == "table" {
                conn.prepare(&format!(
                    "SELECT name || ' ' || type FROM pragma_table_info('{name}')"
                ))
                .unwrap()
                .query_map([], |r| r.get(0))
                .unwrap()
                .map(Result::unwrap)
                .collect()
            } else {
                Vec::new()
            };
            (format!("{kind} {name}"), columns)
        })
        .collect()
}

/// A ledger migration adds a version; a released version must stay upgradable; so each
/// version has its frozen fixture, shaped as its migrations make it, with records in every
/// table. This fails the day a migration lands without one.
#[test]
fn every_schema_version_has_a_frozen_fixture_shaped_like_its_migrations() {
    let migrations = migration_files();
    assert_eq!(
        migrations.len(),
        usize::try_from(SCHEMA_VERSION).unwrap(),
        "every file in src/store/migrations is registered in store::MIGRATIONS, and only those: {migrations:?}"
    );
    for version in schema_versions() {
        let sql = fixture(&format!("schema/v{version}.sql"));
        assert!(
            sql.exists(),
            "schema version {version} has no frozen fixture: write {} (a ledger as that version wrote it, a record in every table, stamped with the application id) so that upgrades from it are tested",
            sql.display()
        );
        let dir = tempfile::tempdir().unwrap();
        let frozen = rusqlite::Connection::open(load_fixture(version, dir.path())).unwrap();
        let fresh = rusqlite::Connection::open(dir.path().join("fresh.sqlite")).unwrap();
        for file in migrations.iter().take(usize::try_from(version).unwrap()) {
            fresh
                .execute_batch(&std::fs::read_to_string(file).unwrap())
                .unwrap();
        }
        assert_eq!(
            schema_shape(&frozen),
            schema_shape(&fresh),
            "v{version}.sql has the schema migrations 1..{version} make"
        );
        let user_version: u32 = frozen
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(user_version, version, "v{version}.sql says its version");
        if version > 1 {
            for (table, (_, rows)) in dump(&dir.path().join(format!("v{version}.sqlite"))) {
                assert!(!rows.is_empty(), "v{version}.sql has no record in {table}");
            }
        }
    }
}

#[test]
fn every_released_schema_upgrades_with_all_its_data_and_a_private_copy_kept() {
    let released: Vec<u32> = schema_versions()
        .filter(|v| fixture(&format!("schema/v{v}.sql")).exists())
        .collect();
    for version in released {
        let dir = tempfile::tempdir().unwrap();
        let path = load_fixture(version, dir.path());
        let before = dump(&path);
        let store = Store::open(&path).unwrap();
        assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
        let conn = rusqlite::Connection::open(&path).unwrap();
        let app_id: i32 = conn
            .query_row("PRAGMA application_id", [], |r| r.get(0))
            .unwrap();
        assert_eq!(
            app_id, APPLICATION_ID,
            "v{version} is stamped as burnrate's"
        );
        for (table, (columns, rows)) in &before {
            let after = rows_of(&conn, table, columns);
            // The one row an upgrade may change: which search for keys the ledger had.
            let kept = rows
                .iter()
                .filter(|r| !(table == "settings" && r[0] == "'secrets_masked'"));
            for row in kept {
                assert!(
                    after.contains(row),
                    "v{version}: table {table} lost or changed {row:?}"
                );
            }
            if table != "settings" {
                assert_eq!(after.len(), rows.len(), "v{version}: {table}");
            }
        }
        let backup = dir
            .path()
            .join(format!("v{version}-v{version}-backup.sqlite"));
        if i64::from(version) < SCHEMA_VERSION {
            assert_eq!(
                dump(&backup),
                before,
                "v{version}: the copy is the ledger as it was"
            );
            #[cfg(unix)]
            assert_eq!(mode(&backup), 0o600, "the copy is private");
        } else {
            assert!(
                !backup.exists(),
                "a ledger at the latest version is not copied"
            );
        }
        let (usage, billing, bank, rates) = store.counts().unwrap();
        assert!(usage >= 1 && billing >= 1 && bank >= 1, "v{version}");
        if version > 1 {
            let held = |table: &str| {
                i64::try_from(before.get(table).map_or(0, |(_, rows)| rows.len())).unwrap()
            };
            assert_eq!(
                (usage, billing, bank, rates),
                (
                    held("usage"),
                    held("billing"),
                    held("bank_lines"),
                    held("fx_rates")
                ),
                "v{version}: the store counts what the fixture holds"
            );
        }
        let report = store
            .report(
                burnrate::store::ReportKind::Usage(burnrate::store::UsageGroup::Provider),
                &burnrate::store::Period::all(),
            )
            .unwrap();
        assert!(
            !report.is_empty(),
            "v{version} answers a report after the upgrade"
        );
    }
}

#[test]
fn two_processes_creating_one_ledger_at_once_lose_no_import() {
    let files = [
        fixture("ledger/openai_cost_oct01_10.csv"),
        fixture("providers/anthropic-cost-2026-03.csv"),
        fixture("bank_eu/revolut.csv"),
        fixture("bank_us/chase-card.csv"),
    ];
    let dir = tempfile::tempdir().unwrap();
    // What the four files hold, imported one after the other.
    let serial = dir.path().join("serial.sqlite");
    for f in &files {
        let out = burnrate(&serial, &["import", f.to_str().unwrap()]);
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let expected = counts(&serial);
    for round in 0..6 {
        let db = dir.path().join(format!("parallel-{round}.sqlite"));
        let children: Vec<_> = files
            .iter()
            .map(|f| {
                Command::new(env!("CARGO_BIN_EXE_burnrate"))
                    .arg("--db")
                    .arg(&db)
                    .args(["import", f.to_str().unwrap()])
                    .env_remove("BURNRATE_DB")
                    .stdout(std::process::Stdio::null())
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for child in children {
            let out = child.wait_with_output().unwrap();
            assert!(out.status.success(), "round {round}: {}", stderr(&out));
        }
        assert_eq!(counts(&db), expected, "round {round}: every import landed");
    }
}

#[test]
fn an_import_waits_for_another_writer_longer_than_the_old_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ledger.sqlite");
    drop(Store::open(&db).unwrap());
    // Another writer (a large import) holds the write lock for 6.5 seconds.
    let holder = rusqlite::Connection::open(&db).unwrap();
    holder
        .execute_batch("BEGIN IMMEDIATE; INSERT INTO settings(key, value) VALUES ('held', '1');")
        .unwrap();
    let release = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(6500));
        holder.execute_batch("COMMIT").unwrap();
    });
    let started = Instant::now();
    let file = fixture("ledger/openai_cost_oct01_10.csv");
    let out = burnrate(&db, &["import", "--json", file.to_str().unwrap()]);
    let waited = started.elapsed();
    release.join().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        waited >= Duration::from_secs(6),
        "it waited for the writer ({waited:?})"
    );
    let err = stderr(&out);
    assert_eq!(
        err.matches("another burnrate is writing to this ledger; waiting")
            .count(),
        1,
        "said once: {err}"
    );
    assert_eq!(counts(&db).0, 18);
}

fn sha(path: &Path) -> Vec<u8> {
    use sha2::Digest as _;
    sha2::Sha256::digest(std::fs::read(path).unwrap()).to_vec()
}

fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn another_programs_database_is_refused_without_writing_a_byte() {
    let dir = tempfile::tempdir().unwrap();
    let history = dir.path().join("places.sqlite");
    let conn = rusqlite::Connection::open(&history).unwrap();
    conn.execute_batch(
        "CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url TEXT); INSERT INTO moz_places(url) VALUES ('https://example.org');
         PRAGMA user_version = 74;",
    )
    .unwrap();
    drop(conn);
    let wal = dir.path().join("notes.db");
    let conn = rusqlite::Connection::open(&wal).unwrap();
    conn.execute_batch(
        "PRAGMA journal_mode=WAL; CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('x');",
    )
    .unwrap();
    drop(conn);
    let stamped = dir.path().join("other-app.db");
    let conn = rusqlite::Connection::open(&stamped).unwrap();
    conn.execute_batch("PRAGMA application_id = 1234; CREATE TABLE t (x);")
        .unwrap();
    drop(conn);
    let csv = dir.path().join("statement.csv");
    std::fs::copy(fixture("bank_us/chase-card.csv"), &csv).unwrap();
    let cases = [
        (&history, "another program (its tables: moz_places)"),
        (&wal, "another program (its tables: notes)"),
        (&stamped, "another program (application id 0x4d2)"),
        (&csv, "it is not a SQLite database"),
    ];
    let import = fixture("ledger/openai_cost_oct01_10.csv");
    for (path, reason) in cases {
        let before = (sha(path), listing(dir.path()));
        for args in [vec!["report"], vec!["import", import.to_str().unwrap()]] {
            let out = burnrate(path, &args);
            assert_eq!(out.status.code(), Some(1), "{path:?} {args:?}");
            let err = stderr(&out);
            assert!(
                err.contains(reason) && err.contains("left the file untouched"),
                "{path:?}: {err}"
            );
            assert_eq!(
                (sha(path), listing(dir.path())),
                before,
                "{path:?} is unchanged"
            );
        }
    }
}

#[cfg(unix)]
#[test]
fn the_ledger_its_journal_and_a_pre_created_empty_file_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ledger.sqlite");
    let store = Store::open(&db).unwrap();
    store.set_setting("x", "1").unwrap();
    for suffix in ["", "-wal", "-shm"] {
        let file = PathBuf::from(format!("{}{suffix}", db.display()));
        assert_eq!(mode(&file), 0o600, "{file:?}");
    }
    drop(store);
    let touched = dir.path().join("touched.sqlite");
    std::fs::write(&touched, b"").unwrap();
    std::fs::set_permissions(&touched, std::fs::Permissions::from_mode(0o644)).unwrap();
    drop(Store::open(&touched).unwrap());
    assert_eq!(mode(&touched), 0o600);
}

/// Whether this process can write where permissions say it may not (root can).
fn privileged() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// Runs the binary as an ordinary user (`nobody`) when the tests run as root, so that folder
/// permissions apply to it; as the current user otherwise.
fn burnrate_unprivileged(db: &Path, args: &[&str]) -> Option<Output> {
    let bin = env!("CARGO_BIN_EXE_burnrate");
    let mut command = if privileged() {
        let mut c = Command::new("setpriv");
        c.args([
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            "--",
            bin,
        ]);
        c
    } else {
        Command::new(bin)
    };
    let out = command
        .arg("--db")
        .arg(db)
        .args(args)
        .env_remove("BURNRATE_DB")
        .output()
        .ok()?;
    if privileged() && !out.status.success() && stderr(&out).contains("setpriv") {
        return None;
    }
    Some(out)
}

#[cfg(unix)]
fn read_only_folder(dir: &Path) {
    use std::os::unix::fs::PermissionsExt;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).unwrap();
    }
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o555)).unwrap();
}

#[cfg(unix)]
#[test]
fn a_ledger_in_a_folder_nobody_may_write_is_read_and_never_changed() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("backup-drive");
    std::fs::create_dir(&folder).unwrap();
    let db = folder.join("ledger.sqlite");
    let file = fixture("ledger/openai_cost_oct01_10.csv");
    assert!(
        burnrate(&db, &["import", file.to_str().unwrap()])
            .status
            .success()
    );
    let expected = burnrate(&db, &["report", "--json"]);
    let old = folder.join("old.sqlite");
    drop(load_fixture(2, &folder));
    std::fs::rename(folder.join("v2.sqlite"), &old).unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    read_only_folder(&folder);
    let before = (sha(&db), listing(&folder));

    let Some(out) = burnrate_unprivileged(&db, &["report", "--json"]) else {
        println!("skipped: cannot run as an ordinary user here");
        return;
    };
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        out.stdout, expected.stdout,
        "the report is the same, read-only"
    );
    let err = stderr(&out);
    assert_eq!(err.matches("read-only").count(), 1, "said once: {err}");
    assert!(err.contains("nothing can be changed"), "{err}");
    for args in [
        vec!["flags", "--json"],
        vec!["balance", "--provider", "openai"],
        vec!["history"],
        vec!["matches"],
    ] {
        let out = burnrate_unprivileged(&db, &args).unwrap();
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    }

    let out = burnrate_unprivileged(&db, &["import", file.to_str().unwrap()]).unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("nothing can be changed"),
        "{}",
        stderr(&out)
    );

    let out = burnrate_unprivileged(&old, &["report"]).unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("older burnrate (schema version 2)"),
        "{}",
        stderr(&out)
    );
    assert_eq!((sha(&db), listing(&folder)), before, "nothing was written");
}

/// The same on a read-only mount (a write-protected backup drive), where even root cannot
/// write: a private mount namespace binds the folder read-only.
#[cfg(target_os = "linux")]
#[test]
fn a_ledger_on_a_read_only_mount_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ledger.sqlite");
    let file = fixture("ledger/openai_cost_oct01_10.csv");
    assert!(
        burnrate(&db, &["import", file.to_str().unwrap()])
            .status
            .success()
    );
    let expected = burnrate(&db, &["report", "--json"]);
    let before = (sha(&db), listing(dir.path()));
    let folder = dir.path().display().to_string();
    let script = format!(
        "mount --bind -o ro '{folder}' '{folder}' && mount -o remount,bind,ro '{folder}' 2>/dev/null; \
         touch '{folder}/probe' 2>/dev/null && exit 99; \
         exec '{}' --db '{}' report --json",
        env!("CARGO_BIN_EXE_burnrate"),
        db.display()
    );
    let Ok(out) = Command::new("unshare")
        .args(["-rm", "sh", "-c", &script])
        .output()
    else {
        println!("skipped: unshare is not available");
        return;
    };
    if out.status.code() == Some(99)
        || stderr(&out).contains("unshare:")
        || stderr(&out).contains("mount:")
    {
        println!("skipped: no read-only mount here: {}", stderr(&out));
        return;
    }
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(out.stdout, expected.stdout);
    assert!(stderr(&out).contains("read-only"), "{}", stderr(&out));
    assert_eq!((sha(&db), listing(dir.path())), before);
}

#[cfg(unix)]
#[test]
fn exports_are_private_even_over_a_readable_empty_file() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ledger.sqlite");
    let review = fixture("review");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&review)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| !p.ends_with("chase-card-eur-plan.csv"))
        .collect();
    files.sort();
    let mut args = vec!["import".to_string()];
    args.extend(files.iter().map(|p| p.display().to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    assert!(burnrate(&db, &args).status.success());
    let html = dir.path().join("review.html");
    std::fs::write(&html, b"").unwrap();
    std::fs::set_permissions(&html, std::fs::Permissions::from_mode(0o644)).unwrap();
    let out = burnrate(
        &db,
        &[
            "--as-of",
            "2026-04-10",
            "report",
            "--month",
            "2026-03",
            "--html",
            html.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(mode(&html), 0o600);
    assert!(
        std::fs::read_to_string(&html)
            .unwrap()
            .starts_with("<!DOCTYPE html>")
    );

    let flags = burnrate(&db, &["--as-of", "2026-04-10", "flags", "--all", "--json"]);
    let flags: serde_json::Value = serde_json::from_slice(&flags.stdout).unwrap();
    let id = flags[0]["id"]
        .as_str()
        .expect("the review ledger raises a flag")
        .to_string();
    let packet = dir.path().join("packet.html");
    let out = burnrate(
        &db,
        &[
            "--as-of",
            "2026-04-10",
            "flags",
            "export",
            &id,
            "--html",
            packet.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(mode(&packet), 0o600);
}

const PASTED_KEYS: [&str; 3] = [
    "sk-proj-Tq3vW8xYz1Ab4Cd7Ef0Gh3Ij6Kl9Mn2Op5Qr8St1Uv4Wx7Yz0A9b2",
    "sk-ant-api03-R4nd0mK3yM4t3r14lXyZ12345abcdefGHIJ-QQ9z",
    "sk-4f8a9b2c1d3e5f7a9b1c3d5e7f9a1b3c5d7e9f1a",
];

/// Every byte of the ledger and its journal, as text: a key in clear anywhere shows here.
fn ledger_bytes(db: &Path) -> String {
    let mut all = Vec::new();
    for suffix in ["", "-wal"] {
        all.extend(std::fs::read(format!("{}{suffix}", db.display())).unwrap_or_default());
    }
    String::from_utf8_lossy(&all).into_owned()
}

#[test]
fn api_keys_pasted_into_names_are_masked_before_they_are_stored_and_said() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ledger.sqlite");
    let file = fixture("secrets/openai-cost-pasted-keys.csv");
    let out = burnrate(&db, &["import", file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        text.contains("3 secret key(s) found in names or descriptions were masked"),
        "{text}"
    );
    let json = burnrate(&db, &["import", "--json", file.to_str().unwrap()]);
    let json: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(json[0]["masked_secrets"], 3);
    assert_eq!(
        json[0]["inserted"], 0,
        "re-import finds the masked records again"
    );

    let mut shown = String::new();
    for args in [
        vec!["report", "--by", "project", "--json"],
        vec!["report", "--by", "project", "--csv"],
        vec!["report", "--month", "2026-10", "--review", "--json"],
    ] {
        let out = burnrate(&db, &args);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        shown.push_str(&String::from_utf8_lossy(&out.stdout));
    }
    let html = dir.path().join("review.html");
    assert!(
        burnrate(
            &db,
            &[
                "report",
                "--month",
                "2026-10",
                "--html",
                html.to_str().unwrap()
            ]
        )
        .status
        .success()
    );
    shown.push_str(&std::fs::read_to_string(&html).unwrap());
    for key in PASTED_KEYS {
        assert!(!shown.contains(key), "{key} shown");
        assert!(!ledger_bytes(&db).contains(&key[8..]), "{key} stored");
    }
    assert!(shown.contains("sk-proj-...A9b2"), "{shown}");
    assert!(shown.contains("old key sk-...9f1a in name"), "{shown}");
}

#[test]
fn keys_a_released_ledger_stored_in_clear_are_masked_when_it_is_opened() {
    let dir = tempfile::tempdir().unwrap();
    let path = load_fixture(3, dir.path());
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute(
        "UPDATE usage SET project_name = ?1 WHERE id = 1",
        [PASTED_KEYS[0]],
    )
    .unwrap();
    conn.execute(
        "UPDATE bank_lines SET note = ?1 WHERE id = 2",
        [format!("paid with {}", PASTED_KEYS[1])],
    )
    .unwrap();
    drop(conn);
    drop(Store::open(&path).unwrap());
    let conn = rusqlite::Connection::open(&path).unwrap();
    let project: String = conn
        .query_row("SELECT project_name FROM usage WHERE id = 1", [], |r| {
            r.get(0)
        })
        .unwrap();
    let note: String = conn
        .query_row("SELECT note FROM bank_lines WHERE id = 2", [], |r| r.get(0))
        .unwrap();
    assert_eq!(
        (project.as_str(), note.as_str()),
        ("sk-proj-...A9b2", "paid with sk-ant-api03-...QQ9z")
    );
}

#[test]
fn a_key_in_a_receipt_is_masked_before_it_is_stored_and_said() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ledger.sqlite");
    let key = "ghp_1a2B3c4D5e6F7g8H9i0J1k2L3m4N5o6P7q8R";
    let file = fixture("secrets/github-receipt-key-in-item.eml");
    let out = burnrate(&db, &["import", file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        text.contains(
            "2 secret key(s) found in receipts' names, items or descriptions were masked"
        ),
        "the record's description and its item: {text}"
    );
    let json = crate::common::json_of(&burnrate(
        &db,
        &["import", "--json", file.to_str().unwrap()],
    ));
    assert_eq!(json[0]["masked_secrets"], 2);
    assert_eq!(
        (&json[0]["inserted"], &json[0]["duplicates"]),
        (&0.into(), &1.into()),
        "re-import finds the masked receipt again"
    );
    assert!(!ledger_bytes(&db).contains(&key[4..]), "the key was stored");
    let conn = rusqlite::Connection::open(&db).unwrap();
    let (description, item): (String, String) = conn
        .query_row(
            "SELECT b.description, i.description FROM billing b JOIN billing_items i ON i.billing_id = b.id",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert!(description.contains("(team ghp_...7q8R)"), "{description}");
    assert!(item.contains("(team ghp_...7q8R)"), "{item}");
}

#[test]
fn a_key_in_an_agents_working_folder_is_masked_before_it_is_stored_and_said() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ledger.sqlite");
    let key = PASTED_KEYS[0];
    let log = std::fs::read_to_string(fixture(
        "agents/claude/projects/-home-dev-src-shop/8b7e61d4-3f09-4c2a-b6d1-2a4e9c0f5d22.jsonl",
    ))
    .unwrap()
    .replace("/home/dev/src/shop", &format!("/home/dev/src/{key}"));
    let first = dir.path().join("laptop.jsonl");
    std::fs::write(&first, &log).unwrap();
    let out = burnrate(&db, &["import", first.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        text.contains(
            "2 secret key(s) found in working folders, repositories or model names were masked"
        ),
        "{text}"
    );
    // The same session copied to another machine's folder: found again, not added.
    let copy = dir.path().join("desktop.jsonl");
    std::fs::write(&copy, &log).unwrap();
    let json = crate::common::json_of(&burnrate(
        &db,
        &["import", "--json", copy.to_str().unwrap()],
    ));
    assert_eq!(json[0]["masked_secrets"], 2);
    assert_eq!(
        (&json[0]["inserted"], &json[0]["duplicates"]),
        (&0.into(), &2.into())
    );
    let report = burnrate(
        &db,
        &["report", "--what", "value", "--by", "project", "--json"],
    );
    let shown = String::from_utf8_lossy(&report.stdout).into_owned();
    assert!(shown.contains("\"group\": \"sk-proj-...A9b2\""), "{shown}");
    assert!(!shown.contains(key) && !ledger_bytes(&db).contains(&key[8..]));
}

#[test]
fn keys_in_receipts_and_agent_requests_of_an_older_search_are_masked_when_opened() {
    let dir = tempfile::tempdir().unwrap();
    let path = load_fixture(u32::try_from(SCHEMA_VERSION).unwrap(), dir.path());
    let conn = rusqlite::Connection::open(&path).unwrap();
    let folder = format!("/home/u/{}", PASTED_KEYS[0]);
    conn.execute_batch(&format!(
        "UPDATE billing SET tax_label = 'VAT for {k1}' WHERE id = 1;
         UPDATE billing_items SET description = 'credits for {k1}';
         UPDATE billing_sources SET attachment = '{k2}.pdf';
         UPDATE agent_usage SET cwd = '{folder}', project_auto = '{k0}', project = '{k0}';
         UPDATE settings SET value = '1' WHERE key = 'secrets_masked';",
        k0 = PASTED_KEYS[0],
        k1 = PASTED_KEYS[1],
        k2 = PASTED_KEYS[2],
    ))
    .unwrap();
    drop(conn);
    drop(Store::open(&path).unwrap());
    let conn = rusqlite::Connection::open(&path).unwrap();
    let stored: Vec<String> = [
        "SELECT tax_label FROM billing WHERE id = 1",
        "SELECT description FROM billing_items",
        "SELECT attachment FROM billing_sources",
        "SELECT cwd || ' ' || project_auto || ' ' || project FROM agent_usage",
    ]
    .iter()
    .map(|sql| conn.query_row(sql, [], |r| r.get(0)).unwrap())
    .collect();
    assert_eq!(
        stored,
        [
            "VAT for sk-ant-api03-...QQ9z",
            "credits for sk-ant-api03-...QQ9z",
            "sk-...9f1a.pdf",
            "/home/u/sk-proj-...A9b2 sk-proj-...A9b2 sk-proj-...A9b2",
        ]
    );
    drop(conn);
    assert!(!ledger_bytes(&path).contains(&PASTED_KEYS[1][13..]));
}

/// Makes a folder and its files impossible to write, even for root where the file system
/// allows (`chattr +i`), else by their modes; undone on drop. `None` when neither holds here.
struct Unwritable(PathBuf);

impl Unwritable {
    fn make(dir: &Path) -> Option<Self> {
        let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        paths.push(dir.to_path_buf());
        let chattr = Command::new("chattr")
            .arg("+i")
            .args(&paths)
            .status()
            .is_ok_and(|s| s.success());
        if !chattr {
            #[cfg(unix)]
            read_only_folder(dir);
        }
        let guard = Self(dir.to_path_buf());
        let probe = dir.join("probe");
        if std::fs::write(&probe, b"x").is_ok() {
            let _ = std::fs::remove_file(&probe);
            return None;
        }
        Some(guard)
    }
}

impl Drop for Unwritable {
    fn drop(&mut self) {
        let paths: Vec<PathBuf> = std::fs::read_dir(&self.0)
            .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
            .unwrap_or_default();
        let _ = Command::new("chattr")
            .arg("-i")
            .arg(&self.0)
            .args(&paths)
            .status();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(&self.0, std::fs::Permissions::from_mode(0o755));
        }
    }
}

#[test]
fn the_window_shows_a_read_only_ledger_and_says_so_once() {
    use burnrate::app::{Config, Prefs};
    use egui_kittest::kittest::Queryable;

    use crate::common::window;

    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("backup-drive");
    std::fs::create_dir(&folder).unwrap();
    let db = folder.join("ledger.sqlite");
    let file = fixture("ledger/openai_cost_oct01_10.csv");
    assert!(
        burnrate(&db, &["import", file.to_str().unwrap()])
            .status
            .success()
    );
    let Some(_unwritable) = Unwritable::make(&folder) else {
        println!("skipped: this process can write anywhere here");
        return;
    };
    let before = (sha(&db), listing(&folder));
    let config = Config {
        db: db.clone(),
        ..window::config(dir.path())
    };
    let mut harness = window::harness(config, Prefs::default());
    window::settle(&mut harness);
    let banners = harness
        .query_all_by_label_contains("nothing can be changed")
        .count();
    assert_eq!(
        banners, 1,
        "the window says once that the ledger is read-only"
    );
    assert!(
        harness.query_by_label_contains("Import files").is_some(),
        "the window is drawn"
    );
    assert_eq!((sha(&db), listing(&folder)), before, "nothing was written");
}

#[test]
fn keys_in_a_merged_ledger_are_masked_as_it_arrives() {
    let dir = tempfile::tempdir().unwrap();
    let theirs = load_fixture(3, dir.path());
    rusqlite::Connection::open(&theirs)
        .unwrap()
        .execute(
            "UPDATE usage SET project_name = ?1 WHERE id = 1",
            [PASTED_KEYS[0]],
        )
        .unwrap();
    let db = dir.path().join("ledger.sqlite");
    let out = burnrate(&db, &["import", theirs.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        !ledger_bytes(&db).contains(&PASTED_KEYS[0][8..]),
        "the key was stored in clear"
    );
    let out = burnrate(&db, &["report", "--by", "project", "--json"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("sk-proj-...A9b2"));
}
