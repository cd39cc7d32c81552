//! One run: a drawn history fed to the engine's incremental [`Evaluator`] in record order,
//! the state looked at once per review (when its findings are final), the participants'
//! reactions drawn from what the engine found, and what the run came to.
//!
//! The engine is never replayed: each entry is appended once, and `Evaluator::look` (on the
//! way) or `Evaluator::statuses` (on the last day) derives the statuses from the quorums it
//! has cached.

use std::collections::{BTreeMap, BTreeSet};

use accord_core::engine::state::{DisputeStatus, IndicatorStatus, PhaseStatus};
use accord_core::engine::{Evaluator, Look, State, end_of_day};
use accord_core::statement::{LogIndex, LoggedStatement};
use accord_core::time::{Date, Instant, Period};

use crate::calendar::{add_days, days_between, periods};
use crate::draw::Draw;
use crate::history::{self, History, Pending};
use crate::plan::Plan;
use crate::react;

/// What one run came to. Days count from the model's start.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RunOutcome {
    /// Per phase (agreement order): the day it was first reached.
    pub phases: Vec<Option<i32>>,
    /// Per trigger: the day it first fired.
    pub triggers: Vec<Option<i32>>,
    /// Per relief action: the days it relieved.
    pub relief_days: Vec<u32>,
    /// Days disputes were open (summed over disputes), and how many there were.
    pub dispute_days: u32,
    /// Disputes opened.
    pub disputes: u32,
    /// Reporting periods ended by the last day, and those contested or unverified.
    pub periods: u32,
    /// See `periods`.
    pub contested: u32,
    /// See `periods`.
    pub unverified: u32,
    /// Per phase: reached on thin verification (a period of the review before entry
    /// verified by exactly the quorum where more monitors could have reported).
    pub thin: Vec<bool>,
    /// Entries the engine refused (a model the agreement does not allow, say).
    pub rejected: u32,
    /// States derived (for the benchmark's account).
    pub states: u32,
}

/// Entries waiting for their record time, in (time, order queued): the drawn history,
/// ordered once, and the reactions queued on the way. A history's few hundred entries
/// were a B-tree's inserts and removals before; now their record times are sorted once
/// (not the entries themselves, which are large: sorting them was a third of drawing a
/// history) and each entry is taken from its place when its turn comes.
pub(crate) struct Queue {
    /// The history's entries in the order drawn, each taken once.
    drawn: Vec<Option<Pending>>,
    /// The record time and place in `drawn` of each entry not taken yet, latest first
    /// (taken from the end).
    order: Vec<(Instant, usize)>,
    /// Entries queued after the history, by (time, order queued).
    later: BTreeMap<(Instant, u64), Pending>,
    queued: u64,
    appended: u64,
}

impl Queue {
    /// The queue of a history's entries, in (time, order drawn).
    fn new(drawn: Vec<Pending>) -> Self {
        // Entries recorded at the same instant come in the order they were drawn: by
        // (time, place), latest first, popped from the end.
        let mut order: Vec<(Instant, usize)> =
            drawn.iter().enumerate().map(|(n, p)| (p.at, n)).collect();
        order.sort_unstable_by(|a, b| b.cmp(a));
        let queued = drawn.len() as u64;
        Queue {
            drawn: drawn.into_iter().map(Some).collect(),
            order,
            later: BTreeMap::new(),
            queued,
            appended: 0,
        }
    }

    /// How many entries of the history are still to come.
    fn pending(&self) -> usize {
        self.order.len() + self.later.len()
    }

    pub fn push(&mut self, p: Pending) {
        self.later.insert((p.at, self.queued), p);
        self.queued += 1;
    }

    /// The next entry recorded by `until`, if any: the history's entries come before
    /// reactions recorded at the same instant (they were queued first).
    fn next(&mut self, until: Instant) -> Option<Pending> {
        let drawn = self.order.last().map(|p| p.0).filter(|at| *at <= until);
        let later = self
            .later
            .first_key_value()
            .map(|(k, _)| k.0)
            .filter(|at| *at <= until);
        match (drawn, later) {
            (Some(d), Some(l)) if l < d => self.later.pop_first().map(|(_, p)| p),
            (Some(_), _) => self
                .order
                .pop()
                .and_then(|(_, n)| self.drawn.get_mut(n).and_then(Option::take)),
            (None, Some(_)) => self.later.pop_first().map(|(_, p)| p),
            (None, None) => None,
        }
    }

    /// Appends every entry recorded by `until` to the evaluator, in record order.
    fn feed(&mut self, plan: &Plan<'_>, ev: &mut Engine<'_>, until: Instant) {
        while let Some(p) = self.next(until) {
            ev.append(LoggedStatement {
                index: LogIndex(self.appended),
                recorded_at: p.at,
                agreement: plan.agreement.id.clone(),
                authors: p.authors,
                statement: p.statement,
            });
            self.appended += 1;
        }
    }
}

/// How each run's log is evaluated.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Evaluation {
    /// The engine's incremental `Evaluator` looked at sparsely: only after a review where a
    /// trigger's condition could hold, and on the last day. Faster, but what a run comes to
    /// can depend on when its state is looked at (relief-days in about a third of the
    /// nuclear model's runs; docs/simulation.md, "When the state is looked at"), so
    /// `accord simulate` does not use it; it is kept to measure what looking costs.
    Incremental,
    /// The naive baseline: a full `evaluate` of the whole log at every look.
    FullReplay,
    /// The incremental `Evaluator` looked at after every review, as the baseline is: the
    /// same looks, so the same reactions drawn, so the same outcomes as
    /// [`Evaluation::FullReplay`] when the engine's incremental states equal full
    /// evaluations (the benchmark checks it). What `accord simulate` runs.
    #[default]
    IncrementalEveryReview,
}

/// The engine behind a run: incremental, or the naive full replay.
enum Engine<'a> {
    Incremental(Box<Evaluator>),
    FullReplay(
        &'a [accord_core::agreement::Agreement],
        Vec<LoggedStatement>,
    ),
}

impl Engine<'_> {
    fn append(&mut self, entry: LoggedStatement) {
        match self {
            Engine::Incremental(ev) => ev.push(entry),
            Engine::FullReplay(_, log) => log.push(entry),
        }
    }

    /// The state as of `as_of`; with its explanations only when `explain` (the runs read
    /// statuses and dates alone).
    fn state(&mut self, as_of: Instant, explain: bool) -> Option<State> {
        match self {
            Engine::Incremental(ev) if explain => ev.state(as_of).ok(),
            Engine::Incremental(ev) => ev.statuses(as_of).ok(),
            Engine::FullReplay(versions, log) => {
                accord_core::engine::evaluate(versions, log, as_of).ok()
            }
        }
    }

    /// Where the agreement stands as of `as_of` (phases, triggers, relief): what a look
    /// on the way reads. The baseline takes it from a full `evaluate`.
    fn look(&mut self, as_of: Instant) -> Option<Look> {
        match self {
            Engine::Incremental(ev) => ev.look(as_of).ok(),
            Engine::FullReplay(versions, log) => {
                accord_core::engine::evaluate(versions, log, as_of)
                    .ok()
                    .map(Look::from)
            }
        }
    }

    /// A look, and the whole state with it when `last` (`Some(explain)`: the last day's).
    fn seen(&mut self, as_of: Instant, last: Option<bool>) -> Option<(Look, Option<State>)> {
        match last {
            None => self.look(as_of).map(|l| (l, None)),
            Some(explain) => self
                .state(as_of, explain)
                .map(|s| (Look::from(&s), Some(s))),
        }
    }
}

/// Runs history `run` of a simulation seeded with `seed`.
pub(crate) fn run(plan: &Plan<'_>, seed: u64, run: u64, evaluation: Evaluation) -> RunOutcome {
    run_to_state(plan, seed, run, evaluation, false).0
}

/// Runs history `run`, and keeps the last state: with its explanations when `explain`
/// (the states looked at on the way never have them: only statuses and dates are read).
///
/// Disputes are drawn after every review from the history itself. The engine's state is
/// looked at after a review (once its grace has passed) only when a trigger's condition
/// could hold ([`react::could_hold`]: an over-approximation from the history and the
/// disputes drawn), and on the last day: a review whose periods were all reported, agreeing
/// and compliant cannot make a trigger available. The naive baseline looks at every review.
pub(crate) fn run_to_state(
    plan: &Plan<'_>,
    seed: u64,
    run: u64,
    evaluation: Evaluation,
    explain: bool,
) -> (RunOutcome, Option<State>) {
    let mut d = Draw::new(seed, run);
    let mut history = history::draw(plan, &mut d);
    let mut ev = match evaluation {
        Evaluation::Incremental | Evaluation::IncrementalEveryReview => match &plan.evaluator {
            Some(ev) => Engine::Incremental(Box::new(ev.clone())),
            None => return (RunOutcome::default(), None),
        },
        Evaluation::FullReplay => Engine::FullReplay(plan.versions, Vec::new()),
    };
    // The queue owns the entries from here on: nothing reads them from the history.
    let queue = Queue::new(std::mem::take(&mut history.entries));
    if let Engine::Incremental(e) = &mut ev {
        // Room for the history's entries and half as many again for the reactions (a few
        // dozen): the evaluator's copy of the log does not grow, moving every entry, a
        // dozen times a run (room for the history alone still had it grow once, by all of
        // it, at the first reaction past it).
        let n = queue.pending();
        e.reserve(n + n / 2);
    }
    let reviews = review_periods(plan, &history);
    let mut r = Runner {
        plan,
        seed,
        run,
        ev,
        queue,
        track: Tracker::new(plan),
        history: &history,
        reviews: &reviews,
    };
    let mut reactions = react::Reactions::default();
    for (k, review) in reviews.iter().enumerate() {
        let Some(check) = plan.grace.after(review.end()).map(|d| add_days(d, 1)) else {
            continue;
        };
        if check >= plan.last {
            break;
        }
        let next = add_days(check, 1);
        let mut d = Draw::for_review(seed, run, k as u64);
        react::disputes(
            plan,
            &history,
            review,
            next,
            &mut reactions,
            &mut r.queue,
            &mut d,
        );
        let look = evaluation != Evaluation::Incremental
            || plan
                .agreement
                .triggers
                .iter()
                .filter(|t| !t.automatic)
                .any(|t| {
                    react::could_hold(plan, &history, &reviews, k, check, &reactions, &t.when)
                });
        if !look {
            continue;
        }
        if let Some((look, _)) = r.look(check, check, None) {
            let mut d = Draw::for_review(seed, run, TRIGGER_STREAM + k as u64);
            react::triggers(plan, &look, next, &mut r.queue, &mut d);
        }
    }
    // The last day counts in full: relief-days run to the day after it.
    let Some((_, Some(last))) = r.look(plan.last, add_days(plan.last, 1), Some(explain)) else {
        return (r.track.outcome, None);
    };
    r.track.finish(plan, &last);
    (r.track.outcome, Some(last))
}

/// The draw streams of a run's reactions: disputes after review k use stream k, trigger
/// steps `TRIGGER_STREAM + k`, relief granted late for phase n `LATE_STREAM + n`, so that
/// how often the state is looked at changes no draw.
const TRIGGER_STREAM: u64 = 1 << 32;
const LATE_STREAM: u64 = 1 << 33;

/// One run under way.
struct Runner<'p, 'a> {
    plan: &'p Plan<'a>,
    seed: u64,
    run: u64,
    ev: Engine<'a>,
    queue: Queue,
    track: Tracker,
    history: &'p History,
    reviews: &'p [Period],
}

impl Runner<'_, '_> {
    /// Where the agreement stands at the end of `cut`, once authorities have reacted to
    /// the phases it shows reached for the first time; taken in as of `seen` (the day
    /// relief is counted to). On the last day (`last` is `Some(explain)`) the whole state
    /// too, with its explanations when `explain`; on the way, only the look.
    fn look(&mut self, cut: Date, seen: Date, last: Option<bool>) -> Option<(Look, Option<State>)> {
        self.queue.feed(self.plan, &mut self.ev, end_of_day(cut));
        let mut now = self.ev.seen(end_of_day(cut), last)?;
        let mut queued = false;
        for n in self.track.fresh(self.plan, &now.0) {
            let mut d = Draw::for_review(self.seed, self.run, LATE_STREAM + n as u64);
            queued |= react::late(
                self.plan,
                &now.0,
                n,
                add_days(self.track.seen, 1),
                &mut self.queue,
                &mut d,
            );
        }
        if queued {
            self.queue.feed(self.plan, &mut self.ev, end_of_day(cut));
            now = self.ev.seen(end_of_day(cut), last)?;
        }
        self.track
            .observe(self.plan, &now.0, seen, self.history, self.reviews);
        Some(now)
    }
}

/// The review periods that end by the last day.
fn review_periods(plan: &Plan<'_>, h: &History) -> Vec<Period> {
    let r = &plan.agreement.review;
    let Some(start) = history::resolve(plan, &h.events, &r.starts) else {
        return Vec::new();
    };
    let end = r
        .ends
        .as_ref()
        .and_then(|e| history::resolve(plan, &h.events, e));
    periods(start, r.every, plan.last, end)
}

/// What the run has come to so far.
struct Tracker {
    outcome: RunOutcome,
    /// The day of the last look, and which actions relieved then.
    seen: Date,
    relieving: Vec<bool>,
}

impl Tracker {
    fn new(plan: &Plan<'_>) -> Self {
        Tracker {
            outcome: RunOutcome {
                phases: vec![None; plan.phases.len()],
                triggers: vec![None; plan.triggers.len()],
                relief_days: vec![0; plan.actions.len()],
                thin: vec![false; plan.phases.len()],
                ..RunOutcome::default()
            },
            seen: plan.model.start,
            relieving: vec![false; plan.actions.len()],
        }
    }

    /// The phases the state shows reached that no earlier look saw reached.
    fn fresh(&self, plan: &Plan<'_>, state: &Look) -> Vec<usize> {
        (0..plan.phases.len())
            .filter(|n| self.outcome.phases.get(*n).copied().flatten().is_none())
            .filter(|n| {
                plan.phases
                    .get(*n)
                    .and_then(|id| state.phase(id.as_str()))
                    .is_some_and(|p| p.status == PhaseStatus::Reached && p.entered.is_some())
            })
            .collect()
    }

    /// Takes in the state on `day`.
    fn observe(
        &mut self,
        plan: &Plan<'_>,
        state: &Look,
        day: Date,
        h: &History,
        reviews: &[Period],
    ) {
        let start = plan.model.start;
        self.outcome.states += 1;
        for (n, id) in plan.phases.iter().enumerate() {
            let Some(p) = state.phase(id.as_str()) else {
                continue;
            };
            if let (PhaseStatus::Reached, Some(entered), None) = (
                p.status,
                p.entered,
                self.outcome.phases.get(n).copied().flatten(),
            ) {
                if let Some(slot) = self.outcome.phases.get_mut(n) {
                    *slot = Some(days_between(start, entered));
                }
                if let Some(slot) = self.outcome.thin.get_mut(n) {
                    *slot = thin_before(plan, n, h, reviews, entered);
                }
            }
        }
        for (n, id) in plan.triggers.iter().enumerate() {
            // `fired` stays set once re-armed (re-entry): a fire between two looks counts.
            let fired = state.trigger(id.as_str()).and_then(|t| t.fired);
            if let (Some(f), Some(slot)) = (fired, self.outcome.triggers.get_mut(n))
                && slot.is_none()
            {
                *slot = Some(days_between(start, f));
            }
        }
        self.relief(plan, state, day);
    }

    /// Adds the days each action relieved since the last look. Between two looks an
    /// action is taken to have changed status at most once, on its `since` date.
    fn relief(&mut self, plan: &Plan<'_>, state: &Look, day: Date) {
        let before = self.seen;
        for (n, a) in plan.actions.iter().enumerate() {
            let Some(s) = state.relief(a.id.as_str()) else {
                continue;
            };
            let was = self.relieving.get(n).copied().unwrap_or(false);
            let is = s.status.relieves();
            let changed = s.since.filter(|d| *d > before && *d <= day);
            let days = match (was, is, changed) {
                (_, true, None) | (true, true, Some(_)) => days_between(before, day),
                (false, true, Some(c)) => days_between(c, day),
                (true, false, Some(c)) => days_between(before, c),
                (true, false, None) => 0,
                (false, false, _) => 0,
            };
            if let Some(total) = self.outcome.relief_days.get_mut(n) {
                *total += u32::try_from(days.max(0)).unwrap_or(0);
            }
            if let Some(r) = self.relieving.get_mut(n) {
                *r = is;
            }
        }
        self.seen = day;
    }

    /// Disputes and the shares of periods contested or unverified, from the last state.
    fn finish(&mut self, plan: &Plan<'_>, state: &State) {
        let o = &mut self.outcome;
        for dispute in &state.disputes {
            let Some(opened) = dispute.opened else {
                continue;
            };
            let ended = dispute.closed.or_else(|| match dispute.status {
                DisputeStatus::Exhausted => dispute.stages.iter().filter_map(|s| s.ended).max(),
                _ => None,
            });
            let end = ended.unwrap_or(plan.last).min(plan.last);
            o.disputes += 1;
            o.dispute_days += u32::try_from(days_between(opened, end).max(0)).unwrap_or(0);
        }
        for ind in &state.indicators {
            for p in ind.periods.iter().filter(|p| p.period.end() <= plan.last) {
                o.periods += 1;
                match p.status {
                    IndicatorStatus::Contested => o.contested += 1,
                    IndicatorStatus::Unverified => o.unverified += 1,
                    _ => {}
                }
            }
        }
        o.rejected = u32::try_from(state.rejected.len()).unwrap_or(u32::MAX);
    }
}

/// Whether a period that ended in the review before `entered` was verified by exactly the
/// quorum while more monitors could have reported.
fn thin_before(
    plan: &Plan<'_>,
    phase: usize,
    h: &History,
    reviews: &[Period],
    entered: Date,
) -> bool {
    let Some(review) = reviews.iter().rev().find(|r| r.end() < entered) else {
        return false;
    };
    let rests_on = plan
        .phase_indicators
        .get(phase)
        .map_or(&[][..], Vec::as_slice);
    let thin: BTreeSet<usize> = rests_on
        .iter()
        .copied()
        .filter(|n| {
            plan.indicators
                .get(*n)
                .is_some_and(|ip| ip.quorum_below_all)
        })
        .collect();
    h.drawn.iter().any(|dr| {
        thin.contains(&dr.indicator)
            && review.contains(dr.period.end())
            && plan
                .indicators
                .get(dr.indicator)
                .is_some_and(|ip| dr.reports == ip.indicator.verification.quorum)
    })
}
