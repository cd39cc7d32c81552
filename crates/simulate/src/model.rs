//! The behaviour model: how the world behaves around an agreement, as the simulation draws
//! it. Plain values, read from a TOML file by [`read`](crate::model::read) and checked
//! against the agreement (every identifier it names exists there).
//!
//! INVARIANT: every probability is in `[0, 1]`, every standard deviation and noise is
//! finite and not negative, and every identifier names something of the agreement: the
//! reader refuses anything else, so the generator never checks again.

pub mod read;

use accord_core::id::{EventId, IndicatorId, ParticipantId};
use accord_core::time::{CalendarDuration, Date};

/// A behaviour model for one agreement.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Model {
    /// What the model describes, for reports.
    pub title: Option<String>,
    /// The day offsets of events count from (adoption day, say).
    pub start: Date,
    /// When the agreement's events occur.
    pub events: Vec<EventModel>,
    /// The behaviour of indicators the model does not list.
    pub default_indicator: IndicatorModel,
    /// Per indicator.
    pub indicators: Vec<(IndicatorId, IndicatorModel)>,
    /// The behaviour of monitors the model does not list.
    pub default_monitor: MonitorModel,
    /// Per monitor.
    pub monitors: Vec<(ParticipantId, MonitorModel)>,
    /// Per party (parties not listed never dispute, invoke, consent or halt).
    pub parties: Vec<(ParticipantId, PartyModel)>,
    /// How dispute stages end.
    pub disputes: DisputeModel,
}

/// When an event occurs: `after` the model's start, plus a uniform delay of up to
/// `spread_days`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct EventModel {
    /// The event.
    pub id: EventId,
    /// Its earliest date, from the model's start.
    pub after: CalendarDuration,
    /// Up to this many days later, uniformly.
    pub spread_days: u32,
    /// Who records it (a party the agreement entitles to).
    pub by: ParticipantId,
}

/// What an indicator's true value is, period by period.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
#[serde(tag = "law", rename_all = "snake_case")]
pub enum Law {
    /// Compliant with this probability in each period.
    Compliance {
        /// The probability.
        p: f64,
    },
    /// A normally distributed amount (threshold and count indicators).
    Values {
        /// The mean.
        mean: f64,
        /// The standard deviation.
        sd: f64,
    },
}

/// One indicator's behaviour.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct IndicatorModel {
    /// Its law at the start.
    pub law: Law,
    /// Added per year to the compliance probability, or to the mean.
    pub trend: f64,
    /// A change of regime: from `after` the start, this law instead (trend still applies).
    pub change: Option<(CalendarDuration, Law)>,
    /// Its loading on the factor common to every indicator (0: independent; 1: every
    /// indicator with loading 1 moves together).
    pub correlation: f64,
}

impl IndicatorModel {
    /// Always compliant, independent of the others.
    pub const COMPLIANT: IndicatorModel = IndicatorModel {
        law: Law::Compliance { p: 1.0 },
        trend: 0.0,
        change: None,
        correlation: 0.0,
    };
}

/// One monitor's behaviour.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct MonitorModel {
    /// Days after a period ends before its report is recorded, at least.
    pub delay_days: u32,
    /// Up to this many days more, uniformly.
    pub spread_days: u32,
    /// The chance that a period's report is never made.
    pub missed: f64,
    /// Reading error: for amounts, the standard deviation relative to the value; for
    /// flags, counts, grades and dates, the chance of reporting a wrong reading.
    pub noise: f64,
}

impl MonitorModel {
    /// Reports every period ten days after it ends, exactly.
    pub const PUNCTUAL: MonitorModel = MonitorModel {
        delay_days: 10,
        spread_days: 0,
        missed: 0.0,
        noise: 0.0,
    };
}

/// One party's habits.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize)]
pub struct PartyModel {
    /// The chance of disputing a non-compliant finding (where it has standing).
    pub dispute: f64,
    /// The chance of invoking an available trigger at a review (where it has standing).
    pub invoke: f64,
    /// The chance of consenting to extend a dispute stage.
    pub consent: f64,
    /// The chance of halting a countdown it may halt.
    pub halt: f64,
    /// For an authority: relief held and granted late, with a probability, by days.
    pub late: Option<Late>,
}

/// An authority's habit of granting earned relief late.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Late {
    /// The chance, per phase reached, that its relief in the authority's jurisdiction is
    /// granted late.
    pub probability: f64,
    /// How many days late.
    pub days: u32,
}

/// How dispute stages end.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize)]
pub struct DisputeModel {
    /// The chance that a stage resolves the dispute before its deadline.
    pub resolve: f64,
    /// The share of resolutions that overturn the finding.
    pub overturn: f64,
}

impl Model {
    /// The behaviour of one indicator.
    pub fn indicator(&self, id: &IndicatorId) -> IndicatorModel {
        self.indicators
            .iter()
            .find(|(i, _)| i == id)
            .map_or(self.default_indicator, |(_, m)| *m)
    }

    /// The behaviour of one monitor.
    pub fn monitor(&self, id: &ParticipantId) -> MonitorModel {
        self.monitors
            .iter()
            .find(|(i, _)| i == id)
            .map_or(self.default_monitor, |(_, m)| *m)
    }

    /// The habits of one party.
    pub fn party(&self, id: &ParticipantId) -> PartyModel {
        self.parties
            .iter()
            .find(|(i, _)| i == id)
            .map_or_else(PartyModel::default, |(_, m)| *m)
    }
}
