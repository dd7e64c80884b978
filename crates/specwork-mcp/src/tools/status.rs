//! `status`: the portfolio of every spec (paged), or one spec's report with its task lists capped.

use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::CallToolResult;
use rmcp::{tool, tool_router};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use specwork_core::views::report;

use super::view::{Counts, TaskItem, capped};
use crate::args::{Args, Int};
use crate::call::{Call, Page, Reply, ToolError, clip};
use crate::protocol::{Invocation, Server};

#[tool_router(router = status_router, vis = "pub(crate)")]
impl Server {
    #[tool(
        name = "status",
        description = "All specs with progress (paged), or one spec's report (specName).",
        annotations(read_only_hint = true)
    )]
    async fn status(&self, Parameters(args): Parameters<Args<Params>>, on: Invocation) -> CallToolResult {
        self.run(on, args, run).await
    }
}

#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
struct Params {
    #[schemars(description = "omit for all specs")]
    spec_name: Option<String>,
    cursor: Option<String>,
    limit: Option<Int<100>>,
}

/// Each task list of a one-spec report shows at most this many tasks.
const LIST_MAX: usize = 15;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Row {
    id: String,
    title: String,
    status: &'static str,
    phase: &'static str,
    done: usize,
    total: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    next: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    parent: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Problem {
    file: String,
    line: usize,
    message: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PortfolioReply {
    spec_count: usize,
    tasks: Counts,
    progress_pct: u32,
    specs: Vec<Row>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_cursor: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    problems: Vec<Problem>,
    #[serde(skip_serializing_if = "is_zero")]
    problem_count: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Listed {
    count: usize,
    items: Vec<TaskItem>,
}

fn listed(tasks: &[report::TaskRef]) -> Listed {
    let (items, count) = capped(tasks, LIST_MAX);
    Listed { count, items }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Session {
    number: u32,
    date: String,
    title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    minutes: Option<u64>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SpecReply {
    id: String,
    title: String,
    layout: &'static str,
    path: String,
    status: &'static str,
    phase: &'static str,
    progress_pct: u32,
    tasks: Counts,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_task: Option<TaskItem>,
    in_progress: Listed,
    blocked: Listed,
    pending: Listed,
    completed: Listed,
    deliverables: Deliverables,
    sessions: Vec<Session>,
    session_count: usize,
    total_minutes: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    last_commit: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    children: Vec<String>,
}

#[derive(Serialize)]
struct Deliverables {
    scripts: usize,
    docs: usize,
    config: usize,
    other: usize,
}

fn run(call: &Call<'_>, p: Params) -> Result<Reply, ToolError> {
    if let Some(name) = &p.spec_name {
        return one(call, name);
    }
    let page = Page::new(p.cursor.as_deref(), p.limit.map(|l| l.0), 50)?;
    let ws = call.workspace()?;
    let p = report::portfolio(ws, false);
    let spec_count = p.specs.len();
    let (rows, next_cursor) = page.take(p.specs.into_iter().map(|r| Row {
        next: r.next_task.as_ref().map(|t| clip(&format!("{} {}", t.id, t.title), 80)),
        title: clip(&r.title, 80),
        id: r.id,
        status: r.status,
        phase: r.phase,
        done: r.tasks.done,
        total: r.tasks.total,
        parent: r.parent,
    }));
    let problems = p
        .diagnostics
        .iter()
        .take(5)
        .map(|d| Problem { file: d.file.clone(), line: d.line, message: clip(&d.message, 160) })
        .collect();
    Ok(Reply::json(&PortfolioReply {
        spec_count,
        tasks: p.totals.into(),
        progress_pct: p.progress_pct,
        specs: rows,
        next_cursor,
        problems,
        problem_count: p.diagnostics.len(),
    }))
}

fn one(call: &Call<'_>, name: &str) -> Result<Reply, ToolError> {
    let spec = call.spec(name)?;
    let r = report::spec_report(call.workspace()?, spec);
    let row = &r.row;
    let d = &r.deliverables;
    let session_count = r.sessions.len();
    let sessions = r
        .sessions
        .iter()
        .skip(session_count.saturating_sub(5))
        .map(|s| Session { number: s.number, date: s.date.clone(), title: clip(&s.title, 80), minutes: s.minutes })
        .collect();
    let (children, _) = capped::<&String, String>(&r.children, 30);
    Ok(Reply::json(&SpecReply {
        id: row.id.clone(),
        title: row.title.clone(),
        layout: row.layout,
        path: row.path.clone(),
        status: row.status,
        phase: row.phase,
        progress_pct: row.progress_pct,
        tasks: row.tasks.into(),
        next_task: row.next_task.as_ref().map(TaskItem::from),
        in_progress: listed(&r.in_progress),
        blocked: listed(&row.blocked),
        pending: listed(&r.pending),
        completed: listed(&r.completed),
        deliverables: Deliverables {
            scripts: d.scripts.len(),
            docs: d.docs.len(),
            config: d.config.len(),
            other: d.other.len(),
        },
        sessions,
        session_count,
        total_minutes: r.total_minutes,
        last_commit: r.last_commit.as_ref().map(|c| clip(&format!("{} {}", c.hash, c.subject), 100)),
        children,
    }))
}
