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
use accord_render::screen as render;
use accord_screen::{
    Candidate, DEFAULT_THRESHOLD, Identifier, Index, PartialDate, Query, Schema, Settings,
};
use jiff::civil::Date;
use miette::IntoDiagnostic;

use crate::args::StoreArg;
use crate::fail::{OrReport as _, usage};

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

#[derive(Debug, clap::Subcommand)]
enum Command {
    /// Screen a customer file (CSV with a `name` column; optional `id`, `schema`, `dob`,
    /// `country`, `identifiers`): one result row per customer.
    Batch(BatchArgs),
    /// Score `name1,name2[,schema]` rows: each row is written back with a `score` column.
    Score(ScoreArgs),
}

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

#[derive(Debug, clap::Args)]
struct OutputArgs {
    /// Report hits scoring at least this (0 to 1).
    #[arg(long, default_value_t = DEFAULT_THRESHOLD, value_parser = screen::threshold, global = true)]
    threshold: f64,
    /// Report at most this many hits per name.
    #[arg(long, default_value_t = 10, global = true)]
    limit: usize,
    /// Write JSON (JSON Lines for `batch`) instead of text.
    #[arg(long, global = true)]
    json: bool,
}

#[derive(Debug, clap::Args)]
struct BatchArgs {
    /// The customer file (CSV with a header; a `name` column is required).
    file: PathBuf,
    /// Write results here instead of standard output.
    #[arg(long, short)]
    output: Option<PathBuf>,
}

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

pub fn run(args: Args, now: jiff::Timestamp) -> miette::Result<ExitCode> {
    let (threshold, limit, json) = (args.output.threshold, args.output.limit, args.output.json);
    let settings = Settings {
        threshold,
        limit,
        ..Settings::default()
    };
    match args.command.map(|c| *c) {
        Some(Command::Score(file)) => {
            let scored = screen::score_pairs(&file.file).or_report()?;
            let mut out = output(file.output.as_deref())?;
            accord_render::screen::scored_csv(&mut out, &scored, file.explain).into_diagnostic()?;
            out.flush().into_diagnostic()?;
            if scored.rows.is_empty() {
                eprintln!("no pairs in `{}`", file.file.display());
            }
        }
        Some(Command::Batch(file)) => {
            return batch(&file, candidates(&args.source, now)?, &settings, json);
        }
        None => {
            let candidates = candidates(&args.source, now)?;
            let n = candidates.len();
            let q = *args.query;
            let query = Query {
                name: args.name.unwrap_or_default(),
                schemas: q.schema,
                birth_date: q.dob,
                countries: q.country,
                identifiers: q.identifiers,
            };
            query
                .validate()
                .map_err(accord_app::Error::from)
                .or_report()?;
            let hits = Index::build(candidates).screen(&query, &settings);
            print!("{}", render::output(&query.name, &hits, threshold, n, json));
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The candidates: the `--candidates` file, else the store's lists (today's only).
fn candidates(source: &SourceArgs, now: jiff::Timestamp) -> miette::Result<Vec<Candidate>> {
    let today = today(now);
    if let Some(path) = &source.candidates {
        return screen::file_candidates(path, source.as_of.unwrap_or(today)).or_report();
    }
    let store = match accord_app::open_read_only(source.store.url()?) {
        Err(Error::Store(StoreError::Missing(url))) => {
            return Err(usage(
                format!("nothing to screen against: the store `{url}` does not exist"),
                "pass `--candidates FILE` (CSV or JSON Lines), or `--store URL` once lists are imported",
            ));
        }
        opened => opened.or_report()?,
    };
    screen::store_candidates(&store, source.as_of, today).or_report()
}

/// The file given, else standard output.
fn output(path: Option<&Path>) -> miette::Result<Box<dyn Write>> {
    Ok(match path {
        Some(path) => Box::new(BufWriter::new(File::create(path).into_diagnostic()?)),
        None => Box::new(BufWriter::new(crate::pipe::Stdout)),
    })
}

fn batch(
    args: &BatchArgs,
    candidates: Vec<Candidate>,
    settings: &Settings,
    json: bool,
) -> miette::Result<ExitCode> {
    let file = screen::read_customer_file(&args.file).or_report()?;
    let customers = file.customers;
    let index = Index::build(candidates);
    let progress = indicatif::ProgressBar::new(customers.len() as u64);
    if !std::io::stderr().is_terminal() {
        progress.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    let results = screen::screen_batch(&index, &customers, settings, &mut |n| progress.inc(n));
    progress.finish_and_clear();
    let mut out = output(args.output.as_deref())?;
    render::batch(&mut out, &customers, &results, json)
        .and_then(|()| out.flush())
        .into_diagnostic()?;
    let names = index.n_names();
    let summary = render::batch_summary(customers.len(), names, &results, settings.threshold);
    eprintln!("{summary}");
    // Rows that could not be screened: each said, and the exit status says some were not.
    for row in &file.refused {
        eprintln!(
            "error: `{}` line {} (id `{}`{}): {}; not screened",
            args.file.display(),
            row.line,
            row.id,
            if row.name.is_empty() {
                String::new()
            } else {
                format!(", name `{}`", row.name)
            },
            row.error
        );
    }
    if file.refused.is_empty() {
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!(
            "{} row(s) of `{}` not screened",
            file.refused.len(),
            args.file.display()
        );
        Ok(ExitCode::FAILURE)
    }
}
