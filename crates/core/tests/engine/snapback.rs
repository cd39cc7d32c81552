//! Disputes (stages, deadlines, extensions, escalation, exhaustion, freeze, overturn,
//! positions) and triggers (invocation, countdown, halt, fire, wind-down, reimposition,
//! partial reversal), with exact dates.

use accord_core::agreement::{
    Agreement, DisputeProcess, Extension, OverduePolicy, Reentry, Reversion, Stage, Tolerance,
    Trigger, WhileOpen,
};
use accord_core::engine::state::{IndicatorStatus, PhaseStatus, ReliefStatus, State};
use accord_core::engine::{Evaluator, evaluate, timeline};
use accord_core::rule::{CommitmentStatus, Condition, DateRule, DisputeState as RuleDispute};
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

fn trigger<'s>(s: &'s State, t: &str) -> &'s accord_core::engine::state::TriggerState {
    s.triggers.iter().find(|x| x.id.as_str() == t).unwrap()
}

fn dispute<'s>(s: &'s State, d: &str) -> &'s accord_core::engine::state::DisputeState {
    s.disputes.iter().find(|x| x.id.as_str() == d).unwrap()
}

type Run<'a> = (
    &'a str,
    bool,
    accord_core::time::Date,
    Option<accord_core::time::Date>,
    &'a str,
);

/// A dispute's stage runs as (stage, parallel, began, deadline, status).
fn stage_runs(d: &accord_core::engine::state::DisputeState) -> Vec<Run<'_>> {
    d.stages
        .iter()
        .map(|r| {
            (
                r.stage.as_str(),
                r.parallel,
                r.began,
                r.deadline,
                r.status.as_str(),
            )
        })
        .collect()
}

fn commitment(s: &State, c: &str, review: u32) -> CommitmentStatus {
    s.commitments
        .iter()
        .find(|x| x.id.as_str() == c)
        .and_then(|x| x.reviews.iter().find(|r| r.review == review))
        .map(|r| r.status)
        .unwrap()
}

fn rejection(s: &State, index: LogIndex) -> String {
    s.rejected
        .iter()
        .find(|r| r.entry == index)
        .map(|r| r.reason.clone())
        .unwrap_or_else(|| panic!("entry {index} not rejected: {:?}", s.rejected))
}

fn accepted(s: &State, index: LogIndex) {
    assert!(
        s.rejected.iter().all(|r| r.entry != index),
        "entry {index} rejected: {:?}",
        s.rejected
    );
}

/// The nuclear agreement without a cure window, with a three-stage dispute process: a
/// joint commission (15 days, extensible by consent, open-ended), then ministers (15
/// days) with an advisory board beside them (30 days).
fn agreement() -> Agreement {
    let mut a = nuclear();
    for i in &mut a.indicators {
        i.cure = None;
    }
    a.disputes = DisputeProcess {
        stages: vec![
            Stage {
                id: id("jc"),
                title: "Joint commission".into(),
                deadline: dur("P15D"),
                extension: Extension::ByConsent { max: None },
                next: Some(id("ministers")),
                parallel: vec![],
                alternatives: vec![],
                standing: vec![],
            },
            Stage {
                id: id("ministers"),
                title: "Ministers".into(),
                deadline: dur("P15D"),
                extension: Extension::None,
                next: None,
                parallel: vec![id("advisory")],
                alternatives: vec![],
                standing: vec![],
            },
            Stage {
                id: id("advisory"),
                title: "Advisory board".into(),
                deadline: dur("P30D"),
                extension: Extension::None,
                next: None,
                parallel: vec![],
                alternatives: vec![],
                standing: vec![],
            },
        ],
        while_open: WhileOpen::FreezeFinding,
        standing: vec![],
        resolved_by: vec![],
        extension_consent: vec![],
    };
    a.triggers = vec![Trigger {
        id: id("snapback"),
        title: "Snapback".into(),
        when: status(&["c1"], CommitmentStatus::Noncompliant, 1),
        standing: vec![id("usa"), id("eu")],
        automatic: false,
        countdown: Some(dur("P30D")),
        halted_by: vec![id("eu")],
        reverts_to: Reversion::PreAgreement,
        wind_down: dur("P90D"),
        non_retroactive: true,
        reentry: Reentry::ByDecision,
        milestones: vec![],
    }];
    a
}

/// Two compliant quarters (phase p1 reached on 2026-07-06), then a verified breach of the
/// enrichment cap in the third quarter, known on 2026-10-05.
fn breach_log() -> Log {
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
    log
}

fn step(dispute: &str, step: DisputeAction) -> Statement {
    Statement::DisputeStep(DisputeStep {
        dispute: id(dispute),
        step,
    })
}

fn open_q3() -> DisputeAction {
    DisputeAction::Open {
        finding: Finding::Indicator {
            indicator: id("enrichment"),
            period: quarter(3),
        },
        stage: id("jc"),
        reason: "the samples were contaminated".into(),
    }
}

fn tstep(t: &str, step: TriggerAction) -> Statement {
    Statement::TriggerStep(TriggerStep {
        trigger: id(t),
        step,
    })
}

fn invoke() -> TriggerAction {
    TriggerAction::Invoke {
        reason: "enrichment above the cap".into(),
    }
}

#[test]
fn the_breach_makes_the_trigger_available_only_after_its_review() {
    let a = agreement();
    let log = breach_log();
    let s = eval(&a, &log, "2026-09-15");
    assert_eq!(trigger(&s, "snapback").status, "dormant");
    let s = eval(&a, &log, "2026-10-06");
    assert_eq!(commitment(&s, "c1", 3), CommitmentStatus::Noncompliant);
    assert_eq!(trigger(&s, "snapback").status, "available");
    assert_eq!(trigger(&s, "snapback").reasons[0].rule, "trigger.available");
}

#[test]
fn snapback_counts_down_fires_winds_down_and_reimposes() {
    let a = agreement();
    let mut log = breach_log();
    let early = log.push("2026-09-15", &["usa"], tstep("snapback", invoke()));
    let no_standing = log.push("2026-10-06", &["target"], tstep("snapback", invoke()));
    let invoked = log.push("2026-10-10", &["usa"], tstep("snapback", invoke()));
    let twice = log.push("2026-10-12", &["eu"], tstep("snapback", invoke()));

    let s = eval(&a, &log, "2026-11-08");
    assert!(
        rejection(&s, early).contains("does not hold on that date"),
        "{}",
        rejection(&s, early)
    );
    assert!(
        rejection(&s, no_standing)
            .contains("`target` has no standing to invoke `snapback`: only `usa`, `eu` may")
    );
    assert!(rejection(&s, twice).contains("already invoked on 2026-10-10"));
    accepted(&s, invoked);
    let t = trigger(&s, "snapback");
    assert_eq!(t.status, "counting_down");
    assert_eq!(t.invoked, Some(d(2026, 10, 10)));
    assert_eq!(t.until, Some(d(2026, 11, 9)));
    assert_eq!(relief(&s, "us-oil").0, ReliefStatus::InForce);
    assert_eq!(s.phases[0].status, PhaseStatus::Reached);

    let s = eval(&a, &log, "2026-11-09");
    let t = trigger(&s, "snapback");
    assert_eq!(t.status, "fired");
    assert_eq!(t.fired, Some(d(2026, 11, 9)));
    assert_eq!(t.wind_down_until, Some(d(2027, 2, 7)));
    for action in ["us-oil", "eu-oil", "unfreeze"] {
        assert_eq!(
            relief(&s, action),
            (
                ReliefStatus::WindDown,
                Some(d(2026, 11, 9)),
                Some(d(2027, 2, 7))
            ),
            "{action}"
        );
    }
    let r = &s.relief[0].reasons[0];
    assert_eq!(r.rule, "trigger.wind_down");
    assert!(
        r.detail
            .contains("contracts concluded before 2026-11-09 may be performed until 2027-02-07"),
        "{}",
        r.detail
    );
    assert_eq!(r.entries, vec![invoked]);
    // Phases past the reversion point are not reached again.
    assert_eq!(s.phases[0].status, PhaseStatus::NotReached);
    assert_eq!(s.phases[0].entered, None);
    assert_eq!(s.phases[0].reasons[0].rule, "trigger.reverted");
    // Exemptions are untouched.
    assert!(s.exemptions.iter().all(|e| e.in_force));
    assert!(!s.exemptions.is_empty());

    let s = eval(&a, &log, "2027-02-06");
    assert_eq!(relief(&s, "us-oil").0, ReliefStatus::WindDown);
    let s = eval(&a, &log, "2027-02-07");
    assert_eq!(
        relief(&s, "us-oil"),
        (ReliefStatus::Reimposed, Some(d(2027, 2, 7)), None)
    );
    assert_eq!(s.relief[0].reasons[0].rule, "trigger.reimposed");

    // A step after firing is rejected.
    let mut later = log.clone();
    let after = later.push(
        "2026-11-20",
        &["eu"],
        tstep(
            "snapback",
            TriggerAction::Halt {
                resolution: "too late".into(),
            },
        ),
    );
    let s = eval(&a, &later, "2026-12-01");
    assert!(rejection(&s, after).contains("fired on 2026-11-09"));

    // The timeline shows the fire and the reimposition on their days.
    let changes = timeline(std::slice::from_ref(&a), &log.entries, None, d(2027, 3, 1)).unwrap();
    let find = |subject: &str, to: &str| {
        changes
            .iter()
            .find(|c| c.subject == subject && c.to == to)
            .map(|c| c.date)
    };
    assert_eq!(
        find("trigger snapback", "counting_down until 2026-11-09"),
        Some(d(2026, 10, 10))
    );
    assert_eq!(
        find("trigger snapback", "fired on 2026-11-09"),
        Some(d(2026, 11, 9))
    );
    assert_eq!(
        find("relief us-oil", "wind_down until 2027-02-07"),
        Some(d(2026, 11, 9))
    );
    assert_eq!(find("relief us-oil", "reimposed"), Some(d(2027, 2, 7)));
}

#[test]
fn a_halt_before_the_clock_ends_stops_it_and_only_the_listed_may_halt() {
    let a = agreement();
    let mut log = breach_log();
    log.push("2026-10-10", &["usa"], tstep("snapback", invoke()));
    let halt = |r: &str| {
        tstep(
            "snapback",
            TriggerAction::Halt {
                resolution: r.into(),
            },
        )
    };
    let wrong = log.push("2026-10-20", &["usa"], halt("usa votes"));
    let halted = log.push("2026-11-08", &["eu"], halt("council resolution 1"));
    let s = eval(&a, &log, "2026-12-31");
    assert!(rejection(&s, wrong).contains("`usa` may not halt `snapback`: only `eu` may"));
    accepted(&s, halted);
    assert_eq!(trigger(&s, "snapback").status, "halted");
    assert_eq!(relief(&s, "us-oil").0, ReliefStatus::InForce);
    assert_eq!(s.phases[0].status, PhaseStatus::Reached);

    // A halt recorded on the day the clock ends is too late.
    let mut late = breach_log();
    late.push("2026-10-10", &["usa"], tstep("snapback", invoke()));
    let too_late = late.push("2026-11-09", &["eu"], halt("late resolution"));
    let s = eval(&a, &late, "2026-11-10");
    assert!(rejection(&s, too_late).contains("fired on 2026-11-09"));
    assert_eq!(trigger(&s, "snapback").status, "fired");

    // Withdrawal by the invoker, not by another.
    let mut w = breach_log();
    w.push("2026-10-10", &["usa"], tstep("snapback", invoke()));
    let other = w.push(
        "2026-10-11",
        &["eu"],
        tstep("snapback", TriggerAction::Withdraw),
    );
    let own = w.push(
        "2026-10-12",
        &["usa"],
        tstep("snapback", TriggerAction::Withdraw),
    );
    let s = eval(&a, &w, "2026-12-31");
    assert!(rejection(&s, other).contains("`eu` did not invoke `snapback`"));
    accepted(&s, own);
    assert_eq!(trigger(&s, "snapback").status, "withdrawn");
    assert_eq!(relief(&s, "us-oil").0, ReliefStatus::InForce);
}

#[test]
fn a_partial_reversal_revokes_one_action_and_keeps_the_rest() {
    let mut a = agreement();
    a.triggers[0].reverts_to = Reversion::Actions {
        actions: vec![id("us-oil")],
    };
    a.triggers[0].countdown = None;
    a.triggers[0].wind_down = dur("P30D");
    a.triggers[0].non_retroactive = false;
    let mut log = breach_log();
    log.push("2026-10-10", &["eu"], tstep("snapback", invoke()));
    let s = eval(&a, &log, "2026-10-20");
    assert_eq!(trigger(&s, "snapback").fired, Some(d(2026, 10, 10)));
    assert_eq!(
        relief(&s, "us-oil"),
        (
            ReliefStatus::WindDown,
            Some(d(2026, 10, 10)),
            Some(d(2026, 11, 9))
        )
    );
    assert!(!s.relief[0].reasons[0].detail.contains("contracts"));
    assert_eq!(relief(&s, "eu-oil").0, ReliefStatus::InForce);
    assert_eq!(relief(&s, "unfreeze").0, ReliefStatus::InForce);
    assert_eq!(s.phases[0].status, PhaseStatus::Reached);
    let s = eval(&a, &log, "2026-11-09");
    assert_eq!(relief(&s, "us-oil").0, ReliefStatus::Reimposed);
    assert_eq!(relief(&s, "eu-oil").0, ReliefStatus::InForce);
}

#[test]
fn an_automatic_trigger_fires_when_its_condition_becomes_known() {
    let mut a = agreement();
    a.triggers[0].automatic = true;
    a.triggers[0].countdown = None;
    a.triggers[0].standing = vec![];
    let mut log = breach_log();
    let invoked = log.push("2026-10-10", &["usa"], tstep("snapback", invoke()));
    let s = eval(&a, &log, "2026-10-04");
    assert_eq!(trigger(&s, "snapback").status, "dormant");
    let s = eval(&a, &log, "2026-10-20");
    assert!(rejection(&s, invoked).contains("automatic"));
    let t = trigger(&s, "snapback");
    assert_eq!(t.status, "fired");
    assert_eq!(t.fired, Some(d(2026, 10, 5)));
    assert_eq!(relief(&s, "us-oil").0, ReliefStatus::WindDown);
}

#[test]
fn an_open_dispute_freezes_the_finding_then_escalates_and_is_exhausted_by_deadlines() {
    let a = agreement();
    let mut log = breach_log();
    let opened = log.push("2026-10-06", &["target"], step("d1", open_q3()));
    let refused = log.push("2026-10-10", &["usa"], tstep("snapback", invoke()));

    let s = eval(&a, &log, "2026-10-10");
    accepted(&s, opened);
    let dd = dispute(&s, "d1");
    assert_eq!(dd.status, "open");
    assert_eq!(dd.effect, "frozen");
    assert_eq!(dd.stage.as_ref().unwrap().as_str(), "jc");
    assert_eq!(dd.stages[0].began, d(2026, 10, 6));
    assert_eq!(dd.stages[0].deadline, Some(d(2026, 10, 21)));
    // The finding is shown as the monitors made it, frozen, and does not count.
    let ind = s
        .indicators
        .iter()
        .find(|i| i.id.as_str() == "enrichment")
        .unwrap();
    let q3 = ind.periods.iter().find(|p| p.period == quarter(3)).unwrap();
    assert_eq!(q3.status, IndicatorStatus::Noncompliant);
    assert!(q3.frozen);
    assert!(q3.reasons.iter().any(|r| r.rule == "dispute.frozen"));
    assert_eq!(
        ind.reviews.iter().find(|r| r.review == 3).unwrap().status,
        IndicatorStatus::Unverified
    );
    assert_eq!(commitment(&s, "c1", 3), CommitmentStatus::Unverified);
    assert_eq!(trigger(&s, "snapback").status, "dormant");
    assert!(rejection(&s, refused).contains("does not hold"));

    // The joint commission runs out on 2026-10-21: ministers and the advisory board begin.
    let s = eval(&a, &log, "2026-10-21");
    let dd = dispute(&s, "d1");
    assert_eq!(dd.status, "open");
    assert_eq!(dd.stage.as_ref().unwrap().as_str(), "ministers");
    let runs = stage_runs(dd);
    assert_eq!(
        runs,
        vec![
            (
                "jc",
                false,
                d(2026, 10, 6),
                Some(d(2026, 10, 21)),
                "ran_out"
            ),
            (
                "ministers",
                false,
                d(2026, 10, 21),
                Some(d(2026, 11, 5)),
                "running"
            ),
            (
                "advisory",
                true,
                d(2026, 10, 21),
                Some(d(2026, 11, 20)),
                "running"
            ),
        ]
    );
    // The ministers run out; the advisory board still runs.
    let s = eval(&a, &log, "2026-11-19");
    assert_eq!(dispute(&s, "d1").status, "open");
    // Every stage has run out by 2026-11-20: exhausted, the finding counts.
    let s = eval(&a, &log, "2026-11-20");
    let dd = dispute(&s, "d1");
    assert_eq!(dd.status, "exhausted");
    assert_eq!(dd.closed, Some(d(2026, 11, 20)));
    assert_eq!(dd.effect, "counts");
    assert_eq!(commitment(&s, "c1", 3), CommitmentStatus::Noncompliant);
    assert_eq!(trigger(&s, "snapback").status, "available");

    // After exhaustion only an authority records the outcome, and escalation is refused.
    let mut more = log.clone();
    let esc = more.push(
        "2026-11-21",
        &["target"],
        step(
            "d1",
            DisputeAction::Escalate {
                to: id("ministers"),
            },
        ),
    );
    let by_target = more.push(
        "2026-11-21",
        &["target"],
        step(
            "d1",
            DisputeAction::Resolve {
                outcome: DisputeOutcome::Overturned,
                note: "".into(),
            },
        ),
    );
    let s = eval(&a, &more, "2026-11-22");
    assert!(rejection(&s, esc).contains("ran out on 2026-11-20"));
    assert!(rejection(&s, by_target).contains("`target` is not an authority of the agreement"));
}

#[test]
fn the_dispute_condition_and_stage_dates_follow_the_walk() {
    let mut a = agreement();
    // Snapback by itself once the dispute over c1 is exhausted.
    a.triggers[0].when = Condition::Dispute {
        commitment: id("c1"),
        state: RuleDispute::Exhausted,
    };
    a.triggers[0].automatic = true;
    a.triggers[0].countdown = None;
    a.triggers[0].standing = vec![];
    let mut log = breach_log();
    log.push("2026-10-06", &["target"], step("d1", open_q3()));
    let s = eval(&a, &log, "2026-11-19");
    assert_eq!(trigger(&s, "snapback").status, "dormant");
    let s = eval(&a, &log, "2026-11-20");
    assert_eq!(trigger(&s, "snapback").status, "fired");
    assert_eq!(relief(&s, "us-oil").0, ReliefStatus::WindDown);
}

#[test]
fn an_overturned_finding_no_longer_counts_and_contested_views_are_both_shown() {
    let a = agreement();
    let mut log = breach_log();
    log.push("2026-10-06", &["target"], step("d1", open_q3()));
    let early_view = log.push(
        "2026-10-07",
        &["usa"],
        step(
            "d1",
            DisputeAction::Position {
                accepts: false,
                view: "premature".into(),
            },
        ),
    );
    log.push(
        "2026-10-15",
        &["eu"],
        step(
            "d1",
            DisputeAction::Resolve {
                outcome: DisputeOutcome::Overturned,
                note: "re-sampling showed 3.6%".into(),
            },
        ),
    );
    log.push(
        "2026-10-16",
        &["target"],
        step(
            "d1",
            DisputeAction::Position {
                accepts: true,
                view: "vindicated".into(),
            },
        ),
    );
    log.push(
        "2026-10-17",
        &["usa"],
        step(
            "d1",
            DisputeAction::Position {
                accepts: false,
                view: "the re-sampling was not witnessed".into(),
            },
        ),
    );
    let after = log.push(
        "2026-10-18",
        &["usa"],
        step(
            "d1",
            DisputeAction::Escalate {
                to: id("ministers"),
            },
        ),
    );
    let s = eval(&a, &log, "2026-10-20");
    assert!(rejection(&s, early_view).contains("no outcome yet"));
    assert!(rejection(&s, after).contains("resolved on 2026-10-15"));
    let dd = dispute(&s, "d1");
    assert_eq!(dd.status, "resolved");
    assert_eq!(dd.outcome, Some(DisputeOutcome::Overturned));
    assert_eq!(dd.closed, Some(d(2026, 10, 15)));
    assert_eq!(dd.effect, "set_aside");
    assert!(dd.contested);
    assert_eq!(dd.positions.len(), 2);
    assert!(dd.reasons.iter().any(|r| r.detail.contains("vindicated")));
    assert!(
        dd.reasons
            .iter()
            .any(|r| r.detail.contains("not witnessed"))
    );
    assert_eq!(dd.stages[0].status, "closed");
    assert_eq!(dd.stages[0].ended, Some(d(2026, 10, 15)));
    assert_eq!(commitment(&s, "c1", 3), CommitmentStatus::Unverified);
    assert_eq!(trigger(&s, "snapback").status, "dormant");
    // It stays so after the stage deadlines would have passed.
    let s = eval(&a, &log, "2027-01-01");
    assert_eq!(dispute(&s, "d1").status, "resolved");
    assert_eq!(commitment(&s, "c1", 3), CommitmentStatus::Unverified);
}

#[test]
fn an_upheld_finding_counts_and_a_standing_finding_counts_while_open() {
    let a = agreement();
    let mut log = breach_log();
    log.push("2026-10-06", &["target"], step("d1", open_q3()));
    log.push(
        "2026-10-15",
        &["eu"],
        step(
            "d1",
            DisputeAction::Resolve {
                outcome: DisputeOutcome::Upheld,
                note: "confirmed".into(),
            },
        ),
    );
    let s = eval(&a, &log, "2026-10-20");
    assert_eq!(dispute(&s, "d1").effect, "counts");
    assert_eq!(commitment(&s, "c1", 3), CommitmentStatus::Noncompliant);

    let mut stands = agreement();
    stands.disputes.while_open = WhileOpen::FindingStands;
    let mut log = breach_log();
    log.push("2026-10-06", &["target"], step("d1", open_q3()));
    let s = eval(&stands, &log, "2026-10-10");
    assert_eq!(dispute(&s, "d1").effect, "finding_stands");
    assert_eq!(commitment(&s, "c1", 3), CommitmentStatus::Noncompliant);
}

#[test]
fn extensions_need_every_party_and_may_be_open_ended() {
    let a = agreement();
    let mut log = breach_log();
    log.push("2026-10-06", &["target"], step("d1", open_q3()));
    let extend = |until| {
        step(
            "d1",
            DisputeAction::Extend {
                stage: id("jc"),
                until,
            },
        )
    };
    log.push("2026-10-15", &["usa"], extend(Some(d(2026, 11, 30))));
    log.push("2026-10-16", &["eu"], extend(Some(d(2026, 11, 30))));
    let s = eval(&a, &log, "2026-10-16");
    assert_eq!(dispute(&s, "d1").stages[0].deadline, Some(d(2026, 10, 21)));
    assert!(
        dispute(&s, "d1")
            .reasons
            .iter()
            .any(|r| r.detail.contains("awaiting the consent of `target`"))
    );
    log.push("2026-10-17", &["target"], extend(Some(d(2026, 11, 30))));
    let s = eval(&a, &log, "2026-11-29");
    let dd = dispute(&s, "d1");
    assert_eq!(dd.stages[0].deadline, Some(d(2026, 11, 30)));
    assert_eq!(dd.stages.len(), 1);
    let s = eval(&a, &log, "2026-11-30");
    assert_eq!(
        dispute(&s, "d1").stage.as_ref().unwrap().as_str(),
        "ministers"
    );

    // Open-ended: no deadline, the dispute stays open.
    let mut log = breach_log();
    log.push("2026-10-06", &["target"], step("d1", open_q3()));
    log.push("2026-10-10", &["usa", "eu", "target"], extend(None));
    let s = eval(&a, &log, "2027-06-01");
    let dd = dispute(&s, "d1");
    assert_eq!(dd.status, "open");
    assert_eq!(dd.stages[0].deadline, None);
    assert_eq!(commitment(&s, "c1", 3), CommitmentStatus::Unverified);

    // A stage without extension, and an extension after the deadline, are refused.
    let mut log = breach_log();
    log.push("2026-10-06", &["target"], step("d1", open_q3()));
    let late = log.push("2026-10-21", &["usa"], extend(Some(d(2026, 12, 1))));
    let ministers = log.push(
        "2026-10-22",
        &["usa"],
        step(
            "d1",
            DisputeAction::Extend {
                stage: id("ministers"),
                until: Some(d(2026, 12, 1)),
            },
        ),
    );
    let s = eval(&a, &log, "2026-10-25");
    assert!(rejection(&s, late).contains("stage `jc` of dispute `d1` is not running"));
    assert!(rejection(&s, ministers).contains("cannot be extended"));
}

#[test]
fn standing_and_sequence_errors_name_the_dispute_step() {
    let mut a = agreement();
    a.disputes.standing = vec![id("target")];
    a.disputes.stages[0].standing = vec![id("target")];
    let mut log = breach_log();
    let by_usa = log.push("2026-10-06", &["usa"], step("d0", open_q3()));
    let never = log.push(
        "2026-10-06",
        &["target"],
        step("d9", DisputeAction::Withdraw),
    );
    let monitor = log.push("2026-10-06", &["iaea"], step("d8", open_q3()));
    log.push("2026-10-06", &["target"], step("d1", open_q3()));
    let again = log.push("2026-10-07", &["target"], step("d1", open_q3()));
    let esc_usa = log.push(
        "2026-10-08",
        &["usa"],
        step(
            "d1",
            DisputeAction::Escalate {
                to: id("ministers"),
            },
        ),
    );
    let wrong_stage = log.push(
        "2026-10-08",
        &["target"],
        step("d1", DisputeAction::Escalate { to: id("advisory") }),
    );
    let esc = log.push(
        "2026-10-09",
        &["target"],
        step(
            "d1",
            DisputeAction::Escalate {
                to: id("ministers"),
            },
        ),
    );
    let withdraw_usa = log.push("2026-10-10", &["usa"], step("d1", DisputeAction::Withdraw));
    let withdraw = log.push(
        "2026-10-11",
        &["target"],
        step("d1", DisputeAction::Withdraw),
    );
    let after = log.push(
        "2026-10-12",
        &["target"],
        step(
            "d1",
            DisputeAction::Escalate {
                to: id("ministers"),
            },
        ),
    );
    let s = eval(&a, &log, "2026-10-12");
    assert!(
        rejection(&s, by_usa)
            .contains("`usa` has no standing to open a dispute: only `target` may")
    );
    assert!(rejection(&s, never).contains("dispute `d9` was never opened"));
    assert!(rejection(&s, monitor).contains("`iaea` is not a party"));
    assert!(rejection(&s, again).contains("already opened on 2026-10-06"));
    assert!(rejection(&s, esc_usa).contains("`usa` has no standing to escalate from stage `jc`"));
    assert!(
        rejection(&s, wrong_stage)
            .contains("`advisory` is neither the next stage nor an alternative")
    );
    accepted(&s, esc);
    assert!(rejection(&s, withdraw_usa).contains("only `target` may withdraw"));
    accepted(&s, withdraw);
    assert!(rejection(&s, after).contains("withdrawn on 2026-10-11"));
    let dd = dispute(&s, "d1");
    assert_eq!(dd.status, "withdrawn");
    assert_eq!(dd.effect, "counts");
    let runs: Vec<(&str, &str, _)> = dd
        .stages
        .iter()
        .map(|r| (r.stage.as_str(), r.status.as_str(), r.ended))
        .collect();
    assert_eq!(
        runs,
        vec![
            ("jc", "escalated", Some(d(2026, 10, 9))),
            ("ministers", "closed", Some(d(2026, 10, 11))),
            ("advisory", "closed", Some(d(2026, 10, 11))),
        ]
    );
    assert_eq!(commitment(&s, "c1", 3), CommitmentStatus::Noncompliant);
}

#[test]
fn incremental_matches_replay_with_disputes_and_triggers() {
    let a = agreement();
    let mut log = breach_log();
    log.push("2026-10-06", &["target"], step("d1", open_q3()));
    log.push("2026-10-10", &["usa"], tstep("snapback", invoke()));
    log.push("2026-11-25", &["usa"], tstep("snapback", invoke()));
    let mut ev = Evaluator::new(std::slice::from_ref(&a)).unwrap();
    for e in &log.entries {
        ev.append(e);
    }
    for when in ["2026-10-10", "2026-11-20", "2026-12-30", "2027-03-01"] {
        assert_eq!(ev.state(at(when)).unwrap(), eval(&a, &log, when), "{when}");
    }
    let s = eval(&a, &log, "2026-12-30");
    assert_eq!(trigger(&s, "snapback").status, "fired");
    assert_eq!(trigger(&s, "snapback").fired, Some(d(2026, 12, 25)));
}

#[test]
fn decisions_before_the_fire_are_reverted_and_a_grant_after_it_is_a_departure() {
    let a = agreement();
    let mut log = breach_log();
    let grant = |eff| {
        Statement::Decision(Decision {
            act: DecisionAct::Grant,
            relief: ReliefRef::Phase(id("p2")),
            effective: eff,
            reason: "early relief".into(),
            until: None,
            wind_down: None,
            by: None,
            entities: Vec::new(),
        })
    };
    log.push("2026-08-01", &["usa"], grant(d(2026, 8, 1).into()));
    log.push("2026-10-10", &["usa"], tstep("snapback", invoke()));
    let s = eval(&a, &log, "2026-11-20");
    assert_eq!(
        relief(&s, "us-gas"),
        (
            ReliefStatus::WindDown,
            Some(d(2026, 11, 9)),
            Some(d(2027, 2, 7))
        )
    );
    let later = log.push("2026-12-01", &["usa"], grant(d(2026, 12, 1).into()));
    let s = eval(&a, &log, "2026-12-02");
    assert_eq!(relief(&s, "us-gas").0, ReliefStatus::InForce);
    let dec = s.decisions.iter().find(|x| x.entry == later).unwrap();
    assert!(dec.departure);
}

#[test]
fn an_automatic_trigger_on_a_negated_condition_fires_on_a_date_that_does_not_move() {
    let mut a = agreement();
    a.triggers[0].automatic = true;
    a.triggers[0].countdown = None;
    a.triggers[0].standing = vec![];
    // Fires while c1 has not been compliant at the latest review: it holds from the start
    // (no review concluded), so it fires on the agreement's effective date.
    a.triggers[0].when = Condition::Not {
        not: Box::new(status(&["c1"], CommitmentStatus::Compliant, 1)),
    };
    let log = Log::default();
    for when in ["2026-02-01", "2026-05-01", "2026-09-01"] {
        let s = eval(&a, &log, when);
        assert_eq!(trigger(&s, "snapback").fired, Some(d(2026, 1, 1)), "{when}");
    }
}

// ---------------------------------------------------------------- disputes during a countdown

fn resolve(outcome: DisputeOutcome) -> DisputeAction {
    DisputeAction::Resolve {
        outcome,
        note: "after re-sampling".into(),
    }
}

/// Invoked on 2026-10-10 (fires on 2026-11-09 if nothing happens), then a dispute over the
/// Q3 enrichment finding opened on 2026-10-20: 20 days of the countdown remain.
fn disputed_countdown() -> Log {
    let mut log = breach_log();
    log.push("2026-10-10", &["usa"], tstep("snapback", invoke()));
    log.push("2026-10-20", &["target"], step("d1", open_q3()));
    log
}

#[test]
fn a_dispute_opened_during_the_countdown_pauses_it_and_an_upheld_finding_resumes_it() {
    let a = agreement();
    let mut log = disputed_countdown();
    let invoked = LogIndex(12);
    let s = eval(&a, &log, "2026-10-19");
    assert_eq!(trigger(&s, "snapback").status, "counting_down");
    assert_eq!(trigger(&s, "snapback").until, Some(d(2026, 11, 9)));

    // Paused on the day the dispute opens, with the days that remained.
    let s = eval(&a, &log, "2026-10-20");
    accepted(&s, invoked);
    let t = trigger(&s, "snapback");
    assert_eq!(t.status, "paused");
    assert_eq!(t.invoked, Some(d(2026, 10, 10)));
    assert_eq!(t.paused_since, Some(d(2026, 10, 20)));
    assert_eq!(t.remaining, Some(20));
    assert_eq!(t.until, None);
    assert_eq!(t.reasons[0].rule, "trigger.paused");
    assert!(
        t.reasons[0].detail.contains("dispute `d1`"),
        "{:?}",
        t.reasons
    );
    // It does not fire on the day it would have.
    let s = eval(&a, &log, "2026-11-09");
    assert_eq!(trigger(&s, "snapback").status, "paused");
    assert_eq!(relief(&s, "us-oil").0, ReliefStatus::InForce);

    // Upheld on 2026-11-05: it resumes with its 20 days and fires 16 days (the paused span)
    // later than it would have.
    log.push(
        "2026-11-05",
        &["eu"],
        step("d1", resolve(DisputeOutcome::Upheld)),
    );
    let s = eval(&a, &log, "2026-11-05");
    accepted(&s, invoked);
    let t = trigger(&s, "snapback");
    assert_eq!(t.status, "counting_down");
    assert_eq!(t.until, Some(d(2026, 11, 25)));
    assert_eq!(t.remaining, None);
    assert!(t.reasons.iter().any(|r| {
        r.rule == "trigger.resumed"
            && r.detail
                .contains("resumed on 2026-11-05 with the 20 day(s)")
    }));
    let s = eval(&a, &log, "2026-11-24");
    assert_eq!(trigger(&s, "snapback").status, "counting_down");
    assert_eq!(relief(&s, "us-oil").0, ReliefStatus::InForce);
    let s = eval(&a, &log, "2026-11-25");
    let t = trigger(&s, "snapback");
    assert_eq!(t.status, "fired");
    assert_eq!(t.fired, Some(d(2026, 11, 25)));
    assert_eq!(
        relief(&s, "us-oil"),
        (
            ReliefStatus::WindDown,
            Some(d(2026, 11, 25)),
            Some(d(2027, 2, 23))
        )
    );

    // The timeline shows the pause, the resumption and the fire on their days.
    let changes = timeline(
        std::slice::from_ref(&a),
        &log.entries,
        None,
        d(2026, 12, 31),
    )
    .unwrap();
    let on = |to: &str| {
        changes
            .iter()
            .find(|c| c.subject == "trigger snapback" && c.to == to)
            .map(|c| c.date)
    };
    assert_eq!(on("counting_down until 2026-11-09"), Some(d(2026, 10, 10)));
    assert_eq!(on("paused with 20 day(s) remaining"), Some(d(2026, 10, 20)));
    assert_eq!(on("counting_down until 2026-11-25"), Some(d(2026, 11, 5)));
    assert_eq!(on("fired on 2026-11-25"), Some(d(2026, 11, 25)));

    // Incremental evaluation agrees with a full replay across the pause.
    let mut ev = Evaluator::new(std::slice::from_ref(&a)).unwrap();
    for e in &log.entries {
        ev.append(e);
    }
    for when in ["2026-10-20", "2026-11-05", "2026-11-25", "2027-03-01"] {
        assert_eq!(ev.state(at(when)).unwrap(), eval(&a, &log, when), "{when}");
    }
}

#[test]
fn a_paused_countdown_may_still_be_halted_or_withdrawn_but_not_invoked_again() {
    let a = agreement();
    let mut log = disputed_countdown();
    let again = log.push("2026-10-25", &["eu"], tstep("snapback", invoke()));
    let halted = log.push(
        "2026-10-26",
        &["eu"],
        tstep(
            "snapback",
            TriggerAction::Halt {
                resolution: "council resolution".into(),
            },
        ),
    );
    let s = eval(&a, &log, "2026-12-31");
    assert!(
        rejection(&s, again).contains("its countdown is paused with 20 day(s) remaining"),
        "{}",
        rejection(&s, again)
    );
    accepted(&s, halted);
    assert_eq!(trigger(&s, "snapback").status, "halted");
    // The halt decides the status: its reason comes first.
    assert_eq!(trigger(&s, "snapback").reasons[0].rule, "trigger.halted");
    assert_eq!(trigger(&s, "snapback").reasons[0].entries, vec![halted]);
}

#[test]
fn an_overturned_finding_lapses_the_invocation_which_may_be_made_again() {
    let a = agreement();
    let mut log = disputed_countdown();
    log.push(
        "2026-11-05",
        &["eu"],
        step("d1", resolve(DisputeOutcome::Overturned)),
    );
    let s = eval(&a, &log, "2026-11-05");
    accepted(&s, LogIndex(12));
    let t = trigger(&s, "snapback");
    assert_eq!(t.status, "halted");
    assert_eq!(t.fired, None);
    let lapsed = &t.reasons[0];
    assert_eq!(lapsed.rule, "trigger.lapsed", "{:?}", t.reasons);
    assert!(
        lapsed.detail.contains("lapsed on 2026-11-05")
            && lapsed
                .detail
                .contains("dispute `d1` overturned the finding"),
        "{}",
        lapsed.detail
    );
    // It never fires on that invocation.
    let s = eval(&a, &log, "2027-01-01");
    assert_eq!(trigger(&s, "snapback").status, "halted");
    assert_eq!(relief(&s, "us-oil").0, ReliefStatus::InForce);

    // A new breach in Q4 (known 2027-01-05) may be invoked again.
    log.evidence(
        "2027-01-05",
        "iaea",
        "enrichment",
        quarter(4),
        qty(4.4, "percent"),
    );
    log.evidence(
        "2027-01-05",
        "sat",
        "enrichment",
        quarter(4),
        qty(4.4, "percent"),
    );
    let again = log.push("2027-01-10", &["usa"], tstep("snapback", invoke()));
    let s = eval(&a, &log, "2027-01-10");
    accepted(&s, again);
    let t = trigger(&s, "snapback");
    assert_eq!(t.status, "counting_down");
    assert_eq!(t.until, Some(d(2027, 2, 9)));
}

#[test]
fn an_overturned_finding_resumes_the_countdown_when_the_condition_holds_on_other_findings() {
    let mut a = agreement();
    a.triggers[0].when = Condition::Status {
        quantifier: accord_core::rule::Quantifier::Any,
        commitments: vec![id("c1"), id("c2")],
        status: CommitmentStatus::Noncompliant,
        reviews: 1,
    };
    let mut log = breach_log();
    // The stockpile is over its cap in Q3 too (both monitors' later reports count).
    log.evidence(
        "2026-10-05",
        "iaea",
        "stockpile",
        quarter(3),
        qty(350.0, "kg_u"),
    );
    log.evidence(
        "2026-10-05",
        "sat",
        "stockpile",
        quarter(3),
        qty(352.0, "kg_u"),
    );
    log.push("2026-10-10", &["usa"], tstep("snapback", invoke()));
    log.push("2026-10-20", &["target"], step("d1", open_q3()));
    log.push(
        "2026-11-05",
        &["eu"],
        step("d1", resolve(DisputeOutcome::Overturned)),
    );
    let s = eval(&a, &log, "2026-10-20");
    assert_eq!(trigger(&s, "snapback").status, "paused");
    let s = eval(&a, &log, "2026-11-05");
    let t = trigger(&s, "snapback");
    assert_eq!(t.status, "counting_down", "{:?}", t.reasons);
    assert_eq!(t.until, Some(d(2026, 11, 25)));
    let s = eval(&a, &log, "2026-11-25");
    assert_eq!(trigger(&s, "snapback").fired, Some(d(2026, 11, 25)));
}

#[test]
fn under_finding_stands_a_dispute_does_not_pause_the_countdown() {
    let mut a = agreement();
    a.disputes.while_open = WhileOpen::FindingStands;
    let log = disputed_countdown();
    let s = eval(&a, &log, "2026-10-20");
    let t = trigger(&s, "snapback");
    assert_eq!(t.status, "counting_down");
    assert_eq!(t.until, Some(d(2026, 11, 9)));
    assert!(
        t.reasons.iter().any(|r| r.rule == "trigger.disputed"
            && r.detail.contains("dispute `d1`")
            && r.detail.contains("finding_stands")),
        "{:?}",
        t.reasons
    );
    let s = eval(&a, &log, "2026-11-09");
    assert_eq!(trigger(&s, "snapback").fired, Some(d(2026, 11, 9)));
    assert_eq!(relief(&s, "us-oil").0, ReliefStatus::WindDown);
}

// ---------------------------------------------------------------- relief earned again

/// Both commitments compliant in quarter `q` (numbered from Q1 2026), known on `when`.
fn compliant_quarter(log: &mut Log, q: i16, when: &str) {
    log.evidence(when, "iaea", "enrichment", quarter(q), qty(3.5, "percent"));
    log.evidence(when, "sat", "enrichment", quarter(q), qty(3.5, "percent"));
    log.evidence(when, "iaea", "stockpile", quarter(q), qty(250.0, "kg_u"));
    log.evidence(when, "sat", "stockpile", quarter(q), qty(251.0, "kg_u"));
}

/// Snapback without countdown, fired on 2026-10-10 on the Q3 breach; then compliance in
/// Q4 2026 (a review that began before the fire), Q1 and Q2 2027.
fn reearn() -> (Agreement, Log) {
    let mut a = agreement();
    a.triggers[0].countdown = None;
    a.triggers[0].reentry = Reentry::ReEarn;
    let mut log = breach_log();
    log.push("2026-10-10", &["usa"], tstep("snapback", invoke()));
    compliant_quarter(&mut log, 4, "2027-01-05");
    compliant_quarter(&mut log, 5, "2027-04-05");
    compliant_quarter(&mut log, 6, "2027-07-05");
    (a, log)
}

#[test]
fn a_reverted_phase_is_earned_again_only_on_reviews_that_begin_after_the_fire() {
    let (a, log) = reearn();
    let s = eval(&a, &log, "2026-10-10");
    let t = trigger(&s, "snapback");
    assert_eq!(t.status, "fired");
    assert_eq!(t.fired, Some(d(2026, 10, 10)));
    assert!(t.reasons[0].detail.contains("may be earned again"));

    // Q4 and Q1 are compliant: two consecutive reviews, but Q4 began before the fire.
    let s = eval(&a, &log, "2027-04-10");
    assert_eq!(commitment(&s, "c1", 4), CommitmentStatus::Compliant);
    assert_eq!(commitment(&s, "c1", 5), CommitmentStatus::Compliant);
    assert_eq!(s.phases[0].status, PhaseStatus::NotReached);
    assert_eq!(s.phases[0].reasons[0].rule, "trigger.reverted");
    let remains = &s.phases[0].remains[0];
    assert!(
        remains
            .detail
            .contains("only reviews that begin on or after 2026-10-10 count"),
        "{remains:?}"
    );
    assert_eq!(remains.earliest, Some(d(2027, 7, 1)));
    assert_eq!(
        relief(&s, "us-oil"),
        (ReliefStatus::Reimposed, Some(d(2027, 1, 8)), None)
    );
    assert_eq!(trigger(&s, "snapback").status, "fired");

    // Q1 and Q2 2027 both began after the fire: phase p1 is reached again when Q2 is known.
    let s = eval(&a, &log, "2027-07-04");
    assert_eq!(s.phases[0].status, PhaseStatus::NotReached);
    let s = eval(&a, &log, "2027-07-05");
    let p1 = &s.phases[0];
    assert_eq!(p1.status, PhaseStatus::Reached);
    assert_eq!(p1.entered, Some(d(2027, 7, 5)));
    assert_eq!(p1.reasons[0].rule, "trigger.reentered");
    assert!(
        p1.reasons[0].detail.contains("review 6"),
        "{}",
        p1.reasons[0].detail
    );
    assert!(p1.remains.is_empty());
    for action in ["us-oil", "eu-oil", "unfreeze"] {
        assert_eq!(
            relief(&s, action),
            (ReliefStatus::InForce, Some(d(2027, 7, 5)), None),
            "{action}"
        );
    }
    let r = &s.relief[0].reasons[0];
    assert_eq!(r.rule, "trigger.reentered");
    assert!(
        r.detail.contains("trigger `snapback`") && r.detail.contains("re-entered on 2027-07-05")
    );
    // Phase p2 (four compliant reviews after the fire) is not earned yet: its relief stays
    // reimposed.
    assert_eq!(s.phases[1].status, PhaseStatus::NotReached);
    assert_eq!(relief(&s, "us-gas").0, ReliefStatus::Scheduled);
    // The trigger is re-armed.
    let t = trigger(&s, "snapback");
    assert_eq!(t.status, "dormant");
    assert_eq!(t.rearmed, Some(d(2027, 7, 5)));
    assert_eq!(t.fired, Some(d(2026, 10, 10)));
    assert!(t.reasons.iter().any(|r| r.rule == "trigger.rearmed"));
    // Exemptions are untouched throughout.
    assert!(s.exemptions.iter().all(|e| e.in_force));

    // The timeline shows the re-entry on its day.
    let changes = timeline(std::slice::from_ref(&a), &log.entries, None, d(2027, 8, 1)).unwrap();
    let on = |subject: &str, to: &str| {
        changes
            .iter()
            .find(|c| c.subject == subject && c.to == to)
            .map(|c| c.date)
    };
    assert_eq!(on("phase p1", "reached on 2027-07-05"), Some(d(2027, 7, 5)));
    assert_eq!(
        changes
            .iter()
            .filter(|c| c.subject == "relief us-oil" && c.to == "granted")
            .map(|c| c.date)
            .next_back(),
        Some(d(2027, 7, 5))
    );
    assert_eq!(
        on("trigger snapback", "dormant (re-armed on 2027-07-05)"),
        Some(d(2027, 7, 5))
    );
}

#[test]
fn a_step_before_re_arming_is_refused_and_a_re_armed_trigger_fires_again() {
    let (a, mut log) = reearn();
    let early = log.push("2027-02-01", &["eu"], tstep("snapback", invoke()));
    // A new breach in Q3 2027, after relief was earned again on 2027-07-05.
    log.evidence(
        "2027-10-05",
        "iaea",
        "enrichment",
        quarter(7),
        qty(4.5, "percent"),
    );
    log.evidence(
        "2027-10-05",
        "sat",
        "enrichment",
        quarter(7),
        qty(4.5, "percent"),
    );
    let second = log.push("2027-10-10", &["eu"], tstep("snapback", invoke()));
    let s = eval(&a, &log, "2027-10-10");
    assert!(
        rejection(&s, early).contains("no step counts until relief is earned again"),
        "{}",
        rejection(&s, early)
    );
    accepted(&s, second);
    let t = trigger(&s, "snapback");
    assert_eq!(t.status, "fired");
    assert_eq!(t.fired, Some(d(2027, 10, 10)));
    assert_eq!(t.rearmed, None);
    assert_eq!(t.invoked_by, vec![id("eu")]);
    // The relief earned again is wound down from the second fire.
    assert_eq!(
        relief(&s, "us-oil"),
        (
            ReliefStatus::WindDown,
            Some(d(2027, 10, 10)),
            Some(d(2028, 1, 8))
        )
    );
    assert_eq!(s.phases[0].status, PhaseStatus::NotReached);
    assert!(s.phases[0].reasons[0].detail.contains(
        "entered on 2027-07-05, then reverted by trigger `snapback` fired on 2027-10-10"
    ));

    let mut ev = Evaluator::new(std::slice::from_ref(&a)).unwrap();
    for e in &log.entries {
        ev.append(e);
    }
    for when in ["2027-04-10", "2027-07-05", "2027-10-10", "2028-02-01"] {
        assert_eq!(ev.state(at(when)).unwrap(), eval(&a, &log, when), "{when}");
    }
}

#[test]
fn by_decision_is_the_default_and_keeps_relief_reverted() {
    let (mut a, log) = reearn();
    a.triggers[0].reentry = Reentry::default();
    assert_eq!(a.triggers[0].reentry, Reentry::ByDecision);
    let s = eval(&a, &log, "2027-07-05");
    assert_eq!(s.phases[0].status, PhaseStatus::NotReached);
    assert_eq!(s.phases[0].reasons[0].rule, "trigger.reverted");
    assert!(
        s.phases[0].remains[0]
            .detail
            .contains("decision or amendment")
    );
    assert_eq!(relief(&s, "us-oil").0, ReliefStatus::Reimposed);
    let t = trigger(&s, "snapback");
    assert_eq!(t.status, "fired");
    assert_eq!(t.rearmed, None);
}

#[test]
fn a_partial_reversal_is_earned_again_by_the_phase_of_its_actions() {
    let (mut a, log) = reearn();
    a.triggers[0].reverts_to = Reversion::Actions {
        actions: vec![id("us-oil")],
    };
    let s = eval(&a, &log, "2027-04-10");
    assert_eq!(relief(&s, "us-oil").0, ReliefStatus::Reimposed);
    assert_eq!(relief(&s, "eu-oil").0, ReliefStatus::InForce);
    assert_eq!(s.phases[0].status, PhaseStatus::Reached);
    let s = eval(&a, &log, "2027-07-05");
    assert_eq!(
        relief(&s, "us-oil"),
        (ReliefStatus::InForce, Some(d(2027, 7, 5)), None)
    );
    assert_eq!(s.relief[0].reasons[0].rule, "trigger.reentered");
    // The rest of the phase was never reverted: in force since its first entry.
    assert_eq!(
        relief(&s, "eu-oil").1,
        relief(&eval(&a, &log, "2026-09-01"), "eu-oil").1
    );
    assert_eq!(trigger(&s, "snapback").rearmed, Some(d(2027, 7, 5)));
}

#[test]
fn a_withdrawn_dispute_resumes_the_countdown_from_the_day_it_closes() {
    let a = agreement();
    let mut log = disputed_countdown();
    log.push(
        "2026-10-25",
        &["target"],
        step("d1", DisputeAction::Withdraw),
    );
    let s = eval(&a, &log, "2026-10-24");
    assert_eq!(trigger(&s, "snapback").remaining, Some(20));
    let s = eval(&a, &log, "2026-10-25");
    let t = trigger(&s, "snapback");
    assert_eq!(t.status, "counting_down");
    // Paused from 2026-10-20 to 2026-10-25: five days later than 2026-11-09.
    assert_eq!(t.until, Some(d(2026, 11, 14)));
    assert!(
        t.reasons
            .iter()
            .any(|r| r.rule == "trigger.resumed" && r.detail.contains("was withdrawn")),
        "{:?}",
        t.reasons
    );
    let s = eval(&a, &log, "2026-11-14");
    assert_eq!(trigger(&s, "snapback").fired, Some(d(2026, 11, 14)));
}

#[test]
fn an_exhausted_dispute_resumes_the_countdown_on_its_last_deadline() {
    let a = agreement();
    let log = disputed_countdown();
    // The joint commission runs out on 2026-11-04, the ministers on 2026-11-19, the advisory
    // board on 2026-12-04: exhausted then, and the finding counts.
    let s = eval(&a, &log, "2026-12-03");
    assert_eq!(trigger(&s, "snapback").status, "paused");
    let s = eval(&a, &log, "2026-12-04");
    assert_eq!(dispute(&s, "d1").status, "exhausted");
    let t = trigger(&s, "snapback");
    assert_eq!(t.status, "counting_down");
    assert_eq!(t.until, Some(d(2026, 12, 24)));
    let changes = timeline(std::slice::from_ref(&a), &log.entries, None, d(2027, 1, 31)).unwrap();
    let on = |to: &str| {
        changes
            .iter()
            .find(|c| c.subject == "trigger snapback" && c.to == to)
            .map(|c| c.date)
    };
    assert_eq!(on("counting_down until 2026-12-24"), Some(d(2026, 12, 4)));
    assert_eq!(on("fired on 2026-12-24"), Some(d(2026, 12, 24)));
}

#[test]
fn a_party_may_escalate_to_an_alternative_stage_and_a_deadline_still_leads_to_next() {
    let mut a = agreement();
    // From the joint commission, a party may go straight to the advisory board instead of
    // the ministers.
    a.disputes.stages[0].alternatives = vec![id("advisory")];
    let mut log = breach_log();
    log.push("2026-10-06", &["target"], step("d1", open_q3()));
    let to_advisory = log.push(
        "2026-10-08",
        &["target"],
        step("d1", DisputeAction::Escalate { to: id("advisory") }),
    );
    // A second dispute left alone at the joint commission.
    let mut open_q2 = open_q3();
    if let DisputeAction::Open { finding, .. } = &mut open_q2 {
        *finding = Finding::Indicator {
            indicator: id("stockpile"),
            period: quarter(3),
        };
    }
    log.push("2026-10-06", &["target"], step("d2", open_q2));

    let s = eval(&a, &log, "2026-10-25");
    accepted(&s, to_advisory);
    let d1 = dispute(&s, "d1");
    assert_eq!(d1.stage.as_ref().unwrap().as_str(), "advisory");
    let runs = stage_runs(d1);
    assert_eq!(
        runs,
        vec![
            (
                "jc",
                false,
                d(2026, 10, 6),
                Some(d(2026, 10, 21)),
                "escalated"
            ),
            (
                "advisory",
                false,
                d(2026, 10, 8),
                Some(d(2026, 11, 7)),
                "running"
            ),
        ]
    );
    // The dispute nobody moved goes to `next` when its deadline passes.
    assert_eq!(
        dispute(&s, "d2").stage.as_ref().unwrap().as_str(),
        "ministers"
    );
}

#[test]
fn escalating_to_a_stage_that_is_neither_next_nor_an_alternative_is_refused() {
    let a = agreement();
    let mut log = breach_log();
    log.push("2026-10-06", &["target"], step("d1", open_q3()));
    let jump = log.push(
        "2026-10-08",
        &["target"],
        step("d1", DisputeAction::Escalate { to: id("advisory") }),
    );
    let s = eval(&a, &log, "2026-10-10");
    assert_eq!(
        rejection(&s, jump),
        "`advisory` is neither the next stage nor an alternative of a running stage of dispute `d1` (running: `jc`)"
    );
    assert_eq!(dispute(&s, "d1").stage.as_ref().unwrap().as_str(), "jc");
}

// ------------------------------------------------- what pauses a countdown, fires in order

/// An overdue escalation (opened by the `escalate` overdue policy, no party's) freezes
/// nothing: the countdown runs on through it.
#[test]
fn an_overdue_escalation_freezes_nothing_and_does_not_pause_a_countdown() {
    let mut a = agreement();
    let mut seals = indicator(
        "seals",
        "c1",
        accord_core::agreement::IndicatorTarget::Flag { expected: true },
        verification(&["iaea"], 1, Tolerance::Exact),
    );
    seals.overdue = OverduePolicy::Escalate { stage: id("jc") };
    a.indicators.push(seals);
    let mut log = breach_log();
    // Seals reported for Q1 and Q2 on time; the Q3 report never comes (grace ends 10-30).
    log.evidence("2026-04-10", "iaea", "seals", quarter(1), flag(true));
    log.evidence("2026-07-05", "iaea", "seals", quarter(2), flag(true));
    log.push("2026-10-10", &["usa"], tstep("snapback", invoke()));
    let s = eval(&a, &log, "2026-10-30");
    assert_eq!(trigger(&s, "snapback").status, "counting_down");
    assert_eq!(trigger(&s, "snapback").until, Some(d(2026, 11, 9)));
    let s = eval(&a, &log, "2026-10-31");
    let escalation = dispute(&s, "overdue-seals-2026-07-01");
    assert!(escalation.opened_by.is_empty());
    assert_eq!(escalation.status, "open");
    let t = trigger(&s, "snapback");
    assert_eq!(t.status, "counting_down", "{:?}", t.reasons);
    assert_eq!(t.until, Some(d(2026, 11, 9)));
    assert!(t.reasons.iter().all(|r| r.rule != "trigger.paused"));
    let s = eval(&a, &log, "2026-11-09");
    assert_eq!(trigger(&s, "snapback").status, "fired");
    assert_eq!(trigger(&s, "snapback").fired, Some(d(2026, 11, 9)));
}

/// The invocation rests on the Q3 breach (review 3): a dispute over the compliant Q1
/// finding of the same commitment does not pause its countdown; one over Q3 does.
#[test]
fn only_a_dispute_over_a_finding_the_invocation_rests_on_pauses_its_countdown() {
    let a = agreement();
    let mut log = breach_log();
    log.push("2026-10-10", &["usa"], tstep("snapback", invoke()));
    log.push(
        "2026-10-20",
        &["target"],
        step(
            "d-q1",
            DisputeAction::Open {
                finding: Finding::Indicator {
                    indicator: id("enrichment"),
                    period: quarter(1),
                },
                stage: id("jc"),
                reason: "we dispute the first quarter".into(),
            },
        ),
    );
    let s = eval(&a, &log, "2026-10-21");
    assert_eq!(dispute(&s, "d-q1").effect, "frozen");
    let t = trigger(&s, "snapback");
    assert_eq!(t.status, "counting_down", "{:?}", t.reasons);
    assert_eq!(t.until, Some(d(2026, 11, 9)));
    let s = eval(&a, &log, "2026-11-09");
    assert_eq!(trigger(&s, "snapback").status, "fired");
    assert_eq!(trigger(&s, "snapback").fired, Some(d(2026, 11, 9)));

    // The same dispute over the Q3 finding it rests on pauses it, and says so.
    let mut log = breach_log();
    log.push("2026-10-10", &["usa"], tstep("snapback", invoke()));
    log.push("2026-10-20", &["target"], step("d-q3", open_q3()));
    let s = eval(&a, &log, "2026-11-09");
    let t = trigger(&s, "snapback");
    assert_eq!(t.status, "paused");
    assert_eq!(
        (t.paused_since, t.remaining),
        (Some(d(2026, 10, 20)), Some(20))
    );
    assert!(
        t.reasons[0].detail.contains("dispute `d-q3` (over `c1`)"),
        "{:?}",
        t.reasons
    );
}

/// Two triggers revert the same relief: `snapback` (re_earn) fired on 2026-10-10 and its
/// phase was earned again on 2027-07-05; `second` (by_decision) fires on 2027-10-10 on a
/// new breach. The later fire reverts what was earned again, whichever trigger the
/// agreement lists first.
#[test]
fn a_later_fire_of_another_trigger_reverts_relief_earned_again_whatever_the_order() {
    for second_first in [false, true] {
        let (mut a, mut log) = reearn();
        let mut t2 = a.triggers[0].clone();
        t2.id = id("second");
        t2.reentry = Reentry::ByDecision;
        if second_first {
            a.triggers.insert(0, t2);
        } else {
            a.triggers.push(t2);
        }
        for who in ["iaea", "sat"] {
            log.evidence(
                "2027-10-05",
                who,
                "enrichment",
                quarter(7),
                qty(4.5, "percent"),
            );
            log.evidence(
                "2027-10-05",
                who,
                "stockpile",
                quarter(7),
                qty(250.0, "kg_u"),
            );
        }
        log.push("2027-10-10", &["usa"], tstep("second", invoke()));
        let s = eval(&a, &log, "2027-10-09");
        assert_eq!(s.phases[0].status, PhaseStatus::Reached);
        assert_eq!(
            relief(&s, "us-oil"),
            (ReliefStatus::InForce, Some(d(2027, 7, 5)), None)
        );
        let s = eval(&a, &log, "2027-10-11");
        assert_eq!(trigger(&s, "snapback").rearmed, Some(d(2027, 7, 5)));
        assert_eq!(trigger(&s, "second").fired, Some(d(2027, 10, 10)));
        let p1 = &s.phases[0];
        assert_eq!(p1.status, PhaseStatus::NotReached, "{second_first}: {p1:?}");
        assert_eq!(
            p1.reasons[0].detail,
            "entered on 2027-07-05, then reverted by trigger `second` fired on 2027-10-10"
        );
        assert_eq!(
            relief(&s, "us-oil"),
            (
                ReliefStatus::WindDown,
                Some(d(2027, 10, 10)),
                Some(d(2028, 1, 8))
            ),
            "{second_first}: {:?}",
            s.relief[0].reasons
        );
        assert!(s.relief[0].reasons[0].detail.contains("trigger `second`"));
    }
}

/// Another trigger fired between a fire and its re-entry: the re-entry undoes only the
/// fire it follows, so the later fire stands and relief stays reverted.
#[test]
fn a_re_entry_does_not_undo_another_trigger_fired_before_it() {
    let (mut a, mut log) = reearn();
    let mut t2 = a.triggers[0].clone();
    t2.id = id("second");
    t2.reentry = Reentry::ByDecision;
    a.triggers.push(t2);
    // Q3's breach still holds on 2026-12-01 (Q4 has not concluded).
    log.push("2026-12-01", &["usa"], tstep("second", invoke()));
    let s = eval(&a, &log, "2027-07-06");
    assert_eq!(trigger(&s, "second").fired, Some(d(2026, 12, 1)));
    assert_eq!(
        s.phases[0].status,
        PhaseStatus::NotReached,
        "{:?}",
        s.phases[0]
    );
    assert_eq!(
        s.phases[0].remains[0].condition,
        "re-entry after trigger `second`"
    );
    // Wound down from the first fire, reimposed after it; the second found it not in force.
    assert_eq!(
        relief(&s, "us-oil"),
        (ReliefStatus::Reimposed, Some(d(2027, 1, 8)), None)
    );
    let reasons = &s.relief[0].reasons;
    assert!(
        reasons[0]
            .detail
            .contains("trigger `snapback` fired on 2026-10-10")
    );
    assert!(reasons.iter().any(|r| r.detail
        == "reverted by trigger `second` fired on 2026-12-01; it was not in force then"));
}

fn lift_us_oil(a: &mut Agreement, on: accord_core::time::Date) {
    for action in &mut a.phases[0].actions {
        if action.id.as_str() == "us-oil" {
            action.lifted = Some(DateRule::On(on));
        }
    }
}

/// Relief earned again is lifted when its lift date comes; when the lift date fell while
/// it was reverted, from the re-entry day.
#[test]
fn relief_earned_again_is_lifted_when_its_lift_date_comes() {
    let (mut a, log) = reearn();
    lift_us_oil(&mut a, d(2027, 9, 1));
    let s = eval(&a, &log, "2027-08-01");
    assert_eq!(
        relief(&s, "us-oil"),
        (ReliefStatus::InForce, Some(d(2027, 7, 5)), None)
    );
    let s = eval(&a, &log, "2027-09-02");
    assert_eq!(
        relief(&s, "us-oil"),
        (ReliefStatus::Lifted, Some(d(2027, 9, 1)), None),
        "{:?}",
        s.relief[0].reasons
    );
    assert_eq!(
        s.relief[0].reasons[0].detail,
        "lifted for good on 2027-09-01, after it was earned again: it no longer expires and no trigger reverts it"
    );

    // Lift date during the wind-down: reverted until the re-entry, lifted from then on.
    let (mut a, log) = reearn();
    lift_us_oil(&mut a, d(2026, 12, 1));
    let s = eval(&a, &log, "2026-12-02");
    assert_eq!(relief(&s, "us-oil").0, ReliefStatus::WindDown);
    let s = eval(&a, &log, "2027-07-05");
    assert_eq!(
        relief(&s, "us-oil"),
        (ReliefStatus::Lifted, Some(d(2027, 7, 5)), None)
    );
    assert_eq!(
        s.relief[0].reasons[0].detail,
        "lifted for good on 2027-07-05, the day it was earned again (its lift date, 2026-12-01, came while it was reverted): it no longer expires and no trigger reverts it"
    );
}

/// Decisions apply in effective-date order with the fire and the re-entry: a grant and a
/// revoke between the fire (2026-10-10) and the re-entry (2027-07-05) are overtaken by the
/// re-entry (re_earn); a revoke after the re-entry applies.
#[test]
fn decisions_between_a_fire_and_its_re_entry_apply_in_date_order() {
    let (a, mut log) = reearn();
    let decide = |act, eff| {
        Statement::Decision(Decision {
            act,
            relief: ReliefRef::Action(id("us-oil")),
            effective: eff,
            reason: "by the authority".into(),
            until: None,
            wind_down: None,
            by: None,
            entities: Vec::new(),
        })
    };
    log.push(
        "2027-03-01",
        &["usa"],
        decide(DecisionAct::Grant, d(2027, 3, 1).into()),
    );
    log.push(
        "2027-06-01",
        &["usa"],
        decide(DecisionAct::Revoke, d(2027, 6, 1).into()),
    );
    let s = eval(&a, &log, "2027-04-01");
    assert_eq!(
        relief(&s, "us-oil"),
        (ReliefStatus::InForce, Some(d(2027, 3, 1)), None)
    );
    let s = eval(&a, &log, "2027-06-15");
    assert_eq!(
        relief(&s, "us-oil"),
        (ReliefStatus::Reimposed, Some(d(2027, 6, 1)), None)
    );
    let s = eval(&a, &log, "2027-07-06");
    assert_eq!(
        relief(&s, "us-oil"),
        (ReliefStatus::InForce, Some(d(2027, 7, 5)), None),
        "{:?}",
        s.relief[0].reasons
    );
    assert_eq!(s.relief[0].reasons[0].rule, "trigger.reentered");
    log.push(
        "2027-08-01",
        &["usa"],
        decide(DecisionAct::Revoke, d(2027, 8, 1).into()),
    );
    let s = eval(&a, &log, "2027-08-02");
    assert_eq!(
        relief(&s, "us-oil"),
        (ReliefStatus::Reimposed, Some(d(2027, 8, 1)), None)
    );
}

/// Under `not`, the reviews counted for re-entry start after the fire: a negated status
/// held at the first review after it breaks the `not` there (it does not vanish with the
/// reviews before the fire).
#[test]
fn under_a_not_the_negated_status_at_the_first_review_after_the_fire_blocks_re_entry() {
    let (mut a, _) = reearn();
    a.phases[0].entry = Condition::Not {
        not: Box::new(status(&["c1"], CommitmentStatus::Noncompliant, 2)),
    };
    let mut log = breach_log();
    log.push("2026-10-10", &["usa"], tstep("snapback", invoke()));
    compliant_quarter(&mut log, 4, "2027-01-05");
    // Q1 2027 (review 5, the first that began after the fire) is a breach again.
    for who in ["iaea", "sat"] {
        log.evidence(
            "2027-04-05",
            who,
            "enrichment",
            quarter(5),
            qty(4.5, "percent"),
        );
        log.evidence(
            "2027-04-05",
            who,
            "stockpile",
            quarter(5),
            qty(250.0, "kg_u"),
        );
    }
    compliant_quarter(&mut log, 6, "2027-07-05");
    let s = eval(&a, &log, "2027-04-10");
    assert_eq!(commitment(&s, "c1", 5), CommitmentStatus::Noncompliant);
    assert_eq!(
        s.phases[0].status,
        PhaseStatus::NotReached,
        "{:?}",
        s.phases[0]
    );
    // At review 6 the two reviews since the fire are not both breaches.
    let s = eval(&a, &log, "2027-07-05");
    assert_eq!(
        s.phases[0].status,
        PhaseStatus::Reached,
        "{:?}",
        s.phases[0]
    );
    assert_eq!(s.phases[0].entered, Some(d(2027, 7, 1)));
    assert!(s.phases[0].reasons[0].detail.contains("met at review 6"));
}

#[test]
fn an_agreement_may_give_the_outcome_to_a_joint_body_signing_together() {
    let mut a = agreement();
    a.disputes.resolved_by = vec![id("eu"), id("target")];
    let mut log = breach_log();
    log.push("2026-10-06", &["target"], step("d1", open_q3()));
    let resolve = || DisputeAction::Resolve {
        outcome: DisputeOutcome::Upheld,
        note: "the samples were clean".into(),
    };
    let authority_alone = log.push("2026-10-08", &["usa"], step("d1", resolve()));
    let one_member = log.push("2026-10-09", &["eu"], step("d1", resolve()));
    let together = log.push("2026-10-10", &["eu", "target"], step("d1", resolve()));

    let s = eval(&a, &log, "2026-10-12");
    assert_eq!(
        rejection(&s, authority_alone),
        "the outcome of dispute `d1` is recorded by `eu`, `target` together, in one entry signed by each (`usa` is not one of them); other parties record a position on it"
    );
    assert!(
        rejection(&s, one_member)
            .ends_with("(missing: `target`); other parties record a position on it"),
        "{}",
        rejection(&s, one_member)
    );
    accepted(&s, together);
    let d1 = dispute(&s, "d1");
    assert_eq!(d1.status, "resolved");
    assert_eq!(d1.closed, Some(d(2026, 10, 10)));
}

/// Invoked at 22:30 in Tehran on 10 October (19:00 UTC): the 30-day countdown runs from
/// Tehran's day and fires at the start of 9 November there (20:30 UTC on the 8th); in UTC
/// days the same log counts from the 10th too and fires at midnight UTC on the 9th.
#[test]
fn a_countdown_ends_at_the_end_of_its_last_day_in_the_agreements_zone() {
    let mut log = breach_log();
    log.push(
        "2026-10-10T19:00:00Z",
        &["usa"],
        tstep("snapback", invoke()),
    );
    let mut tehran = agreement();
    tehran.zone = Some("Asia/Tehran".into());
    for (a, last, first) in [
        (&tehran, "2026-11-08T20:29:59Z", "2026-11-08T20:30:00Z"),
        (&agreement(), "2026-11-08T23:59:59Z", "2026-11-09T00:00:00Z"),
    ] {
        let s = eval(a, &log, last);
        let t = trigger(&s, "snapback");
        assert_eq!(
            (t.status.as_str(), t.until),
            ("counting_down", Some(d(2026, 11, 9))),
            "{last}"
        );
        let s = eval(a, &log, first);
        assert_eq!(trigger(&s, "snapback").status, "fired", "{first}");
    }
    // 01:00 in Tehran on the 11th is still the 10th in UTC: the zone decides the day.
    let mut log = breach_log();
    log.push(
        "2026-10-10T21:30:00Z",
        &["usa"],
        tstep("snapback", invoke()),
    );
    let s = eval(&tehran, &log, "2026-10-20T00:00:00Z");
    assert_eq!(trigger(&s, "snapback").invoked, Some(d(2026, 10, 11)));
    let s = eval(&agreement(), &log, "2026-10-20T00:00:00Z");
    assert_eq!(trigger(&s, "snapback").invoked, Some(d(2026, 10, 10)));
}

/// The Q2 enrichment finding disputed on 2026-07-20 (the dispute runs out its stages
/// unresolved: exhausted by October); the Q3 breach is known on 2026-10-05; snapback needs
/// a breach and an exhausted dispute.
fn exhausted_then_invoked() -> (Agreement, Log, LogIndex) {
    let mut a = agreement();
    let t = a
        .triggers
        .iter_mut()
        .find(|t| t.id.as_str() == "snapback")
        .unwrap();
    t.when = accord_core::rule::Condition::And {
        all: vec![
            t.when.clone(),
            accord_core::rule::Condition::Dispute {
                commitment: id("c1"),
                state: accord_core::rule::DisputeState::Exhausted,
            },
        ],
    };
    let mut log = breach_log();
    let open_q2 = DisputeAction::Open {
        finding: Finding::Indicator {
            indicator: id("enrichment"),
            period: quarter(2),
        },
        stage: id("jc"),
        reason: "the samples were mislabelled".into(),
    };
    log.push("2026-07-20", &["target"], step("d0", open_q2));
    let invoked = log.push("2026-10-10", &["usa"], tstep("snapback", invoke()));
    (a, log, invoked)
}

#[test]
fn a_dispute_opened_after_the_invocation_on_its_day_pauses_the_countdown_and_does_not_undo_it() {
    let (a, mut log, invoked) = exhausted_then_invoked();
    let s = eval(&a, &log, "2026-10-10");
    accepted(&s, invoked);
    assert_eq!(trigger(&s, "snapback").status, "counting_down");
    // Later the same day, in the log after the invocation: a dispute over the Q3 finding
    // it rests on. It freezes the finding and opens a dispute over `c1`, but the
    // invocation was made before: judged on the finding and the disputes as they stood
    // then, it stands, and its countdown pauses.
    log.push("2026-10-10", &["target"], step("d1", open_q3()));
    for when in ["2026-10-10", "2026-10-11"] {
        let s = eval(&a, &log, when);
        accepted(&s, invoked);
        let t = trigger(&s, "snapback");
        assert_eq!(t.status, "paused", "{when}");
        assert_eq!(t.invoked, Some(d(2026, 10, 10)), "{when}");
        assert_eq!(t.remaining, Some(30), "{when}");
    }
    // Once the dispute has run out its stages the countdown resumes: the invocation still
    // counts, and it fires later than the 30 days it would have taken.
    let s = eval(&a, &log, "2027-06-30");
    accepted(&s, invoked);
    let t = trigger(&s, "snapback");
    assert_eq!(t.invoked, Some(d(2026, 10, 10)));
    assert!(t.fired.is_some_and(|f| f > d(2026, 11, 9)), "{t:?}");
}

#[test]
fn an_invocation_made_after_a_dispute_opened_on_its_day_is_judged_with_that_dispute() {
    let (a, mut log, _) = exhausted_then_invoked();
    // The same steps the other way round: the dispute comes first in the log, so the
    // finding is frozen and the dispute over `c1` open when the invocation is made.
    let last = log.entries.pop().unwrap();
    log.push("2026-10-10", &["target"], step("d1", open_q3()));
    let invoked = log.push("2026-10-10", &["usa"], last.statement);
    let s = eval(&a, &log, "2026-10-11");
    let refused = s.rejected.iter().find(|r| r.entry == invoked);
    assert!(
        refused.is_some_and(|r| r.reason.contains("does not hold on that date")),
        "{:?}",
        s.rejected
    );
}

/// A dispute stage's deadline is a day of the agreement's zone: the joint commission's 15
/// days from 20 October run out on 4 November, from the start of that day there — 15:00
/// UTC on the 3rd in Tokyo (nine hours ahead), midnight UTC without a zone — and the
/// ministers' stage begins then.
#[test]
fn a_dispute_stage_runs_out_at_the_start_of_its_deadline_day_in_the_agreements_zone() {
    let mut log = breach_log();
    log.push("2026-10-20", &["target"], step("d1", open_q3()));
    let utc = agreement();
    let mut tokyo = agreement();
    tokyo.zone = Some("Asia/Tokyo".to_owned());
    let stage = |a: &Agreement, when: &str| {
        let s = eval(a, &log, when);
        let d1 = dispute(&s, "d1");
        assert_eq!(d1.opened, Some(d(2026, 10, 20)), "{when}");
        assert_eq!(d1.stages[0].deadline, Some(d(2026, 11, 4)), "{when}");
        d1.stage
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default()
    };
    for (a, when, expected) in [
        (&tokyo, "2026-11-03T14:59:59Z", "jc"),
        (&tokyo, "2026-11-03T15:00:00Z", "ministers"),
        (&tokyo, "2026-11-03T15:00:01Z", "ministers"),
        (&utc, "2026-11-03T15:00:00Z", "jc"),
        (&utc, "2026-11-03T23:59:59Z", "jc"),
        (&utc, "2026-11-04T00:00:00Z", "ministers"),
    ] {
        assert_eq!(stage(a, when), expected, "{:?} {when}", a.zone);
    }
    let s = eval(&tokyo, &log, "2026-11-03T15:00:00Z");
    let d1 = dispute(&s, "d1");
    assert_eq!(d1.stages[0].ended, Some(d(2026, 11, 4)));
    assert_eq!(d1.stages[1].began, d(2026, 11, 4));
}
