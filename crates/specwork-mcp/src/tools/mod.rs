//! Every tool the server offers: one file per tool (or per family of tools), each with its
//! typed arguments (`#[derive(Deserialize, JsonSchema)]`), its `#[tool]` method in a
//! `#[tool_router]` block of its own, and one plain function that calls the core library and
//! returns a [`crate::call::Reply`].
//!
//! Adding a tool: write its file, add its router to [`router`] and its name to [`ORDER`]. The
//! schema, argument checks, workspace confinement, size bound and the MCP encoding (structured
//! content plus the same as text, `isError` for failures) are shared ([`crate::args`],
//! `Server::run`). Keep the description to one short sentence and `tools/list` under 6 KB.

use rmcp::handler::server::router::tool::ToolRouter;
use schemars::JsonSchema;
use serde::Deserialize;
use specwork_core::TaskStatus;
use specwork_core::base::write::WriteError;
use specwork_core::model::edit::EditError;
use specwork_core::ops::OpError;
use specwork_core::stores::session::SessionError;

use crate::call::ToolError;
use crate::protocol::Server;

mod approvals;
mod cost;
mod deliverables;
pub(crate) mod guide;
mod knowledge;
mod resume;
mod sessions;
mod spec_status;
mod status;
pub(crate) mod steering_guide;
mod tasks;

/// The tools, in `tools/list` order (the guide first: clients show them in this order).
pub const ORDER: [&str; 16] = [
    "spec-workflow-guide",
    "steering-guide",
    "spec-status",
    "status",
    "resume",
    "tasks",
    "approvals",
    "log-implementation",
    "start-session",
    "do-task",
    "log-task",
    "session-status",
    "end-session",
    "cost",
    "deliverables",
    "search",
];

/// Every tool's route: its listing (name, description, schema, annotations) and its method.
pub fn router() -> ToolRouter<Server> {
    Server::guide_router()
        + Server::steering_guide_router()
        + Server::spec_status_router()
        + Server::status_router()
        + Server::resume_router()
        + Server::tasks_router()
        + Server::approvals_router()
        + Server::knowledge_router()
        + Server::sessions_router()
        + Server::cost_router()
        + Server::deliverables_router()
}

/// Whether a tool of that name is offered (prompts and the guide mention only those).
pub fn has(name: &str) -> bool {
    ORDER.contains(&name)
}

/// The arguments of a tool that reads one spec.
#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SpecArg {
    pub spec_name: String,
}

// A task status as an argument (a `//` comment: schemars lists doc comments as descriptions).
#[derive(Clone, Copy, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
#[schemars(inline)]
pub(crate) enum Status {
    Pending,
    InProgress,
    Done,
    Blocked,
}

impl From<Status> for TaskStatus {
    fn from(s: Status) -> Self {
        match s {
            Status::Pending => Self::Pending,
            Status::InProgress => Self::InProgress,
            Status::Done => Self::Done,
            Status::Blocked => Self::Blocked,
        }
    }
}

/// The model-facing form of an operation's error.
pub(crate) fn op_error(e: OpError) -> ToolError {
    let hint = match &e {
        OpError::NoSuchTask { spec, .. } => format!("`tasks` {{specName: {spec}}} lists the task ids"),
        OpError::Closed { .. } => "pass force: true to reopen it, or `resume` for the next task".to_owned(),
        OpError::NoCurrentSpec => "pass specName, or call `start-session` first".to_owned(),
        OpError::Placeholder { file, .. } => {
            format!("write the spec's real tasks in {file} in place of the template's placeholders first")
        }
        OpError::NoOpenSession | OpError::AlreadyEnded { .. } => "`session-status` lists the open sessions".to_owned(),
        OpError::Ambiguous { sessions } => format!(
            "pass session: <name> (one of {})",
            sessions.iter().map(|s| s.name.as_str()).collect::<Vec<_>>().join(", ")
        ),
        OpError::Gate(g) => format!(
            "get the tasks approved: `approvals` {{action: request, categoryName: {}, filePath: <its tasks file>}}, \
             then {{action: wait}}; or pass force: true (recorded in the journal)",
            g.spec()
        ),
        OpError::CheckFailed { run, .. } => {
            return ToolError::new(
                format!("{e}; the task stays in progress. Last output:\n{}", run.tail),
                "fix what the check reports and call do-task with done: true again, or pass force: true to finish it unverified",
            );
        }
        OpError::Name(_) => "names and task ids are plain ids (inv-1000, 1.2), never paths".to_owned(),
        OpError::Session(SessionError::Exists { .. }) => "choose another session name".to_owned(),
        OpError::Session(SessionError::NoSuchSession { .. } | SessionError::Ended { .. }) => {
            "`session-status` lists the active sessions".to_owned()
        }
        OpError::Edit(EditError::ReadOnly { .. }) => {
            "this spec is an import specwork only reads; edit it in its own tool".to_owned()
        }
        OpError::Edit(EditError::Write(WriteError::Conflict { .. })) => {
            "the file changed while being edited; call again".to_owned()
        }
        OpError::Edit(EditError::NoTasks { .. }) => {
            "add task lines (`- [ ] 1. …`) to the spec's tasks file or `## Tasks` section".to_owned()
        }
        OpError::Edit(EditError::NotUtf8 { .. }) => "ask the user to save the file as UTF-8".to_owned(),
        _ => "check the workspace files and their permissions, then call again".to_owned(),
    };
    ToolError::new(e.to_string(), hint)
}

/// Task references as tools show them: compact and bounded.
pub(crate) mod view {
    use serde::Serialize;
    use specwork_core::views::report::TaskRef;
    use specwork_core::{Task, TaskCounts};

    use crate::call::clip;

    /// Titles are clipped to this many characters in lists.
    pub const TITLE_CHARS: usize = 100;

    /// A task in a list.
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    pub struct TaskItem {
        pub id: String,
        pub title: String,
        pub status: &'static str,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub reason: Option<String>,
    }

    impl From<&Task> for TaskItem {
        fn from(t: &Task) -> Self {
            Self {
                id: t.id.clone(),
                title: clip(&t.title, TITLE_CHARS),
                status: t.status.as_str(),
                reason: t.blocked_reason.as_deref().map(|r| clip(r, TITLE_CHARS)),
            }
        }
    }

    impl From<&TaskRef> for TaskItem {
        fn from(t: &TaskRef) -> Self {
            Self {
                id: t.id.clone(),
                title: clip(&t.title, TITLE_CHARS),
                status: t.status.as_str(),
                reason: t.reason.as_deref().map(|r| clip(r, TITLE_CHARS)),
            }
        }
    }

    /// One task in full, with its long fields bounded.
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    pub struct TaskDetail {
        pub id: String,
        pub title: String,
        pub status: &'static str,
        pub line: usize,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub prompt: Option<String>,
        #[serde(skip_serializing_if = "Vec::is_empty")]
        pub requirements: Vec<String>,
        #[serde(skip_serializing_if = "Vec::is_empty")]
        pub leverage: Vec<String>,
        #[serde(skip_serializing_if = "Vec::is_empty")]
        pub files: Vec<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub purpose: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub blocked_reason: Option<String>,
        #[serde(skip_serializing_if = "Vec::is_empty")]
        pub details: Vec<String>,
    }

    impl From<&Task> for TaskDetail {
        fn from(t: &Task) -> Self {
            let short = |v: &[String]| v.iter().take(30).map(|s| clip(s, 200)).collect::<Vec<_>>();
            Self {
                id: t.id.clone(),
                title: clip(&t.title, 300),
                status: t.status.as_str(),
                line: t.line,
                prompt: t.prompt.as_deref().map(|p| clip(p, 4000)),
                requirements: short(&t.requirements),
                leverage: short(&t.leverage),
                files: short(&t.files),
                purpose: t.purpose.as_deref().map(|p| clip(p, 500)),
                blocked_reason: t.blocked_reason.as_deref().map(|r| clip(r, 300)),
                details: short(&t.details),
            }
        }
    }

    /// Task counts in camelCase.
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    pub struct Counts {
        pub total: usize,
        pub done: usize,
        pub in_progress: usize,
        pub blocked: usize,
        pub pending: usize,
    }

    impl From<TaskCounts> for Counts {
        fn from(c: TaskCounts) -> Self {
            Self { total: c.total, done: c.done, in_progress: c.in_progress, blocked: c.blocked, pending: c.pending }
        }
    }

    /// At most `max` items, and how many there were.
    pub fn capped<T, U: From<T>>(items: impl IntoIterator<Item = T>, max: usize) -> (Vec<U>, usize) {
        let mut n = 0;
        let mut out = Vec::new();
        for i in items {
            if n < max {
                out.push(U::from(i));
            }
            n += 1;
        }
        (out, n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_order_lists_every_routed_tool_once() {
        let router = router();
        let mut routed: Vec<String> = router.list_all().into_iter().map(|t| t.name.into_owned()).collect();
        let mut listed: Vec<String> = ORDER.iter().map(|n| (*n).to_owned()).collect();
        routed.sort_unstable();
        listed.sort_unstable();
        listed.dedup();
        assert_eq!(routed, listed);
    }

    #[test]
    fn descriptions_are_short() {
        for t in crate::protocol::tool_list() {
            let d = t.description.as_deref().unwrap_or_default();
            assert!(!d.is_empty() && d.len() <= 160 && !d.contains('\n'), "{}: {d:?}", t.name);
            for (name, p) in t.input_schema.get("properties").and_then(|p| p.as_object()).into_iter().flatten() {
                let desc = p.get("description").and_then(|d| d.as_str()).unwrap_or_default();
                assert!(desc.len() <= 60, "{}.{name}: {desc:?}", t.name);
            }
        }
    }
}
