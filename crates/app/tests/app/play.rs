//! Playing scenarios: every check happens before anything is written, the agreement's
//! texts are registered beside the log, and the log evaluates from the store alone.

use std::collections::BTreeMap;

use accord_app::Error;
use accord_app::evaluate::{AgreementSource, Inputs, LogSource};
use accord_app::play::{EventProblem, rehearse};

use crate::support::{Texts, both, nuclear_agreement, text};

fn problems(error: Error) -> Vec<String> {
    match error {
        Error::Events { problems, .. } => problems.iter().map(ToString::to_string).collect(),
        other => panic!("not event problems: {other:?}"),
    }
}

#[test]
fn a_target_claiming_an_inspection_is_caught_before_anything_is_signed() {
    // The target may report on itself, but only as a self-report: the engine and the
    // ledger both refuse a target's "on-site inspection"; the scenario checker alone does
    // not know that rule, so the rehearsal evaluates every entry first.
    let scenario = r#"
[scenario]
title = "Target claims an inspection"
agreement = "agreement.toml"

[[events]]
at = 2026-01-15
by = "eu"
event = { id = "adoption", on = 2026-01-15 }

[[events]]
at = 2026-03-01
by = "arden"
evidence = { indicator = "additional_protocol_applied", period = "2026-01-15/2026-04-14", value = true, method = "on_site_inspection" }
"#;
    let error = rehearse("s.toml", scenario, &nuclear_agreement(), None).unwrap_err();
    let found = problems(error);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].starts_with("event 2: the agreement does not allow it: the target's own report must use the method `self_report`"),
        "{found:?}"
    );
}

fn too_early(expect: &str) -> String {
    format!(
        r#"
[scenario]
title = "Snapback invoked too early"
agreement = "agreement.toml"

[[events]]
at = 2026-01-15
by = "eu"
event = {{ id = "adoption", on = 2026-01-15 }}

[[events]]
at = 2026-02-01
by = "us"
{expect}
trigger = {{ id = "snapback", step = "invoke", text = "no grounds yet" }}
"#
    )
}

#[test]
fn a_step_the_agreement_refuses_is_a_problem_unless_the_scenario_expects_it() {
    let error = rehearse("s.toml", &too_early(""), &nuclear_agreement(), None).unwrap_err();
    let found = problems(error);
    assert_eq!(found.len(), 1);
    assert!(
        found[0].starts_with("event 2: the agreement does not allow it: invocation of `snapback`"),
        "{found:?}"
    );
    // Marked as expected, it plays, and the timeline shows the rejection.
    both(|store| {
        let expected = too_early("expect = \"rejected\"");
        let played = rehearse("s.toml", &expected, &nuclear_agreement(), None)
            .unwrap()
            .play_into(&store.store)
            .unwrap();
        assert_eq!(played.entries, 2, "{}", store.kind);
        assert!(
            played
                .changes
                .iter()
                .any(|c| c.subject == "entry #1" && c.to == "rejected"),
            "{:?}",
            played.changes
        );
    });
    // Marked as expected when the agreement allows it: a problem too.
    let allowed = too_early("").replace("by = \"eu\"\n", "by = \"eu\"\nexpect = \"rejected\"\n");
    match rehearse("s.toml", &allowed, &nuclear_agreement(), None) {
        Err(Error::Events { problems, .. }) => {
            assert!(
                problems.contains(&EventProblem::NotRejected { event: 1 }),
                "{problems:?}"
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn an_amendment_missing_a_signature_is_the_first_problem() {
    let scenario = text("examples/scenarios/licence-snapback.toml")
        .replace("../licence-elections", "licence-elections");
    let opposition_signs =
        "[[events]]\nat = 2026-11-21T09:00:00Z\nby = \"opposition\"\namendment = { version = 2 }\n";
    assert!(scenario.contains(opposition_signs));
    let files = Texts(BTreeMap::from([
        (
            "licence-elections.toml".to_owned(),
            text("examples/licence-elections.toml"),
        ),
        (
            "licence-elections-v2.toml".to_owned(),
            text("examples/licence-elections-v2.toml"),
        ),
    ]));
    let unsigned = scenario.replace(opposition_signs, "");
    let error = rehearse("unsigned.toml", &unsigned, &files, None).unwrap_err();
    let found = problems(error);
    assert_eq!(
        found[0],
        "amendment version 2 (`licence-elections-v2.toml`) is not in force by the scenario's last event: awaiting the signature of opposition (signed in event 3, event 4); add an `amendment = { version = 2 }` event by each missing signatory, or leave the file out of `amendments`"
    );
}

#[test]
fn a_played_log_evaluates_from_the_store_alone_and_audits_clean() {
    both(|store| {
        let played =
            accord_app::play::play_bundled(&store.store, "scenarios/sectoral-dispute.toml")
                .unwrap();
        // The registry holds the agreement's text: no file is needed to evaluate.
        let registered = AgreementSource::Registered("meridia-sectoral-2026".into());
        let from_store = Inputs::read(&registered, LogSource::Store(&store.store)).unwrap();
        assert_eq!(
            from_store.log.len() as u64,
            played.entries,
            "{}",
            store.kind
        );
        let file = accord_app::agreements::AgreementText {
            name: "sectoral-two-jurisdictions.toml".into(),
            bytes: text("examples/sectoral-two-jurisdictions.toml").into_bytes(),
        };
        let from_file = Inputs::read(
            &AgreementSource::Texts(vec![file]),
            LogSource::Store(&store.store),
        )
        .unwrap();
        let at = accord_app::time::parse_instant("2027-12-31").unwrap();
        assert_eq!(
            from_store.evaluate(at).unwrap(),
            from_file.evaluate(at).unwrap(),
            "{}",
            store.kind
        );
        let to = played.coverage.to.unwrap();
        assert_eq!(
            from_store.timeline(None, to).unwrap(),
            played.changes,
            "{}",
            store.kind
        );
        let report = accord_app::ledger::audit(&store.store, None).unwrap();
        assert!(report.is_clean(), "{:?}", report.findings);
        // Playing it again is refused: the log exists; nothing more was appended.
        let again = accord_app::play::play_bundled(&store.store, "scenarios/sectoral-dispute.toml");
        assert!(matches!(again, Err(Error::CreateLog { .. })), "{again:?}");
        let reread = Inputs::read(&registered, LogSource::Store(&store.store)).unwrap();
        assert_eq!(reread.log.len(), from_store.log.len());
    });
}

#[test]
fn an_agreement_the_store_does_not_hold_is_named() {
    both(|store| {
        let missing = AgreementSource::Registered("nowhere".into());
        match Inputs::read(&missing, LogSource::Store(&store.store)) {
            Err(Error::NotRegistered { agreement, .. }) => assert_eq!(agreement, "nowhere"),
            other => panic!("{other:?}"),
        }
    });
}
