//! Deriving the [`State`] from what was ingested, as of a record-time cut.
//!
//! The order is fixed and each step reads only the steps before it: versions in force →
//! events → disputes (from the log and the calendar alone, never from statuses: the
//! overdue escalations look for reports in the log directly) → review periods → indicator
//! statuses (per reporting period, then per review, with the disputes' effects) →
//! commitment statuses → phases (in schedule order) → triggers (their walk, pauses while a
//! dispute freezes a finding, fires, and relief earned again after a fire under
//! `re_earn`) → relief actions and decisions (with the disputes over decisions) → phases
//! reverted or earned again → rejected entries → exemptions, last and unconditionally.
//!
//! INVARIANT: nothing here reads an entry recorded after the cut: every access to the log
//! goes through `Ctx::alive`, the disputes' own check of the same rule, or a quorum
//! computed under the cut.

mod disputes;
mod phases;
mod relief;
mod triggers;

use std::collections::BTreeMap;

use crate::agreement::{
    Agreement, Comparison, Indicator, IndicatorTarget, OverduePolicy, Tolerance,
};
use crate::id::{CommitmentId, EventId, IndicatorId, PhaseId, StageId};
use crate::rule::{CommitmentStatus, DateAnchor, DateRule};
use crate::statement::{LogIndex, Statement};
use crate::time::{CalendarDuration, Date, Instant, Period};

use super::ingest::{Core, LensIndicator, Role};
use super::quorum::{self, Cell, Outcome};
use super::state::{
    CommitmentReview, CommitmentState, EventState, IndicatorReview, IndicatorState,
    IndicatorStatus, Reason, RejectedEntry, ReportingPeriodState, ReviewState, State, VersionState,
};
use super::{EvalError, Key, date_of, epoch_day};

/// Reporting or review periods generated for one schedule, at most this many (a daily
/// cadence over more than 270 years is not an agreement).
const MAX_PERIODS: u32 = 100_000;

/// A quorum computed while deriving, to be cached by the evaluator.
pub(crate) struct CacheFill {
    pub lens: usize,
    pub indicator: usize,
    pub start: Date,
    pub cell: Cell,
}

/// Dates that rules refer to.
#[derive(Debug, Clone, Default)]
pub(crate) struct Anchors {
    pub events: BTreeMap<EventId, Date>,
    pub phases: BTreeMap<PhaseId, Date>,
    /// The latest date each dispute stage began.
    pub stages: BTreeMap<StageId, Date>,
}

impl Anchors {
    pub fn resolve(&self, rule: &DateRule) -> Option<Date> {
        rule.resolve(&|a| match a {
            DateAnchor::Event(e) => self.events.get(e).copied(),
            DateAnchor::PhaseEntered(p) => self.phases.get(p).copied(),
            DateAnchor::StageBegan(s) => self.stages.get(s).copied(),
        })
    }
}

/// The `k`-th date of a schedule that starts on `start` and repeats `every`, computed by
/// multiplying (not by repeated addition, which would drift at month ends).
pub(crate) fn nth(start: Date, every: CalendarDuration, k: u32) -> Option<Date> {
    let k = i64::from(k);
    let span = jiff::Span::new()
        .try_years(i64::from(every.years).checked_mul(k)?)
        .ok()?
        .try_months(i64::from(every.months).checked_mul(k)?)
        .ok()?
        .try_weeks(i64::from(every.weeks).checked_mul(k)?)
        .ok()?
        .try_days(i64::from(every.days).checked_mul(k)?)
        .ok()?;
    start.checked_add(span).ok()
}

/// The periods of a schedule that have begun by `date`.
pub(crate) fn periods(start: Date, every: CalendarDuration, date: Date) -> Vec<Period> {
    let mut out = Vec::new();
    if every.is_zero() {
        return out;
    }
    for k in 0..MAX_PERIODS {
        let Some(s) = nth(start, every, k) else { break };
        if s > date {
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

/// What one version makes of the log.
pub(crate) struct VersionView {
    pub anchors: Anchors,
    /// The entry that recorded each event (for reasons).
    pub event_entries: BTreeMap<EventId, LogIndex>,
    pub effective: Option<Date>,
    pub in_force: bool,
    pub reasons: Vec<Reason>,
}

/// An indicator's status at one review, before it is turned into output.
#[derive(Debug, Clone)]
pub(crate) struct ReviewCell {
    pub status: IndicatorStatus,
    pub late: bool,
    /// A breach whose cure window is still open: not a breach of the commitment yet.
    pub pending_cure: bool,
    /// When the latest report it rests on was recorded.
    pub known: Option<Date>,
    pub reasons: Vec<Reason>,
}

/// Everything later steps need.
pub(crate) struct Ctx<'a> {
    pub core: &'a Core,
    pub cut: Key,
    pub date: Date,
    /// The version governing the evaluation date.
    pub current: usize,
    pub views: Vec<VersionView>,
    pub reviews: Vec<ReviewState>,
    /// How many reviews have concluded (they are the first ones).
    pub concluded: u32,
    /// Per commitment, its review statuses indexed by review number − 1.
    pub commitments: BTreeMap<CommitmentId, Vec<Option<CommitmentReview>>>,
    /// Per commitment and review, the record date of the latest report its status rests on.
    pub commitment_known: BTreeMap<CommitmentId, Vec<Option<Date>>>,
    /// Entered phases and their dates.
    pub reached: BTreeMap<PhaseId, Date>,
    pub rejected: Vec<(u64, String)>,
    /// Commitments with an indicator whose overdue policy holds relief and that is overdue
    /// now: the indicator and the first overdue period.
    pub held: BTreeMap<CommitmentId, (IndicatorId, Period)>,
    /// Per commitment, the state of the disputes over its findings.
    pub disputes: BTreeMap<CommitmentId, (crate::rule::DisputeState, Date)>,
    /// Per decision entry disputed, where it stands (filled from the disputes).
    pub decision_disputes: BTreeMap<LogIndex, disputes::DecisionDispute>,
    /// Relief reverted by fired triggers, per action one reversion per trigger that fired
    /// on it, in fire-date order (filled by `triggers::triggers`).
    pub reverted: BTreeMap<crate::id::ActionId, Vec<triggers::Reverted>>,
    /// The disputes as walked (a countdown pauses while one freezes a finding its trigger's
    /// condition rests on).
    pub dispute_states: Vec<super::state::DisputeState>,
    /// For commitments with a disputed finding: their review statuses and known dates as
    /// the monitors made the findings, without any dispute's effect.
    pub undisputed: BTreeMap<CommitmentId, Undisputed>,
    /// Per trigger that fired, its latest fire and what was earned again after it (filled
    /// by `triggers::triggers`, in fire-date order; a re-entry another trigger's later
    /// fire overtook is left out).
    pub fires: Vec<triggers::LastFire>,
}

/// A commitment's review statuses and known dates, as in `Ctx::commitments` and
/// `Ctx::commitment_known`.
pub(crate) type Undisputed = (Vec<Option<CommitmentReview>>, Vec<Option<Date>>);

impl Ctx<'_> {
    /// The governing agreement version.
    pub fn agreement(&self) -> Option<&Agreement> {
        self.core.versions.get(self.current)
    }

    /// The current version's anchors, with the phases entered so far.
    pub fn anchors(&self) -> Anchors {
        let mut a = self
            .views
            .get(self.current)
            .map(|v| v.anchors.clone())
            .unwrap_or_default();
        a.phases = self.reached.clone();
        a
    }

    /// Whether an entry is recorded under the cut and not superseded or retracted under it.
    pub fn alive(&self, key: Key, index: LogIndex) -> bool {
        key <= self.cut
            && self
                .core
                .entries
                .get(&index.0)
                .and_then(|r| r.killed_by)
                .is_none_or(|k| k > self.cut)
    }

    /// A participant's role in the current version.
    pub fn role_of(&self, id: &crate::id::ParticipantId) -> Role {
        let lens = self.core.lenses.get(self.current);
        match (lens, self.core.names.participants.get(id.as_str())) {
            (Some(lens), Some(&n)) => lens.roles.get(n as usize).cloned().unwrap_or(Role::Unknown),
            _ => Role::Unknown,
        }
    }
}

/// Derives the state as of `as_of`, and the quorums worth caching.
pub(crate) fn state(
    core: &Core,
    as_of: Instant,
    cache: bool,
) -> Result<(State, Vec<CacheFill>), EvalError> {
    let Some(first) = core.versions.first() else {
        return Err(EvalError::NoVersions);
    };
    let date = date_of(as_of);
    let cut: Key = (as_of, u64::MAX);
    let everything = cache && core.last.is_none_or(|l| l <= cut);
    let mut rejected: Vec<(u64, String)> = core
        .rejected
        .iter()
        .filter(|(k, _, _)| *k <= cut)
        .map(|(_, i, r)| (i.0, r.clone()))
        .collect();

    // Versions in force and their anchors.
    let mut views = Vec::with_capacity(core.versions.len());
    for (i, version) in core.versions.iter().enumerate() {
        views.push(version_view(core, cut, date, i, version, &mut rejected));
    }
    if let Some(effective) = views.first().and_then(|v| v.effective)
        && effective > date
    {
        return Err(EvalError::BeforeAgreement { as_of, effective });
    }
    let governing_in = |views: &[VersionView], d: Date| -> usize {
        views
            .iter()
            .enumerate()
            .rev()
            .find(|(i, v)| *i == 0 || (v.in_force && v.effective.is_some_and(|e| e <= d)))
            .map_or(0, |(i, _)| i)
    };
    let current = governing_in(&views, date);
    let agreement = core.versions.get(current).unwrap_or(first);

    // Disputes, from the log and the calendar alone: their effects on findings are needed
    // by the indicator statuses below, and the stages' start dates by date rules.
    let events = views
        .get(current)
        .map(|v| v.anchors.clone())
        .unwrap_or_default();
    let dispute_eval = disputes::disputes(core, agreement, current, &events, cut, date);
    rejected.extend(dispute_eval.rejected.iter().cloned());
    for view in &mut views {
        view.anchors.stages = dispute_eval.stage_began.clone();
    }
    let governing = |d: Date| governing_in(&views, d);

    // Review periods, by the current version's schedule.
    let review_start = views
        .get(current)
        .and_then(|v| v.anchors.resolve(&agreement.review.starts));
    let reviews: Vec<ReviewState> = review_start
        .map(|s| periods(s, agreement.review.every, date))
        .unwrap_or_default()
        .into_iter()
        .zip(1u32..)
        .map(|(period, number)| ReviewState {
            number,
            period,
            concluded: period.end() < date,
            version: core
                .versions
                .get(governing(period.start()))
                .map_or(1, |v| v.version),
        })
        .collect();
    let concluded = u32::try_from(reviews.iter().filter(|r| r.concluded).count()).unwrap_or(0);

    // Indicator statuses, per version that governs a review (and the current one).
    let mut fills = Vec::new();
    let mut used: Vec<usize> = reviews
        .iter()
        .map(|r| governing(r.period.start()))
        .collect();
    used.push(current);
    used.sort_unstable();
    used.dedup();
    let mut indicator_out: BTreeMap<IndicatorId, IndicatorState> = BTreeMap::new();
    let mut order: Vec<IndicatorId> = Vec::new();
    // (version, indicator id) → review cells by review number − 1.
    let mut cells: BTreeMap<(usize, IndicatorId), Vec<Option<ReviewCell>>> = BTreeMap::new();
    // The same, as the monitors made them, for indicators with a disputed finding: a
    // trigger invoked before a dispute opened is judged on the finding as it then stood.
    let mut undisputed_cells: BTreeMap<(usize, IndicatorId), Vec<Option<ReviewCell>>> =
        BTreeMap::new();
    // Later versions first, so that an indicator's periods come from the newest version.
    for &v in used.iter().rev() {
        let (Some(version), Some(lens), Some(view)) =
            (core.versions.get(v), core.lenses.get(v), views.get(v))
        else {
            continue;
        };
        let governed: Vec<&ReviewState> = reviews
            .iter()
            .filter(|r| governing(r.period.start()) == v)
            .collect();
        for (i, (indicator, lind)) in version.indicators.iter().zip(&lens.indicators).enumerate() {
            let mut periods = indicator_periods(
                v,
                i,
                indicator,
                lind,
                &view.anchors,
                cut,
                date,
                everything,
                &mut fills,
                &mut rejected,
            );
            if dispute_eval
                .findings
                .iter()
                .any(|f| f.indicator == indicator.id)
            {
                let mut raw = vec![None; reviews.len()];
                for review in &governed {
                    let cell = review_cell(date, indicator, &periods, review);
                    if let Some(slot) = raw.get_mut(review.number as usize - 1) {
                        *slot = Some(cell);
                    }
                }
                undisputed_cells.insert((v, indicator.id.clone()), raw);
            }
            disputes::apply(&dispute_eval, &indicator.id, &mut periods);
            // A finding whose effect a dispute takes away counts as unverified for the
            // reviews (and so for phases, triggers and relief); the period keeps the
            // monitors' finding for display.
            let effective: Vec<ReportingPeriodState> = periods
                .iter()
                .map(|p| {
                    let mut p = p.clone();
                    if p.frozen {
                        p.status = IndicatorStatus::Unverified;
                    }
                    p
                })
                .collect();
            let mut by_review = vec![None; reviews.len()];
            for review in &governed {
                let cell = review_cell(date, indicator, &effective, review);
                if let Some(slot) = by_review.get_mut(review.number as usize - 1) {
                    *slot = Some(cell);
                }
            }
            let out = indicator_out
                .entry(indicator.id.clone())
                .or_insert_with(|| {
                    order.push(indicator.id.clone());
                    IndicatorState {
                        id: indicator.id.clone(),
                        commitment: indicator.commitment.clone(),
                        reviews: Vec::new(),
                        periods: Vec::new(),
                    }
                });
            // The newest version's periods are the ones shown (versions are visited
            // newest first).
            if out.periods.is_empty() {
                out.periods = periods;
            }
            for (n, cell) in by_review.iter().enumerate() {
                if let Some(cell) = cell {
                    out.reviews.push(IndicatorReview {
                        review: u32::try_from(n + 1).unwrap_or(u32::MAX),
                        status: cell.status,
                        late: cell.late,
                        reasons: cell.reasons.clone(),
                    });
                }
            }
            cells.insert((v, indicator.id.clone()), by_review);
        }
    }
    let mut indicators: Vec<IndicatorState> = Vec::with_capacity(order.len());
    // Output in the current version's order, then indicators only older versions have.
    let mut seen = std::collections::BTreeSet::new();
    for id in agreement
        .indicators
        .iter()
        .map(|i| i.id.clone())
        .chain(order.iter().cloned())
    {
        if seen.insert(id.clone())
            && let Some(mut s) = indicator_out.remove(&id)
        {
            s.reviews.sort_by_key(|r| r.review);
            indicators.push(s);
        }
    }

    // Commitment statuses per review.
    let mut commitments: BTreeMap<CommitmentId, Vec<Option<CommitmentReview>>> = BTreeMap::new();
    let mut commitment_titles: Vec<(CommitmentId, String)> = Vec::new();
    let mut commitment_known: BTreeMap<CommitmentId, Vec<Option<Date>>> = BTreeMap::new();
    let mut undisputed_reviews: BTreeMap<
        CommitmentId,
        Vec<(usize, CommitmentReview, Option<Date>)>,
    > = BTreeMap::new();
    for &v in used.iter().rev() {
        let Some(version) = core.versions.get(v) else {
            continue;
        };
        for c in &version.commitments {
            if !commitment_titles.iter().any(|(id, _)| id == &c.id) {
                commitment_titles.push((c.id.clone(), c.title.clone()));
            }
            let slots = commitments
                .entry(c.id.clone())
                .or_insert_with(|| vec![None; reviews.len()]);
            for review in reviews.iter().filter(|r| governing(r.period.start()) == v) {
                let n = review.number as usize - 1;
                let members: Vec<(&IndicatorId, Option<&ReviewCell>)> = version
                    .indicators_of(&c.id)
                    .map(|i| {
                        (
                            &i.id,
                            cells
                                .get(&(v, i.id.clone()))
                                .and_then(|cs| cs.get(n))
                                .and_then(|c| c.as_ref()),
                        )
                    })
                    .collect();
                if let Some(slot) = slots.get_mut(n) {
                    *slot = Some(roll_up(review.number, &members));
                }
                let known = members
                    .iter()
                    .filter_map(|(_, c)| c.and_then(|c| c.known))
                    .max();
                if let Some(slot) = commitment_known
                    .entry(c.id.clone())
                    .or_insert_with(|| vec![None; reviews.len()])
                    .get_mut(n)
                {
                    *slot = known;
                }
                // As the monitors made the findings, when one of its indicators is disputed.
                if version
                    .indicators_of(&c.id)
                    .any(|i| undisputed_cells.contains_key(&(v, i.id.clone())))
                {
                    let raw: Vec<(&IndicatorId, Option<&ReviewCell>)> = version
                        .indicators_of(&c.id)
                        .map(|i| {
                            let key = (v, i.id.clone());
                            (
                                &i.id,
                                undisputed_cells
                                    .get(&key)
                                    .or_else(|| cells.get(&key))
                                    .and_then(|cs| cs.get(n))
                                    .and_then(|c| c.as_ref()),
                            )
                        })
                        .collect();
                    let known = raw
                        .iter()
                        .filter_map(|(_, c)| c.and_then(|c| c.known))
                        .max();
                    undisputed_reviews.entry(c.id.clone()).or_default().push((
                        n,
                        roll_up(review.number, &raw),
                        known,
                    ));
                }
            }
        }
    }

    let mut undisputed: BTreeMap<CommitmentId, Undisputed> = BTreeMap::new();
    for (c, rows) in undisputed_reviews {
        let mut entry = (
            commitments.get(&c).cloned().unwrap_or_default(),
            commitment_known.get(&c).cloned().unwrap_or_default(),
        );
        for (n, review, known) in rows {
            if let Some(slot) = entry.0.get_mut(n) {
                *slot = Some(review);
            }
            if let Some(slot) = entry.1.get_mut(n) {
                *slot = known;
            }
        }
        undisputed.insert(c, entry);
    }

    // Indicators of the governing version that hold relief while a report is overdue.
    let mut held: BTreeMap<CommitmentId, (IndicatorId, Period)> = BTreeMap::new();
    for indicator in &agreement.indicators {
        if indicator.overdue != OverduePolicy::HoldRelief {
            continue;
        }
        let overdue = indicators
            .iter()
            .find(|s| s.id == indicator.id)
            .and_then(|s| {
                s.periods
                    .iter()
                    .find(|p| p.status == IndicatorStatus::Overdue)
            });
        if let Some(p) = overdue {
            held.entry(indicator.commitment.clone())
                .or_insert((indicator.id.clone(), p.period));
        }
    }

    let mut ctx = Ctx {
        core,
        cut,
        date,
        current,
        views,
        reviews,
        concluded,
        commitments,
        commitment_known,
        reached: BTreeMap::new(),
        rejected,
        held,
        disputes: dispute_eval.by_commitment.clone(),
        decision_disputes: dispute_eval.decisions.clone(),
        reverted: BTreeMap::new(),
        dispute_states: dispute_eval.states.clone(),
        undisputed,
        fires: Vec::new(),
    };
    let mut phases = phases::phases(&mut ctx);
    let triggers = triggers::triggers(&mut ctx);
    triggers::reenter(&mut ctx);
    let (relief, decisions) = relief::relief(&mut ctx);
    triggers::revert_phases(&ctx, &mut phases);
    let relief_by_measure = relief::by_measure(agreement, &relief);
    let disputes = dispute_eval.states;

    let commitments_out = commitment_titles
        .into_iter()
        .map(|(id, title)| {
            let reviews: Vec<CommitmentReview> = ctx
                .commitments
                .get(&id)
                .map(|rs| rs.iter().flatten().cloned().collect())
                .unwrap_or_default();
            let current = ctx
                .commitments
                .get(&id)
                .and_then(|rs| {
                    rs.iter()
                        .take(ctx.concluded as usize)
                        .rev()
                        .flatten()
                        .next()
                })
                .map(|r| r.status);
            CommitmentState {
                id,
                title,
                current,
                reviews,
            }
        })
        .collect();

    let events = agreement
        .events
        .iter()
        .map(|e| {
            let view = ctx.views.get(current);
            let date = view.and_then(|v| v.anchors.events.get(&e.id).copied());
            let entry = view.and_then(|v| v.event_entries.get(&e.id).copied());
            let reason = match (date, entry, &e.date) {
                (Some(d), Some(i), _) => Reason::with_entries(
                    "event.recorded",
                    format!("recorded as occurring on {d}"),
                    vec![i],
                ),
                (Some(d), None, _) => {
                    Reason::rule("event.fixed", format!("fixed by the agreement: {d}"))
                }
                (None, _, Some(_)) => Reason::rule(
                    "event.fixed",
                    "fixed by the agreement relative to a date not known yet",
                ),
                (None, _, None) => {
                    Reason::rule("event.not_recorded", "not recorded in the log yet")
                }
            };
            EventState {
                id: e.id.clone(),
                date,
                reasons: vec![reason],
            }
        })
        .collect();

    let versions = core
        .versions
        .iter()
        .zip(&ctx.views)
        .map(|(v, view)| VersionState {
            version: v.version,
            in_force: view.in_force,
            effective: view.effective,
            reasons: view.reasons.clone(),
        })
        .collect();

    // Lens rejections: evidence refused by the governing version and by every other
    // version in force.
    let in_force: Vec<usize> = ctx
        .views
        .iter()
        .enumerate()
        .filter(|(i, v)| *i == current || v.in_force)
        .map(|(i, _)| i)
        .collect();
    if let Some(lens) = core.lenses.get(current) {
        for (index, (key, reason)) in &lens.rejected {
            if *key <= cut
                && in_force.iter().all(|&v| {
                    core.lenses
                        .get(v)
                        .is_none_or(|l| l.rejected.contains_key(index))
                })
            {
                ctx.rejected.push((*index, reason.clone()));
            }
        }
    }
    let mut rejected_out: Vec<RejectedEntry> = Vec::new();
    ctx.rejected.sort_by_key(|r| r.0);
    for (index, reason) in ctx.rejected {
        if rejected_out.last().is_some_and(|r| r.entry.0 == index) {
            continue;
        }
        rejected_out.push(RejectedEntry {
            entry: LogIndex(index),
            reason,
        });
    }

    let entries = u64::try_from(core.keys.partition_point(|k| *k <= cut)).unwrap_or(u64::MAX);
    let mut state = State {
        agreement: first.id.clone(),
        version: agreement.version,
        as_of,
        date,
        entries,
        versions,
        reviews: ctx.reviews,
        indicators,
        commitments: commitments_out,
        phases,
        relief,
        relief_by_measure,
        exemptions: Vec::new(),
        triggers,
        disputes,
        decisions,
        events,
        rejected: rejected_out,
    };
    // INVARIANT: the last step, with no condition: exemptions are in force in every state.
    state.exemptions = relief::exemptions(&core.versions, &ctx.views);
    Ok((state, fills))
}

/// Which events a version knows the date of, and whether it is in force.
fn version_view(
    core: &Core,
    cut: Key,
    date: Date,
    i: usize,
    version: &Agreement,
    rejected: &mut Vec<(u64, String)>,
) -> VersionView {
    let lens = core.lenses.get(i);
    let alive = |key: Key, index: LogIndex| {
        key <= cut
            && core
                .entries
                .get(&index.0)
                .and_then(|r| r.killed_by)
                .is_none_or(|k| k > cut)
    };
    let role = |id: &crate::id::ParticipantId| -> Role {
        match (lens, core.names.participants.get(id.as_str())) {
            (Some(l), Some(&n)) => l.roles.get(n as usize).cloned().unwrap_or(Role::Unknown),
            _ => Role::Unknown,
        }
    };
    let mut anchors = Anchors::default();
    let mut event_entries = BTreeMap::new();
    // Recorded events: the first recording that counts wins.
    for other in &core.others {
        let Statement::EventOccurred(occurred) = &other.statement else {
            continue;
        };
        if !alive(other.key, other.index) {
            continue;
        }
        let problem = match version.events.iter().find(|e| e.id == occurred.event) {
            None => Some(format!(
                "event `{}` is not declared in the agreement",
                occurred.event
            )),
            Some(e) if e.date.is_some() => Some(format!(
                "event `{}` has a date fixed by the agreement; it is not recorded",
                occurred.event
            )),
            Some(_) => {
                if other
                    .authors
                    .iter()
                    .all(|a| role(a).may_state(crate::statement::StatementKind::EventOccurred))
                {
                    None
                } else {
                    Some(format!(
                        "only an authority records that event `{}` occurred",
                        occurred.event
                    ))
                }
            }
        };
        match problem {
            Some(reason) => {
                // Reported once, by the version 1 view (later views repeat the check).
                if i == 0 {
                    rejected.push((other.index.0, reason));
                }
            }
            None => {
                if let Some(&earlier) = event_entries.get(&occurred.event) {
                    if i == 0 {
                        rejected.push((
                            other.index.0,
                            format!(
                                "event `{}` was already recorded by entry {earlier}",
                                occurred.event
                            ),
                        ));
                    }
                } else {
                    anchors.events.insert(occurred.event.clone(), occurred.on);
                    event_entries.insert(occurred.event.clone(), other.index);
                }
            }
        }
    }
    // Fixed events may depend on each other: resolve to a fixed point.
    for _ in 0..=version.events.len() {
        let mut changed = false;
        for e in &version.events {
            if anchors.events.contains_key(&e.id) {
                continue;
            }
            if let Some(d) = e.date.as_ref().and_then(|r| anchors.resolve(r)) {
                anchors.events.insert(e.id.clone(), d);
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    let effective = anchors.resolve(&version.effective);
    let mut reasons = Vec::new();
    let in_force = if i == 0 {
        let ok = effective.is_some_and(|e| e <= date);
        reasons.push(match effective {
            Some(e) if ok => Reason::rule("version.adopted", format!("in force since {e}")),
            Some(e) => Reason::rule("version.adopted", format!("takes effect on {e}")),
            None => Reason::rule(
                "version.adopted",
                "its effective date depends on an event not recorded yet",
            ),
        });
        ok
    } else {
        // Signatures by every signatory, recorded under the cut.
        let mut signed: Vec<LogIndex> = Vec::new();
        let mut missing = Vec::new();
        for signatory in &version.signatories {
            let found = core.others.iter().find(|o| {
                matches!(&o.statement, Statement::AmendmentSignature(s) if s.version == version.version)
                    && o.authors.contains(signatory)
                    && alive(o.key, o.index)
            });
            match found {
                Some(o) => signed.push(o.index),
                None => missing.push(signatory.to_string()),
            }
        }
        let effective_ok = effective.is_some_and(|e| e <= date);
        reasons.push(if missing.is_empty() {
            Reason::with_entries(
                "version.signed",
                "signed by every signatory".to_owned(),
                signed,
            )
        } else {
            Reason::with_entries(
                "version.signed",
                format!("awaiting the signature of {}", missing.join(", ")),
                signed,
            )
        });
        reasons.push(Reason::rule(
            "version.effective",
            match effective {
                Some(e) => format!("effective from {e}"),
                None => "its effective date depends on an event not recorded yet".to_owned(),
            },
        ));
        missing.is_empty() && effective_ok
    };
    // Signatures that no version expects are rejected (reported by the version 1 view).
    if i == 0 {
        for o in &core.others {
            if let Statement::AmendmentSignature(s) = &o.statement
                && o.key <= cut
            {
                let expected = core.versions.iter().any(|v| {
                    v.version == s.version && o.authors.iter().all(|a| v.signatories.contains(a))
                });
                if !expected {
                    rejected.push((
                        o.index.0,
                        format!(
                            "no version {} lists every author of this signature as a signatory",
                            s.version
                        ),
                    ));
                }
            }
        }
    }
    VersionView {
        anchors,
        event_entries,
        effective,
        in_force,
        reasons,
    }
}

/// The statuses of every reporting period of an indicator that has begun.
#[allow(clippy::too_many_arguments)]
fn indicator_periods(
    v: usize,
    i: usize,
    indicator: &Indicator,
    lind: &LensIndicator,
    anchors: &Anchors,
    cut: Key,
    date: Date,
    everything: bool,
    fills: &mut Vec<CacheFill>,
    rejected: &mut Vec<(u64, String)>,
) -> Vec<ReportingPeriodState> {
    let Some(start) = anchors.resolve(&indicator.starts) else {
        return Vec::new();
    };
    let schedule = periods(start, indicator.cadence, date);
    // Evidence before the first reporting period counts for nothing.
    if let Some(first) = schedule.first()
        && let Some(before) = first.start().yesterday().ok()
    {
        for (&(_, key), obs) in lind.obs.range(..=(before, super::ingest::MAX_KEY)) {
            if key <= cut {
                rejected.push((
                    obs.index,
                    format!(
                        "observes a period that ends before indicator `{}` starts on {}",
                        indicator.id,
                        first.start()
                    ),
                ));
            }
        }
    }
    let mut out = Vec::with_capacity(schedule.len());
    let mut misses = 0u32;
    for period in schedule {
        let (s, e) = (period.start(), period.end());
        let cached = lind
            .cells
            .get(&s)
            .filter(|c| c.end == e && c.max_key <= cut);
        let computed;
        let cell = match cached {
            Some(c) => c,
            None => {
                computed = quorum::decide(lind, s, e, Some(cut));
                if everything {
                    fills.push(CacheFill {
                        lens: v,
                        indicator: i,
                        start: s,
                        cell: computed.clone(),
                    });
                }
                &computed
            }
        };
        for (key, index, reason) in &cell.ignored {
            if *key <= cut {
                rejected.push((*index, reason.clone()));
            }
        }
        let rp = period_status(
            indicator,
            lind,
            anchors,
            cut,
            date,
            period,
            cell,
            &mut misses,
        );
        out.push(rp);
    }
    out
}

/// The status of one reporting period on the evaluation date.
#[allow(clippy::too_many_arguments)]
fn period_status(
    indicator: &Indicator,
    lind: &LensIndicator,
    anchors: &Anchors,
    cut: Key,
    date: Date,
    period: Period,
    cell: &Cell,
    misses: &mut u32,
) -> ReportingPeriodState {
    let deadline = indicator.grace.after(period.end());
    let in_grace = deadline.is_none_or(|d| date <= d);
    let grace_text = deadline.map_or_else(|| "its grace period".to_owned(), |d| d.to_string());
    let ids = |v: &[u64]| v.iter().map(|&i| LogIndex(i)).collect::<Vec<_>>();
    let mut out = ReportingPeriodState {
        period,
        status: IndicatorStatus::Missing,
        value: None,
        late: false,
        cure_until: None,
        cured: false,
        known: cell.known.map(|k| date_of(k.0)),
        reasons: Vec::new(),
        frozen: false,
    };
    let was_overdue = matches!(cell.outcome, Outcome::Empty) && !in_grace;
    if !was_overdue {
        *misses = 0;
    }
    match &cell.outcome {
        Outcome::Decided {
            value,
            agreeing,
            dissent,
            late,
            self_reported,
            voices,
            needed,
        } => {
            let (compliant, why) = complies(indicator, anchors, *value);
            out.value = Some(*value);
            out.late = *late;
            let who = if *self_reported && *voices == 1 {
                "the target's own report (self-reports suffice for this indicator)".to_owned()
            } else {
                format!("{voices} agreeing report(s), quorum {needed}")
            };
            let mut entries = ids(agreeing);
            entries.extend(ids(dissent));
            out.reasons.push(Reason::with_entries(
                "indicator.quorum",
                format!(
                    "{who}: {why}{}",
                    if dissent.is_empty() {
                        String::new()
                    } else {
                        format!("; {} dissenting report(s) outside tolerance", dissent.len())
                    }
                ),
                entries,
            ));
            if *late {
                out.reasons.push(Reason::with_entries(
                    "indicator.late",
                    format!("reported after {grace_text}, the end of the grace period; counted and marked late"),
                    ids(agreeing),
                ));
            }
            if compliant {
                out.status = IndicatorStatus::Compliant;
            } else {
                out.status = IndicatorStatus::Noncompliant;
                if let Some(window) = indicator.cure {
                    cure(
                        indicator, lind, anchors, cut, date, period, window, &mut out,
                    );
                }
            }
        }
        Outcome::Contested { entries, values } => {
            out.status = IndicatorStatus::Contested;
            let shown: Vec<String> = values.iter().map(|v| format!("{v}")).collect();
            out.reasons.push(Reason::with_entries(
                "indicator.contested",
                format!(
                    "monitors disagree beyond the protocol's tolerance (values {})",
                    shown.join(", ")
                ),
                ids(entries),
            ));
        }
        Outcome::Insufficient {
            entries,
            have,
            needed,
        } => {
            if in_grace {
                out.status = IndicatorStatus::Missing;
                out.reasons.push(Reason::with_entries(
                    "indicator.missing",
                    format!("{have} agreeing report(s) of the {needed} needed so far; grace runs until {grace_text}"),
                    ids(entries),
                ));
            } else {
                out.status = IndicatorStatus::Unverified;
                out.reasons.push(Reason::with_entries(
                    "indicator.unverified",
                    format!("quorum not reached: {have} agreeing report(s) of the {needed} needed, grace ended {grace_text}"),
                    ids(entries),
                ));
            }
        }
        Outcome::SelfOnly { entries } => {
            out.status = IndicatorStatus::Unverified;
            out.reasons.push(Reason::with_entries(
                "indicator.self_report",
                "only the target's own report, which this protocol does not accept without a monitor",
                ids(entries),
            ));
        }
        Outcome::Empty => {
            if period.end() >= date {
                out.reasons.push(Reason::rule(
                    "indicator.missing",
                    "the period is still running; no report yet",
                ));
            } else if in_grace {
                out.reasons.push(Reason::rule(
                    "indicator.missing",
                    format!("no report yet; grace runs until {grace_text}"),
                ));
            } else {
                *misses = misses.saturating_add(1);
                out.status = IndicatorStatus::Overdue;
                let detail = match &indicator.overdue {
                    OverduePolicy::HoldRelief => format!(
                        "no report by {grace_text}; relief that depends on it is held until it comes"
                    ),
                    OverduePolicy::NoncompliantAfter { misses: allowed } => {
                        if *misses >= (*allowed).max(1) {
                            out.status = IndicatorStatus::Noncompliant;
                            format!(
                                "no report by {grace_text}: {} consecutive missed period(s), non-compliant after {allowed}",
                                misses
                            )
                        } else {
                            format!(
                                "no report by {grace_text}: {} consecutive missed period(s) of the {allowed} allowed",
                                misses
                            )
                        }
                    }
                    OverduePolicy::Escalate { stage } => format!(
                        "no report by {grace_text}; the overdue policy escalates it to dispute stage `{stage}`"
                    ),
                };
                out.reasons.push(Reason::rule("indicator.overdue", detail));
            }
        }
    }
    out
}

/// Whether a decided value meets the indicator's target, and why, in words.
fn complies(indicator: &Indicator, anchors: &Anchors, value: f64) -> (bool, String) {
    match &indicator.target {
        IndicatorTarget::Threshold {
            comparison,
            limit,
            unit,
        } => {
            let ok = match comparison {
                Comparison::Equal => match indicator.verification.tolerance {
                    Tolerance::Exact => value == *limit,
                    Tolerance::Absolute { value: t } => (value - limit).abs() <= t,
                    Tolerance::Relative { fraction } => {
                        (value - limit).abs() <= fraction * value.abs().max(limit.abs())
                    }
                },
                c => c.holds(value, *limit),
            };
            (
                ok,
                format!(
                    "{value} {unit} {} the limit {} {limit} {unit}",
                    if ok { "meets" } else { "breaches" },
                    comparison_text(*comparison)
                ),
            )
        }
        IndicatorTarget::Flag { expected } => {
            let observed = value == 1.0;
            (
                observed == *expected,
                format!("observed `{observed}`, expected `{expected}`"),
            )
        }
        IndicatorTarget::Count { comparison, limit } => {
            let ok = comparison.holds(value, *limit as f64);
            (
                ok,
                format!(
                    "count {value} {} the limit {} {limit}",
                    if ok { "meets" } else { "breaches" },
                    comparison_text(*comparison)
                ),
            )
        }
        IndicatorTarget::Deadline { due } => {
            let done = super::date_from_epoch_day(value as i64);
            match anchors.resolve(due) {
                Some(d) => {
                    let ok = epoch_day(d) as f64 >= value;
                    (
                        ok,
                        format!(
                            "done on {}, due {d}",
                            done.map_or_else(|| "?".to_owned(), |d| d.to_string())
                        ),
                    )
                }
                None => (
                    true,
                    "done; its due date is not known yet, so it cannot be late".to_owned(),
                ),
            }
        }
        IndicatorTarget::Grade { scale, pass } => {
            let got = scale.get(value as usize).map_or("?", String::as_str);
            match scale.iter().position(|g| g == pass) {
                Some(p) => (
                    value >= p as f64,
                    format!("grade `{got}`, pass at `{pass}` or better"),
                ),
                None => (
                    false,
                    format!("grade `{got}`, but the pass grade `{pass}` is not on the scale"),
                ),
            }
        }
    }
}

fn comparison_text(c: Comparison) -> &'static str {
    match c {
        Comparison::AtMost => "of at most",
        Comparison::Below => "of below",
        Comparison::AtLeast => "of at least",
        Comparison::Above => "of above",
        Comparison::Equal => "of exactly",
    }
}

/// A breach is cured when a compliant quorum reports on a period that ends within the
/// cure window after the breached period.
#[allow(clippy::too_many_arguments)]
fn cure(
    indicator: &Indicator,
    lind: &LensIndicator,
    anchors: &Anchors,
    cut: Key,
    date: Date,
    period: Period,
    window: CalendarDuration,
    out: &mut ReportingPeriodState,
) {
    let (Some(until), Ok(from)) = (window.after(period.end()), period.end().tomorrow()) else {
        return;
    };
    out.cure_until = Some(until);
    if from <= until {
        let cell = quorum::decide(lind, from, until, Some(cut));
        if let Outcome::Decided {
            value, agreeing, ..
        } = &cell.outcome
            && complies(indicator, anchors, *value).0
        {
            out.status = IndicatorStatus::Compliant;
            out.cured = true;
            out.known = out.known.max(cell.known.map(|k| date_of(k.0)));
            out.reasons.push(Reason::with_entries(
                "indicator.cure",
                format!(
                    "breach cured by {until}, within its cure window: closed without consequence"
                ),
                agreeing.iter().map(|&i| LogIndex(i)).collect(),
            ));
            return;
        }
    }
    out.reasons.push(Reason::rule(
        "indicator.cure",
        if date <= until {
            format!("the breach may still be cured until {until}")
        } else {
            format!("not cured within its window, which closed on {until}")
        },
    ));
}

/// An indicator's status at a review: the worst of its reporting periods that end in the
/// review, or the latest one before it when none does.
fn review_cell(
    date: Date,
    indicator: &Indicator,
    periods: &[ReportingPeriodState],
    review: &ReviewState,
) -> ReviewCell {
    let inside: Vec<&ReportingPeriodState> = periods
        .iter()
        .filter(|p| review.period.contains(p.period.end()))
        .collect();
    let (chosen, carried): (Vec<&ReportingPeriodState>, bool) = if inside.is_empty() {
        (
            periods
                .iter()
                .rev()
                .find(|p| p.period.end() < review.period.start())
                .into_iter()
                .collect(),
            true,
        )
    } else {
        (inside, false)
    };
    let Some(worst) = chosen.iter().max_by_key(|p| p.status.severity()) else {
        return ReviewCell {
            status: IndicatorStatus::Missing,
            late: false,
            pending_cure: false,
            known: None,
            reasons: vec![Reason::rule(
                "indicator.review",
                format!(
                    "no reporting period of `{}` has ended by this review",
                    indicator.id
                ),
            )],
        };
    };
    let mut reasons = Vec::new();
    let prefixed = |p: &ReportingPeriodState, out: &mut Vec<Reason>| {
        for r in &p.reasons {
            let mut r = r.clone();
            r.detail = format!("{}: {}", p.period, r.detail);
            out.push(r);
        }
    };
    if let [only] = chosen.as_slice() {
        prefixed(only, &mut reasons);
    } else {
        // Many reporting periods in one review (a daily indicator reviewed quarterly):
        // the worst period's own reasons, then one summary per status with the entries.
        if worst.status != IndicatorStatus::Compliant {
            prefixed(worst, &mut reasons);
        }
        let mut by_status: BTreeMap<
            (std::cmp::Reverse<u8>, IndicatorStatus),
            (u32, Vec<LogIndex>),
        > = BTreeMap::new();
        for p in &chosen {
            let slot = by_status
                .entry((std::cmp::Reverse(p.status.severity()), p.status))
                .or_default();
            slot.0 += 1;
            for r in &p.reasons {
                slot.1.extend_from_slice(&r.entries);
            }
        }
        for ((_, status), (count, entries)) in by_status {
            reasons.push(Reason::with_entries(
                "indicator.review",
                format!(
                    "{count} of {} reporting periods ending in this review {}",
                    chosen.len(),
                    status.as_str()
                ),
                entries,
            ));
        }
        if chosen.iter().any(|p| p.late) {
            reasons.push(Reason::rule(
                "indicator.late",
                "a report that counted was recorded after its grace period",
            ));
        }
    }
    if carried {
        reasons.push(Reason::rule(
            "indicator.review",
            format!(
                "no reporting period ends in this review: carried from {}",
                worst.period
            ),
        ));
    }
    let breaches: Vec<&&ReportingPeriodState> = chosen
        .iter()
        .filter(|p| p.status == IndicatorStatus::Noncompliant)
        .collect();
    let pending_cure = !breaches.is_empty()
        && breaches
            .iter()
            .all(|p| p.cure_until.is_some_and(|u| date <= u));
    ReviewCell {
        status: worst.status,
        late: chosen.iter().any(|p| p.late),
        pending_cure,
        known: chosen.iter().filter_map(|p| p.known).max(),
        reasons,
    }
}

/// A commitment's status at a review, from its indicators'.
fn roll_up(review: u32, members: &[(&IndicatorId, Option<&ReviewCell>)]) -> CommitmentReview {
    let _ = review;
    if members.is_empty() {
        return CommitmentReview {
            review,
            status: CommitmentStatus::Unverified,
            reasons: vec![Reason::rule(
                "commitment.no_indicators",
                "the commitment has no indicator, so nothing verifies it",
            )],
        };
    }
    let status_of = |c: Option<&ReviewCell>| c.map_or(IndicatorStatus::Missing, |c| c.status);
    let breach = members.iter().any(|(_, c)| {
        status_of(*c) == IndicatorStatus::Noncompliant && !c.is_some_and(|c| c.pending_cure)
    });
    let contested = members
        .iter()
        .any(|(_, c)| status_of(*c) == IndicatorStatus::Contested);
    let all_compliant = members
        .iter()
        .all(|(_, c)| status_of(*c) == IndicatorStatus::Compliant);
    let status = if breach {
        CommitmentStatus::Noncompliant
    } else if contested {
        CommitmentStatus::Contested
    } else if all_compliant {
        CommitmentStatus::Compliant
    } else {
        CommitmentStatus::Unverified
    };
    let mut entries = Vec::new();
    let mut parts = Vec::new();
    for (id, c) in members {
        let s = status_of(*c);
        let pending = c.is_some_and(|c| c.pending_cure);
        parts.push(format!(
            "`{id}` {}{}",
            s.as_str(),
            if pending { " (cure window open)" } else { "" }
        ));
        if let Some(c) = c {
            for r in &c.reasons {
                entries.extend(r.entries.iter().copied());
            }
        }
    }
    CommitmentReview {
        review,
        status,
        reasons: vec![Reason::with_entries(
            "commitment.indicators",
            parts.join(", "),
            entries,
        )],
    }
}

/// A commitment status's name, for the timeline.
pub(crate) fn phases_status_name(s: CommitmentStatus) -> &'static str {
    phases::status_name(s)
}
