//! Screening, OpenSanctions-compatible: `POST /v1/match/{dataset}`, `GET /v1/catalog` and
//! `GET /v1/entities/{id}` in yente's request and response shapes, so that a yente
//! client can point at Accord. Refusals are RFC 9457 problems, whose `detail` is where
//! yente's `{"detail": …}` errors put it.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{Map, Value, json};

use super::{blocking, json};
use crate::AppState;
use crate::extract::{Caller, Params, json_body};
use crate::policy::Action;
use crate::problem::ApiError;
use crate::screening::{self, MAX_LIMIT, MAX_QUERIES, MatchRequest, Scoring};

/// yente's query parameters: `threshold` (a match scores at least this; default
/// Accord's calibrated threshold), `cutoff` (results scoring less are left out; default
/// 0), `limit` (results per query, 1 to 500; default 5), `algorithm` (accepted for
/// compatibility: Accord has one matcher).
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MatchQuery {
    threshold: Option<String>,
    cutoff: Option<String>,
    limit: Option<String>,
    #[serde(rename = "algorithm")]
    _algorithm: Option<String>,
}

fn scoring(query: &MatchQuery) -> Result<Scoring, ApiError> {
    let score = |name: &str, given: Option<&str>, default: f64| match given {
        None => Ok(default),
        Some(text) => accord_app::screen::threshold(text)
            .map_err(|e| ApiError::bad_request("bad-parameter", format!("`{name}`: {e}"))),
    };
    let limit = match query.limit.as_deref() {
        None => 5,
        Some(text) => match text.parse::<usize>() {
            Ok(n) if (1..=MAX_LIMIT).contains(&n) => n,
            _ => {
                return Err(ApiError::bad_request(
                    "bad-parameter",
                    format!("`limit` is `{text}`: give a whole number from 1 to {MAX_LIMIT}"),
                ));
            }
        },
    };
    Ok(Scoring {
        threshold: score(
            "threshold",
            query.threshold.as_deref(),
            accord_screen::DEFAULT_THRESHOLD,
        )?,
        cutoff: score("cutoff", query.cutoff.as_deref(), 0.0)?,
        limit,
    })
}

fn invalid(detail: String) -> ApiError {
    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid-body", detail)
}

pub(super) fn no_dataset(dataset: &str, names: &[String]) -> ApiError {
    ApiError::not_found(
        "no-such-dataset",
        format!(
            "there is no dataset `{dataset}`: the datasets are {}",
            names.join(", ")
        ),
    )
}

pub(super) fn today() -> accord_core::time::Date {
    accord_app::time::today(jiff::Timestamp::now())
}

/// `POST /v1/match/{dataset}`: each query screened against the dataset (`default`: every
/// imported list), answered under its key.
pub async fn match_entities(
    State(state): State<AppState>,
    caller: Caller,
    Path(dataset): Path<String>,
    Params(query): Params<MatchQuery>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    caller.may(Action::Screen)?;
    let scoring = scoring(&query)?;
    let request: MatchRequest = json_body(&headers, body)?;
    if request.queries.is_empty() {
        return Err(invalid("`queries` is empty: give at least one".to_owned()));
    }
    if request.queries.len() > MAX_QUERIES {
        return Err(invalid(format!(
            "{} queries: at most {MAX_QUERIES} per request",
            request.queries.len()
        )));
    }
    let queries = request
        .queries
        .into_iter()
        .map(|(key, example)| match screening::parse(example) {
            Ok(parsed) => Ok((key, parsed)),
            Err(why) => Err(invalid(format!("query `{key}`: {why}"))),
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    let cache = state.screening.clone();
    let answer = blocking(&state, move |store| {
        let loaded = cache.current(store)?;
        if !loaded.has_dataset(&dataset) {
            return Ok(Err(no_dataset(&dataset, &loaded.dataset_names())));
        }
        let index = loaded.index(&dataset);
        let today = today();
        let responses: Map<String, Value> = queries
            .iter()
            .map(|(key, parsed)| {
                let hits = screening::screen(&index, parsed, scoring);
                let response = screening::response(&loaded, parsed, &hits, scoring, today);
                (key.clone(), response)
            })
            .collect();
        Ok(Ok(json!({
            "responses": responses,
            "limit": scoring.limit,
            "threshold": scoring.threshold,
            "cutoff": scoring.cutoff,
        })))
    })
    .await??;
    Ok(json(format!("{answer}\n")))
}

/// `GET /v1/catalog`: the datasets, `default` first.
pub async fn catalog(State(state): State<AppState>, caller: Caller) -> Result<Response, ApiError> {
    caller.may(Action::ReadPublic)?;
    let cache = state.screening.clone();
    let answer = blocking(&state, move |store| {
        let loaded = cache.current(store)?;
        Ok(screening::catalog(&loaded))
    })
    .await?;
    Ok(json(format!("{answer}\n")))
}

/// `GET /v1/entities/{id}`: one listed designation, by the id a match result gave.
pub async fn entity(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    caller.may(Action::Screen)?;
    let cache = state.screening.clone();
    let answer = blocking(&state, move |store| {
        let loaded = cache.current(store)?;
        Ok(loaded
            .entity(&id)
            .map(|d| Value::Object(screening::entity(d, today())))
            .ok_or_else(|| {
                ApiError::not_found(
                    "no-such-entity",
                    format!("no listed designation has the id `{id}`"),
                )
            }))
    })
    .await??;
    Ok(json(format!("{answer}\n")))
}
