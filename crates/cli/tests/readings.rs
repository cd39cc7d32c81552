//! `accord evaluate` and `explain` read as asked (issue #11): which view an answer uses,
//! one view on request, a contract date, and `--as-of` instants in a time zone — over the
//! staged-lifting rehearsal, whose snapback invocation is contested from 2028-01-10 to
//! 2028-03-01 (views `as-recorded`, held by `ofsi`, and `void-#12`, held by `arden`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn accord(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_accord"))
        .args(args)
        .env("NO_COLOR", "1")
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

fn err(out: Output) -> String {
    assert!(!out.status.success());
    String::from_utf8(out.stderr)
        .unwrap()
        .replace('│', " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn relief(state: &serde_json::Value, id: &str) -> String {
    state["relief"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == id)
        .unwrap()["status"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[test]
fn evaluate_says_which_view_it_uses_and_answers_in_one() {
    let dir = tempfile::tempdir().unwrap();
    let store = format!("sqlite:{}", dir.path().join("a.db").display());
    let scenario = repo().join("examples/scenarios/staged-lifting.toml");
    ok(accord(&[
        "play",
        scenario.to_str().unwrap(),
        "--store",
        &store,
    ]));
    let agreement = repo().join("examples/staged-lifting.toml");
    let agreement = agreement.to_str().unwrap();
    let evaluate = |extra: &[&str]| {
        let mut args = vec!["evaluate", agreement, "--store", &store];
        args.extend_from_slice(extra);
        accord(&args)
    };

    // Every view kept: the text says so and names each view and who holds it.
    let text = ok(evaluate(&["--as-of", "2028-02-01"]));
    assert!(
        text.contains(
            "Views: every view kept — what they disagree on is `contested`: the view held by ofsi (authority) (`as-recorded`"
        ),
        "{text}"
    );
    assert!(text.contains("`void-#12`"), "{text}");
    let all: serde_json::Value =
        serde_json::from_str(&ok(evaluate(&["--as-of", "2028-02-01", "--json"]))).unwrap();
    assert_eq!(all["view"], serde_json::Value::Null);
    assert_eq!(relief(&all, "uk-trade-suspension"), "contested");

    // One view asked for: the text and the JSON say which, and what it computes.
    let text = ok(evaluate(&["--as-of", "2028-02-01", "--view", "void-#12"]));
    assert!(
        text.contains("View: `void-#12`, the view held by arden (target) (one view asked for)"),
        "{text}"
    );
    let void: serde_json::Value = serde_json::from_str(&ok(evaluate(&[
        "--as-of",
        "2028-02-01",
        "--view",
        "void-#12",
        "--json",
    ])))
    .unwrap();
    assert_eq!(void["view"], "void-#12");
    assert_eq!(relief(&void, "uk-trade-suspension"), "granted");
    let recorded: serde_json::Value = serde_json::from_str(&ok(evaluate(&[
        "--as-of",
        "2028-02-01",
        "--view",
        "as-recorded",
        "--json",
    ])))
    .unwrap();
    assert_eq!(relief(&recorded, "uk-trade-suspension"), "reimposed");
    // explain says it too.
    let text = ok(accord(&[
        "explain",
        agreement,
        "--store",
        &store,
        "--as-of",
        "2028-02-01",
        "--view",
        "as-recorded",
    ]));
    assert!(
        text.contains(
            "View: `as-recorded`, the view held by ofsi (authority) (one view asked for)"
        ),
        "{text}"
    );

    // An unknown view is an error listing the views there are.
    let e = err(evaluate(&["--as-of", "2028-02-01", "--view", "void-#99"]));
    assert!(
        e.contains("there is no view `void-#99`: the views are as-recorded, void-#12"),
        "{e}"
    );

    // A contract date: the state answers for it, and says so.
    let text = ok(evaluate(&[
        "--as-of",
        "2028-02-01",
        "--contract",
        "2027-01-01",
    ]));
    assert!(
        text.contains("for a contract concluded on 2027-01-01"),
        "{text}"
    );
    let contract: serde_json::Value = serde_json::from_str(&ok(evaluate(&[
        "--as-of",
        "2028-02-01",
        "--contract",
        "2027-01-01",
        "--json",
    ])))
    .unwrap();
    assert_eq!(contract["contract"], "2027-01-01");
    assert!(all.get("contract").is_none());
}

#[test]
fn as_of_takes_instants_in_a_zone_and_refuses_bad_ones() {
    let dir = tempfile::tempdir().unwrap();
    let store = format!("sqlite:{}", dir.path().join("a.db").display());
    let scenario = repo().join("examples/scenarios/staged-lifting.toml");
    ok(accord(&[
        "play",
        scenario.to_str().unwrap(),
        "--store",
        &store,
    ]));
    let agreement = repo().join("examples/staged-lifting.toml");
    let agreement = agreement.to_str().unwrap();
    let as_of = |when: &str| {
        accord(&[
            "evaluate", agreement, "--store", &store, "--as-of", when, "--json",
        ])
    };
    // Midnight in London on 1 February 2028 is midnight UTC (winter time).
    let london: serde_json::Value =
        serde_json::from_str(&ok(as_of("2028-02-01T00:00[Europe/London]"))).unwrap();
    assert_eq!(london["as_of"], "2028-02-01T00:00:00Z");
    // 09:00 in Tokyo on 1 February is 00:00 UTC too.
    let tokyo: serde_json::Value =
        serde_json::from_str(&ok(as_of("2028-02-01T09:00+09:00"))).unwrap();
    assert_eq!(tokyo["as_of"], "2028-02-01T00:00:00Z");
    let e = err(as_of("2028-02-01T00:00[Europe/Londres]"));
    assert!(
        e.contains("`Europe/Londres` is not a time zone of the tz database"),
        "{e}"
    );
    assert!(e.contains("2026-07-01T00:01[America/New_York]"), "{e}");
    let e = err(as_of("2028-03-26T01:30[Europe/London]"));
    assert!(e.contains("does not exist in Europe/London"), "{e}");
    let e = err(as_of("2028-10-29T01:30[Europe/London]"));
    assert!(e.contains("occurs twice in Europe/London"), "{e}");
    let e = err(as_of("2028-02-01T00:00"));
    assert!(e.contains("has a time but no zone"), "{e}");
}

/// The text view shows what the JSON has of issue #11's states: every measure in the
/// practitioners' words with which ends are inclusive, recommendations (which change no
/// status), and whether the agreement is agreed yet.
#[test]
fn evaluate_text_shows_measures_recommendations_and_the_agreements_status() {
    let dir = tempfile::tempdir().unwrap();
    let store = format!("sqlite:{}", dir.path().join("a.db").display());
    let scenario = repo().join("examples/scenarios/staged-lifting.toml");
    ok(accord(&[
        "play",
        scenario.to_str().unwrap(),
        "--store",
        &store,
    ]));
    let agreement = repo().join("examples/staged-lifting.toml");
    let agreement = agreement.to_str().unwrap();
    let text = |as_of: &str| {
        ok(accord(&[
            "evaluate", agreement, "--store", &store, "--as-of", as_of,
        ]))
    };
    let later = text("2027-11-06");
    let section = |name: &str| -> String {
        let start = later
            .find(name)
            .unwrap_or_else(|| panic!("{name}: {later}"));
        let rest = &later[start..];
        rest[..rest[1..].find("\n\n").map_or(rest.len(), |e| e + 1)].to_owned()
    };
    let relief = section("\nRelief (SINCE inclusive; UNTIL exclusive");
    assert!(relief.contains("granted"), "{relief}");
    let measures = section(
        "\nMeasures (SINCE inclusive; UNTIL exclusive: the first day the status no longer holds)",
    );
    assert!(measures.contains("JURISDICTION"), "{measures}");
    assert!(
        measures
            .lines()
            .any(|l| l.contains("terminated") && l.contains("a snapback may revive it until")),
        "{measures}"
    );
    let signals = section("\nSignals and recommendations (they change no status)");
    assert!(
        signals.contains("recommendation")
            && signals.contains("trigger snapback")
            && signals.contains("partial reversal (the UK suspension and the EU termination)"),
        "{signals}"
    );
    // The disputed invocation: the Disputes table beside the Triggers table.
    let contested = text("2028-02-01");
    let disputes = &contested[contested.find("\nDisputes\n").expect(&contested)..];
    let row = disputes
        .lines()
        .find(|l| l.trim_start().starts_with("uk-invocation-validity "))
        .expect(disputes);
    assert!(row.contains("entry #12"), "{row}");
    assert!(contested.contains("\nTriggers\n"), "{contested}");
    // Before it takes effect the agreement is agreed, not yet in effect: the answer says so.
    let early = text("2026-01-01");
    assert!(
        early.contains("Agreement: agreed, not yet in effect (takes effect 2027-01-15)"),
        "{early}"
    );
    assert!(!later.contains("Agreement: "), "{later}");
}
