//! `accord status` (issue #6, part 5): what is in force for one entity, per jurisdiction —
//! the store's lists and their history composed with the relief each agreement's log puts
//! in force (`accord_app::status`).

use std::process::ExitCode;

use accord_app::status::{StatusQuery, Who};
use accord_app::time::today;
use accord_core::time::Date;

use crate::args::StoreArg;
use crate::fail::OrReport as _;

#[derive(Debug, clap::Args)]
#[command(
    group(clap::ArgGroup::new("who").required(true).args(["entity", "name"])),
    after_help = "Examples:\n  accord status --entity eu-fsf:EU.1001.23 --agreement nuclear-caps.toml --activity energy\n  accord status --name \"Central Bank of Arden\" --jurisdiction EU,US --json"
)]
pub struct Args {
    /// The designation, as `SOURCE:ID` (e.g. `eu-fsf:EU.1001.23`).
    #[arg(long, value_name = "SOURCE:ID")]
    entity: Option<String>,
    /// A name, screened against the store's lists (default threshold).
    #[arg(long)]
    name: Option<String>,
    /// The activity or sector asked about (`energy`, `food`, …).
    #[arg(long, value_name = "SECTOR")]
    activity: Option<String>,
    /// The jurisdictions to answer for [default: US,EU,UK,UN].
    #[arg(long, value_delimiter = ',')]
    jurisdiction: Vec<String>,
    /// The date (YYYY-MM-DD; default today, UTC): the lists as of it, each agreement
    /// evaluated as of the end of it in that agreement's zone (UTC when it names none).
    #[arg(long, value_name = "DATE")]
    date: Option<Date>,
    /// An agreement whose relief to compose (repeatable): a file, or the id of an agreement
    /// the store holds; its log is read from the store. Without any, the answer comes from
    /// the lists alone.
    #[arg(long, value_name = "AGREEMENT")]
    agreement: Vec<String>,
    #[command(flatten)]
    reading: super::evaluate::ReadingArgs,
    #[command(flatten)]
    store: StoreArg,
    /// Print JSON (stable; see docs/status-json.md).
    #[arg(long)]
    json: bool,
}

pub fn run(args: Args, now: jiff::Timestamp) -> miette::Result<ExitCode> {
    // One of the two is required (the `who` group).
    let who = match (args.entity, args.name) {
        (Some(entity), _) => Who::Entity(entity),
        (None, name) => Who::Name(name.unwrap_or_default()),
    };
    let query = StatusQuery {
        who,
        activity: args.activity,
        jurisdictions: args.jurisdiction,
        date: args.date.unwrap_or_else(|| today(now)),
        agreements: crate::args::agreements(&args.agreement)?,
        reading: args.reading.reading(),
    };
    let store = args.store.read_only()?;
    let answer = accord_app::status::status(&store, &query).or_report()?;
    print!(
        "{}",
        accord_render::status::output(&query.who, &answer, args.json)
    );
    Ok(ExitCode::SUCCESS)
}
