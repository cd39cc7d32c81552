//! The `accord` command: parses arguments, calls `accord-app`, prints what `accord-render`
//! makes of the results, and renders library errors once, with the CLI's hints (`fail`).
//! The clock is read once, here: every command gets the same "now".

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// mimalloc rather than glibc's allocator: the server's state-as-of requests build and
/// free many small strings (glibc's `malloc`/`free` were a third of a fresh instant's
/// profile at 1M entries); measured in BENCHMARKS.md ("serve13").
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod args;
mod fail;
mod pipe;

/// One module per group of subcommands: clap arguments and adapters.
mod cmd {
    pub mod check;
    pub mod evaluate;
    pub mod key;
    pub mod ledger;
    pub mod lists;
    pub mod play;
    pub mod report;
    pub mod screen;
    pub mod serve;
    pub mod simulate;
    pub mod status;
    pub mod tlog;
    pub mod witness;
}

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
    Schema,
    /// Write a commented starter agreement that passes `accord check`.
    Init(cmd::check::InitArgs),
    /// Generate signing keys.
    #[command(subcommand)]
    Key(cmd::key::Command),
    /// Verify signed notes (C2SP signed-note).
    #[command(subcommand)]
    Note(cmd::key::NoteCommand),
    /// Merkle tree maths on the command line (RFC 9162).
    #[command(subcommand)]
    Tlog(cmd::tlog::Command),
    /// The evidence ledger: append, checkpoint, prove, audit.
    Ledger(cmd::ledger::Args),
    /// Evaluate an agreement against the ledger as of a date.
    Evaluate(cmd::evaluate::EvaluateArgs),
    /// Explain a status: its reasons, and what remains to reach each phase.
    Explain(cmd::evaluate::ExplainArgs),
    /// Every state change of an agreement with its date and reason.
    Timeline(cmd::evaluate::TimelineArgs),
    /// Play a scenario (an agreement and dated events) into a ledger.
    Play(cmd::play::Args),
    /// Play the bundled scenarios into a temporary embedded store.
    Demo(cmd::play::DemoArgs),
    /// Monte Carlo of relief pathways: many histories drawn from a behaviour model.
    Simulate(cmd::simulate::Args),
    /// Import and update official sanctions lists.
    #[command(subcommand)]
    Lists(cmd::lists::Command),
    /// Screen names against the imported lists.
    Screen(cmd::screen::Args),
    /// Is this entity or activity prohibited, licensed or relieved today, and why?
    Status(cmd::status::Args),
    /// Serve the HTTP API (JSON under /v1) over a store; `--demo` to try it.
    Serve(Box<cmd::serve::Args>),
    /// Bearer tokens for `accord serve`.
    #[command(subcommand)]
    Token(cmd::serve::TokenCommand),
    /// Write a public report (HTML, JSON and the bundle that proves it) as of an instant.
    Report(cmd::report::ReportArgs),
    /// Check a report's bundle offline (no store, no network), or split-view evidence.
    Verify(cmd::report::VerifyArgs),
    /// A witness (C2SP tlog-witness): cosign the checkpoints of trusted logs.
    #[command(subcommand)]
    Witness(cmd::witness::Command),
}

fn main() -> ExitCode {
    pipe::install();
    let cli = Cli::parse();
    let now = jiff::Timestamp::now();
    let result = match cli.command {
        Command::Check(args) => cmd::check::run(args),
        Command::Schema => cmd::check::schema(),
        Command::Init(args) => cmd::check::init(args),
        Command::Key(command) => cmd::key::run(command),
        Command::Note(command) => cmd::key::note(command, now),
        Command::Tlog(command) => cmd::tlog::run(command),
        Command::Ledger(command) => cmd::ledger::run(command),
        Command::Evaluate(args) => cmd::evaluate::evaluate(args),
        Command::Explain(args) => cmd::evaluate::explain(args, now),
        Command::Timeline(args) => cmd::evaluate::timeline(args, now),
        Command::Play(args) => cmd::play::run(args),
        Command::Demo(args) => cmd::play::demo(args),
        Command::Simulate(args) => cmd::simulate::run(args),
        Command::Lists(command) => cmd::lists::run(command, now),
        Command::Screen(args) => cmd::screen::run(args, now),
        Command::Status(args) => cmd::status::run(args, now),
        Command::Serve(args) => cmd::serve::run(*args, now),
        Command::Token(command) => cmd::serve::token(command, now),
        Command::Report(args) => cmd::report::report(args),
        Command::Verify(args) => cmd::report::verify(args),
        Command::Witness(command) => cmd::witness::run(command),
    };
    match result {
        Ok(code) => code,
        Err(report) => {
            eprintln!("{report:?}");
            ExitCode::FAILURE
        }
    }
}
