//! `accord note`: verify C2SP signed notes (issue #3).

use std::path::PathBuf;
use std::process::ExitCode;

use accord_ledger::note::{self, VerifierKey};
use miette::{IntoDiagnostic as _, WrapErr as _};

/// Subcommands of `accord note`.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
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

/// Parses a verifier key given on the command line, or read from a file.
pub fn verifier_key(arg: &str) -> miette::Result<VerifierKey> {
    match VerifierKey::parse(arg) {
        Ok(k) => Ok(k),
        Err(e) => {
            let path = std::path::Path::new(arg);
            if path.is_file() {
                let text = std::fs::read_to_string(path).into_diagnostic()?;
                VerifierKey::parse(text.trim())
                    .into_diagnostic()
                    .wrap_err_with(|| format!("in key file `{arg}`"))
            } else {
                Err(e).into_diagnostic()
            }
        }
    }
}

pub(crate) fn read_input(file: &std::path::Path) -> miette::Result<String> {
    if file.as_os_str() == "-" {
        std::io::read_to_string(std::io::stdin()).into_diagnostic()
    } else {
        std::fs::read_to_string(file)
            .into_diagnostic()
            .wrap_err_with(|| format!("cannot read `{}`", file.display()))
    }
}

/// Runs `accord note`.
pub fn run(command: Command) -> miette::Result<ExitCode> {
    match command {
        Command::Verify { keys, file } => {
            let keys = keys
                .iter()
                .map(|k| verifier_key(k))
                .collect::<miette::Result<Vec<_>>>()?;
            let text = read_input(&file)?;
            let verified = note::open_note(&text, &keys)
                .into_diagnostic()
                .wrap_err_with(|| format!("`{}` does not verify", file.display()))?;
            for name in &verified.signers {
                println!("{name}");
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Sign { keys, file } => {
            let keys = keys
                .iter()
                .map(|k| super::key::read_private(k))
                .collect::<miette::Result<Vec<_>>>()?;
            let text = read_input(&file)?;
            let refs: Vec<_> = keys.iter().collect();
            let now = jiff::Timestamp::now().as_second().max(0) as u64;
            print!("{}", note::sign_note(&text, &refs, now).into_diagnostic()?);
            Ok(ExitCode::SUCCESS)
        }
    }
}
