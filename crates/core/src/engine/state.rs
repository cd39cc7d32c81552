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
    /// The evaluation date: `as_of`'s civil date in the agreement's zone (UTC when it
    /// names none).
    pub date: Date,
    /// The IANA zone the agreement counts its days in; absent for UTC.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub zone: Option<String>,
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
    /// Whether the agreement is agreed and in effect on the evaluation date.
    pub agreement_status: AgreementStatus,
    /// Every measure of every regime, in each jurisdiction, as compliance officers speak
    /// of it (applies, relief scheduled, suspended, terminated, lifted, wind-down,
    /// reimposed), from the relief actions acting on it.
    pub measures: Vec<MeasureState>,
    /// Risk signals and recommendations recorded in the log: they change no status.
    pub signals: Vec<SignalState>,
    /// The views participants hold where they disagree (whether an invocation was valid),
    /// each with who holds it and what it computes; empty when nothing is contested.
    pub views: Vec<ViewState>,
    /// The one view this state was evaluated in, when one was asked for (a view's id, or a
    /// participant's id); none when every view is kept (what they disagree on is then
    /// `contested`).
    pub view: Option<String>,
    /// When the view asked for is a participant's: the view it holds on each contested
    /// invocation, or as recorded where it holds none. Absent (not serialised) otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub participant_view: Option<ParticipantView>,
    /// The contract date this state answers for ([`State::for_contract`]); absent (not
    /// serialised) for the state of the agreement as a whole.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contract: Option<Date>,
}

/// One view of a contested point: who holds it and what it computes.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ViewState {
    /// Its key for asking for it: `as-recorded`, or `void-#N` (entry N held void).
    pub id: String,
    /// Its name, by who holds it: `held by ofsi (authority)`, or `held by ofsi (authority)
    /// and eu (authority)`.
    pub name: String,
    /// Who holds it, each with what it is to the agreement.
    pub holders: Vec<ViewHolder>,
    /// What it holds, in words.
    pub premise: String,
    /// The contested entry.
    pub entry: LogIndex,
    /// Who holds it.
    pub held_by: Vec<ParticipantId>,
    /// What it computes for the triggers the views disagree on.
    pub triggers: Vec<(TriggerId, TriggerStatus)>,
    /// What it computes for the relief actions the views disagree on.
    pub relief: Vec<(ActionId, ReliefStatus)>,
    /// What it computes for the measures the views disagree on.
    pub measures: Vec<(MeasureId, MeasureStatus)>,
}

/// Who holds a view: a participant, and what it is to the agreement.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ViewHolder {
    /// The participant.
    pub participant: ParticipantId,
    /// Its role: a party's (`authority`, `target`, `guarantor`, `observer`) or `monitor`.
    pub role: HolderRole,
}

/// What a view's holder is to the agreement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HolderRole {
    /// A party that is a sanctioning authority.
    Authority,
    /// The sanctioned party.
    Target,
    /// A guarantor.
    Guarantor,
    /// An observer.
    Observer,
    /// An independent monitor.
    Monitor,
    /// Named by no version of the agreement.
    Unlisted,
}

impl HolderRole {
    /// Its name, as serialised.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Authority => "authority",
            Self::Target => "target",
            Self::Guarantor => "guarantor",
            Self::Observer => "observer",
            Self::Monitor => "monitor",
            Self::Unlisted => "unlisted",
        }
    }
}

/// A participant's view, when a state is asked in one: on each contested invocation the
/// view it holds, or the invocation as recorded where it holds none. It composes: the
/// state excludes exactly the invocations the participant holds void.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ParticipantView {
    /// The participant, with what it is to the agreement.
    pub holder: ViewHolder,
    /// The view's name, by who holds it: `held by iran (target)`.
    pub name: String,
    /// Each contested invocation, in log order, and what the participant holds of it.
    pub entries: Vec<HeldEntry>,
}

/// One contested invocation in a participant's view.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct HeldEntry {
    /// The contested entry.
    pub entry: LogIndex,
    /// The view taken of it: `void-#N`, or `as-recorded`.
    pub view: String,
    /// What the participant holds of it.
    pub holds: Holds,
}

/// What a participant holds of a contested invocation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Holds {
    /// It holds the invocation void (it disputes it, or rejects its outcome).
    Void,
    /// It holds that the invocation counts (its author, or it accepts an outcome upholding it).
    Counts,
    /// It holds no view on it: the invocation is taken as recorded.
    NoView,
}

/// A risk signal or a recommendation, as recorded.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SignalState {
    /// The log entry.
    pub entry: LogIndex,
    /// Who recorded it.
    pub by: Vec<ParticipantId>,
    /// `risk` or `recommendation`.
    pub kind: crate::statement::SignalKind,
    /// What it is about, in the timeline's words, when one subject.
    pub subject: Option<String>,
    /// What it says.
    pub text: String,
    /// The day it was recorded.
    pub recorded: Date,
}

impl State {
    /// Whether `other` is this state but for its cut (`as_of`): every other field equal.
    /// Two cuts that see the same entries on the same day mostly give such states (a "now"
    /// asked again a second later), whose JSON then differs only in `as_of`: the server
    /// writes a state's JSON once and changes only that value for the others.
    pub fn same_but_for_the_cut(&self, other: &State) -> bool {
        // Every field named, so that a field added to `State` must be said here.
        let State {
            agreement,
            version,
            as_of: _,
            date,
            zone,
            entries,
            versions,
            reviews,
            indicators,
            commitments,
            phases,
            relief,
            relief_by_measure,
            exemptions,
            triggers,
            disputes,
            decisions,
            events,
            rejected,
            agreement_status,
            measures,
            signals,
            views,
            view,
            participant_view,
            contract,
        } = self;
        // The cheap fields first: most states that differ differ in these.
        *entries == other.entries
            && *date == other.date
            && *version == other.version
            && *agreement == other.agreement
            && *agreement_status == other.agreement_status
            && *zone == other.zone
            && *view == other.view
            && *contract == other.contract
            && *participant_view == other.participant_view
            && *versions == other.versions
            && *reviews == other.reviews
            && *phases == other.phases
            && *relief == other.relief
            && *triggers == other.triggers
            && *disputes == other.disputes
            && *decisions == other.decisions
            && *commitments == other.commitments
            && *indicators == other.indicators
            && *relief_by_measure == other.relief_by_measure
            && *exemptions == other.exemptions
            && *events == other.events
            && *rejected == other.rejected
            && *measures == other.measures
            && *signals == other.signals
            && *views == other.views
    }

    /// The phase with this id.
    ///
    /// ```
    /// # fn demo(state: &accord_core::engine::State) {
    /// if let Some(p) = state.phase("implementation") {
    ///     println!("{} entered on {:?}", p.id, p.entered);
    /// }
    /// # }
    /// ```
    pub fn phase(&self, id: &str) -> Option<&PhaseState> {
        self.phases.iter().find(|p| p.id.as_str() == id)
    }

    /// The relief action with this id.
    pub fn relief(&self, id: &str) -> Option<&ActionState> {
        self.relief.iter().find(|a| a.id.as_str() == id)
    }

    /// The trigger with this id.
    pub fn trigger(&self, id: &str) -> Option<&TriggerState> {
        self.triggers.iter().find(|t| t.id.as_str() == id)
    }

    /// The dispute with this id.
    pub fn dispute(&self, id: &str) -> Option<&DisputeState> {
        self.disputes.iter().find(|d| d.id.as_str() == id)
    }

    /// The indicator with this id.
    pub fn indicator(&self, id: &str) -> Option<&IndicatorState> {
        self.indicators.iter().find(|i| i.id.as_str() == id)
    }

    /// The commitment with this id.
    pub fn commitment(&self, id: &str) -> Option<&CommitmentState> {
        self.commitments.iter().find(|c| c.id.as_str() == id)
    }

    /// The exemption with this id.
    pub fn exemption(&self, id: &str) -> Option<&ExemptionState> {
        self.exemptions.iter().find(|e| e.id.as_str() == id)
    }

    /// The named event with this id.
    pub fn event(&self, id: &str) -> Option<&EventState> {
        self.events.iter().find(|e| e.id.as_str() == id)
    }

    /// The measure with this id (measure ids are unique in an agreement).
    pub fn measure(&self, id: &str) -> Option<&MeasureState> {
        self.measures.iter().find(|m| m.measure.as_str() == id)
    }

    /// The state as it applies to a contract concluded on `concluded` (and consistent with
    /// the agreement): relief actions and measures that a non-retroactive trigger reverted
    /// on or after that day keep the relief for it (see [`MeasureState::for_contract`]);
    /// everything else is the same, with a reason saying which.
    ///
    /// ```
    /// # fn demo(state: &accord_core::engine::State) {
    /// let for_contract = state.for_contract(jiff::civil::date(2026, 9, 1));
    /// assert_eq!(for_contract.contract, Some(jiff::civil::date(2026, 9, 1)));
    /// # }
    /// ```
    pub fn for_contract(&self, concluded: Date) -> State {
        let mut out = self.clone();
        out.contract = Some(concluded);
        out.relief = self
            .relief
            .iter()
            .map(|a| a.for_contract(concluded))
            .collect();
        out.measures = self
            .measures
            .iter()
            .map(|m| m.for_contract(concluded))
            .collect();
        out
    }

    /// The decision recorded by this log entry.
    pub fn decision(&self, entry: LogIndex) -> Option<&DecisionState> {
        self.decisions.iter().find(|d| d.entry == entry)
    }

    /// A subject named as the timeline names it — `phase ID`, `relief ID`, `trigger ID`,
    /// `dispute ID`, `indicator ID`, `commitment ID`, `exemption ID`, `event ID`,
    /// `measure ID`, `decision #N`, `version N` — or `None` when there is no such subject.
    ///
    /// ```
    /// # fn demo(state: &accord_core::engine::State) {
    /// use accord_core::engine::state::Found;
    /// if let Some(Found::Trigger(t)) = state.find("trigger snapback") {
    ///     println!("snapback is {}", t.status);
    /// }
    /// # }
    /// ```
    pub fn find(&self, subject: &str) -> Option<Found<'_>> {
        let (kind, id) = subject.split_once(' ')?;
        match kind {
            "phase" => self.phase(id).map(Found::Phase),
            "relief" => self.relief(id).map(Found::Relief),
            "trigger" => self.trigger(id).map(Found::Trigger),
            "dispute" => self.dispute(id).map(Found::Dispute),
            "indicator" => self.indicator(id).map(Found::Indicator),
            "commitment" => self.commitment(id).map(Found::Commitment),
            "exemption" => self.exemption(id).map(Found::Exemption),
            "event" => self.event(id).map(Found::Event),
            "measure" => self.measure(id).map(Found::Measure),
            "decision" => {
                let n = id.strip_prefix('#').unwrap_or(id).parse().ok()?;
                self.decision(LogIndex(n)).map(Found::Decision)
            }
            "version" => {
                let n: u32 = id.parse().ok()?;
                self.versions
                    .iter()
                    .find(|v| v.version == n)
                    .map(Found::Version)
            }
            _ => None,
        }
    }
}

/// A subject of the state found by [`State::find`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Found<'a> {
    /// A version of the agreement.
    Version(&'a VersionState),
    /// An indicator.
    Indicator(&'a IndicatorState),
    /// A commitment.
    Commitment(&'a CommitmentState),
    /// A phase.
    Phase(&'a PhaseState),
    /// A relief action.
    Relief(&'a ActionState),
    /// An exemption.
    Exemption(&'a ExemptionState),
    /// A trigger.
    Trigger(&'a TriggerState),
    /// A dispute.
    Dispute(&'a DisputeState),
    /// A decision.
    Decision(&'a DecisionState),
    /// A named event.
    Event(&'a EventState),
    /// A measure in its jurisdiction.
    Measure(&'a MeasureState),
}

/// Why a status is what it is: the rule that produced it and the log entries it rests on.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct Reason {
    /// The rule, as a stable dotted name (`indicator.quorum`, `phase.entry`, ...; listed in
    /// `docs/state-json.md`).
    pub rule: Rule,
    /// What the rule found, in plain words.
    pub detail: String,
    /// The log entries it rests on (may be empty for rules over the agreement alone).
    pub entries: Vec<LogIndex>,
}

impl Reason {
    /// A reason resting on no log entry.
    pub fn rule(rule: Rule, detail: impl Into<String>) -> Self {
        Self {
            rule,
            detail: detail.into(),
            entries: Vec::new(),
        }
    }

    /// A reason resting on log entries (sorted and deduplicated).
    pub fn with_entries(rule: Rule, detail: impl Into<String>, mut entries: Vec<LogIndex>) -> Self {
        entries.sort_unstable();
        entries.dedup();
        Self {
            rule,
            detail: detail.into(),
            entries,
        }
    }
}

/// The reasons of a reporting period: a list of [`Reason`]s read and written as a `Vec`
/// (it dereferences to one, and serialises as one), shared by the copies of a state
/// rather than copied: an evaluator keeps every settled period's state and hands out a
/// copy of it in each later state, and the reasons are most of what such a copy would
/// allocate. Writing to one copy's reasons (`push`, `insert`, ...) leaves the others
/// unchanged (it copies the list first when it is shared).
#[derive(Clone, Default)]
pub struct Reasons(Option<std::sync::Arc<Vec<Reason>>>);

/// The reasons of a state without any (none shared, nothing allocated).
static NO_REASONS: Vec<Reason> = Vec::new();

impl std::ops::Deref for Reasons {
    type Target = Vec<Reason>;

    fn deref(&self) -> &Vec<Reason> {
        self.0.as_deref().unwrap_or(&NO_REASONS)
    }
}

impl std::ops::DerefMut for Reasons {
    fn deref_mut(&mut self) -> &mut Vec<Reason> {
        std::sync::Arc::make_mut(self.0.get_or_insert_with(Default::default))
    }
}

/// Equal when the lists are (an empty list is equal to none).
impl PartialEq for Reasons {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

impl From<Vec<Reason>> for Reasons {
    fn from(reasons: Vec<Reason>) -> Self {
        Self((!reasons.is_empty()).then(|| std::sync::Arc::new(reasons)))
    }
}

impl<'a> IntoIterator for &'a Reasons {
    type Item = &'a Reason;
    type IntoIter = std::slice::Iter<'a, Reason>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl std::fmt::Debug for Reasons {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&**self, f)
    }
}

impl serde::Serialize for Reasons {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        (**self).serialize(serializer)
    }
}

/// Declares an enum whose variants are written in JSON and text as fixed names, with
/// `as_str`, `Display`, serialisation as the name, and comparison with a name
/// (`status == "fired"`), so that callers and tests read the words the docs use.
macro_rules! named {
    (
        $(#[$meta:meta])*
        $name:ident { $( $(#[$vmeta:meta])* $variant:ident = $text:literal, )* }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )*
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];

            /// The name as written in JSON and text.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)*
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.as_str() == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.as_str() == *other
            }
        }

        impl PartialOrd for $name {
            fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
                Some(self.cmp(other))
            }
        }

        /// Ordered by name, as the strings they replace were.
        impl Ord for $name {
            fn cmp(&self, other: &Self) -> std::cmp::Ordering {
                self.as_str().cmp(other.as_str())
            }
        }
    };
}

named! {
    /// The rule behind a [`Reason`]: a stable dotted name, listed in `docs/state-json.md`.
    Rule {
        /// Version 1 in force from its effective date.
        VersionAdopted = "version.adopted",
        /// A later version's signatures.
        VersionSigned = "version.signed",
        /// A later version's effective date.
        VersionEffective = "version.effective",
        /// A reporting period decided by agreeing reports.
        IndicatorQuorum = "indicator.quorum",
        /// Monitors disagree beyond tolerance.
        IndicatorContested = "indicator.contested",
        /// No (sufficient) report yet, within the period or its grace.
        IndicatorMissing = "indicator.missing",
        /// Fewer agreeing reports than the quorum after grace.
        IndicatorUnverified = "indicator.unverified",
        /// Only self-reports, which the protocol does not accept alone.
        IndicatorSelfReport = "indicator.self_report",
        /// No report after grace.
        IndicatorOverdue = "indicator.overdue",
        /// A counted report recorded after the grace period.
        IndicatorLate = "indicator.late",
        /// A breach's cure window.
        IndicatorCure = "indicator.cure",
        /// A review's summary of its reporting periods, or a carried status.
        IndicatorReview = "indicator.review",
        /// A deadline met after its due date.
        IndicatorMetLate = "indicator.met_late",
        /// Evidence held in escrow: recorded, not delivered.
        IndicatorEscrow = "indicator.escrow",
        /// A finding that stands until replaced, for a period with no report of its own.
        IndicatorStands = "indicator.stands",
        /// A risk signal or recommendation (in the timeline).
        Signal = "signal",
        /// A commitment's status from its indicators'.
        CommitmentIndicators = "commitment.indicators",
        /// A commitment without indicators.
        CommitmentNoIndicators = "commitment.no_indicators",
        /// A phase's entry condition.
        PhaseEntry = "phase.entry",
        /// Phases are entered in order.
        PhaseOrder = "phase.order",
        /// A phase's earliest date.
        PhaseNotBefore = "phase.not_before",
        /// Relief of a phase not reached.
        ReliefPhase = "relief.phase",
        /// When relief takes effect.
        ReliefStart = "relief.start",
        /// When relief expires.
        ReliefExpiry = "relief.expiry",
        /// Automatic renewal.
        ReliefRenewal = "relief.renewal",
        /// Replaced by a later action.
        ReliefSuperseded = "relief.superseded",
        /// Held while a report is overdue.
        ReliefHeld = "relief.held",
        /// Lifted for good.
        ReliefLifted = "relief.lifted",
        /// Relief put in force by a decision.
        DecisionGrant = "decision.grant",
        /// Relief held by a decision.
        DecisionHold = "decision.hold",
        /// Relief revoked by a decision.
        DecisionRevoke = "decision.revoke",
        /// Relief renewed by a decision.
        DecisionRenew = "decision.renew",
        /// Relief let expire by a decision.
        DecisionLetExpire = "decision.let_expire",
        /// Relief amended by a decision (a new expiry).
        DecisionAmend = "decision.amend",
        /// Relief replaced by another action by a decision.
        DecisionReplace = "decision.replace",
        /// Relief wound down by a revocation or non-renewal.
        DecisionWindDown = "decision.wind_down",
        /// A running wind-down extended by a decision.
        DecisionExtendWindDown = "decision.extend_wind_down",
        /// Entities designated as a calibrated response.
        DecisionDesignate = "decision.designate",
        /// A decision set aside by a dispute.
        DecisionSetAside = "decision.set_aside",
        /// A decision that departs from the evaluation.
        DecisionDeparture = "decision.departure",
        /// A decision that follows the evaluation.
        DecisionFollows = "decision.follows",
        /// A decision disputed.
        DecisionDisputed = "decision.disputed",
        /// Exemptions are always in force.
        ExemptionAlways = "exemption.always",
        /// A trigger whose condition does not hold.
        TriggerDormant = "trigger.dormant",
        /// A trigger whose condition holds.
        TriggerAvailable = "trigger.available",
        /// A trigger invoked.
        TriggerInvoked = "trigger.invoked",
        /// A trigger counting down.
        TriggerCountdown = "trigger.countdown",
        /// A countdown halted.
        TriggerHalted = "trigger.halted",
        /// An invocation withdrawn.
        TriggerWithdrawn = "trigger.withdrawn",
        /// An automatic trigger's condition holds.
        TriggerAutomatic = "trigger.automatic",
        /// A trigger fired.
        TriggerFired = "trigger.fired",
        /// A countdown paused by a dispute.
        TriggerPaused = "trigger.paused",
        /// A countdown resumed.
        TriggerResumed = "trigger.resumed",
        /// An invocation lapsed.
        TriggerLapsed = "trigger.lapsed",
        /// A dispute open under `finding_stands` during a countdown.
        TriggerDisputed = "trigger.disputed",
        /// A trigger re-armed after relief was earned again.
        TriggerRearmed = "trigger.rearmed",
        /// Relief wound down by a fired trigger.
        TriggerWindDown = "trigger.wind_down",
        /// Relief reimposed by a fired trigger.
        TriggerReimposed = "trigger.reimposed",
        /// Relief or a phase reverted by a fired trigger.
        TriggerReverted = "trigger.reverted",
        /// Relief or a phase earned again after a fire.
        TriggerReentered = "trigger.reentered",
        /// A dispute opened.
        DisputeOpened = "dispute.opened",
        /// A dispute stage began.
        DisputeStage = "dispute.stage",
        /// A stage's deadline passed.
        DisputeDeadline = "dispute.deadline",
        /// A dispute escalated.
        DisputeEscalated = "dispute.escalated",
        /// A stage extended.
        DisputeExtension = "dispute.extension",
        /// Every stage ran out.
        DisputeExhausted = "dispute.exhausted",
        /// A dispute resolved.
        DisputeResolved = "dispute.resolved",
        /// An overdue escalation closed by the report it awaited.
        DisputeReportReceived = "dispute.report_received",
        /// A dispute withdrawn.
        DisputeWithdrawn = "dispute.withdrawn",
        /// A party's position on the outcome.
        DisputePosition = "dispute.position",
        /// Parties keep different views of the outcome.
        DisputeContested = "dispute.contested",
        /// The dispute's effect on its finding.
        DisputeEffect = "dispute.effect",
        /// A finding frozen or set aside by a dispute.
        DisputeFrozen = "dispute.frozen",
        /// A disputed finding that counts or stands.
        DisputeFinding = "dispute.finding",
        /// An event fixed by the agreement.
        EventFixed = "event.fixed",
        /// An event recorded in the log.
        EventRecorded = "event.recorded",
        /// An event not recorded yet.
        EventNotRecorded = "event.not_recorded",
        /// A log entry that does not count (in the timeline).
        EntryRejected = "entry.rejected",
        /// A status participants disagree on: each view and what it computes.
        ViewContested = "view.contested",
        /// The agreement is not yet agreed, or agreed but not yet in effect.
        AgreementPending = "agreement.pending",
        /// Phases and relief wait for the agreement to take effect.
        PhaseAgreement = "phase.agreement",
        /// Relief waits for the agreement to take effect.
        ReliefAgreement = "relief.agreement",
        /// A measure that applies.
        MeasureApplies = "measure.applies",
        /// A measure with relief agreed, pending a condition or a date.
        MeasureScheduled = "measure.scheduled",
        /// A measure suspended by relief in effect.
        MeasureSuspended = "measure.suspended",
        /// A measure terminated (perhaps revivable by a snapback).
        MeasureTerminated = "measure.terminated",
        /// A measure lifted for good.
        MeasureLifted = "measure.lifted",
        /// A measure whose relief is wound down.
        MeasureWindDown = "measure.wind_down",
        /// A measure reimposed.
        MeasureReimposed = "measure.reimposed",
        /// Another relief action acting on the measure, and its status.
        MeasureAction = "measure.action",
        /// A measure's review dates and reminder.
        MeasureReview = "measure.review",
        /// A measure's sunset: it ends on a date whatever the compliance status.
        MeasureSunset = "measure.sunset",
        /// A measure as it applies to a contract concluded on a date.
        MeasureContract = "measure.contract",
        /// A relief action as it applies to a contract concluded on a date.
        ReliefContract = "relief.contract",
        /// A milestone inside a trigger's countdown.
        TriggerMilestone = "trigger.milestone",
        /// A trigger awaiting the latest review's findings.
        TriggerAwaiting = "trigger.awaiting",
        /// An invocation by a participant whose standing is disputed.
        TriggerStandingDisputed = "trigger.standing_disputed",
        /// Relief of an authority that withdrew from the agreement.
        ReliefWithdrawn = "relief.withdrawn",
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
    /// A deadline met, but after its due date: not a breach for ever — it counts as
    /// compliant for the commitment, and says it was late.
    MetLate,
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
            IndicatorStatus::MetLate => 1,
            IndicatorStatus::Missing => 2,
            IndicatorStatus::Unverified => 3,
            IndicatorStatus::Overdue => 4,
            IndicatorStatus::Contested => 5,
            IndicatorStatus::Noncompliant => 6,
        }
    }

    /// The status's name as written in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            IndicatorStatus::Compliant => "compliant",
            IndicatorStatus::MetLate => "met_late",
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
    /// Why (shared with the evaluator's copy of a settled period: see [`Reasons`]).
    pub reasons: Reasons,
    /// Whether a dispute takes this finding's effect away (frozen while the dispute is
    /// open, or set aside when overturned): it then counts as unverified for reviews,
    /// phases, triggers and relief. The status shown stays the monitors' finding.
    pub frozen: bool,
    /// Evidence on the period held in escrow: recorded, not delivered to the verifier.
    pub escrow: Option<EscrowState>,
    /// For an indicator whose findings stand until replaced: the earlier period whose
    /// finding stands for this one (no report of its own).
    pub stands_from: Option<Period>,
}

/// Evidence held in escrow on a reporting period, and the verification gap it leaves.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct EscrowState {
    /// The escrowed entries.
    pub entries: Vec<LogIndex>,
    /// The escrow's end (the latest of the entries'): inclusive.
    pub until: Date,
    /// Whether it has passed without delivery.
    pub expired: bool,
    /// The verification gap: from the day after the grace ended (when the period should
    /// have been verified) until the evaluation date, while nothing is delivered.
    pub gap_since: Option<Date>,
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

/// The state of one relief action: whether the *relief* is in effect (not whether the
/// measure it relaxes applies — see [`MeasureStatus`] for the measure as compliance
/// officers speak of it).
///
/// Renamed in issue #11: `granted` was `in_force` and `held` was `suspended`, which read
/// the reverse of how practitioners speak of a measure ("the measure is suspended" means
/// relief is in effect).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReliefStatus {
    /// Not in effect yet: the agreement is not in effect, its phase is not reached, or its
    /// start date has not come.
    Scheduled,
    /// Granted: the relief is in effect (the measure is suspended, licensed or unfrozen as
    /// the action says).
    Granted,
    /// Earned but held: by an authority's decision, or while a report it rests on is
    /// overdue under the `hold_relief` policy. The measure applies.
    Held,
    /// In effect for good: the measure is lifted (the action's `lifted` date has come while
    /// it was granted); it no longer expires and no trigger reverts it.
    Lifted,
    /// Its term ran out (not the same as revoked).
    Expired,
    /// Revoked, and being wound down until `until`.
    WindDown,
    /// Revoked: the measure applies again.
    Reimposed,
    /// Replaced by a later action (a new licence).
    Superseded,
    /// Participants disagree on it (whether the invocation that reverted it was valid):
    /// every view is in `State::views`. It does not relieve.
    Contested,
}

#[allow(non_upper_case_globals)]
impl ReliefStatus {
    /// The former name of [`ReliefStatus::Granted`], kept while callers move to it.
    pub const InForce: ReliefStatus = ReliefStatus::Granted;
    /// The former name of [`ReliefStatus::Held`], kept while callers move to it.
    pub const Suspended: ReliefStatus = ReliefStatus::Held;
}

impl ReliefStatus {
    /// Whether the relief applies on the day: granted, or lifted for good.
    ///
    /// ```
    /// use accord_core::engine::state::ReliefStatus;
    /// assert!(ReliefStatus::Lifted.relieves());
    /// assert!(!ReliefStatus::WindDown.relieves());
    /// ```
    pub fn relieves(self) -> bool {
        matches!(self, ReliefStatus::Granted | ReliefStatus::Lifted)
    }

    /// The status's name as written in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            ReliefStatus::Scheduled => "scheduled",
            ReliefStatus::Granted => "granted",
            ReliefStatus::Held => "held",
            ReliefStatus::Lifted => "lifted",
            ReliefStatus::Expired => "expired",
            ReliefStatus::WindDown => "wind_down",
            ReliefStatus::Reimposed => "reimposed",
            ReliefStatus::Superseded => "superseded",
            ReliefStatus::Contested => "contested",
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
    /// The instant `until` stands for (exclusive), when a decision stated the end at a
    /// time in a zone; absent (not serialised) for an end on a day.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub until_at: Option<crate::time::Moment>,
    /// Reverted by a non-retroactive trigger: contracts concluded before this day (the
    /// fire) and consistent with the agreement are not caught by the reimposition.
    pub spares_contracts_before: Option<Date>,
}

named! {
    /// Whether the agreement is agreed and in effect.
    AgreementStatus {
        /// Not yet agreed: its effective date depends on an event (adoption) not recorded
        /// yet.
        NotYetAgreed = "not_yet_agreed",
        /// Agreed, but not yet in effect: it takes effect on a later date.
        Agreed = "agreed",
        /// In effect.
        InEffect = "in_effect",
    }
}

named! {
    /// A measure in one jurisdiction, in the words of compliance officers.
    MeasureStatus {
        /// The measure applies: no relief acting on it is in effect.
        Applies = "applies",
        /// Relief is agreed, pending a condition or a date; the measure applies meanwhile.
        ReliefScheduled = "relief_scheduled",
        /// Suspended by a waiver, licence, suspension or unfreeze that can be revoked.
        Suspended = "suspended",
        /// Terminated; `revivable_until` says until when a snapback can revive it.
        Terminated = "terminated",
        /// Lifted for good: no snapback revives it.
        Lifted = "lifted",
        /// Relief is being wound down: the measure applies again from `until`.
        WindDown = "wind_down",
        /// Relief was revoked or reverted: the measure applies again.
        Reimposed = "reimposed",
        /// Participants disagree on where it stands; every view is listed.
        Contested = "contested",
    }
}

/// A measure of a regime in its jurisdiction, and where it stands.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct MeasureState {
    /// The jurisdiction of the regime.
    pub jurisdiction: String,
    /// The regime.
    pub regime: RegimeId,
    /// The measure.
    pub measure: MeasureId,
    /// Where it stands.
    pub status: MeasureStatus,
    /// Since when (the first day of that status, inclusive), when known.
    pub since: Option<Date>,
    /// Until when, exclusive: the day a suspension expires, a wind-down ends (the measure
    /// applies again that day) or scheduled relief takes effect, when known.
    pub until: Option<Date>,
    /// For a terminated measure: whether a snapback (a trigger of the agreement that
    /// reverts the relief that terminated it) can still revive it.
    pub revivable: bool,
    /// For a terminated, revivable measure: the last day a snapback can revive it
    /// (inclusive: the day before the relief is lifted for good); none when no end is set.
    pub revivable_until: Option<Date>,
    /// The relief actions acting on it, in schedule order.
    pub actions: Vec<ActionId>,
    /// Why: the action that decides the status first.
    pub reasons: Vec<Reason>,
    /// Whether it is under review: from its reminder until its review date, inclusive.
    pub under_review: bool,
    /// Its next review date (today's, while under review), when it has review dates.
    pub next_review: Option<Date>,
    /// The day the reminder before the next review falls.
    pub reminder: Option<Date>,
    /// The day it ends by its own terms, whatever the compliance status, when known.
    pub sunset: Option<Date>,
    /// Wound down or reimposed by a non-retroactive trigger: contracts concluded before
    /// this day (the fire) and consistent with the agreement are not caught.
    pub spares_contracts_before: Option<Date>,
    /// For such a measure: what it is for a spared contract (`suspended`, or `terminated`
    /// for relief that terminated it), the relief in effect before the reimposition.
    pub spared_status: Option<MeasureStatus>,
}

impl MeasureState {
    /// The measure as it applies to a contract concluded on `concluded` (and consistent
    /// with the agreement): a non-retroactive reimposition does not catch a contract
    /// concluded before it, for which the relief in effect before still applies.
    ///
    /// ```
    /// # fn demo(m: &accord_core::engine::state::MeasureState) {
    /// let for_contract = m.for_contract(jiff::civil::date(2026, 9, 1));
    /// println!("{} for that contract", for_contract.status);
    /// # }
    /// ```
    pub fn for_contract(&self, concluded: Date) -> MeasureState {
        let mut out = self.clone();
        let spared = self.spares_contracts_before.filter(|f| concluded < *f);
        let detail = match (spared, self.status) {
            (Some(fire), MeasureStatus::WindDown | MeasureStatus::Reimposed) => {
                out.status = self.spared_status.unwrap_or(MeasureStatus::Suspended);
                out.since = None;
                out.until = None;
                format!(
                    "for a contract concluded on {concluded}, before the reimposition of {fire}: a non-retroactive reimposition does not catch it (if it is consistent with the agreement); the relief in effect before still applies to it ({})",
                    out.status.as_str()
                )
            }
            _ => contract_caught(concluded, self.spares_contracts_before),
        };
        // The reason that decides the status comes first: the contract's only when it
        // changed the status.
        let reason = Reason::rule(Rule::MeasureContract, detail);
        if out.status == self.status {
            out.reasons.push(reason);
        } else {
            out.reasons.insert(0, reason);
        }
        out
    }
}

/// Why a contract is caught: concluded on or after the fire, or no non-retroactive
/// reimposition.
fn contract_caught(concluded: Date, fire: Option<Date>) -> String {
    match fire {
        Some(fire) => format!(
            "for a contract concluded on {concluded}: on or after the reimposition of {fire}, so it is caught"
        ),
        None => format!(
            "for a contract concluded on {concluded}: no non-retroactive reimposition spares it"
        ),
    }
}

impl ActionState {
    /// The relief action as it applies to a contract concluded on `concluded` (and
    /// consistent with the agreement): reverted by a non-retroactive trigger, it is still
    /// `granted` for a contract concluded before the fire.
    pub fn for_contract(&self, concluded: Date) -> ActionState {
        let mut out = self.clone();
        let spared = self.spares_contracts_before.filter(|f| concluded < *f);
        let detail = match (spared, self.status) {
            (Some(fire), ReliefStatus::WindDown | ReliefStatus::Reimposed) => {
                out.status = ReliefStatus::Granted;
                out.since = None;
                out.until = None;
                format!(
                    "for a contract concluded on {concluded}, before the reimposition of {fire}: a non-retroactive reimposition does not catch it (if it is consistent with the agreement); the relief still applies to it"
                )
            }
            _ => contract_caught(concluded, self.spares_contracts_before),
        };
        // The reason that decides the status comes first: the contract's only when it
        // changed the status.
        let reason = Reason::rule(Rule::ReliefContract, detail);
        if out.status == self.status {
            out.reasons.push(reason);
        } else {
            out.reasons.insert(0, reason);
        }
        out
    }
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

named! {
    /// Where a regression rule (trigger) stands.
    TriggerStatus {
        /// Its condition does not hold.
        Dormant = "dormant",
        /// Its condition holds: a participant with standing may invoke it.
        Available = "available",
        /// Invoked: it fires on `until` unless halted before.
        CountingDown = "counting_down",
        /// Invoked, but a dispute freezes a finding its condition rests on.
        Paused = "paused",
        /// Halted by a participant in `halted_by`, or its invocation lapsed.
        Halted = "halted",
        /// The invocation was withdrawn by the invoker.
        Withdrawn = "withdrawn",
        /// It fired: the relief it reverts is wound down, then reimposed.
        Fired = "fired",
        /// Participants disagree on it (whether it was validly invoked): every view is in
        /// `State::views`.
        Contested = "contested",
    }
}

named! {
    /// Where a dispute stands.
    DisputeStatus {
        /// Open.
        Open = "open",
        /// Every stage ran out unresolved: the decision is the authority's.
        Exhausted = "exhausted",
        /// Resolved by an outcome (or an overdue escalation closed by its report).
        Resolved = "resolved",
        /// Withdrawn by who opened it.
        Withdrawn = "withdrawn",
    }
}

named! {
    /// Where one stage of a dispute stands.
    StageStatus {
        /// Running until its deadline.
        Running = "running",
        /// Its deadline passed.
        RanOut = "ran_out",
        /// A party moved the dispute on.
        Escalated = "escalated",
        /// The dispute was resolved or withdrawn.
        Closed = "closed",
    }
}

named! {
    /// What a dispute does to the finding (or decision) it contests.
    DisputeEffect {
        /// Open under `freeze_finding`: the finding has no effect until the dispute closes.
        Frozen = "frozen",
        /// Open under `finding_stands` (or over a decision, or an overdue escalation).
        FindingStands = "finding_stands",
        /// Overturned: the finding (or decision) is set aside.
        SetAside = "set_aside",
        /// Upheld, settled, exhausted or withdrawn: it has its effect.
        Counts = "counts",
    }
}

impl DisputeEffect {
    /// Whether the finding's effect is taken away.
    pub fn takes_effect_away(self) -> bool {
        matches!(self, DisputeEffect::Frozen | DisputeEffect::SetAside)
    }
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
    pub status: TriggerStatus,
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
    /// Once invoked: the milestones inside its countdown, with their due dates.
    pub milestones: Vec<MilestoneState>,
    /// While dormant only because the latest review has no finding in yet (its condition
    /// held at the review before): the day the latest review's findings are all due. The
    /// timeline shows no change meanwhile.
    pub awaiting: Option<Date>,
}

named! {
    /// Where a milestone inside a countdown stands.
    MilestoneStatus {
        /// Not due yet.
        Upcoming = "upcoming",
        /// Its event occurred by its due date.
        Met = "met",
        /// Due, and its event did not occur by then (or it names no event).
        Missed = "missed",
    }
}

/// A milestone inside a trigger's countdown.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct MilestoneState {
    /// What falls due, in the agreement's words.
    pub title: String,
    /// The day it falls due: the invocation plus its `after`.
    pub due: Date,
    /// The event that meets it.
    pub event: Option<EventId>,
    /// Where it stands.
    pub status: MilestoneStatus,
    /// The day its event occurred, when it did by the due date.
    pub met_on: Option<Date>,
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
    pub status: StageStatus,
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
    pub status: DisputeStatus,
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
    pub effect: DisputeEffect,
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
    /// The day it counts from (inclusive): the UTC day of its instant.
    pub effective: Date,
    /// The instant it takes effect, as the instrument stated it (local time and zone);
    /// absent (not serialised) for a decision effective on a day.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub effective_at: Option<crate::time::Moment>,
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
    /// For `renew` and `amend`, the new expiry; for `extend_wind_down`, the new end of the
    /// wind-down (exclusive).
    pub until: Option<Date>,
    /// The instant of `until` (exclusive) as stated, when stated with a time; absent (not
    /// serialised) otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub until_at: Option<crate::time::Moment>,
    /// For `revoke` and `let_expire`, the wind-down it gives.
    pub wind_down: Option<crate::time::CalendarDuration>,
    /// For `replace`, the action that replaces the relief.
    pub by: Option<ActionId>,
    /// For `designate`, the entities designated.
    pub entities: Vec<String>,
}

/// A named event.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct EventState {
    /// The event.
    pub id: EventId,
    /// Its date, when fixed by the agreement or recorded (the latest occurrence of a
    /// recurring event).
    pub date: Option<Date>,
    /// Why.
    pub reasons: Vec<Reason>,
    /// Every recorded occurrence, in log order (several for a recurring event).
    pub occurrences: Vec<Date>,
    /// The instant of the recorded occurrence `date` comes from, as recorded (local time
    /// and zone), when it was recorded with a time; absent (not serialised) otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at: Option<crate::time::Moment>,
}

/// A log entry that does not count.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct RejectedEntry {
    /// The entry.
    pub entry: LogIndex,
    /// Why it does not count.
    pub reason: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reason(detail: &str) -> Reason {
        Reason::with_entries(
            Rule::IndicatorQuorum,
            detail,
            vec![LogIndex(2), LogIndex(1)],
        )
    }

    #[test]
    fn shared_reasons_read_write_and_serialise_as_a_list() {
        let list = vec![reason("a"), reason("b")];
        let shared = Reasons::from(list.clone());
        assert_eq!(*shared, list);
        assert_eq!(
            serde_json::to_string(&shared).unwrap(),
            serde_json::to_string(&list).unwrap()
        );
        // Writing to a copy leaves the others as they were.
        let mut copy = shared.clone();
        copy.push(reason("c"));
        copy.insert(0, reason("z"));
        assert_eq!(*shared, list);
        assert_eq!(copy.len(), 4);
        assert_eq!(copy.first().map(|r| r.detail.as_str()), Some("z"));
        // An emptied list is equal to none, and both serialise as `[]`.
        let mut emptied = Reasons::from(vec![reason("a")]);
        emptied.clear();
        assert_eq!(emptied, Reasons::default());
        assert_eq!(Reasons::from(Vec::new()), Reasons::default());
        assert_eq!(serde_json::to_string(&Reasons::default()).unwrap(), "[]");
        assert_eq!((&shared).into_iter().count(), 2);
    }
}
