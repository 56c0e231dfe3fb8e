//! How domain value types are written to and read from SQLite columns.
//!
//! A currency is stored as its three-letter code. Reading is lenient on purpose: a ledger
//! written before codes were validated may hold an empty or odd cell, which reads as
//! [`Currency::UNKNOWN`] instead of making the whole ledger unreadable.

use rusqlite::types::{FromSql, FromSqlResult, ToSql, ToSqlOutput, ValueRef};

use crate::domain::money::Currency;

impl ToSql for Currency {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(self.as_str()))
    }
}

impl FromSql for Currency {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        Ok(Currency::parse_stored(value.as_str()?))
    }
}
