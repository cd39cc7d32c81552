//! `accord status` (issue #6, part 5): what is in force for one entity, per jurisdiction.
//!
//! The entity is found in the store's lists (`--entity SOURCE:ID` exactly, or `--name`
//! through the same screening as `accord screen`, default threshold); whether each
//! designation is listed on `--date` comes from the store's import history. The store does
//! not hold agreement texts: each `--agreement FILE` is evaluated against its log in the
//! same store as of the end of `--date`, and the composition is
//! [`accord_lists::in_force::compose`]. With no `--agreement` the answer comes from the
//! lists alone, and says so.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use accord_core::agreement::Agreement;
use accord_core::engine::state::State;
use accord_core::time::Date;
use accord_lists::in_force::{self, Evaluated, JURISDICTIONS, Matched, Outcome, Question, Status};
use accord_screen::{DEFAULT_THRESHOLD, Index, Query, Settings};
use accord_store::StoreUrl;
use accord_store::lists::{ListStore, ListedOn};
use miette::{IntoDiagnostic, WrapErr, miette};

/// Arguments of `accord status`.
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
    /// The date (YYYY-MM-DD; default today): lists and agreements as of the end of it.
    #[arg(long, value_name = "DATE")]
    date: Option<Date>,
    /// An agreement file whose relief to compose (repeatable); its log is read from
    /// `--store`. Without any, the answer comes from the lists alone.
    #[arg(long, value_name = "FILE")]
    agreement: Vec<PathBuf>,
    /// The store holding the lists and the agreements' logs: `sqlite:PATH` or
    /// `postgres://…`.
    #[arg(long, env = "ACCORD_STORE", default_value = "sqlite:accord.db")]
    store: StoreUrl,
    /// Print JSON (stable; see docs/status-json.md).
    #[arg(long)]
    json: bool,
}

/// Runs `accord status`.
pub fn run(args: Args) -> miette::Result<ExitCode> {
    let date = args
        .date
        .unwrap_or_else(|| accord_core::engine::date_of(jiff::Timestamp::now()));
    let mut lists = ListStore::open(&args.store)
        .into_diagnostic()
        .wrap_err_with(|| format!("cannot open the store `{}`", args.store))?;
    let matched = match (&args.entity, &args.name) {
        (Some(entity), _) => vec![by_entity(&mut lists, entity, date)?],
        (None, Some(name)) => by_name(&mut lists, name, date)?,
        (None, None) => return Err(miette!("give `--entity SOURCE:ID` or `--name NAME`")),
    };
    let evaluated = evaluate_all(&args.agreement, &args.store, date)?;
    let views: Vec<Evaluated<'_>> = evaluated
        .iter()
        .map(|(agreement, state)| Evaluated { agreement, state })
        .collect();
    let jurisdictions = if args.jurisdiction.is_empty() {
        JURISDICTIONS.iter().map(|j| (*j).to_owned()).collect()
    } else {
        args.jurisdiction
            .iter()
            .map(|j| j.trim().to_ascii_uppercase())
            .collect()
    };
    let question = Question {
        activity: args.activity.clone(),
        jurisdictions,
        date,
    };
    let status = in_force::compose(&matched, &views, &question);
    if args.json {
        let report = Report {
            query: Asked {
                entity: args.entity.as_deref(),
                name: args.name.as_deref(),
            },
            status: &status,
        };
        println!(
            "{}",
            serde_json::to_string_pretty(&report).into_diagnostic()?
        );
    } else {
        print!("{}", render(&status, matched.is_empty()));
    }
    Ok(ExitCode::SUCCESS)
}

/// The `--json` document (docs/status-json.md): fields in this order.
#[derive(serde::Serialize)]
struct Report<'a> {
    query: Asked<'a>,
    status: &'a Status,
}

/// What was asked.
#[derive(serde::Serialize)]
struct Asked<'a> {
    entity: Option<&'a str>,
    name: Option<&'a str>,
}

/// Each agreement file evaluated against its log, as of the end of `date`: the governing
/// version and its state.
pub fn evaluate_all(
    files: &[PathBuf],
    store: &StoreUrl,
    date: Date,
) -> miette::Result<Vec<(Agreement, State)>> {
    let as_of = accord_core::engine::end_of_day(date);
    let mut out = Vec::with_capacity(files.len());
    for file in files {
        let (versions, log) = super::evaluate::load(file, &store.to_string())?;
        let state = accord_core::engine::evaluate(&versions, &log, as_of)
            .map_err(|e| miette!("cannot evaluate `{}`: {e}", file.display()))?;
        let governing = versions
            .iter()
            .find(|v| v.version == state.version)
            .or(versions.last())
            .cloned()
            .ok_or_else(|| miette!("`{}` holds no agreement version", file.display()))?;
        out.push((governing, state));
    }
    Ok(out)
}

fn by_entity(lists: &mut ListStore, entity: &str, date: Date) -> miette::Result<Matched> {
    let Some((source, id)) = entity.split_once(':') else {
        return Err(miette!(
            code = "accord::status::entity",
            help = "write the list and its own identifier, e.g. `eu-fsf:EU.1001.23` (see `accord lists history`)",
            "`{entity}` is not SOURCE:ID"
        ));
    };
    let Some((designation, _)) = lists.designation(source, id).into_diagnostic()? else {
        return Err(miette!(
            code = "accord::status::unknown_entity",
            help = "import its list first (`accord lists import`), or find it with `accord status --name`",
            "the store holds no designation `{id}` of `{source}`"
        ));
    };
    let (listed, listing) = listed_on(lists, &designation, date)?;
    Ok(Matched {
        designation,
        listed,
        listing,
        matched: format!("--entity {entity}"),
    })
}

fn by_name(lists: &mut ListStore, name: &str, date: Date) -> miette::Result<Vec<Matched>> {
    let designations = lists.listed().into_diagnostic()?;
    if designations.is_empty() {
        return Err(miette!(
            code = "accord::status::empty_store",
            help = "import lists first with `accord lists import FILE` or `accord lists update`",
            "the store holds no listed designation to find `{name}` in"
        ));
    }
    let index = Index::build(
        designations
            .iter()
            .map(super::screen::candidate_from)
            .collect(),
    );
    let settings = Settings {
        threshold: DEFAULT_THRESHOLD,
        ..Settings::default()
    };
    let query = Query {
        name: name.to_owned(),
        schemas: Vec::new(),
        birth_date: None,
        countries: Vec::new(),
        identifiers: Vec::new(),
    };
    let mut out = Vec::new();
    for hit in index.screen(&query, &settings) {
        let Some(d) = designations
            .iter()
            .find(|d| format!("{}:{}", d.source, d.source_id) == hit.candidate_id)
        else {
            continue;
        };
        let (listed, listing) = listed_on(lists, d, date)?;
        out.push(Matched {
            designation: d.clone(),
            listed,
            listing,
            matched: format!(
                "screened `{name}`: {:.3} on `{}`",
                hit.score, hit.matched_name
            ),
        });
    }
    Ok(out)
}

/// Whether the store's history says the designation was listed on `date`; unsure counts
/// as listed.
fn listed_on(
    lists: &mut ListStore,
    d: &accord_lists::Designation,
    date: Date,
) -> miette::Result<(bool, String)> {
    let answer = lists
        .listed_on(&d.source, &d.source_id, &date.to_string())
        .into_diagnostic()?;
    Ok(match answer {
        ListedOn::Observed {
            since,
            confirmed_at,
            ..
        } => (
            true,
            format!("in the lists since {since}, confirmed by the import of {confirmed_at}"),
        ),
        ListedOn::PerListingDate {
            listed_on,
            first_seen,
        } => (
            true,
            format!("listed on {listed_on} per the publisher; first seen {first_seen}"),
        ),
        ListedOn::NotListed { reason } => (false, reason),
        ListedOn::Unknown { reason } => (
            true,
            format!("the imports cannot tell ({reason}); counted as listed"),
        ),
    })
}

/// The human answer: one block per jurisdiction.
pub fn render(status: &Status, nothing_matched: bool) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "What is in force on {}{}",
        status.date,
        status
            .activity
            .as_deref()
            .map(|a| format!(" for `{a}`"))
            .unwrap_or_default()
    );
    if status.agreements.is_empty() {
        let _ = writeln!(
            out,
            "From the lists alone: no agreement given (`--agreement FILE`), so no relief is composed."
        );
    } else {
        let _ = writeln!(out, "Agreements: {}", status.agreements.join(", "));
    }
    if nothing_matched {
        let _ = writeln!(out, "No designation in the store matched.");
    }
    for id in &status.unplaced {
        let _ = writeln!(
            out,
            "Warning: `{id}` is listed by a source of no known jurisdiction; it is answered for none below, so `not listed` does not clear it."
        );
    }
    for j in &status.jurisdictions {
        let until = j.until.map(|d| format!(" until {d}")).unwrap_or_default();
        let _ = writeln!(out, "\n{}: {}{until}", j.jurisdiction, words(j.outcome));
        for l in &j.listings {
            let _ = writeln!(out, "  {} {} — {}", l.list_id, l.name, words(l.outcome));
            let _ = writeln!(out, "    matched: {}", l.matched);
            if !l.basis.programmes.is_empty() || !l.basis.legal_basis.is_empty() {
                let _ = writeln!(
                    out,
                    "    listed under: {}",
                    l.basis
                        .programmes
                        .iter()
                        .chain(&l.basis.legal_basis)
                        .cloned()
                        .collect::<Vec<_>>()
                        .join("; ")
                );
            }
            for r in &l.basis.regimes {
                let _ = writeln!(
                    out,
                    "    regime: {} ({}) — {}",
                    r.regime, r.agreement, r.legal_basis
                );
            }
            for r in &l.relief {
                let _ = writeln!(
                    out,
                    "    relief: {} \"{}\" ({}, {}){}{}",
                    r.action,
                    r.title,
                    r.kind,
                    r.status.as_str(),
                    r.since.map(|d| format!(" since {d}")).unwrap_or_default(),
                    r.until
                        .map(|d| format!(", expires {d}"))
                        .unwrap_or_else(|| ", no expiry".to_owned()),
                );
                if let Some(d) = &r.decision {
                    let _ = writeln!(out, "      {}", d.describe());
                }
            }
            for reason in &l.reasons {
                let _ = writeln!(out, "    - {reason}");
            }
        }
        for x in &j.exemptions {
            let _ = writeln!(
                out,
                "  exemption: {} \"{}\" ({}): {} — {}",
                x.exemption,
                x.title,
                x.agreement,
                x.activities.join(", "),
                x.legal_basis
            );
        }
    }
    out
}

fn words(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Prohibited => "prohibited",
        Outcome::WindDown => "wind-down",
        Outcome::Licensed => "licensed",
        Outcome::Relieved => "relieved",
        Outcome::NotListed => "not listed",
    }
}
