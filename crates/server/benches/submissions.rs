//! Submissions over HTTP against the in-process sequencer (issue #13), in one run:
//! (a) the ledger bench's ingestion: signed evidence entries submitted to the log's
//!     `Sequencer` in this process, a closed loop with 256 in flight (as
//!     `crates/store/benches/ledger.rs` (b) does);
//! (b) the same entries `POST /v1/statements` to `accord serve` (in this process, on
//!     loopback), 256 requests in flight over keep-alive connections, each with the token
//!     of the monitor that signed it; an answer means committed, as in (a);
//! (c) the same entries `POST /v1/statements` in batches (a JSON array) of 32 entries of
//!     one monitor, 8 batches in flight (256 entries), as a monitor with many
//!     observations submits them; each entry's latency is its batch's answer.
//! Both on a fresh SQLite file (and on PostgreSQL when `ACCORD_TEST_POSTGRES` answers);
//! goal: (b) and (c) ≥ 0.8 × (a), p99 < 100 ms.
//!
//! `cargo bench -p accord-server --bench submissions` — `ACCORD_BENCH_ENTRIES` (default
//! 20000), `ACCORD_BENCH_IN_FLIGHT` (256 entries), `ACCORD_BENCH_BATCH` (32).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use accord_core::id::{AgreementId, IndicatorId, ParticipantId, UnitId};
use accord_core::statement::{Confidentiality, Evidence, Method, Observation, Quantity, Statement};
use accord_core::time::Period;
use accord_ledger::entry::{Body, Entry, SignedEntry};
use accord_ledger::note::SignerKey;
use accord_ledger::roster::{Member, RegisteredKey, Role, Roster};
use accord_server::{Config, RateLimits, Tokens};
use accord_store::StoreUrl;
use accord_store::ledger::{AppendError, GroupCommit, Ledger, Receipt, Submission};
use base64::Engine as _;

const ORIGIN: &str = "bench.example/log";
const MONITORS: u8 = 8;

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split(' ').take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

/// The monitors' keys and the roster that registers them.
struct Fixture {
    keys: Vec<(ParticipantId, SignerKey)>,
    roster: Roster,
}

fn fixture() -> Fixture {
    let keys: Vec<(ParticipantId, SignerKey)> = (0..MONITORS)
        .map(|m| {
            let id = format!("monitor-{m}");
            (
                ParticipantId::new(&id).unwrap(),
                SignerKey::from_seed(&id, [m + 1; 32]).unwrap(),
            )
        })
        .collect();
    let participants: BTreeMap<ParticipantId, Member> = keys
        .iter()
        .map(|(id, key)| {
            let member = Member {
                role: Role::Monitor,
                standing: false,
                keys: vec![RegisteredKey {
                    public_key: base64::engine::general_purpose::STANDARD.encode(key.public_key()),
                    valid_from: "2020-01-01T00:00:00Z".parse().unwrap(),
                    valid_until: None,
                    ended_because: None,
                }],
            };
            (id.clone(), member)
        })
        .collect();
    let roster = Roster {
        agreement: AgreementId::new("bench").unwrap(),
        participants,
    };
    Fixture { keys, roster }
}

fn evidence(i: u64) -> Statement {
    Statement::Evidence(Evidence {
        indicator: IndicatorId::new("stockpile").unwrap(),
        period: Period::new(
            jiff::civil::date(2026, 1, 1),
            jiff::civil::date(2026, 3, 31),
        )
        .unwrap(),
        value: Observation::Quantity(
            Quantity::new(i as f64 / 8.0, UnitId::new("kg_u").unwrap()).unwrap(),
        ),
        method: Method::OnSiteInspection,
        attachments: vec![
            "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08".into(),
        ],
        confidentiality: Confidentiality::Public,
        note: Some("routine inspection, cascade hall B".into()),
        escrow_until: None,
    })
}

/// Entry `i`, signed by monitor `i % 8`.
fn signed(f: &Fixture, i: u64) -> SignedEntry {
    let (id, key) = &f.keys[(i % u64::from(MONITORS)) as usize];
    Entry {
        origin: ORIGIN.into(),
        agreement: AgreementId::new("bench").unwrap(),
        body: Body::Open(evidence(i)),
    }
    .sign(&[(id, key)])
}

struct Measured {
    rate: f64,
    p50: Duration,
    p99: Duration,
}

fn measured(n: usize, elapsed: Duration, mut latencies: Vec<Duration>) -> Measured {
    latencies.sort_unstable();
    let q = |p: f64| latencies[((latencies.len() as f64 * p) as usize).min(latencies.len() - 1)];
    Measured {
        rate: n as f64 / elapsed.as_secs_f64(),
        p50: q(0.50),
        p99: q(0.99),
    }
}

/// (a) The entries through the sequencer in this process, `in_flight` at a time.
fn in_process(url: &StoreUrl, f: &Fixture, entries: &[SignedEntry], in_flight: usize) -> Measured {
    let log_key = SignerKey::from_seed(ORIGIN, [99; 32]).unwrap();
    let ledger = Ledger::init(url, ORIGIN, &log_key.verifier(), &f.roster).unwrap();
    let sequencer = ledger.into_sequencer(GroupCommit::default()).unwrap();
    type Pending = (
        Instant,
        std::sync::mpsc::Receiver<Result<Receipt, AppendError>>,
    );
    let mut pending: VecDeque<Pending> = VecDeque::new();
    let mut latencies = Vec::with_capacity(entries.len());
    let start = Instant::now();
    for e in entries {
        if pending.len() >= in_flight {
            let (t, rx) = pending.pop_front().unwrap();
            rx.recv().unwrap().unwrap();
            latencies.push(t.elapsed());
        }
        let submission = Submission {
            entry: e.clone(),
            sealed: None,
        };
        pending.push_back((Instant::now(), sequencer.submit(submission)));
    }
    for (t, rx) in pending {
        rx.recv().unwrap().unwrap();
        latencies.push(t.elapsed());
    }
    let elapsed = start.elapsed();
    sequencer.shutdown();
    measured(entries.len(), elapsed, latencies)
}

/// One request of a load over HTTP: its body, the monitor whose token sends it, and how
/// many entries it carries (1, or a batch's length).
struct Request {
    body: String,
    signer: usize,
    entries: usize,
}

fn hex_entry(e: &SignedEntry) -> String {
    let hex: String = e.encode().iter().map(|b| format!("{b:02x}")).collect();
    format!("{{\"entry\": \"{hex}\"}}")
}

/// (b) Each entry its own `POST /v1/statements`, signed by monitor `i % 8`.
fn single_requests(entries: &[SignedEntry]) -> Vec<Request> {
    entries
        .iter()
        .enumerate()
        .map(|(i, e)| Request {
            body: hex_entry(e),
            signer: i % usize::from(MONITORS),
            entries: 1,
        })
        .collect()
}

/// (c) The entries in batches of `size`, each batch one monitor's entries (a token acts for
/// one monitor), in the order the monitors' entries come.
fn batch_requests(entries: &[SignedEntry], size: usize) -> Vec<Request> {
    let monitors = usize::from(MONITORS);
    let mut per_monitor: Vec<Vec<&SignedEntry>> = vec![Vec::new(); monitors];
    for (i, e) in entries.iter().enumerate() {
        per_monitor[i % monitors].push(e);
    }
    let mut chunks: Vec<std::slice::Chunks<'_, &SignedEntry>> =
        per_monitor.iter().map(|m| m.chunks(size.max(1))).collect();
    let mut requests = Vec::new();
    loop {
        let before = requests.len();
        for (signer, chunk) in chunks.iter_mut().enumerate() {
            if let Some(batch) = chunk.next() {
                let items: Vec<String> = batch.iter().map(|e| hex_entry(e)).collect();
                requests.push(Request {
                    body: format!("[{}]", items.join(", ")),
                    signer,
                    entries: batch.len(),
                });
            }
        }
        if requests.len() == before {
            return requests;
        }
    }
}

/// Whether an answer acknowledges every entry it carries as new: 201 for one entry; for a
/// batch, 200 with `"status": 201` in each of its `results`.
fn all_created(status: u16, text: &str, entries: usize, batch: bool) -> bool {
    if !batch {
        return status == 201;
    }
    let Ok(answer) = serde_json::from_str::<serde_json::Value>(text) else {
        return false;
    };
    let results = answer["results"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    status == 200 && results.len() == entries && results.iter().all(|r| r["status"] == 201)
}

/// (b) and (c): the requests `POST /v1/statements` to a server on loopback, `in_flight`
/// requests at a time; every entry of a request has the request's latency.
fn over_http(
    url: &StoreUrl,
    f: &Fixture,
    requests: Vec<Request>,
    in_flight: usize,
    batch: bool,
) -> Measured {
    let log_key = SignerKey::from_seed(ORIGIN, [99; 32]).unwrap();
    Ledger::init(url, ORIGIN, &log_key.verifier(), &f.roster).unwrap();
    let store = accord_app::open(url, true).unwrap();
    let mut tokens = Tokens::none();
    let bearer: Vec<String> = f
        .keys
        .iter()
        .map(|(id, _)| {
            let issued = accord_server::auth::issue(
                accord_server::Role::Monitor,
                Some(id.as_str()),
                jiff::Timestamp::now(),
            )
            .unwrap();
            tokens.add(&issued.record).unwrap();
            issued.token
        })
        .collect();
    let total: usize = requests.iter().map(|r| r.entries).sum();
    let requests = Arc::new(requests);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let result = runtime.block_on(async {
        let config = Config {
            tokens,
            rate_limits: RateLimits {
                per_token: None,
                per_address: None,
            },
            ..Config::new(store.clone())
        };
        let running = accord_server::start(config, "127.0.0.1:0".parse().unwrap())
            .await
            .unwrap();
        let endpoint = format!("http://{}/v1/statements", running.addr());
        accord_server::webhooks::install_crypto_provider();
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(in_flight)
            .build()
            .unwrap();
        let next = Arc::new(AtomicUsize::new(0));
        let bearer = Arc::new(bearer);
        let start = Instant::now();
        let tasks: Vec<_> = (0..in_flight)
            .map(|_| {
                let (client, next, requests, bearer, endpoint) = (
                    client.clone(),
                    next.clone(),
                    requests.clone(),
                    bearer.clone(),
                    endpoint.clone(),
                );
                tokio::spawn(async move {
                    let mut latencies = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::SeqCst);
                        let Some(request) = requests.get(i) else {
                            return latencies;
                        };
                        let t = Instant::now();
                        let answer = client
                            .post(&endpoint)
                            .bearer_auth(&bearer[request.signer])
                            .header("content-type", "application/json")
                            .body(request.body.clone())
                            .send()
                            .await
                            .unwrap();
                        let status = answer.status().as_u16();
                        let text = answer.text().await.unwrap();
                        assert!(
                            all_created(status, &text, request.entries, batch),
                            "{status}: {text}"
                        );
                        let took = t.elapsed();
                        latencies.extend(std::iter::repeat_n(took, request.entries));
                    }
                })
            })
            .collect();
        let mut latencies = Vec::with_capacity(total);
        for task in tasks {
            latencies.extend(task.await.unwrap());
        }
        let elapsed = start.elapsed();
        running.stop().await.unwrap();
        measured(total, elapsed, latencies)
    });
    drop(runtime);
    drop(store);
    result
}

fn report(name: &str, a: &Measured, b: &Measured, c: &Measured, in_flight: usize, batch: usize) {
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let goal = |m: &Measured| {
        if m.rate >= 0.8 * a.rate && m.p99 < Duration::from_millis(100) {
            "met"
        } else {
            "not met"
        }
    };
    println!("{name}, {in_flight} entries in flight:");
    println!(
        "  (a) in-process sequencer: {:>8.0} entries/s, p50 {:.1} ms, p99 {:.1} ms",
        a.rate,
        ms(a.p50),
        ms(a.p99)
    );
    println!(
        "  (b) POST /v1/statements:  {:>8.0} entries/s, p50 {:.1} ms, p99 {:.1} ms = {:.2}x (a) (goal >= 0.80x, p99 < 100 ms: {})",
        b.rate,
        ms(b.p50),
        ms(b.p99),
        b.rate / a.rate,
        goal(b)
    );
    println!(
        "  (c) batches of {batch}, {} in flight: {:>8.0} entries/s, p50 {:.1} ms, p99 {:.1} ms per entry = {:.2}x (a) (goal >= 0.80x, p99 < 100 ms: {})",
        (in_flight / batch).max(1),
        c.rate,
        ms(c.p50),
        ms(c.p99),
        c.rate / a.rate,
        goal(c)
    );
}

fn main() {
    let n = env("ACCORD_BENCH_ENTRIES", 20_000);
    let in_flight = env("ACCORD_BENCH_IN_FLIGHT", 256) as usize;
    let f = fixture();
    println!("signing {n} entries…");
    let entries: Vec<SignedEntry> = (0..n).map(|i| signed(&f, i)).collect();
    println!("load average before: {}", load());
    let batch = (env("ACCORD_BENCH_BATCH", 32) as usize).max(1);
    let batches_in_flight = (in_flight / batch).max(1);
    let dir = tempfile::tempdir().unwrap();
    let sqlite = |name: &str| StoreUrl::Sqlite(dir.path().join(name));
    let a = in_process(&sqlite("in-process.db"), &f, &entries, in_flight);
    let single = || single_requests(&entries);
    let batches = || batch_requests(&entries, batch);
    let b = over_http(&sqlite("http.db"), &f, single(), in_flight, false);
    let c = over_http(&sqlite("batch.db"), &f, batches(), batches_in_flight, true);
    report("SQLite", &a, &b, &c, in_flight, batch);
    if let Some(pg) = accord_store::testing::postgres_store() {
        let a = in_process(&pg.url, &f, &entries, in_flight);
        let pg_http = accord_store::testing::postgres_store().unwrap();
        let b = over_http(&pg_http.url, &f, single(), in_flight, false);
        let pg_batch = accord_store::testing::postgres_store().unwrap();
        let c = over_http(&pg_batch.url, &f, batches(), batches_in_flight, true);
        report("PostgreSQL", &a, &b, &c, in_flight, batch);
    }
    println!("load average after: {}", load());
}
