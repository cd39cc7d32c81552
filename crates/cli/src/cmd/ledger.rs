//! `accord ledger` (issue #3): create a log, append signed statements, issue checkpoints,
//! prove and audit.

use std::io::BufRead as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use accord_app::keys;
use accord_app::ledger::{self, CheckpointEvery};
use accord_core::id::ParticipantId;
use miette::IntoDiagnostic as _;

use crate::args::StoreArg;
use crate::fail::OrReport as _;

/// `accord ledger`: which store and which log, and what to do.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
    #[command(flatten)]
    log: LogArgs,
}

#[derive(Debug, clap::Args)]
struct LogArgs {
    #[command(flatten)]
    store: StoreArg,
    /// The log's origin, when the store holds several logs.
    #[arg(long, global = true)]
    log: Option<String>,
}

/// What `prove` prints.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum ProofFormat {
    /// `index`, `size`, `leaf-hash`, `root` and `proof` lines, for `accord tlog verify-inclusion`.
    Lines,
    /// A C2SP `tlog-proof` under the latest checkpoint that covers the entry.
    TlogProof,
}

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Create a log for one agreement in a store.
    Init {
        /// The log's origin (its name in checkpoints), e.g. `accord.example/agreement-1`.
        #[arg(long)]
        origin: String,
        /// The participants and their keys: the agreement file (TOML; the store keeps its
        /// text), or a JSON or TOML roster file (see docs/design.md).
        #[arg(long)]
        roster: PathBuf,
        /// The log's verifier key (from `accord key generate ORIGIN`), or a file holding it.
        #[arg(long)]
        log_key: String,
    },
    /// Append signed statements; prints each index once the entry is durable.
    Append {
        /// A statement (JSON) to sign and append.
        #[arg(long, required_unless_present = "entries")]
        statement: Option<PathBuf>,
        /// Sign as PARTICIPANT with the private key in KEYFILE (repeat for co-signers).
        #[arg(long = "sign", value_name = "PARTICIPANT=KEYFILE", value_parser = signer)]
        sign: Vec<(ParticipantId, PathBuf)>,
        /// Log only a salted commitment; the content is stored apart.
        #[arg(long)]
        confidential: bool,
        /// Append pre-signed entries: one per line, hex or base64 (`-` for standard input).
        #[arg(long, conflicts_with_all = ["statement", "sign", "confidential"])]
        entries: Option<PathBuf>,
        /// With `--entries`: issue a checkpoint after every N acknowledged entries.
        #[arg(long, requires = "checkpoint_key")]
        checkpoint_every: Option<u64>,
        /// The log's private key file, for `--checkpoint-every`.
        #[arg(long)]
        checkpoint_key: Option<PathBuf>,
    },
    /// Sign a checkpoint of the log's current size with the log's key, store and print it.
    Checkpoint {
        /// The log's private key file.
        #[arg(long)]
        key: PathBuf,
    },
    /// Send the latest checkpoint to the witnesses of a witness policy (C2SP tlog-witness),
    /// each with the consistency proof from the size it last cosigned; store the checkpoint
    /// with the cosignatures collected and print it. Fails when the policy's quorum is not
    /// met.
    Witness {
        /// The witness policy (C2SP tlog-policy): `witness NAME VKEY URL` lines and a quorum.
        #[arg(long, value_name = "FILE")]
        policy: PathBuf,
        /// Where to write split-view evidence (`split-view-WITNESS-SIZE.txt`) when a
        /// witness holds a checkpoint of this log that is not consistent with it.
        #[arg(long, value_name = "DIR", default_value = ".")]
        evidence: PathBuf,
    },
    /// Print the inclusion proof of an entry.
    Prove {
        /// The entry's index.
        #[arg(long)]
        index: u64,
        /// The tree size to prove against (default: the log's size).
        #[arg(long)]
        size: Option<u64>,
        /// Output format.
        #[arg(long, value_enum, default_value = "lines")]
        format: ProofFormat,
    },
    /// Print the consistency proof between two sizes of the log.
    Consistency {
        /// The old size.
        #[arg(long)]
        old_size: u64,
        /// The new size (default: the log's size).
        #[arg(long)]
        new_size: Option<u64>,
    },
    /// Recompute the whole tree, re-verify every entry and checkpoint, report tampering.
    Audit {
        /// A signed checkpoint of the log held outside the store (a file, `-`, or an
        /// http(s) address), as `accord ledger checkpoint` prints it: the log must still
        /// match it and store it. Repeatable. Without one, a store altered consistently
        /// (entries deleted with the checkpoints covering them) cannot be told apart.
        #[arg(long = "checkpoint", value_name = "FILE|URL")]
        checkpoints: Vec<String>,
    },
}

pub fn run(args: Args) -> miette::Result<ExitCode> {
    let (log, origin) = (&args.log, args.log.log.as_deref());
    let store = || log.store.existing();
    let text = match args.command {
        Command::Init {
            origin,
            roster,
            log_key,
        } => init(log, &origin, &roster, &log_key)?,
        Command::Append {
            statement: Some(statement),
            sign,
            confidential,
            entries: None,
            ..
        } => {
            let statement = ledger::read_statement(&statement).or_report()?;
            let authors = ledger::read_signers(&sign).or_report()?;
            let appended = ledger::append(&store()?, origin, statement, &authors, confidential);
            let (receipt, id) = appended.or_report()?;
            format!("{}\n", accord_render::ledger::receipt(&receipt, &id))
        }
        Command::Append {
            entries,
            checkpoint_every,
            checkpoint_key,
            ..
        } => {
            let checkpoints =
                CheckpointEvery::read(checkpoint_every, checkpoint_key.as_deref()).or_report()?;
            let entries = entries.unwrap_or_default();
            return append_stream(&store()?, origin, &entries, checkpoints);
        }
        Command::Checkpoint { key } => {
            let key = keys::read_private(&key).or_report()?;
            ledger::checkpoint(&store()?, origin, &key).or_report()?
        }
        Command::Witness { policy, evidence } => {
            let policy = accord_app::read_text("witness policy", &policy).or_report()?;
            let http = accord_app::witnessing::Http::default();
            let round =
                accord_app::witnessing::witness(&store()?, origin, &policy, &http).or_report()?;
            print!("{}", accord_render::report::witnessing(&round));
            let saved = accord_app::witnessing::save_evidence(&evidence, &round).or_report()?;
            for alarm in &round.alarms {
                eprintln!("ALARM: witness {}: {}", alarm.witness, alarm.known);
            }
            for path in &saved {
                eprintln!(
                    "split-view evidence written to {} (check it with `accord verify {}`)",
                    path.display(),
                    path.display()
                );
            }
            if !round.alarms.is_empty() {
                return Ok(ExitCode::FAILURE);
            }
            return Ok(if round.witnessed.is_ok() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            });
        }
        Command::Prove {
            index,
            format: ProofFormat::TlogProof,
            ..
        } => ledger::tlog_proof(&store()?, origin, index).or_report()?,
        Command::Prove { index, size, .. } => {
            let proof = ledger::inclusion(&store()?, origin, index, size).or_report()?;
            accord_render::ledger::inclusion(&proof)
        }
        Command::Consistency { old_size, new_size } => {
            let proof = ledger::consistency(&store()?, origin, old_size, new_size).or_report()?;
            accord_render::ledger::consistency(&proof)
        }
        Command::Audit { checkpoints } => {
            let outside = checkpoints
                .iter()
                .map(|c| ledger::read_checkpoint(c))
                .collect::<Result<Vec<_>, _>>()
                .or_report()?;
            let report =
                ledger::audit_against(&log.store.read_only()?, origin, &outside).or_report()?;
            print!("{}", accord_render::ledger::audit(&report));
            if report.is_clean() {
                return Ok(ExitCode::SUCCESS);
            }
            eprintln!("{}", accord_render::ledger::audit_problems(&report));
            return Ok(ExitCode::FAILURE);
        }
    };
    print!("{text}");
    Ok(ExitCode::SUCCESS)
}

fn init(log: &LogArgs, origin: &str, roster: &Path, log_key: &str) -> miette::Result<String> {
    let key = keys::verifier_key(log_key).or_report()?;
    let participants = ledger::read_roster_file(roster).or_report()?;
    // Checked before the store is opened: a refused roster or key creates nothing.
    ledger::check_log_key(origin, &key).or_report()?;
    let store = log.store.create()?;
    let info = ledger::init(&store, origin, &key, &participants).or_report()?;
    let agreement = info.roster.agreement;
    Ok(format!(
        "created log `{origin}` for agreement `{agreement}` in {}\n",
        store.url()
    ))
}

/// `--sign PARTICIPANT=KEYFILE`.
fn signer(text: &str) -> Result<(ParticipantId, PathBuf), String> {
    let (who, file) = text
        .split_once('=')
        .ok_or_else(|| format!("`{text}`: expected PARTICIPANT=KEYFILE"))?;
    Ok((
        ParticipantId::new(who).map_err(|e| e.to_string())?,
        file.into(),
    ))
}

fn append_stream(
    store: &accord_app::Store,
    origin: Option<&str>,
    entries: &Path,
    checkpoints: Option<CheckpointEvery>,
) -> miette::Result<ExitCode> {
    let input: Box<dyn std::io::BufRead> = if entries.as_os_str() == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        let file = std::fs::File::open(entries).into_diagnostic()?;
        Box::new(std::io::BufReader::new(file))
    };
    let refused = ledger::append_stream(store, origin, input.lines(), checkpoints, &mut |event| {
        match accord_render::ledger::streamed(&event) {
            Ok(line) => println!("{line}"),
            Err(line) => eprintln!("{line}"),
        }
    })
    .or_report()?;
    if refused > 0 {
        eprintln!("{refused} entries refused; nothing was written for them");
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}
