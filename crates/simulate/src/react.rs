//! The participants' reactions: disputes over breached findings (and how each dispute's
//! stages end), invocations of available triggers (and halts of their countdowns), and
//! authorities granting earned relief late. Each is drawn from the party's habits in the
//! model and queued as a log entry.
//!
//! Disputes are drawn from the history itself (a reading that breaches the target in a
//! period of the review), so they need no look at the engine's state; invocations need one
//! (only the engine says whether a trigger is available), and so does relief granted late
//! (only the engine says when a phase is reached). [`could_hold`] says, from the history
//! and the disputes drawn, whether a trigger's condition could hold after a review: when it
//! cannot, the state need not be looked at.

use std::collections::BTreeSet;

use accord_core::agreement::{Extension, PartyRole};
use accord_core::engine::Look;
use accord_core::engine::state::TriggerStatus;
use accord_core::id::{CommitmentId, DisputeId, ParticipantId};
use accord_core::rule::{CommitmentStatus, Condition, DisputeState};
use accord_core::statement::{
    Decision, DecisionAct, DisputeAction, DisputeOutcome, DisputeStep, Finding, ReliefRef,
    Statement, TriggerAction, TriggerStep,
};
use accord_core::time::{Date, Period};

use crate::calendar::{add_days, at, days_between};
use crate::draw::Draw;
use crate::history::{History, Pending};
use crate::plan::Plan;
use crate::run::Queue;

/// How a drawn dispute's course ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Course {
    Exhausted,
    Resolved(DisputeOutcome),
}

/// A dispute drawn: over which commitment, when opened, when its course ends, how.
#[derive(Debug, Clone)]
struct Drawn {
    commitment: CommitmentId,
    opened: Date,
    ends: Date,
    course: Course,
}

/// What has been drawn so far in a run.
#[derive(Debug, Default)]
pub(crate) struct Reactions {
    disputes: Vec<Drawn>,
}

/// Draws the disputes over the findings of review `k` (period `review`), to be opened on
/// `day`: one per indicator with a breaching reading in the review, if a party with
/// standing chooses to.
pub(crate) fn disputes(
    plan: &Plan<'_>,
    h: &History,
    review: &Period,
    day: Date,
    r: &mut Reactions,
    queue: &mut Queue,
    d: &mut Draw,
) {
    let process = &plan.agreement.disputes;
    let Some(first) = process.stages.first() else {
        return;
    };
    let breached: BTreeSet<usize> = h
        .drawn
        .iter()
        .filter(|x| x.breach && review.contains(x.period.end()))
        .map(|x| x.indicator)
        .collect();
    for n in breached {
        let Some(ip) = plan.indicators.get(n) else {
            continue;
        };
        let opener = plan
            .agreement
            .parties
            .iter()
            .filter(|p| p.role != PartyRole::Observer)
            .find(|p| {
                (process.standing.is_empty() || process.standing.contains(&p.id))
                    && d.chance(plan.model.party(&p.id).dispute)
            });
        let Some(opener) = opener else { continue };
        let Ok(id) = DisputeId::new(format!("sim-{}", r.disputes.len() + 1)) else {
            continue;
        };
        let finding = Finding::Indicator {
            indicator: ip.indicator.id.clone(),
            period: *review,
        };
        let open = DisputeAction::Open {
            finding,
            stage: first.id.clone(),
            reason: "simulated".into(),
        };
        queue.push(step(&id, day, 10, vec![opener.id.clone()], open));
        let (ends, course) = walk(plan, &id, day, queue, d);
        r.disputes.push(Drawn {
            commitment: ip.indicator.commitment.clone(),
            opened: day,
            ends,
            course,
        });
    }
}

fn step(
    id: &DisputeId,
    day: Date,
    hour: i64,
    authors: Vec<ParticipantId>,
    action: DisputeAction,
) -> Pending {
    Pending {
        at: at(day, hour * 3600),
        authors,
        statement: Statement::DisputeStep(DisputeStep {
            dispute: id.clone(),
            step: action,
        }),
    }
}

/// Plans how a dispute opened on `day` goes on: stage after stage, a resolution before
/// the deadline by chance, an extension when every party whose consent is needed gives it,
/// else the deadline passes and the engine moves it on (or exhausts it). Returns the day
/// its course ends and how.
fn walk(
    plan: &Plan<'_>,
    id: &DisputeId,
    day: Date,
    queue: &mut Queue,
    d: &mut Draw,
) -> (Date, Course) {
    let process = &plan.agreement.disputes;
    let resolvers: Vec<ParticipantId> = if process.resolved_by.is_empty() {
        plan.parties(PartyRole::Authority)
            .take(1)
            .cloned()
            .collect()
    } else {
        process.resolved_by.clone()
    };
    let consenting: Vec<ParticipantId> = if process.extension_consent.is_empty() {
        plan.agreement
            .parties
            .iter()
            .filter(|p| p.role != PartyRole::Observer)
            .map(|p| p.id.clone())
            .collect()
    } else {
        process.extension_consent.clone()
    };
    let mut began = day;
    let mut stage = process.stages.first();
    for _ in 0..process.stages.len() {
        let Some(s) = stage else { break };
        let Some(mut deadline) = s.deadline.after(began) else {
            break;
        };
        let extend = match &s.extension {
            Extension::ByConsent { max } => {
                let all = consenting
                    .iter()
                    .all(|p| d.chance(plan.model.party(p).consent));
                all.then(|| max.unwrap_or(s.deadline).after(deadline))
                    .flatten()
            }
            Extension::None => None,
        };
        if let Some(until) = extend {
            let action = DisputeAction::Extend {
                stage: s.id.clone(),
                until: Some(until),
            };
            let on = add_days(deadline, -1).max(began);
            queue.push(step(id, on, 11, consenting.clone(), action));
            deadline = until;
        }
        if d.chance(plan.model.disputes.resolve) && !resolvers.is_empty() {
            let span = u32::try_from(days_between(began, deadline) - 1).unwrap_or(0);
            let on = add_days(began, 1 + d.days(span.saturating_sub(1)) as i32);
            let outcome = if d.chance(plan.model.disputes.overturn) {
                DisputeOutcome::Overturned
            } else {
                DisputeOutcome::Upheld
            };
            queue.push(step(
                id,
                on,
                12,
                resolvers,
                DisputeAction::Resolve {
                    outcome,
                    note: "simulated".into(),
                },
            ));
            return (on, Course::Resolved(outcome));
        }
        began = deadline;
        stage = s
            .next
            .as_ref()
            .and_then(|n| process.stages.iter().find(|x| &x.id == n));
    }
    (began, Course::Exhausted)
}

/// Whether `condition` could hold after review `k` (checked on `day`), from what the
/// history and the drawn disputes say. It over-approximates: `not`, compliance, phases,
/// events and dates could always hold; a status other than compliant needs an adverse
/// period of one of its commitments in each review of its window; a dispute state needs a
/// dispute drawn over the commitment (or a period short of its quorum, which may open an
/// overdue escalation).
pub(crate) fn could_hold(
    plan: &Plan<'_>,
    h: &History,
    reviews: &[Period],
    k: usize,
    day: Date,
    r: &Reactions,
    c: &Condition,
) -> bool {
    match c {
        Condition::Status {
            commitments,
            status,
            reviews: window,
            ..
        } => {
            if *status == CommitmentStatus::Compliant {
                return true;
            }
            let w = *window as usize;
            if w == 0 || k + 1 < w {
                return false;
            }
            reviews.get(k + 1 - w..=k).is_some_and(|rs| {
                rs.iter()
                    .all(|rv| adverse_in(plan, h, commitments, |p| rv.contains(p.end())))
            })
        }
        Condition::Dispute { commitment, state } => {
            // Any dispute drawn over the commitment, and the overdue escalations a missing
            // report of the last two reviews opens.
            let since = reviews.get(k.saturating_sub(1)).map_or(day, Period::start);
            let drawn = r
                .disputes
                .iter()
                .filter(|x| &x.commitment == commitment && x.opened <= day);
            let escalated = h.drawn.iter().any(|x| {
                plan.indicators.get(x.indicator).is_some_and(|ip| {
                    &ip.indicator.commitment == commitment
                        && matches!(
                            ip.indicator.overdue,
                            accord_core::agreement::OverduePolicy::Escalate { .. }
                        )
                        && x.reports < ip.indicator.verification.quorum
                }) && x.period.end() > since
                    && x.period.end() <= day
            });
            escalated
                || match state {
                    DisputeState::None => true,
                    DisputeState::Open => drawn.clone().any(|x| x.ends >= day),
                    DisputeState::Exhausted => drawn
                        .clone()
                        .any(|x| x.course == Course::Exhausted && x.ends <= day),
                    DisputeState::Upheld => drawn
                        .clone()
                        .any(|x| x.course == Course::Resolved(DisputeOutcome::Upheld)),
                    DisputeState::Overturned => drawn
                        .clone()
                        .any(|x| x.course == Course::Resolved(DisputeOutcome::Overturned)),
                }
        }
        Condition::And { all } => all
            .iter()
            .all(|c| could_hold(plan, h, reviews, k, day, r, c)),
        Condition::Or { any } => any
            .iter()
            .any(|c| could_hold(plan, h, reviews, k, day, r, c)),
        _ => true,
    }
}

/// Whether a period of one of `commitments`' indicators, among those `within` picks, was
/// drawn adverse.
fn adverse_in(
    plan: &Plan<'_>,
    h: &History,
    commitments: &[CommitmentId],
    within: impl Fn(&Period) -> bool,
) -> bool {
    h.drawn.iter().any(|x| {
        x.adverse
            && within(&x.period)
            && plan
                .indicators
                .get(x.indicator)
                .is_some_and(|ip| commitments.contains(&ip.indicator.commitment))
    })
}

/// Invocations of the triggers the state shows available, and the halts of their
/// countdowns, from `day`.
pub(crate) fn triggers(plan: &Plan<'_>, state: &Look, day: Date, queue: &mut Queue, d: &mut Draw) {
    for t in &plan.agreement.triggers {
        let available = state
            .trigger(t.id.as_str())
            .is_some_and(|s| s.status == TriggerStatus::Available);
        if t.automatic || !available {
            continue;
        }
        let Some(invoker) = t
            .standing
            .iter()
            .find(|p| d.chance(plan.model.party(p).invoke))
        else {
            continue;
        };
        let invoke = TriggerAction::Invoke {
            reason: "simulated".into(),
        };
        // Before the day's other steps: a dispute opened the same day would freeze the
        // finding the invocation rests on.
        queue.push(trigger_step(t.id.clone(), day, 7, invoker.clone(), invoke));
        let Some(countdown) = t.countdown.and_then(|c| c.after(day)) else {
            continue;
        };
        let span = u32::try_from(days_between(day, countdown) - 2).unwrap_or(0);
        if let Some(halter) = t
            .halted_by
            .iter()
            .find(|p| d.chance(plan.model.party(p).halt))
        {
            let on = add_days(day, 1 + d.days(span) as i32);
            let halt = TriggerAction::Halt {
                resolution: "simulated".into(),
            };
            queue.push(trigger_step(t.id.clone(), on, 13, halter.clone(), halt));
        }
    }
}

fn trigger_step(
    trigger: accord_core::id::TriggerId,
    day: Date,
    hour: i64,
    who: ParticipantId,
    step: TriggerAction,
) -> Pending {
    Pending {
        at: at(day, hour * 3600),
        authors: vec![who],
        statement: Statement::TriggerStep(TriggerStep { trigger, step }),
    }
}

/// An authority's habit: relief of a phase just reached, in its jurisdiction, held from
/// the entry and granted `days` later; recorded on `day` (the day after the entry, or after
/// the last look when the entry was seen only now). Returns whether anything was queued.
pub(crate) fn late(
    plan: &Plan<'_>,
    state: &Look,
    phase: usize,
    day: Date,
    queue: &mut Queue,
    d: &mut Draw,
) -> bool {
    let Some(phase_id) = plan.phases.get(phase) else {
        return false;
    };
    let Some(entered) = state.phase(phase_id.as_str()).and_then(|p| p.entered) else {
        return false;
    };
    let day = day.max(add_days(entered, 1));
    let mut queued = false;
    for party in plan
        .agreement
        .parties
        .iter()
        .filter(|p| p.role == PartyRole::Authority)
    {
        let Some(late) = plan.model.party(&party.id).late else {
            continue;
        };
        let Some(jurisdiction) = &party.jurisdiction else {
            continue;
        };
        if !d.chance(late.probability) {
            continue;
        }
        let granted = add_days(entered, i32::try_from(late.days).unwrap_or(i32::MAX));
        for a in plan
            .actions
            .iter()
            .filter(|a| &a.phase == phase_id && a.jurisdiction == jurisdiction.0)
        {
            let relief = ReliefRef::Action(a.id.clone());
            let hold = Decision::new(
                DecisionAct::Hold,
                relief.clone(),
                entered,
                "simulated: granted late",
            );
            let grant = Decision::new(
                DecisionAct::Grant,
                relief,
                granted,
                "simulated: granted late",
            );
            queue.push(decision(day, party.id.clone(), hold));
            queue.push(decision(granted.max(day), party.id.clone(), grant));
            queued = true;
        }
    }
    queued
}

fn decision(day: Date, who: ParticipantId, decision: Decision) -> Pending {
    Pending {
        at: at(day, 14 * 3600),
        authors: vec![who],
        statement: Statement::Decision(decision),
    }
}
