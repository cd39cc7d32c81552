//! The scenario file as written: TOML tables deserialised with spans, before any id is
//! checked against the agreement. Nothing here knows what the ids mean.

use serde::Deserialize;
use toml::Spanned;

/// A whole scenario file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ScenarioFile {
    pub scenario: Header,
    #[serde(default)]
    pub events: Vec<Spanned<EventFile>>,
}

/// The `[scenario]` table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Header {
    pub title: String,
    #[serde(default)]
    pub description: String,
    /// The agreement file, relative to the scenario file.
    pub agreement: String,
    /// Later versions of the agreement (amendments), relative to the scenario file.
    #[serde(default)]
    pub amendments: Vec<String>,
}

/// One `[[events]]` entry: when, who, and exactly one statement table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct EventFile {
    pub at: Spanned<DateValue>,
    pub by: Spanned<OneOrMany>,
    #[serde(default)]
    pub label: Option<Spanned<String>>,
    /// `"rejected"`: the event rehearses a step the agreement does not allow, and must be
    /// rejected by the evaluation (it is still signed and logged).
    #[serde(default)]
    pub expect: Option<Spanned<String>>,
    #[serde(default)]
    pub evidence: Option<Spanned<EvidenceFile>>,
    #[serde(default)]
    pub correction: Option<Spanned<CorrectionFile>>,
    #[serde(default)]
    pub retraction: Option<Spanned<RetractionFile>>,
    #[serde(default)]
    pub decision: Option<Spanned<DecisionFile>>,
    #[serde(default)]
    pub dispute: Option<Spanned<DisputeFile>>,
    #[serde(default)]
    pub trigger: Option<Spanned<TriggerFile>>,
    #[serde(default)]
    pub event: Option<Spanned<EventOccurredFile>>,
    #[serde(default)]
    pub amendment: Option<Spanned<AmendmentFile>>,
    #[serde(default)]
    pub signal: Option<Spanned<SignalFile>>,
    #[serde(default)]
    pub participation: Option<Spanned<ParticipationFile>>,
}

/// A participant joins, ceases participating or withdraws.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ParticipationFile {
    pub participant: Spanned<String>,
    /// `join`, `cease` or `withdraw`.
    pub change: Spanned<String>,
    pub effective: Spanned<DateValue>,
    /// For an authority's withdrawal: the wind-down of its relief, an ISO 8601 duration.
    #[serde(default)]
    pub wind_down: Option<Spanned<String>>,
    #[serde(default)]
    pub note: Option<String>,
}

/// A risk signal or a recommendation.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SignalFile {
    /// `risk` or `recommendation`.
    pub kind: Spanned<String>,
    /// What it is about (`trigger snapback`), optional.
    #[serde(default)]
    pub subject: Option<String>,
    pub text: String,
}

/// A date or instant, written as a TOML date/datetime or as a string.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub(crate) enum DateValue {
    Toml(toml::value::Datetime),
    Text(String),
}

impl DateValue {
    pub fn text(&self) -> String {
        match self {
            DateValue::Toml(d) => d.to_string(),
            DateValue::Text(s) => s.clone(),
        }
    }
}

/// `by = "iaea"` or `by = ["iaea", "euratom"]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub(crate) enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    pub fn to_vec(&self) -> Vec<String> {
        match self {
            OneOrMany::One(s) => vec![s.clone()],
            OneOrMany::Many(v) => v.clone(),
        }
    }
}

/// An observed value: its meaning comes from the indicator's type.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub(crate) enum ValueFile {
    Bool(bool),
    Integer(i64),
    Float(f64),
    Date(toml::value::Datetime),
    Text(String),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct EvidenceFile {
    pub indicator: Spanned<String>,
    /// `"2026-01-01/2026-03-31"`.
    pub period: Spanned<String>,
    pub value: Spanned<ValueFile>,
    /// The value's unit, for thresholds; the indicator's unit when absent.
    #[serde(default)]
    pub unit: Option<Spanned<String>>,
    pub method: Spanned<String>,
    /// The protocol's confidentiality when absent.
    #[serde(default)]
    pub confidentiality: Option<Spanned<String>>,
    #[serde(default)]
    pub attachments: Vec<String>,
    #[serde(default)]
    pub note: Option<String>,
    /// Held in escrow (recorded, not delivered to the verifier) until this date.
    #[serde(default)]
    pub escrow_until: Option<Spanned<DateValue>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CorrectionFile {
    /// The label of the event corrected.
    pub supersedes: Spanned<String>,
    pub reason: String,
    pub evidence: Spanned<EvidenceFile>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RetractionFile {
    /// The label of the event retracted.
    pub retracts: Spanned<String>,
    pub reason: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct DecisionFile {
    pub act: Spanned<String>,
    #[serde(default)]
    pub phase: Option<Spanned<String>>,
    #[serde(default)]
    pub action: Option<Spanned<String>>,
    pub effective: Spanned<DateValue>,
    pub reason: String,
    /// For `renew`, `amend`, `extend_wind_down`: the new expiry, or end of the wind-down.
    #[serde(default)]
    pub until: Option<Spanned<DateValue>>,
    /// For `revoke`, `let_expire`: the wind-down, an ISO 8601 duration.
    #[serde(default)]
    pub wind_down: Option<Spanned<String>>,
    /// For `replace`: the action that replaces it.
    #[serde(default)]
    pub by: Option<Spanned<String>>,
    /// For `designate`: the entities designated.
    #[serde(default)]
    pub entities: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct DisputeFile {
    pub id: Spanned<String>,
    pub step: Spanned<String>,
    /// For `open`: the indicator whose finding is disputed…
    #[serde(default)]
    pub indicator: Option<Spanned<String>>,
    /// …over this review period, `"start/end"`.
    #[serde(default)]
    pub period: Option<Spanned<String>>,
    /// For `open`: or the label of the event disputed.
    #[serde(default)]
    pub entry: Option<Spanned<String>>,
    /// For `open`, `escalate` (the stage moved to) and `extend` (the stage extended).
    #[serde(default)]
    pub stage: Option<Spanned<String>>,
    /// For `extend`: the new deadline; open-ended when absent.
    #[serde(default)]
    pub until: Option<Spanned<DateValue>>,
    /// For `resolve`: upheld, overturned or settled.
    #[serde(default)]
    pub outcome: Option<Spanned<String>>,
    /// For `position`: whether the author accepts the outcome.
    #[serde(default)]
    pub accepts: Option<bool>,
    /// Grounds, note or view, depending on the step.
    #[serde(default)]
    pub text: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct TriggerFile {
    pub id: Spanned<String>,
    pub step: Spanned<String>,
    /// Grounds for `invoke`, the resolution for `halt`.
    #[serde(default)]
    pub text: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct EventOccurredFile {
    pub id: Spanned<String>,
    pub on: Spanned<DateValue>,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AmendmentFile {
    pub version: Spanned<u32>,
}
