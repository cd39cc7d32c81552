//! Submissions answered without a thread waiting for each (issue #13, `accord serve`):
//! a long-lived process hands each pre-signed entry to a [`Submitter`] with what to do
//! with the answer, and goes on. Two threads of the submitter do the rest: one enqueues
//! each submission on its log's writer ([`Store::writer`], which may wait for a full queue
//! or start a writer), the other waits for the writer's receipts in the order they were
//! enqueued and answers each as [`crate::service::submit`] would — from the receipt, an
//! entry the log held already read back — once its transaction has committed.
//!
//! So a server with 256 submissions in flight keeps two threads for them rather than 256
//! blocked ones, and the receipts of one commit are answered together: one read of the
//! write-ahead log's position (PostgreSQL) for all of them, none on SQLite.
//!
//! The writer of a log acknowledges its entries in the order they were enqueued, so
//! waiting for them in that order costs nothing; entries of another log (another agreement
//! of a store map) wait behind those enqueued before them at most for one commit of that
//! log.

use std::collections::HashMap;
use std::sync::mpsc;

use accord_ledger::entry::Encoded;
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

struct Job {
    store: Store,
    submission: Submission,
    encoded: Encoded,
    done: Done,
}

/// A submission enqueued on its log's writer: where its receipt will come.
struct Waiting {
    store: Store,
    origin: String,
    encoded: Encoded,
    reply: mpsc::Receiver<std::result::Result<Receipt, AppendError>>,
    done: Done,
}

/// The most receipts answered together (one position read for them all).
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
        let job = Job {
            store: store.clone(),
            submission,
            encoded,
            done,
        };
        let refused = match &self.jobs {
            Some(jobs) => jobs.send(job).err().map(|mpsc::SendError(job)| job),
            None => Some(job),
        };
        if let Some(job) = refused {
            (job.done)(Answer {
                submitted: Err(Error::Append(AppendError::Stopped)),
                position: None,
            });
        }
    }
}

/// The enqueuing thread: each job onto its log's writer, in the order handed over.
fn enqueue(queue: &mpsc::Receiver<Job>, waiting: &mpsc::Sender<Waiting>) {
    for job in queue {
        let origin = job.submission.entry.entry.origin.clone();
        let writer = match job.store.writer(&origin) {
            Ok(writer) => writer,
            Err(e) => {
                (job.done)(Answer {
                    submitted: Err(e.into()),
                    position: None,
                });
                continue;
            }
        };
        let reply = writer.submit(job.submission);
        let next = Waiting {
            store: job.store,
            origin,
            encoded: job.encoded,
            reply,
            done: job.done,
        };
        if let Err(mpsc::SendError(lost)) = waiting.send(next) {
            (lost.done)(Answer {
                submitted: Err(Error::Append(AppendError::Stopped)),
                position: None,
            });
        }
    }
}

/// The answering thread: waits for the first receipt enqueued, takes every one after it
/// that has come too, and answers them together.
fn answer(receipts: &mpsc::Receiver<Waiting>) {
    let mut carried: Option<Waiting> = None;
    loop {
        let first = match carried.take() {
            Some(first) => first,
            None => match receipts.recv() {
                Ok(first) => first,
                Err(_) => return,
            },
        };
        let receipt = first.reply.recv().unwrap_or(Err(AppendError::Stopped));
        let mut group = vec![(first, receipt)];
        while group.len() < GROUP {
            let Ok(next) = receipts.try_recv() else { break };
            match next.reply.try_recv() {
                Ok(receipt) => group.push((next, receipt)),
                Err(mpsc::TryRecvError::Disconnected) => {
                    group.push((next, Err(AppendError::Stopped)));
                }
                Err(mpsc::TryRecvError::Empty) => {
                    carried = Some(next);
                    break;
                }
            }
        }
        answer_group(group);
    }
}

/// Answers receipts that have come: each from its receipt (read back for an entry logged
/// already), with one position read per PostgreSQL store after all their commits.
fn answer_group(group: Vec<(Waiting, std::result::Result<Receipt, AppendError>)>) {
    let mut positions: HashMap<String, Option<String>> = HashMap::new();
    for (waiting, receipt) in group {
        let submitted = receipt.map_err(Error::from).and_then(|receipt| {
            answered(&waiting.store, waiting.origin, &waiting.encoded, &receipt)
        });
        let position = match (&submitted, waiting.store.url()) {
            (Ok(_), StoreUrl::Postgres(url)) => positions
                .entry(url.clone())
                .or_insert_with(|| waiting.store.wal_position().ok().flatten())
                .clone(),
            _ => None,
        };
        (waiting.done)(Answer {
            submitted,
            position,
        });
    }
}
