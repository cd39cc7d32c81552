//! `accord key` and `accord note` (issue #3): signing keys, and C2SP signed notes signed
//! and verified.

use std::path::PathBuf;
use std::process::ExitCode;

use accord_app::keys;

use crate::fail::OrReport as _;

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

const NEVER: crate::fail::Hint = (
    None,
    Some("an existing key is never overwritten: choose another `--out`"),
);

pub fn run(command: Command) -> miette::Result<ExitCode> {
    let Command::Generate {
        name,
        out,
        cosigner,
    } = command;
    let (key, path) = keys::generate_into(&name, cosigner, out.as_deref())
        .map_err(|e| crate::fail::report_or(e, NEVER))?;
    println!("{}", key.verifier());
    eprintln!("private key written to {}", path.display());
    Ok(ExitCode::SUCCESS)
}

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

pub fn note(command: NoteCommand, now: jiff::Timestamp) -> miette::Result<ExitCode> {
    match command {
        NoteCommand::Verify { keys, file } => {
            let name = file.display().to_string();
            for signer in keys::open_note(
                &name,
                &accord_app::read_text("note", &file).or_report()?,
                &keys,
            )
            .or_report()?
            {
                println!("{signer}");
            }
        }
        NoteCommand::Sign { keys, file } => {
            print!(
                "{}",
                keys::sign_note(
                    &accord_app::read_text("text", &file).or_report()?,
                    &keys,
                    now
                )
                .or_report()?
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
