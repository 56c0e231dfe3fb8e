-- burnrate ledger, schema version 6: what a balance is anchored to and what each file spans.
--
-- A balance checkpoint is the credit balance a provider's billing page showed for an account
-- at a moment, typed in (`burnrate checkpoint add`, the window's balance card) or imported as a
-- `balance` row of the burnrate billing CSV (then `key` de-duplicates it and `source_file_id`
-- lets an undo remove it). `at` is UTC; a checkpoint given as a date is stored at midnight.
--
-- A file's span runs from its first record to the moment it was downloaded: `modified_at` is
-- the file's modification time when it was imported (UTC, NULL when unknown), and `file_spans`
-- holds, per imported file, the first and last day of its billing records per provider (every
-- row read, duplicates of earlier imports included) and of its bank lines (provider '').

ALTER TABLE source_files ADD COLUMN modified_at TEXT;

CREATE TABLE file_spans (
    source_file_id  INTEGER NOT NULL REFERENCES source_files(id) ON DELETE CASCADE,
    kind            TEXT NOT NULL CHECK (kind IN ('billing', 'bank')),
    provider        TEXT NOT NULL,
    first_day       TEXT NOT NULL,
    last_day        TEXT NOT NULL,
    PRIMARY KEY (source_file_id, kind, provider)
);

CREATE TABLE balance_checkpoints (
    id              INTEGER PRIMARY KEY,
    key             BLOB UNIQUE,
    provider        TEXT NOT NULL,
    organization    TEXT NOT NULL DEFAULT '',
    at              TEXT NOT NULL,
    day             TEXT NOT NULL,
    amount_nanos    INTEGER NOT NULL,
    amount_text     TEXT NOT NULL,
    currency        TEXT NOT NULL,
    source_file_id  INTEGER REFERENCES source_files(id) ON DELETE CASCADE,
    source_line     INTEGER,
    created_at      TEXT NOT NULL
);
CREATE INDEX balance_checkpoints_account ON balance_checkpoints(provider, organization, day);
