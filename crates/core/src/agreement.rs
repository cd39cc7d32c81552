//! The agreement: parties, monitors, commitments made measurable by indicators, the relief
//! schedule, exemptions, triggers, reviews, disputes and proportionality (DESIGN §2).
//!
//! This is the evaluated form of an agreement file. `accord-spec` parses and validates the
//! file and lowers it to these types; the engine reads them. An [`Agreement`] value is one
//! *version*; amendments are further versions with a later effective date.
//!
//! INVARIANT: the engine may be handed an agreement that did not pass validation (an
//! outsider replays whatever was published), so nothing here is assumed consistent: ids
//! may dangle and the engine must say so rather than panic. `accord_spec::check` is where
//! consistency is enforced for people who write agreements.
//!
//! Collections are `Vec`s in file order (phases are ordered; everything else keeps the
//! author's order for reports). Lookups by id are linear or through maps the engine builds.

use crate::id::{
    ActionId, AgreementId, CommitmentId, EventId, ExemptionId, IndicatorId, MeasureId,
    ParticipantId, PhaseId, RegimeId, StageId, TriggerId, UnitId,
};
use crate::rule::{Condition, DateRule};
use crate::statement::{Confidentiality, Method, StatementKind};
use crate::time::{CalendarDuration, Instant};

/// One version of an agreement.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Agreement {
    /// The agreement's identifier, the same across versions.
    pub id: AgreementId,
    /// Its title.
    pub title: String,
    /// This version's number, from 1.
    pub version: u32,
    /// From when this version governs (the first version: from adoption).
    pub effective: DateRule,
    /// The IANA zone the agreement counts its days in (`America/New_York`): its plain
    /// dates are days there, and day-derived ends (countdowns, grace periods, dispute
    /// deadlines, expiries by date) end at the end of the day there. UTC when absent. The
    /// first version's zone governs every version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zone: Option<String>,
    /// Who must sign this version before it is in force (empty for version 1, which is in
    /// force by adoption).
    pub signatories: Vec<ParticipantId>,
    /// SHA-256 (lowercase hex) of the text this version was read from, set by whoever read
    /// it (`accord_spec`): an amendment signature counts only for the text it names, so a
    /// signature on one draft does not bring another into force. Not part of the model; a
    /// version built in code has none and its signatures are matched by number alone.
    #[serde(skip)]
    pub document_sha256: Option<String>,
    /// The parties.
    pub parties: Vec<Party>,
    /// The independent monitors.
    pub monitors: Vec<Monitor>,
    /// The sanctions regimes whose measures the relief acts on.
    pub regimes: Vec<Regime>,
    /// Units of measure and their conversions.
    pub units: Vec<Unit>,
    /// Named events that dates are computed from.
    pub events: Vec<Event>,
    /// What the target undertakes.
    pub commitments: Vec<Commitment>,
    /// How commitments are measured.
    pub indicators: Vec<Indicator>,
    /// The relief schedule, in order.
    pub phases: Vec<Phase>,
    /// Humanitarian carve-outs, in force in every state.
    pub exemptions: Vec<Exemption>,
    /// Regression rules.
    pub triggers: Vec<Trigger>,
    /// When reviews happen.
    pub review: Review,
    /// The dispute process.
    pub disputes: DisputeProcess,
    /// How much relief is worth and how much verification each method provides.
    pub proportionality: Proportionality,
}

/// A party to the agreement.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Party {
    /// Its identifier in statements.
    pub id: ParticipantId,
    /// Its name.
    pub name: String,
    /// Its role.
    pub role: PartyRole,
    /// The jurisdiction it speaks for (`US`, `EU`, …), for authorities.
    pub jurisdiction: Option<Jurisdiction>,
    /// Its signing keys.
    pub keys: Vec<PublicKey>,
}

/// What a party is to the agreement.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum PartyRole {
    /// A sanctioning authority: grants and revokes relief.
    Authority,
    /// The sanctioned party that undertakes the commitments.
    Target,
    /// A state or body that guarantees the agreement.
    Guarantor,
    /// Follows the agreement without acting in it.
    Observer,
}

/// An independent monitor. A monitor is never also a party.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Monitor {
    /// Its identifier in statements.
    pub id: ParticipantId,
    /// Its name.
    pub name: String,
    /// The methods it is accredited for.
    pub methods: Vec<Method>,
    /// Its signing keys.
    pub keys: Vec<PublicKey>,
}

/// A signing key declared in the agreement.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PublicKey {
    /// The Ed25519 public key: a C2SP verifier key (`name+hex8+base64`) or 32 bytes in base64.
    pub key: String,
    /// From when it may sign; unbounded when absent.
    pub valid_from: Option<Instant>,
    /// Until when it may sign; unbounded when absent.
    pub valid_until: Option<Instant>,
}

/// A jurisdiction code: `UN`, `EU`, `US`, `UK`, or another ISO 3166 alpha-2 code.
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub struct Jurisdiction(pub String);

/// A sanctions programme of one jurisdiction.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Regime {
    /// Its identifier in the agreement.
    pub id: RegimeId,
    /// The jurisdiction that imposes it.
    pub jurisdiction: Jurisdiction,
    /// Its name.
    pub name: String,
    /// Its legal basis (instrument, resolution, executive order).
    pub legal_basis: String,
    /// The programme codes under which the official lists publish it (`IRAN`, `SDGT`…).
    pub list_programmes: Vec<String>,
    /// Its measures.
    pub measures: Vec<Measure>,
}

/// One restriction of a regime.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Measure {
    /// Its identifier in the agreement.
    pub id: MeasureId,
    /// What kind of restriction.
    pub kind: MeasureKind,
    /// The sectors or activities it covers (`energy`, `finance`, `aviation`, …).
    pub sectors: Vec<String>,
    /// Its legal basis, when narrower than the regime's.
    pub legal_basis: Option<String>,
    /// Plain-words description.
    pub description: String,
    /// When the measure is reviewed (its renewal by the jurisdiction that imposes it).
    #[serde(default)]
    pub review: Option<MeasureReview>,
    /// The day the measure ends by its own terms, whatever the compliance status.
    #[serde(default)]
    pub sunset: Option<DateRule>,
}

/// The review dates of a measure, and the reminder before each.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct MeasureReview {
    /// The first review.
    pub starts: DateRule,
    /// How often it recurs (once when absent).
    pub every: Option<CalendarDuration>,
    /// No review on or after this date.
    pub ends: Option<DateRule>,
    /// The measure is under review from this long before each review date.
    pub remind: Option<CalendarDuration>,
}

/// The kinds of restriction.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum MeasureKind {
    /// Assets of designated entities frozen.
    AssetFreeze,
    /// Designated people may not enter.
    TravelBan,
    /// Activity in whole sectors prohibited.
    SectoralProhibition,
    /// Arms trade prohibited.
    ArmsEmbargo,
    /// Export of listed goods restricted.
    ExportControl,
}

/// A unit of measure. Units of the same `quantity` convert into each other; units of
/// different quantities are never compared.
///
/// A cap in kg of uranium (`quantity = "uranium_mass"`, `factor = 1`) can be checked against
/// a report in kg of UF6 only if the agreement declares `kg_uf6` with
/// `quantity = "uranium_mass"` and `factor = 0.676` (the uranium mass in one kg of UF6).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Unit {
    /// Its identifier.
    pub id: UnitId,
    /// What it measures: only units of the same quantity are comparable.
    pub quantity: String,
    /// How many base units of that quantity one of this unit is.
    pub factor: f64,
    /// Plain-words name, e.g. "kilograms of uranium (element)".
    pub description: String,
    /// How many decimal places its values are printed with (2 when absent).
    #[serde(default)]
    pub precision: Option<u8>,
}

impl Unit {
    /// A value in this unit as printed: rounded to its precision, trailing zeros dropped.
    ///
    /// ```
    /// # use accord_core::agreement::Unit;
    /// let kg = Unit { id: "kg_u".parse().unwrap(), quantity: "uranium_mass".into(), factor: 1.0,
    ///                 description: "kg U".into(), precision: None };
    /// assert_eq!(kg.show(256.88000000000002), "256.88");
    /// assert_eq!(kg.show(252.0), "252");
    /// ```
    pub fn show(&self, value: f64) -> String {
        show(value, self.precision.unwrap_or(2))
    }
}

/// A value rounded to `places` decimal places, trailing zeros (and a trailing point)
/// dropped.
pub fn show(value: f64, places: u8) -> String {
    // The shortest text that reads back as `value` is already its rounding to `places`
    // when it has no more decimals than that and two neighbouring doubles are far closer
    // than a unit of the last place (|value| < 2^30, so under 2^-23 apart, and at most 6
    // places): it spares the exact formatting, most of the cost of a reason's text.
    if places <= 6 && value.abs() < 1_073_741_824.0 {
        let text = value.to_string();
        let decimals = text.split_once('.').map_or(0, |(_, d)| d.len());
        if decimals <= usize::from(places) {
            return if text == "-0" { "0".to_owned() } else { text };
        }
    }
    let text = format!("{value:.*}", usize::from(places));
    let text = if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        text
    };
    if text == "-0" { "0".to_owned() } else { text }
}

/// A named event, e.g. adoption day, implementation day, the monitor's report.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Event {
    /// Its identifier.
    pub id: EventId,
    /// Plain-words description.
    pub description: String,
    /// When it happens, if the agreement fixes it; otherwise it is recorded in the log.
    pub date: Option<DateRule>,
    /// Who records it (authorities, guarantors); any authority when empty.
    #[serde(default)]
    pub recorded_by: Vec<ParticipantId>,
    /// Whether it may occur several times (votes): dates computed from it take the latest
    /// occurrence. Once only when false.
    #[serde(default)]
    pub recurs: bool,
}

/// Something the target undertakes, made measurable by its indicators.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Commitment {
    /// Its identifier.
    pub id: CommitmentId,
    /// A short title.
    pub title: String,
    /// The undertaking in plain words, as negotiated.
    pub text: String,
    /// The themes it belongs to (`"nuclear"`, `"human-rights"`), for reports that roll
    /// commitments up by theme; none when absent.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub themes: Vec<String>,
}

/// A measurable fact about a commitment.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Indicator {
    /// Its identifier.
    pub id: IndicatorId,
    /// The commitment it measures.
    pub commitment: CommitmentId,
    /// Plain-words description.
    pub description: String,
    /// What is measured and what counts as compliant.
    pub target: IndicatorTarget,
    /// How often it is reported: each reporting period is this long.
    pub cadence: CalendarDuration,
    /// When the first reporting period starts (a date rule: `adoption + P30D` for a start
    /// offset).
    pub starts: DateRule,
    /// No reporting period starts on or after this date ("every 180 days for 4 years");
    /// reporting goes on while the agreement lasts when absent.
    #[serde(default)]
    pub ends: Option<DateRule>,
    /// How long after a period's end a report may come before it is overdue.
    pub grace: CalendarDuration,
    /// What an overdue report means.
    pub overdue: OverduePolicy,
    /// A breach cured within this window after its period closes has no consequence.
    pub cure: Option<CalendarDuration>,
    /// Findings stand until replaced: a period with no report of its own takes the latest
    /// earlier finding (a few dated inspections, not a report every period), within its
    /// maximum age when one is set.
    #[serde(default)]
    pub stands: Option<Stands>,
    /// Who verifies it and how.
    pub verification: Verification,
}

/// Findings that stand until replaced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Stands {
    /// A finding stands for periods ending at most this long after its own period ends.
    pub max_age: Option<CalendarDuration>,
}

/// What an indicator measures and what counts as compliant.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum IndicatorTarget {
    /// A numeric amount compared with a limit in a declared unit.
    Threshold {
        /// How the observed amount must compare with the limit.
        comparison: Comparison,
        /// The limit.
        limit: f64,
        /// The limit's unit.
        unit: UnitId,
    },
    /// A yes/no fact that must have the expected value.
    Flag {
        /// The value that is compliant.
        expected: bool,
    },
    /// A count compared with a limit.
    Count {
        /// How the observed count must compare with the limit.
        comparison: Comparison,
        /// The limit.
        limit: u64,
    },
    /// Something that must be done by a date; reports give the date it was done.
    Deadline {
        /// The due date.
        due: DateRule,
    },
    /// A grade on an ordered scale; compliant at or above `pass`.
    Grade {
        /// The grades, worst first.
        scale: Vec<String>,
        /// The lowest compliant grade.
        pass: String,
    },
}

/// How an observed value must compare with a limit.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Comparison {
    /// `value <= limit` (a cap).
    AtMost,
    /// `value < limit`.
    Below,
    /// `value >= limit` (a floor).
    AtLeast,
    /// `value > limit`.
    Above,
    /// `value == limit` (within the protocol's tolerance).
    Equal,
}

impl Comparison {
    /// Whether `value` compares with `limit` as this comparison requires.
    pub fn holds(self, value: f64, limit: f64) -> bool {
        match self {
            Comparison::AtMost => value <= limit,
            Comparison::Below => value < limit,
            Comparison::AtLeast => value >= limit,
            Comparison::Above => value > limit,
            Comparison::Equal => value == limit,
        }
    }
}

/// What an overdue report means.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "policy", rename_all = "snake_case")]
pub enum OverduePolicy {
    /// The period is shown overdue and nothing else follows: relief is not held (the
    /// default of the agreement format).
    None,
    /// Relief that depends on it is held until the report comes.
    HoldRelief,
    /// It counts as non-compliant after this many consecutive missed periods.
    NoncompliantAfter {
        /// Consecutive missed periods.
        misses: u32,
    },
    /// It is escalated to the dispute process at this stage.
    Escalate {
        /// The stage.
        stage: StageId,
    },
}

/// Who verifies an indicator and how.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Verification {
    /// The monitors who report on it.
    pub monitors: Vec<ParticipantId>,
    /// The accepted methods.
    pub methods: Vec<Method>,
    /// How many of the monitors must report agreeing values (k of n).
    pub quorum: u32,
    /// How far apart monitors' values may be and still agree.
    pub tolerance: Tolerance,
    /// Whether the target's own reports count.
    pub self_report: SelfReport,
    /// Who may read the evidence.
    pub confidentiality: Confidentiality,
}

/// How far apart two monitors' values may be and still agree.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Tolerance {
    /// They must be equal.
    Exact,
    /// Within this absolute difference, in the indicator's unit.
    Absolute {
        /// The difference.
        value: f64,
    },
    /// Within this fraction of the larger value (0.05 = 5%).
    Relative {
        /// The fraction.
        fraction: f64,
    },
}

/// Whether the target's own reports count.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum SelfReport {
    /// Self-reports are recorded but verify nothing: alone, the indicator is unverified.
    NotAccepted,
    /// Self-reports count toward the quorum alongside monitors.
    CountsTowardQuorum,
    /// A self-report alone suffices.
    Sufficient,
}

/// A phase of the relief schedule.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Phase {
    /// Its identifier.
    pub id: PhaseId,
    /// Its title.
    pub title: String,
    /// What must hold to enter it (phases are entered in order).
    pub entry: Condition,
    /// It cannot be entered before this date, whatever the evidence.
    pub not_before: Option<DateRule>,
    /// The relief it brings.
    pub actions: Vec<ReliefAction>,
}

/// One act of relief.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ReliefAction {
    /// Its identifier.
    pub id: ActionId,
    /// Its title.
    pub title: String,
    /// What it does.
    pub kind: ReliefKind,
    /// The regime it acts on.
    pub regime: RegimeId,
    /// When it takes effect; the phase's entry date when absent.
    pub starts: Option<DateRule>,
    /// When it expires (not the same as revoked); never when absent.
    pub expires: Option<DateRule>,
    /// From when the relief is permanent: the measure is lifted for good rather than
    /// suspended or licensed (a "termination day"). From then on it no longer expires and no
    /// trigger reverts it; an authority's later decision still applies, as a departure.
    /// Never when absent.
    #[serde(default)]
    pub lifted: Option<DateRule>,
    /// Whether and how it renews at expiry.
    pub renewal: Renewal,
    /// An earlier action this one replaces from its start (e.g. a new licence).
    pub supersedes: Option<ActionId>,
    /// How much relief it is worth, for proportionality.
    pub weight: f64,
}

/// What a relief action does.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ReliefKind {
    /// Suspend a measure for some sectors (all its sectors when empty).
    SuspendMeasure {
        /// The measure.
        measure: MeasureId,
        /// The sectors.
        sectors: Vec<String>,
    },
    /// Terminate a measure for some sectors (all its sectors when empty): its provisions
    /// cease to apply, not merely suspended. A trigger that reverts the action may still
    /// revive it, until the action's `lifted` date (after which it is lifted for good).
    TerminateMeasure {
        /// The measure.
        measure: MeasureId,
        /// The sectors.
        sectors: Vec<String>,
    },
    /// Remove named entities from the lists.
    Delist {
        /// The entities.
        entities: Vec<EntityRef>,
    },
    /// Issue a general licence.
    GeneralLicence {
        /// The licence's number or name.
        licence: String,
        /// What it authorises, in plain words.
        scope: String,
        /// The activities or sectors it covers.
        activities: Vec<String>,
    },
    /// Unfreeze assets up to an amount.
    Unfreeze {
        /// The amount.
        amount: f64,
        /// ISO 4217 currency code.
        currency: String,
        /// The measure (asset freeze) it relaxes.
        measure: MeasureId,
    },
    /// Expand cooperation into a new area.
    Cooperation {
        /// The area.
        area: String,
    },
}

/// An entity named in a relief action, as the official lists identify it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct EntityRef {
    /// Its name as listed.
    pub name: String,
    /// The list and the list's own identifier, e.g. `ofac-sdn:12345`.
    pub list_id: Option<String>,
}

/// Whether a relief action renews at expiry.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Renewal {
    /// It lapses at expiry unless an authority decides to renew it.
    None,
    /// It renews for `term` each time it expires while `unless` does not hold, at most
    /// `max_terms` times (unbounded when absent).
    Automatic {
        /// The length of each renewed term.
        term: CalendarDuration,
        /// It does not renew if this holds at expiry.
        unless: Option<Condition>,
        /// At most this many renewals.
        max_terms: Option<u32>,
    },
}

/// A humanitarian carve-out: in force in every state, snapback included.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Exemption {
    /// Its identifier.
    pub id: ExemptionId,
    /// Its title.
    pub title: String,
    /// What it permits, in plain words.
    pub scope: String,
    /// The activities it covers (`food`, `medicine`, `humanitarian_aid`, …).
    pub activities: Vec<String>,
    /// The regimes it applies to (all of the agreement's when empty).
    pub regimes: Vec<RegimeId>,
    /// Its legal basis.
    pub legal_basis: String,
}

/// A regression rule: what non-compliance reverts which relief.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Trigger {
    /// Its identifier.
    pub id: TriggerId,
    /// Its title.
    pub title: String,
    /// The condition under which it may be invoked (or fires, if automatic).
    pub when: Condition,
    /// Who may invoke it; nobody needs to when `automatic`.
    pub standing: Vec<ParticipantId>,
    /// Fires by itself when `when` holds, without invocation.
    pub automatic: bool,
    /// Once invoked, relief reverts when this runs out unless halted.
    pub countdown: Option<CalendarDuration>,
    /// Who may halt the countdown (by a recorded resolution or vote).
    pub halted_by: Vec<ParticipantId>,
    /// What it reverts to.
    pub reverts_to: Reversion,
    /// Relief reverted is wound down over this period before it is reimposed.
    pub wind_down: CalendarDuration,
    /// Contracts concluded before reimposition may be performed during the wind-down and are
    /// not penalised retroactively.
    pub non_retroactive: bool,
    /// How relief it reverted comes back after it fires.
    #[serde(default)]
    pub reentry: Reentry,
    /// Milestones inside the countdown ("if no draft is tabled within 10 days, the
    /// presidency tables one").
    #[serde(default)]
    pub milestones: Vec<Milestone>,
}

/// A milestone inside a trigger's countdown.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Milestone {
    /// What falls due, and what happens if it is not met, in plain words.
    pub title: String,
    /// How long after the invocation it falls due.
    pub after: CalendarDuration,
    /// The event that meets it when it occurs by then (none: a date only).
    pub event: Option<EventId>,
}

/// How relief reverted by a fired trigger comes back.
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    serde::Serialize,
    serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Reentry {
    /// Only an authority's decision or an amendment restores it (the default).
    #[default]
    ByDecision,
    /// Each reverted phase is earned again by its entry condition, met at reviews that
    /// begin on or after the day the trigger fired; the trigger is then re-armed.
    ReEarn,
}

/// What a trigger reverts.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "to", rename_all = "snake_case")]
pub enum Reversion {
    /// Back to before the agreement: every phase's relief reimposed.
    PreAgreement,
    /// Back to the end of this phase: later phases' relief reimposed.
    Phase {
        /// The phase kept.
        phase: PhaseId,
    },
    /// Only these actions revoked; the rest kept as leverage.
    Actions {
        /// The actions revoked.
        actions: Vec<ActionId>,
    },
}

/// When reviews happen.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Review {
    /// The first review period starts here.
    pub starts: DateRule,
    /// Each review period is this long.
    pub every: CalendarDuration,
    /// No review period starts on or after this date; reviews go on when absent.
    #[serde(default)]
    pub ends: Option<DateRule>,
}

/// The dispute process.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct DisputeProcess {
    /// The stages.
    pub stages: Vec<Stage>,
    /// What relief does while a dispute is open.
    pub while_open: WhileOpen,
    /// Who may open a dispute (every party when empty).
    pub standing: Vec<ParticipantId>,
    /// Who records a dispute's outcome: every one of them signs the resolution together
    /// (a joint body's decision). When empty, any authority of the agreement records it.
    #[serde(default)]
    pub resolved_by: Vec<ParticipantId>,
    /// Whose consent an extension needs. When empty, every party still taking part on the
    /// day (not observers).
    #[serde(default)]
    pub extension_consent: Vec<ParticipantId>,
}

/// A stage of the dispute process.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Stage {
    /// Its identifier.
    pub id: StageId,
    /// Who hears it, in plain words (joint commission, ministers, advisory board).
    pub title: String,
    /// How long it runs.
    pub deadline: CalendarDuration,
    /// Whether its deadline can be extended by consent of every party.
    pub extension: Extension,
    /// Where the dispute goes when the deadline passes; the last stage hands the decision
    /// to the authority.
    pub next: Option<StageId>,
    /// Stages that run beside it (e.g. an advisory opinion beside a ministerial review).
    pub parallel: Vec<StageId>,
    /// Stages a party with standing may escalate to instead of `next` (e.g. arbitration
    /// instead of a ministerial review). A deadline that passes still leads to `next`.
    #[serde(default)]
    pub alternatives: Vec<StageId>,
    /// Who may escalate from it (every party when empty).
    pub standing: Vec<ParticipantId>,
}

/// Whether a stage's deadline can be extended.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Extension {
    /// It cannot.
    None,
    /// By consent of every party, by at most `max` (open-ended when absent).
    ByConsent {
        /// The longest extension.
        max: Option<CalendarDuration>,
    },
}

/// What relief does while a dispute over a finding is open.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum WhileOpen {
    /// The disputed finding has no effect until the dispute closes (the default).
    FreezeFinding,
    /// The finding has its effect meanwhile.
    FindingStands,
}

/// How much relief is worth and how much verification each method provides.
///
/// Relief is never granted on thinner verification than declared: an action's `weight`
/// must not exceed the verification its phase's entry condition rests on (the weakest
/// indicator involved, each indicator providing the sum of its methods' weights).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Proportionality {
    /// Verification each method provides.
    pub methods: Vec<(Method, f64)>,
}

impl ReliefKind {
    /// The measure the action names, for suspensions, terminations and unfreezes.
    pub fn measure(&self) -> Option<&MeasureId> {
        match self {
            ReliefKind::SuspendMeasure { measure, .. }
            | ReliefKind::TerminateMeasure { measure, .. }
            | ReliefKind::Unfreeze { measure, .. } => Some(measure),
            ReliefKind::Delist { .. }
            | ReliefKind::GeneralLicence { .. }
            | ReliefKind::Cooperation { .. } => None,
        }
    }
}

impl Agreement {
    /// The instants the agreement states for its acts (effective, event dates, phases not
    /// before, relief starts, expiries and lifts, sunsets, measure reviews) and for its
    /// schedules (indicators' and reviews' starts and ends), each stated instant or one
    /// shifted later by a duration: where a timeline looks between days.
    pub fn stated_instants(&self) -> Vec<crate::time::Moment> {
        let mut rules: Vec<&DateRule> = vec![&self.effective];
        rules.extend(self.events.iter().filter_map(|e| e.date.as_ref()));
        for phase in &self.phases {
            rules.extend(&phase.not_before);
            for a in &phase.actions {
                rules.extend([&a.starts, &a.expires, &a.lifted].into_iter().flatten());
            }
        }
        for regime in &self.regimes {
            rules.extend(regime.measures.iter().filter_map(|m| m.sunset.as_ref()));
            for review in regime.measures.iter().filter_map(|m| m.review.as_ref()) {
                rules.push(&review.starts);
                rules.extend(&review.ends);
            }
        }
        // Schedules that begin or end at an instant: indicators and reviews.
        for i in &self.indicators {
            rules.push(&i.starts);
            rules.extend(&i.ends);
        }
        rules.push(&self.review.starts);
        rules.extend(&self.review.ends);
        rules.into_iter().filter_map(DateRule::instant).collect()
    }

    /// The party or monitor with this id.
    pub fn participant(&self, id: &ParticipantId) -> Option<Participant<'_>> {
        if let Some(p) = self.parties.iter().find(|p| &p.id == id) {
            return Some(Participant::Party(p));
        }
        self.monitors
            .iter()
            .find(|m| &m.id == id)
            .map(Participant::Monitor)
    }

    /// The indicators of a commitment, in file order.
    pub fn indicators_of<'a>(
        &'a self,
        commitment: &'a CommitmentId,
    ) -> impl Iterator<Item = &'a Indicator> + 'a {
        self.indicators
            .iter()
            .filter(move |i| &i.commitment == commitment)
    }

    /// Every relief action of every phase, with its phase, in schedule order.
    pub fn actions(&self) -> impl Iterator<Item = (&Phase, &ReliefAction)> {
        self.phases
            .iter()
            .flat_map(|p| p.actions.iter().map(move |a| (p, a)))
    }
}

/// A party or a monitor.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Participant<'a> {
    /// A party.
    Party(&'a Party),
    /// A monitor.
    Monitor(&'a Monitor),
}

impl Participant<'_> {
    /// Whether this participant may make statements of this kind in the agreement, by role
    /// (see [`role_may_state`]).
    pub fn may_state(&self, kind: StatementKind) -> bool {
        match self {
            Participant::Monitor(_) => role_may_state(None, kind),
            Participant::Party(p) => role_may_state(Some(p.role), kind),
        }
    }
}

/// Who may make which kind of statement, by role (`None` is a monitor).
///
/// This is the one table shared by the ledger (at acceptance), the scenario checker and the
/// engine, so that an entry the ledger accepts is never refused for its kind later. Finer
/// rules are checked against the agreement where they apply: which monitor reports on which
/// indicator (the engine), who has standing for which trigger or dispute stage (the ledger's
/// roster and the engine).
///
/// ```
/// use accord_core::agreement::{PartyRole, role_may_state};
/// use accord_core::statement::StatementKind;
/// assert!(role_may_state(Some(PartyRole::Authority), StatementKind::Decision));
/// assert!(!role_may_state(None, StatementKind::Decision));
/// assert!(role_may_state(None, StatementKind::Evidence));
/// ```
pub fn role_may_state(party: Option<PartyRole>, kind: StatementKind) -> bool {
    use StatementKind as K;
    let Some(role) = party else {
        return matches!(
            kind,
            K::Evidence | K::Correction | K::Retraction | K::KeyEvent | K::Signal
        );
    };
    match (role, kind) {
        (_, K::KeyEvent | K::Signal | K::Participation) => true,
        (PartyRole::Observer, _) => false,
        (_, K::DisputeStep | K::TriggerStep | K::AmendmentSignature) => true,
        (PartyRole::Target, K::Evidence | K::Correction | K::Retraction) => true,
        (PartyRole::Authority, K::Decision | K::Retraction) => true,
        (PartyRole::Authority | PartyRole::Guarantor, K::EventOccurred) => true,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn party(role: PartyRole) -> Party {
        Party {
            id: ParticipantId::new("p").unwrap(),
            name: "P".into(),
            role,
            jurisdiction: None,
            keys: vec![],
        }
    }

    #[test]
    fn only_authorities_decide_and_monitors_only_observe() {
        let authority = party(PartyRole::Authority);
        let target = party(PartyRole::Target);
        let observer = party(PartyRole::Observer);
        let monitor = Monitor {
            id: ParticipantId::new("m").unwrap(),
            name: "M".into(),
            methods: vec![Method::OnSiteInspection],
            keys: vec![],
        };
        assert!(Participant::Party(&authority).may_state(StatementKind::Decision));
        assert!(!Participant::Party(&target).may_state(StatementKind::Decision));
        assert!(!Participant::Monitor(&monitor).may_state(StatementKind::Decision));
        assert!(Participant::Monitor(&monitor).may_state(StatementKind::Evidence));
        assert!(Participant::Party(&target).may_state(StatementKind::Evidence));
        assert!(!Participant::Party(&authority).may_state(StatementKind::Evidence));
        assert!(!Participant::Party(&observer).may_state(StatementKind::DisputeStep));
        assert!(Participant::Party(&target).may_state(StatementKind::DisputeStep));
    }

    #[test]
    fn comparisons_are_the_ones_their_names_say() {
        assert!(Comparison::AtMost.holds(3.67, 3.67));
        assert!(!Comparison::Below.holds(3.67, 3.67));
        assert!(Comparison::AtLeast.holds(5.0, 3.0));
        assert!(!Comparison::Above.holds(3.0, 3.0));
        assert!(Comparison::Equal.holds(2.0, 2.0));
    }
}
