//! The files of a report bundle, by name, and the formats of the ones that are not
//! documents of their own: the manifest, the log prefix (`log.bin`), the inclusion proofs
//! and the consistency proof. The reference is `docs/report-format.md`.
//!
//! INVARIANT: every parser here refuses what its writer would not write (unknown fields,
//! hashes that are not canonical base64, trailing bytes), so that one bundle has one
//! encoding and a verifier can compare derived files byte for byte.

use std::collections::BTreeMap;

use accord_ledger::checkpoint::{encode_hash, parse_hash};
use accord_ledger::merkle::Hash;
use serde::{Deserialize, Serialize};

/// The format name written in every manifest.
pub const FORMAT: &str = "accord/report-bundle/v1";

/// The largest leaf `log.bin` may hold (an entry, its signatures and its record time).
const MAX_LEAF_BYTES: usize = accord_ledger::entry::MAX_ENTRY_BYTES + 64;

/// A part of a bundle: a file, or (for cosignatures and the engine) a check on one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Part {
    /// `manifest.json`.
    Manifest,
    /// `agreement/vN.toml`.
    Agreement(u32),
    /// `checkpoint.txt`: the log's signature.
    Checkpoint,
    /// `checkpoint.txt`: the witnesses' cosignatures under `policy.txt`.
    Cosignatures,
    /// `policy.txt`.
    Policy,
    /// `log.bin`.
    Log,
    /// `inclusion.json`.
    Inclusion,
    /// `consistency.json`.
    Consistency,
    /// `previous/checkpoint.txt`.
    PreviousCheckpoint,
    /// `previous/report.json`.
    PreviousReport,
    /// `state.json`.
    State,
    /// `report.json`.
    Report,
    /// `index.html`.
    Html,
    /// The engine named in the manifest.
    Engine,
    /// `report.json`: its attested part (the operator's evaluation with sealed evidence).
    Attested,
    /// The openings file given to `verify` (never part of the bundle).
    Openings,
}

impl Part {
    /// The file the part is (or is checked in).
    pub fn file(self) -> String {
        match self {
            Part::Manifest | Part::Engine => "manifest.json".into(),
            Part::Agreement(version) => format!("agreement/v{version}.toml"),
            Part::Checkpoint | Part::Cosignatures => "checkpoint.txt".into(),
            Part::Policy => "policy.txt".into(),
            Part::Log => "log.bin".into(),
            Part::Inclusion => "inclusion.json".into(),
            Part::Consistency => "consistency.json".into(),
            Part::PreviousCheckpoint => "previous/checkpoint.txt".into(),
            Part::PreviousReport => "previous/report.json".into(),
            Part::State => "state.json".into(),
            Part::Report | Part::Attested => "report.json".into(),
            Part::Openings => "openings".into(),
            Part::Html => "index.html".into(),
        }
    }
}

impl std::fmt::Display for Part {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Part::Cosignatures => f.write_str("checkpoint.txt (cosignatures)"),
            Part::Engine => f.write_str("manifest.json (engine)"),
            Part::Attested => f.write_str("report.json (attested state)"),
            Part::Openings => f.write_str("the openings file"),
            other => f.write_str(&other.file()),
        }
    }
}

/// The files of a bundle: relative path → bytes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Bundle {
    /// The files, by relative path (`/`-separated).
    pub files: BTreeMap<String, Vec<u8>>,
}

impl Bundle {
    /// A file's bytes, if present.
    pub fn get(&self, path: &str) -> Option<&[u8]> {
        self.files.get(path).map(Vec::as_slice)
    }

    /// Adds a file.
    pub fn put(&mut self, path: impl Into<String>, bytes: impl Into<Vec<u8>>) {
        self.files.insert(path.into(), bytes.into());
    }

    /// A part's bytes, or a problem naming it as missing.
    pub fn part(&self, part: Part) -> Result<&[u8], crate::Problem> {
        self.get(&part.file())
            .ok_or_else(|| crate::Problem::new(part, "missing from the bundle"))
    }

    /// A part's text, or a problem naming it as missing or not UTF-8.
    pub fn text(&self, part: Part) -> Result<&str, crate::Problem> {
        std::str::from_utf8(self.part(part)?).map_err(|_| crate::Problem::new(part, "not UTF-8"))
    }
}

/// One agreement version's text in the bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VersionFile {
    /// The version's number.
    pub version: u32,
    /// Its file, `agreement/vN.toml`.
    pub file: String,
    /// SHA-256 of the text, lowercase hex (what parties sign for an amendment).
    pub sha256: String,
}

/// `manifest.json`: what the bundle is, what it was made from, and by which engine.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// [`FORMAT`].
    pub format: String,
    /// The engine that computed the state ([`crate::ENGINE`]).
    pub engine: String,
    /// The agreement's identifier.
    pub agreement: String,
    /// The instant the report is as of: the engine reads no entry recorded after it.
    pub as_of: jiff::Timestamp,
    /// The log's origin.
    pub origin: String,
    /// The log's checkpoint key, `name+hex8+base64`.
    pub log_key: String,
    /// The agreement versions, in order.
    pub versions: Vec<VersionFile>,
    /// The number of entries in `log.bin`: the checkpoint's size.
    pub entries: u64,
    /// Whether `policy.txt` is present (the checkpoint must then be witnessed).
    pub witness_policy: bool,
    /// Whether the bundle holds a previous report (`previous/…`, `consistency.json`).
    pub previous: bool,
}

/// Lowercase hex SHA-256.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest as _;
    accord_ledger::checkpoint::encode_hex(&sha2::Sha256::digest(bytes))
}

/// `log.bin`: each leaf as a 4-byte big-endian length and its bytes, in index order.
pub fn encode_log<'a>(leaves: impl IntoIterator<Item = &'a [u8]>) -> Vec<u8> {
    let mut out = Vec::new();
    for leaf in leaves {
        out.extend_from_slice(&(leaf.len() as u32).to_be_bytes());
        out.extend_from_slice(leaf);
    }
    out
}

/// Reads `log.bin` back into its leaves; a problem names the leaf that is cut short or
/// too large.
pub fn decode_log(bytes: &[u8]) -> Result<Vec<&[u8]>, String> {
    let mut leaves = Vec::new();
    let mut rest = bytes;
    while !rest.is_empty() {
        let index = leaves.len();
        let (len, after) = rest
            .split_first_chunk::<4>()
            .ok_or_else(|| format!("leaf #{index}: its length is cut short"))?;
        let len = u32::from_be_bytes(*len) as usize;
        if len > MAX_LEAF_BYTES {
            return Err(format!(
                "leaf #{index}: {len} bytes, more than the {MAX_LEAF_BYTES} a leaf may have"
            ));
        }
        let (leaf, after) = after
            .split_at_checked(len)
            .ok_or_else(|| format!("leaf #{index}: cut short"))?;
        leaves.push(leaf);
        rest = after;
    }
    Ok(leaves)
}

/// A hash written in canonical standard base64.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct B64(pub Hash);

impl Serialize for B64 {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&encode_hash(&self.0))
    }
}

impl<'de> Deserialize<'de> for B64 {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        parse_hash(&text)
            .map(B64)
            .map_err(|e| serde::de::Error::custom(format!("`{text}`: {e}")))
    }
}

/// One cited entry's inclusion proof.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InclusionProof {
    /// The entry's index.
    pub index: u64,
    /// Its leaf hash.
    pub leaf: B64,
    /// The RFC 9162 inclusion proof in the checkpoint's tree.
    pub proof: Vec<B64>,
}

/// `inclusion.json`: the inclusion proof of every entry the report cites, in the tree of
/// the checkpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Inclusions {
    /// The checkpoint's size.
    pub size: u64,
    /// The checkpoint's root.
    pub root: B64,
    /// One per cited entry, by index.
    pub proofs: Vec<InclusionProof>,
}

/// `consistency.json`: the proof that the checkpoint's tree extends the previous report's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsistencyProof {
    /// The previous checkpoint's size.
    pub old_size: u64,
    /// Its root.
    pub old_root: B64,
    /// This checkpoint's size.
    pub new_size: u64,
    /// Its root.
    pub new_root: B64,
    /// The RFC 9162 consistency proof.
    pub proof: Vec<B64>,
}

/// A value as the bundle writes JSON: pretty, with a final newline.
pub fn json(value: &impl Serialize) -> Vec<u8> {
    // INVARIANT: the bundle's documents have string keys and infallible `Serialize`s.
    let mut out = serde_json::to_vec_pretty(value).unwrap_or_default();
    out.push(b'\n');
    out
}
