//! What every request goes through besides its handler (issue #13, operations): a
//! request id (`x-request-id`, the client's kept if it is 1 to 128 printable ASCII
//! characters, else a fresh UUID, sent back on the answer), a tracing span and a structured log line per request carrying that id,
//! metrics ([`crate::metrics`]), rate limits ([`crate::limits`]), gzip compression, a
//! timeout answered with a problem, and a panic answered as a 500 problem.
//!
//! Order, outermost first: request id → propagation → trace → metrics → rate limit →
//! compression → panic → timeout → the route. The trace and the metrics are outside the
//! rate limit, the timeout and the panic catcher so that they see the answers those make
//! (429, 503, 500).

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderName, StatusCode};
use axum::middleware::{Next, from_fn_with_state};
use axum::response::{IntoResponse as _, Response};
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

use crate::problem::ApiError;
use crate::{AppState, limits, metrics};

/// The request id header.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Wraps every route of `router` in the layers above.
pub(crate) fn wrap(router: Router, state: &AppState, timeout: Duration) -> Router {
    router
        .layer(from_fn_with_state(timeout, time_limit))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(panicked))
        .layer(CompressionLayer::new())
        .layer(from_fn_with_state(state.clone(), limits::limit))
        .layer(from_fn_with_state(Arc::clone(&state.ops), metrics::count))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(span)
                .on_request(())
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
        .layer(axum::middleware::from_fn(drop_unusable_request_id))
}

/// The longest request id kept from a client.
pub const MAX_REQUEST_ID: usize = 128;

/// Removes a client's request id that is empty, longer than [`MAX_REQUEST_ID`] or not
/// printable ASCII, so that a fresh one is made: ids end up in every log line.
async fn drop_unusable_request_id(mut request: Request, next: Next) -> Response {
    let usable = |v: &axum::http::HeaderValue| {
        let bytes = v.as_bytes();
        !bytes.is_empty()
            && bytes.len() <= MAX_REQUEST_ID
            && bytes.iter().all(|b| b.is_ascii_graphic())
    };
    let ids = request.headers().get_all(&REQUEST_ID);
    if ids.iter().count() > 1 || ids.iter().any(|v| !usable(v)) {
        request.headers_mut().remove(&REQUEST_ID);
    }
    next.run(request).await
}

/// The span a request's log lines are in: its id, method, path and matched route.
fn span(request: &Request) -> tracing::Span {
    let id = request
        .headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    tracing::info_span!(
        "request",
        request_id = id,
        method = %request.method(),
        path = request.uri().path(),
        route = metrics::route_of(request),
    )
}

/// Answers 503 with a problem when the handler has not answered within `limit`. What the
/// handler started on the blocking pool may still finish: the detail says so, since an
/// entry can be committed after its submitter was told to try again (resubmitting it is
/// safe: the log answers with its index).
async fn time_limit(State(limit): State<Duration>, request: Request, next: Next) -> Response {
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "timeout",
            format!(
                "the server did not answer within {} ms; what the request started may still \
                 complete (an entry submitted again is answered with its index)",
                limit.as_millis()
            ),
        )
        .into_response(),
    }
}

fn panicked(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    ApiError::internal().into_response()
}

/// What the operational layers keep: the metrics and the rate limit buckets.
#[derive(Debug)]
pub(crate) struct Ops {
    pub(crate) metrics: crate::metrics::Metrics,
    pub(crate) limits: limits::Limiters,
}

impl Ops {
    pub(crate) fn new(limits: limits::RateLimits) -> Ops {
        Ops {
            metrics: crate::metrics::Metrics::default(),
            limits: limits::Limiters::new(limits),
        }
    }
}
