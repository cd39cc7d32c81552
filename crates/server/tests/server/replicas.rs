//! Several servers on one PostgreSQL store (issue #17): one leads the log and the other
//! forwards submissions to it (or refuses them, naming the leader); concurrent submissions to both lose no
//! acknowledged entry; when the leader goes, the other takes the log over. Reads go to the
//! read store when one is given.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use accord_app::Store;
use accord_ledger::note::SignerKey;
use accord_server::{Config, Role};
use accord_store::testing::TestStore;

use super::support::{ORIGIN, evidence, key, roster, signed, tokens};

/// A fresh PostgreSQL schema holding the write log (no scenario: only the log matters).
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

/// The body of a submission of observation `n` by the monitor.
fn body(n: u32) -> String {
    let entry = signed(ORIGIN, evidence(f64::from(n)), "iaea", &key(3));
    serde_json::json!({ "entry": entry }).to_string()
}

/// What a client kept of one submission.
#[derive(Debug)]
struct Acknowledged {
    index: u64,
    entry_id: String,
    /// How many `not-the-leader` answers came before it.
    refused: u32,
    /// Whether the server it was sent to forwarded it to the leader.
    forwarded: bool,
}

/// Submits `body` first to `bases[first]`; on `503 not-the-leader`, to the server the
/// answer names (`Accord-Leader`), else to the next one after `Retry-After`'s pause (cut
/// short here); at most `tries` answers.
async fn submit_anywhere(
    client: &reqwest::Client,
    token: &str,
    bases: &[String],
    first: usize,
    body: String,
    tries: u32,
) -> Acknowledged {
    let mut at = first;
    let mut target = bases[at].clone();
    for refused in 0..tries {
        let response = client
            .post(format!("{target}/v1/statements"))
            .bearer_auth(token)
            .header("content-type", "application/json")
            .body(body.clone())
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let answer: serde_json::Value =
            serde_json::from_str(&response.text().await.unwrap()).unwrap();
        if status == 201 || status == 200 {
            assert!(headers.contains_key("accord-commit-lsn"), "{headers:?}");
            return Acknowledged {
                index: answer["index"].as_u64().unwrap(),
                entry_id: answer["entry_id"].as_str().unwrap().to_owned(),
                refused,
                forwarded: headers.contains_key("accord-forwarded-to"),
            };
        }
        assert_eq!(status, 503, "{answer}");
        assert_eq!(
            answer["type"], "urn:accord:problem:not-the-leader",
            "{answer}"
        );
        assert_eq!(headers["retry-after"], "1");
        match headers
            .get("accord-leader")
            .map(|v| v.to_str().unwrap().to_owned())
        {
            Some(leader) if bases.contains(&leader) && leader != target => target = leader,
            _ => {
                at = (at + 1) % bases.len();
                target = bases[at].clone();
                tokio::time::sleep(Duration::from_millis(25)).await;
            }
        }
    }
    panic!("not acknowledged after {tries} answers");
}

/// Every acknowledged entry is in the log at its index, and the log audits clean.
fn assert_all_logged(store: &Store, acknowledged: &[Acknowledged]) -> u64 {
    let mut ledger = store.ledger(Some(ORIGIN)).unwrap();
    let size = ledger.refresh().unwrap().size;
    let indexes: BTreeSet<u64> = acknowledged.iter().map(|a| a.index).collect();
    assert_eq!(
        indexes.len(),
        acknowledged.len(),
        "two entries at one index"
    );
    for a in acknowledged {
        let (logged, _) = ledger.entry(a.index).unwrap();
        let id: String = logged
            .signed
            .id()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(
            id, a.entry_id,
            "entry #{} is not the one acknowledged",
            a.index
        );
    }
    let audit = ledger.audit().unwrap();
    assert!(audit.findings.is_empty(), "{audit:?}");
    size
}

#[test]
fn two_servers_share_a_log_through_its_lease_and_the_survivor_takes_it_over() {
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
        let mut running = Vec::new();
        for store in &stores {
            let config = Config {
                tokens: accepted.clone(),
                ..Config::new(store.clone())
            };
            running.push(Some(
                accord_server::start(config, "127.0.0.1:0".parse().unwrap())
                    .await
                    .unwrap(),
            ));
        }
        let bases: Vec<String> = running
            .iter()
            .flatten()
            .map(|r| format!("http://{}", r.addr()))
            .collect();
        let client = super::support::client();

        // Forty submissions at once, half sent first to each server.
        let acknowledged: Vec<Acknowledged> = futures_util::future::join_all(
            (0..40u32)
                .map(|n| submit_anywhere(&client, &token, &bases, n as usize % 2, body(n), 50)),
        )
        .await;
        let leads: Vec<bool> =
            tokio::task::block_in_place(|| stores.iter().map(|s| s.leads(ORIGIN)).collect());
        assert_eq!(leads.iter().filter(|l| **l).count(), 1, "{leads:?}");
        assert!(
            acknowledged.iter().any(|a| a.forwarded),
            "the server that does not lead forwarded some submissions to the leader"
        );
        let size = tokio::task::block_in_place(|| assert_all_logged(&stores[0], &acknowledged));
        assert_eq!(size, 40);

        // The leader goes: its server stops and its store (with the lease's session) is
        // closed. The other takes the log over at the next submission after the lease is
        // free.
        let leader = leads.iter().position(|l| *l).unwrap();
        let survivor = 1 - leader;
        running[leader].take().unwrap().stop().await.unwrap();
        let [first, second] = stores;
        let (gone, kept) = if leader == 0 {
            (first, second)
        } else {
            (second, first)
        };
        tokio::task::spawn_blocking(move || drop(gone))
            .await
            .unwrap();
        let started = Instant::now();
        let after = submit_anywhere(
            &client,
            &token,
            &bases[survivor..=survivor],
            0,
            body(1000),
            400,
        )
        .await;
        eprintln!(
            "the survivor led after {:.3} s and {} refusals",
            started.elapsed().as_secs_f64(),
            after.refused
        );
        assert_eq!(after.index, 40, "the new leader continues the log");
        let mut all = acknowledged;
        all.push(after);
        let size = tokio::task::block_in_place(|| {
            assert!(kept.leads(ORIGIN));
            assert_all_logged(&kept, &all)
        });
        assert_eq!(size, 41);
        running[survivor].take().unwrap().stop().await.unwrap();
        tokio::task::spawn_blocking(move || drop(kept))
            .await
            .unwrap();
    });
}

#[test]
fn reads_are_answered_from_the_read_store_and_writes_from_the_primary() {
    let (Some(primary), Some(standby)) = (fresh_log(), fresh_log()) else {
        return;
    };
    let (accepted, tokens) = tokens();
    let store = Store::open(&primary.url).unwrap();
    let reads = accord_app::open_read_only(&standby.url).unwrap();
    let runtime = runtime();
    runtime.block_on(async {
        let config = Config {
            tokens: accepted,
            read_store: Some(reads.clone()),
            ..Config::new(store.clone())
        };
        let running = accord_server::start(config, "127.0.0.1:0".parse().unwrap())
            .await
            .unwrap();
        let base = format!("http://{}", running.addr());
        let client = super::support::client();
        let written = client
            .post(format!("{base}/v1/statements"))
            .bearer_auth(&tokens[&Role::Monitor])
            .header("content-type", "application/json")
            .body(body(1))
            .send()
            .await
            .unwrap();
        assert_eq!(written.status().as_u16(), 201);
        assert_eq!(written.headers()["accord-read-from"], "primary");
        let position = written.headers()["accord-commit-lsn"].clone();

        let log = |min: Option<&str>| {
            let mut request = client.get(format!("{base}/v1/agreements/agreement-1/log"));
            if let Some(min) = min {
                request = request.header("accord-min-lsn", min);
            }
            request.send()
        };
        // The "standby" here is another store, which never saw the write: what a read
        // answers shows where it was read.
        let read = log(None).await.unwrap();
        assert_eq!(read.headers()["accord-read-from"], "standby");
        let doc: serde_json::Value = serde_json::from_str(&read.text().await.unwrap()).unwrap();
        assert_eq!(doc["size"], 0, "{doc}");
        let read = log(Some(position.to_str().unwrap())).await.unwrap();
        assert_eq!(read.headers()["accord-read-from"], "standby");
        let read = log(Some("not a position")).await.unwrap();
        assert_eq!(read.status().as_u16(), 400);
        let sizes: BTreeMap<&str, u64> = tokio::task::block_in_place(|| {
            BTreeMap::from([
                (
                    "primary",
                    store.ledger(Some(ORIGIN)).unwrap().refresh().unwrap().size,
                ),
                (
                    "standby",
                    reads.ledger(Some(ORIGIN)).unwrap().refresh().unwrap().size,
                ),
            ])
        });
        assert_eq!(sizes, BTreeMap::from([("primary", 1), ("standby", 0)]));
        running.stop().await.unwrap();
    });
    drop(runtime);
}
