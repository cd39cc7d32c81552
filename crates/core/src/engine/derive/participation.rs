//! Participation over time: who takes part in the agreement on each day. A participant
//! listed in the agreement takes part from the start, unless its first recorded change is a
//! join (then from that day); it stops on the day it ceases participating or withdraws, and
//! takes part again from a later join. Standing for a step is judged on the step's day.
//!
//! A change counts when it is recorded under the cut by the participant itself (an
//! authority may record another participant's join); a change that changes nothing (a
//! second withdrawal) is rejected with the reason.

use std::collections::BTreeMap;

use crate::agreement::{Agreement, PartyRole};
use crate::id::ParticipantId;
use crate::statement::{LogIndex, ParticipationChange, Statement};
use crate::time::{CalendarDuration, Date};

use super::super::ingest::Core;
use super::{Key, Rejected};

/// One recorded change of participation.
#[derive(Debug, Clone)]
pub(crate) struct Change {
    pub effective: Date,
    /// The moment as recorded (a plain date, or an instant in a zone).
    pub at: crate::time::Moment,
    pub change: ParticipationChange,
    pub wind_down: Option<CalendarDuration>,
    pub entry: LogIndex,
}

/// Every participant's changes of participation, in effective order.
#[derive(Debug, Clone, Default)]
pub(crate) struct Participants {
    changes: BTreeMap<ParticipantId, Vec<Change>>,
}

impl Participants {
    /// The changes recorded under the cut, each checked; those that do not count are
    /// rejected with the reason.
    pub fn new(
        core: &Core,
        agreement: &Agreement,
        cut: crate::time::Instant,
        alive: &dyn Fn(Key, LogIndex) -> bool,
        rejected: &mut Rejected,
    ) -> Self {
        let mut out = Self::default();
        for o in &core.others {
            let Statement::Participation(p) = &o.statement else {
                continue;
            };
            if !alive(o.key, o.index) {
                continue;
            }
            // Under the cut, so `o.key.0` is not after it: an instant later on the day of
            // the cut counts from the next day (see `Moment::day_as_of`).
            let effective = p.effective.day_as_of(cut, &core.days);
            let authority = |a: &ParticipantId| {
                agreement
                    .parties
                    .iter()
                    .any(|x| &x.id == a && x.role == PartyRole::Authority)
            };
            let declared = agreement.participant(&p.participant).is_some();
            let by_itself = o.authors.iter().all(|a| a == &p.participant);
            let problem = if !declared {
                Some(format!(
                    "`{}` is not a participant of the agreement",
                    p.participant
                ))
            } else if !(by_itself
                || p.change == ParticipationChange::Join && o.authors.iter().all(authority))
            {
                Some(format!(
                    "only `{}` itself records that it {} (an authority may record a join)",
                    p.participant,
                    verb(p.change)
                ))
            } else if out.on(&p.participant, effective) == (p.change == ParticipationChange::Join)
                && out.changes.contains_key(&p.participant)
            {
                Some(format!(
                    "`{}` already {} on {}: the change changes nothing",
                    p.participant,
                    if p.change == ParticipationChange::Join {
                        "takes part"
                    } else {
                        "does not take part"
                    },
                    p.effective
                ))
            } else {
                None
            };
            if let Some(why) = problem {
                rejected.push((o.index.0, why));
                continue;
            }
            let list = out.changes.entry(p.participant.clone()).or_default();
            list.push(Change {
                effective,
                at: p.effective.clone(),
                change: p.change,
                wind_down: p.wind_down,
                entry: o.index,
            });
            list.sort_by_key(|c| (c.effective, c.entry));
        }
        out
    }

    /// Whether a participant takes part on `day`.
    pub fn on(&self, participant: &ParticipantId, day: Date) -> bool {
        let Some(list) = self.changes.get(participant) else {
            return true;
        };
        match list.iter().rev().find(|c| c.effective <= day) {
            Some(c) => c.change == ParticipationChange::Join,
            // Listed but joining later: not before its first join.
            None => list
                .first()
                .is_none_or(|c| c.change != ParticipationChange::Join),
        }
    }

    /// Why a participant has no standing on `day`, if it has none: it ceased participating
    /// or withdrew (or has not joined yet).
    pub fn why_not(&self, participant: &ParticipantId, day: Date) -> Option<String> {
        if self.on(participant, day) {
            return None;
        }
        let list = self.changes.get(participant)?;
        Some(match list.iter().rev().find(|c| c.effective <= day) {
            Some(c) => format!(
                "`{participant}` {} on {} (entry {}): it has no standing for later steps",
                past(c.change),
                c.effective,
                c.entry
            ),
            None => format!(
                "`{participant}` joins only on {}",
                list.first()
                    .map_or_else(String::new, |c| c.effective.to_string())
            ),
        })
    }

    /// The withdrawals by day `date`: (participant, the change).
    pub fn withdrawals(&self, date: Date) -> impl Iterator<Item = (&ParticipantId, &Change)> {
        self.changes.iter().flat_map(move |(p, list)| {
            list.iter()
                .filter(move |c| c.change == ParticipationChange::Withdraw && c.effective <= date)
                .map(move |c| (p, c))
        })
    }
}

fn verb(change: ParticipationChange) -> &'static str {
    match change {
        ParticipationChange::Join => "joins",
        ParticipationChange::Cease => "ceases participating",
        ParticipationChange::Withdraw => "withdraws",
    }
}

fn past(change: ParticipationChange) -> &'static str {
    match change {
        ParticipationChange::Join => "joined",
        ParticipationChange::Cease => "ceased participating",
        ParticipationChange::Withdraw => "withdrew",
    }
}
