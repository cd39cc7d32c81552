//! Measures as compliance officers read them: applies, relief scheduled, suspended,
//! terminated (and until when a snapback can revive it), lifted, wind-down, reimposed — at
//! the instants on either side of each boundary.

use accord_core::agreement::{Agreement, Reversion, Trigger};
use accord_core::engine::evaluate;
use accord_core::engine::state::{MeasureState, MeasureStatus, ReliefStatus, State};
use accord_core::rule::{CommitmentStatus, DateRule};
use accord_core::statement::*;

use super::builder::*;

fn eval(a: &Agreement, log: &Log, when: &str) -> State {
    evaluate(std::slice::from_ref(a), &log.entries, at(when)).unwrap()
}

fn measure<'s>(s: &'s State, m: &str) -> &'s MeasureState {
    s.measures.iter().find(|x| x.measure.as_str() == m).unwrap()
}

/// The nuclear agreement whose EU oil relief terminates the EU energy measure (lifted for
/// good on `lifted`), under a snapback without countdown reverting everything.
fn agreement(lifted: Date) -> Agreement {
    let mut a = nuclear();
    for i in &mut a.indicators {
        i.cure = None;
    }
    for action in &mut a.phases[0].actions {
        if action.id.as_str() == "eu-oil" {
            action.kind = accord_core::agreement::ReliefKind::TerminateMeasure {
                measure: id("eu-energy"),
                sectors: vec![],
            };
            action.lifted = Some(DateRule::On(lifted));
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

type Date = accord_core::time::Date;

/// Two compliant quarters (phase p1 reached on 2026-07-05), a breach of the enrichment cap
/// in the third known on 2026-10-05, and the US snapback invoked on 2026-10-10.
fn log() -> Log {
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
fn a_terminated_measure_is_revivable_until_the_day_before_it_is_lifted_for_good() {
    let a = agreement(d(2026, 9, 1));
    let log = log();
    // Relief agreed, pending phase p1, until the reports that reach it are recorded (at
    // noon on 2026-07-05).
    let s = eval(&a, &log, "2026-07-05T11:59:59Z");
    assert_eq!(
        measure(&s, "eu-energy").status,
        MeasureStatus::ReliefScheduled
    );
    assert_eq!(measure(&s, "eu-freeze").status, MeasureStatus::Applies);
    for when in ["2026-07-05T12:00:00Z", "2026-08-31T23:59:59Z"] {
        let s = eval(&a, &log, when);
        let m = measure(&s, "eu-energy");
        assert_eq!(m.status, MeasureStatus::Terminated, "{when}");
        assert_eq!(m.since, Some(d(2026, 7, 5)));
        assert!(m.revivable);
        assert_eq!(m.revivable_until, Some(d(2026, 8, 31)));
        assert_eq!(m.reasons[0].rule, "measure.terminated");
        assert!(
            m.reasons[0].detail.contains("`snapback`")
                && m.reasons[0].detail.contains("until 2026-08-31"),
            "{:?}",
            m.reasons
        );
        // The US oil suspension is partial, the unfreeze up to an amount.
        let us = measure(&s, "us-energy");
        assert_eq!(us.status, MeasureStatus::Suspended);
        assert!(
            us.reasons[0].detail.contains("partly: for oil"),
            "{:?}",
            us.reasons
        );
        let freeze = measure(&s, "us-freeze");
        assert_eq!(freeze.status, MeasureStatus::Suspended);
        assert!(freeze.reasons[0].detail.contains("assets unfrozen up to"));
    }
    for when in ["2026-09-01T00:00:00Z", "2026-09-01T00:00:01Z", "2026-12-01"] {
        let s = eval(&a, &log, when);
        let m = measure(&s, "eu-energy");
        assert_eq!(m.status, MeasureStatus::Lifted, "{when}");
        assert_eq!(m.since, Some(d(2026, 9, 1)));
    }
    // The snapback fired after the lift: the lifted measure stays lifted, the US oil
    // suspension (not lifted) is wound down and then reimposed.
    let s = eval(&a, &log, "2026-10-10");
    assert_eq!(measure(&s, "eu-energy").status, MeasureStatus::Lifted);
    let us = measure(&s, "us-energy");
    assert_eq!(us.status, MeasureStatus::WindDown);
    assert_eq!(
        (us.since, us.until),
        (Some(d(2026, 10, 10)), Some(d(2026, 11, 9)))
    );
    let s = eval(&a, &log, "2026-11-08T23:59:59Z");
    assert_eq!(measure(&s, "us-energy").status, MeasureStatus::WindDown);
    let s = eval(&a, &log, "2026-11-09T00:00:00Z");
    assert_eq!(measure(&s, "us-energy").status, MeasureStatus::Reimposed);
    assert_eq!(measure(&s, "us-energy").since, Some(d(2026, 11, 9)));
}

#[test]
fn a_snapback_before_the_termination_day_revives_the_terminated_measure() {
    let a = agreement(d(2026, 12, 1));
    let log = log();
    let s = eval(&a, &log, "2026-10-09T23:59:59Z");
    let m = measure(&s, "eu-energy");
    assert_eq!(m.status, MeasureStatus::Terminated);
    assert_eq!(m.revivable_until, Some(d(2026, 11, 30)));
    let s = eval(&a, &log, "2026-10-10T00:00:00Z");
    assert_eq!(measure(&s, "eu-energy").status, MeasureStatus::Terminated);
    let s = eval(&a, &log, "2026-10-10T12:00:00Z");
    let m = measure(&s, "eu-energy");
    assert_eq!(m.status, MeasureStatus::WindDown);
    assert_eq!(m.until, Some(d(2026, 11, 9)));
    // Past the termination day it is reimposed, not lifted: the lift never came.
    let s = eval(&a, &log, "2026-12-02");
    assert_eq!(measure(&s, "eu-energy").status, MeasureStatus::Reimposed);
}

#[test]
fn a_terminated_measure_no_trigger_reverts_cannot_be_revived() {
    let mut a = agreement(d(2026, 9, 1));
    a.triggers[0].reverts_to = Reversion::Actions {
        actions: vec![id("us-oil")],
    };
    let s = eval(&a, &log(), "2026-08-01");
    let m = measure(&s, "eu-energy");
    assert_eq!(m.status, MeasureStatus::Terminated);
    assert!(!m.revivable);
    assert_eq!(m.revivable_until, None);
    assert!(
        m.reasons[0]
            .detail
            .contains("no trigger of the agreement can revive it")
    );
}

#[test]
fn an_authority_extends_the_wind_down_a_snapback_began() {
    let a = agreement(d(2026, 9, 1));
    let mut log = log();
    let mut extension = Decision::new(
        DecisionAct::ExtendWindDown,
        ReliefRef::Action(id("us-oil")),
        d(2026, 10, 20),
        "contracts of the harvest season",
    );
    extension.until = Some(d(2026, 12, 1).into());
    log.push("2026-10-20", &["usa"], Statement::Decision(extension));
    let s = eval(&a, &log, "2026-11-30T23:59:59Z");
    let us = measure(&s, "us-energy");
    assert_eq!(us.status, MeasureStatus::WindDown);
    assert_eq!(us.until, Some(d(2026, 12, 1)));
    let s = eval(&a, &log, "2026-12-01T00:00:00Z");
    assert_eq!(measure(&s, "us-energy").status, MeasureStatus::Reimposed);
    assert_eq!(measure(&s, "us-energy").since, Some(d(2026, 12, 1)));
}

#[test]
fn a_non_retroactive_reimposition_spares_contracts_concluded_before_it() {
    let mut a = agreement(d(2026, 9, 1));
    a.triggers[0].non_retroactive = true;
    let log = log();
    let s = eval(&a, &log, "2026-11-09T00:00:00Z");
    let us = measure(&s, "us-energy");
    assert_eq!(us.status, MeasureStatus::Reimposed);
    assert_eq!(us.spares_contracts_before, Some(d(2026, 10, 10)));
    assert_eq!(us.spared_status, Some(MeasureStatus::Suspended));
    // A contract concluded the day before the fire keeps the relief in effect before.
    let before = us.for_contract(d(2026, 10, 9));
    assert_eq!(before.status, MeasureStatus::Suspended);
    assert_eq!(before.reasons[0].rule, "measure.contract");
    assert!(
        before.reasons[0]
            .detail
            .contains("before the reimposition of 2026-10-10"),
        "{:?}",
        before.reasons
    );
    // On the day of the fire and after, it is caught.
    for concluded in [d(2026, 10, 10), d(2026, 10, 11)] {
        let caught = us.for_contract(concluded);
        assert_eq!(caught.status, MeasureStatus::Reimposed, "{concluded}");
        // The reason that decides the status stays first; the contract's comes last.
        assert_eq!(caught.reasons[0], us.reasons[0]);
        assert_eq!(caught.reasons.last().unwrap().rule, "measure.contract");
    }
    // During the wind-down too.
    let s = eval(&a, &log, "2026-11-08T23:59:59Z");
    let us = measure(&s, "us-energy");
    assert_eq!(us.status, MeasureStatus::WindDown);
    assert_eq!(
        us.for_contract(d(2026, 10, 9)).status,
        MeasureStatus::Suspended
    );
    assert_eq!(
        us.for_contract(d(2026, 10, 10)).status,
        MeasureStatus::WindDown
    );
    // A retroactive trigger spares nothing.
    let s = eval(&agreement(d(2026, 9, 1)), &log, "2026-11-09T00:00:00Z");
    let us = measure(&s, "us-energy");
    assert_eq!(us.spares_contracts_before, None);
    assert_eq!(
        us.for_contract(d(2020, 1, 1)).status,
        MeasureStatus::Reimposed
    );
}

#[test]
fn the_state_answers_for_a_contract_date() {
    // EU oil terminates the EU energy measure, lifted for good only in 2027: the snapback
    // revives it, and a contract concluded before the fire keeps the termination.
    let mut a = agreement(d(2027, 1, 1));
    a.triggers[0].non_retroactive = true;
    let log = log();
    let s = eval(&a, &log, "2026-11-09T00:00:00Z");
    assert_eq!(s.contract, None);
    let eu = measure(&s, "eu-energy");
    assert_eq!(eu.status, MeasureStatus::Reimposed);
    assert_eq!(eu.spared_status, Some(MeasureStatus::Terminated));
    let before = s.for_contract(d(2026, 10, 9));
    assert_eq!(before.contract, Some(d(2026, 10, 9)));
    assert_eq!(
        measure(&before, "eu-energy").status,
        MeasureStatus::Terminated
    );
    assert_eq!(
        measure(&before, "us-energy").status,
        MeasureStatus::Suspended
    );
    let oil = before.relief("eu-oil").unwrap();
    assert_eq!(oil.status, ReliefStatus::Granted);
    assert_eq!(oil.reasons[0].rule, "relief.contract");
    // Caught from the day of the fire; the state of the agreement as a whole is unchanged.
    let on = s.for_contract(d(2026, 10, 10));
    assert_eq!(measure(&on, "eu-energy").status, MeasureStatus::Reimposed);
    assert_eq!(on.relief("eu-oil").unwrap().status, ReliefStatus::Reimposed);
    // The reason that decides stays first; the contract's comes last.
    let reasons = &on.relief("eu-oil").unwrap().reasons;
    assert_eq!(reasons.last().unwrap().rule, "relief.contract");
    let mut same = on.clone();
    same.contract = None;
    for m in &mut same.measures {
        m.reasons.pop();
    }
    for r in &mut same.relief {
        r.reasons.pop();
    }
    assert_eq!(same, s);
    // The contract date is serialised only when asked for.
    let json = serde_json::to_value(&s).unwrap();
    assert!(json.get("contract").is_none());
    let json = serde_json::to_value(&before).unwrap();
    assert_eq!(json["contract"], "2026-10-09");
}
