//! The timeline shows changes of meaning: a snapback trigger whose condition keeps holding
//! does not flip to dormant and back at every review boundary while the new review's
//! findings are not in; values are printed rounded to their unit's precision.

use accord_core::engine::state::TriggerStatus;
use accord_core::engine::{evaluate, timeline};

use super::builder::*;

/// The enrichment cap breached every quarter of 2026 and 2027, each report recorded ten
/// days after the quarter ends (within the 30-day grace).
fn persistent_breach() -> Log {
    let mut log = Log::default();
    for q in 1..=8i16 {
        let end = quarter(q).end();
        let when = end
            .checked_add(jiff::Span::new().days(10))
            .unwrap()
            .to_string();
        log.evidence(&when, "iaea", "enrichment", quarter(q), qty(4.5, "percent"));
        log.evidence(&when, "sat", "enrichment", quarter(q), qty(4.5, "percent"));
    }
    log
}

#[test]
fn a_trigger_awaiting_the_next_reviews_findings_does_not_flip_in_the_timeline() {
    let mut a = nuclear();
    for i in &mut a.indicators {
        i.cure = None;
    }
    let log = persistent_breach();
    // On 1 July the second quarter's review has concluded with nothing recorded yet: the
    // engine says dormant (the condition is judged at the latest review) and awaiting.
    let s = evaluate(std::slice::from_ref(&a), &log.entries, at("2026-07-01")).unwrap();
    let t = s.trigger("snapback").unwrap();
    assert_eq!(t.status, TriggerStatus::Dormant);
    assert_eq!(t.awaiting, Some(d(2026, 7, 30)));
    assert!(t.reasons.iter().any(|r| r.rule == "trigger.awaiting"));
    let s = evaluate(std::slice::from_ref(&a), &log.entries, at("2026-07-10")).unwrap();
    let t = s.trigger("snapback").unwrap();
    assert_eq!((t.status, t.awaiting), (TriggerStatus::Available, None));
    // Over two years the timeline says it once: dormant, then available.
    let changes = timeline(
        std::slice::from_ref(&a),
        &log.entries,
        None,
        d(2027, 12, 31),
    )
    .unwrap();
    let lines: Vec<(jiff::civil::Date, &str)> = changes
        .iter()
        .filter(|c| c.subject == "trigger snapback")
        .map(|c| (c.date, c.to.as_str()))
        .collect();
    assert_eq!(
        lines,
        [(d(2026, 1, 1), "dormant"), (d(2026, 4, 10), "available")]
    );
    // A real change still shows: the findings of a review come in compliant.
    let mut cured = log.clone();
    cured.entries.retain(|e| e.recorded_at < at("2026-10-01"));
    for who in ["iaea", "sat"] {
        cured.evidence(
            "2026-10-10",
            who,
            "enrichment",
            quarter(3),
            qty(3.5, "percent"),
        );
    }
    let changes = timeline(
        std::slice::from_ref(&a),
        &cured.entries,
        None,
        d(2026, 12, 31),
    )
    .unwrap();
    let lines: Vec<(jiff::civil::Date, &str)> = changes
        .iter()
        .filter(|c| c.subject == "trigger snapback")
        .map(|c| (c.date, c.to.as_str()))
        .collect();
    assert_eq!(
        lines,
        [
            (d(2026, 1, 1), "dormant"),
            (d(2026, 4, 10), "available"),
            (d(2026, 10, 10), "dormant")
        ]
    );
}

#[test]
fn values_are_printed_rounded_to_their_units_precision() {
    let mut a = nuclear();
    let mut log = Log::default();
    // 380 kg of UF6 is 256.88 kg of uranium (0.676 per kg), not 256.88000000000002.
    log.evidence(
        "2026-04-10",
        "iaea",
        "stockpile",
        quarter(1),
        qty(380.0, "kg_uf6"),
    );
    log.evidence(
        "2026-04-10",
        "sat",
        "stockpile",
        quarter(1),
        qty(380.0, "kg_uf6"),
    );
    let detail = |a: &accord_core::agreement::Agreement| {
        let s = evaluate(std::slice::from_ref(a), &log.entries, at("2026-04-11")).unwrap();
        s.indicator("stockpile").unwrap().periods[0].reasons[0]
            .detail
            .clone()
    };
    assert_eq!(
        detail(&a),
        "2 agreeing report(s), quorum 2: 256.88 kg_u meets the limit of at most 300 kg_u"
    );
    a.units
        .iter_mut()
        .find(|u| u.id.as_str() == "kg_u")
        .unwrap()
        .precision = Some(0);
    assert_eq!(
        detail(&a),
        "2 agreeing report(s), quorum 2: 257 kg_u meets the limit of at most 300 kg_u"
    );
    // Rounding never makes a value that differs from the limit read as the limit.
    let mut near = Log::default();
    for who in ["iaea", "sat"] {
        near.evidence(
            "2026-04-10",
            who,
            "enrichment",
            quarter(1),
            qty(3.674, "percent"),
        );
    }
    let s = evaluate(std::slice::from_ref(&a), &near.entries, at("2026-04-11")).unwrap();
    assert_eq!(
        s.indicator("enrichment").unwrap().periods[0].reasons[0].detail,
        "2 agreeing report(s), quorum 1: 3.674 percent breaches the limit of at most 3.67 percent"
    );
    // The JSON value keeps every digit.
    let s = evaluate(std::slice::from_ref(&a), &log.entries, at("2026-04-11")).unwrap();
    assert_eq!(
        s.indicator("stockpile").unwrap().periods[0].value,
        Some(380.0 * 0.676)
    );
}
