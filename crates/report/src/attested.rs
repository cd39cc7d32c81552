//! Selective disclosure of sealed evidence: the report's *attested state*.
//!
//! A report's state is the engine run on the log's open entries: anyone can re-run it.
//! When sealed (confidential) evidence exists, the operator's evaluation — which reads the
//! sealed contents — may find more: the caps verified where the public log shows nothing.
//! The report carries that evaluation as its attested part ([`Attested`]): the SHA-256 of
//! the attested state's JSON, the sealed entries it read, and each verdict where it differs
//! from the public state, with the sealed entries (index and commitment) that verdict
//! depends on. The contents stay out of the public bundle: they go into an *openings* file
//! ([`Openings`]) for entitled readers, each opening the salt and content that open one
//! sealed entry's commitment. With it, a verifier re-runs the engine on open and opened
//! entries and compares with the attested part byte for byte.

use std::collections::{BTreeMap, BTreeSet};

use accord_core::agreement::Agreement;
use accord_core::engine::state::{Reason, State};
use accord_core::statement::LoggedStatement;
use accord_ledger::checkpoint::{Checkpoint, encode_hash, encode_hex};
use accord_ledger::entry::{Body, LoggedEntry, reveal};
use base64::Engine as _;
use serde::{Deserialize, Serialize};

use crate::bundle::{self, Part};
use crate::document::name;
use crate::{Problem, score};

/// The format name of an openings file.
pub const OPENINGS_FORMAT: &str = "accord/openings/v1";

/// A sealed entry's content as a store holds it: its index, salt and content.
pub type Content = (u64, [u8; 32], Vec<u8>);

/// One sealed entry opened: the data that opens its commitment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Opening {
    /// The entry's index in the log.
    pub entry: u64,
    /// Its commitment, lowercase hex (as the leaf holds it).
    pub commitment: String,
    /// The salt, lowercase hex (32 bytes).
    pub salt: String,
    /// The content (the statement's canonical bytes), standard base64.
    pub content: String,
}

/// An openings file (`accord/openings/v1`): for the entitled readers of one report, never
/// part of its public bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Openings {
    /// [`OPENINGS_FORMAT`].
    pub format: String,
    /// The log's origin.
    pub origin: String,
    /// The checkpoint's size the report rests on.
    pub size: u64,
    /// The checkpoint's root, base64.
    pub root: String,
    /// One per sealed entry opened, by index.
    pub openings: Vec<Opening>,
}

impl Openings {
    /// Openings of the log at `checkpoint` from `(index, salt, content)` triples; the
    /// commitments are taken from `entries` (entries not sealed are skipped).
    pub fn new(checkpoint: &Checkpoint, entries: &[LoggedEntry], contents: &[Content]) -> Openings {
        let openings = contents
            .iter()
            .filter_map(|(index, salt, content)| {
                let entry = entries.get(usize::try_from(*index).ok()?)?;
                let Body::Sealed { commitment, .. } = &entry.signed.entry.body else {
                    return None;
                };
                Some(Opening {
                    entry: *index,
                    commitment: encode_hex(commitment),
                    salt: encode_hex(salt),
                    content: base64::engine::general_purpose::STANDARD.encode(content),
                })
            })
            .collect();
        Openings {
            format: OPENINGS_FORMAT.into(),
            origin: checkpoint.origin.clone(),
            size: checkpoint.size,
            root: encode_hash(&checkpoint.root),
            openings,
        }
    }

    /// The file's text (pretty JSON, final newline).
    pub fn to_text(&self) -> Vec<u8> {
        bundle::json(self)
    }

    /// Reads an openings file.
    pub fn parse(text: &[u8]) -> Result<Openings, Problem> {
        let o: Openings = serde_json::from_slice(text)
            .map_err(|e| Problem::new(Part::Openings, format!("not an openings file: {e}")))?;
        if o.format != OPENINGS_FORMAT {
            return Err(Problem::new(
                Part::Openings,
                format!("the format is `{}`, not `{OPENINGS_FORMAT}`", o.format),
            ));
        }
        Ok(o)
    }
}

/// A sealed entry a verdict depends on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dependency {
    /// Its index in the log.
    pub entry: u64,
    /// Its commitment, lowercase hex.
    pub commitment: String,
}

/// A verdict of the attested state that differs from the public state's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Difference {
    /// `agreement`, `commitment`, `phase`, `relief` or `departure`.
    pub subject: String,
    /// Its identifier (`#N` for a decision).
    pub id: String,
    /// The public state's verdict.
    pub public: String,
    /// The attested state's verdict.
    pub attested: String,
    /// The sealed entries the attested verdict depends on.
    pub depends_on: Vec<Dependency>,
}

/// The report's attested part: the operator's evaluation with the sealed evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Attested {
    /// SHA-256 (lowercase hex) of the attested state's JSON, written as `state.json` is.
    pub state_sha256: String,
    /// The sealed entries the attested state read (opened, and recorded by the report's
    /// instant), by index.
    pub opened: Vec<u64>,
    /// Each verdict that differs from the public state's.
    pub differences: Vec<Difference>,
}

/// The openings checked against the log: the statements they reveal, by index, and a
/// problem (naming the openings file) for each one that does not open its entry.
pub fn open(
    entries: &[LoggedEntry],
    checkpoint: &Checkpoint,
    openings: &Openings,
) -> (BTreeMap<u64, LoggedStatement>, Vec<Problem>) {
    let mut problems = Vec::new();
    let problem = |m: String| Problem::new(Part::Openings, m);
    if openings.origin != checkpoint.origin
        || openings.size != checkpoint.size
        || openings.root != encode_hash(&checkpoint.root)
    {
        problems.push(problem(format!(
            "they are for {} at size {} (root {}), not the report's checkpoint",
            openings.origin, openings.size, openings.root
        )));
    }
    let mut opened = BTreeMap::new();
    for o in &openings.openings {
        match open_one(entries, o) {
            Ok(statement) if !opened.contains_key(&o.entry) => {
                opened.insert(o.entry, statement);
            }
            Ok(_) => problems.push(problem(format!("entry #{}: opened twice", o.entry))),
            Err(m) => problems.push(problem(format!("entry #{}: {m}", o.entry))),
        }
    }
    (opened, problems)
}

fn open_one(entries: &[LoggedEntry], o: &Opening) -> Result<LoggedStatement, String> {
    let logged = usize::try_from(o.entry)
        .ok()
        .and_then(|i| entries.get(i))
        .ok_or("not in the log")?;
    let body = &logged.signed.entry.body;
    let Body::Sealed { commitment, .. } = body else {
        return Err("the entry is open, not sealed".into());
    };
    if o.commitment != encode_hex(commitment) {
        return Err(format!(
            "the opening names the commitment {}, the log's is {}",
            o.commitment,
            encode_hex(commitment)
        ));
    }
    let salt: [u8; 32] = decode_hex(&o.salt)
        .and_then(|s| s.try_into().ok())
        .ok_or("the salt is not 32 bytes of lowercase hex")?;
    let content = base64::engine::general_purpose::STANDARD
        .decode(&o.content)
        .map_err(|e| format!("the content is not base64: {e}"))?;
    let statement = reveal(body, &salt, &content)
        .map_err(|e| format!("the salt and content do not open its commitment: {e}"))?;
    Ok(logged.statement_at(o.entry, statement))
}

fn decode_hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2)
        || text
            .bytes()
            .any(|b| !matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

/// The log as the engine reads it with the openings: open entries and opened sealed ones,
/// in index order.
pub fn statements(
    entries: &[LoggedEntry],
    opened: &BTreeMap<u64, LoggedStatement>,
) -> Vec<LoggedStatement> {
    (0u64..)
        .zip(entries)
        .filter_map(|(index, logged)| match &logged.signed.entry.body {
            Body::Open(statement) => Some(logged.statement_at(index, statement.clone())),
            Body::Sealed { .. } => opened.get(&index).cloned(),
        })
        .collect()
}

/// What the attested part is made from.
pub struct Evaluated<'a> {
    /// The governing version.
    pub agreement: &'a Agreement,
    /// The public state (open entries only).
    pub public: &'a State,
    /// The attested state (open and opened entries).
    pub attested: &'a State,
    /// The commitment of every opened sealed entry, by index.
    pub opened: &'a BTreeMap<u64, String>,
}

/// The attested part: the attested state's hash and its differences from the public state.
pub fn attested(e: &Evaluated<'_>) -> Attested {
    let mut differences = Vec::new();
    let depends = |entries: BTreeSet<u64>| dependencies(e.opened, entries);
    if e.public.agreement_status != e.attested.agreement_status {
        differences.push(Difference {
            subject: "agreement".into(),
            id: e.attested.agreement.to_string(),
            public: name(&e.public.agreement_status),
            attested: name(&e.attested.agreement_status),
            depends_on: depends(BTreeSet::new()),
        });
    }
    commitments(e, &mut differences);
    let statuses = |subject: &str, public: Vec<(String, String)>, attested: Vec<Cited>| {
        let public: BTreeMap<String, String> = public.into_iter().collect();
        attested
            .into_iter()
            .filter(|(id, status, _)| public.get(id).is_some_and(|p| p != status))
            .map(|(id, status, cites)| Difference {
                subject: subject.into(),
                public: public.get(&id).cloned().unwrap_or_default(),
                id,
                attested: status,
                depends_on: depends(cites),
            })
            .collect::<Vec<_>>()
    };
    let phase = |s: &State| -> Vec<Cited> {
        s.phases
            .iter()
            .map(|p| (p.id.to_string(), name(&p.status), cites(&p.reasons)))
            .collect()
    };
    let relief = |s: &State| -> Vec<Cited> {
        s.relief
            .iter()
            .map(|a| (a.id.to_string(), name(&a.status), cites(&a.reasons)))
            .collect()
    };
    let plain = |v: Vec<Cited>| -> Vec<(String, String)> {
        v.into_iter().map(|(i, s, _)| (i, s)).collect()
    };
    differences.extend(statuses("phase", plain(phase(e.public)), phase(e.attested)));
    differences.extend(statuses(
        "relief",
        plain(relief(e.public)),
        relief(e.attested),
    ));
    let decision = |s: &State| -> Vec<Cited> {
        s.decisions
            .iter()
            .map(|d| {
                let verdict = if d.departure {
                    "departure"
                } else {
                    "not a departure"
                };
                (format!("#{}", d.entry.0), verdict.into(), cites(&d.reasons))
            })
            .collect()
    };
    differences.extend(statuses(
        "departure",
        plain(decision(e.public)),
        decision(e.attested),
    ));
    Attested {
        state_sha256: bundle::sha256_hex(&bundle::json(e.attested)),
        opened: e.opened.keys().copied().collect(),
        differences,
    }
}

/// An identifier, its verdict, and the entries its reasons cite.
type Cited = (String, String, BTreeSet<u64>);

fn cites(reasons: &[Reason]) -> BTreeSet<u64> {
    reasons
        .iter()
        .flat_map(|r| r.entries.iter().map(|e| e.0))
        .collect()
}

/// The opened sealed entries among `cited`; if the reasons cite none, every opened entry
/// (the verdict differs from the public one only through the sealed evidence, and the
/// reasons do not say which).
fn dependencies(opened: &BTreeMap<u64, String>, cited: BTreeSet<u64>) -> Vec<Dependency> {
    let named: Vec<Dependency> = cited
        .iter()
        .filter_map(|i| {
            opened.get(i).map(|c| Dependency {
                entry: *i,
                commitment: c.clone(),
            })
        })
        .collect();
    if !named.is_empty() {
        return named;
    }
    opened
        .iter()
        .map(|(i, c)| Dependency {
            entry: *i,
            commitment: c.clone(),
        })
        .collect()
}

/// Commitments whose level differs; each depends on the sealed entries its indicators'
/// periods and reviews, and its own reviews, cite.
fn commitments(e: &Evaluated<'_>, out: &mut Vec<Difference>) {
    let public = score::score(e.agreement, e.public, None);
    let attested = score::score(e.agreement, e.attested, None);
    let levels: BTreeMap<&str, score::Level> = public
        .commitments
        .iter()
        .map(|c| (c.id.as_str(), c.level))
        .collect();
    for c in &attested.commitments {
        let Some(before) = levels.get(c.id.as_str()).filter(|l| **l != c.level) else {
            continue;
        };
        let mut cited = BTreeSet::new();
        for i in e
            .attested
            .indicators
            .iter()
            .filter(|i| i.commitment.as_str() == c.id)
        {
            for p in &i.periods {
                cited.extend(cites(&p.reasons));
                if let Some(escrow) = &p.escrow {
                    cited.extend(escrow.entries.iter().map(|x| x.0));
                }
            }
            for r in &i.reviews {
                cited.extend(cites(&r.reasons));
            }
        }
        for s in e
            .attested
            .commitments
            .iter()
            .filter(|s| s.id.as_str() == c.id)
        {
            for r in &s.reviews {
                cited.extend(cites(&r.reasons));
            }
        }
        out.push(Difference {
            subject: "commitment".into(),
            id: c.id.clone(),
            public: before.to_string(),
            attested: c.level.to_string(),
            depends_on: dependencies(e.opened, cited),
        });
    }
}

/// What a report states about the sealed entries, checked against the log without the
/// openings: each entry it says it opened, and each it says a verdict depends on, is in
/// the log, sealed, with that commitment (and among those opened).
/// `leaves` are the log's leaves, as `log.bin` holds them.
pub fn check_stated(leaves: &[&[u8]], stated: &Attested) -> Result<(), String> {
    let commitment = |index: u64| -> Result<String, String> {
        let leaf = usize::try_from(index)
            .ok()
            .and_then(|i| leaves.get(i))
            .ok_or(format!("entry #{index} is not in the log"))?;
        let logged = LoggedEntry::decode(leaf)
            .map_err(|e| format!("entry #{index} does not decode: {e}"))?;
        match &logged.signed.entry.body {
            Body::Sealed { commitment, .. } => Ok(encode_hex(commitment)),
            Body::Open(_) => Err(format!("entry #{index} is open, not sealed")),
        }
    };
    let mut problems = Vec::new();
    for index in &stated.opened {
        if let Err(p) = commitment(*index) {
            problems.push(p);
        }
    }
    for d in &stated.differences {
        for dep in &d.depends_on {
            match commitment(dep.entry) {
                Ok(c) if c != dep.commitment => problems.push(format!(
                    "{} {}: entry #{} has the commitment {c}, not {}",
                    d.subject, d.id, dep.entry, dep.commitment
                )),
                Ok(_) if !stated.opened.contains(&dep.entry) => problems.push(format!(
                    "{} {}: entry #{} is not among the entries opened",
                    d.subject, d.id, dep.entry
                )),
                Ok(_) => {}
                Err(p) => problems.push(format!("{} {}: {p}", d.subject, d.id)),
            }
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("; "))
    }
}
