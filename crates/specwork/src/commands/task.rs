use clap::{Args, Subcommand};
use serde::Serialize;
use specwork_core::TaskStatus;
use specwork_core::ops::session::SessionPick;
use specwork_core::ops::task;
use specwork_core::views::report::TaskRef;

use super::{Ctx, format};
use crate::error::{CmdResult, CommandError};
use crate::ui::Table;

#[derive(Subcommand, Debug)]
pub enum TaskCommand {
    /// Change a task's status, editing only its marker (and its `_Blocked:_` line); the change is
    /// journaled in your session on the spec (started when there is none)
    Set(SetArgs),
    /// List a spec's tasks
    List(ListArgs),
    /// Show one task with its prompt, requirements and files
    Show(ShowArgs),
}

#[derive(Args, Debug)]
pub struct SetArgs {
    /// Spec id
    pub spec: String,
    /// Task id (`1.2`, or `#3` for the third task)
    pub task: String,
    /// pending, in-progress, done or blocked
    pub status: String,
    /// Why the task is blocked (written as `_Blocked: reason_`)
    #[arg(long)]
    pub reason: Option<String>,
    /// The session to journal the change in [default: the one hooks tied to this agent session, else your only open session on SPEC]
    #[arg(long, value_name = "NAME", env = "SPECWORK_SESSION")]
    pub session: Option<String>,
}

#[derive(Args, Debug)]
pub struct ListArgs {
    /// Spec id
    pub spec: String,
}

#[derive(Args, Debug)]
pub struct ShowArgs {
    /// Spec id
    pub spec: String,
    /// Task id
    pub task: String,
}

pub fn run(ctx: &Ctx, cmd: TaskCommand) -> CmdResult {
    match cmd {
        TaskCommand::Set(a) => set(ctx, a),
        TaskCommand::List(a) => list(ctx, a),
        TaskCommand::Show(a) => show(ctx, a),
    }
}

fn set(ctx: &Ctx, a: SetArgs) -> CmdResult {
    let status = TaskStatus::parse(&a.status).ok_or_else(|| {
        CommandError::usage(format!("unknown status `{}`", a.status), "use pending, in-progress, done or blocked")
    })?;
    if a.reason.is_some() && status != TaskStatus::Blocked {
        return Err(CommandError::usage(
            "--reason goes with the blocked status",
            "drop --reason, or set the task to blocked",
        ));
    }
    let ws = ctx.workspace()?;
    let spec = ws.spec(&a.spec)?;
    let agent = super::do_task::agent_session();
    let pick = SessionPick { name: a.session.as_deref(), agent_session: agent.as_deref() };
    let r = task::set_marker(ws, spec, &a.task, status, a.reason.as_deref(), &pick)?;
    super::do_task::finished_notes(ctx, &r);
    let change = r.change.as_ref().expect("set_marker always edits the marker");
    ctx.ui.outcome(change, |s| {
        s.push_str(&format!(
            "{} task {} {} ({} → {}) in {}:{}\n",
            change.to.symbol(),
            change.task,
            change.title,
            change.from,
            change.to,
            specwork_core::base::display::slash_path(&change.file),
            change.line
        ));
    });
    Ok(0)
}

#[derive(Serialize)]
struct TaskListReport {
    spec: String,
    tasks: Vec<TaskRef>,
}

fn list(ctx: &Ctx, a: ListArgs) -> CmdResult {
    let ws = ctx.workspace()?;
    let spec = ws.spec(&a.spec)?;
    let r = TaskListReport { spec: spec.id.clone(), tasks: spec.tasks.tasks.iter().map(TaskRef::from).collect() };
    ctx.ui.report(&r, |s| {
        if r.tasks.is_empty() {
            s.push_str(&format!("spec {} has no tasks yet\n", r.spec));
        }
        let mut table = Table::headless().wrap(&[2]);
        for t in &spec.tasks.tasks {
            table.row([
                format!("{}{}", "  ".repeat(t.level), t.status.symbol()),
                t.id.clone(),
                format::truncate(&t.title, 70),
            ]);
        }
        table.render(s);
    });
    Ok(0)
}

fn show(ctx: &Ctx, a: ShowArgs) -> CmdResult {
    let ws = ctx.workspace()?;
    let spec = ws.spec(&a.spec)?;
    let task = spec.tasks.find(&a.task).ok_or_else(|| {
        CommandError::usage(
            format!("no task `{}` in spec {}", a.task, spec.id),
            format!("`specwork task list {}` shows the task ids", spec.id),
        )
    })?;
    ctx.ui.report(task, |s| {
        s.push_str(&format!("{} Task {}: {}\n", task.status.symbol(), task.id, task.title));
        s.push_str(&format!("status: {}\n", task.status));
        if !task.requirements.is_empty() {
            s.push_str(&format!("requirements: {}\n", task.requirements.join(", ")));
        }
        if !task.files.is_empty() {
            s.push_str(&format!("files: {}\n", task.files.join(", ")));
        }
        if !task.leverage.is_empty() {
            s.push_str(&format!("leverage: {}\n", task.leverage.join(", ")));
        }
        if let Some(p) = &task.purpose {
            s.push_str(&format!("purpose: {p}\n"));
        }
        if let Some(r) = &task.blocked_reason {
            s.push_str(&format!("blocked: {r}\n"));
        }
        if let Some(p) = &task.prompt {
            s.push_str(&format!("\nprompt:\n{}\n", p.replace(" | ", "\n")));
        }
        for d in &task.details {
            s.push_str(&format!("- {d}\n"));
        }
    });
    Ok(0)
}
