//! Opening a ledger file safely: whose file it is, who else is writing, what SQLite promises.
//!
//! The order matters and each step exists because a user lost something without it:
//! 1. The file is created private (0600) when absent, and a 0-byte file the user made
//!    beforehand is made private too. SQLite gives the `-wal` and `-shm` files the same mode.
//! 2. The file is identified with a *read-only* connection before anything is written: a
//!    ledger carries [`APPLICATION_ID`] in its header; a ledger of a released version written
//!    before that mark existed is recognised by its tables and stamped; an empty file is a new
//!    ledger; any other file (another program's SQLite database, a CSV given as `--db`) is
//!    refused without writing a byte, and so is a ledger of a newer burnrate.
//! 3. The read-write connection waits for another writer for as long as it writes (an import
//!    queued behind a large import finishes instead of failing after a timeout), and every
//!    transaction starts `IMMEDIATE`, so two writers queue rather than deadlock.
//! 4. The schema is brought up to date in one `EXCLUSIVE` transaction that reads the version
//!    again inside it: two processes creating or upgrading one ledger at once apply each step
//!    exactly once. A ledger about to be upgraded is first copied beside itself (0600).
//! 5. A ledger that exists but cannot be written (a backup drive, a shared folder) is opened
//!    read-only: reading works, and every write fails with [`StoreError::ReadOnly`].
//!
//! Crash safety: WAL journal with `synchronous=FULL` (see [`apply_pragmas`]).

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use rusqlite::{Connection, ErrorCode, OpenFlags, TransactionBehavior};

use super::{MIGRATIONS, SCHEMA_VERSION, StoreError};

/// burnrate's mark in the SQLite header (`PRAGMA application_id`): the bytes "BRNR".
pub const APPLICATION_ID: i32 = 0x4252_4E52;

/// The tables every released ledger has, from schema version 1 on: how a ledger written before
/// the application id existed is recognised.
const LEDGER_TABLES: [&str; 8] = [
    "source_files",
    "usage",
    "billing",
    "bank_lines",
    "fx_rates",
    "merchant_rules",
    "bank_mappings",
    "settings",
];

/// The first bytes of every SQLite 3 database file.
const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// Something a front end should tell the user once about the ledger it opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    /// The ledger cannot be written: it is shown as it is, and nothing can be changed.
    ReadOnly { path: PathBuf },
    /// Another burnrate is writing to the ledger; this one waits for it.
    WaitingForWriter { path: PathBuf },
    /// The ledger was upgraded; a copy of it as it was is kept at `backup`.
    Upgraded { from: i64, to: i64, backup: PathBuf },
}

impl std::fmt::Display for Notice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Notice::ReadOnly { path } => write!(
                f,
                "this ledger is read-only (its file or folder cannot be written): you can read it, but nothing can be changed: {}",
                path.display()
            ),
            Notice::WaitingForWriter { path } => write!(
                f,
                "another burnrate is writing to this ledger; waiting for it to finish: {}",
                path.display()
            ),
            Notice::Upgraded { from, to, backup } => write!(
                f,
                "upgraded the ledger from schema version {from} to {to}; the ledger as it was is kept at {}",
                backup.display()
            ),
        }
    }
}

static NOTICE_HOOK: OnceLock<fn(&Notice)> = OnceLock::new();
static SAID_READ_ONLY: AtomicBool = AtomicBool::new(false);
static SAID_WAITING: AtomicBool = AtomicBool::new(false);

/// Sets how this process tells the user a [`Notice`] (the command line prints it on stderr).
/// The first hook set stays; read-only and waiting notices are passed on once per process.
pub fn set_notice_hook(hook: fn(&Notice)) {
    let _ = NOTICE_HOOK.set(hook);
}

fn notify(notice: &Notice) {
    let once = match notice {
        Notice::ReadOnly { .. } => Some(&SAID_READ_ONLY),
        Notice::WaitingForWriter { .. } => Some(&SAID_WAITING),
        Notice::Upgraded { .. } => None,
    };
    if once.is_some_and(|flag| flag.swap(true, Ordering::Relaxed)) {
        return;
    }
    if let Some(hook) = NOTICE_HOOK.get() {
        hook(notice);
    }
}

/// What the file at a ledger path is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Identity {
    /// Empty (just created, or a database with no tables at all): a new ledger.
    New,
    /// A ledger at this schema version; `stamped` when it carries [`APPLICATION_ID`].
    Ledger { version: i64, stamped: bool },
}

fn path_text(path: &Path) -> String {
    path.display().to_string()
}

/// Creates the file private to its owner when absent; a 0-byte file is made private too.
pub(super) fn create_private(path: &Path) -> Result<(), StoreError> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|source| StoreError::Folder {
            source,
            path: path_text(parent),
        })?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            make_private_if_empty(path);
            Ok(())
        }
        Err(source) => Err(StoreError::Folder {
            source,
            path: path_text(path),
        }),
    }
}

/// A 0-byte file the user created for the ledger (`touch ledger.sqlite`) gets the ledger's
/// mode: it holds nothing yet, so no one else relies on its permissions.
fn make_private_if_empty(path: &Path) {
    #[cfg(unix)]
    if std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.len() == 0) {
        use std::os::unix::fs::PermissionsExt;
        // Best effort: a file we cannot change the mode of is opened read-only or refused below.
        let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600));
    }
    #[cfg(not(unix))]
    let _ = path;
}

/// Reads the SQLite header's first bytes, refusing a file that is not a SQLite database.
/// Returns `false` for an empty file.
fn has_sqlite_header(path: &Path) -> Result<bool, StoreError> {
    use std::io::Read as _;
    let mut file = std::fs::File::open(path).map_err(|source| StoreError::Folder {
        source,
        path: path_text(path),
    })?;
    let mut magic = Vec::with_capacity(SQLITE_MAGIC.len());
    file.by_ref()
        .take(SQLITE_MAGIC.len() as u64)
        .read_to_end(&mut magic)
        .map_err(|source| StoreError::Folder {
            source,
            path: path_text(path),
        })?;
    if magic.is_empty() {
        return Ok(false);
    }
    if magic != SQLITE_MAGIC {
        return Err(StoreError::NotALedger {
            reason: "it is not a SQLite database".into(),
            path: path_text(path),
        });
    }
    Ok(true)
}

/// What the database behind `conn` is, read without writing.
fn identify(conn: &Connection, path: &Path) -> Result<Identity, StoreError> {
    let not_a_database = |e: rusqlite::Error| match e.sqlite_error_code() {
        Some(ErrorCode::NotADatabase) => StoreError::NotALedger {
            reason: "it is not a SQLite database, or it is damaged".into(),
            path: path_text(path),
        },
        _ => StoreError::Open {
            source: e,
            path: path_text(path),
        },
    };
    let app_id: i32 = conn
        .query_row("PRAGMA application_id", [], |r| r.get(0))
        .map_err(not_a_database)?;
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(not_a_database)?;
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
        .map_err(not_a_database)?;
    let stamped = app_id == APPLICATION_ID;
    let foreign = |reason: String| StoreError::NotALedger {
        reason,
        path: path_text(path),
    };
    if !stamped && app_id != 0 {
        return Err(foreign(format!(
            "it is a SQLite database of another program (application id {app_id:#x})"
        )));
    }
    if !stamped && tables.is_empty() && version == 0 {
        return Ok(Identity::New);
    }
    if !stamped && !LEDGER_TABLES.iter().all(|t| tables.iter().any(|n| n == t)) {
        let shown: Vec<&str> = tables.iter().take(6).map(String::as_str).collect();
        let more = if tables.len() > shown.len() {
            ", ..."
        } else {
            ""
        };
        return Err(foreign(format!(
            "it is a SQLite database of another program (its tables: {}{more})",
            shown.join(", ")
        )));
    }
    if version > SCHEMA_VERSION {
        return Err(StoreError::TooNew {
            found: version,
            supported: SCHEMA_VERSION,
            path: path_text(path),
        });
    }
    Ok(Identity::Ledger { version, stamped })
}

/// Whether an error means the ledger (or the folder its journal lives in) cannot be written.
fn is_unwritable(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(ErrorCode::ReadOnly | ErrorCode::CannotOpen | ErrorCode::PermissionDenied)
    )
}

/// A `file:` URI for `path` with the given query, every byte that is not plainly safe
/// percent-encoded (a path with `?`, `#` or `%` in it must not change the URI's meaning).
fn file_uri(path: &Path, query: &str) -> String {
    use std::fmt::Write as _;
    let mut uri = String::from("file:");
    for b in path.as_os_str().as_encoded_bytes() {
        if b.is_ascii_alphanumeric() || b"/-_.~".contains(b) {
            uri.push(char::from(*b));
        } else {
            let _ = write!(uri, "%{b:02X}");
        }
    }
    uri.push('?');
    uri.push_str(query);
    uri
}

/// The busy handler: wait for the other writer as long as it writes, saying so once.
///
/// SQLite releases every lock when a process ends, so a lock never outlives its writer: the
/// wait ends when the other import commits, rolls back or dies.
fn install_wait(conn: &mut Connection, path: &Path) -> Result<(), rusqlite::Error> {
    let path = path.to_path_buf();
    let mut since: Option<Instant> = None;
    conn.busy_handler(Some(move |attempt: i32| {
        let started = *since.get_or_insert_with(Instant::now);
        if attempt == 0 {
            since = Some(Instant::now());
        } else if started.elapsed() > Duration::from_secs(1) {
            notify(&Notice::WaitingForWriter { path: path.clone() });
        }
        let step_ms = 2u64.saturating_pow(u32::try_from(attempt).unwrap_or(0).min(7));
        std::thread::sleep(Duration::from_millis(step_ms.min(100)));
        true
    }))
}

/// A second, read-only connection to the ledger at `path`, for one large read split between
/// two threads. It keeps SQLite's small default page cache: it reads the daily sums once,
/// start to end, and a cache would only cost memory.
pub(super) fn sibling(path: &Path) -> Result<Connection, rusqlite::Error> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
        | OpenFlags::SQLITE_OPEN_URI
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let mut conn = Connection::open_with_flags(file_uri(path, "mode=ro"), flags)?;
    install_wait(&mut conn, path)?;
    conn.pragma_update(None, "query_only", "ON")?;
    Ok(conn)
}

/// Opens a read-only connection: normally (`mode=ro`, it sees other writers' commits), or
/// when even that needs a file it cannot create (a WAL ledger in a read-only folder, closed
/// cleanly so it has no `-shm`), as immutable: nothing can change it while we read.
fn open_read_only(path: &Path) -> Result<Connection, StoreError> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
        | OpenFlags::SQLITE_OPEN_URI
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let open_err = |source| StoreError::Open {
        source,
        path: path_text(path),
    };
    let mut conn =
        Connection::open_with_flags(file_uri(path, "mode=ro"), flags).map_err(open_err)?;
    install_wait(&mut conn, path).map_err(open_err)?;
    // "Not a database" and the like pass: identify() names them.
    match conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
        r.get::<_, i64>(0)
    }) {
        Err(e) if is_unwritable(&e) => {
            drop(conn);
            Connection::open_with_flags(file_uri(path, "immutable=1"), flags).map_err(open_err)
        }
        _ => Ok(conn),
    }
}

/// Identifies an existing file without writing anything, not even a `-shm` beside it.
///
/// A database with no write-ahead log beside it is read as immutable (SQLite then creates no
/// side files); if a log appears meanwhile (a writer started) or that read fails, it is read
/// again through a normal read-only connection, which sees other writers' commits. Whatever
/// the first read says, the migration identifies the file again inside its transaction.
fn classify(path: &Path) -> Result<Identity, StoreError> {
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    let wal = PathBuf::from(wal);
    if !wal.exists() {
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
            | OpenFlags::SQLITE_OPEN_URI
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        if let Ok(conn) = Connection::open_with_flags(file_uri(path, "immutable=1"), flags) {
            let verdict = identify(&conn, path);
            drop(conn);
            if !wal.exists() {
                match verdict {
                    Ok(identity) => return Ok(identity),
                    Err(e @ (StoreError::NotALedger { .. } | StoreError::TooNew { .. })) => {
                        return Err(e);
                    }
                    Err(_) => {}
                }
            }
        }
    }
    let reader = open_read_only(path)?;
    identify(&reader, path)
}

/// The page size of a new ledger. A ledger is mostly long tables written in order (a usage
/// record is about 300 bytes) and read by day ranges; 16 KiB pages hold four times the records
/// of SQLite's default 4 KiB, so a million-row import splits, writes to the log and copies back
/// a quarter as many pages, and its system time halves.
const PAGE_SIZE_BYTES: i64 = 16_384;

/// Sets how SQLite keeps the ledger safe; called on every read-write connection.
///
/// - `journal_mode=WAL`: readers (the window, a report) keep answering during an import, and
///   a transaction interrupted at any point (SIGKILL, power cut) leaves the ledger as it was
///   before it: the write-ahead log is only applied once its commit record is complete.
/// - `synchronous=FULL`: the log is flushed to disk at every commit, so an import burnrate
///   reported as done survives a power cut too, not only a crash of the process. burnrate
///   commits once per imported file and once per decision, so the cost is one flush per file.
/// - `foreign_keys=ON`: records cannot point at an import that is gone.
/// - `page_size` [`PAGE_SIZE_BYTES`]: set before anything is written, so it shapes a new ledger
///   only; an existing ledger keeps the page size it was created with (SQLite ignores the
///   pragma once the database has pages, and a WAL database cannot change it).
fn apply_pragmas(conn: &Connection) -> Result<(), rusqlite::Error> {
    conn.pragma_update(None, "page_size", PAGE_SIZE_BYTES)?;
    let _mode: String = conn.query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    // 64 MiB of page cache: a large import touches the key index all over.
    conn.pragma_update(None, "cache_size", -65_536)?;
    Ok(())
}

/// An open ledger connection and how it was opened.
pub(super) struct Opened {
    pub conn: Connection,
    pub read_only: bool,
}

/// Opens (creating when absent) the ledger at `path`; see the module documentation.
pub(super) fn open(path: &Path) -> Result<Opened, StoreError> {
    create_private(path)?;
    let existed = has_sqlite_header(path)?;
    let identity = if existed {
        classify(path)?
    } else {
        Identity::New
    };
    match open_read_write(path) {
        Ok(mut conn) => {
            conn.set_transaction_behavior(TransactionBehavior::Immediate);
            if let Identity::Ledger { version, .. } = identity
                && version < SCHEMA_VERSION
            {
                let backup = backup_before_upgrade(&conn, path, version)?;
                migrate(&mut conn, path)?;
                notify(&Notice::Upgraded {
                    from: version,
                    to: SCHEMA_VERSION,
                    backup,
                });
            } else {
                migrate(&mut conn, path)?;
            }
            Ok(Opened {
                conn,
                read_only: false,
            })
        }
        Err(e) if existed && is_unwritable(&e) => open_existing_read_only(path, identity),
        Err(source) => Err(StoreError::Open {
            source,
            path: path_text(path),
        }),
    }
}

/// The read-write connection with its pragmas. SQLite opens a file it cannot write read-only
/// by itself; that is reported as a read-only error here.
fn open_read_write(path: &Path) -> Result<Connection, rusqlite::Error> {
    let mut conn = Connection::open(path)?;
    if conn.is_readonly(rusqlite::MAIN_DB).unwrap_or(false) {
        return Err(rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_READONLY),
            None,
        ));
    }
    install_wait(&mut conn, path)?;
    // Two processes switching a new ledger to WAL at once can each hold the read lock the
    // other needs to give up; SQLite then answers "busy" without waiting. Try again.
    let mut attempt = 0u32;
    loop {
        match apply_pragmas(&conn) {
            Err(e) if e.sqlite_error_code() == Some(ErrorCode::DatabaseBusy) && attempt < 3000 => {
                attempt += 1;
                std::thread::sleep(Duration::from_millis(10));
            }
            other => return other.map(|()| conn),
        }
    }
}

fn open_existing_read_only(path: &Path, identity: Identity) -> Result<Opened, StoreError> {
    let conn = open_read_only(path)?;
    match identity {
        Identity::Ledger { version, .. } if version == SCHEMA_VERSION => {}
        Identity::Ledger { version, .. } => {
            return Err(StoreError::ReadOnlyTooOld {
                found: version,
                path: path_text(path),
            });
        }
        Identity::New => {
            return Err(StoreError::ReadOnly);
        }
    }
    conn.pragma_update(None, "query_only", "ON")
        .map_err(|source| StoreError::Open {
            source,
            path: path_text(path),
        })?;
    notify(&Notice::ReadOnly {
        path: path.to_path_buf(),
    });
    Ok(Opened {
        conn,
        read_only: true,
    })
}

/// Copies the ledger beside itself before an upgrade (`ledger-v3-backup.sqlite`, 0600).
///
/// `VACUUM INTO` writes a consistent copy, including what is still in the write-ahead log.
fn backup_before_upgrade(
    conn: &Connection,
    path: &Path,
    version: i64,
) -> Result<PathBuf, StoreError> {
    let stem = path.file_stem().map_or_else(
        || "ledger".to_string(),
        |s| s.to_string_lossy().into_owned(),
    );
    let folder = path.parent().unwrap_or_else(|| Path::new("."));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    for n in 1..1000 {
        let suffix = if n == 1 {
            String::new()
        } else {
            format!("-{n}")
        };
        let backup = folder.join(format!("{stem}-v{version}-backup{suffix}.sqlite"));
        match options.open(&backup) {
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(source) => {
                return Err(StoreError::Backup {
                    reason: source.to_string(),
                    path: path_text(&backup),
                });
            }
        }
        let target = backup.to_string_lossy().into_owned();
        return match conn.execute("VACUUM INTO ?1", [&target]) {
            Ok(_) => Ok(backup),
            Err(e) => {
                let _ = std::fs::remove_file(&backup);
                Err(StoreError::Backup {
                    reason: e.to_string(),
                    path: target,
                })
            }
        };
    }
    Err(StoreError::Backup {
        reason: "too many earlier copies".into(),
        path: path_text(folder),
    })
}

/// Brings the schema to [`SCHEMA_VERSION`] and stamps [`APPLICATION_ID`], in one exclusive
/// transaction that identifies the database again inside it: another process may have
/// created or upgraded it since we looked.
pub(super) fn migrate(conn: &mut Connection, path: &Path) -> Result<(), StoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Exclusive)?;
    let (found, stamped) = match identify(&tx, path)? {
        Identity::New => (0, false),
        Identity::Ledger { version, stamped } => (version, stamped),
    };
    let masked = secrets_masked(&tx)?;
    if found == SCHEMA_VERSION && stamped && masked {
        return Ok(());
    }
    let start = usize::try_from(found).unwrap_or(0);
    for sql in MIGRATIONS.iter().skip(start) {
        tx.execute_batch(sql)?;
    }
    tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
    tx.pragma_update(None, "application_id", APPLICATION_ID)?;
    if !masked {
        mask_stored_secrets(&tx)?;
        tx.execute(
            "INSERT INTO settings(key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [SECRETS_MASKED_KEY, SECRETS_MASKED_VERSION],
        )?;
    }
    tx.commit()?;
    Ok(())
}

/// The setting that says a ledger's stored text has been searched for secret keys, and by
/// which version of [`TEXT_COLUMNS`]: a ledger searched by an older list is searched again.
const SECRETS_MASKED_KEY: &str = "secrets_masked";
/// 1: usage, billing and bank text. 2: receipts' and agent requests' text too.
const SECRETS_MASKED_VERSION: &str = "2";

/// The free-text columns a pasted key can hide in, per table (as `secrets::text_fields_mut`
/// and `secrets::mask_agent_request`). Tables a ledger does not have yet are skipped.
const TEXT_COLUMNS: [(&str, &[&str]); 6] = [
    (
        "usage",
        &[
            "organization_id",
            "organization_name",
            "project_id",
            "project_name",
            "model",
            "line_item",
            "api_key_id",
            "api_key_name",
            "user_ref",
            "dimensions",
        ],
    ),
    (
        "billing",
        &[
            "number",
            "description",
            "organization",
            "project",
            "tax_label",
        ],
    ),
    ("billing_items", &["description"]),
    ("billing_sources", &["attachment"]),
    (
        "bank_lines",
        &["account", "description", "issuer_id", "related_id", "note"],
    ),
    ("agent_usage", &["model", "cwd", "project_auto", "project"]),
];

/// Whether the ledger's stored text was searched for keys by this version of burnrate.
fn secrets_masked(tx: &rusqlite::Transaction<'_>) -> Result<bool, StoreError> {
    let has_settings: bool = tx.query_row(
        "SELECT EXISTS(SELECT 1 FROM sqlite_master WHERE name = 'settings')",
        [],
        |r| r.get(0),
    )?;
    if !has_settings {
        return Ok(false);
    }
    Ok(tx.query_row(
        "SELECT EXISTS(SELECT 1 FROM settings WHERE key = ?1 AND value = ?2)",
        [SECRETS_MASKED_KEY, SECRETS_MASKED_VERSION],
        |r| r.get(0),
    )?)
}

/// Masks the secret keys a ledger stored before burnrate masked them at import (once per
/// ledger and version of [`TEXT_COLUMNS`], inside the migration's transaction; and after a
/// merge brought another ledger's records). The records keep their keys, so re-importing the
/// same export finds them again. Each distinct text is masked once, however many rows hold it
/// (an agent's working folder is on thousands of requests).
pub(super) fn mask_stored_secrets(tx: &rusqlite::Transaction<'_>) -> Result<(), StoreError> {
    for (table, columns) in TEXT_COLUMNS {
        let present: bool = tx.query_row(
            "SELECT EXISTS(SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1)",
            [table],
            |r| r.get(0),
        )?;
        if !present {
            continue;
        }
        for column in columns {
            let mut changes: Vec<(String, String)> = Vec::new();
            {
                let mut stmt = tx.prepare(&format!(
                    "SELECT DISTINCT {column} FROM {table} WHERE {column} IS NOT NULL"
                ))?;
                let mut rows = stmt.query([])?;
                while let Some(row) = rows.next()? {
                    let text: String = row.get(0)?;
                    if let Some((masked, _)) = crate::domain::secrets::mask(&text) {
                        changes.push((text, masked));
                    }
                }
            }
            // A masked name is another group of the daily usage sums: the records holding
            // either text leave their sums and come back under the masked one.
            let sums = table == "usage";
            for (text, masked) in changes {
                if sums {
                    let both = format!("{column} IN (?1, ?2)");
                    super::rollup::add_records(tx, &both, &[&text, &masked], -1)?;
                }
                tx.execute(
                    &format!("UPDATE OR IGNORE {table} SET {column} = ?2 WHERE {column} = ?1"),
                    rusqlite::params![text, masked],
                )?;
                if sums {
                    super::rollup::add_records(tx, &format!("{column} = ?1"), &[&masked], 1)?;
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_keep_odd_paths_intact() {
        assert_eq!(
            file_uri(Path::new("/tmp/a b?c#d%e.sqlite"), "mode=ro"),
            "file:/tmp/a%20b%3Fc%23d%25e.sqlite?mode=ro"
        );
    }
}
