//! The single writer of a log, as a pipeline of two threads. The verifying thread takes the
//! submissions in order, encodes each once and verifies their signatures in batches (split
//! over the cores when there are enough); the writing thread takes every verified group
//! waiting for it, checks the entries against the log (duplicates, roster, rules), writes
//! them in one durable transaction, and only then acknowledges each submitter through its
//! own channel (group commit). So the next submissions are verified while a batch commits,
//! and whatever was verified during a commit goes into the next one.
//!
//! INVARIANT: a receipt is sent only after the transaction holding its entry committed; a
//! refused entry is never written; the in-memory state (size, right edge of the tree,
//! roster) changes only after a commit succeeds, and is reloaded from the store after any
//! failure or conflict with another writer.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, mpsc};
use std::thread::JoinHandle;
use std::time::{Duration, Instant as Clock};

use accord_core::statement::Statement;
use accord_ledger::entry::{self, Body, Encoded, EntryError, LoggedEntry, SignedEntry};
use accord_ledger::merkle::{CompactRange, Hash, is_stored_level};
use accord_ledger::roster::{self};

use super::{Batch, LedgerBackend, LogInfo, Source, StoreError, StoredEntry};

/// How far the last record time may be ahead of the writer's clock. Record times never go
/// backwards: an entry is recorded at the later of the clock and the last record time, so
/// at most this far ahead of the clock; when the clock is further behind the last record
/// time than this (the clock was set back, or the log's last entry claims a time to come),
/// appends are refused rather than dated in the future.
pub const MAX_CLOCK_SKEW: jiff::SignedDuration = jiff::SignedDuration::from_secs(300);

/// Where record times come from: the wall clock, or a simulated one (`accord play`, tests).
pub type RecordClock = std::sync::Arc<dyn Fn() -> jiff::Timestamp + Send + Sync>;

/// How the writer groups appends.
#[derive(Clone)]
pub struct GroupCommit {
    /// The most entries in one transaction.
    pub max_batch: usize,
    /// How long the verifying thread waits for more submissions after the first of a
    /// group while it has too few to verify over the cores (what arrives while a batch
    /// commits is taken without waiting).
    pub max_wait: Duration,
    /// The clock that gives record times.
    pub clock: RecordClock,
}

impl std::fmt::Debug for GroupCommit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GroupCommit")
            .field("max_batch", &self.max_batch)
            .field("max_wait", &self.max_wait)
            .finish_non_exhaustive()
    }
}

impl Default for GroupCommit {
    fn default() -> Self {
        Self {
            max_batch: 1024,
            max_wait: Duration::from_millis(2),
            clock: std::sync::Arc::new(jiff::Timestamp::now),
        }
    }
}

/// One entry submitted for appending.
#[derive(Debug, Clone)]
pub struct Submission {
    /// The signed entry.
    pub entry: SignedEntry,
    /// For a sealed entry: the salt and content, checked against the commitment and
    /// stored apart.
    pub sealed: Option<([u8; 32], Vec<u8>)>,
}

/// The acknowledgement of a durable append.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    /// The entry's index.
    pub index: u64,
    /// True when the same entry was already logged (nothing was written).
    pub duplicate: bool,
    /// The record time (of this append; for a duplicate, of this attempt's batch).
    pub recorded_at: jiff::Timestamp,
    /// The Merkle leaf hash of the entry recorded at `recorded_at`, which the writer
    /// computed to write it: for an entry this batch wrote (and a copy of it later in the
    /// same batch). `None` for an entry the log held before, whose leaf carries its first
    /// record time: read it back.
    pub leaf_hash: Option<Hash>,
}

/// Why an append was not acknowledged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AppendError {
    /// The entry was checked and refused; nothing was written.
    #[error("entry refused: {0}")]
    Refused(#[from] EntryError),
    /// The store failed; the entry was not written.
    #[error("the store failed, the entry was not written: {0}")]
    Store(String),
    /// The writer has stopped.
    #[error("the log's writer has stopped")]
    Stopped,
    /// The clock is behind the log's last record time by more than [`MAX_CLOCK_SKEW`].
    #[error(
        "the clock ({now}) is behind the log's last record time ({last}) by more than {skew}: record times never go backwards, so nothing was written",
        skew = MAX_CLOCK_SKEW.as_secs()
    )]
    ClockBehind {
        /// The log's last record time (from its last entry).
        last: jiff::Timestamp,
        /// The clock.
        now: jiff::Timestamp,
    },
}

/// What a submitter is answered: the receipt once the entry is durable, or why not.
pub type Outcome = Result<Receipt, AppendError>;

/// What to do with the outcomes of a batch ([`Sequencer::submit_batch`]), one per entry in
/// the batch's order: called once, on the writer's thread (it should only hand them on).
pub type BatchDone = Box<dyn FnOnce(Vec<Outcome>) + Send>;

struct Job {
    submission: Submission,
    /// Its encoding when the submitter made it already ([`Sequencer::submit_batch`]);
    /// else the verifying thread makes it.
    encoded: Option<Encoded>,
    reply: Reply,
}

/// Where the writer sends one entry's outcome.
enum Reply {
    /// The entry's own channel ([`Sequencer::submit`]).
    Own(mpsc::Sender<Outcome>),
    /// Its place in a batch answered with one call ([`Sequencer::submit_batch`]).
    Part(Arc<Gathered>, usize),
}

impl Reply {
    fn send(self, outcome: Outcome) {
        match self {
            Reply::Own(tx) => {
                let _ = tx.send(outcome);
            }
            Reply::Part(gathered, slot) => gathered.put(slot, outcome),
        }
    }
}

/// The outcomes of a batch as they come, answered in one call when the last of its jobs
/// is gone: answered, or dropped unanswered (a writer that stopped), which answers
/// `Stopped` — so a batch is answered exactly once whatever becomes of its jobs, as a
/// dropped channel tells a single submitter.
struct Gathered {
    outcomes: Mutex<Vec<Option<Outcome>>>,
    done: Mutex<Option<BatchDone>>,
}

impl Gathered {
    fn put(&self, slot: usize, outcome: Outcome) {
        if let Ok(mut outcomes) = self.outcomes.lock()
            && let Some(place) = outcomes.get_mut(slot)
        {
            *place = Some(outcome);
        }
    }
}

impl Drop for Gathered {
    fn drop(&mut self) {
        let done = self.done.get_mut().ok().and_then(Option::take);
        let outcomes = std::mem::take(self.outcomes.get_mut().unwrap_or_else(|e| e.into_inner()));
        if let Some(done) = done {
            done(
                outcomes
                    .into_iter()
                    .map(|o| o.unwrap_or(Err(AppendError::Stopped)))
                    .collect(),
            );
        }
    }
}

/// A submission as the verifying thread leaves it: encoded once, signatures checked.
struct Prepared {
    encoded: Encoded,
    verdict: Verdict,
}

/// Submissions in order, each with its preparation: what the verifying thread hands to
/// the writing thread.
struct Verified {
    jobs: Vec<Job>,
    prepared: Vec<Prepared>,
}

/// How many verified groups may wait for the writer: enough to keep verifying while a
/// batch commits, few enough that the submission queue, not this one, holds the backlog.
const VERIFIED_QUEUE: usize = 4;

/// Below this many submissions a group is verified on one thread (splitting costs a
/// thread and shrinks each batch verification); from it, over the cores.
const PARALLEL_FROM: usize = 128;

/// The handle to a log's writer threads. Submit from as many threads as you like.
pub struct Sequencer {
    tx: Option<mpsc::SyncSender<Job>>,
    /// The verifying thread, then the writing thread (stopped in this order).
    threads: Vec<JoinHandle<()>>,
}

impl std::fmt::Debug for Sequencer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sequencer")
    }
}

impl Sequencer {
    pub(super) fn start(
        backend: Box<dyn LedgerBackend>,
        origin: &str,
        config: GroupCommit,
    ) -> Result<Self, StoreError> {
        let queue = config.max_batch.max(1) * 4;
        let mut writer = Writer {
            backend,
            origin: origin.to_owned(),
            info: None,
            range: CompactRange::new(),
            config,
        };
        writer.reload()?;
        let (tx, rx) = mpsc::sync_channel::<Job>(queue);
        let (verified_tx, verified_rx) = mpsc::sync_channel::<Verified>(VERIFIED_QUEUE);
        let collecting = writer.config.clone();
        let verifier = std::thread::Builder::new()
            .name("accord-ledger-verify".into())
            .spawn(move || verify_stage(&rx, &verified_tx, &collecting))?;
        let mut sequencer = Self {
            tx: Some(tx),
            threads: vec![verifier],
        };
        let writer = std::thread::Builder::new()
            .name("accord-ledger-writer".into())
            .spawn(move || writer.run(&verified_rx))?;
        sequencer.threads.push(writer);
        Ok(sequencer)
    }

    /// Submits an entry; the receiver yields the receipt once the entry is durable.
    pub fn submit(&self, submission: Submission) -> mpsc::Receiver<Outcome> {
        let (reply, rx) = mpsc::channel();
        self.send(Job {
            submission,
            encoded: None,
            reply: Reply::Own(reply),
        });
        rx
    }

    /// Submits each entry of `items` in order, with its encoding made already
    /// (INVARIANT: [`SignedEntry::encoded`] of the entry, or the bytes it was strictly
    /// decoded from, which are the same), so the writer does not encode it again; `done`
    /// gets every outcome in the batch's order, in one call, once the last is durable or
    /// refused. Each entry is judged on its own, as if submitted alone in turn: one refused
    /// does not hold back the others.
    pub fn submit_batch(&self, items: Vec<(Submission, Encoded)>, done: BatchDone) {
        debug_assert!(
            items.iter().all(|(s, e)| *e == s.entry.encoded()),
            "an encoding that is not its entry's"
        );
        let gathered = Arc::new(Gathered {
            outcomes: Mutex::new(vec![None; items.len()]),
            done: Mutex::new(Some(done)),
        });
        for (slot, (submission, encoded)) in items.into_iter().enumerate() {
            self.send(Job {
                submission,
                encoded: Some(encoded),
                reply: Reply::Part(Arc::clone(&gathered), slot),
            });
        }
    }

    /// Queues `job` for the writer, or answers it `Stopped` when the writer has stopped.
    fn send(&self, job: Job) {
        let refused = match &self.tx {
            Some(tx) => tx.send(job).err().map(|mpsc::SendError(job)| job),
            None => Some(job),
        };
        if let Some(job) = refused {
            job.reply.send(Err(AppendError::Stopped));
        }
    }

    /// Submits an entry and waits until it is durable.
    pub fn append(&self, submission: Submission) -> Result<Receipt, AppendError> {
        self.submit(submission)
            .recv()
            .unwrap_or(Err(AppendError::Stopped))
    }

    /// Stops the writer after it has handled everything submitted so far.
    pub fn shutdown(mut self) {
        self.stop();
    }

    fn stop(&mut self) {
        self.tx = None;
        for thread in self.threads.drain(..) {
            let _ = thread.join();
        }
    }
}

impl Drop for Sequencer {
    fn drop(&mut self) {
        self.stop();
    }
}

struct Writer {
    backend: Box<dyn LedgerBackend>,
    origin: String,
    info: Option<LogInfo>,
    range: CompactRange,
    config: GroupCommit,
}

impl Writer {
    fn reload(&mut self) -> Result<(), StoreError> {
        self.info = None;
        let mut info = self.backend.log_info(&self.origin)?;
        // The last record time is the last entry's, not the copy in the log's row: a row
        // edited to a time to come must not date the next entries.
        info.last_recorded = match info.size.checked_sub(1) {
            None => None,
            Some(last) => {
                let rows = self.backend.entries(info.id, last, info.size)?;
                let Some((_, _, leaf, _)) = rows.first() else {
                    return Err(StoreError::Corrupt(format!("entry #{last} is missing")));
                };
                let logged = LoggedEntry::decode(leaf)
                    .map_err(|e| StoreError::Corrupt(format!("entry #{last}: {e}")))?;
                Some(logged.recorded_at)
            }
        };
        let source = Source {
            backend: std::cell::RefCell::new(self.backend.as_mut()),
            log: info.id,
        };
        self.range = CompactRange::from_source(&source, info.size)?;
        self.info = Some(info);
        Ok(())
    }

    /// Commits every verified group waiting, up to [`GroupCommit::max_batch`] entries,
    /// while the verifying thread prepares the next ones.
    fn run(mut self, verified: &mpsc::Receiver<Verified>) {
        let mut carried: Option<Verified> = None;
        loop {
            let mut batch = match carried.take() {
                Some(group) => group,
                None => match verified.recv() {
                    Ok(group) => group,
                    Err(_) => break,
                },
            };
            while batch.jobs.len() < self.config.max_batch {
                let Ok(more) = verified.try_recv() else { break };
                if batch.jobs.len() + more.jobs.len() > self.config.max_batch {
                    carried = Some(more);
                    break;
                }
                batch.jobs.extend(more.jobs);
                batch.prepared.extend(more.prepared);
            }
            self.process(batch.jobs, &batch.prepared);
        }
    }

    fn process(&mut self, jobs: Vec<Job>, prepared: &[Prepared]) {
        let mut last_error = String::from("repeated conflicts with another writer");
        for attempt in 0..64u64 {
            if self.info.is_none()
                && let Err(e) = self.reload()
            {
                last_error = e.to_string();
                continue;
            }
            match self.try_commit(&jobs, prepared) {
                Ok(results) => {
                    for (job, result) in jobs.into_iter().zip(results) {
                        job.reply.send(result);
                    }
                    return;
                }
                Err(StoreError::Conflict) => {
                    // Another process appended: reload its entries and try again, backing
                    // off so that two busy writers do not keep overtaking each other.
                    self.info = None;
                    std::thread::sleep(Duration::from_millis(attempt.min(20) + 1));
                }
                Err(StoreError::ClockBehind { last, now }) => {
                    for job in jobs {
                        job.reply.send(Err(AppendError::ClockBehind { last, now }));
                    }
                    return;
                }
                Err(e) => {
                    last_error = e.to_string();
                    self.info = None;
                    break;
                }
            }
        }
        for job in jobs {
            job.reply.send(Err(AppendError::Store(last_error.clone())));
        }
    }

    fn try_commit(
        &mut self,
        jobs: &[Job],
        prepared: &[Prepared],
    ) -> Result<Vec<Result<Receipt, AppendError>>, StoreError> {
        let Some(info) = self.info.as_ref() else {
            return Err(StoreError::Conflict);
        };
        let at = record_time(info.last_recorded, (self.config.clock)())?;
        let ids: Vec<Hash> = prepared.iter().map(|p| p.encoded.id).collect();
        let logged = self.backend.find_ids(info.id, &ids)?;
        let copy_of = copies_in_batch(&ids);
        let mut roster = info.roster.clone();
        let judged = Judged {
            origin: &info.origin,
            at,
            logged: &logged,
            copy_of: &copy_of,
        };
        let (mut results, roster_changed) = judged.judge(jobs, prepared, &mut roster);

        let mut range = self.range.clone();
        let mut batch = Batch::default();
        let mut next = info.size;
        for (i, (job, prep)) in jobs.iter().zip(prepared).enumerate() {
            if results[i].is_some() || copy_of[i].is_some() {
                continue;
            }
            let leaf = prep.encoded.leaf_bytes(at);
            let leaf_hash = accord_ledger::merkle::leaf_hash(&leaf);
            range.push(leaf_hash, |level, idx, hash| {
                if is_stored_level(level) {
                    batch.nodes.push((level, idx, *hash));
                }
            });
            batch.entries.push(StoredEntry {
                index: next,
                entry_id: ids[i],
                leaf,
                leaf_hash,
                sealed: job.submission.sealed.clone(),
            });
            results[i] = Some(Ok(Receipt {
                index: next,
                duplicate: false,
                recorded_at: at,
                leaf_hash: Some(leaf_hash),
            }));
            next += 1;
        }
        for (i, copy) in copy_of.iter().enumerate() {
            if let Some(j) = *copy {
                results[i] = results[j].clone().map(|r| {
                    r.map(|receipt| Receipt {
                        duplicate: true,
                        ..receipt
                    })
                });
            }
        }
        if !batch.entries.is_empty() {
            batch.last_recorded = Some(at);
            batch.roster = roster_changed.then(|| roster.clone());
            self.backend.append(info.id, info.size, &batch)?;
            // Committed: only now does the in-memory state move.
            self.range = range;
            if let Some(info) = self.info.as_mut() {
                info.size = next;
                info.last_recorded = Some(at);
                info.roster = roster;
            }
        }
        Ok(results
            .into_iter()
            .map(|r| r.unwrap_or(Err(AppendError::Stopped)))
            .collect())
    }
}

/// What a batch's entries are judged against: the log, the record time, which of them
/// are logged already and which repeat an earlier one of the batch.
struct Judged<'a> {
    origin: &'a str,
    at: jiff::Timestamp,
    logged: &'a [Option<u64>],
    copy_of: &'a [Option<usize>],
}

impl Judged<'_> {
    /// The outcome of each entry that is not to be written (a duplicate's receipt, a
    /// refusal), `None` for those to write and for the copies; and whether a key event
    /// changed `roster` (the roster of the entries that follow it).
    fn judge(
        &self,
        jobs: &[Job],
        prepared: &[Prepared],
        roster: &mut roster::Roster,
    ) -> (Vec<Option<Result<Receipt, AppendError>>>, bool) {
        let mut results: Vec<Option<Result<Receipt, AppendError>>> = vec![None; jobs.len()];
        let mut roster_changed = false;
        for (i, (job, prep)) in jobs.iter().zip(prepared).enumerate() {
            if self.copy_of.get(i).copied().flatten().is_some() {
                continue;
            }
            if let Some(Some(index)) = self.logged.get(i) {
                results[i] = Some(Ok(Receipt {
                    index: *index,
                    duplicate: true,
                    recorded_at: self.at,
                    leaf_hash: None,
                }));
                continue;
            }
            let signed = &job.submission.entry;
            let len = prep.encoded.bytes.len();
            let outcome = check(
                signed,
                len,
                &job.submission.sealed,
                self.origin,
                roster,
                self.at,
            )
            .and_then(|()| prep.verdict.clone());
            results[i] = match (outcome, &signed.entry.body) {
                (Err(e), _) => Some(Err(AppendError::Refused(e))),
                // Applied now, so that later entries of the batch may use the new key.
                (Ok(()), Body::Open(Statement::KeyEvent(event))) => match roster.apply(event) {
                    Ok(()) => {
                        roster_changed = true;
                        None
                    }
                    Err(e) => Some(Err(AppendError::Refused(e))),
                },
                (Ok(()), _) => None,
            };
        }
        (results, roster_changed)
    }
}

/// The acceptance rules of one entry (its signatures apart), and for a sealed entry those
/// of its content too, which must come with it.
fn check(
    signed: &SignedEntry,
    len: usize,
    sealed: &Option<([u8; 32], Vec<u8>)>,
    origin: &str,
    roster: &roster::Roster,
    at: jiff::Timestamp,
) -> Result<(), EntryError> {
    roster::check_entry_encoded(signed, len, origin, roster, at)?;
    match (&signed.entry.body, sealed) {
        (Body::Sealed { .. }, Some((salt, content))) => {
            // The content is at hand: apply the rules of its kind too.
            let statement = entry::reveal(&signed.entry.body, salt, content)?;
            let mut open = signed.clone();
            open.entry.body = Body::Open(statement);
            roster::check_entry(&open, origin, roster, at)
        }
        (Body::Sealed { .. }, None) => Err(EntryError::Rule(
            "a sealed entry must come with its salt and content, to be stored apart".into(),
        )),
        (Body::Open(_), Some(_)) => Err(EntryError::Rule(
            "only sealed entries carry a separate content".into(),
        )),
        (Body::Open(_), None) => Ok(()),
    }
}

/// For each job, the earlier job of the batch with the same entry id, if any: a later copy
/// gets the first one's outcome.
fn copies_in_batch(ids: &[Hash]) -> Vec<Option<usize>> {
    let mut first_of: HashMap<Hash, usize> = HashMap::new();
    ids.iter()
        .enumerate()
        .map(|(i, id)| match first_of.get(id) {
            Some(&j) => Some(j),
            None => {
                first_of.insert(*id, i);
                None
            }
        })
        .collect()
}

/// The record time of the next batch: the later of the clock and the last record time,
/// refused when the clock is behind the last record time by more than [`MAX_CLOCK_SKEW`].
fn record_time(
    last: Option<jiff::Timestamp>,
    now: jiff::Timestamp,
) -> Result<jiff::Timestamp, StoreError> {
    match last {
        Some(last) if last.duration_since(now) > MAX_CLOCK_SKEW => {
            Err(StoreError::ClockBehind { last, now })
        }
        Some(last) => Ok(now.max(last)),
        None => Ok(now),
    }
}

/// The outcome of verifying one entry's signatures.
type Verdict = Result<(), EntryError>;

/// The verifying thread: takes the submissions in order, prepares them, and hands them
/// to the writing thread; when that one has stopped, answers the rest `Stopped`.
fn verify_stage(
    jobs: &mpsc::Receiver<Job>,
    verified: &mpsc::SyncSender<Verified>,
    config: &GroupCommit,
) {
    while let Ok(first) = jobs.recv() {
        let mut group = collect(jobs, first, config);
        let prepared = prepare(&mut group);
        let ready = Verified {
            jobs: group,
            prepared,
        };
        if let Err(mpsc::SendError(refused)) = verified.send(ready) {
            for job in refused.jobs.into_iter().chain(jobs.try_iter()) {
                job.reply.send(Err(AppendError::Stopped));
            }
            return;
        }
    }
}

/// Takes `first`, everything queued behind it, and what arrives within the group-commit
/// window while there are too few to verify over the cores.
fn collect(rx: &mpsc::Receiver<Job>, first: Job, config: &GroupCommit) -> Vec<Job> {
    let mut jobs = vec![first];
    let deadline = Clock::now() + config.max_wait;
    while jobs.len() < config.max_batch {
        match rx.try_recv() {
            Ok(job) => {
                jobs.push(job);
                continue;
            }
            Err(mpsc::TryRecvError::Disconnected) => break,
            Err(mpsc::TryRecvError::Empty) if jobs.len() >= PARALLEL_FROM => break,
            Err(mpsc::TryRecvError::Empty) => {}
        }
        let now = Clock::now();
        if now >= deadline {
            break;
        }
        match rx.recv_timeout(deadline - now) {
            Ok(job) => jobs.push(job),
            Err(_) => break,
        }
    }
    jobs
}

/// Encodes each submission once (unless its submitter did) and verifies the signatures
/// in batches, split over the machine's cores (signature checks are the cost of
/// ingestion); small groups stay on this thread.
fn prepare(jobs: &mut [Job]) -> Vec<Prepared> {
    let given: Vec<Option<Encoded>> = jobs.iter_mut().map(|j| j.encoded.take()).collect();
    let jobs: &[Job] = jobs;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    if cores < 2 || jobs.len() < PARALLEL_FROM {
        return prepare_part(jobs, given);
    }
    let chunk = jobs.len().div_ceil(cores);
    // The given encodings cut as the jobs are, part for part.
    let mut given = given.into_iter();
    let given_parts: Vec<Vec<Option<Encoded>>> = jobs
        .chunks(chunk)
        .map(|part| given.by_ref().take(part.len()).collect())
        .collect();
    std::thread::scope(|scope| {
        let mut parts = jobs.chunks(chunk).zip(given_parts);
        let (here, here_given) = parts.next().unwrap_or_default();
        let handles: Vec<_> = parts
            .map(|(part, given)| (part, scope.spawn(move || prepare_part(part, given))))
            .collect();
        let mut out = prepare_part(here, here_given);
        for (part, handle) in handles {
            match handle.join() {
                Ok(prepared) => out.extend(prepared),
                // A panicking verifier refuses its part rather than accepting it.
                Err(_) => out.extend(part.iter().map(|job| Prepared {
                    encoded: job.submission.entry.encoded(),
                    verdict: Err(EntryError::Rule(
                        "signature verification failed internally".into(),
                    )),
                })),
            }
        }
        out
    })
}

/// [`prepare`] for `jobs` on this thread; `given` holds the encodings their submitters
/// made (one per job, `None` for those to encode here).
fn prepare_part(jobs: &[Job], given: Vec<Option<Encoded>>) -> Vec<Prepared> {
    let encoded: Vec<Encoded> = jobs
        .iter()
        .zip(given)
        .map(|(j, given)| given.unwrap_or_else(|| j.submission.entry.encoded()))
        .collect();
    let entries: Vec<&SignedEntry> = jobs.iter().map(|j| &j.submission.entry).collect();
    let messages: Vec<&[u8]> = encoded.iter().map(Encoded::signed_bytes).collect();
    let verdicts = roster::verify_batch_signed(&entries, &messages);
    encoded
        .into_iter()
        .zip(verdicts)
        .map(|(encoded, verdict)| Prepared { encoded, verdict })
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// A batch whose jobs are dropped unanswered (a writer that stopped) is still answered,
    /// once, `Stopped` where no outcome came, as a dropped channel answers one submitter.
    #[test]
    fn a_batch_dropped_unanswered_is_answered_stopped_once() {
        let (tx, rx) = mpsc::channel();
        let gathered = Arc::new(Gathered {
            outcomes: Mutex::new(vec![None; 3]),
            done: Mutex::new(Some(Box::new(move |outcomes| tx.send(outcomes).unwrap()))),
        });
        let part = |slot| Reply::Part(Arc::clone(&gathered), slot);
        let (first, second, third) = (part(0), part(1), part(2));
        drop(gathered);
        let receipt = Receipt {
            index: 7,
            duplicate: false,
            recorded_at: jiff::Timestamp::UNIX_EPOCH,
            leaf_hash: Some([3; 32]),
        };
        second.send(Ok(receipt.clone()));
        drop(first);
        assert!(
            rx.try_recv().is_err(),
            "answered before its last job is gone"
        );
        drop(third);
        assert_eq!(
            rx.recv().unwrap(),
            vec![
                Err(AppendError::Stopped),
                Ok(receipt),
                Err(AppendError::Stopped)
            ]
        );
        assert!(rx.recv().is_err());
    }
}
