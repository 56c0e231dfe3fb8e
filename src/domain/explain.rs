//! "Is this error a billing problem?": reads an error text a user pasted (an API error body, a
//! log line, a card-decline message from a billing page) and names the layer it belongs to
//! (payment failure, balance not synchronized, balance depleted, usage or rate limit, billing
//! misunderstanding, wrong organization or key), what it means and what to check first.
//!
//! Table-driven: [`KNOWN_ERRORS`] lists the errors burnrate knows, in the providers' and the
//! card networks' own words, most specific first (a Stripe body says `card_declined` and its
//! `decline_code` says why: the decline code wins). When no entry matches, the HTTP status alone
//! gives a coarse reading (a bare 429 is a rate limit); otherwise the text is not recognised
//! and [`Reading::error`] is `None`.
//!
//! The provider is the one the user names, else guessed from the text and said to be a guess:
//! Anthropic's error shape `{"type":"error","error":{"type":..}}`, an error code only one
//! provider answers (`insufficient_quota`), a provider's name or host in the text, OpenAI's
//! shape `{"error":{"message","type","param","code"}}` (which OpenAI-compatible APIs share, so
//! it is tried last).
//!
//! Invariants: a 429 rate limit is never read as a balance problem, and OpenAI's 429
//! `insufficient_quota` always is (the credit ran out, or a billing or organization issue). No
//! advice here tells the user to top up or pay again: a payment may be pending or not
//! synchronized yet. Pure text in, text out; the ledger's evidence is added by
//! `services::explain`.

use serde_json::Value;

/// The layer of a failure, from the money to the API call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Layer {
    /// The card or bank refused the payment, or the account's billing is switched off.
    PaymentFailure,
    /// The money moved (or is moving) but the credit has not arrived yet.
    BalanceNotSynchronized,
    /// The prepaid credit is spent (or the provider wants payment before serving more).
    BalanceDepleted,
    /// Too many requests or tokens per minute, a plan's usage limit, or a provider overloaded.
    UsageRateLimit,
    /// A limit the user or their organization set (a spend cap), not the balance.
    BillingMisunderstanding,
    /// The key is invalid, lacks permission, or belongs to another organization or project.
    WrongOrganizationOrKey,
    /// Not recognised.
    Unknown,
}

impl Layer {
    /// The name scripts read (`explain --json`'s `layer`).
    pub fn as_str(self) -> &'static str {
        match self {
            Layer::PaymentFailure => "payment_failure",
            Layer::BalanceNotSynchronized => "balance_not_synchronized",
            Layer::BalanceDepleted => "balance_depleted",
            Layer::UsageRateLimit => "usage_rate_limit",
            Layer::BillingMisunderstanding => "billing_misunderstanding",
            Layer::WrongOrganizationOrKey => "wrong_organization_or_key",
            Layer::Unknown => "unknown",
        }
    }

    /// The layer for people.
    pub fn label(self) -> &'static str {
        match self {
            Layer::PaymentFailure => "Payment failure",
            Layer::BalanceNotSynchronized => "Balance not synchronized",
            Layer::BalanceDepleted => "Balance depleted",
            Layer::UsageRateLimit => "Usage or rate limit",
            Layer::BillingMisunderstanding => "Billing misunderstanding",
            Layer::WrongOrganizationOrKey => "Wrong organization or key",
            Layer::Unknown => "Not recognised",
        }
    }

    /// Whether the ledger's money trail (balances, top-ups, payments) can say more about an
    /// error of this layer. A rate limit says nothing about the balance.
    pub fn is_about_money(self) -> bool {
        matches!(
            self,
            Layer::PaymentFailure
                | Layer::BalanceNotSynchronized
                | Layer::BalanceDepleted
                | Layer::BillingMisunderstanding
                | Layer::WrongOrganizationOrKey
        )
    }
}

/// One error burnrate knows: how to recognise it and what it means.
#[derive(Debug, PartialEq, Eq)]
pub struct KnownError {
    /// Stable name (`explain --json`'s `error`).
    pub id: &'static str,
    /// The provider that answers it, when only one does.
    pub provider: Option<&'static str>,
    /// The HTTP status it comes with, when it has one.
    pub status: Option<u16>,
    /// Recognised when every word of one group is in the text (lower case).
    pub needles: &'static [&'static [&'static str]],
    pub layer: Layer,
    /// Whether it is a billing problem: `None` when it can be either.
    pub billing: Option<bool>,
    /// One line: what the error is.
    pub title: &'static str,
    /// What it means, in a few sentences.
    pub meaning: &'static str,
    /// What to look at first, most likely first.
    pub check_first: &'static [&'static str],
}

const PENDING_NOT_CREDIT: &str = "The billing page's payment history: a top-up that is pending, failed or not yet credited is not credit; do not buy again while one is open.";

const DECLINE_NEXT: &str = "Then update the payment method on the provider's billing page; a scheduled auto-recharge runs by itself once it is fixed, so no test payment is needed.";

/// Every error burnrate knows, most specific first (the first match wins).
pub const KNOWN_ERRORS: &[KnownError] = &[
    KnownError {
        id: "openai_insufficient_quota",
        provider: Some("openai"),
        status: Some(429),
        needles: &[&["insufficient_quota"], &["exceeded your current quota"]],
        layer: Layer::BalanceDepleted,
        billing: Some(true),
        title: "OpenAI 429 insufficient_quota: the organization has no credit left to spend",
        meaning: "Not a rate limit: OpenAI refuses every call of the organization until it has credit again. It comes from a balance at zero, a top-up or auto-recharge that failed or has not been credited yet, a budget reached, or a key of another organization or project than the one that holds the credit.",
        check_first: &[
            "The credit balance of the organization the API key belongs to (Settings -> Organization -> Billing), and which organization and project the key is in.",
            PENDING_NOT_CREDIT,
            "If the balance is really spent and nothing is pending, add credit once and wait until it shows on the balance before calling again.",
        ],
    },
    KnownError {
        id: "openai_billing_hard_limit",
        provider: Some("openai"),
        status: Some(429),
        needles: &[&["billing_hard_limit_reached"], &["billing hard limit"]],
        layer: Layer::BillingMisunderstanding,
        billing: Some(true),
        title: "OpenAI billing hard limit reached: a spending limit set on the organization",
        meaning: "A monthly budget or hard limit set on the organization or project was reached; the credit may well still be there. Calls resume when the limit is raised or the month turns.",
        check_first: &[
            "The organization's and the project's limits (Settings -> Limits): the monthly budget that was reached.",
            "Whether the limit was set on purpose (a team lead's cap) before raising it.",
        ],
    },
    KnownError {
        id: "openai_billing_not_active",
        provider: Some("openai"),
        status: Some(429),
        needles: &[
            &["billing_not_active"],
            &["account is not active"],
            &["account_deactivated"],
        ],
        layer: Layer::PaymentFailure,
        billing: Some(true),
        title: "OpenAI billing not active: the account has no working payment set up",
        meaning: "The organization's billing is switched off: no payment method, a payment that failed, or an account deactivated. Calls are refused whatever the balance.",
        check_first: &[
            "The billing page: is a payment method on file, and did the last payment fail?",
            "An e-mail from OpenAI about the account or a failed payment.",
        ],
    },
    KnownError {
        id: "anthropic_credit_balance_too_low",
        provider: Some("anthropic"),
        status: Some(400),
        needles: &[&["credit balance is too low"], &["credit balance too low"]],
        layer: Layer::BalanceDepleted,
        billing: Some(true),
        title: "Anthropic 400 \"Your credit balance is too low\": the organization's credit is spent",
        meaning: "Anthropic refuses calls of the organization (it answers 400 invalid_request_error, not 429) until it has credit again: the balance reached zero, or a purchase or auto-reload has not been credited yet, or the key belongs to another organization than the one with credit.",
        check_first: &[
            "The credit balance on console.anthropic.com -> Plans & Billing of the organization the key belongs to.",
            PENDING_NOT_CREDIT,
            "If the balance is really spent and nothing is pending, buy credit once and wait until it shows before calling again.",
        ],
    },
    KnownError {
        id: "anthropic_usage_limit",
        provider: Some("anthropic"),
        status: Some(400),
        needles: &[&["specified api usage limit"]],
        layer: Layer::BillingMisunderstanding,
        billing: Some(true),
        title: "Anthropic: \"You have reached your specified API usage limits\"",
        meaning: "A monthly spend limit set on the organization or workspace was reached; the credit may still be there. Access returns on the date the message names, or when the limit is raised.",
        check_first: &[
            "The spend limits on console.anthropic.com -> Settings -> Limits (organization and workspace).",
            "Whether the limit was set on purpose before raising it.",
        ],
    },
    KnownError {
        id: "openai_rate_limit",
        provider: Some("openai"),
        status: Some(429),
        needles: &[
            &["rate_limit_exceeded"],
            &["rate limit reached for"],
            &["on tokens per min"],
            &["on requests per min"],
        ],
        layer: Layer::UsageRateLimit,
        billing: Some(false),
        title: "OpenAI 429 rate_limit_exceeded: too many requests or tokens per minute",
        meaning: "A rate limit, not a balance problem: the organization sent more requests or tokens per minute (or day) than its usage tier allows. The credit is untouched; calls succeed again after a short wait.",
        check_first: &[
            "The wait the message names (\"in 2.1s\") and whether the code retries with exponential backoff.",
            "The organization's rate limits per model (Settings -> Limits) against what the code sends at its peak: a loop or many parallel workers.",
        ],
    },
    KnownError {
        id: "anthropic_rate_limit",
        provider: Some("anthropic"),
        status: Some(429),
        needles: &[
            &["rate_limit_error"],
            &["exceed your organization's rate limit"],
            &["exceeded your per-minute rate limit"],
        ],
        layer: Layer::UsageRateLimit,
        billing: Some(false),
        title: "Anthropic 429 rate_limit_error: too many requests or tokens per minute",
        meaning: "A rate limit, not a balance problem: the organization went over its requests or tokens per minute for the model. The credit is untouched; calls succeed again after the wait the retry-after header gives.",
        check_first: &[
            "The retry-after header and whether the code backs off before retrying.",
            "The organization's rate limits on console.anthropic.com -> Settings -> Limits against the peak the code sends.",
        ],
    },
    KnownError {
        id: "anthropic_overloaded",
        provider: Some("anthropic"),
        status: Some(529),
        needles: &[&["overloaded_error"], &["529", "overloaded"]],
        layer: Layer::UsageRateLimit,
        billing: Some(false),
        title: "Anthropic 529 overloaded_error: Anthropic's servers are busy",
        meaning: "Neither your limit nor your balance: the API is overloaded for everyone for a while. Nothing is charged for refused calls.",
        check_first: &[
            "status.anthropic.com for an ongoing incident.",
            "That the code retries with backoff (or falls back to another model) instead of failing.",
        ],
    },
    KnownError {
        id: "subscription_usage_limit",
        provider: None,
        status: None,
        needles: &[
            &["usage limit reached"],
            &["reached your usage limit"],
            &["hit your usage limit"],
            &["5-hour limit"],
            &["weekly limit reached"],
            &["reached our limit of messages"],
        ],
        layer: Layer::UsageRateLimit,
        billing: Some(false),
        title: "A subscription plan's usage limit (Claude Pro/Max, ChatGPT, Cursor)",
        meaning: "The plan's allowance for the period is used up; it resets at the time the message names. API credit does not raise a plan's limit: the subscription and the API are billed separately.",
        check_first: &[
            "The reset time in the message.",
            "Whether the tool can switch to an API key for the rest of the period (usage then draws on API credit).",
        ],
    },
    KnownError {
        id: "invalid_api_key",
        provider: None,
        status: Some(401),
        needles: &[
            &["invalid_api_key"],
            &["incorrect api key"],
            &["invalid x-api-key"],
            &["authentication_error"],
            &["invalid api key"],
            &["invalid_authentication"],
            &["api key not valid"],
            &["no api key provided"],
        ],
        layer: Layer::WrongOrganizationOrKey,
        billing: Some(false),
        title: "401: the API key is invalid, revoked or missing",
        meaning: "The provider does not know the key the call sent: a typo, a revoked or rotated key, a key of another provider, or an environment variable that is not set where the code runs. Not a billing problem.",
        check_first: &[
            "Which key the code really sends (the environment variable where it runs) against the keys listed on the provider's API keys page.",
            "Whether the key was revoked or rotated, and that it is a key of this provider (sk-ant-... is Anthropic's, sk-proj-... OpenAI's).",
        ],
    },
    KnownError {
        id: "wrong_organization",
        provider: None,
        status: Some(401),
        needles: &[
            &["mismatched_organization"],
            &["invalid_organization"],
            &["no such organization"],
            &["must be a member of an organization"],
            &["openai-organization header"],
            &["does not have access to project"],
        ],
        layer: Layer::WrongOrganizationOrKey,
        billing: None,
        title: "The key and the organization or project do not belong together",
        meaning: "The call names an organization or project the key is not part of. Credit is held per organization: a key of one organization never draws on another's credit.",
        check_first: &[
            "The organization and project header the code sends against the key's own organization on the API keys page.",
            "Which organization holds the credit: the one the key belongs to must.",
        ],
    },
    KnownError {
        id: "permission_denied",
        provider: None,
        status: Some(403),
        needles: &[
            &["permission_error"],
            &["permission_denied"],
            &["does not have permission"],
            &["not allowed to"],
            &["unsupported_country_region_territory"],
            &["organization must be verified"],
        ],
        layer: Layer::WrongOrganizationOrKey,
        billing: Some(false),
        title: "403: the key may not do this",
        meaning: "The key is valid but not allowed this call: a restricted key or project, a model the organization has no access to (some need a verified organization), or a country the provider does not serve.",
        check_first: &[
            "The key's permissions and project on the provider's API keys page.",
            "Whether the organization has access to the model (verification, usage tier).",
        ],
    },
    KnownError {
        id: "model_not_found",
        provider: None,
        status: Some(404),
        needles: &[
            &["model_not_found"],
            &["does not exist or you do not have access"],
        ],
        layer: Layer::WrongOrganizationOrKey,
        billing: None,
        title: "404 model_not_found: no such model for this key",
        meaning: "The model name is wrong, or the key's organization has no access to it yet: some models open only at a higher usage tier, which depends on what the organization has paid so far.",
        check_first: &[
            "The model name the code sends, against the provider's model list.",
            "The organization's usage tier and model access on its limits page.",
        ],
    },
    KnownError {
        id: "payment_pending",
        provider: None,
        status: None,
        needles: &[
            &["payment is processing"],
            &["payment is pending"],
            &["payment pending"],
            &["payment is being processed"],
            &["processing your payment"],
        ],
        layer: Layer::BalanceNotSynchronized,
        billing: Some(true),
        title: "A payment still being processed",
        meaning: "The payment has not completed: the credit arrives when it does (usually minutes, sometimes days for bank transfers). Until then the balance does not show it.",
        check_first: &[
            "The billing page's payment history: the payment's status, and the bank's app for a pending line.",
            "Wait for it before paying again: a second payment would be charged too.",
        ],
    },
    KnownError {
        id: "card_insufficient_funds",
        provider: None,
        status: Some(402),
        needles: &[&["insufficient_funds"], &["insufficient funds"]],
        layer: Layer::PaymentFailure,
        billing: Some(true),
        title: "Card declined: insufficient funds",
        meaning: "The card's bank refused the payment because the account had not enough money or the credit limit was reached. No money moved and no credit was added.",
        check_first: &[
            "The available balance or credit limit of the card in the bank's app.",
            DECLINE_NEXT,
        ],
    },
    KnownError {
        id: "card_do_not_honor",
        provider: None,
        status: Some(402),
        needles: &[&["do_not_honor"], &["do not honor"]],
        layer: Layer::PaymentFailure,
        billing: Some(true),
        title: "Card declined: do_not_honor (the bank refused without a reason)",
        meaning: "The card's bank refused the payment without saying why: most often a fraud rule, a block on online, foreign-currency or recurring payments, or a limit. No money moved.",
        check_first: &[
            "The bank's app or phone line: ask why the payment to the provider was refused and allow it.",
            DECLINE_NEXT,
        ],
    },
    KnownError {
        id: "card_expired",
        provider: None,
        status: Some(402),
        needles: &[
            &["expired_card"],
            &["card has expired"],
            &["card is expired"],
        ],
        layer: Layer::PaymentFailure,
        billing: Some(true),
        title: "Card declined: the card has expired",
        meaning: "The card on file is past its expiry date: every recharge fails until it is replaced. No money moved.",
        check_first: &[
            "The expiry date of the card on the billing page.",
            DECLINE_NEXT,
        ],
    },
    KnownError {
        id: "card_incorrect_details",
        provider: None,
        status: Some(402),
        needles: &[
            &["incorrect_cvc"],
            &["invalid_cvc"],
            &["security code is incorrect"],
            &["incorrect_number"],
            &["invalid_number"],
            &["card number is incorrect"],
            &["incorrect_zip"],
            &["invalid_expiry"],
        ],
        layer: Layer::PaymentFailure,
        billing: Some(true),
        title: "Card declined: a card detail is wrong (number, security code, expiry, postcode)",
        meaning: "The card's details on file do not match the bank's. No money moved.",
        check_first: &["The card details on the billing page.", DECLINE_NEXT],
    },
    KnownError {
        id: "card_authentication_required",
        provider: None,
        status: Some(402),
        needles: &[
            &["authentication_required"],
            &["payment_intent_authentication_failure"],
            &["requires_action"],
            &["3d secure"],
            &["3-d secure"],
            &["3ds"],
        ],
        layer: Layer::PaymentFailure,
        billing: Some(true),
        title: "Card declined: the bank asked for 3-D Secure authentication",
        meaning: "The bank wanted the cardholder to confirm the payment (in its app or by code) and nobody did, which is common for automatic recharges. No money moved.",
        check_first: &[
            "The bank's app for a confirmation request, and whether the card allows off-session (recurring) payments.",
            DECLINE_NEXT,
        ],
    },
    KnownError {
        id: "card_blocked",
        provider: None,
        status: Some(402),
        needles: &[
            &["fraudulent"],
            &["lost_card"],
            &["stolen_card"],
            &["pickup_card"],
            &["restricted_card"],
            &["security_violation"],
            &["merchant_blacklist"],
        ],
        layer: Layer::PaymentFailure,
        billing: Some(true),
        title: "Card declined: the card is blocked or the payment was taken for fraud",
        meaning: "The bank or the payment processor blocked the card or this payment (reported lost or stolen, restricted, or a fraud rule). No money moved.",
        check_first: &[
            "The bank: whether the card is blocked, and whether it will allow payments to the provider.",
            DECLINE_NEXT,
        ],
    },
    KnownError {
        id: "card_limit_exceeded",
        provider: None,
        status: Some(402),
        needles: &[
            &["card_velocity_exceeded"],
            &["withdrawal_count_limit_exceeded"],
            &["exceeding_limit"],
            &["exceeds the balance or credit limit"],
        ],
        layer: Layer::PaymentFailure,
        billing: Some(true),
        title: "Card declined: the card's own spending limit was reached",
        meaning: "The card hit a limit its bank sets (an amount or a number of payments per day or month): frequent small recharges reach it quickly. No money moved.",
        check_first: &[
            "The card's limits in the bank's app, and how many recharges ran recently.",
            DECLINE_NEXT,
        ],
    },
    KnownError {
        id: "card_not_supported",
        provider: None,
        status: Some(402),
        needles: &[
            &["transaction_not_allowed"],
            &["card_not_supported"],
            &["currency_not_supported"],
            &["does not support this type of purchase"],
            &["not_permitted"],
        ],
        layer: Layer::PaymentFailure,
        billing: Some(true),
        title: "Card declined: the card does not allow this kind of payment",
        meaning: "The card refuses this type of payment: online, recurring, foreign-currency or from this kind of merchant (some prepaid and debit cards). No money moved.",
        check_first: &[
            "Whether the card allows online, recurring and foreign-currency payments (bank's app).",
            DECLINE_NEXT,
        ],
    },
    KnownError {
        id: "card_processing_error",
        provider: None,
        status: Some(402),
        needles: &[
            &["processing_error"],
            &["try_again_later"],
            &["issuer_not_available"],
            &["error occurred while processing your card"],
        ],
        layer: Layer::PaymentFailure,
        billing: Some(true),
        title: "Card payment failed: a temporary error at the bank or the processor",
        meaning: "The payment did not complete because of an error outside the card itself. Usually nothing was charged, but a pending line can show for a few days.",
        check_first: &[
            "The billing page's payment history and the bank's app (a pending line) before paying again: a second payment would be charged too if the first went through.",
            DECLINE_NEXT,
        ],
    },
    KnownError {
        id: "card_declined",
        provider: None,
        status: Some(402),
        needles: &[
            &["card_declined"],
            &["generic_decline"],
            &["card", "declined"],
            &["payment method", "declined"],
            &["payment", "declined"],
        ],
        layer: Layer::PaymentFailure,
        billing: Some(true),
        title: "Card declined",
        meaning: "The card's bank refused the payment. No money moved and no credit was added; a declined auto-recharge leaves the balance running down until calls are refused.",
        check_first: &[
            "The card's expiry date, its spending and online-payment limits, and any fraud block or 3-D Secure request in the bank's app.",
            DECLINE_NEXT,
        ],
    },
    KnownError {
        id: "payment_failed",
        provider: None,
        status: None,
        needles: &[
            &["payment failed"],
            &["payment has failed"],
            &["unable to charge"],
            &["could not charge"],
            &["charge failed"],
            &["recharge failed"],
            &["reload failed"],
            &["auto-recharge", "failed"],
        ],
        layer: Layer::PaymentFailure,
        billing: Some(true),
        title: "A payment or automatic recharge failed",
        meaning: "The provider could not charge the payment method, so no credit was added. Without it the balance runs down until calls are refused.",
        check_first: &[
            "The reason on the billing page or in the provider's e-mail (declined, expired, authentication).",
            DECLINE_NEXT,
        ],
    },
    KnownError {
        id: "insufficient_credit",
        provider: None,
        status: Some(402),
        needles: &[
            &["insufficient credits"],
            &["insufficient balance"],
            &["insufficient_balance"],
            &["insufficient credit"],
            &["not enough credits"],
            &["out of credits"],
            &["credits exhausted"],
            &["payment required"],
        ],
        layer: Layer::BalanceDepleted,
        billing: Some(true),
        title: "402 Payment Required / insufficient credit: the account's credit is spent",
        meaning: "The provider (OpenRouter, DeepSeek and others answer 402) refuses calls until the account has credit again, or until an unpaid invoice is paid.",
        check_first: &[
            "The account's credit on the provider's billing page, and which account the key belongs to.",
            PENDING_NOT_CREDIT,
            "If the balance is really spent and nothing is pending, add credit once and wait until it shows before calling again.",
        ],
    },
    KnownError {
        id: "quota_exhausted",
        provider: None,
        status: Some(429),
        needles: &[
            &["resource_exhausted"],
            &["quota exceeded for quota metric"],
            &["quota exceeded for metric"],
        ],
        layer: Layer::UsageRateLimit,
        billing: Some(false),
        title: "429 RESOURCE_EXHAUSTED: a per-minute or per-day quota (Google Gemini, Vertex AI)",
        meaning: "A quota on requests or tokens per minute or per day was reached (the free tier's are small). Not the balance: it resets by itself.",
        check_first: &[
            "The quota the message names (per minute or per day) on the project's quotas page.",
            "Whether the project is on the free tier (a billing account raises its quotas).",
        ],
    },
    KnownError {
        id: "server_overloaded",
        provider: None,
        status: Some(503),
        needles: &[
            &["currently overloaded"],
            &["overloaded"],
            &["service unavailable"],
            &["server is busy"],
        ],
        layer: Layer::UsageRateLimit,
        billing: Some(false),
        title: "The provider's servers are overloaded or unavailable",
        meaning: "Neither your limit nor your balance: the service is busy or down for a while. Refused calls are not charged.",
        check_first: &[
            "The provider's status page.",
            "That the code retries with backoff.",
        ],
    },
    KnownError {
        id: "rate_limit",
        provider: None,
        status: Some(429),
        needles: &[
            &["rate limit"],
            &["ratelimit"],
            &["rate_limit"],
            &["too many requests"],
        ],
        layer: Layer::UsageRateLimit,
        billing: Some(false),
        title: "429 Too Many Requests: a rate limit",
        meaning: "A rate limit, not a balance problem: more requests or tokens per minute than the account may send. The credit is untouched; calls succeed again after a short wait.",
        check_first: &[
            "The retry-after header or the wait the message names, and whether the code backs off.",
            "The account's rate limits against the peak the code sends.",
        ],
    },
];

/// What the HTTP status alone says when no known error matches.
const BY_STATUS: &[KnownError] = &[
    KnownError {
        id: "http_429",
        provider: None,
        status: Some(429),
        needles: &[],
        layer: Layer::UsageRateLimit,
        billing: Some(false),
        title: "429 Too Many Requests: a rate limit",
        meaning: "A 429 on its own is a rate limit, not a balance problem. One exception: OpenAI also answers 429 when the credit ran out, and then the error's code is insufficient_quota; paste the whole error body to tell them apart.",
        check_first: &[
            "The error body's code: rate_limit_exceeded (wait and back off) or insufficient_quota (the credit).",
            "The retry-after header and whether the code backs off.",
        ],
    },
    KnownError {
        id: "http_402",
        provider: None,
        status: Some(402),
        needles: &[],
        layer: Layer::BalanceDepleted,
        billing: Some(true),
        title: "402 Payment Required: the provider wants credit or payment first",
        meaning: "The account has no credit left, or an invoice is unpaid: calls are refused until it is settled.",
        check_first: &[
            "The account's credit and unpaid invoices on the provider's billing page.",
            PENDING_NOT_CREDIT,
        ],
    },
    KnownError {
        id: "http_401",
        provider: None,
        status: Some(401),
        needles: &[],
        layer: Layer::WrongOrganizationOrKey,
        billing: Some(false),
        title: "401 Unauthorized: the API key is invalid, revoked or missing",
        meaning: "The provider does not accept the key the call sent. Not a billing problem.",
        check_first: &["Which key the code really sends, against the provider's API keys page."],
    },
    KnownError {
        id: "http_403",
        provider: None,
        status: Some(403),
        needles: &[],
        layer: Layer::WrongOrganizationOrKey,
        billing: None,
        title: "403 Forbidden: the key may not do this",
        meaning: "The key is valid but not allowed this call: a restricted key or project, a model the organization cannot use yet, a region not served, or on some providers an account whose billing is not set up.",
        check_first: &[
            "The key's permissions and project, and the organization's access to the model.",
        ],
    },
    KnownError {
        id: "http_529",
        provider: Some("anthropic"),
        status: Some(529),
        needles: &[],
        layer: Layer::UsageRateLimit,
        billing: Some(false),
        title: "529: Anthropic's servers are overloaded",
        meaning: "Neither your limit nor your balance: the API is busy for everyone for a while.",
        check_first: &["status.anthropic.com, and that the code retries with backoff."],
    },
    KnownError {
        id: "http_503",
        provider: None,
        status: Some(503),
        needles: &[],
        layer: Layer::UsageRateLimit,
        billing: Some(false),
        title: "503 Service Unavailable: the provider is overloaded or down",
        meaning: "Neither your limit nor your balance: the service is busy or down for a while.",
        check_first: &["The provider's status page, and that the code retries with backoff."],
    },
];

/// The provider an error is about, and how burnrate knows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderGuess {
    /// Lower case, as the ledger names providers (`openai`, `anthropic`).
    pub name: String,
    /// Not given by the user: read from the text.
    pub guessed: bool,
    /// Why: "given", or what in the text gave it away.
    pub reason: String,
}

/// What an error text says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reading {
    /// The known error it is (`None`: not recognised).
    pub error: Option<&'static KnownError>,
    /// The HTTP status found in the text, else the known error's.
    pub status: Option<u16>,
    /// The error's code or type from its JSON body (`insufficient_quota`, `rate_limit_error`),
    /// the decline code for a card error.
    pub code: Option<String>,
    pub provider: Option<ProviderGuess>,
    pub layer: Layer,
    pub billing: Option<bool>,
    /// Remarks: an error code that belongs to another provider than the one given.
    pub notes: Vec<String>,
}

impl Reading {
    pub fn title(&self) -> &'static str {
        self.error
            .map_or("This text is not an error burnrate recognises", |e| e.title)
    }

    pub fn meaning(&self) -> String {
        self.error
            .map_or_else(unknown_meaning, |e| e.meaning.to_string())
    }

    pub fn check_first(&self) -> Vec<String> {
        self.error.map_or_else(
            || {
                vec![
                    "Paste the whole error: the HTTP status and the JSON body with its type or code."
                        .to_string(),
                ]
            },
            |e| e.check_first.iter().map(|s| (*s).to_string()).collect(),
        )
    }
}

/// What the explainer recognises, for people (said when a text is not recognised).
pub fn unknown_meaning() -> String {
    "burnrate knows these errors: OpenAI's 429 insufficient_quota and 429 rate_limit_exceeded, \
     billing_hard_limit_reached and billing_not_active; Anthropic's 400 \"credit balance is too \
     low\", 429 rate_limit_error and 529 overloaded_error; 401 invalid API keys, wrong \
     organizations, 403 permission errors, 402 Payment Required and insufficient credit \
     (OpenRouter, DeepSeek); card declines (\"Your card was declined\", insufficient_funds, \
     do_not_honor, expired_card, incorrect_cvc, authentication_required and other Stripe \
     decline codes); pending payments; subscription usage limits; and a bare HTTP 429, 402, \
     401, 403, 503 or 529."
        .to_string()
}

/// Reads `text` (an API error, a log line, a decline message). `provider`: the one the user
/// named, if any (any case).
pub fn read(text: &str, provider: Option<&str>) -> Reading {
    let lower = text.to_lowercase();
    let body = json_body(text);
    let code = body.as_ref().and_then(error_code);
    let found_status = status_in(&lower, body.as_ref());
    let error = KNOWN_ERRORS
        .iter()
        .find(|e| matches_needles(e, &lower))
        .or_else(|| {
            let status = found_status?;
            BY_STATUS.iter().find(|e| e.status == Some(status))
        });
    let given = provider
        .map(|p| p.trim().to_lowercase())
        .filter(|p| !p.is_empty());
    let mut notes = Vec::new();
    let provider = match given {
        Some(name) => {
            if let Some(own) = error.and_then(|e| e.provider)
                && own != name
            {
                notes.push(format!(
                    "This error is {}'s, not {name}'s: is the key or the base URL the code uses really {name}'s (or a gateway that passes {}'s errors on)?",
                    display_name(own),
                    display_name(own)
                ));
            }
            Some(ProviderGuess {
                name,
                guessed: false,
                reason: "given".to_string(),
            })
        }
        None => guess_provider(&lower, body.as_ref(), error),
    };
    Reading {
        error,
        status: found_status.or(error.and_then(|e| e.status)),
        code,
        provider,
        layer: error.map_or(Layer::Unknown, |e| e.layer),
        billing: error.and_then(|e| e.billing),
        notes,
    }
}

fn matches_needles(error: &KnownError, lower: &str) -> bool {
    error
        .needles
        .iter()
        .any(|group| group.iter().all(|word| contains_word(lower, word)))
}

/// `word` in `haystack`, not as part of a longer word or number (`3ds` is not in `a3dsx`, `529`
/// is not in `15290`).
fn contains_word(haystack: &str, word: &str) -> bool {
    // Phrases match anywhere ("usage limit" in "usage limits"); short codes and numbers only
    // as words of their own.
    if word.len() > 4 && !word.bytes().all(|b| b.is_ascii_digit()) {
        return haystack.contains(word);
    }
    let is_word = |c: char| c.is_ascii_alphanumeric();
    haystack.match_indices(word).any(|(at, _)| {
        let before = haystack[..at].chars().next_back();
        let after = haystack[at + word.len()..].chars().next();
        let starts = word.chars().next().is_some_and(is_word);
        let ends = word.chars().next_back().is_some_and(is_word);
        (!starts || !before.is_some_and(is_word)) && (!ends || !after.is_some_and(is_word))
    })
}

/// The JSON object in the text (a log line often wraps it: `Error code: 429 - {...}`).
fn json_body(text: &str) -> Option<Value> {
    let start = text.find('{')?;
    let end = text.rfind('}')?;
    let candidate = text.get(start..=end)?;
    serde_json::from_str::<Value>(candidate)
        .ok()
        .or_else(|| {
            // Python's repr of a dict: single quotes, None.
            let fixed = candidate
                .replace('\'', "\"")
                .replace("None", "null")
                .replace("True", "true")
                .replace("False", "false");
            serde_json::from_str::<Value>(&fixed).ok()
        })
        .filter(Value::is_object)
}

/// The error's most telling code: a card's decline code, else the code, else the type.
fn error_code(body: &Value) -> Option<String> {
    let error = body.get("error")?;
    ["decline_code", "code", "type", "status"]
        .iter()
        .find_map(|key| error.get(key)?.as_str().map(str::to_string))
        .filter(|c| !c.is_empty())
}

/// The HTTP status: a `"status"` or numeric `"code"` in the body, else the first 4xx/5xx number
/// of the text that reads as a status (`429`, `Error code: 429`, `HTTP/1.1 402`).
fn status_in(lower: &str, body: Option<&Value>) -> Option<u16> {
    const STATUSES: [u16; 10] = [400, 401, 402, 403, 404, 429, 500, 502, 503, 529];
    let from_body = body.and_then(|b| {
        let error = b.get("error");
        [b.get("status"), error.and_then(|e| e.get("code"))]
            .into_iter()
            .flatten()
            .find_map(Value::as_u64)
            .and_then(|n| u16::try_from(n).ok())
    });
    if let Some(status) = from_body.filter(|s| STATUSES.contains(s)) {
        return Some(status);
    }
    STATUSES
        .iter()
        .filter_map(|s| {
            let text = s.to_string();
            lower
                .match_indices(&text)
                .find(|(at, _)| {
                    let before = lower[..*at].chars().next_back();
                    let after = lower[at + text.len()..].chars().next();
                    !before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '.' || c == '$')
                        && !after.is_some_and(|c| c.is_ascii_alphanumeric() || c == '.')
                })
                .map(|(at, _)| (at, *s))
        })
        .min()
        .map(|(_, s)| s)
}

/// Names in the text that give the provider away, most specific first (an `OpenRouter` error
/// names models such as `openai/gpt-4o`).
const PROVIDER_WORDS: &[(&str, &str)] = &[
    ("openrouter", "openrouter"),
    ("deepseek", "deepseek"),
    ("mistral", "mistral"),
    ("groq", "groq"),
    ("generativelanguage", "google"),
    ("gemini", "google"),
    ("anthropic", "anthropic"),
    ("claude", "anthropic"),
    ("sk-ant-", "anthropic"),
    ("openai", "openai"),
    ("chatgpt", "openai"),
];

fn guess(name: &str, reason: String) -> ProviderGuess {
    ProviderGuess {
        name: name.to_string(),
        guessed: true,
        reason,
    }
}

fn guess_provider(
    lower: &str,
    body: Option<&Value>,
    error: Option<&KnownError>,
) -> Option<ProviderGuess> {
    if body.is_some_and(is_anthropic_shape) {
        return Some(guess(
            "anthropic",
            "guessed from Anthropic's error shape {\"type\":\"error\",\"error\":{\"type\":..}}"
                .to_string(),
        ));
    }
    if let Some(own) = error.and_then(|e| e.provider) {
        return Some(guess(
            own,
            format!("guessed: only {} answers this error", display_name(own)),
        ));
    }
    if let Some((word, name)) = PROVIDER_WORDS.iter().find(|(w, _)| lower.contains(w)) {
        return Some(guess(name, format!("guessed from \"{word}\" in the text")));
    }
    if body.is_some_and(is_openai_shape) {
        return Some(guess(
            "openai",
            "guessed from OpenAI's error shape {\"error\":{\"message\",\"type\",\"param\",\"code\"}} (OpenAI-compatible APIs share it)".to_string(),
        ));
    }
    None
}

/// `{"type":"error","error":{"type":"...","message":"..."}}`.
fn is_anthropic_shape(body: &Value) -> bool {
    body.get("type").and_then(Value::as_str) == Some("error")
        && body
            .get("error")
            .and_then(|e| e.get("type"))
            .is_some_and(Value::is_string)
}

/// `{"error":{"message":..,"type":..,"param":..,"code":..}}`, not a card error.
fn is_openai_shape(body: &Value) -> bool {
    let Some(error) = body.get("error").and_then(Value::as_object) else {
        return false;
    };
    let card = error.contains_key("decline_code")
        || error.get("type").and_then(Value::as_str) == Some("card_error");
    !card && error.contains_key("message") && error.contains_key("type")
}

/// The provider's name as people write it.
pub fn display_name(provider: &str) -> String {
    match provider {
        "openai" => "OpenAI".to_string(),
        "anthropic" => "Anthropic".to_string(),
        "openrouter" => "OpenRouter".to_string(),
        "deepseek" => "DeepSeek".to_string(),
        "google" => "Google".to_string(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Case {
        name: &'static str,
        text: &'static str,
        error: &'static str,
        layer: Layer,
        provider: Option<&'static str>,
        status: Option<u16>,
    }

    const fn case(
        name: &'static str,
        text: &'static str,
        error: &'static str,
        layer: Layer,
        provider: Option<&'static str>,
        status: Option<u16>,
    ) -> Case {
        Case {
            name,
            text,
            error,
            layer,
            provider,
            status,
        }
    }

    use Layer::{
        BalanceDepleted, BalanceNotSynchronized, BillingMisunderstanding, PaymentFailure,
        UsageRateLimit, WrongOrganizationOrKey,
    };

    /// Real-shaped texts as users paste them: raw bodies, SDK exceptions, log lines.
    const CASES: &[Case] = &[
        case(
            "openai insufficient_quota body",
            r#"{"error":{"message":"You exceeded your current quota, please check your plan and billing details. For more information on this error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors.","type":"insufficient_quota","param":null,"code":"insufficient_quota"}}"#,
            "openai_insufficient_quota",
            BalanceDepleted,
            Some("openai"),
            Some(429),
        ),
        case(
            "openai python SDK insufficient_quota",
            "openai.RateLimitError: Error code: 429 - {'error': {'message': 'You exceeded your current quota, please check your plan and billing details.', 'type': 'insufficient_quota', 'param': None, 'code': 'insufficient_quota'}}",
            "openai_insufficient_quota",
            BalanceDepleted,
            Some("openai"),
            Some(429),
        ),
        case(
            "openai rate_limit_exceeded body",
            r#"{"error":{"message":"Rate limit reached for gpt-4o in organization org-Ab12Cd34 on tokens per min (TPM): Limit 30000, Used 29500, Requested 1200. Please try again in 1.4s. Visit https://platform.openai.com/account/rate-limits to learn more.","type":"tokens","param":null,"code":"rate_limit_exceeded"}}"#,
            "openai_rate_limit",
            UsageRateLimit,
            Some("openai"),
            Some(429),
        ),
        case(
            "openai 429 rate limit log line",
            "HTTP 429 Too Many Requests: rate_limit_exceeded",
            "openai_rate_limit",
            UsageRateLimit,
            Some("openai"),
            Some(429),
        ),
        case(
            "openai billing hard limit",
            r#"{"error":{"message":"Billing hard limit has been reached","type":"invalid_request_error","param":null,"code":"billing_hard_limit_reached"}}"#,
            "openai_billing_hard_limit",
            BillingMisunderstanding,
            Some("openai"),
            Some(429),
        ),
        case(
            "openai billing not active",
            r#"{"error":{"message":"Your account is not active, please check your billing details on our website.","type":"billing_not_active","param":null,"code":"billing_not_active"}}"#,
            "openai_billing_not_active",
            PaymentFailure,
            Some("openai"),
            Some(429),
        ),
        case(
            "anthropic credit balance too low",
            r#"{"type":"error","error":{"type":"invalid_request_error","message":"Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits."}}"#,
            "anthropic_credit_balance_too_low",
            BalanceDepleted,
            Some("anthropic"),
            Some(400),
        ),
        case(
            "anthropic SDK credit balance with status",
            "anthropic.BadRequestError: Error code: 400 - {'type': 'error', 'error': {'type': 'invalid_request_error', 'message': 'Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits.'}}",
            "anthropic_credit_balance_too_low",
            BalanceDepleted,
            Some("anthropic"),
            Some(400),
        ),
        case(
            "anthropic rate_limit_error",
            r#"{"type":"error","error":{"type":"rate_limit_error","message":"This request would exceed your organization's rate limit of 50,000 input tokens per minute. For details, refer to: https://docs.claude.com/en/api/rate-limits."}}"#,
            "anthropic_rate_limit",
            UsageRateLimit,
            Some("anthropic"),
            Some(429),
        ),
        case(
            "anthropic overloaded 529",
            r#"529 {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#,
            "anthropic_overloaded",
            UsageRateLimit,
            Some("anthropic"),
            Some(529),
        ),
        case(
            "anthropic spend limit",
            r#"{"type":"error","error":{"type":"invalid_request_error","message":"You have reached your specified API usage limits. You will regain access on 2026-12-01 at 00:00 UTC."}}"#,
            "anthropic_usage_limit",
            BillingMisunderstanding,
            Some("anthropic"),
            Some(400),
        ),
        case(
            "openai 401 invalid key",
            r#"{"error":{"message":"Incorrect API key provided: sk-proj-****************************************Qx7a. You can find your API key at https://platform.openai.com/account/api-keys.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}"#,
            "invalid_api_key",
            WrongOrganizationOrKey,
            Some("openai"),
            Some(401),
        ),
        case(
            "anthropic 401 authentication_error",
            r#"401 {"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}"#,
            "invalid_api_key",
            WrongOrganizationOrKey,
            Some("anthropic"),
            Some(401),
        ),
        case(
            "openai wrong organization",
            r#"{"error":{"message":"OpenAI-Organization header should match organization for API key","type":"invalid_request_error","param":null,"code":"mismatched_organization"}}"#,
            "wrong_organization",
            WrongOrganizationOrKey,
            Some("openai"),
            Some(401),
        ),
        case(
            "anthropic 403 permission_error",
            r#"{"type":"error","error":{"type":"permission_error","message":"Your API key does not have permission to use the specified resource."}}"#,
            "permission_denied",
            WrongOrganizationOrKey,
            Some("anthropic"),
            Some(403),
        ),
        case(
            "bare 403",
            "Request failed with status code 403",
            "http_403",
            WrongOrganizationOrKey,
            None,
            Some(403),
        ),
        case(
            "openrouter 402 insufficient credits",
            r#"{"error":{"message":"Insufficient credits. This account only has 0.12 credits. Add more at https://openrouter.ai/settings/credits","code":402}}"#,
            "insufficient_credit",
            BalanceDepleted,
            Some("openrouter"),
            Some(402),
        ),
        case(
            "deepseek 402 insufficient balance",
            r#"{"error":{"message":"Insufficient Balance","type":"unknown_error","param":null,"code":"invalid_request_error"}} (DeepSeek API, HTTP 402)"#,
            "insufficient_credit",
            BalanceDepleted,
            Some("deepseek"),
            Some(402),
        ),
        case(
            "bare 402 payment required",
            "HTTP/1.1 402 Payment Required",
            "insufficient_credit",
            BalanceDepleted,
            None,
            Some(402),
        ),
        case(
            "card declined sentence",
            "Your card was declined.",
            "card_declined",
            PaymentFailure,
            None,
            Some(402),
        ),
        case(
            "stripe insufficient funds",
            r#"{"error":{"code":"card_declined","decline_code":"insufficient_funds","message":"Your card has insufficient funds.","type":"card_error","param":""}}"#,
            "card_insufficient_funds",
            PaymentFailure,
            None,
            Some(402),
        ),
        case(
            "stripe do_not_honor",
            r#"{"error":{"charge":"ch_3Nx","code":"card_declined","decline_code":"do_not_honor","doc_url":"https://stripe.com/docs/error-codes/card-declined","message":"Your card was declined.","type":"card_error"}}"#,
            "card_do_not_honor",
            PaymentFailure,
            None,
            Some(402),
        ),
        case(
            "insufficient funds sentence on a billing page",
            "Auto recharge for OpenAI failed: insufficient funds",
            "card_insufficient_funds",
            PaymentFailure,
            Some("openai"),
            Some(402),
        ),
        case(
            "expired card",
            "Your card has expired. (expired_card)",
            "card_expired",
            PaymentFailure,
            None,
            Some(402),
        ),
        case(
            "incorrect cvc",
            "Your card's security code is incorrect.",
            "card_incorrect_details",
            PaymentFailure,
            None,
            Some(402),
        ),
        case(
            "3-D Secure",
            r#"{"error":{"code":"authentication_required","decline_code":"authentication_required","message":"Your card was declined. This transaction requires authentication.","type":"card_error"}}"#,
            "card_authentication_required",
            PaymentFailure,
            None,
            Some(402),
        ),
        case(
            "velocity limit",
            "card_declined: card_velocity_exceeded",
            "card_limit_exceeded",
            PaymentFailure,
            None,
            Some(402),
        ),
        case(
            "generic decline code",
            "decline_code: generic_decline",
            "card_declined",
            PaymentFailure,
            None,
            Some(402),
        ),
        case(
            "anthropic auto-reload failed",
            "Anthropic: your auto-reload payment failed",
            "payment_failed",
            PaymentFailure,
            Some("anthropic"),
            None,
        ),
        case(
            "payment pending",
            "Your payment is processing. Credits will be added to your balance when it completes.",
            "payment_pending",
            BalanceNotSynchronized,
            None,
            None,
        ),
        case(
            "claude code plan limit",
            "Claude AI usage limit reached|1764950400",
            "subscription_usage_limit",
            UsageRateLimit,
            Some("anthropic"),
            None,
        ),
        case(
            "gemini resource exhausted",
            r#"{"error":{"code":429,"message":"Resource has been exhausted (e.g. check quota).","status":"RESOURCE_EXHAUSTED"}}"#,
            "quota_exhausted",
            UsageRateLimit,
            None,
            Some(429),
        ),
        case(
            "bare 429",
            "429 Too Many Requests",
            "rate_limit",
            UsageRateLimit,
            None,
            Some(429),
        ),
        case(
            "a 429 number and nothing else",
            "status 429",
            "http_429",
            UsageRateLimit,
            None,
            Some(429),
        ),
        case(
            "bare 401",
            "Error: 401",
            "http_401",
            WrongOrganizationOrKey,
            None,
            Some(401),
        ),
        case(
            "bare 529",
            "got 529 from the API",
            "http_529",
            UsageRateLimit,
            Some("anthropic"),
            Some(529),
        ),
    ];

    #[test]
    fn every_known_error_text_reads_as_its_layer() {
        for c in CASES {
            let r = read(c.text, None);
            let id = r.error.map(|e| e.id);
            assert_eq!(id, Some(c.error), "{}: {r:?}", c.name);
            assert_eq!(r.layer, c.layer, "{}", c.name);
            assert_eq!(
                r.provider.as_ref().map(|p| p.name.as_str()),
                c.provider,
                "{}: {:?}",
                c.name,
                r.provider
            );
            assert_eq!(r.status, c.status, "{}", c.name);
            if let Some(p) = &r.provider {
                assert!(p.guessed && p.reason.starts_with("guessed"), "{}", c.name);
            }
        }
    }

    #[test]
    fn a_rate_limit_is_never_a_balance_problem_and_insufficient_quota_always_is() {
        for c in CASES {
            let r = read(c.text, None);
            let is_rate = r.error.is_some_and(|e| e.id.contains("rate_limit"));
            if is_rate {
                assert_eq!(r.billing, Some(false), "{}", c.name);
                assert!(!r.layer.is_about_money(), "{}", c.name);
            }
        }
        let quota = read("429 insufficient_quota", None);
        assert_eq!(quota.layer, Layer::BalanceDepleted);
        assert_eq!(quota.billing, Some(true));
    }

    #[test]
    fn no_advice_says_to_top_up_or_pay_again() {
        let banned = [
            "top up again",
            "pay again to",
            "retry the payment",
            "try again",
        ];
        for e in KNOWN_ERRORS.iter().chain(BY_STATUS) {
            for text in e.check_first.iter().chain([&e.meaning, &e.title]) {
                let lower = text.to_lowercase();
                for b in banned {
                    assert!(!lower.contains(b), "{}: {text}", e.id);
                }
            }
        }
    }

    #[test]
    fn the_provider_given_wins_and_a_foreign_code_is_noted() {
        let r = read("429 insufficient_quota", Some("Anthropic"));
        let p = r.provider.unwrap();
        assert_eq!((p.name.as_str(), p.guessed), ("anthropic", false));
        assert!(r.notes[0].contains("OpenAI's"), "{:?}", r.notes);
        let same = read("429 insufficient_quota", Some("openai"));
        assert!(same.notes.is_empty());
    }

    #[test]
    fn the_shapes_give_the_provider_away() {
        let anthropic = read(
            r#"{"type":"error","error":{"type":"api_error","message":"Internal server error"}}"#,
            None,
        );
        assert_eq!(anthropic.provider.unwrap().name, "anthropic");
        let openai = read(
            r#"{"error":{"message":"Something odd","type":"server_error","param":null,"code":null}}"#,
            None,
        );
        let p = openai.provider.unwrap();
        assert_eq!(p.name, "openai");
        assert!(p.reason.contains("shape"), "{}", p.reason);
        assert_eq!(openai.layer, Layer::Unknown);
    }

    #[test]
    fn unknown_text_is_said_plainly() {
        for text in [
            "hello world",
            "Segmentation fault",
            "{\"ok\":true}",
            "used 4000 tokens",
        ] {
            let r = read(text, None);
            assert_eq!(r.layer, Layer::Unknown, "{text}");
            assert!(r.error.is_none());
            assert!(r.meaning().contains("insufficient_quota"));
        }
    }

    #[test]
    fn numbers_inside_other_numbers_are_not_statuses() {
        assert_eq!(read("Limit 14290, Used 4010", None).status, None);
        assert_eq!(read("$402.50 charged", None).status, None);
        assert!(contains_word("card 3ds required", "3ds"));
        assert!(!contains_word("a3dsx", "3ds"));
    }
}
