//! The agreement registry: every agreement version's text, stored by its SHA-256 beside the
//! agreement's log, so that anything holding the store can evaluate without the files.
//!
//! The store keeps texts, not parsed agreements: whoever reads them checks them again
//! (`accord-app` runs them through `accord-spec`), so a registry written by an older build
//! is read by the rules of the current one, and the SHA-256 that amendment signatures sign
//! is always the SHA-256 of exactly these bytes.
//!
//! INVARIANT: a version's text never changes. Registering the same text again is a no-op;
//! registering another text for a registered `(agreement, version)` is refused; a stored
//! text whose bytes no longer hash to its key is reported as corrupt, never returned.

use sha2::Digest as _;

use crate::sql::{self, Access, Val};
use crate::{Store, StoreError};

/// One registered agreement version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgreementText {
    /// The agreement's identifier.
    pub agreement: String,
    /// The version's number.
    pub version: u32,
    /// SHA-256 of the text, lowercase hex.
    pub sha256: String,
    /// The name it was registered under (its file name), for messages.
    pub name: String,
    /// The text itself.
    pub text: String,
}

/// Lowercase hex SHA-256 of some bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn from_row(row: &[Val]) -> Result<AgreementText, StoreError> {
    let version = u32::try_from(sql::int(row, 2)).map_err(|_| {
        StoreError::Corrupt("a registered agreement version is out of range".into())
    })?;
    let text = AgreementText {
        sha256: sql::text(row, 0).to_owned(),
        agreement: sql::text(row, 1).to_owned(),
        version,
        name: sql::text(row, 3).to_owned(),
        text: sql::text(row, 4).to_owned(),
    };
    if sha256_hex(text.text.as_bytes()) != text.sha256 {
        return Err(StoreError::Corrupt(format!(
            "the registered text of agreement `{}` version {} no longer has the SHA-256 it was stored under",
            text.agreement, text.version
        )));
    }
    Ok(text)
}

const COLUMNS: &str = "SELECT sha256, agreement, version, name, body FROM agreement_text";

impl Store {
    /// Registers one agreement version's text (already checked by the caller) and returns
    /// its SHA-256. Registering a text again changes nothing; another text for a version
    /// already registered is refused with [`StoreError::AgreementConflict`].
    pub fn register_agreement(
        &self,
        agreement: &str,
        version: u32,
        name: &str,
        text: &str,
    ) -> Result<String, StoreError> {
        let sha256 = sha256_hex(text.as_bytes());
        let mut conn = self.conn()?;
        sql::with_tx(&mut conn, Access::Write, |tx| {
            let rows = tx.rows(
                &format!("{COLUMNS} WHERE agreement = $1 AND version = $2"),
                &[Val::text(agreement), Val::Int(i64::from(version))],
            )?;
            if let Some(row) = rows.first() {
                let registered = sql::text(row, 0);
                if registered == sha256 {
                    return Ok(sha256.clone());
                }
                return Err(StoreError::AgreementConflict {
                    agreement: agreement.to_owned(),
                    version,
                    registered: registered.to_owned(),
                });
            }
            tx.exec(
                "INSERT INTO agreement_text (sha256, agreement, version, name, body) VALUES ($1, $2, $3, $4, $5)",
                &[
                    Val::text(&sha256),
                    Val::text(agreement),
                    Val::Int(i64::from(version)),
                    Val::text(name),
                    Val::text(text),
                ],
            )?;
            Ok(sha256.clone())
        })
    }

    /// Every registered version of an agreement, by version number.
    pub fn agreement_texts(&self, agreement: &str) -> Result<Vec<AgreementText>, StoreError> {
        let mut conn = self.conn()?;
        sql::with_tx(&mut conn, Access::Read, |tx| {
            let rows = tx.rows(
                &format!("{COLUMNS} WHERE agreement = $1 ORDER BY version"),
                &[Val::text(agreement)],
            )?;
            rows.iter().map(|r| from_row(r)).collect()
        })
    }

    /// The identifiers of every agreement with a registered text, sorted.
    pub fn registered_agreements(&self) -> Result<Vec<String>, StoreError> {
        let mut conn = self.conn()?;
        sql::with_tx(&mut conn, Access::Read, |tx| {
            let rows = tx.rows(
                "SELECT DISTINCT agreement FROM agreement_text ORDER BY agreement",
                &[],
            )?;
            Ok(rows.iter().map(|r| sql::text(r, 0).to_owned()).collect())
        })
    }
}

impl From<sql::SqlError> for StoreError {
    fn from(e: sql::SqlError) -> Self {
        match e {
            sql::SqlError::Sqlite(e) => StoreError::Sqlite(e),
            sql::SqlError::Postgres(e) => StoreError::Postgres(e),
        }
    }
}
