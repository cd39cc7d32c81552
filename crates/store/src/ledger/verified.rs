//! Verified reads: a log checked before anything is answered from it.
//!
//! Every leaf is read and hashed, the tree recomputed, and each entry past the
//! verified-up-to mark checked against the acceptance rules and the roster of its moment,
//! with its signatures verified in one batch ([`accord_ledger::verify::verify_log`]). The
//! mark is the size of a checkpoint signed by the log's key: it is trusted only when that
//! checkpoint is still stored, verifies under the log's key, and has the root the leaves
//! give, so a row edited to move the mark buys nothing (a mark that names no stored
//! checkpoint is itself a finding, and one whose checkpoint disagrees with the leaves
//! sends the read back to verifying everything). The latest stored checkpoint must match
//! the leaves too. After a read that verified, the mark moves to the latest checkpoint
//! (when the store can be written; a read-only store keeps the old mark and only costs
//! more).
//!
//! INVARIANT: the entries returned are exactly the store's entries `0..size`, each of
//! which verified; otherwise the read fails with [`Unverified`], naming the first entry
//! involved when one can be named.

use accord_ledger::entry::LoggedEntry;
use accord_ledger::merkle::{self, Hash, StoredNodes as _};
use accord_ledger::note::VerifierKey;
use accord_ledger::replay::{CheckpointProblem, Problem};
use accord_ledger::verify::{Frontier, VerifiedLog, check_checkpoint, verify_log};

use super::{EntryRow, LedgerBackend, LogInfo, StoreError};

/// Why a log was not read: it does not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Unverified {
    /// An entry breaks a rule, a signature or the order of record times.
    #[error("entry #{index}: {problem}")]
    Entry {
        /// The entry.
        index: u64,
        /// What is wrong with it.
        problem: Problem,
    },
    /// An entry below the log's size is not in the store.
    #[error("entry #{index} is missing from the store")]
    Missing {
        /// The first missing index.
        index: u64,
    },
    /// The stored leaf hash is not the hash of the stored entry.
    #[error("entry #{index}: its stored leaf hash is not the hash of its bytes")]
    LeafHash {
        /// The entry.
        index: u64,
    },
    /// A checkpoint the log signed does not hold for the stored entries.
    #[error("{0}")]
    Checkpoint(CheckpointProblem),
    /// The checkpoint the mark names is no longer stored.
    #[error(
        "the checkpoint at size {size}, up to which the log was verified, is no longer in the store: its row was deleted"
    )]
    MarkWithoutCheckpoint {
        /// The mark.
        size: u64,
    },
    /// The stored current roster is not what the log's key events make of the initial one.
    #[error("the stored roster differs from the one the log's key events produce")]
    Roster,
    /// The stored log key cannot be read.
    #[error("the stored log key is not a key: {0}")]
    LogKey(String),
}

impl Unverified {
    /// The entry involved, when one can be named.
    pub fn index(&self) -> Option<u64> {
        match self {
            Unverified::Entry { index, .. }
            | Unverified::Missing { index }
            | Unverified::LeafHash { index } => Some(*index),
            _ => None,
        }
    }
}

/// A log read and verified.
#[derive(Debug, Clone)]
pub struct Verified {
    /// The entries, in index order.
    pub entries: Vec<LoggedEntry>,
    /// The recomputed root of the whole log.
    pub root: Hash,
    /// How many entries had their rules and signatures checked by this read.
    pub checked: u64,
    /// The verified-up-to mark the read started from.
    pub mark: u64,
}

/// Reads every entry of the log and verifies it (see the module's documentation); then
/// moves the mark to the latest checkpoint, when the store can be written.
pub(super) fn read(
    backend: &mut dyn LedgerBackend,
    info: &LogInfo,
) -> Result<Verified, StoreError> {
    let rows = backend.entries(info.id, 0, info.size)?;
    let checkpoints = backend.checkpoints(info.id)?;
    let mark = backend.verified_mark(info.id)?.unwrap_or(0);
    let verified =
        check(info, &rows, &checkpoints, mark).map_err(|problem| StoreError::Unverified {
            origin: info.origin.clone(),
            problem: Box::new(problem),
        })?;
    if let Some((latest, _)) = checkpoints.last()
        && *latest > mark
    {
        // Best effort: a store opened read-only keeps its mark, and the next read verifies
        // a little more.
        let _ = backend.set_verified_mark(info.id, *latest);
    }
    Ok(verified)
}

/// Reads the entries past those `frontier` has verified, up to the log's size, and verifies
/// each as [`read`] verifies entries past its mark: present, its stored leaf hash the hash
/// of its bytes, the acceptance rules against the roster of its moment, its signatures (in
/// one batch). `frontier` moves past them; on an error it is left part way, to be dropped.
/// The caller checks the checkpoints stored since against the frontier's tree.
pub(super) fn read_after(
    backend: &mut dyn LedgerBackend,
    info: &LogInfo,
    frontier: &mut Frontier,
) -> Result<Vec<LoggedEntry>, StoreError> {
    let from = frontier.tree.size();
    let rows = backend.entries(info.id, from, info.size)?;
    let unverified = |problem: Unverified| StoreError::Unverified {
        origin: info.origin.clone(),
        problem: Box::new(problem),
    };
    if let Some(index) = first_missing(&rows, from, info.size) {
        return Err(unverified(Unverified::Missing { index }));
    }
    if let Some(index) = (from..)
        .zip(&rows)
        .find_map(|(i, (_, _, leaf, stored))| (merkle::leaf_hash(leaf) != *stored).then_some(i))
    {
        return Err(unverified(Unverified::LeafHash { index }));
    }
    let leaves = rows.iter().map(|(_, _, leaf, _)| leaf.as_slice());
    frontier.verify(&info.origin, leaves, from).map_err(|f| {
        unverified(Unverified::Entry {
            index: f.index,
            problem: f.problem,
        })
    })
}

/// The first index of `from..to` whose row is not where it should be in `rows`.
fn first_missing(rows: &[EntryRow], from: u64, to: u64) -> Option<u64> {
    (from..)
        .zip(rows)
        .find_map(|(i, row)| (row.0 != i).then_some(i))
        .or_else(|| {
            let end = from + rows.len() as u64;
            (end < to).then_some(end)
        })
}

/// Verifies the rows of a log against its checkpoints, trusting the prefix up to `mark` if
/// the checkpoint of that size holds.
fn check(
    info: &LogInfo,
    rows: &[EntryRow],
    checkpoints: &[(u64, String)],
    mark: u64,
) -> Result<Verified, Unverified> {
    let log_key =
        VerifierKey::parse(&info.log_key).map_err(|e| Unverified::LogKey(e.to_string()))?;
    if let Some(index) = first_missing(rows, 0, info.size) {
        return Err(Unverified::Missing { index });
    }
    let mark_note = match mark {
        0 => None,
        size => Some(
            checkpoints
                .iter()
                .find(|(s, _)| *s == size)
                .map(|(_, note)| note.clone())
                .ok_or(Unverified::MarkWithoutCheckpoint { size })?,
        ),
    };
    let verify = |trusted: u64| {
        let leaves = rows.iter().map(|(_, _, leaf, _)| leaf.as_slice());
        verify_log(&info.origin, info.initial_roster.clone(), leaves, trusted)
    };
    // Whatever goes wrong past a trusted prefix, the first bad entry is named by checking
    // everything again.
    let from_scratch = |problem: Unverified| -> Unverified {
        if mark == 0 {
            return problem;
        }
        match verify(0) {
            Err(f) => Unverified::Entry {
                index: f.index,
                problem: f.problem,
            },
            Ok(_) => problem,
        }
    };
    let verified: VerifiedLog = verify(mark).map_err(|f| {
        from_scratch(Unverified::Entry {
            index: f.index,
            problem: f.problem,
        })
    })?;
    let mut hashes = Vec::with_capacity(rows.len());
    let Ok(()) = verified
        .tree
        .stored_range(0, 0, verified.tree.size(), &mut hashes);
    if let Some(index) = (0u64..)
        .zip(rows.iter().zip(&hashes))
        .find_map(|(i, ((_, _, _, stored), computed))| (stored != computed).then_some(i))
    {
        return Err(Unverified::LeafHash { index });
    }
    let latest = checkpoints.last().map(|(_, note)| note.clone());
    for note in mark_note.iter().chain(latest.iter()) {
        check_checkpoint(&verified.tree, &info.origin, note, &log_key)
            .map_err(|p| from_scratch(Unverified::Checkpoint(p)))?;
    }
    if verified.roster != info.roster {
        return Err(Unverified::Roster);
    }
    Ok(Verified {
        root: verified.tree.root(),
        checked: verified.checked,
        mark,
        entries: verified.entries,
    })
}
