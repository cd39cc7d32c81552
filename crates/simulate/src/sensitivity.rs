//! Sensitivity analysis: each model parameter moved down and up, the same seeds run again
//! (common random numbers, so the differences are the parameter's and not the draw's), and
//! the swing of two outputs: the mean time to the last phase (a run that never reaches it
//! counts as the horizon) and the chance that any trigger fires (snapback). Sorted by
//! swing, widest first: the tornado.

use accord_core::agreement::Agreement;

use crate::model::{IndicatorModel, Law, Model};
use crate::run::RunOutcome;

/// One parameter the analysis moves.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Parameter {
    /// An indicator's compliance probability, or its mean.
    Indicator(usize),
    /// A monitor's chance of a missed report.
    Missed(usize),
    /// A monitor's noise.
    Noise(usize),
    /// A party's habit (which one by index: dispute, invoke, consent, halt, late).
    Party(usize, Habit),
    /// The chance a dispute stage resolves the dispute.
    Resolve,
    /// The share of resolutions that overturn.
    Overturn,
}

/// A party's habit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Habit {
    Dispute,
    Invoke,
    Consent,
    Halt,
    Late,
}

/// The two outputs under one setting of a parameter.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Outputs {
    /// Mean days to the last phase (never reached counts as the horizon).
    pub days_to_last_phase: f64,
    /// The share of runs in which any trigger fired.
    pub snapback: f64,
}

/// One bar of the tornado.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Bar {
    /// The parameter, as the model file names it (`indicators.u235_enrichment.compliance`).
    pub parameter: String,
    /// Its value in the model, and the values tried.
    pub base: f64,
    /// See `base`.
    pub low: f64,
    /// See `base`.
    pub high: f64,
    /// The outputs with the low value.
    pub at_low: Outputs,
    /// The outputs with the high value.
    pub at_high: Outputs,
}

/// The analysis.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Sensitivity {
    /// Runs per setting.
    pub runs: u32,
    /// The outputs with the model as written (over the same runs).
    pub base: Outputs,
    /// The bars, widest swing in time to the last phase first.
    pub bars: Vec<Bar>,
}

/// The outputs of some runs.
pub(crate) fn outputs(outcomes: &[RunOutcome], horizon_days: i32) -> Outputs {
    let n = outcomes.len().max(1) as f64;
    let days: f64 = outcomes
        .iter()
        .map(|o| {
            f64::from(
                o.phases
                    .last()
                    .copied()
                    .flatten()
                    .unwrap_or(horizon_days)
                    .min(horizon_days),
            )
        })
        .sum();
    let fired = outcomes
        .iter()
        .filter(|o| o.triggers.iter().any(Option::is_some))
        .count();
    Outputs {
        days_to_last_phase: days / n,
        snapback: fired as f64 / n,
    }
}

/// The parameters worth moving: every indicator, and every habit the model sets.
pub(crate) fn parameters(agreement: &Agreement, model: &Model) -> Vec<Parameter> {
    let mut out: Vec<Parameter> = (0..agreement.indicators.len())
        .map(Parameter::Indicator)
        .collect();
    for (n, m) in agreement.monitors.iter().enumerate() {
        let habits = model.monitor(&m.id);
        out.push(Parameter::Missed(n));
        if habits.noise > 0.0 {
            out.push(Parameter::Noise(n));
        }
    }
    for (n, p) in agreement.parties.iter().enumerate() {
        let h = model.party(&p.id);
        let set = [
            (h.dispute, Habit::Dispute),
            (h.invoke, Habit::Invoke),
            (h.consent, Habit::Consent),
            (h.halt, Habit::Halt),
            (h.late.map_or(0.0, |l| l.probability), Habit::Late),
        ];
        out.extend(
            set.iter()
                .filter(|(v, _)| *v > 0.0)
                .map(|(_, habit)| Parameter::Party(n, *habit)),
        );
    }
    if model.disputes.resolve > 0.0 {
        out.push(Parameter::Resolve);
    }
    if model.disputes.overturn > 0.0 {
        out.push(Parameter::Overturn);
    }
    out
}

/// A parameter moved: its name, its value, and each value tried with the model it gives.
pub(crate) type Varied = (String, f64, (f64, Model), (f64, Model));

/// The parameter's name, its value, and the model with it set to `low` and `high`.
pub(crate) fn vary(agreement: &Agreement, model: &Model, p: &Parameter) -> Option<Varied> {
    let (name, base) = describe(agreement, model, p)?;
    let (low, high) = match p {
        Parameter::Indicator(n) => match model.indicator(&agreement.indicators.get(*n)?.id).law {
            Law::Values { sd, .. } => {
                let step = if sd > 0.0 {
                    sd
                } else {
                    (base.abs() * 0.05).max(1.0)
                };
                (base - step, base + step)
            }
            Law::Compliance { .. } => bounded(base),
        },
        Parameter::Noise(_) => (base * 0.5, base * 1.5),
        _ => bounded(base),
    };
    if low == high {
        return None;
    }
    Some((
        name,
        base,
        (low, set(agreement, model, p, low)),
        (high, set(agreement, model, p, high)),
    ))
}

/// A probability moved by 0.1 either way, within [0, 1].
fn bounded(p: f64) -> (f64, f64) {
    ((p - 0.1).max(0.0), (p + 0.1).min(1.0))
}

fn describe(agreement: &Agreement, model: &Model, p: &Parameter) -> Option<(String, f64)> {
    Some(match p {
        Parameter::Indicator(n) => {
            let id = &agreement.indicators.get(*n)?.id;
            match model.indicator(id).law {
                Law::Compliance { p } => (format!("indicators.{id}.compliance"), p),
                Law::Values { mean, .. } => (format!("indicators.{id}.value.mean"), mean),
            }
        }
        Parameter::Missed(n) => {
            let id = &agreement.monitors.get(*n)?.id;
            (format!("monitors.{id}.missed"), model.monitor(id).missed)
        }
        Parameter::Noise(n) => {
            let id = &agreement.monitors.get(*n)?.id;
            (format!("monitors.{id}.noise"), model.monitor(id).noise)
        }
        Parameter::Party(n, habit) => {
            let id = &agreement.parties.get(*n)?.id;
            let h = model.party(id);
            match habit {
                Habit::Dispute => (format!("parties.{id}.dispute"), h.dispute),
                Habit::Invoke => (format!("parties.{id}.invoke"), h.invoke),
                Habit::Consent => (format!("parties.{id}.consent"), h.consent),
                Habit::Halt => (format!("parties.{id}.halt"), h.halt),
                Habit::Late => (
                    format!("parties.{id}.late.probability"),
                    h.late?.probability,
                ),
            }
        }
        Parameter::Resolve => ("disputes.resolve".to_owned(), model.disputes.resolve),
        Parameter::Overturn => ("disputes.overturn".to_owned(), model.disputes.overturn),
    })
}

/// The model with the parameter set to `value`.
fn set(agreement: &Agreement, model: &Model, p: &Parameter, value: f64) -> Model {
    let mut m = model.clone();
    match p {
        Parameter::Indicator(n) => {
            if let Some(i) = agreement.indicators.get(*n) {
                let mut b: IndicatorModel = m.indicator(&i.id);
                b.law = match b.law {
                    Law::Compliance { .. } => Law::Compliance { p: value },
                    Law::Values { sd, .. } => Law::Values { mean: value, sd },
                };
                m.indicators.retain(|(x, _)| x != &i.id);
                m.indicators.push((i.id.clone(), b));
            }
        }
        Parameter::Missed(n) | Parameter::Noise(n) => {
            if let Some(mon) = agreement.monitors.get(*n) {
                let mut h = m.monitor(&mon.id);
                if matches!(p, Parameter::Missed(_)) {
                    h.missed = value;
                } else {
                    h.noise = value;
                }
                m.monitors.retain(|(x, _)| x != &mon.id);
                m.monitors.push((mon.id.clone(), h));
            }
        }
        Parameter::Party(n, habit) => {
            if let Some(party) = agreement.parties.get(*n) {
                let mut h = m.party(&party.id);
                match habit {
                    Habit::Dispute => h.dispute = value,
                    Habit::Invoke => h.invoke = value,
                    Habit::Consent => h.consent = value,
                    Habit::Halt => h.halt = value,
                    Habit::Late => {
                        if let Some(l) = h.late.as_mut() {
                            l.probability = value;
                        }
                    }
                }
                m.parties.retain(|(x, _)| x != &party.id);
                m.parties.push((party.id.clone(), h));
            }
        }
        Parameter::Resolve => m.disputes.resolve = value,
        Parameter::Overturn => m.disputes.overturn = value,
    }
    m
}
