-- burnrate ledger, schema version 5: coding-agent usage (Claude Code, Codex), the price table's
-- user entries, which plan pays for which tool, and project rules for agent working folders.
--
-- One agent_usage row per model request, keyed by the hash of the request's natural key (Claude:
-- message id + request id; Codex: time, model and token figures), the same key wherever the
-- request was copied. Each row keeps its API-equivalent value (NULL: no price for the model on
-- that day, never 0) and the version of the price that gave it, computed at import.

CREATE TABLE agent_usage (
    id                     INTEGER PRIMARY KEY,
    key                    BLOB NOT NULL UNIQUE,
    tool                   TEXT NOT NULL,
    provider               TEXT NOT NULL,
    model                  TEXT NOT NULL,
    message_id             TEXT NOT NULL,
    session_id             TEXT NOT NULL,
    agent_id               TEXT NOT NULL,
    is_sidechain           INTEGER NOT NULL,
    machine                TEXT NOT NULL,
    cwd                    TEXT NOT NULL,
    project_auto           TEXT NOT NULL,
    project                TEXT NOT NULL,
    occurred_at            TEXT NOT NULL,
    day                    TEXT NOT NULL,
    input_tokens           INTEGER NOT NULL,
    output_tokens          INTEGER NOT NULL,
    cache_write_5m_tokens  INTEGER NOT NULL,
    cache_write_1h_tokens  INTEGER NOT NULL,
    cache_read_tokens      INTEGER NOT NULL,
    reasoning_tokens       INTEGER NOT NULL,
    web_search_requests    INTEGER NOT NULL,
    fast                   INTEGER NOT NULL,
    has_speed              INTEGER NOT NULL,
    fallback_model         INTEGER NOT NULL,
    reported_cost_nanos    INTEGER,
    value_nanos            INTEGER,
    price_version          TEXT,
    source_file_id         INTEGER NOT NULL REFERENCES source_files(id),
    source_line            INTEGER NOT NULL
);
CREATE INDEX agent_usage_day ON agent_usage(day);
CREATE INDEX agent_usage_message ON agent_usage(message_id) WHERE message_id != '';
CREATE INDEX agent_usage_source ON agent_usage(source_file_id);

-- How far each log file was read: a file of the same size and time is skipped, a grown one is
-- read from `consumed` with the reader's saved `state`.
CREATE TABLE agent_log_files (
    path         TEXT PRIMARY KEY,
    tool         TEXT NOT NULL,
    size         INTEGER NOT NULL,
    modified_ns  INTEGER NOT NULL,
    consumed     INTEGER NOT NULL,
    lines        INTEGER NOT NULL,
    tail_sha     TEXT NOT NULL,
    state        TEXT NOT NULL,
    imported_at  TEXT NOT NULL
);

-- Claude Code's own running total per session (`cost-state`), the largest seen.
CREATE TABLE agent_session_costs (
    tool          TEXT NOT NULL,
    session_id    TEXT NOT NULL,
    total_nanos   INTEGER NOT NULL,
    has_unknown   INTEGER NOT NULL,
    PRIMARY KEY (tool, session_id)
);

-- The highest share of a plan's usage window seen per day (Codex `rate_limits`), in hundredths
-- of a percent.
CREATE TABLE agent_limits (
    day                    TEXT NOT NULL,
    tool                   TEXT NOT NULL,
    plan_type              TEXT NOT NULL,
    window_minutes         INTEGER NOT NULL,
    max_used_centipercent  INTEGER NOT NULL,
    PRIMARY KEY (day, tool, plan_type, window_minutes)
);

-- The user's prices (`settings price`), in nano-dollars per million tokens.
CREATE TABLE price_overrides (
    id                    INTEGER PRIMARY KEY,
    provider              TEXT NOT NULL,
    model                 TEXT NOT NULL,
    from_day              TEXT NOT NULL,
    input_nanos           INTEGER NOT NULL,
    output_nanos          INTEGER NOT NULL,
    cache_write_5m_nanos  INTEGER NOT NULL,
    cache_write_1h_nanos  INTEGER NOT NULL,
    cache_read_nanos      INTEGER NOT NULL,
    created_at            TEXT NOT NULL,
    UNIQUE (model, from_day)
);

-- Which plan pays for a tool's requests to a provider (`settings plan`).
CREATE TABLE agent_plans (
    tool      TEXT NOT NULL,
    provider  TEXT NOT NULL,
    kind      TEXT NOT NULL CHECK (kind IN ('subscription', 'api')),
    PRIMARY KEY (tool, provider)
);

-- `settings project-rule PREFIX --project NAME`: working folders under PREFIX are NAME.
CREATE TABLE agent_project_rules (
    prefix      TEXT PRIMARY KEY,
    project     TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
