//! Integration tests of the agreement format: examples, one broken file per validation rule
//! (snapshots of the exact rendered diagnostic), the JSON Schema, amendments, bad bytes and
//! properties of the parser.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;

use accord_spec::{Checked, STARTER, parse, render_text};

fn examples_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples")
}

fn examples() -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = std::fs::read_dir(examples_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read_to_string(&p).unwrap(),
            )
        })
        .collect();
    out.sort();
    assert!(out.len() >= 3, "expected at least three examples");
    out
}

fn example(name: &str) -> String {
    std::fs::read_to_string(examples_dir().join(name)).unwrap()
}

/// The starter with `from` replaced by `to` (which must occur exactly once).
fn starter_with(from: &str, to: &str) -> String {
    assert_eq!(
        STARTER.matches(from).count(),
        1,
        "`{from}` must occur once in the starter"
    );
    STARTER.replacen(from, to, 1)
}

fn rendered(source: &str) -> String {
    let checked = parse(source);
    render_text("broken.toml", source, &checked.diagnostics)
}

fn errors(checked: &Checked) -> Vec<String> {
    checked
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| format!("{}: {}", d.code, d.message))
        .collect()
}

mod examples {
    use super::*;

    #[test]
    fn dates_take_instants_in_a_zone_and_the_agreement_a_zone() {
        use accord_core::rule::DateRule;
        let source = starter_with(
            "not_before = \"adoption + P6M\"",
            "not_before = \"latest(adoption + P6M, 2026-11-01T01:30-05:00[America/New_York])\"",
        )
        .replacen(
            "effective = \"adoption\"",
            "effective = \"adoption\"\nzone = \"Asia/Tehran\"",
            1,
        );
        let checked = parse(&source);
        let agreement = checked
            .agreement
            .unwrap_or_else(|| panic!("{}", rendered(&source)));
        assert_eq!(agreement.zone.as_deref(), Some("Asia/Tehran"));
        let rule = agreement
            .phases
            .iter()
            .find_map(|p| p.not_before.clone())
            .unwrap();
        let DateRule::Latest(rules) = rule else {
            panic!("{rule:?}")
        };
        let DateRule::At(m) = &rules[1] else {
            panic!("{rules:?}")
        };
        // The second 01:30 of the night clocks went back: 06:30 UTC.
        assert_eq!(m.instant().to_string(), "2026-11-01T06:30:00Z");
        // A TOML offset date-time is an instant too.
        let source = starter_with(
            "not_before = \"adoption + P6M\"",
            "not_before = 2026-11-09T00:01:00-05:00",
        );
        let agreement = parse(&source)
            .agreement
            .unwrap_or_else(|| panic!("{}", rendered(&source)));
        let rule = agreement
            .phases
            .iter()
            .find_map(|p| p.not_before.clone())
            .unwrap();
        assert!(
            matches!(rule, DateRule::At(m) if m.instant().to_string() == "2026-11-09T05:01:00Z")
        );
    }

    #[test]
    fn every_example_checks_without_errors() {
        for (name, source) in examples() {
            let checked = parse(&source);
            assert!(
                !checked.has_errors(),
                "{name}:\n{}",
                render_text(&name, &source, &checked.diagnostics)
            );
            assert!(checked.agreement.is_some(), "{name}");
        }
    }

    #[test]
    fn the_starter_checks_without_any_diagnostic() {
        let checked = parse(STARTER);
        assert_eq!(checked.diagnostics, vec![], "{}", rendered(STARTER));
        let a = checked.agreement.unwrap();
        assert_eq!(a.phases.len(), 1);
        assert_eq!(a.indicators[0].commitment.as_str(), "reform");
    }

    #[test]
    fn commitments_carry_their_themes_and_a_theme_must_be_a_list_of_strings() {
        let text = "text = \"The target shall have its public procurement audited each quarter by an independent auditor and publish the findings.\"";
        let themed = starter_with(
            text,
            &format!("{text}\nthemes = [\"governance\", \"procurement\"]"),
        );
        let a = parse(&themed).agreement.unwrap();
        assert_eq!(a.commitments[0].themes, ["governance", "procurement"]);
        assert!(
            parse(STARTER).agreement.unwrap().commitments[0]
                .themes
                .is_empty()
        );
        let wrong = starter_with(text, &format!("{text}\nthemes = \"governance\""));
        let checked = parse(&wrong);
        assert!(checked.agreement.is_none());
        assert_eq!(errors(&checked).len(), 1, "{}", rendered(&wrong));
    }

    #[test]
    fn the_nuclear_example_lowers_what_it_says() {
        let a = parse(&example("nuclear-caps.toml")).agreement.unwrap();
        assert_eq!(a.phases.len(), 3);
        assert_eq!(a.disputes.stages.len(), 4);
        // The stockpile tolerance is written as 1 kg U and converted to kg UF6.
        let stockpile = a
            .indicators
            .iter()
            .find(|i| i.id.as_str() == "leu_stockpile")
            .unwrap();
        match stockpile.verification.tolerance {
            accord_core::agreement::Tolerance::Absolute { value } => {
                assert!((value - 1.0 / 0.676).abs() < 1e-9, "{value}")
            }
            other => panic!("{other:?}"),
        }
        let joint = a
            .indicators
            .iter()
            .find(|i| i.id.as_str() == "u235_enrichment")
            .unwrap();
        assert_eq!(joint.verification.quorum, 2);
        assert_eq!(joint.verification.monitors.len(), 3);
    }

    #[test]
    fn reentry_is_lowered_and_defaults_to_by_decision() {
        use accord_core::agreement::Reentry;
        let plain = parse(STARTER).agreement.unwrap();
        assert_eq!(plain.triggers[0].reentry, Reentry::ByDecision);
        let re_earn = parse(&starter_with(
            "reverts_to = \"pre_agreement\"",
            "reverts_to = \"pre_agreement\"\nreentry = \"re_earn\"",
        ))
        .agreement
        .unwrap();
        assert_eq!(re_earn.triggers[0].reentry, Reentry::ReEarn);
        let explicit = parse(&starter_with(
            "reverts_to = \"pre_agreement\"",
            "reverts_to = \"pre_agreement\"\nreentry = \"by_decision\"",
        ))
        .agreement
        .unwrap();
        assert_eq!(explicit.triggers[0].reentry, Reentry::ByDecision);
    }

    #[test]
    fn a_termination_is_lowered_and_takes_the_keys_of_a_suspension() {
        use accord_core::agreement::ReliefKind;
        let terminated = parse(&starter_with(
            "type = \"suspend_measure\"",
            "type = \"terminate_measure\"",
        ));
        assert!(!terminated.has_errors(), "{:?}", terminated.diagnostics);
        let a = terminated.agreement.unwrap();
        let (_, action) = a.actions().next().unwrap();
        assert!(matches!(
            &action.kind,
            ReliefKind::TerminateMeasure { measure, sectors }
                if measure.as_str() == "eu-trade" && sectors == &["energy".to_owned()]
        ));
        let wrong = parse(&starter_with(
            "type = \"suspend_measure\"",
            "type = \"terminate_measure\"\nlicence = \"GL 1\"",
        ));
        assert_eq!(
            errors(&wrong),
            ["accord::action_field: `licence` does not apply to a `terminate_measure` action"]
        );
    }

    #[test]
    fn calendars_are_lowered_cadence_ends_milestones_measure_reviews_and_sunsets() {
        use accord_core::time::CalendarDuration;
        let source = starter_with(
            "every = \"P3M\"\n",
            "every = \"P3M\"\nends = \"adoption + P4Y\"\n",
        )
        .replacen(
            "starts = \"adoption\"\ngrace",
            "starts = \"adoption + P30D\"\nends = \"adoption + P4Y\"\ngrace",
            1,
        )
        .replacen(
            "description = \"Prohibition on trade in listed energy and transport goods\"\n",
            "description = \"Prohibition on trade in listed energy and transport goods\"\nreview = { starts = \"adoption + P6M\", every = \"P6M\", remind = \"P30D\" }\nsunset = \"adoption + P8Y\"\n",
            1,
        )
        .replacen(
            "non_retroactive = true\n",
            "non_retroactive = true\nmilestones = [{ after = \"P10D\", title = \"a draft tabled, else the presidency tables one\" }]\n",
            1,
        );
        let checked = parse(&source);
        assert!(!checked.has_errors(), "{}", rendered(&source));
        let a = checked.agreement.unwrap();
        assert!(a.review.ends.is_some());
        assert!(a.indicators[0].ends.is_some());
        let measure = &a.regimes[0].measures[0];
        let review = measure.review.as_ref().unwrap();
        assert_eq!(review.every, Some(CalendarDuration::months(6)));
        assert_eq!(review.remind, Some(CalendarDuration::days(30)));
        assert!(measure.sunset.is_some());
        assert_eq!(
            a.triggers[0].milestones[0].after,
            CalendarDuration::days(10)
        );
        // An end before the start is an error.
        let backwards = parse(&starter_with(
            "every = \"P3M\"\n",
            "every = \"P3M\"\nends = \"adoption - P1D\"\n",
        ));
        assert_eq!(
            errors(&backwards),
            ["accord::dates_out_of_order: the reviews end before they start"]
        );
    }

    #[test]
    fn a_180_day_cadence_is_not_reported_less_often_than_six_monthly_reviews() {
        let source = starter_with("every = \"P3M\"\n", "every = \"P6M\"\n")
            .replacen("cadence = \"P3M\"", "cadence = \"P180D\"", 1)
            .replacen("grace = \"P30D\"", "grace = \"P28D\"", 1);
        let checked = parse(&source);
        assert!(checked.diagnostics.is_empty(), "{}", rendered(&source));
        // Reviews every 30 days against a monthly cadence still depend on the month.
        let source = starter_with("every = \"P3M\"\n", "every = \"P30D\"\n")
            .replacen("cadence = \"P3M\"", "cadence = \"P1M\"", 1)
            .replacen("grace = \"P30D\"", "grace = \"P28D\"", 1);
        let codes: Vec<&str> = parse(&source).diagnostics.iter().map(|d| d.code).collect();
        assert_eq!(codes, ["accord::cadence"]);
    }

    #[test]
    fn lowering_is_deterministic() {
        for (name, source) in examples() {
            let a = parse(&source).agreement.unwrap();
            let b = parse(&source).agreement.unwrap();
            assert_eq!(a, b, "{name}");
            assert_eq!(
                serde_json::to_string(&a).unwrap(),
                serde_json::to_string(&b).unwrap(),
                "{name}"
            );
            // The lowered model round-trips through its own serde form.
            let back: accord_core::agreement::Agreement =
                serde_json::from_str(&serde_json::to_string(&a).unwrap()).unwrap();
            assert_eq!(back, a, "{name}");
        }
    }
}

/// One broken file per validation rule, with its exact rendered diagnostics.
mod broken {
    use super::*;

    macro_rules! broken {
        ($name:ident, $source:expr, $code:literal) => {
            #[test]
            fn $name() {
                let source: String = $source;
                let checked = parse(&source);
                assert!(
                    checked.diagnostics.iter().any(|d| d.code == $code),
                    "expected {} in:\n{}",
                    $code,
                    rendered(&source)
                );
                if checked
                    .diagnostics
                    .iter()
                    .any(|d| d.code == $code && d.is_error())
                {
                    assert!(checked.agreement.is_none());
                }
                insta::assert_snapshot!(stringify!($name), rendered(&source));
            }
        };
    }

    broken!(
        toml_syntax,
        starter_with("[review]", "[review"),
        "accord::toml"
    );
    broken!(
        unknown_key_with_suggestion,
        starter_with(
            "cadence = \"P3M\"  ",
            "cadance = \"P3M\"\ncadence = \"P3M\"  "
        ),
        "accord::unknown_key"
    );
    broken!(
        unknown_section,
        format!("{STARTER}\n[reviews]\nevery = \"P1M\"\n"),
        "accord::unknown_key"
    );
    broken!(
        wrong_type,
        starter_with("version = 1", "version = \"1\""),
        "accord::type"
    );
    broken!(
        missing_key,
        starter_with("title = \"First relief\"\n", ""),
        "accord::missing_key"
    );
    broken!(
        invalid_identifier,
        starter_with("id = \"starter-agreement\"", "id = \"starter agreement\""),
        "accord::identifier"
    );
    broken!(
        duplicate_id,
        starter_with("id = \"target\"", "id = \"ministry\""),
        "accord::duplicate_id"
    );
    broken!(
        impossible_date,
        starter_with(
            "not_before = \"adoption + P6M\"",
            "not_before = \"2026-02-30\""
        ),
        "accord::date"
    );
    broken!(
        native_impossible_date,
        starter_with("not_before = \"adoption + P6M\"", "not_before = 2026-02-30"),
        "accord::toml"
    );
    broken!(
        invalid_duration,
        starter_with("grace = \"P30D\"", "grace = \"30 days\""),
        "accord::duration"
    );
    broken!(
        unknown_value_with_suggestion,
        starter_with("role = \"authority\"", "role = \"authorty\""),
        "accord::unknown_value"
    );
    broken!(
        condition_syntax,
        starter_with(
            "entry = \"reform compliant for 2 reviews\"",
            "entry = \"reform complaint for 2 reviews\""
        ),
        "accord::condition"
    );
    broken!(
        condition_missing_comma,
        starter_with(
            "entry = \"reform compliant for 2 reviews\"",
            "entry = \"all(reform reform) compliant\""
        ),
        "accord::condition"
    );
    broken!(
        condition_unknown_commitment,
        starter_with(
            "entry = \"reform compliant for 2 reviews\"",
            "entry = \"reforms compliant for 2 reviews\""
        ),
        "accord::unknown_reference"
    );
    broken!(
        condition_wrong_kind,
        starter_with("dispute(reform) exhausted", "dispute(phase-1) exhausted"),
        "accord::wrong_kind"
    );
    broken!(
        condition_unknown_event,
        starter_with(
            "not_before = \"adoption + P6M\"",
            "not_before = \"adoptoin + P6M\""
        ),
        "accord::unknown_reference"
    );
    broken!(
        zone_unknown,
        starter_with(
            "effective = \"adoption\"",
            "effective = \"adoption\"\nzone = \"America/New_Yrok\""
        ),
        "accord::unknown_zone"
    );
    broken!(
        instant_in_an_unknown_zone,
        starter_with(
            "not_before = \"adoption + P6M\"",
            "not_before = \"latest(adoption + P6M, 2026-07-14T00:01[Mars/Olympus])\""
        ),
        "accord::unknown_zone"
    );
    broken!(
        instant_skipped_by_the_clocks,
        starter_with(
            "not_before = \"adoption + P6M\"",
            "not_before = \"2027-03-14T02:30[America/New_York]\""
        ),
        "accord::skipped_time"
    );
    broken!(
        instant_repeated_by_the_clocks,
        starter_with(
            "not_before = \"adoption + P6M\"",
            "not_before = \"2026-11-01T01:30[America/New_York]\""
        ),
        "accord::ambiguous_time"
    );
    broken!(
        toml_time_without_a_zone,
        starter_with(
            "not_before = \"adoption + P6M\"",
            "not_before = 2026-11-01T12:00:00"
        ),
        "accord::date"
    );
    broken!(
        date_rule_needs_spaces,
        starter_with(
            "not_before = \"adoption + P6M\"",
            "not_before = \"adoption-P6M\""
        ),
        "accord::date"
    );
    broken!(
        monitor_is_party,
        starter_with("id = \"inspectorate\"", "id = \"target\""),
        "accord::monitor_is_party"
    );
    broken!(
        party_as_monitor,
        starter_with(
            "monitors = [\"inspectorate\"]",
            "monitors = [\"inspectorate\", \"ministry\"]"
        ),
        "accord::party_as_monitor"
    );
    broken!(
        monitor_as_party,
        starter_with("standing = [\"ministry\"]", "standing = [\"inspectorate\"]"),
        "accord::monitor_as_party"
    );
    broken!(
        phase_depends_on_itself,
        starter_with(
            "entry = \"reform compliant for 2 reviews\"",
            "entry = \"reform compliant and phase(phase-1) reached\""
        ),
        "accord::phase_order"
    );
    broken!(
        exemption_revocable,
        starter_with(
            "reverts_to = \"pre_agreement\"",
            "reverts_to = { actions = [\"suspend-energy\", \"humanitarian\"] }"
        ),
        "accord::exemption_revocable"
    );
    broken!(
        quorum_larger_than_monitors,
        starter_with("quorum = 1", "quorum = 2"),
        "accord::quorum"
    );
    broken!(
        proportionality_weight_exceeds_verification,
        starter_with("weight = 2", "weight = 5"),
        "accord::proportionality"
    );
    broken!(
        grace_longer_than_cadence,
        starter_with("grace = \"P30D\"", "grace = \"P4M\""),
        "accord::grace"
    );
    broken!(
        cadence_longer_than_review,
        starter_with("cadence = \"P3M\"  ", "cadence = \"P6M\"  "),
        "accord::cadence"
    );
    broken!(
        action_expires_before_it_starts,
        starter_with(
            "sectors = [\"energy\"]\n",
            "sectors = [\"energy\"]\nstarts = \"adoption + P1Y\"\nexpires = \"adoption + P6M\"\n"
        ),
        "accord::dates_out_of_order"
    );
    broken!(
        dispute_outcome_recorded_by_a_monitor,
        starter_with(
            "while_open = \"freeze_finding\"\n",
            "while_open = \"freeze_finding\"\nresolved_by = [\"inspectorate\"]\n"
        ),
        "accord::monitor_as_party"
    );
    broken!(
        stage_alternative_to_itself,
        starter_with(
            "extension = { by_consent = \"P15D\" }\n",
            "extension = { by_consent = \"P15D\" }\nalternatives = [\"joint-commission\"]\n"
        ),
        "accord::stage_cycle"
    );
    broken!(
        action_lifted_before_it_starts,
        starter_with(
            "sectors = [\"energy\"]\n",
            "sectors = [\"energy\"]\nstarts = \"adoption + P1Y\"\nlifted = \"adoption + P6M\"\n"
        ),
        "accord::dates_out_of_order"
    );
    broken!(
        key_validity_out_of_order,
        starter_with(
            "keys = [\"H55VA/u/1as9NdQ8pAZR7JMEhdFnK58gFQh7X/dFFZk=\"]",
            "keys = [{ key = \"H55VA/u/1as9NdQ8pAZR7JMEhdFnK58gFQh7X/dFFZk=\", valid_from = 2027-01-01T00:00:00Z, valid_until = 2026-01-01T00:00:00Z }]"
        ),
        "accord::dates_out_of_order"
    );
    broken!(
        method_not_accredited,
        starter_with(
            "methods = [\"document_audit\"], quorum",
            "methods = [\"remote_sensing\"], quorum"
        ),
        "accord::not_accredited"
    );
    broken!(
        reverts_to_unknown_phase,
        starter_with(
            "reverts_to = \"pre_agreement\"",
            "reverts_to = { phase = \"phase-2\" }"
        ),
        "accord::unknown_reference"
    );
    broken!(
        overdue_escalates_to_unknown_stage,
        starter_with(
            "overdue = { noncompliant_after = 2 }",
            "overdue = { escalate = \"ministers\" }"
        ),
        "accord::unknown_reference"
    );
    broken!(
        invalid_key,
        starter_with(
            "keys = [\"H55VA/u/1as9NdQ8pAZR7JMEhdFnK58gFQh7X/dFFZk=\"]",
            "keys = [\"azSwA7H9Uo2qpAEvqx2TDiuoec8tOeTf+qqwm1S=\"]"
        ),
        "accord::key"
    );
    broken!(
        altered_verifier_key,
        starter_with(
            "inspectorate.example+60adb5fc+",
            "inspectorate.example+60adb5fd+"
        ),
        "accord::key"
    );
    broken!(
        shared_key,
        starter_with(
            "keys = [\"H55VA/u/1as9NdQ8pAZR7JMEhdFnK58gFQh7X/dFFZk=\"]",
            "keys = [\"ministry.example+8fff4107+AQvqu/IEy3p675vReplVAn5KGdHDQso/XyQ72njpg/MI\"]"
        ),
        "accord::shared_key"
    );
    broken!(
        field_of_another_indicator_type,
        starter_with("expected = true\n", "expected = true\nlimit = 3\n"),
        "accord::indicator_field"
    );
    broken!(
        field_of_another_action_type,
        starter_with(
            "sectors = [\"energy\"]\n",
            "sectors = [\"energy\"]\namount = 100\n"
        ),
        "accord::action_field"
    );
    broken!(
        renewal_without_expiry,
        starter_with(
            "sectors = [\"energy\"]\n",
            "sectors = [\"energy\"]\nrenewal = { term = \"P6M\" }\n"
        ),
        "accord::renewal"
    );
    broken!(
        stage_leads_to_itself,
        starter_with(
            "extension = { by_consent = \"P15D\" }",
            "extension = { by_consent = \"P15D\" }\nnext = \"joint-commission\""
        ),
        "accord::stage_cycle"
    );
    broken!(
        trigger_nobody_may_invoke,
        starter_with("standing = [\"ministry\"]", "standing = []"),
        "accord::standing"
    );
    broken!(
        commitment_without_indicators,
        format!(
            "{STARTER}\n[[commitments]]\nid = \"later\"\ntitle = \"Later\"\ntext = \"Something later.\"\n"
        ),
        "accord::no_indicators"
    );
    broken!(
        amendment_without_amends,
        starter_with(
            "version = 1",
            "version = 2\nsignatories = [\"ministry\", \"target\"]"
        ),
        "accord::amendment"
    );
    broken!(
        amendment_not_signed_by_target,
        starter_with(
            "version = 1",
            "version = 2\namends = 1\nsignatories = [\"ministry\"]"
        ),
        "accord::amendment"
    );
    broken!(
        atleast_more_than_named,
        starter_with(
            "entry = \"reform compliant for 2 reviews\"",
            "entry = \"atleast(2; reform) compliant\""
        ),
        "accord::condition"
    );
    broken!(
        grade_pass_not_on_scale,
        starter_with(
            "type = \"flag\"                  # threshold | flag | count | deadline | grade\nexpected = true",
            "type = \"grade\"\nscale = [\"poor\", \"good\"]\npass = \"godo\""
        ),
        "accord::grade"
    );
    broken!(
        self_report_sufficient_is_a_warning,
        starter_with(
            "quorum = 1, confidentiality",
            "quorum = 1, self_report = \"sufficient\", confidentiality"
        ),
        "accord::self_report_sufficient"
    );
    broken!(
        no_target_party,
        starter_with("role = \"target\"", "role = \"observer\""),
        "accord::roles"
    );
    broken!(
        relief_without_verification,
        starter_with(
            "entry = \"reform compliant for 2 reviews\"",
            "entry = \"event(adoption) occurred\""
        ),
        "accord::proportionality"
    );
    broken!(
        grace_may_exceed_cadence_is_a_warning,
        starter_with("cadence = \"P3M\"  ", "cadence = \"P1M\"  "),
        "accord::grace"
    );
    broken!(
        unused_monitor_is_a_warning,
        starter_with(
            "[[commitments]]",
            "[[monitors]]\nid = \"spare\"\nname = \"Spare monitor\"\nmethods = [\"remote_sensing\"]\nkeys = [\"Rp0i38G5vbm72TrOneSd922yczIvmPPEbC77ZB4543s=\"]\n\n[[commitments]]"
        ),
        "accord::unused_monitor"
    );
    broken!(
        supersedes_itself,
        starter_with(
            "sectors = [\"energy\"]\n",
            "sectors = [\"energy\"]\nsupersedes = \"suspend-energy\"\n"
        ),
        "accord::supersedes"
    );
    broken!(
        authority_without_jurisdiction_is_a_warning,
        starter_with("jurisdiction = \"EU\"\nkeys", "keys"),
        "accord::jurisdiction"
    );
    broken!(
        party_without_keys_is_a_warning,
        starter_with(
            "keys = [\"H55VA/u/1as9NdQ8pAZR7JMEhdFnK58gFQh7X/dFFZk=\"]\n",
            ""
        ),
        "accord::no_keys"
    );
    broken!(
        reverting_to_the_last_phase_is_a_warning,
        starter_with(
            "reverts_to = \"pre_agreement\"",
            "reverts_to = { phase = \"phase-1\" }"
        ),
        "accord::reversion"
    );
    broken!(
        unknown_reentry,
        starter_with(
            "reverts_to = \"pre_agreement\"",
            "reverts_to = \"pre_agreement\"\nreentry = \"re-earn\""
        ),
        "accord::unknown_value"
    );
    broken!(
        unreachable_stage_is_a_warning,
        starter_with(
            "[proportionality.methods]",
            "[[disputes.stages]]\nid = \"arbitration\"\ntitle = \"Arbitration\"\ndeadline = \"P60D\"\n\n[proportionality.methods]"
        ),
        "accord::stage_unreachable"
    );
    broken!(
        cure_longer_than_cadence_is_a_warning,
        starter_with(
            "overdue = { noncompliant_after = 2 }",
            "cure = \"P6M\"\noverdue = { noncompliant_after = 2 }"
        ),
        "accord::cure"
    );
    broken!(
        protocol_without_monitors,
        starter_with("monitors = [\"inspectorate\"]", "monitors = []"),
        "accord::no_monitors"
    );
    broken!(
        monitor_accredited_for_self_report,
        starter_with(
            "methods = [\"on_site_inspection\", \"document_audit\"]",
            "methods = [\"on_site_inspection\", \"document_audit\", \"self_report\"]"
        ),
        "accord::monitor_self_report"
    );
    broken!(
        self_report_method_not_accepted,
        starter_with(
            "methods = [\"document_audit\"], quorum",
            "methods = [\"document_audit\", \"self_report\"], quorum"
        ),
        "accord::self_report"
    );
    broken!(
        numeric_tolerance_on_a_flag,
        starter_with(
            "quorum = 1, confidentiality",
            "quorum = 1, tolerance = { relative = 0.05 }, confidentiality"
        ),
        "accord::tolerance"
    );
    broken!(
        unit_factor_not_positive,
        starter_with(
            "[[events]]",
            "[[units]]\nid = \"kg_u\"\nquantity = \"uranium_mass\"\nfactor = 0\ndescription = \"kilograms of uranium\"\n\n[[events]]"
        ),
        "accord::unit_factor"
    );
    broken!(
        noncompliant_after_zero,
        starter_with("noncompliant_after = 2", "noncompliant_after = 0"),
        "accord::overdue"
    );
    broken!(
        unfreeze_amount_and_currency,
        starter_with(
            "type = \"suspend_measure\"\nregime = \"eu-regime\"\nmeasure = \"eu-trade\"\nsectors = [\"energy\"]",
            "type = \"unfreeze\"\nregime = \"eu-regime\"\nmeasure = \"eu-trade\"\namount = -5\ncurrency = \"euro\""
        ),
        "accord::currency"
    );
    broken!(
        list_id_without_list,
        starter_with(
            "type = \"suspend_measure\"\nregime = \"eu-regime\"\nmeasure = \"eu-trade\"\nsectors = [\"energy\"]",
            "type = \"delist\"\nregime = \"eu-regime\"\nentities = [{ name = \"Bank\", list_id = \"12345\" }]"
        ),
        "accord::list_id"
    );
    broken!(
        delisting_nobody,
        starter_with(
            "type = \"suspend_measure\"\nregime = \"eu-regime\"\nmeasure = \"eu-trade\"\nsectors = [\"energy\"]",
            "type = \"delist\"\nregime = \"eu-regime\"\nentities = []"
        ),
        "accord::entities"
    );
    broken!(
        negative_weight,
        starter_with("weight = 2", "weight = -1"),
        "accord::weight"
    );
    broken!(
        exemption_without_activities,
        starter_with(
            "activities = [\"food\", \"medicine\", \"humanitarian_aid\"]",
            "activities = []"
        ),
        "accord::exemption_scope"
    );
    broken!(
        disputes_without_stages,
        starter_with(
            "[[disputes.stages]]\nid = \"joint-commission\"\ntitle = \"Joint commission\"\ndeadline = \"P30D\"\nextension = { by_consent = \"P15D\" }\n",
            ""
        ),
        "accord::no_stages"
    );
    broken!(
        zero_deadline,
        starter_with("deadline = \"P30D\"", "deadline = \"P0D\""),
        "accord::deadline"
    );
    broken!(
        unknown_extension,
        starter_with(
            "extension = { by_consent = \"P15D\" }",
            "extension = \"maybe\""
        ),
        "accord::extension"
    );
    broken!(
        version_zero,
        starter_with("version = 1", "version = 0"),
        "accord::version"
    );
    broken!(
        negative_quorum,
        starter_with("quorum = 1", "quorum = -1"),
        "accord::range"
    );
    broken!(
        instant_not_in_utc,
        starter_with(
            "keys = [\"H55VA/u/1as9NdQ8pAZR7JMEhdFnK58gFQh7X/dFFZk=\"]",
            "keys = [{ key = \"H55VA/u/1as9NdQ8pAZR7JMEhdFnK58gFQh7X/dFFZk=\", valid_from = 2026-01-01T00:00:00+02:00 }]"
        ),
        "accord::instant"
    );
    broken!(
        phase_without_actions_is_a_warning,
        starter_with(
            "# Humanitarian exemptions",
            "[[phases]]\nid = \"phase-2\"\ntitle = \"Second relief\"\nentry = \"reform compliant for 4 reviews\"\n\n# Humanitarian exemptions"
        ),
        "accord::empty_phase"
    );
    broken!(
        unused_commitment_is_a_warning,
        starter_with(
            "# The relief schedule",
            "[[commitments]]\nid = \"later\"\ntitle = \"Later\"\ntext = \"Later.\"\n\n[[commitments.indicators]]\nid = \"later_done\"\ndescription = \"Done\"\ntype = \"flag\"\nexpected = true\ncadence = \"P3M\"\nstarts = \"adoption\"\ngrace = \"P30D\"\nverification = { monitors = [\"inspectorate\"], methods = [\"document_audit\"], quorum = 1, confidentiality = \"public\" }\n\n# The relief schedule"
        ),
        "accord::unused_commitment"
    );
    broken!(
        unknown_reversion,
        starter_with(
            "reverts_to = \"pre_agreement\"",
            "reverts_to = \"everything\""
        ),
        "accord::reversion"
    );
    broken!(
        grade_twice_on_the_scale,
        starter_with(
            "type = \"flag\"                  # threshold | flag | count | deadline | grade\nexpected = true",
            "type = \"grade\"\nscale = [\"good\", \"good\"]\npass = \"good\""
        ),
        "accord::grade"
    );
    broken!(
        unknown_renewal,
        starter_with("weight = 2", "renewal = \"forever\"\nweight = 2"),
        "accord::renewal"
    );
    broken!(
        event_dated_from_itself,
        starter_with(
            "description = \"Adoption of the agreement by both parties\"",
            "description = \"Adoption of the agreement by both parties\"\ndate = \"earliest(adoption + P1D, 2027-01-01)\""
        ),
        "accord::event_cycle"
    );
    broken!(
        no_exemptions_is_a_warning,
        {
            let start = STARTER.find("[[exemptions]]").unwrap();
            let end = STARTER.find("# What non-compliance reverts.").unwrap();
            format!("{}{}", &STARTER[..start], &STARTER[end..])
        },
        "accord::no_exemptions"
    );

    #[test]
    fn tolerance_in_a_unit_of_another_quantity() {
        let source = example("nuclear-caps.toml").replacen(
            "tolerance = { absolute = 1.0, unit = \"kg_u\" }",
            "tolerance = { absolute = 1.0, unit = \"percent_u235\" }",
            1,
        );
        let checked = parse(&source);
        assert!(
            checked
                .diagnostics
                .iter()
                .any(|d| d.code == "accord::unit_quantity")
        );
        insta::assert_snapshot!(render_text("nuclear.toml", &source, &checked.diagnostics));
    }

    fn nuclear_with(from: &str, to: &str) -> String {
        let source = example("nuclear-caps.toml");
        assert_eq!(source.matches(from).count(), 1, "`{from}` must occur once");
        source.replacen(from, to, 1)
    }

    #[test]
    fn phase_entry_referring_to_a_later_phase() {
        let source = nuclear_with(
            "and phase(adoption-day) reached\"",
            "and phase(transition-day) reached\"",
        );
        let checked = parse(&source);
        assert!(
            checked
                .diagnostics
                .iter()
                .any(|d| d.code == "accord::phase_order")
        );
        insta::assert_snapshot!(render_text("nuclear.toml", &source, &checked.diagnostics));
    }

    #[test]
    fn phases_going_back_in_time() {
        let source = nuclear_with(
            "not_before = \"latest(adoption + P2Y, phase(implementation-day) + P18M)\"",
            "not_before = \"adoption + P30D\"",
        );
        let checked = parse(&source);
        assert!(
            checked
                .diagnostics
                .iter()
                .any(|d| d.code == "accord::dates_out_of_order")
        );
        insta::assert_snapshot!(render_text("nuclear.toml", &source, &checked.diagnostics));
    }

    #[test]
    fn measure_of_another_regime() {
        let source = nuclear_with(
            "regime = \"un-nonpro\"\nmeasure = \"un-arms\"",
            "regime = \"us-nonpro\"\nmeasure = \"un-arms\"",
        );
        let checked = parse(&source);
        assert!(
            checked
                .diagnostics
                .iter()
                .any(|d| d.code == "accord::measure_regime")
        );
        insta::assert_snapshot!(render_text("nuclear.toml", &source, &checked.diagnostics));
    }

    #[test]
    fn relief_covering_an_exempted_activity_that_a_trigger_could_revoke() {
        let source = example("sectoral-two-jurisdictions.toml").replacen(
            "activities = [\"oil\", \"petroleum_products\", \"electricity\"]",
            "activities = [\"oil\", \"petroleum_products\", \"electricity\", \"medicine\"]",
            1,
        );
        let checked = parse(&source);
        assert!(!checked.has_errors());
        assert!(
            checked
                .diagnostics
                .iter()
                .any(|d| d.code == "accord::exemption_overlap")
        );
        insta::assert_snapshot!(render_text("sectoral.toml", &source, &checked.diagnostics));
    }

    #[test]
    fn every_problem_is_reported_not_just_the_first() {
        let source = starter_with("role = \"authority\"", "role = \"authorty\"")
            .replacen("grace = \"P30D\"", "grace = \"30 days\"", 1)
            .replacen("quorum = 1", "quorum = 3", 1)
            .replacen("weight = 2", "wieght = 2", 1);
        let checked = parse(&source);
        let codes: Vec<&str> = checked.diagnostics.iter().map(|d| d.code).collect();
        for code in [
            "accord::unknown_value",
            "accord::duration",
            "accord::quorum",
            "accord::unknown_key",
            "accord::missing_key",
        ] {
            assert!(codes.contains(&code), "{code} missing from {codes:?}");
        }
        // In source order.
        let starts: Vec<usize> = checked.diagnostics.iter().map(|d| d.span.start).collect();
        let mut sorted = starts.clone();
        sorted.sort();
        assert_eq!(starts, sorted);
    }

    #[test]
    fn json_diagnostics_have_a_stable_shape() {
        let source = starter_with("role = \"authority\"", "role = \"authorty\"");
        let checked = parse(&source);
        let json = accord_spec::to_json("broken.toml", &source, &checked.diagnostics);
        insta::assert_json_snapshot!(json);
    }
}

mod bytes {
    use super::*;

    #[test]
    fn non_utf8_bytes_are_located() {
        let mut bytes = b"[agreement]\nid = \"x\"\ntitle = \"caf".to_vec();
        bytes.push(0xff);
        bytes.extend_from_slice(b"\"\n");
        let (source, checked) = accord_spec::check_bytes(&bytes);
        let d = &checked.diagnostics[0];
        assert_eq!(d.code, "accord::utf8");
        let json = accord_spec::to_json("latin1.toml", &source, &checked.diagnostics);
        assert_eq!((json[0].line, json[0].column), (3, 13));
        insta::assert_snapshot!(render_text("latin1.toml", &source, &checked.diagnostics));
    }

    #[test]
    fn a_fifty_megabyte_file_is_refused_with_a_clear_error() {
        let bytes = vec![b'#'; 50 * 1024 * 1024];
        let (_, checked) = accord_spec::check_bytes(&bytes);
        assert_eq!(checked.diagnostics.len(), 1);
        assert_eq!(checked.diagnostics[0].code, "accord::too_large");
        assert_eq!(
            checked.diagnostics[0].message,
            "the file is 52428800 bytes, more than the 16 MiB an agreement may be"
        );
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        for source in [
            format!("a = {}{}", "[".repeat(100_000), "]".repeat(100_000)),
            format!("a = {}1{}", "{ b = ".repeat(50_000), " }".repeat(50_000)),
            format!(
                "[agreement]\nid = \"x\"\n[[phases]]\nentry = \"{}\"\n",
                "(".repeat(50_000)
            ),
        ] {
            let checked = parse(&source);
            assert!(checked.has_errors());
        }
    }

    #[test]
    fn a_file_just_under_the_limit_is_read() {
        let mut bytes = STARTER.as_bytes().to_vec();
        let filler = accord_spec::MAX_FILE_SIZE - bytes.len() - 1;
        bytes.push(b'\n');
        bytes.extend(std::iter::repeat_n(b'#', filler));
        let (_, checked) = accord_spec::check_bytes(&bytes);
        assert!(!checked.has_errors(), "{:?}", checked.diagnostics);
    }
}

mod chain {
    use super::*;

    fn files(v2: &str) -> Vec<(String, Vec<u8>)> {
        vec![
            (
                "v1.toml".into(),
                example("licence-elections.toml").into_bytes(),
            ),
            ("v2.toml".into(), v2.as_bytes().to_vec()),
        ]
    }

    #[test]
    fn the_example_chain_is_consistent() {
        let v2 = example("licence-elections-v2.toml");
        let reports = accord_spec::check_files(&files(&v2));
        for r in &reports {
            assert!(
                !r.checked.has_errors(),
                "{}: {:?}",
                r.name,
                errors(&r.checked)
            );
        }
        let versions: Vec<_> = reports
            .iter()
            .map(|r| r.checked.agreement.clone().unwrap())
            .collect();
        assert!(accord_spec::check_chain(&versions).is_empty());
    }

    #[test]
    fn an_amendment_effective_before_the_version_it_amends_is_refused() {
        let v2 = example("licence-elections-v2.toml").replacen(
            "effective = 2026-12-01",
            "effective = 2026-10-01",
            1,
        );
        let reports = accord_spec::check_files(&files(&v2));
        assert!(!reports[0].checked.has_errors());
        let r = &reports[1];
        insta::assert_snapshot!(render_text(&r.name, &r.source, &r.checked.diagnostics));
    }

    #[test]
    fn an_amendment_naming_another_zone_than_the_first_version_is_warned_at_its_zone() {
        let v2 = example("licence-elections-v2.toml").replacen(
            "version = 2\n",
            "version = 2\nzone = \"America/New_York\"\n",
            1,
        );
        let reports = accord_spec::check_files(&files(&v2));
        assert!(reports[0].checked.diagnostics.is_empty());
        let r = &reports[1];
        assert!(!r.checked.has_errors(), "{:?}", errors(&r.checked));
        assert!(
            r.checked
                .diagnostics
                .iter()
                .any(|d| d.code == "accord::zone_changed")
        );
        insta::assert_snapshot!(render_text(&r.name, &r.source, &r.checked.diagnostics));
        // The same zone as the first version (UTC, by default) is no change.
        let same = example("licence-elections-v2.toml").replacen(
            "version = 2\n",
            "version = 2\nzone = \"UTC\"\n",
            1,
        );
        let reports = accord_spec::check_files(&files(&same));
        assert!(
            reports[1]
                .checked
                .diagnostics
                .iter()
                .all(|d| d.code != "accord::zone_changed")
        );
    }

    #[test]
    fn an_amendment_checked_alone_is_compared_with_the_registered_versions_zone() {
        let v2 = example("licence-elections-v2.toml").replacen(
            "version = 2\n",
            "version = 2\nzone = \"Asia/Tokyo\"\n",
            1,
        );
        let alone = [("v2.toml".to_owned(), v2.clone().into_bytes())];
        // Checked on its own, nothing says which zone the chain counts in.
        let unknown = accord_spec::check_files(&alone);
        assert!(
            unknown[0]
                .checked
                .diagnostics
                .iter()
                .all(|d| d.code != "accord::zone_changed")
        );
        // Against the registered first version, it is compared.
        let mut asked = Vec::new();
        let registered = |id: &str| {
            asked.push(id.to_owned());
            Ok::<_, std::convert::Infallible>(vec![(
                "v1.toml (registered)".to_owned(),
                example("licence-elections.toml").into_bytes(),
            )])
        };
        let reports = accord_spec::check_files_against(&alone, registered).unwrap();
        assert_eq!(asked, ["caldera-electoral-roadmap"]);
        assert_eq!(reports.len(), 1, "only the files checked are reported");
        let r = &reports[0];
        assert!(!r.checked.has_errors(), "{:?}", errors(&r.checked));
        assert!(r.checked.agreement.is_some());
        insta::assert_snapshot!(render_text(&r.name, &r.source, &r.checked.diagnostics));
        // A registered version of the same number is not context: the file is what is
        // checked (no "given twice").
        let same = accord_spec::check_files_against(&alone, |_| {
            Ok::<_, std::convert::Infallible>(vec![(
                "v2.toml (registered)".to_owned(),
                example("licence-elections-v2.toml").into_bytes(),
            )])
        })
        .unwrap();
        assert!(
            same[0].checked.diagnostics.is_empty(),
            "{:?}",
            same[0].checked.diagnostics
        );
        // The registered chain's own problems are not reported against the file.
        let broken_v1 = example("licence-elections.toml").replacen(
            "version = 1\n",
            "version = 1\nzone = \"Mars/Olympus\"\n",
            1,
        );
        let reports = accord_spec::check_files_against(&alone, |_| {
            Ok::<_, std::convert::Infallible>(vec![(
                "v1.toml".to_owned(),
                broken_v1.clone().into_bytes(),
            )])
        })
        .unwrap();
        assert!(
            !reports[0].checked.has_errors(),
            "{:?}",
            errors(&reports[0].checked)
        );
    }

    #[test]
    fn a_version_given_twice_is_refused() {
        let v1 = example("licence-elections.toml");
        let reports = accord_spec::check_files(&files(&v1));
        assert!(
            reports[1]
                .checked
                .diagnostics
                .iter()
                .any(|d| d.code == "accord::version_chain")
        );
    }
}

mod schema {
    use super::*;

    fn toml_to_json(v: toml::Value) -> serde_json::Value {
        match v {
            toml::Value::String(s) => serde_json::Value::String(s),
            toml::Value::Integer(i) => serde_json::Value::from(i),
            toml::Value::Float(f) => serde_json::Value::from(f),
            toml::Value::Boolean(b) => serde_json::Value::Bool(b),
            toml::Value::Datetime(d) => serde_json::Value::String(d.to_string()),
            toml::Value::Array(a) => {
                serde_json::Value::Array(a.into_iter().map(toml_to_json).collect())
            }
            toml::Value::Table(t) => serde_json::Value::Object(
                t.into_iter().map(|(k, v)| (k, toml_to_json(v))).collect(),
            ),
        }
    }

    fn validator() -> jsonschema::Validator {
        jsonschema::validator_for(&accord_spec::schema::schema()).unwrap()
    }

    #[test]
    fn every_example_and_the_starter_validate_against_the_schema() {
        let v = validator();
        let mut all = examples();
        all.push(("starter".into(), STARTER.to_owned()));
        for (name, source) in all {
            let json = toml_to_json(toml::from_str::<toml::Value>(&source).unwrap());
            let problems: Vec<String> = v
                .iter_errors(&json)
                .map(|e| format!("{} at {}", e, e.instance_path()))
                .collect();
            assert!(problems.is_empty(), "{name}: {problems:#?}");
        }
    }

    #[test]
    fn the_schema_refuses_what_the_reader_refuses() {
        let v = validator();
        for source in [
            starter_with(
                "cadence = \"P3M\"  ",
                "cadance = \"P3M\"\ncadence = \"P3M\"  ",
            ),
            starter_with("role = \"authority\"", "role = \"authorty\""),
            starter_with("grace = \"P30D\"", "grace = \"30 days\""),
            starter_with("version = 1", "version = \"1\""),
            starter_with("title = \"First relief\"\n", ""),
            starter_with("expected = true\n", "expected = true\nlimit = 3\n"),
            starter_with("expected = true\n", ""),
            starter_with(
                "measure = \"eu-trade\"\n",
                "measure = \"eu-trade\"\namount = 100\n",
            ),
        ] {
            let json = toml_to_json(toml::from_str::<toml::Value>(&source).unwrap());
            assert!(!v.is_valid(&json), "{source}");
        }
    }

    /// The keys the reader knows in a table, read from the help of an unknown key that
    /// resembles none ("the keys here are `a`, `b` or `c`").
    fn reader_keys(source: &str, header: &str) -> Vec<String> {
        let edited = if header.is_empty() {
            format!("zzzz = 1\n{source}")
        } else {
            assert!(source.contains(&format!("\n{header}\n")), "{header}");
            source.replacen(
                &format!("\n{header}\n"),
                &format!("\n{header}\nzzzz = 1\n"),
                1,
            )
        };
        let checked = parse(&edited);
        let d = checked
            .diagnostics
            .iter()
            .find(|d| {
                d.code == "accord::unknown_key" && d.message.starts_with("unknown key `zzzz`")
            })
            .unwrap_or_else(|| panic!("{header}: {:?}", checked.diagnostics));
        let help = d.help.as_deref().unwrap();
        let mut keys: Vec<String> = help
            .split('`')
            .skip(1)
            .step_by(2)
            .map(str::to_owned)
            .collect();
        keys.sort();
        keys
    }

    fn schema_keys(schema: &serde_json::Value, definition: &str) -> Vec<String> {
        let def = if definition.is_empty() {
            schema
        } else {
            &schema["$defs"][definition]
        };
        assert_eq!(def["additionalProperties"], false, "{definition}");
        let mut keys: Vec<String> = def["properties"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect();
        keys.sort();
        keys
    }

    #[test]
    fn the_schema_knows_exactly_the_keys_the_reader_knows() {
        let schema = accord_spec::schema::schema();
        let source = example("nuclear-caps.toml");
        for (header, definition) in [
            ("", ""),
            ("[agreement]", "Header"),
            ("[[parties]]", "Party"),
            ("[[monitors]]", "Monitor"),
            ("[[regimes]]", "Regime"),
            ("[[regimes.measures]]", "Measure"),
            ("[[units]]", "Unit"),
            ("[[events]]", "Event"),
            ("[[protocols]]", "Protocol"),
            ("[[commitments]]", "Commitment"),
            ("[[commitments.indicators]]", "Indicator"),
            ("[[phases]]", "Phase"),
            ("[[phases.actions]]", "Action"),
            ("[[exemptions]]", "Exemption"),
            ("[[triggers]]", "Trigger"),
            ("[review]", "Review"),
            ("[disputes]", "Disputes"),
            ("[[disputes.stages]]", "StageFile"),
            ("[proportionality.methods]", "MethodWeights"),
        ] {
            assert_eq!(
                reader_keys(&source, header),
                schema_keys(&schema, definition),
                "{header}"
            );
        }
    }

    #[test]
    fn the_schema_has_descriptions_from_the_doc_comments() {
        let text = serde_json::to_string(&accord_spec::schema::schema()).unwrap();
        assert!(
            text.contains("How long after a period's end a report may come before it is overdue")
        );
        assert!(text.contains("2020-12"));
    }
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let _ = accord_spec::check_bytes(&bytes);
        }

        #[test]
        fn arbitrary_conditions_never_panic(text in "[a-z0-9(),; +\\-]{0,80}") {
            let _ = accord_spec::condition::parse_condition(&text);
            let _ = accord_spec::condition::parse_date_rule(&text);
        }

        #[test]
        fn edited_starters_never_panic_and_render(at in 0usize..4000, len in 0usize..40, insert in "[\\[\\]\"=a-z0-9 \n.,{}#-]{0,20}") {
            let start = STARTER.floor_char_boundary(at.min(STARTER.len()));
            let end = STARTER.floor_char_boundary((start + len).min(STARTER.len()));
            let source = format!("{}{}{}", &STARTER[..start], insert, &STARTER[end..]);
            let checked = parse(&source);
            let text = render_text("edited.toml", &source, &checked.diagnostics);
            // Every diagnostic is rendered with a location.
            prop_assert_eq!(text.matches("edited.toml:").count(), checked.diagnostics.len());
            // An agreement is lowered exactly when there is no error.
            prop_assert_eq!(checked.agreement.is_some(), !checked.has_errors());
        }
    }
}
