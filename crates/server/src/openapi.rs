//! The OpenAPI 3.1 document of every endpoint, served at `/v1/openapi.json`, and its
//! reference page at `/v1/docs`. The document is written by hand
//! (`crates/server/openapi.json`); a test checks that it lists exactly the router's routes.

use std::sync::LazyLock;

use axum::http::{HeaderValue, header};
use axum::response::{Html, IntoResponse as _, Response};

/// The document's text.
pub const DOCUMENT: &str = include_str!("../openapi.json");

/// `GET /v1/openapi.json`.
pub async fn document() -> Response {
    crate::routes::json(DOCUMENT.to_owned())
}

/// The reference page: Redoc's standalone script, which the `aide` crate bundles (built
/// into this binary: nothing is fetched from elsewhere, at build time or by the browser),
/// inlined in one page that reads `/v1/openapi.json`.
static REFERENCE: LazyLock<String> = LazyLock::new(|| {
    aide::redoc::Redoc::new("/v1/openapi.json")
        .with_title("Accord API")
        .html()
});

/// What the page may load: its own inline script and styles, the document from this
/// server, images and fonts inlined as data; no other origin.
const REFERENCE_POLICY: &str = "default-src 'none'; script-src 'unsafe-inline'; \
     style-src 'unsafe-inline'; img-src 'self' data:; font-src data:; connect-src 'self'; \
     worker-src blob:";

/// `GET /v1/docs`.
pub async fn reference() -> Response {
    let mut response = Html(REFERENCE.as_str()).into_response();
    response.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(REFERENCE_POLICY),
    );
    response
}
