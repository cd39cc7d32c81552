//! The sanctions lists over HTTP (issue #13): import by upload, an update from the
//! publisher, a designation's history, and a list's FollowTheMoney export.
//!
//! An upload is written to a temporary file as it arrives (never held whole in memory)
//! and imported as `accord lists import` imports a file: all or nothing.

use std::io::Write as _;

use accord_app::evaluate::AgreementSource;
use accord_store::lists::{Change, ImportSummary, Interval, ListedOn};
use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use futures_util::StreamExt as _;
use serde_json::{Value, json};
use tokio::sync::mpsc;

use super::agreements::{agreement_id, date};
use super::{blocking, json};
use crate::AppState;
use crate::extract::{Caller, Params};
use crate::policy::Action;
use crate::problem::ApiError;

/// `?format=&observed_at=` of an upload.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportQuery {
    format: Option<String>,
    observed_at: Option<String>,
}

/// `POST /v1/lists/{source}/imports`: the body is one official list file (any content
/// type), at most the server's upload limit (else 413, nothing written). 201 with the
/// import's summary; 422 `import-refused` (nothing written) when the file is corrupt,
/// truncated, incomplete, empty, of another source's format, or would remove more than
/// the mass-removal guard allows.
pub async fn import(
    State(state): State<AppState>,
    caller: Caller,
    Path(source): Path<String>,
    Params(query): Params<ImportQuery>,
    body: Body,
) -> Result<Response, ApiError> {
    caller.may(Action::ImportLists)?;
    let format = match query.format.as_deref() {
        Some(f) => Some(
            f.parse::<accord_lists::Format>()
                .map_err(|e| ApiError::bad_request("bad-parameter", format!("`format`: {e}")))?,
        ),
        None => None,
    };
    let observed_at =
        accord_app::time::observed_at(query.observed_at.as_deref(), jiff::Timestamp::now())?;
    let (chunks, received) = mpsc::channel::<Option<Bytes>>(16);
    let store = state.store.clone();
    let imported = tokio::task::spawn_blocking(move || {
        let Some(file) = receive(received)? else {
            return Ok(None);
        };
        accord_app::lists::import_upload(&store, &source, file.path(), format, observed_at)
            .map(Some)
    });
    let sent = send(body, &chunks, state.upload_limit).await;
    drop(chunks);
    let imported = imported.await.map_err(|_| ApiError::internal())?;
    sent?;
    match imported? {
        Some(summary) => {
            let mut response = json(pretty(&summary_json(&summary)));
            *response.status_mut() = StatusCode::CREATED;
            Ok(response)
        }
        None => Err(ApiError::bad_request(
            "unreadable-body",
            "the upload ended before its end",
        )),
    }
}

/// Sends the body's chunks to the writer, then `None` when it is whole; stops (sending
/// nothing more) at the limit or a broken upload, so that the writer imports nothing.
async fn send(
    body: Body,
    chunks: &mpsc::Sender<Option<Bytes>>,
    limit: usize,
) -> Result<(), ApiError> {
    let mut stream = body.into_data_stream();
    let mut total = 0usize;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| ApiError::bad_request("unreadable-body", e.to_string()))?;
        total = total.saturating_add(chunk.len());
        if total > limit {
            return Err(ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "body-too-large",
                format!("the upload is larger than this server accepts ({limit} bytes)"),
            ));
        }
        if chunks.send(Some(chunk)).await.is_err() {
            return Err(ApiError::internal());
        }
    }
    chunks.send(None).await.map_err(|_| ApiError::internal())
}

/// Writes the chunks to a temporary file: the file once `None` says the upload is whole;
/// `None` when the upload stopped before.
fn receive(
    mut chunks: mpsc::Receiver<Option<Bytes>>,
) -> accord_app::Result<Option<tempfile::NamedTempFile>> {
    let failed = |source| accord_app::Error::Write {
        name: accord_app::lists::UPLOAD_NAME.to_owned(),
        source,
    };
    let mut file = tempfile::NamedTempFile::new().map_err(failed)?;
    while let Some(chunk) = chunks.blocking_recv() {
        match chunk {
            Some(bytes) => file.write_all(&bytes).map_err(failed)?,
            None => {
                file.flush().map_err(failed)?;
                return Ok(Some(file));
            }
        }
    }
    Ok(None)
}

/// `POST /v1/lists/{source}/update`: the source's files downloaded from its publisher
/// (conditionally) and imported if they changed, as `accord lists update SOURCE` does.
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(source): Path<String>,
) -> Result<Response, ApiError> {
    caller.may(Action::ImportLists)?;
    let limit = u64::try_from(state.upload_limit).unwrap_or(u64::MAX);
    let observed = accord_app::time::observed_at(None, jiff::Timestamp::now())?;
    let mut updates = blocking(&state, move |store| {
        accord_app::lists::update_all(
            store,
            None,
            std::slice::from_ref(&source),
            limit,
            &observed,
            Default::default(),
            &mut |_, _| {},
        )
    })
    .await?;
    let Some(update) = updates.pop() else {
        return Err(ApiError::internal());
    };
    let body = match update.outcome? {
        accord_app::lists::Updated::Unchanged => json!({
            "source": update.name,
            "outcome": "unchanged",
        }),
        accord_app::lists::Updated::Imported(summary) => json!({
            "source": update.name,
            "outcome": "imported",
            "import": summary_json(&summary),
        }),
    };
    Ok(json(pretty(&body)))
}

/// `?on=` (a date: was it listed then).
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HistoryQuery {
    on: Option<String>,
}

/// `GET /v1/lists/{list}/entities/{id}/history`: a designation by the publisher's
/// identifier, as `accord lists history LIST ID --on DATE` tells it.
pub async fn history(
    State(state): State<AppState>,
    caller: Caller,
    Path((list, id)): Path<(String, String)>,
    Params(query): Params<HistoryQuery>,
) -> Result<Response, ApiError> {
    caller.may(Action::Screen)?;
    if let Some(on) = query.on.as_deref() {
        date("on", on)?;
    }
    let history = blocking(&state, move |store| {
        accord_app::lists::history(store, &list, &id, query.on.as_deref())
    })
    .await?;
    let body = json!({
        "list": history.list,
        "id": history.id,
        "listed": history.listed,
        "designation": history.designation,
        "intervals": history.intervals.iter().map(interval_json).collect::<Vec<_>>(),
        "changes": history.changes.iter().map(change_json).collect::<Vec<_>>(),
        "on": history.on.as_ref().map(|(date, answer)| listed_on_json(date, answer)),
    });
    Ok(json(pretty(&body)))
}

/// `?date=&agreement=` of an export.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportQuery {
    date: Option<String>,
    agreement: Option<String>,
}

/// `GET /v1/lists/{list}/export`: every listed designation of the list's latest import
/// as FollowTheMoney entities, one JSON object a line (`application/x-ndjson`), streamed
/// as they are made; `agreement` (registered ids, comma-separated) adds the relief in
/// force under those agreements on `date` (default today, UTC), as `accord lists export`.
pub async fn export(
    State(state): State<AppState>,
    caller: Caller,
    Path(list): Path<String>,
    Params(query): Params<ExportQuery>,
) -> Result<Response, ApiError> {
    caller.may(Action::Screen)?;
    let on = match query.date.as_deref() {
        Some(d) => date("date", d)?,
        None => accord_app::time::today(jiff::Timestamp::now()),
    };
    let agreements = query
        .agreement
        .as_deref()
        .unwrap_or_default()
        .split(',')
        .filter(|a| !a.trim().is_empty())
        .map(|a| {
            Ok(AgreementSource::Registered(
                agreement_id(a.trim())?.to_string(),
            ))
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    let known = list.clone();
    blocking(&state, move |store| {
        if accord_app::lists::imports(store, &known)?.is_empty() {
            return Err(accord_app::lists::unknown_list(store, &known));
        }
        Ok(())
    })
    .await?;
    let (lines, received) = mpsc::channel::<Result<Bytes, std::io::Error>>(64);
    let store = state.reads.store().clone();
    tokio::task::spawn_blocking(move || {
        let mut sink = |entity: &Value| {
            let line = format!("{entity}\n");
            lines
                .blocking_send(Ok(Bytes::from(line)))
                .map_err(|_| std::io::Error::other("the client went away"))
        };
        if let Err(e) = accord_app::lists::export(&store, &list, &agreements, on, &mut sink) {
            // The answer has begun: a failure can only cut it short, which the client sees
            // as a broken stream rather than a complete export.
            let _ = lines.blocking_send(Err(std::io::Error::other(e.to_string())));
        }
    });
    let stream = futures_util::stream::unfold(received, |mut received| async move {
        received.recv().await.map(|item| (item, received))
    });
    let mut response = Response::new(Body::from_stream(stream));
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/x-ndjson"),
    );
    Ok(response)
}

fn pretty(value: &Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_default()
}

/// An import's summary, as the API answers it.
fn summary_json(s: &ImportSummary) -> Value {
    json!({
        "import_id": s.import_id,
        "source": s.source,
        "observed_at": s.observed_at,
        "published": s.published,
        "content_sha256": s.content_sha256,
        "formats": s.formats.iter().map(ToString::to_string).collect::<Vec<_>>(),
        "records": s.n_records,
        "added": s.n_added,
        "removed": s.n_removed,
        "amended": s.n_amended,
        "unchanged": s.n_unchanged,
        "overridden": s.overridden.map(|o| o.to_string()),
    })
}

fn interval_json(i: &Interval) -> Value {
    json!({
        "from_import": i.from_import,
        "from": i.from_at,
        "until_import": i.until_import,
        "until": i.until_at,
        "last_seen": i.last_seen.as_ref().map(|(import, at)| json!({"import": import, "at": at})),
    })
}

fn change_json(c: &Change) -> Value {
    json!({
        "import_id": c.import_id,
        "observed_at": c.observed_at,
        "kind": c.kind,
        "before": c.before,
        "after": c.after,
    })
}

fn listed_on_json(date: &str, answer: &ListedOn) -> Value {
    let (listed, detail) = match answer {
        ListedOn::Observed {
            since,
            confirmed_at,
            ..
        } => (
            json!(true),
            format!("in the imports since {since}, confirmed {confirmed_at}"),
        ),
        ListedOn::PerListingDate {
            listed_on,
            first_seen,
        } => (
            json!(true),
            format!("listed on {listed_on} per the publisher; first seen {first_seen}"),
        ),
        ListedOn::NotListed { reason } => (json!(false), reason.clone()),
        ListedOn::Unknown { reason } => (Value::Null, reason.clone()),
    };
    json!({"date": date, "listed": listed, "detail": detail})
}
