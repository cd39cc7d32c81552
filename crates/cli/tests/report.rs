//! `accord report --openings` and `accord verify --openings` (issue #15, selective
//! disclosure): the nuclear scenario's sealed IAEA evidence opened for entitled readers in
//! a file beside the public report, never inside it; the attested state re-run with it,
//! and not re-run (saying so) without it; a tampered opening named.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn accord(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_accord"))
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap()
}

fn scenario() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/scenarios/nuclear-caps.toml")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn openings_stay_outside_the_report_and_re_run_its_attested_state() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let store = "sqlite:a.db";
    let played = accord(d, &["play", "--store", store, scenario().to_str().unwrap()]);
    assert!(
        played.status.success(),
        "{}",
        String::from_utf8_lossy(&played.stderr)
    );
    let report = |out: &str, openings: &str| {
        accord(
            d,
            &[
                "report",
                "arden-nuclear-2026",
                "--as-of",
                "2027-06-01",
                "--out",
                out,
                "--openings",
                openings,
                "--store",
                store,
            ],
        )
    };
    // Openings inside the report's directory are refused, and nothing is written.
    let refused = report("r", "r/openings.json");
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("never part of the public bundle"));
    assert!(!d.join("r").exists());

    let written = report("r", "openings.json");
    assert!(
        written.status.success(),
        "{}",
        String::from_utf8_lossy(&written.stderr)
    );
    assert!(
        stdout(&written).contains("openings of sealed entries"),
        "{}",
        stdout(&written)
    );

    let without = accord(d, &["verify", "r"]);
    assert!(without.status.success(), "{}", stdout(&without));
    assert!(
        stdout(&without).contains("attested state was NOT re-run"),
        "{}",
        stdout(&without)
    );

    let with = accord(d, &["verify", "r", "--openings", "openings.json"]);
    assert!(with.status.success(), "{}", stdout(&with));
    assert!(
        stdout(&with).contains("ok       report.json (attested state): the engine re-run"),
        "{}",
        stdout(&with)
    );

    // One salt altered: verify fails, naming the openings file and the entry.
    let text = std::fs::read_to_string(d.join("openings.json")).unwrap();
    let at = text.find("\"salt\": \"").unwrap() + 9;
    let mut bytes = text.into_bytes();
    bytes[at] = if bytes[at] == b'0' { b'1' } else { b'0' };
    std::fs::write(d.join("bad.json"), bytes).unwrap();
    let tampered = accord(d, &["verify", "r", "--openings", "bad.json"]);
    assert_eq!(tampered.status.code(), Some(1), "{}", stdout(&tampered));
    assert!(
        stdout(&tampered).contains("MISMATCH the openings file"),
        "{}",
        stdout(&tampered)
    );
}
