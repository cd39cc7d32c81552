//! The evidence log of an agreement, read for evaluation: every entry decoded into the
//! statement the engine reads, sealed (confidential) entries revealed from the contents the
//! store keeps apart and checked against their leaf; or a log exported as JSON lines.

use accord_core::id::AgreementId;
use accord_core::statement::LoggedStatement;
use accord_ledger::entry::{Body, LoggedEntry, reveal};
use accord_store::Store;
use accord_store::ledger::Ledger;

use crate::error::{Error, FileKind, Result};

/// The one log of `agreement` in the store (the log whose roster names it).
pub fn find(store: &Store, agreement: &AgreementId) -> Result<Ledger> {
    let mut found: Vec<String> = store
        .logs()?
        .into_iter()
        .filter(|info| &info.roster.agreement == agreement)
        .map(|info| info.origin)
        .collect();
    match found.len() {
        1 => Ok(store.ledger(Some(&found.remove(0)))?),
        0 => Err(Error::NoLog {
            store: store.url().clone(),
            agreement: agreement.to_string(),
        }),
        count => Err(Error::SeveralLogs {
            store: store.url().clone(),
            agreement: agreement.to_string(),
            count,
        }),
    }
}

/// Every entry of the log, verified (leaf hashes, acceptance rules and signatures past the
/// store's verified-up-to mark, the stored checkpoints; see
/// [`Ledger::read_verified`]) and decoded into the statements the engine reads. A log that
/// does not verify is refused, naming the entry involved: nothing is answered from it. A
/// sealed entry whose content the store does not hold is left out (it exists and is
/// counted by the log, but this reader is not entitled to its content); a content that
/// does not open its commitment is an error.
pub fn read(ledger: &mut Ledger) -> Result<Vec<LoggedStatement>> {
    let verified = ledger.read_verified()?;
    statements(ledger, verified.entries)
}

/// Reads without verifying, for measuring what verification costs: no use case calls it.
#[doc(hidden)]
pub fn read_unverified(ledger: &mut Ledger) -> Result<Vec<LoggedStatement>> {
    let entries = ledger.read_unverified()?;
    statements(ledger, entries)
}

pub(crate) fn statements(
    ledger: &mut Ledger,
    entries: Vec<LoggedEntry>,
) -> Result<Vec<LoggedStatement>> {
    let mut log = Vec::with_capacity(entries.len());
    for (index, logged) in (0u64..).zip(entries) {
        log.extend(statement(ledger, index, logged)?);
    }
    Ok(log)
}

/// The statement the engine reads from entry `index` of the log: `None` for a sealed
/// entry whose content the store does not hold.
pub(crate) fn statement(
    ledger: &mut Ledger,
    index: u64,
    logged: LoggedEntry,
) -> Result<Option<LoggedStatement>> {
    let entry = &logged.signed.entry;
    let statement = match &entry.body {
        Body::Open(statement) => statement.clone(),
        Body::Sealed { .. } => {
            let Some((salt, content)) = ledger.sealed(index)? else {
                return Ok(None);
            };
            reveal(&entry.body, &salt, &content)
                .map_err(|source| Error::Sealed { index, source })?
        }
    };
    Ok(Some(logged.statement_at(index, statement)))
}

/// The log of `agreement` in the store, read.
pub fn of_agreement(store: &Store, agreement: &AgreementId) -> Result<Vec<LoggedStatement>> {
    read(&mut find(store, agreement)?)
}

/// A log exported as JSON lines: one logged statement per line (blank lines skipped).
pub fn parse_exported(name: &str, text: &str) -> Result<Vec<LoggedStatement>> {
    let mut log = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let entry: LoggedStatement = serde_json::from_str(line).map_err(|e| Error::Line {
            file: FileKind::Log,
            name: name.to_owned(),
            line: n + 1,
            message: format!("not a logged statement: {e}"),
        })?;
        log.push(entry);
    }
    Ok(log)
}
