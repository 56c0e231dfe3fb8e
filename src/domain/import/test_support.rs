//! Helpers the importers' inline tests share.

use super::ParsedFile;
use crate::domain::records::{Record, UsageRecord};

/// The usage records of a parsed file, in file order.
pub(crate) fn usage(parsed: &ParsedFile) -> Vec<&UsageRecord> {
    parsed
        .records
        .iter()
        .filter_map(|r| match r {
            Record::Usage(u) => Some(u),
            _ => None,
        })
        .collect()
}
