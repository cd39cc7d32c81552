//! Monte Carlo of relief pathways (issue #16): a behaviour model drawn into many histories,
//! each evaluated by the real engine, incrementally, and the distributions of what follows.
//!
//! - [`model`] — the behaviour model and its TOML file, read with `file:line:column`
//!   diagnostics against the agreement it models.
//! - [`simulate`] — runs the histories in parallel (rayon) and summarises them:
//!   [`Simulation`], with its [`summary::Distributions`], [`proportionality`] and
//!   [`sensitivity`] (the tornado).
//!
//! Pure: no I/O, no clock. Randomness is a ChaCha8 generator seeded per run from the
//! simulation's seed and the run's number.
//!
//! INVARIANT: a simulation is a function of (agreement versions, model, settings): run `r`
//! draws from its own stream whichever thread runs it, and runs are aggregated in run
//! order, so the result is the same to the last bit on one thread or many.
//!
//! INVARIANT: the engine is never replayed within a run: each entry is appended once to
//! an incremental `Evaluator` and the state is derived once per review
//! ([`Evaluation::FullReplay`] exists only as the benchmark's baseline, and
//! [`Evaluation::IncrementalEveryReview`] to check the engine against it at the same looks).

pub mod model;
pub mod proportionality;
pub mod sensitivity;
pub mod summary;

mod calendar;
mod draw;
mod history;
mod plan;
mod react;
mod run;

use accord_core::agreement::Agreement;
use accord_core::time::{CalendarDuration, Date};
use rayon::prelude::*;

pub use model::Model;
pub use run::{Evaluation, RunOutcome};

use crate::plan::Plan;

/// How a simulation runs.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Settings {
    /// Histories drawn.
    pub runs: u32,
    /// The seed every run's stream is derived from.
    pub seed: u64,
    /// How far from the model's start histories run.
    pub horizon: CalendarDuration,
    /// Runs per setting of the sensitivity analysis (0: none).
    pub sensitivity_runs: u32,
    /// How each run's log is evaluated.
    pub evaluation: Evaluation,
}

/// Why a simulation cannot run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SimulateError {
    /// No version of the agreement was given.
    #[error("no agreement version to simulate")]
    NoVersions,
    /// The engine refuses the versions.
    #[error(transparent)]
    Engine(#[from] accord_core::engine::EvalError),
    /// Zero runs asked for.
    #[error("a simulation needs at least one run")]
    NoRuns,
    /// The horizon is zero or runs off the calendar.
    #[error("the horizon `{0}` must be at least a day and end on the calendar")]
    Horizon(String),
}

/// Progress of a simulation, for a progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tick {
    /// Sent first: how many runs there are in all (sensitivity included).
    Total(u64),
    /// One more run done.
    Done,
}

/// What a simulation came to: its inputs and every distribution.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Simulation {
    /// The agreement simulated.
    pub agreement: String,
    /// Its latest version.
    pub version: u32,
    /// The model's title.
    pub model: Option<String>,
    /// The settings.
    pub runs: u32,
    /// See [`Settings::seed`].
    pub seed: u64,
    /// The horizon, as written.
    pub horizon: String,
    /// The model's start: the day 0 of every figure in days.
    pub start: Date,
    /// The last day simulated.
    pub last: Date,
    /// The distributions.
    #[serde(flatten)]
    pub distributions: summary::Distributions,
    /// Declared weights against thin verification in the histories.
    pub proportionality: Vec<proportionality::Weighed>,
    /// The tornado.
    pub sensitivity: Option<sensitivity::Sensitivity>,
    /// States derived per run, on average (the engine's work).
    pub states_per_run: f64,
}

/// Draws `settings.runs` histories from `model`, evaluates each and summarises them.
pub fn simulate(
    versions: &[Agreement],
    model: &Model,
    settings: &Settings,
    progress: &(dyn Fn(Tick) + Sync),
) -> Result<Simulation, SimulateError> {
    let agreement = versions
        .iter()
        .max_by_key(|v| v.version)
        .ok_or(SimulateError::NoVersions)?;
    accord_core::engine::Evaluator::new(versions)?;
    if settings.runs == 0 {
        return Err(SimulateError::NoRuns);
    }
    let last = last_day(model, settings)?;
    let params = sensitivity::parameters(agreement, model);
    let sens_runs = settings.sensitivity_runs.min(settings.runs);
    let total = u64::from(settings.runs) + u64::from(sens_runs) * (1 + 2 * params.len() as u64);
    progress(Tick::Total(total));
    let plan = Plan::new(versions, agreement, model, last);
    let outcomes = runs(&plan, settings, settings.runs, progress);
    let sensitivity = (sens_runs > 0).then(|| {
        tornado(
            versions, agreement, model, settings, last, sens_runs, &params, progress,
        )
    });
    let states: u64 = outcomes.iter().map(|o| u64::from(o.states)).sum();
    Ok(Simulation {
        agreement: agreement.id.to_string(),
        version: agreement.version,
        model: model.title.clone(),
        runs: settings.runs,
        seed: settings.seed,
        horizon: settings.horizon.to_string(),
        start: model.start,
        last,
        distributions: summary::summarise(&plan, &outcomes),
        proportionality: proportionality::weigh(&plan, &outcomes),
        sensitivity,
        states_per_run: states as f64 / outcomes.len().max(1) as f64,
    })
}

/// One run, and the engine's state on its last day: to see why a run came to what it did
/// (and for tests).
pub fn one_run(
    versions: &[Agreement],
    model: &Model,
    settings: &Settings,
    run: u64,
) -> Result<(RunOutcome, Option<accord_core::engine::State>), SimulateError> {
    let agreement = versions
        .iter()
        .max_by_key(|v| v.version)
        .ok_or(SimulateError::NoVersions)?;
    let last = last_day(model, settings)?;
    let plan = Plan::new(versions, agreement, model, last);
    Ok(run::run_to_state(
        &plan,
        settings.seed,
        run,
        settings.evaluation,
        true,
    ))
}

/// The last day a simulation covers.
fn last_day(model: &Model, settings: &Settings) -> Result<Date, SimulateError> {
    settings
        .horizon
        .after(model.start)
        .filter(|_| !settings.horizon.is_zero())
        .map(|end| calendar::add_days(end, -1))
        .ok_or_else(|| SimulateError::Horizon(settings.horizon.to_string()))
}

/// Runs `0..n` of a plan, in parallel, in run order.
fn runs(
    plan: &Plan<'_>,
    settings: &Settings,
    n: u32,
    progress: &(dyn Fn(Tick) + Sync),
) -> Vec<RunOutcome> {
    (0..u64::from(n))
        .into_par_iter()
        .map(|r| {
            let o = run::run(plan, settings.seed, r, settings.evaluation);
            progress(Tick::Done);
            o
        })
        .collect()
}

#[allow(clippy::too_many_arguments)]
fn tornado(
    versions: &[Agreement],
    agreement: &Agreement,
    model: &Model,
    settings: &Settings,
    last: Date,
    n: u32,
    params: &[sensitivity::Parameter],
    progress: &(dyn Fn(Tick) + Sync),
) -> sensitivity::Sensitivity {
    let horizon_days = calendar::days_between(model.start, last);
    let outputs_of = |m: &Model| {
        let plan = Plan::new(versions, agreement, m, last);
        sensitivity::outputs(&runs(&plan, settings, n, progress), horizon_days)
    };
    let base = outputs_of(model);
    let mut bars: Vec<sensitivity::Bar> = params
        .iter()
        .filter_map(|p| {
            let Some((parameter, value, (low, at_low), (high, at_high))) =
                sensitivity::vary(agreement, model, p)
            else {
                // Nothing to move: count its runs as done all the same.
                for _ in 0..2 * n {
                    progress(Tick::Done);
                }
                return None;
            };
            Some(sensitivity::Bar {
                parameter,
                base: value,
                low,
                high,
                at_low: outputs_of(&at_low),
                at_high: outputs_of(&at_high),
            })
        })
        .collect();
    let swing =
        |b: &sensitivity::Bar| (b.at_high.days_to_last_phase - b.at_low.days_to_last_phase).abs();
    bars.sort_by(|a, b| {
        swing(b)
            .total_cmp(&swing(a))
            .then_with(|| a.parameter.cmp(&b.parameter))
    });
    sensitivity::Sensitivity {
        runs: n,
        base,
        bars,
    }
}
