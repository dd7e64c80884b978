//! Read-only views built from the workspace, the journals and the agents' logs. Views never
//! write; the CLI, the MCP server and the dashboard render them as they like.

pub mod session_status;
pub mod today;
