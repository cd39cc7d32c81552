//! End-to-end test of `accord witness serve`: keys made with `accord key generate`, a
//! checkpoint signed with `accord note sign`, the binary started on a loopback port, sent
//! the checkpoint over plain HTTP, and stopped with SIGTERM.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn accord(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_accord"))
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap()
}

fn post(addr: &str, body: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).unwrap();
    write!(
        stream,
        "POST /add-checkpoint HTTP/1.1\r\nHost: {addr}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response.get(9..12).unwrap().parse().unwrap();
    (
        status,
        response.split_once("\r\n\r\n").unwrap().1.to_owned(),
    )
}

fn get(addr: &str, path: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response.get(9..12).unwrap().parse().unwrap();
    (
        status,
        response.split_once("\r\n\r\n").unwrap().1.to_owned(),
    )
}

#[test]
fn a_witness_cosigns_a_checkpoint_of_its_log_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let made = accord(
        d,
        &["key", "generate", "accord.example/a1", "--out", "log.key"],
    );
    assert!(made.status.success());
    let log_vkey = String::from_utf8(made.stdout).unwrap();
    let made = accord(
        d,
        &[
            "key",
            "generate",
            "witness.example/w1",
            "--cosigner",
            "--out",
            "w1.key",
        ],
    );
    assert!(made.status.success());
    let witness_vkey = String::from_utf8(made.stdout).unwrap().trim().to_owned();

    // A logs file with a bad line is refused where it is wrong, and no state is made.
    std::fs::write(
        d.join("bad.txt"),
        format!("log {log_vkey}witness w1 {witness_vkey}\n"),
    )
    .unwrap();
    let refused = accord(
        d,
        &[
            "witness", "serve", "--key", "w1.key", "--logs", "bad.txt", "--state", "s.json",
        ],
    );
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("bad.txt:2:1:"), "{stderr}");
    assert!(!d.join("s.json").exists());

    // The empty tree's checkpoint, signed by the log.
    std::fs::write(d.join("logs.txt"), format!("log {log_vkey}")).unwrap();
    std::fs::write(
        d.join("checkpoint.txt"),
        "accord.example/a1\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n",
    )
    .unwrap();
    let signed = accord(d, &["note", "sign", "--key", "log.key", "checkpoint.txt"]);
    assert!(signed.status.success());
    let checkpoint = String::from_utf8(signed.stdout).unwrap();

    let mut child = Command::new(env!("CARGO_BIN_EXE_accord"))
        .current_dir(d)
        .args(["witness", "serve", "--key", "w1.key", "--logs", "logs.txt"])
        .args(["--state", "s.json", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    let addr = line
        .strip_prefix("The witness serves on http://")
        .and_then(|rest| rest.split('/').next())
        .unwrap_or_else(|| panic!("no address in {line:?}"))
        .to_owned();

    let (status, body) = post(&addr, &format!("old 0\n\n{checkpoint}"));
    assert_eq!(status, 200, "{body}");
    assert!(body.starts_with("\u{2014} witness.example/w1 "), "{body}");
    // An old size above the checkpoint's: 400, checked before the recorded size.
    let (status, _) = post(&addr, &format!("old 3\n\n{checkpoint}"));
    assert_eq!(status, 400);
    // What it cosigned is published (for a log to make split-view evidence), the log's
    // signature included; a log it never cosigned is a 404.
    let (status, published) = get(&addr, "/checkpoint/accord.example/a1");
    assert_eq!(status, 200, "{published}");
    assert!(published.starts_with(checkpoint.trim_end()), "{published}");
    assert!(
        published.contains("\u{2014} witness.example/w1 "),
        "{published}"
    );
    let (status, _) = get(&addr, "/checkpoint/accord.example/other");
    assert_eq!(status, 404);

    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    assert!(child.wait().unwrap().success());
    let state = std::fs::read_to_string(d.join("s.json")).unwrap();
    assert!(state.contains("accord.example/a1"), "{state}");
}

/// Issue #15 end to end: a log's checkpoint cosigned by a real `accord witness serve`
/// through `accord ledger witness`, a report resting on it under the witness policy, and
/// `accord verify` on the report's directory with the store gone.
#[test]
fn a_report_on_a_checkpoint_cosigned_by_a_running_witness_verifies_without_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let demo = accord(d, &["demo", "--keep", "demo"]);
    assert!(
        demo.status.success(),
        "{}",
        String::from_utf8_lossy(&demo.stderr)
    );
    let store = "sqlite:demo/accord.db";
    let origin = "accord.play/arden-nuclear-2026";
    // The log's key, as any earlier report names it.
    let first = accord(
        d,
        &[
            "report",
            "arden-nuclear-2026",
            "--as-of",
            "2027-06-01",
            "--out",
            "r0",
            "--store",
            store,
        ],
    );
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("r0/manifest.json")).unwrap())
            .unwrap();
    let log_vkey = manifest["log_key"].as_str().unwrap().to_owned();
    let made = accord(
        d,
        &[
            "key",
            "generate",
            "witness.example/w1",
            "--cosigner",
            "--out",
            "w1.key",
        ],
    );
    let witness_vkey = String::from_utf8(made.stdout).unwrap().trim().to_owned();
    std::fs::write(d.join("logs.txt"), format!("log {log_vkey}\n")).unwrap();

    let mut child = Command::new(env!("CARGO_BIN_EXE_accord"))
        .current_dir(d)
        .args(["witness", "serve", "--key", "w1.key", "--logs", "logs.txt"])
        .args(["--state", "s.json", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    let addr = line
        .strip_prefix("The witness serves on http://")
        .and_then(|rest| rest.split('/').next())
        .unwrap_or_else(|| panic!("no address in {line:?}"))
        .to_owned();
    std::fs::write(
        d.join("policy.txt"),
        format!("log {log_vkey}\nwitness w1 {witness_vkey} http://{addr}\nquorum w1\n"),
    )
    .unwrap();

    // Without a cosignature, no report rests on a witnessed checkpoint.
    let refused = accord(
        d,
        &[
            "report",
            "arden-nuclear-2026",
            "--as-of",
            "2027-06-01",
            "--out",
            "r1",
            "--policy",
            "policy.txt",
            "--store",
            store,
        ],
    );
    assert!(!refused.status.success());
    assert!(!d.join("r1").exists());

    let witnessed = accord(
        d,
        &[
            "ledger",
            "witness",
            "--policy",
            "policy.txt",
            "--store",
            store,
            "--log",
            origin,
        ],
    );
    let said = String::from_utf8_lossy(&witnessed.stdout);
    assert!(
        witnessed.status.success(),
        "{said}{}",
        String::from_utf8_lossy(&witnessed.stderr)
    );
    assert!(said.contains("w1: cosigned"), "{said}");
    assert!(said.contains("\u{2014} witness.example/w1 "), "{said}");
    let again = accord(
        d,
        &[
            "ledger",
            "witness",
            "--policy",
            "policy.txt",
            "--store",
            store,
            "--log",
            origin,
        ],
    );
    assert!(String::from_utf8_lossy(&again.stdout).contains("w1: had cosigned it before"));

    let report = accord(
        d,
        &[
            "report",
            "arden-nuclear-2026",
            "--as-of",
            "2027-06-01",
            "--out",
            "r1",
            "--previous",
            "r0",
            "--policy",
            "policy.txt",
            "--store",
            store,
        ],
    );
    assert!(
        report.status.success(),
        "{}",
        String::from_utf8_lossy(&report.stderr)
    );
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    assert!(child.wait().unwrap().success());
    std::fs::remove_dir_all(d.join("demo")).unwrap();

    let verified = accord(d, &["verify", "r1"]);
    let said = String::from_utf8_lossy(&verified.stdout);
    assert!(verified.status.success(), "{said}");
    assert!(
        said.contains("ok       checkpoint.txt (cosignatures)"),
        "{said}"
    );
    assert!(said.contains("ok       consistency.json"), "{said}");
    let trusted = accord(d, &["verify", "r1", "--log-key", &log_vkey]);
    assert!(trusted.status.success());

    // One byte of the state changed: verify fails and names the file.
    let path = d.join("r1/state.json");
    let mut state = std::fs::read(&path).unwrap();
    let at = state.len() / 2;
    state[at] ^= 0x01;
    std::fs::write(&path, state).unwrap();
    let tampered = accord(d, &["verify", "r1"]);
    let said = String::from_utf8_lossy(&tampered.stdout);
    assert_eq!(tampered.status.code(), Some(1), "{said}");
    assert!(said.contains("MISMATCH state.json"), "{said}");
    assert!(said.contains("NOT VERIFIED"), "{said}");
}
