//! Split views: a log that shows different trees to different people.
//!
//! A [`Book`] keeps, per origin, the largest checkpoint seen and checks every new one
//! against it: the same size must have the same root, and a different size needs a
//! consistency proof between the two. Two checkpoints that cannot be proven consistent
//! yield a [`SplitView`]: self-contained evidence (the log's keys, both signed
//! checkpoints, the failed proof) that anyone can re-check with [`SplitView::check`].
//!
//! The evidence file (`docs/witness.md` has the grammar):
//!
//! ```text
//! accord/split-view/v1
//! log <vkey>                 one line per log key (at least one)
//! proof                      only when the sizes differ: the consistency proof offered
//! <base64 hash>              from the smaller to the larger checkpoint, one per line
//!                            (empty line)
//! <signed checkpoint>        the smaller one (same size: the smaller root, bytewise)
//!                            (empty line)
//! <signed checkpoint>        the larger one
//! ```
//!
//! What the evidence shows ([`Finding`]): two roots for one size, or a proof that leads to
//! the larger checkpoint's root from another root at the smaller size, or a size-0
//! checkpoint whose root is not the empty tree's, are conclusive: the log signed trees
//! that are not prefixes of one another. A proof that fails otherwise only shows that the
//! log did not prove consistency when asked; a valid proof between the two answers it.
//!
//! INVARIANT: one evidence has one text: `SplitView::parse(t)?.encode() == t`.

use std::collections::BTreeMap;

use crate::checkpoint::{Checkpoint, CheckpointError, encode_hash};
use crate::merkle::{self, Hash, VerifyError};
use crate::note::{self, KeyError, NoteError, TYPE_ED25519, VerifierKey};
use crate::witness::protocol::parse_hash_line;
use crate::witness::{TrustedLog, verified_signatures};

/// The first line of a split-view evidence file.
pub const EVIDENCE_HEADER: &str = "accord/split-view/v1";
/// The largest evidence file read: two notes of [`note::MAX_NOTE_BYTES`] and the rest.
pub const MAX_EVIDENCE_BYTES: usize = 2 * note::MAX_NOTE_BYTES + 64 * 1024;
/// The most proof hashes (a consistency proof between 64-bit sizes has fewer).
const MAX_PROOF_HASHES: usize = 128;

/// Which of the two checkpoints of the evidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Which {
    /// The first (smaller) one.
    First,
    /// The second (larger) one.
    Second,
}

impl std::fmt::Display for Which {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Which::First => "first",
            Which::Second => "second",
        })
    }
}

/// Why an evidence file is refused, or shows no split view.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EvidenceError {
    /// Larger than [`MAX_EVIDENCE_BYTES`].
    #[error("the evidence is {0} bytes long; at most {MAX_EVIDENCE_BYTES} are read")]
    TooLarge(usize),
    /// The file does not follow the format.
    #[error("line {line}: {message}")]
    Format {
        /// 1-based line number.
        line: usize,
        /// What was expected.
        message: String,
    },
    /// A log key does not parse.
    #[error("log key on line {line}: {error}")]
    Key {
        /// 1-based line number.
        line: usize,
        /// Why.
        error: KeyError,
    },
    /// A key that is not an Ed25519 note key, or no key.
    #[error("the evidence must name the log's Ed25519 (0x01) keys; `{0}` is not one")]
    NotALogKey(String),
    /// A key the checker does not trust for this log.
    #[error("the evidence names key `{0}`, which is not a key you trust for this log")]
    UntrustedKey(String),
    /// A checkpoint is not a signed checkpoint.
    #[error("the {which} checkpoint is malformed: {error}")]
    Checkpoint {
        /// Which one.
        which: Which,
        /// Why.
        error: CheckpointError,
    },
    /// A checkpoint is not signed by the log keys.
    #[error("the {which} checkpoint is not signed by the log keys of the evidence: {error}")]
    NotSigned {
        /// Which one.
        which: Which,
        /// Why.
        error: NoteError,
    },
    /// The checkpoints are of two logs.
    #[error("the checkpoints are of two logs, `{first}` and `{second}`")]
    TwoLogs {
        /// The first origin.
        first: String,
        /// The second origin.
        second: String,
    },
    /// The checkpoints are not in the canonical order.
    #[error("the smaller checkpoint must come first (same size: the smaller root first)")]
    Order,
    /// `proof` present for two checkpoints of one size, or absent for two sizes.
    #[error("a proof is given exactly when the sizes differ")]
    ProofPresence,
    /// The two checkpoints are of the same tree.
    #[error("both checkpoints are of the same tree (size {0}): no split view")]
    SameTree(u64),
    /// The proof verifies.
    #[error(
        "the proof shows the checkpoints consistent (size {old} is a prefix of {new}): no split view"
    )]
    Consistent {
        /// The smaller size.
        old: u64,
        /// The larger size.
        new: u64,
    },
}

/// What split-view evidence shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finding {
    /// Two different roots signed for one size. Conclusive.
    SameSize {
        /// The log.
        origin: String,
        /// The size.
        size: u64,
    },
    /// The proof leads to the larger checkpoint's root, and to another root at the smaller
    /// size than the smaller checkpoint's. Conclusive (short of a SHA-256 collision).
    Fork {
        /// The log.
        origin: String,
        /// The smaller size.
        old: u64,
        /// The larger size.
        new: u64,
        /// The root the larger tree has at the smaller size, by the proof.
        root_in_larger: Hash,
    },
    /// A size-0 checkpoint whose root is not the empty tree's. Conclusive.
    EmptyTreeRoot {
        /// The log.
        origin: String,
    },
    /// The proof the log offered does not verify. Not conclusive: a valid proof between
    /// the two checkpoints would answer it.
    Unproven {
        /// The log.
        origin: String,
        /// The smaller size.
        old: u64,
        /// The larger size.
        new: u64,
        /// Why the proof fails.
        error: VerifyError,
    },
}

impl Finding {
    /// Whether the finding proves, on its own, that the log signed inconsistent trees.
    pub fn is_conclusive(&self) -> bool {
        !matches!(self, Finding::Unproven { .. })
    }
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Finding::SameSize { origin, size } => write!(
                f,
                "split view: log `{origin}` signed two different trees of size {size}"
            ),
            Finding::Fork {
                origin,
                old,
                new,
                root_in_larger,
            } => write!(
                f,
                "split view: in log `{origin}`'s tree of size {new} the first {old} entries have root {}, not the root it signed for size {old}",
                encode_hash(root_in_larger)
            ),
            Finding::EmptyTreeRoot { origin } => write!(
                f,
                "log `{origin}` signed a tree of size 0 whose root is not the empty tree's"
            ),
            Finding::Unproven {
                origin,
                old,
                new,
                error,
            } => write!(
                f,
                "unproven: log `{origin}` offered a consistency proof from size {old} to {new} that does not verify ({error}); a valid proof would answer this"
            ),
        }
    }
}

/// Split-view evidence: the log's keys, two signed checkpoints of one log, and (sizes
/// differing) the consistency proof offered between them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitView {
    keys: Vec<VerifierKey>,
    first: String,
    second: String,
    proof: Option<Vec<Hash>>,
}

impl SplitView {
    /// Evidence from two signed checkpoints of a log with `keys` and, when their sizes
    /// differ, the proof offered from the smaller to the larger. Refused unless it shows a
    /// split view ([`SplitView::check`] passes).
    pub fn new(
        keys: Vec<VerifierKey>,
        a: &str,
        b: &str,
        proof: Option<Vec<Hash>>,
    ) -> Result<Self, EvidenceError> {
        let tree = |which, signed: &str| {
            let text = note::parse_note(signed)
                .map_err(|e| EvidenceError::Checkpoint {
                    which,
                    error: e.into(),
                })?
                .text;
            let c = Checkpoint::parse_body(&text)
                .map_err(|error| EvidenceError::Checkpoint { which, error })?;
            Ok::<_, EvidenceError>((c.size, c.root))
        };
        let (ta, tb) = (tree(Which::First, a)?, tree(Which::Second, b)?);
        let evidence = Self::ordered(keys, (ta, a), (tb, b), proof);
        evidence.check()?;
        Ok(evidence)
    }

    /// The evidence of two checkpoints whose (size, root) are given, smaller first.
    fn ordered(
        keys: Vec<VerifierKey>,
        a: ((u64, Hash), &str),
        b: ((u64, Hash), &str),
        proof: Option<Vec<Hash>>,
    ) -> Self {
        let (first, second) = if a.0 <= b.0 { (a.1, b.1) } else { (b.1, a.1) };
        Self {
            keys,
            first: first.to_owned(),
            second: second.to_owned(),
            proof,
        }
    }

    /// The log keys named.
    pub fn keys(&self) -> &[VerifierKey] {
        &self.keys
    }

    /// The smaller checkpoint, as signed.
    pub fn first(&self) -> &str {
        &self.first
    }

    /// The larger checkpoint, as signed.
    pub fn second(&self) -> &str {
        &self.second
    }

    /// The proof offered, when the sizes differ.
    pub fn proof(&self) -> Option<&[Hash]> {
        self.proof.as_deref()
    }

    /// The evidence file.
    pub fn encode(&self) -> String {
        let mut s = format!("{EVIDENCE_HEADER}\n");
        for key in &self.keys {
            s.push_str(&format!("log {key}\n"));
        }
        if let Some(proof) = &self.proof {
            s.push_str("proof\n");
            for hash in proof {
                s.push_str(&encode_hash(hash));
                s.push('\n');
            }
        }
        s.push('\n');
        s.push_str(&self.first);
        s.push('\n');
        s.push_str(&self.second);
        s
    }

    /// Reads an evidence file (its form only: [`SplitView::check`] judges it).
    pub fn parse(text: &str) -> Result<Self, EvidenceError> {
        if text.len() > MAX_EVIDENCE_BYTES {
            return Err(EvidenceError::TooLarge(text.len()));
        }
        let format = |line: usize, message: &str| EvidenceError::Format {
            line,
            message: message.to_owned(),
        };
        let (head, notes) = text
            .split_once("\n\n")
            .ok_or_else(|| format(1, "no empty line after the header"))?;
        let mut lines = head.split('\n').enumerate().map(|(i, l)| (i + 1, l));
        if lines.next().map(|l| l.1) != Some(EVIDENCE_HEADER) {
            return Err(format(
                1,
                &format!("the first line must be `{EVIDENCE_HEADER}`"),
            ));
        }
        let mut keys = Vec::new();
        let mut proof = None;
        for (n, line) in lines {
            match (line.strip_prefix("log "), &mut proof) {
                (Some(key), None) => keys.push(
                    VerifierKey::parse(key)
                        .map_err(|error| EvidenceError::Key { line: n, error })?,
                ),
                (None, None) if line == "proof" && !keys.is_empty() => proof = Some(Vec::new()),
                (None, Some(hashes)) if hashes.len() < MAX_PROOF_HASHES => hashes.push(
                    parse_hash_line(line).ok_or_else(|| format(n, "expected a base64 hash"))?,
                ),
                _ => {
                    return Err(format(
                        n,
                        "expected `log <vkey>` lines, then optionally `proof` and hashes",
                    ));
                }
            }
        }
        if keys.is_empty() {
            return Err(format(2, "expected at least one `log <vkey>` line"));
        }
        let notes_line = head.split('\n').count() + 2;
        let (first, second) = split_notes(notes).ok_or_else(|| {
            format(
                notes_line,
                "expected two signed checkpoints separated by an empty line",
            )
        })?;
        Ok(Self {
            keys,
            first: first.to_owned(),
            second: second.to_owned(),
            proof,
        })
    }

    /// Checks the evidence with the keys it names and says what it shows. The keys must be
    /// the log's: compare them with the keys you trust, or use [`SplitView::check_against`].
    pub fn check(&self) -> Result<Finding, EvidenceError> {
        if let Some(k) = self.keys.iter().find(|k| k.kind() != TYPE_ED25519) {
            return Err(EvidenceError::NotALogKey(k.to_string()));
        }
        let a = self.open(Which::First, &self.first)?;
        let b = self.open(Which::Second, &self.second)?;
        if a.origin != b.origin {
            return Err(EvidenceError::TwoLogs {
                first: a.origin,
                second: b.origin,
            });
        }
        if (a.size, a.root) > (b.size, b.root) {
            return Err(EvidenceError::Order);
        }
        if (a.size == b.size) == self.proof.is_some() {
            return Err(EvidenceError::ProofPresence);
        }
        let origin = a.origin.clone();
        let empty = merkle::empty_root();
        if (a.size == 0 && a.root != empty) || (b.size == 0 && b.root != empty) {
            return Ok(Finding::EmptyTreeRoot { origin });
        }
        if a.size == b.size {
            if a.root == b.root {
                return Err(EvidenceError::SameTree(a.size));
            }
            return Ok(Finding::SameSize {
                origin,
                size: a.size,
            });
        }
        let proof = self.proof.as_deref().unwrap_or_default();
        let Err(error) = merkle::verify_consistency(a.size, b.size, &a.root, &b.root, proof) else {
            return Err(EvidenceError::Consistent {
                old: a.size,
                new: b.size,
            });
        };
        match merkle::roots_from_consistency_proof(a.size, b.size, &a.root, proof) {
            Ok((old_root, new_root)) if new_root == b.root && old_root != a.root => {
                Ok(Finding::Fork {
                    origin,
                    old: a.size,
                    new: b.size,
                    root_in_larger: old_root,
                })
            }
            _ => Ok(Finding::Unproven {
                origin,
                old: a.size,
                new: b.size,
                error,
            }),
        }
    }

    /// [`SplitView::check`], after making sure every key the evidence names is in
    /// `trusted` (the keys you know the log by).
    pub fn check_against(&self, trusted: &[VerifierKey]) -> Result<Finding, EvidenceError> {
        if let Some(k) = self.keys.iter().find(|k| !trusted.contains(k)) {
            return Err(EvidenceError::UntrustedKey(k.to_string()));
        }
        self.check()
    }

    fn open(&self, which: Which, signed: &str) -> Result<Checkpoint, EvidenceError> {
        let malformed = |error| EvidenceError::Checkpoint { which, error };
        let text = note::parse_note(signed)
            .map_err(|e| malformed(e.into()))?
            .text;
        let checkpoint = Checkpoint::parse_body(&text).map_err(malformed)?;
        verified_signatures(signed, &self.keys)
            .map_err(|error| EvidenceError::NotSigned { which, error })?;
        Ok(checkpoint)
    }
}

/// Splits `first \n second` where each is a signed checkpoint: a text without empty
/// lines, an empty line, signature lines. `None` unless there are exactly two.
fn split_notes(notes: &str) -> Option<(&str, &str)> {
    let first_blank = notes.find("\n\n")?;
    let second_blank = first_blank + 2 + notes.get(first_blank + 2..)?.find("\n\n")?;
    let first = notes.get(..second_blank + 1)?;
    let second = notes.get(second_blank + 2..)?;
    (second.matches("\n\n").count() == 1).then_some((first, second))
}

/// A checkpoint seen, and kept as the latest of its log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    /// The tree head.
    pub checkpoint: Checkpoint,
    /// The checkpoint as signed.
    pub signed: String,
}

/// What observing a checkpoint found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Observation {
    /// The first checkpoint seen of its log: it is now the latest.
    First,
    /// The same tree as the latest.
    Same,
    /// A larger tree, proven consistent with the latest: it is now the latest.
    Extended {
        /// The size of the previous latest.
        from: u64,
    },
    /// A smaller tree, proven to be a prefix of the latest.
    Older,
    /// A consistency proof from `old` to `new` is needed: ask the log, then observe again
    /// with it.
    NeedsProof {
        /// The smaller size.
        old: u64,
        /// The larger size.
        new: u64,
    },
    /// The two cannot be proven consistent: raise the alarm and keep the evidence.
    SplitView(Box<SplitView>),
}

/// Why a checkpoint is not observed (it says nothing about the log).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BookError {
    /// Not a checkpoint.
    #[error(transparent)]
    Checkpoint(#[from] CheckpointError),
    /// A log the book does not follow.
    #[error("the book does not follow the log `{0}`")]
    UnknownOrigin(String),
    /// Not signed by the log's keys.
    #[error("the checkpoint of `{origin}` is not signed by its log: {error}")]
    NotSigned {
        /// The log.
        origin: String,
        /// Why.
        error: NoteError,
    },
    /// Size 0 with another root than the empty tree's.
    #[error("the checkpoint of `{0}` has size 0 but not the empty tree's root")]
    EmptyTreeRoot(String),
}

/// The checkpoints seen, per log: the largest one, against which every new one is checked.
#[derive(Debug, Clone, Default)]
pub struct Book {
    logs: BTreeMap<String, Vec<VerifierKey>>,
    latest: BTreeMap<String, Seen>,
}

impl Book {
    /// A book following `logs`.
    pub fn new(logs: Vec<TrustedLog>) -> Self {
        Self {
            logs: logs.into_iter().map(|l| (l.origin, l.keys)).collect(),
            latest: BTreeMap::new(),
        }
    }

    /// The latest checkpoint of `origin`.
    pub fn latest(&self, origin: &str) -> Option<&Seen> {
        self.latest.get(origin)
    }

    /// The latest checkpoint of every log (to persist; observing them again restores the
    /// book).
    pub fn seen(&self) -> impl Iterator<Item = &Seen> {
        self.latest.values()
    }

    /// Observes a signed checkpoint, with the consistency proof between it and the latest
    /// of its log when [`Observation::NeedsProof`] asked for one.
    pub fn observe(
        &mut self,
        signed: &str,
        proof: Option<&[Hash]>,
    ) -> Result<Observation, BookError> {
        let text = note::parse_note(signed)
            .map_err(CheckpointError::from)?
            .text;
        let new = Checkpoint::parse_body(&text)?;
        let keys = self
            .logs
            .get(&new.origin)
            .ok_or_else(|| BookError::UnknownOrigin(new.origin.clone()))?;
        verified_signatures(signed, keys).map_err(|error| BookError::NotSigned {
            origin: new.origin.clone(),
            error,
        })?;
        if new.size == 0 && new.root != merkle::empty_root() {
            return Err(BookError::EmptyTreeRoot(new.origin));
        }
        let seen = Seen {
            checkpoint: new.clone(),
            signed: signed.to_owned(),
        };
        let Some(latest) = self.latest.get(&new.origin) else {
            self.latest.insert(new.origin.clone(), seen);
            return Ok(Observation::First);
        };
        let old = &latest.checkpoint;
        // INVARIANT: both checkpoints verified under the log's keys, and the evidence is
        // made only where they are not proven consistent, so it passes `SplitView::check`.
        let evidence = |proof: Option<&[Hash]>| {
            Observation::SplitView(Box::new(SplitView::ordered(
                keys.clone(),
                ((old.size, old.root), &latest.signed),
                ((new.size, new.root), signed),
                proof.map(<[Hash]>::to_vec),
            )))
        };
        if new.size == old.size {
            if new.root == old.root {
                return Ok(Observation::Same);
            }
            return Ok(evidence(None));
        }
        let (small, large) = if new.size > old.size {
            (old, &new)
        } else {
            (&new, old)
        };
        if small.size > 0 {
            let Some(proof) = proof else {
                return Ok(Observation::NeedsProof {
                    old: small.size,
                    new: large.size,
                });
            };
            if merkle::verify_consistency(small.size, large.size, &small.root, &large.root, proof)
                .is_err()
            {
                return Ok(evidence(Some(proof)));
            }
        }
        if new.size < old.size {
            return Ok(Observation::Older);
        }
        let from = old.size;
        self.latest.insert(new.origin.clone(), seen);
        Ok(Observation::Extended { from })
    }
}

#[cfg(test)]
mod tests;
