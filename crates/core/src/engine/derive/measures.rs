//! Relief rolled up per jurisdiction and measure, and the humanitarian exemptions that are
//! in force whatever happens.

use std::collections::BTreeMap;

use crate::agreement::Agreement;
use crate::id::ExemptionId;

use super::super::state::{
    ActionState, AgreementStatus, ExemptionState, MeasureRelief, MeasureState, MeasureStatus,
    Reason, ReliefStatus, Rule, TriggerState,
};
use super::Anchors;
use super::calendar::VersionView;
use crate::agreement::{Measure, Regime, ReliefKind};
use crate::time::Date;

/// Relief per jurisdiction and measure.
pub(crate) fn by_measure(agreement: &Agreement, actions: &[ActionState]) -> Vec<MeasureRelief> {
    let mut groups: BTreeMap<(String, String, Option<String>), MeasureRelief> = BTreeMap::new();
    for a in actions {
        let jurisdiction = a.jurisdiction.clone().unwrap_or_else(|| "?".to_owned());
        let key = (
            jurisdiction.clone(),
            a.regime.to_string(),
            a.measure.as_ref().map(ToString::to_string),
        );
        let g = groups.entry(key).or_insert_with(|| MeasureRelief {
            jurisdiction,
            regime: a.regime.clone(),
            measure: a.measure.clone(),
            in_force: Vec::new(),
            other: Vec::new(),
        });
        if a.status.relieves() {
            g.in_force.push(a.id.clone());
        } else {
            g.other.push((a.id.clone(), a.status));
        }
    }
    let _ = agreement;
    groups.into_values().collect()
}

/// Every exemption of version 1 and of every version in force: in force in every state.
///
/// INVARIANT: called last by `derive::state`, whose result it overwrites; it reads only
/// the agreement versions and which are in force, never statuses or the log, so nothing
/// that happens can turn an exemption off.
pub(crate) fn exemptions(versions: &[Agreement], views: &[VersionView]) -> Vec<ExemptionState> {
    let mut out: Vec<ExemptionState> = Vec::new();
    let mut seen: BTreeMap<ExemptionId, usize> = BTreeMap::new();
    for (i, (v, view)) in versions.iter().zip(views).enumerate().rev() {
        if i != 0 && !view.in_force {
            continue;
        }
        for e in &v.exemptions {
            if seen.contains_key(&e.id) {
                continue;
            }
            seen.insert(e.id.clone(), out.len());
            out.push(ExemptionState {
                id: e.id.clone(),
                title: e.title.clone(),
                in_force: true,
                activities: e.activities.clone(),
                regimes: e.regimes.clone(),
                reasons: vec![Reason::rule(
                    Rule::ExemptionAlways,
                    format!(
                        "a humanitarian exemption (version {}) is in force in every state: {}",
                        v.version, e.legal_basis
                    ),
                )],
            });
        }
    }
    out
}

/// Every measure of every regime of the agreement, in its jurisdiction, from the relief
/// actions acting on it: those naming it (suspension, termination, unfreeze) and the
/// regime's general licences whose activities are among its sectors.
///
/// INVARIANT: a measure's status is a function of its actions' statuses alone (and of
/// whether the agreement is agreed, and which triggers revert the actions), by the
/// precedence of [`rank`]; the property tests recompute it.
pub(crate) fn measures(
    agreement: &Agreement,
    actions: &[ActionState],
    triggers: &[TriggerState],
    status: AgreementStatus,
    calendar: (&Anchors, Date),
) -> Vec<MeasureState> {
    let mut out = Vec::new();
    for regime in &agreement.regimes {
        for measure in &regime.measures {
            let acting: Vec<&ActionState> = agreement
                .actions()
                .filter(|(_, a)| acts_on(a, regime, measure))
                .filter_map(|(_, a)| actions.iter().find(|s| s.id == a.id))
                .collect();
            let mut state = measure_state(agreement, regime, measure, &acting, triggers, status);
            review(measure, calendar, &mut state);
            sunset(measure, calendar, &mut state);
            out.push(state);
        }
    }
    out
}

/// A measure's next review and whether it is under review: from the reminder before the
/// review date until that date, inclusive.
fn review(measure: &Measure, (anchors, date): (&Anchors, Date), out: &mut MeasureState) {
    let Some(r) = &measure.review else {
        return;
    };
    let Some(first) = anchors.resolve(&r.starts) else {
        out.reasons.push(Reason::rule(
            Rule::MeasureReview,
            "its review dates depend on a date not known yet",
        ));
        return;
    };
    let end = r.ends.as_ref().and_then(|e| anchors.resolve(e));
    let every = r.every.filter(|e| !e.is_zero());
    let mut next = None;
    for k in 0..super::MAX_PERIODS {
        let day = match (k, every) {
            (0, _) => Some(first),
            (_, Some(e)) => super::nth(first, e, k),
            (_, None) => None,
        };
        let Some(day) = day.filter(|d| end.is_none_or(|e| *d < e)) else {
            break;
        };
        if day >= date {
            next = Some(day);
            break;
        }
    }
    let Some(next) = next else {
        return;
    };
    let reminder = r.remind.and_then(|w| w.before(next)).unwrap_or(next);
    out.next_review = Some(next);
    out.reminder = Some(reminder);
    out.under_review = reminder <= date;
    out.reasons.push(Reason::rule(
        Rule::MeasureReview,
        if out.under_review {
            format!(
                "under review: reviewed on {next} (under review since the reminder on {reminder})"
            )
        } else {
            format!("next review on {next}; under review from the reminder on {reminder}")
        },
    ));
}

/// A measure's own sunset ends it, whatever the compliance status.
fn sunset(measure: &Measure, (anchors, date): (&Anchors, Date), out: &mut MeasureState) {
    let Some(day) = measure.sunset.as_ref().and_then(|s| anchors.resolve(s)) else {
        return;
    };
    out.sunset = Some(day);
    if day > date {
        out.reasons.push(Reason::rule(
            Rule::MeasureSunset,
            format!("it ends by its own terms on {day}, whatever the compliance status"),
        ));
        return;
    }
    out.status = MeasureStatus::Lifted;
    out.since = Some(day);
    out.until = None;
    out.revivable = false;
    out.revivable_until = None;
    out.under_review = false;
    out.reasons.insert(
        0,
        Reason::rule(
            Rule::MeasureSunset,
            format!(
                "ended by its sunset on {day}, whatever the compliance status: no snapback revives it"
            ),
        ),
    );
}

/// Whether a relief action acts on a measure of a regime.
pub(crate) fn acts_on(
    action: &crate::agreement::ReliefAction,
    regime: &Regime,
    measure: &Measure,
) -> bool {
    if action.regime != regime.id {
        return false;
    }
    match &action.kind {
        ReliefKind::GeneralLicence { activities, .. } => {
            activities.iter().any(|a| measure.sectors.contains(a))
        }
        kind => kind.measure() == Some(&measure.id),
    }
}

/// What an action's status makes of its measure, and how strongly: the measure takes the
/// status of its strongest action (lifted, terminated, suspended, wind-down, reimposed,
/// relief scheduled, applies).
pub(crate) fn rank(
    kind: &ReliefKind,
    status: ReliefStatus,
    agreement: AgreementStatus,
) -> (u8, MeasureStatus) {
    match status {
        ReliefStatus::Lifted => (6, MeasureStatus::Lifted),
        ReliefStatus::Granted if matches!(kind, ReliefKind::TerminateMeasure { .. }) => {
            (5, MeasureStatus::Terminated)
        }
        ReliefStatus::Granted => (4, MeasureStatus::Suspended),
        ReliefStatus::WindDown => (3, MeasureStatus::WindDown),
        ReliefStatus::Reimposed => (2, MeasureStatus::Reimposed),
        ReliefStatus::Scheduled if agreement != AgreementStatus::NotYetAgreed => {
            (1, MeasureStatus::ReliefScheduled)
        }
        _ => (0, MeasureStatus::Applies),
    }
}

fn measure_state(
    agreement: &Agreement,
    regime: &Regime,
    measure: &Measure,
    acting: &[&ActionState],
    triggers: &[TriggerState],
    status: AgreementStatus,
) -> MeasureState {
    let kind_of = |a: &ActionState| {
        agreement
            .actions()
            .find(|(_, x)| x.id == a.id)
            .map(|(_, x)| &x.kind)
    };
    let mut decisive: Option<(&ActionState, u8, MeasureStatus)> = None;
    for a in acting {
        let Some(kind) = kind_of(a) else { continue };
        let (r, s) = rank(kind, a.status, status);
        if decisive.is_none_or(|(_, best, _)| r > best) {
            decisive = Some((a, r, s));
        }
    }
    let mut out = MeasureState {
        jurisdiction: regime.jurisdiction.0.clone(),
        regime: regime.id.clone(),
        measure: measure.id.clone(),
        status: MeasureStatus::Applies,
        since: None,
        until: None,
        revivable: false,
        revivable_until: None,
        actions: acting.iter().map(|a| a.id.clone()).collect(),
        reasons: Vec::new(),
        under_review: false,
        next_review: None,
        reminder: None,
        sunset: None,
        spares_contracts_before: None,
        spared_status: None,
    };
    match decisive {
        Some((a, r, s)) if r > 0 => {
            out.status = s;
            let scope = kind_of(a).map_or(String::new(), |k| scope_words(k, measure));
            decide(&mut out, a, s, &scope, triggers, acting);
            if out.spares_contracts_before.is_some() {
                out.spared_status = kind_of(a).map(|k| rank(k, ReliefStatus::Granted, status).1);
            }
        }
        _ => applies(&mut out, acting, status),
    }
    for a in acting {
        if decisive.is_some_and(|(d, r, _)| r > 0 && d.id == a.id) {
            continue;
        }
        out.reasons.push(Reason::rule(
            Rule::MeasureAction,
            format!("`{}`: {}", a.id, status_words(a)),
        ));
    }
    out
}

/// The decisive action sets the dates and the first reason.
fn decide(
    out: &mut MeasureState,
    a: &ActionState,
    s: MeasureStatus,
    scope: &str,
    triggers: &[TriggerState],
    acting: &[&ActionState],
) {
    let words = format!("{}{scope}", status_words(a));
    let (rule, detail) = match s {
        MeasureStatus::Lifted => {
            out.since = a.since;
            (
                Rule::MeasureLifted,
                format!("lifted for good by `{}` ({words})", a.id),
            )
        }
        MeasureStatus::Terminated => {
            out.since = a.since;
            let reverting: Vec<&TriggerState> = triggers
                .iter()
                .filter(|t| t.reverts.contains(&a.id))
                .collect();
            out.revivable = !reverting.is_empty();
            out.revivable_until = a
                .lifts
                .filter(|_| out.revivable)
                .and_then(|l| l.yesterday().ok());
            let revival = match (out.revivable, out.revivable_until) {
                (false, _) => "no trigger of the agreement can revive it".to_owned(),
                (true, Some(u)) => format!(
                    "a snapback ({}) can revive it until {u} inclusive; lifted for good from {}",
                    names(&reverting),
                    u.tomorrow()
                        .map_or_else(|_| "?".to_owned(), |d| d.to_string())
                ),
                (true, None) => format!(
                    "a snapback ({}) can revive it; no termination day is set",
                    names(&reverting)
                ),
            };
            (
                Rule::MeasureTerminated,
                format!("terminated by `{}` ({words}): {revival}", a.id),
            )
        }
        MeasureStatus::Suspended => {
            out.since = a.since;
            out.until = a.until;
            (
                Rule::MeasureSuspended,
                format!("suspended by `{}` ({words}); it can be revoked", a.id),
            )
        }
        MeasureStatus::WindDown => {
            out.since = a.since;
            out.until = a.until;
            out.spares_contracts_before = a.spares_contracts_before;
            (
                Rule::MeasureWindDown,
                format!(
                    "relief `{}` is wound down ({words}): the measure applies again from {}",
                    a.id,
                    a.until.map_or_else(|| "?".to_owned(), |d| d.to_string())
                ),
            )
        }
        MeasureStatus::Reimposed => {
            out.since = a.since;
            out.spares_contracts_before = a.spares_contracts_before;
            (
                Rule::MeasureReimposed,
                format!("reimposed: `{}` {words}", a.id),
            )
        }
        _ => {
            out.until = acting
                .iter()
                .filter(|x| x.status == ReliefStatus::Scheduled)
                .filter_map(|x| x.until)
                .min();
            let pending = a
                .reasons
                .first()
                .map_or(String::new(), |r| format!(": {}", r.detail));
            (
                Rule::MeasureScheduled,
                format!(
                    "relief agreed, pending a condition or a date: `{}` {words}{pending}",
                    a.id
                ),
            )
        }
    };
    let mut reason = Reason::rule(rule, detail);
    if let Some(first) = a.reasons.first() {
        reason.entries = first.entries.clone();
    }
    out.reasons.push(reason);
}

/// No relief in effect or agreed: the measure applies.
fn applies(out: &mut MeasureState, acting: &[&ActionState], status: AgreementStatus) {
    let detail = if acting.is_empty() {
        "no relief of the agreement acts on it".to_owned()
    } else if status == AgreementStatus::NotYetAgreed {
        "the agreement is not yet agreed: no relief acting on it is in effect or agreed".to_owned()
    } else {
        "no relief acting on it is in effect".to_owned()
    };
    out.reasons.push(Reason::rule(Rule::MeasureApplies, detail));
}

/// How far an action reaches into its measure, in words: the sectors of a partial
/// suspension or termination, the amount of an unfreeze, the licence and its activities.
fn scope_words(kind: &ReliefKind, measure: &Measure) -> String {
    match kind {
        ReliefKind::SuspendMeasure { sectors, .. }
        | ReliefKind::TerminateMeasure { sectors, .. }
            if !sectors.is_empty() && sectors != &measure.sectors =>
        {
            format!("; partly: for {}", sectors.join(", "))
        }
        ReliefKind::Unfreeze {
            amount, currency, ..
        } => format!("; partly: assets unfrozen up to {amount} {currency}"),
        ReliefKind::GeneralLicence {
            licence,
            activities,
            ..
        } => format!("; licence {licence} for {}", activities.join(", ")),
        _ => String::new(),
    }
}

fn status_words(a: &ActionState) -> String {
    let since = a.since.map_or(String::new(), |d| format!(" since {d}"));
    let until = a.until.map_or(String::new(), |d| format!(" until {d}"));
    format!("{}{since}{until}", a.status.as_str())
}

fn names(triggers: &[&TriggerState]) -> String {
    triggers
        .iter()
        .map(|t| format!("`{}`", t.id))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The agreement's status on `date`: not yet agreed while version 1's effective date is
/// unknown, agreed until it comes, in effect from it.
pub(crate) fn agreement_status(effective: Option<Date>, date: Date) -> AgreementStatus {
    match effective {
        None => AgreementStatus::NotYetAgreed,
        Some(e) if e > date => AgreementStatus::Agreed,
        Some(_) => AgreementStatus::InEffect,
    }
}
