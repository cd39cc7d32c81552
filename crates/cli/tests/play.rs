//! `accord play` and `accord demo`: a scenario is signed, appended to a real SQLite ledger,
//! read back and evaluated; a bad scenario appends nothing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::Command;

#[path = "support/ledger.rs"]
mod ledger_common;

fn accord() -> Command {
    Command::new(env!("CARGO_BIN_EXE_accord"))
}

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples")
}

/// The timeline part of the output: everything after the checkpoint (whose root changes
/// with the generated keys).
fn timeline_of(stdout: &str) -> String {
    let start = stdout.find("\n20").expect("a timeline line");
    stdout[start + 1..].to_owned()
}

#[test]
fn playing_the_nuclear_scenario_prints_its_timeline() {
    let dir = tempfile::tempdir().unwrap();
    let store = format!("sqlite:{}", dir.path().join("a.db").display());
    let output = accord()
        .args(["play", "--store", &store])
        .arg(examples().join("scenarios/nuclear-caps.toml"))
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.contains("112 entries signed and appended to log `accord.play/arden-nuclear-2026`")
    );
    let timeline = timeline_of(&stdout);
    for expected in [
        "2026-01-15  phase adoption-day",
        "reached on 2026-01-15",
        "2026-06-04  indicator u235_enrichment review 2",
        "monitors disagree beyond the protocol's tolerance (values 3.6, 3.9)",
        "340 kg_uf6 breaches the limit of at most 300 kg_uf6",
        "2026-06-20  decision #29",
        "grants relief the evaluation does not (yet) entitle",
        "exemption humanitarian",
        // The snapback: invoked, halted, invoked and withdrawn, invoked and paused by a
        // dispute, resumed, fired; then relief earned again and the trigger re-armed.
        "2026-09-14  trigger snapback",
        "available → counting_down until 2026-10-14",
        "counting_down until 2026-10-14 → halted",
        "counting_down until 2026-10-24 → withdrawn",
        "counting_down until 2026-10-31 → paused with 23 day(s) remaining",
        "paused with 23 day(s) remaining → counting_down until 2026-11-12",
        "counting_down until 2026-11-12 → fired on 2026-11-12",
        "2027-05-05  phase implementation-day",
        "not_reached → reached on 2027-05-05",
        "fired on 2026-11-12 → dormant (re-armed on 2027-05-01)",
    ] {
        assert!(
            timeline.contains(expected),
            "missing `{expected}` in:\n{timeline}"
        );
    }

    // The log is real: `evaluate` reads it back from the same store.
    let state = accord()
        .args([
            "evaluate",
            "--store",
            &store,
            "--as-of",
            "2026-07-31",
            "--json",
        ])
        .arg(examples().join("nuclear-caps.toml"))
        .output()
        .unwrap();
    assert!(
        state.status.success(),
        "{}",
        String::from_utf8_lossy(&state.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&state.stdout).unwrap();
    assert_eq!(json["entries"], 41);

    // At the end: the snapback fired and was re-armed, and implementation-day was earned
    // again with its relief back in force.
    let state = accord()
        .args([
            "evaluate",
            "--store",
            &store,
            "--as-of",
            "2027-05-31",
            "--json",
        ])
        .arg(examples().join("nuclear-caps.toml"))
        .output()
        .unwrap();
    assert!(state.status.success());
    let json: serde_json::Value = serde_json::from_slice(&state.stdout).unwrap();
    assert_eq!(json["entries"], 112);
    let snapback = &json["triggers"][0];
    assert_eq!(snapback["status"], "dormant");
    assert_eq!(snapback["fired"], "2026-11-12");
    assert_eq!(snapback["rearmed"], "2027-05-01");
    let implementation = &json["phases"][1];
    assert_eq!(implementation["status"], "reached");
    assert_eq!(implementation["entered"], "2027-05-05");
    let eu_oil = json["relief"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == "eu-oil-suspended")
        .unwrap();
    // Earned again on 2027-05-05 and held since then: the report on the calandria for
    // 2027-04-15 to 2027-05-14 is overdue (the 2026 grant was overtaken by the fire).
    assert_eq!(eu_oil["status"], "held");
    assert_eq!(eu_oil["since"], "2027-05-05");
    assert_eq!(eu_oil["reasons"][0]["rule"], "relief.held");
    assert_eq!(eu_oil["reasons"][1]["rule"], "trigger.reentered");

    // Playing again into the same store is refused: the log exists.
    let again = accord()
        .args(["play", "--store", &store])
        .arg(examples().join("scenarios/nuclear-caps.toml"))
        .output()
        .unwrap();
    assert!(!again.status.success());
}

#[test]
fn a_scenario_with_a_bad_event_appends_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let agreement = std::fs::read_to_string(examples().join("nuclear-caps.toml")).unwrap();
    std::fs::write(dir.path().join("agreement.toml"), agreement).unwrap();
    let scenario = r#"
[scenario]
title = "Bad"
agreement = "agreement.toml"

[[events]]
at = 2026-01-15
by = "eu"
event = { id = "adoption", on = 2026-01-15 }

[[events]]
at = 2026-01-10
by = "iaea"
decision = { act = "grant", phase = "adoption-day", effective = 2026-01-10, reason = "x" }
"#;
    let path = dir.path().join("bad.toml");
    std::fs::write(&path, scenario).unwrap();
    let db = dir.path().join("a.db");
    let output = accord()
        .args(["play", "--store", &format!("sqlite:{}", db.display())])
        .arg(&path)
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("bad.toml:12:6: error: event 2: event is recorded at 2026-01-10T00:00:00Z, before the previous event"), "{stderr}");
    assert!(
        stderr.contains(
            "bad.toml:13:6: error: event 2: `iaea` has no standing to make a decision statement"
        ),
        "{stderr}"
    );
    assert!(!db.exists(), "nothing may be written for a bad scenario");
}

#[test]
fn the_demo_runs_from_anywhere() {
    let dir = tempfile::tempdir().unwrap();
    let output = accord()
        .arg("demo")
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        stdout.starts_with("Accord demo: playing 4 bundled scenario(s)"),
        "{stdout}"
    );
    for title in [
        "# Arden nuclear arrangement: a snapback and relief earned again",
        "# Caldera roadmap: partial revocation of GL 44 over barred candidates",
        "# Meridia framework: a frozen finding, an overturned decision, an overdue report escalated",
        "# Arden: relief acts, a late reform, standing findings, a partial reversal and a sunset",
    ] {
        assert!(stdout.contains(title), "missing `{title}`");
    }
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "the demo leaves nothing behind"
    );
}

#[test]
fn a_log_can_be_created_from_the_agreement_file_itself() {
    let dir = tempfile::tempdir().unwrap();
    let keygen = accord()
        .args(["key", "generate", "accord.example/arden"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(
        keygen.status.success(),
        "{}",
        String::from_utf8_lossy(&keygen.stderr)
    );
    let verifier = String::from_utf8(keygen.stdout)
        .unwrap()
        .lines()
        .find(|l| l.starts_with("accord.example/arden+"))
        .unwrap()
        .to_owned();
    let store = format!("sqlite:{}", dir.path().join("l.db").display());
    let init = accord()
        .args([
            "ledger",
            "init",
            "--store",
            &store,
            "--origin",
            "accord.example/arden",
        ])
        .arg("--roster")
        .arg(examples().join("nuclear-caps.toml"))
        .args(["--log-key", &verifier])
        .output()
        .unwrap();
    assert!(
        init.status.success(),
        "{}",
        String::from_utf8_lossy(&init.stderr)
    );
    let audit = accord()
        .args(["ledger", "audit", "--store", &store])
        .output()
        .unwrap();
    assert!(
        audit.status.success(),
        "{}",
        String::from_utf8_lossy(&audit.stderr)
    );
}

#[test]
fn a_scenario_plays_into_postgresql_and_evaluates_from_it() {
    let Some(store) = ledger_common::TestStore::postgres() else {
        return;
    };
    let output = accord()
        .args(["play", "--store", &store.url])
        .arg(examples().join("scenarios/sectoral-dispute.toml"))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let played = String::from_utf8(output.stdout).unwrap();
    let state = accord()
        .args([
            "evaluate",
            "--store",
            &store.url,
            "--as-of",
            "2027-12-31",
            "--json",
        ])
        .arg(examples().join("sectoral-two-jurisdictions.toml"))
        .output()
        .unwrap();
    assert!(
        state.status.success(),
        "{}",
        String::from_utf8_lossy(&state.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&state.stdout).unwrap();
    let entries = json["entries"].as_u64().unwrap();
    assert!(
        played.contains(&format!("{entries} entries signed and appended")),
        "the log read back from PostgreSQL holds what was played:\n{played}"
    );
    let audit = accord()
        .args(["ledger", "audit", "--store", &store.url])
        .output()
        .unwrap();
    assert!(
        audit.status.success(),
        "{}",
        String::from_utf8_lossy(&audit.stderr)
    );
}
