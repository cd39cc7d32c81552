//! `accord screen` (issue #6): screen a name, a customer file, or score name pairs, against
//! the store's lists or a candidates file (CSV or JSON Lines, described in
//! `docs/design.md`).

use std::fs::File;
use std::io::{BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use accord_app::screen;
use accord_app::time::today;
use accord_app::{Error, StoreError};
use accord_screen::{
    Candidate, DEFAULT_THRESHOLD, Identifier, Index, PartialDate, Query, Schema, Settings,
};
use jiff::civil::Date;
use miette::{IntoDiagnostic, WrapErr};

use crate::args::StoreArg;
use crate::fail::{OrReport as _, usage};

/// Arguments of `accord screen`.
#[derive(Debug, clap::Args)]
#[command(
    args_conflicts_with_subcommands = true,
    subcommand_negates_reqs = true,
    after_help = "Examples:\n  accord screen \"Vladimir Putin\" --candidates list.csv --dob 1952\n  accord screen batch customers.csv --candidates list.csv --output results.csv\n  accord screen score pairs.csv > scored.csv"
)]
pub struct Args {
    // Boxed: `main`'s command enum holds every subcommand's arguments by value.
    #[command(subcommand)]
    command: Option<Box<Command>>,

    /// The name to screen, in any script.
    #[arg(value_name = "NAME", required = true)]
    name: Option<String>,

    #[command(flatten)]
    query: Box<QueryArgs>,

    #[command(flatten)]
    source: Box<SourceArgs>,

    #[command(flatten)]
    output: OutputArgs,
}

/// The subcommands of `accord screen`.
#[derive(Debug, clap::Subcommand)]
enum Command {
    /// Screen a customer file (CSV with a `name` column; optional `id`, `schema`, `dob`,
    /// `country`, `identifiers`): one result row per customer.
    Batch(BatchArgs),
    /// Score `name1,name2[,schema]` rows: each row is written back with a `score` column.
    Score(ScoreArgs),
}

/// What is known about the entity besides its name.
#[derive(Debug, clap::Args)]
struct QueryArgs {
    /// Only entities of this schema (Person, Company, Organization, LegalEntity, Vessel,
    /// Aircraft); repeat or separate with commas for several.
    #[arg(long, value_delimiter = ',')]
    schema: Vec<Schema>,

    /// Date of birth (YYYY, YYYY-MM or YYYY-MM-DD): agreeing raises the score, differing
    /// lowers it.
    #[arg(long, value_name = "DATE")]
    dob: Option<PartialDate>,

    /// Country (code or name) of the entity; repeatable.
    #[arg(long)]
    country: Vec<String>,

    /// An identifier as KIND:VALUE (imo:9187629, passport:AB123456); an exact match
    /// dominates the name. Repeatable.
    #[arg(long = "identifier", value_name = "KIND:VALUE")]
    identifiers: Vec<Identifier>,
}

/// Where the candidates come from, and as of when.
#[derive(Debug, clap::Args)]
struct SourceArgs {
    /// Screen against the designations in force on this date (YYYY-MM-DD; default today, UTC).
    #[arg(long, value_name = "DATE", global = true)]
    as_of: Option<Date>,

    /// The store holding imported lists, screened when no `--candidates` file is given.
    #[command(flatten)]
    store: StoreArg,

    /// Screen against the candidates in this file instead of a store (CSV, or JSON Lines
    /// when it ends in `.jsonl`/`.json`; see docs/design.md).
    #[arg(long, value_name = "FILE", global = true)]
    candidates: Option<PathBuf>,
}

/// How results are reported.
#[derive(Debug, clap::Args)]
struct OutputArgs {
    /// Report hits scoring at least this (0 to 1).
    #[arg(long, default_value_t = DEFAULT_THRESHOLD, value_parser = parse_threshold, global = true)]
    threshold: f64,

    /// Report at most this many hits per name.
    #[arg(long, default_value_t = 10, global = true)]
    limit: usize,

    /// Write JSON (JSON Lines for `batch`) instead of text.
    #[arg(long, global = true)]
    json: bool,
}

/// Arguments of `accord screen batch`.
#[derive(Debug, clap::Args)]
struct BatchArgs {
    /// The customer file (CSV with a header; a `name` column is required).
    file: PathBuf,

    /// Write results here instead of standard output.
    #[arg(long, short)]
    output: Option<PathBuf>,
}

/// Arguments of `accord screen score`.
#[derive(Debug, clap::Args)]
struct ScoreArgs {
    /// The pairs file: `name1,name2[,schema]` rows, with or without that header; other
    /// columns are kept.
    file: PathBuf,

    /// Write the scored rows here instead of standard output.
    #[arg(long, short)]
    output: Option<PathBuf>,

    /// Add an `explanation` column saying which features produced each score.
    #[arg(long)]
    explain: bool,
}

fn parse_threshold(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(value) if (0.0..=1.0).contains(&value) => Ok(value),
        _ => Err(format!(
            "`{text}` is not a threshold: give a number from 0 to 1"
        )),
    }
}

/// Runs `accord screen`.
pub fn run(args: Args, now: jiff::Timestamp) -> miette::Result<ExitCode> {
    let settings = Settings {
        threshold: args.output.threshold,
        limit: args.output.limit,
        ..Settings::default()
    };
    match args.command.map(|c| *c) {
        Some(Command::Score(file)) => {
            let scored = screen::score_pairs(&file.file).or_report()?;
            let mut out = output_writer(file.output.as_deref())?;
            accord_render::screen::scored_csv(&mut out, &scored, file.explain).into_diagnostic()?;
            out.flush().into_diagnostic()?;
            if scored.rows.is_empty() {
                eprintln!("no pairs in `{}`", file.file.display());
            }
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Batch(file)) => {
            let candidates = candidates(&args.source, now)?;
            batch(&file, candidates, &settings, args.output.json)
        }
        None => {
            let candidates = candidates(&args.source, now)?;
            let n_candidates = candidates.len();
            let query = Query {
                name: args.name.unwrap_or_default(),
                schemas: args.query.schema,
                birth_date: args.query.dob,
                countries: args.query.country,
                identifiers: args.query.identifiers,
            };
            let hits = Index::build(candidates).screen(&query, &settings);
            let (name, threshold) = (&query.name, settings.threshold);
            if args.output.json {
                let json = accord_render::screen::hits_json(name, threshold, n_candidates, &hits);
                println!("{json}");
            } else {
                let text = accord_render::screen::hits(name, &hits, threshold, n_candidates);
                print!("{text}");
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// The candidates: the `--candidates` file, else the store's lists (today's only).
fn candidates(source: &SourceArgs, now: jiff::Timestamp) -> miette::Result<Vec<Candidate>> {
    let today = today(now);
    if let Some(path) = &source.candidates {
        return screen::file_candidates(path, source.as_of.unwrap_or(today)).or_report();
    }
    let store = match accord_app::open(source.store.url()?, true) {
        Err(Error::Store(StoreError::Missing(url))) => {
            return Err(usage(
                format!("nothing to screen against: the store `{url}` does not exist"),
                Some(
                    "pass `--candidates FILE` (CSV or JSON Lines), or `--store URL` once lists are imported",
                ),
            ));
        }
        opened => opened.or_report()?,
    };
    screen::store_candidates(&store, source.as_of, today).or_report()
}

fn output_writer(path: Option<&Path>) -> miette::Result<Box<dyn Write>> {
    Ok(match path {
        Some(path) => Box::new(BufWriter::new(
            File::create(path)
                .into_diagnostic()
                .wrap_err_with(|| format!("cannot create `{}`", path.display()))?,
        )),
        None => Box::new(BufWriter::new(std::io::stdout().lock())),
    })
}

fn batch(
    args: &BatchArgs,
    candidates: Vec<Candidate>,
    settings: &Settings,
    json: bool,
) -> miette::Result<ExitCode> {
    let customers = screen::read_customers(&args.file).or_report()?;
    let index = Index::build(candidates);
    let progress = indicatif::ProgressBar::with_draw_target(
        Some(customers.len() as u64),
        if std::io::stderr().is_terminal() {
            indicatif::ProgressDrawTarget::stderr()
        } else {
            indicatif::ProgressDrawTarget::hidden()
        },
    );
    progress.set_style(
        indicatif::ProgressStyle::with_template(
            "screening {bar:40} {pos}/{len} customers ({per_sec}, {eta} left)",
        )
        .into_diagnostic()?,
    );
    let results = screen::screen_batch(&index, &customers, settings, &mut |n| progress.inc(n));
    progress.finish_and_clear();
    let mut out = output_writer(args.output.as_deref())?;
    if json {
        accord_render::screen::batch_json(&mut out, &customers, &results).into_diagnostic()?;
    } else {
        accord_render::screen::batch_csv(&mut out, &customers, &results).into_diagnostic()?;
    }
    out.flush().into_diagnostic()?;
    drop(out);
    let summary = accord_render::screen::batch_summary(
        customers.len(),
        index.n_names(),
        &results,
        settings.threshold,
    );
    eprintln!("{summary}");
    Ok(ExitCode::SUCCESS)
}
