//! `accord timeline` (issue #4).

use std::process::ExitCode;

/// Arguments of `accord timeline`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `accord timeline`.
pub fn run(_args: Args) -> miette::Result<ExitCode> {
    Err(super::not_built("timeline", 4))
}
