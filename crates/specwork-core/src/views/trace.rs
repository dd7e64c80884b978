//! Requirement coverage (`specwork trace SPEC`): each requirement of a spec with the tasks that
//! refer to it (`_Requirements: 1.2_`), their state, their verification and their commits; the
//! requirements no task covers, and the references to requirements that do not exist.
//!
//! The requirements come from the spec's requirements document (`requirements.md`; spec-kit's
//! `spec.md`) or, for a numbered spec, from its `## Requirements` section; see
//! [`crate::model::requirements`] for what counts as a requirement and a reference.

use std::path::Path;

use serde::Serialize;

use crate::base::display::slash_path;
use crate::model::requirements::{Requirements, Resolved, references};
use crate::model::spec::{Layout, Spec};
use crate::model::tasks::{Task, TaskStatus};
use crate::model::workspace::Workspace;
use crate::views::report::CommitRef;

/// The coverage of one spec's requirements.
#[derive(Clone, Debug, Serialize)]
pub struct Trace {
    /// Spec id.
    pub spec: String,
    /// The document the requirements come from, workspace-relative (none: the spec has none).
    pub requirements_file: Option<String>,
    /// Every requirement, in document order.
    pub requirements: Vec<TraceRequirement>,
    /// References from tasks to requirements that do not exist.
    pub unknown_refs: Vec<UnknownRef>,
    /// How many requirements no task covers.
    pub uncovered: usize,
    /// Whether any task of the spec refers to a requirement: only then does an uncovered
    /// requirement count as a problem (`check`).
    pub traced: bool,
}

/// One requirement and the tasks that cover it.
#[derive(Clone, Debug, Serialize)]
pub struct TraceRequirement {
    /// `1`, `FR-001`.
    pub id: String,
    /// Its title.
    pub title: String,
    /// 1-based line in the requirements file.
    pub line: usize,
    /// Whether a task refers to it or to one of its criteria.
    pub covered: bool,
    /// The tasks referring to it or to its criteria, in task order.
    pub tasks: Vec<TraceTask>,
    /// Its acceptance criteria, each with whether a task names it.
    pub criteria: Vec<TraceCriterion>,
}

/// One acceptance criterion.
#[derive(Clone, Debug, Serialize)]
pub struct TraceCriterion {
    /// `1.2`.
    pub id: String,
    /// Its text.
    pub text: String,
    /// Whether a task names it.
    pub covered: bool,
}

/// A task covering a requirement.
#[derive(Clone, Debug, Serialize)]
pub struct TraceTask {
    /// Task id.
    pub id: String,
    /// Task title.
    pub title: String,
    /// Its state.
    pub status: TaskStatus,
    /// For a done task: whether its check passed (`true`), was forced or failed (`false`), or
    /// it has none (`null`).
    pub verified: Option<bool>,
    /// The references that tie it here (`1.2`, `1`).
    pub via: Vec<String>,
    /// Commits linked to the task (`Task:` trailer or `task 1.2` in the message), newest first.
    pub commits: Vec<CommitRef>,
}

/// A reference to a requirement that does not exist.
#[derive(Clone, Debug, Serialize)]
pub struct UnknownRef {
    /// The task that makes it.
    pub task: String,
    /// The reference as written (labels dropped).
    #[serde(rename = "ref")]
    pub reference: String,
    /// The tasks file, workspace-relative.
    pub file: String,
    /// The task's line.
    pub line: usize,
}

impl Trace {
    /// Whether `check` reports it: a reference to nothing, or (once the spec's tasks refer to
    /// requirements) a requirement no task covers.
    pub fn has_problems(&self) -> bool {
        !self.unknown_refs.is_empty() || (self.traced && self.uncovered > 0)
    }
}

/// How much of the repository's history `trace` reads for commits.
const COMMIT_LIMIT: usize = 2_000;

/// The spec's requirements, from wherever its layout keeps them.
pub fn requirements_of(ws: &Workspace, spec: &Spec) -> Option<Requirements> {
    let read = |p: &Path| ws.read_file(p).ok().map(|b| String::from_utf8_lossy(&b).into_owned());
    match spec.layout {
        Layout::Numbered => {
            let file = spec.docs.spec.as_ref()?;
            Some(Requirements::parse_numbered(file.clone(), &read(file)?))
        }
        _ => {
            let file = spec.docs.requirements.as_ref().or(spec.docs.spec.as_ref())?;
            Some(Requirements::parse(file.clone(), &read(file)?))
        }
    }
}

/// Builds the coverage of `spec`, with whether each done task's check passed; with `commits`,
/// each covering task's linked commits are read from git (one `git log`).
pub fn trace(ws: &Workspace, spec: &Spec, commits: bool) -> Trace {
    build(ws, spec, commits, true)
}

/// The coverage alone (what `check` reports): no commits, no verification read.
pub fn coverage(ws: &Workspace, spec: &Spec) -> Trace {
    build(ws, spec, false, false)
}

fn build(ws: &Workspace, spec: &Spec, commits: bool, verification: bool) -> Trace {
    let reqs = requirements_of(ws, spec).unwrap_or_default();
    let tasks: Vec<&Task> = spec.tasks.tasks.iter().filter(|t| !t.is_placeholder()).collect();
    let log = if commits {
        crate::git::Repo::open(&ws.root)
            .and_then(|r| r.commits_for(&spec.id, None, COMMIT_LIMIT).ok())
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    // Whether done tasks' checks passed, as recorded when they were finished.
    let evidence = if verification { crate::stores::evidence::load(ws, &spec.id).ok() } else { None };
    let tasks_file = spec.tasks_source.as_ref().map(|s| slash_path(&s.file)).unwrap_or_default();

    let mut out: Vec<TraceRequirement> = reqs
        .items
        .iter()
        .map(|q| TraceRequirement {
            id: q.id.clone(),
            title: q.title.clone(),
            line: q.line,
            covered: false,
            tasks: Vec::new(),
            criteria: q
                .criteria
                .iter()
                .map(|c| TraceCriterion { id: c.id.clone(), text: c.text.clone(), covered: false })
                .collect(),
        })
        .collect();
    let mut unknown_refs = Vec::new();
    let mut traced = false;
    for task in tasks {
        let refs = references(&task.requirements);
        traced |= !refs.is_empty();
        for r in refs {
            match reqs.resolve(&r) {
                Resolved::Requirement(i, criterion) => {
                    let q = &mut out[i];
                    q.covered = true;
                    if let Some(j) = criterion {
                        q.criteria[j].covered = true;
                    }
                    match q.tasks.iter_mut().find(|t| t.id == task.id) {
                        Some(t) => t.via.push(r),
                        None => q.tasks.push(TraceTask {
                            id: task.id.clone(),
                            title: task.title.clone(),
                            status: task.status,
                            verified: if task.status == TaskStatus::Done {
                                evidence.as_ref().and_then(|e| e.tasks.get(&task.id)?.verified)
                            } else {
                                None
                            },
                            via: vec![r],
                            commits: log
                                .iter()
                                .filter(|c| c.links_task(&spec.id, &task.id))
                                .map(|c| CommitRef { hash: c.short.clone(), subject: c.subject.clone() })
                                .collect(),
                        }),
                    }
                }
                Resolved::Heading => {}
                Resolved::Unknown => unknown_refs.push(UnknownRef {
                    task: task.id.clone(),
                    reference: r,
                    file: tasks_file.clone(),
                    line: task.line,
                }),
            }
        }
    }
    // With no requirement found at all, every reference would be "unknown": say nothing instead
    // of blaming each task for a document written in a form this reader does not know.
    if out.is_empty() {
        unknown_refs.clear();
    }
    Trace {
        spec: spec.id.clone(),
        requirements_file: (!reqs.file.as_os_str().is_empty()).then(|| slash_path(&reqs.file)),
        uncovered: out.iter().filter(|q| !q.covered).count(),
        requirements: out,
        unknown_refs,
        traced,
    }
}
