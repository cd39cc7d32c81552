//! `accord lists` (issue #6): import official sanctions lists from files, update them from
//! their publishers, and ask their history.
//!
//! This module only wires things: files and downloads are read here, parsed by
//! `accord-lists`, stored by `accord-store`, and the results printed. A failed import or
//! download changes nothing in the store and says that the previous import stays in force.

use std::collections::BTreeMap;
use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use accord_lists::{Format, model::hex};
use accord_store::StoreUrl;
use accord_store::lists::{
    FetchState, ImportFile, ImportRequest, ImportSummary, ListStore, ListedOn,
};
use miette::{IntoDiagnostic, miette};
use sha2::{Digest, Sha256};

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

/// Where the store is.
#[derive(Debug, clap::Args)]
pub struct StoreArgs {
    /// The store: `sqlite:PATH` or `postgres://…` [default: `$ACCORD_STORE`, else
    /// `sqlite:accord.db`]
    #[arg(long)]
    store: Option<String>,
}

impl StoreArgs {
    fn open(&self) -> miette::Result<ListStore> {
        let url = self
            .store
            .clone()
            .or_else(|| std::env::var("ACCORD_STORE").ok())
            .unwrap_or_else(|| "sqlite:accord.db".to_owned());
        let url: StoreUrl = url.parse().into_diagnostic()?;
        ListStore::open(&url).map_err(|e| miette!("cannot open the store `{url}`: {e}"))
    }
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
    store: StoreArgs,
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
    store: StoreArgs,
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
    store: StoreArgs,
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
    store: StoreArgs,
}

/// Runs `accord lists`.
pub fn run(command: Command) -> miette::Result<ExitCode> {
    match command {
        Command::Import(args) => import(args),
        Command::Update(args) => update(args),
        Command::History(args) => history(args),
        Command::Show(args) => show(args),
        Command::Export(args) => export(args),
    }
}

/// `YYYY-MM-DDTHH:MM:SSZ` for now or for a user's date/time.
fn observed_at(given: Option<&str>) -> miette::Result<String> {
    const FORMAT: &str = "%Y-%m-%dT%H:%M:%SZ";
    let timestamp = match given {
        None => jiff::Timestamp::now(),
        Some(s) => match s.parse::<jiff::Timestamp>() {
            Ok(t) => t,
            Err(_) => s
                .parse::<jiff::civil::Date>()
                .and_then(|d| d.to_zoned_datetime(jiff::tz::TimeZone::UTC))
                .map(|z| z.timestamp())
                .map_err(|_| {
                    miette!("`{s}` is not a date (`YYYY-MM-DD`) or an RFC 3339 time (`2026-03-01T12:00:00Z`)")
                })?,
        },
    };
    Ok(timestamp.strftime(FORMAT).to_string())
}

fn sha256_file(path: &Path) -> miette::Result<String> {
    let mut file =
        std::fs::File::open(path).map_err(|e| miette!("cannot read `{}`: {e}", path.display()))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        let n = file
            .read(&mut buf)
            .map_err(|e| miette!("cannot read `{}`: {e}", path.display()))?;
        if n == 0 {
            break;
        }
        hasher.update(buf.get(..n).unwrap_or_default());
    }
    Ok(hex(&hasher.finalize()))
}

/// A progress bar on stderr when it is a terminal; nothing otherwise.
fn progress_bar(what: &str) -> Option<indicatif::ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new_spinner();
    bar.set_message(format!("importing {what}"));
    bar.enable_steady_tick(Duration::from_millis(200));
    Some(bar)
}

/// Imports local files (`origins` name them for messages; for downloads, their URLs).
fn import_paths(
    store: &mut ListStore,
    paths: &[(PathBuf, String)],
    format: Option<Format>,
    source: Option<&str>,
    observed_at: &str,
) -> Result<ImportSummary, String> {
    let mut files = Vec::new();
    let mut digests = Vec::new();
    let mut default_source = None;
    for (path, origin) in paths {
        let file = std::fs::File::open(path)
            .map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
        let reader = std::io::BufReader::with_capacity(256 * 1024, file);
        let (format, reader): (Format, Box<dyn Read>) = match format {
            Some(f) => (f, Box::new(reader)),
            None => {
                let (f, r) = accord_lists::sniff(reader, origin).map_err(|e| e.to_string())?;
                (f, Box::new(r))
            }
        };
        if default_source.is_none() || !format.companion() {
            default_source.get_or_insert(format.default_source(origin));
        }
        digests.push(sha256_file(path).map_err(|e| e.to_string())?);
        files.push(ImportFile {
            origin: origin.clone(),
            format,
            records: accord_lists::read(format, reader, origin),
        });
    }
    let source = source
        .map(str::to_owned)
        .or(default_source.map(str::to_owned))
        .unwrap_or_default();
    let request = ImportRequest {
        source: source.clone(),
        observed_at: observed_at.to_owned(),
        content_sha256: digests.join("+"),
    };
    let bar = progress_bar(&source);
    let result = store.import(&request, files, &mut |n| {
        if let Some(bar) = &bar {
            bar.set_message(format!("importing {source}: {n} records"));
        }
    });
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    result.map_err(|e| e.to_string())
}

fn summary_line(s: &ImportSummary) -> String {
    let published = s
        .published
        .as_deref()
        .map(|p| format!(", published {p}"))
        .unwrap_or_default();
    format!(
        "imported `{}` as import {} (observed {}{published}): {} designations: {} added, {} removed, {} amended, {} unchanged",
        s.source,
        s.import_id,
        s.observed_at,
        s.n_records,
        s.n_added,
        s.n_removed,
        s.n_amended,
        s.n_unchanged
    )
}

fn in_force_note(store: &mut ListStore, source: &str) -> String {
    match store.imports(Some(source)) {
        Ok(imports) => match imports.first() {
            Some(latest) => format!(
                "the previous import of `{source}` (import {}, observed {}) stays in force",
                latest.import_id, latest.observed_at
            ),
            None => format!("`{source}` has no import yet"),
        },
        Err(e) => format!("(could not read the previous imports: {e})"),
    }
}

fn import(args: ImportArgs) -> miette::Result<ExitCode> {
    let mut store = args.store.open()?;
    let observed = observed_at(args.observed_at.as_deref())?;
    let paths: Vec<(PathBuf, String)> = args
        .files
        .iter()
        .map(|p| (p.clone(), p.display().to_string()))
        .collect();
    match import_paths(
        &mut store,
        &paths,
        args.format,
        args.source.as_deref(),
        &observed,
    ) {
        Ok(summary) => {
            println!("{}", summary_line(&summary));
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => Err(miette!(
            code = "accord::lists::import",
            help = "fix or re-download the file; the store is unchanged",
            "{e}"
        )),
    }
}

/// A source to update: where its files are published.
#[derive(Debug, Clone, serde::Deserialize)]
struct SourceConfig {
    urls: Vec<String>,
    #[serde(default)]
    format: Option<String>,
}

#[derive(Debug, serde::Deserialize)]
struct UpdateConfig {
    #[serde(default)]
    sources: BTreeMap<String, SourceConfig>,
}

/// The publishers' official addresses (November 2026).
fn default_sources() -> BTreeMap<String, SourceConfig> {
    let ofac = "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports";
    let entries: [(&str, Vec<String>); 9] = [
        ("un-sc", vec!["https://scsanctions.un.org/resources/xml/en/consolidated.xml".into()]),
        (
            "ofac-sdn",
            ["SDN.CSV", "ADD.CSV", "ALT.CSV", "SDN_COMMENTS.CSV"]
                .iter()
                .map(|f| format!("{ofac}/{f}"))
                .collect(),
        ),
        (
            "ofac-cons",
            ["CONS_PRIM.CSV", "CONS_ADD.CSV", "CONS_ALT.CSV", "CONS_COMMENTS.CSV"]
                .iter()
                .map(|f| format!("{ofac}/{f}"))
                .collect(),
        ),
        (
            "eu-fsf",
            vec!["https://webgate.ec.europa.eu/fsd/fsf/public/files/xmlFullSanctionsList_1_1/content?token=dG9rZW4tMjAxNw".into()],
        ),
        ("uk-fcdo", vec!["https://sanctionslist.fcdo.gov.uk/docs/UK-Sanctions-List.xml".into()]),
        ("uk-ofsi", vec!["https://ofsistorage.blob.core.windows.net/publishlive/2022format/ConList.csv".into()]),
        (
            "us-csl",
            vec!["https://data.trade.gov/downloadable_consolidated_screening_list/v1/consolidated.csv".into()],
        ),
        ("us-bis-dpl", vec!["https://www.bis.doc.gov/dpl/dpl.txt".into()]),
        (
            "opensanctions",
            vec!["https://data.opensanctions.org/datasets/latest/sanctions/entities.ftm.json".into()],
        ),
    ];
    entries
        .into_iter()
        .map(|(name, urls)| (name.to_owned(), SourceConfig { urls, format: None }))
        .collect()
}

enum Fetched {
    /// 304: unchanged since the recorded download.
    NotModified,
    /// Downloaded to this file, with the response's validators.
    File(PathBuf, FetchState),
}

fn fetch(
    agent: &ureq::Agent,
    url: &str,
    previous: Option<&FetchState>,
    dir: &Path,
    index: usize,
    max_bytes: u64,
    fetched_at: &str,
) -> Result<Fetched, String> {
    let mut request = agent.get(url);
    if let Some(previous) = previous {
        if let Some(etag) = &previous.etag {
            request = request.header("If-None-Match", etag);
        }
        if let Some(modified) = &previous.last_modified {
            request = request.header("If-Modified-Since", modified);
        }
    }
    let response = request
        .call()
        .map_err(|e| format!("download of `{url}` failed: {e}"))?;
    let status = response.status().as_u16();
    if status == 304 {
        return Ok(Fetched::NotModified);
    }
    if status != 200 {
        return Err(format!(
            "download of `{url}` failed: the server answered HTTP {status}"
        ));
    }
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let (etag, last_modified) = (header("etag"), header("last-modified"));
    let path = dir.join(format!("download-{index}"));
    let mut file =
        std::fs::File::create(&path).map_err(|e| format!("cannot write a temporary file: {e}"))?;
    let mut reader = response
        .into_body()
        .into_with_config()
        .limit(max_bytes)
        .reader();
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        let n = reader
            .read(&mut buf)
            .map_err(|e| format!("download of `{url}` failed: {e}"))?;
        if n == 0 {
            break;
        }
        let chunk = buf.get(..n).unwrap_or_default();
        hasher.update(chunk);
        file.write_all(chunk)
            .map_err(|e| format!("cannot write a temporary file: {e}"))?;
    }
    file.sync_all()
        .map_err(|e| format!("cannot write a temporary file: {e}"))?;
    Ok(Fetched::File(
        path,
        FetchState {
            etag,
            last_modified,
            content_sha256: hex(&hasher.finalize()),
            fetched_at: fetched_at.to_owned(),
        },
    ))
}

fn update(args: UpdateArgs) -> miette::Result<ExitCode> {
    let mut sources = default_sources();
    if let Some(path) = &args.config {
        let text = std::fs::read_to_string(path)
            .map_err(|e| miette!("cannot read the configuration `{}`: {e}", path.display()))?;
        let config: UpdateConfig = toml::from_str(&text)
            .map_err(|e| miette!("the configuration `{}` is not valid: {e}", path.display()))?;
        sources.extend(config.sources);
    }
    let selected: Vec<String> = if args.sources.is_empty() {
        sources.keys().cloned().collect()
    } else {
        for name in &args.sources {
            if !sources.contains_key(name) {
                let known: Vec<&str> = sources.keys().map(String::as_str).collect();
                return Err(miette!(
                    help = "add it to a `--config` file as `[sources.NAME] urls = [\"…\"]`",
                    "unknown source `{name}`: known sources are {}",
                    known.join(", ")
                ));
            }
        }
        args.sources.clone()
    };
    let mut store = args.store.open()?;
    let observed = observed_at(args.observed_at.as_deref())?;
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_connect(Some(Duration::from_secs(30)))
        .timeout_global(Some(Duration::from_secs(30 * 60)))
        .build()
        .into();
    let mut failures = 0;
    for name in selected {
        let Some(config) = sources.get(&name) else {
            continue;
        };
        match update_source(&mut store, &agent, &name, config, &args, &observed) {
            Ok(message) => println!("{message}"),
            Err(message) => {
                failures += 1;
                let note = in_force_note(&mut store, &name);
                eprintln!("error: `{name}`: {message}; {note}");
            }
        }
    }
    Ok(if failures == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn update_source(
    store: &mut ListStore,
    agent: &ureq::Agent,
    name: &str,
    config: &SourceConfig,
    args: &UpdateArgs,
    observed: &str,
) -> Result<String, String> {
    let format = config
        .format
        .as_deref()
        .map(str::parse::<Format>)
        .transpose()
        .map_err(|e| e.to_string())?;
    let dir = tempfile::tempdir().map_err(|e| format!("cannot create a temporary folder: {e}"))?;
    let mut downloads = Vec::new();
    let mut all_unchanged = true;
    for (index, url) in config.urls.iter().enumerate() {
        let previous = store.fetch_state(name, url).map_err(|e| e.to_string())?;
        match fetch(
            agent,
            url,
            previous.as_ref(),
            dir.path(),
            index,
            args.max_bytes,
            observed,
        )? {
            Fetched::NotModified => {
                // The server confirms our copy; but a multi-file source needs every file
                // to import, so a changed sibling forces a fresh download of this one.
                downloads.push((url.clone(), None));
            }
            Fetched::File(path, state) => {
                if previous
                    .as_ref()
                    .is_none_or(|p| p.content_sha256 != state.content_sha256)
                {
                    all_unchanged = false;
                }
                downloads.push((url.clone(), Some((path, state))));
            }
        }
    }
    if all_unchanged {
        return Ok(format!(
            "`{name}` is unchanged since its last download: not re-imported; {}",
            in_force_note(store, name)
        ));
    }
    // Some file changed: fetch unconditionally the ones the server said were unchanged.
    let mut files = Vec::new();
    let mut states = Vec::new();
    for (index, (url, download)) in downloads.into_iter().enumerate() {
        let (path, state) = match download {
            Some(d) => d,
            None => match fetch(
                agent,
                &url,
                None,
                dir.path(),
                index,
                args.max_bytes,
                observed,
            )? {
                Fetched::File(path, state) => (path, state),
                Fetched::NotModified => {
                    return Err(format!("`{url}` answered 304 to an unconditional request"));
                }
            },
        };
        files.push((path, url.clone()));
        states.push((url, state));
    }
    let summary = import_paths(store, &files, format, Some(name), observed)?;
    for (url, state) in states {
        store
            .record_fetch(name, &url, &state)
            .map_err(|e| e.to_string())?;
    }
    Ok(summary_line(&summary))
}

fn describe(answer: &ListedOn, date: &str) -> String {
    match answer {
        ListedOn::Observed {
            since_import,
            since,
            confirmed_by,
            confirmed_at,
        } => format!(
            "listed on {date}: present since import {since_import} ({since}), confirmed by import {confirmed_by} ({confirmed_at})"
        ),
        ListedOn::PerListingDate {
            listed_on,
            first_seen,
        } => format!(
            "listed on {date}: the source's listing date is {listed_on} (first imported {first_seen})"
        ),
        ListedOn::NotListed { reason } => format!("not listed on {date}: {reason}"),
        ListedOn::Unknown { reason } => format!("unknown on {date}: {reason}"),
    }
}

fn history_of(
    store: &mut ListStore,
    source: &str,
    id: &str,
    on: Option<&str>,
) -> miette::Result<()> {
    let Some((designation, listed)) = store.designation(source, id).map_err(|e| miette!("{e}"))?
    else {
        return Err(miette!(
            help = "`accord lists history --source S --name N` finds identifiers by name",
            "`{id}` was never in an import of `{source}`"
        ));
    };
    let state = if listed { "listed" } else { "delisted" };
    println!("{source} {id}: {} ({state})", designation.caption());
    for interval in store.intervals(source, id).map_err(|e| miette!("{e}"))? {
        match (&interval.until_at, &interval.last_seen) {
            (Some(until), Some((seen_id, seen_at))) => println!(
                "  present from import {} ({}) to import {seen_id} ({seen_at}); absent from import {} ({until})",
                interval.from_import,
                interval.from_at,
                interval.until_import.unwrap_or_default()
            ),
            _ => println!(
                "  present from import {} ({}) to the latest import",
                interval.from_import, interval.from_at
            ),
        }
    }
    for change in store.changes(source, id).map_err(|e| miette!("{e}"))? {
        println!(
            "  import {} ({}): {}",
            change.import_id, change.observed_at, change.kind
        );
    }
    if let Some(date) = on {
        let answer = store
            .listed_on(source, id, date)
            .map_err(|e| miette!("{e}"))?;
        println!("  {}", describe(&answer, date));
    }
    Ok(())
}

fn history(args: HistoryArgs) -> miette::Result<ExitCode> {
    let mut store = args.store.open()?;
    let on = args.on.as_deref();
    if let Some(id) = &args.id {
        history_of(&mut store, &args.source, id, on)?;
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(name) = &args.name {
        let found = store
            .find_by_name(Some(&args.source), name)
            .map_err(|e| miette!("{e}"))?;
        if found.is_empty() {
            println!(
                "no designation of `{}` has a name containing `{name}`",
                args.source
            );
        }
        for f in found {
            history_of(&mut store, &f.source, &f.source_id, on)?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    let imports = store
        .imports(Some(&args.source))
        .map_err(|e| miette!("{e}"))?;
    if imports.is_empty() {
        println!("`{}` has no import", args.source);
    }
    for s in imports {
        println!(
            "import {} observed {}: {} designations, {} added, {} removed, {} amended; {} sha256 {}",
            s.import_id,
            s.observed_at,
            s.n_records,
            s.n_added,
            s.n_removed,
            s.n_amended,
            s.origin,
            s.content_sha256
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn show(args: ShowArgs) -> miette::Result<ExitCode> {
    let mut store = args.store.open()?;
    match store
        .designation(&args.source, &args.id)
        .map_err(|e| miette!("{e}"))?
    {
        Some((designation, _)) => {
            let json = serde_json::to_string_pretty(&designation).into_diagnostic()?;
            println!("{json}");
            Ok(ExitCode::SUCCESS)
        }
        None => Err(miette!(
            "`{}` was never in an import of `{}`",
            args.id,
            args.source
        )),
    }
}

// ---------------------------------------------------------------------------------------
// export (issue #6, part 6)

/// Arguments of `accord lists export`.
#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// An agreement file whose relief in force to export (repeatable); its log is read from
    /// the same store. Without any, every listing is exported as `active`.
    #[arg(long, value_name = "FILE")]
    agreement: Vec<PathBuf>,
    /// The date the relief is evaluated at (end of that UTC day) [default: today].
    #[arg(long, value_name = "DATE")]
    date: Option<accord_core::time::Date>,
    #[command(flatten)]
    store: StoreArgs,
}

/// Writes every listed designation of the latest imports, as FtM entities, to stdout.
fn export(args: ExportArgs) -> miette::Result<ExitCode> {
    let date = args
        .date
        .unwrap_or_else(|| accord_core::engine::date_of(jiff::Timestamp::now()));
    let mut store = args.store.open()?;
    let url: StoreUrl = args
        .store
        .store
        .clone()
        .or_else(|| std::env::var("ACCORD_STORE").ok())
        .unwrap_or_else(|| "sqlite:accord.db".to_owned())
        .parse()
        .into_diagnostic()?;
    let evaluated = super::status::evaluate_all(&args.agreement, &url, date)?;
    let views: Vec<accord_lists::in_force::Evaluated<'_>> = evaluated
        .iter()
        .map(|(agreement, state)| accord_lists::in_force::Evaluated { agreement, state })
        .collect();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    for d in store.listed().into_diagnostic()? {
        for entity in accord_lists::ftm_export::entities(&d, &views, date) {
            writeln!(out, "{entity}").into_diagnostic()?;
        }
    }
    out.flush().into_diagnostic()?;
    Ok(ExitCode::SUCCESS)
}
