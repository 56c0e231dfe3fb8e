//! The registry of formats, in detection order: the most specific headers first, so that a
//! format whose columns are a subset of another's never claims the other's files.

mod anthropic;
mod bank;
mod billing;
mod cloud;
mod copilot;
mod cursor;
mod ecb;
mod openai;
mod openrouter;

pub(crate) use self::billing::default_expiry;
use super::Format;

/// The id of the user-mapped bank format.
pub const GENERIC_ID: &str = "generic";

static FORMATS: &[&dyn Format] = &[
    &openai::OpenAiCost,
    &openai::OpenAiActivity,
    &anthropic::AnthropicCost,
    &anthropic::AnthropicTokens,
    &cursor::Cursor,
    &copilot::GithubCopilot,
    &openrouter::OpenRouter,
    &cloud::GcpBilling,
    &cloud::AwsCostExplorer,
    &cloud::AzureCost,
    &billing::BurnrateBilling,
    &billing::StripeInvoices,
    &super::receipts::format::ReceiptEmail,
    &super::receipts::format::ReceiptPdf,
    &ecb::EcbRates,
    &bank::RevolutBusiness,
    &bank::Revolut,
    &bank::Wise,
    &bank::WiseStatement,
    &bank::Monzo,
    &bank::N26,
    &bank::PayPal,
    &bank::ChaseCard,
    &bank::ChaseChecking,
    &bank::AppleCard,
    &bank::CapitalOne,
    &bank::CapitalOne360,
    &bank::Citi,
    &bank::Amex,
    &bank::GenericBank,
];

/// Every format, in detection order.
pub fn all() -> &'static [&'static dyn Format] {
    FORMATS
}

/// The format with this id.
pub fn by_id(id: &str) -> Option<&'static dyn Format> {
    let id = id.trim().to_ascii_lowercase();
    FORMATS.iter().copied().find(|f| f.id() == id)
}

/// The dimensions of a usage row as one text (`usage_type=message;context=≤ 200k;...`), empty
/// values left out so that files of different eras carrying the same values give the same
/// record.
pub(crate) fn dimensions(pairs: &[(&str, std::borrow::Cow<'_, str>)]) -> String {
    pairs
        .iter()
        .filter(|(_, value)| !value.is_empty())
        .map(|(key, value)| format!("{key}={value}"))
        .collect::<Vec<_>>()
        .join(";")
}

/// Splits OpenAI's `line_item` (`gpt-4o-2024-08-06, input`, `gpt-4o-mini, output (cached)`,
/// `text-embedding-3-small`, `Web search`) into a model and a token kind.
pub fn split_line_item(line_item: &str) -> (String, String) {
    let item = line_item.trim();
    if item.is_empty() {
        return (String::new(), String::new());
    }
    match item.split_once(',') {
        Some((model, kind)) => (model.trim().to_string(), normalize_token_kind(kind)),
        None if item.contains(' ') => (String::new(), normalize_token_kind(item)),
        None => (item.to_string(), String::new()),
    }
}

/// `input_tokens` -> `input`, `output (cached)` -> `output_cached`, `cached input` ->
/// `input_cached`, `Web search` -> `web_search`.
pub fn normalize_token_kind(kind: &str) -> String {
    let k = kind.trim().to_lowercase();
    let cached = k.contains("cached") || k.contains("cache read");
    let base = k
        .replace("(cached)", "")
        .replace("cached", "")
        .replace("_tokens", "")
        .replace(" tokens", "");
    let base = base
        .split(|c: char| !c.is_alphanumeric())
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("_");
    match (base.as_str(), cached) {
        ("", true) => "input_cached".to_string(),
        (b, true) => format!("{b}_cached"),
        (b, false) => b.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_openai_line_items() {
        let cases = [
            ("gpt-4o-2024-08-06, input", ("gpt-4o-2024-08-06", "input")),
            (
                "gpt-4o-mini, output (cached)",
                ("gpt-4o-mini", "output_cached"),
            ),
            ("gpt-5-nano, input_tokens", ("gpt-5-nano", "input")),
            ("gpt-4.1, cached input", ("gpt-4.1", "input_cached")),
            ("text-embedding-3-small", ("text-embedding-3-small", "")),
            ("Web search", ("", "web_search")),
            ("", ("", "")),
        ];
        for (item, (model, kind)) in cases {
            assert_eq!(
                split_line_item(item),
                (model.to_string(), kind.to_string()),
                "{item}"
            );
        }
    }

    #[test]
    fn ids_are_unique() {
        let mut ids: Vec<_> = all().iter().map(|f| f.id()).collect();
        let n = ids.len();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), n);
    }
}
