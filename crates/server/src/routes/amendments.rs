//! Agreements submitted over HTTP (issue #13): a first version or an amended version, as
//! its TOML text, checked as `accord check` checks it; and an amended version's
//! signatures, which are signed `amendment_signature` entries of the agreement's log.

use accord_app::agreements::{AgreementText, Submitter};
use accord_store::ledger::Submission;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;

use super::agreements::agreement_id;
use super::statements::{append_checked, checked_entry};
use super::{blocking, json};
use crate::AppState;
use crate::auth::Role;
use crate::extract::{Caller, json_body};
use crate::policy::Action;
use crate::problem::ApiError;

/// The name the submitted text goes by in its diagnostics.
const BODY_NAME: &str = "body.toml";

/// `POST /v1/agreements`: the body is an agreement's TOML text (`application/toml` or
/// `text/plain`). 201 with the registered version; 200 when this very text was
/// registered already (nothing written); 422 `agreement-invalid` with the diagnostics
/// (line and column) when the checks fail; 409 when the version is not the next one or
/// another text holds its number; 403 when an authority submits for an agreement it is
/// not an authority party of. Nothing is registered on any refusal.
pub async fn submit(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let caller = caller.may(Action::SubmitAgreement)?;
    let bytes = toml_body(&headers, body)?;
    // INVARIANT (policy): only admins and authorities get here; an authority's token
    // always names the participant it acts for.
    let party = caller
        .0
        .as_ref()
        .filter(|h| h.role == Role::Authority)
        .and_then(|h| h.party.clone());
    let text = AgreementText {
        name: BODY_NAME.to_owned(),
        bytes: bytes.to_vec(),
    };
    let submission = blocking(&state, move |store| {
        let by = match &party {
            Some(p) => Submitter::Authority(p),
            None => Submitter::Operator,
        };
        accord_app::agreements::submit(store, text, by)
    })
    .await?;
    let v = &submission.version;
    let body = serde_json::json!({
        "agreement": v.agreement.id.as_str(),
        "version": v.agreement.version,
        "title": v.agreement.title,
        "sha256": v.sha256,
        "name": v.name,
        "signatories": v.agreement.signatories,
        "registered": submission.registered,
        "warnings": submission.warnings,
    });
    let mut response = json(pretty(&body));
    if submission.registered {
        *response.status_mut() = StatusCode::CREATED;
    }
    Ok(response)
}

fn pretty(value: &serde_json::Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_default()
}

/// The body of a submission as TOML text: `application/toml` or `text/plain` (else 415),
/// within the body limit (else 413).
fn toml_body(headers: &HeaderMap, body: Result<Bytes, BytesRejection>) -> Result<Bytes, ApiError> {
    let essence = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase());
    if !matches!(essence.as_deref(), Some("application/toml" | "text/plain")) {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
            "the body must be the agreement's TOML text, sent as `Content-Type: application/toml`",
        ));
    }
    body.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "body-too-large",
                "the body is larger than this server accepts",
            )
        } else {
            ApiError::bad_request("unreadable-body", rejection.body_text())
        }
    })
}

/// A version number from a path: one that is not a number names no version.
fn version_number(version: &str) -> Result<u32, ApiError> {
    version
        .parse()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| ApiError::not_found("no-such-version", format!("`{version}` is no version")))
}

/// `GET /v1/agreements/{id}/versions/{version}/signatures`: the version's signatories,
/// each with the log entry of the signature the engine counts (`null` while awaited),
/// whether it is in force now, and the engine's reasons.
pub async fn signatures(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, version)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    caller.may(Action::ReadPublic)?;
    let id = agreement_id(&id)?;
    let number = version_number(&version)?;
    let evaluations = state.evaluations.clone();
    let signatures = blocking(&state, move |store| {
        let registered = accord_app::agreements::registered(store, id.as_str())?;
        if !registered.iter().any(|v| v.agreement.version == number) {
            return Err(accord_app::Error::NothingNamed(format!("version {number}")));
        }
        let evaluated = evaluations.state(
            store,
            id.as_str(),
            jiff::Timestamp::now(),
            &accord_app::evaluate::Reading::default(),
        )?;
        accord_app::agreements::signatures(&evaluated, &registered, number)
    })
    .await?;
    Ok(json(
        serde_json::to_string_pretty(&signatures).unwrap_or_default(),
    ))
}

/// The body of a signature: `{"entry": …}`, an open entry (a signature is public: nothing
/// sealed comes beside it).
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Signature {
    entry: String,
}

/// `POST /v1/agreements/{id}/versions/{version}/signatures`: `{"entry": …}`, a signed
/// `amendment_signature` entry of the agreement's log, checked against the registered
/// version (its text's SHA-256, its signatories) before it is appended as
/// `POST /v1/statements` appends it: 201 with the receipt, 200 when the log holds it
/// already, 422 `signature-refused` with the reason (nothing written). When another
/// server of the same PostgreSQL store leads the log, a signature checked here is sent on
/// to it as a submission is ([`crate::forward`]), and the leader's answer returned.
pub async fn sign(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, version)): Path<(String, String)>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let caller = caller.may(Action::SubmitEntry)?;
    let id = agreement_id(&id)?;
    let number = version_number(&version)?;
    // Kept to send on to the leader, should another server lead the log.
    let raw = body.as_ref().ok().cloned();
    let signature: Signature = json_body(&headers, body)?;
    let (entry, encoded) = checked_entry(caller, &signature.entry)?;
    let submission = Submission {
        entry,
        sealed: None,
    };
    let path = format!("/v1/agreements/{id}/versions/{number}/signatures");
    let answer = append_checked(&state, submission, encoded, move |store, entry| {
        let registered = accord_app::agreements::registered(store, id.as_str())?;
        accord_app::agreements::check_signature(&registered, id.as_str(), number, entry)
    })
    .await;
    crate::forward::or_refuse(&headers, &path, raw, answer).await
}
