//! `GET /v1/status`: what is in force for an entity or a name, per jurisdiction — the
//! status JSON of `docs/status-json.md`, exactly as `accord status --json` prints it.

use accord_app::Error;
use accord_app::evaluate::AgreementSource;
use accord_app::status::{ListedNames, StatusQuery, Who};
use accord_core::engine::EvalError;
use axum::extract::State;
use axum::response::Response;

use super::agreements::{agreement_id, date, reading};
use super::{blocking, json};
use crate::AppState;
use crate::extract::{Caller, Params};
use crate::policy::Action;
use crate::problem::ApiError;

/// The query, as `accord status` takes it: `entity` (`SOURCE:ID`) or `name`, `activity`,
/// `jurisdiction` (comma-separated), `date` (default today, UTC; each agreement is
/// evaluated as of the end of it in its own zone), `agreement` (comma-separated ids of
/// registered agreements), `view` (one view of what participants disagree on:
/// `as-recorded`, `void-#N`, or a participant's id) and `contract` (the date a contract
/// was concluded).
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Query {
    entity: Option<String>,
    name: Option<String>,
    activity: Option<String>,
    jurisdiction: Option<String>,
    date: Option<String>,
    agreement: Option<String>,
    view: Option<String>,
    contract: Option<String>,
}

fn list(given: Option<&str>) -> Vec<String> {
    given
        .map(|s| {
            s.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

fn status_query(query: Query) -> Result<StatusQuery, ApiError> {
    let who = match (query.entity, query.name) {
        (Some(entity), None) => Who::Entity(entity),
        (None, Some(name)) if !name.trim().is_empty() => Who::Name(name),
        _ => {
            return Err(ApiError::bad_request(
                "bad-parameter",
                "give exactly one of `entity` (SOURCE:ID) and `name`",
            ));
        }
    };
    let agreements = list(query.agreement.as_deref())
        .iter()
        .map(|id| Ok(AgreementSource::Registered(agreement_id(id)?.to_string())))
        .collect::<Result<Vec<_>, ApiError>>()?;
    Ok(StatusQuery {
        who,
        activity: query.activity,
        jurisdictions: list(query.jurisdiction.as_deref()),
        date: match query.date.as_deref() {
            Some(d) => date("date", d)?,
            None => accord_app::time::today(jiff::Timestamp::now()),
        },
        agreements,
        reading: reading(query.view, query.contract.as_deref())?,
    })
}

/// A view the evaluation does not have, as the bad parameter it is (400 `unknown-view`,
/// naming the views there are), not an agreement that cannot be evaluated.
pub(crate) fn unknown_view(error: &Error) -> Option<ApiError> {
    matches!(
        error,
        Error::EvaluateAgreement {
            source: EvalError::UnknownView { .. },
            ..
        } | Error::Eval(EvalError::UnknownView { .. })
    )
    .then(|| ApiError::bad_request("unknown-view", accord_render::errors::chain(error)))
}

/// `GET /v1/status`.
pub async fn status(
    State(state): State<AppState>,
    caller: Caller,
    Params(query): Params<Query>,
) -> Result<Response, ApiError> {
    caller.may(Action::QueryStatus)?;
    let query = status_query(query)?;
    let cache = state.screening.clone();
    let evaluations = state.evaluations.clone();
    let body = blocking(&state, move |store| {
        let names = cache.names_for(store, &query.who)?;
        let names = names.as_deref().map(|n| n as &dyn ListedNames);
        let answer = match accord_app::status::status_with(store, &query, names, Some(&evaluations))
        {
            Ok(answer) => answer,
            Err(e) => return unknown_view(&e).map(Err).ok_or(e),
        };
        Ok(Ok(accord_render::status::json(
            &query.who,
            &answer.status,
            &answer.evaluations,
        )))
    })
    .await??;
    Ok(json(format!("{body}\n")))
}
