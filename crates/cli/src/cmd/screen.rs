//! `accord screen` (issue #6).

use std::process::ExitCode;

/// Arguments of `accord screen`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `accord screen`.
pub fn run(_args: Args) -> miette::Result<ExitCode> {
    Err(super::not_built("screen", 6))
}
