//! `accord schema` (issue #2).

use std::process::ExitCode;

/// Arguments of `accord schema`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `accord schema`.
pub fn run(_args: Args) -> miette::Result<ExitCode> {
    Err(super::not_built("schema", 2))
}
