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
    log: &LogOf<'_>,
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
    let log_key = log.key.clone();
    let theirs = match transport.get(&published_url(prefix, log.origin)) {
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
        s if s < size => Some(log.consistency_proof(s, size)?),
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

/// Where [`save_evidence`] writes a witness's split-view evidence about the checkpoint of
/// `size`: `split-view-WITNESS-SIZE.txt`, the witness's name kept to ASCII letters, digits
/// and `-` (anything else becomes `_`).
pub fn evidence_file(dir: &std::path::Path, witness: &str, size: u64) -> std::path::PathBuf {
    let safe: String = witness
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    dir.join(format!("split-view-{safe}-{size}.txt"))
}

/// Writes each alarm's evidence into `dir` as `split-view-<witness>-<size>.txt` (a file
/// already there is kept: evidence is only ever added); the paths written.
pub fn save_evidence(dir: &std::path::Path, round: &Witnessing) -> Result<Vec<std::path::PathBuf>> {
    let mut written = Vec::new();
    for alarm in &round.alarms {
        let Some(evidence) = &alarm.evidence else {
            continue;
        };
        let path = evidence_file(dir, &alarm.witness, round.size);
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
    log: &LogOf<'_>,
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
            proof: log.consistency_proof(old, size)?,
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

/// The log a round is about: its store, origin and key. A consistency proof opens the log
/// for as long as it takes, so that no pooled connection is held while a witness answers
/// (`accord serve` runs rounds in the background, beside requests that need connections).
struct LogOf<'a> {
    store: &'a Store,
    origin: &'a str,
    key: VerifierKey,
}

impl LogOf<'_> {
    fn consistency_proof(&self, old: u64, size: u64) -> Result<Vec<accord_ledger::merkle::Hash>> {
        Ok(self
            .store
            .ledger(Some(self.origin))?
            .consistency_proof(old, size)?)
    }
}

fn policy_error(e: impl std::fmt::Display) -> Error {
    Error::Report(vec![accord_report::Problem::new(
        accord_report::Part::Policy,
        e.to_string(),
    )])
}

/// Reads a witness policy (the `tlog-policy` text).
pub fn parse_policy(text: &str) -> Result<WitnessPolicy> {
    WitnessPolicy::parse(text).map_err(policy_error)
}

/// Sends the log's latest signed checkpoint to every witness of the policy that has not
/// cosigned it yet, and stores it with the cosignatures collected.
pub fn witness(
    store: &Store,
    origin: Option<&str>,
    policy: &str,
    transport: &dyn Transport,
) -> Result<Witnessing> {
    let policy = parse_policy(policy)?;
    witness_under(store, origin, &policy, transport)
}

/// [`witness`], with the policy already read.
pub fn witness_under(
    store: &Store,
    origin: Option<&str>,
    policy: &WitnessPolicy,
    transport: &dyn Transport,
) -> Result<Witnessing> {
    let (origin, log_key, latest) = {
        let mut ledger = store.ledger(origin)?;
        let info = ledger.info().clone();
        let key = crate::keys::verifier_key(&info.log_key)?;
        (
            info.origin,
            key,
            ledger.checkpoints()?.into_iter().next_back(),
        )
    };
    let Some((size, checkpoint)) = latest else {
        return Err(Error::NoCheckpoint(origin));
    };
    let log = LogOf {
        store,
        origin: &origin,
        key: log_key.clone(),
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
            match ask(&log, transport, witness, &checkpoint, size, old)? {
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
                        &log,
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

/// The log's latest signed checkpoint as it is published: with every cosignature collected
/// for it so far (C2SP tlog-checkpoint allows signature lines besides the log's), else as
/// it was signed. `None` before the first checkpoint.
pub fn published(store: &Store, origin: &str) -> Result<Option<(u64, String)>> {
    let Some((size, signed)) = crate::service::latest_checkpoint(store, origin)? else {
        return Ok(None);
    };
    Ok(Some((size, cosigned_form(store, origin, size, signed)?)))
}

/// The checkpoint of `size` with the cosignatures collected for it, else `signed` itself.
pub fn cosigned_form(store: &Store, origin: &str, size: u64, signed: String) -> Result<String> {
    Ok(store
        .cosigned_checkpoints(origin)?
        .into_iter()
        .find(|(s, _)| *s == size)
        .map_or(signed, |(_, note)| note))
}

/// One cosignature line of a published checkpoint, as the dashboard shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cosigner {
    /// The witness's name in the policy (`None`: the policy does not name its key, or
    /// there is no policy).
    pub witness: Option<String>,
    /// The key's name (the witness's schema-less URL, e.g. `witness.example/w1`).
    pub key: String,
    /// When it cosigned (seconds since the epoch), as the line says.
    pub timestamp: Option<u64>,
    /// Whether the cosignature was checked against the policy's key for that witness.
    pub checked: bool,
}

/// What a published checkpoint carries besides the log's signature, and whether it counts
/// as witnessed under the policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cosigners {
    /// The cosignature lines, in the note's order.
    pub lines: Vec<Cosigner>,
    /// `None` without a policy; else whether the checkpoint is witnessed under it, or why
    /// not.
    pub witnessed: Option<std::result::Result<(), String>>,
}

/// The cosignatures of `note` (a checkpoint signed by `log_key`, with the lines witnesses
/// added), each named by the policy when it names the key and checked against it.
pub fn cosigners(note: &str, log_key: &VerifierKey, policy: Option<&WitnessPolicy>) -> Cosigners {
    let Ok(parsed) = note::parse_note(note) else {
        return Cosigners {
            lines: Vec::new(),
            witnessed: policy.map(|_| Err("the checkpoint cannot be read".to_owned())),
        };
    };
    let lines = parsed
        .signatures
        .iter()
        .filter(|s| !(s.name == log_key.name() && s.key_id == log_key.key_id()))
        .map(|s| {
            let named = policy.and_then(|p| {
                p.witnesses()
                    .iter()
                    .find(|w| w.key.name() == s.name && w.key.key_id() == s.key_id)
            });
            let checked = named.is_some_and(|w| {
                let line = format!(
                    "\u{2014} {} {}\n",
                    s.name,
                    base64::Engine::encode(
                        &base64::engine::general_purpose::STANDARD,
                        [s.key_id.to_be_bytes().as_slice(), &s.signature].concat()
                    )
                );
                submit::open_cosignatures(note, &line, std::slice::from_ref(&w.key)).is_ok()
            });
            // cosignature/v1: the big-endian u64 timestamp, then the Ed25519 signature.
            let timestamp = (s.signature.len() == 72)
                .then(|| {
                    s.signature
                        .get(..8)?
                        .try_into()
                        .ok()
                        .map(u64::from_be_bytes)
                })
                .flatten();
            Cosigner {
                witness: named.map(|w| w.name.clone()),
                key: s.name.clone(),
                timestamp,
                checked,
            }
        })
        .collect();
    let witnessed = policy.map(|p| {
        p.verify(note, std::slice::from_ref(log_key))
            .map(|_| ())
            .map_err(|e| e.to_string())
    });
    Cosigners { lines, witnessed }
}

/// The log page's checkpoint with the cosignatures collected for it (the page reads the
/// signed checkpoint), and who cosigned it; `None` when the page shows no checkpoint.
pub fn on_log_page(
    store: &Store,
    page: &mut crate::dashboard::LogPage,
    policy: Option<&WitnessPolicy>,
) -> Result<Option<Cosigners>> {
    let Some((size, signed)) = page.checkpoint.take() else {
        return Ok(None);
    };
    let note = cosigned_form(store, &page.origin, size, signed)?;
    let log_key = crate::keys::verifier_key(&store.ledger(Some(&page.origin))?.info().log_key)?;
    let cosigners = cosigners(&note, &log_key, policy);
    page.checkpoint = Some((size, note));
    Ok(Some(cosigners))
}

/// The size of the largest checkpoint of the log witnessed under `policy` (0: none).
pub fn witnessed_size(store: &Store, origin: &str, policy: &WitnessPolicy) -> Result<u64> {
    let log_key = crate::keys::verifier_key(&store.ledger(Some(origin))?.info().log_key)?;
    Ok(store
        .cosigned_checkpoints(origin)?
        .into_iter()
        .rev()
        .find(|(_, note)| policy.verify(note, std::slice::from_ref(&log_key)).is_ok())
        .map_or(0, |(size, _)| size))
}

/// The published reports a page lists under a witness policy: those a witnessed
/// checkpoint covers (a report rests on one; the others are not published yet).
pub fn witnessed_publications(
    store: &Store,
    publications: &mut crate::dashboard::Publications,
    policy: &WitnessPolicy,
) -> Result<()> {
    let witnessed = witnessed_size(store, &publications.origin, policy)?;
    publications.reports.retain(|r| r.size <= witnessed);
    Ok(())
}
