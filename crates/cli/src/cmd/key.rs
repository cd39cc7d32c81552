//! `accord key`: make signing keys (issue #3).
//!
//! A key file holds one Go-compatible private key string (`PRIVATE+KEY+name+hex8+base64`)
//! and a newline; it is created with mode 0600 and never overwritten.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use accord_ledger::note::{SignerKey, TYPE_COSIGNATURE, TYPE_ED25519};
use miette::{IntoDiagnostic as _, WrapErr as _};

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
    match command {
        Command::Generate {
            name,
            out,
            cosigner,
        } => {
            let mut seed = [0u8; 32];
            getrandom::fill(&mut seed)
                .map_err(|e| miette::miette!("the operating system gave no randomness: {e}"))?;
            let kind = if cosigner {
                TYPE_COSIGNATURE
            } else {
                TYPE_ED25519
            };
            let key = SignerKey::from_seed_of_type(&name, kind, seed).into_diagnostic()?;
            let path =
                out.unwrap_or_else(|| PathBuf::from(format!("{}.key", name.replace('/', "_"))));
            write_private(&path, &key.to_private_string())?;
            println!("{}", key.verifier());
            eprintln!("private key written to {}", path.display());
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn write_private(path: &Path, text: &str) -> miette::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut file = options.open(path).into_diagnostic().wrap_err_with(|| {
        format!(
            "cannot create `{}` (an existing key is never overwritten)",
            path.display()
        )
    })?;
    writeln!(file, "{text}").into_diagnostic()?;
    file.sync_all().into_diagnostic()?;
    Ok(())
}

/// Reads a private key file written by `accord key generate` (or by Go's `note` tools).
pub fn read_private(path: &Path) -> miette::Result<SignerKey> {
    let text = std::fs::read_to_string(path)
        .into_diagnostic()
        .wrap_err_with(|| format!("cannot read the key file `{}`", path.display()))?;
    SignerKey::parse(text.trim())
        .into_diagnostic()
        .wrap_err_with(|| format!("in key file `{}`", path.display()))
}
