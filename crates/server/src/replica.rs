//! Reads from a hot standby (`accord serve --read-store URL`, issue #17): evaluation,
//! status, screening, logs, tiles and pages are answered from the standby, writes from the
//! primary (`Config::store`).
//!
//! Read-your-writes: a submission's answer carries the primary's write-ahead log position
//! after its commit (`Accord-Commit-Lsn`). A read that sends it back
//! (`Accord-Min-Lsn: <position>`) is answered from the standby once the standby has
//! replayed past it, waited for at most [`CATCH_UP`]; then from the primary. A read
//! without it may be a little behind the primary (by the standby's replay lag; none
//! with `synchronous_commit = remote_apply`, where a commit is acknowledged only once the
//! synchronous standby has applied it).
//!
//! Agreements placed on other stores (`accord serve --store-map FILE`, see
//! [`accord_store::StoreMap`]): a request that names an agreement — its path
//! (`/v1/agreements/{id}/…`, `/agreements/{id}/…`) or its `agreement` query parameter — is
//! answered from that agreement's store when the map names one, reads and writes alike, and
//! a submission is written to the store of the agreement its entry names
//! ([`Reads::writes_for`]). Everything else is answered from the server's own store.
//!
//! Which store a request uses is decided once, in [`route`], before its handler runs, and
//! kept in a task-local that [`Reads::store`] reads: handlers need not know.

use std::sync::Arc;
use std::time::Duration;

use accord_app::Store;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse as _, Response};
use tokio::sync::Semaphore;

use crate::problem::ApiError;

/// The header of a submission's answer: the primary's log position after the commit.
pub const COMMIT_LSN: &str = "accord-commit-lsn";
/// The header of a read that must see everything up to a position.
pub const MIN_LSN: &str = "accord-min-lsn";
/// The header that says which store answered a read (`primary` or `standby`).
pub const READ_FROM: &str = "accord-read-from";

/// The longest a read waits for the standby to replay past the position it asks for,
/// before it is answered from the primary.
pub const CATCH_UP: Duration = Duration::from_secs(2);
/// How often the standby is asked meanwhile.
const POLL: Duration = Duration::from_millis(10);

/// Which store answers a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// The primary: writes, and reads the standby cannot answer in time.
    Primary,
    /// The standby.
    Standby,
    /// The store the store map gives the request's agreement (its primary).
    Mapped(usize),
}

impl Route {
    fn name(self) -> &'static str {
        match self {
            Route::Primary | Route::Mapped(_) => "primary",
            Route::Standby => "standby",
        }
    }
}

/// A store of the store map, and the agreements it holds.
#[derive(Debug)]
struct Mapped {
    /// An agreement id, or a prefix ending in `*`.
    agreements: String,
    store: Store,
    work: Arc<Turns>,
}

tokio::task_local! {
    static ROUTE: Route;
}

/// The primary and, when configured, the standby reads go to; and for each, the blocking
/// work it may have in flight (see [`crate::routes`]'s `blocking`).
#[derive(Debug)]
pub struct Reads {
    primary: Store,
    standby: Option<Store>,
    primary_work: Arc<Turns>,
    standby_work: Arc<Turns>,
    mapped: Vec<Mapped>,
}

/// How much blocking work one store takes: `limit` tasks in flight (by default
/// [`default_blocking_limit`]) and `queue` more requests waiting for a turn (by default
/// [`QUEUE_PER_TURN`] per turn).
#[derive(Debug, Clone, Copy, Default)]
pub struct Bound {
    /// Tasks in flight at once (`None`: [`default_blocking_limit`]).
    pub limit: Option<usize>,
    /// Requests waiting for a turn (`None`: [`QUEUE_PER_TURN`] per turn).
    pub queue: Option<usize>,
}

/// Requests that may wait for each turn of blocking work by default: a burst of queries
/// waits its turn (bounded by the request timeout); only a backlog past this is refused.
pub const QUEUE_PER_TURN: usize = 16;

/// The turns of one store's blocking work: `work` held while a task runs; `admitted` held
/// from the request's arrival to the end of its work (the turns plus the queue), so that a
/// request finding no admission is refused at once instead of queueing without bound.
#[derive(Debug)]
pub(crate) struct Turns {
    pub(crate) work: Arc<Semaphore>,
    pub(crate) admitted: Arc<Semaphore>,
}

impl Turns {
    fn new(bound: Bound, store: &Store) -> Arc<Turns> {
        let limit = bound
            .limit
            .unwrap_or_else(|| default_blocking_limit(store))
            .max(1);
        let queue = bound.queue.unwrap_or(limit * QUEUE_PER_TURN);
        Arc::new(Turns {
            work: Arc::new(Semaphore::new(limit)),
            admitted: Arc::new(Semaphore::new(limit + queue)),
        })
    }
}

/// The blocking work one store may have in flight by default: half its pool's connections,
/// since a status query holds a second connection while it holds one (16 of them in
/// flight on a pool of 16 would each wait for a connection none gives back).
pub fn default_blocking_limit(store: &Store) -> usize {
    usize::try_from(store.pool_size() / 2).unwrap_or(1).max(1)
}

impl Reads {
    /// Reads from `standby` when there is one; the blocking work of each store within
    /// `bound`.
    pub fn new(primary: Store, standby: Option<Store>, bound: Bound) -> Reads {
        Reads {
            primary_work: Turns::new(bound, &primary),
            standby_work: Turns::new(bound, standby.as_ref().unwrap_or(&primary)),
            primary,
            standby,
            mapped: Vec::new(),
        }
    }

    /// These reads, with the agreements of `map` (an id or a prefix ending in `*`, and its
    /// store, opened) answered from their stores; the blocking work of each within `bound`.
    pub fn with_map(mut self, map: Vec<(String, Store)>, bound: Bound) -> Reads {
        self.mapped = map
            .into_iter()
            .map(|(agreements, store)| Mapped {
                work: Turns::new(bound, &store),
                agreements,
                store,
            })
            .collect();
        self
    }

    /// Where in the store map `agreement`'s store is, if the map names it.
    fn mapped_for(&self, agreement: &str) -> Option<usize> {
        accord_store::url::position_for(
            self.mapped.iter().map(|m| m.agreements.as_str()),
            agreement,
        )
    }

    /// The store a submission of an entry of `agreement` is written to: the one the store
    /// map gives it, else the primary.
    pub(crate) fn writes_for(&self, agreement: &str) -> &Store {
        self.mapped_for(agreement)
            .and_then(|at| self.mapped.get(at))
            .map_or(&self.primary, |m| &m.store)
    }

    /// The stores written to: the primary, then each of the store map's.
    pub(crate) fn writable(&self) -> Vec<Store> {
        std::iter::once(self.primary.clone())
            .chain(self.mapped.iter().map(|m| m.store.clone()))
            .collect()
    }

    /// The store the current request was routed to ([`route`]); the primary outside a
    /// routed request.
    pub fn store(&self) -> &Store {
        self.routed().0
    }

    /// The store the current request was routed to, with the turns of its blocking work.
    pub(crate) fn routed(&self) -> (&Store, &Arc<Turns>) {
        match (ROUTE.try_with(|r| *r), &self.standby) {
            (Ok(Route::Standby), Some(standby)) => (standby, &self.standby_work),
            (Ok(Route::Mapped(at)), _) => match self.mapped.get(at) {
                Some(mapped) => (&mapped.store, &mapped.work),
                None => (&self.primary, &self.primary_work),
            },
            _ => (&self.primary, &self.primary_work),
        }
    }

    /// Where `request` goes: the primary for writes (every method but GET and HEAD, except
    /// the screening matches, which only read) and when there is no standby; the
    /// standby otherwise, once it has replayed past the request's `Accord-Min-Lsn` (the
    /// position returned, to wait for).
    fn route_for(&self, request: &Request) -> Result<(Route, Option<String>), ApiError> {
        if let Some(at) = agreement_of(request).and_then(|a| self.mapped_for(&a)) {
            return Ok((Route::Mapped(at), None));
        }
        if self.standby.is_none() {
            return Ok((Route::Primary, None));
        }
        let reads_only = matches!(*request.method(), Method::GET | Method::HEAD)
            || request.uri().path().starts_with("/v1/match/");
        if !reads_only {
            return Ok((Route::Primary, None));
        }
        let wanted = match request.headers().get(MIN_LSN) {
            None => None,
            Some(value) => Some(
                value
                    .to_str()
                    .map_err(|_| bad_position())?
                    .trim()
                    .to_owned(),
            ),
        };
        Ok((Route::Standby, wanted))
    }
}

/// The agreement a request names: in its path (`/v1/agreements/{id}/…`,
/// `/agreements/{id}/…`), else in its `agreement` query parameter.
fn agreement_of(request: &Request) -> Option<String> {
    let path = request.uri().path();
    if let Some(rest) = path
        .strip_prefix("/v1/agreements/")
        .or_else(|| path.strip_prefix("/agreements/"))
    {
        return rest.split('/').next().map(str::to_owned);
    }
    request.uri().query()?.split('&').find_map(|pair| {
        let (name, value) = pair.split_once('=')?;
        (name == "agreement").then(|| value.to_owned())
    })
}

/// The standby once it has replayed past `wanted`, the primary when it has not within
/// [`CATCH_UP`].
async fn caught_up(standby: &Store, wanted: String) -> Result<Route, ApiError> {
    let deadline = tokio::time::Instant::now() + CATCH_UP;
    loop {
        let store = standby.clone();
        let position = wanted.clone();
        let replayed = tokio::task::spawn_blocking(move || store.has_replayed(&position))
            .await
            .map_err(|_| ApiError::internal())?;
        match replayed {
            Ok(true) => return Ok(Route::Standby),
            Err(accord_app::StoreError::OutOfRange(_)) => return Err(bad_position()),
            // A standby that cannot be asked is no reason to refuse a read.
            Ok(false) | Err(_) => {}
        }
        if tokio::time::Instant::now() + POLL > deadline {
            return Ok(Route::Primary);
        }
        tokio::time::sleep(POLL).await;
    }
}

fn bad_position() -> ApiError {
    ApiError::bad_request(
        "bad-parameter",
        format!("`{MIN_LSN}` is not a write-ahead log position such as `16/B374D848`"),
    )
}

/// The middleware that routes each request ([`Reads::route_for`]) and says in
/// `Accord-Read-From` which store answered it (when there is a standby).
pub(crate) async fn route(
    State(reads): State<Arc<Reads>>,
    request: Request,
    next: Next,
) -> Response {
    let routed = match reads.route_for(&request) {
        Ok((Route::Standby, Some(wanted))) => match &reads.standby {
            Some(standby) => caught_up(standby, wanted).await,
            None => Ok(Route::Primary),
        },
        Ok((route, _)) => Ok(route),
        Err(problem) => Err(problem),
    };
    let route = match routed {
        Ok(route) => route,
        Err(problem) => return problem.into_response(),
    };
    let mut response = ROUTE.scope(route, next.run(request)).await;
    if reads.standby.is_some() {
        response
            .headers_mut()
            .insert(READ_FROM, HeaderValue::from_static(route.name()));
    }
    response
}
