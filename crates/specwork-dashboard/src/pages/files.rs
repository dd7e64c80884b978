//! Files inside the workspace that links point to (deliverables, notes, logs): `GET
//! /files/{path}` shows one (Markdown rendered, other text as is), `GET /raw/{path}` serves its
//! bytes (sandboxed, never executed). Both go through [`crate::security::confine`]: no `..`, no
//! absolute or encoded paths, no hidden files, nothing outside the workspace.

use askama::Template;
use axum::Router;
use axum::extract::{Path as UrlPath, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use super::{Chrome, Lang, NAV, PageError, html};
use crate::i18n::Catalogue;
use crate::security::confine;
use crate::state::AppState;

/// Larger files are not shown inline.
const MAX_SHOWN: u64 = 2 * 1024 * 1024;

pub(super) fn routes() -> Router<AppState> {
    Router::new().route("/files/{*path}", get(page)).route("/raw/{*path}", get(raw))
}

#[derive(Template)]
#[template(path = "file.html")]
struct FilePage {
    t: &'static Catalogue,
    chrome: Chrome,
    path: String,
    raw_href: String,
    spec_href: String,
    size: u64,
    markdown: String,
    text: String,
    binary: bool,
    /// A deliverable's traceback header as links (code files; Markdown shows it in place).
    traceback: String,
}

fn file_page(app: &AppState, t: &'static Catalogue, rel: &str) -> Result<Response, PageError> {
    let abs = confine(app.root(), rel).map_err(|e| PageError::NotFound(e.to_string()))?;
    let meta = fs_err::metadata(&abs).map_err(|e| PageError::NotFound(e.to_string()))?;
    if !meta.is_file() {
        return Err(PageError::NotFound(format!("`{rel}` is not a file")));
    }
    let snap = app.snapshot();
    let rel_path = std::path::Path::new(rel);
    let spec_href = snap
        .links
        .spec_doc(rel_path)
        .map(|(id, key)| format!("{}?doc={key}", super::portfolio::spec_href(id)))
        .unwrap_or_default();
    let (mut markdown, mut text, mut binary) = (String::new(), String::new(), false);
    let mut traceback = String::new();
    if meta.len() <= MAX_SHOWN {
        let bytes = specwork_core::base::path_policy::read(&abs).map_err(|e| PageError::Internal(e.to_string()))?;
        if bytes.contains(&0) {
            binary = true;
        } else {
            let s = String::from_utf8_lossy(&bytes);
            if rel.ends_with(".md") {
                markdown = crate::markdown::render(&s, rel_path, &snap.links, t);
            } else {
                text = s.into_owned();
            }
        }
    } else {
        binary = true;
    }
    if markdown.is_empty()
        && let Some(h) = specwork_core::views::deliverables::header::read(app.root(), rel_path)
    {
        traceback = crate::markdown::traceback_html(&h, &snap.links, t);
    }
    Ok(html(&FilePage {
        t,
        chrome: Chrome::new(rel, NAV[0].key).with_diagrams(&markdown),
        path: rel.to_owned(),
        raw_href: format!("/raw/{}", crate::security::percent_encode_path(rel)),
        spec_href,
        size: meta.len(),
        markdown,
        text,
        binary,
        traceback,
    }))
}

async fn page(State(app): State<AppState>, Lang(t): Lang, UrlPath(path): UrlPath<String>) -> Response {
    app.blocking(move |app| file_page(app, t, &path).unwrap_or_else(IntoResponse::into_response)).await
}

fn content_type(path: &str) -> &'static str {
    let ext = path.rsplit('.').next().unwrap_or("").to_ascii_lowercase();
    match ext.as_str() {
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "pdf" => "application/pdf",
        "json" => "application/json",
        _ => "text/plain; charset=utf-8",
    }
}

async fn raw(State(app): State<AppState>, UrlPath(path): UrlPath<String>) -> Response {
    app.blocking(move |app| {
        let abs = match confine(app.root(), &path) {
            Ok(p) if p.is_file() => p,
            Ok(_) => return PageError::NotFound(format!("`{path}` is not a file")).into_response(),
            Err(e) => return PageError::NotFound(e.to_string()).into_response(),
        };
        match specwork_core::base::path_policy::read(&abs) {
            Ok(bytes) => (
                [
                    (header::CONTENT_TYPE, content_type(&path)),
                    // Served files never run script, whatever they hold (SVG, HTML).
                    (header::CONTENT_SECURITY_POLICY, "sandbox; default-src 'none'"),
                ],
                bytes,
            )
                .into_response(),
            Err(e) => PageError::Internal(e.to_string()).into_response(),
        }
    })
    .await
}
