//! Findings: the status of every reporting period of every indicator (quorum, grace,
//! overdue policy, cure), the disputes' effects on them, and each indicator's status at
//! each review.
//!
//! A finding whose effect a dispute takes away keeps the monitors' status for display
//! (`frozen`) and counts as `unverified` for its review — so for commitments, phases,
//! triggers and relief. For indicators with a disputed finding the review statuses as the
//! monitors made them are kept too (`Findings::undisputed`): a trigger invoked before the
//! dispute opened is judged on them.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use crate::agreement::{Comparison, Indicator, IndicatorTarget, OverduePolicy, Tolerance, show};
use crate::id::IndicatorId;
use crate::statement::LogIndex;
use crate::time::{CalendarDuration, Date, Period};

use super::super::ingest::{LensIndicator, PrefixPeriod, Settled};
use super::super::quorum::{self, Cell, Outcome};
use super::super::state::{
    EscrowState, IndicatorReview, IndicatorState, IndicatorStatus, Reason, Reasons,
    ReportingPeriodState, ReviewState, Rule,
};
use super::calendar::Calendar;
use super::disputes::{self, Disputes};
use super::{
    Anchors, CacheFill, Detail, Filled, Fills, Key, PrefixKey, Rejected, epoch_day, periods_from,
};

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

/// Review cells of one version's indicator, by review number − 1.
pub(crate) type Cells = BTreeMap<(usize, IndicatorId), Vec<Option<ReviewCell>>>;

/// What the findings stage hands on.
pub(crate) struct Findings {
    /// Per indicator, in the governing version's order (then indicators only older
    /// versions have).
    pub indicators: Vec<IndicatorState>,
    /// The versions that govern a review, and the governing one, ascending.
    pub used: Vec<usize>,
    /// Review cells with the disputes' effects.
    pub cells: Cells,
    /// Review cells as the monitors made them, for indicators with a disputed finding.
    pub undisputed: Cells,
}

/// Every indicator's reporting periods and review statuses, per version that governs a
/// review (and the governing one). Quorums computed on the way are handed to `fills` when
/// `everything` (the cut sees every entry appended).
pub(crate) fn findings(
    cal: &Calendar<'_>,
    disputes: &Disputes,
    everything: bool,
    fills: &mut Fills,
    rejected: &mut Rejected,
) -> Findings {
    let mut used: Vec<usize> = cal
        .reviews
        .iter()
        .map(|r| cal.governing(r.period.start()))
        .collect();
    used.push(cal.current);
    used.sort_unstable();
    used.dedup();
    let mut out = Findings {
        indicators: Vec::new(),
        used,
        cells: BTreeMap::new(),
        undisputed: BTreeMap::new(),
    };
    let mut by_id: BTreeMap<IndicatorId, IndicatorState> = BTreeMap::new();
    let mut order: Vec<IndicatorId> = Vec::new();
    // Later versions first, so that an indicator's periods come from the newest version.
    for &v in out.used.clone().iter().rev() {
        let (Some(version), Some(lens), Some(view)) = (
            cal.core.versions.get(v),
            cal.core.lenses.get(v),
            cal.views.get(v),
        ) else {
            continue;
        };
        let governed: Vec<&ReviewState> = cal
            .reviews
            .iter()
            .filter(|r| cal.governing(r.period.start()) == v)
            .collect();
        for (i, (indicator, lind)) in version.indicators.iter().zip(&lens.indicators).enumerate() {
            let places = match &indicator.target {
                IndicatorTarget::Threshold { unit, .. } => version
                    .units
                    .iter()
                    .find(|u| &u.id == unit)
                    .and_then(|u| u.precision),
                _ => None,
            };
            let places = places.unwrap_or(2);
            let limit_shown = match &indicator.target {
                IndicatorTarget::Threshold { limit, .. } => show(*limit, places),
                _ => String::new(),
            };
            let source = Source {
                v,
                i,
                indicator,
                lind,
                anchors: &view.anchors,
                places,
                limit_shown,
                explain: cal.detail == Detail::Full,
            };
            let periods = indicator_periods(cal, &source, everything, fills, rejected);
            let state = by_id.entry(indicator.id.clone()).or_insert_with(|| {
                order.push(indicator.id.clone());
                IndicatorState {
                    id: indicator.id.clone(),
                    commitment: indicator.commitment.clone(),
                    reviews: Vec::new(),
                    periods: Vec::new(),
                }
            });
            out.review(cal, disputes, indicator, v, &governed, periods, state);
        }
    }
    // Output in the current version's order, then indicators only older versions have.
    let mut seen = BTreeSet::new();
    let current = cal.agreement().into_iter().flat_map(|a| &a.indicators);
    for id in current.map(|i| i.id.clone()).chain(order) {
        if seen.insert(id.clone())
            && let Some(mut s) = by_id.remove(&id)
        {
            s.reviews.sort_by_key(|r| r.review);
            out.indicators.push(s);
        }
    }
    out
}

impl Findings {
    /// One version's indicator at the reviews it governs: with the disputes' effects (and,
    /// when a finding of it is disputed, as the monitors made them).
    #[allow(clippy::too_many_arguments)]
    fn review(
        &mut self,
        cal: &Calendar<'_>,
        disputes: &Disputes,
        indicator: &Indicator,
        v: usize,
        governed: &[&ReviewState],
        mut periods: Vec<ReportingPeriodState>,
        out: &mut IndicatorState,
    ) {
        let explain = cal.detail == Detail::Full;
        let cells_of = |periods: &[ReportingPeriodState]| {
            let mut by_review = vec![None; cal.reviews.len()];
            let sorted = periods
                .windows(2)
                .all(|w| w.first().map(|p| p.period.end()) <= w.get(1).map(|p| p.period.end()));
            for review in governed {
                let cell = review_cell(cal.date, indicator, periods, sorted, review, explain);
                if let Some(slot) = by_review.get_mut(review.number as usize - 1) {
                    *slot = Some(cell);
                }
            }
            by_review
        };
        if disputes
            .findings
            .iter()
            .any(|f| f.indicator == indicator.id)
        {
            self.undisputed
                .insert((v, indicator.id.clone()), cells_of(&periods));
        }
        disputes::apply(disputes, &indicator.id, &mut periods, explain);
        // A finding whose effect a dispute takes away counts as unverified for the
        // reviews (and so for phases, triggers and relief); the period keeps the
        // monitors' finding for display.
        let by_review = if periods.iter().any(|p| p.frozen) {
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
            cells_of(&effective)
        } else {
            cells_of(&periods)
        };
        // The newest version's periods are the ones shown (versions are visited newest
        // first).
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
        self.cells.insert((v, indicator.id.clone()), by_review);
    }
}

/// One version's indicator, with what its statuses are computed from.
struct Source<'a> {
    v: usize,
    i: usize,
    indicator: &'a Indicator,
    lind: &'a LensIndicator,
    anchors: &'a Anchors,
    /// The decimal places its values are printed with (its unit's precision).
    places: u8,
    /// A threshold's limit as printed (empty for other targets): the same for every
    /// period, so written once.
    limit_shown: String,
    /// Whether its periods are derived with their reasons (`Detail::Full`).
    explain: bool,
}

/// The statuses of every reporting period of an indicator that has begun.
fn indicator_periods(
    cal: &Calendar<'_>,
    src: &Source<'_>,
    everything: bool,
    fills: &mut Fills,
    rejected: &mut Rejected,
) -> Vec<ReportingPeriodState> {
    let (cut, date, indicator, lind) = (cal.cut, cal.date, src.indicator, src.lind);
    let Some(start) = src.anchors.resolve(&indicator.starts) else {
        return Vec::new();
    };
    let end = indicator.ends.as_ref().and_then(|r| src.anchors.resolve(r));
    let due = match &indicator.target {
        IndicatorTarget::Deadline { due } => src.anchors.resolve(due),
        _ => None,
    };
    let key = PrefixKey {
        start,
        due,
        explained: cal.detail == Detail::Full,
    };
    // The settled prefix is taken as it is; only the periods after it are walked.
    let prefix = lind
        .prefix
        .usable(start, due, key.explained, (cut, date, end));
    let prefix = lind.prefix.periods().get(..prefix).unwrap_or_default();
    let schedule = periods_from(
        start,
        indicator.cadence,
        date,
        end,
        u32::try_from(prefix.len()).unwrap_or(u32::MAX),
    );
    let first = prefix
        .first()
        .map(|p| p.period)
        .or_else(|| schedule.first().copied());
    reject_before_first(src, first, cut, rejected);
    let mut out = replay_prefix(prefix, schedule.len(), cut, rejected);
    let mut misses = prefix.last().map_or(0, |p| p.misses_out);
    // For findings that stand: the latest period decided by reports of its own.
    let mut standing: Option<usize> = prefix.last().and_then(|p| p.standing);
    // The periods after the prefix that settle in this derivation, while they follow one
    // another from it (kept only when the cut sees everything).
    let mut grown: Option<Vec<PrefixPeriod>> = everything.then(Vec::new);
    let (mut max_key, mut latest) = prefix
        .last()
        .map_or((super::super::ingest::MIN_KEY, Date::MIN), |p| {
            (p.max_key, p.after)
        });
    let walks = schedule.len();
    if everything {
        // At most a fill per period and the prefix's.
        fills.group(walks + 1);
    }
    for (n, period) in schedule.into_iter().enumerate() {
        let (fresh, past) = period_cell(cal, src, period);
        let cell = fresh.as_ref();
        for (key, index, reason) in &cell.ignored {
            if *key <= cut {
                rejected.push((*index, reason.clone()));
            }
        }
        let walked = period_state(cal, src, period, cell, (&mut misses, due), everything);
        let mut state = walked.state;
        if matches!(cell.outcome, Outcome::Empty) && state.escrow.is_none() {
            let previous = standing.and_then(|i| out.get(i));
            if stands(indicator, previous, &mut state) {
                misses = 0;
            }
        } else if matches!(
            cell.outcome,
            Outcome::Decided { .. } | Outcome::Contested { .. }
        ) {
            standing = Some(out.len());
        }
        match walked.after {
            Some(after) => {
                if let Some(grown) = grown.as_mut() {
                    max_key = max_key.max(cell.max_key);
                    latest = latest.max(after);
                    // Room for every period left, once: no buffer outgrown and freed.
                    if grown.capacity() == 0 {
                        grown.reserve_exact(walks - n);
                    }
                    grown.push(PrefixPeriod {
                        period,
                        state: state.clone(),
                        ignored: cell.ignored.clone(),
                        misses_out: misses,
                        standing,
                        max_key,
                        after: latest,
                    });
                }
            }
            None => {
                if let Some(add) = grown.take().filter(|g| !g.is_empty()) {
                    fills.push(prefix_fill(src, start, prefix.len(), key, add));
                }
            }
        }
        // A quorum decided now goes to the cache (when the cut sees everything), with the
        // period settled on it; a period settled on a cached quorum goes alone.
        let what = match (fresh, walked.settled, past) {
            (std::borrow::Cow::Owned(cell), settled, _) if everything => {
                Some(Filled::Quorum(cell, settled))
            }
            // Decided under a past cut (nothing settles then): kept for the cuts that
            // see the same cell.
            (std::borrow::Cow::Owned(cell), None, Some(until)) => {
                Some(Filled::Past(quorum::PastCell {
                    start: period.start(),
                    cell,
                    until,
                }))
            }
            (_, settled, _) => settled.map(Filled::Period),
        };
        if let Some(what) = what {
            fills.push(cache_fill(src, period.start(), what));
        }
        out.push(state);
    }
    if let Some(add) = grown.filter(|g| !g.is_empty()) {
        fills.push(prefix_fill(src, start, prefix.len(), key, add));
    }
    out
}

/// The quorum of a period as the cut sees it: the cached one where it still holds, or one
/// decided under another past cut that sees the same, else decided now (for the caller to
/// offer to the cache when the cut sees every entry, or to the past cells with the cuts
/// that see it when it is before the latest entry).
fn period_cell<'a>(
    cal: &Calendar<'_>,
    src: &Source<'a>,
    period: Period,
) -> (std::borrow::Cow<'a, Cell>, Option<std::ops::Bound<Key>>) {
    let (s, e, cut) = (period.start(), period.end(), cal.cut);
    let lind = src.lind;
    let cached = lind
        .cells
        .get(&s)
        .filter(|c| c.end == e && c.max_key <= cut)
        .or_else(|| lind.past_cell(s, e, cut));
    if let Some(c) = cached {
        return (std::borrow::Cow::Borrowed(c), None);
    }
    match cal.core.last.filter(|_| cal.keep_past) {
        Some(last) => {
            let past = quorum::decide_past(lind, s, e, cut, last);
            (std::borrow::Cow::Owned(past.cell), Some(past.until))
        }
        None => (
            std::borrow::Cow::Owned(quorum::decide(lind, s, e, Some(cut))),
            None,
        ),
    }
}

/// A period's state as [`period_state`] found it.
struct Walked {
    state: ReportingPeriodState,
    /// When the period is settled: the date after which its status holds.
    after: Option<Date>,
    /// The settled period to keep, when derived now.
    settled: Option<Settled>,
}

/// A period's status: carried forward from the settled periods where one fits, else
/// derived (and, when the cut sees everything and it is settled, to be kept). `misses` is
/// the walk's count of consecutive misses, updated.
fn period_state(
    cal: &Calendar<'_>,
    src: &Source<'_>,
    period: Period,
    cell: &Cell,
    (misses, due): (&mut u32, Option<Date>),
    everything: bool,
) -> Walked {
    let carried = src
        .lind
        .settled
        .get(&period.start())
        .filter(|c| c.state.period == period && c.fits(cell, *misses, due, cal.date))
        // Derived without its reasons, it is carried forward only where none are shown.
        .filter(|c| c.explained || cal.detail == Detail::Statuses);
    if let Some(c) = carried {
        *misses = c.misses_out;
        let state = match cal.detail {
            Detail::Full => c.state.clone(),
            Detail::Statuses => unexplained(&c.state),
        };
        return Walked {
            state,
            after: Some(c.after),
            settled: None,
        };
    }
    let misses_in = *misses;
    let state = period_status(cal, src, period, cell, misses);
    let settled = everything
        .then(|| settle(cal.date, src, cell, misses_in, due, &state))
        .flatten()
        .map(|settled| Settled {
            misses_out: *misses,
            ..settled
        });
    Walked {
        after: settled.as_ref().map(|s| s.after),
        settled,
        state,
    }
}

/// A fill of the cache for one period of this source's indicator.
fn cache_fill(src: &Source<'_>, start: Date, what: Filled) -> CacheFill {
    CacheFill {
        lens: src.v,
        indicator: src.i,
        start,
        what,
    }
}

/// Evidence before the first reporting period counts for nothing: each observation of a
/// period that ends before `first` begins, seen by the cut, is rejected.
fn reject_before_first(src: &Source<'_>, first: Option<Period>, cut: Key, rejected: &mut Rejected) {
    let Some(first) = first else {
        return;
    };
    let Ok(before) = first.start().yesterday() else {
        return;
    };
    for (&(_, key), obs) in src
        .lind
        .obs
        .range(..=(before, super::super::ingest::MAX_KEY))
    {
        if key <= cut {
            rejected.push((
                obs.index,
                format!(
                    "observes a period that ends before indicator `{}` starts on {}",
                    src.indicator.id,
                    first.start()
                ),
            ));
        }
    }
}

/// The periods of a settled prefix as they were derived, with the rejections the cut sees
/// again; room is kept for the `more` periods walked after them.
fn replay_prefix(
    prefix: &[PrefixPeriod],
    more: usize,
    cut: Key,
    rejected: &mut Rejected,
) -> Vec<ReportingPeriodState> {
    let mut out = Vec::with_capacity(prefix.len() + more);
    for p in prefix {
        for (key, index, reason) in &p.ignored {
            if *key <= cut {
                rejected.push((*index, reason.clone()));
            }
        }
        out.push(p.state.clone());
    }
    out
}

/// The fill that grows an indicator's settled prefix from its first `keep` periods.
fn prefix_fill(
    src: &Source<'_>,
    start: Date,
    keep: usize,
    key: PrefixKey,
    add: Vec<PrefixPeriod>,
) -> CacheFill {
    cache_fill(src, start, Filled::Prefix { keep, key, add })
}

/// A settled period's state without its reasons, as a state derived for statuses alone
/// shows it.
fn unexplained(settled: &ReportingPeriodState) -> ReportingPeriodState {
    ReportingPeriodState {
        period: settled.period,
        status: settled.status,
        value: settled.value,
        late: settled.late,
        cure_until: settled.cure_until,
        cured: settled.cured,
        known: settled.known,
        reasons: Reasons::default(),
        frozen: settled.frozen,
        escrow: settled.escrow.clone(),
        stands_from: settled.stands_from,
    }
}

/// A period's status as derived on `date`, to be carried forward, when no later
/// evaluation date can change it: its period and grace have ended, and no cure window or
/// escrowed evidence makes it depend on the date or the cut. (`misses_out` is the
/// caller's to set.)
fn settle(
    date: Date,
    src: &Source<'_>,
    cell: &Cell,
    misses_in: u32,
    due: Option<Date>,
    state: &ReportingPeriodState,
) -> Option<Settled> {
    let after = src.indicator.grace.after(state.period.end())?;
    let settled = date > after
        && date > state.period.end()
        && cell.escrowed.is_empty()
        && state.escrow.is_none()
        && state.cure_until.is_none();
    settled.then(|| Settled {
        explained: src.explain,
        stamp: cell.stamp,
        misses_in,
        due,
        after: after.max(state.period.end()),
        state: state.clone(),
        misses_out: 0,
    })
}

/// For an indicator whose findings stand until replaced, a period with no report of its
/// own takes the latest earlier finding, when it is not older than the maximum age.
/// Returns whether it did.
fn stands(
    indicator: &Indicator,
    previous: Option<&ReportingPeriodState>,
    empty: &mut ReportingPeriodState,
) -> bool {
    let (Some(rule), Some(previous)) = (indicator.stands, previous) else {
        return false;
    };
    let old = |limit: CalendarDuration| {
        limit
            .after(previous.period.end())
            .is_none_or(|last| empty.period.end() > last)
    };
    if rule.max_age.is_some_and(old) {
        empty.reasons.push(Reason::rule(
            Rule::IndicatorStands,
            format!(
                "the latest finding ({}) is older than its maximum age {}: it no longer stands",
                previous.period,
                rule.max_age.map_or_else(String::new, |m| m.to_string())
            ),
        ));
        return false;
    }
    let entries: Vec<LogIndex> = previous
        .reasons
        .iter()
        .flat_map(|r| r.entries.iter().copied())
        .collect();
    let mut out = previous.clone();
    out.period = empty.period;
    out.late = false;
    out.cure_until = None;
    out.cured = false;
    out.stands_from = Some(previous.period);
    out.reasons = Reasons::from(vec![Reason::with_entries(
        Rule::IndicatorStands,
        format!(
            "no report of its own: the finding of {} stands until replaced{}",
            previous.period,
            rule.max_age
                .map_or_else(String::new, |m| format!(" (maximum age {m})"))
        ),
        entries,
    )]);
    out.reasons.extend(
        previous
            .reasons
            .iter()
            .filter(|r| r.rule == Rule::IndicatorQuorum)
            .cloned(),
    );
    *empty = out;
    true
}

/// One reporting period on the evaluation date, with its grace.
struct Slot {
    period: Period,
    in_grace: bool,
    grace_end: Option<Date>,
    /// Whether reasons are written (`Detail::Full`); statuses alone need none.
    explain: bool,
}

impl Slot {
    /// The end of the grace in words (written only where a reason cites it: most periods
    /// are decided in time and never do).
    fn grace_text(&self) -> String {
        self.grace_end
            .map_or_else(|| "its grace period".to_owned(), |d| d.to_string())
    }
}

fn ids(v: &[u64]) -> Vec<LogIndex> {
    v.iter().map(|&i| LogIndex(i)).collect()
}

/// The status of one reporting period on the evaluation date.
fn period_status(
    cal: &Calendar<'_>,
    src: &Source<'_>,
    period: Period,
    cell: &Cell,
    misses: &mut u32,
) -> ReportingPeriodState {
    let deadline = src.indicator.grace.after(period.end());
    let explain = cal.detail == Detail::Full;
    let slot = Slot {
        period,
        in_grace: deadline.is_none_or(|d| cal.date <= d),
        grace_end: deadline,
        explain,
    };
    let mut out = ReportingPeriodState {
        period,
        status: IndicatorStatus::Missing,
        value: None,
        late: false,
        cure_until: None,
        cured: false,
        known: cell.known.map(|k| cal.core.day(k.0)),
        reasons: Reasons::default(),
        frozen: false,
        escrow: None,
        stands_from: None,
    };
    let was_overdue = matches!(cell.outcome, Outcome::Empty) && !slot.in_grace;
    if !was_overdue {
        *misses = 0;
    }
    match &cell.outcome {
        Outcome::Decided { .. } => decided(cal, src, &slot, &cell.outcome, &mut out),
        Outcome::Contested { entries, values } => {
            out.status = IndicatorStatus::Contested;
            if !explain {
                return escrowed(cal, &slot, cell, out);
            }
            let shown: Vec<String> = values.iter().map(|v| show(*v, src.places)).collect();
            out.reasons.push(Reason::with_entries(
                Rule::IndicatorContested,
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
            let grace_text = if slot.explain {
                slot.grace_text()
            } else {
                String::new()
            };
            if slot.in_grace {
                out.status = IndicatorStatus::Missing;
                if !explain {
                    return escrowed(cal, &slot, cell, out);
                }
                out.reasons.push(Reason::with_entries(
                    Rule::IndicatorMissing,
                    format!("{have} agreeing report(s) of the {needed} needed so far; grace runs until {grace_text}"),
                    ids(entries),
                ));
            } else {
                out.status = IndicatorStatus::Unverified;
                if !explain {
                    return escrowed(cal, &slot, cell, out);
                }
                out.reasons.push(Reason::with_entries(
                    Rule::IndicatorUnverified,
                    format!("quorum not reached: {have} agreeing report(s) of the {needed} needed, grace ended {grace_text}"),
                    ids(entries),
                ));
            }
        }
        Outcome::SelfOnly { entries } => {
            out.status = IndicatorStatus::Unverified;
            if !explain {
                return escrowed(cal, &slot, cell, out);
            }
            out.reasons.push(Reason::with_entries(
                Rule::IndicatorSelfReport,
                "only the target's own report, which this protocol does not accept without a monitor",
                ids(entries),
            ));
        }
        Outcome::Empty => empty(cal.date, src.indicator, &slot, misses, &mut out),
    }
    escrowed(cal, &slot, cell, out)
}

/// The period with what escrowed evidence makes of it.
fn escrowed(
    cal: &Calendar<'_>,
    slot: &Slot,
    cell: &Cell,
    mut out: ReportingPeriodState,
) -> ReportingPeriodState {
    escrow(cal, slot, cell, &mut out);
    out
}

/// Evidence on the period held in escrow (recorded, not delivered to the verifier): the
/// period is unverified while nothing that counts was delivered, and the gap is shown.
fn escrow(cal: &Calendar<'_>, slot: &Slot, cell: &Cell, out: &mut ReportingPeriodState) {
    let held: Vec<&(Key, u64, Date)> = cell
        .escrowed
        .iter()
        .filter(|(k, i, _)| cal.alive(*k, LogIndex(*i)))
        .collect();
    let Some(until) = held.iter().map(|(_, _, u)| *u).max() else {
        return;
    };
    let entries: Vec<LogIndex> = held.iter().map(|(_, i, _)| LogIndex(*i)).collect();
    let expired = until < cal.date;
    let waiting = matches!(
        out.status,
        IndicatorStatus::Missing | IndicatorStatus::Overdue
    );
    let gap_since = slot
        .grace_end
        .and_then(|g| g.tomorrow().ok())
        .filter(|g| waiting && *g <= cal.date);
    out.escrow = Some(EscrowState {
        entries: entries.clone(),
        until,
        expired,
        gap_since,
    });
    let gap = gap_since.map_or(String::new(), |g| format!("; a verification gap since {g}"));
    let detail = if expired {
        format!(
            "evidence held in escrow until {until} expired without delivery to the verifier{gap}"
        )
    } else {
        format!(
            "evidence recorded but held in escrow until {until}, not delivered to the verifier: it verifies nothing until delivered{gap}"
        )
    };
    if waiting {
        out.status = IndicatorStatus::Unverified;
        out.reasons.insert(
            0,
            Reason::with_entries(Rule::IndicatorEscrow, detail, entries),
        );
    } else {
        out.reasons
            .push(Reason::with_entries(Rule::IndicatorEscrow, detail, entries));
    }
}

/// A period decided by agreeing reports: compliant or a breach (which a cure window may
/// still close).
fn decided(
    cal: &Calendar<'_>,
    src: &Source<'_>,
    slot: &Slot,
    outcome: &Outcome,
    out: &mut ReportingPeriodState,
) {
    let Outcome::Decided {
        value,
        agreeing,
        dissent,
        late,
        self_reported,
        voices,
        needed,
    } = outcome
    else {
        return;
    };
    let explain = slot.explain;
    // The quorum's reason, on nearly every period, written into one string.
    let mut detail = String::new();
    if explain {
        detail.reserve(128);
        if *self_reported && *voices == 1 {
            detail.push_str("the target's own report (self-reports suffice for this indicator)");
        } else {
            let _ = write!(detail, "{voices} agreeing report(s), quorum {needed}");
        }
        detail.push_str(": ");
    }
    let compliant = complies(src, *value, explain.then_some(&mut detail));
    out.value = Some(*value);
    out.late = *late;
    if !explain {
        out.status = if compliant {
            IndicatorStatus::Compliant
        } else if matches!(src.indicator.target, IndicatorTarget::Deadline { .. }) {
            IndicatorStatus::MetLate
        } else {
            IndicatorStatus::Noncompliant
        };
        if out.status == IndicatorStatus::Noncompliant
            && let Some(window) = src.indicator.cure
        {
            cure(cal.cut, cal.date, src, slot, window, out);
        }
        return;
    }
    if !dissent.is_empty() {
        let _ = write!(
            detail,
            "; {} dissenting report(s) outside tolerance",
            dissent.len()
        );
    }
    let mut entries = ids(agreeing);
    entries.extend(ids(dissent));
    out.reasons
        .push(Reason::with_entries(Rule::IndicatorQuorum, detail, entries));
    if *late {
        out.reasons.push(Reason::with_entries(
            Rule::IndicatorLate,
            format!(
                "reported after {}, the end of the grace period; counted and marked late",
                slot.grace_text()
            ),
            ids(agreeing),
        ));
    }
    if compliant {
        out.status = IndicatorStatus::Compliant;
    } else if matches!(src.indicator.target, IndicatorTarget::Deadline { .. }) {
        // Done, but after the due date: met late, not a breach for ever.
        out.status = IndicatorStatus::MetLate;
        out.reasons.push(Reason::rule(
            Rule::IndicatorMetLate,
            "the deadline was met late: it counts as met from then on, and says it was late",
        ));
    } else {
        out.status = IndicatorStatus::Noncompliant;
        if let Some(window) = src.indicator.cure {
            cure(cal.cut, cal.date, src, slot, window, out);
        }
    }
}

/// No report: missing while the period or its grace runs, then overdue, with what the
/// agreement's overdue policy makes of it.
fn empty(
    date: Date,
    indicator: &Indicator,
    slot: &Slot,
    misses: &mut u32,
    out: &mut ReportingPeriodState,
) {
    let grace_text = if slot.explain {
        slot.grace_text()
    } else {
        String::new()
    };
    if slot.period.end() >= date {
        if !slot.explain {
            return;
        }
        out.reasons.push(Reason::rule(
            Rule::IndicatorMissing,
            "the period is still running; no report yet",
        ));
        return;
    }
    if slot.in_grace {
        if slot.explain {
            out.reasons.push(Reason::rule(
                Rule::IndicatorMissing,
                format!("no report yet; grace runs until {grace_text}"),
            ));
        }
        return;
    }
    *misses = misses.saturating_add(1);
    out.status = IndicatorStatus::Overdue;
    if !slot.explain {
        if let OverduePolicy::NoncompliantAfter { misses: allowed } = &indicator.overdue
            && *misses >= (*allowed).max(1)
        {
            out.status = IndicatorStatus::Noncompliant;
        }
        return;
    }
    let detail = match &indicator.overdue {
        OverduePolicy::None => format!(
            "no report by {grace_text}; the agreement attaches no consequence to it (overdue: none): relief is not held"
        ),
        OverduePolicy::HoldRelief => {
            format!("no report by {grace_text}; relief that depends on it is held until it comes")
        }
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
    out.reasons
        .push(Reason::rule(Rule::IndicatorOverdue, detail));
}

/// Whether a decided value meets the indicator's target; why, in words, is written to
/// `words` when given.
fn complies(src: &Source<'_>, value: f64, words: Option<&mut String>) -> bool {
    let indicator = src.indicator;
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
            let Some(w) = words else {
                return ok;
            };
            let verb = if ok { "meets" } else { "breaches" };
            let text = comparison_text(*comparison);
            // Rounded, unless rounding would make a value that differs from the limit
            // read as the limit itself ("3.67 breaches the limit of at most 3.67").
            let shown = show(value, src.places);
            if shown == src.limit_shown && value != *limit {
                let _ = write!(w, "{value} {unit} {verb} the limit {text} {limit} {unit}");
            } else {
                let limit_shown = &src.limit_shown;
                let _ = write!(
                    w,
                    "{shown} {unit} {verb} the limit {text} {limit_shown} {unit}"
                );
            }
            ok
        }
        IndicatorTarget::Flag { expected } => {
            let observed = value == 1.0;
            if let Some(w) = words {
                let _ = write!(w, "observed `{observed}`, expected `{expected}`");
            }
            observed == *expected
        }
        IndicatorTarget::Count { comparison, limit } => {
            let ok = comparison.holds(value, *limit as f64);
            if let Some(w) = words {
                let _ = write!(
                    w,
                    "count {value} {} the limit {} {limit}",
                    if ok { "meets" } else { "breaches" },
                    comparison_text(*comparison)
                );
            }
            ok
        }
        IndicatorTarget::Deadline { due } => match src.anchors.resolve(due) {
            Some(d) => {
                let ok = epoch_day(d) as f64 >= value;
                if let Some(w) = words {
                    match super::super::date_from_epoch_day(value as i64) {
                        Some(done) => {
                            let _ = write!(w, "done on {done}, due {d}");
                        }
                        None => {
                            let _ = write!(w, "done on ?, due {d}");
                        }
                    }
                }
                ok
            }
            None => {
                if let Some(w) = words {
                    w.push_str("done; its due date is not known yet, so it cannot be late");
                }
                true
            }
        },
        IndicatorTarget::Grade { scale, pass } => {
            let got = scale.get(value as usize).map_or("?", String::as_str);
            let at = scale.iter().position(|g| g == pass);
            if let Some(w) = words {
                let _ = match at {
                    Some(_) => write!(w, "grade `{got}`, pass at `{pass}` or better"),
                    None => write!(
                        w,
                        "grade `{got}`, but the pass grade `{pass}` is not on the scale"
                    ),
                };
            }
            at.is_some_and(|p| value >= p as f64)
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
fn cure(
    cut: Key,
    date: Date,
    src: &Source<'_>,
    slot: &Slot,
    window: CalendarDuration,
    out: &mut ReportingPeriodState,
) {
    let (lind, anchors) = (src.lind, src.anchors);
    let (period, explain) = (slot.period, slot.explain);
    let (Some(until), Ok(from)) = (window.after(period.end()), period.end().tomorrow()) else {
        return;
    };
    out.cure_until = Some(until);
    if from <= until {
        let cell = quorum::decide(lind, from, until, Some(cut));
        if let Outcome::Decided {
            value, agreeing, ..
        } = &cell.outcome
            && complies(src, *value, None)
        {
            out.status = IndicatorStatus::Compliant;
            out.cured = true;
            out.known = out.known.max(cell.known.map(|k| anchors.days.day_of(k.0)));
            if !explain {
                return;
            }
            out.reasons.push(Reason::with_entries(
                Rule::IndicatorCure,
                format!(
                    "breach cured by {until}, within its cure window: closed without consequence"
                ),
                agreeing.iter().map(|&i| LogIndex(i)).collect(),
            ));
            return;
        }
    }
    if !explain {
        return;
    }
    out.reasons.push(Reason::rule(
        Rule::IndicatorCure,
        if date <= until {
            format!("the breach may still be cured until {until}")
        } else {
            format!("not cured within its window, which closed on {until}")
        },
    ));
}

/// An indicator's status at a review: the worst of its reporting periods that end in the
/// review, or the latest one before it when none does. When the periods are `sorted` by
/// their ends, those are found by bisection rather than by a scan, and are a run of the
/// list (read in place: a look takes every indicator's cell at every review again). Its
/// reasons are left out unless `explain`.
fn review_cell(
    date: Date,
    indicator: &Indicator,
    periods: &[ReportingPeriodState],
    sorted: bool,
    review: &ReviewState,
    explain: bool,
) -> ReviewCell {
    let (start, end) = (review.period.start(), review.period.end());
    if sorted {
        let lo = periods.partition_point(|p| p.period.end() < start);
        let hi = periods.partition_point(|p| p.period.end() <= end);
        let (chosen, carried) = match periods.get(lo..hi) {
            Some(inside) if !inside.is_empty() => (inside, false),
            // The latest period before the review (none when `lo` is 0).
            _ => (
                periods.get(lo.saturating_sub(1)..lo).unwrap_or_default(),
                true,
            ),
        };
        return cell_of(date, indicator, chosen.iter(), carried, explain);
    }
    let inside: Vec<&ReportingPeriodState> = periods
        .iter()
        .filter(|p| review.period.contains(p.period.end()))
        .collect();
    if inside.is_empty() {
        let before = periods.iter().rev().find(|p| p.period.end() < start);
        return cell_of(date, indicator, before.into_iter(), true, explain);
    }
    cell_of(date, indicator, inside.into_iter(), false, explain)
}

/// The cell of the reporting periods `chosen` for a review (`carried` from before it when
/// none ends in it): the worst status (the last of the worst), and the rest from them all.
fn cell_of<'p>(
    date: Date,
    indicator: &Indicator,
    chosen: impl Iterator<Item = &'p ReportingPeriodState> + Clone,
    carried: bool,
    explain: bool,
) -> ReviewCell {
    let Some(worst) = chosen.clone().max_by_key(|p| p.status.severity()) else {
        return ReviewCell {
            status: IndicatorStatus::Missing,
            late: false,
            pending_cure: false,
            known: None,
            reasons: if explain {
                vec![Reason::rule(
                    Rule::IndicatorReview,
                    format!(
                        "no reporting period of `{}` has ended by this review",
                        indicator.id
                    ),
                )]
            } else {
                Vec::new()
            },
        };
    };
    let mut breaches = chosen
        .clone()
        .filter(|p| p.status == IndicatorStatus::Noncompliant)
        .peekable();
    let pending_cure =
        breaches.peek().is_some() && breaches.all(|p| p.cure_until.is_some_and(|u| date <= u));
    ReviewCell {
        status: worst.status,
        late: chosen.clone().any(|p| p.late),
        pending_cure,
        known: chosen.clone().filter_map(|p| p.known).max(),
        reasons: if explain {
            review_reasons(&chosen.collect::<Vec<_>>(), worst, carried)
        } else {
            Vec::new()
        },
    }
}

/// Why an indicator's status at a review is what it is: the reasons of the reporting
/// periods `chosen` for it (`carried` from before the review when none ends in it).
fn review_reasons(
    chosen: &[&ReportingPeriodState],
    worst: &ReportingPeriodState,
    carried: bool,
) -> Vec<Reason> {
    let mut reasons = Vec::new();
    let prefixed = |p: &ReportingPeriodState, out: &mut Vec<Reason>| {
        for r in &p.reasons {
            let mut r = r.clone();
            r.detail = format!("{}: {}", p.period, r.detail);
            out.push(r);
        }
    };
    if let [only] = chosen {
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
        for p in chosen {
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
                Rule::IndicatorReview,
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
                Rule::IndicatorLate,
                "a report that counted was recorded after its grace period",
            ));
        }
    }
    if carried {
        reasons.push(Reason::rule(
            Rule::IndicatorReview,
            format!(
                "no reporting period ends in this review: carried from {}",
                worst.period
            ),
        ));
    }
    reasons
}
