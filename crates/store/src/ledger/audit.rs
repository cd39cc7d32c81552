//! The audit of a stored log: recompute everything from the leaf bytes and compare with
//! what the store says.
//!
//! The audit trusts nothing stored except the leaf bytes, the initial roster and the log's
//! verifier key. The pure part — every entry decoded and re-checked against the roster
//! replayed in log order, strict signatures, non-decreasing record times, checkpoints
//! against the recomputed tree — is [`accord_ledger::replay`]; this module adds what only
//! the store can be asked: stored leaf hashes, entry ids and subtree hashes against the
//! recomputed ones, sealed contents against their commitments, gaps, and the stored roster.
//! It reads the log in chunks and reports each discrepancy with the index involved.

use accord_ledger::entry::{self, Body};
use accord_ledger::merkle::{self, Hash, STRIDE};
use accord_ledger::note::VerifierKey;
use accord_ledger::replay::{CheckpointProblem, Replay};

use super::{LedgerBackend, LogInfo, StoreError, show_hash};

/// One discrepancy found by the audit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditFinding {
    /// The entry involved, when there is one.
    pub index: Option<u64>,
    /// What is wrong, in plain words.
    pub problem: String,
}

impl std::fmt::Display for AuditFinding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.index {
            Some(i) => write!(f, "entry #{i}: {}", self.problem),
            None => f.write_str(&self.problem),
        }
    }
}

/// What the audit checked and found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditReport {
    /// The log's origin.
    pub origin: String,
    /// Entries checked.
    pub entries: u64,
    /// Checkpoints checked.
    pub checkpoints: usize,
    /// Checkpoints held outside the store that the log was checked against.
    pub outside: usize,
    /// The recomputed root of the whole log.
    pub root: Hash,
    /// Every discrepancy, in log order.
    pub findings: Vec<AuditFinding>,
}

impl AuditReport {
    /// Whether nothing was found.
    pub fn is_clean(&self) -> bool {
        self.findings.is_empty()
    }
}

const CHUNK: u64 = 4096;

pub(super) fn audit(
    backend: &mut dyn LedgerBackend,
    info: &LogInfo,
    log_key: &VerifierKey,
    outside: &[String],
) -> Result<AuditReport, StoreError> {
    let mut findings = Vec::new();
    let mut found =
        |index: Option<u64>, problem: String| findings.push(AuditFinding { index, problem });
    let mut replay = Replay::new(&info.origin, info.initial_roster.clone());
    let mut sealed_indexes = Vec::new();
    let mut last_recorded = None;
    // Read past the recorded size too: rows beyond it are findings.
    let mut from = 0u64;
    while from < info.size + CHUNK {
        let rows = backend.entries(info.id, from, from + CHUNK)?;
        for (index, entry_id, leaf, stored_hash) in rows {
            while replay.size() < index {
                found(Some(replay.size()), "missing from the store".into());
                replay.push_missing();
            }
            let pushed = replay.push(&leaf);
            if pushed.leaf_hash != stored_hash {
                found(
                    Some(index),
                    format!(
                        "its bytes hash to {} but the store says {}: the entry or its hash was altered",
                        show_hash(&pushed.leaf_hash),
                        show_hash(&stored_hash)
                    ),
                );
            }
            if let Some(logged) = &pushed.entry {
                last_recorded = Some(logged.recorded_at);
                if logged.signed.id() != entry_id {
                    found(
                        Some(index),
                        "its stored entry id does not match its bytes".into(),
                    );
                }
                if let Body::Sealed { .. } = &logged.signed.entry.body {
                    sealed_indexes.push((index, logged.signed.entry.body.clone()));
                }
            }
            for problem in pushed.problems {
                found(Some(index), problem.to_string());
            }
        }
        from += CHUNK;
    }
    let tree = replay.tree();
    let n = tree.size();
    if n != info.size {
        found(
            None,
            format!(
                "the store says the log has {} entries but it holds {n}",
                info.size
            ),
        );
    }

    // Stored subtree hashes against the recomputed ones.
    let mut level = STRIDE;
    while n >> level > 0 {
        let count = n >> level;
        let mut start = 0u64;
        while start < count {
            let take = (count - start).min(CHUNK);
            let stored = backend.hashes(info.id, level, start, take)?;
            for k in 0..take {
                let idx = start + k;
                let expected =
                    merkle::perfect_hash(tree, level, idx).unwrap_or_else(|never| match never {});
                let first = idx << level;
                match stored.get(k as usize) {
                    Some(h) if *h == expected => {}
                    Some(_) => found(
                        Some(first),
                        format!(
                            "the stored hash of entries #{first}..#{} (level {level}) was altered",
                            first + (1u64 << level) - 1
                        ),
                    ),
                    None => found(
                        Some(first),
                        format!("the stored hash of level {level} from here is missing"),
                    ),
                }
            }
            start += take;
        }
        level += STRIDE;
    }

    // Sealed contents against their commitments.
    let contents = backend.all_sealed(info.id)?;
    for (index, body) in &sealed_indexes {
        match contents.iter().find(|(i, _, _)| i == index) {
            None => found(Some(*index), "its sealed content is missing".into()),
            Some((_, salt, content)) => {
                if let Err(e) = entry::reveal(body, salt, content) {
                    found(
                        Some(*index),
                        format!("its sealed content does not open its commitment: {e}"),
                    );
                }
            }
        }
    }

    // Checkpoints: signed by the log, and rooted in the recomputed tree.
    let checkpoints = backend.checkpoints(info.id)?;
    check_stored(info, &replay, log_key, &checkpoints, &mut found);
    for note in outside {
        check_outside(info, &replay, log_key, note, &checkpoints, &mut found);
    }
    if info.last_recorded != last_recorded {
        let show =
            |t: Option<jiff::Timestamp>| t.map_or_else(|| "none".to_owned(), |t| t.to_string());
        found(
            None,
            format!(
                "the stored last record time ({}) is not the last entry's ({}): it was altered",
                show(info.last_recorded),
                show(last_recorded)
            ),
        );
    }
    if replay.roster() != &info.roster {
        found(
            None,
            "the stored roster differs from the one the key events produce".into(),
        );
    }
    Ok(AuditReport {
        origin: info.origin.clone(),
        entries: n,
        checkpoints: checkpoints.len(),
        outside: outside.len(),
        root: tree.root(),
        findings,
    })
}

/// Checks the log against a checkpoint held outside the store: signed by the log's key,
/// consistent with the leaves, and still stored as it was signed.
fn check_outside(
    info: &LogInfo,
    replay: &Replay,
    log_key: &VerifierKey,
    note: &str,
    stored: &[(u64, String)],
    found: &mut impl FnMut(Option<u64>, String),
) {
    let checkpoint = match accord_ledger::checkpoint::open_checkpoint(note, log_key, &[]) {
        Ok(verified) => verified.checkpoint,
        Err(e) => {
            return found(
                None,
                format!(
                    "the checkpoint held elsewhere does not verify under the log key the store holds (the key was replaced, or the checkpoint is another log's): {e}"
                ),
            );
        }
    };
    if checkpoint.origin != info.origin {
        return found(
            None,
            format!(
                "the checkpoint held elsewhere is for {}, not {}",
                checkpoint.origin, info.origin
            ),
        );
    }
    if let Err(problem) = replay.check_checkpoint(note, log_key) {
        found(
            None,
            format!("against the checkpoint held elsewhere: {problem}"),
        );
    }
    let size = checkpoint.size;
    match stored.iter().find(|(s, _)| *s == size) {
        None => found(
            None,
            format!(
                "the checkpoint held elsewhere at size {size} is not in the store: its row was deleted"
            ),
        ),
        Some((_, row)) => {
            let body = |text: &str| {
                accord_ledger::note::parse_note(text)
                    .map(|n| n.text)
                    .unwrap_or_default()
            };
            if body(row) != body(note) {
                found(
                    None,
                    format!(
                        "the checkpoint stored at size {size} is not the one held elsewhere: its row was rewritten"
                    ),
                );
            }
        }
    }
}

/// Checks the stored checkpoints: signed by the log, for it, at the size they are stored
/// under, and rooted in the recomputed tree.
fn check_stored(
    info: &LogInfo,
    replay: &Replay,
    log_key: &VerifierKey,
    checkpoints: &[(u64, String)],
    found: &mut impl FnMut(Option<u64>, String),
) {
    for (size, note) in checkpoints {
        let stored_elsewhere = |origin: &str, at: u64| {
            format!("the checkpoint stored at size {size} is for {origin} at size {at}")
        };
        match replay.check_checkpoint(note, log_key) {
            Ok(cp) if cp.size != *size => found(None, stored_elsewhere(&cp.origin, cp.size)),
            Ok(_) => {}
            Err(CheckpointProblem::DoesNotVerify(e)) => found(
                None,
                format!("the checkpoint at size {size} does not verify: {e}"),
            ),
            Err(CheckpointProblem::OtherLog { size: at, origin }) => {
                found(None, stored_elsewhere(&origin, at));
            }
            Err(problem) if problem.size() != Some(*size) => found(
                None,
                stored_elsewhere(&info.origin, problem.size().unwrap_or_default()),
            ),
            Err(problem) => found(None, problem.to_string()),
        }
    }
}
