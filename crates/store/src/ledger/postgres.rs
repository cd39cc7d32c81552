//! The ledger tables in PostgreSQL.
//!
//! Appends lock the log's row (`SELECT ... FOR UPDATE`) before checking its size, insert
//! the batch with one `UNNEST` statement per table, and commit; PostgreSQL's default
//! `synchronous_commit = on` makes the commit durable before it returns. Tables live in
//! the connection's `search_path` schema (tests give each run its own schema).

use accord_ledger::merkle::Hash;
use accord_ledger::roster::Roster;

use super::sqlite::{parse_roster, parse_time};
use super::{
    Batch, EntryRow, LedgerBackend, LogInfo, SealedContent, SealedRow, StoreError, TileKey,
    TilePart, tiles, to_hash, to_i64, with_leaf_hashes,
};

/// The ledger tables (migration 1 of [`crate::migrate`]).
pub(crate) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS ledger_log (
    id BIGSERIAL PRIMARY KEY,
    origin TEXT NOT NULL UNIQUE,
    log_key TEXT NOT NULL,
    initial_roster TEXT NOT NULL,
    roster TEXT NOT NULL,
    size BIGINT NOT NULL,
    last_recorded TEXT
);
CREATE TABLE IF NOT EXISTS ledger_entry (
    log BIGINT NOT NULL,
    idx BIGINT NOT NULL,
    entry_id BYTEA NOT NULL,
    leaf BYTEA NOT NULL,
    PRIMARY KEY (log, idx)
);
CREATE UNIQUE INDEX IF NOT EXISTS ledger_entry_by_id ON ledger_entry (log, entry_id);
CREATE TABLE IF NOT EXISTS ledger_node (
    log BIGINT NOT NULL,
    level INT NOT NULL,
    idx BIGINT NOT NULL,
    hash BYTEA NOT NULL,
    PRIMARY KEY (log, level, idx)
);
CREATE TABLE IF NOT EXISTS ledger_checkpoint (
    log BIGINT NOT NULL,
    size BIGINT NOT NULL,
    note TEXT NOT NULL,
    PRIMARY KEY (log, size)
);
CREATE TABLE IF NOT EXISTS ledger_sealed (
    log BIGINT NOT NULL,
    idx BIGINT NOT NULL,
    salt BYTEA NOT NULL,
    content BYTEA NOT NULL,
    PRIMARY KEY (log, idx)
);
";

/// Migration 6: the tree's hashes as tiles of 256 (see [`super::tiles`]), made from the
/// node rows of earlier stores. Hashes do not compress: the column is stored out of line
/// without trying to.
pub(crate) const TILES: &str = "
CREATE TABLE ledger_tile (
    log BIGINT NOT NULL,
    level INT NOT NULL,
    idx BIGINT NOT NULL,
    hashes BYTEA NOT NULL,
    PRIMARY KEY (log, level, idx)
);
ALTER TABLE ledger_tile ALTER COLUMN hashes SET STORAGE EXTERNAL;
INSERT INTO ledger_tile (log, level, idx, hashes)
    SELECT log, level, idx / 256, string_agg(hash, ''::BYTEA ORDER BY idx)
    FROM ledger_node GROUP BY log, level, idx / 256;
DROP TABLE ledger_node;
";

/// The duplicate lookup: one lookup of the id index per id (a subquery per id, whose two
/// equalities match the unique index), whatever the planner knows of the table. On a
/// table not yet analysed, `entry_id = ANY($2)`, and a join of the ids to the table, were
/// planned as a scan of every row of the log (the primary key's `log = $1`) filtered by
/// the ids: 14 ms a batch at 40,000 entries, growing with the log.
pub(crate) const FIND_IDS: &str = "SELECT t.id, \
     (SELECT e.idx FROM ledger_entry e WHERE e.log = $1 AND e.entry_id = t.id) \
     FROM UNNEST($2::BYTEA[]) AS t(id)";

/// The PostgreSQL back end, over one pooled connection.
pub struct PostgresLedger {
    client: crate::handle::PostgresConn,
    /// The read of (parts of) tiles, prepared once per connection (proofs are
    /// latency-bound).
    read_parts: Option<postgres::Statement>,
    /// The statements of the write path, prepared once per connection.
    statements: Statements,
}

/// Statements prepared once per connection and kept by their text: `execute` with the
/// text has the server parse it first, one more round trip per statement, and a batch
/// runs about ten.
#[derive(Default)]
struct Statements(std::collections::HashMap<&'static str, postgres::Statement>);

impl Statements {
    fn get(
        &mut self,
        client: &mut impl postgres::GenericClient,
        sql: &'static str,
    ) -> Result<postgres::Statement, postgres::Error> {
        if let Some(statement) = self.0.get(sql) {
            return Ok(statement.clone());
        }
        let statement = client.prepare(sql)?;
        self.0.insert(sql, statement.clone());
        Ok(statement)
    }
}

impl PostgresLedger {
    pub(crate) fn new(client: crate::handle::PostgresConn) -> Self {
        Self {
            client,
            read_parts: None,
            statements: Statements::default(),
        }
    }
}

fn roster_json(r: &Roster) -> String {
    serde_json::to_string(r).unwrap_or_default()
}

impl LedgerBackend for PostgresLedger {
    fn create_log(
        &mut self,
        origin: &str,
        log_key: &str,
        roster: &Roster,
    ) -> Result<(), StoreError> {
        let json = roster_json(roster);
        let res = self.client.execute(
            "INSERT INTO ledger_log (origin, log_key, initial_roster, roster, size) VALUES ($1, $2, $3, $3, 0)",
            &[&origin, &log_key, &json],
        );
        match res {
            Err(e) if e.code() == Some(&::postgres::error::SqlState::UNIQUE_VIOLATION) => {
                Err(StoreError::LogExists(origin.to_owned()))
            }
            Err(e) => Err(e.into()),
            Ok(_) => Ok(()),
        }
    }

    fn log_info(&mut self, origin: &str) -> Result<LogInfo, StoreError> {
        let row = self.client.query_opt(
            "SELECT id, log_key, initial_roster, roster, size, last_recorded FROM ledger_log WHERE origin = $1",
            &[&origin],
        )?;
        let Some(row) = row else {
            return Err(StoreError::NoSuchLog(origin.to_owned()));
        };
        let size: i64 = row.try_get(4)?;
        Ok(LogInfo {
            id: row.try_get(0)?,
            origin: origin.to_owned(),
            log_key: row.try_get(1)?,
            initial_roster: parse_roster(row.try_get(2)?)?,
            roster: parse_roster(row.try_get(3)?)?,
            size: u64::try_from(size).map_err(|_| StoreError::Corrupt("negative size".into()))?,
            last_recorded: parse_time(row.try_get(5)?)?,
        })
    }

    fn origins(&mut self) -> Result<Vec<String>, StoreError> {
        let rows = self
            .client
            .query("SELECT origin FROM ledger_log ORDER BY origin", &[])?;
        Ok(rows
            .iter()
            .map(|r| r.try_get(0))
            .collect::<Result<_, _>>()?)
    }

    fn append(&mut self, log: i64, expected_size: u64, batch: &Batch) -> Result<(), StoreError> {
        let statements = &mut self.statements;
        let mut tx = self.client.transaction()?;
        let lock = statements.get(
            &mut tx,
            "SELECT size FROM ledger_log WHERE id = $1 FOR UPDATE",
        )?;
        let size: i64 = tx.query_one(&lock, &[&log])?.try_get(0)?;
        if size != to_i64(expected_size)? {
            return Err(StoreError::Conflict);
        }
        let mut idx = Vec::with_capacity(batch.entries.len());
        let mut ids = Vec::with_capacity(batch.entries.len());
        let mut leaves = Vec::with_capacity(batch.entries.len());
        let (mut s_idx, mut s_salt, mut s_content) = (Vec::new(), Vec::new(), Vec::new());
        for e in &batch.entries {
            let i = to_i64(e.index)?;
            idx.push(i);
            ids.push(&e.entry_id[..]);
            leaves.push(&e.leaf[..]);
            if let Some((salt, content)) = &e.sealed {
                s_idx.push(i);
                s_salt.push(&salt[..]);
                s_content.push(&content[..]);
            }
        }
        let insert = statements.get(
            &mut tx,
            "INSERT INTO ledger_entry (log, idx, entry_id, leaf) \
             SELECT $1, i, e, l FROM UNNEST($2::BIGINT[], $3::BYTEA[], $4::BYTEA[]) AS t(i, e, l)",
        )?;
        tx.execute(&insert, &[&log, &idx, &ids, &leaves])?;
        if !s_idx.is_empty() {
            let sealed = statements.get(
                &mut tx,
                "INSERT INTO ledger_sealed (log, idx, salt, content) \
                 SELECT $1, i, s, c FROM UNNEST($2::BIGINT[], $3::BYTEA[], $4::BYTEA[]) AS t(i, s, c)",
            )?;
            tx.execute(&sealed, &[&log, &s_idx, &s_salt, &s_content])?;
        }
        append_tiles(&mut tx, statements, log, batch)?;
        let new_size = to_i64(expected_size + batch.entries.len() as u64)?;
        let last = batch.last_recorded.map(|t| t.to_string());
        match &batch.roster {
            Some(r) => tx.execute(
                "UPDATE ledger_log SET size = $2, last_recorded = COALESCE($3, last_recorded), roster = $4 WHERE id = $1",
                &[&log, &new_size, &last, &roster_json(r)],
            )?,
            None => {
                let update = statements.get(
                    &mut tx,
                    "UPDATE ledger_log SET size = $2, last_recorded = COALESCE($3, last_recorded) WHERE id = $1",
                )?;
                tx.execute(&update, &[&log, &new_size, &last])?
            }
        };
        tx.commit()?;
        Ok(())
    }

    fn find_ids(&mut self, log: i64, ids: &[Hash]) -> Result<Vec<Option<u64>>, StoreError> {
        let list: Vec<Vec<u8>> = ids.iter().map(|h| h.to_vec()).collect();
        let find = self.statements.get(&mut *self.client, FIND_IDS)?;
        let rows = self.client.query(&find, &[&log, &list])?;
        let mut found = Vec::with_capacity(rows.len());
        for row in rows {
            let id: Vec<u8> = row.try_get(0)?;
            if let Some(idx) = row.try_get::<_, Option<i64>>(1)? {
                found.push((to_hash(&id)?, idx as u64));
            }
        }
        Ok(ids
            .iter()
            .map(|id| found.iter().find(|(f, _)| f == id).map(|(_, i)| *i))
            .collect())
    }

    fn entries(&mut self, log: i64, from: u64, to: u64) -> Result<Vec<EntryRow>, StoreError> {
        let rows = self.client.query(
            "SELECT idx, entry_id, leaf FROM ledger_entry \
             WHERE log = $1 AND idx >= $2 AND idx < $3 ORDER BY idx",
            &[&log, &to_i64(from)?, &to_i64(to)?],
        )?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let idx: i64 = row.try_get(0)?;
            let id: &[u8] = row.try_get(1)?;
            let leaf: Vec<u8> = row.try_get(2)?;
            out.push((idx as u64, to_hash(id)?, leaf, [0; 32]));
        }
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
        // One round trip, as `tiles`; the column is stored uncompressed out of line, so
        // `substring` fetches only the TOAST chunks that hold the part (a proof needs 512
        // bytes of a tile's 8 KiB).
        let mut levels = Vec::with_capacity(parts.len());
        let mut indexes = Vec::with_capacity(parts.len());
        let (mut starts, mut lengths) = (Vec::new(), Vec::new());
        for &((level, index), from, to) in parts {
            levels.push(level as i32);
            indexes.push(to_i64(index)?);
            starts.push(from as i32 * 32 + 1);
            lengths.push(to.saturating_sub(from) as i32 * 32);
        }
        let statement = match &self.read_parts {
            Some(statement) => statement.clone(),
            None => {
                let statement = self.client.prepare(
                    // LIMIT keeps the subquery a lookup by primary key per tile: as a plain
                    // join the planner may scan the whole table for a handful of rows.
                    "SELECT r.ord, t.part FROM UNNEST($2::INT[], $3::BIGINT[], $4::INT[], $5::INT[]) \
                     WITH ORDINALITY AS r(lvl, i, f, n, ord) \
                     CROSS JOIN LATERAL (SELECT substring(hashes FROM r.f FOR r.n) AS part FROM ledger_tile \
                         WHERE log = $1 AND level = r.lvl AND idx = r.i LIMIT 1) t",
                )?;
                self.read_parts = Some(statement.clone());
                statement
            }
        };
        let rows = self
            .client
            .query(&statement, &[&log, &levels, &indexes, &starts, &lengths])?;
        let mut out = vec![Vec::new(); parts.len()];
        for row in rows {
            let ord: i64 = row.try_get(0)?;
            if let Some(slot) = usize::try_from(ord - 1).ok().and_then(|p| out.get_mut(p)) {
                *slot = tiles::decode(row.try_get(1)?)?;
            }
        }
        Ok(out)
    }

    fn await_standbys(&mut self, within: std::time::Duration) -> Result<(), StoreError> {
        crate::replication::await_standbys(&mut self.client, within)
    }

    fn put_checkpoint(&mut self, log: i64, size: u64, note: &str) -> Result<(), StoreError> {
        self.client.execute(
            "INSERT INTO ledger_checkpoint (log, size, note) VALUES ($1, $2, $3) ON CONFLICT (log, size) DO NOTHING",
            &[&log, &to_i64(size)?, &note],
        )?;
        Ok(())
    }

    fn checkpoints(&mut self, log: i64) -> Result<Vec<(u64, String)>, StoreError> {
        let rows = self.client.query(
            "SELECT size, note FROM ledger_checkpoint WHERE log = $1 ORDER BY size",
            &[&log],
        )?;
        rows.iter()
            .map(|r| Ok((r.try_get::<_, i64>(0)? as u64, r.try_get(1)?)))
            .collect()
    }

    fn sealed(&mut self, log: i64, index: u64) -> Result<Option<SealedContent>, StoreError> {
        let row = self.client.query_opt(
            "SELECT salt, content FROM ledger_sealed WHERE log = $1 AND idx = $2",
            &[&log, &to_i64(index)?],
        )?;
        row.map(|r| Ok((to_hash(r.try_get(0)?)?, r.try_get(1)?)))
            .transpose()
    }

    fn all_sealed(&mut self, log: i64) -> Result<Vec<SealedRow>, StoreError> {
        let rows = self.client.query(
            "SELECT idx, salt, content FROM ledger_sealed WHERE log = $1 ORDER BY idx",
            &[&log],
        )?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get::<_, i64>(0)? as u64,
                    to_hash(r.try_get(1)?)?,
                    r.try_get(2)?,
                ))
            })
            .collect()
    }

    fn verified_mark(&mut self, log: i64) -> Result<Option<u64>, StoreError> {
        let row = self
            .client
            .query_opt("SELECT size FROM ledger_verified WHERE log = $1", &[&log])?;
        let size: Option<i64> = row.map(|r| r.try_get(0)).transpose()?;
        Ok(size.map(|s| u64::try_from(s).unwrap_or(u64::MAX)))
    }

    fn set_verified_mark(&mut self, log: i64, size: u64) -> Result<(), StoreError> {
        self.client.execute(
            "INSERT INTO ledger_verified (log, size) VALUES ($1, $2) \
             ON CONFLICT (log) DO UPDATE SET size = excluded.size WHERE excluded.size > ledger_verified.size",
            &[&log, &to_i64(size)?],
        )?;
        Ok(())
    }
}

/// Writes a batch's hashes into their tiles: new tiles in one statement, and the last tile
/// of each level extended where its stored length says the batch starts.
fn append_tiles(
    tx: &mut postgres::Transaction<'_>,
    statements: &mut Statements,
    log: i64,
    batch: &Batch,
) -> Result<(), StoreError> {
    let (mut levels, mut indexes, mut blobs) = (Vec::new(), Vec::new(), Vec::new());
    for append in batch.tile_appends() {
        let idx = to_i64(append.index)?;
        if append.offset == 0 {
            levels.push(append.level as i32);
            indexes.push(idx);
            blobs.push(append.bytes());
            continue;
        }
        let at = to_i64(append.offset * 32)?;
        let extend = statements.get(
            tx,
            "UPDATE ledger_tile SET hashes = hashes || $4 \
             WHERE log = $1 AND level = $2 AND idx = $3 AND length(hashes) = $5::BIGINT",
        )?;
        let changed = tx.execute(
            &extend,
            &[&log, &(append.level as i32), &idx, &append.bytes(), &at],
        )?;
        if changed != 1 {
            return Err(tiles::misplaced(&append));
        }
    }
    if !levels.is_empty() {
        let insert = statements.get(
            tx,
            "INSERT INTO ledger_tile (log, level, idx, hashes) \
             SELECT $1, l, i, h FROM UNNEST($2::INT[], $3::BIGINT[], $4::BYTEA[]) AS t(l, i, h)",
        )?;
        tx.execute(&insert, &[&log, &levels, &indexes, &blobs])?;
    }
    Ok(())
}
