//! Witnessing: C2SP tlog-witness v1.0.0 and `tlog-cosignature/v1`, both sides, and the
//! witness policy that says when a checkpoint counts as witnessed.
//!
//! - [`protocol`] — the `add-checkpoint` request body and the `text/x.tlog.size` body.
//! - [`serve`] — the witness: a pure state machine from (configuration, recorded state,
//!   request body, time) to a cosignature and a state update, or a typed refusal with the
//!   spec's status (400/403/404/409/422).
//! - [`submit`] — the log side: the request for a witness given the size it last cosigned,
//!   reading its answer, checking and attaching the cosignatures.
//! - [`policy`] — the witness policy in the C2SP `tlog-policy` format (k of n named
//!   witnesses, nested groups) and the check of a cosigned checkpoint against it.
//!
//! Nothing here does I/O or reads a clock: the HTTP server and client, and the storage of
//! the witness's state, are the caller's (see `docs/witness.md`).

pub mod policy;
pub mod protocol;
pub mod serve;
pub mod submit;

#[cfg(test)]
pub(crate) mod tests;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;

pub use policy::{PolicyError, WitnessPolicy, Witnessed};
pub use protocol::{AddCheckpoint, BodyError, MAX_BODY_BYTES, SIZE_CONTENT_TYPE};
pub use serve::{
    ConfigError, Cosigned, Recorded, Refusal, StaleUpdate, StateUpdate, Status, Witness,
    WitnessState,
};
pub use submit::{Cosignature, CosignatureError, Reply};

use crate::note::{self, NoteError, NoteSignature, VerifierKey};

/// A log that a witness (or a verifier) trusts: its origin and the keys that sign its
/// checkpoints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustedLog {
    /// The origin line of its checkpoints.
    pub origin: String,
    /// Its Ed25519 note keys (more than one while a key is rotated).
    pub keys: Vec<VerifierKey>,
}

impl TrustedLog {
    /// A log whose origin is its key's name (as C2SP `tlog-policy` requires).
    pub fn from_key(key: VerifierKey) -> Self {
        Self {
            origin: key.name().to_owned(),
            keys: vec![key],
        }
    }

    /// Groups keys by name into logs, one per origin.
    pub fn from_keys(keys: impl IntoIterator<Item = VerifierKey>) -> Vec<Self> {
        let mut logs: Vec<Self> = Vec::new();
        for key in keys {
            match logs.iter_mut().find(|l| l.origin == key.name()) {
                Some(log) => log.keys.push(key),
                None => logs.push(Self::from_key(key)),
            }
        }
        logs
    }
}

/// A note's signature line: `— name base64(key id || signature)` and a newline.
pub(crate) fn signature_line(sig: &NoteSignature) -> String {
    let mut bytes = sig.key_id.to_be_bytes().to_vec();
    bytes.extend_from_slice(&sig.signature);
    format!("\u{2014} {} {}\n", sig.name, B64.encode(bytes))
}

/// Verifies a note against `known` keys (the signed-note rules of [`note::open_note`]) and
/// returns each signature by a known key with the index of that key in `known`.
pub(crate) fn verified_signatures(
    signed: &str,
    known: &[VerifierKey],
) -> Result<Vec<(NoteSignature, usize)>, NoteError> {
    note::open_note(signed, known)?;
    let parsed = note::parse_note(signed)?;
    Ok(parsed
        .signatures
        .into_iter()
        .filter_map(|sig| {
            // INVARIANT: `open_note` matched keys the same way (name and key id, first
            // match) and verified every such signature, so these are all valid.
            let index = known
                .iter()
                .position(|k| k.name() == sig.name && k.key_id() == sig.key_id)?;
            Some((sig, index))
        })
        .collect())
}

/// The timestamp of a verified cosignature (its first eight bytes).
pub(crate) fn cosignature_time(sig: &NoteSignature) -> Option<u64> {
    let bytes: [u8; 8] = sig.signature.get(..8)?.try_into().ok()?;
    Some(u64::from_be_bytes(bytes))
}
