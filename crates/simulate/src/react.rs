//! The participants' reactions to what the engine found at a review: disputes over
//! non-compliant findings (and how each dispute's stages end), invocations of available
//! triggers (and halts of their countdowns), and authorities granting earned relief late.
//! Each is drawn from the party's habits in the model and queued as a log entry.

use std::collections::BTreeSet;

use accord_core::agreement::{Extension, PartyRole};
use accord_core::engine::State;
use accord_core::engine::state::{IndicatorStatus, TriggerStatus};
use accord_core::id::{DisputeId, ParticipantId};
use accord_core::statement::{
    Decision, DecisionAct, DisputeAction, DisputeOutcome, DisputeStep, Finding, ReliefRef,
    Statement, TriggerAction, TriggerStep,
};
use accord_core::time::Date;

use crate::calendar::{add_days, at, days_between};
use crate::draw::Draw;
use crate::history::Pending;
use crate::plan::Plan;
use crate::run::Queue;

/// What has been reacted to already in a run.
#[derive(Debug, Default)]
pub(crate) struct Reactions {
    /// The last review whose findings were considered.
    review: u32,
    disputes: u32,
    disputed: BTreeSet<(usize, u32)>,
    /// The last day something drawn is still under way (a dispute's planned course, a
    /// countdown, relief granted late): until then every review is looked at.
    pub busy_until: Option<Date>,
}

impl Reactions {
    fn busy(&mut self, until: Date) {
        self.busy_until = Some(self.busy_until.map_or(until, |b| b.max(until)));
    }
}

/// Draws the reactions to the state on `day` (the check after a review).
pub(crate) fn react(
    plan: &Plan<'_>,
    state: &State,
    day: Date,
    reached: &[usize],
    r: &mut Reactions,
    queue: &mut Queue,
    d: &mut Draw,
) {
    let next = add_days(day, 1);
    disputes(plan, state, next, r, queue, d);
    triggers(plan, state, next, r, queue, d);
    for &phase in reached {
        late(plan, state, phase, next, r, queue, d);
    }
}

fn disputes(plan: &Plan<'_>, state: &State, day: Date, r: &mut Reactions, queue: &mut Queue, d: &mut Draw) {
    let Some(review) = state.reviews.iter().filter(|v| v.concluded).max_by_key(|v| v.number) else {
        return;
    };
    if review.number <= r.review {
        return;
    }
    r.review = review.number;
    let process = &plan.agreement.disputes;
    let Some(first) = process.stages.first() else { return };
    for (n, ind) in state.indicators.iter().enumerate() {
        let breached = ind
            .reviews
            .iter()
            .any(|v| v.review == review.number && v.status == IndicatorStatus::Noncompliant);
        if !breached || !r.disputed.insert((n, review.number)) {
            continue;
        }
        let opener = plan.agreement.parties.iter().filter(|p| p.role != PartyRole::Observer).find(|p| {
            (process.standing.is_empty() || process.standing.contains(&p.id)) && d.chance(plan.model.party(&p.id).dispute)
        });
        let Some(opener) = opener else { continue };
        r.disputes += 1;
        let Ok(id) = DisputeId::new(format!("sim-{}", r.disputes)) else { continue };
        let finding = Finding::Indicator { indicator: ind.id.clone(), period: review.period };
        let open = DisputeAction::Open { finding, stage: first.id.clone(), reason: "simulated".into() };
        queue.push(step(&id, day, 10, vec![opener.id.clone()], open));
        let ended = walk(plan, &id, day, queue, d);
        r.busy(ended);
    }
}

fn step(id: &DisputeId, day: Date, hour: i64, authors: Vec<ParticipantId>, action: DisputeAction) -> Pending {
    Pending {
        at: at(day, hour * 3600),
        authors,
        statement: Statement::DisputeStep(DisputeStep { dispute: id.clone(), step: action }),
    }
}

/// Plans how a dispute opened on `day` goes on: stage after stage, a resolution before
/// the deadline by chance, an extension when every party whose consent is needed gives it,
/// else the deadline passes and the engine moves it on (or exhausts it).
/// Returns the day its planned course ends.
fn walk(plan: &Plan<'_>, id: &DisputeId, day: Date, queue: &mut Queue, d: &mut Draw) -> Date {
    let process = &plan.agreement.disputes;
    let resolvers: Vec<ParticipantId> = if process.resolved_by.is_empty() {
        plan.parties(PartyRole::Authority).take(1).cloned().collect()
    } else {
        process.resolved_by.clone()
    };
    let consenting: Vec<ParticipantId> = if process.extension_consent.is_empty() {
        plan.agreement.parties.iter().filter(|p| p.role != PartyRole::Observer).map(|p| p.id.clone()).collect()
    } else {
        process.extension_consent.clone()
    };
    let mut began = day;
    let mut stage = process.stages.first();
    for _ in 0..process.stages.len() {
        let Some(s) = stage else { return began };
        let Some(mut deadline) = s.deadline.after(began) else { return began };
        let extend = match &s.extension {
            Extension::ByConsent { max } => {
                let all = consenting.iter().all(|p| d.chance(plan.model.party(p).consent));
                all.then(|| max.unwrap_or(s.deadline).after(deadline)).flatten()
            }
            Extension::None => None,
        };
        if let Some(until) = extend {
            let action = DisputeAction::Extend { stage: s.id.clone(), until: Some(until) };
            let on = add_days(deadline, -1).max(began);
            queue.push(step(id, on, 11, consenting.clone(), action));
            deadline = until;
        }
        if d.chance(plan.model.disputes.resolve) && !resolvers.is_empty() {
            let span = u32::try_from(days_between(began, deadline) - 1).unwrap_or(0);
            let on = add_days(began, 1 + d.days(span.saturating_sub(1)) as i32);
            let outcome = if d.chance(plan.model.disputes.overturn) { DisputeOutcome::Overturned } else { DisputeOutcome::Upheld };
            queue.push(step(id, on, 12, resolvers, DisputeAction::Resolve { outcome, note: "simulated".into() }));
            return on;
        }
        began = deadline;
        stage = s.next.as_ref().and_then(|n| process.stages.iter().find(|x| &x.id == n));
    }
    began
}

fn triggers(plan: &Plan<'_>, state: &State, day: Date, r: &mut Reactions, queue: &mut Queue, d: &mut Draw) {
    for t in &plan.agreement.triggers {
        let available = state.trigger(t.id.as_str()).is_some_and(|s| s.status == TriggerStatus::Available);
        if t.automatic || !available {
            continue;
        }
        let Some(invoker) = t.standing.iter().find(|p| d.chance(plan.model.party(p).invoke)) else {
            continue;
        };
        let invoke = TriggerAction::Invoke { reason: "simulated".into() };
        // Before the day's other steps: a dispute opened the same day would freeze the
        // finding the invocation rests on.
        queue.push(trigger_step(t.id.clone(), day, 7, invoker.clone(), invoke));
        let Some(countdown) = t.countdown.and_then(|c| c.after(day)) else { continue };
        r.busy(countdown);
        let span = u32::try_from(days_between(day, countdown) - 2).unwrap_or(0);
        if let Some(halter) = t.halted_by.iter().find(|p| d.chance(plan.model.party(p).halt)) {
            let on = add_days(day, 1 + d.days(span) as i32);
            let halt = TriggerAction::Halt { resolution: "simulated".into() };
            queue.push(trigger_step(t.id.clone(), on, 13, halter.clone(), halt));
        }
    }
}

fn trigger_step(trigger: accord_core::id::TriggerId, day: Date, hour: i64, who: ParticipantId, step: TriggerAction) -> Pending {
    Pending {
        at: at(day, hour * 3600),
        authors: vec![who],
        statement: Statement::TriggerStep(TriggerStep { trigger, step }),
    }
}

/// An authority's habit: relief of a phase just reached, in its jurisdiction, held from
/// the entry and granted `days` later.
fn late(plan: &Plan<'_>, state: &State, phase: usize, day: Date, r: &mut Reactions, queue: &mut Queue, d: &mut Draw) {
    let Some(phase_id) = plan.phases.get(phase) else { return };
    let Some(entered) = state.phase(phase_id.as_str()).and_then(|p| p.entered) else { return };
    for party in plan.agreement.parties.iter().filter(|p| p.role == PartyRole::Authority) {
        let Some(late) = plan.model.party(&party.id).late else { continue };
        let Some(jurisdiction) = &party.jurisdiction else { continue };
        if !d.chance(late.probability) {
            continue;
        }
        let granted = add_days(entered, i32::try_from(late.days).unwrap_or(i32::MAX));
        r.busy(granted);
        for a in plan.actions.iter().filter(|a| &a.phase == phase_id && a.jurisdiction == jurisdiction.0) {
            let relief = ReliefRef::Action(a.id.clone());
            let hold = Decision::new(DecisionAct::Hold, relief.clone(), entered, "simulated: granted late");
            let grant = Decision::new(DecisionAct::Grant, relief, granted, "simulated: granted late");
            queue.push(decision(day, party.id.clone(), hold));
            queue.push(decision(granted.max(day), party.id.clone(), grant));
        }
    }
}

fn decision(day: Date, who: ParticipantId, decision: Decision) -> Pending {
    Pending {
        at: at(day, 14 * 3600),
        authors: vec![who],
        statement: Statement::Decision(decision),
    }
}
