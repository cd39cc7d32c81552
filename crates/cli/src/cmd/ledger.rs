//! `accord ledger` (issue #3).

use std::process::ExitCode;

/// Subcommands of `accord ledger`.
#[derive(Debug, clap::Subcommand)]
pub enum Command {}

/// Runs `accord ledger`.
pub fn run(command: Command) -> miette::Result<ExitCode> {
    match command {}
}
