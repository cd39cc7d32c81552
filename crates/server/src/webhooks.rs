//! State changes per agreement (issue #13, "events"): told on the per-agreement event
//! stream (`GET /v1/agreements/{id}/events`, `event: state`) and POSTed to the webhooks
//! an operator configures (`accord serve --webhook URL`), signed with the server's
//! Ed25519 key, retried with exponential backoff, every attempt recorded.
//!
//! A watcher reads the logs' sizes every [`POLL`] (so that entries appended by any writer
//! of the store are seen, as the event stream does); when a log grew, its agreement is
//! evaluated as of now through the evaluation cache ([`accord_app::evaluations`]) and the
//! statuses a bank acts on — the agreement's, each phase's, each relief action's, each
//! measure's, each trigger's — are compared with those of the last evaluation
//! ([`diff`]). A change of any of them is one [`StateChange`], identified by the log's
//! origin and size. The engine is not re-run here: only its answers are compared.
//!
//! With several servers on one PostgreSQL store, each watches and delivers: a receiver
//! tells duplicates by the event's `id`.

mod deliver;
mod diff;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use accord_app::evaluate::Reading;
use accord_ledger::note::SignerKey;
use axum::extract::State;
use axum::response::Response;

pub use deliver::{Delivery, Outcome, Retry, SIGNATURE_HEADER, signed_message};
pub use diff::{Change, Statuses};

use crate::AppState;
use crate::extract::Caller;
use crate::policy::Action;
use crate::problem::ApiError;

/// How often the watcher reads the logs.
pub const POLL: Duration = Duration::from_millis(500);

/// One subscriber: where to POST, and which agreement's changes (all when `None`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscriber {
    /// The URL (`http://…` or `https://…`).
    pub url: String,
    /// Only this agreement's changes.
    pub agreement: Option<String>,
}

impl std::str::FromStr for Subscriber {
    type Err = String;

    /// `URL` (every agreement) or `AGREEMENT=URL`.
    fn from_str(text: &str) -> Result<Subscriber, String> {
        let (agreement, url) = match text.split_once('=') {
            Some((agreement, url)) if !agreement.contains("://") => {
                (Some(agreement.to_owned()), url)
            }
            _ => (None, text),
        };
        if !(url.starts_with("https://") || url.starts_with("http://")) {
            return Err(format!(
                "`{text}` is not a webhook: give `URL` or `AGREEMENT=URL` (an https:// or \
                 http:// URL)"
            ));
        }
        if let Some(id) = &agreement {
            accord_core::id::AgreementId::new(id)
                .map_err(|e| format!("`{id}` is not an agreement id: {e}"))?;
        }
        Ok(Subscriber {
            url: url.to_owned(),
            agreement,
        })
    }
}

/// The webhooks a server delivers to.
#[derive(Debug, Clone)]
pub struct Webhooks {
    /// Who hears of which agreement.
    pub subscribers: Vec<Subscriber>,
    /// The server's key, which signs every delivery.
    pub key: SignerKey,
    /// The record of deliveries: a JSON-lines file, one line per attempt, appended and
    /// synced before the next attempt (created if missing).
    pub record: PathBuf,
    /// How deliveries are retried.
    pub retry: Retry,
    /// The certificates trusted for `https://` subscribers besides the Mozilla roots.
    pub trusted: Trusted,
}

/// Certificates trusted for `https://` subscribers besides the Mozilla roots of
/// `webpki-roots` (`accord serve --webhook-ca FILE`): a receiver whose certificate a
/// private CA issued, or a self-signed one.
#[derive(Debug, Clone, Default)]
pub struct Trusted(Vec<rustls::pki_types::CertificateDer<'static>>);

/// A `--webhook-ca` file that cannot be trusted.
#[derive(Debug, thiserror::Error)]
#[error("the webhook CA file `{file}` cannot be used: {reason}")]
pub struct TrustError {
    /// The file.
    pub file: PathBuf,
    /// Why.
    pub reason: String,
}

impl Trusted {
    /// The certificates of the PEM files `files` (each must hold at least one that can be
    /// a trust anchor).
    pub fn read(files: &[PathBuf]) -> Result<Trusted, TrustError> {
        let mut certificates = Vec::new();
        for file in files {
            let bytes = std::fs::read(file).map_err(|e| TrustError {
                file: file.clone(),
                reason: e.to_string(),
            })?;
            let read = Trusted::from_pem(&bytes).map_err(|reason| TrustError {
                file: file.clone(),
                reason,
            })?;
            certificates.extend(read.0);
        }
        Ok(Trusted(certificates))
    }

    /// The certificates of one PEM text, each checked as a trust anchor.
    pub fn from_pem(pem: &[u8]) -> Result<Trusted, String> {
        use rustls::pki_types::pem::PemObject as _;
        let certificates = rustls::pki_types::CertificateDer::pem_slice_iter(pem)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| e.to_string())?;
        if certificates.is_empty() {
            return Err("no PEM certificate in it".to_owned());
        }
        let mut roots = rustls::RootCertStore::empty();
        for certificate in &certificates {
            roots.add(certificate.clone()).map_err(|e| e.to_string())?;
        }
        Ok(Trusted(certificates))
    }
}

/// The HTTP client deliveries go through: rustls with the `ring` provider, trusting the
/// Mozilla roots and `trusted` (no system store: the same roots on every machine).
fn client(trusted: &Trusted) -> reqwest::Client {
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    for certificate in &trusted.0 {
        // Checked by `Trusted::from_pem`.
        let _ = roots.add(certificate.clone());
    }
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let built = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map(|tls| tls.with_root_certificates(roots).with_no_client_auth())
        .map_err(|e| e.to_string())
        .and_then(|tls| {
            reqwest::Client::builder()
                .tls_backend_preconfigured(tls)
                .build()
                .map_err(|e| e.to_string())
        });
    built.unwrap_or_else(|error| {
        // Not expected: the configuration is fixed but for the roots checked above.
        tracing::error!(%error, "the webhook client cannot use TLS; https:// deliveries will fail");
        install_crypto_provider();
        reqwest::Client::new()
    })
}

/// Makes `ring` the process's rustls provider, for an HTTP client built without one
/// (reqwest is built without a provider of its own; see `Cargo.toml`). Idempotent.
pub fn install_crypto_provider() {
    // An error only says that a provider is installed already.
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// One state change of an agreement, as delivered and streamed.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct StateChange {
    /// `ORIGIN/SIZE`: the log and its size when the change was seen (what a receiver
    /// dedupes on).
    pub id: String,
    /// The agreement.
    pub agreement: String,
    /// Its log.
    pub origin: String,
    /// The log's size then.
    pub size: u64,
    /// The instant the agreement was evaluated as of.
    pub as_of: jiff::Timestamp,
    /// What changed.
    pub changes: Vec<Change>,
}

/// Where state changes go: the event streams (a broadcast) and the webhooks.
#[derive(Debug)]
pub(crate) struct Hub {
    streams: tokio::sync::broadcast::Sender<Arc<StateChange>>,
    webhooks: Option<Webhooks>,
    record: Arc<deliver::Record>,
    client: reqwest::Client,
}

impl Hub {
    pub(crate) fn new(webhooks: Option<Webhooks>) -> Hub {
        let record = Arc::new(deliver::Record::new(
            webhooks.as_ref().map(|w| w.record.clone()),
        ));
        let client = client(
            &webhooks
                .as_ref()
                .map(|w| w.trusted.clone())
                .unwrap_or_default(),
        );
        Hub {
            streams: tokio::sync::broadcast::channel(256).0,
            webhooks,
            record,
            client,
        }
    }

    /// The state changes from now on.
    pub(crate) fn subscribe(&self) -> tokio::sync::broadcast::Receiver<Arc<StateChange>> {
        self.streams.subscribe()
    }

    /// Tells the streams and starts a delivery to each subscriber of the agreement.
    fn publish(self: &Arc<Self>, change: StateChange) {
        let change = Arc::new(change);
        // No stream listening is not an error.
        let _ = self.streams.send(change.clone());
        let Some(webhooks) = &self.webhooks else {
            return;
        };
        let body: Arc<str> = serde_json::to_string(&*change).unwrap_or_default().into();
        for subscriber in &webhooks.subscribers {
            if subscriber
                .agreement
                .as_ref()
                .is_some_and(|a| *a != change.agreement)
            {
                continue;
            }
            let hub = self.clone();
            let (subscriber, change, body) = (subscriber.clone(), change.clone(), body.clone());
            tokio::spawn(async move { hub.deliver(&subscriber, &change, &body).await });
        }
    }
}

/// What the watcher knows of each log: its size and its agreement's statuses then.
pub(crate) type Seen = BTreeMap<String, (u64, Option<Statuses>)>;

/// The statuses of `agreement` as of `as_of`, from the evaluation cache; `None` when it
/// cannot be evaluated (a log whose agreement is not registered).
async fn statuses(state: &AppState, agreement: String, as_of: jiff::Timestamp) -> Option<Statuses> {
    let evaluations = state.evaluations.clone();
    let store = state.store.clone();
    tokio::task::spawn_blocking(move || {
        evaluations
            .state(&store, &agreement, as_of, &Reading::default())
            .ok()
            .map(|evaluated| Statuses::of(&evaluated.state))
    })
    .await
    .ok()
    .flatten()
}

/// Every log: origin → (size, agreement).
async fn logs(state: &AppState) -> Option<Vec<(String, u64, String)>> {
    let store = state.store.clone();
    let logs = tokio::task::spawn_blocking(move || store.logs())
        .await
        .ok()?
        .ok()?;
    Some(
        logs.into_iter()
            .map(|l| (l.origin, l.size, l.initial_roster.agreement.to_string()))
            .collect(),
    )
}

/// What is known of the logs at start-up: each log's size and its agreement's statuses.
///
/// Taken before the server accepts requests ([`crate::start`] awaits it), so that an entry
/// submitted through this server is always compared with a reading taken before it: read
/// while the server already served, an entry appended during the reading would be part of
/// what is known and never told.
///
/// `None` when the logs cannot be read: the watcher's first reading sets what is known.
pub(crate) async fn baseline(state: &AppState) -> Option<Seen> {
    let mut seen = Seen::new();
    for (origin, size, agreement) in logs(state).await? {
        let now = jiff::Timestamp::now();
        // A log whose agreement cannot be evaluated yet has nothing to compare with; its
        // first evaluable reading is told against no statuses at all.
        let statuses = statuses(state, agreement, now).await;
        seen.insert(origin, (size, statuses));
    }
    Some(seen)
}

/// Watches the logs until the server stops, from what [`baseline`] read, publishing each
/// state change.
pub(crate) async fn watch(state: AppState, baseline: Option<Seen>) {
    let mut stopping = state.stopping.subscribe();
    let mut first = baseline.is_none();
    let mut seen = baseline.unwrap_or_default();
    loop {
        if let Some(logs) = logs(&state).await {
            for (origin, size, agreement) in logs {
                let known = seen.get(&origin).map(|(s, _)| *s);
                if known.is_some_and(|k| k >= size) {
                    continue;
                }
                let now = jiff::Timestamp::now();
                let after = statuses(&state, agreement.clone(), now).await;
                let before = match seen.insert(origin.clone(), (size, after.clone())) {
                    Some((_, before)) => before,
                    // Without a baseline, the logs of the first reading set what is
                    // known; a log created since had nothing to say before.
                    None if first => None,
                    None => Some(Statuses::default()),
                };
                let (Some(before), Some(after)) = (before, after) else {
                    continue;
                };
                let changes = before.changes_to(&after);
                if !changes.is_empty() {
                    state.changes.publish(StateChange {
                        id: format!("{origin}/{size}"),
                        agreement,
                        origin,
                        size,
                        as_of: now,
                        changes,
                    });
                }
            }
            first = false;
        }
        tokio::select! {
            _ = tokio::time::sleep(POLL) => {}
            _ = stopping.wait_for(|stop| *stop) => return,
        }
    }
}

/// `GET /v1/webhooks/deliveries`: every delivery in the record (the operator's), oldest
/// first, with each attempt.
pub(crate) async fn deliveries(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Response, ApiError> {
    caller.may(Action::ReadDeliveries)?;
    let record = state.changes.record.clone();
    let deliveries = tokio::task::spawn_blocking(move || record.read())
        .await
        .map_err(|_| ApiError::internal())?
        .map_err(|e| {
            tracing::error!(error = %e, "the webhook delivery record cannot be read");
            ApiError::internal()
        })?;
    let key = state
        .changes
        .webhooks
        .as_ref()
        .map(|w| w.key.verifier().to_string());
    let body = serde_json::json!({ "key": key, "deliveries": deliveries });
    Ok(crate::routes::json(body.to_string()))
}
