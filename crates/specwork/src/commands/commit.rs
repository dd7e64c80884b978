use clap::Args;
use specwork_core::ops::commit::{self, CommitError, CommitOptions, GitFailure};

use super::Ctx;
use crate::error::{CmdResult, CommandError, EXIT_FAILURE, EXIT_USAGE};

#[derive(Args, Debug)]
pub struct CommitArgs {
    /// The commit message (several -m make paragraphs, as with git)
    #[arg(short, long, required = true, value_name = "MSG")]
    pub message: Vec<String>,
    /// The spec the commit belongs to (adds a `Spec:` trailer)
    #[arg(long)]
    pub spec: Option<String>,
    /// The task of that spec (adds a `Task:` trailer)
    #[arg(long, requires = "spec")]
    pub task: Option<String>,
    /// Commit all changes of tracked files, as `git commit -a`; with --spec, the spec's own
    /// files (documents, context, deliverables) too, new ones included
    #[arg(short, long)]
    pub all: bool,
}

pub fn run(ctx: &Ctx, a: CommitArgs) -> CmdResult {
    let ws = ctx.workspace()?;
    let spec = match &a.spec {
        Some(id) => Some(ws.spec(id)?),
        None => None,
    };
    let message = a.message.join("\n\n");
    let o = CommitOptions { message: &message, spec, task: a.task.as_deref(), all: a.all };
    let report = commit::commit(ws, &o).map_err(error)?;
    ctx.ui.outcome(&report, |s| {
        s.push_str(&format!("[{}] {}\n", report.short, report.subject));
        for t in &report.trailers {
            s.push_str(&format!("  {t}\n"));
        }
        if !report.staged.is_empty() {
            s.push_str(&format!("  with the spec's files: {}\n", report.staged.join(", ")));
        }
        if let Some(t) = &report.timeline {
            s.push_str(&format!("  recorded in {t}\n"));
        }
    });
    Ok(0)
}

/// The CLI's words for a failed commit.
fn error(e: CommitError) -> CommandError {
    let e = match e {
        CommitError::Task(op) => return op.into(),
        e => e,
    };
    let (code, hint) = match (&e, e.git_failure()) {
        (CommitError::NotARepo { .. }, _) => (EXIT_USAGE, "run `git init` first, or pass --workspace".to_owned()),
        (CommitError::Timeline { .. }, _) => (EXIT_FAILURE, "`specwork rebuild` writes the timelines again".to_owned()),
        (_, Some(GitFailure::NothingToCommit)) => {
            (EXIT_FAILURE, "stage changes with `git add`, or pass --all".to_owned())
        }
        (_, Some(GitFailure::NoIdentity)) => {
            (EXIT_FAILURE, "set `git config user.name` and `git config user.email`".to_owned())
        }
        (_, Some(GitFailure::NoGit)) => (EXIT_FAILURE, "install git".to_owned()),
        _ => (EXIT_FAILURE, "see git's message above".to_owned()),
    };
    CommandError { error: e.into(), hints: vec![hint], code }
}
