use clap::Args;

use super::Ctx;
use crate::error::{CmdResult, CommandError};

/// Serve MCP on stdin/stdout for AI agents (Claude Code, Codex, Gemini CLI).
///
/// Register it with `claude mcp add --scope project specwork -- specwork mcp`. The workspace is
/// --workspace, else found from the current directory, else from CLAUDE_PROJECT_DIR. stdout
/// carries only protocol messages.
#[derive(Args, Debug)]
pub struct McpArgs {}

pub fn run(ctx: &Ctx, _args: McpArgs) -> CmdResult {
    let mut search_from = Vec::new();
    if let Ok(cwd) = std::env::current_dir() {
        search_from.push(cwd);
    }
    if let Some(dir) = std::env::var_os("CLAUDE_PROJECT_DIR").filter(|d| !d.is_empty()) {
        search_from.push(dir.into());
    }
    let config = specwork_mcp::ServeConfig {
        workspace: ctx.root_flag().map(std::path::Path::to_path_buf),
        search_from,
        version: env!("CARGO_PKG_VERSION").to_owned(),
    };
    specwork_mcp::serve(config).map_err(|e| CommandError::from(anyhow::Error::from(e)))?;
    Ok(0)
}
