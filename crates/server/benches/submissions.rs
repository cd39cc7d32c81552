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
//! Each run also prints the CPU time the process spent per entry (all threads, from
//! `/proc/self/stat`), and the share of the log's writer: its two long-lived threads
//! (`accord-ledger-*`, from `/proc/self/task/*/schedstat`; the threads its verifying
//! thread starts for a large group end before they can be read, and count in the
//! process's time only).
//! With `ACCORD_BENCH_SPLIT=1`, (b) and (c) run the client on a runtime of its own (threads
//! `bench-client`) and the server on another, so that the client's CPU time per entry
//! (its threads' `/proc/self/task/*/schedstat`) is told apart from the server's (the rest
//! of the process), with the rate the server's time alone allows on two idle cores
//! (2 s / its time per entry). Without it the client and the server share one runtime,
//! as they always did (what the goal's ratios are measured with).
//!
//! The bench runs with mimalloc as its allocator, as the shipped `accord` binary does
//! (`crates/cli/src/main.rs`), so (b) and (c) are measured as a user's server runs; (a)
//! runs in the same process, with the same allocator, so the ratios compare like with like.
//!
//! `cargo bench -p accord-server --bench submissions` — `ACCORD_BENCH_ENTRIES` (default
//! 20000), `ACCORD_BENCH_IN_FLIGHT` (256 entries), `ACCORD_BENCH_BATCH` (32),
//! `ACCORD_BENCH_SPLIT` (0), `ACCORD_BENCH_ROUNDS` (3).
//!
//! After the three runs above on each store (printed as they always were), (a) and (c)
//! run again `ACCORD_BENCH_ROUNDS` times, alternated, each on a fresh store (on
//! PostgreSQL after a `CHECKPOINT`, so that the previous run's dirty pages are not written
//! out during the next), each round printed and the median of their ratios: one pair of
//! runs swings with whatever else the two shared cores do at that moment.
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

/// mimalloc, as `accord` ships with (see the module's documentation).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
    /// CPU time per entry, in µs.
    cpu: CpuPerEntry,
}

fn measured(
    n: usize,
    elapsed: Duration,
    mut latencies: Vec<Duration>,
    cpu: CpuPerEntry,
) -> Measured {
    latencies.sort_unstable();
    let q = |p: f64| latencies[((latencies.len() as f64 * p) as usize).min(latencies.len() - 1)];
    Measured {
        rate: n as f64 / elapsed.as_secs_f64(),
        p50: q(0.50),
        p99: q(0.99),
        cpu,
    }
}

/// CPU time so far: the whole process's (every thread, those ended too), and each live
/// thread's by name and id.
struct Cpu {
    process: Duration,
    threads: Vec<(u64, String, Duration)>,
    /// The PostgreSQL server's processes' (every `postgres` process this user can read,
    /// those of other clients of the same server too; backends that ended are lost).
    postgres: Duration,
}

/// A `/proc/<pid>/stat` line's utime + stime (clock ticks of 1/100 s).
fn stat_ticks(stat: &str) -> Duration {
    // The fields after the command's closing parenthesis; utime and stime are the 14th
    // and 15th of the line.
    let rest = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let tick = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<u64>().ok())
            .unwrap_or(0)
    };
    Duration::from_millis(10 * (tick(11) + tick(12)))
}

/// The CPU time of every `postgres` process so far.
fn postgres_cpu() -> Duration {
    std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|p| std::fs::read_to_string(p.path().join("stat")).ok())
        .filter(|stat| stat.contains("(postgres)"))
        .map(|stat| stat_ticks(&stat))
        .sum()
}

fn cpu_now() -> Cpu {
    let ticks = stat_ticks;
    let process = ticks(&std::fs::read_to_string("/proc/self/stat").unwrap_or_default());
    let mut threads = Vec::new();
    for task in std::fs::read_dir("/proc/self/task")
        .into_iter()
        .flatten()
        .flatten()
    {
        let path = task.path();
        let Some(tid) = path.file_name().and_then(|n| n.to_str()?.parse().ok()) else {
            continue;
        };
        let name = std::fs::read_to_string(path.join("comm")).unwrap_or_default();
        // schedstat: nanoseconds on the CPU first; else the thread's ticks.
        let ran = std::fs::read_to_string(path.join("schedstat"))
            .ok()
            .and_then(|s| s.split_whitespace().next()?.parse().ok())
            .map(Duration::from_nanos)
            .unwrap_or_else(|| {
                ticks(&std::fs::read_to_string(path.join("stat")).unwrap_or_default())
            });
        threads.push((tid, name.trim().to_owned(), ran));
    }
    Cpu {
        process,
        threads,
        postgres: postgres_cpu(),
    }
}

/// CPU time per entry between two readings, in µs: the process's, the client's threads'
/// (`bench-client`, when the client has a runtime of its own; else 0) and the writer's
/// (the sequencer's `accord-ledger-*` threads).
#[derive(Clone, Copy, Default)]
struct CpuPerEntry {
    process: f64,
    client: f64,
    writer: f64,
    /// The PostgreSQL server's ([`Cpu::postgres`]).
    postgres: f64,
}

fn cpu_per_entry(before: &Cpu, after: &Cpu, entries: usize) -> CpuPerEntry {
    let since = |prefix: &str| -> Duration {
        after
            .threads
            .iter()
            .filter(|(_, name, _)| name.starts_with(prefix))
            .map(|(tid, _, ran)| {
                let earlier = before
                    .threads
                    .iter()
                    .find(|(t, _, _)| t == tid)
                    .map_or(Duration::ZERO, |(_, _, r)| *r);
                ran.saturating_sub(earlier)
            })
            .sum()
    };
    let per = |d: Duration| d.as_secs_f64() * 1e6 / entries as f64;
    CpuPerEntry {
        process: per(after.process.saturating_sub(before.process)),
        client: per(since("bench-client")),
        writer: per(since("accord-ledger")),
        postgres: per(after.postgres.saturating_sub(before.postgres)),
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
    let cpu = cpu_now();
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
    let cpu = cpu_per_entry(&cpu, &cpu_now(), entries.len());
    sequencer.shutdown();
    measured(entries.len(), elapsed, latencies, cpu)
}

/// One request of a load over HTTP: its body, the monitor whose token sends it, and how
/// many entries it carries (1, or a batch's length).
struct Request {
    /// Shared, not copied, by each send.
    body: axum::body::Bytes,
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
            body: hex_entry(e).into(),
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
                    body: format!("[{}]", items.join(", ")).into(),
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
/// batch, 200 with `"status": 201` in each of its `results` (read into the one member
/// looked at rather than a tree of `serde_json::Value`s: the client's cost is not the
/// server's, and the two share the machine).
fn all_created(status: u16, text: &str, entries: usize, batch: bool) -> bool {
    #[derive(serde::Deserialize)]
    struct Answer {
        results: Vec<EntryStatus>,
    }
    #[derive(serde::Deserialize)]
    struct EntryStatus {
        status: Option<u16>,
    }
    if !batch {
        return status == 201;
    }
    let Ok(answer) = serde_json::from_str::<Answer>(text) else {
        return false;
    };
    status == 200
        && answer.results.len() == entries
        && answer.results.iter().all(|r| r.status == Some(201))
}

/// (b) and (c): the requests `POST /v1/statements` to a server on loopback, `in_flight`
/// requests at a time; every entry of a request has the request's latency. With `split`,
/// the client runs on a runtime of its own (threads `bench-client`).
fn over_http(
    url: &StoreUrl,
    f: &Fixture,
    requests: Vec<Request>,
    in_flight: usize,
    batch: bool,
    split: bool,
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
    let runtime = |name: &str| {
        tokio::runtime::Builder::new_multi_thread()
            .thread_name(name)
            .enable_all()
            .build()
            .unwrap()
    };
    let server = runtime("tokio-runtime-worker");
    let client = split.then(|| runtime("bench-client"));
    let config = Config {
        tokens,
        rate_limits: RateLimits {
            per_token: None,
            per_address: None,
        },
        ..Config::new(store.clone())
    };
    let running = server
        .block_on(accord_server::start(config, "127.0.0.1:0".parse().unwrap()))
        .unwrap();
    let endpoint = format!("http://{}/v1/statements", running.addr());
    accord_server::webhooks::install_crypto_provider();
    let load = Load {
        client: reqwest::Client::builder()
            .pool_max_idle_per_host(in_flight)
            .build()
            .unwrap(),
        requests: Arc::new(requests),
        bearer: Arc::new(bearer),
        endpoint,
        in_flight,
        batch,
    };
    let cpu = cpu_now();
    let start = Instant::now();
    let latencies = client.as_ref().unwrap_or(&server).block_on(load.run());
    let elapsed = start.elapsed();
    let cpu = cpu_per_entry(&cpu, &cpu_now(), total);
    server.block_on(running.stop()).unwrap();
    drop(client);
    drop(server);
    drop(store);
    measured(total, elapsed, latencies, cpu)
}

/// What the client sends: the requests, the monitors' tokens, where, how many at once.
struct Load {
    client: reqwest::Client,
    requests: Arc<Vec<Request>>,
    bearer: Arc<Vec<String>>,
    endpoint: String,
    in_flight: usize,
    batch: bool,
}

impl Load {
    /// Sends every request, `in_flight` at a time, each answered before the next of its
    /// task; every entry's latency.
    async fn run(self) -> Vec<Duration> {
        let next = Arc::new(AtomicUsize::new(0));
        let batch = self.batch;
        let tasks: Vec<_> = (0..self.in_flight)
            .map(|_| {
                let (client, next, requests, bearer, endpoint) = (
                    self.client.clone(),
                    next.clone(),
                    self.requests.clone(),
                    self.bearer.clone(),
                    self.endpoint.clone(),
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
        let mut latencies = Vec::new();
        for task in tasks {
            latencies.extend(task.await.unwrap());
        }
        latencies
    }
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
    println!(
        "  CPU time per entry (the process's; the writer's = its two long-lived threads, without the verifying threads it starts for large groups):"
    );
    println!(
        "  (a) {:.1} µs, of which the writer {:.1} µs",
        a.cpu.process, a.cpu.writer
    );
    for (what, m) in [("(b)", b), ("(c)", c)] {
        let cpu = &m.cpu;
        if cpu.client > 0.0 {
            let server = cpu.process - cpu.client;
            println!(
                "  {what} {:.1} µs: the client {:.1} µs, the server {server:.1} µs (of which the writer {:.1} µs): the server alone on two idle cores ≤ {:.0} entries/s",
                cpu.process,
                cpu.client,
                cpu.writer,
                2e6 / server
            );
        } else {
            println!(
                "  {what} {:.1} µs with the client, of which the writer {:.1} µs",
                cpu.process, cpu.writer
            );
        }
    }
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
    let split = env("ACCORD_BENCH_SPLIT", 0) != 0;
    let b = over_http(&sqlite("http.db"), &f, single(), in_flight, false, split);
    let c = over_http(
        &sqlite("batch.db"),
        &f,
        batches(),
        batches_in_flight,
        true,
        split,
    );
    report("SQLite", &a, &b, &c, in_flight, batch);
    let rounds = env("ACCORD_BENCH_ROUNDS", 3) as usize;
    let mut round = 0;
    rounds_of(rounds, "SQLite", || {
        round += 1;
        let a = in_process(&sqlite(&format!("a{round}.db")), &f, &entries, in_flight);
        let c = over_http(
            &sqlite(&format!("c{round}.db")),
            &f,
            batches(),
            batches_in_flight,
            true,
            split,
        );
        (a, c)
    });
    if let Some(pg) = accord_store::testing::postgres_store() {
        let a = in_process(&pg.url, &f, &entries, in_flight);
        let pg_http = accord_store::testing::postgres_store().unwrap();
        let b = over_http(&pg_http.url, &f, single(), in_flight, false, split);
        let pg_batch = accord_store::testing::postgres_store().unwrap();
        let c = over_http(&pg_batch.url, &f, batches(), batches_in_flight, true, split);
        report("PostgreSQL", &a, &b, &c, in_flight, batch);
        drop((pg, pg_http, pg_batch));
        rounds_of(rounds, "PostgreSQL", || {
            let fresh = accord_store::testing::postgres_store().unwrap();
            checkpoint();
            let wal = wal_bytes();
            let a = in_process(&fresh.url, &f, &entries, in_flight);
            let wal_a = written(wal, wal_bytes(), n);
            drop(fresh);
            let fresh = accord_store::testing::postgres_store().unwrap();
            checkpoint();
            let wal = wal_bytes();
            let c = over_http(&fresh.url, &f, batches(), batches_in_flight, true, split);
            let wal_c = written(wal, wal_bytes(), n);
            println!("  write-ahead log per entry: (a) {wal_a}, (c) {wal_c}");
            (a, c)
        });
    }
    println!("load average after: {}", load());
}

/// `rounds` more runs of (a) then (c), each on a fresh store, printed each and their
/// median ratio: one run of each swings with what else the two cores do at the moment
/// (the in-process rate alone by ±15 % from run to run), and runs next to each other
/// see much the same machine.
fn rounds_of(rounds: usize, name: &str, mut run: impl FnMut() -> (Measured, Measured)) {
    if rounds == 0 {
        return;
    }
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!("{name}, (a) and (c) alternated, {rounds} rounds, a fresh store each:");
    let mut ratios = Vec::new();
    let mut cpu = Vec::new();
    for i in 1..=rounds {
        let (a, c) = run();
        let ratio = c.rate / a.rate;
        let pg = |m: &Measured| {
            if name == "PostgreSQL" {
                format!(" (+ PostgreSQL's processes {:.1} µs)", m.cpu.postgres)
            } else {
                String::new()
            }
        };
        println!(
            "  round {i}: (a) {:>6.0}/s, {:.1} µs{}; (c) {:>6.0}/s, p99 {:.1} ms, {:.1} µs{} = {ratio:.2}x (a) [load {}]",
            a.rate,
            a.cpu.process,
            pg(&a),
            c.rate,
            ms(c.p99),
            c.cpu.process,
            pg(&c),
            load()
        );
        ratios.push(ratio);
        cpu.push(c.cpu.process - a.cpu.process);
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let (ratio, cpu) = (median(&mut ratios), median(&mut cpu));
    println!(
        "  median of {rounds} rounds: (c) = {ratio:.2}x (a), lowest {:.2}x; (c) − (a): {cpu:.1} µs of CPU per entry",
        ratios[0]
    );
}

/// The PostgreSQL server's write-ahead log position now, in bytes (None when it cannot be
/// read): what a run wrote to it, all clients of the server counted.
fn wal_bytes() -> Option<u64> {
    let mut client = accord_store::connect_postgres(&accord_store::testing::postgres_url()).ok()?;
    let row = client
        .query_one("SELECT pg_current_wal_lsn()::text", &[])
        .ok()?;
    accord_store::parse_lsn(row.get(0))
}

/// The write-ahead log written between two positions, per entry: "n/a" when either
/// could not be read (never a position taken for a difference).
fn written(before: Option<u64>, after: Option<u64>, entries: u64) -> String {
    match (before, after) {
        (Some(b), Some(a)) => format!("{} bytes", a.saturating_sub(b) / entries.max(1)),
        _ => "n/a".to_owned(),
    }
}

/// A checkpoint of the PostgreSQL the tests use, so that the one the previous run's
/// writes call for does not fall in the next run (on the shared test server: skipped
/// quietly when not allowed).
fn checkpoint() {
    if let Ok(mut client) = accord_store::connect_postgres(&accord_store::testing::postgres_url()) {
        let _ = client.batch_execute("CHECKPOINT");
    }
}
