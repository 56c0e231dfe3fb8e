//! What each provider's API answers when the money runs out and when a rate limit is hit, in
//! the provider's own words, so a diagnosis quotes the error the user actually sees in their
//! logs (an Anthropic account never answers OpenAI's `insufficient_quota`).
//!
//! Pure text; the error explainer and the flags' diagnoses both read it.

/// The errors one provider's API returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProviderErrors {
    /// The provider's name as people write it.
    pub name: &'static str,
    /// The error of an account without credit (calls refused until credit arrives).
    pub out_of_credit: &'static str,
    /// The error of a rate limit (too many requests or tokens per minute): not a balance problem.
    pub rate_limit: &'static str,
}

const OPENAI: ProviderErrors = ProviderErrors {
    name: "OpenAI",
    out_of_credit: "429 insufficient_quota (\"You exceeded your current quota, please check your plan and billing details\")",
    rate_limit: "429 rate_limit_exceeded",
};

const ANTHROPIC: ProviderErrors = ProviderErrors {
    name: "Anthropic",
    out_of_credit: "400 invalid_request_error (\"Your credit balance is too low to access the Anthropic API\")",
    rate_limit: "429 rate_limit_error",
};

const OTHER: ProviderErrors = ProviderErrors {
    name: "the provider",
    out_of_credit: "an insufficient-balance error (HTTP 402, or a 429 that names the quota or billing)",
    rate_limit: "a 429 Too Many Requests that names a rate limit",
};

/// The errors of `provider` (`openai`, `anthropic`; any other gets a generic wording).
pub fn errors_of(provider: &str) -> ProviderErrors {
    match provider.trim().to_ascii_lowercase().as_str() {
        "openai" => OPENAI,
        "anthropic" => ANTHROPIC,
        _ => OTHER,
    }
}

/// "OpenAI answers 429 `insufficient_quota` ...; 429 `rate_limit_exceeded` is only a rate
/// limit": the sentence every balance diagnosis uses.
pub fn refused_calls(provider: &str) -> String {
    let e = errors_of(provider);
    format!(
        "{} answers {}; {} is only a rate limit, not a balance problem",
        e.name, e.out_of_credit, e.rate_limit
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_provider_speaks_its_own_language() {
        let cases = [
            ("openai", "insufficient_quota", "rate_limit_exceeded"),
            ("Anthropic", "credit balance is too low", "rate_limit_error"),
            ("mistral", "insufficient-balance", "Too Many Requests"),
        ];
        for (provider, credit, limit) in cases {
            let text = refused_calls(provider);
            assert!(text.contains(credit), "{provider}: {text}");
            assert!(text.contains(limit), "{provider}: {text}");
        }
        assert!(!refused_calls("anthropic").contains("insufficient_quota"));
    }
}
