//! PLACEHOLDER: to be written.
use crate::domain::import::table::{BindError, Header};
use crate::domain::import::{FileOptions, Format, RecordKind, RowParser};

pub struct PayPal;
impl Format for PayPal {
    fn id(&self) -> &'static str { "paypal" }
    fn name(&self) -> &'static str { "PayPal activity download" }
    fn kind(&self) -> RecordKind { RecordKind::Bank }
    fn signature(&self) -> &'static str { "" }
    fn detect(&self, _h: &Header) -> bool { false }
    fn bind(&self, _h: &Header, _o: &FileOptions) -> Result<Box<dyn RowParser>, BindError> { Err(BindError::Other("not yet".into())) }
}
