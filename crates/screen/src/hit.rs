//! A screening hit and the explanation of its score.
//!
//! Invariant: [`Hit::score`] is in `[0, 1]` and can be recomputed from the explanation: an
//! identifier match gives 1.0; otherwise the name score, times the alias factor, plus the
//! date-of-birth and country adjustments, clamped to `[0, 1]`.

use std::fmt;

use crate::candidate::{NameKind, Schema};
use crate::compare::{NameMatch, NameMethod, TokenMatchKind};

/// Added when a date of birth agrees as far as both are known.
pub const BIRTH_DATE_MATCH: f64 = 0.05;
/// Added when the nearest date of birth is one year away (typing or calendar slips).
pub const BIRTH_DATE_NEAR: f64 = -0.05;
/// Added when every date of birth disagrees by more than that.
pub const BIRTH_DATE_MISMATCH: f64 = -0.15;
/// Added when a country of the query is among the candidate's.
pub const COUNTRY_MATCH: f64 = 0.02;
/// Added when the candidate has countries and none is the query's.
pub const COUNTRY_MISMATCH: f64 = -0.05;
/// The factor on a name that the list itself calls a weak alias.
pub const WEAK_ALIAS_FACTOR: f64 = 0.9;

/// One candidate that scored at or above the threshold.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Hit {
    /// The candidate's identifier in its list.
    pub candidate_id: String,
    /// The candidate's schema.
    pub schema: Schema,
    /// The score in `[0, 1]`.
    pub score: f64,
    /// The candidate's name that matched best, as the list writes it.
    pub matched_name: String,
    /// Whether that name is the primary name or an alias.
    pub name_kind: NameKind,
    /// Which features produced the score.
    pub explanation: Explanation,
}

/// An identifier that matched exactly.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct IdentifierMatch {
    /// The identifier kind (`imo`, `passport`…; empty when unknown).
    pub kind: String,
    /// The candidate's value, as written.
    pub value: String,
}

/// A change to the score from a feature other than the name.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Adjustment {
    /// What was compared, in words (`date of birth 1952-10-07 agrees with 1952`).
    pub detail: String,
    /// The amount added to the score (negative lowers it).
    pub delta: f64,
}

/// Which features produced a hit's score.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Explanation {
    /// The comparison of the query's name with the matched name.
    pub name: NameMatch,
    /// The factor applied because the matched name is a weak alias, if it is one.
    pub weak_alias_factor: Option<f64>,
    /// An identifier that matched exactly: it sets the score to 1.0.
    pub identifier: Option<IdentifierMatch>,
    /// The date-of-birth adjustment, when both sides have one.
    pub birth_date: Option<Adjustment>,
    /// The country adjustment, when both sides have some.
    pub country: Option<Adjustment>,
}

impl Explanation {
    /// The score this explanation gives, clamped to `[0, 1]`.
    pub fn score(&self) -> f64 {
        if self.identifier.is_some() {
            return 1.0;
        }
        let mut score = self.name.score * self.weak_alias_factor.unwrap_or(1.0);
        for adjustment in [&self.birth_date, &self.country].into_iter().flatten() {
            score += adjustment.delta;
        }
        crate::compare::tidy(score.clamp(0.0, 1.0))
    }
}

impl fmt::Display for TokenMatchKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TokenMatchKind::Exact => "exact",
            TokenMatchKind::Transliteration => "transliteration",
            TokenMatchKind::Consonants => "consonants",
            TokenMatchKind::Initial => "initial",
            TokenMatchKind::Fuzzy => "fuzzy",
        })
    }
}

impl fmt::Display for NameMatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "name {:.3}", self.score)?;
        match self.method {
            NameMethod::Tokens => {}
            NameMethod::Joined => f.write_str(" (words joined)")?,
            NameMethod::OriginalScript => f.write_str(" (compared in Han characters)")?,
        }
        let mut first = true;
        for pair in &self.pairs {
            f.write_str(if first { ": " } else { ", " })?;
            first = false;
            if pair.how == TokenMatchKind::Exact {
                write!(f, "{}={}", pair.query, pair.candidate)?;
            } else {
                write!(
                    f,
                    "{}~{} ({} {:.2})",
                    pair.query, pair.candidate, pair.how, pair.similarity
                )?;
            }
        }
        if !self.unmatched_query.is_empty() {
            write!(
                f,
                "; unmatched in query: {}",
                self.unmatched_query.join(" ")
            )?;
        }
        if !self.unmatched_candidate.is_empty() {
            write!(
                f,
                "; unmatched in candidate: {}",
                self.unmatched_candidate.join(" ")
            )?;
        }
        if !self.legal_forms_ignored.is_empty() {
            write!(
                f,
                "; legal forms ignored: {}",
                self.legal_forms_ignored.join(", ")
            )?;
        }
        Ok(())
    }
}

impl fmt::Display for Explanation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(identifier) = &self.identifier {
            if identifier.kind.is_empty() {
                write!(f, "identifier {} matches exactly | ", identifier.value)?;
            } else {
                write!(
                    f,
                    "{} {} matches exactly | ",
                    identifier.kind, identifier.value
                )?;
            }
        }
        write!(f, "{}", self.name)?;
        if let Some(factor) = self.weak_alias_factor {
            write!(f, " | weak alias x{factor:.2}")?;
        }
        for adjustment in [&self.birth_date, &self.country].into_iter().flatten() {
            write!(f, " | {} {:+.2}", adjustment.detail, adjustment.delta)?;
        }
        Ok(())
    }
}
