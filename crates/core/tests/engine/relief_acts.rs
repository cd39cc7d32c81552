//! Relief acts of the authority: revocation and non-renewal with their own wind-down,
//! extensions of a running wind-down (the latest act decides), renewals that run from the
//! date they state, renewal conditions judged at each expiry, lapses the agreement
//! foresees, amendments, replacements and designations — at the instants on either side
//! of each boundary.

use accord_core::agreement::Agreement;
use accord_core::engine::evaluate;
use accord_core::engine::state::{ActionState, ReliefStatus, State};
use accord_core::statement::*;
use accord_core::time::Date;

use super::builder::*;

fn eval(a: &Agreement, log: &Log, when: &str) -> State {
    evaluate(std::slice::from_ref(a), &log.entries, at(when)).unwrap()
}

fn relief<'s>(s: &'s State, a: &str) -> &'s ActionState {
    s.relief(a).unwrap()
}

fn status(s: &State, a: &str) -> (ReliefStatus, Option<Date>, Option<Date>) {
    let x = relief(s, a);
    (x.status, x.since, x.until)
}

/// Records a decision by `author` on an action.
fn decide(
    log: &mut Log,
    when: &str,
    author: &str,
    act: DecisionAct,
    action: &str,
    effective: Date,
    with: impl FnOnce(&mut Decision),
) -> LogIndex {
    let mut decision = Decision::new(
        act,
        ReliefRef::Action(id(action)),
        effective,
        "the authority's reason",
    );
    with(&mut decision);
    log.push(when, &[author], Statement::Decision(decision))
}

/// The licensing agreement with phase p1 reached on 2026-02-01 (the monitor's report):
/// GL 1 (US) until 2026-05-02, renewing for three months unless c1 is non-compliant, and
/// the EU licence until 2026-06-30.
fn licensed() -> (Agreement, Log) {
    let mut log = Log::default();
    log.event("2026-02-01", "report", d(2026, 2, 1));
    (licensing(), log)
}

#[test]
fn a_revocation_winds_down_over_its_own_period_and_the_latest_extension_decides() {
    let (a, mut log) = licensed();
    decide(
        &mut log,
        "2026-02-20",
        "eu",
        DecisionAct::Revoke,
        "eu-gl",
        d(2026, 3, 1),
        |x| {
            x.wind_down = Some(dur("P30D"));
        },
    );
    let s = eval(&a, &log, "2026-02-28T23:59:59Z");
    assert_eq!(relief(&s, "eu-gl").status, ReliefStatus::Granted);
    let s = eval(&a, &log, "2026-03-01T00:00:00Z");
    assert_eq!(
        status(&s, "eu-gl"),
        (
            ReliefStatus::WindDown,
            Some(d(2026, 3, 1)),
            Some(d(2026, 3, 31))
        )
    );
    assert_eq!(relief(&s, "eu-gl").reasons[0].rule, "decision.wind_down");
    let s = eval(&a, &log, "2026-03-30T23:59:59Z");
    assert_eq!(relief(&s, "eu-gl").status, ReliefStatus::WindDown);
    let s = eval(&a, &log, "2026-03-31T00:00:00Z");
    assert_eq!(
        status(&s, "eu-gl"),
        (ReliefStatus::Reimposed, Some(d(2026, 3, 31)), None)
    );

    // Extended on 10 March until 15 April, then on 1 April until 1 May: the latest act
    // decides (the second extension does not reimpose at the first one's end).
    decide(
        &mut log,
        "2026-03-10",
        "eu",
        DecisionAct::ExtendWindDown,
        "eu-gl",
        d(2026, 3, 10),
        |x| {
            x.until = Some(d(2026, 4, 15).into());
        },
    );
    let s = eval(&a, &log, "2026-03-31T00:00:00Z");
    assert_eq!(
        status(&s, "eu-gl"),
        (
            ReliefStatus::WindDown,
            Some(d(2026, 3, 1)),
            Some(d(2026, 4, 15))
        )
    );
    decide(
        &mut log,
        "2026-04-01",
        "eu",
        DecisionAct::ExtendWindDown,
        "eu-gl",
        d(2026, 4, 1),
        |x| {
            x.until = Some(d(2026, 5, 1).into());
        },
    );
    for when in ["2026-04-15T00:00:00Z", "2026-04-30T23:59:59Z"] {
        let s = eval(&a, &log, when);
        assert_eq!(
            status(&s, "eu-gl"),
            (
                ReliefStatus::WindDown,
                Some(d(2026, 3, 1)),
                Some(d(2026, 5, 1))
            ),
            "{when}"
        );
    }
    let s = eval(&a, &log, "2026-05-01T00:00:00Z");
    assert_eq!(
        status(&s, "eu-gl"),
        (ReliefStatus::Reimposed, Some(d(2026, 5, 1)), None)
    );
    assert!(s.rejected.is_empty(), "{:?}", s.rejected);
    let extension = s.decision(LogIndex(3)).unwrap();
    assert_eq!(extension.act, DecisionAct::ExtendWindDown);
    assert_eq!(extension.until, Some(d(2026, 5, 1)));
    assert!(!extension.departure);
}

#[test]
fn an_extension_of_a_wind_down_that_has_not_begun_is_rejected_with_its_reason() {
    let (a, mut log) = licensed();
    let e = decide(
        &mut log,
        "2026-03-01",
        "usa",
        DecisionAct::ExtendWindDown,
        "gl-1",
        d(2026, 3, 1),
        |x| {
            x.until = Some(d(2026, 6, 1).into());
        },
    );
    let s = eval(&a, &log, "2026-03-02");
    assert_eq!(relief(&s, "gl-1").status, ReliefStatus::Granted);
    let rejected = s.rejected.iter().find(|r| r.entry == e).unwrap();
    assert_eq!(
        rejected.reason,
        "extends a wind-down of `gl-1` that is not running on 2026-03-01: it has not begun (or is already over); a wind-down is extended while it runs"
    );
    assert!(s.decision(e).is_none());
    // Ill-formed acts are rejected too: a replacement that names no replacement, an
    // amendment without its new expiry, a wind-down on a grant.
    let mut log = licensed().1;
    let r = decide(
        &mut log,
        "2026-03-01",
        "usa",
        DecisionAct::Replace,
        "gl-1",
        d(2026, 3, 1),
        |_| {},
    );
    let m = decide(
        &mut log,
        "2026-03-01",
        "usa",
        DecisionAct::Amend,
        "gl-1",
        d(2026, 3, 1),
        |_| {},
    );
    let g = decide(
        &mut log,
        "2026-03-01",
        "usa",
        DecisionAct::Grant,
        "gl-1",
        d(2026, 3, 1),
        |x| {
            x.wind_down = Some(dur("P10D"));
        },
    );
    let s = eval(&a, &log, "2026-03-02");
    let why = |i: LogIndex| {
        s.rejected
            .iter()
            .find(|r| r.entry == i)
            .unwrap()
            .reason
            .clone()
    };
    assert_eq!(
        why(r),
        "a replacement names the action that replaces the relief (`by`)"
    );
    assert_eq!(why(m), "an amendment states the new expiry (`until`)");
    assert_eq!(
        why(g),
        "only a revocation or a non-renewal (`let_expire`) has a wind-down"
    );
}

#[test]
fn a_renewal_runs_from_the_date_it_states_and_an_amendment_sets_the_expiry() {
    let (a, mut log) = licensed();
    // The EU licence runs 2026-02-01 to 2026-06-30 (149 days). Renewed on 1 June, before
    // it expires, for the same length from that date: until 2026-10-28.
    decide(
        &mut log,
        "2026-05-20",
        "eu",
        DecisionAct::Renew,
        "eu-gl",
        d(2026, 6, 1),
        |_| {},
    );
    let s = eval(&a, &log, "2026-07-01");
    let x = relief(&s, "eu-gl");
    assert_eq!(
        (x.status, x.until, x.renewals),
        (ReliefStatus::Granted, Some(d(2026, 10, 28)), 1)
    );
    let s = eval(&a, &log, "2026-10-27T23:59:59Z");
    assert_eq!(relief(&s, "eu-gl").status, ReliefStatus::Granted);
    let s = eval(&a, &log, "2026-10-28T00:00:00Z");
    assert_eq!(
        status(&s, "eu-gl"),
        (ReliefStatus::Expired, Some(d(2026, 10, 28)), None)
    );
    // An amendment on 1 August brings the expiry forward to 1 September; a renewal on 15
    // August states its own end: the latest act decides.
    decide(
        &mut log,
        "2026-08-01",
        "eu",
        DecisionAct::Amend,
        "eu-gl",
        d(2026, 8, 1),
        |x| {
            x.until = Some(d(2026, 9, 1).into());
        },
    );
    let s = eval(&a, &log, "2026-08-10");
    assert_eq!(relief(&s, "eu-gl").until, Some(d(2026, 9, 1)));
    decide(
        &mut log,
        "2026-08-15",
        "eu",
        DecisionAct::Renew,
        "eu-gl",
        d(2026, 8, 15),
        |x| {
            x.until = Some(d(2026, 12, 31).into());
        },
    );
    let s = eval(&a, &log, "2026-12-30");
    assert_eq!(relief(&s, "eu-gl").until, Some(d(2026, 12, 31)));
    // A renewal decided after the licence lapsed runs from its own date.
    let (a, mut log) = licensed();
    decide(
        &mut log,
        "2026-07-10",
        "eu",
        DecisionAct::Renew,
        "eu-gl",
        d(2026, 7, 10),
        |x| {
            x.until = Some(d(2026, 9, 30).into());
        },
    );
    let s = eval(&a, &log, "2026-07-09");
    assert_eq!(relief(&s, "eu-gl").status, ReliefStatus::Expired);
    let s = eval(&a, &log, "2026-07-10");
    assert_eq!(
        status(&s, "eu-gl"),
        (
            ReliefStatus::Granted,
            Some(d(2026, 7, 10)),
            Some(d(2026, 9, 30))
        )
    );
}

/// The monitor's flag on c1 for a quarter, recorded ten days after it ends.
fn flag_for(log: &mut Log, q: i16, value: bool) {
    let recorded = match q {
        1 => "2026-04-10",
        2 => "2026-07-10",
        _ => "2026-10-10",
    };
    log.evidence(recorded, "audit", "no-diversion", quarter(q), flag(value));
}

#[test]
fn a_renewal_condition_is_judged_at_each_expiry_not_on_the_evaluation_date() {
    let (a, mut log) = licensed();
    flag_for(&mut log, 1, true);
    flag_for(&mut log, 2, false);
    // On 2 May c1 was compliant: GL 1 renewed until 2 August. On 2 August the second
    // quarter's breach (known on 10 July) blocks the next renewal.
    let s = eval(&a, &log, "2026-08-01T23:59:59Z");
    let x = relief(&s, "gl-1");
    assert_eq!(
        (x.status, x.until, x.renewals),
        (ReliefStatus::Granted, Some(d(2026, 8, 2)), 1)
    );
    let s = eval(&a, &log, "2026-08-02T00:00:00Z");
    let x = relief(&s, "gl-1");
    assert_eq!(
        (x.status, x.since, x.renewals),
        (ReliefStatus::Expired, Some(d(2026, 8, 2)), 1)
    );
    assert!(
        x.reasons.iter().any(
            |r| r.rule == "relief.renewal" && r.detail.starts_with("not renewed on 2026-08-02")
        )
    );
}

#[test]
fn letting_a_licence_lapse_as_the_agreement_foresees_is_not_a_departure() {
    // Breach in the first quarter: at its expiry on 2 May GL 1 would not renew.
    let (a, mut log) = licensed();
    flag_for(&mut log, 1, false);
    let e = decide(
        &mut log,
        "2026-04-20",
        "usa",
        DecisionAct::LetExpire,
        "gl-1",
        d(2026, 4, 20),
        |_| {},
    );
    let s = eval(&a, &log, "2026-05-10");
    let decision = s.decision(e).unwrap();
    assert!(!decision.departure, "{:?}", decision.reasons);
    assert_eq!(relief(&s, "gl-1").status, ReliefStatus::Expired);
    // Compliant first quarter: the agreement renews it automatically, so letting it lapse
    // departs from it.
    let (a, mut log) = licensed();
    flag_for(&mut log, 1, true);
    let e = decide(
        &mut log,
        "2026-04-20",
        "usa",
        DecisionAct::LetExpire,
        "gl-1",
        d(2026, 4, 20),
        |_| {},
    );
    let s = eval(&a, &log, "2026-05-10");
    assert!(s.decision(e).unwrap().departure);
    assert_eq!(relief(&s, "gl-1").status, ReliefStatus::Expired);
}

#[test]
fn a_non_renewal_with_a_wind_down_expires_into_it() {
    let (a, mut log) = licensed();
    decide(
        &mut log,
        "2026-06-01",
        "eu",
        DecisionAct::LetExpire,
        "eu-gl",
        d(2026, 6, 1),
        |x| {
            x.wind_down = Some(dur("P20D"));
        },
    );
    let s = eval(&a, &log, "2026-06-29T23:59:59Z");
    assert_eq!(relief(&s, "eu-gl").status, ReliefStatus::Granted);
    let s = eval(&a, &log, "2026-06-30T00:00:00Z");
    assert_eq!(
        status(&s, "eu-gl"),
        (
            ReliefStatus::WindDown,
            Some(d(2026, 6, 30)),
            Some(d(2026, 7, 20))
        )
    );
    let s = eval(&a, &log, "2026-07-19T23:59:59Z");
    assert_eq!(relief(&s, "eu-gl").status, ReliefStatus::WindDown);
    let s = eval(&a, &log, "2026-07-20T00:00:00Z");
    assert_eq!(
        status(&s, "eu-gl"),
        (ReliefStatus::Expired, Some(d(2026, 7, 20)), None)
    );
}

#[test]
fn a_replacement_supersedes_the_licence_and_issues_its_successor_from_its_date() {
    let (a, mut log) = licensed();
    let e = decide(
        &mut log,
        "2026-03-01",
        "usa",
        DecisionAct::Replace,
        "gl-1",
        d(2026, 3, 15),
        |x| {
            x.by = Some(id("gl-2"));
        },
    );
    let s = eval(&a, &log, "2026-03-14T23:59:59Z");
    assert_eq!(relief(&s, "gl-1").status, ReliefStatus::Granted);
    assert_eq!(relief(&s, "gl-2").status, ReliefStatus::Scheduled);
    let s = eval(&a, &log, "2026-03-15T00:00:00Z");
    let old = relief(&s, "gl-1");
    assert_eq!(
        (old.status, old.since),
        (ReliefStatus::Superseded, Some(d(2026, 3, 15)))
    );
    assert_eq!(old.superseded_by.as_ref().map(|x| x.as_str()), Some("gl-2"));
    assert_eq!(
        status(&s, "gl-2"),
        (ReliefStatus::Granted, Some(d(2026, 3, 15)), None)
    );
    assert_eq!(relief(&s, "gl-2").reasons[0].rule, "decision.replace");
    let decision = s.decision(e).unwrap();
    assert_eq!(decision.by.as_ref().map(|x| x.as_str()), Some("gl-2"));
    assert!(!decision.departure);
}

#[test]
fn designations_as_a_calibrated_response_are_recorded_and_change_no_relief() {
    let (a, mut log) = licensed();
    let e = decide(
        &mut log,
        "2026-03-01",
        "usa",
        DecisionAct::Designate,
        "gl-1",
        d(2026, 3, 1),
        |x| {
            x.entities = vec!["Caldera Petroleum".into(), "ofac-sdn:36001".into()];
        },
    );
    let s = eval(&a, &log, "2026-03-02");
    assert_eq!(relief(&s, "gl-1").status, ReliefStatus::Granted);
    let decision = s.decision(e).unwrap();
    assert_eq!(decision.act, DecisionAct::Designate);
    assert_eq!(decision.entities, ["Caldera Petroleum", "ofac-sdn:36001"]);
    assert!(!decision.departure);
    assert_eq!(decision.reasons[0].rule, "decision.designate");
}
