//! `accord lists` (issue #6): import official sanctions lists from files, update them from
//! their publishers, ask their history, and export them (with the relief in force) as
//! FollowTheMoney entities. A failed import or download changes nothing in the store.

use std::io::{IsTerminal, Write as _};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use accord_app::lists::{self, Import, Updated};
use accord_app::time::{observed_at, today};
use accord_lists::Format;
use miette::IntoDiagnostic as _;

use crate::args::StoreArg;
use crate::fail::{OrReport as _, report_as};

/// Subcommands of `accord lists`.
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

/// Arguments of `accord lists import`.
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
    store: StoreArg,
}

/// Arguments of `accord lists update`.
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
    store: StoreArg,
}

/// Arguments of `accord lists history`.
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

/// Arguments of `accord lists show`.
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

/// Arguments of `accord lists export`.
#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// An agreement whose relief in force to export (repeatable; a file, or the id of an
    /// agreement the store holds); its log is read from the same store. Without any, every
    /// listing is exported as `active`.
    #[arg(long, value_name = "AGREEMENT")]
    agreement: Vec<String>,
    /// The date the relief is evaluated at (end of that UTC day) [default: today].
    #[arg(long, value_name = "DATE")]
    date: Option<accord_core::time::Date>,
    #[command(flatten)]
    store: StoreArg,
}

/// Runs `accord lists`.
pub fn run(command: Command, now: jiff::Timestamp) -> miette::Result<ExitCode> {
    match command {
        Command::Import(args) => import(args, now),
        Command::Update(args) => update(args, now),
        Command::History(args) => history(args),
        Command::Show(args) => {
            let store = args.store.existing()?;
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
    let what = Import {
        files: args
            .files
            .iter()
            .map(|p| (p.clone(), p.display().to_string()))
            .collect(),
        format: args.format,
        source: args.source,
        observed_at: observed_at(args.observed_at.as_deref(), now).or_report()?,
    };
    let store = args.store.create()?;
    let summary = lists::import(&store, &what, &mut progress())
        .map_err(|e| report_as(e, "accord::lists::import", IMPORT_HELP))?;
    println!("{}", accord_render::lists::summary_line(&summary));
    Ok(ExitCode::SUCCESS)
}

fn update(args: UpdateArgs, now: jiff::Timestamp) -> miette::Result<ExitCode> {
    let config = match &args.config {
        Some(path) => {
            let name = path.display().to_string();
            let text = std::fs::read_to_string(path).map_err(|source| {
                crate::fail::report(accord_app::Error::Read {
                    what: "configuration",
                    name: name.clone(),
                    source,
                })
            })?;
            Some((name, text))
        }
        None => None,
    };
    let sources =
        lists::sources(config.as_ref().map(|(n, t)| (n.as_str(), t.as_str()))).or_report()?;
    let selected = lists::select(&sources, &args.sources).or_report()?;
    let store = args.store.create()?;
    let observed = observed_at(args.observed_at.as_deref(), now).or_report()?;
    let downloader = lists::Downloader::new(args.max_bytes);
    let mut failures = 0;
    for name in selected {
        let Some(config) = sources.get(&name) else {
            continue;
        };
        let outcome = lists::update(
            &store,
            &downloader,
            &name,
            config,
            &observed,
            &mut progress(),
        );
        let note =
            || accord_render::lists::in_force_note(&name, &lists::latest_import(&store, &name));
        match outcome {
            Ok(Updated::Imported(summary)) => {
                println!("{}", accord_render::lists::summary_line(&summary));
            }
            Ok(Updated::Unchanged) => {
                println!("{}", accord_render::lists::unchanged(&name, &note()))
            }
            Err(e) => {
                failures += 1;
                let why = accord_render::errors::chain(&e);
                eprintln!("error: `{name}`: {why}; {}", note());
            }
        }
    }
    Ok(if failures == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn history(args: HistoryArgs) -> miette::Result<ExitCode> {
    let store = args.store.existing()?;
    let on = args.on.as_deref();
    let ids: Vec<(String, String)> = match (&args.id, &args.name) {
        (Some(id), _) => vec![(args.source.clone(), id.clone())],
        (None, Some(name)) => {
            let found = lists::find(&store, &args.source, name).or_report()?;
            if found.is_empty() {
                println!(
                    "no designation of `{}` has a name containing `{name}`",
                    args.source
                );
            }
            found.into_iter().map(|f| (f.source, f.source_id)).collect()
        }
        (None, None) => {
            let imports = lists::imports(&store, &args.source).or_report()?;
            print!("{}", accord_render::lists::imports(&args.source, &imports));
            return Ok(ExitCode::SUCCESS);
        }
    };
    for (source, id) in ids {
        let history = lists::history(&store, &source, &id, on).or_report()?;
        print!("{}", accord_render::lists::history(&history));
    }
    Ok(ExitCode::SUCCESS)
}

/// Writes every listed designation of the latest imports, as FtM entities, to stdout.
fn export(args: ExportArgs, now: jiff::Timestamp) -> miette::Result<ExitCode> {
    let date = args.date.unwrap_or_else(|| today(now));
    let store = args.store.existing()?;
    let agreements = crate::args::agreements(&args.agreement)?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    accord_app::status::export(&store, &agreements, date, &mut |entity| {
        writeln!(out, "{entity}")
    })
    .or_report()?;
    out.flush().into_diagnostic()?;
    Ok(ExitCode::SUCCESS)
}
