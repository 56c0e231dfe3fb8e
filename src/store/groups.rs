//! Sums grouped in memory: the `GROUP BY` of queries over the daily usage sums.
//!
//! SQLite groups by sorting every row it reads. The daily sums of a million usage records are
//! a few hundred thousand rows, so queries read them ungrouped and [`Groups`] adds them up in a
//! hash map keyed by interned names, then sorts the few groups that result. The order is SQL's
//! `ORDER BY` of the same columns (text compared byte by byte, as SQLite's default collation
//! does). Sums are checked: a total beyond 64 bits is [`StoreError::Overflow`].

use std::collections::HashMap;
use std::hash::BuildHasherDefault;

use rusqlite::{Connection, Params};

use super::StoreError;
use super::rollup::FxHasher;

/// Sums per group of `N` names.
pub(super) struct Groups<const N: usize> {
    ids: HashMap<String, u32, BuildHasherDefault<FxHasher>>,
    texts: Vec<String>,
    sums: HashMap<[u32; N], i64, BuildHasherDefault<FxHasher>>,
    /// The group of the last row and what its rows added since: the daily sums come in the
    /// order of their key, so a row usually falls in the group of the row before, which is
    /// then found by comparing names instead of looking each up.
    last: Option<([u32; N], i64)>,
}

impl<const N: usize> Groups<N> {
    pub fn new() -> Self {
        Self {
            ids: HashMap::default(),
            texts: Vec::new(),
            sums: HashMap::default(),
            last: None,
        }
    }

    fn text(&self, id: u32) -> &str {
        usize::try_from(id)
            .ok()
            .and_then(|i| self.texts.get(i))
            .map_or("", String::as_str)
    }

    /// Adds what the last group gathered to its sum.
    fn settle(&mut self) -> Result<(), StoreError> {
        if let Some((key, value)) = self.last.take() {
            let sum = self.sums.entry(key).or_insert(0);
            *sum = sum.checked_add(value).ok_or(StoreError::Overflow)?;
        }
        Ok(())
    }

    fn id(&mut self, text: &str) -> u32 {
        if let Some(&id) = self.ids.get(text) {
            return id;
        }
        let id = u32::try_from(self.texts.len()).unwrap_or(u32::MAX);
        self.ids.insert(text.to_string(), id);
        self.texts.push(text.to_string());
        id
    }

    /// Adds `value` to the group `names`.
    ///
    /// # Errors
    /// When the group's sum would overflow.
    pub fn add(&mut self, names: [&str; N], value: i64) -> Result<(), StoreError> {
        let same = self.last.is_some_and(|(key, _)| {
            names
                .iter()
                .zip(key)
                .all(|(name, id)| *name == self.text(id))
        });
        if same && let Some((_, sum)) = &mut self.last {
            *sum = sum.checked_add(value).ok_or(StoreError::Overflow)?;
            return Ok(());
        }
        // Rows come in key order: most names are the last row's, found by comparing them
        // rather than by hashing.
        let previous = self.last.map(|(key, _)| key);
        self.settle()?;
        let mut key = [0u32; N];
        for (i, (id, name)) in key.iter_mut().zip(names).enumerate() {
            *id = match previous.as_ref().and_then(|p| p.get(i)) {
                Some(&last) if self.text(last) == name => last,
                _ => self.id(name),
            };
        }
        self.last = Some((key, value));
        Ok(())
    }

    /// The groups with their sums, ordered by their names.
    ///
    /// # Errors
    /// When a group's sum would overflow.
    pub fn sorted(self) -> Result<Vec<([String; N], i64)>, StoreError> {
        self.sorted_with(|names, sum| (names.map(str::to_string), sum))
    }

    /// [`Groups::sorted`], each group made into what `each` makes of its names and sum
    /// (copying only the names it keeps).
    ///
    /// # Errors
    /// When a group's sum would overflow.
    pub fn sorted_with<T>(
        mut self,
        mut each: impl FnMut([&str; N], i64) -> T,
    ) -> Result<Vec<T>, StoreError> {
        self.settle()?;
        let mut out: Vec<([&str; N], i64)> = self
            .sums
            .iter()
            .map(|(key, sum)| (key.map(|id| self.text(id)), *sum))
            .collect();
        out.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        Ok(out
            .into_iter()
            .map(|(names, sum)| each(names, sum))
            .collect())
    }
}

/// Runs `sql`, whose rows are `N` text columns then an integer, and sums the integer per
/// group of texts.
///
/// # Errors
/// On a SQLite failure or a sum beyond 64 bits.
pub(super) fn sum_rows<const N: usize>(
    conn: &Connection,
    sql: &str,
    params: impl Params,
) -> Result<Vec<([String; N], i64)>, StoreError> {
    let mut groups = Groups::<N>::new();
    let mut stmt = conn.prepare_cached(sql)?;
    let mut rows = stmt.query(params)?;
    while let Some(r) = rows.next()? {
        let mut names = [""; N];
        for (i, name) in names.iter_mut().enumerate() {
            *name = r.get_ref(i)?.as_str().map_err(rusqlite::Error::from)?;
        }
        groups.add(names, r.get(N)?)?;
    }
    groups.sorted()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_add_up_and_sort_as_sql_would() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE TABLE t(a TEXT, b TEXT, v INTEGER);
             INSERT INTO t VALUES ('b', 'USD', 1), ('a', 'USD', 2), ('b', 'USD', 3),
                 ('B', 'EUR', 4), ('a', 'EUR', 5), ('', 'USD', 6);",
        )
        .unwrap();
        let ours = sum_rows::<2>(&conn, "SELECT a, b, v FROM t", []).unwrap();
        let mut stmt = conn
            .prepare("SELECT a, b, sum(v) FROM t GROUP BY a, b ORDER BY a, b")
            .unwrap();
        let sql: Vec<([String; 2], i64)> = stmt
            .query_map([], |r| Ok(([r.get(0)?, r.get(1)?], r.get(2)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(ours, sql);
        let mut big = Groups::<1>::new();
        big.add(["x"], i64::MAX).unwrap();
        assert!(matches!(big.add(["x"], 1), Err(StoreError::Overflow)));
        // The same group again after another one: the overflow shows when the sums meet.
        let mut apart = Groups::<1>::new();
        apart.add(["x"], i64::MAX).unwrap();
        apart.add(["y"], 1).unwrap();
        apart.add(["x"], 1).unwrap();
        assert!(matches!(apart.sorted(), Err(StoreError::Overflow)));
    }
}
