//! `specwork drift [SPEC]`: files of done tasks changed since, approved documents changed since,
//! files outside a task's `Files:`; `drift accept SPEC TASK` and `drift reopen SPEC TASK`.

use clap::{Args, Subcommand};
use specwork_core::ops::drift as drift_ops;
use specwork_core::ops::session::SessionPick;
use specwork_core::views::drift::{self, DriftReport};

use super::Ctx;
use super::do_task::agent_session;
use crate::error::{CmdResult, EXIT_PROBLEMS};

#[derive(Args, Debug)]
#[command(args_conflicts_with_subcommands = true)]
pub struct DriftArgs {
    #[command(subcommand)]
    pub action: Option<DriftAction>,
    /// The spec [default: every spec not archived]
    pub spec: Option<String>,
}

#[derive(Subcommand, Debug)]
pub enum DriftAction {
    /// Accept a task's drifted files as they are now (re-baselines it; the decision is kept)
    Accept {
        /// Spec id
        spec: String,
        /// Task id
        task: String,
        /// Why the change is fine
        #[arg(long, value_name = "TEXT")]
        note: Option<String>,
    },
    /// Put a drifted task back to pending with the reason (kept with its evidence)
    Reopen {
        /// Spec id
        spec: String,
        /// Task id
        task: String,
        /// Why it must be done again
        #[arg(long, value_name = "TEXT")]
        reason: String,
        /// The session to record in
        #[arg(long, value_name = "NAME", env = "SPECWORK_SESSION")]
        session: Option<String>,
    },
}

pub fn run(ctx: &Ctx, a: DriftArgs) -> CmdResult {
    let ws = ctx.workspace()?;
    match a.action {
        None => {
            let specs: Vec<&specwork_core::Spec> = match &a.spec {
                Some(id) => vec![ws.spec(id)?],
                None => ws.specs.iter().filter(|s| !s.archived).collect(),
            };
            let r = drift::drift(ws, &specs);
            ctx.ui.report(&r, |s| render(s, &r));
            Ok(if r.drifted.is_empty() && r.errors.is_empty() { 0 } else { EXIT_PROBLEMS })
        }
        Some(DriftAction::Accept { spec, task, note }) => {
            let spec = ws.spec(&spec)?;
            let r = drift_ops::accept(ws, spec, &task, note.as_deref())?;
            ctx.ui.outcome(&r, |s| {
                s.push_str(&format!(
                    "accepted the drift of task {} of {} ({} file(s)); recorded in {}\n",
                    r.task,
                    r.spec,
                    r.decision.files.len(),
                    r.file
                ));
            });
            Ok(0)
        }
        Some(DriftAction::Reopen { spec, task, reason, session }) => {
            let spec = ws.spec(&spec)?;
            let agent = agent_session();
            let pick = SessionPick { name: session.as_deref(), agent_session: agent.as_deref() };
            let r = drift_ops::reopen(ws, spec, &task, &reason, &pick)?;
            ctx.ui.outcome(&r, |s| {
                s.push_str(&format!("task {} of {} is pending again: {}\n", r.task, r.spec, reason));
            });
            Ok(0)
        }
    }
}

fn render(s: &mut String, r: &DriftReport) {
    for d in &r.drifted {
        let who = match &d.task {
            Some(t) => format!("{} task {t}", d.spec),
            None => d.spec.clone(),
        };
        let commit = d.commit.as_deref().map(|c| format!(" (commit {c})")).unwrap_or_default();
        s.push_str(&format!("{}: {} — {who}{commit}\n", d.kind.as_str(), d.file));
    }
    for e in &r.errors {
        s.push_str(&format!("error: {e}\n"));
    }
    if r.drifted.is_empty() {
        s.push_str(&format!("no drift ({} done task(s) compared)\n", r.tasks_checked));
    } else {
        s.push_str(&format!(
            "\n{} drifted file(s). Review each task: `specwork drift accept SPEC TASK --note …` or `specwork drift reopen SPEC TASK --reason …`\n",
            r.drifted.len()
        ));
    }
}
