//! Disputes: stages, deadlines, extensions, escalation, resolution, positions, and the
//! effect of each dispute on the finding it contests.
//!
//! Each dispute is walked through its recorded steps in log order, with the clock advanced
//! to each step's record date first. Date conventions (DESIGN §4, `docs/state-json.md`):
//! a stage that begins on `B` with deadline `D = B + deadline` runs until `D` exclusive —
//! a step recorded on `D` is too late for it; if the stage is still running at `D`, it
//! *runs out* on `D` and its `next` stage (with that stage's `parallel` ones) begins on
//! `D`. A dispute whose running stages have all run out with no `next` is *exhausted* on
//! the last deadline: the decision is the authority's.
//!
//! Standing: only parties (not observers) take dispute steps; a dispute is opened by a
//! party in the process's `standing` (every party when empty), escalated from a stage by a
//! party in that stage's `standing` (every party when empty), extended by consent of every
//! party (each records the same extension; it takes effect when the last one does, before
//! the deadline), withdrawn only by who opened it, and resolved by an authority (one party
//! alone cannot set a finding aside; the others record their positions). A step after resolution or
//! withdrawal is rejected with the date the dispute closed; a position is recorded only on
//! an outcome.
//!
//! Overdue escalations: for an indicator of the governing version whose overdue policy is
//! `escalate = STAGE`, a reporting period whose grace ends on `G` with no report recorded
//! on it by the end of `G` (under the cut) opens a dispute by itself on `G + 1`, at
//! `STAGE`, named [`overdue_id`] (`overdue-<indicator>-<period start>`), with no opener: a
//! party cannot open a dispute under that name, nobody can withdraw it, and it otherwise
//! runs like any dispute (deadlines, `next`, exhaustion, extensions, escalation, an
//! authority's resolution, positions). When the first report on the period is recorded,
//! the dispute is `resolved` that day (no outcome; reason `dispute.report_received`), if it
//! was still open or exhausted. It freezes nothing: the overdue status counts as the
//! policy says; `dispute(C)` conditions over the indicator's commitment see it. The report
//! is found in the log directly (not from the indicator statuses, which are derived after
//! the disputes): a period has a report when an observation filed under it, not observing
//! from before it, is recorded under the cut — the earliest such recording is the day it
//! came, provided one of them still counts (is not superseded or retracted under the cut).
//!
//! Disputed decisions: a dispute over an authority's decision entry leaves the decision in
//! effect while it is open, whatever `while_open` says — that setting is about monitors'
//! findings, and an authority's act is not suspended by a complaint. Overturned, the
//! decision is set aside from the day of the resolution ([`DecisionDispute`]); upheld,
//! settled, exhausted or withdrawn, it stands. A dispute over an entry that is neither
//! evidence nor a decision is recorded and has no effect.
//!
//! INVARIANT: only entries alive under the cut are read, and the clock is never advanced
//! past the evaluation date.

use std::collections::BTreeMap;

use crate::id::{CommitmentId, DisputeId, IndicatorId, ParticipantId, StageId};
use crate::rule::DisputeState as RuleDispute;
use crate::statement::{DisputeAction, DisputeOutcome, Finding, LogIndex, Statement};
use crate::time::{Date, Period};

use super::super::ingest::OtherEntry;
use super::super::state::{
    DisputeEffect, DisputeState, IndicatorStatus, Reason, ReportingPeriodState, Rule,
};
use super::Key;
use super::calendar::Versions;

mod conclude;
mod escalation;
mod walk;

use escalation::{Escalation, reserved_for};
use walk::{Env, Walk};

/// A disputed finding on an indicator's reporting periods, and the dispute's effect on it.
#[derive(Debug, Clone)]
pub(crate) struct FindingEffect {
    pub indicator: IndicatorId,
    /// The reporting periods overlapping this span are concerned.
    pub span: Period,
    pub effect: DisputeEffect,
    /// For a finding that was frozen and now counts: the date it took effect (the dispute
    /// closed), which becomes the date the finding is known by for phases and triggers.
    pub effective_from: Option<Date>,
    /// The dispute's steps, for reasons.
    pub entries: Vec<LogIndex>,
    /// In words, for the indicator's reasons.
    pub detail: String,
    /// Whether it decides how the finding counts (its reason then comes first).
    pub decisive: bool,
}

/// Where a disputed decision stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Standing {
    /// A dispute over it is open: it stays in effect meanwhile.
    Open,
    /// Overturned on that date: from then on it no longer applies.
    SetAside(Date),
    /// Upheld, settled, exhausted or withdrawn (in words, with the date): it stands.
    Stands(String),
}

/// The dispute that decides where a disputed decision stands.
#[derive(Debug, Clone)]
pub(crate) struct DecisionDispute {
    pub dispute: DisputeId,
    pub opened: Date,
    pub standing: Standing,
    /// The dispute's steps, for reasons.
    pub steps: Vec<LogIndex>,
}

/// What an overdue escalation adds to the overdue reporting period's reason.
#[derive(Debug, Clone)]
pub(crate) struct OverdueNote {
    pub indicator: IndicatorId,
    pub start: Date,
    pub detail: String,
    pub entries: Vec<LogIndex>,
}

/// Everything the rest of the derivation needs from the disputes.
#[derive(Debug, Clone, Default)]
pub(crate) struct Disputes {
    pub states: Vec<DisputeState>,
    pub findings: Vec<FindingEffect>,
    /// Per decision entry disputed, the dispute that decides where it stands.
    pub decisions: BTreeMap<LogIndex, DecisionDispute>,
    /// The disputes opened by `escalate` overdue policies, per reporting period.
    pub overdue: Vec<OverdueNote>,
    /// The latest date each stage began, in any dispute (for `stage(...)` date rules).
    pub stage_began: BTreeMap<StageId, Date>,
    /// Per commitment, the dispute state over its findings and the date it was reached
    /// (for `dispute(...)` conditions).
    pub by_commitment: BTreeMap<CommitmentId, (RuleDispute, Date)>,
    pub rejected: Vec<(u64, String)>,
    /// Periods of the governing version's `escalate` indicators found reported in time,
    /// with the stamp of their cached cell: (indicator, period start, stamp).
    pub reported: Vec<(usize, Date, u64)>,
}

/// One thing that happens to the disputes, in log order.
enum Item<'a> {
    /// The overdue policy opens a dispute (at the start of the day after the grace).
    Opened(&'a Escalation<'a>),
    /// A party's step.
    Step(&'a OtherEntry),
    /// The report an overdue escalation waits for is recorded.
    Report(&'a Escalation<'a>, Key, LogIndex),
}

/// The disputes walked so far, each findable by id without scanning them all (the
/// benchmark in `benches/snapback.rs` showed the scan grow as disputes × steps); the ids
/// borrowed from the escalations and the log, not copied.
#[derive(Default)]
struct Walks<'a> {
    list: Vec<Walk>,
    by_id: BTreeMap<&'a DisputeId, usize>,
}

impl<'a> Walks<'a> {
    fn get(&self, id: &DisputeId) -> Option<&Walk> {
        self.by_id.get(id).and_then(|&i| self.list.get(i))
    }

    fn get_mut(&mut self, id: &DisputeId) -> Option<&mut Walk> {
        self.by_id.get(id).and_then(|&i| self.list.get_mut(i))
    }

    /// Adds `w`, found by `id` (its id).
    fn push(&mut self, id: &'a DisputeId, w: Walk) {
        self.by_id.insert(id, self.list.len());
        self.list.push(w);
    }
}

/// Walks every dispute recorded under the cut, as of the evaluation date.
///
/// Reporting periods of `escalate` indicators are computed from the governing version's
/// events.
pub(crate) fn disputes(versions: &Versions<'_>) -> Disputes {
    let mut out = Disputes::default();
    let Some(agreement) = versions.agreement() else {
        return out;
    };
    let env = Env {
        versions,
        agreement,
    };
    let mut walks = Walks::default();
    let escalations = escalation::escalations(versions, agreement, &mut out.reported);
    // Parties' steps and the overdue policy's openings and closings, in log order; an
    // opening comes after everything recorded on the last day of grace and before anything
    // recorded the day after.
    let mut items: Vec<(Key, Item<'_>)> = Vec::new();
    for e in &escalations {
        items.push((
            (versions.core.days.end_of(e.grace_end), u64::MAX),
            Item::Opened(e),
        ));
        if let Some((key, index)) = e.report {
            items.push((key, Item::Report(e, key, index)));
        }
    }
    for o in &versions.core.others {
        if matches!(o.statement, Statement::DisputeStep(_)) && versions.alive(o.key, o.index) {
            items.push((o.key, Item::Step(o)));
        }
    }
    items.sort_by_key(|(key, _)| *key);
    for (_, item) in items {
        match item {
            Item::Opened(e) => {
                if walks.get(&e.id).is_none() {
                    walks.push(&e.id, Walk::overdue(agreement, e, versions.explain));
                }
            }
            Item::Report(e, key, index) => {
                if let Some(w) = walks.get_mut(&e.id) {
                    w.report_received(agreement, versions.core.day(key.0), index);
                }
            }
            Item::Step(o) => {
                if let Err(why) = step(&env, &mut walks, o) {
                    out.rejected.push((o.index.0, why));
                }
            }
        }
    }
    for w in walks.list {
        conclude::conclude(&env, w, &mut out);
    }
    out.states.sort_by(|a, b| a.id.cmp(&b.id));
    out
}

/// One party's dispute step: `Err` with the reason when it does not count.
fn step<'a>(env: &Env<'_>, walks: &mut Walks<'a>, o: &'a OtherEntry) -> Result<(), String> {
    let Statement::DisputeStep(step) = &o.statement else {
        return Ok(());
    };
    if let Some(p) = o.authors.iter().find(|a| !env.is_party(a)) {
        return Err(format!(
            "`{p}` is not a party taking part in the agreement: only parties take dispute steps"
        ));
    }
    let day = o.day;
    if let Some(why) = o
        .authors
        .iter()
        .find_map(|a| env.versions.participants.why_not(a, day))
    {
        return Err(why);
    }
    let agreement = env.agreement;
    if let DisputeAction::Open {
        finding,
        stage,
        reason,
    } = &step.step
    {
        if let Some(indicator) = reserved_for(agreement, &step.dispute) {
            return Err(format!(
                "`{}` is the name of the dispute the agreement's overdue policy opens when a report on `{indicator}` is overdue: a party cannot open a dispute under it; take steps on that dispute once it is open, or open a new dispute under another name",
                step.dispute
            ));
        }
        if let Some(w) = walks.get(&step.dispute) {
            return Err(format!(
                "dispute `{}` was already opened on {}; open a new dispute under another name",
                step.dispute, w.opened
            ));
        }
        walks.push(
            &step.dispute,
            Walk::open(env, o, &step.dispute, finding, stage, reason)?,
        );
        return Ok(());
    }
    let Some(w) = walks.get_mut(&step.dispute) else {
        return Err(match reserved_for(agreement, &step.dispute) {
            Some(indicator) => format!(
                "dispute `{}` is not open: the agreement's overdue policy opens it only once the report on `{indicator}` for that period is overdue",
                step.dispute
            ),
            None => format!("dispute `{}` was never opened", step.dispute),
        });
    };
    w.advance(agreement, o.day);
    match &step.step {
        DisputeAction::Open { .. } => Ok(()),
        DisputeAction::Escalate { to } => w.escalate(env, o, to),
        DisputeAction::Extend { stage, until } => w.extend(env, o, stage, *until),
        DisputeAction::Resolve { outcome, note } => w.resolve(env, o, *outcome, note),
        DisputeAction::Position { accepts, view } => w.position(o, *accepts, view),
        DisputeAction::Withdraw => w.withdraw(o),
    }
}

fn outcome_name(o: DisputeOutcome) -> &'static str {
    match o {
        DisputeOutcome::Upheld => "upheld",
        DisputeOutcome::Overturned => "overturned",
        DisputeOutcome::Settled => "settled",
    }
}

fn finding_text(f: &Finding) -> String {
    match f {
        Finding::Indicator { indicator, period } => {
            format!("the finding on `{indicator}` for {period}")
        }
        Finding::Entry { index } => format!("entry {index}"),
    }
}

fn names(ids: &[ParticipantId]) -> String {
    ids.iter()
        .map(|p| format!("`{p}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Applies the disputes' effects to an indicator's reporting periods: reasons on every
/// period concerned; `frozen` where the finding's effect is taken away; and, on a period
/// overdue under an `escalate` policy, the dispute it opened, named in the overdue reason.
/// The reasons are left out unless `explain`.
pub(crate) fn apply(
    disputes: &Disputes,
    indicator: &IndicatorId,
    periods: &mut [ReportingPeriodState],
    explain: bool,
) {
    use IndicatorStatus as S;
    for f in disputes
        .findings
        .iter()
        .filter(|f| &f.indicator == indicator)
    {
        for p in periods.iter_mut() {
            if p.period.start() > f.span.end() || p.period.end() < f.span.start() {
                continue;
            }
            let finding = matches!(p.status, S::Compliant | S::Noncompliant | S::Contested);
            if f.effect.takes_effect_away() && finding {
                p.frozen = true;
            }
            // Frozen until the dispute closed: it has its effect from then on.
            if let Some(from) = f.effective_from
                && finding
            {
                p.known = p.known.max(Some(from));
            }
            if !explain {
                continue;
            }
            let reason = Reason::with_entries(
                if f.effect.takes_effect_away() {
                    Rule::DisputeFrozen
                } else {
                    Rule::DisputeFinding
                },
                f.detail.clone(),
                f.entries.clone(),
            );
            if f.decisive {
                // First: it is what decides how the finding counts.
                p.reasons.insert(0, reason);
            } else {
                p.reasons.push(reason);
            }
        }
    }
    if !explain {
        return;
    }
    for note in disputes
        .overdue
        .iter()
        .filter(|n| &n.indicator == indicator)
    {
        for p in periods
            .iter_mut()
            .filter(|p| p.period.start() == note.start && p.status == S::Overdue)
        {
            for r in p
                .reasons
                .iter_mut()
                .filter(|r| r.rule == Rule::IndicatorOverdue)
            {
                let mut entries = r.entries.clone();
                entries.extend(note.entries.iter().copied());
                *r = Reason::with_entries(
                    Rule::IndicatorOverdue,
                    format!("{}: {}", r.detail, note.detail),
                    entries,
                );
            }
        }
    }
}
