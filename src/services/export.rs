//! Ledger tables as CSV files for a spreadsheet: the usage, billing and bank tables, with the
//! rows the user's filters and search let through, in the order shown. Both front ends write
//! CSV through [`csv_safe_text`], so a description such as `=HYPERLINK(..)` or `-cmd` is never
//! run as a formula when the file is opened.
//!
//! Amounts are exact decimals with their currency in the next column (never rounded, never a
//! float); the file is private to its owner, like the ledger it comes from.

use std::path::Path;

use anyhow::Context as _;

use crate::store::Store;

/// Makes a text cell safe to open in a spreadsheet: a cell starting with `=`, `+`, `-`, `@`, a
/// tab or a carriage return gets a leading apostrophe (numbers are written as numbers, not
/// through this).
pub fn csv_safe_text(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    }
}

/// A ledger table that can be exported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Table {
    Usage,
    Billing,
    Bank,
}

impl Table {
    /// The file name a save dialog proposes.
    pub fn file_name(self) -> &'static str {
        match self {
            Table::Usage => "burnrate-usage.csv",
            Table::Billing => "burnrate-billing.csv",
            Table::Bank => "burnrate-bank-lines.csv",
        }
    }

    fn header(self) -> &'static [&'static str] {
        match self {
            Table::Usage => &[
                "day", "provider", "project", "model", "kind", "tokens", "cost", "currency",
            ],
            Table::Billing => &[
                "day",
                "provider",
                "kind",
                "number",
                "status",
                "amount",
                "currency",
                "description",
            ],
            Table::Bank => &[
                "day",
                "account",
                "description",
                "ai_service",
                "spend_kind",
                "status",
                "amount",
                "currency",
            ],
        }
    }
}

/// Rows read from the ledger per query.
const PAGE: usize = 2_000;

/// Writes the rows `ids` of `table` (in that order) to `path` as CSV; returns how many.
///
/// # Errors
/// When the ledger cannot be read or the file cannot be written (the message names the file).
pub fn export_table(
    store: &Store,
    table: Table,
    ids: &[i64],
    path: &Path,
) -> anyhow::Result<usize> {
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(table.header())?;
    for page in ids.chunks(PAGE) {
        write_page(store, table, page, &mut out)?;
    }
    let bytes = out
        .into_inner()
        .map_err(|e| anyhow::anyhow!("could not write the CSV: {e}"))?;
    crate::store::write_private(path, &bytes)
        .with_context(|| format!("could not write the file: {}", path.display()))?;
    Ok(ids.len())
}

fn write_page(
    store: &Store,
    table: Table,
    ids: &[i64],
    out: &mut csv::Writer<Vec<u8>>,
) -> anyhow::Result<()> {
    let text = |s: &str| csv_safe_text(s);
    match table {
        Table::Usage => {
            for r in store.usage_rows(ids)? {
                out.write_record([
                    text(&r.day),
                    text(&r.provider),
                    text(&r.project),
                    text(&r.model),
                    text(&r.token_kind),
                    r.tokens.map(|t| t.to_string()).unwrap_or_default(),
                    r.cost.map(|c| c.to_string()).unwrap_or_default(),
                    text(&r.currency),
                ])?;
            }
        }
        Table::Billing => {
            for r in store.billing_rows(ids)? {
                out.write_record([
                    text(&r.day),
                    text(&r.provider),
                    text(&r.kind),
                    text(&r.number),
                    text(&r.status),
                    r.amount.to_string(),
                    text(&r.currency),
                    text(&r.description),
                ])?;
            }
        }
        Table::Bank => {
            for r in store.bank_rows(ids)? {
                out.write_record([
                    text(&r.day),
                    text(&r.account),
                    text(&r.description),
                    text(&r.provider),
                    text(&r.spend_kind),
                    text(&r.status),
                    r.amount.to_string(),
                    text(&r.currency),
                ])?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::import::FileOptions;
    use crate::store::ImportMode;

    #[test]
    fn formula_like_text_is_quoted() {
        assert_eq!(csv_safe_text("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(csv_safe_text("+1"), "'+1");
        assert_eq!(csv_safe_text("-cmd"), "'-cmd");
        assert_eq!(csv_safe_text("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_safe_text("\tx"), "'\tx");
        assert_eq!(csv_safe_text("project"), "project");
    }

    #[test]
    fn a_bank_table_exports_in_order_with_exact_amounts_and_safe_text() {
        let dir = tempfile::tempdir().unwrap();
        let statement = dir.path().join("revolut.csv");
        std::fs::write(
            &statement,
            "Type,Product,Started Date,Completed Date,Description,Amount,Fee,Currency,State,Balance\n\
             CARD_PAYMENT,Current,2026-03-01 10:00:00,2026-03-02 10:00:00,OpenAI,-20.50,0.00,EUR,COMPLETED,100.00\n\
             CARD_PAYMENT,Current,2026-03-03 10:00:00,2026-03-04 10:00:00,=cmd|' /C calc'!A0,-1.25,0.00,EUR,COMPLETED,98.75\n",
        )
        .unwrap();
        let mut store = Store::open_in_memory().unwrap();
        let reports = crate::services::import::import_paths(
            &mut store,
            &[statement],
            &FileOptions::default(),
            ImportMode::default(),
            &mut |_| true,
        )
        .unwrap();
        assert!(reports[0].error.is_none(), "{:?}", reports[0].error);
        let query = crate::domain::views::TableQuery {
            search: String::new(),
            bounds: crate::domain::views::DayBounds::all(),
            filters: crate::domain::views::Filters::default(),
            account_aliases: Vec::new(),
            focus: None,
            sort: crate::domain::views::Sort::NEWEST,
        };
        let ids = store.bank_ids(&query).unwrap();
        let path = dir.path().join("bank.csv");
        assert_eq!(export_table(&store, Table::Bank, &ids, &path).unwrap(), 2);
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[0],
            "day,account,description,ai_service,spend_kind,status,amount,currency"
        );
        assert!(lines[1].contains("'=cmd"), "{text}");
        assert!(lines[1].contains("-1.25,EUR"), "{text}");
        assert!(lines[2].contains("OpenAI"), "{text}");
        assert!(lines[2].contains("-20.5"), "{text}");
    }
}
