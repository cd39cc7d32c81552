//! A walked dispute, concluded on the evaluation date: its effect on what it contests (an
//! indicator's findings, an authority's decision, or nothing), what `dispute(...)`
//! conditions see, and its state for the output.

use crate::agreement::WhileOpen;
use crate::id::IndicatorId;
use crate::rule::DisputeState as RuleDispute;
use crate::statement::{DisputeOutcome, Finding, LogIndex, StatementKind};
use crate::time::Period;

use super::super::super::ingest::Core;
use super::super::super::state::{
    DisputeEffect, DisputeState, DisputeStatus, PositionState, Reason, Rule, StageRun,
};
use super::walk::{Course, Env, Walk};
use super::{DecisionDispute, Disputes, FindingEffect, OverdueNote, Standing, outcome_name};

/// What a dispute's finding is, once looked up (the indicator borrowed: a derivation a
/// day after the last entry concludes every overdue escalation again, and the copies were
/// a share of its allocation).
enum Target<'a> {
    /// An indicator's reporting periods overlapping a span.
    Indicator(&'a IndicatorId, Period),
    /// An authority's decision.
    Decision(LogIndex),
    /// Another kind of entry (its kind in words).
    Other(LogIndex, &'static str),
}

/// Concludes one dispute as of the evaluation date into `out`.
pub(super) fn conclude(env: &Env<'_>, mut w: Walk, out: &mut Disputes) {
    let agreement = env.agreement;
    w.advance(agreement, env.versions.date);
    for r in &w.runs {
        // The id is copied only for a stage not seen before (most disputes run the same).
        match out.stage_began.get_mut(&r.stage) {
            Some(d) => *d = (*d).max(r.began),
            None => {
                out.stage_began.insert(r.stage.clone(), r.began);
            }
        }
    }
    let target = target_of(env.versions.core, &w.finding);
    let effect = effect_of(&w, target.as_ref(), agreement.disputes.while_open);
    let text = effect_text(&w, target.as_ref(), effect);
    match &target {
        Some(Target::Indicator(indicator, span)) => {
            indicator_effect(env, &w, indicator, *span, effect, out);
        }
        Some(Target::Decision(index)) => decision_effect(&w, *index, out),
        _ => {}
    }
    out.states.push(into_state(w, effect, text));
}

/// The finding: an indicator's periods, a decision, or another entry.
fn target_of<'a>(core: &'a Core, finding: &'a Finding) -> Option<Target<'a>> {
    match finding {
        Finding::Indicator { indicator, period } => Some(Target::Indicator(indicator, *period)),
        Finding::Entry { index } => core.entries.get(&index.0).and_then(|r| {
            if let Some((n, end)) = r.evidence {
                let id = core
                    .names
                    .indicators
                    .iter()
                    .find(|(_, v)| **v == n)
                    .map(|(k, _)| k)?;
                Some(Target::Indicator(id, Period::new(end, end).ok()?))
            } else if r.kind == StatementKind::Decision {
                Some(Target::Decision(*index))
            } else {
                Some(Target::Other(*index, kind_name(r.kind)))
            }
        }),
    }
}

fn kind_name(kind: StatementKind) -> &'static str {
    match kind {
        StatementKind::Evidence => "an evidence statement",
        StatementKind::Correction => "a correction",
        StatementKind::Retraction => "a retraction",
        StatementKind::Decision => "a decision",
        StatementKind::DisputeStep => "a dispute step",
        StatementKind::TriggerStep => "a trigger step",
        StatementKind::EventOccurred => "an event record",
        StatementKind::AmendmentSignature => "an amendment signature",
        StatementKind::KeyEvent => "a key event",
        StatementKind::Signal => "a signal",
        StatementKind::Participation => "a participation change",
    }
}

/// What the dispute does to what it contests, on the evaluation date.
fn effect_of(w: &Walk, target: Option<&Target>, while_open: WhileOpen) -> DisputeEffect {
    let overdue = w.is_overdue();
    let decision = matches!(target, Some(Target::Decision(_)));
    let other = matches!(target, Some(Target::Other(..)));
    match w.course {
        // Nothing to freeze: the overdue status counts as the policy says; an entry that is
        // neither evidence nor a decision has no effect to take away.
        Course::Open if overdue || other => DisputeEffect::FindingStands,
        _ if overdue || other => DisputeEffect::Counts,
        // An authority's act is not suspended by a complaint.
        Course::Open if decision => DisputeEffect::FindingStands,
        Course::Open => match while_open {
            WhileOpen::FreezeFinding => DisputeEffect::Frozen,
            WhileOpen::FindingStands => DisputeEffect::FindingStands,
        },
        Course::Resolved(_, DisputeOutcome::Overturned) => DisputeEffect::SetAside,
        _ => DisputeEffect::Counts,
    }
}

/// Where the dispute stands, in words.
fn how(w: &Walk) -> String {
    match w.course {
        Course::Open => "open".to_owned(),
        Course::Exhausted(d) => format!("exhausted on {d}"),
        Course::Resolved(d, o) => format!("{} on {d}", outcome_name(o)),
        Course::Withdrawn(d) => format!("withdrawn on {d}"),
        Course::ReportReceived(d) => format!("closed on {d}, when the report was recorded"),
    }
}

/// The `dispute.effect` reason's words.
fn effect_text(w: &Walk, target: Option<&Target>, effect: DisputeEffect) -> String {
    match target {
        Some(Target::Indicator(..)) if w.is_overdue() => {
            "effect on the finding: none — the overdue status counts as the overdue policy says (the dispute was opened by it)"
                .to_owned()
        }
        Some(Target::Decision(index)) => match effect {
            DisputeEffect::FindingStands => format!(
                "effect on the disputed decision (entry {index}): it stays in effect while the dispute is open — an authority's act is not suspended by a complaint"
            ),
            DisputeEffect::SetAside => format!(
                "effect on the disputed decision (entry {index}): set aside, it no longer applies"
            ),
            _ => format!("effect on the disputed decision (entry {index}): it stands"),
        },
        Some(Target::Other(index, kind)) => format!(
            "effect: none — entry {index} is {kind}, neither evidence nor a decision; the dispute is recorded but changes no finding and no relief"
        ),
        _ => format!(
            "effect on the disputed finding: {}",
            effect.as_str().replace('_', " ")
        ),
    }
}

/// A dispute over an indicator's findings: what `dispute(...)` conditions over its
/// commitment see, the overdue note, and its effect on the periods concerned.
fn indicator_effect(
    env: &Env<'_>,
    w: &Walk,
    indicator: &IndicatorId,
    span: Period,
    effect: DisputeEffect,
    out: &mut Disputes,
) {
    let overdue = w.is_overdue();
    let how = how(w);
    if let Some(i) = env.agreement.indicators.iter().find(|i| &i.id == indicator) {
        let since = w.course.ended().unwrap_or(w.opened);
        let rule_state = match w.course {
            Course::Open => RuleDispute::Open,
            Course::Exhausted(_) => RuleDispute::Exhausted,
            Course::Resolved(_, DisputeOutcome::Overturned) => RuleDispute::Overturned,
            Course::Resolved(..) => RuleDispute::Upheld,
            Course::Withdrawn(_) | Course::ReportReceived(_) => RuleDispute::None,
        };
        // An open dispute wins; otherwise the latest opened decides. (The id is copied
        // only for a commitment not seen before.)
        match out.by_commitment.get_mut(&i.commitment) {
            Some(slot) if slot.0 != RuleDispute::Open => *slot = (rule_state, since),
            Some(_) => {}
            None => {
                out.by_commitment
                    .insert(i.commitment.clone(), (rule_state, since));
            }
        }
    }
    if overdue {
        out.overdue.push(OverdueNote {
            indicator: indicator.clone(),
            start: span.start(),
            detail: match (w.course, w.runs.iter().rev().find(|r| !r.parallel)) {
                (Course::Open, Some(r)) => format!(
                    "dispute `{}` opened on {} by the overdue policy (open at stage `{}`)",
                    w.id, w.opened, r.stage
                ),
                _ => format!(
                    "dispute `{}` opened on {} by the overdue policy ({how})",
                    w.id, w.opened
                ),
            },
            entries: w.steps.clone(),
        });
    }
    // An open overdue escalation names itself in the overdue reason; once closed, the
    // period says how it went.
    if overdue && w.course == Course::Open {
        return;
    }
    let detail = match effect {
        _ if overdue => format!(
            "the report was overdue: dispute `{}`, opened by the overdue policy on {}, is {how}",
            w.id, w.opened
        ),
        DisputeEffect::Frozen => format!(
            "disputed in `{}` (open): the finding is frozen and has no effect until the dispute closes",
            w.id
        ),
        DisputeEffect::FindingStands => format!(
            "disputed in `{}` (open): the finding stands meanwhile (while_open: finding_stands)",
            w.id
        ),
        DisputeEffect::SetAside => format!(
            "dispute `{}` overturned the finding: it has no effect",
            w.id
        ),
        DisputeEffect::Counts => format!("dispute `{}` {how}: the finding has its effect", w.id),
    };
    let effective_from = match (effect, env.agreement.disputes.while_open, w.course) {
        _ if overdue => None,
        (
            DisputeEffect::Counts,
            WhileOpen::FreezeFinding,
            Course::Exhausted(d) | Course::Resolved(d, _) | Course::Withdrawn(d),
        ) => Some(d),
        _ => None,
    };
    out.findings.push(FindingEffect {
        effective_from,
        indicator: indicator.clone(),
        span,
        effect,
        entries: w.steps.clone(),
        detail,
        decisive: !overdue,
    });
}

/// A dispute over an authority's decision: the first overturn sets it aside for good;
/// else an open dispute decides where it stands; else the latest opened.
fn decision_effect(w: &Walk, index: LogIndex, out: &mut Disputes) {
    let standing = match w.course {
        Course::Open => Standing::Open,
        Course::Resolved(d, DisputeOutcome::Overturned) => Standing::SetAside(d),
        _ => Standing::Stands(how(w)),
    };
    let rank = |s: &Standing| match s {
        Standing::SetAside(_) => 2,
        Standing::Open => 1,
        Standing::Stands(_) => 0,
    };
    let replace = out
        .decisions
        .get(&index)
        .is_none_or(|old| rank(&standing) >= rank(&old.standing) && rank(&old.standing) < 2);
    if replace {
        out.decisions.insert(
            index,
            DecisionDispute {
                dispute: w.id.clone(),
                opened: w.opened,
                standing,
                steps: w.steps.clone(),
            },
        );
    }
}

/// The dispute as the state shows it: reasons latest first, then its effect.
fn into_state(mut w: Walk, effect: DisputeEffect, effect_text: String) -> DisputeState {
    let (status, outcome) = match w.course {
        Course::Open => (DisputeStatus::Open, None),
        Course::Exhausted(_) => (DisputeStatus::Exhausted, None),
        Course::Resolved(_, o) => (DisputeStatus::Resolved, Some(o)),
        Course::Withdrawn(_) => (DisputeStatus::Withdrawn, None),
        Course::ReportReceived(_) => (DisputeStatus::Resolved, None),
    };
    let positions: Vec<PositionState> = w
        .positions
        .iter()
        .map(|(p, (accepts, view, entry))| PositionState {
            participant: p.clone(),
            accepts: *accepts,
            view: view.clone(),
            entry: *entry,
        })
        .collect();
    let contested = positions.iter().any(|p| p.accepts) && positions.iter().any(|p| !p.accepts);
    for p in &positions {
        if w.explain {
            w.reasons.push(Reason::with_entries(
                Rule::DisputePosition,
                format!(
                    "`{}` {} the outcome: {}",
                    p.participant,
                    if p.accepts {
                        "accepts"
                    } else {
                        "does not accept"
                    },
                    p.view
                ),
                vec![p.entry],
            ));
        }
    }
    if contested && w.explain {
        w.reasons.push(Reason::rule(
            Rule::DisputeContested,
            "the parties keep different views of the outcome; both are recorded",
        ));
    }
    // The latest step first: it is what the status rests on.
    w.reasons.reverse();
    w.reasons
        .push(Reason::rule(Rule::DisputeEffect, effect_text));
    let stage = w
        .runs
        .iter()
        .rev()
        .find(|r| !r.parallel)
        .map(|r| r.stage.clone());
    DisputeState {
        id: w.id,
        status,
        stage,
        steps: w.steps,
        reasons: w.reasons,
        finding: Some(w.finding),
        opened_by: w.opened_by,
        opened: Some(w.opened),
        stages: w
            .runs
            .into_iter()
            .map(|r| StageRun {
                stage: r.stage,
                parallel: r.parallel,
                began: r.began,
                deadline: r.deadline,
                status: r.status,
                ended: r.ended,
            })
            .collect(),
        outcome,
        closed: w.course.ended(),
        positions,
        contested,
        effect,
    }
}
