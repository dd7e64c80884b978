//! A spec's page: its documents rendered (requirements, design, tasks, spec, context) with
//! wiki links working, its task list with status buttons, its context timeline, deliverables,
//! parent and children.
//!
//! Routes: `GET /specs/{id}?doc=KEY`, `GET /api/specs/{id}` (the `specwork status SPEC
//! --json` report), `POST /api/specs/{id}/tasks/{task}/status` with `status` (and `reason`
//! for blocked) as a form or JSON; it answers with the task panel's HTML for htmx, else with
//! the change as JSON. The write is [`specwork_core::ops::task::set_marker`], the operation of
//! `specwork task set`: only the marker changes, atomically, conflict-checked, and the change is
//! journaled in the person's session on the spec.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path as UrlPath, Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use specwork_core::base::display;
use specwork_core::ops::session::SessionPick;
use specwork_core::ops::task as task_ops;
use specwork_core::views::report::{self, SessionSummary};
use specwork_core::views::trace::{self, Trace};
use specwork_core::{Spec, TaskStatus};

use super::portfolio::spec_href;
use super::{Chrome, Lang, NAV, PageError, find_spec, html};
use crate::i18n::Catalogue;
use crate::links::{Target, doc_paths};
use crate::security::percent_encode;
use crate::state::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/specs/{id}", get(page))
        .route("/specs/{id}/deliverables", get(deliverables_panel))
        .route("/api/specs/{id}", get(api_spec))
        .route("/api/specs/{id}/tasks/{task}/status", post(set_status))
}

/// A task as the panel shows it.
pub(crate) struct TaskView {
    pub id: String,
    pub enc_id: String,
    pub title: String,
    pub status: &'static str,
    pub level: usize,
    pub reason: String,
    pub meta: Vec<(&'static str, String)>,
    /// For a done task: `verified`, `unverified` (finished past a failing check) or empty.
    pub proof: &'static str,
}

impl TaskView {
    fn is(&self, status: &str) -> bool {
        self.status == status
    }
}

/// The task panel, alone (htmx swaps it after a status change).
#[derive(Template)]
#[template(path = "spec_tasks.html")]
struct TasksPanel {
    t: &'static Catalogue,
    enc_spec: String,
    writable: bool,
    tasks: Vec<TaskView>,
    tasks_file: String,
    done: usize,
    total: usize,
    pct: u32,
}

struct DocTab {
    key: &'static str,
    href: String,
    active: bool,
    /// Approval state (`pending`, `approved`, …) and whether it changed since approval.
    approval: Option<(&'static str, bool)>,
}

struct LinkView {
    href: String,
    label: String,
}

#[derive(Template)]
#[template(path = "spec.html")]
struct SpecPage {
    t: &'static Catalogue,
    chrome: Chrome,
    id: String,
    title: String,
    layout: &'static str,
    status: &'static str,
    phase: &'static str,
    archived: bool,
    crumbs: Vec<LinkView>,
    children: Vec<LinkView>,
    tabs: Vec<DocTab>,
    doc_key: &'static str,
    doc_path: String,
    doc_href: String,
    doc_html: String,
    panel: TasksPanel,
    enc_id: String,
    sessions: Vec<SessionSummary>,
    commits: Vec<(String, String)>,
    total_time: String,
    diagnostics: Vec<specwork_core::Diagnostic>,
    drift: Vec<specwork_core::views::drift::Drifted>,
    drift_decisions: Vec<specwork_core::views::drift::DecisionRef>,
    /// The estimate beside the actual usage, one line.
    estimate: Option<String>,
    /// Requirement coverage, when the spec has numbered requirements.
    trace: Option<Trace>,
    trace_summary: String,
}

#[derive(Deserialize)]
struct Params {
    #[serde(default)]
    doc: String,
}

/// The task panel of `spec`; `report` (its status report) gives each task's usage beside the
/// workspace's estimate per task.
fn panel(t: &'static Catalogue, spec: &Spec, report: &report::SpecReport) -> TasksPanel {
    let c = spec.tasks.counts();
    let per_task = report.estimate.tokens_per_task;
    let reported = |id: &str| report.completed.iter().chain(&report.in_progress).find(|r| r.id == id);
    let used = |id: &str| reported(id).and_then(|r| r.usage.as_ref());
    // Done tasks: verified (their check passed), unverified (forced past it), or neither.
    let proof = |id: &str| match report.completed.iter().find(|r| r.id == id).and_then(|r| r.verified.flatten()) {
        Some(true) => "verified",
        Some(false) => "unverified",
        None => "",
    };
    TasksPanel {
        t,
        enc_spec: percent_encode(&spec.id),
        writable: spec.layout.writable() && !spec.archived && spec.tasks_source.is_some(),
        tasks: spec
            .tasks
            .tasks
            .iter()
            .map(|task| {
                let mut meta = Vec::new();
                if !task.requirements.is_empty() {
                    meta.push(("task.requirements", task.requirements.join(", ")));
                }
                if !task.files.is_empty() {
                    meta.push(("task.files", task.files.join(", ")));
                }
                if let Some(p) = &task.purpose {
                    meta.push(("task.purpose", p.clone()));
                }
                if let Some(c) = &task.check {
                    meta.push(("task.check", c.clone()));
                }
                if let Some(u) = used(&task.id) {
                    meta.push((
                        "task.used",
                        format!(
                            "{} tokens, {} (est. {})",
                            display::fmt_tokens(u.tokens.total),
                            display::fmt_cost(u.cost_usd),
                            display::fmt_tokens(per_task)
                        ),
                    ));
                }
                if let Some(q) = reported(&task.id).and_then(|r| r.quota) {
                    meta.push(("task.quota", display::fmt_quota(q.five_hour, q.seven_day)));
                }
                TaskView {
                    id: task.id.clone(),
                    enc_id: percent_encode(&task.id),
                    title: task.title.clone(),
                    status: task.status.as_str(),
                    level: task.level.min(6),
                    reason: task.blocked_reason.clone().unwrap_or_default(),
                    meta,
                    proof: proof(&task.id),
                }
            })
            .collect(),
        tasks_file: spec
            .tasks_source
            .as_ref()
            .map(|s| specwork_core::base::display::slash_path(&s.file))
            .unwrap_or_default(),
        done: c.done,
        total: c.total,
        pct: c.progress_pct(),
    }
}

impl SpecPage {
    /// A session's share of the subscription quotas (`5h +9.5% · 7d +3.0%`).
    fn quota(&self, q: &specwork_core::stores::quota::QuotaUse) -> String {
        display::fmt_quota(q.five_hour, q.seven_day)
    }
}

/// Minutes as `4 h 30 min`.
fn hours(minutes: u64) -> String {
    match (minutes / 60, minutes % 60) {
        (0, m) => format!("{m} min"),
        (h, 0) => format!("{h} h"),
        (h, m) => format!("{h} h {m} min"),
    }
}

fn spec_page(app: &AppState, t: &'static Catalogue, id: &str, doc: &str) -> Result<Response, PageError> {
    let snap = app.snapshot();
    let ws = &snap.ws;
    let spec = find_spec(ws, id)?;
    let docs = doc_paths(&spec.docs);
    let chosen = docs.iter().find(|(k, _)| *k == doc).or_else(|| docs.first());
    let href = spec_href(&spec.id);
    // Approval states of requirements, design and tasks (named specs).
    let approvals = if spec.layout == specwork_core::Layout::SpecWorkflow && !spec.archived {
        specwork_core::stores::approvals::status(ws, &spec.id).map(|s| s.docs).unwrap_or_default()
    } else {
        Vec::new()
    };
    let tabs = docs
        .iter()
        .map(|(k, _)| DocTab {
            key: k,
            href: format!("{href}?doc={k}"),
            active: chosen.is_some_and(|(c, _)| c == k),
            approval: approvals
                .iter()
                .find(|a| a.doc.as_str() == *k && a.state != specwork_core::stores::approvals::DocState::Missing)
                .map(|a| (a.state.as_str(), a.changed_since_approval)),
        })
        .collect();
    let (doc_key, doc_path, doc_html) = match chosen {
        Some((key, path)) => {
            let src = ws.read_file(path).map_err(|e| PageError::Internal(e.to_string()))?;
            let src = String::from_utf8_lossy(&src);
            (*key, specwork_core::base::display::slash_path(path), crate::markdown::render(&src, path, &snap.links, t))
        }
        None => ("", String::new(), String::new()),
    };
    let mut crumbs = Vec::new();
    let mut cur = spec.parent.clone();
    while let Some(p) = cur {
        let Ok(ps) = ws.spec(&p) else { break };
        crumbs.push(LinkView { href: spec_href(&ps.id), label: format!("{} {}", ps.id, ps.title) });
        cur = ps.parent.clone();
        if crumbs.len() > 32 {
            break;
        }
    }
    crumbs.reverse();
    let children = spec
        .children
        .iter()
        .filter_map(|c| ws.spec(c).ok())
        .map(|c| LinkView { href: spec_href(&c.id), label: format!("{} {}", c.id, c.title) })
        .collect();
    let rep = report::spec_report(ws, spec);
    let e = &rep.estimate;
    let estimate = (e.tasks > 0).then(|| {
        let mut line = t.f(
            "spec.estimate_line",
            &[
                ("tasks", &e.tasks),
                ("per_task", &display::fmt_tokens(e.tokens_per_task)),
                ("tokens", &display::fmt_tokens(e.tokens)),
                ("usd", &display::fmt_cost(e.usd)),
                ("model", &e.model),
            ],
        );
        let left = e.remaining_tasks.len();
        if left > 0 && left < e.tasks {
            line.push_str(" · ");
            line.push_str(&t.f(
                "spec.remaining_line",
                &[
                    ("n", &left),
                    ("tokens", &display::fmt_tokens(e.remaining_tokens)),
                    ("usd", &display::fmt_cost(e.remaining_usd)),
                ],
            ));
        }
        if e.measured_tasks > 0 {
            line.push_str(" · ");
            line.push_str(&t.f(
                "spec.actual_line",
                &[
                    ("tokens", &display::fmt_tokens(e.actual_tokens)),
                    ("usd", &display::fmt_cost(e.actual_usd)),
                    ("n", &e.measured_tasks),
                    ("est", &display::fmt_tokens(e.estimate_for_measured_tokens)),
                ],
            ));
        }
        line
    });
    let panel = panel(t, spec, &rep);
    let sessions = rep.sessions;
    let drift = rep.drift;
    let drift_decisions = rep.drift_decisions;
    let commits = spec.context.iter().flat_map(|c| &c.sessions).flat_map(|s| s.commits.clone()).collect();
    let total: u64 = sessions.iter().filter_map(|s| s.minutes).sum();
    let own: Vec<String> = docs.iter().map(|(_, p)| specwork_core::base::display::slash_path(p)).collect();
    let dir = format!("{}/", specwork_core::base::display::slash_path(&spec.dir));
    let named = spec.layout != specwork_core::Layout::Numbered;
    let diagnostics = ws
        .diagnostics
        .iter()
        .filter(|d| own.contains(&d.file) || (named && d.file.starts_with(&dir)))
        .cloned()
        .collect();
    let trace = Some(trace::trace(ws, spec, false)).filter(|tr| !tr.requirements.is_empty());
    let trace_summary = trace.as_ref().map_or_else(String::new, |tr| {
        let total = tr.requirements.len();
        t.f("spec.trace_summary", &[("covered", &(total - tr.uncovered)), ("total", &total)])
    });
    let page = SpecPage {
        t,
        chrome: Chrome::new(format!("{} {}", spec.id, spec.title), NAV[0].key).with_diagrams(&doc_html),
        id: spec.id.clone(),
        enc_id: percent_encode(&spec.id),
        title: spec.title.clone(),
        layout: spec.layout.as_str(),
        status: spec.status().as_str(),
        phase: report::phase(ws, spec),
        archived: spec.archived,
        crumbs,
        children,
        tabs,
        doc_key,
        doc_href: if doc_path.is_empty() {
            String::new()
        } else {
            crate::markdown::target_url(&Target::File(doc_path.clone().into()), None)
        },
        doc_path,
        doc_html,
        panel,
        estimate,
        sessions,
        commits,
        total_time: if total > 0 { hours(total) } else { String::new() },
        diagnostics,
        drift,
        drift_decisions,
        trace,
        trace_summary,
    };
    Ok(html(&page))
}

async fn page(
    State(app): State<AppState>,
    Lang(t): Lang,
    UrlPath(id): UrlPath<String>,
    Query(p): Query<Params>,
) -> Response {
    app.blocking(move |app| spec_page(app, t, &id, &p.doc).unwrap_or_else(IntoResponse::into_response)).await
}

async fn api_spec(State(app): State<AppState>, UrlPath(id): UrlPath<String>) -> Response {
    app.blocking(move |app| {
        let snap = app.snapshot();
        match find_spec(&snap.ws, &id) {
            Ok(spec) => Json(report::spec_report(&snap.ws, spec)).into_response(),
            Err(e) => e.json(),
        }
    })
    .await
}

#[derive(Deserialize)]
struct StatusBody {
    status: String,
    #[serde(default)]
    reason: Option<String>,
}

/// Reads a form or JSON body.
fn parse_body(headers: &HeaderMap, body: &[u8]) -> Result<StatusBody, PageError> {
    let ty = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    if ty.starts_with("application/json") {
        serde_json::from_slice(body).map_err(|e| PageError::BadRequest(format!("invalid JSON body: {e}")))
    } else {
        let text = std::str::from_utf8(body).map_err(|_| PageError::BadRequest("body is not UTF-8".into()))?;
        let mut status = None;
        let mut reason = None;
        for kv in text.split('&') {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            let v = crate::security::percent_decode(&v.replace('+', " "));
            match k {
                "status" => status = Some(v),
                "reason" if !v.trim().is_empty() => reason = Some(v),
                _ => {}
            }
        }
        let status = status.ok_or_else(|| PageError::BadRequest("missing `status`".into()))?;
        Ok(StatusBody { status, reason })
    }
}

fn change_status(
    app: &AppState,
    t: &'static Catalogue,
    id: &str,
    task: &str,
    body: StatusBody,
    htmx: bool,
) -> Result<Response, PageError> {
    let status = TaskStatus::parse(&body.status).ok_or_else(|| {
        PageError::BadRequest(format!("unknown status `{}`: use pending, in-progress, done or blocked", body.status))
    })?;
    let reason = body.reason.filter(|_| status == TaskStatus::Blocked);
    let change = {
        let snap = app.snapshot();
        let spec = find_spec(&snap.ws, id)?;
        if spec.archived {
            return Err(PageError::BadRequest(format!("spec `{id}` is archived")));
        }
        // One operation with the CLI's `task set`: the marker and a journaled `log_task`.
        let r = task_ops::set_marker(&snap.ws, spec, task, status, reason.as_deref(), &SessionPick::default())?;
        r.change.expect("set_marker always edits the marker")
    };
    // Show the page's own write at once, without waiting for the watcher.
    app.refresh(std::slice::from_ref(&change.file));
    if !htmx {
        return Ok(Json(change).into_response());
    }
    let snap = app.snapshot();
    let spec = find_spec(&snap.ws, id)?;
    Ok(html(&panel(t, spec, &report::spec_report(&snap.ws, spec))))
}

async fn set_status(
    State(app): State<AppState>,
    Lang(t): Lang,
    UrlPath((id, task)): UrlPath<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let htmx = headers.contains_key("hx-request");
    let parsed = match parse_body(&headers, &body) {
        Ok(b) => b,
        Err(e) => return if htmx { e.into_response() } else { e.json() },
    };
    app.blocking(move |app| match change_status(app, t, &id, &task, parsed, htmx) {
        Ok(r) => r,
        Err(e) if htmx => e.into_response(),
        Err(e) => e.json(),
    })
    .await
}

/// One deliverable as the panel shows it.
struct DeliverableView {
    href: String,
    file: String,
    purpose: String,
    detail: String,
}

/// A spec that links to this one or its deliverables.
struct UsedBy {
    href: String,
    label: String,
    uses: Vec<String>,
}

/// The deliverables panel: the seed's Deliverables Report
/// ([`specwork_core::views::deliverables::report::build`]) and the specs that use this one
/// (backlinks). Loaded after the page (`hx-trigger="load"`): on large workspaces finding
/// backlinks reads every spec, which the page itself should not wait for.
#[derive(Template)]
#[template(path = "spec_deliverables.html")]
struct DeliverablesPanel {
    t: &'static Catalogue,
    groups: Vec<(&'static str, Vec<DeliverableView>)>,
    missing: Vec<String>,
    used_by: Vec<UsedBy>,
}

fn file_href(path: &str) -> String {
    crate::markdown::target_url(&Target::File(path.into()), None)
}

async fn deliverables_panel(State(app): State<AppState>, Lang(t): Lang, UrlPath(id): UrlPath<String>) -> Response {
    app.blocking(move |app| {
        let snap = app.snapshot();
        let spec = match find_spec(&snap.ws, &id) {
            Ok(s) => s,
            Err(e) => return e.into_response(),
        };
        let r = specwork_core::views::deliverables::report::build(&snap.ws, snap.links.vault(), spec);
        let purpose = |p: &Option<String>| p.clone().unwrap_or_default();
        let scripts: Vec<DeliverableView> = r
            .scripts
            .iter()
            .map(|x| DeliverableView {
                href: file_href(&x.path),
                file: x.file.clone(),
                purpose: purpose(&x.purpose),
                detail: match &x.dependencies {
                    Some(d) if !d.is_empty() => format!("{} · {}", x.size, d.join(", ")),
                    _ => x.size.clone(),
                },
            })
            .collect();
        let docs: Vec<DeliverableView> = r
            .docs
            .iter()
            .map(|x| DeliverableView {
                href: file_href(&x.path),
                file: x.file.clone(),
                purpose: purpose(&x.purpose),
                detail: format!("{} · {} p.", x.format, x.pages),
            })
            .collect();
        let config: Vec<DeliverableView> = r
            .config
            .iter()
            .map(|x| DeliverableView {
                href: file_href(&x.path),
                file: x.file.clone(),
                purpose: purpose(&x.purpose),
                detail: x.target.clone().unwrap_or_default(),
            })
            .collect();
        let groups: Vec<(&'static str, Vec<DeliverableView>)> =
            vec![("scripts", scripts), ("docs", docs), ("config", config)]
                .into_iter()
                .filter(|(_, v)| !v.is_empty())
                .collect();
        let used_by = r
            .used_by
            .iter()
            .map(|u| UsedBy {
                href: spec_href(&u.spec),
                label: format!("{} {}", u.spec, u.title),
                uses: u.uses.iter().map(|x| x.uses.clone()).collect(),
            })
            .collect();
        html(&DeliverablesPanel { t, groups, missing: r.missing, used_by })
    })
    .await
}
