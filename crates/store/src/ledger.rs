//! The evidence ledger's persistence: one [`LedgerBackend`] interface, implemented by the
//! embedded SQLite file and by PostgreSQL, a single-writer [`Sequencer`] per log that
//! group-commits appends, and the read side ([`Ledger`]): proofs, checkpoints and audit.
//!
//! Tables (both back ends): `ledger_log` (one row per log: origin, agreement, the log's
//! verifier key, the initial and current roster, the size), `ledger_entry` (index, entry
//! id, leaf bytes), `ledger_tile` (the leaf hashes at level 0 and the perfect subtree
//! hashes at every [`merkle::STRIDE`]-th level, 256 to a row as C2SP tlog-tiles groups them
//! — see [`tiles`] — so that a batch writes a few rows and a proof reads only the span of
//! the lower tiles it needs (16 hashes), the upper tiles from a cache shared by the store's
//! readers), `ledger_checkpoint`
//! (signed notes) and `ledger_sealed` (confidential contents and their salts, kept apart
//! from the public leaves).
//!
//! INVARIANT: an append is acknowledged only after the transaction that holds it has
//! committed (SQLite `synchronous=FULL`, PostgreSQL `COMMIT`). INVARIANT: a batch is written
//! only if the log's size in the store is still the size the writer started from, so two
//! writers (two processes) can never interleave or overwrite entries: the loser reloads
//! and retries.

mod audit;
mod postgres;
mod sequencer;
mod sqlite;
mod tiles;
mod verified;

use std::cell::RefCell;
use std::sync::Arc;

use accord_ledger::checkpoint::{self, Checkpoint, TlogProof};
use accord_ledger::entry::{EntryError, LoggedEntry};
use accord_ledger::merkle::tile::{self, TileKey};
use accord_ledger::merkle::{self, CompactRange, Hash, RangeRecorder, StoredNodes};
use accord_ledger::note::{SignerKey, VerifierKey};
use accord_ledger::roster::Roster;

pub use audit::{AuditFinding, AuditReport};
pub(crate) use postgres::{PostgresLedger, SCHEMA as POSTGRES_SCHEMA, TILES as POSTGRES_TILES};
pub use sequencer::{
    AppendError, BatchDone, GroupCommit, MAX_CLOCK_SKEW, Receipt, RecordClock, Sequencer,
    Submission,
};
pub(crate) use sqlite::{
    SCHEMA as SQLITE_SCHEMA, SqliteLedger, TILES as SQLITE_TILES,
    TILES_BY_ROWID as SQLITE_TILES_BY_ROWID,
};
pub use tiles::TileCache;
pub use verified::{Unverified, Verified};

use crate::{Store, StoreUrl};

/// Why a ledger operation failed in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite said no.
    #[error("SQLite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// PostgreSQL said no.
    #[error("PostgreSQL: {0}")]
    Postgres(#[from] ::postgres::Error),
    /// No log of that origin.
    #[error("there is no log `{0}` in this store")]
    NoSuchLog(String),
    /// The store holds no log at all, and one was asked for without naming it.
    #[error("the store holds no log")]
    NoLog,
    /// The store holds several logs, and one was asked for without naming it.
    #[error("the store holds several logs ({}): name one", .0.join(", "))]
    SeveralLogs(Vec<String>),
    /// The log already exists.
    #[error("the log `{0}` already exists in this store")]
    LogExists(String),
    /// The data in the store is not what it should be.
    #[error("the store is inconsistent: {0}")]
    Corrupt(String),
    /// Another writer appended first.
    #[error("another writer appended to the log at the same time")]
    Conflict,
    /// Another process leads the log (holds its lease): submit there, or again once the
    /// lease is free.
    #[error("another process leads the log `{origin}`{}: submit there, or again in a moment", leader_named(.leader))]
    NotLeader {
        /// The log.
        origin: String,
        /// The leader's advertised address, when it advertised one.
        leader: Option<String>,
    },
    /// An argument is out of range (index beyond the log, sizes out of order).
    #[error("{0}")]
    OutOfRange(String),
    /// A roster or key is invalid.
    #[error(transparent)]
    Entry(#[from] EntryError),
    /// The writer thread could not start.
    #[error("could not start the log's writer: {0}")]
    Io(#[from] std::io::Error),
    /// The embedded store's file does not exist (and was asked for as existing).
    #[error("the store `{0}` does not exist")]
    Missing(StoreUrl),
    /// No connection could be had from the pool.
    #[error("no connection to the store: {0}")]
    Pool(String),
    /// The store's schema is newer than this build.
    #[error(
        "the store's schema is version {found}, newer than this build of Accord knows ({known}): use a newer Accord"
    )]
    TooNew {
        /// The store's version.
        found: i64,
        /// The newest this build knows.
        known: i64,
    },
    /// A PostgreSQL URL's TLS settings cannot be used.
    #[error("PostgreSQL TLS: {0}")]
    Tls(String),
    /// A store opened read-only has an older schema than this build reads; reading it
    /// would need a migration, which is a write.
    #[error(
        "the store's schema is version {found}, older than this build reads ({known}): open it once for writing to migrate it"
    )]
    TooOld {
        /// The store's version (0: no Accord schema at all).
        found: i64,
        /// The version this build reads.
        known: i64,
    },
    /// Another text is registered for an agreement version.
    #[error(
        "agreement `{agreement}` version {version} is registered in this store with another text (SHA-256 {registered}); a version's text never changes"
    )]
    AgreementConflict {
        /// The agreement.
        agreement: String,
        /// The version.
        version: u32,
        /// The SHA-256 of the registered text.
        registered: String,
    },
    /// The clock is behind the log's last record time by more than the allowed skew.
    #[error("the clock ({now}) is behind the log's last record time ({last})")]
    ClockBehind {
        /// The last record time.
        last: jiff::Timestamp,
        /// The clock.
        now: jiff::Timestamp,
    },
    /// A log that does not verify was asked to be read: nothing is answered from it.
    #[error("the log `{origin}` does not verify, so nothing is read from it: {problem}")]
    Unverified {
        /// The log.
        origin: String,
        /// What is wrong, with the entry involved when there is one.
        #[source]
        problem: Box<Unverified>,
    },
    /// The synchronous standbys had not confirmed the commits a checkpoint would name
    /// within the wait (issue #17): nothing is signed, since a promoted standby might not
    /// hold them.
    #[error(
        "the synchronous standby(s) had not flushed the log's commits (up to {position}) after {} ms, so no checkpoint is signed over them: a promoted standby might not hold them; sign again once the standbys are connected and caught up",
        .waited.as_millis()
    )]
    Unconfirmed {
        /// The primary's write-ahead log position the standbys had to reach.
        position: String,
        /// How long they were waited for.
        waited: std::time::Duration,
    },
    /// The store's role may not read the synchronous standbys' positions, so a checkpoint
    /// cannot be confirmed by them (issue #17).
    #[error(
        "the store's role may not read the synchronous standbys' positions (`pg_stat_replication`), which a checkpoint waits for: grant it `pg_monitor` (or `pg_read_all_stats`)"
    )]
    StandbysHidden,
    /// The checkpoint key is not the log's key.
    #[error("the key `{given}` is not this log's key `{expected}`")]
    WrongLogKey {
        /// The log's verifier key.
        expected: String,
        /// The key given.
        given: String,
    },
}

/// ` (ADDRESS)` when the leader advertised an address.
fn leader_named(leader: &Option<String>) -> String {
    leader
        .as_ref()
        .map(|a| format!(" ({a})"))
        .unwrap_or_default()
}

/// A sealed entry's salt and content.
pub type SealedContent = ([u8; 32], Vec<u8>);
/// A sealed entry's index, salt and content.
pub type SealedRow = (u64, [u8; 32], Vec<u8>);
/// A part of a tile: its key and the positions `from..to` in it.
pub type TilePart = (TileKey, usize, usize);
/// A stored entry: index, entry id, leaf bytes, stored leaf hash.
pub type EntryRow = (u64, Hash, Vec<u8>, Hash);

/// What the store knows about one log.
#[derive(Debug, Clone)]
pub struct LogInfo {
    /// The store's numeric id of the log.
    pub id: i64,
    /// The log's origin (its name in checkpoints and in every entry).
    pub origin: String,
    /// The log's verifier key (`name+hex8+base64`).
    pub log_key: String,
    /// The roster the log started with.
    pub initial_roster: Roster,
    /// The roster after every accepted key event.
    pub roster: Roster,
    /// The number of entries.
    pub size: u64,
    /// The record time of the last entry, if any.
    pub last_recorded: Option<jiff::Timestamp>,
}

/// One entry as the writer stores it.
#[derive(Debug, Clone)]
pub struct StoredEntry {
    /// Its index.
    pub index: u64,
    /// SHA-256 of the submitted encoding (idempotency key).
    pub entry_id: Hash,
    /// The leaf bytes ([`LoggedEntry::leaf_bytes`]).
    pub leaf: Vec<u8>,
    /// The leaf hash.
    pub leaf_hash: Hash,
    /// For a sealed entry: the salt and the content, stored apart.
    pub sealed: Option<([u8; 32], Vec<u8>)>,
}

/// A group of appends written in one transaction.
#[derive(Debug, Clone, Default)]
pub struct Batch {
    /// The entries, with consecutive indexes starting at the log's size.
    pub entries: Vec<StoredEntry>,
    /// Perfect subtree hashes completed by these entries, at stored levels >= 1.
    pub nodes: Vec<(u32, u64, Hash)>,
    /// The roster after the batch, when a key event changed it.
    pub roster: Option<Roster>,
    /// The record time of the batch's last entry.
    pub last_recorded: Option<jiff::Timestamp>,
}

impl Batch {
    /// The batch's hashes — leaf hashes at level 0, then the completed subtrees — as
    /// appends to the tiles that hold them.
    pub fn tile_appends(&self) -> Vec<tile::TileAppend> {
        let leaves = self.entries.iter().map(|e| (0, e.index, e.leaf_hash));
        tile::appends(leaves.chain(self.nodes.iter().copied()))
    }
}

/// The operations both back ends implement. Only this module and its children know SQL.
pub trait LedgerBackend: Send {
    /// Creates a log.
    fn create_log(
        &mut self,
        origin: &str,
        log_key: &str,
        roster: &Roster,
    ) -> Result<(), StoreError>;
    /// Reads a log's row.
    fn log_info(&mut self, origin: &str) -> Result<LogInfo, StoreError>;
    /// The origins of every log.
    fn origins(&mut self) -> Result<Vec<String>, StoreError>;
    /// Writes a batch in one durable transaction if the log still has `expected_size`
    /// entries; [`StoreError::Conflict`] otherwise.
    fn append(&mut self, log: i64, expected_size: u64, batch: &Batch) -> Result<(), StoreError>;
    /// The indexes of entries with these ids, if logged.
    fn find_ids(&mut self, log: i64, ids: &[Hash]) -> Result<Vec<Option<u64>>, StoreError>;
    /// Entries `from..to` as (index, entry id, leaf bytes, leaf hash), in index order.
    fn entries(&mut self, log: i64, from: u64, to: u64) -> Result<Vec<EntryRow>, StoreError>;
    /// The stored tiles with these keys (see [`merkle::tile`]), in the same order, each
    /// as its hashes: fewer than 256 for a level's last tile, none for a missing one.
    fn tiles(&mut self, log: i64, keys: &[TileKey]) -> Result<Vec<Vec<Hash>>, StoreError>;
    /// Parts of the stored tiles: for each `(key, from, to)`, the hashes at positions
    /// `from..to` of that tile, in the same order; fewer when the tile is shorter, none
    /// for a missing one. A proof needs 16 hashes of a tile's 256: a back end that can
    /// read part of a row reads only those.
    fn tile_parts(&mut self, log: i64, parts: &[TilePart]) -> Result<Vec<Vec<Hash>>, StoreError> {
        let keys: Vec<TileKey> = parts.iter().map(|p| p.0).collect();
        let tiles = self.tiles(log, &keys)?;
        Ok(tiles
            .into_iter()
            .zip(parts)
            .map(|(tile, &(_, from, to))| {
                tile.get(from..to.min(tile.len()))
                    .map(<[Hash]>::to_vec)
                    .unwrap_or_default()
            })
            .collect())
    }
    /// Stored hashes at `level` (0: leaf hashes) for indexes `start..start+count`, in
    /// order, read from their tiles; it stops at the first hash the store does not hold.
    fn hashes(
        &mut self,
        log: i64,
        level: u32,
        start: u64,
        count: u64,
    ) -> Result<Vec<Hash>, StoreError> {
        let keys = tile::tiles_for(&[(level, start, count)]);
        let tiles = self.tiles(log, &keys)?;
        let mut out = Vec::with_capacity(usize::try_from(count).unwrap_or(0).min(1 << 20));
        for index in start..start + count {
            if tile::slice(&keys, &tiles, (level, index, 1), &mut out).is_none() {
                break;
            }
        }
        Ok(out)
    }
    /// Waits, at most `within`, until the store's synchronous standbys hold every commit
    /// made before the call (issue #17: what a checkpoint may name); at once for a store
    /// that has none (SQLite, a PostgreSQL without `synchronous_standby_names`).
    /// [`StoreError::Unconfirmed`] when they do not in time.
    fn await_standbys(&mut self, _within: std::time::Duration) -> Result<(), StoreError> {
        Ok(())
    }
    /// Stores a signed checkpoint.
    fn put_checkpoint(&mut self, log: i64, size: u64, note: &str) -> Result<(), StoreError>;
    /// Every stored checkpoint, by size.
    fn checkpoints(&mut self, log: i64) -> Result<Vec<(u64, String)>, StoreError>;
    /// The salt and content of a sealed entry.
    fn sealed(&mut self, log: i64, index: u64) -> Result<Option<SealedContent>, StoreError>;
    /// Every sealed entry's index, salt and content.
    fn all_sealed(&mut self, log: i64) -> Result<Vec<SealedRow>, StoreError>;
    /// The verified-up-to mark: the size of the signed checkpoint up to which every entry
    /// was verified, if any.
    fn verified_mark(&mut self, log: i64) -> Result<Option<u64>, StoreError>;
    /// Moves the verified-up-to mark forward to `size` (never back).
    fn set_verified_mark(&mut self, log: i64, size: u64) -> Result<(), StoreError>;
}

/// Opens the store named by a URL (creating it and its tables if needed) and gives the
/// ledger back end over one of its connections (benchmarks and tools that write batches
/// directly; everything else goes through [`Store`]).
pub fn open_backend(url: &StoreUrl) -> Result<Box<dyn LedgerBackend>, StoreError> {
    Store::open(url)?.backend()
}

/// Fills in the stored leaf hash of each entry row, from the level-0 tiles; a leaf hash
/// the store does not hold reads as zeroes, which the audit reports.
fn with_leaf_hashes(
    backend: &mut dyn LedgerBackend,
    log: i64,
    mut rows: Vec<EntryRow>,
) -> Result<Vec<EntryRow>, StoreError> {
    let (Some(first), Some(last)) = (rows.first(), rows.last()) else {
        return Ok(rows);
    };
    let (from, to) = (first.0, last.0 + 1);
    let keys = tile::tiles_for(&[(0, from, to - from)]);
    let tiles = backend.tiles(log, &keys)?;
    let mut one = Vec::with_capacity(1);
    for row in &mut rows {
        one.clear();
        if tile::slice(&keys, &tiles, (0, row.0, 1), &mut one).is_some()
            && let Some(hash) = one.first()
        {
            row.3 = *hash;
        }
    }
    Ok(rows)
}

/// Reads a 32-byte hash from a column value.
fn to_hash(bytes: &[u8]) -> Result<Hash, StoreError> {
    <Hash>::try_from(bytes)
        .map_err(|_| StoreError::Corrupt(format!("a stored hash is {} bytes, not 32", bytes.len())))
}

fn to_i64(n: u64) -> Result<i64, StoreError> {
    i64::try_from(n).map_err(|_| StoreError::OutOfRange(format!("{n} is too large")))
}

/// [`StoredNodes`] over a back end, for one log.
struct Source<'a> {
    backend: RefCell<&'a mut dyn LedgerBackend>,
    log: i64,
}

impl StoredNodes for Source<'_> {
    type Error = StoreError;

    fn stored_range(
        &self,
        level: u32,
        start: u64,
        count: u64,
        out: &mut Vec<Hash>,
    ) -> Result<(), StoreError> {
        let hashes = self
            .backend
            .borrow_mut()
            .hashes(self.log, level, start, count)?;
        if hashes.len() as u64 != count {
            return Err(StoreError::Corrupt(format!(
                "{} of {count} hashes at level {level} from {start} are missing",
                count - hashes.len() as u64
            )));
        }
        out.extend(hashes);
        Ok(())
    }
}

/// The tiles a computation reads, fetched in advance, as a [`StoredNodes`] source: each
/// range is cut from its tile as the computation asks for it (no map of single hashes).
struct Fetched {
    keys: Vec<TileKey>,
    /// For each key, the position in its tile of the first hash held, and the hashes.
    parts: Vec<(usize, tiles::Tile)>,
}

impl StoredNodes for Fetched {
    type Error = StoreError;

    fn stored_range(
        &self,
        level: u32,
        start: u64,
        count: u64,
        out: &mut Vec<Hash>,
    ) -> Result<(), StoreError> {
        let missing = || {
            StoreError::Corrupt(format!(
                "hashes at level {level} from {start} to {} are missing",
                start + count
            ))
        };
        let mut at = start;
        while at < start + count {
            let (key, position) = tile::locate(level, at);
            let (first, part) = self
                .keys
                .binary_search(&key)
                .ok()
                .and_then(|i| self.parts.get(i))
                .ok_or_else(missing)?;
            // INVARIANT: a range a proof reads lies in one tile, so this loop turns once.
            let end = (position as u64 + (start + count - at)).min(tile::TILE_WIDTH) as usize;
            let hashes = position
                .checked_sub(*first)
                .and_then(|from| part.get(from..end - first))
                .ok_or_else(missing)?;
            out.extend_from_slice(hashes);
            at += (end - position) as u64;
        }
        Ok(())
    }
}

/// The read side of one log: entries, roots, proofs, checkpoints, audit.
pub struct Ledger {
    backend: Box<dyn LedgerBackend>,
    info: LogInfo,
    /// The store's cache of upper tiles, shared by its readers.
    cache: Arc<TileCache>,
}

impl std::fmt::Debug for Ledger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ledger")
            .field("origin", &self.info.origin)
            .finish()
    }
}

impl Ledger {
    /// Creates a log in the store named by `url` (see [`Store::init_log`]); for one-shot
    /// callers: a long-lived process holds a [`Store`].
    pub fn init(
        url: &StoreUrl,
        origin: &str,
        log_key: &VerifierKey,
        roster: &Roster,
    ) -> Result<Self, StoreError> {
        Store::open(url)?.init_log(origin, log_key, roster)
    }

    /// Opens a log of the store named by `url` (see [`Store::ledger`]); for one-shot
    /// callers: a long-lived process holds a [`Store`].
    pub fn open(url: &StoreUrl, origin: Option<&str>) -> Result<Self, StoreError> {
        Store::open(url)?.ledger(origin)
    }

    /// Creates a log named `origin` over a back end, with its roster and the verifier key
    /// that will sign its checkpoints.
    pub(crate) fn create(
        mut backend: Box<dyn LedgerBackend>,
        cache: Arc<TileCache>,
        origin: &str,
        log_key: &VerifierKey,
        roster: &Roster,
    ) -> Result<Self, StoreError> {
        roster.validate()?;
        backend.create_log(origin, &log_key.to_string(), roster)?;
        let info = backend.log_info(origin)?;
        Ok(Self {
            backend,
            info,
            cache,
        })
    }

    /// Opens an existing log over a back end. With `origin: None`, the store must hold
    /// exactly one log.
    pub(crate) fn over(
        mut backend: Box<dyn LedgerBackend>,
        cache: Arc<TileCache>,
        origin: Option<&str>,
    ) -> Result<Self, StoreError> {
        let origin = match origin {
            Some(o) => o.to_owned(),
            None => {
                let mut origins = backend.origins()?;
                match origins.len() {
                    1 => origins.remove(0),
                    0 => return Err(StoreError::NoLog),
                    _ => return Err(StoreError::SeveralLogs(origins)),
                }
            }
        };
        let info = backend.log_info(&origin)?;
        Ok(Self {
            backend,
            info,
            cache,
        })
    }

    /// The log's row as last read.
    pub fn info(&self) -> &LogInfo {
        &self.info
    }

    /// Re-reads the log's row (size, roster).
    pub fn refresh(&mut self) -> Result<&LogInfo, StoreError> {
        self.info = self.backend.log_info(&self.info.origin)?;
        Ok(&self.info)
    }

    /// Starts the single writer of this log, consuming this handle's connection.
    pub fn into_sequencer(self, config: GroupCommit) -> Result<Sequencer, StoreError> {
        Sequencer::start(self.backend, &self.info.origin, config)
    }

    fn check_size(&self, size: u64) -> Result<(), StoreError> {
        if size > self.info.size {
            return Err(StoreError::OutOfRange(format!(
                "the log has {} entries; size {size} is beyond it",
                self.info.size
            )));
        }
        Ok(())
    }

    /// Reads every tile a computation will read: the upper ones from the cache when it
    /// holds them far enough, the others in one call to the back end.
    fn prefetch(&mut self, recorder: RangeRecorder) -> Result<Fetched, StoreError> {
        let ranges = recorder.into_ranges();
        let keys = tile::tiles_for(&ranges);
        let spans = tile::spans_needed(&keys, &ranges);
        // A stored log shorter than when the cached tiles were read was replaced (a
        // failover): its cached tiles go before any is used. The size is read again first,
        // since this handle's may only be older than another reader's.
        if self.cache.read_beyond(self.info.id, self.info.size) {
            let stored = self.backend.log_info(&self.info.origin)?.size;
            self.cache.forget_beyond(self.info.id, stored);
        }
        let parts = match self.tiles(&keys, &spans, true)? {
            Some(parts) => parts,
            // A tile read did not continue the cached one: the cache was dropped, and
            // every tile is read again from the store.
            None => self.tiles(&keys, &spans, false)?.unwrap_or_default(),
        };
        Ok(Fetched { keys, parts })
    }

    /// The parts `spans` of the tiles `keys`, each with its first position: from the cache
    /// when `cached` and it holds them, else from the store (upper tiles whole, so that
    /// the cache keeps them; the others only the span). `None` when the store shows that
    /// the cache's tiles are of another log (a failover replaced it): a tile read
    /// contradicts the cached one, or the leaf at the cache's anchor is not the one it was
    /// ([`tiles::TileCache::anchor`]); the cache has then dropped the log's tiles.
    fn tiles(
        &mut self,
        keys: &[TileKey],
        spans: &[(usize, usize)],
        cached: bool,
    ) -> Result<Option<Vec<(usize, tiles::Tile)>>, StoreError> {
        let log = self.info.id;
        let mut parts: Vec<Option<(usize, tiles::Tile)>> = keys
            .iter()
            .zip(spans)
            .map(|(key, (_, to))| {
                cached
                    .then(|| self.cache.get(log, *key))
                    .flatten()
                    .filter(|t| t.len() >= *to)
                    .map(|t| (0, t))
            })
            .collect();
        let mut wanted: Vec<TilePart> = keys
            .iter()
            .zip(spans)
            .zip(&parts)
            .filter(|(_, part)| part.is_none())
            .map(
                |((key, &(from, to)), _)| match key.0 >= tiles::CACHED_FROM_LEVEL {
                    true => (*key, 0, tile::TILE_WIDTH as usize),
                    false => (*key, from, to),
                },
            )
            .collect();
        let tile_count = wanted.len();
        // Read in the same round trip: the leaf at the anchor, when cached tiles are used,
        // and the last leaf, when upper tiles will be offered to the cache.
        let anchor = self.cache.anchor(log).filter(|_| cached);
        let offers = wanted.iter().any(|p| p.0.0 >= tiles::CACHED_FROM_LEVEL);
        let last = self.info.size.checked_sub(1).filter(|_| offers);
        let leaves: Vec<u64> = [anchor.map(|(at, _)| at), last]
            .into_iter()
            .flatten()
            .collect();
        wanted.extend(leaves.iter().map(|&at| {
            let (key, position) = tile::locate(0, at);
            (key, position, position + 1)
        }));
        if wanted.is_empty() {
            return Ok(Some(parts.into_iter().flatten().collect()));
        }
        let mut read = self.backend.tile_parts(log, &wanted)?;
        let leaf_hashes: Vec<Option<Hash>> = read
            .split_off(tile_count)
            .into_iter()
            .map(|hashes| hashes.first().copied())
            .collect();
        let leaf = |at: u64| {
            leaves
                .iter()
                .position(|&l| l == at)
                .and_then(|i| leaf_hashes[i])
        };
        if let Some((at, hash)) = anchor
            && leaf(at) != Some(hash)
        {
            self.cache.forget(log);
            return Ok(None);
        }
        let last = last.and_then(leaf).map(|hash| (self.info.size, hash));
        let mut consistent = true;
        let slots = parts.iter_mut().filter(|part| part.is_none());
        for ((slot, &(key, from, _)), hashes) in slots.zip(&wanted).zip(read) {
            let tile = Arc::new(hashes);
            if let (0, Some(last)) = (from, last) {
                consistent &= self.cache.offer(log, last, key, &tile);
            }
            *slot = Some((from, tile));
        }
        Ok((consistent || !cached).then(|| parts.into_iter().flatten().collect()))
    }

    /// The root of the first `size` entries.
    pub fn root_at(&mut self, size: u64) -> Result<Hash, StoreError> {
        self.check_size(size)?;
        let recorder = RangeRecorder::default();
        let Ok(_) = CompactRange::from_source(&recorder, size);
        let source = self.prefetch(recorder)?;
        Ok(CompactRange::from_source(&source, size)?.root())
    }

    /// The inclusion proof of `index` in the tree of `size`.
    pub fn inclusion_proof(&mut self, index: u64, size: u64) -> Result<Vec<Hash>, StoreError> {
        self.check_size(size)?;
        let recorder = RangeRecorder::default();
        merkle::inclusion_proof(&recorder, index, size)
            .map_err(|e| StoreError::OutOfRange(e.to_string()))?;
        let source = self.prefetch(recorder)?;
        merkle::inclusion_proof(&source, index, size).map_err(from_source)
    }

    /// The consistency proof from `old` to `new`.
    pub fn consistency_proof(&mut self, old: u64, new: u64) -> Result<Vec<Hash>, StoreError> {
        self.check_size(new)?;
        let recorder = RangeRecorder::default();
        merkle::consistency_proof(&recorder, old, new)
            .map_err(|e| StoreError::OutOfRange(e.to_string()))?;
        let source = self.prefetch(recorder)?;
        merkle::consistency_proof(&source, old, new).map_err(from_source)
    }

    /// The entry at `index`, decoded, with its leaf hash.
    pub fn entry(&mut self, index: u64) -> Result<(LoggedEntry, Hash), StoreError> {
        self.check_size(index + 1)?;
        let rows = self.backend.entries(self.info.id, index, index + 1)?;
        let Some((_, _, leaf, hash)) = rows.into_iter().next() else {
            return Err(StoreError::Corrupt(format!("entry #{index} is missing")));
        };
        let entry = LoggedEntry::decode(&leaf)
            .map_err(|e| StoreError::Corrupt(format!("entry #{index}: {e}")))?;
        Ok((entry, hash))
    }

    /// Every entry of the log, each verified: its leaf hash, the acceptance rules and its
    /// signatures (entries past the verified-up-to mark), the stored checkpoints it must
    /// match, and the stored roster; [`StoreError::Unverified`] naming the first entry
    /// involved when anything does not hold.
    pub fn read_verified(&mut self) -> Result<Verified, StoreError> {
        self.refresh()?;
        verified::read(self.backend.as_mut(), &self.info)
    }

    /// The entries past those `frontier` has verified, up to the log's size as last read,
    /// each verified by the rules of [`Ledger::read_verified`] (all of them checked: the
    /// frontier is the caller's trust); `frontier` moves past them. For a reader that keeps
    /// a log verified as it grows; it checks the checkpoints stored since itself.
    pub fn read_verified_after(
        &mut self,
        frontier: &mut accord_ledger::verify::Frontier,
    ) -> Result<Vec<LoggedEntry>, StoreError> {
        verified::read_after(self.backend.as_mut(), &self.info, frontier)
    }

    /// Every entry of the log, decoded but not verified: for tools measuring what
    /// verification costs. Use cases read with [`Ledger::read_verified`].
    pub fn read_unverified(&mut self) -> Result<Vec<LoggedEntry>, StoreError> {
        self.refresh()?;
        let rows = self.backend.entries(self.info.id, 0, self.info.size)?;
        rows.iter()
            .map(|(index, _, leaf, _)| {
                LoggedEntry::decode(leaf)
                    .map_err(|e| StoreError::Corrupt(format!("entry #{index}: {e}")))
            })
            .collect()
    }

    /// The salt and content of a sealed entry (for those entitled to read it).
    pub fn sealed(&mut self, index: u64) -> Result<Option<SealedContent>, StoreError> {
        self.backend.sealed(self.info.id, index)
    }

    /// Signs a checkpoint of the log's current size with the log's key and stores it; on a
    /// PostgreSQL primary with synchronous standbys, only once they hold the entries it
    /// names, waiting for them at most [`crate::STANDBY_WAIT`] (see
    /// [`Ledger::checkpoint_within`]).
    pub fn checkpoint(&mut self, key: &SignerKey) -> Result<String, StoreError> {
        self.checkpoint_within(key, crate::STANDBY_WAIT)
    }

    /// [`Ledger::checkpoint`], waiting at most `within` for the synchronous standbys to
    /// confirm the commits of the entries it names; [`StoreError::Unconfirmed`], nothing
    /// signed, when they have not (issue #17: a commit can show on the primary before its
    /// standby has it, and a checkpoint over it would be a fork to a witness that kept it
    /// once the standby is promoted without it).
    pub fn checkpoint_within(
        &mut self,
        key: &SignerKey,
        within: std::time::Duration,
    ) -> Result<String, StoreError> {
        let given = key.verifier().to_string();
        if given != self.info.log_key {
            return Err(StoreError::WrongLogKey {
                expected: self.info.log_key.clone(),
                given,
            });
        }
        self.refresh()?;
        let size = self.info.size;
        // After the size is read: the position waited for is past the commit of that size.
        self.backend.await_standbys(within)?;
        // A log must never sign a checkpoint inconsistent with one it signed before: if the
        // store no longer extends the latest checkpoint, it was altered; refuse.
        if let Some((_, previous)) = self.checkpoints()?.into_iter().next_back() {
            let previous = checkpoint::open_checkpoint(&previous, &key.verifier(), &[])
                .map_err(|e| StoreError::Corrupt(format!("the latest checkpoint: {e}")))?
                .checkpoint;
            if previous.size > size || self.root_at(previous.size)? != previous.root {
                return Err(StoreError::Corrupt(format!(
                    "the log no longer extends its checkpoint at size {}, so no new checkpoint is signed",
                    previous.size
                )));
            }
        }
        let root = self.root_at(size)?;
        let note = Checkpoint {
            origin: self.info.origin.clone(),
            size,
            root,
            extensions: vec![],
        }
        .sign(key)
        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        self.backend.put_checkpoint(self.info.id, size, &note)?;
        Ok(note)
    }

    /// Every stored checkpoint, by size.
    pub fn checkpoints(&mut self) -> Result<Vec<(u64, String)>, StoreError> {
        self.backend.checkpoints(self.info.id)
    }

    /// A C2SP tlog-proof of `index` under the latest stored checkpoint that covers it.
    pub fn tlog_proof(&mut self, index: u64) -> Result<TlogProof, StoreError> {
        let checkpoints = self.checkpoints()?;
        let Some((size, note)) = checkpoints.into_iter().rev().find(|(s, _)| *s > index) else {
            return Err(StoreError::OutOfRange(format!(
                "no checkpoint covers entry #{index} yet: sign a checkpoint of the log first"
            )));
        };
        let proof = self.inclusion_proof(index, size)?;
        Ok(TlogProof {
            extra: None,
            index,
            proof,
            checkpoint: note,
        })
    }

    /// Recomputes the whole tree, re-verifies every entry and checkpoint, and reports
    /// every discrepancy with the index involved.
    pub fn audit(&mut self) -> Result<AuditReport, StoreError> {
        self.audit_against(&[])
    }

    /// [`Ledger::audit`], and the log checked against signed checkpoints held outside the
    /// store (C2SP signed notes, as [`Ledger::checkpoint`] writes them): each must verify
    /// under the log's key, match the leaves, and still be stored as it was signed. This
    /// finds what a store altered consistently cannot show by itself: entries deleted
    /// together with the checkpoints covering them, checkpoint rows deleted or rewritten,
    /// the log key replaced.
    pub fn audit_against(&mut self, outside: &[String]) -> Result<AuditReport, StoreError> {
        self.refresh()?;
        let log_key = VerifierKey::parse(&self.info.log_key)
            .map_err(|e| StoreError::Corrupt(format!("the log key: {e}")))?;
        audit::audit(self.backend.as_mut(), &self.info, &log_key, outside)
    }
}

/// A proof's error over fetched tiles: the store's, or (for arguments the plan accepted)
/// an inconsistency.
fn from_source(e: merkle::ProveError<StoreError>) -> StoreError {
    match e {
        merkle::ProveError::Source(e) => e,
        other => StoreError::Corrupt(other.to_string()),
    }
}

/// The hash encodings used in messages.
pub fn show_hash(hash: &Hash) -> String {
    checkpoint::encode_hash(hash)
}

#[cfg(test)]
mod tests;
