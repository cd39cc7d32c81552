//! Report verification benchmark (issue #15): `accord verify`'s work on a report over a
//! log of 1M entries, against, in the same run, the engine replay of the same log from the
//! same bytes (every leaf decoded into its statement, then `evaluate`). Verification does
//! that replay and more: the Merkle tree of every leaf, the checkpoint's signature, the
//! report document, its page and proofs derived again and compared byte for byte.
//!
//! `cargo bench -p accord-report --bench verify` — `ENTRIES` (default 1000000) lowers the
//! size.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Instant as Clock;

use accord_core::statement::Statement;
use accord_ledger::checkpoint::Checkpoint;
use accord_ledger::entry::{Body, Entry, EntrySignature, LoggedEntry, SignedEntry};
use accord_ledger::merkle::{MemoryTree, leaf_hash};
use accord_ledger::note::SignerKey;
use accord_report::bundle::encode_log;
use accord_report::derive::statements;
use accord_report::{Inputs, build, verify};

const ORIGIN: &str = "bench.example/arden";
const AGREEMENT: &str = "arden-nuclear-2026";

fn leaf(statement: &str, by: &str, at: jiff::Timestamp) -> Vec<u8> {
    let statement: Statement = serde_json::from_str(statement).unwrap();
    LoggedEntry {
        signed: SignedEntry {
            entry: Entry {
                origin: ORIGIN.into(),
                agreement: AGREEMENT.parse().unwrap(),
                body: Body::Open(statement),
            },
            // Verification leaves author signatures to the log's audit (the checkpoint
            // vouches for the entries), so the bench need not sign a million entries.
            signatures: vec![EntrySignature {
                signer: by.parse().unwrap(),
                public_key: [1; 32],
                signature: [2; 64],
            }],
        },
        recorded_at: at,
    }
    .leaf_bytes()
}

/// Adoption and implementation, then monthly stockpile reports by the IAEA over four
/// years, each period reported again and again (the latest report counts).
fn leaves(n: usize) -> Vec<Vec<u8>> {
    let base: jiff::Timestamp = "2030-02-01T00:00:00Z".parse().unwrap();
    let mut out = vec![
        leaf(
            r#"{"kind":"event_occurred","event":"adoption","on":"2026-01-15"}"#,
            "eu",
            base,
        ),
        leaf(
            r#"{"kind":"event_occurred","event":"implementation","on":"2026-02-01"}"#,
            "eu",
            base,
        ),
    ];
    let months: Vec<(jiff::civil::Date, jiff::civil::Date)> = (0..48)
        .map(|m| {
            let start = jiff::civil::date(2026, 2, 1)
                .checked_add(jiff::Span::new().months(m))
                .unwrap();
            (start, start.last_of_month())
        })
        .collect();
    for k in 0..n.saturating_sub(2) {
        let (start, end) = months[k % months.len()];
        let value = 250 + (k % 40);
        let json = format!(
            r#"{{"kind":"evidence","indicator":"leu_stockpile","period":{{"start":"{start}","end":"{end}"}},"value":{{"type":"quantity","value":{value},"unit":"kg_uf6"}},"method":"on_site_inspection","confidentiality":"public"}}"#
        );
        let at = base
            .checked_add(jiff::SignedDuration::from_secs(k as i64 + 1))
            .unwrap();
        out.push(leaf(&json, "iaea", at));
    }
    out
}

fn main() {
    let n: usize = std::env::var("ENTRIES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/nuclear-caps.toml"
    ))
    .unwrap();
    let leaves = leaves(n);
    let log = encode_log(leaves.iter().map(Vec::as_slice));
    let tree = MemoryTree::from_leaves(leaves.iter().map(|l| leaf_hash(l)));
    drop(leaves);
    let key = SignerKey::from_seed(ORIGIN, [7; 32]).unwrap();
    let checkpoint = Checkpoint {
        origin: ORIGIN.into(),
        size: tree.size(),
        root: tree.root(),
        extensions: vec![],
    }
    .sign(&key)
    .unwrap();
    let log_key = key.verifier().to_string();
    let as_of: jiff::Timestamp = "2035-01-01T00:00:00Z".parse().unwrap();
    println!(
        "report verification: {n} entries ({} MB of log.bin), agreement examples/nuclear-caps.toml",
        log.len() / 1_000_000
    );

    // Baseline: the engine replay of the same log from the same bytes.
    let t = Clock::now();
    let decoded: Vec<LoggedEntry> = accord_report::bundle::decode_log(&log)
        .unwrap()
        .into_iter()
        .map(|l| LoggedEntry::decode(l).unwrap())
        .collect();
    let (log_statements, _) = statements(&decoded);
    let versions = accord_report::derive::versions(AGREEMENT, &[(1, &text)]).unwrap();
    let state = accord_core::engine::evaluate(&versions, &log_statements, as_of).unwrap();
    let replay = t.elapsed();
    println!(
        "  engine replay (baseline)  {:>8.3} s  {:>10.0} entries/s  ({} entries read, {} rejected)",
        replay.as_secs_f64(),
        n as f64 / replay.as_secs_f64(),
        state.entries,
        state.rejected.len()
    );
    drop((decoded, log_statements, state));

    let inputs = Inputs {
        agreement: AGREEMENT,
        as_of,
        log_key: &log_key,
        texts: vec![(1, &text)],
        checkpoint: &checkpoint,
        policy: None,
        log: &log,
        previous: None,
        disclosure: accord_report::Disclosure::Stated(None),
    };
    let t = Clock::now();
    let bundle = build(&inputs).unwrap();
    let built = t.elapsed();
    println!("  build (for reference)     {:>8.3} s", built.as_secs_f64());

    let t = Clock::now();
    let verification = verify(&bundle, Some(&log_key));
    let verified = t.elapsed();
    assert!(verification.is_ok(), "{verification:?}");
    println!(
        "  verify                    {:>8.3} s  {:>10.0} entries/s  ({:.2}x the replay; goal ≤ 2x)",
        verified.as_secs_f64(),
        n as f64 / verified.as_secs_f64(),
        verified.as_secs_f64() / replay.as_secs_f64()
    );
}
