//! Bank, card and `PayPal` statements: one file per issuer family, each declaring its formats
//! (`Format`: id, detection by header, columns bound by name) and reading its rows into a
//! [`line::Line`], which [`line::Line::build`] turns into the ledger's `BankLine` with the
//! rules every issuer shares (signs, fees, foreign sides, natural keys). Issuers without quirks
//! of their own configure the shared [`statement::StatementParser`] instead of writing a parser.
//!
//! Every line leaves here with `amount` negative for money out, whatever the issuer wrote, a
//! non-negative fee charged on top, a foreign amount carrying the line's sign, and a natural key
//! (the issuer's id where there is one). Statements without a status column give settled lines.
//!
//! Adding an issuer: a new file here with its `Format`s (and its tests), a `mod` line below, and
//! one entry in the registry (`formats::FORMATS`). Pure: no file system, no store.

mod amex;
mod apple;
mod capital_one;
mod chase;
mod citi;
mod generic;
mod line;
mod monzo;
mod n26;
mod paypal;
mod revolut;
mod statement;
#[cfg(test)]
mod test_support;
mod wise;

pub use amex::Amex;
pub use apple::AppleCard;
pub use capital_one::{CapitalOne, CapitalOne360};
pub use chase::{ChaseCard, ChaseChecking};
pub use citi::Citi;
pub use generic::GenericBank;
pub use monzo::Monzo;
pub use n26::N26;
pub use paypal::PayPal;
pub use revolut::{Revolut, RevolutBusiness};
pub use wise::{Wise, WiseStatement};

#[cfg(test)]
mod tests {
    use crate::domain::import::dates::DateOrder;
    use crate::domain::import::{FileOptions, parse_bytes};

    use super::test_support::parse;

    #[test]
    fn european_detection_needs_the_issuers_columns() {
        let cases: &[(&str, bool)] = &[
            (
                "Date,Payee,Transaction type,Amount (Foreign Currency)\n2026-01-01,x,y,1\n",
                false,
            ),
            (
                "ID,Status,Direction,Created on\nX,COMPLETED,OUT,2026-01-01\n",
                false,
            ),
            (
                "Transaction ID,Date,Time,Name,Amount,Currency\ntx_1,01/02/2026,10:00,x,-1,GBP\n",
                false,
            ),
            (
                "Date,Description,Amount,Currency\n2026-01-01,x,-1,EUR\n",
                false,
            ),
        ];
        for (csv, recognised) in cases {
            let result = parse_bytes(csv.as_bytes(), &FileOptions::default());
            let ours = result.as_ref().is_ok_and(|p| {
                [
                    "revolut",
                    "revolut-business",
                    "wise",
                    "wise-statement",
                    "monzo",
                    "n26",
                ]
                .contains(&p.format_id)
            });
            assert_eq!(
                ours,
                *recognised,
                "{csv}: {:?}",
                result.map(|p| p.format_id)
            );
        }
    }

    #[test]
    fn missing_column_is_a_bind_error() {
        let csv = "Datum,Empfänger,Transaktionstyp,Betrag (EUR)\n2026-01-01,x,y,1\n";
        assert_eq!(parse(csv.as_bytes()).format_id, "n26");
        let options = FileOptions {
            format: Some("revolut-business".into()),
            ..FileOptions::default()
        };
        let err = parse_bytes(csv.as_bytes(), &options)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("no column named 'Date started (UTC)'"),
            "{err}"
        );
        let options = FileOptions {
            format: Some("wise".into()),
            ..FileOptions::default()
        };
        let err = parse_bytes(csv.as_bytes(), &options)
            .unwrap_err()
            .to_string();
        assert!(err.contains("no column named 'ID'"), "{err}");
    }

    #[test]
    fn garbage_cells_never_panic() {
        let headers = [
            (
                "revolut",
                "Type,Product,Started Date,Completed Date,Description,Amount,Fee,Currency,State,Balance",
            ),
            (
                "revolut",
                "Completed Date;Reference;Paid Out (EUR);Paid In (EUR);Exchange Out;Exchange In;Balance (EUR)",
            ),
            (
                "revolut-business",
                "Date started (UTC),Date completed (UTC),ID,State,Description,Orig currency,Orig amount,Payment currency,Amount,Fee,Fee currency,Account",
            ),
            (
                "wise",
                "ID,Status,Direction,Created on,Finished on,Source fee amount,Source fee currency,Target fee amount,Target fee currency,Source name,Source amount (after fees),Source currency,Target name,Target amount (after fees),Target currency",
            ),
            (
                "wise-statement",
                "TransferWise ID,Date,Date Time,Amount,Currency,Description,Exchange To,Exchange To Amount,Transaction Type,Merchant",
            ),
            (
                "monzo",
                "Transaction ID,Date,Time,Name,Amount,Currency,Local amount,Local currency,Money Out,Money In",
            ),
            (
                "monzo",
                "id,created,amount,currency,local_amount,local_currency,description,settled,decline_reason",
            ),
            (
                "n26",
                "Booking Date,Value Date,Partner Name,Payment Reference,Account Name,Amount (EUR),Original Amount,Original Currency",
            ),
            (
                "paypal",
                "Date,Time,TimeZone,Name,Type,Status,Currency,Gross,Fee,Net,Transaction ID,Reference Txn ID,Balance Impact",
            ),
        ];
        let junk = [
            "",
            "-",
            "\u{e9}",
            "1\u{e9}1",
            "+1\u{e9}1",
            "99999999999999",
            "-9999999999.999999999",
            "(",
            "31/02/2026",
            "2026-13-45",
            "September",
            "GBP 1,2",
            "1,2,3",
            "Memo",
            "NEUTRAL",
            "IN",
            "DEBIT",
            "PENDING",
            "13:99",
            "GMT+",
            "9999999999",
            "-9999999999",
            "2026-01-01 10:00:00",
            "01/02/2026",
        ];
        for (id, header) in headers {
            let delimiter = if header.contains(';') { ';' } else { ',' };
            let columns = header.split(delimiter).count();
            let mut csv = format!("{header}\n");
            for row in 0..junk.len() * 3 {
                let cells: Vec<&str> = (0..columns)
                    .map(|c| junk[(row * 7 + c * (row % 5 + 1)) % junk.len()])
                    .collect();
                csv.push_str(&cells.join(&delimiter.to_string()));
                csv.push('\n');
            }
            for order in [None, Some(DateOrder::DayFirst)] {
                let options = FileOptions {
                    format: Some(id.into()),
                    date_order: order,
                    ..FileOptions::default()
                };
                let _ = parse_bytes(csv.as_bytes(), &options);
            }
        }
    }
}
