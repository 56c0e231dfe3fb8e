//! The stacked bar chart of usage cost by project or model, per day, week or month.
//!
//! Bars are stacked by computing each layer's base from the layers below it; hovering a bar
//! shows the group, the bucket and the exact amount; clicking one narrows the ledger tables to
//! its records. Amounts become floats here only to place bars on the chart.
//!
//! Clicking a legend entry pushes [`Action::ToggleSeries`]: a hidden series stays in the legend,
//! greyed and struck through, and is left out of the bars (the stack is recomputed without it).
//! Each series keeps its colour whether or not the others are hidden.
//!
//! "Export chart as PNG" pushes [`Action::ExportChart`]; the chart's screen rectangle (plot and
//! legend) is kept in egui's memory under [`chart_rect_id`] each frame, so the app can crop the
//! window's screenshot to it.

use std::collections::BTreeSet;

use egui_plot::{Bar, BarChart, Plot};

use crate::domain::money::Amount;

use chrono::{Datelike as _, NaiveDate};

use super::balance::LEGEND_WIDTH;
use super::{Action, format, theme};
use crate::domain::views::{
    Bucket, CostSeries, DayBounds, Filters, Focus, SeriesGroup, next_bucket,
};

/// What the chart shows.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartView {
    /// Shared with the views cache: drawn every frame, built once per change.
    pub series: std::sync::Arc<CostSeries>,
    pub group: SeriesGroup,
    pub bucket: Bucket,
    /// The series left out of the bars (shown greyed in the legend).
    pub hidden: BTreeSet<String>,
    /// Reset zoom and pan this frame.
    pub reset: bool,
    /// The days the filters cover: a bucket cut by them is marked partial.
    pub bounds: DayBounds,
    /// The plot's height in points (it grows with the window).
    pub height: f32,
    /// The filters with every date let through, when the range leaves some out: an empty
    /// chart offers them ("Show all dates"), since files from months ago are usual in a first
    /// import and "Last 90 days" would show nothing of them.
    pub all_dates: Option<Filters>,
}

/// The empty chart's button that lets every date through.
pub const SHOW_ALL_DATES: &str = "Show all dates";

/// Buckets the x axis shows at the least, so one day of data is a bar, not a wall.
const MIN_BUCKETS_SHOWN: f64 = 7.0;

/// The days of the bucket starting `start` that the filters cover, when that is not all of
/// them (a month under way, a range starting mid-week).
fn partial_days(
    start: NaiveDate,
    bucket: Bucket,
    bounds: DayBounds,
) -> Option<(NaiveDate, NaiveDate)> {
    let end = next_bucket(start, bucket)
        .and_then(|d| d.pred_opt())
        .unwrap_or(start);
    let from = start.max(bounds.from);
    let to = end.min(bounds.to);
    ((from, to) != (start, end) && from <= to).then_some((from, to))
}

/// The axis label of a bucket: with the year when the chart crosses one; a month the filters
/// cut is marked with the days it covers (`Nov 1–20, 2026`).
fn bucket_label(day: NaiveDate, bucket: Bucket, with_year: bool, bounds: DayBounds) -> String {
    match bucket {
        Bucket::Day if with_year => day.format("%b %-d, %Y").to_string(),
        Bucket::Day => day.format("%b %-d").to_string(),
        Bucket::Week if with_year => format!("wk {}", day.format("%b %-d, %Y")),
        Bucket::Week => format!("wk {}", day.format("%b %-d")),
        Bucket::Month => match partial_days(day, bucket, bounds) {
            Some((from, to)) => format!(
                "{} {}–{}, {} (partial)",
                day.format("%b"),
                from.day(),
                to.day(),
                day.year()
            ),
            None => day.format("%b %Y").to_string(),
        },
    }
}

/// The bucket labels of `series`, as the axis and the hover texts write them.
fn bucket_labels(view: &ChartView) -> Vec<String> {
    let buckets = &view.series.buckets;
    let with_year = match (buckets.first(), buckets.last()) {
        (Some(a), Some(b)) => a.year() != b.year(),
        _ => false,
    };
    buckets
        .iter()
        .map(|d| bucket_label(*d, view.bucket, with_year, view.bounds))
        .collect()
}

/// Where the chart's last drawn rectangle (in points) is kept in egui's memory.
pub fn chart_rect_id() -> egui::Id {
    egui::Id::unique("cost chart rect")
}

/// The toggles above the chart.
fn controls_ui(ui: &mut egui::Ui, view: &ChartView, actions: &mut Vec<Action>) {
    ui.horizontal(|ui| {
        ui.label(egui::RichText::new("Usage cost").strong());
        ui.separator();
        for (group, label) in [
            (SeriesGroup::Project, "Cost by project"),
            (SeriesGroup::Model, "Cost by model"),
        ] {
            if ui.selectable_label(view.group == group, label).clicked() && view.group != group {
                actions.push(Action::SetGroup(group));
            }
        }
        ui.separator();
        for (bucket, label) in [
            (Bucket::Day, "Day"),
            (Bucket::Week, "Week"),
            (Bucket::Month, "Month"),
        ] {
            if ui.selectable_label(view.bucket == bucket, label).clicked() && view.bucket != bucket
            {
                actions.push(Action::SetBucket(bucket));
            }
        }
        ui.separator();
        if ui
            .button("Export chart as PNG")
            .on_hover_text("Save the chart as it is drawn now as a PNG image")
            .clicked()
        {
            actions.push(Action::ExportChart(None));
        }
        if ui
            .button("Reset view")
            .on_hover_text("Undo zoom and pan (or double-click the chart)")
            .clicked()
        {
            actions.push(Action::ResetChart);
        }
        if !view.series.other_currencies.is_empty() {
            ui.label(
                egui::RichText::new(format!(
                    "in {}; usage in {} is not charted",
                    view.series.currency,
                    view.series
                        .other_currencies
                        .iter()
                        .map(super::super::domain::money::Currency::as_str)
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
                .small()
                .color(theme::weak(ui)),
            );
        }
    });
}

/// One bar chart per shown series, each stacked on the shown ones before it.
fn stacked_bars(view: &ChartView, labels: &[String]) -> Vec<BarChart> {
    let series = &view.series;
    let hidden = &view.hidden;
    let currency = series.currency.as_str();
    let mut base = vec![0.0_f64; series.buckets.len()];
    let mut charts = Vec::with_capacity(series.series.len());
    for (index, layer) in series.series.iter().enumerate() {
        if hidden.contains(&layer.name) {
            continue;
        }
        let color = theme::series_color(index);
        let bars: Vec<Bar> = layer
            .values
            .iter()
            .enumerate()
            .filter(|(_, amount)| !amount.is_zero())
            .filter_map(|(i, amount)| {
                let height = chart_height(*amount);
                let offset = base.get_mut(i)?;
                let label = labels.get(i).map_or("", String::as_str);
                let text = format!(
                    "{}\n{label}: {}",
                    layer.name,
                    format::money_exact(*amount, currency)
                );
                // A bucket the filters cut (a month under way) is drawn paler.
                let partial = view.bucket == Bucket::Month
                    && series
                        .buckets
                        .get(i)
                        .is_some_and(|d| partial_days(*d, view.bucket, view.bounds).is_some());
                let fill = if partial {
                    color.gamma_multiply(0.55)
                } else {
                    color
                };
                #[expect(
                    clippy::cast_precision_loss,
                    reason = "a bucket index placed on the chart's x axis"
                )]
                let x = i as f64;
                let bar = Bar::new(x, height)
                    .base_offset(*offset)
                    .name(text)
                    .fill(fill)
                    .width(0.8);
                *offset += height;
                Some(bar)
            })
            .collect();
        charts.push(
            BarChart::new(layer.name.clone(), bars)
                .color(color)
                .element_formatter(Box::new(|bar: &Bar, _chart: &BarChart| bar.name.clone())),
        );
    }
    charts
}

/// The chart with its toggles.
pub fn chart_ui(ui: &mut egui::Ui, view: &ChartView, actions: &mut Vec<Action>) {
    controls_ui(ui, view, actions);
    let series = &view.series;
    if series.series.is_empty() {
        let (first, last) = (series.buckets.first(), series.buckets.last());
        let range = match (first, last) {
            (Some(f), Some(l)) => format!(" between {f} and {l}"),
            _ => String::new(),
        };
        theme::card_frame(ui).show(ui, |ui| {
            ui.set_min_size(egui::vec2(ui.available_width(), theme::CHART_HEIGHT / 2.0));
            ui.vertical_centered(|ui| {
                ui.add_space(theme::CHART_HEIGHT / 6.0);
                ui.label(
                    egui::RichText::new(format!(
                        "No usage cost{range} with these filters. Import a usage or cost export (OpenAI, Anthropic, Cursor, Copilot, OpenRouter, a cloud bill), or widen the date range."
                    ))
                    .color(theme::weak(ui)),
                );
                if let Some(all) = &view.all_dates
                    && ui.button(SHOW_ALL_DATES).clicked()
                {
                    actions.push(Action::SetFilters(all.clone()));
                }
            });
        });
        return;
    }
    let labels = bucket_labels(view);
    let currency = series.currency;
    let charts = stacked_bars(view, &labels);
    #[expect(
        clippy::cast_precision_loss,
        reason = "a bucket count placed on the chart's x axis"
    )]
    let count = series.buckets.len() as f64;
    // At least a week's worth of room around the bars, centred: one day of data is one bar.
    let middle = (count - 1.0) / 2.0;
    let half = (count.max(MIN_BUCKETS_SHOWN)) / 2.0;
    let mut plot = Plot::new("cost chart")
        .height(view.height)
        .allow_scroll(false)
        .allow_double_click_reset(true)
        .show_crosshair(false)
        // Hovering a bar shows its series, bucket and exact amount; empty space shows nothing.
        .label_formatter(|_| None)
        .include_y(0.0)
        .include_x(middle - half)
        .include_x(middle + half)
        .y_axis_min_width(56.0)
        .x_axis_formatter(move |mark, _range| {
            let rounded = mark.value.round();
            if (mark.value - rounded).abs() > 1e-6 || rounded < 0.0 {
                return String::new();
            }
            #[expect(
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss,
                reason = "a whole, non-negative bucket index"
            )]
            let index = rounded as usize;
            labels.get(index).cloned().unwrap_or_default()
        })
        .y_axis_formatter(move |mark, _range| {
            format::axis_money(mark.value, mark.step_size, &currency)
        });
    if view.reset {
        plot = plot.reset();
    }
    let drawn = ui.horizontal_top(|ui| {
        // Leave room for the legend and the dashboard's scroll bar.
        let plot_width = (ui.available_width() - LEGEND_WIDTH - 2.0 * theme::GAP).max(200.0);
        let clicked = plot.width(plot_width).show(ui, |plot_ui| {
            for chart in charts {
                plot_ui.bar_chart(chart);
            }
            let clicked = plot_ui.response().clicked();
            plot_ui.pointer_coordinate().filter(|_| clicked)
        });
        if let Some(point) = clicked.inner
            && let Some(focus) = focus_at(view, point.x, point.y)
        {
            actions.push(Action::FocusOn(focus));
        }
        ui.add_space(theme::GAP);
        legend_ui(ui, series, &view.hidden, actions);
    });
    let rect = drawn.response.rect.intersect(ui.clip_rect());
    ui.ctx().data_mut(|d| d.insert_temp(chart_rect_id(), rect));
}

/// The records of the bar under a click at chart position (`x`, `y`), if any.
fn focus_at(view: &ChartView, x: f64, y: f64) -> Option<Focus> {
    let rounded = x.round();
    if (x - rounded).abs() > 0.4 || rounded < 0.0 || y < 0.0 {
        return None;
    }
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "a whole, non-negative bucket index"
    )]
    let index = rounded as usize;
    let start = *view.series.buckets.get(index)?;
    let label = bucket_labels(view).get(index).cloned().unwrap_or_default();
    let mut top = 0.0;
    let layer = view
        .series
        .series
        .iter()
        .filter(|layer| !view.hidden.contains(&layer.name))
        .find(|layer| {
            top += layer.values.get(index).map_or(0.0, |a| chart_height(*a));
            y <= top
        })?;
    let end = next_bucket(start, view.bucket)
        .and_then(|d| d.pred_opt())
        .unwrap_or(start);
    let (project, model) = match view.group {
        SeriesGroup::Project => (Some(layer.name.clone()), None),
        SeriesGroup::Model => (None, Some(layer.name.clone())),
    };
    Some(Focus {
        label: format!("{}, {label}", layer.name),
        from: Some(start),
        to: Some(end),
        project,
        model,
        records: None,
    })
}

/// The legend: one line per series with its colour and its total over the chart's range. Each
/// line is a toggle (a checkbox to assistive technology, named after its series).
fn legend_ui(
    ui: &mut egui::Ui,
    series: &CostSeries,
    hidden: &BTreeSet<String>,
    actions: &mut Vec<Action>,
) {
    ui.vertical(|ui| {
        ui.set_width(LEGEND_WIDTH);
        let (first, last) = (series.buckets.first(), series.buckets.last());
        if let (Some(f), Some(l)) = (first, last) {
            // The filter's range can start before the ledger's first cost: say that these are
            // the days with data, so they are not read as a second, different date filter.
            ui.label(
                egui::RichText::new(format!(
                    "data {} – {}",
                    f.format("%b %-d"),
                    l.format("%b %-d, %Y")
                ))
                .small()
                .color(theme::weak(ui)),
            )
            .on_hover_text(
                "The days of the date filter that have usage cost; the totals below add up these days.",
            );
        }
        for (index, layer) in series.series.iter().enumerate() {
            let shown = !hidden.contains(&layer.name);
            let total = crate::domain::money::checked_sum(layer.values.iter().copied());
            let clicked = ui
                .horizontal(|ui| {
                    let weak = theme::weak(ui);
                    let (rect, swatch) =
                        ui.allocate_exact_size(egui::vec2(12.0, 12.0), egui::Sense::click());
                    if shown {
                        ui.painter()
                            .rect_filled(rect, 2.0, theme::series_color(index));
                    } else {
                        ui.painter().rect_stroke(
                            rect,
                            2.0,
                            egui::Stroke::new(1.0, weak),
                            egui::StrokeKind::Inside,
                        );
                    }
                    let mut name = egui::RichText::new(&layer.name);
                    if !shown {
                        name = name.color(weak).strikethrough();
                    }
                    let text = total.map_or_else(
                        || "too large".to_string(),
                        |t| format::money(t, &series.currency),
                    );
                    let mut text = egui::RichText::new(text).monospace();
                    if !shown {
                        text = text.color(weak);
                    }
                    // The total first, from the right, then the name in the room left of it: a
                    // long project name is cut short (whole on hover) instead of running under it.
                    let (amount, label) = ui
                        .with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                            let amount = ui.add(egui::Label::new(text).sense(egui::Sense::click()));
                            let label = ui
                                .with_layout(egui::Layout::left_to_right(egui::Align::Center), |ui| {
                                    ui.add(
                                        egui::Label::new(name)
                                            .truncate()
                                            .sense(egui::Sense::click()),
                                    )
                                })
                                .inner
                                .on_hover_text(if shown {
                                    "Click to hide this series from the chart"
                                } else {
                                    "Click to show this series again"
                                });
                            (amount, label)
                        })
                        .inner;
                    label.widget_info(|| {
                        egui::WidgetInfo::selected(egui::Role::CheckBox, true, shown, &layer.name)
                    });
                    let clicked = swatch.clicked() || label.clicked() || amount.clicked();
                    if swatch.hovered() || label.hovered() || amount.hovered() {
                        ui.ctx().set_cursor_icon(egui::CursorIcon::PointingHand);
                    }
                    clicked
                })
                .inner;
            if clicked {
                actions.push(Action::ToggleSeries(layer.name.clone()));
            }
        }
    });
}

/// An amount as a bar height. The only place money becomes a float: charts place points, they
/// never add them up.
#[expect(
    clippy::cast_precision_loss,
    reason = "bar heights need floats; money code never reads them back"
)]
fn chart_height(amount: Amount) -> f64 {
    amount.nanos() as f64 / 1e9
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn a_month_the_range_cuts_is_marked_partial() {
        let bounds = DayBounds {
            from: day(2026, 8, 23),
            to: day(2026, 11, 20),
        };
        let label = |d| bucket_label(d, Bucket::Month, false, bounds);
        assert_eq!(label(day(2026, 8, 1)), "Aug 23–31, 2026 (partial)");
        assert_eq!(label(day(2026, 10, 1)), "Oct 2026");
        assert_eq!(label(day(2026, 11, 1)), "Nov 1–20, 2026 (partial)");
    }

    #[test]
    fn day_labels_carry_the_year_when_the_chart_crosses_one() {
        let bounds = DayBounds::all();
        assert_eq!(
            bucket_label(day(2026, 12, 30), Bucket::Day, false, bounds),
            "Dec 30"
        );
        assert_eq!(
            bucket_label(day(2027, 1, 2), Bucket::Day, true, bounds),
            "Jan 2, 2027"
        );
        assert_eq!(
            bucket_label(day(2027, 1, 4), Bucket::Week, true, bounds),
            "wk Jan 4, 2027"
        );
    }
}
