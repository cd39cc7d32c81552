//! Overdue escalations: the disputes an `escalate` overdue policy opens by itself, and the
//! names it gives them.
//!
//! For an indicator of the governing version whose overdue policy is `escalate = STAGE`, a
//! reporting period whose grace ends on `G` with no report recorded on it by the end of `G`
//! (under the cut) opens a dispute on `G + 1`, at `STAGE`, named [`overdue_id`]. The report
//! is found in the log directly (not from the indicator statuses, which are derived after
//! the disputes): a period has a report when an observation filed under it, not observing
//! from before it, is recorded under the cut — the earliest such recording is the day it
//! came, provided one of them still counts (is not superseded or retracted under it).

use crate::agreement::{Agreement, OverduePolicy};
use crate::id::{DisputeId, IndicatorId, StageId};
use crate::statement::LogIndex;
use crate::time::{Date, Period};

use super::super::super::quorum;
use super::super::calendar::Versions;
use super::super::{Key, periods};

/// The dispute an `escalate` overdue policy opens for one reporting period (the
/// indicator and stage borrowed from the agreement: a derivation after the last entry
/// lists every overdue period again).
pub(crate) struct Escalation<'a> {
    pub id: DisputeId,
    pub indicator: &'a IndicatorId,
    pub period: Period,
    pub stage: &'a StageId,
    pub grace_end: Date,
    /// The first report on the period, when one counts under the cut: it closes the dispute.
    pub report: Option<(Key, LogIndex)>,
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
pub(crate) fn reserved_for<'a>(
    agreement: &'a Agreement,
    id: &DisputeId,
) -> Option<&'a IndicatorId> {
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
/// ended by `date` with no report by then; and the periods found reported in time whose
/// quorum the evaluator has cached (`reported`: indicator, period start, the cell's stamp),
/// which a later derivation need not look at again while that cell is the same.
///
/// A period reported in time stays so under any cut that sees every observation and
/// supersession filed under it (the cell's `max_key`): which reports it has, when they were
/// recorded and whether one still counts are all in that cell's range, and any change to
/// them gives the cell a new stamp.
pub(crate) fn escalations<'a>(
    versions: &Versions<'_>,
    agreement: &'a Agreement,
    reported: &mut Vec<(usize, Date, u64)>,
) -> Vec<Escalation<'a>> {
    let (core, current, cut, date) = (versions.core, versions.current, versions.cut, versions.date);
    let anchors = versions.anchors();
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
        let end = indicator.ends.as_ref().and_then(|r| anchors.resolve(r));
        for period in periods(start, indicator.cadence, date, end) {
            // The cell this period's observations have, when cached and seen whole.
            let cell = lind
                .cells
                .get(&period.start())
                .filter(|c| c.stamp != 0 && c.end == period.end() && c.max_key <= cut);
            if let Some(c) = cell
                && lind.reported.get(&period.start()) == Some(&c.stamp)
            {
                continue;
            }
            let Some(grace_end) = indicator.grace.after(period.end()) else {
                continue;
            };
            if grace_end >= date {
                continue;
            }
            let (mut first, mut counts) = (None::<(Key, u64)>, false);
            // Each period end's observations come in key order, so its first report is the
            // earliest: once one of them counts, the rest of that period end's cannot
            // change `first` or `counts` (walking them all, every period of a 1M-entry log
            // in every derivation, was most of a past instant's cost).
            for filed in quorum::under_cut(&lind.obs, period.start(), period.end(), cut) {
                for (&(_, key), obs) in filed {
                    // Observing from before the period, it is not a report on it (the
                    // quorum ignores it too).
                    if obs.start < period.start() {
                        continue;
                    }
                    if first.is_none_or(|(k, _)| key < k) {
                        first = Some((key, obs.index));
                    }
                    if obs.killed_by.is_none_or(|k| k > cut) {
                        counts = true;
                        break;
                    }
                }
            }
            let report = match first {
                Some((key, _)) if counts && core.day(key.0) <= grace_end => {
                    if let Some(c) = cell {
                        reported.push((n, period.start(), c.stamp));
                    }
                    continue;
                }
                Some((key, index)) if counts => Some((key, LogIndex(index))),
                _ => None,
            };
            let Some(id) = overdue_id(&indicator.id, n, period.start()) else {
                continue;
            };
            out.push(Escalation {
                id,
                indicator: &indicator.id,
                period,
                stage,
                grace_end,
                report,
            });
        }
    }
    out
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
