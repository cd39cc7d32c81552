//! End-to-end tests of `accord status` and `accord lists export`: a small list of our own
//! is imported, the nuclear-caps scenario is played into the same store, and the answer is
//! asked before and after the delisting comes into force.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn accord(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_accord"))
        .current_dir(dir)
        .env_remove("ACCORD_STORE")
        .args(args)
        .output()
        .unwrap()
}

fn ok(output: Output) -> String {
    assert!(
        output.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A store with the fixture list imported (observed 2026-01-01) and, when `play`, the
/// nuclear-caps scenario played into it (the delistings come into force on 2026-06-20).
fn store(play: bool) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("accord.db").display());
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
    if play {
        let scenario = repo().join("examples/scenarios/nuclear-caps.toml");
        ok(accord(
            dir.path(),
            &["play", scenario.to_str().unwrap(), "--store", &url],
        ));
    }
    (dir, url)
}

fn agreement() -> String {
    repo()
        .join("examples/nuclear-caps.toml")
        .display()
        .to_string()
}

fn status_json(dir: &Path, url: &str, extra: &[&str]) -> serde_json::Value {
    let mut args = vec!["status", "--store", url, "--json"];
    args.extend_from_slice(extra);
    serde_json::from_str(&ok(accord(dir, &args))).unwrap()
}

fn outcome<'a>(v: &'a serde_json::Value, jurisdiction: &str) -> &'a str {
    v["status"]["jurisdictions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|j| j["jurisdiction"] == jurisdiction)
        .unwrap()["outcome"]
        .as_str()
        .unwrap()
}

/// The surface of `accord status` and `accord lists export`: flags, the text answer, the
/// documented JSON envelope, errors with hints. The composition itself is tested in
/// `accord-app` and `accord-lists`.
#[test]
fn status_answers_in_text_and_json_and_export_writes_ftm() {
    let (dir, url) = store(true);
    let a = agreement();
    let text = ok(accord(
        dir.path(),
        &[
            "status",
            "--store",
            &url,
            "--entity",
            "eu-fsf:EU.1001.23",
            "--date",
            "2026-03-01",
        ],
    ));
    assert!(text.contains("From the lists alone"), "{text}");
    assert!(text.contains("EU: prohibited"), "{text}");
    assert!(text.contains("US: not listed"), "{text}");
    let after = [
        "--entity",
        "eu-fsf:EU.1001.23",
        "--agreement",
        &a,
        "--jurisdiction",
        "EU,US",
        "--date",
        "2026-06-25",
        "--activity",
        "food",
    ];
    let v = status_json(dir.path(), &url, &after);
    assert_eq!(v["query"]["entity"], "eu-fsf:EU.1001.23");
    assert_eq!(v["query"]["name"], serde_json::Value::Null);
    assert_eq!(outcome(&v, "EU"), "relieved");
    let listing = &v["status"]["jurisdictions"][0]["listings"][0];
    assert_eq!(listing["matched"], "identified as `eu-fsf:EU.1001.23`");
    let decision = &listing["relief"][0]["decision"];
    let mut args = vec!["status", "--store", url.as_str()];
    args.extend_from_slice(&after);
    let text = ok(accord(dir.path(), &args));
    assert!(text.contains("EU: relieved"), "{text}");
    assert!(
        text.contains(&format!(
            "by decision #{} of 2026-06-20, a departure from the evaluation: \"implementation-day relief granted on the IAEA verification reports\"",
            decision["entry"]
        )),
        "{text}"
    );
    // Which view the answer uses, and a contract date: said in the JSON and in the text.
    assert_eq!(v["evaluations"][0]["agreement"], "arden-nuclear-2026");
    assert_eq!(v["evaluations"][0]["view"], serde_json::Value::Null);
    assert!(
        text.contains("read as recorded (nothing is contested)"),
        "{text}"
    );
    let mut read = after.to_vec();
    read.extend_from_slice(&["--view", "as-recorded", "--contract", "2026-01-01"]);
    let w = status_json(dir.path(), &url, &read);
    assert_eq!(w["evaluations"][0]["view"], "as-recorded");
    assert_eq!(w["evaluations"][0]["contract"], "2026-01-01");
    assert_eq!(w["status"], v["status"]);
    let mut args = vec!["status", "--store", url.as_str()];
    args.extend_from_slice(&read);
    let text = ok(accord(dir.path(), &args));
    assert!(
        text.contains("Agreement `arden-nuclear-2026` read in view `as-recorded`, for a contract concluded on 2026-01-01"),
        "{text}"
    );
    // The agreement by the id the store registered when the scenario was played.
    let by_id = ["--agreement", "arden-nuclear-2026"];
    let mut registered = after.to_vec();
    registered.splice(2..4, by_id);
    assert_eq!(
        status_json(dir.path(), &url, &registered)["status"],
        v["status"]
    );
    // An unknown entity: the error and the CLI's hint.
    let out = accord(
        dir.path(),
        &["status", "--store", &url, "--entity", "eu-fsf:nope"],
    );
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("no designation `nope` of `eu-fsf`"),
        "{stderr}"
    );
    assert!(stderr.contains("find it with"), "{stderr}");
    // A store that does not exist is not created by asking.
    let absent = dir.path().join("absent.db");
    let out = accord(
        dir.path(),
        &[
            "status",
            "--store",
            &format!("sqlite:{}", absent.display()),
            "--name",
            "x",
        ],
    );
    assert!(!out.status.success());
    assert!(!absent.exists());
    // The export: one FtM entity per line.
    let text = ok(accord(
        dir.path(),
        &[
            "lists",
            "export",
            "--store",
            &url,
            "--agreement",
            &a,
            "--date",
            "2026-06-25",
        ],
    ));
    let entities: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let sanction = entities
        .iter()
        .find(|e| e["id"] == "accord-eu-fsf-eu-1001-23-sanction")
        .unwrap();
    assert_eq!(sanction["properties"]["status"][0], "delisted");
}

fn refused(output: Output) -> String {
    assert!(!output.status.success(), "accepted: {output:?}");
    assert!(output.stdout.is_empty(), "{output:?}");
    String::from_utf8(output.stderr).unwrap()
}

/// Issue #12 point 4: jurisdictions are read as countries (ISO 3166, with aliases) or
/// bodies, the United Kingdom answered as `UK` whichever way it is written; unknown codes,
/// empty names and days that do not exist are refused with the value named.
#[test]
fn status_validates_jurisdictions_names_and_dates() {
    let (dir, url) = store(false);
    let entity = ["--entity", "eu-fsf:EU.1001.23", "--date", "2026-03-01"];
    for (given, key) in [
        ("GB", "UK"),
        ("UK", "UK"),
        ("United Kingdom", "UK"),
        ("usa", "US"),
        ("eu", "EU"),
        ("UN", "UN"),
    ] {
        let mut args = entity.to_vec();
        args.extend_from_slice(&["--jurisdiction", given]);
        let v = status_json(dir.path(), &url, &args);
        let answered: Vec<&str> = v["status"]["jurisdictions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|j| j["jurisdiction"].as_str().unwrap())
            .collect();
        assert_eq!(answered, [key], "{given}");
    }
    assert_eq!(
        outcome(
            &status_json(
                dir.path(),
                &url,
                &[&entity[..], &["--jurisdiction", "EU"]].concat()
            ),
            "EU"
        ),
        "prohibited"
    );
    for bad in ["XX", "", "  ", "Narnia"] {
        let mut args = vec!["status", "--store", &url];
        args.extend_from_slice(&entity);
        args.extend_from_slice(&["--jurisdiction", bad]);
        let stderr = refused(accord(dir.path(), &args));
        assert!(
            stderr.contains(&format!("unknown jurisdiction `{bad}`")),
            "{bad}: {stderr}"
        );
    }
    for name in ["", "   ", "?!"] {
        let stderr = refused(accord(
            dir.path(),
            &["status", "--store", &url, "--name", name],
        ));
        assert!(stderr.contains("has nothing to screen"), "{name}: {stderr}");
    }
    let stderr = refused(accord(
        dir.path(),
        &[
            "status",
            "--store",
            &url,
            "--name",
            "Arden",
            "--date",
            "2026-02-30",
        ],
    ));
    assert!(stderr.contains("2026-02-30"), "{stderr}");
    let stderr = refused(accord(
        dir.path(),
        &["screen", "Arden", "--store", &url, "--dob", "2026-02-30"],
    ));
    assert!(stderr.contains("`2026-02-30` is not a date"), "{stderr}");
    let stderr = refused(accord(dir.path(), &["screen", "  ", "--store", &url]));
    assert!(stderr.contains("has nothing to screen"), "{stderr}");
}
