//! End-to-end tests of `accord evaluate`, `explain` and `timeline` (issue #4), over the
//! interim inputs: the agreement model as JSON and the log as JSON lines.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::Command;

fn accord(args: &[&str]) -> (bool, String, String) {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/engine");
    let output = Command::new(env!("CARGO_BIN_EXE_accord"))
        .current_dir(dir)
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    (
        output.status.success(),
        String::from_utf8(output.stdout).unwrap(),
        // Diagnostics wrap at the terminal's width: compare words, not lines.
        String::from_utf8(output.stderr)
            .unwrap()
            .replace('│', " ")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" "),
    )
}

const STORE: &str = "--store=jsonl:log.jsonl";

#[test]
fn evaluate_prints_a_readable_table() {
    let (ok, out, err) = accord(&["evaluate", "agreement.json", STORE, "--as-of", "2026-07-10"]);
    assert!(ok, "{err}");
    insta::assert_snapshot!(out);
}

#[test]
fn evaluate_json_is_the_documented_state() {
    let (ok, out, err) = accord(&[
        "evaluate",
        "agreement.json",
        STORE,
        "--as-of",
        "2026-07-10",
        "--json",
    ]);
    assert!(ok, "{err}");
    let state: serde_json::Value = serde_json::from_str(&out).unwrap();
    // Top-level keys in their documented order (the text, not the parsed map, keeps it).
    let keys: Vec<&str> = out
        .lines()
        .filter_map(|l| l.strip_prefix("  \""))
        .filter_map(|l| l.split('"').next())
        .collect();
    assert_eq!(
        keys,
        [
            "agreement",
            "version",
            "as_of",
            "date",
            "entries",
            "versions",
            "reviews",
            "indicators",
            "commitments",
            "phases",
            "relief",
            "relief_by_measure",
            "exemptions",
            "triggers",
            "disputes",
            "decisions",
            "events",
            "rejected",
            "agreement_status",
            "measures",
            "signals",
            "views",
            "view"
        ]
    );
    assert_eq!(state["phases"][0]["status"], "reached");
    assert_eq!(state["phases"][0]["entered"], "2026-07-06");
    assert_eq!(state["relief"][0]["status"], "held");
    assert_eq!(state["agreement_status"], "in_effect");
    assert_eq!(state["exemptions"][0]["in_force"], true);
    assert_eq!(state["rejected"][0]["entry"], 8);
    insta::assert_snapshot!("state_json", out);
    // Byte for byte the same on a second run.
    let (_, again, _) = accord(&[
        "evaluate",
        "agreement.json",
        STORE,
        "--as-of",
        "2026-07-10",
        "--json",
    ]);
    assert_eq!(out, again);
}

#[test]
fn explain_gives_reasons_and_what_remains() {
    let (ok, out, err) = accord(&[
        "explain",
        "agreement.json",
        STORE,
        "--as-of",
        "2026-07-10",
        "p2",
    ]);
    assert!(ok, "{err}");
    insta::assert_snapshot!(out);
    let (ok, out, err) = accord(&[
        "explain",
        "agreement.json",
        STORE,
        "--as-of",
        "2026-07-10",
        "stockpile",
    ]);
    assert!(ok, "{err}");
    insta::assert_snapshot!("explain_indicator", out);
}

#[test]
fn timeline_lists_every_change_with_its_date() {
    let (ok, out, err) = accord(&[
        "timeline",
        "agreement.json",
        STORE,
        "--from",
        "2026-04-01",
        "--to",
        "2026-07-10",
    ]);
    assert!(ok, "{err}");
    insta::assert_snapshot!(out);
}

#[test]
fn bad_arguments_are_clear_errors() {
    let (ok, _, err) = accord(&[
        "evaluate",
        "agreement.json",
        STORE,
        "--as-of",
        "last tuesday",
    ]);
    assert!(!ok);
    assert!(
        err.contains(
            "`last tuesday` is not a date, an RFC 3339 instant or a local time with its zone"
        ),
        "{err}"
    );
    // Before the agreement takes effect it answers: agreed, not yet in effect.
    let (ok, out, err) = accord(&[
        "evaluate",
        "agreement.json",
        STORE,
        "--as-of",
        "2025-06-01",
        "--json",
    ]);
    assert!(ok, "{err}");
    let state: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(state["agreement_status"], "agreed");
    let (ok, _, err) = accord(&[
        "evaluate",
        "agreement.json",
        "--store",
        "sqlite:x.db",
        "--as-of",
        "2026-07-10",
    ]);
    assert!(!ok);
    assert!(
        err.contains("the store `sqlite:x.db` does not exist"),
        "{err}"
    );
    let (ok, _, err) = accord(&[
        "explain",
        "agreement.json",
        STORE,
        "--as-of",
        "2026-07-10",
        "nothing",
    ]);
    assert!(!ok);
    assert!(
        err.contains("`nothing` is nothing the agreement names"),
        "{err}"
    );
}
