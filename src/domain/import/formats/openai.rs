//! OpenAI usage dashboard exports: the "Cost data" CSV (`cost_<from>_<to>.csv`, dollars with up
//! to 30 decimals, every header era) and the "Activity data" CSV (`completions_usage_...csv`,
//! tokens only).
//!
//! Cost rows of empty days (only the time columns filled) are skipped. Rows without line item,
//! project or key are organisation-wide totals, marked [`UsageGrain::Total`] so reports never add
//! them to the detailed rows of the same day. An activity row becomes one usage record per token
//! kind it reports (uncached input, cached input, output, audio and image tokens).

use std::collections::HashMap;

use super::split_line_item;
use crate::domain::import::table::{BindError, FieldError, Header, Row};
use crate::domain::import::{Format, RecordKind, RowParser};
use crate::domain::money::Currency;
use crate::domain::records::{Record, UsageGrain, UsageRecord};

fn day_of(
    row: &Row<'_>,
    unix: Option<usize>,
    iso: Option<usize>,
) -> Result<chrono::NaiveDate, FieldError> {
    if let Some(c) = unix {
        let text = row.text(c);
        if !text.is_empty() {
            return crate::domain::import::dates::from_unix_seconds(&text)
                .map(|t| t.date())
                .ok_or_else(|| FieldError::at(c, format!("'{text}' is not a Unix time")));
        }
    }
    match iso {
        Some(c) => row.datetime(c).map(|t| t.date()),
        None => Err(FieldError::row("the row has no start time")),
    }
}

/// Whether a quantity unit counts tokens (`tokens`, `Tokens`): it holds the word in any case.
/// An ASCII unit, as every export writes, is compared in place instead of lowercased into a new
/// text for each of a million rows.
fn counts_tokens(unit: &str) -> bool {
    if unit.is_ascii() {
        return unit
            .as_bytes()
            .windows(5)
            .any(|w| w.eq_ignore_ascii_case(b"token"));
    }
    unit.to_lowercase().contains("token")
}

/// The "Cost data" export.
pub struct OpenAiCost;

impl Format for OpenAiCost {
    fn id(&self) -> &'static str {
        "openai-cost"
    }
    fn name(&self) -> &'static str {
        "OpenAI cost export"
    }
    fn kind(&self) -> RecordKind {
        RecordKind::Usage
    }
    fn signature(&self) -> &'static str {
        "start_time, end_time, amount_value, amount_currency, line_item?, project_id?, ..."
    }
    fn detect(&self, h: &Header) -> bool {
        h.has_all(&["amount_value", "amount_currency"])
            && (h.has_all(&["start_time"]) || h.has_all(&["start_time_iso"]))
    }
    fn bind(
        &self,
        h: &Header,
        _options: &crate::domain::import::FileOptions,
    ) -> Result<Box<dyn RowParser>, BindError> {
        let unix = h.find(&["start_time"]);
        let iso = h.find(&["start_time_iso"]);
        if unix.is_none() && iso.is_none() {
            return Err(BindError::MissingColumn("start_time".into()));
        }
        Ok(Box::new(CostParser {
            unix,
            iso,
            amount: h.require(&["amount_value"])?,
            currency: h.find(&["amount_currency"]),
            quantity: h.find(&["quantity"]),
            quantity_unit: h.find(&["quantity_unit"]),
            line_item: h.find(&["line_item"]),
            user_id: h.find(&["user_id"]),
            api_key_id: h.find(&["api_key_id"]),
            project_id: h.find(&["project_id"]),
            organization_id: h.find(&["organization_id"]),
            project_name: h.find(&["project_name"]),
            organization_name: h.find(&["organization_name"]),
            user_email: h.find(&["user_email"]),
            api_source: h.find(&["api_source"]),
            line_items: HashMap::new(),
        }))
    }
}

/// The line items of a file read so far, split: an export repeats a few dozen of them over a
/// million rows. Cleared when it grows past this many, so no file makes it large.
const LINE_ITEMS_KEPT: usize = 4096;

struct CostParser {
    unix: Option<usize>,
    iso: Option<usize>,
    amount: usize,
    currency: Option<usize>,
    quantity: Option<usize>,
    quantity_unit: Option<usize>,
    line_item: Option<usize>,
    user_id: Option<usize>,
    api_key_id: Option<usize>,
    project_id: Option<usize>,
    organization_id: Option<usize>,
    project_name: Option<usize>,
    organization_name: Option<usize>,
    user_email: Option<usize>,
    api_source: Option<usize>,
    line_items: HashMap<String, (String, String)>,
}

impl CostParser {
    /// The model and token kind of a line item ([`split_line_item`]), remembered.
    fn split(&mut self, line_item: &str) -> (String, String) {
        if let Some(split) = self.line_items.get(line_item) {
            return split.clone();
        }
        let split = split_line_item(line_item);
        if self.line_items.len() >= LINE_ITEMS_KEPT {
            self.line_items.clear();
        }
        self.line_items.insert(line_item.to_string(), split.clone());
        split
    }
}

impl RowParser for CostParser {
    fn parse(&mut self, row: &Row<'_>, out: &mut Vec<Record>) -> Result<(), FieldError> {
        let cost_text = row.text(self.amount);
        // Read the day first: a row whose time does not read (a row split on the wrong
        // delimiter) is an error, not an empty day.
        let day = day_of(row, self.unix, self.iso)?;
        if cost_text.is_empty() {
            // An empty day: the export writes the bucket's time columns and nothing else.
            return Ok(());
        }
        let cost = row.amount_in(self.amount, &cost_text)?;
        let line_item = row.opt_text(self.line_item).into_owned();
        let (model, token_kind) = self.split(&line_item);
        let project_id = row.opt_text(self.project_id).into_owned();
        let api_key_id = row.opt_text(self.api_key_id).into_owned();
        let user = {
            let id = row.opt_text(self.user_id);
            if id.is_empty() {
                row.opt_text(self.user_email).into_owned()
            } else {
                id.into_owned()
            }
        };
        let grain = if line_item.is_empty()
            && project_id.is_empty()
            && api_key_id.is_empty()
            && user.is_empty()
        {
            UsageGrain::Total
        } else {
            UsageGrain::Detail
        };
        let tokens = if counts_tokens(&row.opt_text(self.quantity_unit)) {
            row.opt_count(self.quantity)?
        } else {
            None
        };
        let currency = row.opt_currency(self.currency)?.unwrap_or(Currency::USD);
        out.push(Record::Usage(UsageRecord {
            source_kind: "openai-cost",
            day: Some(day),
            provider: "openai".into(),
            organization_id: row.opt_text(self.organization_id).into_owned(),
            organization_name: row.opt_text(self.organization_name).into_owned(),
            project_id,
            project_name: row.opt_text(self.project_name).into_owned(),
            model,
            token_kind,
            line_item,
            api_key_id,
            user,
            extra_dimensions: row.opt_text(self.api_source).into_owned(),
            tokens,
            cost: Some(cost),
            currency,
            cost_text: cost_text.into_owned(),
            grain: Some(grain),
            ..UsageRecord::default()
        }));
        Ok(())
    }
}

/// The "Activity data" export: token counts per bucket, no money.
pub struct OpenAiActivity;

impl Format for OpenAiActivity {
    fn id(&self) -> &'static str {
        "openai-activity"
    }
    fn name(&self) -> &'static str {
        "OpenAI activity (token usage) export"
    }
    fn kind(&self) -> RecordKind {
        RecordKind::Usage
    }
    fn signature(&self) -> &'static str {
        "start_time, end_time, start_time_iso, end_time_iso, model?, input_tokens?, output_tokens?, ..."
    }
    fn detect(&self, h: &Header) -> bool {
        h.has_all(&["start_time", "end_time", "start_time_iso", "end_time_iso"])
            && h.find(&["amount_value"]).is_none()
    }
    fn bind(
        &self,
        h: &Header,
        _options: &crate::domain::import::FileOptions,
    ) -> Result<Box<dyn RowParser>, BindError> {
        let token_columns = [
            ("input_uncached_tokens", "input"),
            ("input_cached_tokens", "input_cached"),
            ("output_tokens", "output"),
        ]
        .iter()
        .filter_map(|(name, kind)| h.find(&[name]).map(|c| (c, *kind)))
        .collect::<Vec<_>>();
        Ok(Box::new(ActivityParser {
            unix: h.find(&["start_time"]),
            iso: h.find(&["start_time_iso"]),
            input_tokens: h.find(&["input_tokens"]),
            input_cached: h.find(&["input_cached_tokens"]),
            has_uncached: h.find(&["input_uncached_tokens"]).is_some(),
            token_columns,
            project_id: h.find(&["project_id"]),
            requests: h.find(&["num_model_requests"]),
            user_id: h.find(&["user_id"]),
            api_key_id: h.find(&["api_key_id"]),
            model: h.find(&["model"]),
            batch: h.find(&["batch"]),
            service_tier: h.find(&["service_tier"]),
        }))
    }
}

struct ActivityParser {
    unix: Option<usize>,
    iso: Option<usize>,
    input_tokens: Option<usize>,
    input_cached: Option<usize>,
    has_uncached: bool,
    token_columns: Vec<(usize, &'static str)>,
    project_id: Option<usize>,
    requests: Option<usize>,
    user_id: Option<usize>,
    api_key_id: Option<usize>,
    model: Option<usize>,
    batch: Option<usize>,
    service_tier: Option<usize>,
}

impl RowParser for ActivityParser {
    fn parse(&mut self, row: &Row<'_>, out: &mut Vec<Record>) -> Result<(), FieldError> {
        let day = day_of(row, self.unix, self.iso)?;
        let batch = row.opt_text(self.batch).to_ascii_lowercase();
        let tier = row.opt_text(self.service_tier).into_owned();
        let base = UsageRecord {
            source_kind: "openai-activity",
            day: Some(day),
            provider: "openai".into(),
            project_id: row.opt_text(self.project_id).into_owned(),
            model: row.opt_text(self.model).into_owned(),
            api_key_id: row.opt_text(self.api_key_id).into_owned(),
            user: row.opt_text(self.user_id).into_owned(),
            extra_dimensions: format!("batch={batch};tier={tier}"),
            currency: Currency::USD,
            grain: Some(UsageGrain::Detail),
            ..UsageRecord::default()
        };
        let mut kinds: Vec<(i64, &'static str)> = Vec::new();
        for &(c, kind) in &self.token_columns {
            if let Some(n) = row.opt_count(Some(c))? {
                kinds.push((n, kind));
            }
        }
        if !self.has_uncached {
            // Older files: input_tokens includes the cached ones.
            if let Some(total) = row.opt_count(self.input_tokens)? {
                let cached = row.opt_count(self.input_cached)?.unwrap_or(0);
                kinds.push((total.saturating_sub(cached), "input"));
            }
        }
        let requests = row.opt_count(self.requests)?;
        for (i, (tokens, kind)) in kinds.into_iter().enumerate() {
            out.push(Record::Usage(UsageRecord {
                token_kind: kind.to_string(),
                tokens: Some(tokens),
                requests: if i == 0 { requests } else { None },
                ..base.clone()
            }));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::counts_tokens;

    #[test]
    fn a_unit_counts_tokens_whatever_its_case() {
        let cases = [
            ("tokens", true),
            ("Tokens", true),
            ("TOKENS", true),
            ("input tokens", true),
            ("token", true),
            ("requests", false),
            ("", false),
            ("toke", false),
            // The Kelvin sign lowercases to an ASCII `k`: read as the lowercased text reads.
            ("to\u{212a}ens", true),
            ("images (Ä)", false),
        ];
        for (unit, expected) in cases {
            assert_eq!(counts_tokens(unit), expected, "{unit:?}");
        }
    }
}
