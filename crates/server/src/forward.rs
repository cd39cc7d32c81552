//! Forwarding a submission to the log's leader (issue #17): a server of a PostgreSQL store
//! that does not lead a log sends a submission to it on to the server that does — the
//! address the leader advertised in its lease ([`accord_store::lease`]) — and answers with
//! the leader's answer. Clients and load balancers need not follow `Accord-Leader`.
//!
//! What is sent on: the body as received, and the caller's `Authorization`, content type
//! and request id (`x-request-id`). The request is checked here first (token, body, signer)
//! as any other: a request this server refuses is never forwarded. The leader checks it
//! again: every server of one store accepts the same tokens.
//!
//! INVARIANT: one hop. A forwarded request carries `Accord-Forwarded: 1`; a server that
//! does not lead the log either answers it `503 not-the-leader` as before, never forwarding
//! it again, so a stale leader address cannot make a loop. A leader that is unknown, not an
//! `http://` address or cannot be reached in time leaves the refusal as it was (`503
//! not-the-leader` with `Retry-After`): submitting again is always safe, since an entry the
//! log holds is answered 200 with its first index.

use std::collections::BTreeMap;
use std::sync::OnceLock;
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse as _, Response};
use serde_json::Value;

use crate::middleware::REQUEST_ID;
use crate::problem::{ApiError, LEADER};

/// The header of a request one server sent on to another: it is not sent on again.
pub const FORWARDED: &str = "accord-forwarded";
/// The header of an answer that came from the leader a submission was forwarded to.
pub const FORWARDED_TO: &str = "accord-forwarded-to";

/// How long the leader has to answer: under the server's own request timeout
/// ([`crate::DEFAULT_TIMEOUT`]), so that the caller gets the refusal rather than a timeout.
const ANSWER_WITHIN: Duration = Duration::from_secs(20);
/// How long the leader has to accept the connection: a leader that is gone is found out
/// quickly, and the caller told to come back.
const CONNECT_WITHIN: Duration = Duration::from_secs(1);

/// The headers of the leader's answer passed back to the caller (with its status and body).
const PASSED_BACK: [&str; 4] = [
    "content-type",
    crate::replica::COMMIT_LSN,
    "retry-after",
    LEADER,
];

fn client() -> Option<&'static reqwest::Client> {
    static CLIENT: OnceLock<Option<reqwest::Client>> = OnceLock::new();
    CLIENT
        .get_or_init(|| {
            reqwest::Client::builder()
                .timeout(ANSWER_WITHIN)
                .connect_timeout(CONNECT_WITHIN)
                // The leader's address is where the request goes; nothing else.
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .ok()
        })
        .as_ref()
}

/// Whether the request was sent on by another server already.
pub(crate) fn was_forwarded(headers: &HeaderMap) -> bool {
    headers.contains_key(FORWARDED)
}

/// The leader to send a request on to: the one a `not-the-leader` refusal names, when the
/// request was not forwarded already and the address is an `http://` one.
pub(crate) fn leader_for(problem: &ApiError, headers: &HeaderMap) -> Option<String> {
    if problem.kind != "not-the-leader" || was_forwarded(headers) {
        return None;
    }
    let leader = problem.header(LEADER)?.to_str().ok()?;
    leader
        .starts_with("http://")
        .then(|| leader.trim_end_matches('/').to_owned())
}

/// The leader's answer to `body` POSTed to `leader` + `path` with the caller's headers;
/// `None` when it could not be reached or its answer could not be read whole.
async fn post(
    leader: &str,
    path: &str,
    headers: &HeaderMap,
    body: Bytes,
) -> Option<(StatusCode, HeaderMap, Bytes)> {
    let mut request = client()?
        .post(format!("{leader}{path}"))
        .header(FORWARDED, "1")
        .body(body);
    for name in [header::AUTHORIZATION, header::CONTENT_TYPE, REQUEST_ID] {
        if let Some(value) = headers.get(&name) {
            request = request.header(name, value.clone());
        }
    }
    let answer = match request.send().await {
        Ok(answer) => answer,
        Err(error) => {
            tracing::warn!(%leader, %error, "the leader could not be reached");
            return None;
        }
    };
    let status = answer.status();
    let mut passed = HeaderMap::new();
    for name in PASSED_BACK {
        if let Some(value) = answer.headers().get(name) {
            passed.insert(HeaderName::from_static(name), value.clone());
        }
    }
    let body = answer.bytes().await.ok()?;
    Some((status, passed, body))
}

/// A single submission's answer: when it is a `not-the-leader` refusal that may be
/// forwarded, the leader's answer to `body` sent on to `path`; otherwise, or when the
/// leader cannot be reached, the answer as it was.
pub(crate) async fn or_refuse(
    headers: &HeaderMap,
    path: &str,
    body: Option<Bytes>,
    answer: Result<Response, ApiError>,
) -> Result<Response, ApiError> {
    let (refusal, body) = match (answer, body) {
        (Err(refusal), Some(body)) => (refusal, body),
        (answer, _) => return answer,
    };
    let Some(leader) = leader_for(&refusal, headers) else {
        return Err(refusal);
    };
    let Some((status, passed, body)) = post(&leader, path, headers, body).await else {
        return Err(refusal);
    };
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    for (name, value) in &passed {
        headers.insert(name.clone(), value.clone());
    }
    if let Ok(value) = HeaderValue::from_str(&leader) {
        headers.insert(HeaderName::from_static(FORWARDED_TO), value);
    }
    Ok(response)
}

/// What the leaders answered for a batch's entries sent on to them ([`batch`]).
#[derive(Debug, Default)]
pub(crate) struct SentOn {
    /// The results that came back, by position in the batch.
    pub(crate) results: Vec<(usize, Value)>,
    /// The `Accord-Commit-Lsn` of each leader's answer that logged an entry (a result of
    /// status 200 or 201); `None` for such an answer without one.
    pub(crate) positions: Vec<Option<String>>,
}

/// A batch's entries another server leads: `(position in the batch, leader, the item as
/// submitted: its entry and sealed content)`. Each leader's entries are sent on to it as
/// one batch (`POST /v1/statements`), all leaders at once; the results that came back, by
/// position, and the leaders' positions. An entry whose leader could not be reached, or
/// answered anything but a batch's results, is not among them: its refusal stands.
pub(crate) async fn batch(headers: &HeaderMap, entries: Vec<(usize, String, Value)>) -> SentOn {
    let mut by_leader: BTreeMap<String, Vec<(usize, Value)>> = BTreeMap::new();
    for (at, leader, entry) in entries {
        by_leader.entry(leader).or_default().push((at, entry));
    }
    let sent = by_leader.into_iter().map(|(leader, entries)| async move {
        let body: Vec<&Value> = entries.iter().map(|(_, item)| item).collect();
        let body = Bytes::from(serde_json::to_vec(&body).unwrap_or_default());
        let mut headers = headers.clone();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        let (results, position) = match post(&leader, "/v1/statements", &headers, body).await {
            Some((status, passed, body)) if status == StatusCode::OK => {
                let results = serde_json::from_slice::<Value>(&body)
                    .ok()
                    .and_then(|mut doc| doc.get_mut("results").map(Value::take));
                let position = passed
                    .get(crate::replica::COMMIT_LSN)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned);
                (results, position)
            }
            _ => (None, None),
        };
        match results {
            Some(Value::Array(results)) if results.len() == entries.len() => {
                let logged = results
                    .iter()
                    .any(|r| matches!(r.get("status").and_then(Value::as_u64), Some(200 | 201)));
                let results: Vec<(usize, Value)> =
                    entries.into_iter().map(|(at, _)| at).zip(results).collect();
                (results, logged.then_some(position))
            }
            _ => (Vec::new(), None),
        }
    });
    let mut sent_on = SentOn::default();
    for (results, position) in futures_util::future::join_all(sent).await {
        sent_on.results.extend(results);
        sent_on.positions.extend(position);
    }
    sent_on
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn only_a_refusal_naming_an_http_leader_and_not_forwarded_yet_is_sent_on() {
        let refusal = ApiError::not_the_leader("o1", Some("http://10.0.0.2:8080/"));
        let none = HeaderMap::new();
        assert_eq!(
            leader_for(&refusal, &none).as_deref(),
            Some("http://10.0.0.2:8080")
        );
        let mut forwarded = HeaderMap::new();
        forwarded.insert(FORWARDED, HeaderValue::from_static("1"));
        assert_eq!(leader_for(&refusal, &forwarded), None, "one hop only");
        let unnamed = ApiError::not_the_leader("o1", None);
        assert_eq!(leader_for(&unnamed, &none), None);
        let elsewhere = ApiError::not_the_leader("o1", Some("file:///etc/passwd"));
        assert_eq!(leader_for(&elsewhere, &none), None);
        let other = ApiError::bad_request("bad-parameter", "no").with_header(
            HeaderName::from_static(LEADER),
            HeaderValue::from_static("http://x"),
        );
        assert_eq!(leader_for(&other, &none), None);
    }
}
