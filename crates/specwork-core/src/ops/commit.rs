//! `specwork commit`: a git commit with `Spec:` / `Task:` trailers, recorded in the spec's
//! timeline.
//!
//! With `all` and a spec, the spec's own files are staged first — its documents, its context
//! file and its deliverables (a numbered spec's `deliverables/` folder, a named spec's folder),
//! new ones included — so a deliverable registered a minute ago is not left out of the commit
//! that delivers it (`git commit -a` alone takes only tracked files).

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::base::display::slash_path;
use crate::base::names;
use crate::base::write;
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

/// The subject git will give `message` (its first paragraph on one line, as `--cleanup=strip`
/// leaves it).
fn subject_of(message: &str) -> String {
    let first = message.trim_start().split("\n\n").next().unwrap_or("");
    first.lines().map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join(" ")
}

/// The files a timeline event of `spec` may write, with their bytes now: the context file and
/// the open session journals (a handful of small files).
fn bookkeeping_snapshot(ws: &Workspace, spec: &Spec) -> Vec<(PathBuf, Option<Vec<u8>>)> {
    let mut files: Vec<PathBuf> = spec.docs.context.iter().cloned().collect();
    if let Ok(dir) = fs_err::read_dir(ws.abs(Path::new(crate::stores::journal::CURRENT_DIR))) {
        files.extend(dir.flatten().map(|e| Path::new(crate::stores::journal::CURRENT_DIR).join(e.file_name())));
    }
    files
        .into_iter()
        .map(|f| {
            let bytes = crate::base::path_policy::read(ws.abs(&f)).ok();
            (f, bytes)
        })
        .collect()
}

/// Makes the commit, its record in the spec's timeline travelling in it.
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
    // Refused before anything is recorded: nothing to commit, or no identity to commit with.
    if !repo.has_changes(o.all) {
        return Err(GitError::Failed { command: "commit".into(), stderr: "nothing to commit".into() }.into());
    }
    repo.check_identity()?;

    // The spec's bookkeeping travels in the commit that it records: the timeline entry (and the
    // session's journal event) is written first, without the hash nobody knows yet, and staged
    // with the work. The session shows the hash once it has seen the commit made.
    let mut timeline = None;
    let mut restore: Vec<(PathBuf, Option<Vec<u8>>, Vec<u8>)> = Vec::new();
    if let Some(s) = o.spec {
        let before = bookkeeping_snapshot(ws, s);
        let event = TimelineEvent::Commit {
            hash: String::new(),
            subject: subject_of(o.message),
            task: task.map(str::to_owned),
        };
        let (shown, written) = context_append::append_written(ws, s, &event)
            .map_err(|source| CommitError::Timeline { short: String::new(), source })?;
        timeline = shown.map(|p| slash_path(&p));
        for f in written {
            let now = crate::base::path_policy::read(ws.abs(&f)).unwrap_or_default();
            let old = before.iter().find(|(p, _)| *p == f).and_then(|(_, b)| b.clone());
            restore.push((f, old, now));
        }
        let to_stage: Vec<PathBuf> = restore.iter().map(|(f, ..)| f.clone()).filter(|f| !repo.ignores(f)).collect();
        repo.add(&to_stage)?;
        staged.extend(to_stage.iter().map(|p| slash_path(p)).filter(|p| !staged.contains(p)).collect::<Vec<_>>());
    }
    let c = match repo.commit(o.message, &trailers, o.all) {
        Ok(c) => c,
        Err(e) => {
            // No commit, so no record of one: each file goes back to what it was, unless it
            // changed again meanwhile, and out of the index.
            let _ = repo.unstage(&restore.iter().map(|(f, ..)| f.clone()).collect::<Vec<_>>());
            for (f, old, now) in restore {
                if let Some(old) = old {
                    let _ = write::update(&ws.abs(&f), |cur: &str| -> Result<String, write::WriteError> {
                        Ok(if cur.as_bytes() == now.as_slice() {
                            String::from_utf8_lossy(&old).into_owned()
                        } else {
                            cur.to_owned()
                        })
                    });
                }
            }
            return Err(e.into());
        }
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
