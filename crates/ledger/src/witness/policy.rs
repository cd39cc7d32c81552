//! The witness policy: which logs are trusted, which witnesses, and the quorum of
//! cosignatures that makes a checkpoint count as witnessed. The text format is C2SP
//! `tlog-policy` (the Sigsum policy format with `vkey`s):
//!
//! ```text
//! log accord.example/agreement-1+1a2b3c4d+AU...   # a log; its key's name is its origin
//! witness w1 witness.example/w1+5e6f7a8b+BA...    # a witness: a local name and a 0x04 vkey
//! witness w2 witness.example/w2+9c0d1e2f+BA...
//! witness w3 witness.example/w3+31415926+BA...
//! group two-of-three 2 w1 w2 w3                   # k of n; also `all` and `any`
//! quorum two-of-three                             # or a witness, or `none`
//! ```
//!
//! Groups may contain groups defined above them. A checkpoint is witnessed when a listed
//! log signed it (its origin being that key's name) and the witnesses whose cosignatures
//! verify satisfy the quorum. A cosignature by a listed witness that does not verify
//! rejects the checkpoint (signed-note: a known key's failed signature rejects the note).
//!
//! INVARIANT: a parsed policy is well-formed: every name is defined once, before use,
//! groups have `1 <= k <= n` distinct members, keys are of the right type and not repeated,
//! and there is exactly one quorum. Parsing never panics and reports `line:column`.

use super::{cosignature_time, verified_signatures};
use crate::checkpoint::{Checkpoint, CheckpointError};
use crate::note::{KeyError, NoteError, TYPE_COSIGNATURE, TYPE_ED25519, VerifierKey};

/// The most logs, witnesses or groups a policy may define (the spec asks for at least 32).
pub const MAX_DEFINITIONS: usize = 256;

/// A log of the policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyLog {
    /// Its key (its name is the log's origin).
    pub key: VerifierKey,
    /// Where it is reached, if given.
    pub url: Option<String>,
}

/// A witness of the policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyWitness {
    /// Its name in the policy (used by groups and the quorum only).
    pub name: String,
    /// Its cosignature key.
    pub key: VerifierKey,
    /// Its submission prefix, if given.
    pub url: Option<String>,
}

/// A member of a group, or the quorum.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Member {
    /// The witness at this index of [`WitnessPolicy::witnesses`].
    Witness(usize),
    /// The group at this index of [`WitnessPolicy::groups`].
    Group(usize),
}

/// How many members of a group must have witnessed, as written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Threshold {
    /// Every member.
    All,
    /// At least one.
    Any,
    /// At least this many.
    AtLeast(usize),
}

/// A group of witnesses (or of groups).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// Its name.
    pub name: String,
    /// How many members must have witnessed.
    pub threshold: Threshold,
    /// Its members, distinct.
    pub members: Vec<Member>,
}

impl Group {
    /// The number of members needed.
    pub fn k(&self) -> usize {
        match self.threshold {
            Threshold::All => self.members.len(),
            Threshold::Any => 1,
            Threshold::AtLeast(k) => k,
        }
    }
}

/// What is wrong with a policy (without its place: see [`PolicyError`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyProblem {
    /// A control character other than tab and newline.
    #[error("control character {0:#04x}: only tab and newline are allowed")]
    ControlCharacter(u32),
    /// A line that starts with no known keyword.
    #[error("unknown keyword `{0}`: expected `log`, `witness`, `group` or `quorum`")]
    UnknownKeyword(String),
    /// The wrong number of arguments.
    #[error("expected `{0}`")]
    Arguments(&'static str),
    /// The key does not parse.
    #[error(transparent)]
    Key(KeyError),
    /// A log key that is not an Ed25519 note key.
    #[error("`{0}` is not a log key: a log signs checkpoints with an Ed25519 (0x01) key")]
    NotALogKey(String),
    /// A witness key that is not a cosignature key.
    #[error("`{0}` is not a witness key: witnesses cosign with a tlog-cosignature (0x04) key")]
    NotAWitnessKey(String),
    /// The same public key twice among logs, or among witnesses.
    #[error("the public key of `{0}` is already listed")]
    DuplicateKey(String),
    /// A name defined twice (witnesses and groups share names).
    #[error("the name `{0}` is already defined")]
    DuplicateName(String),
    /// `none` used as a name.
    #[error("`none` is reserved: it names the empty quorum")]
    ReservedName,
    /// A name used before it is defined.
    #[error("`{0}` is not defined above this line")]
    UnknownName(String),
    /// A member listed twice in one group.
    #[error("`{0}` is listed twice in this group")]
    RepeatedMember(String),
    /// A threshold that is not `all`, `any` or `1..=n`.
    #[error(
        "`{given}` is not a threshold for {members} members: use `all`, `any` or 1 to {members}"
    )]
    BadThreshold {
        /// What was written.
        given: String,
        /// The number of members.
        members: usize,
    },
    /// No quorum line.
    #[error("the policy has no `quorum` line")]
    NoQuorum,
    /// A second quorum line.
    #[error("the quorum is already set")]
    SecondQuorum,
    /// Too many definitions.
    #[error("more than {MAX_DEFINITIONS} {0}")]
    TooMany(&'static str),
}

/// A policy refused, with the place of the problem (1-based; column in characters).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{line}:{column}: {problem}")]
pub struct PolicyError {
    /// The line.
    pub line: usize,
    /// The column.
    pub column: usize,
    /// What is wrong.
    pub problem: PolicyProblem,
}

/// Why a checkpoint does not count as witnessed under a policy.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WitnessedError {
    /// The note is malformed, or a known key's signature fails, or no known key signed.
    #[error("the checkpoint does not verify: {0}")]
    Note(NoteError),
    /// The note's text is not a checkpoint.
    #[error(transparent)]
    Checkpoint(CheckpointError),
    /// No log of the policy signed it.
    #[error("no log of the policy signed the checkpoint")]
    NotSignedByLog,
    /// The log key's name is not the checkpoint's origin.
    #[error(
        "the checkpoint's origin `{origin}` is not the name of the log key `{key}` that signed it"
    )]
    WrongOrigin {
        /// The origin line.
        origin: String,
        /// The key's name.
        key: String,
    },
    /// The cosignatures do not satisfy the quorum.
    #[error("the checkpoint is not witnessed: the quorum `{quorum}` needs more than {}", cosigners(.cosigned_by))]
    NotWitnessed {
        /// The quorum's name.
        quorum: String,
        /// The witnesses (policy names) whose cosignatures verified.
        cosigned_by: Vec<String>,
    },
}

fn cosigners(names: &[String]) -> String {
    if names.is_empty() {
        "no cosignature".to_owned()
    } else {
        let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
        format!("the cosignatures of {}", quoted.join(", "))
    }
}

/// A checkpoint that counts as witnessed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Witnessed {
    /// The tree head.
    pub checkpoint: Checkpoint,
    /// The name of the log key that signed it.
    pub log: String,
    /// The witnesses (policy names) whose cosignatures verified, with their timestamps.
    pub cosigned_by: Vec<(String, u64)>,
}

/// A witness policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WitnessPolicy {
    logs: Vec<PolicyLog>,
    witnesses: Vec<PolicyWitness>,
    groups: Vec<Group>,
    quorum: Option<Option<Member>>,
}

impl Default for WitnessPolicy {
    fn default() -> Self {
        Self::new()
    }
}

impl WitnessPolicy {
    /// An empty policy being built: no logs, no witnesses, no quorum yet.
    pub fn new() -> Self {
        Self {
            logs: Vec::new(),
            witnesses: Vec::new(),
            groups: Vec::new(),
            quorum: None,
        }
    }

    /// A policy needing `k` of the named witnesses (`k == 0`: none needed).
    pub fn k_of_n(
        k: usize,
        witnesses: impl IntoIterator<Item = (String, VerifierKey)>,
    ) -> Result<Self, PolicyProblem> {
        let mut policy = Self::new();
        let mut names = Vec::new();
        for (name, key) in witnesses {
            policy.add_witness(&name, key, None)?;
            names.push(name);
        }
        if k == 0 {
            policy.set_quorum("none")?;
        } else {
            let group = "witnesses";
            let members: Vec<&str> = names.iter().map(String::as_str).collect();
            policy.add_group(group, &k.to_string(), &members)?;
            policy.set_quorum(group)?;
        }
        Ok(policy)
    }

    /// The logs.
    pub fn logs(&self) -> &[PolicyLog] {
        &self.logs
    }

    /// The witnesses.
    pub fn witnesses(&self) -> &[PolicyWitness] {
        &self.witnesses
    }

    /// The groups.
    pub fn groups(&self) -> &[Group] {
        &self.groups
    }

    /// The quorum: `None` if none is required (`quorum none`) or none is set yet.
    pub fn quorum(&self) -> Option<Member> {
        self.quorum.flatten()
    }

    fn defined(&self, name: &str) -> Option<Member> {
        if let Some(i) = self.witnesses.iter().position(|w| w.name == name) {
            return Some(Member::Witness(i));
        }
        self.groups
            .iter()
            .position(|g| g.name == name)
            .map(Member::Group)
    }

    fn check_new_name(&self, name: &str) -> Result<(), PolicyProblem> {
        if name == "none" {
            return Err(PolicyProblem::ReservedName);
        }
        if self.defined(name).is_some() {
            return Err(PolicyProblem::DuplicateName(name.to_owned()));
        }
        Ok(())
    }

    /// Adds a log (an Ed25519 key whose name is the log's origin).
    pub fn add_log(&mut self, key: VerifierKey, url: Option<String>) -> Result<(), PolicyProblem> {
        if key.kind() != TYPE_ED25519 {
            return Err(PolicyProblem::NotALogKey(key.to_string()));
        }
        if self
            .logs
            .iter()
            .any(|l| l.key.public_key() == key.public_key())
        {
            return Err(PolicyProblem::DuplicateKey(key.to_string()));
        }
        if self.logs.len() == MAX_DEFINITIONS {
            return Err(PolicyProblem::TooMany("logs"));
        }
        self.logs.push(PolicyLog { key, url });
        Ok(())
    }

    /// Adds a witness under a policy name.
    pub fn add_witness(
        &mut self,
        name: &str,
        key: VerifierKey,
        url: Option<String>,
    ) -> Result<(), PolicyProblem> {
        self.check_new_name(name)?;
        if key.kind() != TYPE_COSIGNATURE {
            return Err(PolicyProblem::NotAWitnessKey(key.to_string()));
        }
        if self
            .witnesses
            .iter()
            .any(|w| w.key.public_key() == key.public_key())
        {
            return Err(PolicyProblem::DuplicateKey(key.to_string()));
        }
        if self.witnesses.len() == MAX_DEFINITIONS {
            return Err(PolicyProblem::TooMany("witnesses"));
        }
        self.witnesses.push(PolicyWitness {
            name: name.to_owned(),
            key,
            url,
        });
        Ok(())
    }

    /// Adds a group: `threshold` is `all`, `any` or a decimal `k` with `1 <= k <= n`.
    pub fn add_group(
        &mut self,
        name: &str,
        threshold: &str,
        members: &[&str],
    ) -> Result<(), PolicyProblem> {
        self.check_new_name(name)?;
        let mut resolved = Vec::with_capacity(members.len());
        for member in members {
            let m = self
                .defined(member)
                .ok_or_else(|| PolicyProblem::UnknownName((*member).to_owned()))?;
            if resolved.contains(&m) {
                return Err(PolicyProblem::RepeatedMember((*member).to_owned()));
            }
            resolved.push(m);
        }
        let n = resolved.len();
        let bad = || PolicyProblem::BadThreshold {
            given: threshold.to_owned(),
            members: n,
        };
        let threshold = match threshold {
            "all" => Threshold::All,
            "any" => Threshold::Any,
            k => {
                let k = super::protocol::parse_decimal(k).ok_or_else(bad)?;
                Threshold::AtLeast(usize::try_from(k).map_err(|_| bad())?)
            }
        };
        let group = Group {
            name: name.to_owned(),
            threshold,
            members: resolved,
        };
        if n == 0 || group.k() == 0 || group.k() > n {
            return Err(bad());
        }
        if self.groups.len() == MAX_DEFINITIONS {
            return Err(PolicyProblem::TooMany("groups"));
        }
        self.groups.push(group);
        Ok(())
    }

    /// Sets the quorum: a witness, a group, or `none`.
    pub fn set_quorum(&mut self, name: &str) -> Result<(), PolicyProblem> {
        if self.quorum.is_some() {
            return Err(PolicyProblem::SecondQuorum);
        }
        let member = if name == "none" {
            None
        } else {
            Some(
                self.defined(name)
                    .ok_or_else(|| PolicyProblem::UnknownName(name.to_owned()))?,
            )
        };
        self.quorum = Some(member);
        Ok(())
    }

    /// Parses a policy in the `tlog-policy` text format.
    pub fn parse(text: &str) -> Result<Self, PolicyError> {
        let mut policy = Self::new();
        let mut last_line = 1;
        for (i, line) in text.split('\n').enumerate() {
            last_line = i + 1;
            let at = |column: usize, problem| PolicyError {
                line: i + 1,
                column,
                problem,
            };
            if let Some((col, c)) = line
                .chars()
                .enumerate()
                .find(|(_, c)| c.is_ascii_control() && *c != '\t')
            {
                return Err(at(col + 1, PolicyProblem::ControlCharacter(c as u32)));
            }
            let tokens = tokens(line);
            let Some(&(column, keyword)) = tokens.first() else {
                continue;
            };
            if keyword.starts_with('#') {
                continue;
            }
            policy
                .parse_line(&tokens)
                .map_err(|(col, problem)| at(col.unwrap_or(column), problem))?;
        }
        if policy.quorum.is_none() {
            return Err(PolicyError {
                line: last_line,
                column: 1,
                problem: PolicyProblem::NoQuorum,
            });
        }
        Ok(policy)
    }

    /// One non-empty, non-comment line; the error names the column of the faulty token.
    fn parse_line(
        &mut self,
        tokens: &[(usize, &str)],
    ) -> Result<(), (Option<usize>, PolicyProblem)> {
        let col = |i: usize| tokens.get(i).map(|t| t.0);
        let words: Vec<&str> = tokens.iter().map(|t| t.1).collect();
        let key = |i: usize| -> Result<VerifierKey, (Option<usize>, PolicyProblem)> {
            let text = words.get(i).copied().unwrap_or_default();
            VerifierKey::parse(text).map_err(|e| (col(i), PolicyProblem::Key(e)))
        };
        match words.as_slice() {
            ["log", rest @ ..] if (1..=2).contains(&rest.len()) => {
                let url = rest.get(1).map(|u| (*u).to_owned());
                self.add_log(key(1)?, url).map_err(|p| (col(1), p))
            }
            ["log", ..] => Err((None, PolicyProblem::Arguments("log <vkey> [<url>]"))),
            ["witness", name, rest @ ..] if (1..=2).contains(&rest.len()) => {
                let url = rest.get(1).map(|u| (*u).to_owned());
                let key = key(2)?;
                self.add_witness(name, key, url).map_err(|p| {
                    let at = match p {
                        PolicyProblem::DuplicateName(_) | PolicyProblem::ReservedName => 1,
                        _ => 2,
                    };
                    (col(at), p)
                })
            }
            ["witness", ..] => Err((
                None,
                PolicyProblem::Arguments("witness <name> <vkey> [<url>]"),
            )),
            ["group", name, threshold, members @ ..] if !members.is_empty() => self
                .add_group(name, threshold, members)
                .map_err(|p| (col(group_problem_token(&p, &words)), p)),
            ["group", ..] => Err((
                None,
                PolicyProblem::Arguments("group <name> <all|any|k> <member>..."),
            )),
            ["quorum", name] => self.set_quorum(name).map_err(|p| {
                let at = (p != PolicyProblem::SecondQuorum).then(|| col(1)).flatten();
                (at, p)
            }),
            ["quorum", ..] => Err((None, PolicyProblem::Arguments("quorum <name>"))),
            [other, ..] => Err((None, PolicyProblem::UnknownKeyword((*other).to_owned()))),
            [] => Ok(()),
        }
    }

    /// The policy in the `tlog-policy` text format (`parse` reads it back unchanged).
    pub fn to_text(&self) -> String {
        let mut s = String::new();
        for log in &self.logs {
            s.push_str(&format!("log {}", log.key));
            push_url(&mut s, &log.url);
        }
        for w in &self.witnesses {
            s.push_str(&format!("witness {} {}", w.name, w.key));
            push_url(&mut s, &w.url);
        }
        for g in &self.groups {
            let threshold = match g.threshold {
                Threshold::All => "all".to_owned(),
                Threshold::Any => "any".to_owned(),
                Threshold::AtLeast(k) => k.to_string(),
            };
            s.push_str(&format!("group {} {threshold}", g.name));
            for m in &g.members {
                s.push(' ');
                s.push_str(self.name_of(*m));
            }
            s.push('\n');
        }
        if let Some(quorum) = self.quorum {
            let name = quorum.map_or("none", |m| self.name_of(m));
            s.push_str(&format!("quorum {name}\n"));
        }
        s
    }

    fn name_of(&self, member: Member) -> &str {
        match member {
            Member::Witness(i) => self.witnesses.get(i).map_or("", |w| w.name.as_str()),
            Member::Group(i) => self.groups.get(i).map_or("", |g| g.name.as_str()),
        }
    }

    /// Whether the witnesses at the given indexes (of [`Self::witnesses`]) satisfy the
    /// quorum. Nothing satisfies a policy whose quorum is not set yet.
    pub fn is_satisfied_by(&self, cosigned: &[usize]) -> bool {
        let quorum = match self.quorum {
            None => return false,
            Some(None) => return true,
            Some(Some(quorum)) => quorum,
        };
        // Groups only name what is defined above them, so one pass in order suffices.
        let mut groups_met: Vec<bool> = Vec::with_capacity(self.groups.len());
        let met = |m: &Member, groups_met: &[bool]| match m {
            Member::Witness(i) => cosigned.contains(i),
            Member::Group(i) => groups_met.get(*i).copied().unwrap_or(false),
        };
        for g in &self.groups {
            let n = g.members.iter().filter(|m| met(m, &groups_met)).count();
            groups_met.push(n >= g.k());
        }
        met(&quorum, &groups_met)
    }

    /// Checks a signed checkpoint: signed by a log of the policy (or one of `more_logs`),
    /// its origin that key's name, and cosigned by witnesses that satisfy the quorum.
    pub fn verify(
        &self,
        signed_checkpoint: &str,
        more_logs: &[VerifierKey],
    ) -> Result<Witnessed, WitnessedError> {
        let mut known: Vec<VerifierKey> = self.logs.iter().map(|l| l.key.clone()).collect();
        known.extend(
            more_logs
                .iter()
                .filter(|k| k.kind() == TYPE_ED25519)
                .cloned(),
        );
        let n_logs = known.len();
        known.extend(self.witnesses.iter().map(|w| w.key.clone()));
        let signatures =
            verified_signatures(signed_checkpoint, &known).map_err(WitnessedError::Note)?;
        let log_key = signatures
            .iter()
            .find(|(_, i)| *i < n_logs)
            .and_then(|(_, i)| known.get(*i))
            .ok_or(WitnessedError::NotSignedByLog)?;
        let text = crate::note::parse_note(signed_checkpoint)
            .map_err(WitnessedError::Note)?
            .text;
        let checkpoint = Checkpoint::parse_body(&text).map_err(WitnessedError::Checkpoint)?;
        if checkpoint.origin != log_key.name() {
            return Err(WitnessedError::WrongOrigin {
                origin: checkpoint.origin,
                key: log_key.name().to_owned(),
            });
        }
        let mut indexes = Vec::new();
        let mut cosigned_by = Vec::new();
        for (sig, i) in &signatures {
            if let Some(w) = i.checked_sub(n_logs).and_then(|w| self.witnesses.get(w)) {
                indexes.push(i - n_logs);
                cosigned_by.push((w.name.clone(), cosignature_time(sig).unwrap_or(0)));
            }
        }
        if !self.is_satisfied_by(&indexes) {
            return Err(WitnessedError::NotWitnessed {
                quorum: self.quorum().map_or("none", |m| self.name_of(m)).to_owned(),
                cosigned_by: cosigned_by.into_iter().map(|(n, _)| n).collect(),
            });
        }
        Ok(Witnessed {
            checkpoint,
            log: log_key.name().to_owned(),
            cosigned_by,
        })
    }
}

fn push_url(s: &mut String, url: &Option<String>) {
    if let Some(url) = url {
        s.push(' ');
        s.push_str(url);
    }
    s.push('\n');
}

/// Which token of a `group` line a problem is about.
fn group_problem_token(problem: &PolicyProblem, words: &[&str]) -> usize {
    let find = |name: &str| {
        words
            .iter()
            .skip(3)
            .rposition(|w| *w == name)
            .map_or(3, |i| i + 3)
    };
    match problem {
        PolicyProblem::DuplicateName(_) | PolicyProblem::ReservedName => 1,
        PolicyProblem::BadThreshold { .. } => 2,
        PolicyProblem::UnknownName(n) | PolicyProblem::RepeatedMember(n) => find(n),
        _ => 0,
    }
}

/// The tokens of a line (separated by spaces and tabs) with their 1-based columns.
fn tokens(line: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start: Option<(usize, usize)> = None;
    for (col, (byte, c)) in line.char_indices().enumerate() {
        let blank = c == ' ' || c == '\t';
        match (blank, start) {
            (true, Some((col0, b0))) => {
                out.push((col0 + 1, line.get(b0..byte).unwrap_or_default()));
                start = None;
            }
            (false, None) => start = Some((col, byte)),
            _ => {}
        }
    }
    if let Some((col0, b0)) = start {
        out.push((col0 + 1, line.get(b0..).unwrap_or_default()));
    }
    out
}

#[cfg(test)]
mod tests;
