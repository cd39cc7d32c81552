//! `accord timeline` (issue #4): every state change of an agreement with its date and
//! reason, as a table or as JSON.

use std::path::PathBuf;
use std::process::ExitCode;

use accord_core::engine::{Change, timeline};
use miette::IntoDiagnostic;

use super::evaluate::{eval_error, load, table};

/// Arguments of `accord timeline`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The agreement file (TOML; or the agreement model as `.json`).
    pub agreement: PathBuf,
    /// The ledger store: `sqlite:PATH`, `postgres://…`, or `jsonl:FILE` (an exported log).
    #[arg(long)]
    pub store: String,
    /// The first day (default: the agreement's effective date).
    #[arg(long)]
    pub from: Option<jiff::civil::Date>,
    /// The last day (default: today, UTC).
    #[arg(long)]
    pub to: Option<jiff::civil::Date>,
    /// Print the changes as JSON (an array; see docs/state-json.md).
    #[arg(long)]
    pub json: bool,
}

/// Runs `accord timeline`.
pub fn run(args: Args) -> miette::Result<ExitCode> {
    let to = args
        .to
        .unwrap_or_else(|| accord_core::engine::date_of(jiff::Timestamp::now()));
    let (versions, log) = load(&args.agreement, &args.store)?;
    let changes = timeline(&versions, &log, args.from, to).map_err(eval_error)?;
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&changes).into_diagnostic()?
        );
    } else {
        print!("{}", render(&changes));
    }
    Ok(ExitCode::SUCCESS)
}

/// The changes as a table: one row per change, with its first reason.
pub fn render(changes: &[Change]) -> String {
    let rows: Vec<Vec<String>> = changes
        .iter()
        .map(|c| {
            let why = c.reasons.first().map_or(String::new(), |r| {
                let entries = match r.entries.as_slice() {
                    [] => String::new(),
                    [one] => format!(" [{one}]"),
                    many => format!(" [{} entries]", many.len()),
                };
                format!("{}: {}{entries}", r.rule, r.detail)
            });
            vec![
                c.date.to_string(),
                c.subject.clone(),
                c.from.clone().unwrap_or_else(|| "-".to_owned()),
                c.to.clone(),
                why,
            ]
        })
        .collect();
    table(&["DATE", "SUBJECT", "FROM", "TO", "REASON"], &rows)
}
