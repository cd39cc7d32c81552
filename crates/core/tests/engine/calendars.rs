//! Calendars: reporting and review cadences with a start offset and an end, milestones
//! inside a running countdown, per-measure review dates with a reminder and an "under
//! review" state, and sunsets that apply whatever the compliance status — at the instants
//! on either side of each boundary.

use accord_core::agreement::{Agreement, MeasureReview, Milestone};
use accord_core::engine::evaluate;
use accord_core::engine::state::{MeasureStatus, MilestoneStatus, State, TriggerStatus};
use accord_core::rule::DateRule;
use accord_core::statement::*;

use super::builder::*;

fn eval(a: &Agreement, log: &Log, when: &str) -> State {
    evaluate(std::slice::from_ref(a), &log.entries, at(when)).unwrap()
}

#[test]
fn a_cadence_runs_from_its_offset_until_its_end() {
    let mut a = nuclear();
    // Every 180 days from 30 days after adoption, for two years.
    let stockpile = &mut a.indicators[1];
    stockpile.cadence = dur("P180D");
    stockpile.starts = plus(DateRule::Event(id("adoption")), "P30D");
    stockpile.ends = Some(plus(DateRule::Event(id("adoption")), "P2Y"));
    a.review.every = dur("P6M");
    a.review.ends = Some(DateRule::On(d(2027, 7, 1)));
    let s = eval(&a, &Log::default(), "2030-01-01");
    let periods: Vec<_> = s
        .indicator("stockpile")
        .unwrap()
        .periods
        .iter()
        .map(|p| p.period.start())
        .collect();
    assert_eq!(
        periods,
        [
            d(2026, 1, 31),
            d(2026, 7, 30),
            d(2027, 1, 26),
            d(2027, 7, 25)
        ]
    );
    // Reviews every six months from 2026-01-01 until 2027-07-01 (exclusive).
    let reviews: Vec<_> = s.reviews.iter().map(|r| r.period.start()).collect();
    assert_eq!(reviews, [d(2026, 1, 1), d(2026, 7, 1), d(2027, 1, 1)]);
}

/// The nuclear agreement with a snapback whose countdown has a milestone: a draft
/// resolution tabled within 10 days, else the presidency tables one.
fn with_milestone() -> Agreement {
    let mut a = nuclear();
    for i in &mut a.indicators {
        i.cure = None;
    }
    a.triggers[0].milestones = vec![Milestone {
        title: "a draft resolution tabled within 10 days, else the presidency tables one".into(),
        after: dur("P10D"),
        event: Some(id("report")),
    }];
    a
}

/// A breach of the enrichment cap in the first quarter, known on 10 April, and the US
/// invocation on 15 April.
fn breach_and_invocation() -> Log {
    let mut log = Log::default();
    log.evidence(
        "2026-04-10",
        "iaea",
        "enrichment",
        quarter(1),
        qty(4.5, "percent"),
    );
    log.push(
        "2026-04-15",
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
fn a_milestone_inside_the_countdown_is_upcoming_then_missed_or_met() {
    let a = with_milestone();
    let log = breach_and_invocation();
    let s = eval(&a, &log, "2026-04-24T23:59:59Z");
    let t = s.trigger("snapback").unwrap();
    assert_eq!(t.status, TriggerStatus::CountingDown);
    assert_eq!(t.milestones.len(), 1);
    assert_eq!(t.milestones[0].due, d(2026, 4, 25));
    assert_eq!(t.milestones[0].status, MilestoneStatus::Upcoming);
    let s = eval(&a, &log, "2026-04-25T00:00:00Z");
    let m = &s.trigger("snapback").unwrap().milestones[0];
    assert_eq!(m.status, MilestoneStatus::Missed);
    assert!(
        s.trigger("snapback")
            .unwrap()
            .reasons
            .iter()
            .any(|r| r.rule == "trigger.milestone" && r.detail.contains("missed"))
    );
    // The draft tabled on the 20th: met.
    let mut log = breach_and_invocation();
    log.event("2026-04-20", "report", d(2026, 4, 20));
    let s = eval(&a, &log, "2026-04-26");
    let m = &s.trigger("snapback").unwrap().milestones[0];
    assert_eq!(
        (m.status, m.met_on),
        (MilestoneStatus::Met, Some(d(2026, 4, 20)))
    );
    // Before any invocation there is no milestone.
    let s = eval(&a, &Log::default(), "2026-04-26");
    assert!(s.trigger("snapback").unwrap().milestones.is_empty());
}

#[test]
fn a_measure_is_under_review_from_its_reminder_until_its_review_date() {
    let mut a = nuclear();
    // The EU reviews its asset freeze every six months from 31 January, with a 30-day
    // reminder.
    let freeze = a.regimes[1]
        .measures
        .iter_mut()
        .find(|m| m.id.as_str() == "eu-freeze")
        .unwrap();
    freeze.review = Some(MeasureReview {
        starts: DateRule::On(d(2026, 1, 31)),
        every: Some(dur("P6M")),
        ends: None,
        remind: Some(dur("P30D")),
    });
    let log = Log::default();
    let s = eval(&a, &log, "2026-06-30T23:59:59Z");
    let m = s.measure("eu-freeze").unwrap();
    assert!(!m.under_review);
    assert_eq!(
        (m.next_review, m.reminder),
        (Some(d(2026, 7, 31)), Some(d(2026, 7, 1)))
    );
    for when in ["2026-07-01T00:00:00Z", "2026-07-31T23:59:59Z"] {
        let s = eval(&a, &log, when);
        let m = s.measure("eu-freeze").unwrap();
        assert!(m.under_review, "{when}");
        assert_eq!(m.status, MeasureStatus::Applies);
        assert!(m.reasons.iter().any(|r| r.rule == "measure.review"));
    }
    let s = eval(&a, &log, "2026-08-01T00:00:00Z");
    let m = s.measure("eu-freeze").unwrap();
    assert!(!m.under_review);
    assert_eq!(m.next_review, Some(d(2027, 1, 31)));
}

#[test]
fn a_sunset_ends_the_measure_whatever_the_compliance_status() {
    let mut a = with_milestone();
    a.triggers[0].countdown = None;
    for m in &mut a.regimes[0].measures {
        if m.id.as_str() == "us-energy" {
            m.sunset = Some(DateRule::On(d(2026, 9, 1)));
        }
    }
    // Phase p1 reached on 2026-07-05, then the snapback fires on 2026-10-10 and reverts
    // the US oil suspension: the measure applies again — but its sunset has come.
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
    let s = eval(&a, &log, "2026-08-31T23:59:59Z");
    let m = s.measure("us-energy").unwrap();
    assert_eq!(
        (m.status, m.sunset),
        (MeasureStatus::Suspended, Some(d(2026, 9, 1)))
    );
    for when in ["2026-09-01T00:00:00Z", "2026-10-11", "2027-06-01"] {
        let s = eval(&a, &log, when);
        let m = s.measure("us-energy").unwrap();
        assert_eq!(
            (m.status, m.since),
            (MeasureStatus::Lifted, Some(d(2026, 9, 1))),
            "{when}"
        );
        assert_eq!(m.reasons[0].rule, "measure.sunset");
    }
    // The EU's measure, without a sunset, is reverted by the snapback.
    let s = eval(&a, &log, "2026-10-11");
    assert_eq!(
        s.measure("eu-energy").unwrap().status,
        MeasureStatus::WindDown
    );
}
