//! The evidence ledger's use cases: a log created for an agreement, signed statements
//! appended (one, or a stream of pre-signed entries), checkpoints signed, proofs given,
//! and the whole log audited.
//!
//! Rosters — who may sign what for a log — come from one place: the agreement itself
//! ([`roster_from_agreement`]: every party and monitor with the keys the agreement
//! declares) or a roster file ([`read_roster`]).

use std::collections::BTreeMap;
use std::sync::mpsc;

use accord_core::agreement::{Agreement, PartyRole};
use accord_core::id::ParticipantId;
use accord_core::statement::Statement;
use accord_ledger::checkpoint::{self, decode_hex};
use accord_ledger::entry::{self, Body, Entry, SignedEntry};
use accord_ledger::merkle::Hash;
use accord_ledger::note::{SignerKey, VerifierKey};
use accord_ledger::roster::{Member, RegisteredKey, Role, Roster};
use accord_store::Store;
use accord_store::ledger::{AppendError, AuditReport, LogInfo, Receipt, Submission};
use base64::Engine as _;

use crate::agreements::{self, AgreementText};
use crate::error::{Error, Result};

/// The roster a log for this agreement starts with: every party and monitor, with its
/// role, standing to invoke or halt triggers, and the given keys (valid from
/// `valid_from`). `accord play` generates the keys.
pub fn roster_for(
    agreement: &Agreement,
    keys: &BTreeMap<ParticipantId, String>,
    valid_from: jiff::Timestamp,
) -> Roster {
    roster_with(agreement, |id| {
        keys.get(id)
            .map(|public_key| RegisteredKey {
                public_key: public_key.clone(),
                valid_from,
                valid_until: None,
                ended_because: None,
            })
            .into_iter()
            .collect()
    })
}

/// The roster an agreement declares: every party and monitor with the keys the agreement
/// names for it (C2SP verifier keys or base64 Ed25519 keys) and their validity. A key
/// without `valid_from` is valid from the start of time.
pub fn roster_from_agreement(agreement: &Agreement) -> Result<Roster> {
    let mut declared: BTreeMap<ParticipantId, Vec<RegisteredKey>> = BTreeMap::new();
    let parties = agreement.parties.iter().map(|p| (&p.id, &p.keys));
    let monitors = agreement.monitors.iter().map(|m| (&m.id, &m.keys));
    for (id, keys) in parties.chain(monitors) {
        let mut registered = Vec::with_capacity(keys.len());
        for key in keys {
            registered.push(RegisteredKey {
                public_key: ed25519_base64(&key.key).map_err(|message| Error::AgreementKey {
                    participant: id.to_string(),
                    message,
                })?,
                valid_from: key.valid_from.unwrap_or(jiff::Timestamp::MIN),
                valid_until: key.valid_until,
                ended_because: None,
            });
        }
        declared.insert(id.clone(), registered);
    }
    let roster = roster_with(agreement, |id| {
        declared.get(id).cloned().unwrap_or_default()
    });
    roster.validate()?;
    Ok(roster)
}

/// A declared key as the roster holds it: 32 bytes in base64. A C2SP verifier key
/// (`name+hex8+base64`) carries a type byte (0x01, Ed25519) before the 32 bytes.
fn ed25519_base64(text: &str) -> std::result::Result<String, String> {
    let b64 = base64::engine::general_purpose::STANDARD;
    if b64.decode(text).is_ok_and(|bytes| bytes.len() == 32) {
        return Ok(text.to_owned());
    }
    let key = VerifierKey::parse(text).map_err(|e| e.to_string())?;
    if key.kind() != accord_ledger::note::TYPE_ED25519 {
        return Err(format!("`{text}` is not an Ed25519 verifier key"));
    }
    Ok(b64.encode(key.public_key()))
}

fn roster_with(
    agreement: &Agreement,
    keys: impl Fn(&ParticipantId) -> Vec<RegisteredKey>,
) -> Roster {
    // Standing for trigger steps: who may invoke a trigger, and who may halt one.
    let standing: Vec<&ParticipantId> = agreement
        .triggers
        .iter()
        .flat_map(|t| t.standing.iter().chain(&t.halted_by))
        .collect();
    let mut participants = BTreeMap::new();
    for party in &agreement.parties {
        let role = match party.role {
            PartyRole::Authority => Role::Authority,
            PartyRole::Target => Role::Target,
            PartyRole::Guarantor => Role::Guarantor,
            PartyRole::Observer => Role::Observer,
        };
        participants.insert(
            party.id.clone(),
            Member {
                role,
                standing: standing.contains(&&party.id),
                keys: keys(&party.id),
            },
        );
    }
    for monitor in &agreement.monitors {
        participants.insert(
            monitor.id.clone(),
            Member {
                role: Role::Monitor,
                standing: false,
                keys: keys(&monitor.id),
            },
        );
    }
    Roster {
        agreement: agreement.id.clone(),
        participants,
    }
}

/// Where a log's participants come from.
#[derive(Debug, Clone)]
pub enum RosterSource {
    /// The agreement itself: checked, its declared keys, and its text registered.
    Agreement(Box<agreements::Version>),
    /// A roster file's roster.
    Roster(Roster),
}

impl RosterSource {
    /// The roster.
    pub fn roster(&self) -> Result<Roster> {
        match self {
            RosterSource::Agreement(v) => roster_from_agreement(&v.agreement),
            RosterSource::Roster(r) => Ok(r.clone()),
        }
    }
}

/// Reads the participants of a log: an agreement (TOML with an `[agreement]` table,
/// checked first) or a roster (JSON, or TOML when the name ends in `.toml`). This is the
/// one place that decides where a log's participants come from.
pub fn read_roster(name: &str, bytes: Vec<u8>) -> Result<RosterSource> {
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let is_toml = name.ends_with(".toml");
    if is_toml && text.lines().any(|l| l.trim() == "[agreement]") {
        let text = AgreementText {
            name: name.to_owned(),
            bytes,
        };
        let version = agreements::check(&[text])?
            .into_iter()
            .next()
            .ok_or_else(|| Error::NoVersion(name.to_owned()))?;
        roster_from_agreement(&version.agreement)?;
        return Ok(RosterSource::Agreement(Box::new(version)));
    }
    let roster: Roster = if is_toml {
        toml::from_str(&text).map_err(|e| e.to_string())
    } else {
        serde_json::from_str(&text).map_err(|e| e.to_string())
    }
    .map_err(|message| Error::Roster {
        name: name.to_owned(),
        message,
    })?;
    roster.validate().map_err(|e| Error::Roster {
        name: name.to_owned(),
        message: e.to_string(),
    })?;
    Ok(RosterSource::Roster(roster))
}

/// A log's key must be named by the log's origin (it signs the log's checkpoints), and the
/// origin must be one every entry of the log can carry (1 to
/// [`accord_ledger::entry::MAX_ORIGIN_BYTES`] bytes, as an entry's form requires; the key
/// name's own rules keep spaces, `+` and control characters out of it).
pub fn check_log_key(origin: &str, log_key: &VerifierKey) -> Result<()> {
    let max = accord_ledger::entry::MAX_ORIGIN_BYTES;
    if origin.is_empty() || origin.len() > max {
        return Err(Error::Origin {
            origin: origin.to_owned(),
            len: origin.len(),
            max,
        });
    }
    if log_key.name() != origin {
        return Err(Error::LogKeyName {
            key: log_key.name().to_owned(),
            origin: origin.to_owned(),
        });
    }
    Ok(())
}

/// [`read_roster`] of a file.
pub fn read_roster_file(path: &std::path::Path) -> Result<RosterSource> {
    let text = crate::read_text("roster", path)?;
    read_roster(&path.display().to_string(), text.into_bytes())
}

/// Creates a log for one agreement: `origin` names it in checkpoints, `log_key` (which
/// must be named `origin`) will sign them. An agreement's text is registered beside it.
pub fn init(
    store: &Store,
    origin: &str,
    log_key: &VerifierKey,
    participants: &RosterSource,
) -> Result<LogInfo> {
    check_log_key(origin, log_key)?;
    let roster = participants.roster()?;
    if let RosterSource::Agreement(version) = participants {
        agreements::register(store, std::slice::from_ref(version.as_ref()))?;
    }
    Ok(store.init_log(origin, log_key, &roster)?.info().clone())
}

/// The origin of the log named, or of the store's only log.
fn origin_of(store: &Store, origin: Option<&str>) -> Result<String> {
    Ok(match origin {
        Some(o) => o.to_owned(),
        None => store.ledger(None)?.info().origin.clone(),
    })
}

/// A statement given as JSON in a file.
pub fn read_statement(path: &std::path::Path) -> Result<Statement> {
    let text = crate::read_text("statement", path)?;
    serde_json::from_str(&text).map_err(|e| Error::Statement {
        name: path.display().to_string(),
        message: e.to_string(),
    })
}

/// Each signer with the private key read from its key file.
pub fn read_signers(
    signers: &[(ParticipantId, std::path::PathBuf)],
) -> Result<Vec<(ParticipantId, SignerKey)>> {
    signers
        .iter()
        .map(|(who, file)| Ok((who.clone(), crate::keys::read_private(file)?)))
        .collect()
}

/// Signs a statement as its authors and appends it; with `confidential`, only a salted
/// commitment goes into the log and the content is stored apart. Returns the receipt (once
/// the entry is durable) and the entry's id.
pub fn append(
    store: &Store,
    origin: Option<&str>,
    statement: Statement,
    authors: &[(ParticipantId, SignerKey)],
    confidential: bool,
) -> Result<(Receipt, Hash)> {
    if authors.is_empty() {
        return Err(Error::Unsigned);
    }
    let origin = origin_of(store, origin)?;
    let info = store.ledger(Some(&origin))?.info().clone();
    let (body, sealed) = if confidential {
        let salt = crate::keys::random_32()?;
        let (body, content) = entry::seal(&statement, &salt);
        (body, Some((salt, content)))
    } else {
        (Body::Open(statement), None)
    };
    let refs: Vec<(&ParticipantId, &SignerKey)> = authors.iter().map(|(p, k)| (p, k)).collect();
    let signed = Entry {
        origin: info.origin.clone(),
        agreement: info.roster.agreement.clone(),
        body,
    }
    .sign(&refs);
    let id = signed.id();
    let receipt = store.writer(&origin)?.append(Submission {
        entry: signed,
        sealed,
    })?;
    Ok((receipt, id))
}

/// Bytes written as a pre-signed entry's line is: hex when the text reads as hex, else
/// standard base64 (with its padding).
pub fn decode_bytes(text: &str) -> Option<Vec<u8>> {
    decode_hex(text).or_else(|| base64::engine::general_purpose::STANDARD.decode(text).ok())
}

/// Reads one pre-signed entry from a line: its encoding in hex or base64.
pub fn parse_entry_line(line: &str) -> std::result::Result<SignedEntry, String> {
    let bytes = decode_bytes(line).ok_or_else(|| "neither hex nor base64".to_owned())?;
    SignedEntry::decode(&bytes).map_err(|e| e.to_string())
}

/// What happened to one line of a stream of entries, in the order of the lines.
#[derive(Debug, Clone)]
pub enum Streamed {
    /// The entry is durable (or was already logged).
    Appended {
        /// The receipt.
        receipt: Receipt,
        /// The entry's id.
        id: Hash,
    },
    /// The line is not an entry.
    Malformed {
        /// 1-based line.
        line: usize,
        /// Why.
        message: String,
    },
    /// The ledger refused the entry; nothing was written for it.
    Refused {
        /// 1-based line.
        line: usize,
        /// Why.
        error: AppendError,
    },
    /// A checkpoint was signed after this many acknowledged entries.
    Checkpoint {
        /// Its size.
        size: u64,
        /// Its root.
        root: Hash,
    },
}

/// A checkpoint every `every` acknowledged entries, signed with the log's `key`.
#[derive(Debug, Clone)]
pub struct CheckpointEvery {
    /// How many entries between checkpoints.
    pub every: u64,
    /// The log's private key.
    pub key: SignerKey,
}

impl CheckpointEvery {
    /// A checkpoint every `every` entries with the log key in `key_file`, when both are given.
    pub fn read(every: Option<u64>, key_file: Option<&std::path::Path>) -> Result<Option<Self>> {
        match (every, key_file) {
            (Some(every), Some(file)) => Ok(Some(CheckpointEvery {
                every,
                key: crate::keys::read_private(file)?,
            })),
            _ => Ok(None),
        }
    }
}

enum Pending {
    Receipt(
        usize,
        Hash,
        mpsc::Receiver<std::result::Result<Receipt, AppendError>>,
    ),
    Malformed(usize, String),
}

/// Appends pre-signed entries, one per line (hex or base64), submitting each as soon as it
/// is read so that the writer sees many entries per batch. `report` is told what happened
/// to each line, in line order, from another thread. Returns how many lines were refused
/// or malformed.
pub fn append_stream(
    store: &Store,
    origin: Option<&str>,
    lines: impl Iterator<Item = std::io::Result<String>>,
    checkpoints: Option<CheckpointEvery>,
    report: &mut (dyn FnMut(Streamed) + Send),
) -> Result<usize> {
    let origin = origin_of(store, origin)?;
    let mut signer = store.ledger(Some(&origin))?;
    let writer = store.writer(&origin)?;
    let (tx, rx) = mpsc::channel::<Pending>();
    std::thread::scope(|scope| {
        let reporter = scope.spawn(move || -> Result<usize> {
            let mut refused = 0usize;
            let mut acked = 0u64;
            for pending in rx {
                let (line, id, receipt) = match pending {
                    Pending::Malformed(line, message) => {
                        report(Streamed::Malformed { line, message });
                        refused += 1;
                        continue;
                    }
                    Pending::Receipt(line, id, receipt) => (line, id, receipt),
                };
                match receipt.recv().unwrap_or(Err(AppendError::Stopped)) {
                    Ok(receipt) => {
                        report(Streamed::Appended { receipt, id });
                        acked += 1;
                        if let Some(cp) = &checkpoints
                            && cp.every > 0
                            && acked.is_multiple_of(cp.every)
                        {
                            let note = signer.checkpoint(&cp.key)?;
                            let signed =
                                checkpoint::open_checkpoint(&note, &cp.key.verifier(), &[])
                                    .map_err(|e| Error::Key {
                                        context: "the checkpoint just signed".into(),
                                        message: e.to_string(),
                                    })?
                                    .checkpoint;
                            report(Streamed::Checkpoint {
                                size: signed.size,
                                root: signed.root,
                            });
                        }
                    }
                    Err(AppendError::Stopped) => return Err(AppendError::Stopped.into()),
                    // The store itself failed (a full disk, a lost connection) or the clock
                    // is wrong: every entry after would fail the same way, so the stream
                    // stops here, once.
                    Err(error @ (AppendError::Store(_) | AppendError::ClockBehind { .. })) => {
                        return Err(Error::StreamStopped {
                            line,
                            appended: acked,
                            source: error,
                        });
                    }
                    Err(error) => {
                        report(Streamed::Refused { line, error });
                        refused += 1;
                    }
                }
            }
            Ok(refused)
        });
        for (n, line) in lines.enumerate() {
            let line = line.map_err(|source| Error::Read {
                what: "entries",
                name: "the input".into(),
                source,
            })?;
            let line = line.trim();
            if line.is_empty() {
                continue;
            }
            let pending = match parse_entry_line(line) {
                Ok(entry) => {
                    let id = entry.id();
                    Pending::Receipt(
                        n + 1,
                        id,
                        writer.submit(Submission {
                            entry,
                            sealed: None,
                        }),
                    )
                }
                Err(message) => Pending::Malformed(n + 1, message),
            };
            if tx.send(pending).is_err() {
                break;
            }
        }
        drop(tx);
        reporter
            .join()
            .unwrap_or(Err(Error::Append(AppendError::Stopped)))
    })
}

/// Signs a checkpoint of the log's current size with the log's key, stores and returns it.
pub fn checkpoint(store: &Store, origin: Option<&str>, key: &SignerKey) -> Result<String> {
    Ok(store.ledger(origin)?.checkpoint(key)?)
}

/// An inclusion proof, with everything `tlog verify-inclusion` needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inclusion {
    /// The entry's index.
    pub index: u64,
    /// The tree size proved against.
    pub size: u64,
    /// The entry's leaf hash.
    pub leaf_hash: Hash,
    /// The root at `size`.
    pub root: Hash,
    /// The proof.
    pub proof: Vec<Hash>,
}

/// The inclusion proof of `index` in the tree of `size` (default: the log's size).
pub fn inclusion(
    store: &Store,
    origin: Option<&str>,
    index: u64,
    size: Option<u64>,
) -> Result<Inclusion> {
    let mut ledger = store.ledger(origin)?;
    let size = size.unwrap_or(ledger.info().size);
    let proof = ledger.inclusion_proof(index, size)?;
    let (_, leaf_hash) = ledger.entry(index)?;
    let root = ledger.root_at(size)?;
    Ok(Inclusion {
        index,
        size,
        leaf_hash,
        root,
        proof,
    })
}

/// A C2SP `tlog-proof` of `index` under the latest checkpoint that covers it.
pub fn tlog_proof(store: &Store, origin: Option<&str>, index: u64) -> Result<String> {
    Ok(store.ledger(origin)?.tlog_proof(index)?.encode())
}

/// A consistency proof between two sizes, with both roots.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Consistency {
    /// The old size.
    pub old_size: u64,
    /// The new size.
    pub new_size: u64,
    /// The root at the old size.
    pub old_root: Hash,
    /// The root at the new size.
    pub new_root: Hash,
    /// The proof.
    pub proof: Vec<Hash>,
}

/// The consistency proof from `old_size` to `new_size` (default: the log's size).
pub fn consistency(
    store: &Store,
    origin: Option<&str>,
    old_size: u64,
    new_size: Option<u64>,
) -> Result<Consistency> {
    let mut ledger = store.ledger(origin)?;
    let new_size = new_size.unwrap_or(ledger.info().size);
    let proof = ledger.consistency_proof(old_size, new_size)?;
    Ok(Consistency {
        old_size,
        new_size,
        old_root: ledger.root_at(old_size)?,
        new_root: ledger.root_at(new_size)?,
        proof,
    })
}

/// Recomputes the whole tree from the leaves, re-verifies every entry and checkpoint, and
/// reports every discrepancy with the index involved.
pub fn audit(store: &Store, origin: Option<&str>) -> Result<AuditReport> {
    audit_against(store, origin, &[])
}

/// [`audit`], and the log checked against signed checkpoints held outside the store (the
/// texts of C2SP signed notes, see [`read_checkpoint`]): this finds entries deleted
/// together with the checkpoints covering them, and checkpoint rows deleted or rewritten,
/// which a store altered consistently cannot show by itself.
pub fn audit_against(
    store: &Store,
    origin: Option<&str>,
    outside: &[String],
) -> Result<AuditReport> {
    Ok(store.ledger(origin)?.audit_against(outside)?)
}

/// The most bytes a checkpoint held elsewhere may have (a checkpoint is a few hundred
/// bytes; cosignatures add a line each).
const MAX_CHECKPOINT_BYTES: u64 = 64 * 1024;

/// A signed checkpoint held outside the store: a file (`-` for standard input), or an
/// `http://` or `https://` address.
pub fn read_checkpoint(source: &str) -> Result<String> {
    if !(source.starts_with("http://") || source.starts_with("https://")) {
        return crate::read_text("checkpoint", std::path::Path::new(source));
    }
    let failed = |message: String| Error::Download {
        url: source.to_owned(),
        message,
    };
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(std::time::Duration::from_secs(60)))
        .build()
        .into();
    let response = agent
        .get(source)
        .call()
        .map_err(|e| failed(e.to_string()))?;
    response
        .into_body()
        .with_config()
        .limit(MAX_CHECKPOINT_BYTES)
        .read_to_string()
        .map_err(|e| failed(e.to_string()))
}
