//! `accord tlog` (issue #3).

use std::process::ExitCode;

/// Subcommands of `accord tlog`.
#[derive(Debug, clap::Subcommand)]
pub enum Command {}

/// Runs `accord tlog`.
pub fn run(command: Command) -> miette::Result<ExitCode> {
    match command {}
}
