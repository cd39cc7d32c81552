//! The dashboard's forms: the query string read strictly, "what is in force", screening,
//! and the token login.

use accord_app::status::{StatusQuery, Who};
use accord_web::{ScreeningForm, ScreeningResult, StatusForm};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse as _, Response};

use super::{COOKIE, PageError, Visitor, html, query};
use crate::AppState;
use crate::policy::Action;
use crate::routes::blocking;

/// A page's query: `as_of` and the other parameters it takes, each at most once except
/// `jurisdiction`.
#[derive(Debug, Default)]
pub(crate) struct Query {
    pub(crate) as_of: Option<accord_app::time::AsOf>,
    pairs: Vec<(String, String)>,
}

impl Query {
    /// Reads `text`, refusing parameters not in `allowed` (nor `as_of`).
    pub(crate) fn parse(text: &str, allowed: &[&str]) -> Result<Query, String> {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(text)
            .map_err(|e| format!("the query cannot be read: {e}"))?;
        let mut query = Query::default();
        for (name, value) in pairs {
            if name == "as_of" {
                if !value.is_empty() {
                    // A date stays a date: its end is where the agreement's day ends.
                    query.as_of = Some(accord_app::time::parse_as_of(&value).map_err(|e| {
                        format!("`as_of` is `{value}`: {}", accord_render::errors::chain(&e))
                    })?);
                }
            } else if allowed.contains(&name.as_str()) {
                query.pairs.push((name, value));
            } else {
                return Err(format!("this page takes no parameter `{name}`"));
            }
        }
        Ok(query)
    }

    /// The value of `name`, trimmed (empty when absent).
    pub(crate) fn text(&self, name: &str) -> String {
        self.pairs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.trim().to_owned())
            .unwrap_or_default()
    }

    /// Every value of `name`.
    pub(crate) fn all(&self, name: &str) -> Vec<String> {
        self.pairs
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .collect()
    }

    /// The value of `name` as a whole number, if given.
    pub(crate) fn number(&self, name: &str) -> Result<Option<u64>, String> {
        match self.text(name).as_str() {
            "" => Ok(None),
            text => text
                .parse()
                .map(Some)
                .map_err(|_| format!("`{name}` is `{text}`, not a whole number")),
        }
    }
}

fn status_form(q: &Query) -> StatusForm {
    StatusForm {
        name: q.text("name"),
        entity: q.text("entity"),
        activity: q.text("activity"),
        jurisdictions: q.all("jurisdiction"),
        date: q.text("date"),
    }
}

fn status_query(form: &StatusForm, today: accord_core::time::Date) -> Result<StatusQuery, String> {
    let who = match (form.entity.is_empty(), form.name.is_empty()) {
        (false, true) => Who::Entity(form.entity.clone()),
        (true, false) => Who::Name(form.name.clone()),
        _ => return Err("give a name or an entity id, not both".to_owned()),
    };
    let date = match form.date.as_str() {
        "" => today,
        text => text
            .parse()
            .map_err(|_| format!("the date is `{text}`, not a date (YYYY-MM-DD)"))?,
    };
    Ok(StatusQuery {
        who,
        activity: Some(form.activity.clone()).filter(|a| !a.is_empty()),
        jurisdictions: form.jurisdictions.clone(),
        date,
        agreements: Vec::new(),
        reading: Default::default(),
    })
}

/// `GET /in-force`: the form, and with a name or an entity the answer.
pub(crate) async fn in_force(
    State(state): State<AppState>,
    visitor: Visitor,
    uri: Uri,
) -> Result<Response, PageError> {
    let fields = ["name", "entity", "activity", "jurisdiction", "date"];
    let q = query(&uri, &fields, &visitor.ctx("/in-force", None))?;
    let ctx = visitor.ctx("/in-force", q.as_of);
    let form = status_form(&q);
    if form.name.is_empty() && form.entity.is_empty() {
        return Ok(html(
            StatusCode::OK,
            accord_web::status(&ctx, &form, Ok(None)),
        ));
    }
    if !visitor.may(Action::QueryStatus) {
        let page = accord_web::status(
            &ctx,
            &form,
            Err("log in with a token that may ask what is in force"),
        );
        return Ok(html(StatusCode::UNAUTHORIZED, page));
    }
    let asked = match status_query(&form, ctx.today) {
        Ok(asked) => asked,
        Err(e) => {
            return Ok(html(
                StatusCode::BAD_REQUEST,
                accord_web::status(&ctx, &form, Err(&e)),
            ));
        }
    };
    let cache = state.screening.clone();
    let evaluations = state.evaluations.clone();
    let answer = blocking(&state, move |store| {
        // Every registered agreement's relief is composed, as the home page lists them.
        let mut asked = asked;
        asked.agreements = store
            .registered_agreements()?
            .into_iter()
            .map(accord_app::evaluate::AgreementSource::Registered)
            .collect();
        // A name is screened against the server's index of the lists, built once per
        // import (as /v1/status does), not rebuilt for each answer.
        let names = cache.names_for(store, &asked.who)?;
        let names = names
            .as_deref()
            .map(|n| n as &dyn accord_app::status::ListedNames);
        accord_app::status::status_with(store, &asked, names, Some(&evaluations))
    })
    .await;
    Ok(match answer {
        Ok(answer) => html(
            StatusCode::OK,
            accord_web::status(&ctx, &form, Ok(Some(&answer.status))),
        ),
        Err(e) => html(e.status, accord_web::status(&ctx, &form, Err(&e.detail))),
    })
}

/// `GET /screening`: the form, and with a name its hits in every imported list.
pub(crate) async fn screening(
    State(state): State<AppState>,
    visitor: Visitor,
    uri: Uri,
) -> Result<Response, PageError> {
    let q = query(&uri, &["name"], &visitor.ctx("/screening", None))?;
    let ctx = visitor.ctx("/screening", q.as_of);
    let form = ScreeningForm {
        name: q.text("name"),
    };
    if form.name.is_empty() {
        return Ok(html(
            StatusCode::OK,
            accord_web::screening(&ctx, &form, Ok(None)),
        ));
    }
    if !visitor.may(Action::Screen) {
        let page = accord_web::screening(
            &ctx,
            &form,
            Err("log in with a token that may screen names"),
        );
        return Ok(html(StatusCode::UNAUTHORIZED, page));
    }
    let search = accord_screen::Query {
        name: form.name.clone(),
        schemas: Vec::new(),
        birth_date: None,
        countries: Vec::new(),
        identifiers: Vec::new(),
    };
    if let Err(e) = search.validate() {
        return Ok(html(
            StatusCode::BAD_REQUEST,
            accord_web::screening(&ctx, &form, Err(&e.to_string())),
        ));
    }
    let cache = state.screening.clone();
    let result = blocking(&state, move |store| {
        let index = cache
            .current(store)?
            .index(crate::screening::DEFAULT_DATASET);
        let settings = accord_screen::Settings::default();
        Ok(ScreeningResult {
            hits: index.screen(&search, &settings),
            threshold: settings.threshold,
            candidates: index.candidates().len(),
        })
    })
    .await;
    Ok(match result {
        Ok(result) => html(
            StatusCode::OK,
            accord_web::screening(&ctx, &form, Ok(Some(&result))),
        ),
        Err(e) => html(e.status, accord_web::screening(&ctx, &form, Err(&e.detail))),
    })
}

/// `GET /login`.
pub(crate) async fn login_form(visitor: Visitor) -> Response {
    html(
        StatusCode::OK,
        accord_web::login(&visitor.ctx("/login", None), None),
    )
}

/// `POST /login` (a form with `token`): a token this server issued is kept in an
/// HTTP-only, same-site cookie and the browser goes home; any other is refused, 401.
pub(crate) async fn login(
    State(state): State<AppState>,
    visitor: Visitor,
    body: Bytes,
) -> Response {
    let ctx = visitor.ctx("/login", None);
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let token = pairs
        .into_iter()
        .find(|(n, _)| n == "token")
        .map(|(_, v)| v.trim().to_owned())
        .unwrap_or_default();
    let valid = !token.is_empty()
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        && state.tokens.holder(&token).is_some();
    if !valid {
        return html(
            StatusCode::UNAUTHORIZED,
            accord_web::login(&ctx, Some("That token is not one this server issued.")),
        );
    }
    let cookie = format!("{COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict");
    redirect_with_cookie(&cookie)
}

/// `POST /logout`: the cookie cleared, back to the public view.
pub(crate) async fn logout() -> Response {
    redirect_with_cookie(&format!(
        "{COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"
    ))
}

fn redirect_with_cookie(cookie: &str) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    let headers = response.headers_mut();
    headers.insert(header::LOCATION, HeaderValue::from_static("/"));
    if let Ok(value) = HeaderValue::from_str(cookie) {
        headers.insert(header::SET_COOKIE, value);
    }
    response
}
