//! Every bundled agreement has a bundled model, which reads without diagnostics and runs
//! with no entry refused by the engine other than trigger steps drawn when the engine says
//! no.

use crate::{agreement_text, model_text, root, settings};
use accord_simulate::{Tick, simulate};

/// (agreement files, model) for every bundled agreement.
pub const BUNDLED: &[(&[&str], &str)] = &[
    (&["nuclear-caps.toml"], "nuclear-caps.toml"),
    (&["licence-elections.toml"], "licence-elections.toml"),
    (
        &["licence-elections.toml", "licence-elections-v2.toml"],
        "licence-elections.toml",
    ),
    (
        &["sectoral-two-jurisdictions.toml"],
        "sectoral-two-jurisdictions.toml",
    ),
    (&["staged-lifting.toml"], "staged-lifting.toml"),
];

#[test]
fn every_bundled_agreement_is_named_here() {
    let mut files: Vec<String> = std::fs::read_dir(root().join("examples"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|f| f.ends_with(".toml"))
        .collect();
    files.sort();
    let mut named: Vec<String> = BUNDLED
        .iter()
        .flat_map(|(a, _)| a.iter().map(|s| s.to_string()))
        .collect();
    named.sort();
    named.dedup();
    assert_eq!(files, named);
}

#[test]
fn every_bundled_model_reads_cleanly_and_runs() {
    for (files, model) in BUNDLED {
        let versions: Vec<_> = files
            .iter()
            .map(|f| {
                agreement_text(&std::fs::read_to_string(root().join("examples").join(f)).unwrap())
            })
            .collect();
        let latest = versions.iter().max_by_key(|v| v.version).unwrap();
        let source = std::fs::read_to_string(root().join("examples/models").join(model)).unwrap();
        let checked = accord_simulate::model::read::parse(&source, latest);
        assert!(
            checked.diagnostics.is_empty(),
            "{model}: {:?}",
            checked.diagnostics
        );
        let m = model_text(&source, latest);
        let sim = simulate(&versions, &m, &settings(6, 7, "P5Y"), &|_: Tick| {}).unwrap();
        assert_eq!(
            sim.distributions.phases.len(),
            latest.phases.len(),
            "{model}"
        );
        let reached = sim.distributions.phases.iter().any(|p| p.never < 1.0);
        assert!(reached, "{model}: no phase is ever reached");
    }
}
