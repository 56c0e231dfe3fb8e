//! Anthropic Console exports: the cost CSV (`claude_api_cost_<from>_to_<to>.csv`, dollars, every
//! header era from the 2024 seven-column file to the 2026 one with `api_key_id`) and the token
//! usage CSV (`claude_api_tokens_<from>_to_<to>.csv`, counts only).
//!
//! Both are read by column name, so the columns each era added (`context_window`, `cost_type`,
//! `list_price_usd`, `inference_geo`, `speed`, `api_key_id`) may be present or not, in any order.
//! The cost file names models for people (`Claude Haiku 4.5`); they are normalised to the API's
//! spelling (`claude-haiku-4-5`) so cost and token rows of one model meet. `list_price_usd` is
//! not kept: it is a price, not what was charged. An empty workspace is the `Default` one. The
//! dimensions of a bucket (service tier, context window such as the Unicode `≤ 200k`, cost type,
//! region, speed) go into `extra_dimensions`, skipping empty ones so files of different eras
//! that carry the same values give the same record. A token row becomes one usage record per
//! token kind with a non-zero count; zero and empty cells give none.

use super::{dimensions, normalize_token_kind};
use crate::domain::import::table::{BindError, FieldError, Header, Row};
use crate::domain::import::{FileOptions, Format, RecordKind, RowParser};
use crate::domain::money::Currency;
use crate::domain::records::{Record, UsageGrain, UsageRecord};

/// The workspace Anthropic means when the export leaves it empty.
const DEFAULT_WORKSPACE: &str = "Default";

/// `Claude Haiku 4.5` -> `claude-haiku-4-5`; `Claude 3.5 Sonnet 2024-10-22` ->
/// `claude-3-5-sonnet-2024-10-22`. API ids pass through unchanged.
pub fn normalize_model(display: &str) -> String {
    display
        .split_whitespace()
        .collect::<Vec<_>>()
        .join("-")
        .to_lowercase()
        .replace('.', "-")
}

/// The ledger's token kind for a Console `token_type`.
fn token_kind_of(token_type: &str) -> String {
    let t = token_type.trim().to_ascii_lowercase();
    match t.as_str() {
        "input_no_cache" => "input".to_string(),
        "output" => "output".to_string(),
        "input_cache_read" => "input_cached".to_string(),
        "input_cache_write_5m" | "input_cache_write_1h" => t,
        _ => normalize_token_kind(&t),
    }
}

fn workspace_of(row: &Row<'_>, column: Option<usize>) -> String {
    let workspace = row.opt_text(column);
    if workspace.is_empty() {
        DEFAULT_WORKSPACE.to_string()
    } else {
        workspace.into_owned()
    }
}

fn day_of(row: &Row<'_>, column: usize) -> Result<chrono::NaiveDate, FieldError> {
    row.datetime(column).map(|t| t.date())
}

/// The Console cost export: one row per UTC day, model, workspace, key and token type.
pub struct AnthropicCost;

impl Format for AnthropicCost {
    fn id(&self) -> &'static str {
        "anthropic-cost"
    }
    fn name(&self) -> &'static str {
        "Anthropic Console cost export"
    }
    fn kind(&self) -> RecordKind {
        RecordKind::Usage
    }
    fn signature(&self) -> &'static str {
        "usage_date_utc, model, workspace, api_key, usage_type, token_type, cost_usd, context_window?, cost_type?, ..."
    }
    fn detect(&self, h: &Header) -> bool {
        h.has_all(&["usage_date_utc", "model", "cost_usd"])
    }
    fn bind(&self, h: &Header, _options: &FileOptions) -> Result<Box<dyn RowParser>, BindError> {
        Ok(Box::new(CostParser {
            day: h.require(&["usage_date_utc"])?,
            model: h.require(&["model"])?,
            cost: h.require(&["cost_usd"])?,
            token_type: h.find(&["token_type"]),
            workspace: h.find(&["workspace"]),
            api_key: h.find(&["api_key"]),
            api_key_id: h.find(&["api_key_id"]),
            usage_type: h.find(&["usage_type"]),
            context_window: h.find(&["context_window"]),
            cost_type: h.find(&["cost_type"]),
            inference_geo: h.find(&["inference_geo"]),
            speed: h.find(&["speed"]),
        }))
    }
}

struct CostParser {
    day: usize,
    model: usize,
    cost: usize,
    token_type: Option<usize>,
    workspace: Option<usize>,
    api_key: Option<usize>,
    api_key_id: Option<usize>,
    usage_type: Option<usize>,
    context_window: Option<usize>,
    cost_type: Option<usize>,
    inference_geo: Option<usize>,
    speed: Option<usize>,
}

impl RowParser for CostParser {
    fn parse(&mut self, row: &Row<'_>, out: &mut Vec<Record>) -> Result<(), FieldError> {
        let day = day_of(row, self.day)?;
        let cost = row.amount(self.cost)?;
        let display_model = row.text(self.model);
        let token_type = row.opt_text(self.token_type);
        let cost_type = row.opt_text(self.cost_type);
        // Web search and other non-token charges say what they are in cost_type.
        let non_token = !cost_type.is_empty() && !cost_type.eq_ignore_ascii_case("token");
        let what = if token_type.is_empty() || non_token {
            &cost_type
        } else {
            &token_type
        };
        if what.is_empty() {
            let column = self.token_type.unwrap_or(self.cost);
            return Err(FieldError::at(
                column,
                "the row says neither its token type nor its cost type",
            ));
        }
        let line_item = if display_model.is_empty() {
            what.to_string()
        } else {
            format!("{display_model}, {what}")
        };
        let workspace = workspace_of(row, self.workspace);
        out.push(Record::Usage(UsageRecord {
            source_kind: "anthropic-cost",
            day: Some(day),
            provider: "anthropic".into(),
            project_id: workspace.clone(),
            project_name: workspace,
            model: normalize_model(&display_model),
            token_kind: token_kind_of(what),
            line_item,
            api_key_id: row.opt_text(self.api_key_id).into_owned(),
            api_key_name: row.opt_text(self.api_key).into_owned(),
            extra_dimensions: dimensions(&[
                ("usage_type", row.opt_text(self.usage_type)),
                ("context", row.opt_text(self.context_window)),
                ("cost_type", cost_type.clone()),
                ("geo", row.opt_text(self.inference_geo)),
                ("speed", row.opt_text(self.speed)),
            ]),
            cost: Some(cost),
            currency: Currency::USD,
            cost_text: row.text(self.cost).into_owned(),
            grain: Some(UsageGrain::Detail),
            ..UsageRecord::default()
        }));
        Ok(())
    }
}

/// The token columns of the Console token export and the kinds they become. The single
/// `usage_input_tokens_cache_write` column is the older files' sum of both cache-write lengths.
const TOKEN_COLUMNS: [(&str, &str); 6] = [
    ("usage_input_tokens_no_cache", "input"),
    ("usage_input_tokens_cache_write_5m", "input_cache_write_5m"),
    ("usage_input_tokens_cache_write_1h", "input_cache_write_1h"),
    ("usage_input_tokens_cache_write", "input_cache_write"),
    ("usage_input_tokens_cache_read", "input_cached"),
    ("usage_output_tokens", "output"),
];

/// The Console token usage export: token counts per bucket, no money.
pub struct AnthropicTokens;

impl Format for AnthropicTokens {
    fn id(&self) -> &'static str {
        "anthropic-tokens"
    }
    fn name(&self) -> &'static str {
        "Anthropic Console token export"
    }
    fn kind(&self) -> RecordKind {
        RecordKind::Usage
    }
    fn signature(&self) -> &'static str {
        "usage_date_utc, model_version, api_key, workspace, usage_input_tokens_no_cache, usage_output_tokens, ..."
    }
    fn detect(&self, h: &Header) -> bool {
        h.has_all(&["usage_date_utc", "model_version"])
            && h.find_prefix(&["usage_input_tokens", "usage_output_tokens"])
                .is_some()
    }
    fn bind(&self, h: &Header, _options: &FileOptions) -> Result<Box<dyn RowParser>, BindError> {
        let token_columns: Vec<(usize, &'static str)> = TOKEN_COLUMNS
            .iter()
            .filter_map(|(name, kind)| h.find(&[name]).map(|c| (c, *kind)))
            .collect();
        let web_search = h.find(&["web_search_count"]);
        if token_columns.is_empty() && web_search.is_none() {
            return Err(BindError::MissingColumn("usage_output_tokens".into()));
        }
        Ok(Box::new(TokenParser {
            day: h.require(&["usage_date_utc"])?,
            model: h.require(&["model_version"])?,
            token_columns,
            web_search,
            workspace: h.find(&["workspace"]),
            api_key: h.find(&["api_key"]),
            usage_type: h.find(&["usage_type"]),
            context_window: h.find(&["context_window"]),
            inference_geo: h.find(&["inference_geo"]),
            speed: h.find(&["speed"]),
        }))
    }
}

struct TokenParser {
    day: usize,
    model: usize,
    token_columns: Vec<(usize, &'static str)>,
    web_search: Option<usize>,
    workspace: Option<usize>,
    api_key: Option<usize>,
    usage_type: Option<usize>,
    context_window: Option<usize>,
    inference_geo: Option<usize>,
    speed: Option<usize>,
}

impl RowParser for TokenParser {
    fn parse(&mut self, row: &Row<'_>, out: &mut Vec<Record>) -> Result<(), FieldError> {
        let day = day_of(row, self.day)?;
        // Read every count first, so a bad cell rejects the whole row rather than half of it.
        let mut counts: Vec<(&'static str, i64)> = Vec::new();
        for &(c, kind) in &self.token_columns {
            if let Some(n) = row.opt_count(Some(c))? {
                if n < 0 {
                    return Err(FieldError::at(c, "a token count cannot be negative"));
                }
                counts.push((kind, n));
            }
        }
        let searches = row.opt_count(self.web_search)?;
        if let (Some(c), Some(n)) = (self.web_search, searches)
            && n < 0
        {
            return Err(FieldError::at(c, "a request count cannot be negative"));
        }
        let workspace = workspace_of(row, self.workspace);
        let base = UsageRecord {
            source_kind: "anthropic-tokens",
            day: Some(day),
            provider: "anthropic".into(),
            project_id: workspace.clone(),
            project_name: workspace,
            model: row.text(self.model).into_owned(),
            api_key_name: row.opt_text(self.api_key).into_owned(),
            extra_dimensions: dimensions(&[
                ("usage_type", row.opt_text(self.usage_type)),
                ("context", row.opt_text(self.context_window)),
                ("geo", row.opt_text(self.inference_geo)),
                ("speed", row.opt_text(self.speed)),
            ]),
            currency: Currency::USD,
            grain: Some(UsageGrain::Detail),
            ..UsageRecord::default()
        };
        for (kind, tokens) in counts.into_iter().filter(|(_, n)| *n > 0) {
            out.push(Record::Usage(UsageRecord {
                token_kind: kind.to_string(),
                tokens: Some(tokens),
                ..base.clone()
            }));
        }
        if let Some(n) = searches.filter(|n| *n > 0) {
            out.push(Record::Usage(UsageRecord {
                token_kind: "web_search".into(),
                requests: Some(n),
                ..base
            }));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::import::test_support::usage;
    use crate::domain::import::{FileOptions, ParsedFile, parse_bytes};

    fn parse(text: &str) -> ParsedFile {
        parse_bytes(text.as_bytes(), &FileOptions::default()).unwrap()
    }

    #[test]
    fn normalises_display_names() {
        let cases = [
            ("Claude Haiku 4.5", "claude-haiku-4-5"),
            (
                "Claude 3.5 Sonnet 2024-10-22",
                "claude-3-5-sonnet-2024-10-22",
            ),
            ("Claude  Opus 4.1 ", "claude-opus-4-1"),
            ("claude-sonnet-4-20250514", "claude-sonnet-4-20250514"),
            ("", ""),
        ];
        for (display, want) in cases {
            assert_eq!(normalize_model(display), want, "{display}");
        }
    }

    #[test]
    fn maps_token_types() {
        let cases = [
            ("input_no_cache", "input"),
            ("output", "output"),
            ("input_cache_read", "input_cached"),
            ("input_cache_write_5m", "input_cache_write_5m"),
            ("input_cache_write_1h", "input_cache_write_1h"),
            ("Web Search", "web_search"),
            ("web_search", "web_search"),
        ];
        for (token_type, want) in cases {
            assert_eq!(token_kind_of(token_type), want, "{token_type}");
        }
    }

    #[test]
    fn reads_every_cost_header_era() {
        // (file, expected model, token kind, cost nanos, extra dimensions, api key id)
        let cases: &[(&str, &str, &str, i64, &str, &str)] = &[
            (
                "usage_date_utc,model,workspace,api_key,usage_type,token_type,cost_usd\n\
                 2024-12-07,Claude 3.5 Sonnet 2024-10-22,,Stéphane,message,input_no_cache,0.00\n",
                "claude-3-5-sonnet-2024-10-22",
                "input",
                0,
                "usage_type=message",
                "",
            ),
            (
                "usage_date_utc,model,workspace,api_key,usage_type,context_window,token_type,cost_usd,cost_type\n\
                 2025-06-02,Claude Sonnet 4,Research,ci-bot,message,≤ 200k,input_cache_read,18.71,token\n",
                "claude-sonnet-4",
                "input_cached",
                18_710_000_000,
                "usage_type=message;context=≤ 200k;cost_type=token",
                "",
            ),
            (
                "usage_date_utc,model,workspace,api_key,usage_type,context_window,token_type,cost_usd,list_price_usd,cost_type,inference_geo,speed\n\
                 2026-04-06,Claude Opus 4.6,Default,batch-runner,batch,> 200k,input_cache_write_1h,0.123456789,0.25,token,us,fast\n",
                "claude-opus-4-6",
                "input_cache_write_1h",
                123_456_789,
                "usage_type=batch;context=> 200k;cost_type=token;geo=us;speed=fast",
                "",
            ),
            (
                "usage_date_utc,model,workspace,api_key,usage_type,context_window,token_type,cost_usd,list_price_usd,cost_type,inference_geo,speed,api_key_id,api_key_status\n\
                 2026-08-05,Claude Sonnet 4.5,Default,demo-key,message,≤ 200k,output,1.50,1.50,token,not_available,,apikey_01XYZ,active\n",
                "claude-sonnet-4-5",
                "output",
                1_500_000_000,
                "usage_type=message;context=≤ 200k;cost_type=token;geo=not_available",
                "apikey_01XYZ",
            ),
        ];
        for (csv, model, kind, nanos, dims, key_id) in cases {
            let parsed = parse(csv);
            assert_eq!(parsed.format_id, "anthropic-cost", "{csv}");
            assert!(parsed.rejected.is_empty(), "{:?}", parsed.rejected);
            let u = usage(&parsed);
            assert_eq!(u.len(), 1, "{csv}");
            let r = u[0];
            assert_eq!(r.source_kind, "anthropic-cost");
            assert_eq!(r.provider, "anthropic");
            assert_eq!(r.model, *model);
            assert_eq!(r.token_kind, *kind);
            assert_eq!(r.cost.unwrap().nanos(), *nanos);
            assert_eq!(r.extra_dimensions, *dims);
            assert_eq!(r.api_key_id, *key_id);
            assert_eq!(r.currency, "USD");
            assert_eq!(r.grain, Some(UsageGrain::Detail));
            assert_eq!(r.tokens, None);
        }
    }

    #[test]
    fn cost_row_keeps_names_and_text() {
        let parsed = parse(
            "usage_date_utc,model,workspace,api_key,usage_type,token_type,cost_usd\n\
             2024-12-07,Claude 3.5 Sonnet 2024-10-22,,Stéphane,message,output,0.0100\n",
        );
        let r = usage(&parsed)[0];
        assert_eq!(r.day.unwrap().to_string(), "2024-12-07");
        assert_eq!(
            (r.project_id.as_str(), r.project_name.as_str()),
            ("Default", "Default")
        );
        assert_eq!(r.api_key_name, "Stéphane");
        assert_eq!(r.line_item, "Claude 3.5 Sonnet 2024-10-22, output");
        assert_eq!(r.cost_text, "0.0100");
        assert_eq!(r.cost.unwrap().nanos(), 10_000_000);
    }

    #[test]
    fn non_token_rows_use_cost_type() {
        let parsed = parse(
            "usage_date_utc,model,workspace,api_key,usage_type,context_window,token_type,cost_usd,cost_type\n\
             2026-03-01,Claude Sonnet 4.5,Default,k,message,,,0.20,web_search\n",
        );
        assert!(parsed.rejected.is_empty(), "{:?}", parsed.rejected);
        let r = usage(&parsed)[0];
        assert_eq!(r.token_kind, "web_search");
        assert_eq!(r.line_item, "Claude Sonnet 4.5, web_search");
        assert_eq!(
            r.extra_dimensions,
            "usage_type=message;cost_type=web_search"
        );
    }

    #[test]
    fn bad_cost_rows_are_rejected_with_line_and_column() {
        // (row, line, column, column name, reason fragment)
        let cases: &[(&str, u64, Option<usize>, &str, &str)] = &[
            (
                "2026-02-01,Claude Haiku 4.5,Default,k,message,output,abc\n",
                2,
                Some(7),
                "cost_usd",
                "'abc' is not a number",
            ),
            (
                "2026-02-01,Claude Haiku 4.5,Default,k,message,output,\n",
                2,
                Some(7),
                "cost_usd",
                "the amount is empty",
            ),
            (
                "02/30/2026,Claude Haiku 4.5,Default,k,message,output,1\n",
                2,
                Some(1),
                "usage_date_utc",
                "not a date",
            ),
            (
                "2026-02-01,Claude Haiku 4.5,Default,k,message,,1\n",
                2,
                Some(6),
                "token_type",
                "neither its token type",
            ),
        ];
        for (row, line, column, name, reason) in cases {
            let csv = format!(
                "usage_date_utc,model,workspace,api_key,usage_type,token_type,cost_usd\n{row}"
            );
            let parsed = parse(&csv);
            assert_eq!(parsed.rejected.len(), 1, "{row}");
            let e = &parsed.rejected[0];
            assert_eq!(
                (e.line, e.column, e.column_name.as_str()),
                (*line, *column, *name),
                "{row}"
            );
            assert!(e.reason.contains(reason), "{row}: {}", e.reason);
        }
    }

    #[test]
    fn bom_and_crlf_cost_file() {
        let text = "usage_date_utc,model,workspace,api_key,usage_type,context_window,token_type,cost_usd,cost_type\r\n\
                    2026-02-01,Claude Opus 4.5,\"Team, EU\",claude-sdk,message,≤ 200k,input_cache_write_5m,1.89,token\r\n\
                    2026-02-01,Claude Opus 4.5,\"Team, EU\",claude-sdk,message,≤ 200k,output,0.82,token\r\n";
        let mut bytes = vec![0xEF, 0xBB, 0xBF];
        bytes.extend_from_slice(text.as_bytes());
        let parsed = parse_bytes(&bytes, &FileOptions::default()).unwrap();
        assert_eq!(parsed.format_id, "anthropic-cost");
        let u = usage(&parsed);
        assert_eq!(u.len(), 2);
        assert_eq!(u[0].project_name, "Team, EU");
        assert_eq!(
            u[0].extra_dimensions,
            "usage_type=message;context=≤ 200k;cost_type=token"
        );
        assert_eq!(u[1].cost.unwrap().nanos(), 820_000_000);
        assert_eq!(parsed.rejected, vec![]);
    }

    #[test]
    fn token_rows_give_one_record_per_kind() {
        let parsed = parse(
            "usage_date_utc,model_version,api_key,workspace,usage_type,context_window,usage_input_tokens_no_cache,usage_input_tokens_cache_write_5m,usage_input_tokens_cache_write_1h,usage_input_tokens_cache_read,usage_output_tokens,web_search_count,inference_geo,speed\n\
             2026-03-22,claude-sonnet-4-20250514,test-key,,standard,≤ 200k,100000,0,0,0,5000,10,not_available,\n\
             2026-03-22,claude-opus-4-5-20251101,test-key,Research,batch,≤ 200k,43,302527,7,3301672,32676,0,us,fast\n",
        );
        assert_eq!(parsed.format_id, "anthropic-tokens");
        assert!(parsed.rejected.is_empty(), "{:?}", parsed.rejected);
        let got: Vec<(&str, &str, Option<i64>, Option<i64>)> = usage(&parsed)
            .iter()
            .map(|u| {
                (
                    u.model.as_str(),
                    u.token_kind.as_str(),
                    u.tokens,
                    u.requests,
                )
            })
            .collect();
        let want = vec![
            ("claude-sonnet-4-20250514", "input", Some(100_000), None),
            ("claude-sonnet-4-20250514", "output", Some(5000), None),
            ("claude-sonnet-4-20250514", "web_search", None, Some(10)),
            ("claude-opus-4-5-20251101", "input", Some(43), None),
            (
                "claude-opus-4-5-20251101",
                "input_cache_write_5m",
                Some(302_527),
                None,
            ),
            (
                "claude-opus-4-5-20251101",
                "input_cache_write_1h",
                Some(7),
                None,
            ),
            (
                "claude-opus-4-5-20251101",
                "input_cached",
                Some(3_301_672),
                None,
            ),
            ("claude-opus-4-5-20251101", "output", Some(32_676), None),
        ];
        assert_eq!(got, want);
        let u = usage(&parsed);
        assert_eq!(u[0].project_name, "Default");
        assert_eq!(u[0].api_key_name, "test-key");
        assert_eq!(
            u[0].extra_dimensions,
            "usage_type=standard;context=≤ 200k;geo=not_available"
        );
        assert_eq!(
            u[3].extra_dimensions,
            "usage_type=batch;context=≤ 200k;geo=us;speed=fast"
        );
        assert!(
            u.iter()
                .all(|r| r.source_kind == "anthropic-tokens" && r.cost.is_none())
        );
    }

    #[test]
    fn older_token_export_with_single_cache_write_column() {
        let parsed = parse(
            "usage_date_utc,model_version,api_key,workspace,usage_type,usage_input_tokens_no_cache,usage_input_tokens_cache_write,usage_input_tokens_cache_read,usage_output_tokens\n\
             2025-04-01,claude-3-7-sonnet-20250219,dev,Default,standard,1200,800,,300\n",
        );
        assert_eq!(parsed.format_id, "anthropic-tokens");
        let got: Vec<(&str, Option<i64>)> = usage(&parsed)
            .iter()
            .map(|u| (u.token_kind.as_str(), u.tokens))
            .collect();
        assert_eq!(
            got,
            vec![
                ("input", Some(1200)),
                ("input_cache_write", Some(800)),
                ("output", Some(300))
            ]
        );
    }

    #[test]
    fn bad_token_counts_are_rejected() {
        let header = "usage_date_utc,model_version,api_key,workspace,usage_input_tokens_no_cache,usage_output_tokens,web_search_count\n";
        // (row, column, column name, reason fragment)
        let cases: &[(&str, usize, &str, &str)] = &[
            (
                "2026-01-01,claude-x,k,w,12.5,3,0\n",
                5,
                "usage_input_tokens_no_cache",
                "not a whole number",
            ),
            (
                "2026-01-01,claude-x,k,w,12,lots,0\n",
                6,
                "usage_output_tokens",
                "'lots' is not a count",
            ),
            (
                "2026-01-01,claude-x,k,w,-12,3,0\n",
                5,
                "usage_input_tokens_no_cache",
                "cannot be negative",
            ),
            (
                "2026-01-01,claude-x,k,w,12,3,-1\n",
                7,
                "web_search_count",
                "cannot be negative",
            ),
            (
                "yesterday,claude-x,k,w,12,3,0\n",
                1,
                "usage_date_utc",
                "'yesterday' is not a date",
            ),
        ];
        for (row, column, name, reason) in cases {
            let parsed = parse(&format!("{header}{row}"));
            assert!(parsed.records.is_empty(), "{row}");
            let e = &parsed.rejected[0];
            assert_eq!(
                (e.line, e.column, e.column_name.as_str()),
                (2, Some(*column), *name),
                "{row}"
            );
            assert!(e.reason.contains(reason), "{row}: {}", e.reason);
        }
    }

    #[test]
    fn detection_keeps_the_two_exports_apart() {
        let cost = Header::new(
            vec![
                "usage_date_utc".into(),
                "model".into(),
                "token_type".into(),
                "cost_usd".into(),
            ],
            1,
        );
        let tokens = Header::new(
            vec![
                "usage_date_utc".into(),
                "model_version".into(),
                "usage_output_tokens".into(),
            ],
            1,
        );
        assert!(AnthropicCost.detect(&cost) && !AnthropicTokens.detect(&cost));
        assert!(AnthropicTokens.detect(&tokens) && !AnthropicCost.detect(&tokens));
    }
}
