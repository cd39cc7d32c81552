//! Official sanctions lists: imported from files, updated from their publishers
//! (conditional downloads), and asked for their history.
//!
//! Files and downloads are read here, parsed by `accord-lists`, stored by `accord-store`.
//! A failed import or download changes nothing in the store: the previous import of the
//! source stays in force.

use std::collections::BTreeMap;
use std::io::{Read, Write as _};
use std::path::{Path, PathBuf};
use std::time::Duration;

use accord_lists::{Designation, ErrorKind, Format, IfEmpty, ImportError};
use accord_store::Store;
use accord_store::lists::{
    Allow, Change, FetchState, Found, ImportFile, ImportRequest, ImportSummary, Interval,
    ListStoreError, ListedOn,
};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

fn read_error(name: &Path, source: std::io::Error) -> Error {
    Error::Read {
        what: "list file",
        name: name.display().to_string(),
        source,
    }
}

fn sha256_file(path: &Path) -> Result<String> {
    let mut file = std::fs::File::open(path).map_err(|e| read_error(path, e))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        let n = file.read(&mut buf).map_err(|e| read_error(path, e))?;
        if n == 0 {
            break;
        }
        hasher.update(buf.get(..n).unwrap_or_default());
    }
    Ok(accord_lists::model::hex(&hasher.finalize()))
}

/// What to import: files of one source, each with the name messages give it (its path, or
/// for a download its URL).
#[derive(Debug, Clone)]
pub struct Import {
    /// The files, with their names.
    pub files: Vec<(PathBuf, String)>,
    /// The format of every file, instead of recognising each by its content.
    pub format: Option<Format>,
    /// The source to store them under (default: from the format, e.g. `un-sc`).
    pub source: Option<String>,
    /// When the list was obtained, `YYYY-MM-DDTHH:MM:SSZ` ([`crate::time::observed_at`]).
    pub observed_at: String,
    /// What the import may do that is refused by default (an empty list, mass removals).
    pub allow: Allow,
}

impl Import {
    /// Local files, named by their paths.
    pub fn files(
        paths: &[PathBuf],
        format: Option<Format>,
        source: Option<String>,
        observed_at: String,
    ) -> Import {
        let files = paths
            .iter()
            .map(|p| (p.clone(), p.display().to_string()))
            .collect();
        Import {
            files,
            format,
            source,
            observed_at,
            allow: Allow::default(),
        }
    }

    /// The same import, allowed what `allow` says.
    pub fn allowing(self, allow: Allow) -> Import {
        Import { allow, ..self }
    }
}

/// The format of an empty file whose format was not named: the format the source's latest
/// import had in the same place (or its primary format), since an empty file says nothing.
fn empty_file_format(
    store: &Store,
    source: Option<&str>,
    index: usize,
    origin: &str,
) -> Result<Format> {
    let previous = match source {
        Some(source) => store.lists()?.previous_formats(source)?,
        None => Vec::new(),
    };
    previous
        .get(index)
        .or_else(|| previous.iter().find(|f| !f.companion()))
        .copied()
        .ok_or_else(|| Error::EmptyNeedsFormat {
            file: origin.to_owned(),
        })
}

/// Imports files of one source in one transaction and records what changed. `progress` is
/// told the source and the number of records read so far, every few thousand records.
pub fn import(
    store: &Store,
    what: &Import,
    progress: &mut dyn FnMut(&str, u64),
) -> Result<ImportSummary> {
    let mut files = Vec::new();
    let mut digests = Vec::new();
    let mut default_source = None;
    for (index, (path, origin)) in what.files.iter().enumerate() {
        let file = std::fs::File::open(path).map_err(|e| read_error(path, e))?;
        let reader = std::io::BufReader::with_capacity(256 * 1024, file);
        let (format, reader): (Format, Box<dyn Read>) = match what.format {
            Some(f) => (f, Box::new(reader)),
            None => match accord_lists::sniff(reader, origin) {
                Ok((f, r)) => (f, Box::new(r)),
                // Refused as empty unless allowed; when allowed, read as the source's format.
                Err(e)
                    if matches!(e.kind, ErrorKind::Empty(_))
                        && what.allow.empty == IfEmpty::Accept =>
                {
                    let f = empty_file_format(store, what.source.as_deref(), index, origin)?;
                    (f, Box::new(std::io::empty()))
                }
                Err(e) => return Err(ListStoreError::from(e).into()),
            },
        };
        if default_source.is_none() || !format.companion() {
            default_source.get_or_insert(format.default_source(origin));
        }
        digests.push(sha256_file(path)?);
        files.push(ImportFile {
            origin: origin.clone(),
            format,
            records: accord_lists::read(format, reader, origin),
        });
    }
    let source = what
        .source
        .clone()
        .or(default_source.map(str::to_owned))
        .unwrap_or_default();
    let request = ImportRequest {
        source: source.clone(),
        observed_at: what.observed_at.clone(),
        content_sha256: digests.join("+"),
        allow: what.allow,
    };
    Ok(store
        .lists()?
        .import(&request, files, &mut |n| progress(&source, n))?)
}

/// The latest import of a source, if any: the one that stays in force when an update fails.
pub fn latest_import(store: &Store, source: &str) -> Result<Option<ImportSummary>> {
    Ok(store.lists()?.imports(Some(source))?.into_iter().next())
}

/// A source to update: where its files are published.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct SourceConfig {
    /// The files' addresses, all of one source.
    pub urls: Vec<String>,
    /// Their format, when it cannot be recognised from the content.
    #[serde(default)]
    pub format: Option<String>,
}

#[derive(Debug, serde::Deserialize)]
struct UpdateConfig {
    #[serde(default)]
    sources: BTreeMap<String, SourceConfig>,
}

/// The publishers' official addresses (November 2026).
pub fn default_sources() -> BTreeMap<String, SourceConfig> {
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

/// The sources to update: the publishers' addresses, overridden or extended by a TOML
/// configuration file (`[sources.NAME] urls = ["…"]`) when one is given.
pub fn sources(config: Option<&Path>) -> Result<BTreeMap<String, SourceConfig>> {
    let mut sources = default_sources();
    if let Some(path) = config {
        let text = crate::read_text("configuration", path)?;
        let config: UpdateConfig = toml::from_str(&text).map_err(|e| Error::Config {
            name: path.display().to_string(),
            message: e.to_string(),
        })?;
        sources.extend(config.sources);
    }
    Ok(sources)
}

/// The sources named (every configured one when none is), refusing unknown names.
pub fn select(sources: &BTreeMap<String, SourceConfig>, names: &[String]) -> Result<Vec<String>> {
    if names.is_empty() {
        return Ok(sources.keys().cloned().collect());
    }
    for name in names {
        if !sources.contains_key(name) {
            return Err(Error::UnknownSource {
                name: name.clone(),
                known: sources.keys().cloned().collect(),
            });
        }
    }
    Ok(names.to_vec())
}

/// Downloads list files (blocking, to a temporary file, hashing as it goes).
#[derive(Debug, Clone)]
pub struct Downloader {
    agent: ureq::Agent,
    max_bytes: u64,
}

impl Downloader {
    /// A downloader refusing bodies larger than `max_bytes`.
    pub fn new(max_bytes: u64) -> Downloader {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_connect(Some(Duration::from_secs(30)))
            .timeout_global(Some(Duration::from_secs(30 * 60)))
            .build()
            .into();
        Downloader { agent, max_bytes }
    }
}

enum Fetched {
    /// 304: unchanged since the recorded download.
    NotModified,
    /// Downloaded to this file, with the response's validators.
    File(PathBuf, FetchState),
}

fn download_error(url: &str, message: impl ToString) -> Error {
    Error::Download {
        url: url.to_owned(),
        message: message.to_string(),
    }
}

fn temporary(source: std::io::Error) -> Error {
    Error::Write {
        name: "a temporary file".to_owned(),
        source,
    }
}

impl Downloader {
    fn fetch(
        &self,
        url: &str,
        previous: Option<&FetchState>,
        path: &Path,
        fetched_at: &str,
    ) -> Result<Fetched> {
        let mut request = self.agent.get(url);
        if let Some(previous) = previous {
            if let Some(etag) = &previous.etag {
                request = request.header("If-None-Match", etag);
            }
            if let Some(modified) = &previous.last_modified {
                request = request.header("If-Modified-Since", modified);
            }
        }
        let response = request.call().map_err(|e| download_error(url, e))?;
        let status = response.status().as_u16();
        if status == 304 {
            return Ok(Fetched::NotModified);
        }
        if status != 200 {
            return Err(download_error(
                url,
                format!("the server answered HTTP {status}"),
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
        let length = header("content-length").and_then(|l| l.trim().parse::<u64>().ok());
        let mut file = std::fs::File::create(path).map_err(temporary)?;
        let mut reader = response
            .into_body()
            .into_with_config()
            .limit(self.max_bytes)
            .reader();
        let mut hasher = Sha256::new();
        let mut buf = vec![0u8; 256 * 1024];
        let mut received: u64 = 0;
        loop {
            let n = reader.read(&mut buf).map_err(|e| download_error(url, e))?;
            if n == 0 {
                break;
            }
            let chunk = buf.get(..n).unwrap_or_default();
            hasher.update(chunk);
            file.write_all(chunk).map_err(temporary)?;
            received += n as u64;
        }
        check_length(url, received, length)?;
        file.sync_all().map_err(temporary)?;
        Ok(Fetched::File(
            path.to_path_buf(),
            FetchState {
                etag,
                last_modified,
                content_sha256: accord_lists::model::hex(&hasher.finalize()),
                fetched_at: fetched_at.to_owned(),
            },
        ))
    }
}

/// Refuses a body that ended before the length the server announced, and an empty body: a
/// list file is never empty, and an empty download read as a list would remove every
/// designation of the source.
fn check_length(url: &str, received: u64, announced: Option<u64>) -> Result<()> {
    match announced {
        Some(length) if received < length => Err(download_error(
            url,
            format!(
                "the body ended after {received} of the {length} bytes the server announced (Content-Length)"
            ),
        )),
        _ if received == 0 => Err(download_error(
            url,
            "the server answered 200 with an empty body",
        )),
        _ => Ok(()),
    }
}

/// What updating a source did.
#[derive(Debug, Clone)]
pub enum Updated {
    /// The publisher says (or the bytes show) nothing changed: not re-imported.
    Unchanged,
    /// Something changed: imported.
    Imported(ImportSummary),
}

/// Downloads a source's files (conditionally, with the validators of the last download)
/// and imports them if any changed, allowed what `allow` says. The validators follow what
/// the store holds: recorded only after an import committed without needing an allowance;
/// forgotten when the import was refused (or needed one), so that the next update
/// downloads in full instead of calling the source unchanged.
pub fn update(
    store: &Store,
    downloader: &Downloader,
    name: &str,
    config: &SourceConfig,
    observed: &str,
    allow: Allow,
    progress: &mut dyn FnMut(&str, u64),
) -> Result<Updated> {
    let format = config
        .format
        .as_deref()
        .map(str::parse::<Format>)
        .transpose()
        .map_err(|e| Error::Config {
            name: name.to_owned(),
            message: e.to_string(),
        })?;
    let dir = tempfile::tempdir().map_err(temporary)?;
    let mut lists = store.lists()?;
    let mut downloads = Vec::new();
    let mut all_unchanged = true;
    for (index, url) in config.urls.iter().enumerate() {
        let previous = lists.fetch_state(name, url)?;
        let path = dir.path().join(format!("download-{index}"));
        match downloader.fetch(url, previous.as_ref(), &path, observed)? {
            // The server confirms our copy; but a multi-file source needs every file to
            // import, so a changed sibling forces a fresh download of this one.
            Fetched::NotModified => downloads.push((url.clone(), None)),
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
        return Ok(Updated::Unchanged);
    }
    let mut files = Vec::new();
    let mut states = Vec::new();
    for (index, (url, download)) in downloads.into_iter().enumerate() {
        let (path, state) = match download {
            Some(d) => d,
            None => {
                let path = dir.path().join(format!("download-{index}"));
                match downloader.fetch(&url, None, &path, observed)? {
                    Fetched::File(path, state) => (path, state),
                    Fetched::NotModified => {
                        return Err(download_error(
                            &url,
                            "it answered 304 to an unconditional request",
                        ));
                    }
                }
            }
        };
        files.push((path, url.clone()));
        states.push((url, state));
    }
    let what = Import {
        files,
        format,
        source: Some(name.to_owned()),
        observed_at: observed.to_owned(),
        allow,
    };
    let summary = match import(store, &what, progress) {
        Ok(summary) => summary,
        Err(e) => {
            // The import in force is not what was downloaded: download in full next time.
            // Failing to forget leaves the validators of the import still in force, which
            // is what they describe: the import's error is the one to report.
            if lists.forget_fetches(name).is_err() {
                return Err(e);
            }
            return Err(e);
        }
    };
    // After an import allowed past a refusal, the next update downloads again and the
    // import is confirmed or replaced (the import forgot the source's validators).
    if summary.overridden.is_none() {
        for (url, state) in states {
            lists.record_fetch(name, &url, &state)?;
        }
    }
    Ok(Updated::Imported(summary))
}

/// What updating one source did, with the import that is in force for it afterwards.
#[derive(Debug)]
pub struct SourceUpdate {
    /// The source.
    pub name: String,
    /// What happened.
    pub outcome: Result<Updated>,
    /// The latest import of the source now (the previous one when the update failed).
    pub latest: Result<Option<ImportSummary>>,
}

/// Updates the sources named (every configured one when none is) from their publishers,
/// each on its own: a failed source leaves its previous import in force and the others
/// are still updated. `config` is a TOML file overriding or adding sources; `allow` what
/// every import may do that is refused by default.
pub fn update_all(
    store: &Store,
    config: Option<&Path>,
    names: &[String],
    max_bytes: u64,
    observed: &str,
    allow: Allow,
    progress: &mut dyn FnMut(&str, u64),
) -> Result<Vec<SourceUpdate>> {
    let sources = sources(config)?;
    let downloader = Downloader::new(max_bytes);
    let mut done = Vec::new();
    for name in select(&sources, names)? {
        let Some(config) = sources.get(&name) else {
            continue;
        };
        let outcome = update(store, &downloader, &name, config, observed, allow, progress);
        let latest = latest_import(store, &name);
        done.push(SourceUpdate {
            name,
            outcome,
            latest,
        });
    }
    Ok(done)
}

/// The history of one designation.
#[derive(Debug, Clone)]
pub struct History {
    /// The list (source).
    pub list: String,
    /// The publisher's identifier.
    pub id: String,
    /// Its latest stored version.
    pub designation: Designation,
    /// Whether it is in the latest import of its source.
    pub listed: bool,
    /// The periods it was present in every import.
    pub intervals: Vec<Interval>,
    /// Every change recorded, oldest first.
    pub changes: Vec<Change>,
    /// The answer to "was it listed on this date", when a date was asked (as given).
    pub on: Option<(String, ListedOn)>,
}

/// The history of one designation, and whether it was listed on `on`.
pub fn history(store: &Store, list: &str, id: &str, on: Option<&str>) -> Result<History> {
    let mut lists = store.lists()?;
    let Some((designation, listed)) = lists.designation(list, id)? else {
        return Err(Error::NeverImported {
            list: list.to_owned(),
            id: id.to_owned(),
        });
    };
    let on = match on {
        Some(date) => Some((date.to_owned(), lists.listed_on(list, id, date)?)),
        None => None,
    };
    Ok(History {
        list: list.to_owned(),
        id: id.to_owned(),
        designation,
        listed,
        intervals: lists.intervals(list, id)?,
        changes: lists.changes(list, id)?,
        on,
    })
}

/// What `history` answers: the imports of a source, or the history of each designation
/// asked for (by identifier, or every one with a name containing the words given).
#[derive(Debug, Clone)]
pub enum Histories {
    /// The source's imports, newest first.
    Imports(Vec<ImportSummary>),
    /// Each designation's history (none: no name matched).
    Designations(Vec<History>),
}

/// The history asked for: of designation `id`, or of every designation of `list` whose
/// name contains `name`, or (neither given) the imports of `list`; each with whether it
/// was listed on `on`.
pub fn histories(
    store: &Store,
    list: &str,
    id: Option<&str>,
    name: Option<&str>,
    on: Option<&str>,
) -> Result<Histories> {
    let ids: Vec<(String, String)> = match (id, name) {
        (Some(id), _) => vec![(list.to_owned(), id.to_owned())],
        (None, Some(name)) => find(store, list, name)?
            .into_iter()
            .map(|f| (f.source, f.source_id))
            .collect(),
        (None, None) => return Ok(Histories::Imports(imports(store, list)?)),
    };
    let histories = ids
        .iter()
        .map(|(list, id)| history(store, list, id, on))
        .collect::<Result<Vec<_>>>()?;
    Ok(Histories::Designations(histories))
}

/// Designations of a source with a name containing `name` (case-insensitive).
pub fn find(store: &Store, list: &str, name: &str) -> Result<Vec<Found>> {
    Ok(store.lists()?.find_by_name(Some(list), name)?)
}

/// Every import of a source, newest first.
pub fn imports(store: &Store, list: &str) -> Result<Vec<ImportSummary>> {
    Ok(store.lists()?.imports(Some(list))?)
}

/// The latest stored version of one designation.
pub fn show(store: &Store, list: &str, id: &str) -> Result<Designation> {
    store
        .lists()?
        .designation(list, id)?
        .map(|(d, _)| d)
        .ok_or_else(|| Error::NeverImported {
            list: list.to_owned(),
            id: id.to_owned(),
        })
}

impl From<ImportError> for Error {
    fn from(e: ImportError) -> Self {
        Error::Lists(ListStoreError::Import(e))
    }
}

/// The name an uploaded file goes by in messages (never the server's temporary path).
pub const UPLOAD_NAME: &str = "the uploaded file";

/// Imports one uploaded file (already written to `path` by the shell) as source `source`,
/// exactly as [`import`] imports a file named on the command line: recognised by its
/// content unless `format` is given, refused whole (nothing written) when it is corrupt,
/// truncated, incomplete, empty, of another source's format, or removes more than the
/// mass-removal guard allows.
pub fn import_upload(
    store: &Store,
    source: &str,
    path: &Path,
    format: Option<Format>,
    observed_at: String,
) -> Result<ImportSummary> {
    check_source_name(source)?;
    let what = Import {
        files: vec![(path.to_path_buf(), UPLOAD_NAME.to_owned())],
        format,
        source: Some(source.to_owned()),
        observed_at,
        allow: Allow::default(),
    };
    import(store, &what, &mut |_, _| {})
}

/// A source's name as the datasets of screening show it: lowercase letters, digits and
/// dashes, 1 to 64 of them, and not `default` (the screening dataset of every list).
fn check_source_name(source: &str) -> Result<()> {
    let fine = (1..=64).contains(&source.len())
        && source
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && source != "default";
    if fine {
        return Ok(());
    }
    Err(Error::Import(format!(
        "`{source}` is not a source name: lowercase letters, digits and dashes (1 to 64), not `default`"
    )))
}

/// Every listed designation of `list`'s latest import as FollowTheMoney entities (each
/// entity, then its `Sanction`s with the relief in force under `agreements` on `date`),
/// as `accord lists export` writes them, handed to `sink` one by one. A list never
/// imported is [`Error::UnknownSource`].
pub fn export(
    store: &Store,
    list: &str,
    agreements: &[crate::evaluate::AgreementSource],
    date: accord_core::time::Date,
    sink: &mut dyn FnMut(&serde_json::Value) -> std::io::Result<()>,
) -> Result<()> {
    if store.lists()?.imports(Some(list))?.is_empty() {
        return Err(unknown_list(store, list));
    }
    crate::status::export_where(store, agreements, date, &|d| d.source == list, sink)
}

/// [`Error::UnknownSource`] for a list the store holds no import of, naming those it has.
pub fn unknown_list(store: &Store, list: &str) -> Error {
    let imports = store
        .lists()
        .map_err(Error::from)
        .and_then(|mut l| l.imports(None).map_err(Error::from));
    let known = match imports {
        Ok(imports) => {
            let names: std::collections::BTreeSet<String> =
                imports.into_iter().map(|i| i.source).collect();
            names.into_iter().collect()
        }
        Err(e) => return e,
    };
    Error::UnknownSource {
        name: list.to_owned(),
        known,
    }
}
