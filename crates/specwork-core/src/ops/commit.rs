//! `specwork commit`: a git commit with `Spec:` / `Task:` trailers, recorded in the spec's
//! timeline.
//!
//! With `all` and a spec, the spec's own files are staged first — its documents, its context
//! file and its deliverables (a numbered spec's `deliverables/` folder, a named spec's folder),
//! new ones included — so a deliverable registered a minute ago is not left out of the commit
//! that delivers it (`git commit -a` alone takes only tracked files).

use std::path::PathBuf;

use serde::Serialize;

use crate::base::display::slash_path;
use crate::base::names;
use crate::git::{GitError, Repo};
use crate::model::edit::EditError;
use crate::model::spec::{Layout, Spec};
use crate::model::workspace::Workspace;
use crate::ops::OpError;
use crate::ops::context_append::{self, TimelineEvent};

/// What to commit.
#[derive(Clone, Debug, Default)]
pub struct CommitOptions<'a> {
    /// The message (paragraphs separated by blank lines).
    pub message: &'a str,
    /// The spec the commit belongs to (a `Spec:` trailer).
    pub spec: Option<&'a Spec>,
    /// Its task (a `Task:` trailer).
    pub task: Option<&'a str>,
    /// Commit every change of tracked files (and the spec's own files), as `git commit -a`.
    pub all: bool,
}

/// A commit made.
#[derive(Clone, Debug, Serialize)]
pub struct Committed {
    /// Full hash.
    pub hash: String,
    /// Abbreviated hash.
    pub short: String,
    /// Subject line.
    pub subject: String,
    /// The spec.
    pub spec: Option<String>,
    /// The task.
    pub task: Option<String>,
    /// The trailers written (`Spec: 1014`).
    pub trailers: Vec<String>,
    /// The spec's files staged with it (`all` only), workspace-relative.
    pub staged: Vec<String>,
    /// The file whose timeline shows the commit (none without a spec or a place to record it).
    pub timeline: Option<String>,
}

/// Why a commit failed.
#[derive(Debug, thiserror::Error)]
pub enum CommitError {
    /// The workspace is not in a git repository.
    #[error("{} is not in a git repository", root.display())]
    NotARepo {
        /// The workspace root.
        root: PathBuf,
    },
    /// The task is not one of the spec's ([`OpError::Name`], [`OpError::NoSuchTask`]).
    #[error(transparent)]
    Task(#[from] OpError),
    /// git refused or failed.
    #[error(transparent)]
    Git(#[from] GitError),
    /// The commit was made, but recording it in the timeline failed.
    #[error("committed {short}, but the timeline could not be updated: {source}")]
    Timeline {
        /// The commit's abbreviated hash.
        short: String,
        /// Why.
        #[source]
        source: EditError,
    },
}

/// What kind of git failure a commit met, for the frontends' hints.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GitFailure {
    /// Nothing staged (or, with `all`, nothing changed).
    NothingToCommit,
    /// git has no user name or e-mail.
    NoIdentity,
    /// git is not installed.
    NoGit,
    /// Anything else: git's own message says what.
    Other,
}

impl CommitError {
    /// The kind of a git failure, `None` for other errors.
    pub fn git_failure(&self) -> Option<GitFailure> {
        match self {
            Self::Git(GitError::Spawn(_)) => Some(GitFailure::NoGit),
            Self::Git(GitError::Failed { stderr, .. })
                if stderr.contains("nothing") || stderr.contains("no changes") =>
            {
                Some(GitFailure::NothingToCommit)
            }
            Self::Git(GitError::Failed { stderr, .. })
                if stderr.contains("identity") || stderr.contains("user.email") =>
            {
                Some(GitFailure::NoIdentity)
            }
            Self::Git(_) => Some(GitFailure::Other),
            _ => None,
        }
    }
}

/// The spec's own files: documents, context file and deliverables.
fn own_files(spec: &Spec) -> Vec<PathBuf> {
    let d = &spec.docs;
    let mut out: Vec<PathBuf> =
        [&d.spec, &d.requirements, &d.design, &d.tasks, &d.context].into_iter().flatten().cloned().collect();
    match spec.layout {
        Layout::Numbered if !spec.is_area => out.push(spec.dir.join("deliverables")),
        Layout::Numbered => {}
        _ => out.push(spec.dir.clone()),
    }
    out
}

/// Makes the commit and records it in the spec's timeline.
pub fn commit(ws: &Workspace, o: &CommitOptions<'_>) -> Result<Committed, CommitError> {
    let task = match (o.spec, o.task) {
        (Some(spec), Some(task)) => {
            names::task_id(task).map_err(OpError::from)?;
            if spec.tasks.find(task).is_none() {
                return Err(OpError::NoSuchTask { spec: spec.id.clone(), task: task.to_owned() }.into());
            }
            Some(task.trim_end_matches('.'))
        }
        _ => None,
    };
    let repo = Repo::open(&ws.root).ok_or_else(|| CommitError::NotARepo { root: ws.root.clone() })?;
    let mut trailers: Vec<(&str, &str)> = Vec::new();
    if let Some(s) = o.spec {
        trailers.push(("Spec", &s.id));
    }
    if let Some(t) = task {
        trailers.push(("Task", t));
    }
    let mut staged = Vec::new();
    if o.all
        && let Some(spec) = o.spec
    {
        let files = own_files(spec);
        repo.add(&files)?;
        staged = files.iter().filter(|p| ws.root.join(p).exists()).map(|p| slash_path(p)).collect();
    }
    let c = repo.commit(o.message, &trailers, o.all)?;
    let timeline = match o.spec {
        Some(s) => {
            let event = TimelineEvent::Commit {
                hash: c.short.clone(),
                subject: c.subject.clone(),
                task: task.map(str::to_owned),
            };
            context_append::append(ws, s, &event)
                .map_err(|source| CommitError::Timeline { short: c.short.clone(), source })?
                .map(|p| slash_path(&p))
        }
        None => None,
    };
    Ok(Committed {
        trailers: trailers.iter().map(|(k, v)| format!("{k}: {v}")).collect(),
        hash: c.hash,
        short: c.short,
        subject: c.subject,
        spec: o.spec.map(|s| s.id.clone()),
        task: task.map(str::to_owned),
        staged,
        timeline,
    })
}
