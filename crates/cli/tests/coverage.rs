//! The bundled scenarios together reach every status of the evaluation's vocabulary — every
//! state of the evaluation issue and of the disputes/snapback/decisions issue — at least
//! once, as `accord play --coverage --json` reports it from a real ledger.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

const SCENARIOS: &[&str] = &[
    "nuclear-caps.toml",
    "licence-snapback.toml",
    "sectoral-dispute.toml",
    "staged-lifting.toml",
];

fn scenarios() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/scenarios")
}

type Statuses = BTreeMap<String, BTreeSet<String>>;

/// Plays one scenario into a fresh SQLite store; returns (reached, never reached).
fn play(scenario: &str) -> (Statuses, Statuses) {
    let dir = tempfile::tempdir().unwrap();
    let store = format!("sqlite:{}", dir.path().join("a.db").display());
    let output = Command::new(env!("CARGO_BIN_EXE_accord"))
        .args(["play", "--coverage", "--json", "--store", &store])
        .arg(scenarios().join(scenario))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{scenario}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert!(
        !json["changes"].as_array().unwrap().is_empty(),
        "{scenario}: no timeline"
    );
    let coverage = &json["coverage"];
    let reached: Statuses = serde_json::from_value(coverage["reached"].clone()).unwrap();
    let missing: Statuses = serde_json::from_value(coverage["never_reached"].clone()).unwrap();
    (reached, missing)
}

#[test]
fn the_bundled_scenarios_together_reach_every_state() {
    let mut reached = Statuses::new();
    let mut per_scenario = Vec::new();
    for scenario in SCENARIOS {
        let (r, missing) = play(scenario);
        // What one scenario reports reached and never reached never overlap.
        for (kind, statuses) in &missing {
            if let Some(seen) = r.get(kind) {
                assert!(
                    seen.is_disjoint(statuses),
                    "{scenario}: `{kind}` both reached and never reached"
                );
            }
        }
        for (kind, statuses) in &r {
            reached
                .entry(kind.clone())
                .or_default()
                .extend(statuses.iter().cloned());
        }
        per_scenario.push((scenario, missing));
    }
    let vocabulary: Statuses = accord_core::engine::coverage::VOCABULARY
        .iter()
        .map(|(kind, statuses)| {
            (
                (*kind).to_owned(),
                statuses.iter().map(|s| (*s).to_owned()).collect(),
            )
        })
        .collect();
    let mut never = Vec::new();
    for (kind, statuses) in &vocabulary {
        for s in statuses {
            if !reached.get(kind).is_some_and(|r| r.contains(s)) {
                never.push(format!("{kind} {s}"));
            }
        }
    }
    assert!(
        never.is_empty(),
        "no bundled scenario reaches: {never:?}\n(per scenario, never reached: {per_scenario:#?})"
    );
    // Nothing outside the vocabulary: the engine and the vocabulary agree.
    for (kind, statuses) in &reached {
        let known = vocabulary
            .get(kind)
            .unwrap_or_else(|| panic!("kind `{kind}` is not in the vocabulary"));
        assert!(
            statuses.is_subset(known),
            "`{kind}` reached statuses outside the vocabulary: {:?}",
            statuses.difference(known).collect::<Vec<_>>()
        );
    }
}
