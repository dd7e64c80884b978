//! Task operations: start a task, finish it, log its state, change its marker. Every change of a
//! marker is journaled in the session the caller means (started when there is none), and closing
//! a task's window measures the tokens the agents used in it — whichever frontend closes it.

use serde::Serialize;
use specwork_usage::ProgressFn;

use crate::base::diag::Diagnostic;
use crate::base::display::{CostDisplay, in_currency};
use crate::ops::OpError;
use crate::ops::session::{SessionPick, resolve};
use crate::ops::{done, verify};
use crate::stores::implog::Artifacts;
use crate::stores::journal::{
    CheckRun, Entry, Event, Progress, Stamp, TaskPointer, TaskRecord, Tokens, UsageSource, WorkFacts, WorkspaceLock,
};
use crate::stores::session::{self as store, Identity, SessionIndex, StartOptions};
use crate::usage::logs::{self, Closing, Logs};
use crate::{Spec, Task, TaskStatus, Workspace, base::names, model::edit, stores::approvals, views::estimate};

/// The session an operation records in, and whether it was started for it.
struct Recorder {
    key: String,
    journal: std::path::PathBuf,
    model: Option<String>,
    started: bool,
}

/// The caller's session on `spec` ([`resolve`]); when there is none (and none was named), a new
/// one named `{spec}-HHMM`.
fn recorder(
    ws: &Workspace,
    spec: &Spec,
    who: &Identity,
    index: &SessionIndex,
    task: Option<&str>,
    pick: &SessionPick<'_>,
) -> Result<Recorder, OpError> {
    if let Some(s) = resolve(index, &who.owner, Some(&spec.id), task, pick)? {
        return Ok(Recorder {
            key: s.key.clone(),
            journal: ws.abs(&s.journal),
            model: s.model.clone(),
            started: false,
        });
    }
    let now = Stamp::now();
    let base = format!("{}-{}", spec.id, now.hm().replace(':', ""));
    let mut name = base.clone();
    let mut n = 1;
    while index.key_exists(&ws.root, &who.key(&name)) {
        n += 1;
        name = format!("{base}-{n}");
    }
    let st = store::start(ws, spec, who, index, &StartOptions { name: &name, ..StartOptions::default() })?;
    Ok(Recorder { key: st.key, journal: st.journal, model: None, started: true })
}

fn find_task<'a>(spec: &'a Spec, id: &str) -> Result<&'a Task, OpError> {
    names::task_id(id)?;
    spec.tasks.find(id).ok_or_else(|| OpError::NoSuchTask { spec: spec.id.clone(), task: id.to_owned() })
}

fn writable(spec: &Spec) -> Result<(), OpError> {
    if spec.layout.writable() {
        Ok(())
    } else {
        Err(edit::EditError::ReadOnly { id: spec.id.clone(), layout: spec.layout.as_str() }.into())
    }
}

/// What starting a task may override.
#[derive(Clone, Copy, Debug, Default)]
pub struct StartOptionsTask<'a> {
    /// Reopen a task that is done or blocked.
    pub reopen: bool,
    /// Start although the spec's tasks are not approved (recorded in the journal).
    pub pass_gate: bool,
    /// The session to record in.
    pub pick: SessionPick<'a>,
}

/// A task just started.
#[derive(Clone, Debug, Serialize)]
pub struct TaskStarted {
    /// The session recording it.
    pub session: String,
    /// Whether that session was started for it (none of the person's was open).
    pub session_started: bool,
    /// The spec.
    pub spec: String,
    /// The task, now in progress (with its prompt, files, requirements).
    pub task: Task,
    /// Whether the approval gate was passed without approval.
    pub gate_passed: bool,
    /// Other active sessions on the same spec or files; why the gate was passed.
    pub warnings: Vec<Diagnostic>,
}

/// Starts task `task_id` of `spec`: marks it `[-]` and records a `task_start` in the caller's
/// session on the spec. A done or blocked task is refused unless `reopen`; a spec whose tasks
/// are not approved ([`approvals::tasks_approved`]) unless `pass_gate`; the journal records
/// either override.
pub fn start(ws: &Workspace, spec: &Spec, task_id: &str, o: &StartOptionsTask<'_>) -> Result<TaskStarted, OpError> {
    let task = find_task(spec, task_id)?;
    if task.is_placeholder() {
        return Err(OpError::Placeholder {
            spec: spec.id.clone(),
            task: task.id.clone(),
            title: task.title.clone(),
            file: spec.tasks_source.as_ref().map(|t| crate::base::display::slash_path(&t.file)).unwrap_or_default(),
        });
    }
    let closed = matches!(task.status, TaskStatus::Done | TaskStatus::Blocked);
    if closed && !o.reopen {
        return Err(OpError::Closed { spec: spec.id.clone(), task: task.id.clone(), status: task.status });
    }
    let mut warnings = Vec::new();
    let gate_passed = match approvals::tasks_approved(ws, spec) {
        Ok(()) => false,
        Err(e) if o.pass_gate => {
            warnings.push(Diagnostic::warning("", 0, format!("{e}; started anyway (recorded in the journal)"), ""));
            true
        }
        Err(e) => return Err(e.into()),
    };
    writable(spec)?;
    let who = Identity::detect(&ws.root, &ws.config);
    let _lock = WorkspaceLock::acquire(&ws.root);
    let index = SessionIndex::load_current(&ws.root);
    let rec = recorder(ws, spec, &who, &index, None, &o.pick)?;
    warnings.extend(
        store::overlaps(&index, Some(&rec.key), &spec.id, &task.files, true).iter().map(store::Overlap::diagnostic),
    );
    if task.status != TaskStatus::InProgress {
        edit::set_task_status(ws, spec, &task.id, TaskStatus::InProgress, None)?;
    }
    let entry = Entry::now(
        &rec.key,
        Event::TaskStart {
            spec: spec.id.clone(),
            task: task.id.clone(),
            title: task.title.clone(),
            files: task.files.clone(),
            forced: gate_passed || closed,
            head: crate::stores::implog::git::head(&ws.root),
            dirty: done::dirty_files(ws),
        },
    );
    crate::ops::record::record(ws, &rec.journal, &[entry])?;
    let mut task = task.clone();
    task.status = TaskStatus::InProgress;
    Ok(TaskStarted {
        session: rec.key,
        session_started: rec.started,
        spec: spec.id.clone(),
        task,
        gate_passed,
        warnings,
    })
}

/// How a task ends, or what is logged of it.
#[derive(Clone, Default)]
pub struct FinishOptions<'a> {
    /// The new status [default: done].
    pub status: Option<TaskStatus>,
    /// Tokens counted by hand, when no transcript measured them.
    pub tokens: Option<u64>,
    /// Model for the manual cost estimate [default: the session's, else haiku].
    pub model: Option<&'a str>,
    /// A note (for a blocked task: the reason).
    pub note: Option<&'a str>,
    /// The session to record in.
    pub pick: SessionPick<'a>,
    /// Record a `log_task` (a log, a marker change) rather than a `task_end`.
    pub manual_log: bool,
    /// Progress of a long first scan of the agents' logs.
    pub progress: Option<ProgressFn>,
    /// Finish the task although its `_Check:_` fails (recorded as unverified).
    pub force: bool,
    /// How long the check may run [default: [`verify::DEFAULT_TIMEOUT`]].
    pub check_timeout: Option<std::time::Duration>,
    /// The agent's one-line summary of what the task did (its implementation log's summary).
    pub summary: Option<&'a str>,
    /// What the task built, for its implementation log.
    pub artifacts: Option<Artifacts>,
    /// Files the agent says the task changed (listed as unverified when git and hooks did not
    /// see them change).
    pub claimed_files: Vec<String>,
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
    /// Tokens the session attributes to the task (measured when any, else manual).
    pub tokens: Option<u64>,
    /// Of those, input.
    pub input_tokens: Option<u64>,
    /// Output.
    pub output_tokens: Option<u64>,
    /// Cache writes.
    pub cache_creation_tokens: Option<u64>,
    /// Cache reads.
    pub cache_read_tokens: Option<u64>,
    /// Their cost in USD.
    pub cost_usd: Option<f64>,
    /// The cost in the second currency.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cost_display: Option<CostDisplay>,
    /// `measured` or `manual`.
    pub usage_source: Option<&'static str>,
    /// The manual count given, when one was (measured usage wins over it).
    pub manual_tokens: Option<u64>,
    /// The model the manual count was priced for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub manual_model: Option<String>,
    /// The spec's progress now.
    pub progress: Progress,
    /// The next task.
    pub next_task: Option<TaskPointer>,
    /// The marker edit, when the marker changed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub change: Option<edit::TaskChange>,
    /// For a task finished done: `true` its check passed, `false` finished with `force` past a
    /// failing check, `None` no check.
    pub verified: Option<bool>,
    /// The check's run, when the task has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub check: Option<CheckRun>,
    /// What the task's window changed (files, lines, commits) and the log written, for a task
    /// finished done.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub work: Option<WorkFacts>,
    /// Problems measuring.
    pub warnings: Vec<Diagnostic>,
}

/// Finishes (`done`) or logs task `task_id` of `spec`: sets its marker, records a `task_end` or
/// `log_task` with the manual tokens, if any, and the commits made since the session's last
/// event; when the status closes the task's window (any status but in-progress), also the usage
/// measured from the agents' logs in that window.
pub fn finish(ws: &Workspace, spec: &Spec, task_id: &str, o: &FinishOptions<'_>) -> Result<TaskFinished, OpError> {
    let task = find_task(spec, task_id)?;
    writable(spec)?;
    let status = o.status.unwrap_or(TaskStatus::Done);
    let who = Identity::detect(&ws.root, &ws.config);
    // Finishing a task that was not done yet proves it: its check runs first (before any lock: a
    // test suite takes a while), and a failing check keeps the task open unless forced.
    let finishing = status == TaskStatus::Done && task.status != TaskStatus::Done;
    let check = match (&task.check, finishing) {
        (Some(cmd), true) => Some(verify::run_check(&ws.root, cmd, o.check_timeout.unwrap_or(verify::DEFAULT_TIMEOUT))),
        _ => None,
    };
    let verified = check.as_ref().map(|c| c.passed);
    if let Some(run) = check.as_ref().filter(|c| !c.passed && !o.force) {
        let _lock = WorkspaceLock::acquire(&ws.root);
        let index = SessionIndex::load_current(&ws.root);
        let rec = recorder(ws, spec, &who, &index, Some(&task.id), &o.pick)?;
        let entry =
            Entry::now(&rec.key, Event::Check { spec: spec.id.clone(), task: task.id.clone(), run: run.clone() });
        crate::ops::record::record(ws, &rec.journal, &[entry])?;
        return Err(OpError::CheckFailed { spec: spec.id.clone(), task: task.id.clone(), run: run.clone() });
    }
    // Closing a window measures it: read the agents' logs before taking the lock (a first scan of
    // large logs takes a moment; nothing else waits for it).
    let (logs, warnings) = if status == TaskStatus::InProgress {
        (None, Vec::new())
    } else {
        Logs::for_sessions(&ws.root, &ws.config, o.progress.clone())
    };
    let _lock = WorkspaceLock::acquire(&ws.root);
    let index = SessionIndex::load_current(&ws.root);
    let rec = recorder(ws, spec, &who, &index, Some(&task.id), &o.pick)?;
    let model = o.model.map(str::to_owned).or(rec.model.clone()).unwrap_or_else(|| estimate::DEFAULT_MODEL.to_owned());
    let reason = if status == TaskStatus::Blocked { o.note } else { None };
    let change = Some(edit::set_task_status(ws, spec, &task.id, status, reason)?);
    let (progress, next) = store::progress_of(&store::fresh_tasks(ws, spec));
    let record = TaskRecord {
        spec: spec.id.clone(),
        task: task.id.clone(),
        title: task.title.clone(),
        status,
        tokens: o.tokens.map(Tokens::total),
        cost_usd: o.tokens.and_then(|t| estimate::manual_cost(&model, t)),
        model: o.tokens.map(|_| model.clone()),
        source: o.tokens.map(|_| UsageSource::Manual),
        note: o.note.map(str::to_owned),
        progress,
        next: next.clone(),
        verified: if finishing { verified } else { None },
        check: check.clone(),
        work: None,
    };
    let now = Stamp::now();
    // The index as it will be once this session exists (a session started just now is in it).
    let before = if rec.started { SessionIndex::load_current(&ws.root) } else { index };
    let mut entries = store::commit_entries(&ws.root, &before, &rec.key);
    let mut measured_usage = Vec::new();
    if let Some(logs) = &logs {
        let closing = Closing { now, sessions: &[], task: Some((&rec.key, &spec.id, &task.id)) };
        let a = logs::attribute(&before, &who.owner, logs, &closing);
        let mut measured = a.entries(logs, now.offset, |w, closed| closed && w.session == rec.key);
        measured_usage = measured.remove(&rec.key).unwrap_or_default();
    }
    let mut warnings = warnings;
    let mut record = record;
    let mut evidence = None;
    if finishing {
        let m = done::measure(ws, spec, task, &before, &o.claimed_files);
        warnings.extend(m.warnings.iter().cloned());
        let input = done::LogInput {
            summary: o.summary,
            artifacts: o.artifacts.as_ref(),
            check: check.as_ref(),
            verified,
            usage: usage_text(&measured_usage, &task.id, &record),
        };
        let mut work = m.work.clone();
        match done::write_log(ws, spec, task, &work, &input) {
            Ok(log) => work.log = log,
            Err(e) => {
                warnings.push(Diagnostic::warning("", 0, format!("the implementation log was not written: {e}"), ""))
            }
        }
        record.work = Some(work);
        evidence = Some(m);
    }
    let event = if o.manual_log { Event::LogTask(record.clone()) } else { Event::TaskEnd(record.clone()) };
    entries.push(Entry { ts: now, ..Entry::now(&rec.key, event) });
    entries.extend(measured_usage);
    let after = crate::ops::record::record(ws, &rec.journal, &entries)?;
    if let Some(m) = &evidence {
        let log = record.work.as_ref().and_then(|w| w.log.clone());
        if let Err(e) =
            done::keep_baseline(ws, &spec.id, &task.id, &rec.key, &now, record.verified, check.as_ref(), m, log)
        {
            warnings.push(Diagnostic::warning("", 0, format!("the task's drift baseline was not kept: {e}"), ""));
        }
    }
    let usage = after
        .get(&rec.key)
        .and_then(|s| s.tasks.iter().find(|t| t.spec == spec.id && t.task == task.id))
        .and_then(|t| t.usage.clone());
    let cost_usd = usage.as_ref().filter(|u| !u.unpriced || u.cost_usd > 0.0).map(|u| u.cost_usd);
    Ok(TaskFinished {
        session: rec.key,
        session_started: rec.started,
        spec: spec.id.clone(),
        task: task.id.clone(),
        title: task.title.clone(),
        status,
        tokens: usage.as_ref().map(|u| u.tokens.total),
        input_tokens: usage.as_ref().and_then(|u| u.tokens.input),
        output_tokens: usage.as_ref().and_then(|u| u.tokens.output),
        cache_creation_tokens: usage.as_ref().and_then(|u| u.tokens.cache_creation),
        cache_read_tokens: usage.as_ref().and_then(|u| u.tokens.cache_read),
        cost_usd,
        cost_display: cost_usd.and_then(|c| in_currency(c, ws.config.currency.as_ref())),
        usage_source: usage.as_ref().map(|u| u.source),
        manual_tokens: o.tokens,
        manual_model: o.tokens.map(|_| model),
        progress,
        next_task: next,
        change,
        verified: record.verified,
        check,
        work: record.work,
        warnings,
    })
}

/// The task's usage as the log states it: measured usage entries for it, else the manual count.
fn usage_text(measured: &[Entry], task: &str, record: &TaskRecord) -> Option<String> {
    let mut tokens = 0u64;
    let mut cost = 0.0f64;
    let mut any = false;
    for e in measured {
        if let Event::Usage { task: Some(t), tokens: tk, cost_usd, .. } = &e.event
            && t == task
        {
            any = true;
            tokens += tk.total;
            cost += cost_usd.unwrap_or(0.0);
        }
    }
    let (tokens, cost, source) = if any {
        (tokens, Some(cost), "measured")
    } else {
        (record.tokens.map(|t| t.total)?, record.cost_usd, "manual")
    };
    let mut s = format!("{} tokens", crate::base::display::fmt_tokens(tokens));
    if let Some(c) = cost.filter(|c| *c > 0.0) {
        s.push_str(&format!(", {}", crate::base::display::fmt_cost(c)));
    }
    s.push_str(&format!(" ({source})"));
    Some(s)
}

/// Changes task `task_id`'s marker to `status` (with `reason` for blocked) and journals it as a
/// `log_task` in the caller's session — `task set`, the dashboard's buttons and the MCP `tasks`
/// tool's `set`. The byte-level edit is [`edit::set_task_status`]'s: only the marker and the
/// `_Blocked:_` line change.
pub fn set_marker(
    ws: &Workspace,
    spec: &Spec,
    task_id: &str,
    status: TaskStatus,
    reason: Option<&str>,
    pick: &SessionPick<'_>,
) -> Result<TaskFinished, OpError> {
    finish(
        ws,
        spec,
        task_id,
        &FinishOptions {
            status: Some(status),
            note: reason,
            pick: *pick,
            manual_log: true,
            ..FinishOptions::default()
        },
    )
}
