//! PLACEHOLDER: to be written.
use crate::domain::import::table::{BindError, Header};
use crate::domain::import::{FileOptions, Format, RecordKind, RowParser};

pub struct EcbRates;
impl Format for EcbRates {
    fn id(&self) -> &'static str { "ecb-rates" }
    fn name(&self) -> &'static str { "ECB euro reference rates" }
    fn kind(&self) -> RecordKind { RecordKind::Rates }
    fn signature(&self) -> &'static str { "" }
    fn detect(&self, _h: &Header) -> bool { false }
    fn bind(&self, _h: &Header, _o: &FileOptions) -> Result<Box<dyn RowParser>, BindError> { Err(BindError::Other("not yet".into())) }
}
