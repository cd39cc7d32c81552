//! `accord key` (issue #3).

use std::process::ExitCode;

/// Subcommands of `accord key`.
#[derive(Debug, clap::Subcommand)]
pub enum Command {}

/// Runs `accord key`.
pub fn run(command: Command) -> miette::Result<ExitCode> {
    match command {}
}
