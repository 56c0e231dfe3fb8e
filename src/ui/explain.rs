//! "Explain an error": a place to paste an API error, an SDK log line or a billing page's
//! decline message, and the answer `burnrate explain` gives for it: the layer (payment failure,
//! balance not synchronized, balance depleted, usage or rate limit, billing misunderstanding,
//! wrong organization or key), what it means, what to check first and the ledger's evidence as
//! of today (balances, the open flags that bear on it, the last top-up attempt).
//!
//! Draws only. The text being typed and the provider picked are UI state in egui's memory until
//! "Explain" sends them as [`Action::Explain`]; the answer is computed off the window's thread
//! by the app and handed back in [`ExplainView`].

use super::{Action, theme};
use crate::domain::explain::Layer;
use crate::domain::explanation::Explanation;

/// What the panel shows.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ExplainView {
    /// Providers of the ledger, offered in the provider picker.
    pub providers: Vec<String>,
    pub as_of: String,
    /// The answer to the last question (kept while a newer one is computed).
    pub answer: Option<std::sync::Arc<Explanation>>,
    /// An answer is being computed.
    pub working: bool,
}

/// The accessible label of the text box (tests find it by this).
pub const TEXT_LABEL: &str = "Error text";

/// Said when the text names no provider.
pub const NO_PROVIDER: &str =
    "Provider: not named in the text (the ledger's evidence covers every provider)";

/// Errors to try, shown under the box.
const EXAMPLES: &str = "For example: 429 insufficient_quota · 429 rate_limit_exceeded · Your credit balance is too low · Your card was declined (do_not_honor) · 401 invalid_api_key";

/// The panel.
pub fn explain_ui(ui: &mut egui::Ui, view: &ExplainView, actions: &mut Vec<Action>) {
    egui::ScrollArea::vertical()
        .auto_shrink([false, false])
        .show(ui, |ui| {
            ui.horizontal(|ui| {
                ui.heading("Is this error a billing problem?");
                ui.label(
                    egui::RichText::new(format!("with the ledger as of {}", view.as_of))
                        .color(theme::weak(ui)),
                );
            });
            ui.add(
                egui::Label::new(
                    "Paste an API error, an SDK log line or the message your billing page showed: burnrate says whether it is a billing problem, what to check first and what the ledger shows.",
                )
                .wrap(),
            );
            ui.add_space(theme::PAD / 2.0);
            question_ui(ui, view, actions);
            ui.add_space(theme::GAP);
            if view.working {
                ui.horizontal(|ui| {
                    ui.spinner();
                    ui.label("Explaining…");
                });
            }
            if let Some(answer) = &view.answer {
                answer_ui(ui, answer, actions);
            }
        });
}

/// The text box, the provider picker and the buttons.
fn question_ui(ui: &mut egui::Ui, view: &ExplainView, actions: &mut Vec<Action>) {
    let text_id = egui::Id::unique("explain error text");
    let provider_id = egui::Id::unique("explain provider");
    let mut text: String = ui.data(|d| d.get_temp(text_id)).unwrap_or_default();
    let mut provider: Option<String> = ui.data(|d| d.get_temp(provider_id)).unwrap_or_default();
    let box_id = egui::Id::unique("explain text box");
    // Ctrl+Enter in the box explains; taken before the box sees it (it would add a line).
    let submit = ui.memory(|m| m.has_focus(box_id))
        && ui.input_mut(|i| i.consume_key(egui::Modifiers::COMMAND, egui::Key::Enter));
    let edit = ui.add(
        egui::TextEdit::multiline(&mut text)
            .id(box_id)
            .hint_text("{\"error\":{\"message\":\"You exceeded your current quota...\",\"type\":\"insufficient_quota\",...}}")
            .desired_rows(5)
            .desired_width(f32::INFINITY)
            .code_editor(),
    );
    edit.widget_info(|| {
        egui::WidgetInfo::labeled(egui::Role::MultilineTextInput, true, TEXT_LABEL)
    });
    ui.label(egui::RichText::new(EXAMPLES).small().color(theme::weak(ui)));
    let mut clicked = false;
    ui.horizontal(|ui| {
        ui.label("Provider:");
        let shown = provider
            .clone()
            .unwrap_or_else(|| "guess from the text".to_string());
        egui::ComboBox::from_id_salt("explain provider picker")
            .selected_text(shown)
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut provider, None, "guess from the text");
                for p in &view.providers {
                    ui.selectable_value(&mut provider, Some(p.clone()), p);
                }
            })
            .response
            .widget_info(|| egui::WidgetInfo::labeled(egui::Role::ComboBox, true, "Provider"));
        clicked = ui
            .add_enabled(!text.trim().is_empty(), egui::Button::new("Explain"))
            .on_hover_text("Ctrl+Enter in the box")
            .on_disabled_hover_text("Paste an error first")
            .clicked();
        if ui.button("Clear").clicked() {
            text.clear();
            actions.push(Action::Explain {
                text: String::new(),
                provider: None,
            });
        }
    });
    if (clicked || submit) && !text.trim().is_empty() {
        actions.push(Action::Explain {
            text: text.clone(),
            provider: provider.clone(),
        });
    }
    ui.data_mut(|d| {
        d.insert_temp(text_id, text);
        d.insert_temp(provider_id, provider);
    });
}

fn layer_color(ui: &egui::Ui, answer: &Explanation) -> egui::Color32 {
    match (answer.reading.layer, answer.reading.billing) {
        (Layer::Unknown, _) => theme::weak(ui),
        (_, Some(false)) => theme::better(ui),
        (_, Some(true)) => theme::error(ui),
        (_, None) => theme::worse(ui),
    }
}

/// The answer: the layer, the meaning, what to check first, the ledger's evidence.
fn answer_ui(ui: &mut egui::Ui, answer: &Explanation, actions: &mut Vec<Action>) {
    let r = &answer.reading;
    theme::card_frame(ui).show(ui, |ui| {
        ui.set_width(ui.available_width());
        let billing = match (r.layer, r.billing) {
            (Layer::Unknown, _) => "not recognised",
            (_, Some(true)) => "a billing problem",
            (_, Some(false)) => "not a billing problem",
            (_, None) => "may be a billing problem",
        };
        ui.horizontal_wrapped(|ui| {
            ui.label(
                egui::RichText::new(r.layer.label())
                    .heading()
                    .strong()
                    .color(layer_color(ui, answer)),
            );
            ui.label(egui::RichText::new(format!("· {billing}")).heading());
        });
        ui.add(egui::Label::new(egui::RichText::new(r.title()).strong()).wrap());
        if let Some(p) = &r.provider {
            let how = if p.guessed {
                format!(" ({})", p.reason)
            } else {
                String::new()
            };
            ui.add(
                egui::Label::new(
                    egui::RichText::new(format!("Provider: {}{how}", p.name))
                        .color(theme::weak(ui)),
                )
                .wrap(),
            );
        } else if r.error.is_some() {
            ui.label(egui::RichText::new(NO_PROVIDER).color(theme::weak(ui)));
        }
        ui.add_space(theme::PAD / 2.0);
        ui.add(egui::Label::new(r.meaning()).wrap());
        for note in &r.notes {
            ui.add(egui::Label::new(egui::RichText::new(note).color(theme::worse(ui))).wrap());
        }
        ui.add_space(theme::PAD / 2.0);
        ui.label(egui::RichText::new("Check first").strong());
        for (index, step) in r.check_first().iter().enumerate() {
            ui.add(egui::Label::new(format!("{}. {step}", index + 1)).wrap());
        }
    });
    ui.add_space(theme::PAD);
    ledger_ui(ui, answer, actions);
}

/// What the ledger shows as of the day.
fn ledger_ui(ui: &mut egui::Ui, answer: &Explanation, actions: &mut Vec<Action>) {
    ui.label(
        egui::RichText::new(format!("From the ledger as of {}", answer.as_of))
            .strong()
            .size(16.0),
    );
    if let Some(layer) = answer.ledger_layer {
        ui.label(
            egui::RichText::new(format!("The ledger points to: {}", layer.label()))
                .color(theme::worse(ui)),
        );
    }
    for line in &answer.ledger_says {
        ui.add(egui::Label::new(format!("• {line}")).wrap());
    }
    if !answer.flags.is_empty() {
        ui.add_space(theme::PAD / 2.0);
        ui.label(egui::RichText::new("Open flags that bear on it").strong());
    }
    for f in &answer.flags {
        ui.add_space(theme::PAD / 2.0);
        egui::Frame::group(ui.style()).show(ui, |ui| {
            ui.set_width(ui.available_width());
            ui.horizontal_wrapped(|ui| super::flags::flag_header_ui(ui, f));
            ui.add(egui::Label::new(egui::RichText::new(&f.message).strong()).wrap());
            ui.add(
                egui::Label::new(egui::RichText::new(&f.diagnosis).color(theme::weak(ui))).wrap(),
            );
            ui.horizontal(|ui| super::flags::card_buttons_ui(ui, &f.id, actions));
        });
    }
    if !answer.last_attempts.is_empty() {
        ui.add_space(theme::PAD / 2.0);
        ui.label(egui::RichText::new("Last top-up attempt").strong());
        for (index, attempt) in answer.last_attempts.iter().enumerate() {
            super::doctor::attempt_ui(ui, attempt, ("explain", index));
        }
    }
}
