//! The witness: C2SP tlog-witness v1.0.0 `add-checkpoint` as a pure function of the
//! witness's configuration, its recorded state, the request body and the time.
//!
//! The checks run in the order the spec lists them, each with its status:
//!
//! | check | refusal | status |
//! |---|---|---|
//! | body at most 16 KiB, UTF-8, `old N`, ≤ 63 hashes, empty line, signed note, checkpoint body | `TooLarge`, `Malformed`, `BadCheckpoint` | 400 |
//! | the origin is one the witness is configured to witness | `UnknownOrigin` | 404 |
//! | a trusted key of the origin signed, and no trusted key's signature fails | `NotSigned` | 403 |
//! | old size ≤ checkpoint size | `OldSizeAboveSize` | 400 |
//! | old size = the size last cosigned for the origin (0 if none) | `SizeConflict` (body `N\n`, `text/x.tlog.size`) | 409 |
//! | old size = checkpoint size: the proof is empty and the root is the recorded one | `BadProof` / `RootConflict` | 422 / 409 |
//! | the consistency proof from the recorded tree to the checkpoint verifies | `BadProof` | 422 |
//!
//! A rollback (a checkpoint smaller than the one last cosigned) fails the old-size checks:
//! 400 if the client sends the recorded size, 409 otherwise. A refusal cosigns nothing and
//! changes nothing; when the log's signature is valid and the refusal shows two checkpoints
//! that cannot be proven consistent, it carries the split-view evidence.
//!
//! INVARIANT: a cosignature is returned only together with the [`StateUpdate`] that records
//! its checkpoint; the caller applies it ([`WitnessState::apply`], a compare-and-set on the
//! recorded size and root) and persists it atomically before answering.

use std::collections::BTreeMap;

use base64::engine::general_purpose::STANDARD as B64;

use super::protocol::{self, AddCheckpoint, BodyError};
use super::{TrustedLog, signature_line, verified_signatures};
use crate::checkpoint::{Checkpoint, CheckpointError};
use crate::merkle::{self, Hash, VerifyError};
use crate::note::{self, NoteError, SignerKey, TYPE_COSIGNATURE, TYPE_ED25519, VerifierKey};
use crate::splitview::SplitView;

/// An HTTP status the witness answers with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// 200: cosigned.
    Ok,
    /// 400: malformed body, or old size larger than the checkpoint's.
    BadRequest,
    /// 403: no valid signature by a key trusted for the origin.
    Forbidden,
    /// 404: an origin the witness does not witness.
    NotFound,
    /// 409: the old size is not the recorded one (or, same size, another root).
    Conflict,
    /// 422: the consistency proof does not verify.
    UnprocessableEntity,
}

impl Status {
    /// The numeric code.
    pub fn code(self) -> u16 {
        match self {
            Status::Ok => 200,
            Status::BadRequest => 400,
            Status::Forbidden => 403,
            Status::NotFound => 404,
            Status::Conflict => 409,
            Status::UnprocessableEntity => 422,
        }
    }
}

/// Why a witness's configuration is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// No cosigning key.
    #[error("a witness needs at least one cosigning key")]
    NoKeys,
    /// A witness key that is not a `tlog-cosignature/v1` key.
    #[error("witness key `{0}` is not a cosignature key (type 0x04)")]
    NotACosigner(String),
    /// Two witness keys with the same name and key id.
    #[error("witness key `{0}` is given twice")]
    DuplicateKey(String),
    /// A log key that is not an Ed25519 note key.
    #[error("key `{key}` of log `{origin}` is not an Ed25519 note key (type 0x01)")]
    NotALogKey {
        /// The log's origin.
        origin: String,
        /// The key's name.
        key: String,
    },
    /// A log without keys.
    #[error("log `{0}` has no key")]
    NoLogKey(String),
    /// The same origin twice.
    #[error("log `{0}` is configured twice")]
    DuplicateOrigin(String),
}

/// What the witness records about one log: the checkpoint it last cosigned.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Recorded {
    /// Its tree size.
    pub size: u64,
    /// Its root hash.
    #[serde(with = "base64_hash")]
    pub root: Hash,
    /// The checkpoint: its text, the log signatures the witness verified, and the
    /// witness's own cosignatures.
    pub checkpoint: String,
    /// When it was cosigned (seconds since the epoch, the cosignature's timestamp).
    pub cosigned_at: u64,
}

mod base64_hash {
    use super::{B64, Hash};
    use base64::Engine as _;

    pub fn serialize<S: serde::Serializer>(hash: &Hash, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&B64.encode(hash))
    }

    pub fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Hash, D::Error> {
        let text: String = serde::Deserialize::deserialize(d)?;
        super::protocol::parse_hash_line(&text)
            .ok_or_else(|| serde::de::Error::custom("expected a base64 SHA-256 hash"))
    }
}

/// The witness's state: per origin, the checkpoint it last cosigned. A plain value the
/// caller persists (it serialises with serde); see [`WitnessState::apply`].
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct WitnessState {
    logs: BTreeMap<String, Recorded>,
}

/// A change to the state: the origin's record moves from `expected` to `recorded`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateUpdate {
    /// The log.
    pub origin: String,
    /// The size and root recorded when the request was checked ((0, empty root) if none).
    pub expected: (u64, Hash),
    /// The new record.
    pub recorded: Recorded,
}

/// The state changed between checking a request and applying its update: another request
/// was cosigned meanwhile. Applying would roll that one back; answer the request again.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "the witness's record of `{origin}` changed from size {expected} to {found} while the request was checked"
)]
pub struct StaleUpdate {
    /// The log.
    pub origin: String,
    /// The size the update was computed from.
    pub expected: u64,
    /// The size recorded now.
    pub found: u64,
}

impl WitnessState {
    /// The empty state: nothing cosigned yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// What is recorded for `origin`.
    pub fn get(&self, origin: &str) -> Option<&Recorded> {
        self.logs.get(origin)
    }

    /// The size and root recorded for `origin`: `(0, empty root)` if nothing is.
    pub fn tree(&self, origin: &str) -> (u64, Hash) {
        self.logs
            .get(origin)
            .map_or((0, merkle::empty_root()), |r| (r.size, r.root))
    }

    /// Every record, by origin.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Recorded)> {
        self.logs.iter().map(|(o, r)| (o.as_str(), r))
    }

    /// Applies an update if the origin's record is still the one it was computed from
    /// (compare-and-set), so that two concurrent requests can never roll a log back.
    pub fn apply(&mut self, update: &StateUpdate) -> Result<(), StaleUpdate> {
        let found = self.tree(&update.origin);
        if found != update.expected {
            return Err(StaleUpdate {
                origin: update.origin.clone(),
                expected: update.expected.0,
                found: found.0,
            });
        }
        self.logs
            .insert(update.origin.clone(), update.recorded.clone());
        Ok(())
    }
}

/// A cosigned checkpoint: the 200 answer and the state update to persist before it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cosigned {
    /// The checkpoint cosigned.
    pub checkpoint: Checkpoint,
    /// The update to apply and persist before answering.
    pub update: StateUpdate,
    /// The answer's body: one cosignature line per witness key.
    pub body: String,
}

/// Why the witness refuses a request. Nothing is cosigned and nothing changes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// The body is malformed or too large.
    #[error("the request body is refused: {0}")]
    Malformed(BodyError),
    /// The note's text is not a checkpoint.
    #[error("the request's checkpoint is refused: {0}")]
    BadCheckpoint(CheckpointError),
    /// The witness does not witness this origin.
    #[error("this witness does not witness the log `{0}`")]
    UnknownOrigin(String),
    /// No valid signature by a trusted key of the origin.
    #[error(
        "the checkpoint of `{origin}` is not signed by a key this witness trusts for it: {reason}"
    )]
    NotSigned {
        /// The log.
        origin: String,
        /// What the signature check found.
        reason: NoteError,
    },
    /// The old size is larger than the checkpoint's size.
    #[error("old size {old} is larger than the checkpoint's size {size}")]
    OldSizeAboveSize {
        /// The old size given.
        old: u64,
        /// The checkpoint's size.
        size: u64,
    },
    /// The old size is not the size last cosigned.
    #[error("old size {old} is not the size this witness last cosigned for `{origin}`, {recorded}")]
    SizeConflict {
        /// The log.
        origin: String,
        /// The old size given.
        old: u64,
        /// The size recorded.
        recorded: u64,
    },
    /// Same size as the one last cosigned, but another root.
    #[error(
        "the checkpoint of `{origin}` has size {size}, the size last cosigned, but another root hash"
    )]
    RootConflict {
        /// The log.
        origin: String,
        /// The size.
        size: u64,
        /// The split-view evidence, when the witness holds the checkpoint it cosigned.
        evidence: Option<Box<SplitView>>,
    },
    /// The consistency proof does not verify.
    #[error(
        "the consistency proof of `{origin}` from size {old} to {size} does not verify: {error}"
    )]
    BadProof {
        /// The log.
        origin: String,
        /// The old size.
        old: u64,
        /// The checkpoint's size.
        size: u64,
        /// Why it fails.
        error: VerifyError,
        /// The split-view evidence, when the witness holds the checkpoint it cosigned.
        evidence: Option<Box<SplitView>>,
    },
}

impl Refusal {
    /// The HTTP status the spec gives this refusal.
    pub fn status(&self) -> Status {
        match self {
            Refusal::Malformed(_)
            | Refusal::BadCheckpoint(_)
            | Refusal::OldSizeAboveSize { .. } => Status::BadRequest,
            Refusal::UnknownOrigin(_) => Status::NotFound,
            Refusal::NotSigned { .. } => Status::Forbidden,
            Refusal::SizeConflict { .. } | Refusal::RootConflict { .. } => Status::Conflict,
            Refusal::BadProof { .. } => Status::UnprocessableEntity,
        }
    }

    /// For a 409, the `text/x.tlog.size` body: the size last cosigned and a newline.
    pub fn size_body(&self) -> Option<String> {
        match self {
            Refusal::SizeConflict { recorded, .. } => Some(protocol::encode_size(*recorded)),
            Refusal::RootConflict { size, .. } => Some(protocol::encode_size(*size)),
            _ => None,
        }
    }

    /// The split-view evidence this request revealed, if any.
    pub fn evidence(&self) -> Option<&SplitView> {
        match self {
            Refusal::RootConflict { evidence, .. } | Refusal::BadProof { evidence, .. } => {
                evidence.as_deref()
            }
            _ => None,
        }
    }
}

/// A witness: its cosigning keys and the logs it witnesses.
#[derive(Debug, Clone)]
pub struct Witness {
    keys: Vec<SignerKey>,
    logs: BTreeMap<String, Vec<VerifierKey>>,
}

impl Witness {
    /// A witness with `keys` (type 0x04, `tlog-cosignature/v1`) witnessing `logs`.
    pub fn new(keys: Vec<SignerKey>, logs: Vec<TrustedLog>) -> Result<Self, ConfigError> {
        if keys.is_empty() {
            return Err(ConfigError::NoKeys);
        }
        let mut seen = Vec::new();
        for key in &keys {
            let v = key.verifier();
            if v.kind() != TYPE_COSIGNATURE {
                return Err(ConfigError::NotACosigner(v.name().to_owned()));
            }
            if seen.contains(&(v.name().to_owned(), v.key_id())) {
                return Err(ConfigError::DuplicateKey(v.name().to_owned()));
            }
            seen.push((v.name().to_owned(), v.key_id()));
        }
        let mut by_origin = BTreeMap::new();
        for log in logs {
            if log.keys.is_empty() {
                return Err(ConfigError::NoLogKey(log.origin));
            }
            if let Some(k) = log.keys.iter().find(|k| k.kind() != TYPE_ED25519) {
                return Err(ConfigError::NotALogKey {
                    origin: log.origin.clone(),
                    key: k.name().to_owned(),
                });
            }
            if by_origin.contains_key(&log.origin) {
                return Err(ConfigError::DuplicateOrigin(log.origin));
            }
            by_origin.insert(log.origin, log.keys);
        }
        Ok(Self {
            keys,
            logs: by_origin,
        })
    }

    /// The witness's public keys, as clients configure them.
    pub fn verifiers(&self) -> Vec<VerifierKey> {
        self.keys.iter().map(SignerKey::verifier).collect()
    }

    /// The keys trusted for `origin`, if the witness witnesses it.
    pub fn log_keys(&self, origin: &str) -> Option<&[VerifierKey]> {
        self.logs.get(origin).map(Vec::as_slice)
    }

    /// Handles an `add-checkpoint` request body at time `now`: a cosignature and the state
    /// update that records it, or the refusal with its status. Pure: `state` is not changed.
    pub fn add_checkpoint(
        &self,
        state: &WitnessState,
        body: &[u8],
        now: jiff::Timestamp,
    ) -> Result<Cosigned, Refusal> {
        let request = AddCheckpoint::parse(body).map_err(Refusal::Malformed)?;
        let parsed = note::parse_note(&request.checkpoint)
            .map_err(|e| Refusal::Malformed(BodyError::Note(e)))?;
        let checkpoint = Checkpoint::parse_body(&parsed.text).map_err(Refusal::BadCheckpoint)?;
        let origin = checkpoint.origin.clone();
        let keys = self
            .logs
            .get(&origin)
            .ok_or_else(|| Refusal::UnknownOrigin(origin.clone()))?;
        let signed_by = verified_signatures(&request.checkpoint, keys).map_err(|reason| {
            Refusal::NotSigned {
                origin: origin.clone(),
                reason,
            }
        })?;
        self.check_tree(state, &request, &checkpoint, keys)?;
        let expected = state.tree(&origin);
        let timestamp = u64::try_from(now.as_second()).unwrap_or(0);
        let signers: Vec<&SignerKey> = self.keys.iter().collect();
        let cosigned = note::sign_note(&parsed.text, &signers, timestamp)
            .map_err(|e| Refusal::Malformed(BodyError::Note(e)))?;
        let body = cosigned
            .get(parsed.text.len() + 1..)
            .unwrap_or_default()
            .to_owned();
        let mut recorded = parsed.text.clone();
        recorded.push('\n');
        for (sig, _) in &signed_by {
            recorded.push_str(&signature_line(sig));
        }
        recorded.push_str(&body);
        Ok(Cosigned {
            update: StateUpdate {
                origin,
                expected,
                recorded: Recorded {
                    size: checkpoint.size,
                    root: checkpoint.root,
                    checkpoint: recorded,
                    cosigned_at: timestamp,
                },
            },
            checkpoint,
            body,
        })
    }

    /// The size and consistency checks, after the signature.
    fn check_tree(
        &self,
        state: &WitnessState,
        request: &AddCheckpoint,
        checkpoint: &Checkpoint,
        keys: &[VerifierKey],
    ) -> Result<(), Refusal> {
        let origin = &checkpoint.origin;
        let (old, size) = (request.old_size, checkpoint.size);
        if old > size {
            return Err(Refusal::OldSizeAboveSize { old, size });
        }
        let (recorded_size, recorded_root) = state.tree(origin);
        if old != recorded_size {
            return Err(Refusal::SizeConflict {
                origin: origin.clone(),
                old,
                recorded: recorded_size,
            });
        }
        let error = match merkle::verify_consistency(
            old,
            size,
            &recorded_root,
            &checkpoint.root,
            &request.proof,
        ) {
            Ok(()) => return Ok(()),
            Err(error) => error,
        };
        // The evidence needs the checkpoint the witness cosigned, signed by the log.
        let evidence = state
            .get(origin)
            .filter(|r| r.size > 0)
            .and_then(|r| {
                let proof = (old < size).then_some(request.proof.clone());
                SplitView::new(keys.to_vec(), &r.checkpoint, &request.checkpoint, proof).ok()
            })
            .map(Box::new);
        if old == size && request.proof.is_empty() {
            // v1.0.0: same size as recorded, another root: 409.
            return Err(Refusal::RootConflict {
                origin: origin.clone(),
                size,
                evidence,
            });
        }
        Err(Refusal::BadProof {
            origin: origin.clone(),
            old,
            size,
            error,
            evidence,
        })
    }
}
