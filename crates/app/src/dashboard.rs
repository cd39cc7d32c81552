//! What the dashboard's pages ask of a store (issue #14) that no other use case answered:
//! every registered agreement evaluated as of one instant (the home page), and a page of
//! an agreement's log read entry by entry, newest first, with each entry's leaf (so that a
//! browser can hash it itself) and, for a sealed entry, only its commitment.
//!
//! Both are compositions of the store's reads and the engine, like the other use cases;
//! neither renders nor knows HTTP. A page of the log reads only the entries it shows, so
//! that a log of a million entries costs a page what a log of ten does.

use accord_core::engine::state::State;
use accord_core::id::AgreementId;
use accord_core::time::Instant;
use accord_ledger::entry::Body;
use accord_ledger::merkle::Hash;
use accord_store::Store;

use crate::error::Result;
use crate::evaluate::Reading;
use crate::evaluations::Evaluations;

/// One agreement of the registry evaluated as of an instant.
#[derive(Debug, Clone)]
pub struct Overview {
    /// The agreement's id.
    pub id: String,
    /// The title of the version governing the state.
    pub title: String,
    /// Its state.
    pub state: State,
}

/// Every registered agreement, in id order, evaluated as of `as_of` (from `evaluations`,
/// which keeps each agreement's evaluation current).
pub fn overview(store: &Store, evaluations: &Evaluations, as_of: Instant) -> Result<Vec<Overview>> {
    store
        .registered_agreements()?
        .into_iter()
        .map(|id| {
            let evaluated = evaluations.state(store, &id, as_of, &Reading::default())?;
            let title = evaluated
                .governing()
                .map(|v| v.title.clone())
                .unwrap_or_default();
            Ok(Overview {
                id,
                title,
                state: State::clone(&evaluated.state),
            })
        })
        .collect()
}

/// One entry of a log as its public page shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogEntry {
    /// Its index.
    pub index: u64,
    /// When the log recorded it.
    pub recorded_at: Instant,
    /// The statement's kind (`evidence`, `decision`…), public even when sealed.
    pub kind: String,
    /// Who signed it.
    pub signers: Vec<String>,
    /// The Merkle leaf's bytes (the signed entry and its record time).
    pub leaf: Vec<u8>,
    /// The leaf hash.
    pub leaf_hash: Hash,
    /// For a sealed (confidential) entry, the commitment to its content: all the public
    /// log holds of it.
    pub sealed: Option<Hash>,
}

/// A page of an agreement's log: its size, and up to `limit` entries, newest first,
/// starting at `before - 1` (default: the last entry).
#[derive(Debug, Clone)]
pub struct LogPage {
    /// The log's origin.
    pub origin: String,
    /// Its size.
    pub size: u64,
    /// The entries, newest first.
    pub entries: Vec<LogEntry>,
    /// The latest signed checkpoint (its size and the note), if any.
    pub checkpoint: Option<(u64, String)>,
}

/// Reads a page of `agreement`'s log (see [`LogPage`]).
pub fn log_page(
    store: &Store,
    agreement: &AgreementId,
    before: Option<u64>,
    limit: u64,
) -> Result<LogPage> {
    let mut ledger = crate::log::find(store, agreement)?;
    let size = ledger.info().size;
    let origin = ledger.info().origin.clone();
    let end = before.map_or(size, |b| b.min(size));
    let start = end.saturating_sub(limit);
    let mut entries = Vec::new();
    for index in (start..end).rev() {
        let (logged, leaf_hash) = ledger.entry(index)?;
        let body = &logged.signed.entry.body;
        entries.push(LogEntry {
            index,
            recorded_at: logged.recorded_at,
            kind: serde_json::to_value(body.kind())
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default(),
            signers: logged
                .signed
                .signatures
                .iter()
                .map(|s| s.signer.to_string())
                .collect(),
            leaf: logged.leaf_bytes(),
            leaf_hash,
            sealed: match body {
                Body::Sealed { commitment, .. } => Some(*commitment),
                Body::Open(_) => None,
            },
        });
    }
    let checkpoint = ledger.checkpoints()?.into_iter().next_back();
    Ok(LogPage {
        origin,
        size,
        entries,
        checkpoint,
    })
}

/// The commitments of the sealed entries among `indices` of `agreement`'s log, by index
/// (open entries are left out): what a page shows of evidence its reader may not open.
pub fn sealed_commitments(
    store: &Store,
    agreement: &AgreementId,
    indices: &[u64],
) -> Result<std::collections::BTreeMap<u64, Hash>> {
    let mut ledger = crate::log::find(store, agreement)?;
    let mut sealed = std::collections::BTreeMap::new();
    for &index in indices {
        let (logged, _) = ledger.entry(index)?;
        if let Body::Sealed { commitment, .. } = logged.signed.entry.body {
            sealed.insert(index, commitment);
        }
    }
    Ok(sealed)
}
