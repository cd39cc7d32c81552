//! C2SP `signed-note` with Ed25519 keys, and `tlog-cosignature/v1` witness cosignatures.
//!
//! Key strings follow Go's `golang.org/x/mod/sumdb/note`: a verifier key is
//! `name+hex8(key id)+base64(type || public key)`, a private key is
//! `PRIVATE+KEY+name+hex8(key id)+base64(type || seed)`, and the key id is the first four
//! bytes of `SHA-256(name || 0x0A || type || public key)`. Type `0x01` signs the note text;
//! type `0x04` is a timestamped witness cosignature over `cosignature/v1\ntime T\n || text`.
//!
//! Verification follows the spec: signatures by unknown keys (name and id not both known)
//! are ignored; a known key whose signature fails rejects the whole note, as does the same
//! known key signing twice; at least one known key must have signed.
//!
//! INVARIANT: parsing never panics and refuses control characters, a missing blank line,
//! malformed signature lines and more than [`MAX_SIGNATURES`] signatures.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use ed25519_dalek::{Signer as _, SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};

/// The most signature lines a note may carry (Go's limit; the spec requires at least 16).
pub const MAX_SIGNATURES: usize = 100;
/// The largest note accepted, in bytes.
pub const MAX_NOTE_BYTES: usize = 1 << 20;

/// Signature type byte of an Ed25519 note signature.
pub const TYPE_ED25519: u8 = 0x01;
/// Signature type byte of an Ed25519 `tlog-cosignature/v1` witness cosignature.
pub const TYPE_COSIGNATURE: u8 = 0x04;

/// Why a key string or key name is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// The name is empty or has a space or `+`.
    #[error("key name `{0}` is not valid: it must be non-empty, without spaces or `+`")]
    BadName(String),
    /// The string does not have the expected `+`-separated parts.
    #[error("`{0}` is not a key: expected `name+hex8+base64` (or `PRIVATE+KEY+name+hex8+base64`)")]
    Malformed(String),
    /// The key id in the string does not match the key.
    #[error(
        "key `{name}` says key id {given} but the key's id is {computed}: the key string is corrupt"
    )]
    WrongKeyId {
        /// The key's name.
        name: String,
        /// The id written in the string.
        given: String,
        /// The id computed from the key.
        computed: String,
    },
    /// The algorithm byte is not one we support.
    #[error(
        "key `{name}` has signature type {kind:#04x}; only Ed25519 (0x01) and cosignature (0x04) keys are supported"
    )]
    UnsupportedType {
        /// The key's name.
        name: String,
        /// The type byte.
        kind: u8,
    },
    /// The key bytes are not a valid Ed25519 public key.
    #[error("key `{0}` does not hold a valid Ed25519 public key")]
    BadPublicKey(String),
    /// The public key is of small order (a weak key that verifies forged signatures).
    #[error("key `{0}` is a weak Ed25519 key (small order) and cannot be used")]
    WeakKey(String),
}

/// Checks a key name: non-empty, no Unicode space, no `+`.
pub fn validate_name(name: &str) -> Result<(), KeyError> {
    if name.is_empty()
        || name
            .chars()
            .any(|c| c.is_whitespace() || c == '+' || c.is_control())
    {
        return Err(KeyError::BadName(name.to_owned()));
    }
    Ok(())
}

/// The key id: the first four bytes of `SHA-256(name || 0x0A || type || public key)`.
pub fn key_id(name: &str, kind: u8, public_key: &[u8; 32]) -> u32 {
    let mut h = Sha256::new();
    h.update(name.as_bytes());
    h.update([b'\n', kind]);
    h.update(public_key);
    let d = h.finalize();
    u32::from_be_bytes([d[0], d[1], d[2], d[3]])
}

fn check_kind(name: &str, kind: u8) -> Result<(), KeyError> {
    if kind == TYPE_ED25519 || kind == TYPE_COSIGNATURE {
        Ok(())
    } else {
        Err(KeyError::UnsupportedType {
            name: name.to_owned(),
            kind,
        })
    }
}

/// Parses a public Ed25519 key and refuses weak (small-order) keys.
pub fn parse_public_key(name: &str, bytes: &[u8; 32]) -> Result<VerifyingKey, KeyError> {
    let key =
        VerifyingKey::from_bytes(bytes).map_err(|_| KeyError::BadPublicKey(name.to_owned()))?;
    if key.is_weak() {
        return Err(KeyError::WeakKey(name.to_owned()));
    }
    Ok(key)
}

/// A private signing key with its name, as in Go's `note.NewSigner`.
#[derive(Clone)]
pub struct SignerKey {
    name: String,
    kind: u8,
    key: SigningKey,
}

impl std::fmt::Debug for SignerKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the secret.
        write!(f, "SignerKey({})", self.verifier())
    }
}

impl SignerKey {
    /// A note-signing key (type `0x01`) from a 32-byte seed (draw it from the OS).
    pub fn from_seed(name: &str, seed: [u8; 32]) -> Result<Self, KeyError> {
        Self::from_seed_of_type(name, TYPE_ED25519, seed)
    }

    /// A key of the given type (`0x01` note signer, `0x04` witness cosigner) from a seed.
    pub fn from_seed_of_type(name: &str, kind: u8, seed: [u8; 32]) -> Result<Self, KeyError> {
        validate_name(name)?;
        check_kind(name, kind)?;
        Ok(Self {
            name: name.to_owned(),
            kind,
            key: SigningKey::from_bytes(&seed),
        })
    }

    /// Parses `PRIVATE+KEY+name+hex8+base64(type || seed)`.
    pub fn parse(s: &str) -> Result<Self, KeyError> {
        let malformed = || KeyError::Malformed(redact(s));
        let rest = s
            .trim_end()
            .strip_prefix("PRIVATE+KEY+")
            .ok_or_else(malformed)?;
        let (name, id, bytes) = split_key(rest).ok_or_else(malformed)?;
        let [kind, seed @ ..] = bytes.as_slice() else {
            return Err(malformed());
        };
        let seed: [u8; 32] = seed.try_into().map_err(|_| malformed())?;
        let signer = Self::from_seed_of_type(name, *kind, seed)?;
        if signer.key_id() != id {
            return Err(KeyError::WrongKeyId {
                name: name.to_owned(),
                given: format!("{id:08x}"),
                computed: format!("{:08x}", signer.key_id()),
            });
        }
        Ok(signer)
    }

    /// The Go-compatible private key string. Keep it secret.
    pub fn to_private_string(&self) -> String {
        let mut bytes = vec![self.kind];
        bytes.extend_from_slice(self.key.as_bytes());
        format!(
            "PRIVATE+KEY+{}+{:08x}+{}",
            self.name,
            self.key_id(),
            B64.encode(bytes)
        )
    }

    /// The key's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The key id.
    pub fn key_id(&self) -> u32 {
        key_id(&self.name, self.kind, self.key.verifying_key().as_bytes())
    }

    /// The public half.
    pub fn verifier(&self) -> VerifierKey {
        VerifierKey {
            name: self.name.clone(),
            kind: self.kind,
            key: self.key.verifying_key(),
        }
    }

    /// The raw Ed25519 public key.
    pub fn public_key(&self) -> [u8; 32] {
        self.key.verifying_key().to_bytes()
    }

    /// Signs raw bytes with Ed25519 (used for log entries; notes use [`sign_note`]).
    pub fn sign_bytes(&self, message: &[u8]) -> [u8; 64] {
        self.key.sign(message).to_bytes()
    }
}

/// A `PRIVATE+KEY` string is never echoed back in an error.
fn redact(s: &str) -> String {
    if s.starts_with("PRIVATE+KEY+") {
        "PRIVATE+KEY+…".to_owned()
    } else {
        s.chars().take(80).collect()
    }
}

/// Splits `name+hex8+base64`, allowing `+` inside the base64 part.
fn split_key(s: &str) -> Option<(&str, u32, Vec<u8>)> {
    let (name, rest) = s.split_once('+')?;
    let (id, b64) = rest.split_once('+')?;
    if id.len() != 8
        || !id
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
    {
        return None;
    }
    let id = u32::from_str_radix(id, 16).ok()?;
    let bytes = B64.decode(b64).ok()?;
    Some((name, id, bytes))
}

/// A public verifier key: `name+hex8+base64(type || public key)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifierKey {
    name: String,
    kind: u8,
    key: VerifyingKey,
}

impl VerifierKey {
    /// A verifier for a raw public key of the given type; refuses weak keys.
    pub fn new(name: &str, kind: u8, public_key: &[u8; 32]) -> Result<Self, KeyError> {
        validate_name(name)?;
        check_kind(name, kind)?;
        Ok(Self {
            name: name.to_owned(),
            kind,
            key: parse_public_key(name, public_key)?,
        })
    }

    /// Parses `name+hex8+base64(type || public key)`, checking the key id.
    pub fn parse(s: &str) -> Result<Self, KeyError> {
        let malformed = || KeyError::Malformed(redact(s));
        let (name, id, bytes) = split_key(s.trim()).ok_or_else(malformed)?;
        let [kind, public @ ..] = bytes.as_slice() else {
            return Err(malformed());
        };
        let public: [u8; 32] = public.try_into().map_err(|_| malformed())?;
        let key = Self::new(name, *kind, &public)?;
        if key.key_id() != id {
            return Err(KeyError::WrongKeyId {
                name: name.to_owned(),
                given: format!("{id:08x}"),
                computed: format!("{:08x}", key.key_id()),
            });
        }
        Ok(key)
    }

    /// The key's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The signature type byte.
    pub fn kind(&self) -> u8 {
        self.kind
    }

    /// The key id.
    pub fn key_id(&self) -> u32 {
        key_id(&self.name, self.kind, self.key.as_bytes())
    }

    /// The raw Ed25519 public key.
    pub fn public_key(&self) -> [u8; 32] {
        self.key.to_bytes()
    }

    /// Strict Ed25519 verification of raw bytes.
    pub fn verify_bytes(&self, message: &[u8], signature: &[u8; 64]) -> bool {
        let sig = ed25519_dalek::Signature::from_bytes(signature);
        self.key.verify_strict(message, &sig).is_ok()
    }
}

impl std::fmt::Display for VerifierKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut bytes = vec![self.kind];
        bytes.extend_from_slice(self.key.as_bytes());
        write!(
            f,
            "{}+{:08x}+{}",
            self.name,
            self.key_id(),
            B64.encode(bytes)
        )
    }
}

/// One signature line of a note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteSignature {
    /// The key name.
    pub name: String,
    /// The key id (first four bytes of the decoded signature).
    pub key_id: u32,
    /// The signature bytes after the key id.
    pub signature: Vec<u8>,
}

/// A parsed, not yet verified, signed note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// The text, ending in a newline.
    pub text: String,
    /// The signature lines, in order.
    pub signatures: Vec<NoteSignature>,
}

/// Why a note is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoteError {
    /// Longer than [`MAX_NOTE_BYTES`].
    #[error("the note is {0} bytes long; at most {MAX_NOTE_BYTES} are accepted")]
    TooLarge(usize),
    /// A control character other than newline.
    #[error("the note contains a control character (byte {0:#04x}) other than newline")]
    ControlCharacter(u8),
    /// No blank line between text and signatures, or no final newline.
    #[error(
        "the note is malformed: expected text ending in a newline, a blank line, then signature lines"
    )]
    Malformed,
    /// A signature line is not `— name base64`.
    #[error("signature line {line} is malformed: expected `— NAME BASE64`")]
    BadSignatureLine {
        /// 1-based number of the signature line.
        line: usize,
    },
    /// More than [`MAX_SIGNATURES`] signatures.
    #[error("the note has {0} signatures; at most {MAX_SIGNATURES} are accepted")]
    TooManySignatures(usize),
    /// A known key's signature does not verify.
    #[error("the signature by `{0}` does not verify: the note was altered or forged")]
    InvalidSignature(String),
    /// A known key signed twice.
    #[error("`{0}` signed the note twice")]
    DuplicateSignature(String),
    /// No known key signed.
    #[error("no trusted key signed the note (signed by: {0})")]
    NoTrustedSignature(String),
    /// The note text is not what the caller expected (checkpoint body, origin...).
    #[error("{0}")]
    BadText(String),
}

/// Parses a signed note without verifying it.
pub fn parse_note(msg: &str) -> Result<Note, NoteError> {
    if msg.len() > MAX_NOTE_BYTES {
        return Err(NoteError::TooLarge(msg.len()));
    }
    if let Some(b) = msg.bytes().find(|&b| b < 0x20 && b != b'\n' || b == 0x7f) {
        return Err(NoteError::ControlCharacter(b));
    }
    let split = msg.rfind("\n\n").ok_or(NoteError::Malformed)?;
    let (text, sigs) = (&msg[..split + 1], &msg[split + 2..]);
    if sigs.is_empty() || !sigs.ends_with('\n') {
        return Err(NoteError::Malformed);
    }
    let lines: Vec<&str> = sigs[..sigs.len() - 1].split('\n').collect();
    if lines.len() > MAX_SIGNATURES {
        return Err(NoteError::TooManySignatures(lines.len()));
    }
    let mut signatures = Vec::with_capacity(lines.len());
    for (i, line) in lines.iter().enumerate() {
        let bad = || NoteError::BadSignatureLine { line: i + 1 };
        let rest = line.strip_prefix("\u{2014} ").ok_or_else(bad)?;
        let (name, b64) = rest.split_once(' ').ok_or_else(bad)?;
        validate_name(name).map_err(|_| bad())?;
        let bytes = B64.decode(b64).map_err(|_| bad())?;
        if bytes.len() < 5 {
            return Err(bad());
        }
        let (id, sig) = bytes.split_at(4);
        signatures.push(NoteSignature {
            name: name.to_owned(),
            key_id: u32::from_be_bytes([id[0], id[1], id[2], id[3]]),
            signature: sig.to_vec(),
        });
    }
    Ok(Note {
        text: text.to_owned(),
        signatures,
    })
}

/// A note whose signatures were checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedNote {
    /// The text.
    pub text: String,
    /// The names of the known keys that verified, in signature order.
    pub signers: Vec<String>,
    /// Witness cosignature timestamps, by cosigner name.
    pub cosigned_at: Vec<(String, u64)>,
    /// The names on signatures by unknown keys (ignored).
    pub unknown: Vec<String>,
}

fn cosigned_message(text: &str, timestamp: u64) -> Vec<u8> {
    format!("cosignature/v1\ntime {timestamp}\n{text}").into_bytes()
}

/// Parses and verifies a note against the known keys.
pub fn open_note(msg: &str, known: &[VerifierKey]) -> Result<VerifiedNote, NoteError> {
    let note = parse_note(msg)?;
    let mut verified = VerifiedNote {
        text: note.text.clone(),
        signers: Vec::new(),
        cosigned_at: Vec::new(),
        unknown: Vec::new(),
    };
    let mut seen: Vec<(&str, u32)> = Vec::new();
    for sig in &note.signatures {
        let Some(key) = known
            .iter()
            .find(|k| k.name == sig.name && k.key_id() == sig.key_id)
        else {
            verified.unknown.push(sig.name.clone());
            continue;
        };
        if seen.contains(&(sig.name.as_str(), sig.key_id)) {
            return Err(NoteError::DuplicateSignature(sig.name.clone()));
        }
        seen.push((sig.name.as_str(), sig.key_id));
        let ok = match key.kind {
            TYPE_ED25519 => <[u8; 64]>::try_from(sig.signature.as_slice())
                .is_ok_and(|s| key.verify_bytes(note.text.as_bytes(), &s)),
            _ => {
                let (ts, s) = sig.signature.split_at(sig.signature.len().min(8));
                let timestamp = <[u8; 8]>::try_from(ts).map_or(u64::MAX, u64::from_be_bytes);
                let ok = timestamp < (1 << 63)
                    && <[u8; 64]>::try_from(s).is_ok_and(|s| {
                        key.verify_bytes(&cosigned_message(&note.text, timestamp), &s)
                    });
                if ok {
                    verified.cosigned_at.push((sig.name.clone(), timestamp));
                }
                ok
            }
        };
        if !ok {
            return Err(NoteError::InvalidSignature(sig.name.clone()));
        }
        verified.signers.push(sig.name.clone());
    }
    if verified.signers.is_empty() {
        let names: Vec<String> = note
            .signatures
            .iter()
            .map(|s| format!("`{}`", s.name))
            .collect();
        return Err(NoteError::NoTrustedSignature(names.join(", ")));
    }
    Ok(verified)
}

/// Signs `text` (which must end in a newline) with each note-signing key and returns the
/// signed note. Cosigner keys sign with `timestamp` (seconds since the epoch).
pub fn sign_note(text: &str, signers: &[&SignerKey], timestamp: u64) -> Result<String, NoteError> {
    if !text.ends_with('\n') {
        return Err(NoteError::Malformed);
    }
    let mut out = String::with_capacity(text.len() + 128 * signers.len());
    out.push_str(text);
    out.push('\n');
    for signer in signers {
        let mut bytes = signer.key_id().to_be_bytes().to_vec();
        if signer.kind == TYPE_COSIGNATURE {
            bytes.extend_from_slice(&timestamp.to_be_bytes());
            bytes.extend_from_slice(&signer.sign_bytes(&cosigned_message(text, timestamp)));
        } else {
            bytes.extend_from_slice(&signer.sign_bytes(text.as_bytes()));
        }
        out.push_str(&format!("\u{2014} {} {}\n", signer.name, B64.encode(bytes)));
    }
    // What we produce must be what we accept.
    parse_note(&out)?;
    Ok(out)
}

/// Adds signatures (e.g. a witness cosignature) to an already signed note.
pub fn add_signatures(
    note: &str,
    signers: &[&SignerKey],
    timestamp: u64,
) -> Result<String, NoteError> {
    let parsed = parse_note(note)?;
    let extra = sign_note(&parsed.text, signers, timestamp)?;
    let new_lines = &extra[parsed.text.len() + 1..];
    Ok(format!("{note}{new_lines}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    // The example of Go's golang.org/x/mod/sumdb/note documentation.
    const VKEY: &str = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
    const SKEY: &str =
        "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
    const TEXT: &str = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
    const SIG: &str = "\u{2014} PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";

    #[test]
    fn go_reference_example_round_trips_byte_for_byte() {
        let signer = SignerKey::parse(SKEY).unwrap();
        assert_eq!(signer.verifier().to_string(), VKEY);
        assert_eq!(signer.to_private_string(), SKEY);
        assert_eq!(format!("{:08x}", signer.key_id()), "c74f20a3");
        let note = sign_note(TEXT, &[&signer], 0).unwrap();
        assert_eq!(note, format!("{TEXT}\n{SIG}"));
        let verified = open_note(&note, &[VerifierKey::parse(VKEY).unwrap()]).unwrap();
        assert_eq!(verified.text, TEXT);
        assert_eq!(verified.signers, vec!["PeterNeumann".to_owned()]);
        assert!(format!("{signer:?}").contains(VKEY) && !format!("{signer:?}").contains("PRIVATE"));
    }

    #[test]
    fn mangled_keys_are_refused() {
        assert!(VerifierKey::parse(VKEY).is_ok());
        for bad in [
            "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
            "PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
            "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10T",
            "+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
            "PeterNeumann+c74f20a3",
            "PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        ] {
            assert!(VerifierKey::parse(bad).is_err(), "{bad}");
        }
        assert!(SignerKey::parse(&SKEY.replace("c74f", "d74f")).is_err());
        let err = SignerKey::parse("PRIVATE+KEY+x").unwrap_err().to_string();
        assert!(!err.contains("PRIVATE+KEY+x"), "{err}");
    }

    #[test]
    fn weak_keys_are_refused() {
        // The identity point (y = 1) has order 1.
        let mut identity = [0u8; 32];
        identity[0] = 1;
        assert!(matches!(
            VerifierKey::new("weak", TYPE_ED25519, &identity),
            Err(KeyError::WeakKey(_))
        ));
    }

    #[test]
    fn unknown_signers_are_ignored_and_known_failures_reject() {
        let peter = SignerKey::parse(SKEY).unwrap();
        let other = SignerKey::from_seed("other.example", [7; 32]).unwrap();
        let note = sign_note(TEXT, &[&other, &peter], 0).unwrap();
        let v = open_note(&note, &[peter.verifier()]).unwrap();
        assert_eq!(v.signers, vec!["PeterNeumann"]);
        assert_eq!(v.unknown, vec!["other.example"]);
        // Both known: both listed.
        let v = open_note(&note, &[peter.verifier(), other.verifier()]).unwrap();
        assert_eq!(v.signers, vec!["other.example", "PeterNeumann"]);
        // Nobody known.
        assert!(matches!(
            open_note(
                &note,
                &[SignerKey::from_seed("x", [1; 32]).unwrap().verifier()]
            ),
            Err(NoteError::NoTrustedSignature(_))
        ));
        // Altered text.
        let altered = note.replacen("cryptography", "cryptographY", 1);
        assert_eq!(
            open_note(&altered, &[peter.verifier()]),
            Err(NoteError::InvalidSignature("PeterNeumann".into()))
        );
        // Same key twice.
        let twice = format!("{note}{SIG}");
        assert!(matches!(
            open_note(&twice, &[peter.verifier()]),
            Err(NoteError::DuplicateSignature(_))
        ));
    }

    #[test]
    fn malformed_notes_are_refused() {
        for bad in [
            "",
            "no blank line\n\u{2014} a AAAAAAA=\n",
            "text\n\n",
            "text\n\n\u{2014} a AAAAAAA=",
            "text\n\n- a AAAAAAAA\n",
            "text\n\n\u{2014} a AAAA\n",
            "text\n\n\u{2014} a+b AAAAAAAA\n",
            "te\rxt\n\n\u{2014} a AAAAAAAA\n",
        ] {
            assert!(parse_note(bad).is_err(), "{bad:?}");
        }
        let many = format!("t\n\n{}", "\u{2014} a AAAAAAAA\n".repeat(101));
        assert_eq!(parse_note(&many), Err(NoteError::TooManySignatures(101)));
    }

    #[test]
    fn cosignatures_verify_with_their_timestamp() {
        let log = SignerKey::from_seed("example.com/log", [3; 32]).unwrap();
        let witness =
            SignerKey::from_seed_of_type("witness.example/w1", TYPE_COSIGNATURE, [4; 32]).unwrap();
        let text = "example.com/log\n5\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n";
        let note = sign_note(text, &[&log], 0).unwrap();
        let cosigned = add_signatures(&note, &[&witness], 1_679_315_147).unwrap();
        let v = open_note(&cosigned, &[log.verifier(), witness.verifier()]).unwrap();
        assert_eq!(v.signers, vec!["example.com/log", "witness.example/w1"]);
        assert_eq!(
            v.cosigned_at,
            vec![("witness.example/w1".to_owned(), 1_679_315_147)]
        );
        // A cosignature key is not a note key: same name and seed, other type, other id.
        let vk = witness.verifier().to_string();
        assert!(VerifierKey::parse(&vk).unwrap().kind() == TYPE_COSIGNATURE);
        // Tampering with the timestamp breaks it.
        let parsed = parse_note(&cosigned).unwrap();
        let mut sig = parsed.signatures[1].clone();
        sig.signature[7] ^= 1;
        let mut bytes = sig.key_id.to_be_bytes().to_vec();
        bytes.extend_from_slice(&sig.signature);
        let forged = format!("{note}\u{2014} witness.example/w1 {}\n", B64.encode(bytes));
        assert!(matches!(
            open_note(&forged, &[log.verifier(), witness.verifier()]),
            Err(NoteError::InvalidSignature(_))
        ));
    }
}
