//! The bodies of C2SP tlog-witness v1.0.0: the `add-checkpoint` request and the
//! `text/x.tlog.size` body of a 409 answer.
//!
//! ```text
//! request := "old " decimal "\n"  (base64(hash) "\n"){0,63}  "\n"  signed checkpoint note
//! size    := decimal "\n"
//! ```
//!
//! `decimal` has no leading zeroes (`0` is written `0`); every hash is 32 bytes in canonical
//! standard base64. The note is parsed (not verified) here: verifying it is the witness's
//! job, with the keys it trusts for the checkpoint's origin.
//!
//! INVARIANT: parsing never panics, reads nothing past [`MAX_BODY_BYTES`], and is exact:
//! `AddCheckpoint::parse(b)?.encode() == b` for every accepted body `b`.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;

use crate::merkle::Hash;
use crate::note::{self, NoteError};

/// The largest `add-checkpoint` body a witness reads (16 KiB): 63 proof lines and a
/// checkpoint with dozens of signatures fit several times over.
pub const MAX_BODY_BYTES: usize = 16 * 1024;
/// The most consistency proof lines a request may carry (the spec's limit).
pub const MAX_PROOF_LINES: usize = 63;
/// The content type of a 409 answer's body.
pub const SIZE_CONTENT_TYPE: &str = "text/x.tlog.size";

/// Why an `add-checkpoint` body (or a size body) is malformed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BodyError {
    /// Longer than [`MAX_BODY_BYTES`].
    #[error("the body is {0} bytes long; at most {MAX_BODY_BYTES} are accepted")]
    TooLarge(usize),
    /// Not UTF-8.
    #[error("the body is not UTF-8 text")]
    NotUtf8,
    /// The first line is not `old N`.
    #[error(
        "the first line must be `old N`, N the size the witness last cosigned, in decimal without leading zeroes"
    )]
    OldLine,
    /// A consistency proof line is not a hash.
    #[error("line {line} is not a base64 SHA-256 hash (a consistency proof line)")]
    ProofLine {
        /// 1-based line number in the body.
        line: usize,
    },
    /// More than [`MAX_PROOF_LINES`] proof lines.
    #[error("the body has more than {MAX_PROOF_LINES} consistency proof lines")]
    TooManyProofLines,
    /// No empty line before the checkpoint.
    #[error("the body ends before the empty line that precedes the checkpoint")]
    NoBlankLine,
    /// The checkpoint is not a signed note.
    #[error("the checkpoint is not a signed note: {0}")]
    Note(NoteError),
    /// A size body is not `N\n`.
    #[error("a `text/x.tlog.size` body must be a decimal tree size and a newline, not `{0}`")]
    Size(String),
}

/// An `add-checkpoint` request: the size the client believes the witness last cosigned,
/// the consistency proof from that size, and the signed checkpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddCheckpoint {
    /// The size of the checkpoint the witness last cosigned for the origin (0 if none).
    pub old_size: u64,
    /// The RFC 6962 consistency proof from `old_size` to the checkpoint's size.
    pub proof: Vec<Hash>,
    /// The signed checkpoint note, verbatim.
    pub checkpoint: String,
}

pub(crate) fn parse_decimal(s: &str) -> Option<u64> {
    let canonical =
        !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) && (s == "0" || !s.starts_with('0'));
    if canonical { s.parse().ok() } else { None }
}

pub(crate) fn parse_hash_line(s: &str) -> Option<Hash> {
    let bytes = B64.decode(s).ok()?;
    let hash = <Hash>::try_from(bytes.as_slice()).ok()?;
    (B64.encode(hash) == s).then_some(hash)
}

impl AddCheckpoint {
    /// The request body.
    pub fn encode(&self) -> String {
        let mut s = format!("old {}\n", self.old_size);
        for hash in &self.proof {
            s.push_str(&B64.encode(hash));
            s.push('\n');
        }
        s.push('\n');
        s.push_str(&self.checkpoint);
        s
    }

    /// Parses a request body: at most [`MAX_BODY_BYTES`], UTF-8, the old size line, at most
    /// [`MAX_PROOF_LINES`] hashes, an empty line, a signed note (not yet verified).
    pub fn parse(body: &[u8]) -> Result<Self, BodyError> {
        if body.len() > MAX_BODY_BYTES {
            return Err(BodyError::TooLarge(body.len()));
        }
        let body = std::str::from_utf8(body).map_err(|_| BodyError::NotUtf8)?;
        let (first, mut rest) = body.split_once('\n').ok_or(BodyError::OldLine)?;
        let old_size = first
            .strip_prefix("old ")
            .and_then(parse_decimal)
            .ok_or(BodyError::OldLine)?;
        let mut proof = Vec::new();
        loop {
            let (line, after) = rest.split_once('\n').ok_or(BodyError::NoBlankLine)?;
            rest = after;
            if line.is_empty() {
                break;
            }
            if proof.len() == MAX_PROOF_LINES {
                return Err(BodyError::TooManyProofLines);
            }
            let hash = parse_hash_line(line).ok_or(BodyError::ProofLine {
                line: proof.len() + 2,
            })?;
            proof.push(hash);
        }
        note::parse_note(rest).map_err(BodyError::Note)?;
        Ok(Self {
            old_size,
            proof,
            checkpoint: rest.to_owned(),
        })
    }
}

/// The body of a 409 answer: the size the witness last cosigned, and a newline.
pub fn encode_size(size: u64) -> String {
    format!("{size}\n")
}

/// Parses the body of a 409 answer (`text/x.tlog.size`).
pub fn parse_size(body: &str) -> Result<u64, BodyError> {
    body.strip_suffix('\n')
        .and_then(parse_decimal)
        .ok_or_else(|| BodyError::Size(body.chars().take(40).collect()))
}
