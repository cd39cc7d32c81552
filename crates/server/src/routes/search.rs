//! `GET /v1/search/{dataset}?q=`: yente's search, answered by the screening index: the
//! designations whose names score at least [`CUTOFF`] against `q`, best first, in yente's
//! `SearchResponse` shape (`limit`, `offset`, `total`, `results`, `facets`).

use axum::extract::{Path, State};
use axum::response::Response;
use serde_json::{Value, json};

use super::screening::{no_dataset, today};
use super::{blocking, json};
use crate::AppState;
use crate::extract::{Caller, Params};
use crate::policy::Action;
use crate::problem::ApiError;
use crate::screening::{self, MAX_LIMIT, Scoring};

/// The lowest name score a search reports: below it, names share little but letters.
pub const CUTOFF: f64 = 0.5;

/// yente's search parameters Accord answers: `q`, `schema` (default `Thing`: any),
/// `limit` (default 10) and `offset` (default 0), with `offset + limit` at most 500.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SearchQuery {
    q: String,
    schema: Option<String>,
    limit: Option<String>,
    offset: Option<String>,
}

fn number(name: &str, given: Option<&str>, default: usize, min: usize) -> Result<usize, ApiError> {
    match given {
        None => Ok(default),
        Some(text) => text
            .parse::<usize>()
            .ok()
            .filter(|n| (min..=MAX_LIMIT).contains(n))
            .ok_or_else(|| {
                ApiError::bad_request(
                    "bad-parameter",
                    format!("`{name}` is `{text}`: give a whole number from {min} to {MAX_LIMIT}"),
                )
            }),
    }
}

/// `GET /v1/search/{dataset}`.
pub async fn search(
    State(state): State<AppState>,
    caller: Caller,
    Path(dataset): Path<String>,
    Params(query): Params<SearchQuery>,
) -> Result<Response, ApiError> {
    caller.may(Action::Screen)?;
    let limit = number("limit", query.limit.as_deref(), 10, 1)?;
    let offset = number("offset", query.offset.as_deref(), 0, 0)?;
    if offset + limit > MAX_LIMIT {
        return Err(ApiError::bad_request(
            "bad-parameter",
            format!(
                "`offset` + `limit` is {}: at most {MAX_LIMIT}",
                offset + limit
            ),
        ));
    }
    let parsed = screening::search(&query.q, query.schema.as_deref())
        .map_err(|why| ApiError::bad_request("bad-parameter", why))?;
    let scoring = Scoring {
        threshold: accord_screen::DEFAULT_THRESHOLD,
        cutoff: CUTOFF,
        limit: offset + limit,
    };
    let cache = state.screening.clone();
    let answer = blocking(&state, move |store| {
        let loaded = cache.current(store)?;
        if !loaded.has_dataset(&dataset) {
            return Ok(Err(no_dataset(&dataset, &loaded.dataset_names())));
        }
        let hits = screening::screen(&loaded.index(&dataset), &parsed, scoring);
        // As many as asked for past the offset: there may be more.
        let relation = if hits.len() == offset + limit {
            "gte"
        } else {
            "eq"
        };
        let today = today();
        let results: Vec<Value> = hits
            .iter()
            .skip(offset)
            .filter_map(|hit| {
                let mut entity = screening::entity(loaded.by_candidate(&hit.candidate_id)?, today);
                entity.insert("score".to_owned(), json!(hit.score));
                Some(Value::Object(entity))
            })
            .collect();
        Ok(Ok(json!({
            "limit": limit,
            "offset": offset,
            "total": {"value": hits.len(), "relation": relation},
            "results": results,
            "facets": {},
        })))
    })
    .await??;
    Ok(json(format!("{answer}\n")))
}
