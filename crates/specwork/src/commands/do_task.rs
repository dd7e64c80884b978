//! `specwork do-task SPEC TASK [--done]`: start a task, or finish it (measuring its tokens).

use clap::Args;
use serde::Serialize;
use specwork_core::base::display::{self, money};
use specwork_core::ops::session::SessionPick;
use specwork_core::ops::task::{self, FinishOptions, StartOptionsTask, TaskFinished};
use specwork_core::{Diagnostic, Task, TaskStatus, base::names, stores::session};

use super::Ctx;
use crate::error::{CmdResult, CommandError};

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
    /// Start a task that is done or blocked anyway (reopens it), or whose tasks are not approved;
    /// with --done, finish it although its `_Check:_` fails (recorded as unverified)
    #[arg(long)]
    pub force: bool,
    /// With --done: what the task did, one line (the implementation log's summary)
    #[arg(long, requires = "done", value_name = "TEXT")]
    pub summary: Option<String>,
    /// With --done: an artifact for the implementation log, as `log-implementation --artifact`
    /// takes it (JSON or @FILE); repeat for several
    #[arg(long = "artifact", requires = "done", value_name = "JSON")]
    pub artifacts: Vec<String>,
    /// With --done: files you changed; any git and hooks did not see change are listed as unverified
    #[arg(long = "files", requires = "done", value_name = "PATH", value_delimiter = ',', num_args = 1..)]
    pub files: Vec<String>,
    /// With --done: how long the task's `_Check:_` may run, in seconds [default: 600]
    #[arg(long, requires = "done", value_name = "SECS")]
    pub check_timeout: Option<u64>,
    /// The session to record in [default: the one hooks tied to this agent session, else your only open session on SPEC]
    #[arg(long, value_name = "NAME", env = "SPECWORK_SESSION")]
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

/// The agent session this command runs in, when the agent says (`SPECWORK_AGENT_SESSION`, or
/// Claude Code's `CLAUDE_SESSION_ID`).
pub(crate) fn agent_session() -> Option<String> {
    ["SPECWORK_AGENT_SESSION", "CLAUDE_SESSION_ID", "CLAUDE_CODE_SESSION_ID"]
        .iter()
        .find_map(|k| std::env::var(k).ok().filter(|v| !v.trim().is_empty()))
}

/// Parses a TOKENS argument.
pub(crate) fn parse_tokens(s: &str) -> CmdResult<u64> {
    session::parse_tokens(s).ok_or_else(|| {
        CommandError::usage(format!("cannot read `{s}` as a token count"), "write it as 45k, 1.2M or 45000")
    })
}

pub(crate) fn task_id(id: &str) -> CmdResult<()> {
    names::task_id(id)
        .map(|_| ())
        .map_err(|e| CommandError::usage(e.to_string(), "task ids look like 1, 1.2 or #3 (the third task)"))
}

pub fn run(ctx: &Ctx, a: DoTaskArgs) -> CmdResult {
    task_id(&a.task)?;
    let tokens = a.tokens.as_deref().map(parse_tokens).transpose()?;
    let ws = ctx.workspace()?;
    let spec = ws.spec(&a.spec)?;
    let agent = agent_session();
    let pick = SessionPick { name: a.session.as_deref(), agent_session: agent.as_deref() };
    if !a.done {
        let o = StartOptionsTask { reopen: a.force, pass_gate: a.force, pick };
        let r = task::start(ws, spec, &a.task, &o)?;
        started_note(ctx, r.session_started, &r.spec, &r.session);
        if !ctx.ui.json {
            ctx.ui.diagnostics(&r.warnings);
        }
        let report = StartReport {
            session: r.session.clone(),
            spec: r.spec.clone(),
            task: &r.task,
            status: TaskStatus::InProgress,
            session_started: r.session_started,
            warnings: r.warnings.clone(),
        };
        ctx.ui.report(&report, |s| render_task(s, &r.spec, &r.session, &r.task));
        return Ok(0);
    }
    let mut artifacts = specwork_core::stores::implog::Artifacts::default();
    for x in &a.artifacts {
        artifacts.extend(super::log_implementation::read_artifact(x)?);
    }
    let o = FinishOptions {
        tokens,
        model: a.model.as_deref(),
        pick,
        progress: ctx.ui.scan_progress(),
        force: a.force,
        check_timeout: a.check_timeout.map(std::time::Duration::from_secs),
        summary: a.summary.as_deref(),
        artifacts: (!artifacts.is_empty()).then_some(artifacts),
        claimed_files: a.files.clone(),
        ..FinishOptions::default()
    };
    let r = task::finish(ws, spec, &a.task, &o)?;
    finished_notes(ctx, &r);
    let currency = ws.config.currency.as_ref();
    ctx.ui.report(&r, |s| {
        match (r.tokens, r.cost_usd) {
            (Some(t), Some(c)) => s.push_str(&format!(
                "✅ Task {} completed ({} tokens, {})\n",
                r.task,
                display::fmt_tokens(t),
                money(c, currency)
            )),
            (Some(t), None) => {
                s.push_str(&format!("✅ Task {} completed ({} tokens)\n", r.task, display::fmt_tokens(t)));
            }
            _ => s.push_str(&format!("✅ Task {} completed\n", r.task)),
        }
        evidence_lines(s, &r);
        next_line(s, &r);
    });
    Ok(0)
}

/// The notes every finished task gets on stderr: a session started for it, problems measuring,
/// and measured usage replacing the manual count given.
/// Says so when the operation opened a session because the user had none on the spec.
fn started_note(ctx: &Ctx, started: bool, spec: &str, key: &str) {
    if started {
        ctx.ui.note(format!("no open session of yours on {spec}; started session {}", session::name_of(key)));
    }
}

pub(crate) fn finished_notes(ctx: &Ctx, r: &TaskFinished) {
    started_note(ctx, r.session_started, &r.spec, &r.session);

    if !ctx.ui.json {
        ctx.ui.diagnostics(&r.warnings);
    }
    if let (Some(m), Some("measured"), Some(t)) = (r.manual_tokens, r.usage_source, r.tokens) {
        ctx.ui.note(format!(
            "task {} used {} tokens measured from the agent's log; the manual {} is kept in the journal but measured usage wins",
            r.task,
            display::fmt_tokens(t),
            display::fmt_tokens(m)
        ));
    }
}

/// The check's result and what the task's window changed, under a finished task's line.
pub(crate) fn evidence_lines(s: &mut String, r: &TaskFinished) {
    if let Some(c) = &r.check {
        let secs = c.duration_ms as f64 / 1000.0;
        if c.passed {
            s.push_str(&format!("  verified: `{}` passed in {secs:.1}s\n", c.command));
        } else {
            s.push_str(&format!("  UNVERIFIED: `{}` failed in {secs:.1}s; finished with --force\n", c.command));
        }
    }
    if let Some(w) = r.work.as_ref().filter(|w| !w.is_empty()) {
        let n = w.files_created.len() + w.files_modified.len() + w.files_deleted.len();
        s.push_str(&format!("  {n} file(s) changed, +{} -{}", w.lines_added, w.lines_removed));
        if !w.commits.is_empty() {
            s.push_str(&format!(", commits {}", w.commits.join(", ")));
        }
        s.push('\n');
        if let Some(l) = &w.log {
            s.push_str(&format!("  implementation log: {l}\n"));
        }
        if !w.unverified.is_empty() {
            s.push_str(&format!("  named but not seen changed (unverified): {}\n", w.unverified.join(", ")));
        }
    }
}

pub(crate) fn next_line(s: &mut String, r: &TaskFinished) {
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
    s.push_str(&format!("{} Task {}: {}\n", TaskStatus::InProgress.symbol(), t.id, t.title));
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
