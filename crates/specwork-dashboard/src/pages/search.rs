//! Search over every spec's documents, context timelines and implementation logs: `GET
//! /search?q=` (page) and `GET /api/search?q=` (JSON). Spec ids and titles first, then the
//! hits of `specwork search` (ranked; artifacts by name) with file and line.

use std::path::PathBuf;

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use super::portfolio::spec_href;
use super::{Chrome, Lang, NavEntry, html};
use crate::i18n::Catalogue;
use crate::links::Target;
use crate::state::AppState;
use crate::state::Snapshot;

pub(super) const NAV: NavEntry = NavEntry { key: "nav.search", href: "/search" };

/// At most this many hits.
const MAX_HITS: usize = 300;

pub(super) fn routes() -> Router<AppState> {
    Router::new().route("/search", get(page)).route("/api/search", get(api))
}

#[derive(Deserialize)]
struct Params {
    #[serde(default)]
    q: String,
}

/// A spec whose id or title matches.
#[derive(Serialize)]
struct SpecHit {
    id: String,
    title: String,
    href: String,
}

/// A matching line.
#[derive(Serialize)]
struct LineHit {
    spec: String,
    file: String,
    line: usize,
    text: String,
    href: String,
    #[serde(skip)]
    before: String,
    #[serde(skip)]
    found: String,
    #[serde(skip)]
    after: String,
}

#[derive(Serialize)]
struct Results {
    query: String,
    specs: Vec<SpecHit>,
    lines: Vec<LineHit>,
    truncated: bool,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    t: &'static Catalogue,
    chrome: Chrome,
    r: Results,
}

/// Spec ids and titles, then [`specwork_core::views::search::search`] (the same ranked search as
/// `specwork search`: documents, context timelines, implementation logs and their artifacts).
fn search(snap: &Snapshot, query: &str) -> Results {
    let q = query.trim();
    let mut r = Results { query: q.to_owned(), specs: Vec::new(), lines: Vec::new(), truncated: false };
    if q.is_empty() {
        return r;
    }
    let lower = q.to_lowercase();
    let ws = &snap.ws;
    for s in &ws.specs {
        if s.id.to_lowercase().contains(&lower) || s.title.to_lowercase().contains(&lower) {
            r.specs.push(SpecHit { id: s.id.clone(), title: s.title.clone(), href: spec_href(&s.id) });
        }
    }
    let found = specwork_core::views::search::search(ws, q, &[], MAX_HITS);
    r.truncated = found.total > found.hits.len();
    let first_word = lower.split_whitespace().next().unwrap_or("").to_owned();
    for h in found.hits {
        let path = PathBuf::from(&h.file);
        let href = match snap.links.spec_doc(&path) {
            Some((id, key)) => format!("{}?doc={key}", spec_href(id)),
            None => crate::markdown::target_url(&Target::File(path), None),
        };
        // Highlight the first query word (when lower-casing keeps byte offsets).
        let text = h.text.clone();
        let low = text.to_lowercase();
        let (before, found, after) = match low.find(&first_word) {
            Some(pos) if low.len() == text.len() && text.is_char_boundary(pos + first_word.len()) => (
                text[..pos].to_owned(),
                text[pos..pos + first_word.len()].to_owned(),
                text[pos + first_word.len()..].to_owned(),
            ),
            _ => (text.clone(), String::new(), String::new()),
        };
        r.lines.push(LineHit { spec: h.spec, file: h.file, line: h.line, text, href, before, found, after });
    }
    r
}

async fn page(State(app): State<AppState>, Lang(t): Lang, Query(p): Query<Params>) -> Response {
    app.blocking(move |app| {
        let r = search(&app.snapshot(), &p.q);
        let mut chrome = Chrome::new(t.t("nav.search"), NAV.key);
        chrome.query = r.query.clone();
        html(&SearchPage { t, chrome, r })
    })
    .await
}

async fn api(State(app): State<AppState>, Query(p): Query<Params>) -> Response {
    app.blocking(move |app| Json(search(&app.snapshot(), &p.q)).into_response()).await
}
