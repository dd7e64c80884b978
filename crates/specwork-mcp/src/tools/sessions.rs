//! The session tools of the guide: `start-session`, `do-task`, `log-task`, `session-status`,
//! `end-session`. Each calls one operation of `specwork_core::ops` (or one view) and trims the
//! answer.

use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::CallToolResult;
use rmcp::{tool, tool_router};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use specwork_core::TaskStatus;
use specwork_core::base::display;
use specwork_core::ops::session::{self as session_ops, SessionPick};
use specwork_core::ops::task::{self as task_ops, FinishOptions, StartOptionsTask};
use specwork_core::stores::session::{self, StartOptions};
use specwork_core::views::session_status;
use specwork_core::views::today::DayFigures;

use super::view::{TaskDetail, capped};
use super::{Status, op_error};
use crate::args::{Args, Bool, flag};
use crate::call::{Call, Reply, ToolError, clip};
use crate::protocol::{Invocation, Server};

#[tool_router(router = sessions_router, vis = "pub(crate)")]
impl Server {
    #[tool(name = "start-session", description = "Start a work session on a spec (journals its task events).")]
    async fn start_session(&self, Parameters(args): Parameters<Args<StartParams>>, on: Invocation) -> CallToolResult {
        self.run(on, args, start_session).await
    }

    #[tool(name = "do-task", description = "Start a task (returns its prompt); done:true finishes it.")]
    async fn do_task(&self, Parameters(args): Parameters<Args<DoTaskParams>>, on: Invocation) -> CallToolResult {
        self.run(on, args, do_task).await
    }

    #[tool(name = "log-task", description = "Record a task's status (and tokens) by hand.")]
    async fn log_task(&self, Parameters(args): Parameters<Args<LogTaskParams>>, on: Invocation) -> CallToolResult {
        self.run(on, args, log_task).await
    }

    #[tool(
        name = "session-status",
        description = "Open sessions and today's tokens and cost.",
        annotations(read_only_hint = true)
    )]
    async fn session_status(&self, Parameters(args): Parameters<Args<StatusParams>>, on: Invocation) -> CallToolResult {
        self.run(on, args, session_status).await
    }

    #[tool(name = "end-session", description = "End your session (records commits and measured tokens).")]
    async fn end_session(&self, Parameters(args): Parameters<Args<EndParams>>, on: Invocation) -> CallToolResult {
        self.run(on, args, end_session).await
    }
}

#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
struct StartParams {
    #[schemars(description = "e.g. inv-1000")]
    name: String,
    spec_name: String,
    title: Option<String>,
    #[schemars(description = "planning note")]
    note: Option<String>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
struct DoTaskParams {
    spec_name: String,
    task_id: String,
    done: Option<Bool>,
    #[schemars(description = "e.g. 45k, if not measured")]
    tokens: Option<String>,
    #[schemars(description = "reopen; or finish unverified")]
    force: Option<Bool>,
    summary: Option<String>,
    session: Option<String>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
struct LogTaskParams {
    task_id: String,
    status: Status,
    #[schemars(description = "e.g. 45k, if not measured")]
    tokens: Option<String>,
    #[schemars(description = "default: the session's")]
    spec_name: Option<String>,
    #[schemars(description = "blocked: the reason")]
    note: Option<String>,
    session: Option<String>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
struct StatusParams {
    #[schemars(description = "only your sessions")]
    mine: Option<Bool>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
struct EndParams {
    name: Option<String>,
}

fn tokens(given: Option<&str>) -> Result<Option<u64>, ToolError> {
    given
        .map(|t| {
            session::parse_tokens(t).ok_or_else(|| {
                ToolError::new(format!("cannot read `{t}` as a token count"), "write it as 45k, 1.2M or 45000")
            })
        })
        .transpose()
}

fn start_session(call: &Call<'_>, p: StartParams) -> Result<Reply, ToolError> {
    let spec = call.spec(&p.spec_name)?;
    let opts = StartOptions { name: &p.name, title: p.title.as_deref(), ..StartOptions::default() };
    let notes: Vec<String> = p.note.as_deref().map(|n| clip(n, 2000)).into_iter().collect();
    let mut r = session_ops::start(call.workspace()?, spec, &opts, &notes).map_err(op_error)?;
    r.planned.truncate(30);
    Ok(Reply::json(&r))
}

fn end_session(call: &Call<'_>, p: EndParams) -> Result<Reply, ToolError> {
    let r = session_ops::end(call.workspace()?, &SessionPick::named(p.name.as_deref()), None).map_err(op_error)?;
    Ok(Reply::json(&r))
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Started {
    session: String,
    session_started: bool,
    spec: String,
    task: TaskDetail,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    warnings: Vec<String>,
    next: String,
}

fn do_task(call: &Call<'_>, p: DoTaskParams) -> Result<Reply, ToolError> {
    let spec = call.spec(&p.spec_name)?;
    let id = p.task_id.as_str();
    let ws = call.workspace()?;
    let pick = SessionPick::named(p.session.as_deref());
    if flag(p.done) {
        // The agent's own words for the implementation log: one paragraph, bounded.
        let summary = p.summary.map(|n| clip(&n.split_whitespace().collect::<Vec<_>>().join(" "), 2000));
        let opts = FinishOptions {
            tokens: tokens(p.tokens.as_deref())?,
            pick,
            force: flag(p.force),
            summary: summary.as_deref(),
            ..FinishOptions::default()
        };
        return Ok(Reply::json(&task_ops::finish(ws, spec, id, &opts).map_err(op_error)?));
    }
    if p.tokens.is_some() {
        return Err(ToolError::new("`tokens` goes with done: true", "drop tokens, or finish the task with done: true"));
    }
    let force = flag(p.force);
    let o = StartOptionsTask { reopen: force, pass_gate: force, pick };
    let r = task_ops::start(ws, spec, id, &o).map_err(op_error)?;
    Ok(Reply::json(&Started {
        next: format!("when finished: `do-task` {{specName: {}, taskId: {}, done: true}}", r.spec, r.task.id),
        session: r.session,
        session_started: r.session_started,
        spec: r.spec,
        task: TaskDetail::from(&r.task),
        warnings: r.warnings.iter().map(|d| d.message.clone()).collect(),
    }))
}

fn log_task(call: &Call<'_>, p: LogTaskParams) -> Result<Reply, ToolError> {
    let ws = call.workspace()?;
    let pick = SessionPick::named(p.session.as_deref());
    let spec_id = match p.spec_name {
        Some(s) => s,
        None => session_ops::current_spec(ws, &pick).map_err(op_error)?,
    };
    let spec = call.spec(&spec_id)?;
    // One line, bounded: a note never becomes extra lines (or tasks) in tasks.md.
    let note = p.note.map(|n| clip(&n.split_whitespace().collect::<Vec<_>>().join(" "), 300));
    let opts = FinishOptions {
        status: Some(TaskStatus::from(p.status)),
        tokens: tokens(p.tokens.as_deref())?,
        note: note.as_deref(),
        pick,
        manual_log: true,
        ..FinishOptions::default()
    };
    Ok(Reply::json(&task_ops::finish(ws, spec, &p.task_id, &opts).map_err(op_error)?))
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SessionRow {
    name: String,
    spec: String,
    user: String,
    mine: bool,
    minutes: u64,
    done: usize,
    total: usize,
    in_progress: Vec<String>,
    tokens: u64,
    cost_usd: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    quota: Option<specwork_core::stores::quota::QuotaUse>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct StatusReply {
    sessions: Vec<SessionRow>,
    session_count: usize,
    today: DayFigures,
}

fn session_status(call: &Call<'_>, p: StatusParams) -> Result<Reply, ToolError> {
    let root = call.root()?;
    let (config, _) = specwork_core::model::config::Config::load(root);
    let r = session_status::build(root, &config, flag(p.mine), None);
    let (sessions, session_count) = capped::<_, SessionRow>(
        r.sessions.into_iter().map(|s| SessionRow {
            name: s.name,
            spec: s.spec,
            user: s.user,
            mine: s.mine,
            minutes: s.minutes,
            done: s.tasks.done,
            total: s.tasks.total,
            in_progress: s.in_progress,
            tokens: s.tokens,
            cost_usd: display::round_usd(s.cost_usd),
            quota: s.quota,
        }),
        20,
    );
    Ok(Reply::json(&StatusReply { sessions, session_count, today: r.today }))
}
