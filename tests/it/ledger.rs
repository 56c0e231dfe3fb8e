//! The ledger's promises on real files: one record per real-world line however often and in
//! whatever overlap it is imported; pending lines that later settle stay one record; identical
//! purchases in one statement stay two; look-alikes are kept and counted; old schemas upgrade.

// Test helpers unwrap: a panic there is a failed test. (clippy's allow-unwrap-in-tests covers
// #[test] functions only, not the helpers they call.)

use std::path::Path;

use burnrate::domain::import::FileOptions;
use burnrate::store::{ImportMode, ImportReport, SourceMeta, Store};

fn import_text(store: &mut Store, name: &str, text: &str) -> ImportReport {
    let bytes = text.as_bytes().to_vec();
    let open = move || -> std::io::Result<Box<dyn std::io::Read + Send>> {
        Ok(Box::new(std::io::Cursor::new(bytes.clone())))
    };
    let meta = SourceMeta {
        name: name.into(),
        path: name.into(),
        imported_at: "2026-11-25T00:00:00Z".into(),
    };
    store
        .import_file(
            &open,
            &meta,
            &FileOptions::default(),
            ImportMode::default(),
            &mut |_| true,
        )
        .unwrap()
}

/// (description, status, amount in nanos) of every bank line, read straight from the file.
fn bank_rows(path: &Path) -> Vec<(String, String, i64)> {
    let conn = rusqlite::Connection::open(path).unwrap();
    let mut stmt = conn
        .prepare("SELECT description, status, amount_nanos FROM bank_lines ORDER BY id")
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

fn temp_store() -> (tempfile::TempDir, std::path::PathBuf, Store) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ledger.sqlite");
    let store = Store::open(&path).unwrap();
    (dir, path, store)
}

const REVOLUT_HEADER: &str =
    "Type,Product,Started Date,Completed Date,Description,Amount,Fee,Currency,State,Balance\n";

#[test]
fn pending_line_that_completes_later_stays_one_record() {
    let (_dir, path, mut store) = temp_store();
    let first = format!(
        "{REVOLUT_HEADER}CARD_PAYMENT,Current,2026-10-03 21:14:09,,OpenAI,-20.00,0.00,USD,PENDING,180.00\n\
         CARD_PAYMENT,Current,2026-10-02 08:00:00,2026-10-02 09:00:00,Coffee,-3.00,0.00,USD,COMPLETED,200.00\n"
    );
    let r = import_text(
        &mut store,
        "account-statement_2026-10-01_2026-10-04.csv",
        &first,
    );
    assert_eq!((r.inserted, r.rejected.len()), (2, 0), "{r:?}");
    let later = format!(
        "{REVOLUT_HEADER}CARD_PAYMENT,Current,2026-10-03 21:14:09,2026-10-05 10:02:11,OpenAI,-20.00,0.00,USD,COMPLETED,180.00\n\
         CARD_PAYMENT,Current,2026-10-02 08:00:00,2026-10-02 09:00:00,Coffee,-3.00,0.00,USD,COMPLETED,200.00\n"
    );
    let r = import_text(
        &mut store,
        "account-statement_2026-10-01_2026-10-31.csv",
        &later,
    );
    assert_eq!((r.inserted, r.updated, r.duplicates), (0, 1, 1), "{r:?}");
    let rows = bank_rows(&path);
    assert_eq!(rows.len(), 2);
    assert!(
        rows.contains(&("OpenAI".into(), "settled".into(), -20_000_000_000)),
        "{rows:?}"
    );

    // The older statement imported again does not turn the settled line back into a pending one.
    let r = import_text(
        &mut store,
        "account-statement_2026-10-01_2026-10-04.csv",
        &first,
    );
    assert_eq!((r.inserted, r.updated), (0, 0), "{r:?}");
    assert!(bank_rows(&path).contains(&("OpenAI".into(), "settled".into(), -20_000_000_000)));
}

#[test]
fn identical_purchases_in_one_statement_are_both_kept_and_reimport_adds_none() {
    let (_dir, path, mut store) = temp_store();
    let text = "Transaction Date,Post Date,Description,Category,Type,Amount,Memo\n\
        10/06/2026,10/07/2026,OPENAI *CHATGPT SUBSCR,Shopping,Sale,-20.00,\n\
        10/06/2026,10/07/2026,OPENAI *CHATGPT SUBSCR,Shopping,Sale,-20.00,\n\
        10/08/2026,10/09/2026,OPENAI,Shopping,Sale,-20.00,\n";
    let r = import_text(&mut store, "Chase1234_Activity_20261031.CSV", text);
    assert_eq!((r.inserted, r.duplicates), (3, 0), "{r:?}");
    assert_eq!(
        r.look_alikes, 1,
        "the second identical line looks like the first"
    );
    let r = import_text(&mut store, "Chase1234_Activity_20261031 (1).CSV", text);
    assert_eq!((r.inserted, r.duplicates), (0, 3), "{r:?}");
    assert_eq!(bank_rows(&path).len(), 3);
}

#[test]
fn lines_that_only_look_alike_are_kept_and_counted() {
    let (_dir, _path, mut store) = temp_store();
    let text = "\"Transaction ID\",\"Date\",\"Time\",\"Type\",\"Name\",\"Emoji\",\"Category\",\"Amount\",\"Currency\",\"Local amount\",\"Local currency\",\"Notes and #tags\",\"Address\",\"Receipt\",\"Description\",\"Category split\",\"Money Out\",\"Money In\"\n\
        tx_0001,06/10/2026,10:00:00,Card payment,OpenAI,,General,-10.00,GBP,-10.00,GBP,,,,OPENAI,,-10.00,\n\
        tx_0002,06/10/2026,10:05:00,Card payment,OpenAI,,General,-10.00,GBP,-10.00,GBP,,,,OPENAI,,-10.00,\n";
    let r = import_text(&mut store, "monzo.csv", text);
    assert_eq!((r.inserted, r.look_alikes), (2, 1), "{r:?}");
}

#[test]
fn a_new_line_that_looks_like_a_line_of_an_earlier_statement_is_counted() {
    let (_dir, _path, mut store) = temp_store();
    let header = "\"Transaction ID\",\"Date\",\"Time\",\"Type\",\"Name\",\"Emoji\",\"Category\",\"Amount\",\"Currency\",\"Local amount\",\"Local currency\",\"Notes and #tags\",\"Address\",\"Receipt\",\"Description\",\"Category split\",\"Money Out\",\"Money In\"\n";
    let first = format!(
        "{header}tx_0001,06/10/2026,10:00:00,Card payment,OpenAI,,General,-10.00,GBP,-10.00,GBP,,,,OPENAI,,-10.00,\n"
    );
    let r = import_text(&mut store, "monzo-1.csv", &first);
    assert_eq!((r.inserted, r.look_alikes), (1, 0), "{r:?}");
    // The later statement repeats the first line, adds one like it and one on another day.
    let later = format!(
        "{header}tx_0001,06/10/2026,10:00:00,Card payment,OpenAI,,General,-10.00,GBP,-10.00,GBP,,,,OPENAI,,-10.00,\n\
        tx_0002,06/10/2026,10:05:00,Card payment,OpenAI,,General,-10.00,GBP,-10.00,GBP,,,,OPENAI,,-10.00,\n\
        tx_0003,07/10/2026,10:05:00,Card payment,OpenAI,,General,-10.00,GBP,-10.00,GBP,,,,OPENAI,,-10.00,\n"
    );
    let r = import_text(&mut store, "monzo-2.csv", &later);
    assert_eq!(
        (r.inserted, r.duplicates, r.look_alikes),
        (2, 1, 1),
        "only tx_0002 looks like a line already there: {r:?}"
    );
}

#[test]
fn a_schema_1_ledger_opens_with_its_data() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v1.sqlite");
    let fixture = std::fs::read_to_string(crate::common::fixture("schema/v1.sql")).unwrap();
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute_batch(&fixture)
        .unwrap();
    let store = Store::open(&path).unwrap();
    assert_eq!(
        store.schema_version().unwrap(),
        burnrate::store::SCHEMA_VERSION
    );
    let (usage, billing, bank, _) = store.counts().unwrap();
    assert_eq!((usage, billing, bank), (1, 1, 1));
    let report = store
        .report(
            burnrate::store::ReportKind::Usage(burnrate::store::UsageGroup::Provider),
            &burnrate::store::Period::all(),
        )
        .unwrap();
    assert_eq!(report[0].amount.to_cents_string(), "1.46");
}

/// Every stored value of the bank lines of `file`, in id order, without the id itself.
fn stored_lines(path: &Path, file: i64) -> Vec<Vec<String>> {
    let conn = rusqlite::Connection::open(path).unwrap();
    let mut stmt = conn
        .prepare(
            "SELECT hex(key), fingerprint, account, started_at, posted_at, day, description,
                    amount_nanos, currency, amount_text, original_nanos, original_currency,
                    fee_nanos, status, issuer_id, related_id, note, provider, spend_kind, source_line
             FROM bank_lines WHERE source_file_id = ?1 ORDER BY id",
        )
        .unwrap();
    let columns = stmt.column_count();
    stmt.query_map([file], |r| {
        (0..columns)
            .map(|i| {
                Ok(match r.get_ref(i)? {
                    rusqlite::types::ValueRef::Null => "NULL".to_string(),
                    rusqlite::types::ValueRef::Integer(n) => n.to_string(),
                    rusqlite::types::ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned(),
                    other => format!("{other:?}"),
                })
            })
            .collect()
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

#[test]
fn a_long_first_statement_is_stored_and_counted_as_when_the_ledger_held_lines_before() {
    // A first statement is written many lines at a time; one imported after another line is
    // written line by line. Both must store and count the same. 1,300 lines: more than one
    // batch of the reader, runs of many lines and a tail; identical purchases, look-alikes on
    // the same day at other times, pending and reverted lines, an AI charge now and then.
    let mut text = String::from(REVOLUT_HEADER);
    for i in 0..1300u32 {
        let day = 1 + (i / 60) % 28;
        let (hour, minute) = ((i / 60) % 24, i % 60);
        let (description, cents) = match i % 7 {
            0 => ("OPENAI *CHATGPT SUBSCR", 2000),
            1 | 2 => ("Lidl", 1000 + (i % 3)),
            3 => ("Mercadona", 3027),
            _ => ("Ikea", 10000 + i % 50),
        };
        let state = match i % 97 {
            5 => "PENDING",
            9 => "REVERTED",
            _ => "COMPLETED",
        };
        let time = format!("2026-10-{day:02} {hour:02}:{minute:02}:00");
        let completed = if state == "PENDING" { "" } else { &time };
        let amount = format!("-{}.{:02}", cents / 100, cents % 100);
        let line = format!(
            "CARD_PAYMENT,Current,{time},{completed},{description},{amount},0.00,EUR,{state},\n"
        );
        text.push_str(&line);
        if i % 113 == 0 {
            // The same purchase twice, to the second.
            text.push_str(&line);
        }
    }
    let (_dir_a, path_a, mut first) = temp_store();
    let alone = import_text(&mut first, "revolut.csv", &text);
    let (_dir_b, path_b, mut after) = temp_store();
    let earlier = import_text(
        &mut after,
        "monzo.csv",
        "\"Transaction ID\",\"Date\",\"Time\",\"Type\",\"Name\",\"Emoji\",\"Category\",\"Amount\",\"Currency\",\"Local amount\",\"Local currency\",\"Notes and #tags\",\"Address\",\"Receipt\",\"Description\",\"Category split\",\"Money Out\",\"Money In\"\n\
         tx_0001,06/09/2026,10:00:00,Card payment,Shop,,General,-1.00,GBP,-1.00,GBP,,,,SHOP,,-1.00,\n",
    );
    assert_eq!(earlier.inserted, 1, "{earlier:?}");
    let second = import_text(&mut after, "revolut.csv", &text);
    let count = |r: &ImportReport| (r.rows, r.inserted, r.updated, r.duplicates, r.look_alikes);
    assert_eq!(count(&alone), count(&second));
    assert!(
        alone.inserted > 1300 && alone.look_alikes > 100,
        "{alone:?}"
    );
    assert_eq!(
        stored_lines(&path_a, alone.source_file_id.unwrap()),
        stored_lines(&path_b, second.source_file_id.unwrap())
    );
}
