//! `accord init` (issue #2): write a commented starter agreement that passes `accord check`.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `accord init`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Where to write the agreement (`-` for standard output).
    #[arg(default_value = "agreement.toml", value_name = "FILE")]
    path: PathBuf,
    /// Overwrite the file if it exists.
    #[arg(long)]
    force: bool,
}

/// Runs `accord init`.
pub fn run(args: Args) -> miette::Result<ExitCode> {
    if args.path.as_os_str() == "-" {
        print!("{}", accord_spec::STARTER);
        return Ok(ExitCode::SUCCESS);
    }
    let shown = args.path.display().to_string();
    let mut options = std::fs::OpenOptions::new();
    options.write(true);
    if args.force {
        options.create(true).truncate(true);
    } else {
        options.create_new(true);
    }
    let mut file = options.open(&args.path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            miette::miette!(
                code = "accord::init",
                help = "choose another name, or pass `--force` to overwrite it",
                "`{shown}` already exists"
            )
        } else {
            miette::miette!(code = "accord::init", "cannot create `{shown}`: {e}")
        }
    })?;
    file.write_all(accord_spec::STARTER.as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(|e| miette::miette!(code = "accord::init", "cannot write `{shown}`: {e}"))?;
    println!("wrote {shown}: edit it, then run `accord check {shown}`");
    Ok(ExitCode::SUCCESS)
}
