//! What is in force for an entity: the store's lists and history composed with the relief
//! the engine puts in force, through the library (the composition rules themselves are
//! tested in `accord-lists`).

use accord_app::Error;
use accord_app::evaluate::AgreementSource;
use accord_app::lists::Import;
use accord_app::status::{StatusAnswer, StatusQuery, Who, export};
use accord_lists::in_force::Outcome;

use crate::support::{TestStore, both, repo};

/// The fixture list imported (observed 2026-01-01) and, when `play`, the nuclear-caps
/// scenario played (its delistings come into force on 2026-06-20).
fn prepare(store: &TestStore, play: bool) {
    import(store, "eu-arden.xml", "2026-01-01T00:00:00Z");
    if play {
        accord_app::play::play_bundled(&store.store, "scenarios/nuclear-caps.toml").unwrap();
    }
}

fn import(store: &TestStore, file: &str, observed: &str) {
    let path = repo().join("crates/app/tests/fixtures/status").join(file);
    // The amended list delists one of two designations: a mass removal, allowed.
    let allow = accord_store::lists::Allow {
        removals: accord_store::lists::Removals::Allowed,
        ..Default::default()
    };
    let what = Import::files(&[path], None, Some("eu-fsf".into()), observed.into()).allowing(allow);
    accord_app::lists::import(&store.store, &what, &mut |_, _| {}).unwrap();
}

fn ask(
    store: &TestStore,
    who: Who,
    date: &str,
    extra: impl FnOnce(&mut StatusQuery),
) -> StatusAnswer {
    let mut query = StatusQuery {
        who,
        activity: None,
        jurisdictions: vec![],
        date: date.parse().unwrap(),
        agreements: vec![],
        reading: Default::default(),
    };
    extra(&mut query);
    let answer = accord_app::status::status(&store.store, &query).unwrap();
    // A server answers from its evaluation cache: the same answer, asked once to fill the
    // cache and once more from what it holds.
    let cache = accord_app::evaluations::Evaluations::new();
    for _ in 0..2 {
        let cached =
            accord_app::status::status_with(&store.store, &query, None, Some(&cache)).unwrap();
        assert_eq!(
            format!("{cached:?}"),
            format!("{answer:?}"),
            "{query:?} from the cache"
        );
    }
    answer
}

fn outcome(answer: &StatusAnswer, jurisdiction: &str) -> Outcome {
    answer
        .status
        .jurisdictions
        .iter()
        .find(|j| j.jurisdiction == jurisdiction)
        .unwrap()
        .outcome
}

fn entity(id: &str) -> Who {
    Who::Entity(format!("eu-fsf:{id}"))
}

#[test]
fn lists_alone_say_prohibited_and_follow_the_import_history() {
    both(|store| {
        prepare(store, false);
        let a = ask(store, entity("EU.1001.23"), "2026-03-01", |_| {});
        assert_eq!(outcome(&a, "EU"), Outcome::Prohibited);
        assert_eq!(outcome(&a, "US"), Outcome::NotListed);
        assert!(a.status.agreements.is_empty());
        let listing = &a.status.jurisdictions[1].listings[0];
        assert_eq!(listing.matched, "identified as `eu-fsf:EU.1001.23`");
        // Before the first import the store cannot tell: unsure means prohibited.
        let early = ask(store, entity("EU.1001.23"), "2025-12-01", |_| {});
        assert_eq!(outcome(&early, "EU"), Outcome::Prohibited);
        assert!(
            early.status.jurisdictions[1].listings[0]
                .listing
                .contains("cannot tell")
        );
        // A later import without Ivan Ardenov: listed before it, not listed after.
        import(store, "eu-arden-amended.xml", "2026-03-01T00:00:00Z");
        let ivan = |date| outcome(&ask(store, entity("EU.2001.23"), date, |_| {}), "EU");
        assert_eq!(ivan("2026-02-01"), Outcome::Prohibited);
        assert_eq!(ivan("2026-04-01"), Outcome::NotListed);
        // An unknown entity, a malformed one.
        let query = |who| StatusQuery {
            who,
            activity: None,
            jurisdictions: vec![],
            date: "2026-03-01".parse().unwrap(),
            agreements: vec![],
            reading: Default::default(),
        };
        match accord_app::status::status(&store.store, &query(entity("nope"))) {
            Err(Error::UnknownEntity { list, id }) => {
                assert_eq!((list.as_str(), id.as_str()), ("eu-fsf", "nope"))
            }
            other => panic!("{other:?}"),
        }
        let malformed =
            accord_app::status::status(&store.store, &query(Who::Entity("nocolon".into())));
        assert!(
            matches!(malformed, Err(Error::EntityForm(_))),
            "{malformed:?}"
        );
    });
}

#[test]
fn a_delisting_relieves_once_the_engine_puts_it_in_force() {
    both(|store| {
        prepare(store, true);
        let with_agreement = |q: &mut StatusQuery| {
            q.agreements = vec![AgreementSource::Registered("arden-nuclear-2026".into())];
            q.jurisdictions = vec!["eu".into(), "US".into()];
        };
        let before = ask(store, entity("EU.1001.23"), "2026-06-19", with_agreement);
        assert_eq!(outcome(&before, "EU"), Outcome::Prohibited);
        assert_eq!(outcome(&before, "US"), Outcome::NotListed);
        let reasons = before.status.jurisdictions[0].listings[0].reasons.join(" ");
        assert!(
            reasons.contains("bank-delistings") && reasons.contains("scheduled"),
            "{reasons}"
        );

        let after = ask(store, entity("EU.1001.23"), "2026-06-25", |q| {
            with_agreement(q);
            q.activity = Some("food".into());
        });
        assert_eq!(outcome(&after, "EU"), Outcome::Relieved, "{}", store.kind);
        let listing = &after.status.jurisdictions[0].listings[0];
        let relief = &listing.relief[0];
        assert_eq!(relief.action, "bank-delistings");
        assert_eq!(relief.since, Some(jiff::civil::date(2026, 6, 20)));
        // In force because the EU granted it before the evaluation entitled it.
        let decision = relief.decision.as_ref().unwrap();
        assert!(decision.departure);
        assert_eq!(
            decision.stated_reason,
            "implementation-day relief granted on the IAEA verification reports"
        );
        assert_eq!(listing.basis.regimes[0].regime, "eu-nonpro");
        assert_eq!(
            after.status.jurisdictions[0].exemptions[0].exemption,
            "humanitarian"
        );
    });
}

#[test]
fn a_sectoral_suspension_does_not_unfreeze_a_listed_person_found_by_name() {
    both(|store| {
        prepare(store, true);
        let a = ask(store, Who::Name("Ivan Ardenov".into()), "2026-06-25", |q| {
            q.agreements = vec![AgreementSource::Registered("arden-nuclear-2026".into())];
            q.activity = Some("energy".into());
            q.jurisdictions = vec!["EU".into()];
        });
        assert_eq!(outcome(&a, "EU"), Outcome::Prohibited);
        let listing = &a.status.jurisdictions[0].listings[0];
        assert_eq!(listing.list_id, "eu-fsf:EU.2001.23");
        assert!(listing.matched.starts_with("screened `Ivan Ardenov`"));
        assert!(listing.reasons.join(" ").contains("eu-freeze"));
    });
}

#[test]
fn a_name_in_an_empty_store_is_refused_with_what_to_do() {
    both(|store| {
        let query = StatusQuery {
            who: Who::Name("Anyone".into()),
            activity: None,
            jurisdictions: vec![],
            date: "2026-03-01".parse().unwrap(),
            agreements: vec![],
            reading: Default::default(),
        };
        let refused = accord_app::status::status(&store.store, &query);
        assert!(
            matches!(refused, Err(Error::NothingToFind(_))),
            "{refused:?}"
        );
    });
}

#[test]
fn the_export_carries_the_relief_in_force() {
    both(|store| {
        prepare(store, true);
        let agreements = [AgreementSource::Registered("arden-nuclear-2026".into())];
        let entities = |date: &str| {
            let mut out = Vec::new();
            export(&store.store, &agreements, date.parse().unwrap(), &mut |e| {
                out.push(e.clone());
                Ok(())
            })
            .unwrap();
            out
        };
        let after = entities("2026-06-25");
        let by_id = |id: &str| after.iter().find(|e| e["id"] == id).unwrap().clone();
        let sanction = by_id("accord-eu-fsf-eu-1001-23-sanction");
        assert_eq!(sanction["properties"]["status"][0], "delisted");
        assert_eq!(sanction["properties"]["endDate"][0], "2026-06-20");
        let suspended = by_id("accord-eu-fsf-eu-2001-23-arden-nuclear-2026-eu-oil-suspended");
        assert_eq!(suspended["properties"]["status"][0], "suspended");
        for e in &after {
            for (_, v) in e["properties"].as_object().unwrap() {
                assert!(
                    v.as_array()
                        .unwrap()
                        .iter()
                        .all(serde_json::Value::is_string),
                    "{e}"
                );
            }
        }
        let before = serde_json::Value::Array(entities("2026-06-19")).to_string();
        assert!(!before.contains("\"suspended\"") && !before.contains("\"delisted\""));
    });
}

/// The nuclear-caps rehearsal with its agreement counting days in `zone` and the EU's
/// implementation-day grant recorded at `grant_at` (instead of 09:00 UTC on 20 June),
/// played into the store beside the fixture list.
fn play_zoned(store: &TestStore, zone: &str, grant_at: &str) {
    import(store, "eu-arden.xml", "2026-01-01T00:00:00Z");
    let agreement = crate::support::text("examples/nuclear-caps.toml").replacen(
        "version = 1\n",
        &format!("version = 1\nzone = \"{zone}\"\n"),
        1,
    );
    let original = "at = 2026-06-20T09:00:00Z\nby = \"eu\"\ndecision = { act = \"grant\"";
    let scenario = crate::support::text("examples/scenarios/nuclear-caps.toml")
        .replacen("\"../nuclear-caps.toml\"", "\"agreement.toml\"", 1)
        .replacen(
            original,
            &original.replace("2026-06-20T09:00:00Z", &format!("\"{grant_at}\"")),
            1,
        );
    let files = crate::support::Texts(std::collections::BTreeMap::from([(
        "agreement.toml".to_owned(),
        agreement,
    )]));
    accord_app::play::play(&store.store, "scenario.toml", &scenario, &files, None).unwrap();
}

#[test]
fn a_date_is_evaluated_to_the_end_of_that_day_in_each_agreements_zone() {
    use accord_app::evaluate::{Inputs, LogSource};
    use accord_app::time::{AsOf, parse_as_of};
    let at = |s: &str| parse_as_of(s).unwrap();
    let day = |s: &str| AsOf::EndOf(s.parse().unwrap());
    for (zone, grant_at, end_of_20th) in [
        // The first instant of 21 June in Tokyo: after the end of the 20th there.
        (
            "Asia/Tokyo",
            "2026-06-21T00:00:00[Asia/Tokyo]",
            "2026-06-20T14:59:59.999999999Z",
        ),
        // The last second of 20 June in New York (EDT): before the end of the 20th there.
        (
            "America/New_York",
            "2026-06-20T23:59:59[America/New_York]",
            "2026-06-21T03:59:59.999999999Z",
        ),
    ] {
        both(|store| {
            play_zoned(store, zone, grant_at);
            let inputs = Inputs::read(
                &AgreementSource::Registered("arden-nuclear-2026".into()),
                LogSource::Store(&store.store),
            )
            .unwrap();
            assert_eq!(
                inputs.instant(day("2026-06-20")).unwrap().to_string(),
                end_of_20th
            );
            let granted = |as_of: AsOf| {
                inputs
                    .evaluate(as_of)
                    .unwrap()
                    .decisions
                    .iter()
                    .any(|d| d.act == accord_core::statement::DecisionAct::Grant)
            };
            let grant = parse_as_of(grant_at).unwrap();
            let second = jiff::SignedDuration::from_secs(1);
            let AsOf::At(instant) = grant else { panic!() };
            // A second before, at and after the grant's record time.
            assert!(!granted(AsOf::At(instant.checked_sub(second).unwrap())));
            assert!(granted(grant));
            assert!(granted(AsOf::At(instant.checked_add(second).unwrap())));
            // The date: in Tokyo the grant is on the next day, in New York on that day.
            let on_the_20th = zone == "America/New_York";
            assert_eq!(granted(day("2026-06-20")), on_the_20th, "{zone}");
            assert!(granted(day("2026-06-21")));
            // An instant keeps its meaning whatever the zone.
            assert_eq!(
                inputs
                    .instant(at("2026-06-20T23:59:59Z"))
                    .unwrap()
                    .to_string(),
                "2026-06-20T23:59:59Z"
            );

            // `status` reads the agreement as of the end of the date in its zone.
            let answer = ask(store, entity("EU.1001.23"), "2026-06-20", |q| {
                q.agreements = vec![AgreementSource::Registered("arden-nuclear-2026".into())];
                q.jurisdictions = vec!["EU".into()];
            });
            assert_eq!(answer.evaluations[0].as_of.to_string(), end_of_20th);
            let expected = if on_the_20th {
                Outcome::Relieved
            } else {
                Outcome::Prohibited
            };
            assert_eq!(outcome(&answer, "EU"), expected, "{zone} {}", store.kind);
        });
    }
}

#[test]
fn status_over_agreements_in_two_zones_reads_each_in_its_own() {
    both(|store| {
        play_zoned(store, "Asia/Tokyo", "2026-06-21T00:00:00[Asia/Tokyo]");
        // A second agreement in UTC: the bundled licence rehearsal.
        accord_app::play::play_bundled(&store.store, "scenarios/licence-snapback.toml").unwrap();
        let answer = ask(store, entity("EU.1001.23"), "2026-06-20", |q| {
            q.agreements = vec![
                AgreementSource::Registered("arden-nuclear-2026".into()),
                AgreementSource::Registered("caldera-electoral-roadmap".into()),
            ];
        });
        let cuts: Vec<String> = answer
            .evaluations
            .iter()
            .map(|e| format!("{} {}", e.agreement, e.as_of))
            .collect();
        assert_eq!(
            cuts,
            [
                "arden-nuclear-2026 2026-06-20T14:59:59.999999999Z",
                "caldera-electoral-roadmap 2026-06-20T23:59:59.999999999Z"
            ]
        );
    });
}
