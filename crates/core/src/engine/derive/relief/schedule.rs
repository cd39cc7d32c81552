//! What the relief schedule alone makes of an action: in force from its start (its own
//! date rule, else its phase's entry) until it expires, renewed automatically while its
//! `unless` condition does not hold (or by an authority's decision), lifted for good on its
//! `lifted` date — before any hold, fire or decision is applied.

use crate::agreement::{Phase, ReliefAction, Renewal};
use crate::time::Date;

use super::super::super::date_from_epoch_day;
use super::super::super::state::{ActionState, Reason, ReliefStatus, Rule};
use super::super::conditions::{Judge, describe, holds_now};
use super::super::{Anchors, epoch_day};
use super::decisions::Decided;
use crate::statement::DecisionAct;

/// An action as scheduled, with the day it took effect when it has.
pub(super) fn scheduled(
    judge: Judge<'_>,
    anchors: &Anchors,
    phase: &Phase,
    action: &ReliefAction,
    mine: &[&Decided<'_>],
) -> (ActionState, Option<Date>) {
    let agreement = judge.cal.agreement();
    let regime = agreement.and_then(|a| a.regimes.iter().find(|r| r.id == action.regime));
    let measure = action.kind.measure().cloned();
    let mut s = ActionState {
        id: action.id.clone(),
        phase: phase.id.clone(),
        title: action.title.clone(),
        regime: action.regime.clone(),
        jurisdiction: regime.map(|r| r.jurisdiction.0.clone()),
        measure,
        status: ReliefStatus::Scheduled,
        since: None,
        until: None,
        renewals: 0,
        superseded_by: None,
        lifts: None,
        reasons: Vec::new(),
    };
    let Some(entered) = judge.reached.get(&phase.id).copied() else {
        s.reasons.push(Reason::rule(
            Rule::ReliefPhase,
            format!("phase `{}` is not reached", phase.id),
        ));
        return (s, None);
    };
    let start = match &action.starts {
        None => Some(entered),
        Some(rule) => anchors.resolve(rule),
    };
    match start {
        None => {
            s.reasons.push(Reason::rule(
                Rule::ReliefStart,
                "its start date depends on an event not recorded yet",
            ));
            (s, None)
        }
        Some(start) if start > judge.cal.date => {
            s.until = Some(start);
            s.reasons.push(Reason::rule(
                Rule::ReliefStart,
                format!(
                    "phase `{}` reached on {entered}; takes effect on {start}",
                    phase.id
                ),
            ));
            (s, None)
        }
        Some(start) => {
            s.status = ReliefStatus::Granted;
            s.since = Some(start);
            s.reasons.push(Reason::rule(
                Rule::ReliefStart,
                format!(
                    "phase `{}` reached on {entered}; in force from {start}",
                    phase.id
                ),
            ));
            in_force(judge, anchors, action, start, mine, &mut s);
            (s, Some(start))
        }
    }
}

/// Relief that has started: its term (with renewals) and its lift date.
fn in_force(
    judge: Judge<'_>,
    anchors: &Anchors,
    action: &ReliefAction,
    start: Date,
    mine: &[&Decided<'_>],
    s: &mut ActionState,
) {
    let date = judge.cal.date;
    // A lift date that cannot be resolved yet (an event not recorded) simply has not come.
    let lift = action
        .lifted
        .as_ref()
        .and_then(|r| anchors.resolve(r))
        .map(|l| l.max(start));
    match action.expires.as_ref().map(|r| anchors.resolve(r)) {
        None => {}
        Some(None) => s.reasons.push(Reason::rule(
            Rule::ReliefExpiry,
            "its expiry depends on a date not known yet",
        )),
        Some(Some(mut expires)) => {
            term(judge, action, start, &mut expires, mine, s);
            // Lifting before the term runs out ends the term: the relief is permanent
            // from then on.
            if lift.is_some_and(|l| l < expires && l <= date) {
                s.reasons.push(Reason::rule(
                    Rule::ReliefExpiry,
                    format!("its term (to {expires}) no longer applies: it was lifted before"),
                ));
            } else if expires <= date {
                s.status = ReliefStatus::Expired;
                s.since = Some(expires);
                s.until = None;
                // The reason that decides the status comes first.
                s.reasons.insert(
                    0,
                    Reason::rule(
                        Rule::ReliefExpiry,
                        format!("expired on {expires} (expiry, not revocation)"),
                    ),
                );
            } else {
                s.until = Some(expires);
                s.reasons.push(Reason::rule(
                    Rule::ReliefExpiry,
                    format!("expires on {expires}"),
                ));
            }
        }
    }
    match lift {
        Some(l) if s.status == ReliefStatus::Granted && l <= date => {
            s.lifts = Some(l);
            s.status = ReliefStatus::Lifted;
            s.since = Some(l);
            s.until = None;
            s.reasons.insert(
                0,
                Reason::rule(
                    Rule::ReliefLifted,
                    format!(
                        "lifted for good on {l}: it no longer expires and no trigger reverts it"
                    ),
                ),
            );
        }
        Some(l) if s.status == ReliefStatus::Granted => {
            s.lifts = Some(l);
            s.reasons.push(Reason::rule(
                Rule::ReliefLifted,
                format!("to be lifted for good on {l}"),
            ));
        }
        _ => {}
    }
}

/// Extends an expiry by renewals: automatic ones while `unless` does not hold (judged on
/// the evaluation date) and the term limit allows, and those an authority decided.
fn term(
    judge: Judge<'_>,
    action: &ReliefAction,
    start: Date,
    expires: &mut Date,
    decisions: &[&Decided<'_>],
    s: &mut ActionState,
) {
    let date = judge.cal.date;
    let length = epoch_day(*expires) - epoch_day(start);
    let mut renew_decisions: Vec<&Decided<'_>> = decisions
        .iter()
        .filter(|d| d.decision.act == DecisionAct::Renew && d.decision.effective <= date)
        .copied()
        .collect();
    renew_decisions.reverse();
    let let_expire = decisions
        .iter()
        .find(|d| d.decision.act == DecisionAct::LetExpire && d.decision.effective <= date);
    // Bounded: at most one renewal per day elapsed.
    for _ in 0..100_000 {
        if *expires > date {
            return;
        }
        if let Some(d) = let_expire
            && d.decision.effective <= *expires
        {
            s.reasons.push(Reason::with_entries(
                Rule::DecisionLetExpire,
                format!("the authority let it expire: {}", d.decision.reason),
                vec![d.index],
            ));
            return;
        }
        if let Some(term) = automatic(judge, &action.renewal, s) {
            let Some(next) = term.after(*expires) else {
                return;
            };
            if next <= *expires {
                return;
            }
            s.renewals += 1;
            s.reasons.push(Reason::rule(
                Rule::ReliefRenewal,
                format!("renewed automatically on {expires} until {next}"),
            ));
            *expires = next;
            continue;
        }
        if let Some(d) = renew_decisions.pop() {
            let Some(next) = date_from_epoch_day(epoch_day(*expires) + length.max(1)) else {
                return;
            };
            s.renewals += 1;
            s.reasons.push(Reason::with_entries(
                Rule::DecisionRenew,
                format!("renewed by decision until {next}: {}", d.decision.reason),
                vec![d.index],
            ));
            *expires = next;
            continue;
        }
        return;
    }
}

/// The term of an automatic renewal, when one is due (its `unless` does not hold and the
/// term limit allows).
fn automatic(
    judge: Judge<'_>,
    renewal: &Renewal,
    s: &mut ActionState,
) -> Option<crate::time::CalendarDuration> {
    let Renewal::Automatic {
        term,
        unless,
        max_terms,
    } = renewal
    else {
        return None;
    };
    let allowed = max_terms.is_none_or(|m| s.renewals < m);
    let blocked = unless
        .as_ref()
        .is_some_and(|c| holds_now(judge, &judge.anchors(), c));
    if blocked {
        s.reasons.push(Reason::rule(
            Rule::ReliefRenewal,
            format!(
                "not renewed: `{}` holds",
                unless.as_ref().map(describe).unwrap_or_default()
            ),
        ));
    }
    (allowed && !blocked).then_some(*term)
}
