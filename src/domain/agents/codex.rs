//! Codex CLI rollouts (`~/.codex/sessions/YYYY/MM/DD/rollout-*.jsonl`, `archived_sessions/`):
//! `{timestamp, type, payload}` lines.
//!
//! A file is read in order by a [`CodexReader`] whose state (the session, the model in effect,
//! the last cumulative total) survives between imports, so a file that grew is read from where
//! the last import stopped. Each `token_count` event's request is the change of the cumulative
//! `total_token_usage` since the previous event: Codex re-emits snapshots with unchanged totals,
//! so summing `last_token_usage` would count calls twice; it is used only where a file has no
//! totals, and for the first event of a file (a resumed session's first total carries what
//! earlier files already counted). `input_tokens` includes cached input and reasoning is inside
//! output. A fork or sub-agent file (two `session_meta` records, or a `thread_spawn` source)
//! replays its parent's `token_count` events stamped with its own creation time: those set the
//! baseline and count nothing. A request's key is its time, model and token figures, so the
//! same event read from `sessions/` and `archived_sessions/`, or from two machines' backups,
//! is one request. Plan limits (`rate_limits`) are read from every event that carries them.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use super::{AgentLine, AgentRequest, LimitSample, LineError, Skip, Tokens, Tool};

/// Token figures as Codex writes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CodexUsage {
    #[serde(default)]
    pub input_tokens: i64,
    #[serde(default)]
    pub cached_input_tokens: i64,
    #[serde(default)]
    pub output_tokens: i64,
    #[serde(default)]
    pub reasoning_output_tokens: i64,
    #[serde(default)]
    pub total_tokens: i64,
    #[serde(default)]
    pub cache_write_input_tokens: i64,
}

impl CodexUsage {
    fn minus(self, earlier: Self) -> Option<Self> {
        let d = Self {
            input_tokens: self.input_tokens - earlier.input_tokens,
            cached_input_tokens: self.cached_input_tokens - earlier.cached_input_tokens,
            output_tokens: self.output_tokens - earlier.output_tokens,
            reasoning_output_tokens: self.reasoning_output_tokens - earlier.reasoning_output_tokens,
            total_tokens: self.total_tokens - earlier.total_tokens,
            cache_write_input_tokens: self.cache_write_input_tokens
                - earlier.cache_write_input_tokens,
        };
        let all = [
            d.input_tokens,
            d.cached_input_tokens,
            d.output_tokens,
            d.reasoning_output_tokens,
            d.total_tokens,
            d.cache_write_input_tokens,
        ];
        all.iter().all(|v| *v >= 0).then_some(d)
    }

    fn is_zero(&self) -> bool {
        self.input_tokens == 0
            && self.cached_input_tokens == 0
            && self.output_tokens == 0
            && self.reasoning_output_tokens == 0
            && self.cache_write_input_tokens == 0
    }

    fn tokens(&self) -> Tokens {
        let input = self.input_tokens.max(0);
        let cached = self.cached_input_tokens.clamp(0, input);
        Tokens {
            input: input - cached,
            output: self.output_tokens.max(0),
            cache_write_5m: self.cache_write_input_tokens.max(0),
            cache_write_1h: 0,
            cache_read: cached,
            reasoning: self.reasoning_output_tokens.max(0),
        }
    }
}

/// What a reader remembers between lines, and between two imports of a growing file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodexReader {
    pub session_id: String,
    /// The file's creation time to the second (`2026-04-16T21:49:30`): replays carry it.
    pub created_second: String,
    pub cwd: String,
    pub repository: String,
    pub provider: String,
    pub model: Option<String>,
    pub last_total: Option<CodexUsage>,
    /// The last `last_token_usage` of a file without totals, to skip its re-emissions.
    pub last_single: Option<CodexUsage>,
    pub metas: u32,
    /// A fork or sub-agent file: its first events replay the parent's.
    pub fork: bool,
    pub seen_token_count: bool,
}

#[derive(Deserialize)]
struct Line<'a> {
    #[serde(default)]
    timestamp: Option<String>,
    #[serde(rename = "type", default)]
    kind: Option<String>,
    #[serde(borrow, default)]
    payload: Option<&'a RawValue>,
}

#[derive(Deserialize)]
struct Meta {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    timestamp: Option<String>,
    #[serde(default)]
    cwd: Option<String>,
    #[serde(default)]
    model_provider: Option<String>,
    #[serde(default)]
    git: Option<Git>,
}

#[derive(Deserialize)]
struct Git {
    #[serde(default)]
    repository_url: Option<String>,
}

#[derive(Deserialize)]
struct TurnContext {
    #[serde(default)]
    cwd: Option<String>,
    #[serde(default)]
    model: Option<String>,
}

#[derive(Deserialize)]
struct Event<'a> {
    #[serde(rename = "type", default)]
    kind: Option<String>,
    #[serde(default)]
    info: Option<Info>,
    #[serde(default)]
    model: Option<String>,
    #[serde(borrow, default)]
    rate_limits: Option<RateLimits<'a>>,
}

#[derive(Deserialize)]
struct Info {
    #[serde(default)]
    total_token_usage: Option<CodexUsage>,
    #[serde(default)]
    last_token_usage: Option<CodexUsage>,
    #[serde(default)]
    model: Option<String>,
}

#[derive(Deserialize)]
struct RateLimits<'a> {
    #[serde(default)]
    plan_type: Option<String>,
    #[serde(borrow, default)]
    primary: Option<Window<'a>>,
    #[serde(borrow, default)]
    secondary: Option<Window<'a>>,
}

#[derive(Deserialize)]
struct Window<'a> {
    #[serde(borrow, default)]
    used_percent: Option<&'a RawValue>,
    #[serde(default)]
    window_minutes: Option<i64>,
}

/// The model Codex used when a log names none, or names the `codex-auto-review` placeholder:
/// the newest model released on or before the day (ccusage's table).
pub fn fallback_model(day: NaiveDate) -> &'static str {
    const RELEASES: [(&str, &str); 7] = [
        ("2026-04-23", "gpt-5.5"),
        ("2026-03-05", "gpt-5.4"),
        ("2026-02-05", "gpt-5.3-codex"),
        ("2025-12-11", "gpt-5.2-codex"),
        ("2025-11-13", "gpt-5.1-codex"),
        ("2025-09-15", "gpt-5-codex"),
        ("2025-08-07", "gpt-5"),
    ];
    let day = day.to_string();
    RELEASES
        .iter()
        .find(|(from, _)| day.as_str() >= *from)
        .map_or("gpt-5", |(_, model)| model)
}

fn error(line: u64, e: &serde_json::Error) -> LineError {
    LineError {
        line,
        column: Some(e.column()),
        reason: format!("this line is not a Codex log entry ({e})"),
    }
}

impl CodexReader {
    /// Reads one rollout line (`line` is its 1-based number), appending what it gave.
    ///
    /// # Errors
    /// When the line is not JSON of the rollout shape.
    pub fn parse_line(
        &mut self,
        bytes: &[u8],
        line: u64,
        out: &mut Vec<AgentLine>,
    ) -> Result<(), LineError> {
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(());
        }
        let parsed: Line<'_> = serde_json::from_slice(bytes).map_err(|e| error(line, &e))?;
        let Some(payload) = parsed.payload else {
            return Ok(());
        };
        let timestamp = parsed.timestamp.unwrap_or_default();
        if !self.seen_token_count && memchr::memmem::find(bytes, b"thread_spawn").is_some() {
            self.fork = true;
        }
        match parsed.kind.as_deref() {
            Some("session_meta") => {
                let meta: Meta =
                    serde_json::from_str(payload.get()).map_err(|e| error(line, &e))?;
                self.session_meta(meta, &timestamp);
            }
            Some("turn_context") => {
                let ctx: TurnContext =
                    serde_json::from_str(payload.get()).map_err(|e| error(line, &e))?;
                if let Some(model) = ctx.model.filter(|m| !m.is_empty()) {
                    self.model = Some(model);
                }
                if let Some(cwd) = ctx.cwd.filter(|c| !c.is_empty()) {
                    self.cwd = cwd;
                }
            }
            Some("event_msg")
                if memchr::memmem::find(payload.get().as_bytes(), b"token_count").is_some() =>
            {
                let event: Event<'_> =
                    serde_json::from_str(payload.get()).map_err(|e| error(line, &e))?;
                if event.kind.as_deref() == Some("token_count") {
                    self.token_count(event, &timestamp, line, out)?;
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn session_meta(&mut self, meta: Meta, line_timestamp: &str) {
        self.metas += 1;
        let id = meta.id.unwrap_or_default();
        if self.metas > 1 {
            if !id.is_empty() && id != self.session_id {
                self.fork = true;
            }
            return;
        }
        self.session_id = id;
        let created = meta.timestamp.as_deref().unwrap_or(line_timestamp);
        self.created_second = super::parse_timestamp(created)
            .map(|t| t.format("%Y-%m-%dT%H:%M:%S").to_string())
            .unwrap_or_default();
        if let Some(cwd) = meta.cwd {
            self.cwd = cwd;
        }
        if let Some(name) = meta
            .git
            .and_then(|g| g.repository_url)
            .as_deref()
            .and_then(super::repository_name)
        {
            self.repository = name;
        }
        self.provider = meta
            .model_provider
            .filter(|p| !p.is_empty())
            .unwrap_or_default();
    }

    fn token_count(
        &mut self,
        event: Event<'_>,
        timestamp: &str,
        line: u64,
        out: &mut Vec<AgentLine>,
    ) -> Result<(), LineError> {
        let Some(occurred_at) = super::parse_timestamp(timestamp) else {
            return Err(LineError {
                line,
                column: None,
                reason: "this event has no readable timestamp".into(),
            });
        };
        let first = !self.seen_token_count;
        self.seen_token_count = true;
        if let Some(limits) = &event.rate_limits {
            let samples = limit_samples(limits, occurred_at);
            if !samples.is_empty() {
                out.push(AgentLine::Limits(samples));
            }
        }
        let Some(info) = event.info else {
            return Ok(());
        };
        let second = occurred_at.format("%Y-%m-%dT%H:%M:%S").to_string();
        let replay = self.fork && !self.created_second.is_empty() && second <= self.created_second;
        let delta = if let Some(total) = info.total_token_usage {
            let previous = self.last_total.replace(total);
            if replay {
                out.push(AgentLine::Skipped(Skip::Replay));
                return Ok(());
            }
            match previous {
                Some(p) if p == total => None,
                Some(p) => total.minus(p).or(info.last_token_usage),
                None if first => info.last_token_usage.or(Some(total)),
                None => Some(total),
            }
        } else {
            let single = info.last_token_usage;
            let previous = std::mem::replace(&mut self.last_single, single);
            if replay {
                out.push(AgentLine::Skipped(Skip::Replay));
                return Ok(());
            }
            single.filter(|s| previous != Some(*s))
        };
        let Some(delta) = delta.filter(|d| !d.is_zero()) else {
            out.push(AgentLine::Skipped(Skip::Repeated));
            return Ok(());
        };
        let named = info
            .model
            .or(event.model)
            .filter(|m| !m.is_empty())
            .or_else(|| self.model.clone());
        let (model, fallback) = match named {
            Some(m) if m != "codex-auto-review" => (m, false),
            _ => (fallback_model(occurred_at.date()).to_string(), true),
        };
        let tokens = delta.tokens();
        let key = format!(
            "codex|{timestamp}|{model}|{}|{}|{}|{}|{}",
            delta.input_tokens,
            delta.cached_input_tokens,
            delta.output_tokens,
            delta.reasoning_output_tokens,
            delta.total_tokens
        );
        out.push(AgentLine::Request(Box::new(AgentRequest {
            tool: Tool::Codex,
            provider: if self.provider.is_empty() {
                Tool::Codex.default_provider().to_string()
            } else {
                self.provider.to_lowercase()
            },
            model,
            key,
            message_id: String::new(),
            session_id: self.session_id.clone(),
            agent_id: String::new(),
            is_sidechain: self.fork,
            occurred_at,
            cwd: self.cwd.clone(),
            repository: self.repository.clone(),
            tokens,
            web_search_requests: 0,
            fast: false,
            has_speed: false,
            reported_cost: None,
            fallback_model: fallback,
            line,
        })));
        Ok(())
    }
}

fn limit_samples(limits: &RateLimits<'_>, occurred_at: chrono::NaiveDateTime) -> Vec<LimitSample> {
    let plan_type = limits.plan_type.clone().unwrap_or_default();
    [&limits.primary, &limits.secondary]
        .into_iter()
        .flatten()
        .filter_map(|w| {
            Some(LimitSample {
                tool: Tool::Codex,
                occurred_at,
                plan_type: plan_type.clone(),
                window_minutes: w.window_minutes?,
                used_centipercent: super::hundredths(w.used_percent?.get())?,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(reader: &mut CodexReader, text: &str) -> Vec<AgentLine> {
        let mut out = Vec::new();
        for (i, line) in text.lines().enumerate() {
            reader
                .parse_line(line.as_bytes(), i as u64 + 1, &mut out)
                .unwrap();
        }
        out
    }

    fn requests(lines: &[AgentLine]) -> Vec<&AgentRequest> {
        lines
            .iter()
            .filter_map(|l| {
                if let AgentLine::Request(r) = l {
                    Some(&**r)
                } else {
                    None
                }
            })
            .collect()
    }

    const META: &str = r#"{"timestamp":"2026-04-16T21:49:30.734Z","type":"session_meta","payload":{"id":"019d9845","timestamp":"2026-04-16T21:49:30.734Z","cwd":"/home/u/shop","originator":"codex-tui","cli_version":"0.121.0","model_provider":"openai","git":{"repository_url":"git@github.com:acme/shop.git"}}}
{"timestamp":"2026-04-16T21:49:30.901Z","type":"turn_context","payload":{"cwd":"/home/u/shop","model":"gpt-5.4"}}"#;

    fn tc(ts: &str, total: (i64, i64, i64, i64), last: (i64, i64, i64, i64)) -> String {
        format!(
            r#"{{"timestamp":"{ts}","type":"event_msg","payload":{{"type":"token_count","info":{{"total_token_usage":{{"input_tokens":{},"cached_input_tokens":{},"output_tokens":{},"reasoning_output_tokens":{},"total_tokens":{}}},"last_token_usage":{{"input_tokens":{},"cached_input_tokens":{},"output_tokens":{},"reasoning_output_tokens":{},"total_tokens":{}}}}},"rate_limits":{{"primary":{{"used_percent":12.5,"window_minutes":300,"resets_at":1776394093}},"secondary":{{"used_percent":3.0,"window_minutes":10080}},"plan_type":"pro"}}}}}}"#,
            total.0,
            total.1,
            total.2,
            total.3,
            total.0 + total.2,
            last.0,
            last.1,
            last.2,
            last.3,
            last.0 + last.2
        )
    }

    #[test]
    fn deltas_of_cumulative_totals_and_repeats_skipped() {
        let text = format!(
            "{META}\n{}\n{}\n{}\n",
            tc(
                "2026-04-16T21:50:00Z",
                (1000, 200, 100, 40),
                (1000, 200, 100, 40)
            ),
            tc(
                "2026-04-16T21:50:01Z",
                (1000, 200, 100, 40),
                (1000, 200, 100, 40)
            ),
            tc(
                "2026-04-16T21:51:00Z",
                (3000, 1200, 150, 40),
                (2000, 1000, 50, 0)
            ),
        );
        let mut reader = CodexReader::default();
        let lines = read(&mut reader, &text);
        let reqs = requests(&lines);
        assert_eq!(reqs.len(), 2, "the re-emitted snapshot counts once");
        assert_eq!(
            reqs[0].tokens,
            Tokens {
                input: 800,
                output: 100,
                cache_write_5m: 0,
                cache_write_1h: 0,
                cache_read: 200,
                reasoning: 40
            }
        );
        assert_eq!(
            reqs[1].tokens,
            Tokens {
                input: 1000,
                output: 50,
                cache_write_5m: 0,
                cache_write_1h: 0,
                cache_read: 1000,
                reasoning: 0
            }
        );
        assert_eq!(
            (
                reqs[0].model.as_str(),
                reqs[0].session_id.as_str(),
                reqs[0].repository.as_str()
            ),
            ("gpt-5.4", "019d9845", "shop")
        );
        let limits: Vec<_> = lines
            .iter()
            .filter_map(|l| {
                if let AgentLine::Limits(s) = l {
                    Some(s)
                } else {
                    None
                }
            })
            .collect();
        assert_eq!(limits.len(), 3);
        assert_eq!(
            (
                limits[0][0].window_minutes,
                limits[0][0].used_centipercent,
                limits[0][0].plan_type.as_str()
            ),
            (300, 1250, "pro")
        );
        assert!(lines.contains(&AgentLine::Skipped(Skip::Repeated)));
    }

    #[test]
    fn a_fork_replays_its_parent_and_counts_only_its_own_requests() {
        let text = format!(
            r#"{{"timestamp":"2026-04-17T08:00:00.100Z","type":"session_meta","payload":{{"id":"child","timestamp":"2026-04-17T08:00:00.100Z","cwd":"/home/u/shop"}}}}
{{"timestamp":"2026-04-17T08:00:00.100Z","type":"session_meta","payload":{{"id":"parent","timestamp":"2026-04-16T21:49:30.734Z","cwd":"/home/u/shop"}}}}
{{"timestamp":"2026-04-17T08:00:00.200Z","type":"turn_context","payload":{{"model":"gpt-5.4"}}}}
{}
{}
{}
"#,
            tc(
                "2026-04-17T08:00:00.300Z",
                (1000, 200, 100, 40),
                (1000, 200, 100, 40)
            ),
            tc(
                "2026-04-17T08:00:00.400Z",
                (3000, 1200, 150, 40),
                (2000, 1000, 50, 0)
            ),
            tc(
                "2026-04-17T08:02:00Z",
                (3500, 1300, 175, 40),
                (500, 100, 25, 0)
            ),
        );
        let mut reader = CodexReader::default();
        let lines = read(&mut reader, &text);
        let reqs = requests(&lines);
        assert_eq!(reqs.len(), 1, "{lines:?}");
        assert_eq!(
            reqs[0].tokens,
            Tokens {
                input: 400,
                output: 25,
                cache_write_5m: 0,
                cache_write_1h: 0,
                cache_read: 100,
                reasoning: 0
            }
        );
        assert_eq!(reqs[0].session_id, "child");
        assert_eq!(
            lines
                .iter()
                .filter(|l| **l == AgentLine::Skipped(Skip::Replay))
                .count(),
            2
        );
    }

    #[test]
    fn a_reader_resumes_where_it_stopped() {
        let first = format!(
            "{META}\n{}\n",
            tc(
                "2026-04-16T21:50:00Z",
                (1000, 200, 100, 40),
                (1000, 200, 100, 40)
            )
        );
        let mut reader = CodexReader::default();
        let _ = read(&mut reader, &first);
        let saved = serde_json::to_string(&reader).unwrap();
        let mut resumed: CodexReader = serde_json::from_str(&saved).unwrap();
        let mut out = Vec::new();
        resumed
            .parse_line(
                tc(
                    "2026-04-16T21:52:00Z",
                    (1500, 700, 130, 40),
                    (500, 500, 30, 0),
                )
                .as_bytes(),
                4,
                &mut out,
            )
            .unwrap();
        let reqs = requests(&out);
        assert_eq!(reqs[0].tokens.cache_read, 500);
        assert_eq!(reqs[0].tokens.input, 0);
        assert_eq!(reqs[0].tokens.output, 30);
    }

    #[test]
    fn models_missing_or_placeholder_fall_back_by_date() {
        assert_eq!(
            fallback_model(NaiveDate::from_ymd_opt(2025, 10, 1).unwrap()),
            "gpt-5-codex"
        );
        assert_eq!(
            fallback_model(NaiveDate::from_ymd_opt(2025, 1, 1).unwrap()),
            "gpt-5"
        );
        let text = format!(
            r#"{{"timestamp":"2025-09-18T00:16:27.465Z","type":"session_meta","payload":{{"id":"s","cwd":"/home/test"}}}}
{}"#,
            tc("2025-09-18T00:17:00Z", (10, 0, 5, 0), (10, 0, 5, 0))
        );
        let lines = read(&mut CodexReader::default(), &text);
        let reqs = requests(&lines);
        assert_eq!(
            (reqs[0].model.as_str(), reqs[0].fallback_model),
            ("gpt-5-codex", true)
        );
    }

    #[test]
    fn a_broken_line_is_an_error_with_its_line() {
        let mut out = Vec::new();
        let e = CodexReader::default()
            .parse_line(b"{\"type\":", 9, &mut out)
            .unwrap_err();
        assert_eq!(e.line, 9);
    }
}
