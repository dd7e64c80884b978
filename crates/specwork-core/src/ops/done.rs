//! The evidence of a finished task, measured inside [`crate::ops::task::finish`]: the files its
//! window created, modified and deleted (git from the commit `HEAD` was at when the task started,
//! plus the files hooks saw), line counts, the commits linked to it, its implementation log
//! (named specs, in spec-workflow-mcp's format) and the drift baseline kept in
//! [`crate::stores::evidence`]. specwork's own bookkeeping never counts
//! ([`evidence::is_bookkeeping`]).

use std::collections::BTreeSet;

use crate::base::diag::Diagnostic;
use crate::model::spec::{Layout, Spec};
use crate::model::tasks::Task;
use crate::model::workspace::Workspace;
use crate::stores::evidence::{self, FileBaseline, TaskEvidence};
use crate::stores::implog::{self, Artifacts, Statistics, git::GitWindow};
use crate::stores::journal::{self, CheckRun, Entry, Event, Stamp, WorkFacts};
use crate::stores::session::SessionIndex;

/// Where a task's window starts: its last `task_start` (time and `HEAD` then), and the files
/// hooks saw touched since, as `(path, action)`.
struct Window {
    start: Option<Stamp>,
    head: Option<String>,
    dirty: Vec<FileBaseline>,
    touched: Vec<(String, Option<String>)>,
}

/// Files changed and not committed now (bookkeeping left out), with their content: a task
/// started now does not own them unless it changes them again.
pub(crate) fn dirty_files(ws: &Workspace) -> Vec<FileBaseline> {
    let skip = |p: &str| evidence::is_bookkeeping(ws, p);
    let Ok(Some(m)) = implog::git::measure_except(&ws.root, &GitWindow::default(), &skip) else { return Vec::new() };
    m.files_created
        .iter()
        .chain(&m.files_modified)
        .map(|p| FileBaseline { path: p.clone(), sha256: evidence::hash_file(ws, p) })
        .chain(m.files_deleted.iter().map(|p| FileBaseline { path: p.clone(), sha256: None }))
        .take(5000)
        .collect()
}

fn entries_of(ws: &Workspace, s: &crate::stores::session::Session) -> Vec<Entry> {
    if s.entries_loaded() { s.entries.clone() } else { journal::read(&ws.root, &s.journal, s.archived).entries }
}

fn window(ws: &Workspace, index: &SessionIndex, spec: &str, task: &str) -> Window {
    let mut w = Window { start: None, head: None, dirty: Vec::new(), touched: Vec::new() };
    let mut all: Vec<Entry> = Vec::new();
    for s in index.for_spec(spec) {
        all.extend(entries_of(ws, s));
    }
    all.sort_by_key(|e| e.ts.ts);
    for e in &all {
        if let Event::TaskStart { spec: sp, task: t, head, dirty, .. } = &e.event
            && sp == spec
            && t == task
        {
            w.start = Some(e.ts);
            w.head = head.clone();
            w.dirty = dirty.clone();
        }
    }
    let Some(start) = w.start else { return w };
    for e in all.iter().filter(|e| e.ts.ts >= start.ts) {
        if let Event::FileTouched { path, action, spec: sp, task: t, .. } = &e.event {
            let ours = match (sp.as_deref(), t.as_deref()) {
                (_, Some(t)) => t == task && sp.as_deref().is_none_or(|s| s == spec),
                (Some(s), None) => s == spec,
                (None, None) => true,
            };
            if ours {
                w.touched.push((path.trim_start_matches("./").to_owned(), action.clone()));
            }
        }
    }
    w
}

/// The files the agent named that the measured facts do not show.
fn not_seen(claimed: &[String], work: &WorkFacts) -> Vec<String> {
    let seen: BTreeSet<&str> =
        work.files_created.iter().chain(&work.files_modified).chain(&work.files_deleted).map(String::as_str).collect();
    let mut out: Vec<String> = claimed
        .iter()
        .map(|f| f.trim().trim_start_matches("./").replace('\\', "/"))
        .filter(|f| !f.is_empty() && !seen.contains(f.as_str()))
        .collect();
    out.sort();
    out.dedup();
    out
}

fn unverified_only(claimed: &[String]) -> WorkFacts {
    let mut w = WorkFacts::default();
    w.unverified = not_seen(claimed, &w);
    w
}

/// What finishing measured.
pub(crate) struct Measured {
    pub work: WorkFacts,
    pub baseline: Vec<FileBaseline>,
    pub head_now: Option<String>,
    pub warnings: Vec<Diagnostic>,
}

/// Measures task `task`'s window: git (from the commit at its start, else the last commit before
/// its start, else uncommitted changes) and hooks, bookkeeping left out; `claimed` are the files
/// the agent says it changed.
pub(crate) fn measure(ws: &Workspace, spec: &Spec, task: &Task, index: &SessionIndex, claimed: &[String]) -> Measured {
    let w = window(ws, index, &spec.id, &task.id);
    let mut warnings = Vec::new();
    if w.start.is_none() {
        // Never started: no window, so nothing can be said to be its work.
        return Measured {
            work: unverified_only(claimed),
            baseline: Vec::new(),
            head_now: implog::git::head(&ws.root),
            warnings,
        };
    }
    // Changed before the task started and untouched since: not its work.
    let inherited = |p: &str| w.dirty.iter().any(|d| d.path == p && d.sha256 == evidence::hash_file(ws, p));
    let skip = |p: &str| evidence::is_bookkeeping(ws, p) || inherited(p);
    let mut git_window = GitWindow { base: w.head.clone(), since: w.start.map(|s| s.ts) };
    if git_window.base.is_some() {
        git_window.since = None;
    }
    let measured = match implog::git::measure_except(&ws.root, &git_window, &skip) {
        Err(implog::git::GitError::BadRevision { .. }) if w.start.is_some() => {
            // The start commit is gone (history rewritten): count from the start time.
            implog::git::measure_except(&ws.root, &GitWindow { base: None, since: w.start.map(|s| s.ts) }, &skip)
        }
        r => r,
    };
    let mut work = WorkFacts::default();
    match measured {
        Ok(Some(m)) => {
            work.files_created = m.files_created;
            work.files_modified = m.files_modified;
            work.files_deleted = m.files_deleted;
            work.lines_added = m.lines_added;
            work.lines_removed = m.lines_removed;
        }
        Ok(None) => {}
        Err(e) => {
            warnings.push(Diagnostic::warning("", 0, format!("cannot measure the task's files with git: {e}"), ""))
        }
    }
    // Files the hooks saw, when git did not (outside a repository, or ignored by it).
    for (path, action) in &w.touched {
        if skip(path) || work.files_created.contains(path) || work.files_modified.contains(path) {
            continue;
        }
        if work.files_deleted.contains(path) {
            continue;
        }
        match action.as_deref() {
            Some("created") => work.files_created.push(path.clone()),
            Some("deleted") => work.files_deleted.push(path.clone()),
            _ => work.files_modified.push(path.clone()),
        }
    }
    work.files_created.sort();
    work.files_created.dedup();
    work.files_modified.sort();
    work.files_modified.dedup();
    work.unverified = not_seen(claimed, &work);
    // Commits linked to the task since it started.
    if let (Some(base), Some(repo)) = (&w.head, crate::git::Repo::open(&ws.root)) {
        let range = format!("{base}..HEAD");
        if let Ok(commits) = repo.log(&[&range]) {
            work.commits =
                commits.iter().rev().filter(|c| c.links_task(&spec.id, &task.id)).map(|c| c.short.clone()).collect();
        }
    }
    let baseline = work
        .files_created
        .iter()
        .chain(&work.files_modified)
        .map(|p| FileBaseline { path: p.clone(), sha256: evidence::hash_file(ws, p) })
        .chain(work.files_deleted.iter().map(|p| FileBaseline { path: p.clone(), sha256: None }))
        .collect();
    Measured { work, baseline, head_now: implog::git::head(&ws.root), warnings }
}

/// The log's one-line summary: the agent's, else what was measured; then the check's result and
/// the usage.
fn summary(
    task: &Task,
    given: Option<&str>,
    work: &WorkFacts,
    check: Option<&CheckRun>,
    verified: Option<bool>,
    usage: Option<&str>,
) -> String {
    let mut s = match given.map(str::trim).filter(|g| !g.is_empty()) {
        Some(g) => g.trim_end_matches('.').to_owned(),
        None => {
            let n = work.files_created.len() + work.files_modified.len() + work.files_deleted.len();
            format!(
                "Task {}: {} ({n} file(s) changed, +{} -{})",
                task.id, task.title, work.lines_added, work.lines_removed
            )
        }
    };
    s.push('.');
    if let Some(c) = check {
        let state =
            if c.passed { "passed".to_owned() } else { format!("failed ({})", crate::stores::activity::exit_text(c)) };
        let forced = if verified == Some(false) { "; finished with --force, unverified" } else { "" };
        s.push_str(&format!(" Check `{}` {state}{forced}.", c.command));
    }
    if !work.commits.is_empty() {
        s.push_str(&format!(" Commits: {}.", work.commits.join(", ")));
    }
    if let Some(u) = usage {
        s.push_str(&format!(" Usage: {u}."));
    }
    if !work.unverified.is_empty() {
        s.push_str(&format!(" Named but not seen changed (unverified): {}.", work.unverified.join(", ")));
    }
    s
}

/// What the log of a finished task holds besides the measured facts.
pub(crate) struct LogInput<'a> {
    pub summary: Option<&'a str>,
    pub artifacts: Option<&'a Artifacts>,
    pub check: Option<&'a CheckRun>,
    pub verified: Option<bool>,
    pub usage: Option<String>,
}

/// Writes the implementation log of a named spec's finished task (numbered specs keep the same
/// facts in their timeline). Returns the file, workspace-relative.
pub(crate) fn write_log(
    ws: &Workspace,
    spec: &Spec,
    task: &Task,
    work: &WorkFacts,
    input: &LogInput<'_>,
) -> Result<Option<String>, implog::LogError> {
    if spec.layout == Layout::Numbered || !spec.layout.writable() || spec.archived {
        return Ok(None);
    }
    let mut modified = work.files_modified.clone();
    modified.extend(work.files_deleted.iter().map(|f| format!("{f} (deleted)")));
    let stats = Statistics {
        lines_added: work.lines_added,
        lines_removed: work.lines_removed,
        files_changed: (work.files_created.len() + work.files_modified.len() + work.files_deleted.len()) as u64,
    };
    let text = summary(task, input.summary, work, input.check, input.verified, input.usage.as_deref());
    let empty = Artifacts::default();
    let (file, _) = implog::write_entry(
        ws,
        spec,
        &task.id,
        &text,
        input.artifacts.unwrap_or(&empty),
        modified,
        work.files_created.clone(),
        stats,
    )?;
    Ok(Some(crate::base::display::slash_path(&file)))
}

/// Keeps the drift baseline of a finished task (decisions made before are kept).
#[allow(clippy::too_many_arguments)]
pub(crate) fn keep_baseline(
    ws: &Workspace,
    spec: &str,
    task: &str,
    session: &str,
    finished: &Stamp,
    verified: Option<bool>,
    check: Option<&CheckRun>,
    m: &Measured,
    log: Option<String>,
) -> Result<(), evidence::EvidenceError> {
    evidence::update(ws, spec, |ev| {
        let decisions = ev.tasks.get(task).map(|t| t.decisions.clone()).unwrap_or_default();
        ev.tasks.insert(
            task.to_owned(),
            TaskEvidence {
                finished_at: crate::base::ids::iso_millis(finished.ts),
                session: session.to_owned(),
                verified,
                check: check.cloned(),
                head: m.head_now.clone(),
                files: m.baseline.clone(),
                accepted_outside: Vec::new(),
                log: log.clone(),
                decisions,
            },
        );
    })
    .map(|_| ())
}
