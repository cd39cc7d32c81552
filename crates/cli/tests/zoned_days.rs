//! A plain date given as a cut (`evaluate --as-of DATE`, `explain --as-of DATE`,
//! `status --date DATE`) means the end of that day in the agreement's zone (issue #11),
//! as every day-derived end of the engine does; an instant keeps its meaning.
//!
//! The nuclear-caps rehearsal is played with its agreement counting days in Tokyo or New
//! York, and the EU's implementation-day grant recorded just at the edge of a local day:
//! a second before, at, and after the end of that day, through the CLI.

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

/// A store holding the fixture list and the nuclear-caps rehearsal, its agreement in
/// `zone`, the grant recorded at `grant_at` instead of 09:00 UTC on 20 June 2026.
struct Played {
    dir: tempfile::TempDir,
    store: String,
}

impl Played {
    fn new(zone: &str, grant_at: &str) -> Played {
        let dir = tempfile::tempdir().unwrap();
        let store = format!("sqlite:{}", dir.path().join("a.db").display());
        let agreement = std::fs::read_to_string(repo().join("examples/nuclear-caps.toml"))
            .unwrap()
            .replacen(
                "version = 1\n",
                &format!("version = 1\nzone = \"{zone}\"\n"),
                1,
            );
        std::fs::write(dir.path().join("agreement.toml"), agreement).unwrap();
        let original = "at = 2026-06-20T09:00:00Z\nby = \"eu\"\ndecision = { act = \"grant\"";
        let scenario =
            std::fs::read_to_string(repo().join("examples/scenarios/nuclear-caps.toml")).unwrap();
        assert!(scenario.contains(original));
        let scenario = scenario
            .replacen(
                "agreement = \"../nuclear-caps.toml\"",
                "agreement = \"agreement.toml\"",
                1,
            )
            .replacen(
                original,
                &original.replace("2026-06-20T09:00:00Z", &format!("\"{grant_at}\"")),
                1,
            );
        std::fs::write(dir.path().join("scenario.toml"), scenario).unwrap();
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
                &store,
            ],
        ));
        ok(accord(
            dir.path(),
            &["play", "scenario.toml", "--store", &store],
        ));
        Played { dir, store }
    }

    fn evaluate(&self, as_of: &str) -> serde_json::Value {
        let out = accord(
            self.dir.path(),
            &[
                "evaluate",
                "agreement.toml",
                "--store",
                &self.store,
                "--as-of",
                as_of,
                "--json",
            ],
        );
        serde_json::from_str(&ok(out)).unwrap()
    }

    /// Whether the state as of `as_of` has the EU's grant on record.
    fn granted(&self, as_of: &str) -> bool {
        self.evaluate(as_of)["decisions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["act"] == "grant")
    }

    /// `accord status` for the Central Bank of Arden in the EU on `date`: the outcome and
    /// the cut the agreement was evaluated at.
    fn status(&self, date: &str) -> (String, String) {
        let out = accord(
            self.dir.path(),
            &[
                "status",
                "--entity",
                "eu-fsf:EU.1001.23",
                "--jurisdiction",
                "EU",
                "--agreement",
                "agreement.toml",
                "--date",
                date,
                "--store",
                &self.store,
                "--json",
            ],
        );
        let v: serde_json::Value = serde_json::from_str(&ok(out)).unwrap();
        (
            v["status"]["jurisdictions"][0]["outcome"]
                .as_str()
                .unwrap()
                .to_owned(),
            v["evaluations"][0]["as_of"].as_str().unwrap().to_owned(),
        )
    }
}

#[test]
fn a_plain_date_ends_at_the_end_of_that_day_in_tokyo() {
    // Recorded at the first instant of 21 June in Tokyo (15:00 UTC on the 20th).
    let p = Played::new("Asia/Tokyo", "2026-06-21T00:00:00[Asia/Tokyo]");
    let day = p.evaluate("2026-06-20");
    assert_eq!(day["as_of"], "2026-06-20T14:59:59.999999999Z");
    assert_eq!(day["date"], "2026-06-20");
    assert!(!p.granted("2026-06-20"), "recorded on the next Tokyo day");
    assert!(p.granted("2026-06-21"));
    // A second before, at, and after the end of the local day, as instants.
    assert!(!p.granted("2026-06-20T23:59:59[Asia/Tokyo]"));
    assert!(p.granted("2026-06-21T00:00:00[Asia/Tokyo]"));
    assert!(p.granted("2026-06-21T00:00:01+09:00"));
    // An instant keeps its meaning: the end of the UTC day is after the grant.
    let utc = p.evaluate("2026-06-20T23:59:59Z");
    assert_eq!(utc["as_of"], "2026-06-20T23:59:59Z");
    assert!(p.granted("2026-06-20T23:59:59Z"));

    // `status --date` reads the agreement as of the end of the Tokyo day too.
    let (outcome, as_of) = p.status("2026-06-20");
    assert_eq!(
        (outcome.as_str(), as_of.as_str()),
        ("prohibited", "2026-06-20T14:59:59.999999999Z")
    );
    let (outcome, as_of) = p.status("2026-06-21");
    assert_eq!(
        (outcome.as_str(), as_of.as_str()),
        ("relieved", "2026-06-21T14:59:59.999999999Z")
    );
}

#[test]
fn a_plain_date_ends_at_the_end_of_that_day_in_new_york() {
    // Recorded a second before midnight in New York (03:59:59 UTC on the 21st, EDT).
    let p = Played::new("America/New_York", "2026-06-20T23:59:59[America/New_York]");
    let day = p.evaluate("2026-06-20");
    assert_eq!(day["as_of"], "2026-06-21T03:59:59.999999999Z");
    assert_eq!(day["date"], "2026-06-20");
    assert!(p.granted("2026-06-20"), "recorded on 20 June in New York");
    assert!(!p.granted("2026-06-19"));
    // A second before, at, and after the instant it was recorded.
    assert!(!p.granted("2026-06-20T23:59:58[America/New_York]"));
    assert!(p.granted("2026-06-20T23:59:59[America/New_York]"));
    assert!(p.granted("2026-06-21T00:00:00-04:00"));
    // The end of the UTC day, given as an instant, is before it.
    assert!(!p.granted("2026-06-20T23:59:59.999999999Z"));

    let (outcome, as_of) = p.status("2026-06-20");
    assert_eq!(
        (outcome.as_str(), as_of.as_str()),
        ("relieved", "2026-06-21T03:59:59.999999999Z")
    );
    let (outcome, _) = p.status("2026-06-19");
    assert_eq!(outcome, "prohibited");

    // A report as of the date is as of the end of that day in New York.
    ok(accord(
        p.dir.path(),
        &[
            "report",
            "arden-nuclear-2026",
            "--as-of",
            "2026-06-20",
            "--out",
            "report",
            "--store",
            &p.store,
        ],
    ));
    let report: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(p.dir.path().join("report/report.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(report["as_of"], "2026-06-21T03:59:59.999999999Z");

    // explain takes the same cut.
    let text = ok(accord(
        p.dir.path(),
        &[
            "explain",
            "agreement.toml",
            "--store",
            &p.store,
            "--as-of",
            "2026-06-20",
            "bank-delistings",
        ],
    ));
    assert!(text.contains("2026-06-21T03:59:59"), "{text}");
}
