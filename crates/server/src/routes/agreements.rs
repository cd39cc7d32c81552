//! Agreements and their evaluation: the registry's list, one agreement with its versions,
//! the state as of an instant, an explanation, the timeline.

use super::status::unknown_view;
use accord_app::evaluate::Reading;
use accord_core::id::AgreementId;
use accord_core::time::Date;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::Response;

use super::{blocking, json, json_bytes};
use crate::AppState;
use crate::extract::{Caller, Params};
use crate::policy::Action;
use crate::problem::ApiError;

/// An agreement id from a path: one that cannot be an id names no agreement.
pub(crate) fn agreement_id(id: &str) -> Result<AgreementId, ApiError> {
    AgreementId::new(id).map_err(|_| {
        ApiError::not_found(
            "no-such-agreement",
            format!("no agreement `{id}` is registered"),
        )
    })
}

/// `GET /v1/agreements`.
pub async fn list(State(state): State<AppState>, caller: Caller) -> Result<Response, ApiError> {
    caller.may(Action::ReadPublic)?;
    let list = blocking(&state, |store| {
        accord_app::service::registered_agreements(store)
    })
    .await?;
    Ok(json(accord_render::api::agreements(&list)))
}

/// `GET /v1/agreements/{id}`.
pub async fn one(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    caller.may(Action::ReadPublic)?;
    let id = agreement_id(&id)?;
    let versions = blocking(&state, move |store| {
        accord_app::agreements::registered(store, id.as_str())
    })
    .await?;
    let agreement = accord_app::service::RegisteredAgreement {
        id: versions
            .first()
            .map(|v| v.agreement.id.to_string())
            .unwrap_or_default(),
        versions,
    };
    Ok(json(accord_render::api::agreement(&agreement)))
}

/// `?as_of=&view=&contract=`: `as_of` a date (the end of that day in the agreement's
/// zone) or an instant (RFC 3339, or a local time with its zone), default now; `view` one
/// view of what participants disagree on (`as-recorded`, `void-#N`, or a participant's id:
/// each contested invocation as it holds it), every view kept when none; `contract` the
/// date a contract was concluded.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StateQuery {
    as_of: Option<String>,
    view: Option<String>,
    contract: Option<String>,
}

/// `?subject=&as_of=`.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExplainQuery {
    subject: Option<String>,
    as_of: Option<String>,
}

/// `?from=&to=` (dates; `to` defaults to today, UTC).
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Span {
    from: Option<String>,
    to: Option<String>,
}

/// The evaluation cut a query gives (now when none): a date stays a date, to end where
/// the agreement's day ends ([`accord_app::time::AsOf`]).
pub(crate) fn as_of(given: Option<&str>) -> Result<accord_app::time::AsOf, ApiError> {
    match given {
        Some(text) => accord_app::time::parse_as_of(text).map_err(|e| {
            ApiError::bad_request(
                "bad-parameter",
                format!("`as_of` is `{text}`: {}", accord_render::errors::chain(&e)),
            )
        }),
        None => Ok(accord_app::time::AsOf::At(jiff::Timestamp::now())),
    }
}

/// The reading a request asks for: a view by name (checked by the evaluation), and a
/// contract date (400 `bad-parameter` when it is not a date).
pub(crate) fn reading(view: Option<String>, contract: Option<&str>) -> Result<Reading, ApiError> {
    Ok(Reading {
        view,
        contract: contract.map(|d| date("contract", d)).transpose()?,
    })
}

/// A date parameter named `name` (400 `bad-parameter` when it is not YYYY-MM-DD).
pub(crate) fn date(name: &str, given: &str) -> Result<Date, ApiError> {
    given.parse().map_err(|_| {
        ApiError::bad_request(
            "bad-parameter",
            format!("`{name}` is `{given}`, not a date (YYYY-MM-DD)"),
        )
    })
}

/// The agreement's state as of `as_of` (a date: its end in the agreement's zone), read
/// as `reading` says, from the evaluation cache.
async fn evaluated(
    state: &AppState,
    id: AgreementId,
    as_of: accord_app::time::AsOf,
    reading: Reading,
) -> Result<accord_app::evaluations::Evaluated, ApiError> {
    let evaluations = state.evaluations.clone();
    blocking(state, move |store| {
        match evaluations.state_as_of(store, id.as_str(), as_of, &reading) {
            Err(e) => unknown_view(&e).map(Err).ok_or(e),
            Ok(evaluated) => Ok(Ok(evaluated)),
        }
    })
    .await?
}

/// `GET /v1/agreements/{id}/state`: the state JSON of `docs/state-json.md`, as
/// `accord evaluate --json` prints it.
pub async fn state(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Params(query): Params<StateQuery>,
) -> Result<Response, ApiError> {
    caller.may(Action::ReadEvaluation)?;
    let id = agreement_id(&id)?;
    let as_of = as_of(query.as_of.as_deref())?;
    let reading = reading(query.view, query.contract.as_deref())?;
    let evaluated = evaluated(&state, id, as_of, reading).await?;
    Ok(json_bytes(state_answer(&evaluated.state)))
}

/// How many states' JSON is kept for the states answered again.
const ANSWERS_KEPT: usize = 8;

/// The state's JSON ([`state_json`]), written once per state the cache holds: a memoised
/// state (an instant asked again) is answered with the bytes written for it the first
/// time, where writing its 145 KB (at 1M entries) was most of such a request's time; and
/// a new state that is a kept one but for its cut (a new instant seeing the same entries
/// on the same day: "now" asked again) with the kept JSON, its `as_of` value changed.
fn state_answer(state: &Arc<accord_core::engine::state::State>) -> Bytes {
    static ANSWERS: Mutex<VecDeque<Written>> = Mutex::new(VecDeque::new());
    answer(&ANSWERS, state)
}

/// [`state_answer`] with the answers kept in `answers`, the latest at the back.
fn answer(
    answers: &Mutex<VecDeque<Written>>,
    state: &Arc<accord_core::engine::state::State>,
) -> Bytes {
    let same = |w: &Written| Arc::ptr_eq(&w.state, state);
    // Copies of the handles, so that comparing states holds no lock.
    let kept: Vec<Written> = lock(answers).iter().cloned().collect();
    if let Some(written) = kept.iter().find(|w| same(w)) {
        return written.bytes.clone();
    }
    let written = kept
        .iter()
        .rev()
        .find_map(|w| w.for_cut_of(state))
        .unwrap_or_else(|| Written::new(state));
    let bytes = written.bytes.clone();
    let mut all = lock(answers);
    if !all.iter().any(same) {
        if all.len() >= ANSWERS_KEPT {
            all.pop_front();
        }
        all.push_back(written);
    }
    bytes
}

/// A state's JSON as answered.
#[derive(Debug, Clone)]
struct Written {
    /// Kept (not a `Weak`) to compare the next states with, and so that its address is
    /// not another state's while the entry is kept.
    state: Arc<accord_core::engine::state::State>,
    bytes: Bytes,
    /// Where the `as_of` value (a JSON string) is in `bytes`; `None` if not found, and
    /// then the JSON is not made over for another cut.
    as_of: Option<std::ops::Range<usize>>,
}

impl Written {
    /// The state's JSON written in full.
    fn new(state: &Arc<accord_core::engine::state::State>) -> Written {
        let bytes = state_json(state);
        let as_of = as_of_in(&bytes, state);
        Written {
            state: state.clone(),
            bytes: Bytes::from(bytes),
            as_of,
        }
    }

    /// `state`'s JSON made from this one's when `state` is this state but for its cut:
    /// every other field equal, so every other byte is (the JSON is a function of the
    /// fields), and only `as_of`'s value is written.
    fn for_cut_of(&self, state: &Arc<accord_core::engine::state::State>) -> Option<Written> {
        let range = self.as_of.clone()?;
        if !self.state.same_but_for_the_cut(state) {
            return None;
        }
        let value = serde_json::to_vec(&state.as_of).ok()?;
        let mut bytes = Vec::with_capacity(self.bytes.len() - range.len() + value.len());
        bytes.extend_from_slice(&self.bytes[..range.start]);
        bytes.extend_from_slice(&value);
        bytes.extend_from_slice(&self.bytes[range.end..]);
        Some(Written {
            state: state.clone(),
            bytes: Bytes::from(bytes),
            as_of: Some(range.start..range.start + value.len()),
        })
    }
}

/// Where `state.as_of`'s value is in the state's JSON: after the top-level key `as_of`,
/// the only one on a line indented by two spaces (a string in JSON holds no raw newline).
fn as_of_in(
    json: &[u8],
    state: &accord_core::engine::state::State,
) -> Option<std::ops::Range<usize>> {
    const KEY: &[u8] = b"\n  \"as_of\": ";
    let value = serde_json::to_vec(&state.as_of).ok()?;
    let start = json.windows(KEY.len()).position(|w| w == KEY)? + KEY.len();
    let end = start + value.len();
    (json.get(start..end)? == value.as_slice()).then_some(start..end)
}

/// A poisoned lock is taken over: the answers kept are only pushed and popped whole.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The state JSON of `docs/state-json.md` with its newline, byte for byte as
/// `accord_render::state::output(state, true)` makes it, but written once into a buffer
/// of about the last answer's size: growing a string by doubling and then copying it to
/// add the newline was most of the `memmove` of a 1M-entry agreement's 145 KB answer.
pub(crate) fn state_json(state: &accord_core::engine::state::State) -> Vec<u8> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static LAST: AtomicUsize = AtomicUsize::new(16 * 1024);
    let last = LAST.load(Ordering::Relaxed);
    let mut out = Vec::with_capacity(last + last / 8);
    accord_render::state::json_into(state, &mut out);
    LAST.store(out.len(), Ordering::Relaxed);
    out
}

/// `GET /v1/agreements/{id}/explain`: what the state says of one subject (every phase
/// when none is named).
pub async fn explain(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Params(query): Params<ExplainQuery>,
) -> Result<Response, ApiError> {
    caller.may(Action::ReadEvaluation)?;
    let id = agreement_id(&id)?;
    let as_of = as_of(query.as_of.as_deref())?;
    let evaluated = evaluated(&state, id, as_of, Reading::default()).await?;
    let subject = query.subject.as_deref();
    let subjects = accord_app::evaluate::explain(&evaluated.state, subject)?;
    Ok(json(accord_render::api::explain(
        &evaluated.state,
        subject,
        &subjects,
    )))
}

/// The day `now` falls on where `agreement` counts its days (its first registered
/// version's `zone`; UTC when it names none).
fn today_in_zone(
    store: &accord_app::Store,
    agreement: &str,
    now: jiff::Timestamp,
) -> accord_app::Result<Date> {
    let versions = accord_app::agreements::registered(store, agreement)?;
    match versions.first() {
        Some(first) => Ok(accord_app::time::days_of(&first.agreement)?.day_of(now)),
        None => Err(accord_app::Error::NotRegistered {
            store: store.url().clone(),
            agreement: agreement.to_owned(),
        }),
    }
}

/// How far past today a timeline is computed over HTTP. The timeline evaluates the state
/// at every day something is scheduled to change, and scheduled days (review periods,
/// deadlines) recur without end: its cost grows faster than its span (the nuclear
/// rehearsal, debug build: 2 s to 2030, 9 s to 2036, 103 s to 2060), and it holds the
/// agreement's evaluation cache while it runs. `accord timeline` on one's own machine has
/// no such bound.
const TIMELINE_YEARS_AHEAD: i16 = 10;

/// Refuses a span the server does not compute: `from` after `to`, or `to` more than
/// [`TIMELINE_YEARS_AHEAD`] years after `today`.
fn span_served(from: Option<Date>, to: Date, today: Date) -> Result<(), ApiError> {
    if from.is_some_and(|from| from > to) {
        return Err(ApiError::bad_request(
            "bad-parameter",
            "`from` is after `to`",
        ));
    }
    let horizon = today
        .checked_add(jiff::Span::new().years(TIMELINE_YEARS_AHEAD))
        .unwrap_or(Date::MAX);
    if to > horizon {
        return Err(ApiError::bad_request(
            "bad-parameter",
            format!(
                "`to` is after {horizon}: a timeline is served at most {TIMELINE_YEARS_AHEAD} \
                 years ahead of today (run `accord timeline` for a longer one)"
            ),
        ));
    }
    Ok(())
}

/// `GET /v1/agreements/{id}/timeline`: every state change, as `accord timeline --json`.
pub async fn timeline(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Params(query): Params<Span>,
) -> Result<Response, ApiError> {
    caller.may(Action::ReadEvaluation)?;
    let id = agreement_id(&id)?;
    let from = query.from.as_deref().map(|d| date("from", d)).transpose()?;
    let to = query.to.as_deref().map(|d| date("to", d)).transpose()?;
    let now = jiff::Timestamp::now();
    let evaluations = state.evaluations.clone();
    let changes = blocking(&state, move |store| {
        // Without `to`: today in the agreement's zone, as `accord timeline` ends.
        let today = today_in_zone(store, id.as_str(), now)?;
        let to = to.unwrap_or(today);
        if let Err(refused) = span_served(from, to, today) {
            return Ok(Err(refused));
        }
        evaluations.timeline(store, id.as_str(), from, to).map(Ok)
    })
    .await??;
    Ok(json(accord_render::timeline::output(&changes, true)))
}

#[cfg(test)]
mod answers {
    use super::*;
    use accord_app::evaluate::{AgreementSource, Inputs, LogSource};

    /// The bundled nuclear-caps agreement with an empty log, as of the end of `day`.
    fn state_on(inputs: &Inputs, day: &str) -> Arc<accord_core::engine::state::State> {
        let as_of: accord_core::time::Instant = format!("{day}T23:59:59Z").parse().unwrap();
        Arc::new(inputs.evaluate(as_of).unwrap())
    }

    /// A small deterministic generator (xorshift), for instants drawn without a crate.
    fn draw(seed: &mut u64, below: i64) -> i64 {
        *seed ^= *seed << 13;
        *seed ^= *seed >> 7;
        *seed ^= *seed << 17;
        i64::try_from(*seed % u64::try_from(below).unwrap()).unwrap()
    }

    /// Every bundled scenario's log, its states at random instants from two days before
    /// its first entry to three weeks after its last, in runs of instants a second to an
    /// hour apart (so that many see the same entries on the same day as one before them):
    /// each answer is the JSON written for its own state, whether the kept JSON of an
    /// equal state was made over for its cut or not.
    #[test]
    fn a_state_answered_from_the_json_of_another_cut_is_its_own_json() {
        use accord_app::evaluate::Reading;
        use accord_core::time::Instant;
        let dir = tempfile::tempdir().unwrap();
        let (mut seed, mut made_over, mut written) = (0x9e37_79b9_7f4a_7c15_u64, 0, 0);
        for (n, scenario) in accord_app::play::SCENARIOS.iter().enumerate() {
            let url: accord_store::StoreUrl =
                format!("sqlite:{}", dir.path().join(format!("{n}.db")).display())
                    .parse()
                    .unwrap();
            let store = accord_store::Store::open(&url).unwrap();
            let played = accord_app::play::play_bundled(&store, scenario).unwrap();
            let agreement = played.origin.rsplit('/').next().unwrap().to_owned();
            let inputs = Inputs::read(
                &AgreementSource::Registered(agreement),
                LogSource::Store(&store),
            )
            .unwrap();
            let first = inputs.log[0].recorded_at.as_second() - 2 * 86_400;
            let last = inputs.log.last().unwrap().recorded_at.as_second() + 21 * 86_400;
            let answers = Mutex::new(VecDeque::new());
            let mut before: VecDeque<Arc<accord_core::engine::state::State>> = VecDeque::new();
            for _ in 0..40 {
                let mut at = first + draw(&mut seed, last - first);
                for _ in 0..1 + draw(&mut seed, 6) {
                    at += if draw(&mut seed, 2) == 0 {
                        1
                    } else {
                        1 + draw(&mut seed, 3_600)
                    };
                    let as_of = Instant::from_second(at).unwrap();
                    let state = Arc::new(inputs.evaluate_as(as_of, &Reading::default()).unwrap());
                    if before.iter().any(|b| b.same_but_for_the_cut(&state)) {
                        made_over += 1;
                    } else {
                        written += 1;
                    }
                    let expected = accord_render::state::output(&state, true);
                    let answered = answer(&answers, &state);
                    assert_eq!(
                        String::from_utf8_lossy(&answered),
                        expected,
                        "{scenario} as of {as_of}"
                    );
                    if before.len() >= ANSWERS_KEPT {
                        before.pop_front();
                    }
                    before.push_back(state);
                }
            }
        }
        // Both ways of answering were taken, many times.
        assert!(
            made_over > 100 && written > 100,
            "{made_over} made over, {written} written"
        );
    }

    #[test]
    fn each_state_is_answered_with_its_own_json_however_often_asked() {
        let log = std::env::temp_dir().join(format!("accord-answers-{}.jsonl", std::process::id()));
        std::fs::write(&log, "").unwrap();
        let text = accord_app::play::BUNDLED
            .iter()
            .find(|b| b.path == "nuclear-caps.toml")
            .unwrap();
        let agreement = AgreementSource::Texts(vec![accord_app::agreements::AgreementText {
            name: text.path.to_owned(),
            bytes: text.text.as_bytes().to_vec(),
        }]);
        let inputs = Inputs::read(&agreement, LogSource::Exported(&log)).unwrap();
        std::fs::remove_file(&log).unwrap();
        // More states alive than answers kept, each asked three times in turn, some
        // dropped (their JSON kept) and others made since.
        let mut alive: Vec<_> = ["2026-01-01", "2026-06-30", "2027-01-01"]
            .iter()
            .map(|d| state_on(&inputs, d))
            .collect();
        for round in 0..3 {
            for state in &alive {
                let expected = accord_render::state::output(state, true);
                assert_eq!(state_answer(state), expected.as_bytes(), "round {round}");
            }
            alive.remove(0);
            for day in ["2028-01-01", "2026-03-01", "2029-12-31"]
                .iter()
                .skip(round)
            {
                alive.push(state_on(&inputs, day));
            }
        }
    }
}
