//! `specwork plan SPEC --task "..." ... [--approve|--draft]`: the seed's planning step — add
//! planned tasks, show the plan, and ask "Shall I proceed with this plan? (yes/no/modify)".
//! On a terminal it prompts; with `--approve` / `--draft`, `--json`, or without a terminal it
//! never waits.

use std::io::{BufRead, IsTerminal};

use clap::Args;
use serde::Serialize;
use specwork_core::base::write::WriteError;
use specwork_core::model::edit::EditError;
use specwork_core::ops::phases::{self, PhaseError, PlannedTask};
use specwork_core::stores::approvals::{self, ApprovalOutcome, DocKind};
use specwork_core::views::report::TaskRef;
use specwork_core::{Spec, Workspace};

use super::Ctx;
use crate::error::{CmdResult, CommandError, EXIT_CONFLICT, EXIT_FAILURE, EXIT_USAGE};
use crate::hints::Hint;
use crate::ui::Ui;

#[derive(Args, Debug)]
pub struct PlanArgs {
    /// Spec id (a numbered spec such as 1014, or a named spec with a tasks.md)
    pub spec: String,
    /// A planned task's title (repeat for several); added as `- [ ] N. TITLE`
    #[arg(long = "task", short = 't', value_name = "TITLE")]
    pub tasks: Vec<String>,
    /// Approve the plan (answers "yes" without asking)
    #[arg(long, conflicts_with = "draft")]
    pub approve: bool,
    /// Keep the plan as a draft (answers "no" without asking)
    #[arg(long)]
    pub draft: bool,
    /// A note recorded with the approval
    #[arg(long, short)]
    pub comment: Option<String>,
}

impl From<PhaseError> for CommandError {
    fn from(e: PhaseError) -> Self {
        let code = match &e {
            PhaseError::Approval(_) => {
                let PhaseError::Approval(a) = e else { unreachable!() };
                return a.into();
            }
            PhaseError::Edit(EditError::Write(WriteError::Conflict { .. })) => EXIT_CONFLICT,
            PhaseError::Edit(EditError::Write(_)) => EXIT_FAILURE,
            _ => EXIT_USAGE,
        };
        let hint = e.hint();
        Self { error: e.into(), hints: vec![hint], code }
    }
}

#[derive(Serialize)]
struct PlanReport {
    spec: String,
    title: String,
    file: Option<String>,
    added: Vec<PlannedTask>,
    plan: Vec<TaskRef>,
    approved: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    approval: Option<ApprovalOutcome>,
    next: String,
}

enum Answer {
    Yes,
    No,
    Modify,
}

pub fn run(ctx: &Ctx, a: PlanArgs) -> CmdResult {
    let root = ctx.root()?;
    let ws = ctx.workspace()?;
    let spec = ws.spec(&a.spec)?;
    let mut added = Vec::new();
    let mut file = spec.tasks_source.as_ref().map(|s| s.file.clone());
    if !a.tasks.is_empty() {
        let r = phases::add_tasks(ws, spec, &a.tasks)?;
        file = Some(r.file.clone());
        added = r.added;
    }
    let mut ws = Workspace::load(&root)?;
    let interactive = !a.approve && !a.draft && !ctx.ui.json && std::io::stdin().is_terminal();
    let mut decision = if a.approve {
        Some(true)
    } else if a.draft || !interactive {
        Some(false)
    } else {
        None
    };

    while decision.is_none() {
        let spec = ws.spec(&a.spec)?;
        let mut shown = String::new();
        render_plan(&mut shown, spec);
        ctx.ui.text(&shown);
        match ask(&ctx.ui, "Shall I proceed with this plan? (yes/no/modify) ") {
            Some(Answer::Yes) => decision = Some(true),
            Some(Answer::No) | None => decision = Some(false),
            Some(Answer::Modify) => {
                let more = read_tasks(&ctx.ui);
                if !more.is_empty() {
                    let r = phases::add_tasks(&ws, spec, &more)?;
                    file = Some(r.file.clone());
                    added.extend(r.added);
                    ws = Workspace::load(&root)?;
                }
            }
        }
    }
    let spec = ws.spec(&a.spec)?;
    let approval = if decision == Some(true) {
        let t = approvals::spec_target(spec, DocKind::Tasks)?;
        let comment = a.comment.clone().unwrap_or_else(|| "Plan approved: yes".to_owned());
        Some(approvals::approve(&ws, &t, Some(&comment))?)
    } else {
        None
    };
    let approved = approval.is_some();
    let next = if approved {
        format!("start: `specwork do-task {} {}`", spec.id, spec.tasks.next_task().map_or("1", |t| t.id.as_str()))
    } else {
        format!("approve the plan when it is ready: `specwork plan {} --approve`", spec.id)
    };
    let report = PlanReport {
        spec: spec.id.clone(),
        title: spec.title.clone(),
        file: file.map(|f| specwork_core::base::display::slash_path(&f)),
        added,
        plan: spec.tasks.tasks.iter().map(TaskRef::from).collect(),
        approved,
        approval,
        next,
    };
    ctx.ui.report(&report, |s| {
        for t in &report.added {
            s.push_str(&format!(
                "added task {} {} ({}:{})\n",
                t.id,
                t.title,
                report.file.as_deref().unwrap_or(""),
                t.line
            ));
        }
        if !interactive {
            render_plan(s, spec);
        }
        match &report.approval {
            Some(o) => s.push_str(&format!("✅ plan approved ({})\n", o.approval_id)),
            None => s.push_str("plan not approved yet\n"),
        }
        s.push_str(&format!("next: {}\n", report.next));
    });
    Ok(0)
}

/// The seed's plan view: `## Planned Tasks:` then `1. ✅ title` lines.
fn render_plan(s: &mut String, spec: &Spec) {
    s.push_str(&format!("# Spec {}: {}\n\n## Planned Tasks:\n", spec.id, spec.title));
    if spec.tasks.tasks.is_empty() {
        s.push_str("(no tasks yet)\n");
    }
    for t in &spec.tasks.tasks {
        s.push_str(&format!("{}{}. {} {}\n", "   ".repeat(t.level), t.id, t.status.symbol(), t.title));
    }
    s.push('\n');
}

fn ask(ui: &Ui, prompt: &str) -> Option<Answer> {
    let stdin = std::io::stdin();
    loop {
        ui.prompt(prompt);
        let mut line = String::new();
        if stdin.lock().read_line(&mut line).ok()? == 0 {
            return None;
        }
        match line.trim().to_ascii_lowercase().as_str() {
            "y" | "yes" => return Some(Answer::Yes),
            "n" | "no" => return Some(Answer::No),
            "m" | "modify" => return Some(Answer::Modify),
            _ => ui.prompt("please answer yes, no or modify\n"),
        }
    }
}

fn read_tasks(ui: &Ui) -> Vec<String> {
    let stdin = std::io::stdin();
    let mut out = Vec::new();
    ui.prompt("add tasks, one per line (an empty line ends):\n");
    loop {
        ui.prompt("> ");
        let mut line = String::new();
        match stdin.lock().read_line(&mut line) {
            Ok(0) | Err(_) => break,
            Ok(_) if line.trim().is_empty() => break,
            Ok(_) => out.push(line.trim().to_owned()),
        }
    }
    out
}
