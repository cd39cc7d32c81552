//! Where a PostgreSQL store stands in its write-ahead log (issue #17): the position a
//! primary has written up to, and whether a hot standby has replayed past a position.
//! A server answers a submission with the first, and waits on the second before it
//! answers a read of that client's from a standby (read-your-writes).
//!
//! Positions are PostgreSQL's `pg_lsn` in their text form (`16/B374D848`). A SQLite store
//! has none: one file, always read after its own writes.

use crate::handle::Conn;
use crate::{Store, StoreError};

impl Store {
    /// The primary's current write-ahead log position (`pg_current_wal_lsn()`), at or
    /// past the commit of every transaction acknowledged before the call; `None` on
    /// SQLite, and on a standby (it writes no log of its own).
    pub fn wal_position(&self) -> Result<Option<String>, StoreError> {
        match self.conn()? {
            Conn::Sqlite(_) => Ok(None),
            Conn::Postgres(mut c) => {
                let row = c.query_one(
                    "SELECT CASE WHEN pg_is_in_recovery() THEN NULL \
                     ELSE pg_current_wal_lsn()::text END",
                    &[],
                )?;
                Ok(row.get(0))
            }
        }
    }

    /// Whether this store shows every transaction committed up to `position` on its
    /// primary: true on SQLite and on a primary (including a promoted standby); on a hot
    /// standby, once it has replayed past `position`. A `position` that is not a
    /// `pg_lsn` is refused ([`StoreError::OutOfRange`]).
    pub fn has_replayed(&self, position: &str) -> Result<bool, StoreError> {
        if !is_lsn(position) {
            return Err(StoreError::OutOfRange(format!(
                "`{position}` is not a write-ahead log position (two hexadecimal numbers, as in `16/B374D848`)"
            )));
        }
        match self.conn()? {
            Conn::Sqlite(_) => Ok(true),
            Conn::Postgres(mut c) => {
                let row = c.query_one(
                    "SELECT NOT pg_is_in_recovery() \
                     OR COALESCE(pg_last_wal_replay_lsn() >= $1::text::pg_lsn, false)",
                    &[&position],
                )?;
                Ok(row.get(0))
            }
        }
    }
}

/// `X/Y` with X and Y of 1 to 8 hexadecimal digits, as PostgreSQL writes a `pg_lsn`.
fn is_lsn(text: &str) -> bool {
    let hex = |s: &str| (1..=8).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_hexdigit());
    text.split_once('/').is_some_and(|(a, b)| hex(a) && hex(b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::both;

    #[test]
    fn positions_are_read_on_postgres_and_absent_on_sqlite() {
        both(|fresh| {
            let store = Store::open(&fresh.url).unwrap();
            let position = store.wal_position().unwrap();
            match fresh.kind() {
                "sqlite" => assert_eq!(position, None),
                _ => {
                    let position = position.unwrap();
                    assert!(is_lsn(&position), "{position}");
                    // A primary has everything it wrote.
                    assert!(store.has_replayed(&position).unwrap());
                }
            }
            assert!(store.has_replayed("0/0").unwrap());
            assert!(matches!(
                store.has_replayed("0/0; DROP TABLE x"),
                Err(StoreError::OutOfRange(_))
            ));
        });
    }

    #[test]
    fn lsn_text_is_two_hexadecimal_numbers() {
        assert!(is_lsn("16/B374D848"));
        assert!(is_lsn("0/0"));
        assert!(!is_lsn("16B374D848"));
        assert!(!is_lsn("/1"));
        assert!(!is_lsn("1/123456789"));
        assert!(!is_lsn("g/1"));
    }
}
