//! Reading requests strictly, each refusal a problem: the caller (its bearer token), query
//! parameters (unknown ones refused), and JSON bodies (content type, size, syntax with
//! line and column, unknown fields refused).

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{FromRequestParts, Query};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use serde::de::DeserializeOwned;

use crate::AppState;
use crate::auth::Holder;
use crate::policy::{Action, Policy, Resource};
use crate::problem::ApiError;

/// Who sent a request: the holder of a valid bearer token, or nobody (anonymous); with
/// the server's policy and what the request is about, which judge it.
#[derive(Debug, Clone)]
pub struct Caller(pub Option<Holder>, Judged);

/// The holder of a request's bearer token (`None`: not a token this server issued), as
/// the rate limit ([`crate::limits`]) looked it up: the caller is not looked up twice.
#[derive(Debug, Clone)]
pub(crate) struct BearerHolder(pub(crate) Option<Holder>);

/// What a caller's requests are judged by: the server's policy, and the agreement the
/// request's path names (if any).
#[derive(Debug, Clone)]
pub struct Judged {
    policy: Policy,
    resource: Resource,
}

impl Judged {
    /// A request to `path` of a server of `state`.
    pub(crate) fn of(state: &AppState, path: &str) -> Judged {
        Judged {
            policy: state.policy.clone(),
            resource: resource(path),
        }
    }

    /// Whether the policy lets `holder` (`None`: anonymous) do `action` here.
    pub(crate) fn permits(&self, holder: Option<&Holder>, action: Action) -> bool {
        self.policy.permits(holder, action, &self.resource)
    }
}

impl Caller {
    /// The caller, if the policy lets it do `action`: else 401 for an anonymous request
    /// (a token would help), 403 for a token of a role that may not.
    pub fn may(&self, action: Action) -> Result<&Caller, ApiError> {
        if self.1.permits(self.0.as_ref(), action) {
            return Ok(self);
        }
        Err(match self.0.as_ref().map(|h| h.role) {
            None => ApiError::new(
                StatusCode::UNAUTHORIZED,
                "unauthorised",
                "this needs a bearer token (`Authorization: Bearer accord_…`)",
            ),
            Some(role) => ApiError::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                format!("a token of role `{role}` may not do this"),
            ),
        })
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Caller, ApiError> {
        let judged = Judged::of(state, parts.uri.path());
        let Some(value) = parts.headers.get(header::AUTHORIZATION) else {
            return Ok(Caller(None, judged));
        };
        let unauthorised = |detail: &str| {
            ApiError::new(StatusCode::UNAUTHORIZED, "unauthorised", detail.to_owned())
        };
        let token = bearer(value)
            .ok_or_else(|| unauthorised("the Authorization header is not `Bearer <token>`"))?;
        // Without the rate limit's lookup (a probe, or a router built without the
        // layers), the token is looked up here.
        let holder = match parts.extensions.get::<BearerHolder>() {
            Some(BearerHolder(holder)) => holder.clone(),
            None => state.tokens.holder(token),
        };
        holder
            .map(|holder| Caller(Some(holder), judged))
            .ok_or_else(|| unauthorised("the bearer token is not one this server issued"))
    }
}

/// What a request of this path is about: the agreement of `/v1/agreements/{id}/…` or
/// `/agreements/{id}/…`, else the server.
pub(crate) fn resource(path: &str) -> Resource {
    let rest = path
        .strip_prefix("/v1/agreements/")
        .or_else(|| path.strip_prefix("/agreements/"));
    match rest.and_then(|rest| rest.split('/').next()) {
        Some(id) if !id.is_empty() => Resource::Agreement(id.to_owned()),
        _ => Resource::Server,
    }
}

/// The token of an `Authorization: Bearer <token>` header, if it is one (the scheme in any
/// case, the token trimmed). The caller and the rate limit read a request's token alike.
pub(crate) fn bearer(value: &axum::http::HeaderValue) -> Option<&str> {
    let (scheme, token) = value.to_str().ok()?.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then_some(token.trim())
}

/// Query parameters of type `T` (whose `Deserialize` refuses unknown fields); a bad query
/// is a 400 problem naming what is wrong.
#[derive(Debug, Clone)]
pub struct Params<T>(pub T);

impl<T: DeserializeOwned + Send> FromRequestParts<AppState> for Params<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Params<T>, ApiError> {
        Query::<T>::try_from_uri(&parts.uri)
            .map(|Query(t)| Params(t))
            .map_err(|e| ApiError::bad_request("bad-query", e.body_text()))
    }
}

/// A JSON body of type `T`, read strictly: `Content-Type: application/json` (else 415),
/// at most the server's body limit (else 413), well-formed (else 400, with line and
/// column), of the documented shape with no unknown field (else 422).
pub fn json_body<T: DeserializeOwned>(
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<T, ApiError> {
    parse_json(&json_body_bytes(headers, body)?)
}

/// A JSON body's bytes, as [`json_body`] takes them (415 without the JSON content type,
/// 413 over the limit, 400 unreadable), to be read with [`parse_json`] into a type that
/// borrows from them (a submitted entry's text is not copied).
pub(crate) fn json_body_bytes(
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Bytes, ApiError> {
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|essence| essence.trim().eq_ignore_ascii_case("application/json"));
    if !is_json {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
            "the body must be JSON, sent as `Content-Type: application/json`",
        ));
    }
    body.map_err(|rejection| {
        let status = rejection.status();
        if status == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(
                status,
                "body-too-large",
                "the body is larger than this server accepts",
            )
        } else {
            ApiError::bad_request("unreadable-body", rejection.body_text())
        }
    })
}

/// `bytes` read as JSON of type `T`, with [`json_body`]'s problems (400 with line and
/// column when not well-formed, 422 when not of the documented shape).
pub(crate) fn parse_json<'a, T: serde::Deserialize<'a>>(bytes: &'a [u8]) -> Result<T, ApiError> {
    serde_json::from_slice(bytes).map_err(|e| {
        use serde_json::error::Category;
        match e.classify() {
            Category::Data => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid-body",
                e.to_string(),
            ),
            Category::Syntax | Category::Eof | Category::Io => {
                ApiError::bad_request("malformed-json", e.to_string())
            }
        }
    })
}
