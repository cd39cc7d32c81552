//! Disputes the engine opens itself (`escalate` overdue policies) and disputes over
//! authorities' decisions, with exact dates.

use accord_core::agreement::{Agreement, OverduePolicy, Reversion, Trigger};
use accord_core::engine::state::{
    DecisionState, DisputeState, IndicatorStatus, ReliefStatus, ReportingPeriodState, State,
};
use accord_core::engine::{evaluate, timeline};
use accord_core::rule::{Condition, DisputeState as RuleDispute};
use accord_core::statement::*;

use super::builder::*;

const OVERDUE_Q1: &str = "overdue-stockpile-2026-01-01";

fn eval(a: &Agreement, log: &Log, when: &str) -> State {
    evaluate(std::slice::from_ref(a), &log.entries, at(when)).unwrap()
}

fn dispute<'s>(s: &'s State, d: &str) -> &'s DisputeState {
    s.disputes
        .iter()
        .find(|x| x.id.as_str() == d)
        .unwrap_or_else(|| panic!("no dispute {d}: {:?}", s.disputes))
}

fn period<'s>(s: &'s State, indicator: &str, q: i16) -> &'s ReportingPeriodState {
    s.indicators
        .iter()
        .find(|i| i.id.as_str() == indicator)
        .and_then(|i| i.periods.iter().find(|p| p.period == quarter(q)))
        .unwrap()
}

fn trigger_status(s: &State, t: &str) -> String {
    s.triggers
        .iter()
        .find(|x| x.id.as_str() == t)
        .unwrap()
        .status
        .to_string()
}

fn relief(s: &State, a: &str) -> (ReliefStatus, Option<accord_core::time::Date>) {
    let x = s.relief.iter().find(|x| x.id.as_str() == a).unwrap();
    (x.status, x.since)
}

fn decision(s: &State, index: LogIndex) -> &DecisionState {
    s.decisions.iter().find(|d| d.entry == index).unwrap()
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

fn step(dispute: &str, step: DisputeAction) -> Statement {
    Statement::DisputeStep(DisputeStep {
        dispute: id(dispute),
        step,
    })
}

/// The nuclear agreement with the three-stage dispute process (joint commission 15 days,
/// then ministers 15 days beside an advisory board 30 days), the stockpile indicator under
/// `escalate = joint-commission` (quarterly, 30 days' grace), and two triggers that only
/// read the dispute state over its commitment `c2`.
fn agreement() -> Agreement {
    let mut a = with_disputes(nuclear());
    for i in &mut a.indicators {
        i.cure = None;
        if i.id.as_str() == "stockpile" {
            i.overdue = OverduePolicy::Escalate {
                stage: id("joint-commission"),
            };
        }
    }
    let watch = |name: &str, state: RuleDispute| Trigger {
        id: id(name),
        title: name.into(),
        when: Condition::Dispute {
            commitment: id("c2"),
            state,
        },
        standing: vec![id("usa")],
        automatic: false,
        countdown: None,
        halted_by: vec![],
        reverts_to: Reversion::PreAgreement,
        wind_down: dur("P30D"),
        non_retroactive: true,
        reentry: accord_core::agreement::Reentry::ByDecision,
        milestones: vec![],
    };
    a.triggers = vec![
        watch("while-open", RuleDispute::Open),
        watch("once-exhausted", RuleDispute::Exhausted),
    ];
    a
}

/// First-quarter enrichment reports on time; the stockpile reports as given.
fn log_with_stockpile(when: &[&str]) -> Log {
    let mut log = Log::default();
    log.evidence(
        "2026-04-10",
        "iaea",
        "enrichment",
        quarter(1),
        qty(3.5, "percent"),
    );
    for w in when {
        log.evidence(w, "iaea", "stockpile", quarter(1), qty(250.0, "kg_u"));
        log.evidence(w, "sat", "stockpile", quarter(1), qty(252.0, "kg_u"));
    }
    log
}

#[test]
fn an_overdue_report_opens_a_dispute_the_day_after_its_grace_at_the_policys_stage() {
    let a = agreement();
    let log = log_with_stockpile(&[]);

    // The grace of the first quarter ends on 2026-04-30: nothing is opened yet.
    let s = eval(&a, &log, "2026-04-30T23:00:00Z");
    assert!(s.disputes.is_empty(), "{:?}", s.disputes);
    assert_eq!(period(&s, "stockpile", 1).status, IndicatorStatus::Missing);
    assert_eq!(trigger_status(&s, "while-open"), "dormant");

    let s = eval(&a, &log, "2026-05-01T00:00:01Z");
    let d = dispute(&s, OVERDUE_Q1);
    assert_eq!(d.status, "open");
    assert_eq!(d.opened, Some(d_(2026, 5, 1)));
    assert!(d.opened_by.is_empty());
    assert_eq!(
        d.finding,
        Some(Finding::Indicator {
            indicator: id("stockpile"),
            period: quarter(1),
        })
    );
    assert_eq!(d.stage.as_ref().unwrap().as_str(), "joint-commission");
    assert_eq!(d.stages.len(), 1);
    assert_eq!(d.stages[0].began, d_(2026, 5, 1));
    assert_eq!(d.stages[0].deadline, Some(d_(2026, 5, 16)));
    assert_eq!(d.effect, "finding_stands");
    let opened = d
        .reasons
        .iter()
        .find(|r| r.rule == "dispute.opened")
        .unwrap();
    assert!(
        opened.detail.contains("by the agreement's overdue policy")
            && opened.detail.contains("by 2026-04-30"),
        "{}",
        opened.detail
    );
    // Nothing is frozen: the period is overdue and counts as such.
    let p = period(&s, "stockpile", 1);
    assert_eq!(p.status, IndicatorStatus::Overdue);
    assert!(!p.frozen);
    let overdue = p
        .reasons
        .iter()
        .find(|r| r.rule == "indicator.overdue")
        .unwrap();
    assert!(
        overdue
            .detail
            .contains("dispute `overdue-stockpile-2026-01-01` opened on 2026-05-01")
            && overdue.detail.contains("open at stage `joint-commission`"),
        "{}",
        overdue.detail
    );
    // `dispute(c2) open` sees it.
    assert_eq!(trigger_status(&s, "while-open"), "available");
    assert_eq!(trigger_status(&s, "once-exhausted"), "dormant");
}

#[test]
fn an_overdue_escalation_runs_out_to_the_next_stage_and_is_exhausted() {
    let a = agreement();
    let log = log_with_stockpile(&[]);

    let s = eval(&a, &log, "2026-05-15");
    assert_eq!(
        dispute(&s, OVERDUE_Q1).stage.as_ref().unwrap().as_str(),
        "joint-commission"
    );

    let s = eval(&a, &log, "2026-05-16");
    let d = dispute(&s, OVERDUE_Q1);
    assert_eq!(d.status, "open");
    assert_eq!(d.stage.as_ref().unwrap().as_str(), "ministers");
    assert_eq!(d.stages[0].status, "ran_out");
    assert_eq!(d.stages[0].ended, Some(d_(2026, 5, 16)));
    let stages: Vec<(&str, bool, Option<jiff::civil::Date>)> = d
        .stages
        .iter()
        .map(|r| (r.stage.as_str(), r.parallel, r.deadline))
        .collect();
    assert_eq!(
        stages,
        vec![
            ("joint-commission", false, Some(d_(2026, 5, 16))),
            ("ministers", false, Some(d_(2026, 5, 31))),
            ("advisory", true, Some(d_(2026, 6, 15))),
        ]
    );

    // The ministers run out on 2026-05-31, the advisory board on 2026-06-15.
    let s = eval(&a, &log, "2026-06-14");
    assert_eq!(dispute(&s, OVERDUE_Q1).status, "open");
    assert_eq!(trigger_status(&s, "once-exhausted"), "dormant");
    let s = eval(&a, &log, "2026-06-15");
    let d = dispute(&s, OVERDUE_Q1);
    assert_eq!(d.status, "exhausted");
    assert_eq!(d.closed, Some(d_(2026, 6, 15)));
    assert_eq!(d.effect, "counts");
    assert_eq!(trigger_status(&s, "once-exhausted"), "available");
    assert_eq!(trigger_status(&s, "while-open"), "dormant");
}

#[test]
fn the_missing_report_closes_the_escalation_on_the_day_it_is_recorded() {
    let a = agreement();
    let log = log_with_stockpile(&["2026-05-20"]);

    let s = eval(&a, &log, "2026-05-19");
    assert_eq!(dispute(&s, OVERDUE_Q1).status, "open");
    assert_eq!(period(&s, "stockpile", 1).status, IndicatorStatus::Overdue);

    let s = eval(&a, &log, "2026-05-20");
    let d = dispute(&s, OVERDUE_Q1);
    assert_eq!(d.status, "resolved");
    assert_eq!(d.outcome, None);
    assert_eq!(d.closed, Some(d_(2026, 5, 20)));
    assert_eq!(d.reasons[0].rule, "dispute.report_received");
    assert_eq!(d.reasons[0].entries, vec![LogIndex(1)]);
    assert_eq!(d.effect, "counts");
    assert!(
        d.stages
            .iter()
            .all(|r| r.status != "running" && r.ended.is_some())
    );
    assert_eq!(d.stages[1].status, "closed");
    assert_eq!(d.stages[1].ended, Some(d_(2026, 5, 20)));
    // The report counts, marked late; the period says how the escalation went.
    let p = period(&s, "stockpile", 1);
    assert_eq!(p.status, IndicatorStatus::Compliant);
    assert!(p.late);
    assert_eq!(p.reasons[0].rule, "indicator.quorum");
    assert!(
        p.reasons
            .iter()
            .any(|r| r.rule == "dispute.finding" && r.detail.contains(OVERDUE_Q1))
    );
    // A dispute closed by its report is no dispute for conditions.
    assert_eq!(trigger_status(&s, "while-open"), "dormant");

    // After exhaustion, the report still closes it.
    let late = log_with_stockpile(&["2026-06-20"]);
    let s = eval(&a, &late, "2026-06-19");
    assert_eq!(dispute(&s, OVERDUE_Q1).status, "exhausted");
    let s = eval(&a, &late, "2026-06-20");
    let d = dispute(&s, OVERDUE_Q1);
    assert_eq!(
        (d.status.as_str(), d.closed),
        ("resolved", Some(d_(2026, 6, 20)))
    );
    assert_eq!(trigger_status(&s, "once-exhausted"), "dormant");
}

#[test]
fn a_report_by_the_end_of_grace_opens_nothing_and_one_the_day_after_closes_it_that_day() {
    let a = agreement();
    let on_time = log_with_stockpile(&["2026-04-30T23:59:00Z"]);
    let s = eval(&a, &on_time, "2026-07-15");
    assert!(s.disputes.is_empty(), "{:?}", s.disputes);

    let next_morning = log_with_stockpile(&["2026-05-01T09:00:00Z"]);
    let s = eval(&a, &next_morning, "2026-05-01T08:00:00Z");
    assert_eq!(dispute(&s, OVERDUE_Q1).status, "open");
    let s = eval(&a, &next_morning, "2026-05-01T10:00:00Z");
    let d = dispute(&s, OVERDUE_Q1);
    assert_eq!(d.opened, Some(d_(2026, 5, 1)));
    assert_eq!(
        (d.status.as_str(), d.closed),
        ("resolved", Some(d_(2026, 5, 1)))
    );

    // The second quarter, reported in time, opens nothing; its own overdue period would
    // be named after its start.
    let s = eval(&a, &next_morning, "2026-08-01");
    assert_eq!(
        s.disputes.iter().map(|d| d.id.as_str()).collect::<Vec<_>>(),
        vec![OVERDUE_Q1, "overdue-stockpile-2026-04-01"]
    );
    assert_eq!(
        dispute(&s, "overdue-stockpile-2026-04-01").opened,
        Some(d_(2026, 7, 31))
    );
}

#[test]
fn parties_take_steps_on_an_overdue_escalation_by_its_name() {
    let a = agreement();
    let mut log = log_with_stockpile(&["2026-05-20"]);
    let early = log.push(
        "2026-04-20",
        &["eu"],
        step(
            OVERDUE_Q1,
            DisputeAction::Escalate {
                to: id("ministers"),
            },
        ),
    );
    let same_name = log.push(
        "2026-05-02",
        &["target"],
        step(
            OVERDUE_Q1,
            DisputeAction::Open {
                finding: Finding::Indicator {
                    indicator: id("stockpile"),
                    period: quarter(1),
                },
                stage: id("joint-commission"),
                reason: "we reported by email".into(),
            },
        ),
    );
    let escalated = log.push(
        "2026-05-05",
        &["usa"],
        step(
            OVERDUE_Q1,
            DisputeAction::Escalate {
                to: id("ministers"),
            },
        ),
    );
    let withdraw = log.push(
        "2026-05-06",
        &["target"],
        step(OVERDUE_Q1, DisputeAction::Withdraw),
    );
    let mut extend = Vec::new();
    for who in ["usa", "eu", "target"] {
        extend.push(log.push(
            "2026-05-07",
            &[who],
            step(
                OVERDUE_Q1,
                DisputeAction::Extend {
                    stage: id("ministers"),
                    until: Some(d_(2026, 6, 1)),
                },
            ),
        ));
    }
    let resolved = log.push(
        "2026-05-10",
        &["usa"],
        step(
            OVERDUE_Q1,
            DisputeAction::Resolve {
                outcome: DisputeOutcome::Upheld,
                note: "no report was made".into(),
            },
        ),
    );
    let position = log.push(
        "2026-05-11",
        &["target"],
        step(
            OVERDUE_Q1,
            DisputeAction::Position {
                accepts: false,
                view: "the inspectors were not admitted".into(),
            },
        ),
    );

    let s = eval(&a, &log, "2026-05-06");
    let d = dispute(&s, OVERDUE_Q1);
    assert_eq!(d.stage.as_ref().unwrap().as_str(), "ministers");
    assert_eq!(d.stages[0].status, "escalated");
    assert_eq!(d.stages[1].began, d_(2026, 5, 5));
    assert_eq!(d.stages[1].deadline, Some(d_(2026, 5, 20)));
    assert!(
        rejection(&s, early).contains("the agreement's overdue policy opens it only once"),
        "{}",
        rejection(&s, early)
    );
    assert!(
        rejection(&s, same_name).contains("a party cannot open a dispute under it"),
        "{}",
        rejection(&s, same_name)
    );
    assert!(
        rejection(&s, withdraw)
            .contains("opened by the agreement's overdue policy, not by a party"),
        "{}",
        rejection(&s, withdraw)
    );
    accepted(&s, escalated);

    let s = eval(&a, &log, "2026-05-08");
    assert_eq!(
        dispute(&s, OVERDUE_Q1).stages[1].deadline,
        Some(d_(2026, 6, 1))
    );
    for e in &extend {
        accepted(&s, *e);
    }

    // Resolved by an authority before the report came: the report does not reopen or
    // re-close it.
    let s = eval(&a, &log, "2026-05-25");
    let d = dispute(&s, OVERDUE_Q1);
    assert_eq!(d.status, "resolved");
    assert_eq!(d.outcome, Some(DisputeOutcome::Upheld));
    assert_eq!(d.closed, Some(d_(2026, 5, 10)));
    assert!(
        d.reasons
            .iter()
            .all(|r| r.rule != "dispute.report_received")
    );
    assert_eq!(d.positions.len(), 1);
    assert!(!d.positions[0].accepts);
    assert_eq!(
        d.steps,
        vec![
            escalated, extend[0], extend[1], extend[2], resolved, position
        ]
    );
    accepted(&s, resolved);
    accepted(&s, position);
}

#[test]
fn a_step_after_the_report_closed_it_is_rejected_with_the_day() {
    let a = agreement();
    let mut log = log_with_stockpile(&["2026-05-20"]);
    let late = log.push(
        "2026-05-21",
        &["eu"],
        step(
            OVERDUE_Q1,
            DisputeAction::Escalate {
                to: id("ministers"),
            },
        ),
    );
    let position = log.push(
        "2026-05-22",
        &["target"],
        step(
            OVERDUE_Q1,
            DisputeAction::Position {
                accepts: true,
                view: "fine".into(),
            },
        ),
    );
    let s = eval(&a, &log, "2026-05-25");
    assert!(
        rejection(&s, late).contains(
            "dispute `overdue-stockpile-2026-01-01` closed on 2026-05-20, when the report it was opened over was recorded"
        ),
        "{}",
        rejection(&s, late)
    );
    assert!(rejection(&s, position).contains("there is no outcome to take a position on"));
}

#[test]
fn the_timeline_shows_the_escalation_opening_running_out_and_closing() {
    let a = agreement();
    let log = log_with_stockpile(&["2026-06-20"]);
    let changes = timeline(
        std::slice::from_ref(&a),
        &log.entries,
        None,
        d_(2026, 6, 30),
    )
    .unwrap();
    let mine: Vec<(String, Option<String>, String)> = changes
        .iter()
        .filter(|c| c.subject == format!("dispute {OVERDUE_Q1}"))
        .map(|c| (c.date.to_string(), c.from.clone(), c.to.clone()))
        .collect();
    assert_eq!(
        mine,
        vec![
            (
                "2026-05-01".to_owned(),
                None,
                "open at joint-commission".to_owned()
            ),
            (
                "2026-05-16".to_owned(),
                Some("open at joint-commission".to_owned()),
                "open at ministers".to_owned()
            ),
            (
                "2026-06-15".to_owned(),
                Some("open at ministers".to_owned()),
                "exhausted at ministers".to_owned()
            ),
            (
                "2026-06-20".to_owned(),
                Some("exhausted at ministers".to_owned()),
                "resolved at ministers (report received)".to_owned()
            ),
        ]
    );
}

/// Two compliant quarters on both commitments: phase p1 (with `us-oil`) is entered when
/// the second quarter's reports are recorded, on 2026-07-05.
fn compliant_log() -> Log {
    let mut log = Log::default();
    for (q, when) in [(1, "2026-04-10"), (2, "2026-07-05")] {
        for m in ["iaea", "sat"] {
            log.evidence(when, m, "enrichment", quarter(q), qty(3.5, "percent"));
            log.evidence(when, m, "stockpile", quarter(q), qty(250.0, "kg_u"));
        }
    }
    log
}

fn hold_us_oil(log: &mut Log) -> LogIndex {
    log.push(
        "2026-07-20",
        &["usa"],
        Statement::Decision(Decision {
            act: DecisionAct::Hold,
            relief: ReliefRef::Action(id("us-oil")),
            effective: d_(2026, 8, 1).into(),
            reason: "pending a review of oil revenues".into(),
            until: None,
            wind_down: None,
            by: None,
            entities: Vec::new(),
        }),
    )
}

fn open_against(log: &mut Log, index: LogIndex) -> LogIndex {
    log.push(
        "2026-08-05",
        &["target"],
        step(
            "hold-appeal",
            DisputeAction::Open {
                finding: Finding::Entry { index },
                stage: id("joint-commission"),
                reason: "the hold has no basis in the agreement".into(),
            },
        ),
    )
}

fn resolve(log: &mut Log, when: &str, outcome: DisputeOutcome) -> LogIndex {
    log.push(
        when,
        &["usa"],
        step(
            "hold-appeal",
            DisputeAction::Resolve {
                outcome,
                note: "joint commission's finding".into(),
            },
        ),
    )
}

#[test]
fn a_disputed_decision_stays_in_effect_while_the_dispute_is_open() {
    let a = agreement();
    let mut log = compliant_log();
    let hold = hold_us_oil(&mut log);
    let s = eval(&a, &log, "2026-08-02");
    assert_eq!(
        relief(&s, "us-oil"),
        (ReliefStatus::Suspended, Some(d_(2026, 8, 1)))
    );
    let d = decision(&s, hold);
    assert!(d.departure);
    assert_eq!((d.disputed_by.clone(), d.set_aside), (None, false));

    let opened = open_against(&mut log, hold);
    // Under `freeze_finding` too: the authority's act is not suspended by the complaint.
    let s = eval(&a, &log, "2026-08-10");
    accepted(&s, opened);
    assert_eq!(
        relief(&s, "us-oil"),
        (ReliefStatus::Suspended, Some(d_(2026, 8, 1)))
    );
    let oil = s.relief.iter().find(|x| x.id.as_str() == "us-oil").unwrap();
    assert_eq!(oil.reasons[0].rule, "decision.hold");
    assert!(
        oil.reasons[0]
            .detail
            .contains("disputed in `hold-appeal`: it stays in effect while the dispute is open"),
        "{}",
        oil.reasons[0].detail
    );
    let d = decision(&s, hold);
    assert_eq!(d.disputed_by, Some(id("hold-appeal")));
    assert!(!d.set_aside);
    assert!(d.departure);
    let r = d
        .reasons
        .iter()
        .find(|r| r.rule == "decision.disputed")
        .unwrap();
    assert!(r.detail.contains("since 2026-08-05 (open)"), "{}", r.detail);
    assert_eq!(r.entries, vec![hold, opened]);
    let x = dispute(&s, "hold-appeal");
    assert_eq!(x.effect, "finding_stands");
    assert!(
        x.reasons
            .last()
            .unwrap()
            .detail
            .contains("stays in effect while the dispute is open")
    );
    // The other p1 actions are untouched.
    assert_eq!(relief(&s, "eu-oil").0, ReliefStatus::InForce);
}

#[test]
fn an_overturned_decision_is_set_aside_and_relief_comes_back_that_day() {
    let a = agreement();
    let mut log = compliant_log();
    let hold = hold_us_oil(&mut log);
    let opened = open_against(&mut log, hold);
    let resolved = resolve(&mut log, "2026-08-12", DisputeOutcome::Overturned);

    let s = eval(&a, &log, "2026-08-11");
    assert_eq!(relief(&s, "us-oil").0, ReliefStatus::Suspended);

    let s = eval(&a, &log, "2026-08-12");
    assert_eq!(
        relief(&s, "us-oil"),
        (ReliefStatus::InForce, Some(d_(2026, 8, 12)))
    );
    let oil = s.relief.iter().find(|x| x.id.as_str() == "us-oil").unwrap();
    assert_eq!(oil.reasons[0].rule, "decision.set_aside");
    assert!(
        oil.reasons[0]
            .detail
            .contains("the decision of 2026-08-01 was set aside on 2026-08-12"),
        "{}",
        oil.reasons[0].detail
    );
    assert!(oil.reasons.iter().all(|r| r.rule != "decision.hold"));
    let d = decision(&s, hold);
    assert_eq!(d.disputed_by, Some(id("hold-appeal")));
    assert!(d.set_aside);
    assert!(d.departure, "it still departed from the evaluation");
    assert_eq!(d.reasons[0].rule, "decision.set_aside");
    assert_eq!(d.reasons[0].entries, vec![hold, opened, resolved]);
    assert_eq!(dispute(&s, "hold-appeal").effect, "set_aside");

    let changes = timeline(
        std::slice::from_ref(&a),
        &log.entries,
        None,
        d_(2026, 8, 31),
    )
    .unwrap();
    let seen: Vec<(String, String, String)> = changes
        .iter()
        .filter(|c| c.subject == format!("decision {hold}") || c.subject == "relief us-oil")
        .filter(|c| c.date >= d_(2026, 8, 1))
        .map(|c| (c.date.to_string(), c.subject.clone(), c.to.clone()))
        .collect();
    assert_eq!(
        seen,
        vec![
            (
                "2026-08-01".to_owned(),
                "relief us-oil".to_owned(),
                "held".to_owned()
            ),
            (
                "2026-08-05".to_owned(),
                format!("decision {hold}"),
                "departure, disputed in hold-appeal".to_owned()
            ),
            (
                "2026-08-12".to_owned(),
                format!("decision {hold}"),
                "departure, set aside by hold-appeal".to_owned()
            ),
            (
                "2026-08-12".to_owned(),
                "relief us-oil".to_owned(),
                "granted".to_owned()
            ),
        ]
    );
}

#[test]
fn an_upheld_or_withdrawn_dispute_leaves_the_decision_standing() {
    let a = agreement();
    let mut log = compliant_log();
    let hold = hold_us_oil(&mut log);
    open_against(&mut log, hold);
    let mut upheld = log.clone();
    resolve(&mut upheld, "2026-08-12", DisputeOutcome::Upheld);
    let s = eval(&a, &upheld, "2026-09-01");
    assert_eq!(
        relief(&s, "us-oil"),
        (ReliefStatus::Suspended, Some(d_(2026, 8, 1)))
    );
    let d = decision(&s, hold);
    assert_eq!(
        (d.disputed_by.clone(), d.set_aside),
        (Some(id("hold-appeal")), false)
    );
    let r = d
        .reasons
        .iter()
        .find(|r| r.rule == "decision.disputed")
        .unwrap();
    assert!(
        r.detail
            .contains("upheld on 2026-08-12: the decision stands"),
        "{}",
        r.detail
    );
    assert_eq!(dispute(&s, "hold-appeal").effect, "counts");

    let mut withdrawn = log.clone();
    let w = withdrawn.push(
        "2026-08-09",
        &["target"],
        step("hold-appeal", DisputeAction::Withdraw),
    );
    let s = eval(&a, &withdrawn, "2026-09-01");
    accepted(&s, w);
    assert_eq!(dispute(&s, "hold-appeal").status, "withdrawn");
    assert_eq!(relief(&s, "us-oil").0, ReliefStatus::Suspended);
    assert!(!decision(&s, hold).set_aside);

    // Exhausted: every stage ran out (joint commission 08-20, ministers 09-04, advisory
    // 09-19); the decision stands.
    let s = eval(&a, &log, "2026-09-19");
    assert_eq!(dispute(&s, "hold-appeal").status, "exhausted");
    assert_eq!(relief(&s, "us-oil").0, ReliefStatus::Suspended);
    assert!(!decision(&s, hold).set_aside);
}

#[test]
fn an_overturned_grant_no_longer_applies_and_a_dispute_over_an_event_changes_nothing() {
    let a = agreement();
    // Only the first quarter: p1 is not entered by the evaluation; a grant puts us-oil in
    // force from 2026-05-01 (a departure), until a dispute overturns it on 2026-06-10.
    let mut log = Log::default();
    for m in ["iaea", "sat"] {
        log.evidence(
            "2026-04-10",
            m,
            "enrichment",
            quarter(1),
            qty(3.5, "percent"),
        );
        log.evidence("2026-04-10", m, "stockpile", quarter(1), qty(250.0, "kg_u"));
    }
    let grant = log.push(
        "2026-04-20",
        &["usa"],
        Statement::Decision(Decision {
            act: DecisionAct::Grant,
            relief: ReliefRef::Action(id("us-oil")),
            effective: d_(2026, 5, 1).into(),
            reason: "early relief".into(),
            until: None,
            wind_down: None,
            by: None,
            entities: Vec::new(),
        }),
    );
    let event = log.event("2026-04-21", "report", d_(2026, 4, 21));
    log.push(
        "2026-05-02",
        &["eu"],
        step(
            "grant-appeal",
            DisputeAction::Open {
                finding: Finding::Entry { index: grant },
                stage: id("joint-commission"),
                reason: "premature".into(),
            },
        ),
    );
    log.push(
        "2026-05-03",
        &["target"],
        step(
            "event-appeal",
            DisputeAction::Open {
                finding: Finding::Entry { index: event },
                stage: id("joint-commission"),
                reason: "the report came later".into(),
            },
        ),
    );
    log.push(
        "2026-05-10",
        &["eu"],
        step(
            "grant-appeal",
            DisputeAction::Escalate {
                to: id("ministers"),
            },
        ),
    );
    let s = eval(&a, &log, "2026-05-12");
    assert_eq!(
        relief(&s, "us-oil"),
        (ReliefStatus::InForce, Some(d_(2026, 5, 1)))
    );
    log.push(
        "2026-05-20",
        &["eu"],
        step(
            "grant-appeal",
            DisputeAction::Resolve {
                outcome: DisputeOutcome::Overturned,
                note: "premature".into(),
            },
        ),
    );
    let s = eval(&a, &log, "2026-05-20");
    let (status, _) = relief(&s, "us-oil");
    assert_eq!(status, ReliefStatus::Scheduled);
    let oil = s.relief.iter().find(|x| x.id.as_str() == "us-oil").unwrap();
    assert_eq!(oil.reasons[0].rule, "decision.set_aside");
    assert!(decision(&s, grant).set_aside);

    let e = dispute(&s, "event-appeal");
    assert_eq!(e.status, "open");
    assert_eq!(e.effect, "finding_stands");
    let effect = e.reasons.last().unwrap();
    assert_eq!(effect.rule, "dispute.effect");
    assert!(
        effect
            .detail
            .contains("is an event record, neither evidence nor a decision"),
        "{}",
        effect.detail
    );
}

fn d_(y: i16, m: i8, day: i8) -> jiff::civil::Date {
    d(y, m, day)
}

/// The evaluator keeps a period found reported in time so that the overdue escalations do
/// not look at it again: once its reports are retracted after the grace, that no longer
/// holds, and the dispute the overdue policy opens is there as in a full replay.
#[test]
fn an_evaluator_that_saw_a_report_in_time_opens_the_overdue_dispute_once_it_is_retracted() {
    let a = agreement();
    let mut log = log_with_stockpile(&["2026-04-10"]);
    let mut ev = accord_core::engine::Evaluator::new(std::slice::from_ref(&a)).unwrap();
    for e in &log.entries {
        ev.append(e);
    }
    // Two looks after the grace: the first caches the quorum, the second what it found.
    for when in ["2026-05-05", "2026-05-10"] {
        let s = ev.statuses(at(when)).unwrap();
        assert!(s.disputes.is_empty(), "{:?}", s.disputes);
    }
    for (n, who) in [(1, "iaea"), (2, "sat")] {
        let retraction = Statement::Retraction(Retraction {
            retracts: LogIndex(n),
            reason: "withdrawn".into(),
        });
        let i = log.push("2026-05-12", &[who], retraction);
        ev.append(&log.entries[i.0 as usize]);
    }
    let s = ev.state(at("2026-05-20")).unwrap();
    assert_eq!(dispute(&s, OVERDUE_Q1).opened, Some(d_(2026, 5, 1)));
    let json = |s: &State| serde_json::to_string(s).unwrap();
    assert_eq!(json(&s), json(&eval(&a, &log, "2026-05-20")));
}
