//! The pages rendered from a played scenario (the bundled nuclear-caps one, in a fresh
//! SQLite store): what needs attention on a given day, the time control's links, and the
//! confidentiality invariant — a viewer not entitled never gets a restricted value.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::collections::BTreeMap;

use accord_app::evaluate::{AgreementSource, Inputs, LogSource, Reading};
use accord_app::evaluations::Evaluations;
use accord_app::reports::{Reports, monitor, reported};
use accord_core::statement::LoggedStatement;
use accord_core::time::Instant;
use accord_web::{Ctx, IndicatorPage, Viewer};

const ARDEN: &str = "arden-nuclear-2026";

fn played() -> (tempfile::TempDir, accord_app::Store) {
    let dir = tempfile::tempdir().unwrap();
    let url: accord_app::StoreUrl = format!("sqlite:{}", dir.path().join("a.db").display())
        .parse()
        .unwrap();
    let store = accord_app::open(&url, false).unwrap();
    accord_app::play::play_bundled(&store, "scenarios/nuclear-caps.toml").unwrap();
    (dir, store)
}

fn ctx(date: &str, sealed: bool) -> Ctx {
    let date: jiff::civil::Date = date.parse().unwrap();
    Ctx {
        viewer: Viewer {
            role: sealed.then(|| "admin".to_owned()),
            sealed,
            status: sealed,
            screen: sealed,
        },
        as_of: Some(accord_app::time::parse_instant(&date.to_string()).unwrap()),
        date,
        today: date,
        path: format!("/agreements/{ARDEN}"),
    }
}

#[test]
fn attention_lists_the_open_dispute_with_its_deadline() {
    let (_dir, store) = played();
    let inputs = Inputs::read(
        &AgreementSource::Registered(ARDEN.into()),
        LogSource::Store(&store),
    )
    .unwrap();
    let state = inputs
        .evaluate(accord_app::time::parse_instant("2026-06-12").unwrap())
        .unwrap();
    let items = accord_web::attention(&state);
    let dispute = items
        .iter()
        .find(|i| i.kind == "dispute")
        .expect("the open dispute");
    assert_eq!(dispute.what, "enrichment-may at stage joint-commission");
    assert_eq!(dispute.due, Some(jiff::civil::date(2026, 6, 25)));
    // Soonest first.
    let dues: Vec<_> = items.iter().filter_map(|i| i.due).collect();
    assert!(dues.windows(2).all(|w| w[0] <= w[1]), "{dues:?}");
    // Before the dispute opened, it is not listed.
    let before = inputs
        .evaluate(accord_app::time::parse_instant("2026-06-01").unwrap())
        .unwrap();
    assert!(
        accord_web::attention(&before)
            .iter()
            .all(|i| i.kind != "dispute")
    );
}

#[test]
fn the_agreement_page_shows_days_left_and_keeps_the_instant_in_its_links() {
    let (_dir, store) = played();
    let inputs = Inputs::read(
        &AgreementSource::Registered(ARDEN.into()),
        LogSource::Store(&store),
    )
    .unwrap();
    let ctx = ctx("2026-06-12", false);
    let state = inputs.evaluate(ctx.as_of.unwrap()).unwrap();
    let page = accord_web::agreement(&ctx, inputs.governing(&state).unwrap(), &state);
    assert!(
        page.contains("13 days left"),
        "the dispute's stage runs to 2026-06-25"
    );
    assert!(
        page.contains(&format!("href=\"/agreements/{ARDEN}?as_of=2026-07-12\"")),
        "30 days later"
    );
    assert!(
        page.contains(&format!(
            "href=\"/agreements/{ARDEN}/log?as_of=2026-06-12\""
        )),
        "links keep as_of"
    );
    assert!(page.contains("role=\"img\""));
}

#[test]
fn restricted_values_reach_only_entitled_viewers() {
    let (_dir, store) = played();
    let inputs = Inputs::read(
        &AgreementSource::Registered(ARDEN.into()),
        LogSource::Store(&store),
    )
    .unwrap();
    let as_of = accord_app::time::parse_instant("2026-07-31").unwrap();
    let state = inputs.evaluate(as_of).unwrap();
    let governing = inputs.governing(&state).unwrap();
    let sealed = BTreeMap::new();
    let page = |entitled: bool| {
        let page = IndicatorPage {
            agreement: governing,
            state: &state,
            indicator: "leu_stockpile",
            reports: &inputs_reports(&inputs, "leu_stockpile", state.as_of),
            sealed: &sealed,
        };
        accord_web::indicator(&ctx("2026-07-31", entitled), &page).unwrap()
    };
    // 340 kg is the May observation of a restricted indicator.
    let (public, entitled) = (page(false), page(true));
    assert!(
        entitled.contains("340"),
        "an entitled viewer sees the values"
    );
    assert!(
        !public.contains("340"),
        "the public view shows no restricted value"
    );
    assert!(public.contains("restricted"));
    let agreement = accord_web::agreement(&ctx("2026-07-31", false), governing, &state);
    assert!(
        !agreement.contains("340 kg"),
        "nor does the agreement's page"
    );
}

fn inputs_reports<'a>(
    inputs: &'a Inputs,
    indicator: &str,
    as_of: Instant,
) -> Vec<&'a LoggedStatement> {
    Reports::new(&inputs.log).latest(&inputs.log, indicator, as_of)
}

/// The indicator page's selection as it was before the index (issue #14): a walk of the
/// whole log, keeping each monitor's last report on each period recorded by `as_of`.
fn walked<'a>(
    log: &'a [LoggedStatement],
    indicator: &str,
    as_of: Instant,
) -> Vec<&'a LoggedStatement> {
    log.iter()
        .filter(|e| e.recorded_at <= as_of)
        .filter(|e| reported(&e.statement).is_some_and(|ev| ev.indicator.as_str() == indicator))
        .fold(BTreeMap::new(), |mut latest, e| {
            let period = reported(&e.statement).unwrap().period;
            latest.insert((monitor(e), period), e);
            latest
        })
        .into_values()
        .collect()
}

#[test]
fn indicator_pages_from_the_cache_index_match_a_walk_of_the_whole_log() {
    let (_dir, store) = played();
    let cache = Evaluations::new();
    // Every index of the bundled scenario's log (112 entries), as the page read them before.
    let everything: Vec<u64> = (0..112).collect();
    let all_sealed =
        accord_app::dashboard::sealed_commitments(&store, &ARDEN.parse().unwrap(), &everything)
            .unwrap();
    assert!(
        !all_sealed.is_empty(),
        "the scenario has sealed entries to hide"
    );
    let mut compared = 0;
    for date in [
        "2026-04-30",
        "2026-05-31",
        "2026-07-31",
        "2026-10-15",
        "2027-06-30",
    ] {
        let as_of = accord_app::time::parse_instant(date).unwrap();
        let evaluated = cache
            .state(&store, ARDEN, as_of, &Reading::default())
            .unwrap();
        let governing = evaluated.governing().unwrap();
        for def in &governing.indicators {
            let id = def.id.as_str();
            let indexed = evaluated
                .reports
                .latest(&evaluated.log, id, evaluated.state.as_of);
            let old = walked(&evaluated.log, id, evaluated.state.as_of);
            let indices: Vec<u64> = indexed.iter().map(|e| e.index.0).collect();
            let sealed = evaluated.sealed_among(&store, &indices).unwrap();
            for entitled in [false, true] {
                let render = |reports: &[&LoggedStatement], sealed| {
                    let page = IndicatorPage {
                        agreement: governing,
                        state: &evaluated.state,
                        indicator: id,
                        reports,
                        sealed,
                    };
                    accord_web::indicator(&ctx(date, entitled), &page).unwrap()
                };
                let (new, before) = (render(&indexed, &sealed), render(&old, &all_sealed));
                assert_eq!(new, before, "{id} as of {date}, entitled {entitled}");
                compared += usize::from(!indexed.is_empty());
            }
        }
    }
    assert!(compared > 0, "some pages had reports to show");
}
