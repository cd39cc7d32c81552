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

use std::collections::BTreeMap;

use crate::agreement::{Agreement, ReliefKind, Renewal};
use crate::id::{ActionId, ExemptionId, PhaseId};
use crate::statement::{DecisionAct, LogIndex, ReliefRef, Statement};
use crate::time::Date;

use super::super::state::{
    ActionState, DecisionState, ExemptionState, MeasureRelief, Reason, ReliefStatus,
};
use super::disputes::{DecisionDispute, Standing};
use super::{Ctx, VersionView, epoch_day};

/// A decision that counts: recorded under the cut, by an authority, on relief that exists.
struct Decided<'a> {
    index: LogIndex,
    key: super::Key,
    decision: &'a crate::statement::Decision,
    /// The dispute that decides where it stands, when disputed.
    dispute: Option<DecisionDispute>,
}

impl Decided<'_> {
    /// The day a dispute set it aside.
    fn set_aside(&self) -> Option<Date> {
        match self.dispute.as_ref().map(|d| &d.standing) {
            Some(Standing::SetAside(day)) => Some(*day),
            _ => None,
        }
    }
}

pub(crate) fn relief(ctx: &mut Ctx<'_>) -> (Vec<ActionState>, Vec<DecisionState>) {
    let core = ctx.core;
    let Some(agreement) = core.versions.get(ctx.current) else {
        return (Vec::new(), Vec::new());
    };
    let anchors = ctx.anchors();
    // Valid decisions, in the order they apply.
    let mut decided: Vec<Decided<'_>> = Vec::new();
    for o in &core.others {
        let Statement::Decision(d) = &o.statement else {
            continue;
        };
        if !ctx.alive(o.key, o.index) {
            continue;
        }
        let authority = o.authors.iter().all(|a| {
            ctx.role_of(a)
                .may_state(crate::statement::StatementKind::Decision)
        });
        let exists = match &d.relief {
            ReliefRef::Phase(p) => agreement.phases.iter().any(|ph| &ph.id == p),
            ReliefRef::Action(a) => agreement.actions().any(|(_, ac)| &ac.id == a),
        };
        if !authority {
            ctx.rejected.push((
                o.index.0,
                "only an authority of the agreement decides on relief".to_owned(),
            ));
        } else if !exists {
            ctx.rejected.push((
                o.index.0,
                format!(
                    "decides on `{}`, which is not relief of this agreement",
                    relief_name(&d.relief)
                ),
            ));
        } else {
            decided.push(Decided {
                index: o.index,
                key: o.key,
                decision: d,
                dispute: ctx.decision_disputes.get(&o.index).cloned(),
            });
        }
    }
    decided.sort_by_key(|d| (d.decision.effective, d.key));
    let applies = |d: &Decided<'_>, phase: &PhaseId, action: &ActionId| match &d.decision.relief {
        ReliefRef::Phase(p) => p == phase,
        ReliefRef::Action(a) => a == action,
    };

    let mut states: Vec<ActionState> = Vec::new();
    // What the evaluation alone entitles, per action (for departures).
    let mut entitled: BTreeMap<ActionId, ReliefStatus> = BTreeMap::new();
    // The day each action took effect, for those that have.
    let mut started: BTreeMap<ActionId, Date> = BTreeMap::new();
    for (phase, action) in agreement.actions() {
        let regime = agreement.regimes.iter().find(|r| r.id == action.regime);
        let measure = match &action.kind {
            ReliefKind::SuspendMeasure { measure, .. } | ReliefKind::Unfreeze { measure, .. } => {
                Some(measure.clone())
            }
            _ => None,
        };
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
        // A decision set aside by a dispute no longer applies.
        let mine: Vec<&Decided<'_>> = decided
            .iter()
            .filter(|d| applies(d, &phase.id, &action.id) && d.set_aside().is_none())
            .collect();
        match ctx.reached.get(&phase.id).copied() {
            None => s.reasons.push(Reason::rule(
                "relief.phase",
                format!("phase `{}` is not reached", phase.id),
            )),
            Some(entered) => {
                let start = match &action.starts {
                    None => Some(entered),
                    Some(rule) => anchors.resolve(rule),
                };
                match start {
                    None => s.reasons.push(Reason::rule(
                        "relief.start",
                        "its start date depends on an event not recorded yet",
                    )),
                    Some(start) if start > ctx.date => {
                        s.until = Some(start);
                        s.reasons.push(Reason::rule(
                            "relief.start",
                            format!(
                                "phase `{}` reached on {entered}; takes effect on {start}",
                                phase.id
                            ),
                        ));
                    }
                    Some(start) => {
                        started.insert(action.id.clone(), start);
                        // A lift date that cannot be resolved yet (an event not recorded)
                        // simply has not come.
                        let lift = action
                            .lifted
                            .as_ref()
                            .and_then(|r| anchors.resolve(r))
                            .map(|l| l.max(start));
                        s.status = ReliefStatus::InForce;
                        s.since = Some(start);
                        s.reasons.push(Reason::rule(
                            "relief.start",
                            format!(
                                "phase `{}` reached on {entered}; in force from {start}",
                                phase.id
                            ),
                        ));
                        let expiry = action.expires.as_ref().map(|r| anchors.resolve(r));
                        match expiry {
                            None => {}
                            Some(None) => s.reasons.push(Reason::rule(
                                "relief.expiry",
                                "its expiry depends on a date not known yet",
                            )),
                            Some(Some(mut expires)) => {
                                term(ctx, action, start, &mut expires, &mine, &mut s);
                                // Lifting before the term runs out ends the term: the
                                // relief is permanent from then on.
                                if lift.is_some_and(|l| l < expires && l <= ctx.date) {
                                    s.reasons.push(Reason::rule(
                                        "relief.expiry",
                                        format!(
                                            "its term (to {expires}) no longer applies: it was lifted before"
                                        ),
                                    ));
                                } else if expires <= ctx.date {
                                    s.status = ReliefStatus::Expired;
                                    s.since = Some(expires);
                                    s.until = None;
                                    // The reason that decides the status comes first.
                                    s.reasons.insert(
                                        0,
                                        Reason::rule(
                                            "relief.expiry",
                                            format!(
                                                "expired on {expires} (expiry, not revocation)"
                                            ),
                                        ),
                                    );
                                } else {
                                    s.until = Some(expires);
                                    s.reasons.push(Reason::rule(
                                        "relief.expiry",
                                        format!("expires on {expires}"),
                                    ));
                                }
                            }
                        }
                        match lift {
                            Some(l) if s.status == ReliefStatus::InForce && l <= ctx.date => {
                                s.lifts = Some(l);
                                s.status = ReliefStatus::Lifted;
                                s.since = Some(l);
                                s.until = None;
                                s.reasons.insert(
                                    0,
                                    Reason::rule(
                                        "relief.lifted",
                                        format!(
                                            "lifted for good on {l}: it no longer expires and no trigger reverts it"
                                        ),
                                    ),
                                );
                            }
                            Some(l) if s.status == ReliefStatus::InForce => {
                                s.lifts = Some(l);
                                s.reasons.push(Reason::rule(
                                    "relief.lifted",
                                    format!("to be lifted for good on {l}"),
                                ));
                            }
                            _ => {}
                        }
                    }
                }
            }
        }
        // An overdue report on an indicator whose policy is to hold relief holds the relief
        // of every phase whose entry rests on its commitment, until the report comes.
        if s.status == ReliefStatus::InForce
            && let Some((commitment, (indicator, period))) =
                ctx.held.iter().find(|(c, _)| mentions(&phase.entry, c))
        {
            s.status = ReliefStatus::Suspended;
            s.reasons.insert(
                0,
                Reason::rule(
                    "relief.held",
                    format!(
                        "held while the report on `{indicator}` for {period} is overdue (commitment `{commitment}`, overdue policy: hold relief)"
                    ),
                ),
            );
        }
        // Fired triggers revert it (wound down, then reimposed), relief earned again after a
        // fire is in force again, and decisions apply: all in date order, each from its day
        // — a decision effective on a fire's day before the fire, one effective on a
        // re-entry's day after the re-entry (a later grant is then a departure, and a
        // re-entry overtakes a revoke effective between the fire and it).
        let base = s.clone();
        let lift = action.lifted.as_ref().and_then(|r| anchors.resolve(r));
        let reverts: &[super::triggers::Reverted] = ctx
            .reverted
            .get(&action.id)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let mut steps: Vec<(Date, u8, Step<'_, '_>)> = Vec::new();
        for r in reverts {
            steps.push((r.fired, 2, Step::Fire(r)));
            if let Some(re) = &r.reentered {
                steps.push((re.on, 0, Step::Reentry(r)));
            }
        }
        let mut alone = s.clone();
        steps.sort_by_key(|(day, rank, _)| (*day, *rank));
        for (_, _, step) in &steps {
            step.apply(ctx.date, &base, lift, &mut alone);
        }
        entitled.insert(action.id.clone(), alone.status);
        for d in &mine {
            steps.push((d.decision.effective, 1, Step::Decision(d)));
        }
        steps.sort_by_key(|(day, rank, _)| (*day, *rank));
        for (_, _, step) in steps {
            let d = match step {
                Step::Decision(d) => d,
                other => {
                    other.apply(ctx.date, &base, lift, &mut s);
                    continue;
                }
            };
            if d.decision.effective > ctx.date {
                continue;
            }
            let eff = d.decision.effective;
            let (new, rule) = match d.decision.act {
                DecisionAct::Grant if s.status == ReliefStatus::Lifted => (None, "decision"),
                DecisionAct::Grant => (Some(ReliefStatus::InForce), "decision.grant"),
                DecisionAct::Hold if s.status.relieves() => {
                    (Some(ReliefStatus::Suspended), "decision.hold")
                }
                DecisionAct::Revoke
                    if s.status.relieves() || s.status == ReliefStatus::Suspended =>
                {
                    (Some(ReliefStatus::Reimposed), "decision.revoke")
                }
                _ => (None, "decision"),
            };
            if let Some(new) = new
                && new != s.status
            {
                s.status = new;
                s.since = Some(eff);
                if new != ReliefStatus::InForce {
                    s.until = None;
                }
                let disputed = match &d.dispute {
                    Some(x) if x.standing == Standing::Open => format!(
                        " (disputed in `{}`: it stays in effect while the dispute is open)",
                        x.dispute
                    ),
                    _ => String::new(),
                };
                s.reasons.insert(
                    0,
                    Reason::with_entries(
                        rule,
                        format!("decision of {eff}: {}{disputed}", d.decision.reason),
                        vec![d.index],
                    ),
                );
            }
        }
        set_aside(
            decided
                .iter()
                .filter(|d| applies(d, &phase.id, &action.id) && d.decision.effective <= ctx.date),
            &mut s,
        );
        states.push(s);
    }

    // Supersession: a later action replaces an earlier one from its own start. Once it has
    // taken effect the replacement stands, whatever happens to the new action afterwards
    // (held, revoked, expired): the old one does not come back.
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
                ReliefStatus::Scheduled | ReliefStatus::InForce | ReliefStatus::Suspended
            )
        {
            s.status = ReliefStatus::Superseded;
            s.since = since;
            s.until = None;
            s.superseded_by = Some(new.clone());
            s.reasons.insert(
                0,
                Reason::rule(
                    "relief.superseded",
                    format!(
                        "replaced by `{new}`, in force since {}",
                        since.map_or("?".to_owned(), |d| d.to_string())
                    ),
                ),
            );
        }
    }

    let decisions = decided
        .iter()
        .map(|d| {
            let targets: Vec<&ActionId> = agreement
                .actions()
                .filter(|(p, a)| applies(d, &p.id, &a.id))
                .map(|(_, a)| &a.id)
                .collect();
            let earned = targets
                .iter()
                .filter(|a| entitled.get(**a).is_some_and(|s| s.relieves()))
                .count();
            let auto = agreement
                .actions()
                .filter(|(p, a)| applies(d, &p.id, &a.id))
                .any(|(_, a)| matches!(a.renewal, Renewal::Automatic { .. }));
            let (departure, why) = match d.decision.act {
                DecisionAct::Grant if earned < targets.len() => (
                    true,
                    "grants relief the evaluation does not (yet) entitle".to_owned(),
                ),
                DecisionAct::Grant => (false, "grants relief the evaluation entitles".to_owned()),
                DecisionAct::Hold | DecisionAct::Revoke if earned > 0 => {
                    (true, "withholds relief the evaluation entitles".to_owned())
                }
                DecisionAct::Hold | DecisionAct::Revoke => (
                    false,
                    "concerns relief the evaluation does not entitle".to_owned(),
                ),
                DecisionAct::LetExpire if auto => (
                    true,
                    "stops a renewal the agreement makes automatic".to_owned(),
                ),
                DecisionAct::LetExpire | DecisionAct::Renew => {
                    (false, "renewal is the authority's to decide".to_owned())
                }
            };
            let pending = if d.decision.effective > ctx.date {
                format!("; takes effect on {}", d.decision.effective)
            } else {
                String::new()
            };
            let mut reasons = vec![Reason::with_entries(
                if departure {
                    "decision.departure"
                } else {
                    "decision.follows"
                },
                format!("{why}{pending}"),
                vec![d.index],
            )];
            // Where it stands in its dispute comes first: it is what changed last, and once
            // set aside, what decides what the decision does.
            if let Some(x) = &d.dispute {
                let mut entries = x.steps.clone();
                entries.push(d.index);
                let reason = match &x.standing {
                    Standing::SetAside(day) => Reason::with_entries(
                        "decision.set_aside",
                        format!(
                            "set aside on {day}: dispute `{}` overturned it; from then on it no longer applies",
                            x.dispute
                        ),
                        entries,
                    ),
                    Standing::Open => Reason::with_entries(
                        "decision.disputed",
                        format!(
                            "disputed in `{}` since {} (open): it stays in effect meanwhile — an authority's act is not suspended by a complaint",
                            x.dispute, x.opened
                        ),
                        entries,
                    ),
                    Standing::Stands(how) => Reason::with_entries(
                        "decision.disputed",
                        format!(
                            "disputed in `{}` since {}, {how}: the decision stands",
                            x.dispute, x.opened
                        ),
                        entries,
                    ),
                };
                reasons.insert(0, reason);
            }
            DecisionState {
                entry: d.index,
                act: d.decision.act,
                relief: d.decision.relief.clone(),
                effective: d.decision.effective,
                stated_reason: d.decision.reason.clone(),
                departure,
                reasons,
                disputed_by: d.dispute.as_ref().map(|x| x.dispute.clone()),
                set_aside: d.set_aside().is_some(),
            }
        })
        .collect();
    (states, decisions)
}

/// What changes an action's state after the schedule, in date order.
enum Step<'d, 'a> {
    /// A trigger fired on it.
    Fire(&'d super::triggers::Reverted),
    /// Its phase was earned again after that fire.
    Reentry(&'d super::triggers::Reverted),
    /// An authority decided on it.
    Decision(&'d Decided<'a>),
}

impl Step<'_, '_> {
    /// Applies a fire or a re-entry (decisions are applied by `relief`).
    fn apply(&self, date: Date, base: &ActionState, lift: Option<Date>, s: &mut ActionState) {
        match self {
            Step::Fire(r) => super::triggers::revert(date, r, s),
            Step::Reentry(r) => super::triggers::reenter_action(date, r, base, lift, s),
            Step::Decision(_) => {}
        }
    }
}

/// Explains the decisions on an action that a dispute set aside. Relief such a decision
/// had changed (it still would, were it not set aside) takes its present status from the
/// day it was set aside, and that reason comes first.
fn set_aside<'d, 'a: 'd>(decisions: impl Iterator<Item = &'d Decided<'a>>, s: &mut ActionState) {
    for d in decisions {
        let (Some(day), Some(x)) = (d.set_aside(), &d.dispute) else {
            continue;
        };
        let changed = d.decision.effective < day
            && match d.decision.act {
                DecisionAct::Grant => s.status != ReliefStatus::InForce,
                DecisionAct::Hold => s.status == ReliefStatus::InForce,
                DecisionAct::Revoke => {
                    matches!(s.status, ReliefStatus::InForce | ReliefStatus::Suspended)
                }
                DecisionAct::Renew | DecisionAct::LetExpire => false,
            };
        let reason = Reason::with_entries(
            "decision.set_aside",
            format!(
                "the decision of {} was set aside on {day} (dispute `{}` overturned it): relief is what the evaluation and the other decisions give",
                d.decision.effective, x.dispute
            ),
            vec![d.index],
        );
        if changed {
            if s.since.is_some_and(|since| since < day) {
                s.since = Some(day);
            }
            s.reasons.insert(0, reason);
        } else {
            s.reasons.push(reason);
        }
    }
}

/// Extends an expiry by renewals: automatic ones while `unless` does not hold (judged on
/// the evaluation date) and the term limit allows, and those an authority decided.
fn term(
    ctx: &Ctx<'_>,
    action: &crate::agreement::ReliefAction,
    start: Date,
    expires: &mut Date,
    decisions: &[&Decided<'_>],
    s: &mut ActionState,
) {
    let length = epoch_day(*expires) - epoch_day(start);
    let mut renew_decisions: Vec<&Decided<'_>> = decisions
        .iter()
        .filter(|d| d.decision.act == DecisionAct::Renew && d.decision.effective <= ctx.date)
        .copied()
        .collect();
    renew_decisions.reverse();
    let let_expire = decisions
        .iter()
        .find(|d| d.decision.act == DecisionAct::LetExpire && d.decision.effective <= ctx.date);
    // Bounded: at most one renewal per day elapsed.
    for _ in 0..100_000 {
        if *expires > ctx.date {
            return;
        }
        if let Some(d) = let_expire
            && d.decision.effective <= *expires
        {
            s.reasons.push(Reason::with_entries(
                "decision.let_expire",
                format!("the authority let it expire: {}", d.decision.reason),
                vec![d.index],
            ));
            return;
        }
        let automatic = match &action.renewal {
            Renewal::Automatic {
                term,
                unless,
                max_terms,
            } => {
                let allowed = max_terms.is_none_or(|m| s.renewals < m);
                let blocked = unless.as_ref().is_some_and(|c| {
                    let anchors = ctx.anchors();
                    super::phases::holds_now(ctx, &anchors, c)
                });
                if blocked {
                    s.reasons.push(Reason::rule(
                        "relief.renewal",
                        format!(
                            "not renewed: `{}` holds",
                            unless
                                .as_ref()
                                .map(super::phases::describe)
                                .unwrap_or_default()
                        ),
                    ));
                }
                (allowed && !blocked).then_some(*term)
            }
            Renewal::None => None,
        };
        if let Some(term) = automatic {
            let Some(next) = term.after(*expires) else {
                return;
            };
            if next <= *expires {
                return;
            }
            s.renewals += 1;
            s.reasons.push(Reason::rule(
                "relief.renewal",
                format!("renewed automatically on {expires} until {next}"),
            ));
            *expires = next;
            continue;
        }
        if let Some(d) = renew_decisions.pop() {
            let Some(next) = super::super::date_from_epoch_day(epoch_day(*expires) + length.max(1))
            else {
                return;
            };
            s.renewals += 1;
            s.reasons.push(Reason::with_entries(
                "decision.renew",
                format!("renewed by decision until {next}: {}", d.decision.reason),
                vec![d.index],
            ));
            *expires = next;
            continue;
        }
        return;
    }
}

fn relief_name(r: &ReliefRef) -> String {
    match r {
        ReliefRef::Phase(p) => format!("phase {p}"),
        ReliefRef::Action(a) => format!("action {a}"),
    }
}

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
                    "exemption.always",
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

/// Whether a condition rests on a commitment's status.
pub(crate) fn mentions(
    cond: &crate::rule::Condition,
    commitment: &crate::id::CommitmentId,
) -> bool {
    use crate::rule::Condition;
    match cond {
        Condition::Status { commitments, .. } => commitments.contains(commitment),
        Condition::Dispute { commitment: c, .. } => c == commitment,
        Condition::And { all } => all.iter().any(|c| mentions(c, commitment)),
        Condition::Or { any } => any.iter().any(|c| mentions(c, commitment)),
        Condition::Not { not } => mentions(not, commitment),
        _ => false,
    }
}
