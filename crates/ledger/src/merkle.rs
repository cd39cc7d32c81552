//! RFC 9162 §2.1 Merkle tree maths: hashing, roots, inclusion and consistency proofs.
//!
//! Everything here is pure arithmetic over SHA-256 hashes. Where the hashes come from is
//! abstracted by [`StoredNodes`]: an in-memory [`MemoryTree`], or a database that keeps
//! the leaf hashes and the hashes of perfect subtrees at every [`STRIDE`]-th level. Any
//! other perfect subtree is recomputed from at most `2^(STRIDE-1)` stored hashes, so a
//! proof costs `O(log n)` lookups and at most a few hundred SHA-256 compressions whatever
//! the tree size.
//!
//! Size 0: the empty tree's root is `SHA-256("")` (RFC 9162 §2.1.1). RFC 9162 only
//! defines consistency proofs for `0 < m < n`; we also accept `m == n` (empty proof, equal
//! roots) and `m == 0` (empty proof, the old root must be the empty tree's root): the empty
//! tree is a prefix of every tree, but a proof that claims more is refused. See
//! `docs/design.md`.
//!
//! INVARIANT: proof verification never panics and checks the proof's length exactly
//! before hashing: a truncated proof and a proof with trailing hashes are both refused
//! with their own error.

use sha2::{Digest, Sha256};

pub mod tile;

/// A SHA-256 hash: a leaf hash, a node hash or a tree root.
pub type Hash = [u8; 32];

/// Perfect subtree hashes are stored at levels `0, STRIDE, 2*STRIDE, ...`.
pub const STRIDE: u32 = 4;

/// The hash of a leaf: `SHA-256(0x00 || data)`.
pub fn leaf_hash(data: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([0u8]);
    h.update(data);
    h.finalize().into()
}

/// The hash of an interior node: `SHA-256(0x01 || left || right)`.
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([1u8]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// The root of the empty tree: `SHA-256("")`.
pub fn empty_root() -> Hash {
    Sha256::digest([]).into()
}

/// Whether perfect subtree hashes at `level` are kept by a [`StoredNodes`] source.
pub fn is_stored_level(level: u32) -> bool {
    level.is_multiple_of(STRIDE)
}

/// The largest power of two strictly smaller than `n` (`n >= 2`).
fn split_point(n: u64) -> u64 {
    // INVARIANT: callers pass n >= 2, so n - 1 >= 1 and the shift is < 64.
    1u64 << (63 - (n - 1).leading_zeros())
}

/// The root of the tree whose leaf hashes are `leaves`, in order.
pub fn root(leaves: &[Hash]) -> Hash {
    let mut range = CompactRange::new();
    for leaf in leaves {
        range.push(*leaf, |_, _, _| {});
    }
    range.root()
}

/// The right edge of a tree: the hashes of the perfect subtrees that make up its leaves,
/// largest first (one per set bit of the size). Enough to append and to compute the root.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CompactRange {
    size: u64,
    peaks: Vec<Hash>,
}

impl CompactRange {
    /// The compact range of the empty tree.
    pub fn new() -> Self {
        Self::default()
    }

    /// Rebuilds the compact range of the first `size` leaves of `source`.
    pub fn from_source<S: StoredNodes + ?Sized>(source: &S, size: u64) -> Result<Self, S::Error> {
        let mut peaks = Vec::new();
        let mut start = 0u64;
        for level in (0..64u32).rev() {
            if size & (1u64 << level) != 0 {
                peaks.push(perfect_hash(source, level, start >> level)?);
                start += 1u64 << level;
            }
        }
        Ok(Self { size, peaks })
    }

    /// The number of leaves.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Appends a leaf hash. `on_node(level, index, hash)` is called for every perfect
    /// subtree completed by this append (level >= 1), so that a store can keep them.
    pub fn push(&mut self, leaf: Hash, mut on_node: impl FnMut(u32, u64, &Hash)) {
        let index = self.size;
        let mut hash = leaf;
        let mut level = 0u32;
        // Merge while the bit at `level` of the old size is set: like a binary counter.
        while index & (1u64 << level) != 0 {
            let Some(left) = self.peaks.pop() else {
                break; // INVARIANT: one peak per set bit, so this is unreachable
            };
            hash = node_hash(&left, &hash);
            level += 1;
            on_node(level, index >> level, &hash);
        }
        self.peaks.push(hash);
        self.size += 1;
    }

    /// The root hash of the tree.
    pub fn root(&self) -> Hash {
        let mut iter = self.peaks.iter().rev();
        let Some(last) = iter.next() else {
            return empty_root();
        };
        iter.fold(*last, |acc, left| node_hash(left, &acc))
    }
}

/// A source of stored hashes: the leaf hashes (level 0) and the perfect subtree hashes at
/// every level that is a multiple of [`STRIDE`].
pub trait StoredNodes {
    /// Why a hash could not be read.
    type Error;

    /// Appends to `out` the stored hashes at `level` (0 or a multiple of [`STRIDE`]) for
    /// the subtree indexes `start..start + count`. The subtree at `(level, i)` covers
    /// leaves `i * 2^level .. (i + 1) * 2^level`.
    fn stored_range(
        &self,
        level: u32,
        start: u64,
        count: u64,
        out: &mut Vec<Hash>,
    ) -> Result<(), Self::Error>;

    /// The hash of an interior node over `left` and `right`: [`node_hash`]. A source that
    /// only records what a computation reads ([`RangeRecorder`]) answers without hashing,
    /// so that planning a proof costs no SHA-256.
    fn combine(&self, left: &Hash, right: &Hash) -> Hash {
        node_hash(left, right)
    }
}

/// The hash of the perfect subtree at `(level, index)`, from the nearest stored level.
pub fn perfect_hash<S: StoredNodes + ?Sized>(
    source: &S,
    level: u32,
    index: u64,
) -> Result<Hash, S::Error> {
    let base = level - level % STRIDE;
    let depth = level - base;
    let mut hashes = Vec::with_capacity(1 << depth);
    source.stored_range(base, index << depth, 1u64 << depth, &mut hashes)?;
    // Pairwise reduce `2^depth` hashes to one.
    let mut width = hashes.len();
    while width > 1 {
        for i in 0..width / 2 {
            let (l, r) = (hashes.get(2 * i).copied(), hashes.get(2 * i + 1).copied());
            if let (Some(l), Some(r), Some(slot)) = (l, r, hashes.get_mut(i)) {
                *slot = source.combine(&l, &r);
            }
        }
        width /= 2;
    }
    Ok(hashes.first().copied().unwrap_or_else(empty_root))
}

/// `MTH(D[start..end])` for a range whose `start` is a multiple of the largest power of two
/// not larger than its length (every range a proof names is of this form).
fn range_hash<S: StoredNodes + ?Sized>(source: &S, start: u64, end: u64) -> Result<Hash, S::Error> {
    let mut parts = Vec::new();
    let mut at = start;
    let n = end - start;
    for level in (0..64u32).rev() {
        if n & (1u64 << level) != 0 {
            parts.push(perfect_hash(source, level, at >> level)?);
            at += 1u64 << level;
        }
    }
    let mut iter = parts.iter().rev();
    let Some(last) = iter.next() else {
        return Ok(empty_root());
    };
    Ok(iter.fold(*last, |acc, left| source.combine(left, &acc)))
}

/// Why a proof could not be produced.
#[derive(Debug, thiserror::Error)]
pub enum ProveError<E> {
    /// The index is not below the tree size.
    #[error("index {index} is not in a tree of size {size}: indexes start at 0")]
    IndexOutOfRange {
        /// The index asked for.
        index: u64,
        /// The tree size.
        size: u64,
    },
    /// The old size is larger than the new size.
    #[error("old size {old} is larger than new size {new}")]
    SizesOutOfOrder {
        /// The old size.
        old: u64,
        /// The new size.
        new: u64,
    },
    /// The hashes could not be read.
    #[error(transparent)]
    Source(E),
}

/// The inclusion proof of leaf `index` in the tree of the first `size` leaves (RFC 9162
/// §2.1.3.1), from the leaf's sibling up to the root's child.
pub fn inclusion_proof<S: StoredNodes + ?Sized>(
    source: &S,
    index: u64,
    size: u64,
) -> Result<Vec<Hash>, ProveError<S::Error>> {
    if index >= size {
        return Err(ProveError::IndexOutOfRange { index, size });
    }
    let mut proof = Vec::new();
    path(source, index, 0, size, &mut proof).map_err(ProveError::Source)?;
    Ok(proof)
}

fn path<S: StoredNodes + ?Sized>(
    source: &S,
    m: u64,
    start: u64,
    end: u64,
    out: &mut Vec<Hash>,
) -> Result<(), S::Error> {
    let n = end - start;
    if n <= 1 {
        return Ok(());
    }
    let k = split_point(n);
    if m < k {
        path(source, m, start, start + k, out)?;
        out.push(range_hash(source, start + k, end)?);
    } else {
        path(source, m - k, start + k, end, out)?;
        out.push(range_hash(source, start, start + k)?);
    }
    Ok(())
}

/// The consistency proof from the tree of the first `old` leaves to the tree of the first
/// `new` leaves (RFC 9162 §2.1.4.1). Empty when `old == 0` or `old == new`.
pub fn consistency_proof<S: StoredNodes + ?Sized>(
    source: &S,
    old: u64,
    new: u64,
) -> Result<Vec<Hash>, ProveError<S::Error>> {
    if old > new {
        return Err(ProveError::SizesOutOfOrder { old, new });
    }
    let mut proof = Vec::new();
    if old > 0 && old < new {
        subproof(source, old, 0, new, true, &mut proof).map_err(ProveError::Source)?;
    }
    Ok(proof)
}

fn subproof<S: StoredNodes + ?Sized>(
    source: &S,
    m: u64,
    start: u64,
    end: u64,
    whole: bool,
    out: &mut Vec<Hash>,
) -> Result<(), S::Error> {
    let n = end - start;
    if m == n {
        if !whole {
            out.push(range_hash(source, start, end)?);
        }
        return Ok(());
    }
    let k = split_point(n);
    if m <= k {
        subproof(source, m, start, start + k, whole, out)?;
        out.push(range_hash(source, start + k, end)?);
    } else {
        subproof(source, m - k, start + k, end, false, out)?;
        out.push(range_hash(source, start, start + k)?);
    }
    Ok(())
}

/// The number of hashes in the inclusion proof of `index` in a tree of `size` (`index < size`).
pub fn inclusion_proof_len(index: u64, size: u64) -> usize {
    let (mut m, mut n, mut len) = (index, size, 0usize);
    while n > 1 {
        let k = split_point(n);
        if m < k {
            n = k;
        } else {
            m -= k;
            n -= k;
        }
        len += 1;
    }
    len
}

/// The number of hashes in the consistency proof from `old` to `new` (`old <= new`).
pub fn consistency_proof_len(old: u64, new: u64) -> usize {
    if old == 0 || old >= new {
        return 0;
    }
    let (mut m, mut n, mut whole, mut len) = (old, new, true, 0usize);
    while m != n {
        let k = split_point(n);
        if m <= k {
            n = k;
        } else {
            m -= k;
            n -= k;
            whole = false;
        }
        len += 1;
    }
    if !whole {
        len += 1;
    }
    len
}

/// Why a proof does not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// The leaf index is not below the tree size.
    #[error("index {index} is not in a tree of size {size}: indexes start at 0")]
    IndexOutOfRange {
        /// The index given.
        index: u64,
        /// The tree size given.
        size: u64,
    },
    /// The old size is larger than the new size.
    #[error("old size {old} is larger than new size {new}: a log only grows")]
    SizesOutOfOrder {
        /// The old size given.
        old: u64,
        /// The new size given.
        new: u64,
    },
    /// The proof has fewer hashes than the sizes require.
    #[error("the proof is truncated: it has {got} hashes where {expected} are needed")]
    Truncated {
        /// Hashes required.
        expected: usize,
        /// Hashes given.
        got: usize,
    },
    /// The proof has more hashes than the sizes require.
    #[error("the proof has trailing data: it has {got} hashes where exactly {expected} are needed")]
    TrailingData {
        /// Hashes required.
        expected: usize,
        /// Hashes given.
        got: usize,
    },
    /// The proof leads to a different root than the one given.
    #[error("the proof does not lead to the given root: computed {computed}")]
    RootMismatch {
        /// The root computed from the proof (base64).
        computed: String,
    },
    /// The proof leads to a different old root than the one given.
    #[error("the proof does not lead to the given old root: computed {computed}")]
    OldRootMismatch {
        /// The old root computed from the proof (base64).
        computed: String,
    },
    /// For `old == 0`, the old root must be the empty tree's root.
    #[error(
        "a tree of size 0 has root `47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=`, not `{given}`"
    )]
    NotEmptyRoot {
        /// The old root given (base64).
        given: String,
    },
}

fn b64(hash: &Hash) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(hash)
}

fn check_len(expected: usize, got: usize) -> Result<(), VerifyError> {
    match got.cmp(&expected) {
        std::cmp::Ordering::Less => Err(VerifyError::Truncated { expected, got }),
        std::cmp::Ordering::Greater => Err(VerifyError::TrailingData { expected, got }),
        std::cmp::Ordering::Equal => Ok(()),
    }
}

/// The root that an inclusion proof leads to (RFC 9162 §2.1.3.2), after checking its length.
pub fn root_from_inclusion_proof(
    leaf: &Hash,
    index: u64,
    size: u64,
    proof: &[Hash],
) -> Result<Hash, VerifyError> {
    if index >= size {
        return Err(VerifyError::IndexOutOfRange { index, size });
    }
    check_len(inclusion_proof_len(index, size), proof.len())?;
    let (mut f, mut s) = (index, size - 1);
    let mut r = *leaf;
    for p in proof {
        if f & 1 == 1 || f == s {
            r = node_hash(p, &r);
            while f & 1 == 0 && f != 0 {
                f >>= 1;
                s >>= 1;
            }
        } else {
            r = node_hash(&r, p);
        }
        f >>= 1;
        s >>= 1;
    }
    // INVARIANT: the exact length check above makes `s == 0` here; kept as a guard.
    if s != 0 {
        return Err(VerifyError::TrailingData {
            expected: inclusion_proof_len(index, size),
            got: proof.len(),
        });
    }
    Ok(r)
}

/// Verifies that `leaf` (a leaf hash) is at `index` in the tree of `size` with `root`.
pub fn verify_inclusion(
    leaf: &Hash,
    index: u64,
    size: u64,
    proof: &[Hash],
    root: &Hash,
) -> Result<(), VerifyError> {
    let computed = root_from_inclusion_proof(leaf, index, size, proof)?;
    if &computed != root {
        return Err(VerifyError::RootMismatch {
            computed: b64(&computed),
        });
    }
    Ok(())
}

/// Verifies that the tree of `new` leaves with `new_root` extends the tree of `old` leaves
/// with `old_root` (RFC 9162 §2.1.4.2, extended to `old == 0` and `old == new`).
pub fn verify_consistency(
    old: u64,
    new: u64,
    old_root: &Hash,
    new_root: &Hash,
    proof: &[Hash],
) -> Result<(), VerifyError> {
    if old > new {
        return Err(VerifyError::SizesOutOfOrder { old, new });
    }
    check_len(consistency_proof_len(old, new), proof.len())?;
    if old == 0 {
        if old_root != &empty_root() {
            return Err(VerifyError::NotEmptyRoot {
                given: b64(old_root),
            });
        }
        if new == 0 && new_root != &empty_root() {
            return Err(VerifyError::RootMismatch {
                computed: b64(&empty_root()),
            });
        }
        return Ok(());
    }
    if old == new {
        if old_root != new_root {
            return Err(VerifyError::RootMismatch {
                computed: b64(old_root),
            });
        }
        return Ok(());
    }
    let (fr, sr) = roots_from_consistency_proof(old, new, old_root, proof)?;
    if &fr != old_root {
        return Err(VerifyError::OldRootMismatch { computed: b64(&fr) });
    }
    if &sr != new_root {
        return Err(VerifyError::RootMismatch { computed: b64(&sr) });
    }
    Ok(())
}

/// The old and new roots that a consistency proof from `old` to `new` leads to
/// (RFC 9162 §2.1.4.2 steps 1–6), for `0 < old < new`, after checking its length. When
/// `old` is a power of two the old root is an input of the computation (the proof omits
/// it), so the first root returned is `old_root` itself.
///
/// A proof that leads to a checkpoint's new root binds the old root it leads to: finding
/// another proof that leads to the same new root but another old root needs a SHA-256
/// collision. Split-view evidence rests on this.
pub fn roots_from_consistency_proof(
    old: u64,
    new: u64,
    old_root: &Hash,
    proof: &[Hash],
) -> Result<(Hash, Hash), VerifyError> {
    if old > new {
        return Err(VerifyError::SizesOutOfOrder { old, new });
    }
    let expected = consistency_proof_len(old, new);
    check_len(expected, proof.len())?;
    let truncated = VerifyError::Truncated {
        expected,
        got: proof.len(),
    };
    if old == 0 || old == new {
        return Err(truncated);
    }
    let mut path: Vec<Hash> = Vec::with_capacity(proof.len() + 1);
    if old.is_power_of_two() {
        path.push(*old_root);
    }
    path.extend_from_slice(proof);
    let (mut f, mut s) = (old - 1, new - 1);
    while f & 1 == 1 {
        f >>= 1;
        s >>= 1;
    }
    let Some(first) = path.first() else {
        return Err(truncated);
    };
    let (mut fr, mut sr) = (*first, *first);
    for c in path.iter().skip(1) {
        if s == 0 {
            return Err(VerifyError::TrailingData {
                expected,
                got: proof.len(),
            });
        }
        if f & 1 == 1 || f == s {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            while f & 1 == 0 && f != 0 {
                f >>= 1;
                s >>= 1;
            }
        } else {
            sr = node_hash(&sr, c);
        }
        f >>= 1;
        s >>= 1;
    }
    // INVARIANT: the exact length check above makes `s == 0` here; kept as a guard.
    if s != 0 {
        return Err(truncated);
    }
    Ok((fr, sr))
}

/// A [`StoredNodes`] source that records which ranges a computation reads and answers
/// with placeholders. Which hashes a proof needs depends only on the sizes and indexes, so
/// a store can plan a proof, fetch every range in one round trip, then compute it from a
/// [`Prefetched`] source.
#[derive(Debug, Default)]
pub struct RangeRecorder {
    ranges: std::cell::RefCell<Vec<(u32, u64, u64)>>,
}

impl RangeRecorder {
    /// The ranges `(level, start, count)` asked for, without repeats, in order.
    pub fn into_ranges(self) -> Vec<(u32, u64, u64)> {
        let mut ranges = self.ranges.into_inner();
        let mut seen = std::collections::BTreeSet::new();
        ranges.retain(|r| seen.insert(*r));
        ranges
    }
}

impl StoredNodes for RangeRecorder {
    type Error = std::convert::Infallible;

    fn stored_range(
        &self,
        level: u32,
        start: u64,
        count: u64,
        out: &mut Vec<Hash>,
    ) -> Result<(), Self::Error> {
        self.ranges.borrow_mut().push((level, start, count));
        out.extend(std::iter::repeat_n([0u8; 32], count as usize));
        Ok(())
    }

    fn combine(&self, _: &Hash, _: &Hash) -> Hash {
        [0; 32]
    }
}

/// The hashes of planned ranges, fetched in advance.
#[derive(Debug, Default)]
pub struct Prefetched {
    hashes: std::collections::BTreeMap<(u32, u64), Hash>,
}

/// A planned hash that was not fetched (the store is missing data).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the stored hash at level {level}, index {index} is missing")]
pub struct MissingHash {
    /// Its level.
    pub level: u32,
    /// Its index at that level.
    pub index: u64,
}

impl Prefetched {
    /// Records the hashes of a range.
    pub fn insert(&mut self, level: u32, start: u64, hashes: &[Hash]) {
        for (i, h) in hashes.iter().enumerate() {
            self.hashes.insert((level, start + i as u64), *h);
        }
    }
}

impl StoredNodes for Prefetched {
    type Error = MissingHash;

    fn stored_range(
        &self,
        level: u32,
        start: u64,
        count: u64,
        out: &mut Vec<Hash>,
    ) -> Result<(), MissingHash> {
        for index in start..start + count {
            out.push(
                *self
                    .hashes
                    .get(&(level, index))
                    .ok_or(MissingHash { level, index })?,
            );
        }
        Ok(())
    }
}

/// A whole tree in memory: the leaf hashes and the perfect subtree hashes at every
/// [`STRIDE`]-th level. About `1.07 * 32` bytes per leaf.
#[derive(Debug, Clone, Default)]
pub struct MemoryTree {
    /// `levels[j]` holds the perfect subtree hashes at level `j * STRIDE`.
    levels: Vec<Vec<Hash>>,
    range: CompactRange,
}

impl MemoryTree {
    /// The empty tree.
    pub fn new() -> Self {
        Self {
            levels: vec![Vec::new()],
            range: CompactRange::new(),
        }
    }

    /// A tree of the given leaf hashes.
    pub fn from_leaves(leaves: impl IntoIterator<Item = Hash>) -> Self {
        let mut tree = Self::new();
        for leaf in leaves {
            tree.push(leaf);
        }
        tree
    }

    /// Appends a leaf hash.
    pub fn push(&mut self, leaf: Hash) {
        let levels = &mut self.levels;
        if let Some(leaves) = levels.first_mut() {
            leaves.push(leaf);
        }
        self.range.push(leaf, |level, _, hash| {
            if is_stored_level(level) {
                let j = (level / STRIDE) as usize;
                while levels.len() <= j {
                    levels.push(Vec::new());
                }
                if let Some(row) = levels.get_mut(j) {
                    row.push(*hash);
                }
            }
        });
    }

    /// The number of leaves.
    pub fn size(&self) -> u64 {
        self.range.size()
    }

    /// The root of the whole tree.
    pub fn root(&self) -> Hash {
        self.range.root()
    }

    /// The root of the tree of the first `size` leaves.
    pub fn root_at(&self, size: u64) -> Hash {
        match CompactRange::from_source(self, size) {
            Ok(range) => range.root(),
            Err(never) => match never {},
        }
    }
}

impl StoredNodes for MemoryTree {
    type Error = std::convert::Infallible;

    fn stored_range(
        &self,
        level: u32,
        start: u64,
        count: u64,
        out: &mut Vec<Hash>,
    ) -> Result<(), Self::Error> {
        let row = self.levels.get((level / STRIDE) as usize);
        for i in start..start + count {
            // INVARIANT: proofs only ask for subtrees inside the tree; a missing hash would
            // be a bug in this module, and shows as a verification failure, not a panic.
            let hash = row
                .and_then(|r| r.get(i as usize))
                .copied()
                .unwrap_or([0u8; 32]);
            out.push(hash);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The RFC's recursive definition, taken literally: the reference for everything above.
    fn naive_root(leaves: &[Hash]) -> Hash {
        match leaves.len() {
            0 => empty_root(),
            1 => leaves[0],
            n => {
                let k = split_point(n as u64) as usize;
                node_hash(&naive_root(&leaves[..k]), &naive_root(&leaves[k..]))
            }
        }
    }

    fn naive_path(m: usize, leaves: &[Hash]) -> Vec<Hash> {
        let n = leaves.len();
        if n <= 1 {
            return vec![];
        }
        let k = split_point(n as u64) as usize;
        if m < k {
            let mut p = naive_path(m, &leaves[..k]);
            p.push(naive_root(&leaves[k..]));
            p
        } else {
            let mut p = naive_path(m - k, &leaves[k..]);
            p.push(naive_root(&leaves[..k]));
            p
        }
    }

    fn naive_subproof(m: usize, leaves: &[Hash], whole: bool) -> Vec<Hash> {
        let n = leaves.len();
        if m == n {
            return if whole {
                vec![]
            } else {
                vec![naive_root(leaves)]
            };
        }
        let k = split_point(n as u64) as usize;
        if m <= k {
            let mut p = naive_subproof(m, &leaves[..k], whole);
            p.push(naive_root(&leaves[k..]));
            p
        } else {
            let mut p = naive_subproof(m - k, &leaves[k..], false);
            p.push(naive_root(&leaves[..k]));
            p
        }
    }

    fn leaves(n: usize) -> Vec<Hash> {
        (0..n)
            .map(|i| leaf_hash(&(i as u64).to_be_bytes()))
            .collect()
    }

    #[test]
    fn empty_tree_root_is_sha256_of_nothing() {
        assert_eq!(
            b64(&empty_root()),
            "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
        );
        assert_eq!(root(&[]), empty_root());
        assert_eq!(MemoryTree::new().root(), empty_root());
    }

    #[test]
    fn rfc6962_test_vector_roots() {
        // The eight-leaf tree of the RFC 6962 reference tests (certificate-transparency-go),
        // leaves "", 00, 10, 2021, 3031, 40414243, 5051525354555657, 606162636465666768696a6b6c6d6e6f.
        let data: [&[u8]; 8] = [
            b"",
            &[0x00],
            &[0x10],
            &[0x20, 0x21],
            &[0x30, 0x31],
            &[0x40, 0x41, 0x42, 0x43],
            &[0x50, 0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x57],
            &[
                0x60, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x6b, 0x6c, 0x6d,
                0x6e, 0x6f,
            ],
        ];
        let hashes: Vec<Hash> = data.iter().map(|d| leaf_hash(d)).collect();
        let hex = |h: Hash| h.iter().map(|b| format!("{b:02x}")).collect::<String>();
        assert_eq!(
            hex(root(&hashes[..1])),
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"
        );
        assert_eq!(
            hex(root(&hashes)),
            "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"
        );
    }

    #[test]
    fn size_zero_and_equal_sizes() {
        let tree = MemoryTree::from_leaves(leaves(5));
        assert!(consistency_proof(&tree, 0, 5).unwrap().is_empty());
        verify_consistency(0, 5, &empty_root(), &tree.root(), &[]).unwrap();
        assert!(matches!(
            verify_consistency(0, 5, &tree.root(), &tree.root(), &[]),
            Err(VerifyError::NotEmptyRoot { .. })
        ));
        assert!(matches!(
            verify_consistency(0, 5, &empty_root(), &tree.root(), &[[0; 32]]),
            Err(VerifyError::TrailingData { .. })
        ));
        verify_consistency(5, 5, &tree.root(), &tree.root(), &[]).unwrap();
        assert!(verify_consistency(5, 5, &tree.root(), &empty_root(), &[]).is_err());
        assert!(matches!(
            verify_consistency(6, 5, &tree.root(), &tree.root(), &[]),
            Err(VerifyError::SizesOutOfOrder { .. })
        ));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        #[test]
        fn roots_match_the_recursive_definition(n in 0usize..300) {
            let l = leaves(n);
            let tree = MemoryTree::from_leaves(l.clone());
            prop_assert_eq!(root(&l), naive_root(&l));
            prop_assert_eq!(tree.root(), naive_root(&l));
            for size in [0, n / 2, n.saturating_sub(1)] {
                prop_assert_eq!(tree.root_at(size as u64), naive_root(&l[..size]));
            }
        }

        #[test]
        fn inclusion_proofs_match_and_verify(n in 1usize..300, seed in any::<u64>()) {
            let l = leaves(n);
            let tree = MemoryTree::from_leaves(l.clone());
            let size = 1 + (seed as usize % n);
            let index = (seed >> 20) as usize % size;
            let proof = inclusion_proof(&tree, index as u64, size as u64).unwrap();
            prop_assert_eq!(&proof, &naive_path(index, &l[..size]));
            prop_assert_eq!(proof.len(), inclusion_proof_len(index as u64, size as u64));
            let r = naive_root(&l[..size]);
            verify_inclusion(&l[index], index as u64, size as u64, &proof, &r).unwrap();
            // Every single-bit change, truncation or extension is refused.
            if let Some(last) = proof.len().checked_sub(1) {
                let mut bad = proof.clone();
                bad[last][0] ^= 1;
                prop_assert!(verify_inclusion(&l[index], index as u64, size as u64, &bad, &r).is_err());
                let short = &proof[..last];
                let is_truncated = matches!(verify_inclusion(&l[index], index as u64, size as u64, short, &r), Err(VerifyError::Truncated { .. }));
                prop_assert!(is_truncated);
            }
            let mut long = proof.clone();
            long.push([7; 32]);
            let is_trailing = matches!(verify_inclusion(&l[index], index as u64, size as u64, &long, &r), Err(VerifyError::TrailingData { .. }));
            prop_assert!(is_trailing);
            let other = leaf_hash(b"not in the tree");
            prop_assert!(verify_inclusion(&other, index as u64, size as u64, &proof, &r).is_err());
        }

        #[test]
        fn consistency_proofs_match_and_verify(n in 1usize..300, seed in any::<u64>()) {
            let l = leaves(n);
            let tree = MemoryTree::from_leaves(l.clone());
            let new = 1 + (seed as usize % n);
            let old = (seed >> 20) as usize % (new + 1);
            let proof = consistency_proof(&tree, old as u64, new as u64).unwrap();
            let expected = if old == 0 || old == new { vec![] } else { naive_subproof(old, &l[..new], true) };
            prop_assert_eq!(&proof, &expected);
            prop_assert_eq!(proof.len(), consistency_proof_len(old as u64, new as u64));
            let (r1, r2) = (naive_root(&l[..old]), naive_root(&l[..new]));
            verify_consistency(old as u64, new as u64, &r1, &r2, &proof).unwrap();
            if !proof.is_empty() {
                let mut bad = proof.clone();
                bad[0][31] ^= 0x80;
                prop_assert!(verify_consistency(old as u64, new as u64, &r1, &r2, &bad).is_err());
                let is_truncated = matches!(verify_consistency(old as u64, new as u64, &r1, &r2, &proof[1..]), Err(VerifyError::Truncated { .. }));
                prop_assert!(is_truncated);
            }
            if old > 0 && old < new {
                // A different old tree of the same size is not a prefix.
                let mut other = l[..old].to_vec();
                other[0] = leaf_hash(b"changed");
                prop_assert!(verify_consistency(old as u64, new as u64, &naive_root(&other), &r2, &proof).is_err());
            }
        }

        #[test]
        fn ct_merkle_agrees(n in 1usize..200, seed in any::<u64>()) {
            // An independent implementation as oracle: same roots, same proof bytes.
            let data: Vec<Vec<u8>> = (0..n).map(|i| format!("entry {i} {seed}").into_bytes()).collect();
            let mut theirs = ct_merkle::mem_backed_tree::MemoryBackedTree::<Sha256, Vec<u8>>::new();
            for d in &data { theirs.push(d.clone()); }
            let ours = MemoryTree::from_leaves(data.iter().map(|d| leaf_hash(d)));
            prop_assert_eq!(theirs.root().as_bytes().to_vec(), ours.root().to_vec());
            let index = seed as usize % n;
            let proof = inclusion_proof(&ours, index as u64, n as u64).unwrap();
            let their_proof = theirs.prove_inclusion(index);
            prop_assert_eq!(their_proof.as_bytes().to_vec(), proof.concat());
            let old = 1 + (seed >> 16) as usize % n;
            let ours_c = consistency_proof(&ours, old as u64, n as u64).unwrap();
            if old < n {
                let theirs_c = theirs.prove_consistency(n - old);
                prop_assert_eq!(theirs_c.as_bytes().to_vec(), ours_c.concat());
            }
        }
    }
}
