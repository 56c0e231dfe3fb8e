-- burnrate ledger, schema version 10: bank lines and billing records kept with fewer indexes, so
-- a statement of a hundred thousand lines imports faster, and nothing that asks for them slows.
--
-- `bank_day` and `billing_day` repeated the start of `bank_lookalike` and `billing_lookalike`
-- (day, amount): every question by day, a range of days or the first and last day is answered
-- by those as fast.
--
-- `bank_provider` held every line of every statement, though most lines pay no AI service (a
-- line no merchant rule tags has no provider). It now holds only the tagged lines, which is what
-- the flags, the review, the matching and the paid report ask for (`provider IS NOT NULL`, or a
-- provider by name): a smaller index, and a grocery line is not written into it.

DROP INDEX bank_day;
DROP INDEX billing_day;
DROP INDEX bank_provider;
CREATE INDEX bank_provider ON bank_lines(provider) WHERE provider IS NOT NULL;
