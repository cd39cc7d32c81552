//! Screening: a name searched against the imported lists, with each hit's score and the
//! explanation it can be recomputed from.

use accord_screen::{Hit, NameKind};
use maud::html;

use crate::chart::fmt;
use crate::{Ctx, layout};

/// The form as filled in.
#[derive(Debug, Clone, Default)]
pub struct ScreeningForm {
    /// The name searched.
    pub name: String,
}

/// What a search found.
#[derive(Debug, Clone)]
pub struct ScreeningResult {
    /// The hits, best first.
    pub hits: Vec<Hit>,
    /// The threshold they met.
    pub threshold: f64,
    /// How many candidates were searched.
    pub candidates: usize,
}

/// The page: the form, then the hits or why there are none.
pub fn screening(
    ctx: &Ctx,
    form: &ScreeningForm,
    result: Result<Option<&ScreeningResult>, &str>,
) -> String {
    let main = html! {
        @if !ctx.viewer.screen {
            p.notice { "Screening needs a token of the compliance or operator role. " a href="/login" { "Log in" } }
        }
        p.days #days-note { "The search runs on the lists as imported now. " (crate::widgets::days_note(ctx)) }
        form method="get" action="/screening" {
            label for="q" { "Name" }
            input #q type="search" name="name" value=(form.name) required;
            button type="submit" { "Search" }
        }
        @match result {
            Err(e) => p.error role="alert" { (e) },
            Ok(None) => {},
            Ok(Some(r)) => {
                section #hits aria-labelledby="hits-h" {
                    h2 #hits-h { (r.hits.len()) " hit(s) for “" (form.name) "”" }
                    p { "Scores of at least " (fmt(r.threshold)) " among " (r.candidates) " candidates." }
                    @if !r.hits.is_empty() {
                        table {
                            caption { "Hits, best first" }
                            thead { tr { th scope="col" { "Score" } th scope="col" { "Name matched" } th scope="col" { "List entry" } th scope="col" { "Explanation" } } }
                            tbody { @for h in &r.hits {
                                tr {
                                    td { (format!("{:.3}", h.score)) }
                                    th scope="row" { (h.matched_name) (match h.name_kind { NameKind::Primary => "", NameKind::Alias => " (alias)", NameKind::WeakAlias => " (weak alias)" }) }
                                    td { code { (h.candidate_id) } " " (h.schema) }
                                    td { (h.explanation.to_string()) }
                                }
                            } }
                        }
                    }
                }
            }
        }
    };
    layout(ctx, "Screening", None, main)
}
