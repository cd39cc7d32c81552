//! `accord schema` (issue #2): print the JSON Schema of the agreement format, for editors
//! that validate agreement files as they are typed.

use std::process::ExitCode;

/// Arguments of `accord schema`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `accord schema`.
pub fn run(_args: Args) -> miette::Result<ExitCode> {
    let text = serde_json::to_string_pretty(&accord_spec::schema::schema())
        .map_err(|e| miette::miette!("cannot write the schema: {e}"))?;
    println!("{text}");
    Ok(ExitCode::SUCCESS)
}
