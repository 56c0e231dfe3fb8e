//! The effective-dated price table: what one model request would have cost on the provider's
//! API on the day it was made.
//!
//! The shipped table (`assets/prices.json`, sourced from the providers' public price lists, named
//! in the file) lists per model the dated rates for input, output, 5-minute and 1-hour cache
//! writes and cache reads, the long-context tier and the fast-mode multiplier where they exist.
//! The user's own entries (`settings price`) win over the shipped ones from their date on.
//! Rates are USD per million tokens held as exact nanos per million tokens; a request's value
//! is computed in 128-bit integers and rounded once, half up, to a nano.
//!
//! Long context: one rule, the providers' published one. When a request's prompt (uncached
//! input + cache writes + cache reads) is above the tier's threshold, every token of that
//! request, output included, is priced at the tier's rates (Anthropic: "requests that exceed
//! 200K input tokens are charged at premium long context rates", the threshold counting cache
//! reads and writes; OpenAI's GPT-5.6 family: above 272K input tokens, long-context rates for
//! input and output on that request). A request at exactly the threshold is not above it.
//!
//! A model the table does not know is unpriced, never $0: [`PriceBook::price`] returns `None`.

use std::collections::HashMap;
use std::sync::OnceLock;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::Tokens;
use crate::domain::money::{Amount, DecimalMark};

/// Nanos per million tokens in one dollar per million tokens.
const NANOS_PER_DOLLAR: i128 = 1_000_000_000;
const TOKENS_PER_MILLION: i128 = 1_000_000;

/// Rates of one price entry, in nano-dollars per million tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Rates {
    pub input: i64,
    pub output: i64,
    pub cache_write_5m: i64,
    pub cache_write_1h: i64,
    pub cache_read: i64,
}

/// The higher rates of a request whose prompt is above `above_prompt_tokens`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct LongContext {
    pub above_prompt_tokens: i64,
    pub rates: Rates,
}

/// Who set a price.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PriceSource {
    Shipped,
    User,
}

/// One dated price of one model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PriceEntry {
    pub provider: String,
    pub model: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// The first UTC day the price applies.
    pub from: NaiveDate,
    pub rates: Rates,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub long_context: Option<LongContext>,
    /// Fast mode costs this many hundredths of the standard price (600 = 6x).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fast_multiplier_percent: Option<i64>,
    /// Nano-dollars per web search request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub web_search_nanos: Option<i64>,
    pub source: PriceSource,
    /// Which public list the price came from (shipped entries).
    pub reference: String,
    /// The id stored with every request priced by this entry.
    pub version: String,
}

/// A request's value and the price version that gave it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Priced {
    pub value: Amount,
    pub version: String,
}

/// The whole table: shipped entries plus the user's, indexed by name (an import looks a
/// price up for every request).
#[derive(Debug, Clone, Default)]
pub struct PriceBook {
    /// The shipped table's version (`2026-10-01`).
    pub version: String,
    pub sources: Vec<String>,
    entries: Vec<PriceEntry>,
    /// Every entry's normalised name and aliases -> its canonical model (the first entry wins).
    names: HashMap<String, String>,
    /// Canonical model -> the positions of its entries, in table order.
    by_model: HashMap<String, Vec<usize>>,
}

/// Why the price table or a price cannot be read.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum PriceError {
    #[error("the shipped price table is damaged: {0}")]
    Table(String),
    #[error("'{0}' is not a price in dollars per million tokens (write it like 3 or 0.30)")]
    Rate(String),
    #[error("a price needs a model name")]
    NoModel,
}

#[derive(Deserialize)]
struct FileTable {
    version: String,
    #[serde(default)]
    sources: Vec<FileSource>,
    models: Vec<FileModel>,
}

#[derive(Deserialize)]
struct FileSource {
    id: String,
    name: String,
}

#[derive(Deserialize)]
struct FileModel {
    provider: String,
    model: String,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(default)]
    fast_multiplier: Option<String>,
    #[serde(default)]
    web_search_per_thousand: Option<String>,
    prices: Vec<FilePrice>,
}

#[derive(Deserialize)]
struct FilePrice {
    from: NaiveDate,
    input: String,
    output: String,
    #[serde(default)]
    cache_write_5m: Option<String>,
    #[serde(default)]
    cache_write_1h: Option<String>,
    #[serde(default)]
    cache_read: Option<String>,
    #[serde(default)]
    long_context: Option<FileLongContext>,
    source: String,
}

#[derive(Deserialize)]
struct FileLongContext {
    above_prompt_tokens: i64,
    input: String,
    output: String,
    #[serde(default)]
    cache_write_5m: Option<String>,
    #[serde(default)]
    cache_write_1h: Option<String>,
    #[serde(default)]
    cache_read: Option<String>,
}

/// The shipped table's text.
pub const SHIPPED_JSON: &str = include_str!("../../../assets/prices.json");

/// Dollars per million tokens (`3`, `0.30`, `$3.75`) as nanos per million tokens.
///
/// # Errors
/// When the text is not a non-negative number.
pub fn parse_rate(text: &str) -> Result<i64, PriceError> {
    let amount =
        Amount::parse(text, DecimalMark::Dot).map_err(|_| PriceError::Rate(text.to_string()))?;
    if amount.is_negative() {
        return Err(PriceError::Rate(text.to_string()));
    }
    Ok(amount.nanos())
}

fn times(rate: i64, numerator: i64, denominator: i64) -> i64 {
    let v = i128::from(rate) * i128::from(numerator) / i128::from(denominator);
    i64::try_from(v).unwrap_or(i64::MAX)
}

/// The rates of the classes a price leaves out, as the provider publishes them relative to the
/// input price. Anthropic: 5-minute cache writes 1.25x, 1-hour writes 2x, cache reads 0.1x.
/// OpenAI: cache writes at the input price (no write premium), cache reads 0.1x (the GPT-5
/// family's discount). Any other provider: writes and reads at the input price.
pub fn derived_rates(
    provider: &str,
    input: i64,
    output: i64,
    five_minute_write: Option<i64>,
    one_hour_write: Option<i64>,
    read: Option<i64>,
) -> Rates {
    let (w5, w1, r) = match provider {
        "anthropic" => ((5, 4), (2, 1), (1, 10)),
        "openai" => ((1, 1), (1, 1), (1, 10)),
        _ => ((1, 1), (1, 1), (1, 1)),
    };
    Rates {
        input,
        output,
        cache_write_5m: five_minute_write.unwrap_or_else(|| times(input, w5.0, w5.1)),
        cache_write_1h: one_hour_write.unwrap_or_else(|| times(input, w1.0, w1.1)),
        cache_read: read.unwrap_or_else(|| times(input, r.0, r.1)),
    }
}

fn optional(text: Option<&String>) -> Result<Option<i64>, PriceError> {
    text.map(|t| parse_rate(t)).transpose()
}

/// The provider of a model by its name (for user prices of models the table does not know).
pub fn provider_guess(model: &str) -> &'static str {
    let m = normalize(model);
    if m.starts_with("claude") {
        "anthropic"
    } else if m.starts_with("gpt")
        || m.starts_with("o1")
        || m.starts_with("o3")
        || m.starts_with("o4")
        || m.contains("codex")
    {
        "openai"
    } else if m.starts_with("gemini") {
        "google"
    } else {
        ""
    }
}

/// A model name reduced to what price keys compare on: lower case, no provider prefix
/// (`anthropic/`, `us.anthropic.`), no context suffix (`[1m]`), no version suffix (`@20250929`,
/// `-v1:0`), dots and underscores as dashes (`claude-sonnet-4.5` is `claude-sonnet-4-5`).
pub fn normalize(model: &str) -> String {
    let mut m = model.trim().to_ascii_lowercase();
    if let Some(i) = m.rfind('/') {
        m = m[i + 1..].to_string();
    }
    if let Some(i) = m.find("claude-") {
        m = m[i..].to_string();
    }
    for cut in ['[', '@'] {
        if let Some(i) = m.find(cut) {
            m.truncate(i);
        }
    }
    if let Some(i) = m.find("-v1:").or_else(|| m.find("-v2:")) {
        m.truncate(i);
    }
    m.replace(['.', '_'], "-")
}

/// The name without an 8-digit date suffix (`claude-haiku-4-5-20251001`) or an ISO one
/// (`gpt-5.4-2026-03-05`).
fn without_date(name: &str) -> Option<&str> {
    let bytes = name.as_bytes();
    let digits = |s: &[u8]| s.iter().all(u8::is_ascii_digit);
    if bytes.len() > 9 && bytes[bytes.len() - 9] == b'-' && digits(&bytes[bytes.len() - 8..]) {
        return name.get(..name.len() - 9);
    }
    if bytes.len() > 11 {
        let tail = &bytes[bytes.len() - 11..];
        if tail[0] == b'-'
            && digits(&tail[1..5])
            && tail[5] == b'-'
            && digits(&tail[6..8])
            && tail[8] == b'-'
            && digits(&tail[9..])
        {
            return name.get(..name.len() - 11);
        }
    }
    None
}

impl PriceBook {
    /// The table shipped with burnrate.
    ///
    /// # Errors
    /// When the shipped file does not parse (a build mistake, caught by tests).
    pub fn shipped() -> Result<Self, PriceError> {
        static SHIPPED: OnceLock<Result<PriceBook, PriceError>> = OnceLock::new();
        SHIPPED
            .get_or_init(|| Self::from_json(SHIPPED_JSON))
            .clone()
    }

    /// A table from JSON text in the shipped file's shape.
    ///
    /// # Errors
    /// When the text is not such a table.
    pub fn from_json(text: &str) -> Result<Self, PriceError> {
        let file: FileTable =
            serde_json::from_str(text).map_err(|e| PriceError::Table(e.to_string()))?;
        let mut entries = Vec::new();
        for m in &file.models {
            let fast =
                optional(m.fast_multiplier.as_ref())?.map(|nanos| times(nanos, 100, 1_000_000_000));
            let web = optional(m.web_search_per_thousand.as_ref())?.map(|n| n / 1000);
            for p in &m.prices {
                let rates = derived_rates(
                    &m.provider,
                    parse_rate(&p.input)?,
                    parse_rate(&p.output)?,
                    optional(p.cache_write_5m.as_ref())?,
                    optional(p.cache_write_1h.as_ref())?,
                    optional(p.cache_read.as_ref())?,
                );
                let long_context = match &p.long_context {
                    Some(lc) => Some(LongContext {
                        above_prompt_tokens: lc.above_prompt_tokens,
                        rates: derived_rates(
                            &m.provider,
                            parse_rate(&lc.input)?,
                            parse_rate(&lc.output)?,
                            optional(lc.cache_write_5m.as_ref())?,
                            optional(lc.cache_write_1h.as_ref())?,
                            optional(lc.cache_read.as_ref())?,
                        ),
                    }),
                    None => None,
                };
                let reference = file
                    .sources
                    .iter()
                    .find(|s| s.id == p.source)
                    .map_or_else(|| p.source.clone(), |s| s.name.clone());
                entries.push(PriceEntry {
                    provider: m.provider.clone(),
                    model: m.model.clone(),
                    aliases: m.aliases.clone(),
                    from: p.from,
                    rates,
                    long_context,
                    fast_multiplier_percent: fast,
                    web_search_nanos: web,
                    source: PriceSource::Shipped,
                    reference,
                    version: format!("{}/{}@{}", file.version, m.model, p.from),
                });
            }
        }
        Ok(Self {
            version: file.version,
            sources: file.sources.iter().map(|s| s.name.clone()).collect(),
            ..Self::default()
        }
        .with_user_entries(entries))
    }

    /// Adds entries (the user's win over shipped ones from their date on).
    #[must_use]
    pub fn with_user_entries(mut self, user: Vec<PriceEntry>) -> Self {
        for entry in user {
            let position = self.entries.len();
            for name in std::iter::once(&entry.model).chain(&entry.aliases) {
                self.names
                    .entry(normalize(name))
                    .or_insert_with(|| entry.model.clone());
            }
            self.by_model
                .entry(entry.model.clone())
                .or_default()
                .push(position);
            self.entries.push(entry);
        }
        self
    }

    /// Every entry, shipped ones first, in table order.
    pub fn entries(&self) -> &[PriceEntry] {
        &self.entries
    }

    /// The canonical model name of the table entry a logged model name matches, if any.
    pub fn model_key(&self, model: &str) -> Option<&str> {
        let name = normalize(model);
        self.names
            .get(&name)
            .or_else(|| without_date(&name).and_then(|n| self.names.get(n)))
            .map(String::as_str)
    }

    /// The entries of a canonical model, in table order.
    fn entries_of<'a>(&'a self, key: &str) -> impl Iterator<Item = &'a PriceEntry> + 'a {
        self.by_model
            .get(key)
            .into_iter()
            .flatten()
            .filter_map(|&i| self.entries.get(i))
    }

    /// The price in effect for `model` on `day`: the user's latest entry from on or before the
    /// day, else the shipped table's.
    pub fn find(&self, model: &str, day: NaiveDate) -> Option<&PriceEntry> {
        let key = self.model_key(model)?;
        let latest = |source: PriceSource| {
            self.entries_of(key)
                .filter(|e| e.source == source && e.from <= day)
                .max_by_key(|e| e.from)
        };
        latest(PriceSource::User).or_else(|| latest(PriceSource::Shipped))
    }

    /// What a request would have cost on the API, or `None` when the model (or its fast mode)
    /// has no price on that day.
    pub fn price(
        &self,
        model: &str,
        day: NaiveDate,
        tokens: &Tokens,
        web_searches: i64,
        fast: bool,
    ) -> Option<Priced> {
        let entry = self.find(model, day)?;
        let fast_percent = if fast {
            entry
                .fast_multiplier_percent
                .or_else(|| self.shipped_fast_multiplier(&entry.model))?
        } else {
            100
        };
        let value = entry_value(entry, tokens, web_searches, fast_percent)?;
        Some(Priced {
            value,
            version: entry.version.clone(),
        })
    }

    fn shipped_fast_multiplier(&self, model: &str) -> Option<i64> {
        self.entries_of(model)
            .filter(|e| e.source == PriceSource::Shipped)
            .find_map(|e| e.fast_multiplier_percent)
    }

    /// The canonical models of the table, sorted.
    pub fn models(&self) -> Vec<&str> {
        let mut models: Vec<&str> = self.entries.iter().map(|e| e.model.as_str()).collect();
        models.sort_unstable();
        models.dedup();
        models
    }
}

/// A request's value at one entry's rates (see the module's long-context rule).
pub fn entry_value(
    entry: &PriceEntry,
    tokens: &Tokens,
    web_searches: i64,
    fast_percent: i64,
) -> Option<Amount> {
    let rates = match entry.long_context {
        Some(lc) if tokens.prompt() > lc.above_prompt_tokens => lc.rates,
        _ => entry.rates,
    };
    let classes = [
        (tokens.input, rates.input),
        (tokens.output, rates.output),
        (tokens.cache_write_5m, rates.cache_write_5m),
        (tokens.cache_write_1h, rates.cache_write_1h),
        (tokens.cache_read, rates.cache_read),
    ];
    let mut sum: i128 = 0;
    for (count, rate) in classes {
        sum = sum.checked_add(i128::from(count).checked_mul(i128::from(rate))?)?;
    }
    let searches = i128::from(web_searches.max(0))
        * i128::from(entry.web_search_nanos.unwrap_or(0))
        * TOKENS_PER_MILLION;
    sum = sum
        .checked_add(searches)?
        .checked_mul(i128::from(fast_percent))?;
    let denominator = TOKENS_PER_MILLION * 100;
    let nanos = (sum + denominator / 2) / denominator;
    i64::try_from(nanos).ok().map(Amount::from_nanos)
}

/// A rate in dollars per million tokens, for people (`3.75`).
pub fn rate_text(nanos_per_million: i64) -> String {
    let whole = i128::from(nanos_per_million) / NANOS_PER_DOLLAR;
    let frac = i128::from(nanos_per_million) % NANOS_PER_DOLLAR;
    if frac == 0 {
        return format!("{whole}.00");
    }
    let digits = format!("{frac:09}");
    let trimmed = digits.trim_end_matches('0');
    if trimmed.len() < 2 {
        format!("{whole}.{trimmed:0<2}")
    } else {
        format!("{whole}.{trimmed}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn book() -> PriceBook {
        PriceBook::shipped().unwrap()
    }

    #[test]
    fn the_shipped_table_reads_and_names_its_sources() {
        let b = book();
        assert!(!b.version.is_empty());
        assert!(
            b.sources.iter().any(|s| s.contains("anthropic.com")),
            "{:?}",
            b.sources
        );
        assert!(b.entries.iter().all(|e| !e.reference.is_empty()));
        assert!(b.models().len() > 15);
    }

    #[test]
    fn the_worked_example_of_a_real_line() {
        // claude-sonnet-4-6 in May 2026: 3 input, 2849 1-hour writes, 9493 reads, 527 output.
        let tokens = Tokens {
            input: 3,
            output: 527,
            cache_write_5m: 0,
            cache_write_1h: 2849,
            cache_read: 9493,
            reasoning: 0,
        };
        let p = book()
            .price("claude-sonnet-4-6", day("2026-05-04"), &tokens, 0, false)
            .unwrap();
        // 9 + 17_094 + 2_847.9 + 7_905 micro-dollars = 0.0278559 dollars
        assert_eq!(p.value.nanos(), 27_855_900);
        assert!(
            p.version.ends_with("claude-sonnet-4-6@2026-03-13"),
            "{}",
            p.version
        );
    }

    #[test]
    fn names_match_with_dates_dots_and_prefixes() {
        let b = book();
        for name in [
            "claude-haiku-4-5-20251001",
            "anthropic/claude-haiku-4.5",
            "us.anthropic.claude-haiku-4-5-20251001-v1:0",
            "claude-haiku-4-5@20251001",
        ] {
            assert_eq!(b.model_key(name), Some("claude-haiku-4-5"), "{name}");
        }
        assert_eq!(b.model_key("gpt-5.1-codex"), Some("gpt-5.1-codex"));
        assert_eq!(b.model_key("gpt-5"), Some("gpt-5"));
        assert_eq!(
            b.model_key("gpt-5.9-nonexistent"),
            None,
            "no prefix guessing: gpt-5 must not price gpt-5.9"
        );
        assert!(
            b.price(
                "claude-nonexistent",
                day("2026-01-01"),
                &Tokens::default(),
                0,
                false
            )
            .is_none()
        );
    }

    #[test]
    fn long_context_prices_the_whole_request_once_the_prompt_is_above_the_threshold() {
        let b = book();
        // Sonnet 4.5: 3/15 below, 6/22.50 above 200k prompt tokens (cache reads count).
        let at = Tokens {
            input: 50_000,
            output: 1_000,
            cache_write_5m: 0,
            cache_write_1h: 0,
            cache_read: 150_000,
            reasoning: 0,
        };
        let above = Tokens {
            input: 50_001,
            ..at
        };
        let below = b
            .price("claude-sonnet-4-5", day("2026-01-10"), &at, 0, false)
            .unwrap();
        // 50_000 * 3 + 1_000 * 15 + 150_000 * 0.30 = 150_000 + 15_000 + 45_000 = $0.21
        assert_eq!(below.value.nanos(), 210_000_000);
        let tier = b
            .price("claude-sonnet-4-5", day("2026-01-10"), &above, 0, false)
            .unwrap();
        // 50_001 * 6 + 1_000 * 22.50 + 150_000 * 0.60 = 300_006 + 22_500 + 90_000 = $0.412506
        assert_eq!(tier.value.nanos(), 412_506_000);
        // The reference's vector: 60k uncached + 150k read = 210k prompt: the whole request at
        // the tier (marginal-per-class pricing would have charged the base rate).
        let vector = Tokens {
            input: 60_000,
            output: 0,
            cache_write_5m: 0,
            cache_write_1h: 0,
            cache_read: 150_000,
            reasoning: 0,
        };
        assert_eq!(
            b.price("claude-sonnet-4-5", day("2026-01-10"), &vector, 0, false)
                .unwrap()
                .value
                .nanos(),
            450_000_000
        );
    }

    #[test]
    fn fast_mode_multiplies_and_is_unpriced_without_a_published_multiplier() {
        let b = book();
        let t = Tokens {
            input: 1_000_000,
            ..Tokens::default()
        };
        let standard = b
            .price("claude-opus-4-6", day("2026-04-01"), &t, 0, false)
            .unwrap();
        let fast = b
            .price("claude-opus-4-6", day("2026-04-01"), &t, 0, true)
            .unwrap();
        assert_eq!(fast.value.nanos(), standard.value.nanos() * 6);
        assert!(
            b.price("claude-haiku-4-5", day("2026-04-01"), &t, 0, true)
                .is_none()
        );
    }

    #[test]
    fn a_dated_change_prices_each_side_at_its_own_rate() {
        let b = book();
        let t = Tokens {
            input: 100_000,
            output: 100_000,
            ..Tokens::default()
        };
        let before = b
            .price("gpt-5.6-sol", day("2026-08-20"), &t, 0, false)
            .unwrap();
        let after = b
            .price("gpt-5.6-sol", day("2026-08-21"), &t, 0, false)
            .unwrap();
        // 0.1M * 5 + 0.1M * 30 = 3.50; then 0.1M * 4 + 0.1M * 20 = 2.40.
        assert_eq!(
            (before.value.nanos(), after.value.nanos()),
            (3_500_000_000, 2_400_000_000)
        );
        assert_ne!(before.version, after.version);
    }

    #[test]
    fn user_entries_win_from_their_date_and_derive_missing_classes() {
        let rates = derived_rates(
            "anthropic",
            parse_rate("4").unwrap(),
            parse_rate("20").unwrap(),
            None,
            None,
            None,
        );
        assert_eq!(
            (rates.cache_write_5m, rates.cache_write_1h, rates.cache_read),
            (5_000_000_000, 8_000_000_000, 400_000_000)
        );
        let user = PriceEntry {
            provider: "anthropic".into(),
            model: "claude-sonnet-4-5".into(),
            aliases: vec![],
            from: day("2026-03-15"),
            rates,
            long_context: None,
            fast_multiplier_percent: None,
            web_search_nanos: None,
            source: PriceSource::User,
            reference: "user".into(),
            version: "user#1/claude-sonnet-4-5@2026-03-15".into(),
        };
        let b = book().with_user_entries(vec![user]);
        assert_eq!(
            b.find("claude-sonnet-4-5", day("2026-03-14"))
                .unwrap()
                .source,
            PriceSource::Shipped
        );
        assert_eq!(
            b.find("claude-sonnet-4-5-20250929", day("2026-03-15"))
                .unwrap()
                .source,
            PriceSource::User
        );
        assert_eq!(rate_text(3_750_000_000), "3.75");
        assert_eq!(rate_text(300_000_000), "0.30");
        assert_eq!(rate_text(18_750_000), "0.01875");
        assert!(parse_rate("-1").is_err() && parse_rate("abc").is_err());
    }
}
