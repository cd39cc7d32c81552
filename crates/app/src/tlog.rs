//! Merkle tree maths on values a person typed or a file holds (RFC 9162): the root of a
//! list of leaves, and inclusion and consistency proofs checked.
//!
//! Hashes are read as standard base64 or as 64 hexadecimal characters; a proof is a
//! comma-separated list of hashes, the empty string being the empty proof.

use accord_ledger::checkpoint::{decode_hex, parse_hash};
use accord_ledger::merkle::{self, Hash};

use crate::error::{Error, Result};

/// A hash as typed; `what` names it in the error (e.g. the flag it was given with).
pub fn hash(what: &str, text: &str) -> Result<Hash> {
    parse_hash(text).map_err(|source| Error::Hash {
        what: what.to_owned(),
        source,
    })
}

/// A comma-separated proof; the empty string is the empty proof. `what` names it.
pub fn proof(what: &str, text: &str) -> Result<Vec<Hash>> {
    if text.trim().is_empty() {
        return Ok(Vec::new());
    }
    text.split(',')
        .enumerate()
        .map(|(i, h)| hash(&format!("proof hash {} of {what}", i + 1), h))
        .collect()
}

/// The size and root of the tree whose leaves are given one per line, in hex (an empty
/// line is an empty leaf).
pub fn root(text: &str) -> Result<(u64, Hash)> {
    let mut leaves = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        let bytes = decode_hex(line).ok_or_else(|| Error::Leaf {
            line: n + 1,
            text: line.to_owned(),
        })?;
        leaves.push(merkle::leaf_hash(&bytes));
    }
    Ok((leaves.len() as u64, merkle::root(&leaves)))
}

/// Checks that `leaf` is at `index` of the tree of `size` with `root`.
pub fn verify_inclusion(
    leaf: &Hash,
    index: u64,
    size: u64,
    proof: &[Hash],
    root: &Hash,
) -> Result<()> {
    merkle::verify_inclusion(leaf, index, size, proof, root).map_err(|source| Error::Proof {
        kind: "inclusion",
        source,
    })
}

/// Checks that the tree of `new_size` with `new_root` extends the one of `old_size`.
pub fn verify_consistency(
    (old_size, old_root): (u64, &Hash),
    (new_size, new_root): (u64, &Hash),
    proof: &[Hash],
) -> Result<()> {
    merkle::verify_consistency(old_size, new_size, old_root, new_root, proof).map_err(|source| {
        Error::Proof {
            kind: "consistency",
            source,
        }
    })
}
