-- burnrate ledger, schema version 1.
-- Amounts are INTEGER nano-units (1e-9 of the currency's major unit); the text as written in
-- the source file is kept beside each amount. Timestamps are UTC, ISO 8601 text.

CREATE TABLE source_files (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL,
    path          TEXT NOT NULL,
    sha256        TEXT NOT NULL,
    format        TEXT NOT NULL,
    imported_at   TEXT NOT NULL,
    rows          INTEGER NOT NULL DEFAULT 0,
    inserted      INTEGER NOT NULL DEFAULT 0,
    updated       INTEGER NOT NULL DEFAULT 0,
    duplicates    INTEGER NOT NULL DEFAULT 0,
    rejected      INTEGER NOT NULL DEFAULT 0,
    -- set when a ledger was merged in: the other ledger's own source file id
    origin        TEXT
);

CREATE TABLE usage (
    id                INTEGER PRIMARY KEY,
    key               BLOB NOT NULL UNIQUE,
    fingerprint       INTEGER NOT NULL,
    source_kind       TEXT NOT NULL,
    day               TEXT NOT NULL,
    provider          TEXT NOT NULL,
    organization_id   TEXT NOT NULL,
    organization_name TEXT NOT NULL,
    project_id        TEXT NOT NULL,
    project_name      TEXT NOT NULL,
    model             TEXT NOT NULL,
    token_kind        TEXT NOT NULL,
    line_item         TEXT NOT NULL,
    api_key_id        TEXT NOT NULL,
    api_key_name      TEXT NOT NULL,
    user_ref          TEXT NOT NULL,
    dimensions        TEXT NOT NULL,
    tokens            INTEGER,
    requests          INTEGER,
    cost_nanos        INTEGER,
    currency          TEXT NOT NULL,
    cost_text         TEXT NOT NULL,
    grain             TEXT NOT NULL,
    source_file_id    INTEGER NOT NULL REFERENCES source_files(id),
    source_line       INTEGER NOT NULL
);
CREATE INDEX usage_day ON usage(day);
CREATE INDEX usage_grain ON usage(provider, organization_id, day, grain);
CREATE INDEX usage_source ON usage(source_file_id);

CREATE TABLE billing (
    id              INTEGER PRIMARY KEY,
    key             BLOB NOT NULL UNIQUE,
    fingerprint     INTEGER NOT NULL,
    occurred_at     TEXT NOT NULL,
    day             TEXT NOT NULL,
    provider        TEXT NOT NULL,
    number          TEXT NOT NULL,
    kind            TEXT NOT NULL,
    amount_nanos    INTEGER NOT NULL,
    currency        TEXT NOT NULL,
    amount_text     TEXT NOT NULL,
    status          TEXT NOT NULL,
    expires_at      TEXT,
    description     TEXT NOT NULL,
    organization    TEXT NOT NULL,
    project         TEXT NOT NULL,
    source_file_id  INTEGER NOT NULL REFERENCES source_files(id),
    source_line     INTEGER NOT NULL
);
CREATE INDEX billing_day ON billing(day);
CREATE INDEX billing_lookalike ON billing(day, amount_nanos);
CREATE INDEX billing_source ON billing(source_file_id);

CREATE TABLE bank_lines (
    id                  INTEGER PRIMARY KEY,
    key                 BLOB NOT NULL UNIQUE,
    fingerprint         INTEGER NOT NULL,
    account             TEXT NOT NULL,
    started_at          TEXT,
    posted_at           TEXT,
    day                 TEXT NOT NULL,
    description         TEXT NOT NULL,
    amount_nanos        INTEGER NOT NULL,
    currency            TEXT NOT NULL,
    amount_text         TEXT NOT NULL,
    original_nanos      INTEGER,
    original_currency   TEXT NOT NULL,
    fee_nanos           INTEGER,
    status              TEXT NOT NULL,
    issuer_id           TEXT NOT NULL,
    related_id          TEXT NOT NULL,
    note                TEXT NOT NULL,
    provider            TEXT,
    spend_kind          TEXT,
    source_file_id      INTEGER NOT NULL REFERENCES source_files(id),
    source_line         INTEGER NOT NULL
);
CREATE INDEX bank_day ON bank_lines(day);
CREATE INDEX bank_lookalike ON bank_lines(day, amount_nanos);
CREATE INDEX bank_provider ON bank_lines(provider);
CREATE INDEX bank_source ON bank_lines(source_file_id);

CREATE TABLE fx_rates (
    day             TEXT NOT NULL,
    currency        TEXT NOT NULL,
    per_euro_nanos  INTEGER NOT NULL,
    source_file_id  INTEGER NOT NULL REFERENCES source_files(id),
    PRIMARY KEY (day, currency)
);

CREATE TABLE merchant_rules (
    id          INTEGER PRIMARY KEY,
    pattern     TEXT NOT NULL UNIQUE,
    provider    TEXT NOT NULL,
    spend_kind  TEXT NOT NULL,
    created_at  TEXT NOT NULL
);

CREATE TABLE bank_mappings (
    header_signature TEXT PRIMARY KEY,
    mapping_json     TEXT NOT NULL,
    created_at       TEXT NOT NULL
);

CREATE TABLE settings (
    key    TEXT PRIMARY KEY,
    value  TEXT NOT NULL
);
