//! The MCP SDK (rmcp) binding. The tools are `#[tool]` methods of [`Server`] in `tools/`,
//! gathered by rmcp's `#[tool_router]` into [`tools::router`]; this module lists them in
//! [`tools::ORDER`] with compact schemas, dispatches `tools/call` through the router, runs each
//! tool on a blocking thread ([`Server::run`]: tools read and write files; a long approval wait
//! must not stall other requests), and serves the prompts.
//!
//! Protocol revisions 2024-11-05 through 2025-11-25 are spoken; `initialize` answers with the
//! client's requested revision when it is one of them, else with 2025-11-25.

use std::borrow::Cow;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use rmcp::handler::server::common::FromContextPart;
use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::tool::ToolCallContext;
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, GetPromptRequestParams, GetPromptResponse,
    GetPromptResult, Implementation, InitializeResult, ListPromptsResult, ListToolsResult, PaginatedRequestParams,
    Prompt, PromptArgument, PromptMessage, ProtocolVersion, Role, ServerCapabilities, ServerConfig, Tool,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler, ServiceExt};
use serde::de::DeserializeOwned;

use crate::args::{self, Args};
use crate::call::{self, Call, Reply, ToolError};
use crate::scope::Scope;
use crate::{prompts, tools};

/// The newest revision spoken.
const LATEST: ProtocolVersion = ProtocolVersion::V_2025_11_25;

/// Told to the client at `initialize`: one line, since clients put it in the model's context.
const INSTRUCTIONS: &str =
    "specwork: spec-driven development on plain Markdown specs. Call spec-workflow-guide once before spec work.";

/// The server: the tool router, the precomputed tool and prompt lists, and where the workspace is.
#[derive(Clone)]
pub struct Server {
    scope: Arc<Scope>,
    version: String,
    router: Arc<ToolRouter<Server>>,
    tools: Arc<Vec<Tool>>,
    prompts: Arc<Vec<Prompt>>,
}

/// The tool list as `tools/list` shows it: in [`tools::ORDER`], each schema [`args::compact`].
pub fn tool_list() -> Vec<Tool> {
    listed(&tools::router())
}

fn listed(router: &ToolRouter<Server>) -> Vec<Tool> {
    tools::ORDER
        .iter()
        .filter_map(|name| router.get(name))
        .map(|t| {
            let mut t = t.clone();
            t.input_schema = Arc::new(args::compact(&t.input_schema));
            t
        })
        .collect()
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
        let router = tools::router();
        Self {
            scope: Arc::new(scope),
            version: version.to_owned(),
            tools: Arc::new(listed(&router)),
            router: Arc::new(router),
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

fn result(r: Result<Reply, ToolError>) -> CallToolResult {
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

/// What a `#[tool]` method hands to [`Server::run`] besides its arguments: which tool was
/// called and the request's context (its cancellation).
pub struct Invocation {
    name: Cow<'static, str>,
    context: RequestContext<RoleServer>,
}

impl FromContextPart<ToolCallContext<'_, Server>> for Invocation {
    fn from_context_part(context: &mut ToolCallContext<'_, Server>) -> Result<Self, ErrorData> {
        Ok(Self { name: context.name.clone(), context: context.request_context.clone() })
    }
}

impl Server {
    /// Runs one tool call, the same way for every tool: reads `args` into the tool's typed
    /// arguments, finds the workspace (`projectPath` confined by [`Scope`]), runs `tool` on the
    /// blocking pool (a cancelled request stops long waits at their next check) and bounds the
    /// reply. Every failure is an `isError` result with a hint.
    pub async fn run<P>(
        &self,
        on: Invocation,
        args: Args<P>,
        tool: fn(&Call<'_>, P) -> Result<Reply, ToolError>,
    ) -> CallToolResult
    where
        P: DeserializeOwned + Send + 'static,
    {
        let name = on.name;
        let schema = self.tools.iter().find(|t| t.name == name).map(|t| Arc::clone(&t.input_schema));
        let scope = Arc::clone(&self.scope);
        let cancelled = Arc::new(AtomicBool::new(false));
        let watch = {
            let flag = Arc::clone(&cancelled);
            let ct = on.context.ct.clone();
            tokio::spawn(async move {
                ct.cancelled().await;
                flag.store(true, Ordering::Relaxed);
            })
        };
        let tool_name = name.clone();
        let outcome = tokio::task::spawn_blocking(move || {
            let schema = schema.unwrap_or_default();
            let (params, project_path) = args.parse(&tool_name, &schema)?;
            let root = match project_path {
                Some(p) => scope.resolve(Some(&p)),
                None => scope.root(),
            };
            call::finish(&tool_name, tool(&Call::new(root, &cancelled), params))
        })
        .await;
        watch.abort();
        result(outcome.unwrap_or_else(|e| {
            Err(ToolError::new(
                format!("{name} failed: {e}"),
                "this is a bug in specwork; report it with the arguments used",
            ))
        }))
    }
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
        if !self.router.has_route(&request.name) {
            return Err(ErrorData::invalid_params(
                format!("unknown tool `{}`; the tools are {}", call::clip(&request.name, 200), tools::ORDER.join(", ")),
                None,
            ));
        }
        self.router.call(ToolCallContext::new(self, request, context)).await
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
                format!("unknown prompt `{}`; the prompts are {}", call::clip(&request.name, 200), names.join(", ")),
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
            ErrorData::invalid_params(call::clip(&format!("{} ({})", e.message, e.hint), call::MAX_ERROR_CHARS), None)
        })?;
        Ok(GetPromptResult::new(vec![PromptMessage::new_text(Role::User, text)])
            .with_description(def.description)
            .into())
    }
}
