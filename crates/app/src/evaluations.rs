//! Evaluations served from a cache kept per agreement (issues #13, #14): what a long-lived
//! process (the server) asks of an agreement again and again — its state as of an
//! instant, an explanation, its timeline, its dashboard pages — answered without reading,
//! verifying and replaying the whole log on every request.
//!
//! Each agreement of each store has a [`Slot`]: its registered versions (with their
//! SHA-256s), the log read so far (verified, and decoded into the statements the engine
//! reads), an [`Evaluator`] fed every one of them, and what verifying the log left behind
//! (the recomputed tree, the roster, the last record time). A request first brings the slot
//! up to date — cheaply: the log's size and the registered SHA-256s are read, and only the
//! entries appended since (by this process or another: the size is read from the store
//! every time) are read, verified by the same rules as [`crate::log::read`] and appended
//! to the evaluator — then derives. Derived states are memoised per (instant, reading) in
//! a small map that any growth of the log empties, so the same instant asked twice costs a
//! lookup; an instant never asked before (a "now") costs one derivation, in time
//! proportional to the agreement, not to the log.
//!
//! INVARIANT: an answer from the cache is the answer [`crate::evaluate::Inputs`] gives from
//! a full read of the same store, byte for byte (a scenario test compares them on both
//! stores). To keep it so, the slot is rebuilt from a full verified read whenever it cannot
//! be sure it extends what it read: the log shrank, is another log (its store row id or
//! origin differ), or the store's root at the slot's size is not the root the slot
//! computed (a store replaced under the same URL); and any error on the way empties the
//! slot, so the next request starts from a full read again.
//!
//! Concurrency: one lock per agreement (requests for different agreements never wait for
//! each other), held while the slot is brought up to date and the state derived; the map of
//! slots is locked only to find or insert one. Callers on an async runtime run these calls
//! on its blocking pool, like every other use case.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};

use accord_core::agreement::Agreement;
use accord_core::engine::state::State;
use accord_core::engine::{Change, Evaluator};
use accord_core::statement::LoggedStatement;
use accord_core::time::{Date, Instant};
use accord_ledger::entry::{Body, LoggedEntry};
use accord_ledger::merkle::{Hash, MemoryTree};
use accord_ledger::note::VerifierKey;
use accord_ledger::verify::Frontier;
use accord_store::ledger::{Ledger, LogInfo, Unverified};
use accord_store::{Store, StoreError};

use crate::error::{Error, Result};
use crate::evaluate::Reading;
use crate::reports::Reports;
use crate::time::AsOf;

/// How many derived states an agreement keeps (per log size): enough for the pages of a
/// few instants being looked at, small enough that a stream of "now"s costs nothing.
const STATES_KEPT: usize = 64;

/// How many timelines an agreement keeps (per log size).
const TIMELINES_KEPT: usize = 8;

/// Past this many new entries, the slot is rebuilt by a full verified read, which trusts
/// the prefix a signed checkpoint covers and verifies signatures in batches, rather than
/// by reading and verifying entries one at a time.
const FULL_READ_PAST: u64 = 4096;

/// The evaluation cache of a process: one slot per (store, agreement).
#[derive(Debug, Default)]
pub struct Evaluations {
    slots: Mutex<HashMap<(String, String), SlotCell>>,
    /// Every request answered by a full read and evaluation instead: the code path the
    /// cache replaces, kept as the benchmarks' baseline.
    uncached: bool,
}

/// One agreement's slot (empty until first asked for, or after a failed update) under
/// its own lock.
type SlotCell = Arc<Mutex<Option<Slot>>>;

/// An agreement evaluated as of an instant, as the cache holds it: shared, not copied.
#[derive(Debug, Clone)]
pub struct Evaluated {
    /// The agreement's registered versions, in order.
    pub versions: Arc<Vec<Agreement>>,
    /// Its log as read (sealed entries this store cannot open left out), in index order.
    pub log: Arc<Vec<LoggedStatement>>,
    /// The commitment of every sealed (confidential) entry of the log, by index: all the
    /// public log holds of them. `None` when not cached (read from the store when asked).
    pub sealed: Option<Arc<BTreeMap<u64, Hash>>>,
    /// Where each indicator's reports are in `log` (what the indicator page reads instead
    /// of the whole log).
    pub reports: Arc<Reports>,
    /// The state.
    pub state: Arc<State>,
}

impl Evaluated {
    /// The version that governs the state (the last one when none is named).
    pub fn governing(&self) -> Option<&Agreement> {
        self.versions
            .iter()
            .find(|v| v.version == self.state.version)
            .or(self.versions.last())
    }

    /// The commitments of the sealed entries among `indices`, as
    /// [`crate::dashboard::sealed_commitments`] reads them from `store`.
    pub fn sealed_among(&self, store: &Store, indices: &[u64]) -> Result<BTreeMap<u64, Hash>> {
        match &self.sealed {
            Some(sealed) => Ok(indices
                .iter()
                .filter_map(|i| sealed.get(i).map(|c| (*i, *c)))
                .collect()),
            None => crate::dashboard::sealed_commitments(store, &self.state.agreement, indices),
        }
    }
}

impl Evaluations {
    /// An empty cache.
    pub fn new() -> Evaluations {
        Evaluations::default()
    }

    /// No cache at all: every request reads, verifies and evaluates the whole log, as
    /// [`crate::evaluate::Inputs`] does (the benchmarks' baseline).
    pub fn uncached() -> Evaluations {
        Evaluations {
            uncached: true,
            ..Evaluations::default()
        }
    }

    /// The state of the registered `agreement` as of `as_of`, read as asked (see
    /// [`crate::evaluate::Inputs::evaluate_as`]), with the versions and the log it was
    /// derived from.
    pub fn state(
        &self,
        store: &Store,
        agreement: &str,
        as_of: Instant,
        reading: &Reading,
    ) -> Result<Evaluated> {
        if self.uncached {
            return evaluated_from_full_read(store, agreement, AsOf::At(as_of), reading);
        }
        self.with_slot(store, agreement, |slot| slot.evaluated(as_of, reading))
    }

    /// The instant `as_of` means for the registered `agreement`: a date is its end in the
    /// agreement's zone, as [`crate::time::registered_as_of`] says, from the versions the
    /// cache holds (reading, checking and verifying the registered versions again for
    /// every request was most of a cached request's time).
    pub fn instant(&self, store: &Store, agreement: &str, as_of: AsOf) -> Result<Instant> {
        match as_of {
            AsOf::At(instant) => Ok(instant),
            AsOf::EndOf(_) if self.uncached => {
                crate::time::registered_as_of(store, agreement, as_of)
            }
            AsOf::EndOf(_) => {
                self.with_slot(store, agreement, |slot| slot.instant(agreement, as_of))
            }
        }
    }

    /// [`Evaluations::state`] as of a cut that may be a date: its end in the agreement's
    /// zone (its first version's, as [`crate::evaluate::Inputs::instant`] reads it), taken
    /// from the versions the cache holds rather than read from the store again.
    pub fn state_as_of(
        &self,
        store: &Store,
        agreement: &str,
        as_of: AsOf,
        reading: &Reading,
    ) -> Result<Evaluated> {
        if self.uncached {
            return evaluated_from_full_read(store, agreement, as_of, reading);
        }
        self.with_slot(store, agreement, |slot| {
            let instant = slot.instant(agreement, as_of)?;
            slot.evaluated(instant, reading)
        })
    }

    /// Every state change of the registered `agreement` from `from` to `to` (see
    /// [`crate::evaluate::Inputs::timeline`]).
    pub fn timeline(
        &self,
        store: &Store,
        agreement: &str,
        from: Option<Date>,
        to: Date,
    ) -> Result<Arc<Vec<Change>>> {
        if self.uncached {
            return Ok(Arc::new(full_read(store, agreement)?.timeline(from, to)?));
        }
        self.with_slot(store, agreement, |slot| slot.timeline(from, to))
    }

    /// Runs `work` on the agreement's slot, brought up to date, under its lock. A failure
    /// to bring it up to date empties the slot; a failure of `work` (an unknown view, say)
    /// leaves it as it is.
    fn with_slot<T>(
        &self,
        store: &Store,
        agreement: &str,
        work: impl FnOnce(&mut Slot) -> Result<T>,
    ) -> Result<T> {
        let cell = {
            let mut slots = lock(&self.slots);
            let key = (store.url().to_string(), agreement.to_owned());
            slots.entry(key).or_default().clone()
        };
        let mut guard = lock(&cell);
        let taken = guard.take();
        let mut slot = Slot::current(taken, store, agreement)?;
        let answer = work(&mut slot);
        // What the memos let go of is freed once the lock is released: a derived state
        // of a long log is thousands of allocations, and every "now" lets one go.
        let forgotten = (slot.states.forgotten(), slot.timelines.forgotten());
        *guard = Some(slot);
        drop(guard);
        drop(forgotten);
        answer
    }
}

/// The agreement's versions and log read in full, as every request did before the cache.
fn full_read(store: &Store, agreement: &str) -> Result<crate::evaluate::Inputs> {
    crate::evaluate::Inputs::read(
        &crate::evaluate::AgreementSource::Registered(agreement.to_owned()),
        crate::evaluate::LogSource::Store(store),
    )
}

/// The state as of `as_of` from one full read, with what it was derived from (the
/// uncached baseline's answer).
fn evaluated_from_full_read(
    store: &Store,
    agreement: &str,
    as_of: AsOf,
    reading: &Reading,
) -> Result<Evaluated> {
    let inputs = full_read(store, agreement)?;
    let state = Arc::new(inputs.evaluate_as(as_of, reading)?);
    Ok(Evaluated {
        versions: Arc::new(inputs.versions),
        reports: Arc::new(Reports::new(&inputs.log)),
        log: Arc::new(inputs.log),
        sealed: None,
        state,
    })
}

/// A poisoned lock is taken over: what it guards is only ever replaced whole, or emptied
/// before work on it starts (see [`Evaluations::with_slot`]).
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// One agreement's cache.
#[derive(Debug)]
struct Slot {
    /// The SHA-256s of the registered versions the slot was built from, in version order.
    shas: Vec<String>,
    versions: Arc<Vec<Agreement>>,
    /// The store's row id and the origin of the log read.
    log_id: i64,
    origin: String,
    log: Arc<Vec<LoggedStatement>>,
    sealed: Arc<BTreeMap<u64, Hash>>,
    /// The reports of `log`, pushed as it grows.
    reports: Arc<Reports>,
    evaluator: Evaluator,
    chain: Chain,
    states: Memo<(Instant, Reading), Arc<State>>,
    timelines: Memo<(Option<Date>, Date), Arc<Vec<Change>>>,
}

/// What verifying the log so far left behind, to verify what comes next.
#[derive(Debug)]
struct Chain {
    /// Where verification stands: the tree recomputed from every leaf read (its size is
    /// the number of entries read), the roster after their key events, the last record
    /// time. New entries are verified from here by the rules of a full read.
    frontier: Frontier,
    /// The latest stored checkpoint checked against the tree.
    checkpoint: Option<(u64, String)>,
}

impl Slot {
    /// The instant `as_of` means for this agreement (a date: its end in the zone of the
    /// first version, which governs every version).
    fn instant(&self, agreement: &str, as_of: AsOf) -> Result<Instant> {
        match (as_of, self.versions.first()) {
            (AsOf::At(instant), _) => Ok(instant),
            (AsOf::EndOf(_), Some(first)) => as_of.for_agreement(first),
            (AsOf::EndOf(_), None) => Err(Error::NoVersion(agreement.to_owned())),
        }
    }

    /// The state as of `as_of`, read as asked, with what it was derived from.
    fn evaluated(&mut self, as_of: Instant, reading: &Reading) -> Result<Evaluated> {
        let state = self.state(as_of, reading)?;
        Ok(Evaluated {
            versions: self.versions.clone(),
            log: self.log.clone(),
            sealed: Some(self.sealed.clone()),
            reports: self.reports.clone(),
            state,
        })
    }

    /// `previous` brought up to date with the store (or built from a full read when there
    /// is none, or it cannot be extended).
    fn current(previous: Option<Slot>, store: &Store, agreement: &str) -> Result<Slot> {
        let texts = store.agreement_texts(agreement)?;
        let shas: Vec<String> = texts.iter().map(|t| t.sha256.clone()).collect();
        let changed_versions = previous.as_ref().is_none_or(|s| s.shas != shas);
        let versions = if changed_versions {
            if texts.is_empty() {
                return Err(Error::NotRegistered {
                    store: store.url().clone(),
                    agreement: agreement.to_owned(),
                });
            }
            let checked = crate::agreements::check_registered(texts)?;
            Arc::new(checked.into_iter().map(|v| v.agreement).collect::<Vec<_>>())
        } else {
            previous
                .as_ref()
                .map(|s| s.versions.clone())
                .unwrap_or_default()
        };
        let Some(first) = versions.first() else {
            return Err(Error::NoVersion(agreement.to_owned()));
        };
        let mut ledger = crate::log::find(store, &first.id)?;
        let slot = match previous {
            Some(slot) if slot.extends_to(&mut ledger)? => slot,
            _ => return Slot::read(&mut ledger, versions, shas),
        };
        let mut slot = if changed_versions {
            slot.with_versions(versions, shas)?
        } else {
            slot
        };
        slot.append_new(&mut ledger)?;
        Ok(slot)
    }

    /// Whether the log in the store extends what this slot read: the same log, no
    /// shorter, with the root the slot computed at the slot's size, and few enough new
    /// entries to read one at a time.
    fn extends_to(&self, ledger: &mut Ledger) -> Result<bool> {
        let info = ledger.info();
        let read = self.chain.frontier.tree.size();
        if info.id != self.log_id || info.origin != self.origin || info.size < read {
            return Ok(false);
        }
        if info.size - read > FULL_READ_PAST {
            return Ok(false);
        }
        Ok(read == 0 || ledger.root_at(read)? == self.chain.frontier.tree.root())
    }

    /// A slot from a full verified read of the log.
    fn read(ledger: &mut Ledger, versions: Arc<Vec<Agreement>>, shas: Vec<String>) -> Result<Slot> {
        let verified = ledger.read_verified()?;
        let info = ledger.info().clone();
        let tree = MemoryTree::from_leaves(verified.entries.iter().map(LoggedEntry::leaf_hash));
        let last_time = verified.entries.last().map(|e| e.recorded_at);
        let sealed: BTreeMap<u64, Hash> = (0u64..)
            .zip(&verified.entries)
            .filter_map(|(i, e)| commitment(e).map(|c| (i, c)))
            .collect();
        let log = crate::log::statements(ledger, verified.entries)?;
        let mut evaluator = Evaluator::new(&versions)?;
        for entry in &log {
            evaluator.append(entry);
        }
        let mut slot = Slot {
            shas,
            versions,
            log_id: info.id,
            origin: info.origin.clone(),
            reports: Arc::new(Reports::new(&log)),
            log: Arc::new(log),
            sealed: Arc::new(sealed),
            evaluator,
            chain: Chain {
                frontier: Frontier {
                    tree,
                    roster: info.roster.clone(),
                    last_time,
                },
                checkpoint: None,
            },
            states: Memo::new(STATES_KEPT),
            timelines: Memo::new(TIMELINES_KEPT),
        };
        // The read checked the latest checkpoint it saw; one stored since is checked here.
        let read = slot.chain.frontier.tree.size();
        slot.chain
            .check_checkpoints(&info, ledger.checkpoints()?, read)
            .map_err(|problem| unverified(&info, problem))?;
        Ok(slot)
    }

    /// The slot over other versions of the agreement (an amendment registered): the log
    /// read is kept, the evaluator fed it again.
    fn with_versions(mut self, versions: Arc<Vec<Agreement>>, shas: Vec<String>) -> Result<Slot> {
        let mut evaluator = Evaluator::new(&versions)?;
        for entry in self.log.iter() {
            evaluator.append(entry);
        }
        self.evaluator = evaluator;
        self.versions = versions;
        self.shas = shas;
        self.states.clear();
        self.timelines.clear();
        Ok(self)
    }

    /// Reads, verifies and appends the entries past those read, then checks the
    /// checkpoints stored since and the roster.
    fn append_new(&mut self, ledger: &mut Ledger) -> Result<()> {
        let info = ledger.info().clone();
        let read = self.chain.frontier.tree.size();
        // Nothing appended (a repeated question's usual case): no query for no entries.
        let appended = if info.size > read {
            ledger.read_verified_after(&mut self.chain.frontier)?
        } else {
            Vec::new()
        };
        for (index, logged) in (read..).zip(appended) {
            if let Some(commitment) = commitment(&logged) {
                Arc::make_mut(&mut self.sealed).insert(index, commitment);
            }
            if let Some(statement) = crate::log::statement(ledger, index, logged)? {
                self.evaluator.append(&statement);
                Arc::make_mut(&mut self.reports).push(self.log.len(), &statement);
                Arc::make_mut(&mut self.log).push(statement);
            }
        }
        if info.size > read {
            self.states.clear();
            self.timelines.clear();
        }
        self.chain
            .check_checkpoints(&info, ledger.checkpoints()?, read)
            .map_err(|problem| unverified(&info, problem))
    }

    /// The state as of `as_of`, read as asked: from the memo, else derived.
    fn state(&mut self, as_of: Instant, reading: &Reading) -> Result<Arc<State>> {
        let key = (as_of, reading.clone());
        if let Some(state) = self.states.get(&key) {
            return Ok(state.clone());
        }
        let state = match &reading.view {
            None => self.evaluator.state(as_of)?,
            Some(view) => {
                accord_core::engine::evaluate_view(&self.versions, &self.log, as_of, view)?
            }
        };
        let state = Arc::new(match reading.contract {
            Some(concluded) => state.for_contract(concluded),
            None => state,
        });
        self.states.insert(key, state.clone());
        Ok(state)
    }

    /// The timeline from `from` to `to`: from the memo, else computed over the log read.
    fn timeline(&mut self, from: Option<Date>, to: Date) -> Result<Arc<Vec<Change>>> {
        if let Some(changes) = self.timelines.get(&(from, to)) {
            return Ok(changes.clone());
        }
        let changes = Arc::new(accord_core::engine::timeline(
            &self.versions,
            &self.log,
            from,
            to,
        )?);
        self.timelines.insert((from, to), changes.clone());
        Ok(changes)
    }
}

/// A sealed entry's commitment.
fn commitment(logged: &LoggedEntry) -> Option<Hash> {
    match &logged.signed.entry.body {
        Body::Sealed { commitment, .. } => Some(*commitment),
        Body::Open(_) => None,
    }
}

fn unverified(info: &LogInfo, problem: Unverified) -> Error {
    Error::Store(StoreError::Unverified {
        origin: info.origin.clone(),
        problem: Box::new(problem),
    })
}

impl Chain {
    /// Checks every checkpoint stored at or past `read` (the size before this request's
    /// entries) and the latest one against the tree, and the stored roster against the one
    /// the key events made. Checkpoints past the entries read (stored after the log's size
    /// was read) are left to the next request.
    fn check_checkpoints(
        &mut self,
        info: &LogInfo,
        mut checkpoints: Vec<(u64, String)>,
        read: u64,
    ) -> std::result::Result<(), Unverified> {
        let size = self.frontier.tree.size();
        checkpoints.retain(|(s, _)| *s <= size);
        let latest = checkpoints.last().cloned();
        if latest != self.checkpoint {
            let log_key =
                VerifierKey::parse(&info.log_key).map_err(|e| Unverified::LogKey(e.to_string()))?;
            let fresh = checkpoints.iter().filter(|(size, _)| *size >= read);
            for (_, note) in fresh.chain(latest.as_ref()) {
                accord_ledger::verify::check_checkpoint(
                    &self.frontier.tree,
                    &info.origin,
                    note,
                    &log_key,
                )
                .map_err(Unverified::Checkpoint)?;
            }
            self.checkpoint = latest;
        }
        if self.frontier.roster != info.roster {
            return Err(Unverified::Roster);
        }
        Ok(())
    }
}

/// A small map that forgets its oldest entry when full. What it forgets is kept aside
/// until [`Memo::forgotten`] hands it over, to be freed outside the slot's lock.
#[derive(Debug)]
struct Memo<K, V> {
    map: BTreeMap<K, V>,
    order: VecDeque<K>,
    capacity: usize,
    forgotten: Vec<V>,
}

impl<K: Ord + Clone, V> Memo<K, V> {
    fn new(capacity: usize) -> Self {
        Memo {
            map: BTreeMap::new(),
            order: VecDeque::new(),
            capacity,
            forgotten: Vec::new(),
        }
    }

    fn get(&self, key: &K) -> Option<&V> {
        self.map.get(key)
    }

    fn insert(&mut self, key: K, value: V) {
        if self.map.len() >= self.capacity
            && let Some(oldest) = self.order.pop_front()
            && let Some(old) = self.map.remove(&oldest)
        {
            self.forgotten.push(old);
        }
        if let Some(replaced) = self.map.insert(key.clone(), value) {
            self.forgotten.push(replaced);
        } else {
            self.order.push_back(key);
        }
    }

    fn clear(&mut self) {
        self.forgotten
            .extend(std::mem::take(&mut self.map).into_values());
        self.order.clear();
    }

    /// What the memo let go of since it was last asked.
    fn forgotten(&mut self) -> Vec<V> {
        std::mem::take(&mut self.forgotten)
    }
}
