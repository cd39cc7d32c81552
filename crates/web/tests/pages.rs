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
        zone: None,
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
    let page = accord_web::agreement(
        &ctx,
        inputs.governing(&state).unwrap(),
        &state,
        &accord_web::Around::default(),
    );
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
    let agreement = accord_web::agreement(
        &ctx("2026-07-31", false),
        governing,
        &state,
        &accord_web::Around::default(),
    );
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
    // Every index of the bundled scenario's log, as the page read them before.
    let size = accord_app::log::find(&store, &ARDEN.parse().unwrap())
        .unwrap()
        .info()
        .size;
    assert!(size > 0, "the scenario was played");
    let everything: Vec<u64> = (0..size).collect();
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

fn instant(text: &str) -> Instant {
    accord_app::time::parse_instant(text).unwrap()
}

#[test]
fn the_log_page_as_of_an_instant_shows_the_log_as_it_stood() {
    let (_dir, store) = played();
    let id = ARDEN.parse().unwrap();
    let now = accord_app::dashboard::log_page(&store, &id, None, 25, None).unwrap();
    let (size, signed) = now.checkpoint.clone().expect("the play signs a checkpoint");
    assert_eq!((now.size, size), (signed_size(&store), signed_size(&store)));
    let as_of = instant("2026-06-12");
    let then = accord_app::dashboard::log_page(&store, &id, None, 25, Some(as_of)).unwrap();
    // Recorded by the end of 2026-06-12: counted from the whole log, read apart.
    let log = accord_app::log::find(&store, &id)
        .unwrap()
        .read_verified()
        .unwrap()
        .entries;
    let recorded = log.iter().filter(|e| e.recorded_at <= as_of).count() as u64;
    assert!(0 < recorded && recorded < now.size, "{recorded}");
    assert_eq!(then.size, recorded);
    assert_eq!(then.entries.first().map(|e| e.index), Some(recorded - 1));
    assert!(then.entries.iter().all(|e| e.recorded_at <= as_of));
    assert!(
        then.checkpoint.is_none(),
        "the only checkpoint ({size}) covers entries recorded later"
    );
    let mut ctx = ctx("2026-06-12", false);
    ctx.path = format!("/agreements/{ARDEN}/log");
    let page = accord_web::log(&ctx, ARDEN, &then, None);
    assert!(
        page.contains(&format!(
            "held <strong>{recorded}</strong> entries at the end of 2026-06-12"
        )),
        "{page}"
    );
    assert!(page.contains("id=\"as_of_slider\""), "the time control");
    assert!(!page.contains(&signed), "no later checkpoint is shown");
    // Before the first entry, an empty page; at the end, the checkpoint again.
    let before =
        accord_app::dashboard::log_page(&store, &id, None, 25, Some(instant("2020-01-01")))
            .unwrap();
    assert_eq!((before.size, before.entries.len()), (0, 0));
    let after = accord_app::dashboard::log_page(&store, &id, None, 25, Some(instant("2030-01-01")))
        .unwrap();
    assert_eq!(after.size, now.size);
    assert_eq!(after.checkpoint.map(|c| c.0), Some(size));
}

fn signed_size(store: &accord_app::Store) -> u64 {
    let mut ledger = accord_app::log::find(store, &ARDEN.parse().unwrap()).unwrap();
    ledger.checkpoints().unwrap().last().unwrap().0
}

#[test]
fn the_agreement_page_lists_the_reports_published_by_its_instant() {
    let (_dir, store) = played();
    let id = ARDEN.parse().unwrap();
    let log = accord_app::log::find(&store, &id)
        .unwrap()
        .read_verified()
        .unwrap()
        .entries;
    let last = log.last().unwrap().recorded_at;
    let later = accord_app::dashboard::publications(&store, &id, instant("2030-01-01")).unwrap();
    assert_eq!(later.origin, format!("accord.play/{ARDEN}"));
    // One checkpoint, signed after the last entry: one report, as of that entry's time.
    assert_eq!(
        later.reports,
        vec![accord_app::dashboard::Published {
            as_of: last,
            size: log.len() as u64
        }]
    );
    // That report rests on that checkpoint: the server's address builds it.
    let built = accord_app::report::build(
        &store,
        &accord_app::report::Request {
            agreement: ARDEN,
            as_of: last,
            previous: None,
            policy: None,
        },
    )
    .unwrap();
    assert_eq!(built.size, log.len() as u64);
    let earlier = accord_app::dashboard::publications(&store, &id, instant("2026-06-12")).unwrap();
    assert!(
        earlier.reports.is_empty(),
        "not published yet on 2026-06-12"
    );

    let inputs = Inputs::read(
        &AgreementSource::Registered(ARDEN.into()),
        LogSource::Store(&store),
    )
    .unwrap();
    let state = inputs.evaluate(instant("2030-01-01")).unwrap();
    let around = accord_web::Around {
        origin: Some(later.origin.clone()),
        reports: later.reports.clone(),
        simulation: false,
    };
    let page = accord_web::agreement(
        &ctx("2030-01-01", false),
        inputs.governing(&state).unwrap(),
        &state,
        &around,
    );
    let href = format!("/v1/agreements/{ARDEN}/reports/{last}/index.html");
    assert!(page.contains(&format!("href=\"{href}\"")), "{page}");
    assert!(page.contains(&format!("{} entries", log.len())));
    assert!(page.contains(&format!("data-origin=\"accord.play/{ARDEN}\"")));
    let none = accord_web::agreement(
        &ctx("2026-06-12", false),
        inputs.governing(&state).unwrap(),
        &state,
        &accord_web::Around::default(),
    );
    assert!(none.contains("No report is published yet"));

    let cache = Evaluations::new();
    let overview = accord_app::dashboard::overview(&store, &cache, instant("2030-01-01")).unwrap();
    assert_eq!(overview[0].reports, later.reports);
    let home = accord_web::home(&ctx("2030-01-01", false), &overview);
    assert!(
        home.contains(&format!("href=\"{href}\"")),
        "the home page links the latest report"
    );
}

#[test]
fn a_simulation_page_draws_each_chart_with_its_data_as_a_table() {
    let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let texts = vec![
        accord_app::agreements::AgreementText::read(&repo.join("examples/nuclear-caps.toml"))
            .unwrap(),
    ];
    let model =
        accord_app::simulate::ModelText::read(&repo.join("examples/models/nuclear-caps.toml"))
            .unwrap();
    let settings = accord_simulate::Settings {
        runs: 40,
        seed: 7,
        horizon: "P5Y".parse().unwrap(),
        sensitivity_runs: 8,
        evaluation: accord_simulate::Evaluation::IncrementalEveryReview,
    };
    let sim = accord_app::simulate::simulate(&texts, &model, &settings, &|_| {}).unwrap();
    let json = serde_json::to_string_pretty(&sim).unwrap();
    let view = accord_web::parse_simulation(&json).unwrap();
    assert_eq!(view.agreement, ARDEN);
    assert_eq!(view.phases.len(), sim.distributions.phases.len());
    let mut ctx = ctx("2026-07-31", false);
    ctx.path = format!("/agreements/{ARDEN}/simulation");
    let page = accord_web::simulation(&ctx, ARDEN, &view);
    // A histogram per phase, the survival curves, the tornado: each an image with a title
    // and a description naming its table.
    let images = page.matches("role=\"img\"").count();
    assert_eq!(images, view.phases.len() + 2, "{page}");
    assert_eq!(page.matches("<title ").count(), images);
    assert!(page.contains("id=\"survival-table\"") && page.contains("id=\"tornado-table\""));
    for phase in &view.phases {
        assert!(page.contains(&format!("id=\"sim-phase-{}\"", phase.id)));
    }
    let bars = view.sensitivity.as_ref().unwrap().bars.len();
    assert!(bars > 0);
    assert!(page.matches("<code>").count() >= bars);
    // Not simulation.json: refused, not shown.
    assert!(accord_web::parse_simulation("{\"agreement\": 1}").is_err());
}

/// Pages about no one agreement read a plain date as a UTC day and say so; an agreement's
/// pages read it in the agreement's zone and say which; the log page says the same as the
/// time control (issue #14).
#[test]
fn pages_say_whose_days_their_dates_are() {
    let (_dir, store) = played();
    let ctx = ctx("2026-06-12", false);
    const UTC: &str = "Dates are read as UTC days: a date means the end of that day in UTC.";
    let overview =
        accord_app::dashboard::overview(&store, &Evaluations::new(), ctx.as_of.unwrap()).unwrap();
    let home = accord_web::home(&ctx, &overview);
    assert!(home.contains(UTC), "{home}");
    assert!(home.contains("(a UTC day)"), "the time control says it too");
    let screening = accord_web::screening(
        &ctx,
        &accord_web::ScreeningForm {
            name: String::new(),
        },
        Ok(None),
    );
    assert!(screening.contains(UTC), "{screening}");
    let status = accord_web::status(
        &ctx,
        &accord_web::StatusForm {
            name: String::new(),
            entity: String::new(),
            activity: String::new(),
            jurisdictions: Vec::new(),
            date: String::new(),
        },
        Ok(None),
    );
    assert!(
        status.contains("the lists as of that UTC day; each agreement's relief as of the end of it in the agreement's zone"),
        "{status}"
    );
    assert!(status.contains("aria-describedby=\"date-note\""));

    // An agreement counting its days in Tokyo: its page says so, not "UTC".
    let inputs = Inputs::read(
        &AgreementSource::Registered(ARDEN.into()),
        LogSource::Store(&store),
    )
    .unwrap();
    let mut state = inputs.evaluate(ctx.as_of.unwrap()).unwrap();
    let utc_page = accord_web::agreement(
        &ctx,
        inputs.governing(&state).unwrap(),
        &state,
        &accord_web::Around::default(),
    );
    assert!(utc_page.contains(UTC));
    state.zone = Some("Asia/Tokyo".into());
    let page = accord_web::agreement(
        &ctx,
        inputs.governing(&state).unwrap(),
        &state,
        &accord_web::Around::default(),
    );
    assert!(
        page.contains("Dates are read as days in Asia/Tokyo, the agreement's zone: a date means the end of that day there."),
        "{page}"
    );
    assert!(page.contains("(a day in Asia/Tokyo, the agreement's zone)"));
    assert!(!page.contains(UTC));
    // The log page: the same words as the time control.
    let mut log = accord_app::dashboard::log_page(
        &store,
        &ARDEN.parse().unwrap(),
        None,
        accord_web::LOG_PAGE,
        ctx.as_of,
    )
    .unwrap();
    assert_eq!(log.zone, None, "the bundled agreement counts in UTC");
    let text = accord_web::log(&ctx, ARDEN, &log, None);
    assert!(
        text.contains("entries at the end of 2026-06-12 (a UTC day)"),
        "{text}"
    );
    log.zone = Some("Asia/Tokyo".into());
    let text = accord_web::log(&ctx, ARDEN, &log, None);
    assert!(
        text.contains(
            "entries at the end of 2026-06-12 (a day in Asia/Tokyo, the agreement's zone)"
        ),
        "{text}"
    );
    assert!(!text.contains("(UTC)"), "{text}");
}

/// The agreement's page names its current phase, and marks the parts the script replaces
/// in place when the log grows (each with an id to find its new version by).
#[test]
fn the_agreement_page_names_its_current_phase_and_its_live_parts() {
    let (_dir, store) = played();
    let inputs = Inputs::read(
        &AgreementSource::Registered(ARDEN.into()),
        LogSource::Store(&store),
    )
    .unwrap();
    let page = |date: &str| {
        let ctx = ctx(date, false);
        let state = inputs.evaluate(ctx.as_of.unwrap()).unwrap();
        accord_web::agreement(
            &ctx,
            inputs.governing(&state).unwrap(),
            &state,
            &accord_web::Around::default(),
        )
    };
    let phase = |page: &str| {
        let start = page.find("<span id=\"current-phase\">").expect(page) + 25;
        page[start..start + page[start..].find("</span>").unwrap()].to_owned()
    };
    let (before, after) = (page("2026-03-01"), page("2026-08-01"));
    assert_eq!(
        phase(&before),
        "Adoption: preparations and civil nuclear cooperation (since 2026-01-15)"
    );
    assert_eq!(
        phase(&after),
        "Implementation day: caps verified (since 2026-07-15)"
    );
    for part in [
        "<p id=\"summary\" data-live-part",
        "<div id=\"part-phases\" data-live-part",
        "<div id=\"part-measures\" data-live-part",
        "<div id=\"part-triggers\" data-live-part",
        "<div id=\"part-disputes\" data-live-part",
    ] {
        assert!(after.contains(part), "{part}");
    }
}
