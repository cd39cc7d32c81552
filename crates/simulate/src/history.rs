//! One drawn history before anyone reacts: when events occur, each indicator's true value
//! period by period (with its trend, change of regime and the factor common to every
//! indicator), and what each monitor reports and when. The reactions (disputes, trigger
//! steps, decisions) depend on the engine's findings and are drawn in [`crate::run`].

use std::collections::BTreeMap;

use accord_core::agreement::{Comparison, IndicatorTarget};
use accord_core::id::EventId;
use accord_core::id::ParticipantId;
use accord_core::rule::{DateAnchor, DateRule};
use accord_core::statement::{EventOccurred, Evidence, Observation, Quantity, Statement};
use accord_core::time::{Date, Instant, Moment, Period};

use crate::calendar::{add_days, at, days_between, periods};
use crate::draw::{Draw, phi};
use crate::model::Law;
use crate::plan::{IndicatorPlan, Plan};

/// An entry waiting for its record time.
#[derive(Debug, Clone)]
pub(crate) struct Pending {
    pub at: Instant,
    pub authors: Vec<ParticipantId>,
    pub statement: Statement,
}

/// One reporting period as drawn.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Drawn {
    pub indicator: usize,
    pub period: Period,
    /// How many reporters reported it.
    pub reports: u32,
    /// Whether the engine may find anything but compliance in it: fewer reports than the
    /// quorum, a reading that breaches the target, or readings that disagree.
    pub adverse: bool,
    /// Whether a reading breaches the target (what a party disputes).
    pub breach: bool,
}

/// A drawn history: events and evidence in the order drawn (the run's queue takes them in
/// record order), and the periods drawn.
#[derive(Debug, Clone, Default)]
pub(crate) struct History {
    pub entries: Vec<Pending>,
    pub events: BTreeMap<EventId, Date>,
    pub drawn: Vec<Drawn>,
}

/// Draws the events and every report up to the plan's last day.
pub(crate) fn draw(plan: &Plan<'_>, d: &mut Draw) -> History {
    let mut h = History::default();
    for e in &plan.model.events {
        let Some(day) = e.after.after(plan.model.start) else {
            continue;
        };
        let day = add_days(day, d.days(e.spread_days) as i32);
        if day > plan.last {
            continue;
        }
        h.events.insert(e.id.clone(), day);
        h.entries.push(Pending {
            at: at(day, 9 * 3600),
            authors: vec![e.by.clone()],
            statement: Statement::EventOccurred(EventOccurred {
                event: e.id.clone(),
                on: Moment::day(day),
                note: None,
            }),
        });
    }
    let months = u32::try_from(days_between(plan.model.start, plan.last) / 28 + 2).unwrap_or(0);
    let common: Vec<f64> = (0..months).map(|_| d.normal()).collect();
    for (n, ip) in plan.indicators.iter().enumerate() {
        indicator(plan, ip, n, &common, &mut h, d);
    }
    // Left in the order drawn: the run's queue orders them by record time.
    h
}

/// The date a rule gives once the history's events are known (phase entries unknown).
pub(crate) fn resolve(
    plan: &Plan<'_>,
    events: &BTreeMap<EventId, Date>,
    rule: &DateRule,
) -> Option<Date> {
    fn anchor(
        plan: &Plan<'_>,
        events: &BTreeMap<EventId, Date>,
        a: DateAnchor<'_>,
        depth: u8,
    ) -> Option<Date> {
        let DateAnchor::Event(id) = a else {
            return None;
        };
        if let Some(d) = events.get(id) {
            return Some(*d);
        }
        let dated = plan
            .agreement
            .events
            .iter()
            .find(|e| &e.id == id)?
            .date
            .as_ref()?;
        (depth < 8).then(|| dated.resolve(&|a| anchor(plan, events, a, depth + 1)))?
    }
    rule.resolve(&|a| anchor(plan, events, a, 0))
}

fn indicator(
    plan: &Plan<'_>,
    ip: &IndicatorPlan<'_>,
    n: usize,
    common: &[f64],
    h: &mut History,
    d: &mut Draw,
) {
    let ind = ip.indicator;
    let Some(start) = resolve(plan, &h.events, &ind.starts) else {
        return;
    };
    let end = ind.ends.as_ref().and_then(|r| resolve(plan, &h.events, r));
    let mut done: Option<Date> = None;
    let rho = ip.model.correlation;
    for period in periods(start, ind.cadence, plan.last, end) {
        let since = days_between(plan.model.start, period.end());
        let month = usize::try_from(since.max(0) / 28).unwrap_or(0);
        let z0 = common.get(month).copied().unwrap_or(0.0);
        let z = rho.sqrt() * z0 + (1.0 - rho).sqrt() * d.normal();
        let value = match law_at(plan, ip, period.end()) {
            (Law::Compliance { p }, trend) => {
                truth_by_chance(ind, &period, phi(z) < p + trend, &mut done, d)
            }
            (Law::Values { mean, sd }, trend) => truth_by_value(ind, mean + trend + sd * z),
        };
        let Some(value) = value else {
            // Nothing to report (a deadline not met yet): the period goes unreported.
            h.drawn.push(Drawn {
                indicator: n,
                period,
                reports: 0,
                adverse: true,
                breach: false,
            });
            continue;
        };
        let first = h.entries.len();
        let reports = report(ip, &period, &value, h, d);
        let readings: Vec<&Observation> = h
            .entries
            .get(first..)
            .unwrap_or_default()
            .iter()
            .filter_map(|p| match &p.statement {
                Statement::Evidence(e) => Some(&e.value),
                _ => None,
            })
            .collect();
        let (adverse, breach) = judge(plan, h, ip, &readings);
        h.drawn.push(Drawn {
            indicator: n,
            period,
            reports,
            adverse,
            breach,
        });
    }
}

/// The law in force on `day`, and the trend accumulated by then.
fn law_at(plan: &Plan<'_>, ip: &IndicatorPlan<'_>, day: Date) -> (Law, f64) {
    let m = ip.model;
    let years = f64::from(days_between(plan.model.start, day)) / 365.25;
    let law = match m.change {
        Some((after, law)) if after.after(plan.model.start).is_some_and(|c| day >= c) => law,
        _ => m.law,
    };
    (law, m.trend * years)
}

/// A compliant or breaching reading of the indicator's own type.
fn truth_by_chance(
    ind: &accord_core::agreement::Indicator,
    period: &Period,
    compliant: bool,
    done: &mut Option<Date>,
    d: &mut Draw,
) -> Option<Observation> {
    Some(match &ind.target {
        IndicatorTarget::Threshold {
            comparison,
            limit,
            unit,
        } => {
            let margin = if *limit == 0.0 {
                1.0
            } else {
                limit.abs() * 0.05
            };
            let ok_side = match comparison {
                Comparison::AtMost | Comparison::Below => -margin,
                Comparison::AtLeast | Comparison::Above => margin,
                Comparison::Equal => 0.0,
            };
            let amount = if compliant {
                limit + ok_side
            } else if ok_side == 0.0 {
                limit + margin
            } else {
                limit - ok_side
            };
            Observation::Quantity(Quantity::new(amount, unit.clone()).ok()?)
        }
        IndicatorTarget::Count { comparison, limit } => {
            let (ok, bad) = match comparison {
                Comparison::AtMost | Comparison::Equal => (*limit, limit + 1),
                Comparison::Below => (limit.saturating_sub(1), *limit),
                Comparison::AtLeast => (*limit, limit.saturating_sub(1)),
                Comparison::Above => (limit + 1, *limit),
            };
            Observation::Count {
                value: if compliant { ok } else { bad },
            }
        }
        IndicatorTarget::Flag { expected } => Observation::Flag {
            value: compliant == *expected,
        },
        IndicatorTarget::Grade { scale, pass } => {
            let worst = scale.first().cloned().unwrap_or_default();
            Observation::Grade {
                value: if compliant { pass.clone() } else { worst },
            }
        }
        IndicatorTarget::Deadline { .. } => {
            // Compliance is the chance, per period, that the work is done in it; once
            // done, every later period reports the day it was done; before, nothing.
            if done.is_none() && compliant {
                let len = u32::try_from(days_between(period.start(), period.end())).unwrap_or(0);
                *done = Some(add_days(period.start(), d.days(len) as i32));
            }
            Observation::Date { value: (*done)? }
        }
    })
}

/// The reading of a drawn amount, typed like the indicator.
fn truth_by_value(ind: &accord_core::agreement::Indicator, amount: f64) -> Option<Observation> {
    match &ind.target {
        IndicatorTarget::Threshold { unit, .. } => Some(Observation::Quantity(
            Quantity::new(amount, unit.clone()).ok()?,
        )),
        IndicatorTarget::Count { .. } => Some(Observation::Count {
            value: amount.round().max(0.0) as u64,
        }),
        _ => None,
    }
}

/// Each reporter's report of one period (or none, when missed); returns how many reported.
fn report(
    ip: &IndicatorPlan<'_>,
    period: &Period,
    truth: &Observation,
    h: &mut History,
    d: &mut Draw,
) -> u32 {
    let mut reports = 0;
    for (k, (who, habits, method)) in ip.reporters.iter().enumerate() {
        if d.chance(habits.missed) {
            continue;
        }
        let delay = 1 + habits.delay_days + d.days(habits.spread_days);
        let day = add_days(period.end(), i32::try_from(delay).unwrap_or(i32::MAX));
        let value = noisy(ip, truth, habits.noise, d);
        reports += 1;
        h.entries.push(Pending {
            at: at(day, 8 * 3600 + 60 * k as i64),
            authors: vec![who.clone()],
            statement: Statement::Evidence(Evidence {
                indicator: ip.indicator.id.clone(),
                period: *period,
                value,
                method: *method,
                attachments: Vec::new(),
                confidentiality: ip.indicator.verification.confidentiality,
                note: None,
                escrow_until: None,
            }),
        });
    }
    reports
}

/// A reporter's reading: amounts off by relative noise, other readings wrong by chance.
fn noisy(ip: &IndicatorPlan<'_>, truth: &Observation, noise: f64, d: &mut Draw) -> Observation {
    if noise == 0.0 {
        return truth.clone();
    }
    match truth {
        Observation::Quantity(q) => {
            let amount = q.amount() * (1.0 + noise * d.normal());
            Quantity::new(amount, q.unit().clone())
                .map_or_else(|_| truth.clone(), Observation::Quantity)
        }
        _ if !d.chance(noise) => truth.clone(),
        Observation::Count { value } => Observation::Count { value: value + 1 },
        Observation::Flag { value } => Observation::Flag { value: !value },
        Observation::Date { value } => Observation::Date {
            value: add_days(*value, 7),
        },
        Observation::Grade { value } => match &ip.indicator.target {
            IndicatorTarget::Grade { scale, .. } => {
                let other = scale
                    .iter()
                    .find(|g| *g != value)
                    .cloned()
                    .unwrap_or_default();
                Observation::Grade { value: other }
            }
            _ => truth.clone(),
        },
    }
}

/// Whether a reading meets the indicator's target (as the engine judges it, in the
/// indicator's own unit).
fn complies(plan: &Plan<'_>, h: &History, ip: &IndicatorPlan<'_>, reading: &Observation) -> bool {
    match (&ip.indicator.target, reading) {
        (
            IndicatorTarget::Threshold {
                comparison, limit, ..
            },
            Observation::Quantity(q),
        ) => comparison.holds(q.amount(), *limit),
        (IndicatorTarget::Count { comparison, limit }, Observation::Count { value }) => {
            comparison.holds(*value as f64, *limit as f64)
        }
        (IndicatorTarget::Flag { expected }, Observation::Flag { value }) => value == expected,
        (IndicatorTarget::Grade { scale, pass }, Observation::Grade { value }) => {
            let rank = |g: &String| scale.iter().position(|x| x == g);
            rank(value) >= rank(pass)
        }
        (IndicatorTarget::Deadline { due }, Observation::Date { value }) => {
            resolve(plan, &h.events, due).is_none_or(|d| *value <= d)
        }
        _ => false,
    }
}

/// What the engine may find in a period, from its readings: `adverse` when it may find
/// anything but compliance (too few agreeing readings, a group that may contest them, a
/// reading that breaches the target), `breach` when the readings the quorum agrees on breach
/// it (their mean, for amounts, as the engine takes it).
fn judge(
    plan: &Plan<'_>,
    h: &History,
    ip: &IndicatorPlan<'_>,
    readings: &[&Observation],
) -> (bool, bool) {
    let quorum = (ip.indicator.verification.quorum as usize).max(1);
    let Some((agreeing, r)) = largest_agreeing(ip, readings) else {
        return (true, false);
    };
    let any_breach = readings.iter().any(|r| !complies(plan, h, ip, r));
    if agreeing < quorum {
        return (true, false);
    }
    let decided = match r {
        Observation::Quantity(q) => {
            let close: Vec<f64> = readings
                .iter()
                .filter_map(|o| match o {
                    Observation::Quantity(x)
                        if largest_agreeing(ip, &[r, o]).is_some_and(|(n, _)| n == 2) =>
                    {
                        Some(x.amount())
                    }
                    _ => None,
                })
                .collect();
            let mean = close.iter().sum::<f64>() / close.len().max(1) as f64;
            Quantity::new(mean, q.unit().clone()).map_or_else(|_| r.clone(), Observation::Quantity)
        }
        _ => r.clone(),
    };
    let breach = !complies(plan, h, ip, &decided);
    (
        any_breach || breach || readings.len() - agreeing >= quorum,
        breach,
    )
}

/// The reading most others agree with (within the protocol's tolerance), and how many
/// readings agree with it (itself included); none without readings.
fn largest_agreeing<'r>(
    ip: &IndicatorPlan<'_>,
    readings: &[&'r Observation],
) -> Option<(usize, &'r Observation)> {
    use accord_core::agreement::Tolerance;
    let close = |a: &Observation, b: &Observation| match (a, b) {
        (Observation::Quantity(a), Observation::Quantity(b)) => {
            let (a, b) = (a.amount(), b.amount());
            match ip.indicator.verification.tolerance {
                Tolerance::Exact => a == b,
                Tolerance::Absolute { value } => (a - b).abs() <= value,
                Tolerance::Relative { fraction } => {
                    (a - b).abs() <= fraction * a.abs().max(b.abs())
                }
            }
        }
        (Observation::Count { value: a }, Observation::Count { value: b }) => {
            match ip.indicator.verification.tolerance {
                Tolerance::Absolute { value } => (*a as f64 - *b as f64).abs() <= value,
                _ => a == b,
            }
        }
        (a, b) => a == b,
    };
    readings
        .iter()
        .map(|r| (readings.iter().filter(|o| close(r, o)).count(), *r))
        .fold(None, |best: Option<(usize, &Observation)>, c| match best {
            Some(b) if b.0 >= c.0 => Some(b),
            _ => Some(c),
        })
}
