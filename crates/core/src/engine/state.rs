//! The result of an evaluation: every status of an agreement at one instant, with its
//! reasons.
//!
//! [`State`] is the documented `--json` format (`docs/state-json.md`): field order is the
//! struct order, collections are `Vec`s in agreement order or sorted by id, so the same
//! state serialises to the same bytes on every machine.
//!
//! INVARIANT: every status in a [`State`] carries at least one [`Reason`]; the engine's
//! property tests check it.

use crate::id::ParticipantId;
use crate::id::{
    ActionId, AgreementId, CommitmentId, DisputeId, EventId, ExemptionId, IndicatorId, MeasureId,
    PhaseId, RegimeId, StageId, TriggerId,
};
use crate::rule::CommitmentStatus;
use crate::statement::{DecisionAct, DisputeOutcome, Finding, LogIndex, ReliefRef};
use crate::time::{Date, Instant, Period};

/// Everything an agreement's evaluation says at one instant.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct State {
    /// The agreement evaluated.
    pub agreement: AgreementId,
    /// The version governing the evaluation date.
    pub version: u32,
    /// The record-time cut: entries recorded after it are not considered.
    pub as_of: Instant,
    /// The evaluation date: `as_of`'s UTC civil date.
    pub date: Date,
    /// How many log entries were considered (recorded at or before `as_of`).
    pub entries: u64,
    /// Each version of the agreement and whether it is in force.
    pub versions: Vec<VersionState>,
    /// The review periods that have begun by the evaluation date, oldest first.
    pub reviews: Vec<ReviewState>,
    /// Indicator statuses, per review period.
    pub indicators: Vec<IndicatorState>,
    /// Commitment statuses, per review period.
    pub commitments: Vec<CommitmentState>,
    /// The relief schedule's phases, in order.
    pub phases: Vec<PhaseState>,
    /// Each relief action.
    pub relief: Vec<ActionState>,
    /// Relief rolled up per jurisdiction and measure.
    pub relief_by_measure: Vec<MeasureRelief>,
    /// Humanitarian exemptions: always in force.
    pub exemptions: Vec<ExemptionState>,
    /// Regression rules (snapback).
    pub triggers: Vec<TriggerState>,
    /// Disputes recorded in the log.
    pub disputes: Vec<DisputeState>,
    /// Authorities' decisions, and whether each departs from the evaluation.
    pub decisions: Vec<DecisionState>,
    /// Named events and their dates.
    pub events: Vec<EventState>,
    /// Log entries that do not count, each with the reason.
    pub rejected: Vec<RejectedEntry>,
}

/// Why a status is what it is: the rule that produced it and the log entries it rests on.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct Reason {
    /// The rule, as a stable dotted name (`indicator.quorum`, `phase.entry`, ...; listed in
    /// `docs/state-json.md`).
    pub rule: String,
    /// What the rule found, in plain words.
    pub detail: String,
    /// The log entries it rests on (may be empty for rules over the agreement alone).
    pub entries: Vec<LogIndex>,
}

impl Reason {
    /// A reason resting on no log entry.
    pub fn rule(rule: &str, detail: impl Into<String>) -> Self {
        Self {
            rule: rule.to_owned(),
            detail: detail.into(),
            entries: Vec::new(),
        }
    }

    /// A reason resting on log entries (sorted and deduplicated).
    pub fn with_entries(rule: &str, detail: impl Into<String>, mut entries: Vec<LogIndex>) -> Self {
        entries.sort_unstable();
        entries.dedup();
        Self {
            rule: rule.to_owned(),
            detail: detail.into(),
            entries,
        }
    }
}

/// One version of the agreement.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct VersionState {
    /// Its number.
    pub version: u32,
    /// Whether it is in force on the evaluation date.
    pub in_force: bool,
    /// From when it governs, when known.
    pub effective: Option<Date>,
    /// Why.
    pub reasons: Vec<Reason>,
}

/// A review period.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ReviewState {
    /// Its number, from 1.
    pub number: u32,
    /// The dates it covers.
    pub period: Period,
    /// Whether it has ended by the evaluation date (only concluded reviews count for
    /// phase entry).
    pub concluded: bool,
    /// The agreement version that governs it.
    pub version: u32,
}

/// The status of an indicator for one period.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum IndicatorStatus {
    /// The quorum's value meets the target.
    Compliant,
    /// The quorum's value does not meet the target, or reports are overdue past the
    /// agreement's allowance.
    Noncompliant,
    /// Monitors disagree beyond the protocol's tolerance.
    Contested,
    /// Evidence is there but does not verify: self-reports where a monitor is required, or
    /// fewer agreeing monitors than the quorum after the grace period.
    Unverified,
    /// No (sufficient) evidence yet, within the period or its grace.
    Missing,
    /// No evidence and the grace period has passed.
    Overdue,
}

impl IndicatorStatus {
    /// How much the status weighs when several periods are combined: the worst wins.
    pub(crate) fn severity(self) -> u8 {
        match self {
            IndicatorStatus::Compliant => 0,
            IndicatorStatus::Missing => 1,
            IndicatorStatus::Unverified => 2,
            IndicatorStatus::Overdue => 3,
            IndicatorStatus::Contested => 4,
            IndicatorStatus::Noncompliant => 5,
        }
    }

    /// The status's name as written in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            IndicatorStatus::Compliant => "compliant",
            IndicatorStatus::Noncompliant => "noncompliant",
            IndicatorStatus::Contested => "contested",
            IndicatorStatus::Unverified => "unverified",
            IndicatorStatus::Missing => "missing",
            IndicatorStatus::Overdue => "overdue",
        }
    }
}

/// An indicator over every review period.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct IndicatorState {
    /// The indicator.
    pub id: IndicatorId,
    /// The commitment it measures.
    pub commitment: CommitmentId,
    /// Its status at each review period in which it is defined.
    pub reviews: Vec<IndicatorReview>,
    /// Its reporting periods that have begun, oldest first.
    pub periods: Vec<ReportingPeriodState>,
}

/// An indicator's status at one review.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct IndicatorReview {
    /// The review's number.
    pub review: u32,
    /// The status.
    pub status: IndicatorStatus,
    /// Whether a late report contributed.
    pub late: bool,
    /// Why.
    pub reasons: Vec<Reason>,
}

/// An indicator's status for one reporting period.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ReportingPeriodState {
    /// The period.
    pub period: Period,
    /// The status.
    pub status: IndicatorStatus,
    /// The value the quorum agreed on, in the indicator's unit (flags as 0/1, grades as
    /// their rank from 0, dates as days since 1970-01-01).
    pub value: Option<f64>,
    /// Whether a report that decided it was recorded after the period's end plus grace.
    pub late: bool,
    /// For a breach: the last day a cure may be reported.
    pub cure_until: Option<Date>,
    /// Whether a breach was cured within its window (the status is then compliant).
    pub cured: bool,
    /// The record date of the latest report the status rests on: when it became known.
    pub known: Option<Date>,
    /// Why.
    pub reasons: Vec<Reason>,
    /// Whether a dispute takes this finding's effect away (frozen while the dispute is
    /// open, or set aside when overturned): it then counts as unverified for reviews,
    /// phases, triggers and relief. The status shown stays the monitors' finding.
    pub frozen: bool,
}

/// A commitment over every review period.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CommitmentState {
    /// The commitment.
    pub id: CommitmentId,
    /// Its title.
    pub title: String,
    /// Its status at the latest concluded review, if any.
    pub current: Option<CommitmentStatus>,
    /// Its status at each review period in which it is defined.
    pub reviews: Vec<CommitmentReview>,
}

/// A commitment's status at one review.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CommitmentReview {
    /// The review's number.
    pub review: u32,
    /// The status.
    pub status: CommitmentStatus,
    /// Why.
    pub reasons: Vec<Reason>,
}

/// Whether a phase is reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PhaseStatus {
    /// Its entry condition has been met (on `entered`).
    Reached,
    /// Not yet: see `remains`.
    NotReached,
}

/// A phase of the relief schedule.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PhaseState {
    /// The phase.
    pub id: PhaseId,
    /// Its title.
    pub title: String,
    /// Whether it is reached.
    pub status: PhaseStatus,
    /// The date it was entered.
    pub entered: Option<Date>,
    /// Why.
    pub reasons: Vec<Reason>,
    /// For a phase not reached: what is unmet, and the earliest date each could be met.
    pub remains: Vec<Unmet>,
}

/// One unmet condition of a phase not yet reached.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Unmet {
    /// The condition, in words.
    pub condition: String,
    /// Where things stand.
    pub detail: String,
    /// The earliest date it could be met, when it can be computed.
    pub earliest: Option<Date>,
}

/// The state of one relief action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReliefStatus {
    /// Not in force yet: its phase is not reached, or its start date has not come.
    Scheduled,
    /// In force.
    InForce,
    /// Earned but held by an authority's decision.
    Suspended,
    /// In force for good: the measure is lifted (the action's `lifted` date has come while
    /// it was in force); it no longer expires and no trigger reverts it.
    Lifted,
    /// Its term ran out (not the same as revoked).
    Expired,
    /// Revoked, and being wound down until `until`.
    WindDown,
    /// Revoked: the measure applies again.
    Reimposed,
    /// Replaced by a later action (a new licence).
    Superseded,
}

impl ReliefStatus {
    /// Whether the relief applies on the day: in force, or lifted for good.
    ///
    /// ```
    /// use accord_core::engine::state::ReliefStatus;
    /// assert!(ReliefStatus::Lifted.relieves());
    /// assert!(!ReliefStatus::WindDown.relieves());
    /// ```
    pub fn relieves(self) -> bool {
        matches!(self, ReliefStatus::InForce | ReliefStatus::Lifted)
    }

    /// The status's name as written in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            ReliefStatus::Scheduled => "scheduled",
            ReliefStatus::InForce => "in_force",
            ReliefStatus::Suspended => "suspended",
            ReliefStatus::Lifted => "lifted",
            ReliefStatus::Expired => "expired",
            ReliefStatus::WindDown => "wind_down",
            ReliefStatus::Reimposed => "reimposed",
            ReliefStatus::Superseded => "superseded",
        }
    }
}

/// One relief action.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ActionState {
    /// The action.
    pub id: ActionId,
    /// Its phase.
    pub phase: PhaseId,
    /// Its title.
    pub title: String,
    /// The regime it acts on.
    pub regime: RegimeId,
    /// The regime's jurisdiction, when the regime is declared.
    pub jurisdiction: Option<String>,
    /// The measure it relaxes, for measure suspensions and unfreezes.
    pub measure: Option<MeasureId>,
    /// Its state.
    pub status: ReliefStatus,
    /// Since when it has this status, when known.
    pub since: Option<Date>,
    /// Until when (expiry of the current term, end of wind-down), when known.
    pub until: Option<Date>,
    /// How many times it has been renewed.
    pub renewals: u32,
    /// The action that superseded it.
    pub superseded_by: Option<ActionId>,
    /// The day it is (or was) lifted for good, once known: ahead for relief in force,
    /// `since` for lifted relief.
    pub lifts: Option<Date>,
    /// Why.
    pub reasons: Vec<Reason>,
}

/// Relief for one measure (or one regime, for relief that names no measure) in one
/// jurisdiction.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct MeasureRelief {
    /// The jurisdiction (`?` when the regime is not declared).
    pub jurisdiction: String,
    /// The regime.
    pub regime: RegimeId,
    /// The measure, or none for delistings, licences and cooperation.
    pub measure: Option<MeasureId>,
    /// The actions in force.
    pub in_force: Vec<ActionId>,
    /// The other actions and their statuses.
    pub other: Vec<(ActionId, ReliefStatus)>,
}

/// A humanitarian exemption.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ExemptionState {
    /// The exemption.
    pub id: ExemptionId,
    /// Its title.
    pub title: String,
    /// Always `true`: an exemption is in force in every state.
    pub in_force: bool,
    /// The activities it covers.
    pub activities: Vec<String>,
    /// The regimes it applies to (all when empty).
    pub regimes: Vec<RegimeId>,
    /// Why.
    pub reasons: Vec<Reason>,
}

/// A regression rule.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct TriggerState {
    /// The trigger.
    pub id: TriggerId,
    /// `dormant` (its condition does not hold), `available` (it holds; awaiting invocation
    /// by a participant with standing), `counting_down` (invoked; fires on `until` unless
    /// halted), `paused` (invoked, but a dispute that freezes a finding its condition rests
    /// on is open: the countdown stands still with `remaining` days left, and resumes with
    /// them when the dispute closes with the finding counting), `halted` (by a participant
    /// in `halted_by`, or the invocation lapsed because a dispute overturned the finding it
    /// rested on: `trigger.lapsed`), `withdrawn` or `fired`. After a fire under
    /// `reentry = "re_earn"`, once relief is earned again the trigger is re-armed
    /// (`rearmed`) and is `dormant` or `available` again.
    pub status: String,
    /// The trigger steps recorded for it.
    pub steps: Vec<LogIndex>,
    /// Why.
    pub reasons: Vec<Reason>,
    /// The date of the invocation that counts (or the date an automatic trigger's
    /// condition came to hold).
    pub invoked: Option<Date>,
    /// Who invoked it.
    pub invoked_by: Vec<ParticipantId>,
    /// While counting down: the date it fires unless halted first.
    pub until: Option<Date>,
    /// The date it (last) fired.
    pub fired: Option<Date>,
    /// When fired: the end of the wind-down (reverted relief is reimposed on it).
    pub wind_down_until: Option<Date>,
    /// The relief actions it reverts when it fires.
    pub reverts: Vec<ActionId>,
    /// While dormant: the earliest date its condition could hold, when it can be computed.
    pub earliest: Option<Date>,
    /// While paused: the days of the countdown that remain.
    pub remaining: Option<u32>,
    /// While paused: the day the countdown was paused (a dispute opened).
    pub paused_since: Option<Date>,
    /// After a fire under `reentry = "re_earn"`: the day relief was first earned again and
    /// the trigger re-armed (`fired` then keeps the day it last fired).
    pub rearmed: Option<Date>,
}

/// One stage a dispute has run in.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct StageRun {
    /// The stage.
    pub stage: StageId,
    /// Whether it runs beside another stage (`parallel` in the dispute process).
    pub parallel: bool,
    /// The date it began.
    pub began: Date,
    /// Its deadline, with extensions agreed by every party; none when extended
    /// open-endedly.
    pub deadline: Option<Date>,
    /// `running`, `ran_out` (its deadline passed), `escalated` (a party moved the dispute
    /// on) or `closed` (the dispute was resolved or withdrawn).
    pub status: String,
    /// The date it stopped running.
    pub ended: Option<Date>,
}

/// A participant's view of a dispute's outcome.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PositionState {
    /// The participant.
    pub participant: ParticipantId,
    /// Whether it accepts the outcome.
    pub accepts: bool,
    /// Its view in its own words.
    pub view: String,
    /// The entry that records it (the latest from this participant).
    pub entry: LogIndex,
}

/// A dispute recorded in the log.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct DisputeState {
    /// The dispute.
    pub id: DisputeId,
    /// `open`, `exhausted` (every stage ran out unresolved: the decision is the
    /// authority's), `resolved` (by an authority's outcome; or, for a dispute opened by an
    /// overdue policy, when the missing report was recorded — then with no `outcome`) or
    /// `withdrawn`.
    pub status: String,
    /// The main stage it is in (or was in when it closed).
    pub stage: Option<StageId>,
    /// Its steps that count.
    pub steps: Vec<LogIndex>,
    /// Why.
    pub reasons: Vec<Reason>,
    /// What is disputed.
    pub finding: Option<Finding>,
    /// Who opened it; empty for a dispute opened by the agreement's overdue policy.
    pub opened_by: Vec<ParticipantId>,
    /// The date it was opened.
    pub opened: Option<Date>,
    /// Every stage it has run in, in the order they began.
    pub stages: Vec<StageRun>,
    /// How it ended, when resolved.
    pub outcome: Option<DisputeOutcome>,
    /// The date it was resolved, withdrawn or exhausted.
    pub closed: Option<Date>,
    /// The parties' views of the outcome.
    pub positions: Vec<PositionState>,
    /// Whether the parties keep different views of the outcome.
    pub contested: bool,
    /// The effect on the disputed finding: `frozen` (no effect while open),
    /// `finding_stands`, `set_aside` (overturned) or `counts`. A disputed decision stands
    /// while the dispute is open (`finding_stands`); an overdue escalation freezes nothing
    /// (`finding_stands` while open, then `counts`).
    pub effect: String,
}

/// An authority's decision.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct DecisionState {
    /// The log entry.
    pub entry: LogIndex,
    /// What it does.
    pub act: DecisionAct,
    /// The relief it applies to.
    pub relief: ReliefRef,
    /// From when.
    pub effective: Date,
    /// Its stated reason.
    pub stated_reason: String,
    /// Whether it departs from what the evaluation entitles.
    pub departure: bool,
    /// Why it is or is not a departure, and where it stands when disputed.
    pub reasons: Vec<Reason>,
    /// The dispute that decides where it stands, when a party disputed it: the one that
    /// set it aside, else an open one, else the latest opened. While that dispute is open
    /// the decision stays in effect.
    pub disputed_by: Option<DisputeId>,
    /// Whether a dispute overturned it: from the day of that resolution it no longer
    /// applies, and relief is what the evaluation and the other decisions give.
    pub set_aside: bool,
}

/// A named event.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct EventState {
    /// The event.
    pub id: EventId,
    /// Its date, when fixed by the agreement or recorded.
    pub date: Option<Date>,
    /// Why.
    pub reasons: Vec<Reason>,
}

/// A log entry that does not count.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct RejectedEntry {
    /// The entry.
    pub entry: LogIndex,
    /// Why it does not count.
    pub reason: String,
}
