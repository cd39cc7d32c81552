//! `accord lists` (issue #6): import official sanctions lists from files, update them from
//! their publishers, ask their history, and export them (with the relief in force) as
//! FollowTheMoney entities. A failed import or download changes nothing in the store.

use std::io::{IsTerminal, Write as _};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use accord_app::lists::{self, Import};
use accord_app::time::{observed_at, today};
use accord_lists::{Format, IfEmpty};
use accord_store::lists::{Allow, Removals};
use miette::IntoDiagnostic as _;

use crate::args::StoreArg;
use crate::fail::{OrReport as _, report_or};

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Import list files of one source (e.g. OFAC's `sdn.csv` with `add.csv`, `alt.csv`,
    /// `sdn_comments.csv`) in one transaction and record what changed.
    Import(ImportArgs),
    /// Download lists from their publishers and import those that changed.
    Update(UpdateArgs),
    /// Imports of a source, or the history of one designation ("was X listed on D?").
    History(HistoryArgs),
    /// The latest stored version of one designation, as JSON.
    Show(ShowArgs),
    /// Export the listed designations and the relief in force as FollowTheMoney entities
    /// (`Sanction` and the designated `Person`/`Organization`/…), one JSON object per line.
    Export(ExportArgs),
}

#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// The files, all of one source.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// The format of every file, instead of recognising each by its content.
    #[arg(long)]
    format: Option<Format>,
    /// The name to store the source under [default: from the format, e.g. `un-sc`].
    #[arg(long)]
    source: Option<String>,
    /// When the list was obtained, `YYYY-MM-DD` or an RFC 3339 time [default: now]. Imports of
    /// a source must be recorded in this order.
    #[arg(long)]
    observed_at: Option<String>,
    #[command(flatten)]
    allow: AllowArgs,
    #[command(flatten)]
    store: StoreArg,
}

/// What an import may do only when asked: each allowance an import needs is recorded
/// with it.
#[derive(Debug, clap::Args)]
pub struct AllowArgs {
    /// Accept a file that lists nothing (empty, or only its header) as "the list is now
    /// empty": every designation of the source is recorded as removed.
    #[arg(long)]
    allow_empty: bool,
    /// Accept an import that removes more than 10% of the source's listed designations
    /// (a file cut at a record boundary looks exactly like that).
    #[arg(long)]
    allow_removals: bool,
}

impl AllowArgs {
    fn allow(&self) -> Allow {
        Allow {
            empty: if self.allow_empty {
                IfEmpty::Accept
            } else {
                IfEmpty::Refuse
            },
            removals: if self.allow_removals {
                Removals::Allowed
            } else {
                Removals::Guarded
            },
        }
    }
}

#[derive(Debug, clap::Args)]
pub struct UpdateArgs {
    /// The sources to update [default: every configured source].
    sources: Vec<String>,
    /// A TOML file overriding or adding sources: `[sources.NAME] urls = ["…"]`.
    #[arg(long)]
    config: Option<PathBuf>,
    /// Refuse downloads larger than this many bytes.
    #[arg(long, default_value_t = 2 * 1024 * 1024 * 1024)]
    max_bytes: u64,
    /// When the lists were obtained [default: now] (for replaying archived downloads).
    #[arg(long)]
    observed_at: Option<String>,
    #[command(flatten)]
    allow: AllowArgs,
    #[command(flatten)]
    store: StoreArg,
}

#[derive(Debug, clap::Args)]
pub struct HistoryArgs {
    /// The source (`un-sc`, `ofac-sdn`, …).
    #[arg(long)]
    source: String,
    /// The publisher's identifier of a designation.
    #[arg(long, conflicts_with = "name")]
    id: Option<String>,
    /// Part of a name (case-insensitive): every designation of the source with such a name.
    #[arg(long)]
    name: Option<String>,
    /// Answer "was it listed on this date" (`YYYY-MM-DD`, end of day UTC).
    #[arg(long)]
    on: Option<String>,
    #[command(flatten)]
    store: StoreArg,
}

#[derive(Debug, clap::Args)]
pub struct ShowArgs {
    /// The source.
    #[arg(long)]
    source: String,
    /// The publisher's identifier.
    #[arg(long)]
    id: String,
    #[command(flatten)]
    store: StoreArg,
}

#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// An agreement whose relief in force to export (repeatable; a file, or the id of an
    /// agreement the store holds); its log is read from the same store. Without any, every
    /// listing is exported as `active`.
    #[arg(long, value_name = "AGREEMENT")]
    agreement: Vec<String>,
    /// The date the relief is evaluated at (the end of that day in each agreement's zone;
    /// UTC when it names none) [default: today, UTC].
    #[arg(long, value_name = "DATE")]
    date: Option<accord_core::time::Date>,
    #[command(flatten)]
    store: StoreArg,
}

pub fn run(command: Command, now: jiff::Timestamp) -> miette::Result<ExitCode> {
    match command {
        Command::Import(args) => import(args, now),
        Command::Update(args) => update(args, now),
        Command::History(args) => history(args),
        Command::Show(args) => {
            let store = args.store.read_only()?;
            let designation = lists::show(&store, &args.source, &args.id).or_report()?;
            println!("{}", accord_render::pretty(&designation));
            Ok(ExitCode::SUCCESS)
        }
        Command::Export(args) => export(args, now),
    }
}

/// A spinner on standard error when it is a terminal, told the records read so far.
fn progress() -> impl FnMut(&str, u64) {
    let bar = std::io::stderr().is_terminal().then(|| {
        let bar = indicatif::ProgressBar::new_spinner();
        bar.enable_steady_tick(Duration::from_millis(200));
        bar
    });
    move |source, n| {
        if let Some(bar) = &bar {
            bar.set_message(format!("importing {source}: {n} records"));
        }
    }
}

const IMPORT_HELP: &str = "fix or re-download the file; the store is unchanged";

fn import(args: ImportArgs, now: jiff::Timestamp) -> miette::Result<ExitCode> {
    let observed = observed_at(args.observed_at.as_deref(), now).or_report()?;
    let what =
        Import::files(&args.files, args.format, args.source, observed).allowing(args.allow.allow());
    let store = args.store.create()?;
    let summary = lists::import(&store, &what, &mut progress())
        .map_err(|e| report_or(e, (Some("accord::lists::import"), Some(IMPORT_HELP))))?;
    println!("{}", accord_render::lists::summary_line(&summary));
    Ok(ExitCode::SUCCESS)
}

fn update(args: UpdateArgs, now: jiff::Timestamp) -> miette::Result<ExitCode> {
    let observed = observed_at(args.observed_at.as_deref(), now).or_report()?;
    let (config, max) = (args.config.as_deref(), args.max_bytes);
    // An unknown source or a bad configuration is refused before the store is opened.
    lists::select(&lists::sources(config).or_report()?, &args.sources).or_report()?;
    let store = args.store.create()?;
    let updates = lists::update_all(
        &store,
        config,
        &args.sources,
        max,
        &observed,
        args.allow.allow(),
        &mut progress(),
    )
    .or_report()?;
    let mut failed = false;
    for update in &updates {
        match accord_render::lists::update(update) {
            Ok(line) => println!("{line}"),
            Err(line) => {
                eprintln!("{line}");
                failed = true;
            }
        }
    }
    Ok(ExitCode::from(u8::from(failed)))
}

fn history(args: HistoryArgs) -> miette::Result<ExitCode> {
    let store = args.store.read_only()?;
    let (id, name, on) = (args.id.as_deref(), args.name.as_deref(), args.on.as_deref());
    let answer = lists::histories(&store, &args.source, id, name, on).or_report()?;
    print!(
        "{}",
        accord_render::lists::histories(&args.source, name, &answer)
    );
    Ok(ExitCode::SUCCESS)
}

/// Writes every listed designation of the latest imports, as FtM entities, to stdout.
fn export(args: ExportArgs, now: jiff::Timestamp) -> miette::Result<ExitCode> {
    let date = args.date.unwrap_or_else(|| today(now));
    let store = args.store.read_only()?;
    let agreements = crate::args::agreements(&args.agreement)?;
    let mut out = std::io::BufWriter::new(crate::pipe::Stdout);
    accord_app::status::export(&store, &agreements, date, &mut |entity| {
        writeln!(out, "{entity}")
    })
    .or_report()?;
    out.flush().into_diagnostic()?;
    Ok(ExitCode::SUCCESS)
}
