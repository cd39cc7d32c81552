//! Triggers (snapback): invocation, countdown, halt, withdrawal, firing, and the reversion
//! of relief a fired trigger causes.
//!
//! Each trigger is walked through its recorded steps in log order. An invocation counts
//! when every author has standing and the trigger's condition holds on the invocation's
//! record date (at the reviews concluded by then, on evidence known by then). With a
//! `countdown`, the trigger then fires on `invoked + countdown` unless a participant in
//! `halted_by` records a halt *before* that date (a halt recorded on it is too late), or
//! the invoker withdraws first; without one it fires on the invocation date. An
//! `automatic` trigger needs no invocation: it counts as invoked on the date its condition
//! came to hold. A halted or withdrawn trigger may be invoked again; a fired one takes no
//! further step.
//!
//! When fired on `F`, the reverted relief (`pre_agreement`: every phase's; `phase`: the
//! later phases'; `actions`: those only, the rest kept) that was in force is wound down
//! from `F` until `F + wind_down`, then reimposed. Phases after the reversion point are
//! not reached any more. Exemptions are never touched (they are not relief actions, and
//! `derive::state` adds them last).
//!
//! Known limit: the condition at an earlier date is judged on the statuses as of the
//! evaluation's cut (disputes' effects included), restricted to the reviews concluded and
//! evidence recorded by that date.

use std::collections::BTreeMap;

use crate::agreement::{Agreement, Reversion, Trigger};
use crate::id::{ActionId, ParticipantId, TriggerId};
use crate::statement::{LogIndex, Statement, TriggerAction};
use crate::time::Date;

use super::super::state::{
    ActionState, PhaseState, PhaseStatus, Reason, ReliefStatus, TriggerState, Unmet,
};
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
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    Idle,
    Counting { invoked: Date, until: Date },
    Halted(Date),
    Withdrawn(Date),
    Fired { invoked: Date, on: Date },
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
        let mut status = Status::Idle;
        let mut invoked_by: Vec<ParticipantId> = Vec::new();
        let mut counted: Vec<LogIndex> = Vec::new();
        let mut reasons: Vec<Reason> = Vec::new();
        let mut cause: Vec<LogIndex> = Vec::new();
        let countdown_end = |from: Date| t.countdown.and_then(|c| c.after(from));
        for o in steps.get(&t.id).map(Vec::as_slice).unwrap_or_default() {
            let Statement::TriggerStep(step) = &o.statement else {
                continue;
            };
            let day = date_of(o.key.0);
            if let Status::Counting { invoked, until } = status
                && until <= day
            {
                status = Status::Fired { invoked, on: until };
            }
            let problem: Option<String> = match (&step.step, status) {
                (_, Status::Fired { on, .. }) => Some(format!(
                    "trigger `{}` fired on {on}: no step counts after it fires",
                    t.id
                )),
                (TriggerAction::Invoke { .. }, _) if t.automatic => Some(format!(
                    "trigger `{}` is automatic: it fires by itself when its condition holds, without invocation",
                    t.id
                )),
                (TriggerAction::Invoke { .. }, Status::Counting { invoked, until }) => {
                    Some(format!(
                        "trigger `{}` was already invoked on {invoked}; its countdown runs until {until}",
                        t.id
                    ))
                }
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
                        let (ok, _, _) = holds_on(ctx, t, day);
                        (!ok).then(|| {
                            format!(
                                "invocation of `{}` on {day} refused: its condition `{}` does not hold on that date",
                                t.id,
                                describe(&t.when)
                            )
                        })
                    }
                }
                (TriggerAction::Halt { .. }, Status::Counting { .. }) => {
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
                (TriggerAction::Withdraw, Status::Counting { .. }) => {
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
        if let Status::Counting { invoked, until } = status
            && until <= ctx.date
        {
            status = Status::Fired { invoked, on: until };
        }
        let (now, witness, cond_entries) = holds_on(ctx, t, ctx.date);
        if t.automatic && status == Status::Idle && now {
            let from = witness.unwrap_or_else(|| since_reviews(ctx, t));
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
        };
        let cond_text = describe(&t.when);
        match status {
            Status::Idle | Status::Halted(_) | Status::Withdrawn(_) => {
                let name = match status {
                    Status::Halted(_) => "halted",
                    Status::Withdrawn(_) => "withdrawn",
                    _ if now => "available",
                    _ => "dormant",
                };
                if !now {
                    state.earliest = super::phases::earliest(ctx, &ctx.anchors(), &t.when)
                        .filter(|d| *d > ctx.date);
                }
                state.status = name.to_owned();
                state.reasons.insert(
                    0,
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
            Status::Counting { invoked, until } => {
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
            Status::Fired { invoked, on } => {
                let end = t.wind_down.after(on).unwrap_or(on);
                state.status = "fired".to_owned();
                state.invoked = Some(invoked);
                state.fired = Some(on);
                state.wind_down_until = Some(end);
                state.reasons.insert(
                    0,
                    Reason::with_entries(
                        "trigger.fired",
                        format!(
                            "fired on {on}: {} wound down until {end}, then reimposed",
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
                            }
                        ),
                        cause.clone(),
                    ),
                );
                for a in &reverts {
                    ctx.reverted.entry(a.clone()).or_insert(Reverted {
                        trigger: t.id.clone(),
                        fired: on,
                        wind_down_until: end,
                        non_retroactive: t.non_retroactive,
                        entries: cause.clone(),
                    });
                }
            }
        }
        out.push(state);
    }
    out
}

/// Reverts one action's state by a fired trigger, as of `date`.
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

/// Phases past the reversion point of a fired trigger are not reached any more.
pub(crate) fn revert_phases(ctx: &Ctx<'_>, triggers: &[TriggerState], phases: &mut [PhaseState]) {
    let Some(agreement) = ctx.agreement() else {
        return;
    };
    for ts in triggers {
        let (Some(fired), Some(t)) = (ts.fired, agreement.triggers.iter().find(|t| t.id == ts.id))
        else {
            continue;
        };
        let from = match &t.reverts_to {
            Reversion::PreAgreement => 0,
            Reversion::Phase { phase } => agreement
                .phases
                .iter()
                .position(|p| &p.id == phase)
                .map_or(0, |i| i + 1),
            Reversion::Actions { .. } => continue,
        };
        for p in phases.iter_mut().skip(from) {
            if p.status != PhaseStatus::Reached {
                continue;
            }
            let was = p.entered.map_or("?".to_owned(), |d| d.to_string());
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
            p.remains = vec![Unmet {
                condition: format!("re-entry after trigger `{}`", t.id),
                detail: "relief reverted by a fired trigger is not re-entered by the evaluation; a new decision or amendment is needed".to_owned(),
                earliest: None,
            }];
        }
    }
}
