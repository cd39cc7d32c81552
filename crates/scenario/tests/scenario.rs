//! Scenario files: parsing, lowering to statements, and every error naming its event.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use accord_core::agreement::*;
use accord_core::id::*;
use accord_core::rule::{CommitmentStatus, Condition, DateRule, Quantifier};
use accord_core::statement::*;
use accord_core::time::CalendarDuration;
use accord_scenario::{VersionDoc, parse};
use jiff::civil::date;

fn id<T: std::str::FromStr>(s: &str) -> T
where
    T::Err: std::fmt::Debug,
{
    s.parse().unwrap()
}

/// A small agreement: one authority, one target, one monitor, one capped indicator, one
/// phase, one trigger, one dispute stage.
fn agreement() -> Agreement {
    Agreement {
        id: id("test-agreement"),
        title: "Test".into(),
        version: 1,
        effective: DateRule::On(date(2026, 1, 1)),
        zone: None,
        signatories: vec![],
        document_sha256: None,
        parties: vec![
            Party {
                id: id("council"),
                name: "Council".into(),
                role: PartyRole::Authority,
                jurisdiction: Some(Jurisdiction("EU".into())),
                keys: vec![],
            },
            Party {
                id: id("target"),
                name: "Target".into(),
                role: PartyRole::Target,
                jurisdiction: None,
                keys: vec![],
            },
        ],
        monitors: vec![Monitor {
            id: id("agency"),
            name: "Agency".into(),
            methods: vec![Method::OnSiteInspection],
            keys: vec![],
        }],
        regimes: vec![],
        units: vec![Unit {
            id: id("kg_u"),
            quantity: "uranium_mass".into(),
            factor: 1.0,
            description: "kg U".into(),
            precision: None,
        }],
        events: vec![Event {
            id: id("adoption"),
            description: "Adoption".into(),
            date: None,
            recorded_by: vec![],
            recurs: false,
        }],
        commitments: vec![Commitment {
            id: id("c1"),
            title: "Cap".into(),
            text: "Keep the stockpile under the cap.".into(),
            themes: Vec::new(),
        }],
        indicators: vec![Indicator {
            id: id("stockpile"),
            commitment: id("c1"),
            description: "Stockpile".into(),
            target: IndicatorTarget::Threshold {
                comparison: Comparison::AtMost,
                limit: 300.0,
                unit: id("kg_u"),
            },
            cadence: CalendarDuration::months(3),
            starts: DateRule::On(date(2026, 1, 1)),
            ends: None,
            grace: CalendarDuration::days(30),
            overdue: OverduePolicy::HoldRelief,
            cure: None,
            stands: None,
            verification: Verification {
                monitors: vec![id("agency")],
                methods: vec![Method::OnSiteInspection],
                quorum: 1,
                tolerance: Tolerance::Exact,
                self_report: SelfReport::NotAccepted,
                confidentiality: Confidentiality::Restricted,
            },
        }],
        phases: vec![Phase {
            id: id("p1"),
            title: "Phase 1".into(),
            entry: Condition::Status {
                quantifier: Quantifier::All,
                commitments: vec![id("c1")],
                status: CommitmentStatus::Compliant,
                reviews: 1,
            },
            not_before: None,
            actions: ["gl-1", "gl-2"]
                .iter()
                .map(|a| ReliefAction {
                    id: id(a),
                    title: format!("licence {a}"),
                    kind: ReliefKind::GeneralLicence {
                        licence: a.to_uppercase(),
                        scope: "trade".into(),
                        activities: vec!["trade".into()],
                    },
                    regime: id("eu"),
                    starts: None,
                    expires: None,
                    lifted: None,
                    renewal: Renewal::None,
                    supersedes: None,
                    weight: 0.0,
                })
                .collect(),
        }],
        exemptions: vec![],
        triggers: vec![Trigger {
            id: id("snapback"),
            title: "Snapback".into(),
            when: Condition::Status {
                quantifier: Quantifier::Any,
                commitments: vec![id("c1")],
                status: CommitmentStatus::Noncompliant,
                reviews: 1,
            },
            standing: vec![id("council")],
            automatic: false,
            countdown: Some(CalendarDuration::days(30)),
            halted_by: vec![id("council")],
            reverts_to: Reversion::PreAgreement,
            wind_down: CalendarDuration::days(90),
            non_retroactive: true,
            reentry: Reentry::ByDecision,
            milestones: vec![],
        }],
        review: Review {
            starts: DateRule::On(date(2026, 1, 1)),
            every: CalendarDuration::months(3),
            ends: None,
        },
        disputes: DisputeProcess {
            stages: vec![Stage {
                id: id("joint_commission"),
                title: "Joint commission".into(),
                deadline: CalendarDuration::days(15),
                extension: Extension::None,
                next: None,
                parallel: vec![],
                alternatives: vec![],
                standing: vec![],
            }],
            while_open: WhileOpen::FreezeFinding,
            standing: vec![],
            resolved_by: vec![],
            extension_consent: vec![],
        },
        proportionality: Proportionality {
            methods: vec![(Method::OnSiteInspection, 1.0)],
        },
    }
}

const HEADER: &str = "[scenario]\ntitle = \"T\"\nagreement = \"a.toml\"\n";

fn lower(events: &str) -> Result<Vec<accord_scenario::PlannedEntry>, Vec<String>> {
    let source = format!("{HEADER}{events}");
    let scenario =
        parse(&source).map_err(|e| e.iter().map(ToString::to_string).collect::<Vec<_>>())?;
    let agreement = agreement();
    let versions = [VersionDoc {
        agreement: &agreement,
        sha256: "00",
    }];
    scenario
        .lower(&versions, 10)
        .map_err(|e| e.iter().map(ToString::to_string).collect())
}

#[test]
fn evidence_takes_its_unit_and_confidentiality_from_the_indicator() {
    let planned = lower(
        r#"
[[events]]
at = 2026-04-10T12:00:00Z
by = "agency"
label = "q1"
evidence = { indicator = "stockpile", period = "2026-01-01/2026-03-31", value = 250, method = "on_site_inspection" }
"#,
    )
    .unwrap();
    assert_eq!(planned.len(), 1);
    let Statement::Evidence(ev) = &planned[0].statement else {
        panic!("not evidence")
    };
    assert_eq!(
        ev.value,
        Observation::Quantity(Quantity::new(250.0, id("kg_u")).unwrap())
    );
    assert_eq!(ev.confidentiality, Confidentiality::Restricted);
    assert_eq!(planned[0].authors, vec![id::<ParticipantId>("agency")]);
    assert_eq!(planned[0].at.to_string(), "2026-04-10T12:00:00Z");
}

#[test]
fn labels_become_log_indices_counted_from_the_first_index() {
    let planned = lower(
        r#"
[[events]]
at = 2026-04-10
by = "agency"
label = "q1"
evidence = { indicator = "stockpile", period = "2026-01-01/2026-03-31", value = 350.5, method = "on_site_inspection" }

[[events]]
at = 2026-04-12
by = "agency"
retraction = { retracts = "q1", reason = "wrong cylinder count" }

[[events]]
at = 2026-04-20
by = "target"
dispute = { id = "d1", step = "open", entry = "q1", stage = "joint_commission", text = "the count is wrong" }
"#,
    )
    .unwrap();
    assert_eq!(
        planned[1].statement,
        Statement::Retraction(Retraction {
            retracts: LogIndex(10),
            reason: "wrong cylinder count".into()
        })
    );
    let Statement::DisputeStep(step) = &planned[2].statement else {
        panic!()
    };
    assert!(matches!(
        step.step,
        DisputeAction::Open {
            finding: Finding::Entry {
                index: LogIndex(10)
            },
            ..
        }
    ));
}

#[test]
fn decisions_triggers_and_events_lower_to_their_statements() {
    let planned = lower(
        r#"
[[events]]
at = 2026-01-15
by = "council"
event = { id = "adoption", on = 2026-01-15 }

[[events]]
at = 2026-05-01
by = "council"
decision = { act = "grant", phase = "p1", effective = 2026-05-01, reason = "phase 1 earned" }

[[events]]
at = 2026-08-01
by = "council"
trigger = { id = "snapback", step = "invoke", text = "stockpile above cap" }
"#,
    )
    .unwrap();
    assert_eq!(planned.len(), 3);
    assert!(
        matches!(&planned[1].statement, Statement::Decision(d) if d.act == DecisionAct::Grant && d.relief == ReliefRef::Phase(id("p1")))
    );
    assert!(
        matches!(&planned[2].statement, Statement::TriggerStep(t) if matches!(t.step, TriggerAction::Invoke { .. }))
    );
}

#[test]
fn relief_acts_lower_with_their_dates_wind_downs_replacements_and_entities() {
    let planned = lower(
        r#"
[[events]]
at = 2026-05-01
by = "council"
decision = { act = "revoke", action = "gl-1", effective = 2026-05-01, reason = "r", wind_down = "P30D" }

[[events]]
at = 2026-05-10
by = "council"
decision = { act = "extend_wind_down", action = "gl-1", effective = 2026-05-10, until = 2026-07-01, reason = "e" }

[[events]]
at = 2026-05-11
by = "council"
decision = { act = "replace", action = "gl-1", by = "gl-2", effective = 2026-05-11, reason = "p" }

[[events]]
at = 2026-05-12
by = "council"
decision = { act = "designate", action = "gl-2", effective = 2026-05-12, reason = "d", entities = ["Caldera Petroleum"] }
"#,
    )
    .unwrap();
    let decisions: Vec<&Decision> = planned
        .iter()
        .map(|p| match &p.statement {
            Statement::Decision(d) => d,
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(decisions[0].wind_down, Some(CalendarDuration::days(30)));
    assert_eq!(decisions[1].act, DecisionAct::ExtendWindDown);
    assert_eq!(decisions[1].until, Some(date(2026, 7, 1).into()));
    assert_eq!(decisions[2].by, Some(id("gl-2")));
    assert_eq!(decisions[3].entities, ["Caldera Petroleum"]);
    let errors = lower(
        r#"
[[events]]
at = 2026-05-01
by = "council"
decision = { act = "revoke", action = "gl-1", effective = 2026-05-01, reason = "r", wind_down = "30 days" }

[[events]]
at = 2026-05-02
by = "council"
decision = { act = "replace", action = "gl-1", by = "gl-9", effective = 2026-05-02, reason = "p" }
"#,
    )
    .unwrap_err();
    let shown: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert_eq!(shown.len(), 2, "{shown:?}");
    assert!(
        shown[0].contains("event 1") && shown[0].contains("`30 days` is not an ISO 8601 duration"),
        "{shown:?}"
    );
    assert!(
        shown[1].contains("event 2") && shown[1].contains("gl-9"),
        "{shown:?}"
    );
}

#[test]
fn every_bad_event_is_reported_with_its_number_and_line() {
    let errors = lower(
        r#"
[[events]]
at = 2026-05-01
by = "agency"
decision = { act = "grant", phase = "p1", effective = 2026-05-01, reason = "x" }

[[events]]
at = 2026-04-01
by = "agency"
evidence = { indicator = "stokpile", period = "2026-01-01/2026-03-31", value = 1, method = "on_site_inspection" }

[[events]]
at = 2026-06-01
by = "agency"
evidence = { indicator = "stockpile", period = "2026-03-31/2026-01-01", value = true, method = "telepathy" }

[[events]]
at = 2026-06-02
by = "nobody"
retraction = { retracts = "missing", reason = "x" }

[[events]]
at = 2026-06-03
by = "council"
"#,
    )
    .unwrap_err();
    insta::assert_snapshot!(errors.join("\n"), @r"
    7:6: event 1: `agency` has no standing to make a decision statement (help: check the author's role in the agreement)
    11:6: event 2: event is recorded at 2026-04-01T00:00:00Z, before the previous event (2026-05-01T00:00:00Z) (help: list events in the order they are recorded)
    13:26: event 2: the agreement has no indicator `stokpile`
    18:48: event 3: period ends on 2026-01-01, before it starts on 2026-03-31
    18:96: event 3: `telepathy` is not a method (help: unknown variant `telepathy`, expected one of `on_site_inspection`, `remote_sensing`, `document_audit`, `third_party_audit`, `self_report`)
    18:81: event 3: indicator `stockpile` takes a number
    23:27: event 4: no earlier event is labelled `missing` (help: refer to an earlier event by its `label`)
    25:1: event 5: an event states exactly one thing, this one states 0 (help: give one of `evidence`, `correction`, `retraction`, `decision`, `dispute`, `trigger`, `event`, `amendment`, `signal`, `participation`)
    ");
}

#[test]
fn an_amendment_signature_signs_the_digest_of_that_version() {
    let source = format!(
        "{HEADER}\n[[events]]\nat = 2026-09-01\nby = \"target\"\namendment = {{ version = 2 }}\n"
    );
    let scenario = parse(&source).unwrap();
    let v1 = agreement();
    let mut v2 = agreement();
    v2.version = 2;
    let versions = [
        VersionDoc {
            agreement: &v1,
            sha256: "aa",
        },
        VersionDoc {
            agreement: &v2,
            sha256: "bb",
        },
    ];
    let planned = scenario.lower(&versions, 0).unwrap();
    assert_eq!(
        planned[0].statement,
        Statement::AmendmentSignature(AmendmentSignature {
            version: 2,
            document_sha256: "bb".into()
        })
    );
    let missing = scenario.lower(&versions[..1], 0).unwrap_err();
    assert!(
        missing[0].message.contains("no version 2"),
        "{}",
        missing[0]
    );
}

#[test]
fn toml_errors_carry_line_and_column() {
    let errors =
        parse("[scenario]\ntitle = \"T\"\nagreement = \"a.toml\"\nsurprise = 1\n").unwrap_err();
    assert_eq!(errors.len(), 1);
    assert_eq!((errors[0].line, errors[0].column), (4, 1));
    assert!(
        errors[0].message.contains("unknown field `surprise`"),
        "{}",
        errors[0].message
    );
}

#[test]
fn acts_take_instants_in_a_zone_and_a_second_decides() {
    let planned = lower(
        r#"
[[events]]
at = "2026-04-30T09:00[Europe/Brussels]"
by = "council"
decision = { act = "grant", phase = "p1", effective = "2026-05-01T00:01[Europe/Brussels]", reason = "phase 1 earned early" }

[[events]]
at = 2026-05-02T00:00:00Z
by = "council"
event = { id = "adoption", on = 2026-05-02T18:00:00+09:00 }
"#,
    )
    .unwrap();
    // Recorded at 09:00 in Brussels (07:00 UTC), effective at 00:01 there (22:01 UTC the
    // day before): the instant, with the zone the instrument used.
    assert_eq!(planned[0].at.to_string(), "2026-04-30T07:00:00Z");
    let Statement::Decision(d) = &planned[0].statement else {
        panic!("{:?}", planned[0].statement)
    };
    assert_eq!(
        d.effective.to_string(),
        "2026-05-01T00:01:00+02:00[Europe/Brussels]"
    );
    assert_eq!(d.effective.instant().to_string(), "2026-04-30T22:01:00Z");
    let Statement::EventOccurred(e) = &planned[1].statement else {
        panic!("{:?}", planned[1].statement)
    };
    assert_eq!(e.on.to_string(), "2026-05-02T18:00:00+09:00");

    // Played: the grant is in effect from that second, not before.
    let log: Vec<LoggedStatement> = planned
        .iter()
        .enumerate()
        .map(|(i, p)| LoggedStatement {
            index: LogIndex(i as u64),
            recorded_at: p.at,
            agreement: p.agreement.clone(),
            authors: p.authors.clone(),
            statement: p.statement.clone(),
        })
        .collect();
    let agreement = agreement();
    let status = |when: &str| {
        let state = accord_core::engine::evaluate(
            std::slice::from_ref(&agreement),
            &log,
            when.parse().unwrap(),
        )
        .unwrap();
        state.relief("gl-1").unwrap().status
    };
    use accord_core::engine::state::ReliefStatus;
    assert_eq!(status("2026-04-30T22:00:59Z"), ReliefStatus::Scheduled);
    assert_eq!(status("2026-04-30T22:01:00Z"), ReliefStatus::Granted);
    assert_eq!(status("2026-04-30T22:01:01Z"), ReliefStatus::Granted);
}

#[test]
fn unknown_zones_and_skipped_or_repeated_local_times_are_reported_where_they_are() {
    let errors = lower(
        r#"
[[events]]
at = 2026-03-01
by = "council"
decision = { act = "grant", phase = "p1", effective = "2026-03-02T00:01[Europe/Atlantis]", reason = "x" }

[[events]]
at = 2026-03-02
by = "council"
decision = { act = "grant", phase = "p1", effective = "2026-03-29T02:30[Europe/Brussels]", reason = "x" }

[[events]]
at = 2026-03-03
by = "council"
decision = { act = "revoke", phase = "p1", effective = "2026-10-25T02:30[Europe/Brussels]", reason = "x" }

[[events]]
at = 2026-03-04
by = "council"
event = { id = "adoption", on = 2026-03-04T10:00:00 }
"#,
    )
    .unwrap_err();
    insta::assert_snapshot!(errors.join("\n"), @r"
    8:55: event 1: `Europe/Atlantis` is not a time zone of the tz database (in `2026-03-02T00:01[Europe/Atlantis]`): write an IANA name such as `Europe/London`, or an offset
    13:55: event 2: `2026-03-29T02:30:00` does not exist in Europe/Brussels: clocks skipped from +01:00 to +02:00 that day; write the instant meant with its offset
    18:56: event 3: `2026-10-25T02:30:00` occurs twice in Europe/Brussels (at +02:00 and at +01:00): write the one meant with its offset, e.g. `2026-10-25T02:30:00+02:00[Europe/Brussels]`
    23:33: event 4: `2026-03-04T10:00:00` has a time but no zone: say which, e.g. `2026-03-04T10:00:00Z`, `2026-03-04T10:00:00+01:00` or `2026-03-04T10:00:00[Europe/London]`
    ");
}

#[test]
fn a_plain_record_date_is_the_start_of_that_day_in_the_agreements_zone() {
    let events = r#"
[[events]]
at = 2026-11-02
by = "council"
event = { id = "adoption", on = 2026-11-02 }

[[events]]
at = "2027-03-14T03:00[America/New_York]"
by = "council"
decision = { act = "grant", phase = "p1", effective = "2027-03-14T03:00[America/New_York]", reason = "phase 1 earned" }
"#;
    let scenario = parse(&format!(
        "[scenario]\ntitle = \"t\"\nagreement = \"a.toml\"\n{events}"
    ))
    .unwrap();
    let mut zoned = agreement();
    zoned.zone = Some("America/New_York".into());
    let versions = [VersionDoc {
        agreement: &zoned,
        sha256: "00",
    }];
    let planned = scenario.lower(&versions, 0).unwrap();
    // Midnight in New York, after the clocks went back: 05:00 UTC (not 00:00 UTC, which is
    // still the day before there).
    assert_eq!(planned[0].at.to_string(), "2026-11-02T05:00:00Z");
    // 03:00 on the night clocks spring forward is daylight time already: 07:00 UTC.
    assert_eq!(planned[1].at.to_string(), "2027-03-14T07:00:00Z");
    // Without a zone, a plain date is midnight UTC, as it always was.
    let versions = [VersionDoc {
        agreement: &agreement(),
        sha256: "00",
    }];
    let planned = scenario.lower(&versions, 0).unwrap();
    assert_eq!(planned[0].at.to_string(), "2026-11-02T00:00:00Z");
}
