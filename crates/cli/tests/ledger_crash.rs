//! Crash test: `accord ledger append` is killed with SIGKILL at random moments while it
//! appends a stream; after each kill, every acknowledged entry must be in the log at its
//! acknowledged index, and the log must extend every checkpoint issued before the crash.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support/ledger.rs"]
mod ledger_common;

use std::io::{BufRead as _, Write as _};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use accord_ledger::checkpoint::{decode_hex, parse_hash};
use accord_ledger::merkle;
use accord_store::ledger::Ledger;
use ledger_common::*;

/// A small deterministic generator; the seed is printed so that a failure can be replayed.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self, bound: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % bound
    }
}

fn crash_rounds(store: &TestStore, rounds: usize) {
    let dir = tempfile::tempdir().unwrap();
    let setup = Setup::new(dir.path());
    let init = Command::new(env!("CARGO_BIN_EXE_accord"))
        .args([
            "ledger", "init", "--store", &store.url, "--origin", ORIGIN, "--roster",
        ])
        .arg(&setup.roster)
        .args(["--log-key", &setup.log_vkey])
        .output()
        .unwrap();
    assert!(
        init.status.success(),
        "{}",
        String::from_utf8_lossy(&init.stderr)
    );

    let seed = std::env::var("ACCORD_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
                | 1
        });
    eprintln!(
        "crash test on {}: seed {seed} (set ACCORD_CRASH_SEED to replay)",
        store.url
    );
    let mut rng = XorShift(seed);
    let mut acked: Vec<(u64, [u8; 32])> = Vec::new();
    let mut checkpoints: Vec<(u64, merkle::Hash)> = Vec::new();
    let mut next = 0u64;
    let mut kills = 0;
    for round in 0..rounds {
        // New entries, plus a few from the previous round again: resubmission after a
        // crash must be idempotent.
        let mut lines = Vec::new();
        for i in next.saturating_sub(5)..next + 300 {
            let bytes = setup.entry(i).encode();
            lines.push(bytes.iter().map(|b| format!("{b:02x}")).collect::<String>());
        }
        next += 300;
        let mut child = Command::new(env!("CARGO_BIN_EXE_accord"))
            .args([
                "ledger",
                "append",
                "--store",
                &store.url,
                "--entries",
                "-",
                "--checkpoint-every",
                "40",
                "--checkpoint-key",
            ])
            .arg(&setup.log_key)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        let feeder = std::thread::spawn(move || {
            for line in lines {
                if writeln!(stdin, "{line}").is_err() {
                    return; // killed
                }
            }
        });
        let stdout = child.stdout.take().unwrap();
        let seen = Arc::new(Mutex::new(Vec::<String>::new()));
        let reader = {
            let seen = Arc::clone(&seen);
            std::thread::spawn(move || {
                for line in std::io::BufReader::new(stdout).lines() {
                    match line {
                        Ok(l) => seen.lock().unwrap().push(l),
                        Err(_) => return,
                    }
                }
            })
        };
        // Kill at a random moment: early (during start-up or the first batches), or after a
        // random number of acknowledgements, i.e. in the middle of the stream.
        if rng.next(3) == 0 {
            std::thread::sleep(Duration::from_millis(rng.next(80)));
        } else {
            let after = rng.next(300) as usize;
            let start = std::time::Instant::now();
            while seen.lock().unwrap().len() < after
                && child.try_wait().unwrap().is_none()
                && start.elapsed() < Duration::from_secs(10)
            {
                std::thread::sleep(Duration::from_micros(200));
            }
        }
        if child.try_wait().unwrap().is_none() {
            kills += 1;
        }
        child.kill().ok(); // SIGKILL
        child.wait().unwrap();
        feeder.join().unwrap();
        reader.join().unwrap();

        // What the killed process acknowledged before it died.
        for line in seen.lock().unwrap().iter() {
            let words: Vec<&str> = line.split(' ').collect();
            match words.as_slice() {
                [verb, index, id]
                    if (*verb == "appended" || *verb == "duplicate") && id.len() == 64 =>
                {
                    let index: u64 = index.trim_start_matches('#').parse().unwrap();
                    let id: [u8; 32] = decode_hex(id).unwrap().try_into().unwrap();
                    acked.push((index, id));
                }
                ["checkpoint", size, root] => {
                    if let Ok(root) = parse_hash(root) {
                        checkpoints.push((size.parse().unwrap(), root));
                    }
                }
                _ => {} // a line cut by the kill
            }
        }

        // After the crash: every acknowledged entry is there, every checkpoint is a prefix.
        let mut ledger = Ledger::open(&store.url.parse().unwrap(), None).unwrap();
        let size = ledger.info().size;
        for (index, id) in &acked {
            assert!(
                *index < size,
                "round {round}: acknowledged #{index} lost (size {size})"
            );
            let (entry, _) = ledger.entry(*index).unwrap();
            assert_eq!(
                entry.signed.id(),
                *id,
                "round {round}: #{index} is not the acknowledged entry"
            );
        }
        // A crash never leaves a log that a verified read refuses.
        let read = ledger
            .read_verified()
            .unwrap_or_else(|e| panic!("round {round}: {e}"));
        assert_eq!(read.entries.len() as u64, size);
        for (cp_size, cp_root) in &checkpoints {
            assert!(
                *cp_size <= size,
                "round {round}: checkpoint at {cp_size} beyond size {size}"
            );
            let proof = ledger.consistency_proof(*cp_size, size).unwrap();
            let root = ledger.root_at(size).unwrap();
            merkle::verify_consistency(*cp_size, size, cp_root, &root, &proof).unwrap_or_else(
                |e| panic!("round {round}: checkpoint {cp_size} not extended: {e}"),
            );
        }
    }
    let mut ledger = Ledger::open(&store.url.parse().unwrap(), None).unwrap();
    let report = ledger.audit().unwrap();
    assert!(report.is_clean(), "{:?}", report.findings);
    // Each entry is logged once, whatever was resubmitted around the crashes.
    let mut ids: Vec<[u8; 32]> = (0..report.entries)
        .map(|i| ledger.entry(i).unwrap().0.signed.id())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len() as u64, report.entries);
    assert!(
        !acked.is_empty(),
        "nothing was ever acknowledged: the test tested nothing"
    );
    eprintln!(
        "{rounds} rounds, {kills} killed mid-stream, {} acknowledgements, {} checkpoints, {} entries",
        acked.len(),
        checkpoints.len(),
        report.entries
    );
}

/// Rounds per store: 30 in the ordinary test run; `ACCORD_CRASH_ROUNDS` for the long run
/// whose figures are in RELIABILITY.md.
fn rounds() -> usize {
    std::env::var("ACCORD_CRASH_ROUNDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(30)
}

#[test]
fn kill_9_loses_no_acknowledged_entry_on_sqlite() {
    crash_rounds(&TestStore::sqlite(), rounds());
}

#[test]
fn kill_9_loses_no_acknowledged_entry_on_postgres() {
    if let Some(store) = TestStore::postgres() {
        crash_rounds(&store, rounds());
    }
}
