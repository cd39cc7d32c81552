//! The derivation shared by [`build`] and [`crate::verify`]: from a report's inputs to
//! every file of its bundle. Each step checks the input it reads and names it when it
//! does not hold, so that a verification can report every broken part.

use accord_core::agreement::Agreement;
use accord_core::engine::state::State;
use accord_core::statement::LoggedStatement;
use accord_ledger::checkpoint::{self, Checkpoint, encode_hash};
use accord_ledger::entry::{Body, LoggedEntry, kind_name};
use accord_ledger::merkle::{self, MemoryTree, StoredNodes as _};
use accord_ledger::note::VerifierKey;
use accord_ledger::witness::policy::WitnessPolicy;

use crate::attested::{self, Attested, Evaluated, Openings};
use crate::bundle::{
    self, B64, Bundle, ConsistencyProof, InclusionProof, Inclusions, Manifest, Part, VersionFile,
};
use crate::document::{self, Context, LogSummary, Report, Sealed};
use crate::{Problem, html};

/// The previous report a new one is compared with.
#[derive(Debug, Clone, Copy)]
pub struct Previous<'a> {
    /// Its signed checkpoint (`previous/checkpoint.txt`).
    pub checkpoint: &'a str,
    /// Its report document (`previous/report.json`).
    pub report: &'a str,
}

/// What a report is made from; everything else in its bundle is derived.
#[derive(Debug, Clone)]
pub struct Inputs<'a> {
    /// The agreement's identifier.
    pub agreement: &'a str,
    /// The instant the report is as of.
    pub as_of: jiff::Timestamp,
    /// The log's checkpoint key (`name+hex8+base64`).
    pub log_key: &'a str,
    /// The agreement versions' texts, in order, with their numbers.
    pub texts: Vec<(u32, &'a str)>,
    /// The signed checkpoint, with its cosignatures.
    pub checkpoint: &'a str,
    /// The witness policy (C2SP tlog-policy text), when one applies.
    pub policy: Option<&'a str>,
    /// The public log prefix, as `log.bin` holds it: exactly the checkpoint's entries.
    pub log: &'a [u8],
    /// The previous report, if any.
    pub previous: Option<Previous<'a>>,
    /// The sealed evidence opened for the attested state, or the attested state as stated.
    pub disclosure: Disclosure<'a>,
}

/// Where a report's attested part comes from.
#[derive(Debug, Clone)]
pub enum Disclosure<'a> {
    /// Computed from these openings: the engine run on the open and the opened entries
    /// (the report's writer, and a verifier holding the openings). No opening: no
    /// attested part.
    Openings(&'a Openings),
    /// Taken as the report states it (a verifier without the openings, who can check only
    /// that the sealed entries it names are in the log with those commitments).
    Stated(Option<Attested>),
}

/// The agreement versions, checked by `accord-spec` as `accord check` checks them.
pub fn versions(agreement: &str, texts: &[(u32, &str)]) -> Result<Vec<Agreement>, Vec<Problem>> {
    let files: Vec<(String, Vec<u8>)> = texts
        .iter()
        .map(|(v, t)| (Part::Agreement(*v).file(), t.as_bytes().to_vec()))
        .collect();
    let mut problems = Vec::new();
    let mut versions = Vec::new();
    for ((number, _), report) in texts.iter().zip(accord_spec::check_files(&files)) {
        let part = Part::Agreement(*number);
        let errors: Vec<String> = report
            .checked
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .map(|d| d.message.clone())
            .collect();
        match report.checked.agreement {
            Some(a) if a.version == *number && a.id.as_str() == agreement => versions.push(a),
            Some(a) => problems.push(Problem::new(
                part,
                format!(
                    "it is version {} of `{}`, not version {number} of `{agreement}`",
                    a.version, a.id
                ),
            )),
            None => problems.push(Problem::new(part, errors.join("; "))),
        }
    }
    if texts.is_empty() {
        problems.push(Problem::new(
            Part::Manifest,
            "no agreement version is listed",
        ));
    }
    if problems.is_empty() {
        Ok(versions)
    } else {
        Err(problems)
    }
}

/// A checkpoint opened: the tree head, and who cosigned it under the policy.
#[derive(Debug, Clone)]
pub struct Opened {
    /// The tree head.
    pub checkpoint: Checkpoint,
    /// The policy's witnesses that cosigned, with their timestamps.
    pub witnessed_by: Vec<(String, u64)>,
}

/// Opens the checkpoint under the log key, and checks its cosignatures against the policy.
pub fn open(inputs: &Inputs<'_>) -> Result<Opened, Problem> {
    let key = VerifierKey::parse(inputs.log_key)
        .map_err(|e| Problem::new(Part::Manifest, format!("the log key: {e}")))?;
    let checkpoint = checkpoint::open_checkpoint(inputs.checkpoint, &key, &[])
        .map_err(|e| Problem::new(Part::Checkpoint, e.to_string()))?
        .checkpoint;
    let Some(policy) = inputs.policy else {
        return Ok(Opened {
            checkpoint,
            witnessed_by: Vec::new(),
        });
    };
    let policy =
        WitnessPolicy::parse(policy).map_err(|e| Problem::new(Part::Policy, e.to_string()))?;
    let witnessed = policy
        .verify(inputs.checkpoint, std::slice::from_ref(&key))
        .map_err(|e| Problem::new(Part::Cosignatures, e.to_string()))?;
    Ok(Opened {
        checkpoint,
        witnessed_by: witnessed.cosigned_by,
    })
}

/// The public log prefix, read: its tree and its entries.
#[derive(Debug, Clone)]
pub struct PublicLog {
    /// The tree of its leaves.
    pub tree: MemoryTree,
    /// Its entries, decoded.
    pub entries: Vec<LoggedEntry>,
}

/// Reads `log.bin`: every leaf decoded and hashed; the tree must be the checkpoint's.
pub fn read_log(log: &[u8], checkpoint: &Checkpoint) -> Result<PublicLog, Problem> {
    let problem = |m: String| Problem::new(Part::Log, m);
    let leaves = bundle::decode_log(log).map_err(problem)?;
    let mut tree = MemoryTree::new();
    let mut entries = Vec::with_capacity(leaves.len());
    for (index, leaf) in (0u64..).zip(&leaves) {
        tree.push(merkle::leaf_hash(leaf));
        let entry =
            LoggedEntry::decode(leaf).map_err(|e| problem(format!("entry #{index}: {e}")))?;
        if entry.signed.entry.origin != checkpoint.origin {
            return Err(problem(format!("entry #{index} belongs to another log")));
        }
        entries.push(entry);
    }
    if tree.size() != checkpoint.size {
        return Err(problem(format!(
            "{} entries, but the checkpoint's size is {}",
            tree.size(),
            checkpoint.size
        )));
    }
    if tree.root() != checkpoint.root {
        return Err(problem(format!(
            "its entries give the root {}, not the checkpoint's {}",
            encode_hash(&tree.root()),
            encode_hash(&checkpoint.root)
        )));
    }
    Ok(PublicLog { tree, entries })
}

/// The statements the engine reads (open entries) and the sealed entries, counted.
pub fn statements(entries: &[LoggedEntry]) -> (Vec<LoggedStatement>, Vec<Sealed>) {
    let mut log = Vec::with_capacity(entries.len());
    let mut sealed = Vec::new();
    for (index, logged) in (0u64..).zip(entries) {
        let entry = &logged.signed.entry;
        match &entry.body {
            Body::Open(statement) => log.push(logged.statement_at(index, statement.clone())),
            Body::Sealed { kind, commitment } => sealed.push(Sealed {
                entry: index,
                kind: kind_name(*kind).into(),
                commitment: checkpoint::encode_hex(commitment),
                recorded_at: logged.recorded_at,
            }),
        }
    }
    (log, sealed)
}

/// The engine's state as the bundle writes it (`state.json`).
pub fn state_json(state: &State) -> Vec<u8> {
    bundle::json(state)
}

/// The previous report and the consistency proof from its checkpoint.
fn previous(
    inputs: &Inputs<'_>,
    previous: Previous<'_>,
    tree: &MemoryTree,
) -> Result<(Report, ConsistencyProof), Problem> {
    let key = VerifierKey::parse(inputs.log_key)
        .map_err(|e| Problem::new(Part::Manifest, format!("the log key: {e}")))?;
    let old = checkpoint::open_checkpoint(previous.checkpoint, &key, &[])
        .map_err(|e| Problem::new(Part::PreviousCheckpoint, e.to_string()))?
        .checkpoint;
    let report: Report = serde_json::from_str(previous.report)
        .map_err(|e| Problem::new(Part::PreviousReport, e.to_string()))?;
    if report.log.size != old.size || report.log.root != encode_hash(&old.root) {
        return Err(Problem::new(
            Part::PreviousReport,
            "it does not rest on the previous checkpoint",
        ));
    }
    if old.size > tree.size() {
        return Err(Problem::new(
            Part::PreviousCheckpoint,
            format!("its size {} is beyond this report's log", old.size),
        ));
    }
    if tree.root_at(old.size) != old.root {
        return Err(Problem::new(
            Part::PreviousCheckpoint,
            "this report's log does not extend it: the two reports show different histories",
        ));
    }
    let proof = merkle::consistency_proof(tree, old.size, tree.size())
        .map_err(|e| Problem::new(Part::PreviousCheckpoint, e.to_string()))?;
    let proof = ConsistencyProof {
        old_size: old.size,
        old_root: B64(old.root),
        new_size: tree.size(),
        new_root: B64(tree.root()),
        proof: proof.into_iter().map(B64).collect(),
    };
    Ok((report, proof))
}

fn leaf_hash(tree: &MemoryTree, index: u64) -> Option<merkle::Hash> {
    let mut out = Vec::with_capacity(1);
    let Ok(()) = tree.stored_range(0, index, 1, &mut out);
    out.first().copied()
}

fn inclusions(tree: &MemoryTree, cited: &[u64]) -> Inclusions {
    let size = tree.size();
    let proofs = cited
        .iter()
        .filter(|i| **i < size)
        .filter_map(|&index| {
            let Ok(proof) = merkle::inclusion_proof(tree, index, size) else {
                return None;
            };
            let leaf = leaf_hash(tree, index)?;
            Some(InclusionProof {
                index,
                leaf: B64(leaf),
                proof: proof.into_iter().map(B64).collect(),
            })
        })
        .collect();
    Inclusions {
        size,
        root: B64(tree.root()),
        proofs,
    }
}

fn manifest(inputs: &Inputs<'_>, origin: &str, entries: u64) -> Manifest {
    Manifest {
        format: bundle::FORMAT.into(),
        engine: crate::ENGINE.into(),
        agreement: inputs.agreement.into(),
        as_of: inputs.as_of,
        origin: origin.into(),
        log_key: inputs.log_key.into(),
        versions: inputs
            .texts
            .iter()
            .map(|(v, t)| VersionFile {
                version: *v,
                file: Part::Agreement(*v).file(),
                sha256: bundle::sha256_hex(t.as_bytes()),
            })
            .collect(),
        entries,
        witness_policy: inputs.policy.is_some(),
        previous: inputs.previous.is_some(),
    }
}

/// Derives every file of the bundle from the inputs (the inputs are copied in too).
/// Fails with every problem found in the inputs, each naming its part (an opening that
/// does not open its entry is one).
pub fn derive(inputs: &Inputs<'_>) -> Result<Bundle, Vec<Problem>> {
    match derive_checked(inputs)? {
        (bundle, problems) if problems.is_empty() => Ok(bundle),
        (_, problems) => Err(problems),
    }
}

/// The attested part, from the disclosure: with openings, each checked against its entry
/// (the problems returned; the openings that fail are left out) and the engine run on
/// the open and opened entries.
fn attested_part(
    inputs: &Inputs<'_>,
    versions: &[Agreement],
    governing: &Agreement,
    public: &State,
    log: &PublicLog,
    checkpoint: &Checkpoint,
) -> Result<(Option<Attested>, Vec<Problem>), Vec<Problem>> {
    let openings = match &inputs.disclosure {
        Disclosure::Stated(stated) => return Ok((stated.clone(), Vec::new())),
        Disclosure::Openings(o) if o.openings.is_empty() => return Ok((None, Vec::new())),
        Disclosure::Openings(o) => o,
    };
    let (opened, problems) = attested::open(&log.entries, checkpoint, openings);
    let commitments: std::collections::BTreeMap<u64, String> = opened
        .keys()
        .filter_map(|i| {
            let entry = log.entries.get(usize::try_from(*i).ok()?)?;
            // The engine reads nothing recorded after the instant.
            if entry.recorded_at > inputs.as_of {
                return None;
            }
            match &entry.signed.entry.body {
                Body::Sealed { commitment, .. } => Some((*i, checkpoint::encode_hex(commitment))),
                Body::Open(_) => None,
            }
        })
        .collect();
    let statements = attested::statements(&log.entries, &opened);
    let state = accord_core::engine::evaluate(versions, &statements, inputs.as_of)
        .map_err(|e| vec![Problem::new(Part::Attested, e.to_string())])?;
    let part = attested::attested(&Evaluated {
        agreement: governing,
        public,
        attested: &state,
        opened: &commitments,
    });
    Ok((Some(part), problems))
}

/// [`derive`], keeping going past openings that do not open their entries: the bundle,
/// and those problems (for a verification, which names them and compares the rest).
pub fn derive_checked(inputs: &Inputs<'_>) -> Result<(Bundle, Vec<Problem>), Vec<Problem>> {
    let versions = versions(inputs.agreement, &inputs.texts);
    let opened = open(inputs);
    let (versions, opened) = match (versions, opened) {
        (Ok(v), Ok(o)) => (v, o),
        (v, o) => {
            let mut problems = v.err().unwrap_or_default();
            problems.extend(o.err());
            return Err(problems);
        }
    };
    let log = read_log(inputs.log, &opened.checkpoint).map_err(|p| vec![p])?;
    let previous = inputs
        .previous
        .map(|p| previous(inputs, p, &log.tree))
        .transpose()
        .map_err(|p| vec![p])?;
    let (statements, sealed) = statements(&log.entries);
    let state = accord_core::engine::evaluate(&versions, &statements, inputs.as_of)
        .map_err(|e| vec![Problem::new(Part::State, e.to_string())])?;
    let governing = versions
        .iter()
        .find(|v| v.version == state.version)
        .or(versions.last())
        .ok_or_else(|| vec![Problem::new(Part::Manifest, "no agreement version")])?;
    let (attested, soft) = attested_part(
        inputs,
        &versions,
        governing,
        &state,
        &log,
        &opened.checkpoint,
    )?;
    let context = Context {
        agreement: governing,
        log: LogSummary {
            origin: opened.checkpoint.origin.clone(),
            size: opened.checkpoint.size,
            root: encode_hash(&opened.checkpoint.root),
            read: state.entries,
            sealed: sealed.len() as u64,
            witnessed_by: opened.witnessed_by,
        },
        sealed,
        previous: previous.as_ref().map(|(r, _)| r),
        attested,
    };
    let report = document::report(&state, context);
    let mut out = Bundle::default();
    out.put(
        Part::Manifest.file(),
        bundle::json(&manifest(
            inputs,
            &opened.checkpoint.origin,
            log.tree.size(),
        )),
    );
    for (v, text) in &inputs.texts {
        out.put(Part::Agreement(*v).file(), text.as_bytes());
    }
    out.put(Part::Checkpoint.file(), inputs.checkpoint.as_bytes());
    if let Some(policy) = inputs.policy {
        out.put(Part::Policy.file(), policy.as_bytes());
    }
    out.put(Part::Log.file(), inputs.log);
    if let (Some(p), Some((_, proof))) = (inputs.previous, &previous) {
        out.put(Part::PreviousCheckpoint.file(), p.checkpoint.as_bytes());
        out.put(Part::PreviousReport.file(), p.report.as_bytes());
        out.put(Part::Consistency.file(), bundle::json(proof));
    }
    out.put(
        Part::Inclusion.file(),
        bundle::json(&inclusions(&log.tree, &report.cited)),
    );
    out.put(Part::State.file(), state_json(&state));
    out.put(Part::Html.file(), html::page(&report));
    out.put(Part::Report.file(), bundle::json(&report));
    Ok((out, soft))
}

/// Builds a report's bundle from its inputs: [`derive`], refusing inputs that do not hold.
pub fn build(inputs: &Inputs<'_>) -> Result<Bundle, Vec<Problem>> {
    derive(inputs)
}
