//! Pieces every page shares: who is looking (log in, log out), the time control, status
//! badges and "days left".

use accord_core::time::Date;
use maud::{Markup, html};

use crate::{Ctx, days, shift, words};

/// The viewer's role and a log-out button, or a link to log in.
pub(crate) fn who(ctx: &Ctx) -> Markup {
    html! {
        @match &ctx.viewer.role {
            Some(role) => {
                form.inline method="post" action="/logout" {
                    span { "Signed in as " strong { (role) } " " }
                    button type="submit" { "Log out" }
                }
            }
            None => {
                span { "Public view · " }
                a href="/login" { "Log in with a token" }
            }
        }
    }
}

/// The time control: a date field that works without JavaScript, steps of a day and of
/// thirty, "today", and a slider over `span` that the script wires to the form.
pub(crate) fn time_control(ctx: &Ctx, (start, end): (Date, Date)) -> Markup {
    let step = |n: i64| format!("{}?as_of={}", ctx.path, shift(ctx.date, n));
    let max = days(start, end).max(0);
    let at = days(start, ctx.date).clamp(0, max);
    html! {
        form.time-control method="get" action=(ctx.path) aria-label="Time travel" {
            p.as-of {
                @if ctx.as_of.is_some() {
                    "As known at the end of " strong #as-of-date { (ctx.date) } " (" (day_of(ctx)) "). "
                    a href=(ctx.path) { "Back to today" }
                } @else {
                    "As known now, " strong #as-of-date { (ctx.date) } " (today, UTC)."
                }
            }
            p.days #days-note { (days_note(ctx)) }
            label for="as_of" { "Show as known on" }
            input #as_of type="date" name="as_of" value=(ctx.date) required;
            button type="submit" { "Show" }
            span.steps {
                a href=(step(-30)) { "30 days earlier" }
                a href=(step(-1)) { "1 day earlier" }
                a href=(step(1)) { "1 day later" }
                a href=(step(30)) { "30 days later" }
            }
            div.slider hidden data-start=(start) {
                label for="as_of_slider" { "Move through the timeline (" (start) " to " (end) ")" }
                input #as_of_slider type="range" min="0" max=(max) value=(at)
                    aria-valuetext=(ctx.date);
            }
        }
    }
}

/// Whose day the page's date is: a UTC day, or a day in the agreement's zone.
pub(crate) fn day_of(ctx: &Ctx) -> String {
    match &ctx.zone {
        Some(zone) => format!("a day in {zone}, the agreement's zone"),
        None => "a UTC day".to_owned(),
    }
}

/// How a date given to the page is read, in one sentence.
pub(crate) fn days_note(ctx: &Ctx) -> String {
    match &ctx.zone {
        Some(zone) => format!(
            "Dates are read as days in {zone}, the agreement's zone: a date means the end of that day there."
        ),
        None => "Dates are read as UTC days: a date means the end of that day in UTC.".to_owned(),
    }
}

/// A status as a badge: its words, and a class naming it for colour (the words carry
/// the meaning; colour only repeats it).
pub(crate) fn badge(status: &str) -> Markup {
    html! { span class={ "badge s-" (status) } { (words(status)) } }
}

/// "12 days left" / "due today" / "3 days overdue", for a deadline as of `date`.
pub(crate) fn left(date: Date, deadline: Date) -> String {
    match days(date, deadline) {
        0 => "due today".to_owned(),
        1 => "1 day left".to_owned(),
        n if n > 0 => format!("{n} days left"),
        -1 => "1 day past".to_owned(),
        n => format!("{} days past", -n),
    }
}

/// A date, or a dash.
pub(crate) fn date_or_dash(date: Option<Date>) -> String {
    date.map_or_else(|| "—".to_owned(), |d| d.to_string())
}

/// A reason's words, as far as the viewer may read them: a finding on an indicator can
/// state a sealed observation's value, so for a viewer not entitled to confidential
/// content its detail is replaced by the rule's name.
pub(crate) fn reason(ctx: &Ctx, reason: &accord_core::engine::state::Reason) -> String {
    let rule = reason.rule.as_str();
    if ctx.viewer.sealed || !rule.starts_with("indicator.") {
        reason.detail.clone()
    } else {
        format!("{} (details for entitled roles)", words(rule))
    }
}
