//! Crash test of `accord serve` (issue #13): the server is killed with SIGKILL while
//! clients submit signed entries concurrently over HTTP; started again on the same store,
//! every entry it acknowledged (201 or 200 with a receipt) is in the log at its index with
//! its leaf hash, the log verifies, and an acknowledged entry submitted again is answered
//! with its first index. A bounded number of rounds on SQLite and on PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support/ledger.rs"]
mod ledger_common;

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use accord_ledger::checkpoint::encode_hash;
use accord_store::ledger::Ledger;
use ledger_common::*;

/// Clients submitting at once.
const CLIENTS: u64 = 8;
/// Server lives (each ended by SIGKILL) per store.
const ROUNDS: u64 = 3;

/// One acknowledged submission: which entry, and the receipt's index and leaf hash.
#[derive(Debug, Clone)]
struct Ack {
    entry: u64,
    index: u64,
    leaf_hash: String,
}

/// `accord serve` on the store, its address once it listens.
fn serve(dir: &Path, store: &str) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_accord"))
        .current_dir(dir)
        .env_remove("ACCORD_STORE")
        .env_remove("ACCORD_TOKENS")
        .args(["serve", "--listen", "127.0.0.1:0", "--store", store])
        .args(["--tokens", "tokens.jsonl"])
        .args(["--rate-limit-token", "off", "--rate-limit-address", "off"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let addr = lines
        .by_ref()
        .map_while(Result::ok)
        .find_map(|l| {
            l.strip_prefix("Accord serves on http://")
                .map(|rest| rest.split(' ').next().unwrap().to_owned())
        })
        .expect("the server printed no address");
    // Keep reading (and dropping) what it prints, so that it never blocks on a pipe.
    std::thread::spawn(move || lines.for_each(drop));
    (child, addr)
}

/// `POST /v1/statements` of entry `i`: the status and body, or `None` when the server
/// is gone (no connection, or no whole answer).
fn submit(addr: &str, token: &str, setup: &Setup, i: u64) -> Option<(u16, String)> {
    let hex: String = setup
        .entry(i)
        .encode()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let body = format!("{{\"entry\": \"{hex}\"}}");
    let mut stream = TcpStream::connect(addr).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .ok()?;
    write!(
        stream,
        "POST /v1/statements HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    let status = response.get(9..12)?.parse().ok()?;
    let (_, body) = response.split_once("\r\n\r\n")?;
    // A body cut by the kill is no answer.
    let receipt: serde_json::Value = serde_json::from_str(body).ok()?;
    Some((status, receipt.to_string()))
}

/// The receipt of an acknowledged submission.
fn ack(entry: u64, status: u16, body: &str) -> Option<Ack> {
    if status != 200 && status != 201 {
        return None;
    }
    let receipt: serde_json::Value = serde_json::from_str(body).unwrap();
    Some(Ack {
        entry,
        index: receipt["index"].as_u64().unwrap(),
        leaf_hash: receipt["leaf_hash"].as_str().unwrap().to_owned(),
    })
}

/// One server life: clients submit new entries until the server is killed after about
/// `kill_after` acknowledgements. Returns what was acknowledged.
fn round(
    dir: &Path,
    setup: &Arc<Setup>,
    (store, token): (&str, &str),
    first: u64,
    kill_after: usize,
) -> Vec<Ack> {
    let (mut child, addr) = serve(dir, store);
    let acked = Arc::new(Mutex::new(Vec::<Ack>::new()));
    let gone = Arc::new(AtomicBool::new(false));
    let clients: Vec<_> = (0..CLIENTS)
        .map(|c| {
            let (acked, gone, addr, token, setup) = (
                acked.clone(),
                gone.clone(),
                addr.clone(),
                token.to_owned(),
                setup.clone(),
            );
            std::thread::spawn(move || {
                // Each client its own entries; bounded, whatever happens.
                for k in 0..2_000 {
                    if gone.load(Ordering::SeqCst) {
                        return;
                    }
                    let i = first + c * 10_000 + k;
                    match submit(&addr, &token, &setup, i) {
                        Some((status, body)) => {
                            assert!(
                                status < 500 || gone.load(Ordering::SeqCst),
                                "{status}: {body}"
                            );
                            if let Some(a) = ack(i, status, &body) {
                                acked.lock().unwrap().push(a);
                            }
                        }
                        None => return,
                    }
                }
            })
        })
        .collect();
    // Kill once enough was acknowledged (or the clients are done): mid-load.
    while acked.lock().unwrap().len() < kill_after && !clients.iter().all(|c| c.is_finished()) {
        std::thread::sleep(Duration::from_millis(1));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    gone.store(true, Ordering::SeqCst);
    for c in clients {
        c.join().unwrap();
    }
    Arc::try_unwrap(acked).unwrap().into_inner().unwrap()
}

/// Every acknowledged entry is in the log at its index with its leaf hash; the log
/// verifies.
fn check(store: &str, acked: &[Ack], setup: &Setup) {
    let mut ledger = Ledger::open(&store.parse().unwrap(), None).unwrap();
    let size = ledger.info().size;
    for a in acked {
        assert!(
            a.index < size,
            "acknowledged #{} lost (size {size})",
            a.index
        );
        let (entry, hash) = ledger.entry(a.index).unwrap();
        assert_eq!(encode_hash(&hash), a.leaf_hash, "#{}", a.index);
        assert_eq!(entry.signed.id(), setup.entry(a.entry).id(), "#{}", a.index);
    }
    let read = ledger.read_verified().unwrap();
    assert_eq!(read.entries.len() as u64, size);
}

fn crash_rounds(store: &TestStore) {
    let dir = tempfile::tempdir().unwrap();
    let setup = Arc::new(Setup::new(dir.path()));
    let init = Command::new(env!("CARGO_BIN_EXE_accord"))
        .args(["ledger", "init", "--store", &store.url, "--origin", ORIGIN])
        .arg("--roster")
        .arg(&setup.roster)
        .args(["--log-key", &setup.log_vkey])
        .output()
        .unwrap();
    assert!(
        init.status.success(),
        "{}",
        String::from_utf8_lossy(&init.stderr)
    );
    let issued = Command::new(env!("CARGO_BIN_EXE_accord"))
        .current_dir(dir.path())
        .args(["token", "issue", "--role", "monitor", "--party", "iaea"])
        .args(["--tokens", "tokens.jsonl"])
        .output()
        .unwrap();
    assert!(issued.status.success());
    let token = String::from_utf8(issued.stdout).unwrap().trim().to_owned();

    let mut acked: Vec<Ack> = Vec::new();
    for r in 0..ROUNDS {
        // Killed after 20, 60, 100… acknowledgements: early, and deeper into the load.
        let kill_after = 20 + 40 * r as usize;
        let got = round(
            dir.path(),
            &setup,
            (&store.url, &token),
            r * 100_000,
            kill_after,
        );
        assert!(!got.is_empty(), "round {r}: nothing was acknowledged");
        acked.extend(got);
        check(&store.url, &acked, &setup);
    }
    // Started once more: every acknowledged entry submitted again is answered with its
    // first index and leaf hash (nothing is written twice).
    let (mut child, addr) = serve(dir.path(), &store.url);
    for a in acked.iter().step_by(7) {
        let (status, body) = submit(&addr, &token, &setup, a.entry).unwrap();
        assert_eq!(status, 200, "{body}");
        let again = ack(a.entry, status, &body).unwrap();
        assert_eq!(
            (again.index, again.leaf_hash),
            (a.index, a.leaf_hash.clone())
        );
    }
    child.kill().unwrap();
    child.wait().unwrap();
    check(&store.url, &acked, &setup);
    let mut ledger = Ledger::open(&store.url.parse().unwrap(), None).unwrap();
    let report = ledger.audit().unwrap();
    assert!(report.is_clean(), "{:?}", report.findings);
    eprintln!(
        "{}: {} acknowledged over {ROUNDS} kills, log size {}",
        store.url,
        acked.len(),
        report.entries
    );
}

#[test]
fn sigkill_under_a_submission_load_loses_no_acknowledged_entry() {
    for_each_store(crash_rounds);
}
