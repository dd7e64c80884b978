//! `specwork trace SPEC`: requirement coverage (see `specwork_core::views::trace`).

use clap::Args;
use specwork_core::TaskStatus;
use specwork_core::views::trace::{self, Trace};

use super::Ctx;
use crate::error::{CmdResult, EXIT_PROBLEMS};
use crate::ui::Table;

#[derive(Args, Debug)]
pub struct TraceArgs {
    /// The spec whose requirements to trace
    pub spec: String,
}

/// Exit 4 when a task refers to a requirement that does not exist, or when the spec's tasks
/// refer to requirements and one of them is covered by none.
pub fn run(ctx: &Ctx, a: TraceArgs) -> CmdResult {
    let ws = ctx.workspace()?;
    let spec = ws.spec(&a.spec)?;
    let t = trace::trace(ws, spec, true);
    ctx.ui.report(&t, |s| render(s, &t));
    Ok(if t.has_problems() { EXIT_PROBLEMS } else { 0 })
}

fn render(s: &mut String, t: &Trace) {
    let Some(file) = &t.requirements_file else {
        s.push_str(&format!("Spec {} has no requirements document.\n", t.spec));
        return;
    };
    if t.requirements.is_empty() {
        s.push_str(&format!(
            "No numbered requirements in {file} (headings like `### Requirement 1: …`, or numbered items under `## Requirements`).\n"
        ));
        return;
    }
    s.push_str(&format!("Requirement coverage of {} ({file})\n\n", t.spec));
    let mut table = Table::new(["Req", "Title", "Tasks", "Commits"]).wrap(&[1]);
    for q in &t.requirements {
        let tasks = if q.tasks.is_empty() {
            "— uncovered".to_owned()
        } else {
            q.tasks.iter().map(task_cell).collect::<Vec<_>>().join(", ")
        };
        let commits = q.tasks.iter().flat_map(|t| &t.commits).map(|c| c.hash.as_str()).collect::<Vec<_>>();
        let mut commits = commits;
        commits.dedup();
        table.row([q.id.clone(), q.title.clone(), tasks, commits.join(" ")]);
    }
    table.render(s);
    let covered = t.requirements.len() - t.uncovered;
    s.push_str(&format!("\n{covered} of {} requirements covered", t.requirements.len()));
    let open: Vec<&str> =
        t.requirements.iter().flat_map(|q| &q.criteria).filter(|c| !c.covered).map(|c| c.id.as_str()).collect();
    let criteria: usize = t.requirements.iter().map(|q| q.criteria.len()).sum();
    if criteria > 0 {
        s.push_str(&format!(" · {} of {criteria} acceptance criteria named by a task", criteria - open.len()));
    }
    s.push('\n');
    if !t.traced {
        s.push_str("No task refers to a requirement yet: add `_Requirements: 1.1_` under a task.\n");
    }
    for u in &t.unknown_refs {
        s.push_str(&format!(
            "Unknown reference: task {} refers to requirement {} ({}:{}), which {} does not have.\n",
            u.task, u.reference, u.file, u.line, file
        ));
    }
}

/// `1.2 ✅` (verified), `1.2 ✅?` (done unverified), `1.3 🔄`.
fn task_cell(t: &trace::TraceTask) -> String {
    let mark = match (t.status, t.verified) {
        (TaskStatus::Done, Some(true)) => "✅✓",
        (TaskStatus::Done, Some(false)) => "✅?",
        (st, _) => st.symbol(),
    };
    format!("{} {mark}", t.id)
}
