//! Signals and views wherever the state is shown (issue #11 points 4 and 9), over the
//! staged-lifting rehearsal: the panel's recommendation (entry of 2027-11-05) appears in
//! `accord status`'s text and JSON and in `accord explain`, not only in `evaluate`'s tables;
//! the views of the contested snapback invocation (2028-01-10 to 2028-03-01) are named by
//! who holds them — `ofsi` (authority) and `arden` (target) — not only by the entry.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn accord(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_accord"))
        .current_dir(dir)
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

/// A store with the fixture list imported and the staged-lifting rehearsal played.
fn store() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("a.db").display());
    let list = repo().join("crates/app/tests/fixtures/status/eu-arden.xml");
    ok(accord(
        dir.path(),
        &[
            "lists",
            "import",
            list.to_str().unwrap(),
            "--source",
            "eu-fsf",
            "--observed-at",
            "2026-01-01",
            "--store",
            &url,
        ],
    ));
    let scenario = repo().join("examples/scenarios/staged-lifting.toml");
    ok(accord(
        dir.path(),
        &["play", scenario.to_str().unwrap(), "--store", &url],
    ));
    (dir, url)
}

fn agreement() -> String {
    repo()
        .join("examples/staged-lifting.toml")
        .display()
        .to_string()
}

fn status(dir: &Path, url: &str, date: &str, json: bool) -> String {
    let a = agreement();
    let mut args = vec![
        "status",
        "--store",
        url,
        "--entity",
        "eu-fsf:EU.1001.23",
        "--agreement",
        &a,
        "--date",
        date,
    ];
    if json {
        args.push("--json");
    }
    ok(accord(dir, &args))
}

#[test]
fn status_and_explain_show_signals_and_name_views_by_who_holds_them() {
    let (dir, url) = store();
    // While the invocation is contested: every view kept, each named by its holder.
    let text = status(dir.path(), &url, "2028-02-01", false);
    insta::assert_snapshot!("status_contested_with_signal", text);
    assert!(
        text.contains(
            "`as-recorded`, held by ofsi (authority); `void-#12`, held by arden (target)"
        ),
        "{text}"
    );
    assert!(
        text.contains("Signals and recommendations in `arden-staged-lifting`"),
        "{text}"
    );
    assert!(
        text.contains("recommendation by panel on trigger snapback"),
        "{text}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&status(dir.path(), &url, "2028-02-01", true)).unwrap();
    let e = &json["evaluations"][0];
    assert_eq!(e["views"], serde_json::json!(["as-recorded", "void-#12"]));
    assert_eq!(
        e["view_names"],
        serde_json::json!(["held by ofsi (authority)", "held by arden (target)"])
    );
    assert_eq!(e["signals"][0]["kind"], "recommendation");
    assert_eq!(e["signals"][0]["by"], serde_json::json!(["panel"]));
    // Before the panel recommended anything: no signal block.
    let before = status(dir.path(), &url, "2027-11-01", false);
    assert!(!before.contains("Signals and recommendations"), "{before}");

    // explain shows the signal and names the views by who holds them.
    let a = agreement();
    let explained = ok(accord(
        dir.path(),
        &[
            "explain",
            &a,
            "--store",
            &url,
            "--as-of",
            "2028-02-01",
            "uk-trade-suspension",
        ],
    ));
    insta::assert_snapshot!("explain_contested_with_signal", explained);
    assert!(
        explained.contains("signals and recommendations recorded (they change no status):"),
        "{explained}"
    );
    assert!(
        explained
            .contains("contested: in the view held by ofsi (authority) (`as-recorded`) it is ")
            && explained.contains("; in the view held by arden (target) (`void-#12`) it is "),
        "{explained}"
    );
    assert!(
        explained.contains("the view held by ofsi (authority) (`as-recorded`: invocation"),
        "{explained}"
    );
}

#[test]
fn the_state_json_names_each_view_and_its_holders_roles() {
    let (dir, url) = store();
    let a = agreement();
    let state: serde_json::Value = serde_json::from_str(&ok(accord(
        dir.path(),
        &[
            "evaluate",
            &a,
            "--store",
            &url,
            "--as-of",
            "2028-02-01",
            "--json",
        ],
    )))
    .unwrap();
    let views = state["views"].as_array().unwrap();
    assert_eq!(views.len(), 2);
    assert_eq!(views[0]["id"], "as-recorded");
    assert_eq!(views[0]["name"], "held by ofsi (authority)");
    assert_eq!(
        views[0]["holders"],
        serde_json::json!([{ "participant": "ofsi", "role": "authority" }])
    );
    assert_eq!(views[1]["id"], "void-#12");
    assert_eq!(views[1]["name"], "held by arden (target)");
    assert_eq!(
        views[1]["holders"],
        serde_json::json!([{ "participant": "arden", "role": "target" }])
    );
    // One view asked for: the text names it by its holder too.
    let text = ok(accord(
        dir.path(),
        &[
            "evaluate",
            &a,
            "--store",
            &url,
            "--as-of",
            "2028-02-01",
            "--view",
            "void-#12",
        ],
    ));
    assert!(
        text.contains("View: `void-#12`, the view held by arden (target) (one view asked for)"),
        "{text}"
    );
}
