//! Where a PostgreSQL store stands in its write-ahead log (issue #17): the position a
//! primary has written up to, and whether a hot standby has replayed past a position.
//! A server answers a submission with the first, and waits on the second before it
//! answers a read of that client's from a standby (read-your-writes).
//!
//! Positions are PostgreSQL's `pg_lsn` in their text form (`16/B374D848`). A SQLite store
//! has none: one file, always read after its own writes.
//!
//! And whether the synchronous standbys hold what a checkpoint would name
//! ([`await_standbys`]): a commit can show on the primary before a synchronous standby
//! has it (a commit whose wait for the standby was cancelled, a primary restarted), so a
//! checkpoint signed over it could name entries a promoted standby does not have — a
//! fork, to a witness that kept it.

use std::time::{Duration, Instant};

use crate::handle::Conn;
use crate::{Store, StoreError};

/// How long a checkpoint waits, by default, for the synchronous standbys to confirm the
/// commits it would name before it is refused ([`StoreError::Unconfirmed`]).
pub const STANDBY_WAIT: Duration = Duration::from_secs(5);

/// How often the standbys' positions are read again while waiting.
const STANDBY_POLL: Duration = Duration::from_millis(10);

impl Store {
    /// The primary's current write-ahead log position (`pg_current_wal_lsn()`), at or
    /// past the commit of every transaction acknowledged before the call; `None` on
    /// SQLite, and on a standby (it writes no log of its own).
    pub fn wal_position(&self) -> Result<Option<String>, StoreError> {
        match self.conn()? {
            Conn::Sqlite(_) => Ok(None),
            // The simple protocol: one round trip (a prepared query takes two: its
            // statement, then its rows), on the path of every answer to a submission.
            Conn::Postgres(mut c) => Ok(c
                .simple_query(
                    "SELECT CASE WHEN pg_is_in_recovery() THEN NULL \
                     ELSE pg_current_wal_lsn()::text END",
                )?
                .iter()
                .find_map(|message| match message {
                    postgres::SimpleQueryMessage::Row(row) => {
                        Some(row.try_get(0).ok().flatten().map(str::to_owned))
                    }
                    _ => None,
                })
                .flatten()),
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

/// Waits, at most `within`, until the synchronous standbys of the primary `client` is
/// connected to have flushed everything committed before the call: at once when there
/// are none to wait for (no `synchronous_standby_names`, or `client` is on a standby,
/// which signs nothing); [`StoreError::Unconfirmed`] when they have not in time (a
/// standby down, or behind), [`StoreError::StandbysHidden`] when the session may not read
/// their positions.
///
/// Flushed, whatever `synchronous_commit` says: a promoted standby replays everything it
/// flushed before it takes writes, so that is what survives the primary; and a standby
/// reports its flush position as soon as it flushes, its replay position only with its
/// next status reply (up to `wal_receiver_status_interval`, 10 s by default, later when
/// nothing more is streamed to it).
pub(crate) fn await_standbys(
    client: &mut postgres::Client,
    within: Duration,
) -> Result<(), StoreError> {
    // `pg_current_wal_lsn()` is at or past the commit of every transaction this session
    // sees: a commit is flushed before it shows (`synchronous_commit` is never `off` for a
    // store that keeps what it acknowledges).
    let row = client.query_one(
        "SELECT current_setting('synchronous_standby_names'), \
         pg_has_role('pg_read_all_stats', 'USAGE'), \
         CASE WHEN pg_is_in_recovery() THEN NULL ELSE pg_current_wal_lsn()::text END",
        &[],
    )?;
    let (names, may_read, position): (String, bool, Option<String>) =
        (row.get(0), row.get(1), row.get(2));
    let (Some(needed), Some(position)) = (standbys_needed(&names), position) else {
        return Ok(());
    };
    if !may_read {
        return Err(StoreError::StandbysHidden);
    }
    let started = Instant::now();
    loop {
        // The standbys that count: `sync` under `FIRST n` (the n chosen), `quorum` under
        // `ANY n` (any n of them). A standby that is not connected is not listed.
        let confirmed: i64 = client
            .query_one(
                "SELECT count(*) FROM pg_stat_replication \
                 WHERE sync_state IN ('sync', 'quorum') AND flush_lsn >= $1::text::pg_lsn",
                &[&position],
            )?
            .get(0);
        if confirmed >= needed {
            return Ok(());
        }
        if started.elapsed() >= within {
            return Err(StoreError::Unconfirmed {
                position,
                waited: started.elapsed(),
            });
        }
        std::thread::sleep(STANDBY_POLL);
    }
}

/// How many synchronous standbys must confirm a commit under `synchronous_standby_names`
/// (`FIRST n (…)`, `ANY n (…)`, `n (…)`, or a list of names: one); `None` when it names
/// none (empty: commits wait for no standby).
fn standbys_needed(names: &str) -> Option<i64> {
    let names = names.trim();
    if names.is_empty() {
        return None;
    }
    let counted = names
        .split_once(|c: char| c.is_ascii_whitespace())
        .filter(|(word, _)| ["first", "any"].contains(&word.to_ascii_lowercase().as_str()))
        .map_or(names, |(_, rest)| rest.trim_start());
    let digits = counted.len()
        - counted
            .trim_start_matches(|c: char| c.is_ascii_digit())
            .len();
    let needed = counted[..digits]
        .parse::<i64>()
        .ok()
        .filter(|_| counted[digits..].trim_start().starts_with('('));
    Some(needed.unwrap_or(1).max(1))
}

/// A write-ahead log position written as PostgreSQL writes a `pg_lsn` (`X/Y`, two
/// hexadecimal numbers of 1 to 8 digits) as the number it stands for, which orders the
/// positions of one primary (`16/…` comes after `9/…`); `None` for anything else.
pub fn parse_lsn(text: &str) -> Option<u64> {
    let half = |s: &str| {
        ((1..=8).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_hexdigit()))
            .then(|| u64::from_str_radix(s, 16).ok())
            .flatten()
    };
    let (high, low) = text.split_once('/')?;
    Some((half(high)? << 32) | half(low)?)
}

/// Whether `text` is a write-ahead log position ([`parse_lsn`]).
fn is_lsn(text: &str) -> bool {
    parse_lsn(text).is_some()
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
    fn the_standbys_a_commit_waits_for_are_counted_as_postgresql_counts_them() {
        assert_eq!(standbys_needed(""), None);
        assert_eq!(standbys_needed("  "), None);
        assert_eq!(standbys_needed("standby1"), Some(1));
        assert_eq!(standbys_needed("s1, s2"), Some(1));
        assert_eq!(standbys_needed("*"), Some(1));
        assert_eq!(standbys_needed("2 (s1, s2, s3)"), Some(2));
        assert_eq!(standbys_needed("FIRST 2 (s1, s2, s3)"), Some(2));
        assert_eq!(standbys_needed("any 3(s1, s2, s3)"), Some(3));
        // A standby named by digits or `first…` alone is one name.
        assert_eq!(standbys_needed("2"), Some(1));
        assert_eq!(standbys_needed("firstbox"), Some(1));
        assert_eq!(standbys_needed("first, second"), Some(1));
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

    #[test]
    fn a_position_is_the_number_its_two_halves_make() {
        assert_eq!(parse_lsn("0/0"), Some(0));
        assert_eq!(parse_lsn("16/B374D848"), Some((0x16 << 32) | 0xB374_D848));
        assert_eq!(parse_lsn("FFFFFFFF/FFFFFFFF"), Some(u64::MAX));
        assert!(parse_lsn("9/FFFFFFFF") < parse_lsn("A/0"));
        for bad in [
            "",
            "/",
            "1/",
            "/1",
            "1/2/3",
            "123456789/0",
            "g/0",
            "+1/0",
            "1 /0",
        ] {
            assert_eq!(parse_lsn(bad), None, "{bad}");
        }
    }
}
