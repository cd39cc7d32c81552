//! `accord play` over the dispute and snapback scenarios: the timeline shows the stages
//! changing on their deadlines, the frozen finding, the partial revocation's wind-down and
//! reimposition, the contested outcome, the rejected steps with their reasons, a countdown
//! paused by a dispute, and relief earned again after a snapback.
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
            "2027-02-08  relief gl-44                                 granted until 2027-07-17 → wind_down until 2027-03-25",
            "contracts concluded before 2027-02-08 may be performed until 2027-03-25",
            "2027-02-08  trigger gl-44-revocation                     available → fired on 2027-02-08",
            "(upheld) → resolved at authority-review (upheld, contested)",
            "escalation refused: dispute `barred-january` was resolved on 2027-03-01",
            "2027-03-25  relief gl-44                                 wind_down until 2027-03-25 → reimposed",
            // The amendment's GL 43A replaces GL 43 two months into licensing.
            "2027-03-17  relief gl-43                                 granted → superseded",
            "replaced by `gl-43a`, in force since 2027-03-17",
            // While the mission's March report on the observers is overdue, the licences
            // resting on it are held; the late report releases them.
            "2027-03-23  relief gl-43a                                granted → held",
            "2027-03-30  relief gl-43a                                held → granted",
            // Bond-trading relief is lifted for good three months into licensing.
            "2027-04-17  relief gl-3i                                 granted → lifted",
            "lifted for good on 2027-04-17: it no longer expires and no trigger reverts it",
            // GL 8M is not renewed and expires.
            "2027-07-17  relief gl-8m                                 granted until 2027-07-17 → expired",
            "expired on 2027-07-17 (expiry, not revocation)",
            // The amendment lowers the release target from 100 to 80: the same 90 releases
            // breach it in review 1 (governed by version 1) and meet it in review 2.
            "count 90 breaches the limit of at least 100 [#11, #12]",
            "2027-04-20  indicator prisoners_released review 2        missing → compliant",
            "count 91 meets the limit of at least 80 [#29, #30]",
            // OFAC lets it expire: a decision that follows the evaluation.
            "2027-07-10  decision #35                                 — → follows_evaluation",
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
fn the_sectoral_scenario_freezes_sets_aside_withdraws_and_escalates() {
    let out = play("sectoral-dispute.toml");
    // Column widths follow the longest subject: compare with runs of spaces squeezed.
    let squeeze = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let played = squeeze(&out);
    for e in [
        // The access finding, frozen while disputed, counts again once the dispute is
        // exhausted.
        "2027-03-05 commitment humanitarian_access review 2 unverified → noncompliant",
        "2027-03-10 commitment humanitarian_access review 2 noncompliant → unverified",
        "disputed in `access-q3` (open): the finding is frozen",
        "2027-05-09 dispute access-q3 open at technical-committee → open at senior-officials",
        "2027-06-08 dispute access-q3 open at senior-officials → exhausted at senior-officials",
        "2027-06-08 commitment humanitarian_access review 2 unverified → noncompliant",
        "escalation refused: every stage of dispute `access-q3` ran out on 2027-06-08",
        // The UK's hold, disputed by Meridia: in effect while open, set aside when
        // overturned, and the licence back in force that day.
        "2027-03-12 decision #10 — → departure",
        "2027-03-15 relief uk-energy-licence granted until 2027-12-05 → held",
        "2027-03-18 decision #10 departure → departure, disputed in uk-licence-hold",
        "disputed in `uk-licence-hold` since 2027-03-18 (open): it stays in effect meanwhile",
        "2027-04-02 decision #10 departure, disputed in uk-licence-hold → departure, set aside by uk-licence-hold",
        "2027-03-26 dispute uk-licence-hold open at technical-committee → open at arbitration",
        "stage `arbitration` (Arbitration panel under the framework's annex) began on 2027-03-26; deadline 2027-05-25",
        "2027-04-02 dispute uk-licence-hold open at arbitration → resolved at arbitration (overturned)",
        "2027-04-02 relief uk-energy-licence held → granted until 2027-12-05",
        "the decision of 2027-03-15 was set aside on 2027-04-02 (dispute `uk-licence-hold` overturned it)",
        // The EU's tender dispute: frozen, then withdrawn by the EU alone.
        "2027-06-15 indicator contracts_without_tender review 2 compliant → unverified",
        "`meridia` did not open dispute `tender-q4`: only `eu` may withdraw it",
        "2027-06-25 dispute tender-q4 open at technical-committee → withdrawn at technical-committee",
        "2027-06-25 indicator contracts_without_tender review 2 unverified → compliant",
        // The overdue tender report: the policy opens a dispute the day after the grace,
        // it runs out to the senior officials, and the report closes it.
        "2027-10-12 dispute overdue-contracts_without_tender-2027-05-28 — → open at technical-committee",
        "opened on 2027-10-12 by the agreement's overdue policy (`contracts_without_tender`: escalate to `technical-committee`)",
        "2027-10-12 indicator contracts_without_tender review 3 missing → overdue",
        "dispute `overdue-contracts_without_tender-2027-05-28` opened on 2027-10-12 by the overdue policy (open at stage `technical-committee`)",
        "2027-11-11 dispute overdue-contracts_without_tender-2027-05-28 open at technical-committee → open at senior-officials",
        "2027-11-20 dispute overdue-contracts_without_tender-2027-05-28 open at senior-officials → resolved at senior-officials (report received)",
        "closed on 2027-11-20: the report on `contracts_without_tender` for 2027-05-28 to 2027-08-27 was recorded",
    ] {
        assert!(played.contains(&squeeze(e)), "missing `{e}` in:\n{out}");
    }
}

#[test]
fn the_nuclear_scenario_pauses_the_countdown_fires_and_earns_relief_again() {
    let out = play("nuclear-caps.toml");
    assert_lines(
        &out,
        &[
            "2026-09-11  trigger snapback                                dormant → available",
            "2026-09-14  trigger snapback                                available → counting_down until 2026-10-14",
            "2026-09-21  trigger snapback                                counting_down until 2026-10-14 → halted",
            "countdown halted on 2026-09-21 by `unsc`",
            "2026-09-24  trigger snapback                                halted → counting_down until 2026-10-24",
            "2026-09-28  trigger snapback                                counting_down until 2026-10-24 → withdrawn",
            "2026-10-01  trigger snapback                                withdrawn → counting_down until 2026-10-31",
            "2026-10-08  trigger snapback                                counting_down until 2026-10-31 → paused with 23 day(s) remaining",
            "paused since 2026-10-08 while dispute `stockpile-july` (over `stockpile_cap`) is open",
            "2026-10-20  trigger snapback                                paused with 23 day(s) remaining → counting_down until 2026-11-12",
            "2026-11-12  trigger snapback                                counting_down until 2026-11-12 → fired on 2026-11-12",
            "2026-11-12  phase implementation-day                        reached on 2026-07-15 → not_reached",
            "2026-11-12  relief eu-oil-suspended                         granted → wind_down until 2027-05-11",
            "2027-05-01  relief civil-cooperation                        wind_down until 2027-05-11 → granted",
            "2027-05-01  trigger snapback                                fired on 2026-11-12 → dormant (re-armed on 2027-05-01)",
            "2027-05-05  phase implementation-day                        not_reached → reached on 2027-05-05",
            "met at review 5 (only reviews that begin on or after 2026-11-12 count)",
            "2027-05-05  relief eu-oil-suspended                         wind_down until 2027-05-11 → granted",
            "phase `implementation-day` re-entered on 2027-05-05",
            "2027-05-05  relief us-energy-waiver                         wind_down until 2027-05-11 → granted until 2027-09-02",
        ],
    );
    // Nothing the scenario does is refused, and relief is never reimposed: it was earned
    // again before the wind-down ended.
    assert!(!out.contains("rejected"), "{out}");
    assert!(!out.contains("→ reimposed"), "{out}");
}

#[test]
fn explain_names_the_decision_its_departure_and_the_dispute_that_set_it_aside() {
    let dir = tempfile::tempdir().unwrap();
    let store = format!("sqlite:{}", dir.path().join("a.db").display());
    let played = Command::new(env!("CARGO_BIN_EXE_accord"))
        .args(["play", "--store", &store])
        .arg(examples().join("scenarios/sectoral-dispute.toml"))
        .output()
        .unwrap();
    assert!(played.status.success());
    let explain = |id: &str| {
        let out = Command::new(env!("CARGO_BIN_EXE_accord"))
            .args(["explain", "--store", &store, "--as-of", "2027-04-05"])
            .arg(examples().join("sectoral-two-jurisdictions.toml"))
            .arg(id)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let decision = "decision #10: hold effective 2027-03-15 — a departure from the evaluation, set aside, disputed in `uk-licence-hold`: \"held pending the outcome of the access dispute\"";
    let by_entry = explain("#10");
    assert!(by_entry.contains(decision), "{by_entry}");
    assert!(
        by_entry.contains("decision.set_aside: set aside on 2027-04-02"),
        "{by_entry}"
    );
    // The relief it concerned names it too.
    let relief = explain("uk-energy-licence");
    assert!(
        relief.contains("relief `uk-energy-licence` (UK general licence for energy trade): granted since 2027-04-02"),
        "{relief}"
    );
    assert!(relief.contains(decision), "{relief}");
    let dispute = explain("uk-licence-hold");
    assert!(
        dispute.contains(
            "dispute `uk-licence-hold`: resolved at `arbitration` (effect on what it disputes: set_aside)"
        ),
        "{dispute}"
    );
    let unknown = Command::new(env!("CARGO_BIN_EXE_accord"))
        .args(["explain", "--store", &store, "--as-of", "2027-04-05"])
        .arg(examples().join("sectoral-two-jurisdictions.toml"))
        .arg("#999")
        .output()
        .unwrap();
    assert!(!unknown.status.success());
    let stderr = String::from_utf8(unknown.stderr).unwrap();
    assert!(
        stderr.contains("`#999` is nothing the agreement names"),
        "{stderr}"
    );
}
