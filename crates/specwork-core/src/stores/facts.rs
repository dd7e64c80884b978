//! The data a session keeps when it is read through the journal index instead of from its
//! entries: plain types, so that the fold (`session`), the windows and the index can all use
//! them without importing each other.

use crate::stores::journal::{Progress, Stamp, TaskPointer};

/// A spec's progress at some moment: `(spec, time, progress, next task)`.
pub type Snapshot = (String, Stamp, Progress, Option<TaskPointer>);

/// A span of work of one session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkWindow {
    /// The session key.
    pub session: String,
    /// The spec.
    pub spec: String,
    /// The task, or `None` for the session's own window.
    pub task: Option<String>,
    /// When it opened.
    pub start: Stamp,
    /// When it closed; `None` while open.
    pub end: Option<Stamp>,
    /// Whether measured usage for it is in the journal.
    pub recorded: bool,
}

/// What the reports read from a session's entries (and planned tasks), kept for a session whose
/// entries are not loaded. Each field is computed by the function that computes it from the
/// entries, so both ways give the same answer.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EntryFacts {
    /// Per spec the session touched, its last implementation line
    /// (`activity::last_activity`); specs without one are left out.
    pub(crate) last_activity: Vec<(String, String)>,
    /// The session's progress snapshots (`session::session_snapshots`).
    pub(crate) snapshots: Vec<Snapshot>,
    /// Its work windows (`windows::windows`).
    pub(crate) windows: Vec<WorkWindow>,
    /// The agent sessions hooks tied to it (`windows::tied_agent_sessions`).
    pub(crate) agent_sessions: Vec<String>,
    /// Its task count (`Session::task_progress`).
    pub(crate) task_total: usize,
    /// Per spec, `(spec, deliverables, commits)` (`activity::delivered`); specs with neither
    /// are left out.
    pub(crate) delivered: Vec<(String, usize, usize)>,
}
