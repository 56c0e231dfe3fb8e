//! PLACEHOLDER: to be written.
use crate::domain::import::table::{BindError, Header};
use crate::domain::import::{FileOptions, Format, RecordKind, RowParser};

pub struct RevolutBusiness;
impl Format for RevolutBusiness {
    fn id(&self) -> &'static str { "revolut-business" }
    fn name(&self) -> &'static str { "Revolut Business statement" }
    fn kind(&self) -> RecordKind { RecordKind::Bank }
    fn signature(&self) -> &'static str { "" }
    fn detect(&self, _h: &Header) -> bool { false }
    fn bind(&self, _h: &Header, _o: &FileOptions) -> Result<Box<dyn RowParser>, BindError> { Err(BindError::Other("not yet".into())) }
}

pub struct Revolut;
impl Format for Revolut {
    fn id(&self) -> &'static str { "revolut" }
    fn name(&self) -> &'static str { "Revolut statement" }
    fn kind(&self) -> RecordKind { RecordKind::Bank }
    fn signature(&self) -> &'static str { "" }
    fn detect(&self, _h: &Header) -> bool { false }
    fn bind(&self, _h: &Header, _o: &FileOptions) -> Result<Box<dyn RowParser>, BindError> { Err(BindError::Other("not yet".into())) }
}

pub struct Wise;
impl Format for Wise {
    fn id(&self) -> &'static str { "wise" }
    fn name(&self) -> &'static str { "Wise transaction history" }
    fn kind(&self) -> RecordKind { RecordKind::Bank }
    fn signature(&self) -> &'static str { "" }
    fn detect(&self, _h: &Header) -> bool { false }
    fn bind(&self, _h: &Header, _o: &FileOptions) -> Result<Box<dyn RowParser>, BindError> { Err(BindError::Other("not yet".into())) }
}

pub struct WiseStatement;
impl Format for WiseStatement {
    fn id(&self) -> &'static str { "wise-statement" }
    fn name(&self) -> &'static str { "Wise statement (old)" }
    fn kind(&self) -> RecordKind { RecordKind::Bank }
    fn signature(&self) -> &'static str { "" }
    fn detect(&self, _h: &Header) -> bool { false }
    fn bind(&self, _h: &Header, _o: &FileOptions) -> Result<Box<dyn RowParser>, BindError> { Err(BindError::Other("not yet".into())) }
}

pub struct Monzo;
impl Format for Monzo {
    fn id(&self) -> &'static str { "monzo" }
    fn name(&self) -> &'static str { "Monzo export" }
    fn kind(&self) -> RecordKind { RecordKind::Bank }
    fn signature(&self) -> &'static str { "" }
    fn detect(&self, _h: &Header) -> bool { false }
    fn bind(&self, _h: &Header, _o: &FileOptions) -> Result<Box<dyn RowParser>, BindError> { Err(BindError::Other("not yet".into())) }
}

pub struct N26;
impl Format for N26 {
    fn id(&self) -> &'static str { "n26" }
    fn name(&self) -> &'static str { "N26 export" }
    fn kind(&self) -> RecordKind { RecordKind::Bank }
    fn signature(&self) -> &'static str { "" }
    fn detect(&self, _h: &Header) -> bool { false }
    fn bind(&self, _h: &Header, _o: &FileOptions) -> Result<Box<dyn RowParser>, BindError> { Err(BindError::Other("not yet".into())) }
}
