//! `accord serve --witness-policy FILE` (issue #15): the server has each new signed
//! checkpoint of its logs cosigned by the policy's witnesses, on its own.
//!
//! A watcher reads the logs every [`POLL`] (checkpoints are signed by whoever holds the
//! log's key — `accord ledger checkpoint`, `accord ledger append --checkpoint-every`, a
//! rehearsal — never by the server, so it learns of them as the event stream does). When a
//! log has a checkpoint it has not had witnessed, a round of
//! [`accord_app::witnessing::witness_under`] runs for that log on tokio's blocking pool,
//! outside every request's path and turn: one round per log at a time, at most
//! [`ROUNDS`] at once. The round stores the cosignatures it collects beside the signed
//! checkpoint; the checkpoint endpoint, the reports and the log page read them from there.
//!
//! A witness that could not be reached, answered something invalid or refused without
//! showing another view of the log is logged (`warn`) and asked again after a delay that
//! doubles from [`FIRST_RETRY`] up to [`LAST_RETRY`], or at the next checkpoint, whichever
//! comes first. A witness whose answer shows another view of the log raises an alarm:
//! logged at `error`, counted in `/metrics` (`accord_witness_alarms_total`), and its
//! split-view evidence, when the witness publishes what it holds, written into the
//! evidence directory (`split-view-WITNESS-SIZE.txt`, never over an existing file).
//!
//! On PostgreSQL with several servers, a log is witnessed by the server that leads it
//! (holds its lease, taken here if nobody holds it), so that one round runs per log.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use accord_app::Store;
use accord_app::witnessing::{self as app, Outcome};
use accord_ledger::witness::policy::WitnessPolicy;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;

use crate::AppState;

/// How often the watcher reads the logs.
pub const POLL: Duration = Duration::from_secs(1);

/// How long after a failed round the missing witnesses are asked again, at first.
pub const FIRST_RETRY: Duration = Duration::from_secs(1);

/// The longest delay between two asks of a failing witness.
pub const LAST_RETRY: Duration = Duration::from_secs(300);

/// Rounds running at once (each holds at most one pooled connection, and only between
/// its witnesses' answers).
pub const ROUNDS: usize = 2;

/// What a server witnesses its logs under.
#[derive(Debug, Clone)]
pub struct Witnessing {
    text: String,
    policy: WitnessPolicy,
    evidence: PathBuf,
}

/// Why witnessing cannot be set up.
#[derive(Debug, thiserror::Error)]
pub enum WitnessingError {
    /// The policy file cannot be read.
    #[error("cannot read the witness policy `{file}`")]
    Read {
        /// The file.
        file: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The policy is not a witness policy.
    #[error("the witness policy `{file}` is refused: {reason}")]
    Policy {
        /// The file.
        file: PathBuf,
        /// Why (`line:column: what`).
        reason: String,
    },
    /// The evidence directory cannot be made.
    #[error("cannot make the split-view evidence directory `{dir}`")]
    Evidence {
        /// The directory.
        dir: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
}

impl Witnessing {
    /// Witnessing under the policy `text` (C2SP `tlog-policy`), evidence written into
    /// `evidence`.
    pub fn new(text: String, evidence: PathBuf) -> Result<Witnessing, String> {
        let policy = WitnessPolicy::parse(&text).map_err(|e| e.to_string())?;
        Ok(Witnessing {
            text,
            policy,
            evidence,
        })
    }

    /// Reads the policy file and makes the evidence directory (if missing): a bad file
    /// refuses to start.
    pub fn read(policy: &Path, evidence: PathBuf) -> Result<Witnessing, WitnessingError> {
        let text = std::fs::read_to_string(policy).map_err(|source| WitnessingError::Read {
            file: policy.to_owned(),
            source,
        })?;
        let witnessing =
            Witnessing::new(text, evidence).map_err(|reason| WitnessingError::Policy {
                file: policy.to_owned(),
                reason,
            })?;
        std::fs::create_dir_all(&witnessing.evidence).map_err(|source| {
            WitnessingError::Evidence {
                dir: witnessing.evidence.clone(),
                source,
            }
        })?;
        Ok(witnessing)
    }

    /// The policy's text (what a report's bundle carries).
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The policy.
    pub fn policy(&self) -> &WitnessPolicy {
        &self.policy
    }

    /// Where split-view evidence is written.
    pub fn evidence(&self) -> &Path {
        &self.evidence
    }
}

/// A log's and a witness's labels.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct WitnessLabels {
    origin: String,
    witness: String,
}

/// A log's label.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct LogLabels {
    origin: String,
}

/// The witnessing metrics of one server.
#[derive(Debug, Default)]
pub(crate) struct Counters {
    alarms: Family<WitnessLabels, Counter>,
    failures: Family<WitnessLabels, Counter>,
    cosignatures: Family<WitnessLabels, Counter>,
    witnessed: Family<LogLabels, Gauge>,
}

impl Counters {
    /// The counters, registered in `registry`.
    pub(crate) fn registered(registry: &mut Registry) -> Counters {
        let counters = Counters::default();
        registry.register(
            "accord_witness_alarms",
            "Alarms raised: a witness's answer shows another view of the log, by log and witness",
            counters.alarms.clone(),
        );
        registry.register(
            "accord_witness_failures",
            "Witness requests that failed or were refused (asked again later), by log and witness",
            counters.failures.clone(),
        );
        registry.register(
            "accord_witness_cosignatures",
            "Cosignatures collected, by log and witness",
            counters.cosignatures.clone(),
        );
        registry.register(
            "accord_witness_witnessed_size",
            "The size of each log's latest checkpoint witnessed under the policy",
            counters.witnessed.clone(),
        );
        counters
    }
}

/// What a finished round gives back.
type Finished = Result<Option<(app::Witnessing, Vec<PathBuf>)>, String>;

/// What the watcher knows of one log.
#[derive(Debug, Default)]
struct Log {
    /// The largest checkpoint size seen.
    latest: Option<u64>,
    /// The checkpoint size the last finished round was about.
    done: Option<u64>,
    /// When to ask again the witnesses that failed, and the delay after that.
    retry: Option<(Instant, Duration)>,
    /// The round running, if any.
    running: Option<tokio::task::JoinHandle<Finished>>,
    /// The alarms already raised (witness, checkpoint size): raised once each.
    alarmed: BTreeSet<(String, u64)>,
}

impl Log {
    fn due(&self, now: Instant) -> bool {
        let newer = self.latest.is_some_and(|l| Some(l) > self.done);
        let retry = self.retry.is_some_and(|(at, _)| at <= now);
        self.running.is_none() && self.latest.is_some() && (newer || retry)
    }
}

/// Each store's logs (by the index of the store) with the size of their latest
/// checkpoint, read for the logs that may have a newer one than `known`.
fn read_latest(
    stores: &[Store],
    known: &BTreeMap<(usize, String), u64>,
) -> Vec<((usize, String), u64)> {
    let mut found = Vec::new();
    for (at, store) in stores.iter().enumerate() {
        let Ok(logs) = store.logs() else { continue };
        for info in logs {
            let key = (at, info.origin.clone());
            let latest = known.get(&key).copied();
            // A checkpoint covers at most the log: none newer can be signed before it grows.
            if latest.is_some_and(|l| l >= info.size) {
                continue;
            }
            if let Ok(Some((size, _))) = accord_app::service::latest_checkpoint(store, &info.origin)
            {
                found.push((key, size));
            }
        }
    }
    found
}

/// One round for `origin`, on the blocking pool: `None` when another server leads the log.
fn round(store: &Store, origin: &str, witnessing: &Witnessing) -> Finished {
    if !store.leads(origin) && store.writer(origin).is_err() {
        return Ok(None);
    }
    let transport = app::Http::default();
    let round = app::witness_under(store, Some(origin), &witnessing.policy, &transport)
        .map_err(|e| accord_render::errors::chain(&e))?;
    let saved = app::save_evidence(&witnessing.evidence, &round)
        .map_err(|e| accord_render::errors::chain(&e))?;
    Ok(Some((round, saved)))
}

/// Logs a finished round and counts it; whether its failing witnesses are to be asked
/// again.
fn told(
    state: &AppState,
    witnessing: &Witnessing,
    log: &mut Log,
    origin: &str,
    finished: Finished,
) -> bool {
    let counters = &state.ops.metrics.witnessing;
    let (round, saved) = match finished {
        Ok(Some(done)) => done,
        Ok(None) => {
            tracing::debug!(origin, "another server leads the log and witnesses it");
            return false;
        }
        Err(error) => {
            tracing::warn!(origin, %error, "the witnessing round failed; it is tried again");
            return true;
        }
    };
    let labels = |witness: &str| WitnessLabels {
        origin: origin.to_owned(),
        witness: witness.to_owned(),
    };
    let mut again = false;
    for alarm in &round.alarms {
        if !log.alarmed.insert((alarm.witness.clone(), round.size)) {
            continue;
        }
        counters.alarms.get_or_create(&labels(&alarm.witness)).inc();
        let file = app::evidence_file(&witnessing.evidence, &alarm.witness, round.size);
        let evidence = saved.contains(&file).then(|| file.display().to_string());
        tracing::error!(
            origin,
            size = round.size,
            witness = %alarm.witness,
            known = %alarm.known,
            conclusive = alarm.conclusive,
            evidence = evidence.as_deref(),
            "ALARM: a witness holds another view of this log"
        );
    }
    for (witness, outcome) in &round.witnesses {
        match outcome {
            Outcome::Cosigned(at) => {
                counters.cosignatures.get_or_create(&labels(witness)).inc();
                tracing::info!(origin, size = round.size, %witness, at, "cosigned");
            }
            Outcome::AlreadyCosigned | Outcome::NoUrl | Outcome::Ahead(_) => {}
            Outcome::Refused(409 | 422, _)
                if round.alarms.iter().any(|a| &a.witness == witness) => {}
            Outcome::Refused(status, body) => {
                counters.failures.get_or_create(&labels(witness)).inc();
                tracing::warn!(origin, size = round.size, %witness, status, body = body.trim(), "the witness refused the checkpoint; it is asked again later");
                again = true;
            }
            Outcome::Failed(error) => {
                counters.failures.get_or_create(&labels(witness)).inc();
                tracing::warn!(origin, size = round.size, %witness, %error, "the witness could not be asked; it is asked again later");
                again = true;
            }
        }
    }
    match &round.witnessed {
        Ok(()) => {
            counters
                .witnessed
                .get_or_create(&LogLabels {
                    origin: origin.to_owned(),
                })
                .set(i64::try_from(round.size).unwrap_or(i64::MAX));
            tracing::info!(
                origin,
                size = round.size,
                "the checkpoint is witnessed under the policy"
            );
        }
        Err(why) => {
            tracing::info!(origin, size = round.size, %why, "the checkpoint is not witnessed under the policy yet")
        }
    }
    again
}

/// Watches the logs of `stores` until the server stops, witnessing each new checkpoint.
pub(crate) async fn watch(state: AppState, stores: Vec<Store>, witnessing: Arc<Witnessing>) {
    let mut stopping = state.stopping.subscribe();
    let mut logs: BTreeMap<(usize, String), Log> = BTreeMap::new();
    loop {
        // Finished rounds first: what they did decides what runs next.
        for ((_, origin), log) in &mut logs {
            if !log.running.as_ref().is_some_and(|r| r.is_finished()) {
                continue;
            }
            let Some(running) = log.running.take() else {
                continue;
            };
            let finished = running.await.unwrap_or_else(|e| Err(e.to_string()));
            let again = told(&state, &witnessing, log, origin, finished);
            log.retry = again.then(|| {
                let delay = log
                    .retry
                    .map_or(FIRST_RETRY, |(_, d)| (d * 2).min(LAST_RETRY));
                (Instant::now() + delay, delay)
            });
        }
        let read = {
            let stores = stores.clone();
            let known: BTreeMap<(usize, String), u64> = logs
                .iter()
                .filter_map(|(k, l)| Some((k.clone(), l.latest?)))
                .collect();
            tokio::task::spawn_blocking(move || read_latest(&stores, &known)).await
        };
        for (key, size) in read.unwrap_or_default() {
            let log = logs.entry(key).or_default();
            if log.latest.is_none_or(|l| size > l) {
                log.latest = Some(size);
            }
        }
        let now = Instant::now();
        let mut running = logs.values().filter(|l| l.running.is_some()).count();
        for ((at, origin), log) in &mut logs {
            if running >= ROUNDS || !log.due(now) {
                continue;
            }
            let (Some(store), Some(size)) = (stores.get(*at).cloned(), log.latest) else {
                continue;
            };
            if log.done != Some(size) {
                // A new checkpoint: witnesses that failed on the last one are asked now.
                log.retry = None;
            }
            log.done = Some(size);
            let origin = origin.clone();
            let witnessing = Arc::clone(&witnessing);
            log.running = Some(tokio::task::spawn_blocking(move || {
                round(&store, &origin, &witnessing)
            }));
            running += 1;
        }
        tokio::select! {
            _ = tokio::time::sleep(POLL) => {}
            _ = stopping.wait_for(|stop| *stop) => return,
        }
    }
}
