//! `accord evaluate`, `explain`, `timeline` (issue #4): an agreement's state as of an
//! instant (tables, or the JSON of `docs/state-json.md`), why each status is what it is,
//! and every state change with its date and reason.

use std::process::ExitCode;

use accord_app::evaluate::{Inputs, LogSource, Reading};
use accord_app::time::{AsOf, parse_as_of};
use accord_core::time::Date;

use crate::args::{Location, StoreArg};
use crate::fail::OrReport as _;

#[derive(Debug, clap::Args)]
pub struct Source {
    /// The agreement file (TOML; or the agreement model as `.json`), or the id of an
    /// agreement whose text the store holds.
    #[arg(value_name = "AGREEMENT")]
    pub agreement: String,
    #[command(flatten)]
    pub store: StoreArg,
}

impl Source {
    fn inputs(&self) -> miette::Result<Inputs> {
        let agreement = crate::args::agreement(&self.agreement)?;
        let store;
        let log = match &self.store.location {
            Location::Store(_) => {
                store = self.store.read_only()?;
                LogSource::Store(&store)
            }
            Location::Exported(path) => LogSource::Exported(path),
        };
        Inputs::read(&agreement, log).or_report()
    }
}

#[derive(Debug, clap::Args)]
pub struct EvaluateArgs {
    #[command(flatten)]
    source: Source,
    /// The record-time cut: an RFC 3339 instant, a local time with its zone
    /// (`2026-07-01T00:01[America/New_York]`), or a date, meaning the end of that day in
    /// the agreement's zone (its `[agreement] zone`; UTC when it names none).
    #[arg(long)]
    as_of: String,
    #[command(flatten)]
    reading: ReadingArgs,
    /// Print the state as JSON (stable; see docs/state-json.md).
    #[arg(long)]
    json: bool,
}

/// How the state is read: one view, one contract.
#[derive(Debug, clap::Args)]
pub struct ReadingArgs {
    /// Evaluate in one view of what participants disagree on (`as-recorded`, or `void-#N`:
    /// the contested entry N held void), or in a participant's (its id, e.g. `target`:
    /// each contested invocation as it holds it, as recorded where it holds none; a view's
    /// id wins over a participant of that id, `participant:ID` always names the
    /// participant); every view is kept when absent, and what they disagree on is
    /// `contested`.
    #[arg(long, value_name = "VIEW")]
    view: Option<String>,
    /// Answer for a contract concluded on this date (YYYY-MM-DD): a non-retroactive
    /// reimposition does not catch contracts concluded before it.
    #[arg(long, value_name = "DATE")]
    contract: Option<Date>,
}

impl ReadingArgs {
    pub fn reading(&self) -> Reading {
        Reading {
            view: self.view.clone(),
            contract: self.contract,
        }
    }
}

pub fn evaluate(args: EvaluateArgs) -> miette::Result<ExitCode> {
    let as_of = parse_as_of(&args.as_of).or_report()?;
    let state = args
        .source
        .inputs()?
        .evaluate_as(as_of, &args.reading.reading())
        .or_report()?;
    print!("{}", accord_render::state::output(&state, args.json));
    Ok(ExitCode::SUCCESS)
}

#[derive(Debug, clap::Args)]
pub struct ExplainArgs {
    #[command(flatten)]
    source: Source,
    /// The record-time cut (default: now): an RFC 3339 instant, a local time with its
    /// zone, or a date (the end of that day in the agreement's zone; UTC when it names
    /// none).
    #[arg(long)]
    as_of: Option<String>,
    #[command(flatten)]
    reading: ReadingArgs,
    /// What to explain: a phase, relief action, commitment, indicator, exemption or event
    /// (every phase when absent).
    pub id: Option<String>,
}

pub fn explain(args: ExplainArgs, now: jiff::Timestamp) -> miette::Result<ExitCode> {
    let as_of = match &args.as_of {
        Some(text) => parse_as_of(text).or_report()?,
        None => AsOf::At(now),
    };
    let state = args
        .source
        .inputs()?
        .evaluate_as(as_of, &args.reading.reading())
        .or_report()?;
    let subjects = accord_app::evaluate::explain(&state, args.id.as_deref()).or_report()?;
    print!("{}", accord_render::explain::explain(&state, &subjects));
    Ok(ExitCode::SUCCESS)
}

#[derive(Debug, clap::Args)]
pub struct TimelineArgs {
    #[command(flatten)]
    source: Source,
    /// The first day (default: the agreement's effective date).
    #[arg(long)]
    from: Option<Date>,
    /// The last day (default: today in the agreement's zone; UTC when it names none).
    #[arg(long)]
    to: Option<Date>,
    /// Print the changes as JSON (an array; see docs/state-json.md).
    #[arg(long)]
    json: bool,
}

pub fn timeline(args: TimelineArgs, now: jiff::Timestamp) -> miette::Result<ExitCode> {
    let inputs = args.source.inputs()?;
    let to = match args.to {
        Some(to) => to,
        None => inputs.days().or_report()?.day_of(now),
    };
    let changes = inputs.timeline(args.from, to).or_report()?;
    print!("{}", accord_render::timeline::output(&changes, args.json));
    Ok(ExitCode::SUCCESS)
}
