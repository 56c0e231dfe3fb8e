//! What the ledger's queries share, written once: how a project, model or line item is named,
//! which usage counts toward totals, and the reading of a stored day and of a sum SQLite could
//! not add up.
//!
//! Providers' exports can hold both an organisation-wide total row and the detailed rows of the
//! same day (an ungrouped and a grouped OpenAI export of one month). Adding both would count the
//! day twice, so a total counts only on days its provider and organization have no detailed
//! usage with a cost. That rule is the `usage_counted` view over the daily sums (migration 8;
//! `usage_project_counted`, migration 9, is the same rule over the sums without the model):
//! totals read the view, and [`COUNTED_USAGE`] asks it about single records. A project is named
//! by its name, else its id; reports and filters show a record outside any project (or without a
//! model) as [`NONE`].
//!
//! Each constant is an SQL fragment over columns that `usage`, `usage_daily` and `usage_counted`
//! share (aliased `u` where a rule needs to look at other rows); queries splice these fixed
//! texts in, never user text.

use std::fmt::Write as _;

use chrono::NaiveDate;

use super::StoreError;

/// How reports and filters name what has no project, model or line item (the domain's one
/// label, which the review and the agent logs use too).
pub const NONE: &str = crate::domain::review::NONE_LABEL;

/// Usage records (`usage` read as `u`) that count toward totals: those with a cost whose day,
/// provider, organization and grain `usage_counted` keeps.
pub const COUNTED_USAGE: &str = "u.cost_nanos IS NOT NULL
    AND EXISTS (SELECT 1 FROM usage_counted c WHERE c.day = u.day AND c.provider = u.provider
        AND c.organization_id = u.organization_id AND c.grain = u.grain)";

/// A record's project: its name, else its id (empty outside projects).
pub const PROJECT: &str = "CASE WHEN project_name != '' THEN project_name ELSE project_id END";

/// A record's account within its provider: the organization's name, else its id.
pub const ORGANIZATION: &str =
    "CASE WHEN organization_name != '' THEN organization_name ELSE organization_id END";

/// `expr`, or [`NONE`] when it is empty: the name reports, the chart and the filters show.
pub fn or_none(expr: &str) -> String {
    format!("COALESCE(NULLIF({expr}, ''), '{NONE}')")
}

/// A project as reports, the chart and the filters name it.
pub fn project_label() -> String {
    or_none(PROJECT)
}

/// A model as reports, the chart and the filters name it.
pub fn model_label() -> String {
    or_none("model")
}

/// A line item as reports name it: as the export wrote it, else the model and token kind.
pub fn line_item_label() -> String {
    or_none(
        "CASE WHEN line_item != '' THEN line_item WHEN model != '' THEN model || ', ' || token_kind ELSE '' END",
    )
}

/// Appends `rows` parenthesised rows of `width` numbered parameters, each row's parameters
/// following the last row's (`(?1, ?2), (?3, ?4)` for two rows of two): the values of an insert
/// of many rows. `after_first`, when not empty, is written after each row's first parameter (a
/// literal the statement stores for every row). The text is made of numbers alone.
pub fn push_parameter_rows(sql: &mut String, rows: usize, width: usize, after_first: &str) {
    for row in 0..rows {
        if row > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for param in 1..=width {
            if param > 1 {
                sql.push_str(", ");
            }
            let _ = write!(sql, "?{}", row * width + param);
            if param == 1 && !after_first.is_empty() {
                sql.push_str(", ");
                sql.push_str(after_first);
            }
        }
        sql.push(')');
    }
}

/// A stored day (`YYYY-MM-DD`), read from a row.
pub fn parse_day(text: &str) -> rusqlite::Result<NaiveDate> {
    // Every stored day is `YYYY-MM-DD`; a history holds hundreds of thousands of them.
    if let Some(day) = crate::domain::import::dates::plain_iso_date(text) {
        return Ok(day);
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, e.into())
    })
}

/// `text` as SQLite's `upper` writes it (ASCII letters only), in `buffer` when it has a lower
/// case letter. Queries over every daily sum upper-case their currency with this rather than
/// with `upper`, whose result SQLite allocates under a lock all connections share.
pub fn ascii_upper<'a>(text: &'a str, buffer: &'a mut String) -> &'a str {
    if !text.bytes().any(|b| b.is_ascii_lowercase()) {
        return text;
    }
    buffer.clear();
    buffer.extend(text.chars().map(|c| c.to_ascii_uppercase()));
    buffer
}

/// A failed query as a store error: SQLite's integer overflow in a `SUM` (or a sum a STRICT
/// table refuses because `+` made it a float) is a total too large to add up exactly, never a
/// wrapped or rounded number.
pub fn overflow(e: rusqlite::Error) -> StoreError {
    let text = e.to_string();
    if text.contains("integer overflow") || text.contains("cannot store REAL") {
        StoreError::Overflow
    } else {
        StoreError::Sql(e)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn rows_of_parameters_number_on_from_row_to_row() {
        let mut sql = String::from("VALUES ");
        super::push_parameter_rows(&mut sql, 2, 3, "");
        assert_eq!(sql, "VALUES (?1, ?2, ?3), (?4, ?5, ?6)");
        let mut sql = String::new();
        super::push_parameter_rows(&mut sql, 2, 2, "0");
        assert_eq!(sql, "(?1, 0, ?2), (?3, 0, ?4)");
    }

    use chrono::NaiveDate;

    use crate::domain::views::{DayBounds, Filters};
    use crate::store::{Period, ReportKind, Store, UsageGroup};

    /// An OpenAI cost export of one organization: on Oct 1 an organisation-wide total (10.00)
    /// and the detailed rows of the same day (1.50 + 2.25, one outside any project); on Oct 2
    /// only a total (4.00).
    const EXPORT: &str = "start_time,end_time,start_time_iso,end_time_iso,amount_value,amount_currency,quantity,quantity_unit,line_item,user_id,api_key_id,project_id,organization_id,project_name,organization_name,user_email,api_source
1790812800,1790899200,2026-10-01T00:00:00+00:00,2026-10-02T00:00:00+00:00,10.00,usd,,,,,,,org-a,,Acme,,
1790812800,1790899200,2026-10-01T00:00:00+00:00,2026-10-02T00:00:00+00:00,1.50,usd,100,tokens,\"gpt-4o, input\",,key_1,proj_web,org-a,Web app,Acme,,
1790812800,1790899200,2026-10-01T00:00:00+00:00,2026-10-02T00:00:00+00:00,2.25,usd,100,tokens,\"gpt-4o, output\",,key_1,,org-a,,Acme,,
1790899200,1790985600,2026-10-02T00:00:00+00:00,2026-10-03T00:00:00+00:00,4.00,usd,,,,,,,org-a,,Acme,,
";

    fn ledger() -> Store {
        let mut store = Store::open_in_memory().unwrap();
        let report =
            crate::store::import_text(&mut store, "cost.csv", EXPORT, "2026-10-05T00:00:00Z");
        assert_eq!((report.inserted, report.error), (4, None));
        store
    }

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 10, d).unwrap()
    }

    #[test]
    fn every_reader_drops_totals_on_days_with_detail_and_names_alike() {
        let store = ledger();
        let month = Period::month("2026-10").unwrap();
        let rows = |group| {
            store
                .report(ReportKind::Usage(group), &month)
                .unwrap()
                .into_iter()
                .map(|r| (r.group, r.amount.to_cents_string()))
                .collect::<Vec<_>>()
        };
        let s = |a: &str, b: &str| (a.to_string(), b.to_string());
        assert_eq!(rows(UsageGroup::Provider), vec![s("openai", "7.75")]);
        assert_eq!(
            rows(UsageGroup::Project),
            vec![s("(none)", "6.25"), s("Web app", "1.50")]
        );
        assert_eq!(
            rows(UsageGroup::Model),
            vec![s("(none)", "4.00"), s("gpt-4o", "3.75")]
        );

        let account: Vec<(NaiveDate, String)> = store
            .daily_account_usage()
            .unwrap()
            .into_iter()
            .map(|u| (u.day, u.cost.to_cents_string()))
            .collect();
        assert_eq!(
            account,
            vec![(day(1), "3.75".into()), (day(2), "4.00".into())]
        );
        let projects: Vec<(String, String)> = store
            .daily_project_usage()
            .unwrap()
            .into_iter()
            .filter(|p| p.day == day(1))
            .map(|p| (p.project, p.cost.to_cents_string()))
            .collect();
        assert_eq!(projects, vec![s("", "2.25"), s("Web app", "1.50")]);
        let review: Vec<(String, String)> = store
            .review_usage(day(1))
            .unwrap()
            .into_iter()
            .map(|u| (u.project, u.cost.to_cents_string()))
            .collect();
        assert_eq!(
            review,
            vec![s("", "2.25"), s("Web app", "1.50"), s("", "4.00")]
        );
        let bounds = DayBounds {
            from: day(1),
            to: day(31),
        };
        let in_range = store
            .usage_in_range(bounds, &Filters::default(), &[])
            .unwrap();
        assert_eq!(in_range[0].amount.to_cents_string(), "7.75");
        let filtered = store
            .usage_in_range(
                bounds,
                &Filters {
                    project: "(none)".into(),
                    ..Filters::default()
                },
                &[],
            )
            .unwrap();
        assert_eq!(filtered[0].amount.to_cents_string(), "6.25");
        // Without a model filter the totals read the sums per project; with one, per model.
        let per_model: Vec<i64> = ["gpt-4o", "(none)"]
            .into_iter()
            .map(|model| {
                let filters = Filters {
                    model: model.into(),
                    ..Filters::default()
                };
                let totals = store.usage_in_range(bounds, &filters, &[]).unwrap();
                totals.iter().map(|t| t.amount.nanos()).sum()
            })
            .collect();
        assert_eq!(per_model.iter().sum::<i64>(), in_range[0].amount.nanos());
        assert!(per_model.iter().all(|n| *n > 0), "{per_model:?}");
        let options = store.filter_options().unwrap();
        assert_eq!(options.projects, vec!["(none)", "Web app"]);
        assert_eq!(options.models, vec!["(none)", "gpt-4o"]);
    }
}
