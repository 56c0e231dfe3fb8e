//! The filter bar: date range (presets or a custom range with date pickers), provider, account,
//! project and model. Filters apply to every view; the bar also shows what the tables are
//! focused on after a click on a bar or a flag.

use chrono::NaiveDate;

use super::{Action, theme};
use crate::domain::views::{DateRange, DayBounds, FilterOptions, Filters};

/// What the filter bar shows.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FiltersView {
    pub filters: Filters,
    pub options: FilterOptions,
    /// The days the range covers today.
    pub bounds: Option<DayBounds>,
}

/// One filter as a combo box with "All" first; an empty value is "All".
fn choice_ui(
    ui: &mut egui::Ui,
    label: &str,
    current: &str,
    options: &[(String, String)],
) -> Option<String> {
    let mut picked = None;
    let shown = if current.is_empty() {
        "All".to_string()
    } else {
        options
            .iter()
            .find(|(value, _)| value == current)
            .map_or_else(|| current.to_string(), |(_, text)| text.clone())
    };
    ui.label(label);
    let combo = egui::ComboBox::from_id_salt(label)
        .selected_text(shown)
        .width(130.0)
        .height(400.0)
        .show_ui(ui, |ui| {
            if ui.selectable_label(current.is_empty(), "All").clicked() {
                picked = Some(String::new());
            }
            for (value, text) in options {
                if ui.selectable_label(current == value, text).clicked() {
                    picked = Some(value.clone());
                }
            }
        });
    combo
        .response
        .widget_info(|| egui::WidgetInfo::labeled(egui::Role::ComboBox, true, label));
    picked.filter(|p| p != current)
}

fn plain(values: &[String]) -> Vec<(String, String)> {
    values.iter().map(|v| (v.clone(), v.clone())).collect()
}

/// A date picker for one end of a custom range.
fn date_ui(ui: &mut egui::Ui, salt: &str, day: NaiveDate) -> Option<NaiveDate> {
    // egui_extras' picker edits its own date type; go through the ISO text both ways.
    let mut date = day.to_string().parse().unwrap_or_default();
    ui.add(egui_extras::DatePickerButton::new(&mut date).id_salt(salt));
    let picked = NaiveDate::parse_from_str(&date.to_string(), "%Y-%m-%d").ok()?;
    (picked != day).then_some(picked)
}

/// The filter bar.
pub fn filters_ui(ui: &mut egui::Ui, view: &FiltersView, actions: &mut Vec<Action>) {
    let f = &view.filters;
    let mut next = f.clone();
    ui.horizontal_wrapped(|ui| {
        ui.label("Dates");
        let combo = egui::ComboBox::from_id_salt("date range")
            .selected_text(f.range.label())
            .show_ui(ui, |ui| {
                for range in DateRange::ALL {
                    ui.selectable_value(&mut next.range, range, range.label());
                }
            });
        combo
            .response
            .widget_info(|| egui::WidgetInfo::labeled(egui::Role::ComboBox, true, "Dates"));
        if next.range == DateRange::Custom && f.range != DateRange::Custom {
            // Start the custom range where the preset was.
            if let Some(b) = view.bounds {
                next.custom_from = Some(b.from.to_string());
                next.custom_to = Some(b.to.to_string());
            }
        } else if next.range == DateRange::Custom {
            let bounds = view.bounds.unwrap_or_else(DayBounds::all);
            if let Some(d) = date_ui(ui, "from day", bounds.from) {
                next.custom_from = Some(d.to_string());
            }
            ui.label("to");
            if let Some(d) = date_ui(ui, "to day", bounds.to) {
                next.custom_to = Some(d.to_string());
            }
        } else if let Some(b) = view.bounds.filter(|_| f.range != DateRange::All) {
            ui.label(
                egui::RichText::new(format!(
                    "{} – {}",
                    b.from.format("%b %-d"),
                    b.to.format("%b %-d, %Y")
                ))
                .small()
                .color(theme::weak(ui)),
            );
        }
        ui.separator();
        if let Some(p) = choice_ui(ui, "Provider", &f.provider, &plain(&view.options.providers)) {
            next.provider = p;
            next.account.clear();
        }
        let accounts: Vec<(String, String)> = view
            .options
            .accounts
            .iter()
            .filter(|(p, _)| f.provider.is_empty() || *p == f.provider)
            .filter(|(_, o)| !o.is_empty())
            .map(|(p, o)| (o.clone(), format!("{p} · {o}")))
            .collect();
        if let Some(a) = choice_ui(ui, "Account", &f.account, &accounts) {
            if let Some((p, _)) = view.options.accounts.iter().find(|(_, o)| *o == a) {
                next.provider.clone_from(p);
            }
            next.account = a;
        }
        if let Some(p) = choice_ui(ui, "Project", &f.project, &plain(&view.options.projects)) {
            next.project = p;
        }
        if let Some(m) = choice_ui(ui, "Model", &f.model, &plain(&view.options.models)) {
            next.model = m;
        }
        if f.narrows() && ui.button("Clear filters").clicked() {
            next = Filters {
                range: f.range,
                custom_from: f.custom_from.clone(),
                custom_to: f.custom_to.clone(),
                ..Filters::default()
            };
        }
    });
    if next != *f {
        actions.push(Action::SetFilters(next));
    }
}
