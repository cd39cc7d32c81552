//! `accord play` (issue #5).

use std::process::ExitCode;

/// Arguments of `accord play`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `accord play`.
pub fn run(_args: Args) -> miette::Result<ExitCode> {
    Err(super::not_built("play", 5))
}
