//! `spec-status`: the peer's output shape (currentPhase, overallStatus, phases, taskProgress) plus
//! specwork's full task counts and the next task.

use std::path::{Path, PathBuf};

use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::CallToolResult;
use rmcp::{tool, tool_router};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use specwork_core::stores::approvals::{self, DocKind, DocState};
use specwork_core::{Layout, Spec, TaskStatus};

use super::view::{Counts, TaskItem};
use crate::args::Args;
use crate::call::{Call, Reply, ToolError, clip};
use crate::protocol::{Invocation, Server};

#[tool_router(router = spec_status_router, vis = "pub(crate)")]
impl Server {
    #[tool(
        name = "spec-status",
        description = "One spec's phases, task progress and next task.",
        annotations(read_only_hint = true)
    )]
    async fn spec_status(&self, Parameters(args): Parameters<Args<Params>>, on: Invocation) -> CallToolResult {
        self.run(on, args, run).await
    }
}

#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
struct Params {
    spec_name: String,
    // Listed for the peer's agents; the server reads it before the call (crate::scope).
    #[allow(dead_code)]
    project_path: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Phase {
    name: &'static str,
    /// `missing`, `created` or `approved` (approved and unchanged since).
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    last_modified: Option<String>,
    /// The approval state when one was requested: `pending`, `approved`, `rejected`,
    /// `needs-revision`.
    #[serde(skip_serializing_if = "Option::is_none")]
    approval: Option<&'static str>,
    /// Edited since it was approved (task progress aside).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    changed_since_approval: bool,
    /// The Implementation phase's task progress (the peer's `progress`).
    #[serde(skip_serializing_if = "Option::is_none")]
    progress: Option<TaskProgress>,
}

#[derive(Clone, Copy, Serialize)]
#[serde(rename_all = "camelCase")]
struct TaskProgress {
    total: usize,
    completed: usize,
    pending: usize,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SpecStatusReply {
    name: String,
    title: String,
    layout: &'static str,
    current_phase: &'static str,
    overall_status: &'static str,
    phases: Vec<Phase>,
    task_progress: TaskProgress,
    tasks: Counts,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_task: Option<TaskItem>,
    next_steps: Vec<String>,
}

fn run(call: &Call<'_>, p: Params) -> Result<Reply, ToolError> {
    let spec = call.spec(&p.spec_name)?;
    let root = call.root()?;
    let counts = spec.tasks.counts();
    // Approval states by document, from the durable records and snapshots.
    let approvals = approvals::status(call.workspace()?, &spec.id).map(|a| a.docs).unwrap_or_default();
    let phases: Vec<Phase> = documents(spec)
        .into_iter()
        .map(|(name, kind, path)| {
            let approval = kind.and_then(|k| approvals.iter().find(|d| d.doc == k));
            let requested = approval.filter(|d| !matches!(d.state, DocState::Missing | DocState::Created));
            let changed = requested.is_some_and(|d| d.changed_since_approval);
            let (status, last_modified) = match &path {
                None => ("missing", None),
                Some(p) if requested.is_some_and(|d| d.state == DocState::Approved) && !changed => {
                    ("approved", modified(&root.join(p)))
                }
                Some(p) => ("created", modified(&root.join(p))),
            };
            Phase {
                name,
                status,
                last_modified,
                approval: requested.map(|d| d.state.as_str()),
                changed_since_approval: changed,
                progress: None,
            }
        })
        .collect();
    // The phase every frontend shows (core's: the first phase document not approved as it
    // stands, else what the files and tasks give), in the peer's words.
    let current_phase = match specwork_core::views::report::phase(call.workspace()?, spec) {
        "done" => "completed",
        // A numbered spec without task lines yet.
        "planning" => "tasks",
        p => p,
    };
    let overall_status = match current_phase {
        "requirements" => "requirements-needed",
        "design" => "design-needed",
        "tasks" => "tasks-needed",
        "completed" => "completed",
        // As the peer: pending tasks are being implemented; none yet is ready for it.
        _ if counts.pending > 0 => "implementing",
        _ => "ready-for-implementation",
    };
    let progress = TaskProgress { total: counts.total, completed: counts.done, pending: counts.pending };
    let mut phases = phases;
    if spec.layout != Layout::Numbered {
        // The peer's fourth phase: started once any task is under way or done.
        let started = counts.done + counts.in_progress > 0;
        phases.push(Phase {
            name: "Implementation",
            status: if started { "in-progress" } else { "not-started" },
            last_modified: None,
            approval: None,
            changed_since_approval: false,
            progress: Some(progress),
        });
    }
    let next = spec.tasks.next_task();
    let id = &spec.id;
    let next_steps: Vec<String> = match (current_phase, next) {
        ("requirements" | "design" | "tasks", _) if spec.layout == Layout::Numbered => {
            vec![format!("add `- [ ] 1. …` task lines to the `## Tasks` section of {}", spec.path.display())]
        }
        ("requirements" | "design" | "tasks", _) => vec![
            format!("write .spec-workflow/specs/{id}/{current_phase}.md (prompt create-spec)"),
            "then `approvals` {action: request}, and {action: wait} for the user's decision".to_owned(),
        ],
        (_, Some(t)) if t.status == TaskStatus::InProgress => {
            vec![format!("continue task {} ({}); then `tasks` {{action: set, status: done}}", t.id, clip(&t.title, 80))]
        }
        (_, Some(t)) => vec![format!(
            "start task {}: `tasks` {{action: set, specName: {id}, taskId: {}, status: in-progress}}",
            t.id, t.id
        )],
        (_, None) if counts.blocked > 0 => {
            vec!["every open task is blocked: resolve a blocker, then set it pending".to_owned()]
        }
        (_, None) => vec!["all tasks are done: run the tests and review".to_owned()],
    };
    Ok(Reply::json(&SpecStatusReply {
        name: spec.id.clone(),
        title: spec.title.clone(),
        layout: spec.layout.as_str(),
        current_phase,
        overall_status,
        phases,
        task_progress: progress,
        tasks: counts.into(),
        next_task: next.map(TaskItem::from),
        next_steps,
    }))
}

/// The documents of a spec by phase name, in workflow order, with the document kind approvals
/// know them by (a numbered spec's plan is approved as its tasks).
fn documents(spec: &Spec) -> Vec<(&'static str, Option<DocKind>, Option<PathBuf>)> {
    let d = &spec.docs;
    let (r, g, t) = (Some(DocKind::Requirements), Some(DocKind::Design), Some(DocKind::Tasks));
    match spec.layout {
        Layout::SpecWorkflow | Layout::Kiro => {
            vec![
                ("Requirements", r, d.requirements.clone()),
                ("Design", g, d.design.clone()),
                ("Tasks", t, d.tasks.clone()),
            ]
        }
        Layout::SpecKit => {
            vec![("Spec", r, d.spec.clone()), ("Plan", g, d.design.clone()), ("Tasks", t, d.tasks.clone())]
        }
        Layout::OpenSpec => {
            vec![("Proposal", r, d.spec.clone()), ("Design", g, d.design.clone()), ("Tasks", t, d.tasks.clone())]
        }
        Layout::Numbered => vec![("Spec", t, d.spec.clone()), ("Context", None, d.context.clone())],
    }
}

/// A file's modification time as the peer writes it (JavaScript's `toISOString`: UTC with
/// milliseconds, `2025-08-26T14:30:00.123Z`).
pub fn modified(path: &Path) -> Option<String> {
    let t = specwork_core::base::path_policy::metadata(path).ok()?.modified().ok()?;
    let ts = jiff::Timestamp::try_from(t).ok()?;
    Some(ts.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string())
}
