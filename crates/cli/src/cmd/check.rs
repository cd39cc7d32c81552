//! `accord check` (issue #2).

use std::process::ExitCode;

/// Arguments of `accord check`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `accord check`.
pub fn run(_args: Args) -> miette::Result<ExitCode> {
    Err(super::not_built("check", 2))
}
