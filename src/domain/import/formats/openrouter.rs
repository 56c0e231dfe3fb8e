//! `OpenRouter`'s activity export: one row per generation (`generation_id,created_at,cost_total,
//! ...,tokens_prompt,tokens_completion,...,model_permaslug,provider_name,...,api_key_name,
//! app_name`), the full layout or a reduced column set.
//!
//! `generation_id` is the key, so re-importing an overlapping export adds nothing. `cost_total`
//! is what `OpenRouter` billed, in dollars, drawn from the credit the user bought (its card
//! charges are top-ups). A generation run with the user's own provider key (BYOK, a non-zero
//! `byok_usage_inference`) is billed its fee by `OpenRouter` and its inference by the provider:
//! that inference cost is kept apart ([`UsageCharge::Byok`], `byok_cost`), never added to
//! `OpenRouter`'s total, because the provider's own export counts it. The model is the permaslug
//! (`openai/gpt-oss-120b`); the project is the app, else the API key.

use std::borrow::Cow;

use super::dimensions;
use crate::domain::import::table::{BindError, FieldError, Header, Row};
use crate::domain::import::{FileOptions, Format, RecordKind, RowParser};
use crate::domain::money::Currency;
use crate::domain::records::{Record, UsageCharge, UsageGrain, UsageRecord};

/// The activity export.
pub struct OpenRouter;

impl Format for OpenRouter {
    fn id(&self) -> &'static str {
        "openrouter"
    }
    fn name(&self) -> &'static str {
        "OpenRouter activity export"
    }
    fn kind(&self) -> RecordKind {
        RecordKind::Usage
    }
    fn signature(&self) -> &'static str {
        "generation_id, created_at, cost_total, byok_usage_inference?, tokens_prompt, tokens_completion, model_permaslug, provider_name?, api_key_name?, app_name?, ..."
    }
    fn detect(&self, h: &Header) -> bool {
        h.has_all(&["generation_id", "created_at", "cost_total"])
    }
    fn bind(&self, h: &Header, _options: &FileOptions) -> Result<Box<dyn RowParser>, BindError> {
        Ok(Box::new(OpenRouterParser {
            id: h.require(&["generation_id"])?,
            created: h.require(&["created_at"])?,
            cost: h.require(&["cost_total"])?,
            byok: h.find(&["byok_usage_inference"]),
            prompt: h.find(&["tokens_prompt"]),
            completion: h.find(&["tokens_completion"]),
            model: h.find(&["model_permaslug", "model"]),
            upstream: h.find(&["provider_name"]),
            variant: h.find(&["variant"]),
            cancelled: h.find(&["cancelled"]),
            user: h.find(&["user"]),
            key_name: h.find(&["api_key_name"]),
            app: h.find(&["app_name"]),
        }))
    }
}

struct OpenRouterParser {
    id: usize,
    created: usize,
    cost: usize,
    byok: Option<usize>,
    prompt: Option<usize>,
    completion: Option<usize>,
    model: Option<usize>,
    upstream: Option<usize>,
    variant: Option<usize>,
    cancelled: Option<usize>,
    user: Option<usize>,
    key_name: Option<usize>,
    app: Option<usize>,
}

impl RowParser for OpenRouterParser {
    fn amount_columns(&self) -> Vec<usize> {
        std::iter::once(self.cost).chain(self.byok).collect()
    }
    fn parse(&mut self, row: &Row<'_>, out: &mut Vec<Record>) -> Result<(), FieldError> {
        let at = row.datetime(self.created)?;
        let cost = row.amount(self.cost)?;
        let byok = row.opt_amount(self.byok)?.filter(|b| !b.is_zero());
        let tokens = match (row.opt_count(self.prompt)?, row.opt_count(self.completion)?) {
            (None, None) => None,
            (p, c) => Some(p.unwrap_or(0).saturating_add(c.unwrap_or(0))),
        };
        let generation = row.text(self.id);
        if generation.is_empty() {
            return Err(FieldError::at(self.id, "the generation id is empty"));
        }
        let key_name = row.opt_text(self.key_name).into_owned();
        let app = row.opt_text(self.app).into_owned();
        out.push(Record::Usage(UsageRecord {
            source_kind: "openrouter",
            day: Some(at.date()),
            provider: "openrouter".into(),
            project_name: if app.is_empty() {
                key_name.clone()
            } else {
                app
            },
            model: row.opt_text(self.model).into_owned(),
            api_key_name: key_name,
            user: row.opt_text(self.user).into_owned(),
            extra_dimensions: dimensions(&[
                ("generation", generation),
                ("upstream", row.opt_text(self.upstream)),
                ("variant", row.opt_text(self.variant)),
                (
                    "cancelled",
                    match row.opt_text(self.cancelled).to_lowercase().as_str() {
                        "true" | "1" | "yes" => Cow::Borrowed("yes"),
                        _ => Cow::Borrowed(""),
                    },
                ),
            ]),
            tokens,
            requests: Some(1),
            cost: Some(cost),
            currency: Currency::USD,
            cost_text: row.text(self.cost).into_owned(),
            grain: Some(UsageGrain::Detail),
            charge: if byok.is_some() {
                UsageCharge::Byok
            } else {
                UsageCharge::Billed
            },
            byok_cost: byok,
            ..UsageRecord::default()
        }));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::import::parse_bytes;
    use crate::domain::import::test_support::usage;
    use crate::domain::money::Amount;

    #[test]
    fn generations_with_byok_kept_apart_and_the_reduced_layout() {
        let full = "generation_id,created_at,cost_total,cost_web_search,cost_cache,cost_file_processing,byok_usage_inference,tokens_prompt,tokens_completion,tokens_reasoning,tokens_cached,model_permaslug,provider_name,variant,cancelled,streamed,user,finish_reason_raw,finish_reason_normalized,generation_time_ms,time_to_first_token_ms,api_key_disabled,api_key_name,app_name\n\
gen-1782618417-aaa,2026-06-28 03:46:57.713,0.0123,0,0,0,0,10389,137,0,0,openai/gpt-oss-120b,Groq,,false,true,,stop,stop,812,200,false,laptop,Cline\n\
gen-1782618500-bbb,2026-06-28 03:48:20.001,0.0004,0,0,0,0.0081,2000,400,0,0,anthropic/claude-sonnet-4.5,Anthropic,,false,true,,stop,stop,900,300,false,laptop,\n";
        let parsed = parse_bytes(full.as_bytes(), &FileOptions::default()).unwrap();
        assert_eq!(parsed.format_id, "openrouter");
        let u = usage(&parsed);
        let got: Vec<_> = u
            .iter()
            .map(|r| {
                (
                    r.cost.map(Amount::nanos),
                    r.byok_cost.map(Amount::nanos),
                    r.charge,
                    r.tokens,
                    r.project_name.as_str(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (
                    Some(12_300_000),
                    None,
                    UsageCharge::Billed,
                    Some(10_526),
                    "Cline"
                ),
                (
                    Some(400_000),
                    Some(8_100_000),
                    UsageCharge::Byok,
                    Some(2_400),
                    "laptop"
                ),
            ]
        );
        assert!(
            u[0].extra_dimensions
                .contains("generation=gen-1782618417-aaa")
        );

        let reduced = "generation_id,created_at,cost_total,tokens_prompt,tokens_completion,model_permaslug,variant\n\
gen-1782618417-billableAAA,2026-06-28 03:46:57.713,0.0123,10389,137,openai/gpt-oss-120b,free\n";
        let parsed = parse_bytes(reduced.as_bytes(), &FileOptions::default()).unwrap();
        let r = usage(&parsed);
        assert_eq!(r[0].cost.map(Amount::nanos), Some(12_300_000));
        assert_eq!(r[0].model, "openai/gpt-oss-120b");
    }
}
