//! Deriving the [`State`] from what was ingested, as of a record-time cut: a pipeline of
//! stages, each taking the typed outputs of the stages before it and returning its own.
//!
//! 1. [`calendar::Versions`] — versions in force and the dates they know (events);
//! 2. [`disputes::disputes`] — disputes, from the log and the calendar alone (never from
//!    statuses: the overdue escalations look for reports in the log directly), with the
//!    dates their stages began;
//! 3. [`calendar::Calendar`] — the review periods;
//! 4. [`findings::findings`] — every reporting period's status and each indicator's status
//!    per review, with the disputes' effects;
//! 5. [`commitments::commitments`] — commitment statuses per review, and the relief an
//!    overdue report holds;
//! 6. [`phases::phases`] — phases entered in schedule order (conditions are judged by a
//!    [`conditions::Judge`]);
//! 7. [`triggers::triggers`] — each trigger's walk (pauses while a dispute freezes a
//!    finding, fires, relief earned again after a fire under `re_earn`);
//! 8. [`relief::relief`] — relief actions and decisions (with the disputes over decisions),
//!    then phases reverted or earned again;
//! 9. [`measures`] — relief per measure and, last and unconditionally, the exemptions.
//!
//! INVARIANT: nothing here reads an entry recorded after the cut: every access to the log
//! goes through `alive` (of [`calendar::Versions`] or [`calendar::Calendar`]), the
//! disputes' own check of the same rule, or a quorum computed under the cut.

mod calendar;
mod commitments;
mod conditions;
mod disputes;
mod findings;
mod measures;
mod participation;
mod phases;
mod relief;
mod triggers;
mod views;

use std::collections::{BTreeMap, BTreeSet};

use crate::id::{EventId, PhaseId, StageId};
use crate::rule::{CommitmentStatus, DateAnchor, DateRule};
use crate::statement::LogIndex;
use crate::time::{CalendarDuration, Date, Instant, Period};

use super::ingest::Core;
use super::quorum::Cell;
use super::state::{
    CommitmentReview, CommitmentState, EventState, Reason, RejectedEntry, Rule, State, VersionState,
};
use super::{EvalError, Key, epoch_day};

/// Entries that do not count, with the reason, in the order they were found (the first
/// reason given for an entry is the one shown).
pub(crate) type Rejected = Vec<(u64, String)>;

/// Reporting or review periods generated for one schedule, at most this many (a daily
/// cadence over more than 270 years is not an agreement).
pub(crate) const MAX_PERIODS: u32 = 100_000;

/// What a derivation computed that the evaluator keeps for later ones: a reporting
/// period's quorum or its settled status, of one version's indicator.
pub(crate) struct CacheFill {
    pub lens: usize,
    pub indicator: usize,
    pub start: Date,
    pub what: Filled,
}

/// A derivation's [`CacheFill`]s, in the order found, in groups each allocated once with
/// room for what it receives: an indicator's walk opens one sized for its periods. One
/// buffer for the whole derivation (a fill is 256 bytes, one per period) was grown by
/// doubling, copying and first touching every page again (about a tenth of the first
/// fill in a profile of `--bench engine`).
#[derive(Default)]
pub(crate) struct Fills(Vec<Vec<CacheFill>>);

impl Fills {
    /// Starts a group with room for `room` fills (those pushed next go into it).
    pub fn group(&mut self, room: usize) {
        self.0.push(Vec::with_capacity(room));
    }

    pub fn push(&mut self, fill: CacheFill) {
        match self.0.last_mut() {
            Some(group) => group.push(fill),
            None => self.0.push(vec![fill]),
        }
    }
}

impl Extend<CacheFill> for Fills {
    fn extend<T: IntoIterator<Item = CacheFill>>(&mut self, fills: T) {
        self.0.push(fills.into_iter().collect());
    }
}

impl IntoIterator for Fills {
    type Item = CacheFill;
    type IntoIter = std::iter::Flatten<std::vec::IntoIter<Vec<CacheFill>>>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter().flatten()
    }
}

/// See [`CacheFill`].
pub(crate) enum Filled {
    /// A quorum decided now, and the period settled on it if it is (which takes the
    /// stamp the cell is stored with).
    Quorum(Cell, Option<super::ingest::Settled>),
    /// A period settled on a cached quorum.
    Period(super::ingest::Settled),
    /// A period of an `escalate` indicator reported in time, as of its cell's stamp.
    Reported(u64),
    /// A quorum decided under a cut before the latest entry.
    Past(super::quorum::PastCell),
    /// The settled prefix: the first `keep` periods of the one held (the derivation took
    /// them from it), then `add` (the fill's `start` is that of the schedule).
    Prefix {
        keep: usize,
        key: PrefixKey,
        add: Vec<super::ingest::PrefixPeriod>,
    },
}

/// What a settled prefix was derived for: the schedule's start, the due date, and
/// whether with reasons.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PrefixKey {
    pub start: Date,
    pub due: Option<Date>,
    pub explained: bool,
}

/// Dates that rules refer to.
#[derive(Debug, Clone, Default)]
pub(crate) struct Anchors {
    pub events: BTreeMap<EventId, Date>,
    pub phases: BTreeMap<PhaseId, Date>,
    /// The latest date each dispute stage began.
    pub stages: BTreeMap<StageId, Date>,
    /// The cut and the agreement's days, which give a stated instant its day.
    pub cut: Instant,
    pub days: crate::time::DayZone,
}

impl Anchors {
    pub fn resolve(&self, rule: &DateRule) -> Option<Date> {
        rule.resolve(&|a| match a {
            DateAnchor::Event(e) => self.events.get(e).copied(),
            DateAnchor::PhaseEntered(p) => self.phases.get(p).copied(),
            DateAnchor::StageBegan(s) => self.stages.get(s).copied(),
            DateAnchor::At(m) => Some(m.day_as_of(self.cut, &self.days)),
        })
    }
}

pub(crate) use crate::time::nth;

/// The periods of a schedule that have begun by `date` (and before `end`, when the
/// schedule ends).
pub(crate) fn periods(
    start: Date,
    every: CalendarDuration,
    date: Date,
    end: Option<Date>,
) -> Vec<Period> {
    periods_from(start, every, date, end, 0)
}

/// [`periods`] from the `from`th on (0 the first).
pub(crate) fn periods_from(
    start: Date,
    every: CalendarDuration,
    date: Date,
    end: Option<Date>,
    from: u32,
) -> Vec<Period> {
    let mut out = Vec::new();
    if every.is_zero() {
        return out;
    }
    for k in from..MAX_PERIODS {
        let Some(s) = nth(start, every, k) else { break };
        if s > date || end.is_some_and(|e| s >= e) {
            break;
        }
        let Some(e) = nth(start, every, k + 1).and_then(|n| n.yesterday().ok()) else {
            break;
        };
        let Ok(p) = Period::new(s, e.max(s)) else {
            break;
        };
        out.push(p);
    }
    out
}

/// How much of a state to derive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Detail {
    /// Everything, with every reason.
    Full,
    /// Every status and date, without the reasons of reporting periods carried forward,
    /// of indicator reviews and of commitment reviews (see `Evaluator::statuses`).
    Statuses,
}

/// What a derivation hands out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Output {
    /// The whole state.
    State,
    /// Only what `Evaluator::look` hands out: phases, triggers, relief and disputes are
    /// derived as for a state (every stage they rest on runs), but the outputs nothing
    /// downstream of them reads — relief per measure, measures, exemptions, events,
    /// versions, commitments, review periods, signals and rejected entries — are left
    /// empty. Such a `State` never leaves the engine: `Evaluator::look` keeps its phases,
    /// triggers and relief and drops the rest.
    Look,
}

/// Derives the state as of `as_of`, and the quorums worth caching: with every view kept
/// (what participants disagree on is `contested`), or in one view when `view` names one.
pub(crate) fn state(
    core: &Core,
    as_of: Instant,
    cache: bool,
    detail: Detail,
    view: Option<&str>,
) -> Result<(State, Fills), EvalError> {
    views::state(core, as_of, cache, (detail, Output::State), view)
}

/// [`state`] in the shape `output` asks for, with every view kept.
pub(crate) fn output(
    core: &Core,
    as_of: Instant,
    cache: bool,
    detail: Detail,
    output: Output,
) -> Result<(State, Fills), EvalError> {
    views::state(core, as_of, cache, (detail, output), None)
}

/// Derives the state as of `as_of` with the `excluded` entries set aside (the view that
/// holds them void), and the quorums worth caching.
pub(crate) fn derive(
    core: &Core,
    as_of: Instant,
    cache: bool,
    (detail, output): (Detail, Output),
    excluded: &BTreeSet<u64>,
) -> Result<(State, Fills), EvalError> {
    let Some(first) = core.versions.first() else {
        return Err(EvalError::NoVersions);
    };
    let date = core.day(as_of);
    let cut: Key = (as_of, u64::MAX);
    let everything = cache && core.last.is_none_or(|l| l <= cut);
    // Rejections are only ever added to, never read by a stage: a look needs none.
    let whole = output == Output::State;
    let mut rejected: Rejected = core
        .rejected
        .iter()
        .filter(|(k, _, _)| whole && *k <= cut)
        .map(|(_, i, r)| (i.0, r.clone()))
        .collect();

    let mut versions = calendar::Versions::new(core, cut, date, excluded, &mut rejected);
    versions.explain = detail == Detail::Full;
    let agreement_status =
        measures::agreement_status(versions.views.first().and_then(|v| v.effective), date);
    let disputes = disputes::disputes(&versions);
    rejected.extend(disputes.rejected.iter().cloned());
    versions.set_stages(&disputes.stage_began);
    let mut fills = Fills::default();
    if everything {
        fills.extend(
            disputes
                .reported
                .iter()
                .map(|&(indicator, start, stamp)| CacheFill {
                    lens: versions.current,
                    indicator,
                    start,
                    what: Filled::Reported(stamp),
                }),
        );
    }
    let mut cal = calendar::Calendar::new(versions);
    cal.detail = detail;
    cal.keep_past = cache && !everything;
    // A look's phases and triggers go out without words (no stage reads them).
    cal.words = whole;
    let findings = findings::findings(&cal, &disputes, everything, &mut fills, &mut rejected);
    let commitments = commitments::commitments(&cal, &findings);

    let judge = conditions::Judge {
        cal: &cal,
        commitments: &commitments,
        disputes: &disputes.by_commitment,
        reached: &BTreeMap::new(),
        as_made: &[],
    };
    let phases = phases::phases(judge, agreement_status);
    let judge = judge.with_reached(&phases.reached);
    let triggers = triggers::triggers(judge, &disputes.states, &mut rejected);
    let agreement = cal.agreement().unwrap_or(first);
    let reached = triggers::reenter(agreement, &triggers.fires, &phases.reached);
    let judge = judge.with_reached(&reached);
    let relief = relief::relief(
        judge,
        &commitments.held,
        &triggers.reverted,
        &disputes.decisions,
        agreement_status,
        &mut rejected,
    );
    let mut phase_states = phases.states;
    triggers::revert_phases(judge, &triggers.fires, &mut phase_states);
    if !whole {
        let state = State {
            agreement: first.id.clone(),
            version: agreement.version,
            as_of,
            date,
            zone: None,
            entries: 0,
            versions: Vec::new(),
            reviews: Vec::new(),
            indicators: Vec::new(),
            commitments: Vec::new(),
            phases: phase_states,
            relief: relief.actions,
            relief_by_measure: Vec::new(),
            exemptions: Vec::new(),
            triggers: triggers.states,
            disputes: disputes.states,
            decisions: Vec::new(),
            events: Vec::new(),
            rejected: Vec::new(),
            agreement_status,
            measures: Vec::new(),
            signals: Vec::new(),
            views: Vec::new(),
            view: None,
            participant_view: None,
            contract: None,
        };
        return Ok((state, fills));
    }
    let relief_by_measure = measures::by_measure(agreement, &relief.actions);
    let measure_states = measures::measures(
        agreement,
        &relief.actions,
        &triggers.states,
        agreement_status,
        (&judge.anchors(), date),
    );
    lens_rejections(&cal, &mut rejected);

    let mut state = State {
        agreement: first.id.clone(),
        version: agreement.version,
        as_of,
        date,
        zone: core.days.name().map(str::to_owned),
        entries: u64::try_from(core.keys.partition_point(|k| *k <= cut)).unwrap_or(u64::MAX),
        versions: versions_out(&cal),
        reviews: cal.reviews.clone(),
        indicators: findings.indicators,
        commitments: commitments_out(&cal, &commitments),
        phases: phase_states,
        relief: relief.actions,
        relief_by_measure,
        exemptions: Vec::new(),
        triggers: triggers.states,
        disputes: disputes.states,
        decisions: relief.decisions,
        events: events_out(&cal),
        rejected: rejected_out(rejected),
        agreement_status,
        measures: measure_states,
        signals: signals(&cal),
        views: Vec::new(),
        view: None,
        participant_view: None,
        contract: None,
    };
    // INVARIANT: the last step, with no condition: exemptions are in force in every state.
    state.exemptions = measures::exemptions(&core.versions, &cal.views);
    Ok((state, fills))
}

/// Risk signals and recommendations recorded under the cut, in log order.
fn signals(cal: &calendar::Calendar<'_>) -> Vec<super::state::SignalState> {
    cal.core
        .others
        .iter()
        .filter(|o| cal.alive(o.key, o.index))
        .filter_map(|o| match &o.statement {
            crate::statement::Statement::Signal(s) => Some(super::state::SignalState {
                entry: o.index,
                by: o.authors.clone(),
                kind: s.signal,
                subject: s.subject.clone(),
                text: s.text.clone(),
                recorded: o.day,
            }),
            _ => None,
        })
        .collect()
}

/// Each commitment with its status at every review and at the latest concluded one.
fn commitments_out(
    cal: &calendar::Calendar<'_>,
    commitments: &commitments::Commitments,
) -> Vec<CommitmentState> {
    commitments
        .titles
        .iter()
        .map(|(id, title)| {
            let statuses = commitments.reviews.get(id).map(|r| r.statuses.as_slice());
            let reviews: Vec<CommitmentReview> = statuses
                .map(|rs| rs.iter().flatten().cloned().collect())
                .unwrap_or_default();
            let current = statuses
                .and_then(|rs| {
                    rs.iter()
                        .take(cal.concluded as usize)
                        .rev()
                        .flatten()
                        .next()
                })
                .map(|r| r.status);
            CommitmentState {
                id: id.clone(),
                title: title.clone(),
                current,
                reviews,
            }
        })
        .collect()
}

/// The governing version's named events and their dates.
fn events_out(cal: &calendar::Calendar<'_>) -> Vec<EventState> {
    let Some(agreement) = cal.agreement() else {
        return Vec::new();
    };
    let view = cal.views.get(cal.current);
    agreement
        .events
        .iter()
        .map(|e| {
            let date = view.and_then(|v| v.anchors.events.get(&e.id).copied());
            let entry = view.and_then(|v| v.event_entries.get(&e.id).copied());
            let times = view
                .and_then(|v| v.occurrences.get(&e.id))
                .map_or(0, Vec::len);
            let reason = match (date, entry, &e.date) {
                (Some(d), Some(i), _) if times > 1 => Reason::with_entries(
                    Rule::EventRecorded,
                    format!("recorded {times} times; the latest occurred on {d}"),
                    vec![i],
                ),
                (Some(d), Some(i), _) => Reason::with_entries(
                    Rule::EventRecorded,
                    format!("recorded as occurring on {d}"),
                    vec![i],
                ),
                (Some(d), None, _) => {
                    Reason::rule(Rule::EventFixed, format!("fixed by the agreement: {d}"))
                }
                (None, _, Some(_)) => Reason::rule(
                    Rule::EventFixed,
                    "fixed by the agreement relative to a date not known yet",
                ),
                (None, _, None) => {
                    Reason::rule(Rule::EventNotRecorded, "not recorded in the log yet")
                }
            };
            let at = entry.and_then(|i| {
                cal.core.others.iter().find_map(|o| match &o.statement {
                    crate::statement::Statement::EventOccurred(x)
                        if o.index == i && !x.on.is_plain() =>
                    {
                        Some(x.on.clone())
                    }
                    _ => None,
                })
            });
            EventState {
                id: e.id.clone(),
                date: at
                    .as_ref()
                    .map_or(date, |m| Some(cal.core.day(m.instant()))),
                at,
                reasons: vec![reason],
                occurrences: view
                    .and_then(|v| v.occurrences.get(&e.id).cloned())
                    .unwrap_or_default(),
            }
        })
        .collect()
}

fn versions_out(cal: &calendar::Calendar<'_>) -> Vec<VersionState> {
    cal.core
        .versions
        .iter()
        .zip(&cal.views)
        .map(|(v, view)| VersionState {
            version: v.version,
            in_force: view.in_force,
            effective: view.effective,
            reasons: view.reasons.clone(),
        })
        .collect()
}

/// Lens rejections: evidence refused by the governing version and by every other version
/// in force.
fn lens_rejections(cal: &calendar::Calendar<'_>, rejected: &mut Rejected) {
    let core = cal.core;
    let in_force: Vec<usize> = cal
        .views
        .iter()
        .enumerate()
        .filter(|(i, v)| *i == cal.current || v.in_force)
        .map(|(i, _)| i)
        .collect();
    let Some(lens) = core.lenses.get(cal.current) else {
        return;
    };
    for (index, (key, reason)) in &lens.rejected {
        if *key <= cal.cut
            && in_force.iter().all(|&v| {
                core.lenses
                    .get(v)
                    .is_none_or(|l| l.rejected.contains_key(index))
            })
        {
            rejected.push((*index, reason.clone()));
        }
    }
}

/// Rejected entries by log index, each once with the first reason found.
fn rejected_out(mut rejected: Rejected) -> Vec<RejectedEntry> {
    let mut out: Vec<RejectedEntry> = Vec::new();
    rejected.sort_by_key(|r| r.0);
    for (index, reason) in rejected {
        if out.last().is_some_and(|r| r.entry.0 == index) {
            continue;
        }
        out.push(RejectedEntry {
            entry: LogIndex(index),
            reason,
        });
    }
    out
}

/// A commitment status's name, for the timeline.
pub(crate) fn phases_status_name(s: CommitmentStatus) -> &'static str {
    conditions::status_name(s)
}
