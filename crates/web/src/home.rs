//! The home page: every agreement with its current phase, and what needs attention now —
//! overdue reports, open disputes with their days left, countdowns running, relief
//! expiring within 30 days — and each agreement's latest public report (issue #15).

use accord_app::dashboard::Overview;
use accord_core::engine::state::{PhaseStatus, ReliefStatus, StageStatus, State};
use accord_core::time::Date;
use maud::{Markup, html};

use crate::widgets::{badge, left};
use crate::{Ctx, layout, shift};

/// Something that needs attention, in one agreement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attention {
    /// The agreement.
    pub agreement: String,
    /// What kind (`overdue report`, `dispute`, `countdown`, `relief expiring`).
    pub kind: &'static str,
    /// What, in words.
    pub what: String,
    /// The date that matters (a deadline, a fire date, an expiry), if any.
    pub due: Option<Date>,
    /// The anchor on the agreement's page.
    pub anchor: String,
}

/// What needs attention in a state, as of its date, soonest first.
pub fn attention(state: &State) -> Vec<Attention> {
    let agreement = state.agreement.to_string();
    let item = |kind, what: String, due, anchor: String| Attention {
        agreement: agreement.clone(),
        kind,
        what,
        due,
        anchor,
    };
    let mut items = Vec::new();
    for indicator in &state.indicators {
        for period in indicator
            .periods
            .iter()
            .filter(|p| p.status.as_str() == "overdue")
        {
            items.push(item(
                "overdue report",
                format!("no report on {} for {}", indicator.id, period.period),
                Some(period.period.end()),
                format!("indicator-{}", indicator.id),
            ));
        }
    }
    for dispute in state.disputes.iter().filter(|d| d.status == "open") {
        for stage in &dispute.stages {
            if stage.status == StageStatus::Running {
                items.push(item(
                    "dispute",
                    format!("{} at stage {}", dispute.id, stage.stage),
                    stage.deadline,
                    format!("dispute-{}", dispute.id),
                ));
            }
        }
    }
    for trigger in &state.triggers {
        if trigger.status == "counting_down" {
            items.push(item(
                "countdown",
                format!("{} fires unless halted", trigger.id),
                trigger.until,
                format!("trigger-{}", trigger.id),
            ));
        } else if trigger.status == "paused" {
            let what = format!(
                "{} paused with {} day(s) of its countdown left",
                trigger.id,
                trigger.remaining.unwrap_or(0)
            );
            items.push(item(
                "countdown",
                what,
                None,
                format!("trigger-{}", trigger.id),
            ));
        }
    }
    let horizon = shift(state.date, 30);
    for action in &state.relief {
        let expiring = action.until.filter(|u| *u >= state.date && *u <= horizon);
        if let (ReliefStatus::Granted, Some(until)) = (action.status, expiring) {
            items.push(item(
                "relief expiring",
                format!("{} ({})", action.title, action.id),
                Some(until),
                format!("relief-{}", action.id),
            ));
        }
    }
    items.sort_by_key(|a| a.due.unwrap_or(Date::MAX));
    items
}

/// The home page.
pub fn home(ctx: &Ctx, agreements: &[Overview]) -> String {
    let items: Vec<Attention> = agreements
        .iter()
        .flat_map(|a| attention(&a.state))
        .collect();
    let main = html! {
        section aria-labelledby="agreements-h" {
            h2 #agreements-h { "Agreements" }
            table {
                caption { "Every registered agreement as of " (ctx.date) }
                thead { tr { th scope="col" { "Agreement" } th scope="col" { "Status" }
                    th scope="col" { "Current phase" } th scope="col" { "Next phase" }
                    th scope="col" { "Latest public report" } } }
                tbody {
                    @for a in agreements { (row(ctx, a)) }
                }
            }
        }
        section aria-labelledby="attention-h" {
            h2 #attention-h { "Needs attention now" }
            @if items.is_empty() {
                p { "Nothing is overdue, disputed, counting down or expiring within 30 days." }
            } @else {
                (attention_table(ctx, &items))
            }
        }
    };
    layout(ctx, "Agreements", Some(span(agreements, ctx)), main)
}

fn row(ctx: &Ctx, a: &Overview) -> Markup {
    let reached = a
        .state
        .phases
        .iter()
        .rev()
        .find(|p| p.status == PhaseStatus::Reached);
    let next = a
        .state
        .phases
        .iter()
        .find(|p| p.status == PhaseStatus::NotReached);
    html! {
        tr {
            th scope="row" { a href=(ctx.href(&format!("/agreements/{}", a.id))) { (a.title) } br; small { (a.id) } }
            td { (badge(a.state.agreement_status.as_str())) }
            td { @match reached { Some(p) => { (p.title) " (since " (crate::widgets::date_or_dash(p.entered)) ")" } None => "none reached" } }
            td { @match next { Some(p) => { (p.title) @if let Some(e) = p.remains.iter().filter_map(|r| r.earliest).max() { " — earliest " (e) } } None => "—" } }
            td.report { @match a.reports.last() {
                Some(r) => {
                    a href=(crate::agreement::report_href(&a.id, r, "index.html")) { "as of " (r.as_of.strftime("%Y-%m-%d %H:%M UTC")) }
                    br; small { (r.size) " entries · " a href={ (ctx.href(&format!("/agreements/{}", a.id))) "#reports" } { "all reports of " (a.id) } }
                }
                None => "none yet",
            } }
        }
    }
}

fn attention_table(ctx: &Ctx, items: &[Attention]) -> Markup {
    html! {
        table {
            caption { "Soonest first" }
            thead { tr { th scope="col" { "Agreement" } th scope="col" { "What" }
                th scope="col" { "Kind" } th scope="col" { "Date" } th scope="col" { "Time left" } } }
            tbody {
                @for i in items {
                    tr {
                        td { (i.agreement) }
                        td { a href={ (ctx.href(&format!("/agreements/{}", i.agreement))) "#" (i.anchor) } { (i.what) } }
                        td { (i.kind) }
                        td { (crate::widgets::date_or_dash(i.due)) }
                        td { @if let Some(d) = i.due { (left(ctx.date, d)) } @else { "—" } }
                    }
                }
            }
        }
    }
}

/// The time control's span: from the earliest effective date of any agreement (or a
/// year back) to a year after the evaluation date.
fn span(agreements: &[Overview], ctx: &Ctx) -> (Date, Date) {
    let start = agreements
        .iter()
        .flat_map(|a| a.state.versions.iter().filter_map(|v| v.effective))
        .min()
        .map_or(shift(ctx.date, -365), |d| shift(d, -30));
    let end = shift(ctx.today.max(ctx.date), 365);
    (start.min(ctx.date), end.max(shift(start, 1)).max(ctx.date))
}
