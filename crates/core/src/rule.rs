//! The small languages inside an agreement: conditions over commitment statuses (phase
//! entry, triggers) and date rules ("90 days after adoption", "A or B, whichever is
//! earlier").
//!
//! These are the evaluated forms; the agreement format (`accord-spec`) parses their text
//! syntax with spans and lowers it here. The engine evaluates them.

use crate::id::{CommitmentId, EventId, PhaseId, StageId};
use crate::time::{CalendarDuration, Date, Moment};

/// A condition over the state of an agreement, for phase entry and triggers.
///
/// Text syntax (see `docs/agreement-format.md`):
/// `all(enrichment_cap, stockpile_cap) compliant for 2 reviews`,
/// `any(c1, c2) noncompliant and dispute(c1) exhausted`,
/// `phase(p1) reached and date(adoption + P90D) passed`.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Condition {
    /// Every / any / at least n of the commitments has a status, over consecutive reviews.
    Status {
        /// How the commitments are combined.
        quantifier: Quantifier,
        /// The commitments.
        commitments: Vec<CommitmentId>,
        /// The status they must have.
        status: CommitmentStatus,
        /// For how many consecutive reviews, ending with the latest (at least 1).
        reviews: u32,
    },
    /// The dispute process over a commitment's finding has reached a state.
    Dispute {
        /// The commitment whose finding is disputed.
        commitment: CommitmentId,
        /// The state of that dispute.
        state: DisputeState,
    },
    /// A phase has been reached (its entry condition met, or entered by decision).
    PhaseReached {
        /// The phase.
        phase: PhaseId,
    },
    /// An event has been recorded in the log.
    EventOccurred {
        /// The event.
        event: EventId,
    },
    /// A date (computed by a rule) has passed.
    DatePassed {
        /// The date rule.
        date: DateRule,
    },
    /// Both hold.
    And {
        /// The conditions, all of which must hold.
        all: Vec<Condition>,
    },
    /// Either holds.
    Or {
        /// The conditions, one of which must hold.
        any: Vec<Condition>,
    },
    /// Does not hold.
    Not {
        /// The condition negated.
        not: Box<Condition>,
    },
}

/// How a status condition combines several commitments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Quantifier {
    /// Every one.
    All,
    /// At least one.
    Any,
    /// At least this many.
    AtLeast(u32),
}

/// The status of a commitment at a review, as conditions name it.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum CommitmentStatus {
    /// Every indicator is compliant.
    Compliant,
    /// At least one indicator is non-compliant (after its cure window, if any).
    Noncompliant,
    /// Monitors disagree beyond tolerance, or a finding is disputed.
    Contested,
    /// Evidence is missing, unverified or overdue.
    Unverified,
}

/// The state of the dispute process over a finding, as conditions name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DisputeState {
    /// A dispute is open.
    Open,
    /// Every stage has run out without resolution: the decision is the authority's.
    Exhausted,
    /// Resolved with the finding upheld.
    Upheld,
    /// Resolved with the finding set aside.
    Overturned,
    /// No dispute is open (none was, or it closed).
    None,
}

/// A rule that computes a date from fixed dates, events and other rules.
///
/// Text syntax: `2026-01-15`, `2026-01-15T00:01[America/New_York]`, `adoption`, `adoption + P90D`, `phase(p2) - P30D`,
/// `earliest(adoption + P90D, 2026-06-30)`, `latest(a, b)`.
///
/// ```
/// use accord_core::rule::DateRule;
/// use accord_core::time::CalendarDuration;
/// use jiff::civil::date;
/// // "90 days after 2026-01-15, or 30 June, whichever is earlier"
/// let rule = DateRule::Earliest(vec![
///     DateRule::Offset { base: Box::new(DateRule::On(date(2026, 1, 15))), by: CalendarDuration::days(90), forward: true },
///     DateRule::On(date(2026, 6, 30)),
/// ]);
/// assert_eq!(rule.resolve(&|_| None), Some(date(2026, 4, 15)));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DateRule {
    /// A fixed date (a day of the agreement's zone, UTC when it names none).
    On(Date),
    /// A fixed instant stated in a zone (`2026-11-09T00:01[America/New_York]`): it counts
    /// from the agreement's day it falls on, and on that day only from the instant.
    At(Moment),
    /// The date an event occurred (declared with a date, or recorded in the log).
    Event(EventId),
    /// The date a phase was entered.
    PhaseEntered(PhaseId),
    /// The date a dispute stage over a commitment began.
    StageBegan(StageId),
    /// A date shifted by a calendar duration.
    Offset {
        /// The date shifted.
        base: Box<DateRule>,
        /// By how much.
        by: CalendarDuration,
        /// Later (`+`) or earlier (`-`).
        forward: bool,
    },
    /// The earliest of several dates that are known.
    Earliest(Vec<DateRule>),
    /// The latest of several dates; unknown until every one is known.
    Latest(Vec<DateRule>),
}

/// What a date rule refers to that only the state knows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DateAnchor<'a> {
    /// An event.
    Event(&'a EventId),
    /// A phase's entry.
    PhaseEntered(&'a PhaseId),
    /// A dispute stage's start.
    StageBegan(&'a StageId),
    /// An instant: its day depends on the evaluation's cut and the agreement's zone.
    At(&'a Moment),
}

impl DateRule {
    /// Computes the date, asking `anchor` for the dates of events, phase entries and
    /// stages. `None` when a date it depends on is not known (yet), or falls off the
    /// calendar.
    ///
    /// `earliest` is the earliest of the dates known now (an event that has not happened
    /// may still come first, so before that date passes the answer is provisional; whether
    /// it *has passed* by a given day is exact). It is `None` only when none is known.
    /// `latest` needs every date to be known.
    pub fn resolve(&self, anchor: &dyn Fn(DateAnchor<'_>) -> Option<Date>) -> Option<Date> {
        match self {
            DateRule::On(d) => Some(*d),
            DateRule::At(m) => anchor(DateAnchor::At(m)),
            DateRule::Event(e) => anchor(DateAnchor::Event(e)),
            DateRule::PhaseEntered(p) => anchor(DateAnchor::PhaseEntered(p)),
            DateRule::StageBegan(s) => anchor(DateAnchor::StageBegan(s)),
            DateRule::Offset { base, by, forward } => {
                // "30 days, then at midnight GMT": an instant shifted stays an instant, at
                // the same local time in its zone.
                if *forward && let Some(later) = self.instant() {
                    return anchor(DateAnchor::At(&later));
                }
                let base = base.resolve(anchor)?;
                if *forward {
                    by.after(base)
                } else {
                    by.before(base)
                }
            }
            DateRule::Earliest(rules) => rules.iter().filter_map(|r| r.resolve(anchor)).min(),
            DateRule::Latest(rules) => {
                let mut latest = None;
                for rule in rules {
                    let d = rule.resolve(anchor)?;
                    latest = Some(latest.map_or(d, |l: Date| l.max(d)));
                }
                latest
            }
        }
    }
}

impl DateRule {
    /// The instant the rule names when it is a stated instant, or one shifted later by a
    /// calendar duration (`2026-10-10T00:00[GMT] + P30D`); `None` for days and for what
    /// the state decides.
    pub fn instant(&self) -> Option<Moment> {
        match self {
            DateRule::At(m) => Some(m.clone()),
            DateRule::Offset {
                base,
                by,
                forward: true,
            } => base.instant()?.after(*by),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn adoption() -> DateRule {
        DateRule::Event(EventId::new("adoption").unwrap())
    }

    fn plus(rule: DateRule, days: u32) -> DateRule {
        DateRule::Offset {
            base: Box::new(rule),
            by: CalendarDuration::days(days),
            forward: true,
        }
    }

    #[test]
    fn relative_dates_wait_for_their_event() {
        let rule = plus(adoption(), 90);
        assert_eq!(rule.resolve(&|_| None), None);
        let adopted = |a: DateAnchor<'_>| match a {
            DateAnchor::Event(e) if e.as_str() == "adoption" => Some(date(2026, 1, 1)),
            _ => None,
        };
        assert_eq!(rule.resolve(&adopted), Some(date(2026, 4, 1)));
    }

    #[test]
    fn whichever_is_earlier_uses_what_is_known() {
        let rule = DateRule::Earliest(vec![plus(adoption(), 90), DateRule::On(date(2026, 6, 30))]);
        assert_eq!(rule.resolve(&|_| None), Some(date(2026, 6, 30)));
        let latest = DateRule::Latest(vec![plus(adoption(), 90), DateRule::On(date(2026, 6, 30))]);
        assert_eq!(latest.resolve(&|_| None), None);
    }
}
