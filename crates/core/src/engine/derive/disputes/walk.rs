//! One dispute's walk: a state machine with one method per step (open, escalate, extend,
//! resolve, position, withdraw, and the report an overdue escalation awaits), the clock
//! advanced to each step's record date first. A step that does not count returns the
//! reason, which the caller lists as rejected.

use std::collections::{BTreeMap, BTreeSet};

use crate::agreement::{Agreement, DisputeProcess, Extension, PartyRole};
use crate::id::{DisputeId, IndicatorId, ParticipantId, StageId};
use crate::statement::{DisputeOutcome, Finding, LogIndex};
use crate::time::{Date, Period};

use super::super::super::ingest::{OtherEntry, Role};
use super::super::super::state::{Reason, Rule, StageStatus};
use super::super::calendar::Versions;

use super::escalation::Escalation;
use super::{finding_text, names, outcome_name};

/// Where a dispute's course stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Course {
    Open,
    Exhausted(Date),
    Resolved(Date, DisputeOutcome),
    Withdrawn(Date),
    /// An overdue escalation closed by the report it was waiting for.
    ReportReceived(Date),
}

impl Course {
    /// Whether a step may still change the dispute's course (a resolution may still come
    /// once it is exhausted).
    pub fn closed(self) -> bool {
        matches!(
            self,
            Course::Resolved(..) | Course::Withdrawn(_) | Course::ReportReceived(_)
        )
    }

    /// The day it stopped being open, if it has.
    pub fn ended(self) -> Option<Date> {
        match self {
            Course::Open => None,
            Course::Exhausted(d)
            | Course::Resolved(d, _)
            | Course::Withdrawn(d)
            | Course::ReportReceived(d) => Some(d),
        }
    }
}

/// Who opened a dispute.
#[derive(Debug, Clone)]
pub(crate) enum Origin {
    /// A party, by a recorded step.
    Party,
    /// The agreement's overdue policy, for a reporting period of an indicator.
    Overdue {
        indicator: IndicatorId,
        period: Period,
    },
}

/// One stage a dispute runs in.
pub(crate) struct Run {
    pub stage: StageId,
    pub parallel: bool,
    pub began: Date,
    /// The deadline as the agreement sets it, before extensions.
    base: Option<Date>,
    pub deadline: Option<Date>,
    pub status: StageStatus,
    pub ended: Option<Date>,
    /// Extensions proposed: new deadline → who consented so far.
    consents: BTreeMap<Option<Date>, BTreeSet<ParticipantId>>,
}

/// A dispute walked through its steps.
pub(crate) struct Walk {
    pub id: DisputeId,
    pub origin: Origin,
    pub finding: Finding,
    pub opened_by: Vec<ParticipantId>,
    pub opened: Date,
    pub runs: Vec<Run>,
    pub course: Course,
    pub positions: BTreeMap<ParticipantId, (bool, String, LogIndex)>,
    pub steps: Vec<LogIndex>,
    pub reasons: Vec<Reason>,
    /// Whether reasons are written (`Detail::Full`): the statuses alone need none.
    pub explain: bool,
}

/// The lookups a walk needs: the governing version's roles and its dispute process.
pub(crate) struct Env<'a> {
    pub versions: &'a Versions<'a>,
    pub agreement: &'a Agreement,
}

impl Env<'_> {
    fn process(&self) -> &DisputeProcess {
        &self.agreement.disputes
    }

    pub fn is_party(&self, id: &ParticipantId) -> bool {
        matches!(self.versions.role_of(id), Role::Party(r) if r != PartyRole::Observer)
    }

    /// Whose consent an extension needs on `day`: the participants the agreement names
    /// for it, else every party (not observers) still taking part that day.
    fn consenting(&self, day: Date) -> BTreeSet<ParticipantId> {
        let named = &self.agreement.disputes.extension_consent;
        if !named.is_empty() {
            return named.iter().cloned().collect();
        }
        self.agreement
            .parties
            .iter()
            .filter(|p| p.role != PartyRole::Observer)
            .filter(|p| self.versions.participants.on(&p.id, day))
            .map(|p| p.id.clone())
            .collect()
    }
}

/// Who consented, in words: "every party" unless the agreement names whose consent counts.
fn who(env: &Env<'_>, all: &BTreeSet<ParticipantId>) -> String {
    if env.agreement.disputes.extension_consent.is_empty() {
        "every party".to_owned()
    } else {
        names(&all.iter().cloned().collect::<Vec<_>>())
    }
}

impl Walk {
    /// A dispute a party opens on `day` at `stage`.
    pub fn open(
        env: &Env<'_>,
        o: &OtherEntry,
        id: &DisputeId,
        finding: &Finding,
        stage: &StageId,
        reason: &str,
    ) -> Result<Walk, String> {
        let process = env.process();
        let day = o.day;
        if !process.standing.is_empty()
            && let Some(p) = o.authors.iter().find(|a| !process.standing.contains(a))
        {
            return Err(format!(
                "`{p}` has no standing to open a dispute: only {} may",
                names(&process.standing)
            ));
        }
        if !process.stages.iter().any(|s| &s.id == stage) {
            return Err(format!(
                "`{stage}` is not a stage of the agreement's dispute process"
            ));
        }
        match finding {
            Finding::Indicator { indicator, .. }
                if !env.agreement.indicators.iter().any(|i| &i.id == indicator) =>
            {
                return Err(format!(
                    "disputes a finding on `{indicator}`, which is not an indicator of the agreement"
                ));
            }
            Finding::Entry { index }
                if env
                    .versions
                    .core
                    .entries
                    .get(&index.0)
                    .is_none_or(|r| r.key >= o.key) =>
            {
                return Err(format!(
                    "disputes entry {index}, which is not recorded before it"
                ));
            }
            _ => {}
        }
        let mut w = Walk {
            id: id.clone(),
            origin: Origin::Party,
            finding: finding.clone(),
            opened_by: o.authors.clone(),
            opened: day,
            runs: Vec::new(),
            course: Course::Open,
            positions: BTreeMap::new(),
            steps: vec![o.index],
            reasons: Vec::new(),
            explain: env.versions.explain,
        };
        if w.explain {
            w.reasons.push(Reason::with_entries(
                Rule::DisputeOpened,
                format!(
                    "opened on {day} by {} against {}: {reason}",
                    names(&o.authors),
                    finding_text(finding)
                ),
                vec![o.index],
            ));
        }
        w.begin(env.agreement, stage, day, Some(o.index));
        Ok(w)
    }

    /// The dispute the overdue policy opens on the day after the grace ended.
    pub fn overdue(agreement: &Agreement, e: &Escalation, explain: bool) -> Walk {
        let day = e.grace_end.tomorrow().unwrap_or(e.grace_end);
        let mut w = Walk {
            id: e.id.clone(),
            origin: Origin::Overdue {
                indicator: e.indicator.clone(),
                period: e.period,
            },
            finding: Finding::Indicator {
                indicator: e.indicator.clone(),
                period: e.period,
            },
            opened_by: Vec::new(),
            opened: day,
            runs: Vec::new(),
            course: Course::Open,
            positions: BTreeMap::new(),
            steps: Vec::new(),
            reasons: Vec::new(),
            explain,
        };
        w.begin(agreement, e.stage, day, None);
        // After the stage it begins: reasons are shown latest first, and that it was the
        // overdue policy that opened it is what matters most on its first day.
        if w.explain {
            w.reasons.push(Reason::rule(
                Rule::DisputeOpened,
                format!(
                    "opened on {day} by the agreement's overdue policy (`{}`: escalate to `{}`): no report on it for {} by {}, the end of its grace period",
                    e.indicator, e.stage, e.period, e.grace_end
                ),
            ));
        }
        w
    }

    /// Whether the overdue policy opened it.
    pub fn is_overdue(&self) -> bool {
        matches!(self.origin, Origin::Overdue { .. })
    }

    fn running(&self) -> impl Iterator<Item = &Run> {
        self.runs
            .iter()
            .filter(|r| r.status == StageStatus::Running)
    }

    /// Begins a stage on `date`, with the stages that run beside it.
    fn begin(
        &mut self,
        agreement: &Agreement,
        stage: &StageId,
        date: Date,
        index: Option<LogIndex>,
    ) {
        let stages = &agreement.disputes.stages;
        let Some(s) = stages.iter().find(|s| &s.id == stage) else {
            return;
        };
        let beside = s
            .parallel
            .iter()
            .filter_map(|p| stages.iter().find(|x| &x.id == p))
            .map(|ps| (ps, true));
        for (s, parallel) in std::iter::once((s, false)).chain(beside) {
            if self.running().any(|r| r.stage == s.id) {
                continue;
            }
            let deadline = s.deadline.after(date);
            self.runs.push(Run {
                stage: s.id.clone(),
                parallel,
                began: date,
                base: deadline,
                deadline,
                status: StageStatus::Running,
                ended: None,
                consents: BTreeMap::new(),
            });
            // Worded only when explained: a look walks every dispute's stages again.
            if self.explain {
                let beside = if parallel { ", in parallel" } else { "" };
                // One string written (the deadline's words are not a string of their own).
                let detail = match deadline {
                    Some(d) => format!(
                        "stage `{}` ({}) began on {date}{beside}; deadline {d}",
                        s.id, s.title
                    ),
                    None => format!(
                        "stage `{}` ({}) began on {date}{beside}; deadline unknown",
                        s.id, s.title
                    ),
                };
                self.reasons.push(Reason::with_entries(
                    Rule::DisputeStage,
                    detail,
                    index.into_iter().collect(),
                ));
            }
        }
    }

    /// Runs the clock to `to`: stages whose deadline has come run out, and the dispute
    /// moves to their `next` stage, or is exhausted when none is left.
    pub fn advance(&mut self, agreement: &Agreement, to: Date) {
        if self.course != Course::Open {
            return;
        }
        // Bounded: each round ends one run; a process cannot begin more runs than this.
        for _ in 0..10_000 {
            let due = self
                .runs
                .iter()
                .enumerate()
                .filter(|(_, r)| r.status == StageStatus::Running)
                .filter_map(|(i, r)| r.deadline.filter(|d| *d <= to).map(|d| (d, i)))
                .min();
            let Some((deadline, i)) = due else { break };
            let Some(run) = self.runs.get_mut(i) else {
                break;
            };
            run.status = StageStatus::RanOut;
            run.ended = Some(deadline);
            // The stage and its next named from the agreement's process (borrowed, not
            // copied: every overdue escalation runs through this on every derivation).
            let (stage, next) = match agreement.disputes.stages.iter().find(|s| s.id == run.stage) {
                Some(s) => (std::borrow::Cow::Borrowed(&s.id), s.next.as_ref()),
                None => (std::borrow::Cow::Owned(run.stage.clone()), None),
            };
            if self.explain {
                self.reasons.push(Reason::rule(
                    Rule::DisputeDeadline,
                    match &next {
                        Some(n) => format!(
                            "stage `{stage}` ran out unresolved on {deadline}: escalated to `{n}`"
                        ),
                        None => format!("stage `{stage}` ran out unresolved on {deadline}"),
                    },
                ));
            }
            if let Some(n) = next {
                self.begin(agreement, n, deadline, None);
            }
            if self.running().next().is_none() {
                self.course = Course::Exhausted(deadline);
                if self.explain {
                    self.reasons.push(Reason::rule(
                        Rule::DisputeExhausted,
                        format!(
                            "every stage ran out unresolved by {deadline}: the decision is the authority's"
                        ),
                    ));
                }
                break;
            }
        }
    }

    fn close_runs(&mut self, date: Date) {
        for r in &mut self.runs {
            if r.status == StageStatus::Running {
                r.status = StageStatus::Closed;
                r.ended = Some(date);
            }
        }
    }

    /// Why no step but a resolution (or a position) counts any more, if so.
    fn closed_text(&self) -> Option<String> {
        match self.course {
            Course::Open => None,
            Course::Exhausted(d) => Some(format!(
                "every stage of dispute `{}` ran out on {d}: the decision is the authority's",
                self.id
            )),
            Course::Resolved(d, _) => Some(format!(
                "dispute `{}` was resolved on {d}; no step but a party's position counts after resolution",
                self.id
            )),
            Course::Withdrawn(d) => Some(format!(
                "dispute `{}` was withdrawn on {d}; no step counts after withdrawal",
                self.id
            )),
            Course::ReportReceived(d) => Some(format!(
                "dispute `{}` closed on {d}, when the report it was opened over was recorded; no step counts after it",
                self.id
            )),
        }
    }

    /// Closes an overdue escalation when its report is recorded (if nothing closed it
    /// before).
    pub fn report_received(&mut self, agreement: &Agreement, day: Date, index: LogIndex) {
        self.advance(agreement, day);
        if self.course.closed() {
            return;
        }
        self.close_runs(day);
        self.course = Course::ReportReceived(day);
        let (indicator, period) = match &self.origin {
            Origin::Overdue { indicator, period } => (indicator.to_string(), period.to_string()),
            Origin::Party => return,
        };
        if self.explain {
            self.reasons.push(Reason::with_entries(
                Rule::DisputeReportReceived,
                format!(
                    "closed on {day}: the report on `{indicator}` for {period} was recorded (entry {index})"
                ),
                vec![index],
            ));
        }
    }

    /// A party moves the dispute from a running stage to its `next` or one of its
    /// `alternatives`.
    pub fn escalate(&mut self, env: &Env<'_>, o: &OtherEntry, to: &StageId) -> Result<(), String> {
        let day = o.day;
        if let Some(why) = self.closed_text() {
            return Err(format!("escalation refused: {why}"));
        }
        let process = env.process();
        let from = self.runs.iter().position(|r| {
            r.status == StageStatus::Running
                && process.stages.iter().any(|s| {
                    s.id == r.stage && (s.next.as_ref() == Some(to) || s.alternatives.contains(to))
                })
        });
        let Some(run) = from.and_then(|i| self.runs.get_mut(i)) else {
            let running: Vec<String> = self.running().map(|r| format!("`{}`", r.stage)).collect();
            return Err(format!(
                "`{to}` is neither the next stage nor an alternative of a running stage of dispute `{}` (running: {})",
                self.id,
                running.join(", ")
            ));
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
            return Err(format!(
                "`{p}` has no standing to escalate from stage `{}`: only {} may",
                run.stage,
                names(&standing)
            ));
        }
        run.status = StageStatus::Escalated;
        run.ended = Some(day);
        let from_stage = run.stage.clone();
        self.steps.push(o.index);
        if self.explain {
            self.reasons.push(Reason::with_entries(
                Rule::DisputeEscalated,
                format!(
                    "escalated from `{from_stage}` to `{to}` on {day} by {}",
                    names(&o.authors)
                ),
                vec![o.index],
            ));
        }
        self.begin(env.agreement, to, day, Some(o.index));
        Ok(())
    }

    /// A party consents to extending a running stage until `until` (open-ended when
    /// none); it takes effect with the last party's consent.
    pub fn extend(
        &mut self,
        env: &Env<'_>,
        o: &OtherEntry,
        stage: &StageId,
        until: Option<Date>,
    ) -> Result<(), String> {
        let day = o.day;
        if let Some(why) = self.closed_text() {
            return Err(format!("extension refused: {why}"));
        }
        let Some(s) = env.process().stages.iter().find(|s| &s.id == stage) else {
            return Err(format!(
                "`{stage}` is not a stage of the agreement's dispute process"
            ));
        };
        let id = self.id.clone();
        let Some(run) = self
            .runs
            .iter_mut()
            .find(|r| &r.stage == stage && r.status == StageStatus::Running)
        else {
            return Err(format!(
                "stage `{stage}` of dispute `{id}` is not running: only a running stage is extended"
            ));
        };
        let limit = match &s.extension {
            Extension::None => {
                return Err(format!(
                    "stage `{stage}` cannot be extended (extension: none)"
                ));
            }
            Extension::ByConsent { max } => max.map(|m| run.base.and_then(|b| m.after(b))),
        };
        let too_far = match (limit, until) {
            (None, _) => None,
            (Some(Some(l)), Some(u)) if u <= l => None,
            (Some(l), _) => Some(l),
        };
        if let Some(l) = too_far {
            return Err(format!(
                "stage `{stage}` may be extended by consent until {} at the latest, not {}",
                l.map_or("?".to_owned(), |d| d.to_string()),
                until.map_or("open-endedly".to_owned(), |d| d.to_string())
            ));
        }
        if let (Some(u), Some(dl)) = (until, run.deadline)
            && u <= dl
        {
            return Err(format!(
                "an extension of stage `{stage}` must end after its deadline {dl}, not on {u}"
            ));
        }
        let consented = run.consents.entry(until).or_default();
        consented.extend(o.authors.iter().cloned());
        let all = env.consenting(day);
        let reason = if all.is_subset(consented) {
            run.deadline = until;
            run.consents.clear();
            match until {
                Some(u) => format!(
                    "stage `{stage}` extended by consent of {} until {u} (agreed on {day})",
                    who(env, &all)
                ),
                None => format!(
                    "stage `{stage}` extended open-endedly by consent of {} (agreed on {day}): no deadline",
                    who(env, &all)
                ),
            }
        } else {
            let missing: Vec<ParticipantId> = all.difference(consented).cloned().collect();
            format!(
                "extension of stage `{stage}` {} proposed on {day} by {}; awaiting the consent of {}",
                until.map_or("open-endedly".to_owned(), |u| format!("until {u}")),
                names(&o.authors),
                names(&missing)
            )
        };
        self.steps.push(o.index);
        if self.explain {
            self.reasons.push(Reason::with_entries(
                Rule::DisputeExtension,
                reason,
                vec![o.index],
            ));
        }
        Ok(())
    }

    /// The outcome, recorded by who the agreement names together (`resolved_by`), else by
    /// an authority: one party alone must not be able to set a finding aside; the others
    /// record their positions on it.
    pub fn resolve(
        &mut self,
        env: &Env<'_>,
        o: &OtherEntry,
        outcome: DisputeOutcome,
        note: &str,
    ) -> Result<(), String> {
        let day = o.day;
        if self.course.closed() {
            let why = self.closed_text().unwrap_or_default();
            return Err(format!("resolution refused: {why}"));
        }
        let resolved_by = &env.process().resolved_by;
        if !resolved_by.is_empty() {
            let missing: Vec<ParticipantId> = resolved_by
                .iter()
                .filter(|p| !o.authors.contains(p))
                .cloned()
                .collect();
            let outsider = o.authors.iter().find(|a| !resolved_by.contains(a));
            if !missing.is_empty() || outsider.is_some() {
                return Err(format!(
                    "the outcome of dispute `{}` is recorded by {} together, in one entry signed by each{}; other parties record a position on it",
                    self.id,
                    names(resolved_by),
                    match outsider {
                        Some(p) => format!(" (`{p}` is not one of them)"),
                        None => format!(" (missing: {})", names(&missing)),
                    }
                ));
            }
        } else if let Some(p) = o
            .authors
            .iter()
            .find(|a| env.versions.role_of(a) != Role::Party(PartyRole::Authority))
        {
            return Err(format!(
                "`{p}` is not an authority of the agreement: only an authority records the outcome of dispute `{}`; other parties record a position on it",
                self.id
            ));
        }
        self.close_runs(day);
        self.course = Course::Resolved(day, outcome);
        self.steps.push(o.index);
        if self.explain {
            self.reasons.push(Reason::with_entries(
                Rule::DisputeResolved,
                format!(
                    "resolved on {day}: finding {} ({note})",
                    outcome_name(outcome)
                ),
                vec![o.index],
            ));
        }
        Ok(())
    }

    /// A party's view of the outcome (the latest of each party counts).
    pub fn position(&mut self, o: &OtherEntry, accepts: bool, view: &str) -> Result<(), String> {
        if let Course::ReportReceived(d) = self.course {
            return Err(format!(
                "dispute `{}` closed on {d}, when the report it was opened over was recorded: there is no outcome to take a position on",
                self.id
            ));
        }
        if !matches!(self.course, Course::Resolved(..)) {
            return Err(format!(
                "dispute `{}` has no outcome yet: a position is recorded on an outcome",
                self.id
            ));
        }
        self.steps.push(o.index);
        for a in &o.authors {
            self.positions
                .insert(a.clone(), (accepts, view.to_owned(), o.index));
        }
        Ok(())
    }

    /// Who opened the dispute withdraws it.
    pub fn withdraw(&mut self, o: &OtherEntry) -> Result<(), String> {
        let day = o.day;
        if self.course.closed() {
            let why = self.closed_text().unwrap_or_default();
            return Err(format!("withdrawal refused: {why}"));
        }
        if let Origin::Overdue { indicator, period } = &self.origin {
            return Err(format!(
                "dispute `{}` was opened by the agreement's overdue policy, not by a party: nobody may withdraw it; it closes when the report on `{indicator}` for {period} is recorded, or when an authority resolves it",
                self.id
            ));
        }
        if let Some(p) = o.authors.iter().find(|a| !self.opened_by.contains(a)) {
            return Err(format!(
                "`{p}` did not open dispute `{}`: only {} may withdraw it",
                self.id,
                names(&self.opened_by)
            ));
        }
        self.close_runs(day);
        self.course = Course::Withdrawn(day);
        self.steps.push(o.index);
        if self.explain {
            self.reasons.push(Reason::with_entries(
                Rule::DisputeWithdrawn,
                format!("withdrawn on {day} by {}", names(&o.authors)),
                vec![o.index],
            ));
        }
        Ok(())
    }
}
