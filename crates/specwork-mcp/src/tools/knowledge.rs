//! The knowledge base: `log-implementation` (the peer's tool; files and line counts measured by
//! git when the workspace is a repository) and `search` over specs, timelines and logs.

use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{CallToolResult, JsonObject};
use rmcp::{tool, tool_router};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use specwork_core::stores::implog::{self, Artifacts, LogError, NewLog, git::GitWindow};
use specwork_core::stores::session::{Identity, SessionIndex};
use specwork_core::views::search::{self, SearchKind};

use super::view::capped;
use crate::args::{Args, Int};
use crate::call::{Call, Reply, ToolError, clip};
use crate::protocol::{Invocation, Server};

#[tool_router(router = knowledge_router, vis = "pub(crate)")]
impl Server {
    #[tool(name = "log-implementation", description = "Log what a task built (git measures files and lines).")]
    async fn log_implementation(
        &self,
        Parameters(args): Parameters<Args<LogParams>>,
        on: Invocation,
    ) -> CallToolResult {
        self.run(on, args, log_implementation).await
    }

    #[tool(
        name = "search",
        description = "Search specs, timelines and implementation logs (artifacts by name).",
        annotations(read_only_hint = true)
    )]
    async fn search(&self, Parameters(args): Parameters<Args<SearchParams>>, on: Invocation) -> CallToolResult {
        self.run(on, args, search).await
    }
}

#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
struct LogParams {
    spec_name: String,
    task_id: String,
    summary: String,
    files_modified: Option<Vec<String>>,
    files_created: Option<Vec<String>>,
    // Objects whose fields are read leniently (the peer's shapes), so their schema stays short.
    #[schemars(description = "linesAdded, linesRemoved")]
    statistics: Option<JsonObject>,
    #[schemars(description = "apiEndpoints, components, functions, classes, integrations")]
    artifacts: Option<JsonObject>,
    // Listed for the peer's agents; the server reads it before the call (crate::scope).
    #[allow(dead_code)]
    project_path: Option<String>,
}

#[derive(Clone, Copy, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
#[schemars(inline)]
enum Kind {
    Log,
    Spec,
    Context,
}

#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
struct SearchParams {
    query: String,
    kind: Option<Kind>,
    #[schemars(description = "default 20")]
    limit: Option<Int<50>>,
}

fn log_error(e: LogError) -> ToolError {
    let hint = match &e {
        LogError::NoSuchTask { spec, .. } => format!("`tasks` {{specName: {spec}}} lists the task ids"),
        LogError::NoSummary => "say in `summary` what the task did".to_owned(),
        LogError::Name(_) => "taskId is a plain id such as 1.2".to_owned(),
        LogError::ReadOnly { .. } => {
            "this spec is an import specwork only reads; logs stay with specwork's own specs".to_owned()
        }
        LogError::Archived { .. } => "the spec is archived; ask the user to unarchive it".to_owned(),
        LogError::Git(_) => "pass filesModified, filesCreated and statistics yourself".to_owned(),
        LogError::Write(_) => "ask the user to check the permissions of the spec's folder".to_owned(),
    };
    ToolError::new(e.to_string(), hint)
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Logged {
    spec: String,
    task: String,
    file: String,
    log_id: String,
    source: &'static str,
    lines_added: u64,
    lines_removed: u64,
    files_modified: Vec<String>,
    files_created: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    unverified: Vec<String>,
}

fn log_implementation(call: &Call<'_>, p: LogParams) -> Result<Reply, ToolError> {
    let spec = call.spec(&p.spec_name)?;
    let ws = call.workspace()?;
    let task_id = p.task_id.as_str();
    let artifacts = match p.artifacts {
        Some(a) => Artifacts::from_json(&serde_json::Value::Object(a).to_string()).map_err(|e| {
            ToolError::new(
                format!("invalid artifacts: {e}"),
                "pass {apiEndpoints: [], components: [], functions: [], classes: [], integrations: []}",
            )
        })?,
        None => Artifacts::default(),
    };
    let stat = |k: &str| p.statistics.as_ref().and_then(|s| s.get(k)).and_then(serde_json::Value::as_u64);
    // The window starts when this task was started in a session, when a journal says so.
    let since = {
        let who = Identity::detect(&ws.root, &ws.config);
        let index = SessionIndex::load_current(&ws.root);
        index
            .active()
            .filter(|s| s.owner == who.owner)
            .flat_map(|s| &s.tasks)
            .filter(|t| t.spec == spec.id && spec.tasks.find(task_id).is_some_and(|x| x.id == t.task))
            .filter_map(|t| t.started.as_ref().map(|st| st.ts))
            .max()
    };
    let new = NewLog {
        task_id: task_id.to_owned(),
        summary: clip(&p.summary, 4000),
        artifacts,
        files_modified: p.files_modified.unwrap_or_default(),
        files_created: p.files_created.unwrap_or_default(),
        lines_added: stat("linesAdded"),
        lines_removed: stat("linesRemoved"),
        measure: Some(GitWindow { base: None, since }),
    };
    let w = implog::write_log(ws, spec, &new).map_err(log_error)?;
    let (files_modified, _) = capped(w.entry.files_modified.iter().map(|f| clip(f, 200)), 50);
    let (files_created, _) = capped(w.entry.files_created.iter().map(|f| clip(f, 200)), 50);
    Ok(Reply::json(&Logged {
        spec: w.spec,
        task: w.entry.task_id.clone(),
        file: specwork_core::base::display::slash_path(&w.file),
        log_id: w.entry.id.clone(),
        source: w.source,
        lines_added: w.entry.statistics.lines_added,
        lines_removed: w.entry.statistics.lines_removed,
        files_modified,
        files_created,
        unverified: w.unverified.into_iter().take(20).collect(),
    }))
}

fn search(call: &Call<'_>, p: SearchParams) -> Result<Reply, ToolError> {
    let query = p.query.as_str();
    if query.trim().is_empty() {
        return Err(ToolError::new("the query is empty", "pass words to look for, e.g. an artifact or function name"));
    }
    let kinds: Vec<SearchKind> = p
        .kind
        .map(|k| match k {
            Kind::Log => SearchKind::Log,
            Kind::Spec => SearchKind::Spec,
            Kind::Context => SearchKind::Context,
        })
        .into_iter()
        .collect();
    let limit = p.limit.map_or(20, |l| usize::try_from(l.0).unwrap_or(50)).clamp(1, 50);
    let mut r = search::search(call.workspace()?, &clip(query, 200), &kinds, limit);
    r.diagnostics.truncate(5);
    Ok(Reply::json(&r))
}
