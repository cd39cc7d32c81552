//! Evaluate, explain, timeline: an agreement's versions and its log, read from wherever
//! they are, handed to the engine.

use accord_core::agreement::Agreement;
use accord_core::engine::Change;
use accord_core::engine::state::{
    ActionState, CommitmentState, DecisionState, DisputeState, EventState, ExemptionState,
    IndicatorState, PhaseState, State, TriggerState,
};
use accord_core::statement::LoggedStatement;
use accord_core::time::{Date, DayZone, Instant};
use accord_store::Store;

use crate::agreements::{self, AgreementText};
use crate::error::{Error, Result};
use crate::time::AsOf;

/// Where an agreement's versions come from.
#[derive(Debug, Clone)]
pub enum AgreementSource {
    /// Agreement texts (TOML), the versions in order: checked and chained.
    Texts(Vec<AgreementText>),
    /// The agreement model as JSON (one version or an array), as other tools export it.
    Model {
        /// The file's name.
        name: String,
        /// Its text.
        text: String,
    },
    /// The texts registered for this agreement in the store the log is read from.
    Registered(String),
}

impl AgreementSource {
    /// An agreement file: the agreement model when it ends in `.json`, else a TOML text.
    pub fn file(path: &std::path::Path) -> Result<AgreementSource> {
        if path.extension().is_some_and(|e| e == "json") {
            return Ok(AgreementSource::Model {
                name: path.display().to_string(),
                text: crate::read_text("agreement", path)?,
            });
        }
        Ok(AgreementSource::Texts(vec![AgreementText::read(path)?]))
    }
}

/// Where data is, as a user names it: a store (`sqlite:PATH`, `postgres://…`), or a log
/// exported as JSON lines (`jsonl:FILE`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// A store.
    Store(accord_store::StoreUrl),
    /// `jsonl:FILE`: a log exported as JSON lines.
    Exported(std::path::PathBuf),
}

impl std::str::FromStr for Location {
    type Err = accord_store::StoreUrlError;

    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        match s.strip_prefix("jsonl:") {
            Some(path) => Ok(Location::Exported(path.into())),
            None => Ok(Location::Store(s.parse()?)),
        }
    }
}

/// Where the log comes from.
#[derive(Debug, Clone, Copy)]
pub enum LogSource<'a> {
    /// The agreement's log in a store.
    Store(&'a Store),
    /// A log exported as JSON lines, in this file.
    Exported(&'a std::path::Path),
}

/// How a state is read: in one view, for one contract.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Reading {
    /// The view (`as-recorded`, `void-#N`, or a participant's id); every view kept when
    /// none.
    pub view: Option<String>,
    /// The day a contract was concluded: what a non-retroactive reimposition spares.
    pub contract: Option<Date>,
}

/// What the engine evaluates: the agreement's versions and its log.
#[derive(Debug, Clone)]
pub struct Inputs {
    /// The versions, in order.
    pub versions: Vec<Agreement>,
    /// The log, in index order.
    pub log: Vec<LoggedStatement>,
}

impl Inputs {
    /// Reads the versions and the log.
    pub fn read(agreement: &AgreementSource, log: LogSource<'_>) -> Result<Inputs> {
        let versions = versions(agreement, log)?;
        let Some(first) = versions.first() else {
            return Err(Error::NoVersion(source_name(agreement)));
        };
        let log = match log {
            LogSource::Store(store) => crate::log::of_agreement(store, &first.id)?,
            LogSource::Exported(path) => {
                let text = crate::read_text("log", path)?;
                crate::log::parse_exported(&path.display().to_string(), &text)?
            }
        };
        Ok(Inputs { versions, log })
    }

    /// The days the agreement counts in: the zone of its first version (which governs
    /// every version), UTC when it names none.
    pub fn days(&self) -> Result<DayZone> {
        match self.versions.first() {
            Some(first) => crate::time::days_of(first),
            None => Ok(DayZone::utc()),
        }
    }

    /// The instant a cut means for this agreement: an instant as it is, a date the end of
    /// that day in the agreement's zone.
    pub fn instant(&self, as_of: impl Into<AsOf>) -> Result<Instant> {
        Ok(as_of.into().instant(&self.days()?))
    }

    /// The state as of an instant, or as of the end of a day of the agreement's zone.
    pub fn evaluate(&self, as_of: impl Into<AsOf>) -> Result<State> {
        Ok(accord_core::engine::evaluate(
            &self.versions,
            &self.log,
            self.instant(as_of)?,
        )?)
    }

    /// The state as of an instant (or the end of a day of the agreement's zone), read as
    /// asked: in one view of what participants disagree on (every view kept when none is
    /// named), for a contract concluded on a date (the agreement as a whole when none is
    /// given).
    ///
    /// A view is a view's id (`as-recorded`, `void-#N`) or a participant's id (each
    /// contested invocation as it holds it). An unknown view is an error listing the views
    /// there are and the participants holding one.
    pub fn evaluate_as(&self, as_of: impl Into<AsOf>, reading: &Reading) -> Result<State> {
        let as_of = self.instant(as_of)?;
        let state = match &reading.view {
            None => self.evaluate(as_of)?,
            Some(view) => {
                accord_core::engine::evaluate_view(&self.versions, &self.log, as_of, view)?
            }
        };
        Ok(match reading.contract {
            Some(concluded) => state.for_contract(concluded),
            None => state,
        })
    }

    /// Every state change from `from` (default: the agreement's effective date) to `to`.
    pub fn timeline(&self, from: Option<Date>, to: Date) -> Result<Vec<Change>> {
        Ok(accord_core::engine::timeline(
            &self.versions,
            &self.log,
            from,
            to,
        )?)
    }

    /// The version that governs a state (the last one when none is named).
    pub fn governing(&self, state: &State) -> Option<&Agreement> {
        self.versions
            .iter()
            .find(|v| v.version == state.version)
            .or(self.versions.last())
    }
}

fn source_name(agreement: &AgreementSource) -> String {
    match agreement {
        AgreementSource::Texts(texts) => texts.first().map(|t| t.name.clone()).unwrap_or_default(),
        AgreementSource::Model { name, .. } => name.clone(),
        AgreementSource::Registered(id) => id.clone(),
    }
}

fn versions(agreement: &AgreementSource, log: LogSource<'_>) -> Result<Vec<Agreement>> {
    Ok(match agreement {
        AgreementSource::Texts(texts) => agreements::check(texts)?
            .into_iter()
            .map(|v| v.agreement)
            .collect(),
        AgreementSource::Model { name, text } => agreements::model_json(name, text)?,
        AgreementSource::Registered(id) => {
            let LogSource::Store(store) = log else {
                return Err(Error::NoVersion(id.clone()));
            };
            agreements::registered(store, id)?
                .into_iter()
                .map(|v| v.agreement)
                .collect()
        }
    })
}

/// What `explain` shows for one identifier: everything of the state that bears it, in the
/// order the explanation lists them. With no identifier, every phase.
#[derive(Debug, Clone, Default)]
pub struct Subjects<'s> {
    /// Phases.
    pub phases: Vec<&'s PhaseState>,
    /// Relief actions, each with the decisions its reasons cite.
    pub relief: Vec<(&'s ActionState, Vec<&'s DecisionState>)>,
    /// Triggers.
    pub triggers: Vec<&'s TriggerState>,
    /// Disputes.
    pub disputes: Vec<&'s DisputeState>,
    /// Decisions, named by their entry (`29` or `#29`).
    pub decisions: Vec<&'s DecisionState>,
    /// Commitments.
    pub commitments: Vec<&'s CommitmentState>,
    /// Indicators.
    pub indicators: Vec<&'s IndicatorState>,
    /// Exemptions.
    pub exemptions: Vec<&'s ExemptionState>,
    /// Events.
    pub events: Vec<&'s EventState>,
}

/// What in the state an identifier names; [`Error::NothingNamed`] when nothing does.
pub fn explain<'s>(state: &'s State, id: Option<&str>) -> Result<Subjects<'s>> {
    let Some(id) = id else {
        return Ok(Subjects {
            phases: state.phases.iter().collect(),
            ..Subjects::default()
        });
    };
    let entry = id.strip_prefix('#').unwrap_or(id).parse::<u64>().ok();
    let subjects = Subjects {
        phases: state
            .phases
            .iter()
            .filter(|p| p.id.as_str() == id)
            .collect(),
        relief: state
            .relief
            .iter()
            .filter(|a| a.id.as_str() == id)
            .map(|a| {
                let decisions = state
                    .decisions
                    .iter()
                    .filter(|d| a.reasons.iter().any(|r| r.entries.contains(&d.entry)))
                    .collect();
                (a, decisions)
            })
            .collect(),
        triggers: state
            .triggers
            .iter()
            .filter(|t| t.id.as_str() == id)
            .collect(),
        disputes: state
            .disputes
            .iter()
            .filter(|d| d.id.as_str() == id)
            .collect(),
        decisions: state
            .decisions
            .iter()
            .filter(|d| Some(d.entry.0) == entry)
            .collect(),
        commitments: state
            .commitments
            .iter()
            .filter(|c| c.id.as_str() == id)
            .collect(),
        indicators: state
            .indicators
            .iter()
            .filter(|i| i.id.as_str() == id)
            .collect(),
        exemptions: state
            .exemptions
            .iter()
            .filter(|e| e.id.as_str() == id)
            .collect(),
        events: state
            .events
            .iter()
            .filter(|e| e.id.as_str() == id)
            .collect(),
    };
    if subjects.is_empty() {
        return Err(Error::NothingNamed(id.to_owned()));
    }
    Ok(subjects)
}

impl Subjects<'_> {
    /// Whether nothing was found.
    pub fn is_empty(&self) -> bool {
        self.phases.is_empty()
            && self.relief.is_empty()
            && self.triggers.is_empty()
            && self.disputes.is_empty()
            && self.decisions.is_empty()
            && self.commitments.is_empty()
            && self.indicators.is_empty()
            && self.exemptions.is_empty()
            && self.events.is_empty()
    }
}
