//! The timeline: every state change of an agreement, with its date and reason.
//!
//! Computed by evaluating at the end of each day on which something can change — a day an
//! entry was recorded, the day after a period or a grace period or a cure window ends, a
//! review concludes, relief starts or expires, an event falls — and comparing each state
//! with the previous one. A status therefore appears on the first day it was *known*
//! (record time), which is what "what did we know when" needs.

use std::collections::BTreeMap;

use crate::agreement::Agreement;
use crate::statement::LoggedStatement;
use crate::time::{Date, Instant};

use super::state::{DisputeStatus, Reason, State, TriggerStatus};
use super::{EvalError, Evaluator};

/// At most this many evaluations per timeline (one per day with something to change).
const MAX_STEPS: usize = 50_000;

/// One status change.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Change {
    /// The day it became known (a day of the agreement's zone).
    pub date: Date,
    /// The instant it took effect, when an instrument stated one (an act at
    /// `2026-11-09T00:01[America/New_York]`); absent for changes known by the day.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at: Option<Instant>,
    /// What changed: `phase p1`, `indicator enrichment review 3`, `relief gl-1`, ...
    pub subject: String,
    /// The status before (none on the first day evaluated, or when the subject is new).
    pub from: Option<String>,
    /// The status after.
    pub to: String,
    /// Why, as the state gives it.
    pub reasons: Vec<Reason>,
}

/// Every state change between `from` (the agreement's effective date when absent) and
/// `to`, both inclusive (days of the agreement's zone), considering entries recorded up to
/// the end of `to`, in the order of the instants they took effect: a day's changes, then
/// on a day with a stated instant, those of the instant after those of the start of the
/// day.
pub fn timeline(
    versions: &[Agreement],
    log: &[LoggedStatement],
    from: Option<Date>,
    to: Date,
) -> Result<Vec<Change>, EvalError> {
    let mut evaluator = Evaluator::new(versions)?;
    let zone = evaluator.days().clone();
    let cut = zone.end_of(to);
    let mut entries: Vec<&LoggedStatement> = log.iter().filter(|e| e.recorded_at <= cut).collect();
    entries.sort_by_key(|e| (e.recorded_at, e.index.0));
    // Each step is an instant: the end of a day (what was known that day), or an instant
    // an instrument states, with the start of its day before it.
    let mut steps: BTreeMap<Instant, Option<Instant>> = entries
        .iter()
        .map(|e| (zone.end_of(zone.day_of(e.recorded_at)), None))
        .collect();
    for e in &entries {
        evaluator.append(e);
    }
    // Where to begin: the given date, else the agreement's effective date.
    let start = match from {
        Some(d) => d,
        None => evaluator
            .state(cut)?
            .versions
            .first()
            .and_then(|v| v.effective)
            .unwrap_or(to),
    };
    let graces: Vec<crate::time::CalendarDuration> = versions
        .iter()
        .flat_map(|v| v.indicators.iter().map(|i| i.grace))
        .collect();
    let (first, last) = (zone.start_of(start), cut);
    let stated = versions.iter().flat_map(Agreement::stated_instants);
    add_instants(&mut steps, &zone, stated, (first, last));
    steps.insert(zone.end_of(start), None);
    let mut changes = Vec::new();
    let mut previous: Option<Flat> = None;
    let mut cursor = first;
    let mut n = 0;
    while let Some((&step, &at)) = steps.range(cursor..).next() {
        if step > last || n >= MAX_STEPS {
            break;
        }
        n += 1;
        cursor = match step.checked_add(jiff::SignedDuration::from_nanos(1)) {
            Ok(c) => c,
            Err(_) => break,
        };
        let state = evaluator.state(step)?;
        for d in upcoming(&state, &graces) {
            let end = zone.end_of(d);
            if end > step && end <= last {
                steps.entry(end).or_insert(None);
            }
        }
        add_instants(&mut steps, &zone, moments(&state), (cursor, last));
        let flat = kept(flatten(&state), &state, previous.as_ref());
        let day = zone.day_of(step);
        diff(previous.as_ref(), &flat, (day, at), &mut changes);
        previous = Some(flat);
    }
    Ok(changes)
}

/// Adds each instant in `range` as a step, with the start of its day before it.
fn add_instants(
    steps: &mut BTreeMap<Instant, Option<Instant>>,
    zone: &crate::time::DayZone,
    moments: impl IntoIterator<Item = crate::time::Moment>,
    (from, to): (Instant, Instant),
) {
    for m in moments.into_iter().filter(|m| !m.is_plain()) {
        let t = m.instant();
        if t < from || t > to {
            continue;
        }
        let start = zone.start_of(zone.day_of(t));
        if start >= from && start < t {
            steps.entry(start).or_insert(None);
        }
        steps.insert(t, Some(t));
    }
}

/// The instants stated in a state: events, decisions, relief ends.
fn moments(state: &State) -> Vec<crate::time::Moment> {
    let mut out: Vec<crate::time::Moment> =
        state.events.iter().filter_map(|e| e.at.clone()).collect();
    for d in &state.decisions {
        out.extend(d.effective_at.iter().chain(&d.until_at).cloned());
    }
    out.extend(state.relief.iter().filter_map(|a| a.until_at.clone()));
    out
}

/// Changes of meaning only: a trigger dormant only because the latest review has no
/// finding in yet keeps what it showed before.
fn kept(mut flat: Flat, state: &State, previous: Option<&Flat>) -> Flat {
    if let Some(old) = previous {
        for t in state.triggers.iter().filter(|t| t.awaiting.is_some()) {
            let subject = format!("trigger {}", t.id);
            if let Some(kept) = old.get(&subject) {
                flat.insert(subject, kept.clone());
            }
        }
    }
    flat
}

/// The changes from `old` (everything, on the first step) to `new`.
fn diff(
    old: Option<&Flat>,
    new: &Flat,
    (date, at): (Date, Option<Instant>),
    changes: &mut Vec<Change>,
) {
    for (subject, (to, reasons)) in new {
        let before = old.and_then(|o| o.get(subject)).map(|(s, _)| s);
        if old.is_none() || before != Some(to) {
            changes.push(Change {
                date,
                at,
                subject: subject.clone(),
                from: before.cloned(),
                to: to.clone(),
                reasons: reasons.clone(),
            });
        }
    }
}

/// Days after which something in this state may change by the calendar alone.
fn upcoming(state: &State, graces: &[crate::time::CalendarDuration]) -> Vec<Date> {
    let mut out = Vec::new();
    let mut push_after = |d: Date| {
        if let Ok(n) = d.tomorrow() {
            out.push(n);
        }
    };
    for r in &state.reviews {
        push_after(r.period.end());
    }
    for i in &state.indicators {
        for p in &i.periods {
            push_after(p.period.end());
            for g in graces {
                if let Some(d) = g.after(p.period.end()) {
                    push_after(d);
                }
            }
            if let Some(c) = p.cure_until {
                push_after(c);
            }
        }
    }
    for a in &state.relief {
        out.extend(a.until);
        out.extend(a.lifts);
    }
    for p in &state.phases {
        for u in &p.remains {
            if let Some(e) = u.earliest {
                out.push(e);
            }
        }
    }
    for e in &state.events {
        if let Some(d) = e.date {
            out.push(d);
        }
    }
    for d in &state.decisions {
        out.push(d.effective);
    }
    for t in &state.triggers {
        out.extend(t.until);
        out.extend(t.wind_down_until);
        out.extend(t.earliest);
        out.extend(t.awaiting.and_then(|d| d.tomorrow().ok()));
        out.extend(t.milestones.iter().map(|m| m.due));
    }
    for m in &state.measures {
        out.extend(m.until);
        out.extend(m.next_review);
        out.extend(m.reminder);
        out.extend(m.sunset);
        // The day after a review: the next one comes up.
        if let Some(next) = m.next_review.and_then(|d| d.tomorrow().ok()) {
            out.push(next);
        }
    }
    for d in &state.disputes {
        out.extend(d.stages.iter().filter_map(|s| s.deadline));
    }
    for v in &state.versions {
        if let Some(e) = v.effective {
            out.push(e);
        }
    }
    out
}

/// A measure's status as the timeline shows it: with the day it ends, whether a snapback
/// can revive a terminated measure, and whether it is under review.
fn measure_status(m: &super::state::MeasureState) -> String {
    use super::state::MeasureStatus as S;
    let mut out = m.status.as_str().to_owned();
    match (m.status, m.until) {
        (S::Suspended | S::WindDown | S::ReliefScheduled, Some(u)) => {
            out.push_str(&format!(" until {u}"));
        }
        (S::Terminated, _) => out.push_str(&match (m.revivable, m.revivable_until) {
            (true, Some(u)) => format!(" (revivable until {u})"),
            (true, None) => " (revivable)".to_owned(),
            (false, _) => " (not revivable)".to_owned(),
        }),
        _ => {}
    }
    if m.under_review {
        out.push_str(", under review");
    }
    out
}

/// Subject → (status, reasons).
type Flat = BTreeMap<String, (String, Vec<Reason>)>;

/// The state as subject → (status, reasons).
fn flatten(state: &State) -> Flat {
    let mut m = BTreeMap::new();
    for v in &state.versions {
        m.insert(
            format!("version {}", v.version),
            (
                if v.in_force {
                    "in_force"
                } else {
                    "not_in_force"
                }
                .to_owned(),
                v.reasons.clone(),
            ),
        );
    }
    for i in &state.indicators {
        for r in &i.reviews {
            let late = if r.late { " (late)" } else { "" };
            m.insert(
                format!("indicator {} review {}", i.id, r.review),
                (format!("{}{late}", r.status.as_str()), r.reasons.clone()),
            );
        }
    }
    for c in &state.commitments {
        for r in &c.reviews {
            m.insert(
                format!("commitment {} review {}", c.id, r.review),
                (
                    super::derive::phases_status_name(r.status).to_owned(),
                    r.reasons.clone(),
                ),
            );
        }
    }
    for p in &state.phases {
        let status = match p.entered {
            Some(d) => format!("reached on {d}"),
            None => "not_reached".to_owned(),
        };
        m.insert(format!("phase {}", p.id), (status, p.reasons.clone()));
    }
    for a in &state.relief {
        let until = a.until.map_or(String::new(), |u| format!(" until {u}"));
        m.insert(
            format!("relief {}", a.id),
            (format!("{}{until}", a.status.as_str()), a.reasons.clone()),
        );
    }
    for measure in &state.measures {
        m.insert(
            format!("measure {}", measure.measure),
            (measure_status(measure), measure.reasons.clone()),
        );
    }
    for e in &state.exemptions {
        m.insert(
            format!("exemption {}", e.id),
            ("in_force".to_owned(), e.reasons.clone()),
        );
    }
    for e in &state.events {
        if let Some(d) = e.date {
            m.insert(
                format!("event {}", e.id),
                (d.to_string(), e.reasons.clone()),
            );
        }
    }
    decisions_triggers_disputes(state, &mut m);
    signals(state, &mut m);
    for r in &state.rejected {
        m.insert(
            format!("entry {}", r.entry),
            (
                "rejected".to_owned(),
                vec![Reason::with_entries(
                    super::state::Rule::EntryRejected,
                    r.reason.clone(),
                    vec![r.entry],
                )],
            ),
        );
    }
    m
}

/// Decisions, triggers and disputes as the timeline names them.
fn decisions_triggers_disputes(state: &State, m: &mut Flat) {
    for d in &state.decisions {
        let base = if d.departure {
            "departure"
        } else {
            "follows_evaluation"
        };
        let open = |id: &crate::id::DisputeId| {
            state
                .disputes
                .iter()
                .any(|x| &x.id == id && x.status == DisputeStatus::Open)
        };
        let status = match &d.disputed_by {
            Some(id) if d.set_aside => format!("{base}, set aside by {id}"),
            Some(id) if open(id) => format!("{base}, disputed in {id}"),
            _ => base.to_owned(),
        };
        m.insert(format!("decision {}", d.entry), (status, d.reasons.clone()));
    }
    for t in &state.triggers {
        let when = match t.status {
            TriggerStatus::Fired => t.fired.map(|f| format!(" on {f}")),
            TriggerStatus::CountingDown => t.until.map(|u| format!(" until {u}")),
            TriggerStatus::Paused => t.remaining.map(|n| format!(" with {n} day(s) remaining")),
            _ => t.rearmed.map(|r| format!(" (re-armed on {r})")),
        }
        .unwrap_or_default();
        m.insert(
            format!("trigger {}", t.id),
            (format!("{}{when}", t.status), t.reasons.clone()),
        );
    }
    for d in &state.disputes {
        let stage = d
            .stage
            .as_ref()
            .map_or(String::new(), |s| format!(" at {s}"));
        // Resolved with no outcome: an overdue escalation closed by the report it awaited.
        let none = if d.status == DisputeStatus::Resolved {
            " (report received)"
        } else {
            ""
        };
        let outcome = d.outcome.map_or(none.to_owned(), |o| {
            format!(
                " ({}{})",
                match o {
                    crate::statement::DisputeOutcome::Upheld => "upheld",
                    crate::statement::DisputeOutcome::Overturned => "overturned",
                    crate::statement::DisputeOutcome::Settled => "settled",
                },
                if d.contested { ", contested" } else { "" }
            )
        });
        m.insert(
            format!("dispute {}", d.id),
            (format!("{}{stage}{outcome}", d.status), d.reasons.clone()),
        );
    }
}

/// Risk signals and recommendations as the timeline names them.
fn signals(state: &State, m: &mut Flat) {
    for s in &state.signals {
        let kind = match s.kind {
            crate::statement::SignalKind::Risk => "risk signal",
            crate::statement::SignalKind::Recommendation => "recommendation",
        };
        let about = s
            .subject
            .as_ref()
            .map_or(String::new(), |x| format!(" on {x}"));
        m.insert(
            format!("signal {}", s.entry),
            (
                format!("{kind}{about}"),
                vec![Reason::with_entries(
                    super::state::Rule::Signal,
                    s.text.clone(),
                    vec![s.entry],
                )],
            ),
        );
    }
}
