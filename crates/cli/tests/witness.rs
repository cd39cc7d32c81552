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

    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    assert!(child.wait().unwrap().success());
    let state = std::fs::read_to_string(d.join("s.json")).unwrap();
    assert!(state.contains("accord.example/a1"), "{state}");
}
