//! Agreements played through time, and bad input.

use accord_core::engine::state::{IndicatorStatus, PhaseStatus, ReliefStatus, State};
use accord_core::engine::{EvalError, Evaluator, evaluate, timeline};
use accord_core::rule::{CommitmentStatus, DateRule};
use accord_core::statement::*;

use super::builder::*;

fn eval(a: &accord_core::agreement::Agreement, log: &Log, when: &str) -> State {
    evaluate(std::slice::from_ref(a), &log.entries, at(when)).unwrap()
}

fn indicator_review(s: &State, ind: &str, review: u32) -> IndicatorStatus {
    s.indicators
        .iter()
        .find(|i| i.id.as_str() == ind)
        .and_then(|i| i.reviews.iter().find(|r| r.review == review))
        .map(|r| r.status)
        .unwrap_or_else(|| panic!("no status for {ind} at review {review}"))
}

fn commitment_review(s: &State, c: &str, review: u32) -> CommitmentStatus {
    s.commitments
        .iter()
        .find(|x| x.id.as_str() == c)
        .and_then(|x| x.reviews.iter().find(|r| r.review == review))
        .map(|r| r.status)
        .unwrap()
}

fn relief<'s>(s: &'s State, a: &str) -> &'s accord_core::engine::state::ActionState {
    s.relief.iter().find(|x| x.id.as_str() == a).unwrap()
}

fn phase<'s>(s: &'s State, p: &str) -> &'s accord_core::engine::state::PhaseState {
    s.phases.iter().find(|x| x.id.as_str() == p).unwrap()
}

fn rejection(s: &State, index: LogIndex) -> String {
    s.rejected
        .iter()
        .find(|r| r.entry == index)
        .map(|r| r.reason.clone())
        .unwrap_or_else(|| panic!("entry {index} not rejected: {:?}", s.rejected))
}

/// Two quarters of compliant, verified reports.
fn compliant_half_year() -> Log {
    let mut log = Log::default();
    log.evidence(
        "2026-04-10",
        "iaea",
        "enrichment",
        quarter(1),
        qty(3.5, "percent"),
    );
    log.evidence(
        "2026-04-10",
        "sat",
        "enrichment",
        quarter(1),
        qty(3.55, "percent"),
    );
    log.evidence(
        "2026-04-11",
        "iaea",
        "stockpile",
        quarter(1),
        qty(250.0, "kg_u"),
    );
    // 380 kg of UF6 hold 256.88 kg of uranium: within 5% of 250.
    log.evidence(
        "2026-04-12",
        "sat",
        "stockpile",
        quarter(1),
        qty(380.0, "kg_uf6"),
    );
    log.evidence(
        "2026-07-05",
        "iaea",
        "enrichment",
        quarter(2),
        qty(3.6, "percent"),
    );
    log.evidence(
        "2026-07-05",
        "iaea",
        "stockpile",
        quarter(2),
        qty(260.0, "kg_u"),
    );
    log.evidence(
        "2026-07-06",
        "sat",
        "stockpile",
        quarter(2),
        qty(262.0, "kg_u"),
    );
    log
}

#[test]
fn nuclear_phase_one_is_earned_by_two_compliant_reviews() {
    let a = nuclear();
    let log = compliant_half_year();

    let before = eval(&a, &log, "2026-06-15");
    assert_eq!(before.date, d(2026, 6, 15));
    assert_eq!(
        indicator_review(&before, "enrichment", 1),
        IndicatorStatus::Compliant
    );
    assert_eq!(
        indicator_review(&before, "stockpile", 1),
        IndicatorStatus::Compliant
    );
    assert_eq!(
        indicator_review(&before, "enrichment", 2),
        IndicatorStatus::Missing
    );
    let p1 = phase(&before, "p1");
    assert_eq!(p1.status, PhaseStatus::NotReached);
    assert_eq!(p1.remains.len(), 1);
    assert_eq!(
        p1.remains[0].condition,
        "all(c1, c2) compliant for 2 reviews"
    );
    assert_eq!(p1.remains[0].earliest, Some(d(2026, 7, 1)));
    assert_eq!(relief(&before, "us-oil").status, ReliefStatus::Scheduled);

    let after = eval(&a, &log, "2026-07-10");
    let p1 = phase(&after, "p1");
    assert_eq!(p1.status, PhaseStatus::Reached);
    // Known once the last report it rests on was recorded.
    assert_eq!(p1.entered, Some(d(2026, 7, 6)));
    assert_eq!(p1.reasons[0].rule, "phase.entry");
    assert_eq!(
        p1.reasons[0].entries,
        (0..7).map(LogIndex).collect::<Vec<_>>()
    );
    for action in ["us-oil", "eu-oil", "unfreeze"] {
        let r = relief(&after, action);
        assert_eq!(r.status, ReliefStatus::InForce, "{action}");
        assert_eq!(r.since, Some(d(2026, 7, 6)));
    }
    // Per jurisdiction and measure.
    let us_energy = after
        .relief_by_measure
        .iter()
        .find(|m| {
            m.measure
                .as_ref()
                .is_some_and(|m| m.as_str() == "us-energy")
        })
        .unwrap();
    assert_eq!(us_energy.jurisdiction, "US");
    assert_eq!(us_energy.in_force.len(), 1);
    assert_eq!(us_energy.other.len(), 1, "us-gas is still scheduled");

    // Phase 2: not before a year after adoption, and c1 compliant at four reviews.
    let p2 = phase(&after, "p2");
    assert_eq!(p2.status, PhaseStatus::NotReached);
    let conditions: Vec<(&str, Option<jiff::civil::Date>)> = p2
        .remains
        .iter()
        .map(|u| (u.condition.as_str(), u.earliest))
        .collect();
    assert_eq!(
        conditions,
        vec![
            ("not before 2027-01-01", Some(d(2027, 1, 1))),
            ("all(c1) compliant for 4 reviews", Some(d(2027, 1, 1))),
        ]
    );
    // The stockpile quorum is the mean of the two agreeing monitors, in kg of uranium.
    let q1 = &after.indicators[1].periods[0];
    assert!((q1.value.unwrap() - (250.0 + 380.0 * 0.676) / 2.0).abs() < 1e-9);
}

#[test]
fn monitors_who_disagree_beyond_tolerance_contest_the_finding() {
    let a = nuclear();
    let mut log = Log::default();
    log.evidence(
        "2026-04-11",
        "iaea",
        "stockpile",
        quarter(1),
        qty(250.0, "kg_u"),
    );
    // 400 kg of UF6 = 270.4 kg U: 7.5% away, beyond the 5% tolerance.
    log.evidence(
        "2026-04-12",
        "sat",
        "stockpile",
        quarter(1),
        qty(400.0, "kg_uf6"),
    );
    let s = eval(&a, &log, "2026-05-15");
    assert_eq!(
        indicator_review(&s, "stockpile", 1),
        IndicatorStatus::Contested
    );
    assert_eq!(commitment_review(&s, "c2", 1), CommitmentStatus::Contested);
    let reason = &s.indicators[1].reviews[0].reasons[0];
    assert_eq!(reason.rule, "indicator.contested");
    assert_eq!(reason.entries, vec![LogIndex(0), LogIndex(1)]);
}

#[test]
fn fewer_monitors_than_the_quorum_leave_it_unverified_after_grace() {
    let a = nuclear();
    let mut log = Log::default();
    log.evidence(
        "2026-04-11",
        "iaea",
        "stockpile",
        quarter(1),
        qty(250.0, "kg_u"),
    );
    let within = eval(&a, &log, "2026-04-20");
    assert_eq!(
        indicator_review(&within, "stockpile", 1),
        IndicatorStatus::Missing
    );
    let after = eval(&a, &log, "2026-05-01");
    assert_eq!(
        indicator_review(&after, "stockpile", 1),
        IndicatorStatus::Unverified
    );
    assert_eq!(
        commitment_review(&after, "c2", 1),
        CommitmentStatus::Unverified
    );
}

#[test]
fn self_reports_count_only_where_the_protocol_allows() {
    let mut a = nuclear();
    let mut log = Log::default();
    log.evidence(
        "2026-04-11",
        "target",
        "stockpile",
        quarter(1),
        qty(250.0, "kg_u"),
    );
    let s = eval(&a, &log, "2026-05-15");
    assert_eq!(
        indicator_review(&s, "stockpile", 1),
        IndicatorStatus::Unverified
    );
    assert_eq!(
        s.indicators[1].periods[0].reasons[0].rule,
        "indicator.self_report"
    );

    a.indicators[1].verification.self_report = accord_core::agreement::SelfReport::Sufficient;
    let s = eval(&a, &log, "2026-05-15");
    assert_eq!(
        indicator_review(&s, "stockpile", 1),
        IndicatorStatus::Compliant
    );

    // Counting toward a quorum of 2: the target and one monitor agreeing suffice.
    a.indicators[1].verification.self_report =
        accord_core::agreement::SelfReport::CountsTowardQuorum;
    let s = eval(&a, &log, "2026-05-15");
    assert_eq!(
        indicator_review(&s, "stockpile", 1),
        IndicatorStatus::Unverified
    );
    log.evidence(
        "2026-04-12",
        "iaea",
        "stockpile",
        quarter(1),
        qty(251.0, "kg_u"),
    );
    let s = eval(&a, &log, "2026-05-15");
    assert_eq!(
        indicator_review(&s, "stockpile", 1),
        IndicatorStatus::Compliant
    );
}

#[test]
fn bad_entries_are_rejected_with_a_reason_and_do_not_stop_evaluation() {
    let a = nuclear();
    let mut log = Log::default();
    let wrong_quantity = log.evidence(
        "2026-04-10",
        "iaea",
        "stockpile",
        quarter(1),
        qty(3.0, "percent"),
    );
    let undeclared = log.evidence(
        "2026-04-10",
        "iaea",
        "stockpile",
        quarter(1),
        qty(3.0, "lbs"),
    );
    let wrong_type = log.evidence("2026-04-10", "iaea", "enrichment", quarter(1), flag(true));
    let unknown_indicator = log.evidence(
        "2026-04-10",
        "iaea",
        "centrifuges",
        quarter(1),
        qty(1.0, "kg"),
    );
    let authority = log.push(
        "2026-04-10",
        &["usa"],
        Statement::Evidence(ev(
            "enrichment",
            quarter(1),
            qty(3.0, "percent"),
            Method::OnSiteInspection,
        )),
    );
    let unassigned = log.push(
        "2026-04-10",
        &["audit"],
        Statement::Evidence(ev(
            "enrichment",
            quarter(1),
            qty(3.0, "percent"),
            Method::DocumentAudit,
        )),
    );
    let unaccredited = log.push(
        "2026-04-10",
        &["sat"],
        Statement::Evidence(ev(
            "enrichment",
            quarter(1),
            qty(3.0, "percent"),
            Method::OnSiteInspection,
        )),
    );
    let stranger = log.evidence(
        "2026-04-10",
        "nobody",
        "enrichment",
        quarter(1),
        qty(3.0, "percent"),
    );
    let missing = log.push(
        "2026-04-10",
        &["iaea"],
        Statement::Retraction(Retraction {
            retracts: LogIndex(99),
            reason: "typo".into(),
        }),
    );
    let wrong_agreement = {
        let i = log.evidence(
            "2026-04-10",
            "iaea",
            "enrichment",
            quarter(1),
            qty(3.0, "percent"),
        );
        log.entries[i.0 as usize].agreement = id("other-accord");
        i
    };
    let good = log.evidence(
        "2026-04-10",
        "iaea",
        "enrichment",
        quarter(1),
        qty(3.0, "percent"),
    );
    let s = eval(&a, &log, "2026-05-15");

    let expected = [
        (
            wrong_quantity,
            "`percent` measures `enrichment`, but indicator `stockpile` measures `uranium_mass`: declare a conversion or report in a unit of `uranium_mass`",
        ),
        (
            undeclared,
            "the unit `lbs` is not declared in the agreement",
        ),
        (
            wrong_type,
            "indicator `enrichment` expects a quantity, but the evidence reports a flag",
        ),
        (
            unknown_indicator,
            "evidence for `centrifuges`, which is not an indicator of the agreement",
        ),
        (
            authority,
            "only monitors and the target report evidence on `enrichment`",
        ),
        (
            unassigned,
            "monitor `audit` is not assigned to indicator `enrichment`",
        ),
        (
            unaccredited,
            "monitor `sat` is not accredited for `on_site_inspection`",
        ),
        (
            stranger,
            "`nobody` is not a party or monitor of the agreement",
        ),
        (
            missing,
            "retracts entry #99, which is not an earlier accepted entry of this log",
        ),
        (
            wrong_agreement,
            "belongs to agreement `other-accord`, not `test-accord`",
        ),
    ];
    for (index, reason) in expected {
        assert_eq!(rejection(&s, index), reason, "entry {index}");
    }
    assert_eq!(s.rejected.len(), expected.len());
    assert_eq!(
        indicator_review(&s, "enrichment", 1),
        IndicatorStatus::Compliant
    );
    assert_eq!(s.indicators[0].periods[0].reasons[0].entries, vec![good]);
}

#[test]
fn an_agreement_evaluated_before_it_takes_effect_answers_and_no_versions_are_errors() {
    use accord_core::engine::state::{AgreementStatus, MeasureStatus};
    let a = nuclear();
    let instant = |s: &str| s.parse::<accord_core::time::Instant>().unwrap();
    // A second before it takes effect: agreed, nothing reached, relief scheduled.
    let s = evaluate(
        std::slice::from_ref(&a),
        &[],
        instant("2025-12-31T23:59:59Z"),
    )
    .unwrap();
    assert_eq!(s.agreement_status, AgreementStatus::Agreed);
    assert!(!s.versions[0].in_force);
    for p in &s.phases {
        assert_eq!(p.status, PhaseStatus::NotReached);
        assert_eq!(p.reasons[0].rule, "phase.agreement");
        assert_eq!(p.remains[0].earliest, Some(d(2026, 1, 1)));
    }
    let oil = s.relief("us-oil").unwrap();
    assert_eq!(oil.status, ReliefStatus::Scheduled);
    assert_eq!(oil.reasons[0].rule, "relief.agreement");
    let measure = |s: &State, m: &str| {
        s.measures
            .iter()
            .find(|x| x.measure.as_str() == m)
            .unwrap()
            .status
    };
    assert_eq!(measure(&s, "us-energy"), MeasureStatus::ReliefScheduled);
    assert_eq!(measure(&s, "eu-freeze"), MeasureStatus::Applies);
    // At the instant it takes effect, and after: in effect.
    for at in ["2026-01-01T00:00:00Z", "2026-01-01T00:00:01Z"] {
        let s = evaluate(std::slice::from_ref(&a), &[], instant(at)).unwrap();
        assert_eq!(s.agreement_status, AgreementStatus::InEffect, "{at}");
        assert!(s.versions[0].in_force, "{at}");
    }
    // Not yet agreed: its effective date rests on an event not recorded.
    let mut pending = a.clone();
    pending.effective = DateRule::Event("report".parse().unwrap());
    let s = evaluate(std::slice::from_ref(&pending), &[], at("2026-06-01")).unwrap();
    assert_eq!(s.agreement_status, AgreementStatus::NotYetAgreed);
    assert_eq!(measure(&s, "us-energy"), MeasureStatus::Applies);
    assert!(s.phases.iter().all(|p| p.status == PhaseStatus::NotReached));

    assert_eq!(
        evaluate(&[], &[], at("2026-01-01")).unwrap_err(),
        EvalError::NoVersions
    );
    let mut other = a.clone();
    other.version = 1;
    assert_eq!(
        Evaluator::new(&[a.clone(), other]).unwrap_err(),
        EvalError::DuplicateVersion(1)
    );
}

#[test]
fn late_reports_count_and_are_marked() {
    let a = nuclear();
    let mut log = Log::default();
    log.evidence(
        "2026-05-10",
        "iaea",
        "enrichment",
        quarter(1),
        qty(3.5, "percent"),
    );
    let s = eval(&a, &log, "2026-05-15");
    let p = &s.indicators[0].periods[0];
    assert_eq!(p.status, IndicatorStatus::Compliant);
    assert!(p.late);
    assert!(s.indicators[0].reviews[0].late);
    assert!(p.reasons.iter().any(|r| r.rule == "indicator.late"));
}

#[test]
fn overdue_counts_as_noncompliant_after_the_allowed_misses() {
    let a = nuclear();
    let log = Log::default();
    let s = eval(&a, &log, "2026-05-15");
    assert_eq!(
        indicator_review(&s, "enrichment", 1),
        IndicatorStatus::Overdue
    );
    // Stockpile holds relief: overdue, and the commitment is unverified.
    assert_eq!(
        indicator_review(&s, "stockpile", 1),
        IndicatorStatus::Overdue
    );
    assert_eq!(commitment_review(&s, "c2", 1), CommitmentStatus::Unverified);
    let s = eval(&a, &log, "2026-08-15");
    assert_eq!(
        indicator_review(&s, "enrichment", 1),
        IndicatorStatus::Overdue
    );
    assert_eq!(
        indicator_review(&s, "enrichment", 2),
        IndicatorStatus::Noncompliant
    );
    assert_eq!(
        commitment_review(&s, "c1", 2),
        CommitmentStatus::Noncompliant
    );
    assert_eq!(
        indicator_review(&s, "stockpile", 2),
        IndicatorStatus::Overdue
    );
}

#[test]
fn a_breach_cured_within_its_window_closes_without_consequence() {
    let a = nuclear();
    let mut log = Log::default();
    log.evidence(
        "2026-04-05",
        "iaea",
        "enrichment",
        quarter(1),
        qty(3.9, "percent"),
    );
    let open = eval(&a, &log, "2026-04-10");
    let p = &open.indicators[0].periods[0];
    assert_eq!(p.status, IndicatorStatus::Noncompliant);
    assert_eq!(p.cure_until, Some(d(2026, 4, 30)));
    // While the window is open the commitment is not in breach yet.
    assert_eq!(
        commitment_review(&open, "c1", 1),
        CommitmentStatus::Unverified
    );
    let closed = eval(&a, &log, "2026-05-05");
    assert_eq!(
        commitment_review(&closed, "c1", 1),
        CommitmentStatus::Noncompliant
    );

    let cure = log.evidence(
        "2026-04-25",
        "iaea",
        "enrichment",
        period(d(2026, 4, 1), d(2026, 4, 20)),
        qty(3.5, "percent"),
    );
    let cured = eval(&a, &log, "2026-05-05");
    let p = &cured.indicators[0].periods[0];
    assert_eq!(p.status, IndicatorStatus::Compliant);
    assert!(p.cured);
    assert!(
        p.reasons
            .iter()
            .any(|r| r.rule == "indicator.cure" && r.entries == vec![cure])
    );
    assert_eq!(
        commitment_review(&cured, "c1", 1),
        CommitmentStatus::Compliant
    );
}

#[test]
fn corrections_and_retractions_supersede_earlier_statements() {
    let a = nuclear();
    let mut log = Log::default();
    let first = log.evidence(
        "2026-04-05",
        "iaea",
        "enrichment",
        quarter(1),
        qty(3.9, "percent"),
    );
    let fix = log.push(
        "2026-04-06",
        &["iaea"],
        Statement::Correction(Correction {
            supersedes: first,
            evidence: ev(
                "enrichment",
                quarter(1),
                qty(3.5, "percent"),
                Method::OnSiteInspection,
            ),
            reason: "transcription error".into(),
        }),
    );
    let s = eval(&a, &log, "2026-04-10");
    assert_eq!(
        s.indicators[0].periods[0].status,
        IndicatorStatus::Compliant
    );
    assert_eq!(s.indicators[0].periods[0].reasons[0].entries, vec![fix]);
    // Before the correction was recorded, the first report stood.
    let s = eval(&a, &log, "2026-04-05T13:00:00Z");
    assert_eq!(
        s.indicators[0].periods[0].status,
        IndicatorStatus::Noncompliant
    );

    let foreign = log.push(
        "2026-04-07",
        &["sat"],
        Statement::Retraction(Retraction {
            retracts: fix,
            reason: "not mine".into(),
        }),
    );
    let withdraw = log.push(
        "2026-04-08",
        &["iaea"],
        Statement::Retraction(Retraction {
            retracts: fix,
            reason: "withdrawn".into(),
        }),
    );
    let twice = log.push(
        "2026-04-09",
        &["iaea"],
        Statement::Retraction(Retraction {
            retracts: fix,
            reason: "again".into(),
        }),
    );
    let s = eval(&a, &log, "2026-04-10");
    assert_eq!(s.indicators[0].periods[0].status, IndicatorStatus::Missing);
    assert_eq!(
        rejection(&s, foreign),
        "only the authors of entry #1 may retract it"
    );
    assert_eq!(
        rejection(&s, twice),
        format!(
            "entry #1 was already superseded or retracted by entry #{}",
            withdraw.0
        )
    );
}

#[test]
fn decisions_are_applied_and_shown_as_departures() {
    let a = nuclear();
    let mut log = compliant_half_year();
    let hold = log.push(
        "2026-07-08",
        &["usa"],
        Statement::Decision(Decision {
            act: DecisionAct::Hold,
            relief: ReliefRef::Action(id("us-oil")),
            effective: d(2026, 7, 8).into(),
            reason: "awaiting the inspectorate's annual report".into(),
            until: None,
            wind_down: None,
            by: None,
            entities: Vec::new(),
        }),
    );
    let grant = log.push(
        "2026-07-08",
        &["usa"],
        Statement::Decision(Decision {
            act: DecisionAct::Grant,
            relief: ReliefRef::Phase(id("p2")),
            effective: d(2026, 7, 9).into(),
            reason: "goodwill".into(),
            until: None,
            wind_down: None,
            by: None,
            entities: Vec::new(),
        }),
    );
    let by_target = log.push(
        "2026-07-08",
        &["target"],
        Statement::Decision(Decision {
            act: DecisionAct::Grant,
            relief: ReliefRef::Phase(id("p2")),
            effective: d(2026, 7, 9).into(),
            reason: "we deserve it".into(),
            until: None,
            wind_down: None,
            by: None,
            entities: Vec::new(),
        }),
    );
    let s = eval(&a, &log, "2026-07-10");
    let oil = relief(&s, "us-oil");
    assert_eq!(oil.status, ReliefStatus::Suspended);
    assert_eq!(oil.since, Some(d(2026, 7, 8)));
    assert_eq!(relief(&s, "eu-oil").status, ReliefStatus::InForce);
    assert_eq!(relief(&s, "us-gas").status, ReliefStatus::InForce);
    let departures: Vec<(LogIndex, bool)> =
        s.decisions.iter().map(|d| (d.entry, d.departure)).collect();
    assert_eq!(departures, vec![(hold, true), (grant, true)]);
    assert_eq!(
        rejection(&s, by_target),
        "only an authority of the agreement decides on relief"
    );
}

/// The licensing agreement's log: the monitor's report on 1 February (phase p1 reached),
/// then compliant audits of the first two quarters.
fn licensed_half_year() -> Log {
    let mut log = Log::default();
    log.event("2026-02-01", "report", d(2026, 2, 1));
    for (when, q) in [("2026-04-10", 1), ("2026-07-10", 2)] {
        log.evidence(when, "audit", "no-diversion", quarter(q), flag(true));
    }
    log
}

#[test]
fn licences_expire_renew_automatically_and_are_superseded() {
    let mut a = licensing();
    // A wider licence from 1 October 2026 supersedes GL 1.
    a.phases[1].entry = accord_core::rule::Condition::DatePassed {
        date: accord_core::rule::DateRule::On(d(2026, 10, 1)),
    };
    // The EU licence starts 30 days after the monitor's report or on 20 February,
    // whichever is earlier.
    a.phases[0].actions[1].starts = Some(accord_core::rule::DateRule::Earliest(vec![
        plus(accord_core::rule::DateRule::Event(id("report")), "P30D"),
        accord_core::rule::DateRule::On(d(2026, 2, 20)),
    ]));
    let log = licensed_half_year();

    let s = eval(&a, &log, "2026-02-10");
    assert_eq!(phase(&s, "p1").entered, Some(d(2026, 2, 1)));
    let gl1 = relief(&s, "gl-1");
    assert_eq!(
        (gl1.status, gl1.since, gl1.until),
        (
            ReliefStatus::InForce,
            Some(d(2026, 2, 1)),
            Some(d(2026, 5, 2))
        )
    );
    let eu = relief(&s, "eu-gl");
    assert_eq!(
        (eu.status, eu.until),
        (ReliefStatus::Scheduled, Some(d(2026, 2, 20)))
    );

    let s = eval(&a, &log, "2026-05-10");
    let gl1 = relief(&s, "gl-1");
    assert_eq!(
        (gl1.status, gl1.until, gl1.renewals),
        (ReliefStatus::InForce, Some(d(2026, 8, 2)), 1)
    );
    assert_eq!(relief(&s, "eu-gl").since, Some(d(2026, 2, 20)));

    let s = eval(&a, &log, "2026-07-05");
    let eu = relief(&s, "eu-gl");
    assert_eq!(
        (eu.status, eu.since),
        (ReliefStatus::Expired, Some(d(2026, 6, 30)))
    );
    let eu_rollup = s
        .relief_by_measure
        .iter()
        .find(|m| m.jurisdiction == "EU")
        .unwrap();
    assert!(eu_rollup.in_force.is_empty());

    let s = eval(&a, &log, "2026-09-15");
    let gl1 = relief(&s, "gl-1");
    assert_eq!(
        (gl1.status, gl1.until, gl1.renewals),
        (ReliefStatus::InForce, Some(d(2026, 11, 2)), 2)
    );

    let s = eval(&a, &log, "2026-10-05");
    let gl1 = relief(&s, "gl-1");
    assert_eq!(gl1.status, ReliefStatus::Superseded);
    assert_eq!(gl1.superseded_by.as_ref().map(|a| a.as_str()), Some("gl-2"));
    assert_eq!(relief(&s, "gl-2").status, ReliefStatus::InForce);
}

#[test]
fn a_licence_does_not_renew_while_its_unless_condition_holds() {
    let a = licensing();
    let mut log = Log::default();
    log.event("2026-02-01", "report", d(2026, 2, 1));
    log.evidence(
        "2026-04-10",
        "audit",
        "no-diversion",
        quarter(1),
        flag(false),
    );
    let s = eval(&a, &log, "2026-05-10");
    let gl1 = relief(&s, "gl-1");
    assert_eq!(
        (gl1.status, gl1.since, gl1.renewals),
        (ReliefStatus::Expired, Some(d(2026, 5, 2)), 0)
    );
    assert!(gl1.reasons.iter().any(|r| r.detail
        == "not renewed on 2026-05-02: `all(c1) noncompliant for 1 review` holds at that expiry"));
}

#[test]
fn exemptions_stay_in_force_through_breach_and_revocation() {
    let a = nuclear();
    let mut log = Log::default();
    log.evidence(
        "2026-04-05",
        "iaea",
        "enrichment",
        quarter(1),
        qty(9.0, "percent"),
    );
    log.push(
        "2026-04-06",
        &["usa"],
        Statement::Decision(Decision {
            act: DecisionAct::Revoke,
            relief: ReliefRef::Phase(id("p1")),
            effective: d(2026, 4, 6).into(),
            reason: "snapback".into(),
            until: None,
            wind_down: None,
            by: None,
            entities: Vec::new(),
        }),
    );
    let s = eval(&a, &log, "2026-06-01");
    assert_eq!(s.exemptions.len(), 1);
    assert!(s.exemptions[0].in_force);
    assert_eq!(s.exemptions[0].reasons[0].rule, "exemption.always");
}

#[test]
fn an_amendment_governs_from_its_effective_date_once_every_signatory_signed() {
    let v1 = nuclear();
    let mut v2 = nuclear();
    v2.version = 2;
    v2.signatories = vec![id("usa"), id("target")];
    v2.effective = accord_core::rule::DateRule::On(d(2026, 7, 1));
    if let accord_core::agreement::IndicatorTarget::Threshold { limit, .. } =
        &mut v2.indicators[0].target
    {
        *limit = 3.5;
    }
    let mut log = Log::default();
    log.evidence(
        "2026-10-05",
        "iaea",
        "enrichment",
        quarter(3),
        qty(3.6, "percent"),
    );
    let versions = [v1, v2];
    let s = evaluate(&versions, &log.entries, at("2026-10-10")).unwrap();
    assert_eq!(s.version, 1);
    assert!(!s.versions[1].in_force);
    assert_eq!(
        indicator_review(&s, "enrichment", 3),
        IndicatorStatus::Compliant
    );

    let sign = |log: &mut Log, who: &str| {
        log.push(
            "2026-06-20",
            &[who],
            Statement::AmendmentSignature(AmendmentSignature {
                version: 2,
                document_sha256: "00".repeat(32),
            }),
        );
    };
    sign(&mut log, "usa");
    sign(&mut log, "target");
    let s = evaluate(&versions, &log.entries, at("2026-10-10")).unwrap();
    assert_eq!(s.version, 2);
    assert_eq!(
        indicator_review(&s, "enrichment", 3),
        IndicatorStatus::Noncompliant
    );
    // Reviews before the amendment stay under version 1.
    assert_eq!(s.reviews[1].version, 1);
    assert_eq!(s.reviews[2].version, 2);
}

#[test]
fn a_signature_on_another_text_does_not_bring_the_amendment_into_force() {
    // Version 2 read from a text whose SHA-256 is known: a signatory's signature naming
    // another text (an earlier draft) is not a signature on this version; it is rejected
    // with its reason, and the version waits for a signature on its own text.
    let v1 = nuclear();
    let mut v2 = nuclear();
    v2.version = 2;
    v2.signatories = vec![id("usa"), id("target")];
    v2.effective = accord_core::rule::DateRule::On(d(2026, 7, 1));
    v2.document_sha256 = Some("ab".repeat(32));
    let versions = [v1, v2];
    let sign = |log: &mut Log, who: &str, sha: &str| {
        log.push(
            "2026-06-20",
            &[who],
            Statement::AmendmentSignature(AmendmentSignature {
                version: 2,
                document_sha256: sha.to_owned(),
            }),
        );
    };
    let mut log = Log::default();
    sign(&mut log, "usa", &"ab".repeat(32));
    sign(&mut log, "target", &"cd".repeat(32));
    let s = evaluate(&versions, &log.entries, at("2026-10-10")).unwrap();
    assert_eq!(s.version, 1);
    assert!(!s.versions[1].in_force);
    let rejected = serde_json::to_string(&s.rejected).unwrap();
    assert!(rejected.contains("not the text of version 2"), "{rejected}");
    // The same signature in upper-case hex is the same text.
    sign(&mut log, "target", &"AB".repeat(32));
    let s = evaluate(&versions, &log.entries, at("2026-10-10")).unwrap();
    assert_eq!(s.version, 2);
    assert!(s.versions[1].in_force);
}

#[test]
fn the_timeline_lists_each_change_on_the_day_it_became_known() {
    let a = nuclear();
    let log = compliant_half_year();
    let changes = timeline(std::slice::from_ref(&a), &log.entries, None, d(2026, 8, 1)).unwrap();
    let of = |subject: &str| -> Vec<(jiff::civil::Date, Option<String>, String)> {
        changes
            .iter()
            .filter(|c| c.subject == subject)
            .map(|c| (c.date, c.from.clone(), c.to.clone()))
            .collect()
    };
    assert_eq!(
        of("phase p1"),
        vec![
            (d(2026, 1, 1), None, "not_reached".to_owned()),
            (
                d(2026, 7, 6),
                Some("not_reached".to_owned()),
                "reached on 2026-07-06".to_owned()
            ),
        ]
    );
    assert_eq!(
        of("relief us-oil"),
        vec![
            (d(2026, 1, 1), None, "scheduled".to_owned()),
            (
                d(2026, 7, 6),
                Some("scheduled".to_owned()),
                "granted".to_owned()
            ),
        ]
    );
    assert_eq!(
        of("indicator enrichment review 1"),
        vec![
            (d(2026, 1, 1), None, "missing".to_owned()),
            (
                d(2026, 4, 10),
                Some("missing".to_owned()),
                "compliant".to_owned()
            ),
        ]
    );
    // Stockpile's second-quarter quorum needs two monitors: between the first report
    // (5 July) and the second (6 July) it is still missing, then compliant.
    assert_eq!(
        of("indicator stockpile review 2"),
        vec![
            (d(2026, 4, 1), None, "missing".to_owned()),
            (
                d(2026, 7, 6),
                Some("missing".to_owned()),
                "compliant".to_owned()
            ),
        ]
    );
    assert!(changes.iter().all(|c| !c.reasons.is_empty()));
}

#[test]
fn incremental_appends_match_a_full_replay_in_a_scenario() {
    let a = nuclear();
    let log = compliant_half_year();
    let mut ev = Evaluator::new(std::slice::from_ref(&a)).unwrap();
    for (i, e) in log.entries.iter().enumerate() {
        ev.append(e);
        let when = e.recorded_at;
        let full = evaluate(std::slice::from_ref(&a), &log.entries[..=i], when).unwrap();
        assert_eq!(ev.state(when).unwrap(), full, "after entry {i}");
    }
    // An earlier cut on the same evaluator sees only what was recorded by then.
    let early = at("2026-04-10T23:00:00Z");
    assert_eq!(
        ev.state(early).unwrap(),
        evaluate(std::slice::from_ref(&a), &log.entries, early).unwrap()
    );
}

#[test]
fn counts_grades_and_deadlines_are_judged_by_their_own_rules() {
    use accord_core::agreement::{Comparison, IndicatorTarget, Tolerance};
    let mut a = nuclear();
    let v = || verification(&["iaea"], 1, Tolerance::Exact);
    a.indicators = vec![
        indicator(
            "centrifuges",
            "c1",
            IndicatorTarget::Count {
                comparison: Comparison::AtMost,
                limit: 5060,
            },
            v(),
        ),
        indicator(
            "safeguards",
            "c1",
            IndicatorTarget::Grade {
                scale: vec!["poor".into(), "fair".into(), "good".into()],
                pass: "fair".into(),
            },
            v(),
        ),
        indicator(
            "declaration",
            "c2",
            IndicatorTarget::Deadline {
                // "90 days after adoption"
                due: plus(accord_core::rule::DateRule::Event(id("adoption")), "P90D"),
            },
            v(),
        ),
    ];
    let grade = |g: &str| Observation::Grade { value: g.into() };
    let date = |d: jiff::civil::Date| Observation::Date { value: d };
    let mut log = Log::default();
    log.evidence(
        "2026-04-05",
        "iaea",
        "centrifuges",
        quarter(1),
        Observation::Count { value: 5000 },
    );
    log.evidence(
        "2026-04-05",
        "iaea",
        "safeguards",
        quarter(1),
        grade("good"),
    );
    log.evidence(
        "2026-04-05",
        "iaea",
        "declaration",
        quarter(1),
        date(d(2026, 3, 15)),
    );
    log.evidence(
        "2026-07-05",
        "iaea",
        "centrifuges",
        quarter(2),
        Observation::Count { value: 6000 },
    );
    log.evidence(
        "2026-07-05",
        "iaea",
        "safeguards",
        quarter(2),
        grade("poor"),
    );
    log.evidence(
        "2026-07-05",
        "iaea",
        "declaration",
        quarter(2),
        date(d(2026, 4, 10)),
    );
    let excellent = log.evidence(
        "2026-07-05",
        "iaea",
        "safeguards",
        quarter(2),
        grade("excellent"),
    );
    let s = eval(&a, &log, "2026-07-10");
    for ind in ["centrifuges", "safeguards", "declaration"] {
        assert_eq!(
            indicator_review(&s, ind, 1),
            IndicatorStatus::Compliant,
            "{ind}"
        );
        // A deadline done after its due date is met late, not a breach for ever.
        let late = if ind == "declaration" {
            IndicatorStatus::MetLate
        } else {
            IndicatorStatus::Noncompliant
        };
        assert_eq!(indicator_review(&s, ind, 2), late, "{ind}");
    }
    assert_eq!(
        s.indicators[2].periods[1].reasons[0].detail,
        "1 agreeing report(s), quorum 1: done on 2026-04-10, due 2026-04-01"
    );
    assert_eq!(
        rejection(&s, excellent),
        "`excellent` is not a grade of indicator `safeguards` (grades: poor, fair, good)"
    );
}

#[test]
fn a_retracted_event_no_longer_dates_anything() {
    let a = licensing();
    let mut log = Log::default();
    let report = log.event("2026-02-01", "report", d(2026, 2, 1));
    let s = eval(&a, &log, "2026-02-10");
    assert_eq!(phase(&s, "p1").status, PhaseStatus::Reached);
    log.push(
        "2026-02-11",
        &["usa"],
        Statement::Retraction(Retraction {
            retracts: report,
            reason: "recorded in error".into(),
        }),
    );
    let s = eval(&a, &log, "2026-02-12");
    assert_eq!(phase(&s, "p1").status, PhaseStatus::NotReached);
    assert_eq!(phase(&s, "p1").remains[0].detail, "not recorded yet");
    assert_eq!(relief(&s, "gl-1").status, ReliefStatus::Scheduled);
    // Recording an event whose date the agreement fixes is refused.
    let fixed = log.event("2026-02-13", "adoption", d(2026, 1, 2));
    let s = eval(&a, &log, "2026-02-14");
    assert_eq!(
        rejection(&s, fixed),
        "event `adoption` has a date fixed by the agreement; it is not recorded"
    );
}

#[test]
fn the_licence_timeline_shows_renewals_and_expiry_on_their_dates() {
    let a = licensing();
    let mut log = licensed_half_year();
    log.evidence(
        "2026-10-10",
        "audit",
        "no-diversion",
        quarter(3),
        flag(true),
    );
    let changes = timeline(
        std::slice::from_ref(&a),
        &log.entries,
        None,
        d(2026, 12, 31),
    )
    .unwrap();
    let gl1: Vec<(jiff::civil::Date, String)> = changes
        .iter()
        .filter(|c| c.subject == "relief gl-1")
        .map(|c| (c.date, c.to.clone()))
        .collect();
    assert_eq!(
        gl1,
        vec![
            (d(2026, 1, 1), "scheduled".to_owned()),
            (d(2026, 2, 1), "granted until 2026-05-02".to_owned()),
            (d(2026, 5, 2), "granted until 2026-08-02".to_owned()),
            (d(2026, 8, 2), "granted until 2026-11-02".to_owned()),
            (d(2026, 11, 2), "expired".to_owned()),
        ]
    );
    let eu: Vec<(jiff::civil::Date, String)> = changes
        .iter()
        .filter(|c| c.subject == "relief eu-gl")
        .map(|c| (c.date, c.to.clone()))
        .collect();
    assert_eq!(eu.last().unwrap(), &(d(2026, 6, 30), "expired".to_owned()));
}

#[test]
fn an_overdue_report_holds_the_relief_that_rests_on_it_until_it_comes() {
    let a = nuclear();
    let mut log = compliant_half_year();
    log.evidence(
        "2026-10-05",
        "iaea",
        "enrichment",
        quarter(3),
        qty(3.5, "percent"),
    );
    // The stockpile report for the third quarter is due by 30 October.
    let s = eval(&a, &log, "2026-10-20");
    assert_eq!(relief(&s, "us-oil").status, ReliefStatus::InForce);
    let s = eval(&a, &log, "2026-11-05");
    assert_eq!(
        indicator_review(&s, "stockpile", 3),
        IndicatorStatus::Overdue
    );
    assert_eq!(phase(&s, "p1").status, PhaseStatus::Reached);
    let oil = relief(&s, "us-oil");
    assert_eq!(oil.status, ReliefStatus::Suspended);
    assert_eq!(oil.reasons[0].rule, "relief.held");
    assert_eq!(
        oil.reasons[0].detail,
        "held while the report on `stockpile` for 2026-07-01 to 2026-09-30 is overdue (commitment `c2`, overdue policy: hold relief)"
    );
    log.evidence(
        "2026-11-06",
        "iaea",
        "stockpile",
        quarter(3),
        qty(250.0, "kg_u"),
    );
    log.evidence(
        "2026-11-06",
        "sat",
        "stockpile",
        quarter(3),
        qty(251.0, "kg_u"),
    );
    let s = eval(&a, &log, "2026-11-07");
    assert_eq!(
        indicator_review(&s, "stockpile", 3),
        IndicatorStatus::Compliant
    );
    assert_eq!(relief(&s, "us-oil").status, ReliefStatus::InForce);
}

#[test]
fn a_replacement_that_has_taken_effect_stands_when_the_new_licence_is_held() {
    let mut a = licensing();
    a.phases[1].entry = accord_core::rule::Condition::DatePassed {
        date: accord_core::rule::DateRule::On(d(2026, 10, 1)),
    };
    let mut log = licensed_half_year();
    let hold = log.push(
        "2026-10-20",
        &["usa"],
        Statement::Decision(Decision {
            act: DecisionAct::Hold,
            relief: ReliefRef::Action(id("gl-2")),
            effective: d(2026, 10, 20).into(),
            reason: "review of the licence's scope".into(),
            until: None,
            wind_down: None,
            by: None,
            entities: Vec::new(),
        }),
    );
    let s = eval(&a, &log, "2026-10-25");
    let gl2 = relief(&s, "gl-2");
    assert_eq!(gl2.status, ReliefStatus::Suspended);
    assert_eq!(gl2.reasons[0].entries, vec![hold]);
    // GL 1 was replaced on 1 October and does not come back while GL 2 is held.
    let gl1 = relief(&s, "gl-1");
    assert_eq!(
        (gl1.status, gl1.since),
        (ReliefStatus::Superseded, Some(d(2026, 10, 1)))
    );
    assert_eq!(gl1.superseded_by.as_ref().map(|a| a.as_str()), Some("gl-2"));
}
