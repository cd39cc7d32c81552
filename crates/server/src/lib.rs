//! `accord serve`: Accord's use cases over HTTP (issue #13). An axum router whose
//! handlers read the request strictly ([`extract`]), check the caller against the rules
//! ([`policy`], tokens in [`auth`]), call an `accord-app` use case on tokio's blocking
//! pool (the store and the engine block), and answer with the JSON `accord-render` makes
//! — the same documents the CLI prints — or an RFC 9457 problem ([`problem`]).
//!
//! Only this crate knows HTTP. It holds no use case of its own: what the server needs
//! that no command did is in `accord_app::service`.
//!
//! ```no_run
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let url: accord_app::StoreUrl = "sqlite:accord.db".parse()?;
//! let config = accord_server::Config::new(accord_app::open(&url, false)?);
//! accord_server::run(config, "127.0.0.1:8080".parse()?, |addr| {
//!     println!("listening on http://{addr}");
//! })?;
//! # Ok(()) }
//! ```

pub mod auth;
mod extract;
mod forward;
pub mod limits;
pub mod logs;
mod metrics;
mod middleware;
mod openapi;
mod pages;
pub mod policy;
mod problem;
pub mod replica;
mod reports;
mod routes;
mod screening;
pub mod webhooks;
pub mod witness;
pub mod witnessing;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use accord_app::Store;
use axum::Router;

pub use auth::{Role, TokenError, Tokens};
pub use limits::{Limit, Rate, RateLimits};
pub use openapi::DOCUMENT as OPENAPI;
pub use policy::{Policy, PolicyError};
pub use problem::ApiError;
pub use webhooks::{Subscriber, Webhooks};

/// The largest body accepted by default (a signed entry is at most about 1 MiB in
/// base64).
pub const DEFAULT_BODY_LIMIT: usize = 2 * 1024 * 1024;

/// The default largest list file uploaded for import (`POST /v1/lists/{source}/imports`),
/// in bytes: official lists run to hundreds of megabytes (OFAC's advanced XML), and an
/// upload is written to a temporary file as it arrives, never held in memory.
pub const DEFAULT_UPLOAD_LIMIT: usize = 1024 * 1024 * 1024;

/// How long a request may take by default before it is answered 503.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// The most submitted entries in flight by default: handed to the logs' writers and not
/// yet answered (at least a whole batch of 1,000 entries).
pub const DEFAULT_SUBMISSIONS_IN_FLIGHT: usize = 4096;

/// What a server serves and how.
#[derive(Debug, Clone)]
pub struct Config {
    /// The store (opened once, shared by every request).
    pub store: Store,
    /// The tokens it accepts.
    pub tokens: Tokens,
    /// The largest body accepted, in bytes.
    pub body_limit: usize,
    /// The largest list file accepted for import by upload, in bytes.
    pub upload_limit: usize,
    /// How long a request may take.
    pub timeout: Duration,
    /// The rate limits per token and per address.
    pub rate_limits: RateLimits,
    /// Where reads are answered from, when not from `store`: a hot standby of its
    /// PostgreSQL primary (`accord serve --read-store`; see [`replica`]).
    pub read_store: Option<Store>,
    /// The address other servers of the same store name as this one's when it leads a log
    /// (`accord serve --advertise`); by default `http://` and the address it listens on.
    pub advertise: Option<String>,
    /// Where evaluations come from: a cache per agreement kept current on every request
    /// ([`accord_app::evaluations::Evaluations::new`], the default), or a full read per
    /// request (`uncached`, the benchmarks' baseline).
    pub evaluations: Arc<accord_app::evaluations::Evaluations>,
    /// Who may do what: the shipped default policy, or an operator's
    /// (`accord serve --policy FILE`).
    pub policy: policy::Policy,
    /// Where state changes are POSTed (`accord serve --webhook`), if anywhere.
    pub webhooks: Option<webhooks::Webhooks>,
    /// Where simulations are published (`accord serve --simulations DIR`): the result of
    /// `accord simulate … --out DIR/AGREEMENT`, shown at `/agreements/AGREEMENT/simulation`.
    pub simulations: Option<std::path::PathBuf>,
    /// The most store work in flight on one store (`accord serve --max-blocking`; by
    /// default half the store's connections, [`replica::default_blocking_limit`]).
    pub blocking_limit: Option<usize>,
    /// Requests that may wait for a turn of store work on one store (`accord serve
    /// --max-queue`; by default [`replica::QUEUE_PER_TURN`] per turn); past it a request
    /// is answered 503 `overloaded` at once.
    pub blocking_queue: Option<usize>,
    /// The most submitted entries in flight at once (handed to the writers, not yet
    /// answered); a submission that would pass it is answered 503 `overloaded` at once,
    /// nothing written, so submissions never queue without bound.
    pub submissions_in_flight: usize,
    /// Agreements whose logs are in other stores (`accord serve --store-map FILE`): an
    /// agreement id, or a prefix ending in `*`, and its store; see [`replica`].
    pub store_map: Vec<(String, Store)>,
    /// The witness policy each new checkpoint is cosigned under, and where split-view
    /// evidence goes (`accord serve --witness-policy FILE`; see [`witnessing`]).
    pub witnessing: Option<witnessing::Witnessing>,
}

impl Config {
    /// A server of `store` accepting no token, with the default limits.
    pub fn new(store: Store) -> Config {
        Config {
            store,
            tokens: Tokens::none(),
            body_limit: DEFAULT_BODY_LIMIT,
            upload_limit: DEFAULT_UPLOAD_LIMIT,
            timeout: DEFAULT_TIMEOUT,
            rate_limits: RateLimits::default(),
            read_store: None,
            advertise: None,
            evaluations: Arc::default(),
            policy: policy::Policy::shipped(),
            webhooks: None,
            simulations: None,
            blocking_limit: None,
            blocking_queue: None,
            submissions_in_flight: DEFAULT_SUBMISSIONS_IN_FLIGHT,
            store_map: Vec::new(),
            witnessing: None,
        }
    }
}

/// What every handler can reach: [`Shared`], behind one `Arc`. Every layer and handler
/// that takes the state clones it per request (axum's `State`), so a clone is one
/// reference count, not one per field (it was 14 shared counters touched, and as many
/// released, several times per request: a few microseconds of a small submission).
#[derive(Debug, Clone)]
pub(crate) struct AppState(Arc<Shared>);

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// What [`AppState`] holds.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) store: Store,
    /// Where reads go when they may be answered from a standby (see [`replica`]).
    pub(crate) reads: Arc<replica::Reads>,
    pub(crate) tokens: Arc<Tokens>,
    pub(crate) body_limit: usize,
    pub(crate) upload_limit: usize,
    pub(crate) screening: Arc<screening::Cache>,
    /// Every agreement's evaluation, kept current (issues #13, #14).
    pub(crate) evaluations: Arc<accord_app::evaluations::Evaluations>,
    /// Told `true` when the server stops, so that open event streams end (an open stream
    /// would otherwise hold the graceful shutdown forever, axum #2673).
    pub(crate) stopping: Arc<tokio::sync::watch::Sender<bool>>,
    /// Metrics and rate limit buckets ([`middleware`]).
    pub(crate) ops: Arc<middleware::Ops>,
    /// Who may do what.
    pub(crate) policy: policy::Policy,
    /// Where state changes go: the event streams and the webhooks ([`webhooks`]).
    pub(crate) changes: Arc<webhooks::Hub>,
    /// Where simulations are published ([`Config::simulations`]).
    pub(crate) simulations: Option<Arc<std::path::PathBuf>>,
    /// The witness policy ([`Config::witnessing`]).
    pub(crate) witnessing: Option<Arc<witnessing::Witnessing>>,
    /// Where submitted entries go, answered after their commit without a blocking thread
    /// waiting for each ([`accord_app::submitter`]).
    pub(crate) submitter: accord_app::submitter::Submitter,
    /// One permit per submitted entry in flight ([`Config::submissions_in_flight`]), held
    /// until the entry is answered.
    pub(crate) in_flight: Arc<tokio::sync::Semaphore>,
}

/// The whole application: the routes with their limits and the layers of [`middleware`]
/// (request ids, logs, metrics, rate limits, compression, a timeout, a panic answered as
/// a 500 problem).
pub fn app(config: Config) -> Router {
    app_stopped_by(config, Arc::new(tokio::sync::watch::channel(false).0)).0
}

/// [`app`], whose event streams end when `stopping` is told `true`; with its state (for
/// the state-change watcher, which [`start`] runs).
fn app_stopped_by(
    config: Config,
    stopping: Arc<tokio::sync::watch::Sender<bool>>,
) -> (Router, AppState) {
    // A client built with reqwest's defaults anywhere in the server finds rustls's provider.
    webhooks::install_crypto_provider();
    let bound = replica::Bound {
        limit: config.blocking_limit,
        queue: config.blocking_queue,
    };
    let reads = Arc::new(
        replica::Reads::new(config.store.clone(), config.read_store, bound)
            .with_map(config.store_map, bound),
    );
    let state = AppState(Arc::new(Shared {
        reads: reads.clone(),
        store: config.store,
        tokens: Arc::new(config.tokens),
        body_limit: config.body_limit,
        upload_limit: config.upload_limit,
        screening: Arc::default(),
        evaluations: config.evaluations,
        stopping,
        ops: Arc::new(middleware::Ops::new(config.rate_limits)),
        policy: config.policy,
        changes: Arc::new(webhooks::Hub::new(config.webhooks)),
        simulations: config.simulations.map(Arc::new),
        witnessing: config.witnessing.map(Arc::new),
        submitter: accord_app::submitter::Submitter::new(),
        in_flight: Arc::new(tokio::sync::Semaphore::new(config.submissions_in_flight)),
    }));
    let router = routes::router(state.clone())
        .layer(axum::middleware::from_fn_with_state(reads, replica::route));
    (middleware::wrap(router, &state, config.timeout), state)
}

/// Why a server could not run.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The address cannot be listened on.
    #[error("cannot listen on `{addr}`")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The runtime or the listener failed.
    #[error("the server failed")]
    Io(#[from] std::io::Error),
    /// The demo could not be set up.
    #[error(transparent)]
    App(#[from] accord_app::Error),
}

/// A server running on a tokio runtime: its address, and how to stop it.
#[derive(Debug)]
pub struct Running {
    addr: SocketAddr,
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Running {
    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops it: requests in flight finish, then it returns.
    pub async fn stop(self) -> std::io::Result<()> {
        let _ = self.stop.send(());
        self.task
            .await
            .unwrap_or_else(|e| Err(std::io::Error::other(e)))
    }
}

/// Binds `listen` and serves `config` on the current tokio runtime until stopped.
///
/// On PostgreSQL the server writes a log only while it holds the log's lease (see
/// [`accord_app::Store::lead_by_lease`]), advertising [`Config::advertise`] or its own
/// address: several servers can share one primary.
pub async fn start(config: Config, listen: SocketAddr) -> Result<Running, ServeError> {
    let stopping = Arc::new(tokio::sync::watch::channel(false).0);
    let listener = bind(listen).await?;
    let addr = listener.local_addr()?;
    let advertise = config
        .advertise
        .clone()
        .unwrap_or_else(|| format!("http://{addr}"));
    config.store.lead_by_lease(Some(advertise.clone()));
    for (_, store) in &config.store_map {
        store.lead_by_lease(Some(advertise.clone()));
    }
    let (app, state) = app_stopped_by(config, stopping.clone());
    // State changes are watched for as long as the server runs (it ends with `stopping`),
    // from what the logs held before the first request (see `webhooks::baseline`).
    let baseline = webhooks::baseline(&state).await;
    if let Some(witnessing) = state.witnessing.clone() {
        let stores = state.reads.writable();
        tokio::spawn(witnessing::watch(state.clone(), stores, witnessing));
    }
    tokio::spawn(webhooks::watch(state, baseline));
    Ok(serve_on(listener, addr, app, Some(stopping)))
}

async fn bind(listen: SocketAddr) -> Result<tokio::net::TcpListener, ServeError> {
    tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|source| ServeError::Bind {
            addr: listen,
            source,
        })
}

/// Binds `listen` and serves `app` on the current tokio runtime until stopped.
/// When it is told to stop, `stopping` (if any) is told `true` first, so that long-lived
/// responses end and the graceful shutdown completes.
pub(crate) async fn start_router(
    app: Router,
    listen: SocketAddr,
    stopping: Option<Arc<tokio::sync::watch::Sender<bool>>>,
) -> Result<Running, ServeError> {
    let listener = bind(listen).await?;
    let addr = listener.local_addr()?;
    Ok(serve_on(listener, addr, app, stopping))
}

fn serve_on(
    listener: tokio::net::TcpListener,
    addr: SocketAddr,
    app: Router,
    stopping: Option<Arc<tokio::sync::watch::Sender<bool>>>,
) -> Running {
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        // The peer's address reaches the handlers (the per-address rate limit).
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async move {
            let _ = stopped.await;
            if let Some(stopping) = stopping {
                stopping.send_replace(true);
            }
        })
        .await
    });
    Running { addr, stop, task }
}

/// Serves `config` on `listen` until the process is interrupted (Ctrl-C) or terminated
/// (SIGTERM): requests in flight finish first. `ready` is told the address once the
/// server listens.
pub fn run(
    config: Config,
    listen: SocketAddr,
    ready: impl FnOnce(SocketAddr),
) -> Result<(), ServeError> {
    // INVARIANT: the store's last handle is dropped outside the runtime: the PostgreSQL
    // client closes its connections by blocking on a runtime of its own.
    let store = config.store.clone();
    logs::init();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let served = runtime.block_on(async move {
        let running = start(config, listen).await?;
        // The signals are listened for before anyone is told the address, so that a
        // SIGTERM sent as soon as the server answers stops it gracefully.
        let stop = shutdown_signal()?;
        ready(running.addr());
        stop.await;
        Ok(running.stop().await?)
    });
    drop(runtime);
    drop(store);
    served
}

/// Resolves on Ctrl-C or SIGTERM; both are listened for from the call on.
fn shutdown_signal() -> std::io::Result<impl std::future::Future<Output = ()>> {
    #[cfg(unix)]
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    let interrupt = tokio::spawn(async {
        let _ = tokio::signal::ctrl_c().await;
    });
    Ok(async move {
        #[cfg(unix)]
        tokio::select! {
            _ = interrupt => {},
            _ = terminate.recv() => {},
        }
        #[cfg(not(unix))]
        let _ = interrupt.await;
    })
}

/// A demo: the bundled scenarios played into an embedded store in a temporary directory
/// (removed when this is dropped), and a token of each reading role to try.
#[derive(Debug)]
pub struct Demo {
    /// What the demo played.
    pub played: accord_app::play::Demo,
    /// The config to serve it with (its tokens accepted).
    pub config: Config,
    /// Each token to try, with its role.
    pub tokens: Vec<(Role, String)>,
    _dir: tempfile::TempDir,
}

/// A small sample list (the EU financial sanctions XML format) that the demo imports as the EU's, so
/// that the status query has designations to answer from: the Central Bank of Arden of
/// the bundled nuclear-caps agreement, and one person.
pub const DEMO_LIST: &str = include_str!("../demo/eu-arden.xml");

/// Sets up [`Demo`]: plays the bundled scenarios, imports [`DEMO_LIST`] as `eu-fsf`
/// (observed on 2026-01-01), issues a compliance, a public and an admin token (accepted
/// by this server only: they are not written anywhere).
pub fn demo(now: jiff::Timestamp) -> Result<Demo, ServeError> {
    let dir = tempfile::tempdir()?;
    let played = accord_app::play::demo(Some(dir.path()))?;
    let store = accord_app::open(&played.store, true)?;
    let list = dir.path().join("eu-arden.xml");
    std::fs::write(&list, DEMO_LIST)?;
    let import = accord_app::lists::Import::files(
        &[list],
        None,
        Some("eu-fsf".into()),
        "2026-01-01T00:00:00Z".into(),
    );
    accord_app::lists::import(&store, &import, &mut |_, _| {})?;
    let mut config = Config::new(store);
    let mut tokens = Vec::new();
    for role in [Role::Compliance, Role::Public, Role::Admin] {
        let issued = auth::issue(role, None, now).map_err(|e| match e {
            TokenError::Random(e) => ServeError::App(e),
            other => ServeError::Io(std::io::Error::other(other.to_string())),
        })?;
        // INVARIANT: a fresh record of a role that names no party is always accepted.
        let _ = config.tokens.add(&issued.record);
        tokens.push((role, issued.token));
    }
    Ok(Demo {
        played,
        config,
        tokens,
        _dir: dir,
    })
}
