//! Log entries: the canonical, versioned binary encoding of a signed statement.
//!
//! An [`Entry`] is what its authors sign: the log's origin, the agreement, and a body —
//! either the statement itself ([`Body::Open`]) or, for confidential evidence, the
//! statement's kind and a salted SHA-256 commitment to its content ([`Body::Sealed`]).
//! A [`SignedEntry`] adds one or more author signatures; a [`LoggedEntry`] adds the record
//! time the sequencer assigned. The Merkle leaf is the encoding of the logged entry, so
//! the record time is tamper-evident too.
//!
//! ```text
//! signed bytes := "accord/entry/v1\n" lp(origin) lp(agreement) body
//! body         := 0x00 lp(statement as canonical JSON)
//!               | 0x01 lp(kind) commitment[32]
//! signed entry := signed bytes  u8(n)  n × (lp(signer) public_key[32] signature[64])
//! leaf         := signed entry  i64be(seconds)  u32be(nanoseconds)
//! lp(x)        := u32be(len(x)) x
//! ```
//!
//! Signatures are Ed25519 over the signed bytes, sorted by (signer, public key), one per
//! signer. The statement JSON is canonical when re-encoding the decoded statement gives
//! the same bytes; anything else is refused, so one statement has one encoding and one
//! leaf.
//!
//! INVARIANT: decoding never panics, refuses trailing bytes, and enforces the size limits
//! before allocating.

use accord_core::id::{AgreementId, ParticipantId};
use accord_core::statement::{LogIndex, LoggedStatement, Statement, StatementKind};
use accord_core::time::Instant;
use sha2::{Digest, Sha256};

use crate::merkle::{self, Hash};
use crate::note::SignerKey;

/// The first bytes of every entry: format name and version.
pub const ENTRY_MAGIC: &[u8; 16] = b"accord/entry/v1\n";
/// The largest statement (or sealed content), in bytes.
pub const MAX_STATEMENT_BYTES: usize = 64 * 1024;
/// The most signatures on one entry.
pub const MAX_SIGNATURES: usize = 16;
/// The largest encoded entry, in bytes.
pub const MAX_ENTRY_BYTES: usize = MAX_STATEMENT_BYTES + 4096;
/// The longest origin, in bytes.
pub const MAX_ORIGIN_BYTES: usize = 256;

const COMMIT_DOMAIN: &[u8] = b"accord/sealed/v1\n";

/// What a sealed (confidential) entry's leaf commits to.
pub type Commitment = Hash;

/// The body of an entry.
#[derive(Debug, Clone, PartialEq)]
pub enum Body {
    /// The statement, readable by anyone who reads the log.
    Open(Statement),
    /// A confidential statement: its kind and a salted digest of its canonical JSON. The
    /// content is stored apart and revealed to those entitled.
    Sealed {
        /// The statement's kind (public, so that entitlement can be checked).
        kind: StatementKind,
        /// `SHA-256("accord/sealed/v1\n" || salt || content)`.
        commitment: Commitment,
    },
}

impl Body {
    /// The kind of statement the body carries.
    pub fn kind(&self) -> StatementKind {
        match self {
            Body::Open(s) => s.kind(),
            Body::Sealed { kind, .. } => *kind,
        }
    }
}

/// What authors sign.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The log it is meant for (a replay into another log is refused).
    pub origin: String,
    /// The agreement it belongs to.
    pub agreement: AgreementId,
    /// The statement, open or sealed.
    pub body: Body,
}

/// One author's signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntrySignature {
    /// Who signs.
    pub signer: ParticipantId,
    /// With which registered key.
    pub public_key: [u8; 32],
    /// Ed25519 over [`Entry::signed_bytes`].
    pub signature: [u8; 64],
}

/// An entry with its authors' signatures, as submitted.
#[derive(Debug, Clone, PartialEq)]
pub struct SignedEntry {
    /// What was signed.
    pub entry: Entry,
    /// Sorted by (signer, public key), one per signer.
    pub signatures: Vec<EntrySignature>,
}

/// A signed entry with its record time: the content of a leaf.
#[derive(Debug, Clone, PartialEq)]
pub struct LoggedEntry {
    /// The submitted entry.
    pub signed: SignedEntry,
    /// When the log accepted it.
    pub recorded_at: Instant,
}

impl LoggedEntry {
    /// The engine's view of this entry at `index`: its record time, agreement and signers,
    /// with `statement` — the open body, or a sealed one once revealed (which only the
    /// caller can do: the ledger holds no salts).
    pub fn statement_at(&self, index: u64, statement: Statement) -> LoggedStatement {
        LoggedStatement {
            index: LogIndex(index),
            recorded_at: self.recorded_at,
            agreement: self.signed.entry.agreement.clone(),
            authors: self
                .signed
                .signatures
                .iter()
                .map(|s| s.signer.clone())
                .collect(),
            statement,
        }
    }
}

/// Why an entry is refused. Every variant is specific so that a submitter knows what to fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EntryError {
    /// Larger than allowed.
    #[error("the entry is {len} bytes; at most {max} are accepted")]
    TooLarge {
        /// Its size.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// The bytes are not an entry.
    #[error("malformed entry: {0}")]
    Malformed(String),
    /// The statement JSON is valid but not in canonical form.
    #[error(
        "the statement is not canonically encoded: encode it with Accord (compact JSON, fields in order, no escapes beyond the necessary)"
    )]
    NonCanonical,
    /// No signature.
    #[error("the entry has no signature: every entry is signed by its author")]
    NoSignature,
    /// More than [`MAX_SIGNATURES`].
    #[error("the entry has {0} signatures; at most {MAX_SIGNATURES} are accepted")]
    TooManySignatures(usize),
    /// Signatures not sorted, or one signer twice.
    #[error("the entry's signatures must be sorted by signer and name each signer once (`{0}`)")]
    SignatureOrder(String),
    /// Meant for another log.
    #[error(
        "the entry is for log `{found}`, not `{expected}`: it cannot be replayed into this log"
    )]
    WrongOrigin {
        /// This log.
        expected: String,
        /// The origin signed.
        found: String,
    },
    /// Meant for another agreement.
    #[error(
        "the entry is for agreement `{found}`, which this log does not hold (it holds `{expected}`)"
    )]
    UnknownAgreement {
        /// This log's agreement.
        expected: String,
        /// The agreement signed.
        found: String,
    },
    /// The signer is not a participant.
    #[error("`{0}` is not a participant of the agreement")]
    UnknownSigner(String),
    /// The key is not registered for the signer.
    #[error("the key `{key}` is not registered for `{signer}`")]
    UnregisteredKey {
        /// The signer.
        signer: String,
        /// The key (base64).
        key: String,
    },
    /// The key was not valid at the record time (not yet valid, rotated out or revoked).
    #[error("the key `{key}` of `{signer}` is not valid at {at}: {why}")]
    KeyNotValid {
        /// The signer.
        signer: String,
        /// The key (base64).
        key: String,
        /// The record time.
        at: String,
        /// Revoked, rotated or not yet valid, with the instant.
        why: String,
    },
    /// A weak or malformed key.
    #[error("the key `{0}` is not a usable Ed25519 key (malformed or of small order)")]
    WeakKey(String),
    /// The signature does not verify.
    #[error("the signature of `{0}` does not verify: the entry was altered or forged")]
    BadSignature(String),
    /// The signer's role may not make this kind of statement.
    #[error("`{signer}` ({role}) may not make `{kind}` statements in this agreement")]
    NotEntitled {
        /// The signer.
        signer: String,
        /// Its role.
        role: String,
        /// The statement kind.
        kind: String,
    },
    /// A rule specific to the statement kind.
    #[error("{0}")]
    Rule(String),
    /// A revealed content does not match the sealed commitment.
    #[error("the revealed content does not match the entry's commitment")]
    RevealMismatch,
}

/// The name of a statement kind as written in the log (`evidence`, `key_event`, ...).
pub fn kind_name(kind: StatementKind) -> &'static str {
    match kind {
        StatementKind::Evidence => "evidence",
        StatementKind::Correction => "correction",
        StatementKind::Retraction => "retraction",
        StatementKind::Decision => "decision",
        StatementKind::DisputeStep => "dispute_step",
        StatementKind::TriggerStep => "trigger_step",
        StatementKind::EventOccurred => "event_occurred",
        StatementKind::AmendmentSignature => "amendment_signature",
        StatementKind::KeyEvent => "key_event",
        StatementKind::Signal => "signal",
        StatementKind::Participation => "participation",
    }
}

const ALL_KINDS: [StatementKind; 11] = [
    StatementKind::Evidence,
    StatementKind::Correction,
    StatementKind::Retraction,
    StatementKind::Decision,
    StatementKind::DisputeStep,
    StatementKind::TriggerStep,
    StatementKind::EventOccurred,
    StatementKind::AmendmentSignature,
    StatementKind::KeyEvent,
    StatementKind::Signal,
    StatementKind::Participation,
];

/// The statement kind of a name written by [`kind_name`].
pub fn kind_from_name(name: &str) -> Option<StatementKind> {
    ALL_KINDS.into_iter().find(|k| kind_name(*k) == name)
}

/// The canonical JSON of a statement.
pub fn statement_bytes(statement: &Statement) -> Vec<u8> {
    // INVARIANT: statements serialise without failing (no maps with non-string keys, no
    // non-finite floats: accord-core's invariant).
    serde_json::to_vec(statement).unwrap_or_default()
}

/// Decodes canonical statement JSON, refusing any other spelling of the same statement.
pub fn decode_statement(bytes: &[u8]) -> Result<Statement, EntryError> {
    if bytes.len() > MAX_STATEMENT_BYTES {
        return Err(EntryError::TooLarge {
            len: bytes.len(),
            max: MAX_STATEMENT_BYTES,
        });
    }
    if let Some(statement) = decode_canonical(bytes) {
        return Ok(statement);
    }
    let statement: Statement = serde_json::from_slice(bytes)
        .map_err(|e| EntryError::Malformed(format!("statement: {e}")))?;
    if !is_encoding_of(&statement, bytes) {
        return Err(EntryError::NonCanonical);
    }
    Ok(statement)
}

/// The statement `bytes` are the canonical JSON of, read the short way: the canonical
/// JSON starts with the kind (`{"kind":"evidence",…`), so the rest is read as that kind's
/// fields at once, without serde buffering the whole object to find its tag first (what
/// an internally tagged enum costs). `None` for anything else — other spellings, errors
/// — which the general way then reads, with its own errors: so this changes what is
/// accepted and refused in nothing, only how fast the canonical spelling is read.
fn decode_canonical(bytes: &[u8]) -> Option<Statement> {
    let rest = bytes.strip_prefix(b"{\"kind\":\"")?;
    let end = rest.iter().position(|&b| b == b'"')?;
    let kind = kind_from_name(std::str::from_utf8(rest.get(..end)?).ok()?)?;
    let fields = rest.get(end + 1..)?.strip_prefix(b",")?;
    let mut object = Vec::with_capacity(fields.len() + 1);
    object.push(b'{');
    object.extend_from_slice(fields);
    let statement = statement_of_kind(kind, &object).ok()?;
    is_encoding_of(&statement, bytes).then_some(statement)
}

/// The statement of `kind` whose fields (the tag apart) are the JSON object `object`.
fn statement_of_kind(kind: StatementKind, object: &[u8]) -> serde_json::Result<Statement> {
    use serde_json::from_slice as read;
    Ok(match kind {
        StatementKind::Evidence => Statement::Evidence(read(object)?),
        StatementKind::Correction => Statement::Correction(read(object)?),
        StatementKind::Retraction => Statement::Retraction(read(object)?),
        StatementKind::Decision => Statement::Decision(read(object)?),
        StatementKind::DisputeStep => Statement::DisputeStep(read(object)?),
        StatementKind::TriggerStep => Statement::TriggerStep(read(object)?),
        StatementKind::EventOccurred => Statement::EventOccurred(read(object)?),
        StatementKind::AmendmentSignature => Statement::AmendmentSignature(read(object)?),
        StatementKind::KeyEvent => Statement::KeyEvent(read(object)?),
        StatementKind::Signal => Statement::Signal(read(object)?),
        StatementKind::Participation => Statement::Participation(read(object)?),
    })
}

/// Whether `bytes` are `statement`'s canonical JSON ([`statement_bytes`]), compared as it
/// is written: no copy is made, and the first difference ends the writing.
fn is_encoding_of(statement: &Statement, bytes: &[u8]) -> bool {
    struct Compare<'a>(&'a [u8]);
    impl std::io::Write for Compare<'_> {
        fn write(&mut self, written: &[u8]) -> std::io::Result<usize> {
            match self.0.strip_prefix(written) {
                Some(rest) => {
                    self.0 = rest;
                    Ok(written.len())
                }
                None => Err(std::io::ErrorKind::InvalidData.into()),
            }
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut rest = Compare(bytes);
    serde_json::to_writer(&mut rest, statement).is_ok() && rest.0.is_empty()
}

/// The commitment of a sealed statement.
pub fn commitment(salt: &[u8; 32], content: &[u8]) -> Commitment {
    let mut h = Sha256::new();
    h.update(COMMIT_DOMAIN);
    h.update(salt);
    h.update(content);
    h.finalize().into()
}

/// Seals a statement with a salt (32 random bytes from the OS): returns the body to log and
/// the content to store apart.
pub fn seal(statement: &Statement, salt: &[u8; 32]) -> (Body, Vec<u8>) {
    let content = statement_bytes(statement);
    let body = Body::Sealed {
        kind: statement.kind(),
        commitment: commitment(salt, &content),
    };
    (body, content)
}

/// Checks a revealed content against a sealed body and decodes it.
pub fn reveal(body: &Body, salt: &[u8; 32], content: &[u8]) -> Result<Statement, EntryError> {
    let Body::Sealed {
        kind,
        commitment: c,
    } = body
    else {
        return Err(EntryError::Rule(
            "the entry is not sealed: its statement is public".into(),
        ));
    };
    if &commitment(salt, content) != c {
        return Err(EntryError::RevealMismatch);
    }
    let statement = decode_statement(content)?;
    if statement.kind() != *kind {
        return Err(EntryError::RevealMismatch);
    }
    Ok(statement)
}

fn put_lp(out: &mut Vec<u8>, bytes: &[u8]) {
    // INVARIANT: every field is bounded far below 4 GiB by the limits above.
    out.extend_from_slice(&(bytes.len() as u32).to_be_bytes());
    out.extend_from_slice(bytes);
}

impl Entry {
    /// The bytes every author signs.
    pub fn signed_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(256);
        out.extend_from_slice(ENTRY_MAGIC);
        put_lp(&mut out, self.origin.as_bytes());
        put_lp(&mut out, self.agreement.as_str().as_bytes());
        match &self.body {
            Body::Open(statement) => {
                out.push(0);
                put_lp(&mut out, &statement_bytes(statement));
            }
            Body::Sealed { kind, commitment } => {
                out.push(1);
                put_lp(&mut out, kind_name(*kind).as_bytes());
                out.extend_from_slice(commitment);
            }
        }
        out
    }

    /// Signs the entry with each author's key. Signatures are put in canonical order.
    pub fn sign(self, authors: &[(&ParticipantId, &SignerKey)]) -> SignedEntry {
        let message = self.signed_bytes();
        let mut signatures: Vec<EntrySignature> = authors
            .iter()
            .map(|(signer, key)| EntrySignature {
                signer: (*signer).clone(),
                public_key: key.public_key(),
                signature: key.sign_bytes(&message),
            })
            .collect();
        signatures.sort_by(|a, b| (&a.signer, a.public_key).cmp(&(&b.signer, b.public_key)));
        SignedEntry {
            entry: self,
            signatures,
        }
    }
}

impl SignedEntry {
    /// The canonical encoding, as submitted (without record time).
    pub fn encode(&self) -> Vec<u8> {
        let mut out = self.entry.signed_bytes();
        self.encode_signatures(&mut out);
        out
    }

    fn encode_signatures(&self, out: &mut Vec<u8>) {
        out.push(self.signatures.len().min(255) as u8);
        for sig in &self.signatures {
            put_lp(out, sig.signer.as_str().as_bytes());
            out.extend_from_slice(&sig.public_key);
            out.extend_from_slice(&sig.signature);
        }
    }

    /// The entry's identity: SHA-256 of its encoding. The same entry submitted twice has
    /// the same id and is logged once.
    pub fn id(&self) -> Hash {
        Sha256::digest(self.encode()).into()
    }

    /// The encoding made once, with what a writer needs from it: the signed bytes (its
    /// prefix), the id, and the leaf once a record time is known. The statement's JSON is
    /// the cost of encoding, so a writer encodes each submission once rather than for each
    /// of these.
    pub fn encoded(&self) -> Encoded {
        let mut bytes = self.entry.signed_bytes();
        let signed_len = bytes.len();
        self.encode_signatures(&mut bytes);
        let id = Sha256::digest(&bytes).into();
        Encoded {
            bytes,
            signed_len,
            id,
        }
    }

    /// Decodes a submitted entry, strictly.
    pub fn decode(bytes: &[u8]) -> Result<Self, EntryError> {
        let mut r = Reader::new(bytes)?;
        let signed = r.signed_entry()?;
        r.finish()?;
        Ok(signed)
    }

    /// Checks the form rules every entry obeys: at least one signature, at most
    /// [`MAX_SIGNATURES`], sorted, one per signer, at most [`MAX_ENTRY_BYTES`] encoded.
    pub fn check_form(&self) -> Result<(), EntryError> {
        self.check_form_encoded(self.encode().len())
    }

    /// [`SignedEntry::check_form`] for an entry whose encoding is `len` bytes long (as
    /// [`SignedEntry::encoded`] made it).
    pub fn check_form_encoded(&self, len: usize) -> Result<(), EntryError> {
        if self.signatures.is_empty() {
            return Err(EntryError::NoSignature);
        }
        if self.signatures.len() > MAX_SIGNATURES {
            return Err(EntryError::TooManySignatures(self.signatures.len()));
        }
        for pair in self.signatures.windows(2) {
            if let [a, b] = pair
                && a.signer >= b.signer
            {
                return Err(EntryError::SignatureOrder(b.signer.to_string()));
            }
        }
        if self.entry.origin.is_empty() || self.entry.origin.len() > MAX_ORIGIN_BYTES {
            return Err(EntryError::Malformed(format!(
                "the origin must be 1 to {MAX_ORIGIN_BYTES} bytes"
            )));
        }
        if len > MAX_ENTRY_BYTES {
            return Err(EntryError::TooLarge {
                len,
                max: MAX_ENTRY_BYTES,
            });
        }
        Ok(())
    }
}

/// A submitted entry's encoding, made once ([`SignedEntry::encoded`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Encoded {
    /// [`SignedEntry::encode`].
    pub bytes: Vec<u8>,
    /// The length of its prefix that is [`Entry::signed_bytes`].
    pub signed_len: usize,
    /// [`SignedEntry::id`].
    pub id: Hash,
}

impl Encoded {
    /// The bytes the authors signed.
    pub fn signed_bytes(&self) -> &[u8] {
        self.bytes.get(..self.signed_len).unwrap_or_default()
    }

    /// The leaf of this entry recorded at `recorded_at` ([`LoggedEntry::leaf_bytes`]).
    pub fn leaf_bytes(&self, recorded_at: Instant) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.bytes.len() + 12);
        out.extend_from_slice(&self.bytes);
        push_record_time(&mut out, recorded_at);
        out
    }
}

fn push_record_time(out: &mut Vec<u8>, recorded_at: Instant) {
    out.extend_from_slice(&recorded_at.as_second().to_be_bytes());
    out.extend_from_slice(&(recorded_at.subsec_nanosecond() as u32).to_be_bytes());
}

impl LoggedEntry {
    /// The leaf's bytes: the signed entry and the record time.
    pub fn leaf_bytes(&self) -> Vec<u8> {
        let mut out = self.signed.encode();
        push_record_time(&mut out, self.recorded_at);
        out
    }

    /// The Merkle leaf hash.
    pub fn leaf_hash(&self) -> Hash {
        merkle::leaf_hash(&self.leaf_bytes())
    }

    /// Decodes a leaf, strictly.
    pub fn decode(bytes: &[u8]) -> Result<Self, EntryError> {
        let mut r = Reader::new(bytes)?;
        let signed = r.signed_entry()?;
        let seconds = i64::from_be_bytes(r.array()?);
        let nanos = u32::from_be_bytes(r.array()?);
        r.finish()?;
        // Record times are after 1970 and nanoseconds below one second, so that each
        // instant has exactly one encoding.
        let recorded_at = i32::try_from(nanos)
            .ok()
            .filter(|n| seconds >= 0 && *n < 1_000_000_000)
            .and_then(|n| Instant::new(seconds, n).ok())
            .ok_or_else(|| EntryError::Malformed("record time out of range".into()))?;
        Ok(Self {
            signed,
            recorded_at,
        })
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn new(bytes: &'a [u8]) -> Result<Self, EntryError> {
        if bytes.len() > MAX_ENTRY_BYTES + 12 {
            return Err(EntryError::TooLarge {
                len: bytes.len(),
                max: MAX_ENTRY_BYTES,
            });
        }
        Ok(Self { bytes, at: 0 })
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], EntryError> {
        let end = self
            .at
            .checked_add(n)
            .filter(|&e| e <= self.bytes.len())
            .ok_or_else(|| EntryError::Malformed(format!("truncated at byte {}", self.at)))?;
        let out = self.bytes.get(self.at..end).unwrap_or_default();
        self.at = end;
        Ok(out)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], EntryError> {
        let bytes = self.take(N)?;
        <[u8; N]>::try_from(bytes).map_err(|_| EntryError::Malformed("truncated".into()))
    }

    fn lp(&mut self, max: usize, what: &str) -> Result<&'a [u8], EntryError> {
        let len = u32::from_be_bytes(self.array()?) as usize;
        if len > max {
            return Err(EntryError::Malformed(format!(
                "{what} is {len} bytes; at most {max} are accepted"
            )));
        }
        self.take(len)
    }

    fn text(&mut self, max: usize, what: &str) -> Result<&'a str, EntryError> {
        std::str::from_utf8(self.lp(max, what)?)
            .map_err(|_| EntryError::Malformed(format!("{what} is not UTF-8")))
    }

    fn signed_entry(&mut self) -> Result<SignedEntry, EntryError> {
        let start = self.at;
        if self.take(ENTRY_MAGIC.len())? != ENTRY_MAGIC {
            return Err(EntryError::Malformed(
                "not an Accord entry (expected `accord/entry/v1`)".into(),
            ));
        }
        let origin = self.text(MAX_ORIGIN_BYTES, "origin")?.to_owned();
        let agreement = AgreementId::new(self.text(64, "agreement")?)
            .map_err(|e| EntryError::Malformed(e.to_string()))?;
        let body = match self.array::<1>()? {
            [0] => Body::Open(decode_statement(
                self.lp(MAX_STATEMENT_BYTES, "statement")?,
            )?),
            [1] => {
                let name = self.text(32, "kind")?;
                let kind = kind_from_name(name)
                    .ok_or_else(|| EntryError::Malformed(format!("unknown kind `{name}`")))?;
                Body::Sealed {
                    kind,
                    commitment: self.array()?,
                }
            }
            [t] => return Err(EntryError::Malformed(format!("unknown body tag {t}"))),
        };
        let [n] = self.array::<1>()?;
        if n as usize > MAX_SIGNATURES {
            return Err(EntryError::TooManySignatures(n as usize));
        }
        let mut signatures = Vec::with_capacity(n as usize);
        for _ in 0..n {
            let signer = ParticipantId::new(self.text(64, "signer")?)
                .map_err(|e| EntryError::Malformed(e.to_string()))?;
            signatures.push(EntrySignature {
                signer,
                public_key: self.array()?,
                signature: self.array()?,
            });
        }
        let signed = SignedEntry {
            entry: Entry {
                origin,
                agreement,
                body,
            },
            signatures,
        };
        // Decoding is strict (every field has one spelling, the statement JSON is
        // canonical), so the bytes read are the entry's encoding: its length is known
        // without encoding the entry (and its statement JSON) again.
        signed.check_form_encoded(self.at - start)?;
        Ok(signed)
    }

    fn finish(&self) -> Result<(), EntryError> {
        if self.at != self.bytes.len() {
            return Err(EntryError::Malformed(format!(
                "{} trailing bytes after the entry",
                self.bytes.len() - self.at
            )));
        }
        Ok(())
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use accord_core::id::{IndicatorId, UnitId};
    use accord_core::statement::{Confidentiality, Evidence, Method, Observation, Quantity};
    use accord_core::time::Period;
    use jiff::civil::date;

    pub(crate) fn evidence(amount: f64) -> Statement {
        Statement::Evidence(Evidence {
            indicator: IndicatorId::new("enrichment_level").unwrap(),
            period: Period::new(date(2026, 1, 1), date(2026, 3, 31)).unwrap(),
            value: Observation::Quantity(
                Quantity::new(amount, UnitId::new("percent").unwrap()).unwrap(),
            ),
            method: Method::OnSiteInspection,
            attachments: vec![],
            confidentiality: Confidentiality::Public,
            note: Some("été".into()),
            escrow_until: None,
        })
    }

    fn signed() -> SignedEntry {
        let a = SignerKey::from_seed("a", [1; 32]).unwrap();
        let b = SignerKey::from_seed("b", [2; 32]).unwrap();
        let (pa, pb) = (
            ParticipantId::new("iaea").unwrap(),
            ParticipantId::new("auditor").unwrap(),
        );
        Entry {
            origin: "accord.example/log".into(),
            agreement: AgreementId::new("agreement-1").unwrap(),
            body: Body::Open(evidence(3.67)),
        }
        .sign(&[(&pa, &a), (&pb, &b)])
    }

    #[test]
    fn entries_round_trip_and_sign_in_canonical_order() {
        let s = signed();
        assert_eq!(s.signatures[0].signer.as_str(), "auditor");
        let bytes = s.encode();
        assert!(bytes.starts_with(ENTRY_MAGIC));
        assert_eq!(SignedEntry::decode(&bytes).unwrap(), s);
        let logged = LoggedEntry {
            signed: s.clone(),
            recorded_at: Instant::new(1_767_225_600, 123).unwrap(),
        };
        let leaf = logged.leaf_bytes();
        assert_eq!(LoggedEntry::decode(&leaf).unwrap(), logged);
        assert_eq!(leaf.len(), bytes.len() + 12);
        // The record time is inside the leaf.
        let later = LoggedEntry {
            recorded_at: Instant::new(1_767_225_601, 123).unwrap(),
            ..logged.clone()
        };
        assert_ne!(later.leaf_hash(), logged.leaf_hash());
    }

    #[test]
    fn malformed_encodings_are_refused() {
        let bytes = signed().encode();
        // Every truncation.
        for cut in 0..bytes.len() {
            assert!(SignedEntry::decode(&bytes[..cut]).is_err(), "cut at {cut}");
        }
        // Trailing garbage.
        let mut long = bytes.clone();
        long.push(0);
        assert!(
            matches!(SignedEntry::decode(&long), Err(EntryError::Malformed(m)) if m.contains("trailing"))
        );
        // Non-canonical JSON (a space) is refused even though it parses.
        let s = signed();
        let json = String::from_utf8(statement_bytes(match &s.entry.body {
            Body::Open(st) => st,
            Body::Sealed { .. } => unreachable!(),
        }))
        .unwrap();
        let spaced = json.replacen(":", ": ", 1);
        assert_eq!(
            decode_statement(spaced.as_bytes()),
            Err(EntryError::NonCanonical)
        );
        let escaped = json.replace("été", "\\u00e9t\\u00e9");
        assert_eq!(
            decode_statement(escaped.as_bytes()),
            Err(EntryError::NonCanonical)
        );
        // Whatever the short way to read the canonical spelling skips, the general way
        // still judges, with its own errors: fields out of order (the kind last), an
        // unknown field, the kind twice, an unknown kind, a kind whose fields are not there.
        let open = json.strip_suffix('}').unwrap();
        let fields = open.strip_prefix("{\"kind\":\"evidence\",").unwrap();
        let kind_last = format!("{{{fields},\"kind\":\"evidence\"}}");
        let unknown = format!("{open},\"extra\":1}}");
        let twice = format!("{open},\"kind\":\"evidence\"}}");
        for non_canonical in [&kind_last, &unknown] {
            assert_eq!(
                decode_statement(non_canonical.as_bytes()),
                Err(EntryError::NonCanonical),
                "{non_canonical}"
            );
        }
        for (malformed, why) in [
            (twice, "duplicate field `kind`"),
            (
                json.replacen("evidence", "gossip", 1),
                "unknown variant `gossip`",
            ),
            (
                json.replacen("evidence", "retraction", 1),
                "missing field `retracts`",
            ),
        ] {
            assert!(
                matches!(decode_statement(malformed.as_bytes()), Err(EntryError::Malformed(m)) if m.contains(why)),
                "{malformed}: {:?}",
                decode_statement(malformed.as_bytes())
            );
        }
        // Oversize.
        assert!(matches!(
            SignedEntry::decode(&vec![0u8; MAX_ENTRY_BYTES + 100]),
            Err(EntryError::TooLarge { .. })
        ));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(500))]

        /// The fuzz target's property, on mutations of a valid leaf: no panic, and anything
        /// accepted re-encodes to the same bytes.
        #[test]
        fn decoding_mutated_leaves_never_panics_and_round_trips(
            edits in proptest::collection::vec((proptest::prelude::any::<usize>(), proptest::prelude::any::<u8>()), 1..4),
            cut in proptest::prelude::any::<usize>(),
        ) {
            let logged = LoggedEntry {
                signed: signed(),
                recorded_at: Instant::new(1_767_225_600, 5).unwrap(),
            };
            let mut bytes = logged.leaf_bytes();
            for (at, value) in edits {
                let len = bytes.len();
                bytes[at % len] = value;
            }
            if cut % 3 == 0 {
                bytes.truncate(cut % (bytes.len() + 1));
            }
            if let Ok(decoded) = LoggedEntry::decode(&bytes) {
                proptest::prop_assert_eq!(decoded.leaf_bytes(), bytes.clone());
            }
            if let Ok(decoded) = SignedEntry::decode(&bytes) {
                proptest::prop_assert_eq!(decoded.encode(), bytes);
            }
        }
    }

    #[test]
    fn unsorted_or_duplicate_signers_are_refused() {
        let mut s = signed();
        s.signatures.swap(0, 1);
        assert!(matches!(s.check_form(), Err(EntryError::SignatureOrder(_))));
        assert!(SignedEntry::decode(&s.encode()).is_err());
        let mut dup = signed();
        dup.signatures[1].signer = dup.signatures[0].signer.clone();
        assert!(matches!(
            dup.check_form(),
            Err(EntryError::SignatureOrder(_))
        ));
        let mut none = signed();
        none.signatures.clear();
        assert_eq!(none.check_form(), Err(EntryError::NoSignature));
    }

    #[test]
    fn sealed_entries_commit_to_salted_content_and_reveal() {
        let statement = evidence(1.5);
        let salt = [42u8; 32];
        let (body, content) = seal(&statement, &salt);
        assert_eq!(body.kind(), StatementKind::Evidence);
        assert_eq!(reveal(&body, &salt, &content).unwrap(), statement);
        assert_eq!(
            reveal(&body, &[0; 32], &content),
            Err(EntryError::RevealMismatch)
        );
        let other = statement_bytes(&evidence(1.6));
        assert_eq!(
            reveal(&body, &salt, &other),
            Err(EntryError::RevealMismatch)
        );
        // The same statement under another salt gives another commitment.
        assert_ne!(seal(&statement, &[43; 32]).0, body);
        // A sealed entry encodes and decodes.
        let key = SignerKey::from_seed("a", [1; 32]).unwrap();
        let p = ParticipantId::new("iaea").unwrap();
        let s = Entry {
            origin: "o".into(),
            agreement: AgreementId::new("a1").unwrap(),
            body,
        }
        .sign(&[(&p, &key)]);
        assert_eq!(SignedEntry::decode(&s.encode()).unwrap(), s);
    }
}
