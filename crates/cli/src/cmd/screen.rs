//! `accord screen` (issue #6): screen a name, a customer file, or score name pairs.
//!
//! `accord screen NAME` screens one name; `accord screen batch FILE.csv` screens a customer
//! file, one result row per customer; `accord screen score FILE.csv` writes each
//! `name1,name2[,schema]` row back with a `score` column, so that users can calibrate a
//! threshold on their own labelled pairs. Candidates come from one place,
//! [`load_candidates`]: today a `--candidates` file (CSV or JSON Lines, described in
//! `docs/design.md`), and the store once it holds designations.

use std::fs::File;
use std::io::{BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use accord_screen::{
    Candidate, CandidateName, DEFAULT_THRESHOLD, Hit, Identifier, Index, NameKind, PartialDate,
    Query, Schema, Settings, score_pair,
};
use accord_store::StoreUrl;
use jiff::civil::Date;
use miette::{IntoDiagnostic, WrapErr, miette};

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
    /// Screen against the designations in force on this date (YYYY-MM-DD; default today).
    #[arg(long, value_name = "DATE", global = true)]
    as_of: Option<Date>,

    /// The store holding imported lists (`sqlite:PATH` or `postgres://…`).
    #[arg(long, value_name = "URL", global = true)]
    store: Option<StoreUrl>,

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
pub fn run(args: Args) -> miette::Result<ExitCode> {
    let settings = Settings {
        threshold: args.output.threshold,
        limit: args.output.limit,
        ..Settings::default()
    };
    match args.command.map(|c| *c) {
        Some(Command::Score(score)) => run_score(&score),
        Some(Command::Batch(batch)) => {
            let candidates = load_candidates(&args.source)?;
            run_batch(&batch, candidates, &settings, args.output.json)
        }
        None => {
            let name = args.name.unwrap_or_default();
            let candidates = load_candidates(&args.source)?;
            let n_candidates = candidates.len();
            let index = Index::build(candidates);
            let query = Query {
                name,
                schemas: args.query.schema,
                birth_date: args.query.dob,
                countries: args.query.country,
                identifiers: args.query.identifiers,
            };
            let hits = index.screen(&query, &settings);
            let stdout = std::io::stdout();
            let mut out = stdout.lock();
            if args.output.json {
                let report = serde_json::json!({
                    "query": query.name,
                    "threshold": settings.threshold,
                    "candidates": n_candidates,
                    "hits": hits,
                });
                writeln!(
                    out,
                    "{}",
                    serde_json::to_string_pretty(&report).into_diagnostic()?
                )
                .into_diagnostic()?;
            } else {
                write_hits(
                    &mut out,
                    &query.name,
                    &hits,
                    settings.threshold,
                    n_candidates,
                )
                .into_diagnostic()?;
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn write_hits(
    out: &mut impl Write,
    name: &str,
    hits: &[Hit],
    threshold: f64,
    n_candidates: usize,
) -> std::io::Result<()> {
    if hits.is_empty() {
        return writeln!(
            out,
            "no match for `{name}` at or above {threshold:.2} among {n_candidates} candidates"
        );
    }
    for hit in hits {
        let kind = match hit.name_kind {
            NameKind::Primary => "",
            NameKind::Alias => " (alias)",
            NameKind::WeakAlias => " (weak alias)",
        };
        writeln!(
            out,
            "{:.3}  {}  {}  {}{kind}",
            hit.score, hit.candidate_id, hit.schema, hit.matched_name
        )?;
        writeln!(out, "       {}", hit.explanation)?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Candidates

/// Where `accord screen` finds its candidates: the one function to change when the store
/// holds designations. Applies the as-of date (default today): an entity is screened when
/// it was listed on or before that date and not delisted by then.
fn load_candidates(source: &SourceArgs) -> miette::Result<Vec<Candidate>> {
    let as_of = match source.as_of {
        Some(date) => date,
        None => jiff::ZonedDateTime::now().date(),
    };
    match (&source.candidates, &source.store) {
        (Some(path), _) => Ok(read_candidate_file(path)?
            .into_iter()
            .filter(|listed| listed.in_force_on(as_of))
            .map(|listed| listed.candidate)
            .collect()),
        (None, Some(store)) => {
            let today = jiff::ZonedDateTime::now().date();
            if source.as_of.is_some_and(|d| d != today) {
                return Err(miette!(
                    code = "accord::screen::as_of_store",
                    help = "screen today's lists, or ask `accord lists history --on DATE` whether a given entry was listed then",
                    "screening the store as of another day than today is not built yet: the store screens the latest import of each list"
                ));
            }
            crate::load::must_exist(store)?;
            let mut lists = accord_store::lists::ListStore::open(store)
                .into_diagnostic()
                .wrap_err_with(|| format!("cannot open the store `{store}`"))?;
            let listed = lists.listed().into_diagnostic()?;
            if listed.is_empty() {
                return Err(miette!(
                    code = "accord::screen::empty_store",
                    help = "import lists first with `accord lists import FILE` or `accord lists update`",
                    "the store `{store}` holds no listed designation to screen against"
                ));
            }
            Ok(listed.iter().map(candidate_from).collect())
        }
        (None, None) => Err(miette!(
            code = "accord::screen::no_candidates",
            help = "pass `--candidates FILE` (CSV or JSON Lines), or `--store URL` once lists are imported",
            "nothing to screen against"
        )),
    }
}

/// A designation imported from an official list, as screening compares it.
pub(crate) fn candidate_from(d: &accord_lists::model::Designation) -> Candidate {
    use accord_lists::model::{NameKind as ListNameKind, Schema as ListSchema};
    let schema = match d.schema {
        Some(ListSchema::Person) => Schema::Person,
        Some(ListSchema::Organization) => Schema::Organization,
        Some(ListSchema::Vessel) => Schema::Vessel,
        Some(ListSchema::Aircraft) => Schema::Aircraft,
        Some(ListSchema::Other) | None => Schema::LegalEntity,
    };
    let names = d
        .names
        .iter()
        .map(|n| CandidateName {
            value: n.full.clone(),
            kind: match n.kind {
                ListNameKind::Primary => NameKind::Primary,
                ListNameKind::Alias | ListNameKind::Former => NameKind::Alias,
                ListNameKind::WeakAlias => NameKind::WeakAlias,
            },
        })
        .collect();
    let partial = |p: &accord_lists::model::PartialDate| PartialDate {
        year: i32::from(p.year),
        month: p.month,
        day: p.day,
    };
    Candidate {
        id: format!("{}:{}", d.source, d.source_id),
        schema,
        names,
        identifiers: d
            .identifiers
            .iter()
            .map(|i| Identifier::new(&i.kind, &i.value))
            .collect(),
        birth_dates: d.birth_dates.iter().map(|b| partial(&b.date)).collect(),
        countries: d
            .nationalities
            .iter()
            .chain(&d.countries)
            .cloned()
            .collect(),
    }
}

/// A candidate with the period its designation is in force.
struct ListedCandidate {
    candidate: Candidate,
    listed: Option<Date>,
    delisted: Option<Date>,
}

impl ListedCandidate {
    fn in_force_on(&self, date: Date) -> bool {
        self.listed.is_none_or(|listed| listed <= date)
            && self.delisted.is_none_or(|delisted| delisted > date)
    }
}

/// One candidate in a JSON Lines file.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct CandidateRecord {
    id: String,
    schema: String,
    names: Vec<String>,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(default)]
    weak_aliases: Vec<String>,
    #[serde(default)]
    identifiers: Vec<String>,
    #[serde(default)]
    birth_dates: Vec<String>,
    #[serde(default)]
    countries: Vec<String>,
    #[serde(default)]
    listed: Option<String>,
    #[serde(default)]
    delisted: Option<String>,
}

fn split_list(text: &str) -> Vec<String> {
    text.split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

fn read_candidate_file(path: &Path) -> miette::Result<Vec<ListedCandidate>> {
    let is_json = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("jsonl") || e.eq_ignore_ascii_case("json"));
    let text = std::fs::read_to_string(path)
        .into_diagnostic()
        .wrap_err_with(|| format!("cannot read the candidates file `{}`", path.display()))?;
    let mut records = Vec::new();
    if is_json {
        for (i, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let record: CandidateRecord = serde_json::from_str(line).map_err(|e| {
                miette!(
                    help = "each line is one JSON object: {{\"id\", \"schema\", \"names\": [..], optional \"aliases\", \"weak_aliases\", \"identifiers\": [\"imo:123\"], \"birth_dates\", \"countries\", \"listed\", \"delisted\"}}",
                    "`{}` line {}: {e}",
                    path.display(),
                    i + 1
                )
            })?;
            records.push((i + 1, record));
        }
    } else {
        let mut reader = csv::ReaderBuilder::new()
            .flexible(false)
            .from_reader(text.as_bytes());
        let headers = reader.headers().into_diagnostic()?.clone();
        let column = |name: &str| {
            headers
                .iter()
                .position(|h| h.trim().eq_ignore_ascii_case(name))
        };
        let (Some(id), Some(schema), Some(name)) = (column("id"), column("schema"), column("name"))
        else {
            return Err(miette!(
                help = "the header needs `id`, `schema` and `name`; optional: `aliases`, `weak_aliases`, `identifiers`, `birth_dates`, `countries` (lists separated by `;`), `listed`, `delisted`",
                "the candidates file `{}` lacks a required column",
                path.display()
            ));
        };
        for (i, row) in reader.records().enumerate() {
            let line = i + 2;
            let row = row.map_err(|e| miette!("`{}` line {line}: {e}", path.display()))?;
            let field = |c: Option<usize>| c.and_then(|c| row.get(c)).unwrap_or("").trim();
            let optional = |name: &str| {
                let value = field(column(name));
                (!value.is_empty()).then(|| value.to_owned())
            };
            records.push((
                line,
                CandidateRecord {
                    id: field(Some(id)).to_owned(),
                    schema: field(Some(schema)).to_owned(),
                    names: vec![field(Some(name)).to_owned()],
                    aliases: split_list(field(column("aliases"))),
                    weak_aliases: split_list(field(column("weak_aliases"))),
                    identifiers: split_list(field(column("identifiers"))),
                    birth_dates: split_list(field(column("birth_dates"))),
                    countries: split_list(field(column("countries"))),
                    listed: optional("listed"),
                    delisted: optional("delisted"),
                },
            ));
        }
    }
    records
        .into_iter()
        .map(|(line, record)| candidate_from_record(path, line, record))
        .collect()
}

fn candidate_from_record(
    path: &Path,
    line: usize,
    record: CandidateRecord,
) -> miette::Result<ListedCandidate> {
    let at = || format!("`{}` line {line}", path.display());
    let schema: Schema = record
        .schema
        .parse()
        .map_err(|e| miette!("{}: {e}", at()))?;
    let mut names: Vec<CandidateName> = Vec::new();
    for (values, kind) in [
        (&record.names, NameKind::Primary),
        (&record.aliases, NameKind::Alias),
        (&record.weak_aliases, NameKind::WeakAlias),
    ] {
        for (i, value) in values.iter().enumerate() {
            if value.trim().is_empty() {
                continue;
            }
            // Only the first name is primary; more `names` are aliases.
            let kind = if kind == NameKind::Primary && i > 0 {
                NameKind::Alias
            } else {
                kind
            };
            names.push(CandidateName {
                value: value.clone(),
                kind,
            });
        }
    }
    if names.is_empty() {
        return Err(miette!("{}: candidate `{}` has no name", at(), record.id));
    }
    let identifiers = record
        .identifiers
        .iter()
        .map(|i| {
            i.parse::<Identifier>()
                .map_err(|e| miette!("{}: {e}", at()))
        })
        .collect::<miette::Result<Vec<_>>>()?;
    let birth_dates = record
        .birth_dates
        .iter()
        .map(|d| {
            d.parse::<PartialDate>()
                .map_err(|e| miette!("{}: {e}", at()))
        })
        .collect::<miette::Result<Vec<_>>>()?;
    let date = |value: &Option<String>, what: &str| -> miette::Result<Option<Date>> {
        value
            .as_deref()
            .map(|v| {
                v.parse::<Date>()
                    .map_err(|_| miette!("{}: `{v}` is not a {what} date: write YYYY-MM-DD", at()))
            })
            .transpose()
    };
    Ok(ListedCandidate {
        listed: date(&record.listed, "listing")?,
        delisted: date(&record.delisted, "delisting")?,
        candidate: Candidate {
            id: record.id,
            schema,
            names,
            identifiers,
            birth_dates,
            countries: record.countries,
        },
    })
}

// ---------------------------------------------------------------------------------------
// batch

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

fn run_batch(
    args: &BatchArgs,
    candidates: Vec<Candidate>,
    settings: &Settings,
    json: bool,
) -> miette::Result<ExitCode> {
    let file = &args.file;
    let mut reader = csv::ReaderBuilder::new()
        .from_path(file)
        .into_diagnostic()
        .wrap_err_with(|| format!("cannot read the customer file `{}`", file.display()))?;
    let headers = reader.headers().into_diagnostic()?.clone();
    let column = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name))
    };
    let Some(name_column) = column("name") else {
        return Err(miette!(
            help = "add a header with a `name` column; optional: `id`, `schema`, `dob`, `country`, `identifiers` (lists separated by `;`)",
            "the customer file `{}` has no `name` column",
            file.display()
        ));
    };
    let mut customers: Vec<(String, Query)> = Vec::new();
    for (i, row) in reader.records().enumerate() {
        let line = i + 2;
        let at = || format!("`{}` line {line}", file.display());
        let row = row.map_err(|e| miette!("{}: {e}", at()))?;
        let field = |c: Option<usize>| c.and_then(|c| row.get(c)).unwrap_or("").trim();
        let schemas = split_list(field(column("schema")))
            .iter()
            .map(|s| s.parse::<Schema>().map_err(|e| miette!("{}: {e}", at())))
            .collect::<miette::Result<Vec<_>>>()?;
        let dob = field(column("dob"));
        let birth_date = if dob.is_empty() {
            None
        } else {
            Some(
                dob.parse::<PartialDate>()
                    .map_err(|e| miette!("{}: {e}", at()))?,
            )
        };
        let identifiers = split_list(field(column("identifiers")))
            .iter()
            .map(|s| {
                s.parse::<Identifier>()
                    .map_err(|e| miette!("{}: {e}", at()))
            })
            .collect::<miette::Result<Vec<_>>>()?;
        let id = match field(column("id")) {
            "" => (line - 1).to_string(),
            id => id.to_owned(),
        };
        customers.push((
            id,
            Query {
                name: field(Some(name_column)).to_owned(),
                schemas,
                birth_date,
                countries: split_list(field(column("country"))),
                identifiers,
            },
        ));
    }

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
    let queries: Vec<Query> = customers.iter().map(|(_, q)| q.clone()).collect();
    let mut results: Vec<Vec<Hit>> = Vec::with_capacity(queries.len());
    // Chunks keep the progress bar moving while rayon screens each chunk in parallel.
    for chunk in queries.chunks(256) {
        results.extend(index.screen_batch(chunk, settings));
        progress.inc(chunk.len() as u64);
    }
    progress.finish_and_clear();

    let mut out = output_writer(args.output.as_deref())?;
    let mut n_with_hits = 0usize;
    if json {
        for ((id, query), hits) in customers.iter().zip(&results) {
            n_with_hits += usize::from(!hits.is_empty());
            let row = serde_json::json!({ "id": id, "name": query.name, "hits": hits });
            writeln!(out, "{}", serde_json::to_string(&row).into_diagnostic()?)
                .into_diagnostic()?;
        }
    } else {
        let mut writer = csv::Writer::from_writer(&mut out);
        writer
            .write_record([
                "id",
                "name",
                "hits",
                "top_score",
                "top_candidate",
                "top_schema",
                "top_name",
                "explanation",
            ])
            .into_diagnostic()?;
        for ((id, query), hits) in customers.iter().zip(&results) {
            n_with_hits += usize::from(!hits.is_empty());
            let record = match hits.first() {
                Some(hit) => [
                    id.clone(),
                    query.name.clone(),
                    hits.len().to_string(),
                    format!("{:.4}", hit.score),
                    hit.candidate_id.clone(),
                    hit.schema.to_string(),
                    hit.matched_name.clone(),
                    hit.explanation.to_string(),
                ],
                None => [
                    id.clone(),
                    query.name.clone(),
                    "0".to_owned(),
                    String::new(),
                    String::new(),
                    String::new(),
                    String::new(),
                    String::new(),
                ],
            };
            writer.write_record(&record).into_diagnostic()?;
        }
        writer.flush().into_diagnostic()?;
    }
    drop(out);
    eprintln!(
        "screened {} customers against {} names: {} with hits at or above {:.2}",
        customers.len(),
        index.n_names(),
        n_with_hits,
        settings.threshold
    );
    Ok(ExitCode::SUCCESS)
}

// ---------------------------------------------------------------------------------------
// score

fn run_score(args: &ScoreArgs) -> miette::Result<ExitCode> {
    let file = &args.file;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_path(file)
        .into_diagnostic()
        .wrap_err_with(|| format!("cannot read the pairs file `{}`", file.display()))?;
    let mut out = output_writer(args.output.as_deref())?;
    let mut writer = csv::WriterBuilder::new()
        .flexible(true)
        .from_writer(&mut out);
    let mut schema_column: Option<usize> = Some(2);
    let mut n_pairs = 0usize;
    for (i, row) in reader.records().enumerate() {
        let line = i + 1;
        let at = || format!("`{}` line {line}", file.display());
        let row = row.map_err(|e| miette!("{}: {e}", at()))?;
        let cell = |c: usize| row.get(c).unwrap_or("").trim();
        if i == 0 && cell(0).eq_ignore_ascii_case("name1") && cell(1).eq_ignore_ascii_case("name2")
        {
            // A header: keep it, find the schema column by name, add ours.
            schema_column = row
                .iter()
                .position(|h| h.trim().eq_ignore_ascii_case("schema"));
            let mut header: Vec<&str> = row.iter().collect();
            header.push("score");
            if args.explain {
                header.push("explanation");
            }
            writer.write_record(&header).into_diagnostic()?;
            continue;
        }
        if row.len() < 2 {
            return Err(miette!(
                help = "each row is `name1,name2[,schema]`",
                "{}: expected two names, found {} field(s)",
                at(),
                row.len()
            ));
        }
        let schema = match schema_column.map(cell) {
            None | Some("") => None,
            Some(text) => Some(
                text.parse::<Schema>()
                    .map_err(|e| miette!("{}: {e}", at()))?,
            ),
        };
        let matched = score_pair(cell(0), cell(1), schema);
        let mut record: Vec<String> = row.iter().map(str::to_owned).collect();
        record.push(format!("{:.4}", matched.score));
        if args.explain {
            record.push(matched.to_string());
        }
        writer.write_record(&record).into_diagnostic()?;
        n_pairs += 1;
    }
    writer.flush().into_diagnostic()?;
    drop(writer);
    out.flush().into_diagnostic()?;
    if n_pairs == 0 {
        eprintln!("no pairs in `{}`", file.display());
    }
    Ok(ExitCode::SUCCESS)
}
