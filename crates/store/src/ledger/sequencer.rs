//! The single writer of a log: collects submissions for a few milliseconds, checks them,
//! verifies their signatures in one batch, writes them in one durable transaction, and only
//! then acknowledges each submitter through its own channel (group commit). The signatures
//! of the next batch are verified on a helper thread while the current batch commits.
//!
//! INVARIANT: a receipt is sent only after the transaction holding its entry committed; a
//! refused entry is never written; the in-memory state (size, right edge of the tree,
//! roster) changes only after a commit succeeds, and is reloaded from the store after any
//! failure or conflict with another writer.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant as Clock};

use accord_core::statement::Statement;
use accord_ledger::entry::{self, Body, EntryError, LoggedEntry, SignedEntry};
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
    /// How long the writer waits for more submissions after the first of a batch.
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

struct Job {
    submission: Submission,
    reply: mpsc::Sender<Result<Receipt, AppendError>>,
}

/// The handle to a log's writer thread. Submit from as many threads as you like.
pub struct Sequencer {
    tx: Option<mpsc::SyncSender<Job>>,
    handle: Option<JoinHandle<()>>,
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
        let handle = std::thread::Builder::new()
            .name("accord-ledger-writer".into())
            .spawn(move || writer.run(rx))?;
        Ok(Self {
            tx: Some(tx),
            handle: Some(handle),
        })
    }

    /// Submits an entry; the receiver yields the receipt once the entry is durable.
    pub fn submit(&self, submission: Submission) -> mpsc::Receiver<Result<Receipt, AppendError>> {
        let (reply, rx) = mpsc::channel();
        let job = Job { submission, reply };
        match &self.tx {
            Some(tx) => {
                if let Err(mpsc::SendError(job)) = tx.send(job) {
                    let _ = job.reply.send(Err(AppendError::Stopped));
                }
            }
            None => {
                let _ = job.reply.send(Err(AppendError::Stopped));
            }
        }
        rx
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
        if let Some(h) = self.handle.take() {
            let _ = h.join();
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

    /// Commits one batch while the next is collected and its signatures verified on
    /// another thread (signature checks are pure, so they need not wait for the commit).
    fn run(mut self, rx: mpsc::Receiver<Job>) {
        let mut rx = Some(rx);
        let mut ready: Option<(Vec<Job>, Vec<Verdict>)> = None;
        loop {
            let (jobs, verdicts) = match ready.take() {
                Some(batch) => batch,
                None => {
                    let Some(r) = rx.as_ref() else { break };
                    let Ok(first) = r.recv() else { break };
                    let jobs = collect(r, first, &self.config);
                    let verdicts = verify_jobs(&jobs);
                    (jobs, verdicts)
                }
            };
            let receiver = rx.take();
            let config = self.config.clone();
            let committed = AtomicBool::new(false);
            let (next, back) = std::thread::scope(|scope| {
                let committed = &committed;
                let helper = scope.spawn(move || {
                    let Some(r) = receiver else {
                        return (None, None);
                    };
                    let first = loop {
                        match r.recv_timeout(Duration::from_millis(1)) {
                            Ok(job) => break Some(job),
                            Err(mpsc::RecvTimeoutError::Timeout) => {
                                if committed.load(Ordering::Acquire) {
                                    break None;
                                }
                            }
                            Err(mpsc::RecvTimeoutError::Disconnected) => break None,
                        }
                    };
                    let next = first.map(|first| {
                        let jobs = collect(&r, first, &config);
                        let verdicts = verify_jobs(&jobs);
                        (jobs, verdicts)
                    });
                    (next, Some(r))
                });
                self.process(jobs, &verdicts);
                committed.store(true, Ordering::Release);
                helper.join().unwrap_or((None, None))
            });
            rx = back;
            ready = next;
        }
    }

    fn process(&mut self, jobs: Vec<Job>, verdicts: &[Verdict]) {
        let mut last_error = String::from("repeated conflicts with another writer");
        for attempt in 0..64u64 {
            if self.info.is_none()
                && let Err(e) = self.reload()
            {
                last_error = e.to_string();
                continue;
            }
            match self.try_commit(&jobs, verdicts) {
                Ok(results) => {
                    for (job, result) in jobs.into_iter().zip(results) {
                        let _ = job.reply.send(result);
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
                        let _ = job.reply.send(Err(AppendError::ClockBehind { last, now }));
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
            let _ = job.reply.send(Err(AppendError::Store(last_error.clone())));
        }
    }

    fn try_commit(
        &mut self,
        jobs: &[Job],
        verdicts: &[Verdict],
    ) -> Result<Vec<Result<Receipt, AppendError>>, StoreError> {
        let Some(info) = self.info.as_ref() else {
            return Err(StoreError::Conflict);
        };
        let at = record_time(info.last_recorded, (self.config.clock)())?;
        let n = jobs.len();
        let ids: Vec<Hash> = jobs.iter().map(|j| j.submission.entry.id()).collect();
        let logged = self.backend.find_ids(info.id, &ids)?;

        let copy_of = copies_in_batch(&ids);

        let mut results: Vec<Option<Result<Receipt, AppendError>>> = vec![None; n];
        let mut roster = info.roster.clone();
        let mut roster_changed = false;
        let mut to_verify: Vec<usize> = Vec::new();
        for (i, job) in jobs.iter().enumerate() {
            if copy_of[i].is_some() {
                continue;
            }
            if let Some(Some(index)) = logged.get(i) {
                results[i] = Some(Ok(Receipt {
                    index: *index,
                    duplicate: true,
                    recorded_at: at,
                }));
                continue;
            }
            let signed = &job.submission.entry;
            let outcome = roster::check_entry(signed, &info.origin, &roster, at).and_then(|()| {
                match (&signed.entry.body, &job.submission.sealed) {
                    (Body::Sealed { .. }, Some((salt, content))) => {
                        // The content is at hand: apply the rules of its kind too.
                        let statement = entry::reveal(&signed.entry.body, salt, content)?;
                        let mut open = signed.clone();
                        open.entry.body = Body::Open(statement);
                        roster::check_entry(&open, &info.origin, &roster, at)
                    }
                    (Body::Sealed { .. }, None) => Err(EntryError::Rule(
                        "a sealed entry must come with its salt and content, to be stored apart"
                            .into(),
                    )),
                    (Body::Open(_), Some(_)) => Err(EntryError::Rule(
                        "only sealed entries carry a separate content".into(),
                    )),
                    (Body::Open(_), None) => Ok(()),
                }
            });
            if let Err(e) = outcome {
                results[i] = Some(Err(AppendError::Refused(e)));
                continue;
            }
            if let Body::Open(Statement::KeyEvent(event)) = &signed.entry.body {
                // Verified now, so that later entries of the batch may use the new key.
                let verdict = verdicts
                    .get(i)
                    .cloned()
                    .unwrap_or(Err(EntryError::Rule("signature not verified".into())));
                let applied = verdict.and_then(|()| roster.apply(event));
                match applied {
                    Ok(()) => roster_changed = true,
                    Err(e) => results[i] = Some(Err(AppendError::Refused(e))),
                }
                continue;
            }
            to_verify.push(i);
        }
        for &i in &to_verify {
            match verdicts.get(i) {
                Some(Ok(())) => {}
                Some(Err(e)) => results[i] = Some(Err(AppendError::Refused(e.clone()))),
                None => {
                    results[i] = Some(Err(AppendError::Refused(EntryError::Rule(
                        "signature not verified".into(),
                    ))))
                }
            }
        }

        let mut range = self.range.clone();
        let mut batch = Batch::default();
        let mut next = info.size;
        for (i, job) in jobs.iter().enumerate() {
            if results[i].is_some() || copy_of[i].is_some() {
                continue;
            }
            let leaf = LoggedEntry {
                signed: job.submission.entry.clone(),
                recorded_at: at,
            }
            .leaf_bytes();
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
            }));
            next += 1;
        }
        for i in 0..n {
            if let Some(j) = copy_of[i] {
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

/// Takes `first` and whatever else arrives within the group-commit window.
fn collect(rx: &mpsc::Receiver<Job>, first: Job, config: &GroupCommit) -> Vec<Job> {
    let mut jobs = vec![first];
    let deadline = Clock::now() + config.max_wait;
    while jobs.len() < config.max_batch {
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

fn verify_jobs(jobs: &[Job]) -> Vec<Verdict> {
    let entries: Vec<&SignedEntry> = jobs.iter().map(|j| &j.submission.entry).collect();
    verify_in_parallel(&entries)
}

/// Batch verification split over the machine's cores (signature checks are the cost of
/// ingestion); small batches stay on this thread.
fn verify_in_parallel(entries: &[&SignedEntry]) -> Vec<Result<(), EntryError>> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    if cores < 2 || entries.len() < 128 {
        return roster::verify_batch(entries);
    }
    let chunk = entries.len().div_ceil(cores);
    std::thread::scope(|scope| {
        let handles: Vec<_> = entries
            .chunks(chunk)
            .map(|part| scope.spawn(move || roster::verify_batch(part)))
            .collect();
        let mut out = Vec::with_capacity(entries.len());
        for (handle, part) in handles.into_iter().zip(entries.chunks(chunk)) {
            match handle.join() {
                Ok(results) => out.extend(results),
                // A panicking verifier refuses its part rather than accepting it.
                Err(_) => out.extend(part.iter().map(|_| {
                    Err(EntryError::Rule(
                        "signature verification failed internally".into(),
                    ))
                })),
            }
        }
        out
    })
}
