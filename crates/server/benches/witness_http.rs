//! A witness's `add-checkpoint` over HTTP on loopback (issue #15): `accord witness serve`'s
//! server (`accord_server::witness`) on 127.0.0.1, its state on disk, asked again and again
//! to cosign a checkpoint of a 1M-leaf log (each answer verifies the log's signature,
//! cosigns, and writes and syncs the state before it answers); latency per request from a
//! plain HTTP/1.1 client, p50 and p99, beside the pure `Witness::add_checkpoint` in the
//! same run.
//!
//! `cargo bench -p accord-server --bench witness_http` — `ACCORD_BENCH_REQUESTS` (default
//! 2000) lowers the count.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use accord_ledger::checkpoint::Checkpoint;
use accord_ledger::merkle::{MemoryTree, leaf_hash};
use accord_ledger::note::{SignerKey, TYPE_COSIGNATURE};
use accord_ledger::witness::TrustedLog;
use accord_ledger::witness::protocol::AddCheckpoint;
use accord_ledger::witness::serve::{Witness, WitnessState};
use accord_server::witness::{self, WitnessServer};

const ORIGIN: &str = "bench.example/log";

fn post(addr: &str, body: &str) -> u16 {
    let mut stream = TcpStream::connect(addr).unwrap();
    write!(
        stream,
        "POST /add-checkpoint HTTP/1.1\r\nHost: {addr}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response.get(9..12).unwrap().parse().unwrap()
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn report(name: &str, mut times: Vec<Duration>) {
    times.sort();
    println!(
        "  {name:<34} p50 {:>8.3} ms   p99 {:>8.3} ms   max {:>8.3} ms",
        percentile(&times, 0.5).as_secs_f64() * 1e3,
        percentile(&times, 0.99).as_secs_f64() * 1e3,
        times.last().unwrap().as_secs_f64() * 1e3
    );
}

fn main() {
    let requests: usize = std::env::var("ACCORD_BENCH_REQUESTS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(2000);
    let log_key = SignerKey::from_seed(ORIGIN, [3; 32]).unwrap();
    let key =
        SignerKey::from_seed_of_type("witness.example/w1", TYPE_COSIGNATURE, [4; 32]).unwrap();
    let tree = MemoryTree::from_leaves((0u32..1_000_000).map(|i| leaf_hash(&i.to_be_bytes())));
    let checkpoint = Checkpoint {
        origin: ORIGIN.into(),
        size: tree.size(),
        root: tree.root(),
        extensions: vec![],
    }
    .sign(&log_key)
    .unwrap();
    let witness = || {
        Witness::new(
            vec![key.clone()],
            vec![TrustedLog::from_key(log_key.verifier())],
        )
        .unwrap()
    };
    let first = AddCheckpoint {
        old_size: 0,
        proof: vec![],
        checkpoint: checkpoint.clone(),
    }
    .encode();
    // Once cosigned at size N, the same checkpoint from old size N is cosigned again: the
    // whole check, the cosignature and the write of the state, every time.
    let again = AddCheckpoint {
        old_size: tree.size(),
        proof: vec![],
        checkpoint: checkpoint.clone(),
    }
    .encode();
    println!("witness add-checkpoint: a 1M-leaf log, {requests} requests");

    let w = witness();
    let now = jiff::Timestamp::now();
    let state = {
        let mut s = WitnessState::new();
        s.apply(&w.add_checkpoint(&s, first.as_bytes(), now).unwrap().update)
            .unwrap();
        s
    };
    let pure: Vec<Duration> = (0..requests)
        .map(|_| {
            let t = Instant::now();
            let cosigned = w.add_checkpoint(&state, again.as_bytes(), now).unwrap();
            std::hint::black_box(cosigned);
            t.elapsed()
        })
        .collect();
    report("pure Witness::add_checkpoint", pure);

    let dir = tempfile::tempdir().unwrap();
    let server = WitnessServer::open(witness(), &dir.path().join("state.json")).unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        witness::run(server, "127.0.0.1:0".parse().unwrap(), |addr| {
            tx.send(addr).unwrap()
        })
        .unwrap();
    });
    let addr = rx.recv().unwrap().to_string();
    assert_eq!(post(&addr, &first), 200);
    let http: Vec<Duration> = (0..requests)
        .map(|_| {
            let t = Instant::now();
            assert_eq!(post(&addr, &again), 200);
            t.elapsed()
        })
        .collect();
    report("HTTP on loopback, state synced", http);
}
