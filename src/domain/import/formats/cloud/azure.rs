//! Azure Cost Management exports: the actual-cost export (`Date,MeterCategory,MeterSubCategory,
//! MeterName,ResourceId,ResourceGroup,...,Quantity,UnitOfMeasure,CostInBillingCurrency,
//! BillingCurrencyCode,ChargeType,...`), the cost-analysis download (`UsageDate,...,Cost,
//! CostUSD,Currency`) and the older Enterprise Agreement export (`UsageDateTime,...,PreTaxCost`).
//!
//! Dates may be `MM/DD/YYYY` and amounts may use decimal commas and thousands dots (`"1.234,56"`):
//! both are weighed over the whole file. The cost is in the row's billing currency, not
//! necessarily dollars. Azure OpenAI and Foundry meters name the model, direction and deployment
//! in `MeterName` (`gpt-4o-mini-0718-Inp-glbl Tokens`, `5.4 mini cd Inp Gl 1M Tokens`); tokens
//! are the quantity times the meter's unit (`1K`, `1M`). Only AI meters count, and of those the
//! charges that are usage, purchases and refunds; other services and charge types are left out
//! and counted in the import report. The project is the resource group; the account is the
//! subscription.

use super::{is_ai, model_in, token_kind_in};
use crate::domain::import::formats::dimensions;
use crate::domain::import::table::{BindError, FieldError, Header, Row};
use crate::domain::import::{DateOrder, FileOptions, Format, LeftOut, RecordKind, RowParser};
use crate::domain::money::{Amount, Currency, NANOS_PER_UNIT};
use crate::domain::records::{Record, UsageGrain, UsageRecord};

/// The Cost Management exports.
pub struct AzureCost;

const DATE: &[&str] = &["Date", "UsageDate", "UsageDateTime"];
const COST: &[&str] = &["CostInBillingCurrency", "Cost", "PreTaxCost", "CostUSD"];

impl Format for AzureCost {
    fn id(&self) -> &'static str {
        "azure-cost"
    }
    fn name(&self) -> &'static str {
        "Azure cost export"
    }
    fn kind(&self) -> RecordKind {
        RecordKind::Usage
    }
    fn signature(&self) -> &'static str {
        "Date (or UsageDate, UsageDateTime), MeterCategory, MeterSubCategory?, MeterName, ResourceGroup?, Quantity?, UnitOfMeasure?, CostInBillingCurrency (or Cost, PreTaxCost, CostUSD), BillingCurrencyCode (or BillingCurrency, Currency)?, ChargeType?, ..."
    }
    fn detect(&self, h: &Header) -> bool {
        h.has_all(&["MeterCategory", "MeterName"])
            && h.find(DATE).is_some()
            && h.find(COST).is_some()
    }
    fn bind(&self, h: &Header, _options: &FileOptions) -> Result<Box<dyn RowParser>, BindError> {
        let cost = h.require(COST)?;
        // A file with only `CostUSD` is in dollars whatever its currency column says.
        let only_usd = h
            .find(&["CostInBillingCurrency", "Cost", "PreTaxCost"])
            .is_none();
        Ok(Box::new(AzureParser {
            date: h.require(DATE)?,
            category: h.require(&["MeterCategory"])?,
            subcategory: h.find(&["MeterSubCategory"]),
            meter: h.require(&["MeterName"])?,
            meter_id: h.find(&["MeterId"]),
            resource: h.find(&["ResourceId", "InstanceId"]),
            group: h.find(&["ResourceGroup", "ResourceGroupName"]),
            location: h.find(&["ResourceLocation"]),
            quantity: h.find(&["Quantity", "UsageQuantity"]),
            unit: h.find(&["UnitOfMeasure"]),
            cost,
            currency: if only_usd {
                None
            } else {
                h.find(&["BillingCurrencyCode", "BillingCurrency", "Currency"])
            },
            charge_type: h.find(&["ChargeType"]),
            product: h.find(&["ProductName", "Product"]),
            subscription_id: h.find(&["SubscriptionId", "SubscriptionGuid"]),
            subscription_name: h.find(&["SubscriptionName"]),
            left_out: LeftOut::default(),
        }))
    }
}

struct AzureParser {
    date: usize,
    category: usize,
    subcategory: Option<usize>,
    meter: usize,
    meter_id: Option<usize>,
    resource: Option<usize>,
    group: Option<usize>,
    location: Option<usize>,
    quantity: Option<usize>,
    unit: Option<usize>,
    cost: usize,
    currency: Option<usize>,
    charge_type: Option<usize>,
    product: Option<usize>,
    subscription_id: Option<usize>,
    subscription_name: Option<usize>,
    left_out: LeftOut,
}

/// Whether a charge type is spend of its own: usage, a purchase (provisioned throughput), a
/// refund. Amortised leftovers (`UnusedReservation`) and the like are not.
fn counts(charge_type: &str) -> bool {
    matches!(
        charge_type.trim().to_lowercase().as_str(),
        "" | "usage" | "purchase" | "refund"
    )
}

/// The tokens a quantity of a token meter stands for: the quantity times the unit (`1K`, `1M`,
/// `1K Tokens`, or `1M Tokens` in the meter's name), when that is a whole number. A token meter
/// whose unit is not written gives none: the unit varies within one family, so it is never
/// assumed.
fn tokens(quantity: Amount, unit: &str, meter: &str) -> Option<i64> {
    let text = format!("{unit} {meter}").to_lowercase();
    if !text.contains("token") && !unit.trim().to_lowercase().starts_with('1') {
        return None;
    }
    let words: Vec<&str> = text.split_whitespace().collect();
    let per_unit: i64 = if words.contains(&"1m") {
        1_000_000
    } else if words.contains(&"1k") {
        1_000
    } else {
        return None;
    };
    let nanos = i128::from(quantity.nanos()) * i128::from(per_unit);
    let unit_nanos = i128::from(NANOS_PER_UNIT);
    (nanos % unit_nanos == 0)
        .then(|| i64::try_from(nanos / unit_nanos).ok())
        .flatten()
}

impl AzureParser {
    /// The model a meter names; a meter that drops the family (`5.4 mini cd Inp ...`) is
    /// named by its sub-category (`Azure OpenAI GPT5`).
    fn model(meter: &str, subcategory: &str) -> String {
        let model = model_in(meter);
        if !model.is_empty() {
            return model;
        }
        let starts_with_version = meter.trim().starts_with(|c: char| c.is_ascii_digit());
        if starts_with_version && subcategory.to_lowercase().contains("gpt") {
            return model_in(&format!("gpt {meter}"));
        }
        String::new()
    }
}

impl RowParser for AzureParser {
    fn date_columns(&self) -> Vec<usize> {
        vec![self.date]
    }
    fn amount_columns(&self) -> Vec<usize> {
        std::iter::once(self.cost).chain(self.quantity).collect()
    }
    fn default_date_order(&self) -> Option<DateOrder> {
        Some(DateOrder::MonthFirst)
    }
    fn left_out(&self) -> Option<&LeftOut> {
        Some(&self.left_out)
    }
    fn parse(&mut self, row: &Row<'_>, out: &mut Vec<Record>) -> Result<(), FieldError> {
        let day = row.datetime(self.date)?.date();
        let cost = row.amount(self.cost)?;
        let currency = match self.currency {
            Some(c) if !row.text(c).is_empty() => row.currency(c)?,
            _ => Currency::USD,
        };
        let category = row.text(self.category);
        let subcategory = row.opt_text(self.subcategory);
        let meter = row.text(self.meter);
        let product = row.opt_text(self.product);
        let charge_type = row.opt_text(self.charge_type);
        if !is_ai(&[&category, &subcategory, &meter, &product]) || !counts(&charge_type) {
            self.left_out.add(Some((cost, currency)));
            return Ok(());
        }
        let quantity = row.opt_amount(self.quantity)?;
        let unit = row.opt_text(self.unit);
        let subscription_id = row.opt_text(self.subscription_id).into_owned();
        out.push(Record::Usage(UsageRecord {
            source_kind: "azure-cost",
            day: Some(day),
            provider: "azure".into(),
            organization_name: row.opt_text(self.subscription_name).into_owned(),
            organization_id: subscription_id,
            project_name: row.opt_text(self.group).into_owned(),
            model: Self::model(&meter, &subcategory),
            token_kind: token_kind_in(&meter),
            line_item: meter.clone().into_owned(),
            extra_dimensions: dimensions(&[
                ("category", category),
                ("subcategory", subcategory),
                ("meter_id", row.opt_text(self.meter_id)),
                ("resource", row.opt_text(self.resource)),
                ("location", row.opt_text(self.location)),
                ("charge", charge_type),
                ("product", product),
            ]),
            tokens: quantity.and_then(|q| tokens(q, &unit, &meter)),
            cost: Some(cost),
            currency,
            cost_text: row.text(self.cost).into_owned(),
            grain: Some(UsageGrain::Detail),
            ..UsageRecord::default()
        }));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::import::parse_bytes;
    use crate::domain::import::test_support::usage;

    #[test]
    fn actual_cost_with_us_dates_decimal_commas_and_other_services() {
        let csv = "Date;MeterCategory;MeterSubCategory;MeterName;ResourceId;ResourceGroup;ResourceLocation;Quantity;UnitOfMeasure;EffectivePrice;CostInBillingCurrency;BillingCurrencyCode;ChargeType;ProductName;SubscriptionId\n\
08/13/2026;Cognitive Services;Azure OpenAI GPT5;5.4 mini cd Inp Gl 1M Tokens;/subscriptions/s1/rg-bot/openai;rg-bot;swedencentral;0,25;1M;0,15;0,0375;EUR;Usage;Azure OpenAI;s1\n\
08/13/2026;Cognitive Services;Azure OpenAI;gpt-4o-mini-0718-Inp-glbl Tokens;/subscriptions/s1/rg-bot/openai;rg-bot;swedencentral;1.250;1K;0,000135;1.234,56;EUR;Usage;Azure OpenAI;s1\n\
08/14/2026;Virtual Machines;Dv5 Series;D4s v5;/subscriptions/s1/rg-web/vm;rg-web;westeurope;24;1 Hour;0,20;4,80;EUR;Usage;Virtual Machines Dv5 Series;s1\n";
        let parsed = parse_bytes(csv.as_bytes(), &FileOptions::default()).unwrap();
        assert_eq!(parsed.format_id, "azure-cost");
        assert_eq!(parsed.rejected, []);
        let u = usage(&parsed);
        let got: Vec<_> = u
            .iter()
            .map(|r| {
                (
                    r.day.unwrap().to_string(),
                    r.model.as_str(),
                    r.token_kind.as_str(),
                    r.tokens,
                    r.cost.unwrap().nanos(),
                    r.currency.as_str(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (
                    "2026-08-13".into(),
                    "gpt-5.4-mini",
                    "input_cached",
                    Some(250_000),
                    37_500_000,
                    "EUR"
                ),
                (
                    "2026-08-13".into(),
                    "gpt-4o-mini-0718",
                    "input",
                    Some(1_250_000),
                    1_234_560_000_000,
                    "EUR"
                ),
            ]
        );
        assert_eq!(u[0].project_name, "rg-bot");
        let left = parsed.left_out.unwrap();
        assert_eq!((left.rows, left.cost[0].amount.nanos()), (1, 4_800_000_000));
    }

    #[test]
    fn cost_analysis_and_enterprise_layouts() {
        let analysis = "UsageDate,ResourceGroupName,MeterCategory,MeterSubCategory,MeterName,Cost,CostUSD,Currency\n\
2026-08-13,rg-bot,Foundry Models,Azure OpenAI Reasoning,o4-mini Outp glbl 1M Tokens,2.20,2.20,USD\n";
        let parsed = parse_bytes(analysis.as_bytes(), &FileOptions::default()).unwrap();
        let u = usage(&parsed);
        assert_eq!(
            (
                u[0].model.as_str(),
                u[0].token_kind.as_str(),
                u[0].cost.unwrap().nanos()
            ),
            ("o4-mini", "output", 2_200_000_000)
        );
        let ea = "UsageDateTime,MeterCategory,MeterName,ResourceGroup,PreTaxCost\n\
2025-03-02,Cognitive Services,gpt-4o-0806-Outp-regnl Tokens,rg-old,12.50\n";
        let parsed = parse_bytes(ea.as_bytes(), &FileOptions::default()).unwrap();
        let u = usage(&parsed);
        assert_eq!(
            (u[0].model.as_str(), u[0].currency.as_str()),
            ("gpt-4o-0806", "USD")
        );
    }
}
