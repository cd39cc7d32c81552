//! Reading what the commands work on: agreement versions from files, the evidence log from
//! a store, and the roster a log is created with.
//!
//! Every command that evaluates (`evaluate`, `explain`, `timeline`, `play`, `demo`) goes
//! through these functions, so that an agreement is always checked the same way before it
//! is used and a log is always decoded (and sealed entries revealed) the same way.

use std::collections::BTreeMap;
use std::path::Path;

use accord_core::agreement::{Agreement, PartyRole};
use accord_core::id::ParticipantId;
use accord_core::statement::{LogIndex, LoggedStatement};
use accord_ledger::entry::{Body, reveal};
use accord_ledger::roster::{Member, RegisteredKey, Role, Roster};
use accord_store::ledger::Ledger;
use miette::{IntoDiagnostic as _, WrapErr as _};
use sha2::Digest as _;

/// One agreement version read from a file, with the SHA-256 of the file's bytes (what
/// parties sign when they sign an amendment).
#[derive(Debug, Clone)]
pub struct VersionFile {
    /// The parsed, validated version.
    pub agreement: Agreement,
    /// SHA-256 of the file, lowercase hex.
    pub sha256: String,
}

/// Reads and checks agreement files (a version chain). Any error in any file is rendered
/// as `file:line:col` diagnostics and nothing is returned.
pub fn agreement_versions(paths: &[&Path]) -> miette::Result<Vec<VersionFile>> {
    let mut files = Vec::with_capacity(paths.len());
    for path in paths {
        let bytes = std::fs::read(path)
            .into_diagnostic()
            .wrap_err_with(|| format!("cannot read the agreement file `{}`", path.display()))?;
        files.push((path.display().to_string(), bytes));
    }
    let reports = accord_spec::check_files(&files);
    let mut rendered = String::new();
    let mut versions = Vec::with_capacity(reports.len());
    for (report, (_, bytes)) in reports.iter().zip(&files) {
        let errors: Vec<_> = report
            .checked
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .cloned()
            .collect();
        if !errors.is_empty() {
            rendered.push_str(&accord_spec::render_text(
                &report.name,
                &report.source,
                &errors,
            ));
            continue;
        }
        if let Some(agreement) = &report.checked.agreement {
            versions.push(VersionFile {
                agreement: agreement.clone(),
                sha256: hex(&sha2::Sha256::digest(bytes)),
            });
        }
    }
    if !rendered.is_empty() {
        return Err(miette::miette!(
            help = "run `accord check` on the files and fix every error first",
            "the agreement does not pass its checks:\n{rendered}"
        ));
    }
    Ok(versions)
}

/// Lowercase hex of some bytes.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Every entry of the log, decoded into the statements the engine reads. Sealed
/// (confidential) entries are revealed from the contents the store keeps apart, and each
/// revealed content is checked against the leaf's commitment.
pub fn log_statements(ledger: &mut Ledger) -> miette::Result<Vec<LoggedStatement>> {
    let size = ledger.refresh().into_diagnostic()?.size;
    let mut log = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    for index in 0..size {
        let (logged, _) = ledger
            .entry(index)
            .into_diagnostic()
            .wrap_err_with(|| format!("cannot read log entry {index}"))?;
        let entry = &logged.signed.entry;
        let statement = match &entry.body {
            Body::Open(statement) => statement.clone(),
            Body::Sealed { .. } => {
                let Some((salt, content)) = ledger.sealed(index).into_diagnostic()? else {
                    // The content is not held here: the entry exists and is counted by the
                    // log, but this reader is not entitled to its content.
                    continue;
                };
                reveal(&entry.body, &salt, &content)
                    .into_diagnostic()
                    .wrap_err_with(|| format!("sealed log entry {index} does not match its leaf"))?
            }
        };
        log.push(LoggedStatement {
            index: LogIndex(index),
            recorded_at: logged.recorded_at,
            agreement: entry.agreement.clone(),
            authors: logged
                .signed
                .signatures
                .iter()
                .map(|s| s.signer.clone())
                .collect(),
            statement,
        });
    }
    Ok(log)
}

/// The roster a log for this agreement starts with: every party and monitor, with its role,
/// standing to invoke or halt triggers, and the given keys (valid from `valid_from`). Used by
/// `accord play`, which generates the keys.
pub fn roster_for(
    agreement: &Agreement,
    keys: &BTreeMap<ParticipantId, String>,
    valid_from: jiff::Timestamp,
) -> Roster {
    roster_with(agreement, |id| {
        keys.get(id)
            .map(|public_key| RegisteredKey {
                public_key: public_key.clone(),
                valid_from,
                valid_until: None,
                ended_because: None,
            })
            .into_iter()
            .collect()
    })
}

/// The roster declared by an agreement file: every party and monitor with the keys the
/// agreement names for it (C2SP verifier keys or base64 Ed25519 keys) and their validity.
/// A key without `valid_from` is valid from the start of time.
pub fn roster_from_agreement(agreement: &Agreement) -> miette::Result<Roster> {
    let mut declared: BTreeMap<ParticipantId, Vec<RegisteredKey>> = BTreeMap::new();
    let parties = agreement.parties.iter().map(|p| (&p.id, &p.keys));
    let monitors = agreement.monitors.iter().map(|m| (&m.id, &m.keys));
    for (id, keys) in parties.chain(monitors) {
        let mut registered = Vec::with_capacity(keys.len());
        for key in keys {
            registered.push(RegisteredKey {
                public_key: ed25519_base64(&key.key)
                    .wrap_err_with(|| format!("a key of `{id}` in the agreement"))?,
                valid_from: key.valid_from.unwrap_or(jiff::Timestamp::MIN),
                valid_until: key.valid_until,
                ended_because: None,
            });
        }
        declared.insert(id.clone(), registered);
    }
    let roster = roster_with(agreement, |id| {
        declared.get(id).cloned().unwrap_or_default()
    });
    roster.validate().into_diagnostic()?;
    Ok(roster)
}

/// A declared key as the roster holds it: 32 bytes in base64. A C2SP verifier key
/// (`name+hex8+base64`) carries a type byte (0x01, Ed25519) before the 32 bytes.
fn ed25519_base64(text: &str) -> miette::Result<String> {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD;
    if b64.decode(text).is_ok_and(|bytes| bytes.len() == 32) {
        return Ok(text.to_owned());
    }
    let key = accord_ledger::note::VerifierKey::parse(text).into_diagnostic()?;
    if key.kind() != accord_ledger::note::TYPE_ED25519 {
        miette::bail!("`{text}` is not an Ed25519 verifier key");
    }
    Ok(b64.encode(key.public_key()))
}

fn roster_with(
    agreement: &Agreement,
    keys: impl Fn(&ParticipantId) -> Vec<RegisteredKey>,
) -> Roster {
    // Standing for trigger steps: who may invoke a trigger, and who may halt one.
    let standing: Vec<&ParticipantId> = agreement
        .triggers
        .iter()
        .flat_map(|t| t.standing.iter().chain(&t.halted_by))
        .collect();
    let mut participants = BTreeMap::new();
    for party in &agreement.parties {
        let role = match party.role {
            PartyRole::Authority => Role::Authority,
            PartyRole::Target => Role::Target,
            PartyRole::Guarantor => Role::Guarantor,
            PartyRole::Observer => Role::Observer,
        };
        participants.insert(
            party.id.clone(),
            Member {
                role,
                standing: standing.contains(&&party.id),
                keys: keys(&party.id),
            },
        );
    }
    for monitor in &agreement.monitors {
        participants.insert(
            monitor.id.clone(),
            Member {
                role: Role::Monitor,
                standing: false,
                keys: keys(&monitor.id),
            },
        );
    }
    Roster {
        agreement: agreement.id.clone(),
        participants,
    }
}

/// Commands that only read refuse a SQLite store that does not exist, rather than creating
/// an empty one and answering from it.
pub fn must_exist(url: &accord_store::StoreUrl) -> miette::Result<()> {
    if let accord_store::StoreUrl::Sqlite(path) = url
        && !path.exists()
    {
        return Err(miette::miette!(
            help = "check the path; a store is created by `accord ledger init`, `accord play` or `accord lists import`",
            "the store `{url}` does not exist"
        ));
    }
    Ok(())
}

/// Opens the log of an agreement in a store: the one log whose roster names this
/// agreement.
pub fn ledger_for(
    url: &accord_store::StoreUrl,
    agreement: &accord_core::id::AgreementId,
) -> miette::Result<Ledger> {
    must_exist(url)?;
    let mut backend = accord_store::ledger::open_backend(url)
        .into_diagnostic()
        .wrap_err_with(|| format!("cannot open the store `{url}`"))?;
    let origins = backend.origins().into_diagnostic()?;
    drop(backend);
    let mut found = Vec::new();
    for origin in origins {
        let ledger = Ledger::open(url, Some(&origin)).into_diagnostic()?;
        if &ledger.info().roster.agreement == agreement {
            found.push(ledger);
        }
    }
    match found.len() {
        1 => Ok(found.remove(0)),
        0 => Err(miette::miette!(
            help = "create it with `accord ledger init` or play a scenario into this store",
            "the store `{url}` holds no log for agreement `{agreement}`"
        )),
        n => Err(miette::miette!(
            "the store `{url}` holds {n} logs for agreement `{agreement}`; keep one log per agreement per store"
        )),
    }
}
