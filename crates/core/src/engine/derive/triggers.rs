//! Triggers (snapback): invocation, countdown, pauses while a dispute is open, halt,
//! withdrawal, lapse, firing, the reversion of relief a fired trigger causes, and relief
//! earned again after it.
//!
//! Each trigger is walked through its recorded steps in log order. An invocation counts
//! when every author has standing and the trigger's condition holds on the invocation's
//! record date (at the reviews concluded by then, on evidence known by then; a finding
//! disputed only after that date is taken as the monitors made it, so a later dispute does
//! not undo the invocation after the fact). With a `countdown`, the trigger then fires on
//! `invoked + countdown` unless a participant in `halted_by` records a halt *before* that
//! date (a halt recorded on it is too late), or the invoker withdraws first; without one it
//! fires on the invocation date. An `automatic` trigger needs no invocation: it counts as
//! invoked on the date its condition came to hold. A halted or withdrawn trigger may be
//! invoked again.
//!
//! **Disputes during a countdown.** Under `while_open = "freeze_finding"`, while a party's
//! dispute over a finding the invocation rests on is open (a finding, of a commitment the
//! condition's status leaves name, in a review their windows cover at the reviews concluded
//! on the invocation day — see `rests_on`; a dispute the overdue policy opens freezes
//! nothing and never pauses), an invoked countdown is `paused` (from the day the dispute opened, or the invocation
//! day if it was already open) with the days that remained until `until`; a dispute opened
//! on `until` is too late. When no such dispute is open any more (the day the last of them
//! closed), the countdown resumes with those days (`until` moves by the paused span) — unless
//! one of them overturned the finding and the condition no longer holds on that day: then
//! the invocation *lapses* (`halted`, reason `trigger.lapsed`) and the trigger may be
//! invoked again. A dispute that never closes keeps the countdown paused. Under
//! `finding_stands` nothing pauses; a reason says which dispute was open.
//!
//! **Fire and re-entry.** When fired on `F`, the reverted relief (`pre_agreement`: every
//! phase's; `phase`: the later phases'; `actions`: those only, the rest kept) that was in
//! force is wound down from `F` until `F + wind_down`, then reimposed. Under `reentry =
//! "by_decision"` (the default) phases after the reversion point are not reached any more
//! and only a decision or an amendment restores relief; a fired trigger takes no further
//! step. Under `"re_earn"`, each reverted phase (for `actions`, the phases of those
//! actions) is reached again by its entry condition met at reviews that begin on or after
//! `F` (the consecutive count starts over; earlier reviews do not count), in schedule
//! order; from that day its reverted actions are in force again. On the first such day the
//! trigger is re-armed: it may be invoked (or fire by itself) again, and a new fire reverts
//! what is in force then; steps between the fire and the re-arming are refused. Exemptions
//! are never touched (they are not relief actions, and `derive::state` adds them last).
//!
//! **Several fires on the same relief** (`Ctx::reverted` keeps one reversion per action
//! and trigger, `Ctx::fires` the latest fire of each, both in date order): the latest fire
//! decides, and a re-entry undoes only the fire it follows — when another trigger fired on
//! the relief after that fire and by the re-entry day, the re-entry is dropped for that
//! relief or phase (`overtake`), so a phase is never `not_reached` while its actions are in
//! force from a re-entry. `derive::relief` applies fires, re-entries and decisions in date
//! order (a decision effective on a fire's day before the fire, on a re-entry's day after
//! the re-entry): a re-entry overtakes a decision effective between the fire and it.
//! Relief lifted before a fire is never reverted; lifted only after it, it is wound down,
//! and once earned again it is lifted from its lift date (from the re-entry day at the
//! earliest).
//!
//! Known limits: the condition at an earlier date is judged on the statuses as of the
//! evaluation's cut (disputes' effects included — for an invocation, except on a commitment
//! every dispute of which opened after it; a commitment disputed both before and after an
//! invocation is judged with every dispute's effect), restricted to the reviews concluded and
//! evidence recorded by that date; with several disputes overlapping, an overturn is judged
//! on the day the last of them closes; an automatic trigger's countdown does not pause;
//! after a re-entry, `phase(...)` conditions of later phases still read the first entry; a
//! trigger whose re-entry was overtaken still shows itself re-armed, and only each
//! trigger's latest fire is weighed against the others'.

use std::collections::BTreeMap;

use crate::agreement::{Agreement, Reentry, Reversion, Trigger, WhileOpen};
use crate::id::{ActionId, CommitmentId, DisputeId, ParticipantId, PhaseId, TriggerId};
use crate::statement::{DisputeOutcome, Finding, LogIndex, Statement, TriggerAction};
use crate::time::{Date, Period};

use super::super::state::{
    ActionState, PhaseState, PhaseStatus, Reason, ReliefStatus, TriggerState, Unmet,
};
use super::super::{date_from_epoch_day, epoch_day};
use super::phases::{describe, holds_at};
use super::{Ctx, date_of};

/// How a fired trigger reverts one relief action.
#[derive(Debug, Clone)]
pub(crate) struct Reverted {
    pub trigger: TriggerId,
    pub fired: Date,
    pub wind_down_until: Date,
    pub non_retroactive: bool,
    pub entries: Vec<LogIndex>,
    /// The trigger's latest fire reverting the action (`fired`, or a later fire that found
    /// it already reverted): what `reentered` follows.
    pub latest: Date,
    /// Under `re_earn`: its phase earned again after the fire, from this day — unless
    /// another trigger fired on the action in between (that fire is not undone).
    pub reentered: Option<Reentered>,
}

/// A phase earned again after a fire.
#[derive(Debug, Clone)]
pub(crate) struct Reentered {
    pub phase: PhaseId,
    pub on: Date,
    /// The review at which its entry condition was met again.
    pub review: u32,
    pub entries: Vec<LogIndex>,
}

/// A trigger's latest fire and what was earned again after it.
#[derive(Debug, Clone)]
pub(crate) struct LastFire {
    pub trigger: TriggerId,
    pub fired: Date,
    pub reentered: BTreeMap<PhaseId, Reentered>,
    /// Phases earned again after the fire before this one (and before this one), with the
    /// day: they were reached when this fire reverted them.
    pub earlier: BTreeMap<PhaseId, Date>,
}

/// One fire of a trigger, and what was earned again after it.
#[derive(Debug, Clone)]
struct Episode {
    fired: Date,
    wind_down_until: Date,
    cause: Vec<LogIndex>,
    reentered: BTreeMap<PhaseId, Reentered>,
    /// The first day something was earned again: the trigger is re-armed then.
    rearmed: Option<Date>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    Idle,
    /// Counting down since `from` (the invocation, or the day it resumed).
    Counting {
        invoked: Date,
        until: Date,
        from: Date,
    },
    /// Paused since `since` with `remaining` days of the countdown left.
    Paused {
        invoked: Date,
        since: Date,
        remaining: i64,
    },
    Halted(Date),
    /// The invocation lapsed: a dispute overturned the finding it rested on.
    Lapsed(Date),
    Withdrawn(Date),
    Fired {
        invoked: Date,
        on: Date,
    },
    /// Relief was earned again after a fire: it may be invoked again.
    Rearmed(Date),
}

/// A dispute over a finding of a commitment a trigger's condition mentions.
#[derive(Debug, Clone)]
struct Hold {
    dispute: DisputeId,
    commitment: CommitmentId,
    /// The disputed finding's span (the reporting periods overlapping it are concerned).
    span: Period,
    /// Whether it freezes the finding while open: a party's dispute does; a dispute the
    /// overdue policy opens (`escalate`) freezes nothing.
    freezes: bool,
    opened: Date,
    closed: Option<Date>,
    overturned: bool,
    /// How it closed, in words.
    closing: String,
    /// Its steps, for reasons.
    entries: Vec<LogIndex>,
}

impl Hold {
    fn open_on(&self, day: Date) -> bool {
        self.opened <= day && self.closed.is_none_or(|c| day < c)
    }
}

fn names(ids: &[ParticipantId]) -> String {
    ids.iter()
        .map(|p| format!("`{p}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Whether the condition holds on `day`: at the reviews concluded by then, known by then.
fn holds_on(ctx: &Ctx<'_>, t: &Trigger, day: Date) -> (bool, Option<Date>, Vec<LogIndex>) {
    let anchors = ctx.anchors();
    let latest = u32::try_from(
        ctx.reviews
            .iter()
            .take(ctx.concluded as usize)
            .filter(|r| r.period.end() < day)
            .count(),
    )
    .unwrap_or(0);
    let (ok, witness, entries) = holds_at(ctx, &anchors, &t.when, latest);
    (ok && witness.is_none_or(|w| w <= day), witness, entries)
}

/// What an invocation on `day` rests on: per commitment a status condition of the trigger
/// names, the periods of the reviews its status window covers at the reviews concluded by
/// then — the findings the condition was judged on (every status leaf counts, whatever
/// `and`/`or`/`not` combine them). A finding of another period does not count.
fn rests_on(ctx: &Ctx<'_>, t: &Trigger, day: Date) -> Vec<(CommitmentId, Period)> {
    fn walk(
        ctx: &Ctx<'_>,
        cond: &crate::rule::Condition,
        latest: u32,
        out: &mut Vec<(CommitmentId, Period)>,
    ) {
        use crate::rule::Condition;
        match cond {
            Condition::Status {
                commitments,
                reviews,
                ..
            } => {
                let n = (*reviews).max(1);
                let Some(first) = latest.checked_sub(n) else {
                    return;
                };
                for r in ctx.reviews.iter().skip(first as usize).take(n as usize) {
                    out.extend(commitments.iter().map(|c| (c.clone(), r.period)));
                }
            }
            Condition::And { all: cs } | Condition::Or { any: cs } => {
                for c in cs {
                    walk(ctx, c, latest, out);
                }
            }
            Condition::Not { not } => walk(ctx, not, latest, out),
            _ => {}
        }
    }
    let latest = u32::try_from(
        ctx.reviews
            .iter()
            .take(ctx.concluded as usize)
            .filter(|r| r.period.end() < day)
            .count(),
    )
    .unwrap_or(0);
    let mut out = Vec::new();
    walk(ctx, &t.when, latest, &mut out);
    out
}

/// Whether a dispute is over a finding an invocation rests on.
fn rests(h: &Hold, on: &[(CommitmentId, Period)]) -> bool {
    on.iter()
        .any(|(c, p)| c == &h.commitment && p.overlaps(&h.span))
}

/// For a condition that holds now but names no date it holds since (a `not ...`): the
/// start of the unbroken run of concluded reviews at which it holds — the day after the
/// first of them ended, or the agreement's effective date — so that the date does not move
/// with the evaluation date.
fn since_reviews(ctx: &Ctx<'_>, t: &Trigger) -> Date {
    let anchors = ctx.anchors();
    let mut first = ctx.concluded;
    while first > 0 && holds_at(ctx, &anchors, &t.when, first - 1).0 {
        first -= 1;
    }
    let effective = ctx
        .views
        .first()
        .and_then(|v| v.effective)
        .unwrap_or(ctx.date);
    match first
        .checked_sub(1)
        .and_then(|i| ctx.reviews.get(i as usize))
    {
        Some(r) => r.period.end().tomorrow().unwrap_or(effective),
        None => effective,
    }
}

/// The actions a trigger reverts, in schedule order.
pub(crate) fn reverted_actions(agreement: &Agreement, t: &Trigger) -> Vec<ActionId> {
    match &t.reverts_to {
        Reversion::PreAgreement => agreement.actions().map(|(_, a)| a.id.clone()).collect(),
        Reversion::Phase { phase } => {
            let keep = agreement
                .phases
                .iter()
                .position(|p| &p.id == phase)
                .map_or(0, |i| i + 1);
            agreement
                .phases
                .iter()
                .skip(keep)
                .flat_map(|p| p.actions.iter().map(|a| a.id.clone()))
                .collect()
        }
        Reversion::Actions { actions } => agreement
            .actions()
            .filter(|(_, a)| actions.contains(&a.id))
            .map(|(_, a)| a.id.clone())
            .collect(),
    }
}

/// The phases a trigger reverts, in schedule order: those whose relief is earned again
/// under `re_earn` (for `actions`, the phases holding those actions).
fn reverted_phases<'a>(agreement: &'a Agreement, t: &Trigger) -> Vec<&'a crate::agreement::Phase> {
    match &t.reverts_to {
        Reversion::PreAgreement => agreement.phases.iter().collect(),
        Reversion::Phase { phase } => {
            let keep = agreement
                .phases
                .iter()
                .position(|p| &p.id == phase)
                .map_or(0, |i| i + 1);
            agreement.phases.iter().skip(keep).collect()
        }
        Reversion::Actions { actions } => agreement
            .phases
            .iter()
            .filter(|p| p.actions.iter().any(|a| actions.contains(&a.id)))
            .collect(),
    }
}

/// The indicator a disputed finding is on.
fn disputed_indicator(ctx: &Ctx<'_>, finding: &Finding) -> Option<crate::id::IndicatorId> {
    match finding {
        Finding::Indicator { indicator, .. } => Some(indicator.clone()),
        Finding::Entry { index } => {
            let (n, _) = ctx.core.entries.get(&index.0)?.evidence?;
            ctx.core
                .names
                .indicators
                .iter()
                .find(|(_, v)| **v == n)
                .map(|(k, _)| k.clone())
        }
    }
}

/// The span of a disputed finding on an indicator.
fn disputed_span(ctx: &Ctx<'_>, finding: &Finding) -> Option<Period> {
    match finding {
        Finding::Indicator { period, .. } => Some(*period),
        Finding::Entry { index } => {
            let (_, end) = ctx.core.entries.get(&index.0)?.evidence?;
            Period::new(end, end).ok()
        }
    }
}

/// The disputes over findings of indicators whose commitment the trigger's condition
/// mentions.
fn holds_for(ctx: &Ctx<'_>, agreement: &Agreement, t: &Trigger) -> Vec<Hold> {
    let mut out = Vec::new();
    for d in &ctx.dispute_states {
        let (Some(finding), Some(opened)) = (&d.finding, d.opened) else {
            continue;
        };
        let Some(span) = disputed_span(ctx, finding) else {
            continue;
        };
        let Some(commitment) = disputed_indicator(ctx, finding).and_then(|i| {
            agreement
                .indicators
                .iter()
                .find(|x| x.id == i)
                .map(|x| x.commitment.clone())
        }) else {
            continue;
        };
        if !super::relief::mentions(&t.when, &commitment) {
            continue;
        }
        let closing = match (d.outcome, d.status.as_str()) {
            (Some(DisputeOutcome::Overturned), _) => "overturned the finding",
            (Some(DisputeOutcome::Upheld), _) => "upheld the finding",
            (Some(DisputeOutcome::Settled), _) => "was settled",
            (None, "exhausted") => "was exhausted",
            (None, "withdrawn") => "was withdrawn",
            _ => "closed",
        };
        out.push(Hold {
            dispute: d.id.clone(),
            commitment,
            span,
            freezes: !d.opened_by.is_empty(),
            opened,
            closed: d.closed,
            overturned: d.outcome == Some(DisputeOutcome::Overturned),
            closing: closing.to_owned(),
            entries: d.steps.clone(),
        });
    }
    out
}

fn hold_names(holds: &[&Hold]) -> String {
    holds
        .iter()
        .map(|h| format!("dispute `{}` (over `{}`)", h.dispute, h.commitment))
        .collect::<Vec<_>>()
        .join(", ")
}

fn hold_entries(holds: &[&Hold]) -> Vec<LogIndex> {
    let mut e: Vec<LogIndex> = holds.iter().flat_map(|h| h.entries.clone()).collect();
    e.sort_unstable();
    e.dedup();
    e
}

/// Whether the condition holds on an invocation's day, taking findings disputed only after
/// that day as the monitors made them: a dispute opened later pauses the countdown, it does
/// not undo the invocation.
fn holds_when_invoked(ctx: &mut Ctx<'_>, t: &Trigger, holds: &[Hold], day: Date) -> bool {
    let later: Vec<CommitmentId> = ctx
        .undisputed
        .keys()
        .filter(|c| {
            let mut over = holds.iter().filter(|h| &h.commitment == *c).peekable();
            over.peek().is_some() && over.all(|h| h.opened > day)
        })
        .cloned()
        .collect();
    swap_undisputed(ctx, &later);
    let ok = holds_on(ctx, t, day).0;
    swap_undisputed(ctx, &later);
    ok
}

fn swap_undisputed(ctx: &mut Ctx<'_>, which: &[CommitmentId]) {
    for c in which {
        if let (Some(u), Some(s), Some(k)) = (
            ctx.undisputed.get_mut(c),
            ctx.commitments.get_mut(c),
            ctx.commitment_known.get_mut(c),
        ) {
            std::mem::swap(s, &mut u.0);
            std::mem::swap(k, &mut u.1);
        }
    }
}

/// Runs a countdown's clock up to `to` (inclusive): it pauses while a hold is open, resumes
/// or lapses when none is any more, and fires when it runs out.
fn clock(
    ctx: &Ctx<'_>,
    t: &Trigger,
    holds: &[Hold],
    mut status: Status,
    to: Date,
    reasons: &mut Vec<Reason>,
) -> Status {
    // Bounded: each round pauses or resumes on a later day, or returns.
    for _ in 0..10_000 {
        match status {
            Status::Counting {
                invoked,
                until,
                from,
            } => {
                let pause = holds
                    .iter()
                    .filter_map(|h| {
                        let d = h.opened.max(from);
                        h.open_on(d).then_some(d)
                    })
                    .min();
                match pause {
                    Some(p) if p < until && p <= to => {
                        let remaining = epoch_day(until) - epoch_day(p);
                        let open: Vec<&Hold> = holds.iter().filter(|h| h.open_on(p)).collect();
                        reasons.push(Reason::with_entries(
                            "trigger.paused",
                            format!(
                                "countdown paused on {p} with {remaining} day(s) remaining: {} freezes a finding its condition rests on (while_open: freeze_finding)",
                                hold_names(&open)
                            ),
                            hold_entries(&open),
                        ));
                        status = Status::Paused {
                            invoked,
                            since: p,
                            remaining,
                        };
                    }
                    _ => {
                        if until <= to {
                            status = Status::Fired { invoked, on: until };
                        }
                        return status;
                    }
                }
            }
            Status::Paused {
                invoked,
                since,
                remaining,
            } => {
                // The first day no hold is open: the latest close of the overlapping ones.
                let mut resume = since;
                for _ in 0..10_000 {
                    let open: Vec<&Hold> = holds.iter().filter(|h| h.open_on(resume)).collect();
                    if open.is_empty() {
                        break;
                    }
                    let Some(next) = open.iter().map(|h| h.closed).max().flatten() else {
                        return status;
                    };
                    if open.iter().any(|h| h.closed.is_none()) {
                        return status;
                    }
                    resume = next;
                }
                if resume > to {
                    return status;
                }
                let closed: Vec<&Hold> = holds
                    .iter()
                    .filter(|h| {
                        h.opened < resume && h.closed.is_some_and(|c| c > since && c <= resume)
                    })
                    .collect();
                let how = closed
                    .iter()
                    .map(|h| format!("dispute `{}` {} on {}", h.dispute, h.closing, resume))
                    .collect::<Vec<_>>()
                    .join(", ");
                if closed.iter().any(|h| h.overturned) && !holds_on(ctx, t, resume).0 {
                    reasons.push(Reason::with_entries(
                        "trigger.lapsed",
                        format!(
                            "invocation lapsed on {resume}: {how}, and its condition `{}` no longer holds; it may be invoked again",
                            describe(&t.when)
                        ),
                        hold_entries(&closed),
                    ));
                    return Status::Lapsed(resume);
                }
                let Some(until) = date_from_epoch_day(epoch_day(resume) + remaining) else {
                    return status;
                };
                reasons.push(Reason::with_entries(
                    "trigger.resumed",
                    format!(
                        "countdown resumed on {resume} with the {remaining} day(s) that remained ({how}): fires on {until} unless halted before"
                    ),
                    hold_entries(&closed),
                ));
                status = Status::Counting {
                    invoked,
                    until,
                    from: resume,
                };
            }
            _ => return status,
        }
    }
    status
}

/// One fire on `fired`, and under `re_earn` the phases earned again after it.
fn episode(
    ctx: &Ctx<'_>,
    agreement: &Agreement,
    t: &Trigger,
    fired: Date,
    cause: &[LogIndex],
) -> Episode {
    let mut reentered = BTreeMap::new();
    if t.reentry == Reentry::ReEarn {
        let mut anchors = ctx.anchors();
        // Phases are entered in order: a reverted phase follows the one before it, when that
        // one was reverted too (not so for the scattered phases of a partial reversal).
        let chained = !matches!(t.reverts_to, Reversion::Actions { .. });
        let mut previous: Option<Option<Date>> = None;
        for phase in reverted_phases(agreement, t) {
            let mut after = match (chained, previous) {
                (true, Some(None)) => break,
                (true, Some(Some(d))) => Some(d),
                _ => None,
            };
            match phase.not_before.as_ref().map(|r| anchors.resolve(r)) {
                Some(None) => {
                    previous = Some(None);
                    continue;
                }
                Some(Some(nb)) => after = after.max(Some(nb)),
                None => {}
            }
            let got = super::phases::reentry(ctx, &anchors, &phase.entry, fired, after);
            previous = Some(got.as_ref().map(|g| g.0));
            if let Some((on, review, entries)) = got {
                // Dates counted from this phase's entry count from its new entry.
                anchors.phases.insert(phase.id.clone(), on);
                reentered.insert(
                    phase.id.clone(),
                    Reentered {
                        phase: phase.id.clone(),
                        on,
                        review,
                        entries,
                    },
                );
            }
        }
    }
    Episode {
        fired,
        wind_down_until: t.wind_down.after(fired).unwrap_or(fired),
        cause: cause.to_vec(),
        rearmed: reentered.values().map(|r| r.on).min(),
        reentered,
    }
}

/// Under `re_earn`, a fired trigger is re-armed on the first day relief it reverted is
/// earned again, if that day has come by `to`.
#[allow(clippy::too_many_arguments)]
fn rearm(
    ctx: &Ctx<'_>,
    agreement: &Agreement,
    t: &Trigger,
    status: Status,
    to: Date,
    cause: &[LogIndex],
    pending: &mut Option<Episode>,
    episodes: &mut Vec<Episode>,
    reasons: &mut Vec<Reason>,
) -> Status {
    let Status::Fired { on, .. } = status else {
        return status;
    };
    if t.reentry != Reentry::ReEarn {
        return status;
    }
    if pending.as_ref().is_none_or(|e| e.fired != on) {
        *pending = Some(episode(ctx, agreement, t, on, cause));
    }
    let Some(e) = pending.as_ref() else {
        return status;
    };
    match e.rearmed {
        Some(r) if r <= to => {
            let first: Vec<String> = e
                .reentered
                .values()
                .filter(|x| x.on == r)
                .map(|x| format!("`{}`", x.phase))
                .collect();
            reasons.push(Reason::with_entries(
                "trigger.rearmed",
                format!(
                    "re-armed on {r}: after the fire on {on}, phase {} was earned again (reentry: re_earn); a new breach may be invoked",
                    first.join(", ")
                ),
                e.reentered
                    .values()
                    .filter(|x| x.on == r)
                    .flat_map(|x| x.entries.clone())
                    .collect(),
            ));
            episodes.push(e.clone());
            *pending = None;
            Status::Rearmed(r)
        }
        _ => status,
    }
}

pub(crate) fn triggers(ctx: &mut Ctx<'_>) -> Vec<TriggerState> {
    let core = ctx.core;
    let Some(agreement) = core.versions.get(ctx.current) else {
        return Vec::new();
    };
    let mut steps: BTreeMap<&TriggerId, Vec<&super::super::ingest::OtherEntry>> = BTreeMap::new();
    for o in &core.others {
        let Statement::TriggerStep(t) = &o.statement else {
            continue;
        };
        if !ctx.alive(o.key, o.index) {
            continue;
        }
        if agreement.triggers.iter().any(|tr| tr.id == t.trigger) {
            steps.entry(&t.trigger).or_default().push(o);
        } else {
            ctx.rejected.push((
                o.index.0,
                format!("`{}` is not a trigger of the agreement", t.trigger),
            ));
        }
    }
    let mut out = Vec::with_capacity(agreement.triggers.len());
    for t in &agreement.triggers {
        let holds = holds_for(ctx, agreement, t);
        let freeze = agreement.disputes.while_open == WhileOpen::FreezeFinding;
        // The disputes that pause the current invocation's countdown: those that freeze a
        // finding it rests on (set on each invocation).
        let mut pausing: Vec<Hold> = Vec::new();
        let mut rested: Vec<(CommitmentId, Period)> = Vec::new();
        let mut status = Status::Idle;
        let mut invoked_by: Vec<ParticipantId> = Vec::new();
        let mut counted: Vec<LogIndex> = Vec::new();
        let mut reasons: Vec<Reason> = Vec::new();
        let mut cause: Vec<LogIndex> = Vec::new();
        let mut episodes: Vec<Episode> = Vec::new();
        let mut pending: Option<Episode> = None;
        let countdown_end = |from: Date| t.countdown.and_then(|c| c.after(from));
        for o in steps.get(&t.id).map(Vec::as_slice).unwrap_or_default() {
            let Statement::TriggerStep(step) = &o.statement else {
                continue;
            };
            let day = date_of(o.key.0);
            status = clock(ctx, t, &pausing, status, day, &mut reasons);
            status = rearm(
                ctx,
                agreement,
                t,
                status,
                day,
                &cause,
                &mut pending,
                &mut episodes,
                &mut reasons,
            );
            let problem: Option<String> = match (&step.step, status) {
                (_, Status::Fired { on, .. }) => Some(match t.reentry {
                    Reentry::ByDecision => format!(
                        "trigger `{}` fired on {on}: no step counts after it fires",
                        t.id
                    ),
                    Reentry::ReEarn => format!(
                        "trigger `{}` fired on {on}: no step counts until relief is earned again and it is re-armed",
                        t.id
                    ),
                }),
                (TriggerAction::Invoke { .. }, _) if t.automatic => Some(format!(
                    "trigger `{}` is automatic: it fires by itself when its condition holds, without invocation",
                    t.id
                )),
                (TriggerAction::Invoke { .. }, Status::Counting { invoked, until, .. }) => {
                    Some(format!(
                        "trigger `{}` was already invoked on {invoked}; its countdown runs until {until}",
                        t.id
                    ))
                }
                (
                    TriggerAction::Invoke { .. },
                    Status::Paused {
                        invoked, remaining, ..
                    },
                ) => Some(format!(
                    "trigger `{}` was already invoked on {invoked}; its countdown is paused with {remaining} day(s) remaining",
                    t.id
                )),
                (TriggerAction::Invoke { .. }, _) => {
                    if let Some(p) = o.authors.iter().find(|a| !t.standing.contains(a)) {
                        Some(if t.standing.is_empty() {
                            format!(
                                "`{p}` has no standing to invoke `{}`: no participant has",
                                t.id
                            )
                        } else {
                            format!(
                                "`{p}` has no standing to invoke `{}`: only {} may",
                                t.id,
                                names(&t.standing)
                            )
                        })
                    } else {
                        let ok = holds_when_invoked(ctx, t, &holds, day);
                        (!ok).then(|| {
                            format!(
                                "invocation of `{}` on {day} refused: its condition `{}` does not hold on that date",
                                t.id,
                                describe(&t.when)
                            )
                        })
                    }
                }
                (TriggerAction::Halt { .. }, Status::Counting { .. } | Status::Paused { .. }) => {
                    if t.halted_by.is_empty() {
                        Some(format!("no participant may halt `{}`", t.id))
                    } else {
                        o.authors
                            .iter()
                            .find(|a| !t.halted_by.contains(a))
                            .map(|p| {
                                format!(
                                    "`{p}` may not halt `{}`: only {} may",
                                    t.id,
                                    names(&t.halted_by)
                                )
                            })
                    }
                }
                (TriggerAction::Halt { .. }, _) => Some(format!(
                    "trigger `{}` is not counting down: there is nothing to halt",
                    t.id
                )),
                (TriggerAction::Withdraw, Status::Counting { .. } | Status::Paused { .. }) => {
                    o.authors.iter().find(|a| !invoked_by.contains(a)).map(|p| {
                        format!(
                            "`{p}` did not invoke `{}`: only {} may withdraw the invocation",
                            t.id,
                            names(&invoked_by)
                        )
                    })
                }
                (TriggerAction::Withdraw, _) => Some(format!(
                    "trigger `{}` is not counting down: there is no invocation to withdraw",
                    t.id
                )),
            };
            if let Some(p) = problem {
                ctx.rejected.push((o.index.0, p));
                continue;
            }
            counted.push(o.index);
            match &step.step {
                TriggerAction::Invoke { reason } => {
                    invoked_by = o.authors.clone();
                    rested = rests_on(ctx, t, day);
                    pausing = holds
                        .iter()
                        .filter(|h| freeze && h.freezes && rests(h, &rested))
                        .cloned()
                        .collect();
                    cause = vec![o.index];
                    status = match countdown_end(day) {
                        Some(until) if t.countdown.is_some() && until > day => {
                            reasons.push(Reason::with_entries(
                                "trigger.invoked",
                                format!(
                                    "invoked on {day} by {}: {reason}; fires on {until} unless halted before",
                                    names(&o.authors)
                                ),
                                vec![o.index],
                            ));
                            Status::Counting {
                                invoked: day,
                                until,
                                from: day,
                            }
                        }
                        _ => {
                            reasons.push(Reason::with_entries(
                                "trigger.invoked",
                                format!(
                                    "invoked on {day} by {}: {reason}; no countdown",
                                    names(&o.authors)
                                ),
                                vec![o.index],
                            ));
                            Status::Fired {
                                invoked: day,
                                on: day,
                            }
                        }
                    };
                    // A dispute already open pauses the countdown from the invocation day.
                    status = clock(ctx, t, &pausing, status, day, &mut reasons);
                }
                TriggerAction::Halt { resolution } => {
                    reasons.push(Reason::with_entries(
                        "trigger.halted",
                        format!(
                            "countdown halted on {day} by {}: {resolution}",
                            names(&o.authors)
                        ),
                        vec![o.index],
                    ));
                    cause.push(o.index);
                    status = Status::Halted(day);
                }
                TriggerAction::Withdraw => {
                    reasons.push(Reason::with_entries(
                        "trigger.withdrawn",
                        format!("invocation withdrawn on {day} by {}", names(&o.authors)),
                        vec![o.index],
                    ));
                    cause.push(o.index);
                    status = Status::Withdrawn(day);
                }
            }
        }
        status = clock(ctx, t, &pausing, status, ctx.date, &mut reasons);
        status = rearm(
            ctx,
            agreement,
            t,
            status,
            ctx.date,
            &cause,
            &mut pending,
            &mut episodes,
            &mut reasons,
        );
        let (now, witness, cond_entries) = holds_on(ctx, t, ctx.date);
        // Bounded: each round fires on a later day than the one before.
        for _ in 0..64 {
            let rearmed_on = match status {
                Status::Idle => None,
                Status::Rearmed(r) => Some(r),
                _ => break,
            };
            if !(t.automatic && now) {
                break;
            }
            let since = witness.unwrap_or_else(|| since_reviews(ctx, t));
            let from = rearmed_on.map_or(since, |r| since.max(r));
            cause = cond_entries.clone();
            reasons.push(Reason::with_entries(
                "trigger.automatic",
                format!(
                    "automatic: its condition `{}` holds since {from}",
                    describe(&t.when)
                ),
                cond_entries.clone(),
            ));
            status = match countdown_end(from) {
                Some(until) if until > from && until > ctx.date => Status::Counting {
                    invoked: from,
                    until,
                    from,
                },
                Some(until) if until > from => Status::Fired {
                    invoked: from,
                    on: until,
                },
                _ => Status::Fired {
                    invoked: from,
                    on: from,
                },
            };
            status = rearm(
                ctx,
                agreement,
                t,
                status,
                ctx.date,
                &cause,
                &mut pending,
                &mut episodes,
                &mut reasons,
            );
        }
        // Under finding_stands a dispute does not pause the countdown: say so.
        if !freeze && let Some(invoked) = invoked_of(status) {
            let end = match status {
                Status::Fired { on, .. } => on,
                Status::Counting { until, .. } => until,
                _ => ctx.date,
            }
            .min(ctx.date);
            let open: Vec<&Hold> = holds
                .iter()
                .filter(|h| {
                    h.opened <= end && h.closed.is_none_or(|c| c > invoked) && rests(h, &rested)
                })
                .collect();
            if !open.is_empty() {
                reasons.push(Reason::with_entries(
                    "trigger.disputed",
                    format!(
                        "{} was open during the countdown; the finding stands meanwhile (while_open: finding_stands), so the countdown was not paused",
                        hold_names(&open)
                    ),
                    hold_entries(&open),
                ));
            }
        }
        // The latest step first, after the status's own reason (inserted below).
        reasons.reverse();
        let reverts = reverted_actions(agreement, t);
        let mut state = TriggerState {
            id: t.id.clone(),
            status: String::new(),
            steps: counted,
            reasons,
            invoked: None,
            invoked_by: invoked_by.clone(),
            until: None,
            fired: None,
            wind_down_until: None,
            reverts: reverts.clone(),
            earliest: None,
            remaining: None,
            paused_since: None,
            rearmed: None,
        };
        if let Some(last) = episodes.last() {
            state.fired = Some(last.fired);
            state.wind_down_until = Some(last.wind_down_until);
            state.rearmed = last.rearmed;
        }
        let cond_text = describe(&t.when);
        match status {
            Status::Idle
            | Status::Halted(_)
            | Status::Lapsed(_)
            | Status::Withdrawn(_)
            | Status::Rearmed(_) => {
                let name = match status {
                    Status::Halted(_) | Status::Lapsed(_) => "halted",
                    Status::Withdrawn(_) => "withdrawn",
                    _ if now => "available",
                    _ => "dormant",
                };
                if !now {
                    state.earliest = super::phases::earliest(ctx, &ctx.anchors(), &t.when)
                        .filter(|d| *d > ctx.date);
                }
                state.status = name.to_owned();
                // Halted, lapsed or withdrawn: the step that did it decides the status and
                // comes first; whether it could be invoked again follows.
                let at = usize::from(
                    matches!(
                        status,
                        Status::Halted(_) | Status::Lapsed(_) | Status::Withdrawn(_)
                    ) && !state.reasons.is_empty(),
                );
                state.reasons.insert(
                    at,
                    if now {
                        Reason::with_entries(
                            "trigger.available",
                            if t.standing.is_empty() {
                                format!("its condition `{cond_text}` holds")
                            } else {
                                format!(
                                    "its condition `{cond_text}` holds: {} may invoke it",
                                    names(&t.standing)
                                )
                            },
                            cond_entries,
                        )
                    } else {
                        Reason::rule(
                            "trigger.dormant",
                            format!("its condition `{cond_text}` does not hold"),
                        )
                    },
                );
            }
            Status::Counting { invoked, until, .. } => {
                state.status = "counting_down".to_owned();
                state.invoked = Some(invoked);
                state.until = Some(until);
                state.reasons.insert(
                    0,
                    Reason::rule(
                        "trigger.countdown",
                        if t.halted_by.is_empty() {
                            format!("counting down: fires on {until}; no participant may halt it")
                        } else {
                            format!(
                                "counting down: fires on {until} unless {} halt it before",
                                names(&t.halted_by)
                            )
                        },
                    ),
                );
            }
            Status::Paused {
                invoked,
                since,
                remaining,
            } => {
                state.status = "paused".to_owned();
                state.invoked = Some(invoked);
                state.paused_since = Some(since);
                state.remaining = u32::try_from(remaining).ok();
                let open: Vec<&Hold> = pausing.iter().filter(|h| h.open_on(ctx.date)).collect();
                state.reasons.insert(
                    0,
                    Reason::with_entries(
                        "trigger.paused",
                        format!(
                            "paused since {since} while {} is open: {remaining} day(s) of the countdown remain, and run again once it closes with the finding counting",
                            hold_names(&open)
                        ),
                        hold_entries(&open),
                    ),
                );
            }
            Status::Fired { invoked, on } => {
                let end = t.wind_down.after(on).unwrap_or(on);
                state.status = "fired".to_owned();
                state.invoked = Some(invoked);
                state.fired = Some(on);
                state.wind_down_until = Some(end);
                state.rearmed = None;
                state.reasons.insert(
                    0,
                    Reason::with_entries(
                        "trigger.fired",
                        format!(
                            "fired on {on}: {} wound down until {end}, then reimposed{}",
                            match &t.reverts_to {
                                Reversion::PreAgreement => "every phase's relief is".to_owned(),
                                Reversion::Phase { phase } =>
                                    format!("relief of the phases after `{phase}` is"),
                                Reversion::Actions { actions } => format!(
                                    "{} (partial reversal; the rest is kept) {}",
                                    actions
                                        .iter()
                                        .map(|a| format!("`{a}`"))
                                        .collect::<Vec<_>>()
                                        .join(", "),
                                    if actions.len() == 1 { "is" } else { "are" }
                                ),
                            },
                            match t.reentry {
                                Reentry::ByDecision => "",
                                Reentry::ReEarn => "; each reverted phase may be earned again at reviews that begin on or after that day",
                            }
                        ),
                        cause.clone(),
                    ),
                );
                let e = match pending.take() {
                    Some(e) if e.fired == on => e,
                    _ => episode(ctx, agreement, t, on, &cause),
                };
                episodes.push(e);
            }
        }
        // What each reverted action owes to the fires: the latest fire that found it back in
        // force (or the first), and what was earned again after the latest fire.
        for a in &reverts {
            let phase_of = agreement
                .phases
                .iter()
                .find(|p| p.actions.iter().any(|x| &x.id == a))
                .map(|p| &p.id);
            let mut current: Option<Reverted> = None;
            for e in &episodes {
                let re = phase_of.and_then(|p| e.reentered.get(p)).cloned();
                match &mut current {
                    Some(r) if r.reentered.as_ref().is_none_or(|x| x.on > e.fired) => {
                        r.reentered = re;
                        r.latest = e.fired;
                    }
                    _ => {
                        current = Some(Reverted {
                            trigger: t.id.clone(),
                            fired: e.fired,
                            wind_down_until: e.wind_down_until,
                            non_retroactive: t.non_retroactive,
                            entries: e.cause.clone(),
                            latest: e.fired,
                            reentered: re,
                        });
                    }
                }
            }
            if let Some(r) = current {
                ctx.reverted.entry(a.clone()).or_default().push(r);
            }
        }
        if let Some(last) = episodes.last() {
            let earlier = episodes
                .len()
                .checked_sub(2)
                .and_then(|i| episodes.get(i))
                .map(|e| {
                    e.reentered
                        .iter()
                        .filter(|(_, r)| r.on <= last.fired)
                        .map(|(p, r)| (p.clone(), r.on))
                        .collect()
                })
                .unwrap_or_default();
            ctx.fires.push(LastFire {
                trigger: t.id.clone(),
                fired: last.fired,
                reentered: last.reentered.clone(),
                earlier,
            });
        }
        out.push(state);
    }
    overtake(ctx, agreement);
    out
}

/// Fires of several triggers on the same relief, in date order: a re-entry undoes only the
/// fire it follows. When another trigger fired on the relief after that fire and by the
/// re-entry day, the re-entry does not count (the later fire stands); a fire after the
/// re-entry reverts what was earned again.
fn overtaken(after: Date, on: Date, others: impl IntoIterator<Item = Date>) -> bool {
    others.into_iter().any(|f| after < f && f <= on)
}

fn overtake(ctx: &mut Ctx<'_>, agreement: &Agreement) {
    for list in ctx.reverted.values_mut() {
        list.sort_by_key(|r| r.fired);
        let fires: Vec<(TriggerId, Date)> =
            list.iter().map(|r| (r.trigger.clone(), r.fired)).collect();
        for r in list.iter_mut() {
            let others = fires
                .iter()
                .filter(|(t, _)| t != &r.trigger)
                .map(|(_, f)| *f);
            if r.reentered
                .as_ref()
                .is_some_and(|re| overtaken(r.latest, re.on, others))
            {
                r.reentered = None;
            }
        }
    }
    let fires: Vec<(TriggerId, Date, Vec<PhaseId>)> = ctx
        .fires
        .iter()
        .filter_map(|f| {
            let t = agreement.triggers.iter().find(|t| t.id == f.trigger)?;
            let phases = reverted_phases(agreement, t)
                .into_iter()
                .map(|p| p.id.clone())
                .collect();
            Some((f.trigger.clone(), f.fired, phases))
        })
        .collect();
    for f in &mut ctx.fires {
        let (trigger, fired) = (f.trigger.clone(), f.fired);
        f.reentered.retain(|p, re| {
            let others = fires
                .iter()
                .filter(|(t, _, ps)| t != &trigger && ps.contains(p))
                .map(|(_, d, _)| *d);
            !overtaken(fired, re.on, others)
        });
    }
    ctx.fires.sort_by_key(|f| f.fired);
}

/// The invocation day of a countdown under way or done.
fn invoked_of(status: Status) -> Option<Date> {
    match status {
        Status::Counting { invoked, .. }
        | Status::Paused { invoked, .. }
        | Status::Fired { invoked, .. } => Some(invoked),
        _ => None,
    }
}

/// Phases earned again after a fire (a whole-phase reversion) count from their new entry
/// day: their relief starts, and its expiry runs, from it.
pub(crate) fn reenter(ctx: &mut Ctx<'_>) {
    let core = ctx.core;
    let Some(agreement) = core.versions.get(ctx.current) else {
        return;
    };
    let mut moved: Vec<(PhaseId, Date)> = Vec::new();
    for fire in &ctx.fires {
        let whole = agreement
            .triggers
            .iter()
            .find(|t| t.id == fire.trigger)
            .is_some_and(|t| !matches!(t.reverts_to, Reversion::Actions { .. }));
        if whole {
            moved.extend(fire.reentered.iter().map(|(p, r)| (p.clone(), r.on)));
        }
    }
    ctx.reached.extend(moved);
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
        ReliefStatus::InForce | ReliefStatus::Suspended => base.until.filter(|u| *u > re.on),
        _ => None,
    };
    // What the schedule gives from the re-entry on: a hold for an overdue report counts.
    s.status = if base.status == ReliefStatus::Suspended {
        ReliefStatus::Suspended
    } else {
        ReliefStatus::InForce
    };
    s.since = Some(re.on);
    s.reasons.insert(
        0,
        Reason::with_entries(
            "trigger.reentered",
            format!(
                "reverted by trigger `{}` fired on {}, then earned again: phase `{}` re-entered on {} (its entry condition met again at review {}; reentry: re_earn), in force again from that day",
                r.trigger, r.fired, re.phase, re.on, re.review
            ),
            re.entries.clone(),
        ),
    );
    // Earned again while a report is overdue: held, and that reason decides the status.
    if s.status == ReliefStatus::Suspended
        && let Some(i) = s.reasons.iter().position(|r| r.rule == "relief.held")
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
                "relief.lifted",
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
            "trigger.reverted",
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
        ReliefStatus::InForce | ReliefStatus::Suspended | ReliefStatus::Lifted
    ) || (s.status == ReliefStatus::Expired && s.since.is_some_and(|e| e > r.fired));
    if !active {
        s.reasons.push(Reason::with_entries(
            "trigger.reverted",
            format!(
                "reverted by trigger `{}` fired on {}; it was not in force then",
                r.trigger, r.fired
            ),
            r.entries.clone(),
        ));
        return;
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
        s.reasons.insert(
            0,
            Reason::with_entries(
                "trigger.wind_down",
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
                "trigger.reimposed",
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
pub(crate) fn revert_phases(ctx: &Ctx<'_>, phases: &mut [PhaseState]) {
    let Some(agreement) = ctx.agreement() else {
        return;
    };
    // Phases an earlier fire already took out (a later one says what remains).
    let mut touched: std::collections::BTreeSet<PhaseId> = std::collections::BTreeSet::new();
    for fire in &ctx.fires {
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
                            "trigger.reentered",
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
                        "trigger.reentered",
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
                        "trigger.reverted",
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
                    earliest: super::phases::reentry_earliest(ctx, &spec.entry, fired),
                },
            }];
        }
    }
}
