//! `accord key` and `accord note` (issue #3): signing keys, and C2SP signed notes signed
//! and verified.

use std::path::PathBuf;
use std::process::ExitCode;

use accord_app::keys;
use accord_ledger::note;
use miette::{IntoDiagnostic as _, WrapErr as _};

use crate::fail::OrReport as _;

/// Subcommands of `accord key`.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Generate an Ed25519 key: write the private key file and print the verifier key.
    Generate {
        /// The key's name (for a log, its origin, e.g. `accord.example/agreement-1`).
        name: String,
        /// Where to write the private key (default: the name with `/` as `_`, plus `.key`).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Make a witness cosigner key (`tlog-cosignature/v1`, type 0x04).
        #[arg(long)]
        cosigner: bool,
    },
}

/// Runs `accord key`.
pub fn run(command: Command) -> miette::Result<ExitCode> {
    let Command::Generate {
        name,
        out,
        cosigner,
    } = command;
    let key = keys::generate(&name, cosigner).or_report()?;
    let path = out.unwrap_or_else(|| PathBuf::from(format!("{}.key", name.replace('/', "_"))));
    keys::write_private(&path, &key).map_err(|e| {
        crate::fail::report_as(
            e,
            "accord::key",
            "an existing key is never overwritten: choose another `--out`",
        )
    })?;
    println!("{}", key.verifier());
    eprintln!("private key written to {}", path.display());
    Ok(ExitCode::SUCCESS)
}

/// Subcommands of `accord note`.
#[derive(Debug, clap::Subcommand)]
pub enum NoteCommand {
    /// Verify a signed note; print the names of the given keys that signed it.
    ///
    /// Exits 0 only if at least one given key verified the note. Signatures by other keys
    /// are ignored; a signature by a given key that does not verify rejects the note.
    Verify {
        /// A verifier key `name+hex8+base64` (repeat for several), or a file holding one.
        #[arg(long = "key", required = true)]
        keys: Vec<String>,
        /// The note file (`-` for standard input).
        file: PathBuf,
    },
    /// Sign a text file with a private key and print the signed note.
    Sign {
        /// A private key file from `accord key generate` (repeat for several).
        #[arg(long = "key", required = true)]
        keys: Vec<PathBuf>,
        /// The text file (it must end with a newline).
        file: PathBuf,
    },
}

/// A file's text, or standard input's for `-`.
pub fn read_input(file: &std::path::Path) -> miette::Result<String> {
    if file.as_os_str() == "-" {
        std::io::read_to_string(std::io::stdin()).into_diagnostic()
    } else {
        std::fs::read_to_string(file)
            .into_diagnostic()
            .wrap_err_with(|| format!("cannot read `{}`", file.display()))
    }
}

/// Runs `accord note`.
pub fn note(command: NoteCommand, now: jiff::Timestamp) -> miette::Result<ExitCode> {
    match command {
        NoteCommand::Verify { keys: given, file } => {
            let keys = given
                .iter()
                .map(|k| keys::verifier_key(k).or_report())
                .collect::<miette::Result<Vec<_>>>()?;
            let text = read_input(&file)?;
            let verified = note::open_note(&text, &keys)
                .into_diagnostic()
                .wrap_err_with(|| format!("`{}` does not verify", file.display()))?;
            for name in &verified.signers {
                println!("{name}");
            }
        }
        NoteCommand::Sign { keys: given, file } => {
            let keys = given
                .iter()
                .map(|k| keys::read_private(k).or_report())
                .collect::<miette::Result<Vec<_>>>()?;
            let text = read_input(&file)?;
            let refs: Vec<_> = keys.iter().collect();
            let at = u64::try_from(now.as_second()).unwrap_or(0);
            print!("{}", note::sign_note(&text, &refs, at).into_diagnostic()?);
        }
    }
    Ok(ExitCode::SUCCESS)
}
