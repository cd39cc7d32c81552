//! The log side of witnessing (issue #15): a log's latest signed checkpoint sent to the
//! witnesses of a witness policy (C2SP tlog-witness `add-checkpoint`), each with the
//! consistency proof from the size it last cosigned; the cosignatures collected, checked,
//! attached and stored with the checkpoint (the log's signed checkpoint itself stays as it
//! was signed). The protocol is `accord_ledger::witness::submit`; this is its shell.

use std::time::Duration;

use accord_ledger::note::{self, VerifierKey};
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

impl Transport for Http {
    fn post(
        &self,
        url: &str,
        body: &str,
    ) -> std::result::Result<(u16, Option<String>, String), String> {
        let mut response = self
            .agent
            .post(url)
            .header("Content-Type", "text/plain; charset=utf-8")
            .send(body)
            .map_err(|e| e.to_string())?;
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
                Err(outcome) => outcome,
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
    })
}
