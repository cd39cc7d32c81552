//! The dashboard (issue #14): HTML pages over the same use cases as the API, rendered by
//! `accord-web`. Who is looking comes from a bearer token or the session cookie the
//! login sets (the public view when neither holds a token this server issued); the rules
//! are [`crate::policy`]'s, as for the API. Every page takes `?as_of=`: an instant, or a
//! date — on an agreement's pages the end of that day in the agreement's zone (as
//! `accord evaluate --as-of`), elsewhere the end of the UTC day.
//!
//! INVARIANT: a page runs no use case of its own; it calls `accord-app` on the blocking
//! pool, as the API's handlers do, and hands the results to `accord-web`.

use std::convert::Infallible;

use accord_app::evaluate::Reading;
use accord_app::evaluations::Evaluated;
use accord_app::time::AsOf;
use accord_core::time::DayZone;
use accord_web::{Ctx, Viewer};
use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};

use crate::AppState;
use crate::auth::Holder;
use crate::extract::Judged;
use crate::policy::Action;
use crate::problem::ApiError;
use crate::routes::agreements::agreement_id;
use crate::routes::blocking;

mod forms;

/// The session cookie's name.
pub(crate) const COOKIE: &str = "accord_token";

/// Who is looking: the holder of a valid bearer token or session cookie, or the public.
#[derive(Debug, Clone)]
pub(crate) struct Visitor(Option<Holder>, Judged);

impl FromRequestParts<AppState> for Visitor {
    type Rejection = Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Visitor, Infallible> {
        let bearer = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, token)| token.trim().to_owned());
        let token = bearer.or_else(|| cookie(&parts.headers));
        let judged = Judged::of(state, parts.uri.path());
        Ok(Visitor(token.and_then(|t| state.tokens.holder(&t)), judged))
    }
}

pub(crate) fn cookie(headers: &axum::http::HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .map(|(_, value)| value.to_owned())
}

impl Visitor {
    fn may(&self, action: Action) -> bool {
        self.1.permits(self.0.as_ref(), action)
    }

    fn viewer(&self) -> Viewer {
        Viewer {
            role: self.0.as_ref().map(|h| match &h.party {
                Some(party) => format!("{} ({party})", h.role),
                None => h.role.to_string(),
            }),
            sealed: self.may(Action::ReadConfidential),
            status: self.may(Action::QueryStatus),
            screen: self.may(Action::Screen),
        }
    }

    /// The page context for `path` as of `as_of` (now when `None`; a date: the end of
    /// that UTC day), for pages of no one agreement.
    fn ctx(&self, path: &str, as_of: Option<AsOf>) -> Ctx {
        self.ctx_at(path, as_of, as_of.map(|a| a.instant(&DayZone::utc())))
    }

    /// The page context for `path` as of `asked`, which is `instant` where the page's
    /// agreement counts its days: the page shows the date asked for, or the UTC day of
    /// the instant.
    fn ctx_at(&self, path: &str, asked: Option<AsOf>, instant: Option<jiff::Timestamp>) -> Ctx {
        let now = jiff::Timestamp::now();
        Ctx {
            viewer: self.viewer(),
            as_of: instant,
            date: match asked {
                Some(AsOf::EndOf(date)) => date,
                _ => accord_app::time::today(instant.unwrap_or(now)),
            },
            today: accord_app::time::today(now),
            path: path.to_owned(),
            zone: None,
        }
    }
}

/// A page that cannot be shown: its status and an HTML page saying why.
/// (The context is boxed: it is large, and every page handler returns this error.)
pub(crate) struct PageError(StatusCode, String, Box<Ctx>);

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let title = self.0.canonical_reason().unwrap_or("Error");
        html(self.0, accord_web::error(&self.2, title, &self.1))
    }
}

impl PageError {
    fn from_api(e: ApiError, ctx: &Ctx) -> PageError {
        PageError(e.status, e.detail, Box::new(ctx.clone()))
    }
}

/// An HTML document as the response.
pub(crate) fn html(status: StatusCode, body: String) -> Response {
    let mut response = (status, body).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    response
}

/// `/assets/dashboard.css` and `/assets/dashboard.js`, from the binary.
pub(crate) async fn asset(Path(name): Path<String>) -> Response {
    let (body, kind) = match name.as_str() {
        "dashboard.css" => (accord_web::CSS, "text/css; charset=utf-8"),
        "dashboard.js" => (accord_web::JS, "text/javascript; charset=utf-8"),
        _ => {
            return ApiError::not_found("no-such-path", format!("there is no asset `{name}`"))
                .into_response();
        }
    };
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("max-age=3600"),
    );
    response
}

/// The query's `as_of` and the other parameters named in `allowed` (others refused).
fn query(uri: &Uri, allowed: &[&str], ctx: &Ctx) -> Result<forms::Query, PageError> {
    forms::Query::parse(uri.query().unwrap_or(""), allowed)
        .map_err(|detail| PageError(StatusCode::BAD_REQUEST, detail, Box::new(ctx.clone())))
}

/// `GET /`: every agreement and what needs attention.
pub(crate) async fn home(
    State(state): State<AppState>,
    visitor: Visitor,
    uri: Uri,
) -> Result<Response, PageError> {
    let base = visitor.ctx("/", None);
    let q = query(&uri, &[], &base)?;
    let ctx = visitor.ctx("/", q.as_of);
    let as_of = ctx.as_of.unwrap_or_else(jiff::Timestamp::now);
    let evaluations = state.evaluations.clone();
    let overview = blocking(&state, move |store| {
        accord_app::dashboard::overview(store, &evaluations, as_of)
    })
    .await
    .map_err(|e| PageError::from_api(e, &ctx))?;
    Ok(html(StatusCode::OK, accord_web::home(&ctx, &overview)))
}

/// The instant `asked` means for agreement `id` (a date: the end of that day in its zone;
/// `None`: now), and the page context for `path` as of it.
async fn agreement_ctx(
    state: &AppState,
    visitor: &Visitor,
    path: &str,
    id: &str,
    asked: Option<AsOf>,
) -> Result<(Ctx, jiff::Timestamp), PageError> {
    let base = visitor.ctx(path, None);
    let instant = match asked {
        None => None,
        Some(AsOf::At(t)) => Some(t),
        Some(cut) => {
            let id = agreement_id(id).map_err(|e| PageError::from_api(e, &base))?;
            let evaluations = state.evaluations.clone();
            let resolved = blocking(state, move |store| {
                evaluations.instant(store, id.as_str(), cut)
            })
            .await
            .map_err(|e| PageError::from_api(e, &base))?;
            Some(resolved)
        }
    };
    let ctx = visitor.ctx_at(path, asked, instant);
    Ok((ctx, instant.unwrap_or_else(jiff::Timestamp::now)))
}

/// The agreement's versions and log, and its state as of `as_of`, from the evaluation
/// cache.
async fn evaluated(
    state: &AppState,
    id: &str,
    as_of: jiff::Timestamp,
    ctx: &Ctx,
) -> Result<Evaluated, PageError> {
    let id = agreement_id(id).map_err(|e| PageError::from_api(e, ctx))?;
    let evaluations = state.evaluations.clone();
    blocking(state, move |store| {
        evaluations.state(store, id.as_str(), as_of, &Reading::default())
    })
    .await
    .map_err(|e| PageError::from_api(e, ctx))
}

/// `GET /agreements/{id}`: its state, its published reports and, when
/// `--simulations` holds one for it, a link to its simulation.
pub(crate) async fn agreement(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<String>,
    uri: Uri,
) -> Result<Response, PageError> {
    let path = format!("/agreements/{id}");
    let q = query(&uri, &[], &visitor.ctx(&path, None))?;
    let (ctx, as_of) = agreement_ctx(&state, &visitor, &path, &id, q.as_of).await?;
    let evaluated = evaluated(&state, &id, as_of, &ctx).await?;
    let Some(governing) = evaluated.governing() else {
        return Err(PageError(
            StatusCode::NOT_FOUND,
            format!("no agreement `{id}` is registered"),
            Box::new(ctx),
        ));
    };
    let agreement = agreement_id(&id).map_err(|e| PageError::from_api(e, &ctx))?;
    let simulations = state.simulations.clone();
    let witnessing = state.witnessing.clone();
    let around = blocking(&state, move |store| {
        // An agreement registered without a log has published nothing.
        let (origin, reports) = match accord_app::dashboard::publications(store, &agreement, as_of)
        {
            Ok(mut published) => {
                // Under a witness policy, a report is published once a witnessed
                // checkpoint covers it.
                if let Some(w) = witnessing.as_deref() {
                    accord_app::witnessing::witnessed_publications(
                        store,
                        &mut published,
                        w.policy(),
                    )?;
                }
                (Some(published.origin), published.reports)
            }
            Err(accord_app::Error::NoLog { .. }) => (None, Vec::new()),
            Err(e) => return Err(e),
        };
        let simulation = match simulations.as_deref() {
            Some(dir) => accord_app::dashboard::published_simulation(dir, &agreement)?.is_some(),
            None => false,
        };
        Ok(accord_web::Around {
            origin,
            reports,
            simulation,
        })
    })
    .await
    .map_err(|e| PageError::from_api(e, &ctx))?;
    Ok(html(
        StatusCode::OK,
        accord_web::agreement(&ctx, governing, &evaluated.state, &around),
    ))
}

/// `GET /agreements/{id}/simulation`: the simulation `accord simulate … --out
/// DIR/{id}` wrote, where `accord serve --simulations DIR` publishes them.
pub(crate) async fn simulation(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<String>,
    uri: Uri,
) -> Result<Response, PageError> {
    let path = format!("/agreements/{id}/simulation");
    let q = query(&uri, &[], &visitor.ctx(&path, None))?;
    let ctx = visitor.ctx(&path, q.as_of);
    let agreement = agreement_id(&id).map_err(|e| PageError::from_api(e, &ctx))?;
    let none = |why: &str| {
        PageError(
            StatusCode::NOT_FOUND,
            format!("no simulation of `{id}` is published: {why}"),
            Box::new(ctx.clone()),
        )
    };
    let Some(dir) = state.simulations.clone() else {
        return Err(none("the server was started without `--simulations DIR`"));
    };
    let text = blocking(&state, move |_| {
        accord_app::dashboard::published_simulation(&dir, &agreement)
    })
    .await
    .map_err(|e| PageError::from_api(e, &ctx))?
    .ok_or_else(|| {
        none(&format!(
            "write one with `accord simulate … --out DIR/{id}`"
        ))
    })?;
    let unreadable = |why: String| {
        PageError(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("the published simulation of `{id}` cannot be shown: {why}"),
            Box::new(ctx.clone()),
        )
    };
    let sim = accord_web::parse_simulation(&text).map_err(|e| unreadable(e.to_string()))?;
    if sim.agreement != id {
        return Err(unreadable(format!(
            "its `simulation.json` is of `{}`",
            sim.agreement
        )));
    }
    Ok(html(
        StatusCode::OK,
        accord_web::simulation(&ctx, &id, &sim),
    ))
}

/// `GET /agreements/{id}/indicators/{indicator}`.
pub(crate) async fn indicator(
    State(state): State<AppState>,
    visitor: Visitor,
    Path((id, indicator)): Path<(String, String)>,
    uri: Uri,
) -> Result<Response, PageError> {
    let path = format!("/agreements/{id}/indicators/{indicator}");
    let q = query(&uri, &[], &visitor.ctx(&path, None))?;
    let (ctx, as_of) = agreement_ctx(&state, &visitor, &path, &id, q.as_of).await?;
    let evaluated = evaluated(&state, &id, as_of, &ctx).await?;
    // Only this indicator's latest reports, from the cache's index: never the whole log.
    let reports = evaluated
        .reports
        .latest(&evaluated.log, &indicator, evaluated.state.as_of);
    let indices: Vec<u64> = reports.iter().map(|e| e.index.0).collect();
    let sealed = {
        let evaluated = evaluated.clone();
        blocking(&state, move |store| evaluated.sealed_among(store, &indices))
            .await
            .map_err(|e| PageError::from_api(e, &ctx))?
    };
    let missing = || {
        PageError(
            StatusCode::NOT_FOUND,
            format!("agreement `{id}` has no indicator `{indicator}`"),
            Box::new(ctx.clone()),
        )
    };
    let governing = evaluated.governing().ok_or_else(missing)?;
    let page = accord_web::IndicatorPage {
        agreement: governing,
        state: &evaluated.state,
        indicator: &indicator,
        reports: &reports,
        sealed: &sealed,
    };
    let body = accord_web::indicator(&ctx, &page).ok_or_else(missing)?;
    Ok(html(StatusCode::OK, body))
}

/// `GET /agreements/{id}/log?before=N` or `?entry=N`; with `as_of`, the log as it stood
/// then.
pub(crate) async fn log(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<String>,
    uri: Uri,
) -> Result<Response, PageError> {
    let path = format!("/agreements/{id}/log");
    let q = query(&uri, &["before", "entry"], &visitor.ctx(&path, None))?;
    let (ctx, now_or_then) = agreement_ctx(&state, &visitor, &path, &id, q.as_of).await?;
    let number = |name: &str| {
        q.number(name)
            .map_err(|d| PageError(StatusCode::BAD_REQUEST, d, Box::new(ctx.clone())))
    };
    let (before, entry) = (number("before")?, number("entry")?);
    let before = entry.map(|e| e + 1 + accord_web::LOG_PAGE / 2).or(before);
    let agreement = agreement_id(&id).map_err(|e| PageError::from_api(e, &ctx))?;
    let as_of = q.as_of.map(|_| now_or_then);
    let witnessing = state.witnessing.clone();
    let (page, cosigners) = blocking(&state, move |store| {
        let mut page = accord_app::dashboard::log_page(
            store,
            &agreement,
            before,
            accord_web::LOG_PAGE,
            as_of,
        )?;
        let policy = witnessing
            .as_deref()
            .map(crate::witnessing::Witnessing::policy);
        let cosigners = accord_app::witnessing::on_log_page(store, &mut page, policy)?;
        Ok((page, cosigners))
    })
    .await
    .map_err(|e| PageError::from_api(e, &ctx))?;
    Ok(html(
        StatusCode::OK,
        accord_web::log_witnessed(&ctx, &id, &page, entry, cosigners.as_ref()),
    ))
}

pub(crate) use forms::{in_force, login, login_form, logout, screening};
