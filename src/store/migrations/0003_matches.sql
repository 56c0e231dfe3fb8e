-- burnrate ledger, schema version 3: the user's decisions on matches. A pair names two records
-- as flags name them: `billing:3` and `bank:12` (a billing record and the line that paid it), or
-- `bank:5` and `bank:9` (a hold and the line that ended it). A confirmed pair is matched whatever
-- the rules say; an unlinked pair is never matched again. Deciding a pair again replaces it.

CREATE TABLE match_decisions (
    left_record   TEXT NOT NULL,
    right_record  TEXT NOT NULL,
    decision      TEXT NOT NULL CHECK (decision IN ('confirmed', 'unlinked')),
    decided_at    TEXT NOT NULL,
    PRIMARY KEY (left_record, right_record)
);
