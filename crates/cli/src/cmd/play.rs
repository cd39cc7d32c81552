//! `accord play SCENARIO` and `accord demo`: rehearse an agreement through time into a
//! store and print the timeline the engine derives (and the states reached).

use std::path::PathBuf;
use std::process::ExitCode;

use accord_app::Error;
use accord_core::time::Date;

use crate::args::StoreArg;
use crate::fail::report;

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
    eprint!("{}", accord_render::play::problems(&error));
    report(error)
}

pub fn run(args: Args) -> miette::Result<ExitCode> {
    // Everything is checked before the store is opened: a bad scenario writes nothing.
    let rehearsal =
        accord_app::play::rehearse_file(&args.scenario, args.to).map_err(scenario_failure)?;
    let store = args.store.create()?;
    let played = rehearsal.play_into(&store).map_err(scenario_failure)?;
    print!(
        "{}",
        accord_render::play::output(&played, args.json, args.coverage)
    );
    Ok(ExitCode::SUCCESS)
}

#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    /// Keep the store in this directory instead of a temporary one (it must not hold the
    /// demo's logs already).
    #[arg(long, value_name = "DIR")]
    pub keep: Option<PathBuf>,
}

/// `accord demo`: the bundled scenarios, played into an embedded store in a temporary
/// directory (or `--keep DIR`).
pub fn demo(args: DemoArgs) -> miette::Result<ExitCode> {
    let demo = accord_app::play::demo(args.keep.as_deref()).map_err(scenario_failure)?;
    let kept = args.keep.as_ref().map(|d| d.display().to_string());
    print!("{}", accord_render::play::demo(&demo, kept.as_deref()));
    Ok(ExitCode::SUCCESS)
}
