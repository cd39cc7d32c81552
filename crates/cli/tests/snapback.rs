//! `accord play` over the dispute and snapback scenarios: the timeline shows the stages
//! changing on their deadlines, the frozen finding, the partial revocation's wind-down and
//! reimposition, the contested outcome, and the rejected steps with their reasons.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::Command;

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples")
}

fn play(scenario: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let store = format!("sqlite:{}", dir.path().join("a.db").display());
    let output = Command::new(env!("CARGO_BIN_EXE_accord"))
        .args(["play", "--store", &store])
        .arg(examples().join("scenarios").join(scenario))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

fn assert_lines(out: &str, expected: &[&str]) {
    for e in expected {
        assert!(out.contains(e), "missing `{e}` in:\n{out}");
    }
}

#[test]
fn the_licence_scenario_revokes_gl_44_alone_with_a_wind_down() {
    let out = play("licence-snapback.toml");
    assert_lines(
        &out,
        &[
            "2026-12-01  version 2",
            "2027-01-17  phase licensing",
            "2027-01-20  dispute barred-january                       — → open at facilitated-talks",
            "2027-02-04  dispute barred-january                       open at facilitated-talks → open at authority-review",
            "invocation of `gl-44-revocation` on 2027-02-05 refused: its condition",
            "2027-02-07  trigger gl-44-revocation                     dormant → available",
            "2027-02-08  relief gl-44                                 in_force until 2027-07-17 → wind_down until 2027-03-25",
            "contracts concluded before 2027-02-08 may be performed until 2027-03-25",
            "2027-02-08  trigger gl-44-revocation                     available → fired on 2027-02-08",
            "(upheld) → resolved at authority-review (upheld, contested)",
            "escalation refused: dispute `barred-january` was resolved on 2027-03-01",
            "2027-03-25  relief gl-44                                 wind_down until 2027-03-25 → reimposed",
            // The amendment's GL 43A replaces GL 43 two months into licensing.
            "2027-03-17  relief gl-43                                 in_force → superseded",
            "replaced by `gl-43a`, in force since 2027-03-17",
            // While the mission's March report on the observers is overdue, the licences
            // resting on it are held; the late report releases them.
            "2027-03-23  relief gl-43a                                in_force → suspended",
            "2027-03-30  relief gl-43a                                suspended → in_force",
            // Bond-trading relief is lifted for good three months into licensing.
            "2027-04-17  relief gl-3i                                 in_force → lifted",
            "lifted for good on 2027-04-17: it no longer expires and no trigger reverts it",
            // GL 8M is not renewed and expires.
            "2027-07-17  relief gl-8m                                 in_force until 2027-07-17 → expired",
            "expired on 2027-07-17 (expiry, not revocation)",
            // OFAC lets it expire: a decision that follows the evaluation.
            "2027-07-10  decision #31                                 — → follows_evaluation",
        ],
    );
    // The other licences are kept: none of them is wound down or reimposed.
    for other in ["gl-43", "gl-3i", "gl-8m"] {
        assert!(
            !out.lines().any(|l| l.contains(&format!("relief {other} "))
                && (l.contains("wind_down") || l.contains("reimposed"))),
            "{other} reverted:\n{out}"
        );
    }
}

#[test]
fn the_sectoral_scenario_freezes_the_access_finding_until_the_dispute_is_exhausted() {
    let out = play("sectoral-dispute.toml");
    assert_lines(
        &out,
        &[
            "2027-03-05  commitment humanitarian_access review 2          unverified → noncompliant",
            "2027-03-10  commitment humanitarian_access review 2          noncompliant → unverified",
            "disputed in `access-q3` (open): the finding is frozen",
            "2027-05-09  dispute access-q3                                open at technical-committee → open at senior-officials",
            "2027-06-08  dispute access-q3                                open at senior-officials → exhausted at senior-officials",
            "2027-06-08  commitment humanitarian_access review 2          unverified → noncompliant",
            "escalation refused: every stage of dispute `access-q3` ran out on 2027-06-08",
        ],
    );
}
