//! Bearer tokens: issued as 32 random bytes (`accord_` + base64url), kept only as their
//! SHA-256 in a tokens file (JSON lines, one token a line, with its role and party), and
//! compared in constant time against every stored hash.
//!
//! INVARIANT: a token's own bytes are never stored nor logged; only the person it is
//! issued to sees them, once. A presented token that matches no hash is refused (401),
//! never taken for an anonymous request.

use std::io::Write as _;
use std::path::Path;

use accord_core::id::ParticipantId;
use base64::Engine as _;
use sha2::{Digest as _, Sha256};
use subtle::ConstantTimeEq as _;

/// What a token lets its holder do (the rules are in [`crate::policy`]).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// A sanctioning authority of an agreement: submits its decisions.
    Authority,
    /// A party (a target, a guarantor): submits its dispute steps.
    Party,
    /// A monitor: submits observations.
    Monitor,
    /// A compliance officer: asks what is in force.
    Compliance,
    /// A member of the public: reads public material.
    Public,
    /// The operator.
    Admin,
}

impl Role {
    /// Every role, in the order above.
    pub const ALL: [Role; 6] = [
        Role::Authority,
        Role::Party,
        Role::Monitor,
        Role::Compliance,
        Role::Public,
        Role::Admin,
    ];

    /// The role's name (`monitor`).
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Authority => "authority",
            Role::Party => "party",
            Role::Monitor => "monitor",
            Role::Compliance => "compliance",
            Role::Public => "public",
            Role::Admin => "admin",
        }
    }

    /// Whether a token of this role acts for one participant of an agreement (and so must
    /// name it): authorities, parties and monitors sign entries as themselves.
    pub fn acts_for_participant(self) -> bool {
        matches!(self, Role::Authority | Role::Party | Role::Monitor)
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

impl std::str::FromStr for Role {
    type Err = TokenError;

    fn from_str(s: &str) -> Result<Role, TokenError> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| TokenError::UnknownRole(s.to_owned()))
    }
}

/// Why a token cannot be issued or the tokens file read.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    /// Not one of the roles.
    #[error(
        "`{0}` is not a role: the roles are authority, party, monitor, compliance, public, admin"
    )]
    UnknownRole(String),
    /// An authority, party or monitor token names no participant.
    #[error("a token of role `{0}` acts for one participant of an agreement: name it")]
    PartyNeeded(Role),
    /// Another role names a participant.
    #[error("a token of role `{0}` acts for no participant: name none")]
    PartyNotAllowed(Role),
    /// The participant's id is not an identifier.
    #[error("`{id}` is not a participant id: {message}")]
    PartyId {
        /// The id given.
        id: String,
        /// Why.
        message: String,
    },
    /// The tokens file cannot be read or written.
    #[error("cannot {action} the tokens file `{path}`")]
    File {
        /// `read` or `write`.
        action: &'static str,
        /// The file.
        path: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A line of the tokens file is not a token record.
    #[error("the tokens file `{path}` line {line}: {message}")]
    Line {
        /// The file.
        path: String,
        /// 1-based line.
        line: usize,
        /// Why.
        message: String,
    },
    /// No randomness.
    #[error(transparent)]
    Random(#[from] accord_app::Error),
}

/// One issued token as the tokens file keeps it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenRecord {
    /// SHA-256 of the token, lowercase hex.
    pub sha256: String,
    /// Its role.
    pub role: Role,
    /// The participant it acts for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub party: Option<ParticipantId>,
    /// When it was issued.
    pub issued_at: jiff::Timestamp,
}

/// Who a request comes from, once its token is checked.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Holder {
    /// The token's role.
    pub role: Role,
    /// The participant it acts for.
    pub party: Option<ParticipantId>,
}

/// A freshly issued token: its text (shown once) and its record.
#[derive(Debug, Clone)]
pub struct Issued {
    /// The token to hand to its holder.
    pub token: String,
    /// What is stored.
    pub record: TokenRecord,
}

/// The hash a token is kept as.
fn hash(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<[u8; 32]> {
    let mut out = [0u8; 32];
    if text.len() != 64 || !text.is_ascii() {
        return None;
    }
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(text.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

/// Issues a token of `role` for `party` (required exactly for authorities, parties and
/// monitors): 32 bytes from the operating system's randomness.
pub fn issue(role: Role, party: Option<&str>, now: jiff::Timestamp) -> Result<Issued, TokenError> {
    let party = match (role.acts_for_participant(), party) {
        (true, None) => return Err(TokenError::PartyNeeded(role)),
        (false, Some(_)) => return Err(TokenError::PartyNotAllowed(role)),
        (_, Some(id)) => Some(ParticipantId::new(id).map_err(|e| TokenError::PartyId {
            id: id.to_owned(),
            message: e.to_string(),
        })?),
        (false, None) => None,
    };
    let bytes = accord_app::keys::random_32()?;
    let token = format!(
        "accord_{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    );
    let record = TokenRecord {
        sha256: hex(&hash(&token)),
        role,
        party,
        issued_at: now,
    };
    Ok(Issued { token, record })
}

/// Appends a record to the tokens file (created if missing), durably.
pub fn append_record(path: &Path, record: &TokenRecord) -> Result<(), TokenError> {
    let write = || -> std::io::Result<()> {
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)?;
        let line = serde_json::to_string(record).map_err(std::io::Error::other)?;
        writeln!(file, "{line}")?;
        file.sync_all()
    };
    write().map_err(|source| TokenError::File {
        action: "write",
        path: path.display().to_string(),
        source,
    })
}

/// The tokens a server accepts.
#[derive(Debug, Clone, Default)]
pub struct Tokens {
    records: Vec<([u8; 32], Holder)>,
}

impl Tokens {
    /// No token: every request is anonymous.
    pub fn none() -> Tokens {
        Tokens::default()
    }

    /// The tokens of a tokens file; a missing file holds none.
    pub fn read(path: &Path) -> Result<Tokens, TokenError> {
        let name = path.display().to_string();
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Tokens::none()),
            Err(source) => {
                return Err(TokenError::File {
                    action: "read",
                    path: name,
                    source,
                });
            }
        };
        let mut tokens = Tokens::none();
        for (n, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let bad = |message: String| TokenError::Line {
                path: name.clone(),
                line: n + 1,
                message,
            };
            let record: TokenRecord = serde_json::from_str(line).map_err(|e| bad(e.to_string()))?;
            tokens.add(&record).map_err(bad)?;
        }
        Ok(tokens)
    }

    /// Accepts one more token, by its record.
    pub fn add(&mut self, record: &TokenRecord) -> Result<(), String> {
        let digest = unhex(&record.sha256)
            .ok_or_else(|| format!("`{}` is not a SHA-256 in hex", record.sha256))?;
        if record.role.acts_for_participant() != record.party.is_some() {
            return Err(format!(
                "a token of role `{}` {} a party",
                record.role,
                if record.party.is_some() {
                    "names no"
                } else {
                    "names"
                }
            ));
        }
        self.records.push((
            digest,
            Holder {
                role: record.role,
                party: record.party.clone(),
            },
        ));
        Ok(())
    }

    /// How many tokens are accepted.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// Whether none is.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// The holder of a presented token: its hash is compared with every stored hash in
    /// constant time, all of them, whichever matches.
    pub fn holder(&self, token: &str) -> Option<Holder> {
        let presented = hash(token);
        let mut found = None;
        for (digest, holder) in &self.records {
            if bool::from(digest.ct_eq(&presented)) {
                found = Some(holder.clone());
            }
        }
        found
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn an_issued_token_is_found_by_its_text_and_only_by_it() {
        let now = jiff::Timestamp::UNIX_EPOCH;
        let issued = issue(Role::Monitor, Some("iaea"), now).unwrap();
        assert!(issued.token.starts_with("accord_"));
        assert_eq!(issued.token.len(), "accord_".len() + 43);
        assert!(!issued.record.sha256.contains(&issued.token));
        let mut tokens = Tokens::none();
        tokens.add(&issued.record).unwrap();
        let holder = tokens.holder(&issued.token).unwrap();
        assert_eq!(holder.role, Role::Monitor);
        assert_eq!(holder.party.unwrap().as_str(), "iaea");
        assert_eq!(tokens.holder(&format!("{}x", issued.token)), None);
        assert_eq!(tokens.holder(""), None);
    }

    #[test]
    fn participants_are_named_exactly_for_the_roles_that_sign() {
        let now = jiff::Timestamp::UNIX_EPOCH;
        assert!(matches!(
            issue(Role::Party, None, now),
            Err(TokenError::PartyNeeded(Role::Party))
        ));
        assert!(matches!(
            issue(Role::Compliance, Some("x"), now),
            Err(TokenError::PartyNotAllowed(Role::Compliance))
        ));
        assert!(matches!(
            issue(Role::Authority, Some("not an id!"), now),
            Err(TokenError::PartyId { .. })
        ));
        assert!(matches!(
            "root".parse::<Role>(),
            Err(TokenError::UnknownRole(_))
        ));
    }

    #[test]
    fn the_tokens_file_round_trips_and_reports_its_bad_lines() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tokens.jsonl");
        assert!(Tokens::read(&path).unwrap().is_empty());
        let a = issue(Role::Admin, None, jiff::Timestamp::UNIX_EPOCH).unwrap();
        let b = issue(Role::Party, Some("arden"), jiff::Timestamp::UNIX_EPOCH).unwrap();
        append_record(&path, &a.record).unwrap();
        append_record(&path, &b.record).unwrap();
        let tokens = Tokens::read(&path).unwrap();
        assert_eq!(tokens.len(), 2);
        assert_eq!(tokens.holder(&b.token).unwrap().role, Role::Party);
        std::fs::write(
            &path,
            "{\"sha256\":\"zz\",\"role\":\"admin\",\"issued_at\":\"2026-01-01T00:00:00Z\"}\n",
        )
        .unwrap();
        let error = Tokens::read(&path).unwrap_err().to_string();
        assert!(
            error.contains("line 1: `zz` is not a SHA-256 in hex"),
            "{error}"
        );
    }
}
