//! Phase entry, and for each phase not reached, what remains.
//!
//! Phases are entered in schedule order. A phase is reached when its entry condition held
//! at some concluded review (status conditions count the reviews ending with that one)
//! and its `not_before` date has come; once reached it stays reached (regression is the
//! business of triggers: `derive::triggers` takes phases past a fired trigger's reversion
//! point out again, and under `re_earn` brings each back when `reentry` finds its entry
//! condition met at reviews that all begin on or after the fire — under a `not`, a status
//! window reaching back before the fire is cut to the reviews after it). Its entry date is
//! the first day everything the condition rests on was known: the day after the review
//! ended, the record date of the evidence cited, dates and events the condition names, the
//! previous phase's entry and `not_before`, whichever is latest.

use std::collections::BTreeMap;

use crate::agreement::{Agreement, Phase};
use crate::id::PhaseId;
use crate::time::Date;

use super::super::state::{AgreementStatus, PhaseState, PhaseStatus, Reason, Rule, Unmet};
use super::Anchors;
use super::conditions::{Judge, describe, has_status, holds, unmet};

/// What the phases stage hands on.
pub(crate) struct Phases {
    pub states: Vec<PhaseState>,
    /// The phases reached and their entry dates.
    pub reached: BTreeMap<PhaseId, Date>,
}

/// The phase before the one being entered: its id and entry date, if reached.
type Previous<'a> = Option<(&'a PhaseId, Option<Date>)>;

/// Every phase of the governing version, in order. `judge` is given the phases reached as
/// they are entered.
pub(crate) fn phases(judge: Judge<'_>, status: AgreementStatus) -> Phases {
    let mut out = Phases {
        states: Vec::new(),
        reached: BTreeMap::new(),
    };
    let Some(agreement) = judge.cal.agreement() else {
        return out;
    };
    if status != AgreementStatus::InEffect {
        out.states = pending(judge, agreement, status);
        return out;
    }
    let mut earliest: BTreeMap<PhaseId, Option<Date>> = BTreeMap::new();
    let mut previous: Previous<'_> = None;
    for phase in &agreement.phases {
        let judge = judge.with_reached(&out.reached);
        let anchors = judge.anchors();
        let not_before = phase.not_before.as_ref().map(|r| anchors.resolve(r));
        let (entered, mut reasons) = enter(judge, &anchors, phase, previous, not_before);
        let words = judge.cal.words;
        let order_ok = previous.is_none_or(|(_, d)| d.is_some());
        if let Some((prev, _)) = previous.filter(|_| words) {
            reasons.push(Reason::rule(
                Rule::PhaseOrder,
                if order_ok {
                    format!("follows phase `{prev}`, which is reached")
                } else {
                    format!("phase `{prev}` must be reached first")
                },
            ));
        }
        if let Some(nb) = not_before.as_ref().filter(|_| words) {
            reasons.push(Reason::rule(
                Rule::PhaseNotBefore,
                match nb {
                    Some(d) => format!("not before {d}"),
                    None => "not before a date that is not known yet".to_owned(),
                },
            ));
        }
        let (status, remains) = match entered {
            Some(day) => {
                earliest.insert(phase.id.clone(), Some(day));
                (PhaseStatus::Reached, Vec::new())
            }
            None => {
                if words {
                    reasons.push(Reason::rule(
                        Rule::PhaseEntry,
                        format!("entry condition `{}` not met", describe(&phase.entry)),
                    ));
                }
                let (remains, overall) = remains(
                    judge, agreement, &anchors, phase, previous, not_before, &earliest,
                );
                earliest.insert(phase.id.clone(), overall);
                (PhaseStatus::NotReached, remains)
            }
        };
        if let Some(day) = entered {
            out.reached.insert(phase.id.clone(), day);
        }
        out.states.push(PhaseState {
            id: phase.id.clone(),
            title: phase.title.clone(),
            status,
            entered,
            reasons,
            remains,
        });
        previous = Some((&phase.id, entered));
    }
    out
}

/// Before the agreement takes effect nothing is reached: every phase waits for it.
fn pending(judge: Judge<'_>, agreement: &Agreement, status: AgreementStatus) -> Vec<PhaseState> {
    let effective = judge.cal.views.first().and_then(|v| v.effective);
    let detail = match effective {
        Some(e) if status == AgreementStatus::Agreed => {
            format!("the agreement is agreed and takes effect on {e}")
        }
        _ => "the agreement is not yet agreed: its effective date depends on an event not recorded yet".to_owned(),
    };
    agreement
        .phases
        .iter()
        .map(|phase| PhaseState {
            id: phase.id.clone(),
            title: phase.title.clone(),
            status: PhaseStatus::NotReached,
            entered: None,
            reasons: vec![Reason::rule(Rule::PhaseAgreement, detail.clone())],
            remains: vec![Unmet {
                condition: "the agreement in effect".to_owned(),
                detail: detail.clone(),
                earliest: effective,
            }],
        })
        .collect()
}

/// The day a phase is entered, if it is by the evaluation date: the first concluded review
/// at which its entry condition holds, once the previous phase is reached and its
/// `not_before` has come.
fn enter(
    judge: Judge<'_>,
    anchors: &Anchors,
    phase: &Phase,
    previous: Previous<'_>,
    not_before: Option<Option<Date>>,
) -> (Option<Date>, Vec<Reason>) {
    let cal = judge.cal;
    let previous_entered = previous.map(|(_, d)| d);
    let order_ok = previous_entered.is_none_or(|d| d.is_some());
    if !order_ok || matches!(not_before, Some(None)) {
        return (None, Vec::new());
    }
    let candidates: Vec<u32> = if has_status(&phase.entry) {
        (1..=cal.concluded).collect()
    } else {
        vec![cal.concluded]
    };
    for r in candidates {
        let h = holds(judge, anchors, &phase.entry, r);
        if !h.ok {
            continue;
        }
        let mut day = h.witness.unwrap_or(cal.effective_or_date());
        if let Some(Some(p)) = previous_entered {
            day = day.max(p);
        }
        if let Some(Some(nb)) = not_before {
            day = day.max(nb);
        }
        if day > cal.date {
            continue;
        }
        if !cal.words {
            return (Some(day), Vec::new());
        }
        let at = if r > 0 && has_status(&phase.entry) {
            format!(" at review {r}")
        } else {
            String::new()
        };
        let reason = Reason::with_entries(
            Rule::PhaseEntry,
            format!(
                "entry condition `{}` held{at}; entered on {day}",
                describe(&phase.entry)
            ),
            h.entries,
        );
        return (Some(day), vec![reason]);
    }
    (None, Vec::new())
}

/// What remains before a phase not reached can be entered (nothing listed unless the
/// calendar's `words`), and the earliest date it could be (none when that cannot be
/// computed; the same with or without words).
fn remains(
    judge: Judge<'_>,
    agreement: &Agreement,
    anchors: &Anchors,
    phase: &Phase,
    previous: Previous<'_>,
    not_before: Option<Option<Date>>,
    earliest: &BTreeMap<PhaseId, Option<Date>>,
) -> (Vec<Unmet>, Option<Date>) {
    let (date, words) = (judge.cal.date, judge.cal.words);
    let mut remains = Vec::new();
    let mut dates = Vec::new();
    if let Some((prev, None)) = previous {
        let e = earliest.get(prev).copied().flatten();
        dates.push(e);
        remains.push(Unmet {
            condition: format!("phase `{prev}` reached"),
            detail: "phases are entered in order".to_owned(),
            earliest: e,
        });
    }
    match not_before {
        Some(Some(nb)) if nb > date => {
            dates.push(Some(nb));
            remains.push(Unmet {
                condition: format!("not before {nb}"),
                detail: "the phase cannot be entered earlier, whatever the evidence".to_owned(),
                earliest: Some(nb),
            });
        }
        Some(None) => {
            dates.push(None);
            remains.push(Unmet {
                condition: "not before its date".to_owned(),
                detail: "that date depends on an event not recorded yet".to_owned(),
                earliest: None,
            });
        }
        _ => {}
    }
    let e = unmet(
        judge,
        agreement,
        anchors,
        &phase.entry,
        earliest,
        words.then_some(&mut remains),
    );
    dates.push(e);
    if !words {
        remains.clear();
    } else if remains.is_empty() {
        // The condition holds now but only since a date after the cut's day, or only
        // through its `not before`: it can be met today.
        remains.push(Unmet {
            condition: describe(&phase.entry),
            detail: "met, but not yet on the evaluation date".to_owned(),
            earliest: Some(date),
        });
    }
    let overall = dates.iter().try_fold(date, |acc, d| d.map(|d| acc.max(d)));
    (remains, overall)
}
