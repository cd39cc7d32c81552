//! The `accord` command.
//!
//! This binary only parses arguments, calls the library crates and renders their results
//! for people (or as JSON). Nothing here decides anything: each subcommand lives in its own
//! module under `cmd/` and owns its clap `Args`.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod cmd;
mod load;

/// Accord makes sanctions relief verifiable.
#[derive(Debug, Parser)]
#[command(name = "accord", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Validate agreement files and report every problem with file:line:column.
    Check(cmd::check::Args),
    /// Print the JSON Schema of the agreement format.
    Schema(cmd::schema::Args),
    /// Write a commented starter agreement that passes `accord check`.
    Init(cmd::init::Args),
    /// Generate signing keys.
    #[command(subcommand)]
    Key(cmd::key::Command),
    /// Verify signed notes (C2SP signed-note).
    #[command(subcommand)]
    Note(cmd::note::Command),
    /// Merkle tree maths on the command line (RFC 9162).
    #[command(subcommand)]
    Tlog(cmd::tlog::Command),
    /// The evidence ledger: append, checkpoint, prove, audit.
    #[command(subcommand)]
    Ledger(cmd::ledger::Command),
    /// Evaluate an agreement against the ledger as of a date.
    Evaluate(cmd::evaluate::Args),
    /// Explain a status: its reasons, and what remains to reach each phase.
    Explain(cmd::explain::Args),
    /// Every state change of an agreement with its date and reason.
    Timeline(cmd::timeline::Args),
    /// Play a scenario (an agreement and dated events) into a ledger.
    Play(cmd::play::Args),
    /// Play the bundled scenarios into a temporary embedded store.
    Demo(cmd::demo::Args),
    /// Import and update official sanctions lists.
    #[command(subcommand)]
    Lists(cmd::lists::Command),
    /// Screen names against the imported lists.
    Screen(cmd::screen::Args),
    /// Is this entity or activity prohibited, licensed or relieved today, and why?
    Status(cmd::status::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Check(args) => cmd::check::run(args),
        Command::Schema(args) => cmd::schema::run(args),
        Command::Init(args) => cmd::init::run(args),
        Command::Key(command) => cmd::key::run(command),
        Command::Note(command) => cmd::note::run(command),
        Command::Tlog(command) => cmd::tlog::run(command),
        Command::Ledger(command) => cmd::ledger::run(command),
        Command::Evaluate(args) => cmd::evaluate::run(args),
        Command::Explain(args) => cmd::explain::run(args),
        Command::Timeline(args) => cmd::timeline::run(args),
        Command::Play(args) => cmd::play::run(args),
        Command::Demo(args) => cmd::demo::run(args),
        Command::Lists(command) => cmd::lists::run(command),
        Command::Screen(args) => cmd::screen::run(args),
        Command::Status(args) => cmd::status::run(args),
    };
    match result {
        Ok(code) => code,
        Err(report) => {
            eprintln!("{report:?}");
            ExitCode::FAILURE
        }
    }
}
