//! Entering a billing record by hand: a top-up, an auto-recharge, a free credit, a subscription,
//! an invoice or a refund the user sees on a provider's billing page and has no export of.
//! The form checks what is typed (a day, an amount, a currency) as it goes; "Save" pushes one
//! [`LedgerCommand::AddBillingRecord`], which the app imports like a one-row billing CSV (so it
//! shows in the import history and can be undone, and typing it twice adds it once).
//!
//! The draft being typed is UI state kept in egui's memory, not in the ledger.

use chrono::NaiveDate;

use super::{Action, LedgerCommand, theme};
use crate::domain::money::{Amount, Currency, DecimalMark};
use crate::domain::records::BillingKind;

/// A billing record as typed in the window, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BillingEntry {
    pub provider: String,
    /// The organization (account) inside the provider; empty when it has one.
    pub organization: String,
    pub kind: BillingKind,
    pub day: NaiveDate,
    pub amount: Amount,
    pub currency: Currency,
    /// When bought or granted credit expires (credits without it expire after a year).
    pub expires: Option<NaiveDate>,
    pub description: String,
}

/// What the form shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BillingFormView {
    /// The providers already in the ledger, offered first.
    pub providers: Vec<String>,
    /// The day the form starts with.
    pub today: NaiveDate,
}

#[derive(Debug, Clone, Default)]
struct Draft {
    seeded: bool,
    provider: String,
    organization: String,
    kind: Option<BillingKind>,
    day: String,
    amount: String,
    currency: String,
    expires: String,
    description: String,
}

impl Draft {
    fn entry(&self) -> Result<BillingEntry, String> {
        let provider = self.provider.trim().to_lowercase();
        if provider.is_empty() {
            return Err("Name the provider (openai, anthropic, ...).".into());
        }
        let kind = self.kind.unwrap_or(BillingKind::CreditPurchase);
        let day = NaiveDate::parse_from_str(self.day.trim(), "%Y-%m-%d").map_err(|_| {
            format!(
                "'{}' is not a day; write it as YYYY-MM-DD.",
                self.day.trim()
            )
        })?;
        let amount = Amount::parse(self.amount.trim(), DecimalMark::Dot).map_err(|_| {
            format!(
                "'{}' is not an amount; write it as 20.00.",
                self.amount.trim()
            )
        })?;
        if amount.is_negative() || amount.is_zero() {
            return Err("Type the amount without a sign (a refund is its own kind).".into());
        }
        let currency = Currency::parse(self.currency.trim()).map_err(|_| {
            format!(
                "'{}' is not a currency code such as USD.",
                self.currency.trim()
            )
        })?;
        let expires = match self.expires.trim() {
            "" => None,
            text => Some(
                NaiveDate::parse_from_str(text, "%Y-%m-%d")
                    .map_err(|_| format!("'{text}' is not a day; write it as YYYY-MM-DD."))?,
            ),
        };
        Ok(BillingEntry {
            provider,
            organization: self.organization.trim().to_string(),
            kind,
            day,
            amount,
            currency,
            expires,
            description: self.description.trim().to_string(),
        })
    }
}

fn kind_label(kind: BillingKind) -> &'static str {
    match kind {
        BillingKind::CreditPurchase => "Credit bought (top-up)",
        BillingKind::AutoRecharge => "Auto-recharge",
        BillingKind::FreeCredit => "Free credit (grant, promotion)",
        BillingKind::Subscription => "Subscription payment",
        BillingKind::Invoice => "Invoice",
        BillingKind::Refund => "Refund",
    }
}

/// One labelled text field of the form.
fn field(ui: &mut egui::Ui, label: &str, text: &mut String, hint: &str) {
    ui.label(label);
    ui.add(
        egui::TextEdit::singleline(text)
            .hint_text(hint)
            .desired_width(240.0),
    )
    .widget_info(|| egui::WidgetInfo::labeled(egui::Role::TextInput, true, label));
    ui.end_row();
}

/// The form, as a modal window.
pub fn billing_form_ui(ctx: &egui::Context, view: &BillingFormView, actions: &mut Vec<Action>) {
    egui::Modal::new(egui::Id::unique("billing form")).show(ctx, |ui| {
        ui.set_width(520.0);
        ui.heading("Add a billing record");
        ui.label(
            egui::RichText::new(
                "What the provider's billing page shows and no export of yours has: a top-up, a free credit, an invoice.",
            )
            .color(theme::weak(ui)),
        );
        let id = egui::Id::unique("billing form draft");
        let mut draft: Draft = ui.data(|d| d.get_temp(id)).unwrap_or_default();
        if !draft.seeded {
            draft = Draft {
                seeded: true,
                provider: view.providers.first().cloned().unwrap_or_default(),
                day: view.today.to_string(),
                currency: "USD".into(),
                ..Draft::default()
            };
        }
        egui::Grid::new("billing form grid")
            .num_columns(2)
            .spacing([theme::GAP, 6.0])
            .show(ui, |ui| {
                field(ui, "Provider", &mut draft.provider, "openai");
                field(ui, "Organization", &mut draft.organization, "as the billing page names it (optional)");
                ui.label("Kind");
                let kind = draft.kind.unwrap_or(BillingKind::CreditPurchase);
                egui::ComboBox::from_id_salt("billing form kind")
                    .selected_text(kind_label(kind))
                    .width(240.0)
                    .show_ui(ui, |ui| {
                        for option in BillingKind::ALL {
                            if ui.selectable_label(kind == option, kind_label(option)).clicked() {
                                draft.kind = Some(option);
                            }
                        }
                    })
                    .response
                    .widget_info(|| egui::WidgetInfo::labeled(egui::Role::ComboBox, true, "Kind"));
                ui.end_row();
                field(ui, "Day", &mut draft.day, "YYYY-MM-DD");
                field(ui, "Amount", &mut draft.amount, "20.00");
                field(ui, "Currency", &mut draft.currency, "USD");
                field(ui, "Credit expires", &mut draft.expires, "YYYY-MM-DD (optional)");
                field(ui, "Description", &mut draft.description, "what the page says (optional)");
            });
        let entry = draft.entry();
        if let Err(why) = &entry {
            ui.label(egui::RichText::new(why).color(theme::error(ui)));
        }
        ui.add_space(theme::PAD);
        let mut close = false;
        ui.horizontal(|ui| {
            if ui
                .add_enabled(entry.is_ok(), egui::Button::new("Save record"))
                .clicked()
                && let Ok(entry) = entry
            {
                actions.push(Action::Ledger(LedgerCommand::AddBillingRecord(entry)));
                close = true;
            }
            if ui.button("Cancel").clicked() {
                close = true;
            }
        });
        if close {
            actions.push(Action::CloseBillingForm);
            ui.data_mut(|d| d.remove::<Draft>(id));
        } else {
            ui.data_mut(|d| d.insert_temp(id, draft));
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_draft_is_checked_before_it_is_saved() {
        let mut draft = Draft {
            provider: "OpenAI ".into(),
            day: "2026-11-03".into(),
            amount: "20.00".into(),
            currency: "usd".into(),
            ..Draft::default()
        };
        let entry = draft.entry().unwrap();
        assert_eq!(entry.provider, "openai");
        assert_eq!(entry.kind, BillingKind::CreditPurchase);
        assert_eq!(entry.currency, Currency::USD);
        draft.amount = "-5".into();
        assert!(draft.entry().unwrap_err().contains("without a sign"));
        draft.amount = "5".into();
        draft.day = "03/11/2026".into();
        assert!(draft.entry().unwrap_err().contains("YYYY-MM-DD"));
        draft.day = "2026-11-03".into();
        draft.currency = "dollars".into();
        assert!(draft.entry().unwrap_err().contains("currency code"));
    }
}
