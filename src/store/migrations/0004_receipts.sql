-- burnrate ledger, schema version 4: what receipts and invoices say beyond a billing record's
-- amount. Both document numbers (as `import::receipts::canonical_number` writes them), tax, the
-- credit granted when it differs from the money paid (credit excludes tax), the card, the
-- service period, whether the kind was inferred, the line items, and every place the record
-- was read (the billing CSV row, the e-mail, its PDF attachments, a forwarded copy), so that
-- the same payment from four sources stays one record. Rows typed in the billing CSV keep the
-- defaults.

ALTER TABLE billing ADD COLUMN receipt_number TEXT NOT NULL DEFAULT '';
ALTER TABLE billing ADD COLUMN invoice_number TEXT NOT NULL DEFAULT '';
ALTER TABLE billing ADD COLUMN tax_nanos INTEGER;
ALTER TABLE billing ADD COLUMN tax_label TEXT NOT NULL DEFAULT '';
ALTER TABLE billing ADD COLUMN credit_nanos INTEGER;
ALTER TABLE billing ADD COLUMN card_brand TEXT NOT NULL DEFAULT '';
ALTER TABLE billing ADD COLUMN card_last4 TEXT NOT NULL DEFAULT '';
ALTER TABLE billing ADD COLUMN period_start TEXT;
ALTER TABLE billing ADD COLUMN period_end TEXT;
ALTER TABLE billing ADD COLUMN kind_inferred INTEGER NOT NULL DEFAULT 0;

CREATE INDEX billing_receipt_number ON billing(provider, receipt_number) WHERE receipt_number != '';
CREATE INDEX billing_invoice_number ON billing(provider, invoice_number) WHERE invoice_number != '';
CREATE INDEX billing_number ON billing(provider, number) WHERE number != '';

CREATE TABLE billing_items (
    billing_id    INTEGER NOT NULL REFERENCES billing(id) ON DELETE CASCADE,
    position      INTEGER NOT NULL,
    description   TEXT NOT NULL,
    quantity      TEXT NOT NULL,
    amount_nanos  INTEGER NOT NULL,
    period_start  TEXT,
    period_end    TEXT,
    PRIMARY KEY (billing_id, position)
);

-- `via` is table, email, forward or pdf; `row_key` is the key a billing-CSV row would have had
-- when the row was found to be a receipt already in the ledger (re-importing the CSV then finds
-- it again).
CREATE TABLE billing_sources (
    id              INTEGER PRIMARY KEY,
    billing_id      INTEGER NOT NULL REFERENCES billing(id) ON DELETE CASCADE,
    source_file_id  INTEGER NOT NULL REFERENCES source_files(id) ON DELETE CASCADE,
    via             TEXT NOT NULL,
    message_id      TEXT NOT NULL,
    attachment      TEXT NOT NULL,
    row_key         BLOB
);
CREATE UNIQUE INDEX billing_sources_once ON billing_sources(billing_id, source_file_id, message_id, attachment);
CREATE INDEX billing_sources_billing ON billing_sources(billing_id);
CREATE INDEX billing_sources_message ON billing_sources(message_id) WHERE message_id != '';
CREATE INDEX billing_sources_row_key ON billing_sources(row_key) WHERE row_key IS NOT NULL;
