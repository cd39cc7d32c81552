//! The distributions over runs: when each phase is reached (quantiles, the share never
//! reached, a histogram and a survival curve), the chance each trigger has fired by each
//! year, relief-days per action and jurisdiction, time in disputes, and the shares of
//! periods contested or unverified. Aggregated in run order, so the same runs give the
//! same figures to the last bit.

use accord_core::time::Date;

use crate::calendar::add_days;
use crate::plan::Plan;
use crate::run::RunOutcome;

/// The quantiles reported, in percent.
pub const QUANTILES: [u32; 5] = [10, 25, 50, 75, 90];
/// Bars in a phase's histogram.
pub const BINS: usize = 40;

/// A quantile of a time to something: the day from the start, and its date; `None` when
/// the share of runs that got there is below the quantile.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Quantile {
    /// The quantile, in percent.
    pub percent: u32,
    /// Days from the model's start.
    pub days: Option<i32>,
    /// The date.
    pub date: Option<Date>,
}

/// When a phase is reached.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PhaseSummary {
    /// The phase.
    pub id: String,
    /// Its title.
    pub title: String,
    /// The share of runs in which it is never reached by the horizon.
    pub never: f64,
    /// The mean day of entry, over the runs that reach it.
    pub mean_days: Option<f64>,
    /// Quantiles over all runs (a run that never reaches it counts as later than any).
    pub quantiles: Vec<Quantile>,
    /// Runs reaching it in each of [`BINS`] equal spans of the horizon.
    pub histogram: Vec<u32>,
    /// Days each histogram bar spans.
    pub bin_days: f64,
    /// The share of runs in which it is not yet reached, at the end of each month.
    pub survival: Vec<f64>,
}

/// How likely a trigger is to have fired.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct TriggerSummary {
    /// The trigger.
    pub id: String,
    /// The share of runs in which it fired by the horizon.
    pub fired: f64,
    /// The share of runs in which it fired by the end of year 1, 2, ...
    pub by_year: Vec<f64>,
}

/// Relief-days of one action.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ReliefSummary {
    /// The action.
    pub action: String,
    /// Its phase.
    pub phase: String,
    /// The jurisdiction of its regime.
    pub jurisdiction: String,
    /// The mean days it relieved per run.
    pub mean_days: f64,
    /// Quantiles of its relief-days (10, 50, 90).
    pub p10: u32,
    /// See `p10`.
    pub p50: u32,
    /// See `p10`.
    pub p90: u32,
}

/// Relief-days summed over a jurisdiction's actions.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct JurisdictionSummary {
    /// The jurisdiction.
    pub jurisdiction: String,
    /// Mean relief-days per run, summed over its actions.
    pub mean_days: f64,
}

/// Disputes and the quality of verification.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Friction {
    /// Mean disputes per run.
    pub disputes_per_run: f64,
    /// Mean days of disputes per run (summed over disputes).
    pub dispute_days_per_run: f64,
    /// The share of runs with at least one dispute.
    pub runs_with_disputes: f64,
    /// The share of reporting periods found contested.
    pub contested: f64,
    /// The share of reporting periods found unverified.
    pub unverified: f64,
    /// Entries the engine refused, over all runs (0 for a model the agreement allows).
    pub rejected_entries: u64,
}

/// Everything the runs came to.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Distributions {
    /// Per phase.
    pub phases: Vec<PhaseSummary>,
    /// Per trigger.
    pub triggers: Vec<TriggerSummary>,
    /// Per relief action.
    pub relief: Vec<ReliefSummary>,
    /// Per jurisdiction.
    pub jurisdictions: Vec<JurisdictionSummary>,
    /// Disputes and verification.
    pub friction: Friction,
}

/// The day at quantile `percent` of `sorted` days over `runs` runs (the runs missing from
/// `sorted` come after every day).
fn quantile(sorted: &[i32], runs: usize, percent: u32) -> Option<i32> {
    let rank = (runs * percent as usize).div_ceil(100).max(1);
    sorted.get(rank - 1).copied()
}

fn share(n: usize, runs: usize) -> f64 {
    if runs == 0 {
        0.0
    } else {
        n as f64 / runs as f64
    }
}

/// Aggregates the runs, in run order.
pub(crate) fn summarise(plan: &Plan<'_>, outcomes: &[RunOutcome]) -> Distributions {
    Distributions {
        phases: (0..plan.phases.len())
            .map(|n| phase(plan, outcomes, n))
            .collect(),
        triggers: (0..plan.triggers.len())
            .map(|n| trigger(plan, outcomes, n))
            .collect(),
        relief: relief(plan, outcomes),
        jurisdictions: jurisdictions(plan, outcomes),
        friction: friction(outcomes),
    }
}

fn phase(plan: &Plan<'_>, outcomes: &[RunOutcome], n: usize) -> PhaseSummary {
    let runs = outcomes.len();
    let mut days: Vec<i32> = outcomes
        .iter()
        .filter_map(|o| o.phases.get(n).copied().flatten())
        .collect();
    days.sort_unstable();
    let span = crate::calendar::days_between(plan.model.start, plan.last).max(1);
    let bin_days = f64::from(span + 1) / BINS as f64;
    let mut histogram = vec![0u32; BINS];
    for d in &days {
        let bin = ((f64::from((*d).max(0)) / bin_days) as usize).min(BINS - 1);
        if let Some(b) = histogram.get_mut(bin) {
            *b += 1;
        }
    }
    let months = usize::try_from(span / 30).unwrap_or(0) + 1;
    let survival = (1..=months)
        .map(|m| {
            let by = add_days(plan.model.start, i32::try_from(m * 30).unwrap_or(i32::MAX));
            let day = crate::calendar::days_between(plan.model.start, by);
            1.0 - share(days.partition_point(|d| *d <= day), runs)
        })
        .collect();
    let p = plan.agreement.phases.get(n);
    PhaseSummary {
        id: p.map_or_else(String::new, |p| p.id.to_string()),
        title: p.map_or_else(String::new, |p| p.title.clone()),
        never: 1.0 - share(days.len(), runs),
        mean_days: (!days.is_empty())
            .then(|| days.iter().map(|d| f64::from(*d)).sum::<f64>() / days.len() as f64),
        quantiles: QUANTILES
            .iter()
            .map(|&percent| {
                let days = quantile(&days, runs, percent);
                Quantile {
                    percent,
                    days,
                    date: days.map(|d| add_days(plan.model.start, d)),
                }
            })
            .collect(),
        histogram,
        bin_days,
        survival,
    }
}

fn trigger(plan: &Plan<'_>, outcomes: &[RunOutcome], n: usize) -> TriggerSummary {
    let runs = outcomes.len();
    let fired: Vec<i32> = outcomes
        .iter()
        .filter_map(|o| o.triggers.get(n).copied().flatten())
        .collect();
    // The horizon in whole years (P10Y is ten, not eleven), at least one.
    let days = crate::calendar::days_between(plan.model.start, plan.last) + 1;
    let years = ((f64::from(days) / 365.25).round() as usize).max(1);
    let by_year = (1..=years)
        .map(|y| {
            let end = plan
                .model
                .start
                .checked_add(jiff::Span::new().years(y as i64))
                .unwrap_or(plan.last);
            let day = crate::calendar::days_between(plan.model.start, end);
            share(fired.iter().filter(|f| **f < day).count(), runs)
        })
        .collect();
    TriggerSummary {
        id: plan
            .triggers
            .get(n)
            .map_or_else(String::new, ToString::to_string),
        fired: share(fired.len(), runs),
        by_year,
    }
}

fn relief(plan: &Plan<'_>, outcomes: &[RunOutcome]) -> Vec<ReliefSummary> {
    plan.actions
        .iter()
        .enumerate()
        .map(|(n, a)| {
            let mut days: Vec<u32> = outcomes
                .iter()
                .map(|o| o.relief_days.get(n).copied().unwrap_or(0))
                .collect();
            days.sort_unstable();
            let q = |p: u32| {
                let rank = (days.len() * p as usize).div_ceil(100).max(1);
                days.get(rank - 1).copied().unwrap_or(0)
            };
            ReliefSummary {
                action: a.id.to_string(),
                phase: a.phase.to_string(),
                jurisdiction: a.jurisdiction.clone(),
                mean_days: mean(days.iter().map(|d| f64::from(*d)), outcomes.len()),
                p10: q(10),
                p50: q(50),
                p90: q(90),
            }
        })
        .collect()
}

fn mean(values: impl Iterator<Item = f64>, n: usize) -> f64 {
    if n == 0 {
        0.0
    } else {
        values.sum::<f64>() / n as f64
    }
}

fn jurisdictions(plan: &Plan<'_>, outcomes: &[RunOutcome]) -> Vec<JurisdictionSummary> {
    let mut names: Vec<&String> = plan.actions.iter().map(|a| &a.jurisdiction).collect();
    names.sort();
    names.dedup();
    names
        .into_iter()
        .map(|j| {
            let total = outcomes.iter().map(|o| {
                plan.actions
                    .iter()
                    .zip(&o.relief_days)
                    .filter(|(a, _)| &a.jurisdiction == j)
                    .map(|(_, d)| f64::from(*d))
                    .sum::<f64>()
            });
            JurisdictionSummary {
                jurisdiction: j.clone(),
                mean_days: mean(total, outcomes.len()),
            }
        })
        .collect()
}

fn friction(outcomes: &[RunOutcome]) -> Friction {
    let runs = outcomes.len();
    let periods: u64 = outcomes.iter().map(|o| u64::from(o.periods)).sum();
    let ratio = |n: u64| {
        if periods == 0 {
            0.0
        } else {
            n as f64 / periods as f64
        }
    };
    Friction {
        disputes_per_run: mean(outcomes.iter().map(|o| f64::from(o.disputes)), runs),
        dispute_days_per_run: mean(outcomes.iter().map(|o| f64::from(o.dispute_days)), runs),
        runs_with_disputes: share(outcomes.iter().filter(|o| o.disputes > 0).count(), runs),
        contested: ratio(outcomes.iter().map(|o| u64::from(o.contested)).sum()),
        unverified: ratio(outcomes.iter().map(|o| u64::from(o.unverified)).sum()),
        rejected_entries: outcomes.iter().map(|o| u64::from(o.rejected)).sum(),
    }
}
