//! Statistical tests against analytic results, with fixed seeds.
//!
//! One indicator compliant with probability p each month, reviewed monthly, and a phase
//! entered after two consecutive compliant reviews: the review T at which it is entered is
//! the waiting time for two successes in a row, P(T = t) computed exactly below (mean
//! (1 + p) / p²). The simulated mean and quantiles must fall in a confidence interval of it.

use accord_core::time::Date;
use jiff::civil::date;

use crate::{TWO_IN_A_ROW, agreement_text, model_text, run, settings, two_in_a_row_model};

/// P(T = t) for t = 0..n: the first t at which trials t-1 and t both succeed.
fn two_in_a_row(p: f64, n: usize) -> Vec<f64> {
    // (no success pending, one success pending) before each trial
    let (mut none, mut one) = (1.0, 0.0);
    let mut pmf = vec![0.0; n + 1];
    for slot in pmf.iter_mut().skip(1) {
        *slot = one * p;
        let fail = (none + one) * (1.0 - p);
        let first = none * p;
        none = fail;
        one = first;
    }
    pmf
}

/// The last day of month t (1 = January 2026).
fn month_end(t: usize) -> Date {
    date(2026, 1, 1)
        .checked_add(jiff::Span::new().months(t as i64))
        .unwrap()
        .yesterday()
        .unwrap()
}

fn days(d: Date) -> f64 {
    f64::from((d - date(2026, 1, 1)).get_days())
}

#[test]
fn the_waiting_time_for_two_compliant_reviews_matches_its_distribution() {
    let agreement = agreement_text(TWO_IN_A_ROW);
    // Where the phase is entered relative to the end of the second review, when it is.
    let always = run(
        &agreement,
        &model_text(&two_in_a_row_model(1.0), &agreement),
        &settings(3, 1, "P8Y"),
    );
    let first = always.distributions.phases[0].quantiles[2].days.unwrap();
    let offset = f64::from(first) - days(month_end(2));

    let p = 0.5;
    let runs = 1000;
    let sim = run(
        &agreement,
        &model_text(&two_in_a_row_model(p), &agreement),
        &settings(runs, 20_261_206, "P8Y"),
    );
    let phase = &sim.distributions.phases[0];
    let pmf = two_in_a_row(p, 400);
    assert!(
        (pmf.iter()
            .enumerate()
            .map(|(t, q)| t as f64 * q)
            .sum::<f64>()
            - (1.0 + p) / (p * p))
            .abs()
            < 1e-6
    );
    let day = |t: usize| days(month_end(t)) + offset;
    let mean: f64 = pmf
        .iter()
        .enumerate()
        .skip(1)
        .map(|(t, q)| q * day(t))
        .sum();
    let var: f64 = pmf
        .iter()
        .enumerate()
        .skip(1)
        .map(|(t, q)| q * (day(t) - mean).powi(2))
        .sum();
    let half_width = 4.0 * (var / f64::from(runs)).sqrt();
    let simulated = phase.mean_days.unwrap();
    assert!(
        phase.never < 0.001,
        "never reached in {} of runs",
        phase.never
    );
    assert!(
        (simulated - mean).abs() < half_width,
        "simulated mean {simulated:.1} days, analytic {mean:.1} ± {half_width:.1}"
    );
    // Each simulated quantile is a review whose analytic CDF brackets the quantile, within
    // four standard errors of an empirical CDF.
    let cdf = |t: usize| pmf.iter().take(t + 1).sum::<f64>();
    for q in &phase.quantiles {
        let level = f64::from(q.percent) / 100.0;
        let band = 4.0 * (level * (1.0 - level) / f64::from(runs)).sqrt();
        let d = f64::from(q.days.unwrap());
        let t = (1..95)
            .find(|t| (day(*t) - d).abs() < 0.5)
            .unwrap_or_else(|| panic!("{d} is no review's entry day"));
        assert!(
            cdf(t) >= level - band && cdf(t - 1) <= level + band,
            "quantile {}: review {t}, analytic CDF {:.3}..{:.3}",
            q.percent,
            cdf(t - 1),
            cdf(t)
        );
    }
}

#[test]
fn a_model_that_never_complies_never_reaches_the_phase() {
    let agreement = agreement_text(TWO_IN_A_ROW);
    let sim = run(
        &agreement,
        &model_text(&two_in_a_row_model(0.0), &agreement),
        &settings(20, 3, "P3Y"),
    );
    let phase = &sim.distributions.phases[0];
    assert_eq!(phase.never, 1.0);
    assert!(phase.quantiles.iter().all(|q| q.days.is_none()));
    assert_eq!(sim.distributions.relief[0].mean_days, 0.0);
}

#[test]
fn a_model_that_always_complies_reaches_each_phase_on_its_earliest_date() {
    let agreement = agreement_text(TWO_IN_A_ROW);
    let sim = run(
        &agreement,
        &model_text(&two_in_a_row_model(1.0), &agreement),
        &settings(20, 4, "P3Y"),
    );
    let phase = &sim.distributions.phases[0];
    assert_eq!(phase.never, 0.0);
    // The earliest date: the day after the second review ends, once its report is in (the
    // report comes three days after the month).
    let earliest = date(2026, 3, 3);
    for q in &phase.quantiles {
        assert_eq!(q.date, Some(earliest), "quantile {}", q.percent);
    }
    // Relieved every day from entry to the horizon's last day.
    let relief = &sim.distributions.relief[0];
    let expected = (sim.last - earliest).get_days() as u32 + 1;
    assert_eq!((relief.p10, relief.p90), (expected, expected));
}
