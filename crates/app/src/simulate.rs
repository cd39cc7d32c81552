//! `accord simulate` (issue #16): an agreement's versions and a behaviour model, read and
//! checked, and the Monte Carlo run by `accord-simulate`.
//!
//! The agreement texts go through [`crate::agreements::check`] like every agreement a use
//! case evaluates; the model is checked against the latest version, with `file:line:column`
//! diagnostics. Nothing is written and no clock is read: the model's start is day 0.

use std::path::Path;

use accord_simulate::{Settings, Simulation, Tick};

use crate::agreements::{AgreementText, Invalid};
use crate::error::{Error, Result};

/// The largest model file read: models are a few kilobytes.
pub const MAX_MODEL_SIZE: u64 = 1024 * 1024;

/// A behaviour model's text, as given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelText {
    /// The name diagnostics show (its path).
    pub name: String,
    /// The text.
    pub text: String,
}

impl ModelText {
    /// Reads a model file (at most [`MAX_MODEL_SIZE`]).
    pub fn read(path: &Path) -> Result<ModelText> {
        let name = path.display().to_string();
        let read = || -> std::io::Result<String> {
            use std::io::Read as _;
            let mut text = String::new();
            std::fs::File::open(path)?
                .take(MAX_MODEL_SIZE + 1)
                .read_to_string(&mut text)?;
            if text.len() as u64 > MAX_MODEL_SIZE {
                return Err(std::io::Error::other(
                    "larger than 1 MiB: not a behaviour model",
                ));
            }
            Ok(text)
        };
        let text = read().map_err(|source| Error::Read {
            what: "behaviour model",
            name: name.clone(),
            source,
        })?;
        Ok(ModelText { name, text })
    }
}

/// Checks the agreement and the model, then simulates; `progress` hears of each run.
pub fn simulate(
    agreement: &[AgreementText],
    model: &ModelText,
    settings: &Settings,
    progress: &(dyn Fn(Tick) + Sync),
) -> Result<Simulation> {
    let versions: Vec<accord_core::agreement::Agreement> = crate::agreements::check(agreement)?
        .into_iter()
        .map(|v| v.agreement)
        .collect();
    let Some(latest) = versions.iter().max_by_key(|v| v.version) else {
        return Err(Error::Simulate(accord_simulate::SimulateError::NoVersions));
    };
    let checked = accord_simulate::model::read::parse(&model.text, latest);
    let Some(m) = checked.model else {
        return Err(Error::ModelInvalid(Invalid {
            name: model.name.clone(),
            source: model.text.clone(),
            errors: checked
                .diagnostics
                .into_iter()
                .filter(|d| d.is_error())
                .collect(),
        }));
    };
    Ok(accord_simulate::simulate(
        &versions, &m, settings, progress,
    )?)
}

/// The warnings of a model file that reads without errors (events that never occur, say).
pub fn warnings(
    agreement: &[AgreementText],
    model: &ModelText,
) -> Result<Vec<accord_spec::Diagnostic>> {
    let versions = crate::agreements::check(agreement)?;
    let Some(latest) = versions
        .iter()
        .map(|v| &v.agreement)
        .max_by_key(|v| v.version)
    else {
        return Ok(Vec::new());
    };
    let checked = accord_simulate::model::read::parse(&model.text, latest);
    Ok(checked
        .diagnostics
        .into_iter()
        .filter(|d| !d.is_error())
        .collect())
}
