//! `accord witness serve` (issue #15): a C2SP tlog-witness v1.0.0 witness over HTTP
//! (`accord_server::witness`), cosigning the checkpoints of the logs it is told to trust.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use accord_ledger::witness::Witness;
use accord_server::witness::{self, WitnessServer};

use crate::fail::OrReport as _;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Serve `POST /add-checkpoint`: cosign each checkpoint of a trusted log that extends
    /// the one last cosigned, and refuse the rest with the spec's status codes.
    #[command(
        after_help = "Example:\n  accord key generate witness.example/w1 --cosigner --out w1.key\n  accord witness serve --key w1.key --logs logs.txt --state w1-state.json --listen 0.0.0.0:7380"
    )]
    Serve(ServeArgs),
}

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// The witness's private key file, a cosigner key (`accord key generate NAME
    /// --cosigner`); repeat for several.
    #[arg(long = "key", required = true, value_name = "FILE")]
    keys: Vec<PathBuf>,
    /// The logs to witness: one `log <vkey>` line per log key (the tlog-policy syntax;
    /// the key's name is the log's origin).
    #[arg(long, value_name = "FILE")]
    logs: PathBuf,
    /// The witness's state (what it last cosigned per log), created if absent. Losing it
    /// lets the witness be rolled back: keep it, and never run two witnesses on it.
    #[arg(long, value_name = "FILE")]
    state: PathBuf,
    /// The address to listen on.
    #[arg(long, default_value = "127.0.0.1:7380", value_name = "ADDR")]
    listen: SocketAddr,
}

fn failure(error: &(dyn std::error::Error + 'static)) -> miette::Report {
    miette::Report::msg(accord_render::errors::chain(error))
}

pub fn run(command: Command) -> miette::Result<ExitCode> {
    let Command::Serve(args) = command;
    let keys = args
        .keys
        .iter()
        .map(|k| accord_app::keys::read_private(k))
        .collect::<Result<Vec<_>, _>>()
        .or_report()?;
    let name = args.logs.display().to_string();
    let text = accord_app::read_text("logs file", &args.logs).or_report()?;
    let logs = witness::parse_logs(&name, &text).map_err(|e| failure(&e))?;
    let n_logs = logs.len();
    let w = Witness::new(keys, logs).map_err(|e| failure(&e))?;
    let verifiers = w.verifiers();
    let server = WitnessServer::open(w, &args.state).map_err(|e| failure(&e))?;
    witness::run(server, args.listen, |addr| {
        println!("The witness serves on http://{addr}/add-checkpoint (Ctrl-C stops it)");
        println!("Witnessing {n_logs} log(s); its cosignature key(s):");
        for v in &verifiers {
            println!("  {v}");
        }
    })
    .map_err(|e| failure(&e))?;
    Ok(ExitCode::SUCCESS)
}
