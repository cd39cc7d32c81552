//! The quorum of one reporting period: which value, if any, the monitors agree on.
//!
//! Each voice is a participant's *latest* visible observation for the period (superseded
//! and retracted ones do not count). Voices agree when their values are within the
//! protocol's tolerance (flags and grades must be equal). When at least `quorum` voices
//! agree, their mean decides; when another, disjoint group of `quorum` voices agrees on
//! something else, or too few agree and the voices conflict, the period is contested.
//!
//! The outcome does not depend on the evaluation date, only on which entries are visible,
//! so it is cached per reporting period and recomputed only when an entry touches it.

use std::collections::BTreeMap;
use std::collections::btree_map::Range;
use std::ops::Bound;

use crate::agreement::{SelfReport, Tolerance};
use crate::time::Date;

use super::Key;
use super::ingest::{LensIndicator, MAX_KEY, MIN_KEY, Obs, ValueKind};

/// A reporting period's quorum, over the entries visible under a cut.
#[derive(Debug, Clone)]
pub(crate) struct Cell {
    /// Which stored cell this is: unique among the cells an indicator's cache has held
    /// (0: a cell never stored). Two cells with the same non-zero stamp are equal, which
    /// spares a settled period the comparison of its whole quorum at every derivation.
    pub stamp: u64,
    pub end: Date,
    pub outcome: Outcome,
    /// Observations filed under the period that do not count, with the reason.
    pub ignored: Vec<(Key, u64, String)>,
    /// The latest key among the observations and their supersessions in the period: a
    /// cut at or after it sees the same cell.
    pub max_key: Key,
    /// The latest key among the voices that count (when the outcome became known).
    pub known: Option<Key>,
    /// Observations held in escrow (recorded, not delivered): key, index, escrow end.
    pub escrowed: Vec<(Key, u64, Date)>,
}

/// What the voices of a period amount to.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Outcome {
    /// Nobody reported.
    Empty,
    /// Enough voices agree.
    Decided {
        value: f64,
        agreeing: Vec<u64>,
        dissent: Vec<u64>,
        late: bool,
        self_reported: bool,
        voices: u32,
        needed: u32,
    },
    /// Voices disagree beyond tolerance.
    Contested { entries: Vec<u64>, values: Vec<f64> },
    /// Too few agreeing voices, and no conflict.
    Insufficient {
        entries: Vec<u64>,
        have: u32,
        needed: u32,
    },
    /// Only self-reports, which this protocol does not accept.
    SelfOnly { entries: Vec<u64> },
}

#[derive(Debug, Clone, Copy)]
struct Voice {
    participant: u32,
    key: Key,
    value: f64,
    index: u64,
    late: bool,
    target: bool,
}

/// The observations filed under period ends `start..=end` and recorded under `cut`: one
/// range per period end, each in key order. Observations are kept by (period end, key),
/// so those recorded after the cut are the tail of each period end's range and are never
/// visited: a cut in the middle of a long log used to walk (and skip) every report of a
/// period filed after it — tens of thousands per period at 1M entries.
pub(crate) fn under_cut(
    obs: &BTreeMap<(Date, Key), Obs>,
    start: Date,
    end: Date,
    cut: Key,
) -> impl Iterator<Item = Range<'_, (Date, Key), Obs>> {
    let mut from = Bound::Included((start, MIN_KEY));
    let upper = Bound::Included((end, MAX_KEY));
    std::iter::from_fn(move || {
        // An empty range of period ends (BTreeMap::range panics on a reversed one); every
        // key, the cut's too, is at least MIN_KEY, so each range below is well formed.
        if start > end {
            return None;
        }
        // The next period end with an observation, then its observations under the cut.
        let (&(filed, _), _) = obs.range((from, upper)).next()?;
        from = Bound::Excluded((filed, MAX_KEY));
        Some(obs.range((filed, MIN_KEY)..=(filed, cut)))
    })
}

/// Computes the quorum of the reporting period `start..=end` over the entries visible under
/// `cut` (everything when `None`).
pub(crate) fn decide(ind: &LensIndicator, start: Date, end: Date, cut: Option<Key>) -> Cell {
    decide_counting_kills(ind, start, end, cut).0
}

/// A quorum decided under a cut before the latest entry, kept by the evaluator so that
/// another past cut that sees the same observations of the period takes it instead of
/// deciding it again (walking tens of thousands of reports at 1M entries).
#[derive(Debug, Clone)]
pub(crate) struct PastCell {
    pub start: Date,
    pub cell: Cell,
    /// The cuts at or after `cell.max_key` that see it: those before the first observation
    /// filed under the period after the cut it was decided under, or the first kill
    /// (correction, retraction) after that cut of an observation that cut saw (counted
    /// or not: a kill of an ignored report ends the range too, early but safe); when there
    /// is neither, those up to the latest entry ingested then (any entry ingested since in
    /// log order comes later). An entry slotted in out of order drops every past cell.
    pub until: Bound<Key>,
}

impl PastCell {
    /// Whether a cut sees this cell for the reporting period `start..=end`.
    pub fn holds(&self, start: Date, end: Date, cut: Key) -> bool {
        let before_change = match self.until {
            Bound::Excluded(k) => cut < k,
            Bound::Included(k) => cut <= k,
            // Never made (`decide_past` bounds every cell); a cell without a bound would
            // not be known to hold.
            Bound::Unbounded => false,
        };
        self.start == start && self.cell.end == end && self.cell.max_key <= cut && before_change
    }
}

/// [`decide`] under a cut before `last`, the latest key ingested, with the cuts that see
/// the same cell (see [`PastCell::until`]).
pub(crate) fn decide_past(
    ind: &LensIndicator,
    start: Date,
    end: Date,
    cut: Key,
    last: Key,
) -> PastCell {
    let (cell, first_kill) = decide_counting_kills(ind, start, end, Some(cut));
    let change = match (first_kill, first_filed_after(&ind.obs, start, end, cut)) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    PastCell {
        start,
        cell,
        until: change.map_or(Bound::Included(last), Bound::Excluded),
    }
}

/// The first key after `cut` of an observation filed under period ends `start..=end`.
fn first_filed_after(
    obs: &BTreeMap<(Date, Key), Obs>,
    start: Date,
    end: Date,
    cut: Key,
) -> Option<Key> {
    if start > end || cut == MAX_KEY {
        return None;
    }
    let mut from = Bound::Included((start, MIN_KEY));
    let upper = Bound::Included((end, MAX_KEY));
    let mut first: Option<Key> = None;
    while let Some((&(filed, _), _)) = obs.range((from, upper)).next() {
        from = Bound::Excluded((filed, MAX_KEY));
        let after = (
            Bound::Excluded((filed, cut)),
            Bound::Included((filed, MAX_KEY)),
        );
        if let Some((&(_, key), _)) = obs.range(after).next() {
            first = Some(first.map_or(key, |f| f.min(key)));
        }
    }
    first
}

/// [`decide`], and the first kill after the cut of an observation the cut sees.
fn decide_counting_kills(
    ind: &LensIndicator,
    start: Date,
    end: Date,
    cut: Option<Key>,
) -> (Cell, Option<Key>) {
    let visible = |k: Key| cut.is_none_or(|c| k <= c);
    let mut latest: Vec<Voice> = Vec::new();
    let mut max_key = MIN_KEY;
    let mut ignored = Vec::new();
    let mut escrowed = Vec::new();
    let mut first_kill: Option<Key> = None;
    let seen = under_cut(&ind.obs, start, end, cut.unwrap_or(MAX_KEY)).flatten();
    for (&(_, key), obs) in seen {
        max_key = max_key.max(key);
        if let Some(by) = obs.killed_by {
            if visible(by) {
                max_key = max_key.max(by);
                continue;
            }
            first_kill = Some(first_kill.map_or(by, |k| k.min(by)));
        }
        if let Some(until) = obs.escrow_until {
            escrowed.push((key, obs.index, until));
            continue;
        }
        if obs.start < start {
            ignored.push((
                key,
                obs.index,
                format!(
                    "observes from {}, before the reporting period {start} to {end} it ends in: report each reporting period separately",
                    obs.start
                ),
            ));
            continue;
        }
        for &participant in obs.voices.as_slice() {
            let voice = Voice {
                participant,
                key,
                value: obs.value,
                index: obs.index,
                late: obs.late,
                target: obs.target,
            };
            match latest.iter_mut().find(|v| v.participant == participant) {
                Some(v) if key > v.key => *v = voice,
                Some(_) => {}
                None => latest.push(voice),
            }
        }
    }
    let known = latest.iter().map(|v| v.key).max();
    let outcome = outcome(ind, latest);
    let cell = Cell {
        stamp: 0,
        end,
        outcome,
        ignored,
        max_key,
        known,
        escrowed,
    };
    (cell, first_kill)
}

/// Cells are equal when what they say is: the stamp is left out.
impl PartialEq for Cell {
    fn eq(&self, other: &Self) -> bool {
        let Cell {
            stamp: _,
            end,
            outcome,
            ignored,
            max_key,
            known,
            escrowed,
        } = self;
        *end == other.end
            && *max_key == other.max_key
            && *known == other.known
            && *outcome == other.outcome
            && *ignored == other.ignored
            && *escrowed == other.escrowed
    }
}

fn outcome(ind: &LensIndicator, latest: Vec<Voice>) -> Outcome {
    let needed = ind.quorum.max(1);
    let (targets, mut voices): (Vec<Voice>, Vec<Voice>) =
        latest.into_iter().partition(|v| v.target);
    if ind.self_report == SelfReport::CountsTowardQuorum {
        voices.extend(targets.iter().copied());
    }
    let self_alone = |targets: &[Voice]| -> Option<Outcome> {
        let t = targets.iter().max_by_key(|v| v.key)?;
        Some(Outcome::Decided {
            value: t.value,
            agreeing: vec![t.index],
            dissent: Vec::new(),
            late: t.late,
            self_reported: true,
            voices: 1,
            needed,
        })
    };
    if voices.is_empty() {
        return match (ind.self_report, targets.is_empty()) {
            (_, true) => Outcome::Empty,
            (SelfReport::Sufficient, false) => self_alone(&targets).unwrap_or(Outcome::Empty),
            (_, false) => Outcome::SelfOnly {
                entries: sorted(targets.iter().map(|v| v.index)),
            },
        };
    }
    voices.sort_by(|a, b| {
        a.value
            .total_cmp(&b.value)
            .then(a.participant.cmp(&b.participant))
    });
    let exact = matches!(ind.kind, ValueKind::Flag | ValueKind::Grade(_));
    let agree = |lo: f64, hi: f64| -> bool {
        if exact {
            return lo == hi;
        }
        match ind.tolerance {
            Tolerance::Exact => lo == hi,
            Tolerance::Absolute { value } => hi - lo <= value,
            Tolerance::Relative { fraction } => hi - lo <= fraction * lo.abs().max(hi.abs()),
        }
    };
    // For each voice, the furthest voice it agrees with (values are sorted).
    let n = voices.len();
    let reach: Vec<usize> = (0..n)
        .map(|i| {
            let lo = voices.get(i).map_or(0.0, |v| v.value);
            (i..n)
                .take_while(|&j| voices.get(j).is_some_and(|v| agree(lo, v.value)))
                .last()
                .unwrap_or(i)
        })
        .collect();
    let (best_start, best_end) = (0..n)
        .map(|i| (i, reach.get(i).copied().unwrap_or(i)))
        .max_by(|a, b| (a.1 - a.0).cmp(&(b.1 - b.0)).then(b.0.cmp(&a.0)))
        .unwrap_or((0, 0));
    let size = u32::try_from(best_end - best_start + 1).unwrap_or(u32::MAX);
    let all = || sorted(voices.iter().map(|v| v.index));
    if size >= needed {
        let need = needed as usize;
        let disjoint_after =
            (best_end + 1..n).any(|i| reach.get(i).is_some_and(|&r| r + 1 - i >= need));
        let disjoint_before = (0..best_start).any(|i| {
            reach
                .get(i)
                .is_some_and(|&r| r.min(best_start - 1) + 1 - i >= need)
        });
        if disjoint_after || disjoint_before {
            return Outcome::Contested {
                entries: all(),
                values: voices.iter().map(|v| v.value).collect(),
            };
        }
        let group = voices.get(best_start..=best_end).unwrap_or(&[]);
        let sum: f64 = group.iter().map(|v| v.value).sum();
        let value = if exact {
            group.first().map_or(0.0, |v| v.value)
        } else {
            sum / group.len().max(1) as f64
        };
        let dissent = voices
            .iter()
            .enumerate()
            .filter(|(i, _)| *i < best_start || *i > best_end)
            .map(|(_, v)| v.index);
        return Outcome::Decided {
            value,
            agreeing: sorted(group.iter().map(|v| v.index)),
            dissent: sorted(dissent),
            late: group.iter().any(|v| v.late),
            self_reported: group.iter().any(|v| v.target),
            voices: size,
            needed,
        };
    }
    if ind.self_report == SelfReport::Sufficient
        && let Some(decided) = self_alone(&targets)
    {
        return decided;
    }
    if (size as usize) < n {
        return Outcome::Contested {
            entries: all(),
            values: voices.iter().map(|v| v.value).collect(),
        };
    }
    Outcome::Insufficient {
        entries: sorted(voices.iter().chain(&targets).map(|v| v.index)),
        have: size,
        needed,
    }
}

fn sorted(it: impl Iterator<Item = u64>) -> Vec<u64> {
    let mut v: Vec<u64> = it.collect();
    v.sort_unstable();
    v.dedup();
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::ingest::Authors;
    use jiff::civil::date;

    fn obs(index: u64) -> Obs {
        Obs {
            index,
            voices: Authors::One(0),
            target: false,
            value: 1.0,
            start: date(2027, 1, 1),
            late: false,
            killed_by: None,
            escrow_until: None,
        }
    }

    fn key(second: i64, index: u64) -> Key {
        (
            crate::time::Instant::from_second(second).unwrap_or(crate::time::Instant::MIN),
            index,
        )
    }

    /// Every observation filed under a period end in the range and recorded under the cut,
    /// each period end's in key order, and none other: not those filed under a period end
    /// outside the range, nor those recorded after the cut (which are not visited at all).
    #[test]
    fn under_cut_yields_each_period_ends_observations_up_to_the_cut() {
        let mut all = BTreeMap::new();
        let ends = [
            date(2026, 12, 31),
            date(2027, 1, 15),
            date(2027, 1, 31),
            date(2027, 2, 28),
        ];
        for (n, end) in (0u64..).zip(ends) {
            for i in 0..5u64 {
                let index = n * 10 + i;
                all.insert(
                    (end, key(1_000 * i64::try_from(i).unwrap_or(0), index)),
                    obs(index),
                );
            }
        }
        let cut = key(2_000, u64::MAX);
        let seen: Vec<Vec<u64>> = under_cut(&all, date(2027, 1, 1), date(2027, 1, 31), cut)
            .map(|filed| filed.map(|(_, o)| o.index).collect())
            .collect();
        assert_eq!(seen, vec![vec![10, 11, 12], vec![20, 21, 22]]);
        let everything: Vec<u64> = under_cut(&all, date(2027, 1, 1), date(2027, 1, 31), MAX_KEY)
            .flatten()
            .map(|(_, o)| o.index)
            .collect();
        assert_eq!(everything, vec![10, 11, 12, 13, 14, 20, 21, 22, 23, 24]);
        let before = key(-1, 0);
        assert_eq!(
            under_cut(&all, date(2027, 1, 1), date(2027, 1, 31), before)
                .flatten()
                .count(),
            0
        );
        assert_eq!(
            under_cut(&all, date(2027, 2, 1), date(2027, 1, 1), cut).count(),
            0
        );
    }
}
