//! Work on tasks inside sessions, one call per action: start a session, start a task, finish or
//! log a task. The MCP server calls these (and the `specwork` commands do the same steps), so a
//! journal reads the same whoever wrote it.
//!
//! Invariants: each call holds the workspace's journal lock ([`WorkspaceLock`]) from reading the
//! session index to the last journal append, so concurrent writers see each other's events; task
//! markers change through [`edit::set_task_status`] (atomic, conflict-checked, only the marker
//! byte and the `_Blocked:_` line); tokens given by hand are recorded as manual usage with an
//! estimated cost, never as measured.

use serde::Serialize;

use crate::journal::{Entry, Event, Progress, TaskPointer, TaskRecord, Tokens, UsageSource, WorkspaceLock};
use crate::session::{self, Identity, Pick, SessionError, SessionIndex, StartOptions};
use crate::{Diagnostic, Spec, Task, TaskStatus, Workspace, approvals, edit, estimate, names, report};

/// Why a work action failed.
#[derive(Debug, thiserror::Error)]
pub enum WorkError {
    /// A session could not be found, started or written.
    #[error(transparent)]
    Session(#[from] SessionError),
    /// The task file could not be edited.
    #[error(transparent)]
    Edit(#[from] edit::EditError),
    /// A task id or session name that is not allowed.
    #[error(transparent)]
    Name(#[from] names::NameError),
    /// No task has that id.
    #[error("no task `{task}` in spec {spec}")]
    NoSuchTask {
        /// The spec.
        spec: String,
        /// The id asked for.
        task: String,
    },
    /// The task is done or blocked, and starting it was not forced.
    #[error("task {task} of {spec} is already {status}")]
    Closed {
        /// The spec.
        spec: String,
        /// The task.
        task: String,
        /// Its status.
        status: TaskStatus,
    },
    /// No spec was named and the person has no active session to take it from.
    #[error("no active session of yours, so the spec is unknown")]
    NoCurrentSpec,
    /// The spec's tasks are not approved (and starting was not forced).
    #[error(transparent)]
    Gate(#[from] approvals::GateError),
}

/// A session just started.
#[derive(Clone, Debug, Serialize)]
pub struct SessionOpened {
    /// Its key (`{name}@{owner}`).
    pub session: String,
    /// Its name.
    pub name: String,
    /// The spec.
    pub spec: String,
    /// The spec's title.
    pub spec_title: String,
    /// Who runs it.
    pub user: String,
    /// The journal, relative to the workspace.
    pub journal: String,
    /// When it started (RFC 3339).
    pub started: String,
    /// Tasks not done yet.
    pub planned: Vec<String>,
    /// The task to continue from, when earlier work did part of the spec.
    pub continue_from: Option<String>,
    /// Tasks done of all.
    pub progress: Progress,
    /// Other active sessions on the same spec.
    pub warnings: Vec<Diagnostic>,
}

/// Starts session `opts.name` on `spec`, with planning notes for its timeline.
pub fn start_session(
    ws: &Workspace,
    spec: &Spec,
    opts: &StartOptions<'_>,
    notes: &[String],
) -> Result<SessionOpened, WorkError> {
    names::spec_name(opts.name)?;
    let who = Identity::detect(&ws.root, &ws.config);
    let _lock = WorkspaceLock::acquire(&ws.root);
    let index = SessionIndex::load_current(&ws.root);
    let warnings =
        session::overlaps(&index, None, &spec.id, &[], false).iter().map(session::Overlap::diagnostic).collect();
    let started = session::start(ws, spec, &who, &index, opts)?;
    let notes: Vec<Entry> = notes
        .iter()
        .map(|t| {
            Entry::now(
                &started.key,
                Event::Note { text: t.clone(), section: "planning".into(), spec: Some(spec.id.clone()) },
            )
        })
        .collect();
    session::record(ws, &started.journal, &notes)?;
    let Event::SessionStart { planned, continue_from, progress, .. } = &started.entry.event else {
        unreachable!("session::start writes a session_start")
    };
    Ok(SessionOpened {
        session: started.key.clone(),
        name: opts.name.to_owned(),
        spec: spec.id.clone(),
        spec_title: spec.title.clone(),
        user: who.user.clone(),
        journal: report::slash_path(started.journal.strip_prefix(&ws.root).unwrap_or(&started.journal)),
        started: started.entry.ts.to_string(),
        planned: planned.clone(),
        continue_from: continue_from.clone(),
        progress: *progress,
        warnings,
    })
}

/// A task just started.
#[derive(Clone, Debug, Serialize)]
pub struct TaskStarted {
    /// The session recording it.
    pub session: String,
    /// Whether that session was started for it (none of the person's was active).
    pub session_started: bool,
    /// The spec.
    pub spec: String,
    /// The task, now in progress (with its prompt, files, requirements).
    pub task: Task,
    /// Other active sessions on the same spec or files.
    pub warnings: Vec<Diagnostic>,
}

/// The session to record in, and whether it was started now.
struct Recorder {
    key: String,
    journal: std::path::PathBuf,
    model: Option<String>,
    started: bool,
}

fn recorder(
    ws: &Workspace,
    spec: &Spec,
    who: &Identity,
    index: &SessionIndex,
    named: Option<&str>,
) -> Result<Recorder, WorkError> {
    Ok(match session::pick_or_start(ws, spec, who, index, named)? {
        Pick::Started(st) => Recorder { key: st.key, journal: st.journal, model: None, started: true },
        Pick::Existing(k) => {
            let s = index.get(&k).expect("picked from the index");
            Recorder { journal: ws.abs(&s.journal), model: s.model.clone(), key: k, started: false }
        }
    })
}

fn find_task<'a>(spec: &'a Spec, id: &str) -> Result<&'a Task, WorkError> {
    names::task_id(id)?;
    spec.tasks.find(id).ok_or_else(|| WorkError::NoSuchTask { spec: spec.id.clone(), task: id.to_owned() })
}

fn writable(spec: &Spec) -> Result<(), WorkError> {
    if spec.layout.writable() {
        Ok(())
    } else {
        Err(edit::EditError::ReadOnly { id: spec.id.clone(), layout: spec.layout.as_str() }.into())
    }
}

/// Starts task `task_id` of `spec` (`do-task`): marks it `[-]` and records a `task_start` in the
/// person's session on the spec (`session`, else the active one, else a new one). A done or
/// blocked task is reopened, and a spec whose tasks are not approved
/// ([`approvals::tasks_approved`]) is started, only with `force`, which the journal records.
pub fn start_task(
    ws: &Workspace,
    spec: &Spec,
    task_id: &str,
    force: bool,
    session_name: Option<&str>,
) -> Result<TaskStarted, WorkError> {
    let task = find_task(spec, task_id)?;
    if matches!(task.status, TaskStatus::Done | TaskStatus::Blocked) && !force {
        return Err(WorkError::Closed { spec: spec.id.clone(), task: task.id.clone(), status: task.status });
    }
    let gate_forced = match approvals::tasks_approved(ws, spec) {
        Ok(()) => false,
        Err(_) if force => true,
        Err(e) => return Err(e.into()),
    };
    writable(spec)?;
    let who = Identity::detect(&ws.root, &ws.config);
    let _lock = WorkspaceLock::acquire(&ws.root);
    let index = SessionIndex::load_current(&ws.root);
    let rec = recorder(ws, spec, &who, &index, session_name)?;
    let warnings = session::overlaps(&index, Some(&rec.key), &spec.id, &task.files, true)
        .iter()
        .map(session::Overlap::diagnostic)
        .collect();
    if task.status != TaskStatus::InProgress {
        edit::set_task_status(ws, spec, task_id, TaskStatus::InProgress, None)?;
    }
    let entry = Entry::now(
        &rec.key,
        Event::TaskStart {
            spec: spec.id.clone(),
            task: task.id.clone(),
            title: task.title.clone(),
            files: task.files.clone(),
            forced: gate_forced || force && matches!(task.status, TaskStatus::Done | TaskStatus::Blocked),
        },
    );
    session::record(ws, &rec.journal, &[entry])?;
    let mut task = task.clone();
    task.status = TaskStatus::InProgress;
    Ok(TaskStarted { session: rec.key, session_started: rec.started, spec: spec.id.clone(), task, warnings })
}

/// What finishing or logging a task records.
#[derive(Clone, Debug, Default)]
pub struct FinishOptions<'a> {
    /// The new status (`done` for `do-task --done`).
    pub status: Option<TaskStatus>,
    /// Tokens typed by hand, when no transcript measured them.
    pub tokens: Option<u64>,
    /// Model for the manual cost estimate [default: the session's, else haiku].
    pub model: Option<&'a str>,
    /// A note (for a blocked task: the reason).
    pub note: Option<&'a str>,
    /// The session to record in.
    pub session: Option<&'a str>,
    /// Record a `log_task` (manual log) rather than a `task_end`.
    pub manual_log: bool,
}

/// A task finished or logged.
#[derive(Clone, Debug, Serialize)]
pub struct TaskFinished {
    /// The session recording it.
    pub session: String,
    /// Whether that session was started for it.
    pub session_started: bool,
    /// The spec.
    pub spec: String,
    /// The task.
    pub task: String,
    /// Its title.
    pub title: String,
    /// Its new status.
    pub status: TaskStatus,
    /// Tokens the session attributes to the task (measured, or manual).
    pub tokens: Option<u64>,
    /// Their cost in USD.
    pub cost_usd: Option<f64>,
    /// `measured` or `manual`.
    pub usage_source: Option<&'static str>,
    /// The spec's progress now.
    pub progress: Progress,
    /// The next task.
    pub next_task: Option<TaskPointer>,
}

/// The spec of the person's session `named`, else of their current session.
pub fn current_spec(ws: &Workspace, named: Option<&str>) -> Result<String, WorkError> {
    let who = Identity::detect(&ws.root, &ws.config);
    let index = SessionIndex::load_current(&ws.root);
    match named {
        Some(name) => index
            .find(&who.owner, name)
            .map(|s| s.spec.clone())
            .ok_or_else(|| SessionError::NoSuchSession { name: name.to_owned() }.into()),
        None => index.current(&who.owner, None).map(|s| s.spec.clone()).ok_or(WorkError::NoCurrentSpec),
    }
}

/// Finishes (`do-task --done`) or logs (`log-task`) task `task_id` of `spec`: sets its marker,
/// records a `task_end` or `log_task` with the manual tokens, if any, and the commits made since
/// the session's last event.
pub fn finish_task(
    ws: &Workspace,
    spec: &Spec,
    task_id: &str,
    opts: &FinishOptions<'_>,
) -> Result<TaskFinished, WorkError> {
    let task = find_task(spec, task_id)?;
    writable(spec)?;
    let status = opts.status.unwrap_or(TaskStatus::Done);
    let who = Identity::detect(&ws.root, &ws.config);
    let _lock = WorkspaceLock::acquire(&ws.root);
    let index = SessionIndex::load_current(&ws.root);
    let rec = recorder(ws, spec, &who, &index, opts.session)?;
    let model =
        opts.model.map(str::to_owned).or(rec.model.clone()).unwrap_or_else(|| estimate::DEFAULT_MODEL.to_owned());
    if task.status != status {
        let reason = if status == TaskStatus::Blocked { opts.note } else { None };
        edit::set_task_status(ws, spec, &task.id, status, reason)?;
    }
    let (progress, next) = session::progress_of(&session::fresh_tasks(ws, spec));
    let record = TaskRecord {
        spec: spec.id.clone(),
        task: task.id.clone(),
        title: task.title.clone(),
        status,
        tokens: opts.tokens.map(Tokens::total),
        cost_usd: opts.tokens.and_then(|t| estimate::manual_cost(&model, t)),
        model: opts.tokens.map(|_| model.clone()),
        source: opts.tokens.map(|_| UsageSource::Manual),
        note: opts.note.map(str::to_owned),
        progress,
        next: next.clone(),
    };
    let event = if opts.manual_log { Event::LogTask(record) } else { Event::TaskEnd(record) };
    let mut entries = session::commit_entries(&ws.root, &index, &rec.key);
    entries.push(Entry::now(&rec.key, event));
    let after = session::record(ws, &rec.journal, &entries)?;
    let usage = after
        .get(&rec.key)
        .and_then(|s| s.tasks.iter().find(|t| t.spec == spec.id && t.task == task.id))
        .and_then(|t| t.usage.clone());
    Ok(TaskFinished {
        session: rec.key,
        session_started: rec.started,
        spec: spec.id.clone(),
        task: task.id.clone(),
        title: task.title.clone(),
        status,
        tokens: usage.as_ref().map(|u| u.tokens.total),
        cost_usd: usage.as_ref().filter(|u| !u.unpriced || u.cost_usd > 0.0).map(|u| u.cost_usd),
        usage_source: usage.as_ref().map(|u| u.source),
        progress,
        next_task: next,
    })
}
