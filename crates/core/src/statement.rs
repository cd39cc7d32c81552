//! What participants say in an agreement's evidence log.
//!
//! Every entry of the log carries one [`Statement`], signed by one or more authors (several
//! monitors may attest the same observation). Nothing is ever edited in place: a
//! [`Correction`] or a [`Retraction`] is a new statement that points at an older one by its
//! [`LogIndex`].
//!
//! The ledger crate owns how a statement is encoded, signed and checked before it is
//! accepted; the engine reads [`LoggedStatement`]s — statements with the index and record
//! time the log gave them — and knows nothing of signatures.
//!
//! INVARIANT: every statement type here serialises deterministically with serde (no maps
//! with unordered keys, no floating-point NaN or infinity: [`Quantity::new`] refuses them).

use crate::id::{
    ActionId, AgreementId, DisputeId, EventId, IndicatorId, ParticipantId, PhaseId, StageId,
    TriggerId, UnitId,
};
use crate::time::{Date, Instant, Moment, Period};

/// The position of an entry in an agreement's log, counted from 0.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub struct LogIndex(pub u64);

impl std::fmt::Display for LogIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "#{}", self.0)
    }
}

/// A statement as the engine sees it: accepted by the ledger, with its place and record time.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LoggedStatement {
    /// Where the entry sits in the log.
    pub index: LogIndex,
    /// When the log accepted it (record time; `as_of` cuts on this).
    pub recorded_at: Instant,
    /// The agreement the statement belongs to (inside what was signed).
    pub agreement: AgreementId,
    /// Who signed it; several monitors when they attest one observation together.
    pub authors: Vec<ParticipantId>,
    /// What was said.
    pub statement: Statement,
}

/// One thing a participant says in the log.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Statement {
    /// An observation of an indicator over a period, by a monitor or (self-report) a party.
    Evidence(Evidence),
    /// A replacement for an earlier evidence statement.
    Correction(Correction),
    /// The withdrawal of an earlier statement.
    Retraction(Retraction),
    /// A signed act of an authority: relief granted, held, revoked, renewed or let expire.
    Decision(Decision),
    /// A step of a dispute: opened, escalated, extended, resolved, a party's position.
    DisputeStep(DisputeStep),
    /// A step of a regression rule: snapback invoked, halted by a vote, withdrawn.
    TriggerStep(TriggerStep),
    /// A dated event other dates are computed from ("adoption day", "the monitor's report").
    EventOccurred(EventOccurred),
    /// A party's signature on a new version of the agreement.
    AmendmentSignature(AmendmentSignature),
    /// Registration, rotation or revocation of a participant's signing key.
    KeyEvent(KeyEvent),
    /// A risk signal or a recommendation: changes no state, shown wherever it is.
    Signal(Signal),
    /// A participant joins, ceases participating or withdraws.
    Participation(Participation),
}

impl Statement {
    /// The statement kind as written in the log (`evidence`, `decision`, ...).
    pub fn kind(&self) -> StatementKind {
        match self {
            Statement::Evidence(_) => StatementKind::Evidence,
            Statement::Correction(_) => StatementKind::Correction,
            Statement::Retraction(_) => StatementKind::Retraction,
            Statement::Decision(_) => StatementKind::Decision,
            Statement::DisputeStep(_) => StatementKind::DisputeStep,
            Statement::TriggerStep(_) => StatementKind::TriggerStep,
            Statement::EventOccurred(_) => StatementKind::EventOccurred,
            Statement::AmendmentSignature(_) => StatementKind::AmendmentSignature,
            Statement::KeyEvent(_) => StatementKind::KeyEvent,
            Statement::Signal(_) => StatementKind::Signal,
            Statement::Participation(_) => StatementKind::Participation,
        }
    }
}

/// The kinds of [`Statement`], for entitlement rules ("who may say what").
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum StatementKind {
    /// See [`Statement::Evidence`].
    Evidence,
    /// See [`Statement::Correction`].
    Correction,
    /// See [`Statement::Retraction`].
    Retraction,
    /// See [`Statement::Decision`].
    Decision,
    /// See [`Statement::DisputeStep`].
    DisputeStep,
    /// See [`Statement::TriggerStep`].
    TriggerStep,
    /// See [`Statement::EventOccurred`].
    EventOccurred,
    /// See [`Statement::AmendmentSignature`].
    AmendmentSignature,
    /// See [`Statement::KeyEvent`].
    KeyEvent,
    /// See [`Statement::Signal`].
    Signal,
    /// See [`Statement::Participation`].
    Participation,
}

/// A participant joins the agreement, ceases participating, or withdraws from it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Participation {
    /// Who.
    pub participant: ParticipantId,
    /// What changes.
    pub change: ParticipationChange,
    /// From when (inclusive): a date, or an instant in a zone.
    pub effective: Moment,
    /// For an authority's withdrawal: its relief is wound down over this period, then the
    /// measures apply again (at once when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wind_down: Option<crate::time::CalendarDuration>,
    /// Remarks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// What changes in a participation.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum ParticipationChange {
    /// It takes part from then on (a participant listed in the agreement whose first
    /// change is a join does not take part before it).
    Join,
    /// It stops taking part, without leaving: it has no standing for later steps.
    Cease,
    /// It leaves: no standing for later steps, and an authority's relief is reimposed.
    Withdraw,
}

/// A risk signal or a recommendation ("partial reversal, not full snapback"): it changes
/// no state, and appears wherever the state is shown.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Signal {
    /// A risk signal or a recommendation. (Not `kind`: that names the statement's kind in
    /// the log.)
    pub signal: SignalKind,
    /// What it is about, in the timeline's words (`trigger snapback`, `measure eu-oil`),
    /// when it is about one subject.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// What it says.
    pub text: String,
}

/// The kinds of [`Signal`].
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum SignalKind {
    /// A risk signal (a warning of non-compliance ahead, say).
    Risk,
    /// A recommendation (a partial reversal rather than a full snapback, say).
    Recommendation,
}

/// An observation of one indicator over one period.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Evidence {
    /// The indicator observed.
    pub indicator: IndicatorId,
    /// The period observed (valid time).
    pub period: Period,
    /// What was observed.
    pub value: Observation,
    /// How it was observed.
    pub method: Method,
    /// SHA-256 digests (lowercase hex) of the attachments: imagery, inspection reports.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<String>,
    /// Who may read the content.
    pub confidentiality: Confidentiality,
    /// A free-text remark.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Held in escrow until this date: recorded, but not yet delivered to the verifier, so
    /// it verifies nothing until delivered (by a correction that supersedes it without
    /// escrow). After this date the escrow has expired.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub escrow_until: Option<Date>,
}

/// An observed value, typed like the indicator it reports on.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Observation {
    /// A measured amount in a declared unit.
    Quantity(Quantity),
    /// A yes/no fact.
    Flag {
        /// The fact's value.
        value: bool,
    },
    /// A count of things.
    Count {
        /// How many.
        value: u64,
    },
    /// The date something happened (for deadline indicators).
    Date {
        /// The date.
        value: Date,
    },
    /// A categorical grade, one of the indicator's declared grades.
    Grade {
        /// The grade's name.
        value: String,
    },
}

/// An amount in a unit, finite by construction.
#[derive(Debug, Clone, PartialEq, PartialOrd, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "QuantityRepr", into = "QuantityRepr")]
pub struct Quantity {
    amount: f64,
    unit: UnitId,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct QuantityRepr {
    value: f64,
    unit: UnitId,
}

/// An amount that is not a finite number.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("an amount must be a finite number, not `{0}`")]
pub struct NotFinite(pub f64);

impl Quantity {
    /// An amount in `unit`; refuses NaN and infinities, which have no canonical encoding.
    pub fn new(amount: f64, unit: UnitId) -> Result<Self, NotFinite> {
        if !amount.is_finite() {
            return Err(NotFinite(amount));
        }
        Ok(Self { amount, unit })
    }

    /// The amount.
    pub fn amount(&self) -> f64 {
        self.amount
    }

    /// The unit it is expressed in.
    pub fn unit(&self) -> &UnitId {
        &self.unit
    }
}

impl TryFrom<QuantityRepr> for Quantity {
    type Error = NotFinite;
    fn try_from(r: QuantityRepr) -> Result<Self, NotFinite> {
        Quantity::new(r.value, r.unit)
    }
}

impl From<Quantity> for QuantityRepr {
    fn from(q: Quantity) -> Self {
        QuantityRepr {
            value: q.amount,
            unit: q.unit,
        }
    }
}

/// How an observation was made. The agreement's proportionality weights say how much
/// verification each method provides.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// Inspectors on site.
    OnSiteInspection,
    /// Satellite imagery or other remote sensing.
    RemoteSensing,
    /// Review of documents supplied by the target.
    DocumentAudit,
    /// An audit by an independent third party.
    ThirdPartyAudit,
    /// The target's own report.
    SelfReport,
}

/// Who may read a statement's content. The log always shows that it exists and was counted.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Confidentiality {
    /// Anyone.
    Public,
    /// The parties and monitors of the agreement.
    Restricted,
    /// Only those the agreement names for it; the public log holds a salted digest.
    Confidential,
}

/// A replacement for an earlier evidence statement: the earlier one no longer counts.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Correction {
    /// The entry corrected.
    pub supersedes: LogIndex,
    /// The corrected observation.
    pub evidence: Evidence,
    /// Why.
    pub reason: String,
}

/// The withdrawal of an earlier statement by its author.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Retraction {
    /// The entry withdrawn.
    pub retracts: LogIndex,
    /// Why.
    pub reason: String,
}

/// A signed act of an authority.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Decision {
    /// What the authority does.
    pub act: DecisionAct,
    /// The relief it applies to.
    pub relief: ReliefRef,
    /// From when it applies (inclusive): a date, or an instant in a zone.
    pub effective: Moment,
    /// The stated reason (required when it departs from the evaluation).
    pub reason: String,
    /// For `renew` and `amend`: the new expiry (exclusive: the relief is not in effect on
    /// that day, or from that instant); for `extend_wind_down`: the new end of the
    /// wind-down (exclusive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<Moment>,
    /// For `revoke` and `let_expire`: the relief is wound down over this period (from the
    /// effective date, or from the expiry), then the measure applies again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wind_down: Option<crate::time::CalendarDuration>,
    /// For `replace`: the relief action that replaces it from the effective date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<ActionId>,
    /// For `designate`: the entities newly designated (names, or `list:id`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub entities: Vec<String>,
}

impl Decision {
    /// A decision with no dates or entities beyond its effective date.
    pub fn new(
        act: DecisionAct,
        relief: ReliefRef,
        effective: impl Into<Moment>,
        reason: &str,
    ) -> Self {
        Self {
            act,
            relief,
            effective: effective.into(),
            reason: reason.to_owned(),
            until: None,
            wind_down: None,
            by: None,
            entities: Vec::new(),
        }
    }
}

/// What a decision does.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum DecisionAct {
    /// Put relief in force.
    Grant,
    /// Keep relief from coming into force although it may be earned.
    Hold,
    /// Take relief out of force.
    Revoke,
    /// Renew a licence for another term: from the effective date it states, until `until`
    /// (or for the term's length).
    Renew,
    /// Let a licence lapse at its expiry (with a wind-down when `wind_down` is given).
    LetExpire,
    /// Amend a licence or suspension: its expiry becomes `until` from the effective date.
    Amend,
    /// Replace relief by another action (`by`) of the agreement from the effective date.
    Replace,
    /// Extend a running wind-down until `until`; the latest act decides.
    ExtendWindDown,
    /// Designate entities (`entities`) as a calibrated response; relief is unchanged.
    Designate,
}

/// The relief a decision or trigger applies to: a whole phase or one action.
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum ReliefRef {
    /// Every action of a phase.
    Phase(PhaseId),
    /// One relief action.
    Action(ActionId),
}

/// One step of a dispute.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct DisputeStep {
    /// The dispute (named by whoever opens it).
    pub dispute: DisputeId,
    /// What happens.
    pub step: DisputeAction,
}

/// What a dispute step does.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum DisputeAction {
    /// Open a dispute against a finding, at a stage of the dispute process.
    Open {
        /// What is disputed.
        finding: Finding,
        /// The stage it starts in.
        stage: StageId,
        /// The grounds.
        reason: String,
    },
    /// Move the dispute to another stage (before its deadline, by a party with standing).
    Escalate {
        /// The stage it moves to.
        to: StageId,
    },
    /// Extend a stage's deadline by consent; `until: None` is open-ended.
    Extend {
        /// The stage extended.
        stage: StageId,
        /// The new deadline, or none (open-ended).
        until: Option<Date>,
    },
    /// Close the dispute with an outcome.
    Resolve {
        /// How it ended.
        outcome: DisputeOutcome,
        /// Remarks.
        note: String,
    },
    /// Record a participant's view of the outcome, when parties keep different views.
    Position {
        /// Whether this participant accepts the outcome.
        accepts: bool,
        /// The participant's view in its own words.
        view: String,
    },
    /// Withdraw the dispute.
    Withdraw,
}

/// What a dispute is about.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Finding {
    /// The status of an indicator over a review period.
    Indicator {
        /// The indicator.
        indicator: IndicatorId,
        /// The review period.
        period: Period,
    },
    /// One log entry (an evidence statement or a decision).
    Entry {
        /// Its index.
        index: LogIndex,
    },
}

/// How a dispute ended.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum DisputeOutcome {
    /// The finding stands.
    Upheld,
    /// The finding is set aside.
    Overturned,
    /// The parties settled; the finding stands as amended by the note.
    Settled,
}

/// One step of a regression rule.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TriggerStep {
    /// The rule.
    pub trigger: TriggerId,
    /// What happens.
    pub step: TriggerAction,
}

/// What a trigger step does.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum TriggerAction {
    /// A participant with standing invokes the rule; its countdown starts.
    Invoke {
        /// The grounds.
        reason: String,
    },
    /// A resolution or vote recorded before the countdown ends stops it.
    Halt {
        /// The resolution's reference or text.
        resolution: String,
    },
    /// The invoking participant withdraws the invocation.
    Withdraw,
}

/// A dated event that other dates are computed from.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct EventOccurred {
    /// The event, as named in the agreement.
    pub event: EventId,
    /// When it happened: a date, or an instant in a zone.
    pub on: Moment,
    /// Remarks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A party's signature on a new version of the agreement.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AmendmentSignature {
    /// The version signed.
    pub version: u32,
    /// SHA-256 (lowercase hex) of the agreement file of that version.
    pub document_sha256: String,
}

/// Registration, rotation or revocation of a participant's signing key.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum KeyEvent {
    /// A new key for a participant, valid from a given instant.
    Register {
        /// Whose key.
        participant: ParticipantId,
        /// The Ed25519 public key, base64 (32 bytes).
        public_key: String,
        /// From when it may sign.
        valid_from: Instant,
    },
    /// Replace a key by a new one; the old key stops signing at `at`.
    Rotate {
        /// Whose key.
        participant: ParticipantId,
        /// The key retired, base64.
        old_key: String,
        /// The key that replaces it, base64.
        new_key: String,
        /// When the change takes effect.
        at: Instant,
    },
    /// Revoke a key: nothing it signs from `effective` on is accepted.
    Revoke {
        /// Whose key.
        participant: ParticipantId,
        /// The key revoked, base64.
        key: String,
        /// From when.
        effective: Instant,
        /// Why (compromise, departure).
        reason: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn evidence() -> Statement {
        Statement::Evidence(Evidence {
            indicator: IndicatorId::new("enrichment_level").unwrap(),
            period: Period::new(date(2026, 1, 1), date(2026, 3, 31)).unwrap(),
            value: Observation::Quantity(
                Quantity::new(3.67, UnitId::new("percent").unwrap()).unwrap(),
            ),
            method: Method::OnSiteInspection,
            attachments: vec![],
            confidentiality: Confidentiality::Public,
            note: None,
            escrow_until: None,
        })
    }

    #[test]
    fn statements_serialise_with_their_kind_tag() {
        let json = serde_json::to_string(&evidence()).unwrap();
        assert_eq!(
            json,
            r#"{"kind":"evidence","indicator":"enrichment_level","period":{"start":"2026-01-01","end":"2026-03-31"},"value":{"type":"quantity","value":3.67,"unit":"percent"},"method":"on_site_inspection","confidentiality":"public"}"#
        );
        let back: Statement = serde_json::from_str(&json).unwrap();
        assert_eq!(back, evidence());
        assert_eq!(back.kind(), StatementKind::Evidence);
    }

    #[test]
    fn a_period_that_ends_before_it_starts_is_refused_on_decode() {
        let json = r#"{"kind":"evidence","indicator":"x","period":{"start":"2026-03-31","end":"2026-01-01"},"value":{"type":"flag","value":true},"method":"self_report","confidentiality":"public"}"#;
        let err = serde_json::from_str::<Statement>(json).unwrap_err();
        assert!(err.to_string().contains("before it starts"), "{err}");
    }

    #[test]
    fn non_finite_amounts_are_refused() {
        let unit = UnitId::new("kg").unwrap();
        assert!(Quantity::new(f64::NAN, unit.clone()).is_err());
        assert!(Quantity::new(f64::INFINITY, unit).is_err());
    }
}
