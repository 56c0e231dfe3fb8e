//! Tagging bank and card lines with the AI service they paid and what for, from the merchant
//! descriptor the issuer printed (`OPENAI *CHATGPT SUBSCR`, `Anthropic* Claude Sub`, ...).
//!
//! Patterns match whole words of the descriptor, case-insensitively, with punctuation ignored,
//! so `CURSOR` matches `CURSOR, AI POWERED IDE` but not `PRECURSOR LTD`. The user's own rules
//! are tried before the built-in ones; the first match wins. Lines that match nothing are not
//! AI spending.

use super::records::SpendKind;

/// One descriptor rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MerchantRule {
    pub pattern: String,
    pub provider: String,
    pub kind: SpendKind,
}

impl MerchantRule {
    pub fn new(pattern: &str, provider: &str, kind: SpendKind) -> Self {
        Self {
            pattern: pattern.to_string(),
            provider: provider.to_string(),
            kind,
        }
    }
}

/// The provider and kind a line was tagged with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tag {
    pub provider: String,
    pub kind: SpendKind,
}

/// Built-in rules, most specific first.
const BUILT_IN: &[(&str, &str, SpendKind)] = &[
    ("OPENAI CHATGPT", "openai", SpendKind::Subscription),
    ("CHATGPT SUBSCR", "openai", SpendKind::Subscription),
    ("CHATGPT SUBSCRIPTION", "openai", SpendKind::Subscription),
    ("CHATGPT", "openai", SpendKind::Subscription),
    ("OPENAI", "openai", SpendKind::ApiTopup),
    ("ANTHROPIC CLAUDE SUB", "anthropic", SpendKind::Subscription),
    (
        "ANTHROPIC CLAUDE SUBSCRIPTION",
        "anthropic",
        SpendKind::Subscription,
    ),
    (
        "CLAUDE AI SUBSCRIPTION",
        "anthropic",
        SpendKind::Subscription,
    ),
    ("CLAUDE AI", "anthropic", SpendKind::Subscription),
    ("ANTHROPIC", "anthropic", SpendKind::ApiTopup),
    ("MIDJOURNEY", "midjourney", SpendKind::Subscription),
    ("GITHUB INC", "github", SpendKind::Subscription),
    ("GITHUB COPILOT", "github", SpendKind::Subscription),
    ("GITHUB COM", "github", SpendKind::Subscription),
    ("RUNWAYML", "runway", SpendKind::Subscription),
    ("RUNWAY AI", "runway", SpendKind::Subscription),
    ("RUNWAY ML", "runway", SpendKind::Subscription),
    ("DEEPL", "deepl", SpendKind::Subscription),
    ("CURSOR AI", "cursor", SpendKind::Subscription),
    ("CURSOR USAGE", "cursor", SpendKind::Subscription),
    ("CURSOR", "cursor", SpendKind::Subscription),
    ("PERPLEXITY", "perplexity", SpendKind::Subscription),
    ("ELEVENLABS", "elevenlabs", SpendKind::Subscription),
    ("OPENROUTER", "openrouter", SpendKind::ApiTopup),
    ("MISTRAL AI", "mistral", SpendKind::ApiTopup),
    ("GROQ", "groq", SpendKind::ApiTopup),
    ("REPLICATE", "replicate", SpendKind::ApiTopup),
    ("TOGETHER AI", "together", SpendKind::ApiTopup),
    ("X AI", "xai", SpendKind::ApiTopup),
    ("GOOGLE GEMINI", "google", SpendKind::Subscription),
];

/// Providers that bill usage after it happens (a monthly invoice or card charge for what was
/// used) instead of drawing it from prepaid credit: their accounts have no balance to run out.
const BILLED_AFTER_USE: &[&str] = &["cursor", "github", "google", "aws", "azure"];

/// Whether `provider` bills its usage after the fact (Cursor's usage beyond the plan, GitHub,
/// the cloud consoles), so its usage draws down no prepaid balance.
pub fn bills_after_use(provider: &str) -> bool {
    BILLED_AFTER_USE.contains(&provider)
}

/// The built-in rules as values (for `burnrate settings rule list` and the settings screen).
pub fn built_in_rules() -> Vec<MerchantRule> {
    BUILT_IN
        .iter()
        .map(|(p, prov, k)| MerchantRule::new(p, prov, *k))
        .collect()
}

/// Uppercase words of a descriptor, punctuation dropped: `Anthropic* Claude Sub` -> `ANTHROPIC
/// CLAUDE SUB`; `CLAUDE.AI` -> `CLAUDE AI`.
pub fn normalize_descriptor(text: &str) -> String {
    let mut words = String::with_capacity(text.len());
    push_words(&mut words, text);
    words
}

/// Appends the uppercase words of `text` to `out`, one space between words (none before the
/// first or after the last): what [`normalize_descriptor`] returns, written in one pass.
fn push_words(out: &mut String, text: &str) {
    let decoded = if text.contains("&amp;") {
        std::borrow::Cow::Owned(text.replace("&amp;", "&"))
    } else {
        std::borrow::Cow::Borrowed(text)
    };
    let start = out.len();
    let mut between_words = false;
    for c in decoded.chars() {
        if !c.is_alphanumeric() {
            between_words = true;
            continue;
        }
        if between_words && out.len() > start {
            out.push(' ');
        }
        between_words = false;
        out.extend(c.to_uppercase());
    }
}

/// The user's rules then the built-in ones, normalised once, to tag many lines (an import, a
/// re-tag after a rule changed) without redoing that work for every line.
#[derive(Debug, Clone)]
pub struct Tagger {
    /// Each rule's pattern as ` WORDS ` (padded with one space each side, so a plain substring
    /// search matches whole words only), its provider in lowercase, its kind. Rules whose
    /// pattern has no word match nothing and are left out.
    rules: Vec<(String, String, SpendKind)>,
}

impl Tagger {
    /// The tagger of `user_rules` (tried first, in order) and the built-in rules.
    pub fn new(user_rules: &[MerchantRule]) -> Self {
        let user = user_rules
            .iter()
            .map(|r| (r.pattern.as_str(), r.provider.as_str(), r.kind));
        let built_in = BUILT_IN.iter().map(|(p, prov, k)| (*p, *prov, *k));
        let rules = user
            .chain(built_in)
            .filter_map(|(pattern, provider, kind)| {
                let mut padded = String::from(" ");
                push_words(&mut padded, pattern);
                if padded.len() == 1 {
                    return None;
                }
                padded.push(' ');
                Some((padded, provider.to_lowercase(), kind))
            })
            .collect();
        Self { rules }
    }

    /// The provider (lowercase) and kind of the first rule whose words appear, whole, in
    /// `description`'s words.
    pub fn tag(&self, description: &str) -> Option<(&str, SpendKind)> {
        self.rule_of(description)
            .and_then(|rule| self.rule_tag(rule))
    }

    /// Which rule [`Tagger::tag`] finds for `description` (its place among the rules), so a
    /// line can be tagged on one thread and its tag read with [`Tagger::rule_tag`] on another.
    pub fn rule_of(&self, description: &str) -> Option<usize> {
        let mut padded = String::with_capacity(description.len() + 2);
        padded.push(' ');
        push_words(&mut padded, description);
        padded.push(' ');
        self.rules
            .iter()
            .position(|(pattern, _, _)| padded.contains(pattern.as_str()))
    }

    /// The provider (lowercase) and kind of the rule at `rule`, as [`Tagger::rule_of`] found it.
    pub fn rule_tag(&self, rule: usize) -> Option<(&str, SpendKind)> {
        self.rules
            .get(rule)
            .map(|(_, provider, kind)| (provider.as_str(), *kind))
    }
}

/// Tags a descriptor with the user's rules first, then the built-in ones.
pub fn tag(description: &str, user_rules: &[MerchantRule]) -> Option<Tag> {
    Tagger::new(user_rules)
        .tag(description)
        .map(|(provider, kind)| Tag {
            provider: provider.to_string(),
            kind,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Option<(String, SpendKind)> {
        tag(s, &[]).map(|t| (t.provider, t.kind))
    }

    #[test]
    fn tags_real_descriptors() {
        let sub = SpendKind::Subscription;
        let api = SpendKind::ApiTopup;
        let cases: &[(&str, Option<(&str, SpendKind)>)] = &[
            ("OPENAI *CHATGPT SUBSCR", Some(("openai", sub))),
            (
                "OPENAI *CHATGPT SUBS SAN FRANCISCO CA",
                Some(("openai", sub)),
            ),
            ("Openai *chatgpt Subscr", Some(("openai", sub))),
            (
                "CHATGPT SUBSCRIPTION    SAN FRANCISCO",
                Some(("openai", sub)),
            ),
            ("OPENAI", Some(("openai", api))),
            ("OPENAI *API 1234", Some(("openai", api))),
            ("ANTHROPIC", Some(("anthropic", api))),
            ("Anthropic* Claude Sub", Some(("anthropic", sub))),
            (
                "CLAUDE.AI SUBSCRIPTION  SAN FRANCISCO",
                Some(("anthropic", sub)),
            ),
            ("claude.ai subscription", Some(("anthropic", sub))),
            ("MIDJOURNEY INC", Some(("midjourney", sub))),
            ("GITHUB, INC.", Some(("github", sub))),
            ("CURSOR, AI POWERED IDE", Some(("cursor", sub))),
            ("CURSOR USAGE OCT", Some(("cursor", sub))),
            ("GitHub.com", Some(("github", sub))),
            ("GITHUB& CO SPONSORS", None),
            ("OPENROUTER, INC", Some(("openrouter", api))),
            ("OPENROUTER.AI", Some(("openrouter", api))),
            ("OpenRouter Inc New York NY", Some(("openrouter", api))),
            ("PRECURSOR LTD", None),
            ("DEEPL SE", Some(("deepl", sub))),
            ("PERPLEXITY AI", Some(("perplexity", sub))),
            ("STARBUCKS STORE 03255", None),
            ("GOOGLE *CLOUD_02BB66-C", None),
        ];
        for (desc, want) in cases {
            assert_eq!(t(desc), want.map(|(p, k)| (p.to_string(), k)), "{desc}");
        }
    }

    #[test]
    fn descriptors_become_uppercase_words() {
        let cases = [
            ("Anthropic* Claude Sub", "ANTHROPIC CLAUDE SUB"),
            ("CLAUDE.AI", "CLAUDE AI"),
            ("  AT&amp;T   Mobility*  ", "AT T MOBILITY"),
            ("straße Café 42", "STRASSE CAFÉ 42"),
            ("***", ""),
            ("", ""),
        ];
        for (text, want) in cases {
            assert_eq!(normalize_descriptor(text), want, "{text:?}");
        }
    }

    #[test]
    fn a_rule_without_words_matches_nothing() {
        let rules = vec![MerchantRule::new("**", "nobody", SpendKind::Other)];
        assert_eq!(
            tag("** OPENAI", &rules).map(|t| t.provider).as_deref(),
            Some("openai")
        );
        assert_eq!(tag("", &rules), None);
    }

    #[test]
    fn user_rules_win() {
        let rules = vec![MerchantRule::new(
            "PADDLE.NET* N8N",
            "n8n",
            SpendKind::Subscription,
        )];
        let got = tag("PADDLE.NET* N8N CLOUD", &rules).map(|t| t.provider);
        assert_eq!(got.as_deref(), Some("n8n"));
        let rules = vec![MerchantRule::new("OPENAI", "openai", SpendKind::Other)];
        assert_eq!(
            tag("OPENAI", &rules).map(|t| t.kind),
            Some(SpendKind::Other)
        );
    }
}
