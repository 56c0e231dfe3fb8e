//! Label-anchored reading of a receipt's cleaned text, the way Stripe lays out both its e-mails
//! and its PDFs: a label (`Receipt number`, `Amount paid`, `Total`) followed by its value on
//! the same line or on the next one; a table of line items with their quantities, amounts and
//! service periods; and the totals block (subtotal, discounts, tax lines, total, amount paid)
//! whose arithmetic is checked before the items are trusted. Pure.

use super::text::{self, Money, Period, find_money, find_period, is_period_line, money_of};
use crate::domain::money::{Amount, checked_sum};
use crate::domain::records::LineItem;

/// Where a label's value is: the rest of the label's line, or the next line when the label
/// stands alone (one HTML cell per line).
pub fn values_after<'a>(text: &'a str, label: &str) -> Vec<&'a str> {
    let lines: Vec<&str> = text.lines().collect();
    let label_lower = label.to_lowercase();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let lower = line.to_lowercase();
        let mut from = 0;
        while let Some(pos) = lower.get(from..).and_then(|l| l.find(&label_lower)) {
            let start = from + pos;
            let end = start + label_lower.len();
            from = end;
            let before_ok = start == 0
                || lower
                    .get(..start)
                    .and_then(|b| b.chars().last())
                    .is_some_and(|c| !c.is_alphanumeric());
            let after_ok = lower
                .get(end..)
                .and_then(|a| a.chars().next())
                .is_none_or(|c| !c.is_alphanumeric());
            if !before_ok || !after_ok {
                continue;
            }
            let rest = line
                .get(end..)
                .unwrap_or_default()
                .trim_start_matches([':', ' ', '=', '\t']);
            if rest.is_empty() {
                if let Some(next) = lines.get(i + 1) {
                    out.push(*next);
                }
            } else {
                out.push(rest);
            }
        }
    }
    out
}

/// The first value after `label` that begins with a money amount.
pub fn money_after(text: &str, label: &str) -> Option<Money> {
    values_after(text, label)
        .into_iter()
        .find_map(money_at_start)
}

/// A money amount at the start of `value` (a `-` sign and currency sign included).
pub fn money_at_start(value: &str) -> Option<Money> {
    let (m, range) = find_money(value)?;
    (range.start == 0).then_some(m)
}

/// The first value after `label` that is a document number.
pub fn number_after(text: &str, label: &str) -> Option<String> {
    values_after(text, label).into_iter().find_map(number_token)
}

/// The leading document number of `value`: letters, digits and dashes (and the single spaces
/// a PDF puts where a dash was, as in `56FB0333 0001` or `NQLFVPGN - 0006`).
pub fn number_token(value: &str) -> Option<String> {
    let v = value.trim().trim_start_matches(['#', '[']);
    let mut taken = String::new();
    let mut groups = 0;
    for part in v.split(' ') {
        let is_dash = part == "-";
        let is_group = !part.is_empty()
            && part.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            && part.chars().any(|c| c.is_ascii_digit());
        let is_word =
            groups == 0 && part.len() >= 3 && part.chars().all(|c| c.is_ascii_alphanumeric());
        let continues = groups > 0
            && (is_dash
                || (is_group && part.len() == 4 && part.chars().all(|c| c.is_ascii_digit())));
        if groups == 0 && (is_group || is_word) || continues {
            taken.push_str(part);
            taken.push(' ');
            if !is_dash {
                groups += 1;
            }
        } else {
            break;
        }
    }
    let taken = taken.trim().trim_end_matches(['.', ',', ']']);
    taken
        .chars()
        .any(|c| c.is_ascii_digit())
        .then(|| text::canonical_number(taken))
}

/// The totals of a receipt or invoice.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Totals {
    pub subtotal: Option<Money>,
    pub excluding_tax: Option<Money>,
    pub tax: Option<Amount>,
    pub tax_label: String,
    pub reverse_charge: bool,
    pub total: Option<Money>,
    pub paid: Option<Money>,
    pub due: Option<Money>,
    pub refunded: Option<Money>,
}

/// Words that start a tax line.
const TAX_WORDS: &[&str] = &[
    "sales tax",
    "vat",
    "gst",
    "hst",
    "qst",
    "pst",
    "sst",
    "tax",
    "iva",
    "tva",
    "mwst",
    "ust",
    "consumption tax",
    "jct",
];

/// Reads the totals block.
pub fn totals(text: &str) -> Totals {
    let mut t = Totals {
        subtotal: money_after(text, "Subtotal"),
        excluding_tax: money_after(text, "Total excluding tax"),
        total: money_after(text, "Total"),
        paid: money_after(text, "Amount paid"),
        due: money_after(text, "Amount due"),
        refunded: money_after(text, "Amount refunded").or_else(|| money_after(text, "Refunded")),
        ..Totals::default()
    };
    let lines: Vec<&str> = text.lines().collect();
    let mut labels = Vec::new();
    let mut tax_sum: Option<Amount> = None;
    for (i, line) in lines.iter().enumerate() {
        let lower = line.to_lowercase();
        if lower.contains("reverse charge") {
            t.reverse_charge = true;
        }
        let is_tax = TAX_WORDS.iter().any(|w| {
            lower.starts_with(w)
                && lower
                    .get(w.len()..)
                    .and_then(|r| r.chars().next())
                    .is_none_or(|c| !c.is_alphanumeric())
        }) && !lower.starts_with("tax to be paid")
            && !lower.starts_with("tax id")
            && !lower.contains("excluding tax");
        if !is_tax {
            continue;
        }
        let (label, amount) = tax_line(line, lines.get(i + 1).copied());
        if let Some(a) = amount {
            tax_sum = tax_sum.map_or(Some(a), |s| s.checked_add(a));
            labels.push(label);
        }
    }
    if t.reverse_charge && tax_sum.is_none() {
        tax_sum = Some(Amount::ZERO);
        labels.push("reverse charge".to_string());
    }
    t.tax = tax_sum;
    t.tax_label = labels.join("; ");
    t
}

/// The label and amount of a tax line: `VAT - Sweden (25% on $10.00) $2.50`, `Sales Tax - New
/// York (8.875%) $0.89`, `SST - MALAYSIA (8% on $20.00) = $1.60 (RM6.61)` (the local-currency
/// figure in brackets is not the tax), `Tax: $0.00 USD`; the amount may be on the next line.
fn tax_line(line: &str, next: Option<&str>) -> (String, Option<Amount>) {
    // Drop the `(25% on $10.00)` base so that its amount is not read as the tax.
    let mut searchable = String::with_capacity(line.len());
    let mut depth = 0usize;
    for c in line.chars() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth = depth.saturating_sub(1);
                continue;
            }
            _ => {}
        }
        if depth == 0 {
            searchable.push(c);
        } else {
            searchable.push(' ');
        }
    }
    if let Some((_, range)) = find_money(&searchable) {
        let label_end = range.start;
        let amount = money_of(searchable.get(range.start..).unwrap_or_default()).map(|m| m.amount);
        let label = line
            .get(..label_end)
            .unwrap_or(line)
            .trim()
            .trim_end_matches(['=', ':'])
            .trim()
            .to_string();
        return (label, amount);
    }
    let amount = next.and_then(money_at_start).map(|m| m.amount);
    (line.trim().trim_end_matches(':').to_string(), amount)
}

/// Where periods sit relative to their items.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeriodPlacement {
    /// A period heads the items after it (Stripe e-mails).
    Before,
    /// A period line follows its item (Stripe PDFs).
    After,
}

/// Labels that end the items table.
const END_OF_ITEMS: &[&str] = &[
    "subtotal",
    "total",
    "amount paid",
    "amount due",
    "amount refunded",
];

/// Reads the line items of an items region (the lines between the table's start and its
/// totals).
pub fn items(region: &[&str], placement: PeriodPlacement) -> Vec<LineItem> {
    let mut out: Vec<LineItem> = Vec::new();
    let mut pending = String::new();
    let mut quantity = String::new();
    let mut period: Option<Period> = None;
    for line in region {
        let lower = line.to_lowercase();
        if END_OF_ITEMS.iter().any(|l| lower.starts_with(l)) {
            break;
        }
        if lower.starts_with("description") && lower.contains("amount") {
            continue;
        }
        if is_period_line(line) {
            let p = find_period(line);
            match placement {
                PeriodPlacement::Before => period = p,
                PeriodPlacement::After => {
                    if let Some(last) = out.last_mut().filter(|l| l.period_start.is_none()) {
                        last.period_start = p.map(|p| p.start);
                        last.period_end = p.map(|p| p.end);
                    }
                }
            }
            continue;
        }
        if let Some(q) = qty_of(line) {
            quantity = q;
            let rest = strip_qty(line);
            if money_of(&rest).is_none() {
                if !rest.is_empty() {
                    push_words(&mut pending, &rest);
                }
                continue;
            }
        }
        let moneys = amounts_not_unit_prices(line);
        let Some(amount) = moneys.last().copied() else {
            if text::all_money(line).is_empty() {
                push_words(&mut pending, line);
            }
            continue;
        };
        let mut description = strip_qty(&text_before_money(line));
        let had_rate = strip_rate(&mut description);
        if moneys.len() >= 2 || had_rate {
            // A table row `One-time credit purchase 1 $10.00 25% $10.00`: a bare number
            // before the unit price is the quantity.
            if let Some((head, q)) = description.rsplit_once(' ')
                && q.chars().all(|c| c.is_ascii_digit() || c == ',')
                && !q.is_empty()
            {
                quantity = q.to_string();
                description = head.trim().to_string();
            }
        }
        push_words(&mut pending, &description);
        let description = std::mem::take(&mut pending)
            .trim_start_matches(['-', ' '])
            .trim_end_matches([':', ' '])
            .to_string();
        if description.is_empty() {
            // An amount with no words: a unit price or a continuation; nothing to add.
            continue;
        }
        out.push(LineItem {
            description,
            quantity: std::mem::take(&mut quantity),
            amount,
            period_start: period.map(|p| p.start),
            period_end: period.map(|p| p.end),
        });
    }
    out
}

/// Drops a trailing tax rate (`25%`, `13% incl.`) from a table row's words; says whether there
/// was one.
fn strip_rate(description: &mut String) -> bool {
    let mut stripped = false;
    loop {
        let trimmed = description.trim_end();
        let Some((head, last)) = trimmed.rsplit_once(' ') else {
            return stripped;
        };
        let is_rate = last.ends_with('%')
            && last
                .trim_end_matches('%')
                .chars()
                .all(|c| c.is_ascii_digit() || c == '.' || c == ',');
        if is_rate || (last.eq_ignore_ascii_case("incl.") && head.ends_with('%')) {
            *description = head.trim_end().to_string();
            stripped = true;
        } else {
            return stripped;
        }
    }
}

fn push_words(pending: &mut String, words: &str) {
    let words = words.trim();
    if words.is_empty() {
        return;
    }
    if !pending.is_empty() {
        pending.push(' ');
    }
    pending.push_str(words);
}

/// `Qty 1`, `Qty 18,018,932`.
fn qty_of(line: &str) -> Option<String> {
    let lower = line.to_lowercase();
    let at = lower.find("qty")?;
    let rest = line.get(at + 3..)?.trim_start_matches([':', ' ']);
    let q: String = rest
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == ',' || *c == '.')
        .collect();
    (!q.is_empty()).then_some(q)
}

fn strip_qty(line: &str) -> String {
    let lower = line.to_lowercase();
    let Some(at) = lower.find("qty") else {
        return line.trim().to_string();
    };
    let head = line.get(..at).unwrap_or_default();
    let rest = line
        .get(at + 3..)
        .unwrap_or_default()
        .trim_start_matches([':', ' ']);
    let after: String = rest
        .chars()
        .skip_while(|c| c.is_ascii_digit() || *c == ',' || *c == '.')
        .collect();
    format!("{} {}", head.trim(), after.trim())
        .trim()
        .to_string()
}

fn text_before_money(line: &str) -> String {
    match find_money(line) {
        Some((_, range)) => line
            .get(..range.start)
            .unwrap_or_default()
            .trim()
            .to_string(),
        None => line.trim().to_string(),
    }
}

/// The amounts of a line that are not unit prices (`$0.00000075 each`).
fn amounts_not_unit_prices(line: &str) -> Vec<Amount> {
    let mut out = Vec::new();
    let mut rest = line;
    while let Some((m, range)) = find_money(rest) {
        let after = rest.get(range.end..).unwrap_or_default();
        let unit = after.trim_start().to_lowercase();
        if !(unit.starts_with("each") || unit.starts_with("per ") || unit.starts_with('/')) {
            out.push(m.amount);
        }
        rest = after;
    }
    out
}

/// Whether the items, tax and totals agree: items add up to the subtotal (or the total before
/// tax), and that plus tax to the total, within one cent.
pub fn adds_up(items: &[LineItem], totals: &Totals) -> bool {
    let Some(sum) = checked_sum(items.iter().map(|i| i.amount)) else {
        return false;
    };
    let pretax = totals
        .subtotal
        .as_ref()
        .or(totals.excluding_tax.as_ref())
        .map(|m| m.amount);
    let Some(total) = totals.total.as_ref().map(|m| m.amount) else {
        return pretax.is_none_or(|p| close(p, sum));
    };
    let tax = totals.tax.unwrap_or(Amount::ZERO);
    let items_fit = match pretax {
        Some(p) => {
            close(p, sum) || close(totals.excluding_tax.as_ref().map_or(p, |m| m.amount), sum)
        }
        None => true,
    };
    let base = totals.excluding_tax.as_ref().map_or(sum, |m| m.amount);
    items_fit && base.checked_add(tax).is_some_and(|t| close(t, total))
}

/// Within one cent.
pub fn close(a: Amount, b: Amount) -> bool {
    a.checked_sub(b)
        .is_some_and(|d| d.abs().nanos() <= 10_000_000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_take_same_line_or_next_line_values() {
        let text = "Receipt number\n2070-4164-2450\nInvoice number ITRMHVSC-0017\nTotal excluding tax $10.00\nTotal $12.50\nAmount paid: $12.50\n";
        assert_eq!(
            number_after(text, "Receipt number").as_deref(),
            Some("2070-4164-2450")
        );
        assert_eq!(
            number_after(text, "Invoice number").as_deref(),
            Some("ITRMHVSC-0017")
        );
        assert_eq!(
            money_after(text, "Total").map(|m| m.amount.nanos()),
            Some(12_500_000_000)
        );
        assert_eq!(
            money_after(text, "Amount paid").map(|m| m.amount.nanos()),
            Some(12_500_000_000)
        );
        assert_eq!(
            number_token("56FB0333 0001 | Date of issue").as_deref(),
            Some("56FB0333-0001")
        );
        assert_eq!(
            number_token("NQLFVPGN - 0006").as_deref(),
            Some("NQLFVPGN-0006")
        );
        assert_eq!(number_token("2455-9862").as_deref(), Some("2455-9862"));
    }

    #[test]
    fn tax_lines_of_every_form() {
        let cases: &[(&str, i64, &str)] = &[
            (
                "VAT - Sweden (25% on $10.00) $2.50\n",
                2_500_000_000,
                "VAT - Sweden (25% on $10.00)",
            ),
            (
                "Sales Tax - New York (8.875%) $0.89\n",
                890_000_000,
                "Sales Tax - New York (8.875%)",
            ),
            (
                "SST - MALAYSIA (8% on $20.00) = $1.60 (RM6.61)\n",
                1_600_000_000,
                "SST - MALAYSIA (8% on $20.00)",
            ),
            (
                "HST - Canada (13% on CA$236.89) CA$30.80\n",
                30_800_000_000,
                "HST - Canada (13% on CA$236.89)",
            ),
            ("Tax: $0.00 USD\n", 0, "Tax"),
            (
                "Total $10.00\nTax to be paid on reverse charge basis\n",
                0,
                "reverse charge",
            ),
        ];
        for (text, nanos, label) in cases {
            let t = totals(text);
            assert_eq!(t.tax.map(Amount::nanos), Some(*nanos), "{text}");
            assert_eq!(t.tax_label, *label, "{text}");
        }
        assert_eq!(totals("Total excluding tax $10.00\n").tax, None);
    }

    #[test]
    fn items_from_cells_rows_and_tiers() {
        let cells = [
            "Aug 16-Sep 16, 2026",
            "Max plan - 20x",
            "Qty 1",
            "$200.00",
            "Total",
            "$200.00",
        ];
        let items = items(&cells, PeriodPlacement::Before);
        assert_eq!(items.len(), 1);
        assert_eq!(
            (items[0].description.as_str(), items[0].quantity.as_str()),
            ("Max plan - 20x", "1")
        );
        assert_eq!(items[0].amount.nanos(), 200_000_000_000);
        assert_eq!(items[0].period_start.unwrap().to_string(), "2026-08-16");

        let rows = [
            "Description Qty Unit price Tax Amount",
            "One-time credit purchase 1 $10.00 25% $10.00",
            "Mar 26-Apr 26, 2026",
            "Subtotal $10.00",
        ];
        let items = super::items(&rows, PeriodPlacement::After);
        assert_eq!(items.len(), 1);
        assert_eq!(
            (items[0].description.as_str(), items[0].quantity.as_str()),
            ("One-time credit purchase", "1")
        );
        assert_eq!(items[0].period_end.unwrap().to_string(), "2026-04-26");

        let fly = [
            "Feb 29 - Mar 31, 2024",
            "VM: Shared CPU (per second) Qty 18,018,932 $7.19 $0.00000075 each",
            "Mar 31 - Apr 30, 2024",
            "Hobby Plan Qty 1 $0.00",
            "Amount paid $7.19",
        ];
        let items = super::items(&fly, PeriodPlacement::Before);
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].amount.nanos(), 7_190_000_000);
        assert_eq!(items[0].quantity, "18,018,932");
        assert_eq!(items[1].period_start.unwrap().to_string(), "2024-03-31");

        let proration = [
            "Max plan - 20x 1 CA$280.00 13% CA$280.00",
            "Jun 5-Jul 5, 2026",
            "Unused time on Max plan - 5x after 05 Jun 2026 1 13% -CA$43.11",
            "Subtotal CA$236.89",
        ];
        let items = super::items(&proration, PeriodPlacement::After);
        assert_eq!(items.len(), 2, "{items:?}");
        assert_eq!(items[1].amount.nanos(), -43_110_000_000);
        assert_eq!(
            items[1].description,
            "Unused time on Max plan - 5x after 05 Jun 2026"
        );
    }
}
