//! Coding-agent usage in the ledger: importing Claude Code and Codex logs, the user's prices,
//! plans and project rules, re-pricing, and the value and subscription reports.
//!
//! An import reads one log file. Requests are de-duplicated globally by their key
//! ([`crate::domain::agents::AgentRequest::key`], hashed): a copy already in the ledger is
//! replaced only when [`replaces`] says so (a main-session copy over a sidechain one, more tokens
//! over fewer), and a Claude sidechain copy with the same message id but a new request id counts
//! as the same response. Each file's read position is kept in `agent_log_files`: a file whose
//! size and modification time did not change, and whose last read bytes still hash the same, is
//! skipped without parsing; a file that grew is read from where the last import stopped (with
//! the Codex reader's saved state); any other change reads the file again from its start, which
//! the keys make harmless. A last line without its newline is left for the next import unless it
//! is complete JSON (the tool may still be writing it).
//!
//! Every request is priced at import with the price in effect on its UTC day and keeps its value
//! and price version; only [`Store::reprice`] recomputes stored values.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read};

use chrono::NaiveDate;
use rusqlite::{OptionalExtension, Transaction, params};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::import::{ImportMode, ImportProblem, ImportReport, Progress};
use super::query::Period;
use super::sql;
use super::{Store, StoreError};
use crate::domain::agents::claude;
use crate::domain::agents::codex::CodexReader;
use crate::domain::agents::prices::{
    PriceBook, PriceEntry, PriceSource, Rates, derived_rates, provider_guess,
};
use crate::domain::agents::worth::{self, PaidLine, Worth};
use crate::domain::agents::{
    AgentLine, AgentRequest, AgentRow, Candidate, LimitSample, ProjectRule, SessionCost, Skip,
    Tool, apply_project_rules, project_from_cwd, replaces,
};
use crate::domain::fx::RateBook;
use crate::domain::money::{Amount, Currency};
use crate::domain::secrets;

pub use crate::domain::agents::worth::PlanKind;

/// How many bytes before the read position are hashed to recognise a file already read.
const TAIL_BYTES: u64 = 4096;
/// The settings key of the start-up agent log folders (JSON [`crate::domain::agents::AgentFolders`]).
const AGENT_FOLDERS_KEY: &str = "agent_log_folders";
/// Lines read before giving up on recognising a file as a Claude Code or Codex log.
const DETECT_LINES: usize = 64;

/// One log file to import, as the caller found it on disk.
pub struct AgentLogFile<'a> {
    /// The path, as stored to recognise the file next time (absolute is best).
    pub path: &'a str,
    /// The name shown to the user.
    pub name: &'a str,
    pub size: u64,
    /// Modification time, nanoseconds since the Unix epoch.
    pub modified_ns: i64,
    /// Opens the file positioned at a byte offset.
    pub open_at: &'a dyn Fn(u64) -> std::io::Result<Box<dyn Read + Send>>,
    /// `--as claude-code|codex`: skip recognising the file.
    pub tool: Option<Tool>,
}

/// What the import needs to know beyond the file.
pub struct AgentContext<'a> {
    /// The machine the logs come from (`--machine`, else the host name).
    pub machine: &'a str,
    pub imported_at: &'a str,
    /// The root folder of the git repository a working folder is in, if any.
    pub repository_root: &'a dyn Fn(&str) -> Option<String>,
}

/// The plan the user set for a tool and provider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlanSetting {
    pub tool: String,
    pub provider: String,
    pub kind: PlanKind,
}

/// One line of `report --what value`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ValueRow {
    pub period: String,
    pub group: String,
    /// API-equivalent value in USD, rounded to cents; `null` when no request of the group has a
    /// price.
    #[serde(serialize_with = "optional_cents")]
    pub amount: Option<Amount>,
    pub currency: Currency,
    pub unpriced_requests: i64,
}

/// One line of `report --what subscriptions`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SubscriptionRow {
    pub tool: String,
    pub provider: String,
    #[serde(serialize_with = "cents")]
    pub paid: Amount,
    pub currency: Currency,
    /// API-equivalent value in USD.
    #[serde(serialize_with = "cents")]
    pub value: Amount,
    /// `value / paid` with two decimals (`"6.10"`), `null` when nothing was paid or the payment
    /// has no dollar figure.
    pub leverage: Option<String>,
    #[serde(skip)]
    pub unpriced_requests: i64,
}

/// A model whose requests have no price, for `prices`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnpricedModel {
    pub model: String,
    pub requests: i64,
    pub input_tokens: i64,
    pub output_tokens: i64,
    pub cache_read_tokens: i64,
    pub cache_write_tokens: i64,
}

/// What `reprice` changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct RepriceReport {
    pub from: Option<String>,
    pub requests: i64,
    pub changed: i64,
    pub newly_priced: i64,
    pub now_unpriced: i64,
    #[serde(serialize_with = "cents")]
    pub value_before: Amount,
    #[serde(serialize_with = "cents")]
    pub value_after: Amount,
    /// Per model: (model, before, after), only models whose value moved.
    #[serde(skip)]
    pub by_model: Vec<(String, Amount, Amount)>,
}

/// One day of plan limits beside the day's value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LimitDay {
    pub day: String,
    pub tool: String,
    pub plan_type: String,
    /// Highest share of the 5-hour window used that day, in hundredths of a percent.
    pub five_hour_centipercent: Option<i64>,
    /// Highest share of the weekly window used that day.
    pub weekly_centipercent: Option<i64>,
    #[serde(serialize_with = "cents")]
    pub value: Amount,
}

#[expect(
    clippy::trivially_copy_pass_by_ref,
    reason = "serde's serialize_with passes a reference"
)]
fn cents<S: serde::Serializer>(amount: &Amount, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&amount.to_cents_string())
}

#[expect(
    clippy::ref_option,
    reason = "serde's serialize_with passes a reference"
)]
fn optional_cents<S: serde::Serializer>(amount: &Option<Amount>, s: S) -> Result<S::Ok, S::Error> {
    match amount {
        Some(a) => s.serialize_str(&a.to_cents_string()),
        None => s.serialize_none(),
    }
}

fn key_bytes(natural: &str) -> Vec<u8> {
    Sha256::digest(natural.as_bytes())[..16].to_vec()
}

fn hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            use std::fmt::Write as _;
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// The hash of up to [`TAIL_BYTES`] bytes before `end`.
fn tail_hash(file: &AgentLogFile<'_>, end: u64) -> std::io::Result<String> {
    let start = end.saturating_sub(TAIL_BYTES);
    let reader = (file.open_at)(start)?;
    let mut buf = Vec::with_capacity(usize::try_from(end - start).unwrap_or(0));
    reader.take(end - start).read_to_end(&mut buf)?;
    Ok(hex(&Sha256::digest(&buf)))
}

/// Where a file was left last time.
struct FileState {
    size: i64,
    modified_ns: i64,
    consumed: i64,
    lines: i64,
    tail_sha: String,
    state: String,
    tool: String,
}

/// Where to start reading a file, and the reader's saved state.
struct Start {
    offset: u64,
    line: u64,
    tool: Option<Tool>,
    codex: Box<CodexReader>,
}

/// Which of the tool's readers a file uses.
enum Reader {
    Claude,
    Codex(Box<CodexReader>),
}

impl Reader {
    fn tool(&self) -> Tool {
        match self {
            Reader::Claude => Tool::ClaudeCode,
            Reader::Codex(_) => Tool::Codex,
        }
    }

    fn read(
        &mut self,
        bytes: &[u8],
        line: u64,
        out: &mut Vec<AgentLine>,
    ) -> Result<(), crate::domain::agents::LineError> {
        match self {
            Reader::Claude => {
                out.push(claude::parse_line(bytes, line)?);
                Ok(())
            }
            Reader::Codex(reader) => reader.parse_line(bytes, line, out),
        }
    }
}

/// Which tool wrote a line, from a cheap look at its bytes.
fn detect(line: &[u8]) -> Option<Tool> {
    let has = |needle: &[u8]| memchr::memmem::find(line, needle).is_some();
    if has(b"\"payload\"")
        && (has(b"session_meta")
            || has(b"event_msg")
            || has(b"turn_context")
            || has(b"response_item"))
    {
        return Some(Tool::Codex);
    }
    if has(b"\"sessionId\"") || has(b"\"parentUuid\"") || has(b"\"leafUuid\"") {
        return Some(Tool::ClaudeCode);
    }
    None
}

/// Whether a last line without its newline is complete (the writer finished it).
fn is_complete_json(bytes: &[u8]) -> bool {
    serde_json::from_slice::<serde::de::IgnoredAny>(bytes).is_ok()
}

impl Store {
    /// The price table: shipped entries plus the user's.
    ///
    /// # Errors
    /// When the shipped table is damaged, or on a SQLite failure.
    pub fn price_book(&self) -> Result<PriceBook, StoreError> {
        let shipped = PriceBook::shipped().map_err(|e| StoreError::Invalid(e.to_string()))?;
        let mut stmt = self.conn().prepare_cached(
            "SELECT id, provider, model, from_day, input_nanos, output_nanos, cache_write_5m_nanos, cache_write_1h_nanos,
                    cache_read_nanos FROM price_overrides ORDER BY id",
        )?;
        let user = stmt
            .query_map([], |r| {
                let id: i64 = r.get(0)?;
                let model: String = r.get(2)?;
                let from: String = r.get(3)?;
                Ok((
                    id,
                    r.get::<_, String>(1)?,
                    model,
                    from,
                    [r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?, r.get(8)?],
                ))
            })?
            .collect::<Result<Vec<(i64, String, String, String, [i64; 5])>, _>>()?;
        let entries = user
            .into_iter()
            .filter_map(|(id, provider, model, from, rates)| {
                let from = from.parse::<NaiveDate>().ok()?;
                Some(PriceEntry {
                    version: format!("user#{id}/{model}@{from}"),
                    provider,
                    aliases: Vec::new(),
                    from,
                    rates: Rates {
                        input: rates[0],
                        output: rates[1],
                        cache_write_5m: rates[2],
                        cache_write_1h: rates[3],
                        cache_read: rates[4],
                    },
                    long_context: None,
                    fast_multiplier_percent: None,
                    web_search_nanos: None,
                    source: PriceSource::User,
                    reference: "your price (settings price)".into(),
                    model,
                })
            })
            .collect();
        Ok(shipped.with_user_entries(entries))
    }

    /// Adds or replaces the user's price of a model from a day on (rates in nanos per million
    /// tokens; classes left out follow the provider's published multiples). Returns the entry.
    ///
    /// # Errors
    /// When the model is empty, or on a SQLite failure.
    #[expect(
        clippy::too_many_arguments,
        reason = "one argument per price class, as the command takes them"
    )]
    pub fn set_price(
        &mut self,
        model: &str,
        from: NaiveDate,
        input: i64,
        output: i64,
        five_minute_write: Option<i64>,
        one_hour_write: Option<i64>,
        cache_read: Option<i64>,
        now: &str,
    ) -> Result<PriceEntry, StoreError> {
        let book = self.price_book()?;
        let model_name = model.trim();
        if model_name.is_empty() {
            return Err(StoreError::Invalid("a price needs a model name".into()));
        }
        // A price for a model the table knows under another spelling keys on the table's name.
        let (canonical, provider) = match book.model_key(model_name) {
            Some(key) => {
                let provider = book
                    .entries()
                    .iter()
                    .find(|e| e.model == key)
                    .map(|e| e.provider.clone())
                    .unwrap_or_default();
                (key.to_string(), provider)
            }
            None => (
                model_name.to_string(),
                provider_guess(model_name).to_string(),
            ),
        };
        let rates = derived_rates(
            &provider,
            input,
            output,
            five_minute_write,
            one_hour_write,
            cache_read,
        );
        let tx = self.conn.transaction()?;
        tx.execute(
            "DELETE FROM price_overrides WHERE model = ?1 AND from_day = ?2",
            params![canonical, from.to_string()],
        )?;
        tx.execute(
            "INSERT INTO price_overrides(provider, model, from_day, input_nanos, output_nanos, cache_write_5m_nanos,
                 cache_write_1h_nanos, cache_read_nanos, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                provider,
                canonical,
                from.to_string(),
                rates.input,
                rates.output,
                rates.cache_write_5m,
                rates.cache_write_1h,
                rates.cache_read,
                now
            ],
        )?;
        Store::bump_revision(&tx)?;
        tx.commit()?;
        self.price_book()?
            .entries()
            .iter()
            .rfind(|e| e.source == PriceSource::User && e.model == canonical && e.from == from)
            .cloned()
            .ok_or_else(|| StoreError::Invalid("the price was not saved".into()))
    }

    /// The agent log folders the window imports at start-up (`None`: never set).
    ///
    /// # Errors
    /// On a SQLite failure or a damaged setting.
    pub fn agent_folders(&self) -> Result<Option<crate::domain::agents::AgentFolders>, StoreError> {
        self.setting(AGENT_FOLDERS_KEY)?
            .map(|json| {
                serde_json::from_str(&json).map_err(|e| {
                    StoreError::Invalid(format!("the saved agent log folders are damaged: {e}"))
                })
            })
            .transpose()
    }

    /// Saves the agent log folders and whether to import them at start-up.
    ///
    /// # Errors
    /// On a SQLite failure.
    pub fn set_agent_folders(
        &self,
        folders: &crate::domain::agents::AgentFolders,
    ) -> Result<(), StoreError> {
        let json =
            serde_json::to_string(folders).map_err(|e| StoreError::Invalid(e.to_string()))?;
        self.set_setting(AGENT_FOLDERS_KEY, &json)
    }

    /// The plans the user set.
    ///
    /// # Errors
    /// On a SQLite failure.
    pub fn plans(&self) -> Result<Vec<PlanSetting>, StoreError> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT tool, provider, kind FROM agent_plans ORDER BY tool, provider",
        )?;
        let rows = stmt.query_map([], |r| {
            let kind: String = r.get(2)?;
            Ok(PlanSetting {
                tool: r.get(0)?,
                provider: r.get(1)?,
                kind: PlanKind::parse(&kind).unwrap_or(PlanKind::Api),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Says which plan pays for a tool's requests to a provider.
    ///
    /// # Errors
    /// On a SQLite failure.
    pub fn set_plan(&self, tool: Tool, provider: &str, kind: PlanKind) -> Result<(), StoreError> {
        let provider = provider.trim().to_lowercase();
        if provider.is_empty() {
            return Err(StoreError::Invalid(
                "a plan needs a provider (anthropic, openai, ...)".into(),
            ));
        }
        self.conn.execute(
            "INSERT INTO agent_plans(tool, provider, kind) VALUES (?1, ?2, ?3)
             ON CONFLICT(tool, provider) DO UPDATE SET kind = excluded.kind",
            params![tool.as_str(), provider, kind.as_str()],
        )?;
        Store::bump_revision(&self.conn)
    }

    /// The user's project rules, by prefix.
    ///
    /// # Errors
    /// On a SQLite failure.
    pub fn project_rules(&self) -> Result<Vec<ProjectRule>, StoreError> {
        let mut stmt = self
            .conn()
            .prepare_cached("SELECT prefix, project FROM agent_project_rules ORDER BY prefix")?;
        let rows = stmt.query_map([], |r| {
            Ok(ProjectRule {
                prefix: r.get(0)?,
                project: r.get(1)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Adds (or replaces) a project rule, or removes it when `project` is `None`, and names every
    /// stored request again. Returns how many requests changed project.
    ///
    /// # Errors
    /// When the prefix is empty, or on a SQLite failure.
    pub fn set_project_rule(
        &mut self,
        prefix: &str,
        project: Option<&str>,
        now: &str,
    ) -> Result<usize, StoreError> {
        let prefix = prefix.trim();
        let trimmed = prefix.trim_end_matches(['/', '\\']);
        let prefix = if trimmed.is_empty() { prefix } else { trimmed };
        if prefix.is_empty() {
            return Err(StoreError::Invalid(
                "a project rule needs a folder prefix".into(),
            ));
        }
        let tx = self.conn.transaction()?;
        match project.map(str::trim) {
            Some("") => {
                return Err(StoreError::Invalid(
                    "a project rule needs a project name".into(),
                ));
            }
            Some(name) => {
                tx.execute(
                    "INSERT INTO agent_project_rules(prefix, project, created_at) VALUES (?1, ?2, ?3)
                     ON CONFLICT(prefix) DO UPDATE SET project = excluded.project",
                    params![prefix, name, now],
                )?;
            }
            None => {
                tx.execute(
                    "DELETE FROM agent_project_rules WHERE prefix = ?1",
                    [prefix],
                )?;
            }
        }
        let changed = relabel_projects(&tx)?;
        Store::bump_revision(&tx)?;
        tx.commit()?;
        Ok(changed)
    }

    /// Imports one Claude Code or Codex log file (see the module doc), in one transaction.
    ///
    /// # Errors
    /// Only for ledger failures; problems with the file are in the report's `error` and
    /// `rejected`.
    pub fn import_agent_log(
        &mut self,
        file: &AgentLogFile<'_>,
        ctx: &AgentContext<'_>,
        mode: ImportMode,
        progress: &mut dyn FnMut(Progress) -> bool,
    ) -> Result<ImportReport, StoreError> {
        let mut report = ImportReport {
            file: file.name.to_string(),
            path: file.path.to_string(),
            ..ImportReport::default()
        };
        let previous = self.agent_file_state(file.path)?;
        let start = match start_of(file, previous.as_ref()) {
            Ok(Some(s)) => s,
            Ok(None) => {
                report.format = previous.map(|p| p.tool);
                report.unchanged = true;
                return Ok(report);
            }
            Err(e) => {
                report.error = Some(format!("could not read the file ({e})"));
                return Ok(report);
            }
        };
        let mut log = match read_log(file, start, &mut report, progress) {
            Ok(Some(log)) => log,
            Ok(None) => return Ok(report),
            Err(e) => {
                report.error = Some(format!("could not read the file ({e})"));
                return Ok(report);
            }
        };
        let tool = log.reader.tool();
        report.format = Some(tool.as_str().to_string());
        let tail = match tail_hash(file, log.consumed) {
            Ok(t) => t,
            Err(e) => {
                report.error = Some(format!("could not read the file ({e})"));
                return Ok(report);
            }
        };
        let book = self.price_book()?;
        let rules = self.project_rules()?;
        let tx = self.conn.transaction()?;
        tx.execute(
            "INSERT INTO source_files(name, path, sha256, format, imported_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![file.name, file.path, tail, tool.as_str(), ctx.imported_at],
        )?;
        let file_id = tx.last_insert_rowid();
        let mut writer = AgentWriter {
            tx: &tx,
            file_id,
            book: &book,
            rules: &rules,
            ctx,
            repo_cache: HashMap::new(),
        };
        for request in &mut log.pending {
            // The project is named from the folder as it is on disk; what is stored is masked.
            let automatic = writer.project(request);
            report.masked_secrets += secrets::mask_agent_request(request) as u64;
            match writer.write(request, &automatic)? {
                Written::Inserted { priced } => {
                    report.inserted += 1;
                    report.unpriced += u64::from(!priced);
                }
                Written::Updated => report.updated += 1,
                Written::Duplicate => report.duplicates += 1,
            }
        }
        save_extras(&tx, &log)?;
        save_file_state(&tx, file, &log, &tail, ctx.imported_at)?;
        finish_source_file(&tx, file_id, &mut report)?;
        if mode.dry_run || (mode.strict && !report.rejected.is_empty()) {
            report.source_file_id = None;
            if mode.strict && !report.rejected.is_empty() {
                report.refuse_bad_rows();
            }
            return Ok(report);
        }
        Store::bump_revision(&tx)?;
        tx.commit()?;
        report.written = true;
        Ok(report)
    }

    fn agent_file_state(&self, path: &str) -> Result<Option<FileState>, StoreError> {
        Ok(self
            .conn()
            .prepare_cached("SELECT size, modified_ns, consumed, lines, tail_sha, state, tool FROM agent_log_files WHERE path = ?1")?
            .query_row([path], |r| {
                Ok(FileState {
                    size: r.get(0)?,
                    modified_ns: r.get(1)?,
                    consumed: r.get(2)?,
                    lines: r.get(3)?,
                    tail_sha: r.get(4)?,
                    state: r.get(5)?,
                    tool: r.get(6)?,
                })
            })
            .optional()?)
    }

    /// Recomputes the stored value of every request from `from` on (all when `None`) with the
    /// current price table, and says what changed.
    ///
    /// # Errors
    /// On a SQLite failure.
    pub fn reprice(&mut self, from: Option<NaiveDate>) -> Result<RepriceReport, StoreError> {
        let book = self.price_book()?;
        let from_text = from.map_or_else(|| "0000-01-01".to_string(), |d| d.to_string());
        let tx = self.conn.transaction()?;
        let value_since = |tx: &rusqlite::Transaction<'_>| -> Result<i64, StoreError> {
            let sum: Option<i64> = tx
                .query_row(
                    "SELECT SUM(value_nanos) FROM agent_usage WHERE day >= ?1",
                    [&from_text],
                    |r| r.get(0),
                )
                .map_err(sql::overflow)?;
            Ok(sum.unwrap_or(0))
        };
        let value_before = value_since(&tx)?;
        let mut report = RepriceReport {
            from: from.map(|d| d.to_string()),
            ..RepriceReport::default()
        };
        let mut by_model: std::collections::BTreeMap<String, (i64, i64)> =
            std::collections::BTreeMap::new();
        {
            let mut select = tx.prepare(
                "SELECT id, model, day, input_tokens, output_tokens, cache_write_5m_tokens, cache_write_1h_tokens,
                        cache_read_tokens, reasoning_tokens, web_search_requests, fast, value_nanos, price_version
                 FROM agent_usage WHERE day >= ?1 ORDER BY id",
            )?;
            let mut update = tx.prepare(
                "UPDATE agent_usage SET value_nanos = ?2, price_version = ?3 WHERE id = ?1",
            )?;
            let mut rows = select.query([&from_text])?;
            while let Some(r) = rows.next()? {
                report.requests += 1;
                let id: i64 = r.get(0)?;
                let model: String = r.get(1)?;
                let day: String = r.get(2)?;
                let tokens = crate::domain::agents::Tokens {
                    input: r.get(3)?,
                    output: r.get(4)?,
                    cache_write_5m: r.get(5)?,
                    cache_write_1h: r.get(6)?,
                    cache_read: r.get(7)?,
                    reasoning: r.get(8)?,
                };
                let old_value: Option<i64> = r.get(11)?;
                let old_version: Option<String> = r.get(12)?;
                let web: i64 = r.get(9)?;
                let fast: bool = r.get(10)?;
                let priced = sql::parse_day(&day)
                    .ok()
                    .and_then(|d| book.price(&model, d, &tokens, web, fast));
                let (new_value, new_version) = match priced {
                    Some(p) => (Some(p.value.nanos()), Some(p.version)),
                    None => (None, None),
                };
                if new_value == old_value && new_version == old_version {
                    continue;
                }
                update.execute(params![id, new_value, new_version])?;
                report.changed += 1;
                match (old_value, new_value) {
                    (None, Some(_)) => report.newly_priced += 1,
                    (Some(_), None) => report.now_unpriced += 1,
                    _ => {}
                }
                let slot = by_model.entry(model).or_default();
                slot.0 = slot
                    .0
                    .checked_add(old_value.unwrap_or(0))
                    .ok_or(StoreError::Overflow)?;
                slot.1 = slot
                    .1
                    .checked_add(new_value.unwrap_or(0))
                    .ok_or(StoreError::Overflow)?;
            }
        }
        report.value_before = Amount::from_nanos(value_before);
        report.value_after = Amount::from_nanos(value_since(&tx)?);
        report.by_model = by_model
            .into_iter()
            .filter(|(_, (b, a))| b != a)
            .map(|(m, (b, a))| (m, Amount::from_nanos(b), Amount::from_nanos(a)))
            .collect();
        if report.changed > 0 {
            Store::bump_revision(&tx)?;
        }
        tx.commit()?;
        Ok(report)
    }

    /// API-equivalent value of agent requests in a period, grouped.
    ///
    /// # Errors
    /// On a SQLite failure or an overflow.
    pub fn value_report(
        &self,
        group: ValueGroup,
        period: &Period,
    ) -> Result<Vec<ValueRow>, StoreError> {
        let sql = format!(
            "SELECT {label} AS g, SUM(value_nanos), SUM(value_nanos IS NULL)
             FROM agent_usage WHERE day BETWEEN ?1 AND ?2 GROUP BY g ORDER BY g",
            label = sql::or_none(group.column())
        );
        let (from, to) = period.bounds();
        let mut stmt = self.conn().prepare_cached(&sql)?;
        let rows = stmt.query_map(params![from, to], |r| {
            Ok(ValueRow {
                period: period.label.clone(),
                group: r.get(0)?,
                amount: r.get::<_, Option<i64>>(1)?.map(Amount::from_nanos),
                currency: Currency::USD,
                unpriced_requests: r.get(2)?,
            })
        });
        rows.and_then(Iterator::collect).map_err(sql::overflow)
    }

    /// Per tool and provider, the month's paid, value and leverage for the tools a subscription
    /// pays for (the user's plan, else the card showing the provider's subscription that month).
    ///
    /// # Errors
    /// On a SQLite failure.
    pub fn subscriptions(&self, month: &Period) -> Result<Vec<SubscriptionRow>, StoreError> {
        Ok(self
            .worth(month)?
            .into_iter()
            .filter(|(kind, _)| *kind == PlanKind::Subscription)
            .map(|(_, w)| SubscriptionRow {
                tool: w.tool.as_str().to_string(),
                provider: w.provider,
                paid: w.paid,
                currency: w.currency,
                value: w.value,
                leverage: w.leverage_hundredths.map(worth::leverage_text),
                unpriced_requests: w.unpriced_requests,
            })
            .collect())
    }

    /// Every tool and provider with requests (or a plan) in the period, with its plan and worth.
    ///
    /// # Errors
    /// On a SQLite failure.
    pub fn worth(&self, period: &Period) -> Result<Vec<(PlanKind, Worth)>, StoreError> {
        let (from, to) = period.bounds();
        let mut stmt = self.conn().prepare_cached(
            "SELECT tool, provider, SUM(COALESCE(value_nanos, 0)), SUM(value_nanos IS NULL) FROM agent_usage
             WHERE day BETWEEN ?1 AND ?2 GROUP BY tool, provider
             UNION ALL
             SELECT p.tool, p.provider, 0, 0 FROM agent_plans p WHERE p.kind = 'subscription' AND NOT EXISTS (
                 SELECT 1 FROM agent_usage a WHERE a.tool = p.tool AND a.provider = p.provider AND a.day BETWEEN ?1 AND ?2)
             ORDER BY 1, 2",
        )?;
        let groups = stmt
            .query_map(params![from, to], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, i64>(3)?,
                ))
            })?
            .collect::<Result<Vec<_>, _>>()
            .map_err(sql::overflow)?;
        let plans = self.plans()?;
        let rates = self.rates_around(&from)?;
        let mut out = Vec::new();
        for (tool_text, provider, value, unpriced) in groups {
            let Some(tool) = Tool::parse(&tool_text) else {
                continue;
            };
            let lines = self.subscription_lines(&provider, &from, &to)?;
            let kind = plans
                .iter()
                .find(|p| p.tool == tool_text && p.provider == provider)
                .map_or_else(|| PlanKind::default_for(!lines.is_empty()), |p| p.kind);
            let w = worth::worth(
                tool,
                &provider,
                &lines,
                Amount::from_nanos(value),
                unpriced,
                &rates,
            );
            out.push((kind, w));
        }
        Ok(out)
    }

    /// Per provider whose tools ran on API credit in the month: what the provider billed (USD
    /// usage rows) against the logs' API-equivalent value, when they differ by more than 5%.
    ///
    /// # Errors
    /// On a SQLite failure.
    pub fn billing_gaps(&self, month: &Period) -> Result<Vec<worth::BillingGap>, StoreError> {
        let mut by_provider: std::collections::BTreeMap<String, (Vec<String>, Amount)> =
            std::collections::BTreeMap::new();
        for (kind, w) in self.worth(month)? {
            if kind != PlanKind::Api {
                continue;
            }
            let slot = by_provider
                .entry(w.provider.clone())
                .or_insert((Vec::new(), Amount::ZERO));
            slot.0.push(w.tool.as_str().to_string());
            slot.1 = slot.1.checked_add(w.value).ok_or(StoreError::Overflow)?;
        }
        let billed: Vec<crate::store::ReportRow> = self.report(
            super::query::ReportKind::Usage(super::query::UsageGroup::Provider),
            month,
        )?;
        let mut gaps = Vec::new();
        for (provider, (tools, value)) in by_provider {
            let bill = billed
                .iter()
                .filter(|r| r.group == provider && r.currency.eq_ignore_ascii_case("USD"))
                .try_fold(Amount::ZERO, |sum, r| sum.checked_add(r.amount))
                .ok_or(StoreError::Overflow)?;
            if let Some(percent) = worth::billing_gap(bill, value) {
                gaps.push(worth::BillingGap {
                    provider,
                    tools: tools.join(", "),
                    billed: bill,
                    value,
                    percent,
                });
            }
        }
        Ok(gaps)
    }

    fn subscription_lines(
        &self,
        provider: &str,
        from: &str,
        to: &str,
    ) -> Result<Vec<PaidLine>, StoreError> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT day, -amount_nanos, currency, original_nanos, original_currency FROM bank_lines
             WHERE provider = ?1 AND spend_kind = 'subscription' AND status = 'settled' AND day BETWEEN ?2 AND ?3
             ORDER BY day, id",
        )?;
        let rows = stmt.query_map(params![provider, from, to], |r| {
            let day: String = r.get(0)?;
            let original: Option<i64> = r.get(3)?;
            // An empty cell: the statement gave no original amount.
            let original_currency = Currency::parse(&r.get::<_, String>(4)?).ok();
            Ok((
                day,
                r.get::<_, i64>(1)?,
                r.get::<_, Currency>(2)?,
                original,
                original_currency,
            ))
        })?;
        let mut lines = Vec::new();
        for row in rows {
            let (day, amount, currency, original, original_currency) = row?;
            let Ok(day) = day.parse::<NaiveDate>() else {
                continue;
            };
            lines.push(PaidLine {
                day,
                amount: Amount::from_nanos(amount),
                currency,
                original: original
                    .zip(original_currency)
                    .map(|(o, c)| (Amount::from_nanos(o), c)),
            });
        }
        Ok(lines)
    }

    fn rates_around(&self, from: &str) -> Result<RateBook, StoreError> {
        let Ok(month) = from.parse::<NaiveDate>() else {
            return Ok(RateBook::default());
        };
        Ok(RateBook::new(&self.review_rates(month)?))
    }

    /// Models whose requests have no price, with their counts and tokens.
    ///
    /// # Errors
    /// On a SQLite failure.
    pub fn unpriced_models(&self) -> Result<Vec<UnpricedModel>, StoreError> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT model, count(*), SUM(input_tokens), SUM(output_tokens), SUM(cache_read_tokens),
                    SUM(cache_write_5m_tokens + cache_write_1h_tokens)
             FROM agent_usage WHERE value_nanos IS NULL GROUP BY model ORDER BY count(*) DESC, model",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(UnpricedModel {
                model: r.get(0)?,
                requests: r.get(1)?,
                input_tokens: r.get(2)?,
                output_tokens: r.get(3)?,
                cache_read_tokens: r.get(4)?,
                cache_write_tokens: r.get(5)?,
            })
        })?;
        rows.collect::<Result<_, _>>().map_err(sql::overflow)
    }

    /// How many requests each stored price version priced (for `prices`).
    ///
    /// # Errors
    /// On a SQLite failure.
    pub fn price_version_counts(&self) -> Result<HashMap<String, i64>, StoreError> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT price_version, count(*) FROM agent_usage WHERE price_version IS NOT NULL GROUP BY price_version",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Per day and plan: the highest share of the 5-hour and weekly windows used, beside that
    /// day's API-equivalent value of the same tool.
    ///
    /// # Errors
    /// On a SQLite failure.
    pub fn limit_days(&self, period: &Period) -> Result<Vec<LimitDay>, StoreError> {
        let (from, to) = period.bounds();
        let mut stmt = self.conn().prepare_cached(
            "SELECT l.day, l.tool, l.plan_type,
                    MAX(CASE WHEN l.window_minutes = 300 THEN l.max_used_centipercent END),
                    MAX(CASE WHEN l.window_minutes = 10080 THEN l.max_used_centipercent END),
                    (SELECT COALESCE(SUM(value_nanos), 0) FROM agent_usage a WHERE a.day = l.day AND a.tool = l.tool)
             FROM agent_limits l WHERE l.day BETWEEN ?1 AND ?2
             GROUP BY l.day, l.tool, l.plan_type ORDER BY l.day, l.tool, l.plan_type",
        )?;
        let rows = stmt.query_map(params![from, to], |r| {
            Ok(LimitDay {
                day: r.get(0)?,
                tool: r.get(1)?,
                plan_type: r.get(2)?,
                five_hour_centipercent: r.get(3)?,
                weekly_centipercent: r.get(4)?,
                value: Amount::from_nanos(r.get(5)?),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The ids of the agent requests in the table's day range whose tool, model, project,
    /// machine or session contains the search text, newest first.
    ///
    /// # Errors
    /// On a SQLite failure.
    pub fn agent_usage_ids(
        &self,
        query: &crate::domain::views::TableQuery,
    ) -> Result<Vec<i64>, StoreError> {
        let search = query.search.trim().to_lowercase();
        let mut stmt = self.conn().prepare_cached(
            "SELECT id FROM agent_usage WHERE day BETWEEN ?1 AND ?2
               AND (?3 = '' OR instr(lower(tool || ' ' || model || ' ' || project || ' ' || machine || ' ' || session_id), ?3) > 0)
             ORDER BY occurred_at DESC, id DESC",
        )?;
        let ids = stmt.query_map(
            params![
                query.bounds.from.to_string(),
                query.bounds.to.to_string(),
                search
            ],
            |r| r.get::<_, i64>(0),
        )?;
        Ok(ids.collect::<Result<_, _>>()?)
    }

    /// The agent requests with these ids, in the order of `ids`.
    ///
    /// # Errors
    /// On a SQLite failure.
    pub fn agent_usage_rows(&self, ids: &[i64]) -> Result<Vec<AgentRow>, StoreError> {
        self.rows_by_id(
            "SELECT id, substr(replace(occurred_at, 'T', ' '), 1, 16), tool, model, project, machine, session_id,
                    input_tokens, output_tokens, cache_write_5m_tokens + cache_write_1h_tokens, cache_read_tokens, value_nanos
             FROM agent_usage WHERE id IN (SELECT value FROM json_each(:ids))",
            ids,
            |r| {
                Ok(AgentRow {
                    id: r.get(0)?,
                    time: r.get(1)?,
                    tool: r.get(2)?,
                    model: r.get(3)?,
                    project: r.get(4)?,
                    machine: r.get(5)?,
                    session: r.get(6)?,
                    input_tokens: r.get(7)?,
                    output_tokens: r.get(8)?,
                    cache_write_tokens: r.get(9)?,
                    cache_read_tokens: r.get(10)?,
                    value: r.get::<_, Option<i64>>(11)?.map(Amount::from_nanos),
                })
            },
            |row| row.id,
        )
    }

    /// How many agent requests the ledger holds.
    ///
    /// # Errors
    /// On a SQLite failure.
    pub fn agent_usage_count(&self) -> Result<i64, StoreError> {
        Ok(self
            .conn()
            .query_row("SELECT count(*) FROM agent_usage", [], |r| r.get(0))?)
    }
}

/// Totals of agent requests over a period: counts, tokens by class and value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct AgentTotals {
    pub requests: i64,
    pub unpriced_requests: i64,
    pub input_tokens: i64,
    pub output_tokens: i64,
    pub cache_write_5m_tokens: i64,
    pub cache_write_1h_tokens: i64,
    pub cache_read_tokens: i64,
    pub reasoning_tokens: i64,
    /// Exact API-equivalent value of the priced requests, USD.
    #[serde(serialize_with = "cents")]
    pub value: Amount,
}

impl Store {
    /// Totals of the agent requests of one tool (all when `None`) in a period.
    ///
    /// # Errors
    /// On a SQLite failure or an overflow.
    pub fn agent_totals(
        &self,
        tool: Option<Tool>,
        period: &Period,
    ) -> Result<AgentTotals, StoreError> {
        let (from, to) = period.bounds();
        self.conn()
            .prepare_cached(
                "SELECT count(*), COALESCE(SUM(value_nanos IS NULL), 0), COALESCE(SUM(input_tokens), 0),
                        COALESCE(SUM(output_tokens), 0), COALESCE(SUM(cache_write_5m_tokens), 0),
                        COALESCE(SUM(cache_write_1h_tokens), 0), COALESCE(SUM(cache_read_tokens), 0),
                        COALESCE(SUM(reasoning_tokens), 0), COALESCE(SUM(value_nanos), 0)
                 FROM agent_usage WHERE day BETWEEN ?1 AND ?2 AND (?3 IS NULL OR tool = ?3)",
            )?
            .query_row(params![from, to, tool.map(Tool::as_str)], |r| {
                Ok(AgentTotals {
                    requests: r.get(0)?,
                    unpriced_requests: r.get(1)?,
                    input_tokens: r.get(2)?,
                    output_tokens: r.get(3)?,
                    cache_write_5m_tokens: r.get(4)?,
                    cache_write_1h_tokens: r.get(5)?,
                    cache_read_tokens: r.get(6)?,
                    reasoning_tokens: r.get(7)?,
                    value: Amount::from_nanos(r.get(8)?),
                })
            })
            .map_err(sql::overflow)
    }
}

/// How `report --what value` groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueGroup {
    Provider,
    Project,
    Model,
    Tool,
    Machine,
    Session,
}

impl ValueGroup {
    fn column(self) -> &'static str {
        match self {
            ValueGroup::Provider => "provider",
            ValueGroup::Project => "project",
            ValueGroup::Model => "model",
            ValueGroup::Tool => "tool",
            ValueGroup::Machine => "machine",
            ValueGroup::Session => "session_id",
        }
    }
}

/// How to read a file this time: `None` when it is unchanged since the last import.
fn start_of(
    file: &AgentLogFile<'_>,
    previous: Option<&FileState>,
) -> std::io::Result<Option<Start>> {
    let fresh = Start {
        offset: 0,
        line: 0,
        tool: None,
        codex: Box::default(),
    };
    let Some(prev) = previous else {
        return Ok(Some(fresh));
    };
    let consumed = u64::try_from(prev.consumed).unwrap_or(0);
    if file.size < consumed || tail_hash(file, consumed)? != prev.tail_sha {
        // Rewritten or shortened: read it all again (the keys make that harmless).
        return Ok(Some(fresh));
    }
    let size = i64::try_from(file.size).unwrap_or(i64::MAX);
    if size == prev.size && file.modified_ns == prev.modified_ns && file.size == consumed {
        return Ok(None);
    }
    Ok(Some(Start {
        offset: consumed,
        line: u64::try_from(prev.lines).unwrap_or(0),
        tool: Tool::parse(&prev.tool),
        codex: Box::new(serde_json::from_str(&prev.state).unwrap_or_default()),
    }))
}

/// What reading a file gave, before anything is written.
struct ReadLog {
    reader: Reader,
    consumed: u64,
    line: u64,
    pending: Vec<AgentRequest>,
    limits: Vec<LimitSample>,
    costs: Vec<SessionCost>,
}

/// Reads a log from `start` to its last complete line. `Ok(None)` when there is nothing to
/// write (the report says why).
fn read_log(
    file: &AgentLogFile<'_>,
    start: Start,
    report: &mut ImportReport,
    progress: &mut dyn FnMut(Progress) -> bool,
) -> std::io::Result<Option<ReadLog>> {
    let mut reader = match file.tool.or(start.tool) {
        Some(Tool::ClaudeCode) => Some(Reader::Claude),
        Some(Tool::Codex) => Some(Reader::Codex(start.codex)),
        None => None,
    };
    let mut input = BufReader::with_capacity(256 * 1024, (file.open_at)(start.offset)?);
    let mut buf: Vec<u8> = Vec::with_capacity(64 * 1024);
    let mut consumed = start.offset;
    let mut line_no = start.line;
    let mut waiting: Vec<(u64, Vec<u8>)> = Vec::new();
    let mut out: Vec<AgentLine> = Vec::new();
    let mut pending: Vec<AgentRequest> = Vec::new();
    let mut by_key: HashMap<String, usize> = HashMap::new();
    let mut limits = Vec::new();
    let mut costs = Vec::new();
    loop {
        buf.clear();
        let n = input.read_until(b'\n', &mut buf)?;
        if n == 0 {
            break;
        }
        let text = trim_line(&buf);
        if buf.last() != Some(&b'\n') && !text.is_empty() && !is_complete_json(text) {
            // The tool is still writing this line: read it next time.
            break;
        }
        consumed += n as u64;
        line_no += 1;
        if text.is_empty() {
            continue;
        }
        report.rows += 1;
        if report.rows.is_multiple_of(4096)
            && !progress(Progress {
                rows: report.rows,
                bytes: consumed - start.offset,
            })
        {
            report.error = Some("the import was cancelled; nothing was written".into());
            return Ok(None);
        }
        if reader.is_none() {
            match detect(text) {
                Some(Tool::ClaudeCode) => reader = Some(Reader::Claude),
                Some(Tool::Codex) => reader = Some(Reader::Codex(Box::default())),
                None if waiting.len() < DETECT_LINES => {
                    waiting.push((line_no, text.to_vec()));
                    continue;
                }
                None => break,
            }
        }
        let Some(active) = reader.as_mut() else {
            continue;
        };
        for (waiting_line, bytes) in waiting.drain(..) {
            read_one(active, &bytes, waiting_line, &mut out, report);
        }
        read_one(active, text, line_no, &mut out, report);
        for item in out.drain(..) {
            match item {
                AgentLine::Request(r) => keep_in_file(&mut pending, &mut by_key, *r),
                AgentLine::Limits(samples) => limits.extend(samples),
                AgentLine::SessionCost(c) => costs.push(c),
                AgentLine::Skipped(Skip::NoUsage) => {}
                AgentLine::Skipped(_) => report.skipped += 1,
            }
        }
    }
    let Some(reader) = reader else {
        if start.offset > 0 {
            report.unchanged = true;
        } else if report.rows == 0 {
            report.error = Some("the file is empty".into());
        } else {
            report.error = Some(
                "this file is not a Claude Code or Codex log (no line looks like either)".into(),
            );
            report.problem = Some(ImportProblem::NotAnAgentLog);
        }
        return Ok(None);
    };
    Ok(Some(ReadLog {
        reader,
        consumed,
        line: line_no,
        pending,
        limits,
        costs,
    }))
}

/// Plan limits and the tool's own session totals: the highest figure is kept.
fn save_extras(tx: &Transaction<'_>, log: &ReadLog) -> Result<(), StoreError> {
    for sample in &log.limits {
        save_limit(tx, sample)?;
    }
    for cost in &log.costs {
        tx.prepare_cached(
            "INSERT INTO agent_session_costs(tool, session_id, total_nanos, has_unknown) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT(tool, session_id) DO UPDATE SET total_nanos = max(total_nanos, excluded.total_nanos),
                 has_unknown = max(has_unknown, excluded.has_unknown)",
        )?
        .execute(params![
            cost.tool.as_str(),
            cost.session_id,
            cost.total.nanos(),
            cost.has_unknown_model_cost
        ])?;
    }
    Ok(())
}

/// Remembers how far the file was read, for the next import.
fn save_file_state(
    tx: &Transaction<'_>,
    file: &AgentLogFile<'_>,
    log: &ReadLog,
    tail: &str,
    now: &str,
) -> Result<(), StoreError> {
    let state = match &log.reader {
        Reader::Codex(r) => serde_json::to_string(r).unwrap_or_default(),
        Reader::Claude => String::new(),
    };
    tx.execute(
        "INSERT INTO agent_log_files(path, tool, size, modified_ns, consumed, lines, tail_sha, state, imported_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT(path) DO UPDATE SET tool = excluded.tool, size = excluded.size, modified_ns = excluded.modified_ns,
             consumed = excluded.consumed, lines = excluded.lines, tail_sha = excluded.tail_sha, state = excluded.state,
             imported_at = excluded.imported_at",
        params![
            file.path,
            log.reader.tool().as_str(),
            i64::try_from(file.size).unwrap_or(i64::MAX),
            file.modified_ns,
            i64::try_from(log.consumed).unwrap_or(i64::MAX),
            i64::try_from(log.line).unwrap_or(i64::MAX),
            tail,
            state,
            now
        ],
    )?;
    Ok(())
}

/// Records the import's counts, or removes its history entry when it brought nothing.
fn finish_source_file(
    tx: &Transaction<'_>,
    file_id: i64,
    report: &mut ImportReport,
) -> Result<(), StoreError> {
    if report.inserted + report.updated == 0 {
        tx.execute("DELETE FROM source_files WHERE id = ?1", [file_id])?;
        return Ok(());
    }
    let count = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
    tx.execute(
        "UPDATE source_files SET rows = ?2, inserted = ?3, updated = ?4, duplicates = ?5, rejected = ?6 WHERE id = ?1",
        params![
            file_id,
            count(report.rows),
            count(report.inserted),
            count(report.updated),
            count(report.duplicates),
            count(report.rejected.len() as u64)
        ],
    )?;
    report.source_file_id = Some(file_id);
    Ok(())
}

fn trim_line(buf: &[u8]) -> &[u8] {
    let mut end = buf.len();
    while end > 0 && matches!(buf[end - 1], b'\n' | b'\r' | b' ' | b'\t') {
        end -= 1;
    }
    let mut start = 0;
    // A UTF-8 byte-order mark on the first line.
    if buf.starts_with(&[0xEF, 0xBB, 0xBF]) {
        start = 3;
    }
    buf.get(start..end.max(start)).unwrap_or_default()
}

fn read_one(
    reader: &mut Reader,
    bytes: &[u8],
    line: u64,
    out: &mut Vec<AgentLine>,
    report: &mut ImportReport,
) {
    if let Err(e) = reader.read(bytes, line, out) {
        report.rejected.push(crate::domain::import::RowError {
            line: e.line,
            column: e.column,
            column_name: String::new(),
            reason: e.reason,
        });
    }
}

/// Keeps one copy per key within the file (the store applies the same rule across files).
fn keep_in_file(
    pending: &mut Vec<AgentRequest>,
    by_key: &mut HashMap<String, usize>,
    request: AgentRequest,
) {
    if let Some(&i) = by_key.get(&request.key) {
        if let Some(kept) = pending.get_mut(i)
            && replaces(request.candidate(), kept.candidate())
        {
            *kept = request;
        }
        return;
    }
    by_key.insert(request.key.clone(), pending.len());
    pending.push(request);
}

enum Written {
    Inserted { priced: bool },
    Updated,
    Duplicate,
}

struct AgentWriter<'a> {
    tx: &'a Transaction<'a>,
    file_id: i64,
    book: &'a PriceBook,
    rules: &'a [ProjectRule],
    ctx: &'a AgentContext<'a>,
    repo_cache: HashMap<String, Option<String>>,
}

struct Kept {
    id: i64,
    machine: String,
    candidate: Candidate,
}

const KEPT_COLUMNS: &str = "id, machine, is_sidechain, has_speed,
    input_tokens + output_tokens + cache_write_5m_tokens + cache_write_1h_tokens + cache_read_tokens";

const INSERT_REQUEST: &str = "INSERT INTO agent_usage(key, tool, provider, model, message_id, session_id, agent_id,
        is_sidechain, machine, cwd, project_auto, project, occurred_at, day, input_tokens, output_tokens,
        cache_write_5m_tokens, cache_write_1h_tokens, cache_read_tokens, reasoning_tokens, web_search_requests, fast,
        has_speed, fallback_model, reported_cost_nanos, value_nanos, price_version, source_file_id, source_line)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23,
        ?24, ?25, ?26, ?27, ?28, ?29)";

fn kept(row: &rusqlite::Row<'_>) -> rusqlite::Result<Kept> {
    Ok(Kept {
        id: row.get(0)?,
        machine: row.get(1)?,
        candidate: Candidate {
            is_sidechain: row.get(2)?,
            has_speed: row.get(3)?,
            total_tokens: row.get(4)?,
        },
    })
}

impl AgentWriter<'_> {
    fn find(&self, key: &[u8], r: &AgentRequest) -> Result<Option<Kept>, StoreError> {
        let sql = format!("SELECT {KEPT_COLUMNS} FROM agent_usage WHERE key = ?1");
        let found = self
            .tx
            .prepare_cached(&sql)?
            .query_row([key], kept)
            .optional()?;
        if found.is_some() || r.message_id.is_empty() || r.tool != Tool::ClaudeCode {
            return Ok(found);
        }
        // A side-question replay keeps the message id with a new request id.
        let sql = format!(
            "SELECT {KEPT_COLUMNS} FROM agent_usage WHERE message_id = ?1 AND message_id != '' AND tool = 'claude-code'
               AND (is_sidechain = 1 OR ?2) ORDER BY is_sidechain LIMIT 1"
        );
        Ok(self
            .tx
            .prepare_cached(&sql)?
            .query_row(params![r.message_id, r.is_sidechain], kept)
            .optional()?)
    }

    fn project(&mut self, r: &AgentRequest) -> String {
        let root = self
            .repo_cache
            .entry(r.cwd.clone())
            .or_insert_with(|| {
                if r.cwd.is_empty() {
                    None
                } else {
                    (self.ctx.repository_root)(&r.cwd)
                }
            })
            .clone();
        match root {
            Some(root) => project_from_cwd(&r.cwd, Some(&root)),
            None if !r.repository.is_empty() => r.repository.clone(),
            None => project_from_cwd(&r.cwd, None),
        }
    }

    /// Writes a request unless the ledger holds a better copy; a worse copy is replaced (the
    /// machine that first logged the request keeps it). `automatic` is its project as
    /// [`Self::project`] named it.
    fn write(&mut self, r: &AgentRequest, automatic: &str) -> Result<Written, StoreError> {
        let key = key_bytes(&r.key);
        let found = self.find(&key, r)?;
        if let Some(k) = &found
            && !replaces(r.candidate(), k.candidate)
        {
            return Ok(Written::Duplicate);
        }
        if let Some(k) = &found {
            self.tx
                .prepare_cached("DELETE FROM agent_usage WHERE id = ?1")?
                .execute([k.id])?;
        }
        let day = r.occurred_at.date();
        let priced = self
            .book
            .price(&r.model, day, &r.tokens, r.web_search_requests, r.fast);
        let mut automatic = automatic.to_string();
        secrets::mask_in_place(&mut automatic);
        // Rules apply to the folder as stored, as they do when they change (`relabel_projects`).
        let project = apply_project_rules(&r.cwd, &automatic, self.rules).to_string();
        let machine = found
            .as_ref()
            .map_or(self.ctx.machine, |k| k.machine.as_str());
        let t = &r.tokens;
        self.tx.prepare_cached(INSERT_REQUEST)?.execute(params![
            key,
            r.tool.as_str(),
            r.provider,
            r.model,
            r.message_id,
            r.session_id,
            r.agent_id,
            r.is_sidechain,
            machine,
            r.cwd,
            automatic,
            project,
            r.occurred_at.format("%Y-%m-%dT%H:%M:%S%.3f").to_string(),
            day.to_string(),
            t.input,
            t.output,
            t.cache_write_5m,
            t.cache_write_1h,
            t.cache_read,
            t.reasoning,
            r.web_search_requests,
            r.fast,
            r.has_speed,
            r.fallback_model,
            r.reported_cost.map(Amount::nanos),
            priced.as_ref().map(|p| p.value.nanos()),
            priced.as_ref().map(|p| p.version.as_str()),
            self.file_id,
            i64::try_from(r.line).unwrap_or(i64::MAX)
        ])?;
        Ok(match found {
            Some(_) => Written::Updated,
            None => Written::Inserted {
                priced: priced.is_some(),
            },
        })
    }
}

fn save_limit(tx: &Transaction<'_>, s: &LimitSample) -> Result<(), StoreError> {
    tx.prepare_cached(
        "INSERT INTO agent_limits(day, tool, plan_type, window_minutes, max_used_centipercent) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT(day, tool, plan_type, window_minutes) DO UPDATE SET
             max_used_centipercent = max(max_used_centipercent, excluded.max_used_centipercent)",
    )?
    .execute(params![s.occurred_at.date().to_string(), s.tool.as_str(), s.plan_type, s.window_minutes, s.used_centipercent])?;
    Ok(())
}

/// Names every stored request's project again with the current rules. Returns how many
/// changed.
pub(super) fn relabel_projects(tx: &Transaction<'_>) -> Result<usize, StoreError> {
    let rules: Vec<ProjectRule> = {
        let mut stmt = tx.prepare("SELECT prefix, project FROM agent_project_rules")?;
        stmt.query_map([], |r| {
            Ok(ProjectRule {
                prefix: r.get(0)?,
                project: r.get(1)?,
            })
        })?
        .collect::<Result<_, _>>()?
    };
    let mut select = tx.prepare("SELECT DISTINCT cwd, project_auto, project FROM agent_usage")?;
    let groups = select
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let mut update = tx.prepare("UPDATE agent_usage SET project = ?3 WHERE cwd = ?1 AND project_auto = ?2 AND project != ?3")?;
    let mut changed = 0;
    for (cwd, automatic, current) in groups {
        let wanted = apply_project_rules(&cwd, &automatic, &rules);
        if wanted != current {
            changed += update.execute(params![cwd, automatic, wanted])?;
        }
    }
    Ok(changed)
}

/// Copies the agent requests, plan-limit days and session totals of an attached ledger
/// (`merged`) in a merge: a request both ledgers hold stays once (the better copy wins, as in an
/// import), limits and totals keep the highest figure. Returns (rows, inserted or improved).
/// A ledger from before agent usage existed has nothing to copy.
pub(super) fn merge_agent_tables(tx: &Transaction<'_>) -> Result<(u64, u64), StoreError> {
    let has_agents: i64 = tx.query_row(
        "SELECT count(*) FROM merged.sqlite_master WHERE type = 'table' AND name = 'agent_usage'",
        [],
        |r| r.get(0),
    )?;
    if has_agents == 0 {
        return Ok((0, 0));
    }
    let total: i64 = tx.query_row(
        "SELECT count(*) FROM merged.agent_usage o JOIN temp.merge_source_ids m ON m.old = o.source_file_id",
        [],
        |r| r.get(0),
    )?;
    let changed = tx.execute(
        "INSERT INTO main.agent_usage(key, tool, provider, model, message_id, session_id, agent_id, is_sidechain, machine,
             cwd, project_auto, project, occurred_at, day, input_tokens, output_tokens, cache_write_5m_tokens,
             cache_write_1h_tokens, cache_read_tokens, reasoning_tokens, web_search_requests, fast, has_speed,
             fallback_model, reported_cost_nanos, value_nanos, price_version, source_file_id, source_line)
         SELECT o.key, o.tool, o.provider, o.model, o.message_id, o.session_id, o.agent_id, o.is_sidechain, o.machine,
             o.cwd, o.project_auto, o.project_auto, o.occurred_at, o.day, o.input_tokens, o.output_tokens,
             o.cache_write_5m_tokens, o.cache_write_1h_tokens, o.cache_read_tokens, o.reasoning_tokens,
             o.web_search_requests, o.fast, o.has_speed, o.fallback_model, o.reported_cost_nanos, o.value_nanos,
             o.price_version, m.new, o.source_line
         FROM merged.agent_usage o JOIN temp.merge_source_ids m ON m.old = o.source_file_id
         WHERE true ORDER BY o.id
         ON CONFLICT(key) DO UPDATE SET is_sidechain = excluded.is_sidechain, input_tokens = excluded.input_tokens,
             output_tokens = excluded.output_tokens, cache_write_5m_tokens = excluded.cache_write_5m_tokens,
             cache_write_1h_tokens = excluded.cache_write_1h_tokens, cache_read_tokens = excluded.cache_read_tokens,
             reasoning_tokens = excluded.reasoning_tokens, has_speed = excluded.has_speed, model = excluded.model,
             value_nanos = excluded.value_nanos, price_version = excluded.price_version,
             source_file_id = excluded.source_file_id, source_line = excluded.source_line
         WHERE (agent_usage.is_sidechain = 1 AND excluded.is_sidechain = 0)
            OR (agent_usage.is_sidechain = excluded.is_sidechain AND (
                  excluded.input_tokens + excluded.output_tokens + excluded.cache_write_5m_tokens
                    + excluded.cache_write_1h_tokens + excluded.cache_read_tokens
                  > agent_usage.input_tokens + agent_usage.output_tokens + agent_usage.cache_write_5m_tokens
                    + agent_usage.cache_write_1h_tokens + agent_usage.cache_read_tokens))",
        [],
    )?;
    tx.execute_batch(
        "INSERT INTO main.agent_limits(day, tool, plan_type, window_minutes, max_used_centipercent)
             SELECT day, tool, plan_type, window_minutes, max_used_centipercent FROM merged.agent_limits WHERE true
             ON CONFLICT(day, tool, plan_type, window_minutes) DO UPDATE SET
                 max_used_centipercent = max(max_used_centipercent, excluded.max_used_centipercent);
         INSERT INTO main.agent_session_costs(tool, session_id, total_nanos, has_unknown)
             SELECT tool, session_id, total_nanos, has_unknown FROM merged.agent_session_costs WHERE true
             ON CONFLICT(tool, session_id) DO UPDATE SET total_nanos = max(total_nanos, excluded.total_nanos),
                 has_unknown = max(has_unknown, excluded.has_unknown);",
    )?;
    relabel_projects(tx)?;
    Ok((
        u64::try_from(total).unwrap_or(0),
        u64::try_from(changed).unwrap_or(0),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn import(store: &mut Store, path: &str, text: &str) -> ImportReport {
        let bytes = text.as_bytes().to_vec();
        let open = move |offset: u64| -> std::io::Result<Box<dyn Read + Send>> {
            let start = usize::try_from(offset).unwrap().min(bytes.len());
            Ok(Box::new(std::io::Cursor::new(bytes[start..].to_vec())))
        };
        let file = AgentLogFile {
            path,
            name: path,
            size: text.len() as u64,
            modified_ns: i64::try_from(text.len()).unwrap(),
            open_at: &open,
            tool: None,
        };
        let root = |_: &str| None;
        let ctx = AgentContext {
            machine: "laptop",
            imported_at: "2026-10-20T00:00:00Z",
            repository_root: &root,
        };
        store
            .import_agent_log(&file, &ctx, ImportMode::default(), &mut |_| true)
            .unwrap()
    }

    fn line(msg: &str, req: &str, out: i64, sidechain: bool) -> String {
        format!(
            r#"{{"type":"assistant","isSidechain":{sidechain},"sessionId":"s1","cwd":"/home/u/api","timestamp":"2026-10-05T10:00:00.000Z","requestId":"{req}","message":{{"id":"{msg}","model":"claude-sonnet-4-5","usage":{{"input_tokens":10,"output_tokens":{out},"cache_read_input_tokens":0,"cache_creation_input_tokens":0}}}}}}"#
        )
    }

    #[test]
    fn repeated_blocks_count_once_and_the_biggest_snapshot_wins() {
        let mut store = Store::open_in_memory().unwrap();
        let text = format!(
            "{}\n{}\n{}\n",
            line("m1", "r1", 1, false),
            line("m1", "r1", 40, false),
            line("m1", "r1", 40, false)
        );
        let r = import(&mut store, "/logs/a.jsonl", &text);
        assert_eq!(
            (r.inserted, r.updated, r.duplicates, r.rows),
            (1, 0, 0, 3),
            "{r:?}"
        );
        let out: i64 = store
            .conn()
            .query_row("SELECT output_tokens FROM agent_usage", [], |r| r.get(0))
            .unwrap();
        assert_eq!(out, 40);
        let again = import(&mut store, "/logs/a.jsonl", &text);
        assert!(again.unchanged && again.inserted == 0, "{again:?}");
    }

    #[test]
    fn a_sidechain_copy_in_another_file_never_adds_and_main_replaces_it() {
        let mut store = Store::open_in_memory().unwrap();
        import(
            &mut store,
            "/logs/sub.jsonl",
            &format!("{}\n", line("m2", "r9", 50, true)),
        );
        let r = import(
            &mut store,
            "/logs/main.jsonl",
            &format!("{}\n", line("m2", "r2", 30, false)),
        );
        assert_eq!((r.inserted, r.updated), (0, 1), "{r:?}");
        let (n, side): (i64, bool) = store
            .conn()
            .query_row(
                "SELECT count(*), max(is_sidechain) FROM agent_usage",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!((n, side), (1, false));
        let r = import(
            &mut store,
            "/logs/sub2.jsonl",
            &format!("{}\n", line("m2", "r2", 99, true)),
        );
        assert_eq!((r.inserted, r.updated, r.duplicates), (0, 0, 1));
    }
}
