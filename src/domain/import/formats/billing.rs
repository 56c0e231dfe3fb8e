//! Billing files: burnrate's own billing CSV (`date,provider,number,kind,amount,currency,status`
//! plus optional `expires_at,description,organization,project`), the format users fill in from
//! receipts, and the Stripe Dashboard invoice export (amounts in major units, not cents).
//!
//! Amounts in the burnrate file are written positive: the kind says which way the money went,
//! so a negative amount is a row error rather than a guess. Dates are ISO dates or date-times
//! (offsets are applied, so they end up UTC); day-first or month-first dates are refused because
//! this file has no issuer convention to fall back on. An empty `provider` cell takes the user's
//! `--provider`; extra columns are ignored. A paid credit purchase or auto-recharge
//! without `expires_at` expires one year after it was bought, at the same time of day (29
//! February gives 28 February). Stripe invoice exports do not say which provider they are about;
//! the user's `--provider`, then the invoice description's merchant tag, then `stripe` decide it.

use chrono::NaiveDateTime;

use crate::domain::import::dates;
use crate::domain::import::table::{BindError, FieldError, Header, Row};
use crate::domain::import::{FileOptions, Format, RecordKind, RowParser};
use crate::domain::merchants;
use crate::domain::money::Amount;
use crate::domain::records::{BalanceReading, BillingKind, BillingRecord, BillingStatus, Record};

/// The canonical columns of the burnrate billing CSV, in the order the template writes them.
pub const BILLING_COLUMNS: [&str; 7] = [
    "date", "provider", "number", "kind", "amount", "currency", "status",
];

/// How long prepaid credits last when the file does not say.
const DEFAULT_CREDIT_LIFETIME_MONTHS: u32 = 12;

/// The `kind` of a row that records the balance the billing page showed (a checkpoint).
pub const BALANCE_KIND: &str = "balance";

fn list<T: Copy>(all: &[T], name: fn(T) -> &'static str) -> String {
    all.iter().map(|x| name(*x)).collect::<Vec<_>>().join(", ")
}

/// A date or date-time that starts with a four-digit year.
fn iso_datetime(row: &Row<'_>, column: usize) -> Result<NaiveDateTime, FieldError> {
    let text = row.text(column);
    if text.is_empty() {
        return Err(FieldError::at(column, "the date is empty"));
    }
    let bad = || {
        FieldError::at(
            column,
            format!("'{text}' is not an ISO date; write it as 2026-03-04 or 2026-03-04T10:15:00Z"),
        )
    };
    let bytes = text.as_bytes();
    let year_first = bytes
        .get(..4)
        .is_some_and(|y| y.iter().all(u8::is_ascii_digit))
        && bytes.get(4) == Some(&b'-');
    if !year_first {
        return Err(bad());
    }
    dates::parse_datetime(&text, None).ok_or_else(bad)
}

fn opt_iso_datetime(
    row: &Row<'_>,
    column: Option<usize>,
) -> Result<Option<NaiveDateTime>, FieldError> {
    match column {
        Some(c) if !row.text(c).is_empty() => iso_datetime(row, c).map(Some),
        _ => Ok(None),
    }
}

/// When a credit lot bought at `bought` runs out, if the file (or the receipt) does not say.
pub(crate) fn default_expiry(
    kind: BillingKind,
    status: BillingStatus,
    bought: NaiveDateTime,
) -> Option<NaiveDateTime> {
    let prepaid = matches!(
        kind,
        BillingKind::CreditPurchase | BillingKind::AutoRecharge
    );
    if !prepaid || status != BillingStatus::Paid {
        return None;
    }
    // chrono clamps to the month's last day, so 29 February gives 28 February.
    bought.checked_add_months(chrono::Months::new(DEFAULT_CREDIT_LIFETIME_MONTHS))
}

fn provider_option(options: &FileOptions) -> Option<String> {
    options
        .provider
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_lowercase)
}

/// burnrate's own billing CSV (see `assets/billing-template.csv`).
pub struct BurnrateBilling;

impl Format for BurnrateBilling {
    fn id(&self) -> &'static str {
        "burnrate-billing"
    }
    fn name(&self) -> &'static str {
        "burnrate billing CSV"
    }
    fn kind(&self) -> RecordKind {
        RecordKind::Billing
    }
    fn signature(&self) -> &'static str {
        "date, provider, number, kind, amount, currency, status, expires_at?, description?, organization?, project?"
    }
    fn detect(&self, h: &Header) -> bool {
        h.has_all(&BILLING_COLUMNS)
    }
    fn bind(&self, h: &Header, options: &FileOptions) -> Result<Box<dyn RowParser>, BindError> {
        Ok(Box::new(BillingParser {
            date: h.require(&["date"])?,
            provider: h.require(&["provider"])?,
            number: h.require(&["number"])?,
            kind: h.require(&["kind"])?,
            amount: h.require(&["amount"])?,
            currency: h.require(&["currency"])?,
            status: h.require(&["status"])?,
            expires_at: h.find(&["expires_at"]),
            description: h.find(&["description"]),
            organization: h.find(&["organization"]),
            project: h.find(&["project"]),
            provider_option: provider_option(options),
        }))
    }
}

struct BillingParser {
    date: usize,
    provider: usize,
    number: usize,
    kind: usize,
    amount: usize,
    currency: usize,
    status: usize,
    expires_at: Option<usize>,
    description: Option<usize>,
    organization: Option<usize>,
    project: Option<usize>,
    provider_option: Option<String>,
}

impl BillingParser {
    fn provider(&self, row: &Row<'_>) -> Result<String, FieldError> {
        let written = row.text(self.provider).to_lowercase();
        if !written.is_empty() {
            return Ok(written);
        }
        self.provider_option.clone().ok_or_else(|| {
            FieldError::at(
                self.provider,
                "the provider is empty; write who was paid (openai, anthropic, ...)",
            )
        })
    }
}

impl RowParser for BillingParser {
    fn parse(&mut self, row: &Row<'_>, out: &mut Vec<Record>) -> Result<(), FieldError> {
        let occurred_at = iso_datetime(row, self.date)?;
        let provider = self.provider(row)?;
        let kind_text = row.text(self.kind);
        let amount = row.amount(self.amount)?;
        if amount.is_negative() {
            return Err(FieldError::at(
                self.amount,
                "amounts are written positive; the kind says which way the money went",
            ));
        }
        let currency = row.currency(self.currency)?;
        // A `balance` row is what the billing page showed, not a payment.
        if kind_text.trim().eq_ignore_ascii_case(BALANCE_KIND) {
            out.push(Record::Balance(BalanceReading {
                at: occurred_at,
                provider,
                organization: row.opt_text(self.organization).trim().to_string(),
                amount,
                currency,
                amount_text: row.text(self.amount).into_owned(),
            }));
            return Ok(());
        }
        let kind = BillingKind::parse(&kind_text).ok_or_else(|| {
            let valid = list(&BillingKind::ALL, BillingKind::as_str);
            FieldError::at(
                self.kind,
                format!(
                    "'{kind_text}' is not a billing kind; use one of {valid} or {BALANCE_KIND}"
                ),
            )
        })?;
        let status_text = row.text(self.status);
        let status = BillingStatus::parse(&status_text).ok_or_else(|| {
            let valid = list(&BillingStatus::ALL, BillingStatus::as_str);
            FieldError::at(
                self.status,
                format!("'{status_text}' is not a billing status; use one of {valid}"),
            )
        })?;
        let expires_at = match opt_iso_datetime(row, self.expires_at)? {
            Some(at) if at < occurred_at => {
                let column = self.expires_at.unwrap_or(self.date);
                return Err(FieldError::at(
                    column,
                    "the credits expire before the date they were bought",
                ));
            }
            Some(at) => Some(at),
            None => default_expiry(kind, status, occurred_at),
        };
        out.push(Record::Billing(BillingRecord {
            occurred_at,
            provider,
            number: row.text(self.number).into_owned(),
            kind,
            amount,
            currency,
            amount_text: row.text(self.amount).into_owned(),
            status,
            expires_at,
            description: row.opt_text(self.description).into_owned(),
            organization: row.opt_text(self.organization).into_owned(),
            project: row.opt_text(self.project).into_owned(),
            details: crate::domain::records::BillingDetails::default(),
        }));
        Ok(())
    }
}

/// The Stripe Dashboard invoice export (Invoices -> Export), as a merchant downloads it.
pub struct StripeInvoices;

impl Format for StripeInvoices {
    fn id(&self) -> &'static str {
        "stripe-invoices"
    }
    fn name(&self) -> &'static str {
        "Stripe invoice export"
    }
    fn kind(&self) -> RecordKind {
        RecordKind::Billing
    }
    fn signature(&self) -> &'static str {
        "id, Number, Customer, Subscription, Status, Currency, Amount Due, Total, Date (UTC), Paid At (UTC), Description, ..."
    }
    fn detect(&self, h: &Header) -> bool {
        h.has_all(&["number", "status", "currency", "amount due", "date (utc)"])
    }
    fn bind(&self, h: &Header, options: &FileOptions) -> Result<Box<dyn RowParser>, BindError> {
        Ok(Box::new(StripeParser {
            id: h.find(&["id"]),
            number: h.require(&["number"])?,
            customer: h.find(&["customer"]),
            customer_name: h.find(&["customer name"]),
            subscription: h.find(&["subscription"]),
            status: h.require(&["status"])?,
            currency: h.require(&["currency"])?,
            amount_due: h.require(&["amount due"])?,
            total: h.find(&["total"]),
            date: h.require(&["date (utc)"])?,
            paid_at: h.find(&["paid at (utc)"]),
            description: h.find(&["description"]),
            provider_option: provider_option(options),
        }))
    }
}

struct StripeParser {
    id: Option<usize>,
    number: usize,
    customer: Option<usize>,
    customer_name: Option<usize>,
    subscription: Option<usize>,
    status: usize,
    currency: usize,
    amount_due: usize,
    total: Option<usize>,
    date: usize,
    paid_at: Option<usize>,
    description: Option<usize>,
    provider_option: Option<String>,
}

/// Stripe's invoice states, as burnrate's billing states.
fn stripe_status(text: &str) -> Option<BillingStatus> {
    match text.trim().to_ascii_lowercase().as_str() {
        "paid" => Some(BillingStatus::Paid),
        "open" | "draft" => Some(BillingStatus::Pending),
        "void" => Some(BillingStatus::Void),
        "uncollectible" => Some(BillingStatus::Failed),
        _ => None,
    }
}

impl StripeParser {
    /// `Total`, or `Amount Due` when the export has no total; with the column it came from.
    fn amount(&self, row: &Row<'_>) -> Result<(Amount, usize), FieldError> {
        let column = match self.total {
            Some(c) if !row.text(c).is_empty() => c,
            _ => self.amount_due,
        };
        let amount = row.amount(column)?;
        if amount.is_negative() {
            return Err(FieldError::at(
                column,
                "a negative invoice total is a credit to the customer, not a payment; import the credit note by hand",
            ));
        }
        Ok((amount, column))
    }
}

impl RowParser for StripeParser {
    fn parse(&mut self, row: &Row<'_>, out: &mut Vec<Record>) -> Result<(), FieldError> {
        let status_text = row.text(self.status);
        let status = stripe_status(&status_text).ok_or_else(|| {
            FieldError::at(self.status, format!("'{status_text}' is not a Stripe invoice status; expected one of paid, open, draft, void, uncollectible"))
        })?;
        let paid_at = if status == BillingStatus::Paid {
            row.opt_datetime(self.paid_at)?
        } else {
            None
        };
        let occurred_at = match paid_at {
            Some(at) => at,
            None => row.datetime(self.date)?,
        };
        let (amount, amount_column) = self.amount(row)?;
        let currency = row.currency(self.currency)?;
        let description = row.opt_text(self.description).into_owned();
        let provider = self
            .provider_option
            .clone()
            .or_else(|| merchants::tag(&description, &[]).map(|t| t.provider))
            .unwrap_or_else(|| "stripe".to_string());
        let kind = if row.opt_text(self.subscription).is_empty() {
            BillingKind::Invoice
        } else {
            BillingKind::Subscription
        };
        let number = {
            let n = row.text(self.number);
            if n.is_empty() {
                row.opt_text(self.id).into_owned()
            } else {
                n.into_owned()
            }
        };
        let organization = {
            let name = row.opt_text(self.customer_name);
            if name.is_empty() {
                row.opt_text(self.customer).into_owned()
            } else {
                name.into_owned()
            }
        };
        out.push(Record::Billing(BillingRecord {
            occurred_at,
            provider,
            number,
            kind,
            amount,
            currency,
            amount_text: row.text(amount_column).into_owned(),
            status,
            expires_at: None,
            description,
            organization,
            project: String::new(),
            details: crate::domain::records::BillingDetails::default(),
        }));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::import::{ParsedFile, parse_bytes};

    const HEADER: &str = "date,provider,number,kind,amount,currency,status,expires_at,description,organization,project\n";

    fn parse_with(text: &str, options: &FileOptions) -> ParsedFile {
        parse_bytes(text.as_bytes(), options).unwrap()
    }

    fn parse(text: &str) -> ParsedFile {
        parse_with(text, &FileOptions::default())
    }

    fn billing(parsed: &ParsedFile) -> Vec<&BillingRecord> {
        parsed
            .records
            .iter()
            .filter_map(|r| {
                if let Record::Billing(b) = r {
                    Some(b)
                } else {
                    None
                }
            })
            .collect()
    }

    fn at(text: &str) -> NaiveDateTime {
        dates::parse_datetime(text, None).unwrap()
    }

    #[test]
    fn reads_every_kind_with_exact_amounts() {
        // (row, kind, status, amount nanos, expires_at)
        let cases: &[(&str, BillingKind, BillingStatus, i64, Option<&str>)] = &[
            (
                "2026-03-04,OpenAI,2201-4471,credit_purchase,50.00,usd,paid,,,,",
                BillingKind::CreditPurchase,
                BillingStatus::Paid,
                50_000_000_000,
                Some("2027-03-04 00:00:00"),
            ),
            (
                "2026-03-04T10:15:00Z,openai,,auto_recharge,20,USD,paid,,,,",
                BillingKind::AutoRecharge,
                BillingStatus::Paid,
                20_000_000_000,
                Some("2027-03-04 10:15:00"),
            ),
            (
                "2024-02-29T08:00:00Z,anthropic,,credit_purchase,5.5,USD,paid,,,,",
                BillingKind::CreditPurchase,
                BillingStatus::Paid,
                5_500_000_000,
                Some("2025-02-28 08:00:00"),
            ),
            (
                "2026-03-04,openai,,credit_purchase,50,USD,pending,,,,",
                BillingKind::CreditPurchase,
                BillingStatus::Pending,
                50_000_000_000,
                None,
            ),
            (
                "2026-03-04,anthropic,,free_credit,5,USD,paid,,,,",
                BillingKind::FreeCredit,
                BillingStatus::Paid,
                5_000_000_000,
                None,
            ),
            (
                "2026-03-04,anthropic,,free_credit,5,USD,paid,2026-06-01,,,",
                BillingKind::FreeCredit,
                BillingStatus::Paid,
                5_000_000_000,
                Some("2026-06-01 00:00:00"),
            ),
            (
                "2026-03-04,openai,,credit_purchase,10,USD,paid,2026-09-04T00:00:00+02:00,,,",
                BillingKind::CreditPurchase,
                BillingStatus::Paid,
                10_000_000_000,
                Some("2026-09-03 22:00:00"),
            ),
            (
                "2026-03-04,midjourney,EB5152EE-0021,subscription,10.89,USD,paid,,,,",
                BillingKind::Subscription,
                BillingStatus::Paid,
                10_890_000_000,
                None,
            ),
            (
                "2026-03-31,openai,INV-7,invoice,123.456789,USD,void,,,,",
                BillingKind::Invoice,
                BillingStatus::Void,
                123_456_789_000,
                None,
            ),
            (
                "2026-04-02,openai,,refund,0.01,eur,refunded,,,,",
                BillingKind::Refund,
                BillingStatus::Refunded,
                10_000_000,
                None,
            ),
            (
                "2026-04-02,openai,,Credit Purchase,1,USD,FAILED,,,,",
                BillingKind::CreditPurchase,
                BillingStatus::Failed,
                1_000_000_000,
                None,
            ),
        ];
        for (row, kind, status, nanos, expires) in cases {
            let parsed = parse(&format!("{HEADER}{row}\n"));
            assert_eq!(parsed.format_id, "burnrate-billing");
            assert!(parsed.rejected.is_empty(), "{row}: {:?}", parsed.rejected);
            let b = billing(&parsed)[0];
            assert_eq!(
                (b.kind, b.status, b.amount.nanos()),
                (*kind, *status, *nanos),
                "{row}"
            );
            assert_eq!(
                b.expires_at.map(|t| t.to_string()).as_deref(),
                *expires,
                "{row}"
            );
            assert_eq!(b.provider, b.provider.to_lowercase());
            assert_eq!(b.currency.as_str(), b.currency.to_ascii_uppercase());
        }
    }

    #[test]
    fn keeps_text_and_optional_columns_in_any_order() {
        let parsed = parse(
            "status,currency,amount,kind,number,provider,date,project,note,organization\n\
             paid,USD,\"1,250.00\",invoice,INV-0042,OpenAI,2026-05-01,Backend,ignored,Acme Ltd\n",
        );
        let b = billing(&parsed)[0];
        assert_eq!(b.provider, "openai");
        assert_eq!(b.number, "INV-0042");
        assert_eq!(b.amount.nanos(), 1_250_000_000_000);
        assert_eq!(b.amount_text, "1,250.00");
        assert_eq!(
            (
                b.organization.as_str(),
                b.project.as_str(),
                b.description.as_str()
            ),
            ("Acme Ltd", "Backend", "")
        );
        assert_eq!(b.occurred_at, at("2026-05-01"));
    }

    #[test]
    fn bad_rows_say_line_column_and_reason() {
        // (row, column, column name, reason fragment)
        let cases: &[(&str, usize, &str, &str)] = &[
            (
                "2026-03-04,openai,,top_up,50,USD,paid",
                4,
                "kind",
                "'top_up' is not a billing kind; use one of credit_purchase, auto_recharge, free_credit, subscription, invoice, refund",
            ),
            (
                "2026-03-04,openai,,credit_purchase,50,USD,settled",
                7,
                "status",
                "'settled' is not a billing status; use one of paid, pending, failed, void, refunded",
            ),
            (
                "2026-03-04,openai,,credit_purchase,fifty,USD,paid",
                5,
                "amount",
                "'fifty' is not a number",
            ),
            (
                "2026-03-04,openai,,credit_purchase,,USD,paid",
                5,
                "amount",
                "the amount is empty",
            ),
            (
                "2026-03-04,openai,,refund,-5.00,USD,refunded",
                5,
                "amount",
                "amounts are written positive; the kind says which way the money went",
            ),
            (
                "04/03/2026,openai,,credit_purchase,50,USD,paid",
                1,
                "date",
                "'04/03/2026' is not an ISO date",
            ),
            (
                "2026-02-30,openai,,credit_purchase,50,USD,paid",
                1,
                "date",
                "'2026-02-30' is not an ISO date",
            ),
            (
                "2026-03-04,openai,,credit_purchase,50,US Dollar,paid",
                6,
                "currency",
                "not a currency code",
            ),
            (
                "2026-03-04,,,credit_purchase,50,USD,paid",
                2,
                "provider",
                "the provider is empty",
            ),
            (
                "2026-03-04,openai,,credit_purchase,50,USD,paid,2025-01-01",
                8,
                "expires_at",
                "expire before",
            ),
        ];
        for (row, column, name, reason) in cases {
            let parsed = parse(&format!(
                "date,provider,number,kind,amount,currency,status,expires_at\n2026-01-01,openai,,invoice,1,USD,paid,\n{row}\n"
            ));
            assert_eq!(
                (parsed.records.len(), parsed.rejected.len()),
                (1, 1),
                "{row}"
            );
            let e = &parsed.rejected[0];
            assert_eq!(
                (e.line, e.column, e.column_name.as_str()),
                (3, Some(*column), *name),
                "{row}"
            );
            assert!(e.reason.contains(reason), "{row}: {}", e.reason);
        }
    }

    #[test]
    fn empty_provider_takes_the_users_answer() {
        let options = FileOptions {
            provider: Some(" Anthropic ".into()),
            ..FileOptions::default()
        };
        let parsed = parse_with(
            &format!("{HEADER}2026-03-04,,,credit_purchase,5,USD,paid,,,,\n"),
            &options,
        );
        assert_eq!(billing(&parsed)[0].provider, "anthropic");
    }

    #[test]
    fn bom_crlf_and_multiline_quoted_description() {
        let text = "date,provider,number,kind,amount,currency,status,description\r\n\
                    2026-03-04,openai,,credit_purchase,50.00,USD,paid,\"API credits, March\r\nreceipt #2201-4471\"\r\n\
                    2026-03-05,anthropic,,free_credit,5.00,USD,paid,\"Startup \"\"program\"\"\"\r\n\
                    2026-03-06,openai,,credit_purchase,oops,USD,paid,\r\n";
        let mut bytes = vec![0xEF, 0xBB, 0xBF];
        bytes.extend_from_slice(text.as_bytes());
        let parsed = parse_bytes(&bytes, &FileOptions::default()).unwrap();
        assert_eq!(parsed.format_id, "burnrate-billing");
        let b = billing(&parsed);
        assert_eq!(b.len(), 2);
        assert_eq!(b[0].description, "API credits, March\nreceipt #2201-4471");
        assert_eq!(b[1].description, "Startup \"program\"");
        let e = &parsed.rejected[0];
        assert_eq!(
            (e.line, e.column_name.as_str()),
            (5, "amount"),
            "the multi-line row counts two lines"
        );
    }

    const STRIPE_HEADER: &str = "id,Number,Customer,Customer Name,Customer Email,Subscription,Status,Currency,Amount Due,Amount Paid,Subtotal,Tax,Total,Date (UTC),Due Date (UTC),Paid At (UTC),Paid,Description\n";

    #[test]
    fn stripe_invoices_map_status_kind_date_and_amount() {
        // (row, number, kind, status, date, amount nanos, provider)
        let cases: &[(&str, &str, BillingKind, BillingStatus, &str, i64, &str)] = &[
            (
                "in_1AAA,EB5152EE-0021,cus_1,Ada Lovelace,ada@example.com,sub_1,paid,usd,10.89,10.89,10.00,0.89,10.89,2024-11-29 14:03,,2024-11-29 14:05,true,Midjourney Basic Plan",
                "EB5152EE-0021",
                BillingKind::Subscription,
                BillingStatus::Paid,
                "2024-11-29 14:05:00",
                10_890_000_000,
                "midjourney",
            ),
            (
                "in_1BBB,,cus_2,,bob@example.com,,open,eur,120.00,0.00,100.00,20.00,,2026-01-10 09:00,2026-02-09 09:00,,false,Consulting",
                "in_1BBB",
                BillingKind::Invoice,
                BillingStatus::Pending,
                "2026-01-10 09:00:00",
                120_000_000_000,
                "stripe",
            ),
            (
                "in_1CCC,ABC-0003,cus_3,Acme,,,void,usd,5.00,0.00,5.00,0.00,5.00,2026-02-01 00:00,,,false,OpenAI API credits",
                "ABC-0003",
                BillingKind::Invoice,
                BillingStatus::Void,
                "2026-02-01 00:00:00",
                5_000_000_000,
                "openai",
            ),
            (
                "in_1DDD,ABC-0004,cus_3,Acme,,,uncollectible,usd,7.00,0.00,7.00,0.00,7.00,2026-02-02 00:00,,,false,",
                "ABC-0004",
                BillingKind::Invoice,
                BillingStatus::Failed,
                "2026-02-02 00:00:00",
                7_000_000_000,
                "stripe",
            ),
            (
                "in_1EEE,ABC-0005,cus_3,Acme,,,draft,usd,8.00,0.00,8.00,0.00,8.00,2026-02-03 00:00,,,false,",
                "ABC-0005",
                BillingKind::Invoice,
                BillingStatus::Pending,
                "2026-02-03 00:00:00",
                8_000_000_000,
                "stripe",
            ),
        ];
        for (row, number, kind, status, date, nanos, provider) in cases {
            let parsed = parse(&format!("{STRIPE_HEADER}{row}\n"));
            assert_eq!(parsed.format_id, "stripe-invoices");
            assert!(parsed.rejected.is_empty(), "{row}: {:?}", parsed.rejected);
            let b = billing(&parsed)[0];
            assert_eq!(b.number, *number);
            assert_eq!((b.kind, b.status), (*kind, *status), "{row}");
            assert_eq!(b.occurred_at.to_string(), *date, "{row}");
            assert_eq!(b.amount.nanos(), *nanos, "{row}");
            assert_eq!(b.provider, *provider, "{row}");
            assert_eq!(b.expires_at, None);
        }
    }

    #[test]
    fn stripe_provider_option_wins_over_description() {
        let options = FileOptions {
            provider: Some("Cursor".into()),
            ..FileOptions::default()
        };
        let row = "in_1,N-1,cus_1,Me,,sub_9,paid,usd,20.00,20.00,20.00,0,20.00,2026-03-01 10:00,,2026-03-01 10:01,true,ChatGPT Plus Subscription\n";
        let parsed = parse_with(&format!("{STRIPE_HEADER}{row}"), &options);
        assert_eq!(billing(&parsed)[0].provider, "cursor");
        let parsed = parse(&format!("{STRIPE_HEADER}{row}"));
        assert_eq!(billing(&parsed)[0].provider, "openai");
    }

    #[test]
    fn stripe_bad_rows() {
        let cases: &[(&str, &str, &str)] = &[
            (
                "in_1,N-1,cus_1,Me,,,refunded,usd,1,1,1,0,1,2026-03-01 10:00,,,true,",
                "Status",
                "'refunded' is not a Stripe invoice status",
            ),
            (
                "in_1,N-1,cus_1,Me,,,open,usd,1,0,1,0,-1.00,2026-03-01 10:00,,,false,",
                "Total",
                "negative invoice total",
            ),
            (
                "in_1,N-1,cus_1,Me,,,open,usd,1,0,1,0,1,soon,,,false,",
                "Date (UTC)",
                "'soon' is not a date",
            ),
        ];
        for (row, name, reason) in cases {
            let parsed = parse(&format!("{STRIPE_HEADER}{row}\n"));
            let e = &parsed.rejected[0];
            assert_eq!((e.line, e.column_name.as_str()), (2, *name), "{row}");
            assert!(e.reason.contains(reason), "{row}: {}", e.reason);
        }
    }

    #[test]
    fn stripe_payment_exports_are_not_invoice_exports() {
        let payments = Header::new(
            [
                "id",
                "description",
                "created",
                "amount",
                "amount_refunded",
                "currency",
                "fee",
                "status",
                "customer_id",
                "invoice_id",
            ]
            .map(String::from)
            .to_vec(),
            1,
        );
        let balance = Header::new(
            [
                "balance_transaction_id",
                "created_utc",
                "currency",
                "gross",
                "fee",
                "net",
                "reporting_category",
                "description",
            ]
            .map(String::from)
            .to_vec(),
            1,
        );
        for h in [&payments, &balance] {
            assert!(
                !StripeInvoices.detect(h) && !BurnrateBilling.detect(h),
                "{h:?}"
            );
        }
    }
}
