//! The daily sums against the records they sum, under any history: a property test.
//!
//! Each case runs a random sequence of imports (OpenAI cost exports with organisation totals,
//! detailed rows, repeated lines and revised costs and names; activity exports whose records
//! have tokens and no cost), re-imports of an earlier file, undos of any earlier import and
//! merges of another ledger, and after every step checks that `usage_daily` equals the
//! aggregation of `usage`, and that what `usage_counted` counts equals the counted-usage rule
//! asked of every record the way burnrate asked it before the daily sums existed.

use std::fmt::Write as _;
use std::path::Path;

use proptest::prelude::*;

use crate::store::{ImportMode, SourceMeta, Store};

#[derive(Debug, Clone)]
struct CostRow {
    day: u8,
    org: u8,
    project: u8,
    /// Which of two names the project goes by in this file (a rename revises records).
    name: u8,
    model: u8,
    kind: u8,
    cents: u32,
    tokens: u32,
    /// An organisation-wide total: no line item, project, key or user.
    total: bool,
}

#[derive(Debug, Clone)]
struct ActivityRow {
    day: u8,
    project: u8,
    model: u8,
    input: u32,
    output: u32,
}

#[derive(Debug, Clone)]
enum File {
    Cost(Vec<CostRow>),
    Activity(Vec<ActivityRow>),
}

#[derive(Debug, Clone)]
enum Step {
    Import(File),
    /// Imports again the file of an earlier step (any index, taken modulo the files so far).
    Again(usize),
    /// Undoes an earlier import that is still in the ledger.
    Undo(usize),
    /// Merges another ledger that imported this file.
    Merge(File),
}

fn cost_row() -> impl Strategy<Value = CostRow> {
    (
        (1u8..=3, 0u8..2, 0u8..3, 0u8..2),
        (
            0u8..2,
            0u8..2,
            0u32..400,
            0u32..5000,
            prop::bool::weighted(0.2),
        ),
    )
        .prop_map(
            |((day, org, project, name), (model, kind, cents, tokens, total))| CostRow {
                day,
                org,
                project,
                name,
                model,
                kind,
                cents,
                tokens,
                total,
            },
        )
}

fn activity_row() -> impl Strategy<Value = ActivityRow> {
    (1u8..=3, 0u8..3, 0u8..2, 0u32..9000, 0u32..9000).prop_map(
        |(day, project, model, input, output)| ActivityRow {
            day,
            project,
            model,
            input,
            output,
        },
    )
}

fn file() -> impl Strategy<Value = File> {
    prop_oneof![
        4 => prop::collection::vec(cost_row(), 1..14).prop_map(File::Cost),
        1 => prop::collection::vec(activity_row(), 1..6).prop_map(File::Activity),
    ]
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        5 => file().prop_map(Step::Import),
        2 => any::<usize>().prop_map(Step::Again),
        2 => any::<usize>().prop_map(Step::Undo),
        2 => file().prop_map(Step::Merge),
    ]
}

/// 2026-10-01 + `day` at midnight UTC, as the exports write it.
fn times(day: u8) -> String {
    let start = 1_790_812_800 + 86_400 * i64::from(day);
    format!(
        "{start},{},2026-10-{:02}T00:00:00+00:00,,",
        start + 86_400,
        day + 1
    )
}

fn text(file: &File) -> String {
    match file {
        File::Cost(rows) => {
            let mut out = String::from(
                "start_time,end_time,start_time_iso,end_time_iso,amount_value,amount_currency,quantity,quantity_unit,line_item,user_id,api_key_id,project_id,organization_id,project_name,organization_name,user_email,api_source\n",
            );
            for r in rows {
                let (org_id, org_name) = [("org-a", "Acme"), ("org-b", "")][usize::from(r.org)];
                let model = ["gpt-4o", "o3"][usize::from(r.model)];
                let kind = ["input", "output"][usize::from(r.kind)];
                let (line_item, key, project_id, project_name) = if r.total {
                    (String::new(), "", String::new(), String::new())
                } else {
                    (
                        format!("\"{model}, {kind}\""),
                        "key_1",
                        format!("proj_{}", r.project),
                        ["Web", "Web app"][usize::from(r.name)].repeat(usize::from(r.project)),
                    )
                };
                writeln!(
                    out,
                    "{}{}.{:02},usd,{},tokens,{line_item},,{key},{project_id},{org_id},{project_name},{org_name},,",
                    times(r.day),
                    r.cents / 100,
                    r.cents % 100,
                    r.tokens,
                )
                .unwrap();
            }
            out
        }
        File::Activity(rows) => {
            let mut out = String::from(
                "start_time,end_time,start_time_iso,end_time_iso,project_id,num_model_requests,user_id,api_key_id,model,batch,service_tier,input_tokens,output_tokens\n",
            );
            for r in rows {
                writeln!(
                    out,
                    "{}proj_{},3,,key_1,{},false,default,{},{}",
                    times(r.day),
                    r.project,
                    ["gpt-4o", "o3"][usize::from(r.model)],
                    r.input,
                    r.output
                )
                .unwrap();
            }
            out
        }
    }
}

fn import(store: &mut Store, name: &str, text: &str) -> Option<i64> {
    let report = crate::store::import_text(store, name, text, "2026-10-10T00:00:00Z");
    assert_eq!(report.error, None, "{name}: {text}");
    report.source_file_id
}

const GROUP: &str = "day, provider, organization_id, grain, organization_name, project_id, \
                     project_name, model, currency";

/// Every row `sql` returns, as text.
fn rows(store: &Store, sql: &str) -> Vec<Vec<String>> {
    let mut stmt = store.conn().prepare(sql).unwrap();
    let n = stmt.column_count();
    stmt.query_map([], |r| {
        (0..n)
            .map(|i| r.get_ref(i).map(|v| format!("{v:?}")))
            .collect::<Result<Vec<_>, _>>()
    })
    .unwrap()
    .collect::<Result<_, _>>()
    .unwrap()
}

/// The daily sums as stored, and as the records add up.
fn sums(store: &Store) -> (Vec<Vec<String>>, Vec<Vec<String>>) {
    (
        rows(
            store,
            &format!(
                "SELECT {GROUP}, records, cost_records, cost_nanos, tokens FROM usage_daily ORDER BY {GROUP}"
            ),
        ),
        rows(
            store,
            &format!(
                "SELECT {GROUP}, count(*), count(cost_nanos), coalesce(sum(cost_nanos), 0),
                        coalesce(sum(tokens), 0)
                 FROM usage GROUP BY {GROUP} ORDER BY {GROUP}"
            ),
        ),
    )
}

/// The sums per project and day as stored, and as the daily sums add up over models.
fn project_sums(store: &Store) -> (Vec<Vec<String>>, Vec<Vec<String>>) {
    const PROJECT_DAY: &str = "day, provider, organization_id, grain, organization_name, \
                               project_id, project_name, currency";
    (
        rows(
            store,
            &format!(
                "SELECT {PROJECT_DAY}, records, cost_records, cost_nanos, tokens
                 FROM usage_project_daily ORDER BY {PROJECT_DAY}"
            ),
        ),
        rows(
            store,
            &format!(
                "SELECT {PROJECT_DAY}, count(*), count(cost_nanos), coalesce(sum(cost_nanos), 0),
                        coalesce(sum(tokens), 0)
                 FROM usage GROUP BY {PROJECT_DAY} ORDER BY {PROJECT_DAY}"
            ),
        ),
    )
}

/// The combinations of names as stored, and as the records count them.
fn dimensions(store: &Store) -> (Vec<Vec<String>>, Vec<Vec<String>>) {
    const NAMES: &str = "provider, organization_id, grain, organization_name, project_id, \
                         project_name, model, currency";
    (
        rows(
            store,
            &format!("SELECT {NAMES}, records FROM usage_dimensions ORDER BY {NAMES}"),
        ),
        rows(
            store,
            &format!("SELECT {NAMES}, count(*) FROM usage GROUP BY {NAMES} ORDER BY {NAMES}"),
        ),
    )
}

/// What counts per day, provider and organization: by the view, and by the rule as burnrate
/// asked it of every record before the daily sums.
type DaySums = Vec<(String, String, String, i64)>;

fn rows_of(store: &Store, sql: &str) -> DaySums {
    let mut stmt = store.conn().prepare(sql).unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap()
}

fn counted(store: &Store) -> (DaySums, DaySums) {
    let rows = |sql: &str| rows_of(store, sql);
    (
        rows(
            "SELECT day, provider, organization_id, sum(cost_nanos) FROM usage_counted
             GROUP BY 1, 2, 3 ORDER BY 1, 2, 3",
        ),
        rows(
            "SELECT day, provider, organization_id, sum(cost_nanos) FROM usage u
             WHERE u.cost_nanos IS NOT NULL
               AND NOT (u.grain = 'total' AND EXISTS (
                   SELECT 1 FROM usage d WHERE d.provider = u.provider
                     AND d.organization_id = u.organization_id AND d.day = u.day
                     AND d.grain = 'detail' AND d.cost_nanos IS NOT NULL))
             GROUP BY 1, 2, 3 ORDER BY 1, 2, 3",
        ),
    )
}

fn run(dir: &Path, steps: &[Step]) {
    let mut store = Store::open(&dir.join("ledger.sqlite")).unwrap();
    let mut files: Vec<String> = Vec::new();
    let mut imports: Vec<i64> = Vec::new();
    for (n, step) in steps.iter().enumerate() {
        match step {
            Step::Import(file) => {
                files.push(text(file));
                let text = files.last().unwrap().clone();
                imports.extend(import(&mut store, &format!("f{n}.csv"), &text));
            }
            Step::Again(i) if !files.is_empty() => {
                let text = files[i % files.len()].clone();
                imports.extend(import(&mut store, &format!("again{n}.csv"), &text));
            }
            Step::Undo(i) if !imports.is_empty() => {
                let id = imports.remove(i % imports.len());
                store.undo_import(id).unwrap();
            }
            Step::Merge(file) => {
                let other_path = dir.join(format!("other{n}.sqlite"));
                let mut other = Store::open(&other_path).unwrap();
                import(&mut other, &format!("theirs{n}.csv"), &text(file));
                drop(other);
                let meta = SourceMeta {
                    name: "other.sqlite".into(),
                    path: other_path.display().to_string(),
                    imported_at: "2026-10-11T00:00:00Z".into(),
                };
                let report = store
                    .merge_ledger(&other_path, &meta, ImportMode::default())
                    .unwrap();
                assert_eq!(report.error, None);
            }
            Step::Again(_) | Step::Undo(_) => {}
        }
        let (stored, from_records) = sums(&store);
        assert_eq!(stored, from_records, "daily sums after step {n}: {step:?}");
        let (stored, from_records) = dimensions(&store);
        assert_eq!(stored, from_records, "dimensions after step {n}: {step:?}");
        let (view, rule) = counted(&store);
        assert_eq!(view, rule, "counted usage after step {n}: {step:?}");
        let (stored, from_records) = project_sums(&store);
        assert_eq!(
            stored, from_records,
            "project sums after step {n}: {step:?}"
        );
        let per_project = rows_of(
            &store,
            "SELECT day, provider, organization_id, sum(cost_nanos) FROM usage_project_counted
             GROUP BY 1, 2, 3 ORDER BY 1, 2, 3",
        );
        assert_eq!(
            per_project, view,
            "counted project sums after step {n}: {step:?}"
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 40, ..ProptestConfig::default() })]

    #[test]
    fn daily_sums_equal_the_records_after_any_history(
        steps in prop::collection::vec(step(), 1..10)
    ) {
        let dir = tempfile::tempdir().unwrap();
        run(dir.path(), &steps);
    }
}

/// A file long enough that its usage records are inserted ahead of their turns, many a
/// statement (the usage writer's `insert_ahead`), with new, repeated and revised records mixed.
fn long_file() -> impl Strategy<Value = File> {
    prop::collection::vec(cost_row(), 33..120).prop_map(File::Cost)
}

fn long_step() -> impl Strategy<Value = Step> {
    prop_oneof![
        5 => long_file().prop_map(Step::Import),
        3 => any::<usize>().prop_map(Step::Again),
        2 => any::<usize>().prop_map(Step::Undo),
        1 => long_file().prop_map(Step::Merge),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn daily_sums_equal_the_records_after_any_history_of_long_exports(
        steps in prop::collection::vec(long_step(), 1..6)
    ) {
        let dir = tempfile::tempdir().unwrap();
        run(dir.path(), &steps);
    }
}

#[test]
fn a_long_export_read_again_with_revised_and_new_rows_counts_each_record_once() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("ledger.sqlite")).unwrap();
    let row = |i: u8| CostRow {
        day: 1 + i % 3,
        org: i % 2,
        project: i % 3,
        name: 0,
        model: (i / 2) % 2,
        kind: (i / 3) % 2,
        cents: 100 + u32::from(i),
        tokens: u32::from(i),
        total: false,
    };
    let first: Vec<CostRow> = (0..100).map(row).collect();
    let report = crate::store::import_text(&mut store, "a.csv", &text(&File::Cost(first)), "t");
    assert_eq!(
        (report.inserted, report.updated, report.duplicates),
        (100, 0, 0)
    );
    // The same export a day later: every tenth cost revised, forty rows more.
    let second: Vec<CostRow> = (0..140)
        .map(|i| {
            let mut r = row(i);
            if i < 100 && i % 10 == 0 {
                r.cents += 7;
            }
            r
        })
        .collect();
    let report = crate::store::import_text(&mut store, "b.csv", &text(&File::Cost(second)), "t");
    assert_eq!(
        (report.inserted, report.updated, report.duplicates),
        (40, 10, 90)
    );
    let (stored, from_records) = sums(&store);
    assert_eq!(stored, from_records);
    let (stored, from_records) = project_sums(&store);
    assert_eq!(stored, from_records);
    let lines: Vec<i64> = store
        .conn()
        .prepare("SELECT source_line FROM usage ORDER BY id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    // The records take ids in the order of their lines: the first file's, then the new ones.
    assert_eq!(lines.len(), 140);
    assert!(lines[..100].windows(2).all(|w| w[0] < w[1]), "{lines:?}");
    assert!(lines[100..].windows(2).all(|w| w[0] < w[1]), "{lines:?}");
    assert_eq!(
        lines[100], 102,
        "the first new record is line 102 of the second file"
    );
}

#[test]
fn a_revised_cost_and_a_renamed_project_move_the_sums() {
    let dir = tempfile::tempdir().unwrap();
    let row = |cents, name| CostRow {
        day: 1,
        org: 0,
        project: 1,
        name,
        model: 0,
        kind: 0,
        cents,
        tokens: 10,
        total: false,
    };
    let total = CostRow {
        total: true,
        cents: 999,
        ..row(0, 0)
    };
    run(
        dir.path(),
        &[
            Step::Import(File::Cost(vec![total.clone()])),
            Step::Import(File::Cost(vec![row(100, 0), row(100, 0)])),
            Step::Import(File::Cost(vec![row(250, 1), row(100, 0), total])),
            Step::Undo(1),
            Step::Again(1),
            Step::Undo(0),
        ],
    );
}

fn project_names(store: &Store) -> Vec<String> {
    let mut stmt = store
        .conn()
        .prepare("SELECT DISTINCT project_name FROM usage_daily")
        .unwrap();
    stmt.query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

/// A key an older burnrate stored in clear, in a project's name: masking it when the ledger is
/// opened, or when a ledger holding it is merged, moves the records to the masked name's sums.
#[test]
fn keys_masked_after_the_import_move_the_sums() {
    const KEY: &str = "sk-proj-Tq3vW8xYz1Ab4Cd7Ef0Gh3Ij6Kl9Mn2Op5Qr8St1Uv4Wx7Yz0A9b2";
    let dir = tempfile::tempdir().unwrap();
    let rows = File::Cost(vec![
        CostRow {
            day: 1,
            org: 0,
            project: 1,
            name: 0,
            model: 0,
            kind: 0,
            cents: 125,
            tokens: 10,
            total: false,
        };
        2
    ]);
    // As a burnrate that stored keys in clear left it: the sums hold the clear name too.
    let in_clear = |store: &mut Store| {
        let tx = store.conn.transaction().unwrap();
        crate::store::rollup::add_records(&tx, "true", &[], -1).unwrap();
        tx.execute("UPDATE usage SET project_name = ?1", [KEY])
            .unwrap();
        crate::store::rollup::add_records(&tx, "true", &[], 1).unwrap();
        tx.execute("DELETE FROM settings WHERE key = 'secrets_masked'", [])
            .unwrap();
        tx.commit().unwrap();
    };
    let other_path = dir.path().join("other.sqlite");
    let mut other = Store::open(&other_path).unwrap();
    import(&mut other, "theirs.csv", &text(&rows));
    in_clear(&mut other);
    drop(other);

    // Opened again: the ledger is searched for keys once.
    let other = Store::open(&other_path).unwrap();
    let (stored, from_records) = sums(&other);
    assert_eq!(stored, from_records);
    assert_eq!(project_names(&other), ["sk-proj-...A9b2"]);
    drop(other);

    // Merged: the other ledger's records arrive in clear and are masked here.
    let clear_path = dir.path().join("clear.sqlite");
    let mut clear = Store::open(&clear_path).unwrap();
    import(&mut clear, "theirs.csv", &text(&rows));
    in_clear(&mut clear);
    // A merge reads the other ledger as it is, without opening it as a ledger of its own.
    drop(clear);
    let mut store = Store::open(&dir.path().join("ledger.sqlite")).unwrap();
    let meta = SourceMeta {
        name: "clear.sqlite".into(),
        path: clear_path.display().to_string(),
        imported_at: "2026-10-11T00:00:00Z".into(),
    };
    let report = store
        .merge_ledger(&clear_path, &meta, ImportMode::default())
        .unwrap();
    assert_eq!(report.error, None);
    let (stored, from_records) = sums(&store);
    assert_eq!(stored, from_records);
    assert_eq!(project_names(&store), ["sk-proj-...A9b2"]);
    let (stored, from_records) = dimensions(&store);
    assert_eq!(stored, from_records);
    let (stored, from_records) = project_sums(&store);
    assert_eq!(stored, from_records);
}
