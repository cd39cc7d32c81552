//! An agreement's evidence log, read side: its summary, its latest signed checkpoint (the
//! C2SP signed note, as text), and inclusion and consistency proofs.

use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse as _, Response};

use super::agreements::agreement_id;
use super::{blocking, json};
use crate::AppState;
use crate::extract::{Caller, Params};
use crate::policy::Action;
use crate::problem::ApiError;

/// `GET /v1/agreements/{id}/log`.
pub async fn summary(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    caller.may(Action::ReadPublic)?;
    let id = agreement_id(&id)?;
    let body = blocking(&state, move |store| {
        let info = accord_app::service::log_of(store, &id)?;
        let latest = accord_app::service::latest_checkpoint(store, &info.origin)?;
        Ok(accord_render::api::log(&info, latest.map(|(size, _)| size)))
    })
    .await?;
    Ok(json(body))
}

/// `GET /v1/agreements/{id}/log/checkpoint`: the latest signed checkpoint with the
/// witnesses' cosignatures collected so far (C2SP tlog-checkpoint allows signature lines
/// besides the log's), as `text/plain` (never cached: the next one, or a later
/// cosignature, replaces it).
pub async fn checkpoint(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    caller.may(Action::ReadPublic)?;
    let id = agreement_id(&id)?;
    let latest = blocking(&state, move |store| {
        let info = accord_app::service::log_of(store, &id)?;
        accord_app::witnessing::published(store, &info.origin)
    })
    .await?;
    let Some((_, note)) = latest else {
        return Err(ApiError::not_found(
            "no-checkpoint",
            "the log has signed no checkpoint yet",
        ));
    };
    let mut response = note.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    Ok(response)
}

/// `?index=&size=` (size: default the log's).
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InclusionQuery {
    index: u64,
    size: Option<u64>,
}

/// `?old=&new=` (new: default the log's size).
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsistencyQuery {
    old: u64,
    new: Option<u64>,
}

/// `GET /v1/agreements/{id}/log/inclusion`.
pub async fn inclusion(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Params(query): Params<InclusionQuery>,
) -> Result<Response, ApiError> {
    caller.may(Action::ReadPublic)?;
    let id = agreement_id(&id)?;
    let proof = blocking(&state, move |store| {
        let info = accord_app::service::log_of(store, &id)?;
        accord_app::ledger::inclusion(store, Some(&info.origin), query.index, query.size)
    })
    .await?;
    Ok(json(accord_render::api::inclusion(&proof)))
}

/// `GET /v1/agreements/{id}/log/consistency`.
pub async fn consistency(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Params(query): Params<ConsistencyQuery>,
) -> Result<Response, ApiError> {
    caller.may(Action::ReadPublic)?;
    let id = agreement_id(&id)?;
    let proof = blocking(&state, move |store| {
        let info = accord_app::service::log_of(store, &id)?;
        accord_app::ledger::consistency(store, Some(&info.origin), query.old, query.new)
    })
    .await?;
    Ok(json(accord_render::api::consistency(&proof)))
}
