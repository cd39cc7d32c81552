//! Issue #12 point 5: a command whose standard output is closed early (`accord check
//! bad.toml | head -1`) ends quietly with the status of a process ended by `SIGPIPE`
//! (141), not with a panic ("failed printing to stdout: Broken pipe", exit 101).
//!
//! The output is made larger than any pipe buffer and the reading end is closed before a
//! byte is read, so a write fails whatever the timing.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};

/// Runs `accord` with standard output a pipe whose reader is closed at once; the exit
/// code and what it wrote to standard error.
fn with_closed_stdout(dir: &Path, args: &[&str]) -> (Option<i32>, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_accord"))
        .current_dir(dir)
        .env_remove("ACCORD_STORE")
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    (child.wait().unwrap().code(), stderr)
}

#[test]
fn a_closed_pipe_ends_print_output_quietly() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("bad.toml"),
        "[agreement]\nid = 3\nnonsense = [\n",
    )
    .unwrap();
    // The report on every copy runs far past a pipe's buffer.
    let mut args = vec!["check"];
    args.extend(std::iter::repeat_n("bad.toml", 2000));
    let (code, stderr) = with_closed_stdout(dir.path(), &args);
    assert!(!stderr.contains("Broken pipe"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(code, Some(141), "{stderr}");
}

#[test]
fn a_closed_pipe_ends_buffered_output_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let mut pairs = String::from("name1,name2\n");
    for i in 0..20_000 {
        pairs.push_str(&format!("Person Number {i},Person Numero {i}\n"));
    }
    std::fs::write(dir.path().join("pairs.csv"), pairs).unwrap();
    let (code, stderr) = with_closed_stdout(dir.path(), &["screen", "score", "pairs.csv"]);
    assert!(!stderr.contains("Broken pipe"), "{stderr}");
    assert!(!stderr.contains("os error"), "{stderr}");
    assert_eq!(code, Some(141), "{stderr}");
}
