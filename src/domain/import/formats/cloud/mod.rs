//! The cloud consoles' cost exports: Google Cloud Billing (`gcp.rs`), AWS Cost Explorer
//! (`aws.rs`) and Azure Cost Management (`azure.rs`). A cloud bill holds every service the
//! account uses; only AI services (generative models and the platforms that serve them) are AI
//! spend. The other rows are left out of the ledger and counted, with what they cost, in the
//! import report ([`crate::domain::import::LeftOut`]).
//!
//! Shared here: which services are AI, the model and token kind named in a SKU or meter's free
//! text, and the currency a cost header names (`Cost ($)`, `Subtotal (€)`).

mod aws;
mod azure;
mod gcp;

pub use aws::AwsCostExplorer;
pub use azure::AzureCost;
pub use gcp::GcpBilling;

use crate::domain::money::Currency;

/// Words that name an AI service, model family or model vendor in a cloud bill's service,
/// product or meter names (compared in lower case). Generative-model services only: the
/// consoles' vision, speech and translation services are not in this list.
const AI_WORDS: &[&str] = &[
    "gemini",
    "vertex ai",
    "generative language",
    "ai platform",
    "model garden",
    "bedrock",
    "amazon q",
    "amazon nova",
    "amazon titan",
    "openai",
    "foundry",
    "ai services",
    "cognitive services",
    "models as a service",
    "claude",
    "anthropic",
    "llama",
    "mistral",
    "cohere",
    "ai21",
    "deepseek",
    "grok",
    "gemma",
    "imagen",
];

/// Whether any of `names` (a service, product, category or meter name) names an AI service.
pub(super) fn is_ai(names: &[&str]) -> bool {
    names.iter().any(|name| {
        let n = name.to_lowercase();
        AI_WORDS.iter().any(|w| n.contains(w))
    })
}

/// Model families as they start a model's name in a SKU or service text.
const FAMILIES: &[&str] = &[
    "gemini",
    "gemma",
    "claude",
    "llama",
    "mistral",
    "codestral",
    "gpt",
    "o1",
    "o3",
    "o4",
    "imagen",
    "veo",
    "nova",
    "titan",
    "command",
    "jamba",
    "deepseek",
    "grok",
    "phi",
];

/// Words that continue a model's name after its family (`claude opus 4.6`, `gemini 2.5 flash
/// lite`).
const VARIANTS: &[&str] = &[
    "pro",
    "flash",
    "lite",
    "ultra",
    "nano",
    "mini",
    "micro",
    "haiku",
    "sonnet",
    "opus",
    "instant",
    "turbo",
    "large",
    "small",
    "medium",
    "image",
    "live",
    "thinking",
    "preview",
    "vision",
    "embedding",
    "codex",
    "premier",
    "lite-preview",
    "r",
    "plus",
    "fast",
];

/// Words skipped inside a model's name (`Gemini 2.5 Flash Native Image Generation` is
/// `gemini-2.5-flash-image`).
const FILLERS: &[&str] = &["native"];

/// The model a SKU description, service or meter name names (`Generate content output token
/// count gemini 2.5 flash short input text` -> `gemini-2.5-flash`; `Claude Opus 4.6 (Amazon
/// Bedrock Edition)` -> `claude-opus-4.6`), or empty. A version is a number with dots, so
/// `gemini 3 flash` and `gemini 3.1 flash lite` stay two models.
pub(super) fn model_in(text: &str) -> String {
    let lower = text.to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !(c.is_alphanumeric() || c == '.'))
        .filter(|w| !w.is_empty())
        .collect();
    let Some(start) = words.iter().position(|w| FAMILIES.contains(w)) else {
        return String::new();
    };
    let mut name: Vec<&str> = vec![words[start]];
    for w in words.iter().skip(start + 1) {
        let version = w.chars().next().is_some_and(|c| c.is_ascii_digit())
            && w.chars().all(|c| c.is_ascii_alphanumeric() || c == '.');
        if version || VARIANTS.contains(w) {
            name.push(w.trim_end_matches('.'));
        } else if !FILLERS.contains(w) {
            break;
        }
    }
    name.join("-")
}

/// The token kind a SKU or meter text names: `input`, `output`, `input_cached`,
/// `cache_write`, or empty.
pub(super) fn token_kind_in(text: &str) -> String {
    let t = text.to_lowercase();
    let words: Vec<&str> = t
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let has = |options: &[&str]| words.iter().any(|w| options.contains(w));
    let cached = has(&["cache", "cached", "caching", "cd", "cchd", "ccchd"]);
    let write = has(&["write", "wr", "storage"]);
    let output = has(&["output", "outp", "opt", "out"]);
    let input = has(&["input", "inp"]);
    match (cached, write, output, input) {
        (true, true, _, _) => "cache_write",
        (true, false, _, _) => "input_cached",
        (false, _, true, _) => "output",
        (false, _, false, true) => "input",
        _ => "",
    }
    .to_string()
}

/// The currency a cost column's name gives in its parentheses: a code (`Cost (AUD)`) or a
/// symbol (`Cost ($)` is dollars, `Subtotal (€)`); `None` when it names none.
pub(super) fn currency_in_header(name: &str) -> Option<Currency> {
    let inner = name.trim().strip_suffix(')')?.rsplit_once('(')?.1.trim();
    if let Ok(code) = Currency::parse(inner) {
        return Some(code);
    }
    let code: &[u8; 3] = match inner {
        "$" | "US$" => b"USD",
        "€" => b"EUR",
        "£" => b"GBP",
        "¥" => b"JPY",
        "₹" => b"INR",
        "A$" => b"AUD",
        "C$" | "CA$" => b"CAD",
        "R$" => b"BRL",
        "CHF" => b"CHF",
        _ => return None,
    };
    Some(Currency::of(*code))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn models_and_token_kinds_from_free_text() {
        let cases = [
            (
                "Generate content output token count gemini 2.5 flash short input text",
                "gemini-2.5-flash",
                "output",
            ),
            (
                "Generate_content image output token count for Gemini 2.5 Flash Native Image Generation",
                "gemini-2.5-flash-image",
                "output",
            ),
            (
                "Gemini 3.1 Flash Lite Input Tokens",
                "gemini-3.1-flash-lite",
                "input",
            ),
            (
                "Gemini 3 Flash Cached Input Tokens",
                "gemini-3-flash",
                "input_cached",
            ),
            (
                "Claude Opus 4.6 (Amazon Bedrock Edition)",
                "claude-opus-4.6",
                "",
            ),
            (
                "gpt-4o-mini-0718-Inp-glbl Tokens",
                "gpt-4o-mini-0718",
                "input",
            ),
            (
                "gpt 4.1 nano cached Inp glbl",
                "gpt-4.1-nano",
                "input_cached",
            ),
            ("gpt-4o-0806-Outp-regnl Tokens", "gpt-4o-0806", "output"),
            ("Amazon Bedrock", "", ""),
            ("Compute Engine N2 Instance Core", "", ""),
        ];
        for (text, model, kind) in cases {
            assert_eq!(model_in(text), model, "{text}");
            assert_eq!(token_kind_in(text), kind, "{text}");
        }
    }

    #[test]
    fn ai_services_and_header_currencies() {
        assert!(is_ai(&["Gemini API"]));
        assert!(is_ai(&["Vertex AI"]));
        assert!(is_ai(&["Claude 3 Haiku (Amazon Bedrock Edition)($)"]));
        assert!(is_ai(&["Cognitive Services", "Azure OpenAI GPT5"]));
        assert!(!is_ai(&["Compute Engine", "EC2-Instances($)", "Storage"]));
        assert_eq!(currency_in_header("Cost ($)"), Some(Currency::USD));
        assert_eq!(currency_in_header("Subtotal (€)"), Some(Currency::EUR));
        assert_eq!(
            currency_in_header("Cost (AUD)"),
            Currency::parse("AUD").ok()
        );
        assert_eq!(currency_in_header("Cost"), None);
    }
}
