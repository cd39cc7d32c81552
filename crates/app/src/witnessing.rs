//! The log side of witnessing (issue #15): a log's latest signed checkpoint sent to the
//! witnesses of a witness policy (C2SP tlog-witness `add-checkpoint`), each with the
//! consistency proof from the size it last cosigned; the cosignatures collected, checked,
//! attached and stored with the checkpoint (the log's signed checkpoint itself stays as it
//! was signed). A witness whose answer shows another view of the log raises an [`Alarm`],
//! with split-view evidence when the checkpoint it holds can be fetched. The protocol is
//! `accord_ledger::witness::submit`; this is its shell.

use std::time::Duration;

use accord_ledger::note::{self, VerifierKey};
use accord_ledger::splitview::SplitView;
use accord_ledger::witness::policy::{PolicyWitness, WitnessPolicy};
use accord_ledger::witness::protocol::AddCheckpoint;
use accord_ledger::witness::submit::{self, Cosignature, Reply};
use accord_store::Store;
use accord_store::ledger::Ledger;

use crate::error::{Error, Result};

/// How a witness answers requests: an HTTP POST of a body, giving the status, the content
/// type and the body. [`Http`] is the real one.
pub trait Transport {
    /// POSTs `body` to `url`.
    fn post(
        &self,
        url: &str,
        body: &str,
    ) -> std::result::Result<(u16, Option<String>, String), String>;

    /// GETs `url` (a witness's published checkpoint, an Accord extension of the protocol;
    /// see [`published_url`]). A transport that cannot fetch says so.
    fn get(&self, url: &str) -> std::result::Result<(u16, Option<String>, String), String> {
        Err(format!("{url}: this transport does not fetch"))
    }
}

/// Where an Accord witness publishes the checkpoint it last cosigned for `origin`:
/// `<submission prefix>/checkpoint/<origin>`. tlog-witness v1.0.0 has no such endpoint
/// (a witness is only asked to cosign), so other witnesses answer 404 and a conflict with
/// them is recorded as an alarm without evidence.
pub fn published_url(prefix: &str, origin: &str) -> String {
    format!("{}/checkpoint/{origin}", prefix.trim_end_matches('/'))
}

/// HTTP over ureq: plain or TLS, 10 s to connect, 30 s in all, answers up to 64 KiB.
#[derive(Debug)]
pub struct Http {
    agent: ureq::Agent,
}

impl Default for Http {
    fn default() -> Self {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_connect(Some(Duration::from_secs(10)))
            .timeout_global(Some(Duration::from_secs(30)))
            .build()
            .into();
        Http { agent }
    }
}

impl Http {
    fn answer(
        mut response: ureq::http::Response<ureq::Body>,
    ) -> std::result::Result<(u16, Option<String>, String), String> {
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let text = response
            .body_mut()
            .with_config()
            .limit(64 * 1024)
            .read_to_string()
            .map_err(|e| e.to_string())?;
        Ok((status, content_type, text))
    }
}

impl Transport for Http {
    fn get(&self, url: &str) -> std::result::Result<(u16, Option<String>, String), String> {
        Http::answer(self.agent.get(url).call().map_err(|e| e.to_string())?)
    }

    fn post(
        &self,
        url: &str,
        body: &str,
    ) -> std::result::Result<(u16, Option<String>, String), String> {
        let response = self
            .agent
            .post(url)
            .header("Content-Type", "text/plain; charset=utf-8")
            .send(body)
            .map_err(|e| e.to_string())?;
        Http::answer(response)
    }
}

/// What one witness did with the checkpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// It cosigned (its timestamp).
    Cosigned(u64),
    /// It had cosigned this checkpoint before.
    AlreadyCosigned,
    /// It refused, with its status and the start of its answer.
    Refused(u16, String),
    /// It says it cosigned a larger tree than this log has: entries were lost, or it was
    /// shown another log.
    Ahead(u64),
    /// It could not be asked, or its answer is not valid.
    Failed(String),
    /// The policy gives it no submission URL.
    NoUrl,
}

/// What a round of witnessing did.
#[derive(Debug, Clone)]
pub struct Witnessing {
    /// The log.
    pub origin: String,
    /// The checkpoint's size.
    pub size: u64,
    /// Each witness of the policy, with what it did.
    pub witnesses: Vec<(String, Outcome)>,
    /// The checkpoint with every cosignature collected, as stored.
    pub cosigned: String,
    /// Whether it counts as witnessed under the policy; else why not.
    pub witnessed: std::result::Result<(), String>,
    /// Witnesses whose answers show another view of the log.
    pub alarms: Vec<Alarm>,
}

/// A witness's answer that shows another view of the log than this one: it cosigned a
/// larger tree, or refused this checkpoint as inconsistent with the one it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alarm {
    /// The witness (its name in the policy).
    pub witness: String,
    /// What is known: its answer, and what became of fetching its checkpoint.
    pub known: String,
    /// Split-view evidence (`accord/split-view/v1`, `docs/witness.md`), when the
    /// checkpoint the witness holds could be obtained and is signed by this log's key.
    pub evidence: Option<String>,
    /// Whether the evidence is conclusive (the log signed two trees that cannot both be).
    pub conclusive: bool,
}

/// What a refusal says of the witness's view; `None` for refusals that show no other view.
fn conflict(outcome: &Outcome, size: u64) -> Option<String> {
    match outcome {
        Outcome::Ahead(theirs) => Some(format!(
            "it cosigned size {theirs} of this log, which has {size} entries"
        )),
        Outcome::Refused(409, body) => Some(format!(
            "it refused size {size} with 409 (its size: {}): it holds another tree",
            body.trim()
        )),
        Outcome::Refused(422, body) => Some(format!(
            "it refused the consistency proof with 422 ({}): the tree it holds is not a prefix of this log",
            body.trim()
        )),
        _ => None,
    }
}

/// The alarm for a witness whose answer shows another view: its published checkpoint
/// fetched and, when signed by this log's key, made into split-view evidence with the
/// consistency proof this log gives from the smaller size (none when the witness's is
/// the larger: this log cannot prove anything about a tree it does not have).
fn alarm(
    ledger: &mut Ledger,
    transport: &dyn Transport,
    witness: &PolicyWitness,
    ours: &str,
    size: u64,
    outcome: &Outcome,
) -> Result<Option<Alarm>> {
    let Some(known) = conflict(outcome, size) else {
        return Ok(None);
    };
    let mut alarm = Alarm {
        witness: witness.name.clone(),
        known,
        evidence: None,
        conclusive: false,
    };
    let Some(prefix) = &witness.url else {
        return Ok(Some(alarm));
    };
    let origin = ledger.info().origin.clone();
    let log_key = crate::keys::verifier_key(&ledger.info().log_key)?;
    let theirs = match transport.get(&published_url(prefix, &origin)) {
        Ok((200, _, body)) => body,
        Ok((status, ..)) => {
            alarm.known.push_str(&format!("; its checkpoint could not be obtained (HTTP {status}): a refusal gives only its size, and no evidence file can be made without the other signed checkpoint"));
            return Ok(Some(alarm));
        }
        Err(e) => {
            alarm.known.push_str(&format!("; its checkpoint could not be obtained ({e}): no evidence file can be made without it"));
            return Ok(Some(alarm));
        }
    };
    let head = match accord_ledger::checkpoint::open_checkpoint(&theirs, &log_key, &[]) {
        Ok(opened) => opened.checkpoint,
        Err(e) => {
            alarm.known.push_str(&format!(
                "; the checkpoint it publishes is not one this log signed ({e})"
            ));
            return Ok(Some(alarm));
        }
    };
    let proof = match head.size {
        s if s == size => None,
        s if s < size => Some(ledger.consistency_proof(s, size)?),
        _ => Some(Vec::new()),
    };
    match SplitView::new(vec![log_key], ours, &theirs, proof) {
        Ok(evidence) => {
            alarm.conclusive = evidence.check().is_ok_and(|f| f.is_conclusive());
            alarm.known.push_str(&format!(
                "; it holds a checkpoint of size {} signed by this log's key",
                head.size
            ));
            alarm.evidence = Some(evidence.encode());
        }
        Err(e) => alarm.known.push_str(&format!(
            "; the checkpoint it publishes (size {}) shows no split view: {e}",
            head.size
        )),
    }
    Ok(Some(alarm))
}

/// Writes each alarm's evidence into `dir` as `split-view-<witness>-<size>.txt` (a file
/// already there is kept: evidence is only ever added); the paths written.
pub fn save_evidence(dir: &std::path::Path, round: &Witnessing) -> Result<Vec<std::path::PathBuf>> {
    let mut written = Vec::new();
    for alarm in &round.alarms {
        let Some(evidence) = &alarm.evidence else {
            continue;
        };
        let safe: String = alarm
            .witness
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let path = dir.join(format!("split-view-{safe}-{}.txt", round.size));
        let write_error = |source| Error::Write {
            name: path.display().to_string(),
            source,
        };
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
        {
            Ok(mut f) => {
                std::io::Write::write_all(&mut f, evidence.as_bytes()).map_err(write_error)?;
                f.sync_all().map_err(write_error)?;
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(write_error(e)),
        }
        written.push(path);
    }
    Ok(written)
}

/// The size a witness last cosigned, as this log knows it: the largest stored cosigned
/// checkpoint carrying its cosignature.
fn last_cosigned(cosigned: &[(u64, String)], key: &VerifierKey) -> u64 {
    cosigned
        .iter()
        .filter(|(_, note)| {
            note::parse_note(note).is_ok_and(|n| {
                n.signatures
                    .iter()
                    .any(|s| s.name == key.name() && s.key_id == key.key_id())
            })
        })
        .map(|(size, _)| *size)
        .max()
        .unwrap_or(0)
}

/// Asks one witness to cosign; retries once from the size a 409 gives.
fn ask(
    ledger: &mut Ledger,
    transport: &dyn Transport,
    witness: &PolicyWitness,
    checkpoint: &str,
    size: u64,
    mut old: u64,
) -> Result<std::result::Result<Vec<Cosignature>, Outcome>> {
    let Some(url) = &witness.url else {
        return Ok(Err(Outcome::NoUrl));
    };
    let url = format!("{}/add-checkpoint", url.trim_end_matches('/'));
    for _ in 0..2 {
        if old > size {
            return Ok(Err(Outcome::Ahead(old)));
        }
        let request = AddCheckpoint {
            old_size: old,
            proof: ledger.consistency_proof(old, size)?,
            checkpoint: checkpoint.to_owned(),
        };
        let (status, content_type, body) = match transport.post(&url, &request.encode()) {
            Ok(answer) => answer,
            Err(e) => return Ok(Err(Outcome::Failed(e))),
        };
        let keys = std::slice::from_ref(&witness.key);
        match submit::read_reply(status, content_type.as_deref(), &body, checkpoint, keys) {
            Ok(Reply::Cosigned(cosignatures)) => return Ok(Ok(cosignatures)),
            Ok(Reply::Conflict { witness_size }) if witness_size != old => old = witness_size,
            Ok(Reply::Conflict { .. }) => return Ok(Err(Outcome::Refused(409, body))),
            Ok(Reply::Refused { status, body }) => return Ok(Err(Outcome::Refused(status, body))),
            Err(e) => return Ok(Err(Outcome::Failed(e.to_string()))),
        }
    }
    Ok(Err(Outcome::Ahead(old)))
}

/// Sends the log's latest signed checkpoint to every witness of the policy that has not
/// cosigned it yet, and stores it with the cosignatures collected.
pub fn witness(
    store: &Store,
    origin: Option<&str>,
    policy: &str,
    transport: &dyn Transport,
) -> Result<Witnessing> {
    let policy = WitnessPolicy::parse(policy).map_err(|e| {
        Error::Report(vec![accord_report::Problem::new(
            accord_report::Part::Policy,
            e.to_string(),
        )])
    })?;
    let mut ledger = store.ledger(origin)?;
    let origin = ledger.info().origin.clone();
    let Some((size, checkpoint)) = ledger.checkpoints()?.into_iter().next_back() else {
        return Err(Error::NoCheckpoint(origin));
    };
    let stored = store.cosigned_checkpoints(&origin)?;
    let mut cosigned = stored
        .iter()
        .find(|(s, _)| *s == size)
        .map_or_else(|| checkpoint.clone(), |(_, n)| n.clone());
    let mut witnesses = Vec::new();
    let mut alarms = Vec::new();
    for witness in policy.witnesses() {
        let old = last_cosigned(&stored, &witness.key);
        let outcome = if old == size && size > 0 {
            Outcome::AlreadyCosigned
        } else {
            match ask(&mut ledger, transport, witness, &checkpoint, size, old)? {
                Ok(cosignatures) => {
                    let at = cosignatures.first().map_or(0, |c| c.timestamp);
                    cosigned = submit::attach(&cosigned, &cosignatures).map_err(|e| {
                        Error::Report(vec![accord_report::Problem::new(
                            accord_report::Part::Cosignatures,
                            e.to_string(),
                        )])
                    })?;
                    Outcome::Cosigned(at)
                }
                Err(outcome) => {
                    alarms.extend(alarm(
                        &mut ledger,
                        transport,
                        witness,
                        &checkpoint,
                        size,
                        &outcome,
                    )?);
                    outcome
                }
            }
        };
        witnesses.push((witness.name.clone(), outcome));
    }
    store.put_cosigned(&origin, size, &cosigned)?;
    let log_key = crate::keys::verifier_key(&ledger.info().log_key)?;
    let witnessed = policy
        .verify(&cosigned, std::slice::from_ref(&log_key))
        .map(|_| ())
        .map_err(|e| e.to_string());
    Ok(Witnessing {
        origin,
        size,
        witnesses,
        cosigned,
        witnessed,
        alarms,
    })
}
