//! `accord note` (issue #3).

use std::process::ExitCode;

/// Subcommands of `accord note`.
#[derive(Debug, clap::Subcommand)]
pub enum Command {}

/// Runs `accord note`.
pub fn run(command: Command) -> miette::Result<ExitCode> {
    match command {}
}
