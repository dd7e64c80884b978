//! Reports built from a loaded workspace: the portfolio, one spec's status (the seed's
//! `--status` view) and the resume view. Each is a plain serialisable struct; its field names
//! are the stable `--json` keys documented in README.md.

use std::path::PathBuf;

use serde::Serialize;

use crate::spec::Spec;
use crate::tasks::{Task, TaskCounts, TaskStatus};
use crate::workspace::Workspace;
use crate::{Diagnostic, markdown};

/// A task as reports show it.
#[derive(Clone, Debug, Serialize)]
pub struct TaskRef {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Status.
    pub status: TaskStatus,
    /// Line in the task file.
    pub line: usize,
    /// Blocked reason, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl From<&Task> for TaskRef {
    fn from(t: &Task) -> Self {
        Self {
            id: t.id.clone(),
            title: t.title.clone(),
            status: t.status,
            line: t.line,
            reason: t.blocked_reason.clone(),
        }
    }
}

/// One row of the portfolio.
#[derive(Clone, Debug, Serialize)]
pub struct PortfolioRow {
    /// Spec id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Layout name.
    pub layout: &'static str,
    /// Main path, relative to the workspace, with `/` separators.
    pub path: String,
    /// Parent spec id.
    pub parent: Option<String>,
    /// `planning`, `active`, `blocked` or `done`.
    pub status: &'static str,
    /// Workflow phase.
    pub phase: &'static str,
    /// Task counts (nested checkboxes included).
    pub tasks: TaskCounts,
    /// Done tasks as a percentage of all tasks, rounded down.
    pub progress_pct: u32,
    /// The next task to do.
    pub next_task: Option<TaskRef>,
    /// Blocked tasks.
    pub blocked: Vec<TaskRef>,
    /// Whether the spec is an area of the numbered tree.
    pub is_area: bool,
    /// Whether the spec is archived.
    pub archived: bool,
    /// Whether specwork only reads this spec (Kiro, spec-kit, OpenSpec imports).
    pub read_only: bool,
}

/// The portfolio of all specs.
#[derive(Clone, Debug, Serialize)]
pub struct Portfolio {
    /// Workspace root.
    pub workspace: String,
    /// Every spec.
    pub specs: Vec<PortfolioRow>,
    /// Tasks over all specs.
    pub totals: TaskCounts,
    /// Overall progress.
    pub progress_pct: u32,
    /// Problems found while reading.
    pub diagnostics: Vec<Diagnostic>,
}

/// Forward slashes whatever the platform.
pub fn slash_path(p: &std::path::Path) -> String {
    p.to_string_lossy().replace('\\', "/")
}

/// One portfolio row for a spec.
pub fn row(spec: &Spec) -> PortfolioRow {
    let counts = spec.tasks.counts();
    PortfolioRow {
        id: spec.id.clone(),
        title: spec.title.clone(),
        layout: spec.layout.as_str(),
        path: slash_path(&spec.path),
        parent: spec.parent.clone(),
        status: spec.status().as_str(),
        phase: spec.phase(),
        tasks: counts,
        progress_pct: counts.progress_pct(),
        next_task: spec.tasks.next_task().map(TaskRef::from),
        blocked: spec.tasks.tasks.iter().filter(|t| t.status == TaskStatus::Blocked).map(TaskRef::from).collect(),
        is_area: spec.is_area,
        archived: spec.archived,
        read_only: !spec.layout.writable(),
    }
}

/// Builds the portfolio. Archived specs are left out unless `archived` is set.
pub fn portfolio(ws: &Workspace, archived: bool) -> Portfolio {
    let specs: Vec<PortfolioRow> = ws.specs.iter().filter(|s| archived || !s.archived).map(row).collect();
    let mut totals = TaskCounts::default();
    for r in &specs {
        totals.merge(&r.tasks);
    }
    Portfolio {
        workspace: ws.root.display().to_string(),
        progress_pct: totals.progress_pct(),
        totals,
        specs,
        diagnostics: ws.diagnostics.clone(),
    }
}

/// Deliverables linked from a spec's `## Deliverables` section, by kind.
#[derive(Clone, Debug, Default, Serialize)]
pub struct DeliverableCounts {
    /// Under `deliverables/scripts/`.
    pub scripts: Vec<String>,
    /// Under `deliverables/docs/`.
    pub docs: Vec<String>,
    /// Under `deliverables/config/`.
    pub config: Vec<String>,
    /// Other linked deliverables.
    pub other: Vec<String>,
}

/// A session as the status and resume views show it.
#[derive(Clone, Debug, Serialize)]
pub struct SessionSummary {
    /// Session number in the spec's timeline.
    pub number: u32,
    /// Date.
    pub date: String,
    /// Title.
    pub title: String,
    /// Minutes spent, when known.
    pub minutes: Option<u64>,
    /// Duration as written.
    pub duration: Option<String>,
    /// Session status.
    pub status: Option<String>,
    /// Its last activity.
    pub last_activity: Option<String>,
}

/// A commit linked to the spec.
#[derive(Clone, Debug, Serialize)]
pub struct CommitRef {
    /// Abbreviated hash.
    pub hash: String,
    /// Subject line.
    pub subject: String,
}

/// One spec's status report (the seed's `--status` view).
#[derive(Clone, Debug, Serialize)]
pub struct SpecReport {
    /// The portfolio fields.
    #[serde(flatten)]
    pub row: PortfolioRow,
    /// Documents, relative to the workspace.
    pub docs: crate::spec::SpecDocs,
    /// Done tasks.
    pub completed: Vec<TaskRef>,
    /// In-progress tasks.
    pub in_progress: Vec<TaskRef>,
    /// Pending tasks.
    pub pending: Vec<TaskRef>,
    /// Deliverables by kind.
    pub deliverables: DeliverableCounts,
    /// Sessions from the context timeline.
    pub sessions: Vec<SessionSummary>,
    /// Minutes over all sessions whose duration is known.
    pub total_minutes: u64,
    /// The most recent commit linked to the spec: from git (a `Spec:` trailer or the id in the
    /// message), else the last one listed in the context timeline.
    pub last_commit: Option<CommitRef>,
    /// Child specs (numbered areas).
    pub children: Vec<String>,
}

fn deliverables(ws: &Workspace, spec: &Spec) -> DeliverableCounts {
    let mut out = DeliverableCounts::default();
    let Some(file) = crate::deliverables::spec_document(spec) else { return out };
    let Ok(src) = std::fs::read_to_string(ws.abs(file)) else { return out };
    let Some(range) = markdown::section(&src, |t| t.eq_ignore_ascii_case("deliverables")) else { return out };
    for (target, _, _, _) in markdown::wiki_links(&src[range]) {
        let target = target.split('#').next().unwrap_or("").to_owned();
        let bucket = if target.contains("deliverables/scripts/") {
            &mut out.scripts
        } else if target.contains("deliverables/docs/") {
            &mut out.docs
        } else if target.contains("deliverables/config/") {
            &mut out.config
        } else {
            &mut out.other
        };
        if !bucket.contains(&target) {
            bucket.push(target);
        }
    }
    out
}

fn sessions(spec: &Spec) -> Vec<SessionSummary> {
    spec.context
        .iter()
        .flat_map(|c| &c.sessions)
        .map(|s| SessionSummary {
            number: s.number,
            date: s.date.clone(),
            title: s.title.clone(),
            minutes: s.minutes,
            duration: s.duration.clone(),
            status: s.status.clone(),
            last_activity: s.last_activity.clone(),
        })
        .collect()
}

/// Builds one spec's status report.
pub fn spec_report(ws: &Workspace, spec: &Spec) -> SpecReport {
    let by = |st: TaskStatus| spec.tasks.tasks.iter().filter(|t| t.status == st).map(TaskRef::from).collect::<Vec<_>>();
    let sessions = sessions(spec);
    SpecReport {
        row: row(spec),
        docs: spec.docs.clone(),
        completed: by(TaskStatus::Done),
        in_progress: by(TaskStatus::InProgress),
        pending: by(TaskStatus::Pending),
        deliverables: deliverables(ws, spec),
        total_minutes: sessions.iter().filter_map(|s| s.minutes).sum(),
        sessions,
        last_commit: crate::git::Repo::open(&ws.root)
            .and_then(|repo| repo.last_commit_for(&spec.id).ok().flatten())
            .map(|c| CommitRef { hash: c.short, subject: c.subject })
            .or_else(|| {
                spec.context
                    .as_ref()
                    .and_then(|c| c.last_commit())
                    .map(|(h, s)| CommitRef { hash: h.clone(), subject: s.clone() })
            }),
        children: spec.children.clone(),
    }
}

/// The resume view.
#[derive(Clone, Debug, Serialize)]
pub struct ResumeReport {
    /// Spec id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Previous sessions.
    pub sessions: Vec<SessionSummary>,
    /// Done tasks.
    pub done: usize,
    /// All tasks.
    pub total: usize,
    /// The latest recorded activity.
    pub last_activity: Option<String>,
    /// Tasks not done yet (pending, in progress, blocked), in file order.
    pub remaining: Vec<TaskRef>,
    /// The task to continue from.
    pub next_task: Option<TaskRef>,
    /// The file holding the tasks.
    pub tasks_file: Option<PathBuf>,
}

/// Builds the resume view.
pub fn resume(spec: &Spec) -> ResumeReport {
    let counts = spec.tasks.counts();
    ResumeReport {
        id: spec.id.clone(),
        title: spec.title.clone(),
        sessions: sessions(spec),
        done: counts.done,
        total: counts.total,
        last_activity: spec.context.as_ref().and_then(|c| c.last_activity()).map(str::to_owned),
        remaining: spec.tasks.tasks.iter().filter(|t| t.status != TaskStatus::Done).map(TaskRef::from).collect(),
        next_task: spec.tasks.next_task().map(TaskRef::from),
        tasks_file: spec.tasks_source.as_ref().map(|s| s.file.clone()),
    }
}
