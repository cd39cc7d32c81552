//! `--view PARTICIPANT` (issue #11 point 4): the state as one participant holds it, over
//! the staged-lifting rehearsal, whose snapback invocation (entry #12, by `ofsi`) is
//! disputed by `arden` from 2028-01-10 to 2028-03-01. `arden` holds it void, `ofsi` holds
//! it counts, `eu` holds no view on it (taken as recorded, and the answer says so).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::{Value, json};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn accord(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_accord"))
        .args(args)
        .env_remove("ACCORD_STORE")
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

/// What a participant's view says of entry #12.
fn held(participant: &str, role: &str, view: &str, holds: &str) -> Value {
    json!({
        "holder": { "participant": participant, "role": role },
        "name": format!("held by {participant} ({role})"),
        "entries": [{ "entry": 12, "view": view, "holds": holds }],
    })
}

/// The state of another view, as a participant's view of it says it.
fn as_held(mut state: Value, asked: &str, participant_view: Value) -> Value {
    state["view"] = json!(asked);
    state["participant_view"] = participant_view;
    state
}

#[test]
fn a_participants_view_is_the_view_it_holds_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let store = format!("sqlite:{}", dir.path().join("a.db").display());
    let scenario = repo().join("examples/scenarios/staged-lifting.toml");
    ok(accord(&[
        "play",
        scenario.to_str().unwrap(),
        "--store",
        &store,
    ]));
    let list = repo().join("crates/app/tests/fixtures/status/eu-arden.xml");
    ok(accord(&[
        "lists",
        "import",
        list.to_str().unwrap(),
        "--source",
        "eu-fsf",
        "--observed-at",
        "2026-01-01",
        "--store",
        &store,
    ]));
    let agreement = repo().join("examples/staged-lifting.toml");
    let agreement = agreement.to_str().unwrap();
    let evaluate = |extra: &[&str]| {
        let mut args = vec![
            "evaluate",
            agreement,
            "--store",
            &store,
            "--as-of",
            "2028-02-01",
        ];
        args.extend_from_slice(extra);
        accord(&args)
    };
    let json_in = |view: &str| -> Value {
        serde_json::from_str(&ok(evaluate(&["--view", view, "--json"]))).unwrap()
    };

    // arden disputes the invocation: its view is `void-#12`, named as its view.
    let void = json_in("void-#12");
    assert_eq!(
        json_in("arden"),
        as_held(void, "arden", held("arden", "target", "void-#12", "void"))
    );
    // ofsi invoked it: as recorded, because it holds that it counts.
    let recorded = json_in("as-recorded");
    assert_eq!(
        json_in("ofsi"),
        as_held(
            recorded.clone(),
            "ofsi",
            held("ofsi", "authority", "as-recorded", "counts")
        )
    );
    // eu holds no view on it: as recorded, and the answer says so.
    assert_eq!(
        json_in("eu"),
        as_held(
            recorded.clone(),
            "eu",
            held("eu", "authority", "as-recorded", "no_view")
        )
    );
    // `participant:ID` names the participant explicitly.
    assert_eq!(
        json_in("participant:eu"),
        as_held(
            recorded,
            "participant:eu",
            held("eu", "authority", "as-recorded", "no_view")
        )
    );

    // The text names the view by who holds it, and what it takes of each invocation.
    let text = ok(evaluate(&["--view", "arden"]));
    assert!(
        text.contains(
            "View: `arden`, the view held by arden (target) (one participant's view asked for): invocation #12 void (`void-#12`)\n"
        ),
        "{text}"
    );
    let text = ok(evaluate(&["--view", "eu"]));
    assert!(
        text.contains(
            "View: `eu`, the view held by eu (authority) (one participant's view asked for): invocation #12 as recorded (eu holds no view on it)\n"
        ),
        "{text}"
    );
    let explained = ok(accord(&[
        "explain",
        agreement,
        "--store",
        &store,
        "--as-of",
        "2028-02-01",
        "--view",
        "arden",
    ]));
    assert!(
        explained.contains("View: `arden`, the view held by arden (target)"),
        "{explained}"
    );
    let status = ok(accord(&[
        "status",
        "--store",
        &store,
        "--entity",
        "eu-fsf:EU.1001.23",
        "--agreement",
        agreement,
        "--date",
        "2028-02-01",
        "--view",
        "arden",
    ]));
    assert!(
        status.contains(
            "read in view `arden`, the view held by arden (target) (one participant's view asked for): invocation #12 void (`void-#12`)"
        ),
        "{status}"
    );

    // Neither a view nor a participant: the error lists both.
    let e = err(evaluate(&["--view", "iran"]));
    assert!(
        e.contains(
            "there is no view `iran`: the views are as-recorded, void-#12; or the view held by a participant: arden, ofsi"
        ),
        "{e}"
    );
}
