//! Fingerprints of stored records: a short hash of the values an import compares, telling a
//! record seen again unchanged (a duplicate) from one its source revised (an update).
//!
//! The hash is SHA-256 over the values written as tagged, length-prefixed text, cut to 64 bits:
//! the same on every platform and every Rust release. (std's `DefaultHasher` and `Hash` impls
//! promise neither, and ledgers keep their fingerprints for years.) Callers feed the values as
//! the ledger stores them (amounts in nanos, times as stored text), so a fingerprint can be
//! recomputed from a stored row: that is how a row whose fingerprint an older build wrote is
//! recognised as unchanged instead of being reported "updated".

use rusqlite::{Transaction, params};
use sha2::{Digest, Sha256};

use super::StoreError;

/// A fingerprint being built, one value at a time, in a fixed order.
pub(super) struct Fingerprint(Sha256);

impl Fingerprint {
    /// Starts the fingerprint of one kind of record (`billing`, `bank`).
    pub(super) fn of(kind: &str) -> Self {
        Self(Sha256::new()).text(kind)
    }

    /// Adds a text value. The length prefix keeps `("ab", "c")` and `("a", "bc")` apart.
    pub(super) fn text(mut self, value: &str) -> Self {
        self.0.update(b"t");
        let mut digits = [0; 20];
        self.0.update(decimal(
            u64::try_from(value.len()).unwrap_or(u64::MAX),
            false,
            &mut digits,
        ));
        self.0.update(b":");
        self.0.update(value.as_bytes());
        self
    }

    /// Adds a value that may be absent; absent differs from empty.
    pub(super) fn opt_text(mut self, value: Option<&str>) -> Self {
        if let Some(v) = value {
            return self.text(v);
        }
        self.0.update(b"n");
        self
    }

    /// Adds a number (an amount in nanos, a count).
    pub(super) fn int(mut self, value: i64) -> Self {
        self.0.update(b"i");
        let mut digits = [0; 20];
        self.0
            .update(decimal(value.unsigned_abs(), value < 0, &mut digits));
        self.0.update(b";");
        self
    }

    /// Adds a number that may be absent.
    pub(super) fn opt_int(mut self, value: Option<i64>) -> Self {
        if let Some(v) = value {
            return self.int(v);
        }
        self.0.update(b"n");
        self
    }

    /// The first 64 bits of the digest, as SQLite's INTEGER holds them.
    pub(super) fn finish(self) -> i64 {
        let digest = self.0.finalize();
        let mut first = [0u8; 8];
        first.copy_from_slice(digest.get(..8).unwrap_or(&[0; 8]));
        i64::from_be_bytes(first)
    }
}

/// A number written in decimal as `to_string` writes it (a `-` first when `negative`), in
/// `digits`, without allocating: every record feeds several numbers.
fn decimal(mut magnitude: u64, negative: bool, digits: &mut [u8; 20]) -> &[u8] {
    let mut start = digits.len();
    for slot in digits.iter_mut().rev() {
        *slot = b"0123456789"
            .get(usize::try_from(magnitude % 10).unwrap_or(0))
            .copied()
            .unwrap_or(b'0');
        magnitude /= 10;
        start -= 1;
        if magnitude == 0 {
            break;
        }
    }
    if negative && start > 0 {
        start -= 1;
        if let Some(sign) = digits.get_mut(start) {
            *sign = b'-';
        }
    }
    digits.get(start..).unwrap_or_default()
}

/// Whether the stored row `id` of `table`, whose fingerprint is `stored`, holds the content
/// fingerprinted `fp`. A row an older build fingerprinted is judged by `of_row` (its fingerprint
/// recomputed from its stored values) and, when it holds the same content, given `fp` so the
/// next import compares it directly.
pub(super) fn unchanged(
    tx: &Transaction<'_>,
    table: Table,
    id: i64,
    stored: i64,
    fp: i64,
    of_row: impl FnOnce() -> Result<i64, StoreError>,
) -> Result<bool, StoreError> {
    if stored == fp {
        return Ok(true);
    }
    if of_row()? != fp {
        return Ok(false);
    }
    let sql = match table {
        Table::Billing => "UPDATE billing SET fingerprint = ?2 WHERE id = ?1",
        Table::BankLines => "UPDATE bank_lines SET fingerprint = ?2 WHERE id = ?1",
    };
    tx.prepare_cached(sql)?.execute(params![id, fp])?;
    Ok(true)
}

/// The tables whose rows carry a fingerprint. (Usage rows are compared by their stored values
/// instead: `store::usage_writer` reads them anyway to move the daily sums.)
#[derive(Debug, Clone, Copy)]
pub(super) enum Table {
    Billing,
    BankLines,
}

#[cfg(test)]
mod tests {
    use super::{Fingerprint, decimal};

    #[test]
    fn numbers_are_fed_as_to_string_writes_them() {
        for n in [
            0,
            7,
            -7,
            10,
            -10,
            1_000_000_000,
            i64::MAX,
            i64::MIN,
            i64::MIN + 1,
        ] {
            let mut digits = [0; 20];
            assert_eq!(
                decimal(n.unsigned_abs(), n < 0, &mut digits),
                n.to_string().as_bytes()
            );
        }
    }

    #[test]
    fn a_fingerprint_is_pinned_to_its_values_and_their_order() {
        // Pinned (computed apart with Python's hashlib over the same text): ledgers store these,
        // and a change here would make every re-import "updated".
        let fp = Fingerprint::of("billing")
            .int(10_000_000_000)
            .text("paid")
            .opt_text(None)
            .text("Credit grant")
            .text("USD")
            .text("2026-01-05T00:00:00")
            .finish();
        assert_eq!(fp, -6_833_959_754_190_431_567);
        let split = |a: &str, b: &str| Fingerprint::of("x").text(a).text(b).finish();
        assert_ne!(split("ab", "c"), split("a", "bc"));
        let absent = Fingerprint::of("x").opt_text(None).finish();
        assert_ne!(absent, Fingerprint::of("x").opt_text(Some("")).finish());
        assert_ne!(
            Fingerprint::of("x").opt_int(None).finish(),
            Fingerprint::of("x").int(0).finish()
        );
    }
}
