//! What `burnrate import` says about files it cannot take, as a user meets them: a PDF renamed
//! to `.csv`, a workbook, a file whose every row is bad, a row one cell short. Each failure
//! exits 1 with a message naming the file and what to do; nothing is written.

use std::path::{Path, PathBuf};

use crate::common::run as burnrate;

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn history_is_empty(db: &Path) -> bool {
    let out = burnrate(db, &["history", "--json"]);
    serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap() == serde_json::json!([])
}

#[test]
fn a_pdf_named_csv_says_it_is_a_pdf_and_where_the_csv_is() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ledger.sqlite");
    let pdf = write(
        dir.path(),
        "statement.csv",
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n",
    );
    let out = burnrate(&db, &["import", pdf.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    let err = text(&out.stderr);
    assert!(
        err.contains("this file is a PDF document, not a CSV export")
            && err.contains("download the CSV export instead")
            && err.contains("statement.csv"),
        "{err}"
    );
    assert!(!err.contains("no header row"), "{err}");
    assert!(history_is_empty(&db));
}

#[test]
fn other_files_that_are_not_csv_are_named_too() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ledger.sqlite");
    let cases: &[(&str, &[u8], &str)] = &[
        (
            "export.csv",
            b"PK\x03\x04\x14\0\x06\0\x08\0\0\0!\0",
            "an Excel workbook (.xlsx) or a ZIP archive",
        ),
        (
            "activity.csv",
            b"<!DOCTYPE html>\n<html><head><title>Billing</title></head>",
            "a web page saved from the browser",
        ),
        (
            "card.csv",
            b"OFXHEADER:100\nDATA:OFXSGML\nVERSION:102\n",
            "an OFX/QFX bank file",
        ),
    ];
    for (name, bytes, what) in cases {
        let path = write(dir.path(), name, bytes);
        let out = burnrate(&db, &["import", path.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(1), "{name}");
        let err = text(&out.stderr);
        assert!(err.contains(what) && err.contains(name), "{name}: {err}");
    }
    assert!(history_is_empty(&db));
}

#[test]
fn a_file_whose_every_row_is_rejected_fails_and_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ledger.sqlite");
    let bad = write(
        dir.path(),
        "chase.csv",
        b"Transaction Date,Post Date,Description,Category,Type,Amount,Memo\n\
13/45/2026,01/15/2026,OPENAI,Shopping,Sale,-20.00,\n\
01/14/2026,01/15/2026,ANTHROPIC,Shopping,Sale,twenty,\n",
    );
    let out = burnrate(&db, &["import", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    let err = text(&out.stderr);
    assert!(
        err.contains("none of its 2 row(s) could be read, so nothing was imported")
            && err.contains("line 2, column 1 (Transaction Date)")
            && err.contains("chase.csv"),
        "{err}"
    );
    let out_text = text(&out.stdout);
    assert!(
        out_text.contains("rejected line 3, column 6 (Amount)"),
        "{out_text}"
    );
    assert!(!out_text.contains("imported 0 new"), "{out_text}");
    assert!(history_is_empty(&db), "nothing is recorded as imported");

    // One good row is enough for the file to import (exit 0), its bad row listed.
    let mixed = write(
        dir.path(),
        "chase-mixed.csv",
        b"Transaction Date,Post Date,Description,Category,Type,Amount,Memo\n\
01/13/2026,01/15/2026,OPENAI,Shopping,Sale,-20.00,\n\
01/14/2026,01/15/2026,ANTHROPIC,Shopping,Sale,twenty,\n",
    );
    let out = burnrate(&db, &["import", mixed.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("imported 1 new"));

    // A header with no data rows (a quiet month) is not a failure.
    let empty = write(
        dir.path(),
        "quiet.csv",
        b"Transaction Date,Post Date,Description,Category,Type,Amount,Memo\n",
    );
    let out = burnrate(&db, &["import", empty.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}

#[test]
fn a_row_one_cell_short_is_reported_with_its_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ledger.sqlite");
    let csv = write(
        dir.path(),
        "cost.csv",
        b"start_time,end_time,start_time_iso,end_time_iso,amount_value,amount_currency,quantity,quantity_unit,line_item,user_id,api_key_id,project_id,organization_id,project_name,organization_name,user_email,api_source\n\
1790553600,1790640000,2026-09-28T00:00:00,2026-09-29T00:00:00,0.25,usd,,,,,,,org-1,,Fixture Org,someone@example.com,\n\
1790553600,1790640000,2026-09-28T00:00:00,2026-09-29T00:00:00,0.5,usd,1000,tokens,\"gpt-5-nano, input_tokens\",,key_1,proj_a,org-1,Proj A,someone@example.com,\n",
    );
    let out = burnrate(&db, &["import", "--json", csv.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v[0]["inserted"], 1);
    assert_eq!(v[0]["rejected"][0]["line"], 3);
    assert_eq!(v[0]["rejected"][0]["column"], 17);
    assert_eq!(v[0]["rejected"][0]["column_name"], "api_source");
    let report = burnrate(&db, &["report", "--json", "--by", "provider"]);
    assert!(
        !text(&report.stdout).contains("someone@example.com"),
        "{}",
        text(&report.stdout)
    );
}

#[test]
fn a_mapping_that_says_no_currency_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ledger.sqlite");
    let csv = write(
        dir.path(),
        "mybank.csv",
        b"Booked,Text,Sum\n2026-11-01,OPENAI *CHATGPT SUBSCR,-20.00\n",
    );
    let map = |currency: &str| {
        burnrate(
            &db,
            &[
                "map",
                csv.to_str().unwrap(),
                "--date",
                "Booked",
                "--description",
                "Text",
                "--amount",
                "Sum",
                "--default-currency",
                currency,
            ],
        )
    };
    let out = map(" ");
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    assert!(
        text(&out.stderr).contains("does not say which currency the amounts are in"),
        "{}",
        text(&out.stderr)
    );
    let out = map("euro");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("'euro' is not a currency code"),
        "{}",
        text(&out.stderr)
    );
    let out = map("eur");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let out = burnrate(&db, &["import", "--json", csv.to_str().unwrap()]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v[0]["inserted"], 1);
    let paid = burnrate(&db, &["report", "--what", "paid", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&paid.stdout).unwrap();
    assert_eq!(v[0]["currency"], "EUR", "{v}");
}

#[test]
fn an_amex_export_that_does_not_say_its_currency_is_asked_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ledger.sqlite");
    let bare = write(
        dir.path(),
        "amex.csv",
        b"Date,Description,Amount\n01/17/2026,OPENAI *CHATGPT SUBSCR,21.78\n01/15/2026,PAYMENT RECEIVED - THANK YOU,-99.99\n",
    );
    let out = burnrate(&db, &["import", "--json", bare.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v[0]["needs_currency"], true, "{v}");
    let err = text(&out.stderr);
    assert!(
        err.contains("does not say which currency") && err.contains("--currency"),
        "{err}"
    );
    assert!(history_is_empty(&db));

    let out = burnrate(
        &db,
        &["import", "--currency", "pounds", bare.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(2), "a bad code is a usage error");

    let out = burnrate(
        &db,
        &["import", "--currency", "gbp", bare.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let paid = burnrate(&db, &["report", "--what", "paid", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&paid.stdout).unwrap();
    assert_eq!(v[0]["currency"], "GBP", "{v}");
    // The Norwegian export says its currency by its language, whatever --currency says.
    let no = crate::common::fixture("bank_us/amex-no.csv");
    let out = burnrate(&db, &["import", "--currency", "gbp", no.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let paid = burnrate(&db, &["report", "--what", "paid", "--csv"]);
    assert!(text(&paid.stdout).contains("NOK"), "{}", text(&paid.stdout));
}

/// Regression (review of issue 8, finding 2): a bank or wallet export whose currency cell is not
/// a code (`€`, `Euro`) was imported as a line in "no currency" (XXX), which matching, balances
/// and the review then leave out without a word. Now the row is rejected with the file, line and
/// column, and the file's other rows import.
#[test]
fn a_currency_cell_that_is_not_a_code_rejects_its_row_with_file_line_and_column() {
    let cases = [
        ("revolut.csv", "Currency", "€"),
        ("revolut-business.csv", "Payment currency", "Euro"),
        ("monzo.csv", "Currency", "£"),
        ("wise.csv", "Source currency", "EURO"),
        ("wise-statement.csv", "Currency", "€"),
        ("paypal.csv", "Currency", "US$"),
        ("paypal.csv", "Currency", ""),
    ];
    for (name, column, bad) in cases {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("ledger.sqlite");
        let fixture = crate::common::fixture(&format!("bank_eu/{name}"));
        let mut reader = csv::Reader::from_path(&fixture).unwrap();
        let header = reader.headers().unwrap().clone();
        let at = header.iter().position(|h| h == column).unwrap();
        let mut rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        let edited: csv::StringRecord = rows[0]
            .iter()
            .enumerate()
            .map(|(i, cell)| if i == at { bad } else { cell })
            .collect();
        rows[0] = edited;
        let mut writer = csv::Writer::from_writer(Vec::new());
        writer.write_record(&header).unwrap();
        for row in &rows {
            writer.write_record(row).unwrap();
        }
        let file = write(dir.path(), name, &writer.into_inner().unwrap());

        let out = burnrate(&db, &["import", "--json", file.to_str().unwrap()]);
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let rejected = v[0]["rejected"].as_array().unwrap();
        assert_eq!(rejected.len(), 1, "{name} {bad:?}: {rejected:?}");
        assert_eq!(rejected[0]["line"], 2, "{name}");
        assert_eq!(rejected[0]["column"], at + 1, "{name}");
        assert_eq!(rejected[0]["column_name"], column, "{name}");
        let reason = rejected[0]["reason"].as_str().unwrap();
        let want = if bad.is_empty() {
            "the currency is empty".to_string()
        } else {
            format!("'{bad}' is not a currency code")
        };
        assert!(reason.contains(&want), "{name}: {reason}");
        assert!(v[0]["inserted"].as_u64().unwrap() >= 1, "{name}: {v}");
        assert_eq!(out.status.code(), Some(0), "{name}");
        let stored: i64 = rusqlite::Connection::open(&db)
            .unwrap()
            .query_row(
                "SELECT COUNT(*) FROM bank_lines WHERE currency NOT GLOB '[A-Z][A-Z][A-Z]' OR currency = 'XXX'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(stored, 0, "{name}: no line stored without its currency");

        // The text report names the file, the line and the column.
        let again = dir.path().join("again.sqlite");
        let out = burnrate(&again, &["import", file.to_str().unwrap()]);
        let said = text(&out.stdout);
        assert!(
            said.contains(name) && said.contains(&format!("line 2, column {} ({column})", at + 1)),
            "{said}"
        );
    }
}
