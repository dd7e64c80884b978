//! Search over every spec's documents, context timelines and implementation logs: `GET
//! /search?q=` (page) and `GET /api/search?q=` (JSON). Case-insensitive substring match;
//! spec ids and titles first, then matching lines with file and line number.

use std::path::{Path, PathBuf};

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use specwork_core::report::slash_path;

use super::portfolio::spec_href;
use super::{Chrome, Lang, NavEntry, html};
use crate::i18n::Catalogue;
use crate::links::{Target, doc_paths};
use crate::state::AppState;
use crate::state::Snapshot;

pub(super) const NAV: NavEntry = NavEntry { key: "nav.search", href: "/search" };

/// At most this many matching lines in all.
const MAX_HITS: usize = 300;
/// At most this many matching lines per file.
const MAX_PER_FILE: usize = 5;

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

fn implementation_logs(root: &Path, dir: &Path) -> Vec<PathBuf> {
    let logs = dir.join("Implementation Logs");
    let Ok(rd) = std::fs::read_dir(root.join(&logs)) else { return Vec::new() };
    let mut v: Vec<PathBuf> = rd
        .flatten()
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| n.ends_with(".md") && !n.starts_with('.'))
        .map(|n| logs.join(n))
        .collect();
    v.sort();
    v
}

fn search(snap: &Snapshot, query: &str) -> Results {
    let q = query.trim().to_lowercase();
    let mut r = Results { query: query.trim().to_owned(), specs: Vec::new(), lines: Vec::new(), truncated: false };
    if q.is_empty() {
        return r;
    }
    let ws = &snap.ws;
    for s in &ws.specs {
        if s.id.to_lowercase().contains(&q) || s.title.to_lowercase().contains(&q) {
            r.specs.push(SpecHit { id: s.id.clone(), title: s.title.clone(), href: spec_href(&s.id) });
        }
    }
    'specs: for s in ws.specs.iter().filter(|s| !s.archived) {
        let mut files: Vec<(Option<&'static str>, PathBuf)> =
            doc_paths(&s.docs).into_iter().map(|(k, p)| (Some(k), p.clone())).collect();
        if s.layout != specwork_core::Layout::Numbered {
            files.extend(implementation_logs(&ws.root, &s.dir).into_iter().map(|p| (None, p)));
        }
        for (key, rel) in files {
            let Ok(text) = std::fs::read_to_string(ws.abs(&rel)) else { continue };
            if !text.to_lowercase().contains(&q) {
                continue;
            }
            let mut in_file = 0;
            for (i, line) in text.lines().enumerate() {
                let lower = line.to_lowercase();
                let Some(pos) = lower.find(&q) else { continue };
                if r.lines.len() >= MAX_HITS {
                    r.truncated = true;
                    break 'specs;
                }
                let href = match key {
                    Some(k) => format!("{}?doc={k}", spec_href(&s.id)),
                    None => crate::markdown::target_url(&Target::File(rel.clone()), None),
                };
                // Lower-casing can change byte lengths (rarely); then nothing is highlighted.
                let (before, found, after) = if lower.len() == line.len() && line.is_char_boundary(pos + q.len()) {
                    (line[..pos].to_owned(), line[pos..pos + q.len()].to_owned(), line[pos + q.len()..].to_owned())
                } else {
                    (line.to_owned(), String::new(), String::new())
                };
                r.lines.push(LineHit {
                    spec: s.id.clone(),
                    file: slash_path(&rel),
                    line: i + 1,
                    text: line.trim().to_owned(),
                    href,
                    before,
                    found,
                    after,
                });
                in_file += 1;
                if in_file >= MAX_PER_FILE {
                    break;
                }
            }
        }
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
