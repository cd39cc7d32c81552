//! The ledger tables in the embedded SQLite file.
//!
//! Appends run in a `BEGIN IMMEDIATE` transaction (the database's write lock is taken
//! before the size is read, so the size check and the inserts are atomic against other
//! processes); the file is in WAL mode with `synchronous=FULL`, so `COMMIT` returning means
//! the batch is on disk.

use accord_ledger::merkle::Hash;
use accord_ledger::roster::Roster;
use rusqlite::{OptionalExtension, params};

use super::{
    Batch, EntryRow, LedgerBackend, LogInfo, SealedContent, SealedRow, StoreError, TileKey,
    TilePart, tiles, to_hash, to_i64, with_leaf_hashes,
};

/// The ledger tables (migration 1 of [`crate::migrate`]).
pub(crate) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS ledger_log (
    id INTEGER PRIMARY KEY,
    origin TEXT NOT NULL UNIQUE,
    log_key TEXT NOT NULL,
    initial_roster TEXT NOT NULL,
    roster TEXT NOT NULL,
    size INTEGER NOT NULL,
    last_recorded TEXT
);
CREATE TABLE IF NOT EXISTS ledger_entry (
    log INTEGER NOT NULL,
    idx INTEGER NOT NULL,
    entry_id BLOB NOT NULL,
    leaf BLOB NOT NULL,
    PRIMARY KEY (log, idx)
);
CREATE UNIQUE INDEX IF NOT EXISTS ledger_entry_by_id ON ledger_entry (log, entry_id);
CREATE TABLE IF NOT EXISTS ledger_node (
    log INTEGER NOT NULL,
    level INTEGER NOT NULL,
    idx INTEGER NOT NULL,
    hash BLOB NOT NULL,
    PRIMARY KEY (log, level, idx)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS ledger_checkpoint (
    log INTEGER NOT NULL,
    size INTEGER NOT NULL,
    note TEXT NOT NULL,
    PRIMARY KEY (log, size)
);
CREATE TABLE IF NOT EXISTS ledger_sealed (
    log INTEGER NOT NULL,
    idx INTEGER NOT NULL,
    salt BLOB NOT NULL,
    content BLOB NOT NULL,
    PRIMARY KEY (log, idx)
);
";

/// Migration 6: the tree's hashes as tiles of 256 (see [`super::tiles`]), made from the
/// node rows of earlier stores (each level's rows in index order, 256 to a tile).
pub(crate) const TILES: &str = "
CREATE TABLE ledger_tile (
    log INTEGER NOT NULL,
    level INTEGER NOT NULL,
    idx INTEGER NOT NULL,
    hashes BLOB NOT NULL,
    PRIMARY KEY (log, level, idx)
) WITHOUT ROWID;
INSERT INTO ledger_tile (log, level, idx, hashes)
    SELECT log, level, idx / 256, CAST(group_concat(hash, X'' ORDER BY idx) AS BLOB)
    FROM ledger_node GROUP BY log, level, idx / 256;
DROP TABLE ledger_node;
";

/// Migration 9: `ledger_tile` as a rowid table, keyed by an index on `(log, level, idx)`.
///
/// WITHOUT ROWID, a row lives in the key's b-tree, whose cells SQLite compares whole: a
/// tile's 8 KiB of hashes overflow a cell (at most about a quarter of a page), and every
/// comparison on the way to a tile read the tile's whole record from its overflow pages
/// (a profile of the proofs at 10M leaves: a third of their time in that copy). In a rowid
/// table the search runs over the index's small cells and reads one row's payload only.
pub(crate) const TILES_BY_ROWID: &str = "
CREATE TABLE ledger_tile_by_rowid (
    log INTEGER NOT NULL,
    level INTEGER NOT NULL,
    idx INTEGER NOT NULL,
    hashes BLOB NOT NULL,
    PRIMARY KEY (log, level, idx)
);
INSERT INTO ledger_tile_by_rowid (log, level, idx, hashes)
    SELECT log, level, idx, hashes FROM ledger_tile ORDER BY log, level, idx;
DROP TABLE ledger_tile;
ALTER TABLE ledger_tile_by_rowid RENAME TO ledger_tile;
";

/// The SQLite back end, over one pooled connection.
pub struct SqliteLedger {
    conn: crate::handle::SqliteConn,
}

impl SqliteLedger {
    pub(crate) fn new(conn: crate::handle::SqliteConn) -> Self {
        Self { conn }
    }
}

fn roster_json(r: &Roster) -> String {
    serde_json::to_string(r).unwrap_or_default()
}

pub(super) fn parse_roster(s: &str) -> Result<Roster, StoreError> {
    serde_json::from_str(s).map_err(|e| StoreError::Corrupt(format!("stored roster: {e}")))
}

pub(super) fn parse_time(s: Option<String>) -> Result<Option<jiff::Timestamp>, StoreError> {
    s.map(|s| {
        s.parse()
            .map_err(|e| StoreError::Corrupt(format!("stored time `{s}`: {e}")))
    })
    .transpose()
}

impl LedgerBackend for SqliteLedger {
    fn create_log(
        &mut self,
        origin: &str,
        log_key: &str,
        roster: &Roster,
    ) -> Result<(), StoreError> {
        let json = roster_json(roster);
        let res = self.conn.execute(
            "INSERT INTO ledger_log (origin, log_key, initial_roster, roster, size) VALUES (?1, ?2, ?3, ?3, 0)",
            params![origin, log_key, json],
        );
        match res {
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.code == rusqlite::ErrorCode::ConstraintViolation =>
            {
                Err(StoreError::LogExists(origin.to_owned()))
            }
            Err(e) => Err(e.into()),
            Ok(_) => Ok(()),
        }
    }

    fn log_info(&mut self, origin: &str) -> Result<LogInfo, StoreError> {
        let row = self
            .conn
            .query_row(
                "SELECT id, log_key, initial_roster, roster, size, last_recorded FROM ledger_log WHERE origin = ?1",
                [origin],
                |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, String>(3)?,
                        r.get::<_, i64>(4)?,
                        r.get::<_, Option<String>>(5)?,
                    ))
                },
            )
            .optional()?;
        let Some((id, log_key, initial, roster, size, last)) = row else {
            return Err(StoreError::NoSuchLog(origin.to_owned()));
        };
        Ok(LogInfo {
            id,
            origin: origin.to_owned(),
            log_key,
            initial_roster: parse_roster(&initial)?,
            roster: parse_roster(&roster)?,
            size: u64::try_from(size).map_err(|_| StoreError::Corrupt("negative size".into()))?,
            last_recorded: parse_time(last)?,
        })
    }

    fn origins(&mut self) -> Result<Vec<String>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT origin FROM ledger_log ORDER BY origin")?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn append(&mut self, log: i64, expected_size: u64, batch: &Batch) -> Result<(), StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let size: i64 = tx.query_row("SELECT size FROM ledger_log WHERE id = ?1", [log], |r| {
            r.get(0)
        })?;
        if size != to_i64(expected_size)? {
            return Err(StoreError::Conflict);
        }
        {
            let mut insert = tx.prepare_cached(
                "INSERT INTO ledger_entry (log, idx, entry_id, leaf) VALUES (?1, ?2, ?3, ?4)",
            )?;
            let mut sealed = tx.prepare_cached(
                "INSERT INTO ledger_sealed (log, idx, salt, content) VALUES (?1, ?2, ?3, ?4)",
            )?;
            for e in &batch.entries {
                let idx = to_i64(e.index)?;
                insert.execute(params![log, idx, &e.entry_id[..], e.leaf])?;
                if let Some((salt, content)) = &e.sealed {
                    sealed.execute(params![log, idx, &salt[..], content])?;
                }
            }
        }
        append_tiles(&tx, log, batch)?;
        let new_size = to_i64(expected_size + batch.entries.len() as u64)?;
        let last = batch.last_recorded.map(|t| t.to_string());
        match &batch.roster {
            Some(r) => tx.execute(
                "UPDATE ledger_log SET size = ?2, last_recorded = COALESCE(?3, last_recorded), roster = ?4 WHERE id = ?1",
                params![log, new_size, last, roster_json(r)],
            )?,
            None => tx.execute(
                "UPDATE ledger_log SET size = ?2, last_recorded = COALESCE(?3, last_recorded) WHERE id = ?1",
                params![log, new_size, last],
            )?,
        };
        tx.commit()?;
        Ok(())
    }

    fn find_ids(&mut self, log: i64, ids: &[Hash]) -> Result<Vec<Option<u64>>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT idx FROM ledger_entry WHERE log = ?1 AND entry_id = ?2")?;
        ids.iter()
            .map(|id| {
                let idx: Option<i64> = stmt
                    .query_row(params![log, &id[..]], |r| r.get(0))
                    .optional()?;
                Ok(idx.and_then(|i| u64::try_from(i).ok()))
            })
            .collect()
    }

    fn entries(&mut self, log: i64, from: u64, to: u64) -> Result<Vec<EntryRow>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT idx, entry_id, leaf FROM ledger_entry \
             WHERE log = ?1 AND idx >= ?2 AND idx < ?3 ORDER BY idx",
        )?;
        let rows = stmt.query_map(params![log, to_i64(from)?, to_i64(to)?], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, Vec<u8>>(1)?,
                r.get::<_, Vec<u8>>(2)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (idx, id, leaf) = row?;
            out.push((idx as u64, to_hash(&id)?, leaf, [0; 32]));
        }
        drop(stmt);
        with_leaf_hashes(self, log, out)
    }

    fn tiles(&mut self, log: i64, keys: &[TileKey]) -> Result<Vec<Vec<Hash>>, StoreError> {
        // A whole tile is the part from its first position to its last.
        let whole: Vec<TilePart> = keys
            .iter()
            .map(|&key| (key, 0, accord_ledger::merkle::tile::TILE_WIDTH as usize))
            .collect();
        self.tile_parts(log, &whole)
    }

    fn tile_parts(&mut self, log: i64, parts: &[TilePart]) -> Result<Vec<Vec<Hash>>, StoreError> {
        // One read transaction for every part a proof needs (one snapshot, the WAL read
        // lock taken once), begun and ended by cached statements (rusqlite's transaction
        // prepares `BEGIN` and `COMMIT` anew each time, a tenth of a proof's time).
        let begun = self.conn.is_autocommit();
        if begun {
            self.conn.prepare_cached("BEGIN")?.execute([])?;
        }
        let read = read_tile_parts(&self.conn, log, parts);
        if begun {
            let end = if read.is_ok() { "COMMIT" } else { "ROLLBACK" };
            let ended = self
                .conn
                .prepare_cached(end)
                .and_then(|mut s| s.execute([]));
            if let (Ok(_), Err(e)) = (&read, ended) {
                return Err(e.into());
            }
        }
        read
    }

    fn put_checkpoint(&mut self, log: i64, size: u64, note: &str) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO ledger_checkpoint (log, size, note) VALUES (?1, ?2, ?3) ON CONFLICT (log, size) DO NOTHING",
            params![log, to_i64(size)?, note],
        )?;
        Ok(())
    }

    fn checkpoints(&mut self, log: i64) -> Result<Vec<(u64, String)>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT size, note FROM ledger_checkpoint WHERE log = ?1 ORDER BY size")?;
        let rows = stmt.query_map([log], |r| Ok((r.get::<_, i64>(0)? as u64, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn sealed(&mut self, log: i64, index: u64) -> Result<Option<SealedContent>, StoreError> {
        let row: Option<(Vec<u8>, Vec<u8>)> = self
            .conn
            .query_row(
                "SELECT salt, content FROM ledger_sealed WHERE log = ?1 AND idx = ?2",
                params![log, to_i64(index)?],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        row.map(|(salt, content)| Ok((to_hash(&salt)?, content)))
            .transpose()
    }

    fn all_sealed(&mut self, log: i64) -> Result<Vec<SealedRow>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT idx, salt, content FROM ledger_sealed WHERE log = ?1 ORDER BY idx")?;
        let rows = stmt.query_map([log], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, Vec<u8>>(1)?,
                r.get::<_, Vec<u8>>(2)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (i, salt, content) = row?;
            out.push((i as u64, to_hash(&salt)?, content));
        }
        Ok(out)
    }

    fn verified_mark(&mut self, log: i64) -> Result<Option<u64>, StoreError> {
        let size: Option<i64> = self
            .conn
            .query_row(
                "SELECT size FROM ledger_verified WHERE log = ?1",
                [log],
                |r| r.get(0),
            )
            .optional()?;
        Ok(size.map(|s| u64::try_from(s).unwrap_or(u64::MAX)))
    }

    fn set_verified_mark(&mut self, log: i64, size: u64) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO ledger_verified (log, size) VALUES (?1, ?2) \
             ON CONFLICT (log) DO UPDATE SET size = excluded.size WHERE excluded.size > ledger_verified.size",
            params![log, to_i64(size)?],
        )?;
        Ok(())
    }
}

/// Each part of a tile, cut in SQL: the search for the row reads no tile (a rowid table,
/// see [`TILES_BY_ROWID`]); the row's value is read whole from its overflow pages, and only
/// the part is copied out and decoded.
fn read_tile_parts(
    conn: &rusqlite::Connection,
    log: i64,
    parts: &[TilePart],
) -> Result<Vec<Vec<Hash>>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT substr(hashes, ?4, ?5) FROM ledger_tile WHERE log = ?1 AND level = ?2 AND idx = ?3",
    )?;
    let mut out = Vec::with_capacity(parts.len());
    for &((level, index), from, to) in parts {
        let (at, len) = (from as i64 * 32 + 1, to.saturating_sub(from) as i64 * 32);
        let mut rows = stmt.query(params![log, level, to_i64(index)?, at, len])?;
        out.push(match rows.next()? {
            Some(row) => {
                tiles::decode(row.get_ref(0)?.as_blob().map_err(|e| {
                    StoreError::Corrupt(format!("a stored tile is not a blob: {e}"))
                })?)?
            }
            None => Vec::new(),
        });
    }
    Ok(out)
}

/// Writes a batch's hashes into their tiles: a new tile is inserted, the last tile of a
/// level is extended where its stored length says the batch starts.
fn append_tiles(tx: &rusqlite::Transaction<'_>, log: i64, batch: &Batch) -> Result<(), StoreError> {
    let mut insert = tx.prepare_cached(
        "INSERT INTO ledger_tile (log, level, idx, hashes) VALUES (?1, ?2, ?3, ?4)",
    )?;
    // `||` makes text of blobs without changing a byte; the cast makes it a blob again.
    let mut extend = tx.prepare_cached(
        "UPDATE ledger_tile SET hashes = CAST(hashes || ?4 AS BLOB) \
         WHERE log = ?1 AND level = ?2 AND idx = ?3 AND length(hashes) = ?5",
    )?;
    for append in batch.tile_appends() {
        let idx = to_i64(append.index)?;
        let bytes = append.bytes();
        if append.offset == 0 {
            insert.execute(params![log, append.level, idx, bytes])?;
        } else {
            let at = to_i64(append.offset * 32)?;
            if extend.execute(params![log, append.level, idx, bytes, at])? != 1 {
                return Err(tiles::misplaced(&append));
            }
        }
    }
    Ok(())
}
