//! An agreement's page: the phase path as a timeline with what remains for the next
//! phase; relief per jurisdiction and measure in the practitioners' words; exemptions,
//! always on; triggers with their state and countdown; disputes with each stage's
//! deadline and the time left; decisions, with departures and their reasons; the public
//! reports published for it (issue #15) and, when one is published, a link to its
//! simulation (issue #16). Looking at "now", the page names its log's origin
//! (`data-origin`), so that the script tells of new entries in this agreement's log only.

use accord_app::dashboard::Published;
use accord_core::agreement::Agreement;
use accord_core::engine::state::{PhaseStatus, StageStatus, State};
use maud::{Markup, html};

use crate::chart::{self, PhaseBar};
use crate::widgets::{badge, date_or_dash, left, reason};
use crate::{Ctx, layout, shift, words};

/// What the agreement's page shows besides its state.
#[derive(Debug, Clone, Default)]
pub struct Around {
    /// Its log's origin (the event stream names logs by it), when it has a log.
    pub origin: Option<String>,
    /// The public reports published by the page's instant, oldest first.
    pub reports: Vec<Published>,
    /// Whether a simulation is published for it (`/agreements/{id}/simulation`).
    pub simulation: bool,
}

/// The agreement's page, from its governing version, its state and what is published
/// about it.
pub fn agreement(ctx: &Ctx, agreement: &Agreement, state: &State, around: &Around) -> String {
    let ctx = &ctx.in_zone(state.zone.as_deref());
    let reached = state
        .phases
        .iter()
        .rev()
        .find(|p| p.status == PhaseStatus::Reached);
    // Looking at "now", the script replaces each `data-live-part` with the same part of
    // the page read again when the log grows (the phase changes in place); without it the
    // page is the same, with the notice's link to read it again.
    let main = html! {
        p #summary data-origin=[around.origin.as_deref()] data-live-part { (badge(state.agreement_status.as_str())) " · version " (state.version)
            " · current phase: " span #current-phase { @match reached { Some(p) => { (p.title) " (since " (date_or_dash(p.entered)) ")" } None => "none reached" } }
            " · " span #entry-count { (state.entries) } " log entries recorded by " (state.as_of.strftime("%Y-%m-%d %H:%M UTC"))
            " · " a href=(ctx.href(&format!("/agreements/{}/log", state.agreement))) { "the evidence log" }
            @if around.simulation { " · " a href=(ctx.href(&format!("/agreements/{}/simulation", state.agreement))) { "simulated pathways" } } }
        div #part-phases data-live-part { (phases(state)) }
        div #part-measures data-live-part { (measures(ctx, state)) }
        div #part-exemptions data-live-part { (exemptions(state)) }
        div #part-triggers data-live-part { (triggers(ctx, state)) }
        div #part-disputes data-live-part { (disputes(ctx, state)) }
        div #part-decisions data-live-part { (decisions(ctx, state)) }
        div #part-indicators data-live-part { (indicators(ctx, agreement, state)) }
        div #part-reports data-live-part { (reports(state, &around.reports)) }
    };
    let start = state
        .versions
        .iter()
        .filter_map(|v| v.effective)
        .min()
        .unwrap_or(state.date);
    let span = (shift(start, -30), shift(ctx.today.max(state.date), 365));
    layout(ctx, &agreement.title, Some(span), main)
}

fn phases(state: &State) -> Markup {
    let bars: Vec<PhaseBar> = state
        .phases
        .iter()
        .map(|p| PhaseBar {
            title: p.title.clone(),
            entered: p.entered.filter(|_| p.status == PhaseStatus::Reached),
            earliest: p.remains.iter().filter_map(|r| r.earliest).max(),
        })
        .collect();
    html! {
        section aria-labelledby="phases-h" {
            h2 #phases-h { "Phases" }
            (chart::phases("phase-chart", &bars, state.date, "Phases and what remains"))
            table #phases-table {
                caption { "Phases and what remains" }
                thead { tr { th scope="col" { "Phase" } th scope="col" { "Status" } th scope="col" { "Entered" } th scope="col" { "What remains" } } }
                tbody {
                    @for p in &state.phases {
                        tr #{ "phase-" (p.id) } {
                            th scope="row" { (p.title) }
                            td { (badge(if p.status == PhaseStatus::Reached { "reached" } else { "not_reached" })) }
                            td { (date_or_dash(p.entered)) }
                            td {
                                @if p.remains.is_empty() { "—" }
                                ul.plain { @for r in &p.remains {
                                    li { code { (r.condition) } ": " (r.detail)
                                        @if let Some(e) = r.earliest { " (earliest " (e) ")" } }
                                } }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn measures(ctx: &Ctx, state: &State) -> Markup {
    html! {
        section aria-labelledby="relief-h" {
            h2 #relief-h { "Relief by jurisdiction and measure" }
            table #measures {
                caption { "Each measure as of " (state.date) }
                thead { tr { th scope="col" { "Jurisdiction" } th scope="col" { "Regime" } th scope="col" { "Measure" }
                    th scope="col" { "Status" } th scope="col" { "Since" } th scope="col" { "Until" } th scope="col" { "Relief actions" } } }
                tbody {
                    @for m in &state.measures {
                        tr {
                            td { (m.jurisdiction) } td { (m.regime) } th scope="row" { (m.measure) }
                            td { (badge(m.status.as_str())) @if m.under_review { " (under review)" } }
                            td { (date_or_dash(m.since)) } td { (date_or_dash(m.until)) }
                            td { @for a in &m.actions { a href={ "#relief-" (a) } { (a) } " " } }
                        }
                    }
                }
            }
            table #relief-actions {
                caption { "Relief actions" }
                thead { tr { th scope="col" { "Action" } th scope="col" { "Phase" } th scope="col" { "Status" } th scope="col" { "Since" } th scope="col" { "Until" } th scope="col" { "Why" } } }
                tbody {
                    @for a in &state.relief {
                        tr #{ "relief-" (a.id) } {
                            th scope="row" { (a.title) br; small { (a.id) } }
                            td { a href={ "#phase-" (a.phase) } { (a.phase) } }
                            td { (badge(a.status.as_str())) }
                            td { (date_or_dash(a.since)) }
                            td { (date_or_dash(a.until)) @if let Some(u) = a.until { @if u >= state.date { br; small { (left(state.date, u)) } } } }
                            td { @if let Some(r) = a.reasons.first() { (reason(ctx, r)) (entries(ctx, state, &r.entries)) } }
                        }
                    }
                }
            }
        }
    }
}

/// Links to the log entries a reason rests on.
fn entries(ctx: &Ctx, state: &State, indices: &[accord_core::statement::LogIndex]) -> Markup {
    html! {
        @for i in indices {
            " " a href=(ctx.href(&format!("/agreements/{}/log?entry={}", state.agreement, i.0))) { "#" (i.0) }
        }
    }
}

fn exemptions(state: &State) -> Markup {
    html! {
        section aria-labelledby="exemptions-h" {
            h2 #exemptions-h { "Humanitarian exemptions" }
            p { "Exemptions are always in force: no status, decision or trigger changes them." }
            ul { @for e in &state.exemptions {
                li { strong { (e.title) } " — always in force"
                    @if !e.activities.is_empty() { "; covers " (e.activities.join(", ")) } }
            } }
        }
    }
}

fn triggers(ctx: &Ctx, state: &State) -> Markup {
    html! {
        section aria-labelledby="triggers-h" {
            h2 #triggers-h { "Triggers" }
            table {
                caption { "Regression rules and their countdowns" }
                thead { tr { th scope="col" { "Trigger" } th scope="col" { "Status" } th scope="col" { "Invoked" } th scope="col" { "Countdown" } th scope="col" { "Why" } } }
                tbody { @for t in &state.triggers {
                    tr #{ "trigger-" (t.id) } {
                        th scope="row" { (t.id) }
                        td { (badge(t.status.as_str())) }
                        td { (date_or_dash(t.invoked)) }
                        td {
                            @if let Some(until) = t.until.filter(|_| t.status == "counting_down") { "fires on " (until) " unless halted — " (left(state.date, until)) }
                            @else if let Some(n) = t.remaining { (n) " day(s) left, paused since " (date_or_dash(t.paused_since)) }
                            @else if let Some(f) = t.fired { "fired on " (f) @if let Some(w) = t.wind_down_until { "; wind-down until " (w) } }
                            @else if let Some(e) = t.earliest { "condition could hold from " (e) }
                            @else { "—" }
                        }
                        td { @if let Some(r) = t.reasons.first() { (reason(ctx, r)) } }
                    }
                } }
            }
        }
    }
}

fn disputes(ctx: &Ctx, state: &State) -> Markup {
    html! {
        section aria-labelledby="disputes-h" {
            h2 #disputes-h { "Disputes" }
            @if state.disputes.is_empty() { p { "No dispute has been opened." } }
            @for d in &state.disputes {
                article #{ "dispute-" (d.id) } aria-labelledby={ "dispute-" (d.id) "-h" } {
                    h3 #{ "dispute-" (d.id) "-h" } { (d.id) " " (badge(d.status.as_str())) }
                    p { "Opened " (date_or_dash(d.opened)) @if !d.opened_by.is_empty() { " by " (d.opened_by.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")) }
                        "; effect on the finding: " (words(d.effect.as_str()))
                        @if let Some(o) = d.outcome { "; outcome: " (words(&format!("{o:?}").to_lowercase())) }
                        (entries(ctx, state, &d.steps)) }
                    table {
                        caption { "Stages of " (d.id) }
                        thead { tr { th scope="col" { "Stage" } th scope="col" { "Began" } th scope="col" { "Deadline" } th scope="col" { "Status" } th scope="col" { "Time left" } } }
                        tbody { @for s in &d.stages {
                            tr {
                                th scope="row" { (s.stage) @if s.parallel { " (parallel)" } }
                                td { (s.began) } td { (date_or_dash(s.deadline)) }
                                td { (badge(s.status.as_str())) }
                                td.days-left { @match (s.status, s.deadline) {
                                    (StageStatus::Running, Some(dl)) => (left(state.date, dl)),
                                    _ => "—",
                                } }
                            }
                        } }
                    }
                }
            }
        }
    }
}

fn decisions(ctx: &Ctx, state: &State) -> Markup {
    html! {
        section aria-labelledby="decisions-h" {
            h2 #decisions-h { "Decisions" }
            @if state.decisions.is_empty() { p { "No decision has been recorded." } }
            @else {
                table {
                    caption { "Authorities' decisions; a departure differs from what the evaluation entitles" }
                    thead { tr { th scope="col" { "Entry" } th scope="col" { "Act" } th scope="col" { "Effective" } th scope="col" { "Departure" } th scope="col" { "Stated reason" } } }
                    tbody { @for d in &state.decisions {
                        tr {
                            th scope="row" { a href=(ctx.href(&format!("/agreements/{}/log?entry={}", state.agreement, d.entry.0))) { "#" (d.entry.0) } }
                            td { (words(&format!("{:?}", d.act).to_lowercase())) }
                            td { (d.effective) }
                            td { @if d.departure { strong { "departure" } } @else { "follows the evaluation" }
                                @if d.set_aside { " (set aside)" } }
                            td { (d.stated_reason) }
                        }
                    } }
                }
            }
        }
    }
}

fn indicators(ctx: &Ctx, agreement: &Agreement, state: &State) -> Markup {
    html! {
        section aria-labelledby="indicators-h" {
            h2 #indicators-h { "Indicators" }
            table {
                caption { "Latest reporting period of each indicator" }
                thead { tr { th scope="col" { "Indicator" } th scope="col" { "Commitment" } th scope="col" { "Latest period" } th scope="col" { "Status" } } }
                tbody { @for i in &state.indicators {
                    @let latest = i.periods.last();
                    tr #{ "indicator-" (i.id) } {
                        th scope="row" { a href=(ctx.href(&format!("/agreements/{}/indicators/{}", state.agreement, i.id))) { (i.id) }
                            @if let Some(d) = agreement.indicators.iter().find(|x| x.id == i.id) { br; small { (d.description) } } }
                        td { (i.commitment) }
                        td { @if let Some(p) = latest { (p.period) } @else { "—" } }
                        td { @if let Some(p) = latest { (badge(p.status.as_str())) } @else { "—" } }
                    }
                } }
            }
        }
    }
}

/// The address of a published report's file.
pub(crate) fn report_href(agreement: &str, report: &Published, file: &str) -> String {
    format!("/v1/agreements/{agreement}/reports/{}/{file}", report.as_of)
}

fn reports(state: &State, published: &[Published]) -> Markup {
    let id = state.agreement.as_str();
    html! {
        section #reports aria-labelledby="reports-h" {
            h2 #reports-h { "Public reports" }
            p { "Each report rests on a signed checkpoint of the log and reads open entries only. Its files (the bundle) are at stable addresses: download them and run "
                code { "accord verify DIR" } " to check the report with no store and no network." }
            @if published.is_empty() {
                p { "No report is published yet: none until a signed checkpoint covers the log." }
            } @else {
                table #reports-table {
                    caption { "Reports published by " (state.date) ", one per signed checkpoint" }
                    thead { tr { th scope="col" { "As of" } th scope="col" { "Checkpoint size" } th scope="col" { "Files" } } }
                    tbody { @for r in published.iter().rev() {
                        tr {
                            th scope="row" { a href=(report_href(id, r, "index.html")) { "Report as of " (r.as_of.strftime("%Y-%m-%d %H:%M:%S UTC")) } }
                            td { (r.size) " entries" }
                            td { a href=(report_href(id, r, "report.json")) { "report.json" } " · "
                                a href=(report_href(id, r, "manifest.json")) { "manifest.json" } " · "
                                a href=(report_href(id, r, "checkpoint.txt")) { "checkpoint.txt" } }
                        }
                    } }
                }
            }
        }
    }
}
