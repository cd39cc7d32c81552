//! `GET /v1/events`: new log entries and checkpoints as server-sent events (issue #13's
//! event stream, the part the dashboard listens to). Each stream reads the logs' sizes
//! and latest checkpoints every [`POLL`], so that entries appended by any writer of the
//! store (this server, `accord ledger append`, another server) are told; it sends
//! `entry` (`{"origin", "size"}`) when a log grew and `checkpoint` (`{"origin", "size"}`)
//! when a newer checkpoint was signed. Streams end when the server stops.
//!
//! `GET /v1/agreements/{id}/events`: the agreement's state changes, each an `event:
//! state` whose data is the JSON a webhook receives ([`crate::webhooks::StateChange`]) and
//! whose `id` is the change's.

use std::collections::{BTreeMap, VecDeque};
use std::convert::Infallible;
use std::time::Duration;

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::Stream;

use super::blocking;
use crate::AppState;
use crate::extract::Caller;
use crate::policy::Action;
use crate::problem::ApiError;
use crate::webhooks::StateChange;

/// How often a stream reads the logs.
pub const POLL: Duration = Duration::from_secs(1);

/// Per log origin: its size and the size of its latest checkpoint.
type Sizes = BTreeMap<String, (u64, Option<u64>)>;

async fn sizes(state: &AppState) -> Result<Sizes, ApiError> {
    blocking(state, |store| {
        let mut sizes = Sizes::new();
        for info in store.logs()? {
            let checkpoint = accord_app::service::latest_checkpoint(store, &info.origin)?;
            sizes.insert(info.origin, (info.size, checkpoint.map(|(size, _)| size)));
        }
        Ok(sizes)
    })
    .await
}

fn changes(before: &Sizes, now: &Sizes) -> VecDeque<Event> {
    let mut events = VecDeque::new();
    for (origin, &(size, checkpoint)) in now {
        let (old_size, old_checkpoint) = before.get(origin).copied().unwrap_or((0, None));
        let data = |size: u64| serde_json::json!({ "origin": origin, "size": size }).to_string();
        if size > old_size {
            events.push_back(Event::default().event("entry").data(data(size)));
        }
        if let Some(c) = checkpoint.filter(|c| Some(*c) > old_checkpoint) {
            events.push_back(Event::default().event("checkpoint").data(data(c)));
        }
    }
    events
}

struct Polling {
    state: AppState,
    last: Sizes,
    pending: VecDeque<Event>,
    stopping: tokio::sync::watch::Receiver<bool>,
}

async fn next(mut p: Polling) -> Option<(Result<Event, Infallible>, Polling)> {
    loop {
        if let Some(event) = p.pending.pop_front() {
            return Some((Ok(event), p));
        }
        tokio::select! {
            _ = tokio::time::sleep(POLL) => {}
            _ = p.stopping.wait_for(|stop| *stop) => return None,
        }
        // A failed read is skipped: the next poll tries again.
        if let Ok(now) = sizes(&p.state).await {
            p.pending = changes(&p.last, &now);
            p.last = now;
        }
    }
}

/// `GET /v1/events`.
pub async fn events(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    caller.may(Action::ReadPublic)?;
    let last = sizes(&state).await?;
    let polling = Polling {
        stopping: state.stopping.subscribe(),
        state,
        last,
        pending: VecDeque::new(),
    };
    Ok(Sse::new(futures_util::stream::unfold(polling, next)).keep_alive(KeepAlive::default()))
}

struct Listening {
    agreement: String,
    changes: tokio::sync::broadcast::Receiver<Arc<StateChange>>,
    stopping: tokio::sync::watch::Receiver<bool>,
}

async fn next_state(mut l: Listening) -> Option<(Result<Event, Infallible>, Listening)> {
    use tokio::sync::broadcast::error::RecvError;
    loop {
        let received = tokio::select! {
            received = l.changes.recv() => received,
            _ = l.stopping.wait_for(|stop| *stop) => return None,
        };
        match received {
            Ok(change) if change.agreement == l.agreement => {
                let data = serde_json::to_string(&*change).unwrap_or_default();
                let event = Event::default().event("state").id(&change.id).data(data);
                return Some((Ok(event), l));
            }
            // Another agreement's; or changes this stream was too slow to take (they are
            // in the evaluation: the next one tells where things stand).
            Ok(_) | Err(RecvError::Lagged(_)) => {}
            Err(RecvError::Closed) => return None,
        }
    }
}

/// `GET /v1/agreements/{id}/events`.
pub async fn agreement_events(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    // The statuses are the evaluation's, read as evaluations are.
    caller.may(Action::ReadEvaluation)?;
    let id = super::agreements::agreement_id(&id)?;
    let registered = id.clone();
    blocking(&state, move |store| {
        accord_app::agreements::registered(store, registered.as_str())
    })
    .await?;
    let listening = Listening {
        agreement: id.to_string(),
        changes: state.changes.subscribe(),
        stopping: state.stopping.subscribe(),
    };
    Ok(
        Sse::new(futures_util::stream::unfold(listening, next_state))
            .keep_alive(KeepAlive::default()),
    )
}
