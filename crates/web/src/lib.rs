//! The dashboard's pages (issue #14): what `accord serve` shows a person in a browser.
//!
//! Each page is a pure function from `accord-app`'s results (states, log pages, status
//! answers, screening hits) and a [`Ctx`] (who is looking, as of when) to an HTML
//! document, written with maud's compile-checked templates. Charts are hand-written SVG,
//! each with `role="img"`, a `<title>` and the same data as a table beside it. Nothing
//! here reads a store, a clock or a request: the server hands everything in.
//!
//! Every page is readable without JavaScript; [`JS`] only adds live notices from the
//! event stream, the time control's slider, and the in-browser inclusion check.
//!
//! INVARIANT: confidential content (the values of evidence an agreement seals or
//! restricts) is written into a page only when [`Viewer::sealed`] says the viewer is
//! entitled; otherwise a sealed entry is shown as its commitment and a restricted
//! indicator's values are left out.

mod agreement;
mod chart;
mod home;
mod indicator;
mod log;
mod login;
mod screening;
mod simulation;
mod status;
mod widgets;

pub use agreement::{Around, agreement};
pub use home::{Attention, attention, home};
pub use indicator::{IndicatorPage, indicator};
pub use log::{PAGE as LOG_PAGE, log, log_witnessed};
pub use login::login;
pub use screening::{ScreeningForm, ScreeningResult, screening};
pub use simulation::{Simulation, parse_simulation, simulation};
pub use status::{StatusForm, status};

use accord_core::time::{Date, Instant};
use maud::{DOCTYPE, Markup, html};

/// The stylesheet every page links (`/assets/dashboard.css`).
pub const CSS: &str = include_str!("../assets/dashboard.css");

/// The one script every page links (`/assets/dashboard.js`): live notices, the time
/// control's slider, the inclusion check. Pages work without it.
pub const JS: &str = include_str!("../assets/dashboard.js");

/// Who is looking.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Viewer {
    /// The role of the token the viewer logged in with (`None`: the public view).
    pub role: Option<String>,
    /// Whether the viewer may read confidential content (sealed evidence, restricted
    /// indicators' values).
    pub sealed: bool,
    /// Whether the viewer may ask what is in force.
    pub status: bool,
    /// Whether the viewer may screen names.
    pub screen: bool,
}

/// What every page knows besides its data.
#[derive(Debug, Clone)]
pub struct Ctx {
    /// Who is looking.
    pub viewer: Viewer,
    /// The instant asked for with `?as_of=` (`None`: now).
    pub as_of: Option<Instant>,
    /// The evaluation date: the date asked for with `?as_of=`, else the UTC day of `as_of`,
    /// or today.
    pub date: Date,
    /// Today (UTC), for the time control's "today".
    pub today: Date,
    /// The page's path (no query), for links that keep the page and change the instant.
    pub path: String,
    /// The zone whose days a plain `?as_of=` date is read in: the agreement's (an IANA
    /// name) on an agreement's pages when it names one; `None`: UTC days (the pages about
    /// no one agreement, and agreements counting in UTC). The time control says which.
    pub zone: Option<String>,
}

impl Ctx {
    /// The same context on a page of an agreement counting its days in `zone` (`None`:
    /// UTC).
    pub fn in_zone(&self, zone: Option<&str>) -> Ctx {
        Ctx {
            zone: zone.map(str::to_owned),
            ..self.clone()
        }
    }

    /// `path` with this page's `?as_of=` kept (so that following a link does not leave
    /// the instant one is looking at).
    pub fn href(&self, path: &str) -> String {
        match self.as_of {
            Some(_) => format!("{path}{}as_of={}", sep(path), self.date),
            None => path.to_owned(),
        }
    }
}

fn sep(path: &str) -> &'static str {
    if path.contains('?') { "&" } else { "?" }
}

/// Days from `from` to `to` (negative when `to` is earlier).
pub fn days(from: Date, to: Date) -> i64 {
    from.until(to).map_or(0, |span| i64::from(span.get_days()))
}

/// A date `n` days after `date` (before, when negative), or `date` itself at the ends of
/// the calendar.
pub fn shift(date: Date, n: i64) -> Date {
    date.checked_add(jiff::Span::new().days(n)).unwrap_or(date)
}

/// Lowercase hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A status name as people read it (`wind_down` → `wind down`).
pub fn words(name: &str) -> String {
    name.replace('_', " ")
}

/// The whole document: header with navigation and who is looking, the time control
/// (when the page has a timeline), the page's content, the script.
fn layout(ctx: &Ctx, title: &str, timeline: Option<(Date, Date)>, main: Markup) -> String {
    let live = ctx.as_of.is_none();
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " — Accord" }
                link rel="stylesheet" href="/assets/dashboard.css";
                script src="/assets/dashboard.js" defer {}
            }
            body data-live=[live.then_some("true")] {
                a.skip href="#main" { "Skip to content" }
                header {
                    nav aria-label="Main" {
                        ul {
                            li { a href=(ctx.href("/")) { "Agreements" } }
                            li { a href="/in-force" { "What is in force" } }
                            li { a href="/screening" { "Screening" } }
                            li { (widgets::who(ctx)) }
                        }
                    }
                }
                main #main {
                    h1 { (title) }
                    @if let Some(span) = timeline { (widgets::time_control(ctx, span)) }
                    div #live role="status" aria-live="polite" {}
                    (main)
                }
            }
        }
    }
    .into_string()
}

/// A page saying why the one asked for cannot be shown (its status is the response's).
pub fn error(ctx: &Ctx, title: &str, detail: &str) -> String {
    let main = html! {
        p.error role="alert" { (detail) }
        p { a href="/" { "Back to the agreements" } }
    };
    layout(ctx, title, None, main)
}
