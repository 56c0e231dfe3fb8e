//! PLACEHOLDER: to be written.
use crate::domain::import::table::{BindError, Header};
use crate::domain::import::{FileOptions, Format, RecordKind, RowParser};

pub struct AnthropicCost;
impl Format for AnthropicCost {
    fn id(&self) -> &'static str { "anthropic-cost" }
    fn name(&self) -> &'static str { "Anthropic Console cost export" }
    fn kind(&self) -> RecordKind { RecordKind::Usage }
    fn signature(&self) -> &'static str { "" }
    fn detect(&self, _h: &Header) -> bool { false }
    fn bind(&self, _h: &Header, _o: &FileOptions) -> Result<Box<dyn RowParser>, BindError> { Err(BindError::Other("not yet".into())) }
}

pub struct AnthropicTokens;
impl Format for AnthropicTokens {
    fn id(&self) -> &'static str { "anthropic-tokens" }
    fn name(&self) -> &'static str { "Anthropic Console token export" }
    fn kind(&self) -> RecordKind { RecordKind::Usage }
    fn signature(&self) -> &'static str { "" }
    fn detect(&self, _h: &Header) -> bool { false }
    fn bind(&self, _h: &Header, _o: &FileOptions) -> Result<Box<dyn RowParser>, BindError> { Err(BindError::Other("not yet".into())) }
}
