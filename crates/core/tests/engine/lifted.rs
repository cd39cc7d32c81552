//! Lifted relief: an action whose `lifted` date comes while it is in force is in force for
//! good — it no longer expires, and a trigger fired after that date does not revert it;
//! an authority's later decision still applies, shown as a departure.

use accord_core::agreement::{Agreement, Reversion, Trigger};
use accord_core::engine::evaluate;
use accord_core::engine::state::{ReliefStatus, State};
use accord_core::rule::{CommitmentStatus, DateRule};
use accord_core::statement::*;

use super::builder::*;

fn eval(a: &Agreement, log: &Log, when: &str) -> State {
    evaluate(std::slice::from_ref(a), &log.entries, at(when)).unwrap()
}

fn relief(
    s: &State,
    a: &str,
) -> (
    ReliefStatus,
    Option<accord_core::time::Date>,
    Option<accord_core::time::Date>,
) {
    let x = s.relief.iter().find(|x| x.id.as_str() == a).unwrap();
    (x.status, x.since, x.until)
}

fn first_rule(s: &State, a: &str) -> String {
    let x = s.relief.iter().find(|x| x.id.as_str() == a).unwrap();
    x.reasons[0].rule.to_string()
}

/// The nuclear agreement (phase p1 reached on 2026-07-05) where the US oil suspension is
/// lifted for good on 2026-09-01 and the unfreeze expires on 2026-08-15, and a snapback
/// with no countdown reverting everything.
fn agreement(lifted: &str) -> Agreement {
    let mut a = nuclear();
    for i in &mut a.indicators {
        i.cure = None;
    }
    let (y, m, day) = parse(lifted);
    for action in &mut a.phases[0].actions {
        match action.id.as_str() {
            "us-oil" => action.lifted = Some(DateRule::On(d(y, m, day))),
            "unfreeze" => {
                action.expires = Some(DateRule::On(d(2026, 8, 15)));
                action.lifted = Some(DateRule::On(d(2026, 9, 1)));
            }
            _ => {}
        }
    }
    a.triggers = vec![Trigger {
        id: id("snapback"),
        title: "Snapback".into(),
        when: status(&["c1"], CommitmentStatus::Noncompliant, 1),
        standing: vec![id("usa")],
        automatic: false,
        countdown: None,
        halted_by: vec![],
        reverts_to: Reversion::PreAgreement,
        wind_down: dur("P30D"),
        non_retroactive: false,
        reentry: accord_core::agreement::Reentry::ByDecision,
        milestones: vec![],
    }];
    a
}

fn parse(s: &str) -> (i16, i8, i8) {
    let mut it = s.split('-');
    let mut next = || it.next().unwrap().parse::<i16>().unwrap();
    let (y, m, d) = (next(), next(), next());
    (y, m as i8, d as i8)
}

/// Two compliant quarters, then a verified breach of the enrichment cap in the third,
/// known on 2026-10-05; the US invokes the snapback on 2026-10-10.
fn breach_and_snapback() -> Log {
    let mut log = Log::default();
    for (q, when, e) in [
        (1, "2026-04-10", 3.5),
        (2, "2026-07-05", 3.6),
        (3, "2026-10-05", 4.5),
    ] {
        log.evidence(when, "iaea", "enrichment", quarter(q), qty(e, "percent"));
        log.evidence(when, "sat", "enrichment", quarter(q), qty(e, "percent"));
        log.evidence(when, "iaea", "stockpile", quarter(q), qty(250.0, "kg_u"));
        log.evidence(when, "sat", "stockpile", quarter(q), qty(252.0, "kg_u"));
    }
    log.push(
        "2026-10-10",
        &["usa"],
        Statement::TriggerStep(TriggerStep {
            trigger: id("snapback"),
            step: TriggerAction::Invoke {
                reason: "enrichment above the cap".into(),
            },
        }),
    );
    log
}

#[test]
fn relief_is_in_force_until_its_lift_date_then_lifted_for_good() {
    let a = agreement("2026-09-01");
    let log = breach_and_snapback();
    let s = eval(&a, &log, "2026-08-31");
    assert_eq!(
        relief(&s, "us-oil"),
        (ReliefStatus::InForce, Some(d(2026, 7, 5)), None)
    );
    let x = s.relief.iter().find(|x| x.id.as_str() == "us-oil").unwrap();
    assert!(
        x.reasons
            .iter()
            .any(|r| r.rule == "relief.lifted" && r.detail.contains("2026-09-01"))
    );
    let s = eval(&a, &log, "2026-09-01");
    assert_eq!(
        relief(&s, "us-oil"),
        (ReliefStatus::Lifted, Some(d(2026, 9, 1)), None)
    );
    assert_eq!(first_rule(&s, "us-oil"), "relief.lifted");
    // Lifted relief relieves: it is listed in force for its measure.
    let g = s
        .relief_by_measure
        .iter()
        .find(|m| {
            m.measure
                .as_ref()
                .is_some_and(|m| m.as_str() == "us-energy")
        })
        .unwrap();
    assert!(g.in_force.iter().any(|a| a.as_str() == "us-oil"));
}

#[test]
fn an_action_that_expires_before_its_lift_date_is_never_lifted() {
    let a = agreement("2026-09-01");
    let s = eval(&a, &breach_and_snapback(), "2026-09-10");
    assert_eq!(
        relief(&s, "unfreeze"),
        (ReliefStatus::Expired, Some(d(2026, 8, 15)), None)
    );
}

#[test]
fn a_trigger_fired_after_the_lift_does_not_revert_lifted_relief() {
    let a = agreement("2026-09-01");
    let s = eval(&a, &breach_and_snapback(), "2026-10-10");
    let t = s
        .triggers
        .iter()
        .find(|t| t.id.as_str() == "snapback")
        .unwrap();
    assert_eq!(t.status, "fired");
    assert_eq!(t.fired, Some(d(2026, 10, 10)));
    // The lifted action stays lifted; the one only suspended is wound down.
    assert_eq!(
        relief(&s, "us-oil"),
        (ReliefStatus::Lifted, Some(d(2026, 9, 1)), None)
    );
    let x = s.relief.iter().find(|x| x.id.as_str() == "us-oil").unwrap();
    assert!(
        x.reasons
            .iter()
            .any(|r| r.rule == "trigger.reverted" && r.detail.contains("lifted for good before")),
        "{:?}",
        x.reasons
    );
    assert_eq!(
        relief(&s, "eu-oil"),
        (
            ReliefStatus::WindDown,
            Some(d(2026, 10, 10)),
            Some(d(2026, 11, 9))
        )
    );
    // Nor after the wind-down.
    let s = eval(&a, &breach_and_snapback(), "2026-12-01");
    assert_eq!(relief(&s, "us-oil").0, ReliefStatus::Lifted);
    assert_eq!(relief(&s, "eu-oil").0, ReliefStatus::Reimposed);
}

#[test]
fn a_trigger_fired_before_the_lift_date_reverts_it_and_the_lift_never_comes() {
    let a = agreement("2026-12-01");
    let s = eval(&a, &breach_and_snapback(), "2026-10-10");
    assert_eq!(
        relief(&s, "us-oil"),
        (
            ReliefStatus::WindDown,
            Some(d(2026, 10, 10)),
            Some(d(2026, 11, 9))
        )
    );
    let s = eval(&a, &breach_and_snapback(), "2026-12-15");
    assert_eq!(relief(&s, "us-oil").0, ReliefStatus::Reimposed);
}

#[test]
fn revoking_lifted_relief_applies_and_is_a_departure() {
    let a = agreement("2026-09-01");
    let mut log = breach_and_snapback();
    // Only the first two quarters: no breach, no snapback.
    log.entries.truncate(8);
    let revoke = log.push(
        "2026-09-20",
        &["usa"],
        Statement::Decision(Decision {
            act: DecisionAct::Revoke,
            relief: ReliefRef::Action(id("us-oil")),
            effective: d(2026, 9, 20).into(),
            reason: "national security".into(),
            until: None,
            wind_down: None,
            by: None,
            entities: Vec::new(),
        }),
    );
    let s = eval(&a, &log, "2026-09-21");
    assert_eq!(
        relief(&s, "us-oil"),
        (ReliefStatus::Reimposed, Some(d(2026, 9, 20)), None)
    );
    let decision = s.decisions.iter().find(|x| x.entry == revoke).unwrap();
    assert!(decision.departure);
    assert_eq!(decision.reasons[0].rule, "decision.departure");
}

#[test]
fn the_timeline_shows_the_lift_on_its_own_day() {
    let mut a = agreement("2026-09-01");
    a.triggers.clear();
    let mut log = breach_and_snapback();
    log.entries.truncate(8);
    let changes = accord_core::engine::timeline(
        std::slice::from_ref(&a),
        &log.entries,
        None,
        d(2026, 12, 31),
    )
    .unwrap();
    let lifted: Vec<_> = changes
        .iter()
        .filter(|c| c.subject == "relief us-oil" && c.to == "lifted")
        .map(|c| c.date)
        .collect();
    assert_eq!(lifted, vec![d(2026, 9, 1)]);
    // While in force, the state says when the lift comes.
    let s = eval(&a, &log, "2026-08-01");
    let x = s.relief.iter().find(|x| x.id.as_str() == "us-oil").unwrap();
    assert_eq!(x.lifts, Some(d(2026, 9, 1)));
}
