//! specwork's MCP server: the tools, prompts and the stdio transport behind `specwork mcp`.
//!
//! Layout: `tools` holds one small module per tool (or family of tools): its typed arguments
//! (a `#[derive(Deserialize, JsonSchema)]` struct), its `#[tool]` method, gathered by rmcp's
//! `#[tool_router]`, and one function calling `specwork-core`; [`args`] reads arguments into
//! those structs and trims their schemas; [`call`] is what a tool runs with and answers;
//! [`scope`] confines every call to the workspace; `prompts` renders the peer's prompt flows;
//! `protocol` serves MCP with the SDK (rmcp 3.9) and runs every tool the same way.
//!
//! Invariants: stdout carries only protocol messages (nothing here prints); every tool reply is
//! structured content plus the same content as text and stays under
//! [`call::MAX_REPLY_BYTES`]; failures inside a tool, bad arguments included, are `isError`
//! results with a hint; nothing is read or written outside the workspace.

// std::fs through fs-err or the path policy (clippy.toml lists the methods).
#![deny(clippy::disallowed_methods)]
#![deny(missing_docs)]

use std::path::PathBuf;

pub mod args;
pub mod call;
pub mod framing;
mod prompts;
mod protocol;
pub mod scope;
mod tools;

pub use scope::Scope;

/// The server could not start or its transport failed.
#[derive(Debug, thiserror::Error)]
#[error("mcp server: {0}")]
pub struct ServeError(String);

/// How `specwork mcp` was started.
#[derive(Clone, Debug)]
pub struct ServeConfig {
    /// `--workspace`, when given.
    pub workspace: Option<PathBuf>,
    /// Directories to discover the workspace from, in order.
    pub search_from: Vec<PathBuf>,
    /// The binary's version, reported as `serverInfo.version`.
    pub version: String,
}

/// Serves MCP over stdin/stdout until the client disconnects, on a current-thread runtime (small
/// start-up and memory; tool calls run on its blocking pool).
pub fn serve(config: ServeConfig) -> Result<(), ServeError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| ServeError(format!("cannot start the runtime: {e}")))?;
    let server =
        protocol::Server::new(Scope { workspace: config.workspace, search_from: config.search_from }, &config.version);
    runtime.block_on(server.serve_stdio())
}

/// The `tools/list` result as JSON (for size checks and documentation).
pub fn tools_list_json() -> String {
    serde_json::json!({ "tools": protocol::tool_list() }).to_string()
}

/// Tool names, in `tools/list` order.
pub fn tool_names() -> Vec<&'static str> {
    tools::ORDER.to_vec()
}

/// Prompt names, in `prompts/list` order.
pub fn prompt_names() -> Vec<&'static str> {
    prompts::PROMPTS.iter().map(|p| p.name).collect()
}
