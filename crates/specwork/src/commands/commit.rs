use clap::Args;
use serde::Serialize;
use specwork_core::base::names;
use specwork_core::git::{GitError, Repo};
use specwork_core::ops::context_append::{self, TimelineEvent};

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
    /// Commit all changes of tracked files, as `git commit -a`
    #[arg(short, long)]
    pub all: bool,
}

#[derive(Serialize)]
struct CommitReport {
    hash: String,
    short: String,
    subject: String,
    spec: Option<String>,
    task: Option<String>,
    trailers: Vec<String>,
    timeline: Option<String>,
}

pub fn run(ctx: &Ctx, a: CommitArgs) -> CmdResult {
    let ws = ctx.workspace()?;
    let spec = match &a.spec {
        Some(id) => Some(ws.spec(id)?),
        None => None,
    };
    if let (Some(spec), Some(task)) = (spec, &a.task) {
        names::task_id(task).map_err(|e| CommandError::usage(e.to_string(), "task ids look like 1, 1.2 or T001"))?;
        if spec.tasks.find(task).is_none() {
            return Err(CommandError::usage(
                format!("no task `{task}` in spec {}", spec.id),
                format!("`specwork task list {}` shows the task ids", spec.id),
            ));
        }
    }
    let repo = Repo::open(&ws.root).ok_or_else(|| CommandError {
        error: anyhow::anyhow!("{} is not in a git repository", ws.root.display()),
        hints: vec!["run `git init` first, or pass --workspace".to_owned()],
        code: EXIT_USAGE,
    })?;
    let mut trailers: Vec<(&str, &str)> = Vec::new();
    if let Some(s) = spec {
        trailers.push(("Spec", &s.id));
    }
    if let Some(t) = &a.task {
        trailers.push(("Task", t.trim_end_matches('.')));
    }
    let message = a.message.join("\n\n");
    let c = repo.commit(&message, &trailers, a.all).map_err(|e| {
        let hint = match &e {
            GitError::Failed { stderr, .. } if stderr.contains("nothing") || stderr.contains("no changes") => {
                "stage changes with `git add`, or pass --all".to_owned()
            }
            GitError::Failed { stderr, .. } if stderr.contains("identity") || stderr.contains("user.email") => {
                "set `git config user.name` and `git config user.email`".to_owned()
            }
            GitError::Spawn(_) => "install git".to_owned(),
            GitError::Failed { .. } => "see git's message above".to_owned(),
        };
        CommandError { error: e.into(), hints: vec![hint], code: EXIT_FAILURE }
    })?;
    let timeline = match spec {
        Some(s) => {
            let event = TimelineEvent::Commit {
                hash: c.short.clone(),
                subject: c.subject.clone(),
                task: a.task.as_ref().map(|t| t.trim_end_matches('.').to_owned()),
            };
            context_append::append(ws, s, &event)?.map(|p| specwork_core::base::display::slash_path(&p))
        }
        None => None,
    };
    let report = CommitReport {
        trailers: trailers.iter().map(|(k, v)| format!("{k}: {v}")).collect(),
        hash: c.hash,
        short: c.short,
        subject: c.subject,
        spec: a.spec,
        task: a.task,
        timeline,
    };
    ctx.ui.report(&report, |s| {
        s.push_str(&format!("[{}] {}\n", report.short, report.subject));
        for t in &report.trailers {
            s.push_str(&format!("  {t}\n"));
        }
        if let Some(t) = &report.timeline {
            s.push_str(&format!("  recorded in {t}\n"));
        }
    });
    Ok(0)
}
