//! Contested states reached from random logs, each naming its views by who holds them
//! (issue #11 point 4), and joining the agreement (point 6): a listed participant whose
//! first recorded change is a join takes part only from that day; an authority may record
//! another's join, no one else may; a join that changes nothing is rejected; a rejoin after
//! ceasing restores standing from its day.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "engine/builder.rs"]
#[allow(dead_code)]
mod builder;

use accord_core::agreement::{Agreement, PartyRole};
use accord_core::engine::evaluate;
use accord_core::engine::state::{
    HolderRole, MeasureStatus, ReliefStatus, State, TriggerStatus, ViewState,
};
use accord_core::statement::*;
use accord_core::time::Date;
use proptest::prelude::*;
use proptest::strategy::ValueTree;

use builder::*;

fn agreement() -> Agreement {
    let mut a = with_disputes(nuclear());
    for i in &mut a.indicators {
        i.cure = None;
    }
    a.triggers[0].countdown = None;
    a
}

fn eval(a: &Agreement, log: &Log, when: &str) -> State {
    evaluate(std::slice::from_ref(a), &log.entries, at(when)).unwrap()
}

/// Two compliant quarters (phase p1 reached on 2026-07-05), then enrichment above the cap
/// in the third: the snapback's condition holds from 2026-10-05.
fn breached() -> Log {
    let mut log = Log::default();
    for (q, when) in [(1, "2026-04-10"), (2, "2026-07-05")] {
        for (who, indicator, value) in [
            ("iaea", "enrichment", qty(3.5, "percent")),
            ("sat", "enrichment", qty(3.5, "percent")),
            ("iaea", "stockpile", qty(250.0, "kg_u")),
            ("sat", "stockpile", qty(252.0, "kg_u")),
        ] {
            log.evidence(when, who, indicator, quarter(q), value);
        }
    }
    for who in ["iaea", "sat"] {
        log.evidence(
            "2026-10-05",
            who,
            "enrichment",
            quarter(3),
            qty(4.5, "percent"),
        );
    }
    log
}

fn participation(
    log: &mut Log,
    when: &str,
    by: &str,
    who: &str,
    change: ParticipationChange,
    on: Date,
) -> LogIndex {
    log.push(
        when,
        &[by],
        Statement::Participation(Participation {
            participant: id(who),
            change,
            effective: on.into(),
            wind_down: None,
            note: None,
        }),
    )
}

fn invoke(log: &mut Log, when: &str, who: &str) -> LogIndex {
    log.push(
        when,
        &[who],
        Statement::TriggerStep(TriggerStep {
            trigger: id("snapback"),
            step: TriggerAction::Invoke {
                reason: "enrichment above the cap".into(),
            },
        }),
    )
}

fn dispute(log: &mut Log, when: &str, who: &str, action: DisputeAction) -> LogIndex {
    log.push(
        when,
        &[who],
        Statement::DisputeStep(DisputeStep {
            dispute: id("d-invocation"),
            step: action,
        }),
    )
}

fn rejected(s: &State, entry: LogIndex) -> Option<String> {
    s.rejected
        .iter()
        .find(|r| r.entry == entry)
        .map(|r| r.reason.clone())
}

/// The role the agreement gives a participant, as a view's holder says it.
fn role_of(a: &Agreement, who: &str) -> HolderRole {
    match a.parties.iter().find(|p| p.id.as_str() == who) {
        Some(p) => match p.role {
            PartyRole::Authority => HolderRole::Authority,
            PartyRole::Target => HolderRole::Target,
            PartyRole::Guarantor => HolderRole::Guarantor,
            PartyRole::Observer => HolderRole::Observer,
        },
        None if a.monitors.iter().any(|m| m.id.as_str() == who) => HolderRole::Monitor,
        None => HolderRole::Unlisted,
    }
}

/// Every view is named by who holds it: at least one holder, each with the role the
/// agreement gives it, each named in the view's name; no view is named by its entry.
fn views_are_named_by_their_holders(a: &Agreement, views: &[ViewState]) -> Result<(), String> {
    for v in views {
        if v.holders.is_empty() {
            return Err(format!("view `{}` has no holder", v.id));
        }
        let ids: Vec<&str> = v.holders.iter().map(|h| h.participant.as_str()).collect();
        let held: Vec<&str> = v.held_by.iter().map(|p| p.as_str()).collect();
        if ids != held {
            return Err(format!(
                "view `{}`: holders {ids:?}, held_by {held:?}",
                v.id
            ));
        }
        for h in &v.holders {
            let role = role_of(a, h.participant.as_str());
            if h.role != role {
                return Err(format!(
                    "view `{}`: `{}` is {:?}, said {:?}",
                    v.id, h.participant, role, h.role
                ));
            }
            let said = format!("{} ({})", h.participant, h.role.as_str());
            if !v.name.contains(&said) {
                return Err(format!("view `{}` named {:?}, not by {said}", v.id, v.name));
            }
        }
        if !v.name.starts_with("held by ") || v.name.contains('#') {
            return Err(format!("view `{}` named {:?}", v.id, v.name));
        }
    }
    Ok(())
}

fn contested(s: &State) -> bool {
    s.triggers
        .iter()
        .any(|t| t.status == TriggerStatus::Contested)
        || s.relief.iter().any(|r| r.status == ReliefStatus::Contested)
        || s.measures
            .iter()
            .any(|m| m.status == MeasureStatus::Contested)
}

/// Every contested state keeps two views or more, named by their holders, and each
/// contested status's first reason names the views by their holders.
fn contested_states_name_their_views(a: &Agreement, s: &State) -> Result<(), String> {
    if !contested(s) {
        return Ok(());
    }
    if s.views.len() < 2 {
        return Err(format!("contested with {} view(s)", s.views.len()));
    }
    views_are_named_by_their_holders(a, &s.views)?;
    let firsts = s
        .triggers
        .iter()
        .filter(|t| t.status == TriggerStatus::Contested)
        .map(|t| &t.reasons[0])
        .chain(
            s.relief
                .iter()
                .filter(|r| r.status == ReliefStatus::Contested)
                .map(|r| &r.reasons[0]),
        );
    for r in firsts {
        let named = s
            .views
            .iter()
            .filter(|v| {
                r.detail
                    .contains(&format!("in the view {} (`{}`)", v.name, v.id))
            })
            .count();
        if named < 2 {
            return Err(format!("the reason names {named} view(s): {}", r.detail));
        }
    }
    Ok(())
}

/// One random step after the breach: an invocation, a dispute over the latest invocation,
/// a position on it, its outcome, or a change of participation.
#[derive(Debug, Clone)]
enum Step {
    Invoke(usize),
    Dispute(usize),
    Position(usize, bool),
    Resolve(usize),
    Participation(usize, usize, i64),
}

const WHO: [&str; 3] = ["usa", "eu", "target"];

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        3 => (0..3usize).prop_map(Step::Invoke),
        3 => (0..3usize).prop_map(Step::Dispute),
        2 => (0..3usize, any::<bool>()).prop_map(|(w, a)| Step::Position(w, a)),
        1 => (0..3usize).prop_map(Step::Resolve),
        2 => (0..3usize, 0..3usize, -20..20i64).prop_map(|(w, c, o)| Step::Participation(w, c, o)),
    ]
}

/// The breach, then the steps one day apart from 2026-10-06.
fn build(steps: &[Step]) -> Log {
    let mut log = breached();
    let mut invocation = None;
    for (i, s) in steps.iter().enumerate() {
        let day = d(2026, 10, 6)
            .checked_add(jiff::Span::new().days(i as i64))
            .unwrap();
        let when = format!("{day}T12:00:00Z");
        match s {
            Step::Invoke(w) => invocation = Some(invoke(&mut log, &when, WHO[*w])),
            Step::Dispute(w) => {
                let index = invocation.unwrap_or(LogIndex(0));
                dispute(
                    &mut log,
                    &when,
                    WHO[*w],
                    DisputeAction::Open {
                        finding: Finding::Entry { index },
                        stage: id("joint-commission"),
                        reason: "the invocation is not valid".into(),
                    },
                );
            }
            Step::Position(w, accepts) => {
                dispute(
                    &mut log,
                    &when,
                    WHO[*w],
                    DisputeAction::Position {
                        accepts: *accepts,
                        view: "our view".into(),
                    },
                );
            }
            Step::Resolve(o) => {
                dispute(
                    &mut log,
                    &when,
                    "eu",
                    DisputeAction::Resolve {
                        outcome: [
                            DisputeOutcome::Upheld,
                            DisputeOutcome::Overturned,
                            DisputeOutcome::Settled,
                        ][*o],
                        note: "decided".into(),
                    },
                );
            }
            Step::Participation(w, c, offset) => {
                let on = day.checked_add(jiff::Span::new().days(*offset)).unwrap();
                let change = [
                    ParticipationChange::Cease,
                    ParticipationChange::Withdraw,
                    ParticipationChange::Join,
                ][*c];
                participation(&mut log, &when, WHO[*w], WHO[*w], change, on);
            }
        }
    }
    log
}

fn steps() -> impl Strategy<Value = Vec<Step>> {
    prop::collection::vec(step(), 1..14)
}

/// Random logs of invocations, disputes over them, positions, outcomes and changes of
/// participation do reach `contested` — by a dispute left open or not accepted, and by an
/// invoker whose standing is disputed — and every contested state names its views by who
/// holds them.
#[test]
fn random_logs_reach_contested_and_every_contested_state_names_its_views() {
    let a = agreement();
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = steps();
    let (mut contested_states, mut by_dispute, mut by_standing) = (0, 0, 0);
    for _ in 0..200 {
        let log = build(&strategy.new_tree(&mut runner).unwrap().current());
        for when in ["2026-10-12", "2026-10-20", "2026-11-30"] {
            let s = eval(&a, &log, when);
            contested_states_name_their_views(&a, &s).unwrap();
            if contested(&s) {
                contested_states += 1;
                let why: Vec<&str> = s.views.iter().map(|v| v.premise.as_str()).collect();
                if why.iter().any(|p| p.contains("dispute `")) {
                    by_dispute += 1;
                }
                if why.iter().any(|p| {
                    p.contains("standing") || p.contains("ceased") || p.contains("withdrew")
                }) {
                    by_standing += 1;
                }
            }
        }
    }
    eprintln!("contested {contested_states}: by a dispute {by_dispute}, by standing {by_standing}");
    assert!(contested_states > 0, "no generated log reached contested");
    assert!(by_dispute > 0, "no contest by a dispute");
    assert!(by_standing > 0, "no contest by standing");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Whatever the steps, a contested state names each of its views by who holds it.
    #[test]
    fn contested_states_always_name_their_views(steps in steps(), day in 0..60i64) {
        let a = agreement();
        let log = build(&steps);
        let when = d(2026, 10, 6).checked_add(jiff::Span::new().days(day)).unwrap();
        let s = eval(&a, &log, &format!("{when}T23:00:00Z"));
        if let Err(why) = contested_states_name_their_views(&a, &s) {
            prop_assert!(false, "{}", why);
        }
    }
}

/// A listed participant whose first recorded change is a join takes part from that day:
/// its invocation before is recorded with its standing disputed (contested, the void view
/// held by the other parties), its dispute before is rejected; from the day it joins both
/// count. Only the participant itself or an authority records a join; a join that changes
/// nothing is rejected.
#[test]
fn a_participant_joining_takes_part_from_the_day_it_joins() {
    let a = agreement();
    let mut log = breached();
    // The US (an authority) records the EU's join, effective 2026-10-15.
    let join = participation(
        &mut log,
        "2026-09-01T09:00:00Z",
        "usa",
        "eu",
        ParticipationChange::Join,
        d(2026, 10, 15),
    );
    // The target may not record another's join.
    let by_target = participation(
        &mut log,
        "2026-09-02T09:00:00Z",
        "target",
        "eu",
        ParticipationChange::Join,
        d(2026, 10, 1),
    );

    let early = {
        let mut log = log.clone();
        let invocation = invoke(&mut log, "2026-10-10T09:00:00Z", "eu");
        let open = dispute(
            &mut log,
            "2026-10-11T09:00:00Z",
            "eu",
            DisputeAction::Open {
                finding: Finding::Indicator {
                    indicator: id("stockpile"),
                    period: quarter(3),
                },
                stage: id("joint-commission"),
                reason: "disagree".into(),
            },
        );
        (log, invocation, open)
    };
    let (early, invocation, open) = early;
    let s = eval(&a, &early, "2026-10-12");
    assert_eq!(
        rejected(&s, join),
        None,
        "an authority records another's join"
    );
    assert_eq!(
        rejected(&s, by_target).as_deref(),
        Some("only `eu` itself records that it joins (an authority may record a join)")
    );
    // Before its join: no standing. The invocation is recorded, its standing disputed.
    assert_eq!(rejected(&s, invocation), None);
    let t = s.trigger("snapback").unwrap();
    assert_eq!(t.status, TriggerStatus::Contested, "{:?}", t.reasons);
    assert!(
        t.reasons
            .iter()
            .any(|r| r.detail.contains("`eu` joins only on 2026-10-15")),
        "{:?}",
        t.reasons
    );
    assert_eq!(s.views.len(), 2);
    assert_eq!(s.views[0].name, "held by eu (authority)");
    assert_eq!(
        s.views[1].name,
        "held by usa (authority) and target (target)"
    );
    assert_eq!(
        rejected(&s, open).as_deref(),
        Some("`eu` joins only on 2026-10-15")
    );
    // From the day it joins, the same steps count.
    let mut late = log.clone();
    invoke(&mut late, "2026-10-16T09:00:00Z", "eu");
    let s = eval(&a, &late, "2026-10-17");
    let t = s.trigger("snapback").unwrap();
    assert_eq!(t.status, TriggerStatus::Fired, "{:?}", t.reasons);
    assert!(s.views.is_empty());
    // A second join while it takes part changes nothing: rejected.
    let again = participation(
        &mut late,
        "2026-10-18T09:00:00Z",
        "eu",
        "eu",
        ParticipationChange::Join,
        d(2026, 10, 18),
    );
    let s = eval(&a, &late, "2026-10-19");
    assert_eq!(
        rejected(&s, again).as_deref(),
        Some("`eu` already takes part on 2026-10-18: the change changes nothing")
    );
}

/// A participant that ceased takes part again from its rejoin: a decision in between is
/// rejected for want of standing, one after counts.
#[test]
fn a_rejoin_after_ceasing_restores_standing_from_its_day() {
    let a = agreement();
    let mut log = breached();
    let ceased = participation(
        &mut log,
        "2026-08-01T09:00:00Z",
        "usa",
        "usa",
        ParticipationChange::Cease,
        d(2026, 8, 1),
    );
    participation(
        &mut log,
        "2026-08-20T09:00:00Z",
        "usa",
        "usa",
        ParticipationChange::Join,
        d(2026, 9, 1),
    );
    let hold = |log: &mut Log, when: &str, on: Date| {
        log.push(
            when,
            &["usa"],
            Statement::Decision(Decision::new(
                DecisionAct::Hold,
                ReliefRef::Action(id("us-oil")),
                on,
                "held",
            )),
        )
    };
    let mut between = log.clone();
    let early = hold(&mut between, "2026-08-25T09:00:00Z", d(2026, 8, 25));
    let s = eval(&a, &between, "2026-08-26");
    assert_eq!(
        rejected(&s, early),
        Some(format!(
            "`usa` ceased participating on 2026-08-01 (entry {ceased}): it has no standing for later steps"
        ))
    );
    assert_eq!(s.relief("us-oil").unwrap().status, ReliefStatus::Granted);
    let mut after = log.clone();
    let late = hold(&mut after, "2026-09-02T09:00:00Z", d(2026, 9, 2));
    let s = eval(&a, &after, "2026-09-03");
    assert_eq!(rejected(&s, late), None);
    assert_ne!(s.relief("us-oil").unwrap().status, ReliefStatus::Granted);
}
