//! `accord status` (issue #6).

use std::process::ExitCode;

/// Arguments of `accord status`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `accord status`.
pub fn run(_args: Args) -> miette::Result<ExitCode> {
    Err(super::not_built("status", 6))
}
