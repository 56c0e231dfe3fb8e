//! Google Cloud Billing's downloads: the Reports CSV (`Date` or `Month`, `Service description`,
//! `SKU description`, `Usage amount`, `List cost ($)`, the savings columns, `Unrounded subtotal
//! ($)`, `Subtotal ($)`) and the Cost table CSV (`Billing account name`, ..., `Project ID`,
//! `Service description`, `SKU description`, `Credit type`, `Cost type`, `Usage start date`,
//! ..., `Unrounded Cost ($)`, `Cost ($)`), with the columns the user chose.
//!
//! Both may start with a key/value preamble (`Billing account name,...`, `Invoice month,...`,
//! `Currency,AUD`); the header is found below it and the preamble's `Currency` names the
//! currency even when the headers say `($)`. The subtotal already holds the savings and credits
//! (negative), so it is the billed amount; the unrounded figure is read when the export has it.
//! The trailing `Total` row is skipped. Usage amounts carry thousands separators (`"622,403"`);
//! headers vary in case and in UK spelling (`Savings programmes ($)`). The model is named only
//! in the SKU's free text (`... gemini 2.5 flash ...`). The project is the cloud project.

use std::borrow::Cow;

use chrono::NaiveDate;

use super::{currency_in_header, is_ai, model_in, token_kind_in};
use crate::domain::import::formats::dimensions;
use crate::domain::import::table::{BindError, FieldError, Header, Row};
use crate::domain::import::{FileOptions, Format, LeftOut, RecordKind, RowParser};
use crate::domain::money::Currency;
use crate::domain::records::{Record, UsageGrain, UsageRecord};

/// The Reports and Cost table downloads.
pub struct GcpBilling;

/// The billed amount's columns, most exact first.
const COSTS: &[&str] = &[
    "Unrounded subtotal (",
    "Subtotal (",
    "Unrounded cost (",
    "Cost (",
];

impl Format for GcpBilling {
    fn id(&self) -> &'static str {
        "gcp-billing"
    }
    fn name(&self) -> &'static str {
        "Google Cloud billing report or cost table"
    }
    fn kind(&self) -> RecordKind {
        RecordKind::Usage
    }
    fn signature(&self) -> &'static str {
        "Date (or Month, or Usage start date), Project ID?, Service description, SKU description, Usage amount?, Usage unit?, List cost ($)?, savings?, Unrounded subtotal ($) / Subtotal ($) (or Unrounded Cost ($) / Cost ($)), after an optional key/value preamble"
    }
    fn detect(&self, h: &Header) -> bool {
        h.has_all(&["Service description", "SKU description"])
            && COSTS.iter().any(|c| h.find_prefix(&[c]).is_some())
    }
    fn bind(&self, h: &Header, _options: &FileOptions) -> Result<Box<dyn RowParser>, BindError> {
        let cost = COSTS
            .iter()
            .find_map(|c| h.find_prefix(&[c]))
            .ok_or_else(|| BindError::MissingColumn("Subtotal ($)".into()))?;
        let currency = h
            .preamble_value(&["Currency"])
            .and_then(|c| Currency::parse(c).ok())
            .or_else(|| currency_in_header(h.name(cost)))
            .unwrap_or(Currency::USD);
        let day = h.find(&["Date", "Usage start date", "Day"]);
        let month = h.find(&["Month", "Invoice month"]);
        let invoice_month = h
            .preamble_value(&["Invoice month"])
            .and_then(first_of_month);
        if day.is_none() && month.is_none() && invoice_month.is_none() {
            return Err(BindError::MissingColumn("Date".into()));
        }
        Ok(Box::new(GcpParser {
            day,
            month,
            invoice_month,
            service: h.require(&["Service description"])?,
            service_id: h.find(&["Service ID"]),
            sku: h.require(&["SKU description"])?,
            sku_id: h.find(&["SKU ID"]),
            usage: h.find(&["Usage amount"]),
            unit: h.find(&["Usage unit"]),
            project_id: h.find(&["Project ID"]),
            project_name: h.find(&["Project name"]),
            account_id: h.find(&["Billing account ID"]),
            account_name: h.find(&["Billing account name"]),
            credit_type: h.find(&["Credit type"]),
            cost_type: h.find(&["Cost type"]),
            consumption: h.find(&["Consumption model description"]),
            end: h.find(&["Usage end date"]),
            cost,
            currency,
            left_out: LeftOut::default(),
        }))
    }
}

/// `2026-08`, `202608` or `2026-08-01` as the first day of its month.
fn first_of_month(text: &str) -> Option<NaiveDate> {
    let t = text.trim();
    let digits: String = t.chars().filter(char::is_ascii_digit).collect();
    let year = digits.get(..4)?.parse().ok()?;
    let month = digits.get(4..6)?.parse().ok()?;
    NaiveDate::from_ymd_opt(year, month, 1)
}

struct GcpParser {
    day: Option<usize>,
    month: Option<usize>,
    invoice_month: Option<NaiveDate>,
    service: usize,
    service_id: Option<usize>,
    sku: usize,
    sku_id: Option<usize>,
    usage: Option<usize>,
    unit: Option<usize>,
    project_id: Option<usize>,
    project_name: Option<usize>,
    account_id: Option<usize>,
    account_name: Option<usize>,
    credit_type: Option<usize>,
    cost_type: Option<usize>,
    consumption: Option<usize>,
    end: Option<usize>,
    cost: usize,
    currency: Currency,
    left_out: LeftOut,
}

impl GcpParser {
    /// The row's day: its date, else the first day of its month or of the invoice's month.
    fn day(&self, row: &Row<'_>) -> Result<NaiveDate, FieldError> {
        if let Some(c) = self.day {
            return row.datetime(c).map(|t| t.date());
        }
        if let Some(c) = self.month {
            let text = row.text(c);
            return first_of_month(&text)
                .ok_or_else(|| FieldError::at(c, format!("'{text}' is not a month")));
        }
        self.invoice_month
            .ok_or_else(|| FieldError::row("the row has no date"))
    }

    /// Whether the row is the file's trailing total (`Total,,,...,2.52`): the one row that
    /// names no service and no SKU.
    fn is_total(&self, row: &Row<'_>) -> bool {
        row.text(self.service).is_empty() && row.text(self.sku).is_empty()
    }
}

impl RowParser for GcpParser {
    fn date_columns(&self) -> Vec<usize> {
        self.day.into_iter().collect()
    }
    fn amount_columns(&self) -> Vec<usize> {
        vec![self.cost]
    }
    fn default_date_order(&self) -> Option<crate::domain::import::DateOrder> {
        Some(crate::domain::import::DateOrder::MonthFirst)
    }
    fn left_out(&self) -> Option<&LeftOut> {
        Some(&self.left_out)
    }
    fn parse(&mut self, row: &Row<'_>, out: &mut Vec<Record>) -> Result<(), FieldError> {
        if self.is_total(row) {
            return Ok(());
        }
        let day = self.day(row)?;
        let cost = row.amount(self.cost)?;
        let service = row.text(self.service);
        let sku = row.text(self.sku);
        if !is_ai(&[&service]) {
            self.left_out.add(Some((cost, self.currency)));
            return Ok(());
        }
        let unit = row.opt_text(self.unit).to_lowercase();
        let tokens = if unit == "count" || unit.contains("token") {
            row.opt_count(self.usage)?
        } else {
            None
        };
        let project_id = row.opt_text(self.project_id).into_owned();
        let account_id = row.opt_text(self.account_id).into_owned();
        out.push(Record::Usage(UsageRecord {
            source_kind: "gcp-billing",
            day: Some(day),
            provider: "google".into(),
            organization_name: row.opt_text(self.account_name).into_owned(),
            organization_id: account_id,
            project_name: row.opt_text(self.project_name).into_owned(),
            project_id,
            model: model_in(&sku),
            token_kind: token_kind_in(&sku),
            line_item: sku.into_owned(),
            extra_dimensions: dimensions(&[
                ("service", service),
                ("service_id", row.opt_text(self.service_id)),
                ("sku_id", row.opt_text(self.sku_id)),
                ("credit", row.opt_text(self.credit_type)),
                ("cost_type", row.opt_text(self.cost_type)),
                ("consumption", row.opt_text(self.consumption)),
                ("end", row.opt_text(self.end)),
                (
                    "month",
                    self.month.map_or(Cow::Borrowed(""), |c| row.text(c)),
                ),
            ]),
            tokens,
            cost: Some(cost),
            currency: self.currency,
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
    use crate::domain::money::Amount;

    #[test]
    fn reports_csv_with_preamble_savings_other_services_and_total_row() {
        let csv = "Billing account name,My Billing Account\n\
Start date,2026-08-01\n\
End date,2026-08-31\n\
\n\
Date,Service description,Service ID,SKU description,SKU ID,Usage amount,Usage unit,List cost ($),Negotiated savings ($),Savings programmes ($),Other savings ($),Unrounded subtotal ($),Subtotal ($)\n\
2026-08-15,Gemini API,AEFD-7695-64FA,Generate content output token count gemini 2.5 flash short input text,911A-8880-A243,\"622,403\",count,1.56,0.00,0.00,0.00,1.555990,1.56\n\
2026-08-15,Gemini API,AEFD-7695-64FA,Generate content input token count gemini 2.5 flash short input text,911A-8880-A244,\"1,000,000\",count,0.30,0.00,-0.10,0.00,0.200000,0.20\n\
2026-08-15,Compute Engine,6F81-5844-456A,N2 Instance Core running in Americas,0C5C-2B23-2D42,24,hour,0.76,0.00,0.00,0.00,0.759840,0.76\n\
Total,,,,,,,2.62,0.00,-0.10,0.00,2.515830,2.52\n";
        let parsed = parse_bytes(csv.as_bytes(), &FileOptions::default()).unwrap();
        assert_eq!(parsed.format_id, "gcp-billing");
        assert_eq!(parsed.rejected, []);
        let u = usage(&parsed);
        let got: Vec<_> = u
            .iter()
            .map(|r| {
                (
                    r.cost.map(Amount::nanos),
                    r.model.as_str(),
                    r.token_kind.as_str(),
                    r.tokens,
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (
                    Some(1_555_990_000),
                    "gemini-2.5-flash",
                    "output",
                    Some(622_403)
                ),
                (
                    Some(200_000_000),
                    "gemini-2.5-flash",
                    "input",
                    Some(1_000_000)
                ),
            ]
        );
        assert_eq!(u[0].provider, "google");
        let left = parsed.left_out.unwrap();
        assert_eq!((left.rows, left.cost[0].amount.nanos()), (1, 759_840_000));
    }

    #[test]
    fn cost_table_with_invoice_preamble_in_another_currency() {
        let csv = "Invoice number,5123456789\n\
Invoice date,2026-09-01\n\
Billing account ID,01ABCD-234567-89EFGH\n\
Currency,AUD\n\
Currency exchange rate,1.52\n\
Total amount due,40.97\n\
\n\
Billing account name,Billing account ID,Project name,Project ID,Project hierarchy,Service description,Service ID,SKU description,SKU ID,Consumption model description,Credit type,Cost type,Usage start date,Usage end date,Usage amount,Usage unit,Unrounded Cost ($),Cost ($)\n\
Acme,01ABCD-234567-89EFGH,Support bot,support-bot-prod,/acme/,Vertex AI,C7E2-9256-1C43,Claude Sonnet 4.5 Output Tokens,A1B2-C3D4-E5F6,Default,,regular,2026-08-01,2026-08-31,\"1,200,000\",count,27.360000,27.36\n\
Acme,01ABCD-234567-89EFGH,Support bot,support-bot-prod,/acme/,Vertex AI,C7E2-9256-1C43,Claude Sonnet 4.5 Output Tokens,A1B2-C3D4-E5F6,Default,Free trial,regular,2026-08-01,2026-08-31,,,-5.000000,-5.00\n\
Acme,01ABCD-234567-89EFGH,,,,Tax,,Goods and services tax,,,,tax,2026-08-01,2026-08-31,,,4.000000,4.00\n";
        let parsed = parse_bytes(csv.as_bytes(), &FileOptions::default()).unwrap();
        assert_eq!(parsed.format_id, "gcp-billing");
        assert_eq!(parsed.rejected, []);
        let u = usage(&parsed);
        assert_eq!(u.len(), 2);
        assert!(u.iter().all(|r| r.currency.as_str() == "AUD"));
        assert_eq!(
            u.iter().map(|r| r.cost.unwrap().nanos()).sum::<i64>(),
            22_360_000_000
        );
        assert_eq!(u[0].project_name, "Support bot");
        assert_eq!(u[0].model, "claude-sonnet-4.5");
        assert_ne!(
            u[0].natural_key(),
            u[1].natural_key(),
            "the credit is its own row"
        );
        assert_eq!(parsed.left_out.unwrap().rows, 1);
    }
}
