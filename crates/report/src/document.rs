//! The report document (`report.json`): what a reader of a public report sees, derived
//! from the engine's state, the governing agreement version, the public log and the
//! previous report — the implementation score, the phases and relief with their reasons,
//! the authorities' departures from the evaluation with their stated reasons, the
//! confidential evidence counted by its salted commitments, and what changed since the
//! previous report and why.

use std::collections::{BTreeMap, BTreeSet};

use accord_core::agreement::Agreement;
use accord_core::engine::state::{Reason, State};
use accord_core::statement::ReliefRef;
use serde::{Deserialize, Serialize};

use crate::attested::Attested;
use crate::score::{self, Score};

/// The format name written in every report document.
pub const FORMAT: &str = "accord/report/v1";

/// A status with its reasons.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Status {
    /// What it is about.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Its status, as the state JSON names it.
    pub status: String,
    /// Why: each reason as `rule: detail (#entries)`.
    pub why: Vec<String>,
}

/// A decision that departs from the evaluation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Departure {
    /// Its log entry.
    pub entry: u64,
    /// What it does (`grant`, `revoke`, …).
    pub act: String,
    /// The relief it applies to (`phase ID` or `action ID`).
    pub relief: String,
    /// The reason the authority stated.
    pub stated_reason: String,
    /// Why the engine finds it a departure, and where it stands when disputed.
    pub why: Vec<String>,
    /// Whether a dispute set it aside.
    pub set_aside: bool,
}

/// One confidential (sealed) entry: counted, not revealed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sealed {
    /// Its log entry.
    pub entry: u64,
    /// Its kind of statement (public, so that entitlement can be checked).
    pub kind: String,
    /// The salted commitment to its content, lowercase hex.
    pub commitment: String,
    /// When the log accepted it.
    pub recorded_at: jiff::Timestamp,
}

/// The log as the report rests on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogSummary {
    /// The log's origin.
    pub origin: String,
    /// The checkpoint's size: the entries of the public log prefix.
    pub size: u64,
    /// The checkpoint's root, base64.
    pub root: String,
    /// Open entries the engine read (recorded by the report's instant).
    pub read: u64,
    /// Sealed entries: counted by their commitments, not read.
    pub sealed: u64,
    /// The witnesses whose cosignatures count under the policy, with their timestamps;
    /// empty when the bundle has no witness policy.
    pub witnessed_by: Vec<(String, u64)>,
}

/// What changed since the previous report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Change {
    /// What changed: `agreement`, `phase`, `relief`, `commitment`, `theme`, `departure`.
    pub subject: String,
    /// Its identifier.
    pub id: String,
    /// Before (absent: it was not in the previous report).
    pub before: Option<String>,
    /// After (absent: it is no longer in the report).
    pub after: Option<String>,
    /// Why, from the state's reasons.
    pub why: Vec<String>,
}

/// The previous report as this one refers to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PreviousSummary {
    /// Its instant.
    pub as_of: jiff::Timestamp,
    /// Its checkpoint's size.
    pub size: u64,
    /// Its checkpoint's root, base64.
    pub root: String,
}

/// The report document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Report {
    /// [`FORMAT`].
    pub format: String,
    /// The agreement.
    pub agreement: String,
    /// Its title (governing version).
    pub title: String,
    /// The governing version.
    pub version: u32,
    /// The instant the report is as of.
    pub as_of: jiff::Timestamp,
    /// The engine that computed it.
    pub engine: String,
    /// Whether the agreement is agreed and in effect.
    pub agreement_status: String,
    /// The log.
    pub log: LogSummary,
    /// The previous report, when there is one.
    pub previous: Option<PreviousSummary>,
    /// The implementation score.
    pub score: Score,
    /// The phases.
    pub phases: Vec<Status>,
    /// The relief actions.
    pub relief: Vec<Status>,
    /// Decisions that depart from the evaluation.
    pub departures: Vec<Departure>,
    /// Confidential evidence, counted.
    pub confidential: Vec<Sealed>,
    /// The attested state: the operator's evaluation with the sealed evidence it opened
    /// (its hash, and its verdicts where they differ from this public state, each with the
    /// sealed entries it depends on); absent when no sealed entry was opened.
    pub attested: Option<Attested>,
    /// Entries the engine set aside, with why.
    pub rejected: Vec<(u64, String)>,
    /// What changed since the previous report.
    pub changes: Vec<Change>,
    /// Every entry the report cites (its reasons, decisions, sealed entries), whose
    /// inclusion proofs are in the bundle.
    pub cited: Vec<u64>,
}

/// A value's serialised name (`"reached"`), for enums the state writes as strings.
pub(crate) fn name(value: &impl Serialize) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(other) => other.to_string(),
        Err(_) => String::new(),
    }
}

/// A reason in one line: `rule: detail (#1, #4)`.
pub fn reason(r: &Reason) -> String {
    if r.entries.is_empty() {
        return format!("{}: {}", r.rule, r.detail);
    }
    let entries: Vec<String> = r.entries.iter().map(|e| format!("#{}", e.0)).collect();
    format!("{}: {} ({})", r.rule, r.detail, entries.join(", "))
}

fn reasons(rs: &[Reason]) -> Vec<String> {
    rs.iter().map(reason).collect()
}

/// What the document is made from, besides the state.
#[derive(Debug, Clone)]
pub struct Context<'a> {
    /// The governing version.
    pub agreement: &'a Agreement,
    /// The log summary.
    pub log: LogSummary,
    /// The sealed entries of the public prefix.
    pub sealed: Vec<Sealed>,
    /// The previous report, parsed.
    pub previous: Option<&'a Report>,
    /// The attested part.
    pub attested: Option<Attested>,
}

/// Builds the report document.
pub fn report(state: &State, context: Context<'_>) -> Report {
    let previous_score = context.previous.map(|p| &p.score);
    let mut report = Report {
        format: FORMAT.into(),
        agreement: state.agreement.to_string(),
        title: context.agreement.title.clone(),
        version: state.version,
        as_of: state.as_of,
        engine: crate::ENGINE.into(),
        agreement_status: name(&state.agreement_status),
        log: context.log,
        previous: context.previous.map(|p| PreviousSummary {
            as_of: p.as_of,
            size: p.log.size,
            root: p.log.root.clone(),
        }),
        score: score::score(context.agreement, state, previous_score),
        phases: state
            .phases
            .iter()
            .map(|p| Status {
                id: p.id.to_string(),
                title: p.title.clone(),
                status: name(&p.status),
                why: reasons(&p.reasons),
            })
            .collect(),
        relief: state
            .relief
            .iter()
            .map(|a| Status {
                id: a.id.to_string(),
                title: a.title.clone(),
                status: name(&a.status),
                why: reasons(&a.reasons),
            })
            .collect(),
        departures: departures(state),
        confidential: context.sealed,
        attested: context.attested,
        rejected: state
            .rejected
            .iter()
            .map(|r| (r.entry.0, r.reason.clone()))
            .collect(),
        changes: Vec::new(),
        cited: Vec::new(),
    };
    report.changes = context
        .previous
        .map(|p| changes(p, &report))
        .unwrap_or_default();
    report.cited = cited(state, &report.confidential);
    report
}

fn departures(state: &State) -> Vec<Departure> {
    state
        .decisions
        .iter()
        .filter(|d| d.departure)
        .map(|d| Departure {
            entry: d.entry.0,
            act: name(&d.act),
            relief: match &d.relief {
                ReliefRef::Phase(p) => format!("phase {p}"),
                ReliefRef::Action(a) => format!("action {a}"),
            },
            stated_reason: d.stated_reason.clone(),
            why: reasons(&d.reasons),
            set_aside: d.set_aside,
        })
        .collect()
}

/// Every entry the report cites: the entries behind its phases' and relief's reasons, its
/// departures, the entries set aside and the sealed entries — sorted, once each. (Evidence
/// behind each indicator's periods is in the state and the log prefix, not cited one by
/// one: a log of a million entries would need a million proofs.)
fn cited(state: &State, sealed: &[Sealed]) -> Vec<u64> {
    let mut out = BTreeSet::new();
    let reasons = state
        .phases
        .iter()
        .flat_map(|p| &p.reasons)
        .chain(state.relief.iter().flat_map(|a| &a.reasons))
        .chain(
            state
                .decisions
                .iter()
                .filter(|d| d.departure)
                .flat_map(|d| &d.reasons),
        );
    for r in reasons {
        out.extend(r.entries.iter().map(|e| e.0));
    }
    out.extend(
        state
            .decisions
            .iter()
            .filter(|d| d.departure)
            .map(|d| d.entry.0),
    );
    out.extend(state.rejected.iter().map(|r| r.entry.0));
    out.extend(sealed.iter().map(|s| s.entry));
    out.into_iter().collect()
}

/// Compares statuses by id: one change per id whose status differs, appeared or went.
fn diff_statuses(subject: &str, before: &[Status], after: &[Status], out: &mut Vec<Change>) {
    let old: BTreeMap<&str, &Status> = before.iter().map(|s| (s.id.as_str(), s)).collect();
    let new: BTreeMap<&str, &Status> = after.iter().map(|s| (s.id.as_str(), s)).collect();
    for (id, now) in &new {
        let was = old.get(id).map(|s| s.status.clone());
        if was.as_deref() != Some(now.status.as_str()) {
            out.push(Change {
                subject: subject.into(),
                id: (*id).into(),
                before: was,
                after: Some(now.status.clone()),
                why: now.why.clone(),
            });
        }
    }
    for (id, was) in old.iter().filter(|(id, _)| !new.contains_key(*id)) {
        out.push(Change {
            subject: subject.into(),
            id: (*id).into(),
            before: Some(was.status.clone()),
            after: None,
            why: vec!["not in the governing version any more".into()],
        });
    }
}

/// What changed from `previous` to `now`, and why.
pub fn changes(previous: &Report, now: &Report) -> Vec<Change> {
    let mut out = Vec::new();
    if previous.agreement_status != now.agreement_status {
        out.push(Change {
            subject: "agreement".into(),
            id: now.agreement.clone(),
            before: Some(previous.agreement_status.clone()),
            after: Some(now.agreement_status.clone()),
            why: Vec::new(),
        });
    }
    diff_statuses("phase", &previous.phases, &now.phases, &mut out);
    diff_statuses("relief", &previous.relief, &now.relief, &mut out);
    for c in now
        .score
        .commitments
        .iter()
        .filter(|c| c.previous != Some(c.level))
    {
        out.push(Change {
            subject: "commitment".into(),
            id: c.id.clone(),
            before: c.previous.map(|l| l.to_string()),
            after: Some(c.level.to_string()),
            why: vec![format!("{} of {} indicators met", c.met, c.indicators)],
        });
    }
    for t in now
        .score
        .themes
        .iter()
        .filter(|t| t.previous != Some(t.level))
    {
        out.push(Change {
            subject: "theme".into(),
            id: t.theme.clone(),
            before: t.previous.map(|l| l.to_string()),
            after: Some(t.level.to_string()),
            why: vec![format!(
                "levels of its commitments, worst first: {:?}",
                t.counts
            )],
        });
    }
    let known: BTreeSet<u64> = previous.departures.iter().map(|d| d.entry).collect();
    for d in now.departures.iter().filter(|d| !known.contains(&d.entry)) {
        out.push(Change {
            subject: "departure".into(),
            id: format!("#{}", d.entry),
            before: None,
            after: Some(format!("{} {}", d.act, d.relief)),
            why: vec![d.stated_reason.clone()],
        });
    }
    out
}
