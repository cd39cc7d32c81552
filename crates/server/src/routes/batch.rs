//! `POST /v1/statements` with a JSON array: a batch of signed entries, each answered on
//! its own (issue #13). The ledger writes entries one by one through the log's single
//! writer, so a batch is not one transaction: an entry the ledger refuses does not hold
//! back the others, and each result says what became of its entry. The entries are
//! enqueued together, in the batch's order, so that the writer commits them in that order
//! and in few transactions.
//!
//! The whole request is still refused (a problem, nothing written) when it cannot be read
//! or when the caller may not submit: the content type, the JSON, the array's length.

use accord_ledger::entry::Encoded;
use accord_store::ledger::Submission;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use serde_json::Value;

use super::{json_bytes, statements};
use crate::AppState;
use crate::extract::{Caller, json_body_bytes, parse_json};
use crate::policy::Action;
use crate::problem::ApiError;
use crate::replica::COMMIT_LSN;

/// The most entries a batch holds.
pub const MAX_BATCH: usize = 1000;

/// `POST /v1/statements`: one entry (`{"entry": …}`, [`statements::submit`]) or a batch
/// (`[{"entry": …, "sealed": …}, …]`), told apart by the body's first character.
pub async fn submit(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let is_array = body
        .as_ref()
        .ok()
        .and_then(|b| b.iter().find(|c| !c.is_ascii_whitespace()))
        == Some(&b'[');
    if !is_array {
        return statements::submit(State(state), caller, headers, body).await;
    }
    caller.may(Action::SubmitEntry)?;
    let bytes = json_body_bytes(&headers, body)?;
    let items: Vec<statements::Submit<'_>> = parse_json(&bytes)?;
    if items.is_empty() || items.len() > MAX_BATCH {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid-body",
            format!(
                "a batch holds 1 to {MAX_BATCH} entries; this one holds {}",
                items.len()
            ),
        ));
    }
    // Each entry is read and checked against the token first; those that pass go to the
    // writer together.
    let checked: Vec<Result<_, ApiError>> = items
        .iter()
        .map(|item| statements::checked_submission(&caller, item))
        .collect();
    let (results, local, one_store) = submit_all(&state, checked)?.await;
    // The entries another server leads are sent on to it (`crate::forward`).
    let elsewhere: Vec<(usize, String, Value)> = results
        .iter()
        .zip(items)
        .enumerate()
        .filter_map(|(at, (outcome, item))| {
            let leader = crate::forward::leader_for(outcome.as_ref().err()?, &headers)?;
            Some((at, leader, serde_json::to_value(item).ok()?))
        })
        .collect();
    let mut results: Vec<EntryResult<'_>> = results.iter().map(result).collect();
    let sent_on = crate::forward::batch(&headers, elsewhere).await;
    for (at, forwarded) in sent_on.results {
        if let Some(slot) = results.get_mut(at) {
            *slot = EntryResult::Forwarded(forwarded);
        }
    }
    // The leaders' positions come after their commits of the entries sent on; this
    // server's after its own: the greatest covers every entry logged.
    let position = sent_on
        .positions
        .into_iter()
        .map(Position::of)
        .fold(local, |so_far, leader| so_far.covering(leader, one_store));
    let mut response = json_bytes(render(&results));
    if let Position::At(p) = position
        && let Ok(value) = HeaderValue::from_str(&p)
    {
        response.headers_mut().insert(COMMIT_LSN, value);
    }
    Ok(response)
}

/// The write-ahead log position a batch's answer carries (`Accord-Commit-Lsn`), as its
/// parts are put together: this server's answers' and each leader's that logged entries
/// sent on to it.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Position {
    /// Nothing logged: nothing to wait for.
    Nothing,
    /// Every entry logged so far is covered by this position of one primary.
    At(String),
    /// An entry was logged without a position (SQLite, a position that could not be
    /// read, a leader that gave none), or positions of different primaries were met,
    /// which one header could not say.
    Unknown,
}

impl Position {
    /// The position of a part that logged entries: `Unknown` when it has none, or gives
    /// something that is not a position (a leader's header is passed on only when it is
    /// one: a client sending it back as `Accord-Min-Lsn` would be refused otherwise).
    fn of(position: Option<String>) -> Position {
        position
            .filter(|p| accord_store::parse_lsn(p).is_some())
            .map_or(Position::Unknown, Position::At)
    }

    /// The position covering `self` and `other`. Positions of one primary (`one_store`:
    /// every entry of the batch went to one store, so that each leader a refusal named
    /// writes to the same primary as this server) are compared and the greatest kept;
    /// otherwise only equal ones are kept.
    fn covering(self, other: Position, one_store: bool) -> Position {
        match (self, other) {
            (Position::Nothing, p) | (p, Position::Nothing) => p,
            (Position::At(a), Position::At(b)) if a == b => Position::At(a),
            (Position::At(a), Position::At(b)) if one_store => {
                match (accord_store::parse_lsn(&a), accord_store::parse_lsn(&b)) {
                    (Some(x), Some(y)) => Position::At(if x >= y { a } else { b }),
                    _ => Position::Unknown,
                }
            }
            _ => Position::Unknown,
        }
    }
}

type Outcome = Result<accord_app::service::Submitted, ApiError>;

/// Submits every checked entry to its agreement's store through the server's submitter,
/// handed over together in the batch's order ([`accord_app::submitter::Submitter::submit_batch`]):
/// the entries of one log are committed in the batch's order, in few transactions.
/// Results in the batch's order, the position of the entries logged ([`position`]), and
/// whether every entry handed over went to one store. The whole batch is admitted or none
/// of it ([`statements::admit`]: 503 `overloaded`, nothing handed over); the permits are
/// held until the batch is answered, whether or not anyone still waits for the answer.
fn submit_all(
    state: &AppState,
    checked: Vec<Result<(Submission, Encoded), ApiError>>,
) -> Result<impl std::future::Future<Output = (Vec<Outcome>, Position, bool)>, ApiError> {
    let admitted = statements::admit(state, checked.iter().filter(|c| c.is_ok()).count())?;
    let mut items: Vec<(accord_app::Store, Submission, Encoded)> =
        Vec::with_capacity(checked.len());
    let mut results: Vec<Option<Outcome>> = Vec::with_capacity(checked.len());
    for item in checked {
        match item {
            Ok((submission, encoded)) => {
                let agreement = submission.entry.entry.agreement.as_str();
                let store = state.reads.writes_for(agreement).clone();
                items.push((store, submission, encoded));
                results.push(None);
            }
            Err(problem) => results.push(Some(Err(problem))),
        }
    }
    let one_store = items
        .split_first()
        .is_none_or(|((first, ..), rest)| rest.iter().all(|(s, ..)| s.same_as(first)));
    let (tx, rx) = tokio::sync::oneshot::channel();
    state.submitter.submit_batch(
        items,
        Box::new(move |answers| {
            let _ = tx.send(answers);
            drop(admitted);
        }),
    );
    Ok(async move {
        let (results, position) = collect(results, rx).await;
        (results, position, one_store)
    })
}

/// The results in the batch's order: the problems of the entries not handed over where
/// they stand, the answers of the others (in their order) in the places left; and the
/// batch's [`position`].
async fn collect(
    results: Vec<Option<Outcome>>,
    answers: tokio::sync::oneshot::Receiver<Vec<accord_app::submitter::Answer>>,
) -> (Vec<Outcome>, Position) {
    let answers = answers.await.unwrap_or_default();
    let position = position(&answers);
    let mut answers = answers.into_iter();
    let results = results
        .into_iter()
        .map(|result| match result {
            Some(problem) => problem,
            None => match answers.next() {
                Some(answer) => answer.submitted.map_err(ApiError::from),
                None => Err(ApiError::internal()),
            },
        })
        .collect();
    (results, position)
}

/// The write-ahead log position of the entries this server logged, as a single entry's
/// answer gives it: the one read after the commits of every entry logged, when they all
/// have the same (one PostgreSQL store; the submitter reads one per store for the batch).
/// `Unknown` when an entry logged has none (SQLite) or the entries went to stores with
/// different positions, which one header could not say.
fn position(answers: &[accord_app::submitter::Answer]) -> Position {
    answers
        .iter()
        .filter(|a| a.submitted.is_ok())
        .fold(Position::Nothing, |so_far, a| {
            so_far.covering(Position::of(a.position.clone()), false)
        })
}

/// An entry's result in the batch's answer, written as it is (no field re-ordered).
#[derive(Debug, serde::Serialize)]
#[serde(untagged)]
enum EntryResult<'a> {
    /// Its receipt, with `status` 201 (new) or 200 (already logged).
    Receipt(accord_render::api::BatchReceiptDoc<'a>),
    /// Its problem ([`entry_problem`]).
    Problem(EntryProblem),
    /// The result the log's leader gave for it ([`crate::forward::batch`]).
    Forwarded(Value),
}

/// An entry's result: its receipt with `status` 201 (new) or 200 (already logged), or its
/// problem (`type`, `title`, `status`, `detail`; and `leader` for `not-the-leader` when
/// the leader advertised an address).
fn result(outcome: &Outcome) -> EntryResult<'_> {
    match outcome {
        Ok(submitted) => EntryResult::Receipt(accord_render::api::batch_receipt(submitted)),
        Err(problem) => EntryResult::Problem(entry_problem(problem)),
    }
}

/// `{"results": [...]}`: per entry, in order, its [`result`] (or the one the leader gave),
/// written in one pass (pretty, as every answer of the API, and a final newline).
fn render(results: &[EntryResult<'_>]) -> Vec<u8> {
    #[derive(serde::Serialize)]
    struct Answer<'r, 'a> {
        results: &'r [EntryResult<'a>],
    }
    // About 260 bytes per receipt, pretty-printed.
    let mut out = Vec::with_capacity(64 + 320 * results.len());
    // INVARIANT: the results are Accord's own documents and JSON values, whose
    // serialisation cannot fail (no non-string map keys, no failing `Serialize`).
    let _ = serde_json::to_writer_pretty(&mut out, &Answer { results });
    out.push(b'\n');
    out
}

/// An entry's problem in the batch's answer: the problem's members, then `leader`.
#[derive(Debug, serde::Serialize)]
struct EntryProblem {
    #[serde(flatten)]
    problem: accord_render::api::Problem,
    #[serde(skip_serializing_if = "Option::is_none")]
    leader: Option<String>,
}

/// An entry's problem in the batch's answer. The answer is one 200 for all entries, so
/// what a single submission says in headers goes in the entry's result: the leader that
/// `Accord-Leader` names.
fn entry_problem(problem: &ApiError) -> EntryProblem {
    let leader = problem
        .header(statements::LEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    EntryProblem {
        problem: problem.problem(),
        leader,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_batch_position_covers_every_part_that_logged_or_is_unknown() {
        use Position::{At, Nothing, Unknown};
        let at = |p: &str| At(p.to_owned());
        // Positions of one primary: the greatest, as a number (16/… after 9/…).
        assert_eq!(
            at("9/FFFFFFFF").covering(at("16/B374D848"), true),
            at("16/B374D848")
        );
        assert_eq!(
            at("16/B374D848").covering(at("16/B374D847"), true),
            at("16/B374D848")
        );
        assert_eq!(Nothing.covering(at("0/1"), true), at("0/1"));
        assert_eq!(at("0/1").covering(Nothing, false), at("0/1"));
        assert_eq!(Nothing.covering(Nothing, true), Nothing);
        // A part that logged without a position, or positions of different primaries.
        assert_eq!(at("0/1").covering(Unknown, true), Unknown);
        assert_eq!(Nothing.covering(Position::of(None), true), Unknown);
        assert_eq!(at("0/1").covering(at("0/2"), false), Unknown);
        assert_eq!(at("0/2").covering(at("0/2"), false), at("0/2"));
        assert_eq!(at("0/1").covering(at("not/a position"), true), Unknown);
        // A leader's header that is not a position is not passed on.
        assert_eq!(
            Nothing.covering(Position::of(Some("not/a position".into())), true),
            Unknown
        );
        assert_eq!(Position::of(Some("16/B374D848".into())), at("16/B374D848"));
    }

    fn as_value(problem: &ApiError) -> Value {
        serde_json::to_value(entry_problem(problem)).unwrap()
    }

    #[test]
    fn an_entry_refused_for_another_leader_names_the_leader() {
        let problem = ApiError::not_the_leader("o1", Some("http://10.0.0.2:8080"));
        let body = as_value(&problem);
        assert_eq!(body["type"], "urn:accord:problem:not-the-leader");
        assert_eq!(body["status"], 503);
        assert_eq!(body["leader"], "http://10.0.0.2:8080");
        assert!(
            as_value(&ApiError::not_the_leader("o1", None))
                .get("leader")
                .is_none()
        );
    }

    /// The answer as it was written before it was written in one pass: each receipt
    /// rendered, parsed into a `Value`, `status` added, the whole rendered again.
    fn rendered_through_values(outcomes: &[Outcome], forwarded: Option<(usize, Value)>) -> String {
        let mut results: Vec<Value> = outcomes
            .iter()
            .map(|outcome| match outcome {
                Ok(submitted) => {
                    let mut receipt: Value =
                        serde_json::from_str(&accord_render::api::submitted(submitted)).unwrap();
                    let status = if submitted.duplicate { 200 } else { 201 };
                    receipt
                        .as_object_mut()
                        .unwrap()
                        .insert("status".into(), status.into());
                    receipt
                }
                Err(problem) => as_value(problem),
            })
            .collect();
        if let Some((at, value)) = forwarded {
            results[at] = value;
        }
        let mut out =
            serde_json::to_string_pretty(&serde_json::json!({ "results": results })).unwrap();
        out.push('\n');
        out
    }

    #[test]
    fn the_answer_is_written_in_one_pass_with_the_same_bytes() {
        let receipt = |index: u64, duplicate: bool| {
            Ok(accord_app::service::Submitted {
                origin: "example.org/arden".into(),
                index,
                recorded_at: "2026-12-07T10:00:00.123456789Z".parse().unwrap(),
                leaf_hash: [7; 32],
                entry_id: [9; 32],
                duplicate,
            })
        };
        let outcomes: Vec<Outcome> = vec![
            receipt(41, false),
            receipt(3, true),
            Err(ApiError::not_the_leader("o1", Some("http://10.0.0.2:8080"))),
            Err(ApiError::not_the_leader("o1", None)),
            receipt(42, false),
        ];
        let forwarded = serde_json::json!({"origin": "o1", "index": 7, "status": 201});
        let mut results: Vec<EntryResult<'_>> = outcomes.iter().map(result).collect();
        results[4] = EntryResult::Forwarded(forwarded.clone());
        assert_eq!(
            String::from_utf8(render(&results)).unwrap(),
            rendered_through_values(&outcomes, Some((4, forwarded)))
        );
    }
}
