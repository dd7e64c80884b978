//! `resume`: where to continue a spec — previous sessions, remaining tasks, the next task.

use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::CallToolResult;
use rmcp::{tool, tool_router};
use serde::Serialize;
use specwork_core::views::report;

use super::SpecArg;
use super::view::{TaskItem, capped};
use crate::args::Args;
use crate::call::{Call, Reply, ToolError, clip};
use crate::protocol::{Invocation, Server};

#[tool_router(router = resume_router, vis = "pub(crate)")]
impl Server {
    #[tool(
        name = "resume",
        description = "Where to continue a spec: last sessions, remaining and next task.",
        annotations(read_only_hint = true)
    )]
    async fn resume(&self, Parameters(args): Parameters<Args<SpecArg>>, on: Invocation) -> CallToolResult {
        self.run(on, args, run).await
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Session {
    number: u32,
    date: String,
    summary: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ResumeReply {
    id: String,
    title: String,
    done: usize,
    total: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    last_activity: Option<String>,
    sessions: Vec<Session>,
    remaining: Vec<TaskItem>,
    remaining_count: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_task: Option<TaskItem>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tasks_file: Option<String>,
}

fn run(call: &Call<'_>, p: SpecArg) -> Result<Reply, ToolError> {
    let r = report::resume_with_sessions(call.workspace()?, call.spec(&p.spec_name)?).resume;
    let (remaining, remaining_count) = capped(&r.remaining, 20);
    let skip = r.sessions.len().saturating_sub(3);
    let sessions = r
        .sessions
        .iter()
        .skip(skip)
        .map(|s| Session {
            number: s.number,
            date: s.date.clone(),
            summary: clip(s.headline().unwrap_or(&s.title), 160),
        })
        .collect();
    Ok(Reply::json(&ResumeReply {
        id: r.id,
        title: r.title,
        done: r.done,
        total: r.total,
        last_activity: r.last_activity.map(|a| clip(&a, 160)),
        sessions,
        remaining,
        remaining_count,
        next_task: r.next_task.as_ref().map(TaskItem::from),
        tasks_file: r.tasks_file.map(|p| specwork_core::base::display::slash_path(&p)),
    }))
}
