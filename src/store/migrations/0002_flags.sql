-- burnrate ledger, schema version 2: flags the user dismissed, with their note. A flag's id is
-- a hash of its kind and evidence, so a dismissal holds across runs until the evidence changes.
-- Budgets and detector thresholds live in `settings` as JSON (`budgets`, `flag_params`).

CREATE TABLE dismissed_flags (flag_id TEXT PRIMARY KEY, note TEXT NOT NULL, dismissed_at TEXT NOT NULL);
