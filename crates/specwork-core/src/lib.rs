//! The specwork model: workspaces, the numbered and spec-workflow layouts (plus read-only Kiro,
//! spec-kit and OpenSpec imports), the task grammar with format-preserving edits, context
//! timelines, templates and the reports built from them.
//!
//! This crate has no command-line or async dependencies; the `specwork` binary, the MCP server
//! and the dashboard all call into it.

// std::fs through fs-err or the path policy (clippy.toml lists the methods).
#![deny(clippy::disallowed_methods)]
#![deny(missing_docs)]

pub mod agent;
pub mod base;
pub mod git;
pub mod model;
pub mod ops;
pub mod stores;
pub mod text;
pub mod usage;
pub mod views;

pub use base::diag::{Diagnostic, Severity};
pub use model::spec::{Layout, Spec, SpecStatus};
pub use model::tasks::{Task, TaskCounts, TaskList, TaskMarker, TaskStatus};
pub use model::workspace::{Workspace, WorkspaceError};
