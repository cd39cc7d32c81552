//! The log's page: the latest signed checkpoint (with its signature and cosignature
//! lines) and a page of entries, newest first — as the log stood at the page's instant
//! when it has one (`?as_of=`: the entries recorded by then, the latest checkpoint
//! covering only those), with the time control. Each entry carries its leaf's bytes, so
//! that the script can hash the leaf itself, fetch the inclusion proof against the
//! checkpoint's size and recompute the root (RFC 9162 §2.1.3.2) — the reader need not
//! take the server's word for it. Without JavaScript, each entry links to its proof.

use accord_app::dashboard::LogPage;
use accord_app::witnessing::Cosigners;
use base64::Engine as _;
use maud::{Markup, html};

use crate::{Ctx, hex, layout, shift};

/// How many entries a page of the log shows.
pub const PAGE: u64 = 25;

/// The log page of agreement `id`; `focus` is an entry asked for (`?entry=`).
pub fn log(ctx: &Ctx, id: &str, page: &LogPage, focus: Option<u64>) -> String {
    log_witnessed(ctx, id, page, focus, None)
}

/// [`log`], with the checkpoint's cosignatures by witness and whether it is witnessed
/// under the server's witness policy (`accord serve --witness-policy`).
pub fn log_witnessed(
    ctx: &Ctx,
    id: &str,
    page: &LogPage,
    focus: Option<u64>,
    cosigners: Option<&Cosigners>,
) -> String {
    let ctx = &ctx.in_zone(page.zone.as_deref());
    let b64 = base64::engine::general_purpose::STANDARD;
    let older = page.entries.last().map(|e| e.index).filter(|i| *i > 0);
    let newer = page
        .entries
        .first()
        .map(|e| e.index + 1)
        .filter(|i| *i < page.size);
    let main = html! {
        p #log-size data-origin=(page.origin) {
            "Log " code { (page.origin) }
            @if ctx.as_of.is_some() { " held " strong { (page.size) } " entries at the end of " (ctx.date) " (" (crate::widgets::day_of(ctx)) "). " }
            @else { " holds " strong { (page.size) } " entries. " }
            a href=(ctx.href(&format!("/agreements/{id}"))) { "Back to the agreement" } }
        (checkpoint(ctx, page, cosigners))
        section aria-labelledby="entries-h" data-agreement=(id) {
            h2 #entries-h { "Entries" }
            p { "“Check inclusion” hashes the entry's leaf in your browser, fetches the inclusion proof for the checkpoint's size and recomputes the checkpoint's root from it." }
            table #entries {
                caption { "Entries, newest first" }
                thead { tr { th scope="col" { "Index" } th scope="col" { "Recorded" } th scope="col" { "Kind" } th scope="col" { "Signed by" } th scope="col" { "Leaf hash" } th scope="col" { "Inclusion" } } }
                tbody { @for e in &page.entries {
                    tr #{ "entry-" (e.index) } class=[(focus == Some(e.index)).then_some("focus")] {
                        th scope="row" { "#" (e.index) }
                        td { (e.recorded_at.strftime("%Y-%m-%d %H:%M:%S UTC")) }
                        td { (crate::words(&e.kind))
                            @if let Some(c) = e.sealed { br; small { "sealed; commitment " code.hash { (hex(&c)) } } } }
                        td { (e.signers.join(", ")) }
                        td { code.hash { (hex(&e.leaf_hash)) } }
                        td {
                            a href={ "/v1/agreements/" (id) "/log/inclusion?index=" (e.index) } { "proof (JSON)" }
                            " "
                            button.check type="button" hidden data-index=(e.index) data-leaf=(b64.encode(&e.leaf))
                                aria-describedby={ "result-" (e.index) } { "Check inclusion of #" (e.index) }
                            span.result #{ "result-" (e.index) } role="status" {}
                        }
                    }
                } }
            }
            nav aria-label="Pages of the log" {
                @if let Some(n) = newer { a href=(ctx.href(&format!("/agreements/{id}/log?before={}", (n + PAGE).min(page.size)))) { "Newer entries" } " " }
                @if let Some(o) = older { a href=(ctx.href(&format!("/agreements/{id}/log?before={o}"))) { "Older entries" } }
            }
        }
    };
    let start = page.first.map_or(shift(ctx.date, -365), |t| {
        shift(accord_app::time::today(t), -30)
    });
    let span = (start.min(ctx.date), shift(ctx.today.max(ctx.date), 365));
    layout(ctx, &format!("Evidence log of {id}"), Some(span), main)
}

fn checkpoint(ctx: &Ctx, page: &LogPage, cosigners: Option<&Cosigners>) -> Markup {
    html! {
        section aria-labelledby="checkpoint-h" {
            h2 #checkpoint-h { @if ctx.as_of.is_some() { "Latest checkpoint as of " (ctx.date) } @else { "Latest checkpoint" } }
            @match &page.checkpoint {
                Some((size, note)) => {
                    @let signatures = note.lines().filter(|l| l.starts_with('\u{2014}')).count();
                    p { "Signed at size " (size) "; " (signatures) " signature line(s) (the log's, then any witnesses' cosignatures)." }
                    pre #checkpoint-note tabindex="0" aria-label="The signed checkpoint" { (note) }
                    // Without a policy and without cosignatures there is nothing to say.
                    @if let Some(c) = cosigners.filter(|c| c.witnessed.is_some() || !c.lines.is_empty()) { (witnesses(c)) }
                }
                None => p { "The log had signed no checkpoint covering only these entries: inclusion cannot be checked against one." },
            }
        }
    }
}

/// Who cosigned the checkpoint, and whether it counts as witnessed under the policy.
fn witnesses(c: &Cosigners) -> Markup {
    html! {
        section #witnesses aria-labelledby="witnesses-h" {
            h3 #witnesses-h { "Witnesses" }
            @match &c.witnessed {
                Some(Ok(())) => p #witnessed { strong { "Witnessed" } " under the server's witness policy: independent witnesses cosigned this checkpoint, so they were shown this log and no other." },
                Some(Err(why)) => p #witnessed { strong { "Not witnessed" } " under the server's witness policy yet: " (why) },
                None => p #witnessed { "The server has no witness policy: the cosignatures below are shown as they are, not checked." },
            }
            @if c.lines.is_empty() {
                p { "No witness has cosigned this checkpoint." }
            } @else {
                table #cosignatures {
                    caption { "Cosignatures (cosignature/v1)" }
                    thead { tr { th scope="col" { "Witness" } th scope="col" { "Key" } th scope="col" { "Cosigned at" } th scope="col" { "Checked" } } }
                    tbody { @for line in &c.lines {
                        tr {
                            th scope="row" { (line.witness.as_deref().unwrap_or("(not in the policy)")) }
                            td { code { (line.key) } }
                            td { @match line.timestamp.and_then(|t| jiff::Timestamp::from_second(i64::try_from(t).ok()?).ok()) {
                                Some(t) => (t.strftime("%Y-%m-%d %H:%M:%S UTC")),
                                None => "unknown",
                            } }
                            td { @if line.checked { "yes, against the policy's key" } @else { "no" } }
                        }
                    } }
                }
            }
        }
    }
}
