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

use std::collections::{BTreeMap, BTreeSet};

use crate::agreement::{Agreement, Extension, OverduePolicy, PartyRole, WhileOpen};
use crate::id::{CommitmentId, DisputeId, IndicatorId, ParticipantId, StageId};
use crate::rule::DisputeState as RuleDispute;
use crate::statement::{
    DisputeAction, DisputeOutcome, Finding, LogIndex, Statement, StatementKind,
};
use crate::time::{Date, Period};

use super::super::end_of_day;
use super::super::ingest::{Core, MAX_KEY, MIN_KEY, OtherEntry, Role};
use super::super::state::{DisputeState, PositionState, Reason, StageRun};
use super::{Anchors, Key, date_of};

/// What a dispute does to the finding it contests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Effect {
    /// Open, `freeze_finding`: the finding has no effect until the dispute closes.
    Frozen,
    /// Open, `finding_stands`.
    Stands,
    /// Overturned: the finding is set aside.
    SetAside,
    /// Upheld, settled, exhausted or withdrawn: the finding has its effect.
    Counts,
}

impl Effect {
    fn name(self) -> &'static str {
        match self {
            Effect::Frozen => "frozen",
            Effect::Stands => "finding_stands",
            Effect::SetAside => "set_aside",
            Effect::Counts => "counts",
        }
    }

    /// Whether the finding's effect is taken away.
    pub fn takes_effect_away(self) -> bool {
        matches!(self, Effect::Frozen | Effect::SetAside)
    }
}

/// A disputed finding on an indicator's reporting periods, and the dispute's effect on it.
#[derive(Debug, Clone)]
pub(crate) struct FindingEffect {
    pub indicator: IndicatorId,
    /// The reporting periods overlapping this span are concerned.
    pub span: Period,
    pub effect: Effect,
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
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    Open,
    Exhausted(Date),
    Resolved(Date, DisputeOutcome),
    Withdrawn(Date),
    /// An overdue escalation closed by the report it was waiting for.
    ReportReceived(Date),
}

impl Status {
    /// Whether a step may still change the dispute's course (a resolution may still come
    /// once it is exhausted).
    fn closed(self) -> bool {
        matches!(
            self,
            Status::Resolved(..) | Status::Withdrawn(_) | Status::ReportReceived(_)
        )
    }
}

/// Who opened a dispute.
#[derive(Debug, Clone)]
enum Origin {
    /// A party, by a recorded step.
    Party,
    /// The agreement's overdue policy, for a reporting period of an indicator.
    Overdue {
        indicator: IndicatorId,
        period: Period,
    },
}

/// What a dispute's finding is, once looked up.
enum Target {
    /// An indicator's reporting periods overlapping a span.
    Indicator(IndicatorId, Period),
    /// An authority's decision.
    Decision(LogIndex),
    /// Another kind of entry (its kind in words).
    Other(LogIndex, &'static str),
}

/// The dispute an `escalate` overdue policy opens for one reporting period.
struct Escalation {
    id: DisputeId,
    indicator: IndicatorId,
    period: Period,
    stage: StageId,
    grace_end: Date,
    /// The first report on the period, when one counts under the cut: it closes the dispute.
    report: Option<(Key, LogIndex)>,
}

/// One thing that happens to the disputes, in log order.
enum Item<'a> {
    /// The overdue policy opens a dispute (at the start of the day after the grace).
    Opened(&'a Escalation),
    /// A party's step.
    Step(&'a OtherEntry),
    /// The report an overdue escalation waits for is recorded.
    Report(&'a Escalation, Key, LogIndex),
}

/// The name of the dispute the overdue policy opens for the reporting period of the
/// indicator (at position `position` in the agreement) that starts on `start`:
/// `overdue-<indicator>-<start>`, or, when that would exceed the 64 bytes an identifier
/// may have, `overdue.<first 38 bytes of the indicator>.<position>-<start>`. The short form
/// begins `overdue.` where the full form begins `overdue-`, so the two can never name the
/// same dispute, whatever the other indicators are called.
pub(crate) fn overdue_id(
    indicator: &IndicatorId,
    position: usize,
    start: Date,
) -> Option<DisputeId> {
    let full = format!("overdue-{indicator}-{start}");
    if full.len() <= 64 {
        return DisputeId::new(full).ok();
    }
    let id = indicator.as_str();
    let head = id.get(..38).unwrap_or(id);
    DisputeId::new(format!("overdue.{head}.{position}-{start}")).ok()
}

/// The indicator whose overdue policy names its disputes like `id`, if any.
fn reserved_for<'a>(agreement: &'a Agreement, id: &DisputeId) -> Option<&'a IndicatorId> {
    let rest = id
        .as_str()
        .strip_prefix("overdue-")
        .or_else(|| id.as_str().strip_prefix("overdue."))?;
    let split = rest.len().checked_sub(10)?;
    let start: Date = rest.get(split..)?.parse().ok()?;
    agreement
        .indicators
        .iter()
        .enumerate()
        .filter(|(_, i)| matches!(i.overdue, OverduePolicy::Escalate { .. }))
        .find(|(n, i)| overdue_id(&i.id, *n, start).is_some_and(|o| &o == id))
        .map(|(_, i)| &i.id)
}

/// The reporting periods of the governing version's `escalate` indicators whose grace has
/// ended by `date` with no report by then.
fn escalations(
    core: &Core,
    agreement: &Agreement,
    current: usize,
    anchors: &Anchors,
    cut: Key,
    date: Date,
) -> Vec<Escalation> {
    let mut out = Vec::new();
    let Some(lens) = core.lenses.get(current) else {
        return out;
    };
    for (n, (indicator, lind)) in agreement
        .indicators
        .iter()
        .zip(&lens.indicators)
        .enumerate()
    {
        let OverduePolicy::Escalate { stage } = &indicator.overdue else {
            continue;
        };
        if !agreement.disputes.stages.iter().any(|s| &s.id == stage) {
            continue;
        }
        // Only events anchor it here: a start depending on a dispute stage would depend on
        // the disputes it opens.
        let Some(start) = anchors.resolve(&indicator.starts) else {
            continue;
        };
        for period in super::periods(start, indicator.cadence, date) {
            let Some(grace_end) = indicator.grace.after(period.end()) else {
                continue;
            };
            if grace_end >= date {
                continue;
            }
            let (mut first, mut counts) = (None::<(Key, u64)>, false);
            for (&(_, key), obs) in lind
                .obs
                .range((period.start(), MIN_KEY)..=(period.end(), MAX_KEY))
            {
                // Observing from before the period, it is not a report on it (the quorum
                // ignores it too).
                if key > cut || obs.start < period.start() {
                    continue;
                }
                if first.is_none_or(|(k, _)| key < k) {
                    first = Some((key, obs.index));
                }
                counts |= obs.killed_by.is_none_or(|k| k > cut);
            }
            let report = match first {
                Some((key, _)) if counts && date_of(key.0) <= grace_end => continue,
                Some((key, index)) if counts => Some((key, LogIndex(index))),
                _ => None,
            };
            let Some(id) = overdue_id(&indicator.id, n, period.start()) else {
                continue;
            };
            out.push(Escalation {
                id,
                indicator: indicator.id.clone(),
                period,
                stage: stage.clone(),
                grace_end,
                report,
            });
        }
    }
    out
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
    }
}

struct Run {
    stage: StageId,
    parallel: bool,
    began: Date,
    /// The deadline as the agreement sets it, before extensions.
    base: Option<Date>,
    deadline: Option<Date>,
    status: &'static str,
    ended: Option<Date>,
    /// Extensions proposed: new deadline → who consented so far.
    consents: BTreeMap<Option<Date>, BTreeSet<ParticipantId>>,
}

struct Walk {
    id: DisputeId,
    origin: Origin,
    finding: Finding,
    opened_by: Vec<ParticipantId>,
    opened: Date,
    runs: Vec<Run>,
    status: Status,
    positions: BTreeMap<ParticipantId, (bool, String, LogIndex)>,
    steps: Vec<LogIndex>,
    reasons: Vec<Reason>,
}

/// The lookups the walk needs.
struct Env<'a> {
    core: &'a Core,
    agreement: &'a Agreement,
    current: usize,
    cut: Key,
}

impl Env<'_> {
    fn role_of(&self, id: &ParticipantId) -> Role {
        match (
            self.core.lenses.get(self.current),
            self.core.names.participants.get(id.as_str()),
        ) {
            (Some(lens), Some(&n)) => lens.roles.get(n as usize).cloned().unwrap_or(Role::Unknown),
            _ => Role::Unknown,
        }
    }

    fn is_party(&self, id: &ParticipantId) -> bool {
        matches!(self.role_of(id), Role::Party(r) if r != PartyRole::Observer)
    }

    /// Every party that takes part (not observers): whose consent an extension needs.
    fn parties(&self) -> BTreeSet<ParticipantId> {
        self.agreement
            .parties
            .iter()
            .filter(|p| p.role != PartyRole::Observer)
            .map(|p| p.id.clone())
            .collect()
    }

    fn alive(&self, key: Key, index: LogIndex) -> bool {
        key <= self.cut
            && self
                .core
                .entries
                .get(&index.0)
                .and_then(|r| r.killed_by)
                .is_none_or(|k| k > self.cut)
    }
}

fn names(ids: &[ParticipantId]) -> String {
    ids.iter()
        .map(|p| format!("`{p}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Walk {
    /// Begins a stage on `date`, with the stages that run beside it.
    fn begin(
        &mut self,
        agreement: &Agreement,
        stage: &StageId,
        date: Date,
        index: Option<LogIndex>,
    ) {
        let Some(s) = agreement.disputes.stages.iter().find(|s| &s.id == stage) else {
            return;
        };
        let mut list = vec![(s, false)];
        for p in &s.parallel {
            if let Some(ps) = agreement.disputes.stages.iter().find(|x| &x.id == p) {
                list.push((ps, true));
            }
        }
        for (s, parallel) in list {
            if self
                .runs
                .iter()
                .any(|r| r.stage == s.id && r.status == "running")
            {
                continue;
            }
            let deadline = s.deadline.after(date);
            self.runs.push(Run {
                stage: s.id.clone(),
                parallel,
                began: date,
                base: deadline,
                deadline,
                status: "running",
                ended: None,
                consents: BTreeMap::new(),
            });
            let detail = format!(
                "stage `{}` ({}) began on {date}{}; deadline {}",
                s.id,
                s.title,
                if parallel { ", in parallel" } else { "" },
                deadline.map_or("unknown".to_owned(), |d| d.to_string())
            );
            self.reasons.push(Reason::with_entries(
                "dispute.stage",
                detail,
                index.into_iter().collect(),
            ));
        }
    }

    /// Runs the clock to `to`: stages whose deadline has come run out, and the dispute
    /// moves to their `next` stage, or is exhausted when none is left.
    fn advance(&mut self, agreement: &Agreement, to: Date) {
        if self.status != Status::Open {
            return;
        }
        // Bounded: each round ends one run; a process cannot begin more runs than this.
        for _ in 0..10_000 {
            let due = self
                .runs
                .iter()
                .enumerate()
                .filter(|(_, r)| r.status == "running")
                .filter_map(|(i, r)| r.deadline.filter(|d| *d <= to).map(|d| (d, i)))
                .min();
            let Some((deadline, i)) = due else { break };
            let Some(run) = self.runs.get_mut(i) else {
                break;
            };
            run.status = "ran_out";
            run.ended = Some(deadline);
            let stage = run.stage.clone();
            let next = agreement
                .disputes
                .stages
                .iter()
                .find(|s| s.id == stage)
                .and_then(|s| s.next.clone());
            self.reasons.push(Reason::rule(
                "dispute.deadline",
                match &next {
                    Some(n) => format!(
                        "stage `{stage}` ran out unresolved on {deadline}: escalated to `{n}`"
                    ),
                    None => format!("stage `{stage}` ran out unresolved on {deadline}"),
                },
            ));
            if let Some(n) = next {
                self.begin(agreement, &n, deadline, None);
            }
            if !self.runs.iter().any(|r| r.status == "running") {
                self.status = Status::Exhausted(deadline);
                self.reasons.push(Reason::rule(
                    "dispute.exhausted",
                    format!(
                        "every stage ran out unresolved by {deadline}: the decision is the authority's"
                    ),
                ));
                break;
            }
        }
    }

    fn close_runs(&mut self, date: Date) {
        for r in &mut self.runs {
            if r.status == "running" {
                r.status = "closed";
                r.ended = Some(date);
            }
        }
    }

    fn closed_text(&self) -> Option<String> {
        match self.status {
            Status::Open => None,
            Status::Exhausted(d) => Some(format!(
                "every stage of dispute `{}` ran out on {d}: the decision is the authority's",
                self.id
            )),
            Status::Resolved(d, _) => Some(format!(
                "dispute `{}` was resolved on {d}; no step but a party's position counts after resolution",
                self.id
            )),
            Status::Withdrawn(d) => Some(format!(
                "dispute `{}` was withdrawn on {d}; no step counts after withdrawal",
                self.id
            )),
            Status::ReportReceived(d) => Some(format!(
                "dispute `{}` closed on {d}, when the report it was opened over was recorded; no step counts after it",
                self.id
            )),
        }
    }

    /// Closes an overdue escalation when its report is recorded (if nothing closed it
    /// before).
    fn report_received(&mut self, agreement: &Agreement, key: Key, index: LogIndex) {
        let day = date_of(key.0);
        self.advance(agreement, day);
        if self.status.closed() {
            return;
        }
        self.close_runs(day);
        self.status = Status::ReportReceived(day);
        let (indicator, period) = match &self.origin {
            Origin::Overdue { indicator, period } => (indicator.to_string(), period.to_string()),
            Origin::Party => return,
        };
        self.reasons.push(Reason::with_entries(
            "dispute.report_received",
            format!(
                "closed on {day}: the report on `{indicator}` for {period} was recorded (entry {index})"
            ),
            vec![index],
        ));
    }
}

/// Walks every dispute recorded under the cut, as of `date`.
///
/// `anchors` are the governing version's events (reporting periods of `escalate`
/// indicators are computed from them).
pub(crate) fn disputes(
    core: &Core,
    agreement: &Agreement,
    current: usize,
    anchors: &Anchors,
    cut: Key,
    date: Date,
) -> Disputes {
    let env = Env {
        core,
        agreement,
        current,
        cut,
    };
    let process = &agreement.disputes;
    let mut out = Disputes::default();
    let mut walks: Vec<Walk> = Vec::new();
    // Each dispute's position in `walks`: a step finds its dispute without scanning them all
    // (the benchmark in `benches/snapback.rs` showed the scan grow as disputes × steps).
    let mut by_id: BTreeMap<DisputeId, usize> = BTreeMap::new();
    let escalations = escalations(core, agreement, current, anchors, cut, date);
    // Parties' steps and the overdue policy's openings and closings, in log order; an
    // opening comes after everything recorded on the last day of grace and before anything
    // recorded the day after.
    let mut items: Vec<(Key, Item<'_>)> = Vec::new();
    for e in &escalations {
        items.push(((end_of_day(e.grace_end), u64::MAX), Item::Opened(e)));
        if let Some((key, index)) = e.report {
            items.push((key, Item::Report(e, key, index)));
        }
    }
    for o in &core.others {
        if matches!(o.statement, Statement::DisputeStep(_)) && env.alive(o.key, o.index) {
            items.push((o.key, Item::Step(o)));
        }
    }
    items.sort_by_key(|(key, _)| *key);
    for (_, item) in items {
        let o = match item {
            Item::Opened(e) => {
                if !by_id.contains_key(&e.id) {
                    by_id.insert(e.id.clone(), walks.len());
                    walks.push(open_overdue(agreement, e));
                }
                continue;
            }
            Item::Report(e, key, index) => {
                if let Some(w) = by_id.get(&e.id).and_then(|&i| walks.get_mut(i)) {
                    w.report_received(agreement, key, index);
                }
                continue;
            }
            Item::Step(o) => o,
        };
        let Statement::DisputeStep(step) = &o.statement else {
            continue;
        };
        let day = date_of(o.key.0);
        let reject = |out: &mut Disputes, why: String| out.rejected.push((o.index.0, why));
        if let Some(p) = o.authors.iter().find(|a| !env.is_party(a)) {
            reject(
                &mut out,
                format!(
                    "`{p}` is not a party taking part in the agreement: only parties take dispute steps"
                ),
            );
            continue;
        }
        let pos = by_id.get(&step.dispute).copied();
        if let DisputeAction::Open {
            finding,
            stage,
            reason,
        } = &step.step
        {
            if let Some(indicator) = reserved_for(agreement, &step.dispute) {
                reject(
                    &mut out,
                    format!(
                        "`{}` is the name of the dispute the agreement's overdue policy opens when a report on `{indicator}` is overdue: a party cannot open a dispute under it; take steps on that dispute once it is open, or open a new dispute under another name",
                        step.dispute
                    ),
                );
                continue;
            }
            if let Some(w) = pos.and_then(|i| walks.get(i)) {
                reject(
                    &mut out,
                    format!(
                        "dispute `{}` was already opened on {}; open a new dispute under another name",
                        step.dispute, w.opened
                    ),
                );
                continue;
            }
            if !process.standing.is_empty()
                && let Some(p) = o.authors.iter().find(|a| !process.standing.contains(a))
            {
                reject(
                    &mut out,
                    format!(
                        "`{p}` has no standing to open a dispute: only {} may",
                        names(&process.standing)
                    ),
                );
                continue;
            }
            if !process.stages.iter().any(|s| &s.id == stage) {
                reject(
                    &mut out,
                    format!("`{stage}` is not a stage of the agreement's dispute process"),
                );
                continue;
            }
            match finding {
                Finding::Indicator { indicator, .. }
                    if !agreement.indicators.iter().any(|i| &i.id == indicator) =>
                {
                    reject(
                        &mut out,
                        format!(
                            "disputes a finding on `{indicator}`, which is not an indicator of the agreement"
                        ),
                    );
                    continue;
                }
                Finding::Entry { index }
                    if core.entries.get(&index.0).is_none_or(|r| r.key >= o.key) =>
                {
                    reject(
                        &mut out,
                        format!("disputes entry {index}, which is not recorded before it"),
                    );
                    continue;
                }
                _ => {}
            }
            let mut w = Walk {
                id: step.dispute.clone(),
                origin: Origin::Party,
                finding: finding.clone(),
                opened_by: o.authors.clone(),
                opened: day,
                runs: Vec::new(),
                status: Status::Open,
                positions: BTreeMap::new(),
                steps: vec![o.index],
                reasons: vec![Reason::with_entries(
                    "dispute.opened",
                    format!(
                        "opened on {day} by {} against {}: {reason}",
                        names(&o.authors),
                        finding_text(finding)
                    ),
                    vec![o.index],
                )],
            };
            w.begin(agreement, stage, day, Some(o.index));
            by_id.insert(w.id.clone(), walks.len());
            walks.push(w);
            continue;
        }
        let Some(w) = pos.and_then(|i| walks.get_mut(i)) else {
            let why = match reserved_for(agreement, &step.dispute) {
                Some(indicator) => format!(
                    "dispute `{}` is not open: the agreement's overdue policy opens it only once the report on `{indicator}` for that period is overdue",
                    step.dispute
                ),
                None => format!("dispute `{}` was never opened", step.dispute),
            };
            reject(&mut out, why);
            continue;
        };
        w.advance(agreement, day);
        match &step.step {
            DisputeAction::Open { .. } => {}
            DisputeAction::Escalate { to } => {
                if let Some(why) = w.closed_text() {
                    reject(&mut out, format!("escalation refused: {why}"));
                    continue;
                }
                let from = w.runs.iter().position(|r| {
                    r.status == "running"
                        && process.stages.iter().any(|s| {
                            s.id == r.stage
                                && (s.next.as_ref() == Some(to) || s.alternatives.contains(to))
                        })
                });
                let Some(i) = from else {
                    let running: Vec<String> = w
                        .runs
                        .iter()
                        .filter(|r| r.status == "running")
                        .map(|r| format!("`{}`", r.stage))
                        .collect();
                    reject(
                        &mut out,
                        format!(
                            "`{to}` is neither the next stage nor an alternative of a running stage of dispute `{}` (running: {})",
                            w.id,
                            running.join(", ")
                        ),
                    );
                    continue;
                };
                let Some(run) = w.runs.get_mut(i) else {
                    continue;
                };
                let standing = process
                    .stages
                    .iter()
                    .find(|s| s.id == run.stage)
                    .map(|s| s.standing.clone())
                    .unwrap_or_default();
                if !standing.is_empty()
                    && let Some(p) = o.authors.iter().find(|a| !standing.contains(a))
                {
                    reject(
                        &mut out,
                        format!(
                            "`{p}` has no standing to escalate from stage `{}`: only {} may",
                            run.stage,
                            names(&standing)
                        ),
                    );
                    continue;
                }
                run.status = "escalated";
                run.ended = Some(day);
                let from_stage = run.stage.clone();
                w.steps.push(o.index);
                w.reasons.push(Reason::with_entries(
                    "dispute.escalated",
                    format!(
                        "escalated from `{from_stage}` to `{to}` on {day} by {}",
                        names(&o.authors)
                    ),
                    vec![o.index],
                ));
                w.begin(agreement, to, day, Some(o.index));
            }
            DisputeAction::Extend { stage, until } => {
                if let Some(why) = w.closed_text() {
                    reject(&mut out, format!("extension refused: {why}"));
                    continue;
                }
                let Some(s) = process.stages.iter().find(|s| &s.id == stage) else {
                    reject(
                        &mut out,
                        format!("`{stage}` is not a stage of the agreement's dispute process"),
                    );
                    continue;
                };
                let Some(run) = w
                    .runs
                    .iter_mut()
                    .find(|r| &r.stage == stage && r.status == "running")
                else {
                    reject(
                        &mut out,
                        format!(
                            "stage `{stage}` of dispute `{}` is not running: only a running stage is extended",
                            w.id
                        ),
                    );
                    continue;
                };
                let limit = match &s.extension {
                    Extension::None => {
                        reject(
                            &mut out,
                            format!("stage `{stage}` cannot be extended (extension: none)"),
                        );
                        continue;
                    }
                    Extension::ByConsent { max } => max.map(|m| run.base.and_then(|b| m.after(b))),
                };
                let too_far = match (limit, until) {
                    (None, _) => None,
                    (Some(Some(l)), Some(u)) if *u <= l => None,
                    (Some(l), _) => Some(l),
                };
                if let Some(l) = too_far {
                    reject(
                        &mut out,
                        format!(
                            "stage `{stage}` may be extended by consent until {} at the latest, not {}",
                            l.map_or("?".to_owned(), |d| d.to_string()),
                            until.map_or("open-endedly".to_owned(), |d| d.to_string())
                        ),
                    );
                    continue;
                }
                if let (Some(u), Some(dl)) = (until, run.deadline)
                    && *u <= dl
                {
                    reject(
                        &mut out,
                        format!(
                            "an extension of stage `{stage}` must end after its deadline {dl}, not on {u}"
                        ),
                    );
                    continue;
                }
                let consented = run.consents.entry(*until).or_default();
                consented.extend(o.authors.iter().cloned());
                let all = env.parties();
                w.steps.push(o.index);
                if all.is_subset(consented) {
                    run.deadline = *until;
                    run.consents.clear();
                    w.reasons.push(Reason::with_entries(
                        "dispute.extension",
                        match until {
                            Some(u) => format!(
                                "stage `{stage}` extended by consent of every party until {u} (agreed on {day})"
                            ),
                            None => format!(
                                "stage `{stage}` extended open-endedly by consent of every party (agreed on {day}): no deadline"
                            ),
                        },
                        vec![o.index],
                    ));
                } else {
                    let missing: Vec<ParticipantId> = all.difference(consented).cloned().collect();
                    w.reasons.push(Reason::with_entries(
                        "dispute.extension",
                        format!(
                            "extension of stage `{stage}` {} proposed on {day} by {}; awaiting the consent of {}",
                            until.map_or("open-endedly".to_owned(), |u| format!("until {u}")),
                            names(&o.authors),
                            names(&missing)
                        ),
                        vec![o.index],
                    ));
                }
            }
            DisputeAction::Resolve { outcome, note } => {
                if w.status.closed() {
                    let why = w.closed_text().unwrap_or_default();
                    reject(&mut out, format!("resolution refused: {why}"));
                    continue;
                }
                // One party alone must not be able to set a finding aside: the outcome is
                // recorded by who the agreement names, together (`resolved_by`), else by
                // an authority; the others record their positions on it.
                if !process.resolved_by.is_empty() {
                    let missing: Vec<ParticipantId> = process
                        .resolved_by
                        .iter()
                        .filter(|p| !o.authors.contains(p))
                        .cloned()
                        .collect();
                    let outsider = o.authors.iter().find(|a| !process.resolved_by.contains(a));
                    if !missing.is_empty() || outsider.is_some() {
                        reject(
                            &mut out,
                            format!(
                                "the outcome of dispute `{}` is recorded by {} together, in one entry signed by each{}; other parties record a position on it",
                                w.id,
                                names(&process.resolved_by),
                                match outsider {
                                    Some(p) => format!(" (`{p}` is not one of them)"),
                                    None => format!(" (missing: {})", names(&missing)),
                                }
                            ),
                        );
                        continue;
                    }
                } else if let Some(p) = o
                    .authors
                    .iter()
                    .find(|a| env.role_of(a) != Role::Party(PartyRole::Authority))
                {
                    reject(
                        &mut out,
                        format!(
                            "`{p}` is not an authority of the agreement: only an authority records the outcome of dispute `{}`; other parties record a position on it",
                            w.id
                        ),
                    );
                    continue;
                }
                w.close_runs(day);
                w.status = Status::Resolved(day, *outcome);
                w.steps.push(o.index);
                w.reasons.push(Reason::with_entries(
                    "dispute.resolved",
                    format!(
                        "resolved on {day}: finding {} ({note})",
                        outcome_name(*outcome)
                    ),
                    vec![o.index],
                ));
            }
            DisputeAction::Position { accepts, view } => {
                if let Status::ReportReceived(d) = w.status {
                    reject(
                        &mut out,
                        format!(
                            "dispute `{}` closed on {d}, when the report it was opened over was recorded: there is no outcome to take a position on",
                            w.id
                        ),
                    );
                    continue;
                }
                if !matches!(w.status, Status::Resolved(..)) {
                    reject(
                        &mut out,
                        format!(
                            "dispute `{}` has no outcome yet: a position is recorded on an outcome",
                            w.id
                        ),
                    );
                    continue;
                }
                w.steps.push(o.index);
                for a in &o.authors {
                    w.positions
                        .insert(a.clone(), (*accepts, view.clone(), o.index));
                }
            }
            DisputeAction::Withdraw => {
                if w.status.closed() {
                    let why = w.closed_text().unwrap_or_default();
                    reject(&mut out, format!("withdrawal refused: {why}"));
                    continue;
                }
                if let Origin::Overdue { indicator, period } = &w.origin {
                    reject(
                        &mut out,
                        format!(
                            "dispute `{}` was opened by the agreement's overdue policy, not by a party: nobody may withdraw it; it closes when the report on `{indicator}` for {period} is recorded, or when an authority resolves it",
                            w.id
                        ),
                    );
                    continue;
                }
                if let Some(p) = o.authors.iter().find(|a| !w.opened_by.contains(a)) {
                    reject(
                        &mut out,
                        format!(
                            "`{p}` did not open dispute `{}`: only {} may withdraw it",
                            w.id,
                            names(&w.opened_by)
                        ),
                    );
                    continue;
                }
                w.close_runs(day);
                w.status = Status::Withdrawn(day);
                w.steps.push(o.index);
                w.reasons.push(Reason::with_entries(
                    "dispute.withdrawn",
                    format!("withdrawn on {day} by {}", names(&o.authors)),
                    vec![o.index],
                ));
            }
        }
    }

    for mut w in walks {
        w.advance(agreement, date);
        for r in &w.runs {
            out.stage_began
                .entry(r.stage.clone())
                .and_modify(|d| *d = (*d).max(r.began))
                .or_insert(r.began);
        }
        // The finding: an indicator's periods, a decision, or another entry.
        let target: Option<Target> = match &w.finding {
            Finding::Indicator { indicator, period } => {
                Some(Target::Indicator(indicator.clone(), *period))
            }
            Finding::Entry { index } => core.entries.get(&index.0).and_then(|r| {
                if let Some((n, end)) = r.evidence {
                    let id = core
                        .names
                        .indicators
                        .iter()
                        .find(|(_, v)| **v == n)
                        .map(|(k, _)| k.clone())?;
                    Some(Target::Indicator(id, Period::new(end, end).ok()?))
                } else if r.kind == StatementKind::Decision {
                    Some(Target::Decision(*index))
                } else {
                    Some(Target::Other(*index, kind_name(r.kind)))
                }
            }),
        };
        let overdue = matches!(w.origin, Origin::Overdue { .. });
        let decision = matches!(target, Some(Target::Decision(_)));
        let other = matches!(target, Some(Target::Other(..)));
        let effect = match w.status {
            // Nothing to freeze: the overdue status counts as the policy says; an entry
            // that is neither evidence nor a decision has no effect to take away.
            Status::Open if overdue || other => Effect::Stands,
            _ if overdue || other => Effect::Counts,
            // An authority's act is not suspended by a complaint.
            Status::Open if decision => Effect::Stands,
            Status::Open => match process.while_open {
                WhileOpen::FreezeFinding => Effect::Frozen,
                WhileOpen::FindingStands => Effect::Stands,
            },
            Status::Resolved(_, DisputeOutcome::Overturned) => Effect::SetAside,
            _ => Effect::Counts,
        };
        let rule_state = match w.status {
            Status::Open => RuleDispute::Open,
            Status::Exhausted(_) => RuleDispute::Exhausted,
            Status::Resolved(_, DisputeOutcome::Overturned) => RuleDispute::Overturned,
            Status::Resolved(..) => RuleDispute::Upheld,
            Status::Withdrawn(_) | Status::ReportReceived(_) => RuleDispute::None,
        };
        let how = match w.status {
            Status::Open => "open".to_owned(),
            Status::Exhausted(d) => format!("exhausted on {d}"),
            Status::Resolved(d, o) => format!("{} on {d}", outcome_name(o)),
            Status::Withdrawn(d) => format!("withdrawn on {d}"),
            Status::ReportReceived(d) => format!("closed on {d}, when the report was recorded"),
        };
        let effect_text = match &target {
            Some(Target::Indicator(..)) if overdue => {
                "effect on the finding: none — the overdue status counts as the overdue policy says (the dispute was opened by it)"
                    .to_owned()
            }
            Some(Target::Decision(index)) => match effect {
                Effect::Stands => format!(
                    "effect on the disputed decision (entry {index}): it stays in effect while the dispute is open — an authority's act is not suspended by a complaint"
                ),
                Effect::SetAside => format!(
                    "effect on the disputed decision (entry {index}): set aside, it no longer applies"
                ),
                _ => format!("effect on the disputed decision (entry {index}): it stands"),
            },
            Some(Target::Other(index, kind)) => format!(
                "effect: none — entry {index} is {kind}, neither evidence nor a decision; the dispute is recorded but changes no finding and no relief"
            ),
            _ => format!(
                "effect on the disputed finding: {}",
                effect.name().replace('_', " ")
            ),
        };
        match &target {
            Some(Target::Indicator(indicator, span)) => {
                if let Some(i) = agreement.indicators.iter().find(|i| &i.id == indicator) {
                    let since = match w.status {
                        Status::Open => w.opened,
                        Status::Exhausted(d)
                        | Status::Resolved(d, _)
                        | Status::Withdrawn(d)
                        | Status::ReportReceived(d) => d,
                    };
                    let slot = out
                        .by_commitment
                        .entry(i.commitment.clone())
                        .or_insert((rule_state, since));
                    // An open dispute wins; otherwise the latest opened decides.
                    if slot.0 != RuleDispute::Open {
                        *slot = (rule_state, since);
                    }
                }
                if overdue {
                    out.overdue.push(OverdueNote {
                        indicator: indicator.clone(),
                        start: span.start(),
                        detail: format!(
                            "dispute `{}` opened on {} by the overdue policy ({})",
                            w.id,
                            w.opened,
                            match (w.status, w.runs.iter().rev().find(|r| !r.parallel)) {
                                (Status::Open, Some(r)) => format!("open at stage `{}`", r.stage),
                                _ => how.clone(),
                            }
                        ),
                        entries: w.steps.clone(),
                    });
                }
                // An open overdue escalation names itself in the overdue reason; once
                // closed, the period says how it went.
                if !(overdue && w.status == Status::Open) {
                    let detail = match effect {
                        _ if overdue => format!(
                            "the report was overdue: dispute `{}`, opened by the overdue policy on {}, is {how}",
                            w.id, w.opened
                        ),
                        Effect::Frozen => format!(
                            "disputed in `{}` (open): the finding is frozen and has no effect until the dispute closes",
                            w.id
                        ),
                        Effect::Stands => format!(
                            "disputed in `{}` (open): the finding stands meanwhile (while_open: finding_stands)",
                            w.id
                        ),
                        Effect::SetAside => format!(
                            "dispute `{}` overturned the finding: it has no effect",
                            w.id
                        ),
                        Effect::Counts => {
                            format!("dispute `{}` {how}: the finding has its effect", w.id)
                        }
                    };
                    let effective_from = match (effect, process.while_open, w.status) {
                        _ if overdue => None,
                        (
                            Effect::Counts,
                            WhileOpen::FreezeFinding,
                            Status::Exhausted(d) | Status::Resolved(d, _) | Status::Withdrawn(d),
                        ) => Some(d),
                        _ => None,
                    };
                    out.findings.push(FindingEffect {
                        effective_from,
                        indicator: indicator.clone(),
                        span: *span,
                        effect,
                        entries: w.steps.clone(),
                        detail,
                        decisive: !overdue,
                    });
                }
            }
            Some(Target::Decision(index)) => {
                let standing = match w.status {
                    Status::Open => Standing::Open,
                    Status::Resolved(d, DisputeOutcome::Overturned) => Standing::SetAside(d),
                    _ => Standing::Stands(how.clone()),
                };
                let rank = |s: &Standing| match s {
                    Standing::SetAside(_) => 2,
                    Standing::Open => 1,
                    Standing::Stands(_) => 0,
                };
                // The first overturn sets it aside for good; else an open dispute; else
                // the latest opened.
                let replace = out.decisions.get(index).is_none_or(|old| {
                    rank(&standing) >= rank(&old.standing) && rank(&old.standing) < 2
                });
                if replace {
                    out.decisions.insert(
                        *index,
                        DecisionDispute {
                            dispute: w.id.clone(),
                            opened: w.opened,
                            standing,
                            steps: w.steps.clone(),
                        },
                    );
                }
            }
            _ => {}
        }
        let (status, closed, outcome) = match w.status {
            Status::Open => ("open", None, None),
            Status::Exhausted(d) => ("exhausted", Some(d), None),
            Status::Resolved(d, o) => ("resolved", Some(d), Some(o)),
            Status::Withdrawn(d) => ("withdrawn", Some(d), None),
            Status::ReportReceived(d) => ("resolved", Some(d), None),
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
            w.reasons.push(Reason::with_entries(
                "dispute.position",
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
        if contested {
            w.reasons.push(Reason::rule(
                "dispute.contested",
                "the parties keep different views of the outcome; both are recorded",
            ));
        }
        // The latest step first: it is what the status rests on.
        w.reasons.reverse();
        w.reasons.push(Reason::rule("dispute.effect", effect_text));
        let stage = w
            .runs
            .iter()
            .rev()
            .find(|r| !r.parallel)
            .map(|r| r.stage.clone());
        out.states.push(DisputeState {
            id: w.id.clone(),
            status: status.to_owned(),
            stage,
            steps: w.steps.clone(),
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
                    status: r.status.to_owned(),
                    ended: r.ended,
                })
                .collect(),
            outcome,
            closed,
            positions,
            contested,
            effect: effect.name().to_owned(),
        });
    }
    out.states.sort_by(|a, b| a.id.cmp(&b.id));
    out
}

/// The dispute the overdue policy opens on the day after the grace ended.
fn open_overdue(agreement: &Agreement, e: &Escalation) -> Walk {
    let day = e.grace_end.tomorrow().unwrap_or(e.grace_end);
    let finding = Finding::Indicator {
        indicator: e.indicator.clone(),
        period: e.period,
    };
    let mut w = Walk {
        id: e.id.clone(),
        origin: Origin::Overdue {
            indicator: e.indicator.clone(),
            period: e.period,
        },
        finding,
        opened_by: Vec::new(),
        opened: day,
        runs: Vec::new(),
        status: Status::Open,
        positions: BTreeMap::new(),
        steps: Vec::new(),
        reasons: Vec::new(),
    };
    w.begin(agreement, &e.stage, day, None);
    // After the stage it begins: reasons are shown latest first, and that it was the
    // overdue policy that opened it is what matters most on its first day.
    w.reasons.push(Reason::rule(
            "dispute.opened",
            format!(
                "opened on {day} by the agreement's overdue policy (`{}`: escalate to `{}`): no report on it for {} by {}, the end of its grace period",
                e.indicator, e.stage, e.period, e.grace_end
            ),
    ));
    w
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

/// Applies the disputes' effects to an indicator's reporting periods: reasons on every
/// period concerned; `frozen` where the finding's effect is taken away; and, on a period
/// overdue under an `escalate` policy, the dispute it opened, named in the overdue reason.
pub(crate) fn apply(
    disputes: &Disputes,
    indicator: &IndicatorId,
    periods: &mut [super::super::state::ReportingPeriodState],
) {
    use super::super::state::IndicatorStatus as S;
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
            let reason = Reason::with_entries(
                if f.effect.takes_effect_away() {
                    "dispute.frozen"
                } else {
                    "dispute.finding"
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
                .filter(|r| r.rule == "indicator.overdue")
            {
                let mut entries = r.entries.clone();
                entries.extend(note.entries.iter().copied());
                *r = Reason::with_entries(
                    "indicator.overdue",
                    format!("{}: {}", r.detail, note.detail),
                    entries,
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::overdue_id;
    use crate::id::IndicatorId;
    use crate::time::Date;

    #[test]
    fn a_shortened_overdue_name_never_equals_another_indicators_full_name() {
        let start: Date = "2027-01-01".parse().unwrap();
        let long: IndicatorId = "a".repeat(50).parse().unwrap();
        let short = overdue_id(&long, 3, start).unwrap();
        assert_eq!(
            short.as_str(),
            format!("overdue.{}.3-2027-01-01", "a".repeat(38))
        );
        // An indicator whose id is exactly the shortened part gets the full form.
        let lookalike: IndicatorId = format!("{}.3", "a".repeat(38)).parse().unwrap();
        let full = overdue_id(&lookalike, 0, start).unwrap();
        assert_eq!(
            full.as_str(),
            format!("overdue-{}.3-2027-01-01", "a".repeat(38))
        );
        assert_ne!(short, full);
        assert!(short.as_str().len() <= 64 && full.as_str().len() <= 64);
    }
}
