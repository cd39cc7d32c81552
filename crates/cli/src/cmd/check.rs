//! `accord check`, `accord init`, `accord schema` (issue #2): agreement files validated with
//! `file:line:col` diagnostics (exit 1 on any error, warnings alone exit 0; versions of one
//! agreement also checked as a chain), a starter agreement, the JSON Schema.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use accord_app::Error;
use accord_app::agreements::AgreementText;

/// Arguments of `accord check`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Agreement files to check (versions of one agreement are also checked as a chain).
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// How to report: `text` (for people) or `json` (an array of diagnostics).
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    /// `file:line:col: error: message`, a caret snippet and a help line.
    Text,
    /// A JSON array of `{file, line, column, end_line, end_column, severity, code, message, help}`.
    Json,
}

/// Runs `accord check`.
pub fn run(args: Args) -> miette::Result<ExitCode> {
    let mut inputs = Vec::new();
    let mut unreadable = Vec::new();
    for path in &args.files {
        match AgreementText::read(path) {
            Ok(text) => inputs.push((text.name, text.bytes)),
            Err(Error::Read { name, source, .. }) => unreadable.push((name, source.to_string())),
            Err(e) => return Err(crate::fail::report(e)),
        }
    }
    let reports = accord_spec::check_files(&inputs);
    let n_errors = accord_render::check::errors(&unreadable, &reports);
    match args.format {
        Format::Json => println!("{}", accord_render::check::json(&unreadable, &reports)),
        Format::Text => {
            eprint!(
                "{}",
                accord_render::check::diagnostics(&unreadable, &reports)
            );
            print!("{}", accord_render::check::summary(&reports));
            if n_errors > 0 {
                let totals = accord_render::check::totals(n_errors, args.files.len());
                eprintln!("{totals}");
            }
        }
    }
    Ok(if n_errors > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// Prints the JSON Schema of the agreement format.
pub fn schema() -> miette::Result<ExitCode> {
    println!("{}", accord_render::pretty(&accord_spec::schema::schema()));
    Ok(ExitCode::SUCCESS)
}

/// Arguments of `accord init`.
#[derive(Debug, clap::Args)]
pub struct InitArgs {
    /// Where to write the agreement (`-` for standard output).
    #[arg(default_value = "agreement.toml", value_name = "FILE")]
    path: PathBuf,
    /// Overwrite the file if it exists.
    #[arg(long)]
    force: bool,
}

/// Runs `accord init`.
pub fn init(args: InitArgs) -> miette::Result<ExitCode> {
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
