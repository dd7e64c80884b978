//! The session tools of the guide: `start-session`, `do-task`, `log-task`, `session-status`. Each
//! calls one function of `specwork_core::work` (or reads the session index) and trims the answer.

use serde::Serialize;
use specwork_core::journal::Stamp;
use specwork_core::session::{self, Identity, SessionError, SessionIndex, StartOptions};
use specwork_core::work::{self, FinishOptions, WorkError};
use specwork_core::{TaskStatus, daily};

use super::view::{TaskDetail, capped};
use crate::registry::{Call, Kind, Reply, SPEC_NAME, ToolDef, ToolError, clip, opt, req};

const STATUSES: &[&str] = &["pending", "in-progress", "done", "blocked"];
const TOKENS: &str = "e.g. 45k, if not measured";

pub const START_SESSION: ToolDef = ToolDef {
    name: "start-session",
    description: "Start a work session on a spec; later task events are journaled in it.",
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
    description: "Start a task (marks it [-], returns its prompt), or with done:true finish it.",
    params: &[
        SPEC_NAME,
        req("taskId", Kind::Str, ""),
        opt("done", Kind::Bool, ""),
        opt("tokens", Kind::Str, TOKENS),
        opt("force", Kind::Bool, "reopen a done or blocked task"),
    ],
    read_only: false,
    run: do_task,
};

pub const LOG_TASK: ToolDef = ToolDef {
    name: "log-task",
    description: "Record a task's status (and tokens) by hand in the current session.",
    params: &[
        req("taskId", Kind::Str, ""),
        req("status", Kind::Enum(STATUSES), ""),
        opt("tokens", Kind::Str, TOKENS),
        opt("specName", Kind::Str, "default: the session's"),
        opt("note", Kind::Str, "blocked: the reason"),
    ],
    read_only: false,
    run: log_task,
};

pub const SESSION_STATUS: ToolDef = ToolDef {
    name: "session-status",
    description: "Active sessions (tasks done, tokens, cost) and today's totals.",
    params: &[opt("mine", Kind::Bool, "only your sessions")],
    read_only: true,
    run: session_status,
};

/// The model-facing form of a work error.
fn work_error(e: WorkError) -> ToolError {
    let hint = match &e {
        WorkError::NoSuchTask { spec, .. } => format!("`tasks` {{specName: {spec}}} lists the task ids"),
        WorkError::Closed { .. } => "pass force: true to reopen it, or `resume` for the next task".to_owned(),
        WorkError::NoCurrentSpec => "pass specName, or call `start-session` first".to_owned(),
        WorkError::Gate(g) => format!(
            "get the tasks approved: `approvals` {{action: request, categoryName: {}, filePath: <its tasks file>}}, \
             then {{action: wait}}; or pass force: true (recorded in the journal)",
            g.spec()
        ),
        WorkError::Name(_) => "names and task ids are plain ids (inv-1000, 1.2), never paths".to_owned(),
        WorkError::Session(SessionError::Exists { .. }) => "choose another session name".to_owned(),
        WorkError::Session(SessionError::NoSuchSession { .. } | SessionError::Ended { .. }) => {
            "`session-status` lists the active sessions".to_owned()
        }
        WorkError::Edit(specwork_core::edit::EditError::ReadOnly { .. }) => {
            "this spec is an import specwork only reads; edit it in its own tool".to_owned()
        }
        _ => "check the workspace files and their permissions, then call again".to_owned(),
    };
    ToolError::new(e.to_string(), hint)
}

fn tokens(call: &Call<'_>) -> Result<Option<u64>, ToolError> {
    call.str("tokens")
        .map(|t| {
            session::parse_tokens(t).ok_or_else(|| {
                ToolError::new(format!("cannot read `{t}` as a token count"), "write it as 45k, 1.2M or 45000")
            })
        })
        .transpose()
}

fn start_session(call: &Call<'_>) -> Result<Reply, ToolError> {
    let spec = call.spec()?;
    let opts = StartOptions { name: call.required("name")?, title: call.str("title"), ..StartOptions::default() };
    let notes: Vec<String> = call.str("note").map(|n| clip(n, 2000)).into_iter().collect();
    let mut r = work::start_session(call.workspace()?, spec, &opts, &notes).map_err(work_error)?;
    r.planned.truncate(30);
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
        let opts = FinishOptions { tokens: tokens(call)?, ..FinishOptions::default() };
        return Ok(Reply::json(&work::finish_task(ws, spec, id, &opts).map_err(work_error)?));
    }
    if call.str("tokens").is_some() {
        return Err(ToolError::new("`tokens` goes with done: true", "drop tokens, or finish the task with done: true"));
    }
    let r = work::start_task(ws, spec, id, call.bool("force") == Some(true), None).map_err(work_error)?;
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
        None => work::current_spec(ws, None).map_err(work_error)?,
    };
    let spec = call.spec_by_id(&spec_id)?;
    let status = call.str("status").and_then(TaskStatus::parse).unwrap_or(TaskStatus::Done);
    // One line, bounded: a note never becomes extra lines (or tasks) in tasks.md.
    let note = call.str("note").map(|n| clip(&n.split_whitespace().collect::<Vec<_>>().join(" "), 300));
    let opts = FinishOptions {
        status: Some(status),
        tokens: tokens(call)?,
        note: note.as_deref(),
        manual_log: true,
        ..FinishOptions::default()
    };
    Ok(Reply::json(&work::finish_task(ws, spec, call.required("taskId")?, &opts).map_err(work_error)?))
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
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct StatusReply {
    sessions: Vec<SessionRow>,
    session_count: usize,
    today: daily::DayTotals,
}

fn session_status(call: &Call<'_>) -> Result<Reply, ToolError> {
    let root = call.root()?;
    let (config, _) = specwork_core::config::Config::load(root);
    let who = Identity::detect(root, &config);
    let now = Stamp::now();
    let today = now.date();
    let index = SessionIndex::load_current_and_days(root, &[today.as_str()]);
    let mine = call.bool("mine") == Some(true);
    let active = index.active().filter(|s| !mine || s.owner == who.owner);
    let (sessions, session_count) = capped::<_, SessionRow>(
        active.map(|s| {
            let (done, total) = s.task_progress();
            let u = s.usage(None);
            SessionRow {
                name: s.name.clone(),
                spec: s.spec.clone(),
                user: s.user.clone(),
                mine: s.owner == who.owner,
                minutes: s.minutes(&now),
                done,
                total,
                in_progress: s
                    .tasks
                    .iter()
                    .filter(|t| t.status == TaskStatus::InProgress)
                    .map(|t| t.task.clone())
                    .collect(),
                tokens: u.tokens.total,
                cost_usd: session::round_usd(u.cost_usd),
            }
        }),
        20,
    );
    Ok(Reply::json(&StatusReply { sessions, session_count, today: daily::totals(&index, &today) }))
}
