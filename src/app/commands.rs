//! The window's writes to the ledger: each [`LedgerCommand`] a panel pushes becomes one store
//! call (one transaction), applied on the views thread, which then rebuilds the views from the
//! new revision. The match below is exhaustive on purpose: a new command does not compile until
//! it says how it is written, and every command passes the same "an import is running" guard in
//! [`super::App`] because there is no other way in.
//!
//! Answers are sentences for the message line ("Saved the budgets."), or the reason the write
//! failed, for people.

use chrono::NaiveDate;

use crate::domain::balance::AccountKey;
use crate::domain::import::FileOptions;
use crate::domain::ledger::Budget;
use crate::domain::money::{Amount, Currency};
use crate::services::clock::now_utc;
use crate::store::{BudgetSetting, ImportMode, SourceMeta, Store, StoreError};
use crate::ui::LedgerCommand;
use crate::ui::billing_form::BillingEntry;

/// The settings key the review reads its reporting currency from.
const REPORTING_CURRENCY_KEY: &str = "reporting_currency";

/// Applies `command` to `store`; the message to show, or why it failed.
pub fn apply(store: &mut Store, command: LedgerCommand) -> Result<String, String> {
    let saved =
        |result: Result<String, StoreError>| result.map_err(|e| format!("Could not save: {e}"));
    match command {
        LedgerCommand::DismissFlag { flag_id, note } => store
            .dismiss_flag(&flag_id, &note, &now_utc())
            .map(|()| "Dismissed the flag; it stays dismissed.".to_string())
            .map_err(|e| format!("Could not dismiss the flag: {e}")),
        LedgerCommand::AddMerchantRule(rule) => saved(
            store
                .add_merchant_rule(&rule, &now_utc())
                .map(|n| format!("Added the rule; {n} bank line(s) re-tagged.")),
        ),
        LedgerCommand::RemoveMerchantRule(pattern) => {
            saved(store.remove_merchant_rule(&pattern).map(|removed| {
                if removed {
                    format!("Removed the rule for '{pattern}'.")
                } else {
                    format!("No rule for '{pattern}' was saved; nothing was removed.")
                }
            }))
        }
        LedgerCommand::SetBudgets(budgets) => {
            let settings: Vec<BudgetSetting> = budgets.iter().map(budget_setting).collect();
            saved(
                store
                    .set_budget_settings(&settings)
                    .map(|()| "Saved the budgets.".to_string()),
            )
        }
        LedgerCommand::SetFlagParams(params) => saved(
            store
                .set_flag_params(&params)
                .map(|()| "Saved the flag thresholds.".to_string()),
        ),
        LedgerCommand::DecideMatch {
            left,
            right,
            decision,
        } => saved(
            store
                .decide_match(&left, &right, decision, &now_utc())
                .map(|()| format!("Stored: {left} and {right} {}.", decision.as_str())),
        ),
        LedgerCommand::SaveAutoRecharge(setting) => {
            let label = setting.account.label();
            saved(
                store
                    .save_auto_recharge(&setting)
                    .map(|()| format!("Saved the auto-recharge of {label}.")),
            )
        }
        LedgerCommand::RemoveAutoRecharge(account) => {
            let label = account.label();
            saved(
                store
                    .remove_auto_recharge(&account)
                    .map(|_| format!("Turned off the auto-recharge of {label}.")),
            )
        }
        LedgerCommand::SetAgentFolders(folders) => {
            saved(store.set_agent_folders(&folders).map(|()| {
                if folders.import_at_start {
                    format!(
                        "burnrate will import the new requests of {} folder(s) at every start.",
                        folders.folders.len()
                    )
                } else {
                    "Saved the agent log folders; they are not imported at start-up.".to_string()
                }
            }))
        }
        LedgerCommand::AddBillingRecord(entry) => add_billing_record(store, &entry),
        LedgerCommand::AddCheckpoint {
            account,
            day,
            amount,
            currency,
        } => add_checkpoint(store, &account, day, amount, currency),
        LedgerCommand::RemoveCheckpoint {
            account,
            day,
            record,
        } => remove_checkpoint(store, &account, day, &record),
        LedgerCommand::SetReportingCurrency(code) => {
            let code = crate::ui::settings::currency_code(&code)
                .map_err(|why| format!("Could not save: {why}"))?;
            saved(
                store
                    .set_setting(REPORTING_CURRENCY_KEY, &code)
                    .map(|()| format!("The review now reports in {code}.")),
            )
        }
    }
}

fn budget_setting(b: &Budget) -> BudgetSetting {
    BudgetSetting {
        scope: b.scope,
        name: b.name.clone(),
        monthly: b.monthly.to_string(),
        currency: b.currency,
    }
}

/// What the import history calls records typed in the window.
const TYPED_IN: &str = "typed in the window";

/// Imports a billing record typed in the window as a one-row burnrate billing CSV: it goes
/// through the same rules as a file (its natural key, so typing it twice adds it once) and
/// shows in the import history, where it can be undone.
fn add_billing_record(store: &mut Store, entry: &BillingEntry) -> Result<String, String> {
    let bytes = billing_csv(entry).map_err(|e| format!("Could not save the record: {e}"))?;
    let open =
        move || Ok(Box::new(std::io::Cursor::new(bytes.clone())) as Box<dyn std::io::Read + Send>);
    let meta = SourceMeta {
        name: TYPED_IN.to_string(),
        path: String::new(),
        imported_at: now_utc(),
    };
    let options = FileOptions {
        format: Some("burnrate-billing".into()),
        ..FileOptions::default()
    };
    let report = store
        .import_file(&open, &meta, &options, ImportMode::default(), &mut |_| true)
        .map_err(|e| format!("Could not save the record: {e}"))?;
    if let Some(error) = report
        .error
        .or_else(|| report.rejected.first().map(ToString::to_string))
    {
        return Err(format!("Could not save the record: {error}"));
    }
    let what = format!(
        "{} of {} for {} on {}",
        entry.kind.as_str().replace('_', " "),
        crate::ui::format::money(entry.amount, &entry.currency),
        entry.provider,
        entry.day
    );
    Ok(if report.inserted == 0 {
        format!("The ledger already has this record ({what}).")
    } else {
        format!("Added the {what}; undo it in Ledger > Imports if it was a mistake.")
    })
}

/// The one-row billing CSV of `entry`.
fn billing_csv(entry: &BillingEntry) -> Result<Vec<u8>, String> {
    let mut out = csv::Writer::from_writer(Vec::new());
    let header = [
        "date",
        "provider",
        "number",
        "kind",
        "amount",
        "currency",
        "status",
        "expires_at",
        "description",
        "organization",
        "project",
    ];
    let row = [
        entry.day.to_string(),
        entry.provider.clone(),
        String::new(),
        entry.kind.as_str().to_string(),
        entry.amount.to_string(),
        entry.currency.to_string(),
        "paid".to_string(),
        entry.expires.map(|d| d.to_string()).unwrap_or_default(),
        entry.description.clone(),
        entry.organization.clone(),
        String::new(),
    ];
    out.write_record(header).map_err(|e| e.to_string())?;
    out.write_record(row).map_err(|e| e.to_string())?;
    out.into_inner().map_err(|e| e.to_string())
}

/// The balance the billing page shows, typed on a balance card: a checkpoint at the start of
/// `day` (the same day typed again replaces it).
fn add_checkpoint(
    store: &Store,
    account: &AccountKey,
    day: NaiveDate,
    amount: Amount,
    currency: Currency,
) -> Result<String, String> {
    let label = account.label();
    store
        .add_checkpoint(account, day.and_time(chrono::NaiveTime::MIN), amount, currency)
        .map(|written| {
            let replaced = written.replaced.map_or_else(String::new, |(before, c)| {
                format!(" It replaces the {} {c} entered before.", before.to_cents_string())
            });
            format!(
                "Saved: the {label} billing page showed {} {currency} on {day}; the balance follows it from that day.{replaced}",
                amount.to_cents_string()
            )
        })
        .map_err(|e| format!("Could not save: {e}"))
}

/// Removes the balance a card shows as entered from the billing page.
fn remove_checkpoint(
    store: &Store,
    account: &AccountKey,
    day: NaiveDate,
    record: &str,
) -> Result<String, String> {
    let label = account.label();
    let Some(id) = crate::store::StoredCheckpoint::id_of(record) else {
        return Err(format!(
            "Could not remove the {label} balance of {day}: it is not a balance entered from the billing page."
        ));
    };
    match store.remove_checkpoint(id) {
        Ok(true) => Ok(format!(
            "Removed the {label} balance of {day}: the balance follows the records again."
        )),
        Ok(false) => Err(format!("The {label} balance of {day} was already removed.")),
        Err(e) => Err(format!("Could not remove the balance: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::merchants::MerchantRule;
    use crate::domain::records::SpendKind;

    #[test]
    fn removing_a_rule_says_whether_there_was_one() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("ledger.sqlite")).unwrap();
        let absent = apply(
            &mut store,
            LedgerCommand::RemoveMerchantRule("ACME AI".to_string()),
        );
        assert_eq!(
            absent.unwrap(),
            "No rule for 'ACME AI' was saved; nothing was removed."
        );
        store
            .add_merchant_rule(
                &MerchantRule::new("ACME AI", "acme", SpendKind::ApiTopup),
                "2026-12-05T00:00:00Z",
            )
            .unwrap();
        let removed = apply(
            &mut store,
            LedgerCommand::RemoveMerchantRule("ACME AI".to_string()),
        );
        assert_eq!(removed.unwrap(), "Removed the rule for 'ACME AI'.");
    }
}
