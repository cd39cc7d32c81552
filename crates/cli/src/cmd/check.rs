//! `accord check`, `accord init`, `accord schema` (issue #2): agreement files validated with
//! `file:line:col` diagnostics (exit 1 on any error, warnings alone exit 0; versions of one
//! agreement also checked as a chain, with the versions a store registered when `--store`
//! is given), a starter agreement, the JSON Schema.

use std::path::PathBuf;
use std::process::ExitCode;

use accord_app::Error;
use accord_app::agreements::AgreementText;
use accord_render::check as render;

use crate::fail::OrReport as _;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Agreement files to check (versions of one agreement are also checked as a chain).
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// How to report: `text` (for people) or `json` (an array of diagnostics).
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// A store whose registered versions the files are checked against: an amendment
    /// checked alone is then checked as the next link of the registered chain (its
    /// number, its effective date, its `zone`). Only when given (`ACCORD_STORE` is not
    /// read here: checking a file needs no store).
    #[arg(long, value_name = "URL")]
    store: Option<accord_app::StoreUrl>,
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    /// `file:line:col: error: message`, a caret snippet and a help line.
    Text,
    /// A JSON array of `{file, line, column, end_line, end_column, severity, code, message, help}`.
    Json,
}

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
    let reports = match &args.store {
        None => accord_spec::check_files(&inputs),
        Some(url) => {
            let store = accord_app::open_read_only(url).or_report()?;
            accord_app::agreements::check_against_registered(&store, &inputs).or_report()?
        }
    };
    let n_errors = render::errors(&unreadable, &reports);
    if args.format == Format::Json {
        println!("{}", render::json(&unreadable, &reports));
    } else {
        eprint!("{}", render::diagnostics(&unreadable, &reports));
        print!("{}", render::summary(&reports));
        if n_errors > 0 {
            eprintln!("{}", render::totals(n_errors, args.files.len()));
        }
    }
    Ok(ExitCode::from(u8::from(n_errors > 0)))
}

/// Prints the JSON Schema of the agreement format.
pub fn schema() -> miette::Result<ExitCode> {
    println!("{}", accord_render::pretty(&accord_spec::schema::schema()));
    Ok(ExitCode::SUCCESS)
}

#[derive(Debug, clap::Args)]
pub struct InitArgs {
    /// Where to write the agreement (`-` for standard output).
    #[arg(default_value = "agreement.toml", value_name = "FILE")]
    path: PathBuf,
    /// Overwrite the file if it exists.
    #[arg(long)]
    force: bool,
}

pub fn init(args: InitArgs) -> miette::Result<ExitCode> {
    if args.path.as_os_str() == "-" {
        print!("{}", accord_spec::STARTER);
        return Ok(ExitCode::SUCCESS);
    }
    accord_app::agreements::write_starter(&args.path, args.force).or_report()?;
    let shown = args.path.display();
    println!("wrote {shown}: edit it, then run `accord check {shown}`");
    Ok(ExitCode::SUCCESS)
}
