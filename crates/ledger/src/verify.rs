//! A log verified for reading: what a use case checks before it answers from a log.
//!
//! Pure, like [`crate::replay`], and applying the same rules, but made to be run on every
//! read: the entries below a *trusted prefix* (the size of a signed checkpoint up to which
//! the log was verified before, see the store's verified-up-to mark) are only decoded and
//! their key events followed, while every later entry is checked against the acceptance
//! rules and the roster of its moment, with all its signatures verified in one batch. The
//! tree is recomputed from every leaf, so the caller can check the recomputed roots against
//! the signed checkpoints it holds: a prefix whose root matches a checkpoint the log's key
//! signed is the prefix that was verified, and need not be verified again.
//!
//! INVARIANT: the first problem found is returned, with the index of its entry; a log is
//! returned only when every entry it holds verified.

use crate::checkpoint::{self, Checkpoint};
use crate::entry::{Body, LoggedEntry, SignedEntry};
use crate::merkle::{self, MemoryTree};
use crate::note::VerifierKey;
use crate::replay::{CheckpointProblem, Finding, Problem};
use crate::roster::{self, Roster};
use accord_core::statement::Statement;

/// A log whose every entry verified.
#[derive(Debug, Clone)]
pub struct VerifiedLog {
    /// The entries, decoded, in index order.
    pub entries: Vec<LoggedEntry>,
    /// The tree recomputed from the leaves.
    pub tree: MemoryTree,
    /// The roster after every key event.
    pub roster: Roster,
    /// How many entries had their rules and signatures checked by this call (the others
    /// were below the trusted prefix).
    pub checked: u64,
}

/// Verifies the leaves of the log `origin`, in index order, starting from its initial
/// roster. Entries below `trusted` are decoded and their key events followed; every entry
/// from `trusted` on is checked: the acceptance rules against the roster of its moment, and
/// its signatures (in one batch). Record times must never go backwards.
pub fn verify_log<'a>(
    origin: &str,
    initial_roster: Roster,
    leaves: impl IntoIterator<Item = &'a [u8]>,
    trusted: u64,
) -> Result<VerifiedLog, Finding> {
    let mut tree = MemoryTree::new();
    let mut roster = initial_roster;
    let mut entries: Vec<LoggedEntry> = Vec::new();
    let mut last_time: Option<jiff::Timestamp> = None;
    // Rule problems and the first unreadable entry are kept until the signatures of earlier
    // entries are known, so that the first problem in log order is the one reported.
    let mut first_problem: Option<Finding> = None;
    for (index, leaf) in (0u64..).zip(leaves) {
        tree.push(merkle::leaf_hash(leaf));
        let logged = match LoggedEntry::decode(leaf) {
            Ok(logged) => logged,
            Err(e) => {
                first_problem.get_or_insert(Finding {
                    index,
                    problem: Problem::Undecodable(e),
                });
                break;
            }
        };
        if let Some(previous) = last_time
            && logged.recorded_at < previous
        {
            first_problem.get_or_insert(Finding {
                index,
                problem: Problem::BeforePrevious {
                    recorded_at: logged.recorded_at,
                    previous,
                },
            });
            break;
        }
        last_time = Some(logged.recorded_at);
        if first_problem.is_none() {
            let checked = if index >= trusted {
                roster::check_entry(&logged.signed, origin, &roster, logged.recorded_at)
                    .map_err(Problem::Refused)
            } else {
                Ok(())
            };
            let applied = checked.and_then(|()| match &logged.signed.entry.body {
                Body::Open(Statement::KeyEvent(event)) => {
                    roster.apply(event).map_err(Problem::KeyEvent)
                }
                _ => Ok(()),
            });
            if let Err(problem) = applied {
                first_problem = Some(Finding { index, problem });
            }
        }
        entries.push(logged);
    }
    let from = usize::try_from(trusted)
        .unwrap_or(usize::MAX)
        .min(entries.len());
    let unverified: Vec<&SignedEntry> = entries
        .get(from..)
        .unwrap_or_default()
        .iter()
        .map(|e| &e.signed)
        .collect();
    let verdicts = roster::verify_batch(&unverified);
    let bad_signature = (from as u64..).zip(verdicts).find_map(|(index, verdict)| {
        verdict.err().map(|e| Finding {
            index,
            problem: Problem::Refused(e),
        })
    });
    let first = match (bad_signature, first_problem) {
        (Some(a), Some(b)) => Some(if a.index <= b.index { a } else { b }),
        (a, b) => a.or(b),
    };
    if let Some(finding) = first {
        return Err(finding);
    }
    Ok(VerifiedLog {
        checked: unverified.len() as u64,
        entries,
        tree,
        roster,
    })
}

/// Checks a signed checkpoint of the log `origin` against a recomputed tree: signed by the
/// log's key, for this log, within the tree, and with the root the leaves give at its size.
pub fn check_checkpoint(
    tree: &MemoryTree,
    origin: &str,
    note: &str,
    log_key: &VerifierKey,
) -> Result<Checkpoint, CheckpointProblem> {
    let checkpoint = checkpoint::open_checkpoint(note, log_key, &[])
        .map_err(CheckpointProblem::DoesNotVerify)?
        .checkpoint;
    let size = checkpoint.size;
    if checkpoint.origin != origin {
        return Err(CheckpointProblem::OtherLog {
            size,
            origin: checkpoint.origin,
        });
    }
    if size > tree.size() {
        return Err(CheckpointProblem::Beyond {
            size,
            entries: tree.size(),
        });
    }
    if tree.root_at(size) != checkpoint.root {
        return Err(CheckpointProblem::RootDiffers { size });
    }
    Ok(checkpoint)
}

#[cfg(test)]
mod tests;
