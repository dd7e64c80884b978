//! Daily summaries: `GET /daily` lists `docs/sessions/daily/YYYY-MM-DD.md` (newest first) and
//! shows the latest; `GET /daily/{date}` shows one. The files are written by `specwork eod`
//! ([`specwork_core::views::daily`]); this page only reads them.

use askama::Template;
use axum::Router;
use axum::extract::{Path as UrlPath, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use specwork_core::views::daily;

use super::{Chrome, Lang, NavEntry, PageError, html};
use crate::i18n::Catalogue;
use crate::state::AppState;

pub(super) const NAV: NavEntry = NavEntry { key: "nav.daily", href: "/daily" };

pub(super) fn routes() -> Router<AppState> {
    Router::new().route("/daily", get(latest)).route("/daily/{date}", get(one))
}

#[derive(Template)]
#[template(path = "daily.html")]
struct DailyPage {
    t: &'static Catalogue,
    chrome: Chrome,
    dates: Vec<String>,
    date: String,
    html: String,
}

fn page(app: &AppState, t: &'static Catalogue, date: Option<&str>) -> Result<Response, PageError> {
    let root = app.root();
    let mut dates = daily::existing(root);
    dates.reverse();
    let date = match date {
        Some(d) if daily::is_date(d) => d.to_owned(),
        Some(d) => return Err(PageError::BadRequest(format!("`{d}` is not a date (YYYY-MM-DD)"))),
        None => dates.first().cloned().unwrap_or_default(),
    };
    let html_doc = if date.is_empty() {
        String::new()
    } else {
        let rel = daily::path(&date);
        let src = specwork_core::base::path_policy::read_to_string(root.join(&rel)).map_err(|_| {
            PageError::NotFound(format!("no daily summary for {date}: run `specwork eod --date {date}`"))
        })?;
        crate::markdown::render(&src, &rel, &app.snapshot().links, t)
    };
    let mut chrome = Chrome::new(t.t("nav.daily"), NAV.key);
    // This page shows what the session journals produce.
    chrome.ignore = "";
    Ok(html(&DailyPage { t, chrome, dates, date, html: html_doc }))
}

async fn latest(State(app): State<AppState>, Lang(t): Lang) -> Response {
    app.blocking(move |app| page(app, t, None).unwrap_or_else(IntoResponse::into_response)).await
}

async fn one(State(app): State<AppState>, Lang(t): Lang, UrlPath(date): UrlPath<String>) -> Response {
    app.blocking(move |app| page(app, t, Some(&date)).unwrap_or_else(IntoResponse::into_response)).await
}
