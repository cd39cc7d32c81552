//! Proportionality (issue #16, point 4): the relief weights and verification weights the
//! agreement declares, set against how often each relief was earned on thin verification
//! in the simulated histories — a phase reached when, in the review before, a period it
//! rests on was verified by exactly the quorum while more monitors could have reported.

use accord_core::statement::Method;

use crate::plan::Plan;
use crate::run::RunOutcome;

/// One relief action weighed against the verification it rested on.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Weighed {
    /// The action.
    pub action: String,
    /// Its phase.
    pub phase: String,
    /// The weight of the relief, as declared.
    pub relief_weight: f64,
    /// The verification the phase rests on: the weakest of its indicators (the sum of the
    /// declared weights of the methods each accepts); none when its entry needs no
    /// compliance.
    pub verification_weight: Option<f64>,
    /// The share of runs in which the phase was reached.
    pub reached: f64,
    /// Of the runs that reached it, the share that reached it on thin verification.
    pub thin: f64,
}

/// The weighing of every action.
pub(crate) fn weigh(plan: &Plan<'_>, outcomes: &[RunOutcome]) -> Vec<Weighed> {
    let weights = &plan.agreement.proportionality.methods;
    let weight_of = |m: &Method| {
        weights
            .iter()
            .find(|(x, _)| x == m)
            .map_or(0.0, |(_, w)| *w)
    };
    let indicator_weight = |n: usize| {
        plan.indicators.get(n).map_or(0.0, |ip| {
            let v = &ip.indicator.verification;
            v.methods
                .iter()
                .filter(|m| {
                    **m != Method::SelfReport
                        || v.self_report != accord_core::agreement::SelfReport::NotAccepted
                })
                .map(weight_of)
                .sum::<f64>()
        })
    };
    plan.actions
        .iter()
        .map(|a| {
            let n = plan
                .phases
                .iter()
                .position(|p| *p == a.phase)
                .unwrap_or(usize::MAX);
            let rests_on = plan.phase_indicators.get(n).map_or(&[][..], Vec::as_slice);
            let verification_weight = rests_on
                .iter()
                .map(|i| indicator_weight(*i))
                .reduce(f64::min);
            let reached = outcomes
                .iter()
                .filter(|o| o.phases.get(n).copied().flatten().is_some())
                .count();
            let thin = outcomes
                .iter()
                .filter(|o| o.thin.get(n).copied().unwrap_or(false))
                .count();
            Weighed {
                action: a.id.to_string(),
                phase: a.phase.to_string(),
                relief_weight: a.weight,
                verification_weight,
                reached: ratio(reached, outcomes.len()),
                thin: ratio(thin, reached),
            }
        })
        .collect()
}

fn ratio(n: usize, of: usize) -> f64 {
    if of == 0 { 0.0 } else { n as f64 / of as f64 }
}
