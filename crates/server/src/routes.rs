//! The routes, and what every handler shares: blocking store work on tokio's blocking
//! pool, JSON responses, and problems for unknown paths and methods.

pub mod agreements;
pub mod amendments;
pub mod batch;
pub mod events;
pub mod health;
pub mod lists;
pub mod log;
pub mod screening;
pub mod search;
pub mod statements;
pub mod status;
pub mod tiles;

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use crate::problem::ApiError;
use crate::{AppState, pages};

/// Every route of the API (the OpenAPI document lists the same, a test checks it).
pub fn router(state: AppState) -> Router {
    let limit = state.body_limit;
    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(crate::metrics::metrics))
        .route("/v1/openapi.json", get(crate::openapi::document))
        .route("/v1/docs", get(crate::openapi::reference))
        .route("/v1/agreements", get(agreements::list))
        .route("/v1/agreements", post(amendments::submit))
        .route(
            "/v1/agreements/{id}/versions/{version}/signatures",
            get(amendments::signatures).post(amendments::sign),
        )
        .route("/v1/agreements/{id}", get(agreements::one))
        .route("/v1/agreements/{id}/state", get(agreements::state))
        .route("/v1/agreements/{id}/explain", get(agreements::explain))
        .route("/v1/agreements/{id}/timeline", get(agreements::timeline))
        .route("/v1/agreements/{id}/log", get(log::summary))
        .route("/v1/agreements/{id}/log/checkpoint", get(log::checkpoint))
        .route("/v1/agreements/{id}/log/inclusion", get(log::inclusion))
        .route("/v1/agreements/{id}/log/consistency", get(log::consistency))
        .route("/v1/agreements/{id}/log/tile/{*path}", get(tiles::tile))
        .route(
            "/v1/agreements/{id}/reports/{as_of}/{*file}",
            get(crate::reports::file),
        )
        .route("/v1/status", get(status::status))
        .route("/v1/statements", post(batch::submit))
        .route("/v1/match/{dataset}", post(screening::match_entities))
        .route("/v1/catalog", get(screening::catalog))
        .route("/v1/search/{dataset}", get(search::search))
        .route("/v1/entities/{id}", get(screening::entity))
        .route("/v1/events", get(events::events))
        .route("/v1/lists/{source}/imports", post(lists::import))
        .route("/v1/lists/{source}/update", post(lists::update))
        .route(
            "/v1/lists/{list}/entities/{id}/history",
            get(lists::history),
        )
        .route("/v1/lists/{list}/export", get(lists::export))
        .route("/v1/agreements/{id}/events", get(events::agreement_events))
        .route("/v1/webhooks/deliveries", get(crate::webhooks::deliveries))
        .route("/", get(pages::home))
        .route("/agreements/{id}", get(pages::agreement))
        .route(
            "/agreements/{id}/indicators/{indicator}",
            get(pages::indicator),
        )
        .route("/agreements/{id}/log", get(pages::log))
        .route("/agreements/{id}/simulation", get(pages::simulation))
        .route("/in-force", get(pages::in_force))
        .route("/screening", get(pages::screening))
        .route("/login", get(pages::login_form).post(pages::login))
        .route("/logout", post(pages::logout))
        .route("/assets/{name}", get(pages::asset))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(limit))
        .with_state(state)
}

async fn not_found(uri: Uri) -> ApiError {
    ApiError::not_found(
        "no-such-path",
        format!("there is nothing at `{}`", uri.path()),
    )
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method-not-allowed",
        "this path does not take that method",
    )
}

/// A JSON document already in bytes as the response (`application/json`).
pub(crate) fn json_bytes(body: impl IntoResponse) -> Response {
    let mut response = body.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// A JSON document as the response (`application/json`).
pub(crate) fn json(body: String) -> Response {
    let mut response = body.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// Runs a use case on tokio's blocking pool (store and engine work blocks), with the
/// store the request was routed to (the primary, or a standby for a read: see
/// [`crate::replica`]); its error becomes a problem.
///
/// At most `Config::blocking_limit` of them run at once on one store (by default half its
/// connections, [`crate::replica::default_blocking_limit`]), and at most
/// `Config::blocking_queue` more wait for a turn (by default
/// [`crate::replica::QUEUE_PER_TURN`] per turn; a waiting request is still bounded by the
/// request timeout). A request finding the queue full is answered 503 `overloaded` with
/// `Retry-After` at once, its work not started — nothing queues without bound, and the
/// pool's connections are never all held by tasks each waiting for one more. The turn is
/// held until the work ends, even when the request is given up on meanwhile (a timeout, a
/// client gone).
pub(crate) async fn blocking<T: Send + 'static>(
    state: &AppState,
    work: impl FnOnce(&accord_app::Store) -> accord_app::Result<T> + Send + 'static,
) -> Result<T, ApiError> {
    let (store, turns) = state.reads.routed();
    let store = store.clone();
    let Ok(admitted) = Arc::clone(&turns.admitted).try_acquire_owned() else {
        return Err(overloaded());
    };
    let Ok(turn) = Arc::clone(&turns.work).acquire_owned().await else {
        return Err(overloaded());
    };
    match tokio::task::spawn_blocking(move || {
        let _held = (admitted, turn);
        work(&store)
    })
    .await
    {
        Ok(result) => result.map_err(ApiError::from),
        Err(_) => Err(ApiError::internal()),
    }
}

/// 503 `overloaded`: the server has as much store work in flight as it takes.
pub(crate) fn overloaded() -> ApiError {
    ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "overloaded",
        "the server has as much work in flight as it takes; try again in a moment (nothing was done)",
    )
    .with_header(header::RETRY_AFTER, HeaderValue::from_static("1"))
}
