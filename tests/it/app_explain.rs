//! The window's "Explain an error" panel, driven headless: reached from the top bar and from
//! the Flags view, an error pasted into its box, the same answer `burnrate explain` gives (the
//! layer, the guessed provider, the ledger's evidence as of the window's day).

use chrono::NaiveDate;
use egui_kittest::kittest::{NodeT as _, Queryable};

use crate::common::scenario_ledger;
use crate::common::window::{config, harness, settle, step_until};

type Harness = egui_kittest::Harness<'static, burnrate::app::App>;

const INSUFFICIENT_QUOTA: &str = r#"Error code: 429 - {"error":{"message":"You exceeded your current quota, please check your plan and billing details.","type":"insufficient_quota","param":null,"code":"insufficient_quota"}}"#;

/// The scenario's ledger opened on 2026-03-22, two days after its auto-recharge was declined.
fn window() -> (tempfile::TempDir, Harness) {
    let (dir, _db) = scenario_ledger();
    let config = burnrate::app::Config {
        today: NaiveDate::from_ymd_opt(2026, 3, 22).unwrap(),
        demo_today: NaiveDate::from_ymd_opt(2026, 3, 22).unwrap(),
        ..config(dir.path())
    };
    let mut harness = harness(config, burnrate::app::Prefs::default());
    settle(&mut harness);
    (dir, harness)
}

fn paste_and_explain(harness: &mut Harness, text: &str) {
    // "Clear" empties the box and the answer.
    harness.get_by_label("Clear").click();
    settle(harness);
    harness.get_by_label("Error text").click();
    harness.run_ok();
    harness.get_by_label("Error text").type_text(text);
    harness.run_ok();
    harness.get_by_label("Explain").click();
}

#[test]
fn a_pasted_insufficient_quota_is_explained_with_the_failed_recharge() {
    let (_dir, mut harness) = window();
    harness.get_by_label("Explain an error").click();
    step_until(&mut harness, "Is this error a billing problem?");
    paste_and_explain(&mut harness, INSUFFICIENT_QUOTA);
    step_until(&mut harness, "OpenAI 429 insufficient_quota");
    harness.get_by_label("Balance depleted");
    harness.get_by_label("· a billing problem");
    harness.get_by_label_contains("Provider: openai (guessed");
    harness.get_by_label("The ledger points to: Payment failure");
    harness.get_by_label_contains("openai/Acme: 0.00 USD as of 2026-03-22");
    harness.get_by_label("An auto-recharge of 20.00 USD for openai failed on 2026-03-20");
    harness.get_by_label("Last top-up attempt");

    // A rate limit: no balance, no top-up.
    paste_and_explain(
        &mut harness,
        r#"{"type":"error","error":{"type":"rate_limit_error","message":"This request would exceed your organization's rate limit of 50,000 input tokens per minute."}}"#,
    );
    step_until(&mut harness, "Anthropic 429 rate_limit_error");
    harness.get_by_label("Usage or rate limit");
    harness.get_by_label("· not a billing problem");
    assert!(
        harness
            .query_by_label_contains("openai/Acme: 0.00 USD")
            .is_none()
    );
    assert!(harness.query_by_label("Last top-up attempt").is_none());
}

#[test]
fn the_explainer_is_a_panel_of_the_flags_view_and_says_plainly_what_it_does_not_know() {
    let (_dir, mut harness) = window();
    harness.get_by_label_contains("Flags (").click();
    settle(&mut harness);
    harness.get_by_label("Explain error").click();
    step_until(&mut harness, "Is this error a billing problem?");
    paste_and_explain(&mut harness, "the build finished in 4.2s");
    step_until(&mut harness, "not an error burnrate recognises");
    harness.get_by_label_contains("burnrate knows these errors");
    harness.get_by_label("Clear").click();
    settle(&mut harness);
    assert!(
        harness
            .query_by_label("Explain")
            .unwrap()
            .accesskit_node()
            .is_disabled()
    );
    assert!(
        harness
            .query_by_label_contains("not an error burnrate recognises")
            .is_none()
    );
}
