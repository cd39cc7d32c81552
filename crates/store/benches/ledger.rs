//! Ledger benchmark (issue #3), all in one run on one machine:
//! (a) raw Ed25519 verification rate, single and batched;
//! (b) end-to-end durable ingestion of signed entries into SQLite and PostgreSQL, with the
//!     acknowledgement latency, compared with (a);
//! (c) inclusion and consistency proof generation at 1M and 10M entries (pure in-memory
//!     tree) and at 1M entries from each store;
//! (d) bytes stored per entry;
//! (e) the log read for evaluation (every entry, decoded) without and with verification
//!     (issue #12): verifying every entry, and verifying past the verified-up-to mark.
//!
//! `cargo bench -p accord-store --bench ledger` — sizes can be lowered with
//! `ACCORD_BENCH_ENTRIES` (ingestion, default 20000), `ACCORD_BENCH_TREE` (largest
//! in-memory tree, default 10000000) and `ACCORD_BENCH_STORE_TREE` (store-backed proofs,
//! default 10000000). PostgreSQL is used when reachable at `ACCORD_TEST_POSTGRES`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, VecDeque};
use std::time::{Duration, Instant};

use accord_core::id::{AgreementId, IndicatorId, ParticipantId, UnitId};
use accord_core::statement::{Confidentiality, Evidence, Method, Observation, Quantity, Statement};
use accord_core::time::Period;
use accord_ledger::entry::{Body, Entry, SignedEntry};
use accord_ledger::merkle::{self, CompactRange, MemoryTree, is_stored_level};
use accord_ledger::note::SignerKey;
use accord_ledger::roster::{self, Member, RegisteredKey, Role, Roster};
use accord_store::StoreUrl;
use accord_store::ledger::{
    AppendError, Batch, GroupCommit, Ledger, Receipt, StoredEntry, Submission, open_backend,
};
use base64::Engine as _;

const ORIGIN: &str = "bench.example/log";
/// Tessera on POSIX, as reported: about 10,000 writes/s using 7 cores.
const TESSERA_WRITES_PER_SEC: f64 = 10_000.0;

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
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

struct Fixture {
    roster: Roster,
    monitors: Vec<(ParticipantId, SignerKey)>,
}

fn fixture() -> Fixture {
    let monitors: Vec<(ParticipantId, SignerKey)> = (0..8u8)
        .map(|i| {
            (
                ParticipantId::new(format!("monitor-{i}")).unwrap(),
                SignerKey::from_seed("m", [i + 1; 32]).unwrap(),
            )
        })
        .collect();
    let participants = monitors
        .iter()
        .map(|(p, k)| {
            (
                p.clone(),
                Member {
                    role: Role::Monitor,
                    standing: false,
                    keys: vec![RegisteredKey {
                        public_key: base64::engine::general_purpose::STANDARD
                            .encode(k.public_key()),
                        valid_from: "2020-01-01T00:00:00Z".parse().unwrap(),
                        valid_until: None,
                        ended_because: None,
                    }],
                },
            )
        })
        .collect::<BTreeMap<_, _>>();
    Fixture {
        roster: Roster {
            agreement: AgreementId::new("bench").unwrap(),
            participants,
        },
        monitors,
    }
}

fn entries(f: &Fixture, n: u64, offset: u64) -> Vec<SignedEntry> {
    (0..n)
        .map(|i| {
            let (p, k) = &f.monitors[(i % f.monitors.len() as u64) as usize];
            Entry {
                origin: ORIGIN.into(),
                agreement: f.roster.agreement.clone(),
                body: Body::Open(evidence(offset + i)),
            }
            .sign(&[(p, k)])
        })
        .collect()
}

/// This process's CPU time (every thread, user and system), from `/proc/self/stat`: a
/// figure the other programs on a shared machine disturb much less than wall time.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name (which ends with the last `)`): utime is the 12th and
    // stime the 13th of them, in clock ticks of 1/100 s.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map_or("", |(_, rest)| rest)
        .split_whitespace()
        .collect();
    let tick = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (tick(11) + tick(12)) / 100.0
}

/// Page faults of this process so far: (minor, major), from `/proc/self/stat`.
fn faults() -> (u64, u64) {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<u64> = stat
        .rsplit_once(')')
        .map_or("", |(_, rest)| rest)
        .split_whitespace()
        .map(|f| f.parse().unwrap_or(0))
        .collect();
    let at = |i: usize| fields.get(i).copied().unwrap_or(0);
    (at(7), at(9))
}

fn per_sec(n: u64, d: Duration) -> f64 {
    n as f64 / d.as_secs_f64()
}

/// (a) Returns the raw batched rates.
fn raw_verification(signed: &[SignedEntry]) -> Rates {
    let n = signed.len() as u64;
    let start = Instant::now();
    for e in signed {
        roster::verify_signatures(e).unwrap();
    }
    let single = per_sec(n, start.elapsed());
    // Messages, signatures and decoded keys are prepared outside the timed loop: this is
    // the bare cost of the verification equation, the physical limit.
    let messages: Vec<Vec<u8>> = signed.iter().map(|e| e.entry.signed_bytes()).collect();
    let sigs: Vec<ed25519_dalek::Signature> = signed
        .iter()
        .map(|e| ed25519_dalek::Signature::from_bytes(&e.signatures[0].signature))
        .collect();
    let keys: Vec<ed25519_dalek::VerifyingKey> = signed
        .iter()
        .map(|e| ed25519_dalek::VerifyingKey::from_bytes(&e.signatures[0].public_key).unwrap())
        .collect();
    let start = Instant::now();
    for ((msgs, s), k) in messages
        .chunks(256)
        .zip(sigs.chunks(256))
        .zip(keys.chunks(256))
    {
        let m: Vec<&[u8]> = msgs.iter().map(Vec::as_slice).collect();
        ed25519_dalek::verify_batch(&m, s, k).unwrap();
    }
    let batch = per_sec(n, start.elapsed());
    // The same on every core at once: the rate ingestion is measured against.
    let cores = std::thread::available_parallelism().map_or(1, |c| c.get());
    let share = messages.len().div_ceil(cores);
    let (start, cpu) = (Instant::now(), cpu_seconds());
    std::thread::scope(|scope| {
        for ((msgs, s), k) in messages
            .chunks(share)
            .zip(sigs.chunks(share))
            .zip(keys.chunks(share))
        {
            scope.spawn(move || {
                for ((msgs, s), k) in msgs.chunks(256).zip(s.chunks(256)).zip(k.chunks(256)) {
                    let m: Vec<&[u8]> = msgs.iter().map(Vec::as_slice).collect();
                    ed25519_dalek::verify_batch(&m, s, k).unwrap();
                }
            });
        }
    });
    let all_cores = per_sec(n, start.elapsed());
    let cpu_per_signature = (cpu_seconds() - cpu) / n as f64;
    let start = Instant::now();
    for chunk in signed.chunks(256) {
        let refs: Vec<&SignedEntry> = chunk.iter().collect();
        assert!(roster::verify_batch(&refs).iter().all(Result::is_ok));
    }
    let ours = per_sec(n, start.elapsed());
    println!("(a) Ed25519 verification, one core, {n} signatures over ~400-byte entries:");
    println!("    verify_strict, one by one          {single:>10.0} /s");
    println!("    verify_batch (256), raw dalek      {batch:>10.0} /s");
    println!("    verify_batch + strict R checks     {ours:>10.0} /s   (what the sequencer runs)");
    println!(
        "    verify_batch (256), raw, {cores} cores     {all_cores:>10.0} /s   (baseline of (b): {:.2}x one core); {:.1} µs CPU each",
        all_cores / batch,
        cpu_per_signature * 1e6
    );
    Rates {
        one_core: batch,
        all_cores,
        cpu_per_signature,
    }
}

/// The raw batch verification rates of (a), the baselines of (b).
#[derive(Clone, Copy)]
struct Rates {
    one_core: f64,
    all_cores: f64,
    /// CPU seconds per signature, batch-verified on every core.
    cpu_per_signature: f64,
}

/// (b) Closed loop: `in_flight` submissions outstanding at all times.
fn ingestion(
    name: &str,
    url: &StoreUrl,
    f: &Fixture,
    signed: &[SignedEntry],
    raw: Rates,
    goal: f64,
) -> u64 {
    let log_key = SignerKey::from_seed(ORIGIN, [99; 32]).unwrap();
    let ledger = Ledger::init(url, ORIGIN, &log_key.verifier(), &f.roster).unwrap();
    let sequencer = ledger.into_sequencer(GroupCommit::default()).unwrap();
    let in_flight = env("ACCORD_BENCH_IN_FLIGHT", 256) as usize;
    let mut pending: VecDeque<(
        Instant,
        std::sync::mpsc::Receiver<Result<Receipt, AppendError>>,
    )> = VecDeque::new();
    let mut latencies = Vec::with_capacity(signed.len());
    let (start, cpu) = (Instant::now(), cpu_seconds());
    for e in signed {
        if pending.len() >= in_flight {
            let (t, rx) = pending.pop_front().unwrap();
            rx.recv().unwrap().unwrap();
            latencies.push(t.elapsed());
        }
        pending.push_back((
            Instant::now(),
            sequencer.submit(Submission {
                entry: e.clone(),
                sealed: None,
            }),
        ));
    }
    for (t, rx) in pending {
        rx.recv().unwrap().unwrap();
        latencies.push(t.elapsed());
    }
    let elapsed = start.elapsed();
    let cpu_per_entry = (cpu_seconds() - cpu) / signed.len() as f64;
    sequencer.shutdown();
    latencies.sort_unstable();
    let q = |p: f64| latencies[((latencies.len() as f64 * p) as usize).min(latencies.len() - 1)];
    let rate = per_sec(signed.len() as u64, elapsed);
    println!(
        "(b) durable ingestion into {name}, {} entries, {in_flight} in flight:",
        signed.len()
    );
    println!(
        "    {rate:>10.0} entries/s = {:.2}x the raw batch rate of all cores (goal >= {goal:.2}), {:.2}x one core's; {:.1}x Tessera's 10k/s on 7 cores",
        rate / raw.all_cores,
        rate / raw.one_core,
        rate / TESSERA_WRITES_PER_SEC
    );
    println!(
        "    {:.1} µs CPU per entry in this process = {:.2}x a signature's batch verification (what two idle cores would allow: {:.2}x the raw rate){}",
        cpu_per_entry * 1e6,
        cpu_per_entry / raw.cpu_per_signature,
        raw.cpu_per_signature / cpu_per_entry,
        if name == "PostgreSQL" {
            "; the server's CPU is not counted"
        } else {
            ""
        }
    );
    println!(
        "    acknowledgement latency p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms (goal p99 < 50 ms)",
        q(0.50).as_secs_f64() * 1e3,
        q(0.99).as_secs_f64() * 1e3,
        q(1.0).as_secs_f64() * 1e3
    );
    // Sanity: the log is whole.
    let mut ledger = Ledger::open(url, Some(ORIGIN)).unwrap();
    assert_eq!(ledger.info().size, signed.len() as u64);
    ledger.checkpoint(&log_key).unwrap();
    signed.len() as u64
}

/// Times 2,000 random inclusion and 2,000 random consistency proofs (or
/// `ACCORD_BENCH_PROOF_QUERIES` of each: more for a profile); returns their mean
/// durations, and prints them beside `baseline` (the in-memory tree of the same size).
fn time_proofs(
    what: &str,
    n: u64,
    baseline: Option<(Duration, Duration)>,
    mut prove_incl: impl FnMut(u64) -> usize,
    mut prove_cons: impl FnMut(u64) -> usize,
) -> (Duration, Duration) {
    let queries = env("ACCORD_BENCH_PROOF_QUERIES", 2000).max(1);
    let mut x = 0x9e3779b97f4a7c15u64;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x % n
    };
    let (start, faulted) = (Instant::now(), faults());
    let mut hashes = 0;
    for _ in 0..queries {
        hashes += prove_incl(next());
    }
    let incl = start.elapsed() / queries as u32;
    let start = Instant::now();
    for _ in 0..queries {
        hashes += prove_cons(next().max(1));
    }
    let cons = start.elapsed() / queries as u32;
    let (minor, major) = faults();
    let per_proof = |a: u64, b: u64| (a - b) as f64 / (2 * queries) as f64;
    let us = |d: Duration| d.as_secs_f64() * 1e6;
    let against = baseline.map_or(String::new(), |(bi, bc)| {
        format!(
            "; in memory {:.1} / {:.1} µs ({:.1}x / {:.1}x)",
            us(bi),
            us(bc),
            us(incl) / us(bi),
            us(cons) / us(bc)
        )
    });
    println!(
        "(c) {what:<28} n={n:>9}: inclusion {:>8.1} µs, consistency {:>8.1} µs  ({} hashes/proof avg){against}; page faults per proof {:.1} minor, {:.2} major",
        us(incl),
        us(cons),
        hashes / (2 * queries as usize),
        per_proof(minor, faulted.0),
        per_proof(major, faulted.1)
    );
    (incl, cons)
}

/// The in-memory proof times per tree size, the baselines of the store-backed ones.
type MemoryTimes = BTreeMap<u64, (Duration, Duration)>;

fn memory_proofs(max: u64, store_tree: u64) -> MemoryTimes {
    let mut times = MemoryTimes::new();
    let mut tree = MemoryTree::new();
    let start = Instant::now();
    let mut marks = vec![1_000_000u64, 10_000_000, store_tree];
    marks.retain(|m| *m <= max.max(store_tree));
    marks.sort_unstable();
    marks.dedup();
    if marks.is_empty() {
        marks.push(max);
    }
    for i in 0..max.max(store_tree) {
        tree.push(merkle::leaf_hash(&i.to_be_bytes()));
        if marks.contains(&(i + 1)) {
            let n = i + 1;
            let built = start.elapsed();
            println!(
                "    (in-memory tree of {n} leaves built in {:.1} s)",
                built.as_secs_f64()
            );
            let took = time_proofs(
                "in-memory tree",
                n,
                None,
                |i| merkle::inclusion_proof(&tree, i, n).unwrap().len(),
                |m| merkle::consistency_proof(&tree, m, n).unwrap().len(),
            );
            times.insert(n, took);
        }
    }
    times
}

/// Fills a store with `n` synthetic leaves (no signatures: this measures proof reads).
fn store_proofs(name: &str, url: &StoreUrl, f: &Fixture, n: u64, memory: &MemoryTimes) {
    let origin = "bench.example/proofs";
    let key = SignerKey::from_seed(origin, [98; 32]).unwrap();
    Ledger::init(url, origin, &key.verifier(), &f.roster).unwrap();
    let mut backend = open_backend(url).unwrap();
    let info = backend.log_info(origin).unwrap();
    let mut range = CompactRange::new();
    let start = Instant::now();
    let chunk = 20_000u64;
    let mut at = 0u64;
    while at < n {
        let mut batch = Batch::default();
        for i in at..(at + chunk).min(n) {
            let leaf = i.to_be_bytes().to_vec();
            let leaf_hash = merkle::leaf_hash(&leaf);
            range.push(leaf_hash, |level, idx, hash| {
                if is_stored_level(level) {
                    batch.nodes.push((level, idx, *hash));
                }
            });
            let mut id = [0u8; 32];
            id[..8].copy_from_slice(&i.to_be_bytes());
            batch.entries.push(StoredEntry {
                index: i,
                entry_id: id,
                leaf,
                leaf_hash,
                sealed: None,
            });
        }
        backend.append(info.id, at, &batch).unwrap();
        at = (at + chunk).min(n);
    }
    println!(
        "    ({name}: {n} synthetic leaves loaded in {:.1} s)",
        start.elapsed().as_secs_f64()
    );
    let mut ledger = Ledger::open(url, Some(origin)).unwrap();
    let root = ledger.root_at(n).unwrap();
    assert_eq!(root, range.root());
    let ledger = std::cell::RefCell::new(ledger);
    time_proofs(
        &format!("{name} store"),
        n,
        memory.get(&n).copied(),
        |i| ledger.borrow_mut().inclusion_proof(i, n).unwrap().len(),
        |m| ledger.borrow_mut().consistency_proof(m, n).unwrap().len(),
    );
}

fn postgres_url() -> Option<(String, String, String)> {
    let base = std::env::var("ACCORD_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    let mut client = accord_store::connect_postgres(&base).ok()?;
    let schema = format!("accord_bench_{}", std::process::id());
    client
        .batch_execute(&format!("CREATE SCHEMA {schema}"))
        .ok()?;
    let sep = if base.contains('?') { '&' } else { '?' };
    Some((
        format!("{base}{sep}options=-csearch_path%3D{schema}"),
        base,
        schema,
    ))
}

fn best_of(runs: usize, mut f: impl FnMut()) -> Duration {
    (0..runs)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .min()
        .unwrap()
}

/// (e) Reading the whole log as `evaluate` does, in the same run: decoded only (what reads
/// did before issue #12), verified from nothing (every leaf hash, rule and signature, the
/// latter in batches), and verified past the mark the latest checkpoint set (leaf hashes,
/// roots and two checkpoint signatures only).
fn verified_reads(name: &str, url: &StoreUrl) {
    let reset = || match url {
        StoreUrl::Sqlite(path) => {
            let c = rusqlite::Connection::open(path).unwrap();
            c.execute("DELETE FROM ledger_verified", []).unwrap();
        }
        StoreUrl::Postgres(u) => {
            let mut c = accord_store::connect_postgres(u).unwrap();
            c.batch_execute("DELETE FROM ledger_verified").unwrap();
        }
    };
    let mut ledger = Ledger::open(url, None).unwrap();
    let n = ledger.info().size;
    let plain = best_of(3, || {
        assert_eq!(ledger.read_unverified().unwrap().len() as u64, n);
    });
    let mut full = Duration::MAX;
    for _ in 0..3 {
        reset();
        let start = Instant::now();
        let read = ledger.read_verified().unwrap();
        full = full.min(start.elapsed());
        assert_eq!(read.checked, n);
    }
    let marked = best_of(3, || {
        let read = ledger.read_verified().unwrap();
        assert_eq!((read.checked, read.mark), (0, n));
    });
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "(e) {name}, {n} entries read for evaluation: unverified {:.1} ms; verified from nothing {:.1} ms ({:.2}x); \
         verified past the mark {:.1} ms ({:.2}x)",
        ms(plain),
        ms(full),
        ms(full) / ms(plain),
        ms(marked),
        ms(marked) / ms(plain)
    );
}

fn main() {
    let n = env("ACCORD_BENCH_ENTRIES", 20_000);
    let tree_max = env("ACCORD_BENCH_TREE", 10_000_000);
    let store_tree = env("ACCORD_BENCH_STORE_TREE", 10_000_000);
    let f = fixture();
    println!(
        "accord ledger benchmark — {} logical CPUs",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    let start = Instant::now();
    let signed = entries(&f, n, 0);
    println!(
        "    ({n} entries signed in {:.1} s; {} bytes each encoded)",
        start.elapsed().as_secs_f64(),
        signed[0].encode().len()
    );
    let dir = tempfile::tempdir().unwrap();
    if std::env::var_os("ACCORD_BENCH_PROOFS_ONLY").is_some() {
        let memory = memory_proofs(tree_max, store_tree);
        store_proofs(
            "SQLite",
            &StoreUrl::Sqlite(dir.path().join("proofs.db")),
            &f,
            store_tree,
            &memory,
        );
        if let Some((url, base, schema)) = postgres_url() {
            store_proofs(
                "PostgreSQL",
                &StoreUrl::Postgres(url),
                &f,
                store_tree,
                &memory,
            );
            let _ = accord_store::connect_postgres(&base)
                .map(|mut c| c.batch_execute(&format!("DROP SCHEMA {schema} CASCADE")));
        }
        return;
    }
    let raw = raw_verification(&signed);

    let db = dir.path().join("bench.db");
    let sqlite = StoreUrl::Sqlite(db.clone());
    let logged = ingestion("SQLite", &sqlite, &f, &signed, raw, 0.7);
    {
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.pragma_update(None, "wal_checkpoint", "TRUNCATE").ok();
    }
    verified_reads("SQLite", &sqlite);
    let bytes = std::fs::metadata(&db).unwrap().len();
    println!(
        "(d) SQLite: {bytes} bytes for {logged} entries = {:.0} bytes/entry (leaf ~{} bytes)",
        bytes as f64 / logged as f64,
        signed[0].encode().len() + 12
    );

    let pg = postgres_url();
    if let Some((url, _, schema)) = &pg {
        let url = StoreUrl::Postgres(url.clone());
        let logged = ingestion("PostgreSQL", &url, &f, &signed, raw, 0.5);
        verified_reads("PostgreSQL", &url);
        let mut c = accord_store::connect_postgres(match &url {
            StoreUrl::Postgres(u) => u,
            StoreUrl::Sqlite(_) => unreachable!(),
        })
        .unwrap();
        let bytes: i64 = c
            .query_one(
                &format!(
                    "SELECT sum(pg_total_relation_size(c.oid))::BIGINT FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = '{schema}' AND c.relkind = 'r'"
                ),
                &[],
            )
            .unwrap()
            .get(0);
        println!(
            "(d) PostgreSQL: {bytes} bytes for {logged} entries = {:.0} bytes/entry (tables + indexes + TOAST)",
            bytes as f64 / logged as f64
        );
    } else {
        println!("(b) PostgreSQL skipped: not reachable");
    }

    let memory = memory_proofs(tree_max, store_tree);
    store_proofs("SQLite", &sqlite, &f, store_tree, &memory);
    if let Some((url, _, _)) = &pg {
        store_proofs(
            "PostgreSQL",
            &StoreUrl::Postgres(url.clone()),
            &f,
            store_tree,
            &memory,
        );
    }
    if let Some((_, base, schema)) = pg
        && let Ok(mut c) = accord_store::connect_postgres(&base)
    {
        let _ = c.batch_execute(&format!("DROP SCHEMA {schema} CASCADE"));
    }
}
