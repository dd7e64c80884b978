//! The portfolio: every spec with its phase, status, progress bar, blocked tasks and next task;
//! what to do next across all specs; `GET /api/status` gives the same as `specwork status
//! --json`.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use specwork_core::views::report;
use specwork_core::{Spec, TaskStatus};

use super::{Chrome, Lang, NavEntry, html};
use crate::i18n::Catalogue;
use crate::security::percent_encode;
use crate::state::{AppState, Snapshot};

pub(super) const NAV: NavEntry = NavEntry { key: "nav.portfolio", href: "/" };

pub(super) fn routes() -> Router<AppState> {
    Router::new().route("/", get(page)).route("/live/portfolio", get(live)).route("/api/status", get(api_status))
}

/// One spec row.
pub(crate) struct Row {
    pub href: String,
    pub id: String,
    pub title: String,
    pub layout: &'static str,
    pub phase: &'static str,
    pub status: &'static str,
    pub pct: u32,
    pub done: usize,
    pub total: usize,
    pub blocked: usize,
    pub next: Option<String>,
    pub depth: usize,
    pub read_only: bool,
}

/// A task shown in the "next" and "blocked" lists.
pub(crate) struct TaskLine {
    pub spec_href: String,
    pub spec_id: String,
    pub spec_title: String,
    pub id: String,
    pub title: String,
    pub status: &'static str,
    pub reason: String,
}

/// A document waiting for a person's decision, first in "What's next".
pub(crate) struct WaitingApproval {
    /// The approval's page.
    pub href: String,
    /// The spec (or `steering`).
    pub spec: String,
    /// The document's catalogue key (`doc.requirements`), or its file when it is no phase
    /// document.
    pub doc: String,
}

#[derive(Template)]
#[template(path = "portfolio.html")]
struct PortfolioPage {
    t: &'static Catalogue,
    chrome: Chrome,
    rows: Vec<Row>,
    waiting: Vec<WaitingApproval>,
    next: Vec<TaskLine>,
    next_more: usize,
    blocked: Vec<TaskLine>,
    blocked_more: usize,
    specs: usize,
    done: usize,
    total: usize,
    in_progress: usize,
    blocked_total: usize,
    pct: u32,
    filter: String,
    diagnostics: Vec<specwork_core::Diagnostic>,
}

impl PortfolioPage {
    fn filtered(&self, status: &str) -> bool {
        self.filter == status
    }

    fn waiting_line(&self, w: &WaitingApproval) -> String {
        let doc = if w.doc.starts_with("doc.") { self.t.t(&w.doc).to_owned() } else { w.doc.clone() };
        self.t.f("portfolio.approval_waiting", &[("doc", &doc), ("spec", &w.spec)])
    }
}

/// Every approval request still waiting for a decision, oldest first: what the workflow waits
/// for before any task.
fn waiting_approvals(ws: &specwork_core::Workspace) -> Vec<WaitingApproval> {
    use specwork_core::stores::approvals::{self, ApprovalStatus};
    let (records, _) = approvals::list(&ws.root);
    let mut v: Vec<(String, WaitingApproval)> = records
        .into_iter()
        .filter(|r| r.status == ApprovalStatus::Pending)
        .map(|r| {
            let (href, doc) = match r.doc {
                Some(d) => {
                    (format!("/approvals/{}/{}", percent_encode(&r.spec), d.as_str()), format!("doc.{}", d.as_str()))
                }
                None => ("/approvals".to_owned(), r.file_path.clone()),
            };
            (r.created_at, WaitingApproval { href, spec: r.spec, doc })
        })
        .collect();
    v.sort_by(|a, b| a.0.cmp(&b.0));
    v.into_iter().map(|(_, w)| w).collect()
}

#[derive(Deserialize)]
struct Params {
    #[serde(default)]
    status: String,
}

pub(crate) fn spec_href(id: &str) -> String {
    format!("/specs/{}", percent_encode(id))
}

fn task_line(spec: &Spec, t: &specwork_core::Task) -> TaskLine {
    TaskLine {
        spec_href: spec_href(&spec.id),
        spec_id: spec.id.clone(),
        spec_title: spec.title.clone(),
        id: t.id.clone(),
        title: t.title.clone(),
        status: t.status.as_str(),
        reason: t.blocked_reason.clone().unwrap_or_default(),
    }
}

const NEXT_SHOWN: usize = 12;
const BLOCKED_SHOWN: usize = 12;

fn build(snap: &Snapshot, t: &'static Catalogue, p: Params) -> PortfolioPage {
    {
        let ws = &snap.ws;
        let parents: HashMap<&str, Option<&str>> =
            ws.specs.iter().map(|s| (s.id.as_str(), s.parent.as_deref())).collect();
        let depth = |s: &Spec| {
            let mut d = 0;
            let mut cur = s.parent.as_deref();
            while let Some(p) = cur {
                d += 1;
                cur = parents.get(p).copied().flatten();
                if d > 32 {
                    break;
                }
            }
            d
        };
        let live: Vec<&Spec> = ws.specs.iter().filter(|s| !s.archived).collect();
        let mut totals = specwork_core::TaskCounts::default();
        let mut rows = Vec::with_capacity(live.len());
        let mut next_in_progress = Vec::new();
        let mut next_pending = Vec::new();
        let mut blocked = Vec::new();
        for s in &live {
            let c = s.tasks.counts();
            totals.merge(&c);
            let status = s.status().as_str();
            if let Some(n) = s.tasks.next_task() {
                if n.status == TaskStatus::InProgress {
                    next_in_progress.push(task_line(s, n));
                } else {
                    next_pending.push(task_line(s, n));
                }
            }
            blocked.extend(s.tasks.tasks.iter().filter(|t| t.status == TaskStatus::Blocked).map(|t| task_line(s, t)));
            if !p.status.is_empty() && p.status != status {
                continue;
            }
            rows.push(Row {
                href: spec_href(&s.id),
                id: s.id.clone(),
                title: s.title.clone(),
                layout: s.layout.as_str(),
                phase: report::phase(ws, s),
                status,
                pct: c.progress_pct(),
                done: c.done,
                total: c.total,
                blocked: c.blocked,
                next: s.tasks.next_task().map(|n| format!("{} {}", n.id, n.title)),
                depth: depth(s),
                read_only: !s.layout.writable(),
            });
        }
        next_in_progress.append(&mut next_pending);
        let mut next = next_in_progress;
        let next_more = next.len().saturating_sub(NEXT_SHOWN);
        next.truncate(NEXT_SHOWN);
        // Every blocked task is on its spec's row and page; the list shows the first ones.
        let blocked_more = blocked.len().saturating_sub(BLOCKED_SHOWN);
        blocked.truncate(BLOCKED_SHOWN);
        PortfolioPage {
            t,
            chrome: Chrome { live_parts: "/live/portfolio", ..Chrome::new(t.t("nav.portfolio"), NAV.key) },
            rows,
            waiting: waiting_approvals(ws),
            next,
            next_more,
            blocked,
            blocked_more,
            specs: live.len(),
            done: totals.done,
            total: totals.total,
            in_progress: totals.in_progress,
            blocked_total: totals.blocked,
            pct: totals.progress_pct(),
            filter: p.status,
            diagnostics: ws.diagnostics.clone(),
        }
    }
}

async fn page(State(app): State<AppState>, Lang(t): Lang, Query(p): Query<Params>) -> Response {
    app.blocking(move |app| html(&build(&app.snapshot(), t, p))).await
}

#[derive(Deserialize)]
struct LiveParams {
    #[serde(default)]
    status: String,
    /// Changed paths, one per line, as `GET /events` sent them.
    #[serde(default)]
    paths: String,
}

/// `GET /live/portfolio?paths=…`: what an open portfolio needs after a change, without
/// re-sending 2,000 rows: the stats, the next and blocked lists, and the rows of the specs that
/// own the changed files, as `{"full": false, "parts": {"element id": "outer HTML"}}`.
/// `{"full": true}` when the rows themselves may have changed (a new or removed file under a
/// spec folder, a row leaving the filter): the page then re-fetches itself.
async fn live(State(app): State<AppState>, Lang(t): Lang, Query(p): Query<LiveParams>) -> Response {
    app.blocking(move |app| {
        let snap = app.snapshot();
        let ws = &snap.ws;
        let full = || Json(serde_json::json!({ "full": true })).into_response();
        let mut ids: Vec<&str> = Vec::new();
        for line in p.paths.lines().filter(|l| !l.is_empty()) {
            let path = std::path::Path::new(line);
            let owners: Vec<&str> = ws
                .specs
                .iter()
                .filter(|s| crate::links::doc_paths(&s.docs).iter().any(|(_, f)| f.as_path() == path))
                .map(|s| s.id.as_str())
                .collect();
            if owners.is_empty() && crate::state::reads_spec_files(ws, path) {
                return full();
            }
            ids.extend(owners);
        }
        let page = build(&snap, t, Params { status: p.status });
        let Ok(html) = askama::Template::render(&page) else { return full() };
        let mut parts = serde_json::Map::new();
        for name in ["stats", "next", "blocked"] {
            match super::page_part(&html, name) {
                Some(h) => parts.insert(name.to_owned(), h.into()),
                None => return full(),
            };
        }
        for id in ids {
            let id = format!("row-{id}");
            let Some(row) = super::row_part(&html, &id) else { return full() };
            parts.insert(id, row.into());
        }
        Json(serde_json::json!({ "full": false, "parts": parts })).into_response()
    })
    .await
}

/// `GET /api/status`: the portfolio as `specwork status --json` prints it.
async fn api_status(State(app): State<AppState>) -> Response {
    app.blocking(|app| Json(report::portfolio(&app.snapshot().ws, false)).into_response()).await
}
