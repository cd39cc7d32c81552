//! What the relief schedule alone makes of an action: in force from its start (its own
//! date rule, else its phase's entry) until it expires, renewed automatically while its
//! `unless` condition does not hold (or by an authority's decision), lifted for good on its
//! `lifted` date — before any hold, fire or decision is applied.

use crate::agreement::{Phase, ReliefAction, Renewal};
use crate::time::Date;

use super::super::super::date_from_epoch_day;
use super::super::super::state::{ActionState, Reason, ReliefStatus, Rule};
use std::collections::BTreeSet;

use super::super::conditions::{Judge, describe, holds_on};
use super::super::{Anchors, epoch_day};
use super::decisions::{Decided, extend};
use crate::statement::{DecisionAct, LogIndex};

/// An authority's non-renewal that ended a term: whether the agreement would have renewed
/// the relief then (a departure), and the end of the wind-down it gave.
pub(super) struct Lapse {
    pub index: LogIndex,
    pub departs: bool,
    pub wind_down_end: Option<super::decisions::End>,
}

/// What the schedule makes of an action: its state, the day it took effect when it has,
/// and the non-renewal that ended it, if one did.
pub(super) struct Scheduled {
    pub state: ActionState,
    pub start: Option<Date>,
    pub lapse: Option<Lapse>,
}

/// The authority's acts on an action's term: its decisions, the wind-down extensions among
/// them, and the extensions that applied so far.
pub(super) struct Acts<'a, 'd> {
    pub mine: &'a [&'a Decided<'d>],
    pub extensions: &'a [&'a Decided<'d>],
    pub matched: &'a mut BTreeSet<LogIndex>,
}

/// An action as scheduled, with the day it took effect when it has.
pub(super) fn scheduled(
    judge: Judge<'_>,
    anchors: &Anchors,
    phase: &Phase,
    action: &ReliefAction,
    acts: &mut Acts<'_, '_>,
) -> Scheduled {
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
        spares_contracts_before: None,
        until_at: None,
    };
    let done = |state, start, lapse| Scheduled {
        state,
        start,
        lapse,
    };
    let Some(entered) = judge.reached.get(&phase.id).copied() else {
        s.reasons.push(Reason::rule(
            Rule::ReliefPhase,
            format!("phase `{}` is not reached", phase.id),
        ));
        return done(s, None, None);
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
            done(s, None, None)
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
            done(s, None, None)
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
            let lapse = in_force(judge, anchors, action, start, acts, &mut s);
            done(s, Some(start), lapse)
        }
    }
}

/// Relief that has started: its term (with renewals and amendments) and its lift date.
fn in_force(
    judge: Judge<'_>,
    anchors: &Anchors,
    action: &ReliefAction,
    start: Date,
    acts: &mut Acts<'_, '_>,
    s: &mut ActionState,
) -> Option<Lapse> {
    let date = judge.cal.date;
    // A lift date that cannot be resolved yet (an event not recorded) simply has not come.
    let lift = action
        .lifted
        .as_ref()
        .and_then(|r| anchors.resolve(r))
        .map(|l| l.max(start));
    let mut lapse = None;
    match action.expires.as_ref().map(|r| anchors.resolve(r)) {
        None => {}
        Some(None) => s.reasons.push(Reason::rule(
            Rule::ReliefExpiry,
            "its expiry depends on a date not known yet",
        )),
        Some(Some(mut expires)) => {
            lapse = term(judge, action, start, &mut expires, acts, s);
            let wind_down = lapse.as_ref().and_then(|l| l.wind_down_end.clone());
            // Lifting before the term runs out ends the term: the relief is permanent
            // from then on.
            if lift.is_some_and(|l| l < expires && l <= date) {
                s.reasons.push(Reason::rule(
                    Rule::ReliefExpiry,
                    format!("its term (to {expires}) no longer applies: it was lifted before"),
                ));
            } else if let Some(w) = wind_down
                .clone()
                .filter(|e| expires <= date && date < e.day)
            {
                let end =
                    w.at.as_ref()
                        .map_or_else(|| w.day.to_string(), ToString::to_string);
                s.status = ReliefStatus::WindDown;
                s.since = Some(expires);
                s.until = Some(w.day);
                s.until_at = w.at;
                s.reasons.insert(
                    0,
                    Reason::rule(
                        Rule::DecisionWindDown,
                        format!(
                            "not renewed: expired on {expires} into a wind-down until {end} (the measure applies again that day)"
                        ),
                    ),
                );
            } else if expires <= date {
                let end = wind_down.map_or(expires, |w| w.day);
                s.status = ReliefStatus::Expired;
                s.since = Some(end);
                s.until = None;
                // The reason that decides the status comes first.
                s.reasons.insert(
                    0,
                    Reason::rule(
                        Rule::ReliefExpiry,
                        if end > expires {
                            format!(
                                "expired on {expires} (expiry, not revocation), wound down until {end}"
                            )
                        } else {
                            format!("expired on {expires} (expiry, not revocation)")
                        },
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
    lapse
}

/// Runs an action's term to the evaluation date: the renewals and amendments an authority
/// decided by each expiry apply to the term then running (in effective order: the latest
/// act decides; a renewal runs from the date it states); at each expiry an automatic
/// renewal is judged on that day; a renewal decided after the relief lapsed runs from its
/// own date. Returns the non-renewal that ended the term, if one did.
fn term(
    judge: Judge<'_>,
    action: &ReliefAction,
    start: Date,
    expires: &mut Date,
    acts: &mut Acts<'_, '_>,
    s: &mut ActionState,
) -> Option<Lapse> {
    let date = judge.cal.date;
    let length = epoch_day(*expires) - epoch_day(start);
    let decided: Vec<&Decided<'_>> = acts
        .mine
        .iter()
        .filter(|d| {
            matches!(d.decision.act, DecisionAct::Renew | DecisionAct::Amend) && d.effective <= date
        })
        .copied()
        .collect();
    let let_expire = acts
        .mine
        .iter()
        .find(|d| d.decision.act == DecisionAct::LetExpire && d.effective <= date);
    let mut next = 0;
    // Bounded: at most one renewal per day elapsed.
    for _ in 0..100_000 {
        while let Some(d) = decided.get(next).filter(|d| d.effective <= *expires) {
            renew_or_amend(d, expires, length, s);
            next += 1;
        }
        if *expires > date {
            return None;
        }
        if let Some(d) = let_expire
            && d.effective <= *expires
        {
            return Some(lapse(judge, action, d, *expires, acts, s));
        }
        if let Some(term) = automatic(judge, &action.renewal, *expires, s) {
            let next = term.after(*expires)?;
            if next <= *expires {
                return None;
            }
            s.renewals += 1;
            s.reasons.push(Reason::rule(
                Rule::ReliefRenewal,
                format!("renewed automatically on {expires} until {next}"),
            ));
            *expires = next;
            continue;
        }
        if let Some(d) = decided.get(next) {
            // Decided after the relief lapsed: it runs again from the decision's date.
            s.reasons.push(Reason::rule(
                Rule::ReliefExpiry,
                format!("lapsed on {expires}; in force again from {}", d.effective),
            ));
            s.since = Some(d.effective);
            renew_or_amend(d, expires, length, s);
            next += 1;
            continue;
        }
        return None;
    }
    None
}

/// A renewal (from the date it states, until `until` or for the term's length) or an
/// amendment (the expiry becomes `until`).
fn renew_or_amend(d: &Decided<'_>, expires: &mut Date, length: i64, s: &mut ActionState) {
    let eff = d.effective;
    let (next, rule, words) = match d.decision.act {
        DecisionAct::Renew => {
            let next = d
                .until
                .or_else(|| date_from_epoch_day(epoch_day(eff) + length.max(1)));
            s.renewals += 1;
            (next, Rule::DecisionRenew, "renewed by decision of")
        }
        _ => (d.until, Rule::DecisionAmend, "amended by decision of"),
    };
    let Some(next) = next else {
        return;
    };
    let stated = d.decision.until.clone().filter(|m| !m.is_plain());
    let shown = match &stated {
        Some(m) => format!("{m} (exclusive: not in effect from that instant)"),
        None => format!("{next} (not in effect from that day)"),
    };
    s.until_at = stated;
    s.reasons.push(Reason::with_entries(
        rule,
        format!(
            "{words} {} until {shown}: {}",
            d.decision.effective, d.decision.reason
        ),
        vec![d.index],
    ));
    *expires = next;
}

/// The authority lets the relief lapse at `expires`: a departure only when the agreement
/// would have renewed it automatically then; with a wind-down when the decision gives one.
fn lapse(
    judge: Judge<'_>,
    action: &ReliefAction,
    d: &Decided<'_>,
    expires: Date,
    acts: &mut Acts<'_, '_>,
    s: &mut ActionState,
) -> Lapse {
    s.reasons.push(Reason::with_entries(
        Rule::DecisionLetExpire,
        format!("the authority let it expire: {}", d.decision.reason),
        vec![d.index],
    ));
    let departs = match &action.renewal {
        Renewal::Automatic {
            unless, max_terms, ..
        } => {
            max_terms.is_none_or(|m| s.renewals < m)
                && !unless.as_ref().is_some_and(|c| holds_on(judge, c, expires))
        }
        Renewal::None => false,
    };
    let wind_down_end = d
        .decision
        .wind_down
        .and_then(|w| w.after(expires))
        .map(|end| {
            extend(
                expires,
                super::decisions::End::day(end),
                acts.extensions,
                acts.matched,
            )
        });
    Lapse {
        index: d.index,
        departs,
        wind_down_end,
    }
}

/// The term of an automatic renewal due at the expiry `at`: its `unless` condition,
/// judged on that day, does not hold and the term limit allows.
fn automatic(
    judge: Judge<'_>,
    renewal: &Renewal,
    at: Date,
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
    let blocked = unless.as_ref().is_some_and(|c| holds_on(judge, c, at));
    if blocked {
        s.reasons.push(Reason::rule(
            Rule::ReliefRenewal,
            format!(
                "not renewed on {at}: `{}` holds at that expiry",
                unless.as_ref().map(describe).unwrap_or_default()
            ),
        ));
    }
    (allowed && !blocked).then_some(*term)
}
