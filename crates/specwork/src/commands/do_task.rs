use clap::Args;
use serde::Serialize;
use specwork_core::journal::{
    Entry, Event, Progress, Stamp, TaskPointer, TaskRecord, Tokens, UsageSource, WorkspaceLock,
};
use specwork_core::session::{self, Identity, Pick, SessionIndex};
use specwork_core::{Diagnostic, Task, TaskStatus, Workspace, approvals, edit, estimate, names};

use super::Ctx;
use crate::budget::{self, CostDisplay};
use crate::error::{CmdResult, CommandError};
use crate::measure::{self, Closing, Logs};

#[derive(Args, Debug)]
pub struct DoTaskArgs {
    /// Spec id
    pub spec: String,
    /// Task id (`1.2`, or `#3` for the third task)
    pub task: String,
    /// Complete the task: mark it `[x]` and record its tokens and cost
    #[arg(long)]
    pub done: bool,
    /// Tokens the task used (45k, 1.2M, 45000), when no transcript measured them
    #[arg(long, requires = "done", value_name = "TOKENS")]
    pub tokens: Option<String>,
    /// Model for the cost estimate of --tokens (haiku, sonnet, opus) [default: the session's, else haiku]
    #[arg(long)]
    pub model: Option<String>,
    /// Start a task that is done or blocked anyway (reopens it)
    #[arg(long)]
    pub force: bool,
    /// The session to record in [default: your active session on SPEC, else your latest one]
    #[arg(long, value_name = "NAME")]
    pub session: Option<String>,
}

#[derive(Serialize)]
struct StartReport<'a> {
    session: String,
    spec: String,
    task: &'a Task,
    status: TaskStatus,
    session_started: bool,
    warnings: Vec<Diagnostic>,
}

#[derive(Serialize)]
pub(crate) struct DoneReport {
    pub session: String,
    pub spec: String,
    pub task: String,
    pub title: String,
    pub status: TaskStatus,
    pub tokens: Option<u64>,
    pub input_tokens: Option<u64>,
    pub output_tokens: Option<u64>,
    pub cache_creation_tokens: Option<u64>,
    pub cache_read_tokens: Option<u64>,
    pub cost_usd: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cost_display: Option<CostDisplay>,
    pub usage_source: Option<&'static str>,
    pub progress: Progress,
    pub next_task: Option<TaskPointer>,
    pub session_started: bool,
    pub warnings: Vec<Diagnostic>,
}

pub fn run(ctx: &Ctx, a: DoTaskArgs) -> CmdResult {
    names::task_id(&a.task)
        .map_err(|e| CommandError::usage(e.to_string(), "task ids look like 1, 1.2 or #3 (the third task)"))?;
    let tokens = a.tokens.as_deref().map(parse_tokens).transpose()?;
    let ws = ctx.workspace()?;
    let spec = ws.spec(&a.spec)?;
    // Closing a task measures it: read the agents' logs before taking the lock (a first scan of
    // large logs takes a moment; nothing else waits for it).
    let logs = if a.done { measure::logs_for_sessions(&ctx.ui, &ws.root, &ws.config) } else { None };
    let task = spec.tasks.find(&a.task).ok_or_else(|| {
        CommandError::usage(
            format!("no task `{}` in spec {}", a.task, spec.id),
            format!("`specwork task list {}` shows the task ids", spec.id),
        )
    })?;
    if !a.done && matches!(task.status, TaskStatus::Done | TaskStatus::Blocked) && !a.force {
        return Err(CommandError::usage(
            format!("task {} of {} is already {}", task.id, spec.id, task.status),
            format!("pass --force to reopen it, or start the next task: `specwork resume {}`", spec.id),
        ));
    }
    // The approval gate: tasks are started only once they are approved (`--force` overrides,
    // and the journal records that it did).
    let gate_forced = if a.done {
        false
    } else {
        match approvals::tasks_approved(ws, spec) {
            Ok(()) => false,
            Err(e) if a.force => {
                ctx.ui.warn(format!("{e}; starting anyway because of --force (recorded in the journal)"));
                true
            }
            Err(e) => return Err(CommandError::usage(e.to_string(), e.hint())),
        }
    };
    if !spec.layout.writable() {
        let e = edit::EditError::ReadOnly { id: spec.id.clone(), layout: spec.layout.as_str() };
        return Err(e.into());
    }
    let who = Identity::detect(&ws.root, &ws.config);
    let _lock = WorkspaceLock::acquire(&ws.root);
    let index = SessionIndex::load_current(&ws.root);
    let pick = session::pick_or_start(ws, spec, &who, &index, a.session.as_deref())?;
    let (key, journal, session_model, session_started) = match &pick {
        Pick::Started(st) => {
            if !ctx.ui.quiet && !ctx.ui.json {
                eprintln!("note: no active session of yours; started session {}", session::name_of(&st.key));
            }
            (st.key.clone(), st.journal.clone(), None, true)
        }
        Pick::Existing(k) => {
            let s = index.get(k).expect("picked from the index");
            (k.clone(), ws.abs(&s.journal), s.model.clone(), false)
        }
    };
    let warnings: Vec<Diagnostic> = if a.done {
        Vec::new()
    } else {
        session::overlaps(&index, Some(&key), &spec.id, &task.files, true)
            .iter()
            .map(session::Overlap::diagnostic)
            .collect()
    };
    if !ctx.ui.json {
        ctx.ui.diagnostics(&warnings);
    }

    if !a.done {
        if task.status != TaskStatus::InProgress {
            edit::set_task_status(ws, spec, &a.task, TaskStatus::InProgress, None)?;
        }
        let entry = Entry::now(
            &key,
            Event::TaskStart {
                spec: spec.id.clone(),
                task: task.id.clone(),
                title: task.title.clone(),
                files: task.files.clone(),
                forced: gate_forced || a.force && matches!(task.status, TaskStatus::Done | TaskStatus::Blocked),
            },
        );
        session::record(ws, &journal, &[entry])?;
        let mut shown = task.clone();
        shown.status = TaskStatus::InProgress;
        let r = StartReport {
            session: key.clone(),
            spec: spec.id.clone(),
            task: &shown,
            status: TaskStatus::InProgress,
            session_started,
            warnings,
        };
        ctx.ui.report(&r, |s| render_task(s, &spec.id, &key, &shown));
        return Ok(0);
    }

    let model = a.model.clone().or(session_model).unwrap_or_else(|| estimate::DEFAULT_MODEL.to_owned());
    let end = Ending { status: TaskStatus::Done, tokens, model: &model, note: None, kind: "task_end" };
    let r = finish(ws, spec, task, &key, &journal, &end, &index, &who.owner, logs.as_ref())?;
    let r = DoneReport { session_started, warnings, ..r };
    manual_note(ctx, tokens, &r);
    let currency = ws.config.currency.as_ref();
    ctx.ui.report(&r, |s| {
        match (r.tokens, r.cost_usd) {
            (Some(t), Some(c)) => s.push_str(&format!(
                "✅ Task {} completed ({} tokens, {})\n",
                r.task,
                session::fmt_tokens(t),
                budget::money(c, currency)
            )),
            (Some(t), None) => {
                s.push_str(&format!("✅ Task {} completed ({} tokens)\n", r.task, session::fmt_tokens(t)));
            }
            _ => s.push_str(&format!("✅ Task {} completed\n", r.task)),
        }
        next_line(s, &r);
    });
    Ok(0)
}

/// Parses a TOKENS argument.
pub(crate) fn parse_tokens(s: &str) -> CmdResult<u64> {
    session::parse_tokens(s).ok_or_else(|| {
        CommandError::usage(format!("cannot read `{s}` as a token count"), "write it as 45k, 1.2M or 45000")
    })
}

/// Says on stderr that measured usage replaced the manual count given, when it did.
pub(crate) fn manual_note(ctx: &Ctx, manual: Option<u64>, r: &DoneReport) {
    if let (Some(m), Some("measured"), Some(t)) = (manual, r.usage_source, r.tokens)
        && !ctx.ui.quiet
        && !ctx.ui.json
    {
        eprintln!(
            "note: task {} used {} tokens measured from the agent's log; the manual {} is kept in the journal but measured usage wins",
            r.task,
            session::fmt_tokens(t),
            session::fmt_tokens(m)
        );
    }
}

/// How a task ends: `do-task --done` or `log-task`.
pub(crate) struct Ending<'a> {
    pub status: TaskStatus,
    /// A manual token count.
    pub tokens: Option<u64>,
    /// The model its cost is estimated for.
    pub model: &'a str,
    pub note: Option<String>,
    /// `task_end` or `log_task`.
    pub kind: &'a str,
}

/// Sets the task's status and records a `task_end` (or `log_task`) with its usage — the manual
/// count given, and, when the task's window closes (any status but in-progress), the usage
/// measured from the agents' logs in the window; returns what the session now knows about the
/// task.
#[allow(clippy::too_many_arguments)]
pub(crate) fn finish(
    ws: &Workspace,
    spec: &specwork_core::Spec,
    task: &Task,
    key: &str,
    journal: &std::path::Path,
    end: &Ending<'_>,
    before: &SessionIndex,
    owner: &str,
    logs: Option<&Logs>,
) -> CmdResult<DoneReport> {
    let (status, tokens, model, kind) = (end.status, end.tokens, end.model, end.kind);
    let note = end.note.clone();
    if task.status != status {
        let reason = if status == TaskStatus::Blocked { note.as_deref() } else { None };
        edit::set_task_status(ws, spec, &task.id, status, reason)?;
    }
    let fresh = session::fresh_tasks(ws, spec);
    let (progress, next) = session::progress_of(&fresh);
    let record = TaskRecord {
        spec: spec.id.clone(),
        task: task.id.clone(),
        title: task.title.clone(),
        status,
        tokens: tokens.map(Tokens::total),
        cost_usd: tokens.and_then(|t| estimate::manual_cost(model, t)),
        model: tokens.map(|_| model.to_owned()),
        source: tokens.map(|_| UsageSource::Manual),
        note,
        progress,
        next: next.clone(),
    };
    let event = if kind == "log_task" { Event::LogTask(record) } else { Event::TaskEnd(record) };
    let now = Stamp::now();
    let mut entries = session::commit_entries(&ws.root, before, key);
    entries.push(Entry { ts: now, ..Entry::now(key, event) });
    if let Some(logs) = logs
        && status != TaskStatus::InProgress
    {
        let closing = Closing { now, sessions: &[], task: Some((key, &spec.id, &task.id)) };
        let a = measure::attribute(before, owner, logs, &closing);
        let mut measured = a.entries(logs, now.offset, |w, closed| closed && w.session == key);
        entries.extend(measured.remove(key).unwrap_or_default());
    }
    let index = session::record(ws, journal, &entries)?;
    let usage = index
        .get(key)
        .and_then(|s| s.tasks.iter().find(|t| t.spec == spec.id && t.task == task.id))
        .and_then(|t| t.usage.clone());
    let cost_usd = usage.as_ref().filter(|u| !u.unpriced || u.cost_usd > 0.0).map(|u| u.cost_usd);
    Ok(DoneReport {
        session: key.to_owned(),
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
        cost_display: cost_usd.and_then(|c| budget::display(c, ws.config.currency.as_ref())),
        usage_source: usage.as_ref().map(|u| u.source),
        progress,
        next_task: next,
        session_started: false,
        warnings: Vec::new(),
    })
}

pub(crate) fn next_line(s: &mut String, r: &DoneReport) {
    match &r.next_task {
        Some(n) => s.push_str(&format!("Next: task {} — {}\n", n.id, n.title)),
        None if r.progress.total > 0 && r.progress.done == r.progress.total => {
            s.push_str(&format!("Every task of {} is done ({}/{})\n", r.spec, r.progress.done, r.progress.total));
        }
        None => {}
    }
}

fn render_task(s: &mut String, spec: &str, key: &str, t: &Task) {
    let name = session::name_of(key);
    s.push_str(&format!("⏳ Task {}: {}\n", t.id, t.title));
    s.push_str(&format!("Spec: {spec} · Session: {name}\n"));
    if !t.requirements.is_empty() {
        s.push_str(&format!("Requirements: {}\n", t.requirements.join(", ")));
    }
    if !t.files.is_empty() {
        s.push_str(&format!("Files: {}\n", t.files.join(", ")));
    }
    if !t.leverage.is_empty() {
        s.push_str(&format!("Leverage: {}\n", t.leverage.join(", ")));
    }
    if let Some(p) = &t.purpose {
        s.push_str(&format!("Purpose: {p}\n"));
    }
    for d in &t.details {
        s.push_str(&format!("- {d}\n"));
    }
    if let Some(p) = &t.prompt {
        s.push_str("\nPrompt:\n");
        for part in p.split(" | ") {
            s.push_str(part.trim());
            s.push('\n');
        }
    }
    s.push_str(&format!("\nWhen done: specwork do-task {spec} {} --done\n", t.id));
}
