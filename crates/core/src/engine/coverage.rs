//! Which states a rehearsal reached: every status of the evaluation's vocabulary, and
//! whether a played log ever showed it.
//!
//! A policy officer rehearsing an agreement with a scenario wants to know what the
//! rehearsal did *not* exercise — a snapback that never fired, relief that never expired,
//! a dispute that was never withdrawn — before the agreement is signed. [`coverage`]
//! evaluates the log at the end of every day of a span and records each status seen, per
//! kind of subject, against the complete vocabulary ([`VOCABULARY`]).
//!
//! INVARIANT: [`VOCABULARY`] lists every status the engine can produce, and only those;
//! every kind is an enum, checked against the vocabulary by a unit test below, and
//! `crates/cli/tests/coverage.rs` fails when the bundled scenarios reach a status outside
//! the vocabulary — or miss one.

use std::collections::{BTreeMap, BTreeSet};

use crate::agreement::Agreement;
use crate::rule::CommitmentStatus;
use crate::statement::LoggedStatement;
use crate::time::Date;

use super::state::{IndicatorStatus, PhaseStatus, ReliefStatus, State};
use super::{EvalError, Evaluator};

/// At most this many days are evaluated.
const MAX_DAYS: usize = 20_000;

/// Every kind of subject and the statuses it can have, as written in the state JSON.
pub const VOCABULARY: &[(&str, &[&str])] = &[
    ("version", &["in_force", "not_in_force"]),
    (
        "indicator",
        &[
            "compliant",
            "met_late",
            "noncompliant",
            "contested",
            "unverified",
            "missing",
            "overdue",
        ],
    ),
    (
        "commitment",
        &["compliant", "noncompliant", "contested", "unverified"],
    ),
    ("phase", &["reached", "not_reached"]),
    (
        "relief",
        &[
            "scheduled",
            "granted",
            "held",
            "lifted",
            "expired",
            "wind_down",
            "reimposed",
            "superseded",
            "contested",
        ],
    ),
    (
        "trigger",
        &[
            "dormant",
            "available",
            "counting_down",
            "paused",
            "halted",
            "withdrawn",
            "fired",
            "contested",
        ],
    ),
    ("dispute", &["open", "exhausted", "resolved", "withdrawn"]),
    (
        "dispute stage",
        &["running", "ran_out", "escalated", "closed"],
    ),
    (
        "dispute effect",
        &["frozen", "finding_stands", "set_aside", "counts"],
    ),
    ("dispute outcome", &["agreed", "contested"]),
    ("decision", &["follows", "departure"]),
    (
        "measure",
        &[
            "applies",
            "relief_scheduled",
            "suspended",
            "terminated",
            "lifted",
            "wind_down",
            "reimposed",
            "contested",
        ],
    ),
    ("milestone", &["upcoming", "met", "missed"]),
];

/// The statuses a log reached over a span of days, per kind of subject.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Coverage {
    /// The first day evaluated.
    pub from: Option<Date>,
    /// The last day evaluated.
    pub to: Option<Date>,
    /// Each kind of subject (`relief`, `trigger`, ...) and the statuses seen.
    pub reached: BTreeMap<String, BTreeSet<String>>,
}

impl Coverage {
    /// The statuses of [`VOCABULARY`] never seen, per kind (kinds with none left out).
    ///
    /// ```
    /// use accord_core::engine::coverage::Coverage;
    /// let c = Coverage::default();
    /// let missing = c.missing();
    /// assert!(missing["relief"].contains(&"lifted"));
    /// ```
    pub fn missing(&self) -> BTreeMap<&'static str, Vec<&'static str>> {
        let mut out = BTreeMap::new();
        for (kind, statuses) in VOCABULARY {
            let seen = self.reached.get(*kind);
            let left: Vec<&'static str> = statuses
                .iter()
                .copied()
                .filter(|s| seen.is_none_or(|seen| !seen.contains(*s)))
                .collect();
            if !left.is_empty() {
                out.insert(*kind, left);
            }
        }
        out
    }

    /// Statuses seen that the vocabulary does not list (always empty unless the engine and
    /// [`VOCABULARY`] have drifted apart).
    pub fn unknown(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for (kind, seen) in &self.reached {
            let known = VOCABULARY
                .iter()
                .find(|(k, _)| k == kind)
                .map_or(&[][..], |(_, s)| *s);
            for s in seen {
                if !known.contains(&s.as_str()) {
                    out.push((kind.clone(), s.clone()));
                }
            }
        }
        out
    }

    /// Adds what another coverage reached (several scenarios of one agreement, say).
    pub fn merge(&mut self, other: &Coverage) {
        for (kind, seen) in &other.reached {
            self.reached
                .entry(kind.clone())
                .or_default()
                .extend(seen.iter().cloned());
        }
        self.from = match (self.from, other.from) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        self.to = self.to.max(other.to);
    }

    fn see(&mut self, kind: &str, status: &str) {
        self.reached
            .entry(kind.to_owned())
            .or_default()
            .insert(status.to_owned());
    }

    fn record(&mut self, state: &State) {
        for v in &state.versions {
            self.see(
                "version",
                if v.in_force {
                    "in_force"
                } else {
                    "not_in_force"
                },
            );
        }
        for i in &state.indicators {
            for p in &i.periods {
                self.see("indicator", indicator_name(p.status));
            }
            for r in &i.reviews {
                self.see("indicator", indicator_name(r.status));
            }
        }
        for c in &state.commitments {
            for r in &c.reviews {
                self.see("commitment", commitment_name(r.status));
            }
        }
        for p in &state.phases {
            self.see("phase", phase_name(p.status));
        }
        for a in &state.relief {
            self.see("relief", relief_name(a.status));
        }
        for t in &state.triggers {
            self.see("trigger", t.status.as_str());
        }
        for d in &state.disputes {
            self.see("dispute", d.status.as_str());
            self.see("dispute effect", d.effect.as_str());
            for s in &d.stages {
                self.see("dispute stage", s.status.as_str());
            }
            if d.outcome.is_some() {
                self.see(
                    "dispute outcome",
                    if d.contested { "contested" } else { "agreed" },
                );
            }
        }
        for d in &state.decisions {
            self.see(
                "decision",
                if d.departure { "departure" } else { "follows" },
            );
        }
        for m in &state.measures {
            self.see("measure", m.status.as_str());
        }
        for t in &state.triggers {
            for m in &t.milestones {
                self.see("milestone", m.status.as_str());
            }
        }
    }
}

// Exhaustive matches: a new status variant does not compile until the vocabulary names it.
fn indicator_name(s: IndicatorStatus) -> &'static str {
    match s {
        IndicatorStatus::Compliant
        | IndicatorStatus::MetLate
        | IndicatorStatus::Noncompliant
        | IndicatorStatus::Contested
        | IndicatorStatus::Unverified
        | IndicatorStatus::Missing
        | IndicatorStatus::Overdue => s.as_str(),
    }
}

fn commitment_name(s: CommitmentStatus) -> &'static str {
    match s {
        CommitmentStatus::Compliant => "compliant",
        CommitmentStatus::Noncompliant => "noncompliant",
        CommitmentStatus::Contested => "contested",
        CommitmentStatus::Unverified => "unverified",
    }
}

fn phase_name(s: PhaseStatus) -> &'static str {
    match s {
        PhaseStatus::Reached => "reached",
        PhaseStatus::NotReached => "not_reached",
    }
}

fn relief_name(s: ReliefStatus) -> &'static str {
    match s {
        ReliefStatus::Scheduled
        | ReliefStatus::Granted
        | ReliefStatus::Held
        | ReliefStatus::Lifted
        | ReliefStatus::Expired
        | ReliefStatus::WindDown
        | ReliefStatus::Reimposed
        | ReliefStatus::Superseded
        | ReliefStatus::Contested => s.as_str(),
    }
}

/// Evaluates `log` at the end of every day from `from` (the agreement's effective date when
/// absent) to `to`, both inclusive, and records every status seen.
///
/// ```
/// # use accord_core::engine::coverage::coverage;
/// # fn demo(versions: &[accord_core::agreement::Agreement],
/// #         log: &[accord_core::statement::LoggedStatement],
/// #         to: accord_core::time::Date) -> Result<(), accord_core::engine::EvalError> {
/// let c = coverage(versions, log, None, to)?;
/// for (kind, statuses) in c.missing() {
///     println!("{kind}: never {}", statuses.join(", "));
/// }
/// # Ok(()) }
/// ```
pub fn coverage(
    versions: &[Agreement],
    log: &[LoggedStatement],
    from: Option<Date>,
    to: Date,
) -> Result<Coverage, EvalError> {
    let mut evaluator = Evaluator::new(versions)?;
    let mut entries: Vec<&LoggedStatement> = log.iter().collect();
    entries.sort_by_key(|e| (e.recorded_at, e.index.0));
    for e in entries {
        evaluator.append(e);
    }
    let start = match from {
        Some(d) => d,
        None => evaluator
            .state(evaluator.days().end_of(to))?
            .versions
            .first()
            .and_then(|v| v.effective)
            .unwrap_or(to),
    };
    let mut out = Coverage::default();
    let mut day = start;
    for _ in 0..MAX_DAYS {
        if day > to {
            break;
        }
        let state = evaluator.state(evaluator.days().end_of(day))?;
        out.from.get_or_insert(day);
        out.to = Some(day);
        out.record(&state);
        day = match day.tomorrow() {
            Ok(d) => d,
            Err(_) => break,
        };
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::VOCABULARY;
    use crate::engine::state::{
        DisputeEffect, DisputeStatus, IndicatorStatus, MeasureStatus, MilestoneStatus,
        ReliefStatus, StageStatus, TriggerStatus,
    };

    fn listed(kind: &str) -> Vec<&'static str> {
        VOCABULARY
            .iter()
            .find(|(k, _)| *k == kind)
            .map(|(_, s)| s.to_vec())
            .unwrap_or_default()
    }

    #[test]
    fn the_vocabulary_lists_every_status_of_every_enum() {
        let names = |all: Vec<&'static str>| all;
        assert_eq!(
            listed("trigger"),
            names(TriggerStatus::ALL.iter().map(|s| s.as_str()).collect())
        );
        assert_eq!(
            listed("dispute"),
            names(DisputeStatus::ALL.iter().map(|s| s.as_str()).collect())
        );
        assert_eq!(
            listed("dispute stage"),
            names(StageStatus::ALL.iter().map(|s| s.as_str()).collect())
        );
        assert_eq!(
            listed("dispute effect"),
            names(DisputeEffect::ALL.iter().map(|s| s.as_str()).collect())
        );
        assert_eq!(
            listed("milestone"),
            names(MilestoneStatus::ALL.iter().map(|s| s.as_str()).collect())
        );
        assert_eq!(
            listed("measure"),
            names(MeasureStatus::ALL.iter().map(|s| s.as_str()).collect())
        );
        assert_eq!(listed("indicator").len(), 7);
        assert!(listed("indicator").contains(&IndicatorStatus::Overdue.as_str()));
        assert!(listed("relief").contains(&ReliefStatus::Superseded.as_str()));
    }
}
