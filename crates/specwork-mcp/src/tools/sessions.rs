//! The session tools of the guide: `start-session`, `do-task`, `log-task`, `session-status`,
//! `end-session`. Each calls one operation of `specwork_core::ops` (or one view) and trims the
//! answer.

use serde::Serialize;
use specwork_core::TaskStatus;
use specwork_core::base::display;
use specwork_core::ops::session::{self as session_ops, SessionPick};
use specwork_core::ops::task::{self as task_ops, FinishOptions, StartOptionsTask};
use specwork_core::stores::session::{self, StartOptions};
use specwork_core::views::session_status;
use specwork_core::views::today::DayFigures;

use super::op_error;
use super::view::{TaskDetail, capped};
use crate::registry::{Call, Kind, Reply, SPEC_NAME, ToolDef, ToolError, clip, opt, req};

const STATUSES: &[&str] = &["pending", "in-progress", "done", "blocked"];
const TOKENS: &str = "e.g. 45k, if not measured";
const SESSION: &str = "";

pub const START_SESSION: ToolDef = ToolDef {
    name: "start-session",
    description: "Start a work session on a spec (journals its task events).",
    params: &[
        req("name", Kind::Str, "e.g. inv-1000"),
        SPEC_NAME,
        opt("title", Kind::Str, ""),
        opt("note", Kind::Str, "planning note"),
    ],
    read_only: false,
    run: start_session,
};

pub const DO_TASK: ToolDef = ToolDef {
    name: "do-task",
    description: "Start a task (returns its prompt); done:true finishes it.",
    params: &[
        SPEC_NAME,
        req("taskId", Kind::Str, ""),
        opt("done", Kind::Bool, ""),
        opt("tokens", Kind::Str, TOKENS),
        opt("force", Kind::Bool, "reopen; or finish unverified"),
        opt("summary", Kind::Str, ""),
        opt("session", Kind::Str, SESSION),
    ],
    read_only: false,
    run: do_task,
};

pub const LOG_TASK: ToolDef = ToolDef {
    name: "log-task",
    description: "Record a task's status (and tokens) by hand.",
    params: &[
        req("taskId", Kind::Str, ""),
        req("status", Kind::Enum(STATUSES), ""),
        opt("tokens", Kind::Str, TOKENS),
        opt("specName", Kind::Str, "default: the session's"),
        opt("note", Kind::Str, "blocked: the reason"),
        opt("session", Kind::Str, SESSION),
    ],
    read_only: false,
    run: log_task,
};

pub const SESSION_STATUS: ToolDef = ToolDef {
    name: "session-status",
    description: "Open sessions and today's tokens and cost.",
    params: &[opt("mine", Kind::Bool, "only your sessions")],
    read_only: true,
    run: session_status,
};

pub const END_SESSION: ToolDef = ToolDef {
    name: "end-session",
    description: "End your session (records commits and measured tokens).",
    params: &[opt("name", Kind::Str, "")],
    read_only: false,
    run: end_session,
};

fn tokens(call: &Call<'_>) -> Result<Option<u64>, ToolError> {
    call.str("tokens")
        .map(|t| {
            session::parse_tokens(t).ok_or_else(|| {
                ToolError::new(format!("cannot read `{t}` as a token count"), "write it as 45k, 1.2M or 45000")
            })
        })
        .transpose()
}

fn pick<'a>(call: &'a Call<'_>) -> SessionPick<'a> {
    SessionPick::named(call.str("session"))
}

fn start_session(call: &Call<'_>) -> Result<Reply, ToolError> {
    let spec = call.spec()?;
    let opts = StartOptions { name: call.required("name")?, title: call.str("title"), ..StartOptions::default() };
    let notes: Vec<String> = call.str("note").map(|n| clip(n, 2000)).into_iter().collect();
    let mut r = session_ops::start(call.workspace()?, spec, &opts, &notes).map_err(op_error)?;
    r.planned.truncate(30);
    Ok(Reply::json(&r))
}

fn end_session(call: &Call<'_>) -> Result<Reply, ToolError> {
    let r = session_ops::end(call.workspace()?, &SessionPick::named(call.str("name")), None).map_err(op_error)?;
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

fn do_task(call: &Call<'_>) -> Result<Reply, ToolError> {
    let spec = call.spec()?;
    let id = call.required("taskId")?;
    let ws = call.workspace()?;
    if call.bool("done") == Some(true) {
        // The agent's own words for the implementation log: one paragraph, bounded.
        let summary = call.str("summary").map(|n| clip(&n.split_whitespace().collect::<Vec<_>>().join(" "), 2000));
        let opts = FinishOptions {
            tokens: tokens(call)?,
            pick: pick(call),
            force: call.bool("force") == Some(true),
            summary: summary.as_deref(),
            ..FinishOptions::default()
        };
        return Ok(Reply::json(&task_ops::finish(ws, spec, id, &opts).map_err(op_error)?));
    }
    if call.str("tokens").is_some() {
        return Err(ToolError::new("`tokens` goes with done: true", "drop tokens, or finish the task with done: true"));
    }
    let force = call.bool("force") == Some(true);
    let o = StartOptionsTask { reopen: force, pass_gate: force, pick: pick(call) };
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

fn log_task(call: &Call<'_>) -> Result<Reply, ToolError> {
    let ws = call.workspace()?;
    let spec_id = match call.str("specName") {
        Some(s) => s.to_owned(),
        None => session_ops::current_spec(ws, &pick(call)).map_err(op_error)?,
    };
    let spec = call.spec_by_id(&spec_id)?;
    let status = call.str("status").and_then(TaskStatus::parse).unwrap_or(TaskStatus::Done);
    // One line, bounded: a note never becomes extra lines (or tasks) in tasks.md.
    let note = call.str("note").map(|n| clip(&n.split_whitespace().collect::<Vec<_>>().join(" "), 300));
    let opts = FinishOptions {
        status: Some(status),
        tokens: tokens(call)?,
        note: note.as_deref(),
        pick: pick(call),
        manual_log: true,
        ..FinishOptions::default()
    };
    Ok(Reply::json(&task_ops::finish(ws, spec, call.required("taskId")?, &opts).map_err(op_error)?))
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

fn session_status(call: &Call<'_>) -> Result<Reply, ToolError> {
    let root = call.root()?;
    let (config, _) = specwork_core::model::config::Config::load(root);
    let r = session_status::build(root, &config, call.bool("mine") == Some(true), None);
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
