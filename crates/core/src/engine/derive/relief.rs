//! Relief actions, authorities' decisions, the reversion of relief by fired triggers, and
//! the exemptions that are in force whatever happens.
//!
//! An action of a reached phase is in force from its start (its own date rule, else the
//! phase's entry date) until it expires; automatic renewal extends the term while its
//! `unless` condition does not hold; an action that supersedes another replaces it from
//! its start; an action whose `lifted` date comes while it is in force is `lifted` for good
//! (no expiry, no reversion by a trigger fired after that date). Authorities' decisions are then applied in effective-date order, and each is
//! marked as a departure when it differs from what the evaluation entitles (DESIGN §4).
//!
//! Fired triggers' reversions and relief earned again after them (`derive::triggers`) are
//! dated steps applied in one date order with the decisions: a decision effective on a
//! fire's day applies before the fire, one effective on a re-entry's day after the
//! re-entry, so a re-entry overtakes a decision effective between the fire and it.
//!
//! A disputed decision stays in effect while the dispute is open (an authority's act is
//! not suspended by a complaint); once a dispute overturns it, it is set aside: it no
//! longer applies, relief is what the evaluation and the other decisions give, and relief
//! it had changed takes its status back from the day of the resolution.

use std::collections::{BTreeMap, BTreeSet};

use crate::id::{ActionId, CommitmentId, IndicatorId, ParticipantId};
use crate::statement::{DecisionAct, LogIndex};
use crate::time::{Date, Period};

use super::super::state::{
    ActionState, AgreementStatus, DecisionState, Reason, ReliefStatus, Rule,
};
use super::Rejected;
use super::conditions::{Judge, mentions};
use super::disputes::DecisionDispute;
use super::triggers::{Reverted, reenter_action, revert};

mod decisions;
mod schedule;

use decisions::Decided;

/// What the relief stage hands on.
pub(crate) struct Relief {
    pub actions: Vec<ActionState>,
    pub decisions: Vec<DecisionState>,
}

/// Every relief action of the governing version, and the decisions on them. `judge` has
/// the phases reached after re-entries; `held` the commitments whose relief an overdue
/// report holds; `reverted` the fired triggers' reversions per action.
pub(crate) fn relief(
    judge: Judge<'_>,
    held: &BTreeMap<CommitmentId, (IndicatorId, Period)>,
    reverted: &BTreeMap<ActionId, Vec<Reverted>>,
    disputes: &BTreeMap<LogIndex, DecisionDispute>,
    status: AgreementStatus,
    rejected: &mut Rejected,
) -> Relief {
    let cal = judge.cal;
    let Some(agreement) = cal.agreement() else {
        return Relief {
            actions: Vec::new(),
            decisions: Vec::new(),
        };
    };
    let anchors = judge.anchors();
    let decided = decisions::decided(cal, agreement, disputes, rejected);
    let mut states: Vec<ActionState> = Vec::new();
    // What the evaluation alone entitles, per action (for departures).
    let mut entitled: BTreeMap<ActionId, ReliefStatus> = BTreeMap::new();
    // The day each action took effect, for those that have.
    let mut started: BTreeMap<ActionId, Date> = BTreeMap::new();
    // Non-renewals, and whether each departs from the agreement.
    let mut lapses: BTreeMap<LogIndex, bool> = BTreeMap::new();
    // Wind-down extensions that applied to a running wind-down.
    let mut matched: BTreeSet<LogIndex> = BTreeSet::new();
    for (phase, action) in agreement.actions() {
        // A decision set aside by a dispute no longer applies.
        let mine: Vec<&Decided<'_>> = decided
            .iter()
            .filter(|d| d.applies(&phase.id, &action.id) && d.set_aside().is_none())
            .collect();
        let extensions: Vec<&Decided<'_>> = mine
            .iter()
            .filter(|d| d.act() == DecisionAct::ExtendWindDown && d.effective <= cal.date)
            .copied()
            .collect();
        let mut acts = schedule::Acts {
            mine: &mine,
            extensions: &extensions,
            matched: &mut matched,
        };
        let scheduled = schedule::scheduled(judge, &anchors, phase, action, &mut acts);
        let mut s = scheduled.state;
        if let Some(start) = scheduled.start {
            started.insert(action.id.clone(), start);
        }
        if let Some(l) = scheduled.lapse {
            lapses.insert(l.index, l.departs);
        }
        if status != AgreementStatus::InEffect
            && let Some(why) = phase_states_reason(judge, status)
        {
            s.reasons.insert(0, why);
        }
        hold(held, &phase.entry, &mut s);
        let lift = action.lifted.as_ref().and_then(|r| anchors.resolve(r));
        let reverts = extended_reversions(
            reverted
                .get(&action.id)
                .map(Vec::as_slice)
                .unwrap_or_default(),
            &extensions,
            acts.matched,
        );
        let ends = revocation_ends(&mine, &extensions, acts.matched);
        let withdrawals = withdrawals(judge, action, &extensions, acts.matched);
        let alone = steps(
            cal.date,
            &mut s,
            lift,
            (&reverts, &withdrawals),
            &mine,
            &ends,
        );
        entitled.insert(action.id.clone(), alone);
        decisions::set_aside(
            decided
                .iter()
                .filter(|d| d.applies(&phase.id, &action.id) && d.effective <= cal.date),
            &mut s,
        );
        states.push(s);
    }
    supersede(agreement, &mut states, &started);
    for s in &mut states {
        // An instant stands for `until` only while `until` is its day; `until` then shows
        // the UTC day the instant falls on (the engine counted it from the next day while
        // the instant had not come).
        match &s.until_at {
            Some(m) if Some(m.day_as_of(cal.cut.0, &cal.core.days)) == s.until => {
                s.until = Some(cal.core.day(m.instant()));
            }
            _ => s.until_at = None,
        }
    }
    let counted = unstarted_extensions(&decided, &matched, cal.date, rejected);
    let decisions = decisions::states(agreement, &counted, &entitled, &lapses, cal.date);
    Relief {
        actions: states,
        decisions,
    }
}

/// The fired triggers' reversions of an action, with each wind-down's extensions.
fn extended_reversions(
    reverts: &[Reverted],
    extensions: &[&Decided<'_>],
    matched: &mut BTreeSet<LogIndex>,
) -> Vec<Reverted> {
    reverts
        .iter()
        .map(|r| {
            let mut r = r.clone();
            let end = decisions::extend(
                r.fired,
                decisions::End::day(r.wind_down_until),
                extensions,
                matched,
            );
            r.wind_down_until = end.day;
            r.wind_down_at = end.at;
            r
        })
        .collect()
}

/// An authority that withdrew from the agreement: its relief (of regimes in its
/// jurisdiction) is wound down from the withdrawal, then reimposed.
struct Withdrawal {
    authority: ParticipantId,
    effective: Date,
    end: decisions::End,
    entry: LogIndex,
}

/// The withdrawals of the authorities whose jurisdiction an action's regime belongs to.
fn withdrawals(
    judge: Judge<'_>,
    action: &crate::agreement::ReliefAction,
    extensions: &[&Decided<'_>],
    matched: &mut BTreeSet<LogIndex>,
) -> Vec<Withdrawal> {
    let cal = judge.cal;
    let Some(agreement) = cal.agreement() else {
        return Vec::new();
    };
    let Some(jurisdiction) = agreement
        .regimes
        .iter()
        .find(|r| r.id == action.regime)
        .map(|r| &r.jurisdiction)
    else {
        return Vec::new();
    };
    cal.participants
        .withdrawals(cal.date)
        .filter(|(p, _)| {
            agreement.parties.iter().any(|x| {
                &&x.id == p
                    && x.role == crate::agreement::PartyRole::Authority
                    && x.jurisdiction.as_ref() == Some(jurisdiction)
            })
        })
        .map(|(p, c)| {
            let end = c.wind_down.and_then(|w| c.at.after(w)).map_or_else(
                || decisions::End::at(c.at.clone(), cal.cut.0, &cal.core.days),
                |m| decisions::End::at(m, cal.cut.0, &cal.core.days),
            );
            Withdrawal {
                authority: p.clone(),
                effective: c.effective,
                end: decisions::extend(c.effective, end, extensions, matched),
                entry: c.entry,
            }
        })
        .collect()
}

/// Applies an authority's withdrawal to relief of its jurisdiction.
fn withdraw(date: Date, w: &Withdrawal, s: &mut ActionState) {
    if w.effective > date || !(s.status.relieves() || s.status == ReliefStatus::Held) {
        return;
    }
    let (status, since) = if date < w.end.day {
        (ReliefStatus::WindDown, w.effective)
    } else {
        (ReliefStatus::Reimposed, w.end.day)
    };
    s.status = status;
    s.since = Some(since);
    s.until = (status == ReliefStatus::WindDown).then_some(w.end.day);
    s.until_at = w
        .end
        .at
        .clone()
        .filter(|_| status == ReliefStatus::WindDown);
    let wind = if w.end.day > w.effective {
        let shown = w
            .end
            .at
            .as_ref()
            .map_or_else(|| w.end.day.to_string(), |m| m.to_string());
        format!(", wound down until {shown} (exclusive)")
    } else {
        String::new()
    };
    s.reasons.insert(
        0,
        Reason::with_entries(
            Rule::ReliefWithdrawn,
            format!(
                "`{}` withdrew from the agreement on {}: its relief is reimposed{wind}",
                w.authority, w.effective
            ),
            vec![w.entry],
        ),
    );
}

/// The end of the wind-down each revocation gives, with its extensions.
fn revocation_ends(
    mine: &[&Decided<'_>],
    extensions: &[&Decided<'_>],
    matched: &mut BTreeSet<LogIndex>,
) -> BTreeMap<LogIndex, decisions::End> {
    mine.iter()
        .filter(|d| d.act() == DecisionAct::Revoke)
        .filter_map(|d| {
            let end = d.decision.effective.after(d.decision.wind_down?)?;
            let end = decisions::End::at(end, d.as_of, d.days);
            Some((
                d.index,
                decisions::extend(d.effective, end, extensions, matched),
            ))
        })
        .collect()
}

/// The decisions that count: an extension of a wind-down that was not running when it
/// took effect (not begun, or already over) is rejected, with the reason.
fn unstarted_extensions<'r, 'a>(
    decided: &'r [Decided<'a>],
    matched: &BTreeSet<LogIndex>,
    date: Date,
    rejected: &mut Rejected,
) -> Vec<&'r Decided<'a>> {
    let mut out = Vec::new();
    for d in decided {
        if d.act() == DecisionAct::ExtendWindDown
            && d.effective <= date
            && !matched.contains(&d.index)
            && d.set_aside().is_none()
        {
            rejected.push((
                d.index.0,
                format!(
                    "extends a wind-down of `{}` that is not running on {}: it has not begun (or is already over); a wind-down is extended while it runs",
                    match &d.decision.relief {
                        crate::statement::ReliefRef::Phase(p) => p.to_string(),
                        crate::statement::ReliefRef::Action(a) => a.to_string(),
                    },
                    d.effective
                ),
            ));
            continue;
        }
        out.push(d);
    }
    out
}

/// Before the agreement takes effect: why relief waits.
fn phase_states_reason(judge: Judge<'_>, status: AgreementStatus) -> Option<Reason> {
    let effective = judge.cal.views.first().and_then(|v| v.effective);
    Some(Reason::rule(
        Rule::ReliefAgreement,
        match (status, effective) {
            (AgreementStatus::Agreed, Some(e)) => {
                format!("agreed: the agreement takes effect on {e}; relief waits for it")
            }
            (AgreementStatus::InEffect, _) => return None,
            _ => "not yet agreed: the agreement's effective date depends on an event not recorded yet".to_owned(),
        },
    ))
}

/// An overdue report on an indicator whose policy is to hold relief holds the relief of
/// every phase whose entry rests on its commitment, until the report comes.
fn hold(
    held: &BTreeMap<CommitmentId, (IndicatorId, Period)>,
    entry: &crate::rule::Condition,
    s: &mut ActionState,
) {
    if s.status != ReliefStatus::Granted {
        return;
    }
    let Some((commitment, (indicator, period))) = held.iter().find(|(c, _)| mentions(entry, c))
    else {
        return;
    };
    s.status = ReliefStatus::Held;
    s.reasons.insert(
        0,
        Reason::rule(
            Rule::ReliefHeld,
            format!(
                "held while the report on `{indicator}` for {period} is overdue (commitment `{commitment}`, overdue policy: hold relief)"
            ),
        ),
    );
}

/// What changes an action's state after the schedule, in date order.
enum Step<'d, 'a> {
    /// A trigger fired on it.
    Fire(&'d Reverted),
    /// Its phase was earned again after that fire.
    Reentry(&'d Reverted),
    /// An authority decided on it.
    Decision(&'d Decided<'a>),
    /// The authority of its jurisdiction withdrew.
    Withdrawal(&'d Withdrawal),
}

/// Fired triggers revert the action (wound down, then reimposed), relief earned again after
/// a fire is in force again, and decisions apply: all in date order, each from its day — a
/// decision effective on a fire's day before the fire, one effective on a re-entry's day
/// after the re-entry (a later grant is then a departure, and a re-entry overtakes a revoke
/// effective between the fire and it). Returns what the evaluation alone (without
/// decisions) makes of it.
fn steps(
    date: Date,
    s: &mut ActionState,
    lift: Option<Date>,
    (reverts, withdrawals): (&[Reverted], &[Withdrawal]),
    mine: &[&Decided<'_>],
    ends: &BTreeMap<LogIndex, decisions::End>,
) -> ReliefStatus {
    if withdrawals.is_empty() && reverts.is_empty() && mine.is_empty() {
        // Nothing to apply: the evaluation alone is the state as scheduled (and no copy of
        // it is needed, which was most of this function's cost at every look).
        return s.status;
    }
    let base = s.clone();
    let mut steps: Vec<(Date, u8, Step<'_, '_>)> = Vec::new();
    for w in withdrawals {
        steps.push((w.effective, 2, Step::Withdrawal(w)));
    }
    for r in reverts {
        steps.push((r.fired, 2, Step::Fire(r)));
        if let Some(re) = &r.reentered {
            steps.push((re.on, 0, Step::Reentry(r)));
        }
    }
    let mut alone = s.clone();
    steps.sort_by_key(|(day, rank, _)| (*day, *rank));
    for (_, _, step) in &steps {
        apply(date, step, &base, lift, ends, &mut alone);
    }
    for d in mine {
        steps.push((d.effective, 1, Step::Decision(d)));
    }
    steps.sort_by_key(|(day, rank, _)| (*day, *rank));
    for (_, _, step) in &steps {
        apply(date, step, &base, lift, ends, s);
    }
    alone.status
}

fn apply(
    date: Date,
    step: &Step<'_, '_>,
    base: &ActionState,
    lift: Option<Date>,
    ends: &BTreeMap<LogIndex, decisions::End>,
    s: &mut ActionState,
) {
    match step {
        Step::Fire(r) => revert(date, r, s),
        Step::Reentry(r) => reenter_action(date, r, base, lift, s),
        Step::Decision(d) => decisions::apply(date, d, ends.get(&d.index), s),
        Step::Withdrawal(w) => withdraw(date, w, s),
    }
}

/// Supersession: a later action replaces an earlier one from its own start. Once it has
/// taken effect the replacement stands, whatever happens to the new action afterwards
/// (held, revoked, expired): the old one does not come back.
fn supersede(
    agreement: &crate::agreement::Agreement,
    states: &mut [ActionState],
    started: &BTreeMap<ActionId, Date>,
) {
    let replacing: Vec<(ActionId, ActionId, Option<Date>)> = agreement
        .actions()
        .filter_map(|(_, a)| a.supersedes.clone().map(|old| (old, a.id.clone())))
        .filter_map(|(old, new)| {
            let s = states.iter().find(|s| s.id == new)?;
            let since = started.get(&new).copied().or(s.since);
            (started.contains_key(&new) || s.status.relieves()).then_some((old, new, since))
        })
        .collect();
    for (old, new, since) in replacing {
        if let Some(s) = states.iter_mut().find(|s| s.id == old)
            && matches!(
                s.status,
                ReliefStatus::Scheduled | ReliefStatus::Granted | ReliefStatus::Held
            )
        {
            s.status = ReliefStatus::Superseded;
            s.since = since;
            s.until = None;
            s.superseded_by = Some(new.clone());
            s.reasons.insert(
                0,
                Reason::rule(
                    Rule::ReliefSuperseded,
                    format!(
                        "replaced by `{new}`, in force since {}",
                        since.map_or("?".to_owned(), |d| d.to_string())
                    ),
                ),
            );
        }
    }
}
