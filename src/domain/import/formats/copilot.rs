//! GitHub's billing usage report and its Copilot premium-request and AI-usage reports, every era
//! (`date,product,sku,quantity,unit_type,applied_cost_per_quantity,gross_amount,discount_amount,
//! net_amount,...` with or without `username`, `model`, `exceeds_quota`, token columns), and the
//! legacy premium-requests CSV (`"Timestamp","User","Model","Requests Used",...`, no cost).
//!
//! `net_amount` is what the account is billed; `discount_amount` is the plan's included
//! allowance, so a row the allowance covered entirely is [`UsageCharge::Included`]. Negative
//! gross rows are refunds and lower the total. The project is the repository, else the cost
//! centre, else the organization. Rows are aggregates without an id: every dimension column
//! (day, product, SKU, model, user, organization, repository, workflow, cost centre) is part of
//! the key, so the same user and model on two SKUs are two records.
//!
//! The billing usage report covers every GitHub product; only Copilot (and coding agent, AI
//! credit) rows are AI spend. Actions minutes, storage and the rest are left out and counted in
//! the import report.

use std::borrow::Cow;

use super::dimensions;
use crate::domain::import::table::{BindError, FieldError, Header, Row};
use crate::domain::import::{FileOptions, Format, LeftOut, RecordKind, RowParser};
use crate::domain::money::{Amount, Currency, NANOS_PER_UNIT};
use crate::domain::records::{Record, UsageCharge, UsageGrain, UsageRecord};

/// The billing and Copilot usage reports.
pub struct GithubCopilot;

const REPORT: &[&str] = &[
    "date",
    "product",
    "sku",
    "quantity",
    "unit_type",
    "net_amount",
];
const LEGACY: &[&str] = &["Timestamp", "User", "Model", "Requests Used"];

impl Format for GithubCopilot {
    fn id(&self) -> &'static str {
        "github-copilot"
    }
    fn name(&self) -> &'static str {
        "GitHub Copilot usage report"
    }
    fn kind(&self) -> RecordKind {
        RecordKind::Usage
    }
    fn signature(&self) -> &'static str {
        "date, product, sku, quantity, unit_type, applied_cost_per_quantity, gross_amount, discount_amount, net_amount, username?, organization?, repository?, cost_center_name?, model?, ... (or Timestamp, User, Model, Requests Used, ...)"
    }
    fn detect(&self, h: &Header) -> bool {
        h.has_all(REPORT) || h.has_all(LEGACY)
    }
    fn bind(&self, h: &Header, _options: &FileOptions) -> Result<Box<dyn RowParser>, BindError> {
        if !h.has_all(REPORT) {
            return Ok(Box::new(LegacyParser {
                at: h.require(&["Timestamp"])?,
                user: h.require(&["User"])?,
                model: h.require(&["Model"])?,
                requests: h.require(&["Requests Used"])?,
                exceeds: h.find(&["Exceeds Monthly Quota"]),
                quota: h.find(&["Total Monthly Quota"]),
            }));
        }
        Ok(Box::new(ReportParser {
            date: h.require(&["date"])?,
            product: h.require(&["product"])?,
            sku: h.require(&["sku"])?,
            quantity: h.require(&["quantity"])?,
            unit_type: h.require(&["unit_type"])?,
            gross: h.find(&["gross_amount"]),
            discount: h.find(&["discount_amount"]),
            net: h.require(&["net_amount"])?,
            username: h.find(&["username"]),
            organization: h.find(&["organization"]),
            repository: h.find(&["repository"]),
            workflow: h.find(&["workflow_path"]),
            cost_center: h.find(&["cost_center_name"]),
            model: h.find(&["model"]),
            exceeds: h.find(&["exceeds_quota"]),
            tokens: ["input", "output", "cache_read", "cache_write"]
                .iter()
                .filter_map(|name| h.find(&[name]))
                .collect(),
            left_out: LeftOut::default(),
        }))
    }
}

/// Whether a product or SKU is Copilot's (premium requests, coding agent, AI credits).
fn is_copilot(product: &str, sku: &str) -> bool {
    let p = product.to_lowercase();
    let s = sku.to_lowercase();
    p.contains("copilot")
        || s.contains("copilot")
        || s.contains("coding_agent")
        || s.contains("ai_credit")
}

/// A quantity as a whole count, or `None` when it is fractional (model multipliers weight
/// premium requests: `3.6`).
fn whole(quantity: Amount) -> Option<i64> {
    (quantity.nanos() % NANOS_PER_UNIT == 0).then(|| quantity.nanos() / NANOS_PER_UNIT)
}

struct ReportParser {
    date: usize,
    product: usize,
    sku: usize,
    quantity: usize,
    unit_type: usize,
    gross: Option<usize>,
    discount: Option<usize>,
    net: usize,
    username: Option<usize>,
    organization: Option<usize>,
    repository: Option<usize>,
    workflow: Option<usize>,
    cost_center: Option<usize>,
    model: Option<usize>,
    exceeds: Option<usize>,
    tokens: Vec<usize>,
    left_out: LeftOut,
}

impl RowParser for ReportParser {
    fn amount_columns(&self) -> Vec<usize> {
        [
            Some(self.quantity),
            self.gross,
            self.discount,
            Some(self.net),
        ]
        .into_iter()
        .flatten()
        .collect()
    }
    fn left_out(&self) -> Option<&LeftOut> {
        Some(&self.left_out)
    }
    fn parse(&mut self, row: &Row<'_>, out: &mut Vec<Record>) -> Result<(), FieldError> {
        let day = row.datetime(self.date)?.date();
        let net = row.amount(self.net)?;
        let product = row.text(self.product);
        let sku = row.text(self.sku);
        if !is_copilot(&product, &sku) {
            self.left_out.add(Some((net, Currency::USD)));
            return Ok(());
        }
        let gross = row.opt_amount(self.gross)?;
        let quantity = row.amount(self.quantity)?;
        let unit = row.text(self.unit_type);
        let organization = row.opt_text(self.organization).into_owned();
        let repository = row.opt_text(self.repository);
        let cost_center = row.opt_text(self.cost_center);
        let project = [&repository, &cost_center]
            .into_iter()
            .find(|p| !p.is_empty())
            .map_or_else(|| organization.clone(), ToString::to_string);
        let mut tokens: Option<i64> = None;
        for &c in &self.tokens {
            if let Some(n) = row.opt_count(Some(c))? {
                tokens = Some(tokens.unwrap_or(0).saturating_add(n));
            }
        }
        // The plan's allowance covered the whole row: nothing billed, the usage included.
        let charge = match gross {
            Some(g) if net.is_zero() && !g.is_zero() => UsageCharge::Included,
            _ => UsageCharge::Billed,
        };
        out.push(Record::Usage(UsageRecord {
            source_kind: "github-copilot",
            day: Some(day),
            provider: "github".into(),
            organization_id: organization.clone(),
            organization_name: organization,
            project_name: project,
            model: row.opt_text(self.model).into_owned(),
            line_item: sku.into_owned(),
            user: row.opt_text(self.username).into_owned(),
            extra_dimensions: dimensions(&[
                ("product", product),
                ("repository", repository),
                ("workflow", row.opt_text(self.workflow)),
                ("cost_center", cost_center),
                ("exceeds_quota", row.opt_text(self.exceeds)),
            ]),
            tokens,
            requests: if unit.eq_ignore_ascii_case("requests") {
                whole(quantity)
            } else {
                None
            },
            cost: Some(net),
            currency: Currency::USD,
            cost_text: row.text(self.net).into_owned(),
            grain: Some(UsageGrain::Detail),
            charge,
            ..UsageRecord::default()
        }));
        Ok(())
    }
}

/// The premium-requests CSV GitHub gave until October 2025: requests per user and model, no
/// money.
struct LegacyParser {
    at: usize,
    user: usize,
    model: usize,
    requests: usize,
    exceeds: Option<usize>,
    quota: Option<usize>,
}

impl RowParser for LegacyParser {
    fn amount_columns(&self) -> Vec<usize> {
        vec![self.requests]
    }
    fn parse(&mut self, row: &Row<'_>, out: &mut Vec<Record>) -> Result<(), FieldError> {
        let at = row.datetime(self.at)?;
        let requests = row.amount(self.requests)?;
        out.push(Record::Usage(UsageRecord {
            source_kind: "github-copilot",
            day: Some(at.date()),
            provider: "github".into(),
            model: row.text(self.model).into_owned(),
            line_item: "copilot_premium_request".into(),
            user: row.text(self.user).into_owned(),
            extra_dimensions: dimensions(&[
                ("at", row.text(self.at)),
                ("exceeds_quota", row.opt_text(self.exceeds)),
                ("monthly_quota", row.opt_text(self.quota)),
                ("requests", Cow::Owned(requests.to_string())),
            ]),
            requests: whole(requests),
            grain: Some(UsageGrain::Detail),
            currency: Currency::USD,
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
    fn every_era_with_refunds_allowances_and_other_products() {
        let csv = "date,product,sku,quantity,unit_type,applied_cost_per_quantity,gross_amount,discount_amount,net_amount,username,organization,repository,workflow_path,cost_center_name\n\
2026-01-02,copilot,copilot_premium_request,37,requests,0.04,1.48,1.48,0,alice,acme,acme/web,,\n\
2026-01-02,copilot,copilot_premium_request,50,requests,0.04,2.00,0.00,2.00,bob,acme,,,Platform\n\
2026-01-03,copilot,copilot_premium_request,-10,requests,0.04,-0.40,0,-0.40,bob,acme,,,Platform\n\
2026-01-02,actions,actions_linux,120,minutes,0.008,0.96,0,0.96,,acme,acme/web,.github/workflows/ci.yml,\n";
        let parsed = parse_bytes(csv.as_bytes(), &FileOptions::default()).unwrap();
        assert_eq!(parsed.format_id, "github-copilot");
        let u = usage(&parsed);
        let got: Vec<_> = u
            .iter()
            .map(|r| (r.cost.unwrap().nanos(), r.charge, r.project_name.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                (0, UsageCharge::Included, "acme/web"),
                (2_000_000_000, UsageCharge::Billed, "Platform"),
                (-400_000_000, UsageCharge::Billed, "Platform"),
            ]
        );
        let left = parsed.left_out.unwrap();
        assert_eq!(left.rows, 1);
        assert_eq!(left.cost[0].amount.nanos(), 960_000_000);

        let ai_credits = "date,username,product,sku,model,quantity,unit_type,applied_cost_per_quantity,gross_amount,discount_amount,net_amount,organization,cost_center_name,input,output,cache_read,cache_write,total_monthly_quota,repository,aic_quantity,aic_gross_amount\n\
2026-09-01,user-a,copilot,copilot_premium_request,\"Auto: claude-sonnet-4\",120,ai-credits,0.01,1.20,0,1.20,sample-org,CC-A,1000,200,50,10,500,sample-org/sample-repo,120,1.20\n\
2026-09-01,user-a,copilot,coding_agent_premium_request,\"Auto: claude-sonnet-4\",3.6,requests,0.04,0.144,0,0.144,sample-org,CC-A,,,,,500,sample-org/sample-repo,,\n";
        let parsed = parse_bytes(ai_credits.as_bytes(), &FileOptions::default()).unwrap();
        let u = usage(&parsed);
        assert_eq!(u.len(), 2);
        assert_eq!(
            (u[0].tokens, u[0].requests, u[1].requests),
            (Some(1260), None, None)
        );
        assert_ne!(
            u[0].natural_key(),
            u[1].natural_key(),
            "the SKU tells them apart"
        );
        assert_eq!(u[0].project_name, "sample-org/sample-repo");

        let legacy = "\"Timestamp\",\"User\",\"Model\",\"Requests Used\",\"Exceeds Monthly Quota\",\"Total Monthly Quota\"\n\
\"2025-06-18T21:04:07Z\",\"alice\",\"claude-sonnet-4\",\"1.0\",\"False\",\"300\"\n";
        let parsed = parse_bytes(legacy.as_bytes(), &FileOptions::default()).unwrap();
        let u = usage(&parsed);
        assert_eq!(
            (u[0].cost, u[0].requests, u[0].user.as_str()),
            (None, Some(1), "alice")
        );
    }
}
