//! `accord demo` (issue #5).

use std::process::ExitCode;

/// Arguments of `accord demo`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `accord demo`.
pub fn run(_args: Args) -> miette::Result<ExitCode> {
    Err(super::not_built("demo", 5))
}
