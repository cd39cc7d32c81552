//! `accord evaluate` (issue #4).

use std::process::ExitCode;

/// Arguments of `accord evaluate`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `accord evaluate`.
pub fn run(_args: Args) -> miette::Result<ExitCode> {
    Err(super::not_built("evaluate", 4))
}
