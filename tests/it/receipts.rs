//! Receipts as a user imports them: e-mails, a Google Takeout mailbox, PDFs and forwarded
//! copies through the built binary (which reads PDFs in a child process), checking that each
//! payment is one record whatever the number of places it was seen, that re-importing inserts
//! nothing, that ordinary mail is counted and never stored, and that a damaged PDF is a
//! rejected file.

use std::path::{Path, PathBuf};
use std::process::Output;

use crate::common::{json as json_of, run as burnrate};

fn fixture(name: &str) -> PathBuf {
    crate::common::fixture("receipts").join(name)
}

fn import(db: &Path, names: &[&str]) -> (Output, serde_json::Value) {
    let paths: Vec<PathBuf> = names.iter().map(|n| fixture(n)).collect();
    crate::common::import_json(db, &paths)
}

/// Every billing record: provider, kind, status, day, amount, numbers, card, tax, credit and
/// where it was read.
fn billing(db: &Path) -> Vec<String> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut stmt = conn
        .prepare(
            "SELECT b.provider, b.kind, b.status, b.day, b.amount_nanos, b.receipt_number, b.invoice_number,
                    b.card_last4, coalesce(b.tax_nanos, -1), coalesce(b.credit_nanos, -1),
                    (SELECT group_concat(via || ':' || message_id || ':' || attachment, ' | ')
                       FROM (SELECT DISTINCT via, message_id, attachment FROM billing_sources s
                             WHERE s.billing_id = b.id ORDER BY via, message_id, attachment))
             FROM billing b ORDER BY b.day, b.provider, b.amount_nanos, b.id",
        )
        .unwrap();
    stmt.query_map([], |r| {
        Ok(format!(
            "{} {} {} {} {} r={} i={} card={} tax={} credit={} from={}",
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, i64>(4)?,
            r.get::<_, String>(5)?,
            r.get::<_, String>(6)?,
            r.get::<_, String>(7)?,
            r.get::<_, i64>(8)?,
            r.get::<_, i64>(9)?,
            r.get::<_, Option<String>>(10)?.unwrap_or_default(),
        ))
    })
    .unwrap()
    .collect::<Result<_, _>>()
    .unwrap()
}

const ALL_MAIL: &[&str] = &[
    "takeout-all-mail.mbox",
    "anthropic-max-plan-qp.eml",
    "anthropic-credit-vat-with-pdfs.eml",
    "fwd-anthropic-credit.eml",
    "Invoice-DSUQQKNL-0001-nul-dashes.pdf",
    "Invoice-56FB0333-0001.pdf",
    "Receipt-2604-9803-6736.pdf",
    "Receipt-2244-7106-2643.pdf",
    "openai-funded-2026-02-02.eml",
    "openai-funded-2026-02-14-a.eml",
    "openai-funded-2026-02-14-b.eml",
    "anthropic-failed.eml",
    "anthropic-failed-again.eml",
];

#[test]
fn each_payment_is_one_record_whatever_the_copies_and_reimport_inserts_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ledger.sqlite");
    let (out, reports) = import(&db, ALL_MAIL);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mbox = &reports[0];
    assert_eq!(mbox["format"], "receipt-email");
    assert_eq!(mbox["rows"], 8, "eight messages in the mailbox");
    assert_eq!(
        mbox["not_receipts"], 3,
        "lunch, a newsletter, the plumber's invoice"
    );
    assert_eq!(
        (mbox["inserted"].as_u64(), mbox["duplicates"].as_u64()),
        (Some(4), Some(1))
    );
    let counts: Vec<(u64, u64, u64)> = reports
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["inserted"].as_u64().unwrap(),
                r["updated"].as_u64().unwrap(),
                r["duplicates"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        counts,
        vec![
            (4, 0, 1), // max plan (twice), credit + PDFs, failed, funded
            (0, 0, 1), // the max plan .eml again
            (0, 0, 1), // the credit .eml again
            (0, 0, 1), // its forwarded copy
            (0, 0, 1), // its invoice PDF, dashes lost
            (1, 0, 0), // OpenAI invoice: pending until paid is proven
            (0, 1, 0), // its receipt proves payment
            (1, 0, 0), // ChatGPT receipt PDF, dashes lost
            (0, 0, 1), // funded notice already in the mailbox
            (1, 0, 0), // two notices on one day for the same amount
            (1, 0, 0),
            (0, 0, 1), // failed payment already in the mailbox
            (1, 0, 0), // its retry
        ]
    );
    let ledger = billing(&db);
    assert_eq!(
        ledger,
        vec![
            "openai credit_purchase paid 2026-02-02 10000000000 r= i= card=4411 tax=-1 credit=-1 from=email:fund-a1@tm.openai.com:",
            "openai credit_purchase paid 2026-02-14 20000000000 r= i= card=4411 tax=-1 credit=-1 from=email:fund-b1@tm.openai.com:",
            "openai credit_purchase paid 2026-02-14 20000000000 r= i= card=4411 tax=-1 credit=-1 from=email:fund-b2@tm.openai.com:",
            "anthropic credit_purchase failed 2026-03-02 40000000000 r= i= card= tax=-1 credit=-1 from=email:failed-1@mail.anthropic.com:",
            "anthropic credit_purchase failed 2026-03-03 40000000000 r= i= card= tax=-1 credit=-1 from=email:failed-2@mail.anthropic.com:",
            "anthropic credit_purchase paid 2026-03-26 12500000000 r=2126-0850-1152 i=DSUQQKNL-0001 card=4411 tax=2500000000 credit=10000000000 from=email:0100019a-credit-2126@email.amazonses.com:Invoice-DSUQQKNL-0001.pdf, Receipt-2126-0850-1152.pdf | forward:CAFwd0001@mail.gmail.com: | pdf::Invoice-DSUQQKNL-0001-nul-dashes.pdf",
            "openai credit_purchase paid 2026-03-26 10000000000 r=2604-9803-6736 i=56FB0333-0001 card=1359 tax=0 credit=-1 from=pdf::Invoice-56FB0333-0001.pdf | pdf::Receipt-2604-9803-6736.pdf",
            "openai subscription paid 2026-08-10 20000000000 r=2244-7106-2643 i=HRBTGLTD-0004 card=1359 tax=-1 credit=-1 from=pdf::Receipt-2244-7106-2643.pdf",
            "anthropic subscription paid 2026-08-16 200000000000 r=2070-4164-2450 i=ITRMHVSC-0017 card= tax=-1 credit=-1 from=email:0100019a2b3c4d5e-max-20x@email.amazonses.com:",
        ]
    );
    let (_, again) = import(&db, ALL_MAIL);
    let inserted: u64 = again
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["inserted"].as_u64().unwrap() + r["updated"].as_u64().unwrap())
        .sum();
    assert_eq!(inserted, 0, "re-importing changes nothing: {again}");
    assert_eq!(billing(&db), ledger);
}

#[test]
fn a_damaged_pdf_is_a_rejected_file_and_the_others_still_import() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ledger.sqlite");
    let (out, reports) = import(&db, &["malformed.pdf", "Receipt-2244-7106-2643.pdf"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("the PDF is damaged or not a PDF") && err.contains("malformed.pdf"),
        "{err}"
    );
    assert_eq!(reports[0]["written"], false);
    assert_eq!(reports[1]["inserted"], 1);
    assert_eq!(billing(&db).len(), 1);
}

#[test]
fn a_typed_billing_row_of_a_payment_read_from_its_receipt_is_a_duplicate() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ledger.sqlite");
    import(
        &db,
        &[
            "anthropic-credit-vat-with-pdfs.eml",
            "openai-funded-2026-02-14-a.eml",
            "openai-funded-2026-02-14-b.eml",
        ],
    );
    let csv = dir.path().join("billing.csv");
    std::fs::write(
        &csv,
        "date,provider,number,kind,amount,currency,status,organization\n\
         2026-03-26,anthropic,#2126-0850-1152,credit_purchase,12.50,USD,paid,\n\
         2026-02-14,openai,,credit_purchase,20.00,USD,paid,Example Org\n\
         2026-02-14,openai,,credit_purchase,20.00,USD,paid,Example Org\n\
         2026-02-15,openai,,credit_purchase,5.00,USD,paid,\n",
    )
    .unwrap();
    let csv = csv.display().to_string();
    for round in 0..2 {
        let out = burnrate(&db, &["import", "--json", &csv]);
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let want = if round == 0 { (1, 3) } else { (0, 4) };
        assert_eq!(
            (
                v[0]["inserted"].as_u64().unwrap(),
                v[0]["duplicates"].as_u64().unwrap()
            ),
            want,
            "round {round}: {v}"
        );
    }
    assert_eq!(
        billing(&db).len(),
        4,
        "three receipts and the one payment only typed"
    );
}

#[test]
fn failed_payments_are_auto_recharges_where_the_account_has_auto_recharge() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ledger.sqlite");
    let set = burnrate(
        &db,
        &[
            "settings",
            "recharge",
            "--provider",
            "anthropic",
            "--threshold",
            "5",
            "--amount",
            "40",
        ],
    );
    assert!(
        set.status.success(),
        "{}",
        String::from_utf8_lossy(&set.stderr)
    );
    import(&db, &["anthropic-failed.eml", "anthropic-failed-again.eml"]);
    let kinds: Vec<String> = billing(&db)
        .iter()
        .map(|l| l.split(' ').take(3).collect::<Vec<_>>().join(" "))
        .collect();
    assert_eq!(
        kinds,
        vec![
            "anthropic auto_recharge failed",
            "anthropic auto_recharge failed"
        ]
    );
    let flags = burnrate(&db, &["flags", "--json", "--as-of", "2026-03-05"]);
    let text = String::from_utf8_lossy(&flags.stdout);
    assert!(text.contains("recharge_failed"), "{text}");
}

/// Line items per record (provider, day, amount), for comparing two ledgers.
fn items(db: &Path) -> Vec<String> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut stmt = conn
        .prepare(
            "SELECT b.provider || ' ' || b.day || ' ' || b.amount_nanos || ': ' || i.position || ' '
                    || i.description || ' ' || i.amount_nanos
             FROM billing_items i JOIN billing b ON b.id = i.billing_id ORDER BY 1",
        )
        .unwrap();
    stmt.query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

fn write_csv(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

#[test]
fn a_team_members_receipts_merge_without_duplicates_as_if_imported_here() {
    let dir = tempfile::tempdir().unwrap();
    // Ours: a receipt with its PDFs, an invoice not yet paid, two funding notices, and a typed
    // row of a payment that has no receipt.
    let ours_csv = write_csv(
        dir.path(),
        "ours.csv",
        "date,provider,number,kind,amount,currency,status,organization\n\
         2026-02-15,openai,,credit_purchase,5.00,USD,paid,\n",
    );
    let ours_files = [
        "anthropic-credit-vat-with-pdfs.eml",
        "Invoice-56FB0333-0001.pdf",
        "openai-funded-2026-02-14-a.eml",
        "openai-funded-2026-02-14-b.eml",
    ];
    // Theirs: the forwarded copy of our receipt, the receipt proving the invoice paid, a typed
    // row of a payment we have from its receipt, and receipts we do not have (one with items).
    let theirs_csv = write_csv(
        dir.path(),
        "theirs.csv",
        "date,provider,number,kind,amount,currency,status,organization\n\
         2026-02-14,openai,,credit_purchase,20.00,USD,paid,Example Org\n\
         2026-03-26,anthropic,#2126-0850-1152,credit_purchase,12.50,USD,paid,\n",
    );
    let theirs_files = [
        "fwd-anthropic-credit.eml",
        "Receipt-2604-9803-6736.pdf",
        "anthropic-max-plan-qp.eml",
        "openai-funded-2026-02-02.eml",
        "anthropic-failed.eml",
    ];
    let ours = dir.path().join("ours.sqlite");
    let theirs = dir.path().join("theirs.sqlite");
    let together = dir.path().join("together.sqlite");
    import(&ours, &ours_files);
    assert!(burnrate(&ours, &["import", &ours_csv]).status.success());
    import(&theirs, &theirs_files);
    assert!(burnrate(&theirs, &["import", &theirs_csv]).status.success());
    import(&together, &ours_files);
    assert!(burnrate(&together, &["import", &ours_csv]).status.success());
    import(&together, &theirs_files);
    assert!(
        burnrate(&together, &["import", &theirs_csv])
            .status
            .success()
    );

    let theirs_text = theirs.display().to_string();
    let out = burnrate(&ours, &["import", "--json", &theirs_text]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report[0]["format"], "burnrate-ledger");
    let billing_counts = |r: &serde_json::Value| {
        (
            r["inserted"].as_u64().unwrap(),
            r["updated"].as_u64().unwrap(),
            r["duplicates"].as_u64().unwrap(),
        )
    };
    // Theirs holds 6 records: the forwarded receipt, the OpenAI receipt, the Max plan, the
    // funding notice, the failed payment and the typed row of a notice (its other typed row
    // is our receipt's, recorded there as a duplicate). New here: 3; the receipt proves our
    // invoice paid: 1 updated; the forwarded receipt and the typed row: duplicates.
    assert_eq!(billing_counts(&report[0]), (3, 1, 2), "{report}");
    assert_eq!(billing(&ours), billing(&together));
    assert_eq!(items(&ours), items(&together));
    assert!(
        !items(&ours).is_empty(),
        "the Max plan's line items came along"
    );

    let files_before = burnrate(&ours, &["history", "--json"]).stdout;
    let again = burnrate(&ours, &["import", "--json", &theirs_text]);
    let report: serde_json::Value = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!(billing_counts(&report[0]), (0, 0, 6), "{report}");
    assert_eq!(billing(&ours), billing(&together));
    assert_eq!(
        burnrate(&ours, &["history", "--json"]).stdout,
        files_before,
        "merging again leaves the history as it was"
    );
}

fn numbers(conn: &rusqlite::Connection) -> Vec<(String, i64, String)> {
    conn.prepare("SELECT number, amount_nanos, kind FROM billing ORDER BY id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

#[test]
fn a_ledger_from_every_released_version_merges_its_billing_records() {
    // Every version has its fixture (`safety::every_schema_version_has_a_frozen_fixture_..`).
    for version in crate::safety::schema_versions() {
        let dir = tempfile::tempdir().unwrap();
        let old = dir.path().join(format!("v{version}.sqlite"));
        let sql = std::fs::read_to_string(fixture(&format!("../schema/v{version}.sql"))).unwrap();
        let conn = rusqlite::Connection::open(&old).unwrap();
        conn.execute_batch(&sql).unwrap();
        let theirs = numbers(&conn);
        drop(conn);
        let db = dir.path().join("ledger.sqlite");
        let out = burnrate(&db, &["import", "--json", &old.display().to_string()]);
        assert!(
            out.status.success(),
            "v{version}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let ours = numbers(&rusqlite::Connection::open(&db).unwrap());
        assert_eq!(ours, theirs, "v{version}");
    }
}

#[test]
fn an_apple_mail_export_imports_its_mailbox_and_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    let bundle = dir.path().join("Receipts.mbox");
    std::fs::create_dir(&bundle).unwrap();
    std::fs::copy(fixture("takeout-all-mail.mbox"), bundle.join("mbox")).unwrap();
    std::fs::write(
        bundle.join("Info.plist"),
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<plist version=\"1.0\"><dict><key>LocalFileUpToDate</key><false/></dict></plist>\n",
    )
    .unwrap();
    let mut toc = vec![0x00, 0x0D, 0xBB, 0xA0];
    toc.extend_from_slice(&[0u8; 60]);
    std::fs::write(bundle.join("table_of_contents"), toc).unwrap();
    let db = dir.path().join("ledger.sqlite");
    let out = burnrate(&db, &["import", "--json", &bundle.display().to_string()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let reports: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let reports = reports.as_array().unwrap();
    assert_eq!(reports.len(), 1, "only the mailbox: {reports:?}");
    assert_eq!(reports[0]["file"], "Receipts.mbox");
    assert_eq!(reports[0]["inserted"], 4);
}

#[test]
fn a_receipt_forwarded_as_an_attachment_is_the_same_payment() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ledger.sqlite");
    let (out, reports) = import(
        &db,
        &[
            "openrouter-payment-receipt.eml",
            "fwd-as-attachment-openrouter.eml",
        ],
    );
    assert!(out.status.success());
    assert_eq!(
        (
            reports[1]["inserted"].as_u64(),
            reports[1]["duplicates"].as_u64()
        ),
        (Some(0), Some(1))
    );
    assert_eq!(
        billing(&db),
        vec![
            "openrouter credit_purchase paid 2026-05-15 52750000000 r=1937-7192 i= card=1880 tax=-1 credit=-1 from=email:pr_1937_7192@stripe.com: | forward:pr_1937_7192@stripe.com:"
        ]
    );
}

/// A statement CSV written beside the ledger; returns its path.
fn statement(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

/// (billing, bank) of every matched payment, and the review list's size.
fn payments(db: &Path) -> (Vec<(String, String)>, usize) {
    let m = json_of(db, &["--as-of", "2026-04-10", "matches", "--json"]);
    let pairs = m["payments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["billing"].as_str().unwrap().to_string(),
                p["bank"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    (pairs, m["review"].as_array().unwrap().len())
}

/// (amount, kind, record) of every credit lot of the provider's balance.
fn lots(db: &Path, provider: &str) -> Vec<(String, String, String)> {
    let b = json_of(
        db,
        &[
            "--as-of",
            "2026-04-10",
            "balance",
            "--provider",
            provider,
            "--json",
        ],
    );
    b["lots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["amount"].as_str().unwrap().to_string(),
                l["kind"].as_str().unwrap().to_string(),
                l["record"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

const CHASE_4411: &str = "Transaction Date,Post Date,Description,Category,Type,Amount,Memo\n\
    03/26/2026,03/27/2026,ANTHROPIC,Professional Services,Sale,-12.50,\n";

#[test]
fn the_amount_paid_with_tax_matches_the_card_and_the_credit_without_tax_feeds_the_balance() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ledger.sqlite");
    import(&db, &["anthropic-credit-vat-with-pdfs.eml"]);
    let chase = statement(
        dir.path(),
        "Chase4411_Activity20260301_20260331_20260401.CSV",
        CHASE_4411,
    );
    assert!(burnrate(&db, &["import", &chase]).status.success());
    assert_eq!(
        payments(&db),
        (vec![("billing:1".into(), "bank:1".into())], 0),
        "$12.50 paid, $12.50 on the card"
    );
    assert_eq!(
        lots(&db, "anthropic"),
        vec![("10.00".into(), "paid".into(), "billing:1".into())],
        "$10.00 of credit: the $2.50 VAT bought none"
    );
}

#[test]
fn the_card_on_the_receipt_points_at_the_statement_that_paid_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ledger.sqlite");
    // Two cards each show a $12.50 ANTHROPIC charge that day; the receipt says Visa - 4411.
    let other = statement(
        dir.path(),
        "capital-one.csv",
        "Transaction Date,Posted Date,Card No.,Description,Category,Debit,Credit\n\
         2026-03-26,2026-03-27,6983,ANTHROPIC,Other Services,12.50,\n",
    );
    let chase = statement(
        dir.path(),
        "Chase4411_Activity20260301_20260331_20260401.CSV",
        CHASE_4411,
    );
    assert!(burnrate(&db, &["import", &other, &chase]).status.success());
    import(&db, &["anthropic-credit-vat-with-pdfs.eml"]);
    assert_eq!(
        payments(&db),
        (vec![("billing:1".into(), "bank:2".into())], 0),
        "the line on the 4411 statement, not the other card's, and nothing left to review"
    );
    // A typed row names no card: the two lines look like copies, and the first is taken.
    let typed = dir.path().join("typed.sqlite");
    assert!(
        burnrate(&typed, &["import", &other, &chase])
            .status
            .success()
    );
    let csv = statement(
        dir.path(),
        "billing.csv",
        "date,provider,number,kind,amount,currency,status\n\
         2026-03-26,anthropic,2126-0850-1152,credit_purchase,12.50,USD,paid\n",
    );
    assert!(burnrate(&typed, &["import", &csv]).status.success());
    assert_eq!(
        payments(&typed),
        (vec![("billing:1".into(), "bank:1".into())], 0)
    );
}

#[test]
fn a_bank_line_proves_an_invoice_paid_and_its_credit_reaches_the_balance() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ledger.sqlite");
    import(&db, &["Invoice-DSUQQKNL-0001-nul-dashes.pdf"]);
    let alone = burnrate(
        &db,
        &[
            "--as-of",
            "2026-04-10",
            "balance",
            "--provider",
            "anthropic",
        ],
    );
    assert!(
        String::from_utf8_lossy(&alone.stderr).contains("no credits"),
        "an invoice alone says only what is due"
    );
    let chase = statement(
        dir.path(),
        "Chase4411_Activity20260301_20260331_20260401.CSV",
        CHASE_4411,
    );
    assert!(burnrate(&db, &["import", &chase]).status.success());
    assert_eq!(
        payments(&db),
        (vec![("billing:1".into(), "bank:1".into())], 0)
    );
    assert_eq!(
        lots(&db, "anthropic"),
        vec![("10.00".into(), "paid".into(), "billing:1".into())]
    );
    let flags = json_of(&db, &["--as-of", "2026-04-10", "flags", "--json"]);
    assert!(
        flags
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["kind"] != "charge_without_credit"),
        "the charge paid the invoice: {flags}"
    );
}
