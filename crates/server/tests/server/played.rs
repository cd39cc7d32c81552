//! Issue #13: a scenario played through the API by separate clients — the monitors
//! submitting their observations, the parties disputing, the authorities deciding, each
//! participant with a token of its own role — gives the same log and the same state as
//! `accord play` of the same scenario, on SQLite and on PostgreSQL.
//!
//! Record times decide the state (a report is late, a deadline passes), and `accord play`
//! records each event at its scenario time: the served store is given a record clock
//! ([`accord_app::Store::with_record_clock`]) set to each event's time before the event is
//! submitted, one at a time. The entries are the rehearsal's own, signed once
//! ([`accord_app::play::Rehearsal::entries`]), so both logs hold the same bytes; a sealed
//! entry (the nuclear agreement's confidential indicator) is submitted with its salt and
//! content beside it, as `accord play` passes them to the ledger.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use accord_app::Store;
use accord_app::evaluate::{AgreementSource, Inputs, LogSource, Reading};
use accord_app::play::{BUNDLED, BundledFiles, Rehearsal};
use accord_app::time::parse_as_of;
use accord_core::agreement::PartyRole;
use accord_core::id::ParticipantId;
use accord_scenario::PlannedEntry;
use accord_server::{Config, Role, Tokens};
use accord_store::ledger::{RecordClock, Submission};
use accord_store::testing::TestStore;
use base64::Engine as _;

/// The bundled scenarios played, and the instants compared besides the end of every day
/// an event falls on: around the snapback's steps, and past the last event (deadlines
/// passing with nothing recorded).
const SCENARIOS: &[(&str, &[&str])] = &[
    (
        "scenarios/nuclear-caps.toml",
        &[
            "2026-08-07T08:59:59Z",
            "2026-09-14T08:59:59Z",
            "2026-09-14T09:00:00Z",
            "2026-09-21T09:00:00Z",
            "2026-10-01T08:59:59Z",
            "2026-10-01T09:00:00Z",
            "2027-06-30",
        ],
    ),
    (
        "scenarios/staged-lifting.toml",
        &[
            "2027-10-25T08:59:59Z",
            "2027-10-25T09:00:00Z",
            "2027-12-01T09:00:00Z",
            "2027-12-01T10:00:00Z",
            "2029-01-31",
        ],
    ),
];

/// A bundled scenario as bundled (a confidential indicator's evidence sealed: its leaf
/// commits to a salted digest, the content is stored apart), read, checked and signed once.
fn rehearse(path: &str) -> Rehearsal {
    let bundled = BUNDLED.iter().find(|b| b.path == path).unwrap();
    let base = bundled.path.rsplit_once('/').map_or("", |(dir, _)| dir);
    let files = BundledFiles { base };
    accord_app::play::rehearse(path, bundled.text, &files, None).unwrap()
}

/// The body of `POST /v1/statements` for `submission`: the entry, and a sealed entry's
/// salt and content beside it (all base64).
fn body_of(submission: &Submission) -> String {
    let b64 = |bytes: &[u8]| base64::engine::general_purpose::STANDARD.encode(bytes);
    let mut body = serde_json::json!({ "entry": b64(&submission.entry.encode()) });
    if let Some((salt, content)) = &submission.sealed {
        body["sealed"] = serde_json::json!({ "salt": b64(salt), "content": b64(content) });
    }
    body.to_string()
}

/// A fresh served store and a fresh store for `accord play`, of each kind (PostgreSQL
/// skipped, saying so, when it is unreachable outside CI).
fn fresh_pairs() -> Vec<(TestStore, TestStore)> {
    let mut pairs = vec![(TestStore::sqlite(), TestStore::sqlite())];
    if let Some(served) = TestStore::postgres() {
        pairs.push((served, TestStore::postgres().unwrap()));
    }
    pairs
}

/// One participant's client: the role its token has, the token, and an HTTP client of
/// its own.
struct Participant {
    role: Role,
    token: String,
    client: reqwest::Client,
}

/// A token for every participant of every version, in the role the agreement gives it:
/// an authority party's is an authority's, another party's (the target, a guarantor) a
/// party's, a monitor's a monitor's.
fn participants(store: &Store, agreement: &str) -> (Tokens, BTreeMap<ParticipantId, Participant>) {
    let mut accepted = Tokens::none();
    let mut by_id = BTreeMap::new();
    for version in accord_app::agreements::registered(store, agreement).unwrap() {
        let parties = version.agreement.parties.iter().map(|p| {
            let role = match p.role {
                PartyRole::Authority => Role::Authority,
                _ => Role::Party,
            };
            (p.id.clone(), role)
        });
        let monitors = version
            .agreement
            .monitors
            .iter()
            .map(|m| (m.id.clone(), Role::Monitor));
        for (id, role) in parties.chain(monitors) {
            let issued =
                accord_server::auth::issue(role, Some(id.as_str()), jiff::Timestamp::now())
                    .unwrap();
            accepted.add(&issued.record).unwrap();
            let participant = Participant {
                role,
                token: issued.token,
                client: super::support::client(),
            };
            by_id.insert(id, participant);
        }
    }
    (accepted, by_id)
}

/// A record clock the test sets: the scenario's time of the entry submitted next.
fn scenario_clock() -> (RecordClock, Arc<AtomicI64>) {
    let now = Arc::new(AtomicI64::new(0));
    let read = Arc::clone(&now);
    let clock: RecordClock =
        Arc::new(move || jiff::Timestamp::from_microsecond(read.load(Ordering::SeqCst)).unwrap());
    (clock, now)
}

/// What the server answered: the state JSON at each instant, and the log's size and root.
struct Served {
    states: Vec<(String, String)>,
    size: u64,
    root: String,
}

/// Plays `scenario` through the API of a server over `served` (its record clock set to
/// each event's time when `scenario_times`, else the wall clock), and with `accord play`
/// into `played`; returns the instants compared and, for each that differs, what the
/// server said and what `accord play`'s store evaluates to.
fn play_both_ways(
    scenario: &str,
    instants: &[&str],
    (served, played): (&TestStore, &TestStore),
    scenario_times: bool,
) -> (Vec<String>, Vec<(String, String, String)>) {
    let rehearsal = rehearse(scenario);
    let (clock, now) = scenario_clock();
    let mut store = Store::open(&served.url).unwrap();
    if scenario_times {
        store = store.with_record_clock(clock);
    }
    rehearsal.prepare(&store).unwrap();
    let entries: Vec<(PlannedEntry, Submission)> = rehearsal
        .entries()
        .map(|(p, s)| (p.clone(), s.clone()))
        .collect();
    let agreement = entries[0].0.agreement.as_str().to_owned();
    let origin = rehearsal.origin().to_owned();
    let (accepted, clients) = participants(&store, &agreement);
    // Every instant compared: the end of each day an event falls on, and the given ones.
    let mut compared: Vec<String> = entries
        .iter()
        .map(|(p, _)| accord_core::engine::date_of(p.at).to_string())
        .collect();
    compared.dedup();
    compared.extend(instants.iter().map(|i| (*i).to_owned()));

    let playing = Store::open(&played.url).unwrap();
    rehearsal.play_into(&playing).unwrap();

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let answered = runtime.block_on(async {
        let config = Config {
            tokens: accepted,
            ..Config::new(store.clone())
        };
        let running = accord_server::start(config, "127.0.0.1:0".parse().unwrap())
            .await
            .unwrap();
        let base = format!("http://{}", running.addr());
        for (index, (planned, submission)) in entries.iter().enumerate() {
            now.store(planned.at.as_microsecond(), Ordering::SeqCst);
            let author = &clients[&planned.authors[0]];
            let response = author
                .client
                .post(format!("{base}/v1/statements"))
                .bearer_auth(&author.token)
                .header("content-type", "application/json")
                .body(body_of(submission))
                .send()
                .await
                .unwrap();
            let status = response.status().as_u16();
            let text = response.text().await.unwrap();
            assert_eq!(
                status,
                201,
                "event {} by {} ({}): {text}",
                planned.event,
                planned.authors[0],
                author.role.as_str()
            );
            let receipt: serde_json::Value = serde_json::from_str(&text).unwrap();
            assert_eq!(receipt["index"], index, "{text}");
        }
        let reader = &clients[&entries[0].0.authors[0]];
        if let Some((author, indicator)) = sealed_evidence(&entries) {
            let page = format!(
                "{base}/agreements/{agreement}/indicators/{indicator}?as_of={}",
                compared.last().unwrap()
            );
            sealed_content_only_for_the_entitled(&page, &clients[&author]).await;
        }
        let mut states = Vec::new();
        for instant in &compared {
            let response = reader
                .client
                // The instants are dates and UTC times: nothing in them to escape.
                .get(format!(
                    "{base}/v1/agreements/{agreement}/state?as_of={instant}"
                ))
                .bearer_auth(&reader.token)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status().as_u16(), 200, "{instant}");
            states.push((instant.clone(), response.text().await.unwrap()));
        }
        let last = entries.len() - 1;
        let inclusion = reader
            .client
            .get(format!(
                "{base}/v1/agreements/{agreement}/log/inclusion?index={last}"
            ))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let inclusion: serde_json::Value = serde_json::from_str(&inclusion).unwrap();
        running.stop().await.unwrap();
        Served {
            states,
            size: inclusion["size"].as_u64().unwrap(),
            root: inclusion["root"].as_str().unwrap().to_owned(),
        }
    });
    drop(runtime);

    // `accord play`'s store, evaluated as `accord evaluate --json --as-of` does.
    let inputs = Inputs::read(
        &AgreementSource::Registered(agreement.clone()),
        LogSource::Store(&playing),
    )
    .unwrap();
    let mut differing = Vec::new();
    for (instant, body) in answered.states {
        let state = inputs
            .evaluate_as(parse_as_of(&instant).unwrap(), &Reading::default())
            .unwrap();
        let expected = accord_render::state::output(&state, true);
        if body != expected {
            differing.push((instant, body, expected));
        }
    }
    let mut ledger = playing.ledger(Some(&origin)).unwrap();
    let size = ledger.refresh().unwrap().size;
    let root = accord_ledger::checkpoint::encode_hash(&ledger.root_at(size).unwrap());
    if scenario_times {
        assert_eq!(
            (answered.size, answered.root.as_str()),
            (size, root.as_str()),
            "{scenario}: the served log's size and root"
        );
    }
    (compared, differing)
}

/// The author and indicator of the first sealed evidence among `entries`, if any.
fn sealed_evidence(entries: &[(PlannedEntry, Submission)]) -> Option<(ParticipantId, String)> {
    entries.iter().find_map(|(planned, submission)| {
        let (salt, content) = submission.sealed.as_ref()?;
        let statement =
            accord_ledger::entry::reveal(&submission.entry.entry.body, salt, content).unwrap();
        match statement {
            accord_core::statement::Statement::Evidence(evidence) => Some((
                planned.authors[0].clone(),
                evidence.indicator.as_str().to_owned(),
            )),
            _ => None,
        }
    })
}

/// The sealed evidence submitted over the API, on its indicator's page (`page`): its value
/// shown to `entitled` (a participant, whose role the agreement entitles), only its
/// commitment to an anonymous reader.
async fn sealed_content_only_for_the_entitled(page: &str, entitled: &Participant) {
    let anonymous = super::support::client().get(page).send().await.unwrap();
    assert_eq!(anonymous.status().as_u16(), 200, "{page}");
    let anonymous = anonymous.text().await.unwrap();
    assert!(anonymous.contains("sealed, commitment "), "{anonymous}");
    let read = entitled
        .client
        .get(page)
        .bearer_auth(&entitled.token)
        .send()
        .await
        .unwrap();
    assert_eq!(read.status().as_u16(), 200, "{page}");
    let read = read.text().await.unwrap();
    assert!(!read.contains("sealed, commitment "), "{read}");
    assert!(!read.contains(">sealed<"), "{read}");
}

/// Where two JSON documents first differ: the path and both values.
fn first_difference(a: &serde_json::Value, b: &serde_json::Value, at: &str) -> Option<String> {
    use serde_json::Value;
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let keys: std::collections::BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            keys.into_iter().find_map(|k| {
                let (u, v) = (&x.get(k), &y.get(k));
                match (u, v) {
                    (Some(u), Some(v)) => first_difference(u, v, &format!("{at}.{k}")),
                    _ => Some(format!("{at}.{k}: {u:?} / {v:?}")),
                }
            })
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => x
            .iter()
            .zip(y)
            .enumerate()
            .find_map(|(i, (u, v))| first_difference(u, v, &format!("{at}[{i}]"))),
        _ if a == b => None,
        _ => Some(format!("{at}: {a} / {b}")),
    }
}

/// The differences, one line each: the instant and where the served state first differs
/// from the played one (served / played).
fn describe(differing: &[(String, String, String)]) -> String {
    differing
        .iter()
        .map(|(instant, served, played)| {
            let served: serde_json::Value = serde_json::from_str(served).unwrap();
            let played: serde_json::Value = serde_json::from_str(played).unwrap();
            let at = first_difference(&served, &played, "$")
                .unwrap_or_else(|| "the same JSON, other bytes".into());
            format!("{instant}: {at}")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn a_scenario_submitted_by_its_participants_gives_the_state_accord_play_gives() {
    // The nuclear agreement's confidential indicator: its evidence goes in sealed, the
    // content beside the entry.
    let sealed = rehearse(SCENARIOS[0].0)
        .entries()
        .filter(|(_, s)| s.sealed.is_some())
        .count();
    assert!(sealed > 0, "{}: no sealed entry", SCENARIOS[0].0);
    for (served, played) in fresh_pairs() {
        for (scenario, instants) in SCENARIOS {
            let (compared, differing) =
                play_both_ways(scenario, instants, (&served, &played), true);
            assert!(compared.len() > instants.len());
            assert!(
                differing.is_empty(),
                "{} {scenario}: the state through the API differs from `accord play`'s at:\n{}",
                served.kind(),
                describe(&differing)
            );
        }
    }
}

/// The record clock is what makes them equal: with the wall clock, every entry is
/// recorded when it is submitted, and the states differ (here, before the scenario's
/// events are recorded at all, the server's state has none of them).
#[test]
fn with_the_wall_clock_the_api_gives_other_states() {
    let (served, played) = (TestStore::sqlite(), TestStore::sqlite());
    let (scenario, instants) = SCENARIOS[0];
    let (_, differing) = play_both_ways(scenario, instants, (&served, &played), false);
    assert!(!differing.is_empty());
    eprintln!(
        "with the wall clock, {} states differ:\n{}",
        differing.len(),
        describe(&differing)
    );
}
