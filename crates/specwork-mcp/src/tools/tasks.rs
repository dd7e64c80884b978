//! `tasks`: list a spec's tasks (paged), show one task in full, or set a task's status in place.

use serde::Serialize;
use specwork_core::model::edit::EditError;
use specwork_core::ops::OpError;
use specwork_core::ops::session::SessionPick;
use specwork_core::ops::task as task_ops;
use specwork_core::{TaskStatus, base::names};

use super::view::{Counts, TaskDetail, TaskItem};
use crate::registry::{CURSOR, Call, Kind, Reply, SPEC_NAME, ToolDef, ToolError, clip, opt};

const STATUSES: &[&str] = &["pending", "in-progress", "done", "blocked"];

pub const TOOL: ToolDef = ToolDef {
    name: "tasks",
    description: "List a spec's tasks (paged), show one with its prompt, or set its status.",
    params: &[
        opt("action", Kind::Enum(&["list", "show", "set"]), ""),
        SPEC_NAME,
        opt("taskId", Kind::Str, "for show and set"),
        opt("status", Kind::Enum(STATUSES), "set: new status; list: filter"),
        opt("reason", Kind::Str, "why blocked"),
        opt("session", Kind::Str, ""),
        CURSOR,
        opt("limit", Kind::Int(200), ""),
    ],
    read_only: false,
    run,
};

fn run(call: &Call<'_>) -> Result<Reply, ToolError> {
    match call.str("action").unwrap_or("list") {
        "show" => show(call),
        "set" => set(call),
        _ => list(call),
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

fn list(call: &Call<'_>) -> Result<Reply, ToolError> {
    let page = call.page(100)?;
    let spec = call.spec()?;
    let only = call.str("status").and_then(TaskStatus::parse);
    let (tasks, next_cursor) =
        page.take(spec.tasks.tasks.iter().filter(|t| only.is_none_or(|s| t.status == s)).map(TaskItem::from));
    Ok(Reply::json(&ListReply { spec: spec.id.clone(), counts: spec.tasks.counts().into(), tasks, next_cursor }))
}

fn task_id<'a>(call: &Call<'a>) -> Result<&'a str, ToolError> {
    let id = call.str("taskId").ok_or_else(|| {
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

fn show(call: &Call<'_>) -> Result<Reply, ToolError> {
    let id = task_id(call)?;
    let spec = call.spec()?;
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

fn set(call: &Call<'_>) -> Result<Reply, ToolError> {
    let id = task_id(call)?;
    let status = call
        .str("status")
        .and_then(TaskStatus::parse)
        .ok_or_else(|| ToolError::new("missing argument `status`", "pass pending, in-progress, done or blocked"))?;
    // One line, bounded: a reason never becomes extra lines (or tasks) in tasks.md.
    let reason = call.str("reason").map(|r| clip(&r.split_whitespace().collect::<Vec<_>>().join(" "), 200));
    if reason.is_some() && status != TaskStatus::Blocked {
        return Err(ToolError::new("`reason` goes with status blocked", "drop reason, or set status blocked"));
    }
    let spec = call.spec()?;
    let pick = SessionPick::named(call.str("session"));
    let r =
        task_ops::set_marker(call.workspace()?, spec, id, status, reason.as_deref(), &pick).map_err(|e| match e {
            OpError::NoSuchTask { .. } | OpError::Edit(EditError::Task(_)) => no_task(id, &spec.id),
            OpError::Name(n) | OpError::Edit(EditError::Name(n)) => n.into(),
            e => super::op_error(e),
        })?;
    let change = r.change.expect("set_marker always edits the marker");
    Ok(Reply::json(&change))
}
