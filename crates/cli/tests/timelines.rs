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

/// `accord evaluate`'s text view shows each trigger with the date that matters in its
/// status (issue #11 point 11), read back from the store the rehearsal was played into.
#[test]
fn evaluate_shows_the_triggers_through_a_snapback() {
    let dir = tempfile::tempdir().unwrap();
    let store = format!("sqlite:{}", dir.path().join("a.db").display());
    let accord = || Command::new(env!("CARGO_BIN_EXE_accord"));
    let play = accord()
        .args(["play", "--store", &store])
        .arg(scenarios().join("nuclear-caps.toml"))
        .output()
        .unwrap();
    assert!(
        play.status.success(),
        "{}",
        String::from_utf8_lossy(&play.stderr)
    );
    let snapback_on = |day: &str| {
        let out = accord()
            .args([
                "evaluate",
                "arden-nuclear-2026",
                "--store",
                &store,
                "--as-of",
                day,
            ])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8(out.stdout).unwrap();
        let section = &text[text.find("\nTriggers\n").expect("a Triggers section")..];
        let line = section
            .lines()
            .find(|l| l.trim_start().starts_with("snapback "));
        line.expect("the snapback trigger's row")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    let counting = snapback_on("2026-09-15");
    assert!(
        counting.starts_with("snapback counting_down 2026-09-14"),
        "{counting}"
    );
    assert!(
        counting.contains("fires 2026-10-14 unless halted"),
        "{counting}"
    );
    let paused = snapback_on("2026-10-10");
    assert!(
        paused.contains("paused since 2026-10-08, 23 days left"),
        "{paused}"
    );
    let fired = snapback_on("2026-11-20");
    assert!(fired.starts_with("snapback fired"), "{fired}");
    assert!(
        fired.contains("fired 2026-11-12, wind-down until"),
        "{fired}"
    );
}
