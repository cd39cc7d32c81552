//! `accord verify`: a report bundle checked with no store and no network — its inputs
//! (agreement texts against their hashes, the checkpoint's signature and the witness
//! policy's cosignatures, the log prefix against the checkpoint, the previous checkpoint)
//! and then every derived file (the engine's state re-run on the log prefix, the report,
//! its page, the proofs, the manifest) derived again and compared byte for byte. The
//! proofs are also checked as a verifier without this code would check them. Every
//! check is listed, and every mismatch named.

use accord_ledger::checkpoint::{self, encode_hash};
use accord_ledger::merkle;
use accord_ledger::note::VerifierKey;
use accord_ledger::splitview::SplitView;

use crate::attested::{self, Attested, Openings};
use crate::bundle::{self, Bundle, ConsistencyProof, Inclusions, Manifest, Part};
use crate::derive::{self, Disclosure, Inputs, Previous};
use crate::document::Report;

/// One check made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    /// The part checked.
    pub part: Part,
    /// What was checked.
    pub what: String,
    /// What does not hold, when it failed.
    pub problem: Option<String>,
}

/// Everything a verification checked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Verification {
    /// The checks, in the order they were made.
    pub checks: Vec<Check>,
}

impl Verification {
    /// Whether every check passed.
    pub fn is_ok(&self) -> bool {
        !self.checks.is_empty() && self.checks.iter().all(|c| c.problem.is_none())
    }

    /// The checks that failed.
    pub fn failures(&self) -> impl Iterator<Item = &Check> {
        self.checks.iter().filter(|c| c.problem.is_some())
    }

    /// The parts that failed, once each, in order.
    pub fn failed_parts(&self) -> Vec<Part> {
        let mut parts: Vec<Part> = self.failures().map(|c| c.part).collect();
        parts.sort_unstable();
        parts.dedup();
        parts
    }

    fn pass(&mut self, part: Part, what: impl Into<String>) {
        self.checks.push(Check {
            part,
            what: what.into(),
            problem: None,
        });
    }

    fn fail(&mut self, part: Part, what: impl Into<String>, problem: impl Into<String>) {
        self.checks.push(Check {
            part,
            what: what.into(),
            problem: Some(problem.into()),
        });
    }

    fn record(&mut self, part: Part, what: impl Into<String>, outcome: Result<(), String>) {
        match outcome {
            Ok(()) => self.pass(part, what),
            Err(problem) => self.fail(part, what, problem),
        }
    }
}

/// Verifies a report bundle. `trusted_log_key`, when given, is the log key the verifier
/// knows the log by: the manifest's must be it (otherwise the manifest's is used, and the
/// verification only shows that the bundle is consistent with the key it names).
pub fn verify(bundle: &Bundle, trusted_log_key: Option<&str>) -> Verification {
    verify_with(bundle, trusted_log_key, None)
}

/// [`verify`], and with an openings file (its bytes) the attested state re-run: each
/// opening checked against its sealed entry's commitment, the engine run on the open and
/// opened entries, and the report's attested part compared with the result byte for byte.
/// Without one, the attested part's stated dependencies are checked against the log, and
/// the verification says that the attested state was not re-run.
pub fn verify_with(
    bundle: &Bundle,
    trusted_log_key: Option<&str>,
    openings: Option<&[u8]>,
) -> Verification {
    let mut v = Verification::default();
    let manifest = match manifest(bundle, &mut v, trusted_log_key) {
        Some(m) => m,
        None => return v,
    };
    let stated: Option<Attested> = bundle
        .get(&Part::Report.file())
        .and_then(|b| serde_json::from_slice::<Report>(b).ok())
        .and_then(|r| r.attested);
    let openings = openings.and_then(|bytes| match Openings::parse(bytes) {
        Ok(o) => Some(o),
        Err(p) => {
            v.fail(Part::Openings, "an openings file", p.message);
            None
        }
    });
    let disclosure = match &openings {
        Some(o) => Disclosure::Openings(o),
        None => Disclosure::Stated(stated.clone()),
    };
    let Some(inputs) = inputs(bundle, &manifest, &mut v, disclosure) else {
        return v;
    };
    match derive::derive_checked(&inputs) {
        Ok((derived, problems)) => {
            describe_inputs(&mut v, &inputs);
            compare(&mut v, bundle, &derived);
            match &openings {
                Some(o) => rerun(&mut v, o, stated.as_ref(), &derived, problems),
                None => stated_only(&mut v, stated.as_ref(), inputs.log),
            }
        }
        Err(problems) => {
            for p in problems {
                v.fail(p.part, "the inputs of the report", p.message);
            }
        }
    }
    proofs(&mut v, bundle, &manifest);
    v
}

/// With the openings: each opened, none missing, and the attested part as re-run.
fn rerun(
    v: &mut Verification,
    openings: &Openings,
    stated: Option<&Attested>,
    derived: &Bundle,
    problems: Vec<crate::Problem>,
) {
    let what = "each opening opens its sealed entry's commitment in the log";
    if problems.is_empty() {
        v.pass(Part::Openings, what);
    }
    for p in problems {
        v.fail(p.part, what, p.message);
    }
    let given: std::collections::BTreeSet<u64> =
        openings.openings.iter().map(|o| o.entry).collect();
    let missing: Vec<String> = stated
        .map(|s| s.opened.iter().filter(|i| !given.contains(i)))
        .into_iter()
        .flatten()
        .map(|i| format!("#{i}"))
        .collect();
    v.record(
        Part::Openings,
        "every sealed entry the attested state read is opened",
        if missing.is_empty() {
            Ok(())
        } else {
            Err(format!("no opening for {}", missing.join(", ")))
        },
    );
    let rerun: Option<Attested> = derived
        .get(&Part::Report.file())
        .and_then(|b| serde_json::from_slice::<Report>(b).ok())
        .and_then(|r| r.attested);
    let what =
        "the engine re-run on the open and opened entries gives the attested state, byte for byte";
    let outcome = match (stated, &rerun) {
        (Some(s), Some(r)) if s == r => Ok(()),
        (None, None) => Ok(()),
        (Some(s), Some(r)) if s.state_sha256 != r.state_sha256 => Err(format!(
            "its state hashes to {}, the report states {}",
            r.state_sha256, s.state_sha256
        )),
        (Some(_), Some(_)) => Err(
            "its entries opened or its differences from the public state are not the report's"
                .into(),
        ),
        (None, Some(_)) => Err("the report has no attested state".into()),
        (Some(_), None) => Err("no opening given, yet the report states an attested state".into()),
    };
    v.record(Part::Attested, what, outcome);
}

/// Without the openings: the attested part's dependencies checked against the log.
fn stated_only(v: &mut Verification, stated: Option<&Attested>, log: &[u8]) {
    let Some(stated) = stated else {
        return;
    };
    let leaves = bundle::decode_log(log).unwrap_or_default();
    v.record(
        Part::Attested,
        "each sealed entry the attested state names is in the log, sealed, with that commitment",
        attested::check_stated(&leaves, stated),
    );
    v.pass(
        Part::Attested,
        format!(
            "the attested state was NOT re-run: it reads {} sealed entries whose contents are not in the public bundle (only their commitments); holders of the openings can re-run it with `accord verify DIR --openings FILE`",
            stated.opened.len()
        ),
    );
}

fn manifest(bundle: &Bundle, v: &mut Verification, trusted: Option<&str>) -> Option<Manifest> {
    let what = "the manifest is a report bundle's (format, fields)";
    let parsed = bundle
        .part(Part::Manifest)
        .map_err(|p| p.message)
        .and_then(|b| serde_json::from_slice::<Manifest>(b).map_err(|e| e.to_string()))
        .and_then(|m| {
            if m.format == bundle::FORMAT {
                Ok(m)
            } else {
                Err(format!(
                    "the format is `{}`, not `{}`",
                    m.format,
                    bundle::FORMAT
                ))
            }
        });
    let m = match parsed {
        Ok(m) => m,
        Err(e) => {
            v.fail(Part::Manifest, what, e);
            return None;
        }
    };
    v.pass(Part::Manifest, what);
    v.record(
        Part::Engine,
        format!("the report was computed by this engine ({})", crate::ENGINE),
        if m.engine == crate::ENGINE {
            Ok(())
        } else {
            Err(format!(
                "it names `{}`: the state may differ by the engine's rules",
                m.engine
            ))
        },
    );
    if let Some(key) = trusted {
        v.record(
            Part::Manifest,
            "the log key is the one given as trusted",
            if m.log_key == key {
                Ok(())
            } else {
                Err(format!("it names `{}`", m.log_key))
            },
        );
    }
    Some(m)
}

/// The inputs, read from the bundle: the agreement texts checked against their hashes.
fn inputs<'a>(
    bundle: &'a Bundle,
    m: &'a Manifest,
    v: &mut Verification,
    disclosure: Disclosure<'a>,
) -> Option<Inputs<'a>> {
    let mut ok = true;
    let mut texts = Vec::new();
    for file in &m.versions {
        let part = Part::Agreement(file.version);
        match bundle.text(part) {
            Ok(text) => {
                let sha = bundle::sha256_hex(text.as_bytes());
                v.record(
                    part,
                    format!("its SHA-256 is the manifest's {}", file.sha256),
                    if sha == file.sha256 {
                        Ok(())
                    } else {
                        Err(format!("it is {sha}"))
                    },
                );
                texts.push((file.version, text));
            }
            Err(p) => {
                v.fail(part, "present", p.message);
                ok = false;
            }
        }
    }
    let mut text_of = |part: Part, wanted: bool| -> Option<&'a str> {
        if !wanted {
            return None;
        }
        match bundle.text(part) {
            Ok(t) => Some(t),
            Err(p) => {
                v.fail(part, "present", p.message);
                ok = false;
                None
            }
        }
    };
    let checkpoint = text_of(Part::Checkpoint, true);
    let policy = text_of(Part::Policy, m.witness_policy);
    let previous_checkpoint = text_of(Part::PreviousCheckpoint, m.previous);
    let previous_report = text_of(Part::PreviousReport, m.previous);
    let log = match bundle.part(Part::Log) {
        Ok(log) => Some(log),
        Err(p) => {
            v.fail(Part::Log, "present", p.message);
            None
        }
    };
    let (Some(checkpoint), Some(log), true) = (checkpoint, log, ok) else {
        return None;
    };
    Some(Inputs {
        agreement: &m.agreement,
        as_of: m.as_of,
        log_key: &m.log_key,
        texts,
        checkpoint,
        policy,
        log,
        previous: previous_checkpoint
            .zip(previous_report)
            .map(|(checkpoint, report)| Previous { checkpoint, report }),
        disclosure,
    })
}

fn describe_inputs(v: &mut Verification, inputs: &Inputs<'_>) {
    for (number, _) in &inputs.texts {
        v.pass(
            Part::Agreement(*number),
            "a valid agreement version (accord check)",
        );
    }
    v.pass(
        Part::Checkpoint,
        format!("signed by the log key {}", inputs.log_key),
    );
    if inputs.policy.is_some() {
        v.pass(
            Part::Cosignatures,
            "cosigned by witnesses satisfying the policy's quorum",
        );
    }
    let entries = bundle::decode_log(inputs.log).map_or(0, |l| l.len());
    v.pass(
        Part::Log,
        format!("{entries} entries, each decoded, giving the checkpoint's root"),
    );
    if inputs.previous.is_some() {
        v.pass(
            Part::PreviousCheckpoint,
            "signed by the log key, and the log prefix extends it",
        );
    }
}

/// Every derived file compared with the bundle's.
fn compare(v: &mut Verification, bundle: &Bundle, derived: &Bundle) {
    let derived_parts = [
        (Part::Manifest, "the manifest describes the inputs it lists"),
        (
            Part::State,
            "the engine re-run on the log prefix gives this state, byte for byte",
        ),
        (
            Part::Report,
            "the report document follows from the state, byte for byte",
        ),
        (
            Part::Html,
            "the page renders the report document, byte for byte",
        ),
        (
            Part::Inclusion,
            "the inclusion proofs are those of every cited entry",
        ),
        (
            Part::Consistency,
            "the consistency proof is the one from the previous checkpoint",
        ),
    ];
    for (part, what) in derived_parts {
        let Some(expected) = derived.get(&part.file()) else {
            continue;
        };
        let outcome = match bundle.get(&part.file()) {
            None => Err("missing from the bundle".to_owned()),
            Some(actual) if actual == expected => Ok(()),
            Some(actual) => {
                let at = actual
                    .iter()
                    .zip(expected)
                    .position(|(a, b)| a != b)
                    .unwrap_or(actual.len().min(expected.len()));
                Err(format!("differs from what its inputs give, from byte {at}"))
            }
        };
        v.record(part, what, outcome);
    }
}

/// The proofs checked on their own, as an independent verifier would: each inclusion
/// proof leads from its leaf to the checkpoint's root, and the consistency proof from the
/// previous root to it.
fn proofs(v: &mut Verification, bundle: &Bundle, m: &Manifest) {
    let root = bundle
        .text(Part::Checkpoint)
        .ok()
        .and_then(|c| accord_ledger::note::parse_note(c).ok())
        .and_then(|n| checkpoint::Checkpoint::parse_body(&n.text).ok());
    let Some(head) = root else {
        return;
    };
    if let Ok(bytes) = bundle.part(Part::Inclusion) {
        let outcome = serde_json::from_slice::<Inclusions>(bytes)
            .map_err(|e| e.to_string())
            .and_then(|inc| {
                for p in &inc.proofs {
                    let proof: Vec<merkle::Hash> = p.proof.iter().map(|h| h.0).collect();
                    merkle::verify_inclusion(&p.leaf.0, p.index, head.size, &proof, &head.root)
                        .map_err(|e| format!("entry #{}: {e}", p.index))?;
                }
                Ok(inc.proofs.len())
            });
        let n = outcome.as_ref().map_or(0, |n| *n);
        v.record(
            Part::Inclusion,
            format!("each of the {n} inclusion proofs leads to the checkpoint's root"),
            outcome.map(|_| ()),
        );
    }
    if !m.previous {
        return;
    }
    if let Ok(bytes) = bundle.part(Part::Consistency) {
        let outcome = serde_json::from_slice::<ConsistencyProof>(bytes)
            .map_err(|e| e.to_string())
            .and_then(|c| {
                let proof: Vec<merkle::Hash> = c.proof.iter().map(|h| h.0).collect();
                merkle::verify_consistency(c.old_size, head.size, &c.old_root.0, &head.root, &proof)
                    .map_err(|e| e.to_string())
                    .map(|()| c)
            });
        let what = match &outcome {
            Ok(c) => format!(
                "the log grew from size {} (root {}) to the checkpoint's",
                c.old_size,
                encode_hash(&c.old_root.0)
            ),
            Err(_) => {
                "the consistency proof leads from the previous root to the checkpoint's".into()
            }
        };
        v.record(Part::Consistency, what, outcome.map(|_| ()));
    }
}

/// What a split-view evidence file shows, checked by its text alone (and, when given, the
/// keys one knows the log by).
pub fn split_view(text: &str, trusted: &[VerifierKey]) -> Result<String, String> {
    let evidence = SplitView::parse(text).map_err(|e| e.to_string())?;
    let finding = if trusted.is_empty() {
        evidence.check()
    } else {
        evidence.check_against(trusted)
    }
    .map_err(|e| e.to_string())?;
    let weight = if finding.is_conclusive() {
        "conclusive"
    } else {
        "not conclusive"
    };
    Ok(format!("{finding} ({weight})"))
}

/// Whether a text is split-view evidence rather than a bundle's file.
pub fn is_split_view(text: &[u8]) -> bool {
    text.starts_with(b"accord/split-view/v1\n")
}
