//! The balance over time: one line per provider account, markers where credit arrived, where
//! a recharge failed and where a balance read off the billing page anchors it (a checkpoint),
//! the forecast as a dashed line (the domain's projection: down to depletion, or saw-toothing
//! through the simulated auto-recharges), the auto-recharge threshold as a dotted horizontal
//! line for accounts that have one, and the zero line.
//!
//! Days become chart positions (days since 1970) and amounts become floats here, only to place
//! points; hovering a line or a marker shows its name, the day and the exact amount behind the
//! point (empty space shows nothing). The legend stands beside the plot, never over it.

use chrono::{Datelike as _, NaiveDate};
use egui_plot::{HLine, Line, LineStyle, MarkerShape, Plot, PlotPoints, Points};

use super::{Action, format, theme};
use crate::domain::money::{Amount, Currency};
use crate::domain::views::{AccountBalance, DayBounds};

/// The smallest step of the 1-2-5 series (`.., 0.5, 1, 2, 5, 10, 20, ..`) at least `at_least`.
fn nice_step(at_least: f64) -> f64 {
    if at_least.is_nan() || at_least <= 0.0 {
        return 1.0;
    }
    let magnitude = 10_f64.powf(at_least.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * magnitude)
        .find(|step| *step >= at_least)
        .unwrap_or(10.0 * magnitude)
}

/// Amount grid lines in 1-2-5 steps, labelled about every 32 points: `egui_plot`'s default
/// spacer steps only by powers of ten, so a chart peaking near $190 was labelled only $0 and
/// $100. `base_step_size` is the value of the plot's minimum grid spacing (8 points).
fn amount_grid_spacer(input: egui_plot::GridInput) -> Vec<egui_plot::GridMark> {
    let labelled = nice_step(input.base_step_size * 4.0);
    let leading = labelled / 10_f64.powf(labelled.log10().floor());
    let fine = if (leading - 2.0).abs() < 0.5 {
        labelled / 2.0
    } else {
        labelled / 5.0
    };
    egui_plot::uniform_grid_spacer(move |_| [fine, labelled, labelled * 10.0])(input)
}

/// One account's projection after today, as `domain::balance` forecast it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AccountForecast {
    pub provider: String,
    pub organization: String,
    /// The auto-recharge threshold, when the account has one.
    pub threshold: Option<Amount>,
    /// The projected balance at the end of each day after today.
    pub points: Vec<(NaiveDate, Amount)>,
    /// The days a simulated auto-recharge adds credit.
    pub recharges: Vec<NaiveDate>,
}

/// What the balance chart shows.
#[derive(Debug, Clone, PartialEq)]
pub struct BalanceView<'a> {
    /// Borrowed from the views cache: drawn every frame.
    pub accounts: Vec<&'a AccountBalance>,
    /// The projections (an account without one gets a straight line to its depletion day).
    pub forecasts: &'a [AccountForecast],
    /// The days to draw (the filters' date range).
    pub bounds: DayBounds,
    pub today: NaiveDate,
    /// The chart's height in points (it grows with the window).
    pub height: f32,
}

/// Forecast lines stop here at most, so a slow burn does not squash the chart.
const FORECAST_MAX_DAYS: i64 = 45;

fn epoch() -> NaiveDate {
    NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default()
}

#[expect(
    clippy::cast_precision_loss,
    reason = "a day number placed on the chart's x axis"
)]
fn x_of(day: NaiveDate) -> f64 {
    (day - epoch()).num_days() as f64
}

#[expect(
    clippy::cast_possible_truncation,
    reason = "a chart position turned back into a day for its label"
)]
fn day_of(x: f64) -> Option<NaiveDate> {
    epoch().checked_add_signed(chrono::TimeDelta::days(x.round() as i64))
}

/// An amount as a chart height; money code never reads it back.
#[expect(clippy::cast_precision_loss, reason = "chart positions need floats")]
fn y_of(amount: Amount) -> f64 {
    amount.nanos() as f64 / 1e9
}

/// One thing drawn on the balance chart, with the exact amounts behind its points (hover shows
/// those, never a float read back from the chart).
struct Item {
    /// Unique on the chart: the hover label finds the item by it.
    name: String,
    color: egui::Color32,
    shape: ItemShape,
    points: Vec<(NaiveDate, Amount)>,
    currency: Currency,
}

#[derive(Clone, Copy)]
enum ItemShape {
    Balance,
    Forecast,
    CreditAdded,
    RechargeFailed,
    /// The balance the billing page showed (the line passes through it).
    Checkpoint,
    SimulatedRecharge,
    /// A horizontal line at the first point's amount.
    Threshold,
}

/// The hover label of the point `index` of the item named `name`: its name, day and exact
/// amount. Nothing for an unknown item (the cursor over empty space shows nothing).
fn hover_label(items: &[Item], name: &str, index: usize) -> Option<String> {
    let item = items.iter().find(|i| i.name == name)?;
    if matches!(item.shape, ItemShape::Threshold) {
        return Some(item.name.clone());
    }
    let (day, amount) = item.points.get(index)?;
    Some(format!(
        "{}\n{}: {}",
        item.name,
        day.format("%a %b %-d, %Y"),
        format::money_exact(*amount, &item.currency)
    ))
}

/// The day labels of an axis spanning `range` (chart positions): with the year when the range
/// crosses one.
fn day_label(x: f64, range: &std::ops::RangeInclusive<f64>) -> String {
    let crosses_year = match (day_of(*range.start()), day_of(*range.end())) {
        (Some(a), Some(b)) => a.year() != b.year(),
        _ => false,
    };
    day_of(x).map_or_else(String::new, |d| {
        if crosses_year {
            d.format("%b %-d, %Y").to_string()
        } else {
            d.format("%b %-d").to_string()
        }
    })
}

/// The balance chart, its legend beside it (never over the lines).
pub fn balance_ui(ui: &mut egui::Ui, view: &BalanceView<'_>, _actions: &mut [Action]) {
    ui.horizontal_wrapped(|ui| {
        ui.label(egui::RichText::new("Balance over time").strong());
        ui.label(
            egui::RichText::new(
                "prepaid credit per provider account · triangles: credit added · crosses: recharge failed · diamonds: balance the billing page showed · dashed: forecast at the 7-day burn rate · dotted: auto-recharge threshold",
            )
            .small()
            .color(theme::weak(ui)),
        );
    });
    let drawn: Vec<&AccountBalance> = view
        .accounts
        .iter()
        .copied()
        .filter(|a| a.points.iter().any(|(d, _)| view.bounds.contains(*d)))
        .collect();
    if drawn.is_empty() {
        theme::card_frame(ui).show(ui, |ui| {
            ui.set_min_size(egui::vec2(ui.available_width(), 80.0));
            ui.centered_and_justified(|ui| {
                ui.label(
                    egui::RichText::new(
                        "No prepaid balance in this range. Import a provider billing CSV (credit purchases) and its usage export to follow the balance.",
                    )
                    .color(theme::weak(ui)),
                );
            });
        });
        return;
    }
    let currency = drawn.first().map(|a| a.currency).unwrap_or_default();
    let items: Vec<Item> = drawn
        .iter()
        .enumerate()
        .flat_map(|(index, account)| account_items(index, account, view))
        .collect();
    let items = std::sync::Arc::new(items);
    let labels = std::sync::Arc::clone(&items);
    let plot = Plot::new("balance chart")
        .height(view.height)
        .allow_scroll(false)
        .allow_double_click_reset(true)
        .show_crosshair(false)
        .include_y(0.0)
        .y_axis_min_width(56.0)
        .y_grid_spacer(amount_grid_spacer)
        .x_axis_formatter(|mark, range| day_label(mark.value, range))
        .y_axis_formatter(move |mark, _range| {
            format::axis_money(mark.value, mark.step_size, &currency)
        })
        .label_formatter(move |hover| match hover {
            egui_plot::HoverPosition::NearDataPoint {
                plot_name, index, ..
            } => hover_label(&labels, plot_name, *index),
            egui_plot::HoverPosition::Elsewhere { .. } => None,
        });
    ui.horizontal_top(|ui| {
        let plot_width = (ui.available_width() - LEGEND_WIDTH - 2.0 * theme::GAP).max(200.0);
        plot.width(plot_width).show(ui, |plot_ui| {
            plot_ui.hline(
                HLine::new("", 0.0)
                    .color(theme::weak_color())
                    .width(1.0)
                    .allow_hover(false),
            );
            for item in items.iter() {
                add_item(plot_ui, item);
            }
        });
        ui.add_space(theme::GAP);
        legend_ui(ui, &drawn, view);
    });
}

/// Width of the legends beside the charts, in points (the cost chart's and this one's line up).
pub const LEGEND_WIDTH: f32 = 220.0;

/// One line per account (its colour, name and balance today), and its auto-recharge threshold.
fn legend_ui(ui: &mut egui::Ui, drawn: &[&AccountBalance], view: &BalanceView<'_>) {
    ui.vertical(|ui| {
        ui.set_width(LEGEND_WIDTH);
        for (index, account) in drawn.iter().enumerate() {
            ui.horizontal(|ui| {
                let (rect, _) =
                    ui.allocate_exact_size(egui::vec2(12.0, 12.0), egui::Sense::hover());
                ui.painter()
                    .rect_filled(rect, 2.0, theme::series_color(index));
                // The balance first, from the right, then the name in the room left of it: a
                // long account name is cut short (whole on hover) instead of running under it.
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    ui.label(
                        egui::RichText::new(super::figures::balance_value(account)).monospace(),
                    );
                    ui.with_layout(egui::Layout::left_to_right(egui::Align::Center), |ui| {
                        ui.add(egui::Label::new(&account.label).truncate());
                    });
                });
            });
            let threshold = view
                .forecasts
                .iter()
                .find(|f| f.provider == account.provider && f.organization == account.organization)
                .and_then(|f| f.threshold);
            if let Some(threshold) = threshold {
                ui.label(
                    egui::RichText::new(format!(
                        "dotted: auto-recharge below {}",
                        format::money(threshold, &account.currency)
                    ))
                    .small()
                    .color(theme::weak(ui)),
                );
            }
        }
    });
}

fn add_item(plot_ui: &mut egui_plot::PlotUi<'_>, item: &Item) {
    let points: Vec<[f64; 2]> = item
        .points
        .iter()
        .map(|(d, a)| [x_of(*d), y_of(*a)])
        .collect();
    let name = item.name.clone();
    match item.shape {
        ItemShape::Balance => {
            plot_ui.line(
                Line::new(name, PlotPoints::from(points))
                    .color(item.color)
                    .width(2.0),
            );
        }
        ItemShape::Forecast => plot_ui.line(
            Line::new(name, PlotPoints::from(points))
                .color(item.color)
                .style(LineStyle::dashed_loose())
                .width(1.5),
        ),
        ItemShape::CreditAdded => plot_ui.points(
            Points::new(name, points)
                .shape(MarkerShape::Up)
                .radius(6.0)
                .filled(true)
                .color(item.color),
        ),
        ItemShape::RechargeFailed => plot_ui.points(
            Points::new(name, points)
                .shape(MarkerShape::Cross)
                .radius(7.0)
                .color(theme::FAILED),
        ),
        ItemShape::Checkpoint => plot_ui.points(
            Points::new(name, points)
                .shape(MarkerShape::Diamond)
                .radius(6.0)
                .filled(true)
                .color(item.color),
        ),
        ItemShape::SimulatedRecharge => plot_ui.points(
            Points::new(name, points)
                .shape(MarkerShape::Up)
                .radius(5.0)
                .filled(false)
                .color(item.color),
        ),
        ItemShape::Threshold => {
            if let Some([_, y]) = points.first() {
                plot_ui.hline(
                    HLine::new(name, *y)
                        .color(item.color.gamma_multiply(0.8))
                        .style(LineStyle::dotted_dense())
                        .width(1.0),
                );
            }
        }
    }
}

/// One account's line, markers, threshold and forecast.
fn account_items(index: usize, account: &AccountBalance, view: &BalanceView<'_>) -> Vec<Item> {
    let color = theme::series_color(index);
    let item = |suffix: &str, shape, points: Vec<(NaiveDate, Amount)>| Item {
        name: if suffix.is_empty() {
            account.label.clone()
        } else {
            format!("{}: {suffix}", account.label)
        },
        color,
        shape,
        points,
        currency: account.currency,
    };
    let in_range = |points: &[(NaiveDate, Amount)]| -> Vec<(NaiveDate, Amount)> {
        points
            .iter()
            .filter(|(d, _)| view.bounds.contains(*d))
            .copied()
            .collect()
    };
    let balance_on = |day: NaiveDate| {
        account
            .points
            .iter()
            .find(|(d, _)| *d == day)
            .map_or(Amount::ZERO, |p| p.1)
    };
    let mut items = vec![item("", ItemShape::Balance, in_range(&account.points))];
    // Markers sit on the balance line; hover names what arrived or failed and how much.
    let added: Vec<(NaiveDate, Amount)> = in_range(&account.topups);
    if !added.is_empty() {
        let at = added.iter().map(|(d, _)| (*d, balance_on(*d))).collect();
        items.push(item("credit added", ItemShape::CreditAdded, at));
    }
    let failed: Vec<(NaiveDate, Amount)> = in_range(&account.failed);
    if !failed.is_empty() {
        let at = failed.iter().map(|(d, _)| (*d, balance_on(*d))).collect();
        items.push(item("recharge failed", ItemShape::RechargeFailed, at));
    }
    // The page's balance at its own height: the line passes through it exactly.
    let shown = in_range(&account.checkpoints);
    if !shown.is_empty() {
        items.push(item(
            "balance on the billing page",
            ItemShape::Checkpoint,
            shown,
        ));
    }
    let projection = view
        .forecasts
        .iter()
        .find(|f| f.provider == account.provider && f.organization == account.organization);
    if let Some(threshold) = projection.and_then(|f| f.threshold) {
        items.push(item(
            &format!(
                "auto-recharge below {}",
                format::money(threshold, &account.currency)
            ),
            ItemShape::Threshold,
            vec![(view.today, threshold)],
        ));
    }
    let line = match projection {
        Some(f) if !f.points.is_empty() => projected(account, f, view),
        _ => forecast(account, view),
    };
    if let Some(line) = line {
        items.push(item("forecast", ItemShape::Forecast, line));
    }
    if let Some(f) = projection.filter(|f| !f.recharges.is_empty())
        && view.bounds.contains(view.today)
    {
        let last = view.today + chrono::Days::new(FORECAST_MAX_DAYS.unsigned_abs());
        let at: Vec<(NaiveDate, Amount)> = f
            .points
            .iter()
            .filter(|(d, _)| f.recharges.contains(d) && *d <= last)
            .copied()
            .collect();
        if !at.is_empty() {
            items.push(item(
                "simulated auto-recharge",
                ItemShape::SimulatedRecharge,
                at,
            ));
        }
    }
    items
}

/// The domain's projection from today's balance, cut at [`FORECAST_MAX_DAYS`].
fn projected(
    account: &AccountBalance,
    f: &AccountForecast,
    view: &BalanceView<'_>,
) -> Option<Vec<(NaiveDate, Amount)>> {
    if !view.bounds.contains(view.today) {
        return None;
    }
    let last = view.today + chrono::Days::new(FORECAST_MAX_DAYS.unsigned_abs());
    let mut line = vec![(view.today, account.closing)];
    line.extend(f.points.iter().filter(|(d, _)| *d <= last).copied());
    (line.len() > 1).then_some(line)
}

/// From today's balance down to zero on the depletion day (cut at [`FORECAST_MAX_DAYS`], at
/// the balance the straight line reaches that day).
fn forecast(account: &AccountBalance, view: &BalanceView<'_>) -> Option<Vec<(NaiveDate, Amount)>> {
    let depletes = account.depletes_on?;
    if account.closing.is_zero() || depletes <= view.today || !view.bounds.contains(view.today) {
        return None;
    }
    let days = (depletes - view.today).num_days();
    if days <= FORECAST_MAX_DAYS {
        return Some(vec![
            (view.today, account.closing),
            (depletes, Amount::ZERO),
        ]);
    }
    let cut = view.today + chrono::Days::new(FORECAST_MAX_DAYS.unsigned_abs());
    let left = i128::from(account.closing.nanos()) * i128::from(days - FORECAST_MAX_DAYS)
        / i128::from(days);
    let left = Amount::from_nanos(i64::try_from(left).ok()?);
    Some(vec![(view.today, account.closing), (cut, left)])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Regression: hovering empty space showed a made-up "2026-12-10: $522.50" (the cursor's
    /// position). Hover shows a series' point with its name and exact amount, or nothing.
    #[test]
    fn hover_names_the_nearest_point_or_shows_nothing() {
        let day = NaiveDate::from_ymd_opt(2026, 11, 3).unwrap();
        let items = vec![Item {
            name: "openai/Acme".into(),
            color: egui::Color32::WHITE,
            shape: ItemShape::Balance,
            points: vec![(day, Amount::from_nanos(12_345_678_900))],
            currency: Currency::USD,
        }];
        assert_eq!(
            hover_label(&items, "openai/Acme", 0).as_deref(),
            Some("openai/Acme\nTue Nov 3, 2026: $12.35 (exact 12.3456789 USD)")
        );
        assert_eq!(hover_label(&items, "", 0), None);
        assert_eq!(hover_label(&items, "openai/Acme", 7), None);
    }

    #[test]
    fn amount_steps_follow_one_two_five() {
        assert!((nice_step(32.0) - 50.0).abs() < 1e-9);
        assert!((nice_step(11.0) - 20.0).abs() < 1e-9);
        assert!((nice_step(100.0) - 100.0).abs() < 1e-9);
        assert!((nice_step(0.3) - 0.5).abs() < 1e-9);
        assert!((nice_step(0.0) - 1.0).abs() < 1e-9);
    }

    /// Regression: a balance peaking near $190 in about 200 points showed only $0 and $100.
    #[test]
    fn a_balance_near_two_hundred_dollars_is_labelled_every_fifty() {
        let marks = amount_grid_spacer(egui_plot::GridInput {
            bounds: (0.0, 210.0),
            base_step_size: 8.0,
        });
        let labelled: Vec<f64> = marks
            .iter()
            .filter(|m| m.step_size >= 50.0 - 1e-9)
            .map(|m| m.value)
            .collect();
        assert_eq!(labelled, vec![0.0, 50.0, 100.0, 150.0, 200.0]);
    }
}
