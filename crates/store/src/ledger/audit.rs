//! `accord ledger audit`: recompute everything from the leaf bytes and compare with what
//! the store says.
//!
//! The audit trusts nothing stored except the leaf bytes, the initial roster and the log's
//! verifier key: it recomputes every leaf hash, entry id and stored subtree hash, decodes
//! and re-checks every entry (acceptance rules against the roster replayed in log order,
//! strict signature verification, non-decreasing record times, sealed contents against
//! their commitments), verifies every checkpoint's signature and root, and reports each
//! discrepancy with the index involved. It reads the log in chunks.

use accord_core::statement::Statement;
use accord_ledger::checkpoint;
use accord_ledger::entry::{self, Body, LoggedEntry};
use accord_ledger::merkle::{self, Hash, MemoryTree, STRIDE};
use accord_ledger::note::VerifierKey;
use accord_ledger::roster;

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
) -> Result<AuditReport, StoreError> {
    let mut findings = Vec::new();
    let mut found =
        |index: Option<u64>, problem: String| findings.push(AuditFinding { index, problem });
    let mut tree = MemoryTree::new();
    let mut roster = info.initial_roster.clone();
    let mut last_time: Option<jiff::Timestamp> = None;
    let mut sealed_indexes = Vec::new();
    let mut expected_index = 0u64;
    // Read past the recorded size too: rows beyond it are findings.
    let mut from = 0u64;
    while from < info.size + CHUNK {
        let rows = backend.entries(info.id, from, from + CHUNK)?;
        for (index, entry_id, leaf, stored_hash) in rows {
            while expected_index < index {
                found(Some(expected_index), "missing from the store".into());
                tree.push([0; 32]);
                expected_index += 1;
            }
            expected_index = index + 1;
            let leaf_hash = merkle::leaf_hash(&leaf);
            tree.push(leaf_hash);
            if leaf_hash != stored_hash {
                found(
                    Some(index),
                    format!(
                        "its bytes hash to {} but the store says {}: the entry or its hash was altered",
                        show_hash(&leaf_hash),
                        show_hash(&stored_hash)
                    ),
                );
            }
            let logged = match LoggedEntry::decode(&leaf) {
                Ok(l) => l,
                Err(e) => {
                    found(Some(index), format!("cannot be decoded: {e}"));
                    continue;
                }
            };
            if logged.signed.id() != entry_id {
                found(
                    Some(index),
                    "its stored entry id does not match its bytes".into(),
                );
            }
            if let Some(last) = last_time
                && logged.recorded_at < last
            {
                found(
                    Some(index),
                    format!(
                        "recorded at {}, before the entry preceding it ({last})",
                        logged.recorded_at
                    ),
                );
            }
            last_time = Some(logged.recorded_at);
            let verdict =
                roster::check_entry(&logged.signed, &info.origin, &roster, logged.recorded_at)
                    .and_then(|()| roster::verify_signatures(&logged.signed));
            match verdict {
                Err(e) => found(Some(index), format!("would be refused today: {e}")),
                Ok(()) => {
                    if let Body::Open(Statement::KeyEvent(event)) = &logged.signed.entry.body
                        && let Err(e) = roster.apply(event)
                    {
                        found(Some(index), format!("its key event does not apply: {e}"));
                    }
                }
            }
            if let Body::Sealed { .. } = &logged.signed.entry.body {
                sealed_indexes.push((index, logged.signed.entry.body.clone()));
            }
        }
        from += CHUNK;
    }
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
                    merkle::perfect_hash(&tree, level, idx).unwrap_or_else(|never| match never {});
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
    for (size, note) in &checkpoints {
        match checkpoint::open_checkpoint(note, log_key, &[]) {
            Err(e) => found(
                None,
                format!("the checkpoint at size {size} does not verify: {e}"),
            ),
            Ok(cp) => {
                let cp = cp.checkpoint;
                if cp.size != *size || cp.origin != info.origin {
                    found(
                        None,
                        format!(
                            "the checkpoint stored at size {size} is for {} at size {}",
                            cp.origin, cp.size
                        ),
                    );
                } else if cp.size > n {
                    found(
                        None,
                        format!(
                            "the checkpoint at size {size} is beyond the log's {n} entries: entries were removed"
                        ),
                    );
                } else if tree.root_at(cp.size) != cp.root {
                    // Name the first entry whose hash differs from what was checkpointed is
                    // impossible without the old leaves; name the range instead.
                    found(
                        None,
                        format!(
                            "the log no longer matches the checkpoint at size {size}: an entry before #{size} was altered"
                        ),
                    );
                }
            }
        }
    }
    if roster != info.roster {
        found(
            None,
            "the stored roster differs from the one the key events produce".into(),
        );
    }
    Ok(AuditReport {
        origin: info.origin.clone(),
        entries: n,
        checkpoints: checkpoints.len(),
        root: tree.root(),
        findings,
    })
}
