//! Properties that must hold for every input, not only the fixtures: money adds up exactly or
//! says it cannot; a statement's rows in any order make the same ledger; importing again adds
//! nothing; a statement exported in overlapping date ranges and imported in any order makes
//! the same ledger as the whole statement; bank lines matched to billing records do not depend
//! on the order the files were imported in.

use std::collections::BTreeSet;

use burnrate::domain::import::FileOptions;
use burnrate::domain::money::{Amount, DecimalMark, checked_sum};
use burnrate::store::{ImportMode, SourceMeta, Store};
use proptest::prelude::*;

fn import(store: &mut Store, name: &str, text: &str) {
    let bytes = text.as_bytes().to_vec();
    let open = move || -> std::io::Result<Box<dyn std::io::Read + Send>> {
        Ok(Box::new(std::io::Cursor::new(bytes.clone())))
    };
    let meta = SourceMeta {
        name: name.into(),
        path: name.into(),
        imported_at: "2026-11-25T00:00:00Z".into(),
    };
    let report = store
        .import_file(
            &open,
            &meta,
            &FileOptions::default(),
            ImportMode::default(),
            &mut |_| true,
        )
        .unwrap();
    assert!(
        report.error.is_none() && report.rejected.is_empty(),
        "{report:?}"
    );
}

/// The ledger's content, without what only says when and from which file it came.
fn content(store: &Store) -> BTreeSet<String> {
    let path = store.path().to_path_buf();
    let conn = rusqlite::Connection::open(&path).unwrap();
    let mut rows = BTreeSet::new();
    for (table, columns) in [
        (
            "bank_lines",
            "key, account, day, description, amount_nanos, currency, status, provider",
        ),
        (
            "usage",
            "key, day, project_name, model, cost_nanos, currency",
        ),
    ] {
        let mut stmt = conn
            .prepare(&format!("SELECT {columns} FROM {table}"))
            .unwrap();
        let n = stmt.column_count();
        let found: Vec<String> = stmt
            .query_map([], |r| {
                Ok((0..n)
                    .map(|i| format!("{:?}", r.get_ref(i).unwrap()))
                    .collect::<Vec<_>>()
                    .join("|"))
            })
            .unwrap()
            .map(Result::unwrap)
            .collect();
        let count = found.len();
        rows.extend(found);
        rows.insert(format!("{table} count {count}"));
    }
    rows
}

const CHASE: &str = "Card,Transaction Date,Post Date,Description,Category,Type,Amount,Memo\n";

/// A Chase card line: day of March 2026, one of a few merchants (so identical lines happen),
/// an amount in cents.
fn line() -> impl Strategy<Value = (u32, usize, i64)> {
    (1u32..=28, 0usize..4, 1i64..5000)
}

fn chase_row((day, merchant, cents): &(u32, usize, i64)) -> String {
    let name = ["OPENAI *CHATGPT SUBSCR", "ANTHROPIC", "OPENAI", "CURSOR.SH"][*merchant];
    format!(
        "4821,03/{day:02}/2026,03/{day:02}/2026,{name},Shopping,Sale,-{}.{:02},\n",
        cents / 100,
        cents % 100
    )
}

fn statement(rows: &[(u32, usize, i64)]) -> String {
    let mut text = CHASE.to_string();
    for r in rows {
        text.push_str(&chase_row(r));
    }
    text
}

fn ledger_of(files: &[(String, String)]) -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("ledger.sqlite")).unwrap();
    for (name, text) in files {
        import(&mut store, name, text);
    }
    (dir, store)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn a_statement_in_any_row_order_makes_the_same_ledger_and_reimport_adds_nothing(
        rows in proptest::collection::vec(line(), 1..25),
        seed in any::<u64>(),
    ) {
        let mut shuffled = rows.clone();
        // A permutation chosen by the seed (Fisher-Yates with a small LCG).
        let mut state = seed | 1;
        for i in (1..shuffled.len()).rev() {
            state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            let j = usize::try_from(state >> 33).unwrap() % (i + 1);
            shuffled.swap(i, j);
        }
        let (_a, sorted_ledger) = ledger_of(&[("Chase.csv".into(), statement(&rows))]);
        let (_b, mut shuffled_ledger) = ledger_of(&[("Chase.csv".into(), statement(&shuffled))]);
        let before = content(&shuffled_ledger);
        prop_assert_eq!(content(&sorted_ledger), before.clone());
        import(&mut shuffled_ledger, "Chase (1).csv", &statement(&rows));
        prop_assert_eq!(content(&shuffled_ledger), before);
    }

    #[test]
    fn overlapping_date_ranges_in_any_order_make_the_whole_statements_ledger(
        rows in proptest::collection::vec(line(), 1..25),
        first_end in 1u32..=28,
        overlap in 0u32..10,
        reverse in any::<bool>(),
    ) {
        let second_start = first_end.saturating_sub(overlap).max(1);
        let part = |from: u32, to: u32| {
            let kept: Vec<_> = rows.iter().filter(|r| (from..=to).contains(&r.0)).copied().collect();
            statement(&kept)
        };
        let mut parts = vec![
            ("Chase_0301_0315.csv".to_string(), part(1, first_end)),
            ("Chase_0310_0331.csv".to_string(), part(second_start, 28)),
        ];
        if reverse {
            parts.reverse();
        }
        let (_a, whole) = ledger_of(&[("Chase.csv".into(), statement(&rows))]);
        let (_b, split) = ledger_of(&parts);
        prop_assert_eq!(content(&split), content(&whole));
    }

    #[test]
    fn amounts_add_up_exactly_or_say_they_cannot(values in proptest::collection::vec(any::<i64>(), 0..8)) {
        let exact: i128 = values.iter().map(|v| i128::from(*v)).sum();
        let sum = checked_sum(values.iter().map(|v| Amount::from_nanos(*v)));
        match i64::try_from(exact) {
            Ok(total) => {
                // Checked addition may refuse an intermediate overflow, never give a wrong total.
                if let Some(s) = sum {
                    prop_assert_eq!(s.nanos(), total);
                }
            }
            Err(_) => prop_assert!(sum.is_none(), "an overflowing total was given: {:?}", sum),
        }
    }

    #[test]
    fn an_amount_written_out_reads_back_the_same(nanos in (i64::MIN + 1)..=i64::MAX) {
        let amount = Amount::from_nanos(nanos);
        let text = amount.to_string();
        prop_assert_eq!(Amount::parse(&text, DecimalMark::Dot), Ok(amount));
        let comma = text.replace('.', ",");
        prop_assert_eq!(Amount::parse(&comma, DecimalMark::Comma), Ok(amount));
    }

    #[test]
    fn parsers_never_panic_and_name_the_line_of_every_rejected_row(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        burnrate::domain::import::harness::import_bytes(&bytes);
    }

    #[test]
    fn text_that_looks_like_a_row_never_panics_a_parser(
        cells in proptest::collection::vec("[-0-9a-zA-Z.,;\"' /:()$€]{0,12}", 0..9),
        header in 0usize..4,
    ) {
        let headers = [
            "start_time,end_time,amount_value,amount_currency,line_item,project_id,project_name",
            "date,provider,number,kind,amount,currency,status,expires_at,description,organization,project",
            "Card,Transaction Date,Post Date,Description,Category,Type,Amount,Memo",
            "Type,Product,Started Date,Completed Date,Description,Amount,Fee,Currency,State,Balance",
        ];
        let text = format!("{}\n{}\n", headers[header], cells.join(","));
        burnrate::domain::import::harness::import_bytes(&[&[0u8][..], text.as_bytes()].concat());
    }
}

/// What `matches --json` paired, named by content (day, text, amount) instead of row ids,
/// which depend on the order rows were imported in.
fn matched_pairs(db: &std::path::Path) -> BTreeSet<String> {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_burnrate"))
        .arg("--db")
        .arg(db)
        .args(["--as-of", "2026-04-30", "matches", "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let conn = rusqlite::Connection::open(db).unwrap();
    let describe = |id: &str| -> String {
        let (table, n) = id.split_once(':').unwrap();
        let (table, text) = if table == "bank" {
            ("bank_lines", "description")
        } else {
            ("billing", "number")
        };
        conn.query_row(
            &format!(
                "SELECT day || ' ' || {text} || ' ' || amount_nanos FROM {table} WHERE id = ?1"
            ),
            [n.parse::<i64>().unwrap()],
            |r| r.get(0),
        )
        .unwrap()
    };
    json["payments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            format!(
                "{} <- {} ({})",
                describe(p["billing"].as_str().unwrap()),
                describe(p["bank"].as_str().unwrap()),
                p["reason"]["rule"]
            )
        })
        .collect()
}

fn shuffle<T>(items: &mut [T], seed: u64) {
    let mut state = seed | 1;
    for i in (1..items.len()).rev() {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        let j = usize::try_from(state >> 33).unwrap() % (i + 1);
        items.swap(i, j);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn the_matcher_pairs_the_same_records_whatever_order_they_were_imported_in(
        topups in proptest::collection::vec((1u32..=25, 5i64..=60, 0u32..=2), 1..6),
        noise in proptest::collection::vec(line(), 0..6),
        seed in any::<u64>(),
    ) {
        let mut billing: Vec<String> = topups
            .iter()
            .enumerate()
            .map(|(i, (day, dollars, _))| {
                format!("2026-03-{day:02},openai,R-{i},credit_purchase,{dollars}.00,USD,paid,,API credits,Personal,\n")
            })
            .collect();
        let mut bank: Vec<String> = topups
            .iter()
            .map(|(day, dollars, late)| {
                let paid = (day + late).min(28);
                format!("4821,03/{paid:02}/2026,03/{paid:02}/2026,OPENAI *API,Shopping,Sale,-{dollars}.00,\n")
            })
            .chain(noise.iter().map(chase_row))
            .collect();
        let header = "date,provider,number,kind,amount,currency,status,expires_at,description,organization,project\n";
        let dir = tempfile::tempdir().unwrap();
        let mut results = Vec::new();
        for round in 0..2 {
            if round == 1 {
                shuffle(&mut billing, seed);
                shuffle(&mut bank, seed.rotate_left(17));
            }
            let db = dir.path().join(format!("ledger-{round}.sqlite"));
            let mut store = Store::open(&db).unwrap();
            let files = [
                ("billing.csv", format!("{header}{}", billing.concat())),
                ("Chase.csv", format!("{CHASE}{}", bank.concat())),
            ];
            for (name, text) in if round == 1 { files.iter().rev().collect::<Vec<_>>() } else { files.iter().collect() } {
                import(&mut store, name, text);
            }
            drop(store);
            results.push(matched_pairs(&db));
        }
        prop_assert!(!results[0].is_empty(), "the top-ups were paired");
        prop_assert_eq!(&results[0], &results[1]);
    }
}
