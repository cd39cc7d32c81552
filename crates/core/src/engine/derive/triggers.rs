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
//! **Several fires on the same relief** (`Triggers::reverted` keeps one reversion per action
//! and trigger, `Triggers::fires` the latest fire of each, both in date order): the latest fire
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

use crate::agreement::{Agreement, Reentry, Reversion, Trigger};
use crate::id::{ActionId, CommitmentId, DisputeId, ParticipantId, PhaseId, TriggerId};
use crate::statement::{DisputeOutcome, Finding, LogIndex, Statement};
use crate::time::{Date, Period};

use super::super::ingest::OtherEntry;
use super::super::state::{DisputeState, DisputeStatus, ReviewState, TriggerState};
use super::conditions::{Judge, holds_at, mentions, reentry};
use super::{Key, Rejected};

mod reversion;
mod walk;

pub(crate) use reversion::{reenter, reenter_action, revert, revert_phases};
use walk::TriggerWalk;

/// How a fired trigger reverts one relief action.
#[derive(Debug, Clone)]
pub(crate) struct Reverted {
    pub trigger: TriggerId,
    pub fired: Date,
    pub wind_down_until: Date,
    /// The instant the wind-down ends, when an extension stated one.
    pub wind_down_at: Option<crate::time::Moment>,
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
pub(super) struct Episode {
    pub(super) fired: Date,
    pub(super) wind_down_until: Date,
    pub(super) cause: Vec<LogIndex>,
    pub(super) reentered: BTreeMap<PhaseId, Reentered>,
    /// The first day something was earned again: the trigger is re-armed then.
    pub(super) rearmed: Option<Date>,
}

/// A dispute over a finding of a commitment a trigger's condition mentions.
#[derive(Debug, Clone)]
pub(super) struct Hold {
    pub(super) dispute: DisputeId,
    pub(super) commitment: CommitmentId,
    /// The disputed finding's span (the reporting periods overlapping it are concerned).
    pub(super) span: Period,
    /// Whether it freezes the finding while open: a party's dispute does; a dispute the
    /// overdue policy opens (`escalate`) freezes nothing.
    pub(super) freezes: bool,
    pub(super) opened: Date,
    /// The log position of the step that opened it (a party's dispute).
    pub(super) opened_at: Option<Key>,
    pub(super) closed: Option<Date>,
    /// The state it ended in, for `dispute(...)` conditions (`open` while it is).
    pub(super) ended: crate::rule::DisputeState,
    pub(super) overturned: bool,
    /// How it closed, in words.
    pub(super) closing: String,
    /// Its steps, for reasons.
    pub(super) entries: Vec<LogIndex>,
}

impl Hold {
    pub(super) fn open_on(&self, day: Date) -> bool {
        self.opened <= day && self.closed.is_none_or(|c| day < c)
    }

    /// Whether it was opened after the entry at `key`, recorded on `day`: on a later day,
    /// or later in the log on the same day.
    pub(super) fn opened_after(&self, day: Date, key: Key) -> bool {
        self.opened > day || (self.opened == day && self.opened_at.is_some_and(|k| k > key))
    }
}

/// What `dispute(...)` conditions saw at the entry at `key`, recorded on `day`: per
/// commitment with disputes in `holds`, the state of those opened by then as of that day
/// (an open one wins, else the latest opened decides, as in the disputes stage), and
/// since when. Commitments with no dispute by then have none.
pub(super) fn dispute_states_at(
    now: &BTreeMap<CommitmentId, (crate::rule::DisputeState, Date)>,
    holds: &[Hold],
    day: Date,
    key: Key,
) -> BTreeMap<CommitmentId, (crate::rule::DisputeState, Date)> {
    use crate::rule::DisputeState as S;
    let mut out = now.clone();
    for h in holds {
        out.remove(&h.commitment);
    }
    for h in holds.iter().filter(|h| !h.opened_after(day, key)) {
        let state = match h.closed {
            Some(c) if c <= day => (h.ended, c),
            _ => (S::Open, h.opened),
        };
        let slot = out.entry(h.commitment.clone()).or_insert(state);
        if slot.0 != S::Open {
            *slot = state;
        }
    }
    out
}

pub(super) fn names(ids: &[ParticipantId]) -> String {
    ids.iter()
        .map(|p| format!("`{p}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Whether the condition holds on `day`: at the reviews concluded by then, known by then.
pub(super) fn holds_on(
    j: Judge<'_>,
    t: &Trigger,
    day: Date,
) -> (bool, Option<Date>, Vec<LogIndex>) {
    let anchors = j.anchors();
    let latest = j.cal.concluded_before(day);
    let (ok, witness, entries) = holds_at(j, &anchors, &t.when, latest);
    (ok && witness.is_none_or(|w| w <= day), witness, entries)
}

/// What an invocation on `day` rests on: per commitment a status condition of the trigger
/// names, the periods of the reviews its status window covers at the reviews concluded by
/// then — the findings the condition was judged on (every status leaf counts, whatever
/// `and`/`or`/`not` combine them). A finding of another period does not count.
pub(super) fn rests_on(j: Judge<'_>, t: &Trigger, day: Date) -> Vec<(CommitmentId, Period)> {
    fn walk(
        all: &[ReviewState],
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
                for r in all.iter().skip(first as usize).take(n as usize) {
                    out.extend(commitments.iter().map(|c| (c.clone(), r.period)));
                }
            }
            Condition::And { all: cs } | Condition::Or { any: cs } => {
                for c in cs {
                    walk(all, c, latest, out);
                }
            }
            Condition::Not { not } => walk(all, not, latest, out),
            _ => {}
        }
    }
    let latest = j.cal.concluded_before(day);
    let mut out = Vec::new();
    walk(&j.cal.reviews, &t.when, latest, &mut out);
    out
}

/// Whether a dispute is over a finding an invocation rests on.
pub(super) fn rests(h: &Hold, on: &[(CommitmentId, Period)]) -> bool {
    on.iter()
        .any(|(c, p)| c == &h.commitment && p.overlaps(&h.span))
}

/// For a condition that holds now but names no date it holds since (a `not ...`): the
/// start of the unbroken run of concluded reviews at which it holds — the day after the
/// first of them ended, or the agreement's effective date — so that the date does not move
/// with the evaluation date.
pub(super) fn since_reviews(j: Judge<'_>, t: &Trigger) -> Date {
    let anchors = j.anchors();
    let mut first = j.cal.concluded;
    while first > 0 && holds_at(j, &anchors, &t.when, first - 1).0 {
        first -= 1;
    }
    let effective = j.cal.effective_or_date();
    match first
        .checked_sub(1)
        .and_then(|i| j.cal.reviews.get(i as usize))
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
pub(super) fn reverted_phases<'a>(
    agreement: &'a Agreement,
    t: &Trigger,
) -> Vec<&'a crate::agreement::Phase> {
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
fn disputed_indicator(j: Judge<'_>, finding: &Finding) -> Option<crate::id::IndicatorId> {
    match finding {
        Finding::Indicator { indicator, .. } => Some(indicator.clone()),
        Finding::Entry { index } => {
            let (n, _) = j.cal.core.entries.get(&index.0)?.evidence?;
            j.cal
                .core
                .names
                .indicators
                .iter()
                .find(|(_, v)| **v == n)
                .map(|(k, _)| k.clone())
        }
    }
}

/// The span of a disputed finding on an indicator.
fn disputed_span(j: Judge<'_>, finding: &Finding) -> Option<Period> {
    match finding {
        Finding::Indicator { period, .. } => Some(*period),
        Finding::Entry { index } => {
            let (_, end) = j.cal.core.entries.get(&index.0)?.evidence?;
            Period::new(end, end).ok()
        }
    }
}

/// The disputes over findings of indicators whose commitment the trigger's condition
/// mentions.
pub(super) fn holds_for(
    j: Judge<'_>,
    agreement: &Agreement,
    disputes: &[DisputeState],
    t: &Trigger,
) -> Vec<Hold> {
    let mut out = Vec::new();
    for d in disputes {
        let (Some(finding), Some(opened)) = (&d.finding, d.opened) else {
            continue;
        };
        let Some(span) = disputed_span(j, finding) else {
            continue;
        };
        let Some(commitment) = disputed_indicator(j, finding).and_then(|i| {
            agreement
                .indicators
                .iter()
                .find(|x| x.id == i)
                .map(|x| x.commitment.clone())
        }) else {
            continue;
        };
        if !mentions(&t.when, &commitment) {
            continue;
        }
        let closing = match (d.outcome, d.status) {
            (Some(DisputeOutcome::Overturned), _) => "overturned the finding",
            (Some(DisputeOutcome::Upheld), _) => "upheld the finding",
            (Some(DisputeOutcome::Settled), _) => "was settled",
            (None, DisputeStatus::Exhausted) => "was exhausted",
            (None, DisputeStatus::Withdrawn) => "was withdrawn",
            _ => "closed",
        };
        out.push(Hold {
            dispute: d.id.clone(),
            commitment,
            span,
            freezes: !d.opened_by.is_empty(),
            opened,
            opened_at: d
                .steps
                .first()
                .filter(|_| !d.opened_by.is_empty())
                .and_then(|i| j.cal.core.entries.get(&i.0))
                .map(|r| r.key),
            closed: d.closed,
            ended: match (d.status, d.outcome) {
                (DisputeStatus::Open, _) => crate::rule::DisputeState::Open,
                (DisputeStatus::Exhausted, _) => crate::rule::DisputeState::Exhausted,
                (_, Some(DisputeOutcome::Overturned)) => crate::rule::DisputeState::Overturned,
                (DisputeStatus::Resolved, Some(_)) => crate::rule::DisputeState::Upheld,
                _ => crate::rule::DisputeState::None,
            },
            overturned: d.outcome == Some(DisputeOutcome::Overturned),
            closing: closing.to_owned(),
            entries: d.steps.clone(),
        });
    }
    out
}

pub(super) fn hold_names(holds: &[&Hold]) -> String {
    holds
        .iter()
        .map(|h| format!("dispute `{}` (over `{}`)", h.dispute, h.commitment))
        .collect::<Vec<_>>()
        .join(", ")
}

pub(super) fn hold_entries(holds: &[&Hold]) -> Vec<LogIndex> {
    let mut e: Vec<LogIndex> = holds.iter().flat_map(|h| h.entries.clone()).collect();
    e.sort_unstable();
    e.dedup();
    e
}

/// One fire on `fired`, and under `re_earn` the phases earned again after it.
pub(super) fn episode(
    j: Judge<'_>,
    agreement: &Agreement,
    t: &Trigger,
    fired: Date,
    cause: &[LogIndex],
) -> Episode {
    let mut reentered = BTreeMap::new();
    if t.reentry == Reentry::ReEarn {
        let mut anchors = j.anchors();
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
            let got = reentry(j, &anchors, &phase.entry, fired, after);
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

/// What the triggers stage hands on.
#[derive(Default)]
pub(crate) struct Triggers {
    pub states: Vec<TriggerState>,
    /// Relief reverted by fired triggers, per action one reversion per trigger that fired
    /// on it, in fire-date order.
    pub reverted: BTreeMap<ActionId, Vec<Reverted>>,
    /// Per trigger that fired, its latest fire and what was earned again after it, in
    /// fire-date order (a re-entry another trigger's later fire overtook is left out).
    pub fires: Vec<LastFire>,
}

/// Every trigger of the governing version walked through its steps, as of the evaluation
/// date. `judge` has the phases reached by their entry conditions; `disputes` are the
/// disputes as walked (a countdown pauses while one freezes a finding its condition rests
/// on).
pub(crate) fn triggers(
    judge: Judge<'_>,
    disputes: &[DisputeState],
    rejected: &mut Rejected,
) -> Triggers {
    let mut out = Triggers::default();
    let cal = judge.cal;
    let Some(agreement) = cal.agreement() else {
        return out;
    };
    let mut steps: BTreeMap<&TriggerId, Vec<&OtherEntry>> = BTreeMap::new();
    for o in &cal.core.others {
        let Statement::TriggerStep(t) = &o.statement else {
            continue;
        };
        if !cal.alive(o.key, o.index) {
            continue;
        }
        if agreement.triggers.iter().any(|tr| tr.id == t.trigger) {
            steps.entry(&t.trigger).or_default().push(o);
        } else {
            rejected.push((
                o.index.0,
                format!("`{}` is not a trigger of the agreement", t.trigger),
            ));
        }
    }
    for t in &agreement.triggers {
        let mut walk = TriggerWalk::new(judge, agreement, disputes, t);
        for o in steps.get(&t.id).map(Vec::as_slice).unwrap_or_default() {
            if let Err(why) = walk.step(judge, agreement, o) {
                rejected.push((o.index.0, why));
            }
        }
        let (state, episodes) = walk.finish(judge, agreement);
        record(&mut out, agreement, t, &episodes);
        out.states.push(state);
    }
    overtake(&mut out, agreement);
    out
}

/// What each reverted action owes to a trigger's fires — the latest fire that found it
/// back in force (or the first), and what was earned again after the latest fire — and the
/// trigger's latest fire.
fn record(out: &mut Triggers, agreement: &Agreement, t: &Trigger, episodes: &[Episode]) {
    for a in &reverted_actions(agreement, t) {
        let phase_of = agreement
            .phases
            .iter()
            .find(|p| p.actions.iter().any(|x| &x.id == a))
            .map(|p| &p.id);
        let mut current: Option<Reverted> = None;
        for e in episodes {
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
                        wind_down_at: None,
                        non_retroactive: t.non_retroactive,
                        entries: e.cause.clone(),
                        latest: e.fired,
                        reentered: re,
                    });
                }
            }
        }
        if let Some(r) = current {
            out.reverted.entry(a.clone()).or_default().push(r);
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
        out.fires.push(LastFire {
            trigger: t.id.clone(),
            fired: last.fired,
            reentered: last.reentered.clone(),
            earlier,
        });
    }
}

/// Fires of several triggers on the same relief, in date order: a re-entry undoes only the
/// fire it follows. When another trigger fired on the relief after that fire and by the
/// re-entry day, the re-entry does not count (the later fire stands); a fire after the
/// re-entry reverts what was earned again.
fn overtaken(after: Date, on: Date, others: impl IntoIterator<Item = Date>) -> bool {
    others.into_iter().any(|f| after < f && f <= on)
}

fn overtake(out: &mut Triggers, agreement: &Agreement) {
    for list in out.reverted.values_mut() {
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
    let fires: Vec<(TriggerId, Date, Vec<PhaseId>)> = out
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
    for f in &mut out.fires {
        let (trigger, fired) = (f.trigger.clone(), f.fired);
        f.reentered.retain(|p, re| {
            let others = fires
                .iter()
                .filter(|(t, _, ps)| t != &trigger && ps.contains(p))
                .map(|(_, d, _)| *d);
            !overtaken(fired, re.on, others)
        });
    }
    out.fires.sort_by_key(|f| f.fired);
}
