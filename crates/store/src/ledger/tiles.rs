//! The tree's hashes as tiles (`ledger_tile`, migration 6): the blob encoding of a tile
//! row, and the cache of the upper levels that every proof reads.
//!
//! A row holds a tile's hashes concatenated (32 bytes each, at most 256). A batch appends
//! to the last tile of each level inside its own transaction, guarded by the tile's length,
//! so a tile is never written twice at one offset.
//!
//! INVARIANT: only tiles at tree levels >= [`CACHED_FROM_LEVEL`] are cached, and a cached
//! tile is used only for hashes it holds: a log is only appended to, so a tile only ever
//! grows and the hashes it held stay the stored ones (a last tile too short for a proof is
//! read again). The audit never reads through the cache: it reads the store.
//!
//! A log is only appended to on one server. After a failover it may not be: PostgreSQL
//! shows a commit on the primary before its synchronous standby has it, so the promoted
//! standby's log can be shorter, and then grow with other entries. The cache therefore
//! keeps, per log, the largest stored size its tiles were read at: a reader that finds the
//! stored log shorter drops the log's tiles ([`TileCache::forget_beyond`]), and a tile read
//! from the store that does not continue the cached one drops them too
//! ([`TileCache::offer`]).
//!
//! A replacing log already regrown past the old size passes both checks while no proof
//! reads the level's last tile again; the **anchor** catches it. The cache keeps the leaf
//! hash at the last index its tiles were read up to (`read_at - 1`), and every read
//! through the cache reads that leaf again, in the same round trip as the tiles it
//! lacks ([`TileCache::anchor`]). A leaf is the hash of a signed entry and its record time
//! to the nanosecond, so a replaced log has another leaf there (or none): the log's tiles
//! are dropped ([`TileCache::forget`]). The same leaf means the same first `read_at`
//! entries, and a cached tile holds only hashes of subtrees below `read_at` (a tile read
//! longer is kept cut to its reader's size).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use accord_ledger::merkle::Hash;
use accord_ledger::merkle::tile::{TILE_WIDTH, TileAppend, TileKey};

use super::StoreError;

/// Tiles at this tree level and above are cached (C2SP tile level 1 and up: one cached
/// tile covers 65,536 leaves, so a tree of 10M leaves needs about 165 of them).
pub const CACHED_FROM_LEVEL: u32 = 8;

/// The most tiles the cache holds (8 KiB each: 32 MiB), enough for the upper levels of a
/// log of about 4 billion entries; past it, tiles are read from the store.
const MAX_CACHED: usize = 4096;

/// A tile's hashes from its stored bytes.
pub fn decode(bytes: &[u8]) -> Result<Vec<Hash>, StoreError> {
    if !bytes.len().is_multiple_of(32) || bytes.len() as u64 > 32 * TILE_WIDTH {
        return Err(StoreError::Corrupt(format!(
            "a stored tile is {} bytes, not a multiple of 32 up to {}",
            bytes.len(),
            32 * TILE_WIDTH
        )));
    }
    Ok(bytes
        .chunks_exact(32)
        .map(|c| {
            let mut h = [0u8; 32];
            h.copy_from_slice(c);
            h
        })
        .collect())
}

/// The error for an append whose tile is not as long as the batch expects: the store was
/// changed under the writer, which must not overwrite or leave a gap.
pub fn misplaced(append: &TileAppend) -> StoreError {
    StoreError::Corrupt(format!(
        "the tile at level {} index {} does not hold {} hashes, where the batch continues it",
        append.level, append.index, append.offset
    ))
}

/// A tile as read, shared between the cache and the proofs using it.
pub type Tile = Arc<Vec<Hash>>;

/// Full upper tiles, shared by every reader of a store, by log and tile.
#[derive(Debug, Default)]
pub struct TileCache {
    tiles: Mutex<Tiles>,
}

#[derive(Debug, Default)]
struct Tiles {
    by_key: HashMap<(i64, TileKey), Tile>,
    /// Per log, the largest stored size its cached tiles were read at, and the leaf hash
    /// at the index before it (the anchor).
    read_at: HashMap<i64, (u64, Hash)>,
}

impl Tiles {
    fn forget(&mut self, log: i64) {
        self.by_key.retain(|(l, _), _| *l != log);
        self.read_at.remove(&log);
    }
}

/// How many hashes of the tile `key` are of subtrees wholly below `size` leaves.
fn below(key: TileKey, size: u64) -> usize {
    let (level, index) = key;
    let nodes = size.checked_shr(level).unwrap_or(0);
    let first = index.saturating_mul(TILE_WIDTH);
    usize::try_from(nodes.saturating_sub(first).min(TILE_WIDTH)).unwrap_or(0)
}

impl TileCache {
    /// The cached tile, if any.
    pub fn get(&self, log: i64, key: TileKey) -> Option<Tile> {
        let tiles = self.tiles.lock().ok()?;
        tiles.by_key.get(&(log, key)).cloned()
    }

    /// Whether the log's tiles were read when it held more than `size` entries (a reader
    /// whose view of the log is older, or a log that shrank).
    pub fn read_beyond(&self, log: i64, size: u64) -> bool {
        self.tiles
            .lock()
            .is_ok_and(|tiles| tiles.read_at.get(&log).is_some_and(|(at, _)| *at > size))
    }

    /// The anchor of the log's cached tiles: the index of the last leaf they were read up
    /// to, and its hash then. A reader checks it against the store before it trusts them.
    pub fn anchor(&self, log: i64) -> Option<(u64, Hash)> {
        let tiles = self.tiles.lock().ok()?;
        let (at, leaf) = tiles.read_at.get(&log)?;
        Some((at.checked_sub(1)?, *leaf))
    }

    /// Drops the log's tiles: the store shows another log than the one they were read
    /// from (its leaf at the anchor differs).
    pub fn forget(&self, log: i64) {
        if let Ok(mut tiles) = self.tiles.lock() {
            tiles.forget(log);
        }
    }

    /// Drops the log's tiles if they were read when it held more than `size` entries, its
    /// stored size now: the log shrank (a failover to a standby that had not received the
    /// last commits), so they may hold hashes of entries it no longer has.
    pub fn forget_beyond(&self, log: i64, size: u64) {
        if let Ok(mut tiles) = self.tiles.lock()
            && tiles.read_at.get(&log).is_some_and(|(at, _)| *at > size)
        {
            tiles.forget(log);
        }
    }

    /// Keeps a tile read from the store when it held at least `size` entries, whose leaf
    /// hash at `size - 1` was `last`, if it is an upper tile and there is room (cut to the
    /// hashes of subtrees below `size`; a longer read of a level's last tile replaces the
    /// shorter one). Returns `false`, and drops the log's tiles, when the tile does not
    /// continue the cached one: the log was replaced under the cache, whose other tiles
    /// cannot be trusted either.
    pub fn offer(&self, log: i64, (size, last): (u64, Hash), key: TileKey, tile: &Tile) -> bool {
        let width = below(key, size).min(tile.len());
        if key.0 < CACHED_FROM_LEVEL || width == 0 {
            return true;
        }
        let Ok(mut tiles) = self.tiles.lock() else {
            return true;
        };
        if let Some(cached) = tiles.by_key.get(&(log, key)) {
            let common = cached.len().min(tile.len());
            if cached.get(..common) != tile.get(..common) {
                tiles.forget(log);
                return false;
            }
        }
        if tiles.by_key.len() < MAX_CACHED || tiles.by_key.contains_key(&(log, key)) {
            let kept = match tile.get(..width) {
                Some(cut) if width < tile.len() => Arc::new(cut.to_vec()),
                _ => Arc::clone(tile),
            };
            let slot = tiles
                .by_key
                .entry((log, key))
                .or_insert_with(|| Arc::clone(&kept));
            if slot.len() < kept.len() {
                *slot = kept;
            }
            let at = tiles.read_at.entry(log).or_insert((size, last));
            if at.0 < size {
                *at = (size, last);
            }
        }
        true
    }
}
