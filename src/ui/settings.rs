//! The settings screen: auto-recharge per provider account, merchant rules (which bank
//! descriptors are which AI service), monthly budgets, the flag detectors' thresholds (the same
//! values `burnrate settings` edits), the review's reporting currency and the theme.
//!
//! Forms being filled in are UI state kept in egui's memory; nothing reaches the ledger until
//! the user presses a button, which pushes an [`Action`].

use super::{Action, LedgerCommand, ThemeChoice, theme};
use crate::domain::balance::{AccountKey, AutoRecharge};
use crate::domain::flags::{FlagParams, PARAM_SPECS, ParamUnit};
use crate::domain::ledger::{Budget, BudgetScope};
use crate::domain::merchants::MerchantRule;
use crate::domain::money::{Amount, Currency, DecimalMark};
use crate::domain::records::SpendKind;

/// What the settings screen shows.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SettingsView {
    pub rules: Vec<MerchantRule>,
    pub budgets: Vec<Budget>,
    pub params: FlagParams,
    pub theme: ThemeChoice,
    /// The provider accounts of the ledger, each with its auto-recharge when one is set.
    pub recharges: Vec<(AccountKey, Option<AutoRecharge>)>,
    /// The currency the monthly review reports in (upper case; USD when unset).
    pub reporting_currency: String,
    /// The coding-agent log folders imported at start-up.
    pub agent_folders: super::agents::AgentFoldersView,
}

/// The currencies the picker offers; any other three-letter code can be typed.
const COMMON_CURRENCIES: [&str; 9] = [
    "USD", "EUR", "GBP", "CHF", "CAD", "AUD", "JPY", "SEK", "INR",
];

/// A reporting currency as the user typed it, or why it cannot be one.
///
/// # Errors
/// When `text` is not three ASCII letters.
pub fn currency_code(text: &str) -> Result<Currency, String> {
    Currency::parse(text).map_err(|e| e.to_string())
}

#[derive(Debug, Clone, Default)]
struct RechargeDraft {
    /// Whether the draft was filled from the stored setting (`based_on`) yet.
    seeded: bool,
    based_on: Option<AutoRecharge>,
    threshold: String,
    amount: String,
    cap: String,
}

impl RechargeDraft {
    fn of(setting: Option<&AutoRecharge>) -> Self {
        let text = |a: Amount| a.to_cents_string();
        Self {
            seeded: true,
            based_on: setting.cloned(),
            threshold: setting.map(|r| text(r.threshold)).unwrap_or_default(),
            amount: setting.map(|r| text(r.amount)).unwrap_or_default(),
            cap: setting
                .and_then(|r| r.monthly_cap)
                .map(text)
                .unwrap_or_default(),
        }
    }

    /// The setting the draft spells, or why it cannot work.
    fn setting(&self, account: &AccountKey) -> Result<AutoRecharge, String> {
        let parse = |label: &str, text: &str| {
            Amount::parse(text.trim(), DecimalMark::Dot)
                .map_err(|_| format!("{label}: write an amount such as 10.00"))
        };
        let cap = if self.cap.trim().is_empty() {
            None
        } else {
            Some(parse("Monthly cap", &self.cap)?)
        };
        let setting = AutoRecharge {
            account: account.clone(),
            threshold: parse("Threshold", &self.threshold)?,
            amount: parse("Amount", &self.amount)?,
            monthly_cap: cap,
        };
        setting.validate().map_err(|e| e.to_string())?;
        Ok(setting)
    }
}

#[derive(Debug, Clone, Default)]
struct RuleDraft {
    pattern: String,
    provider: String,
    topup: bool,
}

#[derive(Debug, Clone, Default)]
struct BudgetDraft {
    provider_scope: bool,
    name: String,
    monthly: String,
    currency: String,
}

#[derive(Debug, Clone, Default)]
struct ParamsDraft {
    based_on: Option<FlagParams>,
    /// Name and value, in [`PARAM_SPECS`] order (a "...or after it by" row follows its first
    /// half).
    values: Vec<(&'static str, i64)>,
}

fn section(ui: &mut egui::Ui, title: &str, hint: &str) {
    ui.add_space(theme::GAP);
    ui.heading(title);
    ui.label(egui::RichText::new(hint).color(theme::weak(ui)));
    ui.add_space(4.0);
}

/// The settings screen.
pub fn settings_ui(ui: &mut egui::Ui, view: &SettingsView, actions: &mut Vec<Action>) {
    egui::ScrollArea::vertical()
        .auto_shrink([false, false])
        .show(ui, |ui| {
            ui.set_max_width(900.0);
            theme_ui(ui, view, actions);
            currency_ui(ui, view, actions);
            recharges_ui(ui, view, actions);
            rules_ui(ui, view, actions);
            budgets_ui(ui, view, actions);
            params_ui(ui, view, actions);
            super::agents::folders_ui(ui, &view.agent_folders, actions);
        });
}

fn theme_ui(ui: &mut egui::Ui, view: &SettingsView, actions: &mut Vec<Action>) {
    section(ui, "Theme", "Follow the system, or pick light or dark.");
    ui.horizontal(|ui| {
        for option in ThemeChoice::ALL {
            if ui.radio(view.theme == option, option.label()).clicked() && view.theme != option {
                actions.push(Action::SetTheme(option));
            }
        }
    });
}

fn currency_ui(ui: &mut egui::Ui, view: &SettingsView, actions: &mut Vec<Action>) {
    section(
        ui,
        "Reporting currency",
        "The monthly review converts every amount to this currency with the imported ECB rates of its day, and keeps the original amount beside it.",
    );
    let current = if view.reporting_currency.is_empty() {
        "USD"
    } else {
        view.reporting_currency.as_str()
    };
    ui.horizontal(|ui| {
        egui::ComboBox::from_id_salt("reporting currency")
            .selected_text(current)
            .show_ui(ui, |ui| {
                for code in COMMON_CURRENCIES {
                    if ui.selectable_label(code == current, code).clicked() && code != current {
                        actions.push(Action::Ledger(LedgerCommand::SetReportingCurrency(
                            code.to_string(),
                        )));
                    }
                }
            })
            .response
            .widget_info(|| {
                egui::WidgetInfo::labeled(egui::Role::ComboBox, true, "Reporting currency")
            });
        ui.label("or another code:");
        let id = egui::Id::unique("reporting currency draft");
        let mut draft: String = ui.data(|d| d.get_temp(id)).unwrap_or_default();
        ui.add_sized(
            [60.0, ui.spacing().interact_size.y],
            egui::TextEdit::singleline(&mut draft)
                .char_limit(3)
                .hint_text("NZD"),
        )
        .widget_info(|| egui::WidgetInfo::labeled(egui::Role::TextInput, true, "Currency code"));
        let parsed = currency_code(&draft);
        let unchanged = parsed.as_ref().is_ok_and(|c| c.as_str() == current);
        let use_code = ui
            .add_enabled(parsed.is_ok() && !unchanged, egui::Button::new("Use code"))
            .on_disabled_hover_text(match &parsed {
                Err(why) => why.clone(),
                Ok(_) => format!("The review already reports in {current}"),
            });
        if use_code.clicked()
            && let Ok(code) = parsed
        {
            actions.push(Action::Ledger(LedgerCommand::SetReportingCurrency(
                code.to_string(),
            )));
            draft.clear();
        }
        ui.data_mut(|d| d.insert_temp(id, draft));
    });
}

fn recharges_ui(ui: &mut egui::Ui, view: &SettingsView, actions: &mut Vec<Action>) {
    section(
        ui,
        "Auto-recharge",
        "What each account's provider does when the balance falls below the threshold: add the amount (at most the monthly cap). The balance forecast follows it, and a recharge that should have run and did not raises a flag.",
    );
    if view.recharges.is_empty() {
        ui.label(
            egui::RichText::new("No provider account yet: import a billing CSV or a cost export.")
                .color(theme::weak(ui)),
        );
        return;
    }
    egui::Grid::new("auto recharges")
        .striped(true)
        .num_columns(6)
        .show(ui, |ui| {
            for (account, setting) in &view.recharges {
                recharge_row_ui(ui, account, setting.as_ref(), actions);
                ui.end_row();
            }
        });
}

fn recharge_row_ui(
    ui: &mut egui::Ui,
    account: &AccountKey,
    setting: Option<&AutoRecharge>,
    actions: &mut Vec<Action>,
) {
    let label = account.label();
    let id = egui::Id::unique(("recharge draft", &label));
    let mut draft: RechargeDraft = ui.data(|d| d.get_temp(id)).unwrap_or_default();
    if !draft.seeded || draft.based_on.as_ref() != setting {
        draft = RechargeDraft::of(setting);
    }
    ui.label(egui::RichText::new(&label).strong());
    let edit = |ui: &mut egui::Ui, text: &mut String, name: &str, hint: &str| {
        let accessible = format!("{name} for {label}");
        ui.add_sized(
            [80.0, ui.spacing().interact_size.y],
            egui::TextEdit::singleline(text).hint_text(hint),
        )
        .widget_info(|| egui::WidgetInfo::labeled(egui::Role::TextInput, true, &accessible));
    };
    ui.horizontal(|ui| {
        ui.label("below");
        edit(ui, &mut draft.threshold, "Threshold", "10.00");
    });
    ui.horizontal(|ui| {
        ui.label("add");
        edit(ui, &mut draft.amount, "Amount", "50.00");
    });
    ui.horizontal(|ui| {
        ui.label("cap / month");
        edit(ui, &mut draft.cap, "Monthly cap", "none");
    });
    let parsed = draft.setting(account);
    let unchanged = parsed.as_ref().ok() == setting;
    // Short buttons (the row stays within a 1024-point window); the account is in the
    // accessible name and the hover text.
    let save_name = format!("Save recharge for {label}");
    let save = ui
        .add_enabled(parsed.is_ok() && !unchanged, egui::Button::new("Save"))
        .on_hover_text(&save_name)
        .on_disabled_hover_text(match &parsed {
            Err(why) => why.clone(),
            Ok(_) => "Nothing changed".to_string(),
        });
    let enabled = parsed.is_ok() && !unchanged;
    save.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, enabled, &save_name));
    if save.clicked()
        && let Ok(setting) = parsed
    {
        actions.push(Action::Ledger(LedgerCommand::SaveAutoRecharge(setting)));
    }
    if setting.is_some() {
        let off_name = format!("Turn off recharge for {label}");
        let off = ui.button("Turn off").on_hover_text(&off_name);
        off.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, true, &off_name));
        if off.clicked() {
            actions.push(Action::Ledger(LedgerCommand::RemoveAutoRecharge(
                account.clone(),
            )));
        }
    } else {
        ui.label(egui::RichText::new("off").color(theme::weak(ui)));
    }
    ui.data_mut(|d| d.insert_temp(id, draft));
}

fn rules_ui(ui: &mut egui::Ui, view: &SettingsView, actions: &mut Vec<Action>) {
    section(
        ui,
        "Merchant rules",
        "Bank and card lines whose description contains the pattern are tagged as the provider's. Built-in rules cover the usual descriptors.",
    );
    egui::Grid::new("merchant rules")
        .striped(true)
        .num_columns(4)
        .show(ui, |ui| {
            for rule in &view.rules {
                ui.label(egui::RichText::new(&rule.pattern).monospace());
                ui.label(&rule.provider);
                ui.label(rule.kind.as_str().replace('_', " "));
                if ui
                    .small_button("Remove")
                    .on_hover_text(format!("Remove the rule for '{}'", rule.pattern))
                    .clicked()
                {
                    actions.push(Action::Ledger(LedgerCommand::RemoveMerchantRule(
                        rule.pattern.clone(),
                    )));
                }
                ui.end_row();
            }
        });
    if view.rules.is_empty() {
        ui.label(egui::RichText::new("No rules of your own yet.").color(theme::weak(ui)));
    }
    let id = egui::Id::unique("rule draft");
    let mut draft: RuleDraft = ui.data(|d| d.get_temp(id)).unwrap_or_default();
    ui.horizontal(|ui| {
        labeled_edit(ui, "Pattern", &mut draft.pattern, 180.0);
        labeled_edit(ui, "Provider", &mut draft.provider, 120.0);
        ui.checkbox(&mut draft.topup, "API top-ups");
        let ready = !draft.pattern.trim().is_empty() && !draft.provider.trim().is_empty();
        if ui
            .add_enabled(ready, egui::Button::new("Add rule"))
            .clicked()
        {
            let kind = if draft.topup {
                SpendKind::ApiTopup
            } else {
                SpendKind::Subscription
            };
            actions.push(Action::Ledger(LedgerCommand::AddMerchantRule(
                MerchantRule::new(draft.pattern.trim(), draft.provider.trim(), kind),
            )));
            draft = RuleDraft::default();
        }
    });
    ui.data_mut(|d| d.insert_temp(id, draft));
}

fn labeled_edit(ui: &mut egui::Ui, label: &str, text: &mut String, width: f32) {
    ui.label(label);
    ui.add(egui::TextEdit::singleline(text).desired_width(width))
        .widget_info(|| egui::WidgetInfo::labeled(egui::Role::TextInput, true, label));
}

fn budgets_ui(ui: &mut egui::Ui, view: &SettingsView, actions: &mut Vec<Action>) {
    section(
        ui,
        "Budgets",
        "A monthly budget per project or provider; a flag warns when a month's spend nears or crosses it.",
    );
    egui::Grid::new("budgets")
        .striped(true)
        .num_columns(4)
        .show(ui, |ui| {
            for (index, b) in view.budgets.iter().enumerate() {
                let scope = match b.scope {
                    BudgetScope::Project => "project",
                    BudgetScope::Provider => "provider",
                };
                ui.label(scope);
                ui.label(&b.name);
                ui.label(
                    egui::RichText::new(format!(
                        "{} a month",
                        super::format::money(b.monthly, &b.currency)
                    ))
                    .monospace(),
                );
                if ui.small_button("Remove budget").clicked() {
                    let mut rest = view.budgets.clone();
                    rest.remove(index);
                    actions.push(Action::Ledger(LedgerCommand::SetBudgets(rest)));
                }
                ui.end_row();
            }
        });
    let id = egui::Id::unique("budget draft");
    let mut draft: BudgetDraft = ui.data(|d| d.get_temp(id)).unwrap_or_default();
    ui.horizontal(|ui| {
        ui.radio_value(&mut draft.provider_scope, false, "Project");
        ui.radio_value(&mut draft.provider_scope, true, "Provider");
        labeled_edit(ui, "Name", &mut draft.name, 140.0);
        labeled_edit(ui, "Monthly", &mut draft.monthly, 80.0);
        labeled_edit(ui, "Currency", &mut draft.currency, 50.0);
        let amount = Amount::parse(draft.monthly.trim(), DecimalMark::Dot).ok();
        let currency = match draft.currency.trim() {
            "" => Some(Currency::USD),
            code => Currency::parse(code).ok(),
        };
        let ready = amount.is_some() && currency.is_some() && !draft.name.trim().is_empty();
        if ui
            .add_enabled(ready, egui::Button::new("Add budget"))
            .on_disabled_hover_text(
                "A name, an amount such as 100.00 and a currency code such as USD",
            )
            .clicked()
            && let (Some(monthly), Some(currency)) = (amount, currency)
        {
            let mut all = view.budgets.clone();
            all.push(Budget {
                scope: if draft.provider_scope {
                    BudgetScope::Provider
                } else {
                    BudgetScope::Project
                },
                name: draft.name.trim().to_string(),
                monthly,
                currency,
            });
            actions.push(Action::Ledger(LedgerCommand::SetBudgets(all)));
            draft = BudgetDraft::default();
        }
    });
    ui.data_mut(|d| d.insert_temp(id, draft));
}

/// The thresholds as name and value, in [`PARAM_SPECS`] order.
fn params_values(params: &FlagParams) -> Vec<(&'static str, i64)> {
    PARAM_SPECS
        .iter()
        .map(|spec| (spec.name, params.get(spec.name).unwrap_or_default()))
        .collect()
}

fn params_ui(ui: &mut egui::Ui, view: &SettingsView, actions: &mut Vec<Action>) {
    section(
        ui,
        "Flag thresholds",
        "When a detector raises a flag. Amounts are compared with each record in its own currency (OpenAI and Anthropic bill in USD). `burnrate settings threshold` edits the same values.",
    );
    let id = egui::Id::unique("params draft");
    let mut draft: ParamsDraft = ui.data(|d| d.get_temp(id)).unwrap_or_default();
    if draft.based_on.as_ref() != Some(&view.params) {
        draft = ParamsDraft {
            based_on: Some(view.params.clone()),
            values: params_values(&view.params),
        };
    }
    egui::Grid::new("thresholds")
        .striped(true)
        .num_columns(3)
        .show(ui, |ui| {
            for (name, value) in &mut draft.values {
                threshold_row_ui(ui, name, value);
                ui.end_row();
            }
        });
    let changed = draft.values != params_values(&view.params);
    ui.horizontal(|ui| {
        if ui
            .add_enabled(changed, egui::Button::new("Save thresholds"))
            .clicked()
        {
            let mut params = view.params.clone();
            let all_set = draft
                .values
                .iter()
                .all(|(name, value)| params.set(name, &value.to_string()).is_ok());
            if all_set {
                actions.push(Action::Ledger(LedgerCommand::SetFlagParams(params)));
            }
        }
        if ui.button("Reset to defaults").clicked() {
            actions.push(Action::Ledger(LedgerCommand::SetFlagParams(
                FlagParams::default(),
            )));
        }
    });
    ui.data_mut(|d| d.insert_temp(id, draft));
}

/// What a threshold is called on the screen (the command line's name is in the hover text).
fn threshold_label(name: &str) -> String {
    let known = match name {
        "duplicate_window_minutes" => "Two top-ups are a duplicate within",
        "hold_age_days" => "A pending line is stuck after",
        "hold_settle_days" => "A hold settles within",
        "hold_tolerance_percent" => "A settled hold may differ by",
        "verification_hold_max_cents" => "Verification holds are up to",
        "credit_grace_days" => "A credit may lag its charge by",
        "match_days_before" => "A bank line may come before its billing record by",
        "match_days_after" => "...or after it by",
        "expiring_within_days" => "Warn of credits expiring within",
        "spike_factor" => "A spike is a day above the median by",
        "spike_window_days" => "The median is taken over",
        "spike_min_cents" => "Days costing less are never spikes",
        "budget_warning_percent" => "Warn when a budget is spent to",
        "runaway_max_recharges" => "A runaway is more auto-recharges than",
        "runaway_window_hours" => "...within",
        "runaway_usage_percent" => "...while usage stayed under",
        "invoice_tolerance_percent" => "An invoice may differ from usage by",
        "invoice_tolerance_cents" => "...or by",
        "wrong_org_min_cents" => "Usage without credits counts from",
        _ => "",
    };
    if known.is_empty() {
        name.replace('_', " ")
    } else {
        known.to_string()
    }
}

/// One threshold: what it means, its value in its unit (money as `10.00`, days, %), and its
/// command-line name and help on hover.
fn threshold_row_ui(ui: &mut egui::Ui, name: &str, value: &mut i64) {
    let spec = PARAM_SPECS.iter().find(|s| s.name == name);
    let label = threshold_label(name);
    let unit = ParamUnit::of(name);
    let help = spec.map_or("", |s| s.help);
    ui.label(&label)
        .on_hover_text(format!("{help} (burnrate settings threshold {name} VALUE)"));
    let (min, max) = spec.map_or((0, 1_000_000), |s| (s.min, s.max));
    let drag = egui::DragValue::new(value)
        .range(min..=max)
        .speed(if unit == ParamUnit::Cents { 10.0 } else { 1.0 })
        // A whole number in its unit: `10.00` for cents, `7 days`, `20%`.
        .custom_formatter(move |v, _| {
            #[expect(clippy::cast_possible_truncation, reason = "a whole threshold value")]
            let whole = v.round() as i64;
            unit.text(whole)
        })
        .custom_parser(move |text| threshold_parse(unit, text));
    ui.add(drag)
        .widget_info(|| egui::WidgetInfo::labeled(egui::Role::SpinButton, true, &label));
    ui.label(egui::RichText::new(help).small().color(theme::weak(ui)));
}

/// What was typed in a threshold's field: money for cents (`12.50`), else the whole number
/// before its unit word (`7 days`, `20 %`).
fn threshold_parse(unit: ParamUnit, text: &str) -> Option<f64> {
    let text = text.trim();
    if unit == ParamUnit::Cents {
        let amount = Amount::parse(text, DecimalMark::Dot).ok()?;
        #[expect(clippy::cast_precision_loss, reason = "a cent count for the widget")]
        return Some(amount.round_to_cents() as f64);
    }
    let digits = text
        .split(|c: char| !c.is_ascii_digit() && c != '-')
        .next()?;
    digits.parse::<i32>().ok().map(f64::from)
}

#[cfg(test)]
mod tests {
    use super::{currency_code, params_values, threshold_label, threshold_parse};
    use crate::domain::flags::FlagParams;
    use crate::domain::flags::ParamUnit;

    #[test]
    fn a_threshold_is_typed_in_its_unit() {
        assert_eq!(threshold_parse(ParamUnit::Cents, " 12.50 "), Some(1_250.0));
        assert_eq!(threshold_parse(ParamUnit::Days, "7 days"), Some(7.0));
        assert_eq!(threshold_parse(ParamUnit::Percent, "20%"), Some(20.0));
        assert_eq!(threshold_parse(ParamUnit::Days, "a week"), None);
    }

    /// Each threshold has a label for people, and they are listed in the order whose
    /// continuation rows ("...or after it by") follow their first half.
    #[test]
    fn thresholds_have_meanings_in_reading_order() {
        let names: Vec<_> = params_values(&FlagParams::default())
            .into_iter()
            .map(|(name, _)| name)
            .collect();
        let after = |a: &str, b: &str| {
            let at = |n: &str| names.iter().position(|x| *x == n).unwrap();
            at(b) == at(a) + 1
        };
        assert!(after("match_days_before", "match_days_after"));
        assert!(after(
            "invoice_tolerance_percent",
            "invoice_tolerance_cents"
        ));
        assert!(after("runaway_max_recharges", "runaway_window_hours"));
        for spec in crate::domain::flags::PARAM_SPECS {
            assert!(
                !threshold_label(spec.name).contains('_'),
                "{} has no label for people",
                spec.name
            );
        }
    }

    #[test]
    fn a_reporting_currency_is_three_ascii_letters() {
        assert_eq!(currency_code(" eur ").unwrap(), "EUR");
        assert_eq!(currency_code("NZD").unwrap(), "NZD");
        for bad in ["", "EU", "EURO", "E1R", "ÉUR", "€"] {
            assert!(currency_code(bad).is_err(), "{bad:?} was accepted");
        }
    }
}
