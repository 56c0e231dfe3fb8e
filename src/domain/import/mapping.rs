//! A user's mapping of a bank CSV burnrate does not know: which columns hold the date,
//! description, amount or debit/credit, status, currency and id, the sign convention and the date
//! order. Mappings are stored in the ledger under the header's signature and reused for files of
//! the same shape; the generic bank format (`formats::bank::generic`) reads files with them.

use serde::{Deserialize, Serialize};

use super::table::{Header, currency_in_name};
use crate::domain::money::Currency;

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

/// Why a mapping cannot read its files yet.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MappingError {
    #[error(
        "the mapping does not say which currency the amounts are in: choose the column that holds each line's currency, or give the one currency of the whole file (for example EUR)"
    )]
    NoCurrency,
    #[error("'{0}' is not a currency code; give a three-letter code such as EUR")]
    BadCurrency(String),
}

impl BankMapping {
    /// The one currency of every line, for a mapping without a currency column: the code the
    /// user gave, else the one the amount column's name gives (`Amount (EUR)`). A line is never
    /// stored without a currency, so a mapping that says none of these cannot be used.
    ///
    /// # Errors
    /// When there is no currency column and neither the user nor the header names a currency,
    /// or the code the user gave is not one.
    pub fn file_currency(&self, header: &Header) -> Result<Option<Currency>, MappingError> {
        let given = self
            .default_currency
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty());
        let given = given
            .map(|c| Currency::parse(c).map_err(|_| MappingError::BadCurrency(c.to_string())))
            .transpose()?;
        if self.currency.as_deref().is_some_and(|c| !c.is_empty()) {
            return Ok(given);
        }
        if given.is_some() {
            return Ok(given);
        }
        [&self.amount, &self.debit, &self.credit]
            .into_iter()
            .flatten()
            .filter_map(|name| header.find(&[name.as_str()]))
            .find_map(|i| currency_in_name(header.name(i)))
            .map(Some)
            .ok_or(MappingError::NoCurrency)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A mapping, the header it reads, and the currency it gives every line.
    type Case<'a> = (
        BankMapping,
        &'a Header,
        Result<Option<Currency>, MappingError>,
    );

    fn header(names: &[&str]) -> Header {
        Header::new(names.iter().map(|n| (*n).to_string()).collect(), 1)
    }

    #[test]
    fn a_mapping_must_say_or_let_the_header_say_the_currency() {
        let plain = header(&["Date", "Details", "Amount", "Currency"]);
        let named = header(&["Date", "Details", "Betrag (GBP)"]);
        let base = BankMapping {
            date: "Date".into(),
            description: "Details".into(),
            amount: Some("Amount".into()),
            ..BankMapping::default()
        };
        let eur = Currency::parse("EUR").ok();
        let gbp = Currency::parse("GBP").ok();
        let cases: &[Case<'_>] = &[
            (base.clone(), &plain, Err(MappingError::NoCurrency)),
            (
                BankMapping {
                    default_currency: Some("  ".into()),
                    ..base.clone()
                },
                &plain,
                Err(MappingError::NoCurrency),
            ),
            (
                BankMapping {
                    default_currency: Some("eur".into()),
                    ..base.clone()
                },
                &plain,
                Ok(eur),
            ),
            (
                BankMapping {
                    default_currency: Some("euro".into()),
                    ..base.clone()
                },
                &plain,
                Err(MappingError::BadCurrency("euro".into())),
            ),
            (
                BankMapping {
                    currency: Some("Currency".into()),
                    ..base.clone()
                },
                &plain,
                Ok(None),
            ),
            (
                BankMapping {
                    amount: Some("Betrag (GBP)".into()),
                    ..base.clone()
                },
                &named,
                Ok(gbp),
            ),
        ];
        for (mapping, header, want) in cases {
            assert_eq!(mapping.file_currency(header), *want, "{mapping:?}");
        }
    }
}
