//! Replaying a log from its leaves: the tree recomputed, every entry decoded and re-checked
//! against the acceptance rules and its signatures, the roster followed through its key
//! events, and checkpoints checked against the recomputed tree.
//!
//! Pure: the leaves come from wherever the caller has them (a store's audit, a published
//! dump, a test). The store's `audit` is this replay plus what only a store can be asked:
//! whether its stored hashes, entry ids, sealed contents and roster agree with the leaves.
//!
//! INVARIANT: the rules applied are exactly the writer's ([`roster::check_entry`] at the
//! entry's record time, against the roster as the log's earlier key events left it, then
//! strict signature verification), so an entry the writer accepted replays clean, and one
//! it would refuse is named.

use crate::checkpoint::{Checkpoint, CheckpointError};
use crate::entry::{Body, EntryError, LoggedEntry};
use crate::merkle::{self, Hash, MemoryTree};
use crate::note::VerifierKey;
use crate::roster::{self, Roster};
use accord_core::statement::Statement;

/// Something wrong with one entry of a replayed log.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    /// The leaf is not a canonical logged entry.
    #[error("cannot be decoded: {0}")]
    Undecodable(EntryError),
    /// Record times went backwards.
    #[error("recorded at {recorded_at}, before the entry preceding it ({previous})")]
    BeforePrevious {
        /// This entry's record time.
        recorded_at: jiff::Timestamp,
        /// The preceding entry's.
        previous: jiff::Timestamp,
    },
    /// The acceptance rules or a signature refuse it.
    #[error("would be refused today: {0}")]
    Refused(EntryError),
    /// Its key event does not apply to the roster of that moment.
    #[error("its key event does not apply: {0}")]
    KeyEvent(EntryError),
}

/// A problem and the index of the entry it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The entry's index.
    pub index: u64,
    /// What is wrong.
    pub problem: Problem,
}

/// What pushing one leaf found.
#[derive(Debug, Clone)]
pub struct Pushed {
    /// The leaf's hash (RFC 9162), as recomputed.
    pub leaf_hash: Hash,
    /// The decoded entry, when the leaf decodes.
    pub entry: Option<LoggedEntry>,
    /// Everything wrong with it, in the order checked.
    pub problems: Vec<Problem>,
}

/// Why a checkpoint does not hold for the replayed log.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckpointProblem {
    /// Its signature (by the log's key) or its body does not verify.
    #[error("the checkpoint does not verify: {0}")]
    DoesNotVerify(CheckpointError),
    /// It names another log.
    #[error("the checkpoint at size {size} is for {origin}")]
    OtherLog {
        /// Its size.
        size: u64,
        /// The origin it names.
        origin: String,
    },
    /// It is larger than the log.
    #[error(
        "the checkpoint at size {size} is beyond the log's {entries} entries: entries were removed"
    )]
    Beyond {
        /// Its size.
        size: u64,
        /// The replayed log's size.
        entries: u64,
    },
    /// The replayed tree has another root at its size.
    #[error(
        "the log no longer matches the checkpoint at size {size}: an entry before #{size} was altered"
    )]
    RootDiffers {
        /// Its size.
        size: u64,
    },
}

impl CheckpointProblem {
    /// The size the checkpoint states, when it could be read.
    pub fn size(&self) -> Option<u64> {
        match self {
            CheckpointProblem::DoesNotVerify(_) => None,
            CheckpointProblem::OtherLog { size, .. }
            | CheckpointProblem::Beyond { size, .. }
            | CheckpointProblem::RootDiffers { size } => Some(*size),
        }
    }
}

/// A log being replayed, one leaf at a time.
#[derive(Debug, Clone)]
pub struct Replay {
    origin: String,
    roster: Roster,
    tree: MemoryTree,
    last_time: Option<jiff::Timestamp>,
}

impl Replay {
    /// Starts a replay of the log `origin`, whose first entry was checked against
    /// `initial_roster`.
    pub fn new(origin: &str, initial_roster: Roster) -> Self {
        Self {
            origin: origin.to_owned(),
            roster: initial_roster,
            tree: MemoryTree::new(),
            last_time: None,
        }
    }

    /// Replays the next leaf (its index is [`Replay::size`] before the call).
    pub fn push(&mut self, leaf: &[u8]) -> Pushed {
        let leaf_hash = merkle::leaf_hash(leaf);
        self.tree.push(leaf_hash);
        let mut problems = Vec::new();
        let logged = match LoggedEntry::decode(leaf) {
            Ok(logged) => logged,
            Err(e) => {
                problems.push(Problem::Undecodable(e));
                return Pushed {
                    leaf_hash,
                    entry: None,
                    problems,
                };
            }
        };
        if let Some(previous) = self.last_time
            && logged.recorded_at < previous
        {
            problems.push(Problem::BeforePrevious {
                recorded_at: logged.recorded_at,
                previous,
            });
        }
        self.last_time = Some(logged.recorded_at);
        let verdict = roster::check_entry(
            &logged.signed,
            &self.origin,
            &self.roster,
            logged.recorded_at,
        )
        .and_then(|()| roster::verify_signatures(&logged.signed));
        match verdict {
            Err(e) => problems.push(Problem::Refused(e)),
            Ok(()) => {
                if let Body::Open(Statement::KeyEvent(event)) = &logged.signed.entry.body
                    && let Err(e) = self.roster.apply(event)
                {
                    problems.push(Problem::KeyEvent(e));
                }
            }
        }
        Pushed {
            leaf_hash,
            entry: Some(logged),
            problems,
        }
    }

    /// Counts a leaf that is missing (an index the source does not have): its place in the
    /// tree holds zeroes, so every later root differs from what was checkpointed.
    pub fn push_missing(&mut self) {
        self.tree.push([0; 32]);
    }

    /// How many leaves were pushed.
    pub fn size(&self) -> u64 {
        self.tree.size()
    }

    /// The recomputed tree.
    pub fn tree(&self) -> &MemoryTree {
        &self.tree
    }

    /// The roster after every key event replayed so far.
    pub fn roster(&self) -> &Roster {
        &self.roster
    }

    /// The log's origin.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// Checks a signed checkpoint of this log against the recomputed tree: signed by the
    /// log's key, for this log, within it, and with the root the leaves give at its size.
    pub fn check_checkpoint(
        &self,
        note: &str,
        log_key: &VerifierKey,
    ) -> Result<Checkpoint, CheckpointProblem> {
        crate::verify::check_checkpoint(&self.tree, &self.origin, note, log_key)
    }
}

/// A whole log replayed.
#[derive(Debug, Clone)]
pub struct Replayed {
    /// The recomputed tree.
    pub tree: MemoryTree,
    /// The roster after every key event.
    pub roster: Roster,
    /// Everything wrong, in log order.
    pub findings: Vec<Finding>,
}

impl Replayed {
    /// The recomputed root of the whole log.
    pub fn root(&self) -> Hash {
        self.tree.root()
    }

    /// Whether nothing was found.
    pub fn is_clean(&self) -> bool {
        self.findings.is_empty()
    }
}

/// Replays a whole log from its leaves, in index order.
///
/// ```
/// use accord_ledger::replay::replay;
/// use accord_ledger::roster::Roster;
/// let roster = Roster {
///     agreement: accord_core::id::AgreementId::new("a").unwrap(),
///     participants: Default::default(),
/// };
/// let replayed = replay("example.org/log", roster, std::iter::empty::<&[u8]>());
/// assert!(replayed.is_clean());
/// assert_eq!(replayed.root(), accord_ledger::merkle::empty_root());
/// ```
pub fn replay<'a>(
    origin: &str,
    initial_roster: Roster,
    leaves: impl IntoIterator<Item = &'a [u8]>,
) -> Replayed {
    let mut replay = Replay::new(origin, initial_roster);
    let mut findings = Vec::new();
    for leaf in leaves {
        let index = replay.size();
        let pushed = replay.push(leaf);
        findings.extend(
            pushed
                .problems
                .into_iter()
                .map(|problem| Finding { index, problem }),
        );
    }
    Replayed {
        tree: replay.tree,
        roster: replay.roster,
        findings,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use std::collections::BTreeMap;

    use accord_core::id::{AgreementId, ParticipantId};
    use base64::Engine as _;

    use super::*;
    use crate::entry::tests::evidence;
    use crate::entry::{Entry, LoggedEntry};
    use crate::note::SignerKey;
    use crate::roster::{Member, RegisteredKey, Role};

    pub(crate) const ORIGIN: &str = "example.org/log";

    pub(crate) fn t(s: i64) -> jiff::Timestamp {
        jiff::Timestamp::new(1_767_225_600 + s, 0).unwrap()
    }

    pub(crate) fn key(n: u8) -> SignerKey {
        SignerKey::from_seed("k", [n; 32]).unwrap()
    }

    pub(crate) fn iaea() -> ParticipantId {
        ParticipantId::new("iaea").unwrap()
    }

    pub(crate) fn roster() -> Roster {
        let member = Member {
            role: Role::Monitor,
            standing: false,
            keys: vec![RegisteredKey {
                public_key: base64::engine::general_purpose::STANDARD.encode(key(3).public_key()),
                valid_from: t(0),
                valid_until: None,
                ended_because: None,
            }],
        };
        Roster {
            agreement: AgreementId::new("agreement-1").unwrap(),
            participants: BTreeMap::from([(iaea(), member)]),
        }
    }

    /// The leaf of evidence `amount` signed with key `n`, recorded at `at`.
    pub(crate) fn leaf(amount: f64, n: u8, at: i64) -> Vec<u8> {
        let signed = Entry {
            origin: ORIGIN.into(),
            agreement: AgreementId::new("agreement-1").unwrap(),
            body: Body::Open(evidence(amount)),
        }
        .sign(&[(&iaea(), &key(n))]);
        LoggedEntry {
            signed,
            recorded_at: t(at),
        }
        .leaf_bytes()
    }

    pub(crate) fn log_key() -> SignerKey {
        SignerKey::from_seed(ORIGIN, [9; 32]).unwrap()
    }

    pub(crate) fn checkpoint(size: u64, root: Hash) -> String {
        Checkpoint {
            origin: ORIGIN.into(),
            size,
            root,
            extensions: vec![],
        }
        .sign(&log_key())
        .unwrap()
    }

    #[test]
    fn an_accepted_log_replays_clean_with_the_tree_the_leaves_give() {
        let leaves = [leaf(1.0, 3, 10), leaf(2.0, 3, 20), leaf(3.0, 3, 20)];
        let replayed = replay(ORIGIN, roster(), leaves.iter().map(Vec::as_slice));
        assert!(replayed.is_clean(), "{:?}", replayed.findings);
        let hashes: Vec<Hash> = leaves.iter().map(|l| merkle::leaf_hash(l)).collect();
        assert_eq!(replayed.root(), merkle::root(&hashes));
        assert_eq!(replayed.roster, roster());
    }

    #[test]
    fn each_broken_rule_is_named_with_its_index() {
        let mut garbled = leaf(4.0, 3, 40);
        garbled[0] ^= 1;
        let leaves = [
            leaf(1.0, 3, 10),
            // Signed by a key the roster does not hold.
            leaf(2.0, 7, 20),
            // Recorded before the entry preceding it.
            leaf(3.0, 3, 5),
            garbled,
        ];
        let replayed = replay(ORIGIN, roster(), leaves.iter().map(Vec::as_slice));
        let found: Vec<(u64, &Problem)> = replayed
            .findings
            .iter()
            .map(|f| (f.index, &f.problem))
            .collect();
        assert!(matches!(found[0], (1, Problem::Refused(_))), "{found:?}");
        assert!(
            matches!(found[1], (2, Problem::BeforePrevious { .. })),
            "{found:?}"
        );
        assert!(
            matches!(found[2], (3, Problem::Undecodable(_))),
            "{found:?}"
        );
        assert_eq!(found.len(), 3, "{found:?}");
        assert_eq!(
            found[1].1.to_string(),
            "recorded at 2026-01-01T00:00:05Z, before the entry preceding it (2026-01-01T00:00:20Z)"
        );
    }

    #[test]
    fn checkpoints_are_checked_against_the_recomputed_tree() {
        let leaves = [leaf(1.0, 3, 10), leaf(2.0, 3, 20)];
        let mut replay = Replay::new(ORIGIN, roster());
        for l in &leaves {
            replay.push(l);
        }
        let root_1 = replay.tree().root_at(1);
        let key = log_key().verifier();
        assert_eq!(
            replay
                .check_checkpoint(&checkpoint(1, root_1), &key)
                .unwrap()
                .size,
            1
        );
        assert_eq!(
            replay.check_checkpoint(&checkpoint(2, root_1), &key),
            Err(CheckpointProblem::RootDiffers { size: 2 })
        );
        assert_eq!(
            replay.check_checkpoint(&checkpoint(3, root_1), &key),
            Err(CheckpointProblem::Beyond {
                size: 3,
                entries: 2
            })
        );
        let other = SignerKey::from_seed(ORIGIN, [8; 32]).unwrap().verifier();
        assert!(matches!(
            replay.check_checkpoint(&checkpoint(1, root_1), &other),
            Err(CheckpointProblem::DoesNotVerify(_))
        ));
    }
}
