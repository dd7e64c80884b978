//! The specwork model: workspaces, the numbered and spec-workflow layouts (plus read-only Kiro,
//! spec-kit and OpenSpec imports), the task grammar with format-preserving edits, context
//! timelines, templates and the reports built from them.
//!
//! This crate has no command-line or async dependencies; the `specwork` binary, the MCP server
//! and the dashboard all call into it.
#![deny(missing_docs)]

pub mod agent_files;
pub mod agent_hook;
pub mod approvals;
pub mod archive;
pub mod check;
pub mod clock;
pub mod config;
pub mod context;
pub mod context_append;
pub mod daily;
pub mod deliverables;
pub mod derived;
pub mod diag;
pub mod edit;
pub mod estimate;
pub mod git;
pub mod ids;
pub mod implog;
pub mod journal;
pub mod journal_index;
pub mod links;
pub mod markdown;
pub mod names;
pub mod phases;
pub mod progress;
pub mod report;
pub mod search;
pub mod session;
pub mod spec;
pub mod spec_work;
pub mod steering;
pub mod tasks;
pub mod templates;
pub mod timeline;
pub mod windows;
pub mod work;
pub mod workspace;
pub mod write;

pub use diag::{Diagnostic, Severity};
pub use spec::{Layout, Spec, SpecStatus};
pub use tasks::{Task, TaskCounts, TaskList, TaskMarker, TaskStatus};
pub use workspace::{Workspace, WorkspaceError};
