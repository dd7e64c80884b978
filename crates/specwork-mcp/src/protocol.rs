//! The MCP SDK (rmcp) binding: the only module that names rmcp types. It turns the registry into
//! `tools/list`, runs `tools/call` on a blocking thread (tools read and write files; a long
//! approval wait must not stall other requests), and serves the prompts.
//!
//! Protocol revisions 2024-11-05 through 2025-11-25 are spoken; `initialize` answers with the
//! client's requested revision when it is one of them, else with 2025-11-25.

use std::borrow::Cow;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, GetPromptRequestParams, GetPromptResponse,
    GetPromptResult, Implementation, InitializeResult, ListPromptsResult, ListToolsResult, PaginatedRequestParams,
    Prompt, PromptArgument, PromptMessage, ProtocolVersion, Role, ServerCapabilities, ServerConfig, Tool,
    ToolAnnotations,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler, ServiceExt};
use serde_json::{Map, Value};

use crate::registry::{self, Call, ToolDef, ToolError};
use crate::scope::Scope;
use crate::{prompts, tools};

/// The newest revision spoken.
const LATEST: ProtocolVersion = ProtocolVersion::V_2025_11_25;

/// Told to the client at `initialize`: one line, since clients put it in the model's context.
const INSTRUCTIONS: &str =
    "specwork: spec-driven development on plain Markdown specs. Call spec-workflow-guide once before spec work.";

/// The server: the precomputed tool and prompt lists, and where the workspace is.
#[derive(Clone)]
pub struct Server {
    scope: Arc<Scope>,
    version: String,
    tools: Arc<Vec<Tool>>,
    prompts: Arc<Vec<Prompt>>,
}

/// The tool list as the MCP SDK encodes it.
pub fn tool_list() -> Vec<Tool> {
    tools::TOOLS.iter().map(tool).collect()
}

fn tool(def: &ToolDef) -> Tool {
    let mut t = Tool::new(def.name, def.description, Arc::new(def.input_schema()));
    if def.read_only {
        let mut a = ToolAnnotations::default();
        a.read_only_hint = Some(true);
        t = t.with_annotations(a);
    }
    t
}

fn prompt(def: &prompts::PromptDef) -> Prompt {
    let args = def
        .args
        .iter()
        .map(|a| PromptArgument::new(a.name).with_description(a.desc).with_required(a.required))
        .collect();
    Prompt::new(def.name, Some(def.description), Some(args)).with_title(def.title)
}

impl Server {
    /// A server for the workspace `scope` finds, reporting `version` as its own.
    pub fn new(scope: Scope, version: &str) -> Self {
        Self {
            scope: Arc::new(scope),
            version: version.to_owned(),
            tools: Arc::new(tool_list()),
            prompts: Arc::new(prompts::PROMPTS.iter().map(prompt).collect()),
        }
    }

    /// Serves MCP on stdin/stdout until the client closes the connection. Requests pass
    /// through [`crate::framing`] first (bounded lines; bad JSON and oversized requests are
    /// answered there), and one writer puts every reply line on stdout.
    pub async fn serve_stdio(self) -> Result<(), crate::ServeError> {
        use tokio::io::AsyncWriteExt;
        let (sdk_in, guard_out) = tokio::io::duplex(1 << 20);
        let (sdk_out, merge_in) = tokio::io::duplex(1 << 20);
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Vec<u8>>();
        tokio::spawn(crate::framing::guard(tokio::io::stdin(), guard_out, tx.clone()));
        tokio::spawn(crate::framing::from_sdk(merge_in, tx));
        let writer = tokio::spawn(async move {
            let mut stdout = tokio::io::stdout();
            while let Some(line) = rx.recv().await {
                if stdout.write_all(&line).await.is_err() || stdout.flush().await.is_err() {
                    break;
                }
            }
        });
        let running = self.serve((sdk_in, sdk_out)).await.map_err(|e| crate::ServeError(e.to_string()))?;
        running.waiting().await.map_err(|e| crate::ServeError(e.to_string()))?;
        let _ = writer.await;
        Ok(())
    }
}

fn result(r: Result<registry::Reply, ToolError>) -> CallToolResult {
    match r {
        Ok(reply) => {
            let mut out = CallToolResult::success(vec![ContentBlock::text(reply.text)]);
            out.structured_content = Some(reply.structured);
            out
        }
        Err(e) => {
            let mut out = CallToolResult::error(vec![ContentBlock::text(e.text())]);
            out.structured_content = Some(e.structured());
            out
        }
    }
}

/// Runs one tool call to completion (on the calling thread).
pub fn call(scope: &Scope, def: &'static ToolDef, args: &Map<String, Value>, cancelled: &AtomicBool) -> CallToolResult {
    let reply = registry::validate(def, args).and_then(|()| {
        let project_path = args.get("projectPath").and_then(Value::as_str);
        let root = if project_path.is_some() { Some(scope.resolve(project_path)?) } else { None };
        let root = match root {
            Some(r) => Ok(r),
            None => scope.root(),
        };
        let call = Call::new(def, args, root, cancelled);
        registry::finish(def, (def.run)(&call))
    });
    result(reply)
}

impl ServerHandler for Server {
    fn get_info(&self) -> ServerConfig {
        InitializeResult::new(ServerCapabilities::builder().enable_tools().enable_prompts().build())
            .with_server_info(Implementation::new("specwork", self.version.clone()))
            .with_protocol_version(LATEST)
            .with_instructions(INSTRUCTIONS)
    }

    fn supported_protocol_versions(&self) -> Cow<'static, [ProtocolVersion]> {
        Cow::Borrowed(ProtocolVersion::known_up_to(&LATEST))
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        Ok(ListToolsResult::with_all_items((*self.tools).clone()))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let Some(def) = tools::find(&request.name) else {
            let names: Vec<&str> = tools::TOOLS.iter().map(|t| t.name).collect();
            return Err(ErrorData::invalid_params(
                format!("unknown tool `{}`; the tools are {}", registry::clip(&request.name, 200), names.join(", ")),
                None,
            ));
        };
        let args = request.arguments.unwrap_or_default();
        let scope = Arc::clone(&self.scope);
        let cancelled = Arc::new(AtomicBool::new(false));
        // A cancelled request stops long waits at their next check.
        let watch = {
            let flag = Arc::clone(&cancelled);
            let ct = context.ct.clone();
            tokio::spawn(async move {
                ct.cancelled().await;
                flag.store(true, Ordering::Relaxed);
            })
        };
        let flag = Arc::clone(&cancelled);
        let outcome = tokio::task::spawn_blocking(move || call(&scope, def, &args, &flag)).await;
        watch.abort();
        match outcome {
            Ok(r) => Ok(r.into()),
            Err(e) => Ok(result(Err(ToolError::new(
                format!("{} failed: {e}", def.name),
                "this is a bug in specwork; report it with the arguments used",
            )))
            .into()),
        }
    }

    async fn list_prompts(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListPromptsResult, ErrorData> {
        Ok(ListPromptsResult::with_all_items((*self.prompts).clone()))
    }

    async fn get_prompt(
        &self,
        request: GetPromptRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<GetPromptResponse, ErrorData> {
        let Some(def) = prompts::find(&request.name) else {
            let names: Vec<&str> = prompts::PROMPTS.iter().map(|p| p.name).collect();
            return Err(ErrorData::invalid_params(
                format!(
                    "unknown prompt `{}`; the prompts are {}",
                    registry::clip(&request.name, 200),
                    names.join(", ")
                ),
                None,
            ));
        };
        let args = request.arguments.unwrap_or_default();
        let scope = Arc::clone(&self.scope);
        let rendered = tokio::task::spawn_blocking(move || {
            let root = scope.root();
            def.render(&args, root.as_deref().map_err(Clone::clone))
        })
        .await
        .map_err(|e| ErrorData::internal_error(format!("{} failed: {e}", def.name), None))?;
        // Prompts have no error result: a bad argument is a JSON-RPC error the client shows.
        let text = rendered.map_err(|e| {
            ErrorData::invalid_params(
                registry::clip(&format!("{} ({})", e.message, e.hint), registry::MAX_ERROR_CHARS),
                None,
            )
        })?;
        Ok(GetPromptResult::new(vec![PromptMessage::new_text(Role::User, text)])
            .with_description(def.description)
            .into())
    }
}
