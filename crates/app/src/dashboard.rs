//! What the dashboard's pages ask of a store (issue #14) that no other use case answered:
//! every registered agreement evaluated as of one instant (the home page), a page of an
//! agreement's log read entry by entry, newest first, with each entry's leaf (so that a
//! browser can hash it itself) and, for a sealed entry, only its commitment — as the log
//! stood at an instant, when asked —, the public reports the server publishes for an
//! agreement (issue #15), and a simulation's result published beside the store (issue #16).
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
    /// Its published reports as of the instant, oldest first.
    pub reports: Vec<Published>,
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
            // An agreement registered without a log has published nothing.
            let published = id
                .parse::<AgreementId>()
                .ok()
                .map(|agreement| publications(store, &agreement, as_of));
            let reports = match published {
                Some(Ok(p)) => p.reports,
                Some(Err(crate::error::Error::NoLog { .. })) | None => Vec::new(),
                Some(Err(e)) => return Err(e),
            };
            Ok(Overview {
                id,
                title,
                state: State::clone(&evaluated.state),
                reports,
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
/// starting at `before - 1` (default: the last entry) — as the log stood at an instant
/// when one is asked for.
#[derive(Debug, Clone)]
pub struct LogPage {
    /// The log's origin.
    pub origin: String,
    /// Its size (as of the instant asked for: the entries recorded by then).
    pub size: u64,
    /// When its first entry was recorded (none in an empty log).
    pub first: Option<Instant>,
    /// The entries, newest first.
    pub entries: Vec<LogEntry>,
    /// The latest signed checkpoint (its size and the note), if any; as of an instant,
    /// the largest one that covers no entry recorded after it.
    pub checkpoint: Option<(u64, String)>,
    /// The zone the agreement counts its days in (its first version's; `None`: UTC),
    /// which a plain `as_of` date of the page was read in.
    pub zone: Option<String>,
}

/// How many of a log's first `size` entries were recorded by `as_of`: record times never
/// decrease along a log (the ledger refuses an entry recorded before its predecessor), so
/// a binary search reads about log2(size) entries, never the whole log.
fn size_at(ledger: &mut accord_store::ledger::Ledger, size: u64, as_of: Instant) -> Result<u64> {
    let (mut low, mut high) = (0, size);
    while low < high {
        let middle = low + (high - low) / 2;
        if ledger.entry(middle)?.0.recorded_at <= as_of {
            low = middle + 1;
        } else {
            high = middle;
        }
    }
    Ok(low)
}

/// Reads a page of `agreement`'s log (see [`LogPage`]); with `as_of`, as the log stood
/// then: the entries recorded by `as_of`, and the latest checkpoint among those that
/// cover only them.
pub fn log_page(
    store: &Store,
    agreement: &AgreementId,
    before: Option<u64>,
    limit: u64,
    as_of: Option<Instant>,
) -> Result<LogPage> {
    let mut ledger = crate::log::find(store, agreement)?;
    let stored = ledger.info().size;
    let size = match as_of {
        Some(instant) => size_at(&mut ledger, stored, instant)?,
        None => stored,
    };
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
    let first = match entries.last() {
        Some(e) if e.index == 0 => Some(e.recorded_at),
        _ if stored > 0 => Some(ledger.entry(0)?.0.recorded_at),
        _ => None,
    };
    let checkpoint = ledger
        .checkpoints()?
        .into_iter()
        .filter(|(at, _)| *at <= size)
        .max_by_key(|(at, _)| *at);
    let zone = match crate::agreements::registered(store, agreement.as_str()) {
        Ok(versions) => versions.first().and_then(|v| v.agreement.zone.clone()),
        Err(crate::Error::NotRegistered { .. }) => None,
        Err(e) => return Err(e),
    };
    Ok(LogPage {
        origin,
        size,
        first,
        entries,
        checkpoint,
        zone,
    })
}

/// A public report the server publishes (`/v1/agreements/{id}/reports/{as_of}/…`): one
/// for each signed checkpoint, as of the instant the checkpoint's last entry was
/// recorded. The report at that instant rests on that very checkpoint (the smallest
/// covering every entry recorded by then), so its address gives the same bytes every time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Published {
    /// The report's instant.
    pub as_of: Instant,
    /// The size of the checkpoint it rests on: the entries of its public log prefix.
    pub size: u64,
}

/// What the agreement's page shows of its log besides the state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Publications {
    /// The log's origin (the event stream names logs by it).
    pub origin: String,
    /// The published reports as of the instant, oldest first (at most
    /// [`PUBLISHED_SHOWN`], the latest).
    pub reports: Vec<Published>,
}

/// How many of the latest published reports a page lists (each costs two entry reads;
/// older ones stay at their addresses).
pub const PUBLISHED_SHOWN: usize = 12;

/// The log's origin and the reports published for `agreement` by `as_of` (see
/// [`Published`]). A checkpoint whose last entry shares its record time with the next
/// entry publishes no report of its own: a report at that instant needs the next
/// entry too, so it rests on a later checkpoint.
pub fn publications(
    store: &Store,
    agreement: &AgreementId,
    as_of: Instant,
) -> Result<Publications> {
    let mut ledger = crate::log::find(store, agreement)?;
    let size = ledger.info().size;
    let origin = ledger.info().origin.clone();
    let mut sizes: Vec<u64> = ledger
        .checkpoints()?
        .into_iter()
        .map(|(at, _)| at)
        .filter(|at| (1..=size).contains(at))
        .collect();
    sizes.sort_unstable();
    sizes.dedup();
    let mut reports = Vec::new();
    for at in sizes.into_iter().rev() {
        if reports.len() == PUBLISHED_SHOWN {
            break;
        }
        let last = ledger.entry(at - 1)?.0.recorded_at;
        if last > as_of {
            continue;
        }
        if at < size && ledger.entry(at)?.0.recorded_at == last {
            continue;
        }
        reports.push(Published {
            as_of: last,
            size: at,
        });
    }
    reports.reverse();
    Ok(Publications { origin, reports })
}

/// The largest `simulation.json` read: a simulation's result is tens of kilobytes.
pub const MAX_SIMULATION_SIZE: u64 = 16 * 1024 * 1024;

/// The simulation published for `agreement` under `dir` (`accord serve --simulations
/// DIR`): the text of `DIR/AGREEMENT/simulation.json`, as `accord simulate … --out
/// DIR/AGREEMENT` writes it, or `None` when there is none.
pub fn published_simulation(
    dir: &std::path::Path,
    agreement: &AgreementId,
) -> Result<Option<String>> {
    let path = dir.join(agreement.as_str()).join("simulation.json");
    if !path.is_file() {
        return Ok(None);
    }
    let read = || -> std::io::Result<String> {
        use std::io::Read as _;
        let mut text = String::new();
        std::fs::File::open(&path)?
            .take(MAX_SIMULATION_SIZE + 1)
            .read_to_string(&mut text)?;
        if text.len() as u64 > MAX_SIMULATION_SIZE {
            return Err(std::io::Error::other(
                "larger than 16 MiB: not a simulation's result",
            ));
        }
        Ok(text)
    };
    read()
        .map(Some)
        .map_err(|source| crate::error::Error::Read {
            what: "simulation",
            name: format!("{}/simulation.json", agreement.as_str()),
            source,
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
