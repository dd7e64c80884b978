//! Approvals of requirements, design, tasks and steering documents, on
//! [`specwork_core::stores::approvals`] (the same records, snapshots and hashes as `specwork approval`,
//! file-compatible with spec-workflow-mcp).
//!
//! Routes: `GET /approvals` (every document with a request, pending first, then sent back,
//! then changed since approval, then approved; and the record history), `GET
//! /approvals/{spec}/{doc}` (the document, its diff against the last approved version, the
//! comments, and the decision buttons), `POST /api/approvals/{spec}/{doc}/approve|reject|revise`
//! (and `request`) with `{"comment": …}` as JSON or a form. JSON clients get the outcome as
//! JSON; the page's own buttons (htmx) are sent back to the document's page.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path as UrlPath, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use specwork_core::base::write::WriteError;
use specwork_core::model::workspace::WorkspaceError;
use specwork_core::stores::approvals::{
    self, ApprovalError, ApprovalSummary, Decision, DiffBase, DocApproval, DocState, RequestOptions,
};

use super::portfolio::spec_href;
use super::{Chrome, Lang, NavEntry, PageError, html};
use crate::i18n::Catalogue;
use crate::security::percent_encode;
use crate::state::AppState;

pub(super) const NAV: NavEntry = NavEntry { key: "nav.approvals", href: "/approvals" };

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/approvals", get(list_page))
        .route("/approvals/{spec}/{doc}", get(doc_page))
        .route("/api/approvals", get(api_list))
        .route("/api/approvals/{spec}/{doc}/{action}", post(act))
}

fn approval_error(e: ApprovalError) -> PageError {
    let hint = match &e {
        ApprovalError::CommentRequired { .. } => "write what must change in the comment box",
        ApprovalError::Write(WriteError::Conflict { .. }) => {
            "the file changed meanwhile; reload the page and try again"
        }
        ApprovalError::StillPending { .. } => "approve, reject or send it back first",
        ApprovalError::DocMissing { .. } => "the document is not written yet",
        ApprovalError::UntouchedTemplate { .. } => "fill in the template's placeholders before approving it",
        ApprovalError::Archived { .. } => "the spec is archived",
        _ => "reload the page; the files may have changed",
    };
    let msg = format!("{e} ({hint})");
    match &e {
        ApprovalError::Workspace(WorkspaceError::NoSuchSpec { .. }) => PageError::NotFound(msg),
        ApprovalError::Write(WriteError::Conflict { .. }) => PageError::Conflict(msg),
        ApprovalError::Write(WriteError::Io(_)) => PageError::Internal(msg),
        _ => PageError::BadRequest(msg),
    }
}

/// Sort key: what needs a person first.
fn urgency(d: &DocApproval) -> u8 {
    match d.state {
        DocState::Pending => 0,
        DocState::NeedsRevision | DocState::Rejected => 1,
        DocState::Approved if d.changed_since_approval => 2,
        DocState::Created => 3,
        DocState::Approved => 4,
        DocState::Missing => 5,
    }
}

struct DocRow {
    spec: String,
    spec_title: String,
    doc: &'static str,
    href: String,
    state: &'static str,
    changed: bool,
    requested_at: String,
    response: String,
}

#[derive(Template)]
#[template(path = "approvals.html")]
struct ListPage {
    t: &'static Catalogue,
    chrome: Chrome,
    rows: Vec<DocRow>,
    pending: usize,
    history: Vec<ApprovalSummary>,
    diagnostics: Vec<specwork_core::Diagnostic>,
}

fn doc_href(spec: &str, doc: &str) -> String {
    format!("/approvals/{}/{}", percent_encode(spec), percent_encode(doc))
}

fn list(app: &AppState, t: &'static Catalogue) -> Response {
    let snap = app.snapshot();
    let ws = &snap.ws;
    let (history, mut diagnostics) = approvals::list(&ws.root);
    // Every category that has a record, plus steering when its folder exists.
    let mut names: Vec<String> = history.iter().map(|h| h.spec.clone()).collect();
    names.sort();
    names.dedup();
    let mut rows = Vec::new();
    for name in &names {
        let Ok(status) = approvals::status(ws, name) else { continue };
        let title = ws.spec(name).map(|s| s.title.clone()).unwrap_or_else(|_| name.clone());
        diagnostics.extend(status.diagnostics);
        for d in status.docs.iter().filter(|d| d.records > 0 || d.approved.is_some()) {
            rows.push((
                urgency(d),
                DocRow {
                    spec: status.spec.clone(),
                    spec_title: title.clone(),
                    doc: d.doc.as_str(),
                    href: doc_href(&status.spec, d.doc.as_str()),
                    state: d.state.as_str(),
                    changed: d.changed_since_approval,
                    requested_at: d.requested_at.clone().unwrap_or_default(),
                    response: d.response.clone().unwrap_or_default(),
                },
            ));
        }
    }
    rows.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| b.1.requested_at.cmp(&a.1.requested_at)));
    let pending = rows.iter().filter(|r| r.0 == 0).count();
    html(&ListPage {
        t,
        chrome: Chrome::new(t.t("nav.approvals"), NAV.key),
        rows: rows.into_iter().map(|r| r.1).collect(),
        pending,
        history,
        diagnostics,
    })
}

async fn list_page(State(app): State<AppState>, Lang(t): Lang) -> Response {
    app.blocking(move |app| list(app, t)).await
}

async fn api_list(State(app): State<AppState>) -> Response {
    app.blocking(|app| {
        let (records, diagnostics) = approvals::list(app.root());
        Json(serde_json::json!({ "approvals": records, "diagnostics": diagnostics })).into_response()
    })
    .await
}

#[derive(Template)]
#[template(path = "approval.html")]
struct DocPage {
    t: &'static Catalogue,
    chrome: Chrome,
    spec: String,
    spec_title: String,
    spec_href: String,
    doc: &'static str,
    file: String,
    state: &'static str,
    changed: bool,
    progress_only: bool,
    approved_at: String,
    response: String,
    comments: Vec<(String, String)>,
    diff: Vec<(&'static str, String)>,
    diff_base: String,
    doc_html: String,
    api: String,
    writable: bool,
}

fn diff_lines(unified: &str) -> Vec<(&'static str, String)> {
    unified
        .lines()
        .map(|l| {
            let class = if l.starts_with("+++") || l.starts_with("---") {
                "head"
            } else if l.starts_with("@@") {
                "hunk"
            } else if l.starts_with('+') {
                "add"
            } else if l.starts_with('-') {
                "del"
            } else {
                "ctx"
            };
            (class, l.to_owned())
        })
        .collect()
}

fn doc(app: &AppState, t: &'static Catalogue, spec: &str, doc: &str) -> Result<Response, PageError> {
    let snap = app.snapshot();
    let ws = &snap.ws;
    let target = approvals::target(ws, spec, doc).map_err(approval_error)?;
    let (state, _) = approvals::doc_status(ws, &target);
    let (diff, diff_base) = match approvals::diff(ws, &target, DiffBase::LastApproved)
        .or_else(|_| approvals::diff(ws, &target, DiffBase::LastSnapshot))
    {
        Ok(d) => (diff_lines(&d.unified), format!("v{} ({}, {})", d.base_version, d.base_trigger, d.base_timestamp)),
        Err(_) => (Vec::new(), String::new()),
    };
    let doc_html = match ws.read_file(&target.file) {
        Ok(b) => crate::markdown::render(&String::from_utf8_lossy(&b), &target.file, &snap.links, t),
        Err(_) => String::new(),
    };
    let spec_title = ws.spec(&target.category_name).map(|s| s.title.clone()).unwrap_or_default();
    let page = DocPage {
        t,
        chrome: Chrome::new(format!("{} {}", target.category_name, target.doc.as_str()), NAV.key)
            .with_diagrams(&doc_html),
        spec_href: if spec_title.is_empty() { String::new() } else { spec_href(&target.category_name) },
        spec_title,
        spec: target.category_name.clone(),
        doc: target.doc.as_str(),
        file: target.file_str(),
        state: state.state.as_str(),
        changed: state.changed_since_approval,
        progress_only: state.progress_only_changes,
        approved_at: state.approved.as_ref().map(|a| a.approved_at.clone()).unwrap_or_default(),
        response: state.response.clone().unwrap_or_default(),
        comments: state.comments.iter().map(|c| (c.timestamp.clone(), c.comment.clone())).collect(),
        diff,
        diff_base,
        doc_html,
        api: format!("/api/approvals/{}/{}", percent_encode(&target.category_name), target.doc.as_str()),
        writable: state.exists && !target.archived,
    };
    Ok(html(&page))
}

async fn doc_page(
    State(app): State<AppState>,
    Lang(t): Lang,
    UrlPath((spec, d)): UrlPath<(String, String)>,
) -> Response {
    app.blocking(move |app| doc(app, t, &spec, &d).unwrap_or_else(IntoResponse::into_response)).await
}

/// The comment from a JSON (`{"comment": …}`) or form (`comment=…`) body; empty means none.
fn comment_of(headers: &HeaderMap, body: &[u8]) -> Result<Option<String>, PageError> {
    if body.is_empty() {
        return Ok(None);
    }
    let ty = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let comment = if ty.starts_with("application/json") {
        let v: serde_json::Value =
            serde_json::from_slice(body).map_err(|e| PageError::BadRequest(format!("invalid JSON body: {e}")))?;
        match v.get("comment") {
            None | Some(serde_json::Value::Null) => None,
            Some(serde_json::Value::String(s)) => Some(s.clone()),
            Some(_) => return Err(PageError::BadRequest("`comment` must be a string".into())),
        }
    } else {
        let text = std::str::from_utf8(body).map_err(|_| PageError::BadRequest("body is not UTF-8".into()))?;
        text.split('&')
            .find_map(|kv| kv.strip_prefix("comment="))
            .map(|v| crate::security::percent_decode(&v.replace('+', " ")))
    };
    Ok(comment.filter(|c| !c.trim().is_empty()))
}

fn decide(app: &AppState, spec: &str, doc: &str, action: &str, comment: Option<&str>) -> Result<Response, PageError> {
    let outcome = {
        let snap = app.snapshot();
        let ws = &snap.ws;
        let target = approvals::target(ws, spec, doc).map_err(approval_error)?;
        let r = match action {
            "approve" => approvals::decide(ws, &target, Decision::Approve, comment),
            "reject" => approvals::decide(ws, &target, Decision::Reject, comment),
            "revise" => approvals::decide(ws, &target, Decision::Revise, comment),
            "request" => approvals::request(ws, &target, &RequestOptions::default()),
            other => {
                return Err(PageError::BadRequest(format!(
                    "unknown action `{other}`: use approve, reject, revise or request"
                )));
            }
        };
        r.map_err(approval_error)?
    };
    Ok((StatusCode::OK, Json(outcome)).into_response())
}

async fn act(
    State(app): State<AppState>,
    UrlPath((spec, d, action)): UrlPath<(String, String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let htmx = headers.contains_key("hx-request");
    let comment = match comment_of(&headers, &body) {
        Ok(c) => c,
        Err(e) => return e.json(),
    };
    app.blocking(move |app| match decide(app, &spec, &d, &action, comment.as_deref()) {
        Ok(mut r) if htmx => {
            // The page's own buttons: show the document's page anew.
            if let Ok(v) = HeaderValue::from_str(&doc_href(&spec, &d)) {
                r.headers_mut().insert("hx-redirect", v);
            }
            r
        }
        Ok(r) => r,
        Err(e) => e.json(),
    })
    .await
}
