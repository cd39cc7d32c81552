//! What a long-running service asks of a store that no command needed before (issue #13,
//! `accord serve`): the registry listed with every version, the log of an agreement, its
//! latest signed checkpoint, and pre-signed entries (a sealed one with its content)
//! submitted and answered after their commit with what a submitter keeps (index, record
//! time, leaf hash).
//!
//! Each is a composition of the store's reads and the ledger's writer, like the other use
//! cases; none renders or knows HTTP.

use accord_core::id::AgreementId;
use accord_ledger::merkle::Hash;
use accord_store::Store;
use accord_store::ledger::{Ledger, LogInfo, Receipt, Submission};

use crate::agreements::{self, Version};
use crate::error::{Error, Result};

/// One agreement of the store's registry, with every registered version, checked and
/// chained by this build's rules.
#[derive(Debug, Clone)]
pub struct RegisteredAgreement {
    /// The agreement's id.
    pub id: String,
    /// Its versions, in order (each with its text's SHA-256).
    pub versions: Vec<Version>,
}

/// Every agreement the store's registry holds, in id order, each with its versions.
pub fn registered_agreements(store: &Store) -> Result<Vec<RegisteredAgreement>> {
    store
        .registered_agreements()?
        .into_iter()
        .map(|id| {
            let versions = agreements::registered(store, &id)?;
            Ok(RegisteredAgreement { id, versions })
        })
        .collect()
}

/// The one log of an agreement: its origin, key, roster and size.
pub fn log_of(store: &Store, agreement: &AgreementId) -> Result<LogInfo> {
    Ok(crate::log::find(store, agreement)?.info().clone())
}

/// The latest checkpoint the log signed (its size and the signed note), if any.
pub fn latest_checkpoint(store: &Store, origin: &str) -> Result<Option<(u64, String)>> {
    Ok(store
        .ledger(Some(origin))?
        .checkpoints()?
        .into_iter()
        .next_back())
}

/// What a submitter keeps of an entry the log holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submitted {
    /// The log it was submitted to.
    pub origin: String,
    /// Its index in the log.
    pub index: u64,
    /// When the log recorded it (for an entry already logged, when it was first recorded).
    pub recorded_at: jiff::Timestamp,
    /// The Merkle leaf hash of the logged entry (the entry and its record time).
    pub leaf_hash: Hash,
    /// The entry's id (SHA-256 of its encoding).
    pub entry_id: Hash,
    /// True when the same entry was already logged: nothing was written.
    pub duplicate: bool,
}

/// Submits one pre-signed entry to the log its origin names, through the log's single
/// writer, and answers once the transaction holding it has committed. A sealed entry comes
/// with its salt and content (`submission.sealed`), which the writer checks against the
/// entry's commitment and stores apart; an open entry comes without. An entry the log
/// already holds is not written again: the answer is its first index and record time.
/// A refusal ([`Error::Append`]) carries the ledger's reason; nothing is written.
pub fn submit(store: &Store, submission: Submission) -> Result<Submitted> {
    let origin = submission.entry.entry.origin.clone();
    // The writer first (it refuses a log that does not exist): no pooled connection is held
    // here while it is started, which may need one (issue #17: several servers).
    let writer = store.writer(&origin)?;
    let entry_id = submission.entry.id();
    let receipt = writer.append(submission)?;
    answered(store, origin, entry_id, &receipt)
}

/// What a submitter keeps of the entry `receipt` acknowledges (`entry_id` is the entry's
/// id). A new entry's answer comes from the receipt alone: its index, record time and
/// leaf hash — of the very leaf the writer hashed and committed — so nothing is hashed
/// again or read back from the store. An entry the log held already is read back: its
/// record time is the first one, which the receipt does not carry.
pub(crate) fn answered(
    store: &Store,
    origin: String,
    entry_id: Hash,
    receipt: &Receipt,
) -> Result<Submitted> {
    if let (false, Some(leaf_hash)) = (receipt.duplicate, receipt.leaf_hash) {
        return Ok(Submitted {
            origin,
            index: receipt.index,
            recorded_at: receipt.recorded_at,
            leaf_hash,
            entry_id,
            duplicate: false,
        });
    }
    let mut ledger = store.ledger(Some(&origin))?;
    read_back(&mut ledger, origin, entry_id, receipt)
}

/// What a submitter keeps of the entry a receipt acknowledges, read back from the log
/// (refreshed past the receipt's index).
fn read_back(
    ledger: &mut Ledger,
    origin: String,
    entry_id: Hash,
    receipt: &Receipt,
) -> Result<Submitted> {
    let (logged, leaf_hash) = ledger.entry(receipt.index).map_err(|source| Error::Entry {
        index: receipt.index,
        source: Box::new(source),
    })?;
    if logged.signed.id() != entry_id {
        // INVARIANT: the writer acknowledges an entry only with the index it holds.
        return Err(Error::Store(accord_store::StoreError::Corrupt(format!(
            "entry #{} is not the entry acknowledged at that index",
            receipt.index
        ))));
    }
    Ok(Submitted {
        origin,
        index: receipt.index,
        recorded_at: logged.recorded_at,
        leaf_hash,
        entry_id,
        duplicate: receipt.duplicate,
    })
}

/// The latest import of every list the store holds, one per source, in source order:
/// the datasets a screening client chooses from.
pub fn latest_imports(store: &Store) -> Result<Vec<accord_store::lists::ImportSummary>> {
    let mut latest: Vec<accord_store::lists::ImportSummary> = Vec::new();
    // Newest first: the first import seen of a source is its latest.
    for import in store.lists()?.imports(None)? {
        if !latest.iter().any(|i| i.source == import.source) {
            latest.push(import);
        }
    }
    latest.sort_by(|a, b| a.source.cmp(&b.source));
    Ok(latest)
}

/// Every designation listed in the latest import of its list, ordered by source and
/// identifier: what screening compares names against (see [`crate::screen`]).
pub fn listed_designations(store: &Store) -> Result<Vec<accord_lists::Designation>> {
    Ok(store.lists()?.listed()?)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use accord_core::id::ParticipantId;
    use accord_core::id::{IndicatorId, UnitId};
    use accord_core::statement::{
        Confidentiality, Evidence, Method, Observation, Quantity, Statement,
    };
    use accord_ledger::entry::{Body, Entry, LoggedEntry};
    use accord_ledger::note::SignerKey;

    fn entry() -> accord_ledger::entry::SignedEntry {
        let iaea = ParticipantId::new("iaea").unwrap();
        let key = SignerKey::from_seed("k", [3; 32]).unwrap();
        Entry {
            origin: "accord.example/nowhere".into(),
            agreement: AgreementId::new("agreement-1").unwrap(),
            body: Body::Open(Statement::Evidence(Evidence {
                indicator: IndicatorId::new("stockpile").unwrap(),
                period: accord_core::time::Period::new(
                    jiff::civil::date(2026, 1, 1),
                    jiff::civil::date(2026, 3, 31),
                )
                .unwrap(),
                value: Observation::Quantity(
                    Quantity::new(1.5, UnitId::new("kg").unwrap()).unwrap(),
                ),
                method: Method::OnSiteInspection,
                attachments: vec![],
                confidentiality: Confidentiality::Public,
                note: None,
                escrow_until: None,
            })),
        }
        .sign(&[(&iaea, &key)])
    }

    /// A new entry's answer is the receipt's, with the leaf hash the writer computed:
    /// nothing is hashed again or read from the store (which holds no such log here); an
    /// entry logged already is read back (and here, not found).
    #[test]
    fn a_new_entry_is_answered_from_its_receipt_alone() {
        let dir = tempfile::tempdir().unwrap();
        let url = accord_store::StoreUrl::Sqlite(dir.path().join("empty.db"));
        let store = Store::open(&url).unwrap();
        let signed = entry();
        let recorded_at: jiff::Timestamp = "2026-12-07T06:30:00.123456789Z".parse().unwrap();
        let logged = LoggedEntry {
            signed: signed.clone(),
            recorded_at,
        };
        let receipt = Receipt {
            index: 41,
            duplicate: false,
            recorded_at,
            leaf_hash: Some(logged.leaf_hash()),
        };
        let origin = signed.entry.origin.clone();
        let answer = answered(&store, origin.clone(), signed.id(), &receipt);
        assert_eq!(
            answer.unwrap(),
            Submitted {
                origin: origin.clone(),
                index: 41,
                recorded_at,
                leaf_hash: logged.leaf_hash(),
                entry_id: signed.id(),
                duplicate: false,
            }
        );
        let logged_already = Receipt {
            duplicate: true,
            leaf_hash: None,
            ..receipt
        };
        assert!(answered(&store, origin, signed.id(), &logged_already).is_err());
    }
}
