//! `GET /healthz` (the process answers) and `GET /readyz` (the store answers too).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

use super::{blocking, json};
use crate::AppState;
use crate::problem::ApiError;

/// `GET /healthz`: the process is up.
pub async fn healthz() -> Response {
    json("{\"status\": \"ok\"}\n".to_owned())
}

/// `GET /readyz`: the store answers a read; else 503.
pub async fn readyz(State(state): State<AppState>) -> Result<Response, ApiError> {
    blocking(&state, |store| Ok(store.logs()?))
        .await
        .map_err(|_| {
            ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "not-ready",
                "the store does not answer",
            )
        })?;
    Ok(json("{\"status\": \"ready\"}\n".to_owned()))
}
