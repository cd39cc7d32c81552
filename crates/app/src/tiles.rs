//! A log's read side as C2SP tlog-tiles resources (issue #13): hash tiles and entry
//! bundles, full or partial, cut from the tiles the store already keeps.
//!
//! The store keeps the tree in tiles of 256 hashes at levels 0, 4, 8, 12, …; its levels
//! 0, 8, 16, … are exactly C2SP's tile levels 0, 1, 2, … (see
//! `accord_ledger::merkle::tile`), and a stored tile only grows, so a partial tile of any
//! size the log has reached is a prefix of the stored one. Every resource the current tree
//! holds is served — in particular every partial tile of every checkpointed size, which is
//! what the specification requires; a client still verifies a checkpoint first.

use accord_ledger::merkle::tile::TILE_WIDTH;
use accord_store::Store;

use crate::error::Result;

/// The highest C2SP tile level (the specification's limit).
pub const MAX_LEVEL: u8 = 63;

/// Which resource of a log: a hash tile at a C2SP level, or an entry bundle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resource {
    /// `tile/<L>/<N>[.p/<W>]`.
    Hashes {
        /// The C2SP tile level (0: leaf hashes).
        level: u8,
    },
    /// `tile/entries/<N>[.p/<W>]`.
    Entries,
}

/// One resource asked for: which, its index among its level's tiles, and its width
/// (`None`: a full tile of 256; `Some(w)`: a partial one, `1 ≤ w ≤ 255`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TileRequest {
    /// Hashes or entries.
    pub resource: Resource,
    /// The tile's index at its level.
    pub index: u64,
    /// The partial width, if partial.
    pub width: Option<u8>,
}

impl TileRequest {
    /// How many hashes or entries it holds.
    pub fn count(&self) -> u64 {
        self.width.map_or(TILE_WIDTH, u64::from)
    }

    /// The C2SP level (entries sit on level 0).
    fn level(&self) -> u8 {
        match self.resource {
            Resource::Hashes { level } => level,
            Resource::Entries => 0,
        }
    }

    /// Whether the tree of `size` holds this resource: the hashes at its level up to
    /// one past its last, `index * 256 + count`, are complete by `size`.
    pub fn within(&self, size: u64) -> bool {
        // floor(size / 256^level), with 256^level beyond u64 meaning no hash at all.
        let complete = u32::from(self.level())
            .checked_mul(8)
            .and_then(|bits| size.checked_shr(bits))
            .unwrap_or(0);
        self.index
            .checked_mul(TILE_WIDTH)
            .and_then(|start| start.checked_add(self.count()))
            .is_some_and(|end| end <= complete)
    }
}

/// What a log answers for a resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tile {
    /// The resource's bytes: 32 bytes a hash, or the entries each after its big-endian
    /// `u16` length.
    Found(Vec<u8>),
    /// The log's tree does not (yet) hold it.
    Absent,
    /// An entry of the bundle is longer than a `u16` length can say (the ledger accepts
    /// entries up to about 68 KiB, C2SP bundles 65,535 bytes).
    EntryTooLong {
        /// The entry's index.
        index: u64,
        /// Its length in bytes.
        len: usize,
    },
}

/// The resource `request` of the log `origin`, read from the store.
pub fn read(store: &Store, origin: &str, request: TileRequest) -> Result<Tile> {
    let mut backend = store.backend()?;
    let info = backend.log_info(origin)?;
    if !request.within(info.size) {
        return Ok(Tile::Absent);
    }
    let count = request.count();
    let start = request.index * TILE_WIDTH;
    match request.resource {
        Resource::Hashes { level } => {
            let stored_level = u32::from(level) * 8;
            let hashes = backend.hashes(info.id, stored_level, start, count)?;
            if hashes.len() as u64 != count {
                return Err(accord_store::StoreError::Corrupt(format!(
                    "the tile at level {level} index {} holds {} of {count} hashes",
                    request.index,
                    hashes.len()
                ))
                .into());
            }
            Ok(Tile::Found(hashes.concat()))
        }
        Resource::Entries => {
            let rows = backend.entries(info.id, start, start + count)?;
            bundle(
                &rows
                    .iter()
                    .map(|r| (r.0, r.2.as_slice()))
                    .collect::<Vec<_>>(),
            )
        }
    }
}

/// Entries as a C2SP entry bundle: each leaf's bytes after their big-endian `u16` length.
fn bundle(leaves: &[(u64, &[u8])]) -> Result<Tile> {
    let mut out = Vec::with_capacity(leaves.iter().map(|l| l.1.len() + 2).sum());
    for &(index, leaf) in leaves {
        let Ok(len) = u16::try_from(leaf.len()) else {
            return Ok(Tile::EntryTooLong {
                index,
                len: leaf.len(),
            });
        };
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(leaf);
    }
    Ok(Tile::Found(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hashes(level: u8, index: u64, width: Option<u8>) -> TileRequest {
        TileRequest {
            resource: Resource::Hashes { level },
            index,
            width,
        }
    }

    #[test]
    fn a_tree_of_70000_holds_the_tiles_the_specification_lists() {
        let size = 70_000;
        // 273 full level-0 tiles and a partial one of 112.
        assert!(hashes(0, 272, None).within(size));
        assert!(!hashes(0, 273, None).within(size));
        assert!(hashes(0, 273, Some(112)).within(size));
        assert!(!hashes(0, 273, Some(113)).within(size));
        // One full level-1 tile, a partial one of 17; a partial level-2 tile of 1.
        assert!(hashes(1, 0, None).within(size));
        assert!(hashes(1, 1, Some(17)).within(size));
        assert!(!hashes(1, 1, Some(18)).within(size));
        assert!(hashes(2, 0, Some(1)).within(size));
        assert!(!hashes(2, 0, Some(2)).within(size));
        assert!(!hashes(3, 0, Some(1)).within(size));
        // Levels whose hashes span more than 2^64 leaves hold nothing; no overflow.
        assert!(!hashes(8, 0, Some(1)).within(u64::MAX));
        assert!(!hashes(63, u64::MAX, None).within(u64::MAX));
        assert!(hashes(7, 0, Some(255)).within(u64::MAX));
    }

    #[test]
    fn a_bundle_prefixes_each_entry_with_its_length() {
        let bundle = bundle(&[(0, b"ab"), (1, b"")]).unwrap();
        assert_eq!(bundle, Tile::Found(vec![0, 2, b'a', b'b', 0, 0]));
        let long = vec![0u8; 65_536];
        assert_eq!(
            super::bundle(&[(0, b"a"), (7, &long)]).unwrap(),
            Tile::EntryTooLong {
                index: 7,
                len: 65_536
            }
        );
    }
}
