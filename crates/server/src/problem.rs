//! Every refusal as an RFC 9457 problem (`application/problem+json`): the HTTP status, a
//! `type` naming the kind of problem (`urn:accord:problem:<kind>`, listed in
//! `docs/api.md`), and a `detail` saying what was wrong this time.
//!
//! Library errors are turned into problems here, once. The details never show a store's
//! URL (it may carry a password) nor a server-side path; errors the client cannot act on
//! are a plain 500 whose detail says only that the server failed.

use accord_app::Error;
use accord_render::api::Problem;
use accord_store::StoreError;
use accord_store::ledger::AppendError;
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// The header of a `not-the-leader` answer naming the server that leads the log.
pub const LEADER: &str = "accord-leader";

/// How long a client waits before it submits again to a server that does not lead the
/// log: a leader that is gone is replaced within about this long (the lease is tried
/// again every [`accord_store::LEASE_RETRY`] by whichever server is asked).
const RETRY_AFTER_SECONDS: u64 = 1;

/// A request refused, or a failure, on its way to becoming a problem body.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    /// The status to answer with.
    pub status: StatusCode,
    /// The kind (the last part of the `type` URN).
    pub kind: &'static str,
    /// What was wrong.
    pub detail: String,
    /// The problems one by one, when there are several.
    pub errors: Vec<serde_json::Value>,
    /// Headers the answer carries besides the content type (`Retry-After`, …).
    pub headers: Vec<(HeaderName, HeaderValue)>,
}

impl ApiError {
    /// A problem of this status and kind.
    pub fn new(status: StatusCode, kind: &'static str, detail: impl Into<String>) -> ApiError {
        ApiError {
            status,
            kind,
            detail: detail.into(),
            errors: Vec::new(),
            headers: Vec::new(),
        }
    }

    /// This problem, answered with the header `name: value` too.
    pub fn with_header(mut self, name: impl Into<HeaderName>, value: HeaderValue) -> ApiError {
        self.headers.push((name.into(), value));
        self
    }

    /// The value of the header `name` the answer carries, if any.
    pub fn header(&self, name: &str) -> Option<&HeaderValue> {
        self.headers
            .iter()
            .find(|(n, _)| n.as_str().eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    }

    /// 503 `not-the-leader`: another server of the same store holds the log's lease
    /// (nothing was written). With `Retry-After`, and the leader's address in
    /// `Accord-Leader` when it advertised one.
    pub fn not_the_leader(origin: &str, leader: Option<&str>) -> ApiError {
        let detail = match leader {
            Some(address) => format!(
                "this server does not lead the log `{origin}`: {address} does; submit there, or here again later (nothing was written)"
            ),
            None => format!(
                "this server does not lead the log `{origin}` now; submit again later (nothing was written)"
            ),
        };
        let problem = ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "not-the-leader", detail)
            .with_header(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECONDS));
        match leader.and_then(|a| HeaderValue::from_str(a).ok()) {
            Some(value) => problem.with_header(HeaderName::from_static(LEADER), value),
            None => problem,
        }
    }

    /// 400: the request cannot be read.
    pub fn bad_request(kind: &'static str, detail: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, kind, detail)
    }

    /// 404: nothing of that name.
    pub fn not_found(kind: &'static str, detail: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, kind, detail)
    }

    /// 500: the server failed; the client learns nothing more.
    pub fn internal() -> ApiError {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "the server failed to answer; the request changed nothing it did not acknowledge",
        )
    }

    /// The problem body.
    pub fn problem(&self) -> Problem {
        Problem {
            kind: format!("urn:accord:problem:{}", self.kind),
            title: self.status.canonical_reason().unwrap_or("Error").to_owned(),
            status: self.status.as_u16(),
            detail: self.detail.clone(),
            errors: self.errors.clone(),
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.status.as_u16(), self.kind, self.detail)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = accord_render::api::problem(&self.problem());
        let mut response = (self.status, body).into_response();
        let headers = response.headers_mut();
        for (name, value) in self.headers {
            headers.insert(name, value);
        }
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if self.status == StatusCode::UNAUTHORIZED {
            headers.insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"accord\""),
            );
        }
        response
    }
}

impl From<Error> for ApiError {
    fn from(error: Error) -> ApiError {
        use StatusCode as S;
        let text = accord_render::errors::chain(&error);
        match error {
            Error::NotRegistered { agreement, .. } => ApiError::not_found(
                "no-such-agreement",
                format!("no agreement `{agreement}` is registered"),
            ),
            Error::NoLog { agreement, .. } => ApiError::not_found(
                "no-log",
                format!("there is no log for agreement `{agreement}`"),
            ),
            Error::SeveralLogs {
                agreement, count, ..
            } => ApiError::new(
                S::CONFLICT,
                "several-logs",
                format!("there are {count} logs for agreement `{agreement}`"),
            ),
            Error::NothingNamed(_) => ApiError::not_found("nothing-named", text),
            Error::Instant(_) | Error::EntityForm(_) | Error::Jurisdiction(_) | Error::Field(_) => {
                ApiError::bad_request("bad-parameter", text)
            }
            Error::UnknownEntity { .. } | Error::NeverImported { .. } => {
                ApiError::not_found("no-such-entity", text)
            }
            Error::NothingToFind(_) | Error::NothingToScreen(_) => ApiError::new(
                S::UNPROCESSABLE_ENTITY,
                "nothing-to-screen",
                "the store holds no listed designation to screen the name against",
            ),
            Error::Append(AppendError::Refused(reason)) | Error::Ledger(reason) => ApiError::new(
                S::UNPROCESSABLE_ENTITY,
                "entry-refused",
                format!("entry refused: {reason}"),
            ),
            Error::Append(AppendError::Stopped | AppendError::Store(_)) => ApiError::new(
                S::SERVICE_UNAVAILABLE,
                "not-written",
                "the log could not write the entry; it was not written: submit it again",
            ),
            Error::Store(store) => store_problem(store),
            Error::Eval(_) | Error::EvaluateAgreement { .. } => {
                ApiError::new(S::UNPROCESSABLE_ENTITY, "cannot-evaluate", text)
            }
            Error::ObservedAt(_) => ApiError::bad_request("bad-parameter", text),
            Error::UnknownSource { .. } => ApiError::not_found("no-such-list", text),
            Error::Import(_) | Error::EmptyNeedsFormat { .. } => {
                ApiError::new(S::UNPROCESSABLE_ENTITY, "import-refused", text)
            }
            Error::Lists(lists) => lists_problem(lists, text),
            Error::Download { .. } => ApiError::new(S::BAD_GATEWAY, "download-failed", text),
            Error::AgreementInvalid(files) => agreement_invalid(&files),
            Error::SubmissionRefused(why) => submission_refused(&why),
            Error::SignatureRefused(_) => {
                ApiError::new(S::UNPROCESSABLE_ENTITY, "signature-refused", text)
            }
            Error::Open { .. } => ApiError::new(
                S::SERVICE_UNAVAILABLE,
                "store-unavailable",
                "the store cannot be reached",
            ),
            _ => ApiError::internal(),
        }
    }
}

/// 422 `agreement-invalid`: every error of every text, as `accord check --format json`
/// gives them (file, line, column, code, message, help).
fn agreement_invalid(files: &[accord_app::agreements::Invalid]) -> ApiError {
    let mut errors = Vec::new();
    for file in files {
        for d in file.json() {
            errors.push(serde_json::to_value(d).unwrap_or_default());
        }
    }
    let detail = match errors.first() {
        Some(first) => format!(
            "the agreement does not pass its checks: {} error(s), the first at line {}, column {}: {}",
            errors.len(),
            first["line"],
            first["column"],
            first["message"].as_str().unwrap_or_default()
        ),
        None => "the agreement does not pass its checks".to_owned(),
    };
    ApiError {
        errors,
        ..ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "agreement-invalid",
            detail,
        )
    }
}

/// A list import refused (nothing was written), or the store failing under it.
fn lists_problem(error: accord_store::lists::ListStoreError, text: String) -> ApiError {
    use accord_store::lists::ListStoreError as L;
    match error {
        L::Import(_) | L::OutOfOrder { .. } | L::MassRemoval { .. } | L::NoFiles => {
            ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "import-refused", text)
        }
        L::BadTime(_) | L::BadDate(_) => ApiError::bad_request("bad-parameter", text),
        L::Store(store) => store_problem(store),
        L::Sqlite(_) | L::Postgres(_) => ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "store-unavailable",
            "the store cannot be reached",
        ),
        _ => ApiError::internal(),
    }
}

fn submission_refused(why: &accord_app::agreements::SubmissionRefused) -> ApiError {
    use accord_app::agreements::SubmissionRefused as R;
    let (status, kind) = match why {
        R::VersionGap { .. } => (StatusCode::CONFLICT, "version-gap"),
        R::OtherText { .. } => (StatusCode::CONFLICT, "version-conflict"),
        R::NotAnAuthority { .. } => (StatusCode::FORBIDDEN, "not-an-authority"),
    };
    ApiError::new(status, kind, why.to_string())
}

fn store_problem(error: StoreError) -> ApiError {
    match error {
        // Another text registered as the same version meanwhile.
        StoreError::AgreementConflict { .. } => {
            ApiError::new(StatusCode::CONFLICT, "version-conflict", error.to_string())
        }
        StoreError::NoSuchLog(origin) => ApiError::not_found(
            "no-such-log",
            format!("there is no log `{origin}` on this server"),
        ),
        StoreError::OutOfRange(message) => ApiError::bad_request("out-of-range", message),
        StoreError::NotLeader { origin, leader } => {
            ApiError::not_the_leader(&origin, leader.as_deref())
        }
        StoreError::Pool(_) | StoreError::Postgres(_) | StoreError::Sqlite(_) => ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "store-unavailable",
            "the store cannot be reached",
        ),
        _ => ApiError::internal(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn not_the_leader_says_when_to_come_back_and_where_to_go() {
        let response = ApiError::not_the_leader("o1", Some("http://10.0.0.2:8080")).into_response();
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        let headers = response.headers();
        assert_eq!(headers[header::RETRY_AFTER], "1");
        assert_eq!(headers[LEADER], "http://10.0.0.2:8080");
        assert_eq!(headers[header::CONTENT_TYPE], "application/problem+json");

        // A leader that advertised nothing: still when to come back.
        let response = ApiError::not_the_leader("o1", None).into_response();
        assert_eq!(response.headers()[header::RETRY_AFTER], "1");
        assert!(response.headers().get(LEADER).is_none());
    }

    #[test]
    fn a_batch_entry_refused_for_another_leader_is_the_same_problem() {
        let store = StoreError::NotLeader {
            origin: "o1".into(),
            leader: Some("http://10.0.0.2:8080".into()),
        };
        assert_eq!(
            store_problem(store),
            ApiError::not_the_leader("o1", Some("http://10.0.0.2:8080"))
        );
    }
}
