//! Authorities' decisions: which count (recorded under the cut, by an authority, on relief
//! that exists), how each changes an action's status in date order, whether each departs
//! from what the evaluation entitles, and where a disputed decision stands.

use std::collections::{BTreeMap, BTreeSet};

use crate::agreement::{Agreement, Renewal};
use crate::id::{ActionId, PhaseId};
use crate::statement::{Decision, DecisionAct, LogIndex, ReliefRef, Statement, StatementKind};
use crate::time::{Date, Moment};

use super::super::super::state::{ActionState, DecisionState, Reason, ReliefStatus, Rule};
use super::super::calendar::Calendar;
use super::super::disputes::{DecisionDispute, Standing};
use super::super::{Key, Rejected};

/// A decision that counts: recorded under the cut, by an authority, on relief that exists.
pub(crate) struct Decided<'a> {
    pub index: LogIndex,
    pub key: Key,
    pub decision: &'a Decision,
    /// The day it takes effect in this evaluation ([`crate::time::Moment::day_as_of`]).
    pub effective: Date,
    /// The day its `until` falls in this evaluation, exclusive.
    pub until: Option<Date>,
    /// The instant of the evaluation (the cut).
    pub as_of: crate::time::Instant,
    /// The agreement's days.
    pub days: &'a crate::time::DayZone,
    /// The dispute that decides where it stands, when disputed.
    pub dispute: Option<DecisionDispute>,
}

impl Decided<'_> {
    /// The day a dispute set it aside.
    pub fn set_aside(&self) -> Option<Date> {
        match self.dispute.as_ref().map(|d| &d.standing) {
            Some(Standing::SetAside(day)) => Some(*day),
            _ => None,
        }
    }

    /// Whether it decides on this action (of this phase): the relief it names, and for a
    /// replacement the action that replaces it.
    pub fn applies(&self, phase: &PhaseId, action: &ActionId) -> bool {
        self.decision.by.as_ref() == Some(action)
            || match &self.decision.relief {
                ReliefRef::Phase(p) => p == phase,
                ReliefRef::Action(a) => a == action,
            }
    }

    pub fn act(&self) -> DecisionAct {
        self.decision.act
    }
}

/// Why a decision's fields do not make an act of its kind, if they do not.
fn malformed(agreement: &Agreement, d: &Decision) -> Option<String> {
    let exists = |a: &ActionId| agreement.actions().any(|(_, x)| &x.id == a);
    match d.act {
        DecisionAct::Replace => match (&d.relief, &d.by) {
            (ReliefRef::Action(old), Some(new)) if old != new && exists(new) => None,
            (ReliefRef::Action(_), Some(new)) if !exists(new) => Some(format!(
                "replaces relief by `{new}`, which is not relief of this agreement"
            )),
            (ReliefRef::Action(_), Some(new)) => Some(format!(
                "replaces `{new}` by itself: name the action that replaces it in `by`"
            )),
            (ReliefRef::Phase(_), _) => Some(
                "a replacement names one `action` and the action that replaces it (`by`)"
                    .to_owned(),
            ),
            (_, None) => {
                Some("a replacement names the action that replaces the relief (`by`)".to_owned())
            }
        },
        DecisionAct::Amend if d.until.is_none() => {
            Some("an amendment states the new expiry (`until`)".to_owned())
        }
        DecisionAct::Amend | DecisionAct::Renew
            if d.until.as_ref().is_some_and(|u| *u <= d.effective) =>
        {
            Some(format!(
                "the new expiry must come after the decision takes effect ({}), not on {}",
                d.effective,
                d.until.as_ref().map_or_else(String::new, |u| u.to_string())
            ))
        }
        DecisionAct::ExtendWindDown => match &d.until {
            None => Some("an extension of a wind-down states its new end (`until`)".to_owned()),
            Some(u) if *u <= d.effective => Some(format!(
                "an extension of a wind-down must end after it takes effect ({}), not on {u}",
                d.effective
            )),
            Some(_) => None,
        },
        DecisionAct::Designate if d.entities.is_empty() => {
            Some("a designation names the entities designated (`entities`)".to_owned())
        }
        _ if d.wind_down.is_some()
            && !matches!(d.act, DecisionAct::Revoke | DecisionAct::LetExpire) =>
        {
            Some("only a revocation or a non-renewal (`let_expire`) has a wind-down".to_owned())
        }
        _ => None,
    }
}

/// The decisions that count, in the order they apply (effective date, then log order).
pub(crate) fn decided<'a>(
    cal: &Calendar<'a>,
    agreement: &Agreement,
    disputes: &BTreeMap<LogIndex, DecisionDispute>,
    rejected: &mut Rejected,
) -> Vec<Decided<'a>> {
    let mut decided: Vec<Decided<'a>> = Vec::new();
    for o in &cal.core.others {
        let Statement::Decision(d) = &o.statement else {
            continue;
        };
        if !cal.alive(o.key, o.index) {
            continue;
        }
        let authority = o
            .authors
            .iter()
            .all(|a| cal.role_of(a).may_state(StatementKind::Decision));
        let day = cal.core.day(o.key.0);
        if let Some(why) = o
            .authors
            .iter()
            .find_map(|a| cal.participants.why_not(a, day))
        {
            rejected.push((o.index.0, why));
            continue;
        }
        let exists = match &d.relief {
            ReliefRef::Phase(p) => agreement.phases.iter().any(|ph| &ph.id == p),
            ReliefRef::Action(a) => agreement.actions().any(|(_, ac)| &ac.id == a),
        };
        if !authority {
            rejected.push((
                o.index.0,
                "only an authority of the agreement decides on relief".to_owned(),
            ));
        } else if !exists {
            rejected.push((
                o.index.0,
                format!(
                    "decides on `{}`, which is not relief of this agreement",
                    relief_name(&d.relief)
                ),
            ));
        } else if let Some(why) = malformed(agreement, d) {
            rejected.push((o.index.0, why));
        } else {
            let as_of = cal.cut.0;
            decided.push(Decided {
                index: o.index,
                key: o.key,
                decision: d,
                effective: d.effective.day_as_of(as_of, &cal.core.days),
                until: d.until.as_ref().map(|u| u.day_as_of(as_of, &cal.core.days)),
                as_of,
                days: &cal.core.days,
                dispute: disputes.get(&o.index).cloned(),
            });
        }
    }
    decided.sort_by(|a, b| {
        (a.effective, a.decision.effective.instant(), a.key).cmp(&(
            b.effective,
            b.decision.effective.instant(),
            b.key,
        ))
    });
    decided
}

/// Applies a decision effective by `date` to an action's state. `wind_end` is the end of
/// the wind-down a revocation gives (with the extensions decided while it ran).
pub(super) fn apply(date: Date, d: &Decided<'_>, wind_end: Option<&End>, s: &mut ActionState) {
    if d.effective > date {
        return;
    }
    let eff = d.effective;
    if d.act() == DecisionAct::Replace {
        return replace(d, s);
    }
    let (new, rule) = match d.act() {
        DecisionAct::Grant if s.status == ReliefStatus::Lifted => (None, None),
        DecisionAct::Grant => (Some(ReliefStatus::Granted), Some(Rule::DecisionGrant)),
        DecisionAct::Hold if s.status.relieves() => {
            (Some(ReliefStatus::Held), Some(Rule::DecisionHold))
        }
        DecisionAct::Revoke if s.status.relieves() || s.status == ReliefStatus::Held => {
            match wind_end {
                Some(end) if date < end.day => {
                    (Some(ReliefStatus::WindDown), Some(Rule::DecisionWindDown))
                }
                _ => (Some(ReliefStatus::Reimposed), Some(Rule::DecisionRevoke)),
            }
        }
        _ => (None, None),
    };
    let (Some(new), Some(rule)) = (new, rule) else {
        return;
    };
    if new == s.status {
        return;
    }
    s.status = new;
    s.since = Some(eff);
    if new != ReliefStatus::Granted {
        s.until = None;
    }
    let mut detail = format!(
        "decision of {}: {}",
        d.decision.effective, d.decision.reason
    );
    if let Some(end) = wind_end {
        let shown = end
            .at
            .as_ref()
            .map_or_else(|| end.day.to_string(), Moment::to_string);
        if new == ReliefStatus::WindDown {
            s.until = Some(end.day);
            s.until_at.clone_from(&end.at);
            let again = if end.at.is_some() {
                "from that instant"
            } else {
                "that day"
            };
            detail.push_str(&format!(
                "; revoked with a wind-down until {shown} (exclusive: the measure applies again {again})"
            ));
        } else {
            s.since = Some(end.day);
            detail.push_str(&format!("; revoked, wound down until {shown}"));
        }
    }
    if let Some(x) = d.dispute.as_ref().filter(|x| x.standing == Standing::Open) {
        detail.push_str(&format!(
            " (disputed in `{}`: it stays in effect while the dispute is open)",
            x.dispute
        ));
    }
    s.reasons
        .insert(0, Reason::with_entries(rule, detail, vec![d.index]));
}

/// The end of a wind-down that runs from `start` until `end`, with the extensions decided
/// while it ran (in effective order: the latest act decides). Extensions that applied are
/// noted in `matched`.
pub(super) fn extend(
    start: Date,
    mut end: End,
    extensions: &[&Decided<'_>],
    matched: &mut BTreeSet<LogIndex>,
) -> End {
    for d in extensions {
        let e = d.effective;
        if let Some(u) = d.until
            && start <= e
            && e < end.day
        {
            end = End {
                day: u,
                at: d.decision.until.clone().filter(|m| !m.is_plain()),
            };
            matched.insert(d.index);
        }
    }
    end
}

/// The end of a wind-down (exclusive): the day it counts from in this evaluation, and the
/// instant a decision stated, when it stated one.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct End {
    pub day: Date,
    pub at: Option<Moment>,
}

impl End {
    /// An end on a day.
    pub fn day(day: Date) -> Self {
        Self { day, at: None }
    }

    /// An end at a moment, in an evaluation as of `as_of`.
    pub fn at(m: Moment, as_of: crate::time::Instant, days: &crate::time::DayZone) -> Self {
        Self {
            day: m.day_as_of(as_of, days),
            at: (!m.is_plain()).then_some(m),
        }
    }
}

/// A replacement: the relief it names is superseded from the effective date, the action
/// that replaces it is issued from then.
fn replace(d: &Decided<'_>, s: &mut ActionState) {
    let eff = d.effective;
    let Some(by) = &d.decision.by else {
        return;
    };
    if &s.id == by {
        if s.status == ReliefStatus::Granted || s.status == ReliefStatus::Lifted {
            return;
        }
        s.status = ReliefStatus::Granted;
        s.since = Some(eff);
        s.reasons.insert(
            0,
            Reason::with_entries(
                Rule::DecisionReplace,
                format!(
                    "issued by decision of {eff} in place of `{}`: {}",
                    relief_name(&d.decision.relief),
                    d.decision.reason
                ),
                vec![d.index],
            ),
        );
        return;
    }
    s.status = ReliefStatus::Superseded;
    s.since = Some(eff);
    s.until = None;
    s.superseded_by = Some(by.clone());
    s.reasons.insert(
        0,
        Reason::with_entries(
            Rule::DecisionReplace,
            format!(
                "replaced by `{by}` by decision of {eff}: {}",
                d.decision.reason
            ),
            vec![d.index],
        ),
    );
}

/// Each decision as the state shows it: whether it departs from what the evaluation alone
/// entitles (`entitled`, per action), and where it stands when disputed.
pub(crate) fn states(
    agreement: &Agreement,
    decided: &[&Decided<'_>],
    entitled: &BTreeMap<ActionId, ReliefStatus>,
    lapses: &BTreeMap<LogIndex, bool>,
    date: Date,
) -> Vec<DecisionState> {
    decided
        .iter()
        .map(|d| state(agreement, d, entitled, lapses, date))
        .collect()
}

fn state(
    agreement: &Agreement,
    d: &Decided<'_>,
    entitled: &BTreeMap<ActionId, ReliefStatus>,
    lapses: &BTreeMap<LogIndex, bool>,
    date: Date,
) -> DecisionState {
    let targets: Vec<&ActionId> = agreement
        .actions()
        .filter(|(p, a)| d.applies(&p.id, &a.id) && d.decision.by.as_ref() != Some(&a.id))
        .map(|(_, a)| &a.id)
        .collect();
    let earned = targets
        .iter()
        .filter(|a| entitled.get(**a).is_some_and(|s| s.relieves()))
        .count();
    let auto = agreement
        .actions()
        .filter(|(p, a)| d.applies(&p.id, &a.id))
        .any(|(_, a)| matches!(a.renewal, Renewal::Automatic { .. }));
    let (departure, why) = match d.decision.act {
        DecisionAct::Grant if earned < targets.len() => (
            true,
            "grants relief the evaluation does not (yet) entitle".to_owned(),
        ),
        DecisionAct::Grant => (false, "grants relief the evaluation entitles".to_owned()),
        DecisionAct::Hold | DecisionAct::Revoke if earned > 0 => {
            (true, "withholds relief the evaluation entitles".to_owned())
        }
        DecisionAct::Hold | DecisionAct::Revoke => (
            false,
            "concerns relief the evaluation does not entitle".to_owned(),
        ),
        DecisionAct::LetExpire => match lapses.get(&d.index) {
            Some(false) => (
                false,
                "lets it lapse as the agreement foresees (no automatic renewal was due at its expiry)"
                    .to_owned(),
            ),
            Some(true) => (
                true,
                "stops a renewal the agreement makes automatic at that expiry".to_owned(),
            ),
            None if auto => (
                true,
                "stops a renewal the agreement makes automatic".to_owned(),
            ),
            None => (false, "renewal is the authority's to decide".to_owned()),
        },
        DecisionAct::Renew | DecisionAct::Amend => {
            (false, "renewal and amendment are the authority's to decide".to_owned())
        }
        DecisionAct::Replace => (
            false,
            "replacing a licence or suspension is the authority's to decide".to_owned(),
        ),
        DecisionAct::ExtendWindDown => (
            false,
            "extending a wind-down is the authority's to decide".to_owned(),
        ),
        DecisionAct::Designate => (
            false,
            format!(
                "new designations as a calibrated response ({}); relief is unchanged",
                d.decision.entities.join(", ")
            ),
        ),
    };
    let pending = if d.effective > date {
        format!("; takes effect on {}", d.decision.effective)
    } else {
        String::new()
    };
    let mut reasons = vec![Reason::with_entries(
        match (departure, d.act()) {
            (true, _) => Rule::DecisionDeparture,
            (false, DecisionAct::Designate) => Rule::DecisionDesignate,
            (false, _) => Rule::DecisionFollows,
        },
        format!("{why}{pending}"),
        vec![d.index],
    )];
    // Where it stands in its dispute comes first: it is what changed last, and once set
    // aside, what decides what the decision does.
    if let Some(x) = &d.dispute {
        reasons.insert(0, disputed(d, x));
    }
    DecisionState {
        entry: d.index,
        act: d.decision.act,
        relief: d.decision.relief.clone(),
        effective: shown_day(&d.decision.effective, d.days),
        effective_at: Some(d.decision.effective.clone()).filter(|m| !m.is_plain()),
        stated_reason: d.decision.reason.clone(),
        departure,
        reasons,
        disputed_by: d.dispute.as_ref().map(|x| x.dispute.clone()),
        set_aside: d.set_aside().is_some(),
        until: d.decision.until.as_ref().map(|u| shown_day(u, d.days)),
        until_at: d.decision.until.clone().filter(|m| !m.is_plain()),
        wind_down: d.decision.wind_down,
        by: d.decision.by.clone(),
        entities: d.decision.entities.clone(),
    }
}

/// Where a disputed decision stands, as its first reason.
fn disputed(d: &Decided<'_>, x: &DecisionDispute) -> Reason {
    let mut entries = x.steps.clone();
    entries.push(d.index);
    match &x.standing {
        Standing::SetAside(day) => Reason::with_entries(
            Rule::DecisionSetAside,
            format!(
                "set aside on {day}: dispute `{}` overturned it; from then on it no longer applies",
                x.dispute
            ),
            entries,
        ),
        Standing::Open => Reason::with_entries(
            Rule::DecisionDisputed,
            format!(
                "disputed in `{}` since {} (open): it stays in effect meanwhile — an authority's act is not suspended by a complaint",
                x.dispute, x.opened
            ),
            entries,
        ),
        Standing::Stands(how) => Reason::with_entries(
            Rule::DecisionDisputed,
            format!(
                "disputed in `{}` since {}, {how}: the decision stands",
                x.dispute, x.opened
            ),
            entries,
        ),
    }
}

/// Explains the decisions on an action that a dispute set aside. Relief such a decision
/// had changed (it still would, were it not set aside) takes its present status from the
/// day it was set aside, and that reason comes first.
pub(super) fn set_aside<'d, 'a: 'd>(
    decisions: impl Iterator<Item = &'d Decided<'a>>,
    s: &mut ActionState,
) {
    for d in decisions {
        let (Some(day), Some(x)) = (d.set_aside(), &d.dispute) else {
            continue;
        };
        let changed = d.effective < day
            && match d.decision.act {
                DecisionAct::Grant => s.status != ReliefStatus::Granted,
                DecisionAct::Hold => s.status == ReliefStatus::Granted,
                DecisionAct::Revoke => {
                    matches!(s.status, ReliefStatus::Granted | ReliefStatus::Held)
                }
                DecisionAct::Replace => true,
                DecisionAct::Renew
                | DecisionAct::LetExpire
                | DecisionAct::Amend
                | DecisionAct::ExtendWindDown
                | DecisionAct::Designate => false,
            };
        let reason = Reason::with_entries(
            Rule::DecisionSetAside,
            format!(
                "the decision of {} was set aside on {day} (dispute `{}` overturned it): relief is what the evaluation and the other decisions give",
                d.effective, x.dispute
            ),
            vec![d.index],
        );
        if changed {
            if s.since.is_some_and(|since| since < day) {
                s.since = Some(day);
            }
            s.reasons.insert(0, reason);
        } else {
            s.reasons.push(reason);
        }
    }
}

fn relief_name(r: &ReliefRef) -> String {
    match r {
        ReliefRef::Phase(p) => format!("phase {p}"),
        ReliefRef::Action(a) => format!("action {a}"),
    }
}

/// The day a moment is shown on: a plain date itself, an instant the agreement's day it
/// falls on.
fn shown_day(m: &Moment, days: &crate::time::DayZone) -> Date {
    if m.is_plain() {
        m.date()
    } else {
        days.day_of(m.instant())
    }
}
