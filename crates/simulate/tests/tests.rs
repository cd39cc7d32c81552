//! Tests of the simulation: the model file's diagnostics, statistical tests against
//! analytic results, determinism across thread counts, the extreme models, and every
//! bundled model.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

#[path = "tests/analytic.rs"]
mod analytic;
#[path = "tests/bundled.rs"]
mod bundled;
#[path = "tests/determinism.rs"]
mod determinism;
#[path = "tests/model_file.rs"]
mod model_file;

use accord_core::agreement::Agreement;
use accord_simulate::{Evaluation, Model, Settings, Simulation, Tick, model, simulate};

pub fn root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub fn agreement_text(text: &str) -> Agreement {
    let checked = accord_spec::parse(text);
    match checked.agreement {
        Some(a) => a,
        None => panic!(
            "{}",
            accord_spec::render_text("agreement.toml", text, &checked.diagnostics)
        ),
    }
}

pub fn model_text(text: &str, agreement: &Agreement) -> Model {
    let checked = model::read::parse(text, agreement);
    match checked.model {
        Some(m) => m,
        None => panic!(
            "{}",
            accord_spec::render_text("model.toml", text, &checked.diagnostics)
        ),
    }
}

pub fn settings(runs: u32, seed: u64, horizon: &str) -> Settings {
    Settings {
        runs,
        seed,
        horizon: horizon.parse().unwrap(),
        sensitivity_runs: 0,
        evaluation: Evaluation::IncrementalEveryReview,
    }
}

pub fn run(agreement: &Agreement, model: &Model, settings: &Settings) -> Simulation {
    simulate(
        std::slice::from_ref(agreement),
        model,
        settings,
        &|_: Tick| {},
    )
    .unwrap()
}

/// One authority, one target, one monitor; one flag indicator reported monthly, reviewed
/// monthly; one phase entered after two consecutive compliant reviews, with one relief
/// action; no trigger.
pub const TWO_IN_A_ROW: &str = r#"
[agreement]
id = "two-in-a-row"
title = "Two compliant reviews in a row"
version = 1
effective = "adoption"

[[parties]]
id = "authority"
name = "Authority"
role = "authority"
jurisdiction = "EU"
keys = ["ministry.example+8fff4107+AQvqu/IEy3p675vReplVAn5KGdHDQso/XyQ72njpg/MI"]

[[parties]]
id = "target"
name = "Target"
role = "target"
keys = ["H55VA/u/1as9NdQ8pAZR7JMEhdFnK58gFQh7X/dFFZk="]

[[monitors]]
id = "inspectorate"
name = "Inspectorate"
methods = ["document_audit"]
keys = ["inspectorate.example+60adb5fc+AQeMFtL32uYgatKmvbWiVoYXZvkb/4w8yrd63y4P+w90"]

[[regimes]]
id = "eu-regime"
jurisdiction = "EU"
name = "EU measures"
legal_basis = "Council Decision"

[[regimes.measures]]
id = "eu-trade"
kind = "sectoral_prohibition"
sectors = ["energy"]
description = "Trade prohibition"

[[events]]
id = "adoption"
description = "Adoption"

[[commitments]]
id = "reform"
title = "Reform"
text = "The target reforms."

[[commitments.indicators]]
id = "reformed"
description = "The reform holds this month"
type = "flag"
expected = true
cadence = "P1M"
starts = "adoption"
grace = "P10D"
verification = { monitors = ["inspectorate"], methods = ["document_audit"], quorum = 1, confidentiality = "public" }

[[phases]]
id = "relief"
title = "Relief"
entry = "reform compliant for 2 reviews"

[[phases.actions]]
id = "suspend-trade"
title = "Suspend the trade prohibition"
type = "suspend_measure"
regime = "eu-regime"
measure = "eu-trade"
weight = 2

[review]
starts = "adoption"
every = "P1M"

[[disputes.stages]]
id = "commission"
title = "Commission"
deadline = "P30D"

[proportionality.methods]
on_site_inspection = 3
remote_sensing = 2
document_audit = 2
third_party_audit = 2
self_report = 0
"#;

/// A model of [`TWO_IN_A_ROW`] with compliance `p` per month, reports 3 days after each
/// month, adoption on 1 January 2026.
pub fn two_in_a_row_model(p: f64) -> String {
    format!(
        r#"
[model]
start = 2026-01-01

[[events]]
id = "adoption"
after = "P0D"

[defaults.monitors]
delay = "P2D"

[[indicators]]
id = "reformed"
compliance = {p}
"#
    )
}
