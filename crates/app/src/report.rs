//! Public reports (issue #15): a report built from a store — the agreement's registered
//! texts, its verified log, the smallest signed (and, under a witness policy, witnessed)
//! checkpoint covering every entry recorded by the report's instant — written into a new
//! directory; and a bundle read back from a directory for `accord_report::verify`, which
//! needs no store.

use std::path::Path;

use accord_ledger::witness::policy::WitnessPolicy;
use accord_report::bundle::{self, Bundle};
use accord_report::{Disclosure, Inputs, Openings, Previous, Verification};
use accord_store::Store;

use crate::error::{Error, Result};

/// What a report is asked for.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    /// The agreement (its identifier in the store's registry).
    pub agreement: &'a str,
    /// The instant it is as of.
    pub as_of: jiff::Timestamp,
    /// The previous report's directory, to compare with and prove consistency from.
    pub previous: Option<&'a Path>,
    /// The witness policy (its text): the checkpoint must then be witnessed under it.
    pub policy: Option<&'a str>,
}

/// A report's bundle, built.
#[derive(Debug, Clone)]
pub struct Built {
    /// Its files.
    pub bundle: Bundle,
    /// The checkpoint's size: the entries of the public log prefix.
    pub size: u64,
    /// The openings of the sealed entries of the prefix whose contents the store holds:
    /// for entitled readers only, never written into the bundle.
    pub openings: Openings,
}

/// The checkpoint a report rests on: the smallest stored one covering `needed` entries
/// (every entry recorded by the report's instant), witnessed under the policy if any.
fn choose_checkpoint(
    notes: &[(u64, String)],
    needed: u64,
    policy: Option<&WitnessPolicy>,
    log_key: &accord_ledger::note::VerifierKey,
) -> Option<(u64, String)> {
    notes
        .iter()
        .filter(|(size, _)| *size >= needed)
        .find(|(_, note)| {
            policy.is_none_or(|p| p.verify(note, std::slice::from_ref(log_key)).is_ok())
        })
        .cloned()
}

/// Builds a report from the store (nothing is written).
pub fn build(store: &Store, request: &Request<'_>) -> Result<Built> {
    let versions = crate::agreements::registered(store, request.agreement)?;
    let Some(first) = versions.first() else {
        return Err(Error::NoVersion(request.agreement.into()));
    };
    let mut ledger = crate::log::find(store, &first.agreement.id)?;
    let entries = ledger.read_verified()?.entries;
    let info = ledger.info().clone();
    let log_key = crate::keys::verifier_key(&info.log_key)?;
    let policy = request
        .policy
        .map(WitnessPolicy::parse)
        .transpose()
        .map_err(|e| {
            Error::Report(vec![accord_report::Problem::new(
                accord_report::Part::Policy,
                e.to_string(),
            )])
        })?;
    let needed = entries
        .iter()
        .take_while(|e| e.recorded_at <= request.as_of)
        .count() as u64;
    let mut notes = ledger.checkpoints()?;
    notes.extend(store.cosigned_checkpoints(&info.origin)?);
    notes.sort_by_key(|(size, _)| *size);
    let Some((size, checkpoint)) = choose_checkpoint(&notes, needed, policy.as_ref(), &log_key)
    else {
        return Err(Error::ReportUncovered {
            origin: info.origin,
            as_of: request.as_of,
            uncovered: needed,
            witnessed: policy.is_some(),
        });
    };
    let prefix = entries.get(..size as usize).unwrap_or_default();
    let leaves: Vec<Vec<u8>> = prefix.iter().map(|e| e.leaf_bytes()).collect();
    let log = bundle::encode_log(leaves.iter().map(Vec::as_slice));
    let previous = request.previous.map(read_previous).transpose()?;
    let texts: Vec<(u32, &str)> = versions
        .iter()
        .map(|v| (v.agreement.version, v.text.as_str()))
        .collect();
    let contents = sealed_contents(&mut ledger, prefix)?;
    let head = checkpoint_head(&checkpoint)?;
    let openings = Openings::new(&head, prefix, &contents);
    let inputs = Inputs {
        agreement: request.agreement,
        as_of: request.as_of,
        log_key: &info.log_key,
        texts,
        checkpoint: &checkpoint,
        policy: request.policy,
        log: &log,
        previous: previous
            .as_ref()
            .map(|(checkpoint, report)| Previous { checkpoint, report }),
        disclosure: Disclosure::Openings(&openings),
    };
    let bundle = accord_report::build(&inputs).map_err(Error::Report)?;
    Ok(Built {
        bundle,
        size,
        openings,
    })
}

/// The salt and content of each sealed entry of `prefix` the store holds.
fn sealed_contents(
    ledger: &mut accord_store::ledger::Ledger,
    prefix: &[accord_ledger::entry::LoggedEntry],
) -> Result<Vec<accord_report::attested::Content>> {
    let mut out = Vec::new();
    for (index, entry) in (0u64..).zip(prefix) {
        if let accord_ledger::entry::Body::Sealed { .. } = entry.signed.entry.body
            && let Some((salt, content)) = ledger.sealed(index)?
        {
            out.push((index, salt, content));
        }
    }
    Ok(out)
}

/// The tree head of a stored signed checkpoint.
fn checkpoint_head(note: &str) -> Result<accord_ledger::checkpoint::Checkpoint> {
    accord_ledger::note::parse_note(note)
        .ok()
        .and_then(|n| accord_ledger::checkpoint::Checkpoint::parse_body(&n.text).ok())
        .ok_or_else(|| {
            Error::Report(vec![accord_report::Problem::new(
                accord_report::Part::Checkpoint,
                "the stored checkpoint does not parse",
            )])
        })
}

/// Checks that an openings file may be written at `path`: not inside the report's
/// directory `report` (openings are never part of the public bundle), and not an existing
/// file.
pub fn check_openings_path(path: &Path, report: &Path) -> Result<()> {
    let name = path.display().to_string();
    // Path::starts_with compares whole components.
    let absolute = |p: &Path| std::path::absolute(p).ok();
    if let (Some(file), Some(dir)) = (absolute(path), absolute(report))
        && file.starts_with(&dir)
    {
        return Err(Error::OpeningsInBundle(name));
    }
    if path.exists() {
        return Err(Error::Write {
            name,
            source: std::io::Error::from(std::io::ErrorKind::AlreadyExists),
        });
    }
    Ok(())
}

/// Writes an openings file (for entitled readers) at `path`, after
/// [`check_openings_path`]. The file is created new (readable by its owner only, on Unix).
pub fn write_openings(path: &Path, report: &Path, openings: &Openings) -> Result<()> {
    check_openings_path(path, report)?;
    let name = path.display().to_string();
    let write_error = |source| Error::Write {
        name: name.clone(),
        source,
    };
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut f = options.open(path).map_err(write_error)?;
    std::io::Write::write_all(&mut f, &openings.to_text()).map_err(write_error)?;
    f.sync_all().map_err(write_error)
}

fn read_previous(dir: &Path) -> Result<(String, String)> {
    let read = |name: &str| crate::read_text("previous report's file", &dir.join(name));
    Ok((read("checkpoint.txt")?, read("report.json")?))
}

/// Writes a bundle into `dir`, which must not exist or be empty: the files are written
/// into a temporary directory beside it, synced, and renamed into place, so that a
/// failure leaves no half-written report.
pub fn write(dir: &Path, bundle: &Bundle) -> Result<()> {
    let name = dir.display().to_string();
    if std::fs::read_dir(dir).is_ok_and(|mut d| d.next().is_some()) {
        return Err(Error::ReportDirectory(name));
    }
    let parent = dir
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let write_error = |source| Error::Write {
        name: name.clone(),
        source,
    };
    let temporary = tempfile::Builder::new()
        .prefix(".accord-report-")
        .tempdir_in(parent)
        .map_err(write_error)?;
    for (path, bytes) in &bundle.files {
        let file = temporary.path().join(path);
        if let Some(parent) = file.parent() {
            std::fs::create_dir_all(parent).map_err(write_error)?;
        }
        let mut f = std::fs::File::create(&file).map_err(write_error)?;
        std::io::Write::write_all(&mut f, bytes).map_err(write_error)?;
        f.sync_all().map_err(write_error)?;
    }
    if dir.exists() {
        std::fs::remove_dir(dir).map_err(write_error)?;
    }
    std::fs::rename(temporary.keep(), dir).map_err(write_error)?;
    Ok(())
}

/// Reads every file under `dir` into a bundle (paths relative, `/`-separated).
pub fn read_bundle(dir: &Path) -> Result<Bundle> {
    let mut bundle = Bundle::default();
    let mut pending = vec![dir.to_path_buf()];
    let read_error = |path: &Path, source| Error::Read {
        what: "report bundle's file",
        name: path.display().to_string(),
        source,
    };
    while let Some(at) = pending.pop() {
        for item in std::fs::read_dir(&at).map_err(|e| read_error(&at, e))? {
            let item = item.map_err(|e| read_error(&at, e))?;
            let path = item.path();
            let kind = item.file_type().map_err(|e| read_error(&path, e))?;
            // Symbolic links are not followed: a bundle is plain files and directories.
            if kind.is_dir() {
                pending.push(path);
                continue;
            }
            if !kind.is_file() {
                continue;
            }
            let bytes = std::fs::read(&path).map_err(|e| read_error(&path, e))?;
            let relative = path.strip_prefix(dir).unwrap_or(&path);
            let parts: Vec<String> = relative
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            bundle.put(parts.join("/"), bytes);
        }
    }
    Ok(bundle)
}

/// Verifies the report bundle in `dir` (see [`accord_report::verify`]): no store, no
/// network.
pub fn verify(dir: &Path, trusted_log_key: Option<&str>) -> Result<Verification> {
    verify_with(dir, trusted_log_key, None)
}

/// [`verify`], with the openings file at `openings` when given: the attested state re-run
/// (see [`accord_report::verify_with`]).
pub fn verify_with(
    dir: &Path,
    trusted_log_key: Option<&str>,
    openings: Option<&Path>,
) -> Result<Verification> {
    let openings = openings
        .map(|p| {
            std::fs::read(p).map_err(|source| Error::Read {
                what: "openings file",
                name: p.display().to_string(),
                source,
            })
        })
        .transpose()?;
    let bundle = read_bundle(dir)?;
    if bundle.files.is_empty() {
        return Err(Error::NotABundle(
            dir.display().to_string(),
            "it is empty".into(),
        ));
    }
    Ok(accord_report::verify_with(
        &bundle,
        trusted_log_key,
        openings.as_deref(),
    ))
}

/// Checks split-view evidence by its text alone (and the keys one trusts, if any): what it
/// shows, or why it shows nothing.
pub fn split_view(
    text: &str,
    trusted: &[accord_ledger::note::VerifierKey],
) -> std::result::Result<String, String> {
    accord_report::verify::split_view(text, trusted)
}
