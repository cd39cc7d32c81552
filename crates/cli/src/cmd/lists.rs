//! `accord lists` (issue #6).

use std::process::ExitCode;

/// Subcommands of `accord lists`.
#[derive(Debug, clap::Subcommand)]
pub enum Command {}

/// Runs `accord lists`.
pub fn run(command: Command) -> miette::Result<ExitCode> {
    match command {}
}
