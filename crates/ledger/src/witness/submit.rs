//! The log side of C2SP tlog-witness v1.0.0: what to send each witness for a new
//! checkpoint, how to read its answer, and how to attach the cosignatures.
//!
//! The log keeps, per witness, the size that witness last cosigned (0 when unknown: the
//! witness answers 409 with its size, and the log asks again from there). For each new
//! checkpoint it sends [`request`]'s body, built with the consistency proof from that size,
//! and reads the answer with [`read_reply`]. Cosignatures are checked against the witness's
//! keys before they are attached; signatures by other keys are ignored, as the spec says.

use super::protocol::{self, AddCheckpoint, BodyError};
use super::{cosignature_time, signature_line, verified_signatures};
use crate::checkpoint::{Checkpoint, CheckpointError};
use crate::merkle::{self, ProveError, StoredNodes};
use crate::note::{self, NoteError, TYPE_COSIGNATURE, VerifierKey};

/// Why a request for a witness cannot be built.
#[derive(Debug, thiserror::Error)]
pub enum RequestError<E> {
    /// The checkpoint cannot be read.
    #[error(transparent)]
    Checkpoint(#[from] CheckpointError),
    /// The witness says it cosigned a larger tree than this checkpoint's: the log has lost
    /// entries, or someone showed the witness another log.
    #[error(
        "the witness last cosigned size {witness_size}, larger than this checkpoint's {size}: the log is behind what it was witnessed at"
    )]
    WitnessAhead {
        /// The size the witness cosigned.
        witness_size: u64,
        /// This checkpoint's size.
        size: u64,
    },
    /// The proof could not be computed.
    #[error("the consistency proof could not be computed: {0}")]
    Proof(ProveError<E>),
}

/// The `add-checkpoint` request for a witness that last cosigned `witness_size` (0 if it
/// never did), with the consistency proof from there computed over `tree`.
pub fn request<S: StoredNodes + ?Sized>(
    tree: &S,
    signed_checkpoint: &str,
    witness_size: u64,
) -> Result<AddCheckpoint, RequestError<S::Error>> {
    let parsed = note::parse_note(signed_checkpoint).map_err(CheckpointError::from)?;
    let checkpoint = Checkpoint::parse_body(&parsed.text)?;
    if witness_size > checkpoint.size {
        return Err(RequestError::WitnessAhead {
            witness_size,
            size: checkpoint.size,
        });
    }
    let proof = merkle::consistency_proof(tree, witness_size, checkpoint.size)
        .map_err(RequestError::Proof)?;
    Ok(AddCheckpoint {
        old_size: witness_size,
        proof,
        checkpoint: signed_checkpoint.to_owned(),
    })
}

/// A witness cosignature, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cosignature {
    /// The witness key's name.
    pub witness: String,
    /// The key id.
    pub key_id: u32,
    /// When the witness cosigned (seconds since the epoch).
    pub timestamp: u64,
    /// The signature line, with its newline.
    pub line: String,
}

/// Why a witness's answer is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CosignatureError {
    /// A key given as a witness key is not a cosignature key.
    #[error("`{0}` is not a witness cosignature key (type 0x04)")]
    NotACosigner(String),
    /// The checkpoint cannot be read.
    #[error(transparent)]
    Checkpoint(#[from] CheckpointError),
    /// The answer is not signature lines, or a known witness key's signature fails, or no
    /// known witness key signed.
    #[error("the witness's answer is not a valid cosignature: {0}")]
    Invalid(NoteError),
    /// A 409 whose body is not a size.
    #[error("the witness answered 409 without a valid size: {0}")]
    Size(BodyError),
    /// A 409 without the `text/x.tlog.size` content type.
    #[error("the witness answered 409 with content type `{0}`, not `text/x.tlog.size`")]
    SizeContentType(String),
}

/// Checks a witness's 200 answer (one or more signature lines) as cosignatures of the
/// checkpoint by `witness_keys`; lines by other keys are ignored. At least one must be by
/// a witness key, and every line by a witness key must verify.
pub fn open_cosignatures(
    signed_checkpoint: &str,
    answer: &str,
    witness_keys: &[VerifierKey],
) -> Result<Vec<Cosignature>, CosignatureError> {
    if let Some(k) = witness_keys.iter().find(|k| k.kind() != TYPE_COSIGNATURE) {
        return Err(CosignatureError::NotACosigner(k.to_string()));
    }
    let text = note::parse_note(signed_checkpoint)
        .map_err(CheckpointError::from)?
        .text;
    Checkpoint::parse_body(&text)?;
    // Only signature lines: an empty line would move where the note's text ends.
    let only_lines = answer.ends_with('\n')
        && answer
            .split_terminator('\n')
            .all(|line| line.starts_with("\u{2014} "));
    if !only_lines {
        return Err(CosignatureError::Invalid(NoteError::Malformed));
    }
    // The answer's lines as the signatures of the checkpoint's text alone, so that a
    // cosignature already on the checkpoint does not count twice.
    let combined = format!("{text}\n{answer}");
    let signatures =
        verified_signatures(&combined, witness_keys).map_err(CosignatureError::Invalid)?;
    Ok(signatures
        .into_iter()
        .map(|(sig, _)| Cosignature {
            witness: sig.name.clone(),
            key_id: sig.key_id,
            timestamp: cosignature_time(&sig).unwrap_or(0),
            line: signature_line(&sig),
        })
        .collect())
}

/// The checkpoint with `cosignatures` added after its signatures. A cosignature by a key
/// that already signed the checkpoint is not added again.
pub fn attach(signed_checkpoint: &str, cosignatures: &[Cosignature]) -> Result<String, NoteError> {
    let parsed = note::parse_note(signed_checkpoint)?;
    let mut out = signed_checkpoint.to_owned();
    let mut present: Vec<(String, u32)> = parsed
        .signatures
        .iter()
        .map(|s| (s.name.clone(), s.key_id))
        .collect();
    for c in cosignatures {
        let key = (c.witness.clone(), c.key_id);
        if !present.contains(&key) {
            out.push_str(&c.line);
            present.push(key);
        }
    }
    note::parse_note(&out)?;
    Ok(out)
}

/// What a witness's answer means for the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    /// 200: the checked cosignatures; the witness has now cosigned the checkpoint's size.
    Cosigned(Vec<Cosignature>),
    /// 409 with a size: the witness last cosigned `witness_size`; ask again from there.
    Conflict {
        /// The size the witness last cosigned.
        witness_size: u64,
    },
    /// Any other status: the witness refused (the body is its explanation, if any).
    Refused {
        /// The HTTP status.
        status: u16,
        /// The body, cut to 200 characters.
        body: String,
    },
}

/// Reads a witness's answer to an `add-checkpoint` request for `signed_checkpoint`.
pub fn read_reply(
    status: u16,
    content_type: Option<&str>,
    body: &str,
    signed_checkpoint: &str,
    witness_keys: &[VerifierKey],
) -> Result<Reply, CosignatureError> {
    match status {
        200 => open_cosignatures(signed_checkpoint, body, witness_keys).map(Reply::Cosigned),
        409 => {
            let kind = content_type.unwrap_or_default();
            // Media types compare without case and parameters.
            let essence = kind.split(';').next().unwrap_or_default().trim();
            if !essence.eq_ignore_ascii_case(protocol::SIZE_CONTENT_TYPE) {
                return Err(CosignatureError::SizeContentType(kind.to_owned()));
            }
            let witness_size = protocol::parse_size(body).map_err(CosignatureError::Size)?;
            Ok(Reply::Conflict { witness_size })
        }
        _ => Ok(Reply::Refused {
            status,
            body: body.chars().take(200).collect(),
        }),
    }
}
