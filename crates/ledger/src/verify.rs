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
    let mut frontier = Frontier::new(initial_roster);
    let entries = frontier.verify(origin, leaves, trusted)?;
    Ok(VerifiedLog {
        checked: (entries.len() as u64).saturating_sub(trusted),
        entries,
        tree: frontier.tree,
        roster: frontier.roster,
    })
}

/// Where the verification of a log's first entries left off: what its next entry is
/// checked against. A reader that keeps a log verified as it grows (the server's evaluation
/// cache) keeps one, so that new entries meet exactly the rules of a full read.
#[derive(Debug, Clone)]
pub struct Frontier {
    /// The tree of the entries verified so far (its size is their number).
    pub tree: MemoryTree,
    /// The roster after their key events.
    pub roster: Roster,
    /// The record time of the last of them.
    pub last_time: Option<jiff::Timestamp>,
}

impl Frontier {
    /// The frontier of an empty log.
    pub fn new(initial_roster: Roster) -> Frontier {
        Frontier {
            tree: MemoryTree::new(),
            roster: initial_roster,
            last_time: None,
        }
    }

    /// Verifies `leaves` as the entries that follow those verified so far, and returns them
    /// decoded. Entries with an index below `trusted` are decoded and their key events
    /// followed; every later one is checked against the acceptance rules and the roster of
    /// its moment, with its signatures verified in one batch. The first problem in log
    /// order is returned; the frontier is then left part way and must be discarded.
    pub fn verify<'a>(
        &mut self,
        origin: &str,
        leaves: impl IntoIterator<Item = &'a [u8]>,
        trusted: u64,
    ) -> Result<Vec<LoggedEntry>, Finding> {
        let start = self.tree.size();
        let mut entries: Vec<LoggedEntry> = Vec::new();
        // Rule problems and the first unreadable entry are kept until the signatures of
        // earlier entries are known, so that the first problem in log order is the one
        // reported.
        let mut first_problem: Option<Finding> = None;
        for (index, leaf) in (start..).zip(leaves) {
            self.tree.push(merkle::leaf_hash(leaf));
            let judged = first_problem.is_none().then_some(trusted);
            match self.next(origin, index, leaf, judged) {
                Ok((logged, broken)) => {
                    first_problem = first_problem.or(broken);
                    entries.push(logged);
                }
                Err(fatal) => {
                    first_problem.get_or_insert(fatal);
                    break;
                }
            }
        }
        let from = usize::try_from(trusted.saturating_sub(start))
            .unwrap_or(usize::MAX)
            .min(entries.len());
        let unverified: Vec<&SignedEntry> = entries
            .get(from..)
            .unwrap_or_default()
            .iter()
            .map(|e| &e.signed)
            .collect();
        let verdicts = roster::verify_batch(&unverified);
        let bad_signature = (start + from as u64..)
            .zip(verdicts)
            .find_map(|(index, verdict)| {
                verdict.err().map(|e| Finding {
                    index,
                    problem: Problem::Refused(e),
                })
            });
        match (bad_signature, first_problem) {
            (Some(a), Some(b)) => Err(if a.index <= b.index { a } else { b }),
            (Some(finding), None) | (None, Some(finding)) => Err(finding),
            (None, None) => Ok(entries),
        }
    }

    /// Decodes entry `index` and checks its record time (an error ends the read); unless
    /// `judged` is `None`, checks its rules (from index `trusted` on) and follows its key
    /// event, returning the entry with the rule it broke, if any. Once a rule problem is
    /// found, later entries are not judged: a roster that went wrong would judge them
    /// wrongly, and a bad signature before it must still be found.
    fn next(
        &mut self,
        origin: &str,
        index: u64,
        leaf: &[u8],
        judged: Option<u64>,
    ) -> Result<(LoggedEntry, Option<Finding>), Finding> {
        let logged = LoggedEntry::decode(leaf).map_err(|e| Finding {
            index,
            problem: Problem::Undecodable(e),
        })?;
        if let Some(previous) = self.last_time
            && logged.recorded_at < previous
        {
            return Err(Finding {
                index,
                problem: Problem::BeforePrevious {
                    recorded_at: logged.recorded_at,
                    previous,
                },
            });
        }
        self.last_time = Some(logged.recorded_at);
        let Some(trusted) = judged else {
            return Ok((logged, None));
        };
        let checked = if index >= trusted {
            roster::check_entry(&logged.signed, origin, &self.roster, logged.recorded_at)
                .map_err(Problem::Refused)
        } else {
            Ok(())
        };
        let applied = checked.and_then(|()| match &logged.signed.entry.body {
            Body::Open(Statement::KeyEvent(event)) => {
                self.roster.apply(event).map_err(Problem::KeyEvent)
            }
            _ => Ok(()),
        });
        let broken = applied.err().map(|problem| Finding { index, problem });
        Ok((logged, broken))
    }
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
