//! Delivering a state change to one subscriber: signed, retried with exponential backoff
//! up to a bounded number of attempts, each attempt appended to the record.
//!
//! The signature: `Accord-Signature: keyid=NAME+HEX8, t=UNIX_SECONDS, sig=BASE64` where
//! `sig` is the Ed25519 signature, by the server's key, of the bytes `T.BODY` (the
//! decimal `t`, a full stop, and the exact body bytes). A receiver verifies it with the
//! server's public key (given to it by the operator, never read from the header) and
//! refuses a `t` too far from its clock (a replay).
//!
//! The record is a JSON-lines file (one line per attempt, appended and synced before the
//! next attempt is made), not a store table: it is the server's own operational record
//! (which subscriber answered what, when), not evidence; it stays readable with `jq`
//! when the server is down; and a server of a PostgreSQL store shared with others keeps
//! its own deliveries apart from theirs.

use std::io::Write as _;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

use base64::Engine as _;

use super::{Hub, StateChange, Subscriber};

/// The header that carries the signature.
pub const SIGNATURE_HEADER: &str = "accord-signature";

/// How deliveries are retried: at most `attempts` attempts, the n-th retry after
/// `first × 2ⁿ⁻¹` (at most `max`), each attempt given `timeout`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retry {
    /// Attempts in all (at least 1).
    pub attempts: u32,
    /// The wait before the first retry.
    pub first: Duration,
    /// The longest wait between attempts.
    pub max: Duration,
    /// How long one attempt may take.
    pub timeout: Duration,
}

impl Default for Retry {
    fn default() -> Retry {
        Retry {
            attempts: 8,
            first: Duration::from_secs(1),
            max: Duration::from_secs(600),
            timeout: Duration::from_secs(10),
        }
    }
}

impl Retry {
    /// The wait after failed attempt `n` (1-based).
    pub fn backoff(&self, n: u32) -> Duration {
        let factor = 2u32.saturating_pow(n.saturating_sub(1));
        self.first.saturating_mul(factor).min(self.max)
    }
}

/// The bytes signed for a delivery of `body` at `t` (Unix seconds): `T.BODY`.
pub fn signed_message(t: i64, body: &[u8]) -> Vec<u8> {
    let mut message = format!("{t}.").into_bytes();
    message.extend_from_slice(body);
    message
}

/// One line of the record: one attempt of one delivery.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
struct Attempt {
    /// The state change's id.
    event: String,
    agreement: String,
    url: String,
    /// 1-based.
    attempt: u32,
    at: jiff::Timestamp,
    /// The subscriber's answer, if it answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    status: Option<u16>,
    /// Why the attempt failed, if it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    error: Option<String>,
    /// `delivered`, `retrying` or `failed` (no attempt left).
    outcome: Outcome,
}

/// Where a delivery stands after an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// A 2xx answer.
    Delivered,
    /// Failed; another attempt will be made.
    Retrying,
    /// Failed; no attempt is left.
    Failed,
}

/// One delivery as the admin endpoint lists it: its attempts so far.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Delivery {
    /// The state change's id.
    pub event: String,
    /// The agreement.
    pub agreement: String,
    /// The subscriber.
    pub url: String,
    /// Where it stands (its last attempt's outcome).
    pub outcome: Outcome,
    /// How many attempts were made.
    pub attempts: u32,
    /// Each attempt: when, the answer's status or the error, its outcome.
    pub history: Vec<serde_json::Value>,
}

/// The record of deliveries: a JSON-lines file (or nothing, without webhooks).
#[derive(Debug)]
pub(crate) struct Record {
    path: Option<PathBuf>,
    /// One writer at a time, so that lines never interleave.
    writing: Mutex<()>,
}

impl Record {
    pub(crate) fn new(path: Option<PathBuf>) -> Record {
        Record {
            path,
            writing: Mutex::new(()),
        }
    }

    /// Appends one attempt, synced.
    fn append(&self, attempt: &Attempt) -> std::io::Result<()> {
        let Some(path) = &self.path else {
            return Ok(());
        };
        let _guard = self.writing.lock().unwrap_or_else(|e| e.into_inner());
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)?;
        let line = serde_json::to_string(attempt).map_err(std::io::Error::other)?;
        writeln!(file, "{line}")?;
        file.sync_data()
    }

    /// Every delivery, in the order of their first attempts. A line that is not an
    /// attempt (a torn last line after a crash) is skipped.
    pub(crate) fn read(&self) -> std::io::Result<Vec<Delivery>> {
        let Some(path) = &self.path else {
            return Ok(Vec::new());
        };
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => return Err(e),
        };
        let mut deliveries: Vec<Delivery> = Vec::new();
        for attempt in text
            .lines()
            .filter_map(|l| serde_json::from_str::<Attempt>(l).ok())
        {
            let entry = serde_json::to_value(&attempt).unwrap_or_default();
            match deliveries
                .iter_mut()
                .find(|d| d.event == attempt.event && d.url == attempt.url)
            {
                Some(d) => {
                    d.outcome = attempt.outcome;
                    d.attempts = d.attempts.max(attempt.attempt);
                    d.history.push(entry);
                }
                None => deliveries.push(Delivery {
                    event: attempt.event,
                    agreement: attempt.agreement,
                    url: attempt.url,
                    outcome: attempt.outcome,
                    attempts: attempt.attempt,
                    history: vec![entry],
                }),
            }
        }
        Ok(deliveries)
    }
}

impl Hub {
    /// Delivers `body` (the change's JSON) to `subscriber`: each attempt signed afresh,
    /// recorded, and retried after its backoff until one is answered 2xx or none is left.
    pub(super) async fn deliver(&self, subscriber: &Subscriber, change: &StateChange, body: &str) {
        let Some(webhooks) = &self.webhooks else {
            return;
        };
        let retry = webhooks.retry;
        for n in 1..=retry.attempts.max(1) {
            let (status, error) = self.attempt(subscriber, change, body).await;
            let delivered = status.is_some_and(|s| (200..300).contains(&s));
            let outcome = match (delivered, n >= retry.attempts) {
                (true, _) => Outcome::Delivered,
                (false, false) => Outcome::Retrying,
                (false, true) => Outcome::Failed,
            };
            let attempt = Attempt {
                event: change.id.clone(),
                agreement: change.agreement.clone(),
                url: subscriber.url.clone(),
                attempt: n,
                at: jiff::Timestamp::now(),
                status,
                error,
                outcome,
            };
            if let Err(e) = self.append(attempt).await {
                tracing::error!(error = %e, "a webhook delivery cannot be recorded");
            }
            if outcome != Outcome::Retrying {
                return;
            }
            tokio::time::sleep(retry.backoff(n)).await;
        }
    }

    async fn append(&self, attempt: Attempt) -> std::io::Result<()> {
        // A synced file write: on the blocking pool, like every blocking call.
        let record = self.record.clone();
        tokio::task::spawn_blocking(move || record.append(&attempt))
            .await
            .map_err(std::io::Error::other)?
    }

    /// One attempt: the answer's status, or why there was none.
    async fn attempt(
        &self,
        subscriber: &Subscriber,
        change: &StateChange,
        body: &str,
    ) -> (Option<u16>, Option<String>) {
        let Some(webhooks) = &self.webhooks else {
            return (None, None);
        };
        let t = jiff::Timestamp::now().as_second();
        let signature = webhooks.key.sign_bytes(&signed_message(t, body.as_bytes()));
        let header = format!(
            "keyid={}+{:08x}, t={t}, sig={}",
            webhooks.key.name(),
            webhooks.key.key_id(),
            base64::engine::general_purpose::STANDARD.encode(signature)
        );
        let sent = self
            .client
            .post(&subscriber.url)
            .timeout(webhooks.retry.timeout)
            .header("content-type", "application/json")
            .header(SIGNATURE_HEADER, header)
            .header("accord-event", "state")
            .header("accord-delivery", &change.id)
            .body(body.to_owned())
            .send()
            .await;
        match sent {
            Ok(answer) => {
                let status = answer.status().as_u16();
                let error = (!answer.status().is_success()).then(|| format!("answered {status}"));
                (Some(status), error)
            }
            // With its causes: `error sending request` alone does not say that the
            // receiver's certificate was refused.
            Err(e) => (None, Some(accord_render::errors::chain(&e))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_its_cap() {
        let retry = Retry {
            attempts: 5,
            first: Duration::from_secs(1),
            max: Duration::from_secs(5),
            timeout: Duration::from_secs(1),
        };
        let waits: Vec<u64> = (1..=5).map(|n| retry.backoff(n).as_secs()).collect();
        assert_eq!(waits, [1, 2, 4, 5, 5]);
    }

    #[test]
    fn the_signed_bytes_are_the_time_a_full_stop_and_the_body() {
        assert_eq!(signed_message(17, b"{\"a\":1}"), b"17.{\"a\":1}".to_vec());
    }
}
