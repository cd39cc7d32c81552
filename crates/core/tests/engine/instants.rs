//! Instants and time zones: decisions, extensions and events stated at a local time in a
//! zone take effect at that instant — asserted a second before, at, and a second after.
//! Plain dates keep their meaning (from the start of the day, UTC).

use accord_core::agreement::Agreement;
use accord_core::engine::evaluate;
use accord_core::engine::state::{ActionState, ReliefStatus, State};
use accord_core::statement::*;
use accord_core::time::Moment;

use super::builder::*;

fn eval(a: &Agreement, log: &Log, when: &str) -> State {
    evaluate(std::slice::from_ref(a), &log.entries, at(when)).unwrap()
}

fn relief<'s>(s: &'s State, a: &str) -> &'s ActionState {
    s.relief(a).unwrap()
}

fn m(s: &str) -> Moment {
    s.parse().unwrap()
}

fn decide(act: DecisionAct, effective: &str) -> Decision {
    Decision::new(
        act,
        ReliefRef::Action(id("eu-gl")),
        m(effective),
        "the authority's reason",
    )
}

/// The licensing agreement with phase p1 reached on 2026-02-01 (the EU licence in force).
fn licensed() -> (Agreement, Log) {
    let mut log = Log::default();
    log.event("2026-02-01", "report", d(2026, 2, 1));
    (licensing(), log)
}

#[test]
fn a_revocation_takes_effect_at_its_instant_and_its_wind_down_ends_at_the_same_local_time() {
    let (a, mut log) = licensed();
    // 00:01 eastern time on 1 March (standard time, 05:01 UTC), wound down for 30 days:
    // until 00:01 eastern time on 31 March, by then daylight time (04:01 UTC).
    let mut revoke = decide(DecisionAct::Revoke, "2026-03-01T00:01[America/New_York]");
    revoke.wind_down = Some(dur("P30D"));
    let entry = log.push("2026-02-20", &["eu"], Statement::Decision(revoke));

    let s = eval(&a, &log, "2026-03-01T05:00:59Z");
    assert_eq!(relief(&s, "eu-gl").status, ReliefStatus::Granted);
    let d0 = s.decision(entry).unwrap();
    assert_eq!(d0.effective, d(2026, 3, 1));
    assert_eq!(
        d0.effective_at.as_ref().map(ToString::to_string).as_deref(),
        Some("2026-03-01T00:01:00-05:00[America/New_York]")
    );
    assert!(
        d0.reasons[0]
            .detail
            .contains("takes effect on 2026-03-01T00:01:00-05:00[America/New_York]"),
        "{:?}",
        d0.reasons
    );
    for when in [
        "2026-03-01T05:01:00Z",
        "2026-03-01T05:01:01Z",
        "2026-03-31T04:00:59Z",
    ] {
        let s = eval(&a, &log, when);
        let r = relief(&s, "eu-gl");
        assert_eq!(r.status, ReliefStatus::WindDown, "{when}");
        assert_eq!(r.since, Some(d(2026, 3, 1)), "{when}");
        assert_eq!(r.until, Some(d(2026, 3, 31)), "{when}");
        assert_eq!(
            r.until_at.as_ref().map(ToString::to_string).as_deref(),
            Some("2026-03-31T00:01:00-04:00[America/New_York]"),
            "{when}"
        );
        assert!(r.reasons[0].detail.contains("exclusive"), "{:?}", r.reasons);
    }
    for when in ["2026-03-31T04:01:00Z", "2026-03-31T04:01:01Z"] {
        let s = eval(&a, &log, when);
        let r = relief(&s, "eu-gl");
        assert_eq!(r.status, ReliefStatus::Reimposed, "{when}");
        assert_eq!(r.since, Some(d(2026, 3, 31)), "{when}");
        assert_eq!(r.until_at, None, "{when}");
    }
    // In the state JSON, the instant is kept as the instrument stated it; a plain date
    // adds no key.
    let s = eval(&a, &log, "2026-03-10T00:00:00Z");
    let json = serde_json::to_value(&s).unwrap();
    let decision = &json["decisions"][0];
    assert_eq!(decision["effective"], "2026-03-01");
    assert_eq!(
        decision["effective_at"],
        "2026-03-01T00:01:00-05:00[America/New_York]"
    );
    assert!(decision.get("until_at").is_none());
}

#[test]
fn thirty_days_then_at_midnight_gmt_and_an_extension_until_an_instant() {
    let (a, mut log) = licensed();
    // Revoked at midnight GMT on 1 March, wound down for 30 days: reimposed at midnight
    // GMT on 31 March.
    let mut revoke = decide(DecisionAct::Revoke, "2026-03-01T00:00[GMT]");
    revoke.wind_down = Some(dur("P30D"));
    log.push("2026-02-20", &["eu"], Statement::Decision(revoke));
    let s = eval(&a, &log, "2026-03-30T23:59:59Z");
    assert_eq!(relief(&s, "eu-gl").status, ReliefStatus::WindDown);
    assert_eq!(
        relief(&s, "eu-gl")
            .until_at
            .as_ref()
            .map(ToString::to_string)
            .as_deref(),
        Some("2026-03-31T00:00:00+00:00[GMT]")
    );
    let s = eval(&a, &log, "2026-03-31T00:00:00Z");
    assert_eq!(relief(&s, "eu-gl").status, ReliefStatus::Reimposed);

    // Extended on 20 March until noon in Brussels on 15 April (10:00 UTC).
    let mut extend = decide(DecisionAct::ExtendWindDown, "2026-03-20");
    extend.until = Some(m("2026-04-15T12:00[Europe/Brussels]"));
    log.push("2026-03-20", &["eu"], Statement::Decision(extend));
    for when in ["2026-03-31T00:00:00Z", "2026-04-15T09:59:59Z"] {
        let s = eval(&a, &log, when);
        let r = relief(&s, "eu-gl");
        assert_eq!(r.status, ReliefStatus::WindDown, "{when}");
        assert_eq!(r.until, Some(d(2026, 4, 15)), "{when}");
        assert_eq!(
            r.until_at.as_ref().map(ToString::to_string).as_deref(),
            Some("2026-04-15T12:00:00+02:00[Europe/Brussels]"),
            "{when}"
        );
    }
    for when in ["2026-04-15T10:00:00Z", "2026-04-15T10:00:01Z"] {
        let s = eval(&a, &log, when);
        assert_eq!(
            relief(&s, "eu-gl").status,
            ReliefStatus::Reimposed,
            "{when}"
        );
        assert_eq!(relief(&s, "eu-gl").since, Some(d(2026, 4, 15)), "{when}");
    }
}

#[test]
fn an_event_recorded_at_an_instant_counts_from_that_instant() {
    let a = licensing();
    let mut log = Log::default();
    // The report is dated 18:00 in Tokyo on 1 February: 09:00 UTC.
    log.push(
        "2026-02-01T00:00:00Z",
        &["usa"],
        Statement::EventOccurred(EventOccurred {
            event: id("report"),
            on: m("2026-02-01T18:00[Asia/Tokyo]"),
            note: None,
        }),
    );
    let s = eval(&a, &log, "2026-02-01T08:59:59Z");
    assert_eq!(relief(&s, "eu-gl").status, ReliefStatus::Scheduled);
    let report = s.events.iter().find(|e| e.id.as_str() == "report").unwrap();
    // It is dated as recorded; it counts from 09:00 UTC.
    assert_eq!(report.date, Some(d(2026, 2, 1)));
    for when in ["2026-02-01T09:00:00Z", "2026-02-01T09:00:01Z"] {
        let s = eval(&a, &log, when);
        assert_eq!(relief(&s, "eu-gl").status, ReliefStatus::Granted, "{when}");
        let report = s.events.iter().find(|e| e.id.as_str() == "report").unwrap();
        assert_eq!(report.date, Some(d(2026, 2, 1)));
        assert_eq!(
            report.at.as_ref().map(ToString::to_string).as_deref(),
            Some("2026-02-01T18:00:00+09:00[Asia/Tokyo]")
        );
    }
}

// ---- The agreement's zone: days, day-derived ends and stated instants ----

fn zoned(zone: &str) -> Agreement {
    let mut a = licensing();
    a.zone = Some(zone.to_owned());
    a
}

/// The status of the EU licence (expires, exclusive, on 2026-06-30) at each instant.
fn eu_gl(a: &Agreement, log: &Log, when: &str) -> ReliefStatus {
    relief(&eval(a, log, when), "eu-gl").status
}

#[test]
fn a_plain_expiry_ends_at_the_start_of_its_day_in_the_agreements_zone() {
    let (_, log) = licensed();
    let (utc, _) = licensed();
    let tokyo = zoned("Asia/Tokyo");
    use ReliefStatus::{Expired, Granted};
    for (a, when, status) in [
        // Tokyo is nine hours ahead: 30 June begins there at 15:00 UTC on the 29th.
        (&tokyo, "2026-06-29T14:59:59Z", Granted),
        (&tokyo, "2026-06-29T15:00:00Z", Expired),
        (&tokyo, "2026-06-29T15:00:01Z", Expired),
        // The same file without a zone counts UTC days, as plain dates always meant.
        (&utc, "2026-06-29T15:00:00Z", Granted),
        (&utc, "2026-06-29T23:59:59Z", Granted),
        (&utc, "2026-06-30T00:00:00Z", Expired),
    ] {
        assert_eq!(eu_gl(a, &log, when), status, "{:?} {when}", a.zone);
    }
    // The evaluation day is the zone's day.
    let s = eval(&tokyo, &log, "2026-06-29T15:00:00Z");
    assert_eq!(s.date, d(2026, 6, 30));
}

#[test]
fn day_ends_follow_the_clock_changes_of_the_agreements_zone() {
    let (_, log) = licensed();
    // New York: clocks go back on 1 November 2026 (EDT -04:00 to EST -05:00) and spring
    // forward on 14 March 2027.
    for (expires, last, first) in [
        (d(2026, 11, 1), "2026-11-01T03:59:59", "2026-11-01T04:00:00"),
        (d(2026, 11, 2), "2026-11-02T04:59:59", "2026-11-02T05:00:00"),
        (d(2027, 3, 14), "2027-03-14T04:59:59", "2027-03-14T05:00:00"),
        (d(2027, 3, 15), "2027-03-15T03:59:59", "2027-03-15T04:00:00"),
    ] {
        let mut a = zoned("America/New_York");
        for p in &mut a.phases {
            for action in p.actions.iter_mut().filter(|x| x.id.as_str() == "eu-gl") {
                action.expires = Some(accord_core::rule::DateRule::On(expires));
            }
        }
        assert_eq!(
            eu_gl(&a, &log, &format!("{last}Z")),
            ReliefStatus::Granted,
            "{expires} {last}"
        );
        assert_eq!(
            eu_gl(&a, &log, &format!("{first}Z")),
            ReliefStatus::Expired,
            "{expires} {first}"
        );
    }
}

#[test]
fn a_stated_instant_in_the_agreement_ends_at_that_instant() {
    use accord_core::rule::DateRule;
    let (_, log) = licensed();
    let mut a = licensing();
    // "at 00:01 Brussels time on 30 June": 22:01 UTC on the 29th (summer time, +02:00).
    let expiry = DateRule::At(m("2026-06-30T00:01[Europe/Brussels]"));
    // "30 days, then at midnight GMT": 31 May at midnight GMT, plus P30D.
    let thirty_days = DateRule::Offset {
        base: Box::new(DateRule::At(m("2026-05-31T00:00[GMT]"))),
        by: dur("P30D"),
        forward: true,
    };
    for (rule, last, first) in [
        (expiry, "2026-06-29T22:00:59Z", "2026-06-29T22:01:00Z"),
        (thirty_days, "2026-06-29T23:59:59Z", "2026-06-30T00:00:00Z"),
    ] {
        for p in &mut a.phases {
            for action in p.actions.iter_mut().filter(|x| x.id.as_str() == "eu-gl") {
                action.expires = Some(rule.clone());
            }
        }
        assert_eq!(eu_gl(&a, &log, last), ReliefStatus::Granted, "{rule:?}");
        assert_eq!(eu_gl(&a, &log, first), ReliefStatus::Expired, "{rule:?}");
    }
}

#[test]
fn a_grace_period_ends_at_the_end_of_its_last_day_in_the_agreements_zone() {
    // Q1 closes on 31 March; with 30 days' grace the report is due by the end of 30 April.
    let report = |a: &Agreement, when: &str| {
        let mut log = Log::default();
        log.evidence(when, "audit", "no-diversion", quarter(1), flag(true));
        let s = eval(a, &log, "2026-06-01T00:00:00Z");
        s.indicator("no-diversion").unwrap().periods[0].late
    };
    // 23:30 in New York on 30 April is 03:30 UTC on 1 May: on time there, late in UTC.
    let ny = zoned("America/New_York");
    assert!(!report(&ny, "2026-05-01T03:30:00Z"));
    assert!(!report(&ny, "2026-05-01T03:59:59Z"));
    assert!(report(&ny, "2026-05-01T04:00:00Z"));
    let (utc, _) = licensed();
    assert!(!report(&utc, "2026-04-30T23:59:59Z"));
    assert!(report(&utc, "2026-05-01T03:30:00Z"));
}

#[test]
fn the_timeline_shows_a_change_at_the_instant_stated_for_it() {
    use accord_core::engine::timeline;
    let (_, log) = licensed();
    let mut a = zoned("America/New_York");
    for p in &mut a.phases {
        for action in p.actions.iter_mut().filter(|x| x.id.as_str() == "eu-gl") {
            action.expires = Some(accord_core::rule::DateRule::At(m(
                "2026-06-30T12:00[America/New_York]",
            )));
        }
    }
    let changes = timeline(std::slice::from_ref(&a), &log.entries, None, d(2026, 7, 31)).unwrap();
    let expired = changes
        .iter()
        .find(|c| c.subject == "relief eu-gl" && c.to.starts_with("expired"))
        .unwrap();
    assert_eq!(expired.date, d(2026, 6, 30));
    assert_eq!(expired.at, Some(at("2026-06-30T16:00:00Z")));
    // Changes come in the order of their instants: nothing after it is dated before it.
    let i = changes
        .iter()
        .position(|c| std::ptr::eq(c, expired))
        .unwrap();
    assert!(changes[i..].iter().all(|c| c.date >= expired.date));
    assert!(changes.windows(2).all(|w| w[0].date <= w[1].date));
}

#[test]
fn the_timeline_shows_a_review_schedule_beginning_at_its_stated_instant() {
    use accord_core::engine::timeline;
    let (_, log) = licensed();
    // Reviews begin at noon in New York on 1 March (17:00 UTC): the first review, and the
    // indicators' statuses at it, appear at that instant, not at the end of the day.
    let mut a = zoned("America/New_York");
    a.review.starts = accord_core::rule::DateRule::At(m("2026-03-01T12:00[America/New_York]"));
    let s = eval(&a, &log, "2026-03-01T16:59:59Z");
    assert!(s.reviews.is_empty(), "{:?}", s.reviews);
    let s = eval(&a, &log, "2026-03-01T17:00:00Z");
    assert_eq!(s.reviews.len(), 1);
    let changes = timeline(std::slice::from_ref(&a), &log.entries, None, d(2026, 3, 31)).unwrap();
    let first = changes
        .iter()
        .find(|c| c.subject.starts_with("indicator ") && c.subject.ends_with(" review 1"))
        .unwrap();
    assert_eq!(first.date, d(2026, 3, 1));
    assert_eq!(first.at, Some(at("2026-03-01T17:00:00Z")));
}
