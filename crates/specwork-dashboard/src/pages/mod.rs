//! The pages. Each module serves one page and its API routes and names its navigation entry;
//! [`router`] puts them together behind the security guard. A new page is one module plus one
//! line in [`NAV`] and one `.merge(...)` in [`router`].

use axum::Router;
use axum::extract::{FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;

use crate::i18n::{self, Catalogue};
use crate::state::AppState;

mod approvals;
mod cost;
mod daily;
mod events;
mod files;
mod portfolio;
pub(crate) mod projects;
mod search;
mod spec;

/// One entry of the top navigation.
pub(crate) struct NavEntry {
    /// Catalogue key of its label.
    pub key: &'static str,
    /// Where it goes.
    pub href: &'static str,
}

/// The top navigation, in order.
pub(crate) const NAV: &[NavEntry] = &[portfolio::NAV, approvals::NAV, cost::NAV, daily::NAV, search::NAV];

/// Every route, behind the guard.
pub(crate) fn router(state: AppState) -> Router {
    Router::new()
        .merge(portfolio::routes())
        .merge(spec::routes())
        .merge(approvals::routes())
        .merge(cost::routes())
        .merge(daily::routes())
        .merge(files::routes())
        .merge(search::routes())
        .merge(events::routes())
        .route("/assets/{name}", get(crate::assets::serve))
        .fallback(not_found)
        .layer(middleware::from_fn(remember_lang))
        .layer(middleware::from_fn_with_state(state.clone(), crate::security::guard))
        .with_state(state)
}

pub(crate) async fn not_found(lang: Lang) -> Response {
    PageError::NotFound(lang.0.t("error.no_page").to_owned()).into_response()
}

/// The UI language: `?lang=` (remembered in a cookie), else the cookie, else
/// `Accept-Language`.
pub(crate) struct Lang(pub &'static Catalogue);

const LANG_COOKIE: &str = "specwork_lang";

fn query_lang(query: Option<&str>) -> Option<&'static Catalogue> {
    query?.split('&').find_map(|kv| kv.strip_prefix("lang=")).and_then(i18n::by_code)
}

impl<S: Send + Sync> FromRequestParts<S> for Lang {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        if let Some(c) = query_lang(parts.uri.query()) {
            return Ok(Lang(c));
        }
        let from_cookie = parts
            .headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .find_map(|kv| kv.trim().strip_prefix("specwork_lang="))
            .and_then(i18n::by_code);
        if let Some(c) = from_cookie {
            return Ok(Lang(c));
        }
        let accept = parts.headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok());
        Ok(Lang(i18n::negotiate(accept)))
    }
}

/// Remembers `?lang=xx` in a cookie so the next pages keep the choice.
pub(crate) async fn remember_lang(req: Request, next: Next) -> Response {
    let chosen = query_lang(req.uri().query()).map(|c| c.code.clone());
    let mut resp = next.run(req).await;
    if let Some(code) = chosen
        && let Ok(v) = HeaderValue::from_str(&format!("{LANG_COOKIE}={code}; SameSite=Strict; Path=/"))
    {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    resp
}

/// What every full page shows around its content.
pub(crate) struct Chrome {
    /// Page title.
    pub title: String,
    /// Catalogue key of the active navigation entry.
    pub active: &'static str,
    /// The search box's text.
    pub query: String,
    /// The navigation.
    pub nav: &'static [NavEntry],
    /// Every locale, for the language switch.
    pub locales: &'static [Catalogue],
    /// Asset version.
    pub version: &'static str,
    /// Changed paths starting with one of these (space-separated) do not refresh the page.
    pub ignore: &'static str,
    /// Where the page fetches just its changed parts (empty: it re-fetches itself).
    pub live_parts: &'static str,
    /// Whether the page loads mermaid (only pages showing a ```` ```mermaid ```` block do).
    pub mermaid: bool,
}

impl Chrome {
    pub fn new(title: impl Into<String>, active: &'static str) -> Self {
        Chrome {
            title: title.into(),
            active,
            query: String::new(),
            nav: NAV,
            locales: i18n::catalogues(),
            version: crate::assets::VERSION,
            ignore: "docs/sessions/",
            live_parts: "",
            mermaid: false,
        }
    }

    /// Loads mermaid when `html` (a rendered document) holds a diagram.
    pub fn with_diagrams(mut self, html: &str) -> Self {
        self.mermaid = html.contains("<pre class=\"mermaid\">");
        self
    }
}

/// The part of a page between `<!--part:NAME-->` and `<!--/part:NAME-->` (live updates).
pub(crate) fn page_part<'a>(html: &'a str, name: &str) -> Option<&'a str> {
    let open = format!("<!--part:{name}-->");
    let start = html.find(&open)? + open.len();
    let end = start + html[start..].find(&format!("<!--/part:{name}-->"))?;
    Some(&html[start..end])
}

/// The table row `<tr id="{id}" …>…</tr>` of a page (live updates).
pub(crate) fn row_part<'a>(html: &'a str, id: &str) -> Option<&'a str> {
    let start = html.find(&format!("<tr id=\"{id}\""))?;
    let len = html[start..].find("</tr>")?;
    Some(&html[start..start + len + 5])
}

/// Renders a template to an HTML response.
pub(crate) fn html(t: &impl askama::Template) -> Response {
    match t.render() {
        Ok(s) => Html(s).into_response(),
        Err(e) => PageError::Internal(format!("template: {e}")).into_response(),
    }
}

/// A page-level error, shown as a short page (or JSON for API routes).
#[derive(Debug)]
pub(crate) enum PageError {
    NotFound(String),
    BadRequest(String),
    Conflict(String),
    Internal(String),
}

impl PageError {
    fn status(&self) -> StatusCode {
        match self {
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn message(&self) -> &str {
        match self {
            Self::NotFound(m) | Self::BadRequest(m) | Self::Conflict(m) | Self::Internal(m) => m,
        }
    }

    /// As JSON `{"error": …}` (API routes).
    pub fn json(self) -> Response {
        (self.status(), axum::Json(serde_json::json!({ "error": self.message() }))).into_response()
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let mut body = String::from("<!doctype html><meta charset=\"utf-8\"><title>specwork</title>");
        body.push_str("<link rel=\"stylesheet\" href=\"/assets/app.css\"><main class=\"error-page\"><h1>");
        body.push_str(&self.status().as_u16().to_string());
        body.push_str("</h1><p>");
        body.push_str(&crate::markdown::escape(self.message()));
        body.push_str("</p><p><a href=\"/\">specwork</a></p></main>");
        (self.status(), Html(body)).into_response()
    }
}

impl From<specwork_core::model::edit::EditError> for PageError {
    fn from(e: specwork_core::model::edit::EditError) -> Self {
        use specwork_core::base::write::WriteError as W;
        use specwork_core::model::edit::EditError as E;
        match &e {
            E::Write(W::Conflict { .. }) => Self::Conflict(e.to_string()),
            E::Write(W::Io(_)) | E::NotUtf8 { .. } => Self::Internal(e.to_string()),
            _ => Self::BadRequest(e.to_string()),
        }
    }
}

/// Looks a spec up by the id in a URL, refusing names that could be paths.
pub(crate) fn find_spec<'a>(ws: &'a specwork_core::Workspace, id: &str) -> Result<&'a specwork_core::Spec, PageError> {
    specwork_core::base::names::spec_name(id).map_err(|e| PageError::BadRequest(e.to_string()))?;
    ws.spec(id).map_err(|e| PageError::NotFound(e.to_string()))
}

impl From<specwork_core::ops::OpError> for PageError {
    fn from(e: specwork_core::ops::OpError) -> Self {
        use specwork_core::ops::OpError as O;
        match e {
            O::Edit(x) => x.into(),
            O::Session(specwork_core::stores::session::SessionError::Write(
                specwork_core::base::write::WriteError::Conflict { .. },
            )) => Self::Conflict(e.to_string()),
            O::Session(_) => Self::Internal(e.to_string()),
            O::Ambiguous { ref sessions } => Self::Conflict(format!(
                "{e}. End the sessions you no longer use (specwork end-session NAME), then try again. Open: {}",
                sessions.iter().map(|s| s.name.as_str()).collect::<Vec<_>>().join(", ")
            )),
            _ => Self::BadRequest(e.to_string()),
        }
    }
}
