//! Coding-agent logs: Claude Code transcripts and Codex rollouts, read line by line into one
//! [`AgentRequest`] per model request, with the de-duplication rules the logs need.
//!
//! Both tools write JSON Lines. Claude Code writes one line per content block and each repeats
//! the whole message's usage; it also writes streaming snapshots, copies a response into resumed
//! sessions and sub-agent sidechains, and writes `<synthetic>` and API-error lines that were never
//! billed. Codex writes cumulative totals that it re-emits unchanged, and forks replay their
//! parent's history. The readers here turn each line into at most one request with a natural
//! key that is the same wherever the same request was copied ([`AgentRequest::key`]), and
//! [`replaces`] says which of two copies to keep. The store applies that rule globally, across
//! files, folders and machines.
//!
//! Nothing here touches the file system or the clock: lines arrive as bytes, the project of a
//! working folder is named by the caller ([`project_from_cwd`] does the pure part).

pub mod claude;
pub mod codex;
pub mod prices;
pub mod worth;

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

use super::money::Amount;

/// The coding agent that wrote a log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
pub enum Tool {
    #[serde(rename = "claude-code")]
    ClaudeCode,
    #[serde(rename = "codex")]
    Codex,
}

impl Tool {
    pub const ALL: [Tool; 2] = [Tool::ClaudeCode, Tool::Codex];

    /// The id users write (`claude-code`, `codex`), also the import format's id.
    pub fn as_str(self) -> &'static str {
        match self {
            Tool::ClaudeCode => "claude-code",
            Tool::Codex => "codex",
        }
    }

    /// A name for people.
    pub fn name(self) -> &'static str {
        match self {
            Tool::ClaudeCode => "Claude Code",
            Tool::Codex => "Codex CLI",
        }
    }

    /// The provider that serves the tool's requests unless its logs say otherwise.
    pub fn default_provider(self) -> &'static str {
        match self {
            Tool::ClaudeCode => "anthropic",
            Tool::Codex => "openai",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text
            .trim()
            .to_ascii_lowercase()
            .replace(['_', ' '], "-")
            .as_str()
        {
            "claude-code" | "claude" | "claudecode" => Some(Tool::ClaudeCode),
            "codex" | "codex-cli" => Some(Tool::Codex),
            _ => None,
        }
    }
}

/// The log formats (ids for `--as`, names, what identifies them), listed by `burnrate formats`
/// beside the CSV formats.
pub const LOG_FORMATS: [(&str, &str, &str); 2] = [
    (
        "claude-code",
        "Claude Code transcripts (~/.claude/projects/**/*.jsonl)",
        "JSON lines with sessionId, message.id, requestId, message.usage",
    ),
    (
        "codex",
        "Codex CLI rollouts (~/.codex/sessions/**/rollout-*.jsonl)",
        "JSON lines {timestamp, type, payload}: session_meta, turn_context, event_msg token_count",
    ),
];

/// Token counts of one request, by the class each is priced at. `input` is uncached input only;
/// `reasoning` is part of `output` (reported for information, never priced twice).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Tokens {
    pub input: i64,
    pub output: i64,
    pub cache_write_5m: i64,
    pub cache_write_1h: i64,
    pub cache_read: i64,
    pub reasoning: i64,
}

impl Tokens {
    /// Every token the request moved (reasoning is inside output).
    pub fn total(&self) -> i64 {
        self.input
            .saturating_add(self.output)
            .saturating_add(self.cache_write_5m)
            .saturating_add(self.cache_write_1h)
            .saturating_add(self.cache_read)
    }

    /// The request's whole prompt: what a long-context threshold is measured on.
    pub fn prompt(&self) -> i64 {
        self.input
            .saturating_add(self.cache_write_5m)
            .saturating_add(self.cache_write_1h)
            .saturating_add(self.cache_read)
    }

    pub fn is_zero(&self) -> bool {
        self.total() == 0 && self.reasoning == 0
    }
}

/// One model request, as a coding agent logged it.
#[derive(Debug, Clone, PartialEq)]
#[expect(
    clippy::struct_excessive_bools,
    reason = "each flag is a separate fact the log states about the request"
)]
pub struct AgentRequest {
    pub tool: Tool,
    pub provider: String,
    pub model: String,
    /// The identity of the request wherever it was copied (see [`AgentRequest::key`]).
    pub key: String,
    /// Claude's `message.id` (empty for Codex): a sidechain replay of a response keeps the id
    /// but may get a new request id.
    pub message_id: String,
    pub session_id: String,
    /// The sub-agent that made the request, when one did.
    pub agent_id: String,
    /// A sub-agent or side-question copy (`isSidechain`).
    pub is_sidechain: bool,
    /// When the request was logged, UTC.
    pub occurred_at: NaiveDateTime,
    /// The working folder the agent ran in.
    pub cwd: String,
    /// The repository's name when the log says it (Codex `git.repository_url`).
    pub repository: String,
    pub tokens: Tokens,
    pub web_search_requests: i64,
    /// `speed: "fast"`: priced with the model's fast-mode multiplier.
    pub fast: bool,
    /// Whether the line said which speed it ran at (a tie-breaker between copies).
    pub has_speed: bool,
    /// The tool's own figure for this request (`costUSD`, old Claude Code logs).
    pub reported_cost: Option<Amount>,
    /// The log did not name the model; `model` is the tool's default at that date.
    pub fallback_model: bool,
    /// 1-based line in the file.
    pub line: u64,
}

impl AgentRequest {
    /// What a copy of a request is compared on when two copies meet.
    pub fn candidate(&self) -> Candidate {
        Candidate {
            is_sidechain: self.is_sidechain,
            total_tokens: self.tokens.total(),
            has_speed: self.has_speed,
        }
    }
}

/// The facts [`replaces`] weighs about one copy of a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Candidate {
    pub is_sidechain: bool,
    pub total_tokens: i64,
    pub has_speed: bool,
}

/// Whether a newly read copy of a request replaces the kept one: a main-session copy beats a
/// sidechain replay whatever their sizes; otherwise the copy with more tokens wins (a streaming
/// snapshot's output grows, the first one is a placeholder); on a tie, a copy that says its speed
/// beats one that does not. The whole copy is kept, never a per-field maximum: a response that
/// fell back to another model mid-stream has another model and cache figures on later snapshots.
pub fn replaces(new: Candidate, kept: Candidate) -> bool {
    if kept.is_sidechain != new.is_sidechain {
        return kept.is_sidechain;
    }
    if new.total_tokens != kept.total_tokens {
        return new.total_tokens > kept.total_tokens;
    }
    new.has_speed && !kept.has_speed
}

/// The agent log folders the window imports at start-up (`import_at_start` is off until the
/// user turns it on).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AgentFolders {
    pub import_at_start: bool,
    pub folders: Vec<String>,
}

/// One stored agent request as the ledger table shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentRow {
    pub id: i64,
    /// `2026-10-05 09:00` (UTC).
    pub time: String,
    pub tool: String,
    pub model: String,
    pub project: String,
    pub machine: String,
    pub session: String,
    pub input_tokens: i64,
    pub output_tokens: i64,
    pub cache_write_tokens: i64,
    pub cache_read_tokens: i64,
    /// API-equivalent value in USD; `None`: unpriced.
    pub value: Option<Amount>,
}

/// A plan-limit reading from a Codex log: how much of a usage window was used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LimitSample {
    pub tool: Tool,
    pub occurred_at: NaiveDateTime,
    /// `plus`, `pro`, ... (empty when the log does not say).
    pub plan_type: String,
    /// 300 for the 5-hour window, 10080 for the weekly one.
    pub window_minutes: i64,
    /// Used share in hundredths of a percent (`42.5%` is 4250).
    pub used_centipercent: i64,
}

/// Claude Code's own running total for a session (`cost-state` lines).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionCost {
    pub tool: Tool,
    pub session_id: String,
    pub total: Amount,
    /// The tool could not price one of the models it used.
    pub has_unknown_model_cost: bool,
}

/// What one log line gave.
#[derive(Debug, Clone, PartialEq)]
pub enum AgentLine {
    Request(Box<AgentRequest>),
    Limits(Vec<LimitSample>),
    SessionCost(SessionCost),
    /// A line that is not a request (metadata, a user turn) or one that must not count.
    Skipped(Skip),
}

/// Why a line that looked like usage was not counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Skip {
    /// Metadata, user turns, tool results: nothing to count.
    NoUsage,
    /// A line Claude Code wrote itself (`<synthetic>`): no API call was made.
    Synthetic,
    /// An API error line (`isApiErrorMessage`): nothing was billed.
    ApiError,
    /// A Codex snapshot re-emitted with unchanged totals.
    Repeated,
    /// A Codex fork or sub-agent replaying its parent's history.
    Replay,
}

/// A line that could not be read: where and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    pub line: u64,
    pub column: Option<usize>,
    pub reason: String,
}

/// Parses an ISO 8601 timestamp (`2026-05-04T01:50:18.499Z`, with or without an offset) into
/// UTC.
pub fn parse_timestamp(text: &str) -> Option<NaiveDateTime> {
    let text = text.trim();
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(text) {
        return Some(t.naive_utc());
    }
    NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f").ok()
}

/// Dollars as JSON writes them (`0.031924600000000004`, `1e-5`) to exact nanos: at most nine
/// decimals are kept, the rest rounded half away from zero. The number's text is read, never a
/// float.
pub fn dollars(json_number: &str) -> Option<Amount> {
    let text = json_number.trim();
    let Some((mantissa, exponent)) = text.split_once(['e', 'E']) else {
        return Amount::parse(text, super::money::DecimalMark::Dot).ok();
    };
    let exponent: i32 = exponent.parse().ok()?;
    let amount = Amount::parse(mantissa, super::money::DecimalMark::Dot).ok()?;
    let mut nanos = i128::from(amount.nanos());
    for _ in 0..exponent.unsigned_abs().min(30) {
        if exponent > 0 {
            nanos = nanos.checked_mul(10)?;
        } else {
            nanos = (nanos + nanos.signum() * 5) / 10;
        }
    }
    i64::try_from(nanos).ok().map(Amount::from_nanos)
}

/// A JSON number's text as hundredths (`42.5` -> 4250), rounded half away from zero.
pub fn hundredths(json_number: &str) -> Option<i64> {
    let amount = Amount::parse(json_number.trim(), super::money::DecimalMark::Dot).ok()?;
    Some(amount.round_to_cents())
}

/// The project of a working folder: the repository's folder name when the caller found the
/// folder inside a git repository (`repository_root`), else the folder's last component. Both
/// `/` and `\` separate components (logs from Windows machines).
pub fn project_from_cwd(cwd: &str, repository_root: Option<&str>) -> String {
    let base = repository_root.unwrap_or(cwd);
    let name = base
        .trim_end_matches(['/', '\\'])
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or_default();
    if name.is_empty() {
        super::review::NONE_LABEL.to_string()
    } else {
        name.to_string()
    }
}

/// The repository name in a remote URL (`https://github.com/acme/api.git` -> `api`,
/// `git@github.com:acme/api.git` -> `api`).
pub fn repository_name(url: &str) -> Option<String> {
    let name = url
        .trim()
        .trim_end_matches('/')
        .rsplit(['/', ':'])
        .next()?
        .trim_end_matches(".git");
    (!name.is_empty()).then(|| name.to_string())
}

/// A user's rule naming every working folder under `prefix` as `project`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProjectRule {
    pub prefix: String,
    pub project: String,
}

/// The project of a request: the longest matching rule's name, else the automatic one. A rule
/// matches a folder equal to its prefix or below it (`/work/client` matches
/// `/work/client/api`, never `/work/client-b`).
pub fn apply_project_rules<'a>(cwd: &str, automatic: &'a str, rules: &'a [ProjectRule]) -> &'a str {
    rules
        .iter()
        .filter(|r| path_is_under(cwd, &r.prefix))
        .max_by_key(|r| r.prefix.len())
        .map_or(automatic, |r| r.project.as_str())
}

/// Whether `path` is `prefix` or inside it.
pub fn path_is_under(path: &str, prefix: &str) -> bool {
    let prefix = prefix.trim_end_matches(['/', '\\']);
    if prefix.is_empty() {
        return false;
    }
    match path.strip_prefix(prefix) {
        Some(rest) => rest.is_empty() || rest.starts_with(['/', '\\']),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(is_sidechain: bool, total_tokens: i64, has_speed: bool) -> Candidate {
        Candidate {
            is_sidechain,
            total_tokens,
            has_speed,
        }
    }

    #[test]
    fn which_copy_of_a_request_is_kept() {
        let cases = [
            (
                "main beats a bigger sidechain copy",
                c(false, 10, false),
                c(true, 99, true),
                true,
            ),
            (
                "a sidechain never replaces main",
                c(true, 99, true),
                c(false, 10, false),
                false,
            ),
            (
                "the bigger snapshot wins",
                c(false, 20, false),
                c(false, 10, false),
                true,
            ),
            (
                "a smaller snapshot loses",
                c(false, 5, true),
                c(false, 10, false),
                false,
            ),
            (
                "a tie goes to the copy with speed",
                c(false, 10, true),
                c(false, 10, false),
                true,
            ),
            (
                "an exact repeat changes nothing",
                c(false, 10, true),
                c(false, 10, true),
                false,
            ),
        ];
        for (name, new, kept, expected) in cases {
            assert_eq!(replaces(new, kept), expected, "{name}");
        }
    }

    #[test]
    fn projects_from_folders_and_rules() {
        assert_eq!(project_from_cwd("/home/a/src/api/", None), "api");
        assert_eq!(
            project_from_cwd("/home/a/src/api/web", Some("/home/a/src/api")),
            "api"
        );
        assert_eq!(project_from_cwd(r"C:\Users\a\shop", None), "shop");
        assert_eq!(project_from_cwd("", None), "(none)");
        assert_eq!(
            repository_name("git@github.com:acme/api.git").as_deref(),
            Some("api")
        );
        assert_eq!(
            repository_name("https://github.com/acme/web/").as_deref(),
            Some("web")
        );
        let rules = vec![
            ProjectRule {
                prefix: "/work/client".into(),
                project: "Client".into(),
            },
            ProjectRule {
                prefix: "/work/client/api".into(),
                project: "Client API".into(),
            },
        ];
        assert_eq!(
            apply_project_rules("/work/client/web", "web", &rules),
            "Client"
        );
        assert_eq!(
            apply_project_rules("/work/client/api/x", "x", &rules),
            "Client API"
        );
        assert_eq!(
            apply_project_rules("/work/client-b", "client-b", &rules),
            "client-b"
        );
    }

    #[test]
    fn timestamps_and_dollars() {
        assert_eq!(
            parse_timestamp("2026-05-04T01:50:18.499Z")
                .unwrap()
                .to_string(),
            "2026-05-04 01:50:18.499"
        );
        assert_eq!(
            parse_timestamp("2026-05-04T03:50:18+02:00")
                .unwrap()
                .to_string(),
            "2026-05-04 01:50:18"
        );
        assert_eq!(dollars("0.031924600000000004").unwrap().nanos(), 31_924_600);
        assert_eq!(dollars("1.5e-5").unwrap().nanos(), 15_000);
        assert_eq!(dollars("2E2").unwrap().nanos(), 200_000_000_000);
        assert!(dollars("null").is_none());
        assert_eq!(hundredths("42.5"), Some(4250));
        assert_eq!(hundredths("0.0"), Some(0));
    }
}
