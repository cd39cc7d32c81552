//! The OpenAPI 3.1 document of every endpoint, served at `/v1/openapi.json`. It is
//! written by hand (`crates/server/openapi.json`); a test checks that it lists exactly
//! the router's routes.

use axum::response::Response;

/// The document's text.
pub const DOCUMENT: &str = include_str!("../openapi.json");

/// `GET /v1/openapi.json`.
pub async fn document() -> Response {
    crate::routes::json(DOCUMENT.to_owned())
}
