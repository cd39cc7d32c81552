//! What the text views say about monitoring (issue #11 points 8 and 9): `accord init`'s
//! starter states the default for missing evidence and for how long a finding counts, and
//! `accord evaluate`'s tables show evidence held in escrow — until when, and the
//! verification gap it leaves — before and after the escrow ends.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn accord(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_accord"))
        .env_remove("ACCORD_STORE")
        .env("NO_COLOR", "1")
        .args(args)
        .output()
        .unwrap()
}

fn ok(out: Output) -> String {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The starter names the defaults a newcomer needs: a missing report is shown overdue and
/// holds no relief unless the agreement says so; findings do not stand unless `stands`
/// says for how long.
#[test]
fn init_states_the_default_for_missing_evidence_and_the_age_of_findings() {
    let text = ok(accord(&["init", "-"]));
    assert!(
        text.contains("(the default: shown overdue, relief is not held)"),
        "{text}"
    );
    assert!(
        text.contains("# stands = { max_age = \"P1Y\" }         # findings stand until replaced, at most this old"),
        "{text}"
    );
    assert!(
        text.contains("(the default: findings do not stand — each period\n")
            && text.contains("needs its own report; a missing one is overdue)"),
        "{text}"
    );
    // The same text is what `accord init FILE` writes.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("agreement.toml");
    ok(accord(&["init", path.to_str().unwrap()]));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
}

/// The nuclear-caps agreement, adopted and implemented, with February's enrichment report
/// held in escrow until 2026-04-15 (the only report for that month).
fn escrowed() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let agreement = repo().join("examples/nuclear-caps.toml");
    let scenario = format!(
        r#"[scenario]
title = "Escrowed evidence"
agreement = "{}"

[[events]]
at = 2026-01-15T10:00:00Z
by = "eu"
event = {{ id = "adoption", on = 2026-01-15 }}

[[events]]
at = 2026-02-01T09:00:00Z
by = "eu"
event = {{ id = "implementation", on = 2026-02-01 }}

[[events]]
at = 2026-03-05T08:00:00Z
by = "iaea"
evidence = {{ indicator = "u235_enrichment", period = "2026-02-01/2026-02-28", value = 3.6, method = "on_site_inspection", escrow_until = 2026-04-15 }}
"#,
        agreement.display()
    );
    let path = dir.path().join("escrow.toml");
    std::fs::write(&path, scenario).unwrap();
    let store = format!("sqlite:{}", dir.path().join("a.db").display());
    ok(accord(&["play", path.to_str().unwrap(), "--store", &store]));
    (dir, store)
}

fn indicator_row(text: &str, indicator: &str) -> String {
    let table = &text[text.find("\nIndicators").expect(text)..];
    table
        .lines()
        .find(|l| l.trim_start().starts_with(&format!("{indicator} ")))
        .expect(table)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn evaluate_shows_escrowed_evidence_and_the_gap_it_leaves() {
    let (_dir, store) = escrowed();
    let agreement = repo().join("examples/nuclear-caps.toml");
    let evaluate = |as_of: &str| {
        ok(accord(&[
            "evaluate",
            agreement.to_str().unwrap(),
            "--store",
            &store,
            "--as-of",
            as_of,
        ]))
    };
    // Held in escrow: the note says until when, and since when nothing is verified.
    let row = indicator_row(&evaluate("2026-03-20"), "u235_enrichment");
    assert!(
        row.ends_with("2026-02-01 to 2026-02-28 in escrow until 2026-04-15 (inclusive); verification gap since 2026-03-16"),
        "{row}"
    );
    // The escrow ended with nothing delivered: said so, with the gap.
    let row = indicator_row(&evaluate("2026-05-01"), "u235_enrichment");
    assert!(
        row.ends_with("2026-02-01 to 2026-02-28: escrow ended 2026-04-15 undelivered; verification gap since 2026-03-16"),
        "{row}"
    );
    // Without escrow the same report leaves no note.
    let json: serde_json::Value = serde_json::from_str(&ok(accord(&[
        "evaluate",
        agreement.to_str().unwrap(),
        "--store",
        &store,
        "--as-of",
        "2026-03-20",
        "--json",
    ])))
    .unwrap();
    let enrichment = json["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == "u235_enrichment")
        .unwrap();
    let february = enrichment["periods"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["escrow"] != serde_json::Value::Null)
        .expect("a period with escrow");
    assert_eq!(february["escrow"]["until"], "2026-04-15");
    assert_eq!(february["escrow"]["expired"], false);
}
