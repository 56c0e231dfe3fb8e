-- burnrate ledger, schema version 9: usage summed per day and project, without the model.
--
-- The balance, flags, diagnose and the monthly review add up usage per account and day and per
-- project and day; the report adds it up per provider or project. `usage_daily` splits every
-- project's day by model, so a team with many projects and models has nearly as many daily
-- sums as records. `usage_project_daily` holds the same sums without the model (per day,
-- provider, organization id and name, project id and name, currency and grain), kept in the
-- same transaction as `usage_daily` by every import, undo, merge and masking, so it always
-- equals `usage_daily` summed over models. `usage_project_counted` applies the counted-usage
-- rule to it: the rule looks at the day, provider, organization and grain only, so it decides
-- the same whether a day is split by model or not.

CREATE TABLE usage_project_daily (
    day               TEXT NOT NULL,
    provider          TEXT NOT NULL,
    organization_id   TEXT NOT NULL,
    grain             TEXT NOT NULL,
    organization_name TEXT NOT NULL,
    project_id        TEXT NOT NULL,
    project_name      TEXT NOT NULL,
    currency          TEXT NOT NULL,
    records           INTEGER NOT NULL,
    cost_records      INTEGER NOT NULL,
    cost_nanos        INTEGER NOT NULL,
    tokens            INTEGER NOT NULL,
    PRIMARY KEY (day, provider, organization_id, grain, organization_name, project_id,
                 project_name, currency)
) STRICT, WITHOUT ROWID;

INSERT INTO usage_project_daily(day, provider, organization_id, grain, organization_name,
                                project_id, project_name, currency, records, cost_records,
                                cost_nanos, tokens)
SELECT day, provider, organization_id, grain, organization_name, project_id, project_name,
       currency, sum(records), sum(cost_records), sum(cost_nanos), sum(tokens)
FROM usage_daily
GROUP BY day, provider, organization_id, grain, organization_name, project_id, project_name,
         currency;

CREATE VIEW usage_project_counted AS
SELECT * FROM usage_project_daily r
WHERE r.cost_records > 0
  AND (r.grain != 'total' OR NOT EXISTS (
      SELECT 1 FROM usage_project_daily d
      WHERE d.day = r.day AND d.provider = r.provider AND d.organization_id = r.organization_id
        AND d.grain = 'detail' AND d.cost_records > 0));
