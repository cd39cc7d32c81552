//! One trigger's walk: a state machine with one method per step (invoke, halt, withdraw),
//! the countdown's clock run to each step's record date first (pauses while a dispute
//! freezes a finding the invocation rests on, resumes or lapses when none is open, fires
//! when it runs out), re-arming after relief is earned again, an automatic trigger's fire,
//! and the state it ends in.

use crate::agreement::{Agreement, Reentry, Reversion, Trigger, WhileOpen};
use crate::id::{CommitmentId, ParticipantId};
use crate::statement::{LogIndex, Statement, TriggerAction};
use crate::time::{Date, Period};

use super::super::super::ingest::OtherEntry;
use super::super::super::state::{
    DisputeState, MilestoneState, MilestoneStatus, Reason, Rule, TriggerState, TriggerStatus,
};
use super::super::super::{date_from_epoch_day, epoch_day};
use super::super::conditions::{Judge, describe, earliest, holds_at, mentions};
use super::{
    Episode, Hold, dispute_states_at, episode, hold_entries, hold_names, holds_for, holds_on,
    names, rests, rests_on, reverted_actions, since_reviews,
};

/// For a trigger whose condition no longer holds only because the latest review has no
/// finding in yet: the day its findings are all due (its end plus the longest grace). The
/// condition held at the review before, and every commitment it names is unverified at the
/// latest one with nothing recorded for it yet — a review boundary, not a change of what is
/// known.
fn awaiting(judge: Judge<'_>, t: &Trigger) -> Option<Date> {
    let cal = judge.cal;
    let latest = cal.concluded.checked_sub(1)?;
    let review = cal.reviews.get(latest as usize)?;
    if latest == 0 || !holds_at(judge, &judge.anchors(), &t.when, latest).0 {
        return None;
    }
    let agreement = cal.agreement()?;
    let named: Vec<&crate::agreement::Commitment> = agreement
        .commitments
        .iter()
        .filter(|c| mentions(&t.when, &c.id))
        .collect();
    let empty = !named.is_empty()
        && named.iter().all(|c| {
            judge.commitments.reviews.get(&c.id).is_some_and(|r| {
                let status = r.statuses.get(latest as usize).and_then(|s| s.as_ref());
                let known = r.known.get(latest as usize).copied().flatten();
                status.is_some_and(|s| s.status == crate::rule::CommitmentStatus::Unverified)
                    && known.is_none()
            })
        });
    let grace = agreement
        .indicators
        .iter()
        .filter(|i| named.iter().any(|c| c.id == i.commitment))
        .filter_map(|i| i.grace.after(review.period.end()))
        .max()?;
    (empty && cal.date <= grace).then_some(grace)
}

/// Where a trigger's countdown stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Course {
    Idle,
    /// Counting down since `from` (the invocation, or the day it resumed).
    Counting {
        invoked: Date,
        until: Date,
        from: Date,
    },
    /// Paused since `since` with `remaining` days of the countdown left.
    Paused {
        invoked: Date,
        since: Date,
        remaining: i64,
    },
    Halted(Date),
    /// The invocation lapsed: a dispute overturned the finding it rested on.
    Lapsed(Date),
    Withdrawn(Date),
    Fired {
        invoked: Date,
        on: Date,
    },
    /// Relief was earned again after a fire: it may be invoked again.
    Rearmed(Date),
}

impl Course {
    /// The invocation day of a countdown under way or done.
    fn invoked(self) -> Option<Date> {
        match self {
            Course::Counting { invoked, .. }
            | Course::Paused { invoked, .. }
            | Course::Fired { invoked, .. } => Some(invoked),
            _ => None,
        }
    }
}

/// A trigger walked through its steps.
pub(super) struct TriggerWalk<'t> {
    t: &'t Trigger,
    /// Disputes over findings of the commitments its condition names.
    holds: Vec<Hold>,
    freeze: bool,
    /// The disputes that pause the current invocation's countdown: those that freeze a
    /// finding it rests on (set on each invocation).
    pausing: Vec<Hold>,
    rested: Vec<(CommitmentId, Period)>,
    course: Course,
    invoked_by: Vec<ParticipantId>,
    counted: Vec<LogIndex>,
    reasons: Vec<Reason>,
    cause: Vec<LogIndex>,
    episodes: Vec<Episode>,
    pending: Option<Episode>,
}

impl<'t> TriggerWalk<'t> {
    pub fn new(
        judge: Judge<'_>,
        agreement: &Agreement,
        disputes: &[DisputeState],
        t: &'t Trigger,
    ) -> Self {
        Self {
            t,
            holds: holds_for(judge, agreement, disputes, t),
            freeze: agreement.disputes.while_open == WhileOpen::FreezeFinding,
            pausing: Vec::new(),
            rested: Vec::new(),
            course: Course::Idle,
            invoked_by: Vec::new(),
            counted: Vec::new(),
            reasons: Vec::new(),
            cause: Vec::new(),
            episodes: Vec::new(),
            pending: None,
        }
    }

    /// One recorded step: `Err` with the reason when it does not count.
    pub fn step(
        &mut self,
        judge: Judge<'_>,
        agreement: &Agreement,
        o: &OtherEntry,
    ) -> Result<(), String> {
        let Statement::TriggerStep(step) = &o.statement else {
            return Ok(());
        };
        let day = o.day;
        self.tick(judge, day);
        self.rearm(judge, agreement, day);
        if let Some(why) = self.refusal(judge, &step.step, o, day) {
            return Err(why);
        }
        self.counted.push(o.index);
        match &step.step {
            TriggerAction::Invoke { reason } => self.invoke(judge, o, day, reason),
            TriggerAction::Halt { resolution } => {
                self.close(
                    o,
                    Rule::TriggerHalted,
                    format!(
                        "countdown halted on {day} by {}: {resolution}",
                        names(&o.authors)
                    ),
                );
                self.course = Course::Halted(day);
            }
            TriggerAction::Withdraw => {
                self.close(
                    o,
                    Rule::TriggerWithdrawn,
                    format!("invocation withdrawn on {day} by {}", names(&o.authors)),
                );
                self.course = Course::Withdrawn(day);
            }
        }
        Ok(())
    }

    /// Why a step does not count, if it does not.
    fn refusal(
        &self,
        judge: Judge<'_>,
        step: &TriggerAction,
        o: &OtherEntry,
        day: Date,
    ) -> Option<String> {
        let t = self.t;
        match (step, self.course) {
            (_, Course::Fired { on, .. }) => Some(match t.reentry {
                Reentry::ByDecision => format!(
                    "trigger `{}` fired on {on}: no step counts after it fires",
                    t.id
                ),
                Reentry::ReEarn => format!(
                    "trigger `{}` fired on {on}: no step counts until relief is earned again and it is re-armed",
                    t.id
                ),
            }),
            (TriggerAction::Invoke { .. }, _) if t.automatic => Some(format!(
                "trigger `{}` is automatic: it fires by itself when its condition holds, without invocation",
                t.id
            )),
            (TriggerAction::Invoke { .. }, Course::Counting { invoked, until, .. }) => {
                Some(format!(
                    "trigger `{}` was already invoked on {invoked}; its countdown runs until {until}",
                    t.id
                ))
            }
            (
                TriggerAction::Invoke { .. },
                Course::Paused {
                    invoked, remaining, ..
                },
            ) => Some(format!(
                "trigger `{}` was already invoked on {invoked}; its countdown is paused with {remaining} day(s) remaining",
                t.id
            )),
            (TriggerAction::Invoke { .. }, _) => self.invocation_refused(judge, o, day),
            (TriggerAction::Halt { .. } | TriggerAction::Withdraw, _)
                if o.authors
                    .iter()
                    .any(|a| judge.cal.participants.why_not(a, day).is_some()) =>
            {
                o.authors
                    .iter()
                    .find_map(|a| judge.cal.participants.why_not(a, day))
            }
            (TriggerAction::Halt { .. }, Course::Counting { .. } | Course::Paused { .. }) => {
                if t.halted_by.is_empty() {
                    Some(format!("no participant may halt `{}`", t.id))
                } else {
                    o.authors
                        .iter()
                        .find(|a| !t.halted_by.contains(a))
                        .map(|p| {
                            format!(
                                "`{p}` may not halt `{}`: only {} may",
                                t.id,
                                names(&t.halted_by)
                            )
                        })
                }
            }
            (TriggerAction::Halt { .. }, _) => Some(format!(
                "trigger `{}` is not counting down: there is nothing to halt",
                t.id
            )),
            (TriggerAction::Withdraw, Course::Counting { .. } | Course::Paused { .. }) => o
                .authors
                .iter()
                .find(|a| !self.invoked_by.contains(a))
                .map(|p| {
                    format!(
                        "`{p}` did not invoke `{}`: only {} may withdraw the invocation",
                        t.id,
                        names(&self.invoked_by)
                    )
                }),
            (TriggerAction::Withdraw, _) => Some(format!(
                "trigger `{}` is not counting down: there is no invocation to withdraw",
                t.id
            )),
        }
    }

    /// An invocation counts when every author has standing and the condition holds on its
    /// day.
    fn invocation_refused(&self, judge: Judge<'_>, o: &OtherEntry, day: Date) -> Option<String> {
        let t = self.t;
        if let Some(p) = o.authors.iter().find(|a| !t.standing.contains(a)) {
            return Some(if t.standing.is_empty() {
                format!(
                    "`{p}` has no standing to invoke `{}`: no participant has",
                    t.id
                )
            } else {
                format!(
                    "`{p}` has no standing to invoke `{}`: only {} may",
                    t.id,
                    names(&t.standing)
                )
            });
        }
        (!self.holds_when_invoked(judge, o, day)).then(|| {
            format!(
                "invocation of `{}` on {day} refused: its condition `{}` does not hold on that date",
                t.id,
                describe(&t.when)
            )
        })
    }

    /// Whether the condition holds on an invocation's day, taking findings disputed only
    /// after the invocation as the monitors made them: a dispute opened later — on a later
    /// day, or later in the log on the same day — pauses the countdown, it does not undo
    /// the invocation.
    ///
    /// So the findings it rests on are taken as the monitors made them when every dispute
    /// over them was opened after it, and `dispute(...)` conditions are judged on the
    /// disputes as they stood when it was made.
    fn holds_when_invoked(&self, judge: Judge<'_>, o: &OtherEntry, day: Date) -> bool {
        let rested = rests_on(judge, self.t, day);
        let later: Vec<CommitmentId> = judge
            .commitments
            .undisputed
            .keys()
            .filter(|c| {
                let concerns = |h: &&Hold| {
                    &h.commitment == *c
                        && rested.iter().any(|(rc, p)| rc == *c && h.span.overlaps(p))
                };
                let mut over = self.holds.iter().filter(concerns).peekable();
                over.peek().is_some() && over.all(|h| h.opened_after(day, o.key))
            })
            .cloned()
            .collect();
        let then = dispute_states_at(judge.disputes, &self.holds, day, o.key);
        let judge = Judge {
            disputes: &then,
            ..judge.as_made(&later)
        };
        holds_on(judge, self.t, day).0
    }

    fn invoke(&mut self, judge: Judge<'_>, o: &OtherEntry, day: Date, reason: &str) {
        let t = self.t;
        // A participant whose participation ended: its standing is disputed. The
        // invocation is recorded and counts as recorded; the views on it are kept
        // (`derive::views`).
        if let Some(why) = o
            .authors
            .iter()
            .find_map(|a| judge.cal.participants.why_not(a, day))
        {
            self.reasons.push(Reason::with_entries(
                Rule::TriggerStandingDisputed,
                format!("the invocation's standing is disputed: {why}"),
                vec![o.index],
            ));
        }
        self.invoked_by = o.authors.clone();
        self.rested = rests_on(judge, t, day);
        self.pausing = self
            .holds
            .iter()
            .filter(|h| self.freeze && h.freezes && rests(h, &self.rested))
            .cloned()
            .collect();
        self.cause = vec![o.index];
        let until = t.countdown.and_then(|c| c.after(day));
        self.course = match until {
            Some(until) if t.countdown.is_some() && until > day => {
                self.reasons.push(Reason::with_entries(
                    Rule::TriggerInvoked,
                    format!(
                        "invoked on {day} by {}: {reason}; fires on {until} unless halted before",
                        names(&o.authors)
                    ),
                    vec![o.index],
                ));
                Course::Counting {
                    invoked: day,
                    until,
                    from: day,
                }
            }
            _ => {
                self.reasons.push(Reason::with_entries(
                    Rule::TriggerInvoked,
                    format!(
                        "invoked on {day} by {}: {reason}; no countdown",
                        names(&o.authors)
                    ),
                    vec![o.index],
                ));
                Course::Fired {
                    invoked: day,
                    on: day,
                }
            }
        };
        // A dispute already open pauses the countdown from the invocation day.
        self.tick(judge, day);
    }

    /// A halt or a withdrawal: its reason, and it joins what the status rests on.
    fn close(&mut self, o: &OtherEntry, rule: Rule, detail: String) {
        self.reasons
            .push(Reason::with_entries(rule, detail, vec![o.index]));
        self.cause.push(o.index);
    }

    /// Runs the countdown's clock up to `to` (inclusive).
    fn tick(&mut self, judge: Judge<'_>, to: Date) {
        // Bounded: each round pauses or resumes on a later day, or returns.
        for _ in 0..10_000 {
            match self.course {
                Course::Counting {
                    invoked,
                    until,
                    from,
                } => {
                    let pause = self
                        .pausing
                        .iter()
                        .filter_map(|h| {
                            let d = h.opened.max(from);
                            h.open_on(d).then_some(d)
                        })
                        .min();
                    match pause {
                        Some(p) if p < until && p <= to => self.pause(invoked, until, p),
                        _ => {
                            if until <= to {
                                self.course = Course::Fired { invoked, on: until };
                            }
                            return;
                        }
                    }
                }
                Course::Paused {
                    invoked,
                    since,
                    remaining,
                } => {
                    if !self.resume(judge, invoked, since, remaining, to) {
                        return;
                    }
                }
                _ => return,
            }
        }
    }

    /// Pauses the countdown on `p` while a dispute freezing a finding it rests on is open.
    fn pause(&mut self, invoked: Date, until: Date, p: Date) {
        let remaining = epoch_day(until) - epoch_day(p);
        let open: Vec<&Hold> = self.pausing.iter().filter(|h| h.open_on(p)).collect();
        self.reasons.push(Reason::with_entries(
            Rule::TriggerPaused,
            format!(
                "countdown paused on {p} with {remaining} day(s) remaining: {} freezes a finding its condition rests on (while_open: freeze_finding)",
                hold_names(&open)
            ),
            hold_entries(&open),
        ));
        self.course = Course::Paused {
            invoked,
            since: p,
            remaining,
        };
    }

    /// On the first day no pausing dispute is open (by `to`): the countdown resumes with
    /// the days that remained, or lapses if a dispute overturned the finding and the
    /// condition no longer holds. Returns whether the clock moved on.
    fn resume(
        &mut self,
        judge: Judge<'_>,
        invoked: Date,
        since: Date,
        remaining: i64,
        to: Date,
    ) -> bool {
        // The first day no hold is open: the latest close of the overlapping ones.
        let mut resume = since;
        for _ in 0..10_000 {
            let open: Vec<&Hold> = self.pausing.iter().filter(|h| h.open_on(resume)).collect();
            if open.is_empty() {
                break;
            }
            let Some(next) = open.iter().map(|h| h.closed).max().flatten() else {
                return false;
            };
            if open.iter().any(|h| h.closed.is_none()) {
                return false;
            }
            resume = next;
        }
        if resume > to {
            return false;
        }
        let closed: Vec<&Hold> = self
            .pausing
            .iter()
            .filter(|h| h.opened < resume && h.closed.is_some_and(|c| c > since && c <= resume))
            .collect();
        let how = closed
            .iter()
            .map(|h| format!("dispute `{}` {} on {}", h.dispute, h.closing, resume))
            .collect::<Vec<_>>()
            .join(", ");
        if closed.iter().any(|h| h.overturned) && !holds_on(judge, self.t, resume).0 {
            self.reasons.push(Reason::with_entries(
                Rule::TriggerLapsed,
                format!(
                    "invocation lapsed on {resume}: {how}, and its condition `{}` no longer holds; it may be invoked again",
                    describe(&self.t.when)
                ),
                hold_entries(&closed),
            ));
            self.course = Course::Lapsed(resume);
            return false;
        }
        let Some(until) = date_from_epoch_day(epoch_day(resume) + remaining) else {
            return false;
        };
        self.reasons.push(Reason::with_entries(
            Rule::TriggerResumed,
            format!(
                "countdown resumed on {resume} with the {remaining} day(s) that remained ({how}): fires on {until} unless halted before"
            ),
            hold_entries(&closed),
        ));
        self.course = Course::Counting {
            invoked,
            until,
            from: resume,
        };
        true
    }

    /// Under `re_earn`, a fired trigger is re-armed on the first day relief it reverted is
    /// earned again, if that day has come by `to`.
    fn rearm(&mut self, judge: Judge<'_>, agreement: &Agreement, to: Date) {
        let Course::Fired { on, .. } = self.course else {
            return;
        };
        if self.t.reentry != Reentry::ReEarn {
            return;
        }
        if self.pending.as_ref().is_none_or(|e| e.fired != on) {
            self.pending = Some(episode(judge, agreement, self.t, on, &self.cause));
        }
        let Some(e) = self.pending.as_ref() else {
            return;
        };
        let Some(r) = e.rearmed.filter(|r| *r <= to) else {
            return;
        };
        let first: Vec<String> = e
            .reentered
            .values()
            .filter(|x| x.on == r)
            .map(|x| format!("`{}`", x.phase))
            .collect();
        self.reasons.push(Reason::with_entries(
            Rule::TriggerRearmed,
            format!(
                "re-armed on {r}: after the fire on {on}, phase {} was earned again (reentry: re_earn); a new breach may be invoked",
                first.join(", ")
            ),
            e.reentered
                .values()
                .filter(|x| x.on == r)
                .flat_map(|x| x.entries.clone())
                .collect(),
        ));
        self.episodes.push(e.clone());
        self.pending = None;
        self.course = Course::Rearmed(r);
    }

    /// An automatic trigger fires by itself from the day its condition holds (again, after
    /// a re-arming).
    fn automatic(
        &mut self,
        judge: Judge<'_>,
        agreement: &Agreement,
        witness: Option<Date>,
        cond_entries: &[LogIndex],
    ) {
        let (t, date) = (self.t, judge.cal.date);
        // Bounded: each round fires on a later day than the one before.
        for _ in 0..64 {
            let rearmed_on = match self.course {
                Course::Idle => None,
                Course::Rearmed(r) => Some(r),
                _ => break,
            };
            let since = witness.unwrap_or_else(|| since_reviews(judge, t));
            let from = rearmed_on.map_or(since, |r| since.max(r));
            self.cause = cond_entries.to_vec();
            self.reasons.push(Reason::with_entries(
                Rule::TriggerAutomatic,
                format!(
                    "automatic: its condition `{}` holds since {from}",
                    describe(&t.when)
                ),
                cond_entries.to_vec(),
            ));
            let until = t.countdown.and_then(|c| c.after(from));
            self.course = match until {
                Some(until) if until > from && until > date => Course::Counting {
                    invoked: from,
                    until,
                    from,
                },
                Some(until) if until > from => Course::Fired {
                    invoked: from,
                    on: until,
                },
                _ => Course::Fired {
                    invoked: from,
                    on: from,
                },
            };
            self.rearm(judge, agreement, date);
        }
    }

    /// Under `finding_stands` a dispute does not pause the countdown: says which was open.
    fn disputed_note(&mut self, date: Date) {
        let Some(invoked) = self.course.invoked() else {
            return;
        };
        if self.freeze {
            return;
        }
        let end = match self.course {
            Course::Fired { on, .. } => on,
            Course::Counting { until, .. } => until,
            _ => date,
        }
        .min(date);
        let open: Vec<&Hold> = self
            .holds
            .iter()
            .filter(|h| {
                h.opened <= end && h.closed.is_none_or(|c| c > invoked) && rests(h, &self.rested)
            })
            .collect();
        if !open.is_empty() {
            self.reasons.push(Reason::with_entries(
                Rule::TriggerDisputed,
                format!(
                    "{} was open during the countdown; the finding stands meanwhile (while_open: finding_stands), so the countdown was not paused",
                    hold_names(&open)
                ),
                hold_entries(&open),
            ));
        }
    }

    /// Runs the clock to the evaluation date and gives the trigger's state, with every
    /// fire (episode) it went through.
    pub fn finish(
        mut self,
        judge: Judge<'_>,
        agreement: &Agreement,
    ) -> (TriggerState, Vec<Episode>) {
        let date = judge.cal.date;
        self.tick(judge, date);
        self.rearm(judge, agreement, date);
        let (now, witness, cond_entries) = holds_on(judge, self.t, date);
        if self.t.automatic && now {
            self.automatic(judge, agreement, witness, &cond_entries);
        }
        self.disputed_note(date);
        // The latest step first, after the status's own reason (inserted below).
        self.reasons.reverse();
        let mut state = TriggerState {
            id: self.t.id.clone(),
            status: TriggerStatus::Dormant,
            steps: std::mem::take(&mut self.counted),
            reasons: std::mem::take(&mut self.reasons),
            invoked: None,
            invoked_by: self.invoked_by.clone(),
            until: None,
            fired: None,
            wind_down_until: None,
            reverts: reverted_actions(agreement, self.t),
            earliest: None,
            remaining: None,
            paused_since: None,
            rearmed: None,
            milestones: Vec::new(),
            awaiting: None,
        };
        if let Some(last) = self.episodes.last() {
            state.fired = Some(last.fired);
            state.wind_down_until = Some(last.wind_down_until);
            state.rearmed = last.rearmed;
        }
        match self.course {
            Course::Counting { invoked, until, .. } => self.counting(&mut state, invoked, until),
            Course::Paused {
                invoked,
                since,
                remaining,
            } => self.paused(&mut state, date, invoked, since, remaining),
            Course::Fired { invoked, on } => self.fired(judge, agreement, &mut state, invoked, on),
            _ => self.idle(judge, &mut state, now, cond_entries),
        }
        if let Some(invoked) = self.course.invoked() {
            self.milestones(judge, invoked, &mut state);
        }
        (state, self.episodes)
    }

    /// The milestones inside the countdown, due from the invocation: met when their event
    /// occurred between the invocation and the due date, missed once due without it.
    fn milestones(&self, judge: Judge<'_>, invoked: Date, state: &mut TriggerState) {
        let anchors = judge.anchors();
        let date = judge.cal.date;
        for m in &self.t.milestones {
            let Some(due) = m.after.after(invoked) else {
                continue;
            };
            let occurred = m
                .event
                .as_ref()
                .and_then(|e| anchors.events.get(e).copied())
                .filter(|on| invoked <= *on && *on <= due && *on <= date);
            let status = match occurred {
                Some(_) => MilestoneStatus::Met,
                None if due <= date => MilestoneStatus::Missed,
                None => MilestoneStatus::Upcoming,
            };
            let detail = match (status, &m.event) {
                (MilestoneStatus::Met, Some(e)) => format!(
                    "milestone \"{}\" met: `{e}` occurred on {}, by its due date {due}",
                    m.title,
                    occurred.map_or_else(String::new, |d| d.to_string())
                ),
                (MilestoneStatus::Missed, Some(e)) => format!(
                    "milestone \"{}\" missed: `{e}` did not occur by {due}",
                    m.title
                ),
                (MilestoneStatus::Missed, None) => {
                    format!("milestone \"{}\" fell due on {due}", m.title)
                }
                _ => format!("milestone \"{}\" due on {due}", m.title),
            };
            state
                .reasons
                .push(Reason::rule(Rule::TriggerMilestone, detail));
            state.milestones.push(MilestoneState {
                title: m.title.clone(),
                due,
                event: m.event.clone(),
                status,
                met_on: occurred,
            });
        }
    }

    /// Dormant, available, halted or withdrawn (or re-armed): whether it could be invoked
    /// now.
    fn idle(
        &self,
        judge: Judge<'_>,
        state: &mut TriggerState,
        now: bool,
        cond_entries: Vec<LogIndex>,
    ) {
        let t = self.t;
        state.status = match self.course {
            Course::Halted(_) | Course::Lapsed(_) => TriggerStatus::Halted,
            Course::Withdrawn(_) => TriggerStatus::Withdrawn,
            _ if now => TriggerStatus::Available,
            _ => TriggerStatus::Dormant,
        };
        if !now {
            state.earliest =
                earliest(judge, &judge.anchors(), &t.when).filter(|d| *d > judge.cal.date);
        }
        if state.status == TriggerStatus::Dormant {
            state.awaiting = awaiting(judge, t);
            if let Some(due) = state.awaiting {
                state.reasons.push(Reason::rule(
                    Rule::TriggerAwaiting,
                    format!(
                        "its condition held at the review before; no finding of the latest review is in yet (due by {due}): it is judged again when they come"
                    ),
                ));
            }
        }
        // A look's triggers go out without their last word (what the condition is).
        if !judge.cal.words {
            return;
        }
        let cond_text = describe(&t.when);
        // Halted, lapsed or withdrawn: the step that did it decides the status and comes
        // first; whether it could be invoked again follows.
        let at = usize::from(
            matches!(
                self.course,
                Course::Halted(_) | Course::Lapsed(_) | Course::Withdrawn(_)
            ) && !state.reasons.is_empty(),
        );
        let reason = if now {
            Reason::with_entries(
                Rule::TriggerAvailable,
                if t.standing.is_empty() {
                    format!("its condition `{cond_text}` holds")
                } else {
                    format!(
                        "its condition `{cond_text}` holds: {} may invoke it",
                        names(&t.standing)
                    )
                },
                cond_entries,
            )
        } else {
            Reason::rule(
                Rule::TriggerDormant,
                format!("its condition `{cond_text}` does not hold"),
            )
        };
        state.reasons.insert(at, reason);
    }

    fn counting(&self, state: &mut TriggerState, invoked: Date, until: Date) {
        state.awaiting = None;
        let t = self.t;
        state.status = TriggerStatus::CountingDown;
        state.invoked = Some(invoked);
        state.until = Some(until);
        state.reasons.insert(
            0,
            Reason::rule(
                Rule::TriggerCountdown,
                if t.halted_by.is_empty() {
                    format!("counting down: fires on {until}; no participant may halt it")
                } else {
                    format!(
                        "counting down: fires on {until} unless {} halt it before",
                        names(&t.halted_by)
                    )
                },
            ),
        );
    }

    fn paused(
        &self,
        state: &mut TriggerState,
        date: Date,
        invoked: Date,
        since: Date,
        remaining: i64,
    ) {
        state.status = TriggerStatus::Paused;
        state.invoked = Some(invoked);
        state.paused_since = Some(since);
        state.remaining = u32::try_from(remaining).ok();
        let open: Vec<&Hold> = self.pausing.iter().filter(|h| h.open_on(date)).collect();
        state.reasons.insert(
            0,
            Reason::with_entries(
                Rule::TriggerPaused,
                format!(
                    "paused since {since} while {} is open: {remaining} day(s) of the countdown remain, and run again once it closes with the finding counting",
                    hold_names(&open)
                ),
                hold_entries(&open),
            ),
        );
    }

    fn fired(
        &mut self,
        judge: Judge<'_>,
        agreement: &Agreement,
        state: &mut TriggerState,
        invoked: Date,
        on: Date,
    ) {
        let t = self.t;
        let end = t.wind_down.after(on).unwrap_or(on);
        state.status = TriggerStatus::Fired;
        state.invoked = Some(invoked);
        state.fired = Some(on);
        state.wind_down_until = Some(end);
        state.rearmed = None;
        let what = match &t.reverts_to {
            Reversion::PreAgreement => "every phase's relief is".to_owned(),
            Reversion::Phase { phase } => format!("relief of the phases after `{phase}` is"),
            Reversion::Actions { actions } => format!(
                "{} (partial reversal; the rest is kept) {}",
                actions
                    .iter()
                    .map(|a| format!("`{a}`"))
                    .collect::<Vec<_>>()
                    .join(", "),
                if actions.len() == 1 { "is" } else { "are" }
            ),
        };
        let again = match t.reentry {
            Reentry::ByDecision => "",
            Reentry::ReEarn => {
                "; each reverted phase may be earned again at reviews that begin on or after that day"
            }
        };
        state.reasons.insert(
            0,
            Reason::with_entries(
                Rule::TriggerFired,
                format!("fired on {on}: {what} wound down until {end}, then reimposed{again}"),
                self.cause.clone(),
            ),
        );
        let e = match self.pending.take() {
            Some(e) if e.fired == on => e,
            _ => episode(judge, agreement, t, on, &self.cause),
        };
        self.episodes.push(e);
    }
}
