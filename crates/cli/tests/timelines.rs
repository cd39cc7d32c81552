//! The whole timeline of each bundled scenario, as `accord play` prints it from a real
//! ledger, kept as a snapshot: a change to the engine that moves any status, date or reason
//! of a rehearsal shows here, line by line, for review.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::Command;

fn scenarios() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/scenarios")
}

/// The printed timeline and coverage: everything after the checkpoint, whose signature
/// changes with the keys generated for each play.
fn played(scenario: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let store = format!("sqlite:{}", dir.path().join("a.db").display());
    let output = Command::new(env!("CARGO_BIN_EXE_accord"))
        .args(["play", "--coverage", "--store", &store])
        .arg(scenarios().join(scenario))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{scenario}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8(output.stdout).unwrap();
    let start = stdout.find("\n20").expect("a timeline line");
    stdout[start + 1..].to_owned()
}

#[test]
fn nuclear_caps() {
    insta::assert_snapshot!(played("nuclear-caps.toml"));
}

#[test]
fn licence_snapback() {
    insta::assert_snapshot!(played("licence-snapback.toml"));
}

#[test]
fn sectoral_dispute() {
    insta::assert_snapshot!(played("sectoral-dispute.toml"));
}

#[test]
fn staged_lifting() {
    insta::assert_snapshot!(played("staged-lifting.toml"));
}
