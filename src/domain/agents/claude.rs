//! Claude Code transcripts (`~/.claude/projects/**/*.jsonl`): one JSON object per line.
//!
//! Only assistant lines with a `message.usage` are requests, and `cost-state` lines carry Claude
//! Code's own running total per session. Lines without the bytes `"usage"` or `cost-state` are
//! skipped before any JSON parsing (most of a transcript is prompts, tool results and metadata).
//! A request's key is `message.id` + `requestId`, the same in every file the response was copied
//! to (content blocks, streaming snapshots, resumed sessions, sidechains); which copy to keep is
//! [`super::replaces`]'s decision. `<synthetic>` lines and API-error lines were never billed and
//! are skipped. The cache-write split (`ephemeral_5m`/`ephemeral_1h`) is used when present; a
//! line without it counts its whole `cache_creation_input_tokens` as 5-minute writes.

use std::borrow::Cow;

use serde::Deserialize;
use serde_json::value::RawValue;

use super::{AgentLine, AgentRequest, LineError, SessionCost, Skip, Tokens, Tool};

#[derive(Deserialize)]
struct Line<'a> {
    #[serde(rename = "type", borrow, default)]
    kind: Option<Cow<'a, str>>,
    #[serde(default)]
    timestamp: Option<Cow<'a, str>>,
    #[serde(rename = "sessionId", default)]
    session_id: Option<String>,
    #[serde(rename = "requestId", default)]
    request_id: Option<String>,
    #[serde(rename = "isSidechain", default)]
    is_sidechain: Option<bool>,
    #[serde(rename = "isApiErrorMessage", default)]
    is_api_error: Option<bool>,
    #[serde(rename = "agentId", default)]
    agent_id: Option<String>,
    #[serde(default)]
    cwd: Option<String>,
    #[serde(default)]
    uuid: Option<Cow<'a, str>>,
    #[serde(rename = "costUSD", borrow, default)]
    cost_usd: Option<&'a RawValue>,
    #[serde(rename = "totalCostUSD", borrow, default)]
    total_cost_usd: Option<&'a RawValue>,
    #[serde(rename = "hasUnknownModelCost", default)]
    has_unknown_model_cost: Option<bool>,
    #[serde(default)]
    message: Option<Message>,
}

#[derive(Deserialize)]
struct Message {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    model: Option<String>,
    #[serde(default)]
    usage: Option<Usage>,
}

#[derive(Deserialize, Default)]
struct Usage {
    #[serde(default)]
    input_tokens: Option<i64>,
    #[serde(default)]
    output_tokens: Option<i64>,
    #[serde(default)]
    cache_creation_input_tokens: Option<i64>,
    #[serde(default)]
    cache_read_input_tokens: Option<i64>,
    #[serde(default)]
    cache_creation: Option<CacheCreation>,
    #[serde(default)]
    speed: Option<String>,
    #[serde(default)]
    server_tool_use: Option<ServerToolUse>,
    #[serde(default)]
    output_tokens_details: Option<OutputDetails>,
}

#[derive(Deserialize, Default)]
struct CacheCreation {
    #[serde(default)]
    ephemeral_5m_input_tokens: Option<i64>,
    #[serde(default)]
    ephemeral_1h_input_tokens: Option<i64>,
}

#[derive(Deserialize, Default)]
struct ServerToolUse {
    #[serde(default)]
    web_search_requests: Option<i64>,
}

#[derive(Deserialize, Default)]
struct OutputDetails {
    #[serde(default)]
    thinking_tokens: Option<i64>,
}

/// The model name Claude Code writes on lines it made up itself.
pub const SYNTHETIC_MODEL: &str = "<synthetic>";

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    memchr::memmem::find(haystack, needle).is_some()
}

/// Whether a line may hold something to count (a cheap byte search before any parsing).
pub fn may_hold_usage(line: &[u8]) -> bool {
    contains(line, b"\"usage\"") || contains(line, b"cost-state")
}

/// The provider of a model named in a Claude Code log: Anthropic for Claude models (also through
/// Bedrock or Vertex names), else by the model's family.
pub fn provider_of_model(model: &str, default: &str) -> String {
    let m = model.to_ascii_lowercase();
    let provider = if m.contains("claude") {
        "anthropic"
    } else if m.starts_with("gpt")
        || m.starts_with("o1")
        || m.starts_with("o3")
        || m.starts_with("o4")
        || m.contains("codex")
    {
        "openai"
    } else if m.contains("gemini") {
        "google"
    } else {
        default
    };
    provider.to_string()
}

fn non_negative(v: Option<i64>) -> i64 {
    v.unwrap_or(0).max(0)
}

/// Reads one transcript line (`line` is its 1-based number).
///
/// # Errors
/// When a line that holds usage is not valid JSON or its usage has the wrong shape.
pub fn parse_line(bytes: &[u8], line: u64) -> Result<AgentLine, LineError> {
    if !may_hold_usage(bytes) {
        return Ok(AgentLine::Skipped(Skip::NoUsage));
    }
    let parsed: Line<'_> = serde_json::from_slice(bytes).map_err(|e| LineError {
        line,
        column: Some(e.column()),
        reason: format!("this line is not a Claude Code log entry ({e})"),
    })?;
    if parsed.kind.as_deref() == Some("cost-state") {
        return Ok(cost_state(&parsed));
    }
    let Some(message) = parsed.message else {
        return Ok(AgentLine::Skipped(Skip::NoUsage));
    };
    let Some(usage) = message.usage else {
        return Ok(AgentLine::Skipped(Skip::NoUsage));
    };
    if parsed.is_api_error == Some(true) {
        return Ok(AgentLine::Skipped(Skip::ApiError));
    }
    let model = message.model.unwrap_or_default();
    if model.is_empty() || model == SYNTHETIC_MODEL {
        return Ok(AgentLine::Skipped(Skip::Synthetic));
    }
    let Some(occurred_at) = parsed.timestamp.as_deref().and_then(super::parse_timestamp) else {
        return Err(LineError {
            line,
            column: None,
            reason: "this request has no readable timestamp".into(),
        });
    };
    let session_id = parsed.session_id.unwrap_or_default();
    let message_id = message.id.unwrap_or_default();
    let request_id = parsed.request_id.unwrap_or_default();
    let timestamp = parsed.timestamp.as_deref().unwrap_or_default();
    let key = match (message_id.is_empty(), request_id.is_empty()) {
        (false, false) => format!("claude|{message_id}|{request_id}"),
        // A gateway that answers every response with one message id and no request id: the
        // session and time tell its responses apart.
        (false, true) => format!("claude|{message_id}||{session_id}|{timestamp}"),
        (true, _) => format!(
            "claude-line|{session_id}|{}|{timestamp}",
            parsed.uuid.as_deref().unwrap_or_default()
        ),
    };
    let (five_minute_writes, one_hour_writes) = match &usage.cache_creation {
        Some(split)
            if split.ephemeral_5m_input_tokens.is_some()
                || split.ephemeral_1h_input_tokens.is_some() =>
        {
            (
                non_negative(split.ephemeral_5m_input_tokens),
                non_negative(split.ephemeral_1h_input_tokens),
            )
        }
        _ => (non_negative(usage.cache_creation_input_tokens), 0),
    };
    let tokens = Tokens {
        input: non_negative(usage.input_tokens),
        output: non_negative(usage.output_tokens),
        cache_write_5m: five_minute_writes,
        cache_write_1h: one_hour_writes,
        cache_read: non_negative(usage.cache_read_input_tokens),
        reasoning: non_negative(usage.output_tokens_details.and_then(|d| d.thinking_tokens)),
    };
    let speed = usage.speed.unwrap_or_default();
    Ok(AgentLine::Request(Box::new(AgentRequest {
        tool: Tool::ClaudeCode,
        provider: provider_of_model(&model, Tool::ClaudeCode.default_provider()),
        model,
        key,
        message_id,
        session_id,
        agent_id: parsed.agent_id.unwrap_or_default(),
        is_sidechain: parsed.is_sidechain.unwrap_or(false),
        occurred_at,
        cwd: parsed.cwd.unwrap_or_default(),
        repository: String::new(),
        tokens,
        web_search_requests: non_negative(
            usage.server_tool_use.and_then(|s| s.web_search_requests),
        ),
        fast: speed.eq_ignore_ascii_case("fast"),
        has_speed: !speed.is_empty(),
        reported_cost: parsed.cost_usd.and_then(|raw| super::dollars(raw.get())),
        fallback_model: false,
        line,
    })))
}

fn cost_state(parsed: &Line<'_>) -> AgentLine {
    let session_id = parsed.session_id.clone().unwrap_or_default();
    match parsed
        .total_cost_usd
        .and_then(|raw| super::dollars(raw.get()))
    {
        Some(total) if !session_id.is_empty() => AgentLine::SessionCost(SessionCost {
            tool: Tool::ClaudeCode,
            session_id,
            total,
            has_unknown_model_cost: parsed.has_unknown_model_cost.unwrap_or(false),
        }),
        _ => AgentLine::Skipped(Skip::NoUsage),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const REAL: &str = r#"{"parentUuid":"1ff742f9","isSidechain":false,"message":{"model":"claude-sonnet-4-6","id":"msg_013L5LaAZe5mRf4MVY1gBB3U","type":"message","role":"assistant","content":[{"type":"text","text":"usage"}],"stop_reason":"tool_use","usage":{"input_tokens":3,"cache_creation_input_tokens":2849,"cache_read_input_tokens":9493,"output_tokens":527,"server_tool_use":{"web_search_requests":0,"web_fetch_requests":0},"service_tier":"standard","cache_creation":{"ephemeral_1h_input_tokens":2849,"ephemeral_5m_input_tokens":0},"inference_geo":"","speed":"standard"}},"requestId":"req_011CaggwfaCLxM1JdpaaXsV2","type":"assistant","uuid":"a6a9cbc3","timestamp":"2026-05-04T01:50:18.499Z","userType":"external","entrypoint":"sdk-cli","cwd":"/private/var/mini-calculator-fr9jcG","sessionId":"dac472d2-1379-4e28-be38-cf9abf4ac4f0","version":"2.1.126","gitBranch":"HEAD"}"#;

    fn request(line: &str) -> AgentRequest {
        match parse_line(line.as_bytes(), 1).unwrap() {
            AgentLine::Request(r) => *r,
            other => panic!("not a request: {other:?}"),
        }
    }

    #[test]
    fn reads_a_real_assistant_line() {
        let r = request(REAL);
        assert_eq!(
            r.key,
            "claude|msg_013L5LaAZe5mRf4MVY1gBB3U|req_011CaggwfaCLxM1JdpaaXsV2"
        );
        assert_eq!(r.model, "claude-sonnet-4-6");
        assert_eq!(r.provider, "anthropic");
        assert_eq!(
            r.tokens,
            Tokens {
                input: 3,
                output: 527,
                cache_write_5m: 0,
                cache_write_1h: 2849,
                cache_read: 9493,
                reasoning: 0
            }
        );
        assert_eq!(r.occurred_at.to_string(), "2026-05-04 01:50:18.499");
        assert!(r.has_speed && !r.fast && !r.is_sidechain);
        assert_eq!(r.cwd, "/private/var/mini-calculator-fr9jcG");
    }

    #[test]
    fn synthetic_and_error_lines_are_skipped() {
        let synthetic = r#"{"isSidechain":false,"type":"assistant","timestamp":"2026-09-14T15:09:10.052Z","message":{"id":"9e60ee5c","model":"<synthetic>","role":"assistant","usage":{"input_tokens":0,"output_tokens":0,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"speed":null}},"requestId":"req_1","isApiErrorMessage":false}"#;
        assert_eq!(
            parse_line(synthetic.as_bytes(), 1).unwrap(),
            AgentLine::Skipped(Skip::Synthetic)
        );
        let error = r#"{"type":"assistant","timestamp":"2026-09-14T15:09:10.052Z","message":{"id":"msg_x","model":"claude-opus-4-5","usage":{"input_tokens":10,"output_tokens":0}},"requestId":"req_2","error":"rate_limit","isApiErrorMessage":true}"#;
        assert_eq!(
            parse_line(error.as_bytes(), 1).unwrap(),
            AgentLine::Skipped(Skip::ApiError)
        );
        let user = r#"{"type":"user","message":{"role":"user","content":"hi"}}"#;
        assert_eq!(
            parse_line(user.as_bytes(), 1).unwrap(),
            AgentLine::Skipped(Skip::NoUsage)
        );
    }

    #[test]
    fn cost_state_and_old_cost_usd() {
        let line = r#"{"type":"cost-state","sessionId":"2efd","totalCostUSD":0.031924600000000004,"modelUsage":{},"hasUnknownModelCost":false}"#;
        let AgentLine::SessionCost(c) = parse_line(line.as_bytes(), 1).unwrap() else {
            panic!()
        };
        assert_eq!(
            (c.session_id.as_str(), c.total.nanos()),
            ("2efd", 31_924_600)
        );
        let old = r#"{"type":"assistant","costUSD":0.0123,"timestamp":"2025-06-01T10:00:00Z","requestId":"r","message":{"id":"m","model":"claude-sonnet-4-20250514","usage":{"input_tokens":1,"output_tokens":2,"cache_creation_input_tokens":30}}}"#;
        let r = request(old);
        assert_eq!(r.reported_cost.unwrap().nanos(), 12_300_000);
        assert_eq!((r.tokens.cache_write_5m, r.tokens.cache_write_1h), (30, 0));
        assert!(!r.has_speed);
    }

    #[test]
    fn a_broken_usage_line_names_its_column() {
        let e = parse_line(
            br#"{"type":"assistant","message":{"usage":{"input_tokens":"x"}}}"#,
            7,
        )
        .unwrap_err();
        assert_eq!(e.line, 7);
        assert!(
            e.column.is_some() && e.reason.contains("not a Claude Code log entry"),
            "{e:?}"
        );
    }
}
