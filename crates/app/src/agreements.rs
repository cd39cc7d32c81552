//! Agreement versions: read from texts (files, the store's registry, bundled examples),
//! always checked by `accord-spec` exactly as `accord check` checks them and chained as
//! amendments, and registered in a store by their SHA-256.
//!
//! INVARIANT: every agreement a use case evaluates went through [`check`] (or is the
//! agreement model given as JSON, which is not a text a person edits): no use case reads
//! TOML any other way.

use std::io::Read as _;
use std::path::Path;

use accord_core::agreement::{Agreement, PartyRole};
use accord_core::id::ParticipantId;
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

impl Invalid {
    /// Its errors as `accord check --format json` gives them (line and column from 1).
    pub fn json(&self) -> Vec<accord_spec::JsonDiagnostic> {
        accord_spec::to_json(&self.name, &self.source, &self.errors)
    }
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

/// Who submits an agreement text (DESIGN §2: a version is adopted by the process's
/// authorities; an amendment comes into force only once its signatories have signed it,
/// which is the log's business, not the submitter's).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Submitter<'a> {
    /// The operator of the store (the `admin` role): may register any valid text.
    Operator,
    /// An authority acting for a participant, who must be an authority party of the
    /// version submitted and, for an amendment, of the latest registered version.
    Authority(&'a ParticipantId),
}

/// Why a valid agreement text was not registered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SubmissionRefused {
    /// The version number skips a version, or repeats none and starts above 1.
    #[error(
        "`{agreement}` version {given} cannot be registered: {} registered, so the next version is {expected}",
        if *expected == 1 { "no version is".to_owned() } else { format!("version {} is the latest", expected - 1) }
    )]
    VersionGap {
        /// The agreement.
        agreement: String,
        /// The version given.
        given: u32,
        /// The version that may be registered next.
        expected: u32,
    },
    /// Another text is registered as this version.
    #[error(
        "`{agreement}` version {version} is registered with another text (SHA-256 {registered}); an amendment is a new version"
    )]
    OtherText {
        /// The agreement.
        agreement: String,
        /// The version.
        version: u32,
        /// The registered text's SHA-256.
        registered: String,
    },
    /// The submitting authority is not an authority party of the agreement.
    #[error("`{participant}` is not an authority party of `{agreement}` version {version}")]
    NotAnAuthority {
        /// Whom the token acts for.
        participant: String,
        /// The agreement.
        agreement: String,
        /// The version that does not name it.
        version: u32,
    },
}

/// What submitting an agreement text came to.
#[derive(Debug, Clone)]
pub struct Submission {
    /// The version, checked (chained after the versions registered before it).
    pub version: Version,
    /// Warnings of the checks, for the submitter.
    pub warnings: Vec<accord_spec::JsonDiagnostic>,
    /// `false` when this very text was registered already (nothing was written).
    pub registered: bool,
}

/// Submits an agreement text, a first version or an amendment: checked as `accord check`
/// checks it, together with the versions registered before it (so the chain is checked);
/// registered only when every check passes, the version is the next one, and the
/// submitter may ([`Submitter`]). The same text again is answered with its registration
/// and writes nothing.
pub fn submit(store: &Store, text: AgreementText, by: Submitter<'_>) -> Result<Submission> {
    let alone = check(std::slice::from_ref(&text))?;
    let Some(new) = alone.into_iter().next() else {
        return Err(Error::NoVersion(text.name));
    };
    let id = new.agreement.id.to_string();
    let number = new.agreement.version;
    let registered = store.agreement_texts(&id)?;
    if let Some(same) = registered.iter().find(|t| t.version == number) {
        if same.sha256 != new.sha256 {
            return Err(refused(SubmissionRefused::OtherText {
                agreement: id,
                version: number,
                registered: same.sha256.clone(),
            }));
        }
        let Some(version) = check_registered(vec![same.clone()])?.into_iter().next() else {
            return Err(Error::NoVersion(same.name.clone()));
        };
        return Ok(Submission {
            version,
            warnings: Vec::new(),
            registered: false,
        });
    }
    let expected = registered.iter().map(|t| t.version).max().unwrap_or(0) + 1;
    if number != expected {
        return Err(refused(SubmissionRefused::VersionGap {
            agreement: id,
            given: number,
            expected,
        }));
    }
    let mut texts: Vec<AgreementText> = registered
        .into_iter()
        .map(|t| AgreementText {
            name: t.name,
            bytes: t.text.into_bytes(),
        })
        .collect();
    texts.push(text);
    let warnings = warnings(&texts);
    let mut chain = check(&texts)?;
    let Some(mut version) = chain.pop() else {
        return Err(Error::NoVersion(id));
    };
    version.name = format!("{id}-v{number}.toml");
    if let Submitter::Authority(participant) = by {
        for v in chain.last().into_iter().chain([&version]) {
            may_submit(participant, &v.agreement)?;
        }
    }
    register(store, std::slice::from_ref(&version))?;
    Ok(Submission {
        version,
        warnings,
        registered: true,
    })
}

fn refused(why: SubmissionRefused) -> Error {
    Error::SubmissionRefused(why)
}

/// The last text's warnings, in the JSON form of `accord check --format json`.
fn warnings(texts: &[AgreementText]) -> Vec<accord_spec::JsonDiagnostic> {
    let files: Vec<(String, Vec<u8>)> = texts
        .iter()
        .map(|t| (t.name.clone(), t.bytes.clone()))
        .collect();
    let reports = accord_spec::check_files(&files);
    let Some(last) = reports.last() else {
        return Vec::new();
    };
    let warnings: Vec<Diagnostic> = last
        .checked
        .diagnostics
        .iter()
        .filter(|d| !d.is_error())
        .cloned()
        .collect();
    accord_spec::to_json(&last.name, &last.source, &warnings)
}

fn may_submit(participant: &ParticipantId, agreement: &Agreement) -> Result<()> {
    let authority = agreement
        .parties
        .iter()
        .any(|p| &p.id == participant && p.role == PartyRole::Authority);
    if authority {
        return Ok(());
    }
    Err(refused(SubmissionRefused::NotAnAuthority {
        participant: participant.to_string(),
        agreement: agreement.id.to_string(),
        version: agreement.version,
    }))
}

/// Why an amendment signature was refused before it reached the log.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureRefused {
    /// The entry is not an open amendment signature.
    #[error("the entry is a `{0}` statement, not an `amendment_signature`")]
    NotASignature(&'static str),
    /// The entry belongs to another agreement.
    #[error("the entry is of agreement `{given}`, not `{agreement}`")]
    OtherAgreement {
        /// The agreement of the path.
        agreement: String,
        /// The entry's.
        given: String,
    },
    /// The signature names another version than the one it is submitted for.
    #[error("the signature is of version {given}, not version {version}")]
    OtherVersion {
        /// The version of the path.
        version: u32,
        /// The signature's.
        given: u32,
    },
    /// No such version is registered.
    #[error("`{agreement}` has no registered version {version}")]
    NoSuchVersion {
        /// The agreement.
        agreement: String,
        /// The version.
        version: u32,
    },
    /// Version 1 is in force by adoption: nobody signs it.
    #[error("version 1 is in force by adoption: it takes no signatures")]
    FirstVersion,
    /// The signature signs another text than the registered one.
    #[error(
        "the signature signs the text with SHA-256 {signed}, but version {version} is registered with SHA-256 {registered}"
    )]
    OtherText {
        /// The version.
        version: u32,
        /// What the signature names.
        signed: String,
        /// The registered text's.
        registered: String,
    },
    /// A signer is not one of the version's signatories.
    #[error("`{signer}` is not a signatory of version {version} (its signatories: {signatories})")]
    NotASignatory {
        /// The signer.
        signer: String,
        /// The version.
        version: u32,
        /// Its signatories, comma-separated.
        signatories: String,
    },
}

/// Checks an amendment signature against the registered versions before it is appended:
/// an open `amendment_signature` entry of this agreement, for `version` (registered,
/// not version 1), naming that version's registered text by its SHA-256, signed only by
/// its signatories. The engine counts a signature by its version and signers; the text it
/// names is checked here, where the registry is at hand.
pub fn check_signature(
    versions: &[Version],
    agreement: &str,
    version: u32,
    entry: &accord_ledger::entry::SignedEntry,
) -> Result<()> {
    use accord_core::statement::Statement;
    use accord_ledger::entry::Body;
    let refuse = |why| Err(Error::SignatureRefused(why));
    if entry.entry.agreement.as_str() != agreement {
        return refuse(SignatureRefused::OtherAgreement {
            agreement: agreement.to_owned(),
            given: entry.entry.agreement.to_string(),
        });
    }
    let signature = match &entry.entry.body {
        Body::Open(Statement::AmendmentSignature(s)) => s,
        body => {
            return refuse(SignatureRefused::NotASignature(
                accord_ledger::entry::kind_name(body.kind()),
            ));
        }
    };
    if signature.version != version {
        return refuse(SignatureRefused::OtherVersion {
            version,
            given: signature.version,
        });
    }
    let Some(registered) = versions.iter().find(|v| v.agreement.version == version) else {
        return refuse(SignatureRefused::NoSuchVersion {
            agreement: agreement.to_owned(),
            version,
        });
    };
    if version == 1 {
        return refuse(SignatureRefused::FirstVersion);
    }
    if !signature
        .document_sha256
        .eq_ignore_ascii_case(&registered.sha256)
    {
        return refuse(SignatureRefused::OtherText {
            version,
            signed: signature.document_sha256.clone(),
            registered: registered.sha256.clone(),
        });
    }
    let signatories = &registered.agreement.signatories;
    for s in &entry.signatures {
        if !signatories.contains(&s.signer) {
            return refuse(SignatureRefused::NotASignatory {
                signer: s.signer.to_string(),
                version,
                signatories: signatories
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        }
    }
    Ok(())
}

/// A version's signatures as the engine counts them now: each signatory with the log
/// entry of its signature (none while awaited), and whether the version is in force.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Signatures {
    /// The agreement.
    pub agreement: String,
    /// The version.
    pub version: u32,
    /// SHA-256 of its registered text, which signatures name.
    pub sha256: String,
    /// Whether it is in force as of the evaluation.
    pub in_force: bool,
    /// From when it governs, when known.
    pub effective: Option<accord_core::time::Date>,
    /// Its signatories, in the agreement's order.
    pub signatories: Vec<Signatory>,
    /// The engine's reasons (`version.signed`, `version.effective`, `version.adopted`).
    pub reasons: Vec<accord_core::engine::state::Reason>,
}

/// One signatory of a version.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Signatory {
    /// The participant.
    pub participant: ParticipantId,
    /// The log index of the signature the engine counts; `None` while awaited.
    pub entry: Option<u64>,
}

/// The signatures of `version` in an evaluated state (from the evaluation cache).
pub fn signatures(
    evaluated: &crate::evaluations::Evaluated,
    registered: &[Version],
    version: u32,
) -> Result<Signatures> {
    let Some(v) = registered.iter().find(|v| v.agreement.version == version) else {
        return Err(Error::NothingNamed(format!("version {version}")));
    };
    let state = evaluated
        .state
        .versions
        .iter()
        .find(|s| s.version == version);
    let reasons = state.map(|s| s.reasons.clone()).unwrap_or_default();
    let counted: Vec<u64> = reasons
        .iter()
        .filter(|r| r.rule.as_str() == "version.signed")
        .flat_map(|r| r.entries.iter().map(|e| e.0))
        .collect();
    let signatories = v
        .agreement
        .signatories
        .iter()
        .map(|p| Signatory {
            participant: p.clone(),
            entry: evaluated
                .log
                .iter()
                .find(|l| counted.contains(&l.index.0) && l.authors.contains(p))
                .map(|l| l.index.0),
        })
        .collect();
    Ok(Signatures {
        agreement: v.agreement.id.to_string(),
        version,
        sha256: v.sha256.clone(),
        in_force: state.is_some_and(|s| s.in_force),
        effective: state.and_then(|s| s.effective),
        signatories,
        reasons,
    })
}
