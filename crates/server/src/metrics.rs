//! Prometheus metrics at `GET /metrics` (OpenMetrics text): requests by route, method and
//! status; request latency by route as a histogram; each log's size, read from the store
//! when scraped.
//!
//! Each server has its own registry (prometheus-client; no process-wide recorder), so two
//! servers in one process — the tests run one per store — count only their own requests.
//! The route label is the router's path template (`/v1/agreements/{id}`), never the path
//! itself, so that the number of series stays bounded whatever clients ask for.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse as _, Response};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

use crate::AppState;
use crate::extract::Caller;
use crate::policy::Action;
use crate::problem::ApiError;
use crate::routes::blocking;

/// A request's labels.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    route: String,
    method: String,
    status: u16,
}

/// A latency's labels.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: String,
    method: String,
}

/// A log's label.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct LogLabels {
    origin: String,
}

/// One server's metrics.
#[derive(Debug)]
pub(crate) struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RouteLabels, Histogram>,
    log_entries: Family<LogLabels, Gauge>,
    /// Witnessing's counters ([`crate::witnessing`]).
    pub(crate) witnessing: crate::witnessing::Counters,
}

fn latency_histogram() -> Histogram {
    // 0.25 ms to about 8 s, doubling.
    Histogram::new(exponential_buckets(0.000_25, 2.0, 16))
}

impl Default for Metrics {
    fn default() -> Metrics {
        let mut registry = Registry::default();
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "accord_http_requests",
            "Requests answered, by route template, method and status",
            requests.clone(),
        );
        let latency =
            Family::<RouteLabels, Histogram>::new_with_constructor(latency_histogram as fn() -> _);
        registry.register(
            "accord_http_request_duration_seconds",
            "Time from a request's arrival to its answer's head, by route template and method",
            latency.clone(),
        );
        let log_entries = Family::<LogLabels, Gauge>::default();
        registry.register(
            "accord_log_entries",
            "Entries in each log, when scraped",
            log_entries.clone(),
        );
        let witnessing = crate::witnessing::Counters::registered(&mut registry);
        Metrics {
            registry,
            requests,
            latency,
            log_entries,
            witnessing,
        }
    }
}

/// The route template a request matched, or `unmatched`.
pub(crate) fn route_of(request: &Request) -> &str {
    request
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", MatchedPath::as_str)
}

/// Middleware: counts each answer and times it.
pub(crate) async fn count(
    State(ops): State<Arc<crate::middleware::Ops>>,
    request: Request,
    next: Next,
) -> Response {
    let route = route_of(&request).to_owned();
    let method = request.method().as_str().to_owned();
    let started = Instant::now();
    let response = next.run(request).await;
    let metrics = &ops.metrics;
    metrics
        .latency
        .get_or_create(&RouteLabels {
            route: route.clone(),
            method: method.clone(),
        })
        .observe(started.elapsed().as_secs_f64());
    metrics
        .requests
        .get_or_create(&RequestLabels {
            route,
            method,
            status: response.status().as_u16(),
        })
        .inc();
    response
}

/// `GET /metrics`: the operator's (admin tokens).
pub async fn metrics(State(state): State<AppState>, caller: Caller) -> Result<Response, ApiError> {
    caller.may(Action::ReadMetrics)?;
    let logs = blocking(&state, |store| Ok(store.logs()?)).await?;
    let metrics = &state.ops.metrics;
    for log in logs {
        metrics
            .log_entries
            .get_or_create(&LogLabels { origin: log.origin })
            .set(i64::try_from(log.size).unwrap_or(i64::MAX));
    }
    let mut text = String::new();
    prometheus_client::encoding::text::encode(&mut text, &metrics.registry)
        .map_err(|_| ApiError::internal())?;
    let mut response = text.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/openmetrics-text; version=1.0.0; charset=utf-8"),
    );
    Ok(response)
}
