//! A participant's view (issue #11 point 4, "a query may ask for one view"): with several
//! invocations contested at once, `evaluate_view(.., participant)` takes each as that
//! participant holds it — void where it holds it void, as recorded where it holds that it
//! counts or holds no view (and says so) — so the views compose.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "engine/builder.rs"]
#[allow(dead_code)]
mod builder;

use accord_core::agreement::{Agreement, Party, PartyRole, Reversion};
use accord_core::engine::state::{MeasureStatus, ReliefStatus, State, TriggerStatus};
use accord_core::engine::{EvalError, evaluate, evaluate_view};
use accord_core::id::ParticipantId;
use accord_core::statement::*;
use proptest::prelude::*;
use proptest::strategy::ValueTree;

use builder::*;

/// Two triggers with standing for both authorities and no countdown, each reverting one
/// authority's relief only: `snapback` the US oil suspension, `date-snapback` (whose
/// condition holds from March) the EU's.
fn agreement() -> Agreement {
    let mut a = with_disputes(nuclear());
    for i in &mut a.indicators {
        i.cure = None;
    }
    for (t, action) in a.triggers.iter_mut().zip(["us-oil", "eu-oil"]) {
        t.countdown = None;
        t.reverts_to = Reversion::Actions {
            actions: vec![id(action)],
        };
    }
    a
}

/// Phase p1 reached on 2026-07-05, then enrichment above the cap known on 2026-10-05.
fn breached() -> Log {
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
    for who in ["iaea", "sat"] {
        log.evidence(
            "2026-10-05",
            who,
            "enrichment",
            quarter(3),
            qty(4.5, "percent"),
        );
    }
    log
}

fn invoke(log: &mut Log, when: &str, who: &str, trigger: &str) -> LogIndex {
    log.push(
        when,
        &[who],
        Statement::TriggerStep(TriggerStep {
            trigger: id(trigger),
            step: TriggerAction::Invoke {
                reason: "the condition holds".into(),
            },
        }),
    )
}

fn dispute(log: &mut Log, when: &str, who: &str, dispute: &str, entry: LogIndex) -> LogIndex {
    log.push(
        when,
        &[who],
        Statement::DisputeStep(DisputeStep {
            dispute: id(dispute),
            step: DisputeAction::Open {
                finding: Finding::Entry { index: entry },
                stage: id("joint-commission"),
                reason: "the invocation is not valid".into(),
            },
        }),
    )
}

/// The US ceases participating on 2026-09-01 and invokes the snapback anyway on
/// 2026-10-10 (`a`: its standing is disputed — void in the view of eu and target); the EU
/// invokes the date snapback on 2026-10-11 (`b`), which the target disputes on 2026-10-12
/// (void in the target's view, counts in the EU's).
fn two_contested() -> (Log, LogIndex, LogIndex) {
    let mut log = breached();
    log.push(
        "2026-09-01",
        &["usa"],
        Statement::Participation(Participation {
            participant: id("usa"),
            change: ParticipationChange::Cease,
            effective: d(2026, 9, 1).into(),
            wind_down: None,
            note: None,
        }),
    );
    let a = invoke(&mut log, "2026-10-10", "usa", "snapback");
    let b = invoke(&mut log, "2026-10-11", "eu", "date-snapback");
    dispute(&mut log, "2026-10-12", "target", "d-date", b);
    (log, a, b)
}

/// The statuses of the subjects the views disagree on, as `subject: status` lines.
fn statuses(s: &State) -> String {
    let mut out = Vec::new();
    for t in ["snapback", "date-snapback"] {
        out.push(format!("trigger {t}: {}", s.trigger(t).unwrap().status));
    }
    for r in ["us-oil", "eu-oil"] {
        out.push(format!(
            "relief {r}: {}",
            s.relief(r).unwrap().status.as_str()
        ));
    }
    for m in ["us-energy", "eu-energy"] {
        out.push(format!("measure {m}: {}", s.measure(m).unwrap().status));
    }
    out.join("\n")
}

fn view(a: &Agreement, log: &Log, when: &str, view: &str) -> Result<State, EvalError> {
    evaluate_view(std::slice::from_ref(a), &log.entries, at(when), view)
}

#[test]
fn a_participants_view_composes_the_views_it_holds_on_each_contested_invocation() {
    let a = agreement();
    let (log, first, second) = two_contested();
    let when = "2026-10-20";
    let all = evaluate(std::slice::from_ref(&a), &log.entries, at(when)).unwrap();
    let ids: Vec<&str> = all.views.iter().map(|v| v.id.as_str()).collect();
    let (void_a, void_b) = (format!("void-{first}"), format!("void-{second}"));
    assert_eq!(ids, ["as-recorded", void_a.as_str(), void_b.as_str()]);
    assert_eq!(
        statuses(&all),
        "trigger snapback: contested\n\
         trigger date-snapback: contested\n\
         relief us-oil: contested\n\
         relief eu-oil: contested\n\
         measure us-energy: contested\n\
         measure eu-energy: contested"
    );
    let in_view = |v: &str| view(&a, &log, when, v).unwrap();

    // The target holds both void: neither trigger fired, both reliefs stand — what no
    // single view computes.
    let target = in_view("target");
    assert_eq!(
        statuses(&target),
        "trigger snapback: available\n\
         trigger date-snapback: available\n\
         relief us-oil: granted\n\
         relief eu-oil: granted\n\
         measure us-energy: suspended\n\
         measure eu-energy: suspended"
    );
    assert_eq!(target.view.as_deref(), Some("target"));
    assert_eq!(target.views, all.views);
    assert_eq!(
        serde_json::to_value(&target.participant_view).unwrap(),
        serde_json::json!({
            "holder": { "participant": "target", "role": "target" },
            "name": "held by target (target)",
            "entries": [
                { "entry": first.0, "view": void_a, "holds": "void" },
                { "entry": second.0, "view": void_b, "holds": "void" },
            ],
        })
    );
    // Each single view holds one void and the other as recorded.
    assert_eq!(
        statuses(&in_view(&void_a)),
        "trigger snapback: available\n\
         trigger date-snapback: fired\n\
         relief us-oil: granted\n\
         relief eu-oil: wind_down\n\
         measure us-energy: suspended\n\
         measure eu-energy: wind_down"
    );
    assert_eq!(
        statuses(&in_view(&void_b)),
        "trigger snapback: fired\n\
         trigger date-snapback: available\n\
         relief us-oil: wind_down\n\
         relief eu-oil: granted\n\
         measure us-energy: wind_down\n\
         measure eu-energy: suspended"
    );

    // The EU holds the first void (the US's standing is disputed) and the second counts
    // (it invoked it): the first single view, said entry by entry.
    let eu = in_view("eu");
    assert_eq!(statuses(&eu), statuses(&in_view(&void_a)));
    let holds: Vec<(u64, String, String)> = eu
        .participant_view
        .as_ref()
        .unwrap()
        .entries
        .iter()
        .map(|e| {
            (
                e.entry.0,
                e.view.clone(),
                serde_json::to_value(e.holds).unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        holds,
        [
            (first.0, void_a.clone(), "\"void\"".to_owned()),
            (second.0, "as-recorded".to_owned(), "\"counts\"".to_owned()),
        ]
    );

    // The US holds the first counts and no view on the second: as recorded, and it says
    // that it holds none on the second.
    let usa = in_view("usa");
    let recorded = in_view("as-recorded");
    assert_eq!(statuses(&usa), statuses(&recorded));
    assert_eq!(
        serde_json::to_value(&usa.participant_view.as_ref().unwrap().entries).unwrap(),
        serde_json::json!([
            { "entry": first.0, "view": "as-recorded", "holds": "counts" },
            { "entry": second.0, "view": "as-recorded", "holds": "no_view" },
        ])
    );
    // A view's id is no participant's view.
    assert!(recorded.participant_view.is_none());

    // Neither a view nor a participant: the error lists the views and who holds them.
    let e = view(&a, &log, when, "iran").unwrap_err();
    assert_eq!(
        e,
        EvalError::UnknownView {
            view: "iran".into(),
            views: vec!["as-recorded".into(), void_a.clone(), void_b.clone()],
            participants: vec![id("eu"), id("target"), id("usa")],
        }
    );
    assert_eq!(
        e.to_string(),
        format!(
            "there is no view `iran`: the views are as-recorded, {void_a}, {void_b}; or the view held by a participant: eu, target, usa"
        )
    );
}

/// A participant named `as-recorded` (a valid identifier: only `void-#N` cannot be one):
/// `as-recorded` is the view, `participant:as-recorded` the participant.
#[test]
fn a_view_id_wins_over_a_participant_of_the_same_id() {
    let mut a = agreement();
    a.parties.push(Party {
        id: id("as-recorded"),
        name: "A guarantor with an unlucky name".into(),
        role: PartyRole::Guarantor,
        jurisdiction: None,
        keys: vec![],
    });
    let mut log = breached();
    let b = invoke(&mut log, "2026-10-11", "eu", "date-snapback");
    dispute(&mut log, "2026-10-12", "as-recorded", "d-date", b);
    let when = "2026-10-20";
    let all = evaluate(std::slice::from_ref(&a), &log.entries, at(when)).unwrap();
    assert_eq!(all.views[1].held_by, [id::<ParticipantId>("as-recorded")]);
    let recorded = view(&a, &log, when, "as-recorded").unwrap();
    assert!(recorded.participant_view.is_none());
    assert_eq!(
        recorded.trigger("date-snapback").unwrap().status,
        TriggerStatus::Fired
    );
    let participant = view(&a, &log, when, "participant:as-recorded").unwrap();
    assert_eq!(participant.view.as_deref(), Some("participant:as-recorded"));
    assert_eq!(
        participant.participant_view.as_ref().unwrap().name,
        "held by as-recorded (guarantor)"
    );
    assert_eq!(
        participant.trigger("date-snapback").unwrap().status,
        TriggerStatus::Available
    );
    assert_eq!(
        participant.relief("eu-oil").unwrap().status,
        ReliefStatus::Granted
    );
}

/// One random step after the breach: an invocation of either trigger, a dispute over
/// either trigger's latest invocation, or the US or the EU ceasing to participate.
#[derive(Debug, Clone)]
enum Step {
    Invoke(usize, usize),
    Dispute(usize, usize),
    Cease(usize),
}

const WHO: [&str; 3] = ["usa", "eu", "target"];
const TRIGGERS: [&str; 2] = ["snapback", "date-snapback"];

fn steps() -> impl Strategy<Value = Vec<Step>> {
    prop::collection::vec(
        prop_oneof![
            3 => (0..3usize, 0..2usize).prop_map(|(w, t)| Step::Invoke(w, t)),
            3 => (0..3usize, 0..2usize).prop_map(|(w, t)| Step::Dispute(w, t)),
            1 => (0..2usize).prop_map(Step::Cease),
        ],
        1..10,
    )
}

fn build(steps: &[Step]) -> Log {
    let mut log = breached();
    let mut latest: [Option<LogIndex>; 2] = [None, None];
    for (i, s) in steps.iter().enumerate() {
        let day = d(2026, 10, 6)
            .checked_add(jiff::Span::new().days(i as i64))
            .unwrap();
        let when = format!("{day}T12:00:00Z");
        match s {
            Step::Invoke(w, t) => latest[*t] = Some(invoke(&mut log, &when, WHO[*w], TRIGGERS[*t])),
            Step::Dispute(w, t) => {
                let entry = latest[*t].unwrap_or(LogIndex(0));
                dispute(&mut log, &when, WHO[*w], &format!("d-{i}"), entry);
            }
            Step::Cease(w) => {
                log.push(
                    &when,
                    &[WHO[*w]],
                    Statement::Participation(Participation {
                        participant: id(WHO[*w]),
                        change: ParticipationChange::Cease,
                        effective: day.into(),
                        wind_down: None,
                        note: None,
                    }),
                );
            }
        }
    }
    log
}

/// For every participant holding a view, the state in its view contests nothing (it
/// takes a side on every contested invocation), says what it holds of each one, and
/// agrees with the single view wherever it holds exactly one invocation void.
#[test]
fn a_participants_view_contests_nothing_and_says_what_it_holds() {
    let a = agreement();
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = steps();
    let mut composed = 0;
    for _ in 0..60 {
        let log = build(&strategy.new_tree(&mut runner).unwrap().current());
        let when = "2026-10-25";
        let all = evaluate(std::slice::from_ref(&a), &log.entries, at(when)).unwrap();
        let mut holders: Vec<ParticipantId> = all
            .views
            .iter()
            .flat_map(|v| v.held_by.iter().cloned())
            .collect();
        holders.sort();
        holders.dedup();
        for p in holders {
            let s = view(&a, &log, when, p.as_str()).unwrap();
            let contested = s
                .triggers
                .iter()
                .any(|t| t.status == TriggerStatus::Contested)
                || s.relief.iter().any(|r| r.status == ReliefStatus::Contested)
                || s.measures
                    .iter()
                    .any(|m| m.status == MeasureStatus::Contested);
            assert!(!contested, "{p} in {:?}", log.entries);
            let held = s.participant_view.as_ref().unwrap();
            assert_eq!(held.entries.len(), all.views.len() - 1);
            let void: Vec<&str> = held
                .entries
                .iter()
                .filter(|e| e.view != "as-recorded")
                .map(|e| e.view.as_str())
                .collect();
            for v in &void {
                let single = all.views.iter().find(|x| x.id == *v).unwrap();
                assert!(single.held_by.contains(&p), "{p} does not hold {v}");
            }
            let same_as = match void.as_slice() {
                [] => Some("as-recorded"),
                [one] => Some(*one),
                _ => {
                    composed += 1;
                    None
                }
            };
            if let Some(single) = same_as {
                assert_eq!(
                    statuses(&s),
                    statuses(&view(&a, &log, when, single).unwrap())
                );
            }
        }
    }
    assert!(composed > 0, "no participant held two invocations void");
}
