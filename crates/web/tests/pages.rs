//! The pages rendered from a played scenario (the bundled nuclear-caps one, in a fresh
//! SQLite store): what needs attention on a given day, the time control's links, and the
//! confidentiality invariant — a viewer not entitled never gets a restricted value.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::collections::BTreeMap;

use accord_app::evaluate::{AgreementSource, Inputs, LogSource};
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
            log: &inputs.log,
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
