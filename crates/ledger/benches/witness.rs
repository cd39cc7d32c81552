//! Witness benchmark (issue #15, the pure part): what `Witness::add_checkpoint` costs per
//! request on a log of 1M entries, beside, in the same run, the Ed25519 work it cannot
//! avoid (one strict verification of the log's signature, one cosignature) and the
//! consistency proof check alone. The HTTP round trip on loopback (the p99) comes
//! with the server; this is the floor under it.
//!
//! `cargo bench -p accord-ledger --bench witness` — `ACCORD_BENCH_TREE` (default 1000000)
//! and `ACCORD_BENCH_REQUESTS` (default 5000) lower the sizes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use accord_ledger::checkpoint::Checkpoint;
use accord_ledger::merkle::{self, MemoryTree, leaf_hash};
use accord_ledger::note::{self, SignerKey, TYPE_COSIGNATURE};
use accord_ledger::witness::{AddCheckpoint, TrustedLog, Witness, WitnessState};

const ORIGIN: &str = "bench.example/log";

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

fn report(name: &str, mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    let mean = samples.iter().sum::<Duration>() / samples.len() as u32;
    println!(
        "{name:<44} n={:<6} mean {:>7.1} µs  p50 {:>7.1} µs  p99 {:>7.1} µs  max {:>7.1} µs",
        samples.len(),
        mean.as_secs_f64() * 1e6,
        percentile(&samples, 0.5).as_secs_f64() * 1e6,
        percentile(&samples, 0.99).as_secs_f64() * 1e6,
        samples.last().unwrap().as_secs_f64() * 1e6,
    );
    percentile(&samples, 0.99)
}

fn main() {
    let size = env("ACCORD_BENCH_TREE", 1_000_000);
    let requests = env("ACCORD_BENCH_REQUESTS", 5_000);
    let started = Instant::now();
    let tree = MemoryTree::from_leaves((0..size).map(|i| leaf_hash(&i.to_be_bytes())));
    println!(
        "tree of {size} leaves built in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let log = SignerKey::from_seed(ORIGIN, [1; 32]).unwrap();
    let key =
        SignerKey::from_seed_of_type("bench.example/witness", TYPE_COSIGNATURE, [2; 32]).unwrap();
    let witness = Witness::new(
        vec![key.clone()],
        vec![TrustedLog::from_key(log.verifier())],
    )
    .unwrap();

    // Requests prepared by the log beforehand: the tree grows by a few entries each time,
    // from half its size to its size, as a busy log's checkpoints do.
    let start = size / 2;
    let step = ((size - start) / requests).max(1);
    let mut bodies = Vec::new();
    let mut old = 0;
    let mut proof_hashes = 0;
    for r in 0..requests {
        let new = (start + r * step).min(size);
        let checkpoint = Checkpoint {
            origin: ORIGIN.into(),
            size: new,
            root: tree.root_at(new),
            extensions: vec![],
        };
        let body = AddCheckpoint {
            old_size: old,
            proof: merkle::consistency_proof(&tree, old, new).unwrap(),
            checkpoint: checkpoint.sign(&log).unwrap(),
        };
        proof_hashes += body.proof.len();
        bodies.push((body.encode(), checkpoint));
        old = new;
    }
    println!(
        "{requests} requests prepared; proofs of {:.1} hashes on average\n",
        proof_hashes as f64 / bodies.len() as f64
    );

    let now = jiff::Timestamp::from_second(1_700_000_000).unwrap();
    let mut state = WitnessState::new();
    let mut whole = Vec::with_capacity(bodies.len());
    for (body, _) in &bodies {
        let t = Instant::now();
        let cosigned = witness
            .add_checkpoint(&state, body.as_bytes(), now)
            .unwrap();
        state.apply(&cosigned.update).unwrap();
        whole.push(t.elapsed());
        black_box(&cosigned.body);
    }
    let p99 = report("add_checkpoint + apply (whole request)", whole);

    // The same run, the parts: the log signature's strict verification, one cosignature,
    // the consistency proof check.
    let verifier = [log.verifier()];
    let mut verify = Vec::new();
    let mut cosign = Vec::new();
    let mut consistency = Vec::new();
    let mut previous = (0u64, merkle::empty_root());
    for (body, checkpoint) in &bodies {
        let request = AddCheckpoint::parse(body.as_bytes()).unwrap();
        let t = Instant::now();
        black_box(note::open_note(&request.checkpoint, &verifier).unwrap());
        verify.push(t.elapsed());
        let text = checkpoint.body();
        let t = Instant::now();
        black_box(note::sign_note(&text, &[&key], 1_700_000_000).unwrap());
        cosign.push(t.elapsed());
        let t = Instant::now();
        merkle::verify_consistency(
            previous.0,
            checkpoint.size,
            &previous.1,
            &checkpoint.root,
            &request.proof,
        )
        .unwrap();
        consistency.push(t.elapsed());
        previous = (checkpoint.size, checkpoint.root);
    }
    let v = report("  of which: open the log's signature", verify);
    let c = report("  of which: one cosignature (Ed25519 sign)", cosign);
    let p = report("  of which: consistency proof check", consistency);
    println!(
        "\nadd_checkpoint p99 {:.1} µs vs the sum of the parts' p99 {:.1} µs ({:.2}x): parsing and recording cost the rest",
        p99.as_secs_f64() * 1e6,
        (v + c + p).as_secs_f64() * 1e6,
        p99.as_secs_f64() / (v + c + p).as_secs_f64()
    );
}
