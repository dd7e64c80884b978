//! Read-only views built from the workspace, the journals and the agents' logs. Views never
//! write; the CLI, the MCP server and the dashboard render them as they like.

pub mod daily;
pub mod deliverables;
pub mod drift;
pub mod estimate;
pub mod progress;
pub mod projects;
pub mod report;
pub mod search;
pub mod session_status;
pub mod timeline;
pub mod today;
pub mod trace;
