//! A simulation's page (issue #16): the result `accord simulate … --out DIR` wrote as
//! `simulation.json` (`docs/simulation.md`), published for an agreement with `accord
//! serve --simulations`. Its charts — the date each phase is reached (one histogram per
//! phase), the share of runs that have not reached it yet (survival curves), and the
//! tornado of the sensitivity analysis — are drawn here as the other pages' charts are:
//! `role="img"`, a `<title>` and a `<desc>` naming the table that holds the same data.
//!
//! The page reads the document's JSON into its own view of it (the fields it shows;
//! others are ignored), so that a result written by an older `accord simulate` still shows.

use accord_core::time::Date;
use maud::{Markup, html};
use serde::Deserialize;

use crate::chart::fmt;
use crate::{Ctx, layout};

/// The parts of `simulation.json` the page shows.
#[derive(Debug, Clone, Deserialize)]
pub struct Simulation {
    /// The agreement simulated.
    pub agreement: String,
    /// Its latest version.
    pub version: u32,
    /// The model's title.
    pub model: Option<String>,
    /// How many histories were drawn.
    pub runs: u32,
    /// The seed.
    pub seed: u64,
    /// The horizon, as written (`P10Y`).
    pub horizon: String,
    /// Day 0 of every figure in days.
    pub start: Date,
    /// The last day simulated.
    pub last: Date,
    /// Per phase.
    pub phases: Vec<Phase>,
    /// Per trigger.
    pub triggers: Vec<Trigger>,
    /// Relief-days per action.
    pub relief: Vec<Relief>,
    /// The tornado, when the analysis was run.
    #[serde(default)]
    pub sensitivity: Option<Sensitivity>,
}

/// When one phase is reached, over the runs.
#[derive(Debug, Clone, Deserialize)]
pub struct Phase {
    /// Its id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// The share of runs never reaching it.
    pub never: f64,
    /// Mean days to reach it, over the runs that do.
    pub mean_days: Option<f64>,
    /// Quantiles of the day it is reached.
    pub quantiles: Vec<Quantile>,
    /// Runs per `bin_days`-wide slice of the horizon.
    pub histogram: Vec<u32>,
    /// The slices' width in days.
    pub bin_days: f64,
    /// The share not yet reached at the end of each 30-day month.
    pub survival: Vec<f64>,
}

/// A quantile of the day a phase is reached.
#[derive(Debug, Clone, Deserialize)]
pub struct Quantile {
    /// Which (10, 25, 50…).
    pub percent: u32,
    /// Its date, when enough runs reach the phase.
    pub date: Option<Date>,
}

/// How often a trigger fired.
#[derive(Debug, Clone, Deserialize)]
pub struct Trigger {
    /// Its id.
    pub id: String,
    /// The share of runs in which it fired.
    pub fired: f64,
    /// The share fired by the end of each year.
    pub by_year: Vec<f64>,
}

/// Relief-days of one action.
#[derive(Debug, Clone, Deserialize)]
pub struct Relief {
    /// The action.
    pub action: String,
    /// Its jurisdiction.
    pub jurisdiction: String,
    /// Mean days relieved per run.
    pub mean_days: f64,
    /// Quantiles of its relief-days.
    pub p10: u32,
    /// See `p10`.
    pub p50: u32,
    /// See `p10`.
    pub p90: u32,
}

/// The sensitivity analysis.
#[derive(Debug, Clone, Deserialize)]
pub struct Sensitivity {
    /// Runs per setting.
    pub runs: u32,
    /// The outputs with the model as written.
    pub base: Outputs,
    /// Widest swing first.
    pub bars: Vec<Bar>,
}

/// The two outputs of one setting.
#[derive(Debug, Clone, Copy, Deserialize)]
pub struct Outputs {
    /// Mean days to the last phase.
    pub days_to_last_phase: f64,
    /// The share of runs in which any trigger fired.
    pub snapback: f64,
}

/// One parameter moved down and up.
#[derive(Debug, Clone, Deserialize)]
pub struct Bar {
    /// The parameter, as the model file names it.
    pub parameter: String,
    /// Its value in the model.
    pub base: f64,
    /// The value tried below.
    pub low: f64,
    /// The value tried above.
    pub high: f64,
    /// The outputs below.
    pub at_low: Outputs,
    /// The outputs above.
    pub at_high: Outputs,
}

/// Reads `simulation.json`'s text.
pub fn parse_simulation(json: &str) -> Result<Simulation, serde_json::Error> {
    serde_json::from_str(json)
}

fn pct(share: f64) -> String {
    format!("{}%", fmt(share * 100.0))
}

/// The simulation's page for agreement `id`.
pub fn simulation(ctx: &Ctx, id: &str, sim: &Simulation) -> String {
    let main = html! {
        p { "A Monte Carlo of " (sim.runs) " histories of " a href=(ctx.href(&format!("/agreements/{id}"))) { (id) }
            " (version " (sim.version) ")"
            @if let Some(m) = &sim.model { " drawn from the model “" (m) "”" }
            ", seed " (sim.seed) ", from " (sim.start) " over " (sim.horizon) " (to " (sim.last) "). "
            "It shows what the model makes likely, not what the log records: it does not change with the page's date." }
        (phases(sim))
        (survival(sim))
        (tornado(sim))
        (triggers_and_relief(sim))
    };
    layout(ctx, &format!("Simulated pathways of {id}"), None, main)
}

fn phases(sim: &Simulation) -> Markup {
    html! {
        section aria-labelledby="sim-phases-h" {
            h2 #sim-phases-h { "When each phase is reached" }
            table #sim-phases {
                caption { "Date each phase is reached, over the runs (quantiles; a run that never reaches it counts as later than any)" }
                thead { tr { th scope="col" { "Phase" } th scope="col" { "Never reached" } th scope="col" { "Mean days" }
                    @for q in sim.phases.first().map(|p| p.quantiles.as_slice()).unwrap_or_default() { th scope="col" { (q.percent) "%" } } } }
                tbody { @for p in &sim.phases {
                    tr #{ "sim-phase-" (p.id) } {
                        th scope="row" { (p.title) }
                        td { (pct(p.never)) }
                        td { @if let Some(m) = p.mean_days { (fmt(m.round())) } @else { "—" } }
                        @for q in &p.quantiles { td { (crate::widgets::date_or_dash(q.date)) } }
                    }
                } }
            }
            @for p in &sim.phases { (histogram(p)) }
        }
    }
}

const WIDTH: f64 = 720.0;
const LEFT: f64 = 60.0;
const PLOT: f64 = WIDTH - LEFT - 20.0;

fn histogram(p: &Phase) -> Markup {
    let id = format!("hist-{}", p.id);
    let max = p.histogram.iter().copied().max().unwrap_or(0).max(1);
    let bar = PLOT / p.histogram.len().max(1) as f64;
    let table = format!(
        "Runs reaching {} per {}-day slice",
        p.title,
        fmt(p.bin_days)
    );
    html! {
        figure {
            svg.chart viewBox={ "0 0 " (WIDTH) " 150" } role="img" aria-labelledby={ (id) "-t " (id) "-d" } {
                title #{ (id) "-t" } { "Histogram: when " (p.title) " is reached" }
                desc #{ (id) "-d" } { "Runs per slice of the horizon; never reached in " (pct(p.never)) ". The same data is in the table “" (table) "”." }
                text x="4" y="20" class="axis" { (max) " runs" }
                text x=(LEFT) y="146" class="axis" { "day 0" }
                text x=(WIDTH - 20.0) y="146" text-anchor="end" class="axis" { "day " (fmt(p.bin_days * p.histogram.len() as f64)) }
                line x1=(LEFT) x2=(WIDTH - 20.0) y1="130" y2="130" class="series" {}
                @for (i, n) in p.histogram.iter().enumerate() {
                    @let h = 110.0 * f64::from(*n) / f64::from(max);
                    rect x=(LEFT + bar * i as f64) y=(130.0 - h) width=((bar - 1.0).max(1.0)) height=(h) class="reached" {}
                }
            }
            details {
                summary { "The histogram's data: " (p.title) }
                table { caption { (table) } thead { tr { th scope="col" { "Days from the start" } th scope="col" { "Runs" } } }
                    tbody { @for (i, n) in p.histogram.iter().enumerate() {
                        tr { th scope="row" { (fmt(p.bin_days * i as f64)) "–" (fmt(p.bin_days * (i + 1) as f64)) } td { (n) } }
                    } } }
            }
        }
    }
}

fn survival(sim: &Simulation) -> Markup {
    let months = sim
        .phases
        .iter()
        .map(|p| p.survival.len())
        .max()
        .unwrap_or(0);
    let x = |m: usize| LEFT + PLOT * m as f64 / months.max(1) as f64;
    let y = |share: f64| 20.0 + 180.0 * (1.0 - share);
    let table = "Share of runs that have not reached each phase, by month";
    html! {
        section aria-labelledby="survival-h" {
            h2 #survival-h { "Survival curves" }
            svg.chart viewBox={ "0 0 " (WIDTH) " " (240 + 18 * sim.phases.len()) } role="img" aria-labelledby="survival-t survival-d" {
                title #survival-t { "Survival curves: the share of runs not yet in each phase" }
                desc #survival-d { "One line per phase, each with its own dash pattern, from 100% at day 0 down. The same data is in the table “" (table) "”." }
                text x="4" y="24" class="axis" { "100%" } text x="4" y="204" class="axis" { "0%" }
                line x1=(LEFT) x2=(WIDTH - 20.0) y1="200" y2="200" class="series" {}
                text x=(WIDTH - 20.0) y="216" text-anchor="end" class="axis" { "month " (months) }
                @for (k, p) in sim.phases.iter().enumerate() {
                    @let points: Vec<String> = std::iter::once(1.0).chain(p.survival.iter().copied()).enumerate()
                        .map(|(m, s)| format!("{:.1},{:.1}", x(m), y(s))).collect();
                    polyline class={ "curve c" (k % 4) } points=(points.join(" ")) {}
                    line x1=(LEFT) x2=(LEFT + 40.0) y1=(236 + 18 * k) y2=(236 + 18 * k) class={ "curve c" (k % 4) } {}
                    text x=(LEFT + 48.0) y=(240 + 18 * k) class="label" { (p.title) }
                }
            }
            details {
                summary { "The survival curves' data" }
                table #survival-table { caption { (table) }
                    thead { tr { th scope="col" { "End of month" } @for p in &sim.phases { th scope="col" { (p.title) } } } }
                    tbody { @for m in 0..months {
                        tr { th scope="row" { (m + 1) } @for p in &sim.phases { td { @if let Some(s) = p.survival.get(m) { (pct(*s)) } @else { "—" } } } }
                    } } }
            }
        }
    }
}

fn tornado(sim: &Simulation) -> Markup {
    let Some(s) = &sim.sensitivity else {
        return html! { section aria-labelledby="tornado-h" { h2 #tornado-h { "Sensitivity" } p { "The simulation was run without the sensitivity analysis." } } };
    };
    let all = s
        .bars
        .iter()
        .flat_map(|b| [b.at_low.days_to_last_phase, b.at_high.days_to_last_phase]);
    let lo = all
        .clone()
        .chain([s.base.days_to_last_phase])
        .fold(f64::INFINITY, f64::min);
    let hi = all
        .chain([s.base.days_to_last_phase])
        .fold(f64::NEG_INFINITY, f64::max)
        .max(lo + 1.0);
    let left = 280.0;
    let x = |d: f64| left + (WIDTH - left - 20.0) * (d - lo) / (hi - lo);
    let table = "Days to the last phase and snapback, each parameter low and high";
    html! {
        section aria-labelledby="tornado-h" {
            h2 #tornado-h { "Sensitivity: which parameter moves the outcome most" }
            svg.chart viewBox={ "0 0 " (WIDTH) " " (50 + 24 * s.bars.len()) } role="img" aria-labelledby="tornado-t tornado-d" {
                title #tornado-t { "Tornado: mean days to the last phase, each parameter low and high" }
                desc #tornado-d { "One bar per parameter from its value at the low setting to the high one (the low end solid, the high end outlined), around the model as written at " (fmt(s.base.days_to_last_phase.round())) " days. The same data is in the table “" (table) "”." }
                line x1=(x(s.base.days_to_last_phase)) x2=(x(s.base.days_to_last_phase)) y1="10" y2=(30 + 24 * s.bars.len()) class="now" {}
                @for (i, b) in s.bars.iter().enumerate() {
                    @let y = 16.0 + 24.0 * i as f64;
                    @let (a, z) = (x(b.at_low.days_to_last_phase), x(b.at_high.days_to_last_phase));
                    text x="4" y=(y + 12.0) class="label" { (b.parameter) }
                    rect x=(a.min(x(s.base.days_to_last_phase))) y=(y) width=((a - x(s.base.days_to_last_phase)).abs().max(1.0)) height="16" class="reached" {}
                    rect x=(z.min(x(s.base.days_to_last_phase))) y=(y) width=((z - x(s.base.days_to_last_phase)).abs().max(1.0)) height="16" class="pending" {}
                }
                text x=(left) y=(46 + 24 * s.bars.len()) class="axis" { (fmt(lo.round())) " days" }
                text x=(WIDTH - 20.0) y=(46 + 24 * s.bars.len()) text-anchor="end" class="axis" { (fmt(hi.round())) " days" }
            }
            table #tornado-table { caption { (table) " (" (s.runs) " runs per setting)" }
                thead { tr { th scope="col" { "Parameter" } th scope="col" { "In the model" } th scope="col" { "Low" } th scope="col" { "High" }
                    th scope="col" { "Days at low" } th scope="col" { "Days at high" } th scope="col" { "Snapback at low" } th scope="col" { "Snapback at high" } } }
                tbody { @for b in &s.bars { tr {
                    th scope="row" { code { (b.parameter) } } td { (fmt(b.base)) } td { (fmt(b.low)) } td { (fmt(b.high)) }
                    td { (fmt(b.at_low.days_to_last_phase.round())) } td { (fmt(b.at_high.days_to_last_phase.round())) }
                    td { (pct(b.at_low.snapback)) } td { (pct(b.at_high.snapback)) }
                } } }
            }
        }
    }
}

fn triggers_and_relief(sim: &Simulation) -> Markup {
    let years = sim
        .triggers
        .iter()
        .map(|t| t.by_year.len())
        .max()
        .unwrap_or(0);
    html! {
        section aria-labelledby="sim-triggers-h" {
            h2 #sim-triggers-h { "Triggers and relief" }
            table #sim-triggers { caption { "Share of runs in which each trigger has fired, by the end of each year" }
                thead { tr { th scope="col" { "Trigger" } th scope="col" { "Fired" } @for y in 1..=years { th scope="col" { "Year " (y) } } } }
                tbody { @for t in &sim.triggers { tr { th scope="row" { (t.id) } td { (pct(t.fired)) }
                    @for y in 0..years { td { @if let Some(s) = t.by_year.get(y) { (pct(*s)) } @else { "—" } } } } } }
            }
            table #sim-relief { caption { "Relief-days per run of each action" }
                thead { tr { th scope="col" { "Action" } th scope="col" { "Jurisdiction" } th scope="col" { "Mean" } th scope="col" { "10%" } th scope="col" { "Median" } th scope="col" { "90%" } } }
                tbody { @for r in &sim.relief { tr { th scope="row" { (r.action) } td { (r.jurisdiction) } td { (fmt(r.mean_days.round())) }
                    td { (r.p10) } td { (r.p50) } td { (r.p90) } } } }
            }
        }
    }
}
