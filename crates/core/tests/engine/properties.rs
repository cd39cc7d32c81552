//! Property tests over arbitrary logs (of the kind the ledger accepts: any statement,
//! signed by anyone, referring to anything).

use accord_core::agreement::Agreement;
use accord_core::engine::state::State;
use accord_core::engine::{Evaluator, Look, evaluate};
use accord_core::statement::*;
use accord_core::time::{Date, Instant, Period};
use proptest::prelude::*;

use super::builder::*;

#[derive(Debug, Clone)]
enum Spec {
    Evidence(Ev),
    Correction(u64, Ev),
    Retraction(u64, usize),
    Event(i64),
    Decision(usize, usize, i64, usize),
    Sign(usize),
    /// A dispute step: which step, who, which dispute (the third is the name the overdue
    /// policy gives the stockpile's first quarter), which day (for extensions).
    Dispute(usize, usize, usize, i64),
    /// A trigger step: which step, who, which trigger.
    Trigger(usize, usize, usize),
    /// A participation change: who, which change, which day.
    Participation(usize, usize, i64),
}

#[derive(Debug, Clone)]
struct Ev {
    indicator: usize,
    author: usize,
    period: usize,
    value: usize,
    amount: f64,
}

const INDICATORS: [&str; 3] = ["enrichment", "stockpile", "bogus"];
const AUTHORS: [&str; 6] = ["iaea", "sat", "target", "usa", "audit", "nobody"];
const UNITS: [&str; 4] = ["percent", "kg_u", "kg_uf6", "lbs"];

fn days() -> impl Strategy<Value = i64> {
    prop_oneof![4 => 0..150i64, 1 => 150..540i64]
}

fn ev_strategy() -> impl Strategy<Value = Ev> {
    // Mostly evidence that counts (assigned monitors, declared units), some that does not.
    let indicator = prop_oneof![3 => Just(0usize), 3 => Just(1usize), 1 => Just(2usize)];
    let author = prop_oneof![4 => Just(0usize), 4 => Just(1usize), 2 => 2..6usize];
    let period = prop_oneof![6 => 0..3usize, 1 => 3..8usize];
    let value = prop_oneof![6 => 0..3usize, 1 => 3..6usize];
    (indicator, author, period, value, 0.0..500.0f64).prop_map(
        |(indicator, author, period, value, amount)| Ev {
            indicator,
            author,
            period,
            value,
            amount: (amount * 10.0).round() / 10.0,
        },
    )
}

fn spec_strategy() -> impl Strategy<Value = Spec> {
    prop_oneof![
        6 => ev_strategy().prop_map(Spec::Evidence),
        1 => (0..40u64, ev_strategy()).prop_map(|(t, e)| Spec::Correction(t, e)),
        1 => (0..40u64, 0..6usize).prop_map(|(t, a)| Spec::Retraction(t, a)),
        1 => (0..400i64).prop_map(Spec::Event),
        1 => (0..9usize, 0..5usize, 0..500i64, 0..2usize).prop_map(|(a, r, e, w)| Spec::Decision(a, r, e, w)),
        1 => (0..3usize).prop_map(Spec::Sign),
        2 => (0..9usize, 0..4usize, prop_oneof![4 => 0..2usize, 1 => Just(2usize)], 0..200i64).prop_map(|(k, w, n, o)| Spec::Dispute(k, w, n, o)),
        2 => (0..4usize, 0..4usize, 0..2usize).prop_map(|(k, w, t)| Spec::Trigger(k, w, t)),
        1 => (0..3usize, 0..3usize, 0..300i64).prop_map(|(w, c, o)| Spec::Participation(w, c, o)),
    ]
}

fn evidence(e: &Ev) -> (&'static str, Evidence) {
    let period: Period = match e.period {
        0..=4 => quarter(e.period as i16 + 1),
        5 => period(d(2026, 2, 1), d(2026, 5, 31)),
        6 => period(d(2025, 10, 1), d(2025, 12, 31)),
        // At the end of the calendar: grace and cure windows fall off it.
        _ => period(d(9999, 12, 1), d(9999, 12, 31)),
    };
    let value = match e.value {
        // Amounts that make enrichment and stockpile reports land on both sides of their
        // caps and sometimes within the monitors' tolerance of each other.
        0..=2 if e.indicator == 0 => qty(e.amount / 100.0 + 2.5, "percent"),
        0..=2 => qty(e.amount / 2.0 + 100.0, UNITS[1 + e.value % 2]),
        3 => qty(e.amount, UNITS[3]),
        4 => flag(e.amount > 250.0),
        _ => Observation::Count {
            value: e.amount as u64,
        },
    };
    let author = AUTHORS[e.author];
    let method = match author {
        "target" => Method::SelfReport,
        "sat" => Method::RemoteSensing,
        _ => Method::OnSiteInspection,
    };
    (author, ev(INDICATORS[e.indicator], period, value, method))
}

fn day(offset: i64) -> jiff::civil::Date {
    d(2026, 1, 1)
        .checked_add(jiff::Span::new().days(offset))
        .unwrap()
}

/// Builds a log from specs and gaps (in hours; 0 gives equal record times).
fn build(specs: &[(Spec, i64)]) -> Vec<LoggedStatement> {
    let mut log = Vec::new();
    let mut time: Instant = at("2026-01-01T00:00:00Z");
    for (i, (spec, gap)) in specs.iter().enumerate() {
        time = time
            .checked_add(jiff::SignedDuration::from_hours(*gap))
            .unwrap();
        let (authors, statement): (Vec<&str>, Statement) = match spec {
            Spec::Evidence(e) => {
                let (a, e) = evidence(e);
                (vec![a], Statement::Evidence(e))
            }
            Spec::Correction(t, e) => {
                let (a, e) = evidence(e);
                (
                    vec![a],
                    Statement::Correction(Correction {
                        supersedes: LogIndex(*t),
                        evidence: e,
                        reason: "fix".into(),
                    }),
                )
            }
            Spec::Retraction(t, a) => (
                vec![AUTHORS[*a]],
                Statement::Retraction(Retraction {
                    retracts: LogIndex(*t),
                    reason: "withdrawn".into(),
                }),
            ),
            Spec::Event(o) => (
                vec!["usa"],
                Statement::EventOccurred(EventOccurred {
                    event: id(if o % 3 == 0 { "adoption" } else { "report" }),
                    on: day(*o).into(),
                    note: None,
                }),
            ),
            Spec::Decision(act, r, e, who) => {
                let acts = [
                    DecisionAct::Grant,
                    DecisionAct::Hold,
                    DecisionAct::Revoke,
                    DecisionAct::Renew,
                    DecisionAct::LetExpire,
                    DecisionAct::Amend,
                    DecisionAct::Replace,
                    DecisionAct::ExtendWindDown,
                    DecisionAct::Designate,
                ];
                let relief = match r {
                    0 => ReliefRef::Phase(id("p1")),
                    1 => ReliefRef::Phase(id("p2")),
                    2 => ReliefRef::Action(id("us-oil")),
                    3 => ReliefRef::Action(id("gl-1")),
                    _ => ReliefRef::Action(id("bogus")),
                };
                (
                    vec![if *who == 0 { "usa" } else { "target" }],
                    Statement::Decision(Decision {
                        act: acts[*act],
                        relief,
                        effective: day(*e).into(),
                        reason: "decided".into(),
                        // Some acts with their fields, some without (rejected).
                        until: (*e % 3 != 0).then(|| day(*e + 40).into()),
                        wind_down: (*e % 2 == 0).then(|| dur("P20D")),
                        by: (*e % 4 != 0).then(|| id("gl-2")),
                        entities: if *e % 5 == 0 {
                            vec![]
                        } else {
                            vec!["X".into()]
                        },
                    }),
                )
            }
            Spec::Sign(who) => (
                vec![["usa", "target", "iaea"][*who]],
                Statement::AmendmentSignature(AmendmentSignature {
                    version: 2,
                    document_sha256: "00".repeat(32),
                }),
            ),
            Spec::Dispute(kind, who, n, offset) => {
                let stages = ["joint-commission", "ministers", "advisory", "bogus"];
                let step = match kind {
                    0 | 1 => DisputeAction::Open {
                        finding: Finding::Indicator {
                            indicator: id(["enrichment", "stockpile"][*n % 2]),
                            period: quarter(1 + (*offset % 3) as i16),
                        },
                        stage: id(stages[(*offset % 4) as usize]),
                        reason: "disagree".into(),
                    },
                    // Against an earlier entry: the latest decision, or any entry (evidence,
                    // events, an entry not recorded yet...).
                    7 => DisputeAction::Open {
                        finding: Finding::Entry {
                            index: match log.iter().rev().find(|e: &&LoggedStatement| {
                                if offset % 3 == 1 {
                                    matches!(e.statement, Statement::TriggerStep(_))
                                } else {
                                    matches!(e.statement, Statement::Decision(_))
                                }
                            }) {
                                Some(e) if offset % 2 == 0 || offset % 3 == 1 => e.index,
                                _ => LogIndex(*offset as u64 % 40),
                            },
                        },
                        stage: id(stages[(*offset % 4) as usize]),
                        reason: "disagree".into(),
                    },
                    2 => DisputeAction::Escalate {
                        to: id(stages[(*offset % 4) as usize]),
                    },
                    3 => DisputeAction::Extend {
                        stage: id(stages[(*offset % 4) as usize]),
                        until: (offset % 5 != 0).then(|| day(*offset)),
                    },
                    4 => DisputeAction::Resolve {
                        outcome: [
                            DisputeOutcome::Upheld,
                            DisputeOutcome::Overturned,
                            DisputeOutcome::Settled,
                        ][(*offset % 3) as usize],
                        note: "decided".into(),
                    },
                    5 => DisputeAction::Position {
                        accepts: offset % 2 == 0,
                        view: "view".into(),
                    },
                    _ => DisputeAction::Withdraw,
                };
                (
                    vec![["target", "usa", "eu", "iaea"][*who]],
                    Statement::DisputeStep(DisputeStep {
                        dispute: id(["d1", "d2", "overdue-stockpile-2026-01-01"][*n]),
                        step,
                    }),
                )
            }
            Spec::Participation(who, change, offset) => {
                let who = ["usa", "eu", "target"][*who];
                (
                    vec![who],
                    Statement::Participation(Participation {
                        participant: id(who),
                        change: [
                            ParticipationChange::Withdraw,
                            ParticipationChange::Cease,
                            ParticipationChange::Join,
                        ][*change],
                        effective: day(*offset).into(),
                        wind_down: (offset % 2 == 0).then(|| dur("P30D")),
                        note: None,
                    }),
                )
            }
            Spec::Trigger(kind, who, which) => (
                vec![["usa", "eu", "target", "iaea"][*who]],
                Statement::TriggerStep(TriggerStep {
                    trigger: id(if *kind == 3 {
                        "bogus"
                    } else {
                        ["snapback", "date-snapback"][*which]
                    }),
                    step: match kind {
                        0 | 3 => TriggerAction::Invoke {
                            reason: "breach".into(),
                        },
                        1 => TriggerAction::Halt {
                            resolution: "vote".into(),
                        },
                        _ => TriggerAction::Withdraw,
                    },
                }),
            ),
        };
        log.push(LoggedStatement {
            index: LogIndex(i as u64),
            recorded_at: time,
            agreement: id("test-accord"),
            authors: authors.into_iter().map(id).collect(),
            statement,
        });
    }
    log
}

fn log_strategy() -> impl Strategy<Value = Vec<LoggedStatement>> {
    prop_oneof![
        3 => random_log_strategy(),
        1 => reverting_log_strategy(),
    ]
}

fn random_log_strategy() -> impl Strategy<Value = Vec<LoggedStatement>> {
    prop::collection::vec(
        (spec_strategy(), prop_oneof![1 => Just(0i64), 3 => 0..96i64]),
        0..60,
    )
    .prop_map(|specs| build(&specs))
}

/// Logs in which a phase is reached and a trigger then fires, so that phase reversions
/// apply after the fire (random logs almost never reach a phase: the nuclear agreement's
/// p1 needs two consecutive compliant reviews of both indicators, the stockpile verified
/// by two agreeing monitors). Compliant reports on the first three quarters, recorded in
/// each grace, then `date-snapback` invoked around the time p1 is reached (before it
/// sometimes), with random entries interleaved at any time — some halting or withdrawing
/// the trigger, correcting or retracting the reports.
fn reverting_log_strategy() -> impl Strategy<Value = Vec<LoggedStatement>> {
    (
        prop::collection::vec((spec_strategy(), 0..400 * 24i64), 0..30),
        0..60i64,
    )
        .prop_map(|(random, invoke)| {
            let report = |indicator, author, period| {
                Spec::Evidence(Ev {
                    indicator,
                    author,
                    period,
                    value: 0,
                    amount: 100.0,
                })
            };
            let mut timed: Vec<(Spec, i64)> = Vec::new();
            for (period, day) in [(0usize, 94i64), (1, 185), (2, 277)] {
                timed.push((report(0, 0, period), day * 24));
                timed.push((report(1, 0, period), day * 24));
                timed.push((report(1, 1, period), day * 24));
            }
            timed.push((Spec::Trigger(0, 0, 1), (195 + invoke) * 24));
            timed.extend(random);
            timed.sort_by_key(|(_, hours)| *hours);
            let mut last = 0;
            let specs: Vec<(Spec, i64)> = timed
                .into_iter()
                .map(|(spec, hours)| {
                    let gap = hours - last;
                    last = hours;
                    (spec, gap)
                })
                .collect();
            build(&specs)
        })
}

/// The agreements the properties run over: the nuclear one (its stockpile escalated to
/// the joint commission when overdue), the licensing one, and the nuclear one with an
/// amendment.
fn versions(which: usize) -> Vec<Agreement> {
    match which {
        0 => {
            let mut a = with_disputes(nuclear());
            a.indicators[1].overdue = accord_core::agreement::OverduePolicy::Escalate {
                stage: id("joint-commission"),
            };
            vec![a]
        }
        1 => vec![with_disputes(licensing())],
        _ => {
            let mut v2 = with_disputes(nuclear());
            v2.version = 2;
            v2.signatories = vec![id("usa"), id("target")];
            v2.effective = accord_core::rule::DateRule::On(d(2026, 7, 1));
            v2.exemptions[0].id = id("medical-devices");
            vec![with_disputes(nuclear()), v2]
        }
    }
}

fn as_of(days: i64) -> Instant {
    let t: Instant = at("2026-01-01T00:00:00Z");
    t.checked_add(jiff::SignedDuration::from_hours(days * 24 + 13))
        .unwrap()
}

fn json<T: serde::Serialize>(s: &T) -> String {
    serde_json::to_string(s).unwrap()
}

fn every_status_has_a_reason(s: &State) -> Result<(), String> {
    let mut missing = Vec::new();
    for v in &s.versions {
        if v.reasons.is_empty() {
            missing.push(format!("version {}", v.version));
        }
    }
    for i in &s.indicators {
        for r in &i.reviews {
            if r.reasons.is_empty() {
                missing.push(format!("indicator {} review {}", i.id, r.review));
            }
        }
        for p in &i.periods {
            if p.reasons.is_empty() {
                missing.push(format!("indicator {} period {}", i.id, p.period));
            }
        }
    }
    for c in &s.commitments {
        for r in &c.reviews {
            if r.reasons.is_empty() {
                missing.push(format!("commitment {} review {}", c.id, r.review));
            }
        }
    }
    for p in &s.phases {
        if p.reasons.is_empty() {
            missing.push(format!("phase {}", p.id));
        }
    }
    for a in &s.relief {
        if a.reasons.is_empty() {
            missing.push(format!("relief {}", a.id));
        }
    }
    for e in &s.exemptions {
        if e.reasons.is_empty() {
            missing.push(format!("exemption {}", e.id));
        }
    }
    for t in &s.triggers {
        if t.reasons.is_empty() {
            missing.push(format!("trigger {}", t.id));
        }
    }
    for x in &s.disputes {
        if x.reasons.is_empty() {
            missing.push(format!("dispute {}", x.id));
        }
    }
    for x in &s.decisions {
        if x.reasons.is_empty() {
            missing.push(format!("decision {}", x.entry));
        }
    }
    for x in &s.events {
        if x.reasons.is_empty() {
            missing.push(format!("event {}", x.id));
        }
    }
    // Relief is wound down or reimposed only by a trigger that reverts it and has fired, on
    // or after that fire: the reason names the trigger and the fire. `fired` is a
    // trigger's latest fire; the fire named may be an earlier one only when the trigger
    // was re-armed since.
    for a in &s.relief {
        let reverted = matches!(
            a.status,
            accord_core::engine::state::ReliefStatus::WindDown
                | accord_core::engine::state::ReliefStatus::Reimposed
        );
        let Some(r) = a
            .reasons
            .first()
            .filter(|r| reverted && r.rule.as_str().starts_with("trigger."))
        else {
            continue;
        };
        let named = r
            .detail
            .split_once("by trigger `")
            .and_then(|(_, rest)| rest.split_once("` fired on "))
            .and_then(|(t, rest)| Some((t, rest.get(..10)?.parse::<Date>().ok()?)));
        let by = named.and_then(|(t, on)| {
            s.triggers
                .iter()
                .find(|x| x.id.as_str() == t && x.reverts.contains(&a.id))
                .map(|x| (x, on))
        });
        let ok = by.is_some_and(|(t, on)| {
            let rearmed = t.reasons.iter().any(|r| r.rule == "trigger.rearmed");
            t.fired
                .is_some_and(|last| on == last || (rearmed && on < last))
                && a.since.is_some_and(|since| since >= on)
        });
        if !ok {
            missing.push(format!(
                "relief {} reverted without a fired trigger: {}",
                a.id, r.detail
            ));
        }
    }
    for t in &s.triggers {
        let ok = [
            "dormant",
            "available",
            "counting_down",
            "paused",
            "halted",
            "withdrawn",
            "fired",
            "contested",
        ]
        .contains(&t.status.as_str());
        // A re-armed trigger keeps the day it last fired; a contested one keeps the
        // recorded view's dates.
        let contested = t.status == "contested";
        if !ok
            || (!contested && (t.status == "fired") != (t.fired.is_some() && t.rearmed.is_none()))
        {
            missing.push(format!("trigger {} status {}", t.id, t.status));
        }
    }
    for m in &s.measures {
        if m.reasons.is_empty() {
            missing.push(format!("measure {} in {}", m.measure, m.jurisdiction));
        }
    }
    if missing.is_empty() {
        Ok(())
    } else {
        Err(missing.join(", "))
    }
}

/// A contested status lists at least two views, each computing a status for it, and two of
/// them differ.
fn contested_states_list_two_views(s: &State) -> Result<(), String> {
    use accord_core::engine::state::{MeasureStatus, ReliefStatus, TriggerStatus};
    let check = |what: &str, said: Vec<String>| -> Result<(), String> {
        let mut distinct = said.clone();
        distinct.sort();
        distinct.dedup();
        if said.len() < 2 || distinct.len() < 2 {
            return Err(format!("{what} is contested with views {said:?}"));
        }
        Ok(())
    };
    for t in s
        .triggers
        .iter()
        .filter(|t| t.status == TriggerStatus::Contested)
    {
        let said = s
            .views
            .iter()
            .filter_map(|v| v.triggers.iter().find(|(x, _)| *x == t.id))
            .map(|(_, st)| st.to_string())
            .collect();
        check(&format!("trigger {}", t.id), said)?;
    }
    for a in s
        .relief
        .iter()
        .filter(|a| a.status == ReliefStatus::Contested)
    {
        let said = s
            .views
            .iter()
            .filter_map(|v| v.relief.iter().find(|(x, _)| *x == a.id))
            .map(|(_, st)| st.as_str().to_owned())
            .collect();
        check(&format!("relief {}", a.id), said)?;
    }
    for m in s
        .measures
        .iter()
        .filter(|m| m.status == MeasureStatus::Contested)
    {
        let said = s
            .views
            .iter()
            .filter_map(|v| v.measures.iter().find(|(x, _)| *x == m.measure))
            .map(|(_, st)| st.to_string())
            .collect();
        check(&format!("measure {}", m.measure), said)?;
    }
    Ok(())
}

/// Every measure of every regime has one state, in its regime's jurisdiction, and that
/// state follows from the relief actions acting on it: lifted if one is lifted; else
/// terminated if a termination is granted; else suspended if relief is granted; else
/// wind-down, reimposed, relief scheduled (once agreed), applies — recomputed here
/// independently of the engine.
fn measures_follow_from_their_actions(a: &Agreement, s: &State) -> Result<(), String> {
    use accord_core::agreement::ReliefKind;
    use accord_core::engine::state::{AgreementStatus, MeasureStatus, ReliefStatus};
    let mut seen = 0;
    for regime in &a.regimes {
        for measure in &regime.measures {
            seen += 1;
            let found: Vec<_> = s
                .measures
                .iter()
                .filter(|m| m.regime == regime.id && m.measure == measure.id)
                .collect();
            let [m] = found.as_slice() else {
                return Err(format!("measure {} has {} states", measure.id, found.len()));
            };
            if m.jurisdiction != regime.jurisdiction.0 {
                return Err(format!("measure {} in the wrong jurisdiction", measure.id));
            }
            let acting: Vec<(&ReliefKind, ReliefStatus, &str)> = a
                .actions()
                .filter(|(_, x)| {
                    x.regime == regime.id
                        && match &x.kind {
                            ReliefKind::SuspendMeasure { measure: n, .. }
                            | ReliefKind::TerminateMeasure { measure: n, .. }
                            | ReliefKind::Unfreeze { measure: n, .. } => *n == measure.id,
                            ReliefKind::GeneralLicence { activities, .. } => {
                                activities.iter().any(|x| measure.sectors.contains(x))
                            }
                            _ => false,
                        }
                })
                .map(|(_, x)| {
                    let st = s.relief.iter().find(|r| r.id == x.id).unwrap().status;
                    (&x.kind, st, x.id.as_str())
                })
                .collect();
            let ids: Vec<&str> = m.actions.iter().map(|x| x.as_str()).collect();
            let want_ids: Vec<&str> = acting.iter().map(|x| x.2).collect();
            if ids != want_ids {
                return Err(format!(
                    "measure {}: actions {ids:?}, expected {want_ids:?}",
                    measure.id
                ));
            }
            let has = |f: &dyn Fn(&ReliefKind, ReliefStatus) -> bool| {
                acting.iter().any(|(k, st, _)| f(k, *st))
            };
            // A measure is contested when the views (an invocation counted or held void)
            // compute different statuses for it, which only a contested action can make;
            // an action contested can leave its measure the same in every view, so its
            // status is then the views' (not recomputed here: `State::views` has them).
            let contested = has(&|_, st| st == ReliefStatus::Contested);
            if m.status == MeasureStatus::Contested || contested {
                if m.status == MeasureStatus::Contested && !contested {
                    return Err(format!(
                        "measure {}: contested but none of its actions is",
                        measure.id
                    ));
                }
                continue;
            }
            let expected = if has(&|_, st| st == ReliefStatus::Lifted) {
                MeasureStatus::Lifted
            } else if has(&|k, st| {
                st == ReliefStatus::Granted && matches!(k, ReliefKind::TerminateMeasure { .. })
            }) {
                MeasureStatus::Terminated
            } else if has(&|_, st| st == ReliefStatus::Granted) {
                MeasureStatus::Suspended
            } else if has(&|_, st| st == ReliefStatus::WindDown) {
                MeasureStatus::WindDown
            } else if has(&|_, st| st == ReliefStatus::Reimposed) {
                MeasureStatus::Reimposed
            } else if s.agreement_status != AgreementStatus::NotYetAgreed
                && has(&|_, st| st == ReliefStatus::Scheduled)
            {
                MeasureStatus::ReliefScheduled
            } else {
                MeasureStatus::Applies
            };
            if m.status != expected {
                return Err(format!(
                    "measure {}: {} but its actions {:?} make it {}",
                    measure.id,
                    m.status,
                    acting.iter().map(|x| (x.2, x.1)).collect::<Vec<_>>(),
                    expected
                ));
            }
        }
    }
    if seen != s.measures.len() {
        return Err(format!(
            "{} measures declared, {} states",
            seen,
            s.measures.len()
        ));
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn evaluation_is_deterministic_whatever_the_insertion_order(
        log in log_strategy(), which in 0..3usize, days in days(),
    ) {
        let v = versions(which);
        let when = as_of(days);
        let first = json(&evaluate(&v, &log, when).unwrap());
        prop_assert_eq!(&first, &json(&evaluate(&v, &log, when).unwrap()));
        let mut reversed = log.clone();
        reversed.reverse();
        prop_assert_eq!(&first, &json(&evaluate(&v, &reversed, when).unwrap()));
        let n = log.len().max(1);
        let mut scrambled = log.clone();
        scrambled.sort_by_key(|e| (e.index.0 as usize * 7919) % n);
        prop_assert_eq!(&first, &json(&evaluate(&v, &scrambled, when).unwrap()));
        // The evaluator, fed out of order, rebuilds and agrees.
        let mut ev = Evaluator::new(&v).unwrap();
        for e in &scrambled {
            ev.append(e);
        }
        prop_assert_eq!(&first, &json(&ev.state(when).unwrap()));
    }

    #[test]
    fn entries_recorded_after_as_of_never_change_the_result(
        log in log_strategy(), which in 0..3usize, days in days(),
    ) {
        let v = versions(which);
        let when = as_of(days);
        let prefix: Vec<LoggedStatement> =
            log.iter().filter(|e| e.recorded_at <= when).cloned().collect();
        prop_assert_eq!(
            json(&evaluate(&v, &log, when).unwrap()),
            json(&evaluate(&v, &prefix, when).unwrap())
        );
    }

    #[test]
    fn exemptions_are_always_in_force_and_every_status_has_a_reason(
        log in log_strategy(), which in 0..3usize, days in days(),
    ) {
        let v = versions(which);
        let s = evaluate(&v, &log, as_of(days)).unwrap();
        let ids: Vec<&str> = s.exemptions.iter().map(|e| e.id.as_str()).collect();
        prop_assert!(ids.contains(&"food-medicine"), "{:?}", ids);
        prop_assert!(s.exemptions.iter().all(|e| e.in_force));
        if let Err(missing) = every_status_has_a_reason(&s) {
            prop_assert!(false, "statuses without a reason: {}", missing);
        }
        if let Err(why) = contested_states_list_two_views(&s) {
            prop_assert!(false, "{}", why);
        }
    }

    #[test]
    fn every_measure_state_follows_from_its_relief_actions_in_every_jurisdiction(
        log in log_strategy(), which in 0..3usize, days in -30..540i64,
    ) {
        let v = versions(which);
        let s = evaluate(&v, &log, as_of(days)).unwrap();
        let governing = v.iter().rev().find(|x| x.version == s.version).unwrap();
        if let Err(why) = measures_follow_from_their_actions(governing, &s) {
            prop_assert!(false, "{}", why);
        }
    }

    #[test]
    fn incremental_evaluation_equals_a_full_replay(
        log in log_strategy(), which in 0..3usize, probes in prop::collection::vec(days(), 1..4),
        every in 1..8usize,
    ) {
        let v = versions(which);
        let mut ev = Evaluator::new(&v).unwrap();
        for (i, e) in log.iter().enumerate() {
            ev.append(e);
            // Ask for the state now and then, so that quorums get cached and later appends
            // update them in place.
            if i % every == 0 {
                let now = e.recorded_at;
                let incremental = ev.state(now).unwrap();
                let full = evaluate(&v, &log[..=i], now).unwrap();
                prop_assert_eq!(json(&incremental), json(&full), "after entry {}", i);
            }
        }
        for days in probes {
            let when = as_of(days);
            prop_assert_eq!(
                json(&ev.state(when).unwrap()),
                json(&evaluate(&v, &log, when).unwrap())
            );
        }
    }

    #[test]
    fn any_log_evaluates_without_panicking(
        log in log_strategy(), which in 0..3usize, days in days(),
        indices in prop::collection::vec(prop_oneof![3 => 0..80u64, 1 => any::<u64>()], 60),
        reviews in prop_oneof![Just(1u32), Just(u32::MAX)],
    ) {
        // Indices as a misbehaving log might hand them over: duplicated, sparse, huge; and
        // an agreement asking for an absurd number of reviews.
        let mut log = log;
        for (e, i) in log.iter_mut().zip(&indices) {
            e.index = LogIndex(*i);
        }
        let mut v = versions(which);
        if let Some(accord_core::rule::Condition::Status { reviews: r, .. }) =
            v[0].phases.first_mut().map(|p| &mut p.entry)
        {
            *r = reviews;
        }
        let when = as_of(days);
        let s = evaluate(&v, &log, when).unwrap();
        prop_assert!(s.exemptions.iter().all(|e| e.in_force));
        let mut ev = Evaluator::new(&v).unwrap();
        for e in &log {
            ev.append(e);
        }
        prop_assert_eq!(json(&ev.state(when).unwrap()), json(&s));
    }
}

/// The random logs do exercise disputes and triggers: over a fixed set of generated logs,
/// disputes are opened and run through their stages, and trigger steps count.
#[test]
fn generated_logs_reach_dispute_and_trigger_states() {
    use proptest::strategy::ValueTree;
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = random_log_strategy();
    let mut dispute_status = std::collections::BTreeMap::<String, u32>::new();
    let mut trigger_status = std::collections::BTreeMap::<String, u32>::new();
    let mut frozen = 0;
    let mut reverted = 0;
    // Disputes opened by the overdue policy, by status; decisions disputed. (No generated
    // log overturns a decision: `set_aside` is covered by the scenarios in escalation.rs.)
    let mut by_policy = std::collections::BTreeMap::<String, u32>::new();
    let mut disputed = 0;
    // Phases a fired trigger took back (looked at after the fire).
    let mut phases_reverted = 0;
    for _ in 0..300 {
        let log = strategy.new_tree(&mut runner).unwrap().current();
        let s = evaluate(&versions(0), &log, as_of(540)).unwrap();
        for d in &s.disputes {
            *dispute_status.entry(d.status.to_string()).or_default() += 1;
            if d.opened_by.is_empty() {
                *by_policy.entry(d.status.to_string()).or_default() += 1;
            }
        }
        disputed += s
            .decisions
            .iter()
            .filter(|d| d.disputed_by.is_some())
            .count();
        for t in &s.triggers {
            if !t.steps.is_empty() {
                *trigger_status.entry(t.status.to_string()).or_default() += 1;
            }
        }
        reverted += s
            .relief
            .iter()
            .filter(|a| {
                matches!(
                    a.status,
                    accord_core::engine::state::ReliefStatus::WindDown
                        | accord_core::engine::state::ReliefStatus::Reimposed
                )
            })
            .count();
        // Along the way: countdowns running, halted, withdrawn.
        for day in [60, 70, 80, 90] {
            for t in &evaluate(&versions(0), &log, as_of(day)).unwrap().triggers {
                if !t.steps.is_empty() {
                    *trigger_status.entry(t.status.to_string()).or_default() += 1;
                }
            }
        }
        let early = evaluate(&versions(0), &log, as_of(150)).unwrap();
        frozen += early
            .indicators
            .iter()
            .flat_map(|i| &i.periods)
            .filter(|p| p.frozen)
            .count();
    }
    // The logs that reach a phase and then fire a trigger: phases reverted after it.
    let reverting = reverting_log_strategy();
    for _ in 0..100 {
        let log = reverting.new_tree(&mut runner).unwrap().current();
        let s = evaluate(&versions(0), &log, as_of(300)).unwrap();
        phases_reverted += s
            .phases
            .iter()
            .filter(|p| {
                p.reasons
                    .iter()
                    .any(|r| r.rule == accord_core::engine::state::Rule::TriggerReverted)
            })
            .count();
    }
    eprintln!(
        "disputes {dispute_status:?}, triggers with steps {trigger_status:?}, frozen {frozen}, reverted {reverted}, opened by the overdue policy {by_policy:?}, decisions disputed {disputed}, phases reverted by a fire {phases_reverted}"
    );
    assert!(phases_reverted > 0, "{phases_reverted}");
    assert!(dispute_status.len() >= 2, "{dispute_status:?}");
    assert!(!by_policy.is_empty(), "{by_policy:?}");
    assert!(disputed > 0, "{disputed}");
    assert!(trigger_status.len() >= 2, "{trigger_status:?}");
    assert!(frozen > 0);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    /// The evaluator's carried-forward results (quorums and reporting periods kept from
    /// earlier derivations) never show: after any appends — some recorded before entries
    /// already appended — a state asked for at any instant, earlier or later than those
    /// asked before, is byte for byte the full replay of what was appended.
    #[test]
    fn carried_forward_states_equal_a_full_replay_at_any_instant(
        log in log_strategy(), which in 0..3usize,
        late in prop::collection::vec(0..60usize, 0..4),
        asks in prop::collection::vec((1..6usize, days()), 1..12),
    ) {
        let v = versions(which);
        // Move a few entries later in the order of appends: each then comes out of order.
        let mut order: Vec<usize> = (0..log.len()).collect();
        for &l in &late {
            if l < order.len() {
                let moved = order.remove(l);
                order.push(moved);
            }
        }
        let mut ev = Evaluator::new(&v).unwrap();
        let mut appended: Vec<LoggedStatement> = Vec::new();
        let mut next = order.iter();
        for (step, days) in asks {
            for &i in next.by_ref().take(step) {
                ev.append(&log[i]);
                appended.push(log[i].clone());
            }
            let when = as_of(days);
            prop_assert_eq!(
                json(&ev.state(when).unwrap()),
                json(&evaluate(&v, &appended, when).unwrap()),
                "after {} appends, as of {}", appended.len(), when
            );
        }
    }
}

/// A state's JSON (or a look's) without any `reasons`: what `Evaluator::statuses` promises
/// to keep.
fn without_reasons<T: serde::Serialize>(s: &T) -> serde_json::Value {
    without(s, &["reasons"])
}

/// A look's JSON (or a state's) without the words a look leaves out: `reasons`, and the
/// phases' `remains`.
fn without_words<T: serde::Serialize>(s: &T) -> serde_json::Value {
    without(s, &["reasons", "remains"])
}

/// `s`'s JSON without the fields named `keys`, at any depth.
fn without<T: serde::Serialize>(s: &T, keys: &[&str]) -> serde_json::Value {
    fn strip(v: &mut serde_json::Value, keys: &[&str]) {
        match v {
            serde_json::Value::Object(map) => {
                for k in keys {
                    map.remove(*k);
                }
                map.values_mut().for_each(|v| strip(v, keys));
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(|v| strip(v, keys)),
            _ => {}
        }
    }
    let mut v = serde_json::to_value(s).unwrap();
    strip(&mut v, keys);
    v
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    /// The states without explanations (`Evaluator::statuses`) and the looks the simulator
    /// reads (`Evaluator::look`: phases, triggers, relief) have every status and date of
    /// the full replay, whatever was asked of the evaluator before (full states, statuses
    /// or looks, earlier or later instants, appends out of order); a look is the statuses'
    /// phases, triggers and relief but for the words it leaves out (reasons, what remains
    /// of a phase); and asking for either changes nothing the full states show afterwards.
    #[test]
    fn statuses_equal_a_full_replay_without_its_reasons(
        log in log_strategy(), which in 0..3usize,
        late in prop::collection::vec(0..60usize, 0..4),
        asks in prop::collection::vec((1..6usize, days(), 0..3u8), 1..12),
    ) {
        let v = versions(which);
        let mut order: Vec<usize> = (0..log.len()).collect();
        for &l in &late {
            if l < order.len() {
                let moved = order.remove(l);
                order.push(moved);
            }
        }
        let mut ev = Evaluator::new(&v).unwrap();
        let mut appended: Vec<LoggedStatement> = Vec::new();
        let mut next = order.iter();
        for (step, days, ask) in asks {
            for &i in next.by_ref().take(step) {
                // By value, as the simulator hands its entries over.
                ev.push(log[i].clone());
                appended.push(log[i].clone());
            }
            let when = as_of(days);
            let replay = evaluate(&v, &appended, when).unwrap();
            match ask {
                0 => prop_assert_eq!(json(&ev.state(when).unwrap()), json(&replay)),
                1 => prop_assert_eq!(
                    without_reasons(&ev.statuses(when).unwrap()),
                    without_reasons(&replay),
                    "after {} appends, as of {}", appended.len(), when
                ),
                _ => {
                    let look = ev.look(when).unwrap();
                    prop_assert_eq!(
                        without_words(&look),
                        without_words(&Look::from(&replay)),
                        "look after {} appends, as of {}", appended.len(), when
                    );
                    let statuses = ev.statuses(when).unwrap();
                    prop_assert_eq!(
                        without_words(&look),
                        without_words(&Look::from(&statuses))
                    );
                }
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    /// As the simulator uses the evaluator: entries handed over in log order except some
    /// that come late (each held back by a few appends, as a grant recorded for a day
    /// already looked at), with looks at instants that mostly move forward, some asking
    /// for full states and some for statuses. Whatever an out-of-order entry is — evidence
    /// on a period already settled, a decision, a dispute or trigger step, a correction or
    /// retraction, an entry a later correction named before it existed — every look equals
    /// the full replay of what was handed over (its statuses, and everything for a full
    /// state), and a last full state after every entry equals the replay of the whole log.
    #[test]
    fn delayed_entries_and_forward_looks_equal_a_full_replay(
        log in log_strategy(), which in 0..3usize,
        delays in prop::collection::vec((0..60usize, 1..8usize), 0..6),
        looks in prop::collection::vec((1..5usize, 0..60i64, any::<bool>()), 1..14),
    ) {
        let v = versions(which);
        // Entry i is handed over after entry i + delay instead of before it.
        let mut order: Vec<usize> = (0..log.len()).collect();
        for &(i, delay) in &delays {
            if let Some(from) = order.iter().position(|&x| x == i) {
                let moved = order.remove(from);
                let to = (from + delay).min(order.len());
                order.insert(to, moved);
            }
        }
        let mut ev = Evaluator::new(&v).unwrap();
        let mut appended: Vec<LoggedStatement> = Vec::new();
        let mut next = order.iter();
        let mut day = 0i64;
        for (step, forward, full) in looks {
            for &i in next.by_ref().take(step) {
                ev.push(log[i].clone());
                appended.push(log[i].clone());
            }
            // Mostly forward, like the simulator's looks; now and then back in time.
            day = if forward % 7 == 0 { day - forward } else { day + forward };
            let when = as_of(day);
            let replay = evaluate(&v, &appended, when).unwrap();
            if full {
                prop_assert_eq!(json(&ev.state(when).unwrap()), json(&replay),
                    "after {} appends, as of {}", appended.len(), when);
            } else {
                prop_assert_eq!(without_reasons(&ev.statuses(when).unwrap()),
                    without_reasons(&replay),
                    "after {} appends, as of {}", appended.len(), when);
            }
        }
        for &i in next {
            ev.push(log[i].clone());
        }
        let when = as_of(540);
        prop_assert_eq!(json(&ev.state(when).unwrap()), json(&evaluate(&v, &log, when).unwrap()));
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    /// The evaluator carries each indicator's settled leading periods forward from one
    /// look to the next (the simulator's looks ask for statuses at instants moving
    /// forward). Entries handed over between looks — evidence recorded late on a period
    /// already settled, corrections and retractions of earlier reports, events that move
    /// a schedule — must cut those periods back: every look equals the full replay of what
    /// was handed over, with a full state now and then among statuses.
    #[test]
    fn settled_periods_carried_forward_give_way_to_what_touches_them(
        log in log_strategy(), which in 0..3usize,
        delays in prop::collection::vec((0..60usize, 1..12usize), 0..4),
        looks in prop::collection::vec((0..5usize, 5..80i64, 0..8usize), 1..16),
    ) {
        let v = versions(which);
        let mut order: Vec<usize> = (0..log.len()).collect();
        for &(i, delay) in &delays {
            if let Some(from) = order.iter().position(|&x| x == i) {
                let moved = order.remove(from);
                let to = (from + delay).min(order.len());
                order.insert(to, moved);
            }
        }
        let mut ev = Evaluator::new(&v).unwrap();
        let mut appended: Vec<LoggedStatement> = Vec::new();
        let mut next = order.iter();
        let mut day = 60i64;
        for (step, forward, kind) in looks {
            for &i in next.by_ref().take(step) {
                ev.push(log[i].clone());
                appended.push(log[i].clone());
            }
            day += forward;
            let when = as_of(day);
            let replay = evaluate(&v, &appended, when).unwrap();
            if kind == 0 {
                prop_assert_eq!(json(&ev.state(when).unwrap()), json(&replay),
                    "after {} appends, as of {}", appended.len(), when);
            } else {
                prop_assert_eq!(without_reasons(&ev.statuses(when).unwrap()),
                    without_reasons(&replay),
                    "after {} appends, as of {}", appended.len(), when);
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    /// Quorums decided under a cut before the latest entry are kept for the cuts that see
    /// the same observations of their period (`quorum::PastCell`); they never show: past
    /// cuts asked in any order — at, just before and just after entries' record times, a
    /// second or some hours after the cut asked before, anywhere — between appends, each
    /// give the full replay of what was appended, byte for byte. Some entries of the
    /// first part come late, after the asks of the first part (slotted in before entries
    /// appended already), which must drop the cells they fall under.
    #[test]
    fn quorums_kept_for_past_cuts_equal_a_full_replay_at_any_cut(
        log in log_strategy(), which in 0..3usize, split in 0..60usize,
        late in prop::collection::vec(0..60usize, 0..4),
        asks in prop::collection::vec((0..6usize, 0..60usize, -2..3i64, days()), 1..24),
    ) {
        let v = versions(which);
        let mut ev = Evaluator::new(&v).unwrap();
        let split = split.min(log.len());
        // The entries of the first part named late are handed over with the second part,
        // first of it (so after the first part's asks, and before entries already in).
        let mut late: Vec<usize> = late.into_iter().filter(|&i| i < split).collect();
        late.sort_unstable();
        late.dedup();
        let first: Vec<&LoggedStatement> =
            (0..split).filter(|i| !late.contains(i)).map(|i| &log[i]).collect();
        let second: Vec<&LoggedStatement> =
            late.iter().map(|&i| &log[i]).chain(&log[split..]).collect();
        let mut appended: Vec<LoggedStatement> = Vec::new();
        let mut before = as_of(0);
        for (n, (how, entry, seconds, days)) in asks.into_iter().enumerate() {
            // Some asks before the rest of the log is appended, the others after.
            if n == 8 {
                for &e in &second {
                    ev.append(e);
                    appended.push(e.clone());
                }
            }
            if n == 0 {
                for &e in &first {
                    ev.append(e);
                    appended.push(e.clone());
                }
            }
            let near = |t: Instant| t.checked_add(jiff::SignedDuration::from_secs(seconds)).unwrap();
            let when = match (how, appended.get(entry % appended.len().max(1))) {
                (0, Some(e)) => near(e.recorded_at),
                (1, _) => near(before).checked_add(jiff::SignedDuration::from_secs(1)).unwrap(),
                (2, _) => before.checked_add(jiff::SignedDuration::from_hours(seconds.abs() * 5 + 1)).unwrap(),
                (3, _) => as_of(days),
                // The next entry's record time: asks walk the log entry by entry, each
                // seeing one entry more than the one before (a retraction among them).
                _ => appended
                    .iter()
                    .map(|e| e.recorded_at)
                    .filter(|t| *t > before)
                    .min()
                    .unwrap_or_else(|| as_of(days)),
            };
            before = when;
            prop_assert_eq!(
                json(&ev.state(when).unwrap()),
                json(&evaluate(&v, &appended, when).unwrap()),
                "ask {} after {} appends, as of {}", n, appended.len(), when
            );
        }
    }
}
