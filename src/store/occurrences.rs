//! Record keys and the occurrence count of each natural key within one imported file, in
//! memory that does not grow with the file.
//!
//! A record's key is the first 16 bytes of SHA-256 over its natural key, `#` and its occurrence
//! index within the file (little-endian `u32`): the first `A` of a statement is `A#0`, the second
//! `A#1`, so two genuinely identical lines stay two records while a re-import finds the same keys.
//! Every ledger since the first stores keys this way; it must never change.
//!
//! Counting occurrences needs every natural key seen so far in the file. [`Occurrences`] keeps
//! the counts of at most [`MEMORY_KEYS`] keys in memory; when that fills up it writes them to a
//! table of a private temporary database (on disk, with SQLite's own small cache) and starts
//! again. A bit filter of
//! fixed size remembers every key written out, so a key that was never written out (nearly all
//! of them) is not looked up: the table is read only for keys the filter has seen, or that
//! collide in it. Memory stays at a few tens of megabytes whether the file has a thousand rows
//! or a hundred million; the answers are exact either way.

use std::collections::HashMap;
use std::hash::BuildHasherDefault;

use rusqlite::{Connection, OptionalExtension};
use sha2::{Digest, Sha256};

use super::StoreError;
use super::rollup::FxHasher;

/// Keys counted in memory before the counts are written to the temporary table.
pub(super) const MEMORY_KEYS: usize = 1 << 18;

/// Bits of the filter of keys written out (16 MiB).
const FILTER_BITS: u64 = 1 << 27;

/// A record's key: its natural key and occurrence index, hashed.
pub(super) type Key = [u8; 16];

/// The SHA-256 state after a natural key, ready to give the key of any occurrence.
pub(super) struct KeyHasher(Sha256);

impl KeyHasher {
    pub fn new(natural_key: &str) -> Self {
        Self(Sha256::new_with_prefix(natural_key.as_bytes()))
    }

    /// The key of occurrence `occurrence` of the natural key.
    pub fn key(&self, occurrence: u32) -> Key {
        let mut h = self.0.clone();
        h.update(b"#");
        h.update(occurrence.to_le_bytes());
        let digest = h.finalize();
        let mut key = [0u8; 16];
        key.copy_from_slice(digest.get(..16).unwrap_or(&[0u8; 16]));
        key
    }
}

/// The number a natural key goes by while counting: the start of its first occurrence's key.
pub(super) fn identity(first_key: &Key) -> u64 {
    let mut word = [0u8; 8];
    word.copy_from_slice(first_key.get(..8).unwrap_or(&[0u8; 8]));
    u64::from_le_bytes(word)
}

/// The occurrence counts of one file's natural keys.
pub(super) struct Occurrences {
    counts: HashMap<u64, u32, BuildHasherDefault<FxHasher>>,
    /// Set once counts were written to the temporary table.
    spilled: Option<Spilled>,
}

/// The counts written out: a private temporary database (SQLite deletes it when it is closed;
/// its cache stays at SQLite's default two megabytes) and the filter of what it holds.
struct Spilled {
    conn: Connection,
    filter: Vec<u64>,
}

const FIND: &str = "SELECT count FROM occurrences WHERE identity = ?1";
const WRITE: &str = "INSERT INTO occurrences(identity, count) VALUES (?1, ?2)
    ON CONFLICT(identity) DO UPDATE SET count = excluded.count";

impl Spilled {
    fn open() -> Result<Self, StoreError> {
        // An empty name is a private database on disk that nobody else can open.
        let conn = Connection::open("")?;
        conn.execute_batch(
            "CREATE TABLE occurrences(identity INTEGER PRIMARY KEY, count INTEGER NOT NULL);",
        )?;
        Ok(Self {
            conn,
            filter: vec![0; usize::try_from(FILTER_BITS / 64).unwrap_or(0)],
        })
    }

    /// Three bits of one 512-bit block (one cache line), from the identity's (already uniform)
    /// bits: a look-up costs one memory access, not three.
    fn bits(identity: u64) -> [u64; 3] {
        let block = (identity % (FILTER_BITS / 512)) * 512;
        let high = identity >> 32;
        [
            block + (high & 511),
            block + ((high >> 9) & 511),
            block + ((high >> 18) & 511),
        ]
    }

    fn remember(&mut self, identity: u64) {
        for bit in Self::bits(identity) {
            if let Some(word) = usize::try_from(bit / 64)
                .ok()
                .and_then(|i| self.filter.get_mut(i))
            {
                *word |= 1 << (bit % 64);
            }
        }
    }

    fn may_have(&self, identity: u64) -> bool {
        Self::bits(identity).iter().all(|&bit| {
            usize::try_from(bit / 64)
                .ok()
                .and_then(|i| self.filter.get(i))
                .is_some_and(|word| word & (1 << (bit % 64)) != 0)
        })
    }

    /// The count written out for `identity` (0 when none was).
    fn count(&self, identity: u64) -> Result<u32, StoreError> {
        if !self.may_have(identity) {
            return Ok(0);
        }
        Ok(self
            .conn
            .prepare_cached(FIND)?
            .query_row([identity.cast_signed()], |r| r.get::<_, u32>(0))
            .optional()?
            .unwrap_or(0))
    }
}

impl Occurrences {
    pub fn new() -> Self {
        Self {
            counts: HashMap::default(),
            spilled: None,
        }
    }

    /// The occurrence index of the natural key known by `identity`: 0 the first time it is
    /// seen in the file, 1 the second, ...
    ///
    /// # Errors
    /// On a failure of the temporary table.
    pub fn next(&mut self, identity: u64) -> Result<u32, StoreError> {
        if let Some(count) = self.counts.get_mut(&identity) {
            let index = *count;
            *count = count.saturating_add(1);
            return Ok(index);
        }
        let index = match &self.spilled {
            Some(spilled) => spilled.count(identity)?,
            None => 0,
        };
        self.counts.insert(identity, index.saturating_add(1));
        if self.counts.len() >= MEMORY_KEYS {
            self.spill()?;
        }
        Ok(index)
    }

    /// Writes the counts in memory to the temporary table and forgets them.
    fn spill(&mut self) -> Result<(), StoreError> {
        if self.spilled.is_none() {
            self.spilled = Some(Spilled::open()?);
        }
        let Some(spilled) = &mut self.spilled else {
            return Ok(());
        };
        let mut counts: Vec<(u64, u32)> = self.counts.drain().collect();
        // In key order the table's pages fill one after another.
        counts.sort_unstable_by_key(|&(identity, _)| identity.cast_signed());
        let tx = spilled.conn.transaction()?;
        {
            let mut write = tx.prepare_cached(WRITE)?;
            for &(identity, count) in &counts {
                write.execute(rusqlite::params![identity.cast_signed(), count])?;
            }
        }
        tx.commit()?;
        for (identity, _) in counts {
            spilled.remember(identity);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_the_ones_every_ledger_holds() {
        // SHA-256("usage|x#" ++ 0u32 LE) and ("...#" ++ 1u32 LE), first 16 bytes: the keys the
        // first burnrate wrote. A change here would duplicate every re-imported record.
        let hex = |k: Key| {
            k.iter().fold(String::new(), |mut s, b| {
                use std::fmt::Write as _;
                write!(s, "{b:02x}").unwrap();
                s
            })
        };
        let h = KeyHasher::new("usage|x");
        assert_eq!(hex(h.key(0)), "408664981afa88fb784600b570763d3b");
        assert_eq!(hex(h.key(1)), "e0430321c3e90b515009d716092adca0");
    }

    #[test]
    fn counts_stay_exact_beyond_memory() {
        let mut occ = Occurrences::new();
        let total = u64::try_from(MEMORY_KEYS).unwrap() * 2 + 10;
        // Every key once, then every third key again: the second pass finds keys written out.
        for i in 0..total {
            assert_eq!(occ.next(i.wrapping_mul(0x9E37_79B9_7F4A_7C15)).unwrap(), 0);
        }
        assert!(occ.spilled.is_some());
        for i in (0..total).step_by(3) {
            assert_eq!(
                occ.next(i.wrapping_mul(0x9E37_79B9_7F4A_7C15)).unwrap(),
                1,
                "key {i}"
            );
        }
        assert_eq!(occ.next(0).unwrap(), 2);
        assert!(occ.counts.len() <= MEMORY_KEYS);
    }
}
