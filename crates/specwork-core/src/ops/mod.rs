//! Operations: every change a person or an agent makes to the workspace's sessions and tasks,
//! one function each, called the same way by the CLI, the MCP server, the dashboard and hooks.
//!
//! Invariants:
//! - an operation holds the workspace's journal lock ([`crate::stores::journal::WorkspaceLock`]) from
//!   reading the session index to its last journal append, so concurrent writers see each
//!   other's events;
//! - which session an operation records in is decided once, by [`session::resolve`]: it never
//!   writes into a session the caller did not pick, and an ambiguous choice is an error that
//!   lists the open sessions;
//! - task markers change only through [`task`], which journals every change (so timelines and
//!   daily summaries see it) and measures a task's tokens from the agents' logs when its window
//!   closes, whoever closes it;
//! - errors carry kinds and data ([`OpError`]); each frontend words its own hint.

pub mod archive;
pub mod check;
pub mod commit;
pub mod context_append;
pub mod deliverable;
pub mod derived;
pub mod done;
pub mod drift;
pub mod eod;
pub mod init;
pub mod phases;
pub mod quota;
pub mod record;
pub mod session;
pub mod spec_work;
pub mod task;
pub mod verify;

use serde::Serialize;

use crate::base::names::NameError;
use crate::model::edit::EditError;
use crate::model::tasks::TaskStatus;
use crate::stores::approvals::GateError;
use crate::stores::session::SessionError;

/// An open session, as an ambiguity error lists it.
#[derive(Clone, Debug, Serialize)]
pub struct OpenSession {
    /// Its name.
    pub name: String,
    /// Its spec.
    pub spec: String,
    /// When it started (`HH:MM`).
    pub started: String,
}

/// Why an operation failed.
#[derive(Debug, thiserror::Error)]
pub enum OpError {
    /// A session could not be found, started or written.
    #[error(transparent)]
    Session(#[from] SessionError),
    /// The task file could not be edited.
    #[error(transparent)]
    Edit(#[from] EditError),
    /// A task id or session name that is not allowed.
    #[error(transparent)]
    Name(#[from] NameError),
    /// No task has that id.
    #[error("no task `{task}` in spec {spec}")]
    NoSuchTask {
        /// The spec.
        spec: String,
        /// The id asked for.
        task: String,
    },
    /// The task is done or blocked, and reopening it was not asked for.
    #[error("task {task} of {spec} is already {status}")]
    Closed {
        /// The spec.
        spec: String,
        /// The task.
        task: String,
        /// Its status.
        status: TaskStatus,
    },
    /// The task is a template's placeholder, not a task anyone wrote.
    #[error("task {task} of {spec} is the template's placeholder `{title}`, not a real task yet")]
    Placeholder {
        /// The spec.
        spec: String,
        /// The task.
        task: String,
        /// Its title.
        title: String,
        /// The file holding it.
        file: String,
    },
    /// No spec was named and the person has no open session to take it from.
    #[error("no open session of yours, so the spec is unknown")]
    NoCurrentSpec,
    /// The person has no open session.
    #[error("you have no open session")]
    NoOpenSession,
    /// More than one open session could be meant.
    #[error("{} open sessions of yours could be meant: {}", sessions.len(), sessions.iter().map(|s| format!("{} ({})", s.name, s.spec)).collect::<Vec<_>>().join(", "))]
    Ambiguous {
        /// The candidates, oldest first.
        sessions: Vec<OpenSession>,
    },
    /// The session named has ended.
    #[error("session {name} already ended at {at}")]
    AlreadyEnded {
        /// Its name.
        name: String,
        /// When (`YYYY-MM-DD HH:MM`).
        at: String,
    },
    /// The spec's tasks are not approved (and starting was not forced).
    #[error(transparent)]
    Gate(#[from] GateError),
    /// The task's `_Check:_` failed, so it stays open (finishing was not forced).
    #[error("the check of task {task} of {spec} failed ({}): `{}`", crate::stores::activity::exit_text(run), run.command)]
    CheckFailed {
        /// The spec.
        spec: String,
        /// The task.
        task: String,
        /// The run, with the tail of its output.
        run: crate::stores::journal::CheckRun,
    },
    /// The task has no evidence to compare with (not done, or finished before specwork kept it).
    #[error(
        "task {task} of {spec} has no drift baseline: it is not done, or was finished before specwork kept evidence"
    )]
    NoBaseline {
        /// The spec.
        spec: String,
        /// The task.
        task: String,
    },
    /// A drift decision could not be recorded.
    #[error(transparent)]
    Evidence(#[from] crate::stores::evidence::EvidenceError),
}
