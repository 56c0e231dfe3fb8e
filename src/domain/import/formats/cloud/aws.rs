//! AWS Cost Explorer's "Download CSV": a wide table, one column per service (`"Service",
//! "EC2-Instances($)",...,"Total costs($)"`) and one row per period, with the totals row first
//! (`"Service total"`, localised as `"Servicio en total"` and the like).
//!
//! The totals row and the `Total costs` column are skipped; every other cell is one service's
//! cost in one period (empty where it had none), unpivoted into one usage record per AI service
//! and period. Bedrock models sold through AWS Marketplace are services of their own
//! (`Claude Opus 4.6 (Amazon Bedrock Edition)($)`), not under `Amazon Bedrock`: they count as AI
//! spend and name their model. The other services are left out and counted in the import
//! report. The period is the first column (named `Service`, but holding dates); the key is the
//! period and the service.

use super::{currency_in_header, is_ai, model_in};
use crate::domain::import::formats::dimensions;
use crate::domain::import::table::{BindError, FieldError, Header, Row, normalize_name};
use crate::domain::import::{FileOptions, Format, LeftOut, RecordKind, RowParser};
use crate::domain::money::Currency;
use crate::domain::records::{Record, UsageGrain, UsageRecord};

/// The Cost Explorer download.
pub struct AwsCostExplorer;

/// The first column's name in the languages seen.
const SERVICE: &[&str] = &["Service", "Servicio", "Serviço", "Dienst", "Servizio"];

/// Whether a column is the totals column (`Total costs($)`).
fn is_total_column(name: &str) -> bool {
    normalize_name(name).starts_with("total")
}

/// The service columns: every column after the first whose name ends in a currency in
/// parentheses, the totals column aside.
fn service_columns(h: &Header) -> Vec<(usize, Currency)> {
    h.names
        .iter()
        .enumerate()
        .skip(1)
        .filter(|(_, n)| !is_total_column(n))
        .filter_map(|(i, n)| currency_in_header(n).map(|c| (i, c)))
        .collect()
}

impl Format for AwsCostExplorer {
    fn id(&self) -> &'static str {
        "aws-cost-explorer"
    }
    fn name(&self) -> &'static str {
        "AWS Cost Explorer download"
    }
    fn kind(&self) -> RecordKind {
        RecordKind::Usage
    }
    fn signature(&self) -> &'static str {
        "Service, <service>($), <service>($), ..., Total costs($) (one column per service, one row per period)"
    }
    fn detect(&self, h: &Header) -> bool {
        let first_is_service = h.find(SERVICE) == Some(0);
        let has_total = h.names.iter().skip(1).any(|n| is_total_column(n));
        first_is_service && (has_total || service_columns(h).len() >= 2)
    }
    fn bind(&self, h: &Header, _options: &FileOptions) -> Result<Box<dyn RowParser>, BindError> {
        let services = service_columns(h);
        if services.is_empty() {
            return Err(BindError::Other(
                "the file has no service columns such as 'Amazon Bedrock($)'".into(),
            ));
        }
        Ok(Box::new(AwsParser {
            services: services
                .into_iter()
                .map(|(i, currency)| Service {
                    column: i,
                    name: service_name(h.name(i)),
                    currency,
                    ai: is_ai(&[h.name(i)]),
                })
                .collect(),
            left_out: LeftOut::default(),
        }))
    }
}

/// `Claude Opus 4.6 (Amazon Bedrock Edition)($)` -> `Claude Opus 4.6 (Amazon Bedrock Edition)`.
fn service_name(header: &str) -> String {
    let h = header.trim();
    match h.rsplit_once('(') {
        Some((name, _)) if h.ends_with(')') => name.trim().to_string(),
        _ => h.to_string(),
    }
}

struct Service {
    column: usize,
    name: String,
    currency: Currency,
    ai: bool,
}

struct AwsParser {
    services: Vec<Service>,
    left_out: LeftOut,
}

impl RowParser for AwsParser {
    fn date_columns(&self) -> Vec<usize> {
        vec![0]
    }
    fn amount_columns(&self) -> Vec<usize> {
        self.services.iter().map(|s| s.column).collect()
    }
    fn default_date_order(&self) -> Option<crate::domain::import::DateOrder> {
        Some(crate::domain::import::DateOrder::MonthFirst)
    }
    fn left_out(&self) -> Option<&LeftOut> {
        Some(&self.left_out)
    }
    fn parse(&mut self, row: &Row<'_>, out: &mut Vec<Record>) -> Result<(), FieldError> {
        let period = row.text(0);
        if normalize_name(&period).contains("total") {
            // The totals row repeats every period's cells.
            return Ok(());
        }
        let day = row.datetime(0)?.date();
        for service in &self.services {
            let Some(cost) = row.opt_amount(Some(service.column))? else {
                continue;
            };
            if !service.ai {
                self.left_out.add(Some((cost, service.currency)));
                continue;
            }
            out.push(Record::Usage(UsageRecord {
                source_kind: "aws-cost-explorer",
                day: Some(day),
                provider: "aws".into(),
                model: model_in(&service.name),
                line_item: service.name.clone(),
                extra_dimensions: dimensions(&[("period", period.clone())]),
                cost: Some(cost),
                currency: service.currency,
                cost_text: row.text(service.column).into_owned(),
                grain: Some(UsageGrain::Detail),
                ..UsageRecord::default()
            }));
        }
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
    fn wide_file_with_a_marketplace_claude_column() {
        let mut csv = vec![0xEF, 0xBB, 0xBF];
        csv.extend_from_slice(
            b"\"Service\",\"EC2-Instances($)\",\"Amazon Bedrock($)\",\"Claude Opus 4.6 (Amazon Bedrock Edition)($)\",\"Tax($)\",\"Total costs($)\"\n\
\"Service total\",\"120.50\",\"4.2\",\"310.125\",\"40.00\",\"474.825\"\n\
\"2026-08-01\",\"60.25\",\"1.2\",\"150.000\",\"20.00\",\"231.45\"\n\
\"2026-09-01\",\"60.25\",\"3\",\"160.125\",\"20.00\",\"243.375\"\n",
        );
        let parsed = parse_bytes(&csv, &FileOptions::default()).unwrap();
        assert_eq!(parsed.format_id, "aws-cost-explorer");
        assert_eq!(parsed.rejected, []);
        let u = usage(&parsed);
        let got: Vec<_> = u
            .iter()
            .map(|r| {
                (
                    r.day.unwrap().to_string(),
                    r.model.as_str(),
                    r.cost.map(Amount::nanos),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("2026-08-01".into(), "", Some(1_200_000_000)),
                (
                    "2026-08-01".into(),
                    "claude-opus-4.6",
                    Some(150_000_000_000)
                ),
                ("2026-09-01".into(), "", Some(3_000_000_000)),
                (
                    "2026-09-01".into(),
                    "claude-opus-4.6",
                    Some(160_125_000_000)
                ),
            ]
        );
        assert_eq!(u[1].line_item, "Claude Opus 4.6 (Amazon Bedrock Edition)");
        let left = parsed.left_out.unwrap();
        assert_eq!(
            (left.rows, left.cost[0].amount.nanos()),
            (4, 160_500_000_000)
        );
    }
}
