//! Hand-written SVG charts. Each is `role="img"` with a `<title>` and a `<desc>` naming
//! the table that carries the same data, so that a screen reader (or anyone who
//! prefers numbers) loses nothing.

use accord_core::time::Date;
use maud::{Markup, html};

use crate::days;

const WIDTH: f64 = 720.0;
const LEFT: f64 = 180.0;
const RIGHT: f64 = 20.0;

/// One phase on the timeline.
#[derive(Debug, Clone)]
pub(crate) struct PhaseBar {
    pub title: String,
    /// The day it was entered (reached phases).
    pub entered: Option<Date>,
    /// The earliest day it could be entered (phases not reached, when known).
    pub earliest: Option<Date>,
}

/// x of a date on a scale from `start` to `end`.
fn x_of(start: Date, end: Date, date: Date) -> f64 {
    let total = days(start, end).max(1) as f64;
    let at = days(start, date).clamp(0, days(start, end).max(1)) as f64;
    LEFT + (WIDTH - LEFT - RIGHT) * at / total
}

/// The phase path as a timeline: a bar from each reached phase's entry to the
/// evaluation date, a hollow mark at each other phase's earliest date, a line at the
/// evaluation date. `table` is the id of the table with the same data.
pub(crate) fn phases(id: &str, phases: &[PhaseBar], date: Date, table: &str) -> Markup {
    let dates = phases
        .iter()
        .flat_map(|p| [p.entered, p.earliest])
        .flatten();
    let start = dates.clone().chain([date]).min().unwrap_or(date);
    let end = dates.chain([date]).max().unwrap_or(date);
    let (start, end) = (crate::shift(start, -15), crate::shift(end, 15));
    let height = 40.0 + 44.0 * phases.len() as f64;
    let now = x_of(start, end, date);
    // A date's words beside its mark, turned to the left near the right edge.
    let note = |x: f64, y: f64, words: String| {
        let (x, anchor) = if x > WIDTH - 170.0 {
            (x - 10.0, "end")
        } else {
            (x + 10.0, "start")
        };
        html! { text x=(x) y=(y) text-anchor=(anchor) class="axis" { (words) } }
    };
    html! {
        svg.chart viewBox={ "0 0 " (WIDTH) " " (height) } role="img"
            aria-labelledby={ (id) "-t " (id) "-d" } {
            title #{ (id) "-t" } { "Phase timeline as of " (date) }
            desc #{ (id) "-d" } { "The same data is in the table “" (table) "” below." }
            line x1=(now) x2=(now) y1="10" y2=(height - 20.0) class="now" {}
            text x=(now) y=(height - 5.0) text-anchor="middle" class="axis" { "as of " (date) }
            text x=(LEFT) y=(height - 5.0) text-anchor="end" class="axis" { (start) }
            @for (i, p) in phases.iter().enumerate() {
                @let y = 14.0 + 44.0 * i as f64;
                text x="4" y=(y + 10.0) class="label" { (p.title) }
                @if let Some(entered) = p.entered {
                    @let x = x_of(start, end, entered);
                    rect x=(x) y=(y + 16.0) width=((now - x).max(3.0)) height="18" class="reached" {}
                    (note(x.max(now), y + 29.0, format!("entered {entered}")))
                } @else if let Some(earliest) = p.earliest {
                    @let x = x_of(start, end, earliest);
                    rect x=(x - 6.0) y=(y + 19.0) width="12" height="12" class="pending" {}
                    (note(x, y + 29.0, format!("earliest {earliest}")))
                } @else {
                    (note(now, y + 29.0, "not reached; no date known".to_owned()))
                }
            }
        }
    }
}

/// One point of an indicator chart: a value on a period, linking to its evidence.
#[derive(Debug, Clone)]
pub(crate) struct Point {
    /// The period's position (0-based, in period order).
    pub period: usize,
    pub value: f64,
    /// Where the point links (the entry on the log page).
    pub href: String,
    /// Its accessible label.
    pub label: String,
}

/// A series: one monitor's observations.
#[derive(Debug, Clone)]
pub(crate) struct Series {
    pub name: String,
    pub points: Vec<Point>,
}

/// What an indicator chart draws.
#[derive(Debug, Clone)]
pub(crate) struct Values {
    /// The periods' labels (their end dates).
    pub periods: Vec<Date>,
    /// The quorum's value per period, with the band of agreement (low, high) around it.
    pub quorum: Vec<Option<(f64, f64, f64)>>,
    pub series: Vec<Series>,
    /// The limit, if the target has one.
    pub limit: Option<f64>,
}

const SHAPES: [&str; 4] = ["circle", "square", "diamond", "triangle"];

/// The observed values per period: one series per monitor (each its own shape, so
/// colour is never the only cue), the quorum's value with the tolerance band, the limit
/// as a dashed line. Every observation is a link to its entry.
pub(crate) fn indicator(id: &str, title: &str, v: &Values, table: &str) -> Markup {
    let height = 260.0;
    let all = v
        .series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.value));
    let bands = v.quorum.iter().flatten().flat_map(|(_, lo, hi)| [*lo, *hi]);
    let values: Vec<f64> = all.chain(bands).chain(v.limit).collect();
    let lo = values
        .iter()
        .copied()
        .fold(f64::INFINITY, f64::min)
        .min(0.0);
    let hi = values
        .iter()
        .copied()
        .fold(f64::NEG_INFINITY, f64::max)
        .max(lo + 1.0)
        * 1.1;
    let y = |value: f64| 20.0 + (height - 60.0) * (1.0 - (value - lo) / (hi - lo));
    let n = v.periods.len().max(1) as f64;
    let x = |i: usize| LEFT + (WIDTH - LEFT - RIGHT) * (i as f64 + 0.5) / n;
    let drawing = html! {
        svg.chart viewBox={ "0 0 " (WIDTH) " " (height) } role="img"
            aria-labelledby={ (id) "-t " (id) "-d" } {
            title #{ (id) "-t" } { (title) }
            desc #{ (id) "-d" } { "Observed values per reporting period, one series per monitor, with the quorum's value, the band within tolerance and the limit. The same data is in the table “" (table) "” below." }
            text x="4" y="16" class="axis" { (fmt(hi)) }
            text x="4" y=(height - 40.0) class="axis" { (fmt(lo)) }
            @if let Some(limit) = v.limit {
                line x1=(LEFT) x2=(WIDTH - RIGHT) y1=(y(limit)) y2=(y(limit)) class="limit" {}
                text x="4" y=(y(limit) + 4.0) class="label" { "limit " (fmt(limit)) }
            }
            @for (i, q) in v.quorum.iter().enumerate() {
                @if let Some((value, band_lo, band_hi)) = q {
                    rect x=(x(i) - 14.0) y=(y(*band_hi)) width="28" height=((y(*band_lo) - y(*band_hi)).max(1.0)) class="band" {}
                    line x1=(x(i) - 14.0) x2=(x(i) + 14.0) y1=(y(*value)) y2=(y(*value)) class="quorum" {}
                }
                text x=(x(i)) y=(height - 22.0) text-anchor="middle" class="axis" { (v.periods.get(i).map(|d| d.to_string()).unwrap_or_default()) }
            }
            @for (k, s) in v.series.iter().enumerate() {
                @for p in &s.points { (shape(k, x(p.period) + (k as f64 - 1.0) * 12.0, y(p.value))) }
            }
            @for (k, s) in v.series.iter().enumerate() {
                @let lx = LEFT + 150.0 * k as f64;
                (shape(k, lx, height - 8.0))
                text x=(lx + 8.0) y=(height - 4.0) class="label" { (s.name) }
            }
        }
    };
    // The links to the entries lie over the drawing in an SVG of their own: an image's
    // content is presentational (`role="img"` may hold nothing interactive), so the
    // points a person can follow are a group of links drawn at the same places.
    html! {
        div.chart-wrap {
            (drawing)
            @if v.series.iter().any(|s| !s.points.is_empty()) {
                svg.overlay viewBox={ "0 0 " (WIDTH) " " (height) } role="group" aria-label={ "Observations of " (title) ", each a link to its log entry" } {
                    @for (k, s) in v.series.iter().enumerate() {
                        @for p in &s.points {
                            a href=(p.href) aria-label=(p.label) { (shape(k, x(p.period) + (k as f64 - 1.0) * 12.0, y(p.value))) }
                        }
                    }
                }
            }
        }
    }
}

fn shape(k: usize, x: f64, y: f64) -> Markup {
    let class = format!("series s{}", k % SHAPES.len());
    html! {
        @match SHAPES.get(k % SHAPES.len()).copied().unwrap_or("circle") {
            "square" => rect class=(class) x=(x - 5.0) y=(y - 5.0) width="10" height="10" {},
            "diamond" => polygon class=(class) points={ (x) "," (y - 6.0) " " (x + 6.0) "," (y) " " (x) "," (y + 6.0) " " (x - 6.0) "," (y) } {},
            "triangle" => polygon class=(class) points={ (x) "," (y - 6.0) " " (x + 6.0) "," (y + 5.0) " " (x - 6.0) "," (y + 5.0) } {},
            _ => circle class=(class) cx=(x) cy=(y) r="5" {},
        }
    }
}

/// A number as a person reads it: no trailing zeros, at most three decimals.
pub(crate) fn fmt(value: f64) -> String {
    let text = format!("{value:.3}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}
