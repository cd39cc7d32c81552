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
    let list = repo().join("crates/cli/tests/fixtures/status/eu-arden.ftm.json");
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

#[test]
fn lists_alone_say_prohibited_and_say_so() {
    let (dir, url) = store(false);
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
    // Before the first import the store cannot tell: unsure means prohibited, and says why.
    let v = status_json(
        dir.path(),
        &url,
        &["--entity", "eu-fsf:EU.1001.23", "--date", "2025-12-01"],
    );
    assert_eq!(outcome(&v, "EU"), "prohibited");
    assert!(
        v["status"]["jurisdictions"][1]["listings"][0]["listing"]
            .as_str()
            .unwrap()
            .contains("cannot tell")
    );
    // A later import without Ivan Ardenov: listed before it, not listed after.
    let amended = repo().join("crates/cli/tests/fixtures/status/eu-arden-amended.ftm.json");
    ok(accord(
        dir.path(),
        &[
            "lists",
            "import",
            amended.to_str().unwrap(),
            "--source",
            "eu-fsf",
            "--observed-at",
            "2026-03-01",
            "--store",
            &url,
        ],
    ));
    let ivan = |date: &str| {
        let v = status_json(
            dir.path(),
            &url,
            &["--entity", "eu-fsf:EU.2001.23", "--date", date],
        );
        outcome(&v, "EU").to_owned()
    };
    assert_eq!(ivan("2026-02-01"), "prohibited");
    assert_eq!(ivan("2026-04-01"), "not_listed");
    // An unknown entity is an error that says what to do.
    let out = accord(
        dir.path(),
        &["status", "--store", &url, "--entity", "eu-fsf:nope"],
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no designation `nope` of `eu-fsf`"));
}

#[test]
fn delisting_relieves_once_the_engine_puts_it_in_force() {
    let (dir, url) = store(true);
    let a = agreement();
    let entity = [
        "--entity",
        "eu-fsf:EU.1001.23",
        "--agreement",
        &a,
        "--jurisdiction",
        "EU,US",
    ];
    let mut before = entity.to_vec();
    before.extend(["--date", "2026-06-19"]);
    let v = status_json(dir.path(), &url, &before);
    assert_eq!(outcome(&v, "EU"), "prohibited");
    assert_eq!(outcome(&v, "US"), "not_listed");
    let reasons = v["status"]["jurisdictions"][0]["listings"][0]["reasons"].to_string();
    assert!(
        reasons.contains("bank-delistings") && reasons.contains("scheduled"),
        "{reasons}"
    );

    let mut after = entity.to_vec();
    after.extend(["--date", "2026-06-25", "--activity", "food"]);
    let v = status_json(dir.path(), &url, &after);
    assert_eq!(outcome(&v, "EU"), "relieved");
    let eu = &v["status"]["jurisdictions"][0];
    assert_eq!(eu["listings"][0]["relief"][0]["action"], "bank-delistings");
    assert_eq!(eu["listings"][0]["relief"][0]["since"], "2026-06-20");
    // In force because the EU granted it before the evaluation entitled it: the answer
    // says so, with the authority's stated reason.
    let decision = &eu["listings"][0]["relief"][0]["decision"];
    assert_eq!(decision["effective"], "2026-06-20");
    assert_eq!(decision["departure"], true);
    assert_eq!(
        decision["stated_reason"],
        "implementation-day relief granted on the IAEA verification reports"
    );
    assert_eq!(
        eu["listings"][0]["basis"]["regimes"][0]["regime"],
        "eu-nonpro"
    );
    assert_eq!(eu["exemptions"][0]["exemption"], "humanitarian");

    // The human answer says the same.
    let mut args = vec!["status", "--store", url.as_str()];
    args.extend_from_slice(&after);
    let text = ok(accord(dir.path(), &args));
    assert!(text.contains("EU: relieved"), "{text}");
    assert!(text.contains("relief: bank-delistings"), "{text}");
    assert!(
        text.contains(&format!(
            "by decision #{} of 2026-06-20, a departure from the evaluation: \"implementation-day relief granted on the IAEA verification reports\"",
            decision["entry"]
        )),
        "{text}"
    );
}

#[test]
fn a_sectoral_suspension_does_not_unfreeze_a_listed_person_found_by_name() {
    let (dir, url) = store(true);
    let a = agreement();
    let v = status_json(
        dir.path(),
        &url,
        &[
            "--name",
            "Ivan Ardenov",
            "--agreement",
            &a,
            "--date",
            "2026-06-25",
            "--activity",
            "energy",
            "--jurisdiction",
            "EU",
        ],
    );
    assert_eq!(outcome(&v, "EU"), "prohibited");
    let listing = &v["status"]["jurisdictions"][0]["listings"][0];
    assert_eq!(listing["list_id"], "eu-fsf:EU.2001.23");
    assert!(listing["matched"].as_str().unwrap().starts_with("screened"));
    assert!(listing["reasons"].to_string().contains("eu-freeze"));
}

#[test]
fn export_writes_ftm_entities_and_sanctions_with_the_relief_in_force() {
    let (dir, url) = store(true);
    let a = agreement();
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
    let by_id = |id: &str| entities.iter().find(|e| e["id"] == id).unwrap();
    let bank = by_id("accord-eu-fsf-eu-1001-23");
    assert_eq!(bank["schema"], "Organization");
    assert_eq!(bank["properties"]["name"][0], "Central Bank of Arden");
    assert_eq!(by_id("accord-eu-fsf-eu-2001-23")["schema"], "Person");
    let sanction = by_id("accord-eu-fsf-eu-1001-23-sanction");
    assert_eq!(sanction["schema"], "Sanction");
    assert_eq!(
        sanction["properties"]["entity"][0],
        "accord-eu-fsf-eu-1001-23"
    );
    assert_eq!(sanction["properties"]["status"][0], "delisted");
    assert_eq!(sanction["properties"]["endDate"][0], "2026-06-20");
    assert_eq!(sanction["properties"]["program"][0], "EU.ARDEN");
    let person = by_id("accord-eu-fsf-eu-2001-23-sanction");
    assert_eq!(person["properties"]["status"][0], "active");
    let suspended = by_id("accord-eu-fsf-eu-2001-23-arden-nuclear-2026-eu-oil-suspended");
    assert_eq!(suspended["properties"]["status"][0], "suspended");
    assert!(
        suspended["properties"]["provisions"][0]
            .as_str()
            .unwrap()
            .contains("energy")
    );
    // Every property value is a list of strings, as FtM requires.
    for e in &entities {
        for (_, v) in e["properties"].as_object().unwrap() {
            assert!(
                v.as_array()
                    .unwrap()
                    .iter()
                    .all(serde_json::Value::is_string),
                "{e}"
            );
        }
    }

    // Before the relief, the same listing is active and nothing is suspended.
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
            "2026-06-19",
        ],
    ));
    assert!(
        !text.contains("\"suspended\"") && !text.contains("\"delisted\""),
        "{text}"
    );
}
