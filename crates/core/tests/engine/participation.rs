//! Participation and standing over time, and contested states that keep every view: an
//! authority's withdrawal reimposes its own relief only; standing to invoke, dispute, halt
//! or decide is judged on the step's day; consent to an extension is that of the parties
//! still taking part; guarantors record the events the agreement gives them, several times
//! when it recurs; an invocation whose validity participants dispute yields a contested
//! state naming each view, who holds it and what it computes — and a query may ask for one
//! view.

use accord_core::agreement::{Agreement, Party, PartyRole};
use accord_core::engine::state::{MeasureStatus, ReliefStatus, State, TriggerStatus};
use accord_core::engine::{EvalError, evaluate, evaluate_view};
use accord_core::statement::*;
use accord_core::time::Date;

use super::builder::*;

fn eval(a: &Agreement, log: &Log, when: &str) -> State {
    evaluate(std::slice::from_ref(a), &log.entries, at(when)).unwrap()
}

fn participation(
    log: &mut Log,
    when: &str,
    who: &str,
    change: ParticipationChange,
    on: Date,
) -> LogIndex {
    log.push(
        when,
        &[who],
        Statement::Participation(Participation {
            participant: id(who),
            change,
            effective: on.into(),
            wind_down: (change == ParticipationChange::Withdraw).then(|| dur("P90D")),
            note: None,
        }),
    )
}

/// Two compliant quarters: phase p1 (US and EU oil, the unfreeze) reached on 2026-07-05.
fn earned() -> Log {
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
    log
}

fn agreement() -> Agreement {
    let mut a = with_disputes(nuclear());
    for i in &mut a.indicators {
        i.cure = None;
    }
    a
}

#[test]
fn an_authoritys_withdrawal_reimposes_its_own_relief_only() {
    let a = agreement();
    let mut log = earned();
    participation(
        &mut log,
        "2026-08-01",
        "usa",
        ParticipationChange::Withdraw,
        d(2026, 8, 1),
    );
    let s = eval(&a, &log, "2026-07-31T23:59:59Z");
    assert_eq!(s.relief("us-oil").unwrap().status, ReliefStatus::Granted);
    let s = eval(&a, &log, "2026-08-01T12:00:00Z");
    let us = s.relief("us-oil").unwrap();
    assert_eq!(
        (us.status, us.since, us.until),
        (
            ReliefStatus::WindDown,
            Some(d(2026, 8, 1)),
            Some(d(2026, 10, 30))
        )
    );
    assert_eq!(us.reasons[0].rule, "relief.withdrawn");
    assert_eq!(s.relief("unfreeze").unwrap().status, ReliefStatus::WindDown);
    // The EU's relief is untouched.
    assert_eq!(s.relief("eu-oil").unwrap().status, ReliefStatus::Granted);
    let s = eval(&a, &log, "2026-10-29T23:59:59Z");
    assert_eq!(s.relief("us-oil").unwrap().status, ReliefStatus::WindDown);
    let s = eval(&a, &log, "2026-10-30T00:00:00Z");
    assert_eq!(s.relief("us-oil").unwrap().status, ReliefStatus::Reimposed);
    assert_eq!(
        s.measure("us-energy").unwrap().status,
        MeasureStatus::Reimposed
    );
    assert_eq!(
        s.measure("eu-energy").unwrap().status,
        MeasureStatus::Suspended
    );
    // A second withdrawal changes nothing, and is rejected.
    let again = participation(
        &mut log,
        "2026-11-01",
        "usa",
        ParticipationChange::Withdraw,
        d(2026, 11, 1),
    );
    let s = eval(&a, &log, "2026-11-02");
    let why = &s.rejected.iter().find(|r| r.entry == again).unwrap().reason;
    assert_eq!(
        why,
        "`usa` already does not take part on 2026-11-01: the change changes nothing"
    );
}

#[test]
fn standing_is_judged_on_the_steps_day() {
    let a = agreement();
    let mut log = earned();
    let ceased = participation(
        &mut log,
        "2026-08-01",
        "usa",
        ParticipationChange::Cease,
        d(2026, 8, 1),
    );
    let open = log.push(
        "2026-08-05",
        &["usa"],
        Statement::DisputeStep(DisputeStep {
            dispute: id("d1"),
            step: DisputeAction::Open {
                finding: Finding::Indicator {
                    indicator: id("stockpile"),
                    period: quarter(2),
                },
                stage: id("joint-commission"),
                reason: "disagree".into(),
            },
        }),
    );
    let decision = log.push(
        "2026-08-06",
        &["usa"],
        Statement::Decision(Decision::new(
            DecisionAct::Hold,
            ReliefRef::Action(id("us-oil")),
            d(2026, 8, 6),
            "held",
        )),
    );
    let s = eval(&a, &log, "2026-08-10");
    let reason = |i: LogIndex| {
        s.rejected
            .iter()
            .find(|r| r.entry == i)
            .unwrap()
            .reason
            .clone()
    };
    let expected = format!(
        "`usa` ceased participating on 2026-08-01 (entry {ceased}): it has no standing for later steps"
    );
    assert_eq!(reason(open), expected);
    assert_eq!(reason(decision), expected);
    // Ceasing is not withdrawing: its relief stays.
    assert_eq!(s.relief("us-oil").unwrap().status, ReliefStatus::Granted);
    // Before it ceased, the same dispute counts.
    let mut before = earned();
    before.push(
        "2026-07-20",
        &["usa"],
        log.entries[open.0 as usize].statement.clone(),
    );
    let s = eval(&a, &before, "2026-07-21");
    assert!(s.dispute("d1").is_some());
}

#[test]
fn an_extension_needs_the_consent_of_the_parties_still_taking_part() {
    let a = agreement();
    let mut log = earned();
    log.push(
        "2026-07-10",
        &["target"],
        Statement::DisputeStep(DisputeStep {
            dispute: id("d1"),
            step: DisputeAction::Open {
                finding: Finding::Indicator {
                    indicator: id("stockpile"),
                    period: quarter(2),
                },
                stage: id("joint-commission"),
                reason: "disagree".into(),
            },
        }),
    );
    participation(
        &mut log,
        "2026-07-11",
        "usa",
        ParticipationChange::Withdraw,
        d(2026, 7, 11),
    );
    for who in ["target", "eu"] {
        log.push(
            "2026-07-12",
            &[who],
            Statement::DisputeStep(DisputeStep {
                dispute: id("d1"),
                step: DisputeAction::Extend {
                    stage: id("joint-commission"),
                    until: Some(d(2026, 8, 30)),
                },
            }),
        );
    }
    let s = eval(&a, &log, "2026-07-13");
    let stage = &s.dispute("d1").unwrap().stages[0];
    assert_eq!(stage.deadline, Some(d(2026, 8, 30)));
}

#[test]
fn guarantors_record_the_events_the_agreement_gives_them_and_votes_recur() {
    let mut a = agreement();
    a.parties.push(Party {
        id: id("guarantor"),
        name: "Guarantor".into(),
        role: PartyRole::Guarantor,
        jurisdiction: None,
        keys: vec![],
    });
    let report = a
        .events
        .iter_mut()
        .find(|e| e.id.as_str() == "report")
        .unwrap();
    report.recorded_by = vec![id("guarantor")];
    report.recurs = true;
    let mut log = Log::default();
    let vote = |log: &mut Log, when: &str, who: &str, on: Date| {
        log.push(
            when,
            &[who],
            Statement::EventOccurred(EventOccurred {
                event: id("report"),
                on: on.into(),
                note: None,
            }),
        )
    };
    vote(&mut log, "2026-03-01", "guarantor", d(2026, 3, 1));
    vote(&mut log, "2026-05-01", "guarantor", d(2026, 5, 1));
    let by_authority = vote(&mut log, "2026-05-02", "usa", d(2026, 5, 2));
    let s = eval(&a, &log, "2026-06-01");
    let e = s.event("report").unwrap();
    assert_eq!(e.occurrences, [d(2026, 3, 1), d(2026, 5, 1)]);
    assert_eq!(e.date, Some(d(2026, 5, 1)));
    assert_eq!(
        e.reasons[0].detail,
        "recorded 2 times; the latest occurred on 2026-05-01"
    );
    let why = &s
        .rejected
        .iter()
        .find(|r| r.entry == by_authority)
        .unwrap()
        .reason;
    assert_eq!(why, "only `guarantor` record that event `report` occurred");
}

/// The agreement, phase p1 earned, a breach of the enrichment cap in the third quarter
/// (known on 2026-10-05), and the US withdrawn from 2026-09-01; on 2026-10-10 the US
/// invokes the snapback anyway (no countdown: it fires that day).
fn withdrawn_invoker() -> (Agreement, Log, LogIndex) {
    let mut a = agreement();
    a.triggers[0].countdown = None;
    let mut log = earned();
    participation(
        &mut log,
        "2026-09-01",
        "usa",
        ParticipationChange::Cease,
        d(2026, 9, 1),
    );
    for who in ["iaea", "sat"] {
        log.evidence(
            "2026-10-05",
            who,
            "enrichment",
            quarter(3),
            qty(4.5, "percent"),
        );
    }
    let invocation = log.push(
        "2026-10-10",
        &["usa"],
        Statement::TriggerStep(TriggerStep {
            trigger: id("snapback"),
            step: TriggerAction::Invoke {
                reason: "enrichment above the cap".into(),
            },
        }),
    );
    (a, log, invocation)
}

#[test]
fn an_invocation_by_a_participant_whose_standing_is_disputed_yields_a_contested_state() {
    let (a, log, invocation) = withdrawn_invoker();
    let s = eval(&a, &log, "2026-10-11");
    // Recorded, not rejected.
    assert!(s.rejected.iter().all(|r| r.entry != invocation));
    let t = s.trigger("snapback").unwrap();
    assert_eq!(t.status, TriggerStatus::Contested);
    assert_eq!(t.reasons[0].rule, "view.contested");
    assert_eq!(s.views.len(), 2);
    let (recorded, void) = (&s.views[0], &s.views[1]);
    assert_eq!(recorded.id, "as-recorded");
    assert_eq!(void.id, format!("void-{invocation}"));
    assert_eq!(
        recorded.held_by,
        [id::<accord_core::id::ParticipantId>("usa")]
    );
    assert_eq!(
        void.held_by,
        [id::<accord_core::id::ParticipantId>("eu"), id("target")]
    );
    assert_eq!(recorded.triggers, [(id("snapback"), TriggerStatus::Fired)]);
    assert_eq!(void.triggers, [(id("snapback"), TriggerStatus::Available)]);
    // Relief and measures the views disagree on are contested too: wound down in one,
    // granted in the other.
    assert_eq!(s.relief("eu-oil").unwrap().status, ReliefStatus::Contested);
    assert_eq!(
        s.measure("eu-energy").unwrap().status,
        MeasureStatus::Contested
    );
    assert!(
        void.measures
            .contains(&(id("eu-energy"), MeasureStatus::Suspended))
    );
    assert!(
        recorded
            .measures
            .contains(&(id("eu-energy"), MeasureStatus::WindDown))
    );
    // A query may ask for one view; it says which.
    let one = |view: &str| {
        evaluate_view(
            std::slice::from_ref(&a),
            &log.entries,
            at("2026-10-11"),
            view,
        )
    };
    let fired = one("as-recorded").unwrap();
    assert_eq!(fired.view.as_deref(), Some("as-recorded"));
    assert_eq!(
        fired.trigger("snapback").unwrap().status,
        TriggerStatus::Fired
    );
    let not = one(&format!("void-{invocation}")).unwrap();
    assert_eq!(
        not.trigger("snapback").unwrap().status,
        TriggerStatus::Available
    );
    assert_eq!(not.relief("eu-oil").unwrap().status, ReliefStatus::Granted);
    assert_eq!(
        one("void-#99").unwrap_err(),
        EvalError::UnknownView {
            view: "void-#99".into(),
            views: vec!["as-recorded".into(), format!("void-{invocation}")],
            participants: vec![id("eu"), id("target"), id("usa")],
        }
    );
}

#[test]
fn a_disputed_invocation_is_contested_until_an_outcome_settles_it() {
    let mut a = agreement();
    a.triggers[0].countdown = None;
    let mut log = earned();
    for who in ["iaea", "sat"] {
        log.evidence(
            "2026-10-05",
            who,
            "enrichment",
            quarter(3),
            qty(4.5, "percent"),
        );
    }
    let invocation = log.push(
        "2026-10-10",
        &["usa"],
        Statement::TriggerStep(TriggerStep {
            trigger: id("snapback"),
            step: TriggerAction::Invoke {
                reason: "enrichment above the cap".into(),
            },
        }),
    );
    let step = |action: DisputeAction| {
        Statement::DisputeStep(DisputeStep {
            dispute: id("d-invocation"),
            step: action,
        })
    };
    log.push(
        "2026-10-12",
        &["target"],
        step(DisputeAction::Open {
            finding: Finding::Entry { index: invocation },
            stage: id("joint-commission"),
            reason: "the invocation is not valid".into(),
        }),
    );
    let s = eval(&a, &log, "2026-10-13");
    assert_eq!(
        s.trigger("snapback").unwrap().status,
        TriggerStatus::Contested
    );
    assert_eq!(
        s.views[1].held_by,
        [id::<accord_core::id::ParticipantId>("target")]
    );
    // Overturned by the authority: the invocation is void in every view.
    let mut overturned = log.clone();
    overturned.push(
        "2026-10-20",
        &["eu"],
        step(DisputeAction::Resolve {
            outcome: DisputeOutcome::Overturned,
            note: "invalid".into(),
        }),
    );
    let s = eval(&a, &overturned, "2026-10-21");
    assert!(s.views.is_empty());
    assert_eq!(
        s.trigger("snapback").unwrap().status,
        TriggerStatus::Available
    );
    // Upheld and accepted by all: it counts.
    let mut upheld = log.clone();
    upheld.push(
        "2026-10-20",
        &["eu"],
        step(DisputeAction::Resolve {
            outcome: DisputeOutcome::Upheld,
            note: "valid".into(),
        }),
    );
    let s = eval(&a, &upheld, "2026-10-21");
    assert!(s.views.is_empty());
    assert_eq!(s.trigger("snapback").unwrap().status, TriggerStatus::Fired);
    // Upheld, but the target keeps its view: contested again.
    upheld.push(
        "2026-10-22",
        &["target"],
        step(DisputeAction::Position {
            accepts: false,
            view: "the snapback is null".into(),
        }),
    );
    upheld.push(
        "2026-10-22",
        &["usa"],
        step(DisputeAction::Position {
            accepts: true,
            view: "valid".into(),
        }),
    );
    let s = eval(&a, &upheld, "2026-10-23");
    assert_eq!(
        s.trigger("snapback").unwrap().status,
        TriggerStatus::Contested
    );
}
