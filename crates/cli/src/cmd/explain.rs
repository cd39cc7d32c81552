//! `accord explain` (issue #4).

use std::process::ExitCode;

/// Arguments of `accord explain`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `accord explain`.
pub fn run(_args: Args) -> miette::Result<ExitCode> {
    Err(super::not_built("explain", 4))
}
