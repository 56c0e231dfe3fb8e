//! A user's mapping of a bank CSV burnrate does not know: which columns hold the date,
//! description, amount or debit/credit, status, currency and id, the sign convention and the date
//! order. Mappings are stored in the ledger under the header's signature and reused for files of
//! the same shape; the generic bank format (`formats::bank::generic`) reads files with them.

use serde::{Deserialize, Serialize};

/// How spending is written in the amount column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum SignConvention {
    /// `-12.00` is money out (most banks).
    #[default]
    SpendNegative,
    /// `12.00` is money out (Amex, Apple Card, Citi).
    SpendPositive,
}

/// A user's description of a bank CSV.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct BankMapping {
    /// A name for the account (shown in tables and used in keys).
    pub account: String,
    pub date: String,
    pub description: String,
    #[serde(default)]
    pub amount: Option<String>,
    #[serde(default)]
    pub debit: Option<String>,
    #[serde(default)]
    pub credit: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub currency: Option<String>,
    /// The currency when the file has no currency column.
    #[serde(default)]
    pub default_currency: Option<String>,
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub sign: SignConvention,
    #[serde(default)]
    pub date_order: Option<String>,
}
