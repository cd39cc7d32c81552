//! The condition language, judged: whether a condition holds at a review (and since when,
//! on which entries), what remains of one that does not, and conditions in the agreement
//! format's words.
//!
//! A [`Judge`] holds what conditions read: the calendar, the commitments' statuses, the
//! disputes over their findings and the phases reached so far. Phases, triggers, relief
//! (renewals) and re-entry after a fire all judge through it.

use std::collections::BTreeMap;

use crate::agreement::Agreement;
use crate::id::{CommitmentId, PhaseId};
use crate::rule::{CommitmentStatus, Condition, DateRule, DisputeState, Quantifier};
use crate::statement::LogIndex;
use crate::time::Date;

use super::super::state::{CommitmentReview, Unmet};
use super::calendar::Calendar;
use super::commitments::{Commitments, Reviews};
use super::{Anchors, nth};

/// What conditions are judged on.
#[derive(Clone, Copy)]
pub(crate) struct Judge<'a> {
    pub cal: &'a Calendar<'a>,
    pub commitments: &'a Commitments,
    /// Per commitment, the state of the disputes over its findings and since when.
    pub disputes: &'a BTreeMap<CommitmentId, (DisputeState, Date)>,
    /// The phases reached so far, and their entry dates.
    pub reached: &'a BTreeMap<PhaseId, Date>,
    /// Commitments judged on their findings as the monitors made them, without any
    /// dispute's effect (an invocation made before every dispute over them opened).
    pub as_made: &'a [CommitmentId],
}

impl<'a> Judge<'a> {
    /// The same judge, with other phases reached.
    pub fn with_reached(self, reached: &'a BTreeMap<PhaseId, Date>) -> Self {
        Self { reached, ..self }
    }

    /// The same judge, taking these commitments' findings as the monitors made them.
    pub fn as_made(self, commitments: &'a [CommitmentId]) -> Self {
        Self {
            as_made: commitments,
            ..self
        }
    }

    /// The governing version's anchors, with the phases reached.
    pub fn anchors(&self) -> Anchors {
        let mut a = self.cal.anchors();
        a.phases = self.reached.clone();
        a
    }

    /// A commitment's review statuses, as this judge reads them.
    fn reviews_of(&self, c: &CommitmentId) -> Option<&'a Reviews> {
        if self.as_made.contains(c)
            && let Some(r) = self.commitments.undisputed.get(c)
        {
            return Some(r);
        }
        self.commitments.reviews.get(c)
    }
}

/// Whether a condition holds, since when, and on which entries.
pub(crate) struct Holds {
    pub ok: bool,
    pub witness: Option<Date>,
    pub entries: Vec<LogIndex>,
}

pub(crate) fn has_status(cond: &Condition) -> bool {
    match cond {
        Condition::Status { .. } => true,
        Condition::And { all } => all.iter().any(has_status),
        Condition::Or { any } => any.iter().any(has_status),
        Condition::Not { not } => has_status(not),
        _ => false,
    }
}

fn status_at<'c>(
    j: Judge<'c>,
    commitment: &CommitmentId,
    review: u32,
) -> Option<&'c CommitmentReview> {
    j.reviews_of(commitment)?
        .statuses
        .get(review.checked_sub(1)? as usize)?
        .as_ref()
}

/// Evaluates a condition with `latest` as the latest review (0: none concluded).
pub(crate) fn holds(j: Judge<'_>, anchors: &Anchors, cond: &Condition, latest: u32) -> Holds {
    holds_from(j, anchors, cond, latest, 1, false)
}

/// Evaluates a condition with `latest` as the latest review, counting only reviews from
/// number `floor` on (a status that needs earlier reviews does not hold): after a snapback,
/// relief is earned again on reviews that begin after the fire. Under a `not` (`negated`)
/// a status window that reaches back before `floor` is cut to the reviews from `floor` on
/// instead: a negated status that held at every review counted since the fire still
/// breaks the `not`, rather than vanishing with the reviews before the fire.
fn holds_from(
    j: Judge<'_>,
    anchors: &Anchors,
    cond: &Condition,
    latest: u32,
    floor: u32,
    negated: bool,
) -> Holds {
    let no = || Holds {
        ok: false,
        witness: None,
        entries: Vec::new(),
    };
    match cond {
        Condition::Status {
            quantifier,
            commitments,
            status,
            reviews,
        } => {
            let n = (*reviews).max(1);
            let clipped = negated && floor > 1 && latest >= floor;
            if commitments.is_empty() || (!clipped && (latest < n || latest - n + 1 < floor)) {
                return no();
            }
            let first = (latest + 1).saturating_sub(n).max(floor).max(1);
            let n = latest - first + 1;
            let mut qualifying = Vec::new();
            for c in commitments {
                let ok = (first..=latest)
                    .all(|r| status_at(j, c, r).is_some_and(|s| s.status == *status));
                if ok {
                    qualifying.push(c);
                }
            }
            let count = u32::try_from(qualifying.len()).unwrap_or(u32::MAX);
            let ok = match quantifier {
                Quantifier::All => qualifying.len() == commitments.len(),
                Quantifier::Any => count >= 1,
                Quantifier::AtLeast(k) => count >= (*k).max(1),
            };
            if !ok {
                return no();
            }
            let mut entries = Vec::new();
            for c in &qualifying {
                for r in first..=latest {
                    if let Some(s) = status_at(j, c, r) {
                        for reason in &s.reasons {
                            entries.extend(reason.entries.iter().copied());
                        }
                    }
                }
            }
            entries.sort_unstable();
            entries.dedup();
            let review_end = j
                .cal
                .reviews
                .get(latest as usize - 1)
                .and_then(|r| r.period.end().tomorrow().ok());
            let known = qualifying
                .iter()
                .filter_map(|c| j.reviews_of(c))
                .flat_map(|k| k.known.iter().skip(first as usize - 1).take(n as usize))
                .flatten()
                .max()
                .copied();
            Holds {
                ok,
                witness: review_end.max(known),
                entries,
            }
        }
        Condition::Dispute { commitment, state } => {
            let now = dispute_state(j, commitment);
            Holds {
                ok: now == *state,
                // Since the dispute reached that state (none: no dispute was ever opened).
                witness: j.disputes.get(commitment).map(|(_, d)| *d),
                entries: Vec::new(),
            }
        }
        Condition::PhaseReached { phase } => match j.reached.get(phase) {
            Some(d) => Holds {
                ok: true,
                witness: Some(*d),
                entries: Vec::new(),
            },
            None => no(),
        },
        Condition::EventOccurred { event } => match anchors.events.get(event) {
            Some(d) if *d <= j.cal.date => Holds {
                ok: true,
                witness: Some(*d),
                entries: j.cal.event_entry(event).into_iter().collect(),
            },
            _ => no(),
        },
        Condition::DatePassed { date } => match anchors.resolve(date) {
            Some(d) if d <= j.cal.date => Holds {
                ok: true,
                witness: Some(d),
                entries: Vec::new(),
            },
            _ => no(),
        },
        Condition::And { all } => {
            let mut out = Holds {
                ok: true,
                witness: None,
                entries: Vec::new(),
            };
            for c in all {
                let h = holds_from(j, anchors, c, latest, floor, negated);
                if !h.ok {
                    return no();
                }
                out.witness = out.witness.max(h.witness);
                out.entries.extend(h.entries);
            }
            out
        }
        Condition::Or { any } => {
            let mut best: Option<Holds> = None;
            for c in any {
                let h = holds_from(j, anchors, c, latest, floor, negated);
                if h.ok
                    && best.as_ref().is_none_or(|b| {
                        h.witness.is_some() && (b.witness.is_none() || h.witness < b.witness)
                    })
                {
                    best = Some(h);
                }
            }
            best.unwrap_or_else(no)
        }
        Condition::Not { not } => {
            let h = holds_from(j, anchors, not, latest, floor, !negated);
            Holds {
                ok: !h.ok,
                witness: None,
                entries: Vec::new(),
            }
        }
    }
}

/// The state of the disputes over a commitment's findings (an open one wins; otherwise
/// the latest opened decides), as `derive::disputes` walked them.
pub(crate) fn dispute_state(j: Judge<'_>, commitment: &CommitmentId) -> DisputeState {
    j.disputes
        .get(commitment)
        .map_or(DisputeState::None, |(s, _)| *s)
}

/// Lists the unmet parts of a condition at the latest concluded review (when `out` is
/// given), and returns the earliest date the whole condition could be met (`None` when it
/// cannot be computed).
pub(crate) fn unmet(
    j: Judge<'_>,
    agreement: &Agreement,
    anchors: &Anchors,
    cond: &Condition,
    phases: &BTreeMap<PhaseId, Option<Date>>,
    out: Option<&mut Vec<Unmet>>,
) -> Option<Date> {
    unmet_into(j, agreement, anchors, cond, phases, out)
}

/// [`unmet`], listing the unmet parts only when `out` is given: the date is the same
/// either way (it is computed from the reviews and anchors, never from the words).
fn unmet_into(
    j: Judge<'_>,
    agreement: &Agreement,
    anchors: &Anchors,
    cond: &Condition,
    phases: &BTreeMap<PhaseId, Option<Date>>,
    mut out: Option<&mut Vec<Unmet>>,
) -> Option<Date> {
    let latest = j.cal.concluded;
    if holds(j, anchors, cond, latest).ok {
        return Some(j.cal.date);
    }
    let explain = out.is_some();
    let mut say = |detail: &dyn Fn() -> String, earliest: Option<Date>| {
        if let Some(out) = out.as_deref_mut() {
            out.push(Unmet {
                condition: describe(cond),
                detail: detail(),
                earliest,
            });
        }
    };
    match cond {
        Condition::Status {
            quantifier,
            commitments,
            status,
            reviews,
        } => {
            let wanted = (*status, (*reviews).max(1));
            let (earliest, parts) = status_unmet(
                j,
                agreement,
                anchors,
                (quantifier, commitments),
                wanted,
                explain,
            );
            say(&|| parts.join(", "), earliest);
            earliest
        }
        Condition::Dispute { commitment, .. } => {
            say(
                &|| {
                    format!(
                        "the dispute state is `{}`",
                        dispute_name(dispute_state(j, commitment))
                    )
                },
                None,
            );
            None
        }
        Condition::PhaseReached { phase } => {
            let e = phases.get(phase).copied().flatten();
            say(
                &|| {
                    if phases.contains_key(phase) {
                        "that phase is not reached".to_owned()
                    } else {
                        "that phase comes later in the schedule or does not exist".to_owned()
                    }
                },
                e,
            );
            e
        }
        Condition::EventOccurred { event } => {
            let e = anchors.events.get(event).copied();
            say(
                &|| match e {
                    Some(d) => format!("scheduled for {d}"),
                    None => "not recorded yet".to_owned(),
                },
                e,
            );
            e
        }
        Condition::DatePassed { date } => {
            let d = anchors.resolve(date);
            say(
                &|| match d {
                    Some(d) => format!("on {d}"),
                    None => "depends on a date not known yet".to_owned(),
                },
                d,
            );
            d
        }
        Condition::And { all } => {
            let mut latest_date = Some(j.cal.date);
            for c in all {
                let e = unmet_into(j, agreement, anchors, c, phases, out.as_deref_mut());
                latest_date = match (latest_date, e) {
                    (Some(a), Some(b)) => Some(a.max(b)),
                    _ => None,
                };
            }
            latest_date
        }
        Condition::Or { any } => {
            let mut scratch = Vec::new();
            let earliest = any
                .iter()
                .filter_map(|c| {
                    let sink = explain.then_some(&mut scratch);
                    unmet_into(j, agreement, anchors, c, phases, sink)
                })
                .min();
            say(
                &|| {
                    format!(
                        "none of the alternatives holds: {}",
                        scratch
                            .iter()
                            .map(|u| format!("{} ({})", u.condition, u.detail))
                            .collect::<Vec<_>>()
                            .join("; ")
                    )
                },
                earliest,
            );
            earliest
        }
        Condition::Not { .. } => {
            say(&|| "the negated condition holds".to_owned(), None);
            None
        }
    }
}

/// A status condition's earliest date: per commitment, the streak of reviews ending with
/// the latest that have `status` (or could still get it), and the review end by which it
/// would reach `n`; with `explain`, each commitment's status at the latest review.
fn status_unmet(
    j: Judge<'_>,
    agreement: &Agreement,
    anchors: &Anchors,
    (quantifier, commitments): (&Quantifier, &[CommitmentId]),
    (status, n): (CommitmentStatus, u32),
    explain: bool,
) -> (Option<Date>, Vec<String>) {
    let latest = j.cal.concluded;
    let mut dates: Vec<Option<Date>> = Vec::new();
    let mut parts = Vec::new();
    for c in commitments {
        // The streak of reviews, ending with the latest, that have the status or could
        // still get it (unverified: evidence may still come, late reports count).
        let mut streak = 0;
        let mut r = latest;
        while r > 0 {
            match status_at(j, c, r).map(|s| s.status) {
                Some(s) if s == status || s == CommitmentStatus::Unverified => {
                    streak += 1;
                    r -= 1;
                }
                _ => break,
            }
            if streak >= n {
                break;
            }
        }
        if explain {
            let now = status_at(j, c, latest).map_or("no review yet".to_owned(), |s| {
                format!("{} at review {latest}", status_name(s.status))
            });
            parts.push(format!("`{c}` {now}"));
        }
        dates.push(if streak >= n {
            Some(j.cal.date)
        } else {
            review_end_after(j, agreement, anchors, latest.saturating_add(n - streak))
        });
    }
    (combine(quantifier, commitments.len(), &dates), parts)
}

fn combine(quantifier: &Quantifier, n: usize, dates: &[Option<Date>]) -> Option<Date> {
    match quantifier {
        Quantifier::All => dates
            .iter()
            .try_fold(Date::MIN, |acc, d| d.map(|d| acc.max(d))),
        Quantifier::Any => dates.iter().flatten().min().copied(),
        Quantifier::AtLeast(k) => {
            let mut known: Vec<Date> = dates.iter().flatten().copied().collect();
            known.sort_unstable();
            let k = (*k).max(1) as usize;
            if k > n {
                return None;
            }
            known.get(k - 1).copied()
        }
    }
}

/// The day after review number `number` ends (reviews may lie in the future).
fn review_end_after(
    j: Judge<'_>,
    agreement: &Agreement,
    anchors: &Anchors,
    number: u32,
) -> Option<Date> {
    let start = match j.cal.reviews.first() {
        Some(r) => r.period.start(),
        None => anchors.resolve(&agreement.review.starts)?,
    };
    nth(start, agreement.review.every, number)
}

pub(crate) fn status_name(s: CommitmentStatus) -> &'static str {
    match s {
        CommitmentStatus::Compliant => "compliant",
        CommitmentStatus::Noncompliant => "noncompliant",
        CommitmentStatus::Contested => "contested",
        CommitmentStatus::Unverified => "unverified",
    }
}

fn dispute_name(s: DisputeState) -> &'static str {
    match s {
        DisputeState::Open => "open",
        DisputeState::Exhausted => "exhausted",
        DisputeState::Upheld => "upheld",
        DisputeState::Overturned => "overturned",
        DisputeState::None => "none",
    }
}

/// A condition in the agreement format's words.
pub(crate) fn describe(cond: &Condition) -> String {
    match cond {
        Condition::Status {
            quantifier,
            commitments,
            status,
            reviews,
        } => {
            let list: Vec<&str> = commitments.iter().map(|c| c.as_str()).collect();
            let q = match quantifier {
                Quantifier::All => "all".to_owned(),
                Quantifier::Any => "any".to_owned(),
                Quantifier::AtLeast(k) => format!("at_least({k}"),
            };
            let open = if matches!(quantifier, Quantifier::AtLeast(_)) {
                format!("{q}, ")
            } else {
                format!("{q}(")
            };
            format!(
                "{open}{}) {} for {reviews} review{}",
                list.join(", "),
                status_name(*status),
                if *reviews == 1 { "" } else { "s" }
            )
        }
        Condition::Dispute { commitment, state } => {
            format!("dispute({commitment}) {}", dispute_name(*state))
        }
        Condition::PhaseReached { phase } => format!("phase({phase}) reached"),
        Condition::EventOccurred { event } => format!("event({event}) occurred"),
        Condition::DatePassed { date } => format!("date({}) passed", describe_date(date)),
        Condition::And { all } => all.iter().map(paren).collect::<Vec<_>>().join(" and "),
        Condition::Or { any } => any.iter().map(paren).collect::<Vec<_>>().join(" or "),
        Condition::Not { not } => format!("not {}", paren(not)),
    }
}

fn paren(c: &Condition) -> String {
    match c {
        Condition::And { .. } | Condition::Or { .. } => format!("({})", describe(c)),
        _ => describe(c),
    }
}

/// A date rule in the agreement format's words.
pub(crate) fn describe_date(rule: &DateRule) -> String {
    match rule {
        DateRule::On(d) => d.to_string(),
        DateRule::At(m) => m.to_string(),
        DateRule::Event(e) => e.to_string(),
        DateRule::PhaseEntered(p) => format!("phase({p})"),
        DateRule::StageBegan(s) => format!("stage({s})"),
        DateRule::Offset { base, by, forward } => {
            format!(
                "{} {} {by}",
                describe_date(base),
                if *forward { "+" } else { "-" }
            )
        }
        DateRule::Earliest(rules) => format!(
            "earliest({})",
            rules
                .iter()
                .map(describe_date)
                .collect::<Vec<_>>()
                .join(", ")
        ),
        DateRule::Latest(rules) => format!(
            "latest({})",
            rules
                .iter()
                .map(describe_date)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// Whether a condition holds with `latest` reviews concluded, and since when it is known.
pub(crate) fn holds_at(
    j: Judge<'_>,
    anchors: &Anchors,
    cond: &Condition,
    latest: u32,
) -> (bool, Option<Date>, Vec<LogIndex>) {
    let h = holds(j, anchors, cond, latest);
    (h.ok, h.witness, h.entries)
}

/// The earliest date a condition could hold, when it can be computed (the evaluation date
/// when it holds now).
pub(crate) fn earliest(j: Judge<'_>, anchors: &Anchors, cond: &Condition) -> Option<Date> {
    let agreement = j.cal.agreement()?;
    let phases: BTreeMap<PhaseId, Option<Date>> = j
        .reached
        .iter()
        .map(|(p, d)| (p.clone(), Some(*d)))
        .collect();
    // Only the date: the unmet parts' words are not built.
    unmet_into(j, agreement, anchors, cond, &phases, None)
}

/// Whether a condition holds on `day`: at the reviews concluded by then, on what was known
/// by then.
pub(crate) fn holds_on(j: Judge<'_>, cond: &Condition, day: Date) -> bool {
    let latest = j.cal.concluded_before(day);
    let h = holds(j, &j.anchors(), cond, latest);
    h.ok && h.witness.is_none_or(|w| w <= day)
}

/// When a phase reverted by a trigger fired on `fired` is earned again (`reentry =
/// "re_earn"`): the first day its entry condition is met at a concluded review that begins
/// on or after `fired`, with every review a status counts also beginning on or after it
/// (the consecutive count starts over), and not before `after` (the previous phase's own
/// re-entry, when it was reverted too). Returns that day, the review, and the entries.
pub(crate) fn reentry(
    j: Judge<'_>,
    anchors: &Anchors,
    entry: &Condition,
    fired: Date,
    after: Option<Date>,
) -> Option<(Date, u32, Vec<LogIndex>)> {
    let floor = first_review_from(j, fired)?;
    for r in floor..=j.cal.concluded {
        let h = holds_from(j, anchors, entry, r, floor, false);
        if !h.ok {
            continue;
        }
        let review_end = j
            .cal
            .reviews
            .get(r as usize - 1)
            .and_then(|rv| rv.period.end().tomorrow().ok());
        let day = [h.witness, review_end, after, Some(fired)]
            .into_iter()
            .flatten()
            .max()
            .unwrap_or(fired);
        if day <= j.cal.date {
            return Some((day, r, h.entries));
        }
    }
    None
}

/// The number of the first review (begun by the evaluation date) that begins on or after
/// `day`.
pub(crate) fn first_review_from(j: Judge<'_>, day: Date) -> Option<u32> {
    j.cal
        .reviews
        .iter()
        .find(|r| r.period.start() >= day)
        .map(|r| r.number)
}

/// The earliest day a reverted phase could be earned again: the day after the review that
/// would complete its longest status window, counting from the first review that begins on
/// or after `fired` (none when that cannot be computed).
pub(crate) fn reentry_earliest(j: Judge<'_>, entry: &Condition, fired: Date) -> Option<Date> {
    let agreement = j.cal.agreement()?;
    let anchors = j.anchors();
    let start = match j.cal.reviews.first() {
        Some(r) => r.period.start(),
        None => anchors.resolve(&agreement.review.starts)?,
    };
    // Reviews that begin before the fire do not count: skip them.
    let mut skipped = 0u32;
    while nth(start, agreement.review.every, skipped)? < fired {
        skipped = skipped.checked_add(1)?;
        if skipped > 100_000 {
            return None;
        }
    }
    let needed = longest_window(entry).max(1);
    nth(start, agreement.review.every, skipped.checked_add(needed)?).map(|d| d.max(j.cal.date))
}

/// The longest run of reviews a condition's status leaves ask for.
fn longest_window(cond: &Condition) -> u32 {
    match cond {
        Condition::Status { reviews, .. } => (*reviews).max(1),
        Condition::And { all } => all.iter().map(longest_window).max().unwrap_or(0),
        Condition::Or { any } => any.iter().map(longest_window).max().unwrap_or(0),
        Condition::Not { not } => longest_window(not),
        _ => 0,
    }
}

/// Whether a condition rests on a commitment's status.
pub(crate) fn mentions(cond: &Condition, commitment: &CommitmentId) -> bool {
    match cond {
        Condition::Status { commitments, .. } => commitments.contains(commitment),
        Condition::Dispute { commitment: c, .. } => c == commitment,
        Condition::And { all } => all.iter().any(|c| mentions(c, commitment)),
        Condition::Or { any } => any.iter().any(|c| mentions(c, commitment)),
        Condition::Not { not } => mentions(not, commitment),
        _ => false,
    }
}
