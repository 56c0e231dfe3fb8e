//! PLACEHOLDER: to be written.
use crate::domain::import::table::{BindError, Header};
use crate::domain::import::{FileOptions, Format, RecordKind, RowParser};

pub struct BurnrateBilling;
impl Format for BurnrateBilling {
    fn id(&self) -> &'static str { "burnrate-billing" }
    fn name(&self) -> &'static str { "burnrate billing CSV" }
    fn kind(&self) -> RecordKind { RecordKind::Billing }
    fn signature(&self) -> &'static str { "" }
    fn detect(&self, _h: &Header) -> bool { false }
    fn bind(&self, _h: &Header, _o: &FileOptions) -> Result<Box<dyn RowParser>, BindError> { Err(BindError::Other("not yet".into())) }
}

pub struct StripeInvoices;
impl Format for StripeInvoices {
    fn id(&self) -> &'static str { "stripe-invoices" }
    fn name(&self) -> &'static str { "Stripe invoice export" }
    fn kind(&self) -> RecordKind { RecordKind::Billing }
    fn signature(&self) -> &'static str { "" }
    fn detect(&self, _h: &Header) -> bool { false }
    fn bind(&self, _h: &Header, _o: &FileOptions) -> Result<Box<dyn RowParser>, BindError> { Err(BindError::Other("not yet".into())) }
}
