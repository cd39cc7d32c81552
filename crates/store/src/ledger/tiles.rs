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
    tiles: Mutex<HashMap<(i64, TileKey), Tile>>,
}

impl TileCache {
    /// The cached tile, if any.
    pub fn get(&self, log: i64, key: TileKey) -> Option<Tile> {
        let tiles = self.tiles.lock().ok()?;
        tiles.get(&(log, key)).cloned()
    }

    /// Keeps a tile read from the store, if it is an upper tile and there is room (a
    /// longer read of a level's last tile replaces the shorter one).
    pub fn offer(&self, log: i64, key: TileKey, tile: &Tile) {
        if key.0 < CACHED_FROM_LEVEL || tile.is_empty() {
            return;
        }
        if let Ok(mut tiles) = self.tiles.lock()
            && (tiles.len() < MAX_CACHED || tiles.contains_key(&(log, key)))
        {
            let slot = tiles.entry((log, key)).or_insert_with(|| Arc::clone(tile));
            if slot.len() < tile.len() {
                *slot = Arc::clone(tile);
            }
        }
    }
}
