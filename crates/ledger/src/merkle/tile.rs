//! Tiles: the stored hashes of a tree grouped [`TILE_WIDTH`] to a row, the way C2SP
//! tlog-tiles groups them, so that a store writes a few rows per batch and a proof reads a
//! few rows whatever the tree's size.
//!
//! A tile is addressed by `(level, index)`: `level` is the tree level of its hashes (0 for
//! leaf hashes, else a multiple of [`STRIDE`]), and it holds the hashes of that level with
//! indexes `index * 256 .. index * 256 + width`. A tile is *full* at 256 hashes; the last
//! tile of a level is partial and only ever grows (the tree is append-only), so a tile read
//! for an older tree size holds what that size needs as a prefix. The tiles at levels 0, 8,
//! 16, ... are exactly C2SP's tiles at tile levels 0, 1, 2, ...; the levels in between
//! (4, 12, 20, ...) are kept too, so that a proof recomputes at most `2^(STRIDE-1)` hashes
//! per step instead of 128.
//!
//! INVARIANT: every range a proof or a compact range reads ([`perfect_hash`] asks for
//! `2^d` hashes starting at a multiple of `2^d`, `d < STRIDE`) lies inside one tile.
//!
//! [`perfect_hash`]: super::perfect_hash

use std::collections::BTreeMap;

use super::Hash;
#[cfg(doc)]
use super::STRIDE;

/// The number of hashes in a full tile.
pub const TILE_WIDTH: u64 = 256;

/// A tile's address: the tree level of its hashes and its index among that level's tiles.
pub type TileKey = (u32, u64);

/// The tile holding the hash at `(level, index)`, and the hash's position in it.
pub fn locate(level: u32, index: u64) -> (TileKey, usize) {
    // The remainder is below 256, so it fits any usize.
    ((level, index / TILE_WIDTH), (index % TILE_WIDTH) as usize)
}

/// The tiles holding the hashes of the ranges `(level, start, count)`, each once, in order.
pub fn tiles_for(ranges: &[(u32, u64, u64)]) -> Vec<TileKey> {
    let mut keys: Vec<TileKey> = ranges
        .iter()
        .filter(|r| r.2 > 0)
        .flat_map(|&(level, start, count)| {
            let first = start / TILE_WIDTH;
            let last = (start + count - 1) / TILE_WIDTH;
            (first..=last).map(move |t| (level, t))
        })
        .collect();
    keys.sort_unstable();
    keys.dedup();
    keys
}

/// For each of `keys` (as [`tiles_for`] named them), how many hashes its tile must hold
/// for the ranges `(level, start, count)`: one past the last position they read in it.
pub fn widths_needed(keys: &[TileKey], ranges: &[(u32, u64, u64)]) -> Vec<usize> {
    let mut widths = vec![0usize; keys.len()];
    for &(level, start, count) in ranges.iter().filter(|r| r.2 > 0) {
        let ((_, last), end) = locate(level, start + count - 1);
        for t in start / TILE_WIDTH..=last {
            // Every tile before the range's last one is read to its end.
            let width = if t == last {
                end + 1
            } else {
                TILE_WIDTH as usize
            };
            if let Some(w) = keys
                .binary_search(&(level, t))
                .ok()
                .and_then(|at| widths.get_mut(at))
            {
                *w = (*w).max(width);
            }
        }
    }
    widths
}

/// For each of `keys` (as [`tiles_for`] named them), the positions `from..to` in its tile
/// that the ranges `(level, start, count)` read: a store need fetch only those.
pub fn spans_needed(keys: &[TileKey], ranges: &[(u32, u64, u64)]) -> Vec<(usize, usize)> {
    let mut spans = vec![(TILE_WIDTH as usize, 0usize); keys.len()];
    for &(level, start, count) in ranges.iter().filter(|r| r.2 > 0) {
        let end = start + count;
        for t in start / TILE_WIDTH..=(end - 1) / TILE_WIDTH {
            let first = start.max(t * TILE_WIDTH) - t * TILE_WIDTH;
            let last = end.min((t + 1) * TILE_WIDTH) - t * TILE_WIDTH;
            if let Some(span) = keys
                .binary_search(&(level, t))
                .ok()
                .and_then(|at| spans.get_mut(at))
            {
                // Both are at most 256, so they fit any usize.
                span.0 = span.0.min(first as usize);
                span.1 = span.1.max(last as usize);
            }
        }
    }
    for span in &mut spans {
        span.0 = span.0.min(span.1);
    }
    spans
}

/// Hashes a batch adds to one tile: they go at `offset` (the tile's width before the
/// batch; 0 for a new tile).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TileAppend {
    /// The tile's level.
    pub level: u32,
    /// The tile's index at that level.
    pub index: u64,
    /// Where the new hashes start in the tile.
    pub offset: u64,
    /// The new hashes, in index order.
    pub hashes: Vec<Hash>,
}

impl TileAppend {
    /// The new hashes as the bytes a store appends to the tile's row.
    pub fn bytes(&self) -> Vec<u8> {
        self.hashes.concat()
    }
}

/// Groups newly stored hashes `(level, index, hash)` into one append per tile, by level
/// and index. Hashes of one level must come with consecutive indexes (as appending leaves
/// makes them); a gap starts another append, which the store refuses at its offset.
pub fn appends(nodes: impl IntoIterator<Item = (u32, u64, Hash)>) -> Vec<TileAppend> {
    let mut by_tile: BTreeMap<(TileKey, u64), TileAppend> = BTreeMap::new();
    let mut next_of: BTreeMap<TileKey, (u64, u64)> = BTreeMap::new();
    for (level, index, hash) in nodes {
        let (key, position) = locate(level, index);
        let position = position as u64;
        // A run continues while indexes are consecutive; otherwise a new append starts.
        let run = match next_of.get(&key) {
            Some(&(run, next)) if next == position => run,
            _ => position,
        };
        next_of.insert(key, (run, position + 1));
        by_tile
            .entry((key, run))
            .or_insert_with(|| TileAppend {
                level,
                index: key.1,
                offset: run,
                hashes: Vec::new(),
            })
            .hashes
            .push(hash);
    }
    by_tile.into_values().collect()
}

/// Cuts the hashes of `(level, start, count)` out of `tiles` (as [`tiles_for`] named them,
/// in the same order); `None` when a tile is too short to hold them.
pub fn slice(
    keys: &[TileKey],
    tiles: &[impl AsRef<[Hash]>],
    (level, start, count): (u32, u64, u64),
    out: &mut Vec<Hash>,
) -> Option<()> {
    for index in start..start + count {
        let (key, position) = locate(level, index);
        let at = keys.binary_search(&key).ok()?;
        out.push(*tiles.get(at)?.as_ref().get(position)?);
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(i: u64) -> Hash {
        let mut out = [0u8; 32];
        out[..8].copy_from_slice(&i.to_be_bytes());
        out
    }

    #[test]
    fn appends_split_at_tile_edges_and_keep_levels_apart() {
        let nodes = (250..260u64)
            .map(|i| (0, i, h(i)))
            .chain([(4, 15, h(1000)), (4, 16, h(1001))]);
        let got = appends(nodes);
        let shape: Vec<(u32, u64, u64, usize)> = got
            .iter()
            .map(|a| (a.level, a.index, a.offset, a.hashes.len()))
            .collect();
        assert_eq!(shape, [(0, 0, 250, 6), (0, 1, 0, 4), (4, 0, 15, 2)]);
        assert_eq!(got[1].hashes[0], h(256));
        assert_eq!(got[0].bytes().len(), 6 * 32);
    }

    #[test]
    fn a_gap_starts_another_append() {
        let got = appends([(0, 3, h(3)), (0, 5, h(5))]);
        let offsets: Vec<u64> = got.iter().map(|a| a.offset).collect();
        assert_eq!(offsets, [3, 5]);
    }

    #[test]
    fn ranges_map_to_the_tiles_that_hold_them() {
        assert_eq!(
            tiles_for(&[(0, 255, 2), (4, 8, 8), (0, 0, 1), (8, 3, 0)]),
            [(0, 0), (0, 1), (4, 0)]
        );
        let keys = tiles_for(&[(0, 254, 4)]);
        let tiles = [
            (0..256).map(h).collect::<Vec<_>>(),
            (256..260).map(h).collect(),
        ];
        let mut out = Vec::new();
        assert_eq!(slice(&keys, &tiles, (0, 254, 4), &mut out), Some(()));
        assert_eq!(out, [h(254), h(255), h(256), h(257)]);
        assert_eq!(slice(&keys, &tiles, (0, 258, 3), &mut out), None);
        assert_eq!(widths_needed(&keys, &[(0, 254, 4)]), [256, 2]);
        assert_eq!(spans_needed(&keys, &[(0, 254, 4)]), [(254, 256), (0, 2)]);
    }

    #[test]
    fn spans_cover_every_range_read_in_a_tile_and_nothing_before() {
        let ranges = [(0, 16, 16), (0, 40, 2), (4, 300, 4), (0, 512, 1)];
        let keys = tiles_for(&ranges);
        assert_eq!(keys, [(0, 0), (0, 2), (4, 1)]);
        assert_eq!(spans_needed(&keys, &ranges), [(16, 42), (0, 1), (44, 48)]);
        let widths: Vec<usize> = spans_needed(&keys, &ranges).iter().map(|s| s.1).collect();
        assert_eq!(widths, widths_needed(&keys, &ranges));
    }
}
