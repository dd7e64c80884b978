//! `dashboard --projects`: one server for every registered workspace.
//!
//! - `/` is the home page: each project's progress, open sessions, approvals waiting, today's
//!   and this month's cost, from [`specwork_core::views::projects`] (the view behind `status
//!   --projects`); `GET /api/projects` gives it as `status --projects --json` prints it.
//! - `/p/{name}/…` is every page of one project exactly as a single-workspace dashboard serves
//!   it: the project's own router ([`super::router`] over its own state) is mounted there, and
//!   the absolute links of its HTML and JSON answers get the prefix ([`Mount::rewrite`]). Its
//!   pages carry a project switcher.
//! - Live: each workspace has its own watcher (an idle one costs nothing: inotify waits in the
//!   kernel). `/p/{name}/events` is that project's stream; `/events` merges them with the
//!   paths prefixed by the project's name, and the home page re-fetches only the rows of the
//!   projects that changed (`GET /live/projects?paths=…`), keeping the other rows' figures.

use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use askama::Template;
use axum::body::Body;
use axum::extract::{Query, Request, State};
use axum::http::header;
use axum::middleware::{self, Next};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use futures_util::stream::{self, Stream, StreamExt};
use serde::Deserialize;
use specwork_core::base::display::{fmt_cost, fmt_tokens};
use specwork_core::stores::projects::{Project, Registry};
use specwork_core::views::projects::{self as view, ProjectRow, ProjectsQuery, ProjectsReport};
use tokio::sync::broadcast::error::RecvError;

use super::{Chrome, Lang};
use crate::i18n::Catalogue;
use crate::markdown::escape;
use crate::state::AppState;

struct Home {
    /// The served projects, in registry order.
    projects: Vec<(String, AppState)>,
    /// The registry entries of the served projects.
    registry: Registry,
    /// The last report shown, so a change in one project recomputes only its row.
    last: Mutex<Option<ProjectsReport>>,
}

#[derive(Clone)]
struct HomeState(Arc<Home>);

/// What a mounted project's answers need: its prefix, and the switcher's entries.
struct Mount {
    name: String,
    names: Vec<String>,
}

impl Mount {
    fn base(&self) -> String {
        format!("/p/{}", self.name)
    }

    /// The answer's absolute links with the project's prefix: attributes in HTML (`href="/…"`),
    /// the same inside JSON strings (`href=\"/…\"`, live page parts), and `"href":"/…"` fields
    /// of JSON answers. Pages get `data-base` on `<body>` (app.js opens `/p/{name}/events`) and
    /// the project switcher in their header.
    fn rewrite(&self, text: &str, html: bool, t: &Catalogue) -> String {
        let base = self.base();
        let mut out = text.to_owned();
        for attr in ["href", "src", "action", "hx-get", "hx-post", "data-live-parts"] {
            out = out.replace(&format!("{attr}=\"/\""), &format!("{attr}=\"{base}\""));
            out = out.replace(&format!("{attr}=\"/"), &format!("{attr}=\"{base}/"));
            out = out.replace(&format!("{attr}=\\\"/"), &format!("{attr}=\\\"{base}/"));
        }
        out = out.replace("\"href\":\"/", &format!("\"href\":\"{base}/"));
        if html {
            out = out.replacen("<body>", &format!("<body data-base=\"{}\">", escape(&base)), 1);
            let mut sw = format!(
                "<header class=\"top\">\n  <details class=\"switcher\" id=\"switcher\"><summary>{} ▾</summary><div><a href=\"/\">{}</a>",
                escape(&self.name),
                escape(t.t("projects.all"))
            );
            for n in &self.names {
                let cur = if *n == self.name { " class=\"active\" aria-current=\"page\"" } else { "" };
                sw.push_str(&format!("<a href=\"/p/{0}\"{cur}>{0}</a>", escape(n)));
            }
            sw.push_str("</div></details>");
            out = out.replacen("<header class=\"top\">", &sw, 1);
        }
        out
    }
}

async fn mount(State(m): State<Arc<Mount>>, Lang(t): Lang, req: Request, next: Next) -> Response {
    let resp = next.run(req).await;
    let ct = resp.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    let html = ct.starts_with("text/html");
    if !html && !ct.starts_with("application/json") {
        return resp;
    }
    let (mut parts, body) = resp.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return super::PageError::Internal("answer body".into()).into_response();
    };
    let body = match std::str::from_utf8(&bytes) {
        Ok(text) => Body::from(m.rewrite(text, html, t)),
        Err(_) => Body::from(bytes),
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, body)
}

/// The router of `dashboard --projects` (at least one project).
pub(crate) fn router(projects: Vec<(String, AppState)>) -> Router {
    let guard_state = projects[0].1.clone();
    let names: Vec<String> = projects.iter().map(|(n, _)| n.clone()).collect();
    let registry = Registry {
        file: specwork_core::stores::projects::config_dir()
            .map(|d| d.join(specwork_core::stores::projects::FILE))
            .unwrap_or_default(),
        projects: projects
            .iter()
            .map(|(n, s)| Project { name: n.clone(), path: s.root().to_owned(), line: 0 })
            .collect(),
        diagnostics: Vec::new(),
    };
    let home = HomeState(Arc::new(Home { projects: projects.clone(), registry, last: Mutex::new(None) }));
    let mut app = Router::new()
        .route("/", get(page))
        .route("/api/projects", get(api))
        .route("/live/projects", get(live))
        .route("/events", get(events))
        .with_state(home)
        .route("/assets/{name}", get(crate::assets::serve));
    for (name, state) in projects {
        let m = Arc::new(Mount { name: name.clone(), names: names.clone() });
        let inner = super::router(state).layer(middleware::from_fn_with_state(m, mount));
        app = app.nest(&format!("/p/{name}"), inner);
    }
    let known = Arc::new(names);
    app.fallback(move |lang: Lang, uri: axum::http::Uri| {
        let known = known.clone();
        async move {
            // `/p/NAME/` is the project's portfolio at `/p/NAME`.
            let name = uri.path().strip_prefix("/p/").and_then(|r| r.strip_suffix('/'));
            match name.filter(|n| known.iter().any(|k| k == n)) {
                Some(n) => axum::response::Redirect::permanent(&format!("/p/{n}")).into_response(),
                None => super::not_found(lang).await,
            }
        }
    })
    .layer(middleware::from_fn(super::remember_lang))
    .layer(middleware::from_fn_with_state(guard_state, crate::security::guard))
}

/// One project's row as the home page shows it.
struct Row {
    name: String,
    href: String,
    path: String,
    stale: String,
    specs: usize,
    done: usize,
    total: usize,
    pct: u32,
    sessions: usize,
    approvals: usize,
    approvals_href: String,
    today: String,
    today_tokens: String,
    month: String,
    over_budget: bool,
}

#[derive(Template)]
#[template(path = "projects.html")]
struct ProjectsPage {
    t: &'static Catalogue,
    chrome: Chrome,
    rows: Vec<Row>,
    projects: usize,
    specs: usize,
    done: usize,
    total: usize,
    pct: u32,
    sessions: usize,
    approvals: usize,
    today: String,
    month: String,
    month_label: String,
}

fn row(p: &ProjectRow) -> Row {
    Row {
        href: format!("/p/{}", p.name),
        approvals_href: format!("/p/{}/approvals", p.name),
        name: p.name.clone(),
        path: p.path.clone(),
        stale: p.stale.unwrap_or("").to_owned(),
        specs: p.specs,
        done: p.tasks.done,
        total: p.tasks.total,
        pct: p.progress_pct,
        sessions: p.active_sessions.len(),
        approvals: p.approvals_pending,
        today: fmt_cost(p.today.cost_usd),
        today_tokens: fmt_tokens(p.today.tokens),
        month: fmt_cost(p.month.cost_usd),
        over_budget: p.over_budget,
    }
}

fn render(t: &'static Catalogue, r: &ProjectsReport) -> ProjectsPage {
    let x = &r.totals;
    ProjectsPage {
        t,
        chrome: Chrome {
            nav: &[],
            ignore: "",
            live_parts: "/live/projects",
            ..Chrome::new(t.t("projects.title"), "projects.title")
        },
        rows: r.projects.iter().map(row).collect(),
        projects: x.projects,
        specs: x.specs,
        done: x.tasks.done,
        total: x.tasks.total,
        pct: x.progress_pct,
        sessions: x.active_sessions,
        approvals: x.approvals_pending,
        today: fmt_cost(x.today_cost_usd),
        month: fmt_cost(x.month_cost_usd),
        month_label: t.f("projects.month_since", &[("date", &r.month_from)]),
    }
}

impl Home {
    /// The whole report, computed anew (and kept for [`Home::refresh`]).
    fn report(&self) -> ProjectsReport {
        let r = view::build(&self.registry, &ProjectsQuery::default());
        *self.last.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(r.clone());
        r
    }

    /// The last report with the rows of `changed` projects computed anew; `None` when there is
    /// no last report (or the day changed: every row's "today" moved).
    fn refresh(&self, changed: &[&str]) -> Option<ProjectsReport> {
        let mut guard = self.last.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let last = guard.as_mut()?;
        let sub = Registry {
            projects: self.registry.projects.iter().filter(|p| changed.contains(&p.name.as_str())).cloned().collect(),
            ..self.registry.clone()
        };
        let fresh = view::build(&sub, &ProjectsQuery::default());
        if fresh.date != last.date {
            return None;
        }
        for row in fresh.projects {
            if let Some(r) = last.projects.iter_mut().find(|r| r.name == row.name) {
                *r = row;
            }
        }
        last.totals = view::totals(&last.projects);
        Some(last.clone())
    }
}

/// Runs blocking work (workspace reads, log scans) off the async thread.
async fn blocking(f: impl FnOnce() -> Response + Send + 'static) -> Response {
    tokio::task::spawn_blocking(f).await.unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()))
}

async fn page(State(home): State<HomeState>, Lang(t): Lang) -> Response {
    blocking(move || super::html(&render(t, &home.0.report()))).await
}

/// `GET /api/projects`: the home page's figures, as `specwork status --projects --json` prints
/// them.
async fn api(State(home): State<HomeState>) -> Response {
    blocking(move || Json(home.0.report()).into_response()).await
}

#[derive(Deserialize)]
struct LiveParams {
    /// Changed paths, one per line, as `/events` sent them (`{project}/{path}`).
    #[serde(default)]
    paths: String,
}

/// `GET /live/projects?paths=…`: the stats and the rows of the projects the changed paths are
/// in, as `{"full": false, "parts": {"element id": "outer HTML"}}` (`{"full": true}`: fetch the
/// page whole).
async fn live(State(home): State<HomeState>, Lang(t): Lang, Query(p): Query<LiveParams>) -> Response {
    blocking(move || {
        let full = || Json(serde_json::json!({ "full": true })).into_response();
        let mut changed: Vec<&str> = p.paths.lines().filter_map(|l| l.split('/').next()).collect();
        changed.sort_unstable();
        changed.dedup();
        let known: Vec<&str> =
            changed.iter().copied().filter(|c| home.0.projects.iter().any(|(n, _)| n == c)).collect();
        if known.is_empty() {
            return full();
        }
        let Some(report) = home.0.refresh(&known) else { return full() };
        let Ok(html) = render(t, &report).render() else { return full() };
        let mut parts = serde_json::Map::new();
        let Some(stats) = super::page_part(&html, "stats") else { return full() };
        parts.insert("stats".into(), stats.into());
        for name in known {
            let id = format!("project-{name}");
            let Some(row) = super::row_part(&html, &id) else { return full() };
            parts.insert(id, row.into());
        }
        Json(serde_json::json!({ "full": false, "parts": parts })).into_response()
    })
    .await
}

/// `GET /events`: every project's changes in one stream, `{"seq": N, "project": NAME, "paths":
/// ["NAME/specs/…"]}` (`seq` counts per project).
async fn events(State(home): State<HomeState>) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let streams = home.0.projects.iter().map(|(name, state)| {
        let name = name.clone();
        stream::unfold((state.subscribe(), name), |(mut rx, name)| async move {
            let data = match rx.recv().await {
                Ok(change) => serde_json::json!({
                    "seq": change.seq,
                    "project": name,
                    "paths": change.paths.iter().map(|p| format!("{name}/{p}")).collect::<Vec<_>>(),
                }),
                Err(RecvError::Lagged(_)) => serde_json::json!({ "seq": 0, "project": name, "paths": [] }),
                Err(RecvError::Closed) => return None,
            };
            Some((Ok(Event::default().data(data.to_string())), (rx, name)))
        })
        .boxed()
    });
    Sse::new(stream::select_all(streams)).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}
