//! Submissions answered without a thread waiting for each (issue #13, `accord serve`):
//! a long-lived process hands pre-signed entries — one, or a batch — to a [`Submitter`]
//! with what to do with the answers, and goes on. Two threads of the submitter do the
//! rest: one enqueues each entry on its log's writer ([`Store::writer`], which may wait for
//! a full queue or start a writer), the other waits for the writer's receipts in the order
//! they were enqueued and answers each as [`crate::service::submit`] would — from the
//! receipt, an entry the log held already read back — once its transaction has committed.
//!
//! So a server with 256 submissions in flight keeps two threads for them rather than 256
//! blocked ones, and the receipts of one commit are answered together: one read of the
//! write-ahead log's position (PostgreSQL) for all of them, none on SQLite. A batch goes
//! between the threads as one message and is answered with one call, in its order; its
//! consecutive entries of one log go to that log's writer in one call too, with the
//! encodings the caller made ([`accord_store::ledger::Sequencer::submit_batch`]), and come
//! back in one: one writer lookup, one reply and no second encoding per run rather than
//! per entry.
//!
//! The writer of a log acknowledges its entries in the order they were enqueued, so
//! waiting for them in that order costs nothing; entries of another log (another agreement
//! of a store map) wait behind those enqueued before them at most for one commit of that
//! log.

use std::collections::HashMap;
use std::sync::mpsc;

use accord_ledger::entry::Encoded;
use accord_ledger::merkle::Hash;
use accord_store::ledger::{AppendError, Receipt, Submission};
use accord_store::{Store, StoreUrl};

use crate::error::{Error, Result};
use crate::service::{Submitted, answered};

/// The answer to one submission.
#[derive(Debug)]
pub struct Answer {
    /// What a submitter keeps of the entry, or why it was not logged.
    pub submitted: Result<Submitted>,
    /// The primary's write-ahead log position read after the commit (PostgreSQL; `None`
    /// on SQLite, on a standby, or when it could not be read): what a read from a
    /// standby waits for.
    pub position: Option<String>,
}

/// What to do with an [`Answer`]: called once, on the submitter's thread (it should only
/// hand the answer on).
pub type Done = Box<dyn FnOnce(Answer) + Send>;

/// What to do with the answers of a batch ([`Submitter::submit_batch`]), one per entry in
/// the batch's order: called once, on the submitter's thread.
pub type DoneBatch = Box<dyn FnOnce(Vec<Answer>) + Send>;

/// One entry of a batch: the store of its log, the submission, and its encoding
/// ([`accord_ledger::entry::SignedEntry::encoded`]).
pub type Item = (Store, Submission, Encoded);

/// A batch handed over: its entries and what to do with their answers.
struct Job {
    items: Vec<Item>,
    done: DoneBatch,
}

/// Consecutive entries of a batch for one log, handed to its writer in one call
/// ([`accord_store::ledger::Sequencer::submit_batch`]), or answered already (its writer
/// could not be had): where their receipts will come.
struct Run {
    store: Store,
    origin: String,
    /// Each entry's id, kept for its answer (the encodings went to the writer, whose
    /// receipts carry the leaf hashes).
    ids: Vec<Hash>,
    outcome: Outcome,
}

/// The receipts of a run, one per entry in its order.
type Receipts = Vec<std::result::Result<Receipt, AppendError>>;

/// What became of a run handed to its writer: its receipts awaited, or come.
enum Outcome {
    Awaited(mpsc::Receiver<Receipts>),
    Came(Receipts),
    /// Its writer could not be had (nothing enqueued): each entry's answer itself.
    Failed(Vec<Error>),
}

/// A batch whose entries are all enqueued: what the answering thread waits for.
struct Waiting {
    runs: Vec<Run>,
    done: DoneBatch,
}

/// The most entries answered together (one position read for them all).
const GROUP: usize = 1024;

/// The two threads that submit entries for a process and answer them; they end when the
/// submitter is dropped, once everything handed to it has been answered.
#[derive(Debug, Clone)]
pub struct Submitter {
    jobs: Option<mpsc::Sender<Job>>,
}

impl Default for Submitter {
    fn default() -> Self {
        Submitter::new()
    }
}

impl Submitter {
    /// A submitter with its two threads started (when the system refuses a thread, every
    /// submission is answered [`AppendError::Stopped`]).
    pub fn new() -> Submitter {
        let (jobs, queue) = mpsc::channel::<Job>();
        let (waiting, receipts) = mpsc::channel::<Waiting>();
        let enqueuing = std::thread::Builder::new()
            .name("accord-submit".into())
            .spawn(move || enqueue(&queue, &waiting));
        let answering = std::thread::Builder::new()
            .name("accord-receipts".into())
            .spawn(move || answer(&receipts));
        Submitter {
            jobs: (enqueuing.is_ok() && answering.is_ok()).then_some(jobs),
        }
    }

    /// Submits `submission` (whose encoding is `encoded`, [`accord_ledger::entry::SignedEntry::encoded`])
    /// to its log's writer in `store`; `done` gets the answer once the transaction holding
    /// the entry has committed, or once it was refused (nothing written). Submissions of
    /// one log handed over in turn are enqueued on its writer in that order.
    pub fn submit(&self, store: &Store, submission: Submission, encoded: Encoded, done: Done) {
        let item = (store.clone(), submission, encoded);
        self.submit_batch(
            vec![item],
            Box::new(move |answers| {
                if let Some(answer) = answers.into_iter().next() {
                    done(answer);
                }
            }),
        );
    }

    /// Submits each entry of `items` as [`Submitter::submit`] does, all enqueued in the
    /// batch's order before anything handed over after them; `done` gets one answer per
    /// entry, in that order, once the last of them is committed or refused. An entry
    /// refused does not hold back the others: each has its own answer.
    pub fn submit_batch(&self, items: Vec<Item>, done: DoneBatch) {
        let job = Job { items, done };
        let refused = match &self.jobs {
            Some(jobs) => jobs.send(job).err().map(|mpsc::SendError(job)| job),
            None => Some(job),
        };
        if let Some(job) = refused {
            (job.done)(job.items.iter().map(|_| stopped()).collect());
        }
    }
}

/// The answer of an entry whose writer has stopped (nothing written).
fn stopped() -> Answer {
    Answer {
        submitted: Err(Error::Append(AppendError::Stopped)),
        position: None,
    }
}

/// The enqueuing thread: each batch's entries onto their logs' writers, in the order
/// handed over, then the batch to the answering thread.
fn enqueue(queue: &mpsc::Receiver<Job>, waiting: &mpsc::Sender<Waiting>) {
    for job in queue {
        let next = Waiting {
            runs: runs(job.items).into_iter().map(enqueue_run).collect(),
            done: job.done,
        };
        if let Err(mpsc::SendError(lost)) = waiting.send(next) {
            let entries = lost.runs.iter().map(Run::len).sum();
            (lost.done)((0..entries).map(|_| stopped()).collect());
        }
    }
}

/// Consecutive entries of one log: its store, its origin, and each entry with its
/// encoding.
type Entries = (Store, String, Vec<(Submission, Encoded)>);

/// The items split into runs of consecutive entries of one log (the same store handle
/// and origin), in order.
fn runs(items: Vec<Item>) -> Vec<Entries> {
    let mut runs: Vec<Entries> = Vec::new();
    for (store, submission, encoded) in items {
        let origin = &submission.entry.entry.origin;
        match runs.last_mut() {
            Some((s, o, run)) if s.same_as(&store) && o == origin => {
                run.push((submission, encoded));
            }
            _ => runs.push((store, origin.clone(), vec![(submission, encoded)])),
        }
    }
    runs
}

/// One run onto its log's writer, in one call (or each entry's answer, when the writer
/// cannot be had).
fn enqueue_run((store, origin, items): Entries) -> Run {
    let ids: Vec<Hash> = items.iter().map(|(_, e)| e.id).collect();
    let outcome = match store.writer(&origin) {
        Ok(writer) => {
            let (tx, rx) = mpsc::sync_channel(1);
            writer.submit_batch(
                items,
                Box::new(move |receipts| {
                    let _ = tx.send(receipts);
                }),
            );
            Outcome::Awaited(rx)
        }
        // Each entry asks on its own, so that each has its own error (a refused lease is
        // remembered for a while: asking again costs no round trip).
        Err(e) => Outcome::Failed(
            std::iter::once(e.into())
                .chain(items.iter().skip(1).map(|_| match store.writer(&origin) {
                    Err(e) => e.into(),
                    Ok(_) => Error::Append(AppendError::Stopped),
                }))
                .collect(),
        ),
    };
    Run {
        store,
        origin,
        ids,
        outcome,
    }
}

impl Run {
    fn len(&self) -> usize {
        self.ids.len()
    }
}

impl Waiting {
    /// Whether every receipt of the batch has come, taking those that have (without
    /// waiting); a writer gone counts as its receipts `Stopped`.
    fn came(&mut self) -> bool {
        self.runs.iter_mut().all(|run| match &run.outcome {
            Outcome::Awaited(reply) => match reply.try_recv() {
                Ok(receipts) => {
                    run.outcome = Outcome::Came(receipts);
                    true
                }
                Err(mpsc::TryRecvError::Disconnected) => {
                    run.outcome = Outcome::Came(Vec::new());
                    true
                }
                Err(mpsc::TryRecvError::Empty) => false,
            },
            Outcome::Came(_) | Outcome::Failed(_) => true,
        })
    }

    /// Waits for every receipt of the batch, in order.
    fn wait(&mut self) {
        for run in &mut self.runs {
            if let Outcome::Awaited(reply) = &run.outcome {
                run.outcome = Outcome::Came(reply.recv().unwrap_or_default());
            }
        }
    }
}

/// The answering thread: waits for the receipts of the first batch enqueued, takes every
/// batch after it whose receipts have all come too, and answers them together.
fn answer(receipts: &mpsc::Receiver<Waiting>) {
    let mut carried: Option<Waiting> = None;
    loop {
        let mut first = match carried.take() {
            Some(first) => first,
            None => match receipts.recv() {
                Ok(first) => first,
                Err(_) => return,
            },
        };
        first.wait();
        let mut entries: usize = first.runs.iter().map(Run::len).sum();
        let mut group = vec![first];
        while entries < GROUP {
            let Ok(mut next) = receipts.try_recv() else {
                break;
            };
            if !next.came() {
                carried = Some(next);
                break;
            }
            entries += next.runs.iter().map(Run::len).sum::<usize>();
            group.push(next);
        }
        answer_group(group);
    }
}

/// Answers batches whose receipts have come: each entry from its receipt (read back for
/// an entry logged already), with one position read per PostgreSQL store after all their
/// commits.
fn answer_group(group: Vec<Waiting>) {
    let mut positions: HashMap<String, Option<String>> = HashMap::new();
    for waiting in group {
        let mut answers = Vec::new();
        for run in waiting.runs {
            answer_run(run, &mut positions, &mut answers);
        }
        (waiting.done)(answers);
    }
}

/// The answers of a run whose receipts have come, onto `answers`; a receipt missing (its
/// writer gone) is `Stopped`.
fn answer_run(
    run: Run,
    positions: &mut HashMap<String, Option<String>>,
    answers: &mut Vec<Answer>,
) {
    let Run {
        store,
        origin,
        ids,
        outcome,
    } = run;
    let mut results: Vec<Result<Submitted>> = match outcome {
        Outcome::Failed(errors) => errors.into_iter().map(Err).collect(),
        // INVARIANT: not reached; every receipt was waited for (`Waiting::wait`, `came`).
        Outcome::Awaited(_) => Vec::new(),
        Outcome::Came(receipts) => receipts
            .into_iter()
            .zip(&ids)
            .map(|(receipt, id)| {
                receipt
                    .map_err(Error::from)
                    .and_then(|r| answered(&store, origin.clone(), *id, &r))
            })
            .collect(),
    };
    results.resize_with(ids.len(), || Err(Error::Append(AppendError::Stopped)));
    // Read once per store and group, after the commits, for the entries logged.
    let position = match store.url() {
        StoreUrl::Postgres(url) if results.iter().any(Result::is_ok) => positions
            .entry(url.clone())
            .or_insert_with(|| store.wal_position().ok().flatten())
            .clone(),
        _ => None,
    };
    answers.extend(results.into_iter().map(|submitted| Answer {
        position: position.clone().filter(|_| submitted.is_ok()),
        submitted,
    }));
}
