//! Public reports at stable addresses (issue #15):
//! `GET /v1/agreements/{id}/reports/{as_of}/{file}` answers a file of the report as of
//! that instant or date (the end of that day in the agreement's zone) (`index.html`, `report.json`, `manifest.json`, `log.bin`, …; see
//! `docs/report-format.md`), built by `accord_app::report::build` exactly as `accord report`
//! writes it. A report rests on the smallest signed checkpoint covering the entries
//! recorded by its instant and reads open entries only, so one address gives the same
//! bytes every time once a checkpoint covers the instant; `accord verify` checks a copy.
//!
//! Under a witness policy (`accord serve --witness-policy`), as `accord report --policy`:
//! the checkpoint must be witnessed under it (the smallest witnessed one covering the
//! instant), and the bundle carries the policy; until one is, the answer is 404
//! `no-report`. A cosignature collected later for the same checkpoint is added to the
//! report's `checkpoint.txt`.

use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse as _, Response};

use crate::AppState;
use crate::extract::Caller;
use crate::policy::Action;
use crate::problem::ApiError;
use crate::routes::agreements::agreement_id;
use crate::routes::blocking;

fn content_type(file: &str) -> &'static str {
    match file.rsplit_once('.').map(|(_, ext)| ext) {
        Some("html") => "text/html; charset=utf-8",
        Some("json") => "application/json",
        Some("txt" | "toml") => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// `GET /v1/agreements/{id}/reports/{as_of}/{file}`: public material (the report reads
/// no sealed content).
pub async fn file(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, as_of, file)): Path<(String, String, String)>,
) -> Result<Response, ApiError> {
    caller.may(Action::ReadPublic)?;
    let id = agreement_id(&id)?;
    // A date is the end of that day in the agreement's zone, as everywhere it is evaluated.
    let cut = crate::routes::agreements::as_of(Some(&as_of))?;
    let policy = state.witnessing.clone();
    let witnessed = policy.is_some();
    let evaluations = state.evaluations.clone();
    let built = blocking(&state, move |store| {
        let instant = evaluations.instant(store, id.as_str(), cut)?;
        let request = accord_app::report::Request {
            agreement: id.as_str(),
            as_of: instant,
            previous: None,
            policy: policy.as_deref().map(crate::witnessing::Witnessing::text),
        };
        match accord_app::report::build(store, &request) {
            Err(accord_app::Error::ReportUncovered { .. }) => Ok(None),
            other => other.map(Some),
        }
    })
    .await?;
    let Some(built) = built else {
        let checkpoint = if witnessed {
            "checkpoint witnessed under the server's witness policy"
        } else {
            "signed checkpoint"
        };
        return Err(ApiError::not_found(
            "no-report",
            format!("no {checkpoint} covers the log as of `{as_of}` yet"),
        ));
    };
    let Some(bytes) = built.bundle.get(&file) else {
        return Err(ApiError::not_found(
            "no-such-file",
            format!("a report has no file `{file}`"),
        ));
    };
    let mut response = (StatusCode::OK, bytes.to_vec()).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(content_type(&file)),
    );
    Ok(response)
}
