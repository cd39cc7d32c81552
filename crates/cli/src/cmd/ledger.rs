//! `accord ledger`: create a log, append signed statements, issue checkpoints, prove and
//! audit (issue #3). The store is named by `--store sqlite:PATH` or `--store postgres://...`.

use std::io::BufRead as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::mpsc;

use accord_core::id::ParticipantId;
use accord_core::statement::Statement;
use accord_ledger::checkpoint::{decode_hex, encode_hash, encode_hex};
use accord_ledger::entry::{self, Body, Entry, SignedEntry};
use accord_ledger::note::SignerKey;
use accord_ledger::roster::Roster;
use accord_store::StoreUrl;
use accord_store::ledger::{AppendError, GroupCommit, Ledger, Receipt, Submission};
use base64::Engine as _;
use miette::{IntoDiagnostic as _, WrapErr as _};

/// Which store and which log.
#[derive(Debug, clap::Args)]
pub struct StoreArgs {
    /// The store: `sqlite:PATH` (embedded file) or `postgres://USER@HOST:PORT/DB`.
    #[arg(long)]
    store: String,
    /// The log's origin, when the store holds several logs.
    #[arg(long)]
    log: Option<String>,
}

impl StoreArgs {
    fn url(&self) -> miette::Result<StoreUrl> {
        self.store.parse().into_diagnostic()
    }

    fn open(&self) -> miette::Result<Ledger> {
        Ledger::open(&self.url()?, self.log.as_deref()).into_diagnostic()
    }
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
        store: StoreArgs,
        /// The log's origin (its name in checkpoints), e.g. `accord.example/agreement-1`.
        #[arg(long)]
        origin: String,
        /// The participants and their keys: the agreement file (TOML), or a JSON or TOML
        /// roster file (see docs/design.md).
        #[arg(long)]
        roster: PathBuf,
        /// The log's verifier key (from `accord key generate ORIGIN`), or a file holding it.
        #[arg(long)]
        log_key: String,
    },
    /// Append signed statements; prints each index once the entry is durable.
    Append {
        #[command(flatten)]
        store: StoreArgs,
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
        store: StoreArgs,
        /// The log's private key file.
        #[arg(long)]
        key: PathBuf,
    },
    /// Print the inclusion proof of an entry.
    Prove {
        #[command(flatten)]
        store: StoreArgs,
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
        store: StoreArgs,
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
        store: StoreArgs,
    },
}

/// Reads the log's participants: from an agreement file (TOML with an `[agreement]` table,
/// checked by `accord check` first, keys as the agreement declares them), or from a roster
/// file (JSON, or TOML when the name ends in `.toml`). This is the one place that decides
/// where a log's participants come from.
pub fn load_roster(path: &Path) -> miette::Result<Roster> {
    let text = std::fs::read_to_string(path)
        .into_diagnostic()
        .wrap_err_with(|| format!("cannot read the roster `{}`", path.display()))?;
    let is_agreement = path.extension().is_some_and(|e| e == "toml")
        && text.lines().any(|l| l.trim() == "[agreement]");
    if is_agreement {
        let versions = crate::load::agreement_versions(&[path])?;
        let Some(first) = versions.first() else {
            miette::bail!("`{}` holds no agreement", path.display());
        };
        return crate::load::roster_from_agreement(&first.agreement);
    }
    let roster: Roster = if path.extension().is_some_and(|e| e == "toml") {
        toml::from_str(&text).into_diagnostic()
    } else {
        serde_json::from_str(&text).into_diagnostic()
    }
    .wrap_err_with(|| format!("`{}` is not a roster", path.display()))?;
    roster
        .validate()
        .into_diagnostic()
        .wrap_err_with(|| format!("in roster `{}`", path.display()))?;
    Ok(roster)
}

fn random_32() -> miette::Result<[u8; 32]> {
    let mut b = [0u8; 32];
    getrandom::fill(&mut b)
        .map_err(|e| miette::miette!("the operating system gave no randomness: {e}"))?;
    Ok(b)
}

fn parse_entry_line(line: &str) -> Result<SignedEntry, String> {
    let bytes = decode_hex(line)
        .or_else(|| base64::engine::general_purpose::STANDARD.decode(line).ok())
        .ok_or_else(|| "neither hex nor base64".to_owned())?;
    SignedEntry::decode(&bytes).map_err(|e| e.to_string())
}

fn print_receipt(receipt: &Receipt, id: &[u8; 32]) {
    let verb = if receipt.duplicate {
        "duplicate"
    } else {
        "appended"
    };
    println!("{verb} #{} {}", receipt.index, encode_hex(id));
}

/// Runs `accord ledger`.
pub fn run(command: Command) -> miette::Result<ExitCode> {
    match command {
        Command::Init {
            store,
            origin,
            roster,
            log_key,
        } => {
            let key = super::note::verifier_key(&log_key)?;
            if key.name() != origin {
                miette::bail!(
                    help = "generate it with `accord key generate ORIGIN`",
                    "the log key is named `{}` but the log's origin is `{origin}`: they must match",
                    key.name()
                );
            }
            let roster = load_roster(&roster)?;
            Ledger::init(&store.url()?, &origin, &key, &roster).into_diagnostic()?;
            println!(
                "created log `{origin}` for agreement `{}` in {}",
                roster.agreement, store.store
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Append {
            store,
            statement,
            sign,
            confidential,
            entries,
            checkpoint_every,
            checkpoint_key,
        } => match (statement, entries) {
            (_, Some(entries)) => append_stream(
                &store,
                &entries,
                checkpoint_every,
                checkpoint_key.as_deref(),
            ),
            (Some(statement), None) => append_one(&store, &statement, &sign, confidential),
            (None, None) => miette::bail!("give `--statement FILE` or `--entries FILE`"),
        },
        Command::Checkpoint { store, key } => {
            let key = super::key::read_private(&key)?;
            let mut ledger = store.open()?;
            print!("{}", ledger.checkpoint(&key).into_diagnostic()?);
            Ok(ExitCode::SUCCESS)
        }
        Command::Prove {
            store,
            index,
            size,
            format,
        } => {
            let mut ledger = store.open()?;
            match format {
                ProofFormat::TlogProof => {
                    print!("{}", ledger.tlog_proof(index).into_diagnostic()?.encode());
                }
                ProofFormat::Lines => {
                    let size = size.unwrap_or(ledger.info().size);
                    let proof = ledger.inclusion_proof(index, size).into_diagnostic()?;
                    let (_, leaf_hash) = ledger.entry(index).into_diagnostic()?;
                    let root = ledger.root_at(size).into_diagnostic()?;
                    println!("index {index}");
                    println!("size {size}");
                    println!("leaf-hash {}", encode_hash(&leaf_hash));
                    println!("root {}", encode_hash(&root));
                    println!(
                        "proof {}",
                        proof.iter().map(encode_hash).collect::<Vec<_>>().join(",")
                    );
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Consistency {
            store,
            old_size,
            new_size,
        } => {
            let mut ledger = store.open()?;
            let new_size = new_size.unwrap_or(ledger.info().size);
            let proof = ledger
                .consistency_proof(old_size, new_size)
                .into_diagnostic()?;
            println!("old-size {old_size}");
            println!("new-size {new_size}");
            println!(
                "old-root {}",
                encode_hash(&ledger.root_at(old_size).into_diagnostic()?)
            );
            println!(
                "new-root {}",
                encode_hash(&ledger.root_at(new_size).into_diagnostic()?)
            );
            println!(
                "proof {}",
                proof.iter().map(encode_hash).collect::<Vec<_>>().join(",")
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Audit { store } => {
            let mut ledger = store.open()?;
            let report = ledger.audit().into_diagnostic()?;
            for finding in &report.findings {
                println!("{finding}");
            }
            println!(
                "audited {} entries and {} checkpoints of `{}`: root {}",
                report.entries,
                report.checkpoints,
                report.origin,
                encode_hash(&report.root)
            );
            if report.is_clean() {
                println!("no tampering found");
                Ok(ExitCode::SUCCESS)
            } else {
                eprintln!(
                    "{} problem(s) found: the log was altered outside Accord",
                    report.findings.len()
                );
                Ok(ExitCode::FAILURE)
            }
        }
    }
}

fn append_one(
    store: &StoreArgs,
    statement: &Path,
    sign: &[String],
    confidential: bool,
) -> miette::Result<ExitCode> {
    if sign.is_empty() {
        miette::bail!(
            help = "add `--sign PARTICIPANT=KEYFILE`",
            "an entry must be signed by its author"
        );
    }
    let text = std::fs::read_to_string(statement)
        .into_diagnostic()
        .wrap_err_with(|| format!("cannot read `{}`", statement.display()))?;
    let statement: Statement = serde_json::from_str(&text)
        .into_diagnostic()
        .wrap_err_with(|| format!("`{}` is not a statement", statement.display()))?;
    let mut authors: Vec<(ParticipantId, SignerKey)> = Vec::new();
    for s in sign {
        let (who, file) = s
            .split_once('=')
            .ok_or_else(|| miette::miette!("`--sign {s}`: expected PARTICIPANT=KEYFILE"))?;
        let who = ParticipantId::new(who).into_diagnostic()?;
        authors.push((who, super::key::read_private(Path::new(file))?));
    }
    let ledger = store.open()?;
    let info = ledger.info().clone();
    let (body, sealed) = if confidential {
        let salt = random_32()?;
        let (body, content) = entry::seal(&statement, &salt);
        (body, Some((salt, content)))
    } else {
        (Body::Open(statement), None)
    };
    let refs: Vec<(&ParticipantId, &SignerKey)> = authors.iter().map(|(p, k)| (p, k)).collect();
    let signed = Entry {
        origin: info.origin.clone(),
        agreement: info.roster.agreement.clone(),
        body,
    }
    .sign(&refs);
    let id = signed.id();
    let sequencer = ledger
        .into_sequencer(GroupCommit::default())
        .into_diagnostic()?;
    let receipt = sequencer
        .append(Submission {
            entry: signed,
            sealed,
        })
        .into_diagnostic()?;
    print_receipt(&receipt, &id);
    Ok(ExitCode::SUCCESS)
}

fn append_stream(
    store: &StoreArgs,
    entries: &Path,
    checkpoint_every: Option<u64>,
    checkpoint_key: Option<&Path>,
) -> miette::Result<ExitCode> {
    let checkpoint_key = checkpoint_key.map(super::key::read_private).transpose()?;
    let mut reader_handle = store.open()?;
    let sequencer = store
        .open()?
        .into_sequencer(GroupCommit::default())
        .into_diagnostic()?;
    let input: Box<dyn std::io::BufRead> = if entries.as_os_str() == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        Box::new(std::io::BufReader::new(
            std::fs::File::open(entries)
                .into_diagnostic()
                .wrap_err_with(|| format!("cannot read `{}`", entries.display()))?,
        ))
    };
    type Pending = (
        usize,
        [u8; 32],
        mpsc::Receiver<Result<Receipt, AppendError>>,
    );
    let (tx, rx) = mpsc::channel::<Pending>();
    // Receipts are printed in submission order by another thread, so that reading and
    // submitting never wait for a commit: the writer sees many entries per batch.
    let printer = std::thread::spawn(move || -> Result<usize, String> {
        let mut refused = 0usize;
        let mut acked = 0u64;
        for (line, id, receipt) in rx {
            match receipt.recv() {
                Ok(Ok(r)) => {
                    print_receipt(&r, &id);
                    acked += 1;
                    if let (Some(every), Some(key)) = (checkpoint_every, checkpoint_key.as_ref())
                        && every > 0
                        && acked.is_multiple_of(every)
                    {
                        let note = reader_handle.checkpoint(key).map_err(|e| e.to_string())?;
                        let cp = accord_ledger::checkpoint::Checkpoint::parse_body(
                            &accord_ledger::note::parse_note(&note)
                                .map_err(|e| e.to_string())?
                                .text,
                        )
                        .map_err(|e| e.to_string())?;
                        println!("checkpoint {} {}", cp.size, encode_hash(&cp.root));
                    }
                }
                Ok(Err(e)) => {
                    eprintln!("line {line}: {e}");
                    refused += 1;
                }
                Err(_) => return Err("the log's writer stopped".into()),
            }
        }
        Ok(refused)
    });
    let mut bad = 0usize;
    for (n, line) in input.lines().enumerate() {
        let line = line.into_diagnostic()?;
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        match parse_entry_line(line) {
            Ok(entry) => {
                let id = entry.id();
                let receipt = sequencer.submit(Submission {
                    entry,
                    sealed: None,
                });
                if tx.send((n + 1, id, receipt)).is_err() {
                    break;
                }
            }
            Err(e) => {
                eprintln!("line {}: malformed entry: {e}", n + 1);
                bad += 1;
            }
        }
    }
    drop(tx);
    let refused = printer
        .join()
        .map_err(|_| miette::miette!("the printer thread failed"))?
        .map_err(|e| miette::miette!("{e}"))?;
    sequencer.shutdown();
    if bad + refused > 0 {
        eprintln!(
            "{} entries refused; nothing was written for them",
            bad + refused
        );
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}
