//! An indicator's page: observed values per reporting period against the limit, one
//! series per monitor, the quorum and the tolerance band visible; each observation links
//! to its log entry and its inclusion proof; sealed evidence is shown as its commitment.
//! Each period links to the page as known when it closed and when its finding became
//! known ("what did we know on day D about period P").

use std::collections::BTreeMap;

use accord_app::reports::{monitor, reported};
use accord_core::agreement::{Agreement, Comparison, Indicator, IndicatorTarget, Tolerance};
use accord_core::engine::state::{IndicatorState, State};
use accord_core::statement::{Confidentiality, Evidence, LoggedStatement, Observation};
use maud::{Markup, html};

use crate::chart::{self, Point, Series, Values, fmt};
use crate::widgets::{badge, date_or_dash};
use crate::{Ctx, hex, layout, shift};

/// What the indicator page shows.
#[derive(Debug, Clone, Copy)]
pub struct IndicatorPage<'a> {
    /// The governing version.
    pub agreement: &'a Agreement,
    /// The state.
    pub state: &'a State,
    /// The indicator's id.
    pub indicator: &'a str,
    /// Each monitor's latest report (evidence or correction) on each period of this
    /// indicator recorded by the state's instant, in (monitor, period) order: what
    /// [`accord_app::reports::Reports::latest`] gives. The latest voice of each monitor on
    /// each period is the one the quorum counts (and keeps a page's weight bounded however
    /// long the log): earlier ones remain on the log's page.
    pub reports: &'a [&'a LoggedStatement],
    /// The commitments of the sealed entries among `reports`, by index.
    pub sealed: &'a BTreeMap<u64, [u8; 32]>,
}

/// One observation on the page.
struct Observed<'a> {
    index: u64,
    monitor: String,
    evidence: &'a Evidence,
    value: Option<f64>,
}

fn number(observation: &Observation) -> Option<f64> {
    match observation {
        Observation::Quantity(q) => Some(q.amount()),
        Observation::Count { value } => Some(*value as f64),
        Observation::Flag { value } => Some(if *value { 1.0 } else { 0.0 }),
        Observation::Date { .. } | Observation::Grade { .. } => None,
    }
}

fn observed<'a>(page: &IndicatorPage<'a>) -> Vec<Observed<'a>> {
    page.reports
        .iter()
        .filter_map(|e| {
            let evidence = reported(&e.statement)?;
            Some(Observed {
                index: e.index.0,
                monitor: monitor(e),
                evidence,
                value: number(&evidence.value),
            })
        })
        .collect()
}

/// The indicator's page; `None` when the agreement has no such indicator.
pub fn indicator(ctx: &Ctx, page: &IndicatorPage<'_>) -> Option<String> {
    let ctx = &ctx.in_zone(page.state.zone.as_deref());
    let def = page
        .agreement
        .indicators
        .iter()
        .find(|i| i.id.as_str() == page.indicator)?;
    let state = page
        .state
        .indicators
        .iter()
        .find(|i| i.id.as_str() == page.indicator)?;
    let observations = observed(page);
    let open = ctx.viewer.sealed || def.verification.confidentiality == Confidentiality::Public;
    let values = chart_values(ctx, page, def, state, &observations, open);
    let main = html! {
        p { (def.description) " — commitment " (def.commitment) ". "
            a href=(ctx.href(&format!("/agreements/{}", page.state.agreement))) { "Back to the agreement" } }
        (protocol(def))
        @if !open {
            p.notice { "The evidence on this indicator is " (format!("{:?}", def.verification.confidentiality).to_lowercase())
                ": its values are shown only to entitled roles. Sealed entries are shown by their commitment." }
        }
        (chart::indicator("indicator-chart", &format!("{} per reporting period as of {}", def.id, page.state.date), &values, "Reporting periods"))
        (periods(ctx, page, state))
        (evidence_table(ctx, page, &observations, open))
    };
    let start = state
        .periods
        .first()
        .map_or(page.state.date, |p| p.period.start());
    let span = (
        shift(start, -30),
        shift(ctx.today.max(page.state.date), 365),
    );
    Some(layout(
        ctx,
        &format!("Indicator {}", def.id),
        Some(span),
        main,
    ))
}

fn protocol(def: &Indicator) -> Markup {
    let v = &def.verification;
    html! {
        dl.facts {
            dt { "Target" } dd { (target(&def.target)) }
            dt { "Monitors" } dd { (v.monitors.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")) }
            dt { "Quorum" } dd { (v.quorum) " of " (v.monitors.len()) " monitors must agree" }
            dt { "Tolerance" } dd { (match v.tolerance {
                Tolerance::Exact => "values must be equal".to_owned(),
                Tolerance::Absolute { value } => format!("within {} of each other", fmt(value)),
                Tolerance::Relative { fraction } => format!("within {}% of the larger value", fmt(fraction * 100.0)),
            }) }
        }
    }
}

fn target(target: &IndicatorTarget) -> String {
    match target {
        IndicatorTarget::Threshold {
            comparison,
            limit,
            unit,
        } => {
            format!("{} {} {unit}", op(*comparison), fmt(*limit))
        }
        IndicatorTarget::Count { comparison, limit } => format!("{} {limit}", op(*comparison)),
        IndicatorTarget::Flag { expected } => format!("must be {expected}"),
        IndicatorTarget::Deadline { .. } => "done by its due date".to_owned(),
        IndicatorTarget::Grade { pass, .. } => format!("graded {pass} or better"),
    }
}

fn op(comparison: Comparison) -> &'static str {
    match comparison {
        Comparison::AtMost => "at most",
        Comparison::Below => "below",
        Comparison::AtLeast => "at least",
        Comparison::Above => "above",
        Comparison::Equal => "equal to",
    }
}

fn band(tolerance: Tolerance, value: f64) -> (f64, f64) {
    match tolerance {
        Tolerance::Exact => (value, value),
        Tolerance::Absolute { value: d } => (value - d, value + d),
        Tolerance::Relative { fraction } => (value * (1.0 - fraction), value * (1.0 + fraction)),
    }
}

fn chart_values(
    ctx: &Ctx,
    page: &IndicatorPage<'_>,
    def: &Indicator,
    state: &IndicatorState,
    observations: &[Observed<'_>],
    open: bool,
) -> Values {
    let periods: Vec<_> = state.periods.iter().map(|p| p.period).collect();
    let mut series: BTreeMap<String, Vec<Point>> = BTreeMap::new();
    for o in observations.iter().filter(|_| open) {
        let (Some(value), Some(period)) = (
            o.value,
            periods.iter().position(|p| p.overlaps(&o.evidence.period)),
        ) else {
            continue;
        };
        series.entry(o.monitor.clone()).or_default().push(Point {
            period,
            value,
            href: ctx.href(&format!(
                "/agreements/{}/log?entry={}",
                page.state.agreement, o.index
            )),
            label: format!(
                "{}: {} on {} (entry #{})",
                o.monitor,
                fmt(value),
                o.evidence.period,
                o.index
            ),
        });
    }
    Values {
        periods: periods.iter().map(|p| p.end()).collect(),
        quorum: state
            .periods
            .iter()
            .map(|p| {
                p.value.filter(|_| open).map(|v| {
                    let (lo, hi) = band(def.verification.tolerance, v);
                    (v, lo, hi)
                })
            })
            .collect(),
        series: series
            .into_iter()
            .map(|(name, points)| Series { name, points })
            .collect(),
        limit: match def.target {
            IndicatorTarget::Threshold { limit, .. } => Some(limit),
            IndicatorTarget::Count { limit, .. } => Some(limit as f64),
            _ => None,
        },
    }
}

fn periods(ctx: &Ctx, page: &IndicatorPage<'_>, state: &IndicatorState) -> Markup {
    let open =
        ctx.viewer.sealed
            || page.agreement.indicators.iter().any(|i| {
                i.id == state.id && i.verification.confidentiality == Confidentiality::Public
            });
    let path = format!(
        "/agreements/{}/indicators/{}",
        page.state.agreement, state.id
    );
    html! {
        table #periods {
            caption { "Reporting periods" }
            thead { tr { th scope="col" { "Period" } th scope="col" { "Status" } th scope="col" { "Quorum value" } th scope="col" { "Known on" } th scope="col" { "What we knew" } th scope="col" { "Why" } } }
            tbody { @for p in &state.periods {
                tr {
                    th scope="row" { (p.period) }
                    td { (badge(p.status.as_str())) @if p.frozen { " (frozen by a dispute)" } }
                    td { @if open { @if let Some(v) = p.value { (fmt(v)) } @else { "—" } } @else { "sealed" } }
                    td { (date_or_dash(p.known)) }
                    td {
                        a href={ (path) "?as_of=" (p.period.end()) } { "when it closed" }
                        @if let Some(k) = p.known { " · " a href={ (path) "?as_of=" (k) } { "on " (k) } }
                    }
                    td { @if let Some(r) = p.reasons.first() { (if open { r.detail.clone() } else { crate::widgets::reason(ctx, r) }) } }
                }
            } }
        }
    }
}

fn evidence_table(
    ctx: &Ctx,
    page: &IndicatorPage<'_>,
    observations: &[Observed<'_>],
    open: bool,
) -> Markup {
    let id = &page.state.agreement;
    html! {
        table #evidence {
            caption { "Each monitor's latest evidence per period, recorded by " (page.state.date) " (every entry is on the log's page)" }
            thead { tr { th scope="col" { "Entry" } th scope="col" { "Monitor" } th scope="col" { "Period" } th scope="col" { "Value" } th scope="col" { "Inclusion proof" } } }
            tbody { @for o in observations {
                tr {
                    th scope="row" { a href=(ctx.href(&format!("/agreements/{id}/log?entry={}", o.index))) { "#" (o.index) } }
                    td { (o.monitor) }
                    td { (o.evidence.period) }
                    td {
                        @match (page.sealed.get(&o.index), open) {
                            (Some(c), false) => { "sealed, commitment " code.hash { (hex(c)) } },
                            (_, false) => "restricted",
                            (_, true) => { @match o.value { Some(v) => (fmt(v)), None => (format!("{:?}", o.evidence.value)) } },
                        }
                    }
                    td { a href={ "/v1/agreements/" (id) "/log/inclusion?index=" (o.index) } { "proof of #" (o.index) } }
                }
            } }
        }
    }
}
