//! Several servers on one PostgreSQL store, continued (issue #17): a submission to a server
//! that does not lead the log is sent on to the leader and answered with the leader's
//! answer, once (a forwarded request is never sent on again), and refused as before when
//! the leader cannot be reached; and store work beyond the server's bound is refused as
//! `overloaded`, doing nothing.

use std::time::Duration;

use accord_app::Store;
use accord_ledger::note::SignerKey;
use accord_server::{Config, Role};
use accord_store::testing::TestStore;
use serde_json::Value;

use super::sealed::{sealed, with_content};
use super::support::{ORIGIN, evidence, key, roster, signed, tokens};

/// A fresh PostgreSQL schema holding the write log, or `None` (the test skips).
fn fresh_log() -> Option<TestStore> {
    let fresh = TestStore::postgres()?;
    let store = Store::open(&fresh.url).unwrap();
    let roster = serde_json::to_vec(&roster()).unwrap();
    let participants = accord_app::ledger::read_roster("roster.json", roster).unwrap();
    let log_key = SignerKey::from_seed(ORIGIN, [9; 32]).unwrap();
    accord_app::ledger::init(&store, ORIGIN, &log_key.verifier(), &participants).unwrap();
    drop(store);
    Some(fresh)
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// The signed entry of observation `n` by the monitor.
fn entry(n: u32) -> String {
    signed(ORIGIN, evidence(f64::from(n)), "iaea", &key(3))
}

/// The log's size and the ids of its entries, read from the store.
fn logged(store: &Store) -> Vec<String> {
    let mut ledger = store.ledger(Some(ORIGIN)).unwrap();
    let size = ledger.refresh().unwrap().size;
    (0..size)
        .map(|i| {
            let (logged, _) = ledger.entry(i).unwrap();
            logged
                .signed
                .id()
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect()
        })
        .collect()
}

struct Answer {
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: Value,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(|v| v.to_str().unwrap())
    }
}

async fn post(base: &str, token: &str, body: Value, extra: &[(&str, &str)]) -> Answer {
    let content = ("application/json", body.to_string());
    send(base, "/v1/statements", token, content, extra).await
}

/// `body` (its content type and text) POSTed to `base` + `path`.
async fn send(
    base: &str,
    path: &str,
    token: &str,
    (content_type, body): (&str, String),
    extra: &[(&str, &str)],
) -> Answer {
    let mut request = reqwest::Client::new()
        .post(format!("{base}{path}"))
        .bearer_auth(token)
        .header("content-type", content_type)
        .header("x-request-id", "cluster-test-1")
        .body(body);
    for (name, value) in extra {
        request = request.header(*name, *value);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let text = response.text().await.unwrap();
    let body = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
    Answer {
        status,
        headers,
        body,
    }
}

async fn start(store: &Store, config: impl FnOnce(Config) -> Config) -> accord_server::Running {
    let config = config(Config::new(store.clone()));
    accord_server::start(config, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap()
}

#[test]
fn a_submission_to_a_server_that_does_not_lead_is_answered_by_the_leader_once() {
    let Some(fresh) = fresh_log() else {
        return;
    };
    let (accepted, tokens) = tokens();
    let token = tokens[&Role::Monitor].clone();
    let stores = [
        Store::open(&fresh.url).unwrap(),
        Store::open(&fresh.url).unwrap(),
    ];
    let runtime = runtime();
    runtime.block_on(async {
        let with_tokens = |c: Config| Config {
            tokens: accepted.clone(),
            ..c
        };
        let leader = start(&stores[0], with_tokens).await;
        let follower = start(&stores[1], with_tokens).await;
        let (lead, follow) = (
            format!("http://{}", leader.addr()),
            format!("http://{}", follower.addr()),
        );

        // The first server takes the log's lease with its first submission.
        let first = post(&lead, &token, serde_json::json!({ "entry": entry(1) }), &[]).await;
        assert_eq!(first.status, 201, "{}", first.body);
        assert_eq!(first.header("accord-forwarded-to"), None);

        // A submission to the other is sent on and acknowledged with the leader's index.
        let sent_on = post(
            &follow,
            &token,
            serde_json::json!({ "entry": entry(2) }),
            &[],
        )
        .await;
        assert_eq!(sent_on.status, 201, "{}", sent_on.body);
        assert_eq!(sent_on.body["index"], 1, "{}", sent_on.body);
        assert_eq!(sent_on.header("accord-forwarded-to"), Some(lead.as_str()));
        assert!(sent_on.header("accord-commit-lsn").is_some());
        assert_eq!(sent_on.header("content-type"), Some("application/json"));
        // Sent again: the first receipt, nothing written twice.
        let again = post(
            &follow,
            &token,
            serde_json::json!({ "entry": entry(2) }),
            &[],
        )
        .await;
        assert_eq!(again.status, 200, "{}", again.body);
        assert_eq!(again.body["index"], 1);

        // A request forwarded once is not sent on again: the refusal as before.
        let twice = post(
            &follow,
            &token,
            serde_json::json!({ "entry": entry(3) }),
            &[("accord-forwarded", "1")],
        )
        .await;
        assert_eq!(twice.status, 503, "{}", twice.body);
        assert_eq!(twice.body["type"], "urn:accord:problem:not-the-leader");
        assert_eq!(twice.header("accord-leader"), Some(lead.as_str()));
        assert_eq!(twice.header("retry-after"), Some("1"));

        // A batch: its entries the other server leads are sent on together.
        let salt = [5; 32];
        let (sealed_entry, content) = sealed(&evidence(3.6), &salt);
        let batch = post(
            &follow,
            &token,
            serde_json::json!([
                { "entry": entry(4) },
                { "entry": entry(1) },
                { "entry": entry(5) },
                // A sealed entry's content goes on with it.
                with_content(&sealed_entry, &salt, &content),
            ]),
            &[],
        )
        .await;
        assert_eq!(batch.status, 200, "{}", batch.body);
        let results: Vec<(u64, u64)> = batch.body["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| (r["status"].as_u64().unwrap(), r["index"].as_u64().unwrap()))
            .collect();
        // The entries of one batch are committed in the batch's order (docs/api.md,
        // "Batches"), forwarded or not: the two new ones take indexes 2 and 3.
        assert_eq!(
            results,
            [(201, 2), (200, 0), (201, 3), (201, 4)],
            "{}",
            batch.body
        );
        // With the leader's position, which covers the entries sent on: past the one the
        // single entry sent on before was answered with (a position read before the
        // leader's commits of the batch, or this server's alone, would not be).
        let position = |answer: &Answer| {
            answer
                .header("accord-commit-lsn")
                .and_then(accord_store::parse_lsn)
        };
        assert!(
            position(&batch) > position(&sent_on) && position(&sent_on).is_some(),
            "{:?} after {:?}: {}",
            batch.header("accord-commit-lsn"),
            sent_on.header("accord-commit-lsn"),
            batch.body
        );
        let kept = tokio::task::block_in_place(|| {
            stores[0].ledger(Some(ORIGIN)).unwrap().sealed(4).unwrap()
        });
        assert_eq!(kept, Some((salt, content)));

        // The leader stops listening but keeps its lease (its store is open): the other
        // cannot reach it, and refuses as before.
        leader.stop().await.unwrap();
        let unreachable = post(
            &follow,
            &token,
            serde_json::json!({ "entry": entry(6) }),
            &[],
        )
        .await;
        assert_eq!(unreachable.status, 503, "{}", unreachable.body);
        assert_eq!(
            unreachable.body["type"],
            "urn:accord:problem:not-the-leader"
        );
        assert_eq!(unreachable.header("retry-after"), Some("1"));
        let batch = post(
            &follow,
            &token,
            serde_json::json!([{ "entry": entry(6) }]),
            &[],
        )
        .await;
        assert_eq!(
            batch.body["results"][0]["type"], "urn:accord:problem:not-the-leader",
            "{}",
            batch.body
        );
        follower.stop().await.unwrap();
    });
    drop(runtime);
    let ids = logged(&stores[1]);
    assert_eq!(
        ids.len(),
        5,
        "entries 1, 2, 4, 5 and the sealed one, each once"
    );
    let unique: std::collections::BTreeSet<&String> = ids.iter().collect();
    assert_eq!(unique.len(), 5);
    drop(stores);
}

#[test]
fn an_amendment_signature_to_a_server_that_does_not_lead_is_answered_by_the_leader() {
    use super::agreements_write::{CALDERA, caldera_log_in, example, signatory_tokens, signature};
    let Some(fresh) = TestStore::postgres() else {
        return;
    };
    let (mut accepted, tokens) = tokens();
    let admin = tokens[&Role::Admin].clone();
    let (records, signatories) = signatory_tokens();
    for record in &records {
        accepted.add(record).unwrap();
    }
    let stores = [
        Store::open(&fresh.url).unwrap(),
        Store::open(&fresh.url).unwrap(),
    ];
    caldera_log_in(&stores[0]);
    let runtime = runtime();
    runtime.block_on(async {
        let with_tokens = |c: Config| Config {
            tokens: accepted.clone(),
            ..c
        };
        let leader = start(&stores[0], with_tokens).await;
        let follower = start(&stores[1], with_tokens).await;
        let (lead, follow) = (
            format!("http://{}", leader.addr()),
            format!("http://{}", follower.addr()),
        );
        let mut sha = String::new();
        for text in ["licence-elections.toml", "licence-elections-v2.toml"] {
            let text = String::from_utf8(example(text)).unwrap();
            let registered = send(
                &lead,
                "/v1/agreements",
                &admin,
                ("application/toml", text),
                &[],
            )
            .await;
            assert_eq!(registered.status, 201, "{}", registered.body);
            sha = registered.body["sha256"].as_str().unwrap().to_owned();
        }
        let path = format!("/v1/agreements/{CALDERA}/versions/2/signatures");
        let sign = |base: &str, who: &str, sha: &str| {
            let (base, path) = (base.to_owned(), path.clone());
            let (token, body) = (signatories[who].clone(), signature(2, sha, who));
            async move { send(&base, &path, &token, ("application/json", body), &[]).await }
        };

        // The first server takes the log's lease with the first signature.
        let first = sign(&lead, "ofac", &sha).await;
        assert_eq!(first.status, 201, "{}", first.body);
        // A signature to the other is checked there, then sent on to the leader.
        let sent_on = sign(&follow, "caldera", &sha).await;
        assert_eq!(sent_on.status, 201, "{}", sent_on.body);
        assert_eq!(sent_on.body["index"], 1, "{}", sent_on.body);
        assert_eq!(sent_on.header("accord-forwarded-to"), Some(lead.as_str()));
        let again = sign(&follow, "caldera", &sha).await;
        assert_eq!(again.status, 200, "{}", again.body);
        assert_eq!(again.body["index"], 1);
        // A signature the follower refuses is never sent on.
        let refused = sign(&follow, "opposition", &"0".repeat(64)).await;
        assert_eq!(refused.status, 422, "{}", refused.body);
        assert_eq!(refused.header("accord-forwarded-to"), None);

        leader.stop().await.unwrap();
        follower.stop().await.unwrap();
    });
    drop(runtime);
    let size = stores[1]
        .ledger(Some("accord.example/caldera"))
        .unwrap()
        .refresh()
        .unwrap()
        .size;
    assert_eq!(size, 2, "each signature once");
    drop(stores);
}

#[test]
fn store_work_past_the_bound_is_refused_as_overloaded() {
    // Bound in this order, dropped in the reverse: the lock's connection first.
    let Some(Held {
        fresh: _fresh,
        store,
        accepted,
        token,
        runtime,
        mut watcher,
        mut locker,
    }) = held()
    else {
        return;
    };
    runtime.block_on(async {
        let server = start(&store, |c| Config {
            tokens: accepted.clone(),
            blocking_limit: Some(1),
            blocking_queue: Some(0),
            ..c
        })
        .await;
        let base = format!("http://{}", server.addr());
        let log = || {
            reqwest::Client::new()
                .get(format!("{base}/v1/agreements/agreement-1/log"))
                .bearer_auth(&token)
                .send()
        };
        // The one turn of store work is taken by a read of the log's summary, which waits
        // on a lock the test holds (on the checkpoints, which nothing else here reads).
        lock(&mut locker, "ledger_checkpoint");
        let held = tokio::spawn(log());
        wait_on_lock(&mut watcher, "ledger_checkpoint");

        let refused = log().await.unwrap();
        assert_eq!(refused.status().as_u16(), 503);
        assert_eq!(refused.headers()["retry-after"], "1");
        let refused: Value = serde_json::from_str(&refused.text().await.unwrap()).unwrap();
        assert_eq!(
            refused["type"], "urn:accord:problem:overloaded",
            "{refused}"
        );

        // The lock goes: the read holding the turn is answered, and the turn is free.
        tokio::task::block_in_place(|| locker.batch_execute("ROLLBACK").unwrap());
        assert_eq!(held.await.unwrap().unwrap().status().as_u16(), 200);
        assert_eq!(log().await.unwrap().status().as_u16(), 200);
        server.stop().await.unwrap();
    });
}

#[test]
fn submissions_past_the_bound_in_flight_are_refused_as_overloaded_and_write_nothing() {
    // Bound in this order, dropped in the reverse: the lock's connection first.
    let Some(Held {
        fresh: _fresh,
        store,
        accepted,
        token,
        runtime,
        mut watcher,
        mut locker,
    }) = held()
    else {
        return;
    };
    runtime.block_on(async {
        let server = start(&store, |c| Config {
            tokens: accepted.clone(),
            submissions_in_flight: 2,
            ..c
        })
        .await;
        let base = format!("http://{}", server.addr());
        // One entry in flight, its writer waiting on a lock the test holds on the entries.
        lock(&mut locker, "ledger_entry");
        let held = {
            let (base, token) = (base.clone(), token.clone());
            tokio::spawn(async move {
                post(&base, &token, serde_json::json!({ "entry": entry(1) }), &[]).await
            })
        };
        wait_on_lock(&mut watcher, "ledger_entry");

        // Two more entries would pass the bound of two: the batch is refused whole, at once.
        let batch = serde_json::json!([{ "entry": entry(2) }, { "entry": entry(3) }]);
        let refused = post(&base, &token, batch.clone(), &[]).await;
        assert_eq!(refused.status, 503, "{}", refused.body);
        assert_eq!(
            refused.header("content-type"),
            Some("application/problem+json")
        );
        assert_eq!(refused.body["type"], "urn:accord:problem:overloaded");
        assert_eq!(refused.header("retry-after"), Some("1"));
        // One more fits beside the one in flight.
        let single = {
            let (base, token) = (base.clone(), token.clone());
            tokio::spawn(async move {
                post(&base, &token, serde_json::json!({ "entry": entry(4) }), &[]).await
            })
        };

        // The lock goes: both in flight are answered; then the batch fits.
        tokio::task::block_in_place(|| locker.batch_execute("ROLLBACK").unwrap());
        assert_eq!(held.await.unwrap().status, 201);
        assert_eq!(single.await.unwrap().status, 201);
        let accepted = post(&base, &token, batch, &[]).await;
        assert_eq!(
            accepted.body["results"][0]["status"], 201,
            "{}",
            accepted.body
        );
        assert_eq!(
            accepted.body["results"][1]["status"], 201,
            "{}",
            accepted.body
        );
        server.stop().await.unwrap();
    });
    drop(runtime);
    assert_eq!(
        logged(&store).len(),
        4,
        "entries 1 and 4, then the batch once"
    );
}

/// What the tests of the bounds share: a fresh log and its store, a monitor's token, and two
/// connections — one to hold a lock, one to watch for the request waiting on it.
struct Held {
    locker: postgres::Client,
    watcher: postgres::Client,
    runtime: tokio::runtime::Runtime,
    store: Store,
    accepted: accord_server::Tokens,
    token: String,
    fresh: TestStore,
}

/// [`Held`], or `None` (the test skips). A test binds the connections after the runtime, so
/// that they drop before it: should an assertion fail while the lock is held, the lock goes
/// first and the runtime's blocked work ends (else the runtime's drop waits on it for ever).
fn held() -> Option<Held> {
    let fresh = fresh_log()?;
    let (accepted, tokens) = tokens();
    let url = fresh.url.to_string();
    Some(Held {
        locker: accord_store::connect_postgres(&url).unwrap(),
        watcher: accord_store::connect_postgres(&url).unwrap(),
        runtime: runtime(),
        store: Store::open(&fresh.url).unwrap(),
        accepted,
        token: tokens[&Role::Monitor].clone(),
        fresh,
    })
}

/// Takes `table` in an exclusive lock, in a transaction of `locker` left open.
fn lock(locker: &mut postgres::Client, table: &str) {
    tokio::task::block_in_place(|| {
        locker
            .batch_execute(&format!(
                "BEGIN; LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE"
            ))
            .unwrap();
    });
}

/// Returns once a session waits on the lock on `table`.
fn wait_on_lock(watcher: &mut postgres::Client, table: &str) {
    tokio::task::block_in_place(|| {
        let query = format!(
            "SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = '{table}'::regclass"
        );
        for _ in 0..1000 {
            let waiting: i64 = watcher.query_one(&query, &[]).unwrap().get(0);
            if waiting > 0 {
                return;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        panic!("nothing waited on the lock on {table}");
    });
}

#[test]
fn an_agreement_the_store_map_places_in_another_store_is_written_and_read_there() {
    // Two schemas of the local PostgreSQL as two clusters: the server's own store, with
    // no log, and the store the map gives `agreement-1`, holding its log.
    let (Some(own), Some(elsewhere)) = (TestStore::postgres(), fresh_log()) else {
        return;
    };
    let (accepted, tokens) = tokens();
    let token = tokens[&Role::Monitor].clone();
    let own = Store::open(&own.url).unwrap();
    let mapped = Store::open(&elsewhere.url).unwrap();
    let runtime = runtime();
    runtime.block_on(async {
        let server = start(&own, |c| Config {
            tokens: accepted.clone(),
            store_map: vec![("agreement-*".into(), mapped.clone())],
            ..c
        })
        .await;
        let base = format!("http://{}", server.addr());
        let one = post(&base, &token, serde_json::json!({ "entry": entry(1) }), &[]).await;
        assert_eq!(one.status, 201, "{}", one.body);
        let batch = post(
            &base,
            &token,
            serde_json::json!([{ "entry": entry(2) }]),
            &[],
        )
        .await;
        assert_eq!(batch.body["results"][0]["index"], 1, "{}", batch.body);
        let log: Value = serde_json::from_str(
            &reqwest::get(format!("{base}/v1/agreements/agreement-1/log"))
                .await
                .unwrap()
                .text()
                .await
                .unwrap(),
        )
        .unwrap();
        assert_eq!(log["size"], 2, "{log}");
        server.stop().await.unwrap();
    });
    drop(runtime);
    assert_eq!(logged(&mapped).len(), 2);
    assert!(
        own.logs().unwrap().is_empty(),
        "nothing in the server's own store"
    );
    drop((own, mapped));
}
