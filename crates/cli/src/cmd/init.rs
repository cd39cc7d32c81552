//! `accord init` (issue #2).

use std::process::ExitCode;

/// Arguments of `accord init`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `accord init`.
pub fn run(_args: Args) -> miette::Result<ExitCode> {
    Err(super::not_built("init", 2))
}
