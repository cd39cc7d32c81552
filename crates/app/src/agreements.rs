//! Agreement versions: read from texts (files, the store's registry, bundled examples),
//! always checked by `accord-spec` exactly as `accord check` checks them and chained as
//! amendments, and registered in a store by their SHA-256.
//!
//! INVARIANT: every agreement a use case evaluates went through [`check`] (or is the
//! agreement model given as JSON, which is not a text a person edits): no use case reads
//! TOML any other way.

use std::io::Read as _;
use std::path::Path;

use accord_core::agreement::Agreement;
use accord_spec::Diagnostic;
use accord_store::Store;

use crate::error::{Error, Result};

/// An agreement text as given: a name for messages (its path) and its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgreementText {
    /// The name diagnostics show (a path, or the name it was registered under).
    pub name: String,
    /// The bytes.
    pub bytes: Vec<u8>,
}

impl AgreementText {
    /// Reads a file, at most one byte more than an agreement may be (a larger file is
    /// refused by the checks without being loaded whole).
    pub fn read(path: &Path) -> Result<AgreementText> {
        let name = path.display().to_string();
        let read = || -> std::io::Result<Vec<u8>> {
            let mut bytes = Vec::new();
            std::fs::File::open(path)?
                .take(accord_spec::MAX_FILE_SIZE as u64 + 1)
                .read_to_end(&mut bytes)?;
            Ok(bytes)
        };
        let bytes = read().map_err(|source| Error::Read {
            what: "agreement file",
            name: name.clone(),
            source,
        })?;
        Ok(AgreementText { name, bytes })
    }
}

/// One checked agreement version with the text it was read from.
#[derive(Debug, Clone)]
pub struct Version {
    /// The parsed, validated version.
    pub agreement: Agreement,
    /// SHA-256 of the text, lowercase hex (what parties sign when they sign an amendment).
    pub sha256: String,
    /// The name it was read under.
    pub name: String,
    /// The text.
    pub text: String,
}

/// A text that does not pass its checks: its errors (warnings left out), for the shell to
/// show as `file:line:column` diagnostics.
#[derive(Debug, Clone)]
pub struct Invalid {
    /// The file's name.
    pub name: String,
    /// Its text (invalid UTF-8 replaced), which the diagnostics point into.
    pub source: String,
    /// Its errors, in source order.
    pub errors: Vec<Diagnostic>,
}

/// Checks agreement texts, versions of one agreement in order, as `accord check` does (each
/// file, then the chain of amendments). Any error in any text fails the whole call with
/// [`Error::AgreementInvalid`], holding every file's errors.
pub fn check(texts: &[AgreementText]) -> Result<Vec<Version>> {
    let files: Vec<(String, Vec<u8>)> = texts
        .iter()
        .map(|t| (t.name.clone(), t.bytes.clone()))
        .collect();
    let reports = accord_spec::check_files(&files);
    let mut invalid = Vec::new();
    let mut versions = Vec::with_capacity(reports.len());
    for (report, text) in reports.into_iter().zip(texts) {
        let errors: Vec<Diagnostic> = report
            .checked
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .cloned()
            .collect();
        if !errors.is_empty() {
            invalid.push(Invalid {
                name: report.name,
                source: report.source,
                errors,
            });
            continue;
        }
        if let Some(agreement) = report.checked.agreement {
            versions.push(Version {
                agreement,
                sha256: accord_store::agreements::sha256_hex(&text.bytes),
                name: text.name.clone(),
                text: report.source,
            });
        }
    }
    if !invalid.is_empty() {
        return Err(Error::AgreementInvalid(invalid));
    }
    Ok(versions)
}

/// Reads the agreement model given as JSON (one version, or an array of versions), as
/// exported by other tools.
pub fn model_json(name: &str, text: &str) -> Result<Vec<Agreement>> {
    if text.trim_start().starts_with('[') {
        serde_json::from_str(text)
    } else {
        serde_json::from_str(text).map(|a| vec![a])
    }
    .map_err(|e| Error::AgreementModel {
        name: name.to_owned(),
        message: e.to_string(),
    })
}

/// Registers checked versions in the store's registry (a text already registered is left
/// as it is; another text for a registered version is refused).
pub fn register(store: &Store, versions: &[Version]) -> Result<()> {
    for v in versions {
        store.register_agreement(
            v.agreement.id.as_str(),
            v.agreement.version,
            &v.name,
            &v.text,
        )?;
    }
    Ok(())
}

/// Every version of an agreement registered in the store, checked again by this build's
/// rules and chained, in version order.
pub fn registered(store: &Store, agreement: &str) -> Result<Vec<Version>> {
    let texts = store.agreement_texts(agreement)?;
    if texts.is_empty() {
        return Err(Error::NotRegistered {
            store: store.url().clone(),
            agreement: agreement.to_owned(),
        });
    }
    check_registered(texts)
}

/// Registered texts (as the store returns them) checked by this build's rules and chained.
pub(crate) fn check_registered(texts: Vec<accord_store::AgreementText>) -> Result<Vec<Version>> {
    let texts: Vec<AgreementText> = texts
        .into_iter()
        .map(|t| AgreementText {
            name: t.name,
            bytes: t.text.into_bytes(),
        })
        .collect();
    check(&texts)
}

/// Checks agreement files as `accord check` does, each agreement's chain taken together
/// with the versions `store` registered for it: an amendment checked alone is checked
/// against the versions before it (see [`accord_spec::check_files_against`]).
pub fn check_against_registered(
    store: &Store,
    files: &[(String, Vec<u8>)],
) -> Result<Vec<accord_spec::FileReport>> {
    accord_spec::check_files_against(files, |id| {
        Ok(store
            .agreement_texts(id)?
            .into_iter()
            .map(|t| (format!("{} (registered)", t.name), t.text.into_bytes()))
            .collect())
    })
}

/// Writes the commented starter agreement (it passes the checks) to `path`; an existing
/// file is overwritten only with `force`.
pub fn write_starter(path: &Path, force: bool) -> Result<()> {
    use std::io::Write as _;
    let name = path.display().to_string();
    let mut options = std::fs::OpenOptions::new();
    options.write(true);
    if force {
        options.create(true).truncate(true);
    } else {
        options.create_new(true);
    }
    let written = options.open(path).and_then(|mut file| {
        file.write_all(accord_spec::STARTER.as_bytes())?;
        file.sync_all()
    });
    written.map_err(|source| match source.kind() {
        std::io::ErrorKind::AlreadyExists => Error::Exists(name),
        _ => Error::Write { name, source },
    })
}
