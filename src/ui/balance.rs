//! The balance over time: one line per provider account, markers where credit arrived and where
//! a recharge failed, the forecast as a dashed line (the domain's projection: down to depletion,
//! or saw-toothing through the simulated auto-recharges), the auto-recharge threshold as a dotted
//! horizontal line for accounts that have one, and the zero line.
//!
//! Days become chart positions (days since 1970) and amounts become floats here, only to place
//! points; hover labels show the exact day and the amount rounded to cents.

use chrono::NaiveDate;
use egui_plot::{HLine, Legend, Line, LineStyle, MarkerShape, Plot, PlotPoints, Points};

use super::{Action, format, theme};
use crate::domain::money::Amount;
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
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BalanceView {
    pub accounts: Vec<AccountBalance>,
    /// The projections (an account without one gets a straight line to its depletion day).
    pub forecasts: Vec<AccountForecast>,
    /// The days to draw (the filters' date range).
    pub bounds: DayBounds,
    pub today: NaiveDate,
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

fn clipped(points: &[(NaiveDate, Amount)], bounds: DayBounds) -> Vec<[f64; 2]> {
    points
        .iter()
        .filter(|(d, _)| bounds.contains(*d))
        .map(|(d, a)| [x_of(*d), y_of(*a)])
        .collect()
}

/// The balance chart.
pub fn balance_ui(ui: &mut egui::Ui, view: &BalanceView, _actions: &mut [Action]) {
    ui.horizontal(|ui| {
        ui.label(egui::RichText::new("Balance over time").strong());
        ui.label(
            egui::RichText::new(
                "prepaid credit per provider account · triangles: credit added · crosses: recharge failed · dashed: forecast at the 7-day burn rate · dotted: auto-recharge threshold",
            )
            .small()
            .color(theme::weak(ui)),
        );
    });
    let drawn: Vec<&AccountBalance> = view
        .accounts
        .iter()
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
    let money_currency = currency;
    let plot = Plot::new("balance chart")
        .height(theme::BALANCE_HEIGHT)
        .allow_scroll(false)
        .allow_double_click_reset(true)
        .include_y(0.0)
        .y_axis_min_width(48.0)
        .y_grid_spacer(amount_grid_spacer)
        .legend(Legend::default().position(egui_plot::Corner::LeftTop))
        .x_axis_formatter(|mark, _range| {
            day_of(mark.value).map_or_else(String::new, |d| d.format("%b %-d").to_string())
        })
        .y_axis_formatter(move |mark, _range| {
            let symbol = if currency == "USD" { "$" } else { "" };
            format!("{symbol}{}", mark.value)
        })
        .label_formatter(move |hover| {
            let (name, point) = match hover {
                egui_plot::HoverPosition::NearDataPoint {
                    plot_name,
                    position,
                    ..
                } => (*plot_name, *position),
                egui_plot::HoverPosition::Elsewhere { position } => ("", *position),
            };
            let day = day_of(point.x).map(|d| d.to_string()).unwrap_or_default();
            #[expect(
                clippy::cast_possible_truncation,
                reason = "a hover label rounded to cents"
            )]
            let cents = (point.y * 100.0).round() as i64;
            let amount = Amount::from_cents(cents).unwrap_or_default();
            let head = if name.is_empty() {
                String::new()
            } else {
                format!("{name}\n")
            };
            Some(format!(
                "{head}{day}: {}",
                format::money(amount, &money_currency)
            ))
        });
    plot.show(ui, |plot_ui| {
        plot_ui.hline(HLine::new("", 0.0).color(theme::weak_color()).width(1.0));
        for (index, account) in drawn.iter().enumerate() {
            account_items(plot_ui, index, account, view);
        }
    });
}

/// One account's line, markers and forecast.
fn account_items(
    plot_ui: &mut egui_plot::PlotUi<'_>,
    index: usize,
    account: &AccountBalance,
    view: &BalanceView,
) {
    let color = theme::series_color(index);
    let points = clipped(&account.points, view.bounds);
    plot_ui.line(
        Line::new(account.label.clone(), PlotPoints::from(points))
            .color(color)
            .width(2.0),
    );
    let topups = clipped(&account.topups, view.bounds);
    let topup_at: Vec<[f64; 2]> = topups
        .iter()
        .filter_map(|[x, _]| {
            let day = day_of(*x)?;
            let balance = account.points.iter().find(|(d, _)| *d == day)?.1;
            Some([*x, y_of(balance)])
        })
        .collect();
    if !topup_at.is_empty() {
        plot_ui.points(
            Points::new("", topup_at)
                .shape(MarkerShape::Up)
                .radius(6.0)
                .filled(true)
                .color(color),
        );
    }
    let failed: Vec<[f64; 2]> = clipped(&account.failed, view.bounds)
        .iter()
        .filter_map(|[x, _]| {
            let day = day_of(*x)?;
            let balance = account
                .points
                .iter()
                .find(|(d, _)| *d == day)
                .map_or(Amount::ZERO, |p| p.1);
            Some([*x, y_of(balance)])
        })
        .collect();
    if !failed.is_empty() {
        plot_ui.points(
            Points::new("", failed)
                .shape(MarkerShape::Cross)
                .radius(7.0)
                .color(theme::FAILED),
        );
    }
    let projection = view
        .forecasts
        .iter()
        .find(|f| f.provider == account.provider && f.organization == account.organization);
    if let Some(threshold) = projection.and_then(|f| f.threshold) {
        plot_ui.hline(
            HLine::new(
                format!(
                    "{}: auto-recharge below {}",
                    account.label,
                    format::money(threshold, &account.currency)
                ),
                y_of(threshold),
            )
            .color(color.gamma_multiply(0.8))
            .style(LineStyle::dotted_dense())
            .width(1.0),
        );
    }
    let line = match projection {
        Some(f) if !f.points.is_empty() => projected(account, f, view),
        _ => forecast(account, view),
    };
    if let Some(line) = line {
        plot_ui.line(
            Line::new("", PlotPoints::from(line))
                .color(color)
                .style(LineStyle::dashed_loose())
                .width(1.5),
        );
    }
    if let Some(f) = projection.filter(|f| !f.recharges.is_empty())
        && view.bounds.contains(view.today)
    {
        let last = view.today + chrono::Days::new(FORECAST_MAX_DAYS.unsigned_abs());
        let at: Vec<[f64; 2]> = f
            .points
            .iter()
            .filter(|(d, _)| f.recharges.contains(d) && *d <= last)
            .map(|(d, a)| [x_of(*d), y_of(*a)])
            .collect();
        plot_ui.points(
            Points::new("", at)
                .shape(MarkerShape::Up)
                .radius(5.0)
                .filled(false)
                .color(color),
        );
    }
}

/// The domain's projection from today's balance, cut at [`FORECAST_MAX_DAYS`].
fn projected(
    account: &AccountBalance,
    f: &AccountForecast,
    view: &BalanceView,
) -> Option<Vec<[f64; 2]>> {
    if !view.bounds.contains(view.today) {
        return None;
    }
    let last = view.today + chrono::Days::new(FORECAST_MAX_DAYS.unsigned_abs());
    let mut line = vec![[x_of(view.today), y_of(account.closing)]];
    line.extend(
        f.points
            .iter()
            .filter(|(d, _)| *d <= last)
            .map(|(d, a)| [x_of(*d), y_of(*a)]),
    );
    (line.len() > 1).then_some(line)
}

/// From today's balance down to zero on the depletion day (cut at [`FORECAST_MAX_DAYS`]).
fn forecast(account: &AccountBalance, view: &BalanceView) -> Option<Vec<[f64; 2]>> {
    let depletes = account.depletes_on?;
    if account.closing.is_zero() || depletes <= view.today || !view.bounds.contains(view.today) {
        return None;
    }
    let days = (depletes - view.today).num_days();
    let start = y_of(account.closing);
    if days <= FORECAST_MAX_DAYS {
        return Some(vec![[x_of(view.today), start], [x_of(depletes), 0.0]]);
    }
    let cut = view.today + chrono::Days::new(FORECAST_MAX_DAYS.unsigned_abs());
    #[expect(clippy::cast_precision_loss, reason = "a chart position")]
    let left = start * (1.0 - FORECAST_MAX_DAYS as f64 / days as f64);
    Some(vec![[x_of(view.today), start], [x_of(cut), left]])
}

#[cfg(test)]
mod tests {
    use super::*;

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
