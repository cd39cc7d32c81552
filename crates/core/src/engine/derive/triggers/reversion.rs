//! What a fired trigger does to relief and phases, and what earning relief again after a
//! fire (`re_earn`) gives back: applied by `derive::relief` (actions, in date order with
//! decisions) and by `derive` after relief (phases).

use std::collections::BTreeMap;

use crate::agreement::{Agreement, Reentry, Reversion};
use crate::id::PhaseId;
use crate::time::Date;

use super::super::super::state::{
    ActionState, PhaseState, PhaseStatus, Reason, ReliefStatus, Rule, Unmet,
};
use super::super::conditions::{Judge, describe, reentry_earliest};
use super::{LastFire, Reverted};

/// Phases earned again after a fire (a whole-phase reversion) count from their new entry
/// day: their relief starts, and its expiry runs, from it.
pub(crate) fn reenter(
    agreement: &Agreement,
    fires: &[LastFire],
    reached: &BTreeMap<PhaseId, Date>,
) -> BTreeMap<PhaseId, Date> {
    let mut moved: Vec<(PhaseId, Date)> = Vec::new();
    for fire in fires {
        let whole = agreement
            .triggers
            .iter()
            .find(|t| t.id == fire.trigger)
            .is_some_and(|t| !matches!(t.reverts_to, Reversion::Actions { .. }));
        if whole {
            moved.extend(fire.reentered.iter().map(|(p, r)| (p.clone(), r.on)));
        }
    }
    let mut out = reached.clone();
    out.extend(moved);
    out
}

/// Relief earned again after a fire (`re_earn`), as of `date`: in force from the day its
/// phase was reached again, whatever the wind-down (or a decision since the fire) had made
/// of it. `base` is what the schedule alone makes of the action (its term, a hold, its
/// lift date, `lift` the date its rule names). A lift date that has come makes it
/// `lifted` from that date — from the re-entry day at the earliest, when the lift date fell
/// while it was reverted. Relief lifted before the fire was never reverted: nothing to earn
/// again.
pub(crate) fn reenter_action(
    date: Date,
    r: &Reverted,
    base: &ActionState,
    lift: Option<Date>,
    s: &mut ActionState,
) {
    let Some(re) = r
        .reentered
        .as_ref()
        .filter(|re| re.on <= date && r.fired <= date)
    else {
        return;
    };
    let since = (base.status == ReliefStatus::Lifted)
        .then_some(base.since)
        .flatten();
    if since.is_some_and(|l| l <= r.fired) {
        return;
    }
    let lifted = since.map(|l| lift.unwrap_or(l));
    s.until = match base.status {
        ReliefStatus::Granted | ReliefStatus::Held => base.until.filter(|u| *u > re.on),
        _ => None,
    };
    // What the schedule gives from the re-entry on: a hold for an overdue report counts.
    s.status = if base.status == ReliefStatus::Held {
        ReliefStatus::Held
    } else {
        ReliefStatus::Granted
    };
    s.since = Some(re.on);
    s.reasons.insert(
        0,
        Reason::with_entries(
            Rule::TriggerReentered,
            format!(
                "reverted by trigger `{}` fired on {}, then earned again: phase `{}` re-entered on {} (its entry condition met again at review {}; reentry: re_earn), in force again from that day",
                r.trigger, r.fired, re.phase, re.on, re.review
            ),
            re.entries.clone(),
        ),
    );
    // Earned again while a report is overdue: held, and that reason decides the status.
    if s.status == ReliefStatus::Held
        && let Some(i) = s.reasons.iter().position(|r| r.rule == Rule::ReliefHeld)
    {
        let held = s.reasons.remove(i);
        s.reasons.insert(0, held);
    }
    if let Some(l) = lifted {
        let from = l.max(re.on);
        s.status = ReliefStatus::Lifted;
        s.since = Some(from);
        s.until = None;
        s.reasons.insert(
            0,
            Reason::rule(
                Rule::ReliefLifted,
                if l < re.on {
                    format!(
                        "lifted for good on {from}, the day it was earned again (its lift date, {l}, came while it was reverted): it no longer expires and no trigger reverts it"
                    )
                } else {
                    format!(
                        "lifted for good on {from}, after it was earned again: it no longer expires and no trigger reverts it"
                    )
                },
            ),
        );
    }
}

/// Reverts one action's state by a fired trigger, as of `date` (the fire only: what was
/// earned again after it is `reenter_action`'s).
pub(crate) fn revert(date: Date, r: &Reverted, s: &mut ActionState) {
    if r.fired > date {
        return;
    }
    // Lifted before the trigger fired: permanent, out of any trigger's reach. Lifted only
    // later: the trigger fired first and the lift never came.
    if s.status == ReliefStatus::Lifted && s.since.is_some_and(|l| l <= r.fired) {
        s.reasons.push(Reason::with_entries(
            Rule::TriggerReverted,
            format!(
                "not reverted by trigger `{}` fired on {}: lifted for good before that",
                r.trigger, r.fired
            ),
            r.entries.clone(),
        ));
        return;
    }
    let active = matches!(
        s.status,
        ReliefStatus::Granted | ReliefStatus::Held | ReliefStatus::Lifted
    ) || (s.status == ReliefStatus::Expired && s.since.is_some_and(|e| e > r.fired));
    if !active {
        s.reasons.push(Reason::with_entries(
            Rule::TriggerReverted,
            format!(
                "reverted by trigger `{}` fired on {}; it was not in force then",
                r.trigger, r.fired
            ),
            r.entries.clone(),
        ));
        return;
    }
    if r.non_retroactive {
        s.spares_contracts_before = Some(r.fired);
    }
    let contracts = if r.non_retroactive {
        format!(
            "; contracts concluded before {} may be performed until {}",
            r.fired, r.wind_down_until
        )
    } else {
        String::new()
    };
    if date < r.wind_down_until {
        s.status = ReliefStatus::WindDown;
        s.since = Some(r.fired);
        s.until = Some(r.wind_down_until);
        s.until_at.clone_from(&r.wind_down_at);
        s.reasons.insert(
            0,
            Reason::with_entries(
                Rule::TriggerWindDown,
                format!(
                    "reverted by trigger `{}` fired on {}: wound down until {}{contracts}",
                    r.trigger, r.fired, r.wind_down_until
                ),
                r.entries.clone(),
            ),
        );
    } else {
        s.status = ReliefStatus::Reimposed;
        s.since = Some(r.wind_down_until);
        s.until = None;
        s.reasons.insert(
            0,
            Reason::with_entries(
                Rule::TriggerReimposed,
                format!(
                    "reverted by trigger `{}` fired on {}: reimposed on {} after the wind-down{contracts}",
                    r.trigger, r.fired, r.wind_down_until
                ),
                r.entries.clone(),
            ),
        );
    }
}

/// Phases past the reversion point of a fired trigger are not reached any more — unless,
/// under `re_earn`, they were earned again after its latest fire. Fires apply in date
/// order: the latest decides.
pub(crate) fn revert_phases(judge: Judge<'_>, fires: &[LastFire], phases: &mut [PhaseState]) {
    let Some(agreement) = judge.cal.agreement() else {
        return;
    };
    // Phases an earlier fire already took out (a later one says what remains).
    let mut touched: std::collections::BTreeSet<PhaseId> = std::collections::BTreeSet::new();
    for fire in fires {
        let Some(t) = agreement.triggers.iter().find(|t| t.id == fire.trigger) else {
            continue;
        };
        let fired = fire.fired;
        let from = match &t.reverts_to {
            Reversion::PreAgreement => 0,
            Reversion::Phase { phase } => agreement
                .phases
                .iter()
                .position(|p| &p.id == phase)
                .map_or(0, |i| i + 1),
            Reversion::Actions { .. } => {
                // The phase stays reached (the rest of its relief is kept); say when the
                // reverted actions were earned again.
                for p in phases.iter_mut() {
                    if let Some(re) = fire.reentered.get(&p.id) {
                        p.reasons.push(Reason::with_entries(
                            Rule::TriggerReentered,
                            format!(
                                "its actions reverted by trigger `{}` fired on {fired} were earned again on {}: entry condition met again at review {}",
                                t.id, re.on, re.review
                            ),
                            re.entries.clone(),
                        ));
                    }
                }
                continue;
            }
        };
        for (p, spec) in phases.iter_mut().zip(&agreement.phases).skip(from) {
            if let Some(re) = fire.reentered.get(&p.id) {
                let was = p
                    .entered
                    .map_or(String::new(), |d| format!("entered on {d}, "));
                p.status = PhaseStatus::Reached;
                p.entered = Some(re.on);
                p.remains.clear();
                p.reasons.insert(
                    0,
                    Reason::with_entries(
                        Rule::TriggerReentered,
                        format!(
                            "{was}reverted by trigger `{}` fired on {fired}, then earned again: entry condition `{}` met at review {} (only reviews that begin on or after {fired} count); re-entered on {}",
                            t.id,
                            describe(&spec.entry),
                            re.review,
                            re.on
                        ),
                        re.entries.clone(),
                    ),
                );
                continue;
            }
            let reached = p.status == PhaseStatus::Reached;
            if !reached && t.reentry == Reentry::ByDecision && !touched.contains(&p.id) {
                continue;
            }
            touched.insert(p.id.clone());
            // Earned again after an earlier fire: reached, from that day, when this one came.
            let again = fire.earlier.get(&p.id).copied();
            if reached || again.is_some() {
                let was = again
                    .or(p.entered)
                    .map_or("?".to_owned(), |d| d.to_string());
                p.status = PhaseStatus::NotReached;
                p.entered = None;
                p.reasons.insert(
                    0,
                    Reason::rule(
                        Rule::TriggerReverted,
                        format!(
                            "entered on {was}, then reverted by trigger `{}` fired on {fired}",
                            t.id
                        ),
                    ),
                );
            }
            p.remains = vec![match t.reentry {
                Reentry::ByDecision => Unmet {
                    condition: format!("re-entry after trigger `{}`", t.id),
                    detail: "relief reverted by a fired trigger is not re-entered by the evaluation; a new decision or amendment is needed".to_owned(),
                    earliest: None,
                },
                Reentry::ReEarn => Unmet {
                    condition: describe(&spec.entry),
                    detail: format!(
                        "to be earned again after trigger `{}` fired on {fired} (reentry: re_earn): only reviews that begin on or after {fired} count",
                        t.id
                    ),
                    earliest: reentry_earliest(judge, &spec.entry, fired),
                },
            }];
        }
    }
}
