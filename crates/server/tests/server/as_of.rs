//! A date given as an evaluation instant is the end of that day in the agreement's zone
//! (`[agreement] zone`), on `/state`, `/explain` and the agreement's pages, as
//! `accord evaluate --as-of` reads it; `/state` takes `view` and `contract` as
//! `accord evaluate --view/--contract` do. Over the staged-lifting rehearsal counting its
//! days in Tokyo, with the inspectorate's first finding recorded at 20:00 UTC on 20 April
//! 2027 (05:00 on the 21st in Tokyo): after the end of the 20th there, before the end of
//! the UTC day.

use std::collections::BTreeMap;

use accord_app::evaluate::{AgreementSource, Inputs, LogSource, Reading};
use accord_app::time::parse_as_of;
use accord_server::Role;

use super::support::{both, repo};

const STAGED: &str = "arden-staged-lifting";

/// The scenario's files, held in memory.
struct Texts(BTreeMap<String, String>);

impl accord_app::play::Files for Texts {
    fn name(&self, relative: &str) -> String {
        relative.to_owned()
    }

    fn read(&self, relative: &str) -> std::io::Result<Vec<u8>> {
        self.0
            .get(relative)
            .map(|t| t.as_bytes().to_vec())
            .ok_or_else(|| std::io::Error::from(std::io::ErrorKind::NotFound))
    }
}

fn text(path: &str) -> String {
    std::fs::read_to_string(repo().join(path)).unwrap()
}

/// The staged-lifting rehearsal, its agreement counting days in Tokyo and the finding
/// recorded late on 20 April (UTC).
fn play_in_tokyo(store: &accord_app::Store) {
    play_in(store, "Asia/Tokyo");
}

/// The staged-lifting rehearsal, its agreement counting days in `zone`.
fn play_in(store: &accord_app::Store, zone: &str) {
    let agreement = text("examples/staged-lifting.toml").replacen(
        "version = 1\n",
        &format!("version = 1\nzone = \"{zone}\"\n"),
        1,
    );
    let scenario = text("examples/scenarios/staged-lifting.toml")
        .replacen("\"../staged-lifting.toml\"", "\"agreement.toml\"", 1)
        .replacen("at = 2027-04-20T09:00:00Z", "at = 2027-04-20T20:00:00Z", 1);
    let files = Texts(BTreeMap::from([("agreement.toml".to_owned(), agreement)]));
    accord_app::play::play(store, "scenario.toml", &scenario, &files, None).unwrap();
}

/// `accord evaluate --json --as-of AS_OF` with this reading, from the use case itself.
fn cli(store: &accord_app::Store, as_of: &str, reading: &Reading) -> String {
    let inputs = Inputs::read(
        &AgreementSource::Registered(STAGED.into()),
        LogSource::Store(store),
    )
    .unwrap();
    let state = inputs
        .evaluate_as(parse_as_of(as_of).unwrap(), reading)
        .unwrap();
    accord_render::state::output(&state, true)
}

/// The JSON without its `as_of`: what was evaluated, whatever the cut is called.
fn without_as_of(body: &str) -> serde_json::Value {
    let mut json: serde_json::Value = serde_json::from_str(body).unwrap();
    json.as_object_mut().unwrap().remove("as_of");
    json
}

#[test]
fn a_date_on_the_state_and_explain_ends_in_the_agreements_zone() {
    both(async |f| {
        f.blocking(play_in_tokyo);
        let get = async |path: String| {
            let answer = f.get(&path, Some(Role::Compliance)).await;
            assert_eq!(answer.status, 200, "{path}: {}", answer.body);
            answer.body
        };
        let state = |as_of: &str| format!("/v1/agreements/{STAGED}/state?as_of={as_of}");
        let end_in_tokyo = "2027-04-20T14:59:59.999999999Z";
        let end_in_utc = "2027-04-20T23:59:59.999999999Z";

        let date = get(state("2027-04-20")).await;
        assert_eq!(date, get(state(end_in_tokyo)).await, "{}", f.kind);
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&date).unwrap()["as_of"],
            end_in_tokyo
        );
        // The CLI's document for the same date, byte for byte.
        let expected = f.blocking(|s| cli(s, "2027-04-20", &Reading::default()));
        assert_eq!(date, expected);
        // The finding recorded at 20:00 UTC is in the UTC day's reading only.
        let utc = get(state(end_in_utc)).await;
        assert_ne!(without_as_of(&date), without_as_of(&utc));
        // An instant with a zone keeps its meaning.
        assert_eq!(
            get(state("2027-04-21T05:00:00%2B09:00")).await,
            get(state("2027-04-20T20:00:00Z")).await
        );

        // `/explain` reads the date the same way.
        let explain = |as_of: &str| format!("/v1/agreements/{STAGED}/explain?as_of={as_of}");
        let explained = get(explain("2027-04-20")).await;
        assert_eq!(explained, get(explain(end_in_tokyo)).await);
        assert_ne!(explained, get(explain(end_in_utc)).await);

        // A zone that does not exist is a bad parameter.
        f.get(
            &state("2027-04-20T00:00%5BMars/Olympus%5D"),
            Some(Role::Compliance),
        )
        .await
        .problem(400, "bad-parameter");
    });
}

#[test]
fn a_date_on_the_agreements_pages_ends_in_the_agreements_zone() {
    both(async |f| {
        f.blocking(play_in_tokyo);
        let page = async |path: String| {
            let answer = f.get(&path, None).await;
            assert_eq!(answer.status, 200, "{path}: {}", answer.body);
            answer.body
        };
        for path in [
            format!("/agreements/{STAGED}"),
            format!("/agreements/{STAGED}/log"),
        ] {
            let date = page(format!("{path}?as_of=2027-04-20")).await;
            let tokyo = page(format!("{path}?as_of=2027-04-20T14:59:59.999999999Z")).await;
            let utc = page(format!("{path}?as_of=2027-04-20T23:59:59.999999999Z")).await;
            assert_eq!(date, tokyo, "{path}");
            assert_ne!(date, utc, "{path}");
        }
    });
}

#[test]
fn the_state_takes_a_view_and_a_contract_as_the_cli_does() {
    both(async |f| {
        f.blocking(play_in_tokyo);
        let state = |extra: &str| format!("/v1/agreements/{STAGED}/state?as_of=2028-02-01{extra}");
        let get = async |extra: &str| {
            let answer = f.get(&state(extra), Some(Role::Compliance)).await;
            assert_eq!(answer.status, 200, "{extra}: {}", answer.body);
            answer.body
        };
        let readings = [
            ("", Reading::default()),
            (
                "&view=as-recorded",
                Reading {
                    view: Some("as-recorded".into()),
                    contract: None,
                },
            ),
            (
                "&view=void-%2312&contract=2027-01-01",
                Reading {
                    view: Some("void-#12".into()),
                    contract: Some(jiff::civil::date(2027, 1, 1)),
                },
            ),
        ];
        let mut bodies = Vec::new();
        for (extra, reading) in readings {
            let served = get(extra).await;
            let expected = f.blocking(|s| cli(s, "2028-02-01", &reading));
            assert_eq!(served, expected, "{extra} {}", f.kind);
            bodies.push(served);
        }
        // The views say different things of the contested invocation.
        assert_ne!(bodies[1], bodies[2]);

        // A view the agreement does not have: 400, naming the views there are.
        let detail = f
            .get(&state("&view=void-%2399"), Some(Role::Compliance))
            .await
            .problem(400, "unknown-view");
        assert!(
            detail.contains("there is no view `void-#99`: the views are as-recorded, void-#12"),
            "{detail}"
        );
        f.get(&state("&contract=soon"), Some(Role::Compliance))
            .await
            .problem(400, "bad-parameter");
    });
}

#[test]
fn the_timelines_default_end_is_today_in_the_agreements_zone() {
    // A zone whose day is not UTC's now: 14 hours ahead from 11:00 UTC, 11 hours behind
    // before then.
    let now = jiff::Timestamp::now();
    let zone = if now.in_tz("UTC").unwrap().hour() >= 11 {
        "Pacific/Kiritimati"
    } else {
        "Pacific/Pago_Pago"
    };
    let today = now.in_tz(zone).unwrap().date();
    assert_ne!(today, now.in_tz("UTC").unwrap().date());
    both(async |f| {
        f.blocking(|s| play_in(s, zone));
        let timeline =
            |from: jiff::civil::Date| format!("/v1/agreements/{STAGED}/timeline?from={from}");
        // From today there (no later `to` given): nothing is after the end.
        let answer = f.get(&timeline(today), Some(Role::Compliance)).await;
        assert_eq!(answer.status, 200, "{zone} {}: {}", f.kind, answer.body);
        // From tomorrow there: after the default end.
        let tomorrow = today.tomorrow().unwrap();
        let detail = f
            .get(&timeline(tomorrow), Some(Role::Compliance))
            .await
            .problem(400, "bad-parameter");
        assert!(detail.contains("`from` is after `to`"), "{detail}");
        // Ten years ahead is served; a day past that is refused (its cost grows faster
        // than its span), and so is the far future a client may ask for.
        let span = |to: jiff::civil::Date| {
            format!("/v1/agreements/{STAGED}/timeline?from={today}&to={to}")
        };
        let horizon = today.checked_add(jiff::Span::new().years(10)).unwrap();
        let answer = f.get(&span(horizon), Some(Role::Compliance)).await;
        assert_eq!(answer.status, 200, "{zone} {}: {}", f.kind, answer.body);
        for far in [horizon.tomorrow().unwrap(), jiff::civil::date(9999, 12, 31)] {
            let detail = f
                .get(&span(far), Some(Role::Compliance))
                .await
                .problem(400, "bad-parameter");
            assert!(detail.contains("at most 10 years ahead"), "{detail}");
        }
    });
}
