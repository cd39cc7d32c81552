//! Commitments: each commitment's status at each review, from its indicators' (the worst
//! wins: a breach whose cure window is still open is not a breach yet), the record date it
//! became known, the same as the monitors made the findings for commitments with a disputed
//! finding, and the commitments whose relief an overdue report holds.

use std::collections::BTreeMap;

use crate::agreement::OverduePolicy;
use crate::id::{CommitmentId, IndicatorId};
use crate::rule::CommitmentStatus;
use crate::time::{Date, Period};

use super::super::state::{CommitmentReview, IndicatorState, IndicatorStatus, Reason, Rule};
use super::calendar::Calendar;
use super::findings::{Cells, Findings, ReviewCell};

/// A commitment's review statuses and the record dates they became known, by review
/// number − 1.
#[derive(Debug, Clone, Default)]
pub(crate) struct Reviews {
    pub statuses: Vec<Option<CommitmentReview>>,
    pub known: Vec<Option<Date>>,
}

/// What the commitments stage hands on.
pub(crate) struct Commitments {
    /// Every commitment of the versions used, newest version's first, with its title.
    pub titles: Vec<(CommitmentId, String)>,
    /// Per commitment, its review statuses with the disputes' effects.
    pub reviews: BTreeMap<CommitmentId, Reviews>,
    /// For commitments with a disputed finding: their review statuses as the monitors made
    /// the findings, without any dispute's effect.
    pub undisputed: BTreeMap<CommitmentId, Reviews>,
    /// Commitments with an indicator whose overdue policy holds relief and that is overdue
    /// now: the indicator and the first overdue period.
    pub held: BTreeMap<CommitmentId, (IndicatorId, Period)>,
}

/// The commitments' statuses at each review, from the findings.
pub(crate) fn commitments<'f>(cal: &Calendar<'f>, findings: &'f Findings) -> Commitments {
    let n_reviews = cal.reviews.len();
    let explain = cal.detail == super::Detail::Full;
    let mut out = Commitments {
        titles: Vec::new(),
        reviews: BTreeMap::new(),
        undisputed: BTreeMap::new(),
        held: held(cal, &findings.indicators),
    };
    // As the monitors made the findings, per commitment: (review, status, known).
    let mut as_made: BTreeMap<CommitmentId, Vec<(usize, CommitmentReview, Option<Date>)>> =
        BTreeMap::new();
    for &v in findings.used.iter().rev() {
        let Some(version) = cal.core.versions.get(v) else {
            continue;
        };
        for c in &version.commitments {
            if !out.titles.iter().any(|(id, _)| id == &c.id) {
                out.titles.push((c.id.clone(), c.title.clone()));
            }
            let slots = out.reviews.entry(c.id.clone()).or_insert_with(|| Reviews {
                statuses: vec![None; n_reviews],
                known: vec![None; n_reviews],
            });
            let disputed = version
                .indicators_of(&c.id)
                .any(|i| findings.undisputed.contains_key(&(v, i.id.clone())));
            // Each indicator's review cells, looked up once per commitment, not per review.
            let rows = |which: &[&'f Cells]| -> Vec<(&'f IndicatorId, Option<&'f Row>)> {
                version
                    .indicators_of(&c.id)
                    .map(|i| {
                        let key = (v, i.id.clone());
                        (&i.id, which.iter().find_map(|m| m.get(&key)))
                    })
                    .collect()
            };
            let with_effects = rows(&[&findings.cells]);
            let as_monitors_made = if disputed {
                rows(&[&findings.undisputed, &findings.cells])
            } else {
                Vec::new()
            };
            // One list of a review's cells, refilled at each review (a look rolls every
            // review up again).
            let mut members: Vec<(&IndicatorId, Option<&'f ReviewCell>)> =
                Vec::with_capacity(with_effects.len());
            for review in cal
                .reviews
                .iter()
                .filter(|r| cal.governing(r.period.start()) == v)
            {
                let n = review.number as usize - 1;
                let cells =
                    |rows: &[(&'f IndicatorId, Option<&'f Row>)],
                     out: &mut Vec<(&'f IndicatorId, Option<&'f ReviewCell>)>| {
                        out.clear();
                        out.extend(rows.iter().map(|(id, row)| {
                            let cell = row.and_then(|cs| cs.get(n)).and_then(|c| c.as_ref());
                            (*id, cell)
                        }));
                    };
                cells(&with_effects, &mut members);
                if let Some(slot) = slots.statuses.get_mut(n) {
                    *slot = Some(roll_up(review.number, &members, explain));
                }
                if let Some(slot) = slots.known.get_mut(n) {
                    *slot = known(&members);
                }
                if disputed {
                    cells(&as_monitors_made, &mut members);
                    as_made.entry(c.id.clone()).or_default().push((
                        n,
                        roll_up(review.number, &members, explain),
                        known(&members),
                    ));
                }
            }
        }
    }
    for (c, rows) in as_made {
        let mut entry = out.reviews.get(&c).cloned().unwrap_or_default();
        for (n, review, known) in rows {
            if let Some(slot) = entry.statuses.get_mut(n) {
                *slot = Some(review);
            }
            if let Some(slot) = entry.known.get_mut(n) {
                *slot = known;
            }
        }
        out.undisputed.insert(c, entry);
    }
    out
}

/// One indicator's review cells, by review number − 1.
type Row = Vec<Option<ReviewCell>>;

/// The record date of the latest report the cells rest on.
fn known(members: &[(&IndicatorId, Option<&ReviewCell>)]) -> Option<Date> {
    members
        .iter()
        .filter_map(|(_, c)| c.and_then(|c| c.known))
        .max()
}

/// Indicators of the governing version that hold relief while a report is overdue.
fn held(
    cal: &Calendar<'_>,
    indicators: &[IndicatorState],
) -> BTreeMap<CommitmentId, (IndicatorId, Period)> {
    let mut held = BTreeMap::new();
    let Some(agreement) = cal.agreement() else {
        return held;
    };
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
    held
}

/// A commitment's status at a review, from its indicators', with the reasons when
/// `explain`.
fn roll_up(
    review: u32,
    members: &[(&IndicatorId, Option<&ReviewCell>)],
    explain: bool,
) -> CommitmentReview {
    if members.is_empty() {
        return CommitmentReview {
            review,
            status: CommitmentStatus::Unverified,
            reasons: vec![Reason::rule(
                Rule::CommitmentNoIndicators,
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
    // A deadline met late counts as met.
    let all_compliant = members.iter().all(|(_, c)| {
        matches!(
            status_of(*c),
            IndicatorStatus::Compliant | IndicatorStatus::MetLate
        )
    });
    let status = if breach {
        CommitmentStatus::Noncompliant
    } else if contested {
        CommitmentStatus::Contested
    } else if all_compliant {
        CommitmentStatus::Compliant
    } else {
        CommitmentStatus::Unverified
    };
    if !explain {
        return CommitmentReview {
            review,
            status,
            reasons: Vec::new(),
        };
    }
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
            Rule::CommitmentIndicators,
            parts.join(", "),
            entries,
        )],
    }
}
