//! What real monitoring records: findings that stand until replaced (a few dated
//! inspections, no report every period), overdue reports that hold relief only where the
//! agreement says so, deadlines met late, evidence held in escrow and the verification gap
//! it leaves, and risk signals and recommendations that change no state.

use accord_core::agreement::{Agreement, IndicatorTarget, OverduePolicy, Stands};
use accord_core::engine::state::{IndicatorStatus, ReliefStatus, State};
use accord_core::engine::{evaluate, timeline};
use accord_core::rule::{CommitmentStatus, DateRule};
use accord_core::statement::*;

use super::builder::*;

fn eval(a: &Agreement, log: &Log, when: &str) -> State {
    evaluate(std::slice::from_ref(a), &log.entries, at(when)).unwrap()
}

fn period_status(s: &State, indicator: &str, q: i16) -> IndicatorStatus {
    s.indicator(indicator)
        .unwrap()
        .periods
        .iter()
        .find(|p| p.period == quarter(q))
        .unwrap()
        .status
}

/// Both monitors report on enrichment and stockpile for the first quarter only, on
/// 10 April.
fn one_inspection() -> Log {
    let mut log = Log::default();
    for (who, indicator, value) in [
        ("iaea", "enrichment", qty(3.5, "percent")),
        ("sat", "enrichment", qty(3.5, "percent")),
        ("iaea", "stockpile", qty(250.0, "kg_u")),
        ("sat", "stockpile", qty(252.0, "kg_u")),
    ] {
        log.evidence("2026-04-10", who, indicator, quarter(1), value);
    }
    log
}

#[test]
fn a_finding_stands_until_replaced_within_its_maximum_age() {
    let mut a = nuclear();
    for i in &mut a.indicators {
        i.stands = Some(Stands {
            max_age: Some(dur("P9M")),
        });
        i.overdue = OverduePolicy::None;
        i.cure = None;
    }
    let log = one_inspection();
    // The first quarter's finding stands for the second, third and fourth: phase p1
    // (compliant at two consecutive reviews) is reached on the inspection alone.
    let s = eval(&a, &log, "2026-12-31");
    for q in 2..=4 {
        assert_eq!(
            period_status(&s, "stockpile", q),
            IndicatorStatus::Compliant,
            "Q{q}"
        );
    }
    let q3 = s
        .indicator("stockpile")
        .unwrap()
        .periods
        .iter()
        .find(|p| p.period == quarter(3))
        .unwrap();
    assert_eq!(q3.stands_from, Some(quarter(1)));
    assert_eq!(q3.reasons[0].rule, "indicator.stands");
    assert_eq!(s.phase("p1").unwrap().entered, Some(d(2026, 7, 1)));
    // Older than nine months, it no longer stands: the first quarter of 2027 is overdue
    // (and holds nothing: overdue is shown only).
    let s = eval(&a, &log, "2027-06-01");
    assert_eq!(period_status(&s, "stockpile", 5), IndicatorStatus::Overdue);
    assert!(s.relief("eu-oil").unwrap().status.relieves());
}

#[test]
fn an_overdue_report_holds_relief_only_where_the_agreement_says_so() {
    let mut a = nuclear();
    for i in &mut a.indicators {
        i.cure = None;
    }
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
    // No report on the third quarter: overdue from 31 October.
    let held = eval(&a, &log, "2026-11-05");
    assert_eq!(held.relief("eu-oil").unwrap().status, ReliefStatus::Held);
    for i in &mut a.indicators {
        i.overdue = OverduePolicy::None;
    }
    let shown = eval(&a, &log, "2026-11-05");
    assert_eq!(
        period_status(&shown, "stockpile", 3),
        IndicatorStatus::Overdue
    );
    assert_eq!(
        shown.relief("eu-oil").unwrap().status,
        ReliefStatus::Granted
    );
}

#[test]
fn a_deadline_met_late_is_not_non_compliant_for_ever() {
    let mut a = nuclear();
    let report = &mut a.indicators[1];
    report.target = IndicatorTarget::Deadline {
        due: DateRule::On(d(2026, 3, 1)),
    };
    report.overdue = OverduePolicy::NoncompliantAfter { misses: 1 };
    report.verification.quorum = 1;
    let mut log = Log::default();
    // Nothing reported for the first quarter: overdue, so non-compliant after one miss.
    let s = eval(&a, &log, "2026-05-05");
    assert_eq!(
        period_status(&s, "stockpile", 1),
        IndicatorStatus::Noncompliant
    );
    // Done on 15 April, reported for the second quarter: met late.
    log.evidence(
        "2026-07-05",
        "iaea",
        "stockpile",
        quarter(2),
        Observation::Date {
            value: d(2026, 4, 15),
        },
    );
    let s = eval(&a, &log, "2026-07-05T11:59:59Z");
    assert_eq!(period_status(&s, "stockpile", 2), IndicatorStatus::Missing);
    let s = eval(&a, &log, "2026-07-05T12:00:00Z");
    assert_eq!(period_status(&s, "stockpile", 2), IndicatorStatus::MetLate);
    let q2 = &s.indicator("stockpile").unwrap().periods[1];
    assert!(q2.reasons.iter().any(|r| r.rule == "indicator.met_late"));
    let c2 = s.commitment("c2").unwrap();
    assert_eq!(c2.reviews[1].status, CommitmentStatus::Compliant);
    assert_eq!(c2.reviews[0].status, CommitmentStatus::Noncompliant);
}

#[test]
fn escrowed_evidence_verifies_nothing_until_delivered_and_shows_the_gap() {
    let a = nuclear();
    let mut log = Log::default();
    let mut held = ev(
        "stockpile",
        quarter(1),
        qty(250.0, "kg_u"),
        Method::OnSiteInspection,
    );
    held.escrow_until = Some(d(2026, 6, 30));
    let escrowed = log.push("2026-04-10", &["iaea"], Statement::Evidence(held.clone()));
    log.evidence(
        "2026-04-10",
        "sat",
        "stockpile",
        quarter(1),
        qty(252.0, "kg_u"),
    );
    let s = eval(&a, &log, "2026-05-15");
    let q1 = &s.indicator("stockpile").unwrap().periods[0];
    // One agreeing report of the two the quorum needs: the escrowed one does not count.
    assert_eq!(q1.status, IndicatorStatus::Unverified);
    let escrow = q1.escrow.as_ref().unwrap();
    assert_eq!((escrow.until, escrow.expired), (d(2026, 6, 30), false));
    // With no delivered report at all, the gap runs from the day after the grace.
    let mut alone = Log::default();
    alone.push("2026-04-10", &["iaea"], Statement::Evidence(held.clone()));
    let s = eval(&a, &alone, "2026-05-15");
    let q1 = &s.indicator("stockpile").unwrap().periods[0];
    assert_eq!(q1.status, IndicatorStatus::Unverified);
    assert_eq!(q1.escrow.as_ref().unwrap().gap_since, Some(d(2026, 5, 1)));
    assert_eq!(q1.reasons[0].rule, "indicator.escrow");
    let s = eval(&a, &alone, "2026-07-01");
    let q1 = &s.indicator("stockpile").unwrap().periods[0];
    assert!(q1.escrow.as_ref().unwrap().expired);
    // Delivered by a correction that lifts the escrow: it counts.
    let mut delivered = held.clone();
    delivered.escrow_until = None;
    log.push(
        "2026-05-20",
        &["iaea"],
        Statement::Correction(Correction {
            supersedes: escrowed,
            evidence: delivered,
            reason: "delivered to the verifier".into(),
        }),
    );
    let s = eval(&a, &log, "2026-05-20");
    let q1 = &s.indicator("stockpile").unwrap().periods[0];
    assert_eq!(q1.status, IndicatorStatus::Compliant);
    assert!(q1.escrow.is_none());
}

#[test]
fn a_recommendation_changes_no_state_and_appears_in_the_state_and_timeline() {
    let a = nuclear();
    let log = one_inspection();
    let mut with = log.clone();
    let entry = with.push(
        "2026-05-01",
        &["iaea"],
        Statement::Signal(Signal {
            signal: SignalKind::Recommendation,
            subject: Some("trigger snapback".into()),
            text: "partial reversal, not full snapback".into(),
        }),
    );
    let plain = eval(&a, &log, "2026-06-01");
    let signalled = eval(&a, &with, "2026-06-01");
    assert_eq!(signalled.signals.len(), 1);
    assert_eq!(signalled.signals[0].entry, entry);
    assert_eq!(signalled.signals[0].kind, SignalKind::Recommendation);
    // Nothing else moved.
    let mut without_signals = signalled.clone();
    without_signals.signals.clear();
    without_signals.entries = plain.entries;
    assert_eq!(without_signals, plain);
    let changes = timeline(std::slice::from_ref(&a), &with.entries, None, d(2026, 6, 1)).unwrap();
    let c = changes
        .iter()
        .find(|c| c.subject == format!("signal {entry}"))
        .unwrap();
    assert_eq!(c.date, d(2026, 5, 1));
    assert_eq!(c.to, "recommendation on trigger snapback");
    assert_eq!(c.reasons[0].detail, "partial reversal, not full snapback");
}
