//! PLACEHOLDER: to be written.
use crate::domain::import::table::{BindError, Header};
use crate::domain::import::{FileOptions, Format, RecordKind, RowParser};

pub struct ChaseCard;
impl Format for ChaseCard {
    fn id(&self) -> &'static str { "chase-card" }
    fn name(&self) -> &'static str { "Chase credit card" }
    fn kind(&self) -> RecordKind { RecordKind::Bank }
    fn signature(&self) -> &'static str { "" }
    fn detect(&self, _h: &Header) -> bool { false }
    fn bind(&self, _h: &Header, _o: &FileOptions) -> Result<Box<dyn RowParser>, BindError> { Err(BindError::Other("not yet".into())) }
}

pub struct ChaseChecking;
impl Format for ChaseChecking {
    fn id(&self) -> &'static str { "chase-checking" }
    fn name(&self) -> &'static str { "Chase checking" }
    fn kind(&self) -> RecordKind { RecordKind::Bank }
    fn signature(&self) -> &'static str { "" }
    fn detect(&self, _h: &Header) -> bool { false }
    fn bind(&self, _h: &Header, _o: &FileOptions) -> Result<Box<dyn RowParser>, BindError> { Err(BindError::Other("not yet".into())) }
}

pub struct AppleCard;
impl Format for AppleCard {
    fn id(&self) -> &'static str { "apple-card" }
    fn name(&self) -> &'static str { "Apple Card" }
    fn kind(&self) -> RecordKind { RecordKind::Bank }
    fn signature(&self) -> &'static str { "" }
    fn detect(&self, _h: &Header) -> bool { false }
    fn bind(&self, _h: &Header, _o: &FileOptions) -> Result<Box<dyn RowParser>, BindError> { Err(BindError::Other("not yet".into())) }
}

pub struct CapitalOne;
impl Format for CapitalOne {
    fn id(&self) -> &'static str { "capital-one" }
    fn name(&self) -> &'static str { "Capital One card" }
    fn kind(&self) -> RecordKind { RecordKind::Bank }
    fn signature(&self) -> &'static str { "" }
    fn detect(&self, _h: &Header) -> bool { false }
    fn bind(&self, _h: &Header, _o: &FileOptions) -> Result<Box<dyn RowParser>, BindError> { Err(BindError::Other("not yet".into())) }
}

pub struct CapitalOne360;
impl Format for CapitalOne360 {
    fn id(&self) -> &'static str { "capital-one-360" }
    fn name(&self) -> &'static str { "Capital One 360" }
    fn kind(&self) -> RecordKind { RecordKind::Bank }
    fn signature(&self) -> &'static str { "" }
    fn detect(&self, _h: &Header) -> bool { false }
    fn bind(&self, _h: &Header, _o: &FileOptions) -> Result<Box<dyn RowParser>, BindError> { Err(BindError::Other("not yet".into())) }
}

pub struct Citi;
impl Format for Citi {
    fn id(&self) -> &'static str { "citi" }
    fn name(&self) -> &'static str { "Citi card" }
    fn kind(&self) -> RecordKind { RecordKind::Bank }
    fn signature(&self) -> &'static str { "" }
    fn detect(&self, _h: &Header) -> bool { false }
    fn bind(&self, _h: &Header, _o: &FileOptions) -> Result<Box<dyn RowParser>, BindError> { Err(BindError::Other("not yet".into())) }
}

pub struct Amex;
impl Format for Amex {
    fn id(&self) -> &'static str { "amex" }
    fn name(&self) -> &'static str { "American Express" }
    fn kind(&self) -> RecordKind { RecordKind::Bank }
    fn signature(&self) -> &'static str { "" }
    fn detect(&self, _h: &Header) -> bool { false }
    fn bind(&self, _h: &Header, _o: &FileOptions) -> Result<Box<dyn RowParser>, BindError> { Err(BindError::Other("not yet".into())) }
}
