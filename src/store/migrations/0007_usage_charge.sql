-- burnrate ledger, schema version 7: how a usage row was charged.
--
-- `charge` says why a cost is what it is: '' billed as written (every row before this version),
-- 'included' inside the plan the user pays for (Cursor's included and free requests, GitHub's
-- allowance), 'not_charged' (an errored or aborted request), 'byok' (run through a router with the
-- user's own provider key). `byok_cost_nanos` is what a BYOK request cost at that provider: kept
-- apart and never added to totals, since that provider's own export counts it.

ALTER TABLE usage ADD COLUMN charge TEXT NOT NULL DEFAULT '';
ALTER TABLE usage ADD COLUMN byok_cost_nanos INTEGER;
