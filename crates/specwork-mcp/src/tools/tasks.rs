//! `tasks`: list a spec's tasks (paged), show one task in full, or set a task's status in place.

use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::CallToolResult;
use rmcp::{tool, tool_router};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use specwork_core::model::edit::EditError;
use specwork_core::ops::OpError;
use specwork_core::ops::session::SessionPick;
use specwork_core::ops::task as task_ops;
use specwork_core::{TaskStatus, base::names};

use super::Status;
use super::view::{Counts, TaskDetail, TaskItem};
use crate::args::{Args, Int};
use crate::call::{Call, Page, Reply, ToolError, clip};
use crate::protocol::{Invocation, Server};

#[tool_router(router = tasks_router, vis = "pub(crate)")]
impl Server {
    #[tool(name = "tasks", description = "List a spec's tasks (paged), show one with its prompt, or set its status.")]
    async fn tasks(&self, Parameters(args): Parameters<Args<Params>>, on: Invocation) -> CallToolResult {
        self.run(on, args, run).await
    }
}

#[derive(Clone, Copy, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
#[schemars(inline)]
enum Action {
    #[default]
    List,
    Show,
    Set,
}

#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
struct Params {
    action: Option<Action>,
    spec_name: String,
    #[schemars(description = "for show and set")]
    task_id: Option<String>,
    #[schemars(description = "set: new status; list: filter")]
    status: Option<Status>,
    #[schemars(description = "why blocked")]
    reason: Option<String>,
    session: Option<String>,
    cursor: Option<String>,
    limit: Option<Int<200>>,
}

fn run(call: &Call<'_>, p: Params) -> Result<Reply, ToolError> {
    match p.action.unwrap_or_default() {
        Action::Show => show(call, &p),
        Action::Set => set(call, &p),
        Action::List => list(call, &p),
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ListReply {
    spec: String,
    counts: Counts,
    tasks: Vec<TaskItem>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_cursor: Option<String>,
}

fn list(call: &Call<'_>, p: &Params) -> Result<Reply, ToolError> {
    let page = Page::new(p.cursor.as_deref(), p.limit.map(|l| l.0), 100)?;
    let spec = call.spec(&p.spec_name)?;
    let only = p.status.map(TaskStatus::from);
    let (tasks, next_cursor) =
        page.take(spec.tasks.tasks.iter().filter(|t| only.is_none_or(|s| t.status == s)).map(TaskItem::from));
    Ok(Reply::json(&ListReply { spec: spec.id.clone(), counts: spec.tasks.counts().into(), tasks, next_cursor }))
}

fn task_id(p: &Params) -> Result<&str, ToolError> {
    let id = p.task_id.as_deref().ok_or_else(|| {
        ToolError::new("missing argument `taskId`", "pass the task id, e.g. 1.2 (`tasks` lists them)")
    })?;
    names::task_id(id)?;
    Ok(id)
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ShowReply {
    spec: String,
    file: String,
    #[serde(flatten)]
    task: TaskDetail,
}

fn show(call: &Call<'_>, p: &Params) -> Result<Reply, ToolError> {
    let id = task_id(p)?;
    let spec = call.spec(&p.spec_name)?;
    let t = spec.tasks.find(id).ok_or_else(|| no_task(id, &spec.id))?;
    Ok(Reply::json(&ShowReply {
        spec: spec.id.clone(),
        file: spec.tasks_source.as_ref().map(|s| specwork_core::base::display::slash_path(&s.file)).unwrap_or_default(),
        task: TaskDetail::from(t),
    }))
}

fn no_task(id: &str, spec: &str) -> ToolError {
    ToolError::new(format!("no task `{id}` in spec {spec}"), format!("`tasks` {{specName: {spec}}} lists the task ids"))
}

fn set(call: &Call<'_>, p: &Params) -> Result<Reply, ToolError> {
    let id = task_id(p)?;
    let status = p
        .status
        .map(TaskStatus::from)
        .ok_or_else(|| ToolError::new("missing argument `status`", "pass pending, in-progress, done or blocked"))?;
    // One line, bounded: a reason never becomes extra lines (or tasks) in tasks.md.
    let reason = p.reason.as_deref().map(|r| clip(&r.split_whitespace().collect::<Vec<_>>().join(" "), 200));
    if reason.is_some() && status != TaskStatus::Blocked {
        return Err(ToolError::new("`reason` goes with status blocked", "drop reason, or set status blocked"));
    }
    let spec = call.spec(&p.spec_name)?;
    let pick = SessionPick::named(p.session.as_deref());
    let r =
        task_ops::set_marker(call.workspace()?, spec, id, status, reason.as_deref(), &pick).map_err(|e| match e {
            OpError::NoSuchTask { .. } | OpError::Edit(EditError::Task(_)) => no_task(id, &spec.id),
            OpError::Name(n) | OpError::Edit(EditError::Name(n)) => n.into(),
            e => super::op_error(e),
        })?;
    let change = r.change.expect("set_marker always edits the marker");
    Ok(Reply::json(&change))
}
