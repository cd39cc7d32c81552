//! `accord witness serve` over real HTTP on loopback: a witness started on a state file in
//! a temporary directory, a log whose checkpoints it is sent, and the answers C2SP
//! tlog-witness v1.0.0 gives each request, read back with the log side's own code.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::path::{Path, PathBuf};
use std::sync::Arc;

use accord_ledger::checkpoint::Checkpoint;
use accord_ledger::merkle::{self, MemoryTree, leaf_hash};
use accord_ledger::note::{SignerKey, TYPE_COSIGNATURE};
use accord_ledger::witness::submit::{self, Reply};
use accord_ledger::witness::{AddCheckpoint, MAX_BODY_BYTES, Witness};
use accord_server::witness::{self as http, WitnessServer};

const ORIGIN: &str = "accord.example/agreement-1";

fn log_key() -> SignerKey {
    SignerKey::from_seed(ORIGIN, [1; 32]).unwrap()
}

fn other_log_key() -> SignerKey {
    SignerKey::from_seed("other.example/log", [2; 32]).unwrap()
}

fn witness_key() -> SignerKey {
    SignerKey::from_seed_of_type("witness.example/w1", TYPE_COSIGNATURE, [7; 32]).unwrap()
}

/// A tree of `n` leaves; `fork` changes the leaf at that index (another history).
fn tree(n: u64, fork: Option<u64>) -> MemoryTree {
    MemoryTree::from_leaves((0..n).map(|i| {
        if Some(i) == fork {
            leaf_hash(b"the other story")
        } else {
            leaf_hash(&i.to_be_bytes())
        }
    }))
}

fn signed_by(tree: &MemoryTree, size: u64, key: &SignerKey) -> String {
    Checkpoint {
        origin: key.name().into(),
        size,
        root: tree.root_at(size),
        extensions: vec![],
    }
    .sign(key)
    .unwrap()
}

fn signed(tree: &MemoryTree, size: u64) -> String {
    signed_by(tree, size, &log_key())
}

fn body(tree: &MemoryTree, old: u64, size: u64) -> Vec<u8> {
    AddCheckpoint {
        old_size: old,
        proof: merkle::consistency_proof(tree, old, size).unwrap(),
        checkpoint: signed(tree, size),
    }
    .encode()
    .into_bytes()
}

/// The logs file the witness is given.
const LOGS: &str = "# the logs this witness witnesses\n\nlog {LOG}\n";

fn logs_text() -> String {
    LOGS.replace("{LOG}", &log_key().verifier().to_string())
}

fn witness() -> Witness {
    let logs = http::parse_logs("logs.txt", &logs_text()).unwrap();
    Witness::new(vec![witness_key()], logs).unwrap()
}

struct Answer {
    status: u16,
    content_type: Option<String>,
    body: String,
}

async fn post(client: &reqwest::Client, base: &str, body: Vec<u8>) -> Answer {
    let response = client
        .post(format!("{base}/add-checkpoint"))
        .body(body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned());
    Answer {
        status,
        content_type,
        body: response.text().await.unwrap(),
    }
}

/// Runs `test` against a witness on the state file `state` (served on a runtime of its
/// own, stopped and dropped, lock and all, when the test returns).
fn with_witness(state: &Path, test: impl AsyncFnOnce(&reqwest::Client, &str)) {
    let server = Arc::new(WitnessServer::open(witness(), state).unwrap());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let running = http::start(server.clone(), "127.0.0.1:0".parse().unwrap())
            .await
            .unwrap();
        let base = format!("http://{}", running.addr());
        accord_server::webhooks::install_crypto_provider();
        test(&reqwest::Client::new(), &base).await;
        running.stop().await.unwrap();
    });
    drop(runtime);
    drop(server);
}

fn state_file(dir: &tempfile::TempDir) -> PathBuf {
    dir.path().join("witness-state.json")
}

#[test]
fn a_good_checkpoint_is_cosigned_and_the_cosignature_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let t = tree(10, None);
    with_witness(&state_file(&dir), async |client, base| {
        let answer = post(client, base, body(&t, 0, 10)).await;
        assert_eq!(answer.status, 200, "{}", answer.body);
        let checkpoint = signed(&t, 10);
        let reply = submit::read_reply(
            answer.status,
            answer.content_type.as_deref(),
            &answer.body,
            &checkpoint,
            &[witness_key().verifier()],
        )
        .unwrap();
        let Reply::Cosigned(cosignatures) = reply else {
            panic!("not cosigned: {reply:?}");
        };
        assert_eq!(cosignatures.len(), 1);
        assert_eq!(cosignatures[0].witness, "witness.example/w1");
        // And the log extends from there.
        let t = tree(17, None);
        let answer = post(client, base, body(&t, 10, 17)).await;
        assert_eq!(answer.status, 200, "{}", answer.body);
    });
    // The state on disk records the last cosigned checkpoint.
    let state: accord_ledger::witness::WitnessState =
        serde_json::from_slice(&std::fs::read(state_file(&dir)).unwrap()).unwrap();
    assert_eq!(state.tree(ORIGIN), (17, tree(17, None).root()));
}

#[test]
fn the_spec_codes_for_each_refusal_and_nothing_is_cosigned() {
    let dir = tempfile::tempdir().unwrap();
    let path = state_file(&dir);
    with_witness(&path, async |client, base| {
        let t = tree(20, None);
        assert_eq!(post(client, base, body(&t, 0, 12)).await.status, 200);
        let before = std::fs::read(&path).unwrap();

        // A rollback: a smaller checkpoint, from a size that is not the recorded one: 409
        // with the recorded size in `text/x.tlog.size`.
        let rollback = post(client, base, body(&t, 0, 8)).await;
        assert_eq!(rollback.status, 409, "{}", rollback.body);
        assert_eq!(rollback.content_type.as_deref(), Some("text/x.tlog.size"));
        assert_eq!(rollback.body, "12\n");
        // Which the log side reads as a conflict to retry from.
        let reply = submit::read_reply(
            409,
            rollback.content_type.as_deref(),
            &rollback.body,
            &signed(&t, 8),
            &[witness_key().verifier()],
        )
        .unwrap();
        assert_eq!(reply, Reply::Conflict { witness_size: 12 });
        // Stating the recorded size for a smaller checkpoint: 400.
        let smaller = AddCheckpoint {
            old_size: 12,
            proof: vec![],
            checkpoint: signed(&t, 8),
        };
        let answer = post(client, base, smaller.encode().into_bytes()).await;
        assert_eq!(answer.status, 400, "{}", answer.body);

        // An origin the witness does not witness: 404.
        let other = tree(3, None);
        let unknown = AddCheckpoint {
            old_size: 0,
            proof: vec![],
            checkpoint: signed_by(&other, 3, &other_log_key()),
        };
        let answer = post(client, base, unknown.encode().into_bytes()).await;
        assert_eq!(answer.status, 404, "{}", answer.body);

        // Signed by another key under the log's name: 403.
        let impostor = SignerKey::from_seed(ORIGIN, [3; 32]).unwrap();
        let forged = AddCheckpoint {
            old_size: 12,
            proof: merkle::consistency_proof(&t, 12, 20).unwrap(),
            checkpoint: signed_by(&t, 20, &impostor),
        };
        let answer = post(client, base, forged.encode().into_bytes()).await;
        assert_eq!(answer.status, 403, "{}", answer.body);

        // A proof for another history: 422.
        let forked = tree(20, Some(3));
        let bad = AddCheckpoint {
            old_size: 12,
            proof: merkle::consistency_proof(&forked, 12, 20).unwrap(),
            checkpoint: signed(&forked, 20),
        };
        let answer = post(client, base, bad.encode().into_bytes()).await;
        assert_eq!(answer.status, 422, "{}", answer.body);
        // A damaged proof of the right history: 422.
        let mut damaged = AddCheckpoint {
            old_size: 12,
            proof: merkle::consistency_proof(&t, 12, 20).unwrap(),
            checkpoint: signed(&t, 20),
        };
        damaged.proof[0][0] ^= 1;
        let answer = post(client, base, damaged.encode().into_bytes()).await;
        assert_eq!(answer.status, 422, "{}", answer.body);

        // Malformed bodies: 400.
        for malformed in [
            b"".to_vec(),
            b"old 012\n\n".to_vec(),
            b"new 12\n\nnot a note\n".to_vec(),
            b"old 12\nnot a hash\n\n".to_vec(),
            vec![0xff, 0xfe, b'\n'],
            format!("old 12\n{}", signed(&t, 20)).into_bytes(),
        ] {
            let answer = post(client, base, malformed.clone()).await;
            assert_eq!(answer.status, 400, "{:?}: {}", malformed, answer.body);
        }

        // Oversized bodies: 400 (413 is not among the spec's codes), whether the length is
        // declared or the body merely runs on.
        let mut huge = body(&t, 12, 20);
        huge.splice(0..0, vec![b'#'; MAX_BODY_BYTES]);
        let answer = post(client, base, huge).await;
        assert_eq!(answer.status, 400, "{}", answer.body);
        assert!(answer.body.contains("16384"), "{}", answer.body);
        let base_addr = base.trim_start_matches("http://").to_owned();
        let status = tokio::task::block_in_place(|| chunked_post(&base_addr, MAX_BODY_BYTES * 4));
        assert!(status.starts_with("HTTP/1.1 400"), "{status}");

        // None of these changed the state.
        assert_eq!(std::fs::read(&path).unwrap(), before);
        // And the good request still works from the recorded size.
        assert_eq!(post(client, base, body(&t, 12, 20)).await.status, 200);
    });
}

/// Posts `n` bytes in chunks, without a Content-Length; returns the status line.
fn chunked_post(addr: &str, n: usize) -> String {
    use std::io::{Read as _, Write as _};
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    let head =
        "POST /add-checkpoint HTTP/1.1\r\nHost: witness\r\nTransfer-Encoding: chunked\r\n\r\n";
    stream.write_all(head.as_bytes()).unwrap();
    let chunk = format!("400\r\n{}\r\n", "a".repeat(1024));
    for _ in 0..n / 1024 {
        // The witness may answer and close before the body ends.
        if stream.write_all(chunk.as_bytes()).is_err() {
            break;
        }
    }
    let _ = stream.write_all(b"0\r\n\r\n");
    let mut answer = Vec::new();
    let mut buf = [0u8; 4096];
    while let Ok(n) = stream.read(&mut buf) {
        if n == 0 || answer.ends_with(b"\n") && answer.len() > 12 {
            break;
        }
        answer.extend_from_slice(&buf[..n]);
    }
    String::from_utf8_lossy(&answer)
        .lines()
        .next()
        .unwrap_or_default()
        .to_owned()
}

#[test]
fn the_state_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let path = state_file(&dir);
    let t = tree(30, None);
    with_witness(&path, async |client, base| {
        assert_eq!(post(client, base, body(&t, 0, 25)).await.status, 200);
    });
    with_witness(&path, async |client, base| {
        // The old size is refused: the witness remembers 25.
        let answer = post(client, base, body(&t, 0, 30)).await;
        assert_eq!(answer.status, 409, "{}", answer.body);
        assert_eq!(answer.body, "25\n");
        let answer = post(client, base, body(&t, 0, 20)).await;
        assert_eq!(answer.status, 409, "{}", answer.body);
        assert_eq!(post(client, base, body(&t, 25, 30)).await.status, 200);
    });
}

#[test]
fn a_second_witness_cannot_open_a_state_file_in_use() {
    let dir = tempfile::tempdir().unwrap();
    let path = state_file(&dir);
    let first = WitnessServer::open(witness(), &path).unwrap();
    let second = WitnessServer::open(witness(), &path).unwrap_err();
    assert!(
        matches!(second, http::WitnessError::Locked { .. }),
        "{second}"
    );
    drop(first);
    WitnessServer::open(witness(), &path).unwrap();
}

#[test]
fn a_state_file_that_is_not_a_state_is_refused_and_kept() {
    let dir = tempfile::tempdir().unwrap();
    let path = state_file(&dir);
    std::fs::write(&path, "{\"logs\": 3}").unwrap();
    let error = WitnessServer::open(witness(), &path).unwrap_err();
    assert!(
        matches!(error, http::WitnessError::BadState { .. }),
        "{error}"
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "{\"logs\": 3}");
}

#[test]
fn the_logs_file_is_read_strictly_with_line_and_column() {
    let key = log_key().verifier().to_string();
    let rotated = SignerKey::from_seed(ORIGIN, [5; 32]).unwrap().verifier();
    let logs = http::parse_logs(
        "logs",
        &format!("log {key} https://log.example/\n\tlog\t{rotated}\n"),
    )
    .unwrap();
    assert_eq!(logs.len(), 1);
    assert_eq!(logs[0].origin, ORIGIN);
    assert_eq!(logs[0].keys.len(), 2);

    let cases = [
        (
            format!("# ok\nwitness w {key}\n"),
            "logs:2:1: expected `log <vkey>`",
        ),
        (format!("log {key}\n  log nonsense\n"), "logs:2:7: "),
        (format!("log {key}\nlog {key}\n"), "logs:2:5: the key"),
        ("# nothing\n".to_owned(), "logs:1:1: no log is listed"),
        (format!("log {key} url extra\n"), "logs:1:1: expected"),
    ];
    for (text, expected) in cases {
        let error = http::parse_logs("logs", &text).unwrap_err().to_string();
        assert!(error.starts_with(expected), "{text:?}: {error}");
    }
}
