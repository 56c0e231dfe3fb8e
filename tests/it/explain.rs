//! `burnrate explain` run as a user would, on the small scenario (`tests/fixtures/scenario`):
//! as of 2026-03-22 the openai/Acme balance is at zero because the auto-recharge of 03-20 was
//! declined (`billing:5`), a 25.00 card charge of 03-15 has no credit (`bank:7`), and usage
//! spiked on 03-20; anthropic holds 20.00 of credit inferred from a card line.

use std::io::Write as _;
use std::process::{Command, Stdio};

use serde_json::Value;

use crate::common::{burnrate, json, scenario_ledger};

const AS_OF: &str = "2026-03-22";

const INSUFFICIENT_QUOTA: &str = r"openai.RateLimitError: Error code: 429 - {'error': {'message': 'You exceeded your current quota, please check your plan and billing details. For more information on this error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors.', 'type': 'insufficient_quota', 'param': None, 'code': 'insufficient_quota'}}";

const RATE_LIMIT: &str = r#"Error code: 429 - {"error":{"message":"Rate limit reached for gpt-4o in organization org-Ab12Cd34 on tokens per min (TPM): Limit 30000, Used 29500, Requested 1200. Please try again in 1.4s.","type":"tokens","param":null,"code":"rate_limit_exceeded"}}"#;

fn explain_json(db: &std::path::Path, extra: &[&str]) -> Value {
    let mut args = vec!["--as-of", AS_OF, "explain", "--json"];
    args.extend_from_slice(extra);
    json(db, &args)
}

fn kinds(v: &Value) -> Vec<&str> {
    v["flags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["kind"].as_str().unwrap())
        .collect()
}

#[test]
fn insufficient_quota_cites_the_failed_recharge() {
    let (_dir, db) = scenario_ledger();
    let v = explain_json(&db, &[INSUFFICIENT_QUOTA]);
    assert_eq!(v["layer"], "balance_depleted");
    assert_eq!(v["error"], "openai_insufficient_quota");
    assert_eq!(v["billing_problem"], true);
    assert_eq!(v["status"], 429);
    assert_eq!(v["code"], "insufficient_quota");
    assert_eq!(v["provider"], "openai");
    assert_eq!(v["provider_guessed"], true);
    assert_eq!(v["ledger_consulted"], true);
    // The evidence goes one layer deeper: the credit ran out because the payment failed.
    assert_eq!(v["ledger_layer"], "payment_failure");
    let kinds = kinds(&v);
    assert_eq!(kinds.first(), Some(&"recharge_failed"), "{kinds:?}");
    assert!(kinds.contains(&"charge_without_credit"), "{kinds:?}");
    let failed = &v["flags"][0];
    assert_eq!(failed["records"], serde_json::json!(["billing:5"]));
    assert_eq!(failed["amount"], "20.00");
    let attempt = &v["last_attempts"][0];
    assert_eq!(attempt["provider"], "openai");
    assert_eq!(attempt["date"], "2026-03-20");
    assert_eq!(attempt["failure"], "payment_failed");
    let account = &v["accounts"][0];
    assert_eq!(
        (
            &account["provider"],
            &account["account"],
            &account["balance"]
        ),
        (
            &Value::from("openai"),
            &Value::from("Acme"),
            &Value::from("0.00")
        )
    );
    assert!(v["ledger_says"][0].as_str().unwrap().contains("billing:5"));
    // Never "top up again": a payment may be pending or not synchronized.
    let all = v.to_string().to_lowercase();
    assert!(!all.contains("top up again"), "{all}");

    // The same for people.
    let (code, out, err) = burnrate(&db, &["--as-of", AS_OF, "explain", INSUFFICIENT_QUOTA]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.starts_with("Balance depleted (a billing problem)"),
        "{out}"
    );
    assert!(out.contains("guessed"), "{out}");
    assert!(
        out.contains("The ledger points to a payment failure"),
        "{out}"
    );
    assert!(out.contains("recharge_failed"), "{out}");
    assert!(
        out.contains("openai/Acme: 0.00 USD as of 2026-03-22"),
        "{out}"
    );
}

#[test]
fn a_rate_limit_says_rate_limit_and_gives_no_balance_advice() {
    let (_dir, db) = scenario_ledger();
    let v = explain_json(&db, &[RATE_LIMIT]);
    assert_eq!(v["layer"], "usage_rate_limit");
    assert_eq!(v["billing_problem"], false);
    assert_eq!(v["accounts"], serde_json::json!([]));
    assert_eq!(v["last_attempts"], serde_json::json!([]));
    assert_eq!(v["ledger_layer"], Value::Null);
    // Only the usage spike bears on a rate limit.
    assert_eq!(kinds(&v), vec!["spend_spike"]);
    let (code, out, _) = burnrate(&db, &["--as-of", AS_OF, "explain", RATE_LIMIT]);
    assert_eq!(code, 0);
    assert!(
        out.starts_with("Usage or rate limit (not a billing problem)"),
        "{out}"
    );
    let lower = out.to_lowercase();
    for advice in [
        "add credit",
        "buy credit",
        "top up",
        "payment method",
        "openai/acme:",
    ] {
        assert!(!lower.contains(advice), "{advice}: {out}");
    }
}

#[test]
fn the_json_carries_every_field_of_the_contract() {
    let (_dir, db) = scenario_ledger();
    let v = explain_json(
        &db,
        &[
            "--provider",
            "Anthropic",
            r#"{"type":"error","error":{"type":"invalid_request_error","message":"Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits."}}"#,
        ],
    );
    for key in [
        "as_of",
        "recognised",
        "error",
        "layer",
        "billing_problem",
        "status",
        "code",
        "provider",
        "provider_guessed",
        "provider_reason",
        "title",
        "meaning",
        "check_first",
        "notes",
        "ledger_consulted",
        "ledger_layer",
        "ledger_says",
        "accounts",
        "flags",
        "last_attempts",
    ] {
        assert!(v.get(key).is_some(), "{key} missing in {v}");
    }
    assert_eq!(v["as_of"], AS_OF);
    assert_eq!(v["recognised"], true);
    assert_eq!(v["error"], "anthropic_credit_balance_too_low");
    assert_eq!(v["layer"], "balance_depleted");
    assert_eq!(v["status"], 400);
    assert_eq!(v["provider"], "anthropic");
    assert_eq!(v["provider_guessed"], false);
    // Only anthropic's evidence: its inferred 20.00, no openai flag.
    let accounts = v["accounts"].as_array().unwrap();
    assert_eq!(accounts.len(), 1, "{accounts:?}");
    assert_eq!(accounts[0]["provider"], "anthropic");
    assert_eq!(accounts[0]["balance"], "20.00");
    assert_eq!(v["flags"], serde_json::json!([]));
    assert_eq!(v["ledger_layer"], Value::Null);
    assert!(!v["check_first"].as_array().unwrap().is_empty());
    for account in accounts {
        for key in [
            "provider",
            "account",
            "currency",
            "balance",
            "balance_known",
            "lower_bound",
            "depletes_on",
            "auto_recharge_failed_on",
        ] {
            assert!(account.get(key).is_some(), "{key} missing in {account}");
        }
    }
}

#[test]
fn a_card_decline_read_from_standard_input() {
    let (_dir, db) = scenario_ledger();
    let mut child = Command::new(env!("CARGO_BIN_EXE_burnrate"))
        .args(["--db", db.to_str().unwrap(), "--as-of", AS_OF])
        .args(["explain", "-", "--json"])
        .env_remove("BURNRATE_DB")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(br#"{"error":{"code":"card_declined","decline_code":"insufficient_funds","message":"Your card has insufficient funds.","type":"card_error"}}"#)
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["layer"], "payment_failure");
    assert_eq!(v["error"], "card_insufficient_funds");
    assert_eq!(v["code"], "insufficient_funds");
    // The text names no provider: every provider's evidence, and no guess.
    assert_eq!(v["provider"], Value::Null);
    assert_eq!(v["ledger_layer"], "payment_failure");
    assert_eq!(v["last_attempts"].as_array().unwrap().len(), 2);
}

#[test]
fn unknown_text_exits_0_with_layer_unknown_and_an_empty_text_is_a_usage_error() {
    let (_dir, db) = scenario_ledger();
    let v = explain_json(&db, &["the build finished in 4.2s"]);
    assert_eq!(v["layer"], "unknown");
    assert_eq!(v["recognised"], false);
    assert_eq!(v["ledger_consulted"], false);
    assert!(
        v["meaning"]
            .as_str()
            .unwrap()
            .contains("insufficient_quota")
    );
    let (code, out, _) = burnrate(&db, &["explain", "the build finished"]);
    assert_eq!(code, 0);
    assert!(out.starts_with("Not recognised (layer: unknown)"), "{out}");

    let (code, _, err) = burnrate(&db, &["explain", "  "]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("give the error text"), "{err}");
}

#[test]
fn without_a_ledger_the_text_is_still_explained_and_no_ledger_is_created() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("none.sqlite");
    let (code, out, err) = burnrate(&db, &["explain", "HTTP/1.1 402 Payment Required"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("Balance depleted"), "{out}");
    assert!(out.contains("There is no ledger at"), "{out}");
    assert!(!db.exists());
}

/// Three weeks later credit has arrived again: the declined recharge of 03-20 is history, not
/// the reason for today's error, and the answer says the ledger shows credit left.
#[test]
fn insufficient_quota_with_credit_left_points_at_the_key_or_a_ledger_behind() {
    let (_dir, db) = scenario_ledger();
    let v = json(
        &db,
        &[
            "--as-of",
            "2026-04-10",
            "explain",
            "--json",
            "429 insufficient_quota",
        ],
    );
    assert_eq!(v["layer"], "balance_depleted");
    assert_eq!(v["ledger_layer"], Value::Null);
    let first = v["ledger_says"][0].as_str().unwrap();
    assert!(
        first.starts_with("The ledger shows credit left as of 2026-04-10 (openai/Acme 36.00 USD)"),
        "{first}"
    );
    assert!(first.contains("organization and project"), "{first}");
    // The older flags are still listed as evidence.
    assert!(kinds(&v).contains(&"recharge_failed"));
    assert_eq!(v["last_attempts"][0]["failure"], "none");
}

/// The demo as of 2026-11-20: anthropic ran out on 11-06 (an open `balance_depleted` flag) and was
/// topped up since (217.93 USD left). A card decline today is a payment failure; the old episode
/// is listed as evidence but the ledger does not say today's balance ran out.
#[test]
fn a_balance_that_ran_out_and_was_topped_up_since_is_history_not_todays_cause() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_burnrate"))
        .args([
            "--demo",
            "explain",
            "--json",
            "--provider",
            "anthropic",
            "Your card was declined. decline_code: insufficient_funds",
        ])
        .env("HOME", dir.path())
        .env("XDG_DATA_HOME", dir.path().join("data"))
        .env("XDG_CACHE_HOME", dir.path().join("cache"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["layer"], "payment_failure");
    assert!(kinds(&v).contains(&"balance_depleted"), "{v}");
    assert_ne!(v["ledger_layer"], "balance_depleted", "{v}");
    let said = v["ledger_says"].to_string();
    assert!(!said.contains("points to a balance that ran out"), "{said}");
    assert!(said.contains("217.93"), "{said}");
}
