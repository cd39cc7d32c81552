//! `accord simulate` (issue #16): every bundled agreement runs with its bundled model; the
//! same seed prints the same JSON whatever the threads; `--out` writes the JSON and the
//! SVG charts; a broken model is refused with its diagnostics and nothing is written.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn accord(args: &[&str]) -> (bool, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_accord"))
        .current_dir(root())
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        // Diagnostics wrap at the terminal's width: compare words, not lines.
        String::from_utf8_lossy(&output.stderr)
            .replace('│', " ")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" "),
    )
}

/// (agreement files, model) for every bundled agreement.
const BUNDLED: &[(&[&str], &str)] = &[
    (
        &["examples/nuclear-caps.toml"],
        "examples/models/nuclear-caps.toml",
    ),
    (
        &["examples/licence-elections.toml"],
        "examples/models/licence-elections.toml",
    ),
    (
        &[
            "examples/licence-elections.toml",
            "examples/licence-elections-v2.toml",
        ],
        "examples/models/licence-elections.toml",
    ),
    (
        &["examples/sectoral-two-jurisdictions.toml"],
        "examples/models/sectoral-two-jurisdictions.toml",
    ),
    (
        &["examples/staged-lifting.toml"],
        "examples/models/staged-lifting.toml",
    ),
];

#[test]
fn every_bundled_agreement_simulates_with_its_bundled_model() {
    for (agreements, model) in BUNDLED {
        let mut args = vec!["simulate"];
        args.extend_from_slice(agreements);
        args.extend_from_slice(&[
            "--model",
            model,
            "--runs",
            "4",
            "--horizon",
            "P4Y",
            "--sensitivity-runs",
            "0",
        ]);
        let (ok, out, err) = accord(&args);
        assert!(ok, "{agreements:?}: {err}");
        assert!(out.contains("When each phase is reached"), "{out}");
        assert!(out.contains("Relief-days per run"), "{out}");
        assert!(
            err.is_empty(),
            "no progress bar off a terminal, no warning: {err}"
        );
    }
}

#[test]
fn the_json_is_the_same_on_one_thread_and_on_two_and_out_writes_the_charts() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("sim");
    let common = [
        "simulate",
        "examples/staged-lifting.toml",
        "--model",
        "examples/models/staged-lifting.toml",
        "--runs",
        "6",
        "--seed",
        "11",
        "--horizon",
        "P3Y",
        "--sensitivity-runs",
        "2",
        "--json",
    ];
    let (ok, one, err) = accord(&[&common[..], &["--threads", "1"]].concat());
    assert!(ok, "{err}");
    let out_arg = out.to_str().unwrap();
    let (ok, two, err) = accord(&[&common[..], &["--threads", "2", "--out", out_arg]].concat());
    assert!(ok, "{err}");
    assert_eq!(one, two);
    let json: serde_json::Value = serde_json::from_str(&one).unwrap();
    assert_eq!(json["runs"], 6);
    assert!(
        json["sensitivity"]["bars"]
            .as_array()
            .is_some_and(|b| !b.is_empty())
    );
    assert_eq!(
        std::fs::read_to_string(out.join("simulation.json"))
            .unwrap()
            .trim_end(),
        one.trim_end()
    );
    for svg in ["phases.svg", "survival.svg", "tornado.svg"] {
        let text = std::fs::read_to_string(out.join(svg)).unwrap();
        assert!(
            text.starts_with("<svg") && text.contains("role=\"img\"") && text.contains("<title>"),
            "{svg}"
        );
    }
}

#[test]
fn a_broken_model_is_refused_with_its_diagnostics_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("model.toml");
    std::fs::write(
        &model,
        "[model]\nstart = 2027-01-15\n\n[[parties]]\nid = \"eu\"\ninvoke = 2\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    let (ok, _, err) = accord(&[
        "simulate",
        "examples/staged-lifting.toml",
        "--model",
        model.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(!ok);
    assert!(err.contains("model.toml:6:10"), "{err}");
    assert!(err.contains("`invoke` is a probability"), "{err}");
    assert!(!out.exists());
}
