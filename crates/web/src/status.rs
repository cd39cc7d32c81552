//! "What is in force": the compliance query as a form, and its answer per jurisdiction
//! with the legal basis, the relief and its expiry, the exemptions, each linked to the
//! evidence behind it (the agreement's relief as of the date, the decision's log entry).

use accord_lists::in_force::{JURISDICTIONS, JurisdictionStatus, Listing, Status};
use maud::{Markup, html};

use crate::widgets::{badge, date_or_dash};
use crate::{Ctx, layout};

/// The form as filled in.
#[derive(Debug, Clone, Default)]
pub struct StatusForm {
    /// A name to screen against the lists.
    pub name: String,
    /// Or an entity id (`SOURCE:ID`).
    pub entity: String,
    /// The activity or sector.
    pub activity: String,
    /// The jurisdictions ticked (none: all).
    pub jurisdictions: Vec<String>,
    /// The date (empty: today).
    pub date: String,
}

/// The page: the form, then the answer or why there is none.
pub fn status(ctx: &Ctx, form: &StatusForm, answer: Result<Option<&Status>, &str>) -> String {
    let main = html! {
        @if !ctx.viewer.status {
            p.notice { "Asking what is in force needs a token of a role that may (compliance, a participant, the operator). " a href="/login" { "Log in" } }
        }
        (form_markup(form))
        @match answer {
            Err(e) => p.error role="alert" { (e) },
            Ok(Some(status)) => (answer_markup(status)),
            Ok(None) => {},
        }
    };
    layout(ctx, "What is in force", None, main)
}

fn form_markup(form: &StatusForm) -> Markup {
    html! {
        form #status-form method="get" action="/in-force" {
            p { "Give a name or an entity id." }
            div.field { label for="name" { "Name" } input #name type="text" name="name" value=(form.name); }
            div.field { label for="entity" { "Entity id (SOURCE:ID)" } input #entity type="text" name="entity" value=(form.entity); }
            div.field { label for="activity" { "Activity or sector (optional)" } input #activity type="text" name="activity" value=(form.activity); }
            fieldset {
                legend { "Jurisdictions (none ticked: all)" }
                @for j in JURISDICTIONS {
                    input type="checkbox" id={ "j-" (j) } name="jurisdiction" value=(j) checked[form.jurisdictions.iter().any(|x| x == j)];
                    label for={ "j-" (j) } { (j) } " "
                }
            }
            div.field { label for="date" { "Date (empty: today)" } input #date type="date" name="date" value=(form.date) aria-describedby="date-note";
                p.hint #date-note { "A day: the lists as of that UTC day; each agreement's relief as of the end of it in the agreement's zone (a UTC day when it names none)." } }
            button type="submit" { "Ask" }
        }
    }
}

fn answer_markup(status: &Status) -> Markup {
    html! {
        section #answer aria-labelledby="answer-h" {
            h2 #answer-h { "On " (status.date) @if let Some(a) = &status.activity { ", for " (a) } }
            @for j in &status.jurisdictions { (jurisdiction(status, j)) }
            @if !status.unplaced.is_empty() {
                p { "Matched, but answered for no jurisdiction: " (status.unplaced.join(", ")) }
            }
        }
    }
}

fn jurisdiction(status: &Status, j: &JurisdictionStatus) -> Markup {
    html! {
        article aria-labelledby={ "j-" (j.jurisdiction) "-h" } {
            h3 #{ "j-" (j.jurisdiction) "-h" } { (j.jurisdiction) ": " (badge(j.outcome.as_str()))
                @if let Some(u) = j.until { " until " (u) } }
            @for l in &j.listings { (listing(status, l)) }
            @if !j.exemptions.is_empty() {
                p { "Exemptions that apply (always in force):" }
                ul { @for e in &j.exemptions {
                    li { (e.title) " — " (e.legal_basis) " (" a href={ "/agreements/" (e.agreement) "#exemptions-h" } { (e.agreement) } ")" }
                } }
            }
        }
    }
}

fn listing(status: &Status, l: &Listing) -> Markup {
    html! {
        div.listing {
            p { strong { (l.name) } " (" code { (l.list_id) } "): " (badge(l.outcome.as_str())) " — " (l.matched) "; " (l.listing) }
            p { "Legal basis: " (l.basis.programmes.join(", "))
                @if !l.basis.legal_basis.is_empty() { "; " (l.basis.legal_basis.join("; ")) }
                @for r in &l.basis.regimes { "; regime " (r.name) " (" (r.legal_basis) ")" } }
            @if !l.relief.is_empty() {
                table {
                    caption { "Relief bearing on " (l.name) }
                    thead { tr { th scope="col" { "Relief" } th scope="col" { "Status" } th scope="col" { "Since" } th scope="col" { "Expires" } th scope="col" { "Decision" } } }
                    tbody { @for r in &l.relief {
                        tr {
                            th scope="row" { a href={ "/agreements/" (r.agreement) "?as_of=" (status.date) "#relief-" (r.action) } { (r.title) } }
                            td { (badge(r.status.as_str())) }
                            td { (date_or_dash(r.since)) } td { (date_or_dash(r.until)) }
                            td { @if let Some(d) = &r.decision {
                                a href={ "/agreements/" (r.agreement) "/log?entry=" (d.entry) } { "#" (d.entry) } " " (d.describe())
                            } @else { "—" } }
                        }
                    } }
                }
            }
            ul { @for reason in &l.reasons { li { (reason) } } }
        }
    }
}
