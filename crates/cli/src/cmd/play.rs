//! `accord play SCENARIO` and `accord demo`: rehearse an agreement through time into a
//! store and print the timeline the engine derives (and the states reached).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use accord_app::Error;
use accord_app::play::Dir;
use accord_core::time::Date;
use miette::IntoDiagnostic as _;

use crate::args::StoreArg;
use crate::fail::report;

/// Arguments of `accord play`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The scenario file (see `docs/scenario-format.md`).
    #[arg(value_name = "SCENARIO")]
    pub scenario: PathBuf,
    /// The store to append to (the log must not exist yet).
    #[command(flatten)]
    pub store: StoreArg,
    /// The last day of the timeline (the last event's day when absent).
    #[arg(long, value_name = "DATE")]
    pub to: Option<Date>,
    /// Print the timeline as JSON (an array of changes) instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Also print which states of the evaluation's vocabulary the scenario reached and
    /// which it never did (with `--json`: `{"changes": [...], "coverage": {...}}`).
    #[arg(long)]
    pub coverage: bool,
}

/// Shows a scenario's problems, line by line, before the report that ends the command.
fn scenario_failure(error: Error) -> miette::Report {
    match &error {
        Error::Scenario { name, errors } => {
            eprint!("{}", accord_render::play::scenario_errors(name, errors));
        }
        Error::Events { name, problems, .. } => {
            eprint!("{}", accord_render::play::event_problems(name, problems));
        }
        _ => {}
    }
    report(error)
}

/// Runs `accord play`.
pub fn run(args: Args) -> miette::Result<ExitCode> {
    let name = args.scenario.display().to_string();
    let text = std::fs::read_to_string(&args.scenario).map_err(|source| {
        report(Error::Read {
            what: "scenario",
            name: name.clone(),
            source,
        })
    })?;
    // Everything is checked before the store is opened: a bad scenario writes nothing.
    let dir = Dir(args
        .scenario
        .parent()
        .unwrap_or(Path::new("."))
        .to_path_buf());
    let rehearsal =
        accord_app::play::rehearse(&name, &text, &dir, args.to).map_err(scenario_failure)?;
    let played = rehearsal
        .play_into(&args.store.create()?)
        .map_err(scenario_failure)?;
    if args.json {
        println!(
            "{}",
            accord_render::play::played_json(&played, args.coverage)
        );
    } else {
        print!("{}", accord_render::play::played(&played));
        if args.coverage {
            print!("\n{}", accord_render::play::coverage(&played.coverage));
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Arguments of `accord demo`.
#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    /// Keep the store in this directory instead of a temporary one (it must not hold the
    /// demo's logs already).
    #[arg(long, value_name = "DIR")]
    pub keep: Option<PathBuf>,
}

/// Runs `accord demo`: the bundled scenarios, played into an embedded store in a temporary
/// directory (or `--keep DIR`).
pub fn demo(args: DemoArgs) -> miette::Result<ExitCode> {
    let temp;
    let dir = match &args.keep {
        Some(dir) => {
            std::fs::create_dir_all(dir).into_diagnostic()?;
            dir.clone()
        }
        None => {
            temp = tempfile::tempdir().into_diagnostic()?;
            temp.path().to_path_buf()
        }
    };
    let demo = accord_app::play::demo(&dir).map_err(scenario_failure)?;
    let kept = args.keep.as_ref().map(|d| d.display().to_string());
    print!("{}", accord_render::play::demo(&demo, kept.as_deref()));
    Ok(ExitCode::SUCCESS)
}
