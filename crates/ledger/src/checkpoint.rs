//! C2SP `tlog-checkpoint` bodies and the `tlog-proof` text format, and how hashes are
//! written on the command line (base64 or 64-character hex).
//!
//! A checkpoint is a signed note whose text is `origin\nsize\nbase64(root)\n` plus optional
//! extension lines. A tlog proof is `c2sp.org/tlog-proof@v1`, an optional `extra` line, an
//! `index` line, the inclusion proof hashes, a blank line and the signed checkpoint.
//!
//! INVARIANT: parsing is exact — no leading zeroes, canonical base64, no trailing data —
//! so that one checkpoint or proof has one text.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;

use crate::merkle::{self, Hash};
use crate::note::{self, NoteError, SignerKey, VerifiedNote, VerifierKey};

/// Why a hash string is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HashError {
    /// Decodes, but not to 32 bytes.
    #[error(
        "`{text}` is {len} bytes long; a SHA-256 hash is 32 bytes (44 base64 or 64 hex characters)"
    )]
    WrongLength {
        /// The input.
        text: String,
        /// Its decoded length.
        len: usize,
    },
    /// Neither base64 nor hex.
    #[error("`{0}` is neither base64 nor hex")]
    NotEncoded(String),
}

/// Parses a hash written in base64 (standard, padded) or hex.
///
/// ```
/// use accord_ledger::checkpoint::parse_hash;
/// let b64 = parse_hash("47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=").unwrap();
/// let hex = parse_hash("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855").unwrap();
/// assert_eq!(b64, hex);
/// assert!(parse_hash("e3b0c442").is_err());
/// ```
pub fn parse_hash(text: &str) -> Result<Hash, HashError> {
    let text = text.trim();
    let bytes = if text.len().is_multiple_of(2)
        && !text.is_empty()
        && text.bytes().all(|b| b.is_ascii_hexdigit())
    {
        decode_hex(text).ok_or_else(|| HashError::NotEncoded(text.to_owned()))?
    } else {
        B64.decode(text)
            .map_err(|_| HashError::NotEncoded(text.to_owned()))?
    };
    <Hash>::try_from(bytes.as_slice()).map_err(|_| HashError::WrongLength {
        text: text.to_owned(),
        len: bytes.len(),
    })
}

/// Decodes hex (either case); `None` if odd length or not hex. Only the digits `0-9`,
/// `a-f` and `A-F` are hex: a sign (`"+f"`, which `u8::from_str_radix` would read as 15)
/// or a space is not, so one text has one reading.
pub fn decode_hex(text: &str) -> Option<Vec<u8>> {
    let text = text.as_bytes();
    if !text.len().is_multiple_of(2) {
        return None;
    }
    // Into a vector of the final size, each digit from a table, and the digits' marks
    // checked once for each 64 of them rather than at each (no branch in the inner loop:
    // testing each pair, and pushing each byte, was most of this function's time on a
    // server reading batches of entries); a text that is not hex (base64, say) is still
    // given up within its first 64 characters.
    let mut out = vec![0u8; text.len() / 2];
    for (bytes, digits) in out.chunks_mut(32).zip(text.chunks(64)) {
        let mut marks = 0;
        for (byte, pair) in bytes.iter_mut().zip(digits.chunks_exact(2)) {
            if let [high, low] = pair {
                let (high, low) = (
                    HEX_VALUES[usize::from(*high)],
                    HEX_VALUES[usize::from(*low)],
                );
                marks |= high | low;
                *byte = high << 4 | low;
            }
        }
        if marks & NOT_HEX != 0 {
            return None;
        }
    }
    Some(out)
}

/// Marks a character that is not a hex digit in [`HEX_VALUES`] (no digit's value has this
/// bit, so `high | low` has it when either has).
const NOT_HEX: u8 = 0x10;

/// The value of each byte as a hex digit ([`hex_digit`]), else [`NOT_HEX`].
const HEX_VALUES: [u8; 256] = {
    let mut table = [NOT_HEX; 256];
    let mut c = 0;
    while c < 256 {
        if let Some(value) = hex_digit(c as u8) {
            table[c] = value;
        }
        c += 1;
    }
    table
};

/// The value of one hex digit (either case).
const fn hex_digit(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// Lowercase hex, written from a table into one string (not formatted byte by byte).
pub fn encode_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    out
}

/// Standard base64 of a hash.
pub fn encode_hash(hash: &Hash) -> String {
    B64.encode(hash)
}

/// A tree head: the body of a checkpoint note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    /// The log's identity, e.g. `accord.example/agreement-1`.
    pub origin: String,
    /// The number of leaves.
    pub size: u64,
    /// The root hash at that size.
    pub root: Hash,
    /// Opaque extension lines (not recommended; kept verbatim).
    pub extensions: Vec<String>,
}

/// Why a checkpoint or proof text is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckpointError {
    /// The note itself is refused.
    #[error(transparent)]
    Note(#[from] NoteError),
    /// The body does not have origin, size and root lines.
    #[error("checkpoint body is malformed: {0}")]
    Body(String),
    /// The origin is not the one expected.
    #[error("checkpoint is for log `{found}`, not `{expected}`")]
    WrongOrigin {
        /// The origin expected.
        expected: String,
        /// The origin found.
        found: String,
    },
    /// The checkpoint is valid but not signed by the log's own key.
    #[error("checkpoint is not signed by the log key `{0}`")]
    NotSignedByLog(String),
    /// The tlog-proof text is malformed.
    #[error("tlog-proof is malformed: {0}")]
    Proof(String),
    /// The inclusion proof does not verify.
    #[error(transparent)]
    Verify(#[from] merkle::VerifyError),
}

fn is_decimal(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) && (s == "0" || !s.starts_with('0'))
}

fn parse_u64(s: &str) -> Option<u64> {
    if is_decimal(s) { s.parse().ok() } else { None }
}

fn parse_canonical_hash(s: &str) -> Option<Hash> {
    let bytes = B64.decode(s).ok()?;
    let hash = <Hash>::try_from(bytes.as_slice()).ok()?;
    (B64.encode(hash) == s).then_some(hash)
}

impl Checkpoint {
    /// The note text.
    pub fn body(&self) -> String {
        let mut s = format!(
            "{}\n{}\n{}\n",
            self.origin,
            self.size,
            encode_hash(&self.root)
        );
        for line in &self.extensions {
            s.push_str(line);
            s.push('\n');
        }
        s
    }

    /// Parses a note text as a checkpoint body.
    pub fn parse_body(text: &str) -> Result<Self, CheckpointError> {
        let bad = |m: &str| CheckpointError::Body(m.to_owned());
        let body = text
            .strip_suffix('\n')
            .ok_or_else(|| bad("it must end with a newline"))?;
        let mut lines = body.split('\n');
        let origin = lines.next().unwrap_or_default();
        if origin.is_empty() {
            return Err(bad("the origin line is empty"));
        }
        let size = lines.next().and_then(parse_u64).ok_or_else(|| {
            bad("the second line must be the tree size in decimal, without leading zeroes")
        })?;
        let root = lines
            .next()
            .and_then(parse_canonical_hash)
            .ok_or_else(|| bad("the third line must be the base64 root hash (32 bytes)"))?;
        let extensions: Vec<String> = lines.map(str::to_owned).collect();
        if extensions.iter().any(String::is_empty) {
            return Err(bad("extension lines must not be empty"));
        }
        Ok(Self {
            origin: origin.to_owned(),
            size,
            root,
            extensions,
        })
    }

    /// Signs the checkpoint with the log's key (its name should be the origin).
    pub fn sign(&self, log_key: &SignerKey) -> Result<String, CheckpointError> {
        Ok(note::sign_note(&self.body(), &[log_key], 0)?)
    }
}

/// A checkpoint whose signatures were checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedCheckpoint {
    /// The tree head.
    pub checkpoint: Checkpoint,
    /// Who signed it (the log, and witnesses that are known).
    pub note: VerifiedNote,
}

/// Opens a signed checkpoint: the log key must have signed; known witnesses' cosignatures
/// are checked and listed; unknown signatures are ignored.
pub fn open_checkpoint(
    signed: &str,
    log_key: &VerifierKey,
    witnesses: &[VerifierKey],
) -> Result<VerifiedCheckpoint, CheckpointError> {
    let mut known = vec![log_key.clone()];
    known.extend_from_slice(witnesses);
    let note = note::open_note(signed, &known)?;
    if !note.signers.iter().any(|s| s == log_key.name()) {
        return Err(CheckpointError::NotSignedByLog(log_key.name().to_owned()));
    }
    let checkpoint = Checkpoint::parse_body(&note.text)?;
    Ok(VerifiedCheckpoint { checkpoint, note })
}

/// A C2SP `tlog-proof`: an index, its inclusion proof and the checkpoint it leads to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlogProof {
    /// Opaque extra data (not authenticated).
    pub extra: Option<Vec<u8>>,
    /// The entry's index.
    pub index: u64,
    /// The inclusion proof, leaf sibling first.
    pub proof: Vec<Hash>,
    /// The signed checkpoint, verbatim.
    pub checkpoint: String,
}

const PROOF_HEADER: &str = "c2sp.org/tlog-proof@v1";

impl TlogProof {
    /// The proof's text.
    pub fn encode(&self) -> String {
        let mut s = format!("{PROOF_HEADER}\n");
        if let Some(extra) = &self.extra {
            s.push_str(&format!("extra {}\n", B64.encode(extra)));
        }
        s.push_str(&format!("index {}\n", self.index));
        for h in &self.proof {
            s.push_str(&encode_hash(h));
            s.push('\n');
        }
        s.push('\n');
        s.push_str(&self.checkpoint);
        s
    }

    /// Parses a proof's text (the checkpoint note is parsed, not yet verified).
    pub fn parse(text: &str) -> Result<Self, CheckpointError> {
        let bad = |m: &str| CheckpointError::Proof(m.to_owned());
        let rest = text
            .strip_prefix(PROOF_HEADER)
            .and_then(|r| r.strip_prefix('\n'))
            .ok_or_else(|| bad("the first line must be `c2sp.org/tlog-proof@v1`"))?;
        let (mut line, mut rest) = rest.split_once('\n').ok_or_else(|| bad("it ends early"))?;
        let mut extra = None;
        if let Some(e) = line.strip_prefix("extra ") {
            extra = Some(
                B64.decode(e)
                    .map_err(|_| bad("the extra line is not base64"))?,
            );
            (line, rest) = rest.split_once('\n').ok_or_else(|| bad("it ends early"))?;
        }
        let index = line
            .strip_prefix("index ")
            .and_then(parse_u64)
            .ok_or_else(|| bad("expected `index N` with N in decimal, without leading zeroes"))?;
        let mut proof = Vec::new();
        loop {
            let (line, after) = rest
                .split_once('\n')
                .ok_or_else(|| bad("no blank line before the checkpoint"))?;
            rest = after;
            if line.is_empty() {
                break;
            }
            proof.push(
                parse_canonical_hash(line)
                    .ok_or_else(|| bad(&format!("`{line}` is not a base64 SHA-256 hash")))?,
            );
            if proof.len() > 64 {
                return Err(bad("more than 64 proof hashes"));
            }
        }
        // The rest must be exactly one signed note: trailing data fails its parse.
        note::parse_note(rest)?;
        Ok(Self {
            extra,
            index,
            proof,
            checkpoint: rest.to_owned(),
        })
    }

    /// Verifies that `leaf` (a leaf hash) is in the log at the proof's index, under a
    /// checkpoint signed by the log key.
    pub fn verify(
        &self,
        leaf: &Hash,
        log_key: &VerifierKey,
        witnesses: &[VerifierKey],
    ) -> Result<VerifiedCheckpoint, CheckpointError> {
        let checkpoint = open_checkpoint(&self.checkpoint, log_key, witnesses)?;
        merkle::verify_inclusion(
            leaf,
            self.index,
            checkpoint.checkpoint.size,
            &self.proof,
            &checkpoint.checkpoint.root,
        )?;
        Ok(checkpoint)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::merkle::{MemoryTree, inclusion_proof, leaf_hash};

    fn log_key() -> SignerKey {
        SignerKey::from_seed("accord.example/log", [9; 32]).unwrap()
    }

    #[test]
    fn checkpoint_bodies_round_trip_and_refuse_odd_forms() {
        let cp = Checkpoint {
            origin: "example.com/behind-the-sofa".into(),
            size: 20852163,
            root: parse_hash("CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=").unwrap(),
            extensions: vec![],
        };
        let body = cp.body();
        assert_eq!(
            body,
            "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
        );
        assert_eq!(Checkpoint::parse_body(&body).unwrap(), cp);
        for bad in [
            "o\n012\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
            "o\n12\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=",
            "\n12\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
            "o\n12\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2\n",
            "o\n12\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\n",
            "o\n-1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
        ] {
            assert!(Checkpoint::parse_body(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn tlog_proofs_round_trip_and_verify() {
        let leaves: Vec<Hash> = (0..13u8).map(|i| leaf_hash(&[i])).collect();
        let tree = MemoryTree::from_leaves(leaves.clone());
        let cp = Checkpoint {
            origin: "accord.example/log".into(),
            size: 13,
            root: tree.root(),
            extensions: vec![],
        };
        let signed = cp.sign(&log_key()).unwrap();
        let proof = TlogProof {
            extra: Some(b"hello".to_vec()),
            index: 6,
            proof: inclusion_proof(&tree, 6, 13).unwrap(),
            checkpoint: signed.clone(),
        };
        let text = proof.encode();
        assert!(text.starts_with("c2sp.org/tlog-proof@v1\nextra aGVsbG8=\nindex 6\n"));
        let parsed = TlogProof::parse(&text).unwrap();
        assert_eq!(parsed, proof);
        let vk = log_key().verifier();
        let ok = parsed.verify(&leaves[6], &vk, &[]).unwrap();
        assert_eq!(ok.checkpoint, cp);
        assert!(parsed.verify(&leaves[5], &vk, &[]).is_err());
        // Trailing garbage, truncation and a stray hash are all refused.
        assert!(TlogProof::parse(&format!("{text}garbage")).is_err());
        assert!(TlogProof::parse(&text[..text.len() - 3]).is_err());
        let mut short = parsed.clone();
        short.proof.pop();
        assert!(matches!(
            short.verify(&leaves[6], &vk, &[]),
            Err(CheckpointError::Verify(
                merkle::VerifyError::Truncated { .. }
            ))
        ));
        // A checkpoint signed only by someone else is refused.
        let other = SignerKey::from_seed("accord.example/log", [10; 32]).unwrap();
        assert!(open_checkpoint(&cp.sign(&other).unwrap(), &vk, &[]).is_err());
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(300))]

        /// The fuzz targets' properties on mutated valid inputs: no panic; an accepted proof
        /// re-encodes to the same text; a note verifies only if its text is what was signed.
        #[test]
        fn mutated_proofs_and_notes_never_panic(
            at in proptest::prelude::any::<usize>(),
            ch in proptest::prelude::any::<char>(),
            cut in proptest::prelude::any::<usize>(),
        ) {
            let leaves: Vec<Hash> = (0..9u8).map(|i| leaf_hash(&[i])).collect();
            let tree = MemoryTree::from_leaves(leaves.clone());
            let cp = Checkpoint { origin: "o".into(), size: 9, root: tree.root(), extensions: vec![] };
            let signed = cp.sign(&log_key()).unwrap();
            let text = TlogProof { extra: None, index: 4, proof: inclusion_proof(&tree, 4, 9).unwrap(), checkpoint: signed.clone() }.encode();
            let mut chars: Vec<char> = text.chars().collect();
            let len = chars.len();
            chars[at % len] = ch;
            if cut % 4 == 0 {
                chars.truncate(cut % (len + 1));
            }
            let mutated: String = chars.into_iter().collect();
            if let Ok(p) = TlogProof::parse(&mutated) {
                proptest::prop_assert_eq!(p.encode(), mutated.clone());
            }
            let _ = parse_hash(&mutated);
            let note_start = mutated.find("o\n9\n").unwrap_or(0);
            if let Ok(v) = note::open_note(&mutated[note_start..], &[log_key().verifier()]) {
                proptest::prop_assert_eq!(v.text, cp.body());
            }
        }
    }

    #[test]
    fn hex_is_decoded_from_its_digits_only() {
        assert_eq!(decode_hex(""), Some(vec![]));
        assert_eq!(decode_hex("0aFf"), Some(vec![0x0a, 0xff]));
        assert_eq!(decode_hex("deadBEEF"), Some(vec![0xde, 0xad, 0xbe, 0xef]));
        // Odd lengths, non-digits, and what `u8::from_str_radix` would let through: a
        // sign before a digit.
        for text in [
            "0", "abc", "0g", "zz", "+f", "+f+f", "-1", "0 ", " 0", "éé", "0x",
        ] {
            assert_eq!(decode_hex(text), None, "{text}");
        }
        // One non-digit anywhere in a long text (the digits are checked in runs of 64):
        // in the first run, at a run's edge, in the last, shorter run.
        let long = "0123456789abcdef".repeat(9);
        assert_eq!(decode_hex(&long).map(|b| b.len()), Some(72));
        for at in [0, 1, 63, 64, 65, 127, 128, 143] {
            let mut text = long.clone().into_bytes();
            text[at] = b'g';
            let text = String::from_utf8(text).unwrap();
            assert_eq!(decode_hex(&text), None, "non-digit at {at}");
        }
    }

    /// Every pair of ASCII characters reads as `char::to_digit(16)` reads its two.
    #[test]
    fn every_pair_of_characters_is_hex_exactly_when_both_are_digits() {
        for a in 0..128u8 {
            for b in 0..128u8 {
                let text = String::from_utf8(vec![a, b]).unwrap();
                let digit = |c: u8| char::from(c).to_digit(16);
                let expected = digit(a)
                    .zip(digit(b))
                    .map(|(a, b)| vec![(a << 4 | b) as u8]);
                assert_eq!(decode_hex(&text), expected, "{text:?}");
            }
        }
    }

    #[test]
    fn hex_round_trips_every_byte_in_lowercase() {
        let bytes: Vec<u8> = (0..=255).collect();
        let hex = encode_hex(&bytes);
        let formatted: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex, formatted);
        assert_eq!(decode_hex(&hex), Some(bytes.clone()));
        assert_eq!(decode_hex(&hex.to_uppercase()), Some(bytes));
    }

    #[test]
    fn hashes_parse_from_base64_or_hex_only_at_32_bytes() {
        assert!(matches!(
            parse_hash("AQID"),
            Err(HashError::WrongLength { len: 3, .. })
        ));
        assert!(matches!(parse_hash("zz"), Err(HashError::NotEncoded(_))));
        assert!(parse_hash(&"ab".repeat(32)).is_ok());
        assert!(parse_hash(&"ab".repeat(33)).is_err());
    }
}
