//! `accord ledger` (issue #3): create a log, append signed statements, issue checkpoints,
//! prove and audit.

use std::io::BufRead as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use accord_app::keys;
use accord_app::ledger::{self, CheckpointEvery};
use accord_core::id::ParticipantId;
use accord_core::statement::Statement;
use miette::IntoDiagnostic as _;

use crate::args::StoreArg;
use crate::fail::{OrReport as _, report, usage};

/// Which store and which log.
#[derive(Debug, clap::Args)]
pub struct LogArgs {
    #[command(flatten)]
    store: StoreArg,
    /// The log's origin, when the store holds several logs.
    #[arg(long)]
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

/// Subcommands of `accord ledger`.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Create a log for one agreement in a store.
    Init {
        #[command(flatten)]
        log: LogArgs,
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
        #[command(flatten)]
        log: LogArgs,
        /// A statement (JSON) to sign and append.
        #[arg(long, required_unless_present = "entries")]
        statement: Option<PathBuf>,
        /// Sign as PARTICIPANT with the private key in KEYFILE (repeat for co-signers).
        #[arg(long = "sign", value_name = "PARTICIPANT=KEYFILE")]
        sign: Vec<String>,
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
        #[command(flatten)]
        log: LogArgs,
        /// The log's private key file.
        #[arg(long)]
        key: PathBuf,
    },
    /// Print the inclusion proof of an entry.
    Prove {
        #[command(flatten)]
        log: LogArgs,
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
        #[command(flatten)]
        log: LogArgs,
        /// The old size.
        #[arg(long)]
        old_size: u64,
        /// The new size (default: the log's size).
        #[arg(long)]
        new_size: Option<u64>,
    },
    /// Recompute the whole tree, re-verify every entry and checkpoint, report tampering.
    Audit {
        #[command(flatten)]
        log: LogArgs,
    },
}

/// Runs `accord ledger`.
pub fn run(command: Command) -> miette::Result<ExitCode> {
    match command {
        Command::Init {
            log,
            origin,
            roster,
            log_key,
        } => init(&log, &origin, &roster, &log_key),
        Command::Append {
            log,
            statement,
            sign,
            confidential,
            entries,
            checkpoint_every,
            checkpoint_key,
        } => match (statement, entries) {
            (_, Some(entries)) => {
                let checkpoints = match (checkpoint_every, checkpoint_key) {
                    (Some(every), Some(key)) => Some(CheckpointEvery {
                        every,
                        key: keys::read_private(&key).or_report()?,
                    }),
                    _ => None,
                };
                append_stream(&log, &entries, checkpoints)
            }
            (Some(statement), None) => append_one(&log, &statement, &sign, confidential),
            (None, None) => Err(usage(
                "give `--statement FILE` or `--entries FILE`".into(),
                None,
            )),
        },
        Command::Checkpoint { log, key } => {
            let key = keys::read_private(&key).or_report()?;
            let store = log.store.existing()?;
            print!(
                "{}",
                ledger::checkpoint(&store, log.log.as_deref(), &key).or_report()?
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Prove {
            log,
            index,
            size,
            format,
        } => {
            let store = log.store.existing()?;
            let origin = log.log.as_deref();
            match format {
                ProofFormat::TlogProof => {
                    print!("{}", ledger::tlog_proof(&store, origin, index).or_report()?);
                }
                ProofFormat::Lines => {
                    let proof = ledger::inclusion(&store, origin, index, size).or_report()?;
                    print!("{}", accord_render::ledger::inclusion(&proof));
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Consistency {
            log,
            old_size,
            new_size,
        } => {
            let store = log.store.existing()?;
            let proof =
                ledger::consistency(&store, log.log.as_deref(), old_size, new_size).or_report()?;
            print!("{}", accord_render::ledger::consistency(&proof));
            Ok(ExitCode::SUCCESS)
        }
        Command::Audit { log } => {
            let store = log.store.existing()?;
            let report = ledger::audit(&store, log.log.as_deref()).or_report()?;
            print!("{}", accord_render::ledger::audit(&report));
            if report.is_clean() {
                return Ok(ExitCode::SUCCESS);
            }
            eprintln!("{}", accord_render::ledger::audit_problems(&report));
            Ok(ExitCode::FAILURE)
        }
    }
}

fn init(log: &LogArgs, origin: &str, roster: &Path, log_key: &str) -> miette::Result<ExitCode> {
    let key = keys::verifier_key(log_key).or_report()?;
    let bytes = std::fs::read(roster).map_err(|source| {
        report(accord_app::Error::Read {
            what: "roster",
            name: roster.display().to_string(),
            source,
        })
    })?;
    let participants = ledger::read_roster(&roster.display().to_string(), bytes).or_report()?;
    // Checked before the store is opened: a refused roster or key creates nothing.
    if key.name() != origin {
        return Err(report(accord_app::Error::LogKeyName {
            key: key.name().to_owned(),
            origin: origin.to_owned(),
        }));
    }
    let store = log.store.create()?;
    let info = ledger::init(&store, origin, &key, &participants).or_report()?;
    println!(
        "created log `{origin}` for agreement `{}` in {}",
        info.roster.agreement,
        store.url()
    );
    Ok(ExitCode::SUCCESS)
}

fn append_one(
    log: &LogArgs,
    statement: &Path,
    sign: &[String],
    confidential: bool,
) -> miette::Result<ExitCode> {
    let name = statement.display().to_string();
    let read = std::fs::read_to_string(statement).map_err(|source| {
        report(accord_app::Error::Read {
            what: "statement",
            name: name.clone(),
            source,
        })
    })?;
    let statement: Statement = serde_json::from_str(&read).map_err(|e| {
        report(accord_app::Error::Statement {
            name,
            message: e.to_string(),
        })
    })?;
    let mut authors = Vec::with_capacity(sign.len());
    for s in sign {
        let Some((who, file)) = s.split_once('=') else {
            return Err(usage(
                format!("`--sign {s}`: expected PARTICIPANT=KEYFILE"),
                None,
            ));
        };
        let who = ParticipantId::new(who).into_diagnostic()?;
        authors.push((who, keys::read_private(Path::new(file)).or_report()?));
    }
    let store = log.store.existing()?;
    let (receipt, id) = ledger::append(
        &store,
        log.log.as_deref(),
        statement,
        &authors,
        confidential,
    )
    .or_report()?;
    println!("{}", accord_render::ledger::receipt(&receipt, &id));
    Ok(ExitCode::SUCCESS)
}

fn append_stream(
    log: &LogArgs,
    entries: &Path,
    checkpoints: Option<CheckpointEvery>,
) -> miette::Result<ExitCode> {
    let store = log.store.existing()?;
    let input: Box<dyn std::io::BufRead> = if entries.as_os_str() == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        let file = std::fs::File::open(entries).map_err(|source| {
            report(accord_app::Error::Read {
                what: "entries",
                name: entries.display().to_string(),
                source,
            })
        })?;
        Box::new(std::io::BufReader::new(file))
    };
    let refused = ledger::append_stream(
        &store,
        log.log.as_deref(),
        input.lines(),
        checkpoints,
        &mut |event| match accord_render::ledger::streamed(&event) {
            Ok(line) => println!("{line}"),
            Err(line) => eprintln!("{line}"),
        },
    )
    .or_report()?;
    if refused > 0 {
        eprintln!("{refused} entries refused; nothing was written for them");
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}
