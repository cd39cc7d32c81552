//! What is in force for an entity: the designations that list it composed with the relief
//! the engine put in force under each agreement (issue #6, part 5).
//!
//! This module is pure: it reads designations (already matched and already checked for
//! being listed on the date), agreements and their evaluated [`State`]s, and says, per
//! jurisdiction, whether dealing with the entity is `prohibited`, `relieved`, `licensed`,
//! in `wind_down` until a date, or `not_listed`, each with its legal basis, the relief
//! actions that decide it and the exemptions that apply.
//!
//! Invariants: relief is only ever taken from an [`ActionState`] whose status the engine
//! set (`in_force`, or `wind_down` for wind-down); nothing is inferred from the agreement
//! text alone. When the composition cannot tell, the answer is `prohibited` with a reason
//! saying why. A sectoral suspension relieves a listed entity only when its regime declares
//! no asset freeze or every asset freeze of the regime is suspended too: a listing is an
//! asset freeze first, and lifting a sectoral ban does not unfreeze a listed bank.

use accord_core::agreement::{Agreement, ReliefAction, ReliefKind};
use accord_core::engine::state::{ActionState, ReliefStatus, State};
use accord_core::time::Date;

use crate::model::Designation;

/// The jurisdictions answered when none is asked for.
pub const JURISDICTIONS: [&str; 4] = ["US", "EU", "UK", "UN"];

/// The jurisdiction whose lists a source holds: `un-sc` → `UN`, `ofac-*`/`us-*` → `US`,
/// `eu-*` → `EU`, `uk-*` → `UK`; `None` for any other source.
pub fn jurisdiction_of(source: &str) -> Option<&'static str> {
    let source = source.to_ascii_lowercase();
    if source == "un-sc" || source.starts_with("un-") {
        Some("UN")
    } else if source.starts_with("ofac-") || source.starts_with("us-") {
        Some("US")
    } else if source.starts_with("eu-") {
        Some("EU")
    } else if source.starts_with("uk-") {
        Some("UK")
    } else {
        None
    }
}

/// A designation found for the entity asked about, and whether it is listed on the date.
#[derive(Debug, Clone)]
pub struct Matched {
    /// The designation (its latest stored version).
    pub designation: Designation,
    /// Whether it is listed on the date asked about. When the store cannot tell, the
    /// caller says `true` (and why, in `listing`): unsure means prohibited.
    pub listed: bool,
    /// How the listing on the date is known, in plain words.
    pub listing: String,
    /// How it was matched (by its identifier, or the screening score and name), in plain
    /// words.
    pub matched: String,
}

/// One agreement and its state on the date.
#[derive(Debug, Clone, Copy)]
pub struct Evaluated<'a> {
    /// The agreement version that governs the state.
    pub agreement: &'a Agreement,
    /// Its evaluation as of the end of the date.
    pub state: &'a State,
}

/// What is asked.
#[derive(Debug, Clone)]
pub struct Question {
    /// The activity or sector (`energy`, `food`, …), when given.
    pub activity: Option<String>,
    /// The jurisdictions to answer for (in this order).
    pub jurisdictions: Vec<String>,
    /// The date.
    pub date: Date,
}

/// The answer for one jurisdiction, most restrictive first.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Listed, and no relief in force covers it.
    Prohibited,
    /// Relief that covered it was revoked and is winding down until `until`.
    WindDown,
    /// A general licence in force covers the activity.
    Licensed,
    /// Delisted, or the measure is suspended for the activity's sector.
    Relieved,
    /// No designation of this jurisdiction matched.
    NotListed,
}

impl Outcome {
    /// The outcome's name as written in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Prohibited => "prohibited",
            Outcome::WindDown => "wind_down",
            Outcome::Licensed => "licensed",
            Outcome::Relieved => "relieved",
            Outcome::NotListed => "not_listed",
        }
    }
}

/// The whole answer.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Status {
    /// The date.
    pub date: Date,
    /// The activity asked about.
    pub activity: Option<String>,
    /// The agreements whose relief was composed, by id; empty when answered from the lists
    /// alone.
    pub agreements: Vec<String>,
    /// One answer per jurisdiction asked.
    pub jurisdictions: Vec<JurisdictionStatus>,
    /// Matched designations (`source:source_id`) whose source maps to no jurisdiction
    /// (e.g. an aggregator such as `opensanctions`): they are answered for none, so a
    /// `not_listed` above does not clear them.
    pub unplaced: Vec<String>,
}

/// The answer for one jurisdiction.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct JurisdictionStatus {
    /// `US`, `EU`, `UK` or `UN`.
    pub jurisdiction: String,
    /// The most restrictive outcome of its listings (`not_listed` when none).
    pub outcome: Outcome,
    /// For `wind_down`: the last day.
    pub until: Option<Date>,
    /// Each designation of this jurisdiction that matched.
    pub listings: Vec<Listing>,
    /// The humanitarian exemptions in force that apply (those covering the activity, or
    /// all when no activity is given).
    pub exemptions: Vec<ExemptionApplies>,
}

/// One designation and what is in force for it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Listing {
    /// `source:source_id`.
    pub list_id: String,
    /// Its primary name.
    pub name: String,
    /// How it was matched.
    pub matched: String,
    /// Whether listed on the date, and how that is known.
    pub listed: bool,
    /// How the listing on the date is known.
    pub listing: String,
    /// Its outcome.
    pub outcome: Outcome,
    /// For `wind_down`: the last day.
    pub until: Option<Date>,
    /// The legal basis: the publisher's programmes and legal acts, and the agreement
    /// regimes that cover it.
    pub basis: Basis,
    /// The relief actions that decide the outcome (in force, or winding down).
    pub relief: Vec<ReliefApplies>,
    /// Why, in plain words, in order.
    pub reasons: Vec<String>,
}

/// The legal basis of a listing.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Basis {
    /// The publisher's programmes.
    pub programmes: Vec<String>,
    /// The publisher's legal acts.
    pub legal_basis: Vec<String>,
    /// The agreement regimes whose `list_programmes` name one of the programmes.
    pub regimes: Vec<RegimeRef>,
}

/// An agreement regime.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct RegimeRef {
    /// The agreement.
    pub agreement: String,
    /// The regime.
    pub regime: String,
    /// Its name.
    pub name: String,
    /// Its legal basis.
    pub legal_basis: String,
}

/// A relief action that bears on a listing.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ReliefApplies {
    /// The agreement.
    pub agreement: String,
    /// The action.
    pub action: String,
    /// Its title.
    pub title: String,
    /// `delist`, `suspend_measure` or `general_licence`.
    pub kind: String,
    /// The regime it acts on.
    pub regime: String,
    /// The engine's status of it (`in_force` or `wind_down`).
    pub status: ReliefStatus,
    /// Since when.
    pub since: Option<Date>,
    /// Until when (expiry of the term, end of wind-down), when known.
    pub until: Option<Date>,
    /// The authority's decision that gave the action this status, when one did — shown
    /// with whether it departs from the evaluation and its stated reason (DESIGN §4).
    pub decision: Option<DecisionBehind>,
}

/// An authority's decision behind a relief action's status.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct DecisionBehind {
    /// Its log entry.
    pub entry: u64,
    /// From when it applies.
    pub effective: Date,
    /// Whether it departs from what the evaluation entitles.
    pub departure: bool,
    /// The authority's stated reason.
    pub stated_reason: String,
}

impl DecisionBehind {
    /// In words: `by decision #29 of 2026-06-20, a departure from the evaluation: "…"`.
    pub fn describe(&self) -> String {
        format!(
            "by decision #{} of {}{}: \"{}\"",
            self.entry,
            self.effective,
            if self.departure {
                ", a departure from the evaluation"
            } else {
                ""
            },
            self.stated_reason
        )
    }
}

/// The decision that decides an action's status: its first reason is a decision's, resting
/// on the decision's entry.
fn decision_behind(
    state: &accord_core::engine::State,
    action: &accord_core::engine::state::ActionState,
) -> Option<DecisionBehind> {
    let first = action.reasons.first()?;
    if !first.rule.as_str().starts_with("decision.") {
        return None;
    }
    let d = state
        .decisions
        .iter()
        .find(|d| first.entries.contains(&d.entry))?;
    Some(DecisionBehind {
        entry: d.entry.0,
        effective: d.effective,
        departure: d.departure,
        stated_reason: d.stated_reason.clone(),
    })
}

/// A humanitarian exemption that applies.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ExemptionApplies {
    /// The agreement.
    pub agreement: String,
    /// The exemption.
    pub exemption: String,
    /// Its title.
    pub title: String,
    /// The activities it covers.
    pub activities: Vec<String>,
    /// Its legal basis.
    pub legal_basis: String,
}

/// Composes the matched designations with the relief in force under each agreement.
pub fn compose(matched: &[Matched], agreements: &[Evaluated<'_>], question: &Question) -> Status {
    let jurisdictions = question
        .jurisdictions
        .iter()
        .map(|j| jurisdiction_status(j, matched, agreements, question))
        .collect();
    Status {
        date: question.date,
        activity: question.activity.clone(),
        agreements: agreements
            .iter()
            .map(|e| e.agreement.id.as_str().to_owned())
            .collect(),
        jurisdictions,
        unplaced: matched
            .iter()
            .filter(|m| m.listed && jurisdiction_of(&m.designation.source).is_none())
            .map(|m| format!("{}:{}", m.designation.source, m.designation.source_id))
            .collect(),
    }
}

fn jurisdiction_status(
    jurisdiction: &str,
    matched: &[Matched],
    agreements: &[Evaluated<'_>],
    question: &Question,
) -> JurisdictionStatus {
    let listings: Vec<Listing> = matched
        .iter()
        .filter(|m| {
            jurisdiction_of(&m.designation.source)
                .is_some_and(|j| j.eq_ignore_ascii_case(jurisdiction))
        })
        .map(|m| listing(jurisdiction, m, agreements, question))
        .collect();
    let outcome = listings
        .iter()
        .map(|l| l.outcome)
        .min()
        .unwrap_or(Outcome::NotListed);
    let until = listings
        .iter()
        .filter(|l| l.outcome == Outcome::WindDown)
        .filter_map(|l| l.until)
        .min();
    JurisdictionStatus {
        jurisdiction: jurisdiction.to_owned(),
        outcome,
        until,
        listings,
        exemptions: exemptions(jurisdiction, agreements, question),
    }
}

/// The exemptions in force for a jurisdiction's regimes (all regimes when the exemption
/// names none) that cover the activity, or all of them when no activity is given.
fn exemptions(
    jurisdiction: &str,
    agreements: &[Evaluated<'_>],
    question: &Question,
) -> Vec<ExemptionApplies> {
    let mut out = Vec::new();
    for e in agreements {
        for x in e.state.exemptions.iter().filter(|x| x.in_force) {
            let regime_fits = x.regimes.is_empty()
                || x.regimes.iter().any(|r| {
                    e.agreement
                        .regimes
                        .iter()
                        .any(|g| g.id == *r && g.jurisdiction.0.eq_ignore_ascii_case(jurisdiction))
                });
            let activity_fits = question
                .activity
                .as_deref()
                .is_none_or(|a| x.activities.iter().any(|xa| same_word(xa, a)));
            if regime_fits && activity_fits {
                let legal_basis = e
                    .agreement
                    .exemptions
                    .iter()
                    .find(|d| d.id == x.id)
                    .map(|d| d.legal_basis.clone())
                    .unwrap_or_default();
                out.push(ExemptionApplies {
                    agreement: e.agreement.id.as_str().to_owned(),
                    exemption: x.id.as_str().to_owned(),
                    title: x.title.clone(),
                    activities: x.activities.clone(),
                    legal_basis,
                });
            }
        }
    }
    out
}

/// A relief action that bears on a listing, with the engine's status of it and what it
/// would do.
type Candidate<'e> = (Evaluated<'e>, &'e ReliefAction, &'e ActionState, Outcome);

fn listing(
    jurisdiction: &str,
    m: &Matched,
    agreements: &[Evaluated<'_>],
    question: &Question,
) -> Listing {
    let d = &m.designation;
    let list_id = format!("{}:{}", d.source, d.source_id);
    let name = d.names.first().map(|n| n.full.clone()).unwrap_or_default();
    let mut out = Listing {
        list_id,
        name,
        matched: m.matched.clone(),
        listed: m.listed,
        listing: m.listing.clone(),
        outcome: Outcome::Prohibited,
        until: None,
        basis: basis(jurisdiction, d, agreements),
        relief: Vec::new(),
        reasons: Vec::new(),
    };
    if !m.listed {
        out.outcome = Outcome::NotListed;
        out.reasons.push(format!(
            "`{}` is not listed on {}: {}",
            out.list_id, question.date, m.listing
        ));
        return out;
    }
    out.reasons.push(format!(
        "`{}` is listed by {jurisdiction} ({})",
        out.list_id, m.listing
    ));
    if agreements.is_empty() {
        out.reasons.push(
            "no agreement was given: answered from the lists alone, without relief".to_owned(),
        );
        return out;
    }
    if out.basis.regimes.is_empty() {
        out.reasons.push(format!(
            "no {jurisdiction} regime of the agreements lists its programmes ({}): only relief naming it by list id applies",
            if d.programmes.is_empty() { "none stated".to_owned() } else { d.programmes.join(", ") }
        ));
    }
    let candidates = candidates(jurisdiction, d, agreements, question, &mut out);
    weigh(&candidates, question, &mut out);
    out
}

/// The listing's basis: its programmes and legal basis, and the regimes of the agreements
/// (of that jurisdiction) that list its programmes.
fn basis(jurisdiction: &str, d: &Designation, agreements: &[Evaluated<'_>]) -> Basis {
    let mut regimes = Vec::new();
    for e in agreements {
        for r in &e.agreement.regimes {
            if r.jurisdiction.0.eq_ignore_ascii_case(jurisdiction)
                && r.list_programmes
                    .iter()
                    .any(|p| d.programmes.iter().any(|dp| same_word(dp, p)))
            {
                regimes.push(RegimeRef {
                    agreement: e.agreement.id.as_str().to_owned(),
                    regime: r.id.as_str().to_owned(),
                    name: r.name.clone(),
                    legal_basis: r.legal_basis.clone(),
                });
            }
        }
    }
    Basis {
        programmes: d.programmes.clone(),
        legal_basis: d.legal_basis.clone(),
        regimes,
    }
}

/// Every relief action that bears on this listing, with the engine's status of it.
fn candidates<'e>(
    jurisdiction: &str,
    d: &Designation,
    agreements: &[Evaluated<'e>],
    question: &Question,
    out: &mut Listing,
) -> Vec<Candidate<'e>> {
    let mut candidates = Vec::new();
    for e in agreements {
        for (_, action) in e.agreement.actions() {
            let Some(state) = e.state.relief.iter().find(|s| s.id == action.id) else {
                continue;
            };
            let Some(regime) = e.agreement.regimes.iter().find(|r| r.id == action.regime) else {
                continue;
            };
            if !regime.jurisdiction.0.eq_ignore_ascii_case(jurisdiction) {
                continue;
            }
            if let Some(effect) = effect((*e, regime, action, state), d, question, out) {
                candidates.push((*e, action, state, effect));
            }
        }
    }
    candidates
}

/// What one action of the listing's jurisdiction would do for it: relieve (a delisting
/// naming it, a suspension covering the activity asked about) or license (a general
/// licence for that activity); `None` when it does not bear on it.
fn effect(
    (e, regime, action, state): (
        Evaluated<'_>,
        &accord_core::agreement::Regime,
        &ReliefAction,
        &ActionState,
    ),
    d: &Designation,
    question: &Question,
    out: &mut Listing,
) -> Option<Outcome> {
    let covers_listing = out
        .basis
        .regimes
        .iter()
        .any(|r| r.agreement == e.agreement.id.as_str() && r.regime == regime.id.as_str());
    match &action.kind {
        ReliefKind::Delist { entities } => {
            let by_id = entities
                .iter()
                .any(|x| x.list_id.as_deref().is_some_and(|id| id == out.list_id));
            let by_name = covers_listing
                && entities.iter().any(|x| {
                    x.list_id.is_none() && d.names.iter().any(|n| same_name(&n.full, &x.name))
                });
            (by_id || by_name).then_some(Outcome::Relieved)
        }
        ReliefKind::SuspendMeasure { measure, sectors }
        | ReliefKind::TerminateMeasure { measure, sectors }
            if covers_listing =>
        {
            let declared = regime.measures.iter().find(|x| x.id == *measure)?;
            let sectors = if sectors.is_empty() {
                &declared.sectors
            } else {
                sectors
            };
            match question.activity.as_deref() {
                Some(a) if sectors.iter().any(|s| same_word(s, a)) => Some(Outcome::Relieved),
                Some(_) => None,
                None => {
                    if state.status.relieves() {
                        out.reasons.push(format!(
                            "`{}` ({}) suspends `{}` for {}: name an activity to ask about one of them",
                            action.id.as_str(),
                            action.title,
                            measure.as_str(),
                            if sectors.is_empty() { "every sector".to_owned() } else { sectors.join(", ") }
                        ));
                    }
                    None
                }
            }
        }
        ReliefKind::GeneralLicence { activities, .. } if covers_listing => {
            match question.activity.as_deref() {
                Some(a) if activities.iter().any(|s| same_word(s, a)) => Some(Outcome::Licensed),
                _ => None,
            }
        }
        _ => None,
    }
}

/// The relief an action gives, as the answer lists it.
fn applies(e: Evaluated<'_>, action: &ReliefAction, state: &ActionState) -> ReliefApplies {
    let kind = match action.kind {
        ReliefKind::Delist { .. } => "delist",
        ReliefKind::SuspendMeasure { .. } => "suspend_measure",
        ReliefKind::TerminateMeasure { .. } => "terminate_measure",
        ReliefKind::GeneralLicence { .. } => "general_licence",
        ReliefKind::Unfreeze { .. } => "unfreeze",
        ReliefKind::Cooperation { .. } => "cooperation",
    };
    ReliefApplies {
        agreement: e.agreement.id.as_str().to_owned(),
        action: action.id.as_str().to_owned(),
        title: action.title.clone(),
        kind: kind.to_owned(),
        regime: action.regime.as_str().to_owned(),
        status: state.status,
        since: state.since,
        until: state.until,
        decision: decision_behind(e.state, state),
    }
}

/// Relief decides only with the engine's status: in force relieves or licenses; wind-down
/// permits until its end; anything else is recorded as a reason and does not relieve.
fn weigh(candidates: &[Candidate<'_>], question: &Question, out: &mut Listing) {
    let mut best: Option<Outcome> = None;
    let mut wind_down_until: Option<Date> = None;
    for &(e, action, state, effect) in candidates {
        let applies = applies(e, action, state);
        let by_decision = applies
            .decision
            .as_ref()
            .map(|d| format!(" ({})", d.describe()))
            .unwrap_or_default();
        match state.status {
            ReliefStatus::InForce | ReliefStatus::Lifted => {
                if let (Outcome::Relieved, ReliefKind::SuspendMeasure { .. }) =
                    (effect, &action.kind)
                    && let Some(freeze) = unsuspended_freeze(e, action)
                {
                    out.reasons.push(format!(
                        "`{}` ({}) is in force, but the asset freeze `{freeze}` of regime `{}` still applies to the listing: not relieved",
                        action.id.as_str(),
                        action.title,
                        action.regime.as_str()
                    ));
                    continue;
                }
                out.reasons.push(granted(e, action, state, &by_decision));
                best = Some(best.map_or(effect, |b| b.max(effect)));
                out.relief.push(applies);
            }
            ReliefStatus::WindDown => {
                out.reasons.push(format!(
                    "`{}` ({}) was revoked and winds down{}",
                    action.id.as_str(),
                    action.title,
                    state
                        .until
                        .map(|d| format!(" until {d}"))
                        .unwrap_or_default(),
                ));
                wind_down_until = match (wind_down_until, state.until) {
                    (Some(a), Some(b)) => Some(a.max(b)),
                    (a, b) => a.or(b),
                };
                out.relief.push(applies);
            }
            other => out.reasons.push(format!(
                "`{}` ({}) would cover it but is {}{by_decision}: it does not relieve",
                action.id.as_str(),
                action.title,
                other.as_str()
            )),
        }
    }
    match best {
        Some(outcome) => out.outcome = outcome,
        None if !out.relief.is_empty() => {
            out.outcome = Outcome::WindDown;
            out.until = wind_down_until;
        }
        None => out.reasons.push(match question.activity.as_deref() {
            Some(a) => format!("no relief in force covers it for `{a}`: prohibited"),
            None => "no relief in force covers it: prohibited".to_owned(),
        }),
    }
}

/// Why relief in force (or lifted) relieves the listing.
fn granted(
    e: Evaluated<'_>,
    action: &ReliefAction,
    state: &ActionState,
    by_decision: &str,
) -> String {
    format!(
        "`{}` ({}) of `{}` is {}{}{}{by_decision}",
        action.id.as_str(),
        action.title,
        e.agreement.id.as_str(),
        if state.status == ReliefStatus::Lifted {
            "lifted for good"
        } else {
            "in force"
        },
        state
            .since
            .map(|d| format!(" since {d}"))
            .unwrap_or_default(),
        state
            .until
            .map(|d| format!(", until {d}"))
            .unwrap_or_default(),
    )
}

/// An asset freeze of the action's regime that no suspension in force lifts, if any.
fn unsuspended_freeze(e: Evaluated<'_>, action: &ReliefAction) -> Option<String> {
    let regime = e.agreement.regimes.iter().find(|r| r.id == action.regime)?;
    regime
        .measures
        .iter()
        .filter(|m| m.kind == accord_core::agreement::MeasureKind::AssetFreeze)
        .find(|m| {
            !e.agreement.actions().any(|(_, a)| {
                matches!(&a.kind, ReliefKind::SuspendMeasure { measure, sectors } if *measure == m.id && sectors.is_empty())
                    && e.state
                        .relief
                        .iter()
                        .any(|s| s.id == a.id && s.status.relieves())
            })
        })
        .map(|m| m.id.as_str().to_owned())
}

/// Activities and sectors compare case-insensitively, with `-`, `_` and spaces alike.
fn same_word(a: &str, b: &str) -> bool {
    let norm = |s: &str| s.trim().to_lowercase().replace(['-', ' '], "_");
    norm(a) == norm(b)
}

/// Names compare case-insensitively with whitespace collapsed.
fn same_name(a: &str, b: &str) -> bool {
    let norm = |s: &str| {
        s.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase()
    };
    norm(a) == norm(b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Name, NameKind};
    use accord_core::agreement::Renewal;
    use accord_core::engine::state::ExemptionState;
    use accord_core::id::{ActionId, RegimeId};

    fn nuclear() -> Agreement {
        let checked = accord_spec::parse(include_str!("../../../examples/nuclear-caps.toml"));
        assert!(!checked.has_errors(), "{:?}", checked.diagnostics);
        checked.agreement.expect("agreement")
    }

    fn date(s: &str) -> Date {
        s.parse().expect("date")
    }

    /// The engine's state with every action scheduled except those given.
    fn state(a: &Agreement, statuses: &[(&str, ReliefStatus, Option<&str>)]) -> State {
        let relief = a
            .actions()
            .map(|(phase, action)| {
                let (status, until) = statuses
                    .iter()
                    .find(|(id, _, _)| *id == action.id.as_str())
                    .map_or((ReliefStatus::Scheduled, None), |(_, s, u)| {
                        (*s, u.map(date))
                    });
                ActionState {
                    id: action.id.clone(),
                    phase: phase.id.clone(),
                    title: action.title.clone(),
                    regime: action.regime.clone(),
                    jurisdiction: None,
                    measure: None,
                    status,
                    since: Some(date("2026-02-01")),
                    until,
                    renewals: 0,
                    superseded_by: None,
                    lifts: None,
                    reasons: Vec::new(),
                    spares_contracts_before: None,
                    until_at: None,
                }
            })
            .collect();
        let exemptions = a
            .exemptions
            .iter()
            .map(|x| ExemptionState {
                id: x.id.clone(),
                title: x.title.clone(),
                in_force: true,
                activities: x.activities.clone(),
                regimes: x.regimes.clone(),
                reasons: Vec::new(),
            })
            .collect();
        State {
            agreement: a.id.clone(),
            version: a.version,
            as_of: accord_core::engine::end_of_day(date("2026-06-01")),
            date: date("2026-06-01"),
            zone: None,
            entries: 0,
            versions: Vec::new(),
            reviews: Vec::new(),
            indicators: Vec::new(),
            commitments: Vec::new(),
            phases: Vec::new(),
            relief,
            relief_by_measure: Vec::new(),
            exemptions,
            triggers: Vec::new(),
            disputes: Vec::new(),
            decisions: Vec::new(),
            events: Vec::new(),
            rejected: Vec::new(),
            agreement_status: accord_core::engine::state::AgreementStatus::InEffect,
            measures: Vec::new(),
            signals: Vec::new(),
            views: Vec::new(),
            view: None,
            participant_view: None,
            contract: None,
        }
    }

    fn listed(source: &str, id: &str, name: &str, programmes: &[&str]) -> Matched {
        let mut d = Designation::new(id);
        d.source = source.to_owned();
        d.names.push(Name::new(NameKind::Primary, name));
        d.programmes = programmes.iter().map(|p| (*p).to_owned()).collect();
        d.legal_basis = vec!["Annex I".to_owned()];
        Matched {
            designation: d,
            listed: true,
            listing: "in the latest import".to_owned(),
            matched: "identified as `eu-fsf:1`".to_owned(),
        }
    }

    fn ask(activity: Option<&str>, jurisdictions: &[&str]) -> Question {
        Question {
            activity: activity.map(str::to_owned),
            jurisdictions: jurisdictions.iter().map(|j| (*j).to_owned()).collect(),
            date: date("2026-06-01"),
        }
    }

    fn outcome(status: &Status, j: &str) -> Outcome {
        status
            .jurisdictions
            .iter()
            .find(|s| s.jurisdiction == j)
            .map(|s| s.outcome)
            .expect("jurisdiction answered")
    }

    #[test]
    fn listed_without_relief_in_force_is_prohibited() {
        let a = nuclear();
        // The delisting exists in the agreement but the engine has it scheduled.
        let s = state(&a, &[]);
        let m = listed(
            "eu-fsf",
            "EU.1001.23",
            "Central Bank of Arden",
            &["EU.ARDEN"],
        );
        let st = compose(
            &[m],
            &[Evaluated {
                agreement: &a,
                state: &s,
            }],
            &ask(None, &["EU", "US"]),
        );
        assert_eq!(outcome(&st, "EU"), Outcome::Prohibited);
        assert_eq!(outcome(&st, "US"), Outcome::NotListed);
        let l = &st.jurisdictions[0].listings[0];
        assert_eq!(l.basis.regimes[0].regime, "eu-nonpro");
        assert!(l.relief.is_empty());
        assert!(
            l.reasons
                .iter()
                .any(|r| r.contains("bank-delistings") && r.contains("scheduled")),
            "{:?}",
            l.reasons
        );
    }

    #[test]
    fn delisting_in_force_relieves_by_list_id_and_by_name() {
        let a = nuclear();
        let s = state(&a, &[("bank-delistings", ReliefStatus::InForce, None)]);
        let by_id = listed("eu-fsf", "EU.1001.23", "Some Other Spelling", &[]);
        let by_name = listed(
            "eu-fsf",
            "EU.9",
            "arden export  development bank",
            &["EU.ARDEN"],
        );
        let unnamed = listed("eu-fsf", "EU.10", "Arden Steel", &["EU.ARDEN"]);
        let ev = [Evaluated {
            agreement: &a,
            state: &s,
        }];
        for m in [by_id, by_name] {
            let st = compose(&[m], &ev, &ask(Some("energy"), &["EU"]));
            assert_eq!(outcome(&st, "EU"), Outcome::Relieved);
            assert_eq!(
                st.jurisdictions[0].listings[0].relief[0].action,
                "bank-delistings"
            );
        }
        let st = compose(&[unnamed], &ev, &ask(None, &["EU"]));
        assert_eq!(outcome(&st, "EU"), Outcome::Prohibited);
        // The EU delisting does not relieve a US listing of the same name.
        let us = listed("ofac-sdn", "1", "Central Bank of Arden", &["ARDEN"]);
        let st = compose(&[us], &ev, &ask(None, &["US"]));
        assert_eq!(outcome(&st, "US"), Outcome::Prohibited);
    }

    #[test]
    fn suspension_relieves_only_the_activitys_sector() {
        let mut a = nuclear();
        // us-nonpro without its SDN asset freeze: a pure sectoral regime.
        for r in &mut a.regimes {
            if r.id.as_str() == "us-nonpro" {
                r.measures.retain(|m| m.id.as_str() != "us-sdn");
            }
        }
        let s = state(
            &a,
            &[(
                "us-energy-waiver",
                ReliefStatus::InForce,
                Some("2026-09-01"),
            )],
        );
        let m = listed(
            "ofac-sdn",
            "90001",
            "Arden National Oil Company",
            &["ARDEN"],
        );
        let ev = [Evaluated {
            agreement: &a,
            state: &s,
        }];
        let st = compose(std::slice::from_ref(&m), &ev, &ask(Some("energy"), &["US"]));
        assert_eq!(outcome(&st, "US"), Outcome::Relieved);
        let relief = &st.jurisdictions[0].listings[0].relief[0];
        assert_eq!(
            (relief.action.as_str(), relief.until),
            ("us-energy-waiver", Some(date("2026-09-01")))
        );
        // shipbuilding is a sector of the measure but not of the waiver.
        let st = compose(
            std::slice::from_ref(&m),
            &ev,
            &ask(Some("shipbuilding"), &["US"]),
        );
        assert_eq!(outcome(&st, "US"), Outcome::Prohibited);
        // Without an activity, the suspension is mentioned, not applied.
        let st = compose(&[m], &ev, &ask(None, &["US"]));
        assert_eq!(outcome(&st, "US"), Outcome::Prohibited);
        assert!(
            st.jurisdictions[0].listings[0]
                .reasons
                .iter()
                .any(|r| r.contains("name an activity"))
        );
    }

    #[test]
    fn suspension_does_not_relieve_while_the_regimes_asset_freeze_applies() {
        let a = nuclear();
        let s = state(&a, &[("us-energy-waiver", ReliefStatus::InForce, None)]);
        let m = listed(
            "ofac-sdn",
            "90001",
            "Arden National Oil Company",
            &["ARDEN"],
        );
        let st = compose(
            &[m],
            &[Evaluated {
                agreement: &a,
                state: &s,
            }],
            &ask(Some("energy"), &["US"]),
        );
        assert_eq!(outcome(&st, "US"), Outcome::Prohibited);
        assert!(
            st.jurisdictions[0].listings[0]
                .reasons
                .iter()
                .any(|r| r.contains("us-sdn"))
        );
    }

    fn with_licence(mut a: Agreement) -> Agreement {
        let action = ReliefAction {
            id: ActionId::new("gl-telecom").expect("id"),
            title: "General licence for telecommunications".to_owned(),
            kind: ReliefKind::GeneralLicence {
                licence: "GL 1".to_owned(),
                scope: "telecommunications services".to_owned(),
                activities: vec!["telecommunications".to_owned()],
            },
            regime: RegimeId::new("us-nonpro").expect("id"),
            starts: None,
            expires: None,
            renewal: Renewal::None,
            supersedes: None,
            lifted: None,
            weight: 1.0,
        };
        if let Some(p) = a.phases.first_mut() {
            p.actions.push(action);
        }
        a
    }

    #[test]
    fn general_licence_in_force_licenses_its_activities() {
        let a = with_licence(nuclear());
        let s = state(
            &a,
            &[("gl-telecom", ReliefStatus::InForce, Some("2027-01-01"))],
        );
        let m = listed(
            "ofac-sdn",
            "90002",
            "Arden Shipping Lines",
            &["ARDEN-EO14XXX"],
        );
        let ev = [Evaluated {
            agreement: &a,
            state: &s,
        }];
        let st = compose(
            std::slice::from_ref(&m),
            &ev,
            &ask(Some("Telecommunications"), &["US"]),
        );
        assert_eq!(outcome(&st, "US"), Outcome::Licensed);
        let st = compose(&[m], &ev, &ask(Some("energy"), &["US"]));
        assert_eq!(outcome(&st, "US"), Outcome::Prohibited);
    }

    #[test]
    fn revoked_relief_in_wind_down_permits_until_its_end() {
        let a = with_licence(nuclear());
        let s = state(
            &a,
            &[("gl-telecom", ReliefStatus::WindDown, Some("2026-07-01"))],
        );
        let m = listed("ofac-sdn", "90002", "Arden Shipping Lines", &["ARDEN"]);
        let st = compose(
            &[m],
            &[Evaluated {
                agreement: &a,
                state: &s,
            }],
            &ask(Some("telecommunications"), &["US"]),
        );
        assert_eq!(outcome(&st, "US"), Outcome::WindDown);
        assert_eq!(st.jurisdictions[0].until, Some(date("2026-07-01")));
        // Reimposed relief does not relieve.
        let s = state(&a, &[("gl-telecom", ReliefStatus::Reimposed, None)]);
        let m = listed("ofac-sdn", "90002", "Arden Shipping Lines", &["ARDEN"]);
        let st = compose(
            &[m],
            &[Evaluated {
                agreement: &a,
                state: &s,
            }],
            &ask(Some("telecommunications"), &["US"]),
        );
        assert_eq!(outcome(&st, "US"), Outcome::Prohibited);
    }

    #[test]
    fn not_listed_on_the_date_and_lists_alone() {
        let a = nuclear();
        let s = state(&a, &[]);
        let mut m = listed("un-sc", "KPi.1", "Someone", &["ARDEN-UN"]);
        m.listed = false;
        m.listing = "removed in import 3".to_owned();
        let st = compose(
            std::slice::from_ref(&m),
            &[Evaluated {
                agreement: &a,
                state: &s,
            }],
            &ask(None, &["UN"]),
        );
        assert_eq!(outcome(&st, "UN"), Outcome::NotListed);
        m.listed = true;
        let st = compose(&[m], &[], &ask(None, &["UN", "UK"]));
        assert_eq!(outcome(&st, "UN"), Outcome::Prohibited);
        assert_eq!(outcome(&st, "UK"), Outcome::NotListed);
        assert!(st.agreements.is_empty());
        assert!(
            st.jurisdictions[0].listings[0]
                .reasons
                .iter()
                .any(|r| r.contains("lists alone"))
        );
    }

    #[test]
    fn humanitarian_exemptions_are_always_listed_for_their_activities() {
        let a = nuclear();
        let s = state(&a, &[]);
        let m = listed(
            "eu-fsf",
            "EU.1001.23",
            "Central Bank of Arden",
            &["EU.ARDEN"],
        );
        let ev = [Evaluated {
            agreement: &a,
            state: &s,
        }];
        for j in ["EU", "UN", "UK", "US"] {
            let st = compose(std::slice::from_ref(&m), &ev, &ask(Some("medicine"), &[j]));
            let ids: Vec<&str> = st.jurisdictions[0]
                .exemptions
                .iter()
                .map(|x| x.exemption.as_str())
                .collect();
            assert_eq!(ids, ["humanitarian"], "{j}");
        }
        // aviation-safety is only for the US and EU regimes.
        let st = compose(
            std::slice::from_ref(&m),
            &ev,
            &ask(Some("civil_aviation_safety"), &["EU", "UN"]),
        );
        assert_eq!(st.jurisdictions[0].exemptions.len(), 1);
        assert!(st.jurisdictions[1].exemptions.is_empty());
        let st = compose(&[m], &ev, &ask(Some("energy"), &["EU"]));
        assert!(st.jurisdictions[0].exemptions.is_empty());
    }

    #[test]
    fn sources_map_to_jurisdictions() {
        assert_eq!(jurisdiction_of("un-sc"), Some("UN"));
        assert_eq!(jurisdiction_of("ofac-sdn"), Some("US"));
        assert_eq!(jurisdiction_of("us-csl"), Some("US"));
        assert_eq!(jurisdiction_of("eu-fsf"), Some("EU"));
        assert_eq!(jurisdiction_of("uk-ofsi"), Some("UK"));
        assert_eq!(jurisdiction_of("ca-sema"), None);
        let m = listed("opensanctions", "Q1", "Someone", &[]);
        let st = compose(&[m], &[], &ask(None, &["US"]));
        assert_eq!(outcome(&st, "US"), Outcome::NotListed);
        assert_eq!(st.unplaced, ["opensanctions:Q1"]);
    }
}
