//! The strip of key figures: this month's usage against last month's, the all-in month (API
//! usage plus subscriptions plus other AI charges), usage in the filtered range, the balance of
//! each provider account with its burn rate and days of credit left, open flags. (Money paid per
//! month is in `burnrate report --what paid`; cards wrap to the window's width.)
//!
//! A balance the ledger cannot know exactly says so: "balance unknown" before any credit is
//! known, "at least $X" while the history starts with usage before any known credit. Every
//! balance card offers "Enter the balance your billing page shows": the amount becomes a
//! checkpoint dated today that anchors the balance.

use chrono::NaiveDate;

use super::{Action, LedgerCommand, View, format, theme};
use crate::domain::all_in::AllIn;
use crate::domain::balance::AccountKey;
use crate::domain::money::{Amount, DecimalMark, Money};
use crate::domain::views::{AccountBalance, KeyFigures, Totals};

/// The label of the button that opens a balance card's entry.
pub const ENTER_BALANCE: &str = "Enter the balance your billing page shows";

/// What the figures strip shows.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FiguresView<'a> {
    pub figures: KeyFigures,
    /// Usage cost in the filters' range.
    pub usage_in_range: Totals,
    /// "Last 90 days", "Nov 1 – Nov 20".
    pub range_label: String,
    /// The day checkpoints entered here are dated.
    pub today: NaiveDate,
    /// Everything AI cost this month: API usage, subscriptions, other AI charges.
    pub all_in: Option<AllIn>,
    /// The balances of the accounts the filters let through (borrowed: drawn every frame).
    pub balances: Vec<&'a AccountBalance>,
    pub open_flags: usize,
    pub critical_flags: usize,
}

fn totals_text(totals: &[Money]) -> String {
    if totals.is_empty() {
        return format::money(crate::domain::money::Amount::ZERO, "USD");
    }
    totals
        .iter()
        .map(|m| format::money(m.amount, &m.currency))
        .collect::<Vec<_>>()
        .join(" + ")
}

/// The change from `before` to `now` in whole percent, when both are in one and the same
/// currency and `before` is not zero.
fn percent_change(now: &[Money], before: &[Money]) -> Option<i128> {
    let ([now], [before]) = (now, before) else {
        return None;
    };
    if now.currency != before.currency || before.amount.is_zero() {
        return None;
    }
    let (n, b) = (
        i128::from(now.amount.nanos()),
        i128::from(before.amount.nanos()),
    );
    let scaled = (n - b) * 200 / b;
    // Half away from zero, in integers.
    Some(i128::midpoint(scaled, scaled.signum()))
}

/// Where the next card goes: cards are wrapped by hand, because a wrapping layout cannot know
/// a frame's width before drawing it (and an overflowing row widens the whole dashboard).
struct Slot {
    index: usize,
    per_row: usize,
}

fn card(
    ui: &mut egui::Ui,
    slot: &mut Slot,
    title: &str,
    value: &str,
    caption: impl FnOnce(&mut egui::Ui),
) {
    card_with_hover(ui, slot, (title, title), value, caption);
}

/// A card whose title is short on screen and whole on hover (`hover_title`): a provider
/// account's "Balance openai" over "Northwind Labs" in small type, with
/// "Balance openai/Northwind Labs" on hover.
fn card_with_hover(
    ui: &mut egui::Ui,
    slot: &mut Slot,
    (title, hover_title): (&str, &str),
    value: &str,
    caption: impl FnOnce(&mut egui::Ui),
) {
    if slot.index > 0 && slot.index.is_multiple_of(slot.per_row) {
        ui.end_row();
    }
    slot.index += 1;
    theme::card_frame(ui).show(ui, |ui| {
        ui.set_width(theme::CARD_WIDTH - 2.0 * theme::PAD);
        ui.vertical(|ui| {
            let mut lines = title.lines();
            let head = lines.next().unwrap_or_default();
            ui.add(egui::Label::new(egui::RichText::new(head).color(theme::weak(ui))).truncate())
                .on_hover_text(hover_title);
            for line in lines {
                ui.add(
                    egui::Label::new(egui::RichText::new(line).small().color(theme::weak(ui)))
                        .truncate(),
                )
                .on_hover_text(hover_title);
            }
            ui.add(egui::Label::new(egui::RichText::new(value).size(22.0).strong()).truncate())
                .on_hover_text(value);
            caption(ui);
        });
    });
}

fn caption(ui: &mut egui::Ui, text: &str) {
    ui.add(egui::Label::new(egui::RichText::new(text).small().color(theme::weak(ui))).truncate())
        .on_hover_text(text);
}

/// What a balance card says under the amount: the burn rate and the days of credit left. With
/// no recent usage the balance never runs out by use, so a forecast day can only be the credit's
/// expiry, and is named as such.
pub fn balance_caption(b: &AccountBalance) -> String {
    let inferred = if b.inferred { " · inferred" } else { "" };
    if !b.known {
        return "usage, but no credit is known".to_string();
    }
    if b.lower_bound && b.closing.is_zero() {
        return format!(
            "burn {}/day · the history starts before its first credit",
            format::money(b.burn_per_day, &b.currency)
        );
    }
    if b.closing.is_zero() {
        return format!(
            "burn {}/day · no credit left{inferred}",
            format::money(b.burn_per_day, &b.currency)
        );
    }
    if b.burn_per_day.is_zero() {
        let expiry = match b.days_left {
            Some(1) => " · credit expires in 1 day".to_string(),
            Some(d) => format!(" · credit expires in {d} days"),
            None => String::new(),
        };
        return format!("no recent usage{expiry}{inferred}");
    }
    let left = match b.days_left {
        Some(d) if b.lower_bound => format!("at least {d} days left"),
        Some(d) => format!("{d} days left"),
        None => "no run-out forecast".to_string(),
    };
    format!(
        "burn {}/day · {left}{inferred}",
        format::money(b.burn_per_day, &b.currency)
    )
}

/// Where the balance stands on, when the billing page's balance was entered: "billing page:
/// $100.00 on Oct 20" (the latest).
pub fn checkpoint_caption(b: &AccountBalance) -> Option<String> {
    let (day, shown) = b.checkpoints.last()?;
    Some(format!(
        "billing page: {} on {}",
        format::money(*shown, &b.currency),
        day.format("%b %-d")
    ))
}

/// The card's "billing page showed ..." line with a button that removes that balance (entered
/// on the wrong account, or no longer wanted): the balance then follows the records again.
fn checkpoint_line_ui(
    ui: &mut egui::Ui,
    b: &AccountBalance,
    line: &str,
    actions: &mut Vec<Action>,
) {
    ui.horizontal(|ui| {
        let (Some(record), Some((day, _))) = (&b.latest_checkpoint, b.checkpoints.last()) else {
            caption(ui, line);
            return;
        };
        caption(ui, line);
        let remove = ui
            .add(egui::Link::new(egui::RichText::new(REMOVE_BALANCE).small()))
            .on_hover_text(format!(
                "Remove the balance entered for {} on {day}: the balance follows the records again",
                b.label
            ));
        if remove.clicked() {
            actions.push(Action::Ledger(LedgerCommand::RemoveCheckpoint {
                account: AccountKey::new(&b.provider, &b.organization),
                day: *day,
                record: record.clone(),
            }));
        }
    });
}

/// The label of the button that removes the latest balance entered on a card.
pub const REMOVE_BALANCE: &str = "remove";

/// What a balance card shows as its amount.
pub fn balance_value(b: &AccountBalance) -> String {
    if !b.known {
        return "balance unknown".to_string();
    }
    let money = format::money(b.closing, &b.currency);
    if b.lower_bound {
        format!("at least {money}")
    } else {
        money
    }
}

/// The card's "Enter the balance your billing page shows": a button that opens an amount field
/// and a save button (a checkpoint dated today, in the account's currency).
fn checkpoint_entry_ui(
    ui: &mut egui::Ui,
    b: &AccountBalance,
    today: NaiveDate,
    actions: &mut Vec<Action>,
) {
    let id = egui::Id::unique(("checkpoint entry", &b.provider, &b.organization));
    let mut draft: Option<String> = ui.data(|d| d.get_temp::<String>(id));
    let mut close = false;
    match draft.as_mut() {
        None => {
            if ui
                .add(egui::Button::new(egui::RichText::new(ENTER_BALANCE).small()).wrap())
                .clicked()
            {
                draft = Some(String::new());
            }
        }
        Some(text) => {
            let amount = Amount::parse(text.trim(), DecimalMark::Dot)
                .ok()
                .filter(|a| !a.is_negative());
            ui.horizontal(|ui| {
                let currency = ui.label(format!("{} shown", b.currency));
                ui.add(
                    egui::TextEdit::singleline(text)
                        .desired_width(80.0)
                        .hint_text("42.17"),
                )
                .labelled_by(currency.id);
            });
            // The buttons on their own line: the card keeps its width.
            ui.horizontal(|ui| {
                if ui
                    .add_enabled(amount.is_some(), egui::Button::new("Save balance"))
                    .on_disabled_hover_text("the balance shown, such as 42.17")
                    .clicked()
                    && let Some(amount) = amount
                {
                    actions.push(Action::Ledger(LedgerCommand::AddCheckpoint {
                        account: AccountKey::new(&b.provider, &b.organization),
                        day: today,
                        amount,
                        currency: b.currency,
                    }));
                    close = true;
                }
                if ui.small_button("Cancel").clicked() {
                    close = true;
                }
            });
        }
    }
    ui.data_mut(|d| match draft {
        Some(text) if !close => {
            d.insert_temp(id, text);
        }
        _ => {
            d.remove::<String>(id);
        }
    });
}

/// The figures strip.
pub fn figures_ui(ui: &mut egui::Ui, view: &FiguresView<'_>, actions: &mut Vec<Action>) {
    let f = &view.figures;
    let spacing = ui.spacing().item_spacing.x;
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "a small, non-negative count of cards"
    )]
    let per_row = (((ui.available_width() + spacing) / (theme::CARD_WIDTH + spacing)).floor()
        as usize)
        .max(1);
    let mut slot = Slot { index: 0, per_row };
    let slot = &mut slot;
    ui.horizontal_wrapped(|ui| {
        let this_month = totals_text(&f.usage_this_month);
        card(
            ui,
            slot,
            &format!("Usage cost {}", f.month_label),
            &this_month,
            |ui| {
                // The month of today is under way: it is compared with the same days of last
                // month, never with the whole of it (that would read a faster pace as a fall).
                let same = totals_text(&f.usage_last_month_same_days);
                let change = percent_change(&f.usage_this_month, &f.usage_last_month_same_days)
                    .map(|p| format!(" ({p:+}%)"))
                    .unwrap_or_default();
                let whole = totals_text(&f.usage_last_month);
                caption(
                    ui,
                    &format!("{} {same}{change} · all of it {whole}", f.same_days_label),
                );
            },
        );
        if let Some(all) = &view.all_in {
            all_in_card(ui, slot, &f.month_label, all);
        }
        card(
            ui,
            slot,
            "Usage in range",
            &totals_text(&view.usage_in_range),
            |ui| caption(ui, &view.range_label),
        );
        for b in &view.balances {
            let value = balance_value(b);
            let title = if b.organization.is_empty() {
                format!("Balance {}", b.provider)
            } else {
                format!("Balance {}\n{}", b.provider, b.organization)
            };
            let hover = format!("Balance {}", b.label);
            card_with_hover(ui, slot, (&title, &hover), &value, |ui| {
                caption(ui, &balance_caption(b));
                if let Some(line) = checkpoint_caption(b) {
                    checkpoint_line_ui(ui, b, &line, actions);
                }
                checkpoint_entry_ui(ui, b, view.today, actions);
            });
        }
        let flags = format::count(view.open_flags);
        card(ui, slot, "Open flags", &flags, |ui| {
            let text = if view.critical_flags > 0 {
                format!("{} critical · see Flags", view.critical_flags)
            } else if view.open_flags > 0 {
                "see Flags".to_string()
            } else {
                "nothing looks wrong".to_string()
            };
            if view.open_flags > 0 {
                if ui.small_button(text).clicked() {
                    actions.push(Action::SetView(View::Flags));
                }
            } else {
                caption(ui, &text);
            }
        });
    });
}

/// "All-in 2026-11": API usage, subscriptions and other AI charges of the month so far, against
/// the same days of last month; the parts on hover.
fn all_in_card(ui: &mut egui::Ui, slot: &mut Slot, month: &str, all: &AllIn) {
    let now = &all.this_month;
    let before = &all.last_month_same_days;
    let change = percent_change(&now.total, &before.total)
        .map(|p| format!(" ({p:+}%)"))
        .unwrap_or_default();
    let parts = format!(
        "API usage {} + subscriptions {} + other AI charges {}",
        totals_text(&now.usage),
        totals_text(&now.subscriptions),
        totals_text(&now.other)
    );
    let title = format!("All-in {month}");
    let hover = format!(
        "{title}: {parts}. {} {}{change}; all of last month {} (API usage {} + subscriptions {} + other {}). API top-ups are not added: their use is the usage.",
        all.same_days_label,
        totals_text(&before.total),
        totals_text(&all.last_month.total),
        totals_text(&all.last_month.usage),
        totals_text(&all.last_month.subscriptions),
        totals_text(&all.last_month.other),
    );
    card_with_hover(ui, slot, (&title, &hover), &totals_text(&now.total), |ui| {
        caption(
            ui,
            &format!(
                "usage {} · plans {} · other {}",
                totals_text(&now.usage),
                totals_text(&now.subscriptions),
                totals_text(&now.other)
            ),
        );
        caption(
            ui,
            &format!(
                "{} {}{change}",
                all.same_days_label,
                totals_text(&before.total)
            ),
        );
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::money::{Amount, Currency};

    #[test]
    fn percent_change_rounds_half_away_from_zero_and_needs_one_currency() {
        let usd = |cents: i64| Money {
            amount: Amount::from_cents(cents).unwrap(),
            currency: Currency::of(*b"USD"),
        };
        assert_eq!(percent_change(&[usd(102_326)], &[usd(79_464)]), Some(29));
        assert_eq!(percent_change(&[usd(7_850)], &[usd(10_000)]), Some(-22));
        assert_eq!(percent_change(&[usd(100)], &[usd(0)]), None);
        let eur = Money {
            currency: Currency::of(*b"EUR"),
            ..usd(100)
        };
        assert_eq!(percent_change(&[eur], &[usd(100)]), None);
        assert_eq!(percent_change(&[usd(1), usd(2)], &[usd(100)]), None);
    }

    fn balance(burn_cents: i64, days_left: Option<i64>) -> AccountBalance {
        AccountBalance {
            provider: "openai".into(),
            organization: "Northwind Labs".into(),
            label: "openai/Northwind Labs".into(),
            currency: Currency::of(*b"USD"),
            points: Vec::new(),
            topups: Vec::new(),
            failed: Vec::new(),
            checkpoints: Vec::new(),
            latest_checkpoint: None,
            closing: Amount::from_cents(5_000).unwrap(),
            burn_per_day: Amount::from_cents(burn_cents).unwrap(),
            depletes_on: None,
            days_left,
            inferred: false,
            known: true,
            lower_bound: false,
        }
    }

    /// Regression: an idle account read "burn $0.00/day · 350 days left", the 350 days being
    /// when its credit expires.
    #[test]
    fn an_idle_account_names_the_expiry_not_a_run_out() {
        assert_eq!(
            balance_caption(&balance(0, Some(350))),
            "no recent usage · credit expires in 350 days"
        );
        assert_eq!(balance_caption(&balance(0, None)), "no recent usage");
        assert_eq!(
            balance_caption(&balance(2_350, Some(2))),
            "burn $23.50/day · 2 days left"
        );
    }

    #[test]
    fn a_card_names_the_latest_balance_read_off_the_billing_page() {
        let day = |text: &str| NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap();
        let mut b = balance(200, Some(41));
        assert_eq!(checkpoint_caption(&b), None);
        b.checkpoints = vec![
            (day("2026-09-01"), Amount::from_cents(5_000).unwrap()),
            (day("2026-10-20"), Amount::from_cents(10_000).unwrap()),
        ];
        assert_eq!(
            checkpoint_caption(&b).as_deref(),
            Some("billing page: $100.00 on Oct 20")
        );
    }
}
