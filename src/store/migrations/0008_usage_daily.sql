-- burnrate ledger, schema version 8: usage found by day and key, and summed per day, so that a
-- large export imports at the speed of the disk and reports, flags, the balance and the window
-- add up a few rows a day instead of every usage record.
--
-- `usage` is rebuilt with its unique index on (day, key) instead of key alone. A key is the
-- hash of a record's natural key and occurrence, and the natural key holds the day, so a key is
-- unique within its day exactly as it was unique alone; but an export lists its days in order,
-- so new entries land at the end of this index instead of at random places in an index of
-- hashes, and the same index serves the day ranges the usage table asks for. The index by
-- provider, organization, day and grain served the counted-usage rule when it was asked of
-- every record; the daily sums answer it now.
--
-- `usage_daily` holds, per day, provider, organization (id and name), project (id and name),
-- model, currency and grain, how many usage records there are, how many have a cost, the sum of
-- their costs (nano-units) and of their tokens. Every import, undo and merge changes it in the
-- same transaction as the records, so it always equals the sums of `usage`. It is STRICT: a sum
-- past the range of a 64-bit integer is refused instead of turning into an inexact float.
--
-- `usage_dimensions` holds the combinations of provider, organization, project, model, currency
-- and grain that usage has, with how many records each: the filters' choices and the
-- organizations' names without reading every day's sums. It changes with `usage_daily`.
--
-- `usage_counted` is the rule that decides which usage counts toward totals, in one place:
-- groups with a cost, except organisation-wide totals (`grain = 'total'`, an ungrouped OpenAI
-- export) on days when the same provider and organization have detailed rows with a cost, which
-- would count the day twice.

CREATE TABLE usage_by_day (
    id                INTEGER PRIMARY KEY,
    key               BLOB NOT NULL,
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
    source_line       INTEGER NOT NULL,
    charge            TEXT NOT NULL DEFAULT '',
    byok_cost_nanos   INTEGER
);
INSERT INTO usage_by_day SELECT * FROM usage ORDER BY id;
DROP TABLE usage;
ALTER TABLE usage_by_day RENAME TO usage;
CREATE UNIQUE INDEX usage_key ON usage(day, key);
CREATE INDEX usage_source ON usage(source_file_id);

CREATE TABLE usage_daily (
    day               TEXT NOT NULL,
    provider          TEXT NOT NULL,
    organization_id   TEXT NOT NULL,
    grain             TEXT NOT NULL,
    organization_name TEXT NOT NULL,
    project_id        TEXT NOT NULL,
    project_name      TEXT NOT NULL,
    model             TEXT NOT NULL,
    currency          TEXT NOT NULL,
    records           INTEGER NOT NULL,
    cost_records      INTEGER NOT NULL,
    cost_nanos        INTEGER NOT NULL,
    tokens            INTEGER NOT NULL,
    PRIMARY KEY (day, provider, organization_id, grain, organization_name, project_id,
                 project_name, model, currency)
) STRICT, WITHOUT ROWID;

INSERT INTO usage_daily(day, provider, organization_id, grain, organization_name, project_id,
                        project_name, model, currency, records, cost_records, cost_nanos, tokens)
SELECT day, provider, organization_id, grain, organization_name, project_id, project_name, model,
       currency, count(*), count(cost_nanos), coalesce(sum(cost_nanos), 0), coalesce(sum(tokens), 0)
FROM usage
GROUP BY day, provider, organization_id, grain, organization_name, project_id, project_name, model,
         currency;

CREATE TABLE usage_dimensions (
    provider          TEXT NOT NULL,
    organization_id   TEXT NOT NULL,
    grain             TEXT NOT NULL,
    organization_name TEXT NOT NULL,
    project_id        TEXT NOT NULL,
    project_name      TEXT NOT NULL,
    model             TEXT NOT NULL,
    currency          TEXT NOT NULL,
    records           INTEGER NOT NULL,
    PRIMARY KEY (provider, organization_id, grain, organization_name, project_id, project_name,
                 model, currency)
) STRICT, WITHOUT ROWID;

INSERT INTO usage_dimensions(provider, organization_id, grain, organization_name, project_id,
                             project_name, model, currency, records)
SELECT provider, organization_id, grain, organization_name, project_id, project_name, model,
       currency, sum(records)
FROM usage_daily
GROUP BY provider, organization_id, grain, organization_name, project_id, project_name, model,
         currency;

CREATE VIEW usage_counted AS
SELECT * FROM usage_daily r
WHERE r.cost_records > 0
  AND (r.grain != 'total' OR NOT EXISTS (
      SELECT 1 FROM usage_daily d
      WHERE d.day = r.day AND d.provider = r.provider AND d.organization_id = r.organization_id
        AND d.grain = 'detail' AND d.cost_records > 0));

